//! `jwtkit_key`: an immutable, reference-counted key handle, safe to share between
//! threads. Created by `jwtkit_key_from_*`, released by `jwtkit_key_free`.

use std::sync::Arc;

use crate::ffi::boundary::{fallible, input, invalid, null, Failure};
use crate::ffi::handle::{free_shared, give_shared, Castable, Shared};
use crate::ffi::status::*;
use crate::key::Key;

/// An opaque, immutable key (HMAC secret, RSA, EC P-256/P-384/P-521 or Ed25519;
/// private or public). Thread safety: may be used from any number of threads at once.
pub struct jwtkit_key {
    _private: [u8; 0],
}

/// Accept HMAC secrets shorter than the hash output of the algorithm (RFC 7518 §3.2
/// forbids them). Only for legacy systems whose secret cannot be changed.
pub const JWTKIT_KEY_ALLOW_SHORT_SECRET: u32 = 1;

const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<Key>();
};

impl Castable for jwtkit_key {
    type Ownership = Shared;
    type Rust = Key;
}

unsafe fn publish(out: *mut *const jwtkit_key, make: impl FnOnce() -> crate::Result<Key>) -> Result<(), Failure> {
    if out.is_null() {
        return Err(null("out"));
    }
    let key = make()?;
    unsafe { give_shared(out, Arc::new(key)) };
    Ok(())
}

/// Creates an HMAC key (HS256/HS384/HS512) from `secret`, `(ptr, len)`, any bytes
/// including NUL, copied. `flags`: 0 or `JWTKIT_KEY_ALLOW_SHORT_SECRET`.
/// On success `*out` receives a key owned by the caller (free with `jwtkit_key_free`).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (unknown
/// flag), JWTKIT_ERR_KEY_TOO_WEAK (empty secret), JWTKIT_ERR_PANIC. A secret too short
/// for an algorithm is refused when it is used (JWTKIT_ERR_KEY_TOO_WEAK).
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_from_secret(
    secret: *const u8,
    secret_len: usize,
    flags: u32,
    out: *mut *const jwtkit_key,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let secret = unsafe { input(secret, secret_len, "secret") }?;
        if flags & !JWTKIT_KEY_ALLOW_SHORT_SECRET != 0 {
            return Err(invalid(format!("unknown key flags {flags:#x}")));
        }
        unsafe {
            publish(out, || {
                if flags & JWTKIT_KEY_ALLOW_SHORT_SECRET != 0 {
                    Key::from_secret_legacy(secret)
                } else {
                    Key::from_secret(secret)
                }
            })
        }
    })
}

/// Parses a PEM document `(ptr, len)` (copied): PKCS#8 `PRIVATE KEY` (RSA, P-256,
/// P-384, P-521, Ed25519), `RSA PRIVATE KEY`, `RSA PUBLIC KEY`, `EC PRIVATE KEY`
/// (SEC1), `PUBLIC KEY` (SPKI) or `CERTIFICATE` (its public key). The first key block
/// is used; other blocks such as `EC PARAMETERS` are skipped. A private key can also
/// verify. On success `*out` receives a key owned by the caller.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_KEY_INVALID,
/// JWTKIT_ERR_KEY_UNSUPPORTED, JWTKIT_ERR_KEY_TOO_WEAK (RSA under 2048 bits),
/// JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_from_pem(
    pem: *const u8,
    pem_len: usize,
    out: *mut *const jwtkit_key,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let pem = unsafe { input(pem, pem_len, "pem") }?;
        unsafe { publish(out, || Key::from_pem(pem)) }
    })
}

/// Parses a DER key `(ptr, len)` (copied) in any of the formats of
/// `jwtkit_key_from_pem`. On success `*out` receives a key owned by the caller.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_KEY_INVALID,
/// JWTKIT_ERR_KEY_UNSUPPORTED, JWTKIT_ERR_KEY_TOO_WEAK, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_from_der(
    der: *const u8,
    der_len: usize,
    out: *mut *const jwtkit_key,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let der = unsafe { input(der, der_len, "der") }?;
        unsafe { publish(out, || Key::from_der(der)) }
    })
}

/// Parses one JSON Web Key `(ptr, len)` (UTF-8 JSON, copied): `kty` `oct`, `RSA`
/// (public, or private with CRT members), `EC` (P-256, P-384, P-521) or `OKP`
/// (Ed25519). Its `alg`, `use` and `key_ops` are enforced on every use
/// (JWTKIT_ERR_KEY_USAGE); its `kid` goes into the header of tokens it signs. On
/// success `*out` receives a key owned by the caller.
///
/// Certificates: an `x5c` (1 to 10 standard-base64 DER certificates) must hold the
/// JWK's own public key in its first certificate, and `x5t#S256` / `x5t`, when present,
/// must be that certificate's SHA-256 / SHA-1 thumbprint; otherwise the key is refused
/// (JWTKIT_ERR_KEY_INVALID). The certificate chain is NOT validated: no trust anchor,
/// signature, validity date or name is checked, so an `x5c` never makes a key trusted.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_KEY_INVALID,
/// JWTKIT_ERR_KEY_UNSUPPORTED, JWTKIT_ERR_KEY_TOO_WEAK, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_from_jwk(
    jwk: *const u8,
    jwk_len: usize,
    out: *mut *const jwtkit_key,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let jwk = unsafe { input(jwk, jwk_len, "jwk") }?;
        unsafe { publish(out, || Key::from_jwk(jwk)) }
    })
}

/// As `jwtkit_key_from_jwk`, with `flags`: 0 or `JWTKIT_KEY_ALLOW_SHORT_SECRET`, which
/// lets an `oct` secret be shorter than its algorithm's hash output, as
/// `jwtkit_key_from_secret` does (legacy systems only).
///
/// Returns JWTKIT_OK and the statuses of `jwtkit_key_from_jwk`;
/// JWTKIT_ERR_INVALID_ARGUMENT for an unknown flag.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_from_jwk_with_flags(
    jwk: *const u8,
    jwk_len: usize,
    flags: u32,
    out: *mut *const jwtkit_key,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let jwk = unsafe { input(jwk, jwk_len, "jwk") }?;
        if flags & !JWTKIT_KEY_ALLOW_SHORT_SECRET != 0 {
            return Err(invalid(format!("unknown key flags {flags:#x}")));
        }
        let allow_short = flags & JWTKIT_KEY_ALLOW_SHORT_SECRET != 0;
        unsafe { publish(out, || if allow_short { Key::from_jwk_legacy(jwk) } else { Key::from_jwk(jwk) }) }
    })
}

/// Releases a key handle. Secret bytes held by jwtkit are wiped. NULL is a no-op; must
/// not be called twice on the same pointer, nor while another thread still uses it.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_free(key: *const jwtkit_key) {
    crate::ffi::boundary::infallible((), || unsafe { free_shared(key) })
}
