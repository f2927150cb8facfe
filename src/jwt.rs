//! JWTs (RFC 7519): a JWS whose payload is a JSON object of claims. Signing validates
//! the claims JSON and encodes it byte for byte; verification checks the signature
//! first (`jws::verify`) and only then parses and validates the claims.

use crate::alg::Algorithm;
use crate::claims::Validation;
use std::mem::MaybeUninit;

use crate::error::{Error, Result};
use crate::header::Header;
use crate::json::{self, Object};
use crate::jws;
use crate::key::Key;
use crate::limits::Limits;

/// Issues a JWT: the claims JSON with the registered claims and header members that
/// [`SignOptions`](crate::SignOptions) asks for (`iat`, `exp`, `nbf`, `iss`, `sub`,
/// `aud`, `jti`), signed with `key` and `alg`.
///
pub use crate::issue::sign_with;

/// A JWT whose signature verified and whose claims passed the checks: the exact
/// header and claims JSON (the claims are checked in place, not built; `claims()`
/// builds them for callers that want a map).
#[derive(Debug, Clone)]
pub struct VerifiedJwt {
    /// The protected header JSON, exactly as sent.
    pub header_json: Vec<u8>,
    /// The header members jwtkit reads.
    pub header: Header,
    /// The claims JSON, exactly as signed.
    pub claims_json: Vec<u8>,
}

impl VerifiedJwt {
    /// The claims as a JSON object (parsed from `claims_json` on each call).
    pub fn claims(&self) -> Result<Object> {
        json::parse_object_limited(&self.claims_json, "claims", crate::limits::MAX_DEPTH_CEILING)
    }
}

/// Signs `claims_json` (a JSON object, kept byte for byte) as a JWT with `key` and `alg`.
/// `extra_header` (a JSON object) adds header members; its `alg`, if any, must agree
/// with `alg`; `typ` is `JWT` unless it sets another. Adds no claim: to have `iat`,
/// `exp` and the others filled in, use [`sign_with`].
pub fn sign(key: &Key, alg: Algorithm, claims_json: &[u8], extra_header: Option<&[u8]>) -> Result<String> {
    json::check_object(claims_json, "claims")?;
    jws::sign(key, alg, claims_json, extra_header, Some("JWT"))
}

/// As `sign`, the token as bytes (for the C surface).
pub(crate) fn sign_to_bytes(
    key: &Key,
    alg: Algorithm,
    claims_json: &[u8],
    extra_header: Option<&[u8]>,
) -> Result<Vec<u8>> {
    json::check_object(claims_json, "claims")?;
    jws::sign_to_bytes(key, alg, claims_json, extra_header, Some("JWT"))
}

/// Verifies a JWT: the signature first ([`jws::verify`]: size, segments, header, `crit`,
/// the algorithm allow-list, a key from `keys` that fits the algorithm), then the claims
/// against `validation`. `keys` is a [`Key`] or a [`KeySet`](crate::KeySet).
pub fn verify<K: jws::KeySource + ?Sized>(token: &[u8], keys: &K, validation: &Validation) -> Result<VerifiedJwt> {
    let verified = jws::verify(token, keys, validation)?;
    validation.check(&verified.header, &verified.payload)?;
    Ok(VerifiedJwt { header_json: verified.header_json, header: verified.header, claims_json: verified.payload })
}

/// Signs `claims_json` as a JWT with detached content: returns `header..signature`; the
/// claims travel apart. `encoded` false writes `b64: false` (RFC 7797). Otherwise as
/// [`sign`].
pub fn sign_detached(
    key: &Key,
    alg: Algorithm,
    claims_json: &[u8],
    extra_header: Option<&[u8]>,
    encoded: bool,
) -> Result<String> {
    json::check_object(claims_json, "claims")?;
    jws::sign_detached(key, alg, claims_json, extra_header, Some("JWT"), encoded)
}

/// Verifies a JWT whose claims travel apart from it ([`jws::verify_detached`]), then
/// checks the claims exactly as [`verify`] does: an unencoded payload (`b64: false`)
/// never switches the claim checks off.
pub fn verify_detached<K: jws::KeySource + ?Sized>(
    token: &[u8],
    claims_json: &[u8],
    keys: &K,
    validation: &Validation,
) -> Result<VerifiedJwt> {
    let verified = jws::verify_detached(token, claims_json, keys, validation)?;
    validation.check(&verified.header, &verified.payload)?;
    Ok(VerifiedJwt { header_json: verified.header_json, header: verified.header, claims_json: verified.payload })
}

/// `verify` with the buffers of `jws::verify_into` (for the C entry points): the
/// signature, then the claims, read where the payload was decoded.
pub(crate) fn verify_into<'b, 'p, K: jws::KeySource + ?Sized, E: From<Error>>(
    token: &[u8],
    keys: &K,
    validation: &Validation,
    header_buf: &'b mut [MaybeUninit<u8>],
    payload_buf: impl FnOnce(usize) -> std::result::Result<&'p mut [MaybeUninit<u8>], E>,
) -> std::result::Result<jws::Parts<'b, 'p>, E> {
    let parts = jws::verify_into(token, keys, validation, header_buf, payload_buf)?;
    validation.check(&parts.header, parts.payload)?;
    Ok(parts)
}

/// Decodes header and claims WITHOUT verifying anything: for inspection and for
/// choosing a key, never for trusting the content. Public as
/// `dangerous::decode_unverified`. Padded segments are read too (AWS ALB's tokens are
/// inspected for their `kid` before any key is known); verification refuses them
/// unless its policy allows them.
pub(crate) fn decode_unverified(token: &[u8], limits: &Limits) -> Result<(Vec<u8>, Vec<u8>)> {
    let (header_json, claims_json) = jws::decode_unverified(token, limits)?;
    json::check_object_limited(&claims_json, "claims", limits.max_depth)?;
    Ok((header_json, claims_json))
}
