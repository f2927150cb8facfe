//! The C ABI: the functions, handle types and constants of the C header
//! `include/jwtkit.h`, which cbindgen generates from this module (its doc comments are
//! the header's documentation). Rust code should use the Rust API at the crate root
//! instead; these items are public for the shared and static libraries and for the
//! project's tests of the C surface.
//!
//! Every exported item is named `jwtkit_*` / `JWTKIT_*`; this module only converts
//! between C and the core (pointers, lengths, handles, status codes) and never decides
//! anything about tokens. Every exported body runs inside `boundary`, which turns a
//! panic into `JWTKIT_ERR_PANIC`.
#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)] // the safety contract is in each function's C docs

mod boundary;
mod detached;
mod dpop;
mod error;
mod handle;
mod jwe;
mod jwe_json;
mod jwks_source;
mod jws_json;
mod key;
mod key_export;
mod keyset;
mod member;
mod numbered;
mod sign_options;
mod status;
mod token;
mod validation;
mod version;

pub use boundary::jwtkit_string_free;
pub use detached::*;
pub use dpop::*;
pub use error::*;
pub use jwe::*;
pub use jwe_json::*;
pub use jwks_source::*;
pub use jws_json::*;
pub use key::*;
pub use key_export::*;
pub use keyset::*;
pub use member::*;
pub use sign_options::*;
pub use status::*;
pub use token::*;
pub use validation::*;
pub use version::*;
