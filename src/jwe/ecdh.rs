//! ECDH key agreement for `ECDH-ES` and `ECDH-ES+A*KW` (RFC 7518 §4.6, RFC 8037 §3.2):
//! P-256, P-384 and P-521 from RustCrypto's `p256`/`p384`/`p521` (`ecdh`), X25519 from
//! `x25519-dalek`. The sender makes an ephemeral key pair on the recipient's curve; the
//! recipient checks the token's `epk` is a point on its own curve (so an invalid-curve
//! point never reaches the multiplication) and refuses X25519 points that give an
//! all-zero secret (low order).

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::alg::Family;
use crate::b64;
use crate::error::{Error, Result};
use crate::key::{self, Key, Material};

fn epk_invalid(what: String) -> Error {
    Error::EpkInvalid(format!("header: `epk` {what}"))
}

/// The curve of a key usable for ECDH, or the error saying why it is not.
pub(crate) fn check_key(key: &Key, alg_name: &str) -> Result<Family> {
    match key.family() {
        f @ (Family::EcP256 | Family::EcP384 | Family::EcP521 | Family::X25519) => Ok(f),
        Family::EcSecp256k1 => Err(Error::KeyAlgMismatch(format!(
            "{alg_name}: secp256k1 is not a JWE curve (RFC 8812 registers it for ES256K signatures only); \
             use a P-256, P-384, P-521 or X25519 key"
        ))),
        other => Err(Error::KeyAlgMismatch(format!(
            "{alg_name} needs an EC (P-256, P-384, P-521) or X25519 key, but the key is {}",
            other.describe()
        ))),
    }
}

/// The recipient's public point, uncompressed SEC1 (EC keys).
fn ec_point(key: &Key) -> Result<Vec<u8>> {
    Ok(match &key.material {
        Material::EcPublic { point, .. } => point.clone(),
        Material::EcPrivate { pair, .. } => {
            use ring::signature::KeyPair as _;
            pair.public_key().as_ref().to_vec()
        }
        Material::EcPrivateExtra { point, .. } => point.clone(),
        _ => return Err(Error::KeyAlgMismatch("ECDH-ES: not an EC key".into())),
    })
}

/// The PKCS#8 document of an EC private key, where its scalar is kept.
fn ec_pkcs8(key: &Key) -> Result<&[u8]> {
    if !key.is_private() {
        return Err(Error::KeyCannotDecrypt(
            "decrypting ECDH-ES needs the recipient's private key, this key is public".into(),
        ));
    }
    key.private_der
        .as_deref()
        .map(|d| d.as_slice())
        .ok_or_else(|| Error::KeyUnsupported("this EC private key cannot be used for ECDH".into()))
}

fn coordinates(point: &[u8], len: usize) -> (&[u8], &[u8]) {
    (&point[1..1 + len], &point[1 + len..1 + 2 * len])
}

fn ec_epk(family: Family, point: &[u8]) -> Value {
    let len = key::coordinate_len(family);
    let (x, y) = coordinates(point, len);
    let mut m = Map::new();
    m.insert("kty".into(), "EC".into());
    m.insert("crv".into(), key::curve_name(family).into());
    m.insert("x".into(), b64::encode(x).into());
    m.insert("y".into(), b64::encode(y).into());
    Value::Object(m)
}

macro_rules! nist_ephemeral {
    ($curve:ident, $family:expr, $recipient:expr) => {{
        use $curve::elliptic_curve::sec1::ToEncodedPoint;
        let public = $curve::PublicKey::from_sec1_bytes($recipient)
            .map_err(|_| Error::KeyInvalid(format!("EC point is not a valid {} point", key::curve_name($family))))?;
        let ephemeral = $curve::SecretKey::random(&mut $curve::elliptic_curve::rand_core::OsRng);
        // The scalar copy is `Copy` with no drop of its own: wiped here (SecretKey wipes itself).
        let scalar = Zeroizing::new(ephemeral.to_nonzero_scalar());
        let shared = $curve::ecdh::diffie_hellman(&*scalar, public.as_affine());
        let epk = ec_epk($family, ephemeral.public_key().to_encoded_point(false).as_bytes());
        (Zeroizing::new(shared.raw_secret_bytes().to_vec()), epk)
    }};
}

macro_rules! nist_static {
    ($curve:ident, $pkcs8:expr, $point:expr, $family:expr) => {{
        use $curve::pkcs8::DecodePrivateKey as _;
        let secret = $curve::SecretKey::from_pkcs8_der($pkcs8)
            .map_err(|_| Error::KeyUnsupported("this EC private key cannot be used for ECDH".into()))?;
        let public = $curve::PublicKey::from_sec1_bytes($point)
            .map_err(|_| epk_invalid(format!("is not a valid {} point", key::curve_name($family))))?;
        let scalar = Zeroizing::new(secret.to_nonzero_scalar());
        let shared = $curve::ecdh::diffie_hellman(&*scalar, public.as_affine());
        Zeroizing::new(shared.raw_secret_bytes().to_vec())
    }};
}

/// For the sender: agrees on Z with a fresh ephemeral key on the recipient's curve.
/// Returns Z and the `epk` header member (the ephemeral public JWK).
pub(crate) fn agree_ephemeral(recipient: &Key, alg_name: &str) -> Result<(Zeroizing<Vec<u8>>, Value)> {
    let family = check_key(recipient, alg_name)?;
    Ok(match family {
        Family::EcP256 => nist_ephemeral!(p256, family, &ec_point(recipient)?),
        Family::EcP384 => nist_ephemeral!(p384, family, &ec_point(recipient)?),
        Family::EcP521 => nist_ephemeral!(p521, family, &ec_point(recipient)?),
        _ => {
            let public = match &recipient.material {
                Material::X25519Public(x) => x25519_dalek::PublicKey::from(*x),
                Material::X25519Private(s) => x25519_dalek::PublicKey::from(&**s),
                _ => unreachable!("family is X25519"),
            };
            let ephemeral = x25519_dalek::EphemeralSecret::random_from_rng(p256::elliptic_curve::rand_core::OsRng);
            let epk_public = x25519_dalek::PublicKey::from(&ephemeral);
            let shared = ephemeral.diffie_hellman(&public);
            if !shared.was_contributory() {
                return Err(Error::KeyInvalid("X25519 public key is of low order".into()));
            }
            let mut m = Map::new();
            m.insert("kty".into(), "OKP".into());
            m.insert("crv".into(), "X25519".into());
            m.insert("x".into(), b64::encode(epk_public.as_bytes()).into());
            (Zeroizing::new(shared.as_bytes().to_vec()), Value::Object(m))
        }
    })
}

fn member<'a>(epk: &'a Map<String, Value>, name: &str) -> Result<&'a str> {
    match epk.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(epk_invalid(format!("member `{name}` must be a string"))),
        None => Err(epk_invalid(format!("member `{name}` is required"))),
    }
}

fn coordinate(epk: &Map<String, Value>, name: &str, len: usize) -> Result<Vec<u8>> {
    let bytes = b64::decode(member(epk, name)?.as_bytes(), &format!("`epk` member `{name}`"))
        .map_err(|e| epk_invalid(e.to_string()))?;
    if bytes.len() != len {
        return Err(epk_invalid(format!("member `{name}` must be {len} bytes, got {}", bytes.len())));
    }
    Ok(bytes)
}

/// For the recipient: Z from its private key and the token's `epk`, which must be a
/// public key on the same curve (checked before any arithmetic).
pub(crate) fn agree_static(private: &Key, epk: Option<&Value>, alg_name: &str) -> Result<Zeroizing<Vec<u8>>> {
    let family = check_key(private, alg_name)?;
    let epk = match epk {
        Some(Value::Object(m)) => m,
        Some(_) => return Err(epk_invalid("must be a JSON object (a public JWK)".into())),
        None => return Err(Error::HeaderInvalid(format!("member `epk` is required for {alg_name}"))),
    };
    if epk.contains_key("d") {
        return Err(epk_invalid("must be a public key (it has `d`)".into()));
    }
    let (kty, crv) = (member(epk, "kty")?, member(epk, "crv")?);
    let want = key::curve_name(family);
    let want_kty = if family == Family::X25519 { "OKP" } else { "EC" };
    if kty != want_kty || crv != want {
        return Err(epk_invalid(format!(
            "is \"{}\"/\"{}\", but the recipient's key is {want_kty}/{want}",
            crate::error::excerpt(kty, 16),
            crate::error::excerpt(crv, 16)
        )));
    }
    if family == Family::X25519 {
        let x: [u8; 32] = coordinate(epk, "x", 32)?.try_into().expect("32 bytes");
        let secret = match &private.material {
            Material::X25519Private(s) => s,
            _ => {
                return Err(Error::KeyCannotDecrypt(
                    "decrypting ECDH-ES needs the recipient's private key, this key is public".into(),
                ))
            }
        };
        let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(x));
        if !shared.was_contributory() {
            return Err(epk_invalid("is an X25519 point of low order (the shared secret would be zero)".into()));
        }
        return Ok(Zeroizing::new(shared.as_bytes().to_vec()));
    }
    let len = key::coordinate_len(family);
    let mut point = Vec::with_capacity(1 + 2 * len);
    point.push(4);
    point.extend_from_slice(&coordinate(epk, "x", len)?);
    point.extend_from_slice(&coordinate(epk, "y", len)?);
    let pkcs8 = ec_pkcs8(private)?;
    Ok(match family {
        Family::EcP256 => nist_static!(p256, pkcs8, &point, family),
        Family::EcP384 => nist_static!(p384, pkcs8, &point, family),
        _ => nist_static!(p521, pkcs8, &point, family),
    })
}
