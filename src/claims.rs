//! `Validation`: what a verifier accepts. The algorithm allow-list is required (no
//! default allows everything); `exp` and `nbf` are checked whenever present.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::alg::Algorithm;
use crate::error::{Error, Result};
use crate::json::Object;

/// Longest token accepted by default: far above any real JWT, far below a memory problem.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 128 * 1024;

#[derive(Debug, Clone)]
pub struct Validation {
    algorithms: Vec<Algorithm>,
    leeway: u64,
    now: Option<i64>,
    max_token_len: usize,
}

impl Validation {
    /// A policy accepting exactly `algorithms` (at least one).
    pub fn new(algorithms: &[Algorithm]) -> Result<Validation> {
        if algorithms.is_empty() {
            return Err(Error::InvalidArgument(
                "the algorithm allow-list must name at least one algorithm".into(),
            ));
        }
        Ok(Validation { algorithms: algorithms.to_vec(), leeway: 0, now: None, max_token_len: DEFAULT_MAX_TOKEN_LEN })
    }

    /// Seconds of clock skew tolerated on `exp` and `nbf`.
    pub fn set_leeway(&mut self, seconds: u64) {
        self.leeway = seconds;
    }

    /// Fixes "now" (Unix seconds) for tests and replay tools; default is the system clock.
    pub fn set_now(&mut self, unix_seconds: i64) {
        self.now = Some(unix_seconds);
    }

    pub fn max_token_len(&self) -> usize {
        self.max_token_len
    }

    pub fn allows(&self, alg: Algorithm) -> bool {
        self.algorithms.contains(&alg)
    }

    pub fn algorithms(&self) -> &[Algorithm] {
        &self.algorithms
    }

    fn now(&self) -> f64 {
        match self.now {
            Some(t) => t as f64,
            None => SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0),
        }
    }

    /// Checks the time claims of a verified claims set.
    pub fn check_claims(&self, claims: &Object) -> Result<()> {
        let now = self.now();
        let leeway = self.leeway as f64;
        if let Some(exp) = numeric_date(claims, "exp")? {
            if now >= exp + leeway {
                return Err(Error::Expired(format!("token expired at {exp} (now {now:.0})")));
            }
        }
        if let Some(nbf) = numeric_date(claims, "nbf")? {
            if now < nbf - leeway {
                return Err(Error::NotYetValid(format!("token not valid before {nbf} (now {now:.0})")));
            }
        }
        Ok(())
    }
}

/// A NumericDate (RFC 7519 §2): a JSON number, fractions allowed. A present claim of
/// any other type is an error, never "absent".
pub fn numeric_date(claims: &Object, name: &str) -> Result<Option<f64>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .map(Some)
            .ok_or_else(|| Error::ClaimInvalid(format!("`{name}` is not a representable number"))),
        Some(other) => Err(Error::ClaimInvalid(format!(
            "`{name}` must be a NumericDate (JSON number), got {}",
            json_type(other)
        ))),
    }
}

pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(s: &str) -> Object {
        crate::json::parse_object(s.as_bytes(), "claims").unwrap()
    }

    #[test]
    fn exp_and_nbf_bounds_with_leeway() {
        let mut v = Validation::new(&[Algorithm::HS256]).unwrap();
        v.set_now(1000);
        assert!(v.check_claims(&obj(r#"{"exp":1001}"#)).is_ok());
        assert!(matches!(v.check_claims(&obj(r#"{"exp":1000}"#)), Err(Error::Expired(_))));
        assert!(v.check_claims(&obj(r#"{"nbf":1000}"#)).is_ok());
        assert!(matches!(v.check_claims(&obj(r#"{"nbf":1000.5}"#)), Err(Error::NotYetValid(_))));
        v.set_leeway(10);
        assert!(v.check_claims(&obj(r#"{"exp":995,"nbf":1009}"#)).is_ok());
        assert!(matches!(v.check_claims(&obj(r#"{"exp":990}"#)), Err(Error::Expired(_))));
    }

    #[test]
    fn wrong_types_are_errors_and_huge_values_do_not_wrap() {
        let v = Validation::new(&[Algorithm::HS256]).unwrap();
        for bad in [r#"{"exp":"1"}"#, r#"{"exp":null}"#, r#"{"nbf":true}"#, r#"{"exp":[1]}"#] {
            assert!(matches!(v.check_claims(&obj(bad)), Err(Error::ClaimInvalid(_))), "{bad}");
        }
        assert!(v.check_claims(&obj(r#"{"exp":18446744073709551617}"#)).is_ok());
        assert!(matches!(v.check_claims(&obj(r#"{"exp":-18446744073709551617}"#)), Err(Error::Expired(_))));
        assert!(Validation::new(&[]).is_err());
    }
}
