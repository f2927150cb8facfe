//! Which of the caller's keys decryption tries, for compact and JSON alike, and what a
//! key may decrypt at all.
//!
//! For one recipient (its `alg`, `enc` and `kid`): the keys whose `kid` is the
//! recipient's; when none has it, the keys without a `kid`; when the recipient names no
//! `kid`, every key. Of those, keys that cannot serve its `alg`/`enc` (kind, size,
//! private half, JWK `alg`/`use`/`key_ops`) are not tried, nor, when the library picks
//! among several keys, keys whose JWK does not name PBES2 or SHA-1 `RSA-OAEP` for those. At most the policy's
//! `max_keys_tried` keys are unwrapped in all; past that the token is
//! `DecryptionFailed`. PBES2 unwraps share one budget of PBKDF2 iterations per token,
//! the policy's `max_p2c`: a token costs at most one derivation at the cap, however
//! many password keys and recipients it gets tried with (past it: `P2cLimit`). Errors: the first key misfit when no key was tried, `KeyNotFound`
//! when no key was chosen, else the one `DecryptionFailed` (no oracle detail).

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::json::Object;
use crate::jwe::content::{decryption_failed, Enc};
use crate::jwe::key_mgmt::{self, Alg, Op};
use crate::jwe::pbes2;
use crate::jwe::policy::JwePolicy;
use crate::jwe::steps;
use crate::key::Key;

/// Where decryption keys come from: keys the caller lists, or a `KeySet` made for
/// decryption (`KeySet::from_jwks_for_decryption`).
pub trait DecryptionKeys {
    /// Every key, in order; an error when the source is not for decryption (a key set
    /// made for verification).
    fn decryption_keys(&self) -> Result<Vec<&Key>>;

    /// The error when no key has the token's `kid` (nor is there a key without one).
    fn kid_not_found(&self, kid: &str) -> Error {
        Error::KeyNotFound(format!("no key given has `kid` \"{}\"", crate::error::excerpt(kid, 64)))
    }

    /// Whether the library picks among these keys, rather than the caller handing over
    /// the one key to use: then a key serves PBES2 or SHA-1 `RSA-OAEP` only when its
    /// JWK's `alg` names it, as [`key_can_decrypt`] says, so that an AES key is never
    /// tried as a password, nor an RSA key with SHA-1.
    fn picks(&self) -> bool {
        true
    }
}

impl DecryptionKeys for [&Key] {
    fn decryption_keys(&self) -> Result<Vec<&Key>> {
        Ok(self.to_vec())
    }

    fn picks(&self) -> bool {
        self.len() > 1
    }
}

/// The keys to try for a recipient with `kid`, with their positions in `keys`.
fn chosen<'k>(keys: &[&'k Key], kid: Option<&str>) -> Vec<(usize, &'k Key)> {
    let all = keys.iter().copied().enumerate();
    let Some(kid) = kid else { return all.collect() };
    let named: Vec<(usize, &Key)> = all.clone().filter(|(_, k)| k.kid() == Some(kid)).collect();
    if !named.is_empty() {
        return named;
    }
    all.filter(|(_, k)| k.kid().is_none()).collect()
}

/// The keys tried so far for one token, across its recipients.
pub(crate) struct Attempts<'p> {
    policy: &'p JwePolicy,
    /// Whether keys must name PBES2 and SHA-1 `RSA-OAEP` to serve them.
    picks: bool,
    tried: usize,
    opened: usize,
    /// PBKDF2 iterations spent on this token's PBES2 unwraps.
    p2c_spent: u64,
    /// Why a key was not tried (or its unwrap failed before any content decryption).
    key_error: Option<Error>,
}

impl<'p> Attempts<'p> {
    pub(crate) fn new<K: DecryptionKeys + ?Sized>(policy: &'p JwePolicy, keys: &K) -> Self {
        Attempts { policy, picks: keys.picks(), tried: 0, opened: 0, p2c_spent: 0, key_error: None }
    }

    /// Tries the keys chosen for one recipient until one's content opens (`open` takes
    /// the CEK and gives the plaintext): its position in `keys` and the plaintext, or
    /// None when none did. `DecryptionFailed` once the cap on keys tried is reached.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn recipient(
        &mut self,
        keys: &[&Key],
        kid: Option<&str>,
        alg: Alg,
        enc: Enc,
        header: &Object,
        encrypted_key: &[u8],
        open: impl Fn(&[u8]) -> Result<Zeroizing<Vec<u8>>>,
    ) -> Result<Option<(usize, Zeroizing<Vec<u8>>)>> {
        for (index, key) in chosen(keys, kid) {
            if let Err(e) = steps::key_fits(key, alg, enc) {
                self.key_error.get_or_insert(e);
                continue;
            }
            if self.picks && only_when_named(alg) && key.alg_restriction() != Some(alg.name()) {
                self.key_error.get_or_insert_with(|| {
                    Error::KeyAlgMismatch(format!(
                        "{} serves {} only when its JWK's `alg` names it",
                        key.describe(),
                        alg.name()
                    ))
                });
                continue;
            }
            if self.tried == self.policy.limits().max_keys_tried {
                return Err(decryption_failed());
            }
            self.tried += 1;
            self.spend_p2c(alg, header)?;
            let cek = match steps::unwrap_for(key, alg, enc, header, encrypted_key, self.policy) {
                Ok(cek) => cek,
                Err(e) => {
                    self.key_error.get_or_insert(e);
                    continue;
                }
            };
            self.opened += 1;
            if let Ok(plaintext) = open(&cek) {
                return Ok(Some((index, plaintext)));
            }
        }
        Ok(None)
    }

    /// Counts a PBES2 unwrap's iterations against the token's budget; `P2cLimit` when
    /// it would go over. A `p2c` the unwrap itself refuses is left to it.
    fn spend_p2c(&mut self, alg: Alg, header: &Object) -> Result<()> {
        if !alg.is_pbes2() {
            return Ok(());
        }
        let max = self.policy.max_p2c();
        let Ok(Some(count)) = pbes2::p2c(header, max) else { return Ok(()) };
        if self.p2c_spent + u64::from(count) > u64::from(max) {
            return Err(Error::P2cLimit(format!(
                "trying another password would take this token's PBES2 work past {max} PBKDF2 iterations \
                 (the limit per token, across keys and recipients): name the key with `kid`"
            )));
        }
        self.p2c_spent += u64::from(count);
        Ok(())
    }

    /// The error once no key opened the token: `not_found` when no key was even chosen.
    pub(crate) fn failure(self, not_found: impl FnOnce() -> Error) -> Error {
        match (self.opened, self.key_error) {
            (0, Some(e)) => e,
            (0, None) => not_found(),
            _ => decryption_failed(),
        }
    }
}

/// Algorithms a key serves only when its JWK names them: SHA-1 `RSA-OAEP` (legacy) and
/// PBES2 (its key is a password, not a key).
fn only_when_named(alg: Alg) -> bool {
    alg == Alg::RsaOaep || alg.name().starts_with("PBES2-")
}

/// Whether `key` can decrypt tokens of `alg` with some `enc`: its kind and size, its
/// private half, its JWK `alg`, `use` and `key_ops`. `RSA-OAEP` (SHA-1) and the PBES2
/// algorithms only when the JWK's `alg` names them. What a host building a JWE
/// allow-list from its keys asks, and what a key set made for decryption keeps.
pub fn key_can_decrypt(key: &Key, alg: Alg) -> bool {
    (!only_when_named(alg) || key.alg_restriction() == Some(alg.name()))
        && Enc::ALL.into_iter().any(|enc| key_mgmt::check_key(key, alg, enc, Op::Decrypt).is_ok())
}

/// The algorithms `key` can decrypt ([`key_can_decrypt`]), by name.
pub(crate) fn decryption_alg_names(key: &Key) -> Vec<&'static str> {
    Alg::ALL.into_iter().filter(|&a| key_can_decrypt(key, a)).map(Alg::name).collect()
}

/// Why `key` cannot decrypt anything, or Ok: the rules of a key set made for decryption
/// that concern one key on its own.
pub(crate) fn usable_for_decryption(key: &Key) -> Result<()> {
    if !key.restrictions.may_decrypt {
        return Err(Error::KeyUsage("the JWK's `use`/`key_ops` do not allow decryption".into()));
    }
    if !key.is_private() {
        return Err(Error::KeyCannotDecrypt(format!(
            "{} cannot decrypt: decryption needs the recipient's private key",
            key.describe()
        )));
    }
    if let Some(name) = key.alg_restriction() {
        let Ok(alg) = Alg::from_name(name) else {
            if Enc::from_name(name).is_ok() && key_can_decrypt(key, Alg::Dir) {
                return Ok(()); // a `dir` key naming its content encryption (RFC 7520 §5.6)
            }
            return Err(Error::KeyUnsupported(format!(
                "JWK `alg` \"{}\" is not a JWE key management algorithm jwtkit implements",
                crate::error::excerpt(name, 32)
            )));
        };
        if !key_can_decrypt(key, alg) {
            let why = Enc::ALL
                .into_iter()
                .map(|enc| key_mgmt::check_key(key, alg, enc, Op::Decrypt))
                .find_map(Result::err)
                .map_or_else(String::new, |e| format!(": {e}"));
            return Err(Error::KeyAlgMismatch(format!("the key cannot serve its JWK `alg` {}{why}", alg.name())));
        }
        return Ok(());
    }
    if decryption_alg_names(key).is_empty() {
        let hint = if key.family() == crate::alg::Family::Hmac {
            " (a secret must have 16, 24, 32, 48 or 64 bytes; a PBES2 password must name its algorithm in `alg`)"
        } else {
            ""
        };
        return Err(Error::KeyAlgMismatch(format!("{} fits no JWE key management algorithm{hint}", key.describe())));
    }
    Ok(())
}
