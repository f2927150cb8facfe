//! The claims validation policy (`jwtkit_validation_*`) and the sign options
//! (`jwtkit_sign_options_*`), exercised through the C ABI exactly as a C caller would:
//! every call goes through `jwtkit::ffi`, every failure is checked for its SPECIFIC
//! status (returned and carried by the `jwtkit_error`), and every handle, string and
//! error is freed.
//!
//! Most rules are tables: one row = one token, one policy, one expected status. A table
//! runs every row and reports all failing rows at once. "Now" is fixed with
//! `jwtkit_validation_set_now(NOW)` unless a row says otherwise.
//!
//! `known_bugs` holds rows that fail because of library bugs (see its comment); it is
//! `#[ignore]`d so the suite stays green, and runs with `cargo test --test claims -- --ignored`.
#![allow(unused_unsafe, clippy::missing_safety_doc)]

use std::ffi::{c_char, c_void, CStr};
use std::ptr;
use std::sync::Mutex;

use jwtkit::ffi::*;

/// The fixed clock of the tables (2023-11-14T22:13:20Z).
const NOW: i64 = 1_700_000_000;
const SECRET: &[u8] = b"claims test secret: at least 32 bytes long";

// ---------------------------------------------------------------------------------------
// Calling the C ABI

/// A failed call: the status and the error's message.
#[derive(Debug, Clone, PartialEq)]
struct Failed {
    status: i32,
    message: String,
}

fn name(status: i32) -> String {
    let p = unsafe { jwtkit_status_str(status) };
    assert!(!p.is_null());
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// Checks the error contract (OK has no error object; a failure has one carrying the
/// same status and a non-empty message), frees the error, and returns the outcome.
fn finish(status: i32, err: *mut jwtkit_error) -> Result<(), Failed> {
    if status == JWTKIT_OK {
        assert!(err.is_null(), "JWTKIT_OK but *out_err was set");
        return Ok(());
    }
    assert!(!err.is_null(), "{} without an error object", name(status));
    let carried = unsafe { jwtkit_error_status(err) };
    let message = unsafe { CStr::from_ptr(jwtkit_error_message(err)) }.to_string_lossy().into_owned();
    unsafe { jwtkit_error_free(err) };
    assert_eq!(carried, status, "jwtkit_error_status differs from the returned status ({message})");
    assert!(!message.is_empty(), "{} with an empty message", name(status));
    Err(Failed { status, message })
}

/// Status only, for setters.
fn st(status: i32, err: *mut jwtkit_error) -> i32 {
    match finish(status, err) {
        Ok(()) => JWTKIT_OK,
        Err(f) => f.status,
    }
}

/// Copies and frees a library string, checking its NUL terminator.
fn take(p: *mut c_char, len: usize) -> Vec<u8> {
    assert!(!p.is_null(), "output is NULL on success");
    let bytes = unsafe { std::slice::from_raw_parts(p as *const u8, len + 1) }.to_vec();
    unsafe { jwtkit_string_free(p) };
    assert_eq!(bytes[len], 0, "output not NUL-terminated at its length");
    bytes[..len].to_vec()
}

/// `(ptr, len)` of a byte string; empty is `(NULL, 0)`.
fn raw(b: &[u8]) -> (*const u8, usize) {
    if b.is_empty() {
        (ptr::null(), 0)
    } else {
        (b.as_ptr(), b.len())
    }
}

/// A JSON string literal.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// `{"name":value,...}` from raw JSON values (numbers, `q(..)` strings, arrays...).
macro_rules! claims {
    () => { String::from("{}") };
    ($($name:literal : $value:expr),+ $(,)?) => {{
        let parts: Vec<String> = vec![$(format!("{}:{}", q($name), $value)),+];
        format!("{{{}}}", parts.join(","))
    }};
}

struct Key(*const jwtkit_key);

impl Drop for Key {
    fn drop(&mut self) {
        unsafe { jwtkit_key_free(self.0) };
    }
}

fn hs256_key(secret: &[u8]) -> Key {
    let mut key = ptr::null();
    let mut err = ptr::null_mut();
    let (p, n) = raw(secret);
    finish(unsafe { jwtkit_key_from_secret(p, n, 0, &mut key, &mut err) }, err).expect("HMAC key");
    Key(key)
}

/// An HS256-only validation policy with the clock fixed at NOW. Setters assert OK.
struct Policy(*mut jwtkit_validation);

impl Drop for Policy {
    fn drop(&mut self) {
        unsafe { jwtkit_validation_free(self.0) };
    }
}

macro_rules! setter_text {
    ($name:ident, $ffi:ident) => {
        fn $name(&self, text: &str) -> &Self {
            let mut err = ptr::null_mut();
            let (p, n) = raw(text.as_bytes());
            finish(unsafe { $ffi(self.0, p, n, &mut err) }, err).expect(stringify!($ffi));
            self
        }
    };
}

impl Policy {
    fn new() -> Policy {
        let algs = [JWTKIT_ALG_HS256];
        let mut v = ptr::null_mut();
        let mut err = ptr::null_mut();
        finish(unsafe { jwtkit_validation_new(algs.as_ptr(), 1, &mut v, &mut err) }, err).expect("validation");
        let p = Policy(v);
        p.now(NOW);
        p
    }

    fn now(&self, t: i64) -> &Self {
        let mut err = ptr::null_mut();
        finish(unsafe { jwtkit_validation_set_now(self.0, t, &mut err) }, err).expect("set_now");
        self
    }

    fn leeway(&self, s: u64) -> &Self {
        let mut err = ptr::null_mut();
        finish(unsafe { jwtkit_validation_set_leeway(self.0, s, &mut err) }, err).expect("set_leeway");
        self
    }

    fn max_age(&self, s: u64) -> &Self {
        let mut err = ptr::null_mut();
        finish(unsafe { jwtkit_validation_set_max_age(self.0, s, &mut err) }, err).expect("set_max_age");
        self
    }

    fn strict_audience(&self, on: bool) -> &Self {
        let mut err = ptr::null_mut();
        finish(unsafe { jwtkit_validation_set_strict_audience(self.0, on, &mut err) }, err).expect("strict");
        self
    }

    fn disable(&self, bits: u32) -> &Self {
        let mut err = ptr::null_mut();
        finish(unsafe { jwtkit_validation_disable_checks(self.0, bits, &mut err) }, err).expect("disable_checks");
        self
    }

    fn revocation(&self, check: jwtkit_revocation_fn, ctx: *mut c_void) -> &Self {
        let mut err = ptr::null_mut();
        finish(unsafe { jwtkit_validation_set_revocation_check(self.0, check, ctx, &mut err) }, err)
            .expect("set_revocation_check");
        self
    }

    setter_text!(issuer, jwtkit_validation_add_issuer);
    setter_text!(audience, jwtkit_validation_add_audience);
    setter_text!(subject, jwtkit_validation_set_subject);
    setter_text!(require, jwtkit_validation_require_claim);
    setter_text!(typ, jwtkit_validation_set_typ);
}

/// A token over the claims bytes. `header` None: `jwtkit_sign` (claims must be a JSON
/// object; header gets `typ: "JWT"`). `header` Some: `jwtkit_jws_sign` with exactly that
/// header and the payload bytes as they are (lets a row carry JSON that `jwtkit_sign`
/// refuses, or no `typ`).
fn mint(key: &Key, header: Option<&str>, claims: &[u8]) -> String {
    let (cp, cn) = raw(claims);
    let (mut out, mut len) = (ptr::null_mut(), 0usize);
    let mut err = ptr::null_mut();
    let status = match header {
        None => unsafe { jwtkit_sign(key.0, JWTKIT_ALG_HS256, cp, cn, ptr::null(), 0, &mut out, &mut len, &mut err) },
        Some(h) => {
            let (hp, hn) = raw(h.as_bytes());
            unsafe { jwtkit_jws_sign(key.0, JWTKIT_ALG_HS256, cp, cn, hp, hn, &mut out, &mut len, &mut err) }
        }
    };
    finish(status, err).unwrap_or_else(|e| panic!("signing {:?}: {e:?}", String::from_utf8_lossy(claims)));
    String::from_utf8(take(out, len)).unwrap()
}

/// A token signed by the test itself (HS256 over SECRET with ring), for headers jwtkit
/// refuses to sign but another issuer could send.
fn forge(header: &str, claims: &[u8]) -> String {
    use base64::engine::{general_purpose::URL_SAFE_NO_PAD as B64, Engine};
    let input = format!("{}.{}", B64.encode(header), B64.encode(claims));
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET);
    let tag = ring::hmac::sign(&key, input.as_bytes());
    format!("{input}.{}", B64.encode(tag.as_ref()))
}

/// What `jwtkit_verify` hands back on success.
#[derive(Debug)]
struct Verified {
    header: Vec<u8>,
    claims: Vec<u8>,
}

fn verify(token: &str, key: &Key, policy: &Policy) -> Result<Verified, Failed> {
    let (tp, tn) = raw(token.as_bytes());
    let (mut h, mut hl, mut c, mut cl) = (ptr::null_mut(), 0usize, ptr::null_mut(), 0usize);
    let mut err = ptr::null_mut();
    let status = unsafe { jwtkit_verify(tp, tn, key.0, policy.0, &mut h, &mut hl, &mut c, &mut cl, &mut err) };
    match finish(status, err) {
        Ok(()) => Ok(Verified { header: take(h, hl), claims: take(c, cl) }),
        Err(e) => {
            assert!(h.is_null() && c.is_null(), "{} but an output was written", name(e.status));
            Err(e)
        }
    }
}

fn decode_unverified(token: &str) -> (serde_json::Value, Vec<u8>) {
    let (tp, tn) = raw(token.as_bytes());
    let (mut h, mut hl, mut c, mut cl) = (ptr::null_mut(), 0usize, ptr::null_mut(), 0usize);
    let mut err = ptr::null_mut();
    let status = unsafe { jwtkit_decode_unverified(tp, tn, &mut h, &mut hl, &mut c, &mut cl, &mut err) };
    finish(status, err).expect("decode_unverified");
    let header = take(h, hl);
    (serde_json::from_slice(&header).unwrap(), take(c, cl))
}

// ---------------------------------------------------------------------------------------
// Tables

struct Row {
    name: String,
    /// None: `jwtkit_sign` with the default header; Some: `jwtkit_jws_sign` with it.
    header: Option<String>,
    /// Signed by `forge` instead (the header is then required).
    forged: bool,
    claims: String,
    setup: Box<dyn Fn(&Policy)>,
    want: i32,
}

fn row(name: impl Into<String>, claims: impl Into<String>, setup: impl Fn(&Policy) + 'static, want: i32) -> Row {
    Row { name: name.into(), header: None, forged: false, claims: claims.into(), setup: Box::new(setup), want }
}

impl Row {
    fn header(mut self, h: impl Into<String>) -> Row {
        self.header = Some(h.into());
        self
    }

    fn forged(mut self, h: impl Into<String>) -> Row {
        self.header = Some(h.into());
        self.forged = true;
        self
    }
}

fn none(_: &Policy) {}

/// Runs every row with a fresh policy; on success also checks that the verified claims
/// are the exact bytes signed and the header is the one signed. Panics listing every
/// failing row.
fn run(table: &str, rows: Vec<Row>) {
    let key = hs256_key(SECRET);
    let mut failures = Vec::new();
    for r in &rows {
        let policy = Policy::new();
        (r.setup)(&policy);
        let token = match (&r.header, r.forged) {
            (Some(h), true) => forge(h, r.claims.as_bytes()),
            _ => mint(&key, r.header.as_deref(), r.claims.as_bytes()),
        };
        match verify(&token, &key, &policy) {
            Ok(v) if r.want == JWTKIT_OK => {
                if v.claims != r.claims.as_bytes() {
                    failures.push(format!("{}: claims came back as {:?}", r.name, String::from_utf8_lossy(&v.claims)));
                }
                let (header, _) = decode_unverified(&token);
                if serde_json::from_slice::<serde_json::Value>(&v.header).ok() != Some(header) {
                    failures.push(format!("{}: header came back as {:?}", r.name, String::from_utf8_lossy(&v.header)));
                }
            }
            Ok(_) => failures.push(format!("{}: {}\n      want {}, got JWTKIT_OK", r.name, r.claims, name(r.want))),
            Err(e) if e.status == r.want => {}
            Err(e) => failures.push(format!(
                "{}: {}\n      want {}, got {} ({})",
                r.name,
                r.claims,
                name(r.want),
                name(e.status),
                e.message
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{table}: {} of {} rows failed:\n  {}",
        failures.len(),
        rows.len(),
        failures.join("\n  ")
    );
    println!("{table}: {} rows passed", rows.len());
}

const OK: i32 = JWTKIT_OK;
const EXPIRED: i32 = JWTKIT_ERR_EXPIRED;
const NOT_YET: i32 = JWTKIT_ERR_NOT_YET_VALID;
const FUTURE: i32 = JWTKIT_ERR_ISSUED_IN_FUTURE;
const TOO_OLD: i32 = JWTKIT_ERR_TOO_OLD;
const INVALID: i32 = JWTKIT_ERR_CLAIM_INVALID;
const MISSING: i32 = JWTKIT_ERR_CLAIM_MISSING;
const ISS: i32 = JWTKIT_ERR_ISSUER_MISMATCH;
const AUD: i32 = JWTKIT_ERR_AUDIENCE_MISMATCH;
const SUB: i32 = JWTKIT_ERR_SUBJECT_MISMATCH;
const TYP: i32 = JWTKIT_ERR_TYP_MISMATCH;

#[test]
fn time_boundaries() {
    let l30 = |p: &Policy| {
        p.leeway(30);
    };
    let age300 = |p: &Policy| {
        p.max_age(300);
    };
    run(
        "time boundaries",
        vec![
            row("no time claims", claims!(), none, OK),
            // exp: rejected when now >= exp + leeway
            row("exp == now", claims!("exp": NOW), none, EXPIRED),
            row("exp == now + 1", claims!("exp": NOW + 1), none, OK),
            row("exp == now - 1", claims!("exp": NOW - 1), none, EXPIRED),
            row("exp == 0", claims!("exp": 0), none, EXPIRED),
            row("exp == now - leeway", claims!("exp": NOW - 30), l30, EXPIRED),
            row("exp == now - leeway + 1", claims!("exp": NOW - 29), l30, OK),
            row("exp == now with leeway", claims!("exp": NOW), l30, OK),
            // nbf: rejected when now < nbf - leeway
            row("nbf == now", claims!("nbf": NOW), none, OK),
            row("nbf == now + 1", claims!("nbf": NOW + 1), none, NOT_YET),
            row("nbf == now - 1", claims!("nbf": NOW - 1), none, OK),
            row("nbf == now + leeway", claims!("nbf": NOW + 30), l30, OK),
            row("nbf == now + leeway + 1", claims!("nbf": NOW + 31), l30, NOT_YET),
            // iat: rejected when iat > now + leeway
            row("iat == now", claims!("iat": NOW), none, OK),
            row("iat == now + 1", claims!("iat": NOW + 1), none, FUTURE),
            row("iat == now + leeway", claims!("iat": NOW + 30), l30, OK),
            row("iat == now + leeway + 1", claims!("iat": NOW + 31), l30, FUTURE),
            row("iat long ago, no max age", claims!("iat": 0), none, OK),
            // max age: rejected when now - iat > max_age + leeway; iat then required
            row("iat == now - max_age", claims!("iat": NOW - 300), age300, OK),
            row("iat == now - max_age - 1", claims!("iat": NOW - 301), age300, TOO_OLD),
            row(
                "max age, iat == now - max_age - leeway",
                claims!("iat": NOW - 310),
                |p| {
                    p.max_age(300).leeway(10);
                },
                OK,
            ),
            row(
                "max age, iat == now - max_age - leeway - 1",
                claims!("iat": NOW - 311),
                |p| {
                    p.max_age(300).leeway(10);
                },
                TOO_OLD,
            ),
            row("max age, no iat", claims!("exp": NOW + 60), age300, MISSING),
            row(
                "max age 0, iat == now",
                claims!("iat": NOW),
                |p| {
                    p.max_age(0);
                },
                OK,
            ),
            row(
                "max age 0, iat == now - 1",
                claims!("iat": NOW - 1),
                |p| {
                    p.max_age(0);
                },
                TOO_OLD,
            ),
            row("max age, iat in the future", claims!("iat": NOW + 1), age300, FUTURE),
            // all together, and the order of the checks (exp, nbf, iat, max age)
            row("all valid", claims!("iat": NOW - 10, "nbf": NOW - 10, "exp": NOW + 10), age300, OK),
            row("expired and not yet valid", claims!("nbf": NOW + 10, "exp": NOW), none, EXPIRED),
            row("not yet valid and issued in future", claims!("nbf": NOW + 10, "iat": NOW + 10), none, NOT_YET),
            // a member name written with escapes is the same claim
            row("escaped name: e\\u0078p == 1", r#"{"e\u0078p":1}"#, none, EXPIRED),
            row("escaped name: n\\u0062f in the future", r#"{"n\u0062f":1800000000}"#, none, NOT_YET),
            // the clock override itself
            row(
                "now = 0",
                claims!("exp": 1, "nbf": 0),
                |p| {
                    p.now(0);
                },
                OK,
            ),
            row(
                "negative now, exp == now + 1",
                claims!("exp": -99),
                |p| {
                    p.now(-100);
                },
                OK,
            ),
            row(
                "negative now, exp == now",
                claims!("exp": -100),
                |p| {
                    p.now(-100);
                },
                EXPIRED,
            ),
            row(
                "set_now twice: the last wins",
                claims!("exp": NOW + 1),
                |p| {
                    p.now(NOW + 5).now(NOW);
                },
                OK,
            ),
            // an absurd leeway does not overflow
            row(
                "leeway u64::MAX, exp 0",
                claims!("exp": 0),
                |p| {
                    p.leeway(u64::MAX);
                },
                OK,
            ),
            row(
                "leeway u64::MAX, nbf 1e300",
                claims!("nbf": "1e300"),
                |p| {
                    p.leeway(u64::MAX);
                },
                NOT_YET,
            ),
        ],
    );
}

#[test]
fn system_clock_and_replay() {
    let key = hs256_key(SECRET);
    let real_now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    // A policy without set_now uses the system clock.
    let algs = [JWTKIT_ALG_HS256];
    let mut v = ptr::null_mut();
    let mut err = ptr::null_mut();
    finish(unsafe { jwtkit_validation_new(algs.as_ptr(), 1, &mut v, &mut err) }, err).unwrap();
    let system = Policy(v);
    let fresh = mint(&key, None, claims!("exp": real_now + 3600, "iat": real_now - 1).as_bytes());
    let stale = mint(&key, None, claims!("exp": real_now - 3600).as_bytes());
    let early = mint(&key, None, claims!("nbf": real_now + 3600).as_bytes());
    assert!(verify(&fresh, &key, &system).is_ok());
    assert_eq!(verify(&stale, &key, &system).unwrap_err().status, EXPIRED);
    assert_eq!(verify(&early, &key, &system).unwrap_err().status, NOT_YET);
    // Replaying: the same stale token with the clock set back to when it was valid.
    system.now(real_now - 3601);
    assert!(verify(&stale, &key, &system).is_ok());
    assert_eq!(verify(&fresh, &key, &system).unwrap_err().status, FUTURE);
}

#[test]
fn fractional_numeric_dates() {
    let age = |p: &Policy| {
        p.max_age(300);
    };
    run(
        "fractional NumericDates",
        vec![
            row("exp == now + 0.5", claims!("exp": format!("{NOW}.5")), none, OK),
            row("exp == now - 0.5", claims!("exp": format!("{}.5", NOW - 1)), none, EXPIRED),
            row("exp == now.0", claims!("exp": format!("{NOW}.0")), none, EXPIRED),
            row("exp == now + 1e-6", claims!("exp": format!("{NOW}.000001")), none, OK),
            row("exp == 1.7e9 (exponent form == now)", claims!("exp": "1.7e9"), none, EXPIRED),
            row("exp == 17000000001E-1 (== now + 0.1)", claims!("exp": "17000000001E-1"), none, OK),
            row("nbf == now + 0.5", claims!("nbf": format!("{NOW}.5")), none, NOT_YET),
            row("nbf == now - 0.5", claims!("nbf": format!("{}.5", NOW - 1)), none, OK),
            row(
                "nbf == now + 0.5, leeway 1",
                claims!("nbf": format!("{NOW}.5")),
                |p| {
                    p.leeway(1);
                },
                OK,
            ),
            row("iat == now + 0.5", claims!("iat": format!("{NOW}.5")), none, FUTURE),
            row(
                "iat == now + 0.5, leeway 1",
                claims!("iat": format!("{NOW}.5")),
                |p| {
                    p.leeway(1);
                },
                OK,
            ),
            row("max age, iat == now - 299.5", claims!("iat": format!("{}.5", NOW - 300)), age, OK),
            row("max age, iat == now - 300.5", claims!("iat": format!("{}.5", NOW - 301)), age, TOO_OLD),
            row(
                "exp == -0.0, now 0",
                claims!("exp": "-0.0"),
                |p| {
                    p.now(0);
                },
                EXPIRED,
            ),
            row(
                "exp == 0.5, now 0",
                claims!("exp": "0.5"),
                |p| {
                    p.now(0);
                },
                OK,
            ),
        ],
    );
}

/// Values beyond 64 bits must stay huge: a wrapping implementation would read 2^63 as
/// i64::MIN and 2^64+1 as 1, and call an eternal token expired or a future one valid.
#[test]
fn huge_numeric_dates_do_not_wrap() {
    const I64_MAX: &str = "9223372036854775807";
    const P63: &str = "9223372036854775808"; // 2^63
    const U64_MAX: &str = "18446744073709551615";
    const P64_1: &str = "18446744073709551617"; // 2^64 + 1
    const NEG_P63_1: &str = "-9223372036854775809";
    const NEG_P64_1: &str = "-18446744073709551617";
    let age = |p: &Policy| {
        p.max_age(300);
    };
    let mut rows = Vec::new();
    for v in [I64_MAX, P63, U64_MAX, P64_1, "1e300", "1.7976931348623157e308"] {
        rows.push(row(format!("exp == {v}"), claims!("exp": v), none, OK));
        rows.push(row(format!("nbf == {v}"), claims!("nbf": v), none, NOT_YET));
        rows.push(row(format!("iat == {v}"), claims!("iat": v), none, FUTURE));
        rows.push(row(
            format!("iat == {v}, iat check off, max age"),
            claims!("iat": v),
            |p| {
                p.disable(JWTKIT_CHECK_IAT).max_age(300);
            },
            OK,
        ));
    }
    for v in ["-9223372036854775808", NEG_P63_1, NEG_P64_1, "-1e300", "-1.7976931348623157e308"] {
        rows.push(row(format!("exp == {v}"), claims!("exp": v), none, EXPIRED));
        rows.push(row(format!("nbf == {v}"), claims!("nbf": v), none, OK));
        rows.push(row(format!("iat == {v}"), claims!("iat": v), none, OK));
        rows.push(row(format!("iat == {v}, max age"), claims!("iat": v), age, TOO_OLD));
    }
    // The policy's own "now" at the i64 extremes.
    rows.push(row(
        "now i64::MIN, exp -2^62",
        claims!("exp": "-4611686018427387904"),
        |p| {
            p.now(i64::MIN);
        },
        OK,
    ));
    rows.push(row(
        "now i64::MAX, exp 1e300",
        claims!("exp": "1e300"),
        |p| {
            p.now(i64::MAX);
        },
        OK,
    ));
    rows.push(row(
        "now i64::MAX, exp 2^64+1",
        claims!("exp": P64_1),
        |p| {
            p.now(i64::MAX);
        },
        OK,
    ));
    rows.push(row(
        "now i64::MAX, nbf 0",
        claims!("nbf": 0),
        |p| {
            p.now(i64::MAX);
        },
        OK,
    ));
    rows.push(row(
        "now i64::MIN, nbf 0",
        claims!("nbf": 0),
        |p| {
            p.now(i64::MIN);
        },
        NOT_YET,
    ));
    // now - iat is computed without overflow: 2^63 - 1 + 2^64 + 1 > u64::MAX, 2^63 - 1 < it.
    rows.push(row(
        "now i64::MAX, max age u64::MAX, iat -2^64-1",
        claims!("iat": NEG_P64_1),
        |p| {
            p.now(i64::MAX).max_age(u64::MAX);
        },
        TOO_OLD,
    ));
    rows.push(row(
        "now i64::MAX, max age u64::MAX, iat 0",
        claims!("iat": 0),
        |p| {
            p.now(i64::MAX).max_age(u64::MAX);
        },
        OK,
    ));
    rows.push(row(
        "now i64::MIN, max age 0, iat i64::MIN",
        claims!("iat": i64::MIN),
        |p| {
            p.now(i64::MIN).max_age(0);
        },
        OK,
    ));
    run("huge NumericDates", rows);
}

/// Numbers that do not fit an IEEE double at all (1e400, a 400-digit integer) are not
/// NumericDates jwtkit can compare. serde_json refuses to turn them into infinity ("number
/// out of range"), so the claims are not valid JSON for jwtkit and the token fails with
/// JWTKIT_ERR_JSON before any claim is looked at. That is the safe outcome: an infinite
/// `exp` would never expire, and treating the claim as absent would skip the check. The
/// same holds whatever the claim's name (it is the JSON layer, not the claims layer), and
/// `jwtkit_sign` refuses to create such a token in the first place.
#[test]
fn numbers_beyond_double_are_refused_by_the_json_layer() {
    let key = hs256_key(SECRET);
    let policy = Policy::new();
    let digits400 = format!("1{}", "0".repeat(400));
    for (claim, value) in [
        ("exp", "1e400"),
        ("exp", "-1e400"),
        ("nbf", "1e400"),
        ("iat", "1e400"),
        ("custom", "1e400"),
        ("exp", digits400.as_str()),
    ] {
        let json = format!("{{{}:{value}}}", q(claim));
        // jws_sign does not parse its payload, so the token can carry it.
        let token = mint(&key, Some(r#"{"typ":"JWT"}"#), json.as_bytes());
        let e = verify(&token, &key, &policy).unwrap_err();
        assert_eq!(e.status, JWTKIT_ERR_JSON, "{json}: {e:?}");
        // Even with every check off: it is not a claim check.
        let lax = Policy::new();
        lax.disable(63);
        assert_eq!(verify(&token, &key, &lax).unwrap_err().status, JWTKIT_ERR_JSON, "{json}");
        // And jwtkit_sign will not produce it.
        let (cp, cn) = raw(json.as_bytes());
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        let s = unsafe {
            jwtkit_sign(key.0, JWTKIT_ALG_HS256, cp, cn, ptr::null(), 0, &mut out, ptr::null_mut(), &mut err)
        };
        assert_eq!(st(s, err), JWTKIT_ERR_JSON, "jwtkit_sign {json}");
        assert!(out.is_null());
    }
    // Tiny values underflow to 0 (serde_json), which is a fine NumericDate: the epoch.
    let token = mint(&key, None, br#"{"exp":1e-400}"#);
    assert_eq!(verify(&token, &key, &policy).unwrap_err().status, EXPIRED);
}

#[test]
fn wrong_types_for_registered_claims() {
    let mut rows = Vec::new();
    // NumericDates: a present claim of another type is an error, never "absent".
    for claim in ["exp", "nbf", "iat"] {
        for bad in [r#""1700000001""#, r#""""#, "true", "false", "null", "[]", "[1700000001]", "{}", r#"{"$date":1}"#] {
            rows.push(row(format!("{claim} = {bad}"), format!("{{{}:{bad}}}", q(claim)), none, INVALID));
        }
    }
    // iss, sub, jti: strings.
    for claim in ["iss", "sub", "jti"] {
        for bad in ["1", "0", "-1.5", "true", "null", "[]", r#"["a"]"#, "{}"] {
            rows.push(row(format!("{claim} = {bad}"), format!("{{{}:{bad}}}", q(claim)), none, INVALID));
        }
    }
    // aud: a string or an array of strings (`null`, like "" and [], names none: below).
    rows.push(row("aud = null", r#"{"aud":null}"#, none, OK));
    rows.push(row(
        "aud = null, api expected",
        r#"{"aud":null}"#,
        |p| {
            p.audience("api");
        },
        MISSING,
    ));
    for bad in [
        "1",
        "true",
        "{}",
        r#"{"aud":"api"}"#,
        "[1]",
        r#"["api",1]"#,
        r#"["api",null]"#,
        r#"[["api"]]"#,
        r#"["api",{}]"#,
    ] {
        rows.push(row(format!("aud = {bad}"), format!(r#"{{"aud":{bad}}}"#), none, INVALID));
        // Even when the token would otherwise match, and with the audience check off.
        rows.push(row(
            format!("aud = {bad}, api expected"),
            format!(r#"{{"aud":{bad}}}"#),
            |p| {
                p.audience("api");
            },
            INVALID,
        ));
    }
    // Type checks stay on when every check is disabled, and come before everything else.
    for (claim, bad) in
        [("exp", "\"x\""), ("nbf", "null"), ("iat", "[]"), ("iss", "1"), ("sub", "{}"), ("jti", "true"), ("aud", "[2]")]
    {
        rows.push(row(
            format!("{claim} = {bad}, all checks off"),
            format!("{{{}:{bad}}}", q(claim)),
            |p| {
                p.disable(63);
            },
            INVALID,
        ));
        rows.push(row(
            format!("{claim} = {bad}, before a missing required claim"),
            format!("{{{}:{bad}}}", q(claim)),
            |p| {
                p.require("scope");
            },
            INVALID,
        ));
    }
    rows.push(row("expired, and iss not a string", claims!("exp": 1, "iss": 1), none, INVALID));
    // Unregistered claims may be anything.
    rows.push(row("custom claims of every type", r#"{"a":null,"b":[1,{}],"c":"x","d":true,"e":1.5}"#, none, OK));
    run("wrong types", rows);
}

#[test]
fn audience() {
    let api = |p: &Policy| {
        p.audience("api");
    };
    let two = |p: &Policy| {
        p.audience("api").audience("web");
    };
    let strict = |p: &Policy| {
        p.audience("api").strict_audience(true);
    };
    let aud = |v: &str| claims!("aud": v);
    run(
        "audience",
        vec![
            // one expected audience
            row("string, equal", aud(r#""api""#), api, OK),
            row("array of one, equal", aud(r#"["api"]"#), api, OK),
            row("array, contains it", aud(r#"["other","api"]"#), api, OK),
            row("string, different", aud(r#""other""#), api, AUD),
            row("array, lacks it", aud(r#"["other","web"]"#), api, AUD),
            // As in PyJWT, an empty `aud` ("" or []) counts as missing.
            row("empty array", aud("[]"), api, MISSING),
            row("empty string", aud(r#""""#), api, MISSING),
            row("none expected, empty array", aud("[]"), none, OK),
            row("missing", claims!("sub": q("x")), api, MISSING),
            row("case differs", aud(r#""API""#), api, AUD),
            row("prefix of expected", aud(r#""ap""#), api, AUD),
            row("expected is a prefix", aud(r#""apis""#), api, AUD),
            row("trailing space", aud(r#""api ""#), api, AUD),
            row("space-separated list", aud(r#""api web""#), api, AUD),
            row("escaped but equal", aud(r#""\u0061pi""#), api, OK),
            // several expected audiences: any one matches
            row("two expected, string second", aud(r#""web""#), two, OK),
            row("two expected, array with second", aud(r#"["x","web"]"#), two, OK),
            row("two expected, neither", aud(r#"["x","y"]"#), two, AUD),
            // none expected (PyJWT): a token with an audience fails unless the check is off
            row("none expected, none present", claims!(), none, OK),
            row("none expected, string present", aud(r#""api""#), none, AUD),
            row("none expected, array present", aud(r#"["api"]"#), none, AUD),
            row(
                "none expected, check off",
                aud(r#""api""#),
                |p| {
                    p.disable(JWTKIT_CHECK_AUD);
                },
                OK,
            ),
            row(
                "expected, check off, wrong",
                aud(r#""other""#),
                |p| {
                    p.audience("api").disable(JWTKIT_CHECK_AUD);
                },
                OK,
            ),
            row(
                "expected, check off, missing",
                claims!(),
                |p| {
                    p.audience("api").disable(JWTKIT_CHECK_AUD);
                },
                OK,
            ),
            // strict (PyJWT strict_aud): a single string equal to the single expected one
            row("strict, string equal", aud(r#""api""#), strict, OK),
            // An array is a claim of the wrong format under strict audience (PyJWT's words).
            row("strict, array of one", aud(r#"["api"]"#), strict, INVALID),
            row("strict, string different", aud(r#""web""#), strict, AUD),
            row("strict, missing", claims!(), strict, MISSING),
            row(
                "strict, two expected",
                aud(r#""api""#),
                |p| {
                    p.audience("api").audience("web").strict_audience(true);
                },
                AUD,
            ),
            row(
                "strict switched off again",
                aud(r#"["api"]"#),
                |p| {
                    p.audience("api").strict_audience(true).strict_audience(false);
                },
                OK,
            ),
        ],
    );
}

#[test]
fn issuer() {
    const ISSUER: &str = "https://issuer.example";
    let one = |p: &Policy| {
        p.issuer(ISSUER);
    };
    let iss = |v: &str| claims!("iss": q(v));
    let mut rows = vec![
        row("exact", iss(ISSUER), one, OK),
        row("escaped but equal", claims!("iss": r#""https:\/\/issuer.exam\u0070le""#), one, OK),
        row("missing", claims!(), one, MISSING),
        row("none configured: any issuer", iss("https://anyone.example"), none, OK),
        row(
            "check off: wrong issuer",
            iss("https://evil.example"),
            |p| {
                p.issuer(ISSUER).disable(JWTKIT_CHECK_ISS);
            },
            OK,
        ),
        row(
            "check off: missing",
            claims!(),
            |p| {
                p.issuer(ISSUER).disable(JWTKIT_CHECK_ISS);
            },
            OK,
        ),
    ];
    // Substring, prefix, suffix, case, whitespace, NUL and lookalike attempts all fail.
    for attempt in [
        "https://issuer.example.evil.com",
        "https://issuer.example/",
        "https://issuer.example/evil",
        "https://issuer.example:443",
        "https://issuer.exampl",
        "https://issuer",
        "issuer.example",
        "https://evil.com/https://issuer.example",
        "evilhttps://issuer.example",
        "http://issuer.example",
        "HTTPS://ISSUER.EXAMPLE",
        "https://Issuer.example",
        " https://issuer.example",
        "https://issuer.example ",
        "https://issuer.example\n",
        "https://issuer.example\u{0}",
        "https://issuer.example\u{0}.evil.com",
        "https://\u{456}ssuer.example", // Cyrillic і
        "",
    ] {
        rows.push(row(format!("attempt {attempt:?}"), iss(attempt), one, ISS));
    }
    // Several accepted issuers: each is accepted, nothing else.
    let two = |p: &Policy| {
        p.issuer("https://a.example").issuer("https://b.example");
    };
    rows.push(row("several: first", iss("https://a.example"), two, OK));
    rows.push(row("several: second", iss("https://b.example"), two, OK));
    rows.push(row("several: another", iss("https://c.example"), two, ISS));
    rows.push(row("several: both joined", iss("https://a.example https://b.example"), two, ISS));
    rows.push(row("several: as an array", claims!("iss": r#"["https://a.example"]"#), two, INVALID));
    // An empty issuer can be configured and then only "" matches.
    rows.push(row(
        "empty configured, empty token",
        iss(""),
        |p| {
            p.issuer("");
        },
        OK,
    ));
    rows.push(row(
        "empty configured, other token",
        iss("x"),
        |p| {
            p.issuer("");
        },
        ISS,
    ));
    run("issuer", rows);
}

#[test]
fn subject() {
    let s = |p: &Policy| {
        p.subject("user-42");
    };
    let sub = |v: &str| claims!("sub": q(v));
    run(
        "subject",
        vec![
            row("equal", sub("user-42"), s, OK),
            row("prefix", sub("user-4"), s, SUB),
            row("longer", sub("user-420"), s, SUB),
            row("case", sub("USER-42"), s, SUB),
            row("empty", sub(""), s, SUB),
            row("missing", claims!(), s, MISSING),
            row("number", claims!("sub": 42), s, INVALID),
            row(
                "check off",
                sub("user-7"),
                |p| {
                    p.subject("user-42").disable(JWTKIT_CHECK_SUB);
                },
                OK,
            ),
            row("none configured", sub("anyone"), none, OK),
            row(
                "unicode equal",
                sub("ü-😀"),
                |p| {
                    p.subject("ü-😀");
                },
                OK,
            ),
        ],
    );
}

#[test]
fn required_claims() {
    let all = |p: &Policy| {
        for c in ["exp", "nbf", "iat", "iss", "sub", "aud", "jti"] {
            p.require(c);
        }
        p.disable(JWTKIT_CHECK_AUD);
    };
    let full = [
        ("exp", (NOW + 60).to_string()),
        ("nbf", NOW.to_string()),
        ("iat", NOW.to_string()),
        ("iss", q("i")),
        ("sub", q("s")),
        ("aud", q("a")),
        ("jti", q("j")),
    ];
    let object = |skip: Option<&str>| {
        let parts: Vec<String> =
            full.iter().filter(|(n, _)| Some(*n) != skip).map(|(n, v)| format!("{}:{v}", q(n))).collect();
        format!("{{{}}}", parts.join(","))
    };
    let mut rows = vec![row("all registered present", object(None), all, OK)];
    for (n, _) in &full {
        rows.push(row(format!("all required, {n} missing"), object(Some(n)), all, MISSING));
    }
    rows.extend([
        row(
            "custom present",
            claims!("scope": q("read")),
            |p| {
                p.require("scope");
            },
            OK,
        ),
        row(
            "custom missing",
            claims!("scopes": q("read")),
            |p| {
                p.require("scope");
            },
            MISSING,
        ),
        row(
            "name case matters",
            claims!("Scope": q("read")),
            |p| {
                p.require("scope");
            },
            MISSING,
        ),
        row(
            "required twice",
            claims!("scope": 1),
            |p| {
                p.require("scope").require("scope");
            },
            OK,
        ),
        row(
            "unicode name",
            claims!("ünï😀": 1),
            |p| {
                p.require("ünï😀");
            },
            OK,
        ),
        row(
            "empty name present",
            r#"{"":1}"#,
            |p| {
                p.require("");
            },
            OK,
        ),
        row(
            "empty name missing",
            claims!(),
            |p| {
                p.require("");
            },
            MISSING,
        ),
        row(
            "required exp with check off, missing",
            claims!(),
            |p| {
                p.require("exp").disable(JWTKIT_CHECK_EXP);
            },
            MISSING,
        ),
        row(
            "required exp of the wrong type",
            claims!("exp": "null"),
            |p| {
                p.require("exp");
            },
            INVALID,
        ),
        // required claims are checked before the clock
        row(
            "missing, and expired",
            claims!("exp": 1),
            |p| {
                p.require("jti");
            },
            MISSING,
        ),
    ]);
    run("required claims", rows);
}

#[test]
fn typ_header() {
    let jwt = |p: &Policy| {
        p.typ("JWT");
    };
    let at = |p: &Policy| {
        p.typ("at+jwt");
    };
    let h = |typ: &str| format!(r#"{{"typ":{}}}"#, q(typ));
    let body = claims!("sub": q("x"));
    let r = |name: &str, header: String, setup: fn(&Policy), want| row(name, body.clone(), setup, want).header(header);
    let mut rows = vec![
        r("JWT / JWT", h("JWT"), jwt, OK),
        r("JWT / jwt", h("jwt"), jwt, OK),
        r("JWT / Jwt", h("Jwt"), jwt, OK),
        r("JWT / application/JWT", h("application/JWT"), jwt, OK),
        r("JWT / Application/jwt", h("Application/jwt"), jwt, OK),
        r("JWT / at+jwt", h("at+jwt"), jwt, TYP),
        r("JWT / application/at+jwt", h("application/at+jwt"), jwt, TYP),
        r("JWT / JWS", h("JWS"), jwt, TYP),
        r("JWT / JOSE", h("JOSE"), jwt, TYP),
        r("JWT / missing", "{}".into(), jwt, TYP),
        r("JWT / empty", h(""), jwt, TYP),
        r("JWT / 'JWT '", h("JWT "), jwt, TYP),
        r("JWT / application/", h("application/"), jwt, TYP),
        r("JWT / application/application/JWT", h("application/application/JWT"), jwt, TYP),
        r("JWT / x-application/JWT", h("x-application/JWT"), jwt, TYP),
        r("JWT / application/jwt+x", h("application/jwt+x"), jwt, TYP),
        r("at+jwt / at+jwt", h("at+jwt"), at, OK),
        r("at+jwt / AT+JWT", h("AT+JWT"), at, OK),
        r("at+jwt / application/at+jwt", h("application/at+jwt"), at, OK),
        r("at+jwt / JWT", h("JWT"), at, TYP),
        r("at+jwt / jwt", h("jwt"), at, TYP),
        r("at+jwt / missing", "{}".into(), at, TYP),
        r(
            "application/at+jwt / at+jwt",
            h("at+jwt"),
            |p| {
                p.typ("application/at+jwt");
            },
            OK,
        ),
        r("none required / missing", "{}".into(), none, OK),
        r("none required / anything", h("whatever"), none, OK),
    ];
    // typ is a header member jwtkit types: not a string is a malformed header, whether
    // or not a typ is required. jwtkit refuses to sign these, so the test forges them.
    for (name, header, setup) in [
        ("JWT / typ 1", r#"{"alg":"HS256","typ":1}"#, jwt as fn(&Policy)),
        ("JWT / typ [\"JWT\"]", r#"{"alg":"HS256","typ":["JWT"]}"#, jwt),
        ("none required / typ null", r#"{"alg":"HS256","typ":null}"#, none),
    ] {
        rows.push(row(name, body.clone(), setup, JWTKIT_ERR_HEADER_INVALID).forged(header));
    }
    // the forging itself is sound: a well-formed forged header verifies
    rows.push(row("forged JWT / JWT", body.clone(), jwt, OK).forged(r#"{"alg":"HS256","typ":"JWT"}"#));
    // the default header of jwtkit_sign carries typ "JWT"
    rows.push(row("jwtkit_sign default / JWT", body.clone(), jwt, OK));
    rows.push(row("jwtkit_sign default / at+jwt", body.clone(), at, TYP));
    run("typ", rows);
}

#[test]
fn disable_checks() {
    let expired = claims!("exp": NOW - 1);
    let early = claims!("nbf": NOW + 1);
    let future = claims!("iat": NOW + 1);
    run(
        "disable_checks",
        vec![
            row(
                "exp off: expired",
                expired.clone(),
                |p| {
                    p.disable(JWTKIT_CHECK_EXP);
                },
                OK,
            ),
            row(
                "nbf off: expired",
                expired.clone(),
                |p| {
                    p.disable(JWTKIT_CHECK_NBF);
                },
                EXPIRED,
            ),
            row(
                "nbf off: not yet valid",
                early.clone(),
                |p| {
                    p.disable(JWTKIT_CHECK_NBF);
                },
                OK,
            ),
            row(
                "exp off: not yet valid",
                early.clone(),
                |p| {
                    p.disable(JWTKIT_CHECK_EXP);
                },
                NOT_YET,
            ),
            row(
                "iat off: issued in future",
                future.clone(),
                |p| {
                    p.disable(JWTKIT_CHECK_IAT);
                },
                OK,
            ),
            row(
                "exp|nbf off: issued in future",
                future.clone(),
                |p| {
                    p.disable(JWTKIT_CHECK_EXP | JWTKIT_CHECK_NBF);
                },
                FUTURE,
            ),
            row(
                "exp|nbf|iat off: all three",
                claims!("exp": NOW - 1, "nbf": NOW + 1, "iat": NOW + 1),
                |p| {
                    p.disable(JWTKIT_CHECK_EXP | JWTKIT_CHECK_NBF | JWTKIT_CHECK_IAT);
                },
                OK,
            ),
            row(
                "all off: every mismatch",
                claims!("exp": 1, "nbf": NOW + 9, "iat": NOW + 9, "iss": q("x"), "sub": q("y"), "aud": q("z")),
                |p| {
                    p.issuer("i").subject("s").audience("a").disable(
                        JWTKIT_CHECK_EXP
                            | JWTKIT_CHECK_NBF
                            | JWTKIT_CHECK_IAT
                            | JWTKIT_CHECK_AUD
                            | JWTKIT_CHECK_ISS
                            | JWTKIT_CHECK_SUB,
                    );
                },
                OK,
            ),
            row(
                "0 disables nothing",
                expired.clone(),
                |p| {
                    p.disable(0);
                },
                EXPIRED,
            ),
            // checks other than the named ones stay on
            row(
                "aud off, issuer still checked",
                claims!("iss": q("x"), "aud": q("z")),
                |p| {
                    p.issuer("i").disable(JWTKIT_CHECK_AUD);
                },
                ISS,
            ),
            row(
                "all off, typ still checked",
                claims!(),
                |p| {
                    p.typ("at+jwt").disable(63);
                },
                TYP,
            ),
            row(
                "all off, required still checked",
                claims!(),
                |p| {
                    p.require("jti").disable(63);
                },
                MISSING,
            ),
        ],
    );
    // Unknown bits are refused, and the policy is left as it was.
    let p = Policy::new();
    for bits in [64u32, 128, 1 << 31, u32::MAX] {
        let mut err = ptr::null_mut();
        assert_eq!(
            st(unsafe { jwtkit_validation_disable_checks(p.0, bits, &mut err) }, err),
            JWTKIT_ERR_INVALID_ARGUMENT,
            "{bits:#x}"
        );
    }
    let key = hs256_key(SECRET);
    assert_eq!(verify(&mint(&key, None, expired.as_bytes()), &key, &p).unwrap_err().status, EXPIRED);
}

// ---------------------------------------------------------------------------------------
// Revocation

/// The callback's context: a deny-list and a log of every call. The callback never
/// panics (it is `extern "C"`): anomalies are logged and asserted afterwards.
#[derive(Default)]
struct DenyList {
    revoked: Vec<Vec<u8>>,
    revoke_tokens_without_jti: bool,
    answer: i32,
    /// (jti or None, claims) of each call.
    calls: Vec<(Option<Vec<u8>>, Vec<u8>)>,
    anomalies: Vec<String>,
}

unsafe extern "C" fn deny_list_check(
    ctx: *mut c_void,
    jti: *const c_char,
    jti_len: usize,
    claims: *const c_char,
    claims_len: usize,
) -> i32 {
    let list = unsafe { &*(ctx as *const Mutex<DenyList>) };
    let Ok(mut list) = list.lock() else { return 1 };
    let jti = if jti.is_null() {
        if jti_len != 0 {
            list.anomalies.push(format!("jti NULL with length {jti_len}"));
        }
        None
    } else {
        let b = unsafe { std::slice::from_raw_parts(jti as *const u8, jti_len + 1) };
        if b[jti_len] != 0 {
            list.anomalies.push("jti not NUL-terminated".into());
        }
        Some(b[..jti_len].to_vec())
    };
    let c = if claims.is_null() {
        list.anomalies.push("claims NULL".into());
        Vec::new()
    } else {
        let b = unsafe { std::slice::from_raw_parts(claims as *const u8, claims_len + 1) };
        if b[claims_len] != 0 {
            list.anomalies.push("claims not NUL-terminated".into());
        }
        b[..claims_len].to_vec()
    };
    let revoked = match &jti {
        Some(j) => list.revoked.contains(j),
        None => list.revoke_tokens_without_jti,
    };
    list.calls.push((jti, c));
    if revoked {
        if list.answer != 0 {
            list.answer
        } else {
            1
        }
    } else {
        0
    }
}

#[test]
fn revocation_callback() {
    let key = hs256_key(SECRET);
    let list = Box::new(Mutex::new(DenyList { revoked: vec![b"r1".to_vec(), b"a\0b".to_vec()], ..Default::default() }));
    let ctx = &*list as *const Mutex<DenyList> as *mut c_void;
    let policy = Policy::new();
    policy.issuer("https://issuer.example").audience("api").typ("JWT").require("sub");
    policy.revocation(Some(deny_list_check), ctx);
    let calls = || list.lock().unwrap().calls.len();
    let good = |jti: &str| claims!("iss": q("https://issuer.example"), "aud": q("api"), "sub": q("u"), "exp": NOW + 60, "jti": jti);

    // Not revoked: called once, with the jti and the exact claims bytes.
    let claims_ok = good(&q("ok-1"));
    let token = mint(&key, None, claims_ok.as_bytes());
    assert!(verify(&token, &key, &policy).is_ok());
    {
        let l = list.lock().unwrap();
        assert_eq!(l.calls.len(), 1);
        assert_eq!(l.calls[0], (Some(b"ok-1".to_vec()), claims_ok.as_bytes().to_vec()));
    }

    // Revoked: its own status, with the jti in the message.
    let token = mint(&key, None, good(&q("r1")).as_bytes());
    let e = verify(&token, &key, &policy).unwrap_err();
    assert_eq!(e.status, JWTKIT_ERR_REVOKED, "{e:?}");
    assert!(e.message.contains("r1"), "{e:?}");
    assert_eq!(calls(), 2);

    // A jti holding NUL: passed with its length, so it cannot be truncated to "a".
    let token = mint(&key, None, good(r#""a\u0000b""#).as_bytes());
    assert_eq!(verify(&token, &key, &policy).unwrap_err().status, JWTKIT_ERR_REVOKED);
    assert_eq!(list.lock().unwrap().calls.last().unwrap().0.as_deref(), Some(&b"a\0b"[..]));
    let token = mint(&key, None, good(r#""a""#).as_bytes());
    assert!(verify(&token, &key, &policy).is_ok());

    // The callback runs only after every other check passed: none of these reach it,
    // although every one of them carries a revoked jti.
    let before = calls();
    let other_key = hs256_key(b"another secret, also 32 bytes long!!");
    let failing: Vec<(String, Option<&str>, &Key, i32)> = vec![
        (
            claims!("iss": q("https://issuer.example"), "aud": q("api"), "sub": q("u"), "exp": NOW, "jti": q("r1")),
            None,
            &key,
            EXPIRED,
        ),
        (
            claims!("iss": q("https://issuer.example"), "aud": q("api"), "sub": q("u"), "nbf": NOW + 5, "jti": q("r1")),
            None,
            &key,
            NOT_YET,
        ),
        (
            claims!("iss": q("https://issuer.example"), "aud": q("api"), "sub": q("u"), "iat": NOW + 5, "jti": q("r1")),
            None,
            &key,
            FUTURE,
        ),
        (claims!("iss": q("https://evil.example"), "aud": q("api"), "sub": q("u"), "jti": q("r1")), None, &key, ISS),
        (claims!("iss": q("https://issuer.example"), "aud": q("web"), "sub": q("u"), "jti": q("r1")), None, &key, AUD),
        (claims!("iss": q("https://issuer.example"), "aud": q("api"), "jti": q("r1")), None, &key, MISSING),
        (claims!("iss": q("https://issuer.example"), "aud": q("api"), "sub": 1, "jti": q("r1")), None, &key, INVALID),
        (good(&q("r1")), Some(r#"{"typ":"at+jwt"}"#), &key, TYP),
        (good(&q("r1")), None, &other_key, JWTKIT_ERR_SIGNATURE_INVALID),
    ];
    for (claims, header, signer, want) in &failing {
        let token = mint(signer, *header, claims.as_bytes());
        assert_eq!(verify(&token, &key, &policy).unwrap_err().status, *want, "{claims}");
    }
    assert_eq!(calls(), before, "the revocation callback ran although an earlier check failed");

    // No jti: the callback gets NULL (length 0) and may still revoke.
    let no_jti = claims!("iss": q("https://issuer.example"), "aud": q("api"), "sub": q("u"));
    let token = mint(&key, None, no_jti.as_bytes());
    assert!(verify(&token, &key, &policy).is_ok());
    assert_eq!(list.lock().unwrap().calls.last().unwrap(), &(None, no_jti.as_bytes().to_vec()));
    list.lock().unwrap().revoke_tokens_without_jti = true;
    let e = verify(&token, &key, &policy).unwrap_err();
    assert_eq!(e.status, JWTKIT_ERR_REVOKED, "{e:?}");

    // Any non-zero answer means revoked.
    for answer in [-1, 2, i32::MIN, i32::MAX] {
        list.lock().unwrap().answer = answer;
        assert_eq!(verify(&token, &key, &policy).unwrap_err().status, JWTKIT_ERR_REVOKED, "answer {answer}");
    }

    // A NULL callback removes the check.
    let n = calls();
    policy.revocation(None, ptr::null_mut());
    assert!(verify(&token, &key, &policy).is_ok());
    assert_eq!(calls(), n);

    drop(policy);
    let l = list.lock().unwrap();
    assert!(l.anomalies.is_empty(), "{:?}", l.anomalies);
}

// ---------------------------------------------------------------------------------------
// Sign options

#[derive(Debug)]
struct Options(*mut jwtkit_sign_options);

impl Drop for Options {
    fn drop(&mut self) {
        unsafe { jwtkit_sign_options_free(self.0) };
    }
}

macro_rules! opt_text {
    ($name:ident, $ffi:ident) => {
        fn $name(&self, text: &str) -> &Self {
            let mut err = ptr::null_mut();
            let (p, n) = raw(text.as_bytes());
            finish(unsafe { $ffi(self.0, p, n, &mut err) }, err).expect(stringify!($ffi));
            self
        }
    };
}

impl Options {
    /// Default options with "now" fixed at NOW.
    fn new() -> Options {
        let mut o = ptr::null_mut();
        let mut err = ptr::null_mut();
        finish(unsafe { jwtkit_sign_options_new(&mut o, &mut err) }, err).expect("sign_options_new");
        assert!(!o.is_null());
        let o = Options(o);
        o.now(NOW);
        o
    }
    fn now(&self, t: i64) -> &Self {
        let mut err = ptr::null_mut();
        finish(unsafe { jwtkit_sign_options_set_now(self.0, t, &mut err) }, err).unwrap();
        self
    }
    fn issued_at(&self, on: bool) -> &Self {
        let mut err = ptr::null_mut();
        finish(unsafe { jwtkit_sign_options_set_issued_at(self.0, on, &mut err) }, err).unwrap();
        self
    }
    fn lifetime(&self, s: u64) -> &Self {
        let mut err = ptr::null_mut();
        finish(unsafe { jwtkit_sign_options_set_lifetime(self.0, s, &mut err) }, err).unwrap();
        self
    }
    fn not_before(&self, t: i64) -> &Self {
        let mut err = ptr::null_mut();
        finish(unsafe { jwtkit_sign_options_set_not_before(self.0, t, &mut err) }, err).unwrap();
        self
    }
    fn random_jti(&self, on: bool) -> &Self {
        let mut err = ptr::null_mut();
        finish(unsafe { jwtkit_sign_options_set_random_jti(self.0, on, &mut err) }, err).unwrap();
        self
    }
    fn header(&self, name: &str, value: &str) -> Result<&Self, Failed> {
        let mut err = ptr::null_mut();
        let (np, nn) = raw(name.as_bytes());
        let (vp, vn) = raw(value.as_bytes());
        finish(unsafe { jwtkit_sign_options_set_header(self.0, np, nn, vp, vn, &mut err) }, err).map(|()| self)
    }
    fn merge_header(&self, json: &str) -> Result<&Self, Failed> {
        let mut err = ptr::null_mut();
        let (p, n) = raw(json.as_bytes());
        finish(unsafe { jwtkit_sign_options_merge_header_json(self.0, p, n, &mut err) }, err).map(|()| self)
    }
    opt_text!(issuer, jwtkit_sign_options_set_issuer);
    opt_text!(subject, jwtkit_sign_options_set_subject);
    opt_text!(audience, jwtkit_sign_options_add_audience);
}

fn sign_with(key: &Key, claims: &[u8], options: Option<&Options>) -> Result<String, Failed> {
    let (cp, cn) = raw(claims);
    let (mut out, mut len) = (ptr::null_mut(), 0usize);
    let mut err = ptr::null_mut();
    let o = options.map_or(ptr::null(), |o| o.0 as *const jwtkit_sign_options);
    let status = unsafe { jwtkit_sign_with_options(key.0, JWTKIT_ALG_HS256, cp, cn, o, &mut out, &mut len, &mut err) };
    match finish(status, err) {
        Ok(()) => Ok(String::from_utf8(take(out, len)).unwrap()),
        Err(e) => {
            assert!(out.is_null(), "{} but the token was written", name(e.status));
            Err(e)
        }
    }
}

/// Signs with the options and returns (header, exact claims bytes).
fn issue(claims: &str, o: &Options) -> (serde_json::Value, String) {
    let key = hs256_key(SECRET);
    let token = sign_with(&key, claims.as_bytes(), Some(o)).unwrap_or_else(|e| panic!("{claims}: {e:?}"));
    let (h, c) = decode_unverified(&token);
    (h, String::from_utf8(c).unwrap())
}

#[test]
fn sign_options_fill_registered_claims() {
    // iat = now by default, nothing else; typ "JWT".
    let o = Options::new();
    let (h, c) = issue("{}", &o);
    assert_eq!(c, format!(r#"{{"iat":{NOW}}}"#));
    assert_eq!(h, serde_json::json!({"alg": "HS256", "typ": "JWT"}));
    // ... appended after the caller's members, which stay byte for byte.
    let (_, c) = issue(r#"{ "role" : "admin" }"#, &o);
    assert_eq!(c, format!(r#"{{ "role" : "admin" ,"iat":{NOW}}}"#));
    // iat off: nothing added at all.
    o.issued_at(false);
    let (_, c) = issue(r#"{"a":1}"#, &o);
    assert_eq!(c, r#"{"a":1}"#);

    // NULL options: defaults, with the system clock.
    let key = hs256_key(SECRET);
    let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let token = sign_with(&key, b"{}", None).unwrap();
    let after = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let (_, c) = decode_unverified(&token);
    let iat = serde_json::from_slice::<serde_json::Value>(&c).unwrap()["iat"].as_u64().unwrap();
    assert!((before..=after).contains(&iat), "iat {iat} not in [{before}, {after}]");

    // Every option at once, in the documented order.
    let o = Options::new();
    o.lifetime(900).not_before(NOW - 5).issuer("https://issuer.example").subject("user-42").audience("api");
    let (_, c) = issue(r#"{"scope":"read"}"#, &o);
    assert_eq!(
        c,
        format!(
            r#"{{"scope":"read","iat":{NOW},"exp":{},"nbf":{},"iss":"https://issuer.example","sub":"user-42","aud":"api"}}"#,
            NOW + 900,
            NOW - 5
        )
    );
    // Several audiences give an array, in the order added.
    o.audience("web").audience("mobile");
    let (_, c) = issue("{}", &o);
    assert!(c.ends_with(r#","aud":["api","web","mobile"]}"#), "{c}");
    // Strings are JSON-escaped.
    let o = Options::new();
    o.issued_at(false).subject("quote\" backslash\\ nl\n ü 😀");
    let (_, c) = issue("{}", &o);
    assert_eq!(c, r#"{"sub":"quote\" backslash\\ nl\n ü 😀"}"#);
    // Lifetime 0 gives exp == iat: expired at once (now >= exp).
    let o = Options::new();
    o.lifetime(0);
    let (_, c) = issue("{}", &o);
    assert_eq!(c, format!(r#"{{"iat":{NOW},"exp":{NOW}}}"#));
}

#[test]
fn sign_options_round_trip_through_a_policy() {
    // Login issues a short-lived access token; the API verifies it.
    let key = hs256_key(SECRET);
    let o = Options::new();
    o.lifetime(300).issuer("https://login.example").subject("alice").audience("api").random_jti(true);
    o.header("typ", "at+jwt").unwrap();
    let token = sign_with(&key, br#"{"scope":"orders:read"}"#, Some(&o)).unwrap();
    let policy = Policy::new();
    policy.issuer("https://login.example").audience("api").typ("at+jwt").max_age(600);
    for c in ["exp", "iat", "jti", "sub"] {
        policy.require(c);
    }
    let v = verify(&token, &key, &policy).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&v.claims).unwrap();
    assert_eq!(claims["sub"], "alice");
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&v.header).unwrap()["typ"], "at+jwt");
    // One second before it expires, and at its expiry.
    policy.now(NOW + 299);
    assert!(verify(&token, &key, &policy).is_ok());
    policy.now(NOW + 300);
    assert_eq!(verify(&token, &key, &policy).unwrap_err().status, EXPIRED);
    // nbf from the options is honoured.
    let o = Options::new();
    o.not_before(NOW + 60);
    let token = sign_with(&key, b"{}", Some(&o)).unwrap();
    let policy = Policy::new();
    assert_eq!(verify(&token, &key, &policy).unwrap_err().status, NOT_YET);
    policy.now(NOW + 60);
    assert!(verify(&token, &key, &policy).is_ok());
}

#[test]
fn random_jti() {
    let key = hs256_key(SECRET);
    let o = Options::new();
    o.random_jti(true);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..64 {
        let token = sign_with(&key, b"{}", Some(&o)).unwrap();
        let (_, c) = decode_unverified(&token);
        let claims: serde_json::Value = serde_json::from_slice(&c).unwrap();
        let jti = claims["jti"].as_str().expect("jti is a string").to_owned();
        // 128 bits in unpadded base64url: 22 characters, the last carrying 2 data bits
        // and 4 zero bits, so it is one of A, Q, g, w.
        assert_eq!(jti.len(), 22, "{jti}");
        assert!(jti.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{jti}");
        assert!("AQgw".contains(jti.chars().last().unwrap()), "non-canonical last character: {jti}");
        assert!(seen.insert(jti.clone()), "jti {jti} repeated");
    }
    // Off again: no jti.
    o.random_jti(false);
    let (_, c) = decode_unverified(&sign_with(&key, b"{}", Some(&o)).unwrap());
    assert_eq!(c, format!(r#"{{"iat":{NOW}}}"#).as_bytes());
}

#[test]
fn sign_options_header_members() {
    let o = Options::new();
    o.header("kid", "key-2024").unwrap().header("typ", "at+jwt").unwrap().header("cty", "JWT").unwrap();
    let (h, _) = issue("{}", &o);
    assert_eq!(h, serde_json::json!({"alg": "HS256", "typ": "at+jwt", "kid": "key-2024", "cty": "JWT"}));
    // merge_header_json: any JSON values, and later calls override earlier members.
    o.merge_header(r#"{"x5t#S256":"abc","n":[1,{"a":null}],"kid":"key-2025"}"#).unwrap();
    let (h, _) = issue("{}", &o);
    assert_eq!(h["kid"], "key-2025");
    assert_eq!(h["x5t#S256"], "abc");
    assert_eq!(h["n"], serde_json::json!([1, {"a": null}]));
    assert_eq!(h["typ"], "at+jwt");
    // `alg` comes from the signing call only.
    let o = Options::new();
    assert_eq!(o.header("alg", "none").unwrap_err().status, JWTKIT_ERR_INVALID_ARGUMENT);
    assert_eq!(o.header("alg", "HS256").unwrap_err().status, JWTKIT_ERR_INVALID_ARGUMENT);
    assert_eq!(o.merge_header(r#"{"alg":"none"}"#).unwrap_err().status, JWTKIT_ERR_INVALID_ARGUMENT);
    // merge_header_json input is strict JSON, one object, within the nesting limit.
    for bad in ["{", "[]", r#"{"a":1,"a":2}"#, "", r#"{"a":NaN}"#] {
        assert_eq!(o.merge_header(bad).unwrap_err().status, JWTKIT_ERR_JSON, "{bad:?}");
    }
    let deep = format!(r#"{{"deep":{}1{}}}"#, "[".repeat(100), "]".repeat(100));
    assert_eq!(o.merge_header(&deep).unwrap_err().status, JWTKIT_ERR_JSON_LIMIT);
    // Header members jwtkit types or refuses are checked when signing.
    let key = hs256_key(SECRET);
    for (member, want) in [
        (r#"{"typ":1}"#, JWTKIT_ERR_HEADER_INVALID),
        (r#"{"kid":null}"#, JWTKIT_ERR_HEADER_INVALID),
        (r#"{"crit":["exp"]}"#, JWTKIT_ERR_HEADER_INVALID),
        (r#"{"crit":["kid"],"kid":"a"}"#, JWTKIT_ERR_HEADER_INVALID),
        (r#"{"b64":false}"#, JWTKIT_ERR_HEADER_INVALID),
    ] {
        let o = Options::new();
        o.merge_header(member).unwrap();
        assert_eq!(sign_with(&key, b"{}", Some(&o)).unwrap_err().status, want, "{member}");
    }
    // A signer may mark its own extension critical; a verifier that does not implement
    // it (jwtkit) refuses the token.
    let o = Options::new();
    o.merge_header(r#"{"crit":["exp"],"exp":1}"#).unwrap();
    sign_with(&key, b"{}", Some(&o)).unwrap();
}

/// Claims JSON, and what to set on the sign options beside it.
type OptionsCase = (&'static str, Box<dyn Fn(&Options)>);

#[test]
fn sign_options_conflicts_are_errors() {
    let key = hs256_key(SECRET);
    let cases: Vec<OptionsCase> = vec![
        (r#"{"iat":1}"#, Box::new(|_: &Options| {})), // iat is on by default
        (
            r#"{"exp":1}"#,
            Box::new(|o: &Options| {
                o.issued_at(false).lifetime(60);
            }),
        ),
        (
            r#"{"nbf":1}"#,
            Box::new(|o: &Options| {
                o.issued_at(false).not_before(1);
            }),
        ),
        (
            r#"{"iss":"a"}"#,
            Box::new(|o: &Options| {
                o.issued_at(false).issuer("a");
            }),
        ),
        (
            r#"{"sub":"a"}"#,
            Box::new(|o: &Options| {
                o.issued_at(false).subject("a");
            }),
        ),
        (
            r#"{"aud":"a"}"#,
            Box::new(|o: &Options| {
                o.issued_at(false).audience("a");
            }),
        ),
        (
            r#"{"aud":["a","b"]}"#,
            Box::new(|o: &Options| {
                o.issued_at(false).audience("a").audience("b");
            }),
        ),
        (
            r#"{"jti":"a"}"#,
            Box::new(|o: &Options| {
                o.issued_at(false).random_jti(true);
            }),
        ),
        // a member name written with escapes is the same claim
        (r#"{"i\u0061t":1}"#, Box::new(|_: &Options| {})),
        (
            r#"{"\u006a\u0074\u0069":"x"}"#,
            Box::new(|o: &Options| {
                o.random_jti(true);
            }),
        ),
        // a conflicting value of the wrong type is still a conflict
        (
            r#"{"exp":null}"#,
            Box::new(|o: &Options| {
                o.lifetime(60);
            }),
        ),
    ];
    for (claims, setup) in &cases {
        let o = Options::new();
        setup(&o);
        let e = sign_with(&key, claims.as_bytes(), Some(&o)).unwrap_err();
        assert_eq!(e.status, JWTKIT_ERR_INVALID_ARGUMENT, "{claims}: {e:?}");
    }
    // NULL options mean the defaults, so iat conflicts there too.
    assert_eq!(sign_with(&key, br#"{"iat":1}"#, None).unwrap_err().status, JWTKIT_ERR_INVALID_ARGUMENT);
    // With the option off, the caller's claim goes through untouched.
    let o = Options::new();
    o.issued_at(false);
    assert_eq!(issue(r#"{"iat":1}"#, &o).1, r#"{"iat":1}"#);
    // lifetime overflowing the clock: refused, not wrapped.
    for (now, lifetime) in [(NOW, u64::MAX), (NOW, i64::MAX as u64), (i64::MAX - 10, 11)] {
        let o = Options::new();
        o.now(now).lifetime(lifetime);
        assert_eq!(
            sign_with(&key, b"{}", Some(&o)).unwrap_err().status,
            JWTKIT_ERR_INVALID_ARGUMENT,
            "{now} + {lifetime}"
        );
    }
    let o = Options::new();
    o.now(i64::MAX - 10).lifetime(10).issued_at(false);
    assert_eq!(issue("{}", &o).1, format!(r#"{{"exp":{}}}"#, i64::MAX));
    // The claims must still be one JSON object.
    for bad in ["", "[]", "{", r#"{"a":1,"a":2}"#, "{} {}"] {
        assert_eq!(
            sign_with(&key, bad.as_bytes(), Some(&Options::new())).unwrap_err().status,
            JWTKIT_ERR_JSON,
            "{bad:?}"
        );
    }
}

#[test]
fn sign_options_keep_the_callers_bytes() {
    let o = Options::new();
    o.lifetime(60).issuer("i");
    let suffix = format!(r#","iat":{NOW},"exp":{},"iss":"i"}}"#, NOW + 60);
    for original in [
        // big integers and exotic number forms are not re-serialized
        r#"{"big":123456789012345678901234567890,"u":18446744073709551617,"neg":-0,"f":1.50,"e":1E+2}"#,
        // escapes, NUL and emoji (raw and escaped, including a surrogate pair) are kept
        r#"{"s":"nul\u0000end","e":"😀 \ud83d\ude00","esc":"\"\\\/\b\f\n\r\t"}"#,
        // whitespace and member order are kept
        "{\n  \"z\": 1,\n  \"a\": [ 1 , 2 ]\n}",
        // braces inside strings do not confuse where the object ends
        r#"{"x":"}}}","y":{"z":"{"}}"#,
    ] {
        let (_, c) = issue(original, &o);
        let close = original.rfind('}').unwrap();
        assert_eq!(c, format!("{}{}", &original[..close], suffix), "{original}");
        // and the bytes that verify are exactly those bytes
        let key = hs256_key(SECRET);
        let token = sign_with(&key, original.as_bytes(), Some(&o)).unwrap();
        let v = verify(&token, &key, &Policy::new()).unwrap();
        assert_eq!(v.claims, c.as_bytes());
    }
    // Trailing whitespace after the object is kept after the appended members.
    let (_, c) = issue("{\"a\":1} \n", &o);
    assert_eq!(c, format!("{{\"a\":1{suffix} \n"));
    // An empty object gets no leading comma.
    let (_, c) = issue("{ }", &o);
    assert_eq!(c, format!("{{ {}", &suffix[1..]));
}

// ---------------------------------------------------------------------------------------
// Misuse

#[test]
fn misuse_is_reported_not_crashed() {
    let null_v: *mut jwtkit_validation = ptr::null_mut();
    let s = b"x";
    let mut err: *mut jwtkit_error;
    macro_rules! expect {
        ($call:expr, $want:expr) => {{
            err = ptr::null_mut();
            let got = st(unsafe { $call }, err);
            assert_eq!(got, $want, "{}: got {}", stringify!($call), name(got));
        }};
    }
    expect!(jwtkit_validation_set_leeway(null_v, 1, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_validation_set_now(null_v, 1, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_validation_add_issuer(null_v, s.as_ptr(), 1, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_validation_add_audience(null_v, s.as_ptr(), 1, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_validation_set_strict_audience(null_v, true, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_validation_set_subject(null_v, s.as_ptr(), 1, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_validation_require_claim(null_v, s.as_ptr(), 1, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_validation_set_typ(null_v, s.as_ptr(), 1, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_validation_set_max_age(null_v, 1, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_validation_disable_checks(null_v, 1, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_validation_set_revocation_check(null_v, None, ptr::null_mut(), &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    let p = Policy::new();
    expect!(jwtkit_validation_add_issuer(p.0, ptr::null(), 3, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_validation_add_issuer(p.0, b"\xff\xfe".as_ptr(), 2, &mut err), JWTKIT_ERR_INVALID_ARGUMENT);
    expect!(jwtkit_validation_add_audience(p.0, b"a\xc3".as_ptr(), 2, &mut err), JWTKIT_ERR_INVALID_ARGUMENT);
    expect!(jwtkit_validation_set_subject(p.0, b"\xc0\x80".as_ptr(), 2, &mut err), JWTKIT_ERR_INVALID_ARGUMENT);
    expect!(jwtkit_validation_require_claim(p.0, b"\xed\xa0\x80".as_ptr(), 3, &mut err), JWTKIT_ERR_INVALID_ARGUMENT);
    expect!(jwtkit_validation_set_typ(p.0, b"\x80".as_ptr(), 1, &mut err), JWTKIT_ERR_INVALID_ARGUMENT);
    expect!(jwtkit_validation_new(ptr::null(), 0, &mut ptr::null_mut(), &mut err), JWTKIT_ERR_INVALID_ARGUMENT);
    expect!(jwtkit_validation_new([0i32].as_ptr(), 1, &mut ptr::null_mut(), &mut err), JWTKIT_ERR_INVALID_ARGUMENT);
    // NULL error pointer: the status alone.
    assert_eq!(unsafe { jwtkit_validation_set_now(null_v, 1, ptr::null_mut()) }, JWTKIT_ERR_NULL_ARGUMENT);

    let null_o: *mut jwtkit_sign_options = ptr::null_mut();
    expect!(jwtkit_sign_options_new(ptr::null_mut(), &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_sign_options_set_issued_at(null_o, true, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_sign_options_set_lifetime(null_o, 1, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_sign_options_set_not_before(null_o, 1, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_sign_options_set_now(null_o, 1, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_sign_options_set_issuer(null_o, s.as_ptr(), 1, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_sign_options_set_subject(null_o, s.as_ptr(), 1, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_sign_options_add_audience(null_o, s.as_ptr(), 1, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_sign_options_set_random_jti(null_o, true, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_sign_options_set_header(null_o, s.as_ptr(), 1, s.as_ptr(), 1, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_sign_options_merge_header_json(null_o, b"{}".as_ptr(), 2, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    let o = Options::new();
    expect!(jwtkit_sign_options_set_issuer(o.0, ptr::null(), 1, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
    expect!(jwtkit_sign_options_set_issuer(o.0, b"\xff".as_ptr(), 1, &mut err), JWTKIT_ERR_INVALID_ARGUMENT);
    expect!(
        jwtkit_sign_options_set_header(o.0, b"kid".as_ptr(), 3, b"\xff".as_ptr(), 1, &mut err),
        JWTKIT_ERR_INVALID_ARGUMENT
    );
    let key = hs256_key(SECRET);
    let mut out = ptr::null_mut();
    expect!(
        jwtkit_sign_with_options(
            ptr::null(),
            JWTKIT_ALG_HS256,
            b"{}".as_ptr(),
            2,
            o.0,
            &mut out,
            ptr::null_mut(),
            &mut err
        ),
        JWTKIT_ERR_NULL_ARGUMENT
    );
    expect!(
        jwtkit_sign_with_options(
            key.0,
            JWTKIT_ALG_HS256,
            b"{}".as_ptr(),
            2,
            o.0,
            ptr::null_mut(),
            ptr::null_mut(),
            &mut err
        ),
        JWTKIT_ERR_NULL_ARGUMENT
    );
    expect!(
        jwtkit_sign_with_options(key.0, 0, b"{}".as_ptr(), 2, o.0, &mut out, ptr::null_mut(), &mut err),
        JWTKIT_ERR_INVALID_ARGUMENT
    );
    expect!(
        jwtkit_sign_with_options(key.0, JWTKIT_ALG_RS256, b"{}".as_ptr(), 2, o.0, &mut out, ptr::null_mut(), &mut err),
        JWTKIT_ERR_KEY_ALG_MISMATCH
    );
    assert!(out.is_null());
    let _ = err;
    // _free(NULL) is a no-op.
    unsafe {
        jwtkit_sign_options_free(ptr::null_mut());
        jwtkit_validation_free(ptr::null_mut());
    }
}

// ---------------------------------------------------------------------------------------
// Integer NumericDates compare exactly, even where doubles would round: above 2^53
// seconds two different integers can share a double, and at the 2^63 boundary
// (now = i64::MAX, exp = 2^63 is one second in the future) f64 loses the difference.

#[test]
fn integer_dates_compare_exactly_at_the_ends_of_the_range() {
    const P54_4: i64 = (1 << 54) + 4; // doubles are 4 apart here
    run(
        "known bugs",
        vec![
            row(
                "now 2^54+4, exp == now + 1",
                claims!("exp": P54_4 + 1),
                |p| {
                    p.now(P54_4);
                },
                OK,
            ),
            row(
                "now 2^54+4, nbf == now + 1",
                claims!("nbf": P54_4 + 1),
                |p| {
                    p.now(P54_4);
                },
                NOT_YET,
            ),
            row(
                "now 2^54+4, iat == now + 1",
                claims!("iat": P54_4 + 1),
                |p| {
                    p.now(P54_4);
                },
                FUTURE,
            ),
            row(
                "now i64::MAX, exp == 2^63",
                claims!("exp": "9223372036854775808"),
                |p| {
                    p.now(i64::MAX);
                },
                OK,
            ),
            row(
                "now i64::MAX, nbf == 2^63",
                claims!("nbf": "9223372036854775808"),
                |p| {
                    p.now(i64::MAX);
                },
                NOT_YET,
            ),
            row(
                "now i64::MIN, exp == now + 1",
                claims!("exp": "-9223372036854775807"),
                |p| {
                    p.now(i64::MIN);
                },
                OK,
            ),
        ],
    );
}
