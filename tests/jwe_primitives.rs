//! Wycheproof primitive vectors for what JWE uses (`tests/vectors/wycheproof/jwe_primitives/`),
//! run against the exact code the token paths run (`jwe::primitives`), every case of
//! the JOSE parameters with its label, and the counts asserted:
//! - A128CBC-HS256 / A192CBC-HS384 / A256CBC-HS512 (`enc`), AES-GCM with 96-bit IV and
//!   128-bit tag and 128/192/256-bit keys (`enc` A*GCM, and the AES-GCM key wraps): valid
//!   cases encrypt to `ct`/`tag` and decrypt; invalid cases fail with the one decryption
//!   error;
//! - AES key wrap with 128/192/256-bit KEKs (A*KW, ECDH-ES+A*KW, PBES2-*);
//! - PBKDF2 with HMAC-SHA-256/384/512 (PBES2's derivation);
//! - ECDH on P-256/P-384/P-521 with JWK inputs (ECDH-ES): invalid points are refused
//!   when the peer key is read or when it is used;
//! - X25519 with JWK inputs: low-order points (all-zero secret) are refused;
//! - RSA-OAEP (SHA-1) and RSA-OAEP-256/384/512 with an empty label.

mod common;

use common::{hex, load_json};
use jwtkit::__internals::jwe_primitives::{self as p, OaepHash, Prf};
use jwtkit::jwe::Enc;
use jwtkit::{Error, Key};
use serde_json::Value;

#[derive(Default, Debug, PartialEq, Eq)]
struct Counts {
    valid: usize,
    invalid: usize,
    /// `acceptable` cases, by outcome.
    acceptable_accepted: usize,
    acceptable_rejected: usize,
    /// Cases of parameters JOSE does not use (other key, IV or tag sizes, labels).
    skipped: usize,
}

fn tests(group: &Value) -> &Vec<Value> {
    group["tests"].as_array().unwrap()
}

fn field(t: &Value, name: &str) -> Vec<u8> {
    hex(t[name].as_str().unwrap())
}

fn aead(file: &str, enc_for: impl Fn(u64, u64, u64) -> Option<Enc>) -> Counts {
    let v = load_json(&format!("wycheproof/jwe_primitives/{file}"));
    let mut c = Counts::default();
    for g in v["testGroups"].as_array().unwrap() {
        let sizes = (g["keySize"].as_u64().unwrap(), g["ivSize"].as_u64().unwrap(), g["tagSize"].as_u64().unwrap());
        let Some(enc) = enc_for(sizes.0, sizes.1, sizes.2) else {
            c.skipped += tests(g).len();
            continue;
        };
        for t in tests(g) {
            let id = t["tcId"].as_i64().unwrap();
            let (key, iv, aad, msg, ct, tag) =
                (field(t, "key"), field(t, "iv"), field(t, "aad"), field(t, "msg"), field(t, "ct"), field(t, "tag"));
            let decrypted = p::content_decrypt(enc, &key, &iv, &aad, &ct, &tag);
            match t["result"].as_str().unwrap() {
                "valid" => {
                    assert_eq!(
                        &decrypted.unwrap_or_else(|e| panic!("{file} tcId {id}: {e}"))[..],
                        &msg[..],
                        "{file} tcId {id}"
                    );
                    let (ct2, tag2) = p::content_encrypt(enc, &key, &iv, &aad, &msg).unwrap();
                    assert_eq!((ct2, tag2), (ct, tag), "{file} tcId {id}: encryption");
                    c.valid += 1;
                }
                "invalid" => {
                    let e = decrypted.err().unwrap_or_else(|| panic!("{file} tcId {id} is invalid but decrypted"));
                    assert!(matches!(e, Error::DecryptionFailed(_)), "{file} tcId {id}: {e}");
                    c.invalid += 1;
                }
                other => panic!("{file} tcId {id}: unexpected result {other}"),
            }
        }
    }
    c
}

#[test]
fn cbc_hmac() {
    let a128 = aead("a128cbc_hs256_test.json", |k, iv, tag| {
        (k == 256 && iv == 128 && tag == 128).then_some(Enc::A128CbcHs256)
    });
    assert_eq!(a128, Counts { valid: 67, invalid: 27, ..Default::default() }, "{a128:?}");
    let a256 = aead("a256cbc_hs512_test.json", |k, iv, tag| {
        (k == 512 && iv == 128 && tag == 256).then_some(Enc::A256CbcHs512)
    });
    assert_eq!(a256, Counts { valid: 67, invalid: 27, ..Default::default() }, "{a256:?}");
    let a192 = aead("a192cbc_hs384_test.json", |k, iv, tag| {
        (k == 384 && iv == 128 && tag == 192).then_some(Enc::A192CbcHs384)
    });
    assert_eq!(a192, Counts { valid: 67, invalid: 27, ..Default::default() }, "{a192:?}");
}

#[test]
fn aes_gcm_with_jose_parameters() {
    let c = aead("aes_gcm_test.json", |k, iv, tag| match (k, iv, tag) {
        (128, 96, 128) => Some(Enc::A128Gcm),
        (192, 96, 128) => Some(Enc::A192Gcm),
        (256, 96, 128) => Some(Enc::A256Gcm),
        _ => None,
    });
    assert_eq!(
        c,
        Counts { valid: VALID_GCM, invalid: INVALID_GCM, skipped: SKIPPED_GCM, ..Default::default() },
        "{c:?}"
    );
}

#[test]
fn aes_key_wrap() {
    let v = load_json("wycheproof/jwe_primitives/aes_wrap_test.json");
    let mut c = Counts::default();
    for g in v["testGroups"].as_array().unwrap() {
        if !matches!(g["keySize"].as_u64(), Some(128 | 192 | 256)) {
            c.skipped += tests(g).len();
            continue;
        }
        for t in tests(g) {
            let id = t["tcId"].as_i64().unwrap();
            let (kek, msg, ct) = (field(t, "key"), field(t, "msg"), field(t, "ct"));
            let unwrapped = p::aes_key_unwrap(&kek, &ct);
            match t["result"].as_str().unwrap() {
                "valid" => {
                    assert_eq!(unwrapped.as_deref().map(|v| &v[..]), Some(&msg[..]), "tcId {id}");
                    assert_eq!(p::aes_key_wrap(&kek, &msg).unwrap(), ct, "tcId {id}");
                    c.valid += 1;
                }
                "invalid" => {
                    assert!(unwrapped.is_none(), "tcId {id} is invalid but unwrapped");
                    c.invalid += 1;
                }
                _ => {
                    // ShortKey: an 8-byte key. A CEK is never that short; either outcome is allowed.
                    if unwrapped.is_some() {
                        c.acceptable_accepted += 1
                    } else {
                        c.acceptable_rejected += 1
                    }
                }
            }
        }
    }
    // The ShortKey (8-byte key) cases are refused.
    assert_eq!(
        c,
        Counts { valid: VALID_KW, invalid: INVALID_KW, acceptable_rejected: SHORT_KW, ..Default::default() },
        "{c:?}"
    );
}

fn key_agreement(file: &str) -> Counts {
    let v = load_json(&format!("wycheproof/jwe_primitives/{file}"));
    let mut c = Counts::default();
    for g in v["testGroups"].as_array().unwrap() {
        for t in tests(g) {
            let id = t["tcId"].as_i64().unwrap();
            let private = Key::from_jwk(t["private"].to_string().as_bytes());
            // The peer key goes through the `epk` path: a public JWK, checked on use.
            let mut public = t["public"].clone();
            if let Some(m) = public.as_object_mut() {
                m.remove("kid");
            }
            let z = private.as_ref().map_err(Clone::clone).and_then(|k| p::ecdh_shared_secret(k, &public));
            match (t["result"].as_str().unwrap(), z) {
                ("valid", Ok(z)) => {
                    assert_eq!(&z[..], &field(t, "shared")[..], "{file} tcId {id}");
                    c.valid += 1;
                }
                ("valid", Err(e)) => panic!("{file} tcId {id} is valid: {e}"),
                ("invalid", Ok(_)) => panic!("{file} tcId {id} is invalid but agreed"),
                ("invalid", Err(_)) => c.invalid += 1,
                (_, Ok(z)) => {
                    assert_eq!(&z[..], &field(t, "shared")[..], "{file} tcId {id}");
                    c.acceptable_accepted += 1
                }
                (_, Err(e)) => {
                    // Only points that give an all-zero secret may be refused.
                    assert!(field(t, "shared").iter().all(|b| *b == 0), "{file} tcId {id}: {e}");
                    c.acceptable_rejected += 1
                }
            }
        }
    }
    c
}

#[test]
fn ecdh_nist_curves() {
    let p256 = key_agreement("ecdh_secp256r1_webcrypto_test.json");
    assert_eq!(p256, Counts { valid: 330, invalid: 23, ..Default::default() }, "{p256:?}");
    let p384 = key_agreement("ecdh_secp384r1_webcrypto_test.json");
    assert_eq!(p384, Counts { valid: 771, invalid: 23, ..Default::default() }, "{p384:?}");
    let p521 = key_agreement("ecdh_secp521r1_webcrypto_test.json");
    assert_eq!(p521, Counts { valid: 632, invalid: 23, ..Default::default() }, "{p521:?}");
}

#[test]
fn x25519() {
    let c = key_agreement("x25519_jwk_test.json");
    // acceptable: twist and non-canonical points agree as labelled; the 31 low-order
    // points (all-zero secret) are refused.
    assert_eq!(
        c,
        Counts { valid: 264, invalid: 13, acceptable_accepted: 223, acceptable_rejected: 31, skipped: 0 },
        "{c:?}"
    );
}

fn oaep(file: &str, hash: OaepHash) -> Counts {
    let v = load_json(&format!("wycheproof/jwe_primitives/{file}"));
    let mut c = Counts::default();
    for g in v["testGroups"].as_array().unwrap() {
        // The SHA-1/SHA-256 files give a JWK (whose `alg` is dropped: the test reaches the
        // primitive directly), the SHA-384/SHA-512 files only PKCS#8.
        let key = match g["privateKeyJwk"].as_object() {
            Some(jwk) => {
                let mut jwk = jwk.clone();
                jwk.remove("alg");
                Key::from_jwk(Value::Object(jwk).to_string().as_bytes())
            }
            None => Key::from_der(&hex(g["privateKeyPkcs8"].as_str().unwrap())),
        }
        .unwrap_or_else(|e| panic!("{file}: {e}"));
        for t in tests(g) {
            let id = t["tcId"].as_i64().unwrap();
            if !t["label"].as_str().unwrap().is_empty() {
                c.skipped += 1;
                continue;
            }
            let out = p::rsa_oaep_decrypt(&key, hash, &field(t, "ct")).unwrap();
            match t["result"].as_str().unwrap() {
                "valid" => {
                    assert_eq!(out.as_deref().map(|v| &v[..]), Some(&field(t, "msg")[..]), "{file} tcId {id}");
                    c.valid += 1;
                }
                "invalid" => {
                    assert!(out.is_none(), "{file} tcId {id} is invalid but decrypted");
                    c.invalid += 1;
                }
                _ => {
                    if out.is_some() {
                        c.acceptable_accepted += 1
                    } else {
                        c.acceptable_rejected += 1
                    }
                }
            }
        }
    }
    c
}

#[test]
fn rsa_oaep() {
    let sha256 = oaep("rsa_oaep_2048_sha256_mgf1sha256_test.json", OaepHash::Sha256);
    assert_eq!(sha256, Counts { valid: 10, invalid: 19, skipped: 8, ..Default::default() }, "{sha256:?}");
    let sha1 = oaep("rsa_oaep_2048_sha1_mgf1sha1_test.json", OaepHash::Sha1);
    assert_eq!(sha1, Counts { valid: 10, invalid: 19, skipped: 7, ..Default::default() }, "{sha1:?}");
    let sha384 = oaep("rsa_oaep_2048_sha384_mgf1sha384_test.json", OaepHash::Sha384);
    assert_eq!(
        sha384,
        Counts { valid: OAEP384.0, invalid: OAEP384.1, skipped: OAEP384.2, ..Default::default() },
        "{sha384:?}"
    );
    let sha512 = oaep("rsa_oaep_2048_sha512_mgf1sha512_test.json", OaepHash::Sha512);
    assert_eq!(
        sha512,
        Counts { valid: OAEP512.0, invalid: OAEP512.1, skipped: OAEP512.2, ..Default::default() },
        "{sha512:?}"
    );
}

/// PBKDF2 as PBES2 runs it (the JOSE salt prefix and the `p2c` bounds are the token
/// path's, tested in `tests/attacks.rs`): every case derives `dk`. All are `valid`.
fn pbkdf2(file: &str, prf: Prf) -> Counts {
    let v = load_json(&format!("wycheproof/jwe_primitives/{file}"));
    let mut c = Counts::default();
    for g in v["testGroups"].as_array().unwrap() {
        for t in tests(g) {
            let id = t["tcId"].as_i64().unwrap();
            let iterations = t["iterationCount"].as_u64().unwrap() as u32;
            let mut dk = vec![0u8; t["dkLen"].as_u64().unwrap() as usize];
            p::pbkdf2(prf, &field(t, "password"), &field(t, "salt"), iterations, &mut dk).unwrap();
            assert_eq!(t["result"], "valid", "{file} tcId {id}");
            assert_eq!(dk, field(t, "dk"), "{file} tcId {id}");
            c.valid += 1;
        }
    }
    c
}

#[test]
fn pbkdf2_hmac_sha2() {
    for (file, prf) in [
        ("pbkdf2_hmacsha256_test.json", Prf::HmacSha256),
        ("pbkdf2_hmacsha384_test.json", Prf::HmacSha384),
        ("pbkdf2_hmacsha512_test.json", Prf::HmacSha512),
    ] {
        let c = pbkdf2(file, prf);
        let n = if prf == Prf::HmacSha256 { 60 } else { 58 };
        assert_eq!(c, Counts { valid: n, ..Default::default() }, "{file}: {c:?}");
    }
}

// The counts, for the README's table.
const VALID_GCM: usize = 116;
const INVALID_GCM: usize = 81;
const SKIPPED_GCM: usize = 119;
const VALID_KW: usize = 36;
const INVALID_KW: usize = 126;
const SHORT_KW: usize = 3;
const OAEP384: (usize, usize, usize) = (10, 18, 6);
const OAEP512: (usize, usize, usize) = (10, 19, 4);
