//! Status codes, their names, and the error object a failed call hands out (its C
//! accessors are in `ffi::error`). Codes are grouped by range
//! (1–99 misuse, 100s keys, 200s token format, 300s algorithm and signature, 400s
//! claims, 500s encryption, 600s DPoP proof of possession); a number, once published, is never reused for another meaning.

use std::ffi::CString;

use crate::error::Error;

/// The result of every fallible jwtkit function: `JWTKIT_OK` (0) or one of the
/// `JWTKIT_ERR_*` codes. Always a fixed-width 32-bit integer.
pub type jwtkit_status = i32;

/// Success.
pub const JWTKIT_OK: jwtkit_status = 0;
/// A required pointer was NULL, or an input was (NULL, len > 0).
pub const JWTKIT_ERR_NULL_ARGUMENT: jwtkit_status = 1;
/// An argument is out of range: unknown algorithm number or flag, empty allow-list,
/// extra header members that contradict the call.
pub const JWTKIT_ERR_INVALID_ARGUMENT: jwtkit_status = 2; // from Error::InvalidArgument
/// A bug inside jwtkit was caught at the C boundary; nothing was written.
pub const JWTKIT_ERR_PANIC: jwtkit_status = 3;
/// Memory for an output could not be allocated.
pub const JWTKIT_ERR_OUT_OF_MEMORY: jwtkit_status = 4;
/// Key material is malformed: bad PEM/DER/JWK, a point not on its curve, mismatched halves.
pub const JWTKIT_ERR_KEY_INVALID: jwtkit_status = 100; // from Error::KeyInvalid
/// A well-formed key of a kind jwtkit does not support (encrypted PEM, Ed448, brainpool curves, …).
pub const JWTKIT_ERR_KEY_UNSUPPORTED: jwtkit_status = 101; // from Error::KeyUnsupported
/// RSA modulus under 2048 bits, or an HMAC secret shorter than the hash output.
pub const JWTKIT_ERR_KEY_TOO_WEAK: jwtkit_status = 102; // from Error::KeyTooWeak
/// The key's kind or curve does not fit the algorithm (e.g. an RSA key for HS256).
pub const JWTKIT_ERR_KEY_ALG_MISMATCH: jwtkit_status = 103; // from Error::KeyAlgMismatch
/// Signing needs a private key or secret; this key is public.
pub const JWTKIT_ERR_KEY_CANNOT_SIGN: jwtkit_status = 104; // from Error::KeyCannotSign
/// The JWK's `alg`, `use` or `key_ops` forbid this operation.
pub const JWTKIT_ERR_KEY_USAGE: jwtkit_status = 105; // from Error::KeyUsage
/// No key in the key set has the token's `kid`, or fits its algorithm.
pub const JWTKIT_ERR_KEY_NOT_FOUND: jwtkit_status = 106; // from Error::KeyNotFound
/// Bytes given as an HMAC secret have the shape of key material (PEM of any label, a
/// DER key or certificate, base64 of one, a JWK or JWK Set, an OpenSSH public key),
/// whether or not jwtkit can load it: key material is never an HMAC secret.
pub const JWTKIT_ERR_KEY_NOT_SECRET: jwtkit_status = 107; // from Error::KeyNotSecret
/// A JWKS source has no key set to offer: its URL could not be fetched (network,
/// timeout, HTTP status, a refused redirect, a body over the cap), it was never fed one,
/// or its last good set is older than its maximum staleness.
pub const JWTKIT_ERR_KEY_SOURCE: jwtkit_status = 108; // from Error::KeySource
/// Not a compact JWS: wrong number of segments, empty, non-ASCII, JSON serialization.
pub const JWTKIT_ERR_TOKEN_MALFORMED: jwtkit_status = 200; // from Error::TokenMalformed
/// The token is longer than the limit (128 KiB by default).
pub const JWTKIT_ERR_TOKEN_TOO_LARGE: jwtkit_status = 201; // from Error::TokenTooLarge
/// A segment is not strict base64url (padding, `+` `/`, whitespace, non-zero trailing bits).
pub const JWTKIT_ERR_BASE64: jwtkit_status = 202; // from Error::Base64
/// Header or claims are not one UTF-8 JSON object: invalid JSON, duplicate member, BOM, …
pub const JWTKIT_ERR_JSON: jwtkit_status = 203; // from Error::Json
/// JSON nested deeper than 64 levels, or a header over 8 KiB.
pub const JWTKIT_ERR_JSON_LIMIT: jwtkit_status = 204; // from Error::JsonLimit
/// A header member has the wrong type or is missing (`alg`), or `b64` is present.
pub const JWTKIT_ERR_HEADER_INVALID: jwtkit_status = 205; // from Error::HeaderInvalid
/// `crit` names an extension jwtkit does not implement.
pub const JWTKIT_ERR_CRIT_UNSUPPORTED: jwtkit_status = 206; // from Error::CritUnsupported
/// Unknown algorithm name, including `none` in any spelling, or no `alg` at all.
pub const JWTKIT_ERR_ALG_UNSUPPORTED: jwtkit_status = 300; // from Error::AlgUnsupported
/// The token's algorithm is not in the caller's allow-list.
pub const JWTKIT_ERR_ALG_NOT_ALLOWED: jwtkit_status = 301; // from Error::AlgNotAllowed
/// The signature does not verify (wrong key, tampered token, wrong length, DER ECDSA, …).
pub const JWTKIT_ERR_SIGNATURE_INVALID: jwtkit_status = 302; // from Error::SignatureInvalid
/// A registered claim has the wrong type (e.g. `exp` is a string).
pub const JWTKIT_ERR_CLAIM_INVALID: jwtkit_status = 400; // from Error::ClaimInvalid
/// The token has expired: now >= exp + leeway.
pub const JWTKIT_ERR_EXPIRED: jwtkit_status = 401; // from Error::Expired
/// The token is not valid yet: now < nbf - leeway.
pub const JWTKIT_ERR_NOT_YET_VALID: jwtkit_status = 402; // from Error::NotYetValid
/// `iat` is in the future beyond the leeway.
pub const JWTKIT_ERR_ISSUED_IN_FUTURE: jwtkit_status = 403; // from Error::IssuedInFuture
/// `iat` is older than the validation's maximum age.
pub const JWTKIT_ERR_TOO_OLD: jwtkit_status = 404; // from Error::TooOld
/// A claim the validation requires is absent (including `iss`/`aud`/`sub` when an
/// expected value is configured, and `iat` with a maximum age).
pub const JWTKIT_ERR_CLAIM_MISSING: jwtkit_status = 405; // from Error::ClaimMissing
/// `iss` is not one of the accepted issuers (exact comparison).
pub const JWTKIT_ERR_ISSUER_MISMATCH: jwtkit_status = 406; // from Error::IssuerMismatch
/// `aud` does not contain an expected audience, or the token has an audience and none
/// is expected.
pub const JWTKIT_ERR_AUDIENCE_MISMATCH: jwtkit_status = 407; // from Error::AudienceMismatch
/// `sub` is not the expected subject.
pub const JWTKIT_ERR_SUBJECT_MISMATCH: jwtkit_status = 408; // from Error::SubjectMismatch
/// The header's `typ` is absent or not the required one.
pub const JWTKIT_ERR_TYP_MISMATCH: jwtkit_status = 409; // from Error::TypMismatch
/// The revocation check reported the token as revoked.
pub const JWTKIT_ERR_REVOKED: jwtkit_status = 410; // from Error::Revoked
/// A JWE did not decrypt: wrong key, or a modified encrypted key, IV, ciphertext, tag or
/// header. Every failure of this kind has this one status and one message.
pub const JWTKIT_ERR_JWE_DECRYPTION_FAILED: jwtkit_status = 500; // from Error::DecryptionFailed
/// Unknown content encryption (`enc`), or one jwtkit does not offer (AES-192).
pub const JWTKIT_ERR_JWE_ENC_UNSUPPORTED: jwtkit_status = 501; // from Error::EncUnsupported
/// The token's `enc` is not in the policy's allow-list.
pub const JWTKIT_ERR_JWE_ENC_NOT_ALLOWED: jwtkit_status = 502; // from Error::EncNotAllowed
/// `RSA1_5`: refused whatever the policy (Bleichenbacher's padding-oracle attack).
pub const JWTKIT_ERR_JWE_ALG_INSECURE: jwtkit_status = 503; // from Error::AlgInsecure
/// The token is compressed (`zip`) and the policy does not allow compression.
pub const JWTKIT_ERR_JWE_ZIP_NOT_ALLOWED: jwtkit_status = 504; // from Error::ZipNotAllowed
/// Compressed content inflates past the policy's cap, or is not valid DEFLATE.
pub const JWTKIT_ERR_JWE_ZIP_LIMIT: jwtkit_status = 505; // from Error::ZipLimit
/// The header's `epk` is not a public key on the recipient's curve (invalid-curve
/// point, wrong curve, low-order X25519 point, malformed JWK).
pub const JWTKIT_ERR_JWE_EPK_INVALID: jwtkit_status = 506; // from Error::EpkInvalid
/// Decryption needs a private key or secret; this key is public.
pub const JWTKIT_ERR_JWE_KEY_CANNOT_DECRYPT: jwtkit_status = 507; // from Error::KeyCannotDecrypt
/// A PBES2 token's `p2c` (PBKDF2 iteration count) is over the policy's cap (10000 by
/// default, `jwtkit_jwe_policy_set_max_p2c`): refused before any key derivation.
pub const JWTKIT_ERR_JWE_P2C_LIMIT: jwtkit_status = 508; // from Error::P2cLimit
/// A DPoP proof's `jwk` holds a private or secret key member (`d`, `p`, `q`, `dp`,
/// `dq`, `qi`, `oth`, `k`): a proof carries only a public key (RFC 9449 §4.3).
pub const JWTKIT_ERR_DPOP_PRIVATE_JWK: jwtkit_status = 600; // from Error::DpopPrivateJwk
/// A DPoP proof's `htm` is not the request's method.
pub const JWTKIT_ERR_DPOP_HTM_MISMATCH: jwtkit_status = 601; // from Error::DpopHtmMismatch
/// A DPoP proof's `htu` is not the request's URI (query and fragment left out, both
/// normalised as RFC 3986 §6 allows), or has a query or fragment itself.
pub const JWTKIT_ERR_DPOP_HTU_MISMATCH: jwtkit_status = 602; // from Error::DpopHtuMismatch
/// A DPoP proof's `ath` is not base64url(SHA-256(access token)), or a proof is bound to
/// an access token other than the one it was verified against.
pub const JWTKIT_ERR_DPOP_ATH_MISMATCH: jwtkit_status = 603; // from Error::DpopAthMismatch
/// A nonce is expected and the DPoP proof has none or another one: answer
/// `use_dpop_nonce` with a fresh `DPoP-Nonce` header (RFC 9449 §8, §9).
pub const JWTKIT_ERR_DPOP_NONCE: jwtkit_status = 604; // from Error::DpopNonce
/// The replay check has seen this proof's `jti` (for this key) within the window.
pub const JWTKIT_ERR_DPOP_REPLAYED: jwtkit_status = 605; // from Error::DpopReplayed
/// The replay check could not answer (its store failed); the proof is refused.
pub const JWTKIT_ERR_DPOP_REPLAY_CHECK: jwtkit_status = 606; // from Error::DpopReplayCheck
/// A token presented with a DPoP proof is not bound to the proof's key (`cnf.jkt`
/// absent, or not the thumbprint of the proof's `jwk`).
pub const JWTKIT_ERR_DPOP_BINDING_MISMATCH: jwtkit_status = 607; // from Error::DpopBindingMismatch
/// A DPoP-bound token (one with `cnf.jkt`) was presented as a plain Bearer token.
pub const JWTKIT_ERR_DPOP_BOUND_TOKEN_AS_BEARER: jwtkit_status = 608; // from Error::DpopBoundTokenAsBearer

// `STATUS_NAMES` (for `jwtkit_status_str`) and `status_of` (each `Error` variant's
// status, from the `// from Error::…` notes above): generated by build.rs from this file.
include!(concat!(env!("OUT_DIR"), "/status_table.rs"));

/// Details of a failed call: a status and a message. Created by jwtkit, owned by the
/// caller, released with `jwtkit_error_free`. Not shared between threads by jwtkit.
pub struct jwtkit_error {
    pub(crate) status: jwtkit_status,
    pub(crate) message: CString,
    pub(crate) claim: Option<CString>,
}

/// The longest message a `jwtkit_error` carries, in bytes (before the NUL).
const MAX_MESSAGE_LEN: usize = 512;
/// The longest claim name a `jwtkit_error` carries, in bytes.
const MAX_CLAIM_LEN: usize = 128;

impl jwtkit_error {
    pub(crate) fn new(status: jwtkit_status, message: &str, claim: Option<&str>) -> jwtkit_error {
        // Every message reaching C passes here: whatever quoted input it holds was escaped
        // and cut where it was quoted; this bounds the whole and escapes anything left
        // (a NUL included), so no message can break a log line or a C string.
        let message = CString::new(crate::error::tidy(message, MAX_MESSAGE_LEN)).unwrap_or_default();
        let claim = claim.and_then(|c| CString::new(crate::error::tidy(c, MAX_CLAIM_LEN)).ok());
        jwtkit_error { status, message, claim }
    }
}
