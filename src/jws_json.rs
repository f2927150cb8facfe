//! JWS JSON serialization (RFC 7515 §7.2), general and flattened: `sign` with one or
//! more keys, `verify` under a rule the caller chooses. Each signature is checked as a
//! compact JWS is (`jws`'s signing input, allow-list and key checks), and the caller
//! learns the outcome of every one.
//!
//! What is refused for the whole token: input over `max_token_len`, JSON that is not
//! one strict object or deeper than `max_depth`, a `signatures` array that is empty or
//! longer than `max_signatures`, `signatures` beside a flattened `signature`, a
//! `payload` that is not a string (or not empty beside a detached payload, or absent
//! without one), signatures that disagree on `b64`.
//!
//! What fails one signature (its outcome records the error): every header rule of the
//! compact form (`crit`, `b64`, member types, `alg` known and never `none`), `alg`
//! outside the policy's allow-list, and three rules of the JSON form: `alg` and `crit`
//! (and `b64`) only in the protected header (an unprotected member can be changed by
//! anyone), a member in both the protected and the unprotected header (RFC 7515
//! §7.2.1), no protected header. Then the key: among the caller's keys, those whose
//! `kid` agrees with the signature's `kid` (protected or unprotected; a key without a
//! `kid` agrees with any), keys that fit the algorithm tried first, at most
//! `max_keys_tried`; none left is `KeyNotFound`.
//!
//! The rules (`Rule`): `Any` passes when at least one signature verified, and reports
//! the others as failed (a forged signature beside a valid one is visible in the
//! result, never dropped); `All` passes only when every signature verified and every
//! key the caller gave verified at least one of them. Either way the error of a failed
//! token names the signature it comes from.

use serde_json::Value;

use crate::alg::Algorithm;
use crate::b64;
use crate::claims::Validation;
use crate::error::{Error, Result};
use crate::header::{self, Content};
use crate::json::{self, Object};
use crate::jws;
use crate::key::Key;

/// Which signatures must verify for the token to pass (RFC 7515 §7.2 leaves it to the
/// application).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// At least one signature verified with one of the caller's keys; the others are
    /// reported, failed, in [`VerifiedJson::signatures`].
    Any,
    /// Every signature verified, and every key the caller gave verified at least one.
    All,
}

impl Rule {
    /// Every rule, in the order of the C numbering.
    pub const ALL: [Rule; 2] = [Rule::Any, Rule::All];

    /// The rule's name: "any" or "all".
    pub fn name(self) -> &'static str {
        match self {
            Rule::Any => "any",
            Rule::All => "all",
        }
    }
}

/// What became of one signature of a verified token.
#[derive(Debug, Clone)]
pub struct SignatureOutcome {
    /// Its position in `signatures` (0 for the flattened form).
    pub index: usize,
    /// The protected header's `alg`, when the header could be read.
    pub alg: Option<Algorithm>,
    /// Which key this is, as far as can be trusted: for a verified signature, the
    /// verifying key's own `kid`, else the protected header's; never a `kid` of the
    /// unprotected header, which anyone can change without breaking the signature.
    /// For one that did not verify, the `kid` it names in either header.
    pub kid: Option<String>,
    /// The protected header JSON, exactly as sent (empty when absent or unreadable).
    pub header_json: Vec<u8>,
    /// The position, in the caller's list, of the key that verified it.
    pub key_index: Option<usize>,
    /// Every caller's key that verified it: under `Rule::All` all candidates are tried
    /// (a key listed twice, or two names for one key, each count), else the first.
    verified_by: Vec<usize>,
    /// `Ok` when the signature verified, else why not.
    pub result: Result<()>,
}

impl SignatureOutcome {
    /// Whether this signature verified.
    pub fn verified(&self) -> bool {
        self.result.is_ok()
    }
}

/// A JWS JSON serialization that passed its rule: the payload and every signature's
/// outcome, in token order.
#[derive(Debug, Clone)]
pub struct VerifiedJson {
    /// The payload: decoded from `payload`, its own bytes for `b64: false`, or the
    /// detached payload the caller gave.
    pub payload: Vec<u8>,
    /// One outcome a signature, in the token's order.
    pub signatures: Vec<SignatureOutcome>,
}

/// Verifies a JWS JSON serialization (general or flattened) against `keys` under
/// `rule`; `detached_payload` is the content when the token has no `payload` member, or
/// an empty one (RFC 7515 Appendix F). The signatures only, no claims. See the module
/// comment.
pub fn verify(
    token: &[u8],
    detached_payload: Option<&[u8]>,
    keys: &[&Key],
    validation: &Validation,
    rule: Rule,
) -> Result<VerifiedJson> {
    if keys.is_empty() {
        return Err(Error::InvalidArgument("verifying a JWS JSON serialization needs at least one key".into()));
    }
    let limits = validation.limits();
    if token.len() > limits.max_token_len {
        return Err(Error::TokenTooLarge(format!(
            "{} bytes is over the limit of {}",
            token.len(),
            limits.max_token_len
        )));
    }
    if let Some(content) = detached_payload.filter(|c| c.len() > limits.max_token_len) {
        return Err(Error::TokenTooLarge(format!(
            "a detached payload of {} bytes is over the limit of {}",
            content.len(),
            limits.max_token_len
        )));
    }
    let object = json::parse_object_limited(token, "JWS JSON", limits.max_depth)?;
    let entries = signature_entries(&object, limits.max_signatures)?;
    let payload_member = match object.get("payload") {
        None => None,
        Some(Value::String(text)) => Some(text.as_bytes()),
        Some(_) => return Err(Error::TokenMalformed("member `payload` must be a string".into())),
    };
    let read: Vec<std::result::Result<ReadSignature, Error>> =
        entries.iter().map(|entry| read_signature(entry, limits)).collect();
    // With no signature readable there is nothing to read the payload for (nor a `b64`
    // to read it by): the first signature's error.
    if let (true, Some(Err(e))) = (read.iter().all(Result::is_err), read.first()) {
        return Err(at_signature(0, e.clone()));
    }
    let encoded = payload_encoding(&read)?;
    // An empty `payload` beside a detached one is detached content, as an empty middle
    // segment is in the compact form (jwcrypto writes it so).
    let (payload, payload_text) =
        match (payload_member.filter(|p| !p.is_empty() || detached_payload.is_none()), detached_payload) {
            (Some(_), Some(_)) => {
                return Err(Error::TokenMalformed(
                    "the token carries its payload: verify it without a detached payload".into(),
                ))
            }
            (None, None) => {
                return Err(Error::TokenMalformed(
                    "the token has no `payload` member: its content is detached, pass it as the detached payload"
                        .into(),
                ))
            }
            (None, Some(content)) => (content.to_vec(), None),
            (Some(text), None) if encoded => (b64::decode(text, "payload")?, Some(text)),
            (Some(text), None) => (text.to_vec(), Some(text)),
        };
    let mut signatures = Vec::with_capacity(read.len());
    for (index, read) in read.into_iter().enumerate() {
        signatures.push(match read {
            Err(e) => SignatureOutcome {
                index,
                alg: None,
                kid: None,
                header_json: Vec::new(),
                key_index: None,
                verified_by: Vec::new(),
                result: Err(e),
            },
            Ok(sig) => {
                // A detached or unencoded payload is signed as given; an attached
                // encoded one as the token's own text.
                let input = match payload_text {
                    Some(text) if encoded => jws::signing_input(&sig.encoded_header, text, false),
                    _ => jws::signing_input(&sig.encoded_header, &payload, encoded),
                };
                let (verified_by, result) = check_one(&sig, &input, keys, validation, rule == Rule::All);
                let kid = match verified_by.first() {
                    Some(&i) => keys[i].kid().map(str::to_owned).or(sig.protected_kid),
                    None => sig.kid,
                };
                SignatureOutcome {
                    index,
                    alg: sig.alg,
                    kid,
                    header_json: sig.header_json,
                    key_index: verified_by.first().copied(),
                    verified_by,
                    result,
                }
            }
        });
    }
    apply_rule(&signatures, keys, rule)?;
    Ok(VerifiedJson { payload, signatures })
}

/// As [`verify`], for a JWT: after the rule passed, the payload is checked as claims
/// exactly as `jwt::verify` checks them (the `typ` check reads the first verified
/// signature's protected header).
pub fn verify_jwt(
    token: &[u8],
    detached_claims: Option<&[u8]>,
    keys: &[&Key],
    validation: &Validation,
    rule: Rule,
) -> Result<VerifiedJson> {
    let verified = verify(token, detached_claims, keys, validation, rule)?;
    let first = verified.signatures.iter().find(|s| s.verified()).expect("the rule needs one verified signature");
    let typ = header_typ(&first.header_json, validation)?;
    validation.check_claims(typ.as_deref(), &verified.payload)?;
    Ok(verified)
}

/// The protected header's `typ`, read again from a header that already passed.
fn header_typ(header_json: &[u8], validation: &Validation) -> Result<Option<String>> {
    let header = json::parse_object_limited(header_json, "header", validation.limits().max_depth)?;
    Ok(header.get("typ").and_then(Value::as_str).map(str::to_owned))
}

/// The signature objects: the `signatures` array (general) or the top level itself
/// (flattened), within the limit.
fn signature_entries(object: &Object, max_signatures: usize) -> Result<Vec<&Object>> {
    let Some(list) = object.get("signatures") else {
        if !object.contains_key("signature") {
            return Err(Error::TokenMalformed(
                "not a JWS JSON serialization: no `signatures` (general) or `signature` (flattened) member".into(),
            ));
        }
        return Ok(vec![object]);
    };
    if ["signature", "protected", "header"].iter().any(|m| object.contains_key(*m)) {
        return Err(Error::TokenMalformed(
            "`signatures` (general form) beside `signature`, `protected` or `header` (flattened form)".into(),
        ));
    }
    let Value::Array(list) = list else {
        return Err(Error::TokenMalformed("member `signatures` must be an array".into()));
    };
    if list.is_empty() {
        return Err(Error::TokenMalformed("member `signatures` is empty".into()));
    }
    if list.len() > max_signatures {
        return Err(Error::JsonLimit(format!("{} signatures is over the limit of {max_signatures}", list.len())));
    }
    list.iter()
        .enumerate()
        .map(|(i, entry)| {
            entry.as_object().ok_or_else(|| Error::TokenMalformed(format!("signatures[{i}] must be an object")))
        })
        .collect()
}

/// One signature's headers, read and checked, before its key and signature are.
struct ReadSignature {
    encoded_header: Vec<u8>,
    header_json: Vec<u8>,
    alg: Option<Algorithm>,
    /// The `kid` to choose keys by: the protected header's, else the unprotected one's.
    kid: Option<String>,
    /// The protected header's `kid` alone (authenticated once the signature verifies).
    protected_kid: Option<String>,
    b64: bool,
    signature: Vec<u8>,
}

/// Reads one signature object: the protected header (the compact form's reader and
/// rules, `b64` allowed since a JSON payload may be unencoded), the unprotected header
/// (`check_unprotected`), the encoded signature.
fn read_signature(entry: &Object, limits: &crate::limits::Limits) -> Result<ReadSignature> {
    let unprotected = match entry.get("header") {
        None => None,
        Some(Value::Object(h)) => Some(h),
        Some(_) => return Err(Error::HeaderInvalid("member `header` must be a JSON object".into())),
    };
    let signature = match entry.get("signature") {
        Some(Value::String(s)) => s.as_bytes().to_vec(),
        Some(_) => return Err(Error::TokenMalformed("member `signature` must be a string".into())),
        None => return Err(Error::TokenMalformed("member `signature` is missing".into())),
    };
    let encoded_header = match entry.get("protected") {
        Some(Value::String(s)) => s.as_bytes(),
        Some(_) => return Err(Error::TokenMalformed("member `protected` must be a string".into())),
        None => {
            if let Some(h) = unprotected {
                check_unprotected(&Object::new(), h)?;
            }
            return Err(Error::HeaderInvalid(
                "no protected header: jwtkit reads `alg` only from the protected header".into(),
            ));
        }
    };
    if let Some(unprotected) = unprotected {
        // Before the protected header is read: an `alg` moved out of it is named as such.
        check_unprotected(&Object::new(), unprotected)?;
    }
    let (header_json, header) = header::read_header(encoded_header, limits, &mut [], Content::Detached)?;
    let protected_kid = header.kid.clone();
    let mut kid = protected_kid.clone();
    if let Some(unprotected) = unprotected {
        let protected = json::parse_object_limited(&header_json, "header", limits.max_depth)?;
        check_unprotected(&protected, unprotected)?;
        if let Some(Value::String(k)) = unprotected.get("kid") {
            kid = Some(k.clone());
        }
    }
    Ok(ReadSignature {
        encoded_header: encoded_header.to_vec(),
        header_json: header_json.into_owned(),
        alg: Some(header.alg),
        kid,
        protected_kid,
        b64: header.b64,
        signature,
    })
}

/// The rules of an unprotected header, beside its protected header: no `alg`, `crit` or
/// `b64` (they must be integrity protected: RFC 7515 §4.1.11, RFC 7797 §6), no member
/// in both (RFC 7515 §7.2.1), and the compact form's member types (`kid` a string, …).
/// Signing and verification share it.
pub(crate) fn check_unprotected(protected: &Object, unprotected: &Object) -> Result<()> {
    for name in ["alg", "crit", "b64"] {
        if unprotected.contains_key(name) {
            return Err(Error::HeaderInvalid(format!(
                "member `{name}` is in the unprotected header: it must be in the protected header, where the \
                 signature covers it"
            )));
        }
    }
    if let Some(name) = unprotected.keys().find(|name| protected.contains_key(*name)) {
        return Err(Error::HeaderInvalid(format!(
            "member `{}` is in both the protected and the unprotected header (RFC 7515 §7.2.1)",
            crate::error::excerpt(name, 64)
        )));
    }
    header::check_header(unprotected)
}

/// Whether the payload is base64url: every readable signature must agree (RFC 7797 §3).
fn payload_encoding(read: &[std::result::Result<ReadSignature, Error>]) -> Result<bool> {
    let mut values = read.iter().filter_map(|r| r.as_ref().ok()).map(|s| s.b64);
    let first = values.next().unwrap_or(true);
    if values.any(|b| b != first) {
        return Err(Error::HeaderInvalid("the signatures disagree on `b64`: it must be the same in every one".into()));
    }
    Ok(first)
}

/// One signature's allow-list, key and cryptographic check: the keys that verified it
/// (the first, or with `every` each candidate that does), or the error of the first key
/// tried (keys that fit the algorithm first).
fn check_one(
    sig: &ReadSignature,
    input: &[u8],
    keys: &[&Key],
    validation: &Validation,
    every: bool,
) -> (Vec<usize>, Result<()>) {
    let alg = sig.alg.expect("a read signature has an alg");
    if let Err(e) = jws::check_allowed(validation, alg) {
        return (Vec::new(), Err(e));
    }
    let signature = match b64::decode(&sig.signature, "signature") {
        Ok(s) if s.len() <= jws::MAX_SIGNATURE_LEN => s,
        Ok(_) => {
            return (Vec::new(), Err(Error::SignatureInvalid("the signature is longer than any algorithm's".into())))
        }
        Err(e) => return (Vec::new(), Err(e)),
    };
    let kid_agrees = |k: &&Key| match (sig.kid.as_deref(), k.kid()) {
        (Some(want), Some(have)) => want == have,
        _ => true,
    };
    let mut candidates: Vec<(usize, &Key)> = keys.iter().copied().enumerate().filter(|(_, k)| kid_agrees(k)).collect();
    candidates.sort_by_key(|(_, k)| !k.can_verify(alg));
    if candidates.is_empty() {
        let shown = sig.kid.as_deref().map(|k| format!(" with `kid` \"{}\"", crate::error::excerpt(k, 64)));
        return (
            Vec::new(),
            Err(Error::KeyNotFound(format!("no key for a {} signature{}", alg.name(), shown.unwrap_or_default()))),
        );
    }
    let (mut verified_by, mut first_error) = (Vec::new(), None);
    for (index, key) in candidates.into_iter().take(validation.limits().max_keys_tried) {
        match key.verify_bytes(alg, input, &signature) {
            Ok(()) if !every => return (vec![index], Ok(())),
            Ok(()) => verified_by.push(index),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match verified_by.is_empty() {
        false => (verified_by, Ok(())),
        true => (verified_by, Err(first_error.expect("at least one candidate was tried"))),
    }
}

/// The caller's rule over the outcomes; the error names the signature or key at fault.
fn apply_rule(signatures: &[SignatureOutcome], keys: &[&Key], rule: Rule) -> Result<()> {
    let first_failed = signatures.iter().find(|s| !s.verified());
    match rule {
        Rule::Any => match signatures.iter().any(SignatureOutcome::verified) {
            true => Ok(()),
            false => Err(failed_at(first_failed.expect("no signature verified"))),
        },
        Rule::All => {
            if let Some(failed) = first_failed {
                return Err(failed_at(failed));
            }
            match (0..keys.len()).find(|k| !signatures.iter().any(|s| s.verified_by.contains(k))) {
                None => Ok(()),
                Some(missing) => Err(Error::SignatureInvalid(format!(
                    "rule \"all\": key {missing}{} verified none of the signatures",
                    keys[missing]
                        .kid()
                        .map(|k| format!(" (kid \"{}\")", crate::error::excerpt(k, 64)))
                        .unwrap_or_default()
                ))),
            }
        }
    }
}

/// A failed signature's error, its message led by the signature's position.
fn failed_at(outcome: &SignatureOutcome) -> Error {
    at_signature(outcome.index, outcome.result.clone().expect_err("a failed signature"))
}

/// `error`, its message led by the position of the signature it comes from; the
/// variant (and so the C status) is kept.
fn at_signature(index: usize, error: Error) -> Error {
    let at = |m: String| format!("signatures[{index}]: {m}");
    match error {
        Error::HeaderInvalid(m) => Error::HeaderInvalid(at(m)),
        Error::CritUnsupported(m) => Error::CritUnsupported(at(m)),
        Error::AlgUnsupported(m) => Error::AlgUnsupported(at(m)),
        Error::AlgNotAllowed(m) => Error::AlgNotAllowed(at(m)),
        Error::SignatureInvalid(m) => Error::SignatureInvalid(at(m)),
        Error::KeyNotFound(m) => Error::KeyNotFound(at(m)),
        Error::KeyAlgMismatch(m) => Error::KeyAlgMismatch(at(m)),
        Error::KeyUsage(m) => Error::KeyUsage(at(m)),
        Error::KeyTooWeak(m) => Error::KeyTooWeak(at(m)),
        Error::TokenMalformed(m) => Error::TokenMalformed(at(m)),
        Error::Base64(m) => Error::Base64(at(m)),
        Error::Json(m) => Error::Json(at(m)),
        Error::JsonLimit(m) => Error::JsonLimit(at(m)),
        other => other,
    }
}

/// One signer of a JWS JSON serialization: its key and algorithm, and the members it
/// adds to its protected and unprotected headers (JSON objects).
#[derive(Clone, Copy)]
pub struct Signer<'a> {
    /// The signing key.
    pub key: &'a Key,
    /// The algorithm, written as the protected header's `alg`.
    pub alg: Algorithm,
    /// Members for the protected header (as `jws::sign`'s `extra_header`); the key's
    /// `kid` is added to it unless either header has one.
    pub protected: Option<&'a [u8]>,
    /// The unprotected header (`header`), e.g. `{"kid":"k1"}`: never `alg`, `crit`,
    /// `b64`, nor a member of the protected header.
    pub unprotected: Option<&'a [u8]>,
}

/// How [`sign`] writes the token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignOptions {
    /// Write the general form (`signatures` array) even for one signer; several signers
    /// always give it.
    pub general: bool,
    /// Leave the payload out (RFC 7515 Appendix F): the caller sends it apart.
    pub detached: bool,
    /// Sign the payload as its own bytes (`"b64": false` with `crit`, RFC 7797): an
    /// attached payload is then written as a JSON string, so it must be UTF-8.
    pub unencoded: bool,
}

/// Signs `payload` once per signer as a JWS JSON serialization: flattened for one
/// signer unless `options.general`, general otherwise.
pub fn sign(payload: &[u8], signers: &[Signer], options: SignOptions) -> Result<String> {
    if signers.is_empty() {
        return Err(Error::InvalidArgument("a JWS JSON serialization needs at least one signer".into()));
    }
    let encoded = !options.unencoded;
    let mut entries = Vec::with_capacity(signers.len());
    for signer in signers {
        entries.push(sign_one(payload, signer, encoded)?);
    }
    // Written by hand, in RFC 7515's order (`payload` first, then `protected`, `header`,
    // `signature`), as the RFC's and RFC 7520's examples are.
    let mut out = String::from("{");
    if !options.detached {
        let text = if encoded {
            b64::encode(payload)
        } else {
            String::from_utf8(payload.to_vec()).map_err(|_| {
                Error::InvalidArgument("an attached unencoded payload is a JSON string: it must be UTF-8".into())
            })?
        };
        out.push_str("\"payload\":");
        out.push_str(&json_text(&Value::String(text))?);
        out.push(',');
    }
    if signers.len() == 1 && !options.general {
        out.push_str(&entries.pop().expect("one signer"));
    } else {
        out.push_str("\"signatures\":[");
        out.push_str(&entries.iter().map(|e| format!("{{{e}}}")).collect::<Vec<_>>().join(","));
        out.push(']');
    }
    out.push('}');
    Ok(out)
}

/// One signature object's members, without braces: `protected`, `header` (when given),
/// `signature`.
fn sign_one(payload: &[u8], signer: &Signer, encoded: bool) -> Result<String> {
    let unprotected = signer.unprotected.map(|u| json::parse_object(u, "unprotected header")).transpose()?;
    let caller_kid = signer.protected.is_some_and(|p| contains_member(p, "kid"));
    let mut protected = jws::header_object(signer.key, signer.alg, signer.protected, None)?;
    if !caller_kid && unprotected.as_ref().is_some_and(|u| u.contains_key("kid")) {
        // The caller placed `kid` in the unprotected header: the key's is not added.
        protected.remove("kid");
    }
    jws::mark_encoding(&mut protected, encoded)?;
    header::check_signing_header(&protected, Content::Detached)?;
    if let Some(unprotected) = &unprotected {
        check_unprotected(&protected, unprotected)?;
    }
    let protected_json = serde_json::to_vec(&protected).map_err(|e| Error::Json(e.to_string()))?;
    let encoded_header = b64::encode(&protected_json);
    let signature =
        signer.key.sign_raw(signer.alg, &jws::signing_input(encoded_header.as_bytes(), payload, encoded))?;
    let mut entry = format!("\"protected\":\"{encoded_header}\",");
    if let Some(unprotected) = unprotected {
        entry.push_str("\"header\":");
        entry.push_str(&json_text(&Value::Object(unprotected))?);
        entry.push(',');
    }
    entry.push_str(&format!("\"signature\":\"{}\"", b64::encode(signature.as_ref())));
    Ok(entry)
}

fn json_text(value: &Value) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Json(e.to_string()))
}

/// Whether the JSON object `bytes` has member `name` (already known to parse, or the
/// header reader will say why not).
fn contains_member(bytes: &[u8], name: &str) -> bool {
    json::parse_object(bytes, "header").is_ok_and(|o| o.contains_key(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hmac(kid: Option<&str>) -> Key {
        Key::from_secret(&[7u8; 32]).unwrap().with_kid(kid).unwrap()
    }

    #[test]
    fn flattened_and_general_round_trip() {
        let key = hmac(Some("k1"));
        let validation = Validation::new(&[Algorithm::HS256]).unwrap();
        for general in [false, true] {
            let signer = Signer { key: &key, alg: Algorithm::HS256, protected: None, unprotected: None };
            let token = sign(b"hello", &[signer], SignOptions { general, ..Default::default() }).unwrap();
            assert_eq!(token.contains("\"signatures\""), general, "{token}");
            let verified = verify(token.as_bytes(), None, &[&key], &validation, Rule::All).unwrap();
            assert_eq!(verified.payload, b"hello");
            assert_eq!(verified.signatures[0].kid.as_deref(), Some("k1"));
            assert_eq!(verified.signatures[0].key_index, Some(0));
        }
    }

    /// An unprotected `kid` can be changed by anyone without breaking the signature: a
    /// verified signature reports the verifying key's `kid` (or the protected one), never it.
    #[test]
    fn a_verified_signature_never_reports_an_unprotected_kid() {
        let validation = Validation::new(&[Algorithm::HS256]).unwrap();
        let anonymous = hmac(None);
        let signer = Signer { key: &anonymous, alg: Algorithm::HS256, protected: None, unprotected: None };
        let token = sign(b"x", &[signer], SignOptions::default()).unwrap();
        let spoofed = token.replacen('{', r#"{"header":{"kid":"admin-signer"},"#, 1);
        let verified = verify(spoofed.as_bytes(), None, &[&anonymous], &validation, Rule::Any).unwrap();
        assert!(verified.signatures[0].result.is_ok());
        assert_eq!(verified.signatures[0].kid, None);
        let named = hmac(Some("k1"));
        let verified = verify(spoofed.as_bytes(), None, &[&named], &validation, Rule::Any);
        // The key's own `kid` disagrees with the hint, so it is not even tried.
        assert!(verified.is_err());
        let signer =
            Signer { key: &named, alg: Algorithm::HS256, protected: None, unprotected: Some(br#"{"kid":"k1"}"#) };
        let token = sign(b"x", &[signer], SignOptions::default()).unwrap();
        let verified = verify(token.as_bytes(), None, &[&named], &validation, Rule::Any).unwrap();
        assert_eq!(verified.signatures[0].kid.as_deref(), Some("k1"), "the verifying key's own kid");
    }

    #[test]
    fn unprotected_kid_replaces_the_keys_kid_in_the_protected_header() {
        let key = hmac(Some("k1"));
        let signer =
            Signer { key: &key, alg: Algorithm::HS256, protected: None, unprotected: Some(br#"{"kid":"k1"}"#) };
        let token = sign(b"x", &[signer], SignOptions::default()).unwrap();
        let object = json::parse_object(token.as_bytes(), "t").unwrap();
        let protected = b64::decode(object["protected"].as_str().unwrap().as_bytes(), "p").unwrap();
        assert_eq!(protected, br#"{"alg":"HS256"}"#);
    }
}
