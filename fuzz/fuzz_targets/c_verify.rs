//! Differential: `jwtkit_verify`/`jwtkit_jws_verify` (payload decoded straight into the
//! caller's output, header on the stack) against `jwt::verify`/`jws::verify` (vectors),
//! on tokens with good HMAC signatures over arbitrary payloads: the same verdict, the same
//! message and the same bytes for each combination of outputs; nothing written on failure.
//! Messages are compared as they are, so a message carrying a NUL from the input (which
//! the C side escapes) fails here: the first run found one, a duplicate member name.
//! The first input byte picks the header; with its top bit set, the rest of the input is
//! the payload segment as sent (not base64url-encoded), else the payload itself.
#![no_main]

use std::ffi::CStr;
use std::ptr::null_mut;
use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jwtkit::ffi::*;
use jwtkit::{jws, jwt, Algorithm, Key, Validation};
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8] = b"fuzzing secret, 32 bytes or more!";
const NOW: i64 = 1_700_000_000;

struct Setup {
    key: Key,
    policy: Validation,
    c_key: *const jwtkit_key,
    c_policy: *mut jwtkit_validation,
}
// The handles are only read, and jwtkit's keys and policies are safe to share.
unsafe impl Send for Setup {}
unsafe impl Sync for Setup {}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| unsafe {
        let mut policy = Validation::new(&[Algorithm::HS256]).unwrap();
        policy.set_now(NOW);
        let (mut c_key, mut c_policy) = (std::ptr::null(), null_mut());
        assert_eq!(jwtkit_key_from_secret(SECRET.as_ptr(), SECRET.len(), 0, &mut c_key, null_mut()), JWTKIT_OK);
        let alg = JWTKIT_ALG_HS256;
        assert_eq!(jwtkit_validation_new(&alg, 1, &mut c_policy, null_mut()), JWTKIT_OK);
        assert_eq!(jwtkit_validation_set_now(c_policy, NOW, null_mut()), JWTKIT_OK);
        Setup { key: Key::from_secret(SECRET).unwrap(), policy, c_key, c_policy }
    })
}

fn token(data: &[u8]) -> Option<String> {
    let (&first, rest) = data.split_first()?;
    let header = match first & 3 {
        0 => r#"{"alg":"HS256","typ":"JWT"}"#.to_owned(),
        1 => r#"{"alg":"HS256"}"#.to_owned(),
        2 => format!(r#"{{"alg":"HS256","kid":"{}"}}"#, "k".repeat(usize::from(first) * 2)),
        _ => r#"{"typ":"JWT","alg":"HS256"}"#.to_owned(),
    };
    let payload =
        if first & 0x80 != 0 { std::str::from_utf8(rest).ok()?.to_owned() } else { URL_SAFE_NO_PAD.encode(rest) };
    let input = format!("{}.{payload}", URL_SAFE_NO_PAD.encode(header));
    let tag = ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET), input.as_bytes());
    Some(format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref())))
}

fuzz_target!(|data: &[u8]| {
    let Some(token) = token(data) else { return };
    let s = setup();
    for claims in [true, false] {
        let rust = if claims {
            jwt::verify(token.as_bytes(), &s.key, &s.policy).map(|v| (v.header_json, v.claims_json))
        } else {
            jws::verify(token.as_bytes(), &s.key, &s.policy).map(|v| (v.header_json, v.payload))
        };
        for (want_header, want_body) in [(true, true), (true, false), (false, true), (false, false)] {
            let (mut h, mut hl, mut b, mut bl) = (null_mut(), usize::MAX, null_mut(), usize::MAX);
            let mut err = null_mut();
            let (hp, hlp) = if want_header { (&mut h as *mut _, &mut hl as *mut _) } else { (null_mut(), null_mut()) };
            let (bp, blp) = if want_body { (&mut b as *mut _, &mut bl as *mut _) } else { (null_mut(), null_mut()) };
            let call = if claims { jwtkit_verify } else { jwtkit_jws_verify };
            let status = unsafe { call(token.as_ptr(), token.len(), s.c_key, s.c_policy, hp, hlp, bp, blp, &mut err) };
            let take = |p: *mut std::ffi::c_char, len: usize| unsafe {
                let bytes = std::slice::from_raw_parts(p as *const u8, len + 1).to_vec();
                jwtkit_string_free(p);
                assert_eq!(bytes[len], 0, "not NUL-terminated");
                bytes[..len].to_vec()
            };
            match &rust {
                Ok((header, body)) => {
                    assert_eq!(status, JWTKIT_OK, "C failed where Rust passed: {token}");
                    if want_header {
                        assert_eq!(&take(h, hl), header);
                    }
                    if want_body {
                        assert_eq!(&take(b, bl), body);
                    }
                }
                Err(e) => {
                    assert_ne!(status, JWTKIT_OK, "C passed where Rust failed ({e}): {token}");
                    let message = unsafe { CStr::from_ptr(jwtkit_error_message(err)) }.to_string_lossy().into_owned();
                    unsafe { jwtkit_error_free(err) };
                    assert_eq!(message, e.to_string());
                    assert!(
                        h.is_null() && b.is_null() && hl == usize::MAX && bl == usize::MAX,
                        "output written on failure"
                    );
                }
            }
        }
    }
});
