//! The cache of one JWKS URL as a state machine, without I/O or clock: every call takes
//! `now`, a monotonic time (`super::clock`). It decides when a refresh is wanted and why, takes the answers (200, 304, an
//! error status, a failure), and says which key set may be used. The thread-safe
//! `JwksSource` and a host's own event loop both drive it.
//!
//! - Freshness: `Cache-Control: max-age` (or `no-cache`/`no-store`, read as 0), clamped
//!   to the policy's minimum and maximum; without one, the policy's default.
//! - A token naming an unknown `kid` asks for a refresh, granted at most once per
//!   cooldown (counted from the start of the last attempt), so forged `kid`s cannot
//!   turn into a flood of fetches. A failed refresh is retried after the same cooldown.
//! - A failed refresh (network, HTTP status, invalid JSON, a set with no usable key)
//!   keeps the last good set serving until `max_stale` past its expiry.

use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::jwks::KeySet;

/// How long a key set is trusted, and how often it may be refreshed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachePolicy {
    /// Lifetime of a set whose answer has no `max-age` (5 minutes).
    pub default_ttl: Duration,
    /// Shortest lifetime, whatever `max-age` says (1 minute): a server sending
    /// `max-age=0` or `no-store` does not get fetched on every token.
    pub min_ttl: Duration,
    /// Longest lifetime, whatever `max-age` says (1 day): rotation is noticed.
    pub max_ttl: Duration,
    /// Least time between two refreshes asked for by unknown `kid`s or retried after a
    /// failure (30 seconds).
    pub cooldown: Duration,
    /// How long past its expiry the last good set keeps serving while refreshes fail
    /// (6 hours). Beyond it, verification fails with `KeySource`.
    pub max_stale: Duration,
}

impl Default for CachePolicy {
    fn default() -> CachePolicy {
        CachePolicy {
            default_ttl: Duration::from_secs(300),
            min_ttl: Duration::from_secs(60),
            max_ttl: Duration::from_secs(86_400),
            cooldown: Duration::from_secs(30),
            max_stale: Duration::from_secs(6 * 3600),
        }
    }
}

impl CachePolicy {
    /// Refuses a policy whose bounds contradict each other.
    pub fn check(&self) -> Result<()> {
        if self.min_ttl > self.max_ttl {
            return Err(Error::InvalidArgument(format!(
                "the minimum cache time ({} s) is longer than the maximum ({} s)",
                self.min_ttl.as_secs(),
                self.max_ttl.as_secs()
            )));
        }
        Ok(())
    }

    /// The lifetime an answer with this `Cache-Control` value gets.
    pub fn ttl(&self, cache_control: Option<&str>) -> Duration {
        let asked = cache_control.and_then(max_age).unwrap_or(self.default_ttl);
        asked.clamp(self.min_ttl, self.max_ttl)
    }
}

/// `max-age` of a `Cache-Control` value; `no-cache` and `no-store` count as 0. Directive
/// names are case-insensitive (RFC 9111 §5.2); a malformed `max-age` is ignored.
fn max_age(value: &str) -> Option<Duration> {
    let mut found = None;
    for directive in value.split(',') {
        let (name, arg) = match directive.split_once('=') {
            Some((n, a)) => (n.trim(), Some(a.trim().trim_matches('"'))),
            None => (directive.trim(), None),
        };
        if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
            return Some(Duration::ZERO);
        }
        if name.eq_ignore_ascii_case("max-age") {
            found = arg.and_then(|a| a.parse::<u64>().ok()).map(Duration::from_secs).or(found);
        }
    }
    found
}

/// Why a refresh is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshReason {
    /// No key set yet.
    Initial,
    /// The set's lifetime is over.
    Expired,
    /// A token named a `kid` the set does not have.
    UnknownKid,
    /// The last refresh failed and its cooldown is over.
    Retry,
}

impl RefreshReason {
    /// A short name for logs: "initial", "expired", "unknown kid", "retry".
    pub fn name(self) -> &'static str {
        match self {
            RefreshReason::Initial => "initial",
            RefreshReason::Expired => "expired",
            RefreshReason::UnknownKid => "unknown kid",
            RefreshReason::Retry => "retry",
        }
    }
}

/// One HTTP answer to a JWKS request, as the host received it.
#[derive(Debug, Clone, Default)]
pub struct Answer<'a> {
    /// The status code: 200 and 304 are understood, anything else is a failure.
    pub status: u16,
    /// The `Cache-Control` header, if any.
    pub cache_control: Option<&'a str>,
    /// The `ETag` header, if any (sent back as `If-None-Match`).
    pub etag: Option<&'a str>,
    /// The body (ignored unless the status is 200).
    pub body: &'a [u8],
}

/// What a source knows about itself.
#[derive(Debug, Clone, Default)]
pub struct Status {
    /// Usable keys in the current set (0 before the first success).
    pub key_count: usize,
    /// Time since the last successful refresh (200 or 304).
    pub since_success: Option<Duration>,
    /// Time until the current set expires (zero once it has).
    pub fresh_for: Option<Duration>,
    /// The last failure and how long ago it happened (kept after a later success).
    pub last_failure: Option<(Duration, Error)>,
    /// Whether the last attempt failed.
    pub failing: bool,
    /// Refresh attempts (each 200, 304 or failure counts once).
    pub attempts: u64,
    /// Failed attempts.
    pub failures: u64,
    /// Attempts answered 304 Not Modified.
    pub not_modified: u64,
}

/// A refresh that has started but not ended is forgotten after this long (a host that
/// lost its request must not stall the cache forever).
const IN_FLIGHT_LIMIT: Duration = Duration::from_secs(120);

/// See the module comment.
pub struct Cache {
    policy: CachePolicy,
    keys: Option<Arc<KeySet>>,
    document: Option<Arc<[u8]>>,
    etag: Option<String>,
    fresh_until: Option<Duration>,
    last_success: Option<Duration>,
    last_attempt: Option<Duration>,
    last_failure: Option<(Duration, Error)>,
    failing: bool,
    unknown_kid: bool,
    in_flight_since: Option<Duration>,
    attempts: u64,
    failures: u64,
    not_modified: u64,
}

impl Cache {
    /// An empty cache: its first question is an `Initial` refresh.
    pub fn new(policy: CachePolicy) -> Result<Cache> {
        policy.check()?;
        Ok(Cache {
            policy,
            keys: None,
            document: None,
            etag: None,
            fresh_until: None,
            last_success: None,
            last_attempt: None,
            last_failure: None,
            failing: false,
            unknown_kid: false,
            in_flight_since: None,
            attempts: 0,
            failures: 0,
            not_modified: 0,
        })
    }

    /// Whether a refresh has started and not ended (and is not older than the limit).
    pub fn in_flight(&self, now: Duration) -> bool {
        self.in_flight_since.is_some_and(|t| now.saturating_sub(t) < IN_FLIGHT_LIMIT)
    }

    /// Whether a refresh is wanted now, and why; `None` while one is in flight.
    pub fn refresh_wanted(&self, now: Duration) -> Option<RefreshReason> {
        if self.in_flight(now) {
            return None;
        }
        let cooling = self.last_attempt.is_some_and(|t| now.saturating_sub(t) < self.policy.cooldown);
        let expired = self.fresh_until.is_none_or(|t| now >= t);
        match () {
            _ if self.failing && cooling => None,
            _ if self.keys.is_none() => Some(if self.failing { RefreshReason::Retry } else { RefreshReason::Initial }),
            _ if self.failing => Some(RefreshReason::Retry),
            _ if expired => Some(RefreshReason::Expired),
            _ if self.unknown_kid && !cooling => Some(RefreshReason::UnknownKid),
            _ => None,
        }
    }

    /// Notes that a token named a `kid` the current set lacks.
    pub fn note_unknown_kid(&mut self) {
        self.unknown_kid = true;
    }

    /// The outcome of the last attempt: the failure, if it failed.
    #[cfg_attr(not(feature = "fetch"), allow(dead_code))]
    pub fn last_outcome(&self) -> Result<()> {
        match &self.last_failure {
            Some((_, e)) if self.failing => Err(e.clone()),
            _ => Ok(()),
        }
    }

    /// Marks a refresh as started; returns the `If-None-Match` value to send, if any.
    pub fn start(&mut self, now: Duration) -> Option<String> {
        self.in_flight_since = Some(now);
        self.last_attempt = Some(now);
        self.etag.clone().filter(|_| self.keys.is_some())
    }

    /// Takes an answer. A 200 with a set that has usable keys replaces the set; a 304
    /// keeps it and renews its lifetime; anything else is a failure (the old set stays).
    /// Returns the failure, if it was one.
    pub fn complete(&mut self, now: Duration, answer: &Answer<'_>) -> Result<()> {
        self.end_attempt(now);
        let ttl = self.policy.ttl(answer.cache_control);
        match answer.status {
            200 => {
                let set = match KeySet::from_jwks(answer.body) {
                    Ok(set) if set.is_empty() => {
                        let why = match set.skipped().first() {
                            Some(first) => {
                                format!(" ({} skipped; the first: {})", set.skipped().len(), first.describe())
                            }
                            None => String::new(),
                        };
                        return self.failed(now, Error::KeyInvalid(format!("JWKS: no usable key{why}")));
                    }
                    Ok(set) => set,
                    Err(e) => return self.failed(now, e),
                };
                self.keys = Some(Arc::new(set));
                self.document = Some(Arc::from(answer.body));
                self.etag = answer.etag.filter(|e| !e.is_empty() && e.len() <= 256).map(str::to_owned);
            }
            304 if self.keys.is_some() => self.not_modified += 1,
            304 => return self.failed(now, Error::KeySource("304 Not Modified, but no key set is cached".into())),
            status => return self.failed(now, Error::KeySource(format!("the JWKS URL answered HTTP {status}"))),
        }
        self.fresh_until = Some(now + ttl);
        self.last_success = Some(now);
        self.failing = false;
        self.unknown_kid = false;
        Ok(())
    }

    /// Records a refresh that got no answer (network, timeout, refused redirect, ...).
    /// Returns `error` back, for the caller's convenience.
    pub fn fail(&mut self, now: Duration, error: Error) -> Result<()> {
        self.end_attempt(now);
        self.failed(now, error)
    }

    /// Counts an attempt that ends now (started by `start`, or not: then it starts now).
    fn end_attempt(&mut self, now: Duration) {
        if self.in_flight_since.take().is_none() {
            self.last_attempt = Some(now);
        }
        self.attempts += 1;
    }

    fn failed(&mut self, now: Duration, error: Error) -> Result<()> {
        self.failures += 1;
        self.failing = true;
        self.unknown_kid = false;
        self.last_failure = Some((now, error.clone()));
        Err(error)
    }

    /// The set to verify with: the current one while it is fresh or within `max_stale`
    /// of its expiry; otherwise the reason there is none.
    pub fn keys(&self, now: Duration) -> Result<Arc<KeySet>> {
        let failure = || match &self.last_failure {
            Some((_, e)) => format!("; the last refresh failed: {e}"),
            None => String::new(),
        };
        let (Some(keys), Some(fresh_until)) = (&self.keys, self.fresh_until) else {
            // Never had a set: the last failure says why, with its own status.
            return Err(match &self.last_failure {
                Some((_, e)) => e.clone(),
                None => Error::KeySource("no key set has been fetched yet".into()),
            });
        };
        let stale_for = now.saturating_sub(fresh_until);
        if stale_for > self.policy.max_stale {
            return Err(Error::KeySource(format!(
                "the key set expired {} s ago, past the {} s it may serve stale{}",
                stale_for.as_secs(),
                self.policy.max_stale.as_secs(),
                failure()
            )));
        }
        Ok(Arc::clone(keys))
    }

    /// The current set and the time it stays fresh until, if there is one.
    pub fn fresh(&self) -> Option<(Arc<KeySet>, Duration)> {
        Some((Arc::clone(self.keys.as_ref()?), self.fresh_until?))
    }

    /// The JWKS document the current set was read from (as fetched).
    pub fn document(&self) -> Option<Arc<[u8]>> {
        self.document.clone()
    }

    /// See [`Status`].
    pub fn status(&self, now: Duration) -> Status {
        Status {
            key_count: self.keys.as_ref().map_or(0, |k| k.len()),
            since_success: self.last_success.map(|t| now.saturating_sub(t)),
            fresh_for: self.fresh_until.map(|t| t.saturating_sub(now)),
            last_failure: self.last_failure.as_ref().map(|(t, e)| (now.saturating_sub(*t), e.clone())),
            failing: self.failing,
            attempts: self.attempts,
            failures: self.failures,
            not_modified: self.not_modified,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWKS: &[u8] =
        br#"{"keys":[{"kty":"oct","kid":"a","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC0xMjM0NTY3OA"}]}"#;
    const JWKS_B: &[u8] =
        br#"{"keys":[{"kty":"oct","kid":"b","k":"b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldC1vdGhlci1zZWNyZXQtMTIzNA"}]}"#;

    fn ok(body: &[u8]) -> Answer<'_> {
        Answer { status: 200, body, ..Answer::default() }
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn max_age_is_read_and_clamped() {
        let p = CachePolicy::default();
        assert_eq!(p.ttl(None), secs(300));
        assert_eq!(p.ttl(Some("public, max-age=600")), secs(600));
        assert_eq!(p.ttl(Some("Max-Age=\"120\"")), secs(120));
        assert_eq!(p.ttl(Some("max-age=5")), secs(60), "below the minimum");
        assert_eq!(p.ttl(Some("max-age=99999999")), secs(86_400), "above the maximum");
        assert_eq!(p.ttl(Some("no-store")), secs(60));
        assert_eq!(p.ttl(Some("max-age=600, no-cache")), secs(60));
        assert_eq!(p.ttl(Some("max-age=abc")), secs(300), "malformed: the default");
        assert!(CachePolicy { min_ttl: secs(10), max_ttl: secs(5), ..p }.check().is_err());
    }

    #[test]
    fn first_fetch_then_expiry() {
        let t0 = secs(1000);
        let mut c = Cache::new(CachePolicy::default()).unwrap();
        assert_eq!(c.refresh_wanted(t0), Some(RefreshReason::Initial));
        assert!(matches!(c.keys(t0), Err(Error::KeySource(_))));
        assert_eq!(c.start(t0), None);
        assert_eq!(c.refresh_wanted(t0), None, "in flight");
        c.complete(t0, &Answer { etag: Some("\"v1\""), cache_control: Some("max-age=120"), ..ok(JWKS) }).unwrap();
        assert_eq!(c.keys(t0).unwrap().len(), 1);
        assert_eq!(c.refresh_wanted(t0 + secs(119)), None);
        assert_eq!(c.refresh_wanted(t0 + secs(120)), Some(RefreshReason::Expired));
        assert_eq!(c.start(t0 + secs(120)).as_deref(), Some("\"v1\""), "conditional request");
        c.complete(t0 + secs(120), &Answer { status: 304, ..Answer::default() }).unwrap();
        assert_eq!(c.refresh_wanted(t0 + secs(200)), None, "a 304 renews the lifetime");
        let status = c.status(t0 + secs(200));
        assert_eq!((status.attempts, status.failures, status.not_modified, status.key_count), (2, 0, 1, 1));
    }

    #[test]
    fn unknown_kids_refresh_once_per_cooldown() {
        let t0 = secs(1000);
        let mut c = Cache::new(CachePolicy::default()).unwrap();
        c.start(t0);
        c.complete(t0, &ok(JWKS)).unwrap();
        c.note_unknown_kid();
        assert_eq!(c.refresh_wanted(t0 + secs(29)), None, "cooling down after the first fetch");
        assert_eq!(c.refresh_wanted(t0 + secs(30)), Some(RefreshReason::UnknownKid));
        c.start(t0 + secs(30));
        c.complete(t0 + secs(30), &ok(JWKS_B)).unwrap();
        c.note_unknown_kid();
        assert_eq!(c.refresh_wanted(t0 + secs(59)), None);
        assert_eq!(c.refresh_wanted(t0 + secs(60)), Some(RefreshReason::UnknownKid));
    }

    #[test]
    fn failures_keep_the_last_good_set_until_max_stale() {
        let t0 = secs(1000);
        let policy = CachePolicy { max_stale: secs(1000), ..CachePolicy::default() };
        let mut c = Cache::new(policy).unwrap();
        c.start(t0);
        c.complete(t0, &ok(JWKS)).unwrap();
        let t1 = t0 + secs(300);
        assert_eq!(c.refresh_wanted(t1), Some(RefreshReason::Expired));
        for bad in [
            Answer { status: 500, ..Answer::default() },
            ok(b"{\"keys\": ["),
            ok(b"{\"keys\": []}"),
            ok(b"{\"keys\": [{\"kty\": \"foo\"}]}"),
        ] {
            c.start(t1);
            assert!(c.complete(t1, &bad).is_err());
            assert_eq!(c.keys(t1).unwrap().len(), 1, "the last good set still serves");
        }
        assert!(c.fail(t1, Error::KeySource("connection refused".into())).is_err());
        assert_eq!(c.refresh_wanted(t1 + secs(29)), None, "retry waits for the cooldown");
        assert_eq!(c.refresh_wanted(t1 + secs(30)), Some(RefreshReason::Retry));
        assert!(c.keys(t1 + secs(1000)).is_ok());
        let e = c.keys(t1 + secs(1001)).unwrap_err().to_string();
        assert!(e.contains("expired") && e.contains("connection refused"), "{e}");
        let status = c.status(t1);
        assert!(status.failing && status.failures == 5 && status.last_failure.is_some());
        c.start(t1 + secs(1100));
        c.complete(t1 + secs(1100), &ok(JWKS_B)).unwrap();
        assert!(c.keys(t1 + secs(1100)).is_ok(), "a success ends the outage");
        assert!(!c.status(t1 + secs(1100)).failing);
    }

    #[test]
    fn a_lost_request_does_not_stall_the_cache() {
        let t0 = secs(1000);
        let mut c = Cache::new(CachePolicy::default()).unwrap();
        c.start(t0);
        assert_eq!(c.refresh_wanted(t0 + secs(119)), None);
        assert_eq!(c.refresh_wanted(t0 + IN_FLIGHT_LIMIT), Some(RefreshReason::Initial));
    }

    #[test]
    fn a_304_without_a_set_is_a_failure() {
        let t0 = secs(1000);
        let mut c = Cache::new(CachePolicy::default()).unwrap();
        assert!(c.complete(t0, &Answer { status: 304, ..Answer::default() }).is_err());
        assert_eq!(c.refresh_wanted(t0 + secs(30)), Some(RefreshReason::Retry));
    }
}
