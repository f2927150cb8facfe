//! JOSE-level test vectors, run through the C ABI (`jwtkit::ffi`, called from Rust):
//! RFC 7515 App. A and E, RFC 7519 §3.1 and §6.1, RFC 8037 App. A, the RFC 7520 JOSE
//! Cookbook JWS examples (4.1-4.4, Ed25519) and keys, and every case of Wycheproof's
//! `json_web_signature_test.json` and `json_web_crypto_test.json` (JWS and JWE), each
//! rejection checked against the status family its flag or defect calls for. The data
//! lives in `tests/vectors/` (see its README.md).

mod common;

use common::*;
use jwtkit::ffi::*;
use serde_json::Value;

/// `exp` of every RFC 7515 / 7519 example JWT (2011-03-22T18:43:00Z).
const RFC_EXP: i64 = 1_300_819_380;

fn find<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["tests"]
        .as_array()
        .expect("tests array")
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no test {id}"))
}

fn core_alg(name: &str) -> jwtkit::Algorithm {
    jwtkit::Algorithm::from_name(name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Signature bytes computed by the core over an exact signing input (byte comparison of
/// deterministic signatures even where the header bytes can't be reproduced by the signer).
fn core_signature(jwk: &Value, alg: &str, signing_input: &str) -> Vec<u8> {
    let key = jwtkit::Key::from_jwk(serde_json::to_string(jwk).unwrap().as_bytes())
        .unwrap_or_else(|e| panic!("core Key::from_jwk: {e}"));
    key.sign_bytes(core_alg(alg), signing_input.as_bytes()).unwrap_or_else(|e| panic!("core sign_bytes: {e}"))
}

/// A copy of `token` whose signature has one bit flipped (still canonical base64url).
fn tamper_signature(token: &str) -> String {
    let (h, p, sig) = segments(token);
    let mut raw = b64url_decode(sig);
    raw[0] ^= 0x01;
    format!("{h}.{p}.{}", b64url_encode(&raw))
}

fn expect_status(r: Result<Verified, CError>, status: i32, what: &str) {
    match r {
        Ok(_) => panic!("{what}: accepted, expected {}", status_name(status)),
        Err(e) => assert_eq!(e.status, status, "{what}: expected {}, got {e}", status_name(status)),
    }
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

// ---------------------------------------------------------------------------------------
// RFC 7515 Appendix A and E

#[test]
fn rfc7515_a1_to_a4_verify_and_resign() {
    let doc = load_json("rfc/rfc7515_appendix_a.json");
    assert_eq!(doc["tests"].as_array().unwrap().len(), 8);
    let (mut verified, mut jwt_checked, mut token_bytes_equal, mut sig_bytes_equal, mut round_trips) = (0, 0, 0, 0, 0);

    for id in ["rfc7515-A.1-HS256", "rfc7515-A.2-RS256", "rfc7515-A.3-ES256", "rfc7515-A.4-ES512"] {
        let t = find(&doc, id);
        assert_eq!(s(t, "result"), "valid", "{id}");
        let name = s(t, "alg");
        let a = alg(name);
        let compact = s(t, "compact");
        let header = s(t, "protectedHeader").as_bytes();
        let payload = s(t, "payload").as_bytes();
        assert_eq!(compact, format!("{}.{}", s(t, "signingInput"), s(t, "signatureB64u")), "{id} data");

        let private = CKey::from_jwk_value(&t["jwk"]).unwrap_or_else(|e| panic!("{id} jwk: {e}"));
        let public = if t["publicJwk"].is_null() {
            None
        } else {
            Some(CKey::from_jwk_value(&t["publicJwk"]).unwrap_or_else(|e| panic!("{id} publicJwk: {e}")))
        };
        let verifier = public.as_ref().unwrap_or(&private);

        // Verify (signature only): exact header and payload octets come back.
        let v = CValidation::only(a);
        let out = jws_verify(compact.as_bytes(), verifier, &v).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(out.header, header, "{id} header");
        assert_eq!(out.payload, payload, "{id} payload");
        // The private-key handle verifies as well.
        let out = jws_verify(compact.as_bytes(), &private, &v).unwrap_or_else(|e| panic!("{id} (private): {e}"));
        assert_eq!(out.payload, payload, "{id} payload (private)");
        // Not in the allow-list; every other algorithm allowed.
        let others: Vec<i32> = ALL_ALGS.iter().copied().filter(|&x| x != a).collect();
        expect_status(
            jws_verify(compact.as_bytes(), verifier, &CValidation::new(&others).unwrap()),
            JWTKIT_ERR_ALG_NOT_ALLOWED,
            id,
        );
        // One flipped signature bit.
        expect_status(jws_verify(tamper_signature(compact).as_bytes(), verifier, &v), JWTKIT_ERR_SIGNATURE_INVALID, id);
        verified += 1;

        // As a JWT: the clock decides (exp = 1300819380).
        if t["claims"].is_object() {
            let mut before = CValidation::only(a);
            before.set_now(RFC_EXP - 1);
            let out = verify(compact.as_bytes(), verifier, &before).unwrap_or_else(|e| panic!("{id} JWT: {e}"));
            assert_eq!(out.header, header, "{id} JWT header");
            assert_eq!(out.payload, payload, "{id} JWT claims");
            assert_eq!(json_of(&out.payload), t["claims"], "{id} claims");
            let mut at_exp = CValidation::only(a);
            at_exp.set_now(RFC_EXP);
            expect_status(verify(compact.as_bytes(), verifier, &at_exp), JWTKIT_ERR_EXPIRED, id);
            expect_status(verify(compact.as_bytes(), verifier, &v), JWTKIT_ERR_EXPIRED, "real clock");
            jwt_checked += 1;
        }

        if t["deterministic"] == true {
            // The signature octets, over the RFC's exact signing input.
            assert_eq!(core_signature(&t["jwk"], name, s(t, "signingInput")), hex(s(t, "signatureHex")), "{id}");
            sig_bytes_equal += 1;
            if header == format!("{{\"alg\":\"{name}\"}}").as_bytes() {
                // A.2: the header is the one jwtkit_jws_sign writes, so the whole token matches.
                let tok = jws_sign(&private, a, payload, None).unwrap_or_else(|e| panic!("{id} sign: {e}"));
                assert_eq!(tok, compact, "{id}: re-signed token differs");
                token_bytes_equal += 1;
            } else {
                // A.1: `{"typ":"JWT",\r\n "alg":"HS256"}` (CRLF, member order) is not what the
                // signer writes; sign the same claims and verify the result instead.
                let tok = sign(&private, a, payload, None).unwrap_or_else(|e| panic!("{id} sign: {e}"));
                assert_eq!(segments(&tok).1, s(t, "payloadB64u"), "{id}: claims must be encoded as given");
                let mut before = CValidation::only(a);
                before.set_now(RFC_EXP - 1);
                let out = verify(tok.as_bytes(), verifier, &before).unwrap_or_else(|e| panic!("{id} re-signed: {e}"));
                assert_eq!(out.payload, payload);
                let h = json_of(&out.header);
                assert_eq!(h["alg"], name);
                assert_eq!(h["typ"], "JWT");
                round_trips += 1;
            }
        } else {
            // ECDSA is randomized: sign, then verify with the public key.
            let tok = jws_sign(&private, a, payload, None).unwrap_or_else(|e| panic!("{id} sign: {e}"));
            let (_, p, sig) = segments(&tok);
            assert_eq!(p, s(t, "payloadB64u"));
            assert_eq!(b64url_decode(sig).len(), hex(s(t, "signatureHex")).len(), "{id}: R||S length");
            let out = jws_verify(tok.as_bytes(), verifier, &v).unwrap_or_else(|e| panic!("{id} re-signed: {e}"));
            assert_eq!(json_of(&out.header)["alg"], name);
            assert_eq!(out.payload, payload);
            round_trips += 1;
        }
    }
    println!(
        "RFC 7515 A.1-A.4: {verified} verified, {jwt_checked} JWT clock checks, {sig_bytes_equal} signatures \
         byte-identical, {token_bytes_equal} tokens byte-identical (A.2), {round_trips} sign+verify round trips (A.1, A.3, A.4)"
    );
    assert_eq!((verified, jwt_checked, sig_bytes_equal, token_bytes_equal, round_trips), (4, 3, 2, 1, 3));
}

#[test]
fn rfc7515_a5_unsecured_rejected() {
    let doc = load_json("rfc/rfc7515_appendix_a.json");
    let t = find(&doc, "rfc7515-A.5-none");
    assert_eq!(s(t, "result"), "unsecured");
    let key = CKey::from_jwk_value(&find(&doc, "rfc7515-A.1-HS256")["jwk"]).unwrap();
    let compact = s(t, "compact").as_bytes();
    let mut v = CValidation::all();
    v.set_now(RFC_EXP - 1);
    expect_status(jws_verify(compact, &key, &v), JWTKIT_ERR_ALG_UNSUPPORTED, "A.5 jws_verify");
    expect_status(verify(compact, &key, &v), JWTKIT_ERR_ALG_UNSUPPORTED, "A.5 verify");
    assert_eq!(alg_from_name("none").unwrap_err().status, JWTKIT_ERR_ALG_UNSUPPORTED);
    // Other spellings of `none`, and `none` with a (meaningless) signature attached.
    for name in ["None", "NONE", "nOnE"] {
        let tok = format!("{}.{}.", b64url_encode(format!("{{\"alg\":\"{name}\"}}").as_bytes()), s(t, "payloadB64u"));
        expect_status(jws_verify(tok.as_bytes(), &key, &v), JWTKIT_ERR_ALG_UNSUPPORTED, name);
    }
    let with_sig = format!("{}{}", s(t, "compact"), find(&doc, "rfc7515-A.1-HS256")["signatureB64u"].as_str().unwrap());
    expect_status(jws_verify(with_sig.as_bytes(), &key, &v), JWTKIT_ERR_ALG_UNSUPPORTED, "none + signature");
}

#[test]
fn rfc7515_a6_a7_json_serialization_rejected() {
    let doc = load_json("rfc/rfc7515_appendix_a.json");
    let mut n = 0;
    for id in ["rfc7515-A.6-general-json", "rfc7515-A.7-flattened-json"] {
        let t = find(&doc, id);
        assert_eq!(s(t, "type"), "jws-json");
        let keys = t["keys"].as_object().unwrap();
        let (_, k) = keys.iter().next().unwrap();
        let key = CKey::from_jwk_value(&k["publicJwk"]).unwrap();
        let v = CValidation::all();
        for text in [serde_json::to_string(&t["json"]).unwrap(), serde_json::to_string_pretty(&t["json"]).unwrap()] {
            expect_status(jws_verify(text.as_bytes(), &key, &v), JWTKIT_ERR_TOKEN_MALFORMED, id);
            expect_status(verify(text.as_bytes(), &key, &v), JWTKIT_ERR_TOKEN_MALFORMED, id);
            n += 1;
        }
    }
    assert_eq!(n, 4);
}

#[test]
fn rfc7515_appendix_e_crit_rejected() {
    let doc = load_json("rfc/rfc7515_appendix_a.json");
    let t = find(&doc, "rfc7515-E-crit");
    assert_eq!(s(t, "result"), "invalid");
    let a1 = find(&doc, "rfc7515-A.1-HS256");
    let key = CKey::from_jwk_value(&a1["jwk"]).unwrap();
    let v = CValidation::all();
    // As printed: alg `none` + a `crit` naming an unknown extension.
    expect_status(jws_verify(s(t, "compact").as_bytes(), &key, &v), JWTKIT_ERR_CRIT_UNSUPPORTED, "App. E");

    // The same `crit` under a real HS256 signature: only `crit` can be the reason to reject.
    let header =
        "{\"alg\":\"HS256\",\"crit\":[\"http://example.com/UNDEFINED\"],\"http://example.com/UNDEFINED\":true}";
    let input = format!("{}.{}", b64url_encode(header.as_bytes()), s(t, "payloadB64u"));
    let tok = format!("{input}.{}", b64url_encode(&core_signature(&a1["jwk"], "HS256", &input)));
    expect_status(jws_verify(tok.as_bytes(), &key, &v), JWTKIT_ERR_CRIT_UNSUPPORTED, "App. E with HS256");
    // Control: without `crit` the same construction verifies.
    let header = "{\"alg\":\"HS256\",\"http://example.com/UNDEFINED\":true}";
    let input = format!("{}.{}", b64url_encode(header.as_bytes()), s(t, "payloadB64u"));
    let tok = format!("{input}.{}", b64url_encode(&core_signature(&a1["jwk"], "HS256", &input)));
    let out = jws_verify(tok.as_bytes(), &key, &v).unwrap_or_else(|e| panic!("control: {e}"));
    assert_eq!(out.payload, b"FAIL");
}

// ---------------------------------------------------------------------------------------
// Detached content (RFC 7515 Appendix F, RFC 7520 §4.5) and unencoded payloads (RFC 7797)

/// RFC 7520 §4.5: an HS256 signature over detached content verifies with the payload
/// given apart, re-signs byte for byte, and fails with any other payload.
#[test]
fn cookbook_4_5_detached_content() {
    let d = load_json("jose-cookbook/jws/4_5.signature_with_detached_content.json");
    let key = CKey::from_jwk_value(&d["input"]["key"]).unwrap();
    let payload = s(&d["input"], "payload").as_bytes();
    let compact = s(&d["output"], "compact");
    let v = CValidation::only(alg("HS256"));
    let header = verify_detached(compact.as_bytes(), payload, &key, &v, false).unwrap();
    assert_eq!(json_of(&header)["kid"], d["signing"]["protected"]["kid"]);
    let kid_header = serde_json::json!({"kid": d["signing"]["protected"]["kid"]}).to_string();
    let resigned = jws_sign_detached(&key, alg("HS256"), payload, Some(kid_header.as_bytes()), false).unwrap();
    assert_eq!(resigned, compact, "HMAC is deterministic and the header is the same members");
    let mut other = payload.to_vec();
    other[0] ^= 1;
    expect_status_of(verify_detached(compact.as_bytes(), &other, &key, &v, false), JWTKIT_ERR_SIGNATURE_INVALID);
    // The attached form of the same token is not the detached one.
    let attached = compact.replacen("..", &format!(".{}.", b64url_encode(payload)), 1);
    expect_status_of(verify_detached(attached.as_bytes(), payload, &key, &v, false), JWTKIT_ERR_TOKEN_MALFORMED);
    assert!(jws_verify(attached.as_bytes(), &key, &v).is_ok(), "and verifies as a plain compact JWS");
}

/// RFC 7797: `b64: false` with `crit: ["b64"]` verifies over the payload's own bytes
/// (the cookbook's example, and RFC 7797 §4.1/§4.2 from the RFC text); the cookbook's
/// §4.2 file, which omits `crit`, is refused, as RFC 7797 §6 requires.
#[test]
fn rfc7797_unencoded_payloads() {
    let d = load_json("jose-cookbook/rfc7797/hmac-sha2_b64_false.json");
    let key = CKey::from_jwk_value(&d["input"]["key"]).unwrap();
    let v = CValidation::only(alg("HS256"));
    // Its `output` is right (its `signing` block is not: see tests/vectors/README.md). The
    // compact form carries the payload inline; jwtkit verifies unencoded payloads detached.
    let compact = s(&d["output"], "compact");
    let payload = s(&d["input"], "payload");
    let (head, rest) = compact.split_once('.').unwrap();
    let sig = rest.rsplit_once('.').unwrap().1;
    assert_eq!(&rest[..rest.len() - sig.len() - 1], payload);
    let detached = format!("{head}..{sig}");
    let header = verify_detached(detached.as_bytes(), payload.as_bytes(), &key, &v, false).unwrap();
    assert_eq!(json_of(&header)["b64"], false);
    let resigned = jws_sign_detached(&key, alg("HS256"), payload.as_bytes(), None, true).unwrap();
    expect_status_of(verify_detached(resigned.as_bytes(), b"other", &key, &v, false), JWTKIT_ERR_SIGNATURE_INVALID);
    assert!(verify_detached(resigned.as_bytes(), payload.as_bytes(), &key, &v, false).is_ok());
    // Inline unencoded payloads (RFC 7797 §5.2) are not read: only the detached form.
    expect_status_of(jws_verify(compact.as_bytes(), &key, &v), JWTKIT_ERR_HEADER_INVALID);

    let no_crit = load_json("jose-cookbook/rfc7797/4.2.hmac-sha2_b64_false.json");
    let key42 = CKey::from_jwk_value(&no_crit["input"]["key"]).unwrap();
    let flat = &no_crit["output"]["json_flat"];
    let detached = format!("{}..{}", s(flat, "protected"), s(flat, "signature"));
    let e = verify_detached(detached.as_bytes(), s(flat, "payload").as_bytes(), &key42, &v, false).unwrap_err();
    assert_eq!(e.status, JWTKIT_ERR_HEADER_INVALID, "{e}");
    assert!(e.message.contains("crit"), "{e}");

    // RFC 7797 §4.1 (b64 true, detached) and §4.2 (b64 false with crit), key of RFC 7515 A.1.
    let a1 = load_json("rfc/rfc7515_appendix_a.json");
    let key = CKey::from_jwk_value(&find(&a1, "rfc7515-A.1-HS256")["jwk"]).unwrap();
    let t41 = "eyJhbGciOiJIUzI1NiJ9..5mvfOroL-g7HyqJoozehmsaqmvTYGEq5jTI1gVvoEoQ";
    let t42 = "eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19..A5dxf2s96_n5FLueVuW1Z_vh161FwXZC4YLPff6dmDY";
    assert!(verify_detached(t41.as_bytes(), b"$.02", &key, &v, false).is_ok());
    assert!(verify_detached(t42.as_bytes(), b"$.02", &key, &v, false).is_ok());
    assert_eq!(jws_sign_detached(&key, alg("HS256"), b"$.02", None, false).unwrap(), t41);
    assert_eq!(jws_sign_detached(&key, alg("HS256"), b"$.02", None, true).unwrap(), t42);
    expect_status_of(verify_detached(t42.as_bytes(), b"$.03", &key, &v, false), JWTKIT_ERR_SIGNATURE_INVALID);
}

/// The unencoded payload of a JWT is still its claims, checked in full (a `b64: false`
/// token never skips the claim checks).
#[test]
fn detached_jwt_claims_are_checked() {
    let key = CKey::from_secret(b"detached-claims secret, 32 bytes or more!", 0).unwrap();
    let mut v = CValidation::only(alg("HS256"));
    v.set_now(1_700_000_000);
    for unencoded in [false, true] {
        let expired = br#"{"sub":"alice","exp":1600000000}"#;
        let token = jws_sign_detached(&key, alg("HS256"), expired, None, unencoded).unwrap();
        assert!(verify_detached(token.as_bytes(), expired, &key, &v, false).is_ok(), "the signature is fine");
        expect_status_of(verify_detached(token.as_bytes(), expired, &key, &v, true), JWTKIT_ERR_EXPIRED);
        let not_json = b"not claims";
        let token = jws_sign_detached(&key, alg("HS256"), not_json, None, unencoded).unwrap();
        expect_status_of(verify_detached(token.as_bytes(), not_json, &key, &v, true), JWTKIT_ERR_JSON);
    }
}

fn expect_status_of<T: std::fmt::Debug>(r: Result<T, CError>, status: i32) {
    match r {
        Ok(v) => panic!("expected {}, got Ok({v:?})", status_name(status)),
        Err(e) => assert_eq!(e.status, status, "{e}"),
    }
}

// ---------------------------------------------------------------------------------------
// RFC 7519

#[test]
fn rfc7519_example_jwt_and_unsecured() {
    let doc = load_json("rfc/rfc7519_section_3_1.json");
    assert_eq!(doc["tests"].as_array().unwrap().len(), 2);
    let t = find(&doc, "rfc7519-3.1-HS256");
    let compact = s(t, "compact").as_bytes();
    let key = CKey::from_jwk_value(&t["jwk"]).unwrap();

    let mut v = CValidation::only(JWTKIT_ALG_HS256);
    v.set_now(RFC_EXP - 1);
    let out = verify(compact, &key, &v).unwrap_or_else(|e| panic!("3.1: {e}"));
    assert_eq!(out.header, s(t, "protectedHeader").as_bytes());
    assert_eq!(out.payload, s(t, "payload").as_bytes());
    assert_eq!(json_of(&out.payload), t["claims"]);

    // Real clock: expired since 2011.
    expect_status(verify(compact, &key, &CValidation::only(JWTKIT_ALG_HS256)), JWTKIT_ERR_EXPIRED, "real clock");
    // now == exp is expired (now >= exp + leeway); one second of leeway accepts it.
    let mut at = CValidation::only(JWTKIT_ALG_HS256);
    at.set_now(RFC_EXP);
    expect_status(verify(compact, &key, &at), JWTKIT_ERR_EXPIRED, "now == exp");
    at.set_leeway(1);
    verify(compact, &key, &at).unwrap_or_else(|e| panic!("now == exp, leeway 1: {e}"));
    // Signature-only verification ignores claims and the clock.
    jws_verify(compact, &key, &CValidation::only(JWTKIT_ALG_HS256)).unwrap();
    // Unverified decoding returns the exact octets.
    let out = decode_unverified(compact).unwrap();
    assert_eq!(out.header, s(t, "protectedHeader").as_bytes());
    assert_eq!(out.payload, s(t, "payload").as_bytes());

    let u = find(&doc, "rfc7519-6.1-unsecured");
    assert_eq!(s(u, "result"), "unsecured");
    expect_status(verify(s(u, "compact").as_bytes(), &key, &v), JWTKIT_ERR_ALG_UNSUPPORTED, "6.1 verify");
    expect_status(jws_verify(s(u, "compact").as_bytes(), &key, &CValidation::all()), JWTKIT_ERR_ALG_UNSUPPORTED, "6.1");
}

// ---------------------------------------------------------------------------------------
// RFC 8037

#[test]
fn rfc8037_ed25519_sign_and_verify() {
    let doc = load_json("rfc/rfc8037_appendix_a.json");
    let k = find(&doc, "rfc8037-A.1-A.2-ed25519-key");
    CKey::from_jwk_value(&k["jwk"]).unwrap_or_else(|e| panic!("A.1 private: {e}"));
    CKey::from_jwk_value(&k["publicJwk"]).unwrap_or_else(|e| panic!("A.2 public: {e}"));
    assert_eq!(b64url_decode(s(&k["jwk"], "d")), hex(s(k, "dHex")));
    assert_eq!(b64url_decode(s(&k["jwk"], "x")), hex(s(k, "xHex")));

    let t = find(&doc, "rfc8037-A.4-A.5-EdDSA");
    assert_eq!(s(t, "alg"), "EdDSA");
    assert_eq!(alg("EdDSA"), JWTKIT_ALG_EDDSA);
    assert_eq!(alg("Ed25519"), JWTKIT_ALG_EDDSA);
    let private = CKey::from_jwk_value(&t["jwk"]).unwrap();
    let public = CKey::from_jwk_value(&t["publicJwk"]).unwrap();
    let payload = s(t, "payload").as_bytes();
    let compact = s(t, "compact");

    // A.4: Ed25519 is deterministic and the header is `{"alg":"EdDSA"}`: byte-identical token.
    let tok = jws_sign(&private, JWTKIT_ALG_EDDSA, payload, None).unwrap_or_else(|e| panic!("A.4 sign: {e}"));
    assert_eq!(tok, compact, "A.4 re-signed token");
    assert_eq!(core_signature(&t["jwk"], "EdDSA", s(t, "signingInput")), hex(s(t, "signatureHex")));

    // A.5: verification.
    let v = CValidation::only(JWTKIT_ALG_EDDSA);
    let out = jws_verify(compact.as_bytes(), &public, &v).unwrap_or_else(|e| panic!("A.5: {e}"));
    assert_eq!(out.header, s(t, "protectedHeader").as_bytes());
    assert_eq!(out.payload, payload);
    jws_verify(compact.as_bytes(), &private, &v).unwrap_or_else(|e| panic!("A.5 private handle: {e}"));
    expect_status(jws_verify(tamper_signature(compact).as_bytes(), &public, &v), JWTKIT_ERR_SIGNATURE_INVALID, "A.5");
    expect_status(
        jws_verify(compact.as_bytes(), &public, &CValidation::only(JWTKIT_ALG_ES256)),
        JWTKIT_ERR_ALG_NOT_ALLOWED,
        "A.5 ES256-only",
    );
    // The payload is not JSON: a JWT verification must refuse it after the signature checks.
    let r = verify(compact.as_bytes(), &public, &v);
    assert!(r.is_err(), "non-JSON payload accepted as JWT claims");
}

// ---------------------------------------------------------------------------------------
// JOSE Cookbook (RFC 7520)

struct Cookbook {
    file: &'static str,
    /// bare JWK files of `jose-cookbook/jwk/` holding this example's public and private key
    public_jwk_file: Option<&'static str>,
    private_jwk_file: Option<&'static str>,
    /// jwtkit_jws_sign with the example's extra header members reproduces the whole token
    /// (deterministic algorithm and header bytes the signer writes identically)
    token_reproducible: bool,
}

const COOKBOOK: [Cookbook; 5] = [
    Cookbook {
        file: "jose-cookbook/jws/4_1.rsa_v15_signature.json",
        public_jwk_file: Some("jose-cookbook/jwk/3_3.rsa_public_key.json"),
        private_jwk_file: Some("jose-cookbook/jwk/3_4.rsa_private_key.json"),
        token_reproducible: true,
    },
    Cookbook {
        file: "jose-cookbook/jws/4_2.rsa-pss_signature.json",
        public_jwk_file: Some("jose-cookbook/jwk/3_3.rsa_public_key.json"),
        private_jwk_file: Some("jose-cookbook/jwk/3_4.rsa_private_key.json"),
        token_reproducible: false,
    },
    Cookbook {
        file: "jose-cookbook/jws/4_3.ecdsa_signature.json",
        public_jwk_file: Some("jose-cookbook/jwk/3_1.ec_public_key.json"),
        private_jwk_file: Some("jose-cookbook/jwk/3_2.ec_private_key.json"),
        token_reproducible: false,
    },
    Cookbook {
        file: "jose-cookbook/jws/4_4.hmac-sha2_integrity_protection.json",
        public_jwk_file: None,
        private_jwk_file: Some("jose-cookbook/jwk/3_5.symmetric_key_mac_computation.json"),
        token_reproducible: true,
    },
    Cookbook {
        file: "jose-cookbook/curve25519/jws.json",
        public_jwk_file: None,
        private_jwk_file: None,
        token_reproducible: true,
    },
];

#[test]
fn cookbook_jws_examples() {
    let (mut verified, mut sig_bytes_equal, mut token_bytes_equal, mut round_trips, mut json_rejected) =
        (0, 0, 0, 0, 0);
    for c in &COOKBOOK {
        let d = load_json(c.file);
        let f = c.file;
        let name = s(&d["input"], "alg");
        let a = alg(name);
        let payload = s(&d["input"], "payload").as_bytes();
        let jwk = &d["input"]["key"];
        let signing = &d["signing"];
        let compact = s(&d["output"], "compact");
        let protected = b64url_decode(s(signing, "protected_b64u"));
        assert_eq!(json_of(&protected), signing["protected"], "{f} data");
        assert_eq!(compact, format!("{}.{}", s(signing, "sig-input"), s(signing, "sig")), "{f} data");

        let private = CKey::from_jwk_value(jwk).unwrap_or_else(|e| panic!("{f} key: {e}"));
        let public = CKey::from_jwk_value(&public_jwk(jwk)).unwrap_or_else(|e| panic!("{f} public key: {e}"));
        let mut verifiers = vec![("derived public", public), ("private", private)];
        if let Some(p) = c.public_jwk_file {
            assert_eq!(load_json(p), public_jwk(jwk), "{p} is the public part of {f}'s key");
            verifiers.push((p, CKey::from_jwk_value(&load_json(p)).unwrap_or_else(|e| panic!("{p}: {e}"))));
        }
        if let Some(p) = c.private_jwk_file {
            assert_eq!(&load_json(p), jwk, "{p} is {f}'s key");
        }
        let v = CValidation::only(a);
        for (what, key) in &verifiers {
            let out = jws_verify(compact.as_bytes(), key, &v).unwrap_or_else(|e| panic!("{f} with {what}: {e}"));
            assert_eq!(out.header, protected, "{f} header");
            assert_eq!(out.payload, payload, "{f} payload");
            expect_status(jws_verify(tamper_signature(compact).as_bytes(), key, &v), JWTKIT_ERR_SIGNATURE_INVALID, f);
        }
        verified += 1;

        // The JSON serializations of the same JWS are not compact tokens.
        for form in ["json", "json_flat"] {
            let text = serde_json::to_string(&d["output"][form]).unwrap();
            expect_status(jws_verify(text.as_bytes(), &verifiers[0].1, &v), JWTKIT_ERR_TOKEN_MALFORMED, form);
            json_rejected += 1;
        }

        // Re-sign with the example's protected header members other than `alg`.
        let mut extra = signing["protected"].as_object().unwrap().clone();
        extra.remove("alg");
        let extra = (!extra.is_empty()).then(|| serde_json::to_vec(&extra).unwrap());
        let private = &verifiers[1].1;
        let tok = jws_sign(private, a, payload, extra.as_deref()).unwrap_or_else(|e| panic!("{f} sign: {e}"));
        if d["reproducible"] == true {
            assert_eq!(b64url_decode(s(signing, "sig")), core_signature(jwk, name, s(signing, "sig-input")), "{f}");
            sig_bytes_equal += 1;
        }
        if c.token_reproducible {
            assert_eq!(d["reproducible"], true);
            assert_eq!(tok, compact, "{f}: re-signed token differs");
            token_bytes_equal += 1;
        } else {
            let out = jws_verify(tok.as_bytes(), &verifiers[0].1, &v).unwrap_or_else(|e| panic!("{f} re-signed: {e}"));
            assert_eq!(json_of(&out.header), signing["protected"], "{f} re-signed header");
            assert_eq!(out.payload, payload, "{f} re-signed payload");
            assert_eq!(segments(&tok).1, segments(compact).1, "{f} payload segment");
            round_trips += 1;
        }
    }
    println!(
        "cookbook: {verified} compact outputs verified, {json_rejected} JSON serializations rejected, \
         {sig_bytes_equal} signatures byte-identical, {token_bytes_equal} tokens byte-identical (4.1, 4.4, Ed25519), \
         {round_trips} randomized sign+verify round trips (4.2 PS384, 4.3 ES512)"
    );
    assert_eq!((verified, json_rejected, sig_bytes_equal, token_bytes_equal, round_trips), (5, 10, 3, 3, 2));
}

#[test]
fn cookbook_jwk_files() {
    // 3.1-3.5 are signing keys: public ones verify only, private ones sign.
    let ec_pub = CKey::from_jwk_value(&load_json("jose-cookbook/jwk/3_1.ec_public_key.json")).unwrap();
    let ec_priv = CKey::from_jwk_value(&load_json("jose-cookbook/jwk/3_2.ec_private_key.json")).unwrap();
    let rsa_pub = CKey::from_jwk_value(&load_json("jose-cookbook/jwk/3_3.rsa_public_key.json")).unwrap();
    let rsa_priv = CKey::from_jwk_value(&load_json("jose-cookbook/jwk/3_4.rsa_private_key.json")).unwrap();
    let mac = CKey::from_jwk_value(&load_json("jose-cookbook/jwk/3_5.symmetric_key_mac_computation.json")).unwrap();
    let payload = b"cookbook keys";

    for (priv_key, pub_key, a) in [
        (&ec_priv, &ec_pub, JWTKIT_ALG_ES512),
        (&rsa_priv, &rsa_pub, JWTKIT_ALG_RS256),
        (&rsa_priv, &rsa_pub, JWTKIT_ALG_PS512),
        (&mac, &mac, JWTKIT_ALG_HS256),
    ] {
        let tok = jws_sign(priv_key, a, payload, None).unwrap_or_else(|e| panic!("sign {a}: {e}"));
        let out = jws_verify(tok.as_bytes(), pub_key, &CValidation::only(a)).unwrap();
        assert_eq!(out.payload, payload);
    }
    for (k, a) in [(&ec_pub, JWTKIT_ALG_ES512), (&rsa_pub, JWTKIT_ALG_RS256)] {
        assert_eq!(jws_sign(k, a, payload, None).unwrap_err().status, JWTKIT_ERR_KEY_CANNOT_SIGN);
    }
    // The P-521 key does not fit ES256; the `alg: HS256` MAC key does not fit HS512.
    assert_eq!(jws_sign(&ec_priv, JWTKIT_ALG_ES256, payload, None).unwrap_err().status, JWTKIT_ERR_KEY_ALG_MISMATCH);
    let e = jws_sign(&mac, JWTKIT_ALG_HS512, payload, None).unwrap_err();
    assert!(
        e.status == JWTKIT_ERR_KEY_USAGE || e.status == JWTKIT_ERR_KEY_ALG_MISMATCH,
        "HS512 with an `alg: HS256` JWK: {e}"
    );

    // 3.6 is an encryption key (`use: enc`, `alg: A256GCM`): it must not verify a JWS, whether
    // it is refused at import or at use.
    let enc = load_json("jose-cookbook/jwk/3_6.symmetric_key_encryption.json");
    let secret = CKey::from_secret(&b64url_decode(s(&enc, "k")), 0).unwrap();
    let tok = jws_sign(&secret, JWTKIT_ALG_HS256, payload, None).unwrap();
    match CKey::from_jwk_value(&enc) {
        Err(e) => assert!(
            [JWTKIT_ERR_KEY_USAGE, JWTKIT_ERR_KEY_UNSUPPORTED, JWTKIT_ERR_KEY_INVALID].contains(&e.status),
            "3.6 import: {e}"
        ),
        Ok(k) => expect_status(
            jws_verify(tok.as_bytes(), &k, &CValidation::only(JWTKIT_ALG_HS256)),
            JWTKIT_ERR_KEY_USAGE,
            "3.6 (use: enc) verifying HS256",
        ),
    }
}

// ---------------------------------------------------------------------------------------
// Wycheproof json_web_signature_test.json

/// Data errors documented in tests/vectors/README.md. For these the test asserts the
/// strictly correct outcome, which is the opposite of the file's label.
/// tcId 367, 370: byte-identical to tcId 357 (valid) but labelled invalid (C2SP/wycheproof#236).
const LABEL_INVALID_BUT_IDENTICAL_TO_VALID: [i64; 2] = [367, 370];
/// tcId 372, 373: `?` inside base64url, labelled valid; RFC 7515 §2 allows no such character.
/// (The MAC of both covers the unmodified input, so the signature does not verify either.)
const LABEL_VALID_BUT_NOT_BASE64URL: [i64; 2] = [372, 373];
/// tcId 346, 347, 350, 351: key `alg` PS256 for a PS384 JWS / `ES521` (unregistered) for an
/// ES512 JWS, labelled valid; a verifier that enforces the JWK `alg` rejects them.
const LABEL_VALID_BUT_KEY_ALG_CONFLICTS: [i64; 4] = [346, 347, 350, 351];

#[test]
fn wycheproof_json_web_signature() {
    let doc = load_json("wycheproof/jose/json_web_signature_test.json");
    let v = CValidation::all();
    let mut failures: Vec<String> = Vec::new();
    let mut histogram: std::collections::BTreeMap<String, Vec<i64>> = Default::default();
    let (mut total, mut valid_accepted, mut invalid_rejected, mut invalid_rejected_at_import) = (0, 0, 0, 0);
    let (mut data_errors_as_expected, mut import_refused_valid) = (0, 0);
    let mut by_family: std::collections::BTreeMap<&str, usize> = Default::default();

    for g in doc["testGroups"].as_array().unwrap() {
        let jwk = if g["public"].is_object() { &g["public"] } else { &g["private"] };
        let key = CKey::from_jwk_value(jwk);
        for t in g["tests"].as_array().unwrap() {
            total += 1;
            let id = int(t, "tcId");
            let label = s(t, "result");
            let token = s(t, "jws").as_bytes();
            let outcome: Result<Verified, CError> = match &key {
                Ok(k) => jws_verify(token, k, &v),
                Err(e) => Err(CError { status: e.status, message: format!("key import: {}", e.message) }),
            };
            let got = match &outcome {
                Ok(_) => "accepted".to_string(),
                Err(e) => status_name(e.status),
            };
            histogram.entry(format!("{label} -> {got}")).or_default().push(id);
            let describe = || {
                format!(
                    "tcId {id} ({}, group {}): labelled {label}, got {}",
                    s(t, "comment"),
                    s(g, "comment"),
                    match &outcome {
                        Ok(_) => "accepted".to_string(),
                        Err(e) => e.to_string(),
                    }
                )
            };

            if LABEL_INVALID_BUT_IDENTICAL_TO_VALID.contains(&id) {
                assert_eq!(label, "invalid");
                if outcome.is_ok() {
                    data_errors_as_expected += 1;
                } else {
                    failures.push(format!("{} (data error: should be accepted like tcId 357)", describe()));
                }
            } else if LABEL_VALID_BUT_NOT_BASE64URL.contains(&id) {
                assert_eq!(label, "valid");
                // 372: `?` in the header, refused by the strict decoder. 373: `?` in the payload;
                // the MAC covers the unmodified payload, so the signature check (which comes
                // before the payload is decoded) already refuses it.
                let want = if id == 372 { JWTKIT_ERR_BASE64 } else { JWTKIT_ERR_SIGNATURE_INVALID };
                match &outcome {
                    Err(e) if e.status == want || e.status == JWTKIT_ERR_BASE64 => data_errors_as_expected += 1,
                    _ => failures.push(format!("{} (data error: not base64url, must be rejected)", describe())),
                }
            } else if LABEL_VALID_BUT_KEY_ALG_CONFLICTS.contains(&id) {
                assert_eq!(label, "valid");
                if outcome.is_err() {
                    data_errors_as_expected += 1;
                } else {
                    failures.push(format!("{} (data error: key `alg` differs from the JWS `alg`)", describe()));
                }
            } else {
                let flags: Vec<&str> = t["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
                let (family, allowed) = jws_rejection(&flags, s(t, "comment"), header_alg(token), jwk["alg"].as_str());
                match (label, &outcome) {
                    ("valid", Ok(_)) => valid_accepted += 1,
                    ("invalid", Err(e)) if !allowed.contains(&e.status) => {
                        failures.push(format!("{} (expected {family}: {})", describe(), names(allowed)))
                    }
                    ("invalid", Err(_)) if key.is_err() => {
                        invalid_rejected += 1;
                        invalid_rejected_at_import += 1;
                        *by_family.entry(family).or_default() += 1;
                    }
                    ("invalid", Err(_)) => {
                        invalid_rejected += 1;
                        *by_family.entry(family).or_default() += 1;
                    }
                    ("valid", Err(_)) if key.is_err() => {
                        import_refused_valid += 1;
                        failures.push(format!("{} (key refused)", describe()));
                    }
                    _ => failures.push(describe()),
                }
            }
        }
    }

    println!(
        "Wycheproof json_web_signature_test.json: {total} cases: {} run as expected, 0 skipped, {} failed",
        total - failures.len(),
        failures.len()
    );
    println!("  valid accepted:                         {valid_accepted}");
    println!("  invalid rejected:                       {invalid_rejected} (of which {invalid_rejected_at_import} at key import)");
    println!(
        "  documented data errors, strict outcome: {data_errors_as_expected} (tcId 346 347 350 351 367 370 372 373)"
    );
    println!("  valid but key refused:                  {import_refused_valid}");
    println!("  invalid cases by expected rejection:    {by_family:?}");
    println!("  outcomes by label:");
    for (k, ids) in &histogram {
        if ids.len() <= 20 {
            println!("    {k}: {} (tcId {ids:?})", ids.len());
        } else {
            println!("    {k}: {}", ids.len());
        }
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    assert!(failures.is_empty(), "{} Wycheproof JWS case(s) failed:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(total, 401, "numberOfTests");
    assert_eq!(int(&doc, "numberOfTests"), 401);
    assert_eq!(valid_accepted, 46 - 2 - 4, "valid cases accepted");
    assert_eq!(invalid_rejected, 355 - 2, "invalid cases rejected");
    assert_eq!(data_errors_as_expected, 8);
    assert_eq!(import_refused_valid, 0);
    // Every group's JWK imports; the encryption keys (`use: enc`, `key_ops: [encrypt]`,
    // tcId 353-356) are refused when used, with JWTKIT_ERR_KEY_USAGE.
    assert_eq!(invalid_rejected_at_import, 0);
    assert!(histogram["invalid -> JWTKIT_ERR_KEY_USAGE"].ends_with(&[353, 354, 355, 356]));
    assert_eq!(valid_accepted + invalid_rejected + data_errors_as_expected, total);
    assert_eq!(by_family.values().sum::<usize>(), invalid_rejected, "every rejection has a family");
}

// ---------------------------------------------------------------------------------------
// Expected rejections of Wycheproof's invalid cases

const SIGNATURE: &[i32] = &[JWTKIT_ERR_SIGNATURE_INVALID];
/// Not three (JWS) or five (JWE) dot-separated segments, or not compact at all.
const SEGMENTS: &[i32] = &[JWTKIT_ERR_TOKEN_MALFORMED];
/// A header segment that is absent or not base64url of a JSON object naming `alg`.
const HEADER: &[i32] = &[JWTKIT_ERR_TOKEN_MALFORMED, JWTKIT_ERR_BASE64, JWTKIT_ERR_JSON, JWTKIT_ERR_HEADER_INVALID];
const BASE64: &[i32] = &[JWTKIT_ERR_BASE64];
const PAYLOAD: &[i32] = &[JWTKIT_ERR_SIGNATURE_INVALID, JWTKIT_ERR_BASE64];
const ALG_NONE: &[i32] = &[JWTKIT_ERR_ALG_UNSUPPORTED];
/// The key exists but may not serve this algorithm (kind, curve, or its JWK `alg`).
const KEY_FOR_ANOTHER_ALG: &[i32] = &[JWTKIT_ERR_KEY_ALG_MISMATCH];
/// The key's `use` / `key_ops` forbid verification.
const KEY_USAGE: &[i32] = &[JWTKIT_ERR_KEY_USAGE];
/// Anything that fails authentication of a JWE looks alike (no padding or MAC oracle).
const JWE_AUTH: &[i32] = &[JWTKIT_ERR_JWE_DECRYPTION_FAILED];
const JWE_EPK: &[i32] = &[JWTKIT_ERR_JWE_EPK_INVALID];

/// A string member of a compact token's protected header, if the header is readable.
fn header_member(token: &[u8], name: &str) -> Option<String> {
    let first = token.split(|&b| b == b'.').next()?;
    let header = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, first).ok()?;
    let v: Value = serde_json::from_slice(&header).ok()?;
    Some(v.get(name)?.as_str()?.to_string())
}

/// The `alg` of a compact token's header, if it has a readable one naming a JWS algorithm.
fn header_alg(token: &[u8]) -> Option<&'static str> {
    let alg = header_member(token, "alg")?;
    // the few names the vector files use, as static strings
    [
        "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
        "EdDSA",
    ]
    .into_iter()
    .find(|&a| a == alg)
}

fn names(statuses: &[i32]) -> String {
    statuses.iter().map(|&st| status_name(st)).collect::<Vec<_>>().join(" or ")
}

/// What an invalid Wycheproof JWS case must be rejected with: by its flag when it has one,
/// else by the defect its comment names (the files give most JWS defects no flag).
fn jws_rejection(
    flags: &[&str],
    comment: &str,
    header_alg: Option<&str>,
    key_alg: Option<&str>,
) -> (&'static str, &'static [i32]) {
    let c = comment.to_ascii_lowercase();
    if flags.contains(&"AlgIsNone") || c.contains("nonealgorithm") {
        ("alg none", ALG_NONE)
    } else if flags.contains(&"JsonSerialization")
        || c.contains("separator")
        || c.contains("emptystring")
        || c.contains("extracomponent")
        || c.contains("extraemptycomponent")
    {
        ("segments", SEGMENTS)
    } else if flags.contains(&"ModifiedPadding") || flags.contains(&"ModifiedSignature") {
        ("signature", SIGNATURE)
    } else if flags.contains(&"WrongPrimitive") {
        // Signed with another algorithm than the key's JWK `alg`: a header naming that
        // algorithm is refused by the key's restriction; a header naming the key's own
        // algorithm leaves a signature that does not verify.
        if header_alg.is_some() && header_alg == key_alg {
            ("signature", SIGNATURE)
        } else {
            ("key restricted to another alg", KEY_USAGE)
        }
    } else if c.contains("symmetryconfusion") {
        ("key for another alg", KEY_FOR_ANOTHER_ALG)
    } else if c.contains("wronguse") || c.contains("wrongkeyops") {
        ("key usage", KEY_USAGE)
    } else if c.contains("missingheader") {
        ("header", HEADER)
    } else if c.contains("payload") || c.contains("unusedbits") || c.contains("incorrectlyencoded") {
        // The signature covers the payload segment as sent and is checked first: a MAC
        // over the original segment fails as a signature, a MAC over the mis-encoded one
        // verifies and the strict decoder then refuses the payload.
        ("payload: signature or base64url", PAYLOAD)
    } else if c.contains("inheader")
        || c.contains("inmac")
        || c.contains("spacesinmac")
        || c.contains("invalidcharacters")
        || c.contains("0replacedbyinvalidcharacter")
    {
        // header and signature segments are decoded before the signature is checked
        ("base64url", BASE64)
    } else if c.contains("modifiedsignature")
        || c.contains("modifiedheader")
        || c.contains("missingsignature")
        || c.contains("embeddedjwk")
    {
        ("signature", SIGNATURE)
    } else {
        // SpecialCaseEs256: r or s zero, n, too big; signatures of the wrong length
        ("signature", SIGNATURE)
    }
}

/// What an invalid Wycheproof JWE case must be rejected with.
fn jwe_rejection(flags: &[&str], comment: &str, token: &[u8]) -> (&'static str, &'static [i32]) {
    let c = comment.to_ascii_lowercase();
    if flags.contains(&"JsonSerialization") || c.contains("separator") {
        ("segments", SEGMENTS)
    } else if c.contains("missingheader") {
        ("header", HEADER)
    } else if c.contains("modifiedheader") && header_member(token, "alg").is_none() {
        // the change removed `alg` (tcId 80: `Alg`): the header itself is refused
        ("header", HEADER)
    } else if c.contains("invalidcurvepoint") {
        ("epk", JWE_EPK)
    } else {
        // a modified or empty tag, ciphertext, IV or encrypted key, or a modified
        // protected header (it is the AAD)
        ("decryption", JWE_AUTH)
    }
}

// ---------------------------------------------------------------------------------------
// Wycheproof json_web_crypto_test.json: JWS (single keys and JWK Sets) and JWE

/// An owned `const jwtkit_keyset *`.
struct CKeySet(*const jwtkit_keyset);

impl Drop for CKeySet {
    fn drop(&mut self) {
        unsafe { jwtkit_keyset_free(self.0) }
    }
}

impl CKeySet {
    fn from_jwks(jwks: &Value) -> Result<CKeySet, CError> {
        let text = serde_json::to_vec(jwks).unwrap();
        let mut out = std::ptr::null();
        let mut err = std::ptr::null_mut();
        finish(unsafe { jwtkit_keyset_from_jwks(text.as_ptr(), text.len(), &mut out, &mut err) }, err)?;
        assert!(!out.is_null());
        Ok(CKeySet(out))
    }

    fn jws_verify(&self, token: &[u8], v: &CValidation) -> Result<Verified, CError> {
        let (mut h, mut hl, mut p, mut pl) = (std::ptr::null_mut(), 0usize, std::ptr::null_mut(), 0usize);
        let mut err = std::ptr::null_mut();
        let st = unsafe {
            jwtkit_jws_verify_with_keyset(
                token.as_ptr(),
                token.len(),
                self.0,
                v.as_ptr(),
                &mut h,
                &mut hl,
                &mut p,
                &mut pl,
                &mut err,
            )
        };
        two_outputs(st, err, h, hl, p, pl)
    }
}

/// Every one of the 83 cases, JWS (tcId 1-49) and JWE (tcId 50-83), each counted as run
/// (with the labelled result and, for a rejection, a status of the expected family),
/// skipped (with its reason; none today) or failed. The verification key is the group's
/// `public` if present, else `private`; a JWK Set goes through `jwtkit_keyset_from_jwks`
/// and `jwtkit_jws_verify_with_keyset`, a single JWK through `jwtkit_jws_verify`, and a
/// JWE through `jwtkit_jwe_decrypt` with the `private` JWK and every alg/enc allowed. A
/// JSON serialization (an object, not a string) is passed as its JSON text, which a
/// compact-only library must refuse.
#[test]
fn wycheproof_json_web_crypto_every_case() {
    let doc = load_json("wycheproof/jose/json_web_crypto_test.json");
    let v = CValidation::all();
    let jwe_policy = CJwePolicy::all();
    let mut run: std::collections::BTreeMap<String, Vec<i64>> = Default::default();
    let skipped: Vec<(i64, &str)> = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    let (mut jws_cases, mut jwe_cases, mut total) = (0, 0, 0);

    for g in doc["testGroups"].as_array().unwrap() {
        let group = s(g, "comment");
        let public = if g["public"].is_object() { &g["public"] } else { &g["private"] };
        let is_set = public.get("keys").is_some();
        for t in g["tests"].as_array().unwrap() {
            total += 1;
            let id = int(t, "tcId");
            let label = s(t, "result");
            let flags: Vec<&str> = t["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
            let comment = s(t, "comment");
            let (kind, input) = match (t.get("jws"), t.get("jwe")) {
                (Some(x), None) => ("jws", x),
                (None, Some(x)) => ("jwe", x),
                _ => panic!("tcId {id}: neither jws nor jwe"),
            };
            let token = match input {
                Value::String(text) => text.clone(),
                other => serde_json::to_string(other).unwrap(),
            };
            let (outcome, (family, allowed)) = if kind == "jws" {
                jws_cases += 1;
                let outcome = if is_set {
                    CKeySet::from_jwks(public).and_then(|set| set.jws_verify(token.as_bytes(), &v))
                } else {
                    CKey::from_jwk_value(public).and_then(|k| jws_verify(token.as_bytes(), &k, &v))
                };
                let expected = if is_set {
                    // A set whose only matching key is refused (tcId 47: an HMAC secret next to
                    // an RSA key) has no key for the token's kid.
                    if flags.contains(&"JsonWebKeyset") && comment == "rejectsValid" {
                        ("no usable key in the set", &[JWTKIT_ERR_KEY_NOT_FOUND][..])
                    } else {
                        jws_rejection(&flags, comment, header_alg(token.as_bytes()), None)
                    }
                } else if group.contains("roca") {
                    ("weak key", &[JWTKIT_ERR_KEY_TOO_WEAK][..])
                } else {
                    jws_rejection(&flags, comment, header_alg(token.as_bytes()), public["alg"].as_str())
                };
                (outcome, expected)
            } else {
                jwe_cases += 1;
                let outcome =
                    CKey::from_jwk_value(&g["private"]).and_then(|k| jwe_decrypt(token.as_bytes(), &k, &jwe_policy));
                (outcome, jwe_rejection(&flags, comment, token.as_bytes()))
            };
            let got = match &outcome {
                Ok(_) => "accepted".to_string(),
                Err(e) => e.to_string(),
            };
            match (label, &outcome) {
                ("valid", Ok(out)) => {
                    if kind == "jwe" && out.payload.is_empty() {
                        failed.push(format!("tcId {id} ({group}/{comment}): decrypted to nothing"));
                    } else {
                        run.entry(format!("{kind} valid: accepted")).or_default().push(id);
                    }
                }
                ("invalid", Err(e)) if allowed.contains(&e.status) => {
                    run.entry(format!("{kind} invalid: {family} ({})", status_name(e.status))).or_default().push(id)
                }
                ("invalid", Err(_)) => failed.push(format!(
                    "tcId {id} ({group}/{comment}, flags {flags:?}): rejected with {got}, expected {family}: {}",
                    names(allowed)
                )),
                (label, _) => failed.push(format!("tcId {id} ({group}/{comment}): labelled {label}, got {got}")),
            }
        }
    }

    let ran: usize = run.values().map(Vec::len).sum();
    println!(
        "Wycheproof json_web_crypto_test.json: {total} cases ({jws_cases} JWS, {jwe_cases} JWE): {ran} run as expected, \
         {} skipped, {} failed",
        skipped.len(),
        failed.len()
    );
    for (what, ids) in &run {
        println!("  {what}: {} (tcId {ids:?})", ids.len());
    }
    for (id, why) in &skipped {
        println!("  SKIPPED tcId {id}: {why}");
    }
    for f in &failed {
        println!("  FAIL {f}");
    }
    assert!(failed.is_empty(), "{} json_web_crypto_test case(s) failed:\n{}", failed.len(), failed.join("\n"));
    assert_eq!(ran + skipped.len() + failed.len(), total);
    assert_eq!(total as i64, int(&doc, "numberOfTests"), "numberOfTests");
    assert_eq!((total, jws_cases, jwe_cases), (83, 49, 34));
    assert!(skipped.is_empty(), "every case of json_web_crypto_test.json runs");
}
