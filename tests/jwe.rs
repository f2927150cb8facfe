//! JWE through the core API: every supported `alg` × `enc` round trip, key binding
//! (kind, size, `use`, `key_ops`, JWK `alg`), allow-lists, nested JWTs, and the attacks:
//! modified segments, invalid-curve and low-order ECDH points, JWE where a JWS is
//! expected and the reverse, `RSA1_5`, compression bombs.

mod common;

use jwtkit::jwe::{self, Alg, Enc, JwePolicy};
use jwtkit::{Algorithm, Error, Key, Validation};
use serde_json::{json, Value};

fn keys_dir(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keys").join(name)).unwrap()
}

fn jwk(v: Value) -> Key {
    Key::from_jwk(v.to_string().as_bytes()).unwrap_or_else(|e| panic!("{v}: {e}"))
}

fn oct(len: usize) -> Key {
    let k: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(37).wrapping_add(11)).collect();
    jwk(json!({"kty": "oct", "k": common::b64url_encode(&k)}))
}

/// RFC 7748 §6.1 Bob's X25519 key.
const X25519_BOB: (&str, &str) =
    ("XasIfmJKikt54X-Lg4AO5m87sSkmGLb9HC-LJ_-I4Os", "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08");

fn x25519_private() -> Key {
    jwk(json!({"kty": "OKP", "crv": "X25519", "d": X25519_BOB.0, "x": X25519_BOB.1}))
}

/// (private, public) pairs for every asymmetric `alg`, and the secret for the others.
fn key_pairs(alg: Alg, enc: Enc) -> Vec<(Key, Key)> {
    match alg {
        Alg::Dir => vec![(oct(enc.cek_len()), oct(enc.cek_len()))],
        Alg::A128Kw | Alg::A128GcmKw => vec![(oct(16), oct(16))],
        Alg::A192Kw | Alg::A192GcmKw => vec![(oct(24), oct(24))],
        Alg::A256Kw | Alg::A256GcmKw => vec![(oct(32), oct(32))],
        Alg::Pbes2Hs256A128Kw | Alg::Pbes2Hs384A192Kw | Alg::Pbes2Hs512A256Kw => vec![(oct(11), oct(11))],
        Alg::RsaOaep256 | Alg::RsaOaep | Alg::RsaOaep384 | Alg::RsaOaep512 => vec![(
            Key::from_pem(&keys_dir("rsa2048.pkcs8.pem")).unwrap(),
            Key::from_pem(&keys_dir("rsa2048.spki.pem")).unwrap(),
        )],
        _ => {
            let mut v: Vec<(Key, Key)> = ["ecp256", "ecp384", "ecp521"]
                .iter()
                .map(|c| {
                    (
                        Key::from_pem(&keys_dir(&format!("{c}.pkcs8.pem"))).unwrap(),
                        Key::from_pem(&keys_dir(&format!("{c}.spki.pem"))).unwrap(),
                    )
                })
                .collect();
            v.push((x25519_private(), jwk(json!({"kty": "OKP", "crv": "X25519", "x": X25519_BOB.1}))));
            v
        }
    }
}

fn policy(alg: Alg, enc: Enc) -> JwePolicy {
    JwePolicy::new(&[alg], &[enc]).unwrap()
}

fn all_policy() -> JwePolicy {
    JwePolicy::new(&Alg::ALL, &Enc::ALL).unwrap()
}

fn segments(token: &str) -> Vec<String> {
    token.split('.').map(str::to_string).collect()
}

fn header(token: &str) -> Value {
    serde_json::from_slice(&common::b64url_decode(&segments(token)[0])).unwrap()
}

#[test]
fn every_alg_and_enc_round_trips() {
    let mut n = 0;
    for alg in Alg::ALL {
        for enc in Enc::ALL {
            for (private, public) in key_pairs(alg, enc) {
                let token = jwe::encrypt(&public, alg, enc, b"The true sign of intelligence", None, false).unwrap();
                let h = header(&token);
                assert_eq!((h["alg"].as_str(), h["enc"].as_str()), (Some(alg.name()), Some(enc.name())));
                assert_eq!(h.get("epk").is_some(), alg.name().starts_with("ECDH"), "{h}");
                assert_eq!(h.get("tag").is_some(), alg.name().ends_with("GCMKW"), "{h}");
                assert_eq!(h.get("p2s").is_some(), alg.name().starts_with("PBES2"), "{h}");
                if alg.name().starts_with("PBES2") {
                    assert_eq!(h["p2c"], 8192, "{h}");
                    assert_eq!(common::b64url_decode(h["p2s"].as_str().unwrap()).len(), 16, "{h}");
                }
                if alg.name().ends_with("GCMKW") {
                    assert_eq!(common::b64url_decode(h["iv"].as_str().unwrap()).len(), 12, "{h}");
                    assert_eq!(common::b64url_decode(h["tag"].as_str().unwrap()).len(), 16, "{h}");
                }
                let parts = segments(&token);
                assert_eq!(parts.len(), 5);
                assert_eq!(parts[1].is_empty(), matches!(alg, Alg::Dir | Alg::EcdhEs), "{}", alg.name());
                let d = jwe::decrypt(token.as_bytes(), &private, &policy(alg, enc)).unwrap();
                assert_eq!(&d.plaintext[..], b"The true sign of intelligence");
                assert_eq!((d.alg, d.enc), (alg, enc));
                n += 1;
            }
        }
    }
    // dir, 3 KW, 3 GCMKW, 3 PBES2, 4 ECDH × 4 curves, 4 RSA: 30 key setups × 6 enc.
    assert_eq!(n, 180);
}

#[test]
fn compression_is_refused_unless_allowed_and_capped() {
    let key = oct(16);
    let text = "You can trust us to stick with you through thick and thin".repeat(20);
    let token = jwe::encrypt(&key, Alg::A128Kw, Enc::A128Gcm, text.as_bytes(), None, true).unwrap();
    assert_eq!(header(&token)["zip"], "DEF");
    let mut p = policy(Alg::A128Kw, Enc::A128Gcm);
    assert!(matches!(jwe::decrypt(token.as_bytes(), &key, &p), Err(Error::ZipNotAllowed(_))));
    p.allow_zip(true, 0);
    assert_eq!(&jwe::decrypt(token.as_bytes(), &key, &p).unwrap().plaintext[..], text.as_bytes());
    p.allow_zip(true, 100);
    assert!(matches!(jwe::decrypt(token.as_bytes(), &key, &p), Err(Error::ZipLimit(_))));
    // A zip bomb: 64 MiB of zeros deflate to ~64 KiB; inflating stops at the cap.
    let bomb = vec![0u8; 64 << 20];
    let token = jwe::encrypt(&key, Alg::A128Kw, Enc::A128Gcm, &bomb, None, true).unwrap();
    assert!(token.len() < 128 * 1024, "{}", token.len());
    p.allow_zip(true, 0);
    let e = jwe::decrypt(token.as_bytes(), &key, &p).unwrap_err();
    assert!(matches!(e, Error::ZipLimit(_)), "{e}");
    assert!(e.to_string().contains("262144"), "{e}");
}

#[test]
fn allow_lists_and_refused_algorithms() {
    let key = oct(32);
    let token = jwe::encrypt(&key, Alg::A256Kw, Enc::A256Gcm, b"x", None, false).unwrap();
    let e = jwe::decrypt(token.as_bytes(), &key, &policy(Alg::A128Kw, Enc::A256Gcm)).unwrap_err();
    assert!(matches!(e, Error::AlgNotAllowed(_)), "{e}");
    let e = jwe::decrypt(token.as_bytes(), &key, &policy(Alg::A256Kw, Enc::A128Gcm)).unwrap_err();
    assert!(matches!(e, Error::EncNotAllowed(_)), "{e}");
    assert!(JwePolicy::new(&[], &Enc::ALL).is_err());
    assert!(JwePolicy::new(&Alg::ALL, &[]).is_err());
    // Names: RSA1_5 has its own error; the rest are unsupported, with the reason.
    assert!(matches!(Alg::from_name("RSA1_5"), Err(Error::AlgInsecure(_))));
    for name in ["PBES2-HS256+A256KW", "A512KW", "none", "HS256", "rsa-oaep", "pbes2-hs256+a128kw", ""] {
        assert!(matches!(Alg::from_name(name), Err(Error::AlgUnsupported(_))), "{name}");
    }
    for name in ["A512GCM", "A192CBC-HS512", "a128gcm", "A128CBC-H256"] {
        assert!(matches!(Enc::from_name(name), Err(Error::EncUnsupported(_))), "{name}");
    }
}

#[test]
fn keys_are_bound_to_their_algorithms() {
    let rsa = Key::from_pem(&keys_dir("rsa2048.pkcs8.pem")).unwrap();
    let rsa_pub = Key::from_pem(&keys_dir("rsa2048.spki.pem")).unwrap();
    let p256 = Key::from_pem(&keys_dir("ecp256.pkcs8.pem")).unwrap();
    let ed = Key::from_pem(&keys_dir("ed25519.pkcs8.pem")).unwrap();
    let cases: Vec<(&Key, Alg, Enc)> = vec![
        (&rsa, Alg::A128Kw, Enc::A128Gcm),
        (&p256, Alg::RsaOaep256, Enc::A128Gcm),
        (&rsa, Alg::EcdhEs, Enc::A128Gcm),
        (&ed, Alg::EcdhEs, Enc::A128Gcm),
        (&ed, Alg::Dir, Enc::A128Gcm),
    ];
    for (key, alg, enc) in cases {
        let e = jwe::encrypt(key, alg, enc, b"x", None, false).unwrap_err();
        assert!(matches!(e, Error::KeyAlgMismatch(_)), "{} {e}", alg.name());
    }
    // Sizes: dir needs the CEK's length, KW its own.
    for (len, alg, enc) in [
        (32, Alg::Dir, Enc::A128Gcm),
        (16, Alg::Dir, Enc::A128CbcHs256),
        (32, Alg::A128Kw, Enc::A128Gcm),
        (16, Alg::A256Kw, Enc::A128Gcm),
        (16, Alg::A192Kw, Enc::A128Gcm),
        (32, Alg::A192GcmKw, Enc::A128Gcm),
        (24, Alg::A128GcmKw, Enc::A128Gcm),
        (24, Alg::Dir, Enc::A192CbcHs384),
    ] {
        let e = jwe::encrypt(&oct(len), alg, enc, b"x", None, false).unwrap_err();
        assert!(matches!(e, Error::KeyAlgMismatch(_)), "{e}");
    }
    // A public key cannot decrypt.
    let token = jwe::encrypt(&rsa_pub, Alg::RsaOaep256, Enc::A128Gcm, b"x", None, false).unwrap();
    let e = jwe::decrypt(token.as_bytes(), &rsa_pub, &all_policy()).unwrap_err();
    assert!(matches!(e, Error::KeyCannotDecrypt(_)), "{e}");
    // JWK `use`, `key_ops`, `alg`.
    let k = "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg";
    let sig_key = jwk(json!({"kty": "oct", "k": k, "use": "sig"}));
    assert!(matches!(jwe::encrypt(&sig_key, Alg::A256Kw, Enc::A128Gcm, b"x", None, false), Err(Error::KeyUsage(_))));
    let enc_key = jwk(json!({"kty": "oct", "k": k, "use": "enc"}));
    let token = jwe::encrypt(&enc_key, Alg::A256Kw, Enc::A128Gcm, b"x", None, false).unwrap();
    assert!(matches!(jwe::decrypt(token.as_bytes(), &sig_key, &all_policy()), Err(Error::KeyUsage(_))));
    // ... and the `enc` key never serves JWS.
    assert!(matches!(jwtkit::jwt::sign(&enc_key, Algorithm::HS256, b"{}", None), Err(Error::KeyUsage(_))));
    let wrap_only = jwk(json!({"kty": "oct", "k": k, "key_ops": ["wrapKey"]}));
    let token = jwe::encrypt(&wrap_only, Alg::A256Kw, Enc::A128Gcm, b"x", None, false).unwrap();
    assert!(matches!(jwe::decrypt(token.as_bytes(), &wrap_only, &all_policy()), Err(Error::KeyUsage(_))));
    let kw_only = jwk(json!({"kty": "oct", "k": k, "alg": "A256KW"}));
    assert!(matches!(jwe::encrypt(&kw_only, Alg::Dir, Enc::A256Gcm, b"x", None, false), Err(Error::KeyUsage(_))));
    // A PBES2 password and a key wrap key are both `oct`: the JWK's `alg` keeps each to
    // its own, in both directions, for encryption and decryption.
    let pbes2 = Alg::Pbes2Hs256A128Kw;
    assert!(matches!(jwe::encrypt(&kw_only, pbes2, Enc::A128Gcm, b"x", None, false), Err(Error::KeyUsage(_))));
    let bare = jwk(json!({"kty": "oct", "k": k}));
    let token = jwe::encrypt(&bare, pbes2, Enc::A128Gcm, b"x", None, false).unwrap();
    assert!(matches!(jwe::decrypt(token.as_bytes(), &kw_only, &all_policy()), Err(Error::KeyUsage(_))));
    let password_only = jwk(json!({"kty": "oct", "k": k, "alg": "PBES2-HS256+A128KW"}));
    assert!(jwe::decrypt(token.as_bytes(), &password_only, &all_policy()).is_ok());
    for alg in [Alg::A256Kw, Alg::A256GcmKw, Alg::Pbes2Hs512A256Kw] {
        let e = jwe::encrypt(&password_only, alg, Enc::A128Gcm, b"x", None, false).unwrap_err();
        assert!(matches!(e, Error::KeyUsage(_)), "{e}");
    }
    // ... and a policy that does not name PBES2 never runs it, whatever the key.
    let e = jwe::decrypt(token.as_bytes(), &bare, &policy(Alg::A256Kw, Enc::A128Gcm)).unwrap_err();
    assert!(matches!(e, Error::AlgNotAllowed(_)), "{e}");
    let dir_gcm = jwk(json!({"kty": "oct", "k": k, "alg": "A256GCM"}));
    assert!(jwe::encrypt(&dir_gcm, Alg::Dir, Enc::A256Gcm, b"x", None, false).is_ok());
    // X25519 keys never serve JWS.
    assert!(matches!(
        jwtkit::jwt::sign(&x25519_private(), Algorithm::EdDSA, b"{}", None),
        Err(Error::KeyAlgMismatch(_))
    ));
    // secp256k1 (ES256K) is no JWE curve: refused for every ECDH-ES, either half, with a
    // message that says so; decrypting a P-256 token with it is refused the same way.
    let k1 = Key::from_pem(&keys_dir("secp256k1.pkcs8.pem")).unwrap();
    let k1_pub = Key::from_pem(&keys_dir("secp256k1.spki.pem")).unwrap();
    for alg in [Alg::EcdhEs, Alg::EcdhEsA128Kw, Alg::EcdhEsA256Kw] {
        for key in [&k1, &k1_pub] {
            match jwe::encrypt(key, alg, Enc::A128Gcm, b"x", None, false) {
                Err(Error::KeyAlgMismatch(m)) => assert!(m.contains("secp256k1 is not a JWE curve"), "{m}"),
                other => panic!("{}: {:?}", alg.name(), other.map(|_| "encrypted")),
            }
        }
        let p256_pub = Key::from_pem(&keys_dir("ecp256.spki.pem")).unwrap();
        let token = jwe::encrypt(&p256_pub, alg, Enc::A128Gcm, b"x", None, false).unwrap();
        let e = jwe::decrypt(token.as_bytes(), &k1, &all_policy()).unwrap_err();
        assert!(matches!(e, Error::KeyAlgMismatch(_)), "{e}");
    }
}

/// Replaces segment `i` of a token.
fn with_segment(token: &str, i: usize, value: &str) -> String {
    let mut parts = segments(token);
    parts[i] = value.to_string();
    parts.join(".")
}

fn flip_b64(segment: &str, at: usize) -> String {
    let mut bytes = common::b64url_decode(segment);
    let i = at.min(bytes.len() - 1);
    bytes[i] ^= 1;
    common::b64url_encode(&bytes)
}

/// A segment with its last `n` decoded bytes removed.
fn cut_b64(segment: &str, n: usize) -> String {
    let bytes = common::b64url_decode(segment);
    common::b64url_encode(&bytes[..bytes.len() - n])
}

#[test]
fn every_modification_fails_with_the_one_decryption_error() {
    let mut checked = 0;
    for alg in Alg::ALL {
        for enc in Enc::ALL {
            for (private, public) in key_pairs(alg, enc) {
                let token = jwe::encrypt(&public, alg, enc, b"attack at dawn", None, false).unwrap();
                let p = segments(&token);
                let mut tampered = vec![
                    with_segment(&token, 2, &flip_b64(&p[2], 0)),
                    with_segment(&token, 3, &flip_b64(&p[3], 5)),
                    with_segment(&token, 4, &flip_b64(&p[4], 0)),
                    with_segment(&token, 4, &flip_b64(&p[4], 99)),
                    with_segment(&token, 4, &cut_b64(&p[4], 1)),
                    with_segment(&token, 4, ""),
                    with_segment(&token, 2, ""),
                ];
                if !p[1].is_empty() {
                    tampered.push(with_segment(&token, 1, &flip_b64(&p[1], 3)));
                    tampered.push(with_segment(&token, 1, &flip_b64(&p[1], 200)));
                    tampered.push(with_segment(&token, 1, &cut_b64(&p[1], 8)));
                }
                // A header member changed (the header is the AAD).
                let mut h = header(&token);
                h["kid"] = json!("x");
                tampered.push(with_segment(&token, 0, &common::b64url_encode(h.to_string().as_bytes())));
                // What key management put in the header: the GCM key wrap's tag and IV,
                // PBES2's salt input and count.
                let mut h = header(&token);
                for (name, value) in
                    [("tag", "AAAAAAAAAAAAAAAAAAAAAA"), ("iv", "AAAAAAAAAAAAAAAA"), ("p2s", "AAAAAAAAAAA")]
                {
                    if h.get(name).is_some() {
                        h[name] = json!(value);
                    }
                }
                if h.get("p2c").is_some() {
                    h["p2c"] = json!(8193);
                }
                if h != header(&token) {
                    tampered.push(with_segment(&token, 0, &common::b64url_encode(h.to_string().as_bytes())));
                }
                for t in tampered {
                    let e = jwe::decrypt(t.as_bytes(), &private, &all_policy()).unwrap_err();
                    assert!(matches!(e, Error::DecryptionFailed(_)), "{} {}: {e}", alg.name(), enc.name());
                    assert_eq!(e.to_string(), "the JWE could not be decrypted (wrong key, or the token was modified)");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 600, "{checked}");
}

#[test]
fn a_wrong_key_fails_like_a_modification() {
    for (alg, a, b) in [
        (Alg::A128Kw, oct(16), jwk(json!({"kty":"oct","k":"AAAAAAAAAAAAAAAAAAAAAA"}))),
        (Alg::Dir, oct(16), jwk(json!({"kty":"oct","k":"AAAAAAAAAAAAAAAAAAAAAA"}))),
    ] {
        let token = jwe::encrypt(&a, alg, Enc::A128Gcm, b"x", None, false).unwrap();
        assert!(matches!(jwe::decrypt(token.as_bytes(), &b, &all_policy()), Err(Error::DecryptionFailed(_))));
    }
    let other = Key::from_pem(&keys_dir("ecp256.pkcs8.pem")).unwrap();
    let p256_2 = Key::generate(Algorithm::ES256).unwrap();
    let token = jwe::encrypt(&other, Alg::EcdhEsA128Kw, Enc::A128Gcm, b"x", None, false).unwrap();
    let e = jwe::decrypt(token.as_bytes(), &p256_2, &all_policy());
    // A generated key is restricted to ES256 (JWS): it may not decrypt at all.
    assert!(matches!(e, Err(Error::KeyUsage(_))), "{e:?}");
}

#[test]
fn invalid_curve_and_low_order_points_are_refused() {
    let p256 = Key::from_pem(&keys_dir("ecp256.pkcs8.pem")).unwrap();
    let token = jwe::encrypt(&p256, Alg::EcdhEs, Enc::A128Gcm, b"x", None, false).unwrap();
    let h = header(&token);
    let set_epk = |epk: Value| {
        let mut h = h.clone();
        h["epk"] = epk;
        with_segment(&token, 0, &common::b64url_encode(h.to_string().as_bytes()))
    };
    let x = h["epk"]["x"].as_str().unwrap().to_string();
    let y = h["epk"]["y"].as_str().unwrap().to_string();
    // A point on another curve (y of a different point: off the curve), the
    // Wycheproof-style invalid-curve point (0, 0), a wrong curve, a private epk, junk.
    let bad_y = flip_b64(&y, 31);
    let zero = common::b64url_encode(&[0u8; 32]);
    let cases = [
        json!({"kty": "EC", "crv": "P-256", "x": x, "y": bad_y}),
        json!({"kty": "EC", "crv": "P-256", "x": zero, "y": zero}),
        json!({"kty": "EC", "crv": "P-384", "x": x, "y": y}),
        json!({"kty": "OKP", "crv": "X25519", "x": x}),
        json!({"kty": "EC", "crv": "P-256", "x": x, "y": y, "d": x}),
        json!({"kty": "EC", "crv": "P-256", "x": x}),
        json!({"kty": "EC", "crv": "P-256", "x": &x[1..], "y": y}),
        json!("a string"),
    ];
    for epk in cases {
        let e = jwe::decrypt(set_epk(epk.clone()).as_bytes(), &p256, &all_policy()).unwrap_err();
        assert!(matches!(e, Error::EpkInvalid(_)), "{epk}: {e}");
    }
    // X25519: every low-order point gives an all-zero secret and is refused.
    let x_priv = x25519_private();
    let token = jwe::encrypt(&x_priv, Alg::EcdhEs, Enc::A128Gcm, b"x", None, false).unwrap();
    let h = header(&token);
    let low_order: [[u8; 32]; 2] = [[0; 32], {
        let mut one = [0u8; 32];
        one[0] = 1;
        one
    }];
    for point in low_order {
        let mut h2 = h.clone();
        h2["epk"]["x"] = json!(common::b64url_encode(&point));
        let t = with_segment(&token, 0, &common::b64url_encode(h2.to_string().as_bytes()));
        let e = jwe::decrypt(t.as_bytes(), &x_priv, &all_policy()).unwrap_err();
        assert!(matches!(e, Error::EpkInvalid(_)), "{e}");
    }
    // A header without `epk`.
    let mut h3 = h.clone();
    h3.as_object_mut().unwrap().remove("epk");
    let t = with_segment(&token, 0, &common::b64url_encode(h3.to_string().as_bytes()));
    assert!(matches!(jwe::decrypt(t.as_bytes(), &x_priv, &all_policy()), Err(Error::HeaderInvalid(_))));
}

#[test]
fn jwe_where_jws_expected_and_the_reverse() {
    let secret = oct(32);
    let jws = jwtkit::jwt::sign(&secret, Algorithm::HS256, br#"{"sub":"a"}"#, None).unwrap();
    let e = jwe::decrypt(jws.as_bytes(), &secret, &all_policy()).unwrap_err();
    assert!(matches!(e, Error::TokenMalformed(_)), "{e}");
    assert!(e.to_string().contains("JWS"), "{e}");
    let jwe_token = jwe::encrypt(&secret, Alg::Dir, Enc::A256Gcm, br#"{"sub":"a"}"#, None, false).unwrap();
    let v = Validation::new(&Algorithm::ALL).unwrap();
    let e = jwtkit::jwt::verify(jwe_token.as_bytes(), &secret, &v).unwrap_err();
    assert!(matches!(e, Error::TokenMalformed(_)), "{e}");
    // A JWS header forged into five segments is still no JWE: no `enc`.
    let forged = format!("{}.", jws.split('.').take(2).collect::<Vec<_>>().join(".")) + ".AAAA.AAAA";
    let e = jwe::decrypt(forged.as_bytes(), &secret, &all_policy()).unwrap_err();
    assert!(matches!(e, Error::AlgUnsupported(_) | Error::HeaderInvalid(_)), "{e}");
    for bad in ["", "a.b.c.d", "a.b.c.d.e.f", "{\"protected\":1}"] {
        assert!(matches!(jwe::decrypt(bad.as_bytes(), &secret, &all_policy()), Err(Error::TokenMalformed(_))), "{bad}");
    }
}

#[test]
fn header_members_and_crit() {
    let key = oct(16);
    let t = jwe::encrypt(&key, Alg::A128Kw, Enc::A128Gcm, b"x", Some(br#"{"kid":"k1","typ":"secret+jwt"}"#), false)
        .unwrap();
    assert_eq!(header(&t)["kid"], "k1");
    for bad in [&br#"{"alg":"dir"}"#[..], br#"{"enc":"A256GCM"}"#, br#"{"zip":"DEF"}"#, br#"{"epk":{}}"#] {
        assert!(matches!(
            jwe::encrypt(&key, Alg::A128Kw, Enc::A128Gcm, b"x", Some(bad), false),
            Err(Error::InvalidArgument(_))
        ));
    }
    assert!(matches!(
        jwe::encrypt(&key, Alg::A128Kw, Enc::A128Gcm, b"x", Some(br#"{"crit":["exp"]}"#), false),
        Err(Error::CritUnsupported(_))
    ));
    // `crit` in a received token (even correctly encrypted) is refused before decryption.
    let mut h = header(&t);
    h["crit"] = json!(["exp"]);
    let forged = with_segment(&t, 0, &common::b64url_encode(h.to_string().as_bytes()));
    assert!(matches!(jwe::decrypt(forged.as_bytes(), &key, &all_policy()), Err(Error::CritUnsupported(_))));
    // `zip` values other than DEF.
    let mut h = header(&t);
    h["zip"] = json!("GZIP");
    let forged = with_segment(&t, 0, &common::b64url_encode(h.to_string().as_bytes()));
    assert!(matches!(jwe::decrypt(forged.as_bytes(), &key, &all_policy()), Err(Error::HeaderInvalid(_))));
}

#[test]
fn nested_jwt_sign_then_encrypt_and_decrypt_then_verify() {
    let signer = Key::from_pem(&keys_dir("ecp256.pkcs8.pem")).unwrap();
    let verifier = Key::from_pem(&keys_dir("ecp256.spki.pem")).unwrap();
    let recipient = Key::from_pem(&keys_dir("rsa2048.pkcs8.pem")).unwrap();
    let recipient_pub = Key::from_pem(&keys_dir("rsa2048.spki.pem")).unwrap();
    let claims = br#"{"sub":"alice","iss":"https://issuer.example","exp":4102444800}"#;
    let token = jwe::sign_then_encrypt(
        &signer,
        Algorithm::ES256,
        claims,
        None,
        &recipient_pub,
        Alg::RsaOaep256,
        Enc::A256Gcm,
        false,
    )
    .unwrap();
    assert_eq!(header(&token)["cty"], "JWT");
    let p = policy(Alg::RsaOaep256, Enc::A256Gcm);
    let mut v = Validation::new(&[Algorithm::ES256]).unwrap();
    v.add_issuer("https://issuer.example");
    let n = jwe::decrypt_then_verify(token.as_bytes(), &recipient, &p, &verifier, &v).unwrap();
    assert_eq!(n.jwt.claims_json, claims);
    assert_eq!(n.jwe_header["alg"], "RSA-OAEP-256");
    // Claim checks run: a wrong issuer, an expired token.
    let mut v2 = Validation::new(&[Algorithm::ES256]).unwrap();
    v2.add_issuer("https://other.example");
    assert!(matches!(
        jwe::decrypt_then_verify(token.as_bytes(), &recipient, &p, &verifier, &v2),
        Err(Error::IssuerMismatch(_))
    ));
    let mut v3 = Validation::new(&[Algorithm::ES256]).unwrap();
    v3.set_now(4102444801);
    assert!(matches!(
        jwe::decrypt_then_verify(token.as_bytes(), &recipient, &p, &verifier, &v3),
        Err(Error::Expired(_))
    ));
    // The inner algorithm must be allowed, the inner signature must verify.
    let v4 = Validation::new(&[Algorithm::RS256]).unwrap();
    assert!(matches!(
        jwe::decrypt_then_verify(token.as_bytes(), &recipient, &p, &verifier, &v4),
        Err(Error::AlgNotAllowed(_))
    ));
    let other = Key::from_pem(&keys_dir("ecp384.spki.pem")).unwrap();
    let v5 = Validation::new(&[Algorithm::ES256]).unwrap();
    assert!(jwe::decrypt_then_verify(token.as_bytes(), &recipient, &p, &other, &v5).is_err());
    // A JWE without `cty: JWT`, or whose content is not a JWS, is refused.
    let plain = jwe::encrypt(&recipient_pub, Alg::RsaOaep256, Enc::A256Gcm, claims, None, false).unwrap();
    assert!(matches!(
        jwe::decrypt_then_verify(plain.as_bytes(), &recipient, &p, &verifier, &v),
        Err(Error::HeaderInvalid(_))
    ));
    let inner_jwe = jwe::encrypt(&recipient_pub, Alg::RsaOaep256, Enc::A256Gcm, claims, None, false).unwrap();
    let double = jwe::encrypt(
        &recipient_pub,
        Alg::RsaOaep256,
        Enc::A256Gcm,
        inner_jwe.as_bytes(),
        Some(br#"{"cty":"JWT"}"#),
        false,
    )
    .unwrap();
    assert!(matches!(
        jwe::decrypt_then_verify(double.as_bytes(), &recipient, &p, &verifier, &v),
        Err(Error::TokenMalformed(_))
    ));
}

#[test]
fn size_limit_applies_before_parsing() {
    let key = oct(16);
    let big = "a".repeat(128 * 1024 + 1);
    assert!(matches!(jwe::decrypt(big.as_bytes(), &key, &all_policy()), Err(Error::TokenTooLarge(_))));
}

/// An encrypted, unsigned JWT: the claims are checked, and only shared-key management
/// is accepted (under a public key anyone could make one).
#[test]
fn encrypted_only_jwts_check_claims_and_need_a_shared_key() {
    let mut validation = Validation::new(&[Algorithm::HS256]).unwrap();
    validation.add_issuer("https://issuer.example");
    validation.set_now(1_700_000_000);
    let claims = |exp: i64| json!({"iss": "https://issuer.example", "sub": "alice", "exp": exp}).to_string();
    let key = oct(32);
    let policy = all_policy();

    let token = jwe::encrypt(&key, Alg::A256Kw, Enc::A256Gcm, claims(1_800_000_000).as_bytes(), None, false).unwrap();
    let d = jwe::decrypt_claims(token.as_bytes(), &key, &policy, &validation).unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&d.plaintext).unwrap()["sub"], "alice");

    let expired = jwe::encrypt(&key, Alg::A256Kw, Enc::A256Gcm, claims(1_600_000_000).as_bytes(), None, false).unwrap();
    assert!(matches!(jwe::decrypt_claims(expired.as_bytes(), &key, &policy, &validation), Err(Error::Expired(_))));

    let wrong_iss = json!({"iss": "https://evil.example", "exp": 1_800_000_000}).to_string();
    let wrong = jwe::encrypt(&key, Alg::Dir, Enc::A256Gcm, wrong_iss.as_bytes(), None, false).unwrap();
    assert!(matches!(jwe::decrypt_claims(wrong.as_bytes(), &key, &policy, &validation), Err(Error::IssuerMismatch(_))));

    let not_json = jwe::encrypt(&key, Alg::A256Kw, Enc::A256Gcm, b"hello", None, false).unwrap();
    assert!(jwe::decrypt_claims(not_json.as_bytes(), &key, &policy, &validation).is_err());

    let nested =
        jwe::encrypt(&key, Alg::A256Kw, Enc::A256Gcm, b"e30.e30.sig", Some(br#"{"cty":"JWT"}"#), false).unwrap();
    assert!(matches!(
        jwe::decrypt_claims(nested.as_bytes(), &key, &policy, &validation),
        Err(Error::HeaderInvalid(m)) if m.contains("nested")
    ));

    let (private, public) = key_pairs(Alg::RsaOaep256, Enc::A256Gcm).remove(0);
    let public_only =
        jwe::encrypt(&public, Alg::RsaOaep256, Enc::A256Gcm, claims(1_800_000_000).as_bytes(), None, false).unwrap();
    assert!(matches!(
        jwe::decrypt_claims(public_only.as_bytes(), &private, &policy, &validation),
        Err(Error::AlgInsecure(m)) if m.contains("public key")
    ));

    // A GCM key wrap authenticates as a shared key does; a PBES2 password does not.
    let gcm_kw =
        jwe::encrypt(&key, Alg::A256GcmKw, Enc::A256Gcm, claims(1_800_000_000).as_bytes(), None, false).unwrap();
    assert!(jwe::decrypt_claims(gcm_kw.as_bytes(), &key, &policy, &validation).is_ok());
    let password = oct(16);
    let pbes2 =
        jwe::encrypt(&password, Alg::Pbes2Hs256A128Kw, Enc::A256Gcm, claims(1_800_000_000).as_bytes(), None, false)
            .unwrap();
    assert!(matches!(
        jwe::decrypt_claims(pbes2.as_bytes(), &password, &policy, &validation),
        Err(Error::AlgInsecure(m)) if m.contains("guessed offline")
    ));
}

/// The sender's `p2c` has the default decrypter's cap too: jwtkit does not make tokens
/// that it (or jose) would refuse by default.
#[test]
fn pbes2_sender_count_is_capped() {
    let password = oct(16);
    let encrypt =
        |header: &[u8]| jwe::encrypt(&password, Alg::Pbes2Hs256A128Kw, Enc::A128Gcm, b"x", Some(header), false);
    assert!(encrypt(br#"{"p2c":10000}"#).is_ok());
    assert!(matches!(encrypt(br#"{"p2c":10001}"#), Err(Error::P2cLimit(_))));
    assert!(matches!(encrypt(br#"{"p2c":999}"#), Err(Error::HeaderInvalid(_))));
}
