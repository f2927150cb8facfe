//! `KeySet`: the keys a verifier trusts, the way identity providers publish them (a JWK
//! Set, RFC 7517 §5) or assembled from keys, selected per token by `kid`. Keys the set
//! cannot use are skipped, never fatal, and listed with the reason. Immutable: rotation
//! means building a new set.
//!
//! Selection (`jws::KeySource`): a token with a `kid` is tried only against keys with
//! exactly that `kid` (none: `KeyNotFound`); a token without one against every key whose
//! family, and `alg` if the JWK names one, fit the token's algorithm. Either way the
//! verifier tries at most `Limits::max_keys_tried` keys (16 by default).
//!
//! Skipped when the set is built (each with a status-bearing reason):
//! - a JWK that does not parse, or that jwtkit refuses (unknown `kty`, unsupported
//!   curve, invalid point, RSA under 2048 bits or with the ROCA fingerprint, e < 3,
//!   empty secret, …);
//! - a key that may not verify (`use` other than `sig`, `key_ops` without `verify`);
//! - a key whose `alg` is not a JWS algorithm jwtkit implements (`A256GCM`, `RSA1_5`,
//!   `ES521`, …) or does not fit its kind and curve;
//! - an HMAC secret shorter than its `alg` needs, or under 32 bytes without `alg`;
//! - HMAC secrets in a set that also holds asymmetric keys: a set is either shared
//!   secrets or public keys. A secret published beside public keys has been published,
//!   and mixing them invites algorithm confusion (Wycheproof `MixedKeySet`);
//! - keys whose `kid` also names a different key (another RFC 7638 thumbprint) that
//!   could verify the same algorithm: the `kid` is ambiguous, so tokens naming it fail
//!   with `KeyNotFound` (Wycheproof `DuplicateKid`). A `kid` and an algorithm must
//!   determine one key. So the same key listed twice, or an RSA and an EC key sharing a
//!   `kid` (as in RFC 7520 §3), or two RSA keys restricted to different `alg`s, are kept.
//!
//! With a `kid`, the candidates are the keys with that `kid` that fit the algorithm; if
//! none fits, `KeyNotFound` when a key with that `kid` was skipped, else all keys with
//! that `kid`, so the error says why (`KeyAlgMismatch`, `KeyUsage`).
//!
//! A set has one purpose, fixed when it is built. A set made for decryption
//! (`from_jwks_for_decryption`, `from_keys_for_decryption`) keeps instead the keys that
//! can decrypt JWE (`jwe::key_can_decrypt`): `use: enc` or no `use`, `key_ops` (if any)
//! with `decrypt`/`unwrapKey`/`deriveKey`, a private key or a secret, an `alg` (if any)
//! that is a JWE key management algorithm jwtkit implements and fits the key; the rest
//! are skipped with the reason, and so are ambiguous `kid`s, by the rule above for the
//! JWE algorithms. Decryption chooses among its keys by the token's `kid`
//! (`jwe::choice`). Each purpose refuses the other's use (`InvalidArgument`).

use std::sync::Arc;

use serde_json::Value;

use crate::alg::{Algorithm, Family};
use crate::error::{Error, Result};
use crate::header::Header;
use crate::json::{self, Object};
use crate::jwe::{self, Alg, DecryptionKeys};
use crate::jws::KeySource;
use crate::key::{self, Key, Material};

/// Largest JWKS document read (1 MiB): real ones are a few KiB.
pub const MAX_JWKS_LEN: usize = 1 << 20;
/// Most keys in one set (counting skipped ones).
pub const MAX_KEYS: usize = 1024;

/// Listed by [`KeySet::skipped`].
#[derive(Debug, Clone)]
pub struct SkippedKey {
    /// Position in the JWKS `keys` array, or in the list given to `from_keys`.
    pub index: usize,
    /// Its `kid`, when it has a readable one.
    pub kid: Option<String>,
    /// Why, as an error (its variant gives the C status).
    pub reason: Error,
}

impl SkippedKey {
    /// The skipped key in one line, e.g. ``keys[2] (kid "a"): key: JWK: `kty` "foo" is not supported``.
    pub fn describe(&self) -> String {
        match &self.kid {
            Some(kid) => format!("keys[{}] (kid {}): {}", self.index, shown(kid), self.reason),
            None => format!("keys[{}]: {}", self.index, self.reason),
        }
    }
}

/// A `kid` for messages: quoted, escaped, at most 64 characters (it may come from a token).
fn shown(kid: &str) -> String {
    format!("\"{}\"", crate::error::excerpt(kid, 64))
}

/// What a set is for, fixed when it is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Verifying JWS signatures (`from_jwks`, `from_keys`).
    Verification,
    /// Decrypting JWE (`from_jwks_for_decryption`, `from_keys_for_decryption`).
    Decryption,
}

/// One member of a set being built.
struct Entry {
    kid: Option<String>,
    parsed: Result<Arc<Key>>,
    /// For a JWK that did not parse: the algorithms (by name) its `kty`, `crv`, `alg`
    /// and `use` declare, so that a broken key still makes its `kid` ambiguous.
    declared: Vec<&'static str>,
}

/// The algorithms (JWS or JWE, by `purpose`) a JWK claims to serve, read from its
/// members alone.
fn declared_algorithms(jwk: &Object, purpose: Purpose) -> Vec<&'static str> {
    let text = |name: &str| jwk.get(name).and_then(Value::as_str);
    if purpose == Purpose::Decryption {
        if text("use").is_some_and(|u| u != "enc") {
            return Vec::new();
        }
        if let Some(alg) = jwk.get("alg") {
            return alg.as_str().and_then(|a| Alg::from_name(a).ok()).map(Alg::name).into_iter().collect();
        }
        let ecdh = [Alg::EcdhEs, Alg::EcdhEsA128Kw, Alg::EcdhEsA192Kw, Alg::EcdhEsA256Kw];
        let algs: &[Alg] = match text("kty") {
            Some("oct") => {
                &[Alg::Dir, Alg::A128Kw, Alg::A192Kw, Alg::A256Kw, Alg::A128GcmKw, Alg::A192GcmKw, Alg::A256GcmKw]
            }
            Some("RSA") => &[Alg::RsaOaep256, Alg::RsaOaep384, Alg::RsaOaep512],
            Some("EC" | "OKP") => &ecdh,
            _ => &[],
        };
        return algs.iter().map(|a| a.name()).collect();
    }
    if text("use").is_some_and(|u| u != "sig") {
        return Vec::new();
    }
    let family = match (text("kty"), text("crv")) {
        (Some("oct"), _) => Family::Hmac,
        (Some("RSA"), _) => Family::Rsa,
        (Some(kty), Some(crv)) => match crate::key::curve_family(kty, crv) {
            Some(family) => family,
            None => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    let only = jwk.get("alg").map(|a| a.as_str().and_then(|a| Algorithm::from_name(a).ok()));
    Algorithm::ALL
        .into_iter()
        .filter(|a| a.family() == family && only.is_none_or(|o| o == Some(*a)))
        .map(Algorithm::name)
        .collect()
}

/// Verification takes the key with the token's `kid` when it has one, else tries the
/// keys that fit the algorithm (at most
/// [`Limits::max_keys_tried`](crate::Limits::max_keys_tried)). Immutable once built; the
/// keys are shared (`Arc`).
pub struct KeySet {
    keys: Vec<Arc<Key>>,
    skipped: Vec<SkippedKey>,
    purpose: Purpose,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet")
            .field("purpose", &self.purpose)
            .field("keys", &self.keys.len())
            .field("skipped", &self.skipped.len())
            .finish()
    }
}

impl KeySet {
    /// Reads a JWK Set (`{"keys": [...]}`, UTF-8 JSON, no duplicate members). The
    /// document itself must be well formed (`KeyInvalid` otherwise); each key in it that
    /// cannot be used is skipped (see the module comment), so the set may be empty.
    pub fn from_jwks(json_text: &[u8]) -> Result<KeySet> {
        Self::from_jwks_for(json_text, Purpose::Verification)
    }

    /// Reads a JWK Set as [`KeySet::from_jwks`] does, keeping the keys that can decrypt
    /// JWE instead (see the module comment): a set for `jwe::decrypt_with_keys`.
    pub fn from_jwks_for_decryption(json_text: &[u8]) -> Result<KeySet> {
        Self::from_jwks_for(json_text, Purpose::Decryption)
    }

    fn from_jwks_for(json_text: &[u8], purpose: Purpose) -> Result<KeySet> {
        if json_text.len() > MAX_JWKS_LEN {
            return Err(Error::KeyInvalid(format!("JWKS: larger than {MAX_JWKS_LEN} bytes")));
        }
        // Private members of the keys in it are wiped with the document.
        let doc = key::Wiped(json::parse_object(json_text, "JWKS").map_err(|e| Error::KeyInvalid(e.to_string()))?);
        let keys = match doc.0.get("keys") {
            Some(Value::Array(keys)) => keys,
            Some(_) => return Err(Error::KeyInvalid("JWKS: member `keys` must be an array".into())),
            None => return Err(Error::KeyInvalid("JWKS: member `keys` is required".into())),
        };
        if keys.len() > MAX_KEYS {
            return Err(Error::KeyInvalid(format!("JWKS: {} keys is more than the limit of {MAX_KEYS}", keys.len())));
        }
        let entries = keys
            .iter()
            .map(|v| match v {
                Value::Object(jwk) => Entry {
                    kid: jwk.get("kid").and_then(Value::as_str).map(str::to_owned),
                    parsed: key::from_jwk_object(jwk).map(Arc::new),
                    declared: declared_algorithms(jwk, purpose),
                },
                _ => Entry {
                    kid: None,
                    parsed: Err(Error::KeyInvalid("JWKS: each member of `keys` must be a JSON object".into())),
                    declared: Vec::new(),
                },
            })
            .collect();
        Ok(Self::build(entries, purpose))
    }

    /// A set of keys the caller already holds (shared, not copied). The same rules
    /// apply as for a JWKS: keys it cannot use are skipped and listed.
    pub fn from_keys(keys: Vec<Arc<Key>>) -> KeySet {
        Self::from_keys_for(keys, Purpose::Verification)
    }

    /// A set of keys for decryption, as [`KeySet::from_keys`] with the rules of
    /// [`KeySet::from_jwks_for_decryption`].
    pub fn from_keys_for_decryption(keys: Vec<Arc<Key>>) -> KeySet {
        Self::from_keys_for(keys, Purpose::Decryption)
    }

    fn from_keys_for(keys: Vec<Arc<Key>>, purpose: Purpose) -> KeySet {
        Self::build(
            keys.into_iter()
                .map(|k| Entry { kid: k.kid().map(str::to_owned), parsed: Ok(k), declared: Vec::new() })
                .collect(),
            purpose,
        )
    }

    fn build(entries: Vec<Entry>, purpose: Purpose) -> KeySet {
        let verifying = purpose == Purpose::Verification;
        // What each entry could serve, and its thumbprint (None: unknown), for the kid rule.
        let mut profiles: Vec<(Option<String>, Vec<&'static str>, Option<String>)> = Vec::with_capacity(entries.len());
        let mut skipped = Vec::new();
        let mut usable: Vec<(usize, Arc<Key>)> = Vec::new();
        for (index, entry) in entries.into_iter().enumerate() {
            let profile = match &entry.parsed {
                Ok(k) if !verifying => jwe::decryption_alg_names(k),
                Ok(k) if k.may_verify() => {
                    Algorithm::ALL.into_iter().filter(|&a| fits(k, a)).map(Algorithm::name).collect()
                }
                Ok(_) => Vec::new(),
                Err(_) => entry.declared,
            };
            profiles.push((entry.kid.clone(), profile, None));
            let usable_for = if verifying { usable_for_verification } else { jwe::usable_for_decryption };
            match entry.parsed.and_then(|k| usable_for(&k).map(|()| k)) {
                Ok(k) => usable.push((index, k)),
                Err(reason) => skipped.push(SkippedKey { index, kid: entry.kid, reason }),
            }
        }

        // A set for verification is either shared secrets or asymmetric keys.
        let is_secret = |k: &Key| k.family() == Family::Hmac;
        if verifying && usable.iter().any(|(_, k)| is_secret(k)) && usable.iter().any(|(_, k)| !is_secret(k)) {
            usable.retain(|(index, k)| {
                if !is_secret(k) {
                    return true;
                }
                skipped.push(SkippedKey {
                    index: *index,
                    kid: k.kid().map(str::to_owned),
                    reason: Error::KeyUsage(
                        "an HMAC secret in a set that also holds public-key keys is not used".into(),
                    ),
                });
                false
            });
        }

        // A kid and an algorithm must name one key: a usable key is dropped when another
        // entry (usable or not) with its kid could verify one of its algorithms and is not
        // the same key. An entry that did not parse counts by what it declares.
        for (index, k) in usable.iter().filter(|(_, k)| k.kid().is_some()) {
            profiles[*index].2 = k.thumbprint().ok();
        }
        let ambiguous_with = |i: usize| -> Option<usize> {
            let (Some(kid), algs, thumb) = &profiles[i] else { return None };
            profiles.iter().enumerate().position(|(j, (other_kid, other_algs, other_thumb))| {
                j != i
                    && other_kid.as_ref() == Some(kid)
                    && algs.iter().any(|a| other_algs.contains(a))
                    && (thumb.is_none() || other_thumb.is_none() || thumb != other_thumb)
            })
        };
        let mut dropped = Vec::new();
        usable.retain(|(index, k)| match ambiguous_with(*index) {
            None => true,
            Some(other) => {
                let kid = k.kid().unwrap_or_default();
                dropped.push(SkippedKey {
                    index: *index,
                    kid: Some(kid.to_owned()),
                    reason: Error::KeyInvalid(format!(
                        "`kid` {} also names keys[{other}], a different key for the same algorithm; \
                         an ambiguous kid is not used",
                        shown(kid)
                    )),
                });
                false
            }
        });
        skipped.extend(dropped);
        skipped.sort_by_key(|s| s.index);
        KeySet { keys: usable.into_iter().map(|(_, k)| k).collect(), skipped, purpose }
    }

    /// What the set is for.
    pub fn purpose(&self) -> Purpose {
        self.purpose
    }

    fn wrong_purpose(&self) -> Error {
        Error::InvalidArgument(match self.purpose {
            Purpose::Verification => {
                "this key set was made for verifying signatures; decryption needs a set made for decryption".into()
            }
            Purpose::Decryption => "this key set was made for decryption; verification needs a set made for it".into(),
        })
    }

    /// Usable keys, in document order.
    pub fn keys(&self) -> &[Arc<Key>] {
        &self.keys
    }

    /// The number of usable keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set has no usable key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Keys left out, in document order.
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }

    /// The public JWK Set of the usable keys, for publishing (`{"keys":[...]}`).
    /// `InvalidArgument` when the set holds HMAC secrets, which have no public form.
    pub fn to_public_jwks(&self) -> Result<String> {
        let jwks = self.keys.iter().map(|k| k.to_public_jwk()).collect::<Result<Vec<_>>>()?;
        Ok(format!("{{\"keys\":[{}]}}", jwks.join(",")))
    }

    fn kid_not_found(&self, kid: &str) -> Error {
        let reasons: Vec<String> =
            self.skipped.iter().filter(|s| s.kid.as_deref() == Some(kid)).map(|s| s.reason.to_string()).collect();
        match reasons.first() {
            None => Error::KeyNotFound(format!("no key in the set has `kid` {}", shown(kid))),
            Some(first) => Error::KeyNotFound(format!(
                "no usable key in the set has `kid` {} for this token ({} with it skipped: {first})",
                shown(kid),
                if reasons.len() == 1 { "the one key".to_string() } else { format!("{} keys", reasons.len()) }
            )),
        }
    }
}

/// Whether `key` may verify `alg` by its kind and its JWK `alg`.
fn fits(key: &Key, alg: Algorithm) -> bool {
    key.family() == alg.family() && key.alg_restriction().is_none_or(|a| Algorithm::from_name(a).ok() == Some(alg))
}

/// The rules of the module comment that concern one key on its own.
fn usable_for_verification(k: &Key) -> Result<()> {
    if k.family() == Family::X25519 {
        return Err(Error::KeyUnsupported("X25519 keys are for key agreement (JWE), not signatures".into()));
    }
    if !k.may_verify() {
        return Err(Error::KeyUsage("the JWK's `use`/`key_ops` do not allow verification".into()));
    }
    let alg = match k.alg_restriction() {
        None => None,
        Some(name) => {
            let alg = Algorithm::from_name(name).map_err(|_| {
                Error::KeyUnsupported(format!("JWK `alg` {} is not a JWS algorithm jwtkit implements", shown(name)))
            })?;
            if alg.family() != k.family() {
                return Err(Error::KeyAlgMismatch(format!(
                    "JWK `alg` {} needs {}, but the key is {}",
                    alg.name(),
                    alg.family().describe(),
                    k.family().describe()
                )));
            }
            Some(alg)
        }
    };
    if let Material::Secret { secret, allow_short: false, .. } = &k.material {
        let needed = alg.map_or(32, key::hash_len);
        if secret.len() < needed {
            return Err(Error::KeyTooWeak(format!(
                "an HMAC secret of {} bytes is too short for {} (at least {needed}, RFC 7518 §3.2)",
                secret.len(),
                alg.map_or("any HS algorithm", |a| a.name())
            )));
        }
    }
    Ok(())
}

impl DecryptionKeys for KeySet {
    fn decryption_keys(&self) -> Result<Vec<&Key>> {
        if self.purpose != Purpose::Decryption {
            return Err(self.wrong_purpose());
        }
        Ok(self.keys.iter().map(|k| &**k).collect())
    }

    fn kid_not_found(&self, kid: &str) -> Error {
        KeySet::kid_not_found(self, kid)
    }
}

impl KeySource for KeySet {
    fn candidates<'a>(&'a self, header: &Header, alg: Algorithm) -> Result<Vec<&'a Key>> {
        if self.purpose != Purpose::Verification {
            return Err(self.wrong_purpose());
        }
        if let Some(kid) = header.kid.as_deref() {
            let named: Vec<&Key> = self.keys.iter().filter(|k| k.kid() == Some(kid)).map(|k| &**k).collect();
            if named.is_empty() {
                return Err(self.kid_not_found(kid));
            }
            let fitting: Vec<&Key> = named.iter().copied().filter(|k| fits(k, alg)).collect();
            if fitting.is_empty() && self.skipped.iter().any(|s| s.kid.as_deref() == Some(kid)) {
                // The key the token names may be one the set refused: say so.
                return Err(self.kid_not_found(kid));
            }
            return Ok(if fitting.is_empty() { named } else { fitting });
        }
        let found: Vec<&Key> = self.keys.iter().filter(|k| fits(k, alg)).map(|k| &**k).collect();
        if found.is_empty() {
            return Err(Error::KeyNotFound(format!(
                "the token has no `kid`, and no key in the set fits {}",
                alg.name()
            )));
        }
        Ok(found)
    }
}

const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<KeySet>();
};

#[cfg(test)]
mod tests {
    use super::*;

    fn header(kid: Option<&str>) -> Header {
        Header { kid: kid.map(str::to_owned), ..Header::new(Algorithm::ES256) }
    }

    #[test]
    fn selects_by_kid_and_by_family_and_lists_what_it_skips() {
        let jwks = br#"{"keys":[
            {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"ed"},
            {"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"ec"},
            {"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"enc","use":"enc"},
            {"kty":"foo","kid":"odd"},
            {"kty":"EC","crv":"secp256k1","x":"AA","y":"AA"},
            "not an object"
        ]}"#;
        let set = KeySet::from_jwks(jwks).unwrap();
        assert_eq!(set.len(), 2);
        assert_eq!(set.skipped().len(), 4);
        assert_eq!(set.skipped().iter().map(|s| s.index).collect::<Vec<_>>(), [2, 3, 4, 5]);
        assert!(matches!(set.skipped()[0].reason, Error::KeyUsage(_)));
        assert!(matches!(set.skipped()[1].reason, Error::KeyUnsupported(_)));
        assert!(set.skipped()[1].describe().starts_with("keys[3] (kid \"odd\"): key: JWK: `kty`"));

        assert_eq!(set.candidates(&header(Some("ec")), Algorithm::ES256).unwrap().len(), 1);
        assert_eq!(set.candidates(&header(None), Algorithm::EdDSA).unwrap().len(), 1);
        assert!(matches!(set.candidates(&header(None), Algorithm::RS256), Err(Error::KeyNotFound(_))));
        let Err(Error::KeyNotFound(msg)) = set.candidates(&header(Some("enc")), Algorithm::ES256) else { panic!() };
        assert!(msg.contains("skipped") && msg.contains("use"), "{msg}");
        assert!(matches!(set.candidates(&header(Some("nope")), Algorithm::ES256), Err(Error::KeyNotFound(_))));
    }

    #[test]
    fn malformed_documents_are_errors_and_empty_sets_are_not() {
        for bad in [&b"[]"[..], b"{}", br#"{"keys":{}}"#, b"{\"keys\":[]", br#"{"keys":[],"keys":[]}"#] {
            assert!(matches!(KeySet::from_jwks(bad), Err(Error::KeyInvalid(_))), "{}", String::from_utf8_lossy(bad));
        }
        let set = KeySet::from_jwks(br#"{"keys":[]}"#).unwrap();
        assert!(set.is_empty());
        assert!(matches!(set.candidates(&header(None), Algorithm::HS256), Err(Error::KeyNotFound(_))));
    }
}
