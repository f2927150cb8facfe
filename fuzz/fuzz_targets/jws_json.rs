//! Arbitrary bytes as a JWS JSON serialization, verified with keys of every family under
//! both rules, with and without a detached payload: must never panic and never accept
//! (a random input that verifies would be a forgery). Then the same bytes signed: split
//! into payload and unprotected header, signed by two keys, they must verify under
//! "all" and give the payload back (or the signer must refuse the header).
#![no_main]

use std::sync::OnceLock;

use jwtkit::jws_json::{self, Rule, SignOptions, Signer};
use jwtkit::{Algorithm, Key, Validation};
use libfuzzer_sys::fuzz_target;

struct Fixture {
    public: Vec<Key>,
    secret: Key,
    ec: Key,
    validation: Validation,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/");
        let pem = |f: &str| Key::from_pem(&std::fs::read(format!("{dir}{f}")).unwrap()).unwrap();
        let secret = Key::from_secret(b"fuzzing secret, 32 bytes or more!").unwrap();
        let public = vec![
            Key::from_secret(b"fuzzing secret, 32 bytes or more!").unwrap(),
            pem("rsa2048.spki.pem"),
            pem("ecp256.spki.pem"),
            pem("ecp521.spki.pem"),
            pem("ed25519.spki.pem"),
        ];
        Fixture { public, secret, ec: pem("ecp256.pkcs8.pem"), validation: Validation::new(&Algorithm::ALL).unwrap() }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let keys: Vec<&Key> = f.public.iter().collect();
    for rule in Rule::ALL {
        assert!(jws_json::verify(data, None, &keys, &f.validation, rule).is_err(), "forged: {rule:?}");
        assert!(jws_json::verify(data, Some(b"detached"), &keys, &f.validation, rule).is_err(), "forged: {rule:?}");
    }
    // Signing: the bytes before the first NUL are the unprotected header, the rest the payload.
    let (header, payload) = match data.iter().position(|&b| b == 0) {
        Some(at) => (Some(&data[..at]), &data[at + 1..]),
        None => (None, data),
    };
    let signers = [
        Signer { key: &f.secret, alg: Algorithm::HS256, protected: None, unprotected: header },
        Signer { key: &f.ec, alg: Algorithm::ES256, protected: None, unprotected: None },
    ];
    let unencoded = data.first().is_some_and(|b| b & 1 == 1);
    let options = SignOptions { general: true, detached: false, unencoded };
    if let Ok(token) = jws_json::sign(payload, &signers, options) {
        let verified =
            jws_json::verify(token.as_bytes(), None, &[&f.public[0], &f.public[2]], &f.validation, Rule::All)
                .unwrap_or_else(|e| panic!("jwtkit's own token refused: {e}\n{token}"));
        assert_eq!(verified.payload, payload);
        assert!(verified.signatures.iter().all(|s| s.verified()));
    }
});
