//! JSON Web Encryption (RFC 7516), compact and JSON serialization, and nested JWTs.
//!
//! One file a concept: `content` (the `enc` algorithms), `key_mgmt` (the `alg`
//! algorithms, binding keys to them), `ecdh` (key agreement and point validation),
//! `concat_kdf` (RFC 7518 §4.6.2), `rsa_oaep`, `gcm_kw` (AES-GCM key wrap), `pbes2`
//! (PBKDF2 and its `p2c`/`p2s` bounds), `zip` (DEFLATE with a cap), `steps` (what both
//! serializations do: policy checks, one recipient's key management, the content),
//! `choice` (which of several keys decryption tries, by `kid`),
//! `compact` (`encrypt`/`decrypt`), `json` (`encrypt_json`/`decrypt_json`: several
//! recipients, `aad`, unprotected headers), `policy` (`JwePolicy`: allow-lists for `alg`
//! and `enc`, compression, the `p2c` cap) and `nested` (sign-then-encrypt,
//! decrypt-then-verify).
//!
//! | `alg` | key | | `enc` |
//! | --- | --- | --- | --- |
//! | `dir` | oct of the CEK's length (16/24/32/48/64) | | `A128GCM`, `A256GCM` (backend) |
//! | `A128KW`, `A192KW`, `A256KW` | oct of 16 / 24 / 32 bytes | | `A192GCM` (`backend`: RustCrypto with ring, AWS-LC's own with aws-lc) |
//! | `A128GCMKW`, `A192GCMKW`, `A256GCMKW` (`iv`, `tag` in the header) | oct of 16 / 24 / 32 bytes | | `A128CBC-HS256`, `A192CBC-HS384`, `A256CBC-HS512` |
//! | `ECDH-ES`, `ECDH-ES+A128KW`, `+A192KW`, `+A256KW` | EC P-256/P-384/P-521, OKP X25519 | | |
//! | `RSA-OAEP-256`, `-384`, `-512`, `RSA-OAEP` (legacy, only when named) | RSA ≥ 2048 bits | | |
//! | `PBES2-HS256+A128KW`, `-HS384+A192KW`, `-HS512+A256KW` (only when named; `p2c` 1000 to the policy's cap, 10000 by default; `p2s` ≥ 8 bytes) | oct: the password | | |
//!
//! Key binding: every shared-key `alg` takes an `oct` key; the JWK's `alg` keeps a key
//! wrap key from serving as a PBES2 password and the reverse (see `key_mgmt`).
//!
//! Refused: `RSA1_5` (its own error: Bleichenbacher).

mod concat_kdf;
mod content;
mod ecdh;
mod gcm_kw;
mod key_mgmt;
mod pbes2;
mod rsa_oaep;
mod zip;

mod choice;
mod steps;

mod compact;
mod json;
mod nested;
mod policy;
// The primitives alone, for the project's tests (`crate::__internals`).
pub(crate) mod primitives;

pub(crate) use choice::{decryption_alg_names, usable_for_decryption};
pub use choice::{key_can_decrypt, DecryptionKeys};
pub use compact::{decrypt, decrypt_with_keys, encrypt, Decrypted};
pub use content::Enc;
pub use json::{decrypt_json, encrypt_json, DecryptedJson, JsonOptions, JsonRecipient};
pub use key_mgmt::Alg;
pub use nested::{
    decrypt_claims, decrypt_claims_with_keys, decrypt_then_verify, decrypt_then_verify_with_keys, sign_then_encrypt,
    VerifiedNested,
};
pub use policy::JwePolicy;
