//! The cryptographic backend. ring by default; with the `aws-lc` feature, aws-lc-rs,
//! which mirrors ring's API and is bound to the name `ring` at the crate root (lib.rs),
//! so every module keeps writing `ring::…`. The few calls whose signatures differ
//! live here.

#[cfg(all(feature = "ring", feature = "aws-lc"))]
compile_error!("enable one backend: the default `ring`, or `--no-default-features --features aws-lc`");
#[cfg(not(any(feature = "ring", feature = "aws-lc")))]
compile_error!("no cryptographic backend: enable the feature `ring` (default) or `aws-lc`");

use ring::error::KeyRejected;
use ring::signature::{EcdsaKeyPair, EcdsaSigningAlgorithm};

/// An ECDSA key pair from a SEC1 private scalar and public point (ring wants an RNG
/// here to check the pair; aws-lc-rs does not).
pub(crate) fn ecdsa_pair(
    alg: &'static EcdsaSigningAlgorithm,
    private: &[u8],
    public: &[u8],
) -> Result<EcdsaKeyPair, KeyRejected> {
    #[cfg(feature = "aws-lc")]
    return EcdsaKeyPair::from_private_key_and_public_key(alg, private, public);
    #[cfg(not(feature = "aws-lc"))]
    return EcdsaKeyPair::from_private_key_and_public_key(alg, private, public, &ring::rand::SystemRandom::new());
}
