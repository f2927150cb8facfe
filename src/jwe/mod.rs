//! JSON Web Encryption (RFC 7516), compact serialization, and nested JWTs.
//!
//! One file a concept: `content` (the `enc` algorithms), `key_mgmt` (the `alg`
//! algorithms, binding keys to them), `ecdh` (key agreement and point validation),
//! `concat_kdf` (RFC 7518 §4.6.2), `rsa_oaep`, `zip` (DEFLATE with a cap), `compact`
//! (the serialization, `encrypt`/`decrypt`), `policy` (`JwePolicy`: allow-lists for
//! `alg` and `enc`, compression) and `nested` (sign-then-encrypt, decrypt-then-verify).
//!
//! | `alg` | key | | `enc` |
//! | --- | --- | --- | --- |
//! | `dir` | oct of the CEK's length (16/32/64) | | `A128GCM`, `A256GCM` (ring) |
//! | `A128KW`, `A256KW` | oct of 16 / 32 bytes | | `A128CBC-HS256`, `A256CBC-HS512` |
//! | `ECDH-ES`, `ECDH-ES+A128KW`, `ECDH-ES+A256KW` | EC P-256/P-384/P-521, OKP X25519 | | |
//! | `RSA-OAEP-256`, `RSA-OAEP` (legacy, only when named) | RSA ≥ 2048 bits | | |
//!
//! Refused: `RSA1_5` (its own error: Bleichenbacher), `PBES2-*`, `A*GCMKW`, AES-192.

mod concat_kdf;
mod content;
mod ecdh;
mod gcm_kw;
mod key_mgmt;
mod pbes2;
mod rsa_oaep;
mod zip;

mod compact;
mod nested;
mod policy;
// The primitives alone, for the project's tests (`crate::__internals`).
pub(crate) mod primitives;

pub use compact::{decrypt, encrypt, Decrypted};
pub use content::Enc;
pub use key_mgmt::Alg;
pub use nested::{decrypt_claims, decrypt_then_verify, sign_then_encrypt, VerifiedNested};
pub use policy::JwePolicy;
