//! The cdylib exports exactly the C API: every dynamic symbol it defines is a
//! `jwtkit_` function declared in include/jwtkit.h, and every function the header
//! declares is exported (checked with `nm -D --defined-only`).

use std::collections::BTreeSet;
use std::env;
use std::fs;
use std::path::PathBuf;
use std::process::Command;

/// The cdylib cargo built for this test run: target/<profile>/deps, next to this test.
fn cdylib() -> PathBuf {
    let exe = env::current_exe().expect("current_exe");
    let lib = exe.parent().unwrap().join(format!("{}jwtkit{}", env::consts::DLL_PREFIX, env::consts::DLL_SUFFIX));
    assert!(lib.exists(), "{} is missing: run this through `cargo test`", lib.display());
    lib
}

/// (name, nm type letter) of every defined dynamic symbol.
fn exported_symbols() -> Vec<(String, char)> {
    let lib = cdylib();
    println!("+ nm -D --defined-only {}", lib.display());
    let out = Command::new("nm").args(["-D", "--defined-only"]).arg(&lib).output().expect("cannot run nm (binutils)");
    assert!(out.status.success(), "nm failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            // "0000000000109390 T jwtkit_string_free" (a versioned name has "@@VER")
            let mut f = l.split_whitespace().rev();
            let name = f.next()?;
            let kind = f.next()?.chars().next()?;
            Some((name.split('@').next().unwrap().to_string(), kind))
        })
        .collect()
}

/// `text` without C comments and preprocessor lines.
fn strip_c(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("/*") {
            rest = r.find("*/").map_or("", |i| &r[i + 2..]);
            out.push(' ');
        } else if let Some(r) = rest.strip_prefix("//") {
            rest = r.find('\n').map_or("", |i| &r[i..]);
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out.lines().filter(|l| !l.trim_start().starts_with('#')).collect::<Vec<_>>().join("\n")
}

/// Names of the functions declared in include/jwtkit.h: identifiers followed by `(`
/// (but not `(*`, a function-pointer typedef).
fn header_functions() -> BTreeSet<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("include/jwtkit.h");
    let code = strip_c(&fs::read_to_string(&path).expect("include/jwtkit.h"));
    let bytes = code.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut names = BTreeSet::new();
    let mut i = 0;
    while i < bytes.len() {
        if ident(bytes[i]) && (i == 0 || !ident(bytes[i - 1])) {
            let start = i;
            while i < bytes.len() && ident(bytes[i]) {
                i += 1;
            }
            let name = &code[start..i];
            let next = code[i..].trim_start();
            // `name (` declares a function; `type (*name)(...)` is a function-pointer type
            let pointer = next.get(1..).is_some_and(|r| r.trim_start().starts_with('*'));
            if next.starts_with('(') && !pointer && !matches!(name, "sizeof" | "__attribute__") {
                names.insert(name.to_string());
            }
        } else {
            i += 1;
        }
    }
    names
}

#[test]
fn only_jwtkit_functions_are_exported() {
    let symbols = exported_symbols();
    assert!(!symbols.is_empty(), "the cdylib exports nothing");
    let bad: Vec<_> = symbols
        .iter()
        .filter(|(name, kind)| !name.starts_with("jwtkit_") || !matches!(kind, 'T' | 'W' | 'i'))
        .collect();
    assert!(bad.is_empty(), "exported symbols that are not jwtkit_ functions (name, nm type): {bad:?}");
}

#[test]
fn exports_match_header() {
    let exported: BTreeSet<String> = exported_symbols().into_iter().map(|(n, _)| n).collect();
    let declared = header_functions();
    assert!(declared.len() >= 20, "too few functions parsed from the header: {declared:?}");
    let undeclared: Vec<_> = exported.difference(&declared).collect();
    let missing: Vec<_> = declared.difference(&exported).collect();
    assert!(
        undeclared.is_empty() && missing.is_empty(),
        "exported but not in include/jwtkit.h: {undeclared:?}\n\
         declared in include/jwtkit.h but not exported: {missing:?}"
    );
    println!("{} functions exported and declared", exported.len());
}
