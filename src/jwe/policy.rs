//! `JwePolicy`: what `jwe::decrypt` accepts. Explicit, non-empty allow-lists for both
//! `alg` and `enc` (there is no "any"), compressed content refused unless allowed and
//! then inflated only up to a cap, PBES2's iteration count (`p2c`) capped, and the same
//! resource limits as JWS verification.

use crate::error::{Error, Result};
use crate::jwe::content::Enc;
use crate::jwe::key_mgmt::Alg;
use crate::jwe::pbes2::{DEFAULT_MAX_P2C, MIN_P2C};
use crate::limits::Limits;

/// The default cap on inflated (`zip: "DEF"`) plaintext: 256 KiB.
pub const DEFAULT_MAX_INFLATED_LEN: usize = 256 * 1024;

/// What `jwe::decrypt` accepts: allow-lists for `alg` and `enc` (both
/// required, never "any"), whether compressed content is accepted and up to what size,
/// and resource [`Limits`].
#[derive(Debug, Clone)]
pub struct JwePolicy {
    algs: Vec<Alg>,
    encs: Vec<Enc>,
    allow_zip: bool,
    max_inflated_len: usize,
    max_p2c: u32,
    limits: Limits,
}

impl JwePolicy {
    /// A policy accepting exactly these key management and content encryption
    /// algorithms; both lists must be non-empty. `RSA-OAEP` (SHA-1) is accepted only when
    /// named here, and so are the `PBES2-*` algorithms (their key is a password).
    /// Compression is refused until [`JwePolicy::allow_zip`].
    pub fn new(algs: &[Alg], encs: &[Enc]) -> Result<JwePolicy> {
        if algs.is_empty() {
            return Err(Error::InvalidArgument("the JWE `alg` allow-list is empty".into()));
        }
        if encs.is_empty() {
            return Err(Error::InvalidArgument("the JWE `enc` allow-list is empty".into()));
        }
        let mut p = JwePolicy {
            algs: Vec::new(),
            encs: Vec::new(),
            allow_zip: false,
            max_inflated_len: DEFAULT_MAX_INFLATED_LEN,
            max_p2c: DEFAULT_MAX_P2C,
            limits: Limits::default(),
        };
        for a in algs {
            if !p.algs.contains(a) {
                p.algs.push(*a);
            }
        }
        for e in encs {
            if !p.encs.contains(e) {
                p.encs.push(*e);
            }
        }
        Ok(p)
    }

    /// Accepts `zip: "DEF"` content, inflated to at most `max_inflated_len` bytes (0:
    /// the default, 256 KiB). `allow` false refuses compressed tokens again.
    pub fn allow_zip(&mut self, allow: bool, max_inflated_len: usize) {
        self.allow_zip = allow;
        self.max_inflated_len = if max_inflated_len == 0 { DEFAULT_MAX_INFLATED_LEN } else { max_inflated_len };
    }

    /// Caps the PBKDF2 iterations a PBES2 token may ask for (`p2c`; default 10000, as
    /// panva/jose). A token over the cap is `P2cLimit`, refused before any derivation.
    /// A cap under the RFC's minimum of 1000 would refuse every PBES2 token, and is
    /// refused itself.
    pub fn set_max_p2c(&mut self, max_p2c: u32) -> Result<()> {
        if max_p2c < MIN_P2C {
            return Err(Error::InvalidArgument(format!(
                "a `p2c` cap of {max_p2c} is under the minimum of {MIN_P2C} iterations every PBES2 token has"
            )));
        }
        self.max_p2c = max_p2c;
        Ok(())
    }

    /// The cap on a PBES2 token's `p2c`.
    pub fn max_p2c(&self) -> u32 {
        self.max_p2c
    }

    /// Replaces the resource limits; refuses unusable values ([`Limits::check`]).
    pub fn set_limits(&mut self, limits: Limits) -> Result<()> {
        limits.check()?;
        self.limits = limits;
        Ok(())
    }

    /// The resource limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The `alg` allow-list, in the order given.
    pub fn algs(&self) -> &[Alg] {
        &self.algs
    }

    /// The `enc` allow-list, in the order given.
    pub fn encs(&self) -> &[Enc] {
        &self.encs
    }

    /// Whether `alg` is in the allow-list.
    pub fn allows_alg(&self, alg: Alg) -> bool {
        self.algs.contains(&alg)
    }

    /// Whether `enc` is in the allow-list.
    pub fn allows_enc(&self, enc: Enc) -> bool {
        self.encs.contains(&enc)
    }

    /// Whether compressed (`zip: "DEF"`) content is accepted.
    pub fn zip_allowed(&self) -> bool {
        self.allow_zip
    }

    /// The cap on inflated plaintext, in bytes.
    pub fn max_inflated_len(&self) -> usize {
        self.max_inflated_len
    }
}
