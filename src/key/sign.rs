//! Signing and verifying with a `Key`: the rules that bind a key to an algorithm
//! (family, private half, JWK `alg`/`use`/`key_ops`, HMAC secret length), checked before
//! any cryptography, and the per-algorithm tables (HMAC key index, fixed signature
//! lengths, RSA padding and parameters, ECDSA parameters). ES512 and ES256K sign and
//! verify with the backend's P-521 and secp256k1 (`backend.rs`).

use ring::hmac;
use ring::rand::SystemRandom;
use ring::signature::{self as rsig, KeyPair as _};

use crate::alg::{Algorithm, Family};
use crate::error::{Error, Result};
use crate::key::material::{Key, Material, Restrictions};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Sign,
    Verify,
}

impl Key {
    /// Every rule that binds this key to `alg`, checked before any cryptography.
    fn check_use(&self, alg: Algorithm, op: Op) -> Result<()> {
        if self.family() != alg.family() {
            return Err(Error::KeyAlgMismatch(format!(
                "{} needs {}, but the key is {}",
                alg.name(),
                alg.family().describe(),
                self.describe()
            )));
        }
        if op == Op::Sign && !self.is_private() {
            return Err(Error::KeyCannotSign(format!("cannot sign {} with {}", alg.name(), self.describe())));
        }
        let r = &self.restrictions;
        if let Some(key_alg) = &r.alg {
            if Algorithm::from_name(key_alg).ok() != Some(alg) {
                return Err(Restrictions::alg_refused(key_alg, alg.name()));
            }
        }
        match op {
            Op::Sign if !r.may_sign => {
                return Err(Error::KeyUsage("the JWK's `use`/`key_ops` do not allow signing".into()))
            }
            Op::Verify if !r.may_verify => {
                return Err(Error::KeyUsage("the JWK's `use`/`key_ops` do not allow verification".into()))
            }
            _ => {}
        }
        if let Material::Secret { secret, allow_short: false, .. } = &self.material {
            let needed = hash_len(alg);
            if secret.len() < needed {
                return Err(Error::KeyTooWeak(format!(
                    "{} needs a secret of at least {needed} bytes (RFC 7518 §3.2), this one has {}",
                    alg.name(),
                    secret.len()
                )));
            }
        }
        Ok(())
    }

    /// Whether this key verifies signatures of `alg`: the key kind and curve `alg` needs,
    /// its JWK `alg`, `use` and `key_ops`, and an HMAC secret's length; every rule
    /// [`Key::verify_bytes`] checks before any cryptography. A host that picks an
    /// allow-list from the keys it holds asks this instead of keeping its own table.
    pub fn can_verify(&self, alg: Algorithm) -> bool {
        self.check_use(alg, Op::Verify).is_ok()
    }

    /// Signs `msg` (for JWS, the signing input) with `alg`. ECDSA signatures are raw
    /// `r || s` (RFC 7518 §3.4).
    pub fn sign_bytes(&self, alg: Algorithm, msg: &[u8]) -> Result<Vec<u8>> {
        Ok(self.sign_raw(alg, msg)?.as_ref().to_vec())
    }

    /// As `sign_bytes`; an HMAC tag stays on the stack (signing HS256 is fast enough
    /// that one allocation shows).
    pub(crate) fn sign_raw(&self, alg: Algorithm, msg: &[u8]) -> Result<RawSignature> {
        if let Material::Secret { keys, .. } = &self.material {
            self.check_use(alg, Op::Sign)?;
            return Ok(RawSignature::Tag(hmac::sign(&keys[hmac_index(alg)], msg)));
        }
        self.sign_asymmetric(alg, msg).map(RawSignature::Bytes)
    }

    fn sign_asymmetric(&self, alg: Algorithm, msg: &[u8]) -> Result<Vec<u8>> {
        self.check_use(alg, Op::Sign)?;
        let rng = SystemRandom::new();
        let failed = |what: &str| Error::InvalidArgument(format!("{} signing failed: {what}", alg.name()));
        match &self.material {
            Material::RsaPrivate(pair) => {
                let mut sig = vec![0u8; pair.public_key().modulus_len()];
                pair.sign(rsa_padding(alg), &rng, msg, &mut sig).map_err(|_| failed("RSA"))?;
                Ok(sig)
            }
            Material::EcPrivate { pair, .. } => {
                Ok(pair.sign(&rng, msg).map_err(|_| failed("ECDSA"))?.as_ref().to_vec())
            }
            Material::EcPrivateExtra { pair, .. } => pair.sign(msg).map_err(|_| failed("ECDSA")),
            Material::Ed25519Private(pair) => Ok(pair.sign(msg).as_ref().to_vec()),
            _ => unreachable!("check_use refuses public keys for signing; sign_raw handles secrets"),
        }
    }

    /// Verifies `sig` over `msg` with `alg`; any mismatch is `SignatureInvalid`.
    pub fn verify_bytes(&self, alg: Algorithm, msg: &[u8], sig: &[u8]) -> Result<()> {
        self.check_use(alg, Op::Verify)?;
        let bad = || Error::SignatureInvalid(format!("{} signature does not verify", alg.name()));
        if let Some(len) = fixed_signature_len(alg) {
            if sig.len() != len {
                return Err(Error::SignatureInvalid(format!(
                    "{} signature must be {len} bytes, got {}",
                    alg.name(),
                    sig.len()
                )));
            }
        }
        match &self.material {
            Material::Secret { keys, .. } => hmac::verify(&keys[hmac_index(alg)], msg, sig).map_err(|_| bad()),
            Material::RsaPrivate(pair) => {
                rsig::UnparsedPublicKey::new(rsa_verify_params(alg), pair.public_key().as_ref())
                    .verify(msg, sig)
                    .map_err(|_| bad())
            }
            Material::RsaPublic { n, e } => {
                rsig::RsaPublicKeyComponents { n, e }.verify(rsa_verify_params(alg), msg, sig).map_err(|_| bad())
            }
            Material::EcPrivate { pair, .. } => {
                rsig::UnparsedPublicKey::new(ecdsa_verify_params(alg), pair.public_key().as_ref())
                    .verify(msg, sig)
                    .map_err(|_| bad())
            }
            Material::EcPublic { family: family @ (Family::EcP521 | Family::EcSecp256k1), point }
            | Material::EcPrivateExtra { family, point, .. } => {
                crate::backend::extra_ecdsa_verify(*family, point, msg, sig).map_err(|_| bad())
            }
            Material::EcPublic { point, .. } => {
                rsig::UnparsedPublicKey::new(ecdsa_verify_params(alg), point).verify(msg, sig).map_err(|_| bad())
            }
            Material::Ed25519Private(pair) => rsig::UnparsedPublicKey::new(&rsig::ED25519, pair.public_key().as_ref())
                .verify(msg, sig)
                .map_err(|_| bad()),
            Material::Ed25519Public(public) => {
                rsig::UnparsedPublicKey::new(&rsig::ED25519, public).verify(msg, sig).map_err(|_| bad())
            }
            Material::X25519Private(_) | Material::X25519Public(_) => {
                unreachable!("check_use refuses X25519 keys for every JWS algorithm")
            }
        }
    }
}

/// A signature as `Key::sign_raw` makes it.
pub(crate) enum RawSignature {
    Tag(hmac::Tag),
    Bytes(Vec<u8>),
}

impl AsRef<[u8]> for RawSignature {
    fn as_ref(&self) -> &[u8] {
        match self {
            RawSignature::Tag(tag) => tag.as_ref(),
            RawSignature::Bytes(bytes) => bytes,
        }
    }
}

pub(crate) fn hash_len(alg: Algorithm) -> usize {
    match alg {
        Algorithm::HS256 => 32,
        Algorithm::HS384 => 48,
        _ => 64,
    }
}

fn hmac_index(alg: Algorithm) -> usize {
    match alg {
        Algorithm::HS256 => 0,
        Algorithm::HS384 => 1,
        _ => 2,
    }
}

/// ECDSA and EdDSA signatures have one valid length; anything else (DER, truncated,
/// padded) is refused with a message that says so.
fn fixed_signature_len(alg: Algorithm) -> Option<usize> {
    match alg {
        Algorithm::ES256 | Algorithm::ES256K => Some(64),
        Algorithm::ES384 => Some(96),
        Algorithm::ES512 => Some(132),
        Algorithm::EdDSA => Some(64),
        _ => None,
    }
}

fn rsa_padding(alg: Algorithm) -> &'static dyn rsig::RsaEncoding {
    match alg {
        Algorithm::RS256 => &rsig::RSA_PKCS1_SHA256,
        Algorithm::RS384 => &rsig::RSA_PKCS1_SHA384,
        Algorithm::RS512 => &rsig::RSA_PKCS1_SHA512,
        Algorithm::PS256 => &rsig::RSA_PSS_SHA256,
        Algorithm::PS384 => &rsig::RSA_PSS_SHA384,
        _ => &rsig::RSA_PSS_SHA512,
    }
}

fn rsa_verify_params(alg: Algorithm) -> &'static rsig::RsaParameters {
    match alg {
        Algorithm::RS256 => &rsig::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::RS384 => &rsig::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &rsig::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &rsig::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &rsig::RSA_PSS_2048_8192_SHA384,
        _ => &rsig::RSA_PSS_2048_8192_SHA512,
    }
}

fn ecdsa_verify_params(alg: Algorithm) -> &'static rsig::EcdsaVerificationAlgorithm {
    match alg {
        Algorithm::ES256 => &rsig::ECDSA_P256_SHA256_FIXED,
        _ => &rsig::ECDSA_P384_SHA384_FIXED,
    }
}
