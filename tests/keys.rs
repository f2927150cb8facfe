//! Every key format the core reads, and the key/algorithm binding, with sign and verify
//! round trips for all 13 algorithms (through the Rust core; the C tests repeat the
//! essentials through the ABI).

use jwtkit::{jws, jwt, Algorithm, Error, Key, Validation};

fn file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn pem(name: &str) -> Key {
    Key::from_pem(&file(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn der(name: &str) -> Key {
    Key::from_der(&file(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn all_algs() -> Validation {
    Validation::new(&Algorithm::ALL).unwrap()
}

fn round_trip(signer: &Key, verifier: &Key, alg: Algorithm) {
    let token = jwt::sign(signer, alg, br#"{"sub":"x","n":1}"#, None).unwrap();
    let ok = jwt::verify(token.as_bytes(), verifier, &all_algs()).unwrap_or_else(|e| panic!("{}: {e}", alg.name()));
    assert_eq!(ok.claims_json, br#"{"sub":"x","n":1}"#);
    let mut tampered = token.into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    assert!(jwt::verify(&tampered, verifier, &all_algs()).is_err(), "{} tampered", alg.name());
}

#[test]
fn every_algorithm_signs_and_verifies_with_every_format() {
    use Algorithm::*;
    let secret = Key::from_secret(&[7u8; 64]).unwrap();
    for alg in [HS256, HS384, HS512] {
        round_trip(&secret, &secret, alg);
    }
    let rsa = pem("rsa2048.pkcs8.pem");
    for alg in [RS256, RS384, RS512, PS256, PS384, PS512] {
        round_trip(&rsa, &rsa, alg);
        for public in ["rsa2048.spki.pem", "rsa2048.pkcs1pub.pem", "rsa2048.cert.pem", "rsa2048.spki.crlf.pem"] {
            round_trip(&rsa, &pem(public), alg);
        }
        for public in ["rsa2048.spki.der", "rsa2048.pkcs1pub.der", "rsa2048.cert.der"] {
            round_trip(&rsa, &der(public), alg);
        }
        round_trip(&pem("rsa2048.pkcs1.pem"), &rsa, alg);
        round_trip(&der("rsa2048.pkcs8.der"), &rsa, alg);
        round_trip(&der("rsa2048.pkcs1.der"), &rsa, alg);
    }
    for (alg, name) in [(ES256, "ecp256"), (ES384, "ecp384"), (ES512, "ecp521")] {
        let private = pem(&format!("{name}.pkcs8.pem"));
        for other in ["sec1.pem", "sec1.der", "pkcs8.der"] {
            round_trip(
                &private,
                &Key::from_pem(&file(&format!("{name}.{other}")))
                    .or_else(|_| Key::from_der(&file(&format!("{name}.{other}"))))
                    .unwrap(),
                alg,
            );
        }
        round_trip(&pem(&format!("{name}.sec1.pem")), &pem(&format!("{name}.spki.pem")), alg);
        round_trip(&der(&format!("{name}.sec1.der")), &der(&format!("{name}.spki.der")), alg);
    }
    round_trip(&pem("ecp256.with-params.pem"), &pem("ecp256.cert.pem"), ES256);
    let ed = pem("ed25519.pkcs8.pem");
    round_trip(&ed, &pem("ed25519.spki.pem"), EdDSA);
    round_trip(&der("ed25519.pkcs8.der"), &der("ed25519.spki.der"), EdDSA);
}

#[test]
fn ecdsa_signatures_are_raw_fixed_length() {
    for (alg, name, len) in
        [(Algorithm::ES256, "ecp256", 64), (Algorithm::ES384, "ecp384", 96), (Algorithm::ES512, "ecp521", 132)]
    {
        let sig = pem(&format!("{name}.pkcs8.pem")).sign_bytes(alg, b"msg").unwrap();
        assert_eq!(sig.len(), len, "{}", alg.name());
    }
}

#[test]
fn keys_are_bound_to_their_algorithms() {
    use Algorithm::*;
    let rsa = pem("rsa2048.spki.pem");
    let p256 = pem("ecp256.spki.pem");
    let p384 = pem("ecp384.pkcs8.pem");
    let ed = pem("ed25519.spki.pem");
    let secret = Key::from_secret(&[1u8; 64]).unwrap();
    let cases: [(&Key, &[Algorithm]); 5] = [
        (&rsa, &[HS256, ES256, EdDSA]),
        (&p256, &[HS256, RS256, ES384, ES512, EdDSA]),
        (&p384, &[ES256, ES512, PS256]),
        (&ed, &[ES256, HS512]),
        (&secret, &[RS256, ES256, EdDSA]),
    ];
    for (key, wrong) in cases {
        for alg in wrong {
            assert!(
                matches!(key.verify_bytes(*alg, b"m", &[0u8; 64]), Err(Error::KeyAlgMismatch(_))),
                "{}",
                alg.name()
            );
        }
    }
    assert!(matches!(rsa.sign_bytes(RS256, b"m"), Err(Error::KeyCannotSign(_))));
    assert!(matches!(ed.sign_bytes(EdDSA, b"m"), Err(Error::KeyCannotSign(_))));
}

#[test]
fn hs256_token_signed_with_the_public_key_text_is_refused() {
    // The classic confusion attack: the attacker uses the server's public key bytes as
    // an HMAC secret. jwtkit refuses them as a secret, and the verifier's key is an RSA
    // key, so an HS256 token (here MACed with another secret) never reaches HMAC.
    let public_pem = file("rsa2048.spki.pem");
    assert!(matches!(Key::from_secret(&public_pem), Err(Error::KeyNotSecret(_))));
    let other = Key::from_secret(b"a secret of at least 32 bytes for HS256!").unwrap();
    let forged = jwt::sign(&other, Algorithm::HS256, b"{}", None).unwrap();
    let verifier = Key::from_pem(&public_pem).unwrap();
    let err = jwt::verify(forged.as_bytes(), &verifier, &all_algs()).unwrap_err();
    assert!(matches!(err, Error::KeyAlgMismatch(_)), "{err}");
}

#[test]
fn weak_and_unsupported_keys_are_refused_with_their_reason() {
    assert!(matches!(Key::from_pem(&file("rsa1024.pkcs8.pem")), Err(Error::KeyTooWeak(_))));
    assert!(matches!(Key::from_der(&file("rsa1024.pkcs8.der")), Err(Error::KeyTooWeak(_))));
    assert!(matches!(Key::from_pem(&file("secp256k1.sec1.pem")), Err(Error::KeyUnsupported(_))));
    assert!(matches!(Key::from_pem(&file("x25519.pkcs8.pem")), Err(Error::KeyUnsupported(_))));
    assert!(matches!(
        Key::from_pem(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAA==\n-----END ENCRYPTED PRIVATE KEY-----\n"),
        Err(Error::KeyUnsupported(_))
    ));
    assert!(matches!(Key::from_pem(b"not a key"), Err(Error::KeyInvalid(_))));
    assert!(matches!(Key::from_der(b"\x30\x03\x02\x01\x00"), Err(Error::KeyInvalid(_))));
    assert!(matches!(Key::from_secret(b""), Err(Error::KeyTooWeak(_))));
    let mut truncated = file("rsa2048.spki.der");
    truncated.truncate(100);
    assert!(matches!(Key::from_der(&truncated), Err(Error::KeyInvalid(_))));
}

#[test]
fn short_hmac_secrets_need_the_legacy_opt_in() {
    let short = Key::from_secret(b"secret").unwrap();
    assert!(matches!(short.sign_bytes(Algorithm::HS256, b"m"), Err(Error::KeyTooWeak(_))));
    let exactly = Key::from_secret(&[1u8; 32]).unwrap();
    assert!(exactly.sign_bytes(Algorithm::HS256, b"m").is_ok());
    assert!(matches!(exactly.sign_bytes(Algorithm::HS384, b"m"), Err(Error::KeyTooWeak(_))));
    let legacy = Key::from_secret_legacy(b"secret\0with NUL").unwrap();
    let token = jwt::sign(&legacy, Algorithm::HS256, b"{}", None).unwrap();
    assert!(jwt::verify(token.as_bytes(), &legacy, &all_algs()).is_ok());
}

#[test]
fn jwk_restrictions_are_enforced() {
    let k = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
    let jwk = |extra: &str| Key::from_jwk(format!(r#"{{"kty":"oct","k":"{k}"{extra}}}"#).as_bytes()).unwrap();
    let hs384 = jwk(r#","alg":"HS384","kid":"k1""#);
    assert!(matches!(hs384.sign_bytes(Algorithm::HS256, b"m"), Err(Error::KeyUsage(_))));
    let token = jws::sign(&hs384, Algorithm::HS384, b"{}", None, Some("JWT")).unwrap();
    let verified = jws::verify(token.as_bytes(), &hs384, &all_algs()).unwrap();
    assert_eq!(verified.header.kid.as_deref(), Some("k1"));
    assert!(matches!(jwk(r#","use":"enc""#).sign_bytes(Algorithm::HS256, b"m"), Err(Error::KeyUsage(_))));
    let verify_only = jwk(r#","key_ops":["verify"]"#);
    assert!(matches!(verify_only.sign_bytes(Algorithm::HS256, b"m"), Err(Error::KeyUsage(_))));
    assert!(matches!(verify_only.verify_bytes(Algorithm::HS256, b"m", &[0; 32]), Err(Error::SignatureInvalid(_))));
    for bad in [
        r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}"#,
        r#"{"kty":"RSA","n":"AQAB"}"#,
        r#"{"kty":"oct"}"#,
        r#"{"k":"AA"}"#,
        r#"{"kty":"oct","k":"A=="}"#,
    ] {
        assert!(matches!(Key::from_jwk(bad.as_bytes()), Err(Error::KeyInvalid(_))), "{bad}");
    }
    // A point that is not on P-256.
    let off_curve = r#"{"kty":"EC","crv":"P-256","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE"}"#;
    assert!(matches!(Key::from_jwk(off_curve.as_bytes()), Err(Error::KeyInvalid(_))));
    // X25519 is a JWE key kind (src/jwe); a 1-byte `x` is no X25519 key.
    assert!(matches!(Key::from_jwk(br#"{"kty":"OKP","crv":"X25519","x":"AA"}"#), Err(Error::KeyInvalid(_))));
}
