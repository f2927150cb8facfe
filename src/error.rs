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
    /// A registered claim of the wrong type; `claim` names it.
    #[error("claims: {message}")]
    ClaimInvalid { claim: &'static str, message: String },
    #[error("claims: {0}")]
    Expired(String),
    #[error("claims: {0}")]
    NotYetValid(String),
    #[error("claims: {0}")]
    IssuedInFuture(String),
    #[error("claims: {0}")]
    TooOld(String),
    /// A claim the policy requires is absent; `claim` names it, as configured.
    #[error("claims: {message}")]
    ClaimMissing { claim: String, message: String },
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
    /// Bytes offered as an HMAC secret that have the shape of key material.
    #[error("key: {0}")]
    KeyNotSecret(String),
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
        for c in ['\x1b', '\x7f', '\u{85}', '\u{9b}', '\u{202e}', '\u{2066}', '\u{200b}', '\u{feff}', '\u{301}', '\u{a0}'] {
            let shown = super::excerpt(&format!("a{c}b"), 64);
            assert_eq!(shown, format!("a\\u{{{:x}}}b", c as u32), "{c:?}");
        }
    }

    /// The bound is on the escaped text: a name of control characters (each escaped to
    /// several characters) is cut like any other, never splitting an escape.
    #[test]
    fn excerpts_are_bounded_after_escaping() {
        for input in ["\x1b".repeat(1000), "\u{10ffff}".repeat(1000), "é".repeat(1000), "\n".repeat(1000), "\0".repeat(3)] {
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
