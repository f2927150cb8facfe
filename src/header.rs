//! The JWS protected header: its one reader and the `Header` it gives. A header segment
//! is base64url-decoded within its size limit, checked (member types, `crit`, `b64`) and
//! read; the shapes nearly every signer writes are recognised byte for byte first, and a
//! test holds that quick path to the strict reader.

use std::borrow::Cow;
use std::mem::MaybeUninit;

use serde_json::Value;

use crate::alg::Algorithm;
use crate::b64;
use crate::error::{Error, Result};
use crate::json::{self, Kind, Member, MemberSink, Object};
use crate::limits::Limits;

/// Read from a header that passed every check; the `header_json` beside it (in
/// `jws::Verified` or `jwt::VerifiedJwt`) has all of it,
/// exactly as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// `alg`: the algorithm the token was signed with.
    pub alg: Algorithm,
    /// `kid`: the key id, if present.
    pub kid: Option<String>,
    /// `typ`, if present. A `Cow` so that "JWT", in nearly every token, is held without an
    /// allocation.
    pub typ: Option<Cow<'static, str>>,
    /// `cty`: the content type, if present (`JWT` for a nested JWT).
    pub cty: Option<String>,
}

impl Header {
    /// A header with `alg` and no other member.
    pub fn new(alg: Algorithm) -> Header {
        Header { alg, kid: None, typ: None, cty: None }
    }
}

/// The header segment, base64url-decoded, within the size limit.
fn decode_header_bytes(encoded: &[u8], limits: &Limits) -> Result<Vec<u8>> {
    decode_header_into(encoded, limits, &mut []).map(Cow::into_owned)
}

/// As `decode_header_bytes`, into `buf` when the header fits.
fn decode_header_into<'b>(encoded: &[u8], limits: &Limits, buf: &'b mut [MaybeUninit<u8>]) -> Result<Cow<'b, [u8]>> {
    let max = limits.max_header_len;
    let too_large = || Error::JsonLimit(format!("header: larger than {max} bytes"));
    // Unpadded base64url of `max` bytes is at most ceil(4 * max / 3) characters: refuse
    // longer input before decoding, and check the exact size after.
    if encoded.len() > max.saturating_mul(4).div_ceil(3) {
        return Err(too_large());
    }
    let bytes = b64::decode_small(encoded, buf, "header")?;
    if bytes.len() > max {
        return Err(too_large());
    }
    Ok(bytes)
}

/// A header segment as a JSON object (JWE, which reads many members).
pub(crate) fn decode_header(encoded: &[u8], limits: &Limits) -> Result<(Vec<u8>, Object)> {
    let bytes = decode_header_bytes(encoded, limits)?;
    let header = json::parse_object_limited(&bytes, "header", limits.max_depth)?;
    Ok((bytes, header))
}

/// A header segment checked as JSON, not read (for tokens only inspected).
pub(crate) fn check_header_json(encoded: &[u8], limits: &Limits) -> Result<Vec<u8>> {
    let bytes = decode_header_bytes(encoded, limits)?;
    json::check_object_limited(&bytes, "header", limits.max_depth)?;
    Ok(bytes)
}

/// A JWS header segment: decoded (into `buf` when it fits), checked
/// (`check_header_members`) and read, without building a JSON object.
pub(crate) fn read_header<'b>(
    encoded: &[u8],
    limits: &Limits,
    buf: &'b mut [MaybeUninit<u8>],
) -> Result<(Cow<'b, [u8]>, Header)> {
    let bytes = decode_header_into(encoded, limits, buf)?;
    if let Some(header) = common_header(&bytes).filter(|_| limits.max_depth > 0) {
        return Ok((bytes, header));
    }
    let mut reader = HeaderReader::default();
    json::scan_object(&bytes, "header", limits.max_depth, &mut reader)?;
    let header = reader.finish()?;
    Ok((bytes, header))
}

/// The header shapes nearly every signer writes, recognised byte for byte:
/// `{"alg":"X"}`, `{"alg":"X","typ":"JWT"}` (jwtkit, PyJWT, libjwt) and
/// `{"typ":"JWT","alg":"X"}` (jsonwebtoken), X a name `Algorithm::from_name` knows. The
/// strict reader gives the same `Header` for these bytes; anything else (other members,
/// whitespace, escapes, an unknown name) is None and goes to it, errors and all.
fn common_header(json: &[u8]) -> Option<Header> {
    let (rest, typ_first) = match json.strip_prefix(br#"{"alg":""#) {
        Some(rest) => (rest, false),
        None => (json.strip_prefix(br#"{"typ":"JWT","alg":""#)?, true),
    };
    let quote = memchr::memchr(b'"', rest)?;
    let typ = match &rest[quote..] {
        br#""}"# => typ_first,
        br#"","typ":"JWT"}"# if !typ_first => true,
        _ => return None,
    };
    let alg = Algorithm::from_name(std::str::from_utf8(&rest[..quote]).ok()?).ok()?;
    Some(Header { alg, kid: None, typ: typ.then_some(Cow::Borrowed("JWT")), cty: None })
}

#[derive(Default)]
struct HeaderReader<'de> {
    alg: Option<Member<'de>>,
    kid: Option<Member<'de>>,
    typ: Option<Member<'de>>,
    cty: Option<Member<'de>>,
    crit: Option<Member<'de>>,
    b64: bool,
}

impl<'de> MemberSink<'de> for HeaderReader<'de> {
    fn wants(&self, name: &str) -> bool {
        matches!(name, "alg" | "kid" | "typ" | "cty" | "crit")
    }

    fn member(&mut self, name: &str, value: Member<'de>) {
        let slot = match name {
            "alg" => &mut self.alg,
            "kid" => &mut self.kid,
            "typ" => &mut self.typ,
            "cty" => &mut self.cty,
            "crit" => &mut self.crit,
            "b64" => {
                self.b64 = true;
                return;
            }
            _ => return,
        };
        *slot = Some(value);
    }
}

impl HeaderReader<'_> {
    fn finish(self) -> Result<Header> {
        let crit = self.crit.as_ref().map(|crit| match crit {
            Member::Array { strings, first_other: None } => strings.first().map(|s| s.as_ref()),
            _ => None,
        });
        let kind = |m: &Option<Member>| m.as_ref().map(Member::kind);
        check_header_members(
            [("kid", kind(&self.kid)), ("typ", kind(&self.typ)), ("cty", kind(&self.cty))],
            crit,
            self.b64,
        )?;
        let alg = match &self.alg {
            None => return Err(Error::HeaderInvalid("member `alg` is required".into())),
            Some(Member::Str(name)) => Algorithm::from_name(name)?,
            Some(other) => {
                return Err(Error::HeaderInvalid(format!("member `alg` must be a string, got {}", other.kind().name())))
            }
        };
        let text = |m: Option<Member>| match m {
            Some(Member::Str(s)) => Some(s.into_owned()),
            _ => None,
        };
        Ok(Header { alg, kid: text(self.kid), typ: text(self.typ).map(Cow::Owned), cty: text(self.cty) })
    }
}

/// Header members jwtkit gives meaning to must have the right type; `crit` must be
/// well formed, and since jwtkit implements no extension, any name in it is refused
/// (RFC 7515 §4.1.11). `b64: false` (RFC 7797) is refused with or without `crit`.
/// For a header built as a JSON object (signing, JWE); `read_header` applies the same
/// rules through `check_header_members`.
pub(crate) fn check_header(header: &Object) -> Result<()> {
    let kind = |name| header.get(name).map(Kind::of);
    let crit = header.get("crit").map(|crit| {
        crit.as_array().filter(|a| a.iter().all(Value::is_string)).and_then(|a| a.first()).and_then(Value::as_str)
    });
    check_header_members(
        [("kid", kind("kid")), ("typ", kind("typ")), ("cty", kind("cty"))],
        crit,
        header.contains_key("b64"),
    )
}

/// The header rules, on what a reader found: the kinds of the string members, `crit`
/// (absent; present but not a non-empty array of strings; its first name) and whether
/// `b64` is present.
fn check_header_members(strings: [(&str, Option<Kind>); 3], crit: Option<Option<&str>>, has_b64: bool) -> Result<()> {
    for (name, kind) in strings {
        match kind {
            None | Some(Kind::String) => {}
            Some(other) => {
                return Err(Error::HeaderInvalid(format!("member `{name}` must be a string, got {}", other.name())))
            }
        }
    }
    match crit {
        None => {}
        Some(None) => return Err(Error::HeaderInvalid("`crit` must be a non-empty array of strings".into())),
        Some(Some(first)) => {
            return Err(Error::CritUnsupported(format!(
                "`crit` names \"{}\", an extension jwtkit does not implement",
                crate::error::excerpt(first, 64)
            )))
        }
    }
    if has_b64 {
        return Err(Error::HeaderInvalid("`b64` (unencoded payload, RFC 7797) is not supported".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The common shapes read byte for byte give what the strict reader gives, and
    /// every near miss goes to the strict reader (same result or same error).
    #[test]
    fn common_headers_read_as_the_strict_reader_reads_them() {
        let strict = |json: &[u8], max_depth: usize| {
            let mut reader = HeaderReader::default();
            json::scan_object(json, "header", max_depth, &mut reader)
                .and_then(|()| reader.finish())
                .map_err(|e| e.to_string())
        };
        let mut shapes = vec![];
        for alg in Algorithm::ALL.iter().map(|a| a.name()).chain([
            "Ed25519",
            "none",
            "None",
            "rs256",
            "RS25",
            "RS2566",
            "",
            "R\\u0053256",
        ]) {
            for shape in [r#"{"alg":"X"}"#, r#"{"alg":"X","typ":"JWT"}"#, r#"{"typ":"JWT","alg":"X"}"#] {
                shapes.push(shape.replace('X', alg));
            }
        }
        for near_miss in [
            r#"{"alg":"RS256","typ":"JWT","typ":"JWT"}"#,
            r#"{"alg":"RS256","alg":"HS256"}"#,
            r#"{"alg":"RS256","typ":"jwt"}"#,
            r#"{"alg":"RS256" }"#,
            r#"{"alg":"RS256","typ":"JWT"} "#,
            r#"{"alg":"RS256"}}"#,
            r#"{"alg":"RS256""#,
            r#"{"alg":"RS256"#,
            r#"{"alg":""#,
            r#"{"alg":"RS256","b64":false}"#,
            r#"{"alg":"RS256","crit":["exp"]}"#,
            r#"{"typ":"JWT","alg":"RS256","typ":"JWT"}"#,
            r#"{"typ":"JWT","alg":"RS256","kid":"k"}"#,
            r#"{"alg":"RS256","kid":"k","typ":"JWT"}"#,
            "{\"alg\":\"RS256\u{0}\"}",
        ] {
            shapes.push(near_miss.to_owned());
        }
        let mut fast = 0;
        for json in &shapes {
            for max_depth in 0..3 {
                let limits = Limits { max_depth, ..Limits::default() };
                let encoded = b64::encode(json.as_bytes());
                let got = read_header(encoded.as_bytes(), &limits, &mut []).map(|(_, h)| h).map_err(|e| e.to_string());
                assert_eq!(got, strict(json.as_bytes(), max_depth), "{json} at depth {max_depth}");
                fast += usize::from(max_depth > 0 && common_header(json.as_bytes()).is_some());
            }
        }
        // Each known name in each of the three shapes, at depths 1 and 2.
        assert_eq!(fast, (Algorithm::ALL.len() + 1) * 3 * 2);
    }

    /// `read_header` (verification) and `check_header` (signing, JWE) share one set of
    /// rules: the same headers fail with the same message.
    #[test]
    fn both_header_readers_apply_the_same_rules() {
        let limits = Limits::default();
        for (json, want) in [
            (r#"{"alg":"HS256","kid":1}"#, "member `kid` must be a string, got a number"),
            (r#"{"alg":"HS256","typ":null}"#, "member `typ` must be a string, got null"),
            (r#"{"alg":"HS256","cty":["JWT"]}"#, "member `cty` must be a string, got an array"),
            (r#"{"alg":"HS256","crit":[]}"#, "`crit` must be a non-empty array of strings"),
            (r#"{"alg":"HS256","crit":["exp",1]}"#, "`crit` must be a non-empty array of strings"),
            (r#"{"alg":"HS256","crit":"exp"}"#, "`crit` must be a non-empty array of strings"),
            (r#"{"alg":"HS256","crit":["exp"]}"#, "`crit` names \"exp\", an extension jwtkit does not implement"),
            (r#"{"alg":"HS256","b64":true}"#, "`b64` (unencoded payload, RFC 7797) is not supported"),
        ] {
            let encoded = crate::b64::encode(json.as_bytes());
            let read = read_header(encoded.as_bytes(), &limits, &mut []).unwrap_err().to_string();
            let checked =
                check_header(&json::parse_object(json.as_bytes(), "header").unwrap()).unwrap_err().to_string();
            assert!(read.ends_with(want), "{json}: {read}");
            assert_eq!(read, checked, "{json}");
        }
        let encoded = crate::b64::encode(br#"{"typ":"JWT","alg":"ES256","kid":"k\u0031","x":{"alg":1}}"#);
        let (_, header) = read_header(encoded.as_bytes(), &limits, &mut []).unwrap();
        assert_eq!(header, Header { kid: Some("k1".into()), typ: Some("JWT".into()), ..Header::new(Algorithm::ES256) });
        for (json, want) in
            [(r#"{"typ":"JWT"}"#, "member `alg` is required"), (r#"{"alg":5}"#, "must be a string, got a number")]
        {
            let encoded = crate::b64::encode(json.as_bytes());
            let err = read_header(encoded.as_bytes(), &limits, &mut []).unwrap_err().to_string();
            assert!(err.ends_with(want), "{json}: {err}");
        }
    }
}
