//! jwtkit: JSON Web Tokens (RFC 7519) signed as JWS compact serialization (RFC 7515)
//! and encrypted as JWE compact serialization (RFC 7516, `jwe`),
//! with a C ABI in `ffi`. The core modules below are pure Rust and hold every rule;
//! the C and Python surfaces only convert types and errors.
#![forbid(unsafe_op_in_unsafe_fn)]

// With the `aws-lc` feature, aws-lc-rs stands in for ring under ring's name (backend.rs).
#[cfg(all(feature = "aws-lc", not(feature = "ring")))]
extern crate aws_lc_rs as ring;

pub mod backend;

pub mod alg;
pub mod b64;
pub mod claims;
pub mod error;
pub mod header;
pub mod issue;
pub mod ffi;
pub mod json;
pub mod jwe;
pub mod jwks;
pub mod jws;
pub mod jwt;
pub mod key;
pub mod limits;

pub use alg::Algorithm;
pub use claims::Validation;
pub use error::{Error, Result};
pub use issue::SignOptions;
pub use jwks::KeySet;
pub use key::Key;
