//! jwtkit: JSON Web Tokens (RFC 7519) signed as JWS compact serialization (RFC 7515)
//! and encrypted as JWE compact serialization (RFC 7516), with a C ABI.
//!
//! The Rust API is the items re-exported here and six modules of operations:
//! - [`jwt`]: sign and verify JWTs (a JSON object of claims), checking the claims
//!   against a [`Validation`] policy;
//! - [`jws`]: sign and verify arbitrary payloads (the signature only, no claims);
//! - [`jws_json`]: the JWS JSON serialization: several signatures over one payload,
//!   verified under the rule the caller chooses;
//! - [`jwe`]: encrypt and decrypt (JWE compact serialization), and nested JWTs;
//! - [`dpop`]: DPoP proofs of possession (RFC 9449): verifying and creating proofs,
//!   binding access tokens to a proof's key;
//! - [`dangerous`]: reading a token without verifying it.
//!
//! Keys are [`Key`] (one key) and [`KeySet`] (keys chosen by `kid`, e.g. from a JWKS);
//! every verification takes an explicit allow-list of algorithms in its policy, and
//! nothing in a token can choose a key or widen that list. Every failure is an
//! [`Error`].
//!
//! ```
//! use jwtkit::{jwt, Algorithm, Key, Validation};
//!
//! let key = Key::from_secret(b"a secret of at least thirty-two bytes!!").unwrap();
//! let token = jwt::sign(&key, Algorithm::HS256, br#"{"sub":"alice"}"#, None).unwrap();
//! let verified = jwt::verify(token.as_bytes(), &key, &Validation::new(&[Algorithm::HS256]).unwrap()).unwrap();
//! assert_eq!(verified.claims_json, br#"{"sub":"alice"}"#);
//! ```
//!
//! The C ABI is [`ffi`]; the core modules behind all of this are private, so the C and
//! Python surfaces and Rust callers share one implementation.
#![forbid(unsafe_op_in_unsafe_fn)]
#![deny(missing_docs)]

// With the `aws-lc` feature, aws-lc-rs stands in for ring under ring's name (backend.rs).
#[cfg(all(feature = "aws-lc", not(feature = "ring")))]
extern crate aws_lc_rs as ring;

mod backend;

mod alg;
mod b64;
mod claims;
mod error;
mod header;
mod issue;
mod json;
mod jwks;
mod key;
mod limits;
mod member_text;
mod uri;

pub mod dangerous;
pub mod dpop;
pub mod ffi;
pub mod jwe;
pub mod jwks_source;
pub mod jws;
pub mod jws_json;
pub mod jwt;

// Each re-export's doc is the summary of its item's page; the empty `///` line closes
// that paragraph before the item's own documentation.
/// A JWS algorithm (`HS256` … `EdDSA`): what a token is signed with, and what a
/// [`Validation`] allows.
///
pub use alg::Algorithm;
/// The kind of key, and for EC the curve, that an [`Algorithm`] needs.
///
pub use alg::Family;
/// The claim checks of a [`Validation`] that can be switched off one by one.
///
pub use claims::Checks;
/// A revocation check, for [`Validation::set_revocation_check`].
///
pub use claims::RevocationCheck;
/// The verification policy: allowed algorithms, time, issuer, audience and other claims.
///
pub use claims::Validation;
/// Why an operation failed: the one error type of every operation.
///
pub use error::Error;
/// `Result<T, Error>`.
///
pub use error::Result;
/// The members of a verified token's protected header that jwtkit reads.
///
pub use header::Header;
/// Claims jwtkit adds when it issues a JWT with [`jwt::sign_with`], and extra header members.
///
pub use issue::SignOptions;
/// A set of keys (e.g. a JWKS) that verification, or decryption, chooses from by `kid`.
///
pub use jwks::KeySet;
/// What a [`KeySet`] is for: verification or decryption.
///
pub use jwks::Purpose;
/// A key that [`KeySet::from_jwks`] (or `from_keys`) left out, and why.
///
pub use jwks::SkippedKey;
/// One key: an HMAC secret, or an RSA, EC, Ed25519 or X25519 key, private or public.
///
pub use key::Key;
/// Resource limits applied to a token before any expensive work.
///
pub use limits::Limits;
/// A member of a JSON object (claims or a header) by a path of names, as the text a host
/// shows (strings as themselves, arrays joined with commas, objects as JSON).
///
pub use member_text::member_text;

/// Internals that the project's own tests and fuzz targets reach into (the JSON scanner,
/// the base64url codec, the JWE primitives). Not part of the API: anything here may
/// change or disappear in any release.
#[doc(hidden)]
pub mod __internals {
    /// Strict base64url (`crate::b64`).
    pub mod b64 {
        pub use crate::b64::*;
    }
    /// The JSON readers and scanner (`crate::json`).
    pub mod json {
        pub use crate::json::*;
    }
    /// The JWE content encryption, key wrap, key agreement and KDF primitives.
    pub mod jwe_primitives {
        pub use crate::jwe::primitives::*;
    }
}
