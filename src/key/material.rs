//! The `Key` type and what it holds: the parsed `Material` (HMAC secret, RSA, EC
//! P-256/P-384/P-521/secp256k1, Ed25519, X25519; private or public), the `Restrictions` a JWK put
//! on it, the canonical PKCS#8 of its private half, and the accessors that read them.
//! Keys are parsed once, at creation (`der` for PEM/DER, `jwk` for JWK); nothing here
//! parses text.

use ring::{hmac, signature::EcdsaKeyPair, signature::Ed25519KeyPair, signature::RsaKeyPair};
use zeroize::Zeroizing;

use crate::alg::Family;

/// EC keys are on P-256, P-384, P-521 or secp256k1. A key carries the restrictions its JWK put on
/// it (`kid`, `alg`, `use`, `key_ops`). Made by `Key::from_*` or [`Key::generate`],
/// parsed and checked once there; immutable, and safe to share between threads.
pub struct Key {
    pub(crate) material: Material,
    pub(crate) restrictions: Restrictions,
    /// The private half of an RSA, EC or Ed25519 key as canonical PKCS#8 DER, kept for
    /// export (`export`): ring does not give private components back. Wiped on drop.
    pub(crate) private_der: Option<Zeroizing<Vec<u8>>>,
    /// RustCrypto's form of an RSA private key, built on first RSA-OAEP decryption and
    /// kept (ring has no RSA decryption). Zeroized on drop by the `rsa` crate.
    pub(crate) rsa_decryption: std::sync::OnceLock<std::result::Result<rsa::RsaPrivateKey, ()>>,
}

/// Limits a JWK may put on its key (RFC 7517 §4.2–4.4). Keys from PEM/DER/secret have none.
#[derive(Default, Clone)]
pub(crate) struct Restrictions {
    pub kid: Option<String>,
    /// The JWK `alg` as written; the key serves only that algorithm.
    pub alg: Option<String>,
    pub may_sign: bool,
    pub may_verify: bool,
    /// JWE (`src/jwe`): whether the JWK's `use`/`key_ops` allow encrypting to it
    /// (`encrypt`, `wrapKey`, `deriveKey`) and decrypting with it (`decrypt`,
    /// `unwrapKey`, `deriveKey`). `use: "sig"` forbids both, `use: "enc"` forbids JWS.
    pub may_encrypt: bool,
    pub may_decrypt: bool,
    /// The JWK `use` and `key_ops` as written, for export.
    pub use_: Option<String>,
    pub key_ops: Option<Vec<String>>,
}

impl Restrictions {
    /// The refusal of an algorithm (`alg`, a JWS or JWE name) that the JWK's own `alg`
    /// does not name; `key_alg` is that `alg`, as written.
    pub fn alg_refused(key_alg: &str, alg: &str) -> crate::error::Error {
        crate::error::Error::KeyUsage(format!(
            "the token's algorithm {alg} does not match the key's algorithm `{}` (the JWK's `alg`)",
            crate::error::excerpt(key_alg, 32)
        ))
    }

    pub fn none() -> Self {
        Restrictions {
            kid: None,
            alg: None,
            may_sign: true,
            may_verify: true,
            may_encrypt: true,
            may_decrypt: true,
            use_: None,
            key_ops: None,
        }
    }
}

pub(crate) enum Material {
    Secret {
        secret: Zeroizing<Vec<u8>>,
        allow_short: bool,
        keys: Box<[hmac::Key; 3]>,
    },
    RsaPrivate(RsaKeyPair),
    RsaPublic {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    EcPrivate {
        family: Family,
        pair: EcdsaKeyPair,
    },
    /// Uncompressed SEC1 point, checked to be on the curve at creation (P-256, P-384,
    /// P-521, secp256k1).
    EcPublic {
        family: Family,
        point: Vec<u8>,
    },
    /// ES512 and ES256K: the backend's key pair (RustCrypto's with ring, AWS-LC's with
    /// aws-lc), and its uncompressed public point. The public half alone is an `EcPublic`.
    EcPrivateExtra {
        family: Family,
        pair: Box<crate::backend::ExtraEcdsaPair>,
        point: Vec<u8>,
    },
    Ed25519Private(Ed25519KeyPair),
    Ed25519Public([u8; 32]),
    /// X25519 (RFC 7748, RFC 8037): key agreement for JWE `ECDH-ES`, never signatures.
    /// The secret is wiped on drop (x25519-dalek's `zeroize`).
    X25519Private(Box<x25519_dalek::StaticSecret>),
    X25519Public([u8; 32]),
}

impl Key {
    pub(crate) fn new(material: Material) -> Key {
        Key { material, restrictions: Restrictions::none(), private_der: None, rsa_decryption: Default::default() }
    }

    /// The key id (`kid`) of its JWK, if any; set another with [`Key::with_kid`].
    pub fn kid(&self) -> Option<&str> {
        self.restrictions.kid.as_deref()
    }

    /// The JWK `alg` this key is restricted to, as written (None: any algorithm of its family).
    pub fn alg_restriction(&self) -> Option<&str> {
        self.restrictions.alg.as_deref()
    }

    /// Whether the JWK's `use`/`key_ops` allow verification (always true outside JWKs).
    pub fn may_verify(&self) -> bool {
        self.restrictions.may_verify
    }

    /// The kind of key (and curve), which decides the algorithms it serves.
    pub fn family(&self) -> Family {
        match &self.material {
            Material::Secret { .. } => Family::Hmac,
            Material::RsaPrivate(_) | Material::RsaPublic { .. } => Family::Rsa,
            Material::EcPrivate { family, .. }
            | Material::EcPrivateExtra { family, .. }
            | Material::EcPublic { family, .. } => *family,
            Material::Ed25519Private(_) | Material::Ed25519Public(_) => Family::Ed25519,
            Material::X25519Private(_) | Material::X25519Public(_) => Family::X25519,
        }
    }

    /// Whether it can sign or decrypt: an HMAC secret or the private half of a key pair.
    pub fn is_private(&self) -> bool {
        matches!(
            self.material,
            Material::Secret { .. }
                | Material::RsaPrivate(_)
                | Material::EcPrivate { .. }
                | Material::EcPrivateExtra { .. }
                | Material::Ed25519Private(_)
                | Material::X25519Private(_)
        )
    }

    /// How error messages name the key: its family and, unless it is a secret, which half.
    pub(crate) fn describe(&self) -> String {
        let fam = self.family().describe();
        match (self.family(), self.is_private()) {
            (Family::Hmac, _) => fam.to_string(),
            (_, true) => format!("{fam} (private)"),
            (_, false) => format!("{fam} (public)"),
        }
    }
}

/// Strips leading zero bytes of a big-endian integer: the form `Material` keeps RSA
/// integers in, and the one the PKCS#8 and JWK encoders start from.
pub(crate) fn trim_be(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}
