//! JWS compact serialization (RFC 7515 §7.1): `sign` and `verify`. Verification is one
//! straight path, each step only narrowing what is accepted: size → three segments →
//! header → `crit` → allow-list → key fits alg → signature. Nothing in the token chooses
//! the key or widens the algorithms.

use std::borrow::Cow;
use std::mem::MaybeUninit;

use serde_json::Value;

use crate::alg::Algorithm;
use crate::b64;
use crate::claims::Validation;
use crate::error::{Error, Result};
use crate::json::{self, Kind, Member, MemberSink, Object};
use crate::key::Key;
use crate::limits::Limits;

/// A token whose signature verified: the exact header JSON and payload bytes.
#[derive(Debug, Clone)]
pub struct Verified {
    pub header_json: Vec<u8>,
    pub header: Header,
    pub payload: Vec<u8>,
}

/// The members of a JWS header jwtkit reads, from a header that passed every check
/// (`header_json` has all of it, exactly as sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub alg: Algorithm,
    pub kid: Option<String>,
    /// A `Cow` so that "JWT", in nearly every token, is held without an allocation.
    pub typ: Option<Cow<'static, str>>,
    pub cty: Option<String>,
}

impl Header {
    pub fn new(alg: Algorithm) -> Header {
        Header { alg, kid: None, typ: None, cty: None }
    }
}

/// The three segments of a compact JWS, still encoded.
pub(crate) struct Segments<'a> {
    pub header: &'a [u8],
    pub payload: &'a [u8],
    pub signature: &'a [u8],
    /// `header.payload`, the bytes the signature covers.
    pub signing_input: &'a [u8],
}

pub(crate) fn split(token: &[u8], max_len: usize) -> Result<Segments<'_>> {
    if token.len() > max_len {
        return Err(Error::TokenTooLarge(format!(
            "{} bytes is over the limit of {max_len}",
            token.len()
        )));
    }
    if token.is_empty() {
        return Err(Error::TokenMalformed("empty token".into()));
    }
    if token.first() == Some(&b'{') {
        return Err(Error::TokenMalformed(
            "JWS JSON serialization is not supported; only the compact form".into(),
        ));
    }
    if !is_ascii(token) {
        let pos = token.iter().position(|b| !b.is_ascii()).unwrap_or_default();
        return Err(Error::TokenMalformed(format!("non-ASCII byte at offset {pos}")));
    }
    // The two dots are found from each end (header and signature are short), then the
    // payload between them must have none.
    let dots = match (memchr::memchr(b'.', token), memchr::memrchr(b'.', token)) {
        (Some(first), Some(last)) if first < last && memchr::memchr(b'.', &token[first + 1..last]).is_none() => {
            [first, last]
        }
        _ => {
            let count = memchr::memchr_iter(b'.', token).count();
            return Err(Error::TokenMalformed(format!(
                "a compact JWS has 3 segments separated by '.', found {}",
                count + 1
            )));
        }
    };
    Ok(Segments {
        header: &token[..dots[0]],
        payload: &token[dots[0] + 1..dots[1]],
        signature: &token[dots[1] + 1..],
        signing_input: &token[..dots[1]],
    })
}

/// `<[u8]>::is_ascii` without its byte-by-byte tail (up to 31 bytes, a third of the
/// time on a typical token): eight bytes at a time, the last word overlapping.
fn is_ascii(bytes: &[u8]) -> bool {
    let Some(last) = bytes.len().checked_sub(8) else {
        return bytes.is_ascii();
    };
    let word = |w: &[u8]| u64::from_le_bytes(w.try_into().expect("8 bytes"));
    let any = bytes.chunks_exact(8).fold(word(&bytes[last..]), |any, w| any | word(w));
    any & 0x8080_8080_8080_8080 == 0
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
pub(crate) fn read_header<'b>(encoded: &[u8], limits: &Limits, buf: &'b mut [MaybeUninit<u8>]) -> Result<(Cow<'b, [u8]>, Header)> {
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
        crit.as_array()
            .filter(|a| a.iter().all(Value::is_string))
            .and_then(|a| a.first())
            .and_then(Value::as_str)
    });
    check_header_members([("kid", kind("kid")), ("typ", kind("typ")), ("cty", kind("cty"))], crit, header.contains_key("b64"))
}

/// The header rules, on what a reader found: the kinds of the string members, `crit`
/// (absent; present but not a non-empty array of strings; its first name) and whether
/// `b64` is present.
fn check_header_members(strings: [(&str, Option<Kind>); 3], crit: Option<Option<&str>>, has_b64: bool) -> Result<()> {
    for (name, kind) in strings {
        match kind {
            None | Some(Kind::String) => {}
            Some(other) => return Err(Error::HeaderInvalid(format!("member `{name}` must be a string, got {}", other.name()))),
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

/// Where verification gets its keys: one `Key`, or a key set that selects by `kid`.
/// Only keys the caller supplied can ever be returned.
pub trait KeySource {
    /// The keys to try, in order, for a token with this header and algorithm.
    fn candidates<'a>(&'a self, header: &Header, alg: Algorithm) -> Result<Vec<&'a Key>>;

    /// The one key, when the source is a single key (skips building a list).
    fn single(&self) -> Option<&Key> {
        None
    }
}

impl KeySource for Key {
    fn candidates<'a>(&'a self, _header: &Header, _alg: Algorithm) -> Result<Vec<&'a Key>> {
        Ok(vec![self])
    }

    fn single(&self) -> Option<&Key> {
        Some(self)
    }
}

/// Verifies a compact JWS: the signature only, no claims. See the module comment.
pub fn verify<K: KeySource + ?Sized>(token: &[u8], keys: &K, validation: &Validation) -> Result<Verified> {
    let mut header_buf = [MaybeUninit::uninit(); HEADER_BUF];
    let signed = verify_signature(token, keys, validation, &mut header_buf)?;
    let payload = b64::decode(signed.payload, "payload")?;
    Ok(Verified { header_json: signed.header_json.into_owned(), header: signed.header, payload })
}

/// Room on the stack for a header JSON; a longer one goes to the heap.
pub(crate) const HEADER_BUF: usize = 256;

/// A verified token's parts, for callers that choose where they go: the header JSON
/// (in the caller's stack buffer when it fits) and the payload (in the caller's buffer).
pub(crate) struct Parts<'b, 'p> {
    pub header_json: Cow<'b, [u8]>,
    pub header: Header,
    pub payload: &'p [u8],
}

/// `verify`, with the header JSON in `header_buf` when it fits and the payload decoded
/// into the buffer that `payload_buf` gives for its length: the C entry points pass the
/// string they return, so the payload is decoded once, in place, and nothing else is
/// allocated. `payload_buf` may fail with the caller's own error type.
pub(crate) fn verify_into<'b, 'p, K: KeySource + ?Sized, E: From<Error>>(
    token: &[u8],
    keys: &K,
    validation: &Validation,
    header_buf: &'b mut [MaybeUninit<u8>],
    payload_buf: impl FnOnce(usize) -> std::result::Result<&'p mut [MaybeUninit<u8>], E>,
) -> std::result::Result<Parts<'b, 'p>, E> {
    let signed = verify_signature(token, keys, validation, header_buf)?;
    let out = payload_buf(b64::decoded_len(signed.payload, "payload")?)?;
    let payload = b64::decode_exact(signed.payload, out, "payload")?;
    Ok(Parts { header_json: signed.header_json, header: signed.header, payload })
}

/// A token whose signature verified: the header JSON (borrowed from the caller's
/// buffer when it fits) and the payload, still base64url.
struct Signed<'t, 'b> {
    header_json: Cow<'b, [u8]>,
    header: Header,
    payload: &'t [u8],
}

/// `verify` up to the payload, which it leaves encoded: every step but the last.
fn verify_signature<'t, 'b, K: KeySource + ?Sized>(
    token: &'t [u8],
    keys: &K,
    validation: &Validation,
    header_buf: &'b mut [MaybeUninit<u8>],
) -> Result<Signed<'t, 'b>> {
    let limits = validation.limits();
    let seg = split(token, limits.max_token_len)?;
    let (header_json, header) = read_header(seg.header, limits, header_buf)?;
    let alg = header.alg;
    if !validation.allows(alg) {
        let allowed: Vec<&str> = validation.algorithms().iter().map(|a| a.name()).collect();
        return Err(Error::AlgNotAllowed(format!("{} is not in the allow-list {allowed:?}", alg.name())));
    }
    let mut signature_buf = [MaybeUninit::uninit(); 528];
    let signature = b64::decode_small(seg.signature, &mut signature_buf, "signature")?;
    let signed = Signed { header_json, header, payload: seg.payload };
    if let Some(key) = keys.single() {
        key.verify_bytes(alg, seg.signing_input, &signature)?;
        return Ok(signed);
    }
    let candidates = keys.candidates(&signed.header, alg)?;
    if candidates.is_empty() {
        return Err(Error::KeyNotFound(format!("no key for a {} token", alg.name())));
    }
    let mut first_error = None;
    for key in candidates.into_iter().take(limits.max_keys_tried) {
        match key.verify_bytes(alg, seg.signing_input, &signature) {
            Ok(()) => return Ok(signed),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.expect("at least one candidate was tried"))
}

/// Signs `payload` as a compact JWS. `extra_header` (a JSON object) adds members; its
/// `alg`, if any, must agree with `alg`. `default_typ` is set unless the caller set `typ`.
pub fn sign(key: &Key, alg: Algorithm, payload: &[u8], extra_header: Option<&[u8]>, default_typ: Option<&str>) -> Result<String> {
    let token = sign_to_bytes(key, alg, payload, extra_header, default_typ)?;
    Ok(String::from_utf8(token).expect("base64url and dots are ASCII"))
}

/// As `sign`, the token as bytes: for the C surface, which copies them out as they are.
pub(crate) fn sign_to_bytes(key: &Key, alg: Algorithm, payload: &[u8], extra_header: Option<&[u8]>, default_typ: Option<&str>) -> Result<Vec<u8>> {
    // Sized for the largest signature (RSA-4096, 683 characters): one allocation.
    let mut token = Vec::with_capacity(b64::encoded_len(payload.len() + 64) + 700);
    match (extra_header, key.kid(), default_typ) {
        // The common shapes, written without building a JSON object: the same bytes
        // the general path gives (members sorted).
        (None, None, None) => b64::encode_into(concat_on_stack(&[br#"{"alg":""#, alg.name().as_bytes(), br#""}"#]).as_slice(), &mut token),
        (None, None, Some("JWT")) => {
            b64::encode_into(concat_on_stack(&[br#"{"alg":""#, alg.name().as_bytes(), br#"","typ":"JWT"}"#]).as_slice(), &mut token)
        }
        _ => b64::encode_into(&general_header(key, alg, extra_header, default_typ)?, &mut token),
    }
    token.push(b'.');
    b64::encode_into(payload, &mut token);
    let signature = key.sign_raw(alg, &token)?;
    token.push(b'.');
    b64::encode_into(signature.as_ref(), &mut token);
    Ok(token)
}

/// Concatenates short pieces on the stack (a fixed header is under 48 bytes).
fn concat_on_stack(pieces: &[&[u8]]) -> StackBytes {
    let mut out = StackBytes { buf: [0; 48], len: 0 };
    for piece in pieces {
        out.buf[out.len..out.len + piece.len()].copy_from_slice(piece);
        out.len += piece.len();
    }
    out
}

struct StackBytes {
    buf: [u8; 48],
    len: usize,
}

impl StackBytes {
    fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// The header of `sign` when the caller adds members or the key has a `kid`.
fn general_header(key: &Key, alg: Algorithm, extra_header: Option<&[u8]>, default_typ: Option<&str>) -> Result<Vec<u8>> {
    let mut header = match extra_header {
        Some(bytes) => json::parse_object(bytes, "header")?,
        None => Object::new(),
    };
    match header.get("alg") {
        None => {}
        Some(Value::String(name)) if Algorithm::from_name(name).ok() == Some(alg) => {}
        Some(other) => {
            return Err(Error::InvalidArgument(format!(
                "header member `alg` ({}) conflicts with the signing algorithm {}",
                crate::error::excerpt(&other.to_string(), 32),
                alg.name()
            )))
        }
    }
    check_header(&header)?;
    header.insert("alg".into(), Value::String(alg.name().into()));
    if let (Some(typ), false) = (default_typ, header.contains_key("typ")) {
        header.insert("typ".into(), Value::String(typ.into()));
    }
    if header.get("kid").is_none() {
        if let Some(kid) = key.kid() {
            header.insert("kid".into(), Value::String(kid.into()));
        }
    }
    serde_json::to_vec(&header).map_err(|e| Error::Json(format!("header: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_ascii_agrees_with_std_at_every_length_and_position() {
        for len in 0..40 {
            let mut bytes = vec![b'a'; len];
            assert!(is_ascii(&bytes));
            for at in 0..len {
                for high in [0x80, 0xC3, 0xFF] {
                    bytes[at] = high;
                    assert!(!is_ascii(&bytes), "{len} {at}");
                    bytes[at] = b'.';
                }
            }
        }
    }

    /// The common shapes read byte for byte give what the strict reader gives, and
    /// every near miss goes to the strict reader (same result or same error).
    #[test]
    fn common_headers_read_as_the_strict_reader_reads_them() {
        let strict = |json: &[u8], max_depth: usize| {
            let mut reader = HeaderReader::default();
            json::scan_object(json, "header", max_depth, &mut reader).and_then(|()| reader.finish()).map_err(|e| e.to_string())
        };
        let mut shapes = vec![];
        for alg in Algorithm::ALL.iter().map(|a| a.name()).chain(["Ed25519", "none", "None", "rs256", "RS25", "RS2566", "", "R\\u0053256"]) {
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
            let checked = check_header(&json::parse_object(json.as_bytes(), "header").unwrap()).unwrap_err().to_string();
            assert!(read.ends_with(want), "{json}: {read}");
            assert_eq!(read, checked, "{json}");
        }
        let encoded = crate::b64::encode(br#"{"typ":"JWT","alg":"ES256","kid":"k\u0031","x":{"alg":1}}"#);
        let (_, header) = read_header(encoded.as_bytes(), &limits, &mut []).unwrap();
        assert_eq!(header, Header { kid: Some("k1".into()), typ: Some("JWT".into()), ..Header::new(Algorithm::ES256) });
        for (json, want) in [(r#"{"typ":"JWT"}"#, "member `alg` is required"), (r#"{"alg":5}"#, "must be a string, got a number")] {
            let encoded = crate::b64::encode(json.as_bytes());
            let err = read_header(encoded.as_bytes(), &limits, &mut []).unwrap_err().to_string();
            assert!(err.ends_with(want), "{json}: {err}");
        }
    }
}
