//! `JwePolicy`: what `jwe::decrypt` accepts. Explicit, non-empty allow-lists for both
//! `alg` and `enc` (there is no "any"), compressed content refused unless allowed and
//! then inflated only up to a cap, and the same resource limits as JWS verification.

use crate::error::{Error, Result};
use crate::jwe::content::Enc;
use crate::jwe::key_mgmt::Alg;
use crate::limits::Limits;

/// The default cap on inflated (`zip: "DEF"`) plaintext: 256 KiB.
pub const DEFAULT_MAX_INFLATED_LEN: usize = 256 * 1024;

#[derive(Debug, Clone)]
pub struct JwePolicy {
    algs: Vec<Alg>,
    encs: Vec<Enc>,
    allow_zip: bool,
    max_inflated_len: usize,
    limits: Limits,
}

impl JwePolicy {
    /// A policy accepting exactly these key management and content encryption
    /// algorithms; both lists must be non-empty. `RSA-OAEP` (SHA-1) is accepted only when
    /// named here. Compression is refused until [`JwePolicy::allow_zip`].
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

    pub fn set_limits(&mut self, limits: Limits) -> Result<()> {
        limits.check()?;
        self.limits = limits;
        Ok(())
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn algs(&self) -> &[Alg] {
        &self.algs
    }

    pub fn encs(&self) -> &[Enc] {
        &self.encs
    }

    pub fn allows_alg(&self, alg: Alg) -> bool {
        self.algs.contains(&alg)
    }

    pub fn allows_enc(&self, enc: Enc) -> bool {
        self.encs.contains(&enc)
    }

    pub fn zip_allowed(&self) -> bool {
        self.allow_zip
    }

    pub fn max_inflated_len(&self) -> usize {
        self.max_inflated_len
    }
}
