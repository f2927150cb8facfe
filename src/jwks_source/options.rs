//! How a fetching source fetches: the options, kept apart from the client so that a
//! build without the `fetch` feature still has them (the C ABI is the same in every
//! build).

use std::time::Duration;

use crate::error::{Error, Result};

/// How a source fetches.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Accept `http://` URLs (and redirects from http to http). Off: tests and loopback
    /// only; a key set fetched in clear can be replaced on the way.
    pub allow_http: bool,
    /// Trust the system's CA store (on by default).
    pub system_roots: bool,
    /// More trusted CA certificates (DER), e.g. a private CA.
    pub extra_roots: Vec<Vec<u8>>,
    /// Time to connect (5 s).
    pub connect_timeout: Duration,
    /// Time for the whole fetch, redirects included (10 s).
    pub timeout: Duration,
    /// Largest body read (1 MiB).
    pub max_body: usize,
    /// Redirects followed (3).
    pub max_redirects: u32,
    /// Extra request headers (e.g. an API key some gateways want).
    pub headers: Vec<(String, String)>,
}

impl Default for FetchOptions {
    fn default() -> FetchOptions {
        FetchOptions {
            allow_http: false,
            system_roots: true,
            extra_roots: Vec::new(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            max_body: crate::jwks::MAX_JWKS_LEN,
            max_redirects: 3,
            headers: Vec::new(),
        }
    }
}

impl FetchOptions {
    /// Adds the CA certificates of a PEM file (or a single DER certificate) to the
    /// trusted roots.
    pub fn add_ca_file(&mut self, path: &std::path::Path) -> Result<()> {
        let bytes =
            std::fs::read(path).map_err(|e| Error::InvalidArgument(format!("CA file {}: {e}", path.display())))?;
        self.add_ca(&bytes).map_err(|e| Error::InvalidArgument(format!("CA file {}: {e}", path.display())))
    }

    /// Adds CA certificates, PEM (one or more) or one DER certificate. Each must parse as
    /// an X.509 certificate: bytes that do not are refused, not stored.
    pub fn add_ca(&mut self, bytes: &[u8]) -> Result<()> {
        let mut found = Vec::new();
        if bytes.first() == Some(&0x30) {
            found.push(bytes.to_vec());
        } else {
            const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
            const END: &[u8] = b"-----END CERTIFICATE-----";
            let mut rest = bytes;
            while let Some(at) = memchr::memmem::find(rest, BEGIN) {
                let block = &rest[at..];
                let end = memchr::memmem::find(block, END).map_or(block.len(), |e| e + END.len());
                let (_, der) = pem_rfc7468::decode_vec(&block[..end])
                    .map_err(|e| Error::InvalidArgument(format!("a PEM certificate does not decode: {e}")))?;
                found.push(der);
                rest = &block[end..];
            }
        }
        if found.is_empty() {
            return Err(Error::InvalidArgument("no certificate found (PEM or DER expected)".into()));
        }
        for (i, der) in found.iter().enumerate() {
            use x509_cert::der::Decode as _;
            x509_cert::Certificate::from_der(der)
                .map_err(|e| Error::InvalidArgument(format!("certificate {} is not X.509: {e}", i + 1)))?;
        }
        self.extra_roots.extend(found);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_certificates_are_added() {
        let mut o = FetchOptions::default();
        for garbage in [&b"0 not a certificate"[..], b"\x30\x03\x02\x01\x01", b"hello", b""] {
            assert!(o.add_ca(garbage).is_err(), "{garbage:?}");
        }
        let pem = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(o.add_ca(pem).is_err(), "base64 of no certificate");
        assert!(o.extra_roots.is_empty());
    }
}
