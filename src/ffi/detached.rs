//! Detached content (RFC 7515 Appendix F) and unencoded payloads (RFC 7797) from C: the
//! token is `header..signature`, the payload travels apart.

use std::ffi::c_char;

use crate::ffi::boundary::{fallible, input, invalid, optional_input, Failure, OutString};
use crate::ffi::handle::borrow;
use crate::ffi::key::jwtkit_key;
use crate::ffi::status::*;
use crate::ffi::validation::jwtkit_validation;
use crate::ffi::version::{alg_arg, jwtkit_alg};
use crate::{jws, jwt};

/// Flag for `jwtkit_jws_sign_detached` and `jwtkit_sign_detached`: the payload is signed
/// as its own bytes, not base64url (`"b64": false`, with `b64` in `crit`; RFC 7797).
pub const JWTKIT_JWS_UNENCODED: u32 = 1;

fn encoded_arg(flags: u32) -> Result<bool, Failure> {
    if flags & !JWTKIT_JWS_UNENCODED != 0 {
        return Err(invalid(format!("unknown JWS flags {flags:#x}")));
    }
    Ok(flags & JWTKIT_JWS_UNENCODED == 0)
}

/// Signs any payload bytes `(ptr, len)` as a compact JWS with detached content: the
/// token is `header..signature`, and the payload travels apart. `flags`: 0, or
/// `JWTKIT_JWS_UNENCODED` to sign the payload's own bytes (`b64: false` and `crit`
/// written for you). `header_json` as for `jwtkit_jws_sign` (may add `crit` naming the
/// signer's own extensions, if the header has them). Inputs are copied, `key` borrowed.
///
/// On success `*out_token` receives the token, owned by the caller (free with
/// `jwtkit_string_free`), and `*out_token_len` (if not NULL) its length.
///
/// Returns JWTKIT_OK and the statuses of `jwtkit_jws_sign`; JWTKIT_ERR_INVALID_ARGUMENT
/// also for unknown flags. Thread safety: safe to call concurrently with the same key.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jws_sign_detached(
    key: *const jwtkit_key,
    alg: jwtkit_alg,
    payload: *const u8,
    payload_len: usize,
    header_json: *const u8,
    header_len: usize,
    flags: u32,
    out_token: *mut *mut c_char,
    out_token_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        sign_detached_to_c(
            key,
            alg,
            payload,
            payload_len,
            header_json,
            header_len,
            flags,
            out_token,
            out_token_len,
            out_err,
            |k, a, p, h, e| jws::sign_detached(k, a, p, h, None, e),
        )
    }
}

/// `jws::sign_detached` or `jwt::sign_detached`: key, algorithm, payload, optional
/// header, whether to encode.
type DetachedSigner = fn(&crate::Key, crate::Algorithm, &[u8], Option<&[u8]>, bool) -> crate::Result<String>;

/// The body of the two detached signers; `sign` gets the key, algorithm, payload,
/// optional header and whether to encode.
#[allow(clippy::too_many_arguments)]
unsafe fn sign_detached_to_c(
    key: *const jwtkit_key,
    alg: jwtkit_alg,
    payload: *const u8,
    payload_len: usize,
    header_json: *const u8,
    header_len: usize,
    flags: u32,
    out_token: *mut *mut c_char,
    out_token_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
    sign: DetachedSigner,
) -> jwtkit_status {
    fallible(out_err, || {
        let key = unsafe { borrow(key, "key") }?;
        let alg = alg_arg(alg)?;
        let encoded = encoded_arg(flags)?;
        let payload = unsafe { input(payload, payload_len, "payload") }?;
        let header = unsafe { optional_input(header_json, header_len, "header_json") }?;
        let out = OutString::new(out_token, out_token_len).required("out_token")?;
        out.write(sign(key, alg, payload, header, encoded)?.as_bytes())
    })
}

/// As `jwtkit_jws_sign_detached`, for a JWT: `claims_json` must be one JSON object, and
/// `typ` defaults to "JWT", as for `jwtkit_sign`. Returns JWTKIT_OK and the same statuses.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_sign_detached(
    key: *const jwtkit_key,
    alg: jwtkit_alg,
    claims_json: *const u8,
    claims_len: usize,
    header_json: *const u8,
    header_len: usize,
    flags: u32,
    out_token: *mut *mut c_char,
    out_token_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        sign_detached_to_c(
            key,
            alg,
            claims_json,
            claims_len,
            header_json,
            header_len,
            flags,
            out_token,
            out_token_len,
            out_err,
            jwt::sign_detached,
        )
    }
}

/// Verifies a compact JWS with detached content: `token` `(ptr, len)` is
/// `header..signature` (an empty middle segment), `payload` `(ptr, len)` the content
/// (both copied). The header may say `b64: false` (RFC 7797; `b64` must then be listed
/// in `crit`, the only extension `crit` may name): the signature covers the payload's
/// own bytes, else their base64url. The rest as `jwtkit_jws_verify` (allow-list, key,
/// signature); no claim is checked. `*out_header` (optional) receives the header JSON,
/// owned by the caller (free with `jwtkit_string_free`).
///
/// Returns JWTKIT_OK and the statuses of `jwtkit_jws_verify`; JWTKIT_ERR_TOKEN_MALFORMED
/// for a token whose middle segment is not empty. Thread safety: safe to call concurrently with the
/// same key and validation.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jws_verify_detached(
    token: *const u8,
    token_len: usize,
    payload: *const u8,
    payload_len: usize,
    key: *const jwtkit_key,
    validation: *const jwtkit_validation,
    out_header: *mut *mut c_char,
    out_header_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        verify_detached_to_c(
            token,
            token_len,
            payload,
            payload_len,
            key,
            validation,
            out_header,
            out_header_len,
            out_err,
            |t, p, k, v| Ok(jws::verify_detached(t, p, k, v)?.header_json),
        )
    }
}

/// `jws::verify_detached` or `jwt::verify_detached`, giving the header JSON: token,
/// payload, key, policy.
type DetachedVerifier = fn(&[u8], &[u8], &crate::Key, &crate::Validation) -> crate::Result<Vec<u8>>;

/// The body of the two detached verifiers.
#[allow(clippy::too_many_arguments)]
unsafe fn verify_detached_to_c(
    token: *const u8,
    token_len: usize,
    payload: *const u8,
    payload_len: usize,
    key: *const jwtkit_key,
    validation: *const jwtkit_validation,
    out_header: *mut *mut c_char,
    out_header_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
    verify: DetachedVerifier,
) -> jwtkit_status {
    fallible(out_err, || {
        let token = unsafe { input(token, token_len, "token") }?;
        let payload = unsafe { input(payload, payload_len, "payload") }?;
        let key = unsafe { borrow(key, "key") }?;
        let validation = unsafe { borrow(validation, "validation") }?;
        OutString::new(out_header, out_header_len).write(&verify(token, payload, key, validation)?)
    })
}

/// As `jwtkit_jws_verify_detached`, for a JWT whose claims travel apart: after the
/// signature, `claims_json` is checked exactly as `jwtkit_verify` checks claims (one
/// JSON object, the registered claims, then the policy). An unencoded payload
/// (`b64: false`) never switches the claim checks off.
///
/// Returns JWTKIT_OK and the statuses of `jwtkit_verify`. Thread safety: as
/// `jwtkit_jws_verify_detached`.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn jwtkit_verify_detached(
    token: *const u8,
    token_len: usize,
    claims_json: *const u8,
    claims_len: usize,
    key: *const jwtkit_key,
    validation: *const jwtkit_validation,
    out_header: *mut *mut c_char,
    out_header_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        verify_detached_to_c(
            token,
            token_len,
            claims_json,
            claims_len,
            key,
            validation,
            out_header,
            out_header_len,
            out_err,
            |t, c, k, v| Ok(jwt::verify_detached(t, c, k, v)?.header_json),
        )
    }
}
