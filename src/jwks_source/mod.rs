//! `JwksSource`: the keys of one JWKS URL, cached, shared by every thread, rotation-safe.
//!
//! Two ways to drive it:
//! - **Fetching** (`from_url`, `from_issuer`; cargo feature `fetch`): the source fetches
//!   its URL itself when a refresh is due, inside the call that needs it. One caller
//!   fetches while the others keep verifying with the current set (or, with none yet or
//!   after an unknown `kid`, wait for that one fetch): concurrent callers share it.
//! - **Sans-I/O** (`new`): the host does the I/O. It asks `refresh_wanted`, marks the
//!   start with `start_refresh` (which gives the `If-None-Match` to send), and hands the
//!   answer to `feed`, or a failure to `fetch_failed`. No thread, socket or blocking.
//!
//! Either way the cache rules are `cache::Cache`'s, and a token whose `kid` the set lacks
//! asks for one refresh (at most one per cooldown), then is retried once with the new set.

mod cache;
mod clock;
mod discovery;
#[cfg(feature = "fetch")]
mod fetch;
mod options;

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use clock::now;

pub use cache::{Answer, CachePolicy, RefreshReason, Status};
pub use discovery::{configuration_url, jwks_uri};
#[cfg(feature = "fetch")]
pub use fetch::{check_url, Fetcher};
pub use options::FetchOptions;

use crate::claims::Validation;
use crate::error::{Error, Result};
use crate::jwks::KeySet;
use crate::jwt::{self, VerifiedJwt};
use cache::Cache;

/// What a caller of `JwksSource::settle` needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// A set to verify with: the current one will do.
    Keys,
    /// A set newer than the caller's (an unknown `kid`): worth waiting for a fetch.
    Newer,
    /// A fetch now, whatever the cache times say.
    Fetch,
}

/// Where the answers come from.
enum Origin {
    /// The host feeds them (sans-I/O).
    Fed,
    /// The source fetches its URL.
    #[cfg(feature = "fetch")]
    Url { url: String, fetcher: Fetcher },
}

/// The current set and when it stops being fresh, published after every change of the
/// cache: the warm path of verification.
struct Warm {
    keys: Arc<KeySet>,
    fresh_until: Duration,
}

/// Sources are told apart in `LAST_WARM` by a number, never reused (an address may be).
static NEXT_SOURCE_ID: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// The warm set this thread last verified with: its source, the source's generation
    /// then, and the set. While the generation is unchanged, verification takes the set
    /// from here: no lock and no reference count (each costs more on a shared cache line
    /// than an HMAC check can spare). A thread keeps it until it verifies with another
    /// source or a newer set, or exits.
    static LAST_WARM: Cell<Option<(u64, u64, Arc<Warm>)>> = const { Cell::new(None) };
}

/// See the module comment. `Send + Sync`: share it with an `Arc`.
pub struct JwksSource {
    cache: Mutex<Cache>,
    /// The published warm set, and its generation (bumped after each publication).
    warm: Mutex<Option<Arc<Warm>>>,
    generation: AtomicU64,
    id: u64,
    /// Signalled whenever a fetch ends.
    fetched: Condvar,
    origin: Origin,
}

impl std::fmt::Debug for JwksSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksSource").field("url", &self.url()).finish_non_exhaustive()
    }
}

impl JwksSource {
    /// A source the host feeds (sans-I/O).
    pub fn new(policy: CachePolicy) -> Result<JwksSource> {
        Ok(JwksSource {
            cache: Mutex::new(Cache::new(policy)?),
            warm: Mutex::new(None),
            generation: AtomicU64::new(0),
            id: NEXT_SOURCE_ID.fetch_add(1, Ordering::Relaxed),
            fetched: Condvar::new(),
            origin: Origin::Fed,
        })
    }

    /// A source that fetches `url` itself. Nothing is fetched until the first use.
    #[cfg(feature = "fetch")]
    pub fn from_url(url: &str, policy: CachePolicy, options: FetchOptions) -> Result<JwksSource> {
        check_url(url, options.allow_http)?;
        let fetcher = Fetcher::new(options)?;
        Ok(JwksSource {
            cache: Mutex::new(Cache::new(policy)?),
            warm: Mutex::new(None),
            generation: AtomicU64::new(0),
            id: NEXT_SOURCE_ID.fetch_add(1, Ordering::Relaxed),
            fetched: Condvar::new(),
            origin: Origin::Url { url: url.to_owned(), fetcher },
        })
    }

    /// OpenID Connect discovery: fetches `issuer`'s configuration now, checks that its
    /// `issuer` is exactly `issuer`, and makes a source for its `jwks_uri` (same rules
    /// for that URL as for the issuer's).
    #[cfg(feature = "fetch")]
    pub fn from_issuer(issuer: &str, policy: CachePolicy, options: FetchOptions) -> Result<JwksSource> {
        let url = configuration_url(issuer);
        check_url(&url, options.allow_http)?;
        let fetcher = Fetcher::new(options)?;
        let answer = fetcher.get(&url, None)?;
        if answer.status != 200 {
            return Err(Error::KeySource(format!("{url}: HTTP {}", answer.status)));
        }
        let jwks = jwks_uri(issuer, &answer.body)?;
        check_url(&jwks, fetcher.allows_http()).map_err(|e| Error::KeySource(format!("the issuer's jwks_uri: {e}")))?;
        Ok(JwksSource {
            cache: Mutex::new(Cache::new(policy)?),
            warm: Mutex::new(None),
            generation: AtomicU64::new(0),
            id: NEXT_SOURCE_ID.fetch_add(1, Ordering::Relaxed),
            fetched: Condvar::new(),
            origin: Origin::Url { url: jwks, fetcher },
        })
    }

    /// The URL it fetches (`None` for a fed source).
    pub fn url(&self) -> Option<&str> {
        match &self.origin {
            Origin::Fed => None,
            #[cfg(feature = "fetch")]
            Origin::Url { url, .. } => Some(url),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Cache> {
        // The cache's invariants hold between calls, so a panic elsewhere cannot leave it
        // half-updated: a poisoned lock is still safe to use.
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Publishes the cache's current set for the warm path: the set first, then the
    /// generation, so a thread that sees the new generation finds the new set.
    fn publish(&self, cache: &Cache) {
        let warm = cache.fresh().map(|(keys, fresh_until)| Arc::new(Warm { keys, fresh_until }));
        *self.warm.lock().unwrap_or_else(PoisonError::into_inner) = warm;
        self.generation.fetch_add(1, Ordering::Release);
    }

    /// Runs `use_warm` with the warm set while it is fresh (from this thread's last one
    /// when its generation is current); `None` when there is no fresh set.
    #[inline]
    fn with_warm<T>(&self, use_warm: impl FnOnce(&Warm) -> T) -> Option<T> {
        let generation = self.generation.load(Ordering::Acquire);
        // Taken out while in use, so a verification nested in this one (a revocation
        // callback verifying another token) finds none and takes the lock instead.
        let warm = match LAST_WARM.with(Cell::take) {
            Some((id, seen, warm)) if id == self.id && seen == generation => warm,
            _ => self.warm.lock().unwrap_or_else(PoisonError::into_inner).clone()?,
        };
        let result = (now() < warm.fresh_until).then(|| use_warm(&warm));
        LAST_WARM.with(|last| last.set(Some((self.id, generation, warm))));
        result
    }

    /// The key set to verify with now: a fetching source refreshes first when due.
    pub fn keys(&self) -> Result<Arc<KeySet>> {
        if let Some(keys) = self.with_warm(|warm| Arc::clone(&warm.keys)) {
            return Ok(keys);
        }
        let cache = self.lock();
        let cache = self.settle(cache, Need::Keys).0;
        cache.keys(now())
    }

    /// Runs `verify` with the current set; if it fails for an unknown `kid`
    /// (`unknown_kid` tells), reports it, and runs it once more if that brought a new set.
    pub fn verify_with<T, E: From<Error>>(
        &self,
        mut verify: impl FnMut(&KeySet) -> std::result::Result<T, E>,
        unknown_kid: impl Fn(&E) -> bool,
    ) -> std::result::Result<T, E> {
        // Warm: the set this thread already holds, while fresh; an unknown `kid` goes on
        // below, with the lock.
        let outcome = match self.with_warm(|warm| match verify(&warm.keys) {
            Err(e) if unknown_kid(&e) => Err((e, Arc::clone(&warm.keys))),
            result => Ok(result),
        }) {
            Some(Ok(result)) => return result,
            Some(Err(unknown)) => Err(unknown),
            None => {
                let keys = self.keys()?;
                match verify(&keys) {
                    Err(e) if unknown_kid(&e) => Err((e, keys)),
                    result => Ok(result),
                }
            }
        };
        match outcome {
            Ok(result) => result,
            // A failed refresh leaves the token's own error: its `kid` is unknown (the
            // failure shows in `status`).
            Err((e, seen)) => match self.report_unknown_kid(&seen) {
                Ok(Some(newer)) => verify(&newer),
                _ => Err(e),
            },
        }
    }

    /// Verifies a JWT (signature, then claims) with the source's keys.
    pub fn verify(&self, token: &[u8], validation: &Validation) -> Result<VerifiedJwt> {
        // The warm path returns the result as it is (no wrapping to move it through);
        // an unknown `kid` (found before any signature check) goes the whole way.
        match self.with_warm(|warm| jwt::verify(token, &*warm.keys, validation)) {
            Some(Err(Error::KeyNotFound(_))) | None => {}
            Some(result) => return result,
        }
        self.verify_with(|keys| jwt::verify(token, keys, validation), |e| matches!(e, Error::KeyNotFound(_)))
    }

    /// Reports that a token named a `kid` that `seen` lacks. A fetching source refreshes
    /// (unless in cooldown; a fetch already in flight is waited for) and returns the new
    /// set if there is one, or the refresh's failure; a fed source remembers it for
    /// `refresh_wanted` and returns `None`.
    pub fn report_unknown_kid(&self, seen: &Arc<KeySet>) -> Result<Option<Arc<KeySet>>> {
        let mut cache = self.lock();
        cache.note_unknown_kid();
        let (cache, outcome) = self.settle(cache, Need::Newer);
        outcome.transpose()?;
        let keys = cache.keys(now())?;
        Ok((!Arc::ptr_eq(&keys, seen)).then_some(keys))
    }

    /// Fetches now, whatever the cache times and cooldown say (a fetching source), or
    /// waits for the fetch in flight; returns its outcome. A fed source answers
    /// `InvalidArgument`.
    pub fn refresh(&self) -> Result<()> {
        let cache = self.lock();
        match self.settle(cache, Need::Fetch).1 {
            Some(outcome) => outcome,
            None => Err(Error::InvalidArgument("this key source is fed by its host: it does not fetch".into())),
        }
    }

    /// For a fetching source: fetches when a refresh is wanted (always for
    /// `Need::Fetch`), or waits for a fetch in flight when the caller has nothing to
    /// verify with or needs that fetch's result; other callers go on with the current
    /// set. Returns the lock and the outcome of the fetch it did or waited for.
    #[cfg_attr(not(feature = "fetch"), allow(unused_variables))]
    fn settle<'a>(&'a self, cache: MutexGuard<'a, Cache>, need: Need) -> (MutexGuard<'a, Cache>, Option<Result<()>>) {
        match &self.origin {
            Origin::Fed => (cache, None),
            #[cfg(feature = "fetch")]
            Origin::Url { url, fetcher } => {
                let now = now();
                if cache.in_flight(now) {
                    if need == Need::Keys && cache.keys(now).is_ok() {
                        return (cache, None);
                    }
                    let cache = self.wait(cache, fetcher.timeout());
                    let outcome = cache.last_outcome();
                    return (cache, Some(outcome));
                }
                if need == Need::Fetch || cache.refresh_wanted(now).is_some() {
                    return self.fetch(cache, url, fetcher);
                }
                (cache, None)
            }
        }
    }

    /// Waits (bounded) until no fetch is in flight.
    #[cfg(feature = "fetch")]
    fn wait<'a>(&'a self, mut cache: MutexGuard<'a, Cache>, timeout: Duration) -> MutexGuard<'a, Cache> {
        let deadline = now() + timeout + Duration::from_secs(1);
        while cache.in_flight(now()) {
            let left = deadline.saturating_sub(now());
            if left.is_zero() {
                break;
            }
            cache = self.fetched.wait_timeout(cache, left).unwrap_or_else(PoisonError::into_inner).0;
        }
        cache
    }

    /// One fetch, with the lock released while it runs.
    #[cfg(feature = "fetch")]
    fn fetch<'a>(
        &'a self,
        mut cache: MutexGuard<'a, Cache>,
        url: &str,
        fetcher: &Fetcher,
    ) -> (MutexGuard<'a, Cache>, Option<Result<()>>) {
        let if_none_match = cache.start(now());
        drop(cache);
        let mut ending = EndsFetch { source: self, ended: false };
        let result = fetcher.get(url, if_none_match.as_deref());
        let mut cache = self.lock();
        let now = now();
        let outcome = match result {
            Ok(r) => cache.complete(
                now,
                &Answer {
                    status: r.status,
                    cache_control: r.cache_control.as_deref(),
                    etag: r.etag.as_deref(),
                    body: &r.body,
                },
            ),
            Err(e) => cache.fail(now, e),
        };
        self.publish(&cache);
        ending.ended = true;
        self.fetched.notify_all();
        (cache, Some(outcome))
    }

    /// Sans-I/O: whether the host should fetch now, and why.
    pub fn refresh_wanted(&self) -> Option<RefreshReason> {
        self.lock().refresh_wanted(now())
    }

    /// Sans-I/O: the host starts a fetch. Returns the `If-None-Match` value to send.
    pub fn start_refresh(&self) -> Option<String> {
        self.lock().start(now())
    }

    /// Sans-I/O: the answer the host got. Returns the failure if it is one (the last good
    /// set keeps serving).
    pub fn feed(&self, answer: &Answer<'_>) -> Result<()> {
        let mut cache = self.lock();
        let outcome = cache.complete(now(), answer);
        self.publish(&cache);
        drop(cache);
        self.fetched.notify_all();
        outcome
    }

    /// Sans-I/O: the host's fetch got no answer (`reason` says why, for the status).
    pub fn fetch_failed(&self, reason: &str) {
        let error = Error::KeySource(crate::error::excerpt(reason, 400));
        let _ = self.lock().fail(now(), error);
        self.fetched.notify_all();
    }

    /// See [`Status`].
    pub fn status(&self) -> Status {
        self.lock().status(now())
    }

    /// The JWKS document of the current set, as fetched or fed.
    pub fn document(&self) -> Option<Arc<[u8]>> {
        self.lock().document()
    }
}

/// A build without the `fetch` feature keeps the constructors, which refuse.
#[cfg(not(feature = "fetch"))]
impl JwksSource {
    /// Refuses: this build cannot fetch (`InvalidArgument`).
    pub fn from_url(_url: &str, _policy: CachePolicy, _options: FetchOptions) -> Result<JwksSource> {
        Err(cannot_fetch())
    }

    /// Refuses: this build cannot fetch (`InvalidArgument`).
    pub fn from_issuer(_issuer: &str, _policy: CachePolicy, _options: FetchOptions) -> Result<JwksSource> {
        Err(cannot_fetch())
    }
}

#[cfg(not(feature = "fetch"))]
fn cannot_fetch() -> Error {
    Error::InvalidArgument(
        "this build of jwtkit cannot fetch (built without the `fetch` feature): make a fed source and feed it".into(),
    )
}

/// Ends a fetch that unwinds (a panic in the HTTP stack) as a failure, so waiters wake
/// and the cache does not stay "in flight".
#[cfg(feature = "fetch")]
struct EndsFetch<'a> {
    source: &'a JwksSource,
    ended: bool,
}

#[cfg(feature = "fetch")]
impl Drop for EndsFetch<'_> {
    fn drop(&mut self) {
        if !self.ended {
            let _ = self.source.lock().fail(now(), Error::KeySource("the fetch failed unexpectedly".into()));
            self.source.fetched.notify_all();
        }
    }
}
