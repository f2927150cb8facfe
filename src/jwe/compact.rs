//! JWE compact serialization (RFC 7516 §7.1): `encrypt` and `decrypt`.
//! `BASE64URL(header) . BASE64URL(encrypted key) . BASE64URL(iv) . BASE64URL(ciphertext)
//! . BASE64URL(tag)`, the encoded header being the additional authenticated data.
//!
//! Decryption is one straight path, each step only narrowing what is accepted: size →
//! five segments (a JWS is named as such) → header (strict base64url and JSON) → `crit`
//! → `alg` known, not `RSA1_5`, in the allow-list → `enc` known, in the allow-list →
//! `zip` allowed → key fits `alg`/`enc` → CEK → content decrypted and authenticated →
//! inflated under the cap. Nothing in the token chooses the key or widens a list; with
//! several keys its `kid` only narrows which of the caller's keys are tried
//! (`jwe::choice`).

use zeroize::Zeroizing;

use crate::b64;
use crate::error::{Error, Result};
use crate::json::Object;
use crate::jwe::choice::{Attempts, DecryptionKeys};
use crate::jwe::content::Enc;
use crate::jwe::key_mgmt::Alg;
use crate::jwe::policy::JwePolicy;
use crate::jwe::steps;
use crate::key::Key;

/// A JWE that decrypted and authenticated: its exact protected header and plaintext.
#[derive(Debug, Clone)]
pub struct Decrypted {
    /// The protected header JSON, exactly as sent.
    pub header_json: Vec<u8>,
    /// The protected header, parsed.
    pub header: Object,
    /// The key management algorithm it used.
    pub alg: Alg,
    /// The content encryption it used.
    pub enc: Enc,
    /// Wiped on drop.
    pub plaintext: Zeroizing<Vec<u8>>,
}

/// The five segments of a compact JWE, still encoded.
struct Segments<'a> {
    header: &'a [u8],
    encrypted_key: &'a [u8],
    iv: &'a [u8],
    ciphertext: &'a [u8],
    tag: &'a [u8],
}

fn split(token: &[u8], max_len: usize) -> Result<Segments<'_>> {
    if token.len() > max_len {
        return Err(Error::TokenTooLarge(format!("{} bytes is over the limit of {max_len}", token.len())));
    }
    if token.is_empty() {
        return Err(Error::TokenMalformed("empty token".into()));
    }
    if token.first() == Some(&b'{') {
        return Err(Error::TokenMalformed(
            "this is a JWE in JSON serialization, not compact: decrypt it with decrypt_json".into(),
        ));
    }
    if let Some(pos) = token.iter().position(|b| !b.is_ascii()) {
        return Err(Error::TokenMalformed(format!("non-ASCII byte at offset {pos}")));
    }
    let dots: Vec<usize> = token.iter().enumerate().filter(|(_, &b)| b == b'.').map(|(i, _)| i).take(5).collect();
    match dots.len() {
        4 => {}
        2 => {
            return Err(Error::TokenMalformed(
                "this is a JWS (3 segments), not a JWE: a compact JWE has 5 segments".into(),
            ))
        }
        n => {
            let found = if n == 5 { "more than 5".to_string() } else { (n + 1).to_string() };
            return Err(Error::TokenMalformed(format!("a compact JWE has 5 segments separated by '.', found {found}")));
        }
    }
    Ok(Segments {
        header: &token[..dots[0]],
        encrypted_key: &token[dots[0] + 1..dots[1]],
        iv: &token[dots[1] + 1..dots[2]],
        ciphertext: &token[dots[2] + 1..dots[3]],
        tag: &token[dots[3] + 1..],
    })
}

/// Encrypts `plaintext` to `key` as a compact JWE. `extra_header` (a JSON object) adds
/// protected header members such as `kid`, `typ`, `cty`, `apu`, `apv`, and `p2c` (PBES2
/// iterations, default 8192, at least 1000); its `alg`/`enc`, if present, must agree
/// with `alg`/`enc`, and it may not set `zip` (use `compress`) or what key management
/// sets (`epk`, `iv`, `tag`, `p2s`). A key from a JWK with a `kid` adds it unless the header sets one.
pub fn encrypt(
    key: &Key,
    alg: Alg,
    enc: Enc,
    plaintext: &[u8],
    extra_header: Option<&[u8]>,
    compress: bool,
) -> Result<String> {
    let mut header = steps::caller_header(extra_header, Some(alg), Some(enc))?;
    crate::header::check_header(&header)?;
    header.insert("alg".into(), alg.name().into());
    header.insert("enc".into(), enc.name().into());
    if compress {
        header.insert("zip".into(), "DEF".into());
    }
    if header.get("kid").is_none() {
        if let Some(kid) = key.kid() {
            header.insert("kid".into(), kid.into());
        }
    }
    let mut wrapped = steps::wrap_for(key, alg, enc, &header, None)?;
    for (name, value) in steps::key_members(&mut wrapped, |name| header.contains_key(name)) {
        header.insert(name, value);
    }
    let header_json = serde_json::to_vec(&header).map_err(|e| Error::Json(format!("header: {e}")))?;
    let aad = b64::encode(&header_json);
    let sealed = steps::seal(enc, &wrapped.cek, aad.as_bytes(), plaintext, compress)?;
    let mut token = aad;
    for part in [&wrapped.encrypted_key[..], &sealed.iv[..], &sealed.ciphertext[..], &sealed.tag[..]] {
        token.push('.');
        token.push_str(&b64::encode(part));
    }
    Ok(token)
}

/// Decrypts a compact JWE with `key` under `policy`. See the module comment.
pub fn decrypt(token: &[u8], key: &Key, policy: &JwePolicy) -> Result<Decrypted> {
    decrypt_as::<[&Key]>(token, policy, Keys::One(key))
}

/// Decrypts a compact JWE under `policy` with the keys of `keys` that its protected
/// header's `kid` chooses (see `jwe::choice`): keys with that `kid`, else keys without
/// one; every key when the token has no `kid`. Keys that cannot serve its `alg`/`enc`
/// are not tried, and at most the policy's `max_keys_tried` are. `KeyNotFound` when no
/// key is chosen; the misfit of the keys when none could be tried; else
/// `DecryptionFailed`.
pub fn decrypt_with_keys<K: DecryptionKeys + ?Sized>(token: &[u8], keys: &K, policy: &JwePolicy) -> Result<Decrypted> {
    decrypt_as(token, policy, Keys::Chosen(keys))
}

enum Keys<'a, K: ?Sized> {
    One(&'a Key),
    Chosen(&'a K),
}

fn decrypt_as<K: DecryptionKeys + ?Sized>(token: &[u8], policy: &JwePolicy, keys: Keys<'_, K>) -> Result<Decrypted> {
    let limits = policy.limits();
    let seg = split(token, limits.max_token_len)?;
    let (header_json, header) = crate::header::decode_header(seg.header, limits)?;
    crate::header::check_header(&header)?;
    let alg = steps::alg_of(&header)?;
    let enc = steps::enc_of(&header)?;
    let compressed = steps::zip_of(&header)?;
    steps::check_alg_allowed(policy, alg)?;
    steps::check_content_allowed(policy, enc, compressed)?;
    if let Keys::One(key) = keys {
        steps::key_fits(key, alg, enc)?;
    }
    let encrypted_key = b64::decode(seg.encrypted_key, "encrypted key")?;
    let iv = b64::decode(seg.iv, "initialization vector")?;
    let ciphertext = b64::decode(seg.ciphertext, "ciphertext")?;
    let tag = b64::decode(seg.tag, "authentication tag")?;
    let open = |cek: &[u8]| steps::open(enc, cek, &iv, seg.header, &ciphertext, &tag);
    let plaintext = match keys {
        Keys::One(key) => open(&steps::unwrap_for(key, alg, enc, &header, &encrypted_key, policy)?)?,
        Keys::Chosen(source) => {
            let all = source.decryption_keys()?;
            let kid = steps::header_string(&header, "kid")?;
            let mut attempts = Attempts::new(policy, source);
            match attempts.recipient(&all, kid, alg, enc, &header, &encrypted_key, open)? {
                Some((_, plaintext)) => plaintext,
                None => {
                    return Err(attempts.failure(|| match kid {
                        Some(kid) => source.kid_not_found(kid),
                        None => Error::KeyNotFound(format!(
                            "the token has no `kid`, and no key given can decrypt {}",
                            alg.name()
                        )),
                    }))
                }
            }
        }
    };
    let plaintext = steps::inflate_if(compressed, plaintext, policy)?;
    Ok(Decrypted { header_json, header, alg, enc, plaintext })
}
