//! Arbitrary bytes as a DPoP proof (and, before a first newline, as the request URI):
//! the proof checks and the RFC 3986 normaliser of `htu` never panic, and nothing is
//! accepted that the fuzzer could not have signed.
#![no_main]

use jwtkit::dpop::{self, ProofPolicy, Request};
use jwtkit::Algorithm;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (uri, proof) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&b"https://server.example.com/token"[..], data),
    };
    let Ok(uri) = std::str::from_utf8(uri) else { return };
    let mut policy =
        ProofPolicy::new(&[Algorithm::ES256, Algorithm::EdDSA, Algorithm::RS256, Algorithm::PS256]).unwrap();
    policy.set_now(1_562_262_616);
    let request = Request { method: "POST", uri, access_token: None, nonce: None };
    if let Ok(verified) = dpop::verify_proof(proof, &request, &policy) {
        // Only a proof the RFC signed (its seeds) can get here: the key is its own.
        assert_eq!(verified.jkt.len(), 43);
        assert!(dpop::check_refresh_binding(b"{}", Some(&verified)).is_ok());
    }
});
