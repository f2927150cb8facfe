"""Interoperability with PyJWT (+ cryptography), for every algorithm, both ways, with
PEM and JWK keys and with cryptography key objects. PyJWT and cryptography are
test-only dependencies (bindings/python/run-tests.sh installs them)."""

import json

import pytest

from conftest import ALG_KEYS, ALGORITHMS, raw, text, under_ci

try:
    import jwt as pyjwt
    from cryptography.hazmat.primitives import serialization
    from jwt import algorithms as pyjwt_algorithms
except ImportError as missing:
    # run-tests.sh installs both: under CI a missing one fails the run instead of
    # silently dropping these tests.
    if under_ci():
        raise
    pytest.skip(f"PyJWT and cryptography are needed ({missing})", allow_module_level=True)
if not hasattr(pyjwt, "PyJWK"):
    raise ImportError("the module named `jwt` is not PyJWT 2.x")

import jwtkit  # noqa: E402

CLAIMS = {"sub": "user-1", "n": 2**70, "s": "\U0001F600\x00", "aud": ["a", "b"], "nested": {"x": [1.5]}}


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_jwtkit_tokens_verify_in_pyjwt(alg):
    private, public = ALG_KEYS[alg]
    token = jwtkit.encode(CLAIMS, private, algorithm=alg, headers={"kid": "k1"})
    assert pyjwt.decode(token, public, algorithms=[alg], audience="a") == CLAIMS
    assert pyjwt.get_unverified_header(token) == {"alg": alg, "kid": "k1", "typ": "JWT"}


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_pyjwt_tokens_verify_in_jwtkit(alg):
    private, public = ALG_KEYS[alg]
    token = pyjwt.encode(CLAIMS, private, algorithm=alg, headers={"kid": "k1"})
    assert jwtkit.decode(token, public, algorithms=[alg], audience="b") == CLAIMS
    full = jwtkit.decode_complete(token, public, algorithms=[alg], audience="b")
    assert full == pyjwt.decode_complete(token, public, algorithms=[alg], audience="b")


@pytest.mark.parametrize("alg", [a for a in ALGORITHMS if a[:2] in ("HS", "RS", "Ed")])
def test_same_tokens_for_deterministic_algorithms(alg):
    """HMAC, RSASSA-PKCS1-v1_5 and Ed25519 are deterministic (ECDSA and PSS are not)."""
    private, _ = ALG_KEYS[alg]
    assert jwtkit.encode(CLAIMS, private, algorithm=alg) == pyjwt.encode(CLAIMS, private, algorithm=alg)


def _jwk_pair(alg):
    private, public = ALG_KEYS[alg]
    if alg.startswith("HS"):
        data = json.loads(pyjwt_algorithms.HMACAlgorithm.to_jwk(private.encode()))
        return data, data
    cls = {"RS": pyjwt_algorithms.RSAAlgorithm, "PS": pyjwt_algorithms.RSAAlgorithm,
           "ES": pyjwt_algorithms.ECAlgorithm, "Ed": pyjwt_algorithms.OKPAlgorithm}[alg[:2]]
    priv = serialization.load_pem_private_key(private.encode(), None)
    priv_jwk = json.loads(cls.to_jwk(priv))
    pub_jwk = json.loads(cls.to_jwk(priv.public_key()))
    priv_jwk.pop("key_ops", None)  # PyJWT marks them sign/verify; keep both usable
    pub_jwk.pop("key_ops", None)
    return priv_jwk, pub_jwk


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_jwk_keys_both_ways(alg):
    priv_jwk, pub_jwk = _jwk_pair(alg)
    ours = jwtkit.encode({"a": 1}, jwtkit.PyJWK(priv_jwk, alg), algorithm=alg)
    assert pyjwt.decode(ours, pyjwt.PyJWK(pub_jwk, alg), algorithms=[alg]) == {"a": 1}
    theirs = pyjwt.encode({"b": 2}, pyjwt.PyJWK(priv_jwk, alg), algorithm=alg)
    assert jwtkit.decode(theirs, jwtkit.PyJWK(pub_jwk, alg), algorithms=[alg]) == {"b": 2}
    assert jwtkit.decode(theirs, pub_jwk, algorithms=[alg]) == {"b": 2}  # a plain dict


def test_pyjwk_attributes_match():
    for alg in ("RS256", "ES256", "ES384", "ES512", "ES256K", "EdDSA", "HS256"):
        _, pub_jwk = _jwk_pair(alg)
        pub_jwk = dict(pub_jwk, kid="kid-" + alg, use="sig")
        a, b = jwtkit.PyJWK(pub_jwk), pyjwt.PyJWK(pub_jwk)
        assert (a.key_type, a.key_id, a.public_key_use, a.algorithm_name) == (
            b.key_type, b.key_id, b.public_key_use, b.algorithm_name)


@pytest.mark.parametrize("alg", ["RS256", "PS384", "ES256", "ES384", "ES512", "ES256K", "EdDSA"])
def test_cryptography_key_objects(alg):
    private, public = ALG_KEYS[alg]
    priv = serialization.load_pem_private_key(private.encode(), None)
    token = jwtkit.encode({"a": 1}, priv, algorithm=alg)
    assert pyjwt.decode(token, priv.public_key(), algorithms=[alg]) == {"a": 1}
    assert jwtkit.decode(token, priv.public_key(), algorithms=[alg]) == {"a": 1}


def test_certificate_object():
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(raw("rsa2048.cert.pem"))
    token = pyjwt.encode({"a": 1}, text("rsa2048.pkcs8.pem"), algorithm="RS256")
    assert jwtkit.decode(token, cert, algorithms=["RS256"]) == {"a": 1}


def test_same_exception_classes_for_the_same_failures():
    secret = ALG_KEYS["HS256"][0]
    cases = [
        ({"exp": 1}, {}, "ExpiredSignatureError"),
        ({"nbf": 2**40}, {}, "ImmatureSignatureError"),
        ({"aud": "x"}, {"audience": "y"}, "InvalidAudienceError"),
        ({"aud": "x"}, {}, "InvalidAudienceError"),
        ({}, {"audience": "y"}, "MissingRequiredClaimError"),
        ({"iss": "x"}, {"issuer": "y"}, "InvalidIssuerError"),
        ({"sub": "x"}, {"subject": "y"}, "InvalidSubjectError"),
        ({}, {"options": {"require": ["exp"]}}, "MissingRequiredClaimError"),
    ]
    for claims, kwargs, name in cases:
        token = pyjwt.encode(claims, secret)
        import jwt.exceptions

        for lib in (jwt.exceptions, jwtkit):
            with pytest.raises(getattr(lib, name)) as e:
                (pyjwt if lib is jwt.exceptions else jwtkit).decode(token, secret, algorithms=["HS256"], **kwargs)
            assert type(e.value).__name__ == name
        pyjwt_message = str(pytest.raises(Exception, pyjwt.decode, token, secret, algorithms=["HS256"], **kwargs).value)
        jwtkit_message = str(pytest.raises(Exception, jwtkit.decode, token, secret, algorithms=["HS256"], **kwargs).value)
        assert jwtkit_message == pyjwt_message
    tampered = pyjwt.encode({"a": 1}, secret)[:-3] + "AAA"
    for lib in (pyjwt, jwtkit):
        with pytest.raises(lib.InvalidSignatureError, match="Signature verification failed"):
            lib.decode(tampered, secret, algorithms=["HS256"])
    for lib in (pyjwt, jwtkit):
        with pytest.raises(lib.InvalidAlgorithmError, match="The specified alg value is not allowed"):
            lib.decode(pyjwt.encode({}, secret), secret, algorithms=["HS384"])


def test_short_secret_warning_in_both():
    for lib in (pyjwt, jwtkit):
        with pytest.warns(lib.InsecureKeyLengthWarning):
            token = lib.encode({"a": 1}, "short")
        with pytest.warns(lib.InsecureKeyLengthWarning):
            assert lib.decode(token, "short", algorithms=["HS256"]) == {"a": 1}


def test_public_api_names_match_pyjwt():
    missing = [n for n in pyjwt.__all__ if not hasattr(jwtkit, n)]
    assert missing == ["register_algorithm", "unregister_algorithm"]
    import jwt.exceptions as theirs
    import jwtkit.exceptions as ours

    for name in dir(theirs):
        obj = getattr(theirs, name)
        if isinstance(obj, type) and issubclass(obj, Exception) and obj.__module__ == theirs.__name__:
            mine = getattr(ours, name)
            for base in obj.__mro__:
                if base.__module__ == theirs.__name__:
                    assert issubclass(mine, getattr(ours, base.__name__)), (name, base.__name__)


def test_own_critical_extensions_are_refused_by_both():
    """A signer may name its own extension in `crit`; neither library implements it, so
    both refuse the other's token alike."""
    secret = ALG_KEYS["HS256"][0]
    headers = {"crit": ["x-custom-policy"], "x-custom-policy": "require-mfa"}
    ours = jwtkit.encode({"a": 1}, secret, headers=headers)
    theirs = pyjwt.encode({"a": 1}, secret, headers=headers)
    assert ours == theirs  # HS256 is deterministic and both sort the header
    for token in (ours, theirs):
        for lib in (pyjwt, jwtkit):
            with pytest.raises(lib.InvalidTokenError, match="Unsupported critical extension: x-custom-policy"):
                lib.decode(token, secret, algorithms=["HS256"])
