//! Strict base64url (RFC 7515 §2): no padding, no `+` `/` `=` or whitespace, and
//! canonical trailing bits, so one token has exactly one encoding.

use base64::engine::{general_purpose::GeneralPurpose, DecodePaddingMode, GeneralPurposeConfig};
use base64::{alphabet, Engine};

use crate::error::{Error, Result};

const STRICT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

pub fn encode(bytes: &[u8]) -> String {
    STRICT.encode(bytes)
}

/// Appends the encoding of `bytes` to `out`.
pub fn encode_into(bytes: &[u8], out: &mut String) {
    STRICT.encode_string(bytes, out);
}

/// Decodes one segment; `what` names it in the error ("header", "signature", …).
pub fn decode(text: &[u8], what: &str) -> Result<Vec<u8>> {
    STRICT
        .decode(text)
        .map_err(|e| Error::Base64(format!("{what}: invalid base64url ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_non_canonical() {
        assert_eq!(encode(b"\xfb\xff"), "-_8");
        assert_eq!(decode(b"-_8", "t").unwrap(), b"\xfb\xff");
        for bad in ["-_8=", "+/8", "-_9", "ab c", "a", "e30\n"] {
            assert!(matches!(decode(bad.as_bytes(), "t"), Err(Error::Base64(_))), "{bad}");
        }
        assert_eq!(decode(b"", "t").unwrap(), b"");
    }
}
