//! DPoP (RFC 9449) through the Rust API: the RFC's examples, proofs made by jwtkit, and
//! one forged proof per check of RFC 9449 §4.3, each refused with the status of that
//! check; the replay check, the token binding (`cnf.jkt`) and a bound token presented
//! as Bearer; the thumbprint-binding bypass of libjwt's GHSA-vmf4-mvgm-7vpv; and the
//! RFC 9068 access-token profile.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use jwtkit::dpop::{self, JtiUse, ProofPolicy, ReplayQuery, Request, VerifiedProof};
use jwtkit::{jwt, Algorithm, Error, Key, Validation};
use serde_json::{json, Value};

const NOW: i64 = 1_700_000_000;
const URI: &str = "https://api.example.com/orders";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn vector() -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/rfc/rfc9449_examples.json");
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn rsa_key() -> Key {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/keys/rsa2048.pkcs8.pem");
    Key::from_pem(&std::fs::read(p).unwrap()).unwrap()
}

fn policy() -> ProofPolicy {
    let mut p =
        ProofPolicy::new(&[Algorithm::ES256, Algorithm::ES384, Algorithm::EdDSA, Algorithm::RS256, Algorithm::PS256])
            .unwrap();
    p.set_now(NOW);
    p
}

fn get(uri: &str) -> Request<'_> {
    Request { method: "GET", uri, access_token: None, nonce: None }
}

fn public_jwk(key: &Key) -> Value {
    serde_json::from_str(&key.to_public_jwk().unwrap()).unwrap()
}

/// A proof with any header and claims, signed by `signer` with `alg`.
fn forge(header: &Value, claims: &Value, signer: &Key, alg: Algorithm) -> String {
    let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
    let sig = signer.sign_bytes(alg, input.as_bytes()).unwrap();
    format!("{input}.{}", b64(&sig))
}

fn header(key: &Key, alg: &str) -> Value {
    json!({"typ": "dpop+jwt", "alg": alg, "jwk": public_jwk(key)})
}

fn claims() -> Value {
    json!({"jti": "id-1", "htm": "GET", "htu": URI, "iat": NOW})
}

fn with(mut v: Value, name: &str, value: Value) -> Value {
    v[name] = value;
    v
}

fn without(mut v: Value, name: &str) -> Value {
    v.as_object_mut().unwrap().remove(name);
    v
}

fn verify(proof: &str, request: &Request<'_>) -> Result<VerifiedProof, Error> {
    dpop::verify_proof(proof.as_bytes(), request, &policy())
}

fn es256() -> Key {
    Key::generate(Algorithm::ES256).unwrap()
}

// ---- the RFC's examples ----

#[test]
fn rfc9449_examples_verify_at_their_iat() {
    let v = vector();
    let jkt = v["jkt"].as_str().unwrap();
    for case in v["tests"].as_array().unwrap() {
        let proof = case["proof"].as_str().unwrap();
        let iat = case["iat"].as_i64().unwrap();
        let at = case.get("accessToken").map(|t| t.as_str().unwrap().as_bytes());
        let req = Request {
            method: case["method"].as_str().unwrap(),
            uri: case["uri"].as_str().unwrap(),
            access_token: at,
            nonce: None,
        };
        let mut p = ProofPolicy::new(&[Algorithm::ES256]).unwrap();
        p.set_now(iat);
        let ok = dpop::verify_proof(proof.as_bytes(), &req, &p).unwrap();
        assert_eq!(ok.jkt, jkt, "{}", case["id"]);
        assert_eq!(ok.jti, case["jti"].as_str().unwrap());
        assert_eq!(ok.iat, iat);
        if let Some(ath) = case.get("ath") {
            assert_eq!(ok.access_token_hash(), ath.as_str());
            assert_eq!(dpop::access_token_hash(at.unwrap()), ath.as_str().unwrap());
        }
        // the window's edges, then outside it
        p.set_now(iat + 300);
        dpop::verify_proof(proof.as_bytes(), &req, &p).unwrap();
        p.set_now(iat + 301);
        assert!(matches!(dpop::verify_proof(proof.as_bytes(), &req, &p), Err(Error::TooOld(_))));
        p.set_now(iat - 31);
        assert!(matches!(dpop::verify_proof(proof.as_bytes(), &req, &p), Err(Error::IssuedInFuture(_))));
        let real_clock = ProofPolicy::new(&[Algorithm::ES256]).unwrap();
        assert!(matches!(dpop::verify_proof(proof.as_bytes(), &req, &real_clock), Err(Error::TooOld(_))));
        p.set_now(iat);
        let wrong_method = Request { method: if req.method == "GET" { "POST" } else { "GET" }, ..req };
        assert!(matches!(dpop::verify_proof(proof.as_bytes(), &wrong_method, &p), Err(Error::DpopHtmMismatch(_))));
        let wrong_uri = Request { uri: "https://server.example.com/other", ..req };
        assert!(matches!(dpop::verify_proof(proof.as_bytes(), &wrong_uri, &p), Err(Error::DpopHtuMismatch(_))));
        let other_token = Request { access_token: Some(b"another token"), ..req };
        let r = dpop::verify_proof(proof.as_bytes(), &other_token, &p);
        assert!(matches!(r, Err(Error::DpopAthMismatch(_)) | Err(Error::ClaimMissing { .. })), "{r:?}");
        // ES256 not allowed
        let mut other_alg = ProofPolicy::new(&[Algorithm::EdDSA]).unwrap();
        other_alg.set_now(iat);
        assert!(matches!(dpop::verify_proof(proof.as_bytes(), &req, &other_alg), Err(Error::AlgNotAllowed(_))));
    }
}

#[test]
fn rfc9449_bound_token_claims_bind_to_the_resource_request_proof() {
    let v = vector();
    let case = &v["tests"][1];
    let at = case["accessToken"].as_str().unwrap();
    let mut p = ProofPolicy::new(&[Algorithm::ES256]).unwrap();
    p.set_now(case["iat"].as_i64().unwrap());
    let req = Request {
        method: "GET",
        uri: "https://resource.example.org/protectedresource",
        access_token: Some(at.as_bytes()),
        nonce: None,
    };
    let proof = dpop::verify_proof(case["proof"].as_str().unwrap().as_bytes(), &req, &p).unwrap();
    let claims = v["boundToken"]["claims"].to_string();
    dpop::check_binding(at.as_bytes(), claims.as_bytes(), Some(&proof)).unwrap();
    // the same claims presented as Bearer
    assert!(matches!(
        dpop::check_binding(at.as_bytes(), claims.as_bytes(), None),
        Err(Error::DpopBoundTokenAsBearer(_))
    ));
    // a proof checked against another token
    assert!(matches!(
        dpop::check_binding(b"another token", claims.as_bytes(), Some(&proof)),
        Err(Error::DpopAthMismatch(_))
    ));
    // the token request's proof was checked without an access token
    let first = &v["tests"][0];
    p.set_now(first["iat"].as_i64().unwrap());
    let token_request =
        Request { method: "POST", uri: "https://server.example.com/token", access_token: None, nonce: None };
    let no_ath = dpop::verify_proof(first["proof"].as_str().unwrap().as_bytes(), &token_request, &p).unwrap();
    assert!(matches!(
        dpop::check_binding(at.as_bytes(), claims.as_bytes(), Some(&no_ath)),
        Err(Error::InvalidArgument(_))
    ));
}

// ---- proofs made by jwtkit ----

#[test]
fn created_proofs_verify_for_every_asymmetric_algorithm() {
    let keys = [
        (Key::generate(Algorithm::ES256).unwrap(), Algorithm::ES256),
        (Key::generate(Algorithm::ES384).unwrap(), Algorithm::ES384),
        (Key::generate(Algorithm::ES512).unwrap(), Algorithm::ES512),
        (Key::generate(Algorithm::EdDSA).unwrap(), Algorithm::EdDSA),
        (rsa_key(), Algorithm::RS256),
        (rsa_key(), Algorithm::PS256),
    ];
    let mut p = ProofPolicy::new(&[
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::EdDSA,
        Algorithm::RS256,
        Algorithm::PS256,
    ])
    .unwrap();
    p.set_now(NOW);
    for (key, alg) in keys {
        let req = Request {
            method: "POST",
            uri: "https://api.example.com/orders?x=1#y",
            access_token: Some(b"at"),
            nonce: Some("n-1"),
        };
        let proof = dpop::create_proof(&key, alg, &req, Some(NOW)).unwrap();
        let parts: Vec<&str> = proof.split('.').collect();
        let header: Value =
            serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[0]).unwrap())
                .unwrap();
        let body: Value =
            serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[1]).unwrap())
                .unwrap();
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], alg.name());
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(header["jwk"].get(private).is_none(), "{alg:?}: {private}");
        }
        assert_eq!(body["htu"], "https://api.example.com/orders", "query and fragment left out");
        assert_eq!(body["htm"], "POST");
        assert_eq!(body["iat"], NOW);
        assert_eq!(body["nonce"], "n-1");
        assert_eq!(body["ath"], dpop::access_token_hash(b"at"));
        assert_eq!(body["jti"].as_str().unwrap().len(), 22);
        let ok = dpop::verify_proof(proof.as_bytes(), &req, &p).unwrap_or_else(|e| panic!("{alg:?}: {e}"));
        assert_eq!(ok.jkt, key.thumbprint().unwrap(), "{alg:?}");
        // a fresh jti each time
        let again = dpop::create_proof(&key, alg, &req, None).unwrap();
        assert_ne!(dpop::verify_proof(again.as_bytes(), &req, &ProofPolicy::new(&[alg]).unwrap()).unwrap().jti, ok.jti);
    }
}

#[test]
fn proof_creation_refuses_what_cannot_make_a_proof() {
    let secret = Key::from_secret(&[7u8; 32]).unwrap();
    let req = get(URI);
    assert!(matches!(dpop::create_proof(&secret, Algorithm::HS256, &req, None), Err(Error::InvalidArgument(_))));
    let public = Key::from_jwk(es256().to_public_jwk().unwrap().as_bytes()).unwrap();
    assert!(matches!(dpop::create_proof(&public, Algorithm::ES256, &req, None), Err(Error::KeyCannotSign(_))));
    assert!(matches!(dpop::create_proof(&es256(), Algorithm::ES384, &req, None), Err(Error::KeyAlgMismatch(_))));
    for (method, uri) in [("GET", "/relative"), ("GET", "not a uri"), ("", URI), ("G ET", URI)] {
        let r = Request { method, uri, access_token: None, nonce: None };
        assert!(matches!(dpop::create_proof(&es256(), Algorithm::ES256, &r, None), Err(Error::InvalidArgument(_))));
    }
}

#[test]
fn the_policy_never_allows_hmac_and_needs_an_algorithm() {
    assert!(matches!(ProofPolicy::new(&[]), Err(Error::InvalidArgument(_))));
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        assert!(matches!(ProofPolicy::new(&[Algorithm::ES256, alg]), Err(Error::InvalidArgument(_))));
    }
    let mut p = policy();
    assert!(p.set_max_proof_len(8).is_err());
    assert!(p.set_iat_window(u64::MAX, 0).is_err());
}

// ---- one forged proof per check ----

#[test]
fn a_valid_forged_proof_passes_and_each_change_fails_its_check() {
    let key = es256();
    let good = forge(&header(&key, "ES256"), &claims(), &key, Algorithm::ES256);
    assert_eq!(verify(&good, &get(URI)).unwrap().jkt, key.thumbprint().unwrap());
    // typ: absent, another type; the media type prefix and case are accepted
    for typ in [json!("JWT"), json!("dpop"), json!("at+jwt")] {
        let p = forge(&with(header(&key, "ES256"), "typ", typ), &claims(), &key, Algorithm::ES256);
        assert!(matches!(verify(&p, &get(URI)), Err(Error::TypMismatch(_))));
    }
    let p = forge(&without(header(&key, "ES256"), "typ"), &claims(), &key, Algorithm::ES256);
    assert!(matches!(verify(&p, &get(URI)), Err(Error::TypMismatch(_))));
    for typ in ["application/dpop+jwt", "DPoP+JWT"] {
        let p = forge(&with(header(&key, "ES256"), "typ", json!(typ)), &claims(), &key, Algorithm::ES256);
        verify(&p, &get(URI)).unwrap();
    }
    // required claims, and their types
    for name in ["jti", "htm", "htu", "iat"] {
        let p = forge(&header(&key, "ES256"), &without(claims(), name), &key, Algorithm::ES256);
        match verify(&p, &get(URI)) {
            Err(e @ Error::ClaimMissing { .. }) => assert_eq!(e.claim(), Some(name)),
            other => panic!("{name}: {other:?}"),
        }
        let p = forge(&header(&key, "ES256"), &with(claims(), name, json!(["x"])), &key, Algorithm::ES256);
        match verify(&p, &get(URI)) {
            Err(e @ Error::ClaimInvalid { .. }) => assert_eq!(e.claim(), Some(name)),
            other => panic!("{name}: {other:?}"),
        }
    }
    let p = forge(&header(&key, "ES256"), &with(claims(), "jti", json!("")), &key, Algorithm::ES256);
    assert!(matches!(verify(&p, &get(URI)), Err(Error::ClaimInvalid { claim: "jti", .. })));
    let p = forge(&header(&key, "ES256"), &with(claims(), "iat", json!("1700000000")), &key, Algorithm::ES256);
    assert!(matches!(verify(&p, &get(URI)), Err(Error::ClaimInvalid { claim: "iat", .. })));
    // not a JWT at all
    for junk in ["", "a.b", "a.b.c.d", "e30.e30.", "{\"typ\":\"dpop+jwt\"}"] {
        assert!(verify(junk, &get(URI)).is_err(), "{junk:?}");
    }
}

#[test]
fn hmac_and_none_are_never_accepted() {
    let secret = Key::from_secret(&[7u8; 32]).unwrap();
    let oct = json!({"kty": "oct", "k": b64(&[7u8; 32])});
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let secret = Key::from_secret(&[7u8; 64]).unwrap();
        let h = json!({"typ": "dpop+jwt", "alg": alg.name(), "jwk": oct});
        let p = forge(&h, &claims(), &secret, alg);
        assert!(matches!(verify(&p, &get(URI)), Err(Error::AlgNotAllowed(_))), "{alg:?}");
    }
    // an HMAC proof without a jwk is refused just the same
    let p = forge(&json!({"typ": "dpop+jwt", "alg": "HS256"}), &claims(), &secret, Algorithm::HS256);
    assert!(matches!(verify(&p, &get(URI)), Err(Error::AlgNotAllowed(_))));
    for none in ["none", "None", "NONE", "nOnE"] {
        let key = es256();
        let h = with(header(&key, "ES256"), "alg", json!(none));
        let unsigned = format!("{}.{}.", b64(h.to_string().as_bytes()), b64(claims().to_string().as_bytes()));
        assert!(matches!(verify(&unsigned, &get(URI)), Err(Error::AlgUnsupported(_))), "{none}");
    }
}

#[test]
fn the_jwk_must_be_a_public_key_that_fits_alg_and_signed_the_proof() {
    let key = es256();
    // absent, not an object
    for jwk in [None, Some(json!("x")), Some(json!([public_jwk(&key)]))] {
        let mut h = header(&key, "ES256");
        match jwk {
            Some(v) => h["jwk"] = v,
            None => h = without(h, "jwk"),
        }
        let p = forge(&h, &claims(), &key, Algorithm::ES256);
        assert!(matches!(verify(&p, &get(URI)), Err(Error::HeaderInvalid(_))));
    }
    // private members: EC, OKP, RSA, oct
    let ed = Key::generate(Algorithm::EdDSA).unwrap();
    let rsa = rsa_key();
    for (signer, alg) in [(&key, Algorithm::ES256), (&ed, Algorithm::EdDSA), (&rsa, Algorithm::RS256)] {
        let private: Value = serde_json::from_str(&signer.to_private_jwk().unwrap()).unwrap();
        let p = forge(&json!({"typ": "dpop+jwt", "alg": alg.name(), "jwk": private}), &claims(), signer, alg);
        assert!(matches!(verify(&p, &get(URI)), Err(Error::DpopPrivateJwk(_))), "{alg:?}");
        // one private member is enough
        let mut public = public_jwk(signer);
        public["d"] = private["d"].clone();
        let p = forge(&json!({"typ": "dpop+jwt", "alg": alg.name(), "jwk": public}), &claims(), signer, alg);
        assert!(matches!(verify(&p, &get(URI)), Err(Error::DpopPrivateJwk(_))), "{alg:?}");
    }
    // a key of another type or curve than alg
    let p384 = Key::generate(Algorithm::ES384).unwrap();
    for (jwk_key, alg, signer) in [
        (&rsa, "ES256", &key),
        (&ed, "ES256", &key),
        (&p384, "ES256", &key),
        (&key, "ES384", &p384),
        (&key, "RS256", &rsa),
        (&key, "EdDSA", &ed),
    ] {
        let signing_alg = Algorithm::from_name(alg).unwrap();
        let p = forge(&header(jwk_key, alg), &claims(), signer, signing_alg);
        assert!(matches!(verify(&p, &get(URI)), Err(Error::KeyAlgMismatch(_))), "{alg}");
    }
    // X25519 cannot sign anything
    let x = json!({"kty": "OKP", "crv": "X25519", "x": b64(&[9u8; 32])});
    let p = forge(&json!({"typ": "dpop+jwt", "alg": "EdDSA", "jwk": x}), &claims(), &ed, Algorithm::EdDSA);
    assert!(verify(&p, &get(URI)).is_err());
    // a JWK restricted to another use
    let mut enc = public_jwk(&key);
    enc["use"] = json!("enc");
    let p = forge(&json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": enc}), &claims(), &key, Algorithm::ES256);
    assert!(matches!(verify(&p, &get(URI)), Err(Error::KeyUsage(_))));
    // a point not on the curve
    let mut off = public_jwk(&key);
    off["y"] = off["x"].clone();
    let p = forge(&json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": off}), &claims(), &key, Algorithm::ES256);
    assert!(matches!(verify(&p, &get(URI)), Err(Error::KeyInvalid(_))));
    // signed by another key than its jwk
    let other = es256();
    let p = forge(&header(&key, "ES256"), &claims(), &other, Algorithm::ES256);
    assert!(matches!(verify(&p, &get(URI)), Err(Error::SignatureInvalid(_))));
    // tampered claims
    let good = forge(&header(&key, "ES256"), &claims(), &key, Algorithm::ES256);
    let parts: Vec<&str> = good.split('.').collect();
    let tampered =
        format!("{}.{}.{}", parts[0], b64(with(claims(), "htm", json!("POST")).to_string().as_bytes()), parts[2]);
    assert!(matches!(verify(&tampered, &get(URI)), Err(Error::SignatureInvalid(_))));
}

/// libjwt's GHSA-vmf4-mvgm-7vpv: libjwt confirmed an embedded `jwk` against a pinned
/// thumbprint computed from the members as written (`x`, `y`), but built the key from
/// the private `d` when one was present, ignoring `x`: a `jwk` with the victim's public
/// coordinates and the attacker's `d` had the victim's thumbprint and verified the
/// attacker's signature. jwtkit refuses any private member in a proof's `jwk`, a key
/// whose halves disagree, and takes the thumbprint from the key that verified.
#[test]
fn a_victims_public_members_with_an_attackers_private_key_never_bind() {
    for alg in [Algorithm::ES256, Algorithm::EdDSA, Algorithm::ES384] {
        let victim = Key::generate(alg).unwrap();
        let attacker = Key::generate(alg).unwrap();
        let mut spliced = public_jwk(&victim);
        let attacker_private: Value = serde_json::from_str(&attacker.to_private_jwk().unwrap()).unwrap();
        spliced["d"] = attacker_private["d"].clone();
        let h = json!({"typ": "dpop+jwt", "alg": alg.name(), "jwk": spliced});
        let p = forge(&h, &claims(), &attacker, alg);
        assert!(matches!(verify(&p, &get(URI)), Err(Error::DpopPrivateJwk(_))), "{alg:?}");
        // Even as a key on its own (outside DPoP), the spliced halves do not load.
        assert!(matches!(Key::from_jwk(spliced.to_string().as_bytes()), Err(Error::KeyInvalid(_))), "{alg:?}");
        // The attacker's own public key verifies, and its thumbprint is the attacker's,
        // whatever else the jwk says (extra members, member order).
        let mut dressed = public_jwk(&attacker);
        dressed["kid"] = json!(victim.thumbprint().unwrap());
        dressed["x5t#S256"] = json!(victim.thumbprint().unwrap());
        dressed["ext"] = json!(true);
        let p = forge(&json!({"typ": "dpop+jwt", "alg": alg.name(), "jwk": dressed}), &claims(), &attacker, alg);
        let ok = verify(&p, &get(URI)).unwrap();
        assert_eq!(ok.jkt, attacker.thumbprint().unwrap());
        assert_ne!(ok.jkt, victim.thumbprint().unwrap());
        // and a token bound to the victim is not bound to that proof
        let token_claims = json!({"sub": "victim", "cnf": {"jkt": victim.thumbprint().unwrap()}}).to_string();
        let req = Request { access_token: Some(b"stolen"), ..get(URI) };
        let claims_with_ath = with(claims(), "ath", json!(dpop::access_token_hash(b"stolen")));
        let p = forge(
            &json!({"typ": "dpop+jwt", "alg": alg.name(), "jwk": public_jwk(&attacker)}),
            &claims_with_ath,
            &attacker,
            alg,
        );
        let proof = verify(&p, &req).unwrap();
        assert!(matches!(
            dpop::check_binding(b"stolen", token_claims.as_bytes(), Some(&proof)),
            Err(Error::DpopBindingMismatch(_))
        ));
    }
}

#[test]
fn htm_is_the_request_method_exactly() {
    let key = es256();
    let p = forge(&header(&key, "ES256"), &claims(), &key, Algorithm::ES256);
    for method in ["POST", "get", "Get", "GET ", "HEAD"] {
        let r = Request { method, ..get(URI) };
        assert!(matches!(verify(&p, &r), Err(Error::DpopHtmMismatch(_))), "{method}");
    }
}

#[test]
fn htu_is_the_request_uri_without_query_and_fragment_after_normalisation() {
    let key = es256();
    let with_htu =
        |htu: &str| forge(&header(&key, "ES256"), &with(claims(), "htu", json!(htu)), &key, Algorithm::ES256);
    let p = with_htu(URI);
    for same in [
        "https://api.example.com/orders?page=2",
        "https://api.example.com/orders#top",
        "https://api.example.com/orders?page=2#top",
        "HTTPS://API.Example.COM/orders",
        "https://api.example.com:443/orders",
        "https://api.example.com/%6Frders",
        "https://api.example.com/v1/../orders",
        "https://api.example.com/./orders",
    ] {
        verify(&p, &get(same)).unwrap_or_else(|e| panic!("{same}: {e}"));
    }
    for (htu, request) in [
        ("https://API.example.com:443/orders", URI),
        ("https://api.example.com/%6frders", URI),
        ("https://api.example.com/a/b/../../orders", URI),
        ("https://api.example.com:/orders", URI),
    ] {
        verify(&with_htu(htu), &get(request)).unwrap_or_else(|e| panic!("{htu}: {e}"));
    }
    // different URIs
    for other in [
        "https://api.example.com/Orders",
        "https://api.example.com/orders/",
        "https://api.example.com/orders/1",
        "http://api.example.com/orders",
        "https://api.example.com:8443/orders",
        "https://api.example.com.evil.example/orders",
        "https://evil.example/orders",
        "https://api.example.com/orders%2F",
    ] {
        assert!(matches!(verify(&p, &get(other)), Err(Error::DpopHtuMismatch(_))), "{other}");
    }
    // the proof's htu must be without query and fragment, and a URI
    for htu in [
        "https://api.example.com/orders?page=2",
        "https://api.example.com/orders#top",
        "https://api.example.com/orders?",
        "/orders",
        "api.example.com/orders",
        "https://api.example.com/or ders",
        "https://api.example.com/%zz",
    ] {
        assert!(matches!(verify(&with_htu(htu), &get(URI)), Err(Error::DpopHtuMismatch(_))), "{htu}");
    }
    // http's default port is 80, not 443
    let http = with_htu("http://api.example.com:80/orders");
    verify(&http, &get("http://api.example.com/orders")).unwrap();
    assert!(matches!(verify(&http, &get("http://api.example.com:443/orders")), Err(Error::DpopHtuMismatch(_))));
    // the caller's request URI must be one
    assert!(matches!(verify(&p, &get("/orders")), Err(Error::InvalidArgument(_))));
}

#[test]
fn iat_must_be_within_the_window() {
    let key = es256();
    let at = |iat: Value| forge(&header(&key, "ES256"), &with(claims(), "iat", iat), &key, Algorithm::ES256);
    for ok in [json!(NOW), json!(NOW - 300), json!(NOW + 30), json!(NOW as f64 + 0.5), json!(NOW - 299)] {
        verify(&at(ok.clone()), &get(URI)).unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    for old in [json!(NOW - 301), json!(0), json!(-1), json!(-1e300)] {
        assert!(matches!(verify(&at(old.clone()), &get(URI)), Err(Error::TooOld(_))), "{old}");
    }
    for future in [json!(NOW + 31), json!(NOW as f64 + 30.5), json!(1e300), json!(18446744073709551617u128 as f64)] {
        assert!(matches!(verify(&at(future.clone()), &get(URI)), Err(Error::IssuedInFuture(_))), "{future}");
    }
    let mut p = policy();
    p.set_iat_window(10, 0).unwrap();
    assert!(matches!(dpop::verify_proof(at(json!(NOW - 11)).as_bytes(), &get(URI), &p), Err(Error::TooOld(_))));
    assert!(matches!(dpop::verify_proof(at(json!(NOW + 1)).as_bytes(), &get(URI), &p), Err(Error::IssuedInFuture(_))));
    dpop::verify_proof(at(json!(NOW - 10)).as_bytes(), &get(URI), &p).unwrap();
}

#[test]
fn ath_must_hash_the_access_token() {
    let key = es256();
    let token = b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln";
    let req = Request { access_token: Some(token), ..get(URI) };
    let proof = |c: Value| forge(&header(&key, "ES256"), &c, &key, Algorithm::ES256);
    let good = proof(with(claims(), "ath", json!(dpop::access_token_hash(token))));
    assert_eq!(verify(&good, &req).unwrap().access_token_hash(), Some(dpop::access_token_hash(token).as_str()));
    assert!(matches!(verify(&proof(claims()), &req), Err(Error::ClaimMissing { .. })));
    for bad in [
        dpop::access_token_hash(b"another token"),
        dpop::access_token_hash(token).to_lowercase(),
        format!("{}=", dpop::access_token_hash(token)),
        b64(ring::digest::digest(&ring::digest::SHA384, token).as_ref()),
        String::new(),
    ] {
        assert!(matches!(verify(&proof(with(claims(), "ath", json!(bad))), &req), Err(Error::DpopAthMismatch(_))));
    }
    assert!(matches!(
        verify(&proof(with(claims(), "ath", json!(1))), &req),
        Err(Error::ClaimInvalid { claim: "ath", .. })
    ));
    // without an access token, an ath is not looked at
    verify(&good, &get(URI)).unwrap();
}

#[test]
fn a_nonce_is_checked_when_one_is_expected() {
    let key = es256();
    let proof = |c: Value| forge(&header(&key, "ES256"), &c, &key, Algorithm::ES256);
    let req = Request { nonce: Some("n-42"), ..get(URI) };
    verify(&proof(with(claims(), "nonce", json!("n-42"))), &req).unwrap();
    for bad in [None, Some(json!("n-41")), Some(json!("N-42")), Some(json!(42)), Some(json!(""))] {
        let c = match &bad {
            Some(v) => with(claims(), "nonce", v.clone()),
            None => claims(),
        };
        assert!(matches!(verify(&proof(c), &req), Err(Error::DpopNonce(_))), "{bad:?}");
    }
    // none expected: a nonce in the proof does no harm
    verify(&proof(with(claims(), "nonce", json!("old"))), &get(URI)).unwrap();
}

/// A replay store in memory, as a single server keeps one.
#[derive(Default)]
struct Memory {
    seen: Mutex<HashMap<(String, String), i64>>,
    asked: AtomicUsize,
}

impl Memory {
    fn check(self: &Arc<Self>) -> dpop::ReplayCheck {
        let me = Arc::clone(self);
        Arc::new(move |q: &ReplayQuery<'_>| {
            me.asked.fetch_add(1, Ordering::SeqCst);
            let mut seen = me.seen.lock().unwrap();
            seen.retain(|_, expires| *expires > NOW);
            match seen.insert((q.jkt.to_owned(), q.jti.to_owned()), q.expires_at) {
                Some(_) => JtiUse::Seen,
                None => JtiUse::First,
            }
        })
    }
}

#[test]
fn a_replayed_jti_is_refused_and_only_verified_proofs_reach_the_store() {
    let store = Arc::new(Memory::default());
    let mut p = policy();
    p.set_replay_check(Some(store.check()));
    let key = es256();
    let proof = forge(&header(&key, "ES256"), &claims(), &key, Algorithm::ES256);
    dpop::verify_proof(proof.as_bytes(), &get(URI), &p).unwrap();
    assert!(matches!(dpop::verify_proof(proof.as_bytes(), &get(URI), &p), Err(Error::DpopReplayed(_))));
    // the record is kept until the proof leaves the window
    let expires = *store.seen.lock().unwrap().values().next().unwrap();
    assert_eq!(expires, NOW + 300 + 1);
    // the same jti from another key is another proof
    let other = es256();
    let p2 = forge(&header(&other, "ES256"), &claims(), &other, Algorithm::ES256);
    dpop::verify_proof(p2.as_bytes(), &get(URI), &p).unwrap();
    // a proof that fails any check never reaches the store (no jti burnt by forgeries)
    let asked = store.asked.load(Ordering::SeqCst);
    let forged = forge(&header(&key, "ES256"), &with(claims(), "jti", json!("victim-jti")), &other, Algorithm::ES256);
    assert!(matches!(dpop::verify_proof(forged.as_bytes(), &get(URI), &p), Err(Error::SignatureInvalid(_))));
    let wrong_uri = forge(&header(&key, "ES256"), &with(claims(), "jti", json!("victim-jti")), &key, Algorithm::ES256);
    assert!(dpop::verify_proof(wrong_uri.as_bytes(), &get("https://api.example.com/other"), &p).is_err());
    assert_eq!(store.asked.load(Ordering::SeqCst), asked);
    dpop::verify_proof(wrong_uri.as_bytes(), &get(URI), &p).unwrap();
    // a store that cannot answer refuses the proof
    p.set_replay_check(Some(Arc::new(|_: &ReplayQuery<'_>| JtiUse::Unavailable)));
    let fresh = forge(&header(&key, "ES256"), &with(claims(), "jti", json!("new")), &key, Algorithm::ES256);
    assert!(matches!(dpop::verify_proof(fresh.as_bytes(), &get(URI), &p), Err(Error::DpopReplayCheck(_))));
    p.set_replay_check(None);
    dpop::verify_proof(fresh.as_bytes(), &get(URI), &p).unwrap();
}

#[test]
fn oversized_and_multiple_proofs_are_refused() {
    let key = rsa_key();
    let huge = with(claims(), "pad", json!("x".repeat(9000)));
    let p = forge(&header(&key, "RS256"), &huge, &key, Algorithm::RS256);
    assert!(matches!(verify(&p, &get(URI)), Err(Error::TokenTooLarge(_))));
    let mut pol = policy();
    pol.set_max_proof_len(64 * 1024).unwrap();
    dpop::verify_proof(p.as_bytes(), &get(URI), &pol).unwrap();
    let small = forge(&header(&key, "RS256"), &claims(), &key, Algorithm::RS256);
    pol.set_max_proof_len(small.len() - 1).unwrap();
    assert!(matches!(dpop::verify_proof(small.as_bytes(), &get(URI), &pol), Err(Error::TokenTooLarge(_))));
    // two proofs in one header value (repeated DPoP fields joined by a comma)
    let e = es256();
    let one = forge(&header(&e, "ES256"), &claims(), &e, Algorithm::ES256);
    for two in [format!("{one},{one}"), format!("{one}, {one}"), format!("{one} {one}"), format!(" {one}")] {
        assert!(matches!(verify(&two, &get(URI)), Err(Error::TokenMalformed(_))));
    }
}

// ---- binding an access token to a proof ----

fn issuer_key() -> Key {
    Key::generate(Algorithm::ES256).unwrap()
}

fn token_policy() -> Validation {
    let mut v = Validation::new(&[Algorithm::ES256]).unwrap();
    v.set_now(NOW);
    v
}

#[test]
fn a_bound_token_needs_its_own_proof_and_is_no_bearer_token() {
    let issuer = issuer_key();
    let client = es256();
    let thief = es256();
    let token = jwt::sign(
        &issuer,
        Algorithm::ES256,
        json!({"sub": "alice", "cnf": {"jkt": client.thumbprint().unwrap()}}).to_string().as_bytes(),
        None,
    )
    .unwrap();
    let unbound = jwt::sign(&issuer, Algorithm::ES256, br#"{"sub":"bob"}"#, None).unwrap();
    let request = |t: &str, key: &Key| {
        let req = Request { method: "GET", uri: URI, access_token: Some(t.as_bytes()), nonce: None };
        let proof = dpop::create_proof(key, Algorithm::ES256, &req, Some(NOW)).unwrap();
        dpop::verify_proof(proof.as_bytes(), &req, &policy()).unwrap()
    };
    let proof = request(&token, &client);
    let ok = dpop::verify_token(token.as_bytes(), &issuer, &token_policy(), Some(&proof)).unwrap();
    assert_eq!(ok.claims().unwrap()["sub"], "alice");
    // the thief's own key: a valid proof, but not the key the token is bound to
    let stolen = request(&token, &thief);
    assert!(matches!(
        dpop::verify_token(token.as_bytes(), &issuer, &token_policy(), Some(&stolen)),
        Err(Error::DpopBindingMismatch(_))
    ));
    // presented as Bearer
    assert!(matches!(
        dpop::verify_token(token.as_bytes(), &issuer, &token_policy(), None),
        Err(Error::DpopBoundTokenAsBearer(_))
    ));
    // an unbound token: fine as Bearer, not with DPoP
    dpop::verify_token(unbound.as_bytes(), &issuer, &token_policy(), None).unwrap();
    let proof_for_unbound = request(&unbound, &client);
    assert!(matches!(
        dpop::verify_token(unbound.as_bytes(), &issuer, &token_policy(), Some(&proof_for_unbound)),
        Err(Error::DpopBindingMismatch(_))
    ));
    // a proof made for another token
    assert!(matches!(
        dpop::verify_token(token.as_bytes(), &issuer, &token_policy(), Some(&proof_for_unbound)),
        Err(Error::DpopAthMismatch(_))
    ));
    // the token itself is still verified first
    let other_issuer = issuer_key();
    assert!(matches!(
        dpop::verify_token(token.as_bytes(), &other_issuer, &token_policy(), Some(&proof)),
        Err(Error::SignatureInvalid(_))
    ));
    // cnf of the wrong shape
    for cnf in [json!("x"), json!({"jkt": 1}), json!([])] {
        let t = jwt::sign(&issuer, Algorithm::ES256, json!({"cnf": cnf}).to_string().as_bytes(), None).unwrap();
        let p = request(&t, &client);
        assert!(matches!(
            dpop::verify_token(t.as_bytes(), &issuer, &token_policy(), Some(&p)),
            Err(Error::ClaimInvalid { claim: "cnf", .. })
        ));
        assert!(matches!(
            dpop::verify_token(t.as_bytes(), &issuer, &token_policy(), None),
            Err(Error::ClaimInvalid { claim: "cnf", .. })
        ));
    }
    // cnf with another confirmation method only (mTLS): not DPoP-bound
    let mtls = jwt::sign(&issuer, Algorithm::ES256, br#"{"cnf":{"x5t#S256":"abc"}}"#, None).unwrap();
    dpop::verify_token(mtls.as_bytes(), &issuer, &token_policy(), None).unwrap();
}

// ---- RFC 9068 ----

#[test]
fn the_access_token_profile_requires_typ_and_every_claim() {
    let issuer = issuer_key();
    let all = json!({
        "iss": "https://login.example", "exp": NOW + 60, "aud": "https://api.example", "sub": "alice",
        "client_id": "app", "iat": NOW, "jti": "t-1"
    });
    let mut v = token_policy();
    v.set_access_token_profile("https://login.example", "https://api.example");
    let sign = |claims: &Value, typ: Option<&str>| {
        let header = typ.map(|t| json!({"typ": t}).to_string());
        jwt::sign(&issuer, Algorithm::ES256, claims.to_string().as_bytes(), header.as_deref().map(str::as_bytes))
            .unwrap()
    };
    for typ in ["at+jwt", "application/at+jwt", "AT+JWT"] {
        jwt::verify(sign(&all, Some(typ)).as_bytes(), &issuer, &v).unwrap_or_else(|e| panic!("{typ}: {e}"));
    }
    for typ in [None, Some("JWT"), Some("dpop+jwt"), Some("application/jwt")] {
        assert!(matches!(jwt::verify(sign(&all, typ).as_bytes(), &issuer, &v), Err(Error::TypMismatch(_))), "{typ:?}");
    }
    for claim in Validation::ACCESS_TOKEN_CLAIMS {
        let t = sign(&without(all.clone(), claim), Some("at+jwt"));
        match jwt::verify(t.as_bytes(), &issuer, &v) {
            Err(e @ Error::ClaimMissing { .. }) => assert_eq!(e.claim(), Some(claim)),
            other => panic!("{claim}: {other:?}"),
        }
    }
    let t = sign(&with(all.clone(), "iss", json!("https://evil.example")), Some("at+jwt"));
    assert!(matches!(jwt::verify(t.as_bytes(), &issuer, &v), Err(Error::IssuerMismatch(_))));
    let t = sign(&with(all.clone(), "aud", json!("https://other.example")), Some("at+jwt"));
    assert!(matches!(jwt::verify(t.as_bytes(), &issuer, &v), Err(Error::AudienceMismatch(_))));
    let t = sign(&with(all.clone(), "exp", json!(NOW)), Some("at+jwt"));
    assert!(matches!(jwt::verify(t.as_bytes(), &issuer, &v), Err(Error::Expired(_))));
}

#[test]
fn a_bound_refresh_token_needs_a_proof_by_its_key() {
    let client = es256();
    let other = es256();
    let req = Request { method: "POST", uri: "https://login.example/token", access_token: None, nonce: None };
    let verified = |key: &Key| {
        let p = dpop::create_proof(key, Algorithm::ES256, &req, Some(NOW)).unwrap();
        dpop::verify_proof(p.as_bytes(), &req, &policy()).unwrap()
    };
    let bound = json!({"sub": "alice", "cnf": {"jkt": client.thumbprint().unwrap()}}).to_string();
    dpop::check_refresh_binding(bound.as_bytes(), Some(&verified(&client))).unwrap();
    assert!(matches!(
        dpop::check_refresh_binding(bound.as_bytes(), Some(&verified(&other))),
        Err(Error::DpopBindingMismatch(_))
    ));
    assert!(matches!(dpop::check_refresh_binding(bound.as_bytes(), None), Err(Error::DpopBoundTokenAsBearer(_))));
    // an unbound refresh token: with or without a proof
    dpop::check_refresh_binding(br#"{"sub":"alice"}"#, None).unwrap();
    dpop::check_refresh_binding(br#"{"sub":"alice"}"#, Some(&verified(&client))).unwrap();
    assert!(matches!(
        dpop::check_refresh_binding(br#"{"cnf":{"jkt":7}}"#, None),
        Err(Error::ClaimInvalid { claim: "cnf", .. })
    ));
}
