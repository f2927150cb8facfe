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
    let digits = |rng: &mut Rng, n: usize| -> String { (0..n).map(|_| char::from(b'0' + rng.below(10) as u8)).collect() };
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
            let items: Vec<String> = (0..n).map(|_| format!("{}{}{}", ws(rng), json_value(rng, depth + 1), ws(rng))).collect();
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
            let v = if rng.one_in(2) { format!("{}", 4_102_444_800u64 + rng.below(1 << 30) as u64) } else { "4102444800.25".into() };
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
        "EdDSA" => "ed25519",
        _ => "rsa2048",
    };
    let private = CKey::from_pem(&key_file(&format!("{stem}.pkcs8.pem"))).unwrap();
    let public = CKey::from_pem(&key_file(&format!("{stem}.spki.pem"))).unwrap();
    (private, public)
}

const ALGS: [&str; 13] = [
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
];

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
    for alg in ALGS {
        let (signer, verifier) = keys_for(alg);
        let id = common::alg(alg);
        let n = match alg {
            "ES512" => 4,
            "ES384" => 15,
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
                ("numbers with exponents", claims.windows(3).any(|w| w[0].is_ascii_digit() && (w[1] | 0x20) == b'e' && (w[2].is_ascii_digit() || w[2] == b'+' || w[2] == b'-'))),
                ("insignificant whitespace", claims.iter().any(|b| b" \t\r\n".contains(b))),
                ("registered claims", ["\"exp\"", "\"nbf\"", "\"iat\"", "\"iss\"", "\"sub\"", "\"jti\""].iter().any(|r| text.contains(r))),
            ] {
                *seen.entry(what).or_default() += usize::from(hit);
            }
            let token = sign(&signer, id, &claims, None)
                .unwrap_or_else(|e| panic!("{alg} #{i}: sign failed: {e}\nclaims: {}", String::from_utf8_lossy(&claims)));
            let ok = verify(token.as_bytes(), &verifier, &policy)
                .unwrap_or_else(|e| panic!("{alg} #{i}: verify failed: {e}\nclaims: {}\ntoken: {token}", String::from_utf8_lossy(&claims)));
            assert_eq!(ok.payload, claims, "{alg} #{i}: claims differ after the round trip");
            let header: serde_json::Value = serde_json::from_slice(&ok.header).unwrap();
            assert_eq!(header["alg"], alg, "{alg} #{i}: header {header}");
            // The private key verifies too, and the unverified decode sees the same bytes.
            assert_eq!(verify(token.as_bytes(), &signer, &policy).expect("verify with the private key").payload, claims);
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
    eprintln!("round trips: {total} tokens, 13 algorithms, seed 0x5EED0001, {:?}\n  claims with {seen:?}", start.elapsed());
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
    assert!(statuses.get("JWTKIT_ERR_SIGNATURE_INVALID").copied().unwrap_or(0) > changes / 4, "most changes reach the signature check");
}

#[test]
fn every_single_byte_change_fails_hmac() {
    every_single_byte_change_fails(&[("HS256", 60), ("HS384", 60), ("HS512", 60)], 0x5EED_0002, 400);
}

#[test]
fn every_single_byte_change_fails_rsa() {
    every_single_byte_change_fails(&[("RS256", 12), ("RS384", 12), ("RS512", 12), ("PS256", 12), ("PS384", 12), ("PS512", 12)], 0x5EED_0003, 200);
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
                let (mut h, mut hl, mut b, mut bl) = (std::ptr::null_mut(), usize::MAX, std::ptr::null_mut(), usize::MAX);
                let mut err = std::ptr::null_mut();
                let (hp, hlp) = if want_header { (&mut h as *mut _, &mut hl as *mut _) } else { (std::ptr::null_mut(), std::ptr::null_mut()) };
                let (bp, blp) = if want_body { (&mut b as *mut _, &mut bl as *mut _) } else { (std::ptr::null_mut(), std::ptr::null_mut()) };
                let call = if jwt { jwtkit_verify } else { jwtkit_jws_verify };
                let st = unsafe { call(token.as_ptr(), token.len(), c_key.as_ptr(), c_policy.as_ptr(), hp, hlp, bp, blp, &mut err) };
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
                        assert!(h.is_null() && b.is_null() && hl == usize::MAX && bl == usize::MAX, "output written on failure: {what}");
                        failed += 1;
                    }
                    (rust, c) => panic!("{what}\n  Rust: {:?}\n  C: {:?}", rust.as_ref().map(drop), c.map_err(|e| e.to_string())),
                }
            }
        }
    }
    eprintln!("C verify against Rust: {passed} agreed successes, {failed} agreed failures");
    assert!(passed >= 400 && failed >= 400, "too one-sided: {passed} passed, {failed} failed");
}
