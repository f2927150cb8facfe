//! Arbitrary bytes as a compact JWE, decrypted with keys of every kind jwtkit can
//! decrypt with, under a policy allowing every alg/enc and zip: must never panic, and a
//! random input must never decrypt.
#![no_main]

#[path = "../common/jwe_keys.rs"]
mod jwe_keys;

use jwtkit::jwe;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (keys, policy) = jwe_keys::setup();
    for key in keys {
        assert!(jwe::decrypt(data, key, policy).is_err());
    }
});
