//! Strict JSON for headers and claims: UTF-8 only (no BOM), one object, no duplicate
//! member names, no NaN/Infinity, no trailing bytes, bounded nesting. serde_json does
//! the lexing; the visitor here adds what RFC 7515 §4 / RFC 7519 §4 leave to us.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Default deepest nesting of arrays/objects (see `limits::Limits::max_depth`).
pub const MAX_DEPTH: usize = 64;

pub type Object = Map<String, Value>;

/// Parses `bytes` as a JSON object; `what` names it in errors ("header", "claims").
pub fn parse_object(bytes: &[u8], what: &str) -> Result<Object> {
    parse_object_limited(bytes, what, MAX_DEPTH)
}

/// As `parse_object`, nesting at most `max_depth` levels (capped at 120).
pub fn parse_object_limited(bytes: &[u8], what: &str, max_depth: usize) -> Result<Object> {
    let max_depth = max_depth.min(crate::limits::MAX_DEPTH_CEILING);
    let too_deep = Cell::new(false);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = StrictSeed { depth: 0, max_depth, too_deep: &too_deep }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|_| v));
    match parsed {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::Json(format!("{what}: must be a JSON object"))),
        Err(e) => Err(classify(bytes, what, e, too_deep.get(), max_depth)),
    }
}

/// Checks that `bytes` is a JSON object under the same rules as `parse_object`,
/// without building it: for inputs jwtkit only passes through (claims it signs).
pub fn check_object(bytes: &[u8], what: &str) -> Result<()> {
    let too_deep = Cell::new(false);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let seed = CheckSeed { depth: 0, max_depth: MAX_DEPTH, too_deep: &too_deep };
    match seed.deserialize(&mut de).and_then(|is_object| de.end().map(|_| is_object)) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::Json(format!("{what}: must be a JSON object"))),
        Err(e) => Err(classify(bytes, what, e, too_deep.get(), MAX_DEPTH)),
    }
}

fn classify(bytes: &[u8], what: &str, e: serde_json::Error, too_deep: bool, max_depth: usize) -> Error {
    if too_deep {
        return Error::JsonLimit(format!("{what}: JSON nested deeper than {max_depth} levels"));
    }
    let hint = if bytes.starts_with(b"\xEF\xBB\xBF") { " (byte order mark)" } else { "" };
    Error::Json(format!("{what}: invalid JSON{hint}: {e}"))
}

/// The validating twin of `StrictSeed`: same rules, builds nothing (member names are
/// borrowed from the input where they have no escapes). Its value: "was an object".
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
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CheckSeed<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<bool, E> {
        if v.is_finite() {
            Ok(false)
        } else {
            Err(E::custom("number out of range"))
        }
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E>(self) -> std::result::Result<bool, E> {
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<bool, A::Error> {
        while seq.next_element_seed(self.nested()?)?.is_some() {}
        Ok(false)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> std::result::Result<bool, A::Error> {
        let mut seen: BTreeSet<Cow<'de, str>> = BTreeSet::new();
        while let Some(key) = access.next_key_seed(NameSeed)? {
            if seen.contains(&key) {
                return Err(A::Error::custom(format_args!("duplicate member name `{key}`")));
            }
            access.next_value_seed(self.nested()?)?;
            seen.insert(key);
        }
        Ok(true)
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

struct StrictSeed<'a> {
    depth: usize,
    max_depth: usize,
    too_deep: &'a Cell<bool>,
}

impl<'a> StrictSeed<'a> {
    fn nested<E: serde::de::Error>(&self) -> std::result::Result<StrictSeed<'a>, E> {
        if self.depth >= self.max_depth {
            self.too_deep.set(true);
            return Err(E::custom("nesting too deep"));
        }
        Ok(StrictSeed { depth: self.depth + 1, max_depth: self.max_depth, too_deep: self.too_deep })
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
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
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
                    return Err(A::Error::custom(format_args!("duplicate member name `{}`", dup.key())));
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

    fn kind(input: &[u8]) -> std::result::Result<Object, &'static str> {
        let name = |e: Error| match e {
            Error::Json(_) => "json",
            Error::JsonLimit(_) => "limit",
            _ => "other",
        };
        let parsed = parse_object(input, "claims").map_err(name);
        // The validating twin must agree on every input.
        assert_eq!(check_object(input, "claims").map_err(name).err(), parsed.as_ref().err().copied());
        parsed
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

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(kind(deep.as_bytes()).unwrap_err(), "limit");
        let ok = format!("{{\"a\":{}{}}}", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
        assert!(kind(ok.as_bytes()).is_ok());
    }
}
