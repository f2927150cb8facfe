//! Arbitrary bytes as a token, verified with keys of every family and an allow-list
//! of every algorithm: must never panic, and must never accept a token it did not sign.
#![no_main]

use std::sync::OnceLock;

use jwtkit::{jwt, Algorithm, Key, Validation};
use libfuzzer_sys::fuzz_target;

fn keys() -> &'static (Vec<Key>, Validation) {
    static KEYS: OnceLock<(Vec<Key>, Validation)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/");
        let pem = |f: &str| Key::from_pem(&std::fs::read(format!("{dir}{f}")).unwrap()).unwrap();
        let keys = vec![
            Key::from_secret(b"fuzzing secret, 32 bytes or more!").unwrap(),
            pem("rsa2048.spki.pem"),
            pem("ecp256.spki.pem"),
            pem("ecp384.spki.pem"),
            pem("ecp521.spki.pem"),
            pem("secp256k1.spki.pem"),
            pem("ed25519.spki.pem"),
        ];
        (keys, Validation::new(&Algorithm::ALL).unwrap())
    })
}

fuzz_target!(|data: &[u8]| {
    let (keys, validation) = keys();
    for key in keys {
        // A random input that verifies would be a forgery.
        assert!(jwt::verify(data, key, validation).is_err());
    }
});
