//! Shared by the benchmarks: the typical access token, the keys (created once, from the
//! same files the C and Python benchmarks read), jwtkit's keys and policy, and the
//! "floor" for each algorithm: what any correct verifier must do on the same bytes,
//! using the primitives directly (ring, or `p521` for ES512) plus base64 and serde_json.
#![allow(dead_code)]

use std::path::PathBuf;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{self as rsig, KeyPair as _};
use ring::{hmac, signature::EcdsaKeyPair, signature::Ed25519KeyPair, signature::RsaKeyPair};

use jwtkit::{Algorithm, Key, Validation};

/// The claims of a typical access token, byte for byte the same in benches/c/bench_c.c.
pub const CLAIMS: &str = r#"{"sub":"1234567890","name":"John Doe","admin":true,"iat":1516239022,"exp":4102444800,"iss":"https://auth.example.com","aud":"api.example.com"}"#;
pub const ISSUER: &str = "https://auth.example.com";
pub const AUDIENCE: &str = "api.example.com";
/// 64 bytes, enough for every HS* algorithm; the same secret as benches/c/bench_c.c.
pub const SECRET: &[u8] = b"bench-secret-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

pub const ALGS: [Algorithm; 6] =
    [Algorithm::HS256, Algorithm::RS256, Algorithm::PS256, Algorithm::ES256, Algorithm::ES512, Algorithm::EdDSA];

fn keys_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/keys")
}

pub fn read_key(name: &str) -> Vec<u8> {
    std::fs::read(keys_dir().join(name)).unwrap_or_else(|e| panic!("tests/keys/{name}: {e}"))
}

/// The private and public key files of `alg` (stem, e.g. "rsa2048"); None for HMAC.
pub fn key_stem(alg: Algorithm) -> Option<&'static str> {
    match alg {
        Algorithm::HS256 => None,
        Algorithm::RS256 | Algorithm::PS256 => Some("rsa2048"),
        Algorithm::ES256 => Some("ecp256"),
        Algorithm::ES512 => Some("ecp521"),
        Algorithm::EdDSA => Some("ed25519"),
        other => panic!("no bench key for {}", other.name()),
    }
}

/// The raw primitive, keyed once, as a caller using ring (or p521) directly would hold it.
pub enum Primitive {
    Hmac(hmac::Key),
    Rsa {
        pair: RsaKeyPair,
        n: Vec<u8>,
        e: Vec<u8>,
        sign: &'static dyn rsig::RsaEncoding,
        verify: &'static rsig::RsaParameters,
    },
    Ecdsa {
        pair: EcdsaKeyPair,
        public: Vec<u8>,
        verify: &'static rsig::EcdsaVerificationAlgorithm,
    },
    P521 {
        sk: p521::ecdsa::SigningKey,
        vk: p521::ecdsa::VerifyingKey,
    },
    Ed25519 {
        pair: Ed25519KeyPair,
        public: Vec<u8>,
    },
}

impl Primitive {
    pub fn new(alg: Algorithm) -> Primitive {
        let rng = SystemRandom::new();
        let der = || read_key(&format!("{}.pkcs8.der", key_stem(alg).unwrap()));
        match alg {
            Algorithm::HS256 => Primitive::Hmac(hmac::Key::new(hmac::HMAC_SHA256, SECRET)),
            Algorithm::RS256 | Algorithm::PS256 => {
                let pair = RsaKeyPair::from_pkcs8(&der()).unwrap();
                let c = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(pair.public());
                let (sign, verify): (&'static dyn rsig::RsaEncoding, _) = if alg == Algorithm::RS256 {
                    (&rsig::RSA_PKCS1_SHA256, &rsig::RSA_PKCS1_2048_8192_SHA256)
                } else {
                    (&rsig::RSA_PSS_SHA256, &rsig::RSA_PSS_2048_8192_SHA256)
                };
                Primitive::Rsa { pair, n: c.n, e: c.e, sign, verify }
            }
            Algorithm::ES256 => {
                let pair = EcdsaKeyPair::from_pkcs8(&rsig::ECDSA_P256_SHA256_FIXED_SIGNING, &der(), &rng).unwrap();
                let public = pair.public_key().as_ref().to_vec();
                Primitive::Ecdsa { pair, public, verify: &rsig::ECDSA_P256_SHA256_FIXED }
            }
            Algorithm::ES512 => {
                use sec1::der::Decode as _;
                let sec1_der = read_key("ecp521.sec1.der");
                let ec = sec1::EcPrivateKey::from_der(&sec1_der).unwrap();
                let sk = p521::ecdsa::SigningKey::from_slice(ec.private_key).unwrap();
                let vk = p521::ecdsa::VerifyingKey::from(&sk);
                Primitive::P521 { sk, vk }
            }
            Algorithm::EdDSA => {
                let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der()).unwrap();
                let public = pair.public_key().as_ref().to_vec();
                Primitive::Ed25519 { pair, public }
            }
            other => panic!("no primitive for {}", other.name()),
        }
    }

    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        use p521::ecdsa::signature::Signer as _;
        let rng = SystemRandom::new();
        match self {
            Primitive::Hmac(k) => hmac::sign(k, msg).as_ref().to_vec(),
            Primitive::Rsa { pair, sign, .. } => {
                let mut sig = vec![0u8; pair.public().modulus_len()];
                pair.sign(*sign, &rng, msg, &mut sig).unwrap();
                sig
            }
            Primitive::Ecdsa { pair, .. } => pair.sign(&rng, msg).unwrap().as_ref().to_vec(),
            Primitive::P521 { sk, .. } => {
                let sig: p521::ecdsa::Signature = sk.sign(msg);
                sig.to_bytes().to_vec()
            }
            Primitive::Ed25519 { pair, .. } => pair.sign(msg).as_ref().to_vec(),
        }
    }

    /// Verifies with the public half only, the way ring takes public keys: RSA from its
    /// components, EC and Ed25519 from the encoded point (ring has no pre-parsed public
    /// key type for verification).
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        use p521::ecdsa::signature::Verifier as _;
        match self {
            Primitive::Hmac(k) => hmac::verify(k, msg, sig).is_ok(),
            Primitive::Rsa { n, e, verify, .. } => {
                rsig::RsaPublicKeyComponents { n, e }.verify(verify, msg, sig).is_ok()
            }
            Primitive::Ecdsa { public, verify, .. } => {
                rsig::UnparsedPublicKey::new(*verify, public).verify(msg, sig).is_ok()
            }
            Primitive::P521 { vk, .. } => match p521::ecdsa::Signature::from_slice(sig) {
                Ok(s) => vk.verify(msg, &s).is_ok(),
                Err(_) => false,
            },
            Primitive::Ed25519 { public, .. } => {
                rsig::UnparsedPublicKey::new(&rsig::ED25519, public).verify(msg, sig).is_ok()
            }
        }
    }
}

/// Everything one algorithm's benchmarks need, created once.
pub struct Case {
    pub alg: Algorithm,
    pub private: Key,
    pub public: Key,
    pub validation: Validation,
    pub token: String,
    pub primitive: Primitive,
    /// The header JSON jwtkit writes, for the sign floor (which encodes, but need not build, it).
    pub header_json: Vec<u8>,
}

impl Case {
    pub fn new(alg: Algorithm) -> Case {
        let (private, public) = match key_stem(alg) {
            None => (Key::from_secret(SECRET).unwrap(), Key::from_secret(SECRET).unwrap()),
            Some(stem) => (
                Key::from_pem(&read_key(&format!("{stem}.pkcs8.pem"))).unwrap(),
                Key::from_pem(&read_key(&format!("{stem}.spki.pem"))).unwrap(),
            ),
        };
        let mut validation = Validation::new(&[alg]).unwrap();
        validation.add_issuer(ISSUER);
        validation.add_audience(AUDIENCE);
        let token = jwtkit::jwt::sign(&private, alg, CLAIMS.as_bytes(), None).unwrap();
        let primitive = Primitive::new(alg);
        let header_json = URL_SAFE_NO_PAD.decode(token.split('.').next().unwrap()).unwrap();
        let case = Case { alg, private, public, validation, token, primitive, header_json };
        // Sanity: everything verifies what everything else signed, before any timing.
        let (input, sig) = case.signing_input_and_signature();
        assert!(case.primitive.verify(input.as_bytes(), &sig), "{}: primitive rejects jwtkit's token", alg.name());
        let v = jwtkit::jwt::verify(case.token.as_bytes(), &case.public, &case.validation).unwrap();
        assert_eq!(v.claims_json, CLAIMS.as_bytes());
        assert!(floor_verify(&case.primitive, case.token.as_bytes()), "{}: floor", alg.name());
        let floor_token = floor_sign(&case.primitive, &case.header_json, CLAIMS.as_bytes());
        jwtkit::jwt::verify(floor_token.as_bytes(), &case.public, &case.validation).unwrap();
        case
    }

    pub fn signing_input_and_signature(&self) -> (&str, Vec<u8>) {
        let dot = self.token.rfind('.').unwrap();
        (&self.token[..dot], URL_SAFE_NO_PAD.decode(&self.token[dot + 1..]).unwrap())
    }
}

/// Header, payload, signature and signing input of a compact token.
type Parts<'a> = (&'a [u8], &'a [u8], &'a [u8], &'a [u8]);

/// The three segments of a compact token (the floor does no more checking than this).
fn segments(token: &[u8]) -> Option<Parts<'_>> {
    let first = token.iter().position(|&b| b == b'.')?;
    let second = first + 1 + token[first + 1..].iter().position(|&b| b == b'.')?;
    Some((&token[..first], &token[first + 1..second], &token[second + 1..], &token[..second]))
}

/// base64url-decode the three segments and JSON-parse header and claims: the part of
/// verification that is not cryptography, done with base64 and serde_json directly.
pub fn floor_decode_parse(token: &[u8]) -> Option<(serde_json::Value, serde_json::Value, Vec<u8>)> {
    let (h, p, s, _) = segments(token)?;
    let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()?;
    let sig = URL_SAFE_NO_PAD.decode(s).ok()?;
    Some((header, claims, sig))
}

/// The verify floor: decode and parse, then the primitive on the signing input.
pub fn floor_verify(primitive: &Primitive, token: &[u8]) -> bool {
    let Some((_, _, sig)) = floor_decode_parse(token) else { return false };
    let (_, _, _, input) = segments(token).unwrap();
    primitive.verify(input, &sig)
}

/// The sign floor: base64url-encode the header and claims, sign, encode the signature.
pub fn floor_sign(primitive: &Primitive, header_json: &[u8], claims: &[u8]) -> String {
    // One allocation of the final size, as a careful implementation makes: growing the
    // string segment by segment made the floor itself vary by 30% with the heap's state.
    let mut token = String::with_capacity((header_json.len() + claims.len()) * 4 / 3 + 700);
    URL_SAFE_NO_PAD.encode_string(header_json, &mut token);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(claims, &mut token);
    let sig = primitive.sign(token.as_bytes());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(sig, &mut token);
    token
}

/// The sign floor plus the least checking a signer given claims as JSON text owes: one
/// serde_json pass that the claims are well-formed JSON (not that they are an object or
/// free of duplicate names, which jwtkit also checks). The counterpart of the verify
/// floor's parsing.
pub fn floor_sign_checked(primitive: &Primitive, header_json: &[u8], claims: &[u8]) -> String {
    serde_json::from_slice::<serde::de::IgnoredAny>(claims).expect("claims are JSON");
    floor_sign(primitive, header_json, claims)
}

/// The keys and policy of a case as C handles, made through the C API, for measuring
/// the exported entry points exactly as a C caller uses them.
pub struct CHandles {
    pub private: *const jwtkit::ffi::jwtkit_key,
    pub public: *const jwtkit::ffi::jwtkit_key,
    pub policy: *mut jwtkit::ffi::jwtkit_validation,
    pub alg: i32,
}

impl CHandles {
    pub fn new(case: &Case) -> CHandles {
        use jwtkit::ffi::*;
        let null = std::ptr::null_mut();
        let mut private: *const jwtkit_key = std::ptr::null();
        let mut public: *const jwtkit_key = std::ptr::null();
        unsafe {
            match key_stem(case.alg) {
                None => {
                    assert_eq!(jwtkit_key_from_secret(SECRET.as_ptr(), SECRET.len(), 0, &mut private, null), 0);
                    assert_eq!(jwtkit_key_from_secret(SECRET.as_ptr(), SECRET.len(), 0, &mut public, null), 0);
                }
                Some(stem) => {
                    let pem = read_key(&format!("{stem}.pkcs8.pem"));
                    assert_eq!(jwtkit_key_from_pem(pem.as_ptr(), pem.len(), &mut private, null), 0);
                    let pem = read_key(&format!("{stem}.spki.pem"));
                    assert_eq!(jwtkit_key_from_pem(pem.as_ptr(), pem.len(), &mut public, null), 0);
                }
            }
            let name = case.alg.name();
            let mut alg = 0i32;
            assert_eq!(jwtkit_alg_from_name(name.as_ptr(), name.len(), &mut alg, null), 0);
            let mut policy: *mut jwtkit_validation = std::ptr::null_mut();
            assert_eq!(jwtkit_validation_new(&alg, 1, &mut policy, null), 0);
            assert_eq!(jwtkit_validation_add_issuer(policy, ISSUER.as_ptr(), ISSUER.len(), null), 0);
            assert_eq!(jwtkit_validation_add_audience(policy, AUDIENCE.as_ptr(), AUDIENCE.len(), null), 0);
            CHandles { private, public, policy, alg }
        }
    }

    /// `jwtkit_verify` returning the claims string, then `jwtkit_string_free`.
    pub fn verify(&self, token: &str) {
        let mut claims: *mut std::ffi::c_char = std::ptr::null_mut();
        let mut len = 0usize;
        let (no_header, no_len, no_err) = (std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut());
        let status = unsafe {
            jwtkit::ffi::jwtkit_verify(
                token.as_ptr(),
                token.len(),
                self.public,
                self.policy,
                no_header,
                no_len,
                &mut claims,
                &mut len,
                no_err,
            )
        };
        assert!(status == 0 && len == CLAIMS.len());
        unsafe { jwtkit::ffi::jwtkit_string_free(claims) };
    }

    /// `jwtkit_sign`, then `jwtkit_string_free` on the token.
    pub fn sign(&self) {
        let mut token: *mut std::ffi::c_char = std::ptr::null_mut();
        let status = unsafe {
            jwtkit::ffi::jwtkit_sign(
                self.private,
                self.alg,
                CLAIMS.as_ptr(),
                CLAIMS.len(),
                std::ptr::null(),
                0,
                &mut token,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        assert_eq!(status, 0);
        unsafe { jwtkit::ffi::jwtkit_string_free(token) };
    }
}

impl Drop for CHandles {
    fn drop(&mut self) {
        unsafe {
            jwtkit::ffi::jwtkit_key_free(self.private);
            jwtkit::ffi::jwtkit_key_free(self.public);
            jwtkit::ffi::jwtkit_validation_free(self.policy);
        }
    }
}

/// CPU time consumed by the calling thread, in ns. On a shared machine this leaves out
/// the time other processes hold the core (wall time does not), so figures and ratios
/// stay meaningful under load; on a quiet machine the two agree for this CPU-bound work.
pub fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // Cannot fail for this clock on Linux; a zero reading would show as absurd figures.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}
