//! JWE JSON serialization from C: `jwtkit_jwe_encrypt_json` (one or several
//! recipients, `aad`, unprotected headers) and `jwtkit_jwe_decrypt_json`, whose result
//! is the opaque `jwtkit_jwe_json_result` (plaintext, headers, `aad`, which recipient).
//! Conversion only: every rule is in `crate::jwe::json`.

use std::borrow::Cow;
use std::ffi::c_char;

use crate::ffi::boundary::{fallible, input, invalid, null, optional_input, Failure, OutString};
use crate::ffi::handle::{borrow, free_boxed, give_boxed, Boxed, Castable};
use crate::ffi::jwe::{jwtkit_jwe_alg, jwtkit_jwe_enc, jwtkit_jwe_policy, JWTKIT_JWE_ZIP};
use crate::ffi::key::jwtkit_key;
use crate::ffi::numbered;
use crate::ffi::status::*;
use crate::jwe::{self, Alg, DecryptedJson, Enc, JsonOptions, JsonRecipient};
use crate::key::Key;

/// Flag for `jwtkit_jwe_encrypt_json`: the general syntax (`recipients`) even for a
/// single recipient (one recipient is otherwise flattened).
pub const JWTKIT_JWE_GENERAL: u32 = 2;

/// One recipient of `jwtkit_jwe_encrypt_json`: a plain struct the caller fills; nothing
/// in it is kept after the call.
#[repr(C)]
pub struct jwtkit_jwe_recipient {
    /// The recipient's key, borrowed for the call (public is enough for RSA and ECDH).
    pub key: *const jwtkit_key,
    /// Its key management algorithm, a `JWTKIT_JWE_ALG_*` value.
    pub alg: jwtkit_jwe_alg,
    /// Optional `(ptr, len)`, (NULL, 0) for none: a JSON object of members for this
    /// recipient's unprotected `header` (`kid`, …). Copied.
    pub header_json: *const u8,
    /// Length of `header_json` in bytes.
    pub header_len: usize,
}

/// An opaque, decrypted and authenticated JWE in JSON serialization, made by
/// `jwtkit_jwe_decrypt_json` and owned by the caller (free with
/// `jwtkit_jwe_json_result_free`, which wipes the plaintext). Read-only: any number of
/// threads may read it at once.
pub struct jwtkit_jwe_json_result {
    _private: [u8; 0],
}

impl Castable for jwtkit_jwe_json_result {
    type Ownership = Boxed;
    type Rust = DecryptedJson;
}

/// Encrypts `plaintext` `(ptr, len)` (copied) once, with content encryption `enc`, for
/// each of the `n_recipients` recipients in `recipients` (1 to 32; each its own key and
/// `alg`; one content key wrapped for every one), as a JWE in JSON serialization (RFC
/// 7516 §7.2). One recipient gives the flattened syntax unless `flags` has
/// `JWTKIT_JWE_GENERAL`; several give the general syntax (`recipients`). With one
/// recipient its `alg`, `kid` and `epk` are in the protected header, as in compact;
/// with several they are in each recipient's header, and `dir`/`ECDH-ES` (which make
/// their own content key) are refused (JWTKIT_ERR_INVALID_ARGUMENT).
///
/// Optional inputs, (NULL, 0) for none, all copied: `protected_json`, a JSON object of
/// extra protected header members (`typ`, `cty`, `apu`, …); `unprotected_json`, the
/// shared unprotected header; `aad`, additional authenticated data (any bytes; a
/// non-NULL pointer with length 0 is an empty `aad`, sent as such). `enc`, `zip` and
/// `epk` are set by jwtkit; a member in two headers is JWTKIT_ERR_HEADER_INVALID.
/// `flags`: 0, or `JWTKIT_JWE_ZIP` and/or `JWTKIT_JWE_GENERAL`. Randomness (CEK, IV,
/// ephemeral keys) comes from the OS.
///
/// On success `*out_json` receives the NUL-terminated JSON text, owned by the caller
/// (free with `jwtkit_string_free`), and `*out_json_len` (if not NULL) its length. On
/// failure neither is written.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (no
/// recipient or too many, unknown number or flag, conflicting or jwtkit-owned members,
/// `dir`/`ECDH-ES` among several), JWTKIT_ERR_JSON, JWTKIT_ERR_JSON_LIMIT,
/// JWTKIT_ERR_HEADER_INVALID, JWTKIT_ERR_CRIT_UNSUPPORTED, JWTKIT_ERR_KEY_ALG_MISMATCH,
/// JWTKIT_ERR_KEY_USAGE, JWTKIT_ERR_KEY_INVALID, JWTKIT_ERR_OUT_OF_MEMORY,
/// JWTKIT_ERR_PANIC. Thread safety: safe to call concurrently with the same keys.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_encrypt_json(
    recipients: *const jwtkit_jwe_recipient,
    n_recipients: usize,
    enc: jwtkit_jwe_enc,
    plaintext: *const u8,
    plaintext_len: usize,
    protected_json: *const u8,
    protected_len: usize,
    unprotected_json: *const u8,
    unprotected_len: usize,
    aad: *const u8,
    aad_len: usize,
    flags: u32,
    out_json: *mut *mut c_char,
    out_json_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        if flags & !(JWTKIT_JWE_ZIP | JWTKIT_JWE_GENERAL) != 0 {
            return Err(invalid(format!("unknown JWE flags {flags:#x}")));
        }
        let given = unsafe { array(recipients, n_recipients, "recipients") }?;
        let mut list = Vec::with_capacity(given.len());
        for (i, r) in given.iter().enumerate() {
            list.push(JsonRecipient {
                key: unsafe { borrow(r.key, &format!("recipients[{i}].key")) }?,
                alg: numbered::arg::<Alg>(r.alg)?,
                header: unsafe { optional_input(r.header_json, r.header_len, "header_json") }?,
            });
        }
        let enc = numbered::arg::<Enc>(enc)?;
        let plaintext = unsafe { input(plaintext, plaintext_len, "plaintext") }?;
        if aad.is_null() && aad_len > 0 {
            return Err(null("aad"));
        }
        let options = JsonOptions {
            protected: unsafe { optional_input(protected_json, protected_len, "protected_json") }?,
            unprotected: unsafe { optional_input(unprotected_json, unprotected_len, "unprotected_json") }?,
            aad: if aad.is_null() { None } else { Some(unsafe { input(aad, aad_len, "aad") }?) },
            compress: flags & JWTKIT_JWE_ZIP != 0,
            general: flags & JWTKIT_JWE_GENERAL != 0,
        };
        let out = OutString::new(out_json, out_json_len).required("out_json")?;
        out.write(jwe::encrypt_json(&list, enc, plaintext, &options)?.as_bytes())
    })
}

/// A C array `(ptr, n)` that must not be empty.
unsafe fn array<'a, T>(ptr: *const T, n: usize, name: &str) -> Result<&'a [T], Failure> {
    if n == 0 {
        return Err(invalid(format!("`{name}` is empty")));
    }
    if ptr.is_null() {
        return Err(null(name));
    }
    if n > 1024 {
        return Err(invalid(format!("{n} entries in `{name}` is more than jwtkit accepts")));
    }
    Ok(unsafe { std::slice::from_raw_parts(ptr, n) })
}

/// Decrypts a JWE in JSON serialization, general or flattened, `(ptr, len)` (copied),
/// under `policy`, with the first of the `n_keys` keys in `keys` (an array of borrowed
/// handles, 1 to 1024) that opens it. In order: size limit, one strict JSON object (no
/// duplicate member, depth limit), its shape, at most `JWTKIT_LIMIT_RECIPIENTS`
/// recipients (default 32, JWTKIT_ERR_JSON_LIMIT beyond); header placement (a member in
/// two of protected / shared unprotected / per-recipient header, or `zip`/`crit`
/// outside the protected one, or `enc` in a recipient's: JWTKIT_ERR_HEADER_INVALID);
/// `crit`; `enc` known and allowed; `zip` allowed. A recipient whose `alg` is not in the
/// allow-list, not implemented, or `RSA1_5` is skipped and never tried; when no
/// recipient is allowed the status is JWTKIT_ERR_ALG_NOT_ALLOWED (a single recipient
/// gets compact's status for its `alg`). Then each allowed recipient with the keys its
/// `kid` chooses (the keys with that `kid`, else the keys without one; every key when it
/// has none, as `jwtkit_jwe_decrypt_with_keyset` chooses) that fit its `alg`, at most
/// `JWTKIT_LIMIT_KEYS_TRIED` unwraps (default 16). Every unwrap and tag failure is the one status
/// JWTKIT_ERR_JWE_DECRYPTION_FAILED with one message.
///
/// On success `*out` receives the result, owned by the caller (free with
/// `jwtkit_jwe_json_result_free`); read it with `jwtkit_jwe_json_result_*`. On failure
/// it is not written.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (no key),
/// JWTKIT_ERR_TOKEN_TOO_LARGE, JWTKIT_ERR_TOKEN_MALFORMED, JWTKIT_ERR_BASE64,
/// JWTKIT_ERR_JSON, JWTKIT_ERR_JSON_LIMIT, JWTKIT_ERR_HEADER_INVALID,
/// JWTKIT_ERR_CRIT_UNSUPPORTED, JWTKIT_ERR_ALG_UNSUPPORTED, JWTKIT_ERR_JWE_ALG_INSECURE,
/// JWTKIT_ERR_ALG_NOT_ALLOWED, JWTKIT_ERR_JWE_ENC_UNSUPPORTED,
/// JWTKIT_ERR_JWE_ENC_NOT_ALLOWED, JWTKIT_ERR_JWE_ZIP_NOT_ALLOWED, JWTKIT_ERR_KEY_NOT_FOUND
/// (no key chosen for any allowed recipient), JWTKIT_ERR_KEY_ALG_MISMATCH,
/// JWTKIT_ERR_KEY_USAGE, JWTKIT_ERR_JWE_KEY_CANNOT_DECRYPT, JWTKIT_ERR_JWE_EPK_INVALID,
/// JWTKIT_ERR_JWE_DECRYPTION_FAILED, JWTKIT_ERR_JWE_ZIP_LIMIT, JWTKIT_ERR_OUT_OF_MEMORY,
/// JWTKIT_ERR_PANIC. Thread safety: safe to call concurrently with the same keys and
/// policy.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_decrypt_json(
    token: *const u8,
    token_len: usize,
    keys: *const *const jwtkit_key,
    n_keys: usize,
    policy: *const jwtkit_jwe_policy,
    out: *mut *mut jwtkit_jwe_json_result,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let token = unsafe { input(token, token_len, "token") }?;
        let handles = unsafe { array(keys, n_keys, "keys") }?;
        let keys = handles
            .iter()
            .enumerate()
            .map(|(i, &k)| unsafe { borrow(k, &format!("keys[{i}]")) })
            .collect::<Result<Vec<&Key>, _>>()?;
        let policy = unsafe { borrow(policy, "policy") }?;
        if out.is_null() {
            return Err(null("out"));
        }
        let decrypted = jwe::decrypt_json(token, &keys, policy)?;
        unsafe { give_boxed(out, decrypted) };
        Ok(())
    })
}

unsafe fn result_text(
    result: *const jwtkit_jwe_json_result,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
    pick: impl FnOnce(&DecryptedJson) -> Result<Cow<'_, [u8]>, Failure>,
) -> jwtkit_status {
    fallible(out_err, || {
        let result = unsafe { borrow(result, "result") }?;
        OutString::new(out, out_len).required("out")?.write(&pick(result)?)
    })
}

/// The plaintext (NUL-terminated but possibly holding NUL bytes: use `*out_len`). On
/// success `*out` receives a copy owned by the caller (free with `jwtkit_string_free`,
/// which wipes it) and `*out_len` (if not NULL) its length.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_json_result_plaintext(
    result: *const jwtkit_jwe_json_result,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe { result_text(result, out, out_len, out_err, |r| Ok(Cow::Borrowed(&r.plaintext[..]))) }
}

/// The protected header JSON exactly as sent (empty when the JWE has none). Outputs as
/// in `jwtkit_jwe_json_result_plaintext`.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_json_result_protected_header(
    result: *const jwtkit_jwe_json_result,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe { result_text(result, out, out_len, out_err, |r| Ok(Cow::Borrowed(&r.protected_json[..]))) }
}

/// The JOSE header of the recipient that decrypted, as one JSON object: the protected,
/// shared unprotected and that recipient's header members together. Outputs as in
/// `jwtkit_jwe_json_result_plaintext`.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_json_result_header(
    result: *const jwtkit_jwe_json_result,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        result_text(result, out, out_len, out_err, |r| {
            serde_json::to_vec(&r.header).map(Cow::Owned).map_err(|e| invalid(format!("header: {e}")))
        })
    }
}

/// The additional authenticated data (`aad`), decoded. `*out_present` (if not NULL)
/// says whether the JWE has an `aad` member; without one the text is empty. Outputs as
/// in `jwtkit_jwe_json_result_plaintext`.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_json_result_aad(
    result: *const jwtkit_jwe_json_result,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_present: *mut bool,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let result = unsafe { borrow(result, "result") }?;
        OutString::new(out, out_len).required("out")?.write(result.aad.as_deref().unwrap_or_default())?;
        if !out_present.is_null() {
            unsafe { *out_present = result.aad.is_some() };
        }
        Ok(())
    })
}

/// Which recipient's key opened the JWE. Each output is optional (NULL: not wanted):
/// `*out_index` its position in `recipients` (0 when flattened), `*out_alg` its `alg`
/// (a `JWTKIT_JWE_ALG_*` value), `*out_key_index` which of the keys given to
/// `jwtkit_jwe_decrypt_json` opened it; `*out_kid` the recipient's `kid`, owned by the
/// caller (free with `jwtkit_string_free`), and `*out_kid_len` its length, or NULL and 0
/// when the recipient has no `kid`.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_json_result_recipient(
    result: *const jwtkit_jwe_json_result,
    out_index: *mut usize,
    out_alg: *mut jwtkit_jwe_alg,
    out_key_index: *mut usize,
    out_kid: *mut *mut c_char,
    out_kid_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let r = unsafe { borrow(result, "result") }?;
        let kid = OutString::new(out_kid, out_kid_len);
        match &r.kid {
            Some(text) => kid.write(text.as_bytes())?,
            None if kid.wanted() => unsafe {
                *out_kid = std::ptr::null_mut();
                if !out_kid_len.is_null() {
                    *out_kid_len = 0;
                }
            },
            None => {}
        }
        unsafe {
            if !out_index.is_null() {
                *out_index = r.recipient;
            }
            if !out_alg.is_null() {
                *out_alg = numbered::to_c(r.alg);
            }
            if !out_key_index.is_null() {
                *out_key_index = r.key_index;
            }
        }
        Ok(())
    })
}

/// Releases a result, wiping its plaintext. NULL is a no-op; must not be called twice.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_json_result_free(result: *mut jwtkit_jwe_json_result) {
    crate::ffi::boundary::infallible((), || unsafe { free_boxed(result) })
}
