//! Arbitrary bytes as PEM, DER and JWK key material: errors, never panics.
#![no_main]

use jwtkit::Key;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Key::from_der(data);
    let _ = Key::from_pem(data);
    let _ = Key::from_jwk(data);
});
