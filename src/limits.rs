//! Resource limits applied before any expensive work, so hostile input is refused in
//! bounded time and memory. Defaults are far above real tokens; each is configurable
//! per `Validation`.

use crate::error::{Error, Result};

/// serde_json refuses deeper input on its own at 128 levels; stay below it.
pub const MAX_DEPTH_CEILING: usize = 120;

/// Set with [`Validation::set_limits`](crate::Validation::set_limits) or
/// `jwe::JwePolicy::set_limits`. `Limits::default()` is
/// far above real tokens; [`Limits::check`] refuses values that would be unusable or
/// unsafe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest token, in bytes (default 128 KiB).
    pub max_token_len: usize,
    /// Largest decoded protected header, in bytes (default 8 KiB).
    pub max_header_len: usize,
    /// Deepest nesting of JSON arrays/objects in header and claims (default 64). Reading
    /// 120 levels takes under 80 KiB of stack in a release build (json.rs tests it).
    pub max_depth: usize,
    /// Most keys tried for one token when a key source offers several (default 16); for
    /// a JWE in JSON serialization, most (recipient, key) unwraps tried.
    pub max_keys_tried: usize,
    /// Most recipients a JWE in JSON serialization may list (default 32).
    pub max_recipients: usize,
    /// Most signatures in one JWS JSON serialization (default 16); every one is checked,
    /// so this bounds the work one token can ask for.
    pub max_signatures: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_token_len: 128 * 1024,
            max_header_len: 8 * 1024,
            max_depth: 64,
            max_keys_tried: 16,
            max_recipients: 32,
            max_signatures: 16,
        }
    }
}

impl Limits {
    /// Refuses limits that would make jwtkit unusable or unsafe.
    pub fn check(&self) -> Result<()> {
        let bad = |what: &str| Err(Error::InvalidArgument(what.to_string()));
        if self.max_token_len < 16 {
            return bad("max_token_len must be at least 16 bytes");
        }
        if self.max_header_len < 16 {
            return bad("max_header_len must be at least 16 bytes");
        }
        if self.max_depth == 0 || self.max_depth > MAX_DEPTH_CEILING {
            return bad("max_depth must be between 1 and 120");
        }
        if self.max_keys_tried == 0 {
            return bad("max_keys_tried must be at least 1");
        }
        if self.max_recipients == 0 {
            return bad("max_recipients must be at least 1");
        }
        if self.max_signatures == 0 || self.max_signatures > 1024 {
            return bad("max_signatures must be between 1 and 1024");
        }
        Ok(())
    }
}
