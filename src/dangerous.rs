//! Reading a token WITHOUT verifying it.
//!
//! Dangerous because nothing read here is authenticated: anyone can write a token with any
//! header and any claims. Use it to inspect a token (logging, debugging) or to decide
//! which key or policy to verify it with, and then verify it with [`crate::jwt::verify`]
//! or [`crate::jws::verify`]; never trust, authorize or act on what it returns.

use crate::error::Result;
use crate::limits::Limits;

/// Decodes a compact JWS's header and claims WITHOUT checking its signature or any
/// claim: `(header_json, claims_json)`, exactly as encoded in the token. The token's
/// shape, sizes, base64url and JSON (an object each, within `limits`) are still checked,
/// and the header members verification gives meaning to (`kid` a string, `crit`).
pub fn decode_unverified(token: &[u8], limits: &Limits) -> Result<(Vec<u8>, Vec<u8>)> {
    crate::jwt::decode_unverified(token, limits)
}

/// Decodes a compact JWS's header and payload WITHOUT checking its signature:
/// `(header_json, payload)`, the payload any bytes (empty for detached content). The
/// header must be one JSON object whose members follow verification's rules (`kid` a
/// string, `crit` naming only `b64`), whatever its `alg`.
pub fn decode_jws_unverified(token: &[u8], limits: &Limits) -> Result<(Vec<u8>, Vec<u8>)> {
    crate::jws::decode_unverified(token, limits)
}
