//! Shared helpers for the Rust integration tests in `tests/*.rs`: reading the copied test
//! vectors (`tests/vectors/`, never `../shared`), a strict hex decoder, and a small safe
//! wrapper over the C ABI (`jwtkit::ffi`) that checks the ABI's own promises on every call
//! (status and error object agree, outputs are NUL-terminated, errors only on failure) and
//! frees every handle, string and error it receives.
#![allow(dead_code, unused_unsafe)]

use std::ffi::CStr;
use std::os::raw::c_char;
use std::path::PathBuf;
use std::ptr;

use jwtkit::ffi::*;

// ---------------------------------------------------------------------------------------
// Test data

/// Absolute path of a file under `tests/vectors/`.
pub fn vector_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("vectors").join(rel)
}

/// Parses a JSON file under `tests/vectors/`.
pub fn load_json(rel: &str) -> serde_json::Value {
    let path = vector_path(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// Strict hex decoder (either case, even length, nothing else).
pub fn hex(s: &str) -> Vec<u8> {
    fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("not a hex digit: {:?}", c as char),
        }
    }
    let b = s.as_bytes();
    assert!(b.len() % 2 == 0, "odd-length hex string ({} digits)", b.len());
    b.chunks(2).map(|p| (nibble(p[0]) << 4) | nibble(p[1])).collect()
}

/// Base64url without padding, for test data only (the library has its own, strict, codec).
pub fn b64url_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap_or_else(|e| panic!("test data is not base64url ({e}): {s}"))
}

pub fn b64url_encode(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// `v[key]` as a string, or a panic naming the member.
pub fn s<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("member `{key}` is not a string in {v}"))
}

/// `v[key]` as an integer, or a panic naming the member.
pub fn int(v: &serde_json::Value, key: &str) -> i64 {
    v[key].as_i64().unwrap_or_else(|| panic!("member `{key}` is not an integer in {v}"))
}

/// The public part of a private JWK: drops the private members (RFC 7518 §6.2.2, §6.3.2,
/// RFC 8037 §2). `oct` keys have no public part and are returned unchanged.
pub fn public_jwk(jwk: &serde_json::Value) -> serde_json::Value {
    let mut out = jwk.clone();
    if s(jwk, "kty") != "oct" {
        let obj = out.as_object_mut().expect("JWK is an object");
        for m in ["d", "p", "q", "dp", "dq", "qi", "oth"] {
            obj.remove(m);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// C ABI wrapper

/// Every algorithm number of the C ABI, from the library itself (`jwtkit_alg_name` of 1,
/// 2, … up to the first NULL): a test that loops over it covers each algorithm the core has.
pub static ALL_ALGS: std::sync::LazyLock<Vec<i32>> =
    std::sync::LazyLock::new(|| (1..).take_while(|&n| !jwtkit_alg_name(n).is_null()).collect());

/// The registered names of `ALL_ALGS`, in the same order.
pub static ALG_NAMES: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    ALL_ALGS.iter().map(|&n| unsafe { std::ffi::CStr::from_ptr(jwtkit_alg_name(n)) }.to_str().unwrap()).collect()
});

/// A failed C call: its status and the owned error's message (already freed on the C side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CError {
    pub status: i32,
    pub message: String,
}

impl std::fmt::Display for CError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", status_name(self.status), self.status, self.message)
    }
}

/// `jwtkit_status_str`, as an owned string.
pub fn status_name(status: i32) -> String {
    let p = unsafe { jwtkit_status_str(status) };
    assert!(!p.is_null(), "jwtkit_status_str({status}) returned NULL");
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// Turns (status, error object) into a Result, checking the ABI's rules:
/// OK comes without an error object; a failure comes with one whose status matches.
pub fn finish(status: i32, err: *mut jwtkit_error) -> Result<(), CError> {
    if status == JWTKIT_OK {
        assert!(err.is_null(), "JWTKIT_OK but *out_err was set");
        return Ok(());
    }
    assert!(!err.is_null(), "status {} but *out_err was not set", status_name(status));
    let st = unsafe { jwtkit_error_status(err) };
    let msg = unsafe { jwtkit_error_message(err) };
    assert!(!msg.is_null(), "jwtkit_error_message returned NULL");
    let message = unsafe { CStr::from_ptr(msg) }.to_string_lossy().into_owned();
    unsafe { jwtkit_error_free(err) };
    assert_eq!(st, status, "returned status and jwtkit_error_status differ ({message})");
    assert_ne!(status_name(status), "JWTKIT_ERR_UNKNOWN", "undocumented status {status}");
    Err(CError { status, message })
}

/// Copies and frees a library-allocated output string, checking its NUL terminator.
pub fn take_string(p: *mut c_char, len: usize) -> Vec<u8> {
    assert!(!p.is_null(), "output string is NULL on success");
    let bytes = unsafe { std::slice::from_raw_parts(p as *const u8, len + 1) };
    assert_eq!(bytes[len], 0, "output string is not NUL-terminated at out_len");
    let out = bytes[..len].to_vec();
    unsafe { jwtkit_string_free(p) };
    out
}

/// `(ptr, len)` for an input; an empty input is passed as (NULL, 0).
fn raw(b: &[u8]) -> (*const u8, usize) {
    if b.is_empty() {
        (ptr::null(), 0)
    } else {
        (b.as_ptr(), b.len())
    }
}

fn raw_opt(b: Option<&[u8]>) -> (*const u8, usize) {
    b.map_or((ptr::null(), 0), raw)
}

/// Turns a call with one handle output into a Result: the handle is written on success
/// (non-NULL) and only then.
fn handle<T>(status: i32, err: *mut jwtkit_error, out: *const T, what: &str) -> Result<*const T, CError> {
    match finish(status, err) {
        Ok(()) => {
            assert!(!out.is_null(), "JWTKIT_OK but *out {what} is NULL");
            Ok(out)
        }
        Err(e) => {
            assert!(out.is_null(), "failure but *out {what} was written");
            Err(e)
        }
    }
}

/// An owned `const jwtkit_key *`, freed on drop.
pub struct CKey(*const jwtkit_key);

impl Drop for CKey {
    fn drop(&mut self) {
        unsafe { jwtkit_key_free(self.0) };
    }
}

impl CKey {
    /// `jwtkit_key_get_kind`: one of the `JWTKIT_KEY_KIND_*` values.
    pub fn kind(&self) -> i32 {
        unsafe { jwtkit_key_get_kind(self.0) }
    }

    fn wrap(status: i32, key: *const jwtkit_key, err: *mut jwtkit_error) -> Result<CKey, CError> {
        handle(status, err, key, "key").map(CKey)
    }

    pub fn from_jwk(json: &[u8]) -> Result<CKey, CError> {
        let (p, n) = raw(json);
        let mut key: *const jwtkit_key = ptr::null();
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let st = unsafe { jwtkit_key_from_jwk(p, n, &mut key, &mut err) };
        Self::wrap(st, key, err)
    }

    /// From a JWK given as a JSON value.
    pub fn from_jwk_value(jwk: &serde_json::Value) -> Result<CKey, CError> {
        Self::from_jwk(serde_json::to_string(jwk).unwrap().as_bytes())
    }

    pub fn from_secret(secret: &[u8], flags: u32) -> Result<CKey, CError> {
        let (p, n) = raw(secret);
        let mut key: *const jwtkit_key = ptr::null();
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let st = unsafe { jwtkit_key_from_secret(p, n, flags, &mut key, &mut err) };
        Self::wrap(st, key, err)
    }

    pub fn from_der(der: &[u8]) -> Result<CKey, CError> {
        let (p, n) = raw(der);
        let mut key: *const jwtkit_key = ptr::null();
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let st = unsafe { jwtkit_key_from_der(p, n, &mut key, &mut err) };
        Self::wrap(st, key, err)
    }

    pub fn from_pem(pem: &[u8]) -> Result<CKey, CError> {
        let (p, n) = raw(pem);
        let mut key: *const jwtkit_key = ptr::null();
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let st = unsafe { jwtkit_key_from_pem(p, n, &mut key, &mut err) };
        Self::wrap(st, key, err)
    }

    pub fn as_ptr(&self) -> *const jwtkit_key {
        self.0
    }
}

/// An owned `jwtkit_validation *`, freed on drop.
pub struct CValidation(*mut jwtkit_validation);

impl Drop for CValidation {
    fn drop(&mut self) {
        unsafe { jwtkit_validation_free(self.0) };
    }
}

impl CValidation {
    pub fn new(algs: &[i32]) -> Result<CValidation, CError> {
        let mut v: *mut jwtkit_validation = ptr::null_mut();
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let st = unsafe { jwtkit_validation_new(algs.as_ptr(), algs.len(), &mut v, &mut err) };
        handle(st, err, v, "validation").map(|v| CValidation(v.cast_mut()))
    }

    /// A policy allowing every algorithm, real clock.
    pub fn all() -> CValidation {
        Self::new(&ALL_ALGS).expect("validation with all algorithms")
    }

    /// A policy allowing exactly `alg`, real clock.
    pub fn only(alg: i32) -> CValidation {
        Self::new(&[alg]).expect("validation with one algorithm")
    }

    pub fn set_now(&mut self, unix_seconds: i64) -> &mut Self {
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let st = unsafe { jwtkit_validation_set_now(self.0, unix_seconds, &mut err) };
        finish(st, err).expect("jwtkit_validation_set_now");
        self
    }

    pub fn set_leeway(&mut self, seconds: u64) -> &mut Self {
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let st = unsafe { jwtkit_validation_set_leeway(self.0, seconds, &mut err) };
        finish(st, err).expect("jwtkit_validation_set_leeway");
        self
    }

    pub fn as_ptr(&self) -> *const jwtkit_validation {
        self.0
    }
}

/// Output of a successful verification: exact header JSON and payload (or claims) bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub header: Vec<u8>,
    pub payload: Vec<u8>,
}

/// Turns a call with two output strings into a Result: both written (and NUL-terminated)
/// on success, neither on failure.
pub fn two_outputs(
    st: i32,
    err: *mut jwtkit_error,
    h: *mut c_char,
    hl: usize,
    p: *mut c_char,
    pl: usize,
) -> Result<Verified, CError> {
    match finish(st, err) {
        Ok(()) => Ok(Verified { header: take_string(h, hl), payload: take_string(p, pl) }),
        Err(e) => {
            assert!(h.is_null() && p.is_null(), "failure ({e}) but an output was written");
            Err(e)
        }
    }
}

/// `jwtkit_jws_verify`: signature only, any payload.
pub fn jws_verify(token: &[u8], key: &CKey, v: &CValidation) -> Result<Verified, CError> {
    let (tp, tn) = raw(token);
    let (mut h, mut hl, mut p, mut pl) = (ptr::null_mut(), 0usize, ptr::null_mut(), 0usize);
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let st = unsafe { jwtkit_jws_verify(tp, tn, key.as_ptr(), v.as_ptr(), &mut h, &mut hl, &mut p, &mut pl, &mut err) };
    two_outputs(st, err, h, hl, p, pl)
}

/// `jwtkit_verify`: signature, then the JWT claims (exp/nbf against the policy's clock).
pub fn verify(token: &[u8], key: &CKey, v: &CValidation) -> Result<Verified, CError> {
    let (tp, tn) = raw(token);
    let (mut h, mut hl, mut c, mut cl) = (ptr::null_mut(), 0usize, ptr::null_mut(), 0usize);
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let st = unsafe { jwtkit_verify(tp, tn, key.as_ptr(), v.as_ptr(), &mut h, &mut hl, &mut c, &mut cl, &mut err) };
    two_outputs(st, err, h, hl, c, cl)
}

/// `jwtkit_decode_unverified`.
pub fn decode_unverified(token: &[u8]) -> Result<Verified, CError> {
    let (tp, tn) = raw(token);
    let (mut h, mut hl, mut c, mut cl) = (ptr::null_mut(), 0usize, ptr::null_mut(), 0usize);
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let st = unsafe { jwtkit_decode_unverified(tp, tn, &mut h, &mut hl, &mut c, &mut cl, &mut err) };
    two_outputs(st, err, h, hl, c, cl)
}

fn one_output(st: i32, err: *mut jwtkit_error, out: *mut c_char, len: usize) -> Result<String, CError> {
    match finish(st, err) {
        Ok(()) => Ok(String::from_utf8(take_string(out, len)).expect("token is UTF-8")),
        Err(e) => {
            assert!(out.is_null(), "failure ({e}) but the token was written");
            Err(e)
        }
    }
}

/// `jwtkit_jws_sign`: any payload bytes, `header` = optional extra header members (JSON object).
pub fn jws_sign(key: &CKey, alg: i32, payload: &[u8], header: Option<&[u8]>) -> Result<String, CError> {
    let (pp, pn) = raw(payload);
    let (hp, hn) = raw_opt(header);
    let (mut out, mut len) = (ptr::null_mut(), 0usize);
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let st = unsafe { jwtkit_jws_sign(key.as_ptr(), alg, pp, pn, hp, hn, &mut out, &mut len, &mut err) };
    one_output(st, err, out, len)
}

/// `jwtkit_sign`: a JWT; `claims` must be a JSON object, `header` optional extra members.
pub fn sign(key: &CKey, alg: i32, claims: &[u8], header: Option<&[u8]>) -> Result<String, CError> {
    let (cp, cn) = raw(claims);
    let (hp, hn) = raw_opt(header);
    let (mut out, mut len) = (ptr::null_mut(), 0usize);
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let st = unsafe { jwtkit_sign(key.as_ptr(), alg, cp, cn, hp, hn, &mut out, &mut len, &mut err) };
    one_output(st, err, out, len)
}

/// `jwtkit_alg_from_name`.
pub fn alg_from_name(name: &str) -> Result<i32, CError> {
    let (p, n) = raw(name.as_bytes());
    let mut alg: i32 = 0;
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let st = unsafe { jwtkit_alg_from_name(p, n, &mut alg, &mut err) };
    finish(st, err).map(|()| alg)
}

/// `jwtkit_alg_name`, or None for an unknown number.
pub fn alg_name(alg: i32) -> Option<String> {
    let p = unsafe { jwtkit_alg_name(alg) };
    if p.is_null() {
        None
    } else {
        Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    }
}

/// Algorithm number for a JOSE name, panicking on an unknown one (test data is trusted).
pub fn alg(name: &str) -> i32 {
    alg_from_name(name).unwrap_or_else(|e| panic!("alg {name}: {e}"))
}

// ---------------------------------------------------------------------------------------
// C ABI wrapper: JWE

/// Every number `name` knows, counting from 1 until it returns NULL, each name checked
/// (non-empty, distinct), 0 and the numbers just past the last checked to have none.
fn numbered(what: &str, name: unsafe extern "C" fn(i32) -> *const c_char) -> Vec<i32> {
    assert!(unsafe { name(0) }.is_null(), "{what} 0 has a name");
    let mut seen: Vec<String> = Vec::new();
    let mut numbers = Vec::new();
    for n in 1.. {
        let p = unsafe { name(n) };
        if p.is_null() {
            // contiguous numbering: nothing named past the first gap either
            for m in n + 1..n + 64 {
                assert!(unsafe { name(m) }.is_null(), "{what} {m} is named after a gap at {n}");
            }
            break;
        }
        let text = unsafe { CStr::from_ptr(p) }.to_str().expect("name is UTF-8").to_string();
        assert!(!text.is_empty(), "{what} {n} has an empty name");
        assert!(!seen.contains(&text), "{what} {n} repeats the name {text}");
        seen.push(text);
        numbers.push(n);
    }
    assert!(!numbers.is_empty(), "no {what} is named");
    numbers
}

/// Every JWE `alg` jwtkit implements: `JWTKIT_JWE_ALG_*` numbers 1.. that
/// `jwtkit_jwe_alg_name` names.
pub fn all_jwe_algs() -> Vec<i32> {
    numbered("JWE alg", jwtkit_jwe_alg_name)
}

/// Every JWE `enc` jwtkit implements: `JWTKIT_JWE_ENC_*` numbers 1.. that
/// `jwtkit_jwe_enc_name` names.
pub fn all_jwe_encs() -> Vec<i32> {
    numbered("JWE enc", jwtkit_jwe_enc_name)
}

/// An owned `jwtkit_jwe_policy *`, freed on drop.
pub struct CJwePolicy(*mut jwtkit_jwe_policy);

impl Drop for CJwePolicy {
    fn drop(&mut self) {
        unsafe { jwtkit_jwe_policy_free(self.0) };
    }
}

impl CJwePolicy {
    pub fn new(algs: &[i32], encs: &[i32]) -> Result<CJwePolicy, CError> {
        let mut p: *mut jwtkit_jwe_policy = ptr::null_mut();
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let st =
            unsafe { jwtkit_jwe_policy_new(algs.as_ptr(), algs.len(), encs.as_ptr(), encs.len(), &mut p, &mut err) };
        handle(st, err, p, "policy").map(|p| CJwePolicy(p.cast_mut()))
    }

    /// Every `alg` and `enc` jwtkit implements (as the library names them), no compression.
    pub fn all() -> CJwePolicy {
        Self::new(&all_jwe_algs(), &all_jwe_encs()).expect("JWE policy with every alg and enc")
    }

    /// `jwtkit_jwe_policy_allow_zip`.
    pub fn allow_zip(&mut self, allow: bool, max_inflated_len: usize) -> &mut Self {
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let st = unsafe { jwtkit_jwe_policy_allow_zip(self.0, allow, max_inflated_len, &mut err) };
        finish(st, err).expect("jwtkit_jwe_policy_allow_zip");
        self
    }

    pub fn as_ptr(&self) -> *const jwtkit_jwe_policy {
        self.0
    }
}

/// `jwtkit_jwe_alg_from_name` and `jwtkit_jwe_enc_from_name`: the numbers of an `alg`
/// and an `enc`.
pub fn jwe_numbers(alg: &str, enc: &str) -> Result<(i32, i32), CError> {
    let (mut a, mut e) = (0i32, 0i32);
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let (p, n) = raw(alg.as_bytes());
    finish(unsafe { jwtkit_jwe_alg_from_name(p, n, &mut a, &mut err) }, err)?;
    let (p, n) = raw(enc.as_bytes());
    finish(unsafe { jwtkit_jwe_enc_from_name(p, n, &mut e, &mut err) }, err)?;
    Ok((a, e))
}

/// `jwtkit_jwe_encrypt` without compression: the compact JWE.
pub fn jwe_encrypt(key: &CKey, alg: i32, enc: i32, plaintext: &[u8], header: Option<&[u8]>) -> Result<String, CError> {
    let (pp, pn) = raw(plaintext);
    let (hp, hn) = header.map(raw).unwrap_or((ptr::null(), 0));
    let (mut out, mut len) = (ptr::null_mut(), 0usize);
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let st = unsafe { jwtkit_jwe_encrypt(key.as_ptr(), alg, enc, pp, pn, hp, hn, 0, &mut out, &mut len, &mut err) };
    finish(st, err)?;
    Ok(String::from_utf8(take_string(out, len)).expect("ASCII token"))
}

/// `jwtkit_jwe_decrypt`: (protected header, plaintext).
pub fn jwe_decrypt(token: &[u8], key: &CKey, policy: &CJwePolicy) -> Result<Verified, CError> {
    let (tp, tn) = raw(token);
    let (mut h, mut hl, mut p, mut pl) = (ptr::null_mut(), 0usize, ptr::null_mut(), 0usize);
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let st = unsafe {
        jwtkit_jwe_decrypt(tp, tn, key.as_ptr(), policy.as_ptr(), &mut h, &mut hl, &mut p, &mut pl, &mut err)
    };
    two_outputs(st, err, h, hl, p, pl)
}

/// `jwtkit_jwe_decrypt_and_verify`: a nested JWT, (inner JWS header, claims).
pub fn jwe_decrypt_and_verify(
    token: &[u8],
    dec_key: &CKey,
    policy: &CJwePolicy,
    verify_key: &CKey,
    v: &CValidation,
) -> Result<Verified, CError> {
    let (tp, tn) = raw(token);
    let (mut h, mut hl, mut c, mut cl) = (ptr::null_mut(), 0usize, ptr::null_mut(), 0usize);
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let st = unsafe {
        jwtkit_jwe_decrypt_and_verify(
            tp,
            tn,
            dec_key.as_ptr(),
            policy.as_ptr(),
            verify_key.as_ptr(),
            v.as_ptr(),
            &mut h,
            &mut hl,
            &mut c,
            &mut cl,
            &mut err,
        )
    };
    two_outputs(st, err, h, hl, c, cl)
}

/// Splits a compact JWS into its three segments.
pub fn segments(token: &str) -> (&str, &str, &str) {
    let mut it = token.split('.');
    let (h, p, s) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
    assert!(it.next().is_none(), "more than 3 segments in {token}");
    (h, p, s)
}

/// `jwtkit_jws_sign_detached`: `header..signature`; `unencoded` sets `JWTKIT_JWS_UNENCODED`.
pub fn jws_sign_detached(
    key: &CKey,
    alg: i32,
    payload: &[u8],
    header: Option<&[u8]>,
    unencoded: bool,
) -> Result<String, CError> {
    let (pp, pn) = raw(payload);
    let (hp, hn) = raw_opt(header);
    let flags = if unencoded { JWTKIT_JWS_UNENCODED } else { 0 };
    let (mut out, mut len) = (ptr::null_mut(), 0usize);
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let st =
        unsafe { jwtkit_jws_sign_detached(key.as_ptr(), alg, pp, pn, hp, hn, flags, &mut out, &mut len, &mut err) };
    one_output(st, err, out, len)
}

/// `jwtkit_jws_verify_detached` (`claims` false) or `jwtkit_verify_detached` (`claims`
/// true): the header JSON.
pub fn verify_detached(
    token: &[u8],
    payload: &[u8],
    key: &CKey,
    v: &CValidation,
    claims: bool,
) -> Result<Vec<u8>, CError> {
    let (tp, tn) = raw(token);
    let (pp, pn) = raw(payload);
    let (mut out, mut len) = (ptr::null_mut(), 0usize);
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let st = unsafe {
        if claims {
            jwtkit_verify_detached(tp, tn, pp, pn, key.as_ptr(), v.as_ptr(), &mut out, &mut len, &mut err)
        } else {
            jwtkit_jws_verify_detached(tp, tn, pp, pn, key.as_ptr(), v.as_ptr(), &mut out, &mut len, &mut err)
        }
    };
    finish(st, err)?;
    Ok(take_string(out, len))
}
