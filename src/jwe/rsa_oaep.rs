//! RSAES-OAEP key transport (RFC 7518 §4.3): `RSA-OAEP-256`/`-384`/`-512` (SHA-2,
//! MGF1 with the same hash) and `RSA-OAEP` (SHA-1), empty label, from RustCrypto `rsa` (ring has no RSA
//! encryption). Decryption is blinded; any failure is `None`, so that the caller can
//! continue with a random CEK and fail only at the content tag.

use ring::signature::KeyPair as _;
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::{BigUint, Oaep, RsaPrivateKey, RsaPublicKey};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::key::{Key, Material, MAX_RSA_BITS};

/// The OAEP hash, also MGF1's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OaepHash {
    /// `RSA-OAEP` (legacy).
    Sha1,
    /// `RSA-OAEP-256`.
    Sha256,
    /// `RSA-OAEP-384`.
    Sha384,
    /// `RSA-OAEP-512`.
    Sha512,
}

fn padding(hash: OaepHash) -> Oaep {
    match hash {
        OaepHash::Sha1 => Oaep::new::<sha1::Sha1>(),
        OaepHash::Sha256 => Oaep::new::<rsa::sha2::Sha256>(),
        OaepHash::Sha384 => Oaep::new::<rsa::sha2::Sha384>(),
        OaepHash::Sha512 => Oaep::new::<rsa::sha2::Sha512>(),
    }
}

fn public_key(key: &Key) -> Result<RsaPublicKey> {
    let (n, e) = match &key.material {
        Material::RsaPublic { n, e } => (n.clone(), e.clone()),
        Material::RsaPrivate(pair) => {
            let c = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
            (c.n, c.e)
        }
        _ => unreachable!("check_key ensured an RSA key"),
    };
    RsaPublicKey::new_with_max_size(BigUint::from_bytes_be(&n), BigUint::from_bytes_be(&e), MAX_RSA_BITS)
        .map_err(|e| Error::KeyInvalid(format!("RSA public key rejected for encryption: {e}")))
}

/// Encrypts the CEK to the key's public half.
pub(crate) fn encrypt(key: &Key, hash: OaepHash, cek: &[u8]) -> Result<Vec<u8>> {
    let public = public_key(key)?;
    let mut rng = p256::elliptic_curve::rand_core::OsRng;
    public
        .encrypt(&mut rng, padding(hash), cek)
        .map_err(|e| Error::InvalidArgument(format!("RSA-OAEP encryption failed: {e}")))
}

/// Decrypts the JWE Encrypted Key; `None` when it does not decrypt.
pub(crate) fn decrypt(key: &Key, hash: OaepHash, encrypted_key: &[u8]) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let unusable = || Error::KeyUnsupported("this RSA private key cannot be used for decryption".into());
    let der = key.private_der.as_deref().ok_or_else(unusable)?;
    // Parsed once per key, on first use, then reused.
    let private = key
        .rsa_decryption
        .get_or_init(|| RsaPrivateKey::from_pkcs8_der(der).map_err(|_| ()))
        .as_ref()
        .map_err(|_| unusable())?;
    let mut rng = p256::elliptic_curve::rand_core::OsRng;
    Ok(private.decrypt_blinded(&mut rng, padding(hash), encrypted_key).ok().map(Zeroizing::new))
}
