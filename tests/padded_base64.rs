//! Padded base64url segments, as AWS Application Load Balancer writes them
//! (`x-amzn-oidc-data`): refused by default with a message naming the opt-in, accepted
//! with it, and never with non-canonical trailing bits or malformed padding.

use base64::engine::general_purpose::URL_SAFE;
use base64::Engine as _;
use jwtkit::{Algorithm, Error, Key, Validation};

fn key_file(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keys").join(name)).unwrap()
}

/// A token signed over padded segments, as ALB signs them (ES256 by ring directly: no
/// jwtkit call writes padding).
fn padded_token(header: &str, claims: &str) -> String {
    use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    let rng = ring::rand::SystemRandom::new();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &key_file("ecp256.pkcs8.der"), &rng).unwrap();
    let input = format!("{}.{}", URL_SAFE.encode(header), URL_SAFE.encode(claims));
    let signature = pair.sign(&rng, input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE.encode(signature.as_ref()))
}

fn policy(padded: bool) -> Validation {
    let mut v = Validation::new(&[Algorithm::ES256]).unwrap();
    v.set_now(1_700_000_000);
    v.allow_padded_base64(padded);
    v
}

#[test]
fn padded_tokens_need_the_opt_in() {
    let public = Key::from_pem(&key_file("ecp256.spki.pem")).unwrap();
    // Lengths chosen so that every segment needs padding.
    let header = r#"{"alg":"ES256","kid":"abc","signer":"arn:aws:elasticloadbalancing:x","x":"y"}"#;
    let claims = r#"{"sub":"alice","email":"a@example.com","exp":1800000000,"iss":"https://idp"}"#;
    let token = padded_token(header, claims);
    assert!(token.split('.').all(|s| s.ends_with('=')), "{token}");

    let refused = jwtkit::jwt::verify(token.as_bytes(), &public, &policy(false)).unwrap_err();
    assert!(matches!(refused, Error::Base64(_)), "{refused}");
    let message = refused.to_string();
    assert!(message.contains("jwtkit_validation_allow_padded_base64") && message.contains("allow_padded_base64"));
    assert!(message.contains("Load Balancer"), "{message}");

    let verified = jwtkit::jwt::verify(token.as_bytes(), &public, &policy(true)).unwrap();
    assert_eq!(verified.claims().unwrap()["sub"], "alice");
    // The same token unpadded is the same signature over other bytes: it fails.
    let unpadded: Vec<String> = token.split('.').map(|s| s.trim_end_matches('=').to_owned()).collect();
    assert!(jwtkit::jwt::verify(unpadded.join(".").as_bytes(), &public, &policy(true)).is_err());
    // Unverified inspection (choosing the key by `kid`) reads padded tokens.
    let (header_json, _) = jwtkit::dangerous::decode_unverified(token.as_bytes(), &jwtkit::Limits::default()).unwrap();
    assert!(String::from_utf8(header_json).unwrap().contains("\"kid\":\"abc\""));
}

#[test]
fn malformed_padding_and_trailing_bits_are_refused_even_with_the_opt_in() {
    let public = Key::from_pem(&key_file("ecp256.spki.pem")).unwrap();
    let token = padded_token(r#"{"alg":"ES256" }"#, r#"{"sub":"alice" }"#);
    let parts: Vec<&str> = token.split('.').collect();
    let v = policy(true);
    for bad_header in [
        format!("{}=", parts[0]),                         // one '=' too many
        format!("{}===", parts[0].trim_end_matches('=')), // three
        parts[0].trim_end_matches('=').to_owned() + "=",  // wrong count for the length
    ] {
        let t = format!("{bad_header}.{}.{}", parts[1], parts[2]);
        assert!(matches!(jwtkit::jwt::verify(t.as_bytes(), &public, &v), Err(Error::Base64(_))), "{t}");
    }
    // The header's last data character with one of its unused low bits set: the same
    // bytes spelled another way, which strict base64url refuses.
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let header = parts[0].trim_end_matches('=');
    let last = ALPHABET.find(header.chars().last().unwrap()).unwrap();
    let bumped = ALPHABET.as_bytes()[last + 1] as char;
    let noncanonical = format!("{}{bumped}==", &header[..header.len() - 1]);
    assert!(parts[0].ends_with("=="));
    let t = format!("{noncanonical}.{}.{}", parts[1], parts[2]);
    assert!(matches!(jwtkit::jwt::verify(t.as_bytes(), &public, &v), Err(Error::Base64(_))), "{t}");
}
