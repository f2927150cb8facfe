//! JWE JSON serialization (RFC 7516 §7.2), general (`recipients`) and flattened: one
//! content encryption and one CEK for every recipient, each recipient with its own
//! `alg` and key, optional additional authenticated data (`aad`), a shared `unprotected`
//! header and a `header` per recipient.
//!
//! Where a member may sit: the three headers are disjoint (a member in two of them is
//! `HeaderInvalid` naming it, RFC 7516 §7.2.1); `zip` and `crit` only in the protected
//! header; `enc` is one for all recipients, so in the protected or the shared
//! unprotected header, never a recipient's. jwtkit always writes `enc` protected; it
//! reads it unprotected too (RFC 7520 §5.12 does so) because the allow-list applies
//! wherever it sits and a changed `enc` cannot produce a valid tag without the CEK.
//!
//! Decryption is one path, each step only narrowing: size → one JSON object (strict:
//! no duplicate member, bounded depth) → its shape, at most `max_recipients` → the
//! protected header and every recipient's header placement → `crit` → `enc` known and
//! allowed, `zip` allowed → recipients whose `alg` is not allowed (or not implemented,
//! or `RSA1_5`) are skipped, never tried → each allowed recipient with the caller's
//! keys its `kid` chooses that fit its `alg` (`jwe::choice`, shared with compact), at
//! most `max_keys_tried` unwraps → the
//! first whose content authenticates. Every unwrap and tag failure is the one
//! `DecryptionFailed`, as in compact.

use serde_json::Value;
use zeroize::Zeroizing;

use crate::b64;
use crate::error::{excerpt, Error, Result};
use crate::json::{self, Object};
use crate::jwe::choice::Attempts;
use crate::jwe::content::{decryption_failed, Enc};
use crate::jwe::key_mgmt::{self, Alg};
use crate::jwe::policy::JwePolicy;
use crate::jwe::steps;
use crate::key::Key;
use crate::limits::Limits;

/// One recipient of a JWE in JSON serialization, for [`encrypt_json`].
#[derive(Clone, Copy)]
pub struct JsonRecipient<'a> {
    /// The recipient's key (public is enough for RSA and ECDH).
    pub key: &'a Key,
    /// How the content key reaches this recipient.
    pub alg: Alg,
    /// Extra members of this recipient's unprotected `header` (a JSON object), if any.
    pub header: Option<&'a [u8]>,
}

/// What else goes into a JWE in JSON serialization, for [`encrypt_json`].
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonOptions<'a> {
    /// Extra protected header members (a JSON object): `typ`, `cty`, `apu`, ….
    pub protected: Option<&'a [u8]>,
    /// The shared unprotected header (a JSON object).
    pub unprotected: Option<&'a [u8]>,
    /// Additional authenticated data: authenticated, not encrypted, sent as `aad`.
    pub aad: Option<&'a [u8]>,
    /// Compress the plaintext with DEFLATE (`zip: "DEF"`).
    pub compress: bool,
    /// The general syntax (`recipients`) even for one recipient; several always use it.
    pub general: bool,
}

/// A JWE in JSON serialization that decrypted and authenticated.
#[derive(Debug, Clone)]
pub struct DecryptedJson {
    /// The protected header JSON exactly as sent; empty when the token has none.
    pub protected_json: Vec<u8>,
    /// The protected header, parsed (empty when the token has none).
    pub protected: Object,
    /// The JOSE header of the recipient that decrypted: protected, shared unprotected
    /// and its own header together.
    pub header: Object,
    /// The additional authenticated data (`aad`), decoded, when the token has it.
    pub aad: Option<Vec<u8>>,
    /// Which recipient's key opened it: its position in `recipients` (0 when flattened).
    pub recipient: usize,
    /// Which of the caller's keys opened it: its position in the list given.
    pub key_index: usize,
    /// That recipient's `alg`.
    pub alg: Alg,
    /// That recipient's `kid`, if its header has one.
    pub kid: Option<String>,
    /// The content encryption.
    pub enc: Enc,
    /// Wiped on drop.
    pub plaintext: Zeroizing<Vec<u8>>,
}

/// RFC 7516 §7.2.1 and jwtkit's placement rules (see the module comment) for one
/// recipient; gives its whole JOSE header, whose members are then checked as compact's
/// are (`crit`, member types).
fn joined_header(protected: &Object, shared: &Object, own: &Object) -> Result<Object> {
    let twice = |name: &str, first: &str, second: &str| {
        Err(Error::HeaderInvalid(format!(
            "header member `{}` appears in both the {first} and the {second} header; a member may appear in one only",
            excerpt(name, 32)
        )))
    };
    for name in shared.keys() {
        if protected.contains_key(name) {
            return twice(name, "protected", "shared unprotected");
        }
    }
    for name in own.keys() {
        if protected.contains_key(name) {
            return twice(name, "protected", "per-recipient");
        }
        if shared.contains_key(name) {
            return twice(name, "shared unprotected", "per-recipient");
        }
    }
    for name in ["zip", "crit"] {
        if shared.contains_key(name) || own.contains_key(name) {
            return Err(Error::HeaderInvalid(format!(
                "header member `{name}` must be integrity protected: only the protected header may have it"
            )));
        }
    }
    if own.contains_key("enc") {
        return Err(Error::HeaderInvalid(
            "header member `enc` is one for every recipient: it belongs in the protected header, not a recipient's"
                .into(),
        ));
    }
    let mut joined = protected.clone();
    joined.extend(shared.iter().chain(own.iter()).map(|(k, v)| (k.clone(), v.clone())));
    crate::header::check_header(&joined)?;
    Ok(joined)
}

/// Encrypts `plaintext` once with `enc` for every recipient, as JSON: flattened for one
/// recipient unless `options.general`, general otherwise. One recipient's `alg`, `kid`
/// (from a JWK with one, unless a header sets it) and key management's members (`epk`,
/// `iv`/`tag`, `p2s`/`p2c`) go into the protected header,
/// as in compact; with several they go into each recipient's header. `dir` and `ECDH-ES`
/// make the content key themselves, so they can only be the single recipient. Header
/// members may not repeat across the three headers (`HeaderInvalid`); `alg`, `enc`,
/// `zip` and `epk` are jwtkit's to set.
pub fn encrypt_json(
    recipients: &[JsonRecipient<'_>],
    enc: Enc,
    plaintext: &[u8],
    options: &JsonOptions<'_>,
) -> Result<String> {
    let max = Limits::default().max_recipients;
    if recipients.is_empty() || recipients.len() > max {
        return Err(Error::InvalidArgument(format!("a JWE needs 1 to {max} recipients, got {}", recipients.len())));
    }
    let single = match recipients {
        [one] => Some(one.alg),
        _ => None,
    };
    let mut protected = steps::caller_header(options.protected, single, Some(enc))?;
    let shared = steps::caller_header(options.unprotected, None, None)?;
    protected.insert("enc".into(), enc.name().into());
    if options.compress {
        protected.insert("zip".into(), "DEF".into());
    }
    let shared_cek = match single {
        Some(_) => None,
        None => Some(key_mgmt::random(enc.cek_len())?),
    };
    let mut cek = None;
    let mut sent = Vec::with_capacity(recipients.len());
    for r in recipients {
        let mut own = steps::caller_header(r.header, Some(r.alg), None)?;
        let has = |name: &str| protected.contains_key(name) || shared.contains_key(name) || own.contains_key(name);
        let (add_alg, add_kid) = (!has("alg"), r.key.kid().filter(|_| !has("kid")));
        // A single recipient's members are protected, as in compact.
        let target = if single.is_some() { &mut protected } else { &mut own };
        if add_alg {
            target.insert("alg".into(), r.alg.name().into());
        }
        if let Some(kid) = add_kid {
            target.insert("kid".into(), kid.into());
        }
        let joined = joined_header(&protected, &shared, &own)?;
        let mut wrapped = steps::wrap_for(r.key, r.alg, enc, &joined, shared_cek.as_ref())?;
        for (name, value) in steps::key_members(&mut wrapped, |name| joined.contains_key(name)) {
            if single.is_some() { &mut protected } else { &mut own }.insert(name, value);
        }
        cek.get_or_insert(wrapped.cek);
        sent.push((own, wrapped.encrypted_key));
    }
    let cek = cek.expect("at least one recipient");
    let protected_json = serde_json::to_vec(&protected).map_err(|e| Error::Json(format!("header: {e}")))?;
    let protected_b64 = b64::encode(&protected_json);
    let aad_b64 = options.aad.map(b64::encode);
    let sealed = steps::seal(
        enc,
        &cek,
        authenticated_data(&protected_b64, aad_b64.as_deref()).as_bytes(),
        plaintext,
        options.compress,
    )?;

    let mut out = Object::new();
    out.insert("protected".into(), protected_b64.into());
    if !shared.is_empty() {
        out.insert("unprotected".into(), Value::Object(shared));
    }
    let entry = |(own, encrypted_key): (Object, Vec<u8>)| {
        let mut entry = Object::new();
        if !own.is_empty() {
            entry.insert("header".into(), Value::Object(own));
        }
        if !encrypted_key.is_empty() {
            entry.insert("encrypted_key".into(), b64::encode(&encrypted_key).into());
        }
        entry
    };
    if sent.len() == 1 && !options.general {
        out.extend(entry(sent.pop().expect("one recipient")));
    } else {
        out.insert("recipients".into(), sent.into_iter().map(|r| Value::Object(entry(r))).collect());
    }
    if let Some(aad) = aad_b64 {
        out.insert("aad".into(), aad.into());
    }
    out.insert("iv".into(), b64::encode(&sealed.iv).into());
    out.insert("ciphertext".into(), b64::encode(&sealed.ciphertext).into());
    out.insert("tag".into(), b64::encode(&sealed.tag).into());
    serde_json::to_string(&out).map_err(|e| Error::Json(format!("JWE: {e}")))
}

/// RFC 7516 §5.1 step 14: ASCII(BASE64URL(protected)), then `.` and BASE64URL(aad) when
/// there is an `aad`.
fn authenticated_data(protected_b64: &str, aad_b64: Option<&str>) -> String {
    match aad_b64 {
        Some(aad) => format!("{protected_b64}.{aad}"),
        None => protected_b64.to_string(),
    }
}

fn malformed(what: String) -> Error {
    Error::TokenMalformed(format!("JWE JSON: {what}"))
}

fn string_member<'a>(object: &'a Object, name: &str, within: &str) -> Result<Option<&'a str>> {
    match object.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(malformed(format!("member `{name}`{within} must be a string"))),
    }
}

fn object_member<'a>(object: &'a Object, name: &str, within: &str) -> Result<Option<&'a Object>> {
    match object.get(name) {
        None => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(malformed(format!("member `{name}`{within} must be a JSON object"))),
    }
}

fn required<'a>(object: &'a Object, name: &str) -> Result<&'a str> {
    string_member(object, name, "")?.ok_or_else(|| malformed(format!("member `{name}` is required")))
}

/// One entry of `recipients` (or the flattened form's own members).
struct Entry<'a> {
    header: Option<&'a Object>,
    encrypted_key: Option<&'a str>,
}

/// The recipients of a parsed JWE, general or flattened, within the limit.
fn entries<'a>(jwe: &'a Object, limits: &Limits) -> Result<Vec<Entry<'a>>> {
    let flat =
        Entry { header: object_member(jwe, "header", "")?, encrypted_key: string_member(jwe, "encrypted_key", "")? };
    let Some(list) = jwe.get("recipients") else { return Ok(vec![flat]) };
    if flat.header.is_some() || flat.encrypted_key.is_some() {
        return Err(malformed(
            "both `recipients` (general syntax) and `header`/`encrypted_key` (flattened syntax)".into(),
        ));
    }
    let Value::Array(list) = list else { return Err(malformed("member `recipients` must be an array".into())) };
    if list.is_empty() {
        return Err(malformed("`recipients` is empty".into()));
    }
    if list.len() > limits.max_recipients {
        return Err(Error::JsonLimit(format!(
            "JWE JSON: {} recipients is over the limit of {}",
            list.len(),
            limits.max_recipients
        )));
    }
    list.iter()
        .enumerate()
        .map(|(i, r)| {
            let Value::Object(r) = r else { return Err(malformed(format!("recipients[{i}] must be a JSON object"))) };
            let within = format!(" of recipients[{i}]");
            Ok(Entry {
                header: object_member(r, "header", &within)?,
                encrypted_key: string_member(r, "encrypted_key", &within)?,
            })
        })
        .collect()
}

/// Decrypts a JWE in JSON serialization (general or flattened) with the first of `keys`
/// that opens it for a recipient whose `alg` `policy` allows. See the module comment.
/// A recipient's `kid` chooses the keys tried for it as in compact (`jwe::choice`): the
/// keys with that `kid`, else the keys without one. Errors: a single recipient's own (as compact), `AlgNotAllowed` when no
/// recipient's `alg` is allowed, the first key mismatch when no key fits any allowed
/// recipient, `KeyNotFound` when no key's `kid` matches, else `DecryptionFailed`.
pub fn decrypt_json(token: &[u8], keys: &[&Key], policy: &JwePolicy) -> Result<DecryptedJson> {
    let limits = policy.limits();
    if token.len() > limits.max_token_len {
        return Err(Error::TokenTooLarge(format!(
            "{} bytes is over the limit of {}",
            token.len(),
            limits.max_token_len
        )));
    }
    if token.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(Error::TokenMalformed(
            "a JWE in JSON serialization is a JSON object; a compact JWE is decrypted by the compact decrypt".into(),
        ));
    }
    let jwe = json::parse_object_limited(token, "JWE", limits.max_depth)?;
    let entries = entries(&jwe, limits)?;
    let protected_b64 = string_member(&jwe, "protected", "")?;
    let (protected_json, protected) = match protected_b64 {
        Some(text) => crate::header::decode_header(text.as_bytes(), limits)?,
        None => (Vec::new(), Object::new()),
    };
    let empty = Object::new();
    let shared = object_member(&jwe, "unprotected", "")?.unwrap_or(&empty);
    let headers = entries
        .iter()
        .map(|e| joined_header(&protected, shared, e.header.unwrap_or(&empty)))
        .collect::<Result<Vec<Object>>>()?;

    let enc = steps::enc_of(&headers[0])?;
    let compressed = steps::zip_of(&protected)?;
    steps::check_content_allowed(policy, enc, compressed)?;
    let iv = b64::decode(required(&jwe, "iv")?.as_bytes(), "initialization vector")?;
    let ciphertext = b64::decode(required(&jwe, "ciphertext")?.as_bytes(), "ciphertext")?;
    let tag = b64::decode(required(&jwe, "tag")?.as_bytes(), "authentication tag")?;
    let aad_b64 = string_member(&jwe, "aad", "")?;
    let aad = aad_b64.map(|a| b64::decode(a.as_bytes(), "aad")).transpose()?;
    let authenticated = authenticated_data(protected_b64.unwrap_or(""), aad_b64);
    // With no protected header and no `aad` the content's additional data is empty, as an
    // AES-GCM key wrap's is: a `dir` recipient could then "decrypt" a GCMKW encrypted key
    // made with the same secret and hand back the content key as plaintext.
    if authenticated.is_empty() && headers.iter().any(|h| matches!(steps::alg_of(h), Ok(Alg::Dir))) {
        return Err(Error::HeaderInvalid(
            "`dir` needs a protected header: without one the content has no additional authenticated data".into(),
        ));
    }

    // Recipients whose `alg` is not allowed are never tried.
    let mut allowed = Vec::new();
    let mut refused = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        match steps::alg_of(header).and_then(|alg| steps::check_alg_allowed(policy, alg).map(|()| alg)) {
            Ok(alg) => allowed.push((i, alg)),
            Err(e @ (Error::AlgNotAllowed(_) | Error::AlgUnsupported(_) | Error::AlgInsecure(_))) => refused.push(e),
            Err(e) => return Err(e),
        }
    }
    if allowed.is_empty() {
        if let [only] = &mut refused[..] {
            return Err(std::mem::replace(only, decryption_failed()));
        }
        // The first few names only: the message must not grow with the token.
        let mut algs: Vec<String> = headers
            .iter()
            .take(3)
            .map(|h| format!("\"{}\"", excerpt(steps::header_string(h, "alg").ok().flatten().unwrap_or(""), 24)))
            .collect();
        if headers.len() > 3 {
            algs.push("…".into());
        }
        let list: Vec<&str> = policy.algs().iter().map(|a| a.name()).collect();
        return Err(Error::AlgNotAllowed(format!(
            "none of the {} recipients' `alg` ({}) is in the JWE `alg` allow-list {list:?}",
            headers.len(),
            algs.join(", ")
        )));
    }

    let mut attempts = Attempts::new(policy, keys);
    for (index, alg) in allowed {
        let header = &headers[index];
        let kid = steps::header_string(header, "kid")?;
        let encrypted_key = b64::decode(entries[index].encrypted_key.unwrap_or("").as_bytes(), "encrypted key")?;
        let open = |cek: &[u8]| steps::open(enc, cek, &iv, authenticated.as_bytes(), &ciphertext, &tag);
        let Some((key_index, plaintext)) = attempts.recipient(keys, kid, alg, enc, header, &encrypted_key, open)?
        else {
            continue;
        };
        let plaintext = steps::inflate_if(compressed, plaintext, policy)?;
        return Ok(DecryptedJson {
            protected_json,
            protected,
            kid: kid.map(str::to_owned),
            header: headers.into_iter().nth(index).expect("recipient"),
            aad,
            recipient: index,
            key_index,
            alg,
            enc,
            plaintext,
        });
    }
    Err(attempts.failure(|| Error::KeyNotFound("no key given has the `kid` of a recipient the policy allows".into())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> Object {
        match v {
            Value::Object(o) => o,
            _ => unreachable!(),
        }
    }

    #[test]
    fn authenticated_data_appends_the_aad_only_when_present() {
        assert_eq!(authenticated_data("eyJ9", None), "eyJ9");
        assert_eq!(authenticated_data("eyJ9", Some("")), "eyJ9.");
        assert_eq!(authenticated_data("", Some("YQ")), ".YQ");
    }

    #[test]
    fn joined_header_keeps_each_member_in_one_place() {
        let p = object(json!({"enc": "A128GCM"}));
        let s = object(json!({"cty": "x"}));
        let joined = joined_header(&p, &s, &object(json!({"alg": "A128KW", "kid": "k"}))).unwrap();
        assert_eq!(Value::Object(joined), json!({"enc": "A128GCM", "cty": "x", "alg": "A128KW", "kid": "k"}));
        for (shared, own, member) in [
            (json!({"enc": "A128GCM"}), json!({}), "`enc`"),
            (json!({"cty": "x"}), json!({"cty": "y"}), "`cty`"),
            (json!({}), json!({"enc": "A128GCM"}), "`enc`"),
            (json!({"zip": "DEF"}), json!({}), "`zip`"),
            (json!({}), json!({"crit": ["b64"]}), "`crit`"),
        ] {
            let e = joined_header(&p, &object(shared), &object(own)).unwrap_err();
            assert!(matches!(&e, Error::HeaderInvalid(m) if m.contains(member)), "{e}");
        }
    }
}
