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
    /// Whether the payload is base64url-encoded: `false` only for `b64: false`
    /// (RFC 7797), which only a detached payload may have.
    pub b64: bool,
}

impl Header {
    /// A header with `alg` and no other member.
    pub fn new(alg: Algorithm) -> Header {
        Header { alg, kid: None, typ: None, cty: None, b64: true }
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

/// A header segment of a token only inspected: one JSON object, whose members jwtkit
/// gives meaning to follow the rules verification applies (`kid` a string, `crit`
/// well formed and naming only `b64`, ...), whatever its `alg`.
pub(crate) fn check_header_json(encoded: &[u8], limits: &Limits) -> Result<Vec<u8>> {
    let bytes = decode_header_bytes(encoded, limits)?;
    let header = json::parse_object_limited(&bytes, "header", limits.max_depth)?;
    let (strings, crit, b64) = object_members(&header);
    check_header_members(strings, crit.as_ref().map(|c| c.as_deref().map_err(|e| *e)), b64, Content::Detached)?;
    Ok(bytes)
}

/// A JWS header segment: decoded (into `buf` when it fits), checked
/// (`check_header_members`) and read, without building a JSON object.
pub(crate) fn read_header<'b>(
    encoded: &[u8],
    limits: &Limits,
    buf: &'b mut [MaybeUninit<u8>],
    content: Content,
) -> Result<(Cow<'b, [u8]>, Header)> {
    let bytes = decode_header_into(encoded, limits, buf)?;
    if let Some(header) = common_header(&bytes).filter(|_| limits.max_depth > 0) {
        return Ok((bytes, header));
    }
    let mut reader = HeaderReader::default();
    json::scan_object(&bytes, "header", limits.max_depth, &mut reader)?;
    let header = reader.finish(content)?;
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
    Some(Header { alg, kid: None, typ: typ.then_some(Cow::Borrowed("JWT")), cty: None, b64: true })
}

#[derive(Default)]
struct HeaderReader<'de> {
    alg: Option<Member<'de>>,
    kid: Option<Member<'de>>,
    typ: Option<Member<'de>>,
    cty: Option<Member<'de>>,
    crit: Option<Member<'de>>,
    b64: Option<Member<'de>>,
}

impl<'de> MemberSink<'de> for HeaderReader<'de> {
    fn wants(&self, name: &str) -> bool {
        matches!(name, "alg" | "kid" | "typ" | "cty" | "crit" | "b64")
    }

    fn member(&mut self, name: &str, value: Member<'de>) {
        let slot = match name {
            "alg" => &mut self.alg,
            "kid" => &mut self.kid,
            "typ" => &mut self.typ,
            "cty" => &mut self.cty,
            "crit" => &mut self.crit,
            "b64" => &mut self.b64,
            _ => return,
        };
        *slot = Some(value);
    }
}

impl HeaderReader<'_> {
    fn finish(self, content: Content) -> Result<Header> {
        let crit = self.crit.as_ref().map(|crit| match crit {
            Member::Array { strings, first_other: None } if !strings.is_empty() => {
                Ok(strings.iter().map(|s| s.as_ref()).collect::<Vec<&str>>())
            }
            Member::Array { first_other: Some(_), .. } => Err(CRIT_NOT_STRINGS),
            _ => Err(CRIT_NOT_A_LIST),
        });
        let kind = |m: &Option<Member>| m.as_ref().map(Member::kind);
        let b64 = self.b64.as_ref().map(|m| match m {
            Member::Bool(b) => Some(*b),
            _ => None,
        });
        check_header_members(
            [("kid", kind(&self.kid)), ("typ", kind(&self.typ)), ("cty", kind(&self.cty))],
            crit.as_ref().map(|c| c.as_deref().map_err(|e| *e)),
            b64,
            content,
        )?;
        let alg = match &self.alg {
            None => return Err(Error::AlgUnsupported("Algorithm not specified: member `alg` is required".into())),
            Some(Member::Str(name)) => Algorithm::from_name(name)?,
            Some(other) => {
                return Err(Error::HeaderInvalid(format!("member `alg` must be a string, got {}", other.kind().name())))
            }
        };
        let text = |m: Option<Member>| match m {
            Some(Member::Str(s)) => Some(s.into_owned()),
            _ => None,
        };
        let encoded = !matches!(self.b64, Some(Member::Bool(false)));
        Ok(Header { alg, kid: text(self.kid), typ: text(self.typ).map(Cow::Owned), cty: text(self.cty), b64: encoded })
    }
}

/// Where a JWS's payload travels, which decides whether RFC 7797's `b64` may appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Content {
    /// In the token's middle segment, base64url-encoded: the only form of compact JWS
    /// jwtkit verifies without a detached payload. `b64` is refused.
    Attached,
    /// Sent apart from the token (RFC 7515 Appendix F): `b64` may say whether it is
    /// encoded (RFC 7797), and then must be listed in `crit`.
    Detached,
}

/// Header members jwtkit gives meaning to must have the right type; `crit` must be
/// well formed, and name only extensions jwtkit implements (RFC 7515 §4.1.11): `b64`
/// (RFC 7797), with detached content only. For a header built as a JSON object (JWE);
/// `read_header` applies the same rules through `check_header_members`.
pub(crate) fn check_header(header: &Object) -> Result<()> {
    let (strings, crit, b64) = object_members(header);
    check_header_members(strings, crit.as_ref().map(|c| c.as_deref().map_err(|e| *e)), b64, Content::Attached)
}

/// PyJWT's words for a malformed `crit` (its users match on them).
const CRIT_NOT_A_LIST: &str = "Invalid 'crit' header: must be a non-empty list";
const CRIT_NOT_STRINGS: &str = "Invalid 'crit' header: values must be strings";

/// `crit` as read: its names, or what is wrong with it.
type Crit<'a> = std::result::Result<Vec<&'a str>, &'static str>;

/// The members the header rules look at, read from a JSON object.
#[allow(clippy::type_complexity)]
fn object_members(header: &Object) -> ([(&'static str, Option<Kind>); 3], Option<Crit<'_>>, Option<Option<bool>>) {
    let kind = |name| header.get(name).map(Kind::of);
    let crit = header.get("crit").map(|crit| match crit.as_array() {
        Some(a) if !a.is_empty() => a.iter().map(Value::as_str).collect::<Option<Vec<&str>>>().ok_or(CRIT_NOT_STRINGS),
        _ => Err(CRIT_NOT_A_LIST),
    });
    let b64 = header.get("b64").map(Value::as_bool);
    ([("kid", kind("kid")), ("typ", kind("typ")), ("cty", kind("cty"))], crit, b64)
}

/// The header a signer writes: the rules of verification, except that `crit` may name
/// extensions jwtkit does not implement, as long as each names a member the header has
/// and none is a parameter RFC 7515 defines (§4.1.11). The producer knows its
/// extensions; a verifier that does not refuses the token, jwtkit included.
pub(crate) fn check_signing_header(header: &Object, content: Content) -> Result<()> {
    let (strings, crit, b64) = object_members(header);
    if let Some(Ok(names)) = &crit {
        const REGISTERED: [&str; 11] =
            ["alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit"];
        for name in names {
            let shown = crate::error::excerpt(name, 64);
            if REGISTERED.contains(name) {
                return Err(Error::HeaderInvalid(format!(
                    "`crit` may not name \"{shown}\", a parameter RFC 7515 defines"
                )));
            }
            if !header.contains_key(*name) {
                return Err(Error::HeaderInvalid(format!("`crit` names \"{shown}\", which the header does not have")));
            }
        }
        let known: Vec<&str> = names.iter().copied().filter(|n| *n == "b64").collect();
        let crit = (!known.is_empty()).then_some(known);
        return check_header_members(strings, crit.as_deref().map(Ok), b64, content);
    }
    check_header_members(strings, crit.as_ref().map(|c| c.as_deref().map_err(|e| *e)), b64, content)
}

/// The header rules, on what a reader found: the kinds of the string members, `crit`
/// (absent; present but not a non-empty array of strings; its names) and `b64` (absent;
/// present but not a boolean; its value).
fn check_header_members(
    strings: [(&str, Option<Kind>); 3],
    crit: Option<std::result::Result<&[&str], &'static str>>,
    b64: Option<Option<bool>>,
    content: Content,
) -> Result<()> {
    for (name, kind) in strings {
        match kind {
            None | Some(Kind::String) => {}
            // PyJWT's words for `kid` (its users match on them).
            Some(other) if name == "kid" => {
                return Err(Error::HeaderInvalid(format!(
                    "Key ID header parameter must be a string: member `kid` is {}",
                    other.name()
                )))
            }
            Some(other) => {
                return Err(Error::HeaderInvalid(format!("member `{name}` must be a string, got {}", other.name())))
            }
        }
    }
    let names = match crit {
        None => &[][..],
        Some(Err(problem)) => return Err(Error::HeaderInvalid(problem.into())),
        Some(Ok(names)) => names,
    };
    for name in names {
        let shown = crate::error::excerpt(name, 64);
        if *name != "b64" {
            return Err(Error::CritUnsupported(format!("Unsupported critical extension: {shown}")));
        }
        if b64.is_none() {
            return Err(Error::HeaderInvalid("Critical extension 'b64' is missing from headers".into()));
        }
        if content == Content::Attached && b64 == Some(Some(false)) {
            // PyJWT's words (its users match on them).
            return Err(Error::HeaderInvalid(
                "It is required that you pass in a value for the \"detached_payload\" argument to decode a \
                 message having the b64 header set to false."
                    .into(),
            ));
        }
        if content == Content::Attached {
            return Err(Error::CritUnsupported(
                "the critical extension b64 (RFC 7797) is only supported with a detached payload".into(),
            ));
        }
    }
    match (b64, content) {
        (None, _) => Ok(()),
        (Some(_), Content::Attached) => Err(Error::HeaderInvalid(
            "`b64` (RFC 7797) is only supported with a detached payload: verify with the detached-payload call".into(),
        )),
        (Some(None), Content::Detached) => Err(Error::HeaderInvalid("`b64` must be a boolean".into())),
        (Some(Some(_)), Content::Detached) if !names.contains(&"b64") => Err(Error::HeaderInvalid(
            "The 'b64' header parameter requires 'b64' to be listed in 'crit' (RFC 7797 §6)".into(),
        )),
        (Some(Some(_)), Content::Detached) => Ok(()),
    }
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
                .and_then(|()| reader.finish(Content::Attached))
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
                let got = read_header(encoded.as_bytes(), &limits, &mut [], Content::Attached)
                    .map(|(_, h)| h)
                    .map_err(|e| e.to_string());
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
            (r#"{"alg":"HS256","kid":1}"#, "Key ID header parameter must be a string: member `kid` is a number"),
            (r#"{"alg":"HS256","typ":null}"#, "member `typ` must be a string, got null"),
            (r#"{"alg":"HS256","cty":["JWT"]}"#, "member `cty` must be a string, got an array"),
            (r#"{"alg":"HS256","crit":[]}"#, "Invalid 'crit' header: must be a non-empty list"),
            (r#"{"alg":"HS256","crit":["exp",1]}"#, "Invalid 'crit' header: values must be strings"),
            (r#"{"alg":"HS256","crit":"exp"}"#, "Invalid 'crit' header: must be a non-empty list"),
            (r#"{"alg":"HS256","crit":["b64"]}"#, "Critical extension 'b64' is missing from headers"),
            (r#"{"alg":"HS256","crit":["exp"]}"#, "Unsupported critical extension: exp"),
            (r#"{"alg":"HS256","crit":["b64"],"b64":false}"#, "a message having the b64 header set to false."),
            (r#"{"alg":"HS256","crit":["b64"],"b64":true}"#, "only supported with a detached payload"),
            (
                r#"{"alg":"HS256","b64":true}"#,
                "only supported with a detached payload: verify with the detached-payload call",
            ),
        ] {
            let encoded = crate::b64::encode(json.as_bytes());
            let read = read_header(encoded.as_bytes(), &limits, &mut [], Content::Attached).unwrap_err().to_string();
            let checked =
                check_header(&json::parse_object(json.as_bytes(), "header").unwrap()).unwrap_err().to_string();
            assert!(read.ends_with(want), "{json}: {read}");
            assert_eq!(read, checked, "{json}");
        }
        let encoded = crate::b64::encode(br#"{"typ":"JWT","alg":"ES256","kid":"k\u0031","x":{"alg":1}}"#);
        let (_, header) = read_header(encoded.as_bytes(), &limits, &mut [], Content::Attached).unwrap();
        assert_eq!(header, Header { kid: Some("k1".into()), typ: Some("JWT".into()), ..Header::new(Algorithm::ES256) });
        for (json, want) in [
            (r#"{"typ":"JWT"}"#, "Algorithm not specified: member `alg` is required"),
            (r#"{"alg":5}"#, "must be a string, got a number"),
        ] {
            let encoded = crate::b64::encode(json.as_bytes());
            let err = read_header(encoded.as_bytes(), &limits, &mut [], Content::Attached).unwrap_err().to_string();
            assert!(err.ends_with(want), "{json}: {err}");
        }
    }

    /// With a detached payload, `b64` is read (a boolean, listed in `crit`), and `b64`
    /// is the one extension `crit` may name.
    #[test]
    fn detached_payloads_allow_b64_in_crit() {
        let limits = Limits::default();
        let read = |json: &str| {
            let encoded = crate::b64::encode(json.as_bytes());
            read_header(encoded.as_bytes(), &limits, &mut [], Content::Detached)
                .map(|(_, h)| h)
                .map_err(|e| e.to_string())
        };
        assert!(!read(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#).unwrap().b64);
        assert!(read(r#"{"alg":"HS256","b64":true,"crit":["b64"]}"#).unwrap().b64);
        assert!(read(r#"{"alg":"HS256"}"#).unwrap().b64);
        for (json, want) in [
            (r#"{"alg":"HS256","b64":false}"#, "requires 'b64' to be listed in 'crit'"),
            (r#"{"alg":"HS256","b64":"false","crit":["b64"]}"#, "`b64` must be a boolean"),
            (r#"{"alg":"HS256","b64":false,"crit":["b64","exp"]}"#, "Unsupported critical extension: exp"),
        ] {
            assert!(read(json).unwrap_err().contains(want), "{json}");
        }
    }

    /// A signer may mark its own extensions critical, if the header has them and they
    /// are not RFC 7515's parameters; verification still refuses them.
    #[test]
    fn signers_may_name_their_extensions_in_crit() {
        let check = |json: &str| {
            check_signing_header(&json::parse_object(json.as_bytes(), "header").unwrap(), Content::Attached)
                .map_err(|e| e.to_string())
        };
        assert!(check(r#"{"alg":"HS256","crit":["exp"],"exp":1}"#).is_ok());
        assert!(check(r#"{"alg":"HS256","crit":["exp"]}"#).unwrap_err().contains("does not have"));
        assert!(check(r#"{"alg":"HS256","crit":["kid"],"kid":"a"}"#).unwrap_err().contains("RFC 7515 defines"));
        assert!(check(r#"{"alg":"HS256","crit":[]}"#).is_err());
        assert!(check(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#).is_err(), "b64 needs detached content");
    }
}
