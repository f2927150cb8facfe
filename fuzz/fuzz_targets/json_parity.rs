//! Differential: the three strict JSON readers must agree on every input. `parse_object`
//! builds the object; `check_object` and `scan_object` (which the claims and header
//! checks use) must give the same verdict, and the scanner the same member values.
//! The quick acceptor may only accept what the strict reader accepts.
#![no_main]

use std::borrow::Cow;

use jwtkit::__internals::json::{self, Kind, Member, MemberSink};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

struct Everything<'de>(Vec<(String, Member<'de>)>);

impl<'de> MemberSink<'de> for Everything<'de> {
    fn wants(&self, name: &str) -> bool {
        // Every other name built whole, the rest only by kind: both paths get exercised.
        name.len() % 2 == 0
    }
    fn member(&mut self, name: &str, value: Member<'de>) {
        // A name delivered again (the quick reader gave up partway) replaces the first.
        self.0.retain(|(n, _)| n != name);
        self.0.push((name.to_owned(), value));
    }
}

fn same(member: &Member<'_>, value: &Value) -> bool {
    match (member, value) {
        (Member::Skipped(kind), v) => *kind == Kind::of(v),
        (Member::Null, Value::Null) | (Member::Object, Value::Object(_)) => true,
        (Member::Bool(a), Value::Bool(b)) => a == b,
        (Member::Int(a), Value::Number(n)) => n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)) == Some(*a),
        (Member::Float(a), Value::Number(n)) => !n.is_i64() && !n.is_u64() && n.as_f64() == Some(*a),
        (Member::Str(a), Value::String(b)) => a == b,
        (Member::Array { strings, first_other }, Value::Array(items)) => {
            let want: Vec<Cow<str>> = items.iter().filter_map(Value::as_str).map(Cow::Borrowed).collect();
            let other = items.iter().find(|v| !v.is_string()).map(Kind::of);
            *strings == want && *first_other == other
        }
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let depth = 16;
    let parsed = json::parse_object_limited(data, "claims", depth);
    let checked = json::check_object_limited(data, "claims", depth);
    let mut all = Everything(Vec::new());
    let scanned = json::scan_object(data, "claims", depth, &mut all);
    // The same outcome: success, or the same kind of error (Json or JsonLimit).
    let verdict = |r: Result<(), &jwtkit::Error>| r.err().map(std::mem::discriminant);
    let parsed_verdict = verdict(parsed.as_ref().map(|_| ()));
    for max_depth in [depth, 1, 0] {
        if json::quick::accepts(data, max_depth) {
            assert!(json::parse_object_limited(data, "claims", max_depth).is_ok(), "quick accepted at {max_depth}");
        }
    }
    assert_eq!(verdict(checked.as_ref().copied()), parsed_verdict);
    assert_eq!(verdict(scanned.as_ref().copied()), parsed_verdict);
    if let Ok(obj) = parsed {
        assert_eq!(all.0.len(), obj.len());
        for (name, member) in &all.0 {
            assert!(same(member, &obj[name]), "{name}: {member:?} vs {}", obj[name]);
        }
    }
});
