//! Generates the C header with a pinned cbindgen into OUT_DIR, and copies it into
//! include/jwtkit.h only when the bytes differ (so mtimes don't churn and a read-only
//! source tree still builds). Also gives the cdylib its SONAME.

use std::{env, fs, path::PathBuf};

/// Bumped on every incompatible change of the C ABI; part of the SONAME.
const ABI_VERSION: u32 = 0;

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=JWTKIT_HEADER_CHECK");
    println!("cargo:rustc-env=JWTKIT_ABI_VERSION={ABI_VERSION}");

    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libjwtkit.so.{ABI_VERSION}");
    }

    let major: u32 = env::var("CARGO_PKG_VERSION_MAJOR").unwrap().parse().unwrap();
    let minor: u32 = env::var("CARGO_PKG_VERSION_MINOR").unwrap().parse().unwrap();
    let patch: u32 = env::var("CARGO_PKG_VERSION_PATCH").unwrap().parse().unwrap();
    let version = env::var("CARGO_PKG_VERSION").unwrap();
    let macros = format!(
        "\n#define JWTKIT_VERSION_MAJOR {major}\n#define JWTKIT_VERSION_MINOR {minor}\n\
         #define JWTKIT_VERSION_PATCH {patch}\n#define JWTKIT_VERSION_NUMBER {}\n\
         #define JWTKIT_VERSION_STRING \"{version}\"\n#define JWTKIT_ABI_VERSION {ABI_VERSION}\n",
        major * 1_000_000 + minor * 1000 + patch
    );

    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml must parse");
    config.after_includes = Some(format!("{}{}", config.after_includes.unwrap_or_default(), macros));

    // Feed cbindgen the FFI module directly (it follows `mod` items): no `cargo metadata`,
    // no Cargo.lock churn.
    let builder = cbindgen::Builder::new().with_config(config).with_src(crate_dir.join("src/ffi/mod.rs"));
    let generated = out_dir.join("jwtkit.h");
    builder.generate().expect("cbindgen failed").write_to_file(&generated);
    println!("cargo:rustc-env=JWTKIT_GENERATED_HEADER={}", generated.display());
    let statuses = fs::read_to_string(crate_dir.join("src/ffi/status.rs")).unwrap();
    write_if_changed(&out_dir.join("status_table.rs"), &status_table(&statuses));

    if env::var("JWTKIT_HEADER_CHECK").as_deref() == Ok("1") {
        return; // check mode: the header test compares, nothing is written
    }
    let committed = crate_dir.join("include/jwtkit.h");
    let new_bytes = fs::read(&generated).unwrap();
    if fs::read(&committed).ok().as_deref() != Some(&new_bytes[..]) {
        if let Err(e) = fs::create_dir_all(crate_dir.join("include")).and_then(|_| fs::write(&committed, &new_bytes)) {
            println!("cargo:warning=could not update include/jwtkit.h: {e}");
        }
    }
}

/// The status table of `src/ffi/status.rs` is its constants, each with the `Error`
/// variants it stands for (`pub const JWTKIT_ERR_X: jwtkit_status = N; // from Error::A`).
/// From them come `STATUS_NAMES` (behind `jwtkit_status_str`) and `status_of`, a match
/// with no wildcard, so an `Error` variant without a status does not compile.
fn status_table(source: &str) -> String {
    let mut names: Vec<(i32, &str)> = Vec::new();
    let mut arms = String::new();
    let mut variants: Vec<&str> = Vec::new();
    for line in source.lines() {
        let Some(rest) = line.strip_prefix("pub const ") else { continue };
        let Some((name, rest)) = rest.split_once(": jwtkit_status = ") else { continue };
        let (number, note) = rest.split_once(';').expect("status constant ends with `;`");
        let number: i32 = number.trim().parse().expect("status number");
        assert!(!names.iter().any(|(n, _)| *n == number), "status {number} is used twice");
        names.push((number, name));
        if let Some(from) = note.trim().strip_prefix("// from ") {
            for variant in from.split(',').map(str::trim) {
                let variant = variant.strip_prefix("Error::").expect("`// from Error::Variant, ...`");
                assert!(!variants.contains(&variant), "Error::{variant} maps to two statuses");
                variants.push(variant);
                arms.push_str(&format!("        Error::{variant} {{ .. }} => {name},\n"));
            }
        }
    }
    names.sort();
    let mut table = String::from("/// Every status with its NUL-terminated name, in numeric order.\n");
    table.push_str("pub(crate) const STATUS_NAMES: &[(jwtkit_status, &str)] = &[\n");
    for (code, name) in &names {
        table.push_str(&format!("    ({code}, \"{name}\\0\"),\n"));
    }
    table.push_str("];\n\n/// The C status of a core error: one variant, one code.\n");
    table.push_str("pub(crate) fn status_of(error: &Error) -> jwtkit_status {\n    match error {\n");
    table.push_str(&arms);
    table.push_str("    }\n}\n");
    table
}

fn write_if_changed(path: &std::path::Path, text: &str) {
    if fs::read_to_string(path).ok().as_deref() != Some(text) {
        fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
}
