//! Issuing tokens: `SignOptions` fills the registered claims a caller did not write
//! (`iat`, `exp`, `nbf`, `iss`, `sub`, `aud`, `jti`) and the usual header members.
//! Caller claims are kept byte for byte; a claim set both ways is an error.

use std::time::{SystemTime, UNIX_EPOCH};

use ring::rand::{SecureRandom, SystemRandom};
use serde_json::Value;

use crate::alg::Algorithm;
use crate::error::{Error, Result};
use crate::json::{self, Object};
use crate::key::Key;
use crate::{b64, jws};

/// A claim these options add may not also be in the caller's claims.
/// `SignOptions::default()` adds `iat` only.
#[derive(Debug, Clone)]
pub struct SignOptions {
    /// Set `iat` to now (default on).
    pub issued_at: bool,
    /// `exp` = now + lifetime, in seconds.
    pub lifetime: Option<u64>,
    /// `nbf`, as Unix seconds (an absolute time, not an offset from now).
    pub not_before: Option<i64>,
    /// `iss`.
    pub issuer: Option<String>,
    /// `sub`.
    pub subject: Option<String>,
    /// `aud`: one audience is written as a string, several as an array, none not at all.
    pub audiences: Vec<String>,
    /// Add a random 128-bit `jti`, base64url-encoded.
    pub random_jti: bool,
    /// Extra header members (a JSON object); `kid`, `typ`, `cty` go here too.
    pub header: Object,
    /// Fixed "now" for tests; default the system clock.
    pub now: Option<i64>,
}

impl Default for SignOptions {
    fn default() -> Self {
        SignOptions {
            issued_at: true,
            lifetime: None,
            not_before: None,
            issuer: None,
            subject: None,
            audiences: Vec::new(),
            random_jti: false,
            header: Object::new(),
            now: None,
        }
    }
}

impl SignOptions {
    /// Sets one header member; `alg` is not a member callers set.
    pub fn set_header(&mut self, name: &str, value: Value) -> Result<()> {
        if name == "alg" {
            return Err(Error::InvalidArgument("the header `alg` comes from the signing algorithm".into()));
        }
        self.header.insert(name.to_owned(), value);
        Ok(())
    }

    /// Merges a JSON object of extra header members.
    pub fn merge_header_json(&mut self, json_text: &[u8]) -> Result<()> {
        for (name, value) in json::parse_object(json_text, "header")? {
            self.set_header(&name, value)?;
        }
        Ok(())
    }

    fn now(&self) -> i64 {
        self.now
            .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0))
    }

    /// The registered claims these options add, in a stable order.
    fn claims(&self) -> Result<Vec<(&'static str, Value)>> {
        let now = self.now();
        let mut out = Vec::new();
        if self.issued_at {
            out.push(("iat", Value::from(now)));
        }
        if let Some(lifetime) = self.lifetime {
            let exp = i64::try_from(lifetime)
                .ok()
                .and_then(|l| now.checked_add(l))
                .ok_or_else(|| Error::InvalidArgument(format!("lifetime {lifetime} s overflows the clock")))?;
            out.push(("exp", Value::from(exp)));
        }
        if let Some(nbf) = self.not_before {
            out.push(("nbf", Value::from(nbf)));
        }
        if let Some(iss) = &self.issuer {
            out.push(("iss", Value::from(iss.as_str())));
        }
        if let Some(sub) = &self.subject {
            out.push(("sub", Value::from(sub.as_str())));
        }
        match self.audiences.as_slice() {
            [] => {}
            [one] => out.push(("aud", Value::from(one.as_str()))),
            many => out.push(("aud", Value::from(many.to_vec()))),
        }
        if self.random_jti {
            let mut id = [0u8; 16];
            SystemRandom::new()
                .fill(&mut id)
                .map_err(|_| Error::InvalidArgument("the system random source failed".into()))?;
            out.push(("jti", Value::from(b64::encode(&id))));
        }
        Ok(out)
    }
}

/// Signs `claims_json` (a JSON object, kept byte for byte) plus the claims `options`
/// fill in, with the header `options` describe (`typ` defaults to "JWT").
pub fn sign_with(key: &Key, alg: Algorithm, claims_json: &[u8], options: &SignOptions) -> Result<String> {
    let given = json::parse_object(claims_json, "claims")?;
    let added = options.claims()?;
    for (name, _) in &added {
        if given.contains_key(*name) {
            return Err(Error::InvalidArgument(format!(
                "claim `{name}` is set both in the claims and by the sign options"
            )));
        }
    }
    let payload = append_members(claims_json, given.is_empty(), &added)?;
    let header = serde_json::to_vec(&options.header).map_err(|e| Error::Json(format!("header: {e}")))?;
    jws::sign(key, alg, &payload, Some(&header), Some("JWT"))
}

/// Inserts members before the closing brace of an already validated JSON object.
fn append_members(object: &[u8], empty: bool, members: &[(&str, Value)]) -> Result<Vec<u8>> {
    if members.is_empty() {
        return Ok(object.to_vec());
    }
    let close =
        object.iter().rposition(|&b| b == b'}').ok_or_else(|| Error::Json("claims: must be a JSON object".into()))?;
    let mut out = object[..close].to_vec();
    for (i, (name, value)) in members.iter().enumerate() {
        if i > 0 || !empty {
            out.push(b',');
        }
        out.extend_from_slice(&serde_json::to_vec(name).expect("a string serializes"));
        out.push(b':');
        out.extend_from_slice(&serde_json::to_vec(value).expect("a value serializes"));
    }
    out.extend_from_slice(&object[close..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_registered_claims_and_keeps_the_callers_bytes() {
        let key = Key::from_secret(&[3u8; 32]).unwrap();
        let options = SignOptions {
            lifetime: Some(60),
            issuer: Some("https://issuer".into()),
            audiences: vec!["a".into(), "b".into()],
            random_jti: true,
            now: Some(1000),
            ..SignOptions::default()
        };
        let token =
            sign_with(&key, Algorithm::HS256, br#"{ "big": 123456789012345678901234567890 } "#, &options).unwrap();
        let (_, claims) = crate::dangerous::decode_unverified(token.as_bytes(), &Default::default()).unwrap();
        let text = String::from_utf8(claims).unwrap();
        assert!(text.starts_with(r#"{ "big": 123456789012345678901234567890 ,"iat":1000,"exp":1060,"iss":"https://issuer","aud":["a","b"],"jti":""#), "{text}");
        let empty =
            sign_with(&key, Algorithm::HS256, b"{}", &SignOptions { now: Some(5), ..SignOptions::default() }).unwrap();
        let (_, claims) = crate::dangerous::decode_unverified(empty.as_bytes(), &Default::default()).unwrap();
        assert_eq!(claims, br#"{"iat":5}"#);
    }

    #[test]
    fn a_claim_set_twice_is_an_error() {
        let key = Key::from_secret(&[3u8; 32]).unwrap();
        let err = sign_with(&key, Algorithm::HS256, br#"{"iat":1}"#, &SignOptions::default()).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)));
    }
}
