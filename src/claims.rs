//! `Validation`: what a verifier accepts, and the checks of registered claims
//! (RFC 7519 §4.1). The algorithm allow-list is required (no default allows
//! everything). Registered claims are type-checked whenever present; the time claims,
//! issuer, audience, subject, `typ` and revocation are checked as configured.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::alg::Algorithm;
use crate::error::{Error, Result};

use crate::header::Header;
use crate::json::{self, Kind, Member, MemberSink};
use crate::limits::Limits;

/// Asked after every other check passed: `true` means the token is revoked. Given the
/// `jti` (if the token has one) and the exact claims JSON. May run on several threads.
pub type RevocationCheck = Arc<dyn Fn(Option<&str>, &[u8]) -> bool + Send + Sync>;

/// PyJWT's `verify_*` options, all on by default ([`Validation::set_checks`]). Type
/// checks of registered claims stay on regardless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checks {
    /// Refuse a token whose `exp` has passed (when it has one).
    pub exp: bool,
    /// Refuse a token whose `nbf` is still ahead (when it has one).
    pub nbf: bool,
    /// Refuse a token whose `iat` is in the future (when it has one).
    pub iat: bool,
    /// Check `aud` against the expected audiences.
    pub aud: bool,
    /// Check `iss` against the accepted issuers, when any are configured.
    pub iss: bool,
    /// Check `sub` against the expected subject, when one is configured.
    pub sub: bool,
}

impl Default for Checks {
    fn default() -> Self {
        Checks { exp: true, nbf: true, iat: true, aud: true, iss: true, sub: true }
    }
}

/// It holds the algorithm allow-list (required, never a default that allows
/// everything), the clock and leeway, expected issuers, audiences and subject, required
/// claims and `typ`, a maximum age, a revocation check and resource [`Limits`]. Built
/// once, then shared read-only by any number of verifications.
#[derive(Clone)]
pub struct Validation {
    algorithms: Vec<Algorithm>,
    leeway: u64,
    now: Option<i64>,
    limits: Limits,
    issuers: Vec<String>,
    audiences: Vec<String>,
    strict_audience: bool,
    subject: Option<String>,
    required: Vec<String>,
    typ: Option<String>,
    max_age: Option<u64>,
    checks: Checks,
    revocation: Option<RevocationCheck>,
    padded_base64: bool,
}

impl fmt::Debug for Validation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Validation")
            .field("algorithms", &self.algorithms)
            .field("leeway", &self.leeway)
            .field("issuers", &self.issuers)
            .field("audiences", &self.audiences)
            .field("revocation", &self.revocation.is_some())
            .finish_non_exhaustive()
    }
}

impl Validation {
    /// The `typ` of an RFC 9068 access token.
    pub const ACCESS_TOKEN_TYP: &'static str = "at+jwt";
    /// The claims every RFC 9068 access token carries (§2.2).
    pub const ACCESS_TOKEN_CLAIMS: [&'static str; 7] = ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"];

    /// A policy accepting exactly `algorithms` (at least one).
    pub fn new(algorithms: &[Algorithm]) -> Result<Validation> {
        if algorithms.is_empty() {
            return Err(Error::InvalidArgument("the algorithm allow-list must name at least one algorithm".into()));
        }
        Ok(Validation {
            algorithms: algorithms.to_vec(),
            leeway: 0,
            now: None,
            limits: Limits::default(),
            issuers: Vec::new(),
            audiences: Vec::new(),
            strict_audience: false,
            subject: None,
            required: Vec::new(),
            typ: None,
            max_age: None,
            checks: Checks::default(),
            revocation: None,
            padded_base64: false,
        })
    }

    /// Accepts segments with base64 padding (`=`), as AWS Application Load Balancer
    /// writes them (`x-amzn-oidc-data`). Off by default: RFC 7515 base64url has no
    /// padding, and a token with two spellings defeats deny-lists keyed on the token.
    /// Non-canonical trailing bits stay refused either way.
    pub fn allow_padded_base64(&mut self, allow: bool) {
        self.padded_base64 = allow;
    }

    /// Whether padded segments are accepted (see `allow_padded_base64`).
    pub fn padded_base64_allowed(&self) -> bool {
        self.padded_base64
    }

    /// Seconds of clock skew tolerated on `exp`, `nbf`, `iat` and the maximum age.
    pub fn set_leeway(&mut self, seconds: u64) {
        self.leeway = seconds;
    }

    /// Fixes "now" (Unix seconds) for tests and replay tools; default is the system clock.
    pub fn set_now(&mut self, unix_seconds: i64) {
        self.now = Some(unix_seconds);
    }

    /// Accepts tokens whose `iss` equals `issuer` exactly (call again for several).
    pub fn add_issuer(&mut self, issuer: &str) {
        self.issuers.push(issuer.to_owned());
    }

    /// Accepts tokens whose `aud` (a string or an array) contains `audience`.
    pub fn add_audience(&mut self, audience: &str) {
        self.audiences.push(audience.to_owned());
    }

    /// PyJWT's `strict_aud`: `aud` must be a single string equal to the one expected.
    pub fn set_strict_audience(&mut self, strict: bool) {
        self.strict_audience = strict;
    }

    /// Accepts only tokens whose `sub` equals `subject` exactly (and `sub` is required).
    pub fn set_subject(&mut self, subject: &str) {
        self.subject = Some(subject.to_owned());
    }

    /// The token must carry claim `name` (any name: `exp`, `jti`, `scope`, …).
    pub fn require_claim(&mut self, name: &str) {
        if !self.required.iter().any(|r| r == name) {
            self.required.push(name.to_owned());
        }
    }

    /// The header's `typ` must equal `typ`, compared case-insensitively and ignoring an
    /// `application/` prefix (RFC 7515 §4.1.9), e.g. `JWT` or `at+jwt` (RFC 9068).
    pub fn set_typ(&mut self, typ: &str) {
        self.typ = Some(typ.to_owned());
    }

    /// The JWT profile for OAuth 2.0 access tokens (RFC 9068 §4): the header's `typ`
    /// must be `at+jwt` (or `application/at+jwt`); `iss` must equal `issuer` and `aud`
    /// contain `audience`; and the claims `iss`, `exp`, `aud`, `sub`, `client_id`, `iat`
    /// and `jti` must be present. The other settings (algorithms, leeway, …) stay as
    /// they are; an ID token or any other JWT of the same issuer is refused.
    pub fn set_access_token_profile(&mut self, issuer: &str, audience: &str) {
        self.set_typ(Self::ACCESS_TOKEN_TYP);
        self.add_issuer(issuer);
        self.add_audience(audience);
        for claim in Self::ACCESS_TOKEN_CLAIMS {
            self.require_claim(claim);
        }
    }

    /// Tokens whose `iat` is more than `seconds` ago are refused (and `iat` is required).
    pub fn set_max_age(&mut self, seconds: u64) {
        self.max_age = Some(seconds);
    }

    /// Switches individual claim checks on or off (all on by default).
    pub fn set_checks(&mut self, checks: Checks) {
        self.checks = checks;
    }

    /// Sets (or, with `None`, clears) the revocation check, asked last.
    pub fn set_revocation_check(&mut self, check: Option<RevocationCheck>) {
        self.revocation = check;
    }

    /// The resource limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Replaces the resource limits (see [`Limits`]); refuses unusable values.
    pub fn set_limits(&mut self, limits: Limits) -> Result<()> {
        limits.check()?;
        self.limits = limits;
        Ok(())
    }

    /// Whether `alg` is in the allow-list.
    pub fn allows(&self, alg: Algorithm) -> bool {
        self.algorithms.contains(&alg)
    }

    /// The allow-list, in the order given.
    pub fn algorithms(&self) -> &[Algorithm] {
        &self.algorithms
    }

    /// Whole Unix seconds (the system clock is truncated).
    fn now(&self) -> i64 {
        match self.now {
            Some(t) => t,
            None => SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0),
        }
    }

    /// The claim checks in force.
    pub fn checks(&self) -> Checks {
        self.checks
    }

    /// Checks a verified token's header `typ` and claims JSON, in a fixed order:
    /// JSON, types, required claims, time, issuer, audience, subject, `typ`, then
    /// revocation. The claims are read, not built: only the registered claims are.
    pub fn check(&self, header: &Header, claims_json: &[u8]) -> Result<()> {
        self.check_claims(header.typ.as_deref(), claims_json)
    }

    /// As [`check`](Self::check), with the header's `typ` given alone (a JWE's header
    /// has no JWS `alg`).
    pub fn check_claims(&self, typ: Option<&str>, claims_json: &[u8]) -> Result<()> {
        let mut read =
            ClaimsReader { required: &self.required, present: vec![false; self.required.len()], ..Default::default() };
        json::scan_object(claims_json, "claims", self.limits.max_depth, &mut read)?;
        let exp = numeric_date(read.exp.as_ref(), "exp")?;
        let nbf = numeric_date(read.nbf.as_ref(), "nbf")?;
        let iat = numeric_date(read.iat.as_ref(), "iat")?;
        let iss = string_claim(read.iss.as_ref(), "iss")?;
        let sub = string_claim(read.sub.as_ref(), "sub")?;
        let jti = string_claim(read.jti.as_ref(), "jti")?;
        let aud = audience_claim(read.aud.as_ref())?;

        // As in PyJWT, a required claim that is null counts as missing.
        if let Some(i) = read.present.iter().position(|present| !present) {
            return Err(missing(&self.required[i]));
        }
        let now = self.now();
        let now_date = NumericDate::Int(i128::from(now));
        let leeway = i128::from(self.leeway);
        if let (Some(exp), true) = (exp, self.checks.exp) {
            if !now_date.before(exp.plus(leeway)) {
                return Err(Error::Expired(format!("token expired at {exp} (now {now})")));
            }
        }
        if let (Some(nbf), true) = (nbf, self.checks.nbf) {
            if now_date.before(nbf.plus(-leeway)) {
                return Err(Error::NotYetValid(format!("token not valid before {nbf} (now {now})")));
            }
        }
        if let (Some(iat), true) = (iat, self.checks.iat) {
            if now_date.plus(leeway).before(iat) {
                return Err(Error::IssuedInFuture(format!("`iat` {iat} is in the future (now {now})")));
            }
        }
        if let Some(max_age) = self.max_age {
            let iat = iat.ok_or_else(|| missing("iat"))?;
            if iat.plus(i128::from(max_age) + leeway).before(now_date) {
                return Err(Error::TooOld(format!("issued at {iat}, more than {max_age} s ago (now {now})")));
            }
        }
        if self.checks.iss && !self.issuers.is_empty() {
            let iss = iss.ok_or_else(|| missing("iss"))?;
            if !self.issuers.iter().any(|i| i == iss) {
                return Err(Error::IssuerMismatch(format!("issuer {} is not accepted", quoted(iss))));
            }
        }
        if self.checks.aud {
            self.check_audience(aud)?;
        }
        if let (Some(expected), true) = (&self.subject, self.checks.sub) {
            let sub = sub.ok_or_else(|| missing("sub"))?;
            if sub != expected {
                return Err(Error::SubjectMismatch(format!("subject {} is not the expected one", quoted(sub))));
            }
        }
        if let Some(expected) = &self.typ {
            match typ {
                Some(t) if same_media_type(t, expected) => {}
                Some(t) => {
                    return Err(Error::TypMismatch(format!("`typ` must be {}, got {}", quoted(expected), quoted(t))))
                }
                None => {
                    return Err(Error::TypMismatch(format!(
                        "`typ` must be {}, but the header has none",
                        quoted(expected)
                    )))
                }
            }
        }
        if let Some(revoked) = &self.revocation {
            if revoked(jti, claims_json) {
                return Err(Error::Revoked(match jti {
                    Some(j) => format!("token {} has been revoked", quoted(j)),
                    None => "token has been revoked".into(),
                }));
            }
        }
        Ok(())
    }

    fn check_audience(&self, aud: Option<Audience<'_>>) -> Result<()> {
        let Some(token_aud) = aud else {
            return if self.audiences.is_empty() { Ok(()) } else { Err(missing("aud")) };
        };
        if self.audiences.is_empty() {
            return Err(Error::AudienceMismatch(
                "the token has an audience but none is expected (configure one, or switch the audience check off)"
                    .into(),
            ));
        }
        if self.strict_audience {
            return match (&token_aud, self.audiences.as_slice()) {
                (Audience::One(a), [expected]) if a == expected => Ok(()),
                // PyJWT's words (its users match on them): an array is a claim of the wrong
                // format under strict audience, not a mismatch.
                (Audience::Many(_), _) => Err(Error::ClaimInvalid {
                    claim: "aud",
                    message: "Invalid claim format in token (strict): `aud` must be a single string".into(),
                }),
                _ => Err(Error::AudienceMismatch("Invalid audience (strict): the audience does not match".into())),
            };
        }
        if token_aud.contains_any(&self.audiences) {
            Ok(())
        } else {
            let shown = match &token_aud {
                Audience::One(a) => quoted(a),
                Audience::Many(items) => {
                    let mut shown: Vec<String> = items.iter().take(3).map(|a| quoted(a)).collect();
                    if items.len() > 3 {
                        shown.push(format!("… ({} more)", items.len() - 3));
                    }
                    format!("[{}]", shown.join(", "))
                }
            };
            Err(Error::AudienceMismatch(format!("audience {shown} does not include an expected one")))
        }
    }
}

/// Collects the registered claims (and which required claims are present and not
/// null) while `json::scan_object` walks the claims.
#[derive(Default)]
struct ClaimsReader<'v, 'de> {
    exp: Option<Member<'de>>,
    nbf: Option<Member<'de>>,
    iat: Option<Member<'de>>,
    iss: Option<Member<'de>>,
    sub: Option<Member<'de>>,
    jti: Option<Member<'de>>,
    aud: Option<Member<'de>>,
    required: &'v [String],
    present: Vec<bool>,
}

impl<'de> MemberSink<'de> for ClaimsReader<'_, 'de> {
    fn wants(&self, name: &str) -> bool {
        matches!(name, "exp" | "nbf" | "iat" | "iss" | "sub" | "jti" | "aud")
    }

    fn member(&mut self, name: &str, value: Member<'de>) {
        for (wanted, present) in self.required.iter().zip(self.present.iter_mut()) {
            if wanted == name {
                *present = value.kind() != Kind::Null;
            }
        }
        let slot = match name {
            "exp" => &mut self.exp,
            "nbf" => &mut self.nbf,
            "iat" => &mut self.iat,
            "iss" => &mut self.iss,
            "sub" => &mut self.sub,
            "jti" => &mut self.jti,
            "aud" => &mut self.aud,
            _ => return,
        };
        *slot = Some(value);
    }
}

fn missing(name: &str) -> Error {
    Error::ClaimMissing {
        claim: name.to_owned(),
        message: format!("missing required claim `{}`", crate::error::excerpt(name, 64)),
    }
}

/// A claim value (or a configured one, shown beside it) in a message: quoted, escaped
/// and cut, whatever the token put in it.
fn quoted(text: &str) -> String {
    format!("\"{}\"", crate::error::excerpt(text, 64))
}

/// `typ` values compare case-insensitively, with an optional `application/` prefix.
pub(crate) fn same_media_type(a: &str, b: &str) -> bool {
    fn strip(s: &str) -> &str {
        match s.get(..12) {
            Some(p) if p.eq_ignore_ascii_case("application/") => &s[12..],
            _ => s,
        }
    }
    strip(a).eq_ignore_ascii_case(strip(b))
}

/// A NumericDate (RFC 7519 §2). Integers (the usual case) compare exactly, even near
/// the ends of the 64-bit range; fractions and values beyond 64 bits compare as f64,
/// which never wraps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NumericDate {
    Int(i128),
    Float(f64),
}

impl NumericDate {
    fn plus(self, seconds: i128) -> NumericDate {
        match self {
            NumericDate::Int(v) => NumericDate::Int(v + seconds),
            NumericDate::Float(v) => NumericDate::Float(v + seconds as f64),
        }
    }

    /// `self < other`.
    fn before(self, other: NumericDate) -> bool {
        match (self, other) {
            (NumericDate::Int(a), NumericDate::Int(b)) => a < b,
            (a, b) => a.as_f64() < b.as_f64(),
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            NumericDate::Int(v) => v as f64,
            NumericDate::Float(v) => v,
        }
    }
}

impl fmt::Display for NumericDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumericDate::Int(v) => write!(f, "{v}"),
            NumericDate::Float(v) => write!(f, "{v}"),
        }
    }
}

/// A NumericDate claim: a JSON number, fractions allowed. A present claim of any
/// other type is an error, never "absent".
fn numeric_date(claim: Option<&Member<'_>>, name: &'static str) -> Result<Option<NumericDate>> {
    match claim {
        None => Ok(None),
        Some(Member::Int(v)) => Ok(Some(NumericDate::Int(*v))),
        Some(Member::Float(v)) => Ok(Some(NumericDate::Float(*v))),
        Some(other) => Err(Error::ClaimInvalid {
            claim: name,
            message: format!("`{name}` must be a NumericDate (JSON number), got {}", other.kind().name()),
        }),
    }
}

fn string_claim<'a>(claim: Option<&'a Member<'_>>, name: &'static str) -> Result<Option<&'a str>> {
    match claim {
        None => Ok(None),
        Some(Member::Str(s)) => Ok(Some(s)),
        Some(other) => Err(Error::ClaimInvalid {
            claim: name,
            message: format!("`{name}` must be a string, got {}", other.kind().name()),
        }),
    }
}

/// `aud` as a list. As in PyJWT, an empty string or empty array counts as absent.
fn audience_claim<'a>(claim: Option<&'a Member<'_>>) -> Result<Option<Audience<'a>>> {
    match claim {
        // `null`, "" and [] name no audience: the claim is read as absent (as PyJWT does).
        None | Some(Member::Null) => Ok(None),
        Some(Member::Str(s)) if s.is_empty() => Ok(None),
        Some(Member::Str(s)) => Ok(Some(Audience::One(s))),
        Some(Member::Array { first_other: Some(kind), .. }) => Err(Error::ClaimInvalid {
            claim: "aud",
            message: format!("`aud` array items must be strings, got {}", kind.name()),
        }),
        Some(Member::Array { strings, .. }) if strings.is_empty() => Ok(None),
        Some(Member::Array { strings, .. }) => Ok(Some(Audience::Many(strings))),
        Some(other) => Err(Error::ClaimInvalid {
            claim: "aud",
            message: format!("`aud` must be a string or an array of strings, got {}", other.kind().name()),
        }),
    }
}

/// A present, non-empty `aud`, already checked to be a string or an array of strings.
enum Audience<'a> {
    One(&'a str),
    Many(&'a [Cow<'a, str>]),
}

impl Audience<'_> {
    fn contains_any(&self, expected: &[String]) -> bool {
        let wanted = |a: &str| expected.iter().any(|e| e == a);
        match self {
            Audience::One(a) => wanted(a),
            Audience::Many(items) => items.iter().any(|a| wanted(a)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(v: &Validation, claims: &str) -> Result<()> {
        v.check(&Header::new(Algorithm::HS256), claims.as_bytes())
    }

    #[test]
    fn exp_and_nbf_bounds_with_leeway() {
        let mut v = Validation::new(&[Algorithm::HS256]).unwrap();
        v.set_now(1000);
        assert!(check(&v, r#"{"exp":1001}"#).is_ok());
        assert!(matches!(check(&v, r#"{"exp":1000}"#), Err(Error::Expired(_))));
        assert!(check(&v, r#"{"nbf":1000}"#).is_ok());
        assert!(matches!(check(&v, r#"{"nbf":1000.5}"#), Err(Error::NotYetValid(_))));
        v.set_leeway(10);
        assert!(check(&v, r#"{"exp":995,"nbf":1009}"#).is_ok());
        assert!(matches!(check(&v, r#"{"exp":990}"#), Err(Error::Expired(_))));
    }

    #[test]
    fn wrong_types_are_errors_and_huge_values_do_not_wrap() {
        let v = Validation::new(&[Algorithm::HS256]).unwrap();
        for bad in [
            r#"{"exp":"1"}"#,
            r#"{"exp":null}"#,
            r#"{"nbf":true}"#,
            r#"{"exp":[1]}"#,
            r#"{"iss":1}"#,
            r#"{"aud":[1]}"#,
            r#"{"jti":{}}"#,
        ] {
            assert!(matches!(check(&v, bad), Err(Error::ClaimInvalid { .. })), "{bad}");
        }
        assert!(check(&v, r#"{"exp":18446744073709551617}"#).is_ok());
        assert!(matches!(check(&v, r#"{"exp":-18446744073709551617}"#), Err(Error::Expired(_))));
        assert!(Validation::new(&[]).is_err());
    }

    #[test]
    fn typ_compares_as_a_media_type() {
        assert!(same_media_type("JWT", "jwt"));
        assert!(same_media_type("application/at+jwt", "at+JWT"));
        assert!(!same_media_type("application/jwt+x", "jwt"));
        assert!(!same_media_type("appl", "jwt"));
    }
}
