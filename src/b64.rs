//! Strict base64url (RFC 7515 §2): no padding, no `+` `/` `=` or whitespace, and
//! canonical trailing bits, so one token has exactly one encoding.

use base64::engine::{general_purpose::GeneralPurpose, DecodePaddingMode, GeneralPurposeConfig};
use base64::{alphabet, DecodeSliceError, Engine};
use std::borrow::Cow;

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

/// Appends the encoding of `bytes` to `out`, encoding in place: `Engine::encode_string`
/// stages through a zeroed 1 KiB buffer and re-checks the text as UTF-8 on every call.
pub fn encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + encoded_len(bytes.len()), 0);
    let written = STRICT.encode_slice(bytes, &mut out[start..]).expect("sized by encoded_len");
    debug_assert_eq!(start + written, out.len());
}

/// The length of the unpadded encoding of `n` bytes.
pub const fn encoded_len(n: usize) -> usize {
    (n * 4).div_ceil(3)
}

/// Decodes one segment; `what` names it in the error ("header", "signature", …).
pub fn decode(text: &[u8], what: &str) -> Result<Vec<u8>> {
    STRICT.decode(text).map_err(|e| invalid(what, e))
}

/// As `decode`, into `buf` when the result fits (a signature up to RSA-4096 in a
/// 528-byte buffer), else onto the heap: one allocation fewer per verification.
pub fn decode_small<'b>(text: &[u8], buf: &'b mut [u8], what: &str) -> Result<Cow<'b, [u8]>> {
    match STRICT.decode_slice(text, buf) {
        Ok(n) => Ok(Cow::Borrowed(&buf[..n])),
        Err(DecodeSliceError::OutputSliceTooSmall) => decode(text, what).map(Cow::Owned),
        Err(DecodeSliceError::DecodeError(e)) => Err(invalid(what, e)),
    }
}

fn invalid(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Base64(format!("{what}: invalid base64url ({e})"))
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

    #[test]
    fn encode_into_appends_exactly_the_encoding() {
        for n in 0..40 {
            let bytes: Vec<u8> = (0..n as u8).map(|b| b.wrapping_mul(37)).collect();
            let mut out = b"x.".to_vec();
            encode_into(&bytes, &mut out);
            assert_eq!(out, [b"x.".as_slice(), encode(&bytes).as_bytes()].concat(), "{n}");
            assert_eq!(encoded_len(n), encode(&bytes).len());
        }
    }

    #[test]
    fn decode_small_uses_the_buffer_when_it_fits_and_agrees_with_decode() {
        let long = encode(&[7u8; 600]);
        let mut buf = [0u8; 528];
        assert!(matches!(decode_small(b"-_8", &mut buf, "t").unwrap(), Cow::Borrowed(b"\xfb\xff")));
        assert!(matches!(decode_small(long.as_bytes(), &mut buf, "t").unwrap(), Cow::Owned(v) if v == [7u8; 600]));
        for bad in ["-_8=", "+/8", "-_9", "a"] {
            let small = decode_small(bad.as_bytes(), &mut buf, "t").unwrap_err().to_string();
            assert_eq!(small, decode(bad.as_bytes(), "t").unwrap_err().to_string(), "{bad}");
        }
    }
}
