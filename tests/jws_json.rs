//! JWS JSON serialization through the Rust API: the JOSE Cookbook's JSON examples
//! (RFC 7520 §4.5–4.8) and RFC 7797's, in both general and flattened form, verified and
//! re-signed byte for byte where the algorithm is deterministic; and the rules,
//! signature by signature. The attack classes are in `attacks.rs`; the same examples
//! through C in `tests/c/test_jws_json.c`.

mod common;

use common::load_json;
use jwtkit::jws_json::{self, Rule, SignOptions, Signer};
use jwtkit::{Algorithm, Error, Key, Limits, Validation};
use serde_json::Value;

fn cookbook(name: &str) -> Value {
    load_json(&format!("jose-cookbook/{name}.json"))
}

fn key(jwk: &Value) -> Key {
    Key::from_jwk(jwk.to_string().as_bytes()).unwrap()
}

fn all_algorithms() -> Validation {
    Validation::new(&Algorithm::ALL).unwrap()
}

fn text(v: &Value) -> String {
    v.as_str().unwrap().to_string()
}

/// The cookbook's serialization, written in the cookbook's member order (payload,
/// protected, header, signature), compact: what jwtkit's signer writes.
fn in_order(v: &Value) -> String {
    let members = |o: &Value| {
        ["payload", "protected", "header", "signature", "signatures"]
            .iter()
            .filter_map(|m| {
                o.get(*m).map(|value| {
                    let value = match value {
                        Value::Array(list) => format!("[{}]", list.iter().map(in_order).collect::<Vec<_>>().join(",")),
                        other => other.to_string(),
                    };
                    format!("\"{m}\":{value}")
                })
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    format!("{{{}}}", members(v))
}

/// RFC 7520 §4.5: detached content, general and flattened: verifies with the payload
/// given apart, and re-signing reproduces both forms byte for byte.
#[test]
fn cookbook_4_5_detached_content() {
    let ex = cookbook("jws/4_5.signature_with_detached_content");
    let k = key(&ex["input"]["key"]);
    let payload = text(&ex["input"]["payload"]);
    for (form, general) in [("json", true), ("json_flat", false)] {
        let token = ex["output"][form].to_string();
        let v = jws_json::verify(token.as_bytes(), Some(payload.as_bytes()), &[&k], &all_algorithms(), Rule::All)
            .unwrap_or_else(|e| panic!("{form}: {e}"));
        assert_eq!(v.payload, payload.as_bytes());
        assert_eq!(v.signatures.len(), 1);
        let s = &v.signatures[0];
        assert_eq!((s.alg, s.key_index, s.kid.as_deref()), (Some(Algorithm::HS256), Some(0), k.kid()));
        assert_eq!(serde_json::from_slice::<Value>(&s.header_json).unwrap(), ex["signing"]["protected"]);
        // Without the detached payload, the token is refused.
        let err = jws_json::verify(token.as_bytes(), None, &[&k], &all_algorithms(), Rule::Any).unwrap_err();
        assert!(matches!(err, Error::TokenMalformed(_)), "{err}");
        let signer = Signer { key: &k, alg: Algorithm::HS256, protected: None, unprotected: None };
        let signed =
            jws_json::sign(payload.as_bytes(), &[signer], SignOptions { general, detached: true, unencoded: false })
                .unwrap();
        assert_eq!(signed, in_order(&ex["output"][form]), "{form}");
    }
}

/// RFC 7520 §4.6: `kid` in the unprotected header. Verifies; re-signing with the same
/// unprotected header reproduces both forms byte for byte.
#[test]
fn cookbook_4_6_protecting_specific_header_fields() {
    let ex = cookbook("jws/4_6.protecting_specific_header_fields");
    let k = key(&ex["input"]["key"]);
    let payload = text(&ex["input"]["payload"]);
    let unprotected = ex["signing"]["unprotected"].to_string();
    for (form, general) in [("json", true), ("json_flat", false)] {
        let token = ex["output"][form].to_string();
        let v = jws_json::verify(token.as_bytes(), None, &[&k], &all_algorithms(), Rule::All).unwrap();
        assert_eq!(v.payload, payload.as_bytes());
        assert_eq!(v.signatures[0].kid.as_deref(), Some("018c0ae5-4d9b-471b-bfd6-eef314bc7037"));
        assert_eq!(v.signatures[0].header_json, br#"{"alg":"HS256"}"#);
        let signer =
            Signer { key: &k, alg: Algorithm::HS256, protected: None, unprotected: Some(unprotected.as_bytes()) };
        let signed =
            jws_json::sign(payload.as_bytes(), &[signer], SignOptions { general, ..Default::default() }).unwrap();
        assert_eq!(signed, in_order(&ex["output"][form]), "{form}");
    }
}

/// RFC 7520 §4.7 puts `alg` in the unprotected header, where nothing protects it:
/// refused, with a message naming the member, under either rule and in either form.
#[test]
fn cookbook_4_7_alg_in_the_unprotected_header_is_refused() {
    let ex = cookbook("jws/4_7.protecting_content_only");
    let k = key(&ex["input"]["key"]);
    for form in ["json", "json_flat"] {
        let token = ex["output"][form].to_string();
        for rule in Rule::ALL {
            match jws_json::verify(token.as_bytes(), None, &[&k], &all_algorithms(), rule) {
                Err(Error::HeaderInvalid(m)) => {
                    assert!(m.contains("signatures[0]") && m.contains("`alg` is in the unprotected header"), "{m}")
                }
                other => panic!("{form} {rule:?}: {other:?}"),
            }
        }
    }
    // jwtkit's signer will not write it either.
    let signer = Signer { key: &k, alg: Algorithm::HS256, protected: None, unprotected: Some(br#"{"alg":"HS256"}"#) };
    assert!(matches!(jws_json::sign(b"x", &[signer], SignOptions::default()), Err(Error::HeaderInvalid(_))));
}

/// RFC 7520 §4.8: RS256, ES512 (with `alg` unprotected) and HS256. Under "any" it
/// verifies, the ES512 signature reported failed and the others with the key that
/// verified each; under "all" it fails on signature 1. Signed again by jwtkit (ES512's
/// `alg` protected), the RS256 and HS256 signatures are the cookbook's byte for byte,
/// and all three verify under "all".
#[test]
fn cookbook_4_8_multiple_signatures() {
    let ex = cookbook("jws/4_8.multiple_signatures");
    let keys: Vec<Key> = ex["input"]["key"].as_array().unwrap().iter().map(key).collect();
    let refs: Vec<&Key> = keys.iter().collect();
    let payload = text(&ex["input"]["payload"]);
    let token = ex["output"]["json"].to_string();
    let v = jws_json::verify(token.as_bytes(), None, &refs, &all_algorithms(), Rule::Any).unwrap();
    assert_eq!(v.payload, payload.as_bytes());
    let got: Vec<_> = v.signatures.iter().map(|s| (s.index, s.alg, s.key_index, s.verified())).collect();
    assert_eq!(
        got,
        [
            (0, Some(Algorithm::RS256), Some(0), true),
            (1, None, None, false),
            (2, Some(Algorithm::HS256), Some(2), true)
        ]
    );
    assert!(matches!(&v.signatures[1].result, Err(Error::HeaderInvalid(m)) if m.contains("`alg`")));
    assert_eq!(v.signatures[0].kid.as_deref(), Some("bilbo.baggins@hobbiton.example"));
    match jws_json::verify(token.as_bytes(), None, &refs, &all_algorithms(), Rule::All) {
        Err(Error::HeaderInvalid(m)) => assert!(m.starts_with("signatures[1]: "), "{m}"),
        other => panic!("{other:?}"),
    }

    let kid_bilbo = br#"{"kid":"bilbo.baggins@hobbiton.example"}"#;
    let signers = [
        Signer { key: &keys[0], alg: Algorithm::RS256, protected: None, unprotected: Some(kid_bilbo) },
        Signer { key: &keys[1], alg: Algorithm::ES512, protected: None, unprotected: Some(kid_bilbo) },
        Signer { key: &keys[2], alg: Algorithm::HS256, protected: None, unprotected: None },
    ];
    let signed = jws_json::sign(payload.as_bytes(), &signers, SignOptions::default()).unwrap();
    let ours: Value = serde_json::from_str(&signed).unwrap();
    let theirs = &ex["output"]["json"];
    assert_eq!(ours["payload"], theirs["payload"]);
    for i in [0, 2] {
        assert_eq!(in_order(&ours["signatures"][i]), in_order(&theirs["signatures"][i]), "signature {i}");
    }
    let v = jws_json::verify(signed.as_bytes(), None, &refs, &all_algorithms(), Rule::All).unwrap();
    let by: Vec<_> = v.signatures.iter().map(|s| s.key_index).collect();
    assert_eq!(by, [Some(0), Some(1), Some(2)]);
    // The EC public key alone: "any" passes with one verified signature; "all" fails
    // (the RSA and HMAC signatures have no key among the caller's).
    let ec_public = Key::from_jwk(keys[1].to_public_jwk().unwrap().as_bytes()).unwrap();
    let v = jws_json::verify(signed.as_bytes(), None, &[&ec_public], &all_algorithms(), Rule::Any).unwrap();
    let verified: Vec<bool> = v.signatures.iter().map(|s| s.verified()).collect();
    assert_eq!(verified, [false, true, false]);
    assert!(matches!(v.signatures[0].result, Err(Error::KeyAlgMismatch(_)) | Err(Error::KeyNotFound(_))));
    assert!(jws_json::verify(signed.as_bytes(), None, &[&ec_public], &all_algorithms(), Rule::All).is_err());
}

/// RFC 7797 in the JSON serialization: the cookbook's `b64: false` example (payload
/// attached as its own text) verifies in both forms and re-signs byte for byte; the
/// cookbook's §4.2 file, whose header lacks `crit`, is refused (RFC 7797 §6).
#[test]
fn rfc7797_unencoded_payload_in_json() {
    let ex = cookbook("rfc7797/hmac-sha2_b64_false");
    let k = key(&ex["input"]["key"]);
    let payload = text(&ex["input"]["payload"]);
    for (form, general) in [("json", true), ("json_flat", false)] {
        let token = ex["output"][form].to_string();
        let v = jws_json::verify(token.as_bytes(), None, &[&k], &all_algorithms(), Rule::All).unwrap();
        assert_eq!(v.payload, payload.as_bytes());
        let signer = Signer { key: &k, alg: Algorithm::HS256, protected: None, unprotected: None };
        let signed =
            jws_json::sign(payload.as_bytes(), &[signer], SignOptions { general, detached: false, unencoded: true })
                .unwrap();
        assert_eq!(signed, in_order(&ex["output"][form]), "{form}");
        // Detached: the same signature, the payload given apart.
        let mut detached: Value = serde_json::from_str(&token).unwrap();
        detached.as_object_mut().unwrap().remove("payload");
        let v = jws_json::verify(
            detached.to_string().as_bytes(),
            Some(payload.as_bytes()),
            &[&k],
            &all_algorithms(),
            Rule::All,
        )
        .unwrap();
        assert_eq!(v.payload, payload.as_bytes());
    }
    let no_crit = cookbook("rfc7797/4.2.hmac-sha2_b64_false");
    let k = key(&no_crit["input"]["key"]);
    for form in ["json", "json_flat"] {
        let token = no_crit["output"][form].to_string();
        match jws_json::verify(token.as_bytes(), None, &[&k], &all_algorithms(), Rule::Any) {
            Err(Error::HeaderInvalid(m)) => assert!(m.contains("crit"), "{m}"),
            other => panic!("{form}: {other:?}"),
        }
    }
}

/// RFC 7515 A.6 (general, RS256 and ES256, `kid` unprotected) and A.7 (flattened).
#[test]
fn rfc7515_a6_a7_verify() {
    let doc = load_json("rfc/rfc7515_appendix_a.json");
    let tests = doc["tests"].as_array().unwrap();
    for id in ["rfc7515-A.6-general-json", "rfc7515-A.7-flattened-json"] {
        let t = tests.iter().find(|t| t["id"] == id).unwrap();
        let keys: Vec<Key> = t["keys"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(kid, k)| key(&k["publicJwk"]).with_kid(Some(kid)).unwrap())
            .collect();
        let refs: Vec<&Key> = keys.iter().collect();
        let token = t["json"].to_string();
        let v = jws_json::verify(token.as_bytes(), None, &refs, &all_algorithms(), Rule::Any).unwrap();
        assert_eq!(v.payload, t["payload"].as_str().unwrap().as_bytes(), "{id}");
        assert!(v.signatures.iter().all(|s| s.verified()), "{id}");
        assert_eq!(v.signatures.len(), if id.contains("general") { 2 } else { 1 });
        // Pretty-printed JSON is the same token.
        let pretty = serde_json::to_string_pretty(&t["json"]).unwrap();
        jws_json::verify(pretty.as_bytes(), None, &refs, &all_algorithms(), Rule::Any).unwrap();
    }
}

/// The rules with one key per signature: "all" needs every key to have signed; a key
/// the caller lists that signed nothing fails "all" with SignatureInvalid naming it.
#[test]
fn rule_all_needs_every_key() {
    let a = Key::from_secret(&[1u8; 32]).unwrap().with_kid(Some("a")).unwrap();
    let b = Key::from_secret(&[2u8; 32]).unwrap().with_kid(Some("b")).unwrap();
    let v = all_algorithms();
    let token = jws_json::sign(
        b"p",
        &[Signer { key: &a, alg: Algorithm::HS256, protected: None, unprotected: None }],
        SignOptions { general: true, ..Default::default() },
    )
    .unwrap();
    assert!(jws_json::verify(token.as_bytes(), None, &[&a, &b], &v, Rule::Any).is_ok());
    match jws_json::verify(token.as_bytes(), None, &[&a, &b], &v, Rule::All) {
        Err(Error::SignatureInvalid(m)) => assert!(m.contains("key 1 (kid \"b\")"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(jws_json::verify(token.as_bytes(), None, &[], &v, Rule::Any), Err(Error::InvalidArgument(_))));
}

/// The limits: signature count, size and depth, each refused before any signature is
/// checked.
#[test]
fn limits_apply() {
    let k = Key::from_secret(&[1u8; 32]).unwrap();
    let mut v = all_algorithms();
    v.set_limits(Limits { max_signatures: 2, ..Limits::default() }).unwrap();
    let signer = Signer { key: &k, alg: Algorithm::HS256, protected: None, unprotected: None };
    let three = jws_json::sign(b"p", &[signer; 3], SignOptions::default()).unwrap();
    assert!(matches!(jws_json::verify(three.as_bytes(), None, &[&k], &v, Rule::Any), Err(Error::JsonLimit(_))));
    let two = jws_json::sign(b"p", &[signer; 2], SignOptions::default()).unwrap();
    assert!(jws_json::verify(two.as_bytes(), None, &[&k], &v, Rule::All).is_ok());
    let deep =
        format!(r#"{{"payload":"cA","x":{}1{},"signature":"AA","protected":"e30"}}"#, "[".repeat(200), "]".repeat(200));
    assert!(matches!(jws_json::verify(deep.as_bytes(), None, &[&k], &v, Rule::Any), Err(Error::JsonLimit(_))));
    let big = format!(r#"{{"payload":"{}","signature":"AA","protected":"e30"}}"#, "A".repeat(200 * 1024));
    assert!(matches!(jws_json::verify(big.as_bytes(), None, &[&k], &v, Rule::Any), Err(Error::TokenTooLarge(_))));
}

/// Wycheproof's `json_web_crypto_test.json` tcId 17 is a valid JWS JSON serialization
/// (flag `JsonSerialization`: "invalid" for a compact-only verifier, which `vectors.rs`
/// checks): the JSON verifier accepts it with the group's key, and refuses it with its
/// payload changed.
#[test]
fn wycheproof_json_serialization_verifies() {
    let doc = load_json("wycheproof/jose/json_web_crypto_test.json");
    let mut found = 0;
    for group in doc["testGroups"].as_array().unwrap() {
        for t in group["tests"].as_array().unwrap() {
            if !t["jws"].is_object() {
                continue;
            }
            found += 1;
            assert_eq!(t["flags"], serde_json::json!(["JsonSerialization"]));
            let k = key(&group["private"]);
            let token = t["jws"].to_string();
            let v = jws_json::verify(token.as_bytes(), None, &[&k], &all_algorithms(), Rule::All)
                .unwrap_or_else(|e| panic!("tcId {}: {e}", t["tcId"]));
            assert_eq!(v.payload, b"foo");
            let mut changed = t["jws"].clone();
            changed["payload"] = Value::String("Zm9w".into());
            let err = jws_json::verify(changed.to_string().as_bytes(), None, &[&k], &all_algorithms(), Rule::Any);
            assert!(matches!(err, Err(Error::SignatureInvalid(_))), "{err:?}");
        }
    }
    assert_eq!(found, 1);
}
