//! Key export: the public half of any key as a JWK, SPKI DER or PEM; the private half
//! (JWK, PKCS#8 DER or PEM) only through the functions named `private`, from the
//! canonical PKCS#8 the key keeps; RFC 7638 thumbprints; and `Key::with_kid`.
//! Everything secret passes through `Zeroizing` buffers.

use der::asn1::{AnyRef, BitStringRef, OctetStringRef, UintRef};
use der::{Decode, Encode};
use ring::signature::KeyPair as _;
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use crate::alg::Family;
use crate::b64;
use crate::error::{Error, Result};
use crate::key::checked::{coordinate_len, curve_name};
use crate::key::material::{trim_be, Key, Material};
use crate::key::pkcs8::{curve_oid, encoding, ID_EC_PUBLIC_KEY, ID_ED_25519, RSA_ENCRYPTION};

// ---- public halves ----

/// The public half of an asymmetric key, in the form JWK and SPKI both derive from.
enum PublicParts {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// Uncompressed SEC1 point.
    Ec {
        family: Family,
        point: Vec<u8>,
    },
    Ed25519(Vec<u8>),
}

fn public_parts(key: &Key) -> Result<PublicParts> {
    Ok(match &key.material {
        Material::Secret { .. } => {
            return Err(Error::InvalidArgument(
                "an HMAC secret has no public half; only its private JWK can be exported".into(),
            ))
        }
        Material::RsaPrivate(pair) => {
            let c = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
            PublicParts::Rsa { n: trim_be(&c.n).to_vec(), e: trim_be(&c.e).to_vec() }
        }
        Material::RsaPublic { n, e } => PublicParts::Rsa { n: n.clone(), e: e.clone() },
        Material::EcPrivate { family, pair } => {
            PublicParts::Ec { family: *family, point: pair.public_key().as_ref().to_vec() }
        }
        Material::EcPublic { family, point } => PublicParts::Ec { family: *family, point: point.clone() },
        Material::EcPrivateExtra { family, point, .. } => PublicParts::Ec { family: *family, point: point.clone() },
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
            AlgorithmIdentifierRef { oid: ID_EC_PUBLIC_KEY, parameters: Some(AnyRef::from(curve_oid(*family))) },
            point,
        ),
        PublicParts::Ed25519(x) => (AlgorithmIdentifierRef { oid: ID_ED_25519, parameters: None }, x),
    };
    let spki = SubjectPublicKeyInfoRef {
        algorithm,
        subject_public_key: BitStringRef::from_bytes(bits).map_err(encoding("SPKI"))?,
    };
    spki.to_der().map_err(encoding("SPKI"))
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
            let len = coordinate_len(*family);
            m.text("kty", "EC");
            m.text("crv", curve_name(*family));
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
            Material::Secret { .. } => {
                Error::InvalidArgument("an HMAC secret has no PKCS#8 form; export it as a private JWK".into())
            }
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
                let len = coordinate_len(*family);
                let mut d = Zeroizing::new(vec![0u8; len]);
                let scalar = trim_be(k.private_key);
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

    /// The public half as the JWK of RFC 7638's required members only (sorted, no
    /// whitespace; no `kid`, `alg`, `use` or `key_ops`): what a DPoP proof carries in
    /// its `jwk` header, and exactly what [`thumbprint`](Self::thumbprint) hashes.
    /// HMAC secrets have no public half (`InvalidArgument`).
    pub fn to_minimal_public_jwk(&self) -> Result<String> {
        Ok(public_members(&public_parts(self)?).json().to_string())
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
            crate::Algorithm::ES256K,
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
