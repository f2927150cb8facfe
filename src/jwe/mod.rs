//! JSON Web Encryption (RFC 7516), compact and JSON serialization, and nested JWTs.
//!
//! One file a concept: `content` (the `enc` algorithms), `key_mgmt` (the `alg`
//! algorithms, binding keys to them), `ecdh` (key agreement and point validation),
//! `concat_kdf` (RFC 7518 §4.6.2), `rsa_oaep`, `zip` (DEFLATE with a cap), `steps` (what
//! both serializations do: policy checks, one recipient's key management, the content),
//! `compact` (`encrypt`/`decrypt`), `json` (`encrypt_json`/`decrypt_json`: several
//! recipients, `aad`, unprotected headers), `policy` (`JwePolicy`: allow-lists for
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

mod steps;

mod compact;
mod json;
mod nested;
mod policy;
// The primitives alone, for the project's tests (`crate::__internals`).
pub(crate) mod primitives;

pub use compact::{decrypt, encrypt, Decrypted};
pub use content::Enc;
pub use json::{decrypt_json, encrypt_json, DecryptedJson, JsonOptions, JsonRecipient};
pub use key_mgmt::Alg;
pub use nested::{decrypt_claims, decrypt_then_verify, sign_then_encrypt, VerifiedNested};
pub use policy::JwePolicy;
