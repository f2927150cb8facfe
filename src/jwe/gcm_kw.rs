//! AES-GCM key wrap (`A128GCMKW`/`A192GCMKW`/`A256GCMKW`, RFC 7518 §4.7): the CEK
//! sealed with AES-GCM under the shared key, no additional data; the 96-bit IV and the
//! 128-bit tag travel in the header as `iv` and `tag` (base64url, lengths checked).

use serde_json::Value;
use zeroize::Zeroizing;

use crate::b64;
use crate::error::{Error, Result};
use crate::json::Object;
use crate::jwe::content;

/// The IV length, in bytes.
pub(crate) const IV_LEN: usize = 12;
/// The tag length, in bytes.
const TAG_LEN: usize = 16;

/// Seals `cek` under `kek` with `iv` (fresh random, [`IV_LEN`] bytes): the JWE
/// Encrypted Key and the header members `iv` and `tag`.
pub(crate) fn wrap(kek: &[u8], iv: &[u8], cek: &[u8]) -> Result<(Vec<u8>, Object)> {
    let (encrypted_key, tag) = content::gcm_seal(kek, iv, &[], cek)?;
    let mut members = Object::new();
    members.insert("iv".into(), Value::String(b64::encode(iv)));
    members.insert("tag".into(), Value::String(b64::encode(&tag)));
    Ok((encrypted_key, members))
}

fn member(header: &Object, name: &str, len: usize, alg_name: &str) -> Result<Vec<u8>> {
    let bytes = match header.get(name) {
        Some(Value::String(s)) => b64::decode(s.as_bytes(), &format!("header member `{name}`"))?,
        Some(_) => return Err(Error::HeaderInvalid(format!("member `{name}` must be a string"))),
        None => return Err(Error::HeaderInvalid(format!("member `{name}` is required with {alg_name}"))),
    };
    if bytes.len() != len {
        return Err(Error::HeaderInvalid(format!(
            "member `{name}` must be {len} bytes with {alg_name}, it has {}",
            bytes.len()
        )));
    }
    Ok(bytes)
}

/// Opens the JWE Encrypted Key with the header's `iv` and `tag`: a malformed or
/// missing member is an error; a key that does not open is `None`.
pub(crate) fn unwrap(
    kek: &[u8],
    header: &Object,
    encrypted_key: &[u8],
    alg_name: &str,
) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let iv = member(header, "iv", IV_LEN, alg_name)?;
    let tag = member(header, "tag", TAG_LEN, alg_name)?;
    Ok(content::gcm_open(kek, &iv, &[], encrypted_key, &tag))
}
