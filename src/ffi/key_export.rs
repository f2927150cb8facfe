//! Key generation, accessors and export from C: `jwtkit_key_generate`, `jwtkit_key_generate_rsa`,
//! `jwtkit_key_with_kid`, `jwtkit_key_kid`, `jwtkit_key_get_kind`, `jwtkit_key_can_verify`,
//! `jwtkit_key_is_private`, public and private JWK / PEM export, and RFC 7638 thumbprints.

use std::ffi::c_char;

use crate::alg::Family;
use crate::ffi::boundary::{fallible, infallible, invalid, null, optional_input, OutString};
use crate::ffi::handle::{borrow, give_shared};
use crate::ffi::jwe::jwtkit_jwe_alg;
use crate::ffi::key::jwtkit_key;
use crate::ffi::numbered;
use crate::ffi::status::*;
use crate::ffi::version::{alg_arg, jwtkit_alg};
use crate::jwe::Alg;
use crate::key::Key;

/// The kind of a key, as a fixed-width integer: one of the `JWTKIT_KEY_KIND_*` values.
pub type jwtkit_key_kind = i32;

/// Not a key (`jwtkit_key_get_kind(NULL)`).
pub const JWTKIT_KEY_KIND_NONE: jwtkit_key_kind = 0;
/// An HMAC secret (HS256/HS384/HS512).
pub const JWTKIT_KEY_KIND_HMAC: jwtkit_key_kind = 1;
/// An RSA key (RS256…PS512).
pub const JWTKIT_KEY_KIND_RSA: jwtkit_key_kind = 2;
/// An EC P-256 key (ES256).
pub const JWTKIT_KEY_KIND_EC_P256: jwtkit_key_kind = 3;
/// An EC P-384 key (ES384).
pub const JWTKIT_KEY_KIND_EC_P384: jwtkit_key_kind = 4;
/// An EC P-521 key (ES512).
pub const JWTKIT_KEY_KIND_EC_P521: jwtkit_key_kind = 5;
/// An Ed25519 key (EdDSA).
pub const JWTKIT_KEY_KIND_ED25519: jwtkit_key_kind = 6;
/// An X25519 key (JWK `OKP`/`X25519`): JWE `ECDH-ES` key agreement only, never JWS.
pub const JWTKIT_KEY_KIND_X25519: jwtkit_key_kind = 7;
/// An EC secp256k1 key (ES256K, RFC 8812); not a JWE curve.
pub const JWTKIT_KEY_KIND_EC_SECP256K1: jwtkit_key_kind = 8;

/// The shared body of the exports: one text made from the key, written to `out`.
unsafe fn export<T: AsRef<str>>(
    key: *const jwtkit_key,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
    make: impl FnOnce(&Key) -> crate::Result<T>,
) -> jwtkit_status {
    fallible(out_err, || {
        let key = unsafe { borrow(key, "key") }?;
        let out = OutString::new(out, out_len).required("out")?;
        out.write(make(key)?.as_ref().as_bytes())
    })
}

/// Generates a new random key for `alg` from the operating system's random source:
/// an HMAC secret as long as the hash (32, 48 or 64 bytes), or a P-256, P-384, P-521,
/// secp256k1 or Ed25519 key pair. The key is restricted to `alg` (its JWK export says `"alg"`) and
/// has no `kid`: add one with `jwtkit_key_with_kid`, for instance its
/// `jwtkit_key_thumbprint`. RSA keys have a size to choose: generate them with
/// `jwtkit_key_generate_rsa`. On success `*out` receives a key owned by the caller (free
/// with `jwtkit_key_free`). Thread safety: safe from any thread.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (not a
/// JWTKIT_ALG_* value, or the random source failed), JWTKIT_ERR_KEY_UNSUPPORTED (an RS*
/// or PS* `alg`: use `jwtkit_key_generate_rsa`), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_generate(
    alg: jwtkit_alg,
    out: *mut *const jwtkit_key,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        if out.is_null() {
            return Err(null("out"));
        }
        let alg = alg_arg(alg)?;
        let key = Key::generate(alg)?;
        unsafe { give_shared(out, std::sync::Arc::new(key)) };
        Ok(())
    })
}

/// Generates a new random RSA key pair of `bits` (2048, 3072 or 4096; public exponent
/// 65537) from the operating system's random source. `alg` restricts the key to one RS*
/// or PS* algorithm (its JWK export says `"alg"`); 0 leaves it unrestricted, for every
/// RSA algorithm: RS*, PS* and JWE `RSA-OAEP` / `RSA-OAEP-256`. No `kid` (see
/// `jwtkit_key_with_kid`). Slow: a fraction of a second for 2048 bits, several seconds
/// for 4096, varying from key to key (primes are searched for at random). On success `*out` receives a key owned by
/// the caller (free with `jwtkit_key_free`). Thread safety: safe from any thread.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (`bits` not
/// 2048, 3072 or 4096; `alg` neither 0 nor an RS* or PS* JWTKIT_ALG_* value; the random
/// source failed), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_generate_rsa(
    alg: jwtkit_alg,
    bits: u32,
    out: *mut *const jwtkit_key,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        if out.is_null() {
            return Err(null("out"));
        }
        let alg = if alg == 0 { None } else { Some(alg_arg(alg)?) };
        let key = Key::generate_rsa(alg, bits as usize)?;
        unsafe { give_shared(out, std::sync::Arc::new(key)) };
        Ok(())
    })
}

/// Makes a new key with the material and restrictions (`alg`, `use`, `key_ops`) of
/// `key` and the `kid` `(ptr, len)` (UTF-8, copied); an empty `kid` (such as `(NULL,
/// 0)`) makes a key without `kid`. Keys are immutable, so `key` itself is unchanged (and still owned by the
/// caller). Tokens signed with the new key carry the `kid` in their header. On success
/// `*out` receives a key owned by the caller (free with `jwtkit_key_free`). Thread
/// safety: safe to call concurrently with the same key.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (`kid` is
/// not UTF-8), JWTKIT_ERR_KEY_INVALID, JWTKIT_ERR_KEY_UNSUPPORTED, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_with_kid(
    key: *const jwtkit_key,
    kid: *const u8,
    kid_len: usize,
    out: *mut *const jwtkit_key,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let key = unsafe { borrow(key, "key") }?;
        let kid = match unsafe { optional_input(kid, kid_len, "kid") }? {
            None | Some([]) => None,
            Some(bytes) => Some(std::str::from_utf8(bytes).map_err(|_| invalid("argument `kid` is not UTF-8".into()))?),
        };
        if out.is_null() {
            return Err(null("out"));
        }
        let new_key = key.with_kid(kid)?;
        unsafe { give_shared(out, std::sync::Arc::new(new_key)) };
        Ok(())
    })
}

/// The `kid` of `key` (from its JWK, or set by `jwtkit_key_with_kid`). On success
/// `*out` receives it, NUL-terminated, owned by the caller (free with
/// `jwtkit_string_free`), and `*out_len` (if not NULL) its length; when the key has no
/// `kid`, `*out` is set to NULL and `*out_len` to 0. On failure nothing is written.
/// Thread safety: safe to call concurrently with the same key.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_OUT_OF_MEMORY,
/// JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_kid(
    key: *const jwtkit_key,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let key = unsafe { borrow(key, "key") }?;
        let out_string = OutString::new(out, out_len).required("out")?;
        match key.kid() {
            Some(kid) => out_string.write(kid.as_bytes()),
            None => {
                unsafe {
                    *out = std::ptr::null_mut();
                    if !out_len.is_null() {
                        *out_len = 0;
                    }
                }
                Ok(())
            }
        }
    })
}

/// The kind of `key`: one of the `JWTKIT_KEY_KIND_*` values, `JWTKIT_KEY_KIND_NONE` for
/// NULL. Thread safety: reads only.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_get_kind(key: *const jwtkit_key) -> jwtkit_key_kind {
    infallible(JWTKIT_KEY_KIND_NONE, || match unsafe { borrow(key, "key") } {
        Err(_) => JWTKIT_KEY_KIND_NONE,
        Ok(k) => match k.family() {
            Family::Hmac => JWTKIT_KEY_KIND_HMAC,
            Family::Rsa => JWTKIT_KEY_KIND_RSA,
            Family::EcP256 => JWTKIT_KEY_KIND_EC_P256,
            Family::EcP384 => JWTKIT_KEY_KIND_EC_P384,
            Family::EcP521 => JWTKIT_KEY_KIND_EC_P521,
            Family::Ed25519 => JWTKIT_KEY_KIND_ED25519,
            Family::X25519 => JWTKIT_KEY_KIND_X25519,
            Family::EcSecp256k1 => JWTKIT_KEY_KIND_EC_SECP256K1,
        },
    })
}

/// Whether `key` verifies tokens signed with `alg`: `alg` needs a key of its kind and
/// curve, the key's JWK `alg`, `use` and `key_ops` allow it, and an HMAC secret is long
/// enough for it (unless made with JWTKIT_KEY_ALLOW_SHORT_SECRET). A host that builds
/// its allow-list from the keys it holds asks this for each `JWTKIT_ALG_*` value
/// (`jwtkit_alg_name` is NULL past the last) instead of keeping a table of its own.
/// false for NULL and for a number that is not a `JWTKIT_ALG_*` value. Thread safety:
/// reads only.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_can_verify(key: *const jwtkit_key, alg: jwtkit_alg) -> bool {
    infallible(false, || match (unsafe { borrow(key, "key") }, alg_arg(alg)) {
        (Ok(key), Ok(alg)) => key.can_verify(alg),
        _ => false,
    })
}

/// Whether `key` can decrypt JWE tokens whose key management is `alg` (a
/// `JWTKIT_JWE_ALG_*` value) with some content encryption: its kind and size fit (`dir`
/// a secret of 16, 24, 32, 48 or 64 bytes, `A*KW`/`A*GCMKW` of 16/24/32, `ECDH-ES*` a
/// private EC P-256/P-384/P-521 or X25519 key, `RSA-OAEP*` a private RSA key), it is a
/// secret or a private key, and its JWK `alg`, `use` and `key_ops` allow it. `RSA-OAEP`
/// (SHA-1) and the `PBES2-*` algorithms only when the JWK's `alg` names them. A host
/// that builds its JWE allow-list from the keys it holds asks this for each
/// `JWTKIT_JWE_ALG_*` value (`jwtkit_jwe_alg_name` is NULL past the last). false for
/// NULL and for a number that is not a `JWTKIT_JWE_ALG_*` value. Thread safety: reads
/// only.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_can_decrypt(key: *const jwtkit_key, alg: jwtkit_jwe_alg) -> bool {
    infallible(false, || match (unsafe { borrow(key, "key") }, numbered::arg::<Alg>(alg)) {
        (Ok(key), Ok(alg)) => crate::jwe::key_can_decrypt(key, alg),
        _ => false,
    })
}

/// Whether `key` can sign: true for HMAC secrets and private keys, false for public
/// keys and NULL. Thread safety: reads only.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_is_private(key: *const jwtkit_key) -> bool {
    infallible(false, || unsafe { borrow(key, "key") }.is_ok_and(|k| k.is_private()))
}

/// The public half of `key` as a JWK (RFC 7517; members sorted, no whitespace) with its
/// `kid`, `alg`, `use` and the public operations of its `key_ops`: what an issuer
/// publishes. Private members are never included. On success `*out` receives the
/// NUL-terminated JSON, owned by the caller (free with `jwtkit_string_free`), and
/// `*out_len` (if not NULL) its length. On failure nothing is written. Thread safety:
/// safe to call concurrently with the same key.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (an HMAC
/// secret has no public half), JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_to_public_jwk(
    key: *const jwtkit_key,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe { export(key, out, out_len, out_err, |k| k.to_public_jwk()) }
}

/// The whole key as a JWK, PRIVATE MEMBERS INCLUDED (`d`, RSA's `p` `q` `dp` `dq` `qi`,
/// an HMAC secret's `k`), with its `kid`, `alg`, `use` and `key_ops`: for storing a key,
/// never for publishing it. jwtkit's own copies are wiped; wipe the output (for example
/// with `explicit_bzero`) before `jwtkit_string_free`. Outputs as in
/// `jwtkit_key_to_public_jwk`. Thread safety: safe to call concurrently with the same key.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (the key is
/// public), JWTKIT_ERR_KEY_INVALID, JWTKIT_ERR_KEY_UNSUPPORTED, JWTKIT_ERR_OUT_OF_MEMORY,
/// JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_to_private_jwk(
    key: *const jwtkit_key,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe { export(key, out, out_len, out_err, |k| k.to_private_jwk()) }
}

/// The public half of `key` as PEM `PUBLIC KEY` (SubjectPublicKeyInfo, LF line
/// endings), readable by `jwtkit_key_from_pem` and OpenSSL. Outputs as in
/// `jwtkit_key_to_public_jwk`. Thread safety: safe to call concurrently with the same key.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (an HMAC
/// secret has no public half), JWTKIT_ERR_KEY_INVALID, JWTKIT_ERR_OUT_OF_MEMORY,
/// JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_to_public_pem(
    key: *const jwtkit_key,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe { export(key, out, out_len, out_err, |k| k.to_public_pem()) }
}

/// The private key as PEM `PRIVATE KEY` (unencrypted PKCS#8 v1, LF line endings): RSA,
/// EC (with its public point) or Ed25519, readable by `jwtkit_key_from_pem` and
/// OpenSSL. SECRET: wipe the output before `jwtkit_string_free`. HMAC secrets have no
/// PEM form (use `jwtkit_key_to_private_jwk`). Outputs as in `jwtkit_key_to_public_jwk`.
/// Thread safety: safe to call concurrently with the same key.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (a public
/// key or an HMAC secret), JWTKIT_ERR_KEY_INVALID, JWTKIT_ERR_KEY_UNSUPPORTED,
/// JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_to_private_pem(
    key: *const jwtkit_key,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe { export(key, out, out_len, out_err, |k| k.to_private_pem()) }
}

/// The RFC 7638 JWK thumbprint of `key`: base64url (no padding) of the SHA-256 of its
/// required public JWK members, 43 characters; usable as a `kid`. For an HMAC secret it
/// is a hash of the secret (RFC 7638 `k`), safe to show only for secrets too long to
/// guess, such as generated ones. Outputs as in `jwtkit_key_to_public_jwk`. Thread
/// safety: safe to call concurrently with the same key.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_OUT_OF_MEMORY,
/// JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_key_thumbprint(
    key: *const jwtkit_key,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe { export(key, out, out_len, out_err, |k| k.thumbprint()) }
}
