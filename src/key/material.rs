//! `Key`: one parsed key (HMAC secret, RSA, EC P-256/P-384/P-521, Ed25519; private or
//! public), bound to the algorithms of its own kind. Keys are parsed once, at creation
//! (`key_der` for PEM/DER, `key_jwk` for JWK); signing and verifying never re-parse text.

use p521::ecdsa::signature::{Signer as _, Verifier as _};
use ring::rand::SystemRandom;
use ring::signature::{self as rsig, KeyPair as _};
use ring::{hmac, signature::EcdsaKeyPair, signature::Ed25519KeyPair, signature::RsaKeyPair};
use zeroize::Zeroizing;

use crate::alg::{Algorithm, Family};
use crate::error::{Error, Result};

/// RFC 7518 §3.3: RSA keys of 2048 bits or larger are required.
pub const MIN_RSA_BITS: usize = 2048;
/// The largest modulus ring verifies with.
pub const MAX_RSA_BITS: usize = 8192;
/// Signing keys stop at 4096 bits (ring's limit, kept with every backend).
pub const MAX_RSA_PRIVATE_BITS: usize = 4096;

pub struct Key {
    pub(crate) material: Material,
    pub(crate) restrictions: Restrictions,
    /// The private half of an RSA, EC or Ed25519 key as canonical PKCS#8 DER, kept for
    /// export (`key_export`): ring does not give private components back. Wiped on drop.
    pub(crate) private_der: Option<Zeroizing<Vec<u8>>>,
    /// RustCrypto's form of an RSA private key, built on first RSA-OAEP decryption and
    /// kept (ring has no RSA decryption). Zeroized on drop by the `rsa` crate.
    pub(crate) rsa_decryption: std::sync::OnceLock<std::result::Result<rsa::RsaPrivateKey, ()>>,
}

/// Limits a JWK may put on its key (RFC 7517 §4.2–4.4). Keys from PEM/DER/secret have none.
#[derive(Default, Clone)]
pub(crate) struct Restrictions {
    pub kid: Option<String>,
    /// The JWK `alg` as written; the key serves only that algorithm.
    pub alg: Option<String>,
    pub may_sign: bool,
    pub may_verify: bool,
    /// JWE (`src/jwe`): whether the JWK's `use`/`key_ops` allow encrypting to it
    /// (`encrypt`, `wrapKey`, `deriveKey`) and decrypting with it (`decrypt`,
    /// `unwrapKey`, `deriveKey`). `use: "sig"` forbids both, `use: "enc"` forbids JWS.
    pub may_encrypt: bool,
    pub may_decrypt: bool,
    /// The JWK `use` and `key_ops` as written, for export.
    pub use_: Option<String>,
    pub key_ops: Option<Vec<String>>,
}

impl Restrictions {
    pub fn none() -> Self {
        Restrictions {
            kid: None,
            alg: None,
            may_sign: true,
            may_verify: true,
            may_encrypt: true,
            may_decrypt: true,
            use_: None,
            key_ops: None,
        }
    }
}

pub(crate) enum Material {
    Secret { secret: Zeroizing<Vec<u8>>, allow_short: bool, keys: Box<[hmac::Key; 3]> },
    RsaPrivate(RsaKeyPair),
    RsaPublic { n: Vec<u8>, e: Vec<u8> },
    EcPrivate { family: Family, pair: EcdsaKeyPair },
    /// Uncompressed SEC1 point, checked to be on the curve at creation.
    EcPublic { family: Family, point: Vec<u8> },
    /// The verifying half is derived once, at creation.
    P521Private(Box<(p521::ecdsa::SigningKey, p521::ecdsa::VerifyingKey)>),
    P521Public(Box<p521::ecdsa::VerifyingKey>),
    Ed25519Private(Ed25519KeyPair),
    Ed25519Public([u8; 32]),
    /// X25519 (RFC 7748, RFC 8037): key agreement for JWE `ECDH-ES`, never signatures.
    /// The secret is wiped on drop (x25519-dalek's `zeroize`).
    X25519Private(Box<x25519_dalek::StaticSecret>),
    X25519Public([u8; 32]),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Sign,
    Verify,
}

impl Key {
    pub(crate) fn new(material: Material) -> Key {
        Key { material, restrictions: Restrictions::none(), private_der: None, rsa_decryption: Default::default() }
    }

    /// An HMAC secret. Bytes with the shape of key material (PEM, a DER key or
    /// certificate, a JWK, an OpenSSH public key) are refused, loadable or not.
    /// Secrets shorter than the hash output of the algorithm they are
    /// used with are refused then (RFC 7518 §3.2); see [`Key::from_secret_legacy`].
    pub fn from_secret(secret: &[u8]) -> Result<Key> {
        Self::secret(secret, false)
    }

    /// An HMAC secret that may be shorter than the hash output: only for verifying or
    /// issuing tokens of legacy systems whose secret cannot be changed.
    pub fn from_secret_legacy(secret: &[u8]) -> Result<Key> {
        Self::secret(secret, true)
    }

    fn secret(secret: &[u8], allow_short: bool) -> Result<Key> {
        if let Some(shape) = crate::key_shape::key_material_shape(secret) {
            return Err(Error::KeyNotSecret(format!(
                "an HMAC secret must not be key material, and this is {shape}; load it as a key instead"
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

    /// A PEM document: PKCS#8, PKCS#1 (RSA), SEC1 (EC), SPKI or an X.509 certificate.
    pub fn from_pem(pem: &[u8]) -> Result<Key> {
        let mut key = crate::key_der::from_pem(pem)?;
        crate::key_export::attach_private_der(&mut key, pem, true);
        Ok(key)
    }

    /// The same formats as [`Key::from_pem`], DER-encoded.
    pub fn from_der(der: &[u8]) -> Result<Key> {
        let mut key = crate::key_der::from_der(der)?;
        crate::key_export::attach_private_der(&mut key, der, false);
        Ok(key)
    }

    /// One JSON Web Key (RFC 7517); its `kid`, `alg`, `use` and `key_ops` are enforced.
    pub fn from_jwk(json: &[u8]) -> Result<Key> {
        crate::key_jwk::from_jwk(json)
    }

    pub fn kid(&self) -> Option<&str> {
        self.restrictions.kid.as_deref()
    }

    /// The JWK `alg` this key is restricted to, as written (None: any algorithm of its family).
    pub fn alg_restriction(&self) -> Option<&str> {
        self.restrictions.alg.as_deref()
    }

    /// Whether the JWK's `use`/`key_ops` allow verification (always true outside JWKs).
    pub fn may_verify(&self) -> bool {
        self.restrictions.may_verify
    }

    pub fn family(&self) -> Family {
        match &self.material {
            Material::Secret { .. } => Family::Hmac,
            Material::RsaPrivate(_) | Material::RsaPublic { .. } => Family::Rsa,
            Material::EcPrivate { family, .. } | Material::EcPublic { family, .. } => *family,
            Material::P521Private(_) | Material::P521Public(_) => Family::EcP521,
            Material::Ed25519Private(_) | Material::Ed25519Public(_) => Family::Ed25519,
            Material::X25519Private(_) | Material::X25519Public(_) => Family::X25519,
        }
    }

    pub fn is_private(&self) -> bool {
        matches!(
            self.material,
            Material::Secret { .. }
                | Material::RsaPrivate(_)
                | Material::EcPrivate { .. }
                | Material::P521Private(_)
                | Material::Ed25519Private(_)
                | Material::X25519Private(_)
        )
    }

    fn describe(&self) -> String {
        let fam = self.family().describe();
        match (self.family(), self.is_private()) {
            (Family::Hmac, _) => fam.to_string(),
            (_, true) => format!("{fam} (private)"),
            (_, false) => format!("{fam} (public)"),
        }
    }

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
            return Err(Error::KeyCannotSign(format!(
                "cannot sign {} with {}",
                alg.name(),
                self.describe()
            )));
        }
        let r = &self.restrictions;
        if let Some(key_alg) = &r.alg {
            if Algorithm::from_name(key_alg).ok() != Some(alg) {
                return Err(Error::KeyUsage(format!(
                    "the JWK is restricted to `alg` `{}`, not {}",
                    crate::error::excerpt(key_alg, 32),
                    alg.name()
                )));
            }
        }
        match op {
            Op::Sign if !r.may_sign => {
                return Err(Error::KeyUsage("the JWK's `use`/`key_ops` do not allow signing".into()))
            }
            Op::Verify if !r.may_verify => {
                return Err(Error::KeyUsage(
                    "the JWK's `use`/`key_ops` do not allow verification".into(),
                ))
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
            Material::P521Private(key) => {
                let sig: p521::ecdsa::Signature = key.0.try_sign(msg).map_err(|_| failed("ECDSA P-521"))?;
                Ok(sig.to_bytes().to_vec())
            }
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
            Material::Secret { keys, .. } => {
                hmac::verify(&keys[hmac_index(alg)], msg, sig).map_err(|_| bad())
            }
            Material::RsaPrivate(pair) => {
                rsig::UnparsedPublicKey::new(rsa_verify_params(alg), pair.public_key().as_ref())
                    .verify(msg, sig)
                    .map_err(|_| bad())
            }
            Material::RsaPublic { n, e } => rsig::RsaPublicKeyComponents { n, e }
                .verify(rsa_verify_params(alg), msg, sig)
                .map_err(|_| bad()),
            Material::EcPrivate { pair, .. } => {
                rsig::UnparsedPublicKey::new(ecdsa_verify_params(alg), pair.public_key().as_ref())
                    .verify(msg, sig)
                    .map_err(|_| bad())
            }
            Material::EcPublic { point, .. } => {
                rsig::UnparsedPublicKey::new(ecdsa_verify_params(alg), point)
                    .verify(msg, sig)
                    .map_err(|_| bad())
            }
            Material::P521Private(key) => p521_verify(&key.1, msg, sig).map_err(|_| bad()),
            Material::P521Public(key) => p521_verify(key, msg, sig).map_err(|_| bad()),
            Material::Ed25519Private(pair) => {
                rsig::UnparsedPublicKey::new(&rsig::ED25519, pair.public_key().as_ref())
                    .verify(msg, sig)
                    .map_err(|_| bad())
            }
            Material::Ed25519Public(public) => rsig::UnparsedPublicKey::new(&rsig::ED25519, public)
                .verify(msg, sig)
                .map_err(|_| bad()),
            Material::X25519Private(_) | Material::X25519Public(_) => {
                unreachable!("check_use refuses X25519 keys for every JWS algorithm")
            }
        }
    }
}

fn p521_verify(key: &p521::ecdsa::VerifyingKey, msg: &[u8], sig: &[u8]) -> std::result::Result<(), ()> {
    // from_slice refuses r or s equal to 0 or >= n.
    let sig = p521::ecdsa::Signature::from_slice(sig).map_err(|_| ())?;
    key.verify(msg, &sig).map_err(|_| ())
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
        Algorithm::ES256 => Some(64),
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

// ---- constructors shared by the PEM/DER and JWK parsers ----

/// Strips leading zero bytes of a big-endian integer.
pub(crate) fn trim_be(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

fn bit_len(be: &[u8]) -> usize {
    let be = trim_be(be);
    match be.first() {
        None => 0,
        Some(&top) => be.len() * 8 - top.leading_zeros() as usize,
    }
}

/// Checks an RSA modulus and exponent before ring ever sees them.
pub(crate) fn check_rsa_public(n: &[u8], e: &[u8]) -> Result<()> {
    let bits = bit_len(n);
    if bits < MIN_RSA_BITS {
        return Err(Error::KeyTooWeak(format!(
            "RSA modulus has {bits} bits; at least {MIN_RSA_BITS} are required (RFC 7518 §3.3)"
        )));
    }
    if bits > MAX_RSA_BITS {
        return Err(Error::KeyUnsupported(format!("RSA modulus has {bits} bits; at most {MAX_RSA_BITS} are supported")));
    }
    let e = trim_be(e);
    if e.len() > 4 || e.last().map_or(true, |b| b & 1 == 0) || (e.len() == 1 && e[0] < 3) {
        return Err(Error::KeyInvalid("RSA public exponent must be odd, at least 3 and below 2^32".into()));
    }
    check_not_roca(n)
}

/// Refuses RSA moduli with the fingerprint of ROCA (CVE-2017-15361: Infineon RSALib keys,
/// whose primes have the form k·M + (65537^a mod M) and can be factored). The test of
/// Nemec et al. (CCS 2017), as used by Let's Encrypt: n mod p lies in the subgroup
/// generated by 65537 for every small prime p below. A random key passes it with
/// probability about 2^-28.
fn check_not_roca(n: &[u8]) -> Result<()> {
    const PRIMES: [u32; 38] = [
        3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103,
        107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
    ];
    let fingerprinted = PRIMES.iter().all(|&p| {
        let residue = n.iter().fold(0u32, |r, &b| (r * 256 + u32::from(b)) % p);
        // Walk the powers of 65537 mod p (a cycle that returns to 1).
        let g = 65537 % p;
        let mut x = 1u32;
        loop {
            if x == residue {
                break true;
            }
            x = x * g % p;
            if x == 1 {
                break false;
            }
        }
    });
    if fingerprinted {
        return Err(Error::KeyTooWeak(
            "RSA modulus has the ROCA fingerprint (CVE-2017-15361): the key can be factored".into(),
        ));
    }
    Ok(())
}

pub(crate) fn rsa_public(n: &[u8], e: &[u8]) -> Result<Key> {
    check_rsa_public(n, e)?;
    Ok(Key::new(Material::RsaPublic { n: trim_be(n).to_vec(), e: trim_be(e).to_vec() }))
}

/// An RSA private key, under jwtkit's policy whatever the backend accepts: a modulus of
/// 2048 to 4096 bits and a public exponent of at least 65537 (`n`, `e` big-endian).
pub(crate) fn rsa_private(
    pair: std::result::Result<RsaKeyPair, ring::error::KeyRejected>,
    n: &[u8],
    e: &[u8],
) -> Result<Key> {
    let bits = bit_len(n);
    if bits < MIN_RSA_BITS {
        return Err(Error::KeyTooWeak(format!("RSA modulus is smaller than {MIN_RSA_BITS} bits (RFC 7518 §3.3)")));
    }
    if bits > MAX_RSA_PRIVATE_BITS {
        return Err(Error::KeyUnsupported(format!("RSA private keys over {MAX_RSA_PRIVATE_BITS} bits are not supported")));
    }
    let exponent = trim_be(e).iter().fold(0u64, |acc, b| acc.saturating_mul(256).saturating_add(u64::from(*b)));
    if exponent < 65537 {
        return Err(Error::KeyTooWeak(format!(
            "RSA private key has public exponent {exponent}; signing keys need at least 65537"
        )));
    }
    let pair = pair.map_err(|err| Error::KeyInvalid(format!("RSA private key rejected ({err})")))?;
    let public = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
    check_not_roca(&public.n)?;
    Ok(Key::new(Material::RsaPrivate(pair)))
}

pub(crate) fn coordinate_len(family: Family) -> usize {
    match family {
        Family::EcP256 => 32,
        Family::EcP384 => 48,
        _ => 66,
    }
}

/// An EC public key from a SEC1 point (compressed or not); checked to be on the curve.
pub(crate) fn ec_public(family: Family, point: &[u8]) -> Result<Key> {
    let not_on_curve = || Error::KeyInvalid(format!("EC point is not a valid {} point", curve_name(family)));
    let material = match family {
        Family::EcP256 => {
            use p256::elliptic_curve::sec1::ToEncodedPoint;
            let pk = p256::PublicKey::from_sec1_bytes(point).map_err(|_| not_on_curve())?;
            Material::EcPublic { family, point: pk.to_encoded_point(false).as_bytes().to_vec() }
        }
        Family::EcP384 => {
            let pk = p384::PublicKey::from_sec1_bytes(point).map_err(|_| not_on_curve())?;
            use p384::elliptic_curve::sec1::ToEncodedPoint;
            Material::EcPublic { family, point: pk.to_encoded_point(false).as_bytes().to_vec() }
        }
        Family::EcP521 => {
            let vk = p521::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| not_on_curve())?;
            Material::P521Public(Box::new(vk))
        }
        _ => unreachable!("not an EC family"),
    };
    Ok(Key::new(material))
}

/// An EC private key from its scalar; the public point is derived (and compared with
/// `public` when the encoding carries one).
pub(crate) fn ec_private(family: Family, scalar: &[u8], public: Option<&[u8]>) -> Result<Key> {
    let len = coordinate_len(family);
    let scalar = trim_be(scalar);
    if scalar.len() > len {
        return Err(Error::KeyInvalid(format!("EC private scalar is too long for {}", curve_name(family))));
    }
    let mut padded = Zeroizing::new(vec![0u8; len]);
    padded[len - scalar.len()..].copy_from_slice(scalar);
    let bad_scalar = || Error::KeyInvalid(format!("EC private scalar is not valid for {}", curve_name(family)));
    let derived: Vec<u8> = match family {
        Family::EcP256 => {
            use p256::elliptic_curve::sec1::ToEncodedPoint;
            let sk = p256::SecretKey::from_slice(&padded).map_err(|_| bad_scalar())?;
            sk.public_key().to_encoded_point(false).as_bytes().to_vec()
        }
        Family::EcP384 => {
            use p384::elliptic_curve::sec1::ToEncodedPoint;
            let sk = p384::SecretKey::from_slice(&padded).map_err(|_| bad_scalar())?;
            sk.public_key().to_encoded_point(false).as_bytes().to_vec()
        }
        Family::EcP521 => {
            let sk = p521::ecdsa::SigningKey::from_slice(&padded).map_err(|_| bad_scalar())?;
            let vk = p521::ecdsa::VerifyingKey::from(&sk);
            let derived = vk.to_encoded_point(false).as_bytes().to_vec();
            check_public_matches(family, &derived, public)?;
            let mut key = Key::new(Material::P521Private(Box::new((sk, vk))));
            key.private_der = Some(crate::key_export::ec_pkcs8(family, &padded, &derived)?);
            return Ok(key);
        }
        _ => unreachable!("not an EC family"),
    };
    check_public_matches(family, &derived, public)?;
    let signing = match family {
        Family::EcP256 => &rsig::ECDSA_P256_SHA256_FIXED_SIGNING,
        _ => &rsig::ECDSA_P384_SHA384_FIXED_SIGNING,
    };
    let pair = crate::backend::ecdsa_pair(signing, &padded, &derived)
        .map_err(|e| Error::KeyInvalid(format!("EC private key rejected: {e}")))?;
    let mut key = Key::new(Material::EcPrivate { family, pair });
    key.private_der = Some(crate::key_export::ec_pkcs8(family, &padded, &derived)?);
    Ok(key)
}

fn check_public_matches(family: Family, derived: &[u8], given: Option<&[u8]>) -> Result<()> {
    let Some(given) = given else { return Ok(()) };
    let given_key = ec_public(family, given)?;
    let given_point = match &given_key.material {
        Material::EcPublic { point, .. } => point.clone(),
        Material::P521Public(vk) => vk.to_encoded_point(false).as_bytes().to_vec(),
        _ => unreachable!(),
    };
    if given_point != derived {
        return Err(Error::KeyInvalid("EC public key does not match the private key".into()));
    }
    Ok(())
}

pub(crate) fn curve_name(family: Family) -> &'static str {
    match family {
        Family::EcP256 => "P-256",
        Family::EcP384 => "P-384",
        Family::EcP521 => "P-521",
        Family::Ed25519 => "Ed25519",
        Family::X25519 => "X25519",
        _ => "?",
    }
}

pub(crate) fn ed25519_public(x: &[u8]) -> Result<Key> {
    let x: [u8; 32] = x
        .try_into()
        .map_err(|_| Error::KeyInvalid(format!("Ed25519 public key must be 32 bytes, got {}", x.len())))?;
    Ok(Key::new(Material::Ed25519Public(x)))
}

pub(crate) fn ed25519_private(pair: std::result::Result<Ed25519KeyPair, ring::error::KeyRejected>) -> Result<Key> {
    let pair = pair.map_err(|e| Error::KeyInvalid(format!("Ed25519 private key rejected: {e}")))?;
    Ok(Key::new(Material::Ed25519Private(pair)))
}

/// An X25519 public key (RFC 8037 `OKP`/`X25519` `x`): 32 bytes. Low-order points are
/// refused when they are used (the shared secret would be all zeros).
pub(crate) fn x25519_public(x: &[u8]) -> Result<Key> {
    let x: [u8; 32] = x
        .try_into()
        .map_err(|_| Error::KeyInvalid(format!("X25519 public key must be 32 bytes, got {}", x.len())))?;
    Ok(Key::new(Material::X25519Public(x)))
}

/// An X25519 private key from its 32-byte scalar `d`; when `x` is given it must be the
/// matching public key.
pub(crate) fn x25519_private(d: &[u8], x: Option<&[u8]>) -> Result<Key> {
    if d.len() != 32 {
        return Err(Error::KeyInvalid(format!("X25519 private key must be 32 bytes, got {}", d.len())));
    }
    // Copied straight into the wiped array (no unwiped temporary); x25519-dalek takes
    // the array by value, a stack copy jwtkit cannot reach.
    let mut scalar = Zeroizing::new([0u8; 32]);
    scalar.copy_from_slice(d);
    let secret = x25519_dalek::StaticSecret::from(*scalar);
    if let Some(x) = x {
        if x25519_dalek::PublicKey::from(&secret).as_bytes() != x {
            return Err(Error::KeyInvalid("X25519 public key does not match the private key".into()));
        }
    }
    Ok(Key::new(Material::X25519Private(Box::new(secret))))
}
