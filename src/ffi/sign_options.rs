//! `jwtkit_sign_options`: the registered claims and header members to add when
//! issuing a token with `jwtkit_sign_with_options`.

use std::ffi::c_char;

use serde_json::Value;

use crate::ffi::boundary::{fallible, input, null, Failure, OutString};
use crate::ffi::handle::{borrow, borrow_mut, free_boxed, give_boxed, Boxed, Castable};
use crate::ffi::key::jwtkit_key;
use crate::ffi::status::*;
use crate::ffi::validation::text_arg;
use crate::ffi::version::{alg_arg, jwtkit_alg};
use crate::issue::{sign_with, SignOptions};

/// Opaque options for issuing tokens. Defaults: `iat` = now, nothing else. Thread
/// safety: configure from one thread; then any number of threads may sign with it.
pub struct jwtkit_sign_options {
    _private: [u8; 0],
}

impl Castable for jwtkit_sign_options {
    type Ownership = Boxed;
    type Rust = SignOptions;
}

/// Runs `apply` on the options behind `o`.
unsafe fn update(
    o: *mut jwtkit_sign_options,
    out_err: *mut *mut jwtkit_error,
    apply: impl FnOnce(&mut SignOptions) -> Result<(), Failure>,
) -> jwtkit_status {
    fallible(out_err, || apply(unsafe { borrow_mut(o, "options") }?))
}

/// Creates default options (`iat` = now). On success `*out` receives options owned by
/// the caller (free with `jwtkit_sign_options_free`).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_sign_options_new(
    out: *mut *mut jwtkit_sign_options,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        if out.is_null() {
            return Err(null("out"));
        }
        unsafe { give_boxed(out, SignOptions::default()) };
        Ok(())
    })
}

/// Releases options. NULL is a no-op; must not be called twice.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_sign_options_free(options: *mut jwtkit_sign_options) {
    crate::ffi::boundary::infallible((), || unsafe { free_boxed(options) })
}

/// Whether to add `iat` = now (default true).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_sign_options_set_issued_at(
    options: *mut jwtkit_sign_options,
    enabled: bool,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        update(options, out_err, |o| {
            o.issued_at = enabled;
            Ok(())
        })
    }
}

/// Adds `exp` = now + `seconds`.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_sign_options_set_lifetime(
    options: *mut jwtkit_sign_options,
    seconds: u64,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        update(options, out_err, |o| {
            o.lifetime = Some(seconds);
            Ok(())
        })
    }
}

/// Adds `nbf` = `unix_seconds`.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_sign_options_set_not_before(
    options: *mut jwtkit_sign_options,
    unix_seconds: i64,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        update(options, out_err, |o| {
            o.not_before = Some(unix_seconds);
            Ok(())
        })
    }
}

/// Fixes "now" for `iat` and `exp` (tests, reproducible output).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_sign_options_set_now(
    options: *mut jwtkit_sign_options,
    unix_seconds: i64,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        update(options, out_err, |o| {
            o.now = Some(unix_seconds);
            Ok(())
        })
    }
}

/// Adds `iss` = `issuer` `(ptr, len)`, UTF-8, copied).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_sign_options_set_issuer(
    options: *mut jwtkit_sign_options,
    issuer: *const u8,
    issuer_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        update(options, out_err, |o| {
            o.issuer = Some(text_arg(issuer, issuer_len, "issuer")?.to_owned());
            Ok(())
        })
    }
}

/// Adds `sub` = `subject` `(ptr, len)`, UTF-8, copied).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_sign_options_set_subject(
    options: *mut jwtkit_sign_options,
    subject: *const u8,
    subject_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        update(options, out_err, |o| {
            o.subject = Some(text_arg(subject, subject_len, "subject")?.to_owned());
            Ok(())
        })
    }
}

/// Adds an audience; one gives `"aud":"x"`, several give an array.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_sign_options_add_audience(
    options: *mut jwtkit_sign_options,
    audience: *const u8,
    audience_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        update(options, out_err, |o| {
            o.audiences.push(text_arg(audience, audience_len, "audience")?.to_owned());
            Ok(())
        })
    }
}

/// Whether to add a random 128-bit `jti` (base64url) from the system random source.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_sign_options_set_random_jti(
    options: *mut jwtkit_sign_options,
    enabled: bool,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        update(options, out_err, |o| {
            o.random_jti = enabled;
            Ok(())
        })
    }
}

/// Sets the header member `name` (e.g. "kid", "typ", "cty") to the string `value`;
/// both `(ptr, len)`, UTF-8, copied. `alg` cannot be set this way.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_sign_options_set_header(
    options: *mut jwtkit_sign_options,
    name: *const u8,
    name_len: usize,
    value: *const u8,
    value_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        update(options, out_err, |o| {
            let name = text_arg(name, name_len, "name")?;
            let value = text_arg(value, value_len, "value")?;
            Ok(o.set_header(name, Value::String(value.to_owned()))?)
        })
    }
}

/// Merges a JSON object `(ptr, len)` of extra header members (any JSON values).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_JSON, JWTKIT_ERR_JSON_LIMIT,
/// JWTKIT_ERR_INVALID_ARGUMENT (an `alg` member), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_sign_options_merge_header_json(
    options: *mut jwtkit_sign_options,
    header_json: *const u8,
    header_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        update(options, out_err, |o| {
            let json = input(header_json, header_len, "header_json")?;
            Ok(o.merge_header_json(json)?)
        })
    }
}

/// Signs a JWT from `claims_json` `(ptr, len)` (a JSON object, kept byte for byte)
/// plus the registered claims and header members of `options` (NULL = defaults:
/// `iat` = now, `typ` "JWT"). A claim present in both is an error, not an overwrite.
/// `key` and `options` are borrowed. On success `*out_token` receives the token, owned
/// by the caller (free with `jwtkit_string_free`), and `*out_token_len` (if not NULL)
/// its length; on failure neither is written.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (a claim
/// set twice, unknown `alg`), JWTKIT_ERR_JSON, JWTKIT_ERR_JSON_LIMIT,
/// JWTKIT_ERR_HEADER_INVALID, JWTKIT_ERR_CRIT_UNSUPPORTED, JWTKIT_ERR_KEY_ALG_MISMATCH,
/// JWTKIT_ERR_KEY_CANNOT_SIGN, JWTKIT_ERR_KEY_TOO_WEAK, JWTKIT_ERR_KEY_USAGE,
/// JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_sign_with_options(
    key: *const jwtkit_key,
    alg: jwtkit_alg,
    claims_json: *const u8,
    claims_len: usize,
    options: *const jwtkit_sign_options,
    out_token: *mut *mut c_char,
    out_token_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let key = unsafe { borrow(key, "key") }?;
        let alg = alg_arg(alg)?;
        let claims = unsafe { input(claims_json, claims_len, "claims_json") }?;
        let default = SignOptions::default();
        let options = if options.is_null() { &default } else { unsafe { borrow(options, "options") }? };
        let out = OutString::new(out_token, out_token_len).required("out_token")?;
        let token = sign_with(key, alg, claims, options)?;
        out.write(token.as_bytes())
    })
}
