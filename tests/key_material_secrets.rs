//! Key material is never an HMAC secret, whether or not jwtkit can load it as a key.
//! A verifier that allows an HMAC algorithm beside an asymmetric one, and is handed a
//! public key jwtkit refuses (too weak, an unsupported curve or key type), must not fall
//! back to using the key's bytes as an HMAC secret: a token MACed with those public
//! bytes would verify. Every refused key type and size in `tests/keys/refused/`, and
//! every loadable key in `tests/keys/`, is offered as a secret through the Rust API,
//! the C ABI and an `oct` JWK; all three must refuse with the same status.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use jwtkit::ffi::*;
use jwtkit::{Error, Key};

fn files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(dir);
    let mut out: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x != "md"))
        .collect();
    out.sort();
    out
}

fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// What the message must say the bytes looked like, from the file's form.
fn expected_shape(file: &str) -> &'static str {
    if file.ends_with(".pem") {
        "a PEM `"
    } else if file.ends_with(".der") {
        "a DER "
    } else if file.ends_with(".b64") {
        "base64 of a DER "
    } else if file.ends_with(".jwks.json") {
        "JWK Set"
    } else if file.ends_with(".json") {
        "JWK"
    } else if file.ends_with(".ssh.pub") {
        "an OpenSSH public key"
    } else {
        panic!("{file}: unknown form")
    }
}

/// Each form jwtkit reads as a key refuses the refused keys (so the fixtures really are
/// keys jwtkit cannot use, not keys that would be used as what they are).
fn load_as_key(file: &str, bytes: &[u8]) -> Option<Result<CKey, CError>> {
    if file.ends_with(".pem") {
        Some(CKey::from_pem(bytes))
    } else if file.ends_with(".der") {
        Some(CKey::from_der(bytes))
    } else if file.ends_with(".jwk.json") {
        Some(CKey::from_jwk(bytes))
    } else {
        None // base64 text, JWK Sets and OpenSSH keys are not key formats of jwtkit_key_*
    }
}

fn check_refused_as_secret(path: &Path, failures: &mut Vec<String>) {
    let file = name(path);
    let bytes = fs::read(path).unwrap();
    let shape = expected_shape(&file);

    match Key::from_secret(&bytes) {
        Err(Error::KeyNotSecret(m)) if m.contains(shape) => {}
        Err(e) => failures.push(format!("{file}: Key::from_secret: {e:?}, expected KeyNotSecret naming {shape:?}")),
        Ok(_) => failures.push(format!("{file}: Key::from_secret accepted key material")),
    }
    if !matches!(Key::from_secret_legacy(&bytes), Err(Error::KeyNotSecret(_))) {
        failures.push(format!("{file}: Key::from_secret_legacy did not refuse key material"));
    }
    for flags in [0, JWTKIT_KEY_ALLOW_SHORT_SECRET] {
        match CKey::from_secret(&bytes, flags) {
            Err(e) if e.status == JWTKIT_ERR_KEY_NOT_SECRET && e.message.contains(shape) => {}
            Err(e) => failures.push(format!("{file}: jwtkit_key_from_secret(flags {flags}): {e}")),
            Ok(_) => failures.push(format!("{file}: jwtkit_key_from_secret(flags {flags}) accepted key material")),
        }
    }
    let oct = serde_json::json!({"kty": "oct", "k": b64url_encode(&bytes)}).to_string();
    match CKey::from_jwk(oct.as_bytes()) {
        Err(e) if e.status == JWTKIT_ERR_KEY_NOT_SECRET => {}
        Err(e) => failures.push(format!("{file}: as an oct JWK's `k`: {e}")),
        Ok(_) => failures.push(format!("{file}: accepted as an oct JWK's `k`")),
    }
}

#[test]
fn refused_keys_are_neither_keys_nor_secrets() {
    let paths = files("keys/refused");
    assert!(paths.len() >= 40, "expected the refused-key fixtures, found {}", paths.len());
    let mut failures = Vec::new();
    let mut loaded_forms = 0;
    for path in &paths {
        let file = name(path);
        let bytes = fs::read(path).unwrap();
        if let Some(result) = load_as_key(&file, &bytes) {
            loaded_forms += 1;
            match result {
                Ok(_) => failures.push(format!("{file}: jwtkit loads this key; it belongs in tests/keys")),
                Err(e)
                    if [JWTKIT_ERR_KEY_INVALID, JWTKIT_ERR_KEY_UNSUPPORTED, JWTKIT_ERR_KEY_TOO_WEAK]
                        .contains(&e.status) => {}
                Err(e) => failures.push(format!("{file}: refused with an unexpected status: {e}")),
            }
        }
        check_refused_as_secret(path, &mut failures);
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert!(loaded_forms >= 35, "only {loaded_forms} fixtures were tried as keys");
}

#[test]
fn loadable_keys_are_not_secrets_either() {
    let paths = files("keys");
    assert!(paths.len() >= 40, "expected the key fixtures, found {}", paths.len());
    let mut failures = Vec::new();
    for path in &paths {
        check_refused_as_secret(path, &mut failures);
    }
    // The secp256k1 keys were refused keys until ES256K: in every form they now load as
    // the keys they are, and are still never a secret (above).
    let mut secp256k1 = 0;
    for path in paths.iter().filter(|p| name(p).starts_with("secp256k1.")) {
        let file = name(path);
        match load_as_key(&file, &fs::read(path).unwrap()) {
            Some(Ok(key)) if key.kind() == JWTKIT_KEY_KIND_EC_SECP256K1 => secp256k1 += 1,
            Some(Ok(key)) => failures.push(format!("{file}: loads as key kind {}", key.kind())),
            Some(Err(e)) => failures.push(format!("{file}: does not load: {e}")),
            None => failures.push(format!("{file}: not a key format")),
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(secp256k1, 7, "the secp256k1 fixtures (PKCS#8, SEC1, SPKI in PEM and DER, a public JWK)");
}

#[test]
fn key_shaped_variants_are_refused() {
    let pem = fs::read("tests/keys/secp256k1.spki.pem").unwrap();
    let spki_b64: String =
        String::from_utf8(pem.clone()).unwrap().lines().filter(|l| !l.starts_with("-----")).collect();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("CRLF PEM", String::from_utf8(pem.clone()).unwrap().replace('\n', "\r\n").into_bytes()),
        ("text before the PEM", [b"subject=CN = test\n".as_slice(), &pem].concat()),
        ("PEM with an unknown label", b"-----BEGIN SOMETHING ELSE-----\nAAAA\n-----END SOMETHING ELSE-----\n".to_vec()),
        ("base64 SPKI on one line", spki_b64.clone().into_bytes()),
        ("base64url SPKI", spki_b64.replace('+', "-").replace('/', "_").trim_end_matches('=').as_bytes().to_vec()),
        ("pretty JWK", b"{\n  \"kty\": \"EC\",\n  \"crv\": \"secp256k1\"\n}".to_vec()),
        ("JWK with a BOM", b"\xEF\xBB\xBF{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"AA\"}".to_vec()),
        (
            "OpenSSH certificate",
            b"ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29t".to_vec(),
        ),
        ("FIDO OpenSSH key", b"sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t".to_vec()),
        ("JWK with an escaped member name", b"{\"k\\u0074y\":\"EC\",\"crv\":\"secp256k1\"}".to_vec()),
        ("JWK Set with an escaped member name", b"{\"ke\\u0079s\":[]}".to_vec()),
        ("JWK inside a JSON string", b"\"{\\\"kty\\\":\\\"RSA\\\"}\"".to_vec()),
        ("lower-case four-dash PEM", b"----begin public key----\nAAAA\n----end public key----\n".to_vec()),
        (
            "UTF-16 PEM",
            [
                &[0xFF, 0xFE][..],
                &String::from_utf8(pem.clone()).unwrap().encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>(),
            ]
            .concat(),
        ),
        ("base64 of PEM", {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(&pem).into_bytes()
        }),
        ("quoted base64 SPKI", format!("\"{spki_b64}\"").into_bytes()),
        ("DER with a final newline", [&fs::read("tests/keys/refused/rsa1024.spki.der").unwrap()[..], b"\n"].concat()),
        (
            "authorized_keys line with options",
            [b"no-pty,command=\"true\" ", &fs::read("tests/keys/refused/rsa1024.ssh.pub").unwrap()[..]].concat(),
        ),
        (
            "OpenSSH key after a comment line",
            [b"# deploy key\n", &fs::read("tests/keys/refused/dsa.ssh.pub").unwrap()[..]].concat(),
        ),
    ];
    for (what, bytes) in cases {
        let e = CKey::from_secret(&bytes, JWTKIT_KEY_ALLOW_SHORT_SECRET).err();
        assert_eq!(e.as_ref().map(|e| e.status), Some(JWTKIT_ERR_KEY_NOT_SECRET), "{what}: {e:?}");
    }
}

#[test]
fn ordinary_secrets_still_work() {
    for secret in [
        &b"a secret of at least 32 bytes for HS256!"[..],
        b"{\"a JSON secret\":true, \"of\": \"some length\"}",
        b"MIIB but not base64 of a key, only text that starts like one",
        &[0x30; 48],
    ] {
        let key = CKey::from_secret(secret, JWTKIT_KEY_ALLOW_SHORT_SECRET)
            .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(secret)));
        let token = sign(&key, JWTKIT_ALG_HS256, b"{\"sub\":\"x\"}", None).unwrap();
        verify(token.as_bytes(), &key, &CValidation::only(JWTKIT_ALG_HS256)).unwrap();
    }
}

/// A key jwtkit loads is never a secret, however it is spelled: here an RSA 2048 public
/// JWK whose `kty` is written with a JSON escape loads as a key, and is refused as a
/// secret even where no shape check would see it.
#[test]
fn anything_that_loads_as_a_key_is_not_a_secret() {
    let jwk = fs::read_to_string("bindings/python/tests/keys/rsa2048.public.jwk.json").unwrap();
    let escaped = jwk.replacen("\"kty\"", "\"k\\u0074y\"", 1);
    assert_ne!(jwk, escaped);
    assert!(CKey::from_jwk(escaped.as_bytes()).is_ok(), "the escaped JWK loads as a key");
    let e = CKey::from_secret(escaped.as_bytes(), JWTKIT_KEY_ALLOW_SHORT_SECRET).err();
    assert_eq!(e.as_ref().map(|e| e.status), Some(JWTKIT_ERR_KEY_NOT_SECRET), "{e:?}");
    let oct = serde_json::json!({"kty": "oct", "k": b64url_encode(escaped.as_bytes())}).to_string();
    assert_eq!(CKey::from_jwk(oct.as_bytes()).err().map(|e| e.status), Some(JWTKIT_ERR_KEY_NOT_SECRET));
}
