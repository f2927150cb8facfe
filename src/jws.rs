//! JWS compact serialization (RFC 7515 §7.1): `sign` and `verify`. Verification is one
//! straight path, each step only narrowing what is accepted: size → three segments →
//! header → `crit` → allow-list → key fits alg → signature. Nothing in the token chooses
//! the key or widens the algorithms.

use serde_json::Value;

use crate::alg::Algorithm;
use crate::b64;
use crate::claims::{json_type, Validation};
use crate::error::{Error, Result};
use crate::json::{self, Object};
use crate::key::Key;
use crate::limits::Limits;

/// A token whose signature verified: the exact header JSON and payload bytes.
#[derive(Debug, Clone)]
pub struct Verified {
    pub header_json: Vec<u8>,
    pub header: Object,
    pub payload: Vec<u8>,
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
    if !token.is_ascii() {
        let pos = token.iter().position(|b| !b.is_ascii()).unwrap_or_default();
        return Err(Error::TokenMalformed(format!("non-ASCII byte at offset {pos}")));
    }
    // Counting first (a loop the compiler vectorizes), then the two dots found from
    // each end: the header and signature are short, the payload is the long middle.
    let count = token.iter().filter(|&&b| b == b'.').count();
    let dots = match (count, token.iter().position(|&b| b == b'.'), token.iter().rposition(|&b| b == b'.')) {
        (2, Some(first), Some(last)) => [first, last],
        _ => {
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

pub(crate) fn decode_header(encoded: &[u8], limits: &Limits) -> Result<(Vec<u8>, Object)> {
    let max = limits.max_header_len;
    let too_large = || Error::JsonLimit(format!("header: larger than {max} bytes"));
    // Unpadded base64url of `max` bytes is at most ceil(4 * max / 3) characters: refuse
    // longer input before decoding, and check the exact size after.
    if encoded.len() > max.saturating_mul(4).div_ceil(3) {
        return Err(too_large());
    }
    let bytes = b64::decode(encoded, "header")?;
    if bytes.len() > max {
        return Err(too_large());
    }
    let header = json::parse_object_limited(&bytes, "header", limits.max_depth)?;
    Ok((bytes, header))
}

/// The `alg` member, which must be a registered algorithm name jwtkit implements.
pub(crate) fn header_alg(header: &Object) -> Result<Algorithm> {
    match header.get("alg") {
        None => Err(Error::HeaderInvalid("member `alg` is required".into())),
        Some(Value::String(name)) => Algorithm::from_name(name),
        Some(other) => Err(Error::HeaderInvalid(format!("member `alg` must be a string, got {}", json_type(other)))),
    }
}

/// Header members jwtkit gives meaning to must have the right type; `crit` must be
/// well formed, and since jwtkit implements no extension, any name in it is refused
/// (RFC 7515 §4.1.11). `b64: false` (RFC 7797) is refused with or without `crit`.
pub(crate) fn check_header(header: &Object) -> Result<()> {
    for name in ["kid", "typ", "cty"] {
        if let Some(v) = header.get(name) {
            if !v.is_string() {
                return Err(Error::HeaderInvalid(format!("member `{name}` must be a string, got {}", json_type(v))));
            }
        }
    }
    if let Some(crit) = header.get("crit") {
        let names = crit
            .as_array()
            .filter(|a| !a.is_empty() && a.iter().all(Value::is_string))
            .ok_or_else(|| Error::HeaderInvalid("`crit` must be a non-empty array of strings".into()))?;
        let first = names[0].as_str().unwrap_or_default();
        return Err(Error::CritUnsupported(format!(
            "`crit` names {first:?}, an extension jwtkit does not implement"
        )));
    }
    if header.contains_key("b64") {
        return Err(Error::HeaderInvalid("`b64` (unencoded payload, RFC 7797) is not supported".into()));
    }
    Ok(())
}

/// Where verification gets its keys: one `Key`, or a key set that selects by `kid`.
/// Only keys the caller supplied can ever be returned.
pub trait KeySource {
    /// The keys to try, in order, for a token with this header and algorithm.
    fn candidates<'a>(&'a self, header: &Object, alg: Algorithm) -> Result<Vec<&'a Key>>;

    /// The one key, when the source is a single key (skips building a list).
    fn single(&self) -> Option<&Key> {
        None
    }
}

impl KeySource for Key {
    fn candidates<'a>(&'a self, _header: &Object, _alg: Algorithm) -> Result<Vec<&'a Key>> {
        Ok(vec![self])
    }

    fn single(&self) -> Option<&Key> {
        Some(self)
    }
}

/// Verifies a compact JWS: the signature only, no claims. See the module comment.
pub fn verify<K: KeySource + ?Sized>(token: &[u8], keys: &K, validation: &Validation) -> Result<Verified> {
    let limits = validation.limits();
    let seg = split(token, limits.max_token_len)?;
    let (header_json, header) = decode_header(seg.header, limits)?;
    check_header(&header)?;
    let alg = header_alg(&header)?;
    if !validation.allows(alg) {
        let allowed: Vec<&str> = validation.algorithms().iter().map(|a| a.name()).collect();
        return Err(Error::AlgNotAllowed(format!("{} is not in the allow-list {allowed:?}", alg.name())));
    }
    let signature = b64::decode(seg.signature, "signature")?;
    if let Some(key) = keys.single() {
        key.verify_bytes(alg, seg.signing_input, &signature)?;
        return Ok(Verified { header_json, header, payload: b64::decode(seg.payload, "payload")? });
    }
    let candidates = keys.candidates(&header, alg)?;
    if candidates.is_empty() {
        return Err(Error::KeyNotFound(format!("no key for a {} token", alg.name())));
    }
    let mut first_error = None;
    for key in candidates.into_iter().take(limits.max_keys_tried) {
        match key.verify_bytes(alg, seg.signing_input, &signature) {
            Ok(()) => return Ok(Verified { header_json, header, payload: b64::decode(seg.payload, "payload")? }),
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
    let mut token = String::with_capacity((payload.len() + 64) * 4 / 3 + 180);
    match (extra_header, key.kid(), default_typ) {
        // The common shapes, written without building a JSON object: the same bytes
        // the general path gives (members sorted).
        (None, None, None) => b64::encode_into(concat_on_stack(&[br#"{"alg":""#, alg.name().as_bytes(), br#""}"#]).as_slice(), &mut token),
        (None, None, Some("JWT")) => {
            b64::encode_into(concat_on_stack(&[br#"{"alg":""#, alg.name().as_bytes(), br#"","typ":"JWT"}"#]).as_slice(), &mut token)
        }
        _ => b64::encode_into(&general_header(key, alg, extra_header, default_typ)?, &mut token),
    }
    token.push('.');
    b64::encode_into(payload, &mut token);
    let signature = key.sign_bytes(alg, token.as_bytes())?;
    token.push('.');
    b64::encode_into(&signature, &mut token);
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
                "header member `alg` ({other}) conflicts with the signing algorithm {}",
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
