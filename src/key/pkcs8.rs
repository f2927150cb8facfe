//! The object identifiers of key algorithms and curves, defined once for import and
//! export, and the canonical PKCS#8 form of a private key: PKCS#8 v1 holding PKCS#1
//! (RSA), SEC1 with its public point (EC) or the RFC 8410 seed (Ed25519). `Key` keeps
//! its private half in this form, since ring never gives private components back;
//! export writes it out and JWE reads it. Everything secret passes through `Zeroizing`
//! buffers.

use der::asn1::{AnyRef, ObjectIdentifier as Oid, OctetStringRef, UintRef};
use der::Encode;
use spki::AlgorithmIdentifierRef;
use zeroize::Zeroizing;

use crate::alg::Family;
use crate::error::{Error, Result};
use crate::key::material::trim_be;

// const-oid's database (its `db` feature, which x509-cert turns on).
pub(crate) use der::oid::db::rfc5912::{
    ID_EC_PUBLIC_KEY, ID_RSASSA_PSS, RSA_ENCRYPTION, SECP_256_R_1, SECP_384_R_1, SECP_521_R_1,
};
pub(crate) use der::oid::db::rfc8410::{ID_ED_25519, ID_ED_448, ID_X_25519};

/// secp256k1 (SEC 2, 1.3.132.0.10). const-oid's database lacks it; the curve's own crate
/// defines it.
pub(crate) const SECP_256_K_1: Oid = <k256::Secp256k1 as pkcs8::AssociatedOid>::OID;

/// The named-curve OID of an EC family.
pub(crate) fn curve_oid(family: Family) -> &'static Oid {
    match family {
        Family::EcP256 => &SECP_256_R_1,
        Family::EcP384 => &SECP_384_R_1,
        Family::EcSecp256k1 => &SECP_256_K_1,
        _ => &SECP_521_R_1,
    }
}

/// The EC family a named-curve OID stands for; other curves are refused.
pub(crate) fn curve_of(oid: Oid) -> Result<Family> {
    match oid {
        SECP_256_R_1 => Ok(Family::EcP256),
        SECP_384_R_1 => Ok(Family::EcP384),
        SECP_521_R_1 => Ok(Family::EcP521),
        SECP_256_K_1 => Ok(Family::EcSecp256k1),
        other => Err(Error::KeyUnsupported(format!("EC curve {other} is not supported"))),
    }
}

pub(crate) fn encoding(what: &str) -> impl Fn(der::Error) -> Error + '_ {
    move |e| Error::KeyInvalid(format!("{what}: cannot encode ({e})"))
}

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

impl<'a> RsaPrivateParts<'a> {
    /// The members of a parsed PKCS#1 RSAPrivateKey; None for a multi-prime key, which
    /// has no canonical form here.
    pub(crate) fn of_pkcs1(k: &pkcs1::RsaPrivateKey<'a>) -> Option<Self> {
        if k.other_prime_infos.is_some() {
            return None;
        }
        Some(RsaPrivateParts {
            n: k.modulus.as_bytes(),
            e: k.public_exponent.as_bytes(),
            d: k.private_exponent.as_bytes(),
            p: k.prime1.as_bytes(),
            q: k.prime2.as_bytes(),
            dp: k.exponent1.as_bytes(),
            dq: k.exponent2.as_bytes(),
            qi: k.coefficient.as_bytes(),
        })
    }
}

fn wrap_pkcs8(algorithm: AlgorithmIdentifierRef<'_>, private_key: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let info = pkcs8::PrivateKeyInfo { algorithm, private_key, public_key: None };
    Ok(Zeroizing::new(info.to_der().map_err(encoding("PKCS#8"))?))
}

/// PKCS#8 (RFC 5208) holding a PKCS#1 RSAPrivateKey (RFC 8017 A.1.2).
pub(crate) fn rsa_pkcs8(parts: &RsaPrivateParts<'_>) -> Result<Zeroizing<Vec<u8>>> {
    let fields = [parts.n, parts.e, parts.d, parts.p, parts.q, parts.dp, parts.dq, parts.qi];
    let u = |i: usize| UintRef::new(trim_be(fields[i])).map_err(encoding("RSA private key"));
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
    let algorithm = AlgorithmIdentifierRef { oid: ID_EC_PUBLIC_KEY, parameters: Some(AnyRef::from(curve_oid(family))) };
    wrap_pkcs8(algorithm, &inner)
}

/// PKCS#8 v1 holding an Ed25519 seed (RFC 8410 §7).
pub(crate) fn ed25519_pkcs8(seed: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    if seed.len() != 32 {
        return Err(Error::KeyInvalid(format!("Ed25519 private key must be 32 bytes, got {}", seed.len())));
    }
    let inner =
        Zeroizing::new(OctetStringRef::new(seed).and_then(|o| o.to_der()).map_err(encoding("Ed25519 private key"))?);
    wrap_pkcs8(AlgorithmIdentifierRef { oid: ID_ED_25519, parameters: None }, &inner)
}
