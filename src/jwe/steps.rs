//! The steps every JWE serialization shares, each in one place: reading `alg`, `enc`
//! and `zip` from a header, checking them against the policy, one recipient's key
//! management (key bound to `alg`, then the CEK wrapped or unwrapped), and the content
//! encryption (IV, encrypt or decrypt with its additional authenticated data, DEFLATE).
//! `compact` and `json` only say where each value sits in their serialization.

use serde_json::Value;
use zeroize::Zeroizing;

use crate::error::{excerpt, Error, Result};
use crate::json::{Kind, Object};
use crate::jwe::content::{self, Enc};
use crate::jwe::key_mgmt::{self, Alg, Op, Wrapped};
use crate::jwe::policy::JwePolicy;
use crate::jwe::zip;
use crate::key::Key;

/// A header member that must be a string, if present.
pub(crate) fn header_string<'a>(header: &'a Object, name: &str) -> Result<Option<&'a str>> {
    match header.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => {
            Err(Error::HeaderInvalid(format!("member `{name}` must be a string, got {}", Kind::of(other).name())))
        }
    }
}

/// The header's `alg`, which it must have, as jwtkit knows it (not yet checked against a
/// policy): `RSA1_5` is `AlgInsecure`, other names jwtkit lacks `AlgUnsupported`.
pub(crate) fn alg_of(header: &Object) -> Result<Alg> {
    let alg = header_string(header, "alg")?.ok_or_else(|| Error::HeaderInvalid("member `alg` is required".into()))?;
    Alg::from_name(alg)
}

/// The header's `enc`, which it must have.
pub(crate) fn enc_of(header: &Object) -> Result<Enc> {
    let enc = header_string(header, "enc")?
        .ok_or_else(|| Error::HeaderInvalid("member `enc` is required in a JWE header".into()))?;
    Enc::from_name(enc)
}

/// Whether the header says the plaintext was compressed (`zip: "DEF"`, the only one).
pub(crate) fn zip_of(header: &Object) -> Result<bool> {
    match header_string(header, "zip")? {
        None => Ok(false),
        Some("DEF") => Ok(true),
        Some(other) => {
            Err(Error::HeaderInvalid(format!("`zip` \"{}\" is not supported (only \"DEF\")", excerpt(other, 16))))
        }
    }
}

/// `alg` must be in the policy's allow-list.
pub(crate) fn check_alg_allowed(policy: &JwePolicy, alg: Alg) -> Result<()> {
    if policy.allows_alg(alg) {
        return Ok(());
    }
    let allowed: Vec<&str> = policy.algs().iter().map(|a| a.name()).collect();
    Err(Error::AlgNotAllowed(format!("{} is not in the JWE `alg` allow-list {allowed:?}", alg.name())))
}

/// `enc` must be in the policy's allow-list, and compression allowed if used.
pub(crate) fn check_content_allowed(policy: &JwePolicy, enc: Enc, compressed: bool) -> Result<()> {
    if !policy.allows_enc(enc) {
        let allowed: Vec<&str> = policy.encs().iter().map(|e| e.name()).collect();
        return Err(Error::EncNotAllowed(format!("{} is not in the `enc` allow-list {allowed:?}", enc.name())));
    }
    if compressed && !policy.zip_allowed() {
        return Err(Error::ZipNotAllowed("`zip` (compressed content) is refused unless the policy allows it".into()));
    }
    Ok(())
}

/// The header members a caller may give when encrypting: a JSON object whose `alg`/`enc`,
/// if present, agree with the requested ones, without `zip` (compression is an option)
/// or what key management sets (`epk`, `iv`, `tag`, `p2s`). `alg` is None where the header is shared
/// by recipients of different algorithms, and then may not name one.
pub(crate) fn caller_header(bytes: Option<&[u8]>, alg: Option<Alg>, enc: Option<Enc>) -> Result<Object> {
    let header = match bytes {
        Some(bytes) => crate::json::parse_object(bytes, "header")?,
        None => Object::new(),
    };
    for (name, value) in [("alg", alg.map(Alg::name)), ("enc", enc.map(Enc::name))] {
        match (header.get(name), value) {
            (None, _) => {}
            (Some(Value::String(s)), Some(value)) if s == value => {}
            (Some(other), Some(value)) => {
                return Err(Error::InvalidArgument(format!(
                    "header member `{name}` ({}) conflicts with the requested {value}",
                    excerpt(&other.to_string(), 32)
                )))
            }
            (Some(_), None) => {
                return Err(Error::InvalidArgument(format!(
                    "header member `{name}` is set by jwtkit, not in this header"
                )))
            }
        }
    }
    for name in ["zip", "epk", "iv", "tag", "p2s"] {
        if header.contains_key(name) {
            return Err(Error::InvalidArgument(format!(
                "header member `{name}` is set by jwtkit (compression is a separate option)"
            )));
        }
    }
    Ok(header)
}

/// Sender side of one recipient's key management: the key must fit `alg`/`enc`, then
/// the CEK is made (or, when `cek` is given, wrapped: several recipients share one).
/// `header` is the recipient's whole JOSE header so far (read for `apu`/`apv`).
pub(crate) fn wrap_for(
    key: &Key,
    alg: Alg,
    enc: Enc,
    header: &Object,
    cek: Option<&Zeroizing<Vec<u8>>>,
) -> Result<Wrapped> {
    key_mgmt::check_key(key, alg, enc, Op::Encrypt)?;
    let wrapped = key_mgmt::wrap(key, alg, enc, header, cek.map(|c| &c[..]))?;
    // A key management that makes its own CEK cannot carry a shared one.
    if cek.is_some_and(|cek| cek[..] != wrapped.cek[..]) {
        return Err(Error::InvalidArgument(format!(
            "{} cannot share the content key with other recipients; use it for a single recipient",
            alg.name()
        )));
    }
    Ok(wrapped)
}

/// The header members a recipient's key management made (`epk`, the GCM key wrap's
/// `iv`/`tag`, PBES2's `p2s`/`p2c`), taken out of `wrapped`: the sender puts them into
/// that recipient's header, whichever serialization. `already` says whether a header
/// holds the member (a `p2c` the caller set, which was the one used): it is not repeated.
pub(crate) fn key_members(wrapped: &mut Wrapped, already: impl Fn(&str) -> bool) -> Vec<(String, Value)> {
    std::mem::take(&mut wrapped.members).into_iter().filter(|(name, _)| !already(name)).collect()
}

/// Receiver side of one recipient's key management, first step: every rule binding
/// `key` to `alg`/`enc` (kind, size, private, JWK `alg`/`use`/`key_ops`).
pub(crate) fn key_fits(key: &Key, alg: Alg, enc: Enc) -> Result<()> {
    key_mgmt::check_key(key, alg, enc, Op::Decrypt)
}

/// Receiver side, second step (after [`key_fits`]): the CEK recovered. A wrapped key
/// that does not unwrap gives a random CEK, so the failure shows only as the content's
/// [`content::decryption_failed`].
pub(crate) fn unwrap_for(
    key: &Key,
    alg: Alg,
    enc: Enc,
    header: &Object,
    encrypted_key: &[u8],
    policy: &JwePolicy,
) -> Result<Zeroizing<Vec<u8>>> {
    key_mgmt::unwrap(key, alg, enc, header, encrypted_key, policy.max_p2c())
}

/// The content of a JWE, encrypted: initialization vector, ciphertext and tag.
pub(crate) struct Sealed {
    pub iv: Zeroizing<Vec<u8>>,
    pub ciphertext: Vec<u8>,
    pub tag: Vec<u8>,
}

/// Encrypts `plaintext` (DEFLATE first when `compress`) under `cek` with a fresh IV,
/// authenticating `aad` (the serialization's additional authenticated data).
pub(crate) fn seal(enc: Enc, cek: &[u8], aad: &[u8], plaintext: &[u8], compress: bool) -> Result<Sealed> {
    let iv = key_mgmt::random(enc.iv_len())?;
    let (ciphertext, tag) = if compress {
        content::encrypt(enc, cek, &iv, aad, &zip::deflate(plaintext))?
    } else {
        content::encrypt(enc, cek, &iv, aad, plaintext)?
    };
    Ok(Sealed { iv, ciphertext, tag })
}

/// Decrypts and authenticates the content; every failure is the one
/// [`content::decryption_failed`]. Inflating is [`inflate_if`], once it opened.
pub(crate) fn open(
    enc: Enc,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    content::decrypt(enc, cek, iv, aad, ciphertext, tag)
}

/// Inflates authenticated plaintext that was compressed, under the policy's cap.
pub(crate) fn inflate_if(
    compressed: bool,
    plaintext: Zeroizing<Vec<u8>>,
    policy: &JwePolicy,
) -> Result<Zeroizing<Vec<u8>>> {
    if compressed {
        zip::inflate(&plaintext, policy.max_inflated_len())
    } else {
        Ok(plaintext)
    }
}
