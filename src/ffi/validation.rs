//! `jwtkit_validation`: what `jwtkit_verify` accepts. Configure it, then share it
//! read-only between threads.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use crate::claims::{Checks, Validation};
use crate::ffi::boundary::{fallible, input, invalid, null, Failure};
use crate::ffi::handle::{borrow_mut, free_boxed, give_boxed, Boxed, Castable};
use crate::ffi::status::*;
use crate::ffi::version::{alg_list, jwtkit_alg};

/// An opaque verification policy: the algorithm allow-list, leeway and clock.
/// Thread safety: setters must not run while any thread verifies with it; once
/// configured, any number of threads may verify with it at once.
pub struct jwtkit_validation {
    _private: [u8; 0],
}

impl Castable for jwtkit_validation {
    type Ownership = Boxed;
    type Rust = Validation;
}

/// Creates a policy that accepts exactly the `n_algs` algorithms in `algs` (copied;
/// at least one; `JWTKIT_ALG_*` values). There is no "any algorithm" policy, and `none`
/// cannot be named. Defaults: leeway 0, system clock. On success `*out` receives a
/// policy owned by the caller (free with `jwtkit_validation_free`).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (empty
/// list or an unknown number), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_new(
    algs: *const jwtkit_alg,
    n_algs: usize,
    out: *mut *mut jwtkit_validation,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        if out.is_null() {
            return Err(null("out"));
        }
        let list = unsafe { alg_list(algs, n_algs) }?;
        let validation = Validation::new(&list)?;
        unsafe { give_boxed(out, validation) };
        Ok(())
    })
}

/// Sets the clock skew, in seconds, tolerated on `exp`, `nbf`, `iat` and the maximum
/// age (default 0).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_set_leeway(
    validation: *mut jwtkit_validation,
    seconds: u64,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        unsafe { borrow_mut(validation, "validation") }?.set_leeway(seconds);
        Ok(())
    })
}

/// Fixes "now" to `unix_seconds` instead of the system clock: for tests and for
/// replaying old tokens deliberately.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_set_now(
    validation: *mut jwtkit_validation,
    unix_seconds: i64,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        unsafe { borrow_mut(validation, "validation") }?.set_now(unix_seconds);
        Ok(())
    })
}

/// Reads a `(ptr, len)` UTF-8 string argument.
pub(crate) unsafe fn text_arg<'a>(ptr: *const u8, len: usize, name: &str) -> Result<&'a str, Failure> {
    let bytes = unsafe { input(ptr, len, name) }?;
    std::str::from_utf8(bytes).map_err(|_| invalid(format!("argument `{name}` must be UTF-8")))
}

/// Runs a setter on a policy that takes a `(ptr, len)` UTF-8 string.
unsafe fn set_text(
    validation: *mut jwtkit_validation,
    ptr: *const u8,
    len: usize,
    name: &str,
    out_err: *mut *mut jwtkit_error,
    apply: impl FnOnce(&mut Validation, &str),
) -> jwtkit_status {
    fallible(out_err, || {
        let v = unsafe { borrow_mut(validation, "validation") }?;
        let text = unsafe { text_arg(ptr, len, name) }?;
        apply(v, text);
        Ok(())
    })
}

/// Accepts tokens whose `iss` equals `issuer` `(ptr, len)`, UTF-8, copied) exactly:
/// never a prefix or substring. Call again to accept several issuers. Once an issuer is
/// set, a token without `iss` fails with JWTKIT_ERR_CLAIM_MISSING.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (not
/// UTF-8), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_add_issuer(
    validation: *mut jwtkit_validation,
    issuer: *const u8,
    issuer_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe { set_text(validation, issuer, issuer_len, "issuer", out_err, |v, s| v.add_issuer(s)) }
}

/// Accepts tokens whose `aud` (a string, or an array of strings) contains `audience`
/// `(ptr, len)`, UTF-8, copied). Call again to accept several. With an audience set, a
/// token without `aud` fails (JWTKIT_ERR_CLAIM_MISSING); with none set, a token that
/// has `aud` fails (JWTKIT_ERR_AUDIENCE_MISMATCH) unless `JWTKIT_CHECK_AUD` is disabled.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_add_audience(
    validation: *mut jwtkit_validation,
    audience: *const u8,
    audience_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe { set_text(validation, audience, audience_len, "audience", out_err, |v, s| v.add_audience(s)) }
}

/// Requires `aud` to be one string equal to the single configured audience (PyJWT's
/// `strict_aud`); `strict` false restores the default.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_set_strict_audience(
    validation: *mut jwtkit_validation,
    strict: bool,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        unsafe { borrow_mut(validation, "validation") }?.set_strict_audience(strict);
        Ok(())
    })
}

/// Requires `sub` to equal `subject` `(ptr, len)`, UTF-8, copied).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_set_subject(
    validation: *mut jwtkit_validation,
    subject: *const u8,
    subject_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe { set_text(validation, subject, subject_len, "subject", out_err, |v, s| v.set_subject(s)) }
}

/// Requires the claim named `name` `(ptr, len)`, UTF-8, copied) to be present, e.g.
/// "exp" or "jti"; a token without it fails with JWTKIT_ERR_CLAIM_MISSING.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_require_claim(
    validation: *mut jwtkit_validation,
    name: *const u8,
    name_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe { set_text(validation, name, name_len, "name", out_err, |v, s| v.require_claim(s)) }
}

/// Requires the header's `typ` to be `typ` `(ptr, len)`, e.g. "JWT" or "at+jwt"
/// (RFC 9068), compared case-insensitively and ignoring an `application/` prefix.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_set_typ(
    validation: *mut jwtkit_validation,
    typ: *const u8,
    typ_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe { set_text(validation, typ, typ_len, "typ", out_err, |v, s| v.set_typ(s)) }
}

/// Applies the JWT profile for OAuth 2.0 access tokens (RFC 9068 §4): the header's
/// `typ` must be `at+jwt` (or `application/at+jwt`, any case); `iss` must equal
/// `issuer` and `aud` contain `audience` (both `(ptr, len)`, UTF-8, copied); and the
/// claims `iss`, `exp`, `aud`, `sub`, `client_id`, `iat` and `jti` must be present
/// (JWTKIT_ERR_CLAIM_MISSING naming the claim). The policy's other settings stay;
/// call it once, on a policy used only for access tokens.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (not
/// UTF-8), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_set_access_token_profile(
    validation: *mut jwtkit_validation,
    issuer: *const u8,
    issuer_len: usize,
    audience: *const u8,
    audience_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let v = unsafe { borrow_mut(validation, "validation") }?;
        let issuer = unsafe { text_arg(issuer, issuer_len, "issuer") }?;
        let audience = unsafe { text_arg(audience, audience_len, "audience") }?;
        v.set_access_token_profile(issuer, audience);
        Ok(())
    })
}

/// Refuses tokens issued (`iat`) more than `seconds` ago (plus leeway) with
/// JWTKIT_ERR_TOO_OLD; tokens without `iat` then fail with JWTKIT_ERR_CLAIM_MISSING.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_set_max_age(
    validation: *mut jwtkit_validation,
    seconds: u64,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        unsafe { borrow_mut(validation, "validation") }?.set_max_age(seconds);
        Ok(())
    })
}

/// `exp` is checked against the clock.
pub const JWTKIT_CHECK_EXP: u32 = 1;
/// `nbf` is checked against the clock.
pub const JWTKIT_CHECK_NBF: u32 = 2;
/// `iat` must not be in the future.
pub const JWTKIT_CHECK_IAT: u32 = 4;
/// `aud` is checked (see `jwtkit_validation_add_audience`).
pub const JWTKIT_CHECK_AUD: u32 = 8;
/// `iss` is checked against the configured issuers.
pub const JWTKIT_CHECK_ISS: u32 = 16;
/// `sub` is checked against the configured subject.
pub const JWTKIT_CHECK_SUB: u32 = 32;

/// Switches off the checks named in `checks` (`JWTKIT_CHECK_*` bits; all are on by
/// default). Calls add up: a check switched off stays off. The signature, the algorithm allow-list and the types of registered
/// claims are always checked. Use sparingly: e.g. `JWTKIT_CHECK_AUD` for a service
/// that ignores audiences.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (unknown
/// bits), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_disable_checks(
    validation: *mut jwtkit_validation,
    checks: u32,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let v = unsafe { borrow_mut(validation, "validation") }?;
        if checks & !63 != 0 {
            return Err(invalid(format!("unknown check bits {checks:#x}")));
        }
        // Cumulative: each call switches more checks off, never one back on.
        let was = v.checks();
        let on = |bit: u32, before: bool| before && checks & bit == 0;
        v.set_checks(Checks {
            exp: on(JWTKIT_CHECK_EXP, was.exp),
            nbf: on(JWTKIT_CHECK_NBF, was.nbf),
            iat: on(JWTKIT_CHECK_IAT, was.iat),
            aud: on(JWTKIT_CHECK_AUD, was.aud),
            iss: on(JWTKIT_CHECK_ISS, was.iss),
            sub: on(JWTKIT_CHECK_SUB, was.sub),
        });
        Ok(())
    })
}

/// A revocation check: return non-zero when the token is revoked. `jti` is the token's
/// `jti` (NUL-terminated, `jti_len` bytes) or NULL when it has none; `claims_json` the
/// exact claims (NUL-terminated). Both are valid only during the call. Called after
/// every other check passed, possibly from several threads at once: it must be
/// thread-safe, must not call back into the same validation's setters, and must not
/// unwind or longjmp.
pub type jwtkit_revocation_fn = Option<
    unsafe extern "C" fn(
        ctx: *mut c_void,
        jti: *const c_char,
        jti_len: usize,
        claims_json: *const c_char,
        claims_len: usize,
    ) -> i32,
>;

struct ForeignContext(*mut c_void);
// The caller promises (see jwtkit_revocation_fn) that ctx may be used from any thread.
unsafe impl Send for ForeignContext {}
unsafe impl Sync for ForeignContext {}

/// Registers `check` with its `ctx` (borrowed: it must stay valid while the policy
/// exists; jwtkit never frees it). A NULL `check` removes it. A revoked token fails
/// with JWTKIT_ERR_REVOKED.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_set_revocation_check(
    validation: *mut jwtkit_validation,
    check: jwtkit_revocation_fn,
    ctx: *mut c_void,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let v = unsafe { borrow_mut(validation, "validation") }?;
        let Some(check) = check else {
            v.set_revocation_check(None);
            return Ok(());
        };
        let ctx = ForeignContext(ctx);
        v.set_revocation_check(Some(Arc::new(move |jti: Option<&str>, claims: &[u8]| {
            let ctx = &ctx;
            let jti_c = jti.map(|j| [j.as_bytes(), b"\0"].concat());
            let claims_c = [claims, b"\0"].concat();
            let (jti_ptr, jti_len) = match &jti_c {
                Some(j) => (j.as_ptr().cast(), j.len() - 1),
                None => (std::ptr::null(), 0),
            };
            unsafe { check(ctx.0, jti_ptr, jti_len, claims_c.as_ptr().cast(), claims.len()) != 0 }
        })));
        Ok(())
    })
}

/// A resource limit, for `jwtkit_validation_set_limit`.
pub type jwtkit_limit = i32;
/// Longest token in bytes (default 131072). Longer: JWTKIT_ERR_TOKEN_TOO_LARGE.
pub const JWTKIT_LIMIT_TOKEN_LEN: jwtkit_limit = 1;
/// Largest decoded header in bytes (default 8192). Larger: JWTKIT_ERR_JSON_LIMIT.
pub const JWTKIT_LIMIT_HEADER_LEN: jwtkit_limit = 2;
/// Deepest JSON nesting in header and claims (default 64, at most 120). Deeper:
/// JWTKIT_ERR_JSON_LIMIT.
pub const JWTKIT_LIMIT_JSON_DEPTH: jwtkit_limit = 3;
/// Most keys of a key set tried for one token (default 16); for a JWE in JSON
/// serialization, most (recipient, key) unwraps.
pub const JWTKIT_LIMIT_KEYS_TRIED: jwtkit_limit = 4;
/// Most recipients of a JWE in JSON serialization (default 32; JWE only). More:
/// JWTKIT_ERR_JSON_LIMIT.
pub const JWTKIT_LIMIT_RECIPIENTS: jwtkit_limit = 5;

/// Most signatures in one JWS JSON serialization (default 16, at most 1024). More:
/// JWTKIT_ERR_JSON_LIMIT.
pub const JWTKIT_LIMIT_SIGNATURES: jwtkit_limit = 6;

/// Sets one resource limit (`JWTKIT_LIMIT_*` but `JWTKIT_LIMIT_RECIPIENTS`) to `value`.
/// Limits protect against hostile input; the defaults suit real tokens, so change them
/// only with a reason.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (unknown
/// limit, or a value that is too small or too large), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_set_limit(
    validation: *mut jwtkit_validation,
    limit: jwtkit_limit,
    value: u64,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let v = unsafe { borrow_mut(validation, "validation") }?;
        let value = usize::try_from(value).map_err(|_| invalid(format!("limit value {value} is too large")))?;
        let mut limits = *v.limits();
        match limit {
            JWTKIT_LIMIT_TOKEN_LEN => limits.max_token_len = value,
            JWTKIT_LIMIT_HEADER_LEN => limits.max_header_len = value,
            JWTKIT_LIMIT_JSON_DEPTH => limits.max_depth = value,
            JWTKIT_LIMIT_KEYS_TRIED => limits.max_keys_tried = value,
            JWTKIT_LIMIT_RECIPIENTS => return Err(invalid("JWTKIT_LIMIT_RECIPIENTS applies to JWE only".into())),
            JWTKIT_LIMIT_SIGNATURES => limits.max_signatures = value,
            other => return Err(invalid(format!("{other} is not a JWTKIT_LIMIT_* value"))),
        }
        Ok(v.set_limits(limits)?)
    })
}

/// Accepts (`allow` true) token segments with base64 padding (`=`), as AWS Application
/// Load Balancer writes them (`x-amzn-oidc-data`). Off by default: RFC 7515 base64url has
/// no padding, and a token with two spellings defeats deny-lists keyed on the token; a
/// padded token is then refused with a message naming this call. Non-canonical trailing
/// bits are refused either way.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_allow_padded_base64(
    validation: *mut jwtkit_validation,
    allow: bool,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        unsafe { borrow_mut(validation, "validation") }?.allow_padded_base64(allow);
        Ok(())
    })
}

/// Runs the claim checks of `validation` on claims that were NOT verified: for callers
/// that skip the signature on purpose (PyJWT's `verify_signature: False` with
/// `verify_exp`), so that checking less never means checking nothing. `claims_json`
/// `(ptr, len)` must be one JSON object; `typ` `(ptr, len)` is the header's `typ`, or
/// `(NULL, 0)`. Checks, in order: types of the registered claims, required claims, time,
/// issuer, audience, subject, `typ`, revocation (as `jwtkit_verify` after the
/// signature). Never a substitute for verification.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (`typ` not
/// UTF-8), JWTKIT_ERR_JSON, JWTKIT_ERR_JSON_LIMIT, the claim statuses of `jwtkit_verify`,
/// JWTKIT_ERR_PANIC. Thread safety: reads `validation` only.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_check_claims(
    validation: *const jwtkit_validation,
    claims_json: *const u8,
    claims_len: usize,
    typ: *const u8,
    typ_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let validation = unsafe { crate::ffi::handle::borrow(validation, "validation") }?;
        let claims = unsafe { input(claims_json, claims_len, "claims_json") }?;
        let typ = match unsafe { crate::ffi::boundary::optional_input(typ, typ_len, "typ") }? {
            None => None,
            Some(bytes) => {
                Some(std::str::from_utf8(bytes).map_err(|_| invalid("argument `typ` must be UTF-8".into()))?)
            }
        };
        Ok(validation.check_claims(typ, claims)?)
    })
}

/// Releases a policy. NULL is a no-op; must not be called twice, nor while another
/// thread verifies with it.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_free(validation: *mut jwtkit_validation) {
    crate::ffi::boundary::infallible((), || unsafe { free_boxed(validation) })
}
