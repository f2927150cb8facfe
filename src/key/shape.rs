//! Recognises bytes that have the shape of key material (PEM of any label, a DER key or
//! certificate, base64 of one, a JWK or JWK Set, an OpenSSH public key), whether or not
//! jwtkit can load them, in the spellings files and environment variables really hold
//! (UTF-16 text, quotes, a DER file with a final newline, `authorized_keys` options).

use base64::Engine as _;
use zeroize::Zeroizing;

use crate::key::der::der_format;
use crate::key::jwk::Wiped;

/// What `bytes` look like, when they look like key material; `None` for anything else.
pub(crate) fn key_material_shape(bytes: &[u8]) -> Option<String> {
    let text = utf16_to_bytes(bytes);
    let text = text.as_deref().map_or(bytes, |t| t.as_slice());
    if let Some(label) = pem_label(text) {
        return Some(format!("a PEM `{}` block", crate::error::excerpt(&label, 32)));
    }
    let trimmed = trim(text);
    if is_openssh_public_key(trimmed) {
        return Some("an OpenSSH public key".into());
    }
    if let Some(what) = jwk_shape(trimmed) {
        return Some(what.into());
    }
    if let Some(what) = der_structure(bytes) {
        return Some(format!("a DER {what}"));
    }
    base64_key(trimmed)
}

/// Text saved as UTF-16 (with its byte order mark), as ASCII-range bytes.
fn utf16_to_bytes(bytes: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let (body, high_first) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (rest, false),
        [0xFE, 0xFF, rest @ ..] => (rest, true),
        _ => return None,
    };
    let units = body.chunks_exact(2).map(|p| if high_first { [p[1], p[0]] } else { [p[0], p[1]] });
    Some(Zeroizing::new(units.filter(|[_, high]| *high == 0).map(|[low, _]| low).collect()))
}

/// The label of the first PEM armour line anywhere in `bytes` (PEM files often follow
/// explanatory text): `-----BEGIN LABEL-----`, in any case and with four or five dashes
/// (RFC 4716's `---- BEGIN SSH2 PUBLIC KEY ----`), also for labels jwtkit cannot load.
fn pem_label(bytes: &[u8]) -> Option<String> {
    let upper: Zeroizing<Vec<u8>> = Zeroizing::new(bytes.to_ascii_uppercase());
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&upper[from..], b"----") {
        let start = from + at;
        let after = &upper[start..];
        let after = after.strip_prefix(b"-----").or_else(|| after.strip_prefix(b"----")).unwrap_or(after);
        let after = after.strip_prefix(b" ").unwrap_or(after);
        if let Some(label) = after.strip_prefix(b"BEGIN ") {
            // The armour line closes with dashes before it ends.
            let line = &label[..memchr::memchr(b'\n', label).unwrap_or(label.len())];
            if let Some(end) = memchr::memmem::find(line, b"----") {
                return Some(String::from_utf8_lossy(&line[..end]).trim().to_string());
            }
        }
        from = start + 1;
    }
    None
}

/// Without a byte order mark, white space (NBSP too) and one pair of enclosing quotes.
fn trim(bytes: &[u8]) -> &[u8] {
    let mut text = bytes;
    loop {
        let before = text.len();
        while let Some(rest) = text.strip_prefix(b"\xEF\xBB\xBF").or_else(|| text.strip_prefix(b"\xC2\xA0")) {
            text = rest;
        }
        let start = text.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(text.len());
        let end = text.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(start, |i| i + 1);
        text = &text[start..end];
        if let [b'"' | b'\'', inner @ .., last] = text {
            if *last == text[0] {
                text = inner;
            }
        }
        if text.len() == before {
            return text;
        }
    }
}

/// A line of an OpenSSH public key: a key type (`ssh-rsa`, `ecdsa-sha2-nistp256`,
/// `sk-ssh-ed25519@openssh.com`, `x509v3-…`, certificate forms), then its base64 blob,
/// possibly after `authorized_keys` options or `#` comment lines; or the bare blob.
fn is_openssh_public_key(text: &[u8]) -> bool {
    const TYPE_PREFIXES: [&[u8]; 5] = [b"ssh-", b"ecdsa-sha2-", b"sk-ssh-", b"sk-ecdsa-sha2-", b"x509v3-"];
    // The blob starts with the length of its key type name: `AAAA` in base64.
    let blob = |word: &[u8]| word.starts_with(b"AAAA") && word.len() >= 20;
    text.split(|&b| b == b'\n').map(trim).filter(|line| !line.starts_with(b"#")).any(|line| {
        let words: Vec<&[u8]> = line.split(|b| b.is_ascii_whitespace()).filter(|w| !w.is_empty()).collect();
        let typed = words.windows(2).any(|w| TYPE_PREFIXES.iter().any(|p| w[0].starts_with(p)) && blob(w[1]));
        typed || (words.len() == 1 && blob(words[0]) && decodes_to_ssh_blob(words[0]))
    })
}

/// A bare OpenSSH blob: base64 of a length-prefixed key type name such as `ssh-rsa`.
fn decodes_to_ssh_blob(word: &[u8]) -> bool {
    let Ok(blob) = base64::engine::general_purpose::STANDARD.decode(word) else { return false };
    let [a, b, c, d, rest @ ..] = blob.as_slice() else { return false };
    let len = u32::from_be_bytes([*a, *b, *c, *d]) as usize;
    rest.get(..len).is_some_and(|name| name.starts_with(b"ssh-") || name.starts_with(b"ecdsa-sha2-"))
}

/// A JSON object with a `kty` member (a JWK) or a `keys` member (a JWK Set), the
/// member names read as JSON reads them (escapes undone), and, for JSON that does not
/// parse, written plainly anywhere in it. An object inside a JSON string or an array
/// counts as well.
fn jwk_shape(text: &[u8]) -> Option<&'static str> {
    if !matches!(text.first(), Some(b'{' | b'[' | b'"')) {
        return None;
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(text) {
        let value = Wiped(value);
        let text = Zeroizing::new(value.0.to_string().into_bytes());
        return plain_jwk_shape(&text);
    }
    plain_jwk_shape(text)
}

fn plain_jwk_shape(text: &[u8]) -> Option<&'static str> {
    // serde_json writes member names unescaped; `\"` inside a JSON string counts too.
    let has = |name: &[u8]| {
        memchr::memmem::find(text, &[b"\"", name, b"\""].concat()).is_some()
            || memchr::memmem::find(text, &[b"\\\"", name, b"\\\""].concat()).is_some()
    };
    if has(b"keys") {
        Some("a JWK Set")
    } else if has(b"kty") {
        Some("a JWK")
    } else {
        None
    }
}

/// The key or certificate structure `der` parses as, also with white space or NULs
/// after it (a file saved with a final newline).
fn der_structure(der: &[u8]) -> Option<&'static str> {
    if let Some(format) = der_format(der) {
        return Some(format.describe());
    }
    let end = der.iter().rposition(|b| !matches!(b, b'\n' | b'\r' | b' ' | b'\t' | 0)).map_or(0, |i| i + 1);
    der_format(&der[..end]).map(|f| f.describe())
}

/// Base64 (standard or URL alphabet, padded or not, line breaks allowed) of a DER key,
/// of PEM (as Kubernetes secrets hold it), or of either again: how keys are often kept
/// in environment variables.
fn base64_key(text: &[u8]) -> Option<String> {
    base64_key_within(text, 2)
}

fn base64_key_within(text: &[u8], depth: u8) -> Option<String> {
    // The smallest of these structures is over 30 bytes; its base64 is over 40.
    if depth == 0 || text.len() < 40 {
        return None;
    }
    let compact: Zeroizing<Vec<u8>> =
        Zeroizing::new(text.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect());
    let unpadded = compact.strip_suffix(b"==").or_else(|| compact.strip_suffix(b"=")).unwrap_or(&compact);
    let lenient = base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true);
    [base64::alphabet::STANDARD, base64::alphabet::URL_SAFE].iter().find_map(|alphabet| {
        let decoded = Zeroizing::new(base64::engine::GeneralPurpose::new(alphabet, lenient).decode(unpadded).ok()?);
        if let Some(what) = der_structure(&decoded) {
            return Some(format!("base64 of a DER {what}"));
        }
        if let Some(label) = pem_label(&decoded) {
            return Some(format!("base64 of a PEM `{}` block", crate::error::excerpt(&label, 32)));
        }
        base64_key_within(trim(&decoded), depth - 1).map(|inner| format!("base64 of {inner}"))
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
            b"[\"not\",\"a key\"]",
            b"\"a quoted passphrase, long enough to be a secret\"",
            b"ssh-like but no blob",
            b"ssh-rsa AAAA",
            b"-----",
            b"My-----BEGIN-passphrase",
            b"-----begin of a long passphrase, not a PEM block",
            b"\x30\x03\x02\x01\x00",
            b"MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM",
            b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            b"c2VjcmV0IHNlY3JldCBzZWNyZXQgc2VjcmV0IHNlY3JldCBzZWNyZXQ=",
            &[0u8; 64],
        ] {
            assert_eq!(shape(secret), None, "{:?}", String::from_utf8_lossy(secret));
        }
    }

    #[test]
    fn each_shape_is_named() {
        assert_eq!(shape(b"x\n-----BEGIN FOO BAR-----\nAAAA\n").as_deref(), Some("a PEM `FOO BAR` block"));
        assert_eq!(shape(b"----begin public key----\nAAAA\n").as_deref(), Some("a PEM `PUBLIC KEY` block"));
        assert_eq!(shape(b"---- BEGIN SSH2 PUBLIC KEY ----").as_deref(), Some("a PEM `SSH2 PUBLIC KEY` block"));
        let ssh = b"ssh-dss AAAAB3NzaC1kc3MAAACBAP me@host";
        assert_eq!(shape(&[b" ", &ssh[..], b"\n"].concat()).as_deref(), Some("an OpenSSH public key"));
        assert_eq!(shape(&[b"no-pty,from=\"10.0.0.1\" ", &ssh[..]].concat()).as_deref(), Some("an OpenSSH public key"));
        assert_eq!(shape(&[b"# laptop\n", &ssh[..]].concat()).as_deref(), Some("an OpenSSH public key"));
        assert_eq!(shape(b"AAAAB3NzaC1yc2EAAAADAQABAAAAgQC4").as_deref(), Some("an OpenSSH public key"));
        assert_eq!(shape(b"{\"kty\":\"EC\",\"crv\":\"secp256k1\"}").as_deref(), Some("a JWK"));
        assert_eq!(shape(b"{\"k\\u0074y\":\"RSA\",\"n\":\"AQAB\"}").as_deref(), Some("a JWK"));
        assert_eq!(shape(b"\xEF\xBB\xBF\xEF\xBB\xBF {\"kty\":\"OKP\"}").as_deref(), Some("a JWK"));
        assert_eq!(shape(b"\"{\\\"kty\\\":\\\"RSA\\\"}\"").as_deref(), Some("a JWK"));
        assert_eq!(shape(b"[{\"kty\":\"RSA\"}]").as_deref(), Some("a JWK"));
        assert_eq!(shape(b"\n{\"keys\":[]}").as_deref(), Some("a JWK Set"));
        assert_eq!(shape(b"{\"ke\\u0079s\":[]}").as_deref(), Some("a JWK Set"));
    }

    #[test]
    fn utf16_text_is_read() {
        let pem: Vec<u8> = "-----BEGIN PUBLIC KEY-----\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(shape(&[&[0xFF, 0xFE][..], &pem].concat()).as_deref(), Some("a PEM `PUBLIC KEY` block"));
    }

    #[test]
    fn a_pem_label_is_escaped_and_cut() {
        let mut pem = b"-----BEGIN \x1b[31m".to_vec();
        pem.extend([b'A'; 200]);
        pem.extend(b"-----\n");
        let what = shape(&pem).unwrap();
        assert!(!what.contains('\x1b') && what.len() < 80, "{what}");
    }
}
