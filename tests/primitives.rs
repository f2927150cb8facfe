//! Wycheproof primitive vectors (`tests/vectors/wycheproof/jws_primitives/`) through the
//! core API: `Key::from_der` / `Key::from_jwk` / `Key::from_secret`, then
//! `Key::verify_bytes(alg, msg, sig)` or `Key::sign_bytes`. Only the parameter sets JWS
//! uses are run (see tests/vectors/README.md); every file's cases are counted per category
//! and the counts asserted, so a harness bug cannot pass silently.

mod common;

use std::collections::BTreeMap;

use common::*;
use jwtkit::{Algorithm, Error, Key};
use serde_json::Value;

const DIR: &str = "wycheproof/jws_primitives/";

/// Per category: (cases, of which accepted).
type Tally = BTreeMap<String, (usize, usize)>;

fn tests_of(g: &Value) -> &Vec<Value> {
    g["tests"].as_array().expect("tests array")
}

fn flags(t: &Value) -> Vec<&str> {
    t["flags"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

fn load(file: &str) -> Value {
    let doc = load_json(&format!("{DIR}{file}"));
    let n: usize = doc["testGroups"].as_array().unwrap().iter().map(|g| tests_of(g).len()).sum();
    assert_eq!(n as i64, int(&doc, "numberOfTests"), "{file}: numberOfTests");
    doc
}

fn outcome(r: &Result<(), Error>) -> String {
    match r {
        Ok(()) => "accepted".into(),
        Err(e) => format!("rejected: {e:?}"),
    }
}

fn jose_alg(sha: &str, family: &str) -> Option<Algorithm> {
    let bits = match sha {
        "SHA-256" => "256",
        "SHA-384" => "384",
        "SHA-512" => "512",
        _ => return None,
    };
    Some(Algorithm::from_name(&format!("{family}{bits}")).unwrap())
}

/// What a test case must do: its category (for the counts) and whether it must verify.
struct Expect {
    category: String,
    accept: bool,
}

fn by_label(t: &Value) -> Expect {
    match s(t, "result") {
        "valid" => Expect { category: "valid".into(), accept: true },
        "invalid" => Expect { category: "invalid".into(), accept: false },
        other => Expect { category: format!("{other} {:?}: NO POLICY", flags(t)), accept: false },
    }
}

/// Runs every selected group of a verification file: the key from `publicKeyDer` via
/// `Key::from_der`, and, when the group has one, the same key from its JWK via
/// `Key::from_jwk`, which must give the same outcome.
fn run_verify(
    file: &str,
    alg_of: impl Fn(&Value) -> Option<Algorithm>,
    expect: impl Fn(&Value, &Value) -> Expect,
    tally: &mut Tally,
    failures: &mut Vec<String>,
) {
    let doc = load(file);
    for g in doc["testGroups"].as_array().unwrap() {
        let Some(alg) = alg_of(g) else {
            tally.entry("not run: not a JOSE parameter set".into()).or_default().0 += tests_of(g).len();
            continue;
        };
        let der_key = Key::from_der(&hex(s(g, "publicKeyDer")));
        let jwk = [&g["publicKeyJwk"], &g["keyJwk"]].into_iter().find(|j| j.is_object());
        let jwk_key = jwk.map(|j| Key::from_jwk(serde_json::to_string(j).unwrap().as_bytes()));
        for t in tests_of(g) {
            let id = int(t, "tcId");
            let (msg, sig) = (hex(s(t, "msg")), hex(s(t, "sig")));
            let e = expect(g, t);
            let got = match &der_key {
                Ok(k) => k.verify_bytes(alg, &msg, &sig),
                Err(err) => Err(err.clone()),
            };
            let entry = tally.entry(e.category.clone()).or_default();
            entry.0 += 1;
            entry.1 += got.is_ok() as usize;
            if got.is_ok() != e.accept || e.category.contains("NO POLICY") {
                failures.push(format!(
                    "{file} tcId {id} [{}] ({}, flags {:?}): expected {}, got {}",
                    alg.name(),
                    s(t, "comment"),
                    flags(t),
                    if e.accept { "accepted" } else { "rejected" },
                    outcome(&got)
                ));
            }
            if let Some(jk) = &jwk_key {
                let via_jwk = match jk {
                    Ok(k) => k.verify_bytes(alg, &msg, &sig),
                    Err(err) => Err(err.clone()),
                };
                let entry = tally.entry("(same case via the group's JWK)".into()).or_default();
                entry.0 += 1;
                entry.1 += via_jwk.is_ok() as usize;
                if via_jwk.is_ok() != got.is_ok() {
                    failures.push(format!(
                        "{file} tcId {id}: DER key {} but JWK key {}",
                        outcome(&got),
                        outcome(&via_jwk)
                    ));
                }
            }
        }
    }
}

fn report(name: &str, tallies: &[(&str, Tally)], failures: &[String]) {
    println!("== {name}");
    for (file, t) in tallies {
        println!("  {file}");
        for (cat, (n, acc)) in t {
            println!("    {cat}: {n} cases, {acc} accepted");
        }
    }
    for f in failures {
        println!("FAIL {f}");
    }
    assert!(failures.is_empty(), "{} {name} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

fn tally_of(entries: &[(&str, usize, usize)]) -> Tally {
    entries.iter().map(|&(c, n, a)| (c.to_string(), (n, a))).collect()
}

// ---------------------------------------------------------------------------------------

#[test]
fn hmac() {
    let mut failures = Vec::new();
    let mut tallies = Vec::new();
    for (file, alg, bits) in [
        ("hmac_sha256_test.json", Algorithm::HS256, 256),
        ("hmac_sha384_test.json", Algorithm::HS384, 384),
        ("hmac_sha512_test.json", Algorithm::HS512, 512),
    ] {
        let doc = load(file);
        let mut tally = Tally::new();
        for g in doc["testGroups"].as_array().unwrap() {
            let (key_bits, tag_bits) = (int(g, "keySize"), int(g, "tagSize"));
            for t in tests_of(g) {
                let id = int(t, "tcId");
                let (key, msg, tag) = (hex(s(t, "key")), hex(s(t, "msg")), hex(s(t, "tag")));
                let label = s(t, "result");
                let (category, got, want_ok): (String, Result<(), Error>, bool) = if tag_bits != bits {
                    // JWS never truncates: a truncated tag must not verify, whatever its label.
                    let got = Key::from_secret_legacy(&key).and_then(|k| k.verify_bytes(alg, &msg, &tag));
                    (format!("truncated tag ({tag_bits} bits), labelled {label}: rejected"), got, false)
                } else if key_bits < bits {
                    // RFC 7518 §3.2: refused without the legacy opt-in, computed with it.
                    let strict = Key::from_secret(&key).and_then(|k| k.verify_bytes(alg, &msg, &tag));
                    if !matches!(strict, Err(Error::KeyTooWeak(_))) {
                        failures.push(format!(
                            "{file} tcId {id}: {key_bits}-bit secret without opt-in: expected KeyTooWeak, got {}",
                            outcome(&strict)
                        ));
                    }
                    let legacy = Key::from_secret_legacy(&key).and_then(|k| k.verify_bytes(alg, &msg, &tag));
                    (
                        format!("short key ({key_bits} bits): KeyTooWeak, legacy opt-in {label}"),
                        legacy,
                        label == "valid",
                    )
                } else {
                    let got = Key::from_secret(&key).and_then(|k| k.verify_bytes(alg, &msg, &tag));
                    (label.to_string(), got, label == "valid")
                };
                let entry = tally.entry(category).or_default();
                entry.0 += 1;
                entry.1 += got.is_ok() as usize;
                if got.is_ok() != want_ok {
                    failures.push(format!(
                        "{file} tcId {id} (key {key_bits} bits, tag {tag_bits} bits, {}): labelled {label}, got {}",
                        s(t, "comment"),
                        outcome(&got)
                    ));
                }
            }
        }
        tallies.push((file, tally));
    }
    report("HMAC", &tallies, &failures);
    for (file, tally) in &tallies {
        let bits = &file[8..11];
        let short = match bits {
            "256" => "short key (128 bits): KeyTooWeak, legacy opt-in valid",
            "384" => "short key (192 bits): KeyTooWeak, legacy opt-in valid",
            _ => "short key (256 bits): KeyTooWeak, legacy opt-in valid",
        };
        let half = bits.parse::<usize>().unwrap() / 2;
        let trunc_valid = format!("truncated tag ({half} bits), labelled valid: rejected");
        let trunc_invalid = format!("truncated tag ({half} bits), labelled invalid: rejected");
        assert_eq!(
            tally,
            &tally_of(&[
                ("valid", 30, 30),
                ("invalid", 54, 0),
                (short, 3, 3),
                (&trunc_valid, 33, 0),
                (&trunc_invalid, 54, 0),
            ]),
            "{file}"
        );
    }
}

#[test]
fn ecdsa_p1363() {
    let mut failures = Vec::new();
    let mut tallies = Vec::new();
    for (file, alg) in [
        ("ecdsa_secp256r1_sha256_p1363_test.json", Algorithm::ES256),
        ("ecdsa_secp384r1_sha384_p1363_test.json", Algorithm::ES384),
        ("ecdsa_secp521r1_sha512_p1363_test.json", Algorithm::ES512),
        ("ecdsa_secp256k1_sha256_p1363_test.json", Algorithm::ES256K),
    ] {
        let mut tally = Tally::new();
        let sha = match alg {
            Algorithm::ES256 | Algorithm::ES256K => "SHA-256",
            Algorithm::ES384 => "SHA-384",
            _ => "SHA-512",
        };
        run_verify(file, |g| (s(g, "sha") == sha).then_some(alg), |_, t| by_label(t), &mut tally, &mut failures);
        tallies.push((file, tally));
    }
    report("ECDSA (IEEE P1363 r||s)", &tallies, &failures);
    // 9 groups (10 cases) per file have no publicKeyJwk.
    // (valid, invalid, cases with a JWK, valid cases with a JWK)
    let expected = [(173, 89, 252, 169), (193, 87, 270, 189), (231, 87, 308, 227), (167, 85, 242, 163)];
    for ((file, tally), (v, i, jwk, jwk_v)) in tallies.iter().zip(expected) {
        assert_eq!(
            tally,
            &tally_of(&[("valid", v, v), ("invalid", i, 0), ("(same case via the group's JWK)", jwk, jwk_v)]),
            "{file}"
        );
    }
}

#[test]
fn ed25519() {
    let mut failures = Vec::new();
    let mut tally = Tally::new();
    let file = "ed25519_test.json";
    run_verify(file, |_| Some(Algorithm::EdDSA), |_, t| by_label(t), &mut tally, &mut failures);
    report("Ed25519", &[(file, tally.clone())], &failures);
    assert_eq!(tally, tally_of(&[("valid", 88, 88), ("invalid", 63, 0), ("(same case via the group's JWK)", 151, 88)]));
}

/// RSASSA-PKCS1-v1_5 verification policy: `MissingNull` (acceptable) must be rejected;
/// e = 3 keys (`SmallPublicKey`, labelled valid) are accepted for verification: jwtkit
/// takes any odd public exponent from 3 to 2^32 (ring's verifier minimum is 3).
fn rsa_pkcs1_expect(g: &Value, t: &Value) -> Expect {
    let e3 = s(&g["publicKey"], "publicExponent") == "03";
    match (s(t, "result"), e3) {
        ("acceptable", false) if flags(t) == ["MissingNull"] => {
            Expect { category: "acceptable MissingNull: rejected".into(), accept: false }
        }
        ("valid", true) => Expect { category: "valid, e = 3 key (SmallPublicKey): accepted".into(), accept: true },
        _ => by_label(t),
    }
}

#[test]
fn rsa_pkcs1_verify() {
    let mut failures = Vec::new();
    let mut tallies = Vec::new();
    let files = [
        ("rsa_signature_2048_sha256_test.json", 249, 2),
        ("rsa_signature_2048_sha384_test.json", 250, 0),
        ("rsa_signature_2048_sha512_test.json", 250, 1),
        ("rsa_signature_3072_sha256_test.json", 250, 1),
        ("rsa_signature_3072_sha384_test.json", 251, 0),
        ("rsa_signature_3072_sha512_test.json", 251, 1),
    ];
    for (file, _, _) in files {
        let mut tally = Tally::new();
        run_verify(file, |g| jose_alg(s(g, "sha"), "RS"), rsa_pkcs1_expect, &mut tally, &mut failures);
        tallies.push((file, tally));
    }
    report("RSASSA-PKCS1-v1_5 verify", &tallies, &failures);
    for ((file, tally), (_, invalid, e3)) in tallies.iter().zip(files) {
        let mut want = tally_of(&[
            ("valid", 7, 7),
            ("invalid", invalid, 0),
            ("acceptable MissingNull: rejected", 1, 0),
            ("(same case via the group's JWK)", 7 + invalid + 1 + e3, 7 + e3),
        ]);
        if e3 > 0 {
            want.insert("valid, e = 3 key (SmallPublicKey): accepted".into(), (e3, e3));
        }
        assert_eq!(tally, &want, "{file}");
    }
}

#[test]
fn rsa_pss_verify() {
    let mut failures = Vec::new();
    let mut tallies = Vec::new();
    // RFC 7518 §3.5: MGF1 with the same hash, salt length = hash length.
    let jose = |g: &Value| -> Option<Algorithm> {
        let alg = jose_alg(s(g, "sha"), "PS")?;
        let hash_len = match alg {
            Algorithm::PS256 => 32,
            Algorithm::PS384 => 48,
            _ => 64,
        };
        (s(g, "mgf") == "MGF1" && s(g, "mgfSha") == s(g, "sha") && int(g, "sLen") == hash_len).then_some(alg)
    };
    for file in ["rsa_pss_2048_sha256_mgf1_32_test.json", "rsa_pss_misc_test.json"] {
        let mut tally = Tally::new();
        run_verify(file, jose, |_, t| by_label(t), &mut tally, &mut failures);
        tallies.push((file, tally));
    }
    report("RSASSA-PSS verify", &tallies, &failures);
    assert_eq!(
        tallies[0].1,
        tally_of(&[("valid", 63, 63), ("invalid", 45, 0), ("(same case via the group's JWK)", 108, 63)])
    );
    // One valid vector each for PS256, PS384, PS512; rsa_pss_misc has no JWKs.
    assert_eq!(tallies[1].1, tally_of(&[("valid", 3, 3), ("not run: not a JOSE parameter set", 147, 0)]));
}

#[test]
fn rsa_pkcs1_sig_gen() {
    let file = "rsa_pkcs1_2048_sig_gen_test.json";
    let doc = load(file);
    let mut failures = Vec::new();
    let mut tally = Tally::new();
    for g in doc["testGroups"].as_array().unwrap() {
        let Some(alg) = jose_alg(s(g, "sha"), "RS") else {
            tally.entry("not run: not a JOSE hash".into()).or_default().0 += tests_of(g).len();
            continue;
        };
        let e = s(&g["privateKey"], "publicExponent");
        let private = Key::from_der(&hex(s(g, "privateKeyPkcs8")));
        let public = Key::from_der(&hex(s(g, "keyDer"))).expect("public key DER");
        if e == "03" {
            // SmallPublicKey, labelled acceptable: ring signs only with e >= 65537, so the
            // private key is refused at import (KeyTooWeak, or KeyUnsupported). Recorded as the
            // expected outcome; the message must name the exponent.
            for t in tests_of(g) {
                assert_eq!(s(t, "result"), "acceptable");
                assert_eq!(flags(t), ["SmallPublicKey"]);
                let entry = tally.entry("acceptable SmallPublicKey (e = 3): private key refused".into()).or_default();
                entry.0 += 1;
                match &private {
                    // Errors say what was wrong: the modulus is 2048 bits, the exponent is the reason.
                    Err(Error::KeyTooWeak(msg) | Error::KeyUnsupported(msg)) => {
                        println!("  {file} tcId {}: e = 3 private key refused: {msg}", int(t, "tcId"));
                        if !msg.to_lowercase().contains("exponent") {
                            failures.push(format!(
                                "{file} tcId {}: 2048-bit e = 3 private key refused with a message that does not name \
                                 the public exponent: {msg:?}",
                                int(t, "tcId")
                            ));
                        }
                    }
                    Err(other) => failures.push(format!(
                        "{file} tcId {}: e = 3 key refused with {other:?}, expected KeyTooWeak or KeyUnsupported",
                        int(t, "tcId")
                    )),
                    Ok(k) => {
                        entry.1 += 1;
                        failures.push(format!(
                            "{file} tcId {}: e = 3 private key imported (policy changed? sign gives {:?})",
                            int(t, "tcId"),
                            k.sign_bytes(alg, &hex(s(t, "msg"))).map(|s| s == hex(s_sig(t)))
                        ));
                    }
                }
            }
            continue;
        }
        assert_eq!(e, "010001");
        let private = match private {
            Ok(k) => k,
            Err(err) => {
                failures.push(format!("{file}: PKCS#8 private key of group {} refused: {err:?}", s(g, "sha")));
                continue;
            }
        };
        for t in tests_of(g) {
            let id = int(t, "tcId");
            assert_eq!(s(t, "result"), "valid", "{file} tcId {id}");
            let (msg, want) = (hex(s(t, "msg")), hex(s_sig(t)));
            let entry = tally.entry("valid: byte-identical signature".into()).or_default();
            entry.0 += 1;
            match private.sign_bytes(alg, &msg) {
                Ok(sig) if sig == want => entry.1 += 1,
                Ok(_) => failures.push(format!("{file} tcId {id} [{}]: signature differs", alg.name())),
                Err(err) => failures.push(format!("{file} tcId {id} [{}]: sign failed: {err:?}", alg.name())),
            }
            if let Err(err) = public.verify_bytes(alg, &msg, &want) {
                failures.push(format!("{file} tcId {id}: expected signature does not verify: {err:?}"));
            }
            if let Err(err) = private.verify_bytes(alg, &msg, &want) {
                failures.push(format!("{file} tcId {id}: private key does not verify: {err:?}"));
            }
        }
    }
    report("RSASSA-PKCS1-v1_5 signature generation", &[(file, tally.clone())], &failures);
    assert_eq!(
        tally,
        tally_of(&[
            ("valid: byte-identical signature", 24, 24),
            ("acceptable SmallPublicKey (e = 3): private key refused", 3, 0),
            ("not run: not a JOSE hash", 16, 0),
        ])
    );
}

fn s_sig(t: &Value) -> &str {
    s(t, "sig")
}
