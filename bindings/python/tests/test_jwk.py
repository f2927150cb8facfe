"""PyJWK and PyJWKSet: attributes, default algorithms, JWK restrictions, key sets."""

import json

import pytest

from conftest import KEYS, SECRET, text
import jwtkit as jwt
from jwtkit import _core, _ffi

def jwk(name):
    return json.loads((KEYS / name).read_text())


OCT = {"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC0xMjM0", "kid": "hmac-1"}


def test_attributes_and_constructors():
    k = jwt.PyJWK(jwk("rsa2048.public.jwk.json"))
    assert (k.key_type, k.key_id, k.public_key_use, k.algorithm_name) == ("RSA", "rsa-1", None, "RS256")
    assert isinstance(k.key, _core.Key)
    assert jwt.PyJWK.from_dict(jwk("ecp256.public.jwk.json")).algorithm_name == "ES256"
    assert jwt.PyJWK.from_json(json.dumps(OCT)).algorithm_name == "HS256"
    assert jwt.PyJWK(jwk("ed25519.public.jwk.json")).algorithm_name == "EdDSA"
    assert jwt.PyJWK(jwk("rsa2048.public.jwk.json"), algorithm="PS256").algorithm_name == "PS256"
    assert jwt.PyJWK({**OCT, "alg": "HS512", "use": "sig"}).public_key_use == "sig"
    assert "rsa-1" in repr(k)


@pytest.mark.parametrize(
    "data, cls",
    [
        ({"k": "x"}, jwt.InvalidKeyError),  # no kty
        ({"kty": "XYZ"}, jwt.InvalidKeyError),
        ({"kty": "EC", "crv": "P-192", "x": "", "y": ""}, jwt.InvalidKeyError),
        ({"kty": "OKP", "x": "AA"}, jwt.InvalidKeyError),
        ({"kty": "OKP", "crv": "X25519", "x": "AA"}, jwt.InvalidKeyError),
        ({"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"}, jwt.InvalidKeyError),  # 1-byte coordinates
        ({"kty": "EC", "crv": "secp256k1", "x": "AQEB" * 10 + "AQE", "y": "AQEB" * 10 + "AQE"},
         jwt.InvalidKeyError),  # not on the curve
        ({"kty": "OKP", "crv": "Ed448", "x": "AA"}, jwt.InvalidKeyError),  # not supported
        ({"kty": "RSA", "n": "AQAB", "e": "AQAB"}, jwt.InvalidKeyError),  # too small
        ({"kty": "oct", "k": "c2VjcmV0", "alg": "none"}, jwt.PyJWKError),
        ({"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"}, jwt.InvalidKeyError),  # not on the curve
    ],
)
def test_unusable_jwks(data, cls):
    with pytest.raises(cls):
        jwt.PyJWK(data)


def test_not_a_dict():
    with pytest.raises(jwt.InvalidKeyError):
        jwt.PyJWK("x")  # type: ignore[arg-type]


def test_sign_with_a_jwk_puts_its_kid_in_the_header():
    private = jwt.PyJWK(jwk("ecp256.private.jwk.json"))
    token = jwt.encode({"a": 1}, private)  # algorithm from the key
    assert jwt.get_unverified_header(token) == {"alg": "ES256", "kid": "ec-1", "typ": "JWT"}
    public = jwt.PyJWK(jwk("ecp256.public.jwk.json"))
    assert jwt.decode(token, public) == {"a": 1}  # algorithms default to the key's
    assert jwt.decode(token, public, algorithms=["ES256", "RS256"]) == {"a": 1}
    assert jwt.decode(token, public.key, algorithms=["ES256"]) == {"a": 1}
    assert jwt.decode(token, jwk("ecp256.public.jwk.json"), algorithms=["ES256"]) == {"a": 1}  # a dict
    token2 = jwt.encode({}, private, headers={"kid": "other"})
    assert jwt.get_unverified_header(token2)["kid"] == "other"


def test_a_pyjwk_binds_its_algorithm():
    token = jwt.encode({}, text("rsa2048.pkcs8.pem"), algorithm="PS256")
    public = jwt.PyJWK(jwk("rsa2048.public.jwk.json"))  # RS256 by default
    with pytest.raises(jwt.InvalidAlgorithmError):
        jwt.decode(token, public, algorithms=["PS256"])
    with pytest.raises(jwt.InvalidAlgorithmError):
        jwt.decode(token, public)
    assert jwt.decode(token, jwt.PyJWK(jwk("rsa2048.public.jwk.json"), "PS256")) == {}


def test_jwk_alg_and_use_are_enforced_by_the_library():
    data = {**jwk("rsa2048.public.jwk.json"), "alg": "RS256"}
    data.pop("key_ops")
    forced = jwt.PyJWK(data, algorithm="PS256")  # the caller overrides, the JWK says RS256
    token = jwt.encode({}, text("rsa2048.pkcs8.pem"), algorithm="PS256")
    with pytest.raises(jwt.KeyAlgorithmMismatchError) as e:
        jwt.decode(token, forced)
    assert isinstance(e.value, jwt.InvalidTokenError) and e.value.status_name == "JWTKIT_ERR_KEY_USAGE"
    enc = jwt.PyJWK({**OCT, "use": "enc"})
    with pytest.raises(jwt.KeyAlgorithmMismatchError):
        jwt.encode({}, enc)


def test_a_secp256k1_jwk_is_an_es256k_key():
    public = jwt.PyJWK(jwk("secp256k1.public.jwk.json"))  # ES256K by default (RFC 8812)
    assert (public.key_type, public.algorithm_name) == ("EC", "ES256K")
    token = jwt.encode({"a": 1}, text("secp256k1.pkcs8.pem"), algorithm="ES256K")
    assert jwt.get_unverified_header(token)["alg"] == "ES256K"
    assert jwt.decode(token, public) == {"a": 1}
    assert jwt.decode(token, jwk("secp256k1.public.jwk.json"), algorithms=["ES256K"]) == {"a": 1}  # a dict
    assert public.thumbprint() == jwt.PyJWK(public.public_jwk()).thumbprint()
    # an ES256 token with the same key, and an ES256K token with a P-256 key
    with pytest.raises(jwt.InvalidAlgorithmError):
        jwt.decode(jwt.encode({}, text("ecp256.pkcs8.pem"), algorithm="ES256"), public)
    with pytest.raises(jwt.KeyAlgorithmMismatchError):
        jwt.decode(token, jwk("ecp256.public.jwk.json"), algorithms=["ES256K", "ES256"])
    with pytest.raises(jwt.KeyAlgorithmMismatchError):
        jwt.encode({}, text("secp256k1.pkcs8.pem"), algorithm="ES256")
    key = _core.Key.from_pem(text("secp256k1.spki.pem").encode())
    served = [name for n, name in enumerate(_ffi.ALG_NAMES, 1) if key.can_verify(n)]
    assert served == ["ES256K"] and key.key_kind() == _ffi.JWTKIT_KEY_KIND_EC_SECP256K1


def test_short_oct_jwk():
    # as a short secret: warned about and used (test_pyjwt_compat.py), or refused on demand
    short = jwt.PyJWK({"kty": "oct", "k": "c2hvcnQ"})  # "short"
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        assert jwt.decode(jwt.encode({}, short), short) == {}
    with pytest.raises(jwt.InvalidKeyError) as e:
        jwt.PyJWT({"enforce_minimum_key_length": True}).encode({}, short)
    assert e.value.status_name == "JWTKIT_ERR_KEY_TOO_WEAK"


def test_pyjwk_close():
    with jwt.PyJWK(OCT) as k:
        assert jwt.decode(jwt.encode({}, k), k) == {}
    assert k.closed
    with pytest.raises(ValueError):
        jwt.encode({}, k)


def test_thumbprint_and_public_jwk():
    private = jwt.PyJWK(jwk("ed25519.private.jwk.json"))
    public = jwt.PyJWK(jwk("ed25519.public.jwk.json"))
    assert private.thumbprint() == public.thumbprint()
    assert len(private.thumbprint()) == 43
    exported = private.public_jwk()
    assert "d" not in exported and exported["x"] == jwk("ed25519.public.jwk.json")["x"]


def test_public_export_of_a_signing_key_can_verify():
    private = jwt.PyJWK(jwk("rsa2048.private.jwk.json"))
    token = jwt.encode({"a": 1}, private)
    public = private.public_jwk()
    assert public.get("key_ops", ["verify"]) == ["verify"]
    assert jwt.decode(token, jwt.PyJWK(public)) == {"a": 1}


# --- PyJWKSet ---------------------------------------------------------------------------

SET = {"keys": [jwk("rsa2048.public.jwk.json"), jwk("ecp256.public.jwk.json"), jwk("ed25519.public.jwk.json")]}


def test_jwk_set():
    s = jwt.PyJWKSet.from_dict(SET)
    assert [k.key_id for k in s.keys] == ["rsa-1", "ec-1", "ed-1"]
    assert [k.key_id for k in s] == ["rsa-1", "ec-1", "ed-1"] and len(s) == 3
    assert s["ec-1"].algorithm_name == "ES256"
    with pytest.raises(KeyError, match="keyset has no key for kid: 'nope'"):
        s["nope"]
    assert len(jwt.PyJWKSet.from_json(json.dumps(SET)).keys) == 3


def test_jwk_set_skips_unusable_keys():
    s = jwt.PyJWKSet([{"kty": "XYZ"}, "not a dict", {"kty": "EC", "crv": "secp256k1"}, OCT])
    assert [k.key_id for k in s.keys] == ["hmac-1"]


@pytest.mark.parametrize("keys", [[], None, [{"kty": "XYZ"}], {"a": 1}])
def test_jwk_set_errors(keys):
    with pytest.raises(jwt.PyJWKSetError):
        jwt.PyJWKSet(keys)  # type: ignore[arg-type]
    assert issubclass(jwt.PyJWKSetError, jwt.PyJWTError)


def test_decode_with_a_jwk_set_picks_the_key_by_kid():
    s = jwt.PyJWKSet.from_dict(SET)
    for name, alg in (("rsa2048", "RS256"), ("ecp256", "ES256"), ("ed25519", "EdDSA")):
        token = jwt.encode({"k": name}, jwt.PyJWK(jwk(f"{name}.private.jwk.json")), algorithm=alg)
        assert jwt.decode(token, s, algorithms=["RS256", "ES256", "EdDSA"]) == {"k": name}
    unknown = jwt.encode({}, text("ecp256.pkcs8.pem"), algorithm="ES256", headers={"kid": "nope"})
    with pytest.raises(jwt.KeyNotFoundError) as e:
        jwt.decode(unknown, s, algorithms=["ES256"])
    assert isinstance(e.value, jwt.InvalidTokenError) and isinstance(e.value, jwt.PyJWKClientError)
    no_kid = jwt.encode({"a": 1}, text("ecp256.pkcs8.pem"), algorithm="ES256")
    assert jwt.decode(no_kid, s, algorithms=["ES256"]) == {"a": 1}  # tried by kind
    with pytest.raises(jwt.DecodeError, match="algorithms"):
        jwt.decode(no_kid, s)


def test_jwk_set_skipped_and_close():
    s = jwt.PyJWKSet([jwk("ecp256.public.jwk.json"), {**OCT, "use": "enc"}])
    assert len(s.keys) == 2  # PyJWT keeps it
    assert [st for st, _ in s.skipped] == ["JWTKIT_ERR_KEY_USAGE"]  # the library's set does not
    with s:
        pass
    assert all(k.closed for k in s.keys)


# A JWK's x5c / x5t / x5t#S256 must agree with its key (the chain is not validated).
def test_x5c_that_holds_the_key_loads_and_verifies():
    rsa = jwt.PyJWK(jwk("rsa2048.x5c.jwk.json"))
    assert (rsa.key_type, rsa.key_id) == ("RSA", "rsa2048-x5c")
    token = jwt.encode({"a": 1}, text("rsa2048.pkcs8.pem"), algorithm="RS256")
    assert jwt.decode(token, rsa, algorithms=["RS256"]) == {"a": 1}
    assert jwt.PyJWK(jwk("ecp256.x5c.jwk.json")).key_type == "EC"
    # RFC 7517 Appendix B: its certificate expired in 2018, and loads (no chain validation)
    assert jwt.PyJWK(jwk("rfc7517_appendix_b.x5c.jwk.json")).key_id == "1b94c"


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda j, other: j.update({"x5t#S256": other["x5t#S256"]}), "x5t#S256"),
        (lambda j, other: j.update({"x5t": other["x5t"]}), "x5t"),
        (lambda j, other: j.update({"x5c": other["x5c"][:1]}) or j.pop("x5t") and j.pop("x5t#S256"),
         "different public key"),
        (lambda j, other: j.update({"x5c": ["not base64!"]}), "standard base64"),
        (lambda j, other: j.update({"x5c": ["AAAA"]}), "DER certificate"),
        (lambda j, other: j.update({"x5c": []}), "at least one"),
        (lambda j, other: j.update({"x5c": j["x5c"][:1] * 11}), "more than 10"),
    ],
)
def test_x5c_that_disagrees_with_the_key_is_refused(change, words):
    j, other = jwk("rsa2048.x5c.jwk.json"), jwk("ecp256.x5c.jwk.json")
    change(j, other)
    with pytest.raises(jwt.InvalidKeyError, match=words):
        jwt.PyJWK(j)
    # In a set, the key is skipped, not used.
    with pytest.raises(jwt.PyJWKSetError):
        jwt.PyJWKSet([j])
