//! Arbitrary bytes through the unverified decoder (split, base64url, strict JSON).
#![no_main]

use jwtkit::{dangerous, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((header, claims)) = dangerous::decode_unverified(data, &Limits::default()) {
        assert!(header.len() <= Limits::default().max_header_len);
        assert!(claims.len() <= data.len());
    }
});
