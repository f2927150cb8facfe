//! `zip: "DEF"` (RFC 7516 §4.1.3): raw DEFLATE (RFC 1951) from `miniz_oxide`, inflated
//! only up to the policy's cap, so a small token cannot expand into gigabytes.

use zeroize::Zeroizing;

use crate::error::{Error, Result};

pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec(data, 6)
}

/// Inflates `data`, refusing to produce more than `max` bytes.
pub(crate) fn inflate(data: &[u8], max: usize) -> Result<Zeroizing<Vec<u8>>> {
    use miniz_oxide::inflate::{decompress_to_vec_with_limit, TINFLStatus};
    match decompress_to_vec_with_limit(data, max) {
        Ok(v) => Ok(Zeroizing::new(v)),
        Err(e) if e.status == TINFLStatus::HasMoreOutput => {
            Err(Error::ZipLimit(format!("zip: the compressed content inflates to more than the limit of {max} bytes")))
        }
        Err(_) => Err(Error::ZipLimit("zip: the compressed content is not valid DEFLATE data".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bomb() {
        let text = b"You can trust us to stick with you through thick and thin".repeat(10);
        assert_eq!(&inflate(&deflate(&text), 1 << 20).unwrap()[..], &text[..]);
        let bomb = deflate(&vec![0u8; 10 << 20]);
        assert!(bomb.len() < 20_000, "{}", bomb.len());
        assert!(matches!(inflate(&bomb, 1 << 20), Err(Error::ZipLimit(_))));
        assert!(matches!(inflate(b"\xff\xff\xff", 1 << 20), Err(Error::ZipLimit(_))));
    }
}
