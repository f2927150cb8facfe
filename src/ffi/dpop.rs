//! DPoP (RFC 9449) from C: `jwtkit_dpop_policy` (what a verifier accepts, with its
//! replay check), `jwtkit_dpop_verify_proof` and the verified `jwtkit_dpop_proof`,
//! the token binding (`jwtkit_dpop_verify_token`, `jwtkit_dpop_check_binding`) and
//! `jwtkit_dpop_create_proof`. Every rule is `crate::dpop`'s; this only converts.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use crate::dpop::{self, JtiUse, ProofPolicy, ReplayQuery, Request, VerifiedProof};
use crate::ffi::boundary::{fallible, input, invalid, null, optional_input, write_pair, Failure, OutString};
use crate::ffi::handle::{borrow, borrow_mut, free_boxed, give_boxed, Boxed, Castable};
use crate::ffi::key::jwtkit_key;
use crate::ffi::status::*;
use crate::ffi::validation::{jwtkit_validation, text_arg};
use crate::ffi::version::{alg_arg, alg_list, jwtkit_alg};

/// An opaque DPoP verification policy: the asymmetric algorithms a proof may use, the
/// accepted `iat` window, the clock, the size limit and the replay check. Thread
/// safety: setters must not run while any thread verifies with it; once configured,
/// any number of threads may verify with it at once.
pub struct jwtkit_dpop_policy {
    _private: [u8; 0],
}

impl Castable for jwtkit_dpop_policy {
    type Ownership = Boxed;
    type Rust = ProofPolicy;
}

/// An opaque DPoP proof that passed every check of `jwtkit_dpop_verify_proof`: its key
/// thumbprint (`jkt`), `jti`, `iat` and claims. Immutable: any number of threads may
/// read it at once. Released with `jwtkit_dpop_proof_free`.
pub struct jwtkit_dpop_proof {
    _private: [u8; 0],
}

impl Castable for jwtkit_dpop_proof {
    type Ownership = Boxed;
    type Rust = VerifiedProof;
}

/// A replay check answered: the `jti` was not seen within the window, and is now
/// recorded. The proof is accepted.
pub const JWTKIT_DPOP_JTI_FIRST: i32 = 0;
/// A replay check answered: the `jti` was seen before within the window. The proof is
/// refused with JWTKIT_ERR_DPOP_REPLAYED.
pub const JWTKIT_DPOP_JTI_SEEN: i32 = 1;
/// A replay check could not answer (its store failed). Any value other than
/// `JWTKIT_DPOP_JTI_FIRST` and `JWTKIT_DPOP_JTI_SEEN` means the same: the proof is
/// refused with JWTKIT_ERR_DPOP_REPLAY_CHECK, never accepted unchecked.
pub const JWTKIT_DPOP_JTI_UNAVAILABLE: i32 = -1;

/// A replay check: "was `jti` seen for the key `jkt` within the window?", answered by
/// checking and recording in one step (with Redis: `SET <jkt>:<jti> 1 NX EXAT
/// <expires_at>`). Returns `JWTKIT_DPOP_JTI_FIRST` (not seen; now recorded),
/// `JWTKIT_DPOP_JTI_SEEN` (a replay) or anything else when the store failed. `jkt` (the
/// RFC 7638 thumbprint of the proof's key, 43 characters) and `jti` are
/// NUL-terminated and `*_len` bytes long (a `jti` may hold a NUL: compare by length),
/// valid only during the call. The record must be kept until `expires_at` (Unix
/// seconds), when the proof leaves the policy's `iat` window. Called only for a proof
/// that passed every other check, possibly from several threads at once: it must be
/// thread-safe, must not call the same policy's setters, and must not unwind or
/// longjmp.
pub type jwtkit_dpop_replay_fn = Option<
    unsafe extern "C" fn(
        ctx: *mut c_void,
        jkt: *const c_char,
        jkt_len: usize,
        jti: *const c_char,
        jti_len: usize,
        expires_at: i64,
    ) -> i32,
>;

struct ForeignContext(*mut c_void);
// The caller promises (see jwtkit_dpop_replay_fn) that ctx may be used from any thread.
unsafe impl Send for ForeignContext {}
unsafe impl Sync for ForeignContext {}

/// Creates a DPoP policy accepting proofs signed with one of the `n_algs` algorithms
/// in `algs` (copied; at least one; `JWTKIT_ALG_*` values, none of them HMAC: a proof
/// is signed with the private half of the key it carries). Defaults: a proof's `iat`
/// at most 300 s old and 30 s ahead, proofs up to 8192 bytes, the system clock, no
/// replay check. On success `*out` receives a policy owned by the caller (free with
/// `jwtkit_dpop_policy_free`).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (empty
/// list, an unknown number, an HMAC algorithm), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_dpop_policy_new(
    algs: *const jwtkit_alg,
    n_algs: usize,
    out: *mut *mut jwtkit_dpop_policy,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        if out.is_null() {
            return Err(null("out"));
        }
        let list = unsafe { alg_list(algs, n_algs) }?;
        let policy = ProofPolicy::new(&list)?;
        unsafe { give_boxed(out, policy) };
        Ok(())
    })
}

/// Sets the accepted `iat` window: a proof is accepted from `future_leeway` seconds
/// before its `iat` (clock skew) until `max_age` seconds after it. Older proofs fail
/// with JWTKIT_ERR_TOO_OLD, newer ones with JWTKIT_ERR_ISSUED_IN_FUTURE.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (a value
/// over 2^62), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_dpop_policy_set_iat_window(
    policy: *mut jwtkit_dpop_policy,
    max_age: u64,
    future_leeway: u64,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || Ok(unsafe { borrow_mut(policy, "policy") }?.set_iat_window(max_age, future_leeway)?))
}

/// Fixes "now" to `unix_seconds` instead of the system clock: for tests, and for
/// checking recorded proofs deliberately.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_dpop_policy_set_now(
    policy: *mut jwtkit_dpop_policy,
    unix_seconds: i64,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        unsafe { borrow_mut(policy, "policy") }?.set_now(unix_seconds);
        Ok(())
    })
}

/// Sets the longest proof accepted, in bytes (default 8192); a longer one fails with
/// JWTKIT_ERR_TOKEN_TOO_LARGE before any parsing.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (under 16
/// bytes), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_dpop_policy_set_max_proof_len(
    policy: *mut jwtkit_dpop_policy,
    bytes: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || Ok(unsafe { borrow_mut(policy, "policy") }?.set_max_proof_len(bytes)?))
}

/// Registers the replay check `check` with its `ctx` (borrowed: it must stay valid
/// while the policy exists; jwtkit never frees it); see `jwtkit_dpop_replay_fn`. A NULL
/// `check` removes it. A replayed proof fails with JWTKIT_ERR_DPOP_REPLAYED; a check
/// that cannot answer makes it fail with JWTKIT_ERR_DPOP_REPLAY_CHECK.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_dpop_policy_set_replay_check(
    policy: *mut jwtkit_dpop_policy,
    check: jwtkit_dpop_replay_fn,
    ctx: *mut c_void,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let p = unsafe { borrow_mut(policy, "policy") }?;
        let Some(check) = check else {
            p.set_replay_check(None);
            return Ok(());
        };
        let ctx = ForeignContext(ctx);
        p.set_replay_check(Some(Arc::new(move |q: &ReplayQuery<'_>| {
            let ctx = &ctx;
            let jkt = [q.jkt.as_bytes(), b"\0"].concat();
            let jti = [q.jti.as_bytes(), b"\0"].concat();
            let answer = unsafe {
                check(ctx.0, jkt.as_ptr().cast(), q.jkt.len(), jti.as_ptr().cast(), q.jti.len(), q.expires_at)
            };
            match answer {
                JWTKIT_DPOP_JTI_FIRST => JtiUse::First,
                JWTKIT_DPOP_JTI_SEEN => JtiUse::Seen,
                _ => JtiUse::Unavailable,
            }
        })));
        Ok(())
    })
}

/// Releases a policy. NULL is a no-op; must not be called twice, nor while another
/// thread verifies with it.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_dpop_policy_free(policy: *mut jwtkit_dpop_policy) {
    crate::ffi::boundary::infallible((), || unsafe { free_boxed(policy) })
}

/// The request arguments shared by verification and creation.
/// Each argument is a C `(ptr, len)` pair.
type Input = (*const u8, usize);

unsafe fn request<'a>(method: Input, uri: Input, access_token: Input, nonce: Input) -> Result<Request<'a>, Failure> {
    let method = unsafe { text_arg(method.0, method.1, "method") }?;
    let uri = unsafe { text_arg(uri.0, uri.1, "uri") }?;
    let access_token = unsafe { optional_input(access_token.0, access_token.1, "access_token") }?;
    let nonce = match unsafe { optional_input(nonce.0, nonce.1, "nonce") }? {
        None => None,
        Some(bytes) => Some(std::str::from_utf8(bytes).map_err(|_| invalid("argument `nonce` must be UTF-8".into()))?),
    };
    Ok(Request { method, uri, access_token, nonce })
}

/// Verifies one DPoP proof, the value of the request's `DPoP` header `(ptr, len)`,
/// for the request: `method` (e.g. "GET"), `uri` (the request's absolute URI,
/// "https://host/path"; a query and fragment are left out), the `access_token` the
/// request presents `(NULL, 0)` for none, e.g. at a token endpoint), and the `nonce`
/// the server expects `(NULL, 0)` for none). All inputs are copied; `policy` is
/// borrowed. Checks, in order (RFC 9449 §4.3): size; exactly one proof (a value with a
/// comma or white space holds several); three segments, header (`crit`, `alg` known:
/// never `none`); `typ` `dpop+jwt`; `alg` in the policy; the `jwk` header a public key
/// (no private member), fitting `alg`; the signature by that key; `jti`, `htm`, `htu`,
/// `iat` present; `htm` equal to `method`; `htu` equal to `uri` after RFC 3986 §6
/// normalisation (scheme and host case, default port, percent-encoding, dot segments),
/// itself without query and fragment; `nonce`; `iat` within the window; `ath` equal to
/// base64url(SHA-256(access_token)); last, the replay check.
///
/// On success `*out` receives the verified proof, owned by the caller (free with
/// `jwtkit_dpop_proof_free`); on failure nothing is written. Any failure means the
/// server answers `invalid_dpop_proof`, except JWTKIT_ERR_DPOP_NONCE (`use_dpop_nonce`,
/// with a fresh `DPoP-Nonce` header), JWTKIT_ERR_DPOP_REPLAY_CHECK (the server's own
/// store failed) and JWTKIT_ERR_INVALID_ARGUMENT (the caller's `method` or `uri` is
/// not valid).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT,
/// JWTKIT_ERR_TOKEN_TOO_LARGE, JWTKIT_ERR_TOKEN_MALFORMED, JWTKIT_ERR_BASE64,
/// JWTKIT_ERR_JSON, JWTKIT_ERR_JSON_LIMIT, JWTKIT_ERR_HEADER_INVALID,
/// JWTKIT_ERR_CRIT_UNSUPPORTED, JWTKIT_ERR_TYP_MISMATCH, JWTKIT_ERR_ALG_UNSUPPORTED,
/// JWTKIT_ERR_ALG_NOT_ALLOWED, JWTKIT_ERR_DPOP_PRIVATE_JWK, JWTKIT_ERR_KEY_INVALID,
/// JWTKIT_ERR_KEY_UNSUPPORTED, JWTKIT_ERR_KEY_TOO_WEAK, JWTKIT_ERR_KEY_ALG_MISMATCH,
/// JWTKIT_ERR_KEY_USAGE, JWTKIT_ERR_SIGNATURE_INVALID, JWTKIT_ERR_CLAIM_MISSING,
/// JWTKIT_ERR_CLAIM_INVALID, JWTKIT_ERR_DPOP_HTM_MISMATCH, JWTKIT_ERR_DPOP_HTU_MISMATCH,
/// JWTKIT_ERR_DPOP_NONCE, JWTKIT_ERR_TOO_OLD, JWTKIT_ERR_ISSUED_IN_FUTURE,
/// JWTKIT_ERR_DPOP_ATH_MISMATCH, JWTKIT_ERR_DPOP_REPLAYED, JWTKIT_ERR_DPOP_REPLAY_CHECK,
/// JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC. Thread safety: reads `policy` only.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_dpop_verify_proof(
    proof: *const u8,
    proof_len: usize,
    method: *const u8,
    method_len: usize,
    uri: *const u8,
    uri_len: usize,
    access_token: *const u8,
    access_token_len: usize,
    nonce: *const u8,
    nonce_len: usize,
    policy: *const jwtkit_dpop_policy,
    out: *mut *mut jwtkit_dpop_proof,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let proof = unsafe { input(proof, proof_len, "proof") }?;
        let req = unsafe {
            request((method, method_len), (uri, uri_len), (access_token, access_token_len), (nonce, nonce_len))
        }?;
        let policy = unsafe { borrow(policy, "policy") }?;
        if out.is_null() {
            return Err(null("out"));
        }
        let verified = dpop::verify_proof(proof, &req, policy)?;
        unsafe { give_boxed(out, verified) };
        Ok(())
    })
}

/// The verified proof's key thumbprint (RFC 7638, SHA-256, base64url: 43 characters),
/// what a token bound to the key carries as `cnf.jkt`. On success `*out` receives it,
/// NUL-terminated, owned by the caller (free with `jwtkit_string_free`), and
/// `*out_len` (if not NULL) its length.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_dpop_proof_jkt(
    proof: *const jwtkit_dpop_proof,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe { proof_text(proof, out, out_len, out_err, |p| p.jkt.as_bytes()) }
}

/// The verified proof's `jti` (any bytes but valid UTF-8; may hold a NUL). Outputs as
/// in `jwtkit_dpop_proof_jkt`.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_dpop_proof_jti(
    proof: *const jwtkit_dpop_proof,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe { proof_text(proof, out, out_len, out_err, |p| p.jti.as_bytes()) }
}

/// The verified proof's exact claims JSON. Outputs as in `jwtkit_dpop_proof_jkt`.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_dpop_proof_claims(
    proof: *const jwtkit_dpop_proof,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe { proof_text(proof, out, out_len, out_err, |p| &p.claims_json) }
}

unsafe fn proof_text(
    proof: *const jwtkit_dpop_proof,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
    pick: impl FnOnce(&VerifiedProof) -> &[u8],
) -> jwtkit_status {
    fallible(out_err, || {
        let proof = unsafe { borrow(proof, "proof") }?;
        OutString::new(out, out_len).required("out")?.write(pick(proof))
    })
}

/// The verified proof's `iat`, whole Unix seconds rounded down, into `*out`.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_dpop_proof_iat(
    proof: *const jwtkit_dpop_proof,
    out: *mut i64,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let proof = unsafe { borrow(proof, "proof") }?;
        if out.is_null() {
            return Err(null("out"));
        }
        unsafe { *out = proof.iat };
        Ok(())
    })
}

/// Releases a verified proof. NULL is a no-op; must not be called twice.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_dpop_proof_free(proof: *mut jwtkit_dpop_proof) {
    crate::ffi::boundary::infallible((), || unsafe { free_boxed(proof) })
}

/// Verifies an access token as `jwtkit_verify` does (`token` `(ptr, len)`, `key` and
/// `validation` borrowed), then its binding to how it was presented:
/// - `proof` is the request's proof from `jwtkit_dpop_verify_proof`, verified with this
///   very token as its `access_token` (`Authorization: DPoP`): the token's `cnf.jkt`
///   must be the proof key's thumbprint (JWTKIT_ERR_DPOP_BINDING_MISMATCH, also for a
///   token without `cnf.jkt`); a proof verified for another token is
///   JWTKIT_ERR_DPOP_ATH_MISMATCH, one verified without a token
///   JWTKIT_ERR_INVALID_ARGUMENT;
/// - `proof` NULL says the request used `Authorization: Bearer`: a token bound to a key
///   (with `cnf.jkt`) fails with JWTKIT_ERR_DPOP_BOUND_TOKEN_AS_BEARER.
///
/// A `cnf` that is not an object, or a `cnf.jkt` that is not a string, is
/// JWTKIT_ERR_CLAIM_INVALID (claim "cnf"). Outputs as in `jwtkit_verify` (optional,
/// written only on success). Any failure means the server answers `invalid_token`.
///
/// Returns JWTKIT_OK, the statuses of `jwtkit_verify`, JWTKIT_ERR_DPOP_BINDING_MISMATCH,
/// JWTKIT_ERR_DPOP_BOUND_TOKEN_AS_BEARER, JWTKIT_ERR_DPOP_ATH_MISMATCH. Thread safety:
/// safe to call concurrently with the same key, policy and proof.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_dpop_verify_token(
    token: *const u8,
    token_len: usize,
    key: *const jwtkit_key,
    validation: *const jwtkit_validation,
    proof: *const jwtkit_dpop_proof,
    out_header: *mut *mut c_char,
    out_header_len: *mut usize,
    out_claims: *mut *mut c_char,
    out_claims_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let token = unsafe { input(token, token_len, "token") }?;
        let key = unsafe { borrow(key, "key") }?;
        let validation = unsafe { borrow(validation, "validation") }?;
        let proof = if proof.is_null() { None } else { Some(unsafe { borrow(proof, "proof") }?) };
        let verified = dpop::verify_token(token, key, validation, proof)?;
        write_pair(
            &OutString::new(out_header, out_header_len),
            &verified.header_json,
            &OutString::new(out_claims, out_claims_len),
            &verified.claims_json,
        )
    })
}

/// The binding rule of `jwtkit_dpop_verify_token` alone, for a token verified another
/// way (`jwtkit_verify_with_keyset`, `jwtkit_verify_with_source`, a decrypted JWE):
/// `token` `(ptr, len)` is the access token as presented, `claims_json` `(ptr, len)`
/// its VERIFIED claims, `proof` the request's verified proof or NULL for a Bearer
/// request. Never a substitute for verifying the token.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT,
/// JWTKIT_ERR_JSON, JWTKIT_ERR_JSON_LIMIT, JWTKIT_ERR_CLAIM_INVALID,
/// JWTKIT_ERR_DPOP_BINDING_MISMATCH, JWTKIT_ERR_DPOP_BOUND_TOKEN_AS_BEARER,
/// JWTKIT_ERR_DPOP_ATH_MISMATCH, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_dpop_check_binding(
    token: *const u8,
    token_len: usize,
    claims_json: *const u8,
    claims_len: usize,
    proof: *const jwtkit_dpop_proof,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let token = unsafe { input(token, token_len, "token") }?;
        let claims = unsafe { input(claims_json, claims_len, "claims_json") }?;
        let proof = if proof.is_null() { None } else { Some(unsafe { borrow(proof, "proof") }?) };
        Ok(dpop::check_binding(token, claims, proof)?)
    })
}

/// The binding rule for a refresh token at the token endpoint (RFC 9449 §5), where
/// proofs carry no `ath`: `claims_json` `(ptr, len)` are the refresh token's VERIFIED
/// claims, `proof` the request's verified proof (from `jwtkit_dpop_verify_proof`
/// without an access token) or NULL. A refresh token with `cnf.jkt` needs a proof by
/// that key (JWTKIT_ERR_DPOP_BINDING_MISMATCH; without a proof,
/// JWTKIT_ERR_DPOP_BOUND_TOKEN_AS_BEARER); one without `cnf.jkt` is accepted either way.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_JSON, JWTKIT_ERR_JSON_LIMIT,
/// JWTKIT_ERR_CLAIM_INVALID, JWTKIT_ERR_DPOP_BINDING_MISMATCH,
/// JWTKIT_ERR_DPOP_BOUND_TOKEN_AS_BEARER, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_dpop_check_refresh_binding(
    claims_json: *const u8,
    claims_len: usize,
    proof: *const jwtkit_dpop_proof,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let claims = unsafe { input(claims_json, claims_len, "claims_json") }?;
        let proof = if proof.is_null() { None } else { Some(unsafe { borrow(proof, "proof") }?) };
        Ok(dpop::check_refresh_binding(claims, proof)?)
    })
}

/// Creates a DPoP proof for a request, signed by `key` (borrowed; a private RSA, EC or
/// Ed25519 key) with `alg`: header `typ` `dpop+jwt` and `jwk` the key's public half
/// (RFC 7638 members only); claims a fresh random `jti` (128 bits), `htm` = `method`,
/// `htu` = `uri` without its query and fragment, `iat` = `*iat` (or now when `iat` is
/// NULL), `ath` = base64url(SHA-256(access_token)) unless `access_token` is `(NULL,
/// 0)`, and `nonce` unless it is `(NULL, 0)`. Inputs are copied. On success `*out`
/// receives the proof, NUL-terminated, owned by the caller (free with
/// `jwtkit_string_free`), and `*out_len` (if not NULL) its length.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (an HMAC
/// algorithm, a method that is not an HTTP token, a URI that is not absolute, an HMAC
/// secret), JWTKIT_ERR_KEY_ALG_MISMATCH, JWTKIT_ERR_KEY_CANNOT_SIGN,
/// JWTKIT_ERR_KEY_USAGE, JWTKIT_ERR_OUT_OF_MEMORY, JWTKIT_ERR_PANIC. Thread safety:
/// safe to call concurrently with the same key.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_dpop_create_proof(
    key: *const jwtkit_key,
    alg: jwtkit_alg,
    method: *const u8,
    method_len: usize,
    uri: *const u8,
    uri_len: usize,
    access_token: *const u8,
    access_token_len: usize,
    nonce: *const u8,
    nonce_len: usize,
    iat: *const i64,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let key = unsafe { borrow(key, "key") }?;
        let alg = alg_arg(alg)?;
        let req = unsafe {
            request((method, method_len), (uri, uri_len), (access_token, access_token_len), (nonce, nonce_len))
        }?;
        let iat = if iat.is_null() { None } else { Some(unsafe { *iat }) };
        let out = OutString::new(out, out_len).required("out")?;
        out.write(dpop::create_proof(key, alg, &req, iat)?.as_bytes())
    })
}
