//! Strict JSON for headers and claims: UTF-8 only (no BOM), one object, no duplicate
//! member names, no NaN/Infinity, no trailing bytes, bounded nesting. serde_json does
//! the lexing; the visitor here adds what RFC 7515 §4 / RFC 7519 §4 leave to us.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

mod member;
pub mod quick;

use member::short_name;
pub use member::{Kind, Member, MemberSink};

/// Default deepest nesting of arrays/objects (see `limits::Limits::max_depth`).
pub const MAX_DEPTH: usize = 64;

/// A parsed JSON object (member order kept as read).
pub type Object = Map<String, Value>;

/// Parses `bytes` as a JSON object; `what` names it in errors ("header", "claims").
pub fn parse_object(bytes: &[u8], what: &str) -> Result<Object> {
    parse_object_limited(bytes, what, MAX_DEPTH)
}

/// As `parse_object`, nesting at most `max_depth` levels (capped at 120).
pub fn parse_object_limited(bytes: &[u8], what: &str, max_depth: usize) -> Result<Object> {
    let max_depth = max_depth.min(crate::limits::MAX_DEPTH_CEILING);
    let too_deep = Cell::new(false);
    match read(bytes, StrictSeed(CheckSeed { depth: 0, max_depth, too_deep: &too_deep })) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(not_an_object(what)),
        Err(e) => Err(classify(bytes, what, e, too_deep.get(), max_depth)),
    }
}

/// Checks that `bytes` is a JSON object under the same rules as `parse_object`,
/// without building it: for inputs jwtkit only passes through (claims it signs).
pub fn check_object(bytes: &[u8], what: &str) -> Result<()> {
    check_object_limited(bytes, what, MAX_DEPTH)
}

/// As `check_object`, nesting at most `max_depth` levels (capped at 120).
pub fn check_object_limited(bytes: &[u8], what: &str, max_depth: usize) -> Result<()> {
    let max_depth = max_depth.min(crate::limits::MAX_DEPTH_CEILING);
    if quick::accepts(bytes, max_depth) {
        return Ok(());
    }
    let too_deep = Cell::new(false);
    match read(bytes, CheckSeed { depth: 0, max_depth, too_deep: &too_deep }) {
        Ok(Kind::Object) => Ok(()),
        Ok(_) => Err(not_an_object(what)),
        Err(e) => Err(classify(bytes, what, e, too_deep.get(), max_depth)),
    }
}

/// Walks `bytes` as a JSON object under exactly the rules of `parse_object` (the same
/// errors for the same input) without building it, handing each top-level member to
/// `sink`. For reading a few members of a large object: the claims of a token.
pub fn scan_object<'de, S: MemberSink<'de>>(
    bytes: &'de [u8],
    what: &str,
    max_depth: usize,
    sink: &mut S,
) -> Result<()> {
    let max_depth = max_depth.min(crate::limits::MAX_DEPTH_CEILING);
    if quick::scan(bytes, max_depth, sink) {
        return Ok(());
    }
    let too_deep = Cell::new(false);
    match read(bytes, ScanSeed { check: CheckSeed { depth: 0, max_depth, too_deep: &too_deep }, sink }) {
        Ok(Kind::Object) => Ok(()),
        Ok(_) => Err(not_an_object(what)),
        Err(e) => Err(classify(bytes, what, e, too_deep.get(), max_depth)),
    }
}

/// Runs `seed` over the whole of `bytes` (one value, then only whitespace). Valid
/// UTF-8, the usual case, is checked once and read as text, much cheaper than
/// serde_json checking each string of a byte slice on its own; other input goes to the
/// byte reader, which reports the bad byte where it is, after any error before it.
fn read<'de, S: DeserializeSeed<'de>>(bytes: &'de [u8], seed: S) -> std::result::Result<S::Value, serde_json::Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => read_all(serde_json::Deserializer::from_str(text), seed),
        Err(_) => read_all(serde_json::Deserializer::from_slice(bytes), seed),
    }
}

fn read_all<'de, R: serde_json::de::Read<'de>, S: DeserializeSeed<'de>>(
    mut de: serde_json::Deserializer<R>,
    seed: S,
) -> std::result::Result<S::Value, serde_json::Error> {
    let value = seed.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// What a JSON error about `what` begins with: PyJWT's words for a token's header and
/// payload ("Invalid payload string: "; its users match on them), else `what: `.
fn label(what: &str) -> String {
    match what {
        "header" => "Invalid header string: ".into(),
        "claims" | "payload" => "Invalid payload string: ".into(),
        _ => format!("{what}: "),
    }
}

fn not_an_object(what: &str) -> Error {
    Error::Json(format!("{}must be a json object", label(what)))
}

fn classify(bytes: &[u8], what: &str, e: serde_json::Error, too_deep: bool, max_depth: usize) -> Error {
    let what = label(what);
    if too_deep {
        return Error::JsonLimit(format!("{what}JSON nested deeper than {max_depth} levels"));
    }
    let hint = if bytes.starts_with(b"\xEF\xBB\xBF") { " (byte order mark)" } else { "" };
    // serde_json's own texts quote nothing of the input (the visitors here accept every
    // kind of value, so no "invalid type: string \"…\"" arises, and the one custom text
    // that quotes, the duplicate name, is an `excerpt`); `tidy` keeps that true of any
    // version of it: escaped and cut all the same.
    Error::Json(format!("{what}invalid JSON{hint}: {}", crate::error::tidy(&e.to_string(), 160)))
}

/// The validating twin of `StrictSeed`: same rules, builds nothing (member names are
/// borrowed from the input where they have no escapes). Its value: the value's kind.
struct CheckSeed<'a> {
    depth: usize,
    max_depth: usize,
    too_deep: &'a Cell<bool>,
}

impl<'a> CheckSeed<'a> {
    fn nested<E: serde::de::Error>(&self) -> std::result::Result<CheckSeed<'a>, E> {
        if self.depth >= self.max_depth {
            self.too_deep.set(true);
            return Err(E::custom("nesting too deep"));
        }
        Ok(CheckSeed { depth: self.depth + 1, max_depth: self.max_depth, too_deep: self.too_deep })
    }
}

impl<'de> DeserializeSeed<'de> for CheckSeed<'_> {
    type Value = Kind;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Kind, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CheckSeed<'_> {
    type Value = Kind;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<Kind, E> {
        Ok(Kind::Bool)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<Kind, E> {
        Ok(Kind::Number)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<Kind, E> {
        Ok(Kind::Number)
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Kind, E> {
        finite(v).map(|_| Kind::Number)
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<Kind, E> {
        Ok(Kind::String)
    }
    fn visit_unit<E>(self) -> std::result::Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Kind, A::Error> {
        while seq.next_element_seed(self.nested()?)?.is_some() {}
        Ok(Kind::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, access: A) -> std::result::Result<Kind, A::Error> {
        // The top level (where the members of a header or claims are) gets the fast name
        // set, in a frame of its own; nested objects, which recursion stacks up to the
        // depth limit, keep a set of three words each.
        if self.depth == 0 {
            self.top_level_members(access)
        } else {
            self.members(access, &mut BTreeSet::new())
        }
    }
}

impl<'de> CheckSeed<'_> {
    #[inline(never)]
    fn top_level_members<A: MapAccess<'de>>(self, access: A) -> std::result::Result<Kind, A::Error> {
        self.members(access, &mut SeenNames::default())
    }

    fn members<A: MapAccess<'de>, S: NameSet<'de>>(
        self,
        mut access: A,
        seen: &mut S,
    ) -> std::result::Result<Kind, A::Error> {
        while let Some(key) = access.next_key_seed(NameSeed)? {
            seen.insert(key)?;
            access.next_value_seed(self.nested()?)?;
        }
        Ok(Kind::Object)
    }
}

/// The member names of one object so far; `insert` refuses a name seen before. Called
/// before the member's value is read, so a duplicate is reported as such whatever follows.
trait NameSet<'de> {
    fn insert<E: serde::de::Error>(&mut self, name: Cow<'de, str>) -> std::result::Result<(), E>;
}

fn duplicate<E: serde::de::Error>(name: &str) -> E {
    E::custom(format_args!("duplicate member name `{}`", crate::error::excerpt(name, 64)))
}

impl<'de> NameSet<'de> for BTreeSet<Cow<'de, str>> {
    fn insert<E: serde::de::Error>(&mut self, name: Cow<'de, str>) -> std::result::Result<(), E> {
        if self.contains(&name) {
            return Err(duplicate(&name));
        }
        BTreeSet::insert(self, name);
        Ok(())
    }
}

fn finite<E: serde::de::Error>(v: f64) -> std::result::Result<f64, E> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(E::custom("number out of range"))
    }
}

/// A `NameSet` for the top level of a header or claims. Names of up to 7 bytes (every
/// registered header and claim name) are kept as 8-byte fingerprints on the stack,
/// compared as integers; longer names, and short ones beyond 16, go to a set. The
/// struct is small on purpose: only one frame holds it, and zeroing it is cheap.
#[derive(Default)]
struct SeenNames<'de> {
    short: [u64; 16],
    len: usize,
    other: BTreeSet<Cow<'de, str>>,
}

impl<'de> NameSet<'de> for SeenNames<'de> {
    fn insert<E: serde::de::Error>(&mut self, name: Cow<'de, str>) -> std::result::Result<(), E> {
        match short_name(name.as_bytes()) {
            Some(word) if self.short[..self.len].contains(&word) => Err(duplicate(&name)),
            Some(word) if self.len < self.short.len() => {
                self.short[self.len] = word;
                self.len += 1;
                Ok(())
            }
            _ => NameSet::insert(&mut self.other, name),
        }
    }
}

/// The top level of `scan_object`: an object whose members go to the sink.
struct ScanSeed<'a, 's, S> {
    check: CheckSeed<'a>,
    sink: &'s mut S,
}

impl<'de, S: MemberSink<'de>> DeserializeSeed<'de> for ScanSeed<'_, '_, S> {
    type Value = Kind;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Kind, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, S: MemberSink<'de>> Visitor<'de> for ScanSeed<'_, '_, S> {
    type Value = Kind;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    // Anything but an object is checked like any value, then reported as not an object.
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> std::result::Result<Kind, E> {
        self.check.visit_bool(v)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Kind, E> {
        self.check.visit_i64(v)
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Kind, E> {
        self.check.visit_u64(v)
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Kind, E> {
        self.check.visit_f64(v)
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Kind, E> {
        self.check.visit_str(v)
    }
    fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Kind, E> {
        self.check.visit_unit()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<Kind, A::Error> {
        self.check.visit_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> std::result::Result<Kind, A::Error> {
        let mut seen = SeenNames::default();
        while let Some(key) = access.next_key_seed(NameSeed)? {
            let wanted = self.sink.wants(&key);
            // The sink sees the name after the duplicate check; the value is read after.
            let name = key.clone();
            seen.insert(key)?;
            let value = if wanted {
                access.next_value_seed(MemberSeed(self.check.nested()?))?
            } else {
                Member::Skipped(access.next_value_seed(self.check.nested()?)?)
            };
            self.sink.member(&name, value);
        }
        Ok(Kind::Object)
    }
}

/// A wanted top-level member's value; nested content is only checked.
struct MemberSeed<'a>(CheckSeed<'a>);

impl<'de> DeserializeSeed<'de> for MemberSeed<'_> {
    type Value = Member<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Member<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MemberSeed<'_> {
    type Value = Member<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<Member<'de>, E> {
        Ok(Member::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Member<'de>, E> {
        Ok(Member::Int(i128::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Member<'de>, E> {
        Ok(Member::Int(i128::from(v)))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Member<'de>, E> {
        finite(v).map(Member::Float)
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Member<'de>, E> {
        Ok(Member::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Member<'de>, E> {
        Ok(Member::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_unit<E>(self) -> std::result::Result<Member<'de>, E> {
        Ok(Member::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Member<'de>, A::Error> {
        let mut strings = Vec::new();
        let mut first_other = None;
        while let Some(item) = seq.next_element_seed(MemberSeed(self.0.nested()?))? {
            match item {
                Member::Str(s) => strings.push(s),
                other => {
                    first_other.get_or_insert(other.kind());
                }
            }
        }
        Ok(Member::Array { strings, first_other })
    }
    fn visit_map<A: MapAccess<'de>>(self, access: A) -> std::result::Result<Member<'de>, A::Error> {
        self.0.visit_map(access).map(|_| Member::Object)
    }
}

/// A member name, borrowed from the input when it has no escapes.
struct NameSeed;

impl<'de> DeserializeSeed<'de> for NameSeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for NameSeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// Builds the value; the depth bookkeeping is `CheckSeed`'s, so both count alike.
struct StrictSeed<'a>(CheckSeed<'a>);

impl<'a> StrictSeed<'a> {
    fn nested<E: serde::de::Error>(&self) -> std::result::Result<StrictSeed<'a>, E> {
        self.0.nested().map(StrictSeed)
    }
}

impl<'de> DeserializeSeed<'de> for StrictSeed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Value, E> {
        serde_json::Number::from_f64(v).map(Value::Number).ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.nested()?)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> std::result::Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            match map.entry(key) {
                serde_json::map::Entry::Occupied(dup) => {
                    return Err(duplicate(dup.key()));
                }
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(access.next_value_seed(self.nested()?)?);
                }
            }
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A duplicate name comes from the input: its message must not carry a NUL or a line
    /// break into a log (or a C string), nor a megabyte of name. Every reader agrees.
    #[test]
    fn duplicate_names_are_escaped_and_cut_in_messages() {
        let long = "n".repeat(1000);
        for (json, shown) in [
            (r#"{"a\u0000\nb":1,"a\u0000\nb":2}"#.to_owned(), r"`a\0\nb`".to_owned()),
            (format!(r#"{{"{long}":1,"{long}":2}}"#), format!("`{}…`", "n".repeat(64))),
        ] {
            let errors = [
                parse_object(json.as_bytes(), "claims").unwrap_err().to_string(),
                check_object(json.as_bytes(), "claims").unwrap_err().to_string(),
                scan_object(json.as_bytes(), "claims", 16, &mut Everything(vec![])).unwrap_err().to_string(),
            ];
            for message in errors {
                assert!(message.contains(&format!("duplicate member name {shown}")), "{message}");
                assert!(!message.contains('\0') && !message.contains('\n'), "{message:?}");
            }
        }
    }

    fn kind(input: &[u8]) -> std::result::Result<Object, &'static str> {
        let name = |e: Error| match e {
            Error::Json(_) => "json",
            Error::JsonLimit(_) => "limit",
            _ => "other",
        };
        let parsed = parse_object(input, "claims").map_err(name);
        // The validating twin and the scanner must agree on every input.
        assert_eq!(check_object(input, "claims").map_err(name).err(), parsed.as_ref().err().copied());
        let mut all = Everything(Vec::new());
        let scanned = scan_object(input, "claims", MAX_DEPTH, &mut all).map_err(name);
        assert_eq!(scanned.err(), parsed.as_ref().err().copied());
        if let Ok(obj) = &parsed {
            let names: Vec<&String> = all.0.iter().map(|(n, _)| n).collect();
            assert_eq!(names, obj.keys().collect::<Vec<_>>().tap_sort());
            for (n, member) in &all.0 {
                assert_eq!(member.kind(), Kind::of(&obj[n]), "{n}");
            }
        }
        parsed
    }

    /// A sink that wants every member.
    struct Everything(Vec<(String, Member<'static>)>);

    impl<'de> MemberSink<'de> for Everything {
        fn wants(&self, _: &str) -> bool {
            true
        }
        fn member(&mut self, name: &str, value: Member<'de>) {
            let owned = match value {
                Member::Str(s) => Member::Str(Cow::Owned(s.into_owned())),
                Member::Array { strings, first_other } => Member::Array {
                    strings: strings.into_iter().map(|s| Cow::Owned(s.into_owned())).collect(),
                    first_other,
                },
                Member::Null => Member::Null,
                Member::Bool(b) => Member::Bool(b),
                Member::Int(i) => Member::Int(i),
                Member::Float(f) => Member::Float(f),
                Member::Object => Member::Object,
                Member::Skipped(k) => Member::Skipped(k),
            };
            // A name delivered again replaces the first delivery (see `MemberSink`).
            self.0.retain(|(n, _)| n != name);
            self.0.push((name.to_owned(), owned));
            self.0.sort_by(|a, b| a.0.cmp(&b.0));
        }
    }

    trait TapSort {
        fn tap_sort(self) -> Self;
    }
    impl<T: Ord> TapSort for Vec<T> {
        fn tap_sort(mut self) -> Self {
            self.sort();
            self
        }
    }

    #[test]
    fn scan_builds_wanted_members_and_borrows_plain_strings() {
        let input = br#"{"i":-5,"u":18446744073709551615,"big":123456789012345678901234567890,"f":1.5,"s":"plain","e":"a\u00e9","a":["x",1,"y"],"o":{"k":[1]},"n":null,"b":true}"#;
        let mut all = Everything(Vec::new());
        scan_object(input, "claims", MAX_DEPTH, &mut all).unwrap();
        let get = |n: &str| all.0.iter().find(|(name, _)| name == n).map(|(_, m)| m.clone()).unwrap();
        assert_eq!(get("i"), Member::Int(-5));
        assert_eq!(get("u"), Member::Int(18446744073709551615));
        assert!(matches!(get("big"), Member::Float(v) if v > 1e29));
        assert_eq!(get("f"), Member::Float(1.5));
        assert_eq!(get("s"), Member::Str("plain".into()));
        assert_eq!(get("e"), Member::Str("a\u{e9}".into()));
        assert_eq!(get("a"), Member::Array { strings: vec!["x".into(), "y".into()], first_other: Some(Kind::Number) });
        assert_eq!(get("o"), Member::Object);
        assert_eq!(get("n"), Member::Null);
        assert_eq!(get("b"), Member::Bool(true));

        struct Borrowed(bool);
        impl<'de> MemberSink<'de> for Borrowed {
            fn wants(&self, name: &str) -> bool {
                name == "s"
            }
            fn member(&mut self, name: &str, value: Member<'de>) {
                match (name, value) {
                    ("s", Member::Str(Cow::Borrowed("plain"))) => self.0 = true,
                    ("s", other) => panic!("{other:?}"),
                    (_, other) => assert!(matches!(other, Member::Skipped(_))),
                }
            }
        }
        let mut borrowed = Borrowed(false);
        scan_object(input, "claims", MAX_DEPTH, &mut borrowed).unwrap();
        assert!(borrowed.0);
    }

    #[test]
    fn names_sharing_a_fingerprint_prefix_are_told_apart() {
        assert!(kind(br#"{"abcdefgh1":1,"abcdefgh2":2,"abcdefgh":3,"abcdefg":4,"":5}"#).is_ok());
        assert_eq!(kind(br#"{"abcdefgh1":1,"abcdefgh2":2,"abcdefgh1":3}"#).unwrap_err(), "json");
        assert_eq!(kind(br#"{"":1,"a":2,"":3}"#).unwrap_err(), "json");
        assert_eq!(kind(b"{\"a\\u0000\":1,\"a\":2,\"a\\u0000\":3}").unwrap_err(), "json");
        assert!(kind(b"{\"a\\u0000\":1,\"a\":2}").is_ok());
    }

    #[test]
    fn many_members_spill_and_still_catch_duplicates() {
        let members: Vec<String> = (0..40).map(|i| format!("\"m{i}\":{i}")).collect();
        let ok = format!("{{{}}}", members.join(","));
        assert!(kind(ok.as_bytes()).is_ok());
        for dup in ["m3", "m20", "m39"] {
            let bad = format!("{{{},\"{dup}\":0}}", members.join(","));
            assert_eq!(kind(bad.as_bytes()).unwrap_err(), "json", "{dup}");
        }
    }

    #[test]
    fn accepts_objects_and_keeps_strings_exact() {
        let obj = kind(b"{\"a\":\"x\\u0000y \xF0\x9F\x98\x80\",\"n\":123456789012345678901234567890}").unwrap();
        assert_eq!(obj["a"], "x\0y \u{1F600}");
        assert!(obj["n"].is_f64()); // big integers never wrap
    }

    #[test]
    fn rejects_what_rfc_8259_or_we_forbid() {
        for bad in [
            &b"{\"a\":1,\"a\":2}"[..],
            b"\xEF\xBB\xBF{}",
            b"{\"a\":NaN}",
            b"{\"a\":Infinity}",
            b"{} x",
            b"[]",
            b"\"s\"",
            b"{\"a\":\"\xff\"}",
            b"{\x00\"\x00}\x00",
            b"{\"a\":\"\\ud800\"}",
        ] {
            assert_eq!(kind(bad).unwrap_err(), "json", "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(kind(b"{\"a\":{\"a\":1,\"a\":1}}").unwrap_err(), "json");
    }

    /// Nesting to the ceiling must not need much stack: tokens are verified on whatever
    /// threads the application has (musl's default is 128 KiB). Each reader runs 120
    /// levels of objects and of arrays on a thread with a small stack. Measured: 80 KiB
    /// suffice in a release build (320 KiB unoptimised); nested objects must not each
    /// carry the top level's inline name set (that took 160 KiB).
    #[test]
    fn deep_nesting_fits_a_small_stack() {
        let stack_kib = if cfg!(debug_assertions) { 384 } else { 96 };
        let ceiling = crate::limits::MAX_DEPTH_CEILING;
        let objects = format!("{}1{}", "{\"a\":".repeat(ceiling), "}".repeat(ceiling));
        let arrays = format!("{{\"a\":{}{}}}", "[".repeat(ceiling - 1), "]".repeat(ceiling - 1));
        std::thread::Builder::new()
            .stack_size(stack_kib * 1024)
            .spawn(move || {
                for input in [objects, arrays] {
                    let bytes = input.as_bytes();
                    assert!(parse_object_limited(bytes, "claims", ceiling).is_ok());
                    assert!(check_object_limited(bytes, "claims", ceiling).is_ok());
                    assert!(scan_object(bytes, "claims", ceiling, &mut Everything(Vec::new())).is_ok());
                }
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(kind(deep.as_bytes()).unwrap_err(), "limit");
        let ok = format!("{{\"a\":{}{}}}", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
        assert!(kind(ok.as_bytes()).is_ok());
        // Too deep before a byte that is not UTF-8: the nesting is what is reported,
        // whichever reader runs (text for UTF-8 input, bytes otherwise).
        let mut deep_then_bad = format!("{{\"a\":{}", "[".repeat(MAX_DEPTH + 1)).into_bytes();
        deep_then_bad.extend_from_slice(b"\xfe");
        assert_eq!(kind(&deep_then_bad).unwrap_err(), "limit");
        assert_eq!(kind(b"{\"a\":[[\xfe]]}").unwrap_err(), "json");
    }
}
