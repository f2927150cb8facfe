//! PBES2 (RFC 7518 §4.8): a password turned into the AES key wrap key by PBKDF2 (the
//! backend's `pbkdf2`), salted with UTF8(alg) ‖ 0x00 ‖ `p2s`, `p2c` iterations.
//!
//! `p2c` is bounded on both sides before any derivation: at least
//! [`MIN_P2C`] (RFC 7518 §4.8.1.2), at most the caller's cap (a token asking for a
//! billion iterations would otherwise buy minutes of CPU with a few bytes). `p2s` is at
//! least 8 bytes (§4.8.1.1).

use std::num::NonZeroU32;

use serde_json::Value;
use zeroize::Zeroizing;

use crate::b64;
use crate::error::{Error, Result};
use crate::json::Object;

/// The fewest iterations accepted or produced (RFC 7518 §4.8.1.2).
pub const MIN_P2C: u32 = 1000;
/// The default cap on a token's `p2c`: panva/jose's (jwcrypto's is 16384).
pub const DEFAULT_MAX_P2C: u32 = 10_000;
/// The iterations `encrypt` uses unless the caller's header sets `p2c`: jwcrypto's
/// default, between the RFC's floor and every common decrypter's cap (jose 10000,
/// jwcrypto 16384, jwtkit 10000), so that any of them accepts what jwtkit sends.
pub const DEFAULT_P2C: u32 = 8192;
/// The salt input jwtkit sends (`p2s`), in bytes.
pub(crate) const P2S_LEN: usize = 16;
/// The shortest `p2s` accepted (RFC 7518 §4.8.1.1).
const MIN_P2S_LEN: usize = 8;

/// The PRF of a PBES2 algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prf {
    /// HMAC-SHA-256 (`PBES2-HS256+A128KW`).
    HmacSha256,
    /// HMAC-SHA-384 (`PBES2-HS384+A192KW`).
    HmacSha384,
    /// HMAC-SHA-512 (`PBES2-HS512+A256KW`).
    HmacSha512,
}

/// PBKDF2 with `prf`, writing `out.len()` bytes. `iterations` must be non-zero.
pub(crate) fn pbkdf2(prf: Prf, password: &[u8], salt: &[u8], iterations: u32, out: &mut [u8]) -> Result<()> {
    let iterations = NonZeroU32::new(iterations)
        .ok_or_else(|| Error::InvalidArgument("PBKDF2 needs at least one iteration".into()))?;
    let alg = match prf {
        Prf::HmacSha256 => ring::pbkdf2::PBKDF2_HMAC_SHA256,
        Prf::HmacSha384 => ring::pbkdf2::PBKDF2_HMAC_SHA384,
        Prf::HmacSha512 => ring::pbkdf2::PBKDF2_HMAC_SHA512,
    };
    ring::pbkdf2::derive(alg, iterations, salt, password, out);
    Ok(())
}

/// The key wrap key for `alg_name` (`kek_len` bytes) from the password and a header's
/// `p2s`/`p2c`.
fn derive(
    prf: Prf,
    alg_name: &str,
    kek_len: usize,
    password: &[u8],
    p2s: &[u8],
    p2c: u32,
) -> Result<Zeroizing<Vec<u8>>> {
    let mut salt = Vec::with_capacity(alg_name.len() + 1 + p2s.len());
    salt.extend_from_slice(alg_name.as_bytes());
    salt.push(0);
    salt.extend_from_slice(p2s);
    let mut kek = Zeroizing::new(vec![0u8; kek_len]);
    pbkdf2(prf, password, &salt, p2c, &mut kek)?;
    Ok(kek)
}

/// `p2c` as a header holds it: an integer from [`MIN_P2C`] up to `max` (more is
/// `P2cLimit`, everything else malformed).
pub(crate) fn p2c(header: &Object, max: u32) -> Result<Option<u32>> {
    let Some(value) = header.get("p2c") else {
        return Ok(None);
    };
    let Some(n) = value.as_u64() else {
        return Err(Error::HeaderInvalid("member `p2c` must be a positive integer".into()));
    };
    if n < u64::from(MIN_P2C) {
        return Err(Error::HeaderInvalid(format!("`p2c` {n} is under the minimum of {MIN_P2C} iterations")));
    }
    if n > u64::from(max) {
        return Err(Error::P2cLimit(format!("`p2c` {n} is over the limit of {max} PBKDF2 iterations")));
    }
    Ok(Some(n as u32))
}

/// The sender's side: `p2s` (fresh random bytes, [`P2S_LEN`] of them), the caller's
/// `p2c` from `header` or [`DEFAULT_P2C`], at most [`DEFAULT_MAX_P2C`] (more would make
/// tokens that jwtkit's and jose's default decrypters refuse). Returns the key wrap key
/// and the members to add to the header.
pub(crate) fn sender_kek(
    prf: Prf,
    alg_name: &str,
    kek_len: usize,
    password: &[u8],
    header: &Object,
    p2s: &[u8],
) -> Result<(Zeroizing<Vec<u8>>, Object)> {
    let count = p2c(header, DEFAULT_MAX_P2C)?.unwrap_or(DEFAULT_P2C);
    let kek = derive(prf, alg_name, kek_len, password, p2s, count)?;
    let mut members = Object::new();
    members.insert("p2s".into(), Value::String(b64::encode(p2s)));
    members.insert("p2c".into(), Value::from(count));
    Ok((kek, members))
}

/// The recipient's side: `p2s` and `p2c` read and bounded (at most `max_p2c`), then the
/// key wrap key derived.
pub(crate) fn recipient_kek(
    prf: Prf,
    alg_name: &str,
    kek_len: usize,
    password: &[u8],
    header: &Object,
    max_p2c: u32,
) -> Result<Zeroizing<Vec<u8>>> {
    let count = p2c(header, max_p2c)?
        .ok_or_else(|| Error::HeaderInvalid(format!("member `p2c` is required with {alg_name}")))?;
    let p2s = match header.get("p2s") {
        Some(Value::String(s)) => b64::decode(s.as_bytes(), "header member `p2s`")?,
        Some(_) => return Err(Error::HeaderInvalid("member `p2s` must be a string".into())),
        None => return Err(Error::HeaderInvalid(format!("member `p2s` is required with {alg_name}"))),
    };
    if p2s.len() < MIN_P2S_LEN {
        return Err(Error::HeaderInvalid(format!("`p2s` has {} bytes, under the minimum of {MIN_P2S_LEN}", p2s.len())));
    }
    derive(prf, alg_name, kek_len, password, &p2s, count)
}
