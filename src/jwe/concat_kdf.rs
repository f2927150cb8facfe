//! The Concat KDF of NIST SP 800-56A §5.8.1 with SHA-256 (ring's digest), as RFC 7518
//! §4.6.2 uses it to turn the ECDH-ES shared secret Z into a key: a construction over
//! SHA-256, not a primitive.

use ring::digest;
use zeroize::Zeroizing;

/// Derives `key_len` bytes from `z`. `algorithm_id` is the `enc` name (direct
/// key agreement) or the `alg` name (with key wrapping); `apu`/`apv` are the decoded
/// header members (empty when absent).
pub(crate) fn derive(z: &[u8], key_len: usize, algorithm_id: &str, apu: &[u8], apv: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut other_info = Vec::with_capacity(16 + algorithm_id.len() + apu.len() + apv.len());
    for part in [algorithm_id.as_bytes(), apu, apv] {
        other_info.extend_from_slice(&(part.len() as u32).to_be_bytes());
        other_info.extend_from_slice(part);
    }
    // SuppPubInfo: the key length in bits; SuppPrivInfo is empty.
    other_info.extend_from_slice(&((key_len * 8) as u32).to_be_bytes());
    let mut out = Zeroizing::new(Vec::with_capacity(key_len + digest::SHA256_OUTPUT_LEN));
    let mut counter: u32 = 1;
    while out.len() < key_len {
        let mut ctx = digest::Context::new(&digest::SHA256);
        ctx.update(&counter.to_be_bytes());
        ctx.update(z);
        ctx.update(&other_info);
        out.extend_from_slice(ctx.finish().as_ref());
        counter += 1;
    }
    out.truncate(key_len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7518 Appendix C: ECDH-ES with A128GCM, Alice to Bob.
    #[test]
    fn rfc7518_appendix_c() {
        let z: [u8; 32] = [
            158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156, 251, 49, 110, 163, 218, 128,
            106, 72, 246, 218, 167, 121, 140, 254, 144, 196,
        ];
        let key = derive(&z, 16, "A128GCM", b"Alice", b"Bob");
        assert_eq!(crate::b64::encode(&key), "VqqN6vgjbSBcIijNcacQGg");
    }
}
