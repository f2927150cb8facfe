//! JWE from C: `jwtkit_jwe_policy` (allow-lists for `alg` and `enc`, compression),
//! `jwtkit_jwe_encrypt`/`jwtkit_jwe_decrypt`, and the nested-JWT helpers. Conversion
//! only: every rule is in `crate::jwe`.

use std::ffi::c_char;

use crate::ffi::boundary::{fallible, input, invalid, null, optional_input, write_pair, Failure, OutString};
use crate::ffi::handle::{borrow, borrow_mut, free_boxed, give_boxed, Boxed, Castable};
use crate::ffi::key::jwtkit_key;
use crate::ffi::keyset::jwtkit_keyset;
use crate::ffi::numbered;
use crate::ffi::status::*;
use crate::ffi::validation::{
    jwtkit_limit, jwtkit_validation, JWTKIT_LIMIT_HEADER_LEN, JWTKIT_LIMIT_JSON_DEPTH, JWTKIT_LIMIT_KEYS_TRIED,
    JWTKIT_LIMIT_RECIPIENTS, JWTKIT_LIMIT_SIGNATURES, JWTKIT_LIMIT_TOKEN_LEN,
};
use crate::ffi::version::{alg_arg, jwtkit_alg};
use crate::jwe::{self, Alg, Enc, JwePolicy};

/// A JWE key management algorithm (`alg`), as a fixed-width integer: one of the
/// `JWTKIT_JWE_ALG_*` values.
pub type jwtkit_jwe_alg = i32;

/// `dir`: the shared key is the content encryption key (oct key of 16, 32 or 64 bytes:
/// the length `enc` needs).
pub const JWTKIT_JWE_ALG_DIR: jwtkit_jwe_alg = 1;
/// `A128KW`: AES key wrap with a 16-byte oct key.
pub const JWTKIT_JWE_ALG_A128KW: jwtkit_jwe_alg = 2;
/// `A256KW`: AES key wrap with a 32-byte oct key.
pub const JWTKIT_JWE_ALG_A256KW: jwtkit_jwe_alg = 3;
/// `ECDH-ES`: ephemeral-static ECDH (P-256, P-384, P-521, X25519), direct key agreement.
pub const JWTKIT_JWE_ALG_ECDH_ES: jwtkit_jwe_alg = 4;
/// `ECDH-ES+A128KW`: ECDH-ES, then AES-128 key wrap.
pub const JWTKIT_JWE_ALG_ECDH_ES_A128KW: jwtkit_jwe_alg = 5;
/// `ECDH-ES+A256KW`: ECDH-ES, then AES-256 key wrap.
pub const JWTKIT_JWE_ALG_ECDH_ES_A256KW: jwtkit_jwe_alg = 6;
/// `RSA-OAEP-256`: RSAES-OAEP with SHA-256 (RSA keys of at least 2048 bits).
pub const JWTKIT_JWE_ALG_RSA_OAEP_256: jwtkit_jwe_alg = 7;
/// `RSA-OAEP`: RSAES-OAEP with SHA-1, for legacy peers; accepted only when a policy names it.
pub const JWTKIT_JWE_ALG_RSA_OAEP: jwtkit_jwe_alg = 8;
/// `A192KW`: AES key wrap with a 24-byte oct key.
pub const JWTKIT_JWE_ALG_A192KW: jwtkit_jwe_alg = 9;
/// `ECDH-ES+A192KW`: ECDH-ES, then AES-192 key wrap.
pub const JWTKIT_JWE_ALG_ECDH_ES_A192KW: jwtkit_jwe_alg = 10;
/// `A128GCMKW`: AES-GCM key wrap with a 16-byte oct key (`iv` and `tag` in the header).
pub const JWTKIT_JWE_ALG_A128GCMKW: jwtkit_jwe_alg = 11;
/// `A192GCMKW`: AES-GCM key wrap with a 24-byte oct key.
pub const JWTKIT_JWE_ALG_A192GCMKW: jwtkit_jwe_alg = 12;
/// `A256GCMKW`: AES-GCM key wrap with a 32-byte oct key.
pub const JWTKIT_JWE_ALG_A256GCMKW: jwtkit_jwe_alg = 13;
/// `RSA-OAEP-384`: RSAES-OAEP with SHA-384 (RSA keys of at least 2048 bits).
pub const JWTKIT_JWE_ALG_RSA_OAEP_384: jwtkit_jwe_alg = 14;
/// `RSA-OAEP-512`: RSAES-OAEP with SHA-512 (RSA keys of at least 2048 bits).
pub const JWTKIT_JWE_ALG_RSA_OAEP_512: jwtkit_jwe_alg = 15;
/// `PBES2-HS256+A128KW`: a password (oct key, any non-empty length), PBKDF2 with
/// HMAC-SHA-256, AES-128 key wrap. `p2c` is capped (`jwtkit_jwe_policy_set_max_p2c`).
pub const JWTKIT_JWE_ALG_PBES2_HS256_A128KW: jwtkit_jwe_alg = 16;
/// `PBES2-HS384+A192KW`: a password, PBKDF2 with HMAC-SHA-384, AES-192 key wrap.
pub const JWTKIT_JWE_ALG_PBES2_HS384_A192KW: jwtkit_jwe_alg = 17;
/// `PBES2-HS512+A256KW`: a password, PBKDF2 with HMAC-SHA-512, AES-256 key wrap.
pub const JWTKIT_JWE_ALG_PBES2_HS512_A256KW: jwtkit_jwe_alg = 18;

/// A JWE content encryption algorithm (`enc`), as a fixed-width integer: one of the
/// `JWTKIT_JWE_ENC_*` values.
pub type jwtkit_jwe_enc = i32;

/// `A128GCM`: AES-128-GCM.
pub const JWTKIT_JWE_ENC_A128GCM: jwtkit_jwe_enc = 1;
/// `A256GCM`: AES-256-GCM.
pub const JWTKIT_JWE_ENC_A256GCM: jwtkit_jwe_enc = 2;
/// `A128CBC-HS256`: AES-128-CBC with HMAC-SHA-256 (RFC 7518 §5.2.3).
pub const JWTKIT_JWE_ENC_A128CBC_HS256: jwtkit_jwe_enc = 3;
/// `A256CBC-HS512`: AES-256-CBC with HMAC-SHA-512 (RFC 7518 §5.2.5).
pub const JWTKIT_JWE_ENC_A256CBC_HS512: jwtkit_jwe_enc = 4;
/// `A192GCM`: AES-192-GCM.
pub const JWTKIT_JWE_ENC_A192GCM: jwtkit_jwe_enc = 5;
/// `A192CBC-HS384`: AES-192-CBC with HMAC-SHA-384 (RFC 7518 §5.2.4).
pub const JWTKIT_JWE_ENC_A192CBC_HS384: jwtkit_jwe_enc = 6;

/// Flag for `jwtkit_jwe_encrypt` and `jwtkit_jwe_sign_and_encrypt`: compress the
/// plaintext with DEFLATE (`zip: "DEF"`). Recipients must allow compression.
pub const JWTKIT_JWE_ZIP: u32 = 1;

/// An opaque JWE decryption policy: the allow-lists for `alg` and `enc` and whether
/// compressed content is accepted. Thread safety: setters must not run while any thread
/// decrypts with it; once configured, any number of threads may use it at once.
pub struct jwtkit_jwe_policy {
    _private: [u8; 0],
}

impl Castable for jwtkit_jwe_policy {
    type Ownership = Boxed;
    type Rust = JwePolicy;
}

unsafe fn list<'a, T>(ptr: *const T, n: usize, name: &str) -> Result<&'a [T], Failure> {
    if ptr.is_null() {
        return Err(if n == 0 { invalid(format!("the `{name}` allow-list is empty")) } else { null(name) });
    }
    if n > 64 {
        return Err(invalid(format!("{n} entries in `{name}` is more than exist")));
    }
    Ok(unsafe { std::slice::from_raw_parts(ptr, n) })
}

fn flags_arg(flags: u32) -> Result<bool, Failure> {
    if flags & !JWTKIT_JWE_ZIP != 0 {
        return Err(invalid(format!("unknown JWE flags {flags:#x}")));
    }
    Ok(flags & JWTKIT_JWE_ZIP != 0)
}

/// Creates a decryption policy that accepts exactly the `n_algs` key management
/// algorithms in `algs` and the `n_encs` content encryptions in `encs` (both copied,
/// both non-empty; `JWTKIT_JWE_ALG_*` / `JWTKIT_JWE_ENC_*` values). There is no "any"
/// policy; `RSA-OAEP` (SHA-1) and `PBES2-*` are accepted only when listed; `RSA1_5`
/// cannot be named.
/// Compressed tokens are refused until `jwtkit_jwe_policy_allow_zip`. On success `*out`
/// receives a policy owned by the caller (free with `jwtkit_jwe_policy_free`).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (an empty
/// list or an unknown number), JWTKIT_ERR_PANIC. Thread safety: no shared state.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_policy_new(
    algs: *const jwtkit_jwe_alg,
    n_algs: usize,
    encs: *const jwtkit_jwe_enc,
    n_encs: usize,
    out: *mut *mut jwtkit_jwe_policy,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        if out.is_null() {
            return Err(null("out"));
        }
        let algs = unsafe { list(algs, n_algs, "algs") }?
            .iter()
            .map(|&a| numbered::arg::<Alg>(a))
            .collect::<Result<Vec<_>, _>>()?;
        let encs = unsafe { list(encs, n_encs, "encs") }?
            .iter()
            .map(|&e| numbered::arg::<Enc>(e))
            .collect::<Result<Vec<_>, _>>()?;
        let policy = JwePolicy::new(&algs, &encs)?;
        unsafe { give_boxed(out, policy) };
        Ok(())
    })
}

/// Accepts (`allow` true) or refuses (false, the default) compressed tokens (`zip:
/// "DEF"`). Accepted content is inflated to at most `max_inflated_len` bytes (0: the
/// default, 256 KiB); more is JWTKIT_ERR_JWE_ZIP_LIMIT, so a small token cannot expand
/// into gigabytes.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC. Thread safety: not
/// while another thread decrypts with `policy`.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_policy_allow_zip(
    policy: *mut jwtkit_jwe_policy,
    allow: bool,
    max_inflated_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        unsafe { borrow_mut(policy, "policy") }?.allow_zip(allow, max_inflated_len);
        Ok(())
    })
}

/// Caps the PBKDF2 iterations a PBES2 token may ask for (its `p2c`): default 10000; at
/// least 1000 (the RFC's minimum for every PBES2 token). A token over the cap is
/// JWTKIT_ERR_JWE_P2C_LIMIT, refused before any key derivation, so a small token
/// cannot buy seconds of CPU. The cap is also the budget of one token across every key
/// and recipient tried: a second password is not tried when its `p2c` would take the
/// token's total past the cap (JWTKIT_ERR_JWE_P2C_LIMIT; give the keys a `kid`).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (a cap
/// under 1000), JWTKIT_ERR_PANIC. Thread safety: not while another thread decrypts
/// with `policy`.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_policy_set_max_p2c(
    policy: *mut jwtkit_jwe_policy,
    max_p2c: u32,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || Ok(unsafe { borrow_mut(policy, "policy") }?.set_max_p2c(max_p2c)?))
}

/// Sets one resource limit of a decryption policy, as `jwtkit_validation_set_limit`
/// does for JWS: `JWTKIT_LIMIT_TOKEN_LEN` (default 131072 bytes),
/// `JWTKIT_LIMIT_HEADER_LEN` (8192), `JWTKIT_LIMIT_JSON_DEPTH` (64, at most 120),
/// for `jwtkit_jwe_decrypt_json` `JWTKIT_LIMIT_RECIPIENTS` (32), and for it and the
/// `jwtkit_jwe_*_with_keyset` functions `JWTKIT_LIMIT_KEYS_TRIED` (16 unwraps).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (unknown
/// limit, or a value that is too small or too large), JWTKIT_ERR_PANIC. Thread safety:
/// not while another thread decrypts with `policy`.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_policy_set_limit(
    policy: *mut jwtkit_jwe_policy,
    limit: jwtkit_limit,
    value: u64,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let p = unsafe { borrow_mut(policy, "policy") }?;
        let value = usize::try_from(value).map_err(|_| invalid(format!("limit value {value} is too large")))?;
        let mut limits = *p.limits();
        match limit {
            JWTKIT_LIMIT_TOKEN_LEN => limits.max_token_len = value,
            JWTKIT_LIMIT_HEADER_LEN => limits.max_header_len = value,
            JWTKIT_LIMIT_JSON_DEPTH => limits.max_depth = value,
            JWTKIT_LIMIT_KEYS_TRIED => limits.max_keys_tried = value,
            JWTKIT_LIMIT_RECIPIENTS => limits.max_recipients = value,
            JWTKIT_LIMIT_SIGNATURES => return Err(invalid("JWTKIT_LIMIT_SIGNATURES applies to JWS only".into())),
            other => return Err(invalid(format!("{other} is not a JWTKIT_LIMIT_* value"))),
        }
        Ok(p.set_limits(limits)?)
    })
}

/// Releases a policy. NULL is a no-op; must not be called twice on the same pointer, nor
/// while another thread still uses it.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_policy_free(policy: *mut jwtkit_jwe_policy) {
    crate::ffi::boundary::infallible((), || unsafe { free_boxed(policy) })
}

/// The registered name of a JWE `alg` ("dir", "A128KW", …, "RSA-OAEP"): static,
/// NUL-terminated, never freed. NULL for a number that is not a `JWTKIT_JWE_ALG_*` value.
#[no_mangle]
pub extern "C" fn jwtkit_jwe_alg_name(alg: jwtkit_jwe_alg) -> *const c_char {
    crate::ffi::boundary::infallible(std::ptr::null(), || numbered::c_name::<Alg>(alg))
}

/// The registered name of a JWE `enc` ("A128GCM", …, "A256CBC-HS512"): static,
/// NUL-terminated, never freed. NULL for a number that is not a `JWTKIT_JWE_ENC_*` value.
#[no_mangle]
pub extern "C" fn jwtkit_jwe_enc_name(enc: jwtkit_jwe_enc) -> *const c_char {
    crate::ffi::boundary::infallible(std::ptr::null(), || numbered::c_name::<Enc>(enc))
}

/// Looks up a JWE `alg` by its registered, case-sensitive name `(ptr, len)` (copied).
/// On success writes `*out`.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_JWE_ALG_INSECURE (`RSA1_5`),
/// JWTKIT_ERR_ALG_UNSUPPORTED (every other name jwtkit does not implement, with the
/// reason: `PBES2-*`, `A*GCMKW`, AES-192, JWS names), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_alg_from_name(
    name: *const u8,
    name_len: usize,
    out: *mut jwtkit_jwe_alg,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let name = unsafe { input(name, name_len, "name") }?;
        if out.is_null() {
            return Err(null("out"));
        }
        let alg = Alg::from_name(&String::from_utf8_lossy(name))?;
        unsafe { *out = numbered::to_c(alg) };
        Ok(())
    })
}

/// Looks up a JWE `enc` by its registered, case-sensitive name `(ptr, len)` (copied).
/// On success writes `*out`.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_JWE_ENC_UNSUPPORTED,
/// JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_enc_from_name(
    name: *const u8,
    name_len: usize,
    out: *mut jwtkit_jwe_enc,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let name = unsafe { input(name, name_len, "name") }?;
        if out.is_null() {
            return Err(null("out"));
        }
        let enc = Enc::from_name(&String::from_utf8_lossy(name))?;
        unsafe { *out = numbered::to_c(enc) };
        Ok(())
    })
}

/// Encrypts `plaintext` `(ptr, len)` (any bytes, copied) to `key` (borrowed) as a compact
/// JWE with key management `alg` and content encryption `enc`. The key must fit `alg`:
/// `dir` an oct key of the length `enc` needs, `A*KW`/`A*GCMKW` an oct key of 16/24/32
/// bytes, `PBES2-*` an oct key holding the password, `ECDH-ES*` the recipient's EC
/// (P-256/P-384/P-521) or X25519 key (public is enough), `RSA-OAEP*` the recipient's RSA
/// key; a JWK's `alg`, `use` (`sig` forbids encryption) and `key_ops` are enforced.
/// `header_json` `(ptr, len)` is optional (NULL, 0): a JSON object of extra protected
/// header members (`kid`, `typ`, `cty`, `apu`, `apv`, PBES2's `p2c` (default 8192, at
/// least 1000), …); `alg`/`enc` there must agree, `zip`, `epk`, `iv`, `tag` and `p2s`
/// are set by jwtkit. `flags`: 0 or `JWTKIT_JWE_ZIP`. A key from a JWK with a `kid` adds
/// it unless the header sets one. Randomness (CEK, IV, ephemeral key, `p2s`) comes from
/// the OS.
///
/// On success `*out_token` receives the NUL-terminated compact JWE, owned by the caller
/// (free with `jwtkit_string_free`), and `*out_token_len` (if not NULL) its length. On
/// failure neither is written.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (unknown
/// number or flag, conflicting header members), JWTKIT_ERR_JSON, JWTKIT_ERR_JSON_LIMIT,
/// JWTKIT_ERR_HEADER_INVALID, JWTKIT_ERR_CRIT_UNSUPPORTED, JWTKIT_ERR_KEY_ALG_MISMATCH,
/// JWTKIT_ERR_KEY_USAGE, JWTKIT_ERR_KEY_INVALID, JWTKIT_ERR_JWE_P2C_LIMIT (a `p2c` over
/// 2^32 - 1), JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC. Thread safety: safe to call
/// concurrently with the same key.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_encrypt(
    key: *const jwtkit_key,
    alg: jwtkit_jwe_alg,
    enc: jwtkit_jwe_enc,
    plaintext: *const u8,
    plaintext_len: usize,
    header_json: *const u8,
    header_len: usize,
    flags: u32,
    out_token: *mut *mut c_char,
    out_token_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let key = unsafe { borrow(key, "key") }?;
        let (alg, enc, zip) = (numbered::arg::<Alg>(alg)?, numbered::arg::<Enc>(enc)?, flags_arg(flags)?);
        let plaintext = unsafe { input(plaintext, plaintext_len, "plaintext") }?;
        let header = unsafe { optional_input(header_json, header_len, "header_json") }?;
        let out = OutString::new(out_token, out_token_len).required("out_token")?;
        out.write(jwe::encrypt(key, alg, enc, plaintext, header, zip)?.as_bytes())
    })
}

/// The two outputs of a decryption: the header JSON and the plaintext (or, for a nested
/// JWT, the inner JWT's header and claims).
trait Outputs {
    fn outputs(&self) -> (&[u8], &[u8]);
}

impl Outputs for jwe::Decrypted {
    fn outputs(&self) -> (&[u8], &[u8]) {
        (&self.header_json, &self.plaintext)
    }
}

impl Outputs for jwe::VerifiedNested {
    fn outputs(&self) -> (&[u8], &[u8]) {
        (&self.jwt.header_json, &self.jwt.claims_json)
    }
}

/// What every compact-JWE decryption does around its one call `decrypt` (whatever its
/// keys): the token and policy borrowed, then both outputs written or neither.
unsafe fn decrypted_to_c<T: Outputs>(
    token: *const u8,
    token_len: usize,
    policy: *const jwtkit_jwe_policy,
    (first, second): (OutString, OutString),
    decrypt: impl FnOnce(&[u8], &JwePolicy) -> crate::Result<T>,
) -> Result<(), Failure> {
    let token = unsafe { input(token, token_len, "token") }?;
    let policy = unsafe { borrow(policy, "policy") }?;
    let decrypted = decrypt(token, policy)?;
    let (a, b) = decrypted.outputs();
    write_pair(&first, a, &second, b)
}

/// Decrypts a compact JWE `(ptr, len)` (copied) with `key` under `policy` (both
/// borrowed). In order: size limit, five segments (a JWS is refused as such), strict
/// base64url header JSON, `crit`, `alg` known (`RSA1_5` refused) and in the allow-list,
/// `enc` known and in the allow-list, `zip` allowed, key fits `alg`/`enc` (kind, size,
/// private, JWK `alg`/`use`/`key_ops`), then the key is unwrapped and the content
/// decrypted and authenticated. Every failure of the padding/tag kind (wrong key,
/// modified encrypted key, IV, ciphertext, tag or header) is the one status
/// JWTKIT_ERR_JWE_DECRYPTION_FAILED with one message.
///
/// Outputs are optional: pass NULL for any you do not need. On success `*out_header`
/// receives the exact protected header JSON and `*out_plaintext` the plaintext
/// (NUL-terminated but possibly holding NUL bytes: use `*out_plaintext_len`), owned by
/// the caller (free each with `jwtkit_string_free`, which wipes it). On failure nothing
/// is written.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_TOKEN_TOO_LARGE,
/// JWTKIT_ERR_TOKEN_MALFORMED, JWTKIT_ERR_BASE64, JWTKIT_ERR_JSON, JWTKIT_ERR_JSON_LIMIT,
/// JWTKIT_ERR_HEADER_INVALID, JWTKIT_ERR_CRIT_UNSUPPORTED, JWTKIT_ERR_ALG_UNSUPPORTED,
/// JWTKIT_ERR_JWE_ALG_INSECURE, JWTKIT_ERR_ALG_NOT_ALLOWED, JWTKIT_ERR_JWE_ENC_UNSUPPORTED,
/// JWTKIT_ERR_JWE_ENC_NOT_ALLOWED, JWTKIT_ERR_JWE_ZIP_NOT_ALLOWED,
/// JWTKIT_ERR_KEY_ALG_MISMATCH, JWTKIT_ERR_KEY_USAGE, JWTKIT_ERR_KEY_UNSUPPORTED,
/// JWTKIT_ERR_JWE_KEY_CANNOT_DECRYPT, JWTKIT_ERR_JWE_EPK_INVALID, JWTKIT_ERR_JWE_P2C_LIMIT,
/// JWTKIT_ERR_JWE_DECRYPTION_FAILED, JWTKIT_ERR_JWE_ZIP_LIMIT, JWTKIT_ERR_OUT_OF_MEMORY,
/// JWTKIT_ERR_PANIC. Thread safety: safe to call concurrently with the same key and
/// policy.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_decrypt(
    token: *const u8,
    token_len: usize,
    key: *const jwtkit_key,
    policy: *const jwtkit_jwe_policy,
    out_header: *mut *mut c_char,
    out_header_len: *mut usize,
    out_plaintext: *mut *mut c_char,
    out_plaintext_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || unsafe {
        let key = borrow(key, "key")?;
        let outs = (OutString::new(out_header, out_header_len), OutString::new(out_plaintext, out_plaintext_len));
        decrypted_to_c(token, token_len, policy, outs, |t, p| jwe::decrypt(t, key, p))
    })
}

/// Decrypts a JWT that is encrypted and not signed, and checks its claims: the JWE
/// `(ptr, len)` is decrypted with `key` under `policy` as `jwtkit_jwe_decrypt` does; its
/// plaintext must be a JSON claims set, checked under `validation` exactly as
/// `jwtkit_verify` checks claims (times, issuer, audience, required claims, `typ` from
/// the JWE header, revocation; the validation's JWS algorithm list has nothing to apply
/// to). Only shared-key management (`dir`, `A*KW`, `A*GCMKW`) is accepted: under RSA or
/// ECDH anyone holding the public key could make such a token, and a PBES2 password can
/// be guessed offline from one (JWTKIT_ERR_JWE_ALG_INSECURE). A nested JWT (`cty: "JWT"`) is refused
/// (JWTKIT_ERR_HEADER_INVALID): use `jwtkit_jwe_decrypt_and_verify`.
///
/// Outputs are optional: on success `*out_header` receives the JWE protected header and
/// `*out_claims` the claims JSON, owned by the caller (free each with
/// `jwtkit_string_free`). On failure nothing is written.
///
/// Returns JWTKIT_OK, every status of `jwtkit_jwe_decrypt`, JWTKIT_ERR_JWE_ALG_INSECURE,
/// then the claim statuses of `jwtkit_verify` (JWTKIT_ERR_JSON, JWTKIT_ERR_EXPIRED, …,
/// JWTKIT_ERR_REVOKED). Thread safety: safe to call concurrently with the same key,
/// policy and validation.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_decrypt_jwt(
    token: *const u8,
    token_len: usize,
    key: *const jwtkit_key,
    policy: *const jwtkit_jwe_policy,
    validation: *const jwtkit_validation,
    out_header: *mut *mut c_char,
    out_header_len: *mut usize,
    out_claims: *mut *mut c_char,
    out_claims_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || unsafe {
        let (key, validation) = (borrow(key, "key")?, borrow(validation, "validation")?);
        let outs = (OutString::new(out_header, out_header_len), OutString::new(out_claims, out_claims_len));
        decrypted_to_c(token, token_len, policy, outs, |t, p| jwe::decrypt_claims(t, key, p, validation))
    })
}

/// Signs a nested JWT and encrypts it, in one call: `claims_json` `(ptr, len)` is signed
/// with `sign_key`/`sign_alg` exactly as `jwtkit_sign` does (`sign_header_json`
/// optional, for the JWS header), then the JWT is encrypted to `enc_key` with
/// `alg`/`enc` as `jwtkit_jwe_encrypt` does, with `cty: "JWT"` in the JWE header.
/// `flags`: 0 or `JWTKIT_JWE_ZIP`. Keys are borrowed, inputs copied.
///
/// On success `*out_token` receives the compact JWE, owned by the caller (free with
/// `jwtkit_string_free`), and `*out_token_len` (if not NULL) its length. On failure
/// neither is written.
///
/// Returns JWTKIT_OK and the statuses of `jwtkit_sign` and `jwtkit_jwe_encrypt`:
/// JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT, JWTKIT_ERR_JSON,
/// JWTKIT_ERR_JSON_LIMIT, JWTKIT_ERR_HEADER_INVALID, JWTKIT_ERR_CRIT_UNSUPPORTED,
/// JWTKIT_ERR_KEY_ALG_MISMATCH, JWTKIT_ERR_KEY_CANNOT_SIGN, JWTKIT_ERR_KEY_TOO_WEAK,
/// JWTKIT_ERR_KEY_USAGE, JWTKIT_ERR_KEY_INVALID, JWTKIT_ERR_OUT_OF_MEMORY,
/// JWTKIT_ERR_PANIC. Thread safety: safe to call concurrently with the same keys.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_sign_and_encrypt(
    sign_key: *const jwtkit_key,
    sign_alg: jwtkit_alg,
    claims_json: *const u8,
    claims_len: usize,
    sign_header_json: *const u8,
    sign_header_len: usize,
    enc_key: *const jwtkit_key,
    alg: jwtkit_jwe_alg,
    enc: jwtkit_jwe_enc,
    flags: u32,
    out_token: *mut *mut c_char,
    out_token_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let sign_key = unsafe { borrow(sign_key, "sign_key") }?;
        let enc_key = unsafe { borrow(enc_key, "enc_key") }?;
        let sign_alg = alg_arg(sign_alg)?;
        let (alg, enc, zip) = (numbered::arg::<Alg>(alg)?, numbered::arg::<Enc>(enc)?, flags_arg(flags)?);
        let claims = unsafe { input(claims_json, claims_len, "claims_json") }?;
        let header = unsafe { optional_input(sign_header_json, sign_header_len, "sign_header_json") }?;
        let out = OutString::new(out_token, out_token_len).required("out_token")?;
        out.write(jwe::sign_then_encrypt(sign_key, sign_alg, claims, header, enc_key, alg, enc, zip)?.as_bytes())
    })
}

/// Decrypts a nested JWT and verifies it, in one call: the JWE `(ptr, len)` is
/// decrypted with `dec_key` under `policy` exactly as `jwtkit_jwe_decrypt` does; its
/// header must have `cty: "JWT"` (JWTKIT_ERR_HEADER_INVALID otherwise); the content must
/// be a JWS (a JWE inside is JWTKIT_ERR_TOKEN_MALFORMED), verified with `verify_key`
/// under `validation` exactly as `jwtkit_verify` does: signature, then every claim
/// check. All handles are borrowed.
///
/// Outputs are optional: on success `*out_header` and `*out_claims` receive the inner
/// JWT's exact header and claims JSON, owned by the caller (free each with
/// `jwtkit_string_free`). On failure nothing is written.
///
/// Returns JWTKIT_OK, every status of `jwtkit_jwe_decrypt`, then every status of
/// `jwtkit_verify` (JWTKIT_ERR_ALG_NOT_ALLOWED, JWTKIT_ERR_SIGNATURE_INVALID,
/// JWTKIT_ERR_EXPIRED, …, JWTKIT_ERR_REVOKED). Thread safety: safe to call concurrently
/// with the same keys, policy and validation.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_decrypt_and_verify(
    token: *const u8,
    token_len: usize,
    dec_key: *const jwtkit_key,
    policy: *const jwtkit_jwe_policy,
    verify_key: *const jwtkit_key,
    validation: *const jwtkit_validation,
    out_header: *mut *mut c_char,
    out_header_len: *mut usize,
    out_claims: *mut *mut c_char,
    out_claims_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || unsafe {
        let (dec_key, verify_key) = (borrow(dec_key, "dec_key")?, borrow(verify_key, "verify_key")?);
        let validation = borrow(validation, "validation")?;
        let outs = (OutString::new(out_header, out_header_len), OutString::new(out_claims, out_claims_len));
        decrypted_to_c(token, token_len, policy, outs, |t, p| {
            jwe::decrypt_then_verify(t, dec_key, p, verify_key, validation)
        })
    })
}

/// As `jwtkit_jwe_decrypt_and_verify`, with the inner JWT's verification key chosen from
/// `keyset` (a set made for verification) as `jwtkit_verify_with_keyset` does (by `kid`;
/// JWTKIT_ERR_KEY_NOT_FOUND). For a decryption key chosen from a set as well, see
/// `jwtkit_jwe_decrypt_and_verify_with_keysets`. Returns JWTKIT_OK and the same
/// statuses, plus JWTKIT_ERR_KEY_NOT_FOUND and JWTKIT_ERR_INVALID_ARGUMENT (a set made
/// for decryption).
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_decrypt_and_verify_with_keyset(
    token: *const u8,
    token_len: usize,
    dec_key: *const jwtkit_key,
    policy: *const jwtkit_jwe_policy,
    keyset: *const jwtkit_keyset,
    validation: *const jwtkit_validation,
    out_header: *mut *mut c_char,
    out_header_len: *mut usize,
    out_claims: *mut *mut c_char,
    out_claims_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || unsafe {
        let (dec_key, set) = (borrow(dec_key, "dec_key")?, borrow(keyset, "keyset")?);
        let validation = borrow(validation, "validation")?;
        let outs = (OutString::new(out_header, out_header_len), OutString::new(out_claims, out_claims_len));
        decrypted_to_c(token, token_len, policy, outs, |t, p| jwe::decrypt_then_verify(t, dec_key, p, set, validation))
    })
}

/// Decrypts a compact JWE `(ptr, len)` (copied) as `jwtkit_jwe_decrypt` does, with the
/// key chosen from `keyset` (a set made by `jwtkit_keyset_from_jwks_for_decryption` or
/// `jwtkit_keyset_from_keys_for_decryption`) by the `kid` of the token's protected
/// header: the keys with that `kid`; when none has it, the keys without a `kid`; every
/// key when the token has no `kid`. Keys whose kind or size cannot serve the token's
/// `alg`/`enc` are not tried, nor for PBES2 or SHA-1 `RSA-OAEP` keys whose JWK `alg`
/// does not name it (`jwtkit_key_can_decrypt`); at most the policy's
/// `JWTKIT_LIMIT_KEYS_TRIED` (16 by default) are, in set order, and PBES2 work is capped
/// per token (`jwtkit_jwe_policy_set_max_p2c`). Nothing in the token can add a key.
/// `keyset` and `policy` are borrowed.
///
/// Outputs as `jwtkit_jwe_decrypt`: optional; on success `*out_header` receives the
/// exact protected header JSON and `*out_plaintext` the plaintext (NUL-terminated but
/// possibly holding NUL bytes: use `*out_plaintext_len`), owned by the caller (free each
/// with `jwtkit_string_free`). On failure nothing is written.
///
/// Returns JWTKIT_OK, every status of `jwtkit_jwe_decrypt`, and
/// JWTKIT_ERR_INVALID_ARGUMENT (a set made for verification), JWTKIT_ERR_KEY_NOT_FOUND
/// (no key chosen: none has the token's `kid` and none is without one, or the set is
/// empty). When keys were chosen but none could be tried, their misfit
/// (JWTKIT_ERR_KEY_ALG_MISMATCH, …); when keys were tried and none opened the token,
/// the one JWTKIT_ERR_JWE_DECRYPTION_FAILED. Thread safety: safe to call concurrently
/// with the same key set and policy.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_decrypt_with_keyset(
    token: *const u8,
    token_len: usize,
    keyset: *const jwtkit_keyset,
    policy: *const jwtkit_jwe_policy,
    out_header: *mut *mut c_char,
    out_header_len: *mut usize,
    out_plaintext: *mut *mut c_char,
    out_plaintext_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || unsafe {
        let keyset = borrow(keyset, "keyset")?;
        let outs = (OutString::new(out_header, out_header_len), OutString::new(out_plaintext, out_plaintext_len));
        decrypted_to_c(token, token_len, policy, outs, |t, p| jwe::decrypt_with_keys(t, keyset, p))
    })
}

/// As `jwtkit_jwe_decrypt_jwt` (a JWT encrypted and not signed, shared-key management
/// only, claims checked under `validation`), with the decryption key chosen from
/// `keyset` (a set made for decryption) as `jwtkit_jwe_decrypt_with_keyset` chooses it.
/// All handles are borrowed.
///
/// Outputs are optional: on success `*out_header` receives the JWE protected header and
/// `*out_claims` the claims JSON, owned by the caller (free each with
/// `jwtkit_string_free`). On failure nothing is written.
///
/// Returns JWTKIT_OK, every status of `jwtkit_jwe_decrypt_with_keyset`,
/// JWTKIT_ERR_JWE_ALG_INSECURE, then the claim statuses of `jwtkit_verify`
/// (JWTKIT_ERR_JSON, JWTKIT_ERR_EXPIRED, …, JWTKIT_ERR_REVOKED). Thread safety: safe to
/// call concurrently with the same key set, policy and validation.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_decrypt_jwt_with_keyset(
    token: *const u8,
    token_len: usize,
    keyset: *const jwtkit_keyset,
    policy: *const jwtkit_jwe_policy,
    validation: *const jwtkit_validation,
    out_header: *mut *mut c_char,
    out_header_len: *mut usize,
    out_claims: *mut *mut c_char,
    out_claims_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || unsafe {
        let (keyset, validation) = (borrow(keyset, "keyset")?, borrow(validation, "validation")?);
        let outs = (OutString::new(out_header, out_header_len), OutString::new(out_claims, out_claims_len));
        decrypted_to_c(token, token_len, policy, outs, |t, p| jwe::decrypt_claims_with_keys(t, keyset, p, validation))
    })
}

/// Decrypts a nested JWT and verifies it, as `jwtkit_jwe_decrypt_and_verify` does
/// (inner JWT verified with the one key `verify_key`), with the decryption key chosen
/// from `dec_keyset` (a set made for decryption) as `jwtkit_jwe_decrypt_with_keyset`
/// chooses it. All handles are borrowed.
///
/// Outputs are optional: on success `*out_header` and `*out_claims` receive the inner
/// JWT's exact header and claims JSON, owned by the caller (free each with
/// `jwtkit_string_free`). On failure nothing is written.
///
/// Returns JWTKIT_OK, every status of `jwtkit_jwe_decrypt_with_keyset`, then every
/// status of `jwtkit_verify` (JWTKIT_ERR_ALG_NOT_ALLOWED, JWTKIT_ERR_SIGNATURE_INVALID,
/// JWTKIT_ERR_EXPIRED, …, JWTKIT_ERR_REVOKED). Thread safety: safe to call concurrently
/// with the same key set, key, policy and validation.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_decrypt_with_keyset_and_verify(
    token: *const u8,
    token_len: usize,
    dec_keyset: *const jwtkit_keyset,
    policy: *const jwtkit_jwe_policy,
    verify_key: *const jwtkit_key,
    validation: *const jwtkit_validation,
    out_header: *mut *mut c_char,
    out_header_len: *mut usize,
    out_claims: *mut *mut c_char,
    out_claims_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || unsafe {
        let (dec_keys, verify_key) = (borrow(dec_keyset, "dec_keyset")?, borrow(verify_key, "verify_key")?);
        let validation = borrow(validation, "validation")?;
        let outs = (OutString::new(out_header, out_header_len), OutString::new(out_claims, out_claims_len));
        decrypted_to_c(token, token_len, policy, outs, |t, p| {
            jwe::decrypt_then_verify_with_keys(t, dec_keys, p, verify_key, validation)
        })
    })
}

/// Decrypts a nested JWT and verifies it, as `jwtkit_jwe_decrypt_and_verify_with_keyset`
/// does, with the decryption key chosen from `dec_keyset` (a set made for decryption) as
/// `jwtkit_jwe_decrypt_with_keyset` chooses it, and the inner JWT's verification key from
/// `verify_keyset` (a set made for verification) as `jwtkit_verify_with_keyset` chooses
/// it. All handles are borrowed.
///
/// Outputs are optional: on success `*out_header` and `*out_claims` receive the inner
/// JWT's exact header and claims JSON, owned by the caller (free each with
/// `jwtkit_string_free`). On failure nothing is written.
///
/// Returns JWTKIT_OK, every status of `jwtkit_jwe_decrypt_with_keyset`, then every
/// status of `jwtkit_verify_with_keyset` (JWTKIT_ERR_KEY_NOT_FOUND,
/// JWTKIT_ERR_SIGNATURE_INVALID, JWTKIT_ERR_EXPIRED, …, JWTKIT_ERR_REVOKED); a set of
/// the wrong kind in either place is JWTKIT_ERR_INVALID_ARGUMENT. Thread safety: safe to
/// call concurrently with the same key sets, policy and validation.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwe_decrypt_and_verify_with_keysets(
    token: *const u8,
    token_len: usize,
    dec_keyset: *const jwtkit_keyset,
    policy: *const jwtkit_jwe_policy,
    verify_keyset: *const jwtkit_keyset,
    validation: *const jwtkit_validation,
    out_header: *mut *mut c_char,
    out_header_len: *mut usize,
    out_claims: *mut *mut c_char,
    out_claims_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || unsafe {
        let (dec_keys, verify_keys) = (borrow(dec_keyset, "dec_keyset")?, borrow(verify_keyset, "verify_keyset")?);
        let validation = borrow(validation, "validation")?;
        let outs = (OutString::new(out_header, out_header_len), OutString::new(out_claims, out_claims_len));
        decrypted_to_c(token, token_len, policy, outs, |t, p| {
            jwe::decrypt_then_verify_with_keys(t, dec_keys, p, verify_keys, validation)
        })
    })
}
