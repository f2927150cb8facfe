"""PyJWS, get_unverified_header, get_algorithm_by_name, the example, the exports."""

import json
import subprocess
import sys
from base64 import urlsafe_b64decode

import pytest

from conftest import PACKAGE_ROOT, SECRET, text
import jwtkit as jwt


def test_jws_round_trip_with_any_payload():
    jws = jwt.PyJWS()
    for payload in (b"hello", b"\x00\xff binary", b"[1,2]", b""):
        token = jws.encode(payload, SECRET, "HS256")
        assert jws.decode(token, SECRET, algorithms=["HS256"]) == payload
    full = jws.decode_complete(jws.encode(b"x", SECRET, headers={"kid": "a"}), SECRET, algorithms=["HS256"])
    assert full["payload"] == b"x" and full["header"] == {"alg": "HS256", "kid": "a", "typ": "JWT"}
    assert len(full["signature"]) == 32


def test_jws_typ_and_str_payload():
    jws = jwt.PyJWS()
    token = jws.encode("text", text("ed25519.pkcs8.pem"), "EdDSA", headers={"typ": None})
    assert jws.decode_complete(token, text("ed25519.spki.pem"), algorithms=["EdDSA"])["header"] == {"alg": "EdDSA"}
    assert jws.decode(token, text("ed25519.spki.pem"), algorithms=["EdDSA"]) == b"text"
    # any payload: the header is read by jwtkit_jws_decode_unverified
    assert jws.get_unverified_header(token) == {"alg": "EdDSA"}
    assert jws.decode(token, options={"verify_signature": False}) == b"text"


def test_jws_options_and_errors():
    token = jwt.PyJWS().encode(b"x", SECRET)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.PyJWS().decode(token, SECRET + "x", algorithms=["HS256"])
    with pytest.raises(jwt.DecodeError, match="algorithms"):
        jwt.PyJWS().decode(token, SECRET)
    assert jwt.PyJWS(algorithms=["HS256"]).decode(token, SECRET) == b"x"
    with pytest.raises(jwt.DecodeError, match="detached"):  # the token carries its payload
        jwt.PyJWS().decode(token, SECRET, algorithms=["HS256"], detached_payload=b"x")
    with pytest.warns(jwt.RemovedInPyjwt3Warning):
        jwt.PyJWS().decode(token, SECRET, algorithms=["HS256"], extra=1)
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        short = jwt.PyJWS().encode(b"x", "short")
    with pytest.raises(jwt.InvalidKeyError):
        jwt.PyJWS(options={"enforce_minimum_key_length": True}).decode(short, "short", algorithms=["HS256"])
    json_token = jwt.PyJWS().encode(b'{"a":1}', SECRET)
    full = jwt.PyJWS().decode_complete(json_token + "x", options={"verify_signature": False})
    assert full["payload"] == b'{"a":1}'


def test_get_algorithms():
    assert jwt.PyJWS().get_algorithms() == [
        "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
        "ES256", "ES384", "ES512", "EdDSA", "ES256K",
    ]
    assert jwt.PyJWS(algorithms=["ES256", "none"]).get_algorithms() == ["ES256"]
    assert jwt.get_algorithm_by_name("Ed25519") == "EdDSA"
    with pytest.raises(NotImplementedError):
        jwt.get_algorithm_by_name("none")


def test_get_unverified_header():
    token = jwt.encode({"a": 1}, SECRET, headers={"kid": "k", "x5t": "t"})
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "kid": "k", "typ": "JWT", "x5t": "t"}
    assert jwt.get_unverified_header(token.encode()) == jwt.get_unverified_header(token)
    for bad in ("x", "a.b.c", "e30.e30"):
        with pytest.raises(jwt.DecodeError):
            jwt.get_unverified_header(bad)
    with pytest.raises(jwt.DecodeError):
        jwt.get_unverified_header(5)


def test_exceptions_module_and_hierarchy():
    import jwtkit.exceptions as e

    for name in e.__all__:
        assert getattr(jwt, name) is getattr(e, name)
    assert issubclass(e.InvalidSignatureError, e.DecodeError)
    assert issubclass(e.DecodeError, e.InvalidTokenError)
    for cls in (e.ExpiredSignatureError, e.ImmatureSignatureError, e.InvalidAudienceError, e.InvalidIssuerError,
                e.InvalidIssuedAtError, e.InvalidAlgorithmError, e.MissingRequiredClaimError,
                e.InvalidSubjectError, e.InvalidJTIError, e.KeyAlgorithmMismatchError, e.KeyNotFoundError,
                e.TokenTooOldError, e.InvalidTypError, e.RevokedTokenError):
        assert issubclass(cls, e.InvalidTokenError), cls
    assert not issubclass(e.InvalidKeyError, e.InvalidTokenError)
    assert issubclass(e.KeyAlgorithmMismatchError, e.InvalidKeyError)
    assert issubclass(e.PyJWKClientConnectionError, e.PyJWKClientError)
    assert issubclass(e.MissingCryptographyError, e.PyJWKError)
    for cls in (e.PyJWKError, e.PyJWKSetError, e.PyJWKClientError, e.InvalidKeyError, e.InvalidTokenError):
        assert issubclass(cls, e.PyJWTError)
    assert issubclass(e.InvalidArgumentError, ValueError)
    assert issubclass(jwt.InsecureKeyLengthWarning, UserWarning)


def test_typed_package():
    assert (PACKAGE_ROOT / "jwtkit" / "py.typed").exists()
    assert jwt.decode.__annotations__ and jwt.encode.__annotations__


def test_hello_jwt_example():
    r = subprocess.run([sys.executable, str(PACKAGE_ROOT / "examples" / "hello_jwt.py")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("token: ey")
    assert lines[1] == "userId: 123"
    assert lines[2] == "tampered token rejected: InvalidSignatureError: Signature verification failed"


# --- crit: a signer names its own extensions; verification implements only b64 ------------


@pytest.mark.parametrize("api", ["jws", "jwt"])
def test_a_signer_may_name_its_own_critical_extensions(api):
    headers = {"crit": ["x-custom-policy"], "x-custom-policy": "require-mfa"}
    if api == "jws":
        token = jwt.PyJWS().encode(b"{}", SECRET, headers=headers)
    else:
        token = jwt.encode({}, SECRET, headers=headers)
    header = json.loads(urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["crit"] == ["x-custom-policy"] and header["x-custom-policy"] == "require-mfa"
    # jwtkit does not implement that extension, so it refuses the token (RFC 7515 §4.1.11)
    for decode in (jwt.decode, jwt.PyJWS().decode):
        with pytest.raises(jwt.InvalidTokenError, match="Unsupported critical extension: x-custom-policy") as e:
            decode(token, SECRET, algorithms=["HS256"])
        assert e.value.status_name == "JWTKIT_ERR_CRIT_UNSUPPORTED"


@pytest.mark.parametrize("headers", [
    {"crit": ["kid"], "kid": "k"},  # a parameter RFC 7515 defines is never an extension
    {"crit": ["alg"]},
    {"crit": ["x-missing"]},  # an extension the header does not have
    {"crit": []},
    {"crit": "x-ext", "x-ext": 1},
    {"crit": [1]},
])
def test_a_malformed_crit_is_never_signed(headers):
    with pytest.raises(jwt.InvalidTokenError):
        jwt.PyJWS().encode(b"x", SECRET, headers=headers)
    with pytest.raises(jwt.InvalidTokenError):
        jwt.encode({}, SECRET, headers=headers)
