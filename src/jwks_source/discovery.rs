//! OpenID Connect discovery (OpenID Connect Discovery 1.0 §4): from an issuer to its
//! `jwks_uri`. The document's `issuer` must equal the issuer asked for, exactly (§4.3),
//! or a document served for one issuer could hand out another's keys.

use serde_json::Value;

use crate::error::{Error, Result};

/// Where an issuer publishes its configuration: the issuer (without a trailing `/`)
/// followed by `/.well-known/openid-configuration`.
pub fn configuration_url(issuer: &str) -> String {
    format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'))
}

/// Reads a configuration document (the body of a 200) and returns its `jwks_uri`, after
/// checking that its `issuer` is `issuer`.
pub fn jwks_uri(issuer: &str, document: &[u8]) -> Result<String> {
    let bad = |why: String| Error::KeySource(format!("OpenID configuration of {}: {why}", shown(issuer)));
    let doc = crate::json::parse_object(document, "OpenID configuration").map_err(|e| bad(e.to_string()))?;
    match doc.get("issuer") {
        Some(Value::String(found)) if found == issuer => {}
        Some(Value::String(found)) => return Err(bad(format!("its issuer is {}", shown(found)))),
        _ => return Err(bad("no `issuer` string".into())),
    }
    match doc.get("jwks_uri") {
        Some(Value::String(uri)) => Ok(uri.clone()),
        _ => Err(bad("no `jwks_uri` string".into())),
    }
}

fn shown(text: &str) -> String {
    format!("\"{}\"", crate::error::excerpt(text, 200))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_must_match_exactly() {
        let doc = br#"{"issuer": "https://idp.example/t", "jwks_uri": "https://idp.example/t/keys"}"#;
        assert_eq!(
            configuration_url("https://idp.example/t/"),
            "https://idp.example/t/.well-known/openid-configuration"
        );
        assert_eq!(jwks_uri("https://idp.example/t", doc).unwrap(), "https://idp.example/t/keys");
        for other in ["https://idp.example/t/", "https://idp.example", "https://IDP.example/t", "https://evil.example"]
        {
            assert!(jwks_uri(other, doc).unwrap_err().to_string().contains("its issuer is"), "{other}");
        }
        assert!(jwks_uri("https://idp.example/t", br#"{"issuer": "https://idp.example/t"}"#).is_err());
        assert!(jwks_uri("https://idp.example/t", b"[]").is_err());
    }
}
