//! Strict JSON for headers and claims: UTF-8 only (no BOM), one object, no duplicate
//! member names, no NaN/Infinity, no trailing bytes, bounded nesting. serde_json does
//! the lexing; the visitor here adds what RFC 7515 §4 / RFC 7519 §4 leave to us.

use std::cell::Cell;
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
        Err(_) if too_deep.get() => Err(Error::JsonLimit(format!(
            "{what}: JSON nested deeper than {max_depth} levels"
        ))),
        Err(e) => {
            let hint = if bytes.starts_with(b"\xEF\xBB\xBF") { " (byte order mark)" } else { "" };
            Err(Error::Json(format!("{what}: invalid JSON{hint}: {e}")))
        }
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
            let value = access.next_value_seed(self.nested()?)?;
            if map.insert(key.clone(), value).is_some() {
                return Err(A::Error::custom(format_args!("duplicate member name `{key}`")));
            }
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(input: &[u8]) -> std::result::Result<Object, &'static str> {
        parse_object(input, "claims").map_err(|e| match e {
            Error::Json(_) => "json",
            Error::JsonLimit(_) => "limit",
            _ => "other",
        })
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
