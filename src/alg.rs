//! The JWS algorithms jwtkit implements (RFC 7518 §3, RFC 8037, RFC 8812), their names, and
//! the one key family each one needs. `none` is not an algorithm here, on purpose.

use crate::error::{Error, Result};

/// The registered JWS algorithms of RFC 7518 §3, RFC 8037 and RFC 8812, each needing one
/// [`Family`] of key. `none` (unsecured JWS) is not one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256 (MGF1 with SHA-256, 32-byte salt).
    PS256,
    /// RSASSA-PSS with SHA-384 (MGF1 with SHA-384, 48-byte salt).
    PS384,
    /// RSASSA-PSS with SHA-512 (MGF1 with SHA-512, 64-byte salt).
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// ECDSA on P-521 with SHA-512.
    ES512,
    /// Ed25519 (RFC 8037); also parsed from the RFC 9864 name `Ed25519`.
    EdDSA,
    /// ECDSA on secp256k1 with SHA-256 (RFC 8812).
    ES256K,
}

/// [`Algorithm::family`] gives it for an algorithm, [`Key::family`](crate::Key::family)
/// for a key; a key serves only the algorithms of its own family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// An HMAC secret (`HS*`).
    Hmac,
    /// An RSA key (`RS*`, `PS*`; JWE `RSA-OAEP*`).
    Rsa,
    /// An EC key on P-256 (`ES256`; JWE `ECDH-ES*`).
    EcP256,
    /// An EC key on P-384 (`ES384`; JWE `ECDH-ES*`).
    EcP384,
    /// An EC key on P-521 (`ES512`; JWE `ECDH-ES*`).
    EcP521,
    /// An Ed25519 key (`EdDSA`).
    Ed25519,
    /// An EC key on secp256k1 (`ES256K`, RFC 8812). Signatures only: secp256k1 is not a
    /// JWE curve.
    EcSecp256k1,
    /// Key agreement only (JWE `ECDH-ES`): no JWS algorithm uses it.
    X25519,
}

impl Algorithm {
    /// Every algorithm, in the order of the C numbering: RFC 7518's and RFC 8037's in the
    /// order of the registry, then those added later, each appended so that no C number
    /// changes.
    pub const ALL: [Algorithm; 14] = [
        Self::HS256,
        Self::HS384,
        Self::HS512,
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::ES256,
        Self::ES384,
        Self::ES512,
        Self::EdDSA,
        Self::ES256K,
    ];

    /// The registered name, as it appears in a header's `alg` (`"HS256"`, `"EdDSA"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::HS256 => "HS256",
            Self::HS384 => "HS384",
            Self::HS512 => "HS512",
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::ES512 => "ES512",
            Self::EdDSA => "EdDSA",
            Self::ES256K => "ES256K",
        }
    }

    /// Exact, case-sensitive match of a registered name (RFC 7515 §4.1.1). Anything
    /// else, `none` in any spelling included, is unsupported.
    pub fn from_name(name: &str) -> Result<Algorithm> {
        if name == "Ed25519" {
            return Ok(Self::EdDSA);
        }
        if let Some(alg) = Self::ALL.into_iter().find(|a| a.name() == name) {
            return Ok(alg);
        }
        let shown = crate::error::excerpt(name, 32);
        if name == "Ed448" {
            // RFC 9864's other EdDSA curve: no well-kept, released Rust implementation.
            return Err(Error::AlgUnsupported("`Ed448` is not supported: jwtkit's EdDSA is Ed25519 only".into()));
        }
        if name.eq_ignore_ascii_case("none") {
            Err(Error::AlgUnsupported(format!("`{shown}` (unsecured JWS) is never accepted")))
        } else {
            Err(Error::AlgUnsupported(format!(
                "Algorithm not supported: `{shown}` is not an algorithm jwtkit implements"
            )))
        }
    }

    /// The kind of key this algorithm needs.
    pub fn family(self) -> Family {
        match self {
            Self::HS256 | Self::HS384 | Self::HS512 => Family::Hmac,
            Self::RS256 | Self::RS384 | Self::RS512 | Self::PS256 | Self::PS384 | Self::PS512 => Family::Rsa,
            Self::ES256 => Family::EcP256,
            Self::ES384 => Family::EcP384,
            Self::ES512 => Family::EcP521,
            Self::EdDSA => Family::Ed25519,
            Self::ES256K => Family::EcSecp256k1,
        }
    }
}

impl Family {
    /// The family in words, for messages ("an RSA key").
    pub fn describe(self) -> &'static str {
        match self {
            Family::Hmac => "an HMAC secret",
            Family::Rsa => "an RSA key",
            Family::EcP256 => "an EC P-256 key",
            Family::EcP384 => "an EC P-384 key",
            Family::EcP521 => "an EC P-521 key",
            Family::Ed25519 => "an Ed25519 key",
            Family::EcSecp256k1 => "an EC secp256k1 key",
            Family::X25519 => "an X25519 key",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_none_is_refused() {
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(alg.name()).unwrap(), alg);
        }
        assert_eq!(Algorithm::from_name("Ed25519").unwrap(), Algorithm::EdDSA);
        for bad in ["none", "None", "NONE", "nOnE", "hs256", "HS256 ", "", "RS1", "ES256k", "es256k"] {
            assert!(matches!(Algorithm::from_name(bad), Err(Error::AlgUnsupported(_))), "{bad}");
        }
        match Algorithm::from_name("Ed448") {
            Err(Error::AlgUnsupported(m)) => assert!(m.contains("Ed448") && m.contains("not supported"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
