//! The one error type. Every variant maps to exactly one stable C status code
//! (see `ffi::status`); messages say what was wrong and where, never key material.

use thiserror::Error;

/// Each variant is one kind of failure and maps to exactly one
/// C status code (`ffi::status` holds the mapping; each variant names its code); the
/// message says what was wrong and where, and never holds key material. For claim
/// failures, [`Error::claim`] names the claim as data. New variants may be added, so a
/// `match` needs a wildcard arm.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument is out of range or contradicts the call (an empty allow-list, bad limits,
    /// extra header members that contradict the call).
    ///
    /// C status: `JWTKIT_ERR_INVALID_ARGUMENT`.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Key material is malformed: bad PEM, DER or JWK, a point not on its curve, halves of a
    /// key pair that do not match.
    ///
    /// C status: `JWTKIT_ERR_KEY_INVALID`.
    #[error("key: {0}")]
    KeyInvalid(String),
    /// A well-formed key of a kind jwtkit does not support (encrypted PEM, Ed448, brainpool curves, …).
    ///
    /// C status: `JWTKIT_ERR_KEY_UNSUPPORTED`.
    #[error("key: {0}")]
    KeyUnsupported(String),
    /// A key below the minimum strength: an RSA modulus under 2048 bits, an HMAC secret
    /// shorter than the hash output.
    ///
    /// C status: `JWTKIT_ERR_KEY_TOO_WEAK`.
    #[error("key: {0}")]
    KeyTooWeak(String),
    /// The key's kind or curve does not fit the algorithm (e.g. an RSA key for `HS256`).
    ///
    /// C status: `JWTKIT_ERR_KEY_ALG_MISMATCH`.
    #[error("key: {0}")]
    KeyAlgMismatch(String),
    /// Signing needs a private key or a secret; this key is public.
    ///
    /// C status: `JWTKIT_ERR_KEY_CANNOT_SIGN`.
    #[error("key: {0}")]
    KeyCannotSign(String),
    /// The key's JWK `alg`, `use` or `key_ops` forbid this operation.
    ///
    /// C status: `JWTKIT_ERR_KEY_USAGE`.
    #[error("key: {0}")]
    KeyUsage(String),
    /// Not a compact serialization: wrong number of segments, empty, non-ASCII, JSON
    /// serialization.
    ///
    /// C status: `JWTKIT_ERR_TOKEN_MALFORMED`.
    #[error("token: {0}")]
    TokenMalformed(String),
    /// The token is longer than [`Limits::max_token_len`](crate::Limits::max_token_len).
    ///
    /// C status: `JWTKIT_ERR_TOKEN_TOO_LARGE`.
    #[error("token: {0}")]
    TokenTooLarge(String),
    /// A segment is not strict base64url (padding, `+` or `/`, whitespace, non-zero trailing
    /// bits).
    ///
    /// C status: `JWTKIT_ERR_BASE64`.
    #[error("{0}")]
    Base64(String),
    /// Header or claims are not one UTF-8 JSON object (invalid JSON, a duplicate member, a
    /// BOM, …).
    ///
    /// C status: `JWTKIT_ERR_JSON`.
    #[error("{0}")]
    Json(String),
    /// JSON nested deeper than [`Limits::max_depth`](crate::Limits::max_depth), or a header
    /// larger than [`Limits::max_header_len`](crate::Limits::max_header_len).
    ///
    /// C status: `JWTKIT_ERR_JSON_LIMIT`.
    #[error("{0}")]
    JsonLimit(String),
    /// A header member has the wrong type or is missing (`alg`), or `b64` is present.
    ///
    /// C status: `JWTKIT_ERR_HEADER_INVALID`.
    #[error("header: {0}")]
    HeaderInvalid(String),
    /// The header's `crit` names an extension jwtkit does not implement.
    ///
    /// C status: `JWTKIT_ERR_CRIT_UNSUPPORTED`.
    #[error("header: {0}")]
    CritUnsupported(String),
    /// An unknown algorithm name, `none` in any spelling included, or no `alg` at all.
    ///
    /// C status: `JWTKIT_ERR_ALG_UNSUPPORTED`.
    #[error("algorithm: {0}")]
    AlgUnsupported(String),
    /// The token's algorithm is not in the caller's allow-list.
    ///
    /// C status: `JWTKIT_ERR_ALG_NOT_ALLOWED`.
    #[error("algorithm: {0}")]
    AlgNotAllowed(String),
    /// The signature does not verify (wrong key, tampered token, wrong length, DER-encoded
    /// ECDSA, …).
    ///
    /// C status: `JWTKIT_ERR_SIGNATURE_INVALID`.
    #[error("signature: {0}")]
    SignatureInvalid(String),
    /// A registered claim has the wrong type (e.g. `exp` is a string); `claim` names it.
    ///
    /// C status: `JWTKIT_ERR_CLAIM_INVALID`.
    #[error("claims: {message}")]
    ClaimInvalid {
        /// The registered claim (`exp`, `nbf`, `iat`, `iss`, `aud`, `sub`, `jti`).
        claim: &'static str,
        /// What was wrong with it.
        message: String,
    },
    /// The token has expired: now ≥ `exp` + leeway.
    ///
    /// C status: `JWTKIT_ERR_EXPIRED`.
    #[error("claims: {0}")]
    Expired(String),
    /// The token is not valid yet: now < `nbf` − leeway.
    ///
    /// C status: `JWTKIT_ERR_NOT_YET_VALID`.
    #[error("claims: {0}")]
    NotYetValid(String),
    /// `iat` is in the future beyond the leeway.
    ///
    /// C status: `JWTKIT_ERR_ISSUED_IN_FUTURE`.
    #[error("claims: {0}")]
    IssuedInFuture(String),
    /// `iat` is older than the policy's maximum age.
    ///
    /// C status: `JWTKIT_ERR_TOO_OLD`.
    #[error("claims: {0}")]
    TooOld(String),
    /// A claim the policy requires is absent; `claim` names it, as configured.
    ///
    /// C status: `JWTKIT_ERR_CLAIM_MISSING`.
    #[error("claims: {message}")]
    ClaimMissing {
        /// The claim's name, as the policy names it.
        claim: String,
        /// What was missing.
        message: String,
    },
    /// `iss` is not one of the accepted issuers (exact comparison).
    ///
    /// C status: `JWTKIT_ERR_ISSUER_MISMATCH`.
    #[error("claims: {0}")]
    IssuerMismatch(String),
    /// `aud` holds none of the expected audiences, or the token has an audience and none is
    /// expected.
    ///
    /// C status: `JWTKIT_ERR_AUDIENCE_MISMATCH`.
    #[error("claims: {0}")]
    AudienceMismatch(String),
    /// `sub` is not the expected subject.
    ///
    /// C status: `JWTKIT_ERR_SUBJECT_MISMATCH`.
    #[error("claims: {0}")]
    SubjectMismatch(String),
    /// The header's `typ` is absent or not the required one.
    ///
    /// C status: `JWTKIT_ERR_TYP_MISMATCH`.
    #[error("header: {0}")]
    TypMismatch(String),
    /// The policy's revocation check reported the token as revoked.
    ///
    /// C status: `JWTKIT_ERR_REVOKED`.
    #[error("token: {0}")]
    Revoked(String),
    /// No key of the key source has the token's `kid`, or fits its algorithm.
    ///
    /// C status: `JWTKIT_ERR_KEY_NOT_FOUND`.
    #[error("key: {0}")]
    KeyNotFound(String),
    /// Bytes offered as an HMAC secret have the shape of key material (PEM, a DER key or
    /// certificate, base64 of one, a JWK or JWK Set, an OpenSSH public key): key material
    /// is never an HMAC secret.
    ///
    /// C status: `JWTKIT_ERR_KEY_NOT_SECRET`.
    #[error("key: {0}")]
    KeyNotSecret(String),
    /// A key source has no key set to offer: its URL could not be fetched (network,
    /// timeout, HTTP status, a refused redirect, a body over the cap), it was never fed
    /// one, or its last good set is older than its maximum staleness.
    ///
    /// C status: `JWTKIT_ERR_KEY_SOURCE`.
    #[error("key source: {0}")]
    KeySource(String),
    // JWE (src/jwe), C statuses 500-599.
    /// A JWE did not decrypt: wrong key, or a modified encrypted key, IV, ciphertext, tag
    /// or header. Every failure of this kind has this one variant and one message, so
    /// none can serve as a padding or MAC oracle.
    ///
    /// C status: `JWTKIT_ERR_JWE_DECRYPTION_FAILED`.
    #[error("{0}")]
    DecryptionFailed(String),
    /// An unknown JWE content encryption (`enc`), or one jwtkit does not offer (AES-192).
    ///
    /// C status: `JWTKIT_ERR_JWE_ENC_UNSUPPORTED`.
    #[error("encryption: {0}")]
    EncUnsupported(String),
    /// The JWE's `enc` is not in the policy's allow-list.
    ///
    /// C status: `JWTKIT_ERR_JWE_ENC_NOT_ALLOWED`.
    #[error("encryption: {0}")]
    EncNotAllowed(String),
    /// An algorithm refused on purpose whatever the policy (RSA1_5).
    ///
    /// C status: `JWTKIT_ERR_JWE_ALG_INSECURE`.
    #[error("algorithm: {0}")]
    AlgInsecure(String),
    /// The JWE is compressed (`zip`) and the policy does not allow compression.
    ///
    /// C status: `JWTKIT_ERR_JWE_ZIP_NOT_ALLOWED`.
    #[error("header: {0}")]
    ZipNotAllowed(String),
    /// Compressed JWE content inflates past the policy's cap, or is not valid DEFLATE.
    ///
    /// C status: `JWTKIT_ERR_JWE_ZIP_LIMIT`.
    #[error("{0}")]
    ZipLimit(String),
    /// The JWE header's `epk` is not a public key on the recipient's curve (invalid-curve
    /// point, wrong curve, low-order X25519 point, malformed JWK).
    ///
    /// C status: `JWTKIT_ERR_JWE_EPK_INVALID`.
    #[error("{0}")]
    EpkInvalid(String),
    /// Decryption needs a private key or a secret; this key is public.
    ///
    /// C status: `JWTKIT_ERR_JWE_KEY_CANNOT_DECRYPT`.
    #[error("key: {0}")]
    KeyCannotDecrypt(String),
    /// A PBES2 JWE asks for more PBKDF2 iterations (`p2c`) than the policy's cap: refused
    /// before any key derivation, so a small token cannot buy seconds of CPU.
    ///
    /// C status: `JWTKIT_ERR_JWE_P2C_LIMIT`.
    #[error("header: {0}")]
    P2cLimit(String),
    // DPoP (src/dpop.rs, RFC 9449), C statuses 600-699.
    /// A DPoP proof's `jwk` header holds a private or secret key member (`d`, `p`, `q`,
    /// `dp`, `dq`, `qi`, `oth`, `k`): a proof carries only a public key (RFC 9449 §4.3).
    ///
    /// C status: `JWTKIT_ERR_DPOP_PRIVATE_JWK`.
    #[error("DPoP proof: {0}")]
    DpopPrivateJwk(String),
    /// A DPoP proof's `htm` is not the request's method.
    ///
    /// C status: `JWTKIT_ERR_DPOP_HTM_MISMATCH`.
    #[error("DPoP proof: {0}")]
    DpopHtmMismatch(String),
    /// A DPoP proof's `htu` is not the request's URI (without query and fragment, after
    /// RFC 3986 §6 normalisation), or is not a URI without query and fragment itself.
    ///
    /// C status: `JWTKIT_ERR_DPOP_HTU_MISMATCH`.
    #[error("DPoP proof: {0}")]
    DpopHtuMismatch(String),
    /// A DPoP proof's `ath` is not base64url(SHA-256) of the access token presented with
    /// it, or a proof is bound to an access token it was not verified against.
    ///
    /// C status: `JWTKIT_ERR_DPOP_ATH_MISMATCH`.
    #[error("DPoP proof: {0}")]
    DpopAthMismatch(String),
    /// The server expects a nonce and the DPoP proof has none, or another one: the
    /// server answers `use_dpop_nonce` with a fresh `DPoP-Nonce` (RFC 9449 §8, §9).
    ///
    /// C status: `JWTKIT_ERR_DPOP_NONCE`.
    #[error("DPoP proof: {0}")]
    DpopNonce(String),
    /// The replay check has seen this proof's `jti` (for this key) within the window.
    ///
    /// C status: `JWTKIT_ERR_DPOP_REPLAYED`.
    #[error("DPoP proof: {0}")]
    DpopReplayed(String),
    /// The replay check could not answer (its store failed): the proof is refused,
    /// never accepted unchecked.
    ///
    /// C status: `JWTKIT_ERR_DPOP_REPLAY_CHECK`.
    #[error("DPoP proof: {0}")]
    DpopReplayCheck(String),
    /// A token presented with a DPoP proof is not bound to the proof's key: its
    /// `cnf.jkt` is absent or is not the thumbprint of the proof's `jwk`.
    ///
    /// C status: `JWTKIT_ERR_DPOP_BINDING_MISMATCH`.
    #[error("DPoP binding: {0}")]
    DpopBindingMismatch(String),
    /// A DPoP-bound token (one with `cnf.jkt`) was presented as a plain Bearer token.
    ///
    /// C status: `JWTKIT_ERR_DPOP_BOUND_TOKEN_AS_BEARER`.
    #[error("DPoP binding: {0}")]
    DpopBoundTokenAsBearer(String),
}

impl Error {
    /// The claim a claim-type or missing-claim failure is about, as data: callers never
    /// need to read it out of the message.
    pub fn claim(&self) -> Option<&str> {
        match self {
            Error::ClaimInvalid { claim, .. } => Some(claim),
            Error::ClaimMissing { claim, .. } => Some(claim),
            _ => None,
        }
    }
}

/// The result of every fallible jwtkit operation.
pub type Result<T> = std::result::Result<T, Error>;

/// Text from the input (a member name, a `kid`, an algorithm name, a claim value) as it
/// may appear in an error message: the one way input text enters a message. Escaped
/// (`char::escape_debug`: control characters, NUL, ANSI escapes, line breaks, bidi and
/// other format characters, quotes and backslashes), so nothing the input holds can
/// reach a log line, a terminal or a C string as it is; and cut to at most `max` bytes
/// of escaped text (then marked with "…"), so no message grows with its input. Bytes,
/// not characters: a message quoting two names stays under a fixed size even when every
/// character takes four.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    escaped(text, max, true)
}

/// A message from a dependency (serde_json, der, …) that may in principle quote its
/// input: its control and other unprintable characters escaped, its quotes and
/// backslashes left alone (so text already escaped by `excerpt` is unchanged), and cut
/// to `max` bytes.
pub(crate) fn tidy(text: &str, max: usize) -> String {
    escaped(text, max, false)
}

fn escaped(text: &str, max: usize, quotes_too: bool) -> String {
    let mut out = String::with_capacity(text.len().min(max) + 3);
    let mut used = 0;
    for c in text.chars() {
        let plain = !quotes_too && matches!(c, '\\' | '"' | '\'');
        let escape = c.escape_debug();
        // An escape is ASCII: its length in characters is its length in bytes.
        let n = if plain || escape.len() == 1 { c.len_utf8() } else { escape.len() };
        if used + n > max {
            out.push('…');
            break;
        }
        used += n;
        if plain {
            out.push(c);
        } else {
            out.extend(escape);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn excerpts_are_escaped_and_cut() {
        assert_eq!(super::excerpt("a\0b\nc\"d", 64), r#"a\0b\nc\"d"#);
        assert_eq!(super::excerpt("abcdef", 3), "abc…");
        assert_eq!(super::excerpt("abc", 3), "abc");
        // ANSI escapes, DEL, C1 controls, bidi overrides, zero-width and combining
        // characters (even mid-text), and a lone BOM all come out as `\u{…}`.
        for c in
            ['\x1b', '\x7f', '\u{85}', '\u{9b}', '\u{202e}', '\u{2066}', '\u{200b}', '\u{feff}', '\u{301}', '\u{a0}']
        {
            let shown = super::excerpt(&format!("a{c}b"), 64);
            assert_eq!(shown, format!("a\\u{{{:x}}}b", c as u32), "{c:?}");
        }
    }

    /// The bound is on the escaped text: a name of control characters (each escaped to
    /// several characters) is cut like any other, never splitting an escape.
    #[test]
    fn excerpts_are_bounded_after_escaping() {
        for input in
            ["\x1b".repeat(1000), "\u{10ffff}".repeat(1000), "é".repeat(1000), "\n".repeat(1000), "\0".repeat(3)]
        {
            for max in [0, 1, 5, 16, 32, 64] {
                let shown = super::excerpt(&input, max);
                let body = shown.strip_suffix('…').unwrap_or(&shown);
                assert!(body.len() <= max, "{max}: {shown}");
                assert!(!shown.chars().any(char::is_control), "{shown:?}");
            }
        }
        assert_eq!(super::excerpt("\x1b\x1b", 11), "\\u{1b}…");
        assert_eq!(super::excerpt("\x1b\x1b", 12), "\\u{1b}\\u{1b}");
        assert_eq!(super::excerpt("ééé", 5), "éé…");
    }

    #[test]
    fn tidy_escapes_controls_but_keeps_escaped_text_as_it_is() {
        let once = super::excerpt("a\0\"b\\", 64);
        assert_eq!(super::tidy(&format!("dup `{once}`"), 64), format!("dup `{once}`"));
        assert_eq!(super::tidy("x\ny\x1b[31m", 64), "x\\ny\\u{1b}[31m");
        assert_eq!(super::tidy("abcdef", 4), "abcd…");
    }
}
