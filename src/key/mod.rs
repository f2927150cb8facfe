//! Keys: `Key` holds one parsed key (HMAC secret, RSA, EC P-256/P-384/P-521/secp256k1,
//! Ed25519, X25519; private or public), bound to the algorithms of its own kind. Keys are parsed
//! once, at creation; signing and verifying never re-parse text.
//!
//! Each submodule has one job and imports its siblings directly, never this module:
//! - `material`: the `Key` type, its `Material` and `Restrictions`, and accessors;
//! - `checked`: the checked constructors every import goes through (RSA size, exponent
//!   and ROCA checks; EC point and curve checks; Ed25519, X25519; HMAC secrets);
//! - `sign`: signing and verifying, and the per-algorithm tables;
//! - `pkcs8`: the key algorithm and curve OIDs, and the canonical PKCS#8 form of a
//!   private key;
//! - `der`: import from PEM and DER; `jwk`: import from a JWK;
//! - `export`: JWK, SPKI/PKCS#8 DER and PEM export, thumbprints;
//! - `generate`: new random keys;
//! - `x5c`: a JWK's certificate members agree with its key (no chain validation);
//! - `shape`: recognising bytes that look like key material (never an HMAC secret).

mod checked;
mod der;
mod export;
mod generate;
mod jwk;
mod material;
mod pkcs8;
mod secret;
mod shape;
mod sign;
mod x5c;

pub use material::Key;

pub(crate) use checked::MAX_RSA_BITS;
pub(crate) use checked::{coordinate_len, curve_family, curve_name};
pub(crate) use jwk::{from_jwk_object, Wiped};
pub(crate) use material::{Material, Restrictions};
pub(crate) use sign::hash_len;
