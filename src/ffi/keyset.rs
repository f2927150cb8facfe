//! `jwtkit_keyset`: an immutable, reference-counted set of keys (from a JWKS document or
//! from key handles), for verification or for decryption, and verification that picks
//! the key by the token's `kid` (decryption with a set is in `ffi::jwe`).

use std::ffi::c_char;
use std::sync::Arc;

use crate::ffi::boundary::{fallible, infallible, input, invalid, null, Failure, OutString};
use crate::ffi::handle::{borrow, clone_shared, free_shared, give_shared, Castable, Shared};
use crate::ffi::key::jwtkit_key;
use crate::ffi::status::*;
use crate::ffi::token::verify_to_c;
use crate::ffi::validation::jwtkit_validation;
use crate::jwks::{KeySet, Purpose};

/// An opaque, immutable set of keys, from a JWK Set document (`jwtkit_keyset_from_jwks`)
/// or from keys (`jwtkit_keyset_from_keys`). Verification picks the key by the token's
/// `kid`. A set is made either for verification (those two functions) or for
/// decryption (`jwtkit_keyset_from_jwks_for_decryption`,
/// `jwtkit_keyset_from_keys_for_decryption`), and each kind is refused by the other's
/// functions (JWTKIT_ERR_INVALID_ARGUMENT). To rotate, build a new set and free the old
/// one once no thread uses it. Thread safety: may be used from any number of threads at
/// once.
pub struct jwtkit_keyset {
    _private: [u8; 0],
}

impl Castable for jwtkit_keyset {
    type Ownership = Shared;
    type Rust = KeySet;
}

/// Reads a JWK Set (RFC 7517 §5): `{"keys": [...]}`, `(ptr, len)` UTF-8 JSON, copied,
/// at most 1 MiB and 1024 keys. Keys it cannot use are skipped, not fatal: unknown
/// `kty`, unsupported curve, invalid key material, `use` other than `sig` or `key_ops`
/// without `verify`, an `alg` that is not a JWS algorithm jwtkit implements or does not
/// fit the key, RSA under 2048 bits or with the ROCA fingerprint, HMAC secrets too short
/// for their `alg` (32 bytes without one), HMAC secrets in a set that also holds
/// asymmetric keys, and keys whose `kid` also names a different key that could verify
/// the same algorithm (ambiguous; the same key twice, or an RSA and an EC key sharing a
/// `kid`, are fine), and keys whose `x5c`/`x5t`/`x5t#S256` disagree with them (see
/// `jwtkit_key_from_jwk`: the certificate chain is not validated). List them with `jwtkit_keyset_skipped_count` and
/// `jwtkit_keyset_skipped`; the set may be empty. On success `*out` receives a set owned by the caller (free with
/// `jwtkit_keyset_free`). Thread safety: safe from any thread.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_KEY_INVALID (not JSON, not an
/// object, duplicate members, no `keys` array, over the limits), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_keyset_from_jwks(
    jwks: *const u8,
    jwks_len: usize,
    out: *mut *const jwtkit_keyset,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || unsafe { set_from_jwks(jwks, jwks_len, Purpose::Verification, out) })
}

/// Reads a JWK Set as `jwtkit_keyset_from_jwks` does (same limits, same document
/// errors), keeping the keys that can decrypt JWE instead: `use` `enc` or none,
/// `key_ops` (if any) with `decrypt`, `unwrapKey` or `deriveKey`, a private key or a
/// secret that fits some JWE key management algorithm (`jwtkit_key_can_decrypt`: a
/// secret of 16, 24, 32, 48 or 64 bytes, RSA, EC P-256/P-384/P-521 or X25519), and an
/// `alg` (if any) that is a JWE key management algorithm jwtkit implements and fits the
/// key. Skipped, and listed by `jwtkit_keyset_skipped`: public keys
/// (JWTKIT_ERR_JWE_KEY_CANNOT_DECRYPT), `use: sig` (JWTKIT_ERR_KEY_USAGE), other `alg`s
/// (JWTKIT_ERR_KEY_UNSUPPORTED), keys that fit no algorithm
/// (JWTKIT_ERR_KEY_ALG_MISMATCH), keys that do not parse, and keys whose `kid` also
/// names a different key for the same JWE algorithm (ambiguous). The set is for the
/// `jwtkit_jwe_*_with_keyset` functions, which choose its keys by the token's `kid`;
/// verification refuses it. On success `*out` receives a set owned by the caller (free
/// with `jwtkit_keyset_free`). Thread safety: safe from any thread.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_KEY_INVALID (not JSON, not an
/// object, duplicate members, no `keys` array, over the limits), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_keyset_from_jwks_for_decryption(
    jwks: *const u8,
    jwks_len: usize,
    out: *mut *const jwtkit_keyset,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || unsafe { set_from_jwks(jwks, jwks_len, Purpose::Decryption, out) })
}

unsafe fn set_from_jwks(
    jwks: *const u8,
    jwks_len: usize,
    purpose: Purpose,
    out: *mut *const jwtkit_keyset,
) -> Result<(), Failure> {
    let jwks = unsafe { input(jwks, jwks_len, "jwks") }?;
    if out.is_null() {
        return Err(null("out"));
    }
    let set = match purpose {
        Purpose::Verification => KeySet::from_jwks(jwks)?,
        Purpose::Decryption => KeySet::from_jwks_for_decryption(jwks)?,
    };
    unsafe { give_shared(out, Arc::new(set)) };
    Ok(())
}

/// Makes a set of the `n_keys` keys in `keys` (an array of non-NULL handles; `(NULL, 0)`
/// is an empty set). The set takes its own reference to each key: the caller still owns
/// (and may free) its handles. The rules of `jwtkit_keyset_from_jwks` apply: keys the
/// set cannot use are skipped and listed, with their index in `keys`. On success `*out`
/// receives a set owned by the caller (free with `jwtkit_keyset_free`). Thread safety:
/// safe from any thread.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT (NULL array with `n_keys` > 0, or a NULL
/// key), JWTKIT_ERR_INVALID_ARGUMENT (more than 1024 keys), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_keyset_from_keys(
    keys: *const *const jwtkit_key,
    n_keys: usize,
    out: *mut *const jwtkit_keyset,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || unsafe { set_from_keys(keys, n_keys, Purpose::Verification, out) })
}

/// Makes a set for decryption of the `n_keys` keys in `keys`, as
/// `jwtkit_keyset_from_keys` does (same arguments, same ownership: the set takes its own
/// reference to each key), with the rules of `jwtkit_keyset_from_jwks_for_decryption`:
/// keys that cannot decrypt are skipped and listed, with their index in `keys`. On
/// success `*out` receives a set owned by the caller (free with `jwtkit_keyset_free`).
/// Thread safety: safe from any thread.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT (NULL array with `n_keys` > 0, or a NULL
/// key), JWTKIT_ERR_INVALID_ARGUMENT (more than 1024 keys), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_keyset_from_keys_for_decryption(
    keys: *const *const jwtkit_key,
    n_keys: usize,
    out: *mut *const jwtkit_keyset,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || unsafe { set_from_keys(keys, n_keys, Purpose::Decryption, out) })
}

unsafe fn set_from_keys(
    keys: *const *const jwtkit_key,
    n_keys: usize,
    purpose: Purpose,
    out: *mut *const jwtkit_keyset,
) -> Result<(), Failure> {
    if out.is_null() {
        return Err(null("out"));
    }
    if keys.is_null() && n_keys > 0 {
        return Err(null("keys"));
    }
    if n_keys > crate::jwks::MAX_KEYS {
        return Err(invalid(format!("{n_keys} keys is more than the limit of {}", crate::jwks::MAX_KEYS)));
    }
    let handles = if n_keys == 0 { &[][..] } else { unsafe { std::slice::from_raw_parts(keys, n_keys) } };
    let mut shared = Vec::with_capacity(n_keys);
    for (i, &handle) in handles.iter().enumerate() {
        if handle.is_null() {
            return Err(null(&format!("keys[{i}]")));
        }
        shared.push(unsafe { clone_shared(handle) });
    }
    let set = match purpose {
        Purpose::Verification => KeySet::from_keys(shared),
        Purpose::Decryption => KeySet::from_keys_for_decryption(shared),
    };
    unsafe { give_shared(out, Arc::new(set)) };
    Ok(())
}

/// Releases a key set (and its references to its keys). NULL is a no-op; must not be
/// called twice on the same pointer, nor while another thread still uses it.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_keyset_free(set: *const jwtkit_keyset) {
    infallible((), || unsafe { free_shared(set) })
}

/// The number of usable keys in the set (skipped ones not counted); 0 for NULL.
/// Thread safety: reads only.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_keyset_len(set: *const jwtkit_keyset) -> usize {
    infallible(0, || unsafe { borrow(set, "keyset") }.map_or(0, |s| s.len()))
}

/// The usable key at `index` (0 ≤ index < `jwtkit_keyset_len`, document order): on
/// success `*out` receives a new reference owned by the caller (free with
/// `jwtkit_key_free`; the set keeps its own). Use it to sign (its `kid` goes into the
/// header) or to export it. Thread safety: safe to call concurrently with the same set.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (index out
/// of range), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_keyset_get(
    set: *const jwtkit_keyset,
    index: usize,
    out: *mut *const jwtkit_key,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let set = unsafe { borrow(set, "keyset") }?;
        if out.is_null() {
            return Err(null("out"));
        }
        let key = set
            .keys()
            .get(index)
            .ok_or_else(|| invalid(format!("index {index} is out of range: the set has {} keys", set.len())))?;
        unsafe { give_shared(out, Arc::clone(key)) };
        Ok(())
    })
}

/// The number of keys the set skipped; 0 for NULL. Thread safety: reads only.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_keyset_skipped_count(set: *const jwtkit_keyset) -> usize {
    infallible(0, || unsafe { borrow(set, "keyset") }.map_or(0, |s| s.skipped().len()))
}

/// Why the `index`-th skipped key (0 ≤ index < `jwtkit_keyset_skipped_count`, in
/// document order) was left out. `*out_status` (if not NULL) receives the status the key
/// would have failed with (for example JWTKIT_ERR_KEY_UNSUPPORTED for an unknown `kty`,
/// JWTKIT_ERR_KEY_USAGE for `use: enc`); `*out_message` (if not NULL) a message naming
/// its position and `kid`, such as `keys[2] (kid "a"): key: JWK: ...`, NUL-terminated,
/// owned by the caller (free with `jwtkit_string_free`), and `*out_message_len` (if not
/// NULL) its length. On failure nothing is written. Thread safety: safe to call
/// concurrently with the same set.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (index out
/// of range), JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_keyset_skipped(
    set: *const jwtkit_keyset,
    index: usize,
    out_status: *mut jwtkit_status,
    out_message: *mut *mut c_char,
    out_message_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let set = unsafe { borrow(set, "keyset") }?;
        let skipped = set.skipped().get(index).ok_or_else(|| {
            invalid(format!("index {index} is out of range: the set skipped {} keys", set.skipped().len()))
        })?;
        let message = OutString::new(out_message, out_message_len);
        message.write(skipped.describe().as_bytes())?;
        if !out_status.is_null() {
            unsafe { *out_status = status_of(&skipped.reason) };
        }
        Ok(())
    })
}

/// The public JWK Set of the set's usable keys, `{"keys":[...]}`, each as
/// `jwtkit_key_to_public_jwk` writes it: what an issuer publishes at its `jwks_uri`.
/// On success `*out` receives the NUL-terminated JSON, owned by the caller (free with
/// `jwtkit_string_free`), and `*out_len` (if not NULL) its length. On failure nothing
/// is written. Thread safety: safe to call concurrently with the same set.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (the set
/// holds HMAC secrets, which have no public form), JWTKIT_ERR_OUT_OF_MEMORY,
/// JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_keyset_to_public_jwks(
    set: *const jwtkit_keyset,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let set = unsafe { borrow(set, "keyset") }?;
        let out = OutString::new(out, out_len).required("out")?;
        out.write(set.to_public_jwks()?.as_bytes())
    })
}

/// Verifies a JWT `(ptr, len)` (copied) as `jwtkit_verify` does, with the key chosen
/// from `keyset`: a token with a `kid` only by keys with exactly that `kid` that fit its
/// algorithm (no key with that `kid`: JWTKIT_ERR_KEY_NOT_FOUND, also when the keys with
/// that `kid` were skipped; keys that do not fit: their error, such as
/// JWTKIT_ERR_KEY_ALG_MISMATCH); a token
/// without `kid` by every key whose kind (and JWK `alg`) fits its algorithm, in set
/// order, at most the validation's `JWTKIT_LIMIT_KEYS_TRIED` (16 by default). Nothing in the
/// token can add a key. `keyset` and `validation` are borrowed.
///
/// Outputs as `jwtkit_verify`: optional (NULL for any you do not need); on success
/// `*out_header` and `*out_claims` receive the exact header and claims JSON,
/// NUL-terminated, owned by the caller (free each with `jwtkit_string_free`), with
/// their lengths in `*out_*_len` (if not NULL). On failure nothing is written.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (a set made
/// for decryption), JWTKIT_ERR_TOKEN_TOO_LARGE,
/// JWTKIT_ERR_TOKEN_MALFORMED, JWTKIT_ERR_BASE64, JWTKIT_ERR_JSON, JWTKIT_ERR_JSON_LIMIT,
/// JWTKIT_ERR_HEADER_INVALID, JWTKIT_ERR_CRIT_UNSUPPORTED, JWTKIT_ERR_ALG_UNSUPPORTED,
/// JWTKIT_ERR_ALG_NOT_ALLOWED, JWTKIT_ERR_KEY_NOT_FOUND, JWTKIT_ERR_KEY_ALG_MISMATCH,
/// JWTKIT_ERR_KEY_TOO_WEAK, JWTKIT_ERR_KEY_USAGE, JWTKIT_ERR_SIGNATURE_INVALID,
/// JWTKIT_ERR_CLAIM_INVALID, JWTKIT_ERR_EXPIRED, JWTKIT_ERR_NOT_YET_VALID,
/// JWTKIT_ERR_ISSUED_IN_FUTURE, JWTKIT_ERR_TOO_OLD, JWTKIT_ERR_CLAIM_MISSING,
/// JWTKIT_ERR_ISSUER_MISMATCH, JWTKIT_ERR_AUDIENCE_MISMATCH, JWTKIT_ERR_SUBJECT_MISMATCH,
/// JWTKIT_ERR_TYP_MISMATCH, JWTKIT_ERR_REVOKED, JWTKIT_ERR_OUT_OF_MEMORY,
/// JWTKIT_ERR_PANIC. Thread safety: safe to call concurrently with the same key set and
/// validation.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn jwtkit_verify_with_keyset(
    token: *const u8,
    token_len: usize,
    keyset: *const jwtkit_keyset,
    validation: *const jwtkit_validation,
    out_header: *mut *mut c_char,
    out_header_len: *mut usize,
    out_claims: *mut *mut c_char,
    out_claims_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || unsafe {
        let (header, claims) = (OutString::new(out_header, out_header_len), OutString::new(out_claims, out_claims_len));
        verify_to_c(token, token_len, borrow(keyset, "keyset")?, validation, true, header, claims)
    })
}

/// Verifies the signature of any compact JWS as `jwtkit_jws_verify` does, with the key
/// chosen from `keyset` as in `jwtkit_verify_with_keyset`; the payload may be any bytes
/// and no claim is checked. `*out_payload` receives the payload, NUL-terminated but
/// possibly holding NUL bytes: use `*out_payload_len`.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (a set made
/// for decryption), JWTKIT_ERR_TOKEN_TOO_LARGE,
/// JWTKIT_ERR_TOKEN_MALFORMED, JWTKIT_ERR_BASE64, JWTKIT_ERR_JSON, JWTKIT_ERR_JSON_LIMIT,
/// JWTKIT_ERR_HEADER_INVALID, JWTKIT_ERR_CRIT_UNSUPPORTED, JWTKIT_ERR_ALG_UNSUPPORTED,
/// JWTKIT_ERR_ALG_NOT_ALLOWED, JWTKIT_ERR_KEY_NOT_FOUND, JWTKIT_ERR_KEY_ALG_MISMATCH,
/// JWTKIT_ERR_KEY_TOO_WEAK, JWTKIT_ERR_KEY_USAGE, JWTKIT_ERR_SIGNATURE_INVALID,
/// JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC. Thread safety: safe to call concurrently
/// with the same key set and validation.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jws_verify_with_keyset(
    token: *const u8,
    token_len: usize,
    keyset: *const jwtkit_keyset,
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
        verify_to_c(token, token_len, borrow(keyset, "keyset")?, validation, false, header, payload)
    })
}
