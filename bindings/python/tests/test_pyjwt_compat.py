"""Behaviours that PyJWT's own test suite found different (bindings/python/pyjwt-suite),
each through the public API: what a user migrating with ``import jwtkit as jwt`` meets."""

import base64
import json
import math
import time
import warnings

import pytest

from conftest import SECRET
import jwtkit as jwt

NOW = lambda: int(time.time())  # noqa: E731


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# --- a missing or wrong key is a JWT error, not a crash ------------------------------


WRONG_KEYS = [None, 1, 1.5, True, ["k"], ("k",), {"k"}, object(), lambda: SECRET]


@pytest.mark.parametrize("key", WRONG_KEYS, ids=lambda k: type(k).__name__)
def test_wrong_key_type_on_decode_is_invalid_key_error_and_type_error(key):
    token = jwt.encode({"sub": "u"}, SECRET)
    for call in (
        lambda: jwt.decode(token, key, algorithms=["HS256"]),
        lambda: jwt.decode_complete(token, key, algorithms=["HS256"]),
        lambda: jwt.PyJWT().decode(token, key, algorithms=["HS256"]),
        lambda: jwt.PyJWS().decode(token, key, algorithms=["HS256"]),
    ):
        with pytest.raises(jwt.InvalidKeyTypeError) as e:
            call()
        # Both kinds of `except` keep working: PyJWT's TypeError, and jwtkit's errors.
        assert isinstance(e.value, TypeError)
        assert isinstance(e.value, jwt.InvalidKeyError)
        assert isinstance(e.value, jwt.PyJWTError)


@pytest.mark.parametrize("key", WRONG_KEYS, ids=lambda k: type(k).__name__)
def test_wrong_key_type_on_encode_is_invalid_key_error_and_type_error(key):
    for call in (
        lambda: jwt.encode({"sub": "u"}, key, algorithm="HS256"),
        lambda: jwt.encode({"sub": "u"}, key, algorithm="RS256"),
        lambda: jwt.PyJWS().encode(b"x", key, algorithm="ES256"),
    ):
        with pytest.raises(jwt.InvalidKeyTypeError) as e:
            call()
        assert isinstance(e.value, TypeError) and isinstance(e.value, jwt.InvalidKeyError)


def test_missing_key_says_so():
    token = jwt.encode({"sub": "u"}, SECRET)
    with pytest.raises(jwt.InvalidKeyError, match="No key was given"):
        jwt.decode(token, None, algorithms=["HS256"])


def test_a_key_set_cannot_sign():
    # A set picks its key by the token's kid; signing needs one key. Refused, never
    # handed to the library as if it were a key.
    jwk_set = jwt.PyJWKSet.from_dict({"keys": [{"kty": "oct", "kid": "a", "alg": "HS256", "k": b64(b"k" * 32)}]})
    for call in (
        lambda: jwt.encode({"a": 1}, jwk_set, algorithm="HS256"),
        lambda: jwt.encode({"a": 1}, jwk_set, algorithm="HS256", headers={"kid": "a"}),
        lambda: jwt.PyJWS().encode(b"x", jwk_set, algorithm="HS256"),
    ):
        with pytest.raises(jwt.InvalidKeyTypeError, match="key set"):
            call()
    token = jwt.encode({"a": 1}, jwk_set["a"], headers={"kid": "a"})
    assert jwt.decode(token, jwk_set, algorithms=["HS256"]) == {"a": 1}


def test_a_cryptography_object_that_is_no_key():
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")])
    with pytest.raises(jwt.InvalidKeyError):
        jwt.decode(jwt.encode({}, SECRET), name, algorithms=["RS256"])


# --- verify_signature False: the claim checks asked for still run (in the library) ----


def test_unverified_decode_still_checks_what_the_options_ask():
    expired = jwt.encode({"exp": NOW() - 60, "aud": "api", "iss": "me"}, SECRET)
    forged = expired[:-4] + "AAAA"
    # Nothing asked: nothing checked (PyJWT turns every verify_* off with the signature).
    assert jwt.decode(forged, options={"verify_signature": False})["aud"] == "api"
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(forged, options={"verify_signature": False, "verify_exp": True})
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode_complete(forged, options={"verify_signature": False, "verify_exp": True})
    assert jwt.decode(forged, options={"verify_signature": False, "verify_exp": True}, leeway=120)
    with pytest.raises(jwt.MissingRequiredClaimError) as e:
        jwt.decode(forged, options={"verify_signature": False, "require": ["sub"]})
    assert e.value.claim == "sub"
    fresh = jwt.encode({"exp": NOW() + 60, "aud": "api", "iss": "me"}, "another secret of 32 bytes or more!")
    opts = {"verify_signature": False, "verify_aud": True, "verify_iss": True}
    assert jwt.decode(fresh, options=opts, audience="api", issuer="me")["iss"] == "me"
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(fresh, options=opts, audience="other", issuer="me")
    with pytest.raises(jwt.InvalidIssuerError):
        jwt.decode(fresh, options=opts, audience="api", issuer="other")
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(fresh, options=opts, audience=b"api", issuer="me")
    # An instance whose defaults skip the signature, asked per call for the expiry.
    unsigned = jwt.PyJWT({"verify_signature": False})
    assert unsigned.decode(forged)["iss"] == "me"
    with pytest.raises(jwt.ExpiredSignatureError):
        unsigned.decode(forged, options={"verify_exp": True})


def test_unverified_decode_runs_jwtkit_checks_when_asked():
    old = jwt.encode({"iat": NOW() - 3600}, SECRET)
    opts = {"verify_signature": False}
    assert jwt.decode(old, options=opts)
    with pytest.raises(jwt.TokenTooOldError):
        jwt.decode(old, options=opts, max_age=60)
    with pytest.raises(jwt.InvalidTypError):
        jwt.decode(old, options=opts, typ="at+jwt")
    with pytest.raises(jwt.RevokedTokenError):
        jwt.decode(old, options=opts, is_revoked=lambda jti, claims: True)


# --- messages PyJWT users match on ---------------------------------------------------


@pytest.mark.parametrize("alg,minimum,hash_name", [("HS256", 32, "SHA256"), ("HS384", 48, "SHA384"), ("HS512", 64, "SHA512")])
def test_short_secret_message_says_below(alg, minimum, hash_name):
    short = "s" * 5
    expected = (
        f"The HMAC key is 5 bytes long, which is below the minimum recommended length of {minimum} bytes "
        f"for {hash_name}. See RFC 7518 Section 3.2."
    )
    with pytest.warns(jwt.InsecureKeyLengthWarning) as record:
        token = jwt.encode({"a": 1}, short, algorithm=alg)
    assert str(record[0].message) == expected
    with pytest.warns(jwt.InsecureKeyLengthWarning, match="below"):
        assert jwt.decode(token, short, algorithms=[alg]) == {"a": 1}
    strict = {"enforce_minimum_key_length": True}
    for call in (
        lambda: jwt.PyJWT(strict).encode({"a": 1}, short, algorithm=alg),
        lambda: jwt.decode(token, short, algorithms=[alg], options=strict),
        lambda: jwt.PyJWS(options=strict).encode(b"x", short.encode(), algorithm=alg),
        lambda: jwt.PyJWS(options=strict).decode(token, short, algorithms=[alg]),
    ):
        with pytest.raises(jwt.InvalidKeyError) as e:
            call()
        assert str(e.value) == expected
        assert e.value.status_name == "JWTKIT_ERR_KEY_TOO_WEAK" and e.value.detail


def test_short_secret_message_with_several_hmac_algorithms():
    token = jwt.encode({}, SECRET, algorithm="HS384")
    with pytest.raises(jwt.InvalidKeyError, match=r"which is below .*48 bytes for HS384"):
        jwt.decode(token, "short", algorithms=["HS256", "HS384"], options={"enforce_minimum_key_length": True})
    with warnings.catch_warnings():
        warnings.simplefilter("error", jwt.InsecureKeyLengthWarning)
        jwt.encode({}, "a" * 32, algorithm="HS256")


SHORT = "The HMAC key is 5 bytes long, which is below the minimum recommended length of {} bytes for {}. See RFC 7518 Section 3.2."


@pytest.mark.parametrize("form", ["PyJWK", "PyJWK.key", "dict"])
def test_a_short_oct_jwk_warns_and_is_used_as_a_short_secret_is(form):
    data = {"kty": "oct", "k": b64(b"short"), "kid": "short-1"}
    pyjwk = jwt.PyJWK(data)
    key = {"PyJWK": pyjwk, "PyJWK.key": pyjwk.key, "dict": data}[form]
    with pytest.warns(jwt.InsecureKeyLengthWarning) as record:
        token = jwt.encode({"a": 1}, key)
    assert str(record[0].message) == SHORT.format(32, "SHA256")
    assert jwt.get_unverified_header(token)["kid"] == "short-1"  # the kid is kept
    with pytest.warns(jwt.InsecureKeyLengthWarning, match="below"):
        assert jwt.decode(token, key, algorithms=["HS256"]) == {"a": 1}
    with pytest.warns(jwt.InsecureKeyLengthWarning, match="below"):
        jws_token = jwt.PyJWS().encode(b"x", key, algorithm="HS384")
    with pytest.warns(jwt.InsecureKeyLengthWarning) as record:
        assert jwt.PyJWS().decode(jws_token, "short", algorithms=["HS384"]) == b"x"  # the same secret
    assert str(record[0].message) == SHORT.format(48, "SHA384")
    with pytest.warns(jwt.InsecureKeyLengthWarning, match="below"):
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(token, {**data, "k": b64(b"shorT")}, algorithms=["HS256"])
    strict = {"enforce_minimum_key_length": True}
    for call in (
        lambda: jwt.PyJWT(strict).encode({"a": 1}, key),
        lambda: jwt.decode(token, key, algorithms=["HS256"], options=strict),
        lambda: jwt.PyJWS(options=strict).encode(b"x", key),
        lambda: jwt.PyJWS(options=strict).decode(token, key, algorithms=["HS256"]),
    ):
        with pytest.raises(jwt.InvalidKeyError) as e:
            call()
        assert str(e.value) == SHORT.format(32, "SHA256")
        assert e.value.status_name == "JWTKIT_ERR_KEY_TOO_WEAK" and e.value.detail


def test_a_short_oct_jwk_keeps_its_restrictions():
    data = {"kty": "oct", "k": b64(b"short"), "kid": "s", "alg": "HS256", "use": "sig"}
    key = jwt.PyJWK(data).key
    lenient, length = key.allowing_short_secret()
    assert length == 5
    assert json.loads(lenient.to_private_jwk()) == json.loads(key.to_private_jwk())  # kid, alg, use kept
    assert key.allowing_short_secret()[0] is lenient  # made once
    # the JWK's alg and use are checked before the secret's length: no warning, refused
    with warnings.catch_warnings():
        warnings.simplefilter("error", jwt.InsecureKeyLengthWarning)
        with pytest.raises(jwt.KeyAlgorithmMismatchError):
            jwt.encode({}, key, algorithm="HS384")
        with pytest.raises(jwt.KeyAlgorithmMismatchError):
            jwt.encode({}, jwt.PyJWK({**data, "use": "enc"}))


# --- algorithms -------------------------------------------------------------------------


@pytest.mark.parametrize("algorithms", [["hs256"], ["none"], ["HS257", "foo"], "hs256"])
def test_an_allow_list_naming_no_algorithm_jwtkit_implements_accepts_no_token(algorithms):
    token = jwt.encode({}, SECRET)
    for decode in (jwt.decode, jwt.PyJWS().decode):
        with pytest.raises(jwt.InvalidAlgorithmError) as e:
            decode(token, SECRET, algorithms=algorithms)
        assert str(e.value) == "Algorithm not supported"  # as PyJWT says for a token alg "hs256"
        assert "no token can be accepted" in e.value.detail
    # one name jwtkit knows among them: the library decides, on that name alone
    assert jwt.decode(token, SECRET, algorithms=["hs256", "HS256"]) == {}


def test_a_pyjwk_refuses_another_allowed_algorithm_in_pyjwts_words():
    secret = b"k" * 64
    bound = jwt.PyJWK({"kty": "oct", "alg": "HS512", "k": b64(secret)})
    hs256 = jwt.encode({"a": 1}, secret, algorithm="HS256")
    detached = jwt.PyJWS().encode(b"x", secret, algorithm="HS256", is_payload_detached=True)
    mismatch = "Token algorithm 'HS256' does not match the key's algorithm 'HS512'"
    for call in (
        lambda: jwt.decode(hs256, bound, algorithms=["HS256", "HS512"]),
        lambda: jwt.decode_complete(hs256, bound, algorithms=["HS256"]),  # the key's alg not even allowed
        lambda: jwt.PyJWS().decode(hs256, bound, algorithms=["HS512", "HS256"]),
        lambda: jwt.PyJWS().decode(detached, bound, algorithms=["HS256", "HS512"], detached_payload=b"x"),
        lambda: jwt.decode(hs256, jwt.PyJWK({"kty": "oct", "k": b64(secret)}, algorithm="HS512"),
                           algorithms=["HS256", "HS512"]),  # bound by the caller, not by the JWK's alg
    ):
        with pytest.raises(jwt.InvalidAlgorithmError) as e:
            call()
        assert str(e.value) == mismatch and type(e.value) is jwt.InvalidAlgorithmError
    # a token algorithm the caller did not allow is refused as such (PyJWT's first check)
    for algorithms in (None, ["HS512"], ["HS384"]):
        with pytest.raises(jwt.InvalidAlgorithmError, match="^The specified alg value is not allowed$"):
            jwt.decode(hs256, bound, algorithms=algorithms)
    # and the key's own algorithm verifies
    assert jwt.decode(jwt.encode({"a": 1}, bound), bound, algorithms=["HS256", "HS512"]) == {"a": 1}
    # a JWK dict is not a PyJWK (no binding in Python): the library refuses by the JWK's alg
    with pytest.raises(jwt.KeyAlgorithmMismatchError, match="does not match the key's algorithm") as e:
        jwt.decode(hs256, {"kty": "oct", "alg": "HS512", "k": b64(secret)}, algorithms=["HS256", "HS512"])
    assert e.value.status_name == "JWTKIT_ERR_KEY_USAGE"


# --- encode ------------------------------------------------------------------------


def test_encode_with_a_pyjwk_uses_its_algorithm():
    jwk = jwt.PyJWK({"kty": "oct", "alg": "HS384", "k": b64(b"k" * 48)})
    token = jwt.encode({"hello": "world"}, jwk)
    assert jwt.get_unverified_header(token)["alg"] == "HS384"
    assert jwt.decode(token, jwk) == {"hello": "world"}
    assert jwt.decode_complete(token, jwk, algorithms=["HS384"])["header"]["alg"] == "HS384"
    assert jwt.PyJWS().decode(jwt.PyJWS().encode(b"bytes", jwk), jwk) == b"bytes"
    # An explicit algorithm wins, as in PyJWT; the key's `alg` then refuses it.
    with pytest.raises(jwt.InvalidKeyError):
        jwt.encode({"hello": "world"}, jwk, algorithm="HS256")


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_encode_refuses_nan_and_infinity(value):
    # NaN and Infinity are not JSON (RFC 8259): refused before anything is signed.
    with pytest.raises(ValueError, match="JSON"):
        jwt.encode({"exp": value}, SECRET)
    with pytest.raises(ValueError, match="JSON"):
        jwt.encode({"a": 1}, SECRET, headers={"x": value})


# --- PyJWT's public modules ----------------------------------------------------------


def test_utils_module():
    from jwtkit import utils

    assert utils.base64url_encode(b"\xfb\xff") == b"-_8"
    assert utils.base64url_decode("-_8") == b"\xfb\xff"
    assert utils.base64url_decode(b"-_8=") == b"\xfb\xff"  # padded, as PyJWT accepts
    assert utils.to_base64url_uint(65537) == b"AQAB"
    assert utils.to_base64url_uint(0) == b"AA"
    assert utils.from_base64url_uint("AQAB") == 65537
    assert utils.number_to_bytes(1, 3) == b"\x00\x00\x01"
    assert utils.bytes_to_number(b"\x01\x00") == 256
    assert utils.force_bytes("é") == "é".encode()
    with pytest.raises(TypeError):
        utils.force_bytes(1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        utils.to_base64url_uint(-1)


def test_types_module():
    from jwtkit.types import FullOptions, JWKDict, Options, SigOptions

    opts: Options = {"verify_exp": False, "require": ["sub"]}
    assert jwt.decode(jwt.encode({"sub": "s", "exp": 1}, SECRET), SECRET, algorithms=["HS256"], options=opts)
    assert set(FullOptions.__annotations__) == set(jwt.PyJWT().options)
    # jwtkit's own option, off unless given (so not in PyJWT().options)
    additions = {"allow_padded_base64"}
    assert set(Options.__annotations__) == set(FullOptions.__annotations__) | additions
    assert set(SigOptions.__annotations__) == set(jwt.PyJWS().options) | additions
    assert JWKDict
