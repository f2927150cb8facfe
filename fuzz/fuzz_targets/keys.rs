//! Arbitrary bytes as PEM, DER, JWK and JWK Set key material: errors, never panics.
#![no_main]

use jwtkit::{Key, KeySet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Key::from_der(data);
    let _ = Key::from_pem(data);
    let _ = Key::from_jwk(data);
    if let Ok(set) = KeySet::from_jwks(data) {
        let _ = set.to_public_jwks();
    }
});
