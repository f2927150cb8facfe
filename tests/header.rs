//! The committed include/jwtkit.h must be exactly what build.rs generates, and its
//! version macros must match Cargo.toml.
//!
//! A plain `cargo build` copies the generated header over include/jwtkit.h, so after it
//! the two files are equal by construction and the comparison proves only that the copy
//! was written. The comparison means something in check mode (JWTKIT_HEADER_CHECK=1, set
//! by tests/run.sh for every build it makes): build.rs then writes nothing, and a header
//! that is stale against src/ffi fails here. Under CI (`CI` set) check mode is required,
//! so the check cannot quietly turn into the by-construction one.

#[test]
fn committed_header_matches_the_generated_one() {
    // `cargo test` runs this with the environment the build had: set here means build.rs
    // ran in check mode for this build.
    let check_mode = std::env::var("JWTKIT_HEADER_CHECK").as_deref() == Ok("1");
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        assert!(
            check_mode,
            "CI is set but JWTKIT_HEADER_CHECK=1 is not: build.rs has already overwritten \
             include/jwtkit.h, so the comparison below could not fail (run tests/run.sh)"
        );
    }
    let generated = std::fs::read_to_string(env!("JWTKIT_GENERATED_HEADER")).unwrap();
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/jwtkit.h")).unwrap();
    if check_mode {
        assert!(
            generated == committed,
            "include/jwtkit.h is stale: run `cargo build` (without JWTKIT_HEADER_CHECK) and commit include/jwtkit.h"
        );
    } else {
        assert!(
            generated == committed,
            "build.rs did not refresh include/jwtkit.h (read-only tree? see the build's warnings)"
        );
    }
}

#[test]
fn version_macros_match_the_package() {
    let header = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/jwtkit.h")).unwrap();
    let define = |name: &str| -> String {
        let prefix = format!("#define {name} ");
        header.lines().find_map(|l| l.strip_prefix(&prefix)).unwrap_or_else(|| panic!("{name} missing")).to_string()
    };
    assert_eq!(define("JWTKIT_VERSION_MAJOR"), env!("CARGO_PKG_VERSION_MAJOR"));
    assert_eq!(define("JWTKIT_VERSION_MINOR"), env!("CARGO_PKG_VERSION_MINOR"));
    assert_eq!(define("JWTKIT_VERSION_PATCH"), env!("CARGO_PKG_VERSION_PATCH"));
    assert_eq!(define("JWTKIT_VERSION_STRING"), format!("\"{}\"", env!("CARGO_PKG_VERSION")));
    assert_eq!(define("JWTKIT_VERSION_NUMBER").parse::<u32>().unwrap(), jwtkit::ffi::jwtkit_version_number());
    assert_eq!(define("JWTKIT_ABI_VERSION").parse::<u32>().unwrap(), jwtkit::ffi::jwtkit_abi_version());
}

#[test]
fn every_function_is_documented_with_its_statuses() {
    // Each fallible function's doc comment lists what it can return.
    let header = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/jwtkit.h")).unwrap();
    let mut last_comment = String::new();
    let mut in_comment = false;
    for line in header.lines() {
        if line.starts_with("/*") {
            in_comment = true;
            last_comment.clear();
        }
        if in_comment {
            last_comment.push_str(line);
            last_comment.push('\n');
            if line.contains("*/") {
                in_comment = false;
            }
            continue;
        }
        let decl = line.trim_start_matches("JWTKIT_MUST_USE ").trim();
        if decl.starts_with("jwtkit_status jwtkit_") && !decl.starts_with("jwtkit_status jwtkit_error_status") {
            assert!(
                last_comment.contains("JWTKIT_OK")
                    || last_comment.contains("Statuses as")
                    || last_comment.contains("same statuses"),
                "{decl} does not document its statuses"
            );
        }
    }
}
