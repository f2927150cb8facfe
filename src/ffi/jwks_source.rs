//! `jwtkit_jwks_source`: the keys of one JWKS URL, cached and shared by all threads,
//! fetched by the library or fed by the host (sans-I/O); and `jwtkit_jwks_options`,
//! how it caches and fetches.

use std::ffi::c_char;
use std::sync::Arc;
use std::time::Duration;

use crate::ffi::boundary::{fallible, infallible, input, invalid, null, optional_input, OutString};
use crate::ffi::handle::{
    borrow, borrow_mut, free_boxed, free_shared, give_boxed, give_shared, Boxed, Castable, Shared,
};
use crate::ffi::keyset::jwtkit_keyset;
use crate::ffi::status::*;
use crate::ffi::token::verify_to_c;
use crate::ffi::validation::{jwtkit_validation, text_arg};
use crate::jwks_source::{Answer, CachePolicy, FetchOptions, JwksSource, RefreshReason};

/// Opaque options for a JWKS source: cache times and fetching rules. Configure it, pass
/// it to a `jwtkit_jwks_source_*` constructor (which copies it), free it. Not shared
/// between threads while configured.
pub struct jwtkit_jwks_options {
    _private: [u8; 0],
}

/// What `jwtkit_jwks_options` holds.
#[derive(Default)]
pub(crate) struct SourceOptions {
    policy: CachePolicy,
    fetch: FetchOptions,
}

impl Castable for jwtkit_jwks_options {
    type Ownership = Boxed;
    type Rust = SourceOptions;
}

/// An opaque, reference-counted source of keys for one JWKS URL. Thread safety: any
/// number of threads may verify with it, query it and feed it at once; free it once
/// no thread uses it.
pub struct jwtkit_jwks_source {
    _private: [u8; 0],
}

impl Castable for jwtkit_jwks_source {
    type Ownership = Shared;
    type Rust = JwksSource;
}

/// Why a source wants a refresh (`jwtkit_jwks_source_refresh_wanted`).
#[repr(i32)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum jwtkit_jwks_refresh {
    /// No refresh is wanted now (or one is in flight).
    JWTKIT_JWKS_REFRESH_NONE = 0,
    /// The source has no key set yet.
    JWTKIT_JWKS_REFRESH_INITIAL = 1,
    /// The key set's lifetime is over.
    JWTKIT_JWKS_REFRESH_EXPIRED = 2,
    /// A token named a `kid` the set lacks (granted at most once per cooldown).
    JWTKIT_JWKS_REFRESH_UNKNOWN_KID = 3,
    /// The last refresh failed and its cooldown is over.
    JWTKIT_JWKS_REFRESH_RETRY = 4,
}

impl From<Option<RefreshReason>> for jwtkit_jwks_refresh {
    fn from(reason: Option<RefreshReason>) -> jwtkit_jwks_refresh {
        use jwtkit_jwks_refresh::*;
        match reason {
            None => JWTKIT_JWKS_REFRESH_NONE,
            Some(RefreshReason::Initial) => JWTKIT_JWKS_REFRESH_INITIAL,
            Some(RefreshReason::Expired) => JWTKIT_JWKS_REFRESH_EXPIRED,
            Some(RefreshReason::UnknownKid) => JWTKIT_JWKS_REFRESH_UNKNOWN_KID,
            Some(RefreshReason::Retry) => JWTKIT_JWKS_REFRESH_RETRY,
        }
    }
}

/// A source's state (`jwtkit_jwks_source_status`). Times are in milliseconds; -1 means
/// "never" or "no set".
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct jwtkit_jwks_status {
    /// Usable keys in the current set.
    pub key_count: usize,
    /// Since the last successful refresh (200 or 304).
    pub ms_since_success: i64,
    /// Until the current set expires (0 once it has).
    pub ms_fresh_for: i64,
    /// Since the last failed refresh.
    pub ms_since_failure: i64,
    /// Whether the last refresh failed (the last good set keeps serving).
    pub failing: bool,
    /// Refresh attempts, failures among them, and 304 answers among them.
    pub attempts: u64,
    /// See `attempts`.
    pub failures: u64,
    /// See `attempts`.
    pub not_modified: u64,
}

fn ms(d: Option<Duration>) -> i64 {
    d.map_or(-1, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Creates options with the defaults: cache time 5 min without `max-age`, `max-age`
/// honoured between 1 min and 1 day, cooldown 30 s, last good set served up to 6 h
/// past its expiry; https only, system CAs, connect timeout 5 s, total 10 s, body at
/// most 1 MiB, at most 3 redirects. On success `*out` receives options owned by the
/// caller (free with `jwtkit_jwks_options_free`).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_options_new(
    out: *mut *mut jwtkit_jwks_options,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        if out.is_null() {
            return Err(null("out"));
        }
        unsafe { give_boxed(out, SourceOptions::default()) };
        Ok(())
    })
}

/// Releases options. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_options_free(options: *mut jwtkit_jwks_options) {
    infallible((), || unsafe { free_boxed(options) })
}

/// Applies `change` to the options.
unsafe fn configure(
    options: *mut jwtkit_jwks_options,
    out_err: *mut *mut jwtkit_error,
    change: impl FnOnce(&mut SourceOptions) -> Result<(), crate::ffi::boundary::Failure>,
) -> jwtkit_status {
    fallible(out_err, || change(unsafe { borrow_mut(options, "options") }?))
}

fn millis(value: u64) -> Duration {
    Duration::from_millis(value)
}

/// Sets the cache times, in milliseconds: `default_ms` for an answer without
/// `max-age`, and the bounds `min_ms` ≤ `max_ms` that `max-age` (and `no-store`,
/// read as 0) is clamped to.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT
/// (`min_ms` > `max_ms`), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_options_set_cache_times(
    options: *mut jwtkit_jwks_options,
    default_ms: u64,
    min_ms: u64,
    max_ms: u64,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        configure(options, out_err, |o| {
            let policy = CachePolicy {
                default_ttl: millis(default_ms),
                min_ttl: millis(min_ms),
                max_ttl: millis(max_ms),
                ..o.policy
            };
            policy.check()?;
            o.policy = policy;
            Ok(())
        })
    }
}

/// Sets the cooldown: the least time between two refreshes asked for by unknown `kid`s
/// or retried after a failure, in milliseconds.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_options_set_cooldown(
    options: *mut jwtkit_jwks_options,
    cooldown_ms: u64,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        configure(options, out_err, |o| {
            o.policy.cooldown = millis(cooldown_ms);
            Ok(())
        })
    }
}

/// Sets how long past its expiry the last good key set keeps serving while refreshes
/// fail, in milliseconds. Beyond it, verification fails with JWTKIT_ERR_KEY_SOURCE.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_options_set_max_stale(
    options: *mut jwtkit_jwks_options,
    max_stale_ms: u64,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        configure(options, out_err, |o| {
            o.policy.max_stale = millis(max_stale_ms);
            Ok(())
        })
    }
}

/// Allows (`allow` true) plain `http://` URLs and http-to-http redirects. Off by
/// default: a key set fetched in clear can be replaced on the way. For tests and
/// loopback. A redirect from https to http is refused either way.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_options_allow_http(
    options: *mut jwtkit_jwks_options,
    allow: bool,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        configure(options, out_err, |o| {
            o.fetch.allow_http = allow;
            Ok(())
        })
    }
}

/// Sets the connect timeout and the total time of one fetch (redirects included), in
/// milliseconds (each at least 1).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (0),
/// JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_options_set_timeouts(
    options: *mut jwtkit_jwks_options,
    connect_ms: u64,
    total_ms: u64,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        configure(options, out_err, |o| {
            if connect_ms == 0 || total_ms == 0 {
                return Err(invalid("a timeout of 0 ms".into()));
            }
            (o.fetch.connect_timeout, o.fetch.timeout) = (millis(connect_ms), millis(total_ms));
            Ok(())
        })
    }
}

/// Sets the largest body read (bytes, 1 KiB to 1 MiB; 1 MiB by default) and the most
/// redirects followed (0 to 10; 3 by default).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (out of
/// range), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_options_set_limits(
    options: *mut jwtkit_jwks_options,
    max_body: usize,
    max_redirects: u32,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        configure(options, out_err, |o| {
            if !(1024..=crate::jwks::MAX_JWKS_LEN).contains(&max_body) || max_redirects > 10 {
                return Err(invalid(format!(
                    "body cap {max_body} or redirects {max_redirects} out of range (1024..=1048576, 0..=10)"
                )));
            }
            (o.fetch.max_body, o.fetch.max_redirects) = (max_body, max_redirects);
            Ok(())
        })
    }
}

/// Trusts the CA certificates in `(ca, ca_len)` (PEM, one or more; or one DER
/// certificate), copied, besides the system's (see `jwtkit_jwks_options_use_system_cas`).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (no
/// certificate in it, or one that does not parse as X.509), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_options_add_ca(
    options: *mut jwtkit_jwks_options,
    ca: *const u8,
    ca_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe { configure(options, out_err, |o| Ok(o.fetch.add_ca(input(ca, ca_len, "ca")?)?)) }
}

/// Trusts the CA certificates of the file at `(path, path_len)` (UTF-8, read now), as
/// `jwtkit_jwks_options_add_ca` does.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (unreadable,
/// or no certificate in it), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_options_add_ca_file(
    options: *mut jwtkit_jwks_options,
    path: *const u8,
    path_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        configure(options, out_err, |o| {
            let path = text_arg(path, path_len, "path")?;
            Ok(o.fetch.add_ca_file(std::path::Path::new(path))?)
        })
    }
}

/// Whether the system's CA store is trusted (`use` true, the default). With it off,
/// only the CAs added with `jwtkit_jwks_options_add_ca*` are.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_options_use_system_cas(
    options: *mut jwtkit_jwks_options,
    use_system: bool,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        configure(options, out_err, |o| {
            o.fetch.system_roots = use_system;
            Ok(())
        })
    }
}

/// Adds a request header (`(name, name_len)`, `(value, value_len)`, UTF-8, copied), e.g.
/// an API key a gateway wants. At most 32 headers.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (not a
/// valid header name or value, too many), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_options_add_header(
    options: *mut jwtkit_jwks_options,
    name: *const u8,
    name_len: usize,
    value: *const u8,
    value_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe {
        configure(options, out_err, |o| {
            let (name, value) = (text_arg(name, name_len, "name")?, text_arg(value, value_len, "value")?);
            let token = |c: u8| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c);
            if name.is_empty() || !name.bytes().all(token) {
                return Err(invalid(format!("not a header name: \"{}\"", crate::error::excerpt(name, 64))));
            }
            if value.bytes().any(|c| c.is_ascii_control() && c != b'\t') {
                return Err(invalid(format!("header {name}: the value holds control characters")));
            }
            if o.fetch.headers.len() >= 32 {
                return Err(invalid("more than 32 headers".into()));
            }
            o.fetch.headers.push((name.to_owned(), value.to_owned()));
            Ok(())
        })
    }
}

fn options_or_default<'a>(
    options: *const jwtkit_jwks_options,
) -> Result<std::borrow::Cow<'a, SourceOptions>, crate::ffi::boundary::Failure> {
    if options.is_null() {
        return Ok(std::borrow::Cow::Owned(SourceOptions::default()));
    }
    Ok(std::borrow::Cow::Borrowed(unsafe { borrow(options, "options") }?))
}

impl Clone for SourceOptions {
    fn clone(&self) -> SourceOptions {
        SourceOptions { policy: self.policy.clone(), fetch: self.fetch.clone() }
    }
}

/// Creates a source that the host feeds (sans-I/O): the library never fetches, opens a
/// socket, starts a thread or blocks for it. The host asks
/// `jwtkit_jwks_source_refresh_wanted`, calls `jwtkit_jwks_source_start_refresh`, fetches,
/// and hands the answer to `jwtkit_jwks_source_feed` (or a failure to
/// `jwtkit_jwks_source_fetch_failed`). `options` (NULL: defaults) is copied; its fetching
/// rules do not apply. On success `*out` receives a source owned by the caller (free with
/// `jwtkit_jwks_source_free`).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_source_new(
    options: *const jwtkit_jwks_options,
    out: *mut *const jwtkit_jwks_source,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        if out.is_null() {
            return Err(null("out"));
        }
        let options = options_or_default(options)?;
        let source = JwksSource::new(options.policy.clone())?;
        unsafe { give_shared(out, Arc::new(source)) };
        Ok(())
    })
}

/// Creates a source that fetches the JWKS at `(url, url_len)` (UTF-8, copied) itself,
/// when a refresh is due, inside the verification that needs it; concurrent callers
/// share one fetch. Nothing is fetched before the first use. `options` (NULL: defaults)
/// is copied. On success `*out` receives a source owned by the caller (free with
/// `jwtkit_jwks_source_free`).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (not an
/// absolute https URL; http only when allowed; no trusted CA; a build without the
/// `fetch` feature), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_source_from_url(
    url: *const u8,
    url_len: usize,
    options: *const jwtkit_jwks_options,
    out: *mut *const jwtkit_jwks_source,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe { make_fetching(url, url_len, "url", options, out, out_err, JwksSource::from_url) }
}

/// The body of the fetching constructors: `make` gets the text argument and copies of
/// the options.
unsafe fn make_fetching(
    text: *const u8,
    text_len: usize,
    name: &str,
    options: *const jwtkit_jwks_options,
    out: *mut *const jwtkit_jwks_source,
    out_err: *mut *mut jwtkit_error,
    make: fn(&str, CachePolicy, FetchOptions) -> crate::Result<JwksSource>,
) -> jwtkit_status {
    fallible(out_err, || {
        let text = unsafe { text_arg(text, text_len, name) }?;
        if out.is_null() {
            return Err(null("out"));
        }
        let options = options_or_default(options)?;
        let source = make(text, options.policy.clone(), options.fetch.clone())?;
        unsafe { give_shared(out, Arc::new(source)) };
        Ok(())
    })
}

/// OpenID Connect discovery: fetches `issuer/.well-known/openid-configuration` now
/// (`(issuer, issuer_len)`, UTF-8), checks that its `issuer` equals `issuer` exactly,
/// and creates a fetching source for its `jwks_uri`, as `jwtkit_jwks_source_from_url`
/// does (same options, same URL rules).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (as for
/// `jwtkit_jwks_source_from_url`), JWTKIT_ERR_KEY_SOURCE (the configuration could not
/// be fetched, is not JSON, names another issuer or no `jwks_uri`), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_source_from_issuer(
    issuer: *const u8,
    issuer_len: usize,
    options: *const jwtkit_jwks_options,
    out: *mut *const jwtkit_jwks_source,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    unsafe { make_fetching(issuer, issuer_len, "issuer", options, out, out_err, JwksSource::from_issuer) }
}

/// Releases the caller's reference. NULL is a no-op; must not be called twice on the
/// same pointer, nor while another thread still uses it.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_source_free(source: *const jwtkit_jwks_source) {
    infallible((), || unsafe { free_shared(source) })
}

/// Verifies a JWT with the source's keys, as `jwtkit_verify_with_keyset` does with a
/// set (same outputs, same ownership). A fetching source first refreshes when due. A
/// token whose `kid` the set lacks makes the source refresh (at most once per
/// cooldown; a fed source only notes it for `jwtkit_jwks_source_refresh_wanted`) and, if
/// that brought a new set, is verified once more.
///
/// Returns JWTKIT_OK and the statuses of `jwtkit_verify_with_keyset`, and JWTKIT_ERR_KEY_SOURCE (no key
/// set: never fetched or fed, or the last good one is past its maximum staleness; the
/// message says why).
#[no_mangle]
pub unsafe extern "C" fn jwtkit_verify_with_source(
    token: *const u8,
    token_len: usize,
    source: *const jwtkit_jwks_source,
    validation: *const jwtkit_validation,
    out_header: *mut *mut c_char,
    out_header_len: *mut usize,
    out_claims: *mut *mut c_char,
    out_claims_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let source = unsafe { borrow(source, "source") }?;
        source.verify_with(
            |keys| unsafe {
                let header = OutString::new(out_header, out_header_len);
                let claims = OutString::new(out_claims, out_claims_len);
                verify_to_c(token, token_len, keys, validation, true, header, claims)
            },
            |failure| failure.status == JWTKIT_ERR_KEY_NOT_FOUND,
        )
    })
}

/// The source's current key set (a fetching source refreshes first when due): on
/// success `*out` receives a new reference owned by the caller (free with
/// `jwtkit_keyset_free`), usable with every `*_with_keyset` call and unaffected by later
/// refreshes.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_KEY_SOURCE (no set: past its
/// maximum staleness, or never fetched), or, when no set was ever had, the last
/// failure's own status (for example JWTKIT_ERR_KEY_INVALID), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_source_keyset(
    source: *const jwtkit_jwks_source,
    out: *mut *const jwtkit_keyset,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let source = unsafe { borrow(source, "source") }?;
        if out.is_null() {
            return Err(null("out"));
        }
        let keys = source.keys()?;
        unsafe { give_shared(out, keys) };
        Ok(())
    })
}

/// Reports that a token named a `kid` missing from `seen` (a set from
/// `jwtkit_jwks_source_keyset`), as verification does itself. A fetching source
/// refreshes (unless in cooldown; a fetch in flight is waited for); if that brought a
/// new set, `*out` receives it (owned by the caller, free with `jwtkit_keyset_free`),
/// and whenever the current set is another than `seen` (another thread's refresh);
/// NULL when the current set is `seen` (a fed source only notes the `kid`).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, the refresh's failure
/// (JWTKIT_ERR_KEY_SOURCE, JWTKIT_ERR_KEY_INVALID; `*out` NULL), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_source_report_unknown_kid(
    source: *const jwtkit_jwks_source,
    seen: *const jwtkit_keyset,
    out: *mut *const jwtkit_keyset,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let source = unsafe { borrow(source, "source") }?;
        if seen.is_null() {
            return Err(null("seen"));
        }
        if out.is_null() {
            return Err(null("out"));
        }
        let seen = unsafe { crate::ffi::handle::clone_shared(seen) };
        unsafe { *out = std::ptr::null() };
        if let Some(newer) = source.report_unknown_kid(&seen)? {
            unsafe { give_shared(out, newer) };
        }
        Ok(())
    })
}

/// A fetching source fetches now, whatever its cache times and cooldown say (or waits
/// for the fetch already in flight), and returns that fetch's outcome; on failure the
/// last good set keeps serving.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (a fed
/// source), JWTKIT_ERR_KEY_SOURCE (no answer, an HTTP error, a refused redirect, a body
/// over the cap), JWTKIT_ERR_KEY_INVALID (not a JWK Set, or no usable key in it),
/// JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_source_refresh(
    source: *const jwtkit_jwks_source,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || Ok(unsafe { borrow(source, "source") }?.refresh()?))
}

/// Sans-I/O: whether the host should fetch now, and why (`JWTKIT_JWKS_REFRESH_NONE`
/// while a refresh is in flight, and for NULL). Never blocks.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_source_refresh_wanted(source: *const jwtkit_jwks_source) -> jwtkit_jwks_refresh {
    infallible(jwtkit_jwks_refresh::JWTKIT_JWKS_REFRESH_NONE, || {
        unsafe { borrow(source, "source") }
            .map_or(jwtkit_jwks_refresh::JWTKIT_JWKS_REFRESH_NONE, |s| s.refresh_wanted().into())
    })
}

/// Sans-I/O: the host starts a fetch (so `jwtkit_jwks_source_refresh_wanted` answers
/// NONE until it ends, or for 2 minutes if it never does). `*out_if_none_match` (if not
/// NULL) receives the `If-None-Match` value to send, owned by the caller (free with
/// `jwtkit_string_free`), or NULL when there is none.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_source_start_refresh(
    source: *const jwtkit_jwks_source,
    out_if_none_match: *mut *mut c_char,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let source = unsafe { borrow(source, "source") }?;
        let tag = source.start_refresh();
        let out = OutString::new(out_if_none_match, std::ptr::null_mut());
        match tag {
            Some(tag) => out.write(tag.as_bytes())?,
            None if !out_if_none_match.is_null() => unsafe { *out_if_none_match = std::ptr::null_mut() },
            None => {}
        }
        Ok(())
    })
}

/// Sans-I/O: the answer the host got: `http_status`, the `Cache-Control` and `ETag`
/// headers (`(ptr, len)`, `(NULL, 0)` when absent) and the body (copied). A 200 with a
/// JWK Set holding a usable key replaces the set; a 304 keeps it and renews its
/// lifetime; anything else is a failure, and the last good set keeps serving.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_KEY_SOURCE (an HTTP error
/// status, a 304 with no set), JWTKIT_ERR_KEY_INVALID (not a JWK Set, or no usable
/// key), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_source_feed(
    source: *const jwtkit_jwks_source,
    http_status: u16,
    cache_control: *const u8,
    cache_control_len: usize,
    etag: *const u8,
    etag_len: usize,
    body: *const u8,
    body_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let source = unsafe { borrow(source, "source") }?;
        let header = |ptr, len, name| -> Result<Option<&str>, crate::ffi::boundary::Failure> {
            Ok(unsafe { optional_input(ptr, len, name) }?.and_then(|b| std::str::from_utf8(b).ok()))
        };
        let answer = Answer {
            status: http_status,
            cache_control: header(cache_control, cache_control_len, "cache_control")?,
            etag: header(etag, etag_len, "etag")?,
            body: unsafe { input(body, body_len, "body") }?,
        };
        Ok(source.feed(&answer)?)
    })
}

/// Sans-I/O: the host's fetch got no answer; `(reason, reason_len)` (UTF-8, may be
/// empty) says why, for `jwtkit_jwks_source_last_failure`. The last good set keeps
/// serving; the next try waits for the cooldown.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_source_fetch_failed(
    source: *const jwtkit_jwks_source,
    reason: *const u8,
    reason_len: usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let source = unsafe { borrow(source, "source") }?;
        let reason = unsafe { input(reason, reason_len, "reason") }?;
        let reason = String::from_utf8_lossy(reason);
        source.fetch_failed(if reason.is_empty() { "the host's fetch failed" } else { &reason });
        Ok(())
    })
}

/// Fills `*out` with the source's state (see `jwtkit_jwks_status`).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_source_status(
    source: *const jwtkit_jwks_source,
    out: *mut jwtkit_jwks_status,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let source = unsafe { borrow(source, "source") }?;
        if out.is_null() {
            return Err(null("out"));
        }
        let s = source.status();
        let status = jwtkit_jwks_status {
            key_count: s.key_count,
            ms_since_success: ms(s.since_success),
            ms_fresh_for: ms(s.fresh_for),
            ms_since_failure: ms(s.last_failure.as_ref().map(|f| f.0)),
            failing: s.failing,
            attempts: s.attempts,
            failures: s.failures,
            not_modified: s.not_modified,
        };
        unsafe { out.write(status) };
        Ok(())
    })
}

/// The last failed refresh (kept after later successes; see `failing` in
/// `jwtkit_jwks_source_status`): returns its status, or JWTKIT_OK if none ever failed
/// (or `source` is NULL); `*out` (if not NULL) receives its details, owned by the caller
/// (free with `jwtkit_error_free`), or NULL.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_source_last_failure(
    source: *const jwtkit_jwks_source,
    out: *mut *mut jwtkit_error,
) -> jwtkit_status {
    infallible(JWTKIT_ERR_PANIC, || {
        if !out.is_null() {
            unsafe { *out = std::ptr::null_mut() };
        }
        let Ok(source) = (unsafe { borrow(source, "source") }) else {
            return JWTKIT_OK;
        };
        let Some((_, error)) = source.status().last_failure else {
            return JWTKIT_OK;
        };
        let failure = crate::ffi::boundary::Failure::from(error);
        let status = failure.status;
        if !out.is_null() {
            let err = jwtkit_error::new(status, &failure.message, failure.claim.as_deref());
            unsafe { *out = Box::into_raw(Box::new(err)) };
        }
        status
    })
}

/// The JWK Set document the current keys were read from, as fetched or fed: on success
/// `*out` receives it NUL-terminated, owned by the caller (free with
/// `jwtkit_string_free`), and `*out_len` (if not NULL) its length.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_KEY_SOURCE (no set yet),
/// JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_jwks_source_document(
    source: *const jwtkit_jwks_source,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let source = unsafe { borrow(source, "source") }?;
        let out = OutString::new(out, out_len).required("out")?;
        let document = source.document().ok_or_else(|| crate::Error::KeySource("no key set yet".into()))?;
        out.write(&document)
    })
}
