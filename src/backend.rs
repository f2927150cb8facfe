//! The cryptographic backend. ring by default; with the `aws-lc` feature, aws-lc-rs,
//! which mirrors ring's API and is bound to the name `ring` at the crate root (lib.rs),
//! so every module keeps writing `ring::…`. The few calls whose signatures differ
//! live here, and what aws-lc-rs has and ring lacks: ECDSA on P-521 (ES256K is
//! RustCrypto's `k256` in both builds), AES-192-GCM and RSA key generation.

#[cfg(all(feature = "ring", feature = "aws-lc"))]
compile_error!("enable one backend: the default `ring`, or `--no-default-features --features aws-lc`");
#[cfg(not(any(feature = "ring", feature = "aws-lc")))]
compile_error!("no cryptographic backend: enable the feature `ring` (default) or `aws-lc`");

use ring::error::KeyRejected;
use ring::signature::{EcdsaKeyPair, EcdsaSigningAlgorithm};

use crate::alg::Family;

/// An ECDSA key pair from a SEC1 private scalar and public point (ring wants an RNG
/// here to check the pair; aws-lc-rs does not).
pub(crate) fn ecdsa_pair(
    alg: &'static EcdsaSigningAlgorithm,
    private: &[u8],
    public: &[u8],
) -> Result<EcdsaKeyPair, KeyRejected> {
    #[cfg(feature = "aws-lc")]
    return EcdsaKeyPair::from_private_key_and_public_key(alg, private, public);
    #[cfg(not(feature = "aws-lc"))]
    return EcdsaKeyPair::from_private_key_and_public_key(alg, private, public, &ring::rand::SystemRandom::new());
}

/// Whether the backend refused a key pair because its public half is not its private
/// half's (rather than for a malformed or out-of-range part). Both backends name the
/// reason in `KeyRejected`'s text, and only there.
pub(crate) fn is_mismatch(rejected: &KeyRejected) -> bool {
    rejected.to_string() == "InconsistentComponents"
}

/// ECDSA on the curves ring lacks: P-521 (ES512) and secp256k1 (ES256K, RFC 8812).
/// P-521: RustCrypto's `p521` in the ring build, AWS-LC's own (`ECDSA_P521_SHA512_FIXED`,
/// 4–5× faster) in the aws-lc build. secp256k1: RustCrypto's `k256` in both, whose
/// precomputed tables make it 3–4× faster than AWS-LC's generic secp256k1 code.
/// Signatures are raw `r‖s` (132 and 64 bytes).
pub(crate) enum ExtraEcdsaPair {
    #[cfg(not(feature = "aws-lc"))]
    P521(p521::ecdsa::SigningKey),
    #[cfg(feature = "aws-lc")]
    P521(EcdsaKeyPair),
    Secp256k1(k256::ecdsa::SigningKey),
}

/// Why `ExtraEcdsaPair::new` refused a key.
pub(crate) enum PairRejected {
    /// The scalar is 0 or not below the group order.
    BadScalar,
    /// The public point given is not the scalar's.
    Mismatch,
}

impl ExtraEcdsaPair {
    /// The key pair of a private scalar (padded to the curve size) and its uncompressed
    /// public point. `point` is the one the key file carried, or None to derive it; a
    /// given point is checked against the scalar (never trusted), and the pair comes back
    /// with the point it holds.
    pub(crate) fn new(family: Family, scalar: &[u8], point: Option<&[u8]>) -> Result<(Self, Vec<u8>), PairRejected> {
        if family == Family::EcP521 {
            return p521_pair(scalar, point);
        }
        // RustCrypto derives the point as it makes the signing key: compare with that.
        use k256::elliptic_curve::sec1::ToEncodedPoint as _;
        let sk = k256::ecdsa::SigningKey::from_slice(scalar).map_err(|_| PairRejected::BadScalar)?;
        let derived = sk.verifying_key().as_affine().to_encoded_point(false).as_bytes().to_vec();
        matches_given(point, &derived)?;
        Ok((ExtraEcdsaPair::Secp256k1(sk), derived))
    }

    /// A signature of `msg`: `r‖s`.
    pub(crate) fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, ()> {
        use k256::ecdsa::signature::Signer as _;
        match self {
            #[cfg(not(feature = "aws-lc"))]
            ExtraEcdsaPair::P521(sk) => {
                let sig: p521::ecdsa::Signature = sk.try_sign(msg).map_err(|_| ())?;
                Ok(sig.to_bytes().to_vec())
            }
            #[cfg(feature = "aws-lc")]
            ExtraEcdsaPair::P521(pair) => {
                let sig = pair.sign(&ring::rand::SystemRandom::new(), msg).map_err(|_| ())?;
                Ok(sig.as_ref().to_vec())
            }
            ExtraEcdsaPair::Secp256k1(sk) => {
                let sig: k256::ecdsa::Signature = sk.try_sign(msg).map_err(|_| ())?;
                Ok(sig.to_bytes().to_vec())
            }
        }
    }
}

fn matches_given(given: Option<&[u8]>, derived: &[u8]) -> Result<(), PairRejected> {
    match given {
        Some(given) if given != derived => Err(PairRejected::Mismatch),
        _ => Ok(()),
    }
}

/// A P-521 pair with RustCrypto, which derives the point as it makes the signing key.
#[cfg(not(feature = "aws-lc"))]
fn p521_pair(scalar: &[u8], point: Option<&[u8]>) -> Result<(ExtraEcdsaPair, Vec<u8>), PairRejected> {
    let sk = p521::ecdsa::SigningKey::from_slice(scalar).map_err(|_| PairRejected::BadScalar)?;
    let derived = p521::ecdsa::VerifyingKey::from(&sk).to_encoded_point(false).as_bytes().to_vec();
    matches_given(point, &derived)?;
    Ok((ExtraEcdsaPair::P521(sk), derived))
}

/// A P-521 pair with AWS-LC, which derives the scalar's point and compares it with the one
/// given; without one, RustCrypto derives it (keys without their public half are rare).
#[cfg(feature = "aws-lc")]
fn p521_pair(scalar: &[u8], point: Option<&[u8]>) -> Result<(ExtraEcdsaPair, Vec<u8>), PairRejected> {
    let derived;
    let point = match point {
        Some(given) => given,
        None => {
            let sk = p521::ecdsa::SigningKey::from_slice(scalar).map_err(|_| PairRejected::BadScalar)?;
            derived = p521::ecdsa::VerifyingKey::from(&sk).to_encoded_point(false).as_bytes().to_vec();
            &derived
        }
    };
    let pair =
        ecdsa_pair(&ring::signature::ECDSA_P521_SHA512_FIXED_SIGNING, scalar, point).map_err(
            |e| match is_mismatch(&e) {
                true => PairRejected::Mismatch,
                false => PairRejected::BadScalar,
            },
        )?;
    Ok((ExtraEcdsaPair::P521(pair), point.to_vec()))
}

/// Verifies an ES512 or ES256K signature (`r‖s`) with an uncompressed public point,
/// already checked to be on the curve. A secp256k1 signature whose `s` is above n/2
/// verifies as ECDSA defines it (as ring does on P-256, and AWS-LC on secp256k1); `k256`
/// refuses such an `s` on its own (Bitcoin's low-S rule), so we verify (r, n − s), which
/// is valid exactly when (r, s) is.
pub(crate) fn extra_ecdsa_verify(family: Family, point: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), ()> {
    if family == Family::EcP521 {
        return p521_verify(point, msg, sig);
    }
    use k256::ecdsa::signature::Verifier as _;
    let key = k256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| ())?;
    // from_slice refuses r or s equal to 0 or >= n.
    let sig = k256::ecdsa::Signature::from_slice(sig).map_err(|_| ())?;
    let sig = sig.normalize_s().unwrap_or(sig);
    key.verify(msg, &sig).map_err(|_| ())
}

fn p521_verify(point: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), ()> {
    #[cfg(not(feature = "aws-lc"))]
    {
        use p521::ecdsa::signature::Verifier as _;
        let key = p521::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| ())?;
        // from_slice refuses r or s equal to 0 or >= n.
        let sig = p521::ecdsa::Signature::from_slice(sig).map_err(|_| ())?;
        key.verify(msg, &sig).map_err(|_| ())
    }
    #[cfg(feature = "aws-lc")]
    {
        ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P521_SHA512_FIXED, point)
            .verify(msg, sig)
            .map_err(|_| ())
    }
}

/// AES-192-GCM sealing in place (12-byte IV, 16-byte tag), for A192GCM and A192GCMKW:
/// ring has no AES-192, so the ring build uses RustCrypto's `aes-gcm`; aws-lc-rs has
/// `AES_192_GCM`. Returns the tag.
pub(crate) fn aes192_gcm_seal(key: &[u8], iv: &[u8], aad: &[u8], buf: &mut [u8]) -> Result<Vec<u8>, ()> {
    #[cfg(not(feature = "aws-lc"))]
    {
        use aes_gcm::aead::AeadInPlace as _;
        let (cipher, nonce) = aes192_gcm_rustcrypto(key, iv)?;
        cipher.encrypt_in_place_detached(&nonce, aad, buf).map(|t| t.to_vec()).map_err(|_| ())
    }
    #[cfg(feature = "aws-lc")]
    {
        let (key, nonce) = aes192_gcm_aws_lc(key, iv)?;
        key.seal_in_place_separate_tag(nonce, ring::aead::Aad::from(aad), buf)
            .map(|t| t.as_ref().to_vec())
            .map_err(|_| ())
    }
}

/// AES-192-GCM opening in place: `buf` is ciphertext ‖ tag (16 bytes); returns the
/// plaintext's length (at the start of `buf`).
pub(crate) fn aes192_gcm_open(key: &[u8], iv: &[u8], aad: &[u8], buf: &mut [u8]) -> Result<usize, ()> {
    let len = buf.len().checked_sub(16).ok_or(())?;
    #[cfg(not(feature = "aws-lc"))]
    {
        use aes_gcm::aead::AeadInPlace as _;
        let (cipher, nonce) = aes192_gcm_rustcrypto(key, iv)?;
        let (ciphertext, tag) = buf.split_at_mut(len);
        let tag = aes_gcm::Tag::from(<[u8; 16]>::try_from(&tag[..]).map_err(|_| ())?);
        cipher.decrypt_in_place_detached(&nonce, aad, ciphertext, &tag).map(|()| len).map_err(|_| ())
    }
    #[cfg(feature = "aws-lc")]
    {
        let (key, nonce) = aes192_gcm_aws_lc(key, iv)?;
        key.open_in_place(nonce, ring::aead::Aad::from(aad), buf).map(|_| len).map_err(|_| ())
    }
}

#[cfg(not(feature = "aws-lc"))]
type Aes192Gcm = aes_gcm::AesGcm<aes::Aes192, aes_gcm::aead::consts::U12>;

#[cfg(not(feature = "aws-lc"))]
fn aes192_gcm_rustcrypto(key: &[u8], iv: &[u8]) -> Result<(Aes192Gcm, aes_gcm::Nonce<aes_gcm::aead::consts::U12>), ()> {
    use aes_gcm::aead::KeyInit as _;
    let iv = <[u8; 12]>::try_from(iv).map_err(|_| ())?;
    let cipher = Aes192Gcm::new_from_slice(key).map_err(|_| ())?;
    Ok((cipher, aes_gcm::Nonce::from(iv)))
}

#[cfg(feature = "aws-lc")]
fn aes192_gcm_aws_lc(key: &[u8], iv: &[u8]) -> Result<(ring::aead::LessSafeKey, ring::aead::Nonce), ()> {
    let key = ring::aead::UnboundKey::new(&ring::aead::AES_192_GCM, key).map_err(|_| ())?;
    let nonce = ring::aead::Nonce::try_assume_unique_for_key(iv).map_err(|_| ())?;
    Ok((ring::aead::LessSafeKey::new(key), nonce))
}

/// A new RSA key pair of `bits` (already checked: 2048, 3072 or 4096) with e = 65537, as
/// PKCS#8 DER. ring cannot generate RSA keys: the ring build uses RustCrypto's `rsa`
/// (random primes from the operating system's source, through `getrandom`); aws-lc-rs
/// generates them in AWS-LC. Either way the key is then loaded through the same checked
/// path as an imported one.
pub(crate) fn rsa_generate_pkcs8(bits: usize) -> Result<zeroize::Zeroizing<Vec<u8>>, String> {
    #[cfg(not(feature = "aws-lc"))]
    {
        use rsa::pkcs8::EncodePrivateKey as _;
        let mut rng = p521::elliptic_curve::rand_core::OsRng;
        let key = rsa::RsaPrivateKey::new(&mut rng, bits).map_err(|e| e.to_string())?;
        let der = key.to_pkcs8_der().map_err(|e| e.to_string())?;
        Ok(zeroize::Zeroizing::new(der.as_bytes().to_vec()))
    }
    #[cfg(feature = "aws-lc")]
    {
        use ring::encoding::AsDer as _;
        use ring::rsa::{KeyPair, KeySize};
        let size = match bits {
            2048 => KeySize::Rsa2048,
            3072 => KeySize::Rsa3072,
            4096 => KeySize::Rsa4096,
            _ => return Err(format!("{bits} bits is not a size aws-lc-rs generates")),
        };
        let pair = KeyPair::generate(size).map_err(|_| "AWS-LC could not generate the key".to_string())?;
        let der = pair.as_der().map_err(|_| "AWS-LC could not encode the key".to_string())?;
        Ok(zeroize::Zeroizing::new(der.as_ref().to_vec()))
    }
}
