//! Recognises bytes that have the shape of key material (PEM of any label, a DER key or
//! certificate, base64 of one, a JWK or JWK Set, an OpenSSH public key), whether or not
//! jwtkit can load them. Such bytes are never an HMAC secret: a verifier configured
//! with a public key would otherwise accept tokens MACed with that public key
//! (algorithm confusion, RFC 8725 §2.1).

use base64::Engine as _;
use der::Decode;

/// What `bytes` look like, when they look like key material; `None` for anything else.
pub(crate) fn key_material_shape(bytes: &[u8]) -> Option<String> {
    if let Some(label) = pem_label(bytes) {
        return Some(format!("a PEM `{}` block", crate::error::excerpt(&label, 32)));
    }
    let text = trim(bytes);
    if is_openssh_public_key(text) {
        return Some("an OpenSSH public key".into());
    }
    if let Some(what) = jwk_shape(text) {
        return Some(what.into());
    }
    if let Some(what) = der_structure(bytes) {
        return Some(format!("a DER {what}"));
    }
    if let Some(what) = base64_der_structure(text) {
        return Some(format!("base64 of a DER {what}"));
    }
    None
}

/// The label of the first `-----BEGIN LABEL-----` line anywhere in `bytes` (PEM files
/// often follow explanatory text), also for labels jwtkit cannot load; RFC 4716's
/// `---- BEGIN SSH2 PUBLIC KEY ----` counts as well.
fn pem_label(bytes: &[u8]) -> Option<String> {
    if memchr::memmem::find(bytes, b"---- BEGIN SSH2 ").is_some() {
        return Some("SSH2 PUBLIC KEY".into());
    }
    let start = memchr::memmem::find(bytes, b"-----BEGIN")? + b"-----BEGIN".len();
    let rest = &bytes[start..];
    let end = memchr::memmem::find(rest, b"-----").unwrap_or(rest.len().min(64));
    Some(String::from_utf8_lossy(&rest[..end]).trim().to_string())
}

fn trim(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// `ssh-rsa AAAA…`, `ecdsa-sha2-nistp256 AAAA…`, `sk-ssh-ed25519@openssh.com AAAA…`, and
/// their certificate forms: a key type, white space, then the base64 blob.
fn is_openssh_public_key(text: &[u8]) -> bool {
    const TYPE_PREFIXES: [&[u8]; 4] = [b"ssh-", b"ecdsa-sha2-", b"sk-ssh-", b"sk-ecdsa-sha2-"];
    let Some(space) = text.iter().position(|b| b.is_ascii_whitespace()) else {
        return false;
    };
    let (kind, blob) = (&text[..space], trim(&text[space..]));
    TYPE_PREFIXES.iter().any(|p| kind.starts_with(p)) && blob.starts_with(b"AAAA")
}

/// A JSON object with a `kty` member (a JWK) or a `keys` member (a JWK Set), also when
/// the JSON is malformed beyond that: a secret has no reason to look like either.
fn jwk_shape(text: &[u8]) -> Option<&'static str> {
    if !text.starts_with(b"{") {
        return None;
    }
    if memchr::memmem::find(text, b"\"keys\"").is_some() {
        Some("a JWK Set")
    } else if memchr::memmem::find(text, b"\"kty\"").is_some() {
        Some("a JWK")
    } else {
        None
    }
}

/// The key or certificate structure `der` parses as, whatever algorithm or size it holds.
fn der_structure(der: &[u8]) -> Option<&'static str> {
    if der.first() != Some(&0x30) {
        return None; // every one of these structures is a SEQUENCE
    }
    if pkcs8::PrivateKeyInfo::from_der(der).is_ok() {
        Some("PKCS#8 private key")
    } else if spki::SubjectPublicKeyInfoRef::from_der(der).is_ok() {
        Some("SubjectPublicKeyInfo public key")
    } else if x509_cert::Certificate::from_der(der).is_ok() {
        Some("X.509 certificate")
    } else if pkcs1::RsaPrivateKey::from_der(der).is_ok() {
        Some("PKCS#1 RSA private key")
    } else if pkcs1::RsaPublicKey::from_der(der).is_ok() {
        Some("PKCS#1 RSA public key")
    } else if sec1::EcPrivateKey::from_der(der).is_ok() {
        Some("SEC1 EC private key")
    } else {
        None
    }
}

/// Base64 (standard or URL alphabet, padded or not, line breaks allowed) of a DER key:
/// how keys are often kept in environment variables.
fn base64_der_structure(text: &[u8]) -> Option<&'static str> {
    // DER of the smallest of these structures is over 30 bytes; a SEQUENCE starts `M`.
    if text.len() < 40 || !text.starts_with(b"M") {
        return None;
    }
    let compact: Vec<u8> = text.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
    let unpadded = compact.strip_suffix(b"==").or_else(|| compact.strip_suffix(b"=")).unwrap_or(&compact);
    let lenient = base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true);
    [base64::alphabet::STANDARD, base64::alphabet::URL_SAFE].iter().find_map(|alphabet| {
        let der = base64::engine::GeneralPurpose::new(alphabet, lenient).decode(unpadded).ok()?;
        der_structure(&der)
    })
}

#[cfg(test)]
mod tests {
    use super::key_material_shape as shape;

    #[test]
    fn ordinary_secrets_have_no_key_shape() {
        for secret in [
            &b"a secret of at least 32 bytes for HS256!"[..],
            b"{\"not\":\"a key\"}",
            b"ssh-like but no blob",
            b"-----",
            b"\x30\x03\x02\x01\x00",
            b"MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM",
            &[0u8; 64],
        ] {
            assert_eq!(shape(secret), None, "{secret:?}");
        }
    }

    #[test]
    fn each_shape_is_named() {
        assert_eq!(shape(b"x\n-----BEGIN FOO BAR-----\nAAAA\n").as_deref(), Some("a PEM `FOO BAR` block"));
        assert_eq!(shape(b"---- BEGIN SSH2 PUBLIC KEY ----").as_deref(), Some("a PEM `SSH2 PUBLIC KEY` block"));
        assert_eq!(shape(b" ssh-dss AAAAB3NzaC1kc3M= me@host\n").as_deref(), Some("an OpenSSH public key"));
        assert_eq!(shape(b"{\"kty\":\"EC\",\"crv\":\"secp256k1\"}").as_deref(), Some("a JWK"));
        assert_eq!(shape(b"\n{\"keys\":[]}").as_deref(), Some("a JWK Set"));
    }

    #[test]
    fn a_pem_label_is_escaped_and_cut() {
        let mut pem = b"-----BEGIN \x1b[31m".to_vec();
        pem.extend([b'A'; 200]);
        let what = shape(&pem).unwrap();
        assert!(!what.contains('\x1b') && what.len() < 80, "{what}");
    }
}
