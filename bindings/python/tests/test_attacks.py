"""The attack suite through the Python package: one test per class of attack on JWT
verifiers, each asserting the exception class and the library status (``.status_name``)
of the rejection. It mirrors ``tests/attacks.rs`` (the same classes through the C ABI).

Every malicious token is built here, byte by byte: base64url and JSON text by hand,
signatures with ``hmac``/``hashlib``, ``cryptography`` and plain integers (RSA e = 3),
never with jwtkit's own signer, so that a signer bug cannot hide a verifier bug. Each
test also checks a control token built by the same code, which must be accepted.
Checks are collected, and a failing test lists every wrong case at once.
"""

import base64
import hashlib
import hmac
import json
import re
import socket
import time
from typing import Any, Callable, List, Optional, Tuple

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

from conftest import ALGORITHMS, KEYS, raw, text
import jwtkit as jwt
from jwtkit import _core, _ffi
from jwtkit.exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidSignatureError,
    InvalidSubjectError,
    InvalidTokenError,
    InvalidKeyError,
    KeyAlgorithmMismatchError,
    KeyNotFoundError,
    MissingRequiredClaimError,
    PyJWTError,
)

SECRET = b"an HMAC secret of sixty-four bytes for HS256, HS384 and HS512!!!"
CLAIMS = b'{"sub":"attacker","admin":true}'
BOUND = 2.0  # seconds: hostile input must be refused in bounded time (generous, debug builds)

# ------------------------------------------------------------------------------------
# Encoding and signing, by hand


def b64u(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def signing_input(header: bytes, payload: bytes) -> bytes:
    return b64u(header) + b"." + b64u(payload)


def with_sig(si: bytes, sig: bytes) -> bytes:
    return si + b"." + b64u(sig)


def header(alg: str) -> bytes:
    return b'{"alg":"%s","typ":"JWT"}' % alg.encode()


_HASHES = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}
_CHASH = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}


def bits(alg: str) -> str:
    """The hash size in an algorithm's name ("ES256K" -> "256")."""
    return re.search(r"\d{3}", alg).group()


def mac(alg: str, secret: bytes, msg: bytes) -> bytes:
    return hmac.new(secret, msg, _HASHES[bits(alg)]).digest()


def private(name: str) -> Any:
    return serialization.load_pem_private_key(raw(name), None)


CURVE_WIDTH = {"ES256": 32, "ES384": 48, "ES512": 66, "ES256K": 32}
#: The key files of each asymmetric algorithm (RSA for the others).
STEM = {"ES256": "ecp256", "ES384": "ecp384", "ES512": "ecp521", "ES256K": "secp256k1", "EdDSA": "ed25519"}


class Signer:
    """A private key held outside jwtkit (``cryptography``), or an HMAC secret."""

    def __init__(self, key: Any) -> None:
        self.key = key

    def sign(self, alg: str, msg: bytes) -> bytes:
        k = self.key
        if isinstance(k, bytes):
            return mac(alg, k, msg)
        h = _CHASH[bits(alg)]() if alg != "EdDSA" else None
        if isinstance(k, rsa.RSAPrivateKey):
            pad = padding.PKCS1v15() if alg.startswith("RS") else padding.PSS(padding.MGF1(h), padding.PSS.DIGEST_LENGTH)
            return k.sign(msg, pad, h)
        if isinstance(k, ec.EllipticCurvePrivateKey):
            r, s = utils.decode_dss_signature(k.sign(msg, ec.ECDSA(h)))
            w = CURVE_WIDTH[alg]
            return r.to_bytes(w, "big") + s.to_bytes(w, "big")
        return k.sign(msg)  # Ed25519

    def token(self, alg: str, hdr: bytes, payload: bytes) -> bytes:
        si = signing_input(hdr, payload)
        return with_sig(si, self.sign(alg, si))


def signer_for(alg: str) -> Signer:
    if alg.startswith("HS"):
        return Signer(SECRET)
    return Signer(private(f"{STEM.get(alg, 'rsa2048')}.pkcs8.pem"))


def verifier_for(alg: str) -> Any:
    if alg.startswith("HS"):
        return SECRET
    return text(f"{STEM.get(alg, 'rsa2048')}.spki.pem")


# ------------------------------------------------------------------------------------
# Checking


def outcome(call: Callable[[], Any]) -> Any:
    try:
        call()
    except PyJWTError as e:
        return (type(e), e.status_name)
    except Exception as e:  # noqa: BLE001 - anything else is a finding, reported below
        return (type(e), f"(not a PyJWTError: {e})")
    return "ACCEPTED"


def show(got: Any) -> str:
    return got if isinstance(got, str) else f"{got[0].__name__} {got[1]}"


class Checks:
    def __init__(self) -> None:
        self.n = 0
        self.failures: List[str] = []

    def reject(self, case: str, call: Callable[[], Any], exc: type, status: Optional[str]) -> None:
        self.n += 1
        got = outcome(call)
        if got != (exc, status):
            self.failures.append(f"{case}: got {show(got)}, expected {exc.__name__} {status}")

    def accept(self, case: str, call: Callable[[], Any]) -> None:
        self.n += 1
        got = outcome(call)
        if got != "ACCEPTED":
            self.failures.append(f"{case}: control REJECTED with {show(got)}")

    def check(self, case: str, ok: bool) -> None:
        self.n += 1
        if not ok:
            self.failures.append(f"{case}: check failed")

    def timed(self, case: str, call: Callable[[], Any], exc: type, status: str) -> None:
        start = time.perf_counter()
        self.reject(case, call, exc, status)
        took = time.perf_counter() - start
        self.check(f"{case}: finished in {took:.3f} s (limit {BOUND} s)", took < BOUND)

    def done(self) -> None:
        # Forgeries that were accepted first: they are the ones that matter most.
        shown = sorted(self.failures, key=lambda f: "ACCEPTED" not in f)[:40]
        more = f"\n  ... and {len(self.failures) - len(shown)} more" if len(self.failures) > len(shown) else ""
        assert not self.failures, f"{len(self.failures)} of {self.n} checks failed:\n  " + "\n  ".join(shown) + more


def dec(token: bytes, key: Any, algorithms: Any = None, **kw: Any) -> Callable[[], Any]:
    return lambda: jwt.decode(token, key, algorithms=ALGORITHMS if algorithms is None else algorithms, **kw)


def jws(token: bytes, key: Any, algorithms: Any = None) -> Callable[[], Any]:
    return lambda: jwt.PyJWS().decode(token, key, algorithms=ALGORITHMS if algorithms is None else algorithms)


def unverified(token: bytes) -> Callable[[], Any]:
    return lambda: jwt.decode(token, options={"verify_signature": False})


# ====================================================================================
# 1. alg `none`


NONE_SPELLINGS = ["none", "None", "NONE", "nOnE", "NoNe", "nonE"]


def test_alg_none_in_every_spelling_is_refused():
    c = Checks()
    keys = [("HMAC secret", SECRET), ("RSA public", text("rsa2048.spki.pem")), ("P-256 public", text("ecp256.spki.pem")), ("Ed25519 public", text("ed25519.spki.pem"))]
    c.accept("control", dec(Signer(SECRET).token("HS256", header("HS256"), CLAIMS), SECRET))
    for spelling in NONE_SPELLINGS:
        for hdr in [b'{"alg":"%s"}' % spelling.encode(), b'{"alg":"%s","typ":"JWT"}' % spelling.encode()]:
            si = signing_input(hdr, CLAIMS)
            for what, sig in [("no signature", b""), ("HS256 with the verifier's secret", mac("HS256", SECRET, si)), ("64 zero bytes", bytes(64))]:
                token = with_sig(si, sig)
                for kname, key in keys:
                    case = f"{hdr!r} / {what} / {kname}"
                    c.reject(case, dec(token, key), InvalidAlgorithmError, "JWTKIT_ERR_ALG_UNSUPPORTED")
                    c.reject(case + " (PyJWS)", jws(token, key), InvalidAlgorithmError, "JWTKIT_ERR_ALG_UNSUPPORTED")
                    c.reject(case + " (none also in algorithms)", dec(token, key, ["HS256", "RS256", spelling]), InvalidAlgorithmError, "JWTKIT_ERR_ALG_UNSUPPORTED")
    two = b64u(b'{"alg":"none"}') + b"." + b64u(CLAIMS)
    c.reject("none without the trailing dot", dec(two, SECRET), DecodeError, "JWTKIT_ERR_TOKEN_MALFORMED")
    c.done()


def test_alg_none_cannot_be_named():
    c = Checks()
    si = signing_input(b'{"alg":"none"}', CLAIMS)
    token = si + b"."
    for spelling in NONE_SPELLINGS + ["none ", ""]:
        c.check(f"alg_from_name({spelling!r}) is None", _ffi.alg_from_name(spelling) is None)
        # An allow-list of only `none` names nothing: refused before the token is read.
        got = outcome(dec(token, SECRET, [spelling]))
        c.check(f"algorithms=[{spelling!r}]: {show(got)}", got != "ACCEPTED" and got[0] is InvalidAlgorithmError)
        # Issuing an unsecured token is refused too (PyJWT would issue one).
        got = outcome(lambda: jwt.encode({"sub": "x"}, None, algorithm=spelling))
        c.check(f"encode(algorithm={spelling!r}): {show(got)}", got != "ACCEPTED" and got[0] is NotImplementedError)
    got = outcome(lambda: jwt.encode({"sub": "x"}, None, algorithm=None))
    c.check(f"encode(algorithm=None): {show(got)}", got != "ACCEPTED" and got[0] is NotImplementedError)
    c.done()


def test_alg_names_match_exactly():
    c = Checks()
    s = Signer(SECRET)
    for alg in ["hs256", "Hs256", "HS256 ", " HS256", "HS256\\u0000", "HS 256", "HS-256", "HS", "HS1", "ES256k", "es256k", "Ed448", "RSA1_5", "dir", "EDDSA", "eddsa", ""]:
        token = s.token("HS256", b'{"alg":"%s"}' % alg.encode(), CLAIMS)
        c.reject(f"alg {alg!r}", dec(token, SECRET), InvalidAlgorithmError, "JWTKIT_ERR_ALG_UNSUPPORTED")
    # no alg at all: PyJWT's InvalidAlgorithmError("Algorithm not specified")
    c.reject("header without alg", dec(s.token("HS256", b'{"typ":"JWT"}', CLAIMS), SECRET), InvalidAlgorithmError, "JWTKIT_ERR_ALG_UNSUPPORTED")
    for hdr in [b'{"alg":null}', b'{"alg":256}', b'{"alg":["HS256"]}', b'{"alg":true}', b'{"alg":"HS256","kid":7}', b'{"alg":"HS256","typ":["JWT"]}']:
        c.reject(f"header {hdr!r}", dec(s.token("HS256", hdr, CLAIMS), SECRET), DecodeError, "JWTKIT_ERR_HEADER_INVALID")
    ed = Signer(private("ed25519.pkcs8.pem")).token("EdDSA", b'{"alg":"Ed25519"}', CLAIMS)
    c.accept("control: alg Ed25519, EdDSA allowed", dec(ed, text("ed25519.spki.pem"), ["EdDSA"]))
    c.reject("alg Ed25519, only ES256 allowed", dec(ed, text("ed25519.spki.pem"), ["ES256"]), InvalidAlgorithmError, "JWTKIT_ERR_ALG_NOT_ALLOWED")
    c.done()


# ====================================================================================
# 2. Public keys used as HMAC secrets


def _public_material():
    """(family, [(format, bytes)]) as an issuer publishes its public key."""
    rsa_pub = serialization.load_pem_public_key(raw("rsa2048.spki.pem"))
    cert = x509.load_pem_x509_certificate(raw("rsa2048.cert.pem"))
    ec_pub = serialization.load_pem_public_key(raw("ecp256.spki.pem"))
    ed_pub = serialization.load_pem_public_key(raw("ed25519.spki.pem"))
    k1_pub = serialization.load_pem_public_key(raw("secp256k1.spki.pem"))
    P, D = serialization.Encoding.PEM, serialization.Encoding.DER
    spki, pkcs1 = serialization.PublicFormat.SubjectPublicKeyInfo, serialization.PublicFormat.PKCS1
    raw_pub = lambda k: k.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)  # noqa: E731
    n = rsa_pub.public_numbers()
    ecn = ec_pub.public_numbers()
    k1n = k1_pub.public_numbers()
    i2b = lambda x: x.to_bytes((x.bit_length() + 7) // 8, "big")  # noqa: E731
    return [
        ("RSA", rsa_pub, [
            ("SPKI PEM", raw("rsa2048.spki.pem")),
            ("PKCS#1 PEM", rsa_pub.public_bytes(P, pkcs1)),
            ("certificate PEM", raw("rsa2048.cert.pem")),
            ("SPKI DER", rsa_pub.public_bytes(D, spki)),
            ("PKCS#1 DER", rsa_pub.public_bytes(D, pkcs1)),
            ("certificate DER", cert.public_bytes(D)),
            ("JWK JSON", b'{"kty":"RSA","n":"%s","e":"%s"}' % (b64u(i2b(n.n)), b64u(i2b(n.e)))),
        ]),
        ("P-256", ec_pub, [
            ("SPKI PEM", raw("ecp256.spki.pem")),
            ("SPKI DER", ec_pub.public_bytes(D, spki)),
            ("JWK JSON", b'{"kty":"EC","crv":"P-256","x":"%s","y":"%s"}' % (b64u(ecn.x.to_bytes(32, "big")), b64u(ecn.y.to_bytes(32, "big")))),
        ]),
        # secp256k1 keys were refused until ES256K: loadable now, and still never a secret.
        ("secp256k1", k1_pub, [
            ("SPKI PEM", raw("secp256k1.spki.pem")),
            ("SPKI DER", k1_pub.public_bytes(D, spki)),
            ("JWK JSON", b'{"kty":"EC","crv":"secp256k1","x":"%s","y":"%s"}' % (b64u(k1n.x.to_bytes(32, "big")), b64u(k1n.y.to_bytes(32, "big")))),
        ]),
        ("Ed25519", ed_pub, [
            ("SPKI PEM", raw("ed25519.spki.pem")),
            ("SPKI DER", ed_pub.public_bytes(D, spki)),
            ("JWK JSON", b'{"kty":"OKP","crv":"Ed25519","x":"%s"}' % b64u(raw_pub(ed_pub))),
        ]),
    ]


def _variants(fmt: str, data: bytes) -> List[Tuple[str, bytes]]:
    out = [
        (fmt, data),
        (f"{fmt}, no final newline", data.rstrip()),
        (f"{fmt}, leading newline", b"\n" + data),
        (f"{fmt}, leading spaces", b"   " + data),
        (f"{fmt}, CRLF", data.replace(b"\n", b"\r\n")),
        (f"{fmt}, leading whitespace + CRLF", (b" \t\n" + data).replace(b"\n", b"\r\n")),
    ]
    if "JWK" in fmt:
        out.append((f"{fmt}, pretty-printed", data.replace(b",", b",\n  ")))
    if "PEM" in fmt:
        # As `openssl x509 -subject` or `openssl pkey -text` print it: text, then the PEM.
        out.append((f"{fmt}, text before", b"subject=CN = jwtkit-test\n" + data))
    return out


MATERIAL = _public_material()


def _verifier_forms(family: str, public: Any, formats: List[Tuple[str, bytes]]) -> List[Tuple[str, Any]]:
    """The real public key as a verifier may pass it to ``decode``."""
    forms: List[Tuple[str, Any]] = [("cryptography public key object", public)]
    for fmt, data in formats:
        for variant, b in _variants(fmt, data):
            if "PEM" in fmt:
                forms.append((f"{variant} (str)", b.decode("ascii")))
                forms.append((f"{variant} (bytes)", b))
            elif "JWK" in fmt and ("leading newline" in variant or "pretty" in variant or variant == fmt):
                forms.append((f"{variant} (str)", b.decode("ascii")))
            elif variant == fmt:
                forms.append((f"{variant} (bytes)", b))
        if "JWK" in fmt:
            forms.append(("JWK dict", json.loads(data)))
            forms.append(("PyJWK", jwt.PyJWK(json.loads(data))))
    if family == "RSA":
        forms.append(("cryptography certificate object", x509.load_pem_x509_certificate(raw("rsa2048.cert.pem"))))
    return forms


FORMS = [(fam, name, form) for fam, public, formats in MATERIAL for name, form in _verifier_forms(fam, public, formats)]


@pytest.mark.parametrize("family,form_name,form", FORMS, ids=[f"{f}: {n}" for f, n, _ in FORMS])
def test_public_key_material_as_hmac_secret_is_refused(family, form_name, form):
    c = Checks()
    formats = next(fs for fam, _, fs in MATERIAL if fam == family)
    mixed = ["RS256", "ES256", "EdDSA", "HS256", "HS384", "HS512"]
    for fmt, data in formats:
        for variant, secret in _variants(fmt, data):
            for alg in ["HS256", "HS384", "HS512"]:
                forged = Signer(secret).token(alg, header(alg), CLAIMS)
                case = f"{alg} forged with {family} {variant}; verifier holds {form_name}"
                if isinstance(form, jwt.PyJWK):
                    # A PyJWK binds its own algorithm (RS256, ES256, EdDSA): HS* drops out of the allow-list.
                    c.reject(case, dec(forged, form), InvalidAlgorithmError, "JWTKIT_ERR_ALG_NOT_ALLOWED")
                    continue
                c.reject(case, dec(forged, form), KeyAlgorithmMismatchError, "JWTKIT_ERR_KEY_ALG_MISMATCH")
                c.reject(case + " (mixed allow-list)", dec(forged, form, mixed), KeyAlgorithmMismatchError, "JWTKIT_ERR_KEY_ALG_MISMATCH")
                c.reject(case + " (PyJWS)", jws(forged, form), KeyAlgorithmMismatchError, "JWTKIT_ERR_KEY_ALG_MISMATCH")
    c.done()


def test_public_key_hmac_forgeries_are_real():
    """Control for the test above: each forgery is a valid HMAC token for a verifier that
    takes the key's bytes as its secret (checked with ``hmac``), and jwtkit refuses those
    bytes as a secret through the C API."""
    c = Checks()
    for family, _, formats in MATERIAL:
        for fmt, data in formats:
            for variant, secret in _variants(fmt, data):
                forged = Signer(secret).token("HS256", header("HS256"), CLAIMS)
                si, _, sig = forged.rpartition(b".")
                c.check(f"{family} {variant}: the forgery is a valid HS256 token", sig == b64u(hmac.new(secret, si, hashlib.sha256).digest()))
                if "DER" not in fmt or variant == fmt:  # DER with bytes added is no longer a key
                    c.reject(f"{family} {variant} as a secret", lambda: _core.Key.from_secret(secret, allow_short=True), InvalidKeyError, "JWTKIT_ERR_KEY_NOT_SECRET")
    c.done()


def test_a_key_spelled_unusually_is_still_never_a_secret():
    """A JWK whose `kty` is written with a JSON escape loads as the RSA key it is (an
    RS256 token verifies); the library refuses its text as an HMAC secret, so a token
    MACed with that text meets the RSA key and fails, whatever the allow-list."""
    c = Checks()
    jwk_text = text("rsa2048.public.jwk.json").replace('"kty"', '"k\\u0074y"', 1)
    assert '"k\\u0074y"' in jwk_text
    private = serialization.load_pem_private_key(raw("rsa2048.pkcs8.pem"), None)
    good = Signer(private).token("RS256", header("RS256"), CLAIMS)
    c.accept("RS256 token with the escaped JWK as the key", dec(good, jwk_text, ["RS256", "HS256"]))
    c.reject("the C API, as a secret", lambda: _core.Key.from_secret(jwk_text.encode(), allow_short=True), InvalidKeyError, "JWTKIT_ERR_KEY_NOT_SECRET")
    mismatch = (KeyAlgorithmMismatchError, "JWTKIT_ERR_KEY_ALG_MISMATCH")
    forged = Signer(jwk_text.encode()).token("HS256", header("HS256"), CLAIMS)
    for key in (jwk_text, jwk_text.encode()):
        kind = type(key).__name__
        c.reject(f"HS256 MACed with the escaped JWK ({kind}), HS256 only", dec(forged, key, ["HS256"]), *mismatch)
        c.reject(f"HS256 MACed with the escaped JWK ({kind}), mixed allow-list", dec(forged, key, ["RS256", "HS256"]), *mismatch)
        c.reject(f"HS256 MACed with the escaped JWK ({kind}), PyJWS", jws(forged, key, ["RS256", "HS256"]), *mismatch)
        c.reject(f"encode HS256 with the escaped JWK ({kind})", lambda: jwt.encode({"a": 1}, key, algorithm="HS256"), *mismatch)
    c.done()


# Keys jwtkit refuses to load (too weak or too large, unsupported curves and key types),
# in every form they come in: a copy of tests/keys/refused.
REFUSED = sorted(p for p in (KEYS / "refused").iterdir() if p.suffix != ".md")


@pytest.mark.parametrize("path", REFUSED, ids=[p.name for p in REFUSED])
def test_refused_key_material_never_becomes_an_hmac_secret(path):
    """A verifier that allows HS256 beside an asymmetric algorithm and holds a public key
    jwtkit cannot use must refuse, not fall back to the key's bytes as an HMAC secret:
    a token MACed with those public bytes would verify."""
    c = Checks()
    data = path.read_bytes()
    mixed = ["RS256", "ES256", "EdDSA", "HS256", "HS384", "HS512"]
    want = (InvalidKeyError, "JWTKIT_ERR_KEY_NOT_SECRET")
    c.reject("the C API, as a secret", lambda: _core.Key.from_secret(data), *want)
    c.reject("the C API, as a short secret", lambda: _core.Key.from_secret(data, allow_short=True), *want)
    forms: List[Tuple[str, Any]] = [("bytes", data)]
    if data.isascii():
        forms.append(("str", data.decode("ascii")))
    for key_form, key in forms:
        for alg in ["HS256", "HS384", "HS512"]:
            forged = Signer(data).token(alg, header(alg), CLAIMS)
            case = f"{alg} MACed with the key's bytes, verifier holds them as {key_form}"
            c.reject(case, dec(forged, key, [alg]), *want)
            c.reject(case + " (mixed allow-list)", dec(forged, key, mixed), *want)
            c.reject(case + " (PyJWS)", jws(forged, key, mixed), *want)
            c.reject(case + " (no minimum length)", dec(forged, key, mixed, options={"enforce_minimum_key_length": False}), *want)
        c.reject(f"encode HS256 with it as {key_form}", lambda: jwt.encode({"a": 1}, key, algorithm="HS256"), *want)
    try:
        _core.Key.from_secret(data)
    except InvalidKeyError as e:
        c.check(f"the message says what the bytes look like: {e.detail!r}", "this is " in (e.detail or ""))
    c.done()


# ====================================================================================
# 3. Key kind or curve that does not fit the algorithm

FAMILY = {"HS256": "HMAC", "HS384": "HMAC", "HS512": "HMAC", "ES256": "P-256", "ES384": "P-384", "ES512": "P-521",
          "ES256K": "secp256k1", "EdDSA": "Ed25519"}


def test_key_kind_or_curve_not_fitting_the_algorithm():
    c = Checks()
    verifiers = [("HMAC", "secret", SECRET)]
    for fam, stem in [("RSA", "rsa2048"), ("P-256", "ecp256"), ("P-384", "ecp384"), ("P-521", "ecp521"),
                      ("secp256k1", "secp256k1"), ("Ed25519", "ed25519")]:
        verifiers.append((fam, "public", text(f"{stem}.spki.pem")))
        verifiers.append((fam, "private", text(f"{stem}.pkcs8.pem")))
    for alg in ALGORITHMS:
        token = signer_for(alg).token(alg, header(alg), CLAIMS)
        for fam, kind, key in verifiers:
            case = f"{alg} token, {fam} {kind} key"
            if FAMILY.get(alg, "RSA") == fam:
                c.accept("control: " + case, dec(token, key))
            else:
                c.reject(case, dec(token, key), KeyAlgorithmMismatchError, "JWTKIT_ERR_KEY_ALG_MISMATCH")
    jwk = json.loads(text("rsa2048.public.jwk.json"))
    jwk.pop("alg", None)
    jwk.pop("use", None)
    jwk.pop("key_ops", None)
    rsa_signer = signer_for("RS256")
    ps256 = rsa_signer.token("PS256", header("PS256"), CLAIMS)
    rs256 = rsa_signer.token("RS256", header("RS256"), CLAIMS)
    c.accept("control: RS256, JWK restricted to RS256", dec(rs256, {**jwk, "alg": "RS256"}))
    c.reject("PS256, JWK restricted to RS256", dec(ps256, {**jwk, "alg": "RS256"}), KeyAlgorithmMismatchError, "JWTKIT_ERR_KEY_USAGE")
    c.reject("RS256, JWK with use enc", dec(rs256, {**jwk, "use": "enc"}), KeyAlgorithmMismatchError, "JWTKIT_ERR_KEY_USAGE")
    c.reject("RS256, JWK whose key_ops lack verify", dec(rs256, {**jwk, "key_ops": ["encrypt"]}), KeyAlgorithmMismatchError, "JWTKIT_ERR_KEY_USAGE")
    c.done()


# ====================================================================================
# 4. ECDSA r, s out of range; DER; wrong lengths

ORDERS = {
    "ES256": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "ES384": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
    "ES512": 0x1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409,
    "ES256K": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141,
}
CURVE_FILE = {"ES256": "ecp256", "ES384": "ecp384", "ES512": "ecp521", "ES256K": "secp256k1"}
assert [n.bit_length() for n in ORDERS.values()] == [256, 384, 521, 256]


@pytest.mark.parametrize("alg", ["ES256", "ES384", "ES512", "ES256K"])
def test_ecdsa_r_or_s_zero_or_not_below_n(alg):
    c = Checks()
    w, n = CURVE_WIDTH[alg], ORDERS[alg]
    key = text(f"{CURVE_FILE[alg]}.spki.pem")
    si = signing_input(header(alg), CLAIMS)
    valid = signer_for(alg).sign(alg, si)
    c.accept("control", dec(with_sig(si, valid), key))
    r, s = int.from_bytes(valid[:w], "big"), int.from_bytes(valid[w:], "big")
    top = (1 << (8 * w)) - 1
    cases = [("r = s = 0", 0, 0), ("r = 0", 0, s), ("s = 0", r, 0), ("r = n", n, s), ("s = n", r, n), ("r = s = n", n, n),
             ("r = n + 1", n + 1, s), ("s = n + 1", r, n + 1), ("r = 2^k - 1", top, s), ("s = 2^k - 1", r, top), ("r = s = 1", 1, 1)]
    if r + n <= top:
        cases.append(("r + n (unreduced)", r + n, s))
    if s + n <= top:
        cases.append(("s + n (unreduced)", r, s + n))
    if alg == "ES512":
        c.check("ES512: r + n and s + n fit", len(cases) == 13)
    for what, cr, cs in cases:
        token = with_sig(si, cr.to_bytes(w, "big") + cs.to_bytes(w, "big"))
        c.reject(what, dec(token, key), InvalidSignatureError, "JWTKIT_ERR_SIGNATURE_INVALID")
        c.reject(what + " (PyJWS)", jws(token, key), InvalidSignatureError, "JWTKIT_ERR_SIGNATURE_INVALID")
    c.done()


@pytest.mark.parametrize("alg", ["ES256", "ES384", "ES512", "ES256K"])
def test_ecdsa_der_signatures_and_wrong_lengths(alg):
    c = Checks()
    w = CURVE_WIDTH[alg]
    key = text(f"{CURVE_FILE[alg]}.spki.pem")
    si = signing_input(header(alg), CLAIMS)
    priv = private(f"{CURVE_FILE[alg]}.pkcs8.pem")
    der = priv.sign(si, ec.ECDSA(_CHASH[bits(alg)]()))
    r, s = utils.decode_dss_signature(der)
    valid = r.to_bytes(w, "big") + s.to_bytes(w, "big")
    c.accept("control", dec(with_sig(si, valid), key))
    cases = [("DER-encoded", der), ("empty", b""), ("1 byte", b"\0"), ("truncated by 1", valid[:-1]), ("only r", valid[:w]),
             ("trailing 0", valid + b"\0"), ("leading 0", b"\0" + valid), ("r and s each with a leading 0", b"\0" + valid[:w] + b"\0" + valid[w:]),
             ("twice", valid + valid)]
    for other, ow in CURVE_WIDTH.items():
        if ow > w:
            cases.append((f"r, s zero-extended to {other} width", r.to_bytes(ow, "big") + s.to_bytes(ow, "big")))
    for what, sig in cases:
        c.reject(f"{what} ({len(sig)} bytes)", dec(with_sig(si, sig), key), InvalidSignatureError, "JWTKIT_ERR_SIGNATURE_INVALID")
    c.done()


# ====================================================================================
# 5. Ed25519 S >= L

L = 2**252 + 27742317777372353535851937790883648493


def test_ed25519_s_not_reduced_is_refused():
    c = Checks()
    key = text("ed25519.spki.pem")
    for hdr in [header("EdDSA"), b'{"alg":"Ed25519"}']:
        si = signing_input(hdr, CLAIMS)
        valid = signer_for("EdDSA").sign("EdDSA", si)
        c.accept(f"control {hdr!r}", dec(with_sig(si, valid), key))
        R, S = valid[:32], int.from_bytes(valid[32:], "little")
        for what, sig in [
            ("S + L", R + (S + L).to_bytes(32, "little")),
            ("S + 2L", R + (S + 2 * L).to_bytes(32, "little")),
            ("S = L", R + L.to_bytes(32, "little")),
            ("S = 2^256 - 1", R + b"\xff" * 32),
            ("all zero", bytes(64)),
            ("R = identity, S = 0", (1).to_bytes(32, "little") + bytes(32)),
            ("truncated", valid[:63]),
            ("padded", valid + b"\0"),
        ]:
            c.reject(f"{hdr!r}: {what}", dec(with_sig(si, sig), key), InvalidSignatureError, "JWTKIT_ERR_SIGNATURE_INVALID")
    c.done()


# ====================================================================================
# 6. RSA e = 3 forgery (Bleichenbacher 2006)

SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def icbrt(x: int) -> int:
    y = 1 << ((x.bit_length() + 2) // 3)
    while True:
        z = (2 * y + x // (y * y)) // 3
        if z >= y:
            break
        y = z
    while y**3 > x:
        y -= 1
    while (y + 1) ** 3 <= x:
        y += 1
    return y


def e3_forgery(si: bytes, ff: int) -> bytes:
    prefix = b"\x00\x01" + b"\xff" * ff + b"\x00" + SHA256_DIGEST_INFO + hashlib.sha256(si).digest()
    target = int.from_bytes(prefix + b"\xff" * (256 - len(prefix)), "big")
    s = icbrt(target)
    cube = (s**3).to_bytes(256, "big")
    assert cube[: len(prefix)] == prefix and cube[len(prefix):] != b"\xff" * (256 - len(prefix)), "construction"
    return s.to_bytes(256, "big")


@pytest.fixture(scope="module")
def e3_key():
    return rsa.generate_private_key(public_exponent=3, key_size=2048)


def test_rsa_e3_signature_forgery_is_refused(e3_key):
    c = Checks()
    public = e3_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    si = signing_input(header("RS256"), CLAIMS)
    genuine = with_sig(si, e3_key.sign(si, padding.PKCS1v15(), hashes.SHA256()))
    c.accept("control: genuine RS256 signature of the e = 3 key", dec(genuine, public))
    for ff in [0, 1, 8, 16]:
        sig = e3_forgery(si, ff)
        c.check(f"{ff} FF: s^3 < n (no reduction)", int.from_bytes(sig, "big") ** 3 < e3_key.public_key().public_numbers().n)
        c.reject(f"forgery, {ff} FF bytes", dec(with_sig(si, sig), public), InvalidSignatureError, "JWTKIT_ERR_SIGNATURE_INVALID")
        c.reject(f"forgery, {ff} FF bytes (PyJWS)", jws(with_sig(si, sig), public), InvalidSignatureError, "JWTKIT_ERR_SIGNATURE_INVALID")
        c.reject(f"forgery, {ff} FF bytes, minimal length", dec(with_sig(si, sig.lstrip(b"\0")), public), InvalidSignatureError, "JWTKIT_ERR_SIGNATURE_INVALID")
    c.done()


# ====================================================================================
# 7. Empty, truncated, padded signatures


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_empty_truncated_and_padded_signatures(alg):
    c = Checks()
    key = verifier_for(alg)
    si = signing_input(header(alg), CLAIMS)
    valid = signer_for(alg).sign(alg, si)
    c.accept("control", dec(with_sig(si, valid), key))
    n = len(valid)
    cases = [("empty", b""), ("1 byte", valid[:1]), ("half", valid[: n // 2]), ("truncated by 1", valid[:-1]), ("first byte dropped", valid[1:]),
             ("trailing 0", valid + b"\0"), ("leading 0", b"\0" + valid), ("doubled", valid + valid), ("all zero", bytes(n)),
             ("last bit flipped", valid[:-1] + bytes([valid[-1] ^ 1]))]
    if alg.startswith("HS"):
        cases += [("truncated to 16", valid[:16])] + [(f"{o} MAC", mac(o, SECRET, si)) for o in ("HS256", "HS384", "HS512") if o != alg]
    if alg[:2] in ("RS", "PS"):
        nn = serialization.load_pem_public_key(raw("rsa2048.spki.pem")).public_numbers().n
        cases += [("= n", nn.to_bytes(256, "big")), ("= 1", (1).to_bytes(256, "big")), ("= n - 1", (nn - 1).to_bytes(256, "big")),
                  ("valid + n", (int.from_bytes(valid, "big") + nn).to_bytes(257, "big"))]
        rs = signer_for("RS256")
        cases += [(f"{o} signature of the same input", rs.sign(o, si)) for o in ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512") if o != alg]
    for what, sig in cases:
        c.reject(f"{what} ({len(sig)} bytes)", dec(with_sig(si, sig), key), InvalidSignatureError, "JWTKIT_ERR_SIGNATURE_INVALID")
    c.done()


# ====================================================================================
# 8. jwk / jku / x5u / x5c / kid never choose a key; nothing is fetched


def _ec_jwk(pub: ec.EllipticCurvePublicKey, **extra: str) -> dict:
    nums = pub.public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": b64u(nums.x.to_bytes(32, "big")).decode(), "y": b64u(nums.y.to_bytes(32, "big")).decode(), **extra}


def test_embedded_keys_and_key_urls_never_choose_a_key():
    c = Checks()
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.setblocking(False)
    port = server.getsockname()[1]
    try:
        trusted = text("ecp256.spki.pem")
        trusted_jwk = _ec_jwk(serialization.load_pem_public_key(raw("ecp256.spki.pem")), kid="issuer-1", alg="ES256")
        keyset = jwt.PyJWKSet([trusted_jwk])
        attacker_key = ec.generate_private_key(ec.SECP256R1())
        attacker = Signer(attacker_key)
        legit = signer_for("ES256")
        cert = "".join(line for line in text("rsa2048.cert.pem").splitlines() if not line.startswith("-----"))
        ajwk = json.dumps(_ec_jwk(attacker_key.public_key()), separators=(",", ":"))
        url = f"http://127.0.0.1:{port}"
        headers = [
            ("jwk = attacker's key", f'{{"alg":"ES256","jwk":{ajwk}}}'),
            ("jwk + issuer's kid", f'{{"alg":"ES256","kid":"issuer-1","jwk":{ajwk}}}'),
            ("jku = local server", f'{{"alg":"ES256","jku":"{url}/jwks.json"}}'),
            ("jku + issuer's kid", f'{{"alg":"ES256","kid":"issuer-1","jku":"{url}/jwks.json"}}'),
            ("x5u = local server", f'{{"alg":"ES256","x5u":"{url}/cert.pem"}}'),
            ("x5c = a certificate", f'{{"alg":"ES256","x5c":["{cert}"]}}'),
            ("everything", f'{{"alg":"ES256","kid":"issuer-1","jwk":{ajwk},"jku":"{url}/a","x5u":"{url}/b","x5c":["{cert}"]}}'),
        ]
        for what, hdr in headers:
            forged = attacker.token("ES256", hdr.encode(), CLAIMS)
            c.reject(what, dec(forged, trusted), InvalidSignatureError, "JWTKIT_ERR_SIGNATURE_INVALID")
            c.reject(what + " (PyJWKSet)", dec(forged, keyset, ["ES256"]), InvalidSignatureError, "JWTKIT_ERR_SIGNATURE_INVALID")
            c.accept("control, issuer-signed: " + what, dec(legit.token("ES256", hdr.encode(), CLAIMS), trusted))
            c.accept("control, issuer-signed (PyJWKSet): " + what, dec(legit.token("ES256", hdr.encode(), CLAIMS), keyset, ["ES256"]))
        oct_jwk = '{"kty":"oct","k":"%s"}' % b64u(b"attacker secret of 32 bytes.....").decode()
        hs = Signer(b"attacker secret of 32 bytes.....").token("HS256", b'{"alg":"HS256","jwk":%s}' % oct_jwk.encode(), CLAIMS)
        c.reject("HS256 with an oct jwk, P-256 key", dec(hs, trusted), KeyAlgorithmMismatchError, "JWTKIT_ERR_KEY_ALG_MISMATCH")
        time.sleep(0.2)
        try:
            conn, peer = server.accept()
            conn.close()
            c.check(f"a connection reached the jku/x5u server from {peer}", False)
        except BlockingIOError:
            c.check("no connection reached the jku/x5u server", True)
    finally:
        server.close()
    c.done()


def test_kid_never_chooses_a_key_outside_the_set():
    c = Checks()
    rsa_jwk = {**json.loads(text("rsa2048.public.jwk.json")), "kid": "rsa-1"}
    for m in ("alg", "use", "key_ops"):
        rsa_jwk.pop(m, None)
    ec_jwk = _ec_jwk(serialization.load_pem_public_key(raw("ecp256.spki.pem")), kid="ec-1")
    keyset = jwt.PyJWKSet([rsa_jwk, ec_jwk])
    legit = signer_for("ES256")
    attacker = Signer(b"attacker secret of 32 bytes.....")
    c.accept("control: kid ec-1", dec(legit.token("ES256", b'{"alg":"ES256","kid":"ec-1"}', CLAIMS), keyset))
    for kid in ["attacker", "../../../../../../dev/null", "/etc/passwd", "' OR '1'='1", "http://127.0.0.1:1/key", "", "ec-1 ", "EC-1", "ec-1\x00"]:
        hdr = json.dumps({"alg": "HS256", "kid": kid}, separators=(",", ":")).encode()
        c.reject(f"HS256 kid {kid!r}", dec(attacker.token("HS256", hdr, CLAIMS), keyset), KeyNotFoundError, "JWTKIT_ERR_KEY_NOT_FOUND")
    c.reject("HS256 kid rsa-1 (an RSA key)", dec(attacker.token("HS256", b'{"alg":"HS256","kid":"rsa-1"}', CLAIMS), keyset), KeyAlgorithmMismatchError, "JWTKIT_ERR_KEY_ALG_MISMATCH")
    evil = Signer(ec.generate_private_key(ec.SECP256R1()))
    c.reject("ES256 (attacker) kid rsa-1", dec(evil.token("ES256", b'{"alg":"ES256","kid":"rsa-1"}', CLAIMS), keyset), KeyAlgorithmMismatchError, "JWTKIT_ERR_KEY_ALG_MISMATCH")
    c.reject("ES256 (attacker) kid ec-1", dec(evil.token("ES256", b'{"alg":"ES256","kid":"ec-1"}', CLAIMS), keyset), InvalidSignatureError, "JWTKIT_ERR_SIGNATURE_INVALID")
    c.reject("ES256 (attacker) without kid", dec(evil.token("ES256", b'{"alg":"ES256"}', CLAIMS), keyset), InvalidSignatureError, "JWTKIT_ERR_SIGNATURE_INVALID")
    c.done()


# ====================================================================================
# 9. crit and b64


def test_unknown_crit_is_refused():
    c = Checks()
    s = Signer(SECRET)
    c.accept("control", dec(s.token("HS256", b'{"alg":"HS256","exp2":1}', CLAIMS), SECRET))
    for hdr, exc, status in [
        (b'{"alg":"HS256","crit":["exp2"],"exp2":1}', InvalidTokenError, "JWTKIT_ERR_CRIT_UNSUPPORTED"),
        (b'{"alg":"HS256","crit":["exp2"]}', InvalidTokenError, "JWTKIT_ERR_CRIT_UNSUPPORTED"),
        # b64 false without a detached payload: PyJWT's DecodeError ("... the b64 header set to false.")
        (b'{"alg":"HS256","crit":["b64"],"b64":false}', DecodeError, "JWTKIT_ERR_HEADER_INVALID"),
        (b'{"alg":"HS256","crit":["alg"]}', InvalidTokenError, "JWTKIT_ERR_CRIT_UNSUPPORTED"),
        (b'{"crit":["exp2"],"alg":"HS256","exp2":1}', InvalidTokenError, "JWTKIT_ERR_CRIT_UNSUPPORTED"),
        (b'{"alg":"none","crit":["exp2"]}', InvalidTokenError, "JWTKIT_ERR_CRIT_UNSUPPORTED"),
        (b'{"alg":"HS256","crit":[]}', DecodeError, "JWTKIT_ERR_HEADER_INVALID"),
        (b'{"alg":"HS256","crit":"exp2"}', DecodeError, "JWTKIT_ERR_HEADER_INVALID"),
        (b'{"alg":"HS256","crit":[1]}', DecodeError, "JWTKIT_ERR_HEADER_INVALID"),
        (b'{"alg":"HS256","crit":null}', DecodeError, "JWTKIT_ERR_HEADER_INVALID"),
    ]:
        token = s.token("HS256", hdr, CLAIMS)
        c.reject(f"{hdr!r}", dec(token, SECRET), exc, status)
        c.reject(f"{hdr!r} (PyJWS)", jws(token, SECRET), exc, status)
    c.done()


def test_unencoded_payload_b64_false_is_refused():
    c = Checks()
    payload = b'{"sub":"attacker"}'
    for hdr in [b'{"alg":"HS256","b64":false}', b'{"alg":"HS256","b64":true}', b'{"alg":"HS256","b64":"false"}']:
        si_raw = b64u(hdr) + b"." + payload
        raw_token = with_sig(si_raw, mac("HS256", SECRET, si_raw))
        c.reject(f"{hdr!r}, raw payload", dec(raw_token, SECRET), DecodeError, "JWTKIT_ERR_HEADER_INVALID")
        c.reject(f"{hdr!r}, raw payload (PyJWS)", jws(raw_token, SECRET), DecodeError, "JWTKIT_ERR_HEADER_INVALID")
        detached = b64u(hdr) + b".." + b64u(mac("HS256", SECRET, si_raw))
        c.reject(f"{hdr!r}, detached (PyJWS)", jws(detached, SECRET), DecodeError, "JWTKIT_ERR_HEADER_INVALID")
        c.reject(f"{hdr!r}, encoded payload", dec(Signer(SECRET).token("HS256", hdr, payload), SECRET), DecodeError, "JWTKIT_ERR_HEADER_INVALID")
    # PyJWT's detached_payload argument is refused outright (no status: nothing reached the library).
    got = outcome(lambda: jwt.PyJWS().decode(b64u(b'{"alg":"HS256","b64":false}') + b"..AAAA", SECRET, algorithms=["HS256"], detached_payload=payload))
    c.check(f"detached_payload= refused: {show(got)}", got != "ACCEPTED" and got[0] is DecodeError)
    c.done()


# ====================================================================================
# 10. Duplicate members; JSON that is not strict UTF-8 JSON


def test_duplicate_members_are_refused():
    c = Checks()
    s = Signer(SECRET)
    for hdr in [b'{"alg":"HS256","alg":"none"}', b'{"alg":"none","alg":"HS256"}', b'{"alg":"HS256","alg":"HS256"}',
                b'{"alg":"HS256","al\\u0067":"none"}', b'{"\\u0061lg":"none","alg":"HS256"}', b'{"alg":"HS256","kid":"a","kid":"b"}',
                b'{"alg":"HS256","jwk":{"kty":"oct","kty":"RSA"}}']:
        token = s.token("HS256", hdr, CLAIMS)
        c.reject(f"header {hdr!r}", dec(token, SECRET), DecodeError, "JWTKIT_ERR_JSON")
        c.reject(f"header {hdr!r} (unverified)", unverified(token), DecodeError, "JWTKIT_ERR_JSON")
    for claims in [b'{"sub":"user","sub":"admin"}', b'{"admin":false,"admin":true}', b'{"exp":1,"exp":99999999999}',
                   b'{"exp":1,"ex\\u0070":99999999999}', b'{"\\u0073ub":"user","sub":"admin"}', b'{"x":{"role":"user","role":"admin"}}']:
        token = s.token("HS256", header("HS256"), claims)
        c.reject(f"claims {claims!r}", dec(token, SECRET), DecodeError, "JWTKIT_ERR_JSON")
        c.reject(f"claims {claims!r} (unverified)", unverified(token), DecodeError, "JWTKIT_ERR_JSON")
    c.done()


def _bad_json(obj: bytes) -> List[Tuple[str, bytes]]:
    body = obj[1:-1]
    w = lambda m: b"{" + body + b"," + m + b"}"  # noqa: E731
    return [
        ("0xFF in a string", w(b'"x":"\xff"')), ("Latin-1", w(b'"x":"caf\xe9"')), ("overlong UTF-8", w(b'"x":"\xc0\xaf"')),
        ("CESU-8 surrogate", w(b'"x":"\xed\xa0\x80"')), ("truncated UTF-8", w(b'"x":"\xe2\x82"')),
        ("UTF-16LE", obj.decode().encode("utf-16-le")), ("UTF-16BE", obj.decode().encode("utf-16-be")),
        ("UTF-16 with BOM", obj.decode().encode("utf-16")), ("UTF-8 BOM", b"\xef\xbb\xbf" + obj),
        ("NaN", w(b'"x":NaN')), ("Infinity", w(b'"x":Infinity')), ("-Infinity", w(b'"x":-Infinity')), ("1e400", w(b'"x":1e400')),
        ("lone high surrogate", w(b'"x":"\\ud800"')), ("lone low surrogate", w(b'"x":"\\udc00"')),
        ("high surrogate + letter", w(b'"x":"\\ud800\\u0041"')), ("surrogate in a name", w(b'"\\ud800":1')),
        ("trailing garbage", obj + b" x"), ("second object", obj + b"{}"), ("trailing NUL", obj + b"\0"), ("trailing comma", obj + b","),
        ("leading garbage", b"x" + obj), ("trailing comma inside", obj[:-1] + b",}"), ("comment", b"/**/" + obj),
        ("single quotes", w(b"'x':1")), ("raw control character", w(b'"x":"a\x01b"')), ("leading zero", w(b'"x":01')),
        ("an array", b"[]"), ("a string", b'"x"'), ("null", b"null"), ("empty", b""),
    ]


def test_json_that_is_not_strict_utf8_json_is_refused():
    c = Checks()
    s = Signer(SECRET)
    hdr = b'{"alg":"HS256","typ":"JWT"}'
    c.accept("control", dec(s.token("HS256", hdr, CLAIMS), SECRET))
    for what, bad in _bad_json(hdr):
        token = s.token("HS256", bad, CLAIMS)
        c.reject(f"header: {what}", dec(token, SECRET), DecodeError, "JWTKIT_ERR_JSON")
    for what, bad in _bad_json(CLAIMS):
        token = s.token("HS256", hdr, bad)
        c.accept(f"claims: {what} (PyJWS: signature valid)", jws(token, SECRET))
        c.reject(f"claims: {what}", dec(token, SECRET), DecodeError, "JWTKIT_ERR_JSON")
        c.reject(f"claims: {what} (unverified)", unverified(token), DecodeError, "JWTKIT_ERR_JSON")
    c.done()


# ====================================================================================
# 11. Non-canonical base64url in each segment

ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _noncanonical(data: bytes) -> List[Tuple[str, bytes]]:
    canon = b64u(data)
    assert b"-" in canon and b"_" in canon and len(data) % 3, canon
    pad = b"=" * (-len(canon) % 4)
    idx = ALPHABET.index(canon[-1:])
    trailing = canon[:-1] + ALPHABET[idx | 1 : (idx | 1) + 1]
    m = len(canon) // 2
    return [
        ("padding", canon + pad), ("extra padding", canon + pad + b"=="), ("'+' for '-'", canon.replace(b"-", b"+")),
        ("'/' for '_'", canon.replace(b"_", b"/")), ("non-zero trailing bits", trailing), ("space", canon[:m] + b" " + canon[m:]),
        ("newline", canon[:m] + b"\n" + canon[m:]), ("CRLF", canon[:m] + b"\r\n" + canon[m:]), ("tab", canon[:m] + b"\t" + canon[m:]),
        ("trailing newline", canon + b"\n"), ("NUL", canon[:m] + b"\0" + canon[m:]),
        ("impossible length", canon + b"A" * ((5 - len(canon) % 4) % 4)),
    ]


def _awkward(base: bytes) -> bytes:
    for n in range(3000):
        filler = bytes(b"~?ow"[(n >> (2 * i)) & 3] for i in range(6)) + b"x" * (n % 3)
        j = base[:-1] + b',"f":"' + filler + b'"}'
        e = b64u(j)
        if b"-" in e and b"_" in e and len(j) % 3:
            return j
    raise AssertionError("no filler")


def test_noncanonical_base64url_in_each_segment_is_refused():
    c = Checks()
    hdr = _awkward(b'{"alg":"HS256","typ":"JWT"}')
    claims = _awkward(b'{"sub":"attacker"}')
    h, p = b64u(hdr), b64u(claims)
    c.accept("control", dec(with_sig(h + b"." + p, mac("HS256", SECRET, h + b"." + p)), SECRET))
    for what, bad in _noncanonical(hdr):
        si = bad + b"." + p
        c.reject(f"header: {what}", dec(with_sig(si, mac("HS256", SECRET, si)), SECRET), DecodeError, "JWTKIT_ERR_BASE64")
    for what, bad in _noncanonical(claims):
        si = h + b"." + bad
        token = with_sig(si, mac("HS256", SECRET, si))
        c.reject(f"payload: {what}", dec(token, SECRET), DecodeError, "JWTKIT_ERR_BASE64")
        c.reject(f"payload: {what} (PyJWS)", jws(token, SECRET), DecodeError, "JWTKIT_ERR_BASE64")
    nonce = 0
    while True:
        si = h + b"." + b64u(b'{"sub":"attacker","n":%d}' % nonce)
        sig = mac("HS256", SECRET, si)
        if b"-" in b64u(sig) and b"_" in b64u(sig):
            break
        nonce += 1
    c.accept("control: signature", dec(with_sig(si, sig), SECRET))
    for what, bad in _noncanonical(sig):
        c.reject(f"signature: {what}", dec(si + b"." + bad, SECRET), DecodeError, "JWTKIT_ERR_BASE64")
    c.done()


# ====================================================================================
# 12. Segment counts, JWS JSON serialization


def test_wrong_segment_counts_and_json_serialization_are_refused():
    c = Checks()
    h, p = b64u(header("HS256")), b64u(CLAIMS)
    s = b64u(mac("HS256", SECRET, h + b"." + p))
    c.accept("control", dec(h + b"." + p + b"." + s, SECRET))
    flat = b'{"payload":"%s","protected":"%s","signature":"%s"}' % (p, h, s)
    general = b'{"payload":"%s","signatures":[{"protected":"%s","signature":"%s"}]}' % (p, h, s)
    for what, token in [
        ("empty", b""), ("1 segment", h), ("2 segments", h + b"." + p), ("4 segments", b".".join([h, p, s, s])),
        ("4, trailing dot", b".".join([h, p, s]) + b"."), ("4, leading dot", b"." + b".".join([h, p, s])),
        ("5 segments", b".".join([h, p, s, p, s])), ("5 empty", b"...."), ("only dots", b"." * 10), ("non-ASCII", b".".join([h, p, s]) + b"\xc3\xa9"),
        ("JWS JSON flattened", flat), ("JWS JSON general", general), ("JWS JSON with leading space", b" " + flat),
    ]:
        c.reject(what, dec(token, SECRET), DecodeError, "JWTKIT_ERR_TOKEN_MALFORMED")
        c.reject(what + " (PyJWS)", jws(token, SECRET), DecodeError, "JWTKIT_ERR_TOKEN_MALFORMED")
        c.reject(what + " (str)", dec(token.decode("utf-8"), SECRET), DecodeError, "JWTKIT_ERR_TOKEN_MALFORMED")
    c.done()


# ====================================================================================
# 13. Wrong types for registered claims

CLAIM_CLASS = {"exp": DecodeError, "nbf": DecodeError, "iat": InvalidIssuedAtError, "iss": InvalidIssuerError,
               "sub": InvalidSubjectError, "jti": InvalidJTIError, "aud": InvalidAudienceError}
WRONG = {
    "numeric": [b'"1"', b'"99999999999"', b'""', b"null", b"true", b"false", b"[1]", b"[]", b'{"t":1}', b"{}"],
    "string": [b"1", b"0", b"1.5", b"null", b"true", b"false", b'["x"]', b"[]", b'{"a":"x"}', b"{}"],
    # `"aud": null`, like "" and [], names no audience (as in PyJWT): see the test below
    "aud": [b"1", b"true", b'{"a":"x"}', b"{}", b"[1]", b'["x",1]', b"[null]", b'[["x"]]'],
}


@pytest.mark.parametrize("claim", list(CLAIM_CLASS))
def test_wrong_types_for_registered_claims_are_errors_not_absent(claim):
    c = Checks()
    s = Signer(SECRET)
    kind = "numeric" if claim in ("exp", "nbf", "iat") else ("aud" if claim == "aud" else "string")
    off = {"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False, "verify_iss": False, "verify_sub": False, "verify_jti": False}
    good = {"exp": b"99999999999", "nbf": b"1", "iat": b"1"}.get(claim, b'"x"')
    c.accept("control", dec(s.token("HS256", header("HS256"), b'{"%s":%s}' % (claim.encode(), good)), SECRET, options=off))
    for value in WRONG[kind]:
        claims = b'{"sub0":"x","%s":%s}' % (claim.encode(), value)
        token = s.token("HS256", header("HS256"), claims)
        c.reject(f"{claims!r}", dec(token, SECRET), CLAIM_CLASS[claim], "JWTKIT_ERR_CLAIM_INVALID")
        c.reject(f"{claims!r} (checks off)", dec(token, SECRET, options=off), CLAIM_CLASS[claim], "JWTKIT_ERR_CLAIM_INVALID")
        c.reject(f"{claims!r} (audience expected)", dec(token, SECRET, audience="x"), CLAIM_CLASS[claim], "JWTKIT_ERR_CLAIM_INVALID")
    c.done()


def test_null_empty_aud_names_no_audience():
    c = Checks()
    s = Signer(SECRET)
    for value in (b"null", b'""', b"[]"):
        token = s.token("HS256", header("HS256"), b'{"sub0":"x","aud":%s}' % value)
        c.accept(f"aud {value!r}, no audience expected", dec(token, SECRET))
        c.reject(f"aud {value!r}, audience expected", dec(token, SECRET, audience="x"), MissingRequiredClaimError, "JWTKIT_ERR_CLAIM_MISSING")
    c.done()


# ====================================================================================
# 14. Size and nesting bombs


def test_bomb_ten_megabyte_token():
    c = Checks()
    token = Signer(SECRET).token("HS256", header("HS256"), b'{"pad":"%s"}' % (b"A" * (10 * 1024 * 1024)))
    c.timed("10 MB signed token", dec(token, SECRET), DecodeError, "JWTKIT_ERR_TOKEN_TOO_LARGE")
    c.timed("10 MB signed token (str)", dec(token.decode(), SECRET), DecodeError, "JWTKIT_ERR_TOKEN_TOO_LARGE")
    c.timed("10 MB signed token (unverified)", unverified(token), DecodeError, "JWTKIT_ERR_TOKEN_TOO_LARGE")
    c.timed("10 MB of 'A'", dec(b"A" * (10 * 1024 * 1024), SECRET), DecodeError, "JWTKIT_ERR_TOKEN_TOO_LARGE")
    c.done()


def test_bomb_ten_million_dots():
    c = Checks()
    dots = b"." * 10_000_000
    c.timed("10 million dots", dec(dots, SECRET), DecodeError, "JWTKIT_ERR_TOKEN_TOO_LARGE")
    c.timed("10 million dots (str)", dec(dots.decode(), SECRET), DecodeError, "JWTKIT_ERR_TOKEN_TOO_LARGE")
    c.timed("10 million dots (get_unverified_header)", lambda: jwt.get_unverified_header(dots), DecodeError, "JWTKIT_ERR_TOKEN_TOO_LARGE")
    c.timed("128 KiB of dots", dec(b"." * (128 * 1024), SECRET), DecodeError, "JWTKIT_ERR_TOKEN_MALFORMED")
    v = _core.Validation.new([_ffi.alg_from_name("HS256")])
    v.set_limit(_ffi.JWTKIT_LIMIT_TOKEN_LEN, 64 * 1024 * 1024)
    key = _core.Key.from_secret(SECRET)
    c.timed("10 million dots, size limit lifted", lambda: _core.verify(dots, key, v, False), DecodeError, "JWTKIT_ERR_TOKEN_MALFORMED")
    c.done()


def test_bomb_hundred_thousand_nested_arrays():
    c = Checks()
    s = Signer(SECRET)
    nested = lambda n: b'{"a":' + b"[" * n + b"1" + b"]" * n + b"}"  # noqa: E731
    big = s.token("HS256", header("HS256"), nested(100_000))
    c.timed("100 000 nested arrays", dec(big, SECRET), DecodeError, "JWTKIT_ERR_TOKEN_TOO_LARGE")
    v = _core.Validation.new([_ffi.alg_from_name("HS256")])
    v.set_limit(_ffi.JWTKIT_LIMIT_TOKEN_LEN, 64 * 1024 * 1024)
    key = _core.Key.from_secret(SECRET)
    c.timed("100 000 nested arrays, size limit lifted", lambda: _core.verify(big, key, v, False), DecodeError, "JWTKIT_ERR_JSON_LIMIT")
    for what, claims in [("45 000 nested arrays", nested(45_000)), ("90 000 unclosed arrays", b'{"a":' + b"[" * 90_000),
                         ("object + 64 arrays", nested(64)), ("100 000 nested objects (size limit lifted)", None)]:
        if claims is None:
            deep = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
            t = s.token("HS256", header("HS256"), deep)
            c.timed(what, lambda: _core.verify(t, key, v, False), DecodeError, "JWTKIT_ERR_JSON_LIMIT")
            continue
        t = s.token("HS256", header("HS256"), claims)
        c.timed(what, dec(t, SECRET), DecodeError, "JWTKIT_ERR_JSON_LIMIT")
        c.timed(what + " (unverified)", unverified(t), DecodeError, "JWTKIT_ERR_JSON_LIMIT")
    hdr = b'{"alg":"HS256","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    c.timed("header: 100 000 nested arrays", dec(s.token("HS256", hdr, CLAIMS), SECRET), DecodeError, "JWTKIT_ERR_TOKEN_TOO_LARGE")
    c.accept("control: the object and 63 arrays", dec(s.token("HS256", header("HS256"), nested(63)), SECRET))
    c.done()


def test_bomb_one_megabyte_header():
    c = Checks()
    s = Signer(SECRET)
    big = s.token("HS256", b'{"alg":"HS256","x":"%s"}' % (b"h" * (1024 * 1024)), CLAIMS)
    c.timed("1 MB header", dec(big, SECRET), DecodeError, "JWTKIT_ERR_TOKEN_TOO_LARGE")
    c.timed("1 MB header (get_unverified_header)", lambda: jwt.get_unverified_header(big), DecodeError, "JWTKIT_ERR_TOKEN_TOO_LARGE")
    mid = s.token("HS256", b'{"alg":"HS256","x":"%s"}' % (b"h" * (90 * 1024)), CLAIMS)
    c.timed("90 KiB header", dec(mid, SECRET), DecodeError, "JWTKIT_ERR_JSON_LIMIT")
    c.timed("90 KiB header (get_unverified_header)", lambda: jwt.get_unverified_header(mid), DecodeError, "JWTKIT_ERR_JSON_LIMIT")
    exactly = b'{"alg":"HS256","x":"%s"}' % (b"h" * (8192 - 22))
    assert len(exactly) == 8192
    c.accept("control: an 8 KiB header", dec(s.token("HS256", exactly, CLAIMS), SECRET))
    over = b'{"alg":"HS256","x":"%s"}' % (b"h" * (8192 - 21))
    c.timed("8 KiB + 1 header", dec(s.token("HS256", over, CLAIMS), SECRET), DecodeError, "JWTKIT_ERR_JSON_LIMIT")
    c.done()
