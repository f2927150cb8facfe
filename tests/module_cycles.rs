//! The modules of `src/` import each other without cycles: each concept has one owner,
//! and a submodule never imports back up from the module that declares it. Reads the
//! sources as text: every `crate::…` path (and a parent's paths into its own children)
//! is an edge from the file's module to the longest module that path names; a
//! `super::…` path counts as the parent's. Unit tests
//! (`#[cfg(test)]` to the end of a file) and comments are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Module path ("ffi::boundary", "jwe", "key") → source text without its tests.
fn modules() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
                parts.pop();
            }
            let text = fs::read_to_string(&path).unwrap();
            // Comments (doc links included) name paths without importing them.
            let code: String = text
                .split("#[cfg(test)]")
                .next()
                .unwrap()
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            out.insert(parts.join("::"), code);
        }
    }
    out
}

/// `crate::a::{b, c::d}` → ["a::b", "a::c::d"]; `crate::a::b::C` → ["a::b::C"].
fn crate_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let prefix_len = after.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(after.len());
        let prefix = after[..prefix_len].trim_end_matches(':');
        if after[prefix_len..].starts_with('{') && after[..prefix_len].ends_with("::") {
            let group = &after[prefix_len + 1..after.find('}').unwrap_or(after.len())];
            for item in group.split(',') {
                let item = item.split_whitespace().next().unwrap_or("");
                if !item.is_empty() && item != "self" {
                    paths.push(format!("{prefix}::{item}"));
                } else if item == "self" {
                    paths.push(prefix.to_string());
                }
            }
        } else {
            paths.push(prefix.to_string());
        }
        rest = after;
    }
    paths
}

/// The longest module that `path` starts with.
fn owner<'a>(path: &str, modules: &'a BTreeMap<String, String>) -> Option<&'a str> {
    let mut parts: Vec<&str> = path.split("::").collect();
    while !parts.is_empty() {
        let candidate = parts.join("::");
        if let Some((name, _)) = modules.get_key_value(&candidate) {
            return Some(name);
        }
        parts.pop();
    }
    None
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    edges_of(&modules())
}

fn edges_of(modules: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, code) in modules {
        // `super::x` is the parent's `x`: spelled from the crate root, the checker sees it.
        let parent = name.rsplit_once("::").map_or("", |(p, _)| p);
        let spelled =
            code.replace("super::", &if parent.is_empty() { "crate::".into() } else { format!("crate::{parent}::") });
        let mut targets: Vec<String> = crate_paths(&spelled);
        // A parent's own `child::…` paths (re-exports, calls) point down to the child.
        for child in modules.keys() {
            let Some(short) = child.strip_prefix(&format!("{name}::")).filter(|_| !name.is_empty()) else {
                continue;
            };
            if !short.contains("::") && code.contains(&format!("{short}::")) {
                targets.push(child.clone());
            }
        }
        for target in targets {
            if let Some(to) = owner(&target, modules) {
                if to != name && !to.is_empty() {
                    edges.entry(name.clone()).or_default().insert(to.to_string());
                }
            }
        }
    }
    edges
}

/// Every cycle, as the modules on it (each reported once, from its smallest member).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let mut found = BTreeSet::new();
    for start in edges.keys() {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        while let Some((at, path)) = stack.pop() {
            for next in edges.get(&at).into_iter().flatten() {
                if next == start {
                    let mut cycle = path.clone();
                    let min = cycle.iter().enumerate().min_by_key(|(_, m)| (*m).clone()).unwrap().0;
                    cycle.rotate_left(min);
                    found.insert(cycle);
                } else if !path.contains(next) && next > start {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    found.into_iter().collect()
}

#[test]
fn the_module_graph_has_no_cycles() {
    let edges = graph();
    assert!(edges.len() > 10, "the module graph looks empty: {edges:?}");
    let found = cycles(&edges);
    let shown: Vec<String> = found.iter().map(|c| format!("{} -> {}", c.join(" -> "), c[0])).collect();
    assert!(found.is_empty(), "{} import cycles in src/:\n{}", found.len(), shown.join("\n"));
}

#[test]
fn the_checker_sees_a_cycle() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.entry("a".into()).or_default().insert("b".into());
    edges.entry("b".into()).or_default().insert("c".into());
    edges.entry("c".into()).or_default().insert("a".into());
    edges.entry("c".into()).or_default().insert("d".into());
    assert_eq!(cycles(&edges), vec![vec!["a".to_string(), "b".into(), "c".into()]]);
    assert_eq!(crate_paths("use crate::jwe::{concat_kdf, ecdh::x};"), vec!["jwe::concat_kdf", "jwe::ecdh::x"]);
    let mut modules = BTreeMap::new();
    modules.insert("p".to_string(), "pub mod c; pub use c::X; pub struct Y;".to_string());
    modules.insert("p::c".to_string(), "use super::Y; pub struct X;".to_string());
    assert_eq!(cycles(&edges_of(&modules)), vec![vec!["p".to_string(), "p::c".into()]]);
}
