//! Property tests through the C ABI, with a deterministic xorshift PRNG (no extra crates):
//!
//! - round trip: for random claims (random member names, strings with every kind of
//!   escape, numbers, nesting, whitespace) and every algorithm with its test key
//!   (`tests/keys/`), `jwtkit_sign` then `jwtkit_verify` with the public key gives back
//!   the exact claims bytes; `jwtkit_jws_sign`/`jwtkit_jws_verify` do the same for random
//!   binary payloads;
//! - tamper: changing any single byte of a valid token, at every position, for a few
//!   hundred tokens, makes verification fail, and fail before the claims are read (the
//!   status is never a claims status, a panic, or OK).
//! - messages: every parsing entry point, fed hostile text (controls, ANSI escapes, bidi
//!   overrides, 7 KB names, bytes that are not UTF-8, deep nesting), gives error messages
//!   of at most 512 bytes with no control or invisible character; a JWK member or PEM
//!   body that is not valid base64 gives a message holding nothing of its value.
//!
//! The number of tokens per algorithm is set by what a debug build verifies quickly
//! (ES512 runs on unoptimized RustCrypto code, ~20 ms a verification, so it gets one
//! short token). Every test prints its seed and counts; a failure names the token, the
//! position and the replacement byte.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use common::*;
use jwtkit::ffi::*;

// ---------------------------------------------------------------------------------------
// PRNG

/// xorshift64* (Vigna): deterministic, good enough to pick test cases.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// True with probability 1/n.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------
// Random claims as JSON text

const REGISTERED: [&str; 7] = ["exp", "nbf", "iat", "iss", "sub", "aud", "jti"];

/// Characters strings are made of: ASCII, the ones JSON must escape, controls, non-ASCII
/// of every UTF-8 length, and characters that often trip encoders (U+2028, BOM, astral).
const POOL: &[char] = &[
    'a', 'b', 'x', 'Z', '0', '7', ' ', '.', ',', ':', '{', '}', '[', ']', '"', '\\', '/', '\n', '\t', '\r', '\u{0}',
    '\u{8}', '\u{c}', '\u{1f}', '\u{7f}', 'é', 'ß', 'Ω', '中', '☃', '\u{2028}', '\u{feff}', '\u{ffff}', '😀', '𝄞',
];

fn random_text(rng: &mut Rng, max: usize) -> String {
    (0..rng.below(max + 1)).map(|_| *rng.pick(POOL)).collect()
}

fn hex4(rng: &mut Rng, unit: u32) -> String {
    let s = format!("{unit:04x}");
    if rng.one_in(2) {
        s.to_uppercase()
    } else {
        s
    }
}

/// `s` as a JSON string literal, escaped in a randomly chosen (valid) way per character.
fn json_string(rng: &mut Rng, s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str(if rng.one_in(4) { "\\u0022" } else { "\\\"" }),
            '\\' => out.push_str(if rng.one_in(4) { "\\u005C" } else { "\\\\" }),
            '/' if rng.one_in(2) => out.push_str("\\/"),
            '\n' if rng.one_in(2) => out.push_str("\\n"),
            '\t' if rng.one_in(2) => out.push_str("\\t"),
            '\r' if rng.one_in(2) => out.push_str("\\r"),
            '\u{8}' if rng.one_in(2) => out.push_str("\\b"),
            '\u{c}' if rng.one_in(2) => out.push_str("\\f"),
            c if (c as u32) < 0x20 || rng.one_in(5) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let h = hex4(rng, u32::from(*unit));
                    out.push_str("\\u");
                    out.push_str(&h);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_number(rng: &mut Rng) -> String {
    let digits =
        |rng: &mut Rng, n: usize| -> String { (0..n).map(|_| char::from(b'0' + rng.below(10) as u8)).collect() };
    let sign = if rng.one_in(3) { "-" } else { "" };
    match rng.below(6) {
        0 => format!("{sign}{}", rng.below(1000)),
        1 => format!("{}", rng.next() as i64),
        2 => format!("{}", rng.next()),
        3 => {
            // beyond 64 bits
            let (lead, n) = (1 + rng.below(9), 20 + rng.below(20));
            format!("{sign}{lead}{}", digits(rng, n))
        }
        4 => {
            let (int, n) = (rng.below(100_000), 1 + rng.below(12));
            format!("{sign}{int}.{}", digits(rng, n))
        }
        _ => {
            let e = if rng.one_in(2) { "e" } else { "E" };
            let esign = *rng.pick(&["", "+", "-"]);
            let (lead, n, exp) = (1 + rng.below(9), 1 + rng.below(5), rng.below(300));
            format!("{sign}{lead}.{}{e}{esign}{exp}", digits(rng, n))
        }
    }
}

/// Optional insignificant whitespace (RFC 8259 §2).
fn ws(rng: &mut Rng) -> &'static str {
    if rng.one_in(4) {
        const WS: [&str; 5] = [" ", "\n", "\t", "\r\n", "  "];
        WS[rng.below(WS.len())]
    } else {
        ""
    }
}

fn json_value(rng: &mut Rng, depth: usize) -> String {
    let kinds = if depth >= 5 { 5 } else { 7 };
    match rng.below(kinds) {
        0 => "null".into(),
        1 => (*rng.pick(&["true", "false"])).into(),
        2 => json_number(rng),
        3 | 4 => {
            let s = random_text(rng, 12);
            json_string(rng, &s)
        }
        5 => {
            let n = rng.below(5);
            let items: Vec<String> =
                (0..n).map(|_| format!("{}{}{}", ws(rng), json_value(rng, depth + 1), ws(rng))).collect();
            format!("[{}{}]", items.join(","), if n == 0 { ws(rng) } else { "" })
        }
        _ => json_object(rng, depth + 1, false),
    }
}

/// A JSON object with unique member names (compared after unescaping, as jwtkit does).
fn json_object(rng: &mut Rng, depth: usize, top: bool) -> String {
    let mut names = HashSet::new();
    let mut members = Vec::new();
    let n = if top { 1 + rng.below(8) } else { rng.below(5) };
    for _ in 0..n {
        let name = if rng.one_in(3) { format!("k{}", rng.below(50)) } else { random_text(rng, 8) };
        if (top && REGISTERED.contains(&name.as_str())) || !names.insert(name.clone()) {
            continue;
        }
        let key = json_string(rng, &name);
        let value = json_value(rng, depth);
        members.push(format!("{}{key}{}:{}{value}{}", ws(rng), ws(rng), ws(rng), ws(rng)));
    }
    if top {
        // Registered claims, with types and values any policy accepts.
        let mut add = |rng: &mut Rng, name: &str, value: String| {
            let key = json_string(rng, name);
            members.insert(rng.below(members.len() + 1), format!("{key}:{value}"));
        };
        if rng.one_in(3) {
            let v = if rng.one_in(2) {
                format!("{}", 4_102_444_800u64 + rng.below(1 << 30) as u64)
            } else {
                "4102444800.25".into()
            };
            add(rng, "exp", v);
        }
        if rng.one_in(3) {
            add(rng, "nbf", "946684800".into());
        }
        if rng.one_in(3) {
            add(rng, "iat", "1000000000.5".into());
        }
        for name in ["iss", "sub", "jti"] {
            if rng.one_in(3) {
                let s = random_text(rng, 10);
                let v = json_string(rng, &s);
                add(rng, name, v);
            }
        }
    }
    format!("{{{}{}}}", members.join(","), if members.is_empty() { ws(rng) } else { "" })
}

fn random_claims(rng: &mut Rng) -> Vec<u8> {
    format!("{}{}{}", ws(rng), json_object(rng, 0, true), ws(rng)).into_bytes()
}

// ---------------------------------------------------------------------------------------
// Keys

fn key_file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

const SECRET: &[u8; 64] = b"property-test secret: sixty-four bytes, long enough for HS512...";

/// (signing key, verification key) for `alg`, from `tests/keys/`.
fn keys_for(alg: &str) -> (CKey, CKey) {
    let stem = match alg {
        "HS256" | "HS384" | "HS512" => {
            return (CKey::from_secret(SECRET, 0).unwrap(), CKey::from_secret(SECRET, 0).unwrap());
        }
        "ES256" => "ecp256",
        "ES384" => "ecp384",
        "ES512" => "ecp521",
        "ES256K" => "secp256k1",
        "EdDSA" => "ed25519",
        _ => "rsa2048",
    };
    let private = CKey::from_pem(&key_file(&format!("{stem}.pkcs8.pem"))).unwrap();
    let public = CKey::from_pem(&key_file(&format!("{stem}.spki.pem"))).unwrap();
    (private, public)
}

// ---------------------------------------------------------------------------------------
// Round trips

#[test]
fn sign_then_verify_round_trips_exact_claims_for_every_algorithm() {
    let start = Instant::now();
    let mut rng = Rng::new(0x5EED_0001);
    let policy = CValidation::all();
    let mut total = 0;
    // What the generated claims exercised, so a generator regression cannot go unnoticed.
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for &alg in ALG_NAMES.iter() {
        let (signer, verifier) = keys_for(alg);
        let id = common::alg(alg);
        let n = match alg {
            "ES512" => 4,
            "ES384" | "ES256K" => 15,
            _ => 40,
        };
        for i in 0..n {
            let claims = random_claims(&mut rng);
            let text = String::from_utf8_lossy(&claims);
            for (what, hit) in [
                ("\\u escapes", text.contains("\\u")),
                ("surrogate-pair escapes", text.to_lowercase().contains("\\ud8")),
                ("raw non-ASCII", claims.iter().any(|b| !b.is_ascii())),
                ("nested arrays", text.contains('[')),
                ("nested objects", text.matches('{').count() > 1),
                (
                    "numbers with exponents",
                    claims.windows(3).any(|w| {
                        w[0].is_ascii_digit()
                            && (w[1] | 0x20) == b'e'
                            && (w[2].is_ascii_digit() || w[2] == b'+' || w[2] == b'-')
                    }),
                ),
                ("insignificant whitespace", claims.iter().any(|b| b" \t\r\n".contains(b))),
                (
                    "registered claims",
                    ["\"exp\"", "\"nbf\"", "\"iat\"", "\"iss\"", "\"sub\"", "\"jti\""].iter().any(|r| text.contains(r)),
                ),
            ] {
                *seen.entry(what).or_default() += usize::from(hit);
            }
            let token = sign(&signer, id, &claims, None).unwrap_or_else(|e| {
                panic!("{alg} #{i}: sign failed: {e}\nclaims: {}", String::from_utf8_lossy(&claims))
            });
            let ok = verify(token.as_bytes(), &verifier, &policy).unwrap_or_else(|e| {
                panic!("{alg} #{i}: verify failed: {e}\nclaims: {}\ntoken: {token}", String::from_utf8_lossy(&claims))
            });
            assert_eq!(ok.payload, claims, "{alg} #{i}: claims differ after the round trip");
            let header: serde_json::Value = serde_json::from_slice(&ok.header).unwrap();
            assert_eq!(header["alg"], alg, "{alg} #{i}: header {header}");
            // The private key verifies too, and the unverified decode sees the same bytes.
            assert_eq!(
                verify(token.as_bytes(), &signer, &policy).expect("verify with the private key").payload,
                claims
            );
            assert_eq!(decode_unverified(token.as_bytes()).expect("decode_unverified").payload, claims);
            total += 1;
        }
        // Random binary payloads through the JWS calls (no JSON, NUL bytes, invalid UTF-8).
        for i in 0..n / 2 {
            let payload: Vec<u8> = (0..rng.below(200)).map(|_| rng.next() as u8).collect();
            let token = jws_sign(&signer, id, &payload, None).unwrap_or_else(|e| panic!("{alg} jws #{i}: {e}"));
            let ok = jws_verify(token.as_bytes(), &verifier, &policy).unwrap_or_else(|e| panic!("{alg} jws #{i}: {e}"));
            assert_eq!(ok.payload, payload, "{alg} jws #{i}: payload differs");
            total += 1;
        }
    }
    eprintln!(
        "round trips: {total} tokens, {} algorithms, seed 0x5EED0001, {:?}\n  claims with {seen:?}",
        ALG_NAMES.len(),
        start.elapsed()
    );
    for (what, n) in &seen {
        assert!(*n >= 20, "only {n} generated claims had {what}");
    }
}

// ---------------------------------------------------------------------------------------
// Single-byte changes

const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Statuses a tampered token may get: anything up to and including the signature check.
/// A claims status (400s) would mean the signature verified; OK would be a forgery.
const TAMPERED: [i32; 10] = [
    JWTKIT_ERR_TOKEN_MALFORMED,
    JWTKIT_ERR_BASE64,
    JWTKIT_ERR_JSON,
    JWTKIT_ERR_JSON_LIMIT,
    JWTKIT_ERR_HEADER_INVALID,
    JWTKIT_ERR_CRIT_UNSUPPORTED,
    JWTKIT_ERR_ALG_UNSUPPORTED,
    JWTKIT_ERR_ALG_NOT_ALLOWED,
    JWTKIT_ERR_KEY_ALG_MISMATCH,
    JWTKIT_ERR_SIGNATURE_INVALID,
];

/// Signs `tokens` random-claims tokens per algorithm and changes every byte of each, one
/// at a time (3 times in 4 to another base64url character, else to a random other byte).
fn every_single_byte_change_fails(algs: &[(&str, usize)], seed: u64, max_claims: usize) {
    let start = Instant::now();
    let mut rng = Rng::new(seed);
    let policy = CValidation::all();
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    let (mut tokens, mut changes) = (0, 0);
    for &(alg, count) in algs {
        let (signer, verifier) = keys_for(alg);
        for t in 0..count {
            let claims = loop {
                let c = random_claims(&mut rng);
                if c.len() <= max_claims {
                    break c;
                }
            };
            let token = sign(&signer, common::alg(alg), &claims, None).unwrap().into_bytes();
            assert_eq!(verify(&token, &verifier, &policy).expect("the untouched token verifies").payload, claims);
            tokens += 1;
            for pos in 0..token.len() {
                let old = token[pos];
                let new = if rng.below(4) != 0 {
                    loop {
                        let c = *rng.pick(B64URL);
                        if c != old {
                            break c;
                        }
                    }
                } else {
                    old ^ (1 + rng.below(255) as u8)
                };
                let mut bad = token.clone();
                bad[pos] = new;
                changes += 1;
                match verify(&bad, &verifier, &policy) {
                    Ok(v) => panic!(
                        "{alg} token #{t}: byte {pos} changed {:?} -> {:?} and the token VERIFIED\ntoken: {}\nclaims: {}",
                        old as char,
                        new as char,
                        String::from_utf8_lossy(&bad),
                        String::from_utf8_lossy(&v.payload)
                    ),
                    Err(e) => {
                        assert!(
                            TAMPERED.contains(&e.status),
                            "{alg} token #{t}: byte {pos} changed {:?} -> {:?}: unexpected status {e}\ntoken: {}",
                            old as char,
                            new as char,
                            String::from_utf8_lossy(&bad)
                        );
                        *statuses.entry(status_name(e.status)).or_default() += 1;
                    }
                }
            }
        }
    }
    eprintln!(
        "single-byte changes ({}): {tokens} tokens, {changes} changes, all refused, seed {seed:#x}, {:?}\n  {statuses:?}",
        algs.iter().map(|(a, _)| *a).collect::<Vec<_>>().join(" "),
        start.elapsed()
    );
    assert!(
        statuses.get("JWTKIT_ERR_SIGNATURE_INVALID").copied().unwrap_or(0) > changes / 4,
        "most changes reach the signature check"
    );
}

#[test]
fn every_single_byte_change_fails_hmac() {
    every_single_byte_change_fails(&[("HS256", 60), ("HS384", 60), ("HS512", 60)], 0x5EED_0002, 400);
}

#[test]
fn every_single_byte_change_fails_rsa() {
    every_single_byte_change_fails(
        &[("RS256", 12), ("RS384", 12), ("RS512", 12), ("PS256", 12), ("PS384", 12), ("PS512", 12)],
        0x5EED_0003,
        200,
    );
}

#[test]
fn every_single_byte_change_fails_ecdsa_p256_p384_and_eddsa() {
    every_single_byte_change_fails(&[("ES256", 30), ("ES384", 5), ("EdDSA", 25)], 0x5EED_0004, 200);
}

#[test]
fn every_single_byte_change_fails_ecdsa_p521() {
    // One short token: every position still changed, but each verification costs ~20 ms
    // in a debug build.
    every_single_byte_change_fails(&[("ES512", 1)], 0x5EED_0005, 40);
}

#[test]
fn every_single_byte_change_fails_ecdsa_secp256k1() {
    // RustCrypto k256 (ring build) is unoptimized in a debug build: two short tokens.
    every_single_byte_change_fails(&[("ES256K", 2)], 0x5EED_0006, 40);
}

// ---------------------------------------------------------------------------------------
// The C verify path against the Rust API

/// `jwtkit_verify` and `jwtkit_jws_verify` decode the payload straight into the output
/// they return and keep the header on the stack, where `jwt::verify`/`jws::verify` build
/// vectors. Both must give the same verdict, the same message and the same bytes, for
/// each of the four combinations of outputs asked for; on failure no output is written.
/// Tokens carry good HMAC signatures over: random claims, claims that fail the checks,
/// payloads that are not JSON, payload segments that are not base64url, and headers
/// too long for the stack buffer.
#[test]
fn c_verify_agrees_with_the_rust_api_for_every_output_combination() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;

    const NOW: i64 = 1_700_000_000;
    let mut rng = Rng::new(0x5EED_0C0C);
    let c_key = CKey::from_secret(SECRET, 0).unwrap();
    let mut c_policy = CValidation::only(common::alg("HS256"));
    c_policy.set_now(NOW);
    let key = jwtkit::Key::from_secret(SECRET).unwrap();
    let mut policy = jwtkit::Validation::new(&[jwtkit::Algorithm::HS256]).unwrap();
    policy.set_now(NOW);
    let hmac = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET);
    // A token signed over exactly these header and payload segments.
    let signed = |header_json: &str, payload_segment: &str| {
        let input = format!("{}.{payload_segment}", URL_SAFE_NO_PAD.encode(header_json));
        let tag = ring::hmac::sign(&hmac, input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
    };
    let mut tokens = Vec::new();
    for i in 0..300 {
        let header = match i % 4 {
            0 => r#"{"alg":"HS256","typ":"JWT"}"#.to_owned(),
            1 => r#"{"alg":"HS256"}"#.to_owned(),
            2 => format!(r#"{{"kid":"{}","alg":"HS256"}}"#, "k".repeat(rng.below(400))),
            _ => r#"{ "alg" : "HS256" , "typ" : "at+jwt" }"#.to_owned(),
        };
        let payload: Vec<u8> = match i % 5 {
            0 | 1 => random_claims(&mut rng),
            2 => {
                let t = NOW + rng.below(200) as i64 - 100;
                format!(r#"{{"exp":{t},"nbf":{},"iat":{t},"sub":"s"}}"#, t - 50).into_bytes()
            }
            3 => (0..rng.below(300)).map(|_| rng.next() as u8).collect(),
            _ => {
                // A payload segment that is not base64url: a stray symbol, or a bad length.
                let mut text = URL_SAFE_NO_PAD.encode(random_claims(&mut rng)).into_bytes();
                let at = rng.below(text.len() + 1);
                text.insert(at, *rng.pick(b"=+/ A"));
                tokens.push(signed(&header, &String::from_utf8(text).unwrap()));
                continue;
            }
        };
        tokens.push(signed(&header, &URL_SAFE_NO_PAD.encode(&payload)));
    }

    let (mut passed, mut failed) = (0, 0);
    for token in &tokens {
        for jwt in [true, false] {
            let rust = if jwt {
                jwtkit::jwt::verify(token.as_bytes(), &key, &policy).map(|v| (v.header_json, v.claims_json))
            } else {
                jwtkit::jws::verify(token.as_bytes(), &key, &policy).map(|v| (v.header_json, v.payload))
            };
            for (want_header, want_body) in [(true, true), (true, false), (false, true), (false, false)] {
                let (mut h, mut hl, mut b, mut bl) =
                    (std::ptr::null_mut(), usize::MAX, std::ptr::null_mut(), usize::MAX);
                let mut err = std::ptr::null_mut();
                let (hp, hlp) = if want_header {
                    (&mut h as *mut _, &mut hl as *mut _)
                } else {
                    (std::ptr::null_mut(), std::ptr::null_mut())
                };
                let (bp, blp) = if want_body {
                    (&mut b as *mut _, &mut bl as *mut _)
                } else {
                    (std::ptr::null_mut(), std::ptr::null_mut())
                };
                let call = if jwt { jwtkit_verify } else { jwtkit_jws_verify };
                let st = unsafe {
                    call(token.as_ptr(), token.len(), c_key.as_ptr(), c_policy.as_ptr(), hp, hlp, bp, blp, &mut err)
                };
                let what = format!("jwt={jwt} header={want_header} body={want_body}: {token}");
                match (&rust, common::finish(st, err)) {
                    (Ok((header, body)), Ok(())) => {
                        if want_header {
                            assert_eq!(&common::take_string(h, hl), header, "{what}");
                        }
                        if want_body {
                            assert_eq!(&common::take_string(b, bl), body, "{what}");
                        }
                        passed += 1;
                    }
                    (Err(e), Err(c)) => {
                        assert_eq!(c.message, e.to_string(), "{what}");
                        assert!(
                            h.is_null() && b.is_null() && hl == usize::MAX && bl == usize::MAX,
                            "output written on failure: {what}"
                        );
                        failed += 1;
                    }
                    (rust, c) => {
                        panic!("{what}\n  Rust: {:?}\n  C: {:?}", rust.as_ref().map(drop), c.map_err(|e| e.to_string()))
                    }
                }
            }
        }
    }
    eprintln!("C verify against Rust: {passed} agreed successes, {failed} agreed failures");
    assert!(passed >= 400 && failed >= 400, "too one-sided: {passed} passed, {failed} failed");
}

// ---------------------------------------------------------------------------------------
// Error messages: escaped, bounded, and free of key material

/// The longest error message any input may produce.
const MAX_MESSAGE: usize = 512;

/// Pieces of hostile text: controls, NUL, ANSI/OSC escape sequences, DEL and C1 controls
/// (CSI U+009B), bidi overrides and isolates, zero-width and line-separator characters, a
/// BOM, a combining mark, quotes and the characters messages use to delimit names.
const NASTY: &[&str] = &[
    "\0",
    "\n",
    "\r\n",
    "\t",
    "\u{8}",
    "\x1b[31m",
    "\x1b]0;owned\x07",
    "\x1b[2J",
    "\x7f",
    "\u{85}",
    "\u{9b}2J",
    "\u{202e}",
    "\u{2066}",
    "\u{200b}",
    "\u{200f}",
    "\u{feff}",
    "\u{2028}",
    "\u{2029}",
    "\u{301}",
    "\u{ad}",
    "\"",
    "\\",
    "`",
    "'",
    "%s%n",
    "{}",
    "é",
    "😀",
    "\u{10ffff}",
    "kid",
    "alg",
    "k",
    "P-256",
    "EC",
    " ",
];

/// Hostile text: a few pieces, dozens, hundreds, or thousands (7 KB and more).
fn nasty_text(rng: &mut Rng) -> String {
    let n = match rng.below(5) {
        0 => rng.below(3),
        1 | 2 => 1 + rng.below(30),
        3 => 100 + rng.below(300),
        _ => 1500 + rng.below(2500),
    };
    let mut s = String::new();
    for _ in 0..n {
        if rng.one_in(3) {
            s.push(*rng.pick(POOL));
        } else {
            let piece: &&str = rng.pick(NASTY);
            s.push_str(piece);
        }
    }
    s
}

/// A JSON string literal of hostile text (escaped at random, as `json_string` does).
fn nasty_string(rng: &mut Rng) -> String {
    let s = nasty_text(rng);
    json_string(rng, &s)
}

/// Nesting as deep as `levels`, arrays or objects.
fn deep(rng: &mut Rng, levels: usize) -> String {
    if rng.one_in(2) {
        format!("{}1{}", "[".repeat(levels), "]".repeat(levels))
    } else {
        format!("{}1{}", "{\"a\":".repeat(levels), "}".repeat(levels))
    }
}

/// A value for a member: usually the right kind, often hostile, sometimes neither.
fn nasty_value(rng: &mut Rng, good: &[&str]) -> String {
    match rng.below(10) {
        0..=3 if !good.is_empty() => format!("\"{}\"", rng.pick(good)),
        0..=5 => nasty_string(rng),
        6 => {
            let most = if rng.one_in(4) { 60 } else { 3 };
            let n = 1 + rng.below(most);
            let items: Vec<String> = (0..n).map(|_| nasty_string(rng)).collect();
            format!("[{}]", items.join(","))
        }
        7 => {
            let levels = 1 + rng.below(300);
            deep(rng, levels)
        }
        8 => (*rng.pick(&["null", "true", "1e999", "-0", "{}", "[]", "[1,\"a\"]", "12345678901234567890123"])).into(),
        _ => json_value(rng, 0),
    }
}

/// A JSON object of `members` plus hostile names, in random order, sometimes with a
/// member repeated (a duplicate name is an error that quotes the name).
fn nasty_object(rng: &mut Rng, mut members: Vec<(String, String)>) -> Vec<u8> {
    for _ in 0..rng.below(3) {
        let name = nasty_text(rng);
        members.push((name, nasty_value(rng, &[])));
    }
    if !members.is_empty() && rng.one_in(6) {
        let again = members[rng.below(members.len())].clone();
        members.push(again);
    }
    for i in (1..members.len()).rev() {
        members.swap(i, rng.below(i + 1));
    }
    let body: Vec<String> = members.iter().map(|(name, value)| format!("{}:{value}", json_string(rng, name))).collect();
    let mut out = format!("{{{}}}", body.join(",")).into_bytes();
    if rng.one_in(12) && !out.is_empty() {
        // Bytes that are not UTF-8, anywhere.
        let at = rng.below(out.len());
        out[at] = *rng.pick(&[0xff, 0xc0, 0x80, 0xed, 0xf4]);
    }
    out
}

fn member(name: &str, value: String) -> (String, String) {
    (name.to_owned(), value)
}

/// Some of `names`, each with a value from `nasty_value(good)`.
fn some_members(rng: &mut Rng, names: &[(&str, &[&str])]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, good) in names {
        if !rng.one_in(3) {
            out.push(member(name, nasty_value(rng, good)));
        }
    }
    out
}

fn b64_text(rng: &mut Rng, max: usize) -> String {
    let bytes: Vec<u8> = (0..rng.below(max + 1)).map(|_| rng.next() as u8).collect();
    b64url_encode(&bytes)
}

fn nasty_jwk(rng: &mut Rng) -> Vec<u8> {
    const B64: &[&str] = &["AQAB", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTMyYnl0ZXM", "AA", "_-_-"];
    let mut members = some_members(
        rng,
        &[
            ("kty", &["oct", "RSA", "EC", "OKP"]),
            ("crv", &["P-256", "P-384", "P-521", "Ed25519", "X25519"]),
            ("alg", &["HS256", "ES256", "RS256", "ECDH-ES", "A128KW"]),
            ("use", &["sig", "enc"]),
            ("kid", &["a"]),
            ("key_ops", &[]),
        ],
    );
    for name in ["k", "d", "x", "y", "n", "e", "p", "q", "dp", "dq", "qi", "oth"] {
        if rng.one_in(3) {
            let value = if rng.one_in(2) { format!("\"{}\"", b64_text(rng, 80)) } else { nasty_value(rng, B64) };
            members.push(member(name, value));
        }
    }
    nasty_object(rng, members)
}

fn nasty_claims(rng: &mut Rng) -> Vec<u8> {
    let members = some_members(
        rng,
        &[
            ("iss", &["issuer"]),
            ("sub", &["subject"]),
            ("aud", &["api"]),
            ("jti", &["id"]),
            ("exp", &[]),
            ("nbf", &[]),
            ("iat", &[]),
        ],
    );
    nasty_object(rng, members)
}

fn nasty_jws_header(rng: &mut Rng) -> Vec<u8> {
    let members = some_members(
        rng,
        &[
            ("alg", &["HS256", "RS256", "none", "ES256"]),
            ("kid", &["a", "b"]),
            ("typ", &["JWT", "at+jwt"]),
            ("cty", &["JWT"]),
            ("crit", &["exp"]),
            ("b64", &[]),
            ("jku", &[]),
        ],
    );
    nasty_object(rng, members)
}

fn nasty_jwe_header(rng: &mut Rng) -> Vec<u8> {
    let mut members = some_members(
        rng,
        &[
            ("alg", &["ECDH-ES", "ECDH-ES+A128KW", "dir", "A128KW", "RSA1_5", "PBES2-HS256+A128KW"]),
            ("enc", &["A128GCM", "A256GCM", "A128CBC-HS256", "A192GCM"]),
            ("zip", &["DEF"]),
            ("kid", &["a"]),
            ("crit", &[]),
            ("apu", &["QWxpY2U"]),
            ("apv", &["Qm9i"]),
        ],
    );
    if !rng.one_in(4) {
        let epk = some_members(
            rng,
            &[("kty", &["EC", "OKP"]), ("crv", &["P-256", "X25519"]), ("x", &["AA"]), ("y", &["AA"]), ("d", &["AA"])],
        );
        let epk = String::from_utf8_lossy(&nasty_object(rng, epk)).into_owned();
        members.push(member("epk", epk));
    }
    nasty_object(rng, members)
}

/// Valid members, then one of `targets` made hostile (a string; for `crit` an array
/// whose first name is hostile): reaches the check of that one member, where the
/// wholly random objects above mostly stop at an earlier error.
fn focused_object(rng: &mut Rng, valid: &[(&str, &str)], targets: &[&str]) -> Vec<u8> {
    let target = *rng.pick(targets);
    let mut members: Vec<(String, String)> = valid.iter().map(|(n, v)| member(n, (*v).to_owned())).collect();
    members.retain(|(n, _)| n != target);
    let value = match target {
        "crit" | "aud" | "key_ops" if !rng.one_in(3) => {
            let most = if rng.one_in(3) { 80 } else { 2 };
            let n = 1 + rng.below(most);
            let items: Vec<String> = (0..n).map(|_| nasty_string(rng)).collect();
            format!("[{}]", items.join(","))
        }
        "epk" => {
            let (kty, crv) = if rng.one_in(2) {
                (nasty_string(rng), "\"P-256\"".to_owned())
            } else {
                ("\"EC\"".to_owned(), nasty_string(rng))
            };
            format!(r#"{{"kty":{kty},"crv":{crv},"x":"AA","y":"AA"}}"#)
        }
        _ => nasty_string(rng),
    };
    members.insert(rng.below(members.len() + 1), member(target, value));
    let body: Vec<String> = members.iter().map(|(name, value)| format!("\"{name}\":{value}")).collect();
    format!("{{{}}}", body.join(",")).into_bytes()
}

fn focused_jws_header(rng: &mut Rng) -> Vec<u8> {
    focused_object(
        rng,
        &[("alg", "\"HS256\""), ("typ", "\"JWT\""), ("kid", "\"a\"")],
        &["alg", "kid", "typ", "cty", "crit"],
    )
}

fn focused_claims(rng: &mut Rng) -> Vec<u8> {
    let valid =
        [("exp", "4102444800"), ("iss", "\"issuer\""), ("aud", "\"api\""), ("sub", "\"subject\""), ("jti", "\"id\"")];
    focused_object(rng, &valid, &["iss", "aud", "sub", "jti", "exp"])
}

fn focused_jwk(rng: &mut Rng) -> Vec<u8> {
    match rng.below(4) {
        0 => {
            focused_object(rng, &[("kty", "\"oct\""), ("k", "\"AAAA\"")], &["kty", "k", "alg", "kid", "use", "key_ops"])
        }
        1 => focused_object(
            rng,
            &[("kty", "\"EC\""), ("crv", "\"P-256\""), ("x", "\"AA\""), ("y", "\"AA\"")],
            &["crv", "x", "y", "d"],
        ),
        2 => focused_object(rng, &[("kty", "\"OKP\""), ("crv", "\"Ed25519\""), ("x", "\"AA\"")], &["crv", "x", "d"]),
        _ => focused_object(rng, &[("kty", "\"RSA\""), ("n", "\"AQAB\""), ("e", "\"AQAB\"")], &["n", "e", "kty"]),
    }
}

fn focused_jwe_header(rng: &mut Rng) -> Vec<u8> {
    let valid =
        [("alg", "\"ECDH-ES\""), ("enc", "\"A128GCM\""), ("epk", r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}"#)];
    focused_object(rng, &valid, &["alg", "enc", "zip", "epk", "epk", "epk", "crit", "kid", "typ", "apu"])
}

fn is_format_char(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

/// Tallies what the messages looked like, so that a generator that stops reaching an
/// entry point cannot go unnoticed.
#[derive(Default)]
struct Messages {
    count: BTreeMap<&'static str, usize>,
    longest: usize,
}

impl Messages {
    fn check(&mut self, entry: &'static str, input: &[u8], message: &str) {
        let shown_input = String::from_utf8_lossy(&input[..input.len().min(300)]).into_owned();
        assert!(
            message.len() <= MAX_MESSAGE,
            "{entry}: a message of {} bytes: {:?}… for input {shown_input:?}",
            message.len(),
            message.chars().take(300).collect::<String>()
        );
        let bad = message.chars().find(|&c| c.is_control() || is_format_char(c));
        assert!(bad.is_none(), "{entry}: {bad:?} in the message {message:?} for input {shown_input:?}");
        *self.count.entry(entry).or_default() += 1;
        self.longest = self.longest.max(message.len());
    }

    fn result<T>(&mut self, entry: &'static str, input: &[u8], r: Result<T, jwtkit::Error>) -> Option<T> {
        r.map_err(|e| self.check(entry, input, &e.to_string())).ok()
    }

    fn c_result<T>(&mut self, entry: &'static str, input: &[u8], r: Result<T, CError>) {
        if let Err(e) = r {
            self.check(entry, input, &e.message);
        }
    }
}

fn b64_of(bytes: &[u8]) -> String {
    b64url_encode(bytes)
}

/// Every parsing entry point, on random and adversarially built input, Rust and C:
/// every error message is at most MAX_MESSAGE bytes, and has no control character and
/// no invisible formatting character (whatever the input held: NUL, line breaks, ANSI
/// escapes, bidi overrides, 7 KB names, bytes that are not UTF-8, deep nesting).
#[test]
fn error_messages_are_escaped_and_bounded_whatever_the_input() {
    use jwtkit::jwe::{Alg, Enc, JwePolicy};
    use jwtkit::{Algorithm, Key, KeySet, Validation};

    let start = Instant::now();
    let mut rng = Rng::new(0x5EED_0BAD);
    let mut m = Messages::default();
    let secret = Key::from_secret(SECRET).unwrap();
    let ec = Key::from_pem(&key_file("ecp256.pkcs8.pem")).unwrap();
    let kw = Key::from_jwk(br#"{"kty":"oct","k":"GawgguFyGrWKav7AX4VKUg"}"#).unwrap();
    let c_secret = CKey::from_secret(SECRET, 0).unwrap();
    let c_policy = CValidation::all();
    let mut policy = JwePolicy::new(&Alg::ALL, &Enc::ALL).unwrap();
    policy.allow_zip(true, 1 << 16);
    let limits = jwtkit::Limits::default();
    let rounds = 1500;
    for round in 0..rounds {
        let mut validation = Validation::new(&[Algorithm::HS256, Algorithm::RS256]).unwrap();
        validation.set_now(1_700_000_000);
        validation.add_issuer("issuer");
        validation.add_audience("api");
        if rng.one_in(2) {
            validation.set_subject("subject");
        }
        if rng.one_in(2) {
            validation.set_typ("JWT");
        }
        validation.require_claim(if rng.one_in(4) { "exp" } else { "jti" });

        // JWS / JWT: hostile header and claims, signed with the caller's secret so that
        // every step is reached (header, crit, algorithm, key, signature, claims).
        let header = if rng.one_in(2) { focused_jws_header(&mut rng) } else { nasty_jws_header(&mut rng) };
        let claims = if rng.one_in(2) { focused_claims(&mut rng) } else { nasty_claims(&mut rng) };
        let mut token = format!("{}.{}", b64_of(&header), b64_of(&claims)).into_bytes();
        let signature = secret.sign_bytes(Algorithm::HS256, &token).unwrap();
        token.push(b'.');
        token.extend_from_slice(b64_of(&signature).as_bytes());
        match rng.below(8) {
            0 => {
                let at = rng.below(token.len());
                token[at] = rng.next() as u8; // any byte anywhere, a dot or not ASCII included
            }
            1 => token.extend_from_slice(format!(".{}", nasty_text(&mut rng)).as_bytes()),
            _ => {}
        }
        let input = [&header[..], b" | ", &claims[..]].concat();
        m.result("jwt::verify", &input, jwtkit::jwt::verify(&token, &secret, &validation));
        m.result("jws::verify", &input, jwtkit::jws::verify(&token, &secret, &validation));
        m.result("dangerous::decode_unverified", &input, jwtkit::dangerous::decode_unverified(&token, &limits));
        if round % 4 == 0 {
            m.c_result("C verify", &input, verify(&token, &c_secret, &c_policy));
            m.c_result("C decode_unverified", &input, decode_unverified(&token));
        }

        // JWK, and a JWK Set of a few of them (its skipped keys are described too).
        let jwk = if rng.one_in(2) { focused_jwk(&mut rng) } else { nasty_jwk(&mut rng) };
        m.result("Key::from_jwk", &jwk, Key::from_jwk(&jwk));
        if round % 4 == 1 {
            m.c_result("C key_from_jwk", &jwk, CKey::from_jwk(&jwk));
        }
        let mut jwks = Vec::from(&b"{\"keys\":["[..]);
        for i in 0..1 + rng.below(4) {
            if i > 0 {
                jwks.push(b',');
            }
            jwks.extend_from_slice(&if i == 0 { jwk.clone() } else { nasty_jwk(&mut rng) });
        }
        jwks.extend_from_slice(b"]}");
        if let Some(set) = m.result("KeySet::from_jwks", &jwks, KeySet::from_jwks(&jwks)) {
            for skipped in set.skipped() {
                m.check("SkippedKey::describe", &jwks, &skipped.describe());
            }
            m.result("jwt::verify (key set)", &jwks, jwtkit::jwt::verify(&token, &set, &validation));
        }

        // JWE: hostile protected header, random segments, three kinds of key.
        let jwe_header = if rng.one_in(2) { focused_jwe_header(&mut rng) } else { nasty_jwe_header(&mut rng) };
        let segments: Vec<String> = (0..4).map(|_| b64_text(&mut rng, 40)).collect();
        let jwe = format!("{}.{}", b64_of(&jwe_header), segments.join("."));
        for key in [&ec, &kw, &secret] {
            m.result("jwe::decrypt", &jwe_header, jwtkit::jwe::decrypt(jwe.as_bytes(), key, &policy));
        }
        // The same header as a JSON JWE's protected (or shared) header, beside recipients
        // with hostile headers of their own, opened with the three keys at once.
        let recipients: Vec<String> = (0..1 + rng.below(6))
            .map(|_| {
                let header = if rng.one_in(2) { focused_jwe_header(&mut rng) } else { nasty_jwe_header(&mut rng) };
                format!(r#"{{"header":{},"encrypted_key":"{}"}}"#, String::from_utf8_lossy(&header), segments[0])
            })
            .collect();
        let (protected, shared) = if rng.one_in(3) {
            (b64_of(br#"{"enc":"A128GCM"}"#), String::from_utf8_lossy(&jwe_header).into_owned())
        } else {
            (b64_of(&jwe_header), "{}".to_owned())
        };
        let json_jwe = format!(
            r#"{{"protected":"{protected}","unprotected":{shared},"recipients":[{}],"aad":"{}","iv":"{}","ciphertext":"{}","tag":"{}"}}"#,
            recipients.join(","),
            segments[0],
            segments[1],
            segments[2],
            segments[3]
        );
        m.result(
            "jwe::decrypt_json",
            &jwe_header,
            jwtkit::jwe::decrypt_json(json_jwe.as_bytes(), &[&ec, &kw, &secret], &policy),
        );

        // PEM with a hostile label, and DER bytes.
        let label = nasty_text(&mut rng);
        let pem = format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", b64_text(&mut rng, 60));
        m.result("Key::from_pem", pem.as_bytes(), Key::from_pem(pem.as_bytes()));
        let der: Vec<u8> = (0..rng.below(80)).map(|_| rng.next() as u8).collect();
        m.result("Key::from_der", &der, Key::from_der(&der));
    }
    for entry in [
        "jwt::verify",
        "jws::verify",
        "dangerous::decode_unverified",
        "Key::from_jwk",
        "KeySet::from_jwks",
        "jwe::decrypt",
        "jwe::decrypt_json",
        "Key::from_pem",
        "Key::from_der",
        "C verify",
        "C key_from_jwk",
    ] {
        assert!(m.count.get(entry).copied().unwrap_or(0) >= rounds / 20, "{entry} failed too rarely: {:?}", m.count);
    }
    for entry in ["SkippedKey::describe", "jwt::verify (key set)"] {
        assert!(m.count.get(entry).copied().unwrap_or(0) > 0, "{entry} never reached: {:?}", m.count);
    }
    eprintln!("error messages: {:?}, longest {} bytes, {:.1?}", m.count, m.longest, start.elapsed());
}

/// Every base64url character of `s` replaced by another one (its neighbour in the
/// alphabet), except at `keep`: the same problem, none of the same content.
fn rotated(s: &str, keep: Option<usize>) -> String {
    s.char_indices()
        .map(|(i, c)| match B64URL.iter().position(|&b| char::from(b) == c) {
            Some(p) if Some(i) != keep => char::from(B64URL[(p + 1) % 64]),
            _ => c,
        })
        .collect()
}

/// A JWK member holding key material (or a public member, reported alike) that is not
/// valid base64url, in each of its three ways (a character outside the alphabet, a
/// length no base64url text has, non-canonical trailing bits), for every member of
/// every kind of key: the message names the member and says which problem, and holds
/// nothing of the value: no 4-character piece of it, no symbol, no offset; and it is
/// the same message for a value with other content and the same problem. Through the
/// Rust API, the C ABI and a JWK Set's list of skipped keys.
#[test]
fn key_member_errors_hold_nothing_of_the_value() {
    use jwtkit::{Key, KeySet};
    let mut rng = Rng::new(0x5EED_0C0D);
    let secret = Key::from_jwk(br#"{"kty":"oct","k":"R3Vlc3MgdGhpcyBzZWNyZXQ6IGl0IGlzIDMyIGJ5dGVzIQ"}"#).unwrap();
    let keys: Vec<(Key, &[&str])> = vec![
        (secret, &["k"]),
        (Key::from_pem(&key_file("rsa2048.pkcs8.pem")).unwrap(), &["n", "e", "d", "p", "q", "dp", "dq", "qi"]),
        (Key::from_pem(&key_file("ecp256.pkcs8.pem")).unwrap(), &["x", "y", "d"]),
        (Key::from_pem(&key_file("ecp521.pkcs8.pem")).unwrap(), &["x", "y", "d"]),
        (Key::from_pem(&key_file("ed25519.pkcs8.pem")).unwrap(), &["x", "d"]),
    ];
    const BAD: &[char] = &['!', '$', '~', '.', '=', '+', '/', ' ', '\n', '\0', 'é', '\u{1b}', '"', '\\', '😀'];
    let mut cases = 0;
    for (key, members) in &keys {
        let jwk: serde_json::Value = serde_json::from_str(&key.to_private_jwk().unwrap()).unwrap();
        for name in *members {
            let good = jwk[*name].as_str().unwrap().to_owned();
            for round in 0..12 {
                let (value, keep, problem) = match round % 3 {
                    0 => {
                        let at = rng.below(good.len() + 1);
                        let bad = *rng.pick(BAD);
                        (format!("{}{bad}{}", &good[..at], &good[at..]), Some(at), "outside the base64url alphabet")
                    }
                    1 => {
                        let len = (good.len() - 1) / 4 * 4 + 1;
                        (good[..len].to_owned(), None, "length")
                    }
                    _ => {
                        let len = if good.len() % 4 >= 2 { good.len() } else { (good.len() / 4 - 1) * 4 + 2 };
                        let value = format!("{}{}", &good[..len - 1], *rng.pick(&['B', 'f', '_', '9']));
                        (value, Some(len - 1), "canonical")
                    }
                };
                let other = rotated(&value, keep);
                let message_for = |value: &str| -> Vec<String> {
                    let mut bad_jwk = jwk.clone();
                    bad_jwk[*name] = value.into();
                    let text = bad_jwk.to_string();
                    let rust = Key::from_jwk(text.as_bytes()).err().expect("a bad member is an error").to_string();
                    let c = CKey::from_jwk(text.as_bytes()).err().expect("a bad member is an error").message;
                    let set = KeySet::from_jwks(format!("{{\"keys\":[{text}]}}").as_bytes()).unwrap();
                    vec![rust, c, set.skipped()[0].describe()]
                };
                let messages = message_for(&value);
                assert_eq!(messages, message_for(&other), "{name}: the message depends on the value's content");
                for message in &messages {
                    assert!(message.contains(&format!("member `{name}` is not valid base64url")), "{name}: {message}");
                    assert!(message.contains(problem), "{name} ({problem}): {message}");
                    let lower = message.to_lowercase();
                    assert!(!lower.contains("offset") && !lower.contains("symbol"), "{name}: {message}");
                    let chars: Vec<char> = value.chars().collect();
                    for piece in chars.windows(4) {
                        let piece: String = piece.iter().collect();
                        assert!(!message.contains(&piece), "{name}: {piece:?} of the value is in {message:?}");
                    }
                    cases += 1;
                }
            }
        }
    }
    // PEM: a private key's base64 body with a character that does not belong.
    for file in ["rsa2048.pkcs8.pem", "ecp256.sec1.pem", "ed25519.pkcs8.pem", "rsa2048.pkcs1.pem"] {
        let pem = String::from_utf8(key_file(file)).unwrap();
        let body: Vec<&str> = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        for bad in ['!', '*', '\u{1b}'] {
            let line = body[rng.below(body.len())];
            let at = rng.below(line.len());
            let broken = pem.replacen(line, &format!("{}{bad}{}", &line[..at], &line[at + 1..]), 1);
            let message = Key::from_pem(broken.as_bytes()).err().expect("a broken PEM is an error").to_string();
            for line in &body {
                let chars: Vec<char> = line.chars().collect();
                for piece in chars.windows(4) {
                    let piece: String = piece.iter().collect();
                    assert!(!message.contains(&piece), "{file}: {piece:?} of the key is in {message:?}");
                }
            }
            cases += 1;
        }
    }
    eprintln!("key member errors: {cases} messages checked");
}
