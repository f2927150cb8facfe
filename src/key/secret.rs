//! HMAC secrets: `Key::from_secret`. Bytes that are key material are never a secret,
//! whether jwtkit recognises their shape (`shape`) or can load them as a key (PEM, DER,
//! JWK): otherwise a verifier holding a public key and allowing HS256 beside RS256 would
//! accept tokens MACed with the public key's bytes (RFC 8725 §2.1).

use ring::hmac;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::key::material::{Key, Material};
use crate::key::shape::key_material_shape;

impl Key {
    /// An HMAC secret. Key material is refused (`Error::KeyNotSecret`), loadable or not:
    /// PEM of any label, a DER key or certificate, base64 of one, a JWK or JWK Set, an
    /// OpenSSH public key. Secrets shorter than the hash output of the algorithm they
    /// are used with are refused then (RFC 7518 §3.2); see [`Key::from_secret_legacy`].
    pub fn from_secret(secret: &[u8]) -> Result<Key> {
        hmac_secret(secret, false)
    }

    /// An HMAC secret that may be shorter than the hash output: only for verifying or
    /// issuing tokens of legacy systems whose secret cannot be changed.
    pub fn from_secret_legacy(secret: &[u8]) -> Result<Key> {
        hmac_secret(secret, true)
    }
}

fn hmac_secret(secret: &[u8], allow_short: bool) -> Result<Key> {
    if let Some(what) = key_material(secret) {
        return Err(Error::KeyNotSecret(format!(
            "an HMAC secret must not be key material, and this is {what}; load it as a key instead"
        )));
    }
    if secret.is_empty() {
        return Err(Error::KeyTooWeak("an HMAC secret must not be empty".into()));
    }
    let keys = [
        hmac::Key::new(hmac::HMAC_SHA256, secret),
        hmac::Key::new(hmac::HMAC_SHA384, secret),
        hmac::Key::new(hmac::HMAC_SHA512, secret),
    ];
    Ok(Key::new(Material::Secret { secret: Zeroizing::new(secret.to_vec()), allow_short, keys: Box::new(keys) }))
}

/// What `bytes` are, when they are key material: a recognised shape, or anything that
/// loads as a key (the shape check may miss a spelling the parsers accept, such as a
/// JWK member name written with JSON escapes).
fn key_material(bytes: &[u8]) -> Option<String> {
    if let Some(shape) = key_material_shape(bytes) {
        return Some(shape);
    }
    let loads = |key: Result<Key>| key.is_ok();
    if loads(Key::from_jwk(bytes)) {
        Some("a JWK".into())
    } else if loads(Key::from_pem(bytes)) {
        Some("a PEM key".into())
    } else if loads(Key::from_der(bytes)) {
        Some("a DER key".into())
    } else {
        None
    }
}
