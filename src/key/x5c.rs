//! The certificate members of a JWK (RFC 7517 §4.6–4.9): `x5c`, `x5t` and `x5t#S256`.
//! A JWK that carries them must agree with them: the first certificate holds the JWK's
//! own public key, and each thumbprint present is that certificate's. The chain is not
//! validated (no trust anchor, no signatures, no dates, no names): a certificate here
//! only has to be consistent with the key, never makes a key trusted.

use der::{Decode, Encode};
use ring::digest::{digest, Algorithm as DigestAlgorithm, SHA1_FOR_LEGACY_USE_ONLY, SHA256};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::json::Object;
use crate::key::material::Key;

/// The most certificates an `x5c` may hold: real chains are two to four long.
pub(crate) const MAX_X5C_CERTS: usize = 10;

fn refused(why: impl std::fmt::Display) -> Error {
    Error::KeyInvalid(format!("JWK: {why}"))
}

/// Refuses `key` unless its JWK's certificate members agree with it. Without `x5c`, a
/// thumbprint has nothing to be checked against: only its form is.
pub(crate) fn check_certificates(jwk: &Object, key: &Key) -> Result<()> {
    let thumbprints = [("x5t#S256", &SHA256), ("x5t", &SHA1_FOR_LEGACY_USE_ONLY)]
        .into_iter()
        .map(|(name, alg)| thumbprint(jwk, name, alg).map(|t| t.map(|t| (name, alg, t))))
        .collect::<Result<Vec<_>>>()?;
    let Some(first) = certificates(jwk)? else {
        return Ok(());
    };
    for (name, alg, expected) in thumbprints.into_iter().flatten() {
        if digest(alg, &first).as_ref() != expected.as_slice() {
            return Err(refused(format!("`{name}` is not the thumbprint of the first `x5c` certificate")));
        }
    }
    let cert = x509_cert::Certificate::from_der(&first).map_err(|_| refused("`x5c[0]` is not a DER certificate"))?;
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|_| refused("`x5c[0]`: its public key cannot be encoded"))?;
    // Both sides in jwtkit's canonical SPKI, so that encoding choices do not matter.
    let cert_key = Key::from_der(&spki).map_err(|e| refused(format!("`x5c[0]`: its public key is refused: {e}")))?;
    let own = key.to_public_der().map_err(|_| refused("`x5c` on a key that has no public half"))?;
    if cert_key.to_public_der()? != own {
        return Err(refused("the first `x5c` certificate holds a different public key than the JWK"));
    }
    Ok(())
}

/// The DER of the first certificate of `x5c`, after checking that every entry is
/// standard base64 of a DER certificate; `None` without `x5c`.
fn certificates(jwk: &Object) -> Result<Option<Vec<u8>>> {
    let Some(x5c) = jwk.get("x5c") else {
        return Ok(None);
    };
    let certs = x5c.as_array().ok_or_else(|| refused("`x5c` must be an array of strings"))?;
    if certs.is_empty() {
        return Err(refused("`x5c` must hold at least one certificate"));
    }
    if certs.len() > MAX_X5C_CERTS {
        return Err(refused(format!("`x5c` holds {} certificates, more than {MAX_X5C_CERTS}", certs.len())));
    }
    let mut first = None;
    for (i, cert) in certs.iter().enumerate() {
        let Value::String(text) = cert else {
            return Err(refused("`x5c` must be an array of strings"));
        };
        let der = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, text)
            .map_err(|_| refused(format!("`x5c[{i}]` is not standard base64 (RFC 4648 §4, padded)")))?;
        x509_cert::Certificate::from_der(&der).map_err(|_| refused(format!("`x5c[{i}]` is not a DER certificate")))?;
        first.get_or_insert(der);
    }
    Ok(first)
}

/// A thumbprint member: base64url of the digest's length.
fn thumbprint(jwk: &Object, name: &str, alg: &'static DigestAlgorithm) -> Result<Option<Vec<u8>>> {
    let Some(value) = jwk.get(name) else {
        return Ok(None);
    };
    let text = value.as_str().ok_or_else(|| refused(format!("`{name}` must be a string")))?;
    let bytes = crate::b64::decode(text.as_bytes(), name).map_err(|_| refused(format!("`{name}` is not base64url")))?;
    if bytes.len() != alg.output_len() {
        return Err(refused(format!("`{name}` must be {} bytes, got {}", alg.output_len(), bytes.len())));
    }
    Ok(Some(bytes))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::error::Error;
    use crate::key::Key;

    fn fixture(name: &str) -> Value {
        let text = match name {
            "rsa" => include_str!("../../tests/keys/rsa2048.x5c.jwk.json"),
            "rfc7517" => include_str!("../../tests/keys/rfc7517_appendix_b.x5c.jwk.json"),
            _ => include_str!("../../tests/keys/ecp256.x5c.jwk.json"),
        };
        serde_json::from_str(text).unwrap()
    }

    fn load(jwk: &Value) -> Result<Key, Error> {
        Key::from_jwk(jwk.to_string().as_bytes())
    }

    fn refused_with(jwk: &Value, words: &str) {
        match load(jwk) {
            Err(Error::KeyInvalid(msg)) => assert!(msg.contains(words), "{msg}"),
            other => panic!("expected KeyInvalid with {words:?}, got {:?}", other.map(|k| k.describe())),
        }
    }

    #[test]
    fn a_jwk_whose_certificate_holds_its_key_loads() {
        for name in ["rsa", "ec"] {
            let key = load(&fixture(name)).unwrap();
            assert!(!key.is_private());
            // No thumbprints: the certificate alone must still hold the key.
            let mut bare = fixture(name);
            bare.as_object_mut().unwrap().retain(|k, _| !k.starts_with("x5t"));
            load(&bare).unwrap();
        }
    }

    /// RFC 7517 Appendix B loads. Its certificate expired in 2018 and a changed signature
    /// byte loads too: the chain (dates, signatures) is not validated, only its key.
    #[test]
    fn the_rfc_7517_example_loads_and_the_chain_is_not_validated() {
        let rfc = fixture("rfc7517");
        let key = load(&rfc).unwrap();
        assert_eq!(key.kid(), Some("1b94c"));
        let text = rfc["x5c"][0].as_str().unwrap();
        let mut der = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, text).unwrap();
        let last = der.len() - 1;
        der[last] ^= 1; // inside the signature, the last field
        let mut j = rfc.clone();
        j["x5c"] = json!([base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &der)]);
        load(&j).unwrap();
        // Another key's certificate is still refused.
        j["x5c"] = fixture("rsa")["x5c"].clone();
        refused_with(&j, "different public key");
    }

    #[test]
    fn thumbprints_must_be_those_of_the_first_certificate() {
        let rsa = fixture("rsa");
        let ec = fixture("ec");
        for member in ["x5t#S256", "x5t"] {
            let mut j = rsa.clone();
            j[member] = ec[member].clone();
            refused_with(&j, &format!("`{member}` is not the thumbprint"));
            let mut j = rsa.clone();
            j[member] = json!("AAAA");
            refused_with(&j, "bytes");
            j[member] = json!(7);
            refused_with(&j, "must be a string");
        }
        // The chain's second certificate is not the one the thumbprints name.
        let mut j = rsa.clone();
        j["x5c"] = json!([rsa["x5c"][1], rsa["x5c"][0]]);
        refused_with(&j, "thumbprint");
    }

    #[test]
    fn a_certificate_for_another_key_is_refused() {
        let mut j = fixture("rsa");
        j.as_object_mut().unwrap().retain(|k, _| !k.starts_with("x5t"));
        j["x5c"] = json!([fixture("ec")["x5c"][0]]);
        refused_with(&j, "different public key");
        // The same certificate on a private key of another pair: refused too.
        let other = Key::generate(crate::Algorithm::ES256).unwrap();
        let mut private: Value = serde_json::from_str(&other.to_private_jwk().unwrap()).unwrap();
        private["x5c"] = fixture("ec")["x5c"].clone();
        refused_with(&private, "different public key");
        let mut oct = json!({"kty": "oct", "k": "c2VjcmV0IG5vIG90aGVyIHRlc3QgdXNlcywgc2l4dHkgZm91ciBieXRlcyBsb25nISE"});
        oct["x5c"] = fixture("ec")["x5c"].clone();
        refused_with(&oct, "no public half");
    }

    #[test]
    fn malformed_x5c_is_refused() {
        let good = fixture("ec");
        let cert = good["x5c"][0].as_str().unwrap().to_string();
        let url_safe = cert.replace('+', "-").replace('/', "_");
        let cases: Vec<(Value, &str)> = vec![
            (json!([]), "at least one"),
            (json!("not an array"), "array of strings"),
            (json!([1]), "array of strings"),
            (json!(["%%%"]), "not standard base64"),
            (json!([cert.trim_end_matches('=')]), "not standard base64"),
            (json!(["AAAA"]), "not a DER certificate"),
            (json!([cert.clone(), "AAAA"]), "`x5c[1]` is not a DER certificate"),
            (json!(vec![cert.clone(); super::MAX_X5C_CERTS + 1]), "more than"),
        ];
        let mut cases = cases;
        if url_safe != cert {
            cases.push((json!([url_safe]), "not standard base64"));
        }
        for (x5c, words) in cases {
            let mut j = good.clone();
            j["x5c"] = x5c;
            refused_with(&j, words);
        }
        // Exactly the cap is accepted.
        let mut j = good.clone();
        j["x5c"] = json!(vec![cert; super::MAX_X5C_CERTS]);
        load(&j).unwrap();
    }

    #[test]
    fn a_thumbprint_without_x5c_is_checked_for_form_only() {
        let mut j = fixture("ec");
        j.as_object_mut().unwrap().remove("x5c");
        load(&j).unwrap();
        j["x5t"] = json!("not base64url!");
        refused_with(&j, "not base64url");
    }
}
