//! Arbitrary bytes as a JWE in JSON serialization, decrypted with keys of every kind
//! jwtkit can decrypt with at once, under a policy allowing every alg/enc and zip: must
//! never panic, and a random input must never decrypt. The same bytes then go through
//! `encrypt_json` (as plaintext and as `aad`, for two recipients) and must come back
//! unchanged through each recipient.
#![no_main]

#[path = "../common/jwe_keys.rs"]
mod jwe_keys;

use jwtkit::jwe::{self, Alg, Enc, JsonOptions, JsonRecipient};
use jwtkit::Key;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (keys, policy) = jwe_keys::setup();
    let all: Vec<&Key> = keys.iter().collect();
    assert!(jwe::decrypt_json(data, &all, policy).is_err());

    let recipients = [
        JsonRecipient { key: &keys[0], alg: Alg::A128Kw, header: None },
        JsonRecipient { key: &keys[1], alg: Alg::A256Kw, header: None },
    ];
    let aad = &data[..data.len() / 2];
    let options = JsonOptions { aad: Some(aad), compress: data.first() == Some(&b'z'), ..Default::default() };
    let token = jwe::encrypt_json(&recipients, Enc::A128CbcHs256, data, &options).unwrap();
    for (i, key) in keys[..2].iter().enumerate() {
        let opened = jwe::decrypt_json(token.as_bytes(), &[key], policy).unwrap();
        assert_eq!((&opened.plaintext[..], opened.aad.as_deref(), opened.recipient), (data, Some(aad), i));
    }
});
