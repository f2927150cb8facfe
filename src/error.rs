//! The one error type. Every variant maps to exactly one stable C status code
//! (see `ffi::status`); messages say what was wrong and where, never key material.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    #[error("key: {0}")]
    KeyInvalid(String),
    #[error("key: {0}")]
    KeyUnsupported(String),
    #[error("key: {0}")]
    KeyTooWeak(String),
    #[error("key: {0}")]
    KeyAlgMismatch(String),
    #[error("key: {0}")]
    KeyCannotSign(String),
    #[error("key: {0}")]
    KeyUsage(String),
    #[error("token: {0}")]
    TokenMalformed(String),
    #[error("token: {0}")]
    TokenTooLarge(String),
    #[error("{0}")]
    Base64(String),
    #[error("{0}")]
    Json(String),
    #[error("{0}")]
    JsonLimit(String),
    #[error("header: {0}")]
    HeaderInvalid(String),
    #[error("header: {0}")]
    CritUnsupported(String),
    #[error("algorithm: {0}")]
    AlgUnsupported(String),
    #[error("algorithm: {0}")]
    AlgNotAllowed(String),
    #[error("signature: {0}")]
    SignatureInvalid(String),
    #[error("claims: {0}")]
    ClaimInvalid(String),
    #[error("claims: {0}")]
    Expired(String),
    #[error("claims: {0}")]
    NotYetValid(String),
    #[error("claims: {0}")]
    IssuedInFuture(String),
    #[error("claims: {0}")]
    TooOld(String),
    #[error("claims: {0}")]
    ClaimMissing(String),
    #[error("claims: {0}")]
    IssuerMismatch(String),
    #[error("claims: {0}")]
    AudienceMismatch(String),
    #[error("claims: {0}")]
    SubjectMismatch(String),
    #[error("header: {0}")]
    TypMismatch(String),
    #[error("token: {0}")]
    Revoked(String),
    #[error("key: {0}")]
    KeyNotFound(String),
    // JWE (src/jwe), C statuses 500-599.
    /// Every failure of the padding/tag kind, with one message: no oracle.
    #[error("{0}")]
    DecryptionFailed(String),
    #[error("encryption: {0}")]
    EncUnsupported(String),
    #[error("encryption: {0}")]
    EncNotAllowed(String),
    /// An algorithm refused on purpose whatever the policy (RSA1_5).
    #[error("algorithm: {0}")]
    AlgInsecure(String),
    #[error("header: {0}")]
    ZipNotAllowed(String),
    #[error("{0}")]
    ZipLimit(String),
    #[error("{0}")]
    EpkInvalid(String),
    #[error("key: {0}")]
    KeyCannotDecrypt(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Text from the input (a member name, a `kid`, an algorithm name) as it may appear in
/// an error message: escaped, so that no control character or NUL reaches a log line or
/// a C string, and cut to `max` characters (marked with "…").
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let cut: String = text.chars().take(max).collect();
    let more = if text.chars().nth(max).is_some() { "…" } else { "" };
    format!("{}{more}", cut.escape_debug())
}

#[cfg(test)]
mod tests {
    #[test]
    fn excerpts_are_escaped_and_cut() {
        assert_eq!(super::excerpt("a\0b\nc\"d", 64), r#"a\0b\nc\"d"#);
        assert_eq!(super::excerpt("abcdef", 3), "abc…");
        assert_eq!(super::excerpt("abc", 3), "abc");
    }
}
