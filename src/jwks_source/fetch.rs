//! Fetching a JWKS or discovery document over HTTPS (ureq on rustls, with the library's
//! own cryptographic backend as rustls's provider). The rules are the caller's safety:
//! `https://` only, unless `http://` is explicitly allowed; redirects followed here, at
//! most `max_redirects`, never from https to http nor to any other scheme; connect and
//! total timeouts; a body cap; the system's CA store plus the caller's CAs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ureq::http::Uri;
use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};

use crate::error::{Error, Result};
use crate::jwks_source::options::FetchOptions;

/// An HTTP answer, read whole.
#[derive(Debug)]
pub struct Response {
    /// The final status (after redirects).
    pub status: u16,
    /// `Cache-Control`, if any.
    pub cache_control: Option<String>,
    /// `ETag`, if any.
    pub etag: Option<String>,
    /// The body, at most `max_body` bytes.
    pub body: Vec<u8>,
}

/// A configured client: one per source, shared by its threads.
pub struct Fetcher {
    agent: ureq::Agent,
    options: FetchOptions,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher").field("options", &self.options).finish_non_exhaustive()
    }
}

const USER_AGENT: &str = concat!("jwtkit/", env!("CARGO_PKG_VERSION"));

impl Fetcher {
    /// Builds the client (reads the system CA store once).
    pub fn new(options: FetchOptions) -> Result<Fetcher> {
        let mut roots: Vec<Certificate<'static>> =
            options.extra_roots.iter().map(|der| Certificate::from_der(der).to_owned()).collect();
        if options.system_roots {
            // Unreadable entries of the store are skipped, as OpenSSL does.
            let found = rustls_native_certs::load_native_certs();
            roots.extend(found.certs.iter().map(|c| Certificate::from_der(c.as_ref()).to_owned()));
        }
        if roots.is_empty() {
            return Err(Error::InvalidArgument(
                "no trusted CA certificate: the system store is empty or off, and none was added".into(),
            ));
        }
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(Arc::new(crypto_provider()))
            .root_certs(RootCerts::Specific(Arc::new(roots)))
            .build();
        let agent = ureq::Agent::config_builder()
            .tls_config(tls)
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(USER_AGENT)
            .accept("application/jwk-set+json, application/json")
            .timeout_connect(Some(options.connect_timeout))
            .max_response_header_size(64 * 1024)
            .build()
            .new_agent();
        Ok(Fetcher { agent, options })
    }

    /// Whether plain `http://` URLs are allowed.
    pub fn allows_http(&self) -> bool {
        self.options.allow_http
    }

    /// The time a whole fetch may take.
    pub fn timeout(&self) -> Duration {
        self.options.timeout
    }

    /// Checks that a URL may be fetched at all: an absolute http(s) URL with a host,
    /// `https` unless `http` is allowed.
    pub fn check_url(&self, url: &str) -> Result<()> {
        check_url(url, self.options.allow_http)
    }

    /// GETs `url`, with `If-None-Match` when given, following redirects by the rules of
    /// the module comment. A status other than 2xx/304 is a `Response`, not an error.
    pub fn get(&self, url: &str, if_none_match: Option<&str>) -> Result<Response> {
        self.check_url(url)?;
        let deadline = Instant::now() + self.options.timeout;
        let mut current = url.to_owned();
        for hop in 0..=self.options.max_redirects {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(timed_out(url, self.options.timeout));
            }
            let mut request = self.agent.get(&current).config().timeout_global(Some(remaining)).build();
            for (name, value) in &self.options.headers {
                request = request.header(name.as_str(), value.as_str());
            }
            if let Some(tag) = if_none_match {
                request = request.header("If-None-Match", tag);
            }
            let mut response = request.call().map_err(|e| fetch_error(&current, e, self.options.timeout))?;
            let status = response.status().as_u16();
            let header = |name: &str| {
                // Raw (visible ASCII, by `to_str`): an ETag is sent back byte for byte. Only
                // messages quote them, escaped.
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .filter(|v| v.len() <= 1024)
                    .map(str::to_owned)
            };
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let location = header("location").ok_or_else(|| {
                    Error::KeySource(format!("{}: HTTP {status} without a Location", quoted(&current)))
                })?;
                let next = resolve(&current, &location)?;
                redirect_allowed(&current, &next, self.options.allow_http)?;
                if hop == self.options.max_redirects {
                    break;
                }
                current = next;
                continue;
            }
            let (cache_control, etag) = (header("cache-control"), header("etag"));
            let body = if status == 200 {
                let limit = self.options.max_body as u64;
                response.body_mut().with_config().limit(limit).read_to_vec().map_err(|e| match e {
                    ureq::Error::BodyExceedsLimit(_) => {
                        Error::KeySource(format!("{current}: the body is larger than {limit} bytes"))
                    }
                    e => fetch_error(&current, e, self.options.timeout),
                })?
            } else {
                Vec::new()
            };
            return Ok(Response { status, cache_control, etag, body });
        }
        Err(Error::KeySource(format!("{url}: more than {} redirects", self.options.max_redirects)))
    }
}

// rustls marks ring's provider deprecated because ring has no post-quantum key exchange;
// the ring build stays on one cryptographic library by choice (the aws-lc build has it).
#[cfg(feature = "ring")]
#[allow(deprecated)]
fn crypto_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

#[cfg(all(feature = "aws-lc", not(feature = "ring")))]
fn crypto_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::aws_lc_rs::default_provider()
}

fn timed_out(url: &str, total: Duration) -> Error {
    Error::KeySource(format!("{url}: timed out after {} ms", total.as_millis()))
}

fn fetch_error(url: &str, e: ureq::Error, total: Duration) -> Error {
    match e {
        ureq::Error::Timeout(_) => timed_out(url, total),
        e => Error::KeySource(format!("{url}: {}", crate::error::excerpt(&e.to_string(), 200))),
    }
}

/// The parts of a URL the rules look at.
fn parts(url: &str) -> Result<(String, Uri)> {
    let uri: Uri = url.parse().map_err(|_| Error::InvalidArgument(format!("not a URL: {}", quoted(url))))?;
    let scheme = uri.scheme_str().map(str::to_ascii_lowercase).unwrap_or_default();
    if uri.host().is_none_or(str::is_empty) {
        return Err(Error::InvalidArgument(format!("not an absolute URL with a host: {}", quoted(url))));
    }
    Ok((scheme, uri))
}

fn quoted(url: &str) -> String {
    format!("\"{}\"", crate::error::excerpt(url, 200))
}

/// See [`Fetcher::check_url`].
pub fn check_url(url: &str, allow_http: bool) -> Result<()> {
    let (scheme, _) = parts(url)?;
    match scheme.as_str() {
        "https" => Ok(()),
        "http" if allow_http => Ok(()),
        "http" => Err(Error::InvalidArgument(format!(
            "refusing the plain-HTTP URL {}: a key set fetched in clear can be replaced on the way; \
             use https, or allow http explicitly (tests, loopback)",
            quoted(url)
        ))),
        _ => Err(Error::InvalidArgument(format!("only https URLs can be fetched, not {}", quoted(url)))),
    }
}

/// Resolves a `Location` against the URL it came from (absolute, scheme-relative,
/// absolute-path and relative-path forms).
fn resolve(base: &str, location: &str) -> Result<String> {
    if location.contains("://") || location.split_once(':').is_some_and(|(s, _)| !s.contains('/')) {
        return Ok(location.to_owned());
    }
    let (scheme, uri) = parts(base)?;
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or_default();
    if let Some(rest) = location.strip_prefix("//") {
        return Ok(format!("{scheme}://{rest}"));
    }
    if location.starts_with('/') {
        return Ok(format!("{scheme}://{authority}{location}"));
    }
    let dir = uri.path().rsplit_once('/').map_or("", |(d, _)| d);
    Ok(format!("{scheme}://{authority}{dir}/{location}"))
}

/// A redirect may keep or raise the scheme's safety, never lower it or leave http(s).
fn redirect_allowed(from: &str, to: &str, allow_http: bool) -> Result<()> {
    let refused =
        |why: &str| Error::KeySource(format!("refused redirect from {} to {}: {why}", quoted(from), quoted(to)));
    let to_scheme = match parts(to) {
        Ok((scheme, _)) => scheme,
        Err(_) => return Err(refused("not an http(s) URL")),
    };
    let from_https = parts(from)?.0 == "https";
    match to_scheme.as_str() {
        "https" => Ok(()),
        "http" if from_https => Err(refused("from https to http")),
        "http" if allow_http => Ok(()),
        "http" => Err(refused("plain http is not allowed")),
        _ => Err(refused("only http(s) redirects are followed")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(check_url("https://idp.example/jwks", false).is_ok());
        assert!(check_url("http://127.0.0.1:8080/jwks", false).unwrap_err().to_string().contains("plain-HTTP"));
        assert!(check_url("http://127.0.0.1:8080/jwks", true).is_ok());
        for bad in ["file:///etc/passwd", "ftp://x/y", "/relative", "https://", "not a url", "gopher://h/"] {
            assert!(check_url(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn redirects() {
        let base = "https://idp.example/a/b/jwks";
        assert_eq!(resolve(base, "/keys").unwrap(), "https://idp.example/keys");
        assert_eq!(resolve(base, "keys").unwrap(), "https://idp.example/a/b/keys");
        assert_eq!(resolve(base, "//cdn.example/k").unwrap(), "https://cdn.example/k");
        assert_eq!(resolve(base, "file:///etc/passwd").unwrap(), "file:///etc/passwd");
        assert!(redirect_allowed(base, "https://cdn.example/k", false).is_ok());
        assert!(redirect_allowed(base, "http://idp.example/k", true).is_err(), "https to http");
        assert!(redirect_allowed(base, "file:///etc/passwd", true).is_err());
        assert!(redirect_allowed("http://127.0.0.1/a", "http://127.0.0.1/b", true).is_ok());
        assert!(redirect_allowed("http://127.0.0.1/a", "https://127.0.0.1/b", false).is_ok());
    }
}
