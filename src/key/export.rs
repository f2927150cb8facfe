//! Key export: the public half of any key as a JWK, SPKI DER or PEM; the private half
//! (JWK, PKCS#8 DER or PEM) only through the functions named `private`; RFC 7638
//! thumbprints; and the canonical PKCS#8 form `Key` keeps of its private half, since
//! ring never gives private components back. Everything secret passes through
//! `Zeroizing` buffers.

use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier as Oid, OctetStringRef, UintRef};
use der::{Decode, Encode};
use ring::signature::KeyPair as _;
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use crate::alg::Family;
use crate::b64;
use crate::error::{Error, Result};
use crate::key::{self, Key, Material};

const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
const P384: Oid = Oid::new_unwrap("1.3.132.0.34");
const P521: Oid = Oid::new_unwrap("1.3.132.0.35");

fn curve_oid(family: Family) -> &'static Oid {
    match family {
        Family::EcP256 => &P256,
        Family::EcP384 => &P384,
        _ => &P521,
    }
}

fn encoding(what: &str) -> impl Fn(der::Error) -> Error + '_ {
    move |e| Error::KeyInvalid(format!("{what}: cannot encode ({e})"))
}

// ---- the canonical PKCS#8 form of private keys ----

/// The members of an RSA private key (big-endian, as in a JWK or PKCS#1).
pub(crate) struct RsaPrivateParts<'a> {
    pub n: &'a [u8],
    pub e: &'a [u8],
    pub d: &'a [u8],
    pub p: &'a [u8],
    pub q: &'a [u8],
    pub dp: &'a [u8],
    pub dq: &'a [u8],
    pub qi: &'a [u8],
}

fn wrap_pkcs8(algorithm: AlgorithmIdentifierRef<'_>, private_key: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let info = pkcs8::PrivateKeyInfo { algorithm, private_key, public_key: None };
    Ok(Zeroizing::new(info.to_der().map_err(encoding("PKCS#8"))?))
}

/// PKCS#8 (RFC 5208) holding a PKCS#1 RSAPrivateKey (RFC 8017 A.1.2).
pub(crate) fn rsa_pkcs8(parts: &RsaPrivateParts<'_>) -> Result<Zeroizing<Vec<u8>>> {
    let fields = [parts.n, parts.e, parts.d, parts.p, parts.q, parts.dp, parts.dq, parts.qi];
    let u = |i: usize| UintRef::new(key::trim_be(fields[i])).map_err(encoding("RSA private key"));
    let pkcs1 = pkcs1::RsaPrivateKey {
        modulus: u(0)?,
        public_exponent: u(1)?,
        private_exponent: u(2)?,
        prime1: u(3)?,
        prime2: u(4)?,
        exponent1: u(5)?,
        exponent2: u(6)?,
        coefficient: u(7)?,
        other_prime_infos: None,
    };
    let inner = Zeroizing::new(pkcs1.to_der().map_err(encoding("RSA private key"))?);
    wrap_pkcs8(AlgorithmIdentifierRef { oid: RSA_ENCRYPTION, parameters: Some(AnyRef::NULL) }, &inner)
}

/// PKCS#8 holding a SEC1 ECPrivateKey (RFC 5915) with its public point: the form ring
/// generates, which OpenSSL and ring both read. `scalar` is padded to the curve size.
pub(crate) fn ec_pkcs8(family: Family, scalar: &[u8], point: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let ec = sec1::EcPrivateKey { private_key: scalar, parameters: None, public_key: Some(point) };
    let inner = Zeroizing::new(ec.to_der().map_err(encoding("EC private key"))?);
    let algorithm = AlgorithmIdentifierRef { oid: EC_PUBLIC_KEY, parameters: Some(AnyRef::from(curve_oid(family))) };
    wrap_pkcs8(algorithm, &inner)
}

/// PKCS#8 v1 holding an Ed25519 seed (RFC 8410 §7).
pub(crate) fn ed25519_pkcs8(seed: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    if seed.len() != 32 {
        return Err(Error::KeyInvalid(format!("Ed25519 private key must be 32 bytes, got {}", seed.len())));
    }
    let inner = Zeroizing::new(OctetStringRef::new(seed).and_then(|o| o.to_der()).map_err(encoding("Ed25519 private key"))?);
    wrap_pkcs8(AlgorithmIdentifierRef { oid: ED25519, parameters: None }, &inner)
}

// ---- public halves ----

/// The public half of an asymmetric key, in the form JWK and SPKI both derive from.
#[derive(PartialEq, Eq)]
pub(crate) enum PublicParts {
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// Uncompressed SEC1 point.
    Ec { family: Family, point: Vec<u8> },
    Ed25519(Vec<u8>),
}

pub(crate) fn public_parts(key: &Key) -> Result<PublicParts> {
    Ok(match &key.material {
        Material::Secret { .. } => {
            return Err(Error::InvalidArgument(
                "an HMAC secret has no public half; only its private JWK can be exported".into(),
            ))
        }
        Material::RsaPrivate(pair) => {
            let c = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
            PublicParts::Rsa { n: key::trim_be(&c.n).to_vec(), e: key::trim_be(&c.e).to_vec() }
        }
        Material::RsaPublic { n, e } => PublicParts::Rsa { n: n.clone(), e: e.clone() },
        Material::EcPrivate { family, pair } => PublicParts::Ec { family: *family, point: pair.public_key().as_ref().to_vec() },
        Material::EcPublic { family, point } => PublicParts::Ec { family: *family, point: point.clone() },
        Material::P521Private(k) => {
            PublicParts::Ec { family: Family::EcP521, point: k.1.to_encoded_point(false).as_bytes().to_vec() }
        }
        Material::P521Public(vk) => {
            PublicParts::Ec { family: Family::EcP521, point: vk.to_encoded_point(false).as_bytes().to_vec() }
        }
        Material::Ed25519Private(pair) => PublicParts::Ed25519(pair.public_key().as_ref().to_vec()),
        Material::Ed25519Public(x) => PublicParts::Ed25519(x.to_vec()),
        Material::X25519Private(_) | Material::X25519Public(_) => {
            return Err(Error::KeyUnsupported("exporting X25519 keys is not implemented".into()))
        }
    })
}

fn spki_der(public: &PublicParts) -> Result<Vec<u8>> {
    let rsa_key;
    let (algorithm, bits): (AlgorithmIdentifierRef<'_>, &[u8]) = match public {
        PublicParts::Rsa { n, e } => {
            let k = pkcs1::RsaPublicKey {
                modulus: UintRef::new(n).map_err(encoding("RSA public key"))?,
                public_exponent: UintRef::new(e).map_err(encoding("RSA public key"))?,
            };
            rsa_key = k.to_der().map_err(encoding("RSA public key"))?;
            (AlgorithmIdentifierRef { oid: RSA_ENCRYPTION, parameters: Some(AnyRef::NULL) }, &rsa_key)
        }
        PublicParts::Ec { family, point } => (
            AlgorithmIdentifierRef { oid: EC_PUBLIC_KEY, parameters: Some(AnyRef::from(curve_oid(*family))) },
            point,
        ),
        PublicParts::Ed25519(x) => (AlgorithmIdentifierRef { oid: ED25519, parameters: None }, x),
    };
    let spki = SubjectPublicKeyInfoRef {
        algorithm,
        subject_public_key: BitStringRef::from_bytes(bits).map_err(encoding("SPKI"))?,
    };
    spki.to_der().map_err(encoding("SPKI"))
}

// ---- recovering the private half of keys read by key_der ----

/// The canonical PKCS#8 and the public half of a PKCS#8 or PKCS#1 RSA / Ed25519 key.
fn parse_private(der: &[u8]) -> Option<(Zeroizing<Vec<u8>>, PublicParts)> {
    let rsa = |k: pkcs1::RsaPrivateKey<'_>| -> Option<(Zeroizing<Vec<u8>>, PublicParts)> {
        if k.other_prime_infos.is_some() {
            return None;
        }
        let parts = RsaPrivateParts {
            n: k.modulus.as_bytes(),
            e: k.public_exponent.as_bytes(),
            d: k.private_exponent.as_bytes(),
            p: k.prime1.as_bytes(),
            q: k.prime2.as_bytes(),
            dp: k.exponent1.as_bytes(),
            dq: k.exponent2.as_bytes(),
            qi: k.coefficient.as_bytes(),
        };
        let public = PublicParts::Rsa { n: key::trim_be(parts.n).to_vec(), e: key::trim_be(parts.e).to_vec() };
        Some((rsa_pkcs8(&parts).ok()?, public))
    };
    if let Ok(info) = pkcs8::PrivateKeyInfo::from_der(der) {
        return match info.algorithm.oid {
            RSA_ENCRYPTION => rsa(pkcs1::RsaPrivateKey::from_der(info.private_key).ok()?),
            ED25519 => {
                let seed = OctetStringRef::from_der(info.private_key).ok()?;
                let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(seed.as_bytes()).ok()?;
                let public = PublicParts::Ed25519(pair.public_key().as_ref().to_vec());
                Some((ed25519_pkcs8(seed.as_bytes()).ok()?, public))
            }
            _ => None,
        };
    }
    rsa(pkcs1::RsaPrivateKey::from_der(der).ok()?)
}

/// The DER of every `PRIVATE KEY` / `RSA PRIVATE KEY` block of a PEM document.
fn pem_private_blocks(pem: &[u8]) -> Vec<Zeroizing<Vec<u8>>> {
    let Ok(text) = std::str::from_utf8(pem) else { return Vec::new() };
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let block = &rest[start..];
        let Some(label_len) = block[11..].find("-----") else { break };
        let label = &block[11..11 + label_len];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = block.find(&end_marker) else { break };
        let armoured = crate::key_der::lf_only(&block[..end + end_marker.len()]);
        rest = &block[end + end_marker.len()..];
        if label == "PRIVATE KEY" || label == "RSA PRIVATE KEY" {
            if let Ok((_, der)) = pem_rfc7468::decode_vec(armoured.as_bytes()) {
                out.push(Zeroizing::new(der));
            }
        }
    }
    out
}

/// Keeps the private half of an RSA or Ed25519 key just read from PEM or DER (EC keys
/// keep theirs in `key::ec_private`). The block is found again and must have the very
/// public key ring accepted, so a document with several keys cannot attach the wrong one.
pub(crate) fn attach_private_der(key: &mut Key, input: &[u8], pem: bool) {
    if key.private_der.is_some() || !matches!(key.material, Material::RsaPrivate(_) | Material::Ed25519Private(_)) {
        return;
    }
    let Ok(want) = public_parts(key) else { return };
    let ders = if pem { pem_private_blocks(input) } else { vec![Zeroizing::new(input.to_vec())] };
    for der in &ders {
        if let Some((doc, public)) = parse_private(der) {
            if public == want {
                key.private_der = Some(doc);
                return;
            }
        }
    }
}

// ---- JWK text ----

/// JWK members as (name, JSON-encoded value), written sorted by name, with no
/// whitespace (the RFC 7638 form when only the required members are present).
struct Members(Vec<(&'static str, Zeroizing<String>)>);

impl Members {
    fn b64(&mut self, name: &'static str, bytes: &[u8]) {
        let encoded = Zeroizing::new(b64::encode(bytes));
        let mut v = Zeroizing::new(String::with_capacity(encoded.len() + 2));
        v.push('"');
        v.push_str(&encoded);
        v.push('"');
        self.0.push((name, v));
    }

    fn text(&mut self, name: &'static str, value: &str) {
        let json = serde_json::to_string(value).unwrap_or_else(|_| "\"\"".into());
        self.0.push((name, Zeroizing::new(json)));
    }

    fn json(mut self) -> Zeroizing<String> {
        self.0.sort_by(|a, b| a.0.cmp(b.0));
        let len = self.0.iter().map(|(n, v)| n.len() + v.len() + 4).sum::<usize>() + 2;
        let mut out = Zeroizing::new(String::with_capacity(len));
        out.push('{');
        for (i, (name, value)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(name);
            out.push_str("\":");
            out.push_str(value);
        }
        out.push('}');
        out
    }
}

/// The members RFC 7638 §3.2 requires for a public key.
fn public_members(public: &PublicParts) -> Members {
    let mut m = Members(Vec::new());
    match public {
        PublicParts::Rsa { n, e } => {
            m.text("kty", "RSA");
            m.b64("n", n);
            m.b64("e", e);
        }
        PublicParts::Ec { family, point } => {
            let len = key::coordinate_len(*family);
            m.text("kty", "EC");
            m.text("crv", key::curve_name(*family));
            m.b64("x", &point[1..1 + len]);
            m.b64("y", &point[1 + len..]);
        }
        PublicParts::Ed25519(x) => {
            m.text("kty", "OKP");
            m.text("crv", "Ed25519");
            m.b64("x", x);
        }
    }
    m
}

/// `kid`, `alg`, `use` and `key_ops` as the key was given them. A public export maps
/// `key_ops` to their public counterparts (`sign` becomes `verify`).
fn metadata(key: &Key, m: &mut Members, public_only: bool) {
    let r = &key.restrictions;
    if let Some(kid) = &r.kid {
        m.text("kid", kid);
    }
    if let Some(alg) = &r.alg {
        m.text("alg", alg);
    }
    if let Some(use_) = &r.use_ {
        m.text("use", use_);
    }
    if let Some(ops) = &r.key_ops {
        // The public half serves the public counterpart of each private operation
        // (RFC 7517 §4.3): a signing key's public JWK verifies.
        let public_op = |op: &str| -> Option<&'static str> {
            match op {
                "sign" | "verify" => Some("verify"),
                "decrypt" | "encrypt" => Some("encrypt"),
                "unwrapKey" | "wrapKey" => Some("wrapKey"),
                _ => None,
            }
        };
        let mut kept: Vec<&str> = Vec::new();
        for op in ops {
            let op = if public_only { public_op(op) } else { Some(op.as_str()) };
            if let Some(op) = op.filter(|op| !kept.contains(op)) {
                kept.push(op);
            }
        }
        let json = serde_json::to_string(&kept).unwrap_or_else(|_| "[]".into());
        m.0.push(("key_ops", Zeroizing::new(json)));
    }
}

fn no_private_half() -> Error {
    Error::InvalidArgument("the key is public: it has no private half to export".into())
}

fn private_der(key: &Key) -> Result<&[u8]> {
    if !key.is_private() || matches!(key.material, Material::Secret { .. }) {
        return Err(match key.material {
            Material::Secret { .. } => Error::InvalidArgument("an HMAC secret has no PKCS#8 form; export it as a private JWK".into()),
            _ => no_private_half(),
        });
    }
    key.private_der
        .as_deref()
        .map(|v| v.as_slice())
        .ok_or_else(|| Error::KeyUnsupported("the private half of this key is not available for export".into()))
}

impl Key {
    /// The public half as a JWK (RFC 7517, members sorted, no whitespace), with the
    /// key's `kid`, `alg`, `use` and public `key_ops`. HMAC secrets have none
    /// (`InvalidArgument`).
    pub fn to_public_jwk(&self) -> Result<String> {
        let mut m = public_members(&public_parts(self)?);
        metadata(self, &mut m, true);
        Ok(m.json().to_string())
    }

    /// The whole key as a JWK, private members included: for HMAC secrets the only
    /// export. Public keys have no private half (`InvalidArgument`). The text is secret.
    pub fn to_private_jwk(&self) -> Result<Zeroizing<String>> {
        let mut m = Members(Vec::new());
        if let Material::Secret { secret, .. } = &self.material {
            m.text("kty", "oct");
            m.b64("k", secret);
            metadata(self, &mut m, false);
            return Ok(m.json());
        }
        let der = private_der(self)?;
        let public = public_parts(self)?;
        let broken = || Error::KeyInvalid("stored private key does not decode".into());
        let info = pkcs8::PrivateKeyInfo::from_der(der).map_err(|_| broken())?;
        m = public_members(&public);
        match &public {
            PublicParts::Rsa { .. } => {
                let k = pkcs1::RsaPrivateKey::from_der(info.private_key).map_err(|_| broken())?;
                m.b64("d", k.private_exponent.as_bytes());
                m.b64("p", k.prime1.as_bytes());
                m.b64("q", k.prime2.as_bytes());
                m.b64("dp", k.exponent1.as_bytes());
                m.b64("dq", k.exponent2.as_bytes());
                m.b64("qi", k.coefficient.as_bytes());
            }
            PublicParts::Ec { family, .. } => {
                let k = sec1::EcPrivateKey::from_der(info.private_key).map_err(|_| broken())?;
                let len = key::coordinate_len(*family);
                let mut d = Zeroizing::new(vec![0u8; len]);
                let scalar = key::trim_be(k.private_key);
                if scalar.len() > len {
                    return Err(broken());
                }
                d[len - scalar.len()..].copy_from_slice(scalar);
                m.b64("d", &d);
            }
            PublicParts::Ed25519(_) => {
                let seed = OctetStringRef::from_der(info.private_key).map_err(|_| broken())?;
                m.b64("d", seed.as_bytes());
            }
        }
        metadata(self, &mut m, false);
        Ok(m.json())
    }

    /// The public half as DER SubjectPublicKeyInfo (RFC 5280, 3279, 5480, 8410).
    pub fn to_public_der(&self) -> Result<Vec<u8>> {
        spki_der(&public_parts(self)?)
    }

    /// The public half as PEM `PUBLIC KEY` (SPKI), LF line endings.
    pub fn to_public_pem(&self) -> Result<String> {
        let der = self.to_public_der()?;
        pem_rfc7468::encode_string("PUBLIC KEY", pem_rfc7468::LineEnding::LF, &der)
            .map_err(|e| Error::KeyInvalid(format!("PEM: cannot encode ({e})")))
    }

    /// The private key as DER PKCS#8 v1 (RFC 5208): RSA (PKCS#1 inside), EC (SEC1
    /// inside, with its public point), Ed25519 (RFC 8410). Secret.
    pub fn to_private_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        Ok(Zeroizing::new(private_der(self)?.to_vec()))
    }

    /// The private key as PEM `PRIVATE KEY` (PKCS#8), LF line endings. Secret.
    pub fn to_private_pem(&self) -> Result<Zeroizing<String>> {
        let der = private_der(self)?;
        pem_rfc7468::encode_string("PRIVATE KEY", pem_rfc7468::LineEnding::LF, der)
            .map(Zeroizing::new)
            .map_err(|e| Error::KeyInvalid(format!("PEM: cannot encode ({e})")))
    }

    /// The RFC 7638 JWK thumbprint: base64url(SHA-256(required members, sorted, no
    /// whitespace)). Suitable as a `kid`. For an HMAC secret it hashes the secret
    /// (RFC 7638 §3.2 `k`), which is safe only for secrets too long to guess.
    pub fn thumbprint(&self) -> Result<String> {
        let members = match &self.material {
            Material::Secret { secret, .. } => {
                let mut m = Members(Vec::new());
                m.text("kty", "oct");
                m.b64("k", secret);
                m
            }
            _ => public_members(&public_parts(self)?),
        };
        let json = members.json();
        Ok(b64::encode(ring::digest::digest(&ring::digest::SHA256, json.as_bytes()).as_ref()))
    }

    /// A new key with the same material and restrictions and `kid` replaced (None
    /// removes it). Keys are immutable, so this rebuilds the key from its own export.
    pub fn with_kid(&self, kid: Option<&str>) -> Result<Key> {
        let mut key = match &self.material {
            Material::Secret { secret, allow_short: true, .. } => Key::from_secret_legacy(secret)?,
            Material::Secret { secret, .. } => Key::from_secret(secret)?,
            _ if self.is_private() => Key::from_der(private_der(self)?)?,
            _ => Key::from_der(&self.to_public_der()?)?,
        };
        key.restrictions = self.restrictions.clone();
        key.restrictions.kid = kid.map(str::to_owned);
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7638_thumbprint_of_the_rfc_rsa_key() {
        // RFC 7638 §3.1
        let jwk = br#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#;
        let key = Key::from_jwk(jwk).unwrap();
        assert_eq!(key.thumbprint().unwrap(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    #[test]
    fn exports_round_trip_for_every_generated_kind() {
        for alg in [
            crate::Algorithm::HS384,
            crate::Algorithm::ES256,
            crate::Algorithm::ES384,
            crate::Algorithm::ES512,
            crate::Algorithm::EdDSA,
        ] {
            let key = Key::generate(alg).unwrap();
            let again = Key::from_jwk(key.to_private_jwk().unwrap().as_bytes()).unwrap();
            assert_eq!(again.thumbprint().unwrap(), key.thumbprint().unwrap(), "{alg:?}");
            if alg != crate::Algorithm::HS384 {
                let der = key.to_private_der().unwrap();
                let from_pem = Key::from_pem(key.to_private_pem().unwrap().as_bytes()).unwrap();
                assert_eq!(from_pem.to_private_der().unwrap(), der, "{alg:?}");
                assert_eq!(again.to_private_der().unwrap(), der, "{alg:?}");
                let public = Key::from_pem(key.to_public_pem().unwrap().as_bytes()).unwrap();
                assert_eq!(public.to_public_der().unwrap(), key.to_public_der().unwrap());
            }
        }
    }
}
