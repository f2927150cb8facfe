//! What both JWE fuzz targets decrypt with: keys of every kind jwtkit can decrypt with,
//! and a policy allowing every alg/enc and zip, made once.

use std::sync::OnceLock;

use jwtkit::jwe::{Alg, Enc, JwePolicy};
use jwtkit::Key;

pub fn setup() -> &'static (Vec<Key>, JwePolicy) {
    static SETUP: OnceLock<(Vec<Key>, JwePolicy)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/");
        let pem = |f: &str| Key::from_pem(&std::fs::read(format!("{dir}{f}")).unwrap()).unwrap();
        let keys = vec![
            Key::from_jwk(br#"{"kty":"oct","k":"GawgguFyGrWKav7AX4VKUg","use":"enc"}"#).unwrap(),
            Key::from_jwk(br#"{"kty":"oct","k":"GawgguFyGrWKav7AX4VKUhIQmEFhTiV0AkhwJIHSbhg","use":"enc"}"#).unwrap(),
            pem("rsa2048.pkcs8.pem"),
            pem("ecp256.pkcs8.pem"),
            pem("ecp384.pkcs8.pem"),
            pem("ecp521.pkcs8.pem"),
        ];
        let mut policy = JwePolicy::new(&Alg::ALL, &Enc::ALL).unwrap();
        policy.allow_zip(true, 64 * 1024);
        (keys, policy)
    })
}
