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
use crate::header::{self, Content, Header};
use crate::json::{self, Object};
use crate::key::Key;
use crate::limits::Limits;

/// A token whose signature verified: the exact header JSON and payload bytes.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The protected header JSON, exactly as sent.
    pub header_json: Vec<u8>,
    /// The header members jwtkit reads.
    pub header: Header,
    /// The payload, base64url-decoded.
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
        return Err(Error::TokenTooLarge(format!("{} bytes is over the limit of {max_len}", token.len())));
    }
    if token.is_empty() {
        return Err(Error::TokenMalformed("empty token".into()));
    }
    if token.first() == Some(&b'{') {
        return Err(Error::TokenMalformed(
            "a JWS JSON serialization, not a compact JWS: verify it with jws_json (C: jwtkit_jws_json_verify)".into(),
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
            // PyJWT's words lead ("Not enough segments"): its users match on them.
            let found = memchr::memchr_iter(b'.', token).count() + 1;
            let which = if found < 3 { "Not enough segments" } else { "Too many segments" };
            return Err(Error::TokenMalformed(format!(
                "{which}: a compact JWS has 3 segments separated by '.', found {found}"
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
    let seg = unpadded(split(token, limits.max_token_len)?, validation)?;
    let (header_json, header) = header::read_header(seg.header, limits, header_buf, Content::Attached)?;
    check_signature(keys, validation, &header, seg.signing_input, seg.signature)?;
    Ok(Signed { header_json, header, payload: seg.payload })
}

/// The segments with their base64 padding cut off, when the policy accepts padded
/// segments; otherwise a padded segment is refused with a message naming that opt-in.
/// The signing input stays the token's own bytes, padding included.
fn unpadded<'t>(seg: Segments<'t>, validation: &Validation) -> Result<Segments<'t>> {
    let padded = |s: &[u8]| s.last() == Some(&b'=');
    if !(padded(seg.header) || padded(seg.payload) || padded(seg.signature)) {
        return Ok(seg);
    }
    if !validation.padded_base64_allowed() {
        return Err(Error::Base64(
            "a segment has base64 padding ('='), which RFC 7515 base64url omits; tokens from AWS Application \
             Load Balancer (x-amzn-oidc-data) are padded: accept them with jwtkit_validation_allow_padded_base64 \
             (C) or options={\"allow_padded_base64\": True} (Python)"
                .into(),
        ));
    }
    Ok(Segments {
        header: strip_padding(seg.header, "header")?,
        payload: strip_padding(seg.payload, "payload")?,
        signature: strip_padding(seg.signature, "signature")?,
        signing_input: seg.signing_input,
    })
}

/// A segment without its base64 padding: one or two `=` making a multiple of 4 bytes.
pub(crate) fn strip_padding<'t>(segment: &'t [u8], what: &str) -> Result<&'t [u8]> {
    let pads = segment.iter().rev().take_while(|&&b| b == b'=').count();
    if pads == 0 {
        return Ok(segment);
    }
    if pads > 2 || segment.len() % 4 != 0 {
        return Err(Error::Base64(format!("{what}: invalid base64 padding")));
    }
    Ok(&segment[..segment.len() - pads])
}

/// Room for the longest signature (RSA-4096, 512 bytes) on the stack.
pub(crate) const MAX_SIGNATURE_LEN: usize = 528;

/// The policy's allow-list: `alg` must be in it.
pub(crate) fn check_allowed(validation: &Validation, alg: Algorithm) -> Result<()> {
    if validation.allows(alg) {
        return Ok(());
    }
    let allowed: Vec<&str> = validation.algorithms().iter().map(|a| a.name()).collect();
    Err(Error::AlgNotAllowed(format!(
        "The specified alg value is not allowed: {} is not in the allow-list {allowed:?}",
        alg.name()
    )))
}

/// The bytes a JWS signature covers (RFC 7515 §5.1, RFC 7797 §3): the encoded protected
/// header, a dot, and the payload as base64url, or as its own bytes when `encoded` is
/// false.
pub(crate) fn signing_input(encoded_header: &[u8], payload: &[u8], encoded: bool) -> Vec<u8> {
    let mut input = Vec::with_capacity(encoded_header.len() + 1 + b64::encoded_len(payload.len()));
    input.extend_from_slice(encoded_header);
    input.push(b'.');
    if encoded {
        b64::encode_into(payload, &mut input);
    } else {
        input.extend_from_slice(payload);
    }
    input
}

/// The steps after the header: the algorithm in the allow-list, then the signature over
/// `signing_input` by the one key, or by one of the candidates (at most
/// `max_keys_tried`).
fn check_signature<K: KeySource + ?Sized>(
    keys: &K,
    validation: &Validation,
    header: &Header,
    signing_input: &[u8],
    encoded_signature: &[u8],
) -> Result<()> {
    let alg = header.alg;
    check_allowed(validation, alg)?;
    let mut signature_buf = [MaybeUninit::uninit(); MAX_SIGNATURE_LEN];
    let signature = b64::decode_small(encoded_signature, &mut signature_buf, "signature")?;
    if let Some(key) = keys.single() {
        return key.verify_bytes(alg, signing_input, &signature);
    }
    let candidates = keys.candidates(header, alg)?;
    if candidates.is_empty() {
        return Err(Error::KeyNotFound(format!("no key for a {} token", alg.name())));
    }
    let mut first_error = None;
    for key in candidates.into_iter().take(validation.limits().max_keys_tried) {
        match key.verify_bytes(alg, signing_input, &signature) {
            Ok(()) => return Ok(()),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.expect("at least one candidate was tried"))
}

/// Decodes a compact JWS's header and payload WITHOUT verifying anything (public as
/// `dangerous::decode_jws_unverified`): the header as for inspection
/// (`header::check_header_json`), the payload any bytes (empty for detached content).
/// Padded segments are read (AWS ALB's tokens are inspected before a key is known).
pub(crate) fn decode_unverified(token: &[u8], limits: &Limits) -> Result<(Vec<u8>, Vec<u8>)> {
    let seg = split(token, limits.max_token_len)?;
    let header_json = header::check_header_json(strip_padding(seg.header, "header")?, limits)?;
    let payload = b64::decode(strip_padding(seg.payload, "payload")?, "payload")?;
    Ok((header_json, payload))
}

/// Verifies a compact JWS whose payload travels apart (RFC 7515 Appendix F): `token`
/// is `header..signature` (an empty middle segment), `payload` the content. The header
/// may say `b64: false` (RFC 7797, with `b64` in `crit`): then the signature covers the
/// payload's own bytes, else their base64url. The signature only, no claims.
pub fn verify_detached<K: KeySource + ?Sized>(
    token: &[u8],
    payload: &[u8],
    keys: &K,
    validation: &Validation,
) -> Result<Verified> {
    let limits = validation.limits();
    if payload.len() > limits.max_token_len {
        return Err(Error::TokenTooLarge(format!(
            "a detached payload of {} bytes is over the limit of {}",
            payload.len(),
            limits.max_token_len
        )));
    }
    let seg = unpadded(split(token, limits.max_token_len)?, validation)?;
    let (header_json, header) = header::read_header(seg.header, limits, &mut [], Content::Detached)?;
    // The middle segment is not decoded: with detached content it must be empty.
    if !seg.payload.is_empty() {
        return Err(Error::TokenMalformed(if header.b64 {
            "the token carries its payload: verify it without a detached_payload (a detached payload has an \
             empty middle segment, as tokens with b64 set to false do)"
                .into()
        } else {
            "Payload segment must be empty when 'b64' is false (a detached payload travels apart)".into()
        }));
    }
    check_signature(keys, validation, &header, &signing_input(seg.header, payload, header.b64), seg.signature)?;
    Ok(Verified { header_json: header_json.into_owned(), header, payload: payload.to_vec() })
}

/// Signs `payload` as a compact JWS with detached content: returns `header..signature`
/// (RFC 7515 Appendix F); the payload travels apart. With `encoded` false, the header
/// gets `"b64": false` and `"crit": ["b64"]` (RFC 7797) and the signature covers the
/// payload's own bytes. `extra_header` and `default_typ` as for [`sign`].
pub fn sign_detached(
    key: &Key,
    alg: Algorithm,
    payload: &[u8],
    extra_header: Option<&[u8]>,
    default_typ: Option<&str>,
    encoded: bool,
) -> Result<String> {
    let mut header = header_object(key, alg, extra_header, default_typ)?;
    mark_encoding(&mut header, encoded)?;
    header::check_signing_header(&header, Content::Detached)?;
    let header_json = serde_json::to_vec(&header).map_err(|e| Error::Json(e.to_string()))?;
    let mut token = Vec::with_capacity(b64::encoded_len(header_json.len()) + b64::encoded_len(payload.len()) + 700);
    b64::encode_into(&header_json, &mut token);
    let header_end = token.len();
    token.push(b'.');
    if encoded {
        b64::encode_into(payload, &mut token);
    } else {
        token.extend_from_slice(payload);
    }
    let signature = key.sign_raw(alg, &token)?;
    token.truncate(header_end);
    token.extend_from_slice(b"..");
    b64::encode_into(signature.as_ref(), &mut token);
    Ok(String::from_utf8(token).expect("base64url and dots are ASCII"))
}

/// Writes how the payload is signed into a signer's header: for an unencoded payload
/// `"b64": false` with `b64` added to `crit` (RFC 7797 §6); an encoded one refuses a
/// caller's `b64: false`.
pub(crate) fn mark_encoding(header: &mut Object, encoded: bool) -> Result<()> {
    if encoded {
        if header.get("b64") == Some(&Value::Bool(false)) {
            return Err(Error::InvalidArgument(
                "`b64: false` in the header, but an encoded payload was asked for".into(),
            ));
        }
        return Ok(());
    }
    header.insert("b64".into(), Value::Bool(false));
    let mut crit = match header.remove("crit") {
        Some(Value::Array(names)) => names,
        Some(_) => return Err(Error::HeaderInvalid("`crit` must be a non-empty array of strings".into())),
        None => Vec::new(),
    };
    if !crit.iter().any(|n| n == "b64") {
        crit.push(Value::String("b64".into()));
    }
    header.insert("crit".into(), Value::Array(crit));
    Ok(())
}

/// Signs `payload` as a compact JWS. `extra_header` (a JSON object) adds members; its
/// `alg`, if any, must agree with `alg`. `default_typ` is set unless the caller set `typ`.
pub fn sign(
    key: &Key,
    alg: Algorithm,
    payload: &[u8],
    extra_header: Option<&[u8]>,
    default_typ: Option<&str>,
) -> Result<String> {
    let token = sign_to_bytes(key, alg, payload, extra_header, default_typ)?;
    Ok(String::from_utf8(token).expect("base64url and dots are ASCII"))
}

/// As `sign`, the token as bytes: for the C surface, which copies them out as they are.
pub(crate) fn sign_to_bytes(
    key: &Key,
    alg: Algorithm,
    payload: &[u8],
    extra_header: Option<&[u8]>,
    default_typ: Option<&str>,
) -> Result<Vec<u8>> {
    // Sized for the largest signature (RSA-4096, 683 characters): one allocation.
    let mut token = Vec::with_capacity(b64::encoded_len(payload.len() + 64) + 700);
    match (extra_header, key.kid(), default_typ) {
        // The common shapes, written without building a JSON object: the same bytes
        // the general path gives (members sorted).
        (None, None, None) => {
            b64::encode_into(concat_on_stack(&[br#"{"alg":""#, alg.name().as_bytes(), br#""}"#]).as_slice(), &mut token)
        }
        (None, None, Some("JWT")) => b64::encode_into(
            concat_on_stack(&[br#"{"alg":""#, alg.name().as_bytes(), br#"","typ":"JWT"}"#]).as_slice(),
            &mut token,
        ),
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
fn general_header(
    key: &Key,
    alg: Algorithm,
    extra_header: Option<&[u8]>,
    default_typ: Option<&str>,
) -> Result<Vec<u8>> {
    let header = header_object(key, alg, extra_header, default_typ)?;
    header::check_signing_header(&header, Content::Attached)?;
    serde_json::to_vec(&header).map_err(|e| Error::Json(format!("header: {e}")))
}

/// The header object a signer writes: the caller's members (`alg`, if any, agreeing),
/// `alg`, the default `typ` unless set, and the key's `kid` unless set.
pub(crate) fn header_object(
    key: &Key,
    alg: Algorithm,
    extra_header: Option<&[u8]>,
    default_typ: Option<&str>,
) -> Result<Object> {
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
    header.insert("alg".into(), Value::String(alg.name().into()));
    if let (Some(typ), false) = (default_typ, header.contains_key("typ")) {
        header.insert("typ".into(), Value::String(typ.into()));
    }
    if header.get("kid").is_none() {
        if let Some(kid) = key.kid() {
            header.insert("kid".into(), Value::String(kid.into()));
        }
    }
    Ok(header)
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
}
