//! Nested JWTs (RFC 7519 §5.2, §11.2): a signed JWT encrypted as a JWE with
//! `cty: "JWT"`. Sign-then-encrypt and decrypt-then-verify are one call each; the inner
//! token goes through the full JWS path (allow-list, key, signature) and every claim
//! check of the caller's `Validation`.

use serde_json::Value;

use crate::alg::Algorithm;
use crate::claims::Validation;
use crate::error::{Error, Result};
use crate::json::Object;
use crate::jwe::choice::DecryptionKeys;
use crate::jwe::compact::{decrypt, decrypt_with_keys, encrypt, Decrypted};
use crate::jwe::content::Enc;
use crate::jwe::key_mgmt::Alg;
use crate::jwe::policy::JwePolicy;
use crate::jws::KeySource;
use crate::jwt::{self, VerifiedJwt};
use crate::key::Key;

/// A nested JWT that decrypted, verified and passed the claim checks.
#[derive(Debug, Clone)]
pub struct VerifiedNested {
    /// The outer (JWE) protected header.
    pub jwe_header_json: Vec<u8>,
    /// The outer (JWE) protected header, parsed.
    pub jwe_header: Object,
    /// The inner JWT: its JWS header and claims.
    pub jwt: VerifiedJwt,
}

/// Signs `claims_json` as a JWT with `sign_key`/`sign_alg` (`sign_header`: extra JWS
/// header members, as `jwt::sign`), then encrypts it to `enc_key` with `cty: "JWT"`.
#[allow(clippy::too_many_arguments)]
pub fn sign_then_encrypt(
    sign_key: &Key,
    sign_alg: Algorithm,
    claims_json: &[u8],
    sign_header: Option<&[u8]>,
    enc_key: &Key,
    alg: Alg,
    enc: Enc,
    compress: bool,
) -> Result<String> {
    let inner = jwt::sign(sign_key, sign_alg, claims_json, sign_header)?;
    encrypt(enc_key, alg, enc, inner.as_bytes(), Some(br#"{"cty":"JWT"}"#), compress)
}

/// Whether a `cty` names a JWT (RFC 7519 §5.2: "JWT", compared like a media type).
fn is_jwt_cty(cty: &str) -> bool {
    let cty = cty.strip_prefix("application/").unwrap_or(cty);
    cty.eq_ignore_ascii_case("jwt")
}

/// A JWT that is encrypted and not signed (RFC 7519 §6.1 allows it; NGINX Plus calls it
/// `auth_jwt_type encrypted`): decrypts `token` with `dec_key` under `jwe_policy`; the
/// plaintext is the claims, checked under `validation` (every claim check, with the JWE
/// header's `typ`; its JWS allow-list has nothing to apply to). Only shared-key
/// management (`dir`, AES key wrap, AES-GCM key wrap) is accepted: under RSA or ECDH
/// anyone with the public key can make such a token, and a PBES2 password can be guessed
/// offline from one (`AlgInsecure`). A nested JWT (`cty: "JWT"`) is refused:
/// its signature would go unchecked; use [`decrypt_then_verify`].
pub fn decrypt_claims(
    token: &[u8],
    dec_key: &Key,
    jwe_policy: &JwePolicy,
    validation: &Validation,
) -> Result<Decrypted> {
    claims_of(decrypt(token, dec_key, jwe_policy)?, validation)
}

/// As [`decrypt_claims`], with the decryption key chosen from `dec_keys` by the token's
/// `kid`, as [`decrypt_with_keys`] chooses it.
pub fn decrypt_claims_with_keys<D: DecryptionKeys + ?Sized>(
    token: &[u8],
    dec_keys: &D,
    jwe_policy: &JwePolicy,
    validation: &Validation,
) -> Result<Decrypted> {
    claims_of(decrypt_with_keys(token, dec_keys, jwe_policy)?, validation)
}

fn claims_of(decrypted: Decrypted, validation: &Validation) -> Result<Decrypted> {
    if !decrypted.alg.authenticates_sender() {
        let why = if decrypted.alg.is_shared_key() {
            "a password can be guessed offline from one token, and then anyone can make one"
        } else {
            "anyone holding the public key can make one"
        };
        return Err(Error::AlgInsecure(format!(
            "an encrypted JWT that is not signed must use a shared key (dir, AES key wrap, AES-GCM key wrap): \
             under {} {why}; sign it (a nested JWT) instead",
            decrypted.alg.name()
        )));
    }
    let typ = match decrypted.header.get("typ") {
        None => None,
        Some(Value::String(typ)) => Some(typ.as_str()),
        Some(_) => return Err(Error::HeaderInvalid("`typ` must be a string".into())),
    };
    if matches!(decrypted.header.get("cty"), Some(Value::String(cty)) if is_jwt_cty(cty)) {
        return Err(Error::HeaderInvalid("a nested JWT (`cty: \"JWT\"`) must be verified, not only decrypted".into()));
    }
    validation.check_claims(typ, &decrypted.plaintext)?;
    Ok(decrypted)
}

/// Decrypts `token` with `dec_key` under `jwe_policy`, requires `cty: "JWT"`, then
/// verifies the inner JWT with `verify_keys` under `validation` (signature, then every
/// claim check). The inner token must be a JWS: a JWE inside a JWE is refused.
pub fn decrypt_then_verify<K: KeySource + ?Sized>(
    token: &[u8],
    dec_key: &Key,
    jwe_policy: &JwePolicy,
    verify_keys: &K,
    validation: &Validation,
) -> Result<VerifiedNested> {
    verify_inner(decrypt(token, dec_key, jwe_policy)?, verify_keys, validation)
}

/// As [`decrypt_then_verify`], with the decryption key chosen from `dec_keys` by the
/// JWE's `kid`, as [`decrypt_with_keys`] chooses it.
pub fn decrypt_then_verify_with_keys<D: DecryptionKeys + ?Sized, K: KeySource + ?Sized>(
    token: &[u8],
    dec_keys: &D,
    jwe_policy: &JwePolicy,
    verify_keys: &K,
    validation: &Validation,
) -> Result<VerifiedNested> {
    verify_inner(decrypt_with_keys(token, dec_keys, jwe_policy)?, verify_keys, validation)
}

fn verify_inner<K: KeySource + ?Sized>(
    outer: Decrypted,
    verify_keys: &K,
    validation: &Validation,
) -> Result<VerifiedNested> {
    match outer.header.get("cty") {
        Some(Value::String(cty)) if is_jwt_cty(cty) => {}
        _ => return Err(Error::HeaderInvalid("a nested JWT needs `cty: \"JWT\"` in its JWE header".into())),
    }
    let jwt = jwt::verify(&outer.plaintext, verify_keys, validation)?;
    Ok(VerifiedNested { jwe_header_json: outer.header_json, jwe_header: outer.header, jwt })
}
