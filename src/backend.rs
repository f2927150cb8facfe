//! The cryptographic backend. ring by default; with the `aws-lc` feature, aws-lc-rs,
//! which mirrors ring's API and is bound to the name `ring` at the crate root (lib.rs),
//! so every module keeps writing `ring::…`. The few calls whose signatures differ
//! live here, and what aws-lc-rs has and ring lacks: ECDSA on P-521 and secp256k1,
//! AES-192-GCM and RSA key generation.

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

/// ECDSA on the curves ring lacks: P-521 (ES512) and secp256k1 (ES256K, RFC 8812). The
/// ring build signs and verifies with RustCrypto's `p521` and `k256`; the aws-lc build with
/// AWS-LC's own (`ECDSA_P521_SHA512_FIXED`, `ECDSA_P256K1_SHA256_FIXED`), several times
/// faster. Signatures are raw `r‖s` (132 and 64 bytes).
#[cfg(not(feature = "aws-lc"))]
pub(crate) enum ExtraEcdsaPair {
    P521(p521::ecdsa::SigningKey),
    Secp256k1(k256::ecdsa::SigningKey),
}

/// ES512 and ES256K key pairs: see the `ring` build's definition.
#[cfg(feature = "aws-lc")]
pub(crate) struct ExtraEcdsaPair(EcdsaKeyPair);

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
        #[cfg(not(feature = "aws-lc"))]
        {
            // RustCrypto derives the point as it makes the signing key: compare with that.
            let (pair, derived) = match family {
                Family::EcP521 => {
                    let sk = p521::ecdsa::SigningKey::from_slice(scalar).map_err(|_| PairRejected::BadScalar)?;
                    let derived = p521::ecdsa::VerifyingKey::from(&sk).to_encoded_point(false).as_bytes().to_vec();
                    (ExtraEcdsaPair::P521(sk), derived)
                }
                _ => {
                    use k256::elliptic_curve::sec1::ToEncodedPoint as _;
                    let sk = k256::ecdsa::SigningKey::from_slice(scalar).map_err(|_| PairRejected::BadScalar)?;
                    let derived = sk.verifying_key().as_affine().to_encoded_point(false).as_bytes().to_vec();
                    (ExtraEcdsaPair::Secp256k1(sk), derived)
                }
            };
            match point {
                Some(given) if given != derived.as_slice() => Err(PairRejected::Mismatch),
                _ => Ok((pair, derived)),
            }
        }
        #[cfg(feature = "aws-lc")]
        {
            // AWS-LC derives the point from the scalar and compares it with the one given;
            // without one, RustCrypto derives it (keys without their public half are rare).
            let derived;
            let point = match point {
                Some(given) => given,
                None => {
                    derived = derive_point(family, scalar).ok_or(PairRejected::BadScalar)?;
                    &derived
                }
            };
            let alg = match family {
                Family::EcP521 => &ring::signature::ECDSA_P521_SHA512_FIXED_SIGNING,
                _ => &ring::signature::ECDSA_P256K1_SHA256_FIXED_SIGNING,
            };
            let pair = ecdsa_pair(alg, scalar, point).map_err(|e| match is_mismatch(&e) {
                true => PairRejected::Mismatch,
                false => PairRejected::BadScalar,
            })?;
            Ok((ExtraEcdsaPair(pair), point.to_vec()))
        }
    }

    /// A signature of `msg`: `r‖s`.
    pub(crate) fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, ()> {
        #[cfg(not(feature = "aws-lc"))]
        {
            use p521::ecdsa::signature::Signer as _;
            match self {
                ExtraEcdsaPair::P521(sk) => {
                    let sig: p521::ecdsa::Signature = sk.try_sign(msg).map_err(|_| ())?;
                    Ok(sig.to_bytes().to_vec())
                }
                ExtraEcdsaPair::Secp256k1(sk) => {
                    let sig: k256::ecdsa::Signature = sk.try_sign(msg).map_err(|_| ())?;
                    Ok(sig.to_bytes().to_vec())
                }
            }
        }
        #[cfg(feature = "aws-lc")]
        {
            let sig = self.0.sign(&ring::rand::SystemRandom::new(), msg).map_err(|_| ())?;
            Ok(sig.as_ref().to_vec())
        }
    }
}

/// The uncompressed public point of a private scalar on P-521 or secp256k1 (RustCrypto);
/// None for a scalar that is 0 or not below the group order.
#[cfg(feature = "aws-lc")]
fn derive_point(family: Family, scalar: &[u8]) -> Option<Vec<u8>> {
    Some(match family {
        Family::EcP521 => {
            let sk = p521::ecdsa::SigningKey::from_slice(scalar).ok()?;
            p521::ecdsa::VerifyingKey::from(&sk).to_encoded_point(false).as_bytes().to_vec()
        }
        _ => {
            use k256::elliptic_curve::sec1::ToEncodedPoint as _;
            k256::SecretKey::from_slice(scalar).ok()?.public_key().to_encoded_point(false).as_bytes().to_vec()
        }
    })
}

/// Verifies an ES512 or ES256K signature (`r‖s`) with an uncompressed public point,
/// already checked to be on the curve. A secp256k1 signature whose `s` is above n/2
/// verifies as ECDSA defines it (and as ring does on P-256, and AWS-LC on secp256k1);
/// `k256` refuses such an `s` on its own (Bitcoin's low-S rule), so the ring build
/// verifies (r, n − s), which is valid exactly when (r, s) is.
pub(crate) fn extra_ecdsa_verify(family: Family, point: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), ()> {
    #[cfg(not(feature = "aws-lc"))]
    {
        use p521::ecdsa::signature::Verifier as _;
        match family {
            Family::EcP521 => {
                let key = p521::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| ())?;
                // from_slice refuses r or s equal to 0 or >= n.
                let sig = p521::ecdsa::Signature::from_slice(sig).map_err(|_| ())?;
                key.verify(msg, &sig).map_err(|_| ())
            }
            _ => {
                let key = k256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| ())?;
                let sig = k256::ecdsa::Signature::from_slice(sig).map_err(|_| ())?;
                let sig = sig.normalize_s().unwrap_or(sig);
                key.verify(msg, &sig).map_err(|_| ())
            }
        }
    }
    #[cfg(feature = "aws-lc")]
    {
        let alg = match family {
            Family::EcP521 => &ring::signature::ECDSA_P521_SHA512_FIXED,
            _ => &ring::signature::ECDSA_P256K1_SHA256_FIXED,
        };
        ring::signature::UnparsedPublicKey::new(alg, point).verify(msg, sig).map_err(|_| ())
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
