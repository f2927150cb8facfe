//! JWE vector suites through the C ABI (`jwtkit_jwe_decrypt`,
//! `jwtkit_jwe_decrypt_and_verify`): the JOSE Cookbook (RFC 7520 §5 and §6, and its
//! X25519 example) and every case of Wycheproof `json_web_encryption_test.json`, each
//! with its outcome counted and the counts asserted. Files: `tests/vectors/` (see its
//! README).

mod common;

use common::{
    jwe_decrypt, jwe_decrypt_and_verify, jwe_encrypt, jwe_numbers, load_json, CError, CJwePolicy, CKey, CValidation,
    Verified,
};
use jwtkit::ffi::*;
use serde_json::Value;

/// Every `alg` and `enc` jwtkit implements (as the library names them), compression allowed.
fn policy_all() -> CJwePolicy {
    let mut p = CJwePolicy::all();
    p.allow_zip(true, 0);
    p
}

/// `jwtkit_jwe_decrypt` of a compact token: (protected header, plaintext).
fn decrypt(token: &str, key: &CKey, policy: &CJwePolicy) -> Result<(Vec<u8>, Vec<u8>), CError> {
    jwe_decrypt(token.as_bytes(), key, policy).map(|Verified { header, payload }| (header, payload))
}

fn header_of(token: &str) -> Value {
    serde_json::from_slice(&common::b64url_decode(token.split('.').next().unwrap())).unwrap()
}

// ---- JOSE Cookbook ----

#[test]
fn jose_cookbook_jwe_examples_through_the_c_abi() {
    let policy = policy_all();
    let mut decrypted = Vec::new();
    for (file, expect) in [
        ("jwe/5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2.json", Some(JWTKIT_ERR_JWE_ALG_INSECURE)),
        ("jwe/5_2.key_encryption_using_rsa-oaep_with_aes-gcm.json", None),
        ("jwe/5_3.key_wrap_using_pbes2-aes-keywrap_with-aes-cbc-hmac-sha2.json", None),
        ("jwe/5_4.key_agreement_with_key_wrapping_using_ecdh-es_and_aes-keywrap_with_aes-gcm.json", None),
        ("jwe/5_5.key_agreement_using_ecdh-es_with_aes-cbc-hmac-sha2.json", None),
        ("jwe/5_6.direct_encryption_using_aes-gcm.json", None),
        ("jwe/5_7.key_wrap_using_aes-gcm_keywrap_with_aes-cbc-hmac-sha2.json", None),
        ("jwe/5_8.key_wrap_using_aes-keywrap_with_aes-gcm.json", None),
        ("jwe/5_9.compressed_content.json", None),
        ("curve25519/ecdh-es.json", None),
    ] {
        let v = load_json(&format!("jose-cookbook/{file}"));
        let compact = v["output"]["compact"].as_str().unwrap();
        let key = cookbook_key(&v).unwrap_or_else(|e| panic!("{file}: {e}"));
        match (decrypt(compact, &key, &policy), expect) {
            (Ok((header, plaintext)), None) => {
                assert_eq!(plaintext, v["input"]["plaintext"].as_str().unwrap().as_bytes(), "{file}");
                assert_eq!(header, common::b64url_decode(compact.split('.').next().unwrap()), "{file}");
                let h = header_of(compact);
                decrypted.push(format!("{}/{}", h["alg"].as_str().unwrap(), h["enc"].as_str().unwrap()));
            }
            (Err(e), Some(status)) => assert_eq!(e.status, status, "{file}: {e}"),
            (got, want) => panic!("{file}: got {:?}, want {want:?}", got.map(|_| "decrypted")),
        }
    }
    assert_eq!(
        decrypted,
        [
            "RSA-OAEP/A256GCM",
            "PBES2-HS512+A256KW/A128CBC-HS256",
            "ECDH-ES+A128KW/A128GCM",
            "ECDH-ES/A128CBC-HS256",
            "dir/A128GCM",
            "A256GCMKW/A128CBC-HS256",
            "A128KW/A128GCM",
            "A128KW/A128GCM",
            "ECDH-ES/A128GCM"
        ]
    );
}

/// A cookbook example's key: its JWK, or for PBES2 (5.3) its password as an `oct` key.
fn cookbook_key(v: &Value) -> Result<CKey, CError> {
    match v["input"]["pwd"].as_str() {
        Some(password) => CKey::from_secret(password.as_bytes(), 0),
        None => CKey::from_jwk_value(&v["input"]["key"]),
    }
}

/// PBES2 (5.3) and AES-GCM key wrap (5.7) encrypted by jwtkit with the cookbook's key,
/// algorithms and extra header members, then decrypted: what key management adds to the
/// header is fresh (a new `p2s`, `iv`, `tag`), the rest is the cookbook's.
#[test]
fn jose_cookbook_pbes2_and_aes_gcm_key_wrap_round_trip_through_the_c_abi() {
    for (file, fresh) in [
        ("jwe/5_3.key_wrap_using_pbes2-aes-keywrap_with-aes-cbc-hmac-sha2.json", &["p2s"][..]),
        ("jwe/5_7.key_wrap_using_aes-gcm_keywrap_with_aes-cbc-hmac-sha2.json", &["iv", "tag"][..]),
    ] {
        let v = load_json(&format!("jose-cookbook/{file}"));
        let key = cookbook_key(&v).unwrap();
        let given = header_of(v["output"]["compact"].as_str().unwrap());
        let (alg, enc) = jwe_numbers(given["alg"].as_str().unwrap(), given["enc"].as_str().unwrap()).unwrap();
        let mut extra = given.as_object().unwrap().clone();
        for name in ["alg", "enc", "p2s", "iv", "tag"] {
            extra.remove(name);
        }
        let plaintext = v["input"]["plaintext"].as_str().unwrap().as_bytes();
        let extra = serde_json::to_vec(&extra).unwrap();
        let token = jwe_encrypt(&key, alg, enc, plaintext, Some(&extra)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let h = header_of(&token);
        for name in fresh {
            assert!(h.get(name).is_some(), "{file}: {h}");
            assert_ne!(h[name], given[name], "{file}: `{name}` is fresh");
        }
        // The rest is the cookbook's, `p2c` (8192) included.
        for name in ["alg", "enc", "kid", "cty", "p2c"] {
            assert_eq!(h.get(name), given.get(name), "{file}: {name}");
        }
        let policy = CJwePolicy::new(&[alg], &[enc]).unwrap();
        let (_, decrypted) = decrypt(&token, &key, &policy).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(decrypted, plaintext, "{file}");
    }
}

#[test]
fn jose_cookbook_nested_jwt_through_the_c_abi() {
    let v = load_json("jose-cookbook/6.nesting_signatures_and_encryption.json");
    let compact = v["encrypt"]["output"]["compact"].as_str().unwrap();
    let dec_key = CKey::from_jwk_value(&v["encrypt"]["input"]["key"]).unwrap();
    let verify_key = CKey::from_jwk_value(&common::public_jwk(&v["sign"]["input"]["key"])).unwrap();
    let policy = CJwePolicy::new(&[JWTKIT_JWE_ALG_RSA_OAEP], &[JWTKIT_JWE_ENC_A128GCM]).unwrap();
    let run = |validation: &CValidation| {
        jwe_decrypt_and_verify(compact.as_bytes(), &dec_key, &policy, &verify_key, validation)
            .map(|Verified { header, payload }| (header, payload))
    };
    // exp is 1300819380 (2011-03-22): valid with a clock before it, expired after.
    let mut before = CValidation::only(JWTKIT_ALG_PS256);
    before.set_now(1300819000);
    let (header, claims) = run(&before).unwrap();
    let claims: Value = serde_json::from_slice(&claims).unwrap();
    assert_eq!(claims["iss"], "hobbiton.example");
    assert_eq!(serde_json::from_slice::<Value>(&header).unwrap()["alg"], "PS256");
    let e = run(&CValidation::only(JWTKIT_ALG_PS256)).unwrap_err();
    assert_eq!(e.status, JWTKIT_ERR_EXPIRED, "{e}");
    let mut wrong_alg = CValidation::only(JWTKIT_ALG_RS256);
    wrong_alg.set_now(1300819000);
    assert_eq!(run(&wrong_alg).unwrap_err().status, JWTKIT_ERR_ALG_NOT_ALLOWED);
}

// ---- Wycheproof json_web_encryption_test.json ----

/// What jwtkit refuses on purpose, so that a `valid` case using it must be refused
/// with exactly this status: only `RSA1_5`.
fn unsupported_status(alg: &str, _enc: &str) -> Option<i32> {
    (alg == "RSA1_5").then_some(JWTKIT_ERR_JWE_ALG_INSECURE)
}

#[test]
fn wycheproof_json_web_encryption() {
    let file = load_json("wycheproof/jose/json_web_encryption_test.json");
    let policy = policy_all();
    let (mut decrypted, mut refused_unsupported, mut rejected) = (0, 0, 0);
    let mut rejected_by: std::collections::BTreeMap<String, usize> = Default::default();
    let mut total = 0;
    for group in file["testGroups"].as_array().unwrap() {
        let key = CKey::from_jwk_value(&group["private"]);
        for t in group["tests"].as_array().unwrap() {
            total += 1;
            let id = t["tcId"].as_i64().unwrap();
            let jwe = t["jwe"].as_str().expect("compact JWE");
            let outcome = match &key {
                Ok(k) => decrypt(jwe, k, &policy),
                Err(e) => Err(e.clone()),
            };
            let first = jwe.split('.').next().unwrap_or("");
            let header = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, first)
                .ok()
                .and_then(|h| serde_json::from_slice::<Value>(&h).ok());
            let (alg, enc) = header
                .as_ref()
                .map(|h| (h["alg"].as_str().unwrap_or("").to_string(), h["enc"].as_str().unwrap_or("").to_string()))
                .unwrap_or_default();
            match (t["result"].as_str().unwrap(), outcome) {
                ("valid", Ok((_, pt))) => {
                    assert_eq!(pt, common::hex(t["pt"].as_str().unwrap()), "tcId {id}");
                    decrypted += 1;
                }
                ("valid", Err(e)) => {
                    let want = unsupported_status(&alg, &enc);
                    assert_eq!(Some(e.status), want, "tcId {id} ({alg}/{enc}) is valid: {e}");
                    refused_unsupported += 1;
                }
                ("invalid", Err(e)) => {
                    rejected += 1;
                    *rejected_by.entry(common::status_name(e.status)).or_default() += 1;
                }
                (result, Ok(_)) => panic!("tcId {id} ({alg}/{enc}) is {result} but decrypted"),
                (result, Err(e)) => panic!("tcId {id}: unexpected result {result}: {e}"),
            }
        }
    }
    println!("decrypted {decrypted}, refused (unsupported alg/enc) {refused_unsupported}, rejected {rejected}: {rejected_by:?}");
    assert_eq!(total, file["numberOfTests"].as_i64().unwrap() as usize);
    assert_eq!(total, 139);
    assert_eq!((decrypted, refused_unsupported, rejected), (DECRYPTED, REFUSED, REJECTED));
    // Padding/tag-kind failures all look alike: one status.
    assert_eq!(rejected_by.get("JWTKIT_ERR_JWE_DECRYPTION_FAILED"), Some(&31));
    assert_eq!(rejected_by.get("JWTKIT_ERR_JWE_EPK_INVALID"), Some(&1));
}

/// Every `valid` case whose `alg` is not `RSA1_5` (AES-192 and the AES-GCM key wraps
/// included).
const DECRYPTED: usize = 57;
/// `valid` cases with RSA1_5 (JWTKIT_ERR_JWE_ALG_INSECURE).
const REFUSED: usize = 8;
/// Every `invalid` case.
const REJECTED: usize = 74;
