//! Content encryption (`enc`, RFC 7518 §5): A128GCM, A192GCM and A256GCM (the
//! backend's AEAD; AES-192-GCM through `backend`, since ring has none), and
//! A128CBC-HS256, A192CBC-HS384 and A256CBC-HS512 (RFC 7518 §5.2: AES-CBC from
//! RustCrypto `aes` + `cbc`, HMAC-SHA-2 from ring, the tag compared in constant time
//! before any decryption). Every way decryption can fail returns the same error.

use aes::cipher::{block_padding::Pkcs7, BlockCipher, BlockDecryptMut, BlockEncryptMut, KeyInit, KeyIvInit};
use ring::aead;
use ring::hmac;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The content encryption algorithms jwtkit implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Enc {
    /// `A128GCM`: AES-128 in GCM.
    A128Gcm,
    /// `A256GCM`: AES-256 in GCM.
    A256Gcm,
    /// `A128CBC-HS256`: AES-128 in CBC with HMAC-SHA-256 (RFC 7518 §5.2.3).
    A128CbcHs256,
    /// `A256CBC-HS512`: AES-256 in CBC with HMAC-SHA-512 (RFC 7518 §5.2.5).
    A256CbcHs512,
    /// `A192GCM`: AES-192 in GCM.
    A192Gcm,
    /// `A192CBC-HS384`: AES-192 in CBC with HMAC-SHA-384 (RFC 7518 §5.2.4).
    A192CbcHs384,
}

impl Enc {
    /// Every content encryption, in the order of the C numbering.
    pub const ALL: [Enc; 6] =
        [Enc::A128Gcm, Enc::A256Gcm, Enc::A128CbcHs256, Enc::A256CbcHs512, Enc::A192Gcm, Enc::A192CbcHs384];

    /// The registered name, as it appears in a header's `enc` (`"A256GCM"`).
    pub fn name(self) -> &'static str {
        match self {
            Enc::A128Gcm => "A128GCM",
            Enc::A256Gcm => "A256GCM",
            Enc::A128CbcHs256 => "A128CBC-HS256",
            Enc::A256CbcHs512 => "A256CBC-HS512",
            Enc::A192Gcm => "A192GCM",
            Enc::A192CbcHs384 => "A192CBC-HS384",
        }
    }

    /// Exact, case-sensitive match of a registered name.
    pub fn from_name(name: &str) -> Result<Enc> {
        if let Some(enc) = Enc::ALL.into_iter().find(|e| e.name() == name) {
            return Ok(enc);
        }
        let shown = crate::error::excerpt(name, 32);
        Err(Error::EncUnsupported(format!("`{shown}` is not a supported content encryption")))
    }

    /// Length of the content encryption key in bytes.
    pub fn cek_len(self) -> usize {
        match self {
            Enc::A128Gcm => 16,
            Enc::A192Gcm => 24,
            Enc::A256Gcm | Enc::A128CbcHs256 => 32,
            Enc::A192CbcHs384 => 48,
            Enc::A256CbcHs512 => 64,
        }
    }

    /// Length of the initialization vector in bytes.
    pub fn iv_len(self) -> usize {
        match self {
            Enc::A128Gcm | Enc::A192Gcm | Enc::A256Gcm => 12,
            Enc::A128CbcHs256 | Enc::A192CbcHs384 | Enc::A256CbcHs512 => 16,
        }
    }

    /// Length of the authentication tag in bytes.
    pub fn tag_len(self) -> usize {
        match self {
            Enc::A128Gcm | Enc::A192Gcm | Enc::A256Gcm | Enc::A128CbcHs256 => 16,
            Enc::A192CbcHs384 => 24,
            Enc::A256CbcHs512 => 32,
        }
    }
}

/// The one error every content decryption failure becomes (wrong key, modified
/// ciphertext, IV, tag or header, bad padding, wrong lengths): nothing about which
/// check failed reaches the caller, so there is no oracle to query.
pub(crate) fn decryption_failed() -> Error {
    Error::DecryptionFailed("the JWE could not be decrypted (wrong key, or the token was modified)".into())
}

fn internal(what: &str) -> Error {
    Error::InvalidArgument(format!("content encryption failed: {what}"))
}

/// AES-GCM with a 16-, 24- or 32-byte key, a 12-byte IV and a 16-byte tag: (ciphertext,
/// tag). Also the AES-GCM key wrap (`A*GCMKW`).
pub(crate) fn gcm_seal(key: &[u8], iv: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    let mut buf = plaintext.to_vec();
    let tag = match key.len() {
        24 => crate::backend::aes192_gcm_seal(key, iv, aad, &mut buf),
        _ => ring_gcm(key).and_then(|k| {
            let nonce = aead::Nonce::try_assume_unique_for_key(iv).map_err(|_| ())?;
            k.seal_in_place_separate_tag(nonce, aead::Aad::from(aad), &mut buf)
                .map(|t| t.as_ref().to_vec())
                .map_err(|_| ())
        }),
    }
    .map_err(|()| internal("AES-GCM seal"))?;
    Ok((buf, tag))
}

/// Opens what [`gcm_seal`] sealed; `None` on any failure.
pub(crate) fn gcm_open(key: &[u8], iv: &[u8], aad: &[u8], ciphertext: &[u8], tag: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if iv.len() != 12 || tag.len() != 16 {
        return None;
    }
    let mut buf = Zeroizing::new(Vec::with_capacity(ciphertext.len() + tag.len()));
    buf.extend_from_slice(ciphertext);
    buf.extend_from_slice(tag);
    let len = match key.len() {
        24 => crate::backend::aes192_gcm_open(key, iv, aad, &mut buf),
        _ => ring_gcm(key).and_then(|k| {
            let nonce = aead::Nonce::try_assume_unique_for_key(iv).map_err(|_| ())?;
            k.open_in_place(nonce, aead::Aad::from(aad), &mut buf).map(|p| p.len()).map_err(|_| ())
        }),
    }
    .ok()?;
    buf.truncate(len);
    Some(buf)
}

fn ring_gcm(key: &[u8]) -> std::result::Result<aead::LessSafeKey, ()> {
    let alg = match key.len() {
        16 => &aead::AES_128_GCM,
        32 => &aead::AES_256_GCM,
        _ => return Err(()),
    };
    aead::UnboundKey::new(alg, key).map(aead::LessSafeKey::new).map_err(|_| ())
}

/// Encrypts `plaintext` with `cek` and `iv` (lengths as `enc` needs), authenticating
/// `aad`. Returns (ciphertext, tag).
pub(crate) fn encrypt(enc: Enc, cek: &[u8], iv: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    if cek.len() != enc.cek_len() || iv.len() != enc.iv_len() {
        return Err(internal("wrong key or IV length"));
    }
    match enc {
        Enc::A128Gcm | Enc::A192Gcm | Enc::A256Gcm => gcm_seal(cek, iv, aad, plaintext),
        Enc::A128CbcHs256 | Enc::A192CbcHs384 | Enc::A256CbcHs512 => {
            let half = enc.cek_len() / 2;
            let (mac_key, enc_key) = cek.split_at(half);
            let ciphertext = match enc {
                Enc::A128CbcHs256 => cbc_encrypt::<aes::Aes128>(enc_key, iv, plaintext),
                Enc::A192CbcHs384 => cbc_encrypt::<aes::Aes192>(enc_key, iv, plaintext),
                _ => cbc_encrypt::<aes::Aes256>(enc_key, iv, plaintext),
            }?;
            let tag = cbc_hmac_tag(enc, mac_key, aad, iv, &ciphertext);
            Ok((ciphertext, tag))
        }
    }
}

fn cbc_encrypt<C>(key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>>
where
    C: BlockEncryptMut + BlockCipher + KeyInit,
{
    Ok(cbc::Encryptor::<C>::new_from_slices(key, iv)
        .map_err(|_| internal("AES-CBC key"))?
        .encrypt_padded_vec_mut::<Pkcs7>(plaintext))
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>>
where
    C: BlockDecryptMut + BlockCipher + KeyInit,
{
    cbc::Decryptor::<C>::new_from_slices(key, iv)
        .map_err(|_| decryption_failed())?
        .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
        .map(Zeroizing::new)
        .map_err(|_| decryption_failed())
}

/// Decrypts and authenticates. Any failure is [`decryption_failed`].
pub(crate) fn decrypt(
    enc: Enc,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    if cek.len() != enc.cek_len() || iv.len() != enc.iv_len() || tag.len() != enc.tag_len() {
        return Err(decryption_failed());
    }
    match enc {
        Enc::A128Gcm | Enc::A192Gcm | Enc::A256Gcm => {
            gcm_open(cek, iv, aad, ciphertext, tag).ok_or_else(decryption_failed)
        }
        Enc::A128CbcHs256 | Enc::A192CbcHs384 | Enc::A256CbcHs512 => {
            let half = enc.cek_len() / 2;
            let (mac_key, enc_key) = cek.split_at(half);
            // Authenticate first: CBC padding is only looked at for authentic input,
            // so it can never serve as an oracle.
            let expected = cbc_hmac_tag(enc, mac_key, aad, iv, ciphertext);
            if !bool::from(expected.ct_eq(tag)) {
                return Err(decryption_failed());
            }
            match enc {
                Enc::A128CbcHs256 => cbc_decrypt::<aes::Aes128>(enc_key, iv, ciphertext),
                Enc::A192CbcHs384 => cbc_decrypt::<aes::Aes192>(enc_key, iv, ciphertext),
                _ => cbc_decrypt::<aes::Aes256>(enc_key, iv, ciphertext),
            }
        }
    }
}

/// RFC 7518 §5.2.2.1: HMAC over AAD ‖ IV ‖ ciphertext ‖ AL (the AAD length in bits,
/// 64-bit big-endian), truncated to half the MAC's output.
fn cbc_hmac_tag(enc: Enc, mac_key: &[u8], aad: &[u8], iv: &[u8], ciphertext: &[u8]) -> Vec<u8> {
    let alg = match enc {
        Enc::A128CbcHs256 => hmac::HMAC_SHA256,
        Enc::A192CbcHs384 => hmac::HMAC_SHA384,
        _ => hmac::HMAC_SHA512,
    };
    let key = hmac::Key::new(alg, mac_key);
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(aad);
    ctx.update(iv);
    ctx.update(ciphertext);
    ctx.update(&((aad.len() as u64) * 8).to_be_bytes());
    let full = ctx.sign();
    full.as_ref()[..enc.tag_len()].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    /// RFC 7518 Appendix B.1 (AES_128_CBC_HMAC_SHA_256).
    #[test]
    fn rfc7518_b1_a128cbc_hs256() {
        let k = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        let p = hex("41206369706865722073797374656d206d757374206e6f7420626520726571756972656420746f206265207365637265742c20616e64206974206d7573742062652061626c6520746f2066616c6c20696e746f207468652068616e6473206f662074686520656e656d7920776974686f757420696e636f6e76656e69656e6365");
        let iv = hex("1af38c2dc2b96ffdd86694092341bc04");
        let a = hex("546865207365636f6e64207072696e6369706c65206f662041756775737465204b6572636b686f666673");
        let (c, t) = encrypt(Enc::A128CbcHs256, &k, &iv, &a, &p).unwrap();
        assert_eq!(c, hex("c80edfa32ddf39d5ef00c0b468834279a2e46a1b8049f792f76bfe54b903a9c9a94ac9b47ad2655c5f10f9aef71427e2fc6f9b3f399a221489f16362c703233609d45ac69864e3321cf82935ac4096c86e133314c54019e8ca7980dfa4b9cf1b384c486f3a54c51078158ee5d79de59fbd34d848b3d69550a67646344427ade54b8851ffb598f7f80074b9473c82e2db"));
        assert_eq!(t, hex("652c3fa36b0a7c5b3219fab3a30bc1c4"));
        assert_eq!(&decrypt(Enc::A128CbcHs256, &k, &iv, &a, &c, &t).unwrap()[..], &p[..]);
        let mut bad = t.clone();
        bad[15] ^= 1;
        assert_eq!(decrypt(Enc::A128CbcHs256, &k, &iv, &a, &c, &bad).unwrap_err(), decryption_failed());
    }

    #[test]
    fn every_enc_round_trips_and_every_modification_fails_alike() {
        for enc in Enc::ALL {
            let cek: Vec<u8> = (0..enc.cek_len() as u8).collect();
            let iv = vec![7u8; enc.iv_len()];
            let (c, t) = encrypt(enc, &cek, &iv, b"aad", b"hello world").unwrap();
            assert_eq!(&decrypt(enc, &cek, &iv, b"aad", &c, &t).unwrap()[..], b"hello world");
            let mut c2 = c.clone();
            c2[0] ^= 1;
            let mut iv2 = iv.clone();
            iv2[0] ^= 1;
            for e in [
                decrypt(enc, &cek, &iv, b"aaD", &c, &t),
                decrypt(enc, &cek, &iv, b"aad", &c2, &t),
                decrypt(enc, &cek, &iv2, b"aad", &c, &t),
                decrypt(enc, &cek, &iv, b"aad", &c, &t[..t.len() - 1]),
                decrypt(enc, &cek, &iv[1..], b"aad", &c, &t),
                decrypt(enc, &cek[1..], &iv, b"aad", &c, &t),
            ] {
                assert_eq!(e.unwrap_err(), decryption_failed(), "{}", enc.name());
            }
        }
    }
}
