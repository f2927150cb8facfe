"""Detached, unencoded payloads (RFC 7797 `b64: false`, RFC 7515 Appendix F) through
PyJWT's API: `PyJWS.encode(..., is_payload_detached=True)`, `headers={"b64": False}`,
`decode(..., detached_payload=...)`; and interoperability with PyJWT (+ cryptography)
and jwcrypto, both ways, for every algorithm."""

import base64
import json

import pytest

from conftest import ALG_KEYS, ALGORITHMS, SECRET, partner_missing, text
import jwtkit as jwt

CLAIMS = {"sub": "user-1", "aud": "api", "n": 1}
CLAIMS_JSON = json.dumps(CLAIMS, separators=(",", ":")).encode()


def segments(token):
    header, middle, signature = token.split(".")
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))), middle, signature


# ---- PyJWS ----------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [b"hello world", b"a.b.c", b"\x00\xff binary", b"{}", b""])
def test_jws_round_trip(payload):
    jws = jwt.PyJWS()
    token = jws.encode(payload, SECRET, algorithm="HS256", is_payload_detached=True)
    header, middle, _ = segments(token)
    assert middle == ""
    assert header == {"alg": "HS256", "b64": False, "crit": ["b64"], "typ": "JWT"}
    full = jws.decode_complete(token, SECRET, algorithms=["HS256"], detached_payload=payload)
    assert full["payload"] == payload and full["header"] == header and len(full["signature"]) == 32
    assert jws.decode(token, SECRET, algorithms=["HS256"], detached_payload=payload) == payload
    assert jwt.PyJWS(algorithms=["HS256"]).decode(token, SECRET, detached_payload=payload) == payload


def test_jws_str_payloads_are_utf8():
    jws = jwt.PyJWS()
    token = jws.encode("caf\u00e9", SECRET, is_payload_detached=True)
    assert jws.decode(token, SECRET, algorithms=["HS256"], detached_payload="caf\u00e9".encode()) == "caf\u00e9".encode()
    assert jws.decode(token, SECRET, algorithms=["HS256"], detached_payload="caf\u00e9") == "caf\u00e9"
    with pytest.raises(TypeError):
        jws.decode(token, SECRET, algorithms=["HS256"], detached_payload=123)


def test_b64_false_in_headers_detaches():
    jws = jwt.PyJWS()
    token = jws.encode(b"x", SECRET, "HS256", {"b64": False})
    header, middle, _ = segments(token)
    assert (header["b64"], header["crit"], middle) == (False, ["b64"], "")
    # b64 true is the default: dropped, the payload stays in the token (as in PyJWT)
    token = jws.encode(b"x", SECRET, "HS256", {"b64": True})
    header, middle, _ = segments(token)
    assert "b64" not in header and middle == "eA"
    # is_payload_detached wins over b64 true
    header, middle, _ = segments(jws.encode(b"x", SECRET, "HS256", {"b64": True}, is_payload_detached=True))
    assert (header["b64"], middle) == (False, "")


def test_crit_given_by_the_caller_is_kept():
    jws = jwt.PyJWS()
    header, _, _ = segments(jws.encode(b"x", SECRET, headers={"b64": False, "crit": ["b64"]}))
    assert header["crit"] == ["b64"]
    token = jws.encode(b"x", SECRET, headers={"crit": ["x-policy"], "x-policy": "mfa"}, is_payload_detached=True)
    header, _, _ = segments(token)
    assert header["crit"] == ["x-policy", "b64"] and header["x-policy"] == "mfa"
    # jwtkit implements b64 only: its own token with another critical extension is refused
    with pytest.raises(jwt.InvalidTokenError, match="Unsupported critical extension: x-policy"):
        jws.decode(token, SECRET, algorithms=["HS256"], detached_payload=b"x")
    with pytest.raises(jwt.InvalidTokenError):
        jws.encode(b"x", SECRET, headers={"crit": "b64"}, is_payload_detached=True)


def test_refusals():
    jws = jwt.PyJWS()
    token = jws.encode(b"payload", SECRET, is_payload_detached=True)
    with pytest.raises(jwt.InvalidSignatureError, match="Signature verification failed"):
        jws.decode(token, SECRET, algorithms=["HS256"], detached_payload=b"other")
    with pytest.raises(jwt.InvalidSignatureError):
        jws.decode(token, SECRET + "x", algorithms=["HS256"], detached_payload=b"payload")
    with pytest.raises(jwt.InvalidAlgorithmError):
        jws.decode(token, SECRET, algorithms=["HS384"], detached_payload=b"payload")
    with pytest.raises(jwt.DecodeError, match="algorithms"):
        jws.decode(token, SECRET, detached_payload=b"payload")
    # without the payload: refused (the library verifies b64 only with a detached payload),
    # in PyJWT's words
    with pytest.raises(jwt.DecodeError) as e:
        jws.decode(token, SECRET, algorithms=["HS256"])
    assert (
        'It is required that you pass in a value for the "detached_payload" argument to decode a message '
        "having the b64 header set to false." in str(e.value)
    )
    assert e.value.status_name == "JWTKIT_ERR_HEADER_INVALID"
    # a payload given for a token that carries its own
    attached = jws.encode(b"payload", SECRET)
    with pytest.raises(jwt.DecodeError, match="detached_payload.*b64.*false") as e:
        jws.decode(attached, SECRET, algorithms=["HS256"], detached_payload=b"payload")
    assert e.value.status_name == "JWTKIT_ERR_TOKEN_MALFORMED"
    # the payload put back in the middle segment (b64 false forbids it)
    header, _, signature = token.split(".")
    with pytest.raises(jwt.DecodeError, match="Payload segment must be empty when 'b64' is false") as e:
        jws.decode(f"{header}.payload.{signature}", SECRET, algorithms=["HS256"], detached_payload=b"payload")
    assert e.value.status_name == "JWTKIT_ERR_TOKEN_MALFORMED"


def test_jws_without_verification():
    jws = jwt.PyJWS()
    token = jws.encode(b"payload", SECRET, is_payload_detached=True)
    off = {"verify_signature": False}
    full = jws.decode_complete(token, options=off, detached_payload=b"anything")
    assert full["payload"] == b"anything" and full["header"]["b64"] is False
    assert jws.decode(token, options=off) == b""  # nothing is checked, nothing carried
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "b64": False, "crit": ["b64"], "typ": "JWT"}
    with pytest.raises(jwt.DecodeError, match="detached_payload"):
        jws.decode(jws.encode(b"payload", SECRET), options=off, detached_payload=b"payload")
    # the header rules of verification still apply
    other = jws.encode(b"x", SECRET, headers={"crit": ["x-ext"], "x-ext": 1}, is_payload_detached=True)
    with pytest.raises(jwt.InvalidTokenError, match="Unsupported critical extension: x-ext"):
        jws.decode(other, options=off, detached_payload=b"x")


def test_b64_false_without_crit_is_refused():
    import hashlib
    import hmac

    header = base64.urlsafe_b64encode(b'{"alg":"HS256","b64":false}').rstrip(b"=")
    signature = hmac.new(SECRET.encode(), header + b".payload", hashlib.sha256).digest()
    token = header + b".." + base64.urlsafe_b64encode(signature).rstrip(b"=")
    with pytest.raises(jwt.InvalidTokenError, match="b64.*crit"):
        jwt.PyJWS().decode(token, SECRET, algorithms=["HS256"], detached_payload=b"payload")


def test_short_secret_warns_as_for_attached_tokens():
    jws = jwt.PyJWS()
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        token = jws.encode(b"x", "short", is_payload_detached=True)
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        assert jws.decode(token, "short", algorithms=["HS256"], detached_payload=b"x") == b"x"
    with pytest.raises(jwt.InvalidKeyError, match="below"):
        jwt.PyJWS(options={"enforce_minimum_key_length": True}).encode(b"x", "short", is_payload_detached=True)


def test_key_sets_are_not_supported_with_a_detached_payload():
    """jwtkit_verify_detached takes one key: a PyJWK works, a PyJWKSet is refused."""
    private, _ = ALG_KEYS["ES256"]
    public_jwk = dict(json.loads(text("ecp256.public.jwk.json")), kid="k1")
    token = jwt.PyJWS().encode(b"x", private, "ES256", {"kid": "k1"}, is_payload_detached=True)
    key = jwt.PyJWK.from_dict(public_jwk, "ES256")
    assert jwt.PyJWS().decode(token, key, algorithms=["ES256"], detached_payload=b"x") == b"x"
    keys = jwt.PyJWKSet.from_dict({"keys": [public_jwk]})
    with pytest.raises(jwt.InvalidKeyTypeError, match="one key"):
        jwt.PyJWS().decode(token, keys, algorithms=["ES256"], detached_payload=b"x")


# ---- PyJWT (claims) -------------------------------------------------------------------


def test_jwt_round_trip_with_b64_false_header():
    token = jwt.encode(CLAIMS, SECRET, algorithm="HS256", headers={"b64": False})
    header, middle, _ = segments(token)
    assert middle == "" and header == {"alg": "HS256", "b64": False, "crit": ["b64"], "typ": "JWT"}
    assert jwt.decode(token, SECRET, algorithms=["HS256"], audience="api", detached_payload=CLAIMS_JSON) == CLAIMS
    full = jwt.decode_complete(token, SECRET, algorithms=["HS256"], audience="api", detached_payload=CLAIMS_JSON)
    assert full["header"] == header and full["payload"] == CLAIMS and len(full["signature"]) == 32


def test_jwt_is_payload_detached_keyword():
    token = jwt.encode(CLAIMS, SECRET, is_payload_detached=True)
    assert jwt.decode(token, SECRET, algorithms=["HS256"], audience="api", detached_payload=CLAIMS_JSON) == CLAIMS
    header, _, _ = segments(jwt.encode(CLAIMS, SECRET, headers={"typ": None}, is_payload_detached=True))
    assert header == {"alg": "HS256", "b64": False, "crit": ["b64"]}


def test_jwt_claims_are_checked_when_detached():
    """An unencoded payload never switches the claim checks off."""
    for claims, kwargs, error in [
        ({"exp": 1}, {}, jwt.ExpiredSignatureError),
        ({"nbf": 2**40}, {}, jwt.ImmatureSignatureError),
        ({"aud": "x"}, {"audience": "y"}, jwt.InvalidAudienceError),
        ({"iss": "x"}, {"issuer": "y"}, jwt.InvalidIssuerError),
        ({}, {"options": {"require": ["exp"]}}, jwt.MissingRequiredClaimError),
        ({"iat": "1"}, {}, jwt.InvalidIssuedAtError),
    ]:
        content = json.dumps(claims).encode()
        token = jwt.PyJWS().encode(content, SECRET, is_payload_detached=True)
        with pytest.raises(error):
            jwt.decode(token, SECRET, algorithms=["HS256"], detached_payload=content, **kwargs)
    token = jwt.encode({"exp": 1}, SECRET, headers={"b64": False})
    assert jwt.decode(
        token, SECRET, algorithms=["HS256"], options={"verify_exp": False}, detached_payload=b'{"exp":1}'
    ) == {"exp": 1}
    for content in (b"[1]", b"not json", b'{"a":1,"a":2}'):
        token = jwt.PyJWS().encode(content, SECRET, is_payload_detached=True)
        with pytest.raises(jwt.DecodeError):
            jwt.decode(token, SECRET, algorithms=["HS256"], detached_payload=content)


def test_jwt_detached_refusals():
    token = jwt.encode(CLAIMS, SECRET, headers={"b64": False})
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, SECRET, algorithms=["HS256"], audience="api", detached_payload=b'{"sub":"admin"}')
    with pytest.raises(jwt.DecodeError, match='pass in a value for the "detached_payload" argument'):
        jwt.decode(token, SECRET, algorithms=["HS256"], audience="api")
    with pytest.raises(jwt.DecodeError):
        jwt.decode(jwt.encode(CLAIMS, SECRET), SECRET, algorithms=["HS256"], detached_payload=CLAIMS_JSON)


def test_jwt_without_verification():
    token = jwt.encode({"exp": 1, "sub": "s"}, SECRET, headers={"b64": False})
    content = b'{"exp":1,"sub":"s"}'
    off = {"verify_signature": False}
    assert jwt.decode(token, options=off, detached_payload=content) == {"exp": 1, "sub": "s"}
    full = jwt.decode_complete(token, options=off, detached_payload=content)
    assert full["header"]["b64"] is False and full["payload"] == {"exp": 1, "sub": "s"}
    # the checks the options still ask for run in the library, on the detached claims
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, options={"verify_signature": False, "verify_exp": True}, detached_payload=content)
    with pytest.raises(jwt.MissingRequiredClaimError):
        jwt.decode(token, options={"verify_signature": False, "require": ["iss"]}, detached_payload=content)
    # the claims are read by the library: one JSON object
    for bad in (b"[1]", b"not json", b'{"a":1,"a":2}'):
        with pytest.raises(jwt.DecodeError):
            jwt.decode(token, options=off, detached_payload=bad)
    with pytest.raises(jwt.DecodeError, match="detached_payload"):
        jwt.decode(jwt.encode(CLAIMS, SECRET), options=off, detached_payload=CLAIMS_JSON)


def test_appendix_f_detached_content_with_encoded_payload():
    """A detached payload without `b64` (RFC 7515 Appendix F, base64url-encoded in the
    signing input) is verified too: a jwtkit addition, PyJWT accepts only `b64: false`."""
    token = jwt.PyJWS().encode(b"content", SECRET)
    header, _, signature = token.split(".")
    detached = f"{header}..{signature}"
    assert jwt.PyJWS().decode(detached, SECRET, algorithms=["HS256"], detached_payload=b"content") == b"content"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.PyJWS().decode(detached, SECRET, algorithms=["HS256"], detached_payload=b"other")


# ---- interoperability -----------------------------------------------------------------


@pytest.fixture(scope="module")
def pyjwt():
    try:
        import jwt as theirs
        import cryptography  # noqa: F401
    except ImportError as e:
        partner_missing(f"PyJWT and cryptography are needed ({e})")
    if not hasattr(theirs, "PyJWS") or theirs.decode is jwt.decode:
        pytest.fail("the module named `jwt` is not PyJWT 2.x")
    return theirs


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_pyjwt_verifies_jwtkit_detached_tokens(pyjwt, alg):
    private, public = ALG_KEYS[alg]
    payload = b"detached.content \x00\xff"
    token = jwt.PyJWS().encode(payload, private, alg, {"kid": "k1"}, is_payload_detached=True)
    assert pyjwt.PyJWS().decode(token, public, algorithms=[alg], detached_payload=payload) == payload
    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.PyJWS().decode(token, public, algorithms=[alg], detached_payload=payload + b"!")
    token = jwt.encode(CLAIMS, private, alg, headers={"b64": False})
    assert pyjwt.decode(token, public, algorithms=[alg], audience="api", detached_payload=CLAIMS_JSON) == CLAIMS


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_jwtkit_verifies_pyjwt_detached_tokens(pyjwt, alg):
    private, public = ALG_KEYS[alg]
    payload = b"detached.content \x00\xff"
    token = pyjwt.PyJWS().encode(payload, private, alg, {"kid": "k1"}, is_payload_detached=True)
    full = jwt.PyJWS().decode_complete(token, public, algorithms=[alg], detached_payload=payload)
    assert full == pyjwt.PyJWS().decode_complete(token, public, algorithms=[alg], detached_payload=payload)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.PyJWS().decode(token, public, algorithms=[alg], detached_payload=payload + b"!")
    token = pyjwt.encode(CLAIMS, private, alg, headers={"b64": False})
    assert jwt.decode(token, public, algorithms=[alg], audience="api", detached_payload=CLAIMS_JSON) == CLAIMS


@pytest.fixture(scope="module")
def jwcrypto():
    try:
        from jwcrypto import jwk, jws
    except ImportError as e:
        partner_missing(f"jwcrypto not importable ({e}); bindings/python/run-tests.sh installs it")
    return jwk, jws


def _jwcrypto_key(jwk, alg, pem):
    if alg.startswith("HS"):
        return jwk.JWK(kty="oct", k=base64.urlsafe_b64encode(pem.encode()).rstrip(b"=").decode())
    return jwk.JWK.from_pem(pem.encode())


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_jwcrypto_verifies_jwtkit_detached_tokens(jwcrypto, alg):
    jwk, jws = jwcrypto
    private, public = ALG_KEYS[alg]
    payload = b"detached.content"
    token = jwt.PyJWS().encode(payload, private, alg, is_payload_detached=True)
    theirs = jws.JWS()
    theirs.deserialize(token)
    theirs.verify(_jwcrypto_key(jwk, alg, public), alg=alg, detached_payload=payload)
    theirs = jws.JWS()
    theirs.deserialize(token)
    with pytest.raises(jws.InvalidJWSSignature):
        theirs.verify(_jwcrypto_key(jwk, alg, public), alg=alg, detached_payload=payload + b"!")


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_jwtkit_verifies_jwcrypto_detached_tokens(jwcrypto, alg):
    jwk, jws = jwcrypto
    private, public = ALG_KEYS[alg]
    payload = b"detached.content"
    for protected, encoded in (({"alg": alg, "b64": False, "crit": ["b64"]}, False), ({"alg": alg}, True)):
        theirs = jws.JWS(payload)
        theirs.add_signature(_jwcrypto_key(jwk, alg, private), None, json.dumps(protected))
        theirs.detach_payload()
        token = theirs.serialize(compact=True)
        assert token.split(".")[1] == ""
        full = jwt.PyJWS().decode_complete(token, public, algorithms=[alg], detached_payload=payload)
        assert full["payload"] == payload and full["header"] == protected
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.PyJWS().decode(token, public, algorithms=[alg], detached_payload=payload + b"!")
