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

    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml must parse");
    config.after_includes = Some(format!("{}{}", config.after_includes.unwrap_or_default(), macros));

    // Feed cbindgen the FFI module directly (it follows `mod` items): no `cargo metadata`,
    // no Cargo.lock churn.
    let builder = cbindgen::Builder::new().with_config(config).with_src(crate_dir.join("src/ffi/mod.rs"));
    let generated = out_dir.join("jwtkit.h");
    builder.generate().expect("cbindgen failed").write_to_file(&generated);
    println!("cargo:rustc-env=JWTKIT_GENERATED_HEADER={}", generated.display());

    if env::var("JWTKIT_HEADER_CHECK").as_deref() == Ok("1") {
        return; // check mode: the header test compares, nothing is written
    }
    let committed = crate_dir.join("include/jwtkit.h");
    let new_bytes = fs::read(&generated).unwrap();
    if fs::read(&committed).ok().as_deref() != Some(&new_bytes[..]) {
        if let Err(e) = fs::create_dir_all(crate_dir.join("include"))
            .and_then(|_| fs::write(&committed, &new_bytes))
        {
            println!("cargo:warning=could not update include/jwtkit.h: {e}");
        }
    }
}
