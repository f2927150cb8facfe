//! The attack suite: one test per class of attack on JWT verifiers, each driving the C ABI
//! (`jwtkit::ffi`) and asserting the exact status the rejection must carry.
//!
//! Every malicious token is built here, byte by byte: this file has its own base64url
//! encoder, its own JSON text, and signs with `ring` (and RustCrypto `p521` for ES512 and
//! `k256` for ES256K, which ring lacks) directly, never with jwtkit's signer, so a bug in jwtkit's signing
//! path cannot hide one in its verifying path. Each test also verifies a *control* token
//! built by the same code, which must be accepted: a rejection then proves the attack
//! was caught, not that the harness made garbage.
//!
//! Checks are collected and reported together (`Report`), so one failing run lists every
//! case that is wrong, with the status received and the status expected.
//! `bindings/python/tests/test_attacks.py` repeats the classes through Python.
//!
//! The last section attacks the JWE JSON serialization (`jwtkit_jwe_decrypt_json`): a
//! header member in two headers, `zip`/`crit` unprotected, recipients outside the
//! allow-list beside an allowed one, modified `aad` or protected header, huge and deep
//! input (`bindings/python/tests/test_jwe_json.py` repeats them through Python).

use std::ffi::CStr;
use std::fmt::Display;
use std::os::raw::c_char;
use std::ptr;
use std::time::{Duration, Instant};

use jwtkit::ffi::*;
use ring::rand::SystemRandom;
use ring::signature::{self as rsig, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};

// =======================================================================================
// Encoding, by hand

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64_with(alphabet: &[u8; 64], data: &[u8], pad: bool) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..chunk.len() + 1 {
            out.push(alphabet[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
        if pad {
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
    }
    out
}

/// Base64url without padding (RFC 7515 §2).
fn b64u(data: &[u8]) -> String {
    b64_with(B64URL, data, false)
}

fn b64u_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).expect("test token segment is base64url")
}

/// Standard base64 with padding (RFC 4648 §4), as `x5c` uses.
fn b64std(data: &[u8]) -> String {
    b64_with(B64STD, data, true)
}

fn hex(s: &str) -> Vec<u8> {
    let s: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(s.len() % 2 == 0);
    s.chunks(2).map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap()).collect()
}

fn key_file(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn attack_file(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/attacks/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `b64u(header) . b64u(payload)`: the JWS signing input.
fn signing_input(header: &[u8], payload: &[u8]) -> Vec<u8> {
    format!("{}.{}", b64u(header), b64u(payload)).into_bytes()
}

/// `input . b64u(sig)`.
fn with_sig(input: &[u8], sig: &[u8]) -> Vec<u8> {
    let mut t = input.to_vec();
    t.push(b'.');
    t.extend_from_slice(b64u(sig).as_bytes());
    t
}

fn header(alg: &str) -> Vec<u8> {
    format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#).into_bytes()
}

const CLAIMS: &[u8] = br#"{"sub":"attacker","admin":true}"#;

/// LF -> CRLF.
fn crlf(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len() + b.len() / 32);
    for &c in b {
        if c == b'\n' {
            out.push(b'\r');
        }
        out.push(c);
    }
    out
}

fn cat(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut v = a.to_vec();
    v.extend_from_slice(b);
    v
}

// =======================================================================================
// Signing primitives (ring; p521 for ES512, k256 for ES256K)

const SECRET: &[u8] = b"an HMAC secret of sixty-four bytes for HS256, HS384 and HS512!!!";

fn hmac(alg: &str, secret: &[u8], msg: &[u8]) -> Vec<u8> {
    let algorithm = match alg {
        "HS256" => ring::hmac::HMAC_SHA256,
        "HS384" => ring::hmac::HMAC_SHA384,
        "HS512" => ring::hmac::HMAC_SHA512,
        other => panic!("not an HMAC alg: {other}"),
    };
    ring::hmac::sign(&ring::hmac::Key::new(algorithm, secret), msg).as_ref().to_vec()
}

/// An attacker's (or the legitimate issuer's) private key, outside jwtkit.
enum Signer {
    Hmac(Vec<u8>),
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
    P521(Box<p521::ecdsa::SigningKey>),
    K256(Box<k256::ecdsa::SigningKey>),
    Ed(Ed25519KeyPair),
}

impl Signer {
    fn sign(&self, alg: &str, msg: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        match self {
            Signer::Hmac(secret) => hmac(alg, secret, msg),
            Signer::Rsa(pair) => {
                let padding: &'static dyn rsig::RsaEncoding = match alg {
                    "RS256" => &rsig::RSA_PKCS1_SHA256,
                    "RS384" => &rsig::RSA_PKCS1_SHA384,
                    "RS512" => &rsig::RSA_PKCS1_SHA512,
                    "PS256" => &rsig::RSA_PSS_SHA256,
                    "PS384" => &rsig::RSA_PSS_SHA384,
                    "PS512" => &rsig::RSA_PSS_SHA512,
                    other => panic!("not an RSA alg: {other}"),
                };
                let mut sig = vec![0u8; pair.public().modulus_len()];
                pair.sign(padding, &rng, msg, &mut sig).unwrap();
                sig
            }
            Signer::Ec(pair) => pair.sign(&rng, msg).unwrap().as_ref().to_vec(),
            Signer::P521(key) => {
                use p521::ecdsa::signature::Signer as _;
                let sig: p521::ecdsa::Signature = key.sign(msg);
                sig.to_bytes().to_vec()
            }
            Signer::K256(key) => {
                use k256::ecdsa::signature::Signer as _;
                let sig: k256::ecdsa::Signature = key.sign(msg);
                sig.to_bytes().to_vec()
            }
            Signer::Ed(pair) => pair.sign(msg).as_ref().to_vec(),
        }
    }

    /// A compact JWS of `payload` under `header`, signed with `alg`.
    fn token(&self, alg: &str, header: &[u8], payload: &[u8]) -> Vec<u8> {
        let input = signing_input(header, payload);
        let sig = self.sign(alg, &input);
        with_sig(&input, &sig)
    }
}

fn rsa_signer() -> Signer {
    Signer::Rsa(RsaKeyPair::from_pkcs8(&key_file("rsa2048.pkcs8.der")).expect("ring reads rsa2048.pkcs8.der"))
}

fn ec_pair(file: &str, alg: &'static rsig::EcdsaSigningAlgorithm) -> EcdsaKeyPair {
    EcdsaKeyPair::from_pkcs8(alg, &key_file(file), &SystemRandom::new()).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn p256_signer() -> Signer {
    Signer::Ec(ec_pair("ecp256.pkcs8.der", &rsig::ECDSA_P256_SHA256_FIXED_SIGNING))
}

fn p384_signer() -> Signer {
    Signer::Ec(ec_pair("ecp384.pkcs8.der", &rsig::ECDSA_P384_SHA384_FIXED_SIGNING))
}

/// The P-521 scalar, read by hand from the SEC1 DER (`02 01 01 04 42` + 66 bytes).
fn p521_signer() -> Signer {
    let der = key_file("ecp521.sec1.der");
    let at = der.windows(5).position(|w| w == [0x02, 0x01, 0x01, 0x04, 0x42]).expect("SEC1 private key octets");
    let scalar = &der[at + 5..at + 5 + 66];
    Signer::P521(Box::new(p521::ecdsa::SigningKey::from_slice(scalar).expect("P-521 scalar")))
}

/// The secp256k1 scalar, read by hand from the SEC1 DER (`02 01 01 04 20` + 32 bytes).
fn k256_signer() -> Signer {
    let der = key_file("secp256k1.sec1.der");
    let at = der.windows(5).position(|w| w == [0x02, 0x01, 0x01, 0x04, 0x20]).expect("SEC1 private key octets");
    let scalar = &der[at + 5..at + 5 + 32];
    Signer::K256(Box::new(k256::ecdsa::SigningKey::from_slice(scalar).expect("secp256k1 scalar")))
}

fn ed_signer() -> Signer {
    Signer::Ed(Ed25519KeyPair::from_pkcs8_maybe_unchecked(&key_file("ed25519.pkcs8.der")).expect("ed25519.pkcs8.der"))
}

/// The legitimate signer for `alg`, with the key the test files hold.
fn signer_for(alg: &str) -> Signer {
    match alg {
        "HS256" | "HS384" | "HS512" => Signer::Hmac(SECRET.to_vec()),
        "ES256" => p256_signer(),
        "ES384" => p384_signer(),
        "ES512" => p521_signer(),
        "ES256K" => k256_signer(),
        "EdDSA" | "Ed25519" => ed_signer(),
        _ => rsa_signer(),
    }
}

/// Every algorithm the library has, by name (`jwtkit_alg_name` of 1, 2, … up to NULL).
static ALG_NAMES: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    ALL_ALGS.iter().map(|&n| unsafe { CStr::from_ptr(jwtkit_alg_name(n)) }.to_str().unwrap()).collect()
});

/// DER `SEQUENCE { INTEGER r, INTEGER s }` of a raw `r || s` ECDSA signature, by hand.
fn ecdsa_der(raw: &[u8]) -> Vec<u8> {
    fn len(n: usize) -> Vec<u8> {
        if n < 128 {
            vec![n as u8]
        } else if n < 256 {
            vec![0x81, n as u8]
        } else {
            vec![0x82, (n >> 8) as u8, n as u8]
        }
    }
    fn int(x: &[u8]) -> Vec<u8> {
        let first = x.iter().position(|&b| b != 0).unwrap_or(x.len() - 1);
        let mut v = x[first..].to_vec();
        if v[0] & 0x80 != 0 {
            v.insert(0, 0);
        }
        let mut out = vec![0x02];
        out.extend(len(v.len()));
        out.extend(v);
        out
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    let body = cat(&int(r), &int(s));
    let mut out = vec![0x30];
    out.extend(len(body.len()));
    out.extend(body);
    out
}

/// Big-endian `a + b` in `a.len()` bytes, or None when it overflows that width.
fn add_be(a: &[u8], b: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![0u8; a.len()];
    let mut carry = 0u16;
    for i in (0..a.len()).rev() {
        let j = (i + b.len()).checked_sub(a.len());
        let bv = j.map_or(0, |j| u16::from(b[j]));
        let sum = u16::from(a[i]) + bv + carry;
        out[i] = sum as u8;
        carry = sum >> 8;
    }
    (carry == 0).then_some(out)
}

fn left_pad(x: &[u8], width: usize) -> Vec<u8> {
    let x = &x[x.iter().position(|&b| b != 0).unwrap_or(x.len())..];
    assert!(x.len() <= width);
    cat(&vec![0u8; width - x.len()], x)
}

// =======================================================================================
// A minimal C-ABI harness (owned handles, status + error object checked on every call)

#[derive(Debug)]
struct Fail {
    status: i32,
    message: String,
}

fn status_name(status: i32) -> String {
    let p = jwtkit_status_str(status);
    assert!(!p.is_null());
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// (status, error object) -> Result, checking the ABI's promises.
fn finish(status: i32, err: *mut jwtkit_error) -> Result<(), Fail> {
    if status == JWTKIT_OK {
        assert!(err.is_null(), "JWTKIT_OK with an error object");
        return Ok(());
    }
    assert!(!err.is_null(), "{} without an error object", status_name(status));
    let (st, message) = unsafe {
        let st = jwtkit_error_status(err);
        let message = CStr::from_ptr(jwtkit_error_message(err)).to_string_lossy().into_owned();
        jwtkit_error_free(err);
        (st, message)
    };
    assert_eq!(st, status, "status returned and jwtkit_error_status differ: {message}");
    assert!(!message.is_empty(), "{} with an empty message", status_name(status));
    Err(Fail { status, message })
}

fn raw(b: &[u8]) -> (*const u8, usize) {
    if b.is_empty() {
        (ptr::null(), 0)
    } else {
        (b.as_ptr(), b.len())
    }
}

fn take(p: *mut c_char, len: usize) -> Vec<u8> {
    assert!(!p.is_null());
    let v = unsafe { std::slice::from_raw_parts(p as *const u8, len) }.to_vec();
    unsafe { jwtkit_string_free(p) };
    v
}

struct Key(*const jwtkit_key);

impl Drop for Key {
    fn drop(&mut self) {
        unsafe { jwtkit_key_free(self.0) };
    }
}

impl Key {
    fn make(f: impl FnOnce(*mut *const jwtkit_key, *mut *mut jwtkit_error) -> i32) -> Result<Key, Fail> {
        let mut key: *const jwtkit_key = ptr::null();
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let st = f(&mut key, &mut err);
        finish(st, err).map(|()| Key(key))
    }
    fn try_secret(secret: &[u8], flags: u32) -> Result<Key, Fail> {
        let (p, n) = raw(secret);
        Key::make(|k, e| unsafe { jwtkit_key_from_secret(p, n, flags, k, e) })
    }
    fn secret(secret: &[u8]) -> Key {
        Key::try_secret(secret, 0).expect("HMAC key")
    }
    fn try_pem(pem: &[u8]) -> Result<Key, Fail> {
        let (p, n) = raw(pem);
        Key::make(|k, e| unsafe { jwtkit_key_from_pem(p, n, k, e) })
    }
    fn try_der(der: &[u8]) -> Result<Key, Fail> {
        let (p, n) = raw(der);
        Key::make(|k, e| unsafe { jwtkit_key_from_der(p, n, k, e) })
    }
    fn try_jwk(jwk: &[u8]) -> Result<Key, Fail> {
        let (p, n) = raw(jwk);
        Key::make(|k, e| unsafe { jwtkit_key_from_jwk(p, n, k, e) })
    }
    fn pem(name: &str) -> Key {
        Key::try_pem(&key_file(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"))
    }
    fn jwk(json: &str) -> Key {
        Key::try_jwk(json.as_bytes()).unwrap_or_else(|e| panic!("{json}: {e:?}"))
    }
    fn with_kid(&self, kid: &str) -> Key {
        let (p, n) = raw(kid.as_bytes());
        Key::make(|k, e| unsafe { jwtkit_key_with_kid(self.0, p, n, k, e) }).expect("with_kid")
    }
}

struct Policy(*mut jwtkit_validation);

impl Drop for Policy {
    fn drop(&mut self) {
        unsafe { jwtkit_validation_free(self.0) };
    }
}

impl Policy {
    fn try_new(algs: &[i32]) -> Result<Policy, Fail> {
        let mut v: *mut jwtkit_validation = ptr::null_mut();
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let p = if algs.is_empty() { ptr::null() } else { algs.as_ptr() };
        let st = unsafe { jwtkit_validation_new(p, algs.len(), &mut v, &mut err) };
        finish(st, err).map(|()| Policy(v))
    }
    fn new(algs: &[i32]) -> Policy {
        Policy::try_new(algs).expect("validation")
    }
    /// Every algorithm jwtkit has: the most permissive policy a caller can write.
    fn all() -> Policy {
        Policy::new(&ALL_ALGS)
    }
    fn limit(self, limit: i32, value: u64) -> Policy {
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let st = unsafe { jwtkit_validation_set_limit(self.0, limit, value, &mut err) };
        finish(st, err).expect("set_limit");
        self
    }
    fn disable(self, checks: u32) -> Policy {
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let st = unsafe { jwtkit_validation_disable_checks(self.0, checks, &mut err) };
        finish(st, err).expect("disable_checks");
        self
    }
    fn audience(self, audience: &str) -> Policy {
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let st = unsafe { jwtkit_validation_add_audience(self.0, audience.as_ptr(), audience.len(), &mut err) };
        finish(st, err).expect("add_audience");
        self
    }
}

/// Every algorithm number the library has.
static ALL_ALGS: std::sync::LazyLock<Vec<i32>> =
    std::sync::LazyLock::new(|| (1..).take_while(|&n| !jwtkit_alg_name(n).is_null()).collect());

struct KeySet(*const jwtkit_keyset);

impl Drop for KeySet {
    fn drop(&mut self) {
        unsafe { jwtkit_keyset_free(self.0) };
    }
}

impl KeySet {
    fn from_keys(keys: &[&Key]) -> KeySet {
        let ptrs: Vec<*const jwtkit_key> = keys.iter().map(|k| k.0).collect();
        let mut set: *const jwtkit_keyset = ptr::null();
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let st = unsafe { jwtkit_keyset_from_keys(ptrs.as_ptr(), ptrs.len(), &mut set, &mut err) };
        finish(st, err).expect("keyset_from_keys");
        assert_eq!(unsafe { jwtkit_keyset_len(set) }, keys.len(), "every key is usable");
        KeySet(set)
    }
    fn from_jwks(json: &str) -> KeySet {
        let mut set: *const jwtkit_keyset = ptr::null();
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let st = unsafe { jwtkit_keyset_from_jwks(json.as_ptr(), json.len(), &mut set, &mut err) };
        finish(st, err).expect("keyset_from_jwks");
        assert_eq!(unsafe { jwtkit_keyset_skipped_count(set) }, 0, "no key skipped in {json}");
        KeySet(set)
    }
}

type Verdict = Result<Vec<u8>, Fail>;

fn two_outputs(st: i32, err: *mut jwtkit_error, h: *mut c_char, hl: usize, c: *mut c_char, cl: usize) -> Verdict {
    match finish(st, err) {
        Ok(()) => {
            take(h, hl);
            Ok(take(c, cl))
        }
        Err(e) => {
            assert!(h.is_null() && c.is_null(), "outputs written on failure ({e:?})");
            Err(e)
        }
    }
}

/// `jwtkit_verify`: signature, then claims. Ok carries the claims JSON.
fn verify(token: &[u8], key: &Key, policy: &Policy) -> Verdict {
    let (tp, tn) = raw(token);
    let (mut h, mut hl, mut c, mut cl) = (ptr::null_mut(), 0usize, ptr::null_mut(), 0usize);
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let st = unsafe { jwtkit_verify(tp, tn, key.0, policy.0, &mut h, &mut hl, &mut c, &mut cl, &mut err) };
    two_outputs(st, err, h, hl, c, cl)
}

/// `jwtkit_jws_verify`: signature only.
fn jws_verify(token: &[u8], key: &Key, policy: &Policy) -> Verdict {
    let (tp, tn) = raw(token);
    let (mut h, mut hl, mut c, mut cl) = (ptr::null_mut(), 0usize, ptr::null_mut(), 0usize);
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let st = unsafe { jwtkit_jws_verify(tp, tn, key.0, policy.0, &mut h, &mut hl, &mut c, &mut cl, &mut err) };
    two_outputs(st, err, h, hl, c, cl)
}

/// `jwtkit_verify_with_keyset`.
fn verify_set(token: &[u8], set: &KeySet, policy: &Policy) -> Verdict {
    let (tp, tn) = raw(token);
    let (mut h, mut hl, mut c, mut cl) = (ptr::null_mut(), 0usize, ptr::null_mut(), 0usize);
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let st = unsafe { jwtkit_verify_with_keyset(tp, tn, set.0, policy.0, &mut h, &mut hl, &mut c, &mut cl, &mut err) };
    two_outputs(st, err, h, hl, c, cl)
}

/// `jwtkit_decode_unverified`.
fn decode_unverified(token: &[u8]) -> Verdict {
    let (tp, tn) = raw(token);
    let (mut h, mut hl, mut c, mut cl) = (ptr::null_mut(), 0usize, ptr::null_mut(), 0usize);
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let st = unsafe { jwtkit_decode_unverified(tp, tn, &mut h, &mut hl, &mut c, &mut cl, &mut err) };
    two_outputs(st, err, h, hl, c, cl)
}

/// Collects the outcome of every check of one test and reports all mismatches at once.
#[derive(Default)]
struct Report {
    checked: usize,
    failures: Vec<String>,
}

impl Report {
    fn reject(&mut self, case: impl Display, got: Verdict, want: i32) {
        self.checked += 1;
        match got {
            Ok(claims) => self.failures.push(format!(
                "{case}: ACCEPTED (claims {}), expected {}",
                String::from_utf8_lossy(&claims[..claims.len().min(80)]),
                status_name(want)
            )),
            Err(f) if f.status == want => {}
            Err(f) => self.failures.push(format!(
                "{case}: got {} ({}), expected {}",
                status_name(f.status),
                f.message,
                status_name(want)
            )),
        }
    }

    fn accept(&mut self, case: impl Display, got: Verdict) {
        self.checked += 1;
        if let Err(f) = got {
            self.failures.push(format!("{case}: control REJECTED with {} ({})", status_name(f.status), f.message));
        }
    }

    fn check(&mut self, case: impl Display, ok: bool) {
        self.checked += 1;
        if !ok {
            self.failures.push(format!("{case}: check failed"));
        }
    }

    fn done(self, test: &str) {
        eprintln!("{test}: {} checks", self.checked);
        assert!(
            self.failures.is_empty(),
            "{test}: {} of {} checks failed:\n  {}",
            self.failures.len(),
            self.checked,
            self.failures.join("\n  ")
        );
    }
}

/// Runs `f` and fails the check when it took longer than `limit` (hostile input must be
/// refused in bounded time; the bound is generous, for debug builds).
fn timed(r: &mut Report, case: &str, limit: Duration, f: impl FnOnce() -> Verdict, want: i32) {
    let start = Instant::now();
    let got = f();
    let took = start.elapsed();
    eprintln!("  {case}: {:?} in {took:?}", got.as_ref().map(|_| "OK").map_err(|e| status_name(e.status)));
    r.reject(case, got, want);
    r.check(format!("{case} finished in {took:?} (limit {limit:?})"), took < limit);
}

const BOUND: Duration = Duration::from_secs(2);

// =======================================================================================
// 1. alg `none`, in every spelling

#[test]
fn alg_none_in_every_spelling_is_refused() {
    let mut r = Report::default();
    let verifiers = [
        ("HMAC secret", Key::secret(SECRET)),
        ("RSA public", Key::pem("rsa2048.spki.pem")),
        ("P-256 public", Key::pem("ecp256.spki.pem")),
        ("Ed25519 public", Key::pem("ed25519.spki.pem")),
    ];
    let policy = Policy::all();
    let good = Signer::Hmac(SECRET.to_vec()).token("HS256", &header("HS256"), CLAIMS);
    r.accept("control: HS256 token", verify(&good, &verifiers[0].1, &policy));

    for spelling in ["none", "None", "NONE", "nOnE", "NoNe", "nonE"] {
        for hdr in [
            format!(r#"{{"alg":"{spelling}"}}"#),
            format!(r#"{{"alg":"{spelling}","typ":"JWT"}}"#),
            format!(r#"{{"typ":"JWT","alg":"{spelling}"}}"#),
        ] {
            let input = signing_input(hdr.as_bytes(), CLAIMS);
            let signatures: [(&str, Vec<u8>); 4] = [
                ("no signature", vec![]),
                ("HS256 signature with the verifier's secret", hmac("HS256", SECRET, &input)),
                ("HS256 signature with an empty-ish secret", hmac("HS256", b"\0", &input)),
                ("64 zero bytes", vec![0u8; 64]),
            ];
            for (what, sig) in &signatures {
                let token = with_sig(&input, sig);
                for (kname, key) in &verifiers {
                    r.reject(
                        format!("{hdr} / {what} / {kname}"),
                        verify(&token, key, &policy),
                        JWTKIT_ERR_ALG_UNSUPPORTED,
                    );
                    r.reject(
                        format!("{hdr} / {what} / {kname} (jws)"),
                        jws_verify(&token, key, &policy),
                        JWTKIT_ERR_ALG_UNSUPPORTED,
                    );
                }
                let set = KeySet::from_keys(&[&verifiers[1].1, &verifiers[2].1]);
                r.reject(
                    format!("{hdr} / {what} / key set"),
                    verify_set(&token, &set, &policy),
                    JWTKIT_ERR_ALG_UNSUPPORTED,
                );
            }
        }
    }
    // The unsecured form without the trailing dot is not even a compact JWS.
    let two = format!("{}.{}", b64u(br#"{"alg":"none"}"#), b64u(CLAIMS));
    r.reject(
        "none without the trailing dot",
        verify(two.as_bytes(), &verifiers[0].1, &policy),
        JWTKIT_ERR_TOKEN_MALFORMED,
    );
    r.done("alg_none_in_every_spelling_is_refused");
}

#[test]
fn alg_none_cannot_be_named_in_the_allow_list() {
    let mut r = Report::default();
    for name in ["none", "None", "NONE", "nOnE", "none ", " none", "none\0", ""] {
        let mut alg: i32 = -12345;
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let (p, n) = raw(name.as_bytes());
        let st = unsafe { jwtkit_alg_from_name(p, n, &mut alg, &mut err) };
        let got = finish(st, err).map(|()| format!("alg {alg}").into_bytes());
        r.reject(format!("jwtkit_alg_from_name({name:?})"), got, JWTKIT_ERR_ALG_UNSUPPORTED);
        r.check(format!("jwtkit_alg_from_name({name:?}) left *out alone"), alg == -12345);
    }
    // No number means `none`: 0, negatives and numbers past the last algorithm are refused.
    let past_last = *ALL_ALGS.last().unwrap() + 1;
    for bad in [0, -1, past_last, 99, i32::MIN, i32::MAX] {
        r.check(format!("jwtkit_alg_name({bad}) is NULL"), jwtkit_alg_name(bad).is_null());
        let got = Policy::try_new(&[bad]).map(|_| b"policy".to_vec());
        r.reject(format!("jwtkit_validation_new([{bad}])"), got, JWTKIT_ERR_INVALID_ARGUMENT);
        let got = Policy::try_new(&[JWTKIT_ALG_HS256, bad]).map(|_| b"policy".to_vec());
        r.reject(format!("jwtkit_validation_new([HS256, {bad}])"), got, JWTKIT_ERR_INVALID_ARGUMENT);
    }
    r.reject(
        "jwtkit_validation_new([]) (no \"accept anything\")",
        Policy::try_new(&[]).map(|_| vec![]),
        JWTKIT_ERR_INVALID_ARGUMENT,
    );
    r.done("alg_none_cannot_be_named_in_the_allow_list");
}

#[test]
fn alg_names_match_exactly() {
    let mut r = Report::default();
    let key = Key::secret(SECRET);
    let policy = Policy::all();
    for alg in [
        "hs256", "Hs256", "HS256 ", " HS256", "HS256\0", "HS 256", "HS-256", "HS", "HS1", "HS224", "es256k", "ES256k",
        "Ed448", "RSA1_5", "dir", "A256GCM", "EDDSA", "eddsa", "",
    ] {
        let hdr = format!(r#"{{"alg":"{}"}}"#, alg.replace('\0', "\\u0000"));
        let token = Signer::Hmac(SECRET.to_vec()).token("HS256", hdr.as_bytes(), CLAIMS);
        r.reject(format!("alg {alg:?}"), verify(&token, &key, &policy), JWTKIT_ERR_ALG_UNSUPPORTED);
    }
    for (hdr, want) in [
        (r#"{"typ":"JWT"}"#, JWTKIT_ERR_ALG_UNSUPPORTED),
        (r#"{"alg":null}"#, JWTKIT_ERR_HEADER_INVALID),
        (r#"{"alg":256}"#, JWTKIT_ERR_HEADER_INVALID),
        (r#"{"alg":["HS256"]}"#, JWTKIT_ERR_HEADER_INVALID),
        (r#"{"alg":{"name":"HS256"}}"#, JWTKIT_ERR_HEADER_INVALID),
        (r#"{"alg":true}"#, JWTKIT_ERR_HEADER_INVALID),
        (r#"{"alg":"HS256","kid":7}"#, JWTKIT_ERR_HEADER_INVALID),
        (r#"{"alg":"HS256","typ":["JWT"]}"#, JWTKIT_ERR_HEADER_INVALID),
        (r#"{"alg":"HS256","cty":null}"#, JWTKIT_ERR_HEADER_INVALID),
    ] {
        let token = Signer::Hmac(SECRET.to_vec()).token("HS256", hdr.as_bytes(), CLAIMS);
        r.reject(format!("header {hdr}"), verify(&token, &key, &policy), want);
    }
    // The RFC 9864 name is an alias of EdDSA, not a way around the allow-list.
    let ed = Key::pem("ed25519.spki.pem");
    let token = ed_signer().token("EdDSA", br#"{"alg":"Ed25519"}"#, CLAIMS);
    r.accept("control: alg Ed25519 under an EdDSA policy", verify(&token, &ed, &Policy::new(&[JWTKIT_ALG_EDDSA])));
    r.reject(
        "alg Ed25519 under an ES256 policy",
        verify(&token, &ed, &Policy::new(&[JWTKIT_ALG_ES256])),
        JWTKIT_ERR_ALG_NOT_ALLOWED,
    );
    r.done("alg_names_match_exactly");
}

// =======================================================================================
// 2. Public keys used as HMAC secrets (RS256 -> HS256 confusion)

/// A minimal DER TLV reader: (tag, contents, rest).
fn tlv(d: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = d[0];
    let (len, hdr) = match d[1] {
        l if l < 0x80 => (l as usize, 2),
        0x81 => (d[2] as usize, 3),
        0x82 => ((d[2] as usize) << 8 | d[3] as usize, 4),
        _ => panic!("unsupported DER length"),
    };
    (tag, &d[hdr..hdr + len], &d[hdr + len..])
}

fn rsa_public_jwk_text() -> String {
    let der = key_file("rsa2048.pkcs1pub.der");
    let (tag, seq, _) = tlv(&der);
    assert_eq!(tag, 0x30);
    let (t1, n, rest) = tlv(seq);
    let (t2, e, _) = tlv(rest);
    assert_eq!((t1, t2), (0x02, 0x02));
    let n = &n[n.iter().position(|&b| b != 0).unwrap()..];
    format!(r#"{{"kty":"RSA","n":"{}","e":"{}"}}"#, b64u(n), b64u(e))
}

/// The uncompressed point at the end of an EC SPKI.
fn ec_point(spki_der: &str, coord: usize) -> Vec<u8> {
    let der = key_file(spki_der);
    der[der.len() - (2 * coord + 1)..].to_vec()
}

fn ec_public_jwk_text(crv: &str, point: &[u8]) -> String {
    let c = (point.len() - 1) / 2;
    format!(r#"{{"kty":"EC","crv":"{crv}","x":"{}","y":"{}"}}"#, b64u(&point[1..1 + c]), b64u(&point[1 + c..]))
}

fn ed_public_jwk_text() -> String {
    let der = key_file("ed25519.spki.der");
    format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#, b64u(&der[der.len() - 32..]))
}

/// What an attacker may try as the secret: the published bytes and common re-encodings.
fn secret_variants(format: &str, bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let trimmed = {
        let mut b = bytes.to_vec();
        while b.last().is_some_and(|c| c.is_ascii_whitespace()) {
            b.pop();
        }
        b
    };
    let mut v = vec![
        (format.to_string(), bytes.to_vec()),
        (format!("{format}, no final newline"), trimmed.clone()),
        (format!("{format}, leading newline"), cat(b"\n", bytes)),
        (format!("{format}, leading spaces"), cat(b"   ", bytes)),
        (format!("{format}, CRLF"), crlf(bytes)),
        (format!("{format}, leading whitespace + CRLF"), crlf(&cat(b" \t\n", bytes))),
    ];
    if format.contains("JWK") {
        let pretty = bytes.iter().flat_map(|&c| if c == b',' { b",\n  ".to_vec() } else { vec![c] }).collect();
        v.push((format!("{format}, pretty-printed"), pretty));
    }
    if format.contains("PEM") {
        // As `openssl x509 -subject` or `openssl pkey -text` print it: text, then the PEM.
        v.push((format!("{format}, text before"), cat(b"subject=CN = jwtkit-test\n", bytes)));
    }
    v
}

#[test]
fn public_key_material_as_hmac_secret_is_refused() {
    let mut r = Report::default();
    let jwk_rsa = rsa_public_jwk_text();
    let p256_point = ec_point("ecp256.spki.der", 32);
    let jwk_p256 = ec_public_jwk_text("P-256", &p256_point);
    let jwk_ed = ed_public_jwk_text();
    // (family, published public-key material in each format)
    type Formats = Vec<(&'static str, Vec<u8>)>;
    let families: Vec<(&str, Formats)> = vec![
        (
            "RSA",
            vec![
                ("SPKI PEM", key_file("rsa2048.spki.pem")),
                ("PKCS#1 PEM", key_file("rsa2048.pkcs1pub.pem")),
                ("certificate PEM", key_file("rsa2048.cert.pem")),
                ("SPKI DER", key_file("rsa2048.spki.der")),
                ("PKCS#1 DER", key_file("rsa2048.pkcs1pub.der")),
                ("certificate DER", key_file("rsa2048.cert.der")),
                ("JWK JSON", jwk_rsa.clone().into_bytes()),
            ],
        ),
        (
            "P-256",
            vec![
                ("SPKI PEM", key_file("ecp256.spki.pem")),
                ("certificate PEM", key_file("ecp256.cert.pem")),
                ("SPKI DER", key_file("ecp256.spki.der")),
                ("JWK JSON", jwk_p256.clone().into_bytes()),
            ],
        ),
        (
            "Ed25519",
            vec![
                ("SPKI PEM", key_file("ed25519.spki.pem")),
                ("SPKI DER", key_file("ed25519.spki.der")),
                ("JWK JSON", jwk_ed.clone().into_bytes()),
            ],
        ),
    ];
    let everything = Policy::all();
    let mixed = Policy::new(&[
        JWTKIT_ALG_RS256,
        JWTKIT_ALG_ES256,
        JWTKIT_ALG_EDDSA,
        JWTKIT_ALG_HS256,
        JWTKIT_ALG_HS384,
        JWTKIT_ALG_HS512,
    ]);
    let asymmetric_only = Policy::new(&[JWTKIT_ALG_RS256, JWTKIT_ALG_PS256, JWTKIT_ALG_ES256, JWTKIT_ALG_EDDSA]);

    for (family, formats) in &families {
        // The verifier holds the real public key, loaded from any format (and variant) that parses.
        let mut verifiers: Vec<(String, Key)> = Vec::new();
        for (format, bytes) in formats {
            for (variant, b) in secret_variants(format, bytes) {
                let parsed = if format.contains("JWK") {
                    Key::try_jwk(&b)
                } else if format.contains("PEM") {
                    Key::try_pem(&b)
                } else {
                    Key::try_der(&b)
                };
                match parsed {
                    Ok(k) => verifiers.push((variant, k)),
                    Err(e) if variant == *format => panic!("{family} {format} does not load: {e:?}"),
                    Err(_) => {}
                }
            }
        }
        let kinds: Vec<i32> = verifiers.iter().map(|(_, k)| unsafe { jwtkit_key_get_kind(k.0) }).collect();
        r.check(
            format!("{family}: every verifier key is asymmetric"),
            kinds.iter().all(|&k| k != JWTKIT_KEY_KIND_HMAC && k != JWTKIT_KEY_KIND_NONE),
        );
        let set = KeySet::from_keys(&[&verifiers[0].1]);
        let kid_set = KeySet::from_keys(&[&verifiers[0].1.with_kid("issuer-key")]);

        for (format, bytes) in formats {
            for (variant, secret) in secret_variants(format, bytes) {
                for alg in ["HS256", "HS384", "HS512"] {
                    let forged = Signer::Hmac(secret.clone()).token(alg, &header(alg), CLAIMS);
                    // Control: the forgery is a valid HMAC token for a verifier that takes
                    // the key's bytes as its secret (checked with ring, as jwtkit refuses to).
                    r.check(format!("control: {family} {variant} as {alg} secret"), hmac_token_valid(&forged, &secret));
                    // Text forms stay key material through white space changes; DER
                    // with bytes added or changed is no longer a key anyone holds.
                    if !format.contains("DER") || variant == *format {
                        r.reject(
                            format!("{family} {variant} offered as an HMAC secret"),
                            Key::try_secret(&secret, JWTKIT_KEY_ALLOW_SHORT_SECRET).map(|_| Vec::new()),
                            JWTKIT_ERR_KEY_NOT_SECRET,
                        );
                    }
                    for (vname, vkey) in &verifiers {
                        let case = format!("{alg} forged with {family} {variant}, verifier holds {vname}");
                        r.reject(&case, verify(&forged, vkey, &everything), JWTKIT_ERR_KEY_ALG_MISMATCH);
                        r.reject(
                            format!("{case} (mixed allow-list)"),
                            verify(&forged, vkey, &mixed),
                            JWTKIT_ERR_KEY_ALG_MISMATCH,
                        );
                        r.reject(
                            format!("{case} (jws)"),
                            jws_verify(&forged, vkey, &everything),
                            JWTKIT_ERR_KEY_ALG_MISMATCH,
                        );
                        r.reject(
                            format!("{case} (asymmetric allow-list)"),
                            verify(&forged, vkey, &asymmetric_only),
                            JWTKIT_ERR_ALG_NOT_ALLOWED,
                        );
                    }
                    let case = format!("{alg} forged with {family} {variant}, key set");
                    r.reject(
                        format!("{case} without kid"),
                        verify_set(&forged, &set, &everything),
                        JWTKIT_ERR_KEY_NOT_FOUND,
                    );
                    let with_kid = Signer::Hmac(secret.clone()).token(
                        alg,
                        format!(r#"{{"alg":"{alg}","kid":"issuer-key"}}"#).as_bytes(),
                        CLAIMS,
                    );
                    r.reject(
                        format!("{case} naming the issuer's kid"),
                        verify_set(&with_kid, &kid_set, &everything),
                        JWTKIT_ERR_KEY_ALG_MISMATCH,
                    );
                }
            }
        }
    }
    r.done("public_key_material_as_hmac_secret_is_refused");
}

/// Whether `token` carries a correct HMAC (of its header's algorithm) under `secret`.
fn hmac_token_valid(token: &[u8], secret: &[u8]) -> bool {
    let text = std::str::from_utf8(token).unwrap();
    let (signing_input, sig) = text.rsplit_once('.').unwrap();
    let header = b64u_decode(signing_input.split('.').next().unwrap());
    let alg = match serde_json::from_slice::<serde_json::Value>(&header).unwrap()["alg"].as_str() {
        Some("HS256") => ring::hmac::HMAC_SHA256,
        Some("HS384") => ring::hmac::HMAC_SHA384,
        Some("HS512") => ring::hmac::HMAC_SHA512,
        _ => return false,
    };
    ring::hmac::verify(&ring::hmac::Key::new(alg, secret), signing_input.as_bytes(), &b64u_decode(sig)).is_ok()
}

// =======================================================================================
// 3. Key kind or curve that does not fit the algorithm

#[test]
fn key_kind_or_curve_not_fitting_the_algorithm() {
    let mut r = Report::default();
    let family = |alg: &str| match alg {
        "HS256" | "HS384" | "HS512" => "HMAC",
        "ES256" => "P-256",
        "ES384" => "P-384",
        "ES512" => "P-521",
        "ES256K" => "secp256k1",
        "EdDSA" => "Ed25519",
        _ => "RSA",
    };
    let verifiers: Vec<(&str, &str, Key)> = vec![
        ("HMAC", "secret", Key::secret(SECRET)),
        ("RSA", "public", Key::pem("rsa2048.spki.pem")),
        ("RSA", "private", Key::pem("rsa2048.pkcs8.pem")),
        ("P-256", "public", Key::pem("ecp256.spki.pem")),
        ("P-256", "private", Key::pem("ecp256.pkcs8.pem")),
        ("P-384", "public", Key::pem("ecp384.spki.pem")),
        ("P-384", "private", Key::pem("ecp384.pkcs8.pem")),
        ("P-521", "public", Key::pem("ecp521.spki.pem")),
        ("P-521", "private", Key::pem("ecp521.pkcs8.pem")),
        ("secp256k1", "public", Key::pem("secp256k1.spki.pem")),
        ("secp256k1", "private", Key::pem("secp256k1.pkcs8.pem")),
        ("Ed25519", "public", Key::pem("ed25519.spki.pem")),
        ("Ed25519", "private", Key::pem("ed25519.pkcs8.pem")),
    ];
    let policy = Policy::all();
    // Each token is validly signed for its algorithm, by the matching test key.
    for &alg in ALG_NAMES.iter() {
        let token = signer_for(alg).token(alg, &header(alg), CLAIMS);
        for (fam, kind, key) in &verifiers {
            let case = format!("{alg} token, {fam} {kind} key");
            if *fam == family(alg) {
                r.accept(format!("control: {case}"), verify(&token, key, &policy));
            } else {
                r.reject(&case, verify(&token, key, &policy), JWTKIT_ERR_KEY_ALG_MISMATCH);
            }
        }
    }
    // A JWK's own `alg`/`use`/`key_ops` narrow it further.
    let jwk = rsa_public_jwk_text();
    let restricted = |extra: &str| Key::jwk(&format!("{},{extra}}}", &jwk[..jwk.len() - 1]));
    let rs256_only = restricted(r#""alg":"RS256""#);
    let enc_only = restricted(r#""use":"enc""#);
    let sign_ops = restricted(r#""key_ops":["encrypt"]"#);
    let ps256 = rsa_signer().token("PS256", &header("PS256"), CLAIMS);
    let rs256 = rsa_signer().token("RS256", &header("RS256"), CLAIMS);
    r.accept("control: RS256 with a JWK restricted to RS256", verify(&rs256, &rs256_only, &policy));
    r.reject("PS256 with a JWK restricted to RS256", verify(&ps256, &rs256_only, &policy), JWTKIT_ERR_KEY_USAGE);
    r.reject("RS256 with a JWK of use enc", verify(&rs256, &enc_only, &policy), JWTKIT_ERR_KEY_USAGE);
    r.reject("RS256 with a JWK whose key_ops lack verify", verify(&rs256, &sign_ops, &policy), JWTKIT_ERR_KEY_USAGE);
    let hs = Signer::Hmac(SECRET.to_vec()).token("HS256", &header("HS256"), CLAIMS);
    r.reject("HS256 with a JWK restricted to RS256", verify(&hs, &rs256_only, &policy), JWTKIT_ERR_KEY_ALG_MISMATCH);
    // An oct JWK restricted to HS512 does not serve HS256, even though the secret is long enough.
    let oct = Key::jwk(&format!(r#"{{"kty":"oct","k":"{}","alg":"HS512"}}"#, b64u(SECRET)));
    r.reject("HS256 with an oct JWK restricted to HS512", verify(&hs, &oct, &policy), JWTKIT_ERR_KEY_USAGE);
    r.done("key_kind_or_curve_not_fitting_the_algorithm");
}

// =======================================================================================
// 4. ECDSA: r or s out of [1, n), DER instead of raw, wrong lengths

struct Curve {
    alg: &'static str,
    width: usize,
    n: &'static str,
    verifier: &'static str,
}

const CURVES: [Curve; 4] = [
    Curve { alg: "ES256", width: 32, n: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", verifier: "ecp256.spki.pem" },
    Curve {
        alg: "ES384",
        width: 48,
        n: "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
        verifier: "ecp384.spki.pem",
    },
    Curve {
        alg: "ES512",
        width: 66,
        n: "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
        verifier: "ecp521.spki.pem",
    },
    Curve {
        alg: "ES256K",
        width: 32,
        n: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        verifier: "secp256k1.spki.pem",
    },
];

#[test]
fn ecdsa_r_or_s_zero_or_not_below_n() {
    let mut r = Report::default();
    let policy = Policy::all();
    for c in &CURVES {
        let key = Key::pem(c.verifier);
        let input = signing_input(&header(c.alg), CLAIMS);
        let valid = signer_for(c.alg).sign(c.alg, &input);
        assert_eq!(valid.len(), 2 * c.width);
        r.accept(format!("control: {} valid signature", c.alg), verify(&with_sig(&input, &valid), &key, &policy));
        let (vr, vs) = valid.split_at(c.width);
        let n = left_pad(&hex(c.n), c.width);
        let zero = vec![0u8; c.width];
        let one = left_pad(&[1], c.width);
        let n_plus_1 = add_be(&n, &[1]).unwrap();
        let ones = vec![0xffu8; c.width];
        let mut cases: Vec<(String, Vec<u8>, Vec<u8>)> = vec![
            ("r = s = 0 (psychic signature)".into(), zero.clone(), zero.clone()),
            ("r = 0".into(), zero.clone(), vs.to_vec()),
            ("s = 0".into(), vr.to_vec(), zero.clone()),
            ("r = n".into(), n.clone(), vs.to_vec()),
            ("s = n".into(), vr.to_vec(), n.clone()),
            ("r = s = n".into(), n.clone(), n.clone()),
            ("r = n + 1".into(), n_plus_1.clone(), vs.to_vec()),
            ("s = n + 1".into(), vr.to_vec(), n_plus_1.clone()),
            ("r = 2^k - 1".into(), ones.clone(), vs.to_vec()),
            ("s = 2^k - 1".into(), vr.to_vec(), ones.clone()),
            ("r = 0, s = n".into(), zero.clone(), n.clone()),
            ("r = n, s = 0".into(), n.clone(), zero.clone()),
            ("r = 1, s = 1".into(), one.clone(), one.clone()),
        ];
        // r + n and s + n equal r and s mod n: they verify if the verifier reduces first.
        // They fit the width only on P-521 (66 bytes for a 521-bit n).
        if let Some(rn) = add_be(vr, &n) {
            cases.push(("r + n (valid r, unreduced)".into(), rn, vs.to_vec()));
        }
        if let Some(sn) = add_be(vs, &n) {
            cases.push(("s + n (valid s, unreduced)".into(), vr.to_vec(), sn));
        }
        if c.alg == "ES512" {
            r.check("ES512: r + n and s + n fit 66 bytes", cases.len() == 15);
        }
        for (what, cr, cs) in cases {
            let token = with_sig(&input, &cat(&cr, &cs));
            r.reject(format!("{}: {what}", c.alg), verify(&token, &key, &policy), JWTKIT_ERR_SIGNATURE_INVALID);
            r.reject(
                format!("{}: {what} (jws)", c.alg),
                jws_verify(&token, &key, &policy),
                JWTKIT_ERR_SIGNATURE_INVALID,
            );
        }
    }
    r.done("ecdsa_r_or_s_zero_or_not_below_n");
}

#[test]
fn ecdsa_der_signatures_and_wrong_lengths() {
    let mut r = Report::default();
    let policy = Policy::all();
    for c in &CURVES {
        let key = Key::pem(c.verifier);
        let input = signing_input(&header(c.alg), CLAIMS);
        let valid = signer_for(c.alg).sign(c.alg, &input);
        r.accept(format!("control: {} valid signature", c.alg), verify(&with_sig(&input, &valid), &key, &policy));
        let w = c.width;
        let (vr, vs) = valid.split_at(w);
        let mut cases: Vec<(String, Vec<u8>)> = vec![
            ("DER-encoded (by hand)".into(), ecdsa_der(&valid)),
            ("empty".into(), vec![]),
            ("1 byte".into(), vec![0]),
            ("truncated by 1 byte".into(), valid[..2 * w - 1].to_vec()),
            ("only r".into(), vr.to_vec()),
            ("padded with a trailing 0".into(), cat(&valid, &[0])),
            ("padded with a leading 0".into(), cat(&[0], &valid)),
            ("r and s each with a leading 0".into(), cat(&cat(&[0], vr), &cat(&[0], vs))),
            ("r and s each without their first byte".into(), cat(&vr[1..], &vs[1..])),
            ("signature twice".into(), cat(&valid, &valid)),
        ];
        // ring's own DER output, where it has the curve.
        let der_alg: Option<&'static rsig::EcdsaSigningAlgorithm> = match c.alg {
            "ES256" => Some(&rsig::ECDSA_P256_SHA256_ASN1_SIGNING),
            "ES384" => Some(&rsig::ECDSA_P384_SHA384_ASN1_SIGNING),
            _ => None,
        };
        if let Some(alg) = der_alg {
            let file = if c.alg == "ES256" { "ecp256.pkcs8.der" } else { "ecp384.pkcs8.der" };
            let der = ec_pair(file, alg).sign(&SystemRandom::new(), &input).unwrap().as_ref().to_vec();
            cases.push(("DER-encoded (ring ASN.1 signer)".into(), der));
        }
        // A signature of the right length for another curve.
        for other in &CURVES {
            if other.width != w {
                cases.push((format!("zero signature of {} length", other.alg), vec![0; 2 * other.width]));
            }
            if other.width > w {
                let widened = cat(&left_pad(vr, other.width), &left_pad(vs, other.width));
                cases.push((format!("r and s zero-extended to {} length", other.alg), widened));
                cases.push((
                    format!("valid signature zero-extended to {} length", other.alg),
                    left_pad(&valid, 2 * other.width),
                ));
            }
        }
        for (what, sig) in cases {
            r.reject(
                format!("{}: {what} ({} bytes)", c.alg, sig.len()),
                verify(&with_sig(&input, &sig), &key, &policy),
                JWTKIT_ERR_SIGNATURE_INVALID,
            );
        }
    }
    r.done("ecdsa_der_signatures_and_wrong_lengths");
}

// =======================================================================================
// 5. Ed25519 S >= L

/// L = 2^252 + 27742317777372353535851937790883648493, little-endian.
const ED25519_L: &str = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";

fn add_le(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; a.len()];
    let mut carry = 0u16;
    for i in 0..a.len() {
        let s = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = s as u8;
        carry = s >> 8;
    }
    assert_eq!(carry, 0, "S + L fits 256 bits");
    out
}

#[test]
fn ed25519_s_not_reduced_is_refused() {
    let mut r = Report::default();
    let key = Key::pem("ed25519.spki.pem");
    let private = Key::pem("ed25519.pkcs8.pem");
    let policy = Policy::all();
    let l = hex(ED25519_L);
    for (n, hdr) in [header("EdDSA"), br#"{"alg":"Ed25519"}"#.to_vec()].iter().enumerate() {
        let input = signing_input(hdr, CLAIMS);
        let valid = ed_signer().sign("EdDSA", &input);
        r.accept(format!("control {n}: valid Ed25519 signature"), verify(&with_sig(&input, &valid), &key, &policy));
        let (big_r, s) = valid.split_at(32);
        let s_plus_l = add_le(s, &l);
        r.check("S + L differs from S only by L", s_plus_l != s);
        let s_plus_2l = add_le(&s_plus_l, &l);
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("S + L", cat(big_r, &s_plus_l)),
            ("S + 2L", cat(big_r, &s_plus_2l)),
            ("S = L", cat(big_r, &l)),
            ("S = 2^256 - 1", cat(big_r, &[0xff; 32])),
            (
                "S with the top bit set",
                cat(big_r, &{
                    let mut t = s.to_vec();
                    t[31] |= 0x80;
                    t
                }),
            ),
            ("all zero", vec![0; 64]),
            ("R = identity, S = 0", cat(&left_pad(&[1], 32).into_iter().rev().collect::<Vec<u8>>(), &[0; 32])),
            ("truncated to 63 bytes", valid[..63].to_vec()),
            ("padded to 65 bytes", cat(&valid, &[0])),
            ("empty", vec![]),
        ];
        for (what, sig) in cases {
            let token = with_sig(&input, &sig);
            r.reject(format!("{n}: {what}"), verify(&token, &key, &policy), JWTKIT_ERR_SIGNATURE_INVALID);
            r.reject(
                format!("{n}: {what} (private key verifies)"),
                verify(&token, &private, &policy),
                JWTKIT_ERR_SIGNATURE_INVALID,
            );
        }
    }
    r.done("ed25519_s_not_reduced_is_refused");
}

// =======================================================================================
// 6. RSA e = 3: Bleichenbacher's 2006 forgery (garbage after the DigestInfo)

/// Just enough unsigned big-integer arithmetic for an integer cube root.
#[derive(Clone)]
struct Big(Vec<u32>); // little-endian limbs

impl Big {
    fn from_be(b: &[u8]) -> Big {
        let mut limbs = vec![0u32; b.len().div_ceil(4)];
        for (i, &byte) in b.iter().rev().enumerate() {
            limbs[i / 4] |= u32::from(byte) << (8 * (i % 4));
        }
        Big(limbs)
    }
    fn to_be(&self, len: usize) -> Vec<u8> {
        let mut out = vec![0u8; len];
        for i in 0..len {
            let limb = self.0.get(i / 4).copied().unwrap_or(0);
            out[len - 1 - i] = (limb >> (8 * (i % 4))) as u8;
        }
        for (j, &l) in self.0.iter().enumerate() {
            if j * 4 >= len {
                assert_eq!(l, 0, "value does not fit {len} bytes");
            }
        }
        out
    }
    fn mul(&self, o: &Big) -> Big {
        let mut out = vec![0u64; self.0.len() + o.0.len() + 1];
        for (i, &a) in self.0.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &b) in o.0.iter().enumerate() {
                let t = out[i + j] + u64::from(a) * u64::from(b) + carry;
                out[i + j] = t & 0xffff_ffff;
                carry = t >> 32;
            }
            let mut k = i + o.0.len();
            while carry != 0 {
                let t = out[k] + carry;
                out[k] = t & 0xffff_ffff;
                carry = t >> 32;
                k += 1;
            }
        }
        Big(out.into_iter().map(|x| x as u32).collect())
    }
    fn bits(&self) -> usize {
        for (i, &l) in self.0.iter().enumerate().rev() {
            if l != 0 {
                return 32 * i + 32 - l.leading_zeros() as usize;
            }
        }
        0
    }
    fn cmp(&self, o: &Big) -> std::cmp::Ordering {
        let n = self.0.len().max(o.0.len());
        for i in (0..n).rev() {
            let (a, b) = (self.0.get(i).copied().unwrap_or(0), o.0.get(i).copied().unwrap_or(0));
            if a != b {
                return a.cmp(&b);
            }
        }
        std::cmp::Ordering::Equal
    }
    fn set_bit(&mut self, i: usize, on: bool) {
        if self.0.len() <= i / 32 {
            self.0.resize(i / 32 + 1, 0);
        }
        if on {
            self.0[i / 32] |= 1 << (i % 32);
        } else {
            self.0[i / 32] &= !(1 << (i % 32));
        }
    }
    fn cube(&self) -> Big {
        self.mul(self).mul(self)
    }
    /// floor(cbrt(self)), one bit at a time from the top.
    fn icbrt(&self) -> Big {
        let mut root = Big(vec![]);
        for i in (0..=self.bits() / 3 + 1).rev() {
            root.set_bit(i, true);
            if root.cube().cmp(self) == std::cmp::Ordering::Greater {
                root.set_bit(i, false);
            }
        }
        root
    }
}

/// The DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2 note 1).
const SHA256_DIGEST_INFO: &str = "3031300d060960864801650304020105000420";

/// A "signature" s with s^3 = 00 01 FF*ff 00 DigestInfo(SHA-256(input)) GARBAGE, as
/// integers (s^3 < n, so no modular reduction happens and the public key is irrelevant).
fn e3_forgery(input: &[u8], ff: usize) -> Vec<u8> {
    let mut em = vec![0x00, 0x01];
    em.extend(std::iter::repeat_n(0xff, ff));
    em.push(0x00);
    em.extend(hex(SHA256_DIGEST_INFO));
    em.extend_from_slice(ring::digest::digest(&ring::digest::SHA256, input).as_ref());
    let fixed = em.len();
    em.resize(256, 0xff); // the largest value with this prefix; its cube root keeps the prefix
    let s = Big::from_be(&em).icbrt();
    let cube = s.cube().to_be(256);
    assert_eq!(&cube[..fixed], &em[..fixed], "construction: s^3 starts with the PKCS#1 prefix");
    assert!(cube[fixed..].iter().any(|&b| b != 0xff && b != 0), "construction: garbage after the DigestInfo");
    s.to_be(256)
}

#[test]
fn rsa_e3_signature_forgery_is_refused() {
    let mut r = Report::default();
    let key = Key::try_pem(&attack_file("rsa2048-e3.spki.pem")).expect("an e = 3 public key loads (verification only)");
    let policy = Policy::all();
    // Control: a real RS256 signature by the e = 3 key (made with its private exponent).
    let control = attack_file("rs256-e3-control.jwt");
    let control = String::from_utf8(control).unwrap();
    r.accept("control: genuine RS256 token of the e = 3 key", verify(control.trim().as_bytes(), &key, &policy));

    for claims in [CLAIMS, br#"{"sub":"admin","admin":true,"exp":99999999999}"#] {
        let input = signing_input(&header("RS256"), claims);
        for ff in [0usize, 1, 8, 16] {
            let sig = e3_forgery(&input, ff);
            let token = with_sig(&input, &sig);
            r.reject(
                format!("e = 3 forgery, {ff} FF bytes, garbage after the DigestInfo"),
                verify(&token, &key, &policy),
                JWTKIT_ERR_SIGNATURE_INVALID,
            );
            r.reject(
                format!("e = 3 forgery, {ff} FF bytes (jws)"),
                jws_verify(&token, &key, &policy),
                JWTKIT_ERR_SIGNATURE_INVALID,
            );
            // The same forgery with the modulus-length signature shortened (leading zero dropped).
            let short = &sig[sig.iter().position(|&b| b != 0).unwrap()..];
            r.reject(
                format!("e = 3 forgery, {ff} FF bytes, minimal-length integer"),
                verify(&with_sig(&input, short), &key, &policy),
                JWTKIT_ERR_SIGNATURE_INVALID,
            );
        }
    }
    r.done("rsa_e3_signature_forgery_is_refused");
}

// =======================================================================================
// 7. Empty, truncated, padded signatures (every family)

#[test]
fn empty_truncated_and_padded_signatures() {
    let mut r = Report::default();
    let policy = Policy::all();
    let rsa_n = {
        let der = key_file("rsa2048.pkcs1pub.der");
        let (_, seq, _) = tlv(&der);
        let (_, n, _) = tlv(seq);
        left_pad(n, 256)
    };
    for &alg in ALG_NAMES.iter() {
        let key = match alg {
            "HS256" | "HS384" | "HS512" => Key::secret(SECRET),
            "ES256" => Key::pem("ecp256.spki.pem"),
            "ES384" => Key::pem("ecp384.spki.pem"),
            "ES512" => Key::pem("ecp521.spki.pem"),
            "ES256K" => Key::pem("secp256k1.spki.pem"),
            "EdDSA" => Key::pem("ed25519.spki.pem"),
            _ => Key::pem("rsa2048.spki.pem"),
        };
        let input = signing_input(&header(alg), CLAIMS);
        let valid = signer_for(alg).sign(alg, &input);
        r.accept(format!("control: {alg}"), verify(&with_sig(&input, &valid), &key, &policy));
        let len = valid.len();
        let mut cases: Vec<(String, Vec<u8>)> = vec![
            ("empty".into(), vec![]),
            ("1 byte".into(), valid[..1].to_vec()),
            ("first half".into(), valid[..len / 2].to_vec()),
            ("truncated by 1".into(), valid[..len - 1].to_vec()),
            ("first byte dropped".into(), valid[1..].to_vec()),
            ("padded with 0x00".into(), cat(&valid, &[0])),
            ("padded with 0x00 in front".into(), cat(&[0], &valid)),
            ("padded with its own first byte".into(), cat(&valid, &valid[..1])),
            ("doubled".into(), cat(&valid, &valid)),
            ("all zero, right length".into(), vec![0; len]),
            ("last bit flipped".into(), {
                let mut v = valid.clone();
                v[len - 1] ^= 1;
                v
            }),
        ];
        if alg.starts_with("HS") {
            // HMAC truncation (RFC 2104 §5 allows it elsewhere; JWS does not).
            cases.push(("HMAC truncated to 16 bytes".into(), valid[..16].to_vec()));
            cases.push(("HMAC truncated to 10 bytes".into(), valid[..10].to_vec()));
            for other in ["HS256", "HS384", "HS512"] {
                if other != alg {
                    cases.push((format!("{other} MAC of the same input"), hmac(other, SECRET, &input)));
                }
            }
        }
        if alg.starts_with("RS") || alg.starts_with("PS") {
            cases.push(("signature = n".into(), rsa_n.clone()));
            cases.push(("signature = 1".into(), left_pad(&[1], 256)));
            cases.push(("signature = n - 1".into(), {
                let mut v = rsa_n.clone();
                v[255] -= 1;
                v
            }));
            cases.push(("signature = valid + n (unreduced)".into(), add_be(&cat(&[0], &valid), &rsa_n).unwrap()));
            // Another padding scheme or hash over the same input (algorithm substitution).
            for other in ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] {
                if other != alg {
                    cases.push((format!("{other} signature of the same input"), rsa_signer().sign(other, &input)));
                }
            }
        }
        for (what, sig) in cases {
            let token = with_sig(&input, &sig);
            r.reject(
                format!("{alg}: {what} ({} bytes)", sig.len()),
                verify(&token, &key, &policy),
                JWTKIT_ERR_SIGNATURE_INVALID,
            );
        }
    }
    r.done("empty_truncated_and_padded_signatures");
}

// =======================================================================================
// 8. jwk / jku / x5u / x5c / kid never choose a key, and nothing is fetched

fn pem_body(pem: &[u8]) -> String {
    let text = String::from_utf8(pem.to_vec()).unwrap();
    text.lines().filter(|l| !l.starts_with("-----")).collect::<String>()
}

#[test]
fn embedded_keys_and_key_urls_never_choose_a_key() {
    use std::net::TcpListener;
    let mut r = Report::default();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = |path: &str| format!("http://127.0.0.1:{port}/{path}");

    // The verifier trusts the test P-256 key; the attacker has a fresh P-256 key of its own.
    let trusted = Key::pem("ecp256.spki.pem");
    let trusted_jwk = ec_public_jwk_text("P-256", &ec_point("ecp256.spki.der", 32));
    let set = KeySet::from_jwks(&format!(
        r#"{{"keys":[{},"kid":"issuer-1","alg":"ES256"}}]}}"#,
        &trusted_jwk[..trusted_jwk.len() - 1]
    ));
    let rng = SystemRandom::new();
    let doc = EcdsaKeyPair::generate_pkcs8(&rsig::ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let attacker_pair = EcdsaKeyPair::from_pkcs8(&rsig::ECDSA_P256_SHA256_FIXED_SIGNING, doc.as_ref(), &rng).unwrap();
    let attacker_jwk = ec_public_jwk_text("P-256", attacker_pair.public_key().as_ref());
    let attacker = Signer::Ec(attacker_pair);
    let legit = p256_signer();
    let cert = pem_body(&key_file("ecp256.cert.pem"));
    let policy = Policy::all();

    let headers: Vec<(&str, String)> = vec![
        ("jwk = attacker's key", format!(r#"{{"alg":"ES256","jwk":{attacker_jwk}}}"#)),
        ("jwk = attacker's key, kid = issuer's", format!(r#"{{"alg":"ES256","kid":"issuer-1","jwk":{attacker_jwk}}}"#)),
        ("jku = local server", format!(r#"{{"alg":"ES256","jku":"{}"}}"#, url("jwks.json"))),
        (
            "jku = local server, kid = issuer's",
            format!(r#"{{"alg":"ES256","kid":"issuer-1","jku":"{}"}}"#, url("jwks.json")),
        ),
        ("x5u = local server", format!(r#"{{"alg":"ES256","x5u":"{}"}}"#, url("cert.pem"))),
        ("x5c = the issuer's own certificate", format!(r#"{{"alg":"ES256","x5c":["{cert}"]}}"#)),
        ("x5c with x5t", format!(r#"{{"alg":"ES256","x5c":["{cert}"],"x5t":"AAAA","x5t#S256":"AAAA"}}"#)),
        (
            "x5c = another certificate",
            format!(r#"{{"alg":"ES256","x5c":["{}"]}}"#, b64std(&key_file("rsa2048.cert.der"))),
        ),
        (
            "every one at once",
            format!(
                r#"{{"alg":"ES256","kid":"issuer-1","jwk":{attacker_jwk},"jku":"{}","x5u":"{}","x5c":["{cert}"]}}"#,
                url("a"),
                url("b")
            ),
        ),
    ];
    for (what, hdr) in &headers {
        let forged = attacker.token("ES256", hdr.as_bytes(), CLAIMS);
        r.reject(format!("{what}: one trusted key"), verify(&forged, &trusted, &policy), JWTKIT_ERR_SIGNATURE_INVALID);
        r.reject(format!("{what}: key set"), verify_set(&forged, &set, &policy), JWTKIT_ERR_SIGNATURE_INVALID);
        // Control: the same header on a token the issuer signed is fine (the members are ignored).
        let genuine = legit.token("ES256", hdr.as_bytes(), CLAIMS);
        r.accept(format!("control: {what}, signed by the issuer"), verify(&genuine, &trusted, &policy));
        r.accept(format!("control: {what}, signed by the issuer (key set)"), verify_set(&genuine, &set, &policy));
    }
    // An embedded symmetric key: the attacker's own HMAC secret in `jwk`.
    let oct = format!(r#"{{"kty":"oct","k":"{}"}}"#, b64u(b"attacker secret of 32 bytes.....")); // 32 bytes
    let hs = Signer::Hmac(b"attacker secret of 32 bytes.....".to_vec()).token(
        "HS256",
        format!(r#"{{"alg":"HS256","jwk":{oct}}}"#).as_bytes(),
        CLAIMS,
    );
    r.reject(
        "HS256 with the attacker's oct key in jwk, one P-256 key",
        verify(&hs, &trusted, &policy),
        JWTKIT_ERR_KEY_ALG_MISMATCH,
    );
    r.reject(
        "HS256 with the attacker's oct key in jwk, key set",
        verify_set(&hs, &set, &policy),
        JWTKIT_ERR_KEY_NOT_FOUND,
    );

    std::thread::sleep(Duration::from_millis(200));
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
            r.check("no connection reached the jku/x5u server", true)
        }
        Ok((_, peer)) => r.check(format!("a connection reached the jku/x5u server from {peer}"), false),
        Err(e) => panic!("accept: {e}"),
    }
    r.done("embedded_keys_and_key_urls_never_choose_a_key");
}

#[test]
fn kid_never_chooses_a_key_outside_the_set() {
    let mut r = Report::default();
    let policy = Policy::all();
    let rsa = Key::pem("rsa2048.spki.pem").with_kid("rsa-1");
    let p256 = Key::pem("ecp256.spki.pem").with_kid("ec-1");
    let set = KeySet::from_keys(&[&rsa, &p256]);
    let attacker = Signer::Hmac(b"attacker secret of 32 bytes.....".to_vec());
    let legit = p256_signer();
    r.accept(
        "control: ES256 kid ec-1",
        verify_set(&legit.token("ES256", br#"{"alg":"ES256","kid":"ec-1"}"#, CLAIMS), &set, &policy),
    );
    r.accept(
        "control: ES256 without kid",
        verify_set(&legit.token("ES256", br#"{"alg":"ES256"}"#, CLAIMS), &set, &policy),
    );

    for kid in [
        "attacker",
        "../../../../../../dev/null",
        "/etc/passwd",
        "' OR '1'='1",
        "http://127.0.0.1:1/key",
        "",
        "rsa-1 ",
        "RSA-1",
        "ec-1\u{0}",
        "ec-1\\u0000",
    ] {
        let hdr = format!(r#"{{"alg":"HS256","kid":{}}}"#, serde_json::to_string(kid).unwrap());
        let token = attacker.token("HS256", hdr.as_bytes(), CLAIMS);
        r.reject(format!("HS256 kid {kid:?}, key set"), verify_set(&token, &set, &policy), JWTKIT_ERR_KEY_NOT_FOUND);
        r.reject(format!("HS256 kid {kid:?}, one RSA key"), verify(&token, &rsa, &policy), JWTKIT_ERR_KEY_ALG_MISMATCH);
        let es = Signer::Ec(ec_pair("ecp384.pkcs8.der", &rsig::ECDSA_P384_SHA384_FIXED_SIGNING));
        let token = es.token(
            "ES384",
            format!(r#"{{"alg":"ES384","kid":{}}}"#, serde_json::to_string(kid).unwrap()).as_bytes(),
            CLAIMS,
        );
        r.reject(format!("ES384 kid {kid:?}, key set"), verify_set(&token, &set, &policy), JWTKIT_ERR_KEY_NOT_FOUND);
    }
    // A kid naming a key of another kind: that key is not used for the token's algorithm.
    let token = attacker.token("HS256", br#"{"alg":"HS256","kid":"rsa-1"}"#, CLAIMS);
    r.reject("HS256 kid rsa-1 (an RSA key)", verify_set(&token, &set, &policy), JWTKIT_ERR_KEY_ALG_MISMATCH);
    let attacker_ec = Signer::Ec(
        EcdsaKeyPair::from_pkcs8(
            &rsig::ECDSA_P256_SHA256_FIXED_SIGNING,
            EcdsaKeyPair::generate_pkcs8(&rsig::ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .unwrap()
                .as_ref(),
            &SystemRandom::new(),
        )
        .unwrap(),
    );
    let token = attacker_ec.token("ES256", br#"{"alg":"ES256","kid":"rsa-1"}"#, CLAIMS);
    r.reject("ES256 (attacker) kid rsa-1", verify_set(&token, &set, &policy), JWTKIT_ERR_KEY_ALG_MISMATCH);
    let token = attacker_ec.token("ES256", br#"{"alg":"ES256","kid":"ec-1"}"#, CLAIMS);
    r.reject("ES256 (attacker) kid ec-1", verify_set(&token, &set, &policy), JWTKIT_ERR_SIGNATURE_INVALID);
    let token = attacker_ec.token("ES256", br#"{"alg":"ES256"}"#, CLAIMS);
    r.reject("ES256 (attacker) without kid", verify_set(&token, &set, &policy), JWTKIT_ERR_SIGNATURE_INVALID);
    r.done("kid_never_chooses_a_key_outside_the_set");
}

// =======================================================================================
// 9. crit and b64

#[test]
fn unknown_crit_is_refused() {
    let mut r = Report::default();
    let key = Key::secret(SECRET);
    let policy = Policy::all();
    let s = Signer::Hmac(SECRET.to_vec());
    r.accept("control", verify(&s.token("HS256", br#"{"alg":"HS256","exp2":1}"#, CLAIMS), &key, &policy));
    for (hdr, want) in [
        (r#"{"alg":"HS256","crit":["exp2"],"exp2":1}"#, JWTKIT_ERR_CRIT_UNSUPPORTED),
        (r#"{"alg":"HS256","crit":["exp2"]}"#, JWTKIT_ERR_CRIT_UNSUPPORTED),
        (
            r#"{"alg":"HS256","crit":["http://example.invalid/ext"],"http://example.invalid/ext":true}"#,
            JWTKIT_ERR_CRIT_UNSUPPORTED,
        ),
        (r#"{"alg":"HS256","crit":["b64"],"b64":false}"#, JWTKIT_ERR_HEADER_INVALID), // needs its detached payload
        (r#"{"alg":"HS256","crit":["b64"],"b64":true}"#, JWTKIT_ERR_CRIT_UNSUPPORTED),
        (r#"{"alg":"HS256","crit":["alg"]}"#, JWTKIT_ERR_CRIT_UNSUPPORTED),
        (r#"{"alg":"HS256","crit":["kid","x"],"kid":"a","x":1}"#, JWTKIT_ERR_CRIT_UNSUPPORTED),
        (r#"{"crit":["exp2"],"alg":"HS256","exp2":1}"#, JWTKIT_ERR_CRIT_UNSUPPORTED),
        (r#"{"alg":"none","crit":["exp2"]}"#, JWTKIT_ERR_CRIT_UNSUPPORTED),
        (r#"{"alg":"HS256","crit":[]}"#, JWTKIT_ERR_HEADER_INVALID),
        (r#"{"alg":"HS256","crit":"exp2","exp2":1}"#, JWTKIT_ERR_HEADER_INVALID),
        (r#"{"alg":"HS256","crit":[1]}"#, JWTKIT_ERR_HEADER_INVALID),
        (r#"{"alg":"HS256","crit":null}"#, JWTKIT_ERR_HEADER_INVALID),
        (r#"{"alg":"HS256","crit":{"exp2":true}}"#, JWTKIT_ERR_HEADER_INVALID),
    ] {
        let token = s.token("HS256", hdr.as_bytes(), CLAIMS);
        r.reject(format!("header {hdr}"), verify(&token, &key, &policy), want);
        r.reject(format!("header {hdr} (jws)"), jws_verify(&token, &key, &policy), want);
    }
    r.done("unknown_crit_is_refused");
}

#[test]
fn unencoded_payload_b64_false_is_refused() {
    let mut r = Report::default();
    let key = Key::secret(SECRET);
    let policy = Policy::all();
    // RFC 7797: the signing input is ASCII(b64u(header)) . payload, and the payload is sent raw.
    let payload = br#"{"sub":"attacker"}"#;
    for hdr in [
        r#"{"alg":"HS256","b64":false}"#,
        r#"{"alg":"HS256","b64":true}"#,
        r#"{"alg":"HS256","b64":"false"}"#,
        r#"{"alg":"HS256","b64":0}"#,
    ] {
        let h = b64u(hdr.as_bytes());
        let raw_input = format!("{h}.{}", std::str::from_utf8(payload).unwrap());
        let raw_token = with_sig(raw_input.as_bytes(), &hmac("HS256", SECRET, raw_input.as_bytes()));
        r.reject(format!("{hdr}, raw payload"), verify(&raw_token, &key, &policy), JWTKIT_ERR_HEADER_INVALID);
        r.reject(format!("{hdr}, raw payload (jws)"), jws_verify(&raw_token, &key, &policy), JWTKIT_ERR_HEADER_INVALID);
        let detached = format!("{h}..{}", b64u(&hmac("HS256", SECRET, raw_input.as_bytes())));
        r.reject(format!("{hdr}, detached"), jws_verify(detached.as_bytes(), &key, &policy), JWTKIT_ERR_HEADER_INVALID);
        let encoded = Signer::Hmac(SECRET.to_vec()).token("HS256", hdr.as_bytes(), payload);
        r.reject(format!("{hdr}, encoded payload"), verify(&encoded, &key, &policy), JWTKIT_ERR_HEADER_INVALID);
    }
    r.done("unencoded_payload_b64_false_is_refused");
}

// =======================================================================================
// 10. Duplicate members; JSON that is not strict UTF-8 JSON

#[test]
fn duplicate_members_are_refused() {
    let mut r = Report::default();
    let key = Key::secret(SECRET);
    let policy = Policy::all();
    let s = Signer::Hmac(SECRET.to_vec());
    for hdr in [
        r#"{"alg":"HS256","alg":"none"}"#,
        r#"{"alg":"none","alg":"HS256"}"#,
        r#"{"alg":"HS256","alg":"HS256"}"#,
        r#"{"alg":"HS256","al\u0067":"none"}"#,
        r#"{"\u0061lg":"none","alg":"HS256"}"#,
        r#"{"alg":"HS256","\u0061\u006c\u0067":"HS256"}"#,
        r#"{"alg":"HS256","kid":"a","kid":"b"}"#,
        r#"{"alg":"HS256","crit":["x"],"crit":[]}"#,
        r#"{"alg":"HS256","jwk":{"kty":"oct","kty":"RSA"}}"#,
    ] {
        let token = s.token("HS256", hdr.as_bytes(), CLAIMS);
        r.reject(format!("header {hdr}"), verify(&token, &key, &policy), JWTKIT_ERR_JSON);
        r.reject(format!("header {hdr} (unverified decode)"), decode_unverified(&token), JWTKIT_ERR_JSON);
    }
    r.accept(
        "control: claims with distinct members",
        verify(&s.token("HS256", &header("HS256"), br#"{"sub":"a","Sub":"b","sub ":"c"}"#), &key, &policy),
    );
    for claims in [
        r#"{"sub":"user","sub":"admin"}"#,
        r#"{"admin":false,"admin":true}"#,
        r#"{"exp":1,"exp":99999999999}"#,
        r#"{"exp":1,"ex\u0070":99999999999}"#,
        r#"{"\u0073ub":"user","sub":"admin"}"#,
        r#"{"iss":"a","\u0069\u0073\u0073":"b"}"#,
        r#"{"aud":"a","aud":["a","b"]}"#,
        r#"{"x":{"role":"user","role":"admin"}}"#,
        r#"{"x":[{"a":1,"a":2}]}"#,
    ] {
        let token = s.token("HS256", &header("HS256"), claims.as_bytes());
        r.reject(format!("claims {claims}"), verify(&token, &key, &policy), JWTKIT_ERR_JSON);
        r.reject(format!("claims {claims} (unverified decode)"), decode_unverified(&token), JWTKIT_ERR_JSON);
    }
    r.done("duplicate_members_are_refused");
}

/// Header and claims byte strings that are not one strict UTF-8 JSON object.
fn bad_json(object: &[u8]) -> Vec<(String, Vec<u8>)> {
    let body = &object[1..object.len() - 1]; // members without braces
    let with = |member: &[u8]| {
        let mut v = b"{".to_vec();
        v.extend_from_slice(body);
        v.push(b',');
        v.extend_from_slice(member);
        v.push(b'}');
        v
    };
    let utf16 = |big: bool, bom: bool| {
        let mut v = Vec::new();
        if bom {
            v.extend_from_slice(if big { &[0xfe, 0xff] } else { &[0xff, 0xfe] });
        }
        for &c in object {
            if big {
                v.extend_from_slice(&[0, c]);
            } else {
                v.extend_from_slice(&[c, 0]);
            }
        }
        v
    };
    vec![
        ("invalid UTF-8 byte 0xFF in a string".into(), with(b"\"x\":\"\xff\"")),
        ("Latin-1 e-acute".into(), with(b"\"x\":\"caf\xe9\"")),
        ("overlong UTF-8 for '/'".into(), with(b"\"x\":\"\xc0\xaf\"")),
        ("UTF-8-encoded surrogate (CESU-8)".into(), with(b"\"x\":\"\xed\xa0\x80\"")),
        ("truncated UTF-8 sequence".into(), with(b"\"x\":\"\xe2\x82\"")),
        ("UTF-8 in a member name".into(), with(b"\"\xff\":1")),
        ("UTF-16LE".into(), utf16(false, false)),
        ("UTF-16BE".into(), utf16(true, false)),
        ("UTF-16LE with BOM".into(), utf16(false, true)),
        ("UTF-8 BOM".into(), cat(b"\xef\xbb\xbf", object)),
        ("NaN".into(), with(b"\"x\":NaN")),
        ("Infinity".into(), with(b"\"x\":Infinity")),
        ("-Infinity".into(), with(b"\"x\":-Infinity")),
        ("number out of range 1e400".into(), with(b"\"x\":1e400")),
        ("lone high surrogate \\ud800".into(), with(b"\"x\":\"\\ud800\"")),
        ("lone low surrogate \\udc00".into(), with(b"\"x\":\"\\udc00\"")),
        ("high surrogate then a letter".into(), with(b"\"x\":\"\\ud800\\u0041\"")),
        ("reversed surrogate pair".into(), with(b"\"x\":\"\\ude00\\ud83d\"")),
        ("lone surrogate in a member name".into(), with(b"\"\\ud800\":1")),
        ("trailing garbage".into(), cat(object, b" x")),
        ("a second object".into(), cat(object, b"{}")),
        ("trailing NUL".into(), cat(object, b"\0")),
        ("trailing comma after the object".into(), cat(object, b",")),
        ("trailing bracket".into(), cat(object, b"]")),
        ("leading garbage".into(), cat(b"x", object)),
        ("trailing comma inside".into(), cat(&object[..object.len() - 1], b",}")),
        ("comment".into(), cat(b"/**/", object)),
        ("single quotes".into(), with(b"'x':1")),
        ("unquoted member name".into(), with(b"x:1")),
        ("raw control character in a string".into(), with(b"\"x\":\"a\x01b\"")),
        ("raw newline in a string".into(), with(b"\"x\":\"a\nb\"")),
        ("invalid escape \\x41".into(), with(b"\"x\":\"\\x41\"")),
        ("leading zero 01".into(), with(b"\"x\":01")),
        ("hex number 0x1".into(), with(b"\"x\":0x1")),
        ("plus sign +1".into(), with(b"\"x\":+1")),
        ("unterminated".into(), object[..object.len() - 1].to_vec()),
        ("an array".into(), b"[]".to_vec()),
        ("a string".into(), b"\"x\"".to_vec()),
        ("null".into(), b"null".to_vec()),
        ("a number".into(), b"1".to_vec()),
        ("empty".into(), vec![]),
    ]
}

#[test]
fn json_that_is_not_strict_utf8_json_is_refused() {
    let mut r = Report::default();
    let key = Key::secret(SECRET);
    let policy = Policy::all();
    let s = Signer::Hmac(SECRET.to_vec());
    let hdr = br#"{"alg":"HS256","typ":"JWT"}"#;
    r.accept("control", verify(&s.token("HS256", hdr, CLAIMS), &key, &policy));
    for (what, bad) in bad_json(hdr) {
        let token = s.token("HS256", &bad, CLAIMS);
        r.reject(format!("header: {what}"), verify(&token, &key, &policy), JWTKIT_ERR_JSON);
        r.reject(format!("header: {what} (unverified decode)"), decode_unverified(&token), JWTKIT_ERR_JSON);
    }
    for (what, bad) in bad_json(CLAIMS) {
        // Validly signed: the claims parser, not the signature, must refuse these.
        let token = s.token("HS256", hdr, &bad);
        r.accept(format!("claims: {what} (signature valid, jws)"), jws_verify(&token, &key, &policy));
        r.reject(format!("claims: {what}"), verify(&token, &key, &policy), JWTKIT_ERR_JSON);
        r.reject(format!("claims: {what} (unverified decode)"), decode_unverified(&token), JWTKIT_ERR_JSON);
    }
    r.done("json_that_is_not_strict_utf8_json_is_refused");
}

// =======================================================================================
// 11. Non-canonical base64url in each segment

/// Non-canonical spellings of `b64u(data)`. `data` must make an encoding with '-', '_'
/// and a partial last group, so that every kind applies.
fn noncanonical(data: &[u8]) -> Vec<(String, String)> {
    let canon = b64u(data);
    assert!(canon.contains('-') && canon.contains('_') && data.len() % 3 != 0, "{canon}");
    let pad = "=".repeat((4 - canon.len() % 4) % 4);
    let last = canon.as_bytes()[canon.len() - 1];
    let idx = B64URL.iter().position(|&c| c == last).unwrap();
    let bits = if data.len() % 3 == 1 { 0b1111 } else { 0b11 }; // unused low bits of the last character
    assert_eq!(idx & bits, 0);
    let mut trailing = canon.clone();
    trailing.pop();
    trailing.push(B64URL[idx | 1] as char);
    let mid = canon.len() / 2;
    vec![
        ("padding '='".into(), format!("{canon}{pad}")),
        ("extra padding '=='".into(), format!("{canon}{pad}==")),
        ("'+' for '-'".into(), canon.replace('-', "+")),
        ("'/' for '_'".into(), canon.replace('_', "/")),
        ("standard alphabet".into(), canon.replace('-', "+").replace('_', "/")),
        ("non-zero trailing bits".into(), trailing),
        ("space inside".into(), format!("{} {}", &canon[..mid], &canon[mid..])),
        ("newline inside".into(), format!("{}\n{}", &canon[..mid], &canon[mid..])),
        ("CRLF inside".into(), format!("{}\r\n{}", &canon[..mid], &canon[mid..])),
        ("tab inside".into(), format!("{}\t{}", &canon[..mid], &canon[mid..])),
        ("trailing newline".into(), format!("{canon}\n")),
        ("leading space".into(), format!(" {canon}")),
        ("NUL inside".into(), format!("{}\0{}", &canon[..mid], &canon[mid..])),
        ("percent-encoded '-'".into(), canon.replacen('-', "%2D", 1)),
        ("impossible length (4k + 1)".into(), format!("{canon}{}", "A".repeat((5 - canon.len() % 4) % 4))),
    ]
}

/// Grows `base` (a JSON object) with a filler member until its encoding has '-', '_'
/// and a partial last group.
fn awkward_json(base: &str) -> Vec<u8> {
    for n in 0..3000usize {
        let filler: String =
            (0..6).map(|i| ['~', '?', 'o', 'w'][(n >> (2 * i)) & 3]).chain("x".repeat(n % 3).chars()).collect();
        let json = format!("{},\"f\":\"{filler}\"}}", &base[..base.len() - 1]).into_bytes();
        let enc = b64u(&json);
        if enc.contains('-') && enc.contains('_') && json.len() % 3 != 0 {
            return json;
        }
    }
    panic!("no awkward filler found");
}

/// Unverified decoding reads well-formed padding (AWS ALB's tokens are inspected for
/// their `kid` before a key is known; nothing decoded unverified is trusted); every other
/// non-canonical spelling it refuses as verification does.
fn unverified(r: &mut Report, case: String, what: &str, token: &[u8], want: i32) {
    if what.starts_with("padding") {
        r.accept(case, decode_unverified(token));
    } else {
        r.reject(case, decode_unverified(token), want);
    }
}

#[test]
fn noncanonical_base64url_in_each_segment_is_refused() {
    let mut r = Report::default();
    let key = Key::secret(SECRET);
    let policy = Policy::all();
    let hdr = awkward_json(r#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = awkward_json(r#"{"sub":"attacker"}"#);
    let h = b64u(&hdr);
    let p = b64u(&claims);
    let good_input = format!("{h}.{p}");
    r.accept(
        "control",
        verify(&with_sig(good_input.as_bytes(), &hmac("HS256", SECRET, good_input.as_bytes())), &key, &policy),
    );

    for (what, bad_h) in noncanonical(&hdr) {
        let input = format!("{bad_h}.{p}");
        let token = with_sig(input.as_bytes(), &hmac("HS256", SECRET, input.as_bytes()));
        let want = if token.iter().any(|b| !b.is_ascii()) { JWTKIT_ERR_TOKEN_MALFORMED } else { JWTKIT_ERR_BASE64 };
        r.reject(format!("header: {what}"), verify(&token, &key, &policy), want);
        unverified(&mut r, format!("header: {what} (unverified decode)"), &what, &token, want);
    }
    for (what, bad_p) in noncanonical(&claims) {
        // The signature covers the non-canonical text: only the decoder can refuse it.
        let input = format!("{h}.{bad_p}");
        let token = with_sig(input.as_bytes(), &hmac("HS256", SECRET, input.as_bytes()));
        r.reject(format!("payload: {what}"), verify(&token, &key, &policy), JWTKIT_ERR_BASE64);
        r.reject(format!("payload: {what} (jws)"), jws_verify(&token, &key, &policy), JWTKIT_ERR_BASE64);
        unverified(&mut r, format!("payload: {what} (unverified decode)"), &what, &token, JWTKIT_ERR_BASE64);
    }
    // Signature: find a claims nonce whose HMAC encodes with '-', '_' (32 bytes: partial group).
    let mut nonce = 0;
    let (input, mac) = loop {
        let input = format!("{h}.{}", b64u(format!(r#"{{"sub":"attacker","n":{nonce}}}"#).as_bytes()));
        let mac = hmac("HS256", SECRET, input.as_bytes());
        let enc = b64u(&mac);
        if enc.contains('-') && enc.contains('_') {
            break (input, mac);
        }
        nonce += 1;
    };
    r.accept("control: signature", verify(&with_sig(input.as_bytes(), &mac), &key, &policy));
    for (what, bad_s) in noncanonical(&mac) {
        let token = format!("{input}.{bad_s}");
        r.reject(format!("signature: {what}"), verify(token.as_bytes(), &key, &policy), JWTKIT_ERR_BASE64);
    }
    r.done("noncanonical_base64url_in_each_segment_is_refused");
}

// =======================================================================================
// 12. Segment counts and the JWS JSON serialization

#[test]
fn wrong_segment_counts_and_json_serialization_are_refused() {
    let mut r = Report::default();
    let key = Key::secret(SECRET);
    let policy = Policy::all();
    let hdr = header("HS256");
    let h = b64u(&hdr);
    let p = b64u(CLAIMS);
    let input = format!("{h}.{p}");
    let mac = hmac("HS256", SECRET, input.as_bytes());
    let s = b64u(&mac);
    r.accept("control", verify(format!("{h}.{p}.{s}").as_bytes(), &key, &policy));
    let cases: Vec<(&str, String)> = vec![
        ("empty token", String::new()),
        ("1 segment: header", h.clone()),
        ("1 segment: the whole token without dots", format!("{h}{p}{s}")),
        ("2 segments", format!("{h}.{p}")),
        ("2 segments, signature last", format!("{h}.{s}")),
        ("4 segments", format!("{h}.{p}.{s}.{s}")),
        ("4 segments, trailing dot", format!("{h}.{p}.{s}.")),
        ("4 segments, leading dot", format!(".{h}.{p}.{s}")),
        ("5 segments (JWE shape)", format!("{h}.{p}.{s}.{p}.{s}")),
        ("5 segments, empty", "....".into()),
        ("6 segments", format!("{h}.{p}.{s}.a.b.c")),
        ("only dots", "..........".into()),
        ("non-ASCII byte", format!("{h}.{p}.{s}\u{e9}")),
        ("JWS JSON, flattened", format!(r#"{{"payload":"{p}","protected":"{h}","signature":"{s}"}}"#)),
        (
            "JWS JSON, flattened with an unprotected header",
            format!(r#"{{"payload":"{p}","protected":"{h}","header":{{"kid":"a.b.c"}},"signature":"{s}"}}"#),
        ),
        ("JWS JSON, general", format!(r#"{{"payload":"{p}","signatures":[{{"protected":"{h}","signature":"{s}"}}]}}"#)),
        (
            "JWS JSON, general, two signatures",
            format!(
                r#"{{"payload":"{p}","signatures":[{{"protected":"{h}","signature":"{s}"}},{{"protected":"{h}","signature":"{s}"}}]}}"#
            ),
        ),
        (
            "JWS JSON, flattened, pretty",
            format!("{{\n  \"payload\": \"{p}\",\n  \"protected\": \"{h}\",\n  \"signature\": \"{s}\"\n}}"),
        ),
        ("JWS JSON with leading whitespace", format!(r#" {{"payload":"{p}","protected":"{h}","signature":"{s}"}}"#)),
    ];
    for (what, token) in &cases {
        r.reject(*what, verify(token.as_bytes(), &key, &policy), JWTKIT_ERR_TOKEN_MALFORMED);
        r.reject(format!("{what} (jws)"), jws_verify(token.as_bytes(), &key, &policy), JWTKIT_ERR_TOKEN_MALFORMED);
        r.reject(
            format!("{what} (unverified decode)"),
            decode_unverified(token.as_bytes()),
            JWTKIT_ERR_TOKEN_MALFORMED,
        );
    }
    // An empty payload segment with a valid signature (detached content) is not a JWT.
    let detached_input = format!("{h}.");
    let detached = with_sig(detached_input.as_bytes(), &hmac("HS256", SECRET, detached_input.as_bytes()));
    r.reject("empty payload segment (detached), JWT", verify(&detached, &key, &policy), JWTKIT_ERR_JSON);
    let no_header_input = format!(".{p}");
    let no_header = with_sig(no_header_input.as_bytes(), &hmac("HS256", SECRET, no_header_input.as_bytes()));
    r.reject("empty header segment", verify(&no_header, &key, &policy), JWTKIT_ERR_JSON);
    r.done("wrong_segment_counts_and_json_serialization_are_refused");
}

// =======================================================================================
// 13. Every wrong type for every registered claim

#[test]
fn wrong_types_for_registered_claims_are_errors_not_absent() {
    let mut r = Report::default();
    let key = Key::secret(SECRET);
    let s = Signer::Hmac(SECRET.to_vec());
    let strict = Policy::all();
    let relaxed = Policy::all().disable(
        JWTKIT_CHECK_EXP | JWTKIT_CHECK_NBF | JWTKIT_CHECK_IAT | JWTKIT_CHECK_AUD | JWTKIT_CHECK_ISS | JWTKIT_CHECK_SUB,
    );
    let numeric = ["exp", "nbf", "iat"];
    let strings = ["iss", "sub", "jti"];
    let good = |claim: &str| match claim {
        "exp" => "99999999999",
        "nbf" | "iat" => "1",
        "aud" => "\"x\"",
        _ => "\"x\"",
    };
    for claim in numeric.iter().chain(&strings).chain(&["aud"]) {
        // Control: the right type is accepted (with `aud`, once the check is off).
        let token = s.token("HS256", &header("HS256"), format!(r#"{{"{claim}":{}}}"#, good(claim)).as_bytes());
        r.accept(format!("control: {claim} = {}", good(claim)), verify(&token, &key, &relaxed));
        let wrong: Vec<&str> = if numeric.contains(claim) {
            vec![
                r#""1""#,
                r#""99999999999""#,
                r#""""#,
                "null",
                "true",
                "false",
                "[1]",
                "[]",
                r#"{"t":1}"#,
                "{}",
                r#""2030-01-01T00:00:00Z""#,
            ]
        } else if *claim == "aud" {
            // `null` is read as no audience, like "" and [] (as PyJWT reads it): below.
            vec![
                "1",
                "true",
                "false",
                r#"{"a":"x"}"#,
                "{}",
                "[1]",
                r#"["x",1]"#,
                "[null]",
                r#"[["x"]]"#,
                r#"[{"a":"x"}]"#,
                "[true]",
            ]
        } else {
            vec!["1", "0", "1.5", "null", "true", "false", r#"["x"]"#, "[]", r#"{"a":"x"}"#, "{}"]
        };
        for value in wrong {
            let claims = format!(r#"{{"sub0":"x","{claim}":{value}}}"#);
            let token = s.token("HS256", &header("HS256"), claims.as_bytes());
            r.reject(&claims, verify(&token, &key, &strict), JWTKIT_ERR_CLAIM_INVALID);
            r.reject(
                format!("{claims} (checks switched off)"),
                verify(&token, &key, &relaxed),
                JWTKIT_ERR_CLAIM_INVALID,
            );
        }
    }
    // `"aud": null` names no audience: a policy expecting one refuses it as missing, and
    // never as matching; with the check off it is accepted as an absent claim.
    let claims = r#"{"sub0":"x","aud":null}"#;
    let token = s.token("HS256", &header("HS256"), claims.as_bytes());
    let expecting = Policy::all().audience("api");
    r.reject(format!("{claims} (audience expected)"), verify(&token, &key, &expecting), JWTKIT_ERR_CLAIM_MISSING);
    r.accept(format!("{claims} (no audience expected)"), verify(&token, &key, &strict));
    r.done("wrong_types_for_registered_claims_are_errors_not_absent");
}

// =======================================================================================
// 14. Size and nesting bombs, each refused in bounded time

fn hs_token(hdr: &[u8], payload: &[u8]) -> Vec<u8> {
    Signer::Hmac(SECRET.to_vec()).token("HS256", hdr, payload)
}

#[test]
fn bomb_ten_megabyte_token() {
    let mut r = Report::default();
    let key = Key::secret(SECRET);
    let claims = format!(r#"{{"pad":"{}"}}"#, "A".repeat(10 * 1024 * 1024)).into_bytes();
    let token = hs_token(&header("HS256"), &claims);
    assert!(token.len() > 10_000_000);
    timed(&mut r, "10 MB signed token", BOUND, || verify(&token, &key, &Policy::all()), JWTKIT_ERR_TOKEN_TOO_LARGE);
    timed(
        &mut r,
        "10 MB signed token (unverified decode)",
        BOUND,
        || decode_unverified(&token),
        JWTKIT_ERR_TOKEN_TOO_LARGE,
    );
    let junk = vec![b'A'; 10 * 1024 * 1024];
    timed(&mut r, "10 MB of 'A'", BOUND, || verify(&junk, &key, &Policy::all()), JWTKIT_ERR_TOKEN_TOO_LARGE);
    let just_over = vec![b'A'; 128 * 1024 + 1];
    timed(&mut r, "128 KiB + 1", BOUND, || verify(&just_over, &key, &Policy::all()), JWTKIT_ERR_TOKEN_TOO_LARGE);
    r.done("bomb_ten_megabyte_token");
}

#[test]
fn bomb_ten_million_dots() {
    let mut r = Report::default();
    let key = Key::secret(SECRET);
    let dots = vec![b'.'; 10_000_000];
    timed(&mut r, "10 million dots", BOUND, || verify(&dots, &key, &Policy::all()), JWTKIT_ERR_TOKEN_TOO_LARGE);
    timed(
        &mut r,
        "10 million dots (unverified decode)",
        BOUND,
        || decode_unverified(&dots),
        JWTKIT_ERR_TOKEN_TOO_LARGE,
    );
    // With the size limit lifted, the segment split must still stop early.
    let lifted = Policy::all().limit(JWTKIT_LIMIT_TOKEN_LEN, 64 * 1024 * 1024);
    timed(
        &mut r,
        "10 million dots, size limit lifted",
        BOUND,
        || verify(&dots, &key, &lifted),
        JWTKIT_ERR_TOKEN_MALFORMED,
    );
    let hdr = b64u(&header("HS256"));
    let mut many = hdr.clone().into_bytes();
    many.extend(std::iter::repeat_n(b'.', 10_000_000));
    timed(
        &mut r,
        "header then 10 million dots, size limit lifted",
        BOUND,
        || verify(&many, &key, &lifted),
        JWTKIT_ERR_TOKEN_MALFORMED,
    );
    let within = vec![b'.'; 128 * 1024];
    timed(&mut r, "128 KiB of dots", BOUND, || verify(&within, &key, &Policy::all()), JWTKIT_ERR_TOKEN_MALFORMED);
    r.done("bomb_ten_million_dots");
}

#[test]
fn bomb_hundred_thousand_nested_arrays() {
    let mut r = Report::default();
    let key = Key::secret(SECRET);
    let n = 100_000;
    let nested =
        |open: &str, close: &str, n: usize| format!(r#"{{"a":{}1{}}}"#, open.repeat(n), close.repeat(n)).into_bytes();
    let arrays = nested("[", "]", n);
    let objects = nested(r#"{"a":"#, "}", n);
    let lifted = || Policy::all().limit(JWTKIT_LIMIT_TOKEN_LEN, 64 * 1024 * 1024);
    for (what, claims) in [("100 000 nested arrays", &arrays), ("100 000 nested objects", &objects)] {
        let token = hs_token(&header("HS256"), claims);
        timed(
            &mut r,
            &format!("claims: {what}"),
            BOUND,
            || verify(&token, &key, &Policy::all()),
            JWTKIT_ERR_TOKEN_TOO_LARGE,
        );
        timed(
            &mut r,
            &format!("claims: {what}, size limit lifted"),
            BOUND,
            || verify(&token, &key, &lifted()),
            JWTKIT_ERR_JSON_LIMIT,
        );
        r.accept(
            format!("control: claims: {what}, size limit lifted (jws: the payload is not parsed)"),
            jws_verify(&token, &key, &lifted()),
        );
        let hdr = format!(r#"{{"alg":"HS256","x":{}}}"#, std::str::from_utf8(claims).unwrap());
        let token = hs_token(hdr.as_bytes(), CLAIMS);
        let huge_header = Policy::all()
            .limit(JWTKIT_LIMIT_TOKEN_LEN, 64 * 1024 * 1024)
            .limit(JWTKIT_LIMIT_HEADER_LEN, 64 * 1024 * 1024);
        timed(
            &mut r,
            &format!("header: {what}, size limits lifted"),
            BOUND,
            || verify(&token, &key, &huge_header),
            JWTKIT_ERR_JSON_LIMIT,
        );
    }
    // Within the default size limit: 45 000 unclosed and closed brackets.
    for (what, claims) in [
        ("45 000 nested arrays (fits 128 KiB)", nested("[", "]", 45_000)),
        ("90 000 unclosed arrays", format!(r#"{{"a":{}"#, "[".repeat(90_000)).into_bytes()),
        ("the object and 64 arrays (one level past the limit)", nested("[", "]", 64)),
    ] {
        let token = hs_token(&header("HS256"), &claims);
        timed(
            &mut r,
            &format!("claims: {what}"),
            BOUND,
            || verify(&token, &key, &Policy::all()),
            JWTKIT_ERR_JSON_LIMIT,
        );
        timed(
            &mut r,
            &format!("claims: {what} (unverified decode)"),
            BOUND,
            || decode_unverified(&token),
            JWTKIT_ERR_JSON_LIMIT,
        );
    }
    let token = hs_token(&header("HS256"), &nested("[", "]", 63));
    r.accept("control: 64 levels (the object and 63 arrays)", verify(&token, &key, &Policy::all()));
    r.done("bomb_hundred_thousand_nested_arrays");
}

#[test]
fn bomb_one_megabyte_header() {
    let mut r = Report::default();
    let key = Key::secret(SECRET);
    let big = format!(r#"{{"alg":"HS256","x":"{}"}}"#, "h".repeat(1024 * 1024));
    let token = hs_token(big.as_bytes(), CLAIMS);
    timed(&mut r, "1 MB header", BOUND, || verify(&token, &key, &Policy::all()), JWTKIT_ERR_TOKEN_TOO_LARGE);
    let lifted = Policy::all().limit(JWTKIT_LIMIT_TOKEN_LEN, 64 * 1024 * 1024);
    timed(
        &mut r,
        "1 MB header, token size limit lifted",
        BOUND,
        || verify(&token, &key, &lifted),
        JWTKIT_ERR_JSON_LIMIT,
    );
    timed(
        &mut r,
        "1 MB header, token size limit lifted (jws)",
        BOUND,
        || jws_verify(&token, &key, &lifted),
        JWTKIT_ERR_JSON_LIMIT,
    );
    // Within the token limit but over the 8 KiB header limit; and many members.
    let mid = format!(r#"{{"alg":"HS256","x":"{}"}}"#, "h".repeat(90 * 1024));
    let token = hs_token(mid.as_bytes(), CLAIMS);
    timed(&mut r, "90 KiB header", BOUND, || verify(&token, &key, &Policy::all()), JWTKIT_ERR_JSON_LIMIT);
    timed(&mut r, "90 KiB header (unverified decode)", BOUND, || decode_unverified(&token), JWTKIT_ERR_JSON_LIMIT);
    let members: String = (0..5_000).map(|i| format!(r#","m{i}":0"#)).collect();
    let wide = format!(r#"{{"alg":"HS256"{members}}}"#);
    let token = hs_token(wide.as_bytes(), CLAIMS);
    timed(&mut r, "header with 5 000 members", BOUND, || verify(&token, &key, &Policy::all()), JWTKIT_ERR_JSON_LIMIT);
    let exactly = format!(r#"{{"alg":"HS256","x":"{}"}}"#, "h".repeat(8192 - 22));
    assert_eq!(exactly.len(), 8192);
    r.accept("control: an 8 KiB header", verify(&hs_token(exactly.as_bytes(), CLAIMS), &key, &Policy::all()));
    let over = format!(r#"{{"alg":"HS256","x":"{}"}}"#, "h".repeat(8192 - 21));
    timed(
        &mut r,
        "8 KiB + 1 header",
        BOUND,
        || verify(&hs_token(over.as_bytes(), CLAIMS), &key, &Policy::all()),
        JWTKIT_ERR_JSON_LIMIT,
    );
    // The limit is exact for any configured value: 16 bytes allows 16, not 17 or 18.
    let small = Policy::all().limit(JWTKIT_LIMIT_HEADER_LEN, 16);
    for len in [15usize, 16, 17, 18, 19] {
        let hdr = format!(r#"{{"alg":"HS256"}}{}"#, " ".repeat(len - 15)); // trailing JSON whitespace
        let got = verify(&hs_token(hdr.as_bytes(), CLAIMS), &key, &small);
        if len <= 16 {
            r.accept(format!("control: {len}-byte header, limit 16"), got);
        } else {
            r.reject(format!("{len}-byte header, limit 16"), got, JWTKIT_ERR_JSON_LIMIT);
        }
    }
    r.done("bomb_one_megabyte_header");
}

// =======================================================================================
// JWE: PBES2 iteration counts and salts, AES-GCM key wrap header members, allow-lists
//
// The tokens are built here: PBKDF2 and AES-GCM from `ring`, AES key wrap from RustCrypto
// `aes-kw` (ring has none), never jwtkit's encrypter.

struct JwePolicy(*mut jwtkit_jwe_policy);

impl Drop for JwePolicy {
    fn drop(&mut self) {
        unsafe { jwtkit_jwe_policy_free(self.0) };
    }
}

impl JwePolicy {
    fn new(algs: &[i32], encs: &[i32]) -> JwePolicy {
        let mut p: *mut jwtkit_jwe_policy = ptr::null_mut();
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let st =
            unsafe { jwtkit_jwe_policy_new(algs.as_ptr(), algs.len(), encs.as_ptr(), encs.len(), &mut p, &mut err) };
        finish(st, err).expect("jwe_policy_new");
        JwePolicy(p)
    }
    fn max_p2c(self, max: u32) -> Result<JwePolicy, Fail> {
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let st = unsafe { jwtkit_jwe_policy_set_max_p2c(self.0, max, &mut err) };
        finish(st, err).map(|()| self)
    }
}

fn jwe_decrypt(token: &[u8], key: &Key, policy: &JwePolicy) -> Verdict {
    let (p, n) = raw(token);
    let (mut h, mut hl, mut c, mut cl) = (ptr::null_mut(), 0, ptr::null_mut(), 0);
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let st = unsafe { jwtkit_jwe_decrypt(p, n, key.0, policy.0, &mut h, &mut hl, &mut c, &mut cl, &mut err) };
    two_outputs(st, err, h, hl, c, cl)
}

/// Every number of a JWE enumeration (`jwtkit_jwe_alg_name` or `jwtkit_jwe_enc_name`).
fn jwe_numbers(name: extern "C" fn(i32) -> *const c_char) -> Vec<(i32, String)> {
    (1..)
        .map(|n| (n, name(n)))
        .take_while(|(_, p)| !p.is_null())
        .map(|(n, p)| (n, unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string()))
        .collect()
}

fn jwe_number(name: extern "C" fn(i32) -> *const c_char, wanted: &str) -> i32 {
    jwe_numbers(name).into_iter().find(|(_, n)| n == wanted).unwrap_or_else(|| panic!("{wanted}")).0
}

/// A compact JWE with content A128GCM under `cek`, the header being the AAD.
fn jwe_compact(header: &str, encrypted_key: &[u8], cek: &[u8], plaintext: &[u8]) -> String {
    use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM};
    let aad = b64u(header.as_bytes());
    let iv = [0x5au8; 12];
    let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, cek).unwrap());
    let mut ct = plaintext.to_vec();
    let tag =
        key.seal_in_place_separate_tag(Nonce::assume_unique_for_key(iv), Aad::from(aad.as_bytes()), &mut ct).unwrap();
    format!("{aad}.{}.{}.{}.{}", b64u(encrypted_key), b64u(&iv), b64u(&ct), b64u(tag.as_ref()))
}

/// The same token with another protected header (so another AAD: it could only ever
/// fail, and what is asserted is *how*).
fn jwe_with_header(token: &str, header: &str) -> Vec<u8> {
    let rest = &token[token.find('.').unwrap()..];
    format!("{}{rest}", b64u(header.as_bytes())).into_bytes()
}

const PBES2_PASSWORD: &[u8] = b"Thus from my lips, by yours, my sin is purged.";
const CEK: [u8; 16] = [0x42; 16];

/// A PBES2-HS256+A128KW token with `p2c` iterations and salt input `p2s`.
fn pbes2_token(p2s: &[u8], p2c: u32) -> String {
    let mut salt = b"PBES2-HS256+A128KW\0".to_vec();
    salt.extend_from_slice(p2s);
    let mut kek = [0u8; 16];
    let iterations = std::num::NonZeroU32::new(p2c).unwrap();
    ring::pbkdf2::derive(ring::pbkdf2::PBKDF2_HMAC_SHA256, iterations, &salt, PBES2_PASSWORD, &mut kek);
    let wrapped = aes_kw::KekAes128::from(kek).wrap_vec(&CEK).unwrap();
    let header = format!(r#"{{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2s":"{}","p2c":{p2c}}}"#, b64u(p2s));
    jwe_compact(&header, &wrapped, &CEK, b"{\"sub\":\"pbes2\"}")
}

#[test]
fn pbes2_iteration_count_is_bounded_before_any_derivation() {
    let mut r = Report::default();
    let alg = jwe_number(jwtkit_jwe_alg_name, "PBES2-HS256+A128KW");
    let enc = jwe_number(jwtkit_jwe_enc_name, "A128GCM");
    let policy = JwePolicy::new(&[alg], &[enc]);
    let key = Key::secret(PBES2_PASSWORD);
    let p2s = [0x17u8; 16];
    let control = pbes2_token(&p2s, 1000);
    r.accept("control, p2c 1000", jwe_decrypt(control.as_bytes(), &key, &policy));
    let header =
        |p2s: &str, p2c: &str| format!(r#"{{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2s":"{p2s}","p2c":{p2c}}}"#);
    let good_p2s = b64u(&p2s);
    // Over the cap: the limit status, in bounded time. Were a billion iterations run, the
    // call would take hours (and end in a decryption failure, the header being changed).
    for p2c in ["1000000000", "4294967295", "4294967296", "18446744073709551615", "10001"] {
        let token = jwe_with_header(&control, &header(&good_p2s, p2c));
        timed(&mut r, &format!("p2c {p2c}"), BOUND, || jwe_decrypt(&token, &key, &policy), JWTKIT_ERR_JWE_P2C_LIMIT);
    }
    // The cap is the caller's: lowered, a count the default allows is refused; raised,
    // the billion is still refused.
    let low = JwePolicy::new(&[alg], &[enc]).max_p2c(1000).unwrap();
    let token = pbes2_token(&p2s, 1001);
    r.reject("p2c 1001 over a cap of 1000", jwe_decrypt(token.as_bytes(), &key, &low), JWTKIT_ERR_JWE_P2C_LIMIT);
    let high = JwePolicy::new(&[alg], &[enc]).max_p2c(100_000).unwrap();
    let token = jwe_with_header(&control, &header(&good_p2s, "1000000000"));
    timed(&mut r, "p2c 1e9, cap 100000", BOUND, || jwe_decrypt(&token, &key, &high), JWTKIT_ERR_JWE_P2C_LIMIT);
    r.reject(
        "a cap under 1000 is refused",
        JwePolicy::new(&[alg], &[enc]).max_p2c(999).map(|_| Vec::new()),
        JWTKIT_ERR_INVALID_ARGUMENT,
    );
    // Under the RFC's minimum, or not a count at all.
    for p2c in ["999", "1", "0", "-1", "1000.5", "1e9", "\"1000\"", "null", "[1000]"] {
        let token = jwe_with_header(&control, &header(&good_p2s, p2c));
        r.reject(format!("p2c {p2c}"), jwe_decrypt(&token, &key, &policy), JWTKIT_ERR_HEADER_INVALID);
    }
    let no_p2c = format!(r#"{{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2s":"{good_p2s}"}}"#);
    r.reject("no p2c", jwe_decrypt(&jwe_with_header(&control, &no_p2c), &key, &policy), JWTKIT_ERR_HEADER_INVALID);
    // p2s: at least 8 bytes, strict base64url, present.
    for (case, p2s) in [("7 bytes", b64u(&[1; 7])), ("empty", String::new()), ("padded", format!("{good_p2s}=="))] {
        let token = jwe_with_header(&control, &header(&p2s, "1000"));
        let want = if case == "padded" { JWTKIT_ERR_BASE64 } else { JWTKIT_ERR_HEADER_INVALID };
        r.reject(format!("p2s {case}"), jwe_decrypt(&token, &key, &policy), want);
    }
    let no_p2s = r#"{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2c":1000}"#;
    r.reject("no p2s", jwe_decrypt(&jwe_with_header(&control, no_p2s), &key, &policy), JWTKIT_ERR_HEADER_INVALID);
    // 8 bytes is enough (and this token decrypts).
    let token = pbes2_token(&[3; 8], 1000);
    r.accept("control, p2s of 8 bytes", jwe_decrypt(token.as_bytes(), &key, &policy));
    r.done("pbes2_iteration_count_is_bounded_before_any_derivation");
}

#[test]
fn aes_gcm_key_wrap_iv_and_tag_are_checked() {
    use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM};
    let mut r = Report::default();
    let kek = [0x33u8; 16];
    let kw_iv = [0x44u8; 12];
    let sealer = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &kek).unwrap());
    let mut wrapped = CEK.to_vec();
    let kw_tag =
        sealer.seal_in_place_separate_tag(Nonce::assume_unique_for_key(kw_iv), Aad::empty(), &mut wrapped).unwrap();
    let header = |iv: &str, tag: &str| format!(r#"{{"alg":"A128GCMKW","enc":"A128GCM","iv":{iv},"tag":{tag}}}"#);
    let (iv, tag) = (format!("\"{}\"", b64u(&kw_iv)), format!("\"{}\"", b64u(kw_tag.as_ref())));
    let control = jwe_compact(&header(&iv, &tag), &wrapped, &CEK, b"{}");
    let alg = jwe_number(jwtkit_jwe_alg_name, "A128GCMKW");
    let policy = JwePolicy::new(&[alg], &[jwe_number(jwtkit_jwe_enc_name, "A128GCM")]);
    let key = Key::try_secret(&kek, JWTKIT_KEY_ALLOW_SHORT_SECRET).unwrap();
    r.accept("control", jwe_decrypt(control.as_bytes(), &key, &policy));
    let q = |b: &[u8]| format!("\"{}\"", b64u(b));
    let cases = [
        ("iv of 11 bytes", header(&q(&kw_iv[..11]), &tag), JWTKIT_ERR_HEADER_INVALID),
        ("iv of 13 bytes", header(&q(&[0x44; 13]), &tag), JWTKIT_ERR_HEADER_INVALID),
        ("iv of 16 bytes", header(&q(&[0x44; 16]), &tag), JWTKIT_ERR_HEADER_INVALID),
        ("empty iv", header("\"\"", &tag), JWTKIT_ERR_HEADER_INVALID),
        ("iv a number", header("12", &tag), JWTKIT_ERR_HEADER_INVALID),
        ("tag of 15 bytes", header(&iv, &q(&kw_tag.as_ref()[..15])), JWTKIT_ERR_HEADER_INVALID),
        ("tag of 17 bytes", header(&iv, &q(&[0; 17])), JWTKIT_ERR_HEADER_INVALID),
        ("tag of 12 bytes", header(&iv, &q(&[0; 12])), JWTKIT_ERR_HEADER_INVALID),
        ("tag null", header(&iv, "null"), JWTKIT_ERR_HEADER_INVALID),
        ("iv standard base64", header(&format!("\"{}\"", b64std(&[0xfb; 12])), &tag), JWTKIT_ERR_BASE64),
        (
            "no iv",
            r#"{"alg":"A128GCMKW","enc":"A128GCM","tag":"AAAAAAAAAAAAAAAAAAAAAA"}"#.into(),
            JWTKIT_ERR_HEADER_INVALID,
        ),
        ("no tag", r#"{"alg":"A128GCMKW","enc":"A128GCM","iv":"AAAAAAAAAAAAAAAA"}"#.into(), JWTKIT_ERR_HEADER_INVALID),
        // Well-formed but not the ones sealed with: the one decryption failure.
        ("another tag", header(&iv, &q(&[0; 16])), JWTKIT_ERR_JWE_DECRYPTION_FAILED),
        ("another iv", header(&q(&[0; 12]), &tag), JWTKIT_ERR_JWE_DECRYPTION_FAILED),
    ];
    for (case, h, want) in cases {
        r.reject(case, jwe_decrypt(&jwe_with_header(&control, &h), &key, &policy), want);
    }
    r.done("aes_gcm_key_wrap_iv_and_tag_are_checked");
}

#[test]
fn every_jwe_algorithm_is_refused_outside_the_allow_list() {
    let mut r = Report::default();
    let algs = jwe_numbers(jwtkit_jwe_alg_name);
    let encs = jwe_numbers(jwtkit_jwe_enc_name);
    let all_encs: Vec<i32> = encs.iter().map(|e| e.0).collect();
    let all_algs: Vec<i32> = algs.iter().map(|a| a.0).collect();
    let key = Key::secret(PBES2_PASSWORD);
    // A PBES2 header asking for a billion iterations too: the allow-list comes first.
    let p2 = r#","p2s":"AAAAAAAAAAA","p2c":1000000000"#;
    for (n, name) in &algs {
        let token = jwe_with_header("h.AAAA.AAAA.AAAA.AAAA", &format!(r#"{{"alg":"{name}","enc":"A128GCM"{p2}}}"#));
        let others: Vec<i32> = all_algs.iter().copied().filter(|a| a != n).collect();
        let t = Instant::now();
        r.reject(
            format!("alg {name}"),
            jwe_decrypt(&token, &key, &JwePolicy::new(&others, &all_encs)),
            JWTKIT_ERR_ALG_NOT_ALLOWED,
        );
        r.check(format!("alg {name} refused in {:?}", t.elapsed()), t.elapsed() < BOUND);
        // Control: allowed, it gets past the allow-list (to fail later, on the key or the header).
        let past = jwe_decrypt(&token, &key, &JwePolicy::new(&[*n], &all_encs));
        r.check(
            format!("alg {name} allowed: {past:?}"),
            !matches!(&past, Err(f) if f.status == JWTKIT_ERR_ALG_NOT_ALLOWED),
        );
    }
    for (n, name) in &encs {
        let token = jwe_with_header("h.AAAA.AAAA.AAAA.AAAA", &format!(r#"{{"alg":"dir","enc":"{name}"}}"#));
        let others: Vec<i32> = all_encs.iter().copied().filter(|e| e != n).collect();
        r.reject(
            format!("enc {name}"),
            jwe_decrypt(&token, &key, &JwePolicy::new(&all_algs, &others)),
            JWTKIT_ERR_JWE_ENC_NOT_ALLOWED,
        );
    }
    r.check(format!("{} algs, {} encs", algs.len(), encs.len()), algs.len() >= 18 && encs.len() >= 6);
    r.done("every_jwe_algorithm_is_refused_outside_the_allow_list");
}

// =======================================================================================
// JWE JSON serialization (RFC 7516 §7.2), through `jwtkit_jwe_decrypt_json`. The JWEs are
// built here: `dir` with AES-256-GCM sealed by ring, the JSON written as text.

impl JwePolicy {
    /// A policy from registered names (the JSON serialization section).
    fn named(algs: &[&str], enc: &str) -> JwePolicy {
        let number =
            |name: &str, f: unsafe extern "C" fn(*const u8, usize, *mut i32, *mut *mut jwtkit_error) -> i32| {
                let mut n = 0;
                let st = unsafe { f(name.as_ptr(), name.len(), &mut n, ptr::null_mut()) };
                assert_eq!(st, JWTKIT_OK, "{name}");
                n
            };
        let algs: Vec<i32> = algs.iter().map(|a| number(a, jwtkit_jwe_alg_from_name)).collect();
        let encs = [number(enc, jwtkit_jwe_enc_from_name)];
        let mut p: *mut jwtkit_jwe_policy = ptr::null_mut();
        let st = unsafe { jwtkit_jwe_policy_new(algs.as_ptr(), algs.len(), encs.as_ptr(), 1, &mut p, ptr::null_mut()) };
        assert_eq!(st, JWTKIT_OK);
        JwePolicy(p)
    }
}

/// `jwtkit_jwe_decrypt_json`: Ok carries the plaintext, then the recipient index as text.
fn decrypt_json(token: &[u8], keys: &[&Key], policy: &JwePolicy) -> Verdict {
    let (tp, tn) = raw(token);
    let ptrs: Vec<*const jwtkit_key> = keys.iter().map(|k| k.0).collect();
    let mut out: *mut jwtkit_jwe_json_result = ptr::null_mut();
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let st = unsafe { jwtkit_jwe_decrypt_json(tp, tn, ptrs.as_ptr(), ptrs.len(), policy.0, &mut out, &mut err) };
    finish(st, err).map(|()| {
        let (mut p, mut pl, mut index) = (ptr::null_mut(), 0usize, usize::MAX);
        let mut err: *mut jwtkit_error = ptr::null_mut();
        let st = unsafe { jwtkit_jwe_json_result_plaintext(out, &mut p, &mut pl, &mut err) };
        finish(st, err).expect("plaintext");
        let st = unsafe {
            jwtkit_jwe_json_result_recipient(
                out,
                &mut index,
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null_mut(),
                &mut err,
            )
        };
        finish(st, err).expect("recipient");
        unsafe { jwtkit_jwe_json_result_free(out) };
        let mut v = take(p, pl);
        v.extend_from_slice(format!("@{index}").as_bytes());
        v
    })
}

const DIR_KEY: [u8; 32] = [0x5a; 32];

/// A general JWE: `protected` and `unprotected` JSON texts (if any), `recipients` JSON
/// texts, `aad`, the content sealed with `DIR_KEY` under A256GCM.
fn jwe_json(protected: Option<&str>, unprotected: Option<&str>, recipients: &[&str], aad: Option<&[u8]>) -> String {
    use ring::aead;
    let protected_b64 = protected.map(|p| b64u(p.as_bytes())).unwrap_or_default();
    let aad_b64 = aad.map(b64u);
    let authenticated = match &aad_b64 {
        Some(a) => format!("{protected_b64}.{a}"),
        None => protected_b64.clone(),
    };
    let iv = [7u8; 12];
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_256_GCM, &DIR_KEY).unwrap());
    let mut buf = b"attack at dawn".to_vec();
    let tag = key
        .seal_in_place_separate_tag(
            aead::Nonce::assume_unique_for_key(iv),
            aead::Aad::from(authenticated.as_bytes()),
            &mut buf,
        )
        .unwrap();
    let mut parts = Vec::new();
    if protected.is_some() {
        parts.push(format!(r#""protected":"{protected_b64}""#));
    }
    if let Some(u) = unprotected {
        parts.push(format!(r#""unprotected":{u}"#));
    }
    parts.push(format!(r#""recipients":[{}]"#, recipients.join(",")));
    if let Some(a) = aad_b64 {
        parts.push(format!(r#""aad":"{a}""#));
    }
    parts.push(format!(r#""iv":"{}","ciphertext":"{}","tag":"{}""#, b64u(&iv), b64u(&buf), b64u(tag.as_ref())));
    format!("{{{}}}", parts.join(","))
}

const DIR_RECIPIENT: &str = r#"{"header":{"alg":"dir"}}"#;
const ENC: Option<&str> = Some(r#"{"enc":"A256GCM"}"#);

#[test]
fn jwe_json_header_members_in_two_places_or_unprotected() {
    let mut r = Report::default();
    let key = Key::jwk(&format!(r#"{{"kty":"oct","k":"{}"}}"#, b64u(&DIR_KEY)));
    let policy = JwePolicy::named(&["dir"], "A256GCM");
    let control = jwe_json(ENC, Some(r#"{"cty":"x"}"#), &[DIR_RECIPIENT], Some(b"ctx"));
    r.accept("control: dir/A256GCM with aad and a shared header", decrypt_json(control.as_bytes(), &[&key], &policy));
    for (case, protected, unprotected, recipient) in [
        ("enc protected and unprotected", ENC, Some(r#"{"enc":"A256GCM"}"#), DIR_RECIPIENT),
        ("cty unprotected and per-recipient", ENC, Some(r#"{"cty":"x"}"#), r#"{"header":{"alg":"dir","cty":"x"}}"#),
        ("alg protected and per-recipient", Some(r#"{"enc":"A256GCM","alg":"dir"}"#), None, DIR_RECIPIENT),
        ("zip unprotected", ENC, Some(r#"{"zip":"DEF"}"#), DIR_RECIPIENT),
        ("zip per-recipient", ENC, None, r#"{"header":{"alg":"dir","zip":"DEF"}}"#),
        ("crit unprotected", ENC, Some(r#"{"crit":["exp"],"exp":1}"#), DIR_RECIPIENT),
        ("crit per-recipient", ENC, None, r#"{"header":{"alg":"dir","crit":["exp"],"exp":1}}"#),
        ("enc per-recipient", None, None, r#"{"header":{"alg":"dir","enc":"A256GCM"}}"#),
    ] {
        let token = jwe_json(protected, unprotected, &[recipient], None);
        r.reject(case, decrypt_json(token.as_bytes(), &[&key], &policy), JWTKIT_ERR_HEADER_INVALID);
    }
    r.done("jwe_json_header_members_in_two_places_or_unprotected");
}

/// A `dir` JWE with neither a protected header nor `aad` has empty additional data, like
/// an AES-GCM key wrap: with one secret allowed for both, a GCMKW encrypted key rebuilt as
/// such content would decrypt to the content key.
#[test]
fn jwe_json_dir_without_additional_data() {
    let mut r = Report::default();
    let key = Key::jwk(&format!(r#"{{"kty":"oct","k":"{}"}}"#, b64u(&DIR_KEY)));
    let policy = JwePolicy::named(&["dir"], "A256GCM");
    let with_aad = jwe_json(None, ENC, &[DIR_RECIPIENT], Some(b"ctx"));
    r.accept("control: dir, enc unprotected, with aad", decrypt_json(with_aad.as_bytes(), &[&key], &policy));
    let bare = jwe_json(None, ENC, &[DIR_RECIPIENT], None);
    r.reject(
        "dir, no protected header, no aad",
        decrypt_json(bare.as_bytes(), &[&key], &policy),
        JWTKIT_ERR_HEADER_INVALID,
    );
    r.done("jwe_json_dir_without_additional_data");
}

#[test]
fn jwe_json_recipients_outside_the_allow_list_are_never_tried() {
    let mut r = Report::default();
    let dir = Key::jwk(&format!(r#"{{"kty":"oct","k":"{}"}}"#, b64u(&DIR_KEY)));
    let rsa = Key::pem("rsa2048.pkcs8.pem");
    // RSA1_5 with a key of zeros: a padding oracle if it were ever tried.
    let rsa1_5 = format!(r#"{{"header":{{"alg":"RSA1_5"}},"encrypted_key":"{}"}}"#, b64u(&[0u8; 256]));
    let oaep = format!(r#"{{"header":{{"alg":"RSA-OAEP"}},"encrypted_key":"{}"}}"#, b64u(&[1u8; 256]));
    let mixed = jwe_json(ENC, None, &[&rsa1_5, &oaep, DIR_RECIPIENT], None);
    let dir_only = JwePolicy::named(&["dir"], "A256GCM");
    let got = decrypt_json(mixed.as_bytes(), &[&rsa, &dir], &dir_only);
    r.check(
        "RSA1_5 + RSA-OAEP + dir: opened by dir (recipient 2)",
        got.as_deref().ok() == Some(&b"attack at dawn@2"[..]),
    );
    let no_dir = jwe_json(ENC, None, &[&rsa1_5, &oaep], None);
    r.reject(
        "RSA1_5 + RSA-OAEP, only dir allowed",
        decrypt_json(no_dir.as_bytes(), &[&rsa, &dir], &dir_only),
        JWTKIT_ERR_ALG_NOT_ALLOWED,
    );
    let oaep256 = JwePolicy::named(&["RSA-OAEP-256", "dir"], "A256GCM");
    r.reject(
        "RSA1_5 alone",
        decrypt_json(jwe_json(ENC, None, &[&rsa1_5], None).as_bytes(), &[&rsa], &oaep256),
        JWTKIT_ERR_JWE_ALG_INSECURE,
    );
    r.done("jwe_json_recipients_outside_the_allow_list_are_never_tried");
}

#[test]
fn jwe_json_modified_aad_or_protected_header() {
    let mut r = Report::default();
    let key = Key::jwk(&format!(r#"{{"kty":"oct","k":"{}"}}"#, b64u(&DIR_KEY)));
    let policy = JwePolicy::named(&["dir"], "A256GCM");
    let token = jwe_json(ENC, None, &[DIR_RECIPIENT], Some(b"ctx"));
    r.accept("control", decrypt_json(token.as_bytes(), &[&key], &policy));
    let aad = format!(r#""aad":"{}""#, b64u(b"ctx"));
    let protected = format!(r#""protected":"{}""#, b64u(br#"{"enc":"A256GCM"}"#));
    for (case, from, to) in [
        ("aad changed", aad.clone(), format!(r#""aad":"{}""#, b64u(b"ctX"))),
        ("aad removed", format!(",{aad}"), String::new()),
        (
            "protected header changed",
            protected.clone(),
            format!(r#""protected":"{}""#, b64u(br#"{"enc":"A256GCM","x":1}"#)),
        ),
        ("protected header respelled", protected, format!(r#""protected":"{}""#, b64u(br#"{"enc": "A256GCM"}"#))),
    ] {
        let changed = token.replacen(&from, &to, 1);
        r.check(format!("{case}: edited"), changed != token);
        r.reject(case, decrypt_json(changed.as_bytes(), &[&key], &policy), JWTKIT_ERR_JWE_DECRYPTION_FAILED);
    }
    r.done("jwe_json_modified_aad_or_protected_header");
}

#[test]
fn jwe_json_huge_and_deep() {
    let mut r = Report::default();
    let key = Key::jwk(&format!(r#"{{"kty":"oct","k":"{}"}}"#, b64u(&DIR_KEY)));
    let policy = JwePolicy::named(&["dir"], "A256GCM");
    let many = vec![DIR_RECIPIENT; 5000];
    r.reject(
        "5000 recipients",
        decrypt_json(jwe_json(ENC, None, &many, None).as_bytes(), &[&key], &policy),
        JWTKIT_ERR_JSON_LIMIT,
    );
    let deep = format!(r#"{{"deep":{}{}}}"#, "[".repeat(500), "]".repeat(500));
    r.reject(
        "500-deep unprotected header",
        decrypt_json(jwe_json(ENC, Some(&deep), &[DIR_RECIPIENT], None).as_bytes(), &[&key], &policy),
        JWTKIT_ERR_JSON_LIMIT,
    );
    let big = format!(r#"{{"pad":"{}"}}"#, "A".repeat(200_000));
    r.reject(
        "200 KB",
        decrypt_json(jwe_json(ENC, Some(&big), &[DIR_RECIPIENT], None).as_bytes(), &[&key], &policy),
        JWTKIT_ERR_TOKEN_TOO_LARGE,
    );
    let token = jwe_json(ENC, None, &[DIR_RECIPIENT], None);
    let dup = token.replacen(r#""iv":"#, r#""iv":"AAAAAAAAAAAAAAAA","iv":"#, 1);
    r.reject("member iv twice", decrypt_json(dup.as_bytes(), &[&key], &policy), JWTKIT_ERR_JSON);
    r.done("jwe_json_huge_and_deep");
}

// =======================================================================================
// JWS JSON serialization (RFC 7515 §7.2): several signatures, each its own header

/// One signature object: `protected` (JSON text, base64url-encoded here), the optional
/// unprotected header (JSON text, as it is), the signature by `signer` over
/// `protected.payload`.
fn json_entry(signer: &Signer, alg: &str, protected: &str, unprotected: Option<&str>, payload_b64: &str) -> String {
    let encoded = b64u(protected.as_bytes());
    let sig = signer.sign(alg, format!("{encoded}.{payload_b64}").as_bytes());
    let header = unprotected.map(|h| format!(r#""header":{h},"#)).unwrap_or_default();
    format!(r#"{{"protected":"{encoded}",{header}"signature":"{}"}}"#, b64u(&sig))
}

fn json_general(payload_b64: &str, entries: &[String]) -> Vec<u8> {
    format!(r#"{{"payload":"{payload_b64}","signatures":[{}]}}"#, entries.join(",")).into_bytes()
}

/// Each signature's (status, C algorithm, key index), or the token's failure.
type JsonVerdict = Result<Vec<(i32, i32, i64)>, Fail>;

/// `jwtkit_jws_json_verify` under `rule`.
fn json_verify(token: &[u8], keys: &[&Key], policy: &Policy, rule: i32) -> JsonVerdict {
    let (tp, tn) = raw(token);
    let handles: Vec<*const jwtkit_key> = keys.iter().map(|k| k.0).collect();
    let mut out: *mut jwtkit_jws_json = ptr::null_mut();
    let mut err: *mut jwtkit_error = ptr::null_mut();
    let st = unsafe {
        jwtkit_jws_json_verify(
            tp,
            tn,
            ptr::null(),
            0,
            handles.as_ptr(),
            handles.len(),
            policy.0,
            rule,
            &mut out,
            &mut err,
        )
    };
    if let Err(e) = finish(st, err) {
        assert!(out.is_null(), "a handle written on failure ({e:?})");
        return Err(e);
    }
    let n = unsafe { jwtkit_jws_json_count(out) };
    let outcomes = (0..n)
        .map(|i| {
            let (mut status, mut alg, mut key) = (-99, -99, -99i64);
            let mut err: *mut jwtkit_error = ptr::null_mut();
            let st = unsafe {
                jwtkit_jws_json_signature(
                    out,
                    i,
                    &mut status,
                    &mut alg,
                    &mut key,
                    ptr::null_mut(),
                    ptr::null_mut(),
                    &mut err,
                )
            };
            finish(st, err).expect("signature outcome");
            (status, alg, key)
        })
        .collect();
    unsafe { jwtkit_jws_json_free(out) };
    Ok(outcomes)
}

/// The JSON attacks as `Report` cases: `Err` statuses through `reject`, outcomes
/// compared in full.
fn json_case(r: &mut Report, case: &str, got: JsonVerdict, want: Result<&[(i32, i32, i64)], i32>) {
    match want {
        Err(status) => r.reject(case, got.map(|o| format!("{o:?}").into_bytes()), status),
        Ok(outcomes) => match got {
            Ok(o) => r.check(format!("{case}: outcomes {o:?}, expected {outcomes:?}"), o == outcomes),
            Err(f) => r.accept(case, Err(f)),
        },
    }
}

#[test]
fn jws_json_signatures_are_each_checked() {
    const ANY: i32 = JWTKIT_JWS_JSON_RULE_ANY;
    const ALL: i32 = JWTKIT_JWS_JSON_RULE_ALL;
    let (hs, es, rs) = (JWTKIT_ALG_HS256, JWTKIT_ALG_ES256, JWTKIT_ALG_RS256);
    let mut r = Report::default();
    let hmac_key = Key::secret(SECRET);
    let ec_key = Key::pem("ecp256.spki.pem");
    let rsa_key = Key::pem("rsa2048.spki.pem");
    let policy = Policy::new(&[hs, es, rs]);
    let payload = b64u(b"pay me");
    let (hmac_signer, ec_signer) = (Signer::Hmac(SECRET.to_vec()), p256_signer());
    let valid_hs = json_entry(&hmac_signer, "HS256", r#"{"alg":"HS256"}"#, None, &payload);
    let valid_es = json_entry(&ec_signer, "ES256", r#"{"alg":"ES256"}"#, Some(r#"{"kid":"ec"}"#), &payload);
    let keys = [&hmac_key, &ec_key];

    let control = json_general(&payload, &[valid_hs.clone(), valid_es.clone()]);
    json_case(
        &mut r,
        "control: two valid signatures, all",
        json_verify(&control, &keys, &policy, ALL),
        Ok(&[(JWTKIT_OK, hs, 0), (JWTKIT_OK, es, 1)]),
    );

    // A forged signature beside a valid one: "any" passes and reports it; "all" fails.
    let forged = json_entry(
        &Signer::Hmac(b"the attacker's own 32-byte secret!".to_vec()),
        "HS256",
        r#"{"alg":"HS256"}"#,
        None,
        &payload,
    );
    let token = json_general(&payload, &[forged.clone(), valid_es.clone()]);
    json_case(
        &mut r,
        "forged beside valid, any",
        json_verify(&token, &keys, &policy, ANY),
        Ok(&[(JWTKIT_ERR_SIGNATURE_INVALID, hs, -1), (JWTKIT_OK, es, 1)]),
    );
    json_case(
        &mut r,
        "forged beside valid, all",
        json_verify(&token, &keys, &policy, ALL),
        Err(JWTKIT_ERR_SIGNATURE_INVALID),
    );
    json_case(
        &mut r,
        "forged alone, any",
        json_verify(&json_general(&payload, &[forged]), &keys, &policy, ANY),
        Err(JWTKIT_ERR_SIGNATURE_INVALID),
    );

    // `alg` in the unprotected header, with or without one protected.
    let moved = json_entry(&hmac_signer, "HS256", r#"{"kid":"a"}"#, Some(r#"{"alg":"HS256"}"#), &payload);
    json_case(
        &mut r,
        "alg unprotected, alone",
        json_verify(&json_general(&payload, std::slice::from_ref(&moved)), &keys, &policy, ANY),
        Err(JWTKIT_ERR_HEADER_INVALID),
    );
    json_case(
        &mut r,
        "alg unprotected beside valid, any",
        json_verify(&json_general(&payload, &[moved, valid_es.clone()]), &keys, &policy, ANY),
        Ok(&[(JWTKIT_ERR_HEADER_INVALID, 0, -1), (JWTKIT_OK, es, 1)]),
    );
    let twice = json_entry(&hmac_signer, "HS256", r#"{"alg":"HS256"}"#, Some(r#"{"alg":"HS256"}"#), &payload);
    json_case(
        &mut r,
        "alg in both headers",
        json_verify(&json_general(&payload, &[twice]), &keys, &policy, ANY),
        Err(JWTKIT_ERR_HEADER_INVALID),
    );

    // A member in both headers (the unprotected one could change what the protected says).
    let both = json_entry(&hmac_signer, "HS256", r#"{"alg":"HS256","kid":"a"}"#, Some(r#"{"kid":"b"}"#), &payload);
    json_case(
        &mut r,
        "kid in both headers",
        json_verify(&json_general(&payload, &[both]), &keys, &policy, ANY),
        Err(JWTKIT_ERR_HEADER_INVALID),
    );

    // `crit` and `b64` only protected.
    for unprotected in [r#"{"crit":["exp"],"exp":1}"#, r#"{"b64":false}"#] {
        let entry = json_entry(&hmac_signer, "HS256", r#"{"alg":"HS256"}"#, Some(unprotected), &payload);
        json_case(
            &mut r,
            &format!("unprotected {unprotected}"),
            json_verify(&json_general(&payload, &[entry]), &keys, &policy, ANY),
            Err(JWTKIT_ERR_HEADER_INVALID),
        );
    }
    let crit = json_entry(&hmac_signer, "HS256", r#"{"alg":"HS256","crit":["exp"],"exp":1}"#, None, &payload);
    json_case(
        &mut r,
        "protected crit naming an unknown extension",
        json_verify(&json_general(&payload, &[crit]), &keys, &policy, ANY),
        Err(JWTKIT_ERR_CRIT_UNSUPPORTED),
    );

    // `none` in one signature: reported under "any", fatal under "all" and alone.
    let none = format!(r#"{{"protected":"{}","signature":""}}"#, b64u(br#"{"alg":"none"}"#));
    let token = json_general(&payload, &[valid_hs.clone(), none.clone()]);
    json_case(
        &mut r,
        "none beside valid, any",
        json_verify(&token, &keys, &policy, ANY),
        Ok(&[(JWTKIT_OK, hs, 0), (JWTKIT_ERR_ALG_UNSUPPORTED, 0, -1)]),
    );
    json_case(
        &mut r,
        "none beside valid, all",
        json_verify(&token, &keys, &policy, ALL),
        Err(JWTKIT_ERR_ALG_UNSUPPORTED),
    );
    json_case(
        &mut r,
        "none alone",
        json_verify(&json_general(&payload, &[none]), &keys, &policy, ANY),
        Err(JWTKIT_ERR_ALG_UNSUPPORTED),
    );

    // An algorithm outside the allow-list beside a valid one.
    let hs_only = Policy::new(&[hs]);
    let token = json_general(&payload, &[valid_hs.clone(), valid_es.clone()]);
    json_case(
        &mut r,
        "ES256 outside the allow-list, any",
        json_verify(&token, &keys, &hs_only, ANY),
        Ok(&[(JWTKIT_OK, hs, 0), (JWTKIT_ERR_ALG_NOT_ALLOWED, es, -1)]),
    );
    json_case(
        &mut r,
        "ES256 outside the allow-list, all",
        json_verify(&token, &keys, &hs_only, ALL),
        Err(JWTKIT_ERR_ALG_NOT_ALLOWED),
    );

    // A key of the wrong type: RSA for the HS256 and ES256 signatures.
    json_case(
        &mut r,
        "RSA key for HS256 and ES256",
        json_verify(&token, &[&rsa_key], &policy, ANY),
        Err(JWTKIT_ERR_KEY_ALG_MISMATCH),
    );
    // The HMAC secret's value used as an "HS256" key for the ES256 signature's alg
    // swapped: an ES256 header signed with HMAC over the public key's PEM bytes.
    let confused =
        json_entry(&Signer::Hmac(key_file("ecp256.spki.pem")), "HS256", r#"{"alg":"HS256"}"#, None, &payload);
    json_case(
        &mut r,
        "HMAC over the public key (alg confusion)",
        json_verify(&json_general(&payload, &[confused]), &[&ec_key], &policy, ANY),
        Err(JWTKIT_ERR_KEY_ALG_MISMATCH),
    );

    // "all": every key the caller lists must have signed.
    json_case(
        &mut r,
        "all: a listed key signed nothing",
        json_verify(&json_general(&payload, std::slice::from_ref(&valid_hs)), &keys, &policy, ALL),
        Err(JWTKIT_ERR_SIGNATURE_INVALID),
    );

    // Flattened and general at once; an empty list; not objects.
    let mixed = format!(r#"{{"payload":"{payload}","signature":"AA","signatures":[{valid_hs}]}}"#).into_bytes();
    json_case(
        &mut r,
        "signature and signatures",
        json_verify(&mixed, &keys, &policy, ANY),
        Err(JWTKIT_ERR_TOKEN_MALFORMED),
    );
    json_case(
        &mut r,
        "empty signatures",
        json_verify(&json_general(&payload, &[]), &keys, &policy, ANY),
        Err(JWTKIT_ERR_TOKEN_MALFORMED),
    );
    json_case(
        &mut r,
        "a signature that is a string",
        json_verify(&json_general(&payload, &["\"x\"".into()]), &keys, &policy, ANY),
        Err(JWTKIT_ERR_TOKEN_MALFORMED),
    );
    r.done("jws_json_signatures_are_each_checked");
}

#[test]
fn jws_json_bombs_are_refused_by_a_limit() {
    let mut r = Report::default();
    let key = Key::secret(SECRET);
    let policy = Policy::new(&[JWTKIT_ALG_HS256]);
    let payload = b64u(b"p");
    let entry = json_entry(&Signer::Hmac(SECRET.to_vec()), "HS256", r#"{"alg":"HS256"}"#, None, &payload);
    let rule = JWTKIT_JWS_JSON_RULE_ANY;
    let sixteen = json_general(&payload, &vec![entry.clone(); 16]);
    json_case(
        &mut r,
        "control: 16 signatures",
        json_verify(&sixteen, &[&key], &policy, rule),
        Ok(&[(JWTKIT_OK, JWTKIT_ALG_HS256, 0); 16]),
    );
    let many = json_general(&payload, &vec![entry.clone(); 17]);
    timed(
        &mut r,
        "17 signatures",
        BOUND,
        || json_verify(&many, &[&key], &policy, rule).map(|_| vec![]),
        JWTKIT_ERR_JSON_LIMIT,
    );
    let cheap = r#"{"protected":"e30","signature":""}"#.to_string();
    let huge = json_general(&payload, &vec![cheap; 30_000]);
    let lifted = Policy::new(&[JWTKIT_ALG_HS256]).limit(JWTKIT_LIMIT_TOKEN_LEN, 64 * 1024 * 1024);
    timed(
        &mut r,
        "30 000 signatures",
        BOUND,
        || json_verify(&huge, &[&key], &lifted, rule).map(|_| vec![]),
        JWTKIT_ERR_JSON_LIMIT,
    );
    let deep = format!(
        r#"{{"payload":"{payload}","x":{}{},"signatures":[{entry}]}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    timed(
        &mut r,
        "100 000 nested arrays",
        BOUND,
        || json_verify(deep.as_bytes(), &[&key], &lifted, rule).map(|_| vec![]),
        JWTKIT_ERR_JSON_LIMIT,
    );
    timed(
        &mut r,
        "100 000 nested arrays, size limit",
        BOUND,
        || json_verify(deep.as_bytes(), &[&key], &policy, rule).map(|_| vec![]),
        JWTKIT_ERR_TOKEN_TOO_LARGE,
    );
    r.done("jws_json_bombs_are_refused_by_a_limit");
}
