//! Strict base64url (RFC 7515 §2): no padding, no `+` `/` `=` or whitespace, and
//! canonical trailing bits, so one token has exactly one encoding.
//!
//! Both directions run on base64-simd (SSSE3/AVX2 where the CPU has them, chosen at
//! run time): 3-4x faster than the base64 crate on an RSA signature or a claims set.
//! Both crates are equally strict (unit test below); on an error, the base64 crate
//! decodes again for a message that names the offending symbol.

use base64::engine::{general_purpose::GeneralPurpose, DecodePaddingMode, GeneralPurposeConfig};
use base64::{alphabet, Engine};
use std::borrow::Cow;
use std::mem::MaybeUninit;

use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Does the work.
const FAST: base64_simd::Base64 = base64_simd::URL_SAFE_NO_PAD;

/// Words the errors (see `invalid`), and checks FAST in the tests.
const STRICT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// Encodes `bytes` as base64url without padding.
pub fn encode(bytes: &[u8]) -> String {
    FAST.encode_to_string(bytes)
}

/// Appends the encoding of `bytes` to `out`, encoding in place (into its spare
/// capacity, which need not be zeroed first).
pub fn encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    let n = encoded_len(bytes.len());
    out.reserve(n);
    let start = out.len();
    let written = FAST.encode(bytes, base64_simd::Out::from_uninit_slice(&mut out.spare_capacity_mut()[..n])).len();
    assert_eq!(written, n, "base64url of {} bytes", bytes.len());
    // SAFETY: the encoder initialised the n bytes after `start`, within the capacity.
    unsafe { out.set_len(start + n) };
}

/// The length of the unpadded encoding of `n` bytes.
pub const fn encoded_len(n: usize) -> usize {
    (n * 4).div_ceil(3)
}

/// Decodes one segment; `what` names it in the error ("header", "signature", …).
pub fn decode(text: &[u8], what: &str) -> Result<Vec<u8>> {
    FAST.decode_to_vec(text).map_err(|_| invalid(text, what))
}

/// As `decode`, into `buf` when the result fits (a signature up to RSA-4096 in a
/// 528-byte buffer), else onto the heap: one allocation fewer per verification. `buf`
/// need not be initialised (the decoder only writes it).
pub fn decode_small<'b>(text: &[u8], buf: &'b mut [MaybeUninit<u8>], what: &str) -> Result<Cow<'b, [u8]>> {
    let n = decoded_len(text, what)?;
    match buf.get_mut(..n) {
        Some(out) => decode_exact(text, out, what).map(|bytes| Cow::Borrowed(&*bytes)),
        None => decode(text, what).map(Cow::Owned),
    }
}

/// The length `text` decodes to: an error (the one `decode` gives) only for a length
/// no base64url text has; the symbols are checked by `decode_exact`.
pub fn decoded_len(text: &[u8], what: &str) -> Result<usize> {
    FAST.decoded_length(text).map_err(|_| invalid(text, what))
}

/// Decodes `text` into `out`, of exactly `decoded_len(text)` bytes (need not be
/// initialised; the decoder only writes it).
pub fn decode_exact<'o>(text: &[u8], out: &'o mut [MaybeUninit<u8>], what: &str) -> Result<&'o mut [u8]> {
    if decoded_len(text, what)? != out.len() {
        return Err(Error::InvalidArgument(format!(
            "{what}: output of {} bytes for a base64url text of {}",
            out.len(),
            text.len()
        )));
    }
    FAST.decode(text, base64_simd::Out::from_uninit_slice(out)).map_err(|_| invalid(text, what))
}

/// Decodes the base64url text of key material (a JWK's `k`, `d`, `p`, …) into a buffer
/// wiped on drop, also when decoding fails partway. `what` names it ("JWK member `d`");
/// an error says what kind of problem the text has and nothing else: not a symbol, an
/// offset or a byte of it, since each is part of the secret (see `secret_invalid`).
pub fn decode_secret(text: &[u8], what: &str) -> Result<Zeroizing<Vec<u8>>> {
    let n = FAST.decoded_length(text).map_err(|_| secret_invalid(text, what))?;
    let mut out = Zeroizing::new(vec![0u8; n]);
    FAST.decode(text, base64_simd::Out::from_slice(&mut out[..])).map_err(|_| secret_invalid(text, what))?;
    Ok(out)
}

/// The error for key material base64-simd refused: its kind, found by looking at the
/// text's length and alphabet only (the base64 crate's message names the symbol and
/// its offset, and decoding again would leave another copy of the secret behind).
#[cold]
fn secret_invalid(text: &[u8], what: &str) -> Error {
    let problem = if text.iter().any(|&b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_')) {
        "it has a character outside the base64url alphabet (letters, digits, `-` and `_`; no padding, whitespace, `+` or `/`)"
    } else if text.len() % 4 == 1 {
        "its length is not that of any base64url text"
    } else {
        "its last character has bits set beyond the encoded bytes (not the canonical encoding)"
    };
    Error::Base64(format!("{}{what} is not valid base64url: {problem}", segment_label(what)))
}

/// The words a token's segment errors begin with, as PyJWT words them (its users match
/// on them): "Invalid crypto padding: " for the signature, and so on; nothing for other
/// base64url texts.
fn segment_label(what: &str) -> &'static str {
    match what {
        "header" => "Invalid header padding: ",
        "payload" => "Invalid payload padding: ",
        "signature" => "Invalid crypto padding: ",
        _ => "",
    }
}

/// The error for `text`, which base64-simd refused: the base64 crate says why.
#[cold]
fn invalid(text: &[u8], what: &str) -> Error {
    let why = match STRICT.decode(text) {
        Err(e) => e.to_string(),
        Ok(_) => "refused by the SIMD decoder".into(), // not expected: the two agree (tests)
    };
    Error::Base64(format!("{}{what}: invalid base64url ({why})", segment_label(what)))
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

    /// base64-simd and the base64 crate must accept exactly the same texts and give the
    /// same bytes: every text of up to two bytes, every text of three symbols around the
    /// alphabet's edges, and random texts across the SIMD block sizes.
    #[test]
    fn fast_decoder_agrees_with_the_strict_engine() {
        let agree = |text: &[u8]| {
            let (fast, strict) = (FAST.decode_to_vec(text).ok(), STRICT.decode(text).ok());
            assert_eq!(fast, strict, "{:?}", String::from_utf8_lossy(text));
            let mut buf = [MaybeUninit::uninit(); 64];
            let small = decode_small(text, &mut buf, "t").ok().map(|c| c.into_owned());
            assert_eq!(small, strict, "decode_small {:?}", String::from_utf8_lossy(text));
        };
        for a in 0..=255u8 {
            agree(&[a]);
            for b in 0..=255u8 {
                agree(&[a, b]);
            }
        }
        let edges = b"AZaz09-_+/=.\n \0\x7f\x80\xffBCQRgw8";
        for &a in edges {
            for &b in edges {
                for &c in edges {
                    agree(&[a, b, c]);
                    agree(&[b'A', b'A', b'A', b'A', a, b, c]);
                }
            }
        }
        let symbols = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..20_000 {
            let len = (next() % 200) as usize;
            let mut text: Vec<u8> = (0..len).map(|_| symbols[(next() % 64) as usize]).collect();
            if round % 2 == 1 && len > 0 {
                let at = (next() % len as u64) as usize; // one byte of anything, anywhere
                text[at] = next() as u8;
            }
            agree(&text);
        }
    }

    #[test]
    fn errors_name_the_segment_and_the_symbol() {
        let e = decode(b"ab+c", "payload").unwrap_err().to_string();
        assert!(e.contains("payload: invalid base64url (Invalid symbol 43, offset 2.)"), "{e}");
        let mut buf = [MaybeUninit::uninit(); 8];
        let e = decode_small(b"-_9", &mut buf, "signature").unwrap_err().to_string();
        assert!(e.contains("signature: invalid base64url (Invalid last symbol 57, offset 2.)"), "{e}");
    }

    /// Key material: the kind of problem, never a symbol, an offset or a piece of the
    /// text; the result is a wiped buffer; valid text decodes as `decode` does.
    #[test]
    fn secret_errors_name_the_problem_and_nothing_of_the_text() {
        for (bad, problem) in [
            ("c2VjcmV0!kZXk", "outside the base64url alphabet"),
            ("c2VjcmV0=", "outside the base64url alphabet"),
            ("c2Vj cmV0", "outside the base64url alphabet"),
            ("c2VjcmV0a", "length"),
            ("c2VjcmV", "canonical"),
        ] {
            let e = decode_secret(bad.as_bytes(), "JWK member `k`").unwrap_err();
            let message = e.to_string();
            assert!(matches!(e, Error::Base64(_)), "{message}");
            assert!(message.starts_with("JWK member `k` is not valid base64url: "), "{message}");
            assert!(message.contains(problem), "{bad}: {message}");
            assert!(
                !message.to_lowercase().contains("offset") && !message.to_lowercase().contains("symbol"),
                "{message}"
            );
            assert!(!message.replace("base64url", "").bytes().any(|b| b.is_ascii_digit()), "{message}");
            for piece in bad.as_bytes().windows(4) {
                assert!(!message.as_bytes().windows(4).any(|w| w == piece), "{bad}: {message}");
            }
        }
        let good: Zeroizing<Vec<u8>> = decode_secret(b"-_8", "t").unwrap();
        assert_eq!(&good[..], b"\xfb\xff");
        assert_eq!(&decode_secret(b"", "t").unwrap()[..], b"");
    }

    #[test]
    fn encode_into_appends_exactly_the_encoding() {
        for n in 0..300 {
            let bytes: Vec<u8> = (0..n).map(|b| (b as u8).wrapping_mul(37)).collect();
            let mut out = b"x.".to_vec();
            encode_into(&bytes, &mut out);
            assert_eq!(out, [b"x.".as_slice(), STRICT.encode(&bytes).as_bytes()].concat(), "{n}");
            assert_eq!(encode(&bytes), STRICT.encode(&bytes), "{n}");
            assert_eq!(encoded_len(n), encode(&bytes).len());
        }
    }

    #[test]
    fn decode_small_uses_the_buffer_when_it_fits_and_agrees_with_decode() {
        let long = encode(&[7u8; 600]);
        let mut buf = [MaybeUninit::uninit(); 528];
        assert!(matches!(decode_small(b"-_8", &mut buf, "t").unwrap(), Cow::Borrowed(b"\xfb\xff")));
        assert!(matches!(decode_small(long.as_bytes(), &mut buf, "t").unwrap(), Cow::Owned(v) if v == [7u8; 600]));
        for bad in ["-_8=", "+/8", "-_9", "a"] {
            let small = decode_small(bad.as_bytes(), &mut buf, "t").unwrap_err().to_string();
            assert_eq!(small, decode(bad.as_bytes(), "t").unwrap_err().to_string(), "{bad}");
        }
    }
}
