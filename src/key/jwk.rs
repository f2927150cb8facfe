//! Keys from a JSON Web Key (`Key::from_jwk`; RFC 7517, RFC 7518 §6, RFC 8037, RFC 8812):
//! `kty` oct, RSA, EC (P-256, P-384, P-521, secp256k1), OKP (Ed25519 for JWS, X25519 for JWE), and `Wiped`, the parsed JSON
//! whose strings are wiped on drop. `kid`, `alg`, `use` and `key_ops` are kept and
//! enforced on every use: by `Key` for JWS, by `jwe::key_mgmt` for JWE. A `use: "enc"`
//! key never serves JWS and a `use: "sig"` key never serves JWE. `x5c`, `x5t` and
//! `x5t#S256` must agree with the key (`x5c`); the certificate chain is not validated.

use ring::rsa::{KeyPairComponents as RsaKeyPairComponents, PublicKeyComponents as RsaPublicKeyComponents};
use ring::signature::{Ed25519KeyPair, RsaKeyPair};
use serde_json::Value;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{excerpt, Error, Result};
use crate::json::{self, Object};
use crate::key::checked::{
    check_rsa_public, coordinate_len, curve_family, curve_name, ec_private, ec_public, ed25519_private, ed25519_public,
    rsa_private, rsa_public, x25519_private, x25519_public,
};
use crate::key::material::{trim_be, Key, Restrictions};
use crate::key::pkcs8::{ed25519_pkcs8, rsa_pkcs8, RsaPrivateParts};
use crate::key::x5c::check_certificates;

impl Key {
    /// One JSON Web Key (RFC 7517); its `kid`, `alg`, `use` and `key_ops` are enforced.
    pub fn from_jwk(text: &[u8]) -> Result<Key> {
        let jwk = Wiped(json::parse_object(text, "JWK").map_err(|e| Error::KeyInvalid(e.to_string()))?);
        from_jwk_object(&jwk.0)
    }

    /// As [`Key::from_jwk`], but an `oct` secret may be shorter than the hash output of
    /// its algorithm, as [`Key::from_secret_legacy`] allows: only for legacy systems.
    pub fn from_jwk_legacy(text: &[u8]) -> Result<Key> {
        let jwk = Wiped(json::parse_object(text, "JWK").map_err(|e| Error::KeyInvalid(e.to_string()))?);
        from_jwk_object_with(&jwk.0, true)
    }
}

/// A parsed JWK or JWK Set whose string values are wiped when it is dropped: the
/// base64url text of `k`, `d`, `p`, `q`, `dp`, `dq`, `qi` (and of `oth`, or of a private
/// member jwtkit does not know) is the secret as much as its decoded bytes are. Every
/// string is wiped, not a list of names: a JWK is small, and no private member is missed.
pub(crate) struct Wiped<T: WipeStrings>(pub T);

impl<T: WipeStrings> Drop for Wiped<T> {
    fn drop(&mut self) {
        self.0.wipe_strings();
    }
}

pub(crate) trait WipeStrings {
    fn wipe_strings(&mut self);
}

impl WipeStrings for Value {
    fn wipe_strings(&mut self) {
        match self {
            Value::String(s) => s.zeroize(),
            Value::Array(items) => items.iter_mut().for_each(WipeStrings::wipe_strings),
            Value::Object(members) => members.wipe_strings(),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

impl WipeStrings for Object {
    fn wipe_strings(&mut self) {
        self.values_mut().for_each(WipeStrings::wipe_strings);
    }
}

/// One JWK already parsed as a JSON object (a member of a JWKS `keys` array).
pub(crate) fn from_jwk_object(jwk: &Object) -> Result<Key> {
    from_jwk_object_with(jwk, false)
}

/// `from_jwk_object`; `allow_short` lets an `oct` secret be shorter than its hash.
fn from_jwk_object_with(jwk: &Object, allow_short: bool) -> Result<Key> {
    let restrictions = restrictions(jwk)?;
    let kty = string(jwk, "kty")?.ok_or_else(|| Error::KeyInvalid("JWK: member `kty` is required".into()))?;
    let mut key = match kty {
        "oct" if allow_short => Key::from_secret_legacy(&required_b64(jwk, "k")?)?,
        "oct" => Key::from_secret(&required_b64(jwk, "k")?)?,
        "RSA" => rsa(jwk)?,
        "EC" => ec(jwk)?,
        "OKP" => okp(jwk)?,
        other => return Err(Error::KeyUnsupported(format!("JWK: `kty` \"{}\" is not supported", excerpt(other, 32)))),
    };
    check_certificates(jwk, &key)?;
    key.restrictions = restrictions;
    Ok(key)
}

fn string<'a>(jwk: &'a Object, name: &str) -> Result<Option<&'a str>> {
    match jwk.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::KeyInvalid(format!("JWK: member `{name}` must be a string"))),
    }
}

fn b64(jwk: &Object, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
    match string(jwk, name)? {
        None => Ok(None),
        // Public members too, so that every member is reported alike.
        Some(s) => crate::b64::decode_secret(s.as_bytes(), &format!("JWK: member `{name}`"))
            .map(Some)
            .map_err(|e| Error::KeyInvalid(e.to_string())),
    }
}

fn required_b64(jwk: &Object, name: &str) -> Result<Zeroizing<Vec<u8>>> {
    b64(jwk, name)?.ok_or_else(|| Error::KeyInvalid(format!("JWK: member `{name}` is required")))
}

fn restrictions(jwk: &Object) -> Result<Restrictions> {
    let mut r = Restrictions::none();
    r.kid = string(jwk, "kid")?.map(str::to_owned);
    r.alg = string(jwk, "alg")?.map(str::to_owned);
    r.use_ = string(jwk, "use")?.map(str::to_owned);
    match string(jwk, "use")? {
        None => {}
        Some("sig") => {
            r.may_encrypt = false;
            r.may_decrypt = false;
        }
        Some("enc") => {
            r.may_sign = false;
            r.may_verify = false;
        }
        Some(_) => {
            r.may_sign = false;
            r.may_verify = false;
            r.may_encrypt = false;
            r.may_decrypt = false;
        }
    }
    if let Some(ops) = jwk.get("key_ops") {
        let ops = ops
            .as_array()
            .filter(|a| a.iter().all(Value::is_string))
            .ok_or_else(|| Error::KeyInvalid("JWK: `key_ops` must be an array of strings".into()))?;
        let has = |op: &str| ops.iter().any(|o| o == op);
        r.may_sign &= has("sign");
        r.may_verify &= has("verify");
        r.may_encrypt &= has("encrypt") || has("wrapKey") || has("deriveKey");
        r.may_decrypt &= has("decrypt") || has("unwrapKey") || has("deriveKey");
        r.key_ops = Some(ops.iter().filter_map(|o| o.as_str().map(str::to_owned)).collect());
    }
    Ok(r)
}

fn rsa(jwk: &Object) -> Result<Key> {
    let n = required_b64(jwk, "n")?;
    let e = required_b64(jwk, "e")?;
    check_rsa_public(&n, &e)?;
    let Some(d) = b64(jwk, "d")? else {
        return rsa_public(&n, &e);
    };
    if jwk.contains_key("oth") {
        return Err(Error::KeyUnsupported("JWK: multi-prime RSA keys (`oth`) are not supported".into()));
    }
    let crt = ["p", "q", "dp", "dq", "qi"].iter().map(|m| b64(jwk, m)).collect::<Result<Vec<_>>>()?;
    if crt.iter().any(Option::is_none) {
        return Err(Error::KeyUnsupported("JWK: RSA private keys need the CRT members p, q, dp, dq and qi".into()));
    }
    let [p, q, dp, dq, qi] = [0, 1, 2, 3, 4].map(|i| crt[i].as_ref().unwrap());
    let parts = RsaPrivateParts { n: &n, e: &e, d: &d, p, q, dp, dq, qi };
    let components = RsaKeyPairComponents {
        public_key: RsaPublicKeyComponents { n: trim_be(&n), e: trim_be(&e) },
        d: trim_be(&d),
        p: trim_be(p),
        q: trim_be(q),
        dP: trim_be(dp),
        dQ: trim_be(dq),
        qInv: trim_be(qi),
    };
    let mut key = rsa_private(RsaKeyPair::from_components(&components), &n, &e)?;
    key.private_der = Some(rsa_pkcs8(&parts)?);
    Ok(key)
}

fn ec(jwk: &Object) -> Result<Key> {
    let family = match string(jwk, "crv")? {
        Some(crv) => curve_family("EC", crv)
            .ok_or_else(|| Error::KeyUnsupported(format!("JWK: EC curve \"{}\" is not supported", excerpt(crv, 32))))?,
        None => return Err(Error::KeyInvalid("JWK: member `crv` is required".into())),
    };
    let len = coordinate_len(family);
    let x = required_b64(jwk, "x")?;
    let y = required_b64(jwk, "y")?;
    for (name, v) in [("x", &x), ("y", &y)] {
        if v.len() != len {
            return Err(Error::KeyInvalid(format!(
                "JWK: `{name}` of a {} key must be {len} bytes, got {}",
                curve_name(family),
                v.len()
            )));
        }
    }
    let mut point = Vec::with_capacity(1 + 2 * len);
    point.push(4);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    match b64(jwk, "d")? {
        None => ec_public(family, &point),
        Some(d) if d.len() != len => Err(Error::KeyInvalid(format!(
            "JWK: `d` of a {} key must be {len} bytes, got {}",
            curve_name(family),
            d.len()
        ))),
        Some(d) => ec_private(family, &d, Some(&point)),
    }
}

fn okp(jwk: &Object) -> Result<Key> {
    match string(jwk, "crv")? {
        Some("Ed25519") => {}
        Some("X25519") => {
            let x = required_b64(jwk, "x")?;
            return match b64(jwk, "d")? {
                None => x25519_public(&x),
                Some(d) => x25519_private(&d, Some(&x)),
            };
        }
        Some(other) => {
            return Err(Error::KeyUnsupported(format!("JWK: OKP curve \"{}\" is not supported", excerpt(other, 32))))
        }
        None => return Err(Error::KeyInvalid("JWK: member `crv` is required".into())),
    }
    let x = required_b64(jwk, "x")?;
    match b64(jwk, "d")? {
        None => ed25519_public(&x),
        Some(d) => {
            let mut key = ed25519_private(Ed25519KeyPair::from_seed_and_public_key(&d, &x))?;
            key.private_der = Some(ed25519_pkcs8(&d)?);
            Ok(key)
        }
    }
}

/// What jwtkit frees while reading a key must not hold the key: every block freed while
/// a "needle" (a piece of the key, as text or bytes) is armed is searched for it.
#[cfg(test)]
mod wipe_tests {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;
    use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
    use std::sync::Mutex;

    use crate::key::Key;
    use crate::KeySet;

    struct Scanning;

    const MAX_NEEDLE: usize = 96;
    thread_local! {
        /// Only the blocks the armed thread frees are searched: a test running beside it
        /// may free a reused block whose unwritten bytes still hold an earlier copy.
        static ARMED: Cell<bool> = const { Cell::new(false) };
    }
    static NEEDLE: [AtomicU8; MAX_NEEDLE] = [const { AtomicU8::new(0) }; MAX_NEEDLE];
    static NEEDLE_LEN: AtomicUsize = AtomicUsize::new(0);
    static FOUND: AtomicUsize = AtomicUsize::new(0);
    /// One armed search at a time.
    static ONE: Mutex<()> = Mutex::new(());

    #[global_allocator]
    static SCANNING: Scanning = Scanning;

    // SAFETY: every call is forwarded to the system allocator (`alloc` as `alloc_zeroed`
    // while armed, which meets the same contract); `dealloc` reads
    // the block it is given (`layout.size()` initialised-or-not bytes it owns until then)
    // before freeing it, and allocates nothing.
    unsafe impl GlobalAlloc for Scanning {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // While armed, blocks start zeroed: a reused block's unwritten bytes may still
            // hold a copy freed before arming (the test's own inputs), which is no find.
            if ARMED.try_with(Cell::get).unwrap_or(false) {
                return unsafe { System.alloc_zeroed(layout) };
            }
            unsafe { System.alloc(layout) }
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            unsafe { System.alloc_zeroed(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            if ARMED.try_with(Cell::get).unwrap_or(false) {
                let n = NEEDLE_LEN.load(Ordering::Acquire);
                // The block's bytes as they are when freed (volatile: not elided).
                let size = layout.size();
                if n > 0 && size >= n {
                    let first = NEEDLE[0].load(Ordering::Relaxed);
                    for start in 0..=size - n {
                        if unsafe { ptr.add(start).read_volatile() } == first
                            && (1..n).all(
                                |i| unsafe { ptr.add(start + i).read_volatile() } == NEEDLE[i].load(Ordering::Relaxed),
                            )
                        {
                            FOUND.fetch_add(1, Ordering::AcqRel);
                            break;
                        }
                    }
                }
            }
            unsafe { System.dealloc(ptr, layout) }
        }
        // No `realloc`: the default moves a growing buffer with alloc, copy and
        // `dealloc`, so the block left behind is searched too.
    }

    /// How many blocks freed while `run` ran held `needle`.
    fn freed_holding(needle: &[u8], run: impl FnOnce()) -> usize {
        let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
        assert!((16..=MAX_NEEDLE).contains(&needle.len()));
        for (slot, &b) in NEEDLE.iter().zip(needle) {
            slot.store(b, Ordering::Relaxed);
        }
        NEEDLE_LEN.store(needle.len(), Ordering::Release);
        FOUND.store(0, Ordering::Release);
        ARMED.with(|a| a.set(true));
        run();
        ARMED.with(|a| a.set(false));
        FOUND.load(Ordering::Acquire)
    }

    /// The base64url text of a JWK's private member is the secret: the parsed JWK (or
    /// JWK Set) that held it is wiped before it is freed; so is the decoded secret, and
    /// the copies a PEM private key goes through (the normalised text, the DER).
    #[test]
    fn parsed_keys_leave_no_copy_of_the_secret_behind() {
        // Secrets no other test uses, so a find can only come from these keys.
        let k = "c2VjcmV0IG5vIG90aGVyIHRlc3QgdXNlcywgc2l4dHkgZm91ciBieXRlcyBsb25nISE";
        let k_bytes = crate::b64::decode(k.as_bytes(), "k").unwrap();
        let oct = format!(r#"{{"kty":"oct","kid":"w","k":"{k}"}}"#);
        let ec_d = "WKTM0cLBpny987-6hTZBWNrojhXpxBO2A6G0OcGTLPk";
        let ec = format!(
            r#"{{"kty":"EC","crv":"P-256","d":"{ec_d}","x":"vv9Qceh9AAZJegXBTd4APfhG0zhDFSyrvJ_4FHkdOgg","y":"1Ea8_wy_ho5TB6jMp8P1p1cG7NF5nAJUJHtNM-5HFo0"}}"#
        );
        // The public half above may not match: the scalar is read (and must be wiped)
        // before the comparison that refuses it.
        for (needle, input) in [(k.as_bytes(), oct.clone()), (&k_bytes[..], oct.clone()), (ec_d.as_bytes(), ec.clone())]
        {
            let jwks = format!(r#"{{"keys":[{input}]}}"#);
            let found = freed_holding(needle, || {
                drop(Key::from_jwk(input.as_bytes()));
                drop(KeySet::from_jwks(jwks.as_bytes()));
            });
            assert_eq!(found, 0, "{} freed block(s) held {:?}", found, String::from_utf8_lossy(needle));
        }

        // A PEM private key: a line of its base64 body, and a piece of its DER.
        let pem = include_str!("../../tests/keys/ecp256.pkcs8.pem");
        let line = pem.lines().nth(1).unwrap();
        let der = include_bytes!("../../tests/keys/ecp256.pkcs8.der");
        let crlf = pem.replace('\n', "\r\n");
        for needle in [line.as_bytes(), &der[30..62]] {
            let found = freed_holding(needle, || {
                drop(Key::from_pem(pem.as_bytes()).unwrap());
                drop(Key::from_pem(crlf.as_bytes()).unwrap());
            });
            assert_eq!(found, 0, "{found} freed block(s) held a piece of the PEM key");
        }
    }

    /// An HMAC secret is checked for the shapes of key material (base64 decoded, JSON
    /// parsed, text upper-cased) and tried as a JWK, PEM and DER key before it is
    /// accepted: none of those passes leaves a copy behind.
    #[test]
    fn secrets_leave_no_copy_behind_when_checked_for_key_shapes() {
        for secret in [
            "MySecretPasswordThatIsLongEnoughForHS256_1234567890",
            "{\"an HMAC secret that\": \"is JSON, and long enough\"}",
            "\"a quoted HMAC secret, long enough for HS256\"",
            "-----begin of a long passphrase, not a PEM block",
        ] {
            let found = freed_holding(secret.as_bytes(), || drop(Key::from_secret(secret.as_bytes()).unwrap()));
            assert_eq!(found, 0, "{found} freed block(s) held {secret:?}");
        }
    }

    /// The search itself works: a secret in a plain `String` is found when freed.
    #[test]
    fn the_search_finds_an_unwiped_copy() {
        let secret = "an unwiped copy of a secret, for the search to find";
        assert_eq!(freed_holding(secret.as_bytes(), || drop(std::hint::black_box(secret.to_owned()))), 1);
        let wiped = freed_holding(secret.as_bytes(), || {
            drop(zeroize::Zeroizing::new(std::hint::black_box(secret.to_owned())));
        });
        assert_eq!(wiped, 0);
    }
}
