//! The primitives behind JWE, exposed only so that primitive-level test vectors
//! (Wycheproof `jwe_primitives`, `tests/jwe_primitives.rs`) and fuzz targets reach the
//! exact code the token paths run. Not a stable API: use `jwe::encrypt`/`jwe::decrypt`.

use serde_json::Value;
use zeroize::Zeroizing;

use crate::error::Result;
use crate::jwe::content::Enc;
pub use crate::jwe::pbes2::Prf;
pub use crate::jwe::rsa_oaep::OaepHash;
use crate::key::Key;

/// Content encryption (`enc`) with an explicit CEK and IV: (ciphertext, tag).
pub fn content_encrypt(enc: Enc, cek: &[u8], iv: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    crate::jwe::content::encrypt(enc, cek, iv, aad, plaintext)
}

/// Content decryption; every failure is the one `DecryptionFailed`.
pub fn content_decrypt(
    enc: Enc,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    crate::jwe::content::decrypt(enc, cek, iv, aad, ciphertext, tag)
}

/// AES key wrap (RFC 3394) with a 16- or 32-byte KEK.
pub fn aes_key_wrap(kek: &[u8], key: &[u8]) -> Result<Vec<u8>> {
    crate::jwe::key_mgmt::aes_wrap(kek, key)
}

/// AES key unwrap; `None` when the integrity check fails.
pub fn aes_key_unwrap(kek: &[u8], wrapped: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    crate::jwe::key_mgmt::aes_unwrap(kek, wrapped)
}

/// The ECDH shared secret Z of `private` and a peer's public JWK, validated exactly as a
/// token's `epk` is.
pub fn ecdh_shared_secret(private: &Key, peer_public_jwk: &Value) -> Result<Zeroizing<Vec<u8>>> {
    crate::jwe::ecdh::agree_static(private, Some(peer_public_jwk), "ECDH-ES")
}

/// RSAES-OAEP decryption with `hash` (also MGF1's) and an empty label; `None` when it
/// does not decrypt.
pub fn rsa_oaep_decrypt(private: &Key, hash: OaepHash, ciphertext: &[u8]) -> Result<Option<Zeroizing<Vec<u8>>>> {
    crate::jwe::rsa_oaep::decrypt(private, hash, ciphertext)
}

/// PBKDF2 with `prf` (the derivation of PBES2, without JOSE's salt prefix or `p2c`
/// bounds): `out.len()` bytes; `iterations` must be non-zero.
pub fn pbkdf2(prf: Prf, password: &[u8], salt: &[u8], iterations: u32, out: &mut [u8]) -> Result<()> {
    crate::jwe::pbes2::pbkdf2(prf, password, salt, iterations, out)
}

/// The Concat KDF of RFC 7518 §4.6.2 with SHA-256.
pub fn concat_kdf(z: &[u8], key_len: usize, algorithm_id: &str, apu: &[u8], apv: &[u8]) -> Zeroizing<Vec<u8>> {
    crate::jwe::concat_kdf::derive(z, key_len, algorithm_id, apu, apv)
}
