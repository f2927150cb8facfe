//! Library and ABI versions, and algorithm names and numbers.

use std::ffi::c_char;

use crate::alg::Algorithm;
use crate::ffi::boundary::{fallible, infallible, input, null};
use crate::ffi::numbered;
use crate::ffi::status::*;

/// An algorithm, as a fixed-width integer: one of the `JWTKIT_ALG_*` values.
pub type jwtkit_alg = i32;

/// `HS256`: HMAC with SHA-256; an HMAC secret key.
pub const JWTKIT_ALG_HS256: jwtkit_alg = 1;
/// `HS384`: HMAC with SHA-384; an HMAC secret key.
pub const JWTKIT_ALG_HS384: jwtkit_alg = 2;
/// `HS512`: HMAC with SHA-512; an HMAC secret key.
pub const JWTKIT_ALG_HS512: jwtkit_alg = 3;
/// `RS256`: RSASSA-PKCS1-v1_5 with SHA-256; an RSA key.
pub const JWTKIT_ALG_RS256: jwtkit_alg = 4;
/// `RS384`: RSASSA-PKCS1-v1_5 with SHA-384; an RSA key.
pub const JWTKIT_ALG_RS384: jwtkit_alg = 5;
/// `RS512`: RSASSA-PKCS1-v1_5 with SHA-512; an RSA key.
pub const JWTKIT_ALG_RS512: jwtkit_alg = 6;
/// `PS256`: RSASSA-PSS with SHA-256; an RSA key.
pub const JWTKIT_ALG_PS256: jwtkit_alg = 7;
/// `PS384`: RSASSA-PSS with SHA-384; an RSA key.
pub const JWTKIT_ALG_PS384: jwtkit_alg = 8;
/// `PS512`: RSASSA-PSS with SHA-512; an RSA key.
pub const JWTKIT_ALG_PS512: jwtkit_alg = 9;
/// `ES256`: ECDSA on P-256 with SHA-256; an EC P-256 key.
pub const JWTKIT_ALG_ES256: jwtkit_alg = 10;
/// `ES384`: ECDSA on P-384 with SHA-384; an EC P-384 key.
pub const JWTKIT_ALG_ES384: jwtkit_alg = 11;
/// `ES512`: ECDSA on P-521 with SHA-512; an EC P-521 key.
pub const JWTKIT_ALG_ES512: jwtkit_alg = 12;
/// EdDSA with Ed25519 (RFC 8037; also named `Ed25519`, RFC 9864).
pub const JWTKIT_ALG_EDDSA: jwtkit_alg = 13;
/// `ES256K`: ECDSA on secp256k1 with SHA-256 (RFC 8812); an EC secp256k1 key.
pub const JWTKIT_ALG_ES256K: jwtkit_alg = 14;

/// The algorithm numbered `alg`, or an `INVALID_ARGUMENT` failure.
pub(crate) fn alg_arg(alg: jwtkit_alg) -> Result<Algorithm, crate::ffi::boundary::Failure> {
    numbered::arg(alg)
}

/// An algorithm allow-list `(algs, n_algs)` from C: at least one, each a known number.
pub(crate) unsafe fn alg_list(
    algs: *const jwtkit_alg,
    n_algs: usize,
) -> Result<Vec<Algorithm>, crate::ffi::boundary::Failure> {
    use crate::ffi::boundary::invalid;
    if algs.is_null() {
        return Err(if n_algs == 0 { invalid("the algorithm allow-list is empty".into()) } else { null("algs") });
    }
    if n_algs > 64 {
        return Err(invalid(format!("{n_algs} algorithms is more than exist")));
    }
    let numbers = unsafe { std::slice::from_raw_parts(algs, n_algs) };
    numbers.iter().map(|&a| alg_arg(a)).collect()
}

/// "jwtkit/MAJOR.MINOR.PATCH": static, NUL-terminated, never freed.
#[no_mangle]
pub extern "C" fn jwtkit_version() -> *const c_char {
    infallible(std::ptr::null(), || concat!("jwtkit/", env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast())
}

/// MAJOR * 1000000 + MINOR * 1000 + PATCH; equals `JWTKIT_VERSION_NUMBER` when the
/// header and the library match.
#[no_mangle]
pub extern "C" fn jwtkit_version_number() -> u32 {
    infallible(0, || {
        let part = |s: &str| s.parse::<u32>().unwrap_or(0);
        part(env!("CARGO_PKG_VERSION_MAJOR")) * 1_000_000
            + part(env!("CARGO_PKG_VERSION_MINOR")) * 1000
            + part(env!("CARGO_PKG_VERSION_PATCH"))
    })
}

/// The ABI version (`JWTKIT_ABI_VERSION`, also the SONAME suffix). It changes on any
/// incompatible change of this header; check it at start-up when loading dynamically.
#[no_mangle]
pub extern "C" fn jwtkit_abi_version() -> u32 {
    infallible(u32::MAX, || env!("JWTKIT_ABI_VERSION").parse().unwrap_or(u32::MAX))
}

/// The registered name of `alg` ("HS256", …, "EdDSA", "ES256K"): static, NUL-terminated, never
/// freed. NULL for a number that is not a `JWTKIT_ALG_*` value.
#[no_mangle]
pub extern "C" fn jwtkit_alg_name(alg: jwtkit_alg) -> *const c_char {
    infallible(std::ptr::null(), || numbered::c_name::<Algorithm>(alg))
}

/// Looks up an algorithm by its registered, case-sensitive name (`Ed25519` is accepted
/// for EdDSA). `name` is `(ptr, len)`, not NUL-terminated, copied. On success writes
/// `*out`.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_ALG_UNSUPPORTED (unknown
/// names and `none` in every spelling), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_alg_from_name(
    name: *const u8,
    name_len: usize,
    out: *mut jwtkit_alg,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let name = unsafe { input(name, name_len, "name") }?;
        if out.is_null() {
            return Err(null("out"));
        }
        let text = String::from_utf8_lossy(name);
        let alg = Algorithm::from_name(&text)?;
        unsafe { *out = numbered::to_c(alg) };
        Ok(())
    })
}
