//! Key management (`alg`, RFC 7518 §4): how the content encryption key (CEK) reaches
//! the recipient. `dir` (a shared key is the CEK), `A128KW`/`A192KW`/`A256KW`
//! (RustCrypto `aes-kw`), `A*GCMKW` (`gcm_kw`), `ECDH-ES` and `ECDH-ES+A*KW` (`ecdh` +
//! `concat_kdf`), `RSA-OAEP-256`/`-384`/`-512` and `RSA-OAEP` (RustCrypto `rsa`,
//! blinded), and `PBES2-*` (`pbes2`, then AES key wrap). `RSA1_5` is refused whatever
//! the policy.
//!
//! The interface any serialization uses: [`wrap`] gives the CEK, the JWE Encrypted Key
//! and the header members the algorithm adds (`epk`, `iv`/`tag`, `p2s`/`p2c`); [`unwrap`]
//! takes the header and the JWE Encrypted Key back to the CEK.
//!
//! Key binding: every shared-key algorithm (`dir`, `A*KW`, `A*GCMKW`, `PBES2-*`) takes
//! an `oct` key; `dir` and the key wraps need its exact length, a PBES2 password any
//! non-empty length. What keeps a key meant for one of them from serving another is the
//! JWK's `alg` (an `oct` JWK naming `A256KW` is refused for `PBES2-*`, and one naming a
//! PBES2 algorithm for everything else) and the decrypter's allow-list, which never
//! holds PBES2 unless the caller names it.
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
use crate::jwe::pbes2::{self, Prf};
use crate::jwe::rsa_oaep::{self, OaepHash};
use crate::jwe::{concat_kdf, ecdh, gcm_kw};
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
    /// `A192KW`: the content key wrapped with AES-192 key wrap (RFC 3394).
    A192Kw,
    /// `ECDH-ES+A192KW`: ECDH-ES agrees a key that wraps the content key (AES-192 key wrap).
    EcdhEsA192Kw,
    /// `A128GCMKW`: the content key sealed with AES-128-GCM; `iv` and `tag` in the header.
    A128GcmKw,
    /// `A192GCMKW`: the content key sealed with AES-192-GCM; `iv` and `tag` in the header.
    A192GcmKw,
    /// `A256GCMKW`: the content key sealed with AES-256-GCM; `iv` and `tag` in the header.
    A256GcmKw,
    /// `RSA-OAEP-384`: RSAES-OAEP with SHA-384 and MGF1-SHA-384.
    RsaOaep384,
    /// `RSA-OAEP-512`: RSAES-OAEP with SHA-512 and MGF1-SHA-512.
    RsaOaep512,
    /// `PBES2-HS256+A128KW`: a password, PBKDF2-HMAC-SHA-256, AES-128 key wrap. The
    /// policy must name it; `p2c` is capped.
    Pbes2Hs256A128Kw,
    /// `PBES2-HS384+A192KW`: a password, PBKDF2-HMAC-SHA-384, AES-192 key wrap.
    Pbes2Hs384A192Kw,
    /// `PBES2-HS512+A256KW`: a password, PBKDF2-HMAC-SHA-512, AES-256 key wrap.
    Pbes2Hs512A256Kw,
}

impl Alg {
    /// Every key management algorithm, in the order of the C numbering.
    pub const ALL: [Alg; 18] = [
        Alg::Dir,
        Alg::A128Kw,
        Alg::A256Kw,
        Alg::EcdhEs,
        Alg::EcdhEsA128Kw,
        Alg::EcdhEsA256Kw,
        Alg::RsaOaep256,
        Alg::RsaOaep,
        Alg::A192Kw,
        Alg::EcdhEsA192Kw,
        Alg::A128GcmKw,
        Alg::A192GcmKw,
        Alg::A256GcmKw,
        Alg::RsaOaep384,
        Alg::RsaOaep512,
        Alg::Pbes2Hs256A128Kw,
        Alg::Pbes2Hs384A192Kw,
        Alg::Pbes2Hs512A256Kw,
    ];

    /// Whether the key is shared (`dir`, AES key wrap, AES-GCM key wrap, a PBES2
    /// password): only its holders can encrypt, so a token encrypted with it is also
    /// authenticated. With RSA or ECDH, anyone holding the public key can encrypt.
    pub fn is_shared_key(self) -> bool {
        matches!(self, Alg::Dir) || self.gcm_kw_len().is_some() || (self.kw_len().is_some() && !self.is_ecdh())
    }

    /// Whether a token's encryption also says who made it: a shared key, but not a PBES2
    /// password, which people choose and one token lets anyone guess offline.
    pub fn authenticates_sender(self) -> bool {
        self.is_shared_key() && self.pbes2_prf().is_none()
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
            Alg::A192Kw => "A192KW",
            Alg::EcdhEsA192Kw => "ECDH-ES+A192KW",
            Alg::A128GcmKw => "A128GCMKW",
            Alg::A192GcmKw => "A192GCMKW",
            Alg::A256GcmKw => "A256GCMKW",
            Alg::RsaOaep384 => "RSA-OAEP-384",
            Alg::RsaOaep512 => "RSA-OAEP-512",
            Alg::Pbes2Hs256A128Kw => "PBES2-HS256+A128KW",
            Alg::Pbes2Hs384A192Kw => "PBES2-HS384+A192KW",
            Alg::Pbes2Hs512A256Kw => "PBES2-HS512+A256KW",
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
        let why = if jws_name(name) { " for JWE (it is a JWS signature algorithm)" } else { "" };
        Err(Error::AlgUnsupported(format!("`{shown}` is not a supported key management algorithm{why}")))
    }

    /// The AES key wrap key length, for the algorithms that wrap the CEK with AES-KW.
    fn kw_len(self) -> Option<usize> {
        match self {
            Alg::A128Kw | Alg::EcdhEsA128Kw | Alg::Pbes2Hs256A128Kw => Some(16),
            Alg::A192Kw | Alg::EcdhEsA192Kw | Alg::Pbes2Hs384A192Kw => Some(24),
            Alg::A256Kw | Alg::EcdhEsA256Kw | Alg::Pbes2Hs512A256Kw => Some(32),
            _ => None,
        }
    }

    /// The AES-GCM key length, for the AES-GCM key wraps.
    fn gcm_kw_len(self) -> Option<usize> {
        match self {
            Alg::A128GcmKw => Some(16),
            Alg::A192GcmKw => Some(24),
            Alg::A256GcmKw => Some(32),
            _ => None,
        }
    }

    /// Whether the algorithm derives its key from a password (PBES2), at a cost the
    /// token sets with `p2c`.
    pub(crate) fn is_pbes2(self) -> bool {
        self.pbes2_prf().is_some()
    }

    fn pbes2_prf(self) -> Option<Prf> {
        match self {
            Alg::Pbes2Hs256A128Kw => Some(Prf::HmacSha256),
            Alg::Pbes2Hs384A192Kw => Some(Prf::HmacSha384),
            Alg::Pbes2Hs512A256Kw => Some(Prf::HmacSha512),
            _ => None,
        }
    }

    fn oaep_hash(self) -> Option<OaepHash> {
        match self {
            Alg::RsaOaep => Some(OaepHash::Sha1),
            Alg::RsaOaep256 => Some(OaepHash::Sha256),
            Alg::RsaOaep384 => Some(OaepHash::Sha384),
            Alg::RsaOaep512 => Some(OaepHash::Sha512),
            _ => None,
        }
    }

    fn is_ecdh(self) -> bool {
        matches!(self, Alg::EcdhEs | Alg::EcdhEsA128Kw | Alg::EcdhEsA192Kw | Alg::EcdhEsA256Kw)
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
    if alg.is_shared_key() {
        let Material::Secret { secret, .. } = &key.material else {
            return Err(Error::KeyAlgMismatch(format!(
                "{} needs a symmetric (oct) key, but the key is {}",
                alg.name(),
                family.describe()
            )));
        };
        let needed = match alg {
            Alg::Dir => Some((enc.cek_len(), format!("dir with {}", enc.name()))),
            _ if alg.pbes2_prf().is_some() => None,
            _ => alg.gcm_kw_len().or(alg.kw_len()).map(|len| (len, alg.name().to_string())),
        };
        match needed {
            Some((needed, what)) if secret.len() != needed => {
                return Err(Error::KeyAlgMismatch(format!(
                    "{what} needs a key of exactly {needed} bytes, this one has {}",
                    secret.len()
                )))
            }
            None if secret.is_empty() => {
                return Err(Error::KeyAlgMismatch(format!("{} needs a non-empty password", alg.name())))
            }
            _ => {}
        }
    } else if alg.is_ecdh() {
        ecdh::check_key(key, alg.name())?;
    } else if family != Family::Rsa {
        return Err(Error::KeyAlgMismatch(format!(
            "{} needs an RSA key, but the key is {}",
            alg.name(),
            family.describe()
        )));
    }
    if op == Op::Decrypt && !key.is_private() {
        return Err(Error::KeyCannotDecrypt(format!(
            "decrypting {} needs the recipient's private key, this key is public",
            alg.name()
        )));
    }
    Ok(())
}

/// What the sender needs: the CEK, the JWE Encrypted Key, and the header members the
/// algorithm adds (`epk`; `iv`, `tag`; `p2s`, `p2c`), for the header they protect or
/// the recipient's unprotected header.
pub(crate) struct Wrapped {
    pub cek: Zeroizing<Vec<u8>>,
    pub encrypted_key: Vec<u8>,
    pub members: Object,
}

impl Wrapped {
    fn new(cek: Zeroizing<Vec<u8>>, encrypted_key: Vec<u8>) -> Wrapped {
        Wrapped { cek, encrypted_key, members: Object::new() }
    }

    fn with_epk(mut self, epk: Value) -> Wrapped {
        self.members.insert("epk".into(), epk);
        self
    }
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
        24 => aes_kw::KekAes192::try_from(kek).and_then(|k| k.wrap_vec(cek)),
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
        24 => aes_kw::KekAes192::try_from(kek).and_then(|k| k.unwrap(wrapped, &mut cek)),
        _ => aes_kw::KekAes256::try_from(kek).and_then(|k| k.unwrap(wrapped, &mut cek)),
    };
    unwrapped.ok().map(|()| cek)
}

/// Produces the CEK (or wraps `given`, one CEK for several recipients; key agreement
/// and `dir` make their own) and what carries it. `header` holds the caller's extra
/// members (read for `apu`/`apv`, and `p2c`). `check_key` must have passed.
pub(crate) fn wrap(key: &Key, alg: Alg, enc: Enc, header: &Object, given: Option<&[u8]>) -> Result<Wrapped> {
    if alg == Alg::Dir {
        return Ok(Wrapped::new(Zeroizing::new(secret(key).to_vec()), Vec::new()));
    }
    let new_cek = || match given {
        Some(cek) => Ok(Zeroizing::new(cek.to_vec())),
        None => random(enc.cek_len()),
    };
    if alg.is_ecdh() {
        let (z, epk) = ecdh::agree_ephemeral(key, alg.name())?;
        let derived = ecdh_derived(alg, enc, &z, header)?;
        if alg == Alg::EcdhEs {
            return Ok(Wrapped::new(derived, Vec::new()).with_epk(epk));
        }
        let cek = new_cek()?;
        let encrypted_key = aes_wrap(&derived, &cek)?;
        return Ok(Wrapped::new(cek, encrypted_key).with_epk(epk));
    }
    let cek = new_cek()?;
    if let Some(hash) = alg.oaep_hash() {
        let encrypted_key = rsa_oaep::encrypt(key, hash, &cek)?;
        return Ok(Wrapped::new(cek, encrypted_key));
    }
    if alg.gcm_kw_len().is_some() {
        let (encrypted_key, members) = gcm_kw::wrap(secret(key), &random(gcm_kw::IV_LEN)?, &cek)?;
        return Ok(Wrapped { cek, encrypted_key, members });
    }
    let kw_len = alg.kw_len().expect("the rest wrap with AES-KW");
    if let Some(prf) = alg.pbes2_prf() {
        let p2s = random(pbes2::P2S_LEN)?;
        let (kek, members) = pbes2::sender_kek(prf, alg.name(), kw_len, secret(key), header, &p2s)?;
        let encrypted_key = aes_wrap(&kek, &cek)?;
        return Ok(Wrapped { cek, encrypted_key, members });
    }
    let encrypted_key = aes_wrap(secret(key), &cek)?;
    Ok(Wrapped::new(cek, encrypted_key))
}

/// Recovers the CEK for a token's `header` and JWE Encrypted Key. A wrapped key that
/// does not unwrap gives a random CEK (see the module comment). A PBES2 `p2c` over
/// `max_p2c` is refused before any derivation. `check_key` must have passed.
pub(crate) fn unwrap(
    key: &Key,
    alg: Alg,
    enc: Enc,
    header: &Object,
    encrypted_key: &[u8],
    max_p2c: u32,
) -> Result<Zeroizing<Vec<u8>>> {
    let direct = matches!(alg, Alg::Dir | Alg::EcdhEs);
    if direct && !encrypted_key.is_empty() {
        return Err(Error::TokenMalformed(format!("the JWE Encrypted Key must be empty with {}", alg.name())));
    }
    if !alg.is_ecdh() && header.contains_key("epk") {
        return Err(Error::HeaderInvalid(format!("member `epk` is not used with {}", alg.name())));
    }
    let unwrapped = if alg == Alg::Dir {
        return Ok(Zeroizing::new(secret(key).to_vec()));
    } else if alg.is_ecdh() {
        let z = ecdh::agree_static(key, header.get("epk"), alg.name())?;
        let derived = ecdh_derived(alg, enc, &z, header)?;
        if alg == Alg::EcdhEs {
            return Ok(derived);
        }
        aes_unwrap(&derived, encrypted_key)
    } else if let Some(hash) = alg.oaep_hash() {
        rsa_oaep::decrypt(key, hash, encrypted_key)?
    } else if alg.gcm_kw_len().is_some() {
        gcm_kw::unwrap(secret(key), header, encrypted_key, alg.name())?
    } else if let Some(prf) = alg.pbes2_prf() {
        let kw_len = alg.kw_len().expect("PBES2 wraps with AES-KW");
        let kek = pbes2::recipient_kek(prf, alg.name(), kw_len, secret(key), header, max_p2c)?;
        aes_unwrap(&kek, encrypted_key)
    } else {
        aes_unwrap(secret(key), encrypted_key)
    };
    match unwrapped {
        Some(cek) if cek.len() == enc.cek_len() => Ok(cek),
        _ => random(enc.cek_len()),
    }
}
