"""Exception messages on hostile input: whatever a token, a JWK or a JWE holds (ANSI
escapes, line breaks, NUL, bidi overrides, 10 KB names), what ``decode``, ``PyJWK`` and
``jwtkit.jwe`` raise is short, printable text with no control character; and a JWK
member holding key material that is not valid base64url is named, never quoted."""

import base64
import hashlib
import hmac
import json
import unicodedata

import pytest

import jwtkit
from jwtkit import jwe

from conftest import SECRET, text

#: The longest message (``str(exception)`` and the library's ``detail``) allowed.
MAX_MESSAGE = 512

NASTY = [
    "\x1b[31mred\x1b[0m",
    "\x1b]0;owned\x07",
    "line\nbreak\r\nand\ttab",
    "nul\x00byte",
    "\u202eevil\u202c",
    "\u2066isolate\u2069\u200b\ufeff",
    "\x7f\x85\x9b2J",
    "sep\u2028\u2029",
    '"quoted" `ticked` \\back\\',
    "\u00e9\U0001f600\U0010ffff",
    "x" * 10_000,
    ("\x1b[2J" + "\u202e") * 2_000,
]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(header: dict, claims: dict) -> str:
    """A token signed with SECRET, so that every check up to the claims is reached."""
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    mac = hmac.new(SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(mac)


def check_message(exc: BaseException) -> None:
    for message in (str(exc), getattr(exc, "detail", None) or ""):
        assert len(message.encode("utf-8")) <= MAX_MESSAGE, f"{type(exc).__name__}: {len(message)} chars: {message[:200]!r}"
        bad = [c for c in message if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
        assert not bad, f"{type(exc).__name__}: {bad[:5]!r} in {message[:300]!r}"


def raised(fn, *args, **kwargs) -> BaseException:
    with pytest.raises(Exception) as info:
        fn(*args, **kwargs)
    check_message(info.value)
    return info.value


@pytest.mark.parametrize("nasty", NASTY, ids=range(len(NASTY)))
def test_decode_messages_are_bounded_and_printable(nasty):
    options = {"require": ["exp"]}
    decode = lambda token: jwtkit.decode(  # noqa: E731
        token, SECRET, algorithms=["HS256"], issuer="issuer", audience="api", options=options
    )
    good = {"exp": 4102444800, "iss": "issuer", "aud": "api"}
    for header, claims in [
        ({"alg": nasty}, good),
        ({"alg": "HS256", "crit": [nasty]}, good),
        ({"alg": "HS256"}, {**good, "iss": nasty}),
        ({"alg": "HS256"}, {**good, "aud": nasty}),
        ({"alg": "HS256"}, {**good, "aud": [nasty] * 50}),
    ]:
        raised(decode, hs256(header, claims))
    # A duplicate member name, and bytes that are not UTF-8, in the header.
    name = json.dumps(nasty)
    raw = ('{"alg":"HS256",%s:1,%s:2}' % (name, name)).encode()
    raised(decode, b64(raw) + "." + b64(b"{}") + ".sig")
    raised(decode, b64(b'{"alg":"\xff' + nasty.encode() + b'"}') + "." + b64(b"{}") + ".sig")
    raised(jwtkit.get_unverified_header, b64(raw) + ".e30.sig")
    # A `kid` no key in the set has.
    keys = jwtkit.PyJWKSet([{"kty": "oct", "k": b64(SECRET.encode()), "kid": "a"}, {"kty": "oct", "k": b64(b"y" * 64), "kid": "b"}])
    raised(jwtkit.decode, hs256({"alg": "HS256", "kid": nasty}, good), keys, algorithms=["HS256"], audience="api")


@pytest.mark.parametrize("nasty", NASTY, ids=range(len(NASTY)))
def test_jwk_messages_are_bounded_and_printable(nasty):
    for jwk in [
        {"kty": "EC", "crv": "P-256", "x": nasty, "y": "AA"},
        {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "kid": nasty},
        {"kty": "oct", "k": nasty + "!"},
        {"kty": "RSA", "n": "AQAB", "e": nasty},
    ]:
        raised(jwtkit.PyJWK, jwk)


# The messages api_jwk.py makes itself (PyJWT's texts) quote `kty`, `crv` and `alg`
# through exceptions.quoted, and never the JWK (its private members).
@pytest.mark.parametrize("nasty", [NASTY[0], NASTY[-1]], ids=["ansi", "long"])
def test_pyjwk_own_messages_are_bounded_and_printable(nasty):
    secret = b64(SECRET.encode())
    for jwk in [{"kty": nasty}, {"kty": "EC", "crv": nasty}, {"kty": "OKP", "crv": nasty}, {"k": nasty}, {"kty": "oct", "k": secret, "alg": nasty}]:
        raised(jwtkit.PyJWK, jwk)


@pytest.mark.parametrize("nasty", NASTY, ids=range(len(NASTY)))
def test_jwe_messages_are_bounded_and_printable(nasty):
    ec_key = text("ecp256.pkcs8.pem")
    oct_key = {"kty": "oct", "k": b64(bytes(range(16)))}
    rest = ".".join(b64(bytes([i]) * 12) for i in range(4))
    epk = {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}
    cases = [
        (ec_key, ["ECDH-ES"], {"alg": "ECDH-ES", "enc": "A128GCM", "epk": {**epk, "kty": nasty}}),
        (ec_key, ["ECDH-ES"], {"alg": "ECDH-ES", "enc": "A128GCM", "epk": {**epk, "crv": nasty}}),
        (ec_key, ["ECDH-ES"], {"alg": "ECDH-ES", "enc": "A128GCM", "epk": {**epk, "x": nasty}}),
        (oct_key, ["A128KW"], {"alg": nasty, "enc": "A128GCM"}),
        (oct_key, ["A128KW"], {"alg": "A128KW", "enc": nasty}),
        (oct_key, ["A128KW"], {"alg": "A128KW", "enc": "A128GCM", "zip": nasty}),
        (oct_key, ["A128KW"], {"alg": "A128KW", "enc": "A128GCM", "crit": [nasty]}),
    ]
    for key, algs, header in cases:
        token = b64(json.dumps(header).encode()) + "." + rest
        raised(jwe.decrypt, token, key, algs, ["A128GCM"], allow_zip=True)


KEY_JWKS = {"oct": None, "ec": "ecp256.private.jwk.json", "ed25519": "ed25519.private.jwk.json", "rsa": "rsa2048.private.jwk.json"}


@pytest.mark.parametrize(
    "kind,member",
    [("oct", "k"), ("ec", "d"), ("ec", "x"), ("ed25519", "d"), ("rsa", "d"), ("rsa", "p"), ("rsa", "q"), ("rsa", "dp"), ("rsa", "dq"), ("rsa", "qi"), ("rsa", "n")],
)
@pytest.mark.parametrize("bad", ["!", "=", " ", "\n", "\x1b", "\u00e9"])
def test_key_material_never_appears_in_a_message(kind, member, bad):
    """A member that is not valid base64url is named with the kind of problem; nothing
    of its value (no 4-character piece, no symbol, no offset) is in the message, in
    PyJWK's exception or in the skipped keys of a key set."""
    jwk = {"kty": "oct", "k": b64(SECRET.encode())} if KEY_JWKS[kind] is None else json.loads(text(KEY_JWKS[kind]))
    value = jwk[member]
    value = value[: len(value) // 2] + bad + value[len(value) // 2 :]
    jwk[member] = value
    exc = raised(jwtkit.PyJWK, jwk)
    messages = [str(exc), exc.detail or ""]
    keyset = jwtkit._core.KeySet.from_jwks(json.dumps({"keys": [jwk]}).encode())
    messages += [message for _status, message in keyset.skipped()]
    assert f"member `{member}` is not valid base64url" in messages[1], messages
    for message in messages:
        assert "offset" not in message.lower() and "symbol" not in message.lower(), message
        for i in range(len(value) - 3):
            assert value[i : i + 4] not in message, (value[i : i + 4], message)
