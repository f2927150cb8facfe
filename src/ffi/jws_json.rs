//! JWS JSON serialization (RFC 7515 §7.2) from C: `jwtkit_jws_json_signers` (the keys
//! to sign with) and `jwtkit_jws_json_sign`; `jwtkit_jws_json_verify` under a
//! `jwtkit_jws_json_rule`, giving a `jwtkit_jws_json` whose accessors report every
//! signature. Every rule is `crate::jws_json`'s; this only converts.

use std::ffi::c_char;
use std::sync::Arc;

use crate::ffi::boundary::{fallible, infallible, input, invalid, null, optional_input, Failure, OutString};
use crate::ffi::detached::JWTKIT_JWS_UNENCODED;
use crate::ffi::handle::{borrow, borrow_mut, clone_shared, free_boxed, give_boxed, Boxed, Castable};
use crate::ffi::key::jwtkit_key;
use crate::ffi::numbered;
use crate::ffi::status::*;
use crate::ffi::validation::jwtkit_validation;
use crate::ffi::version::{alg_arg, jwtkit_alg};
use crate::jws_json::{self, Rule, SignOptions, Signer, VerifiedJson};
use crate::{Algorithm, Key};

/// Which signatures of a JWS JSON serialization must verify: `JWTKIT_JWS_JSON_RULE_*`.
pub type jwtkit_jws_json_rule = i32;
/// At least one signature verified with one of the caller's keys. The others may have
/// failed (a forged signature beside a valid one, an algorithm outside the allow-list,
/// a key the caller does not hold): they are reported by `jwtkit_jws_json_signature`,
/// never dropped.
pub const JWTKIT_JWS_JSON_RULE_ANY: jwtkit_jws_json_rule = 1;
/// Every signature verified, and every key the caller gave verified at least one.
pub const JWTKIT_JWS_JSON_RULE_ALL: jwtkit_jws_json_rule = 2;

/// Flag for `jwtkit_jws_json_sign`: write the general form (a `signatures` array) even
/// for one signer. Several signers always give it; one gives the flattened form.
pub const JWTKIT_JWS_JSON_GENERAL: u32 = 2;
/// Flag for `jwtkit_jws_json_sign`: leave the `payload` member out (detached content,
/// RFC 7515 Appendix F); the payload travels apart.
pub const JWTKIT_JWS_JSON_DETACHED: u32 = 4;

/// An opaque list of signers for `jwtkit_jws_json_sign`: each a key, an algorithm and
/// optional protected and unprotected header members. Holds its own reference to each
/// key. Thread safety: `_add` must not run while another thread uses the list; signing
/// only reads it.
pub struct jwtkit_jws_json_signers {
    _private: [u8; 0],
}

/// One signer, owned.
pub(crate) struct OwnedSigner {
    key: Arc<Key>,
    alg: Algorithm,
    protected: Option<Vec<u8>>,
    unprotected: Option<Vec<u8>>,
}

impl Castable for jwtkit_jws_json_signers {
    type Ownership = Boxed;
    type Rust = Vec<OwnedSigner>;
}

/// A JWS JSON serialization that passed its rule: its payload and the outcome of every
/// signature. Immutable: any number of threads may read it at once. Released with
/// `jwtkit_jws_json_free`.
pub struct jwtkit_jws_json {
    _private: [u8; 0],
}

impl Castable for jwtkit_jws_json {
    type Ownership = Boxed;
    type Rust = VerifiedJson;
}

/// Makes an empty list of signers. On success `*out` receives it, owned by the caller
/// (free with `jwtkit_jws_json_signers_free`).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jws_json_signers_new(
    out: *mut *mut jwtkit_jws_json_signers,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        if out.is_null() {
            return Err(null("out"));
        }
        unsafe { give_boxed(out, Vec::new()) };
        Ok(())
    })
}

/// Adds a signer: `key` (the list takes its own reference; the caller still owns its
/// handle) signing with `alg`, which becomes its protected header's `alg`.
/// `protected_json` `(ptr, len)`, or `(NULL, 0)`, is a JSON object of members for the
/// protected header (as `jwtkit_jws_sign`'s `header_json`); the key's `kid` is added to
/// it unless either header has one. `unprotected_json` `(ptr, len)`, or `(NULL, 0)`, is
/// the unprotected header (`"header"`), e.g. `{"kid":"k1"}`: never `alg`, `crit`, `b64`,
/// nor a member of the protected header. Both are copied; they are checked when signing.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (unknown
/// algorithm, more than 1024 signers), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jws_json_signers_add(
    signers: *mut jwtkit_jws_json_signers,
    key: *const jwtkit_key,
    alg: jwtkit_alg,
    protected_json: *const u8,
    protected_len: usize,
    unprotected_json: *const u8,
    unprotected_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let list = unsafe { borrow_mut(signers, "signers") }?;
        unsafe { borrow(key, "key") }?;
        let alg = alg_arg(alg)?;
        let protected = unsafe { optional_input(protected_json, protected_len, "protected_json") }?;
        let unprotected = unsafe { optional_input(unprotected_json, unprotected_len, "unprotected_json") }?;
        if list.len() >= 1024 {
            return Err(invalid("a JWS JSON serialization has at most 1024 signers".into()));
        }
        list.push(OwnedSigner {
            key: unsafe { clone_shared(key) },
            alg,
            protected: protected.map(<[u8]>::to_vec),
            unprotected: unprotected.map(<[u8]>::to_vec),
        });
        Ok(())
    })
}

/// Releases a list of signers (and its references to its keys). NULL is a no-op; must
/// not be called twice.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jws_json_signers_free(signers: *mut jwtkit_jws_json_signers) {
    infallible((), || unsafe { free_boxed(signers) })
}

/// Signs `payload` `(ptr, len)` (copied) once per signer, in the order they were added,
/// as a JWS JSON serialization: flattened for one signer, general (`signatures`) for
/// several or with `JWTKIT_JWS_JSON_GENERAL`. `flags`: 0 or any of
/// `JWTKIT_JWS_JSON_GENERAL`, `JWTKIT_JWS_JSON_DETACHED` (no `payload` member), and
/// `JWTKIT_JWS_UNENCODED` (RFC 7797: `"b64": false` and `crit` written into every
/// protected header; an attached payload is then a JSON string, so it must be UTF-8).
///
/// On success `*out_token` receives the JSON, owned by the caller (free with
/// `jwtkit_string_free`), and `*out_token_len` (if not NULL) its length.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (no
/// signer, unknown flags, a header `alg` that contradicts the signer's, an unencoded
/// attached payload that is not UTF-8), JWTKIT_ERR_JSON (a header that is not one JSON
/// object), JWTKIT_ERR_HEADER_INVALID (`alg`, `crit` or `b64` in an unprotected
/// header, a member in both headers, a header member of the wrong type),
/// JWTKIT_ERR_KEY_ALG_MISMATCH, JWTKIT_ERR_KEY_CANNOT_SIGN, JWTKIT_ERR_KEY_USAGE,
/// JWTKIT_ERR_KEY_TOO_WEAK, JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC. Thread safety:
/// safe to call concurrently with the same signers.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jws_json_sign(
    signers: *const jwtkit_jws_json_signers,
    payload: *const u8,
    payload_len: usize,
    flags: u32,
    out_token: *mut *mut c_char,
    out_token_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let list = unsafe { borrow(signers, "signers") }?;
        let payload = unsafe { input(payload, payload_len, "payload") }?;
        let known = JWTKIT_JWS_UNENCODED | JWTKIT_JWS_JSON_GENERAL | JWTKIT_JWS_JSON_DETACHED;
        if flags & !known != 0 {
            return Err(invalid(format!("unknown JWS JSON flags {flags:#x}")));
        }
        let out = OutString::new(out_token, out_token_len).required("out_token")?;
        let options = SignOptions {
            general: flags & JWTKIT_JWS_JSON_GENERAL != 0,
            detached: flags & JWTKIT_JWS_JSON_DETACHED != 0,
            unencoded: flags & JWTKIT_JWS_UNENCODED != 0,
        };
        let signers: Vec<Signer> = list
            .iter()
            .map(|s| Signer {
                key: &s.key,
                alg: s.alg,
                protected: s.protected.as_deref(),
                unprotected: s.unprotected.as_deref(),
            })
            .collect();
        out.write(jws_json::sign(payload, &signers, options)?.as_bytes())
    })
}

/// Verifies a JWS JSON serialization, general or flattened: `token` `(ptr, len)`,
/// copied. `detached_payload` `(ptr, len)` is the content when the token has no
/// `payload` member, or an empty one (RFC 7515 Appendix F); `(NULL, 0)` when it carries
/// its payload (an empty detached payload is a non-NULL pointer with length 0). `keys` is an array of
/// `n_keys` (at least 1) non-NULL key handles, borrowed; a signature is tried with the
/// keys whose `kid` agrees with its own (a key without a `kid` agrees with any), keys
/// that fit its algorithm first. `rule` says which signatures must verify
/// (`JWTKIT_JWS_JSON_RULE_ANY` or `_ALL`).
///
/// Each signature is checked as `jwtkit_jws_verify` checks a compact JWS (header rules,
/// allow-list of `validation` — never `none` — key, signature), and further: `alg`,
/// `crit` and `b64` only in the protected header, no member in both the protected and
/// the unprotected header (JWTKIT_ERR_HEADER_INVALID, naming the member). A failed
/// signature under RULE_ANY is reported, with its status, by
/// `jwtkit_jws_json_signature`. No claim is checked.
///
/// On success `*out` receives the verified token, owned by the caller (free with
/// `jwtkit_jws_json_free`). On failure nothing is written; the error is that of the
/// first failed signature (its message names it: `signatures[1]: ...`), or, under
/// RULE_ALL, JWTKIT_ERR_SIGNATURE_INVALID naming a key that verified none.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (unknown
/// rule, no keys), JWTKIT_ERR_TOKEN_MALFORMED (not the JSON serialization's shape, a
/// `payload` beside a detached payload or none at all), JWTKIT_ERR_TOKEN_TOO_LARGE,
/// JWTKIT_ERR_JSON, JWTKIT_ERR_JSON_LIMIT (too deep, more signatures than
/// `JWTKIT_LIMIT_SIGNATURES`), JWTKIT_ERR_BASE64, and from the signatures
/// JWTKIT_ERR_HEADER_INVALID, JWTKIT_ERR_CRIT_UNSUPPORTED, JWTKIT_ERR_ALG_UNSUPPORTED,
/// JWTKIT_ERR_ALG_NOT_ALLOWED, JWTKIT_ERR_KEY_NOT_FOUND, JWTKIT_ERR_KEY_ALG_MISMATCH,
/// JWTKIT_ERR_KEY_USAGE, JWTKIT_ERR_KEY_TOO_WEAK, JWTKIT_ERR_SIGNATURE_INVALID;
/// JWTKIT_ERR_PANIC. Thread safety: safe to call concurrently with the same keys and
/// validation.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jws_json_verify(
    token: *const u8,
    token_len: usize,
    detached_payload: *const u8,
    detached_len: usize,
    keys: *const *const jwtkit_key,
    n_keys: usize,
    validation: *const jwtkit_validation,
    rule: jwtkit_jws_json_rule,
    out: *mut *mut jwtkit_jws_json,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || unsafe {
        verify_to_c(token, token_len, detached_payload, detached_len, keys, n_keys, validation, rule, out, false)
    })
}

/// As `jwtkit_jws_json_verify`, for a JWT: once the rule passed, the payload (or the
/// detached payload) is checked as claims exactly as `jwtkit_verify` checks them; the
/// `typ` check reads the first verified signature's protected header.
///
/// Returns JWTKIT_OK, the statuses of `jwtkit_jws_json_verify` and the claim statuses
/// of `jwtkit_verify`. Thread safety: as `jwtkit_jws_json_verify`.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jws_json_verify_jwt(
    token: *const u8,
    token_len: usize,
    detached_claims: *const u8,
    detached_len: usize,
    keys: *const *const jwtkit_key,
    n_keys: usize,
    validation: *const jwtkit_validation,
    rule: jwtkit_jws_json_rule,
    out: *mut *mut jwtkit_jws_json,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || unsafe {
        verify_to_c(token, token_len, detached_claims, detached_len, keys, n_keys, validation, rule, out, true)
    })
}

/// The body of the two verifiers; `claims` selects the JWT one.
#[allow(clippy::too_many_arguments)]
unsafe fn verify_to_c(
    token: *const u8,
    token_len: usize,
    detached: *const u8,
    detached_len: usize,
    keys: *const *const jwtkit_key,
    n_keys: usize,
    validation: *const jwtkit_validation,
    rule: jwtkit_jws_json_rule,
    out: *mut *mut jwtkit_jws_json,
    claims: bool,
) -> Result<(), Failure> {
    let token = unsafe { input(token, token_len, "token") }?;
    let detached = unsafe { optional_input(detached, detached_len, "detached_payload") }?;
    let validation = unsafe { borrow(validation, "validation") }?;
    let rule: Rule = numbered::arg(rule)?;
    if out.is_null() {
        return Err(null("out"));
    }
    if keys.is_null() && n_keys > 0 {
        return Err(null("keys"));
    }
    let handles = if n_keys == 0 { &[][..] } else { unsafe { std::slice::from_raw_parts(keys, n_keys) } };
    let keys = handles
        .iter()
        .enumerate()
        .map(|(i, &k)| unsafe { borrow(k, &format!("keys[{i}]")) })
        .collect::<Result<Vec<&Key>, Failure>>()?;
    let verified = if claims {
        jws_json::verify_jwt(token, detached, &keys, validation, rule)?
    } else {
        jws_json::verify(token, detached, &keys, validation, rule)?
    };
    unsafe { give_boxed(out, verified) };
    Ok(())
}

/// The verified payload (any bytes; for a detached payload, the caller's). On success
/// `*out` receives it, NUL-terminated, owned by the caller (free with
/// `jwtkit_string_free`), and `*out_len` (if not NULL) its length.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_OUT_OF_MEMORY,
/// JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jws_json_payload(
    verified: *const jwtkit_jws_json,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let verified = unsafe { borrow(verified, "verified") }?;
        OutString::new(out, out_len).required("out")?.write(&verified.payload)
    })
}

/// The number of signatures in the verified token (each has an outcome); 0 for NULL.
/// Thread safety: reads only.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jws_json_count(verified: *const jwtkit_jws_json) -> usize {
    infallible(0, || unsafe { borrow(verified, "verified") }.map_or(0, |v| v.signatures.len()))
}

/// The outcome of the `index`-th signature (0 ≤ index < `jwtkit_jws_json_count`, token
/// order). Each output is optional (NULL: not wanted): `*out_status` receives
/// JWTKIT_OK if it verified, else the status it failed with (for example
/// JWTKIT_ERR_SIGNATURE_INVALID for a forged one, JWTKIT_ERR_ALG_NOT_ALLOWED,
/// JWTKIT_ERR_HEADER_INVALID for `alg` in its unprotected header); `*out_alg` its
/// protected header's `JWTKIT_ALG_*`, or 0 when that header could not be read;
/// `*out_key_index` the position in the caller's `keys` of the key that verified it,
/// or -1; `*out_message` why it failed (empty when it verified), NUL-terminated, owned
/// by the caller (free with `jwtkit_string_free`), and `*out_message_len` its length.
/// On failure nothing is written.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (index out
/// of range), JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jws_json_signature(
    verified: *const jwtkit_jws_json,
    index: usize,
    out_status: *mut jwtkit_status,
    out_alg: *mut jwtkit_alg,
    out_key_index: *mut i64,
    out_message: *mut *mut c_char,
    out_message_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let sig = unsafe { signature_at(verified, index) }?;
        let message = sig.result.as_ref().err().map(ToString::to_string).unwrap_or_default();
        OutString::new(out_message, out_message_len).write(message.as_bytes())?;
        unsafe {
            if !out_status.is_null() {
                *out_status = sig.result.as_ref().err().map_or(JWTKIT_OK, status_of);
            }
            if !out_alg.is_null() {
                *out_alg = sig.alg.map_or(0, numbered::to_c);
            }
            if !out_key_index.is_null() {
                *out_key_index = sig.key_index.map_or(-1, |k| k as i64);
            }
        }
        Ok(())
    })
}

/// The `kid` of the `index`-th signature: for a verified one, the verifying key's own
/// `kid`, else its protected header's (never an unprotected `kid`, which anyone can
/// change without breaking the signature; identify signers by key index); for one that
/// did not verify, the `kid` it names in either header. On success `*out` receives it, NUL-terminated, owned by the caller (free with
/// `jwtkit_string_free`), and `*out_len` (if not NULL) its length; when the signature
/// has no `kid`, `*out` is set to NULL and `*out_len` to 0.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (index out
/// of range), JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jws_json_signature_kid(
    verified: *const jwtkit_jws_json,
    index: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let sig = unsafe { signature_at(verified, index) }?;
        let out = OutString::new(out, out_len).required("out")?;
        match &sig.kid {
            Some(kid) => out.write(kid.as_bytes()),
            None => {
                unsafe { out.clear() };
                Ok(())
            }
        }
    })
}

/// The protected header JSON of the `index`-th signature, exactly as sent (empty when
/// it had none or it could not be read). Outputs as `jwtkit_jws_json_payload`.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (index out
/// of range), JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jws_json_signature_header(
    verified: *const jwtkit_jws_json,
    index: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let sig = unsafe { signature_at(verified, index) }?;
        OutString::new(out, out_len).required("out")?.write(&sig.header_json)
    })
}

unsafe fn signature_at<'a>(
    verified: *const jwtkit_jws_json,
    index: usize,
) -> Result<&'a jws_json::SignatureOutcome, Failure> {
    let verified = unsafe { borrow(verified, "verified") }?;
    verified.signatures.get(index).ok_or_else(|| {
        invalid(format!("index {index} is out of range: the token has {} signatures", verified.signatures.len()))
    })
}

/// Releases a verified JWS JSON. NULL is a no-op; must not be called twice.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jws_json_free(verified: *mut jwtkit_jws_json) {
    infallible((), || unsafe { free_boxed(verified) })
}
