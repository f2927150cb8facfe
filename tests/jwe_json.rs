//! JWE JSON serialization (RFC 7516 §7.2) through the core API: the JOSE Cookbook's
//! JSON examples (RFC 7520 §5.10-5.13, general and flattened), round trips with several
//! recipients, `aad` and unprotected headers, and the attacks on the JSON form: a header
//! member in two headers, `zip`/`crit` unprotected, recipients whose `alg` is outside the
//! allow-list (skipped, never tried), modified `aad`/protected header/recipients, huge
//! and deep input. The same vectors run through the C ABI in `tests/c/test_jwe_json.c`.

mod common;

use jwtkit::jwe::{self, Alg, DecryptedJson, Enc, JsonOptions, JsonRecipient, JwePolicy};
use jwtkit::{Error, Key};
use serde_json::{json, Value};

fn keys_dir(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keys").join(name)).unwrap()
}

fn jwk(v: &Value) -> Key {
    Key::from_jwk(v.to_string().as_bytes()).unwrap_or_else(|e| panic!("{v}: {e}"))
}

fn oct(len: usize, seed: u8) -> Key {
    let k: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(37).wrapping_add(seed)).collect();
    jwk(&json!({"kty": "oct", "k": common::b64url_encode(&k)}))
}

fn pem(name: &str) -> Key {
    Key::from_pem(&keys_dir(name)).unwrap()
}

/// Every `alg` and `enc` the library implements, compression allowed.
fn policy_all() -> JwePolicy {
    let mut p = JwePolicy::new(&Alg::ALL, &Enc::ALL).unwrap();
    p.allow_zip(true, 0);
    p
}

fn cookbook(name: &str) -> Value {
    common::load_json(&format!("jose-cookbook/jwe/{name}"))
}

fn text(v: &Value) -> Vec<u8> {
    v.to_string().into_bytes()
}

fn open(token: &[u8], keys: &[&Key], policy: &JwePolicy) -> Result<DecryptedJson, Error> {
    jwe::decrypt_json(token, keys, policy)
}

// ---- JOSE Cookbook ----

const FILES_5_10_TO_5_12: [&str; 3] = [
    "5_10.including_additional_authentication_data.json",
    "5_11.protecting_specific_header_fields.json",
    "5_12.protecting_content_only.json",
];

#[test]
fn cookbook_5_10_to_5_12_general_and_flattened() {
    for file in FILES_5_10_TO_5_12 {
        let v = cookbook(file);
        let key = jwk(&v["input"]["key"]);
        let plaintext = v["input"]["plaintext"].as_str().unwrap().as_bytes();
        for form in ["json", "json_flat"] {
            let token = text(&v["output"][form]);
            let d = open(&token, &[&key], &policy_all()).unwrap_or_else(|e| panic!("{file} {form}: {e}"));
            assert_eq!(&d.plaintext[..], plaintext, "{file} {form}");
            assert_eq!((d.recipient, d.key_index, d.alg, d.enc), (0, 0, Alg::A128Kw, Enc::A128Gcm), "{file}");
            assert_eq!(d.kid.as_deref(), Some("81b20965-8332-43d9-a468-82160ad91ac8"), "{file}");
            let protected = v["encrypting_content"]["protected_b64u"].as_str().map(common::b64url_decode);
            assert_eq!(d.protected_json, protected.unwrap_or_default(), "{file} {form}");
            let aad = v["input"]["aad"].as_str().map(|a| a.as_bytes().to_vec());
            assert_eq!(d.aad, aad, "{file} {form}");
            assert_eq!(d.header["enc"], "A128GCM");
        }
    }
}

/// RFC 7520 §5.13: `RSA1_5` (refused by design), `ECDH-ES+A256KW` (P-384) and
/// `A256GCMKW`. The `RSA1_5` recipient is never tried; the others open it with their key.
#[test]
fn cookbook_5_13_several_recipients() {
    let v = cookbook("5_13.encrypting_to_multiple_recipients.json");
    let token = text(&v["output"]["json"]);
    let keys: Vec<Key> = v["input"]["key"].as_array().unwrap().iter().map(jwk).collect();
    let (rsa, ec, oct) = (&keys[0], &keys[1], &keys[2]);
    let plaintext = v["input"]["plaintext"].as_str().unwrap().as_bytes();
    let policy = policy_all();

    // Every key given: the RSA key is first, but its recipient is RSA1_5: skipped.
    let d = open(&token, &[rsa, ec, oct], &policy).unwrap();
    assert_eq!(&d.plaintext[..], plaintext);
    assert_eq!((d.recipient, d.key_index, d.alg, d.enc), (1, 1, Alg::EcdhEsA256Kw, Enc::A128CbcHs256));
    assert_eq!(d.kid.as_deref(), Some("peregrin.took@tuckborough.example"));
    assert_eq!(d.header["cty"], "text/plain");
    assert_eq!(d.protected_json, br#"{"enc":"A128CBC-HS256"}"#);
    // The RSA key alone: its kid is only on the RSA1_5 recipient, which is never tried.
    assert!(matches!(open(&token, &[rsa], &policy), Err(Error::KeyNotFound(_))));

    // The third recipient: A256GCMKW, once the library has it.
    match Alg::from_name("A256GCMKW") {
        Ok(gcmkw) => {
            let d = open(&token, &[oct], &policy).unwrap();
            assert_eq!(&d.plaintext[..], plaintext);
            assert_eq!((d.recipient, d.key_index, d.alg), (2, 0, gcmkw));
        }
        Err(Error::AlgUnsupported(_)) => {
            // Skipped as unknown; the one other allowed recipient (ECDH) names another kid.
            assert!(matches!(open(&token, &[oct], &policy), Err(Error::KeyNotFound(_))));
        }
        Err(e) => panic!("A256GCMKW: {e}"),
    }
    // Only ECDH-ES+A256KW allowed: still opens, through that recipient only.
    let only_ecdh = JwePolicy::new(&[Alg::EcdhEsA256Kw], &[Enc::A128CbcHs256]).unwrap();
    assert_eq!(open(&token, &[oct, rsa, ec], &only_ecdh).unwrap().key_index, 2);
    // An allow-list none of the recipients uses: refused before any key is touched.
    let none = JwePolicy::new(&[Alg::RsaOaep256, Alg::A128Kw], &Enc::ALL).unwrap();
    let e = open(&token, &[rsa, ec, oct], &none).unwrap_err();
    assert!(matches!(e, Error::AlgNotAllowed(_)), "{e}");
    assert!(e.to_string().contains("RSA1_5"), "{e}");
}

// ---- Round trips ----

/// (recipient private key, public key, alg) for every alg that can share a content key.
fn recipients_all() -> Vec<(Key, Key, Alg)> {
    vec![
        (oct(16, 1), oct(16, 1), Alg::A128Kw),
        (oct(32, 2), oct(32, 2), Alg::A256Kw),
        (pem("ecp256.pkcs8.pem"), pem("ecp256.spki.pem"), Alg::EcdhEsA128Kw),
        (pem("ecp384.pkcs8.pem"), pem("ecp384.spki.pem"), Alg::EcdhEsA256Kw),
        (pem("rsa2048.pkcs8.pem"), pem("rsa2048.spki.pem"), Alg::RsaOaep256),
        (pem("ecp521.pkcs8.pem"), pem("ecp521.spki.pem"), Alg::EcdhEsA256Kw),
    ]
}

#[test]
fn several_recipients_each_open_it_with_aad_and_headers() {
    let all = recipients_all();
    let recipients: Vec<JsonRecipient> = all
        .iter()
        .enumerate()
        .map(|(i, (_, public, alg))| JsonRecipient {
            key: public,
            alg: *alg,
            header: if i == 0 { Some(br#"{"kid":"first"}"#) } else { None },
        })
        .collect();
    let options = JsonOptions {
        protected: Some(br#"{"typ":"example"}"#),
        unprotected: Some(br#"{"cty":"text/plain"}"#),
        aad: Some(b"\x00binary aad\xff"),
        compress: true,
        general: false,
    };
    for enc in Enc::ALL {
        let token = jwe::encrypt_json(&recipients, enc, b"to everyone", &options).unwrap();
        let parsed: Value = serde_json::from_str(&token).unwrap();
        assert_eq!(parsed["recipients"].as_array().unwrap().len(), all.len());
        assert_eq!(parsed["unprotected"], json!({"cty": "text/plain"}));
        assert_eq!(parsed["recipients"][0]["header"], json!({"kid": "first", "alg": "A128KW"}));
        for (i, (private, _, alg)) in all.iter().enumerate() {
            let d = open(token.as_bytes(), &[private], &policy_all()).unwrap_or_else(|e| panic!("{i}: {e}"));
            assert_eq!((&d.plaintext[..], d.recipient, d.alg, d.enc), (&b"to everyone"[..], i, *alg, enc));
            assert_eq!(d.aad.as_deref(), Some(&b"\x00binary aad\xff"[..]));
            assert_eq!((d.header["typ"].as_str(), d.header["zip"].as_str()), (Some("example"), Some("DEF")));
        }
    }
}

#[test]
fn one_recipient_is_flattened_with_alg_protected_unless_general_is_asked() {
    let key = jwk(&json!({"kty": "oct", "kid": "k1", "k": common::b64url_encode(&[9u8; 16])}));
    let one = [JsonRecipient { key: &key, alg: Alg::A128Kw, header: None }];
    let flat = jwe::encrypt_json(&one, Enc::A128Gcm, b"hi", &JsonOptions::default()).unwrap();
    let v: Value = serde_json::from_str(&flat).unwrap();
    assert!(v.get("recipients").is_none() && v.get("header").is_none() && v.get("aad").is_none());
    let protected: Value = serde_json::from_slice(&common::b64url_decode(v["protected"].as_str().unwrap())).unwrap();
    assert_eq!(protected, json!({"alg": "A128KW", "enc": "A128GCM", "kid": "k1"}));
    let general =
        jwe::encrypt_json(&one, Enc::A128Gcm, b"hi", &JsonOptions { general: true, ..Default::default() }).unwrap();
    let g: Value = serde_json::from_str(&general).unwrap();
    assert_eq!(g["recipients"].as_array().unwrap().len(), 1);
    for token in [flat, general] {
        let d = open(token.as_bytes(), &[&key], &policy_all()).unwrap();
        assert_eq!((&d.plaintext[..], d.aad.is_none(), d.kid.as_deref()), (&b"hi"[..], true, Some("k1")));
    }
    // dir and ECDH-ES make their own content key: alone, yes; with others, no.
    let dir = oct(16, 3);
    let alone = [JsonRecipient { key: &dir, alg: Alg::Dir, header: None }];
    let t = jwe::encrypt_json(&alone, Enc::A128Gcm, b"x", &JsonOptions::default()).unwrap();
    assert_eq!(&open(t.as_bytes(), &[&dir], &policy_all()).unwrap().plaintext[..], b"x");
    let mixed = [one[0], alone[0]];
    let e = jwe::encrypt_json(&mixed, Enc::A128Gcm, b"x", &JsonOptions::default()).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
}

#[test]
fn encrypting_refuses_repeated_and_misplaced_members() {
    let key = oct(16, 4);
    let r = |header: Option<&'static [u8]>| [JsonRecipient { key: &key, alg: Alg::A128Kw, header }];
    let cases: [(&[JsonRecipient], JsonOptions); 4] = [
        (
            &r(None),
            JsonOptions {
                protected: Some(br#"{"typ":"a"}"#),
                unprotected: Some(br#"{"typ":"b"}"#),
                ..Default::default()
            },
        ),
        (&r(Some(br#"{"cty":"a"}"#)), JsonOptions { unprotected: Some(br#"{"cty":"b"}"#), ..Default::default() }),
        (&r(Some(br#"{"crit":["x"],"x":1}"#)), JsonOptions::default()),
        (&r(None), JsonOptions { unprotected: Some(br#"{"enc":"A128GCM"}"#), ..Default::default() }),
    ];
    for (i, (recipients, options)) in cases.iter().enumerate() {
        let e = jwe::encrypt_json(recipients, Enc::A128Gcm, b"x", options).unwrap_err();
        assert!(matches!(e, Error::HeaderInvalid(_) | Error::InvalidArgument(_)), "case {i}: {e}");
    }
}

// ---- Attacks ----

/// A general JWE to two A128KW recipients (kids "a", "b") with `aad`, and its keys.
fn two_recipients() -> (Value, Key, Key) {
    let (a, b) = (oct(16, 5), oct(16, 6));
    let recipients = [
        JsonRecipient { key: &a, alg: Alg::A128Kw, header: Some(br#"{"kid":"a"}"#) },
        JsonRecipient { key: &b, alg: Alg::A128Kw, header: Some(br#"{"kid":"b"}"#) },
    ];
    let options = JsonOptions { aad: Some(b"context"), unprotected: Some(br#"{"x":1}"#), ..Default::default() };
    let token = jwe::encrypt_json(&recipients, Enc::A256Gcm, b"secret", &options).unwrap();
    (serde_json::from_str(&token).unwrap(), a, b)
}

fn protected_of(v: &Value) -> Value {
    serde_json::from_slice(&common::b64url_decode(v["protected"].as_str().unwrap())).unwrap()
}

fn with_protected(v: &Value, protected: &Value) -> Value {
    let mut v = v.clone();
    v["protected"] = common::b64url_encode(protected.to_string().as_bytes()).into();
    v
}

#[test]
fn a_member_in_two_headers_is_refused_naming_it() {
    let (v, a, _) = two_recipients();
    let mut cases = Vec::new();
    let mut t = v.clone();
    t["unprotected"]["enc"] = "A256GCM".into(); // protected and shared unprotected
    cases.push((t, "enc"));
    let mut t = v.clone();
    t["recipients"][1]["header"]["x"] = 2.into(); // shared unprotected and per-recipient
    cases.push((t, "x"));
    let mut p = protected_of(&v);
    p["kid"] = "a".into(); // protected and per-recipient
    cases.push((with_protected(&v, &p), "kid"));
    for (token, member) in cases {
        let e = open(&text(&token), &[&a], &policy_all()).unwrap_err();
        assert!(matches!(&e, Error::HeaderInvalid(m) if m.contains(&format!("`{member}`"))), "{member}: {e}");
    }
}

#[test]
fn zip_and_crit_must_be_protected_and_enc_shared() {
    let (v, a, _) = two_recipients();
    for (place, member, value) in [
        ("unprotected", "zip", json!("DEF")),
        ("recipient", "zip", json!("DEF")),
        ("unprotected", "crit", json!(["x"])),
        ("recipient", "crit", json!(["x"])),
        ("recipient", "enc", json!("A256GCM")),
    ] {
        let mut t = v.clone();
        let mut p = protected_of(&v);
        if member == "enc" {
            p.as_object_mut().unwrap().remove("enc");
            t = with_protected(&t, &p);
        }
        match place {
            "unprotected" => t["unprotected"][member] = value,
            _ => t["recipients"][0]["header"][member] = value,
        }
        let e = open(&text(&t), &[&a], &policy_all()).unwrap_err();
        assert!(matches!(&e, Error::HeaderInvalid(m) if m.contains(member)), "{place} {member}: {e}");
    }
    // `crit` protected: understood rules apply (jwtkit implements no JWE extension).
    let mut p = protected_of(&v);
    p["crit"] = json!(["exp"]);
    p["exp"] = 1.into();
    assert!(matches!(open(&text(&with_protected(&v, &p)), &[&a], &policy_all()), Err(Error::CritUnsupported(_))));
}

#[test]
fn recipients_outside_the_allow_list_are_skipped_never_tried() {
    let rsa_private = pem("rsa2048.pkcs8.pem");
    let rsa_public = pem("rsa2048.spki.pem");
    let kw = oct(16, 7);
    let recipients = [
        JsonRecipient { key: &rsa_public, alg: Alg::RsaOaep, header: None },
        JsonRecipient { key: &kw, alg: Alg::A128Kw, header: None },
    ];
    let token = jwe::encrypt_json(&recipients, Enc::A128Gcm, b"m", &JsonOptions::default()).unwrap();
    let mut v: Value = serde_json::from_str(&token).unwrap();
    // The first recipient is made RSA1_5 with a garbage key: a padding oracle if tried.
    v["recipients"][0]["header"]["alg"] = "RSA1_5".into();
    v["recipients"][0]["encrypted_key"] = common::b64url_encode(&[0u8; 256]).into();
    let token = text(&v);
    let policy = JwePolicy::new(&[Alg::A128Kw, Alg::RsaOaep256], &[Enc::A128Gcm]).unwrap();
    // With the RSA key first in the list, it is still the A128KW recipient that opens it.
    let d = open(&token, &[&rsa_private, &kw], &policy).unwrap();
    assert_eq!((d.recipient, d.key_index, d.alg), (1, 1, Alg::A128Kw));
    // Only the RSA key: no allowed recipient takes it, and RSA1_5 is not attempted.
    assert!(matches!(open(&token, &[&rsa_private], &policy), Err(Error::KeyAlgMismatch(_))));
    // Only disallowed recipients: RSA1_5 and RSA-OAEP (SHA-1, not in this list).
    v["recipients"].as_array_mut().unwrap().truncate(1);
    v["recipients"].as_array_mut().unwrap().push(json!({"header": {"alg": "RSA-OAEP"}, "encrypted_key": "AAAA"}));
    let e = open(&text(&v), &[&rsa_private, &kw], &policy).unwrap_err();
    assert!(matches!(e, Error::AlgNotAllowed(_)), "{e}");
    // A single RSA1_5 recipient keeps compact's own status.
    v["recipients"].as_array_mut().unwrap().truncate(1);
    assert!(matches!(open(&text(&v), &[&rsa_private], &policy), Err(Error::AlgInsecure(_))));
}

#[test]
fn any_modification_is_the_one_decryption_error() {
    let (v, a, b) = two_recipients();
    assert_eq!(&open(&text(&v), &[&a], &policy_all()).unwrap().plaintext[..], b"secret");
    let failed = open(&text(&v), &[&oct(16, 99)], &policy_all()).unwrap_err();
    assert!(matches!(failed, Error::DecryptionFailed(_)));
    let mut tampered = Vec::new();
    let mut t = v.clone();
    t["aad"] = common::b64url_encode(b"contexT").into();
    tampered.push(t);
    let mut t = v.clone();
    t.as_object_mut().unwrap().remove("aad");
    tampered.push(t);
    let mut p = protected_of(&v);
    p["typ"] = "x".into();
    tampered.push(with_protected(&v, &p));
    let mut t = v.clone();
    let mut ek = common::b64url_decode(t["recipients"][0]["encrypted_key"].as_str().unwrap());
    ek[3] ^= 1;
    t["recipients"][0]["encrypted_key"] = common::b64url_encode(&ek).into();
    tampered.push(t);
    for (i, t) in tampered.iter().enumerate() {
        // Recipient "a"'s wrapped key was changed in case 3, so "b" still opens that one.
        let keys: &[&Key] = if i == 3 { &[&a] } else { &[&a, &b] };
        for key in keys {
            assert_eq!(open(&text(t), &[key], &policy_all()).unwrap_err(), failed, "case {i}");
        }
    }
    assert!(open(&text(&tampered[3]), &[&b], &policy_all()).is_ok());
}

#[test]
fn huge_and_deep_input_is_refused_by_the_limits() {
    let (v, a, _) = two_recipients();
    let mut t = v.clone();
    let many: Vec<Value> = (0..1000).map(|_| json!({"encrypted_key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})).collect();
    t["recipients"] = many.into();
    assert!(matches!(open(&text(&t), &[&a], &policy_all()), Err(Error::JsonLimit(_))));
    let mut deep = v.clone();
    deep["unprotected"]["deep"] = serde_json::from_str(&format!("{}{}", "[".repeat(100), "]".repeat(100))).unwrap();
    assert!(matches!(open(&text(&deep), &[&a], &policy_all()), Err(Error::JsonLimit(_))));
    let big = format!("{{\"ciphertext\":\"{}\"}}", "A".repeat(200_000));
    assert!(matches!(open(big.as_bytes(), &[&a], &policy_all()), Err(Error::TokenTooLarge(_))));
    for bad in [&b""[..], b"eyJ.a.b.c.d", b"[]", b"{\"recipients\":[]}", b"{\"recipients\":{}}"] {
        assert!(matches!(open(bad, &[&a], &policy_all()), Err(Error::TokenMalformed(_))), "{bad:?}");
    }
    // Duplicate JSON members in the envelope are refused by the strict reader.
    let dup = v.to_string().replacen("\"iv\":", "\"iv\":\"AAAA\",\"iv\":", 1);
    assert!(matches!(open(dup.as_bytes(), &[&a], &policy_all()), Err(Error::Json(_))));
    // A compact JWE is refused with a pointer to the other entry point, and the reverse.
    let compact = jwe::encrypt(&a, Alg::A128Kw, Enc::A128Gcm, b"x", None, false).unwrap();
    assert!(matches!(open(compact.as_bytes(), &[&a], &policy_all()), Err(Error::TokenMalformed(_))));
    assert!(matches!(jwe::decrypt(&text(&v), &a, &policy_all()), Err(Error::TokenMalformed(_))));
}

#[test]
fn key_tries_are_capped() {
    let (v, a, _) = two_recipients();
    // The kid selects: key "a" without a kid is tried on both; a wrong-kid key on none.
    let wrong = jwk(&json!({"kty": "oct", "kid": "zzz", "k": common::b64url_encode(&[1u8; 16])}));
    assert!(matches!(open(&text(&v), &[&wrong], &policy_all()), Err(Error::KeyNotFound(_))));
    let decoys: Vec<Key> = (0..40).map(|i| oct(16, 100 + i)).collect();
    let mut keys: Vec<&Key> = decoys.iter().collect();
    keys.push(&a);
    // 40 decoys × 2 recipients before the right key: over the default 16 tries.
    assert!(matches!(open(&text(&v), &keys, &policy_all()), Err(Error::DecryptionFailed(_))));
    let mut p = policy_all();
    p.set_limits(jwtkit::Limits { max_keys_tried: 100, ..Default::default() }).unwrap();
    assert_eq!(open(&text(&v), &keys, &p).unwrap().key_index, 40);
}
