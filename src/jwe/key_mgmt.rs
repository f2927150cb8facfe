//! Key management (`alg`, RFC 7518 §4): how the content encryption key (CEK) reaches
//! the recipient. `dir` (a shared key is the CEK), `A128KW`/`A256KW` (RustCrypto
//! `aes-kw`), `ECDH-ES` and `ECDH-ES+A128KW`/`+A256KW` (`ecdh` + `concat_kdf`), and
//! `RSA-OAEP-256`/`RSA-OAEP` (RustCrypto `rsa`, blinded). `RSA1_5` is refused whatever
//! the policy; `PBES2-*`, the AES-GCM key wraps and AES-192 are not offered.
//!
//! A wrapped key that does not unwrap (or unwraps to the wrong length) is replaced by a
//! random CEK, so that the failure surfaces only as the content's tag mismatch: one
//! error, one message, whatever went wrong (RFC 7516 §11.5, Bleichenbacher/Manger).

use ring::rand::{SecureRandom, SystemRandom};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::alg::Family;
use crate::b64;
use crate::error::{Error, Result};
use crate::json::Object;
use crate::jwe::content::Enc;
use crate::jwe::{concat_kdf, ecdh};
use crate::key::{Key, Material, Restrictions};

/// The key management algorithms jwtkit implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alg {
    /// `dir`: the key is the content encryption key.
    Dir,
    /// `A128KW`: the content key wrapped with AES-128 key wrap (RFC 3394).
    A128Kw,
    /// `A256KW`: the content key wrapped with AES-256 key wrap (RFC 3394).
    A256Kw,
    /// `ECDH-ES`: the content key agreed directly by ECDH with an ephemeral key.
    EcdhEs,
    /// `ECDH-ES+A128KW`: ECDH-ES agrees a key that wraps the content key (AES-128 key wrap).
    EcdhEsA128Kw,
    /// `ECDH-ES+A256KW`: ECDH-ES agrees a key that wraps the content key (AES-256 key wrap).
    EcdhEsA256Kw,
    /// `RSA-OAEP-256`: RSAES-OAEP with SHA-256 and MGF1-SHA-256.
    RsaOaep256,
    /// RSAES-OAEP with SHA-1 and MGF1-SHA-1: only for legacy peers; a policy must name it.
    RsaOaep,
}

impl Alg {
    /// Every key management algorithm, in the order of the C numbering.
    pub const ALL: [Alg; 8] = [
        Alg::Dir,
        Alg::A128Kw,
        Alg::A256Kw,
        Alg::EcdhEs,
        Alg::EcdhEsA128Kw,
        Alg::EcdhEsA256Kw,
        Alg::RsaOaep256,
        Alg::RsaOaep,
    ];

    /// Whether the key is shared (`dir`, AES key wrap): only its holders can encrypt, so
    /// a token encrypted with it is also authenticated. With RSA or ECDH, anyone holding
    /// the public key can encrypt.
    pub fn is_shared_key(self) -> bool {
        matches!(self, Alg::Dir | Alg::A128Kw | Alg::A256Kw)
    }

    /// The registered name, as it appears in a header's `alg` (`"ECDH-ES+A256KW"`).
    pub fn name(self) -> &'static str {
        match self {
            Alg::Dir => "dir",
            Alg::A128Kw => "A128KW",
            Alg::A256Kw => "A256KW",
            Alg::EcdhEs => "ECDH-ES",
            Alg::EcdhEsA128Kw => "ECDH-ES+A128KW",
            Alg::EcdhEsA256Kw => "ECDH-ES+A256KW",
            Alg::RsaOaep256 => "RSA-OAEP-256",
            Alg::RsaOaep => "RSA-OAEP",
        }
    }

    /// Exact, case-sensitive match of a registered name. `RSA1_5` is `AlgInsecure`;
    /// every other name, registered or not, is `AlgUnsupported` with the reason.
    pub fn from_name(name: &str) -> Result<Alg> {
        if let Some(alg) = Alg::ALL.into_iter().find(|a| a.name() == name) {
            return Ok(alg);
        }
        let shown = crate::error::excerpt(name, 32);
        if name == "RSA1_5" {
            return Err(Error::AlgInsecure(
                "`RSA1_5` (RSAES-PKCS1-v1_5) is refused: its decryption is open to Bleichenbacher's \
                 padding-oracle attack; use RSA-OAEP-256"
                    .into(),
            ));
        }
        let why = if name.starts_with("PBES2-") {
            " (password-based encryption is not offered)"
        } else if name.ends_with("GCMKW") {
            " (AES-GCM key wrapping is not offered; use A128KW or A256KW)"
        } else if name.contains("192") {
            " (AES-192 is not offered)"
        } else if jws_name(name) {
            " for JWE (it is a JWS signature algorithm)"
        } else {
            ""
        };
        Err(Error::AlgUnsupported(format!("`{shown}` is not a supported key management algorithm{why}")))
    }

    /// The AES key wrap key length, for the algorithms that wrap the CEK with AES-KW.
    fn kw_len(self) -> Option<usize> {
        match self {
            Alg::A128Kw | Alg::EcdhEsA128Kw => Some(16),
            Alg::A256Kw | Alg::EcdhEsA256Kw => Some(32),
            _ => None,
        }
    }

    fn is_ecdh(self) -> bool {
        matches!(self, Alg::EcdhEs | Alg::EcdhEsA128Kw | Alg::EcdhEsA256Kw)
    }
}

fn jws_name(name: &str) -> bool {
    crate::alg::Algorithm::from_name(name).is_ok()
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Encrypt,
    Decrypt,
}

/// Every rule that binds `key` to `alg`/`enc` for `op`, checked before any
/// cryptography: kind and size, public/private, and the JWK's `alg`, `use`, `key_ops`.
pub(crate) fn check_key(key: &Key, alg: Alg, enc: Enc, op: Op) -> Result<()> {
    let r = &key.restrictions;
    if let Some(key_alg) = &r.alg {
        // A `dir` key may name the content encryption it is for (RFC 7520 §5.6).
        if key_alg != alg.name() && !(alg == Alg::Dir && key_alg == enc.name()) {
            return Err(Restrictions::alg_refused(key_alg, alg.name()));
        }
    }
    match op {
        Op::Encrypt if !r.may_encrypt => {
            return Err(Error::KeyUsage("the JWK's `use`/`key_ops` do not allow encryption".into()))
        }
        Op::Decrypt if !r.may_decrypt => {
            return Err(Error::KeyUsage("the JWK's `use`/`key_ops` do not allow decryption".into()))
        }
        _ => {}
    }
    let family = key.family();
    match alg {
        Alg::Dir | Alg::A128Kw | Alg::A256Kw => {
            let Material::Secret { secret, .. } = &key.material else {
                return Err(Error::KeyAlgMismatch(format!(
                    "{} needs a symmetric key, but the key is {}",
                    alg.name(),
                    family.describe()
                )));
            };
            let (needed, what) = match alg {
                Alg::Dir => (enc.cek_len(), format!("dir with {}", enc.name())),
                _ => (alg.kw_len().expect("key wrap"), alg.name().to_string()),
            };
            if secret.len() != needed {
                return Err(Error::KeyAlgMismatch(format!(
                    "{what} needs a key of exactly {needed} bytes, this one has {}",
                    secret.len()
                )));
            }
        }
        Alg::EcdhEs | Alg::EcdhEsA128Kw | Alg::EcdhEsA256Kw => {
            ecdh::check_key(key, alg.name())?;
        }
        Alg::RsaOaep256 | Alg::RsaOaep => {
            if family != Family::Rsa {
                return Err(Error::KeyAlgMismatch(format!(
                    "{} needs an RSA key, but the key is {}",
                    alg.name(),
                    family.describe()
                )));
            }
        }
    }
    if op == Op::Decrypt && !key.is_private() {
        return Err(Error::KeyCannotDecrypt(format!(
            "decrypting {} needs the recipient's private key, this key is public",
            alg.name()
        )));
    }
    Ok(())
}

/// What the sender needs: the CEK, the JWE Encrypted Key, and header members to add.
pub(crate) struct Wrapped {
    pub cek: Zeroizing<Vec<u8>>,
    pub encrypted_key: Vec<u8>,
    pub epk: Option<Value>,
}

fn rng_failed() -> Error {
    Error::InvalidArgument("the system random source failed".into())
}

pub(crate) fn random(len: usize) -> Result<Zeroizing<Vec<u8>>> {
    let mut bytes = Zeroizing::new(vec![0u8; len]);
    SystemRandom::new().fill(&mut bytes).map_err(|_| rng_failed())?;
    Ok(bytes)
}

fn secret(key: &Key) -> &[u8] {
    match &key.material {
        Material::Secret { secret, .. } => secret,
        _ => unreachable!("check_key ensured a secret"),
    }
}

fn party_info(header: &Object, name: &str) -> Result<Vec<u8>> {
    match header.get(name) {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => b64::decode(s.as_bytes(), &format!("header member `{name}`")),
        Some(_) => Err(Error::HeaderInvalid(format!("member `{name}` must be a string"))),
    }
}

/// The key ECDH-ES derives: the CEK itself (direct) or the AES-KW key.
fn ecdh_derived(alg: Alg, enc: Enc, z: &[u8], header: &Object) -> Result<Zeroizing<Vec<u8>>> {
    let (apu, apv) = (party_info(header, "apu")?, party_info(header, "apv")?);
    Ok(match alg.kw_len() {
        None => concat_kdf::derive(z, enc.cek_len(), enc.name(), &apu, &apv),
        Some(len) => concat_kdf::derive(z, len, alg.name(), &apu, &apv),
    })
}

pub(crate) fn aes_wrap(kek: &[u8], cek: &[u8]) -> Result<Vec<u8>> {
    if cek.len() < 16 || cek.len() % 8 != 0 {
        return Err(Error::InvalidArgument("AES key wrap needs a key of 16 bytes or more, a multiple of 8".into()));
    }
    let wrapped = match kek.len() {
        16 => aes_kw::KekAes128::try_from(kek).and_then(|k| k.wrap_vec(cek)),
        _ => aes_kw::KekAes256::try_from(kek).and_then(|k| k.wrap_vec(cek)),
    };
    wrapped.map_err(|_| Error::InvalidArgument("AES key wrap failed".into()))
}

pub(crate) fn aes_unwrap(kek: &[u8], wrapped: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    // RFC 3394 wraps at least two 64-bit blocks: anything shorter (an empty or 8-byte
    // key, which `aes-kw` would accept) is refused here (Wycheproof `EmptyKey`).
    if wrapped.len() < 24 || wrapped.len() % 8 != 0 {
        return None;
    }
    // Into a wiped buffer: `unwrap_vec` drops what it unwrapped, unwiped, when the
    // integrity check fails.
    let mut cek = Zeroizing::new(vec![0u8; wrapped.len() - 8]);
    let unwrapped = match kek.len() {
        16 => aes_kw::KekAes128::try_from(kek).and_then(|k| k.unwrap(wrapped, &mut cek)),
        _ => aes_kw::KekAes256::try_from(kek).and_then(|k| k.unwrap(wrapped, &mut cek)),
    };
    unwrapped.ok().map(|()| cek)
}

/// Produces the CEK (or wraps `given`, one CEK for several recipients; key agreement
/// and `dir` make their own) and what carries it. `header` holds the caller's extra
/// members (read for `apu`/`apv`). `check_key` must have passed.
pub(crate) fn wrap(key: &Key, alg: Alg, enc: Enc, header: &Object, given: Option<&[u8]>) -> Result<Wrapped> {
    let new_cek = || match given {
        Some(cek) => Ok(Zeroizing::new(cek.to_vec())),
        None => random(enc.cek_len()),
    };
    match alg {
        Alg::Dir => Ok(Wrapped { cek: Zeroizing::new(secret(key).to_vec()), encrypted_key: Vec::new(), epk: None }),
        Alg::A128Kw | Alg::A256Kw => {
            let cek = new_cek()?;
            let encrypted_key = aes_wrap(secret(key), &cek)?;
            Ok(Wrapped { cek, encrypted_key, epk: None })
        }
        Alg::EcdhEs | Alg::EcdhEsA128Kw | Alg::EcdhEsA256Kw => {
            let (z, epk) = ecdh::agree_ephemeral(key, alg.name())?;
            let derived = ecdh_derived(alg, enc, &z, header)?;
            if alg == Alg::EcdhEs {
                return Ok(Wrapped { cek: derived, encrypted_key: Vec::new(), epk: Some(epk) });
            }
            let cek = new_cek()?;
            let encrypted_key = aes_wrap(&derived, &cek)?;
            Ok(Wrapped { cek, encrypted_key, epk: Some(epk) })
        }
        Alg::RsaOaep256 | Alg::RsaOaep => {
            let cek = new_cek()?;
            let encrypted_key = crate::jwe::rsa_oaep::encrypt(key, alg == Alg::RsaOaep, &cek)?;
            Ok(Wrapped { cek, encrypted_key, epk: None })
        }
    }
}

/// Recovers the CEK for a token's `header` and JWE Encrypted Key. A wrapped key that
/// does not unwrap gives a random CEK (see the module comment). `check_key` must have
/// passed.
pub(crate) fn unwrap(
    key: &Key,
    alg: Alg,
    enc: Enc,
    header: &Object,
    encrypted_key: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let direct = matches!(alg, Alg::Dir | Alg::EcdhEs);
    if direct && !encrypted_key.is_empty() {
        return Err(Error::TokenMalformed(format!("the JWE Encrypted Key must be empty with {}", alg.name())));
    }
    if !alg.is_ecdh() && header.contains_key("epk") {
        return Err(Error::HeaderInvalid(format!("member `epk` is not used with {}", alg.name())));
    }
    let unwrapped = match alg {
        Alg::Dir => return Ok(Zeroizing::new(secret(key).to_vec())),
        Alg::A128Kw | Alg::A256Kw => aes_unwrap(secret(key), encrypted_key),
        Alg::EcdhEs | Alg::EcdhEsA128Kw | Alg::EcdhEsA256Kw => {
            let z = ecdh::agree_static(key, header.get("epk"), alg.name())?;
            let derived = ecdh_derived(alg, enc, &z, header)?;
            if alg == Alg::EcdhEs {
                return Ok(derived);
            }
            aes_unwrap(&derived, encrypted_key)
        }
        Alg::RsaOaep256 | Alg::RsaOaep => crate::jwe::rsa_oaep::decrypt(key, alg == Alg::RsaOaep, encrypted_key)?,
    };
    match unwrapped {
        Some(cek) if cek.len() == enc.cek_len() => Ok(cek),
        _ => random(enc.cek_len()),
    }
}
