//! Key generation (`Key::generate`) from the operating system's random source: HMAC secrets as long as
//! the algorithm's hash, P-256, P-384 and Ed25519 keys from ring (`SystemRandom`),
//! P-521 keys from RustCrypto's `p521` (`OsRng`, i.e. getrandom), which ring lacks, and
//! secp256k1 keys from a `SystemRandom` scalar, checked by `k256` like any imported key.
//! RSA generation is not offered: ring cannot generate RSA keys, and no RSA
//! generator in the RustCrypto family is one we are willing to put behind a
//! security-critical default (generate RSA keys with OpenSSL and load the PEM).

use ring::rand::{SecureRandom as _, SystemRandom};
use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING};
use zeroize::{Zeroize, Zeroizing};

use crate::alg::{Algorithm, Family};
use crate::error::{Error, Result};
use crate::key::checked::ec_private;
use crate::key::material::Key;
use crate::key::sign::hash_len;

fn rng_failed() -> Error {
    Error::InvalidArgument("the system random source failed".into())
}

impl Key {
    /// A new random key for `alg`, restricted to `alg` (its JWK export carries `alg`),
    /// without a `kid` (see [`Key::with_kid`] and [`Key::thumbprint`]). HMAC secrets
    /// have the hash's length (32, 48 or 64 bytes). RSA: `KeyUnsupported`.
    pub fn generate(alg: Algorithm) -> Result<Key> {
        let rng = SystemRandom::new();
        let mut key = match alg.family() {
            Family::Hmac => {
                let mut secret = Zeroizing::new(vec![0u8; hash_len(alg)]);
                rng.fill(&mut secret).map_err(|_| rng_failed())?;
                Key::from_secret(&secret)?
            }
            Family::EcP256 | Family::EcP384 => {
                let signing = if alg.family() == Family::EcP256 {
                    &ECDSA_P256_SHA256_FIXED_SIGNING
                } else {
                    &ECDSA_P384_SHA384_FIXED_SIGNING
                };
                // ring's PKCS#8 document is not wiped on drop; its copy is short-lived.
                let pkcs8 = EcdsaKeyPair::generate_pkcs8(signing, &rng).map_err(|_| rng_failed())?;
                Key::from_der(pkcs8.as_ref())?
            }
            Family::EcP521 => {
                let signing = p521::ecdsa::SigningKey::random(&mut p521::elliptic_curve::rand_core::OsRng);
                // `to_bytes` returns a plain array: wiped once copied into the wrapper.
                let mut bytes = signing.to_bytes();
                let scalar = Zeroizing::new(bytes.to_vec());
                bytes[..].zeroize();
                ec_private(Family::EcP521, &scalar, None)?
            }
            Family::EcSecp256k1 => {
                // 32 random bytes are a valid scalar unless they are 0 or >= n (odds 2^-128
                // each time): a few draws, never an endless loop.
                let mut scalar = Zeroizing::new([0u8; 32]);
                let mut draws = 0;
                loop {
                    rng.fill(&mut scalar[..]).map_err(|_| rng_failed())?;
                    draws += 1;
                    match ec_private(Family::EcSecp256k1, &scalar[..], None) {
                        Err(Error::KeyInvalid(_)) if draws < 4 => continue,
                        other => break other?,
                    }
                }
            }
            Family::Ed25519 => {
                let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| rng_failed())?;
                Key::from_der(pkcs8.as_ref())?
            }
            Family::X25519 => unreachable!("no JWS algorithm uses X25519"),
            Family::Rsa => {
                return Err(Error::KeyUnsupported(format!(
                    "{}: RSA key generation is not offered (ring cannot generate RSA keys); \
                     generate one with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072` \
                     and load the PEM",
                    alg.name()
                )))
            }
        };
        key.restrictions.alg = Some(alg.name().to_string());
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_sign_and_verify_and_rsa_is_not_offered() {
        for alg in Algorithm::ALL {
            match Key::generate(alg) {
                Ok(key) => {
                    assert_eq!(key.family(), alg.family());
                    assert!(key.is_private());
                    let sig = key.sign_bytes(alg, b"msg").unwrap();
                    key.verify_bytes(alg, b"msg", &sig).unwrap();
                    assert_eq!(key.alg_restriction(), Some(alg.name()));
                }
                Err(Error::KeyUnsupported(msg)) => {
                    assert_eq!(alg.family(), Family::Rsa, "{msg}");
                    assert!(msg.contains("not offered"), "{msg}");
                }
                Err(e) => panic!("{alg:?}: {e}"),
            }
        }
        let a = Key::generate(Algorithm::HS512).unwrap();
        let b = Key::generate(Algorithm::HS512).unwrap();
        assert_ne!(a.thumbprint().unwrap(), b.thumbprint().unwrap());
        assert_eq!(a.to_private_jwk().unwrap().len(), b.to_private_jwk().unwrap().len());
    }
}
