//! JWK and JWK Sets through the C ABI (`jwtkit::ffi::*`): key sets with selection by
//! `kid`, skipping and its listing, rotation, export (JWK, PEM, RFC 7638 thumbprints) and
//! key generation. Vectors: JOSE Cookbook (RFC 7520 §3-4), RFC 7638 §3.1, RFC 8037 App. A,
//! Wycheproof `json_web_key_test.json` and the JWS cases of `json_web_crypto_test.json`
//! (copied into tests/vectors; see its README for the policy on each labelled case).
#![allow(unused_unsafe)]

use std::collections::BTreeMap;
use std::ffi::{c_char, CStr};
use std::path::PathBuf;
use std::ptr;

use jwtkit::ffi::*;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------
// A small safe layer over the C functions: every call checks the ABI's promises (status
// and error object agree; outputs only on success, NUL-terminated) and frees everything.

#[derive(Debug, Clone, PartialEq)]
struct CErr {
    status: i32,
    message: String,
}

fn name(status: i32) -> String {
    unsafe { CStr::from_ptr(jwtkit_status_str(status)) }.to_string_lossy().into_owned()
}

impl std::fmt::Display for CErr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", name(self.status), self.message)
    }
}

fn finish(status: i32, err: *mut jwtkit_error) -> Result<(), CErr> {
    if status == JWTKIT_OK {
        assert!(err.is_null(), "JWTKIT_OK with an error object");
        return Ok(());
    }
    assert!(!err.is_null(), "{} without an error object", name(status));
    let message = unsafe { CStr::from_ptr(jwtkit_error_message(err)) }.to_string_lossy().into_owned();
    assert_eq!(unsafe { jwtkit_error_status(err) }, status);
    unsafe { jwtkit_error_free(err) };
    assert_ne!(name(status), "JWTKIT_ERR_UNKNOWN");
    Err(CErr { status, message })
}

fn take(p: *mut c_char, len: usize) -> String {
    assert!(!p.is_null());
    let bytes = unsafe { std::slice::from_raw_parts(p as *const u8, len + 1) };
    assert_eq!(bytes[len], 0, "output not NUL-terminated");
    let s = String::from_utf8(bytes[..len].to_vec()).expect("UTF-8 output");
    unsafe { jwtkit_string_free(p) };
    s
}

fn raw(b: &[u8]) -> (*const u8, usize) {
    if b.is_empty() {
        (ptr::null(), 0)
    } else {
        (b.as_ptr(), b.len())
    }
}

/// One `char **out, size_t *out_len` call.
fn string_out(f: impl FnOnce(*mut *mut c_char, *mut usize, *mut *mut jwtkit_error) -> i32) -> Result<String, CErr> {
    let (mut out, mut len, mut err) = (ptr::null_mut(), 0usize, ptr::null_mut());
    let st = f(&mut out, &mut len, &mut err);
    match finish(st, err) {
        Ok(()) => Ok(take(out, len)),
        Err(e) => {
            assert!(out.is_null(), "output written on failure");
            Err(e)
        }
    }
}

#[derive(Debug)]
struct Key(*const jwtkit_key);

impl Drop for Key {
    fn drop(&mut self) {
        unsafe { jwtkit_key_free(self.0) };
    }
}

fn key_out(f: impl FnOnce(*mut *const jwtkit_key, *mut *mut jwtkit_error) -> i32) -> Result<Key, CErr> {
    let (mut k, mut err) = (ptr::null(), ptr::null_mut());
    let st = f(&mut k, &mut err);
    match finish(st, err) {
        Ok(()) => {
            assert!(!k.is_null());
            Ok(Key(k))
        }
        Err(e) => {
            assert!(k.is_null(), "key written on failure");
            Err(e)
        }
    }
}

impl Key {
    fn jwk(text: &str) -> Result<Key, CErr> {
        key_out(|o, e| unsafe { jwtkit_key_from_jwk(text.as_ptr(), text.len(), o, e) })
    }
    fn jwk_value(v: &Value) -> Result<Key, CErr> {
        Self::jwk(&v.to_string())
    }
    fn pem(text: &[u8]) -> Result<Key, CErr> {
        key_out(|o, e| unsafe { jwtkit_key_from_pem(text.as_ptr(), text.len(), o, e) })
    }
    fn der(bytes: &[u8]) -> Result<Key, CErr> {
        key_out(|o, e| unsafe { jwtkit_key_from_der(bytes.as_ptr(), bytes.len(), o, e) })
    }
    fn generate(alg: i32) -> Result<Key, CErr> {
        key_out(|o, e| unsafe { jwtkit_key_generate(alg, o, e) })
    }
    fn with_kid(&self, kid: Option<&str>) -> Result<Key, CErr> {
        let (p, n) = raw(kid.unwrap_or("").as_bytes());
        key_out(|o, e| unsafe { jwtkit_key_with_kid(self.0, p, n, o, e) })
    }
    fn kid(&self) -> Option<String> {
        let (mut out, mut len, mut err) = (ptr::null_mut(), 99usize, ptr::null_mut());
        finish(unsafe { jwtkit_key_kid(self.0, &mut out, &mut len, &mut err) }, err).unwrap();
        if out.is_null() {
            assert_eq!(len, 0);
            None
        } else {
            Some(take(out, len))
        }
    }
    fn kind(&self) -> i32 {
        unsafe { jwtkit_key_get_kind(self.0) }
    }
    fn is_private(&self) -> bool {
        unsafe { jwtkit_key_is_private(self.0) }
    }
    fn public_jwk(&self) -> Result<String, CErr> {
        string_out(|o, l, e| unsafe { jwtkit_key_to_public_jwk(self.0, o, l, e) })
    }
    fn private_jwk(&self) -> Result<String, CErr> {
        string_out(|o, l, e| unsafe { jwtkit_key_to_private_jwk(self.0, o, l, e) })
    }
    fn public_pem(&self) -> Result<String, CErr> {
        string_out(|o, l, e| unsafe { jwtkit_key_to_public_pem(self.0, o, l, e) })
    }
    fn private_pem(&self) -> Result<String, CErr> {
        string_out(|o, l, e| unsafe { jwtkit_key_to_private_pem(self.0, o, l, e) })
    }
    fn thumbprint(&self) -> Result<String, CErr> {
        string_out(|o, l, e| unsafe { jwtkit_key_thumbprint(self.0, o, l, e) })
    }
    fn sign(&self, alg: i32, claims: &str) -> Result<String, CErr> {
        string_out(|o, l, e| unsafe {
            jwtkit_sign(self.0, alg, claims.as_ptr(), claims.len(), ptr::null(), 0, o, l, e)
        })
    }
    fn jws_sign(&self, alg: i32, payload: &[u8]) -> Result<String, CErr> {
        let (p, n) = raw(payload);
        string_out(|o, l, e| unsafe { jwtkit_jws_sign(self.0, alg, p, n, ptr::null(), 0, o, l, e) })
    }
}

#[derive(Debug)]
struct Set(*const jwtkit_keyset);

impl Drop for Set {
    fn drop(&mut self) {
        unsafe { jwtkit_keyset_free(self.0) };
    }
}

fn set_out(f: impl FnOnce(*mut *const jwtkit_keyset, *mut *mut jwtkit_error) -> i32) -> Result<Set, CErr> {
    let (mut s, mut err) = (ptr::null(), ptr::null_mut());
    let st = f(&mut s, &mut err);
    match finish(st, err) {
        Ok(()) => {
            assert!(!s.is_null());
            Ok(Set(s))
        }
        Err(e) => {
            assert!(s.is_null(), "set written on failure");
            Err(e)
        }
    }
}

impl Set {
    fn jwks(text: &str) -> Result<Set, CErr> {
        let (p, n) = raw(text.as_bytes());
        set_out(|o, e| unsafe { jwtkit_keyset_from_jwks(p, n, o, e) })
    }
    fn jwks_value(v: &Value) -> Result<Set, CErr> {
        Self::jwks(&v.to_string())
    }
    fn keys(keys: &[&Key]) -> Result<Set, CErr> {
        let handles: Vec<*const jwtkit_key> = keys.iter().map(|k| k.0).collect();
        let p = if handles.is_empty() { ptr::null() } else { handles.as_ptr() };
        set_out(|o, e| unsafe { jwtkit_keyset_from_keys(p, handles.len(), o, e) })
    }
    fn len(&self) -> usize {
        unsafe { jwtkit_keyset_len(self.0) }
    }
    fn get(&self, i: usize) -> Result<Key, CErr> {
        key_out(|o, e| unsafe { jwtkit_keyset_get(self.0, i, o, e) })
    }
    /// (status, message) of every skipped key.
    fn skipped(&self) -> Vec<(i32, String)> {
        let n = unsafe { jwtkit_keyset_skipped_count(self.0) };
        (0..n)
            .map(|i| {
                let mut status = 0;
                let msg =
                    string_out(|o, l, e| unsafe { jwtkit_keyset_skipped(self.0, i, &mut status, o, l, e) }).unwrap();
                (status, msg)
            })
            .collect()
    }
    fn public_jwks(&self) -> Result<String, CErr> {
        string_out(|o, l, e| unsafe { jwtkit_keyset_to_public_jwks(self.0, o, l, e) })
    }
    /// `jwtkit_jws_verify_with_keyset`: (header, payload).
    fn jws_verify(&self, token: &str, v: &Policy) -> Result<(String, Vec<u8>), CErr> {
        let (tp, tn) = raw(token.as_bytes());
        let (mut h, mut hl, mut p, mut pl, mut err) = (ptr::null_mut(), 0, ptr::null_mut(), 0, ptr::null_mut());
        let st =
            unsafe { jwtkit_jws_verify_with_keyset(tp, tn, self.0, v.0, &mut h, &mut hl, &mut p, &mut pl, &mut err) };
        match finish(st, err) {
            Ok(()) => {
                let payload = unsafe { std::slice::from_raw_parts(p as *const u8, pl) }.to_vec();
                unsafe { jwtkit_string_free(p) };
                Ok((take(h, hl), payload))
            }
            Err(e) => {
                assert!(h.is_null() && p.is_null(), "output written on failure");
                Err(e)
            }
        }
    }
    /// `jwtkit_verify_with_keyset`: (header, claims).
    fn verify(&self, token: &str, v: &Policy) -> Result<(String, String), CErr> {
        let (tp, tn) = raw(token.as_bytes());
        let (mut h, mut hl, mut c, mut cl, mut err) = (ptr::null_mut(), 0, ptr::null_mut(), 0, ptr::null_mut());
        let st = unsafe { jwtkit_verify_with_keyset(tp, tn, self.0, v.0, &mut h, &mut hl, &mut c, &mut cl, &mut err) };
        match finish(st, err) {
            Ok(()) => Ok((take(h, hl), take(c, cl))),
            Err(e) => {
                assert!(h.is_null() && c.is_null(), "output written on failure");
                Err(e)
            }
        }
    }
}

struct Policy(*mut jwtkit_validation);

impl Drop for Policy {
    fn drop(&mut self) {
        unsafe { jwtkit_validation_free(self.0) };
    }
}

/// Every algorithm number the library has (`jwtkit_alg_name` of 1, 2, … up to NULL).
static ALL: std::sync::LazyLock<Vec<i32>> =
    std::sync::LazyLock::new(|| (1..).take_while(|&n| !jwtkit_alg_name(n).is_null()).collect());

impl Policy {
    fn new(algs: &[i32]) -> Policy {
        let (mut v, mut err) = (ptr::null_mut(), ptr::null_mut());
        finish(unsafe { jwtkit_validation_new(algs.as_ptr(), algs.len(), &mut v, &mut err) }, err).unwrap();
        Policy(v)
    }
    fn all() -> Policy {
        Self::new(&ALL)
    }
}

/// Verifying with a single key (`jwtkit_jws_verify`), for comparison.
fn jws_verify_one(token: &str, key: &Key, v: &Policy) -> Result<Vec<u8>, CErr> {
    let (tp, tn) = raw(token.as_bytes());
    let (mut h, mut hl, mut p, mut pl, mut err) = (ptr::null_mut(), 0, ptr::null_mut(), 0, ptr::null_mut());
    let st = unsafe { jwtkit_jws_verify(tp, tn, key.0, v.0, &mut h, &mut hl, &mut p, &mut pl, &mut err) };
    finish(st, err).map(|()| {
        take(h, hl);
        let payload = unsafe { std::slice::from_raw_parts(p as *const u8, pl) }.to_vec();
        unsafe { jwtkit_string_free(p) };
        payload
    })
}

fn verify_one(token: &str, key: &Key, v: &Policy) -> Result<String, CErr> {
    let (tp, tn) = raw(token.as_bytes());
    let (mut h, mut hl, mut c, mut cl, mut err) = (ptr::null_mut(), 0, ptr::null_mut(), 0, ptr::null_mut());
    let st = unsafe { jwtkit_verify(tp, tn, key.0, v.0, &mut h, &mut hl, &mut c, &mut cl, &mut err) };
    finish(st, err).map(|()| {
        take(h, hl);
        take(c, cl)
    })
}

// ---------------------------------------------------------------------------------------
// Test data (tests/vectors and tests/keys only)

fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join(rel)
}

fn vector(rel: &str) -> Value {
    let p = path(&format!("vectors/{rel}"));
    serde_json::from_slice(&std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))).unwrap()
}

fn key_file(name: &str) -> Vec<u8> {
    std::fs::read(path(&format!("keys/{name}"))).unwrap()
}

fn cookbook_jwk(name: &str) -> Value {
    vector(&format!("jose-cookbook/jwk/{name}.json"))
}

fn header_of(token: &str) -> Value {
    use base64::Engine;
    let h = token.split('.').next().unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(h).unwrap()).unwrap()
}

fn alg_number(name: &str) -> i32 {
    let (mut alg, mut err) = (0, ptr::null_mut());
    finish(unsafe { jwtkit_alg_from_name(name.as_ptr(), name.len(), &mut alg, &mut err) }, err).unwrap();
    alg
}

// ---------------------------------------------------------------------------------------
// JOSE Cookbook (RFC 7520)

/// The RFC 7520 §3 keys, as JWK Sets, verify the §4.1-4.4 compact examples, chosen by
/// `kid`. 3.1 (EC) and 3.3 (RSA) share a `kid`, which is not ambiguous: an algorithm
/// picks one of them.
#[test]
fn cookbook_keys_verify_their_jws_examples() {
    let v = Policy::all();
    let public = Set::jwks_value(&json!({"keys": [
        cookbook_jwk("3_1.ec_public_key"), cookbook_jwk("3_3.rsa_public_key"),
    ]}))
    .unwrap();
    let private = Set::jwks_value(&json!({"keys": [
        cookbook_jwk("3_2.ec_private_key"), cookbook_jwk("3_4.rsa_private_key"),
    ]}))
    .unwrap();
    let symmetric = Set::jwks_value(&json!({"keys": [
        cookbook_jwk("3_5.symmetric_key_mac_computation"), cookbook_jwk("3_6.symmetric_key_encryption"),
    ]}))
    .unwrap();
    assert_eq!((public.len(), private.len(), symmetric.len()), (2, 2, 1));
    assert!(public.skipped().is_empty() && private.skipped().is_empty());
    // 3.6 is an encryption key (use: enc, alg: A256GCM).
    let skipped = symmetric.skipped();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].0, JWTKIT_ERR_KEY_USAGE, "{}", skipped[0].1);
    assert!(skipped[0].1.starts_with("keys[1] (kid \"1e571774-2e08-40da-8308-e8d68773842d\"):"), "{}", skipped[0].1);

    let mut verified = 0;
    for (file, set) in [
        ("4_1.rsa_v15_signature", &public),
        ("4_2.rsa-pss_signature", &public),
        ("4_3.ecdsa_signature", &public),
        ("4_4.hmac-sha2_integrity_protection", &symmetric),
    ] {
        let ex = vector(&format!("jose-cookbook/jws/{file}.json"));
        let compact = ex["output"]["compact"].as_str().unwrap();
        let payload = ex["input"]["payload"].as_str().unwrap();
        for s in [set, &private] {
            if file.starts_with("4_4") && std::ptr::eq(s, &private) {
                continue;
            }
            let (header, got) = s.jws_verify(compact, &v).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(got, payload.as_bytes(), "{file}");
            assert_eq!(serde_json::from_str::<Value>(&header).unwrap(), ex["signing"]["protected"], "{file}");
            verified += 1;
        }
        // Only the compact serialization exists here.
        let flat = ex["output"]["json_flat"].to_string();
        assert_eq!(set.jws_verify(&flat, &v).unwrap_err().status, JWTKIT_ERR_TOKEN_MALFORMED);
        // A different `kid` finds nothing, even though a key would verify.
        let other = compact.replacen(
            compact.split('.').next().unwrap(),
            &{
                use base64::Engine;
                let mut h = ex["signing"]["protected"].clone();
                h["kid"] = json!("someone-else");
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(h.to_string())
            },
            1,
        );
        assert_eq!(set.jws_verify(&other, &v).unwrap_err().status, JWTKIT_ERR_KEY_NOT_FOUND, "{file}");
    }
    assert_eq!(verified, 7);

    // The asymmetric set refuses the MAC key next to public keys (Wycheproof MixedKeySet).
    let mixed = Set::jwks_value(&json!({"keys": [
        cookbook_jwk("3_3.rsa_public_key"), cookbook_jwk("3_5.symmetric_key_mac_computation"),
    ]}))
    .unwrap();
    assert_eq!(mixed.len(), 1);
    assert_eq!(mixed.skipped()[0].0, JWTKIT_ERR_KEY_USAGE);
    let hs = vector("jose-cookbook/jws/4_4.hmac-sha2_integrity_protection.json");
    let err = mixed.jws_verify(hs["output"]["compact"].as_str().unwrap(), &v).unwrap_err();
    assert_eq!(err.status, JWTKIT_ERR_KEY_NOT_FOUND, "{err}");
    assert!(err.message.contains("skipped"), "{err}");
}

/// Exporting the cookbook keys gives back the RFC's members.
#[test]
fn cookbook_keys_export_as_written() {
    for (private, public) in
        [("3_2.ec_private_key", "3_1.ec_public_key"), ("3_4.rsa_private_key", "3_3.rsa_public_key")]
    {
        let jwk = cookbook_jwk(private);
        let key = Key::jwk_value(&jwk).unwrap();
        assert!(key.is_private());
        assert_eq!(key.kid().as_deref(), Some("bilbo.baggins@hobbiton.example"));
        let exported: Value = serde_json::from_str(&key.private_jwk().unwrap()).unwrap();
        assert_eq!(exported, jwk, "{private}");
        let exported: Value = serde_json::from_str(&key.public_jwk().unwrap()).unwrap();
        assert_eq!(exported, cookbook_jwk(public), "{public}");
        // PEM round trip keeps the key (not the JWK metadata).
        let again = Key::pem(key.private_pem().unwrap().as_bytes()).unwrap();
        assert_eq!(again.thumbprint().unwrap(), key.thumbprint().unwrap());
        assert_eq!(again.kid(), None);
        let public_key = Key::pem(key.public_pem().unwrap().as_bytes()).unwrap();
        assert!(!public_key.is_private());
        assert_eq!(public_key.thumbprint().unwrap(), key.thumbprint().unwrap());
    }
    let mac = cookbook_jwk("3_5.symmetric_key_mac_computation");
    let key = Key::jwk_value(&mac).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&key.private_jwk().unwrap()).unwrap(), mac);
    assert_eq!(key.public_jwk().unwrap_err().status, JWTKIT_ERR_INVALID_ARGUMENT);
    assert_eq!(key.public_pem().unwrap_err().status, JWTKIT_ERR_INVALID_ARGUMENT);
    assert_eq!(key.private_pem().unwrap_err().status, JWTKIT_ERR_INVALID_ARGUMENT);
    let public = Key::jwk_value(&cookbook_jwk("3_3.rsa_public_key")).unwrap();
    assert_eq!(public.private_jwk().unwrap_err().status, JWTKIT_ERR_INVALID_ARGUMENT);
    assert_eq!(public.private_pem().unwrap_err().status, JWTKIT_ERR_INVALID_ARGUMENT);
}

// ---------------------------------------------------------------------------------------
// Thumbprints: RFC 7638 §3.1, RFC 8037 A.3

#[test]
fn rfc7638_and_rfc8037_thumbprints() {
    let doc = vector("rfc/rfc7638_section_3_1.json");
    let t = &doc["tests"][0];
    let key = Key::jwk_value(&t["jwk"]).unwrap();
    assert_eq!(key.thumbprint().unwrap(), t["thumbprintB64u"].as_str().unwrap());
    assert_eq!(key.thumbprint().unwrap(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    // The same key from PEM (no JWK metadata) has the same thumbprint.
    let from_pem = Key::pem(key.public_pem().unwrap().as_bytes()).unwrap();
    assert_eq!(from_pem.thumbprint().unwrap(), t["thumbprintB64u"].as_str().unwrap());

    let doc = vector("rfc/rfc8037_appendix_a.json");
    let tests: BTreeMap<&str, &Value> =
        doc["tests"].as_array().unwrap().iter().map(|t| (t["id"].as_str().unwrap(), t)).collect();
    let a1 = tests["rfc8037-A.1-A.2-ed25519-key"];
    let a3 = tests["rfc8037-A.3-thumbprint"];
    let private = Key::jwk_value(&a1["jwk"]).unwrap();
    let public = Key::jwk_value(&a1["publicJwk"]).unwrap();
    assert_eq!(private.kind(), JWTKIT_KEY_KIND_ED25519);
    let want = a3["thumbprintB64u"].as_str().unwrap();
    assert_eq!(private.thumbprint().unwrap(), want);
    assert_eq!(public.thumbprint().unwrap(), want);
    assert_eq!(Key::jwk_value(&a3["jwk"]).unwrap().thumbprint().unwrap(), want);
    // A.1/A.2: the exports are the RFC's JWKs, byte for byte (members sorted).
    assert_eq!(private.private_jwk().unwrap(), a1["jwk"].to_string());
    assert_eq!(private.public_jwk().unwrap(), a1["publicJwk"].to_string());
    assert_eq!(public.public_jwk().unwrap(), a3["canonicalJson"].as_str().unwrap());

    // A.4/A.5: a JWKS with the A.2 key verifies the EdDSA example (no `kid`: by kind).
    let a4 = tests["rfc8037-A.4-A.5-EdDSA"];
    let set = Set::jwks_value(&json!({"keys": [a1["publicJwk"]]})).unwrap();
    let (_, payload) = set.jws_verify(a4["compact"].as_str().unwrap(), &Policy::all()).unwrap();
    assert_eq!(payload, a4["payload"].as_str().unwrap().as_bytes());
    // Re-signed with the exported-and-reimported private key: the same, deterministic, JWS.
    let again = Key::jwk(&private.private_jwk().unwrap()).unwrap();
    assert_eq!(
        again.jws_sign(JWTKIT_ALG_EDDSA, a4["payload"].as_str().unwrap().as_bytes()).unwrap(),
        a4["compact"].as_str().unwrap()
    );
}

// ---------------------------------------------------------------------------------------
// Wycheproof

/// Expected outcome of every `json_web_key_test.json` case: the status (OK = accepted)
/// and, for a rejection by skipping, the status of the skipped key.
fn json_web_key_expectations() -> BTreeMap<i64, (i32, Option<i32>)> {
    use std::iter::FromIterator;
    BTreeMap::from_iter([
        // MixedKeySet (policy): the HMAC secret next to an EC key is not used.
        (1, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_USAGE))),
        (2, (JWTKIT_OK, None)),
        (3, (JWTKIT_ERR_SIGNATURE_INVALID, None)),
        // DuplicateKid (policy): two different HS256 secrets named "kid-aes-sign".
        (4, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_INVALID))),
        (5, (JWTKIT_OK, None)),
        // use: enc, alg: RSA1_5.
        (6, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_USAGE))),
        // ROCA fingerprint (a 2049-bit modulus, so the size rule does not catch it).
        (7, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_TOO_WEAK))),
        // 1024-bit RSA.
        (8, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_TOO_WEAK))),
        // e = 1.
        (9, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_INVALID))),
        // HMAC secrets shorter than the hash.
        (10, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_TOO_WEAK))),
        (11, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_TOO_WEAK))),
        (12, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_TOO_WEAK))),
        (13, (JWTKIT_OK, None)),
        (14, (JWTKIT_OK, None)),
        (15, (JWTKIT_OK, None)),
        // Empty secrets.
        (16, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_TOO_WEAK))),
        (17, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_TOO_WEAK))),
        (18, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_TOO_WEAK))),
        // alg ES521 / ES224 on a P-256 key: not JWS algorithms jwtkit implements.
        (19, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_UNSUPPORTED))),
        (20, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_UNSUPPORTED))),
        // use: enc.
        (21, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_USAGE))),
        // Point not on the curve; P-384 with 32-byte coordinates; kty RSA with EC members.
        (22, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_INVALID))),
        (23, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_INVALID))),
        (24, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_INVALID))),
        // alg A256GCM / A256KW on an oct key.
        (25, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_UNSUPPORTED))),
        (26, (JWTKIT_ERR_KEY_NOT_FOUND, Some(JWTKIT_ERR_KEY_UNSUPPORTED))),
    ])
}

/// Every case of Wycheproof `json_web_key_test.json`, as labelled: the group's `public`
/// JWK Set if present, else `private`, through `jwtkit_keyset_from_jwks`, then
/// `jwtkit_jws_verify_with_keyset` with every algorithm allowed. The strict reference
/// verifier of the vector collection missed tcId 1 (mixed key set), 7 (ROCA) and 8
/// (1024-bit RSA); jwtkit rejects all three, by policy (see src/jwks.rs).
#[test]
fn wycheproof_json_web_key_test_every_case_as_labelled() {
    let doc = vector("wycheproof/jose/json_web_key_test.json");
    let expected = json_web_key_expectations();
    let v = Policy::all();
    let (mut valid, mut invalid, mut policy) = (0, 0, 0);
    for group in doc["testGroups"].as_array().unwrap() {
        let keys = group.get("public").unwrap_or(&group["private"]);
        let set = Set::jwks_value(keys).unwrap();
        for t in group["tests"].as_array().unwrap() {
            let id = t["tcId"].as_i64().unwrap();
            let (want, skipped_status) = expected[&id];
            let got = set.jws_verify(t["jws"].as_str().unwrap(), &v);
            match (&got, t["result"].as_str().unwrap()) {
                (Ok(_), "valid") => valid += 1,
                (Err(_), "invalid") => invalid += 1,
                (r, label) => panic!("tcId {id}: labelled {label}, got {r:?}"),
            }
            assert_eq!(got.as_ref().err().map_or(JWTKIT_OK, |e| e.status), want, "tcId {id}: {got:?}");
            let skipped = set.skipped();
            match skipped_status {
                None => assert!(skipped.is_empty(), "tcId {id}: {skipped:?}"),
                Some(s) => {
                    assert!(skipped.iter().all(|(st, _)| *st == s), "tcId {id}: {skipped:?}");
                    assert!(got.unwrap_err().message.contains("skipped"), "tcId {id}");
                }
            }
            if [1, 7, 8].contains(&id) {
                policy += 1;
            }
        }
    }
    println!("json_web_key_test: {valid} valid accepted, {invalid} invalid rejected ({policy} by jwtkit policy)");
    assert_eq!((valid, invalid, policy), (5, 21, 3));
}

/// The JWS cases of `json_web_crypto_test.json` (the key-set ones are tcId 46-49), every
/// one as labelled: single JWKs are wrapped in a set of one.
#[test]
fn wycheproof_json_web_crypto_test_jws_cases_as_labelled() {
    let doc = vector("wycheproof/jose/json_web_crypto_test.json");
    let v = Policy::all();
    let (mut valid, mut invalid, mut sets, mut by_status) = (0, 0, 0, BTreeMap::<String, u32>::new());
    for group in doc["testGroups"].as_array().unwrap() {
        let keys = group.get("public").unwrap_or(&group["private"]);
        let is_set = keys.get("keys").is_some();
        let jwks = if is_set { keys.clone() } else { json!({"keys": [keys]}) };
        let set = Set::jwks_value(&jwks).unwrap();
        for t in group["tests"].as_array().unwrap() {
            // The JWE cases of this file are counted and run in tests/vectors.rs.
            let Some(jws) = t.get("jws") else { continue };
            let id = t["tcId"].as_i64().unwrap();
            let token = match jws {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let got = set.jws_verify(&token, &v);
            match (&got, t["result"].as_str().unwrap()) {
                (Ok(_), "valid") => valid += 1,
                (Err(e), "invalid") => {
                    invalid += 1;
                    *by_status.entry(name(e.status)).or_default() += 1;
                }
                (r, label) => panic!("tcId {id}: labelled {label}, got {r:?}"),
            }
            sets += usize::from(is_set);
            let status = got.as_ref().err().map(|e| e.status);
            match id {
                31 => assert_eq!(status, Some(JWTKIT_ERR_KEY_ALG_MISMATCH), "HS256 token naming the EC key"),
                46 | 47 => assert_eq!(status, Some(JWTKIT_ERR_KEY_NOT_FOUND), "tcId {id}"),
                49 => assert_eq!(status, Some(JWTKIT_ERR_SIGNATURE_INVALID)),
                _ => {}
            }
        }
    }
    println!("json_web_crypto_test JWS: {valid} valid accepted, {invalid} invalid rejected {by_status:?}");
    assert_eq!((valid, invalid, sets), (4, 45, 3));
}

/// All 401 cases of `json_web_signature_test.json` through a set of one key agree with
/// `jwtkit_jws_verify` on that key (accept or reject): the key-set path adds selection,
/// never acceptance.
#[test]
fn wycheproof_json_web_signature_test_agrees_with_single_key_verification() {
    let doc = vector("wycheproof/jose/json_web_signature_test.json");
    let v = Policy::all();
    let (mut cases, mut accepted) = (0, 0);
    for group in doc["testGroups"].as_array().unwrap() {
        let jwk = group.get("public").unwrap_or(&group["private"]);
        let set = Set::jwks_value(&json!({"keys": [jwk]})).unwrap();
        let key = Key::jwk_value(jwk).ok();
        for t in group["tests"].as_array().unwrap() {
            let token = match &t["jws"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let single = key.as_ref().is_some_and(|k| jws_verify_one(&token, k, &v).is_ok());
            let via_set = set.jws_verify(&token, &v);
            assert_eq!(via_set.is_ok(), single, "tcId {}: {via_set:?}", t["tcId"]);
            cases += 1;
            accepted += usize::from(single);
        }
    }
    println!("json_web_signature_test through key sets: {cases} cases, {accepted} accepted by both");
    assert_eq!(cases, 401);
}

// ---------------------------------------------------------------------------------------
// Rotation, selection, bounds

/// A JWKS with an old and a new key; tokens signed with either verify by `kid`; once the
/// old key is gone from the published set, its tokens fail with JWTKIT_ERR_KEY_NOT_FOUND.
#[test]
fn rotation_by_kid() {
    let old = Key::generate(JWTKIT_ALG_ES256).unwrap().with_kid(Some("2024-01")).unwrap();
    let new = Key::generate(JWTKIT_ALG_ES256).unwrap().with_kid(Some("2025-01")).unwrap();
    let v = Policy::new(&[JWTKIT_ALG_ES256]);
    let old_token = old.sign(JWTKIT_ALG_ES256, r#"{"sub":"alice"}"#).unwrap();
    let new_token = new.sign(JWTKIT_ALG_ES256, r#"{"sub":"bob"}"#).unwrap();
    assert_eq!(header_of(&old_token)["kid"], "2024-01");
    assert_eq!(header_of(&new_token)["kid"], "2025-01");

    // The issuer publishes both public keys.
    let published = Set::keys(&[&old, &new]).unwrap().public_jwks().unwrap();
    assert!(!published.contains("\"d\""), "{published}");
    let both = Set::jwks(&published).unwrap();
    assert_eq!(both.len(), 2);
    assert_eq!(both.verify(&old_token, &v).unwrap().1, r#"{"sub":"alice"}"#);
    assert_eq!(both.verify(&new_token, &v).unwrap().1, r#"{"sub":"bob"}"#);

    // The old key is retired: a new set without it.
    let doc: Value = serde_json::from_str(&published).unwrap();
    let only_new = Set::jwks_value(&json!({"keys": [doc["keys"][1]]})).unwrap();
    assert_eq!(only_new.verify(&new_token, &v).unwrap().1, r#"{"sub":"bob"}"#);
    let err = only_new.verify(&old_token, &v).unwrap_err();
    assert_eq!(err.status, JWTKIT_ERR_KEY_NOT_FOUND, "{err}");
    assert!(err.message.contains("\"2024-01\""), "{err}");
    // Sets are independent: the first one still verifies both.
    drop(only_new);
    assert!(both.verify(&old_token, &v).is_ok());

    // The old key re-signing with a forged kid is not the new key.
    let forged = Key::generate(JWTKIT_ALG_ES256).unwrap().with_kid(Some("2025-01")).unwrap();
    let err = both.verify(&forged.sign(JWTKIT_ALG_ES256, "{}").unwrap(), &v).unwrap_err();
    assert_eq!(err.status, JWTKIT_ERR_SIGNATURE_INVALID);
}

#[test]
fn selection_without_kid_and_the_bound_on_keys_tried() {
    let v = Policy::new(&[JWTKIT_ALG_HS256, JWTKIT_ALG_ES256, JWTKIT_ALG_EDDSA]);
    // 20 HMAC secrets without kid: a kid-less token is tried against at most 16.
    let keys: Vec<Key> = (0..20).map(|_| Key::generate(JWTKIT_ALG_HS256).unwrap()).collect();
    let refs: Vec<&Key> = keys.iter().collect();
    let set = Set::keys(&refs).unwrap();
    assert_eq!(set.len(), 20);
    assert!(set.verify(&keys[15].sign(JWTKIT_ALG_HS256, "{}").unwrap(), &v).is_ok());
    let err = set.verify(&keys[16].sign(JWTKIT_ALG_HS256, "{}").unwrap(), &v).unwrap_err();
    assert_eq!(err.status, JWTKIT_ERR_SIGNATURE_INVALID, "{err}");

    // Kinds select: an EdDSA token is never tried against the EC key and vice versa.
    let ec = Key::generate(JWTKIT_ALG_ES256).unwrap();
    let ed = Key::generate(JWTKIT_ALG_EDDSA).unwrap();
    let set = Set::keys(&[&ec, &ed]).unwrap();
    assert!(set.verify(&ed.sign(JWTKIT_ALG_EDDSA, "{}").unwrap(), &v).is_ok());
    assert!(set.verify(&ec.sign(JWTKIT_ALG_ES256, "{}").unwrap(), &v).is_ok());
    let other_ec = Key::generate(JWTKIT_ALG_ES256).unwrap();
    let err = set.verify(&other_ec.sign(JWTKIT_ALG_ES256, "{}").unwrap(), &v).unwrap_err();
    assert_eq!(err.status, JWTKIT_ERR_SIGNATURE_INVALID);
    let hs = Key::generate(JWTKIT_ALG_HS256).unwrap();
    let err = set.verify(&hs.sign(JWTKIT_ALG_HS256, "{}").unwrap(), &v).unwrap_err();
    assert_eq!(err.status, JWTKIT_ERR_KEY_NOT_FOUND, "{err}");

    // With a kid naming a key of another kind: that key's mismatch, not a search.
    let named = ec.with_kid(Some("k")).unwrap();
    let set = Set::keys(&[&named]).unwrap();
    let hs_named = hs.with_kid(Some("k")).unwrap();
    let err = set.verify(&hs_named.sign(JWTKIT_ALG_HS256, "{}").unwrap(), &v).unwrap_err();
    assert_eq!(err.status, JWTKIT_ERR_KEY_ALG_MISMATCH, "{err}");
}

#[test]
fn duplicate_kids() {
    let v = Policy::all();
    let a = Key::generate(JWTKIT_ALG_ES256).unwrap().with_kid(Some("dup")).unwrap();
    let b = Key::generate(JWTKIT_ALG_ES256).unwrap().with_kid(Some("dup")).unwrap();
    let c = Key::generate(JWTKIT_ALG_EDDSA).unwrap().with_kid(Some("dup")).unwrap();
    let d = Key::generate(JWTKIT_ALG_ES256).unwrap().with_kid(Some("fine")).unwrap();
    // Two different P-256 keys named "dup": both skipped. The Ed25519 "dup" cannot verify
    // ES256, so it stays, and so does the same key listed twice.
    let set = Set::keys(&[&a, &b, &c, &d, &d]).unwrap();
    assert_eq!(set.len(), 3);
    let skipped = set.skipped();
    assert_eq!(skipped.iter().map(|s| s.0).collect::<Vec<_>>(), [JWTKIT_ERR_KEY_INVALID; 2]);
    assert!(skipped[0].1.starts_with("keys[0] (kid \"dup\")"), "{skipped:?}");
    assert!(skipped[1].1.starts_with("keys[1] (kid \"dup\")"), "{skipped:?}");
    let err = set.verify(&a.sign(JWTKIT_ALG_ES256, "{}").unwrap(), &v).unwrap_err();
    assert_eq!(err.status, JWTKIT_ERR_KEY_NOT_FOUND, "{err}");
    assert!(err.message.contains("ambiguous"), "{err}");
    assert!(set.verify(&c.sign(JWTKIT_ALG_EDDSA, "{}").unwrap(), &v).is_ok());
    assert!(set.verify(&d.sign(JWTKIT_ALG_ES256, "{}").unwrap(), &v).is_ok());

    // RSA keys restricted to different algorithms may share a kid.
    let rsa = cookbook_jwk("3_3.rsa_public_key");
    let mut rs = rsa.clone();
    rs["alg"] = json!("RS256");
    let mut ps = vector("wycheproof/jose/json_web_key_test.json")["testGroups"][3]["public"]["keys"][0].clone();
    ps["kid"] = rsa["kid"].clone();
    ps["alg"] = json!("PS256");
    let set = Set::jwks_value(&json!({"keys": [rs, ps]})).unwrap();
    assert_eq!(set.len(), 2, "{:?}", set.skipped());
    let ps_unrestricted = {
        let mut p = ps.clone();
        p.as_object_mut().unwrap().remove("alg");
        p
    };
    let set = Set::jwks_value(&json!({"keys": [rs, ps_unrestricted]})).unwrap();
    assert_eq!(set.len(), 0, "RS256 could be verified by either");
}

#[test]
fn sets_are_shared_between_threads() {
    let keys: Vec<Key> = [JWTKIT_ALG_ES384, JWTKIT_ALG_ES512, JWTKIT_ALG_EDDSA]
        .iter()
        .enumerate()
        .map(|(i, &alg)| Key::generate(alg).unwrap().with_kid(Some(&format!("k{i}"))).unwrap())
        .collect();
    let tokens: Vec<String> = keys
        .iter()
        .zip([JWTKIT_ALG_ES384, JWTKIT_ALG_ES512, JWTKIT_ALG_EDDSA])
        .map(|(k, alg)| k.sign(alg, r#"{"n":1}"#).unwrap())
        .collect();
    let set = Set::keys(&keys.iter().collect::<Vec<_>>()).unwrap();
    drop(keys); // the set holds its own references
    struct Shared(*const jwtkit_keyset);
    unsafe impl Sync for Shared {}
    let shared = Shared(set.0);
    let v = Policy::all();
    struct SharedPolicy(*mut jwtkit_validation);
    unsafe impl Sync for SharedPolicy {}
    let policy = SharedPolicy(v.0);
    let (shared, policy, tokens) = (&shared, &policy, &tokens);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(move || {
                for t in tokens {
                    let (tp, tn) = (t.as_ptr(), t.len());
                    let mut err = ptr::null_mut();
                    let st = unsafe {
                        jwtkit_verify_with_keyset(
                            tp,
                            tn,
                            shared.0,
                            policy.0,
                            ptr::null_mut(),
                            ptr::null_mut(),
                            ptr::null_mut(),
                            ptr::null_mut(),
                            &mut err,
                        )
                    };
                    finish(st, err).unwrap();
                }
            });
        }
    });
}

// ---------------------------------------------------------------------------------------
// Generation and export

/// Generated keys (every algorithm but RSA, whose size is the caller's choice: RSA
/// generation is tested in `tests/c/test_jwks.c`) sign tokens that verify after a round
/// trip of their public half through JWK, PEM and a published JWKS, and of their private
/// half through JWK and PEM.
#[test]
fn generated_keys_round_trip_through_jwk_and_pem() {
    for &alg in ALL.iter() {
        let name = unsafe { CStr::from_ptr(jwtkit_alg_name(alg)) }.to_str().unwrap();
        let v = Policy::new(&[alg]);
        let generated = match Key::generate(alg) {
            Err(e) => {
                assert!(name.starts_with("RS") || name.starts_with("PS"), "{name}: {e}");
                assert_eq!(e.status, JWTKIT_ERR_KEY_UNSUPPORTED, "{name}");
                assert!(e.message.contains("jwtkit_key_generate_rsa"), "{e}");
                continue;
            }
            Ok(k) => k,
        };
        assert!(generated.is_private());
        assert_eq!(generated.kid(), None);
        let thumb = generated.thumbprint().unwrap();
        assert_eq!(thumb.len(), 43);
        let key = generated.with_kid(Some(&thumb)).unwrap();
        assert_eq!(key.kid().as_deref(), Some(thumb.as_str()));
        assert_eq!(key.thumbprint().unwrap(), thumb, "the kid is not part of the thumbprint");
        let token = key.sign(alg, r#"{"sub":"gen"}"#).unwrap();
        assert_eq!(header_of(&token)["kid"], thumb.as_str(), "{name}: signing puts the kid in the header");

        let private_jwk: Value = serde_json::from_str(&key.private_jwk().unwrap()).unwrap();
        assert_eq!(private_jwk["alg"], name, "{name}: generated keys carry their alg");
        assert_eq!(private_jwk["kid"], thumb.as_str());
        let from_private_jwk = Key::jwk_value(&private_jwk).unwrap();
        assert_eq!(verify_one(&from_private_jwk.sign(alg, "{}").unwrap(), &key, &v).unwrap(), "{}");
        assert_eq!(verify_one(&token, &from_private_jwk, &v).unwrap(), r#"{"sub":"gen"}"#);

        if name.starts_with("HS") {
            assert_eq!(key.kind(), JWTKIT_KEY_KIND_HMAC);
            let k = private_jwk["k"].as_str().unwrap();
            let want: usize = match name {
                "HS256" => 32,
                "HS384" => 48,
                _ => 64,
            };
            assert_eq!(k.len(), (want * 4).div_ceil(3), "{name}: secret of {want} bytes");
            assert_eq!(key.public_jwk().unwrap_err().status, JWTKIT_ERR_INVALID_ARGUMENT);
            assert_eq!(key.private_pem().unwrap_err().status, JWTKIT_ERR_INVALID_ARGUMENT);
            let set = Set::keys(&[&key]).unwrap();
            assert_eq!(set.public_jwks().unwrap_err().status, JWTKIT_ERR_INVALID_ARGUMENT);
            assert!(set.verify(&token, &v).is_ok());
            continue;
        }

        let public_jwk = key.public_jwk().unwrap();
        let parsed: Value = serde_json::from_str(&public_jwk).unwrap();
        assert!(parsed.get("d").is_none(), "{public_jwk}");
        let from_public_jwk = Key::jwk(&public_jwk).unwrap();
        assert!(!from_public_jwk.is_private());
        assert_eq!(from_public_jwk.sign(alg, "{}").unwrap_err().status, JWTKIT_ERR_KEY_CANNOT_SIGN);
        assert_eq!(verify_one(&token, &from_public_jwk, &v).unwrap(), r#"{"sub":"gen"}"#);

        let public_pem = key.public_pem().unwrap();
        assert!(public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{public_pem}");
        let from_public_pem = Key::pem(public_pem.as_bytes()).unwrap();
        assert_eq!(verify_one(&token, &from_public_pem, &v).unwrap(), r#"{"sub":"gen"}"#);
        assert_eq!(from_public_pem.thumbprint().unwrap(), thumb);

        let private_pem = key.private_pem().unwrap();
        assert!(private_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{name}");
        let from_private_pem = Key::pem(private_pem.as_bytes()).unwrap();
        assert_eq!(from_private_pem.private_pem().unwrap(), private_pem, "{name}: PKCS#8 export is canonical");
        assert_eq!(verify_one(&from_private_pem.sign(alg, "{}").unwrap(), &from_public_jwk, &v).unwrap(), "{}");

        let published = Set::keys(&[&key]).unwrap().public_jwks().unwrap();
        let set = Set::jwks(&published).unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(set.verify(&token, &v).unwrap().1, r#"{"sub":"gen"}"#);
        let kind = key.kind();
        assert_eq!(set.get(0).unwrap().kind(), kind);
        assert!(!set.get(0).unwrap().is_private());
    }
}

/// SPKI and PKCS#8 exports of the OpenSSL-made keys in tests/keys are byte-identical to
/// OpenSSL's own DER (RSA, P-256/384/521 public, Ed25519).
#[test]
fn pem_export_matches_openssl() {
    for name in ["rsa2048", "ecp256", "ecp384", "ecp521", "ed25519"] {
        let spki = key_file(&format!("{name}.spki.der"));
        let pem = key_file(&format!("{name}.spki.pem"));
        let key = Key::der(&spki).unwrap();
        assert_eq!(key.public_pem().unwrap().as_bytes(), pem.as_slice(), "{name}");
        let private = Key::der(&key_file(&format!("{name}.pkcs8.der"))).unwrap();
        assert_eq!(private.public_pem().unwrap().as_bytes(), pem.as_slice(), "{name} private");
        assert_eq!(private.thumbprint().unwrap(), key.thumbprint().unwrap());
        // And what we export reads back.
        let again = Key::pem(private.private_pem().unwrap().as_bytes()).unwrap();
        assert_eq!(again.public_pem().unwrap().as_bytes(), pem.as_slice(), "{name} re-read");
    }
    for name in ["rsa2048", "ed25519"] {
        let pkcs8_pem = key_file(&format!("{name}.pkcs8.pem"));
        let key = Key::pem(&pkcs8_pem).unwrap();
        assert_eq!(key.private_pem().unwrap().as_bytes(), pkcs8_pem.as_slice(), "{name}");
    }
    // PKCS#1 and SEC1 inputs export as PKCS#8.
    let pkcs1 = Key::pem(&key_file("rsa2048.pkcs1.pem")).unwrap();
    assert_eq!(pkcs1.private_pem().unwrap().as_bytes(), key_file("rsa2048.pkcs8.pem").as_slice());
    let sec1 = Key::pem(&key_file("ecp256.sec1.pem")).unwrap();
    let from_pkcs8 = Key::pem(&key_file("ecp256.pkcs8.pem")).unwrap();
    assert_eq!(sec1.private_jwk().unwrap(), from_pkcs8.private_jwk().unwrap());
}

#[test]
fn misuse_and_accessors() {
    unsafe {
        let mut set: *const jwtkit_keyset = ptr::null();
        let mut key: *const jwtkit_key = ptr::null();
        let mut err = ptr::null_mut();
        assert_eq!(jwtkit_keyset_from_jwks(ptr::null(), 3, &mut set, ptr::null_mut()), JWTKIT_ERR_NULL_ARGUMENT);
        assert_eq!(
            jwtkit_keyset_from_jwks(b"{}".as_ptr(), 2, ptr::null_mut(), ptr::null_mut()),
            JWTKIT_ERR_NULL_ARGUMENT
        );
        assert_eq!(jwtkit_keyset_from_keys(ptr::null(), 1, &mut set, ptr::null_mut()), JWTKIT_ERR_NULL_ARGUMENT);
        let nulls = [ptr::null::<jwtkit_key>()];
        assert_eq!(jwtkit_keyset_from_keys(nulls.as_ptr(), 1, &mut set, &mut err), JWTKIT_ERR_NULL_ARGUMENT);
        let msg = CStr::from_ptr(jwtkit_error_message(err)).to_string_lossy().into_owned();
        assert!(msg.contains("keys[0]"), "{msg}");
        jwtkit_error_free(err);
        assert!(set.is_null());
        assert_eq!(jwtkit_key_generate(0, &mut key, ptr::null_mut()), JWTKIT_ERR_INVALID_ARGUMENT);
        assert_eq!(jwtkit_key_generate(JWTKIT_ALG_HS256, ptr::null_mut(), ptr::null_mut()), JWTKIT_ERR_NULL_ARGUMENT);
        assert!(key.is_null());
        assert_eq!(jwtkit_keyset_len(ptr::null()), 0);
        assert_eq!(jwtkit_keyset_skipped_count(ptr::null()), 0);
        assert_eq!(jwtkit_key_get_kind(ptr::null()), JWTKIT_KEY_KIND_NONE);
        assert!(!jwtkit_key_is_private(ptr::null()));
        jwtkit_keyset_free(ptr::null());
        let mut out = ptr::null_mut();
        assert_eq!(
            jwtkit_key_thumbprint(ptr::null(), &mut out, ptr::null_mut(), ptr::null_mut()),
            JWTKIT_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            jwtkit_keyset_to_public_jwks(ptr::null(), &mut out, ptr::null_mut(), ptr::null_mut()),
            JWTKIT_ERR_NULL_ARGUMENT
        );
        assert!(out.is_null());
    }
    for bad in ["", "[]", "{}", r#"{"keys":{}}"#, r#"{"keys":[],"keys":[]}"#, "{\"keys\":[]"] {
        assert_eq!(Set::jwks(bad).unwrap_err().status, JWTKIT_ERR_KEY_INVALID, "{bad:?}");
    }
    let empty = Set::jwks(r#"{"keys":[]}"#).unwrap();
    assert_eq!(empty.len(), 0);
    assert_eq!(empty.public_jwks().unwrap(), r#"{"keys":[]}"#);
    assert_eq!(empty.get(0).unwrap_err().status, JWTKIT_ERR_INVALID_ARGUMENT);
    let mut st = 0;
    let e = string_out(|o, l, e| unsafe { jwtkit_keyset_skipped(empty.0, 0, &mut st, o, l, e) }).unwrap_err();
    assert_eq!(e.status, JWTKIT_ERR_INVALID_ARGUMENT);
    assert_eq!(Set::keys(&[]).unwrap().len(), 0);

    // Unusable members are listed with their index, kid and status; the rest is usable.
    let jwks = json!({"keys": [
        {"kty": "oct", "k": "AAAA", "kid": "short"},
        {"kty": "OKP", "crv": "X25519", "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo", "kid": "x"},
        42,
        {"kty": "oct", "k": "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg", "kid": "good", "key_ops": ["sign"]},
        {"kty": "oct", "k": "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg", "kid": "ok"},
    ]});
    let set = Set::jwks_value(&jwks).unwrap();
    assert_eq!(set.len(), 1);
    let skipped = set.skipped();
    let statuses: Vec<i32> = skipped.iter().map(|s| s.0).collect();
    assert_eq!(
        statuses,
        [JWTKIT_ERR_KEY_TOO_WEAK, JWTKIT_ERR_KEY_UNSUPPORTED, JWTKIT_ERR_KEY_INVALID, JWTKIT_ERR_KEY_USAGE]
    );
    assert!(skipped[2].1.starts_with("keys[2]: "), "{skipped:?}");
    let ok = set.get(0).unwrap();
    assert_eq!(ok.kid().as_deref(), Some("ok"));
    // A key taken from a set signs with its kid.
    let token = ok.sign(JWTKIT_ALG_HS256, "{}").unwrap();
    assert_eq!(header_of(&token)["kid"], "ok");
    assert!(set.verify(&token, &Policy::new(&[JWTKIT_ALG_HS256])).is_ok());

    // with_kid: replaces, removes, keeps restrictions; the original is unchanged.
    let k = Key::jwk(
        r#"{"kty":"oct","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg","kid":"a","alg":"HS256","use":"sig"}"#,
    )
    .unwrap();
    let b = k.with_kid(Some("b")).unwrap();
    assert_eq!((k.kid().as_deref(), b.kid().as_deref()), (Some("a"), Some("b")));
    assert_eq!(k.with_kid(None).unwrap().kid(), None);
    assert_eq!(b.sign(JWTKIT_ALG_HS512, "{}").unwrap_err().status, JWTKIT_ERR_KEY_USAGE);
    let jwk: Value = serde_json::from_str(&b.private_jwk().unwrap()).unwrap();
    assert_eq!(
        jwk,
        json!({"kty":"oct","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg","kid":"b","alg":"HS256","use":"sig"})
    );
    let bad_utf8 = [0xffu8];
    let e = key_out(|o, e| unsafe { jwtkit_key_with_kid(k.0, bad_utf8.as_ptr(), 1, o, e) }).err().unwrap();
    assert_eq!(e.status, JWTKIT_ERR_INVALID_ARGUMENT);

    // key_ops: the public export keeps only public operations.
    let mut jwk = cookbook_jwk("3_2.ec_private_key");
    jwk["key_ops"] = json!(["sign", "verify"]);
    let key = Key::jwk_value(&jwk).unwrap();
    let public: Value = serde_json::from_str(&key.public_jwk().unwrap()).unwrap();
    assert_eq!(public["key_ops"], json!(["verify"]));
    assert_eq!(key.kind(), JWTKIT_KEY_KIND_EC_P521);
    assert_eq!(Key::generate(JWTKIT_ALG_ES384).unwrap().kind(), JWTKIT_KEY_KIND_EC_P384);
    assert_eq!(Key::pem(&key_file("rsa2048.spki.pem")).unwrap().kind(), JWTKIT_KEY_KIND_RSA);
    assert_eq!(alg_number("ES512"), JWTKIT_ALG_ES512);
}
