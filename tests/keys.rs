//! Every key format the core reads, and the key/algorithm binding, with sign and verify
//! round trips for all 14 algorithms (through the Rust core; the C tests repeat the
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
    for (alg, name) in [(ES256, "ecp256"), (ES384, "ecp384"), (ES512, "ecp521"), (ES256K, "secp256k1")] {
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
    for (alg, name, len) in [
        (Algorithm::ES256, "ecp256", 64),
        (Algorithm::ES384, "ecp384", 96),
        (Algorithm::ES512, "ecp521", 132),
        (Algorithm::ES256K, "secp256k1", 64),
    ] {
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
    let k1 = pem("secp256k1.spki.pem");
    let k1_private = pem("secp256k1.pkcs8.pem");
    let secret = Key::from_secret(&[1u8; 64]).unwrap();
    let cases: [(&Key, &[Algorithm]); 7] = [
        (&rsa, &[HS256, ES256, EdDSA, ES256K]),
        (&p256, &[HS256, RS256, ES384, ES512, EdDSA, ES256K]),
        (&p384, &[ES256, ES512, PS256, ES256K]),
        (&ed, &[ES256, HS512, ES256K]),
        (&k1, &[ES256, ES384, ES512, HS256, RS256, EdDSA]),
        (&k1_private, &[ES256, ES384, ES512, HS256, RS256, EdDSA]),
        (&secret, &[RS256, ES256, EdDSA, ES256K]),
    ];
    for (key, wrong) in cases {
        for alg in wrong {
            assert!(
                matches!(key.verify_bytes(*alg, b"m", &[0u8; 64]), Err(Error::KeyAlgMismatch(_))),
                "{}",
                alg.name()
            );
            assert!(!key.can_verify(*alg), "{}", alg.name());
        }
    }
    // `can_verify` answers what verification would check: family and curve, JWK `alg`.
    let served: Vec<Algorithm> = Algorithm::ALL.into_iter().filter(|a| k1.can_verify(*a)).collect();
    assert_eq!(served, [ES256K]);
    assert_eq!(Algorithm::ALL.into_iter().filter(|a| rsa.can_verify(*a)).count(), 6);
    let generated = Key::generate(ES256K).unwrap();
    assert!(generated.can_verify(ES256K) && !generated.can_verify(ES256));
    let rs256_only =
        Key::from_jwk(rsa.to_public_jwk().unwrap().replacen('{', r#"{"alg":"RS256","#, 1).as_bytes()).unwrap();
    assert!(rs256_only.can_verify(RS256) && !rs256_only.can_verify(PS256));
    assert!(matches!(rsa.sign_bytes(RS256, b"m"), Err(Error::KeyCannotSign(_))));
    assert!(matches!(ed.sign_bytes(EdDSA, b"m"), Err(Error::KeyCannotSign(_))));
    assert!(matches!(k1.sign_bytes(ES256K, b"m"), Err(Error::KeyCannotSign(_))));
    for (alg, wrong_key) in [(ES256, &k1_private), (ES256K, &pem("ecp256.pkcs8.pem"))] {
        assert!(matches!(wrong_key.sign_bytes(alg, b"m"), Err(Error::KeyAlgMismatch(_))), "{}", alg.name());
    }
}

/// secp256k1 and P-256 are both 256-bit curves with 64-byte signatures: neither key serves
/// the other's algorithm, whatever the token says.
#[test]
fn es256k_and_es256_keys_never_stand_in_for_each_other() {
    let k1 = pem("secp256k1.pkcs8.pem");
    let p256 = pem("ecp256.pkcs8.pem");
    let es256k = jwt::sign(&k1, Algorithm::ES256K, br#"{"sub":"x"}"#, None).unwrap();
    let es256 = jwt::sign(&p256, Algorithm::ES256, br#"{"sub":"x"}"#, None).unwrap();
    jwt::verify(es256k.as_bytes(), &pem("secp256k1.spki.pem"), &all_algs()).unwrap();
    for (token, key) in [(&es256k, &pem("ecp256.spki.pem")), (&es256, &pem("secp256k1.spki.pem"))] {
        let err = jwt::verify(token.as_bytes(), key, &all_algs()).unwrap_err();
        assert!(matches!(err, Error::KeyAlgMismatch(_)), "{err}");
    }
    // The ES256 token relabelled ES256K (same signature bytes), against the P-256 key.
    let (_, rest) = es256.split_once('.').unwrap();
    let relabelled = format!("{}.{rest}", jwtkit_b64(br#"{"alg":"ES256K","typ":"JWT"}"#));
    let err = jwt::verify(relabelled.as_bytes(), &pem("ecp256.spki.pem"), &all_algs()).unwrap_err();
    assert!(matches!(err, Error::KeyAlgMismatch(_)), "{err}");
    // Not allowed by the policy: refused before any key is looked at.
    let es256_only = Validation::new(&[Algorithm::ES256]).unwrap();
    let err = jwt::verify(es256k.as_bytes(), &pem("secp256k1.spki.pem"), &es256_only).unwrap_err();
    assert!(matches!(err, Error::AlgNotAllowed(_)), "{err}");
}

fn jwtkit_b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// ES256K keys as JWKs (RFC 8812 §3.1: `kty` EC, `crv` secp256k1): the public JWK file,
/// the export of each half and its import give the same key, and the same thumbprint as
/// the SPKI.
#[test]
fn es256k_keys_round_trip_through_jwk_pem_and_der() {
    let private = pem("secp256k1.pkcs8.pem");
    let spki = pem("secp256k1.spki.pem");
    let jwk_file = Key::from_jwk(&file("secp256k1.public.jwk.json")).unwrap();
    let thumbprint = spki.thumbprint().unwrap();
    assert_eq!(jwk_file.thumbprint().unwrap(), thumbprint);
    assert_eq!(private.thumbprint().unwrap(), thumbprint);
    let public_jwk = private.to_public_jwk().unwrap();
    assert!(public_jwk.contains(r#""crv":"secp256k1""#) && public_jwk.contains(r#""kty":"EC""#), "{public_jwk}");
    assert!(!public_jwk.contains(r#""d""#));
    let private_jwk = private.to_private_jwk().unwrap();
    let again = Key::from_jwk(private_jwk.as_bytes()).unwrap();
    assert!(again.is_private());
    assert_eq!(again.family(), jwtkit::Family::EcSecp256k1);
    assert_eq!(again.to_private_der().unwrap(), private.to_private_der().unwrap());
    assert_eq!(spki.to_public_der().unwrap(), file("secp256k1.spki.der"));
    assert_eq!(Key::from_pem(private.to_private_pem().unwrap().as_bytes()).unwrap().thumbprint().unwrap(), thumbprint);
    // Each one verifies what the others sign.
    for signer in [&private, &again, &pem("secp256k1.sec1.pem"), &der("secp256k1.pkcs8.der")] {
        for verifier in [&spki, &jwk_file, &Key::from_jwk(public_jwk.as_bytes()).unwrap(), &der("secp256k1.spki.der")] {
            round_trip(signer, verifier, Algorithm::ES256K);
        }
    }
    // A generated key, restricted to ES256K.
    let generated = Key::generate(Algorithm::ES256K).unwrap();
    assert_eq!(generated.alg_restriction(), Some("ES256K"));
    assert!(generated.to_public_jwk().unwrap().contains(r#""alg":"ES256K""#));
    round_trip(&generated, &Key::from_jwk(generated.to_public_jwk().unwrap().as_bytes()).unwrap(), Algorithm::ES256K);
    assert!(matches!(generated.sign_bytes(Algorithm::ES256, b"m"), Err(Error::KeyAlgMismatch(_))));
}

/// A secp256k1 point must be on secp256k1 when the key is made, in every format.
#[test]
fn invalid_secp256k1_points_are_refused_at_key_creation() {
    let jwk: serde_json::Value = serde_json::from_slice(&file("secp256k1.public.jwk.json")).unwrap();
    let with = |x: &str, y: &str| format!(r#"{{"kty":"EC","crv":"secp256k1","x":"{x}","y":"{y}"}}"#);
    let (x, y) = (jwk["x"].as_str().unwrap(), jwk["y"].as_str().unwrap());
    Key::from_jwk(with(x, y).as_bytes()).unwrap();
    // y + 1 is not on the curve; (0, 0) neither; a P-256 point is not a secp256k1 point.
    let mut y_bytes = jwtkit_unb64(y);
    *y_bytes.last_mut().unwrap() ^= 1;
    let p256: serde_json::Value = serde_json::from_str(&pem("ecp256.spki.pem").to_public_jwk().unwrap()).unwrap();
    let zero = jwtkit_b64(&[0u8; 32]);
    for (what, text) in [
        ("y changed", with(x, &jwtkit_b64(&y_bytes))),
        ("(0, 0)", with(&zero, &zero)),
        ("a P-256 point", with(p256["x"].as_str().unwrap(), p256["y"].as_str().unwrap())),
        ("x of 31 bytes", with(&jwtkit_b64(&[1u8; 31]), y)),
    ] {
        match Key::from_jwk(text.as_bytes()) {
            Err(Error::KeyInvalid(m)) => assert!(m.contains("secp256k1"), "{what}: {m}"),
            other => panic!("{what}: {:?}", other.map(|_| "a key")),
        }
    }
    // The same changed point in an SPKI, and a private key whose public point is not its own.
    let mut spki = file("secp256k1.spki.der");
    *spki.last_mut().unwrap() ^= 1;
    assert!(matches!(Key::from_der(&spki), Err(Error::KeyInvalid(_))));
    let private: serde_json::Value =
        serde_json::from_str(&pem("secp256k1.pkcs8.pem").to_private_jwk().unwrap()).unwrap();
    let other = Key::generate(Algorithm::ES256K).unwrap();
    let other: serde_json::Value = serde_json::from_str(&other.to_public_jwk().unwrap()).unwrap();
    let mismatched = format!(
        r#"{{"kty":"EC","crv":"secp256k1","x":"{}","y":"{}","d":"{}"}}"#,
        other["x"].as_str().unwrap(),
        other["y"].as_str().unwrap(),
        private["d"].as_str().unwrap()
    );
    assert!(matches!(Key::from_jwk(mismatched.as_bytes()), Err(Error::KeyInvalid(_))));
    // A scalar of 0 or of the group order n is no private key.
    let n = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141";
    let n: Vec<u8> = (0..32).map(|i| u8::from_str_radix(&n[2 * i..2 * i + 2], 16).unwrap()).collect();
    for d in [vec![0u8; 32], n] {
        let bad = format!(r#"{{"kty":"EC","crv":"secp256k1","x":"{x}","y":"{y}","d":"{}"}}"#, jwtkit_b64(&d));
        assert!(matches!(Key::from_jwk(bad.as_bytes()), Err(Error::KeyInvalid(_))));
    }
}

fn jwtkit_unb64(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).unwrap()
}

/// Ed448 is not implemented (no well-kept, released Rust crate): every way of naming it
/// says so, with its name.
#[test]
fn ed448_is_refused_as_not_supported_and_named() {
    let refused =
        |name: &str| std::fs::read(format!("{}/tests/keys/refused/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    for (what, result) in [
        ("PKCS#8 PEM", Key::from_pem(&refused("ed448.pkcs8.pem"))),
        ("PKCS#8 DER", Key::from_der(&refused("ed448.pkcs8.der"))),
        ("SPKI PEM", Key::from_pem(&refused("ed448.spki.pem"))),
        ("SPKI DER", Key::from_der(&refused("ed448.spki.der"))),
        ("JWK", Key::from_jwk(&refused("ed448.public.jwk.json"))),
    ] {
        match result {
            Err(Error::KeyUnsupported(m)) => assert!(m.contains("Ed448") && m.contains("not supported"), "{what}: {m}"),
            other => panic!("{what}: {:?}", other.map(|_| "a key")),
        }
    }
    match Algorithm::from_name("Ed448") {
        Err(Error::AlgUnsupported(m)) => assert!(m.contains("Ed448") && m.contains("not supported"), "{m}"),
        other => panic!("{other:?}"),
    }
    // A token that says `alg: Ed448` is refused as such, whatever the key.
    let token = format!("{}.e30.AAAA", jwtkit_b64(br#"{"alg":"Ed448"}"#));
    match jwt::verify(token.as_bytes(), &pem("ed25519.spki.pem"), &all_algs()) {
        Err(Error::AlgUnsupported(m)) => assert!(m.contains("Ed448"), "{m}"),
        other => panic!("{:?}", other.map(|_| "verified")),
    }
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
    // secp256k1 by its parameters rather than its name: the curve is not recognised.
    let explicit = format!("{}/tests/keys/refused/secp256k1-explicit.spki.pem", env!("CARGO_MANIFEST_DIR"));
    assert!(matches!(Key::from_pem(&std::fs::read(explicit).unwrap()), Err(Error::KeyInvalid(_))));
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

/// A private key whose embedded public key is another key's is refused, whichever curve
/// and format (the backend checks the embedded point against the scalar; nothing trusts
/// it unchecked); the same key with its own public key loads and signs.
#[test]
fn embedded_public_keys_that_do_not_match_are_refused() {
    for (name, alg) in [
        ("ecp256.pkcs8.pem", Algorithm::ES256),
        ("ecp256.sec1.pem", Algorithm::ES256),
        ("ecp521.pkcs8.pem", Algorithm::ES512),
        ("ecp521.sec1.pem", Algorithm::ES512),
        ("secp256k1.pkcs8.pem", Algorithm::ES256K),
        ("secp256k1.sec1.pem", Algorithm::ES256K),
        ("ed25519.pkcs8v2.pem", Algorithm::EdDSA),
    ] {
        let mismatched = file(&format!("mismatched/{name}"));
        match Key::from_pem(&mismatched) {
            Err(Error::KeyInvalid(msg)) => {
                assert!(msg.contains("does not match") || msg.contains("Inconsistent"), "{name}: {msg}")
            }
            Err(other) => panic!("{name}: refused as {other:?}, not KeyInvalid"),
            Ok(_) => panic!("{name}: a private key with another key's public key was accepted"),
        }
        // The file it was made from (same private half, its own public key) loads.
        let own = pem(name);
        round_trip(&own, &own, alg);
    }
    // PKCS#8 v2 with the matching public key gives the same key as v1.
    let v2 = pem("ed25519.pkcs8v2.pem");
    assert_eq!(v2.to_private_der().unwrap(), pem("ed25519.pkcs8.pem").to_private_der().unwrap());
}

/// A private EC key in every format, with and without its public point (JWK `d` always
/// comes with `x`/`y`; SEC1 may omit it): each loads to the same key on each curve.
#[test]
fn ec_private_keys_load_with_or_without_their_public_point() {
    for (name, alg) in [
        ("ecp256", Algorithm::ES256),
        ("ecp384", Algorithm::ES384),
        ("ecp521", Algorithm::ES512),
        ("secp256k1", Algorithm::ES256K),
    ] {
        let full = pem(&format!("{name}.pkcs8.pem"));
        let spki = pem(&format!("{name}.spki.pem"));
        let der = full.to_private_der().unwrap();
        // Strip the [1] public key from the inner SEC1 ECPrivateKey: the point is derived.
        let sec1 = sec1_without_public(&der);
        let bare = Key::from_der(&sec1).unwrap_or_else(|e| panic!("{name} without its point: {e}"));
        assert_eq!(bare.to_private_der().unwrap(), der, "{name}");
        round_trip(&bare, &spki, alg);
    }
}

/// A SEC1 ECPrivateKey (version, scalar, curve) built from a canonical PKCS#8 EC key,
/// without the optional public key.
fn sec1_without_public(pkcs8: &[u8]) -> Vec<u8> {
    // The canonical form: SEQ { 0, SEQ { ecPublicKey, curve }, OCTET STRING { SEC1 } }.
    fn tlv(bytes: &[u8]) -> (u8, &[u8], &[u8]) {
        let (len, head) = match bytes[1] {
            n if n < 0x80 => (n as usize, 2),
            0x81 => (bytes[2] as usize, 3),
            _ => (((bytes[2] as usize) << 8) | bytes[3] as usize, 4),
        };
        (bytes[0], &bytes[head..head + len], &bytes[head + len..])
    }
    fn encode(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        if body.len() < 0x80 {
            out.push(body.len() as u8);
        } else {
            out.extend([0x81, body.len() as u8]);
        }
        out.extend(body);
        out
    }
    let (_, outer, _) = tlv(pkcs8);
    let (_, _, rest) = tlv(outer); // version
    let (_, algorithm, rest) = tlv(rest);
    let (_, _, curve) = tlv(algorithm); // ecPublicKey, then the curve OID
    let (_, sec1, _) = tlv(rest);
    let (_, fields, _) = tlv(sec1);
    let (_, _, rest) = tlv(fields); // version 1
    let (_, scalar, _) = tlv(rest);
    let body = [&[2u8, 1, 1][..], &encode(4, scalar), &encode(0xa0, curve)].concat();
    encode(0x30, &body)
}
