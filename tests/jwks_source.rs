//! `JwksSource` end to end: a fetching source against a real HTTPS server
//! (`tests/support/jwks_server.py`, one per test, trusted through its own CA) — key
//! rotation, ETag/304, `max-age` within the policy's bounds, the unknown-`kid` cooldown
//! under a flood, faults (network, timeouts, statuses, oversized and invalid bodies,
//! refused redirects) before and after a good fetch, `max_stale`, the http/https rules,
//! OIDC discovery, single flight — and the sans-I/O source fed by the test itself.
//!
//! Times are kept small (cooldowns and lifetimes of about a second) so that the file runs
//! in well under a minute; every timing assertion leaves a margin of several hundred ms.

#[path = "common/jwks_server.rs"]
mod jwks_server;

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jwks_server::JwksServer;
use jwtkit::jwks_source::{Answer, CachePolicy, FetchOptions, JwksSource, RefreshReason};
use jwtkit::{jwt, Algorithm, Error, Key, Result, Validation};

// ---------------------------------------------------------------------------------------
// Keys, key sets and tokens

/// A signing key (with its `kid`) and its entry in a published JWK Set.
struct Signer {
    key: Key,
    alg: Algorithm,
}

impl Signer {
    /// The P-256 key of `tests/keys/ecp256.pkcs8.pem`.
    fn es256_from_file(kid: &str) -> Signer {
        let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/keys/ecp256.pkcs8.pem")).unwrap();
        Signer { key: Key::from_pem(&pem).unwrap().with_kid(Some(kid)).unwrap(), alg: Algorithm::ES256 }
    }

    /// A fresh P-256 key.
    fn es256(kid: &str) -> Signer {
        Signer { key: Key::generate(Algorithm::ES256).unwrap().with_kid(Some(kid)).unwrap(), alg: Algorithm::ES256 }
    }

    /// A fresh HMAC secret, published as an `oct` JWK.
    fn hs256(kid: &str) -> Signer {
        Signer { key: Key::generate(Algorithm::HS256).unwrap().with_kid(Some(kid)).unwrap(), alg: Algorithm::HS256 }
    }

    /// Its JWK as a key set publishes it: the public half, or the secret of an `oct` key.
    fn jwk(&self) -> String {
        match self.alg {
            Algorithm::HS256 => self.key.to_private_jwk().unwrap().to_string(),
            _ => self.key.to_public_jwk().unwrap(),
        }
    }

    /// A JWT valid for an hour, with the key's `kid`.
    fn token(&self) -> String {
        self.token_with_kid(self.key.kid().unwrap())
    }

    /// A JWT signed by this key but naming `kid`.
    fn token_with_kid(&self, kid: &str) -> String {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        let claims = format!(r#"{{"sub":"jwks-source-test","exp":{}}}"#, now + 3600);
        let header = serde_json::json!({ "kid": kid }).to_string();
        jwt::sign(&self.key, self.alg, claims.as_bytes(), Some(header.as_bytes())).unwrap()
    }
}

/// A JWK Set document publishing `signers`.
fn jwks(signers: &[&Signer]) -> Vec<u8> {
    let keys: Vec<String> = signers.iter().map(|s| s.jwk()).collect();
    format!(r#"{{"keys":[{}]}}"#, keys.join(",")).into_bytes()
}

fn validation() -> Validation {
    Validation::new(&[Algorithm::ES256, Algorithm::HS256]).unwrap()
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

/// Lifetimes of a minute unless `max-age` says less (down to 1 s); refreshes for unknown
/// `kid`s and retries at most once per `cooldown`.
fn policy(cooldown: f64) -> CachePolicy {
    CachePolicy {
        default_ttl: secs(60.0),
        min_ttl: secs(1.0),
        max_ttl: secs(60.0),
        cooldown: secs(cooldown),
        ..CachePolicy::default()
    }
}

fn sleep_until(t: Instant) {
    thread::sleep(t.saturating_duration_since(Instant::now()));
}

/// The failure of `r` (which must fail).
#[track_caller]
fn failure<T>(r: Result<T>) -> Error {
    match r {
        Ok(_) => panic!("expected a failure, got a success"),
        Err(e) => e,
    }
}

/// The variant's name, for assertions that print the whole error when they fail.
fn kind(e: &Error) -> &'static str {
    match e {
        Error::KeySource(_) => "KeySource",
        Error::KeyInvalid(_) => "KeyInvalid",
        Error::KeyNotFound(_) => "KeyNotFound",
        Error::InvalidArgument(_) => "InvalidArgument",
        _ => "another kind",
    }
}

/// `e` is a `kind` whose message contains each of `needles` (ASCII case-insensitive).
#[track_caller]
fn assert_error(e: &Error, expected_kind: &str, needles: &[&str]) {
    assert_eq!(kind(e), expected_kind, "{e}");
    let message = e.to_string().to_ascii_lowercase();
    for needle in needles {
        assert!(message.contains(&needle.to_ascii_lowercase()), "{needle:?} is not in: {e}");
    }
}

// ---------------------------------------------------------------------------------------
// Cache behaviour against the server

#[test]
fn a_rotated_key_is_fetched_for_its_unknown_kid_after_the_cooldown() {
    let server = JwksServer::start("rotation");
    let (a, b) = (Signer::es256_from_file("a"), Signer::es256("b"));
    server.set_jwks(&jwks(&[&a]));
    let source = JwksSource::from_url(&server.jwks_url(), policy(1.0), server.fetch_options()).unwrap();
    let v = validation();

    let verified = source.verify(a.token().as_bytes(), &v).unwrap();
    assert_eq!(verified.header.kid.as_deref(), Some("a"));
    assert_eq!(server.fetches(), 1);

    server.set_jwks(&jwks(&[&b]));
    // Right after the first fetch, within the cooldown: "b" is unknown and no refresh is granted.
    assert_error(&failure(source.verify(b.token().as_bytes(), &v)), "KeyNotFound", &["\"b\""]);
    assert_eq!(server.fetches(), 1, "an unknown kid within the cooldown fetches nothing");

    thread::sleep(secs(1.2));
    let verified = source.verify(b.token().as_bytes(), &v).unwrap();
    assert_eq!(verified.header.kid.as_deref(), Some("b"));
    assert_eq!(server.fetches(), 2, "one refresh for the unknown kid");

    // "a" is gone from the new set; its refresh is not granted again within the cooldown.
    assert_error(&failure(source.verify(a.token().as_bytes(), &v)), "KeyNotFound", &["\"a\""]);
    assert_eq!(server.fetches(), 2);
    let status = source.status();
    assert_eq!((status.key_count, status.attempts, status.failures), (1, 2, 0));
    assert!(!status.failing);
    assert_eq!(source.document().as_deref(), Some(&jwks(&[&b])[..]), "the document as fetched");
}

#[test]
fn an_expired_set_is_revalidated_with_if_none_match_and_a_304_keeps_it() {
    let server = JwksServer::start("etag");
    let a = Signer::es256_from_file("a");
    let document = jwks(&[&a]);
    server.set_jwks(&document);
    server.set_cache_control("max-age=1");
    let source = JwksSource::from_url(&server.jwks_url(), policy(1.0), server.fetch_options()).unwrap();
    let (v, token) = (validation(), a.token());

    source.verify(token.as_bytes(), &v).unwrap();
    let first = source.keys().unwrap();
    thread::sleep(secs(1.2));
    assert!(source.status().fresh_for.unwrap().is_zero(), "expired after max-age=1");
    source.verify(token.as_bytes(), &v).unwrap();

    let requests = server.requests_for("/jwks");
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(requests[0]["headers"].get("if-none-match").is_none(), "no validator on the first fetch");
    // The server's ETag: the first 16 hex digits of the body's SHA-256, quoted.
    let digest = ring::digest::digest(&ring::digest::SHA256, &document);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(requests[1]["headers"]["if-none-match"], format!("\"{}\"", &hex[..16]), "{:?}", requests[1]);

    let status = source.status();
    assert_eq!((status.not_modified, status.attempts, status.failures, status.key_count), (1, 2, 0, 1));
    assert!(!status.failing);
    assert!(status.fresh_for.unwrap() > secs(0.5), "the 304 renewed the lifetime: {status:?}");
    assert!(Arc::ptr_eq(&first, &source.keys().unwrap()), "a 304 keeps the same set");
    source.verify(token.as_bytes(), &v).unwrap();
    assert_eq!(server.fetches(), 2);
}

#[test]
fn max_age_sets_the_lifetime() {
    let server = JwksServer::start("max-age");
    let a = Signer::es256_from_file("a");
    server.set_jwks(&jwks(&[&a]));
    server.set_cache_control("max-age=2");
    let source = JwksSource::from_url(&server.jwks_url(), policy(1.0), server.fetch_options()).unwrap();
    let (v, token) = (validation(), a.token());

    let start = Instant::now();
    source.verify(token.as_bytes(), &v).unwrap();
    let fetched = Instant::now();
    let fresh_for = source.status().fresh_for.unwrap();
    assert!(fresh_for <= secs(2.0) && fresh_for > secs(1.5), "max-age=2, not the 60 s default: {fresh_for:?}");
    // The set is fresh until (end of the first fetch) + 2 s, which is later than start + 2 s.
    while start.elapsed() < secs(1.7) {
        source.verify(token.as_bytes(), &v).unwrap();
        thread::sleep(secs(0.05));
    }
    assert_eq!(server.fetches(), 1, "no refetch while max-age=2 holds");
    sleep_until(fetched + secs(2.2));
    source.verify(token.as_bytes(), &v).unwrap();
    assert_eq!(server.fetches(), 2, "a refetch once max-age=2 is over");
}

#[test]
fn max_age_is_clamped_to_max_ttl() {
    let server = JwksServer::start("max-ttl");
    let a = Signer::es256_from_file("a");
    server.set_jwks(&jwks(&[&a]));
    server.set_cache_control("max-age=100000");
    let policy = CachePolicy { max_ttl: secs(2.0), ..policy(1.0) };
    let source = JwksSource::from_url(&server.jwks_url(), policy, server.fetch_options()).unwrap();
    let (v, token) = (validation(), a.token());

    let start = Instant::now();
    source.verify(token.as_bytes(), &v).unwrap();
    let fetched = Instant::now();
    let fresh_for = source.status().fresh_for.unwrap();
    assert!(fresh_for <= secs(2.0) && fresh_for > secs(1.5), "clamped to max_ttl = 2 s: {fresh_for:?}");
    while start.elapsed() < secs(1.7) {
        source.verify(token.as_bytes(), &v).unwrap();
        thread::sleep(secs(0.05));
    }
    assert_eq!(server.fetches(), 1);
    sleep_until(fetched + secs(2.2));
    source.verify(token.as_bytes(), &v).unwrap();
    assert_eq!(server.fetches(), 2, "max-age=100000 did not outlive max_ttl");
}

#[test]
fn a_flood_of_unknown_kids_fetches_at_most_once_per_cooldown() {
    const THREADS: usize = 8;
    const PER_THREAD: usize = 400;
    const RUN: Duration = Duration::from_millis(2500);
    let cooldown = secs(1.0);
    let server = JwksServer::start("flood");
    let h = Signer::hs256("h");
    server.set_jwks(&jwks(&[&h]));
    let source = Arc::new(
        JwksSource::from_url(&server.jwks_url(), policy(cooldown.as_secs_f64()), server.fetch_options()).unwrap(),
    );
    let valid = h.token();
    // Tokens signed with the real secret but naming random kids, as a forger would.
    let rng = ring::rand::SystemRandom::new();
    let forged: Vec<Vec<String>> = (0..THREADS)
        .map(|_| {
            (0..PER_THREAD)
                .map(|_| {
                    let kid: [u8; 12] = ring::rand::generate(&rng).unwrap().expose();
                    h.token_with_kid(&kid.iter().map(|b| format!("{b:02x}")).collect::<String>())
                })
                .collect()
        })
        .collect();

    let start = Instant::now();
    source.verify(valid.as_bytes(), &validation()).unwrap(); // the initial fetch
    let workers: Vec<_> = forged
        .into_iter()
        .map(|tokens| {
            let (source, valid) = (Arc::clone(&source), valid.clone());
            thread::spawn(move || {
                let v = validation();
                let (mut unknown, mut good) = (0usize, 0usize);
                for (i, token) in tokens.iter().cycle().enumerate() {
                    if start.elapsed() >= RUN && i >= PER_THREAD {
                        break;
                    }
                    if i % 10 == 0 {
                        let verified = source.verify(valid.as_bytes(), &v);
                        assert!(verified.is_ok(), "a valid token failed during the flood: {:?}", verified.err());
                        good += 1;
                    }
                    assert_error(&failure(source.verify(token.as_bytes(), &v)), "KeyNotFound", &[]);
                    unknown += 1;
                }
                (unknown, good)
            })
        })
        .collect();
    let counts: Vec<(usize, usize)> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    let elapsed = start.elapsed();

    assert!(counts.iter().all(|&(unknown, good)| unknown >= PER_THREAD && good > 0), "{counts:?}");
    let fetches = server.fetches();
    // Every refresh starts at least one cooldown after the start of the one before (the
    // initial fetch included), and all of them start within `elapsed`: so at most
    // 1 + floor(elapsed / cooldown) fetches. The bound asserted rounds up and allows one
    // more: 1 (initial) + ceil(elapsed / cooldown) + 1.
    let bound = 1 + (elapsed.as_secs_f64() / cooldown.as_secs_f64()).ceil() as usize + 1;
    assert!(fetches <= bound, "{fetches} fetches in {elapsed:?} with a {cooldown:?} cooldown (bound {bound})");
    assert!(fetches >= 2, "unknown kids asked for no refresh at all after the cooldown ({fetches} fetches)");
    let status = source.status();
    assert_eq!(status.attempts as usize, fetches);
    assert!(!status.failing && status.key_count == 1, "{status:?}");
}

#[test]
fn valid_tokens_do_not_wait_for_a_refresh_asked_by_an_unknown_kid() {
    let server = JwksServer::start("no-wait");
    let a = Signer::es256_from_file("a");
    server.set_jwks(&jwks(&[&a]));
    let options = FetchOptions { timeout: secs(5.0), ..server.fetch_options() };
    let source = Arc::new(JwksSource::from_url(&server.jwks_url(), policy(1.0), options).unwrap());
    let (v, token) = (validation(), a.token());
    source.verify(token.as_bytes(), &v).unwrap();
    thread::sleep(secs(1.2)); // past the cooldown: an unknown kid is granted a refresh

    // A forged kid starts a slow refresh and waits for it ...
    server.set_mode("slow:1.5");
    let forger = {
        let (source, forged) = (Arc::clone(&source), a.token_with_kid("forged"));
        thread::spawn(move || failure(source.verify(forged.as_bytes(), &validation())))
    };
    thread::sleep(secs(0.3));
    // ... while a valid token verifies at once with the current set, as the module promises
    // ("one caller fetches while the others keep verifying with the current set").
    let started = Instant::now();
    source.verify(token.as_bytes(), &v).unwrap();
    let waited = started.elapsed();
    assert!(waited < secs(0.5), "a valid token waited {waited:?} for another caller's unknown-kid refresh");
    assert_error(&forger.join().unwrap(), "KeyNotFound", &["forged"]);
    assert_eq!(server.fetches(), 2);
}

// ---------------------------------------------------------------------------------------
// Faults

/// A failing mode of `/jwks`: the error kind it must give and words its message must hold.
struct Fault {
    mode: &'static str,
    kind: &'static str,
    needles: &'static [&'static str],
}

/// Every failing mode of the server. The fetch options have a 1 s timeout and the default
/// 1 MiB body cap and 3 redirects.
const FAULTS: &[Fault] = &[
    Fault { mode: "slow:5", kind: "KeySource", needles: &["timed out"] },
    Fault { mode: "stall", kind: "KeySource", needles: &["timed out"] },
    Fault { mode: "500", kind: "KeySource", needles: &["HTTP 500"] },
    Fault { mode: "404", kind: "KeySource", needles: &["HTTP 404"] },
    Fault { mode: "big", kind: "KeySource", needles: &["larger than 1048576 bytes"] },
    Fault { mode: "big-chunked", kind: "KeySource", needles: &["larger than 1048576 bytes"] },
    Fault { mode: "invalid", kind: "KeyInvalid", needles: &["invalid JSON"] },
    Fault { mode: "empty", kind: "KeyInvalid", needles: &["no usable key"] },
    Fault { mode: "redirect-http", kind: "KeySource", needles: &["refused redirect", "https to http"] },
    Fault { mode: "redirect-file", kind: "KeySource", needles: &["refused redirect", "file:///etc/passwd"] },
    Fault { mode: "redirect-loop", kind: "KeySource", needles: &["more than 3 redirects"] },
    Fault { mode: "close", kind: "KeySource", needles: &["closed connection"] },
];

fn fault_options(server: &JwksServer) -> FetchOptions {
    FetchOptions { connect_timeout: secs(1.0), timeout: secs(1.0), ..server.fetch_options() }
}

#[test]
fn faults_after_a_good_fetch_keep_the_last_good_keys() {
    let mut server = JwksServer::start("faults-after");
    let a = Signer::es256_from_file("a");
    server.set_jwks(&jwks(&[&a]));
    // A long cooldown: the verifications between the forced refreshes never retry.
    let source = JwksSource::from_url(&server.jwks_url(), policy(60.0), fault_options(&server)).unwrap();
    let (v, token) = (validation(), a.token());
    source.verify(token.as_bytes(), &v).unwrap();

    let check_failed = |mode: &str, e: &Error, fetches: usize| {
        source.verify(token.as_bytes(), &v).unwrap_or_else(|e| panic!("{mode}: the last good keys failed: {e}"));
        let status = source.status();
        assert!(status.failing, "{mode}: {status:?}");
        assert_eq!(status.key_count, 1, "{mode}");
        assert_eq!(status.last_failure.as_ref().map(|(_, f)| f), Some(e), "{mode}");
        assert_eq!(server.fetches(), fetches, "{mode}: verifying with the last good keys fetched");
    };
    for fault in FAULTS {
        server.set_mode(fault.mode);
        let started = Instant::now();
        let e = failure(source.refresh());
        assert_error(&e, fault.kind, fault.needles);
        assert!(started.elapsed() < secs(3.0), "{}: the 1 s timeout took {:?}", fault.mode, started.elapsed());
        check_failed(fault.mode, &e, server.fetches());

        server.set_mode("ok");
        source.refresh().unwrap_or_else(|e| panic!("after {}: {e}", fault.mode));
        assert!(!source.status().failing, "after {}", fault.mode);
    }
    assert_eq!(source.status().failures as usize, FAULTS.len());

    // The server goes away.
    server.stop();
    let e = failure(source.refresh());
    assert_error(&e, "KeySource", &[&server.jwks_url()]);
    source.verify(token.as_bytes(), &v).unwrap();
    let status = source.status();
    assert!(status.failing && status.key_count == 1 && status.last_failure.map(|(_, f)| f) == Some(e));
}

#[test]
fn faults_on_the_first_fetch_fail_verification_clearly() {
    let server = JwksServer::start("faults-first");
    let a = Signer::es256_from_file("a");
    server.set_jwks(&jwks(&[&a]));
    let (v, token) = (validation(), a.token());
    let first_fetch_fails = |url: &str, kind: &str, needles: &[&str]| {
        let source = JwksSource::from_url(url, policy(60.0), fault_options(&server)).unwrap();
        // With no set ever fetched, verification fails with the fetch's own error.
        let e = failure(source.verify(token.as_bytes(), &v));
        assert_error(&e, kind, needles);
        let status = source.status();
        assert!(status.failing && status.key_count == 0 && status.attempts == 1, "{url}: {status:?}");
        let (_, cause) = status.last_failure.unwrap();
        assert_error(&cause, kind, needles);
        // Within the cooldown, another verification does not fetch again.
        assert_error(&failure(source.verify(token.as_bytes(), &v)), kind, needles);
        assert_eq!(source.status().attempts, 1);
    };
    for fault in FAULTS {
        server.set_mode(fault.mode);
        first_fetch_fails(&server.jwks_url(), fault.kind, fault.needles);
    }
    // Nothing listens on a port just released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("https://127.0.0.1:{port}/jwks");
    first_fetch_fails(&url, "KeySource", &[&url]);
}

#[test]
fn past_max_stale_the_last_good_keys_expire() {
    let server = JwksServer::start("max-stale");
    let a = Signer::es256_from_file("a");
    server.set_jwks(&jwks(&[&a]));
    let policy = CachePolicy {
        default_ttl: secs(1.0),
        min_ttl: secs(1.0),
        max_ttl: secs(1.0),
        max_stale: secs(1.0),
        ..policy(1.0)
    };
    let source = JwksSource::from_url(&server.jwks_url(), policy, server.fetch_options()).unwrap();
    let (v, token) = (validation(), a.token());

    let start = Instant::now();
    source.verify(token.as_bytes(), &v).unwrap();
    let fetched = Instant::now();
    server.set_mode("500");
    // Fresh until (end of the first fetch) + 1 s, which is between start + 1 s and
    // fetched + 1 s; usable until 1 s after that.
    sleep_until(start + secs(1.3));
    source.verify(token.as_bytes(), &v).unwrap();
    let status = source.status();
    assert!(status.failing && status.key_count == 1 && status.fresh_for == Some(Duration::ZERO), "{status:?}");
    assert_eq!(server.fetches(), 2, "the expired set was refreshed (and that failed)");

    sleep_until(fetched + secs(2.3));
    let e = failure(source.verify(token.as_bytes(), &v));
    assert_error(&e, "KeySource", &["expired", "HTTP 500"]);
    assert_error(&failure(source.keys()), "KeySource", &["expired"]);
}

// ---------------------------------------------------------------------------------------
// URLs, TLS, redirects, discovery

#[test]
fn plain_http_only_when_allowed_and_redirects_within_https() {
    let server = JwksServer::start("http");
    let a = Signer::es256_from_file("a");
    server.set_jwks(&jwks(&[&a]));
    let (v, token) = (validation(), a.token());
    let http_url = format!("{}/jwks", server.http);

    let e = failure(JwksSource::from_url(&http_url, policy(1.0), server.fetch_options()));
    assert_error(&e, "InvalidArgument", &[&http_url, "use https"]);
    let e = failure(JwksSource::from_url("file:///etc/passwd", policy(1.0), server.fetch_options()));
    assert_error(&e, "InvalidArgument", &["file:///etc/passwd"]);
    assert_eq!(server.fetches(), 0);

    let allowed = FetchOptions { allow_http: true, ..server.fetch_options() };
    let source = JwksSource::from_url(&http_url, policy(1.0), allowed.clone()).unwrap();
    source.verify(token.as_bytes(), &v).unwrap();
    let requests = server.requests_for("/jwks");
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0]["scheme"], "http");

    // A relative redirect on the same https server is followed.
    server.set_mode("redirect-https");
    let source = JwksSource::from_url(&server.jwks_url(), policy(1.0), server.fetch_options()).unwrap();
    source.verify(token.as_bytes(), &v).unwrap();
    let requests: Vec<_> = server.requests().into_iter().skip(1).collect();
    let paths: Vec<_> = requests.iter().map(|r| (r["path"].as_str(), r["scheme"].as_str())).collect();
    assert_eq!(paths, [(Some("/jwks"), Some("https")), (Some("/jwks-target"), Some("https"))]);
    assert_eq!(source.url(), Some(&server.jwks_url()[..]), "the source keeps its own URL");

    // Allowing http does not allow a downgrade from https.
    server.set_mode("redirect-http");
    let source = JwksSource::from_url(&server.jwks_url(), policy(1.0), allowed).unwrap();
    assert_error(&failure(source.refresh()), "KeySource", &["refused redirect", "https to http"]);
    assert_eq!(server.requests_for("/jwks").iter().filter(|r| r["scheme"] == "http").count(), 1);
}

#[test]
fn only_the_trusted_ca_is_accepted() {
    let server = JwksServer::start("tls");
    let a = Signer::es256_from_file("a");
    server.set_jwks(&jwks(&[&a]));
    let (v, token) = (validation(), a.token());
    let quick = FetchOptions { timeout: secs(2.0), connect_timeout: secs(2.0), ..FetchOptions::default() };

    // The system store does not know the test CA. (A machine with an empty store refuses
    // to build the client at all.)
    match JwksSource::from_url(&server.jwks_url(), policy(1.0), quick.clone()) {
        Ok(source) => assert_error(
            &failure(source.verify(token.as_bytes(), &v)),
            "KeySource",
            &["invalid peer certificate", "issuer"],
        ),
        Err(e) => assert_error(&e, "InvalidArgument", &["no trusted CA"]),
    }
    // An unrelated CA only.
    let mut other = FetchOptions { system_roots: false, ..quick.clone() };
    other.add_ca_file(&server.other_ca).unwrap();
    let source = JwksSource::from_url(&server.jwks_url(), policy(1.0), other).unwrap();
    assert_error(&failure(source.verify(token.as_bytes(), &v)), "KeySource", &["invalid peer certificate", "issuer"]);
    // No CA at all.
    let e =
        failure(JwksSource::from_url(&server.jwks_url(), policy(1.0), FetchOptions { system_roots: false, ..quick }));
    assert_error(&e, "InvalidArgument", &["no trusted CA"]);
    assert_eq!(server.fetches(), 0, "no request got through a refused handshake");

    // The test CA only.
    let source = JwksSource::from_url(&server.jwks_url(), policy(1.0), server.fetch_options()).unwrap();
    source.verify(token.as_bytes(), &v).unwrap();
    assert_eq!(server.fetches(), 1);
}

#[test]
fn openid_discovery_finds_the_jwks_uri_of_the_exact_issuer() {
    let server = JwksServer::start("oidc");
    let a = Signer::es256_from_file("a");
    server.set_jwks(&jwks(&[&a]));
    let (v, token) = (validation(), a.token());

    for issuer in [server.https.clone(), format!("{}/tenant", server.https)] {
        let source = JwksSource::from_issuer(&issuer, policy(1.0), server.fetch_options()).unwrap();
        assert_eq!(source.url(), Some(&server.jwks_url()[..]), "{issuer}");
        source.verify(token.as_bytes(), &v).unwrap_or_else(|e| panic!("{issuer}: {e}"));
    }
    assert_eq!(server.requests_for("/tenant/.well-known/openid-configuration").len(), 1);

    let e = failure(JwksSource::from_issuer(
        &format!("{}/wrong-issuer", server.https),
        policy(1.0),
        server.fetch_options(),
    ));
    assert_error(&e, "KeySource", &["its issuer is", "evil.example"]);
    let e =
        failure(JwksSource::from_issuer(&format!("{}/no-jwks-uri", server.https), policy(1.0), server.fetch_options()));
    assert_error(&e, "KeySource", &["jwks_uri"]);
    // The issuer must match exactly: not with a trailing slash the document does not have.
    let e = failure(JwksSource::from_issuer(&format!("{}/", server.https), policy(1.0), server.fetch_options()));
    assert_error(&e, "KeySource", &["its issuer is"]);
    // An issuer without a configuration.
    let e = failure(JwksSource::from_issuer(&format!("{}/nobody", server.https), policy(1.0), server.fetch_options()));
    assert_error(&e, "KeySource", &["HTTP 404"]);
    // http issuers follow the URL rules.
    let e = failure(JwksSource::from_issuer(&server.http, policy(1.0), server.fetch_options()));
    assert_error(&e, "InvalidArgument", &["use https"]);
    assert_eq!(server.fetches(), 2, "only the two good sources fetched /jwks");
}

#[test]
fn concurrent_first_verifications_share_one_fetch() {
    const THREADS: usize = 8;
    let server = JwksServer::start("single-flight");
    let a = Signer::es256_from_file("a");
    server.set_jwks(&jwks(&[&a]));
    server.set_mode("slow:1");
    let options = FetchOptions { timeout: secs(5.0), ..server.fetch_options() };
    let source = Arc::new(JwksSource::from_url(&server.jwks_url(), policy(1.0), options).unwrap());
    let token = a.token();
    let barrier = Arc::new(Barrier::new(THREADS));
    let started = Instant::now();
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let (source, token, barrier) = (Arc::clone(&source), token.clone(), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                source.verify(token.as_bytes(), &validation()).map(|_| ())
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap().unwrap();
    }
    assert!(started.elapsed() >= secs(1.0), "every thread waited for the slow fetch");
    assert_eq!(server.fetches(), 1);
    assert_eq!(source.status().attempts, 1);
}

// ---------------------------------------------------------------------------------------
// Sans-I/O

#[test]
fn a_fed_source_asks_for_refreshes_and_takes_answers() {
    // Both ES256: a set never mixes HMAC secrets with public keys.
    let (a, b) = (Signer::es256_from_file("a"), Signer::es256("b"));
    let (doc_a, doc_ab, doc_b) = (jwks(&[&a]), jwks(&[&a, &b]), jwks(&[&b]));
    let (v, token_a, token_b) = (validation(), a.token(), b.token());
    let cooldown = secs(0.3);
    let after_cooldown = || thread::sleep(cooldown + secs(0.05));
    let ok = |body, etag, cache_control| Answer { status: 200, body, etag, cache_control };
    let source = JwksSource::new(CachePolicy { cooldown, ..policy(1.0) }).unwrap();
    assert_eq!(source.url(), None);

    // Initial.
    assert_eq!(source.refresh_wanted(), Some(RefreshReason::Initial));
    assert_error(&failure(source.verify(token_a.as_bytes(), &v)), "KeySource", &["no key set"]);
    assert_eq!(source.start_refresh(), None, "nothing to revalidate yet");
    assert_eq!(source.refresh_wanted(), None, "in flight");
    source.feed(&ok(&doc_a, Some("\"v1\""), Some("max-age=1"))).unwrap();
    source.verify(token_a.as_bytes(), &v).unwrap();
    assert_eq!(source.refresh_wanted(), None);
    assert_eq!(source.document().as_deref(), Some(&doc_a[..]));

    // Expired, revalidated with the ETag, 304.
    thread::sleep(secs(1.1));
    assert_eq!(source.refresh_wanted(), Some(RefreshReason::Expired));
    source.verify(token_a.as_bytes(), &v).unwrap();
    assert_eq!(source.start_refresh().as_deref(), Some("\"v1\""));
    source.feed(&Answer { status: 304, cache_control: Some("max-age=60"), ..Answer::default() }).unwrap();
    assert_eq!(source.refresh_wanted(), None);
    assert_eq!(source.status().not_modified, 1);

    // An unknown kid: wanted once the cooldown (from the last start) is over.
    assert_error(&failure(source.verify(token_b.as_bytes(), &v)), "KeyNotFound", &[]);
    assert_eq!(source.refresh_wanted(), None, "cooling down");
    after_cooldown();
    assert_eq!(source.refresh_wanted(), Some(RefreshReason::UnknownKid));
    assert_eq!(source.start_refresh().as_deref(), Some("\"v1\""));
    source.feed(&ok(&doc_ab, Some("\"v2\""), None)).unwrap();
    source.verify(token_b.as_bytes(), &v).unwrap();
    source.verify(token_a.as_bytes(), &v).unwrap();
    assert_eq!(source.refresh_wanted(), None);

    // An error status: the failure is returned, the set keeps serving, retried after the cooldown.
    assert_eq!(source.start_refresh().as_deref(), Some("\"v2\""));
    let e = failure(source.feed(&Answer { status: 500, ..Answer::default() }));
    assert_error(&e, "KeySource", &["HTTP 500"]);
    source.verify(token_b.as_bytes(), &v).unwrap();
    let status = source.status();
    assert!(status.failing && status.key_count == 2 && status.last_failure.map(|(_, f)| f) == Some(e));
    assert_eq!(source.refresh_wanted(), None);
    after_cooldown();
    assert_eq!(source.refresh_wanted(), Some(RefreshReason::Retry));

    // No answer at all.
    source.start_refresh();
    source.fetch_failed("connection reset by peer");
    let status = source.status();
    let (_, cause) = status.last_failure.clone().unwrap();
    assert_error(&cause, "KeySource", &["connection reset by peer"]);
    assert!(status.failing && status.failures == 2 && status.attempts == 5, "{status:?}");
    source.verify(token_a.as_bytes(), &v).unwrap();
    assert_eq!(source.refresh_wanted(), None);
    after_cooldown();
    assert_eq!(source.refresh_wanted(), Some(RefreshReason::Retry));

    // A body that is not a usable key set is a failure too.
    source.start_refresh();
    assert_error(&failure(source.feed(&ok(b"{\"keys\": [", None, None))), "KeyInvalid", &[]);
    assert_error(&failure(source.feed(&ok(b"{\"keys\": []}", None, None))), "KeyInvalid", &["no usable key"]);
    source.verify(token_a.as_bytes(), &v).unwrap();

    // Recovery with a rotated set.
    after_cooldown();
    assert_eq!(source.refresh_wanted(), Some(RefreshReason::Retry));
    source.start_refresh();
    source.feed(&ok(&doc_b, Some("\"v3\""), None)).unwrap();
    assert!(!source.status().failing);
    source.verify(token_b.as_bytes(), &v).unwrap();
    assert_error(&failure(source.verify(token_a.as_bytes(), &v)), "KeyNotFound", &[]);
    assert_eq!(source.document().as_deref(), Some(&doc_b[..]));

    assert_error(&failure(source.refresh()), "InvalidArgument", &[]);
}
