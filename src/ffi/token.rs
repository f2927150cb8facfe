//! Signing, verifying and inspecting tokens from C.

use std::ffi::c_char;
use std::mem::MaybeUninit;

use crate::ffi::boundary::{fallible, input, optional_input, write_pair, Failure, OutString, Pending};
use crate::ffi::handle::borrow;
use crate::ffi::key::jwtkit_key;
use crate::ffi::status::*;
use crate::ffi::validation::jwtkit_validation;
use crate::ffi::version::{alg_arg, jwtkit_alg};
use crate::jws::KeySource;
use crate::{jws, jwt};

/// The shared body of the verify entry points: `claims` selects the JWT path (claims
/// parsed and checked) over the plain JWS one. Both outputs are optional.
pub(crate) unsafe fn verify_to_c<K: KeySource + ?Sized>(
    token: *const u8,
    token_len: usize,
    keys: &K,
    validation: *const jwtkit_validation,
    claims: bool,
    header_out: OutString,
    body_out: OutString,
) -> Result<(), Failure> {
    let token = unsafe { input(token, token_len, "token") }?;
    let validation = unsafe { borrow(validation, "validation") }?;
    // The payload is decoded straight into the caller's output (or a Vec when the caller
    // does not want it), and the header copied out only when asked for: the outputs
    // are the only allocations.
    let mut header_buf = [MaybeUninit::uninit(); jws::HEADER_BUF];
    let (mut body, mut unwanted) = (None, Vec::new());
    let wanted = body_out.wanted();
    let jws::Parts { header_json, .. } = if claims {
        jwt::verify_into(token, keys, validation, &mut header_buf, |len| {
            payload_buf(wanted, &mut body, &mut unwanted, len)
        })?
    } else {
        jws::verify_into(token, keys, validation, &mut header_buf, |len| {
            payload_buf(wanted, &mut body, &mut unwanted, len)
        })?
    };
    let header = header_out.prepare(&header_json)?;
    header_out.commit(header);
    body_out.commit(body);
    Ok(())
}

/// The buffer the payload is decoded into: the caller's output when it asked for the
/// payload, else a Vec that is dropped at the end of the call.
fn payload_buf<'p>(
    wanted: bool,
    body: &'p mut Option<Pending>,
    unwanted: &'p mut Vec<u8>,
    len: usize,
) -> Result<&'p mut [MaybeUninit<u8>], Failure> {
    if wanted {
        return Ok(body.insert(Pending::new(len)?).uninit());
    }
    unwanted.reserve_exact(len);
    Ok(&mut unwanted.spare_capacity_mut()[..len])
}

/// Signs a JWT. `claims_json` `(ptr, len)` must be one JSON object (UTF-8, no duplicate
/// members); it is encoded byte for byte as given. `header_json` `(ptr, len)` is
/// optional (NULL, 0): a JSON object of extra header members such as `kid` or `typ`;
/// `alg` is set from `alg` (a different `alg` member is an error), `typ` defaults to
/// "JWT", and a key from a JWK with a `kid` adds it unless the header sets one. Inputs
/// are copied. `key` is borrowed.
///
/// On success `*out_token` receives the NUL-terminated compact token, owned by the
/// caller (free with `jwtkit_string_free`), and `*out_token_len` (if not NULL) its
/// length. On failure neither is written.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT,
/// JWTKIT_ERR_JSON, JWTKIT_ERR_JSON_LIMIT, JWTKIT_ERR_HEADER_INVALID,
/// JWTKIT_ERR_CRIT_UNSUPPORTED, JWTKIT_ERR_KEY_ALG_MISMATCH, JWTKIT_ERR_KEY_CANNOT_SIGN,
/// JWTKIT_ERR_KEY_TOO_WEAK, JWTKIT_ERR_KEY_USAGE, JWTKIT_ERR_OUT_OF_MEMORY,
/// JWTKIT_ERR_PANIC. Thread safety: safe to call concurrently with the same key.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_sign(
    key: *const jwtkit_key,
    alg: jwtkit_alg,
    claims_json: *const u8,
    claims_len: usize,
    header_json: *const u8,
    header_len: usize,
    out_token: *mut *mut c_char,
    out_token_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let key = unsafe { borrow(key, "key") }?;
        let alg = alg_arg(alg)?;
        let claims = unsafe { input(claims_json, claims_len, "claims_json") }?;
        let header = unsafe { optional_input(header_json, header_len, "header_json") }?;
        let out = OutString::new(out_token, out_token_len).required("out_token")?;
        out.write(&jwt::sign_to_bytes(key, alg, claims, header)?)
    })
}

/// Signs any payload bytes `(ptr, len)` as a compact JWS (no `typ` default, no JSON
/// requirement on the payload). Otherwise as `jwtkit_sign`, with the same statuses.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jws_sign(
    key: *const jwtkit_key,
    alg: jwtkit_alg,
    payload: *const u8,
    payload_len: usize,
    header_json: *const u8,
    header_len: usize,
    out_token: *mut *mut c_char,
    out_token_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let key = unsafe { borrow(key, "key") }?;
        let alg = alg_arg(alg)?;
        let payload = unsafe { input(payload, payload_len, "payload") }?;
        let header = unsafe { optional_input(header_json, header_len, "header_json") }?;
        let out = OutString::new(out_token, out_token_len).required("out_token")?;
        out.write(&jws::sign_to_bytes(key, alg, payload, header, None)?)
    })
}

/// Verifies a JWT `(ptr, len)` (copied; not NUL-terminated) with `key` under
/// `validation`, both borrowed. In order: size limit, three segments, strict base64url,
/// header JSON, `crit`, algorithm in the allow-list, key fits the algorithm, signature;
/// only then the claims: one JSON object, registered claims of the right types, then
/// the policy of `validation` (time, issuer, audience, subject, `typ`, revocation).
///
/// Outputs are optional: pass NULL for any you do not need. On success `*out_header`
/// and `*out_claims` receive the exact header and claims JSON, NUL-terminated, owned by
/// the caller (free each with `jwtkit_string_free`), with their lengths in `*out_*_len`
/// (if not NULL). On failure nothing is written.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_TOKEN_TOO_LARGE,
/// JWTKIT_ERR_TOKEN_MALFORMED, JWTKIT_ERR_BASE64, JWTKIT_ERR_JSON, JWTKIT_ERR_JSON_LIMIT,
/// JWTKIT_ERR_HEADER_INVALID, JWTKIT_ERR_CRIT_UNSUPPORTED, JWTKIT_ERR_ALG_UNSUPPORTED,
/// JWTKIT_ERR_ALG_NOT_ALLOWED, JWTKIT_ERR_KEY_ALG_MISMATCH, JWTKIT_ERR_KEY_TOO_WEAK,
/// JWTKIT_ERR_KEY_USAGE, JWTKIT_ERR_SIGNATURE_INVALID, and for the claims
/// JWTKIT_ERR_CLAIM_INVALID, JWTKIT_ERR_CLAIM_MISSING, JWTKIT_ERR_EXPIRED,
/// JWTKIT_ERR_NOT_YET_VALID, JWTKIT_ERR_ISSUED_IN_FUTURE, JWTKIT_ERR_TOO_OLD,
/// JWTKIT_ERR_ISSUER_MISMATCH, JWTKIT_ERR_AUDIENCE_MISMATCH, JWTKIT_ERR_SUBJECT_MISMATCH,
/// JWTKIT_ERR_TYP_MISMATCH, JWTKIT_ERR_REVOKED (checked in that order after the
/// signature); JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC. Thread safety: safe to call concurrently with the same key and
/// validation.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn jwtkit_verify(
    token: *const u8,
    token_len: usize,
    key: *const jwtkit_key,
    validation: *const jwtkit_validation,
    out_header: *mut *mut c_char,
    out_header_len: *mut usize,
    out_claims: *mut *mut c_char,
    out_claims_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || unsafe {
        let (header, claims) = (OutString::new(out_header, out_header_len), OutString::new(out_claims, out_claims_len));
        verify_to_c(token, token_len, borrow(key, "key")?, validation, true, header, claims)
    })
}

/// Verifies the signature of any compact JWS, as `jwtkit_verify` does, but does not
/// read the payload: it may be any bytes, and no claim is checked. `*out_payload`
/// receives the payload, NUL-terminated but possibly holding NUL bytes: use
/// `*out_payload_len`. Statuses as `jwtkit_verify`, without the claim ones.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jws_verify(
    token: *const u8,
    token_len: usize,
    key: *const jwtkit_key,
    validation: *const jwtkit_validation,
    out_header: *mut *mut c_char,
    out_header_len: *mut usize,
    out_payload: *mut *mut c_char,
    out_payload_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || unsafe {
        let (header, payload) =
            (OutString::new(out_header, out_header_len), OutString::new(out_payload, out_payload_len));
        verify_to_c(token, token_len, borrow(key, "key")?, validation, false, header, payload)
    })
}

/// Decodes a compact JWS's header and payload WITHOUT verifying anything, as
/// `jwtkit_decode_unverified` does, but the payload may be any bytes (empty for detached
/// content): `*out_payload` receives it NUL-terminated but possibly holding NUL bytes
/// (use `*out_payload_len`). Outputs optional, owned by the caller (free each with
/// `jwtkit_string_free`).
///
/// Returns JWTKIT_OK and the statuses of `jwtkit_decode_unverified`.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jws_decode_unverified(
    token: *const u8,
    token_len: usize,
    out_header: *mut *mut c_char,
    out_header_len: *mut usize,
    out_payload: *mut *mut c_char,
    out_payload_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let token = unsafe { input(token, token_len, "token") }?;
        let (header_json, payload) = crate::dangerous::decode_jws_unverified(token, &Default::default())?;
        let header = OutString::new(out_header, out_header_len);
        let payload_out = OutString::new(out_payload, out_payload_len);
        write_pair(&header, &header_json, &payload_out, &payload)
    })
}

/// Decodes a JWT's header and claims WITHOUT verifying anything: no signature, no
/// algorithm, no time check. For inspecting a token or choosing which key to verify
/// with, never for trusting its content. Both must be JSON objects, and the header
/// members verification gives meaning to follow its rules (`kid` a string, `crit`
/// naming only `b64`), whatever the `alg`. Padded segments (AWS ALB) are read. Outputs as in
/// `jwtkit_verify` (optional, owned by the caller, freed with `jwtkit_string_free`).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_TOKEN_TOO_LARGE,
/// JWTKIT_ERR_TOKEN_MALFORMED, JWTKIT_ERR_BASE64, JWTKIT_ERR_JSON, JWTKIT_ERR_JSON_LIMIT,
/// JWTKIT_ERR_HEADER_INVALID, JWTKIT_ERR_CRIT_UNSUPPORTED, JWTKIT_ERR_OUT_OF_MEMORY,
/// JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_decode_unverified(
    token: *const u8,
    token_len: usize,
    out_header: *mut *mut c_char,
    out_header_len: *mut usize,
    out_claims: *mut *mut c_char,
    out_claims_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let token = unsafe { input(token, token_len, "token") }?;
        let (header_json, claims_json) = crate::dangerous::decode_unverified(token, &Default::default())?;
        let header = OutString::new(out_header, out_header_len);
        let claims = OutString::new(out_claims, out_claims_len);
        write_pair(&header, &header_json, &claims, &claims_json)
    })
}
