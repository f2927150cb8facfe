//! DPoP (RFC 9449): proofs of possession that make a stolen access token useless
//! without its key. Owns every DPoP rule: verifying a proof ([`verify_proof`], each
//! check of RFC 9449 §4.3 under a [`ProofPolicy`]), asking the caller's replay store
//! about its `jti`, binding a token to a proof (`cnf.jkt`, [`check_binding`],
//! [`verify_token`]; refresh tokens at the token endpoint, [`check_refresh_binding`]),
//! refusing a bound token presented as Bearer, and creating proofs
//! ([`create_proof`]).
//!
//! A proof is verified on one straight path, each step only narrowing what is accepted:
//! size and exactly one proof → three segments → header (`crit`, `alg` known) → `typ`
//! `dpop+jwt` → `alg` in the policy's asymmetric allow-list → the `jwk` header: a public
//! key only, parsed and checked like any key, fitting `alg` → the signature by that key
//! → claims `jti`, `htm`, `htu`, `iat` present and typed → `htm` → `htu` → `nonce` →
//! `iat` window → `ath` → the replay check, last, so that nothing unverified reaches
//! the store. The key's thumbprint (`jkt`) is computed from the key that verified the
//! signature, never from the members as written.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use ring::rand::{SecureRandom, SystemRandom};
use serde_json::Value;

use crate::alg::{Algorithm, Family};
use crate::b64;
use crate::claims::{same_media_type, Validation};
use crate::error::{excerpt, Error, Result};
use crate::header::{self, Content};
use crate::json::{self, Object};
use crate::jws::{self, KeySource};
use crate::jwt::{self, VerifiedJwt};
use crate::key::{self, Key};
use crate::limits::Limits;
use crate::uri;

/// The `typ` of a DPoP proof (RFC 9449 §4.2).
pub const PROOF_TYP: &str = "dpop+jwt";

/// JWK members that hold private or secret key material (RFC 7518 §6).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// The longest proof accepted by default, in bytes: a proof with an RSA-4096 `jwk` is
/// about 1.6 KiB.
pub const DEFAULT_MAX_PROOF_LEN: usize = 8 * 1024;
/// How old a proof's `iat` may be by default, in seconds.
pub const DEFAULT_MAX_AGE: u64 = 300;
/// How far in the future a proof's `iat` may be by default (clock skew), in seconds.
pub const DEFAULT_FUTURE_LEEWAY: u64 = 30;

/// What a replay store answers about a proof's `jti` (see [`ReplayCheck`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JtiUse {
    /// Not seen within the window; now recorded. The proof is accepted.
    First,
    /// Seen before within the window: a replay. The proof is refused.
    Seen,
    /// The store could not answer. The proof is refused (never accepted unchecked).
    Unavailable,
}

/// The question asked of a replay store, after every other check of a proof passed:
/// was `jti` seen for the key `jkt` before `expires_at`? The store checks and records in
/// one step (e.g. Redis `SET key 1 NX EXAT expires_at`) and keeps the record until
/// `expires_at` (Unix seconds), when the proof's `iat` leaves the policy's window.
#[derive(Debug, Clone, Copy)]
pub struct ReplayQuery<'a> {
    /// The RFC 7638 thumbprint of the proof's key.
    pub jkt: &'a str,
    /// The proof's `jti`.
    pub jti: &'a str,
    /// Until when the record must be kept (Unix seconds); after it, the proof is too old
    /// anyway.
    pub expires_at: i64,
}

/// A replay check (checks and records in one step). May run on several threads at once.
pub type ReplayCheck = Arc<dyn Fn(&ReplayQuery<'_>) -> JtiUse + Send + Sync>;

/// What a DPoP verifier accepts: the asymmetric algorithms allowed (required; HMAC can
/// never be one), the `iat` window, the clock, the size limit and the replay check.
/// Built once, then shared read-only by any number of verifications.
#[derive(Clone)]
pub struct ProofPolicy {
    algorithms: Vec<Algorithm>,
    max_age: u64,
    future_leeway: u64,
    now: Option<i64>,
    limits: Limits,
    replay: Option<ReplayCheck>,
}

impl fmt::Debug for ProofPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProofPolicy")
            .field("algorithms", &self.algorithms)
            .field("max_age", &self.max_age)
            .field("future_leeway", &self.future_leeway)
            .field("max_proof_len", &self.limits.max_token_len)
            .field("replay", &self.replay.is_some())
            .finish_non_exhaustive()
    }
}

impl ProofPolicy {
    /// A policy accepting proofs signed with one of `algorithms` (at least one, none of
    /// them HMAC: a proof is signed by a key whose public half it carries). Defaults:
    /// `iat` at most 300 s old and 30 s ahead, proofs up to 8 KiB, the system clock, no
    /// replay check.
    pub fn new(algorithms: &[Algorithm]) -> Result<ProofPolicy> {
        if algorithms.is_empty() {
            return Err(Error::InvalidArgument(
                "the DPoP algorithm allow-list must name at least one algorithm".into(),
            ));
        }
        if let Some(hmac) = algorithms.iter().find(|a| a.family() == Family::Hmac) {
            return Err(Error::InvalidArgument(format!(
                "{} cannot sign DPoP proofs: a proof is signed with an asymmetric algorithm (RFC 9449 §4.2)",
                hmac.name()
            )));
        }
        let limits = Limits { max_token_len: DEFAULT_MAX_PROOF_LEN, ..Limits::default() };
        Ok(ProofPolicy {
            algorithms: algorithms.to_vec(),
            max_age: DEFAULT_MAX_AGE,
            future_leeway: DEFAULT_FUTURE_LEEWAY,
            now: None,
            limits,
            replay: None,
        })
    }

    /// The `iat` window: a proof is accepted from `iat` − `future_leeway` (clock skew)
    /// until `iat` + `max_age`, both in seconds.
    pub fn set_iat_window(&mut self, max_age: u64, future_leeway: u64) -> Result<()> {
        if max_age > i64::MAX as u64 / 2 || future_leeway > i64::MAX as u64 / 2 {
            return Err(Error::InvalidArgument("the DPoP `iat` window is too large".into()));
        }
        self.max_age = max_age;
        self.future_leeway = future_leeway;
        Ok(())
    }

    /// Fixes "now" (Unix seconds) for tests and for checking recorded proofs; default
    /// is the system clock.
    pub fn set_now(&mut self, unix_seconds: i64) {
        self.now = Some(unix_seconds);
    }

    /// The longest proof accepted, in bytes (default 8 KiB); a longer one is refused
    /// before any parsing.
    pub fn set_max_proof_len(&mut self, bytes: usize) -> Result<()> {
        let limits = Limits { max_token_len: bytes, ..self.limits };
        limits.check()?;
        self.limits = limits;
        Ok(())
    }

    /// Sets (or, with `None`, removes) the replay check, asked last.
    pub fn set_replay_check(&mut self, check: Option<ReplayCheck>) {
        self.replay = check;
    }

    /// The allow-list, in the order given.
    pub fn algorithms(&self) -> &[Algorithm] {
        &self.algorithms
    }

    /// The `iat` window: (maximum age, future leeway), in seconds.
    pub fn iat_window(&self) -> (u64, u64) {
        (self.max_age, self.future_leeway)
    }

    /// The longest proof accepted, in bytes.
    pub fn max_proof_len(&self) -> usize {
        self.limits.max_token_len
    }

    fn now(&self) -> i64 {
        self.now.unwrap_or_else(unix_now)
    }
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// The HTTP request a proof is made for, or checked against.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The request's method (`GET`, `POST`, …), compared exactly with `htm`.
    pub method: &'a str,
    /// The request's absolute URI (`https://host/path`, any query and fragment are
    /// left out), compared with `htu` after RFC 3986 §6 normalisation.
    pub uri: &'a str,
    /// The access token the request presents, if any: its hash must be the proof's
    /// `ath`.
    pub access_token: Option<&'a [u8]>,
    /// The nonce the server expects in the proof (verification), or puts in it
    /// (creation), if any.
    pub nonce: Option<&'a str>,
}

/// A proof whose every check passed.
#[derive(Debug, Clone)]
pub struct VerifiedProof {
    /// The RFC 7638 thumbprint (SHA-256, base64url) of the proof's public key: what an
    /// access token bound to this key carries as `cnf.jkt`.
    pub jkt: String,
    /// The proof's `jti`.
    pub jti: String,
    /// The proof's `iat` (whole seconds, rounded down).
    pub iat: i64,
    /// The protected header JSON, exactly as sent.
    pub header_json: Vec<u8>,
    /// The claims JSON, exactly as signed.
    pub claims_json: Vec<u8>,
    /// base64url(SHA-256) of the access token the proof was checked against (its
    /// `ath`), if one was given.
    ath: Option<String>,
}

impl VerifiedProof {
    /// `ath` of the access token the proof was verified against, if any.
    pub fn access_token_hash(&self) -> Option<&str> {
        self.ath.as_deref()
    }
}

/// base64url(SHA-256(access token)): a proof's `ath` (RFC 9449 §4.2).
pub fn access_token_hash(access_token: &[u8]) -> String {
    b64::encode(ring::digest::digest(&ring::digest::SHA256, access_token).as_ref())
}

/// Verifies one DPoP proof (the `DPoP` header's value) for `request` under `policy`:
/// every check of RFC 9449 §4.3, in the order of the module comment. On success, the
/// proof's key thumbprint, `jti` and `iat`.
pub fn verify_proof(proof: &[u8], request: &Request<'_>, policy: &ProofPolicy) -> Result<VerifiedProof> {
    let limits = &policy.limits;
    // The request's own values are the caller's: wrong ones are a misuse, not a bad proof.
    let expected_uri = uri::normalize(request.uri)
        .map_err(|e| Error::InvalidArgument(format!("the request URI is not an absolute URI: {e}")))?;
    if proof.len() > limits.max_token_len {
        return Err(Error::TokenTooLarge(format!(
            "a DPoP proof of {} bytes is over the limit of {}",
            proof.len(),
            limits.max_token_len
        )));
    }
    // Repeated `DPoP` header fields are joined with commas (RFC 9110 §5.3); a compact
    // JWS has neither commas nor white space.
    if proof.iter().any(|&b| b == b',' || b.is_ascii_whitespace()) {
        return Err(Error::TokenMalformed(
            "a request carries exactly one DPoP proof: this value holds a comma or white space".into(),
        ));
    }
    let seg = jws::split(proof, limits.max_token_len)?;
    let (header_json, header) = header::read_header(seg.header, limits, &mut [], Content::Attached)?;
    match header.typ.as_deref() {
        Some(typ) if same_media_type(typ, PROOF_TYP) => {}
        Some(typ) => {
            return Err(Error::TypMismatch(format!(
                "a DPoP proof's `typ` is \"dpop+jwt\", not \"{}\"",
                excerpt(typ, 64)
            )))
        }
        None => return Err(Error::TypMismatch("a DPoP proof's `typ` is \"dpop+jwt\"; the header has none".into())),
    }
    let alg = header.alg;
    if !policy.algorithms.contains(&alg) {
        let allowed: Vec<&str> = policy.algorithms.iter().map(|a| a.name()).collect();
        let why = if alg.family() == Family::Hmac { " (a DPoP proof is never signed with HMAC)" } else { "" };
        return Err(Error::AlgNotAllowed(format!("{} is not in the DPoP allow-list {allowed:?}{why}", alg.name())));
    }
    let header_object = json::parse_object_limited(&header_json, "header", limits.max_depth)?;
    let key = proof_key(&header_object)?;
    let signature = b64::decode(seg.signature, "signature")?;
    key.verify_bytes(alg, seg.signing_input, &signature)?;
    let jkt = key.thumbprint()?;

    let claims_json = b64::decode(seg.payload, "payload")?;
    let claims = json::parse_object_limited(&claims_json, "claims", limits.max_depth)?;
    let jti = string_claim(&claims, "jti")?;
    if jti.is_empty() {
        return Err(Error::ClaimInvalid { claim: "jti", message: "a DPoP proof's `jti` is empty".into() });
    }
    let htm = string_claim(&claims, "htm")?;
    let htu = string_claim(&claims, "htu")?;
    let iat = match claims.get("iat") {
        None | Some(Value::Null) => return Err(missing("iat")),
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|t| t.is_finite())
            .ok_or_else(|| Error::ClaimInvalid { claim: "iat", message: "`iat` is not a usable number".into() })?,
        Some(_) => return Err(Error::ClaimInvalid { claim: "iat", message: "`iat` must be a number".into() }),
    };

    if htm != request.method {
        return Err(Error::DpopHtmMismatch(format!(
            "`htm` \"{}\" is not the request's method \"{}\"",
            excerpt(htm, 32),
            excerpt(request.method, 32)
        )));
    }
    let proof_uri =
        uri::normalize(htu).map_err(|e| Error::DpopHtuMismatch(format!("`htu` is not an absolute URI: {e}")))?;
    if proof_uri.had_query_or_fragment {
        return Err(Error::DpopHtuMismatch("`htu` is the URI without query and fragment (RFC 9449 §4.2)".into()));
    }
    if proof_uri.uri != expected_uri.uri {
        return Err(Error::DpopHtuMismatch(format!(
            "`htu` \"{}\" is not the request's URI \"{}\"",
            excerpt(htu, 96),
            excerpt(&expected_uri.uri, 96)
        )));
    }
    if let Some(expected) = request.nonce {
        match claims.get("nonce") {
            Some(Value::String(n)) if n == expected => {}
            Some(Value::String(_)) => {
                return Err(Error::DpopNonce("the proof's `nonce` is not the current one".into()))
            }
            Some(_) => return Err(Error::DpopNonce("the proof's `nonce` must be a string".into())),
            None => return Err(Error::DpopNonce("a nonce is required and the proof has none".into())),
        }
    }
    let now = policy.now();
    if iat > now as f64 + policy.future_leeway as f64 {
        return Err(Error::IssuedInFuture(format!(
            "the proof's `iat` {iat} is more than {} s ahead (now {now})",
            policy.future_leeway
        )));
    }
    if iat + (policy.max_age as f64) < now as f64 {
        return Err(Error::TooOld(format!(
            "the proof's `iat` {iat} is more than {} s ago (now {now})",
            policy.max_age
        )));
    }
    let ath = request.access_token.map(access_token_hash);
    if let Some(expected) = &ath {
        match claims.get("ath") {
            Some(Value::String(a)) if a == expected => {}
            Some(Value::String(_)) => {
                return Err(Error::DpopAthMismatch(
                    "`ath` is not base64url(SHA-256) of the access token presented".into(),
                ))
            }
            Some(_) => return Err(Error::ClaimInvalid { claim: "ath", message: "`ath` must be a string".into() }),
            None => return Err(missing("ath")),
        }
    }
    let iat_secs = iat.floor() as i64; // saturates; within the window anyway
    if let Some(replay) = &policy.replay {
        let expires_at = (iat.ceil() as i64).saturating_add(policy.max_age as i64).saturating_add(1);
        match replay(&ReplayQuery { jkt: &jkt, jti, expires_at }) {
            JtiUse::First => {}
            JtiUse::Seen => {
                return Err(Error::DpopReplayed(format!("the proof's `jti` \"{}\" was used before", excerpt(jti, 64))))
            }
            JtiUse::Unavailable => {
                return Err(Error::DpopReplayCheck("the replay check could not answer; the proof is refused".into()))
            }
        }
    }
    Ok(VerifiedProof {
        jkt,
        jti: jti.to_owned(),
        iat: iat_secs,
        header_json: header_json.into_owned(),
        claims_json,
        ath,
    })
}

/// The public key of a proof's `jwk` header: an object without any private member,
/// parsed and checked like every key (curve points, RSA size, JWK restrictions).
fn proof_key(header: &Object) -> Result<Key> {
    let jwk = match header.get("jwk") {
        Some(Value::Object(jwk)) => jwk,
        Some(_) => return Err(Error::HeaderInvalid("a DPoP proof's `jwk` must be a JSON object".into())),
        None => return Err(Error::HeaderInvalid("a DPoP proof carries its public key in the `jwk` header".into())),
    };
    if let Some(member) = PRIVATE_MEMBERS.iter().find(|m| jwk.contains_key(**m)) {
        return Err(Error::DpopPrivateJwk(format!(
            "the `jwk` header holds the private key member `{member}`; a proof carries only a public key"
        )));
    }
    let key = key::from_jwk_object(jwk)?;
    if key.is_private() {
        return Err(Error::DpopPrivateJwk("the `jwk` header holds a private key".into()));
    }
    Ok(key)
}

fn missing(name: &str) -> Error {
    Error::ClaimMissing { claim: name.to_owned(), message: format!("a DPoP proof has the claim `{name}`") }
}

fn string_claim<'a>(claims: &'a Object, name: &'static str) -> Result<&'a str> {
    match claims.get(name) {
        None | Some(Value::Null) => Err(missing(name)),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(Error::ClaimInvalid { claim: name, message: format!("`{name}` must be a string") }),
    }
}

/// The binding rule between a verified access token and how it was presented:
/// - with a proof (`Authorization: DPoP`), the token's `cnf.jkt` must be the proof key's
///   thumbprint, and the proof must have been verified against this very token (its
///   `ath`);
/// - without one (`Authorization: Bearer`), a token bound to a key (one with
///   `cnf.jkt`) is refused.
///
/// `claims_json` is the token's verified claims.
pub fn check_binding(token: &[u8], claims_json: &[u8], proof: Option<&VerifiedProof>) -> Result<()> {
    let claims = json::parse_object_limited(claims_json, "claims", crate::limits::MAX_DEPTH_CEILING)?;
    let jkt = bound_key(&claims)?;
    let Some(proof) = proof else {
        return match jkt {
            Some(_) => Err(Error::DpopBoundTokenAsBearer(
                "the token is bound to a key (`cnf.jkt`): it is presented with `Authorization: DPoP` and a proof, \
                 never as a Bearer token"
                    .into(),
            )),
            None => Ok(()),
        };
    };
    match &proof.ath {
        None => {
            return Err(Error::InvalidArgument(
                "the DPoP proof was verified without an access token, so its `ath` was not checked".into(),
            ))
        }
        Some(ath) if *ath != access_token_hash(token) => {
            return Err(Error::DpopAthMismatch("the DPoP proof was verified for another access token".into()))
        }
        Some(_) => {}
    }
    match jkt {
        Some(jkt) if jkt == proof.jkt => Ok(()),
        Some(jkt) => Err(Error::DpopBindingMismatch(format!(
            "the token is bound to the key \"{}\", the proof is signed by \"{}\"",
            excerpt(jkt, 64),
            proof.jkt
        ))),
        None => Err(Error::DpopBindingMismatch("the token is not bound to a key: it has no `cnf.jkt`".into())),
    }
}

/// The `cnf.jkt` of verified claims, if any (RFC 9449 §6.1); a `cnf` that is not an
/// object, or a `jkt` that is not a string, is `ClaimInvalid` (`cnf`).
fn bound_key(claims: &Object) -> Result<Option<&str>> {
    match claims.get("cnf") {
        None => Ok(None),
        Some(Value::Object(cnf)) => match cnf.get("jkt") {
            None => Ok(None),
            Some(Value::String(jkt)) => Ok(Some(jkt.as_str())),
            Some(_) => Err(Error::ClaimInvalid { claim: "cnf", message: "`cnf.jkt` must be a string".into() }),
        },
        Some(_) => Err(Error::ClaimInvalid { claim: "cnf", message: "`cnf` must be a JSON object".into() }),
    }
}

/// The binding rule for a refresh token at the token endpoint (RFC 9449 §5), where a
/// proof carries no `ath`: a refresh token bound to a key (`cnf.jkt` in its verified
/// `claims_json`) is accepted only with a proof signed by that key
/// (`DpopBindingMismatch`; without a proof, `DpopBoundTokenAsBearer`). An unbound
/// refresh token is accepted with or without a proof. For access tokens, use
/// [`check_binding`], which also ties the proof to the token.
pub fn check_refresh_binding(claims_json: &[u8], proof: Option<&VerifiedProof>) -> Result<()> {
    let claims = json::parse_object_limited(claims_json, "claims", crate::limits::MAX_DEPTH_CEILING)?;
    match (bound_key(&claims)?, proof) {
        (None, _) => Ok(()),
        (Some(jkt), Some(proof)) if jkt == proof.jkt => Ok(()),
        (Some(jkt), Some(proof)) => Err(Error::DpopBindingMismatch(format!(
            "the refresh token is bound to the key \"{}\", the proof is signed by \"{}\"",
            excerpt(jkt, 64),
            proof.jkt
        ))),
        (Some(_), None) => Err(Error::DpopBoundTokenAsBearer(
            "the refresh token is bound to a key (`cnf.jkt`): it is presented with a DPoP proof by that key".into(),
        )),
    }
}

/// Verifies an access token ([`jwt::verify`]) and then its binding to how it was
/// presented ([`check_binding`]): `proof` is the request's verified DPoP proof, or
/// `None` for a Bearer request.
pub fn verify_token<K: KeySource + ?Sized>(
    token: &[u8],
    keys: &K,
    validation: &Validation,
    proof: Option<&VerifiedProof>,
) -> Result<VerifiedJwt> {
    let verified = jwt::verify(token, keys, validation)?;
    check_binding(token, &verified.claims_json, proof)?;
    Ok(verified)
}

/// Creates a DPoP proof for `request` signed by `key` (a private asymmetric key) with
/// `alg`: header `typ` `dpop+jwt` and `jwk` the key's public half (RFC 7638 members
/// only); claims a fresh random `jti` (128 bits), `htm`, `htu` (the URI without query
/// and fragment), `iat` (`iat`, or now), `ath` when the request has an access token
/// and `nonce` when it has one.
pub fn create_proof(key: &Key, alg: Algorithm, request: &Request<'_>, iat: Option<i64>) -> Result<String> {
    if alg.family() == Family::Hmac {
        return Err(Error::InvalidArgument(format!(
            "{} cannot sign a DPoP proof: a proof is signed with an asymmetric algorithm",
            alg.name()
        )));
    }
    if request.method.is_empty() || !request.method.bytes().all(is_tchar) {
        return Err(Error::InvalidArgument("the request method is not an HTTP method token (RFC 9110 §9.1)".into()));
    }
    uri::normalize(request.uri)
        .map_err(|e| Error::InvalidArgument(format!("the request URI is not an absolute URI: {e}")))?;
    let htu = &request.uri[..request.uri.find(['?', '#']).unwrap_or(request.uri.len())];
    let jwk = key.to_minimal_public_jwk()?;
    let mut header = Object::new();
    header.insert("alg".into(), Value::String(alg.name().into()));
    header.insert("typ".into(), Value::String(PROOF_TYP.into()));
    header.insert("jwk".into(), serde_json::from_str(&jwk).map_err(|e| Error::Json(e.to_string()))?);
    let mut id = [0u8; 16];
    SystemRandom::new().fill(&mut id).map_err(|_| Error::InvalidArgument("the system random source failed".into()))?;
    let mut claims = Object::new();
    claims.insert("jti".into(), Value::String(b64::encode(&id)));
    claims.insert("htm".into(), Value::String(request.method.into()));
    claims.insert("htu".into(), Value::String(htu.into()));
    claims.insert("iat".into(), Value::from(iat.unwrap_or_else(unix_now)));
    if let Some(token) = request.access_token {
        claims.insert("ath".into(), Value::String(access_token_hash(token)));
    }
    if let Some(nonce) = request.nonce {
        claims.insert("nonce".into(), Value::String(nonce.into()));
    }
    let header_json = serde_json::to_vec(&header).map_err(|e| Error::Json(e.to_string()))?;
    let claims_json = serde_json::to_vec(&claims).map_err(|e| Error::Json(e.to_string()))?;
    let mut token = Vec::with_capacity(b64::encoded_len(header_json.len() + claims_json.len()) + 700);
    b64::encode_into(&header_json, &mut token);
    token.push(b'.');
    b64::encode_into(&claims_json, &mut token);
    let signature = key.sign_raw(alg, &token)?;
    token.push(b'.');
    b64::encode_into(signature.as_ref(), &mut token);
    Ok(String::from_utf8(token).expect("base64url and dots are ASCII"))
}

/// RFC 9110 §5.6.2 `tchar`: the characters of a method name.
fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}
