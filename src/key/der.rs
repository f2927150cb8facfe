//! Keys from PEM and DER (`Key::from_pem`, `Key::from_der`): PKCS#8 private keys,
//! PKCS#1 RSA keys, SEC1 EC private keys, SPKI public keys and X.509 certificates.
//! RustCrypto's `der`-based crates do the ASN.1; this module routes each structure to
//! the right checked constructor and, for a private key, keeps the canonical PKCS#8 it
//! builds from the structure it has just read: the input is parsed once.

use der::asn1::{ObjectIdentifier as Oid, OctetStringRef};
use der::{Decode, Encode};
use ring::signature::{Ed25519KeyPair, RsaKeyPair};
use zeroize::Zeroizing;

use crate::alg::Family;
use crate::error::{excerpt, tidy, Error, Result};
use crate::key::checked::{ec_private, ec_public, ed25519_private, ed25519_public, rsa_private, rsa_public};
use crate::key::material::Key;
use crate::key::pkcs8::{
    curve_of, ed25519_pkcs8, rsa_pkcs8, RsaPrivateParts, ID_EC_PUBLIC_KEY, ID_ED_25519, ID_ED_448, ID_RSASSA_PSS,
    ID_X_25519, RSA_ENCRYPTION,
};

/// The PEM labels we read, and what each holds.
#[derive(Clone, Copy)]
pub(crate) enum Format {
    Pkcs8,
    Pkcs1Private,
    Pkcs1Public,
    Sec1,
    Spki,
    Certificate,
}

impl Format {
    /// What the structure is, for messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Format::Pkcs8 => "PKCS#8 private key",
            Format::Pkcs1Private => "PKCS#1 RSA private key",
            Format::Pkcs1Public => "PKCS#1 RSA public key",
            Format::Sec1 => "SEC1 EC private key",
            Format::Spki => "SubjectPublicKeyInfo public key",
            Format::Certificate => "X.509 certificate",
        }
    }
}

impl Key {
    /// A PEM document: PKCS#8, PKCS#1 (RSA), SEC1 (EC), SPKI or an X.509 certificate.
    pub fn from_pem(pem: &[u8]) -> Result<Key> {
        from_pem(pem)
    }

    /// The same formats as [`Key::from_pem`], DER-encoded.
    pub fn from_der(der: &[u8]) -> Result<Key> {
        from_der(der)
    }
}

/// The first PEM block with a label we read decides. Encrypted and OpenSSH private keys
/// are refused; blocks with any other label (such as `EC PARAMETERS`) are skipped.
fn from_pem(pem: &[u8]) -> Result<Key> {
    let text = std::str::from_utf8(pem).map_err(|_| Error::KeyInvalid("PEM must be ASCII text".into()))?;
    let mut rest = text;
    let mut seen = Vec::new();
    while let Some(start) = rest.find("-----BEGIN ") {
        let block = &rest[start..];
        let label_end =
            block[11..].find("-----").ok_or_else(|| Error::KeyInvalid("PEM: unterminated BEGIN line".into()))?;
        let label = &block[11..11 + label_end];
        let end_marker = format!("-----END {label}-----");
        let end = block
            .find(&end_marker)
            .ok_or_else(|| Error::KeyInvalid(format!("PEM: no `-----END {}-----` line", excerpt(label, 32))))?;
        let armoured = &block[..end + end_marker.len()];
        rest = &block[end + end_marker.len()..];
        let format = match label {
            "PRIVATE KEY" => Format::Pkcs8,
            "RSA PRIVATE KEY" => Format::Pkcs1Private,
            "RSA PUBLIC KEY" => Format::Pkcs1Public,
            "EC PRIVATE KEY" => Format::Sec1,
            "PUBLIC KEY" => Format::Spki,
            "CERTIFICATE" => Format::Certificate,
            "ENCRYPTED PRIVATE KEY" => {
                return Err(Error::KeyUnsupported(
                    "encrypted PKCS#8 keys are not supported; decrypt the key first".into(),
                ))
            }
            "OPENSSH PRIVATE KEY" => {
                return Err(Error::KeyUnsupported("OpenSSH private keys are not supported; convert to PKCS#8".into()))
            }
            other => {
                if seen.len() < 4 {
                    seen.push(format!("\"{}\"", excerpt(other, 32)));
                } else if seen.len() == 4 {
                    seen.push("…".into());
                }
                continue; // e.g. EC PARAMETERS before an EC PRIVATE KEY
            }
        };
        // Normalise line endings so CRLF files decode like LF ones. Both the copy and the
        // DER hold a private key's secret: wiped on drop. (pem_rfc7468's messages are
        // fixed texts; the label is one of ours by now.)
        let armoured = lf_only(armoured);
        let (_, der) = pem_rfc7468::decode_vec(armoured.as_bytes())
            .map_err(|e| Error::KeyInvalid(format!("PEM `{label}` block: {}", tidy(&e.to_string(), 96))))?;
        let der = Zeroizing::new(der);
        return parse_as(format, &der);
    }
    if seen.is_empty() {
        Err(Error::KeyInvalid("no PEM block found (expected `-----BEGIN ...-----`)".into()))
    } else {
        Err(Error::KeyUnsupported(format!("no supported key in PEM blocks [{}]", seen.join(", "))))
    }
}

/// `text` with CRLF line ends turned into LF, in a buffer wiped on drop and allocated
/// once (`str::replace` grows its result, leaving partial copies of a private key's
/// base64 behind in the blocks it outgrows).
fn lf_only(text: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(text.len()));
    let mut pieces = text.split("\r\n");
    if let Some(first) = pieces.next() {
        out.push_str(first);
    }
    for piece in pieces {
        out.push('\n');
        out.push_str(piece);
    }
    out
}

/// DER carries no label: the first structure that parses decides.
fn from_der(der: &[u8]) -> Result<Key> {
    match der_format(der) {
        Some(format) => parse_as(format, der),
        None => Err(Error::KeyInvalid("not a DER key (PKCS#8, SPKI, X.509 certificate, PKCS#1 or SEC1)".into())),
    }
}

/// The key or certificate structure `der` parses as (exactly, nothing after it), whatever
/// algorithm or size it holds.
pub(crate) fn der_format(der: &[u8]) -> Option<Format> {
    if der.first() != Some(&0x30) {
        return None; // every one of these structures is a SEQUENCE
    }
    if pkcs8::PrivateKeyInfo::from_der(der).is_ok() {
        Some(Format::Pkcs8)
    } else if spki::SubjectPublicKeyInfoRef::from_der(der).is_ok() {
        Some(Format::Spki)
    } else if x509_cert::Certificate::from_der(der).is_ok() {
        Some(Format::Certificate)
    } else if pkcs1::RsaPrivateKey::from_der(der).is_ok() {
        Some(Format::Pkcs1Private)
    } else if pkcs1::RsaPublicKey::from_der(der).is_ok() {
        Some(Format::Pkcs1Public)
    } else if sec1::EcPrivateKey::from_der(der).is_ok() {
        Some(Format::Sec1)
    } else {
        None
    }
}

/// A public structure that does not parse: der's message (a tag, a length, an offset:
/// nothing secret in a public key), escaped and cut.
fn invalid(what: &str, e: impl std::fmt::Display) -> Error {
    Error::KeyInvalid(format!("{what}: {}", tidy(&e.to_string(), 96)))
}

/// A private structure that does not parse: only that. der's message can name a tag
/// byte, a length or an offset inside the private key, each a piece of it.
fn invalid_private(what: &str) -> Error {
    Error::KeyInvalid(format!("{what}: not valid DER"))
}

fn parse_as(format: Format, der: &[u8]) -> Result<Key> {
    match format {
        Format::Pkcs8 => pkcs8_private(der),
        Format::Pkcs1Private => rsa_private_pkcs1(der, RsaKeyPair::from_der(der)),
        Format::Pkcs1Public => {
            let k = pkcs1::RsaPublicKey::from_der(der).map_err(|e| invalid("PKCS#1 RSA public key", e))?;
            rsa_public(k.modulus.as_bytes(), k.public_exponent.as_bytes())
        }
        Format::Sec1 => sec1_private(der, None),
        Format::Spki => spki_public(der),
        Format::Certificate => {
            let cert = x509_cert::Certificate::from_der(der).map_err(|e| invalid("X.509 certificate", e))?;
            let spki = cert
                .tbs_certificate
                .subject_public_key_info
                .to_der()
                .map_err(|e| invalid("X.509 certificate public key", e))?;
            spki_public(&spki)
        }
    }
}

fn unsupported_algorithm(oid: Oid) -> Error {
    let name = match oid {
        ID_RSASSA_PSS => "RSASSA-PSS-restricted keys (id-RSASSA-PSS); use a plain rsaEncryption key",
        ID_X_25519 => "X25519 keys (key agreement, not signatures)",
        ID_ED_448 => "Ed448 keys",
        _ => return Error::KeyUnsupported(format!("key algorithm {oid} is not supported")),
    };
    Error::KeyUnsupported(format!("{name} are not supported"))
}

fn pkcs8_private(der: &[u8]) -> Result<Key> {
    let info = pkcs8::PrivateKeyInfo::from_der(der).map_err(|_| invalid_private("PKCS#8 private key"))?;
    match info.algorithm.oid {
        RSA_ENCRYPTION => rsa_private_pkcs1(info.private_key, RsaKeyPair::from_pkcs8(der)),
        ID_EC_PUBLIC_KEY => {
            let curve = info
                .algorithm
                .parameters_oid()
                .map_err(|_| Error::KeyInvalid("PKCS#8 EC key without a named curve".into()))?;
            sec1_private(info.private_key, Some(curve_of(curve)?))
        }
        ID_ED_25519 => {
            let seed =
                OctetStringRef::from_der(info.private_key).map_err(|_| invalid_private("Ed25519 private key"))?;
            let private_der = ed25519_pkcs8(seed.as_bytes())?;
            // A PKCS#8 v2 key (RFC 5958) carries its public key: the backend derives the
            // seed's own and refuses the pair unless they are equal (signing with a wrong
            // public key would give the private key away).
            let pair = match info.public_key {
                Some(public) => Ed25519KeyPair::from_seed_and_public_key(seed.as_bytes(), public),
                None => Ed25519KeyPair::from_seed_unchecked(seed.as_bytes()),
            };
            let mut key = ed25519_private(pair)?;
            key.private_der = Some(private_der);
            Ok(key)
        }
        other => Err(unsupported_algorithm(other)),
    }
}

/// `pkcs1_der` is the RSAPrivateKey structure (alone, or inside PKCS#8); its members
/// also give the key's canonical PKCS#8 (none for a multi-prime key).
fn rsa_private_pkcs1(pkcs1_der: &[u8], pair: std::result::Result<RsaKeyPair, ring::error::KeyRejected>) -> Result<Key> {
    let k = pkcs1::RsaPrivateKey::from_der(pkcs1_der).map_err(|_| invalid_private("RSA private key"))?;
    let mut key = rsa_private(pair, k.modulus.as_bytes(), k.public_exponent.as_bytes())?;
    key.private_der = RsaPrivateParts::of_pkcs1(&k).and_then(|parts| rsa_pkcs8(&parts).ok());
    Ok(key)
}

fn sec1_private(der: &[u8], outer_curve: Option<Family>) -> Result<Key> {
    let ec = sec1::EcPrivateKey::from_der(der).map_err(|_| invalid_private("SEC1 EC private key"))?;
    let inner_curve = match ec.parameters.and_then(|p| p.named_curve()) {
        Some(oid) => Some(curve_of(oid)?),
        None => None,
    };
    let curve = match (outer_curve, inner_curve) {
        (Some(a), Some(b)) if a != b => return Err(Error::KeyInvalid("EC key names two different curves".into())),
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => return Err(Error::KeyInvalid("EC private key does not name its curve".into())),
    };
    ec_private(curve, ec.private_key, ec.public_key)
}

fn spki_public(der: &[u8]) -> Result<Key> {
    let info = spki::SubjectPublicKeyInfoRef::from_der(der).map_err(|e| invalid("SPKI public key", e))?;
    let bits = info
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| Error::KeyInvalid("SPKI public key has unused bits".into()))?;
    match info.algorithm.oid {
        RSA_ENCRYPTION => {
            let k = pkcs1::RsaPublicKey::from_der(bits).map_err(|e| invalid("RSA public key", e))?;
            rsa_public(k.modulus.as_bytes(), k.public_exponent.as_bytes())
        }
        ID_EC_PUBLIC_KEY => {
            let curve = info
                .algorithm
                .parameters_oid()
                .map_err(|_| Error::KeyInvalid("EC public key without a named curve".into()))?;
            ec_public(curve_of(curve)?, bits)
        }
        ID_ED_25519 => ed25519_public(bits),
        other => Err(unsupported_algorithm(other)),
    }
}

#[cfg(test)]
mod tests {
    use crate::key::material::Key;

    /// Reading a private key keeps its canonical PKCS#8, whatever the format it came in.
    #[test]
    fn private_keys_keep_their_canonical_pkcs8() {
        let rsa = include_bytes!("../../tests/keys/rsa2048.pkcs8.der");
        for key in [
            Key::from_pem(include_bytes!("../../tests/keys/rsa2048.pkcs1.pem")),
            Key::from_der(include_bytes!("../../tests/keys/rsa2048.pkcs1.der")),
            Key::from_pem(include_bytes!("../../tests/keys/rsa2048.pkcs8.pem")),
            Key::from_der(rsa),
        ] {
            assert_eq!(&key.unwrap().to_private_der().unwrap()[..], &rsa[..]);
        }
        let ed = include_bytes!("../../tests/keys/ed25519.pkcs8.der");
        for key in [Key::from_pem(include_bytes!("../../tests/keys/ed25519.pkcs8.pem")), Key::from_der(ed)] {
            assert_eq!(&key.unwrap().to_private_der().unwrap()[..], &ed[..]);
        }
        let ec = Key::from_der(include_bytes!("../../tests/keys/ecp256.pkcs8.der")).unwrap().to_private_der().unwrap();
        for key in [
            Key::from_pem(include_bytes!("../../tests/keys/ecp256.sec1.pem")),
            Key::from_der(include_bytes!("../../tests/keys/ecp256.sec1.der")),
            Key::from_pem(include_bytes!("../../tests/keys/ecp256.with-params.pem")),
        ] {
            assert_eq!(key.unwrap().to_private_der().unwrap(), ec);
        }
        // Public structures have no private half to keep.
        for key in [
            Key::from_pem(include_bytes!("../../tests/keys/rsa2048.cert.pem")),
            Key::from_der(include_bytes!("../../tests/keys/ed25519.spki.der")),
        ] {
            assert!(key.unwrap().to_private_der().is_err());
        }
    }
}
