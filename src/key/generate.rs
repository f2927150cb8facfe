//! Key generation (`Key::generate`, `Key::generate_rsa`) from the operating system's random
//! source: HMAC secrets as long as the algorithm's hash, P-256, P-384 and Ed25519 keys from
//! ring (`SystemRandom`), P-521 keys from RustCrypto's `p521` (`OsRng`, i.e. getrandom),
//! which ring lacks, secp256k1 keys from a `SystemRandom` scalar, checked by `k256` like
//! any imported key, and RSA keys of 2048, 3072 or 4096 bits from the backend
//! (`backend::rsa_generate_pkcs8`: RustCrypto's `rsa` with ring, AWS-LC with aws-lc),
//! loaded through the same checks as an imported PKCS#8 key.

use ring::rand::{SecureRandom as _, SystemRandom};
use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING};
use zeroize::{Zeroize, Zeroizing};

use crate::alg::{Algorithm, Family};
use crate::backend::rsa_generate_pkcs8;
use crate::error::{Error, Result};
use crate::key::checked::ec_private;
use crate::key::material::Key;
use crate::key::sign::hash_len;

fn rng_failed() -> Error {
    Error::InvalidArgument("the system random source failed".into())
}

impl Key {
    /// The RSA key sizes [`Key::generate_rsa`] makes: 2048 bits is the floor of RFC 7518
    /// §3.3, and 4096 the largest RSA signing key jwtkit accepts.
    pub const RSA_GENERATE_BITS: [usize; 3] = [2048, 3072, 4096];

    /// A new random key for `alg`, restricted to `alg` (its JWK export carries `alg`),
    /// without a `kid` (see [`Key::with_kid`] and [`Key::thumbprint`]). HMAC secrets
    /// have the hash's length (32, 48 or 64 bytes). RSA: `KeyUnsupported` (an RSA key's size
    /// is the caller's choice: [`Key::generate_rsa`]).
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
                    "{}: an RSA key's size is the caller's choice: generate it with \
                     Key::generate_rsa (C: jwtkit_key_generate_rsa) and 2048, 3072 or 4096 bits",
                    alg.name()
                )))
            }
        };
        key.restrictions.alg = Some(alg.name().to_string());
        Ok(key)
    }

    /// A new random RSA key pair of `bits`, one of [`Key::RSA_GENERATE_BITS`], with e = 65537.
    /// Restricted to `alg` when one is given (an RS* or PS* algorithm; its JWK export
    /// carries `alg`); without one, it serves every RSA algorithm: RS*, PS* and JWE
    /// `RSA-OAEP` / `RSA-OAEP-256`. No `kid` (see [`Key::with_kid`]). Slow: a fraction of a
    /// second (2048 bits, release build) to several seconds (4096 bits), varying from key
    /// to key: primes are searched for at random. Bad `bits` or a non-RSA `alg`: `InvalidArgument`.
    pub fn generate_rsa(alg: Option<Algorithm>, bits: usize) -> Result<Key> {
        if !Self::RSA_GENERATE_BITS.contains(&bits) {
            return Err(Error::InvalidArgument(format!(
                "RSA keys are generated with 2048, 3072 or 4096 bits, not {bits}"
            )));
        }
        if let Some(alg) = alg.filter(|a| a.family() != Family::Rsa) {
            return Err(Error::InvalidArgument(format!("{} is not an RSA algorithm", alg.name())));
        }
        let pkcs8 = rsa_generate_pkcs8(bits)
            .map_err(|why| Error::InvalidArgument(format!("RSA key generation failed: {why}")))?;
        let mut key = Key::from_der(&pkcs8)?;
        key.restrictions.alg = alg.map(|a| a.name().to_string());
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_sign_and_verify_and_rsa_needs_a_size() {
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
                    assert!(msg.contains("generate_rsa"), "{msg}");
                }
                Err(e) => panic!("{alg:?}: {e}"),
            }
        }
        let a = Key::generate(Algorithm::HS512).unwrap();
        let b = Key::generate(Algorithm::HS512).unwrap();
        assert_ne!(a.thumbprint().unwrap(), b.thumbprint().unwrap());
        assert_eq!(a.to_private_jwk().unwrap().len(), b.to_private_jwk().unwrap().len());
    }

    /// One 2048-bit key (generation is slow in debug builds): it loads through the checked
    /// path, serves every RSA algorithm, and round-trips through PKCS#8 and JWK.
    #[test]
    fn generated_rsa_keys_serve_every_rsa_algorithm() {
        let key = Key::generate_rsa(None, 2048).unwrap();
        assert_eq!(key.family(), Family::Rsa);
        assert!(key.is_private());
        assert_eq!(key.alg_restriction(), None);
        for alg in Algorithm::ALL.into_iter().filter(|a| a.family() == Family::Rsa) {
            let sig = key.sign_bytes(alg, b"msg").unwrap();
            key.verify_bytes(alg, b"msg", &sig).unwrap();
        }
        let again = Key::from_pem(key.to_private_pem().unwrap().as_bytes()).unwrap();
        assert_eq!(again.to_public_der().unwrap(), key.to_public_der().unwrap());
        let jwk = Key::from_jwk(key.to_private_jwk().unwrap().as_bytes()).unwrap();
        assert_eq!(jwk.thumbprint().unwrap(), key.thumbprint().unwrap());
        // The modulus is exactly 2048 bits: 256 bytes, top bit set.
        let public: serde_json::Value = serde_json::from_str(&key.to_public_jwk().unwrap()).unwrap();
        let n = crate::b64::decode(public["n"].as_str().unwrap().as_bytes(), "n").unwrap();
        assert_eq!(n.len(), 256);
        assert!(n[0] & 0x80 != 0);
        assert_eq!(public["e"], "AQAB");
    }

    #[test]
    fn rsa_generation_refuses_other_sizes_and_algorithms() {
        for bits in [0, 1024, 2047, 2049, 4097, 8192] {
            assert!(matches!(Key::generate_rsa(None, bits), Err(Error::InvalidArgument(_))), "{bits}");
        }
        let e = Key::generate_rsa(Some(Algorithm::ES256), 2048).err().unwrap();
        assert!(matches!(e, Error::InvalidArgument(ref m) if m.contains("not an RSA algorithm")), "{e}");
    }
}
