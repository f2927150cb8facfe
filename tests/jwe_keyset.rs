//! Compact JWE decryption with a key set made for decryption: which JWKs the set keeps
//! (and why it skips the others), and which of its keys a token's `kid` chooses: the
//! keys with that `kid`, else the keys without one, never a key that cannot serve the
//! token's `alg`, at most `max_keys_tried` of them.

mod common;

use std::sync::Arc;

use jwtkit::jwe::{self, Alg, Enc, JwePolicy};
use jwtkit::{Algorithm, Error, Key, KeySet, Limits, Purpose, Validation};
use serde_json::{json, Value};

fn secret(len: usize, seed: u8) -> String {
    let k: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(37).wrapping_add(seed)).collect();
    common::b64url_encode(&k)
}

fn oct(len: usize, seed: u8, kid: Option<&str>) -> Value {
    let mut v = json!({"kty": "oct", "k": secret(len, seed)});
    if let Some(kid) = kid {
        v["kid"] = kid.into();
    }
    v
}

fn key(v: &Value) -> Key {
    Key::from_jwk(v.to_string().as_bytes()).unwrap()
}

fn set(keys: &[Value]) -> KeySet {
    KeySet::from_jwks_for_decryption(json!({ "keys": keys }).to_string().as_bytes()).unwrap()
}

fn rsa_private(kid: &str) -> Value {
    let pem =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keys/rsa2048.pkcs8.pem")).unwrap();
    let mut v: Value = serde_json::from_str(&Key::from_pem(&pem).unwrap().to_private_jwk().unwrap()).unwrap();
    v["kid"] = kid.into();
    v
}

fn policy(max_keys_tried: usize) -> JwePolicy {
    let mut p = JwePolicy::new(&[Alg::A128Kw, Alg::A256Kw, Alg::Dir, Alg::RsaOaep256], &[Enc::A256Gcm]).unwrap();
    p.set_limits(Limits { max_keys_tried, ..Default::default() }).unwrap();
    p
}

/// A token for `to` (its JWK), with `kid` in the header when given (None: none at all).
fn token(to: &Value, alg: Alg, kid: Option<&str>) -> String {
    let header = kid.map(|kid| json!({ "kid": kid }).to_string());
    let mut k = key(to);
    if kid.is_none() {
        k = k.with_kid(None).unwrap();
    }
    jwe::encrypt(&k, alg, Enc::A256Gcm, b"hello", header.as_deref().map(str::as_bytes), false).unwrap()
}

fn decrypt(set: &KeySet, token: &str, max_keys_tried: usize) -> jwtkit::Result<String> {
    jwe::decrypt_with_keys(token.as_bytes(), set, &policy(max_keys_tried))
        .map(|d| String::from_utf8(d.plaintext.to_vec()).unwrap())
}

#[test]
fn the_kid_chooses_the_key() {
    let (a, b) = (oct(32, 1, Some("a")), oct(32, 2, Some("b")));
    let s = set(&[a.clone(), b.clone()]);
    assert_eq!(s.len(), 2);
    assert_eq!(s.purpose(), Purpose::Decryption);
    for to in [&a, &b] {
        // With a cap of one key tried, only the key named can have opened it.
        assert_eq!(decrypt(&s, &token(to, Alg::A256Kw, Some(to["kid"].as_str().unwrap())), 1).unwrap(), "hello");
    }
    // The kid names a key that is not the one used: that key fails, no other is tried.
    let Err(e) = decrypt(&s, &token(&b, Alg::A256Kw, Some("a")), 16) else { panic!() };
    assert!(matches!(e, Error::DecryptionFailed(_)), "{e}");
}

#[test]
fn keys_without_a_kid_serve_when_no_key_has_the_tokens() {
    let (named, plain) = (oct(32, 1, Some("a")), oct(32, 3, None));
    let s = set(&[named.clone(), plain.clone()]);
    // An unknown kid falls back to the key without one (only it is tried).
    assert_eq!(decrypt(&s, &token(&plain, Alg::A256Kw, Some("other")), 1).unwrap(), "hello");
    // A kid that a key has never falls back.
    let Err(e) = decrypt(&s, &token(&plain, Alg::A256Kw, Some("a")), 16) else { panic!() };
    assert!(matches!(e, Error::DecryptionFailed(_)), "{e}");
    // No kid: every key, in order.
    assert_eq!(decrypt(&s, &token(&plain, Alg::A256Kw, None), 16).unwrap(), "hello");
    assert!(matches!(decrypt(&s, &token(&plain, Alg::A256Kw, None), 1), Err(Error::DecryptionFailed(_))));
}

#[test]
fn an_unknown_kid_is_key_not_found() {
    let s = set(&[oct(32, 1, Some("a")), oct(32, 2, Some("b"))]);
    let Err(e) = decrypt(&s, &token(&oct(32, 1, Some("a")), Alg::A256Kw, Some("nope")), 16) else { panic!() };
    assert!(matches!(&e, Error::KeyNotFound(m) if m.contains("\"nope\"")), "{e}");
    let empty = set(&[]);
    assert!(matches!(decrypt(&empty, &token(&oct(32, 1, None), Alg::A256Kw, None), 16), Err(Error::KeyNotFound(_))));
}

#[test]
fn keys_that_cannot_serve_the_alg_are_not_tried() {
    let (small, big) = (oct(16, 5, None), oct(32, 6, None));
    let s = set(&[small.clone(), big.clone()]);
    // The 16-byte key comes first but cannot do A256KW: the one try goes to the other.
    assert_eq!(decrypt(&s, &token(&big, Alg::A256Kw, None), 1).unwrap(), "hello");
    assert_eq!(decrypt(&s, &token(&small, Alg::A128Kw, None), 1).unwrap(), "hello");
    // Only keys of the wrong size: their misfit, nothing tried.
    let only_small = set(&[small]);
    let Err(e) = decrypt(&only_small, &token(&big, Alg::A256Kw, None), 16) else { panic!() };
    assert!(matches!(e, Error::KeyAlgMismatch(_)), "{e}");
    // An RSA token does not try secrets.
    let rsa = rsa_private("r");
    let mixed = set(&[oct(32, 7, None), rsa.clone()]);
    assert_eq!(decrypt(&mixed, &token(&rsa, Alg::RsaOaep256, None), 1).unwrap(), "hello");
}

#[test]
fn at_most_max_keys_tried_keys_are_tried() {
    let keys: Vec<Value> = (0..5).map(|i| oct(32, 10 + i, None)).collect();
    let s = set(&keys);
    let t = token(&keys[4], Alg::A256Kw, None);
    assert_eq!(decrypt(&s, &t, 5).unwrap(), "hello");
    let Err(e) = decrypt(&s, &t, 4) else { panic!() };
    assert!(matches!(e, Error::DecryptionFailed(_)), "{e}");
}

#[test]
fn the_set_keeps_only_keys_that_decrypt_and_says_why() {
    let rsa = rsa_private("rsa");
    let mut public = rsa.clone();
    for m in ["d", "p", "q", "dp", "dq", "qi"] {
        public.as_object_mut().unwrap().remove(m);
    }
    public["kid"] = "pub".into();
    let s = set(&[
        oct(32, 1, Some("ok")),
        json!({"kty": "oct", "k": secret(32, 2), "kid": "sig", "use": "sig"}),
        public.clone(),
        json!({"kty": "oct", "k": secret(32, 3), "alg": "HS256"}),
        json!({"kty": "oct", "k": secret(20, 4)}),
        json!({"kty": "oct", "k": secret(32, 5), "key_ops": ["sign", "verify"]}),
        json!({"kty": "oct", "k": secret(32, 6), "use": "enc", "alg": "A256KW"}),
        json!({"kty": "oct", "k": secret(16, 7), "alg": "A256KW"}),
        json!({"kty": "oct", "k": secret(11, 8), "alg": "PBES2-HS256+A128KW"}),
        json!({"kty": "oct", "k": secret(16, 9), "alg": "A128GCM"}),
        json!({"kty": "foo"}),
        rsa,
    ]);
    let reasons: Vec<(usize, &Error)> = s.skipped().iter().map(|k| (k.index, &k.reason)).collect();
    assert_eq!(s.len(), 5, "{reasons:?}");
    assert!(matches!(reasons[0], (1, Error::KeyUsage(_))), "{reasons:?}");
    assert!(matches!(reasons[1], (2, Error::KeyCannotDecrypt(_))), "{reasons:?}");
    assert!(matches!(reasons[2], (3, Error::KeyUnsupported(_))), "{reasons:?}");
    assert!(matches!(reasons[3], (4, Error::KeyAlgMismatch(_))), "{reasons:?}");
    assert!(matches!(reasons[4], (5, Error::KeyUsage(_))), "{reasons:?}");
    assert!(matches!(reasons[5], (7, Error::KeyAlgMismatch(_))), "{reasons:?}");
    assert!(matches!(reasons[6], (10, Error::KeyUnsupported(_))), "{reasons:?}");
    assert!(s.skipped()[1].describe().starts_with("keys[2] (kid \"pub\")"));

    // A token naming the public key's kid says it was skipped (no key without a kid
    // to fall back on here).
    let s =
        set(&[oct(32, 1, Some("ok")), public, json!({"kty": "oct", "k": secret(32, 2), "kid": "sig", "use": "sig"})]);
    let Err(Error::KeyNotFound(msg)) = decrypt(&s, &token(&oct(32, 1, None), Alg::A256Kw, Some("pub")), 16) else {
        panic!()
    };
    assert!(msg.contains("skipped"), "{msg}");
    // A `use: sig` key is never tried, even for a token naming it.
    assert!(matches!(
        decrypt(&s, &token(&oct(32, 2, Some("sig")), Alg::A256Kw, Some("sig")), 16),
        Err(Error::KeyNotFound(_))
    ));
}

#[test]
fn an_ambiguous_kid_is_skipped_unless_the_kinds_differ() {
    let s = set(&[oct(32, 1, Some("k")), oct(32, 2, Some("k")), oct(32, 1, Some("same")), oct(32, 1, Some("same"))]);
    assert_eq!(s.len(), 2, "{:?}", s.skipped().iter().map(|k| k.describe()).collect::<Vec<_>>());
    assert!(s.skipped().iter().all(|k| k.kid.as_deref() == Some("k")));
    assert!(matches!(decrypt(&s, &token(&oct(32, 1, None), Alg::A256Kw, Some("k")), 16), Err(Error::KeyNotFound(_))));
    // An RSA key and a secret may share a kid: no algorithm is served by both.
    let s = set(&[oct(32, 1, Some("k")), rsa_private("k")]);
    assert_eq!(s.len(), 2);
    assert_eq!(decrypt(&s, &token(&rsa_private("k"), Alg::RsaOaep256, Some("k")), 1).unwrap(), "hello");
}

#[test]
fn each_purpose_refuses_the_other() {
    let jwks = json!({"keys": [oct(32, 1, None)]}).to_string();
    let for_verifying = KeySet::from_jwks(jwks.as_bytes()).unwrap();
    let t = token(&oct(32, 1, None), Alg::A256Kw, None);
    assert!(matches!(decrypt(&for_verifying, &t, 16), Err(Error::InvalidArgument(_))));
    let for_decrypting = set(&[oct(32, 1, None)]);
    let hs = Key::from_secret(&[7u8; 32]).unwrap();
    let jws = jwtkit::jwt::sign(&hs, Algorithm::HS256, br#"{"sub":"x"}"#, None).unwrap();
    let v = Validation::new(&[Algorithm::HS256]).unwrap();
    assert!(matches!(jwtkit::jwt::verify(jws.as_bytes(), &for_decrypting, &v), Err(Error::InvalidArgument(_))));
    // Keys already held make the same set.
    let from_keys = KeySet::from_keys_for_decryption(vec![Arc::new(key(&oct(32, 1, None)))]);
    assert_eq!(decrypt(&from_keys, &t, 16).unwrap(), "hello");
}

#[test]
fn nested_and_unsigned_jwts_decrypt_with_a_set() {
    let enc_key = oct(32, 1, Some("e"));
    let dec_set = set(&[oct(32, 9, Some("other")), enc_key.clone()]);
    let sign_key = Key::from_secret(&[7u8; 32]).unwrap().with_kid(Some("s")).unwrap();
    let verify_set =
        KeySet::from_keys(vec![Arc::new(Key::from_secret(&[7u8; 32]).unwrap().with_kid(Some("s")).unwrap())]);
    let claims = br#"{"sub":"alice","exp":4102444800}"#;
    let nested = jwe::sign_then_encrypt(
        &sign_key,
        Algorithm::HS256,
        claims,
        None,
        &key(&enc_key),
        Alg::A256Kw,
        Enc::A256Gcm,
        false,
    )
    .unwrap();
    let v = Validation::new(&[Algorithm::HS256]).unwrap();
    let n = jwe::decrypt_then_verify_with_keys(nested.as_bytes(), &dec_set, &policy(1), &verify_set, &v).unwrap();
    assert_eq!(n.jwt.claims_json, claims);

    let unsigned = jwe::encrypt(&key(&enc_key), Alg::A256Kw, Enc::A256Gcm, claims, None, false).unwrap();
    let d = jwe::decrypt_claims_with_keys(unsigned.as_bytes(), &dec_set, &policy(1), &v).unwrap();
    assert_eq!(&d.plaintext[..], claims);
}

#[test]
fn json_recipients_choose_keys_the_same_way() {
    let (named, plain) = (oct(32, 1, Some("a")), oct(32, 2, None));
    let token = jwe::encrypt_json(
        &[jwe::JsonRecipient { key: &key(&named), alg: Alg::A256Kw, header: None }],
        Enc::A256Gcm,
        b"hello",
        &Default::default(),
    )
    .unwrap();
    let (k_named, k_plain) = (key(&named), key(&plain));
    // The recipient's kid "a" chooses the key with it; the kid-less key is not tried
    // first (one try is enough).
    let d = jwe::decrypt_json(token.as_bytes(), &[&k_plain, &k_named], &policy(1)).unwrap();
    assert_eq!((d.key_index, &d.plaintext[..]), (1, &b"hello"[..]));
    // With no key of that kid, the kid-less keys serve.
    let bare = key(&named).with_kid(None).unwrap();
    assert_eq!(jwe::decrypt_json(token.as_bytes(), &[&k_plain, &bare], &policy(2)).unwrap().key_index, 1);
    let other = key(&oct(32, 1, Some("b")));
    assert!(matches!(jwe::decrypt_json(token.as_bytes(), &[&other], &policy(16)), Err(Error::KeyNotFound(_))));
}

#[test]
fn pbes2_work_is_capped_per_token_across_keys() {
    let pbes2 = Alg::Pbes2Hs256A128Kw;
    let password = |seed: u8| json!({"kty": "oct", "k": secret(12, seed), "alg": pbes2.name()});
    let policy = JwePolicy::new(&[pbes2], &[Enc::A256Gcm]).unwrap(); // p2c cap 10000
    let sealed = |to: &Value, p2c: u32| {
        let header = json!({ "p2c": p2c }).to_string();
        let k = key(to).with_kid(None).unwrap();
        jwe::encrypt(&k, pbes2, Enc::A256Gcm, b"hello", Some(header.as_bytes()), false).unwrap()
    };
    let open = |s: &KeySet, t: &str| jwe::decrypt_with_keys(t.as_bytes(), s, &policy);
    let (wrong, right) = (password(1), password(2));

    // Two kid-less passwords, the right one second: 2 × 5000 iterations fit the budget...
    let s = set(&[wrong.clone(), right.clone()]);
    assert_eq!(&open(&s, &sealed(&right, 5000)).unwrap().plaintext[..], b"hello");
    // ... 2 × 8192 do not: the second derivation is refused before it runs.
    let Err(e) = open(&s, &sealed(&right, 8192)) else { panic!() };
    assert!(matches!(e, Error::P2cLimit(_)), "{e}");
    // The first key alone still opens its own token at the cap.
    let s = set(&[right.clone(), wrong]);
    assert_eq!(&open(&s, &sealed(&right, 10_000)).unwrap().plaintext[..], b"hello");

    // In JSON, recipients share the budget: however many PBES2 recipients a token has,
    // one key costs at most one derivation at the default count (8192).
    let k = key(&right).with_kid(None).unwrap();
    let other = key(&password(3)).with_kid(None).unwrap();
    let recipient = |key| jwe::JsonRecipient { key, alg: pbes2, header: None };
    let token = jwe::encrypt_json(
        &[recipient(&other), recipient(&other), recipient(&k)],
        Enc::A256Gcm,
        b"hello",
        &Default::default(),
    )
    .unwrap();
    let Err(e) = jwe::decrypt_json(token.as_bytes(), &[&k], &policy) else { panic!() };
    assert!(matches!(e, Error::P2cLimit(_)), "{e}");
    let token =
        jwe::encrypt_json(&[recipient(&k), recipient(&other)], Enc::A256Gcm, b"hello", &Default::default()).unwrap();
    assert_eq!(&jwe::decrypt_json(token.as_bytes(), &[&k], &policy).unwrap().plaintext[..], b"hello");
}

#[test]
fn among_several_keys_only_keys_naming_pbes2_or_sha1_oaep_serve_them() {
    let pbes2 = Alg::Pbes2Hs256A128Kw;
    let password = json!({"kty": "oct", "k": secret(12, 1), "alg": pbes2.name(), "kid": "pw"});
    let aes = oct(32, 2, Some("aes"));
    let policy = JwePolicy::new(&[pbes2, Alg::A256Kw, Alg::RsaOaep], &[Enc::A256Gcm]).unwrap();
    let sealed = |to: &Value, alg: Alg, kid: Option<&str>| {
        let header = kid.map(|kid| json!({ "kid": kid }).to_string());
        let k = key(to).with_kid(None).unwrap();
        jwe::encrypt(&k, alg, Enc::A256Gcm, b"hello", header.as_deref().map(str::as_bytes), false).unwrap()
    };
    let open = |s: &KeySet, t: &str| jwe::decrypt_with_keys(t.as_bytes(), s, &policy);

    // The AES key is never tried as a password, even by a token naming it...
    let s = set(&[password.clone(), aes.clone()]);
    let Err(e) = open(&s, &sealed(&aes, pbes2, Some("aes"))) else { panic!() };
    assert!(matches!(e, Error::KeyAlgMismatch(_)), "{e}");
    assert_eq!(&open(&s, &sealed(&aes, Alg::A256Kw, Some("aes"))).unwrap().plaintext[..], b"hello");
    // ... so a kid-less password token does not spend its PBES2 budget on it, in either order.
    for order in [[aes.clone(), password.clone()], [password.clone(), aes.clone()]] {
        assert_eq!(&open(&set(&order), &sealed(&password, pbes2, None)).unwrap().plaintext[..], b"hello");
    }
    // An RSA key serves SHA-1 RSA-OAEP only when its JWK names it.
    let rsa = rsa_private("rsa");
    let s = set(&[rsa.clone(), aes.clone()]);
    let Err(e) = open(&s, &sealed(&rsa, Alg::RsaOaep, Some("rsa"))) else { panic!() };
    assert!(matches!(e, Error::KeyAlgMismatch(_)), "{e}");
    let mut named = rsa.clone();
    named["alg"] = "RSA-OAEP".into();
    assert_eq!(&open(&set(&[named, aes]), &sealed(&rsa, Alg::RsaOaep, Some("rsa"))).unwrap().plaintext[..], b"hello");
    // One key the caller hands over alone is its own choice.
    let bare = key(&oct(32, 2, None));
    let t = sealed(&oct(32, 2, None), pbes2, None);
    assert_eq!(&jwe::decrypt(t.as_bytes(), &bare, &policy).unwrap().plaintext[..], b"hello");
    assert_eq!(&jwe::decrypt_with_keys(t.as_bytes(), &[&bare][..], &policy).unwrap().plaintext[..], b"hello");
}
