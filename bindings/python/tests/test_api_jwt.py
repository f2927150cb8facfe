"""encode / decode / decode_complete / PyJWT: every argument and option."""

import json
import time
import uuid
import warnings
from base64 import urlsafe_b64decode
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from conftest import ALG_KEYS, SECRET, text
import jwtkit
import jwtkit as jwt
from jwtkit import _ffi

NOW = lambda: int(time.time())  # noqa: E731


def raw_token(claims: bytes, key=SECRET, alg="HS256", headers=None) -> str:
    """A token whose payload is exactly `claims` (for claims `encode` would not write)."""
    return jwt.PyJWS().encode(claims, key, alg, headers=headers)


def segment(token, i):
    s = token.split(".")[i]
    return json.loads(urlsafe_b64decode(s + "=" * (-len(s) % 4)))


# --- round trips --------------------------------------------------------------------


def test_every_algorithm_round_trips(alg_keys):
    alg, private, public = alg_keys
    token = jwt.encode({"userId": 123}, private, algorithm=alg)
    assert isinstance(token, str)
    assert jwt.decode(token, public, algorithms=[alg]) == {"userId": 123}
    assert segment(token, 0) == {"alg": alg, "typ": "JWT"}


def test_bytes_keys_and_tokens(alg_keys):
    alg, private, public = alg_keys
    token = jwt.encode({"a": 1}, private.encode(), algorithm=alg)
    assert jwt.decode(token.encode(), public.encode(), algorithms=[alg]) == {"a": 1}


def test_default_algorithm_is_hs256():
    assert segment(jwt.encode({}, SECRET), 0)["alg"] == "HS256"


def test_claims_come_back_exactly():
    claims = {
        "big": 2**70,
        "neg": -(2**65),
        "nul": "a\x00b",
        "astral": "\U0001F600 \u00e9",
        "float": 1.5,
        "nested": {"list": [1, None, True, {"x": []}]},
    }
    token = jwt.encode(claims, SECRET)
    assert jwt.decode(token, SECRET, algorithms=["HS256"]) == claims


def test_decode_complete_shape():
    token = jwt.encode({"a": 1}, SECRET, headers={"kid": "k"})
    full = jwt.decode_complete(token, SECRET, algorithms=["HS256"])
    assert full["header"] == {"alg": "HS256", "kid": "k", "typ": "JWT"}
    assert full["payload"] == {"a": 1}
    sig = token.split(".")[2]
    assert full["signature"] == urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
    assert len(full["signature"]) == 32


# --- encode -------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [[1], "x", None, 1])
def test_encode_needs_a_dict(payload):
    with pytest.raises(TypeError, match="Expecting a dict object"):
        jwt.encode(payload, SECRET)


def test_datetimes_become_numeric_dates():
    aware = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    naive = datetime(2020, 1, 2, 3, 4, 5)
    payload = {"exp": aware, "iat": naive, "nbf": naive, "other": "x"}
    token = jwt.encode(payload, SECRET)
    claims = segment(token, 1)
    assert claims["exp"] == int(aware.timestamp())
    assert claims["iat"] == int(naive.replace(tzinfo=timezone.utc).timestamp()) == claims["nbf"]
    assert isinstance(payload["exp"], datetime)  # the caller's dict is not changed


def test_iss_must_be_a_string():
    with pytest.raises(TypeError, match="Issuer"):
        jwt.encode({"iss": 1}, SECRET)


def test_json_encoder():
    class Enc(json.JSONEncoder):
        def default(self, o):
            if isinstance(o, (Decimal, uuid.UUID)):
                return str(o)
            return super().default(o)

    u = uuid.uuid4()
    token = jwt.encode({"d": Decimal("1.25"), "u": u}, SECRET, headers={"x": Decimal("2")}, json_encoder=Enc)
    assert jwt.decode(token, SECRET, algorithms=["HS256"]) == {"d": "1.25", "u": str(u)}
    assert segment(token, 0)["x"] == "2"
    with pytest.raises(TypeError):
        jwt.encode({"d": Decimal("1")}, SECRET)


def test_headers():
    token = jwt.encode({}, SECRET, headers={"kid": "key-1", "cty": "x", "custom": [1, 2]})
    assert segment(token, 0) == {"alg": "HS256", "cty": "x", "custom": [1, 2], "kid": "key-1", "typ": "JWT"}
    assert list(segment(token, 0)) == sorted(segment(token, 0))
    assert jwt.get_unverified_header(token)["kid"] == "key-1"


def test_header_alg_wins_over_algorithm():
    token = jwt.encode({}, SECRET, algorithm="HS256", headers={"alg": "HS512"})
    assert segment(token, 0)["alg"] == "HS512"
    jwt.decode(token, SECRET, algorithms=["HS512"])


@pytest.mark.parametrize("typ", [None, ""])
def test_falsy_typ_is_left_out(typ):
    token = jwt.encode({"a": 1}, SECRET, headers={"typ": typ})
    assert segment(token, 0) == {"alg": "HS256"}
    assert jwt.decode(token, SECRET, algorithms=["HS256"]) == {"a": 1}


def test_custom_typ():
    token = jwt.encode({}, SECRET, headers={"typ": "at+jwt"})
    assert segment(token, 0)["typ"] == "at+jwt"


def test_sort_headers_false_is_accepted():
    token = jwt.encode({}, SECRET, headers={"z": 1, "a": 2}, sort_headers=False)
    assert segment(token, 0) == {"a": 2, "alg": "HS256", "typ": "JWT", "z": 1}


def test_b64_true_is_dropped_and_false_detaches():
    token = jwt.encode({}, SECRET, headers={"b64": True})
    assert "b64" not in segment(token, 0)
    token = jwt.encode({}, SECRET, headers={"b64": False})  # RFC 7797 (tests/test_detached.py)
    assert segment(token, 0)["b64"] is False and token.split(".")[1] == ""


def test_kid_must_be_a_string():
    with pytest.raises(jwt.InvalidTokenError):
        jwt.encode({}, SECRET, headers={"kid": 1})


@pytest.mark.parametrize("alg", [None, "none", "None", "HS1", "ES256k", "es256k", "Ed448", "hs256"])
def test_unsupported_algorithms_cannot_sign(alg):
    with pytest.raises(NotImplementedError, match="Algorithm not supported"):
        jwt.encode({}, SECRET, algorithm=alg)


def test_public_key_cannot_sign():
    with pytest.raises(jwt.InvalidKeyError) as e:
        jwt.encode({}, text("rsa2048.spki.pem"), algorithm="RS256")
    assert e.value.status_name == "JWTKIT_ERR_KEY_CANNOT_SIGN"


def test_key_of_the_wrong_kind_for_the_algorithm():
    with pytest.raises(jwt.InvalidKeyError) as e:
        jwt.encode({}, text("rsa2048.pkcs8.pem"), algorithm="HS256")
    assert isinstance(e.value, jwt.KeyAlgorithmMismatchError)
    with pytest.raises(jwt.KeyAlgorithmMismatchError):
        jwt.encode({}, text("ecp256.pkcs8.pem"), algorithm="ES384")
    with pytest.raises(jwt.InvalidKeyError, match="DER"):
        jwt.encode({}, SECRET, algorithm="RS256")  # not PEM, so read as DER: refused by the library


# --- decode: algorithms and signature ------------------------------------------------


def test_algorithms_are_required():
    token = jwt.encode({}, SECRET)
    for algorithms in (None, []):
        with pytest.raises(jwt.DecodeError, match='"algorithms" argument'):
            jwt.decode(token, SECRET, algorithms=algorithms)


def test_algorithms_as_a_single_string():
    token = jwt.encode({"a": 1}, SECRET)
    assert jwt.decode(token, SECRET, algorithms="HS256") == {"a": 1}


def test_alg_not_in_the_allow_list():
    token = jwt.encode({}, SECRET, algorithm="HS512")
    with pytest.raises(jwt.InvalidAlgorithmError, match="The specified alg value is not allowed") as e:
        jwt.decode(token, SECRET, algorithms=["HS256", "HS384"])
    assert e.value.status == _ffi.JWTKIT_ERR_ALG_NOT_ALLOWED


def test_allow_list_of_only_unknown_names():
    token = jwt.encode({}, SECRET)
    with pytest.raises(jwt.InvalidAlgorithmError):
        jwt.decode(token, SECRET, algorithms=["none", "XS256"])
    # unknown names beside known ones are ignored
    assert jwt.decode(token, SECRET, algorithms=["none", "HS256"]) == {}


def test_alg_none_tokens_are_refused():
    header = b"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"  # {"alg":"none","typ":"JWT"}
    token = header.decode() + ".eyJhIjoxfQ."
    with pytest.raises(jwt.InvalidTokenError):
        jwt.decode(token, SECRET, algorithms=["HS256"])
    with pytest.raises(jwt.InvalidTokenError):
        jwt.decode(token, SECRET, algorithms=["none", "HS256"])


def test_tampered_token():
    token = jwt.encode({"admin": False}, SECRET)
    h, p, s = token.split(".")
    forged = h + "." + jwt.encode({"admin": True}, "another secret that is long enough!!").split(".")[1] + "." + s
    with pytest.raises(jwt.InvalidSignatureError, match="^Signature verification failed$") as e:
        jwt.decode(forged, SECRET, algorithms=["HS256"])
    assert isinstance(e.value, jwt.DecodeError)
    assert e.value.status_name == "JWTKIT_ERR_SIGNATURE_INVALID" and e.value.detail


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_wrong_secret(alg):
    token = jwt.encode({}, SECRET, algorithm=alg)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, SECRET + "!", algorithms=[alg])


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b", "a.b.c.d", "@@@.e30.", "eyJhbGciOiJIUzI1NiJ9.@@@.", "eyJhbGciOiJIUzI1NiJ9.e30=.x", "{\"a\":1}"],
)
def test_malformed_tokens(token):
    with pytest.raises(jwt.DecodeError):
        jwt.decode(token, SECRET, algorithms=["HS256"])


def test_header_without_alg():
    # PyJWT's class; its message ("Algorithm not specified") is the library's detail
    with pytest.raises(jwt.InvalidAlgorithmError) as e:
        jwt.decode("e30.e30.", SECRET, algorithms=["HS256"])
    assert e.value.status == _ffi.JWTKIT_ERR_ALG_UNSUPPORTED and "Algorithm not specified" in e.value.detail


@pytest.mark.parametrize("token", [1, None, object(), ["a"]])
def test_token_type(token):
    with pytest.raises(jwt.DecodeError, match="Invalid token type"):
        jwt.decode(token, SECRET, algorithms=["HS256"])


def test_public_key_confusion_is_refused():
    """An HS256 token signed with the RSA public key's PEM as a secret."""
    public = text("rsa2048.spki.pem")
    import hmac, hashlib, base64

    def b64(b):
        return base64.urlsafe_b64encode(b).rstrip(b"=")

    signing_input = b64(b'{"alg":"HS256","typ":"JWT"}') + b"." + b64(b'{"admin":true}')
    sig = b64(hmac.new(public.encode(), signing_input, hashlib.sha256).digest())
    token = (signing_input + b"." + sig).decode()
    with pytest.raises(jwt.InvalidTokenError) as e:
        jwt.decode(token, public, algorithms=["RS256", "HS256"])
    assert isinstance(e.value, jwt.InvalidKeyError)  # as PyJWT, and an InvalidTokenError too


def test_stricter_than_pyjwt_is_still_invalid_token():
    for claims in (b'{"a":1,"a":2}', b'{"a":"\xff"}', b"\xef\xbb\xbf{}", b"[1]", b'{"exp":"soon"}'):
        with pytest.raises(jwt.InvalidTokenError):
            jwt.decode(raw_token(claims), SECRET, algorithms=["HS256"])
    with pytest.raises(jwt.InvalidTokenError):
        jwt.decode(raw_token(b"{}", headers={"crit": ["exp"], "exp": 1}), SECRET, algorithms=["HS256"])


# --- decode: time claims ------------------------------------------------------------


def test_expired():
    token = jwt.encode({"exp": NOW() - 100}, SECRET)
    with pytest.raises(jwt.ExpiredSignatureError, match="^Signature has expired$") as e:
        jwt.decode(token, SECRET, algorithms=["HS256"])
    assert e.value.status == _ffi.JWTKIT_ERR_EXPIRED
    assert jwt.decode(token, SECRET, algorithms=["HS256"], leeway=200)["exp"]
    assert jwt.decode(token, SECRET, algorithms=["HS256"], leeway=timedelta(minutes=4))
    assert jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})


def test_exp_as_datetime_in_the_future():
    token = jwt.encode({"exp": datetime.now(tz=timezone.utc) + timedelta(hours=1)}, SECRET)
    assert jwt.decode(token, SECRET, algorithms=["HS256"])


def test_leeway_values():
    token = jwt.encode({"exp": NOW() - 10}, SECRET)
    assert jwt.decode(token, SECRET, algorithms=["HS256"], leeway=60.5)
    with pytest.raises(ValueError):
        jwt.decode(token, SECRET, algorithms=["HS256"], leeway=-1)
    with pytest.raises(TypeError):
        jwt.decode(token, SECRET, algorithms=["HS256"], leeway="60")


def test_not_before():
    token = jwt.encode({"nbf": NOW() + 100}, SECRET)
    with pytest.raises(jwt.ImmatureSignatureError, match=r"\(nbf\)"):
        jwt.decode(token, SECRET, algorithms=["HS256"])
    assert jwt.decode(token, SECRET, algorithms=["HS256"], leeway=200)
    assert jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_nbf": False})


def test_issued_at_in_the_future():
    token = jwt.encode({"iat": NOW() + 100}, SECRET)
    with pytest.raises(jwt.ImmatureSignatureError, match=r"\(iat\)"):
        jwt.decode(token, SECRET, algorithms=["HS256"])
    assert jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_iat": False})


@pytest.mark.parametrize(
    "claims, cls",
    [
        (b'{"exp":"1"}', jwt.DecodeError),
        (b'{"nbf":"1"}', jwt.DecodeError),
        (b'{"iat":"1"}', jwt.InvalidIssuedAtError),
        (b'{"iss":1}', jwt.InvalidIssuerError),
        (b'{"aud":1}', jwt.InvalidAudienceError),
        (b'{"aud":[1]}', jwt.InvalidAudienceError),
        (b'{"sub":1}', jwt.InvalidSubjectError),
        (b'{"jti":1}', jwt.InvalidJTIError),
    ],
)
def test_wrong_claim_types(claims, cls):
    with pytest.raises(cls) as e:
        jwt.decode(raw_token(claims), SECRET, algorithms=["HS256"])
    assert e.value.status == _ffi.JWTKIT_ERR_CLAIM_INVALID


def test_verify_jti_false_still_type_checks_jti():
    with pytest.raises(jwt.InvalidJTIError):
        jwt.decode(raw_token(b'{"jti":1}'), SECRET, algorithms=["HS256"], options={"verify_jti": False})
    assert jwt.decode(jwt.encode({"jti": "x"}, SECRET), SECRET, algorithms=["HS256"]) == {"jti": "x"}


# --- decode: audience, issuer, subject, required claims ----------------------------------


def test_audience():
    one = jwt.encode({"aud": "api"}, SECRET)
    many = jwt.encode({"aud": ["api", "web"]}, SECRET)
    for token in (one, many):
        assert jwt.decode(token, SECRET, algorithms=["HS256"], audience="api")
        assert jwt.decode(token, SECRET, algorithms=["HS256"], audience=["x", "api"])
        assert jwt.decode(token, SECRET, algorithms=["HS256"], audience={"api"})
        with pytest.raises(jwt.InvalidAudienceError, match="^Audience doesn't match$"):
            jwt.decode(token, SECRET, algorithms=["HS256"], audience="other")
        with pytest.raises(jwt.InvalidAudienceError, match="^Invalid audience$"):
            jwt.decode(token, SECRET, algorithms=["HS256"])
        assert jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_aud": False})


def test_audience_expected_but_absent():
    with pytest.raises(jwt.MissingRequiredClaimError) as e:
        jwt.decode(jwt.encode({}, SECRET), SECRET, algorithms=["HS256"], audience="api")
    assert e.value.claim == "aud" and str(e.value) == 'Token is missing the "aud" claim'


def test_strict_audience():
    opts = {"strict_aud": True}
    one = jwt.encode({"aud": "api"}, SECRET)
    assert jwt.decode(one, SECRET, algorithms=["HS256"], audience="api", options=opts)
    with pytest.raises(jwt.InvalidAudienceError, match=r"\(strict\)"):
        jwt.decode(jwt.encode({"aud": ["api"]}, SECRET), SECRET, algorithms=["HS256"], audience="api", options=opts)
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(one, SECRET, algorithms=["HS256"], audience="apx", options=opts)


def test_audience_argument_type():
    token = jwt.encode({"aud": "api"}, SECRET)
    with pytest.raises(TypeError):
        jwt.decode(token, SECRET, algorithms=["HS256"], audience=1)
    # As in PyJWT, items of a collection that are not strings never match; the others do.
    assert jwt.decode(token, SECRET, algorithms=["HS256"], audience=["api", 2]) == {"aud": "api"}


@pytest.mark.parametrize("audience", [b"api", [], [1, 2], (b"api",)])
def test_audience_that_no_token_can_match(audience):
    # PyJWT's outcomes for an audience argument that matches no token: bytes (its items
    # are numbers), an empty list. The library checks everything else first, in order.
    with pytest.raises(jwt.InvalidAudienceError, match="^Audience doesn't match$") as e:
        jwt.decode(jwt.encode({"aud": "api"}, SECRET), SECRET, algorithms=["HS256"], audience=audience)
    assert not isinstance(e.value, jwt.MissingRequiredClaimError)
    with pytest.raises(jwt.MissingRequiredClaimError) as missing:
        jwt.decode(jwt.encode({}, SECRET), SECRET, algorithms=["HS256"], audience=audience)
    assert missing.value.claim == "aud"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(jwt.encode({"aud": "api"}, SECRET)[:-4] + "AAAA", SECRET, algorithms=["HS256"], audience=audience)
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(jwt.encode({"aud": "api", "exp": NOW() - 60}, SECRET), SECRET, algorithms=["HS256"], audience=audience)
    # Every path refuses: complete, a PyJWT instance's repeated calls, a key set.
    token = jwt.encode({"aud": "api"}, SECRET)
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode_complete(token, SECRET, algorithms=["HS256"], audience=audience)
    instance = jwt.PyJWT()
    for _ in range(3):
        with pytest.raises(jwt.InvalidAudienceError):
            instance.decode(token, SECRET, algorithms=["HS256"], audience=audience)
    # Without the audience check, nothing is refused (PyJWT's verify_aud=False).
    assert jwt.decode(token, SECRET, algorithms=["HS256"], audience=audience, options={"verify_aud": False})


def test_strict_audience_needs_one_string():
    # PyJWT: with strict_aud, an audience that is not a single string matches no token,
    # not even one whose `aud` is that list's only item.
    opts = {"strict_aud": True}
    token = jwt.encode({"aud": "api"}, SECRET)
    for audience in (["api"], ["api", "other"], ("api",)):
        with pytest.raises(jwt.InvalidAudienceError, match=r"^Invalid audience \(strict\)$"):
            jwt.decode(token, SECRET, algorithms=["HS256"], audience=audience, options=opts)
        with pytest.raises(jwt.MissingRequiredClaimError):
            jwt.decode(jwt.encode({}, SECRET), SECRET, algorithms=["HS256"], audience=audience, options=opts)
    assert jwt.decode(token, SECRET, algorithms=["HS256"], audience="api", options=opts)
    assert jwt.decode(token, SECRET, algorithms=["HS256"], audience=["api", "other"])


def test_issuer():
    token = jwt.encode({"iss": "https://issuer"}, SECRET)
    assert jwt.decode(token, SECRET, algorithms=["HS256"], issuer="https://issuer")
    assert jwt.decode(token, SECRET, algorithms=["HS256"], issuer=["a", "https://issuer"])
    assert jwt.decode(token, SECRET, algorithms=["HS256"], issuer=("https://issuer",))
    with pytest.raises(jwt.InvalidIssuerError, match="^Invalid issuer$"):
        jwt.decode(token, SECRET, algorithms=["HS256"], issuer="https://issuer/")
    with pytest.raises(jwt.InvalidIssuerError):
        jwt.decode(token, SECRET, algorithms=["HS256"], issuer="https://iss")  # no prefix match
    assert jwt.decode(token, SECRET, algorithms=["HS256"], issuer="x", options={"verify_iss": False})
    with pytest.raises(jwt.MissingRequiredClaimError, match='"iss"'):
        jwt.decode(jwt.encode({}, SECRET), SECRET, algorithms=["HS256"], issuer="https://issuer")

    class NotIterable:
        def __contains__(self, x):
            return True

    with pytest.raises(jwt.InvalidIssuerError, match="Issuer param"):
        jwt.decode(token, SECRET, algorithms=["HS256"], issuer=NotIterable())


def test_subject():
    token = jwt.encode({"sub": "user-1"}, SECRET)
    assert jwt.decode(token, SECRET, algorithms=["HS256"], subject="user-1")
    with pytest.raises(jwt.InvalidSubjectError, match="^Invalid subject$"):
        jwt.decode(token, SECRET, algorithms=["HS256"], subject="user-2")
    assert jwt.decode(token, SECRET, algorithms=["HS256"], subject="user-2", options={"verify_sub": False})
    with pytest.raises(jwt.MissingRequiredClaimError, match='"sub"'):
        jwt.decode(jwt.encode({}, SECRET), SECRET, algorithms=["HS256"], subject="user-1")
    with pytest.raises(TypeError):
        jwt.decode(token, SECRET, algorithms=["HS256"], subject=1)


def test_require():
    token = jwt.encode({"exp": NOW() + 60, "scope": "a"}, SECRET)
    assert jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["exp", "scope"]})
    with pytest.raises(jwt.MissingRequiredClaimError) as e:
        jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["exp", "iat"]})
    assert e.value.claim == "iat"
    assert str(e.value) == 'Token is missing the "iat" claim'


# --- decode: verify_signature=False and deprecated arguments ---------------------------


def test_verify_signature_false_checks_nothing():
    token = jwt.encode({"exp": NOW() - 100, "aud": "x", "iss": "y"}, SECRET)
    forged = token[:-4] + "AAAA"
    opts = {"verify_signature": False}
    assert jwt.decode(forged, options=opts)["aud"] == "x"
    assert jwt.decode(forged, "", algorithms=None, options=opts, audience="other", issuer="z")
    full = jwt.decode_complete(forged, options=opts)
    assert full["header"]["alg"] == "HS256" and full["payload"]["iss"] == "y"
    with pytest.raises(jwt.DecodeError):
        jwt.decode("garbage", options=opts)


def test_verify_argument_mismatch_warns():
    token = jwt.encode({}, SECRET)
    with pytest.warns(DeprecationWarning, match="`verify` argument"):
        jwt.decode(token, SECRET, algorithms=["HS256"], verify=False)


def test_extra_kwargs_warn():
    token = jwt.encode({}, SECRET)
    with pytest.warns(jwt.RemovedInPyjwt3Warning):
        jwt.decode(token, SECRET, algorithms=["HS256"], bogus=1)
    with pytest.warns(jwt.RemovedInPyjwt3Warning):
        jwt.decode_complete(token, SECRET, algorithms=["HS256"], bogus=1)


def test_detached_payload_is_refused():
    token = jwt.encode({}, SECRET)
    with pytest.raises(jwt.DecodeError, match="detached"):
        jwt.decode(token, SECRET, algorithms=["HS256"], detached_payload=b"{}")


def test_positional_arguments_as_pyjwt():
    token = jwt.encode({"aud": "a", "sub": "s", "iss": "i"}, SECRET, "HS256", None, None, True)
    assert jwt.decode(token, SECRET, ["HS256"], None, None, None, "a", "s", "i", 0)
    assert jwt.decode_complete(token, SECRET, ["HS256"], None, None, None, "a", "i", "s", 0)["payload"]


# --- short HMAC secrets -----------------------------------------------------------------


def test_short_secret_warns_as_pyjwt():
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        token = jwt.encode({"a": 1}, "short")
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        assert jwt.decode(token, "short", algorithms=["HS256"]) == {"a": 1}
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(token, "shorT", algorithms=["HS256"])


def test_secret_long_enough_for_hs256_but_not_hs512():
    key = "k" * 40
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jwt.encode({}, key, algorithm="HS256")
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        jwt.encode({}, key, algorithm="HS512")


def test_enforce_minimum_key_length():
    strict = jwt.PyJWT({"enforce_minimum_key_length": True})
    with pytest.raises(jwt.InvalidKeyError) as e:
        strict.encode({}, "short")
    assert e.value.status == _ffi.JWTKIT_ERR_KEY_TOO_WEAK
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        token = jwt.encode({}, "short")
    with pytest.raises(jwt.InvalidKeyError):
        jwt.decode(token, "short", algorithms=["HS256"], options={"enforce_minimum_key_length": True})


def test_empty_secret_is_refused():
    with pytest.raises(jwt.InvalidKeyError):
        jwt.encode({}, "")
    with pytest.raises(jwt.InvalidKeyError):
        jwt.decode(jwt.encode({}, SECRET), algorithms=["HS256"])  # key defaults to ""


# --- PyJWT class --------------------------------------------------------------------------


def test_pyjwt_instance_options():
    exp = NOW() - 100
    expired = jwt.encode({"exp": exp}, SECRET)
    lax = jwt.PyJWT({"verify_exp": False})
    assert lax.decode(expired, SECRET, algorithms=["HS256"])
    with pytest.raises(jwt.ExpiredSignatureError):
        lax.decode(expired, SECRET, algorithms=["HS256"], options={"verify_exp": True})
    assert lax.options["verify_signature"] is True
    unsigned = jwt.PyJWT({"verify_signature": False})
    assert unsigned.options["verify_exp"] is False
    # Without signature verification a changed signature is not looked at, and the expiry
    # is not checked either (PyJWT turns verify_exp off with verify_signature).
    assert unsigned.decode(expired[:-3] + "abc") == {"exp": exp}


# --- jwtkit extensions: max_age, typ, is_revoked ---------------------------------------------


def test_max_age():
    old = jwt.encode({"iat": NOW() - 3600}, SECRET)
    assert jwt.decode(old, SECRET, algorithms=["HS256"], max_age=7200)
    with pytest.raises(jwt.TokenTooOldError) as e:
        jwt.decode(old, SECRET, algorithms=["HS256"], max_age=timedelta(minutes=30))
    assert isinstance(e.value, jwt.ExpiredSignatureError)
    with pytest.raises(jwt.MissingRequiredClaimError, match='"iat"'):
        jwt.decode(jwt.encode({}, SECRET), SECRET, algorithms=["HS256"], max_age=60)


def test_typ():
    at = jwt.encode({}, SECRET, headers={"typ": "at+jwt"})
    assert jwt.decode(at, SECRET, algorithms=["HS256"], typ="application/at+JWT") == {}
    with pytest.raises(jwt.InvalidTypError):
        jwt.decode(jwt.encode({}, SECRET), SECRET, algorithms=["HS256"], typ="at+jwt")


def test_is_revoked():
    seen = []

    def is_revoked(jti, claims):
        seen.append((jti, claims))
        return jti == "bad"

    good = jwt.encode({"jti": "good", "n": 1}, SECRET)
    bad = jwt.encode({"jti": "bad"}, SECRET)
    assert jwt.decode(good, SECRET, algorithms=["HS256"], is_revoked=is_revoked) == {"jti": "good", "n": 1}
    assert seen == [("good", {"jti": "good", "n": 1})]
    with pytest.raises(jwt.RevokedTokenError):
        jwt.decode_complete(bad, SECRET, algorithms=["HS256"], is_revoked=is_revoked)
    jwt.decode(jwt.encode({}, SECRET), SECRET, algorithms=["HS256"], is_revoked=is_revoked)
    assert seen[-1] == (None, {})


def test_is_revoked_that_raises_fails_closed():
    def broken(jti, claims):
        raise RuntimeError("database down")

    with pytest.raises(jwt.RevokedTokenError) as e:
        jwt.decode(jwt.encode({"jti": "x"}, SECRET), SECRET, algorithms=["HS256"], is_revoked=broken)
    assert isinstance(e.value.__cause__, RuntimeError)


def test_is_revoked_not_called_for_invalid_tokens():
    called = []
    token = jwt.encode({"exp": NOW() - 100}, SECRET)
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, SECRET, algorithms=["HS256"], is_revoked=lambda j, c: called.append(1))
    assert called == []


def test_now_overrides_the_clock_for_every_time_check():
    from datetime import datetime, timezone

    secret = "n" * 32
    token = jwt.encode({"iat": 1000, "nbf": 1000, "exp": 2000}, secret, algorithm="HS256")
    assert jwt.decode(token, secret, algorithms=["HS256"], now=1500)["exp"] == 2000
    assert jwt.decode(token, secret, algorithms=["HS256"], now=datetime.fromtimestamp(1999, timezone.utc))["iat"] == 1000
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, secret, algorithms=["HS256"], now=2000)
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, secret, algorithms=["HS256"])  # the real clock is far past 2000
    with pytest.raises(jwt.ImmatureSignatureError):
        jwt.decode(token, secret, algorithms=["HS256"], now=999)
    assert jwt.decode_complete(token, secret, algorithms=["HS256"], now=1500)["payload"]["nbf"] == 1000
    with pytest.raises(TypeError):
        jwt.decode(token, secret, algorithms=["HS256"], now="1500")


# --- base64url padding (AWS ALB x-amzn-oidc-data) ---------------------------------------


def _padded(token):
    """The token with its signature segment padded, as AWS ALB may send it."""
    signing_input, signature = token.rsplit(".", 1)
    return f"{signing_input}.{signature}{'=' * (-len(signature) % 4)}"


def _alb_hs256(header, claims, secret):
    """A token as ALB writes them: every segment padded, the signature over the padded
    header and payload."""
    import base64
    import hashlib
    import hmac

    def b64(data):
        return base64.urlsafe_b64encode(data).decode()

    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def test_padded_segments_are_refused_by_default_and_accepted_with_the_option():
    private, public = ALG_KEYS["ES256"]
    token = jwt.encode({"sub": "alb-user", "exp": int(time.time()) + 60}, private, "ES256", headers={"kid": "k"})
    padded = _padded(token)
    assert padded != token
    with pytest.raises(jwt.DecodeError, match="allow_padded_base64") as e:
        jwt.decode(padded, public, algorithms=["ES256"])
    assert e.value.status == _ffi.JWTKIT_ERR_BASE64
    opt = {"allow_padded_base64": True}
    assert jwt.decode(padded, public, algorithms=["ES256"], options=opt)["sub"] == "alb-user"
    full = jwt.decode_complete(padded, public, algorithms=["ES256"], options=opt)
    assert full == jwt.decode_complete(token, public, algorithms=["ES256"])
    assert jwtkit.PyJWT(options=opt).decode(padded, public, algorithms=["ES256"])["sub"] == "alb-user"
    assert jwtkit.PyJWS().decode(padded, public, algorithms=["ES256"], options=opt) == jwtkit.PyJWS().decode(
        token, public, algorithms=["ES256"])
    assert jwtkit.PyJWS(options=opt).decode(padded, public, algorithms=["ES256"])
    # the claim checks still run, and the signature is still verified
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(_padded(jwt.encode({"exp": 1}, private, "ES256")), public, algorithms=["ES256"], options=opt)
    other = jwt.encode({"sub": "other"}, private, "ES256")
    tampered = _padded(other.rsplit(".", 1)[0] + "." + token.rsplit(".", 1)[1])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tampered, public, algorithms=["ES256"], options=opt)


def test_alb_tokens_padded_in_every_segment():
    token = _alb_hs256({"alg": "HS256", "kid": "alb-key", "signer": "arn:aws:elasticloadbalancing:xy"},
                       {"sub": "u", "email": "u@example.com"}, SECRET)
    assert all(s.endswith("=") for s in token.split("."))
    with pytest.raises(jwt.DecodeError, match="allow_padded_base64"):
        jwt.decode(token, SECRET, algorithms=["HS256"])
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"allow_padded_base64": True})
    assert claims == {"sub": "u", "email": "u@example.com"}
    # the key id is read before a key is known, without the option
    assert jwt.get_unverified_header(token)["kid"] == "alb-key"
    assert jwt.decode(token, options={"verify_signature": False}) == claims


def test_the_padding_option_accepts_only_well_formed_padding():
    token = jwt.encode({"a": 1}, SECRET)
    opt = {"allow_padded_base64": True}
    signing_input, signature = token.rsplit(".", 1)
    pad = "=" * (-len(signature) % 4)
    for bad in (
        f"{signing_input}.{signature}{pad}====",  # too much
        f"{signing_input}.{signature[:-1]}={signature[-1]}",  # inside the segment
        f"{signing_input}.{signature}!",
    ):
        with pytest.raises(jwt.DecodeError):
            jwt.decode(bad, SECRET, algorithms=["HS256"], options=opt)
    assert jwt.decode(f"{signing_input}.{signature}{pad}", SECRET, algorithms=["HS256"], options=opt) == {"a": 1}
    assert jwt.decode(token, SECRET, algorithms=["HS256"], options=opt) == {"a": 1}
    # an option set to False is the default
    with pytest.raises(jwt.DecodeError):
        jwt.decode(_padded(token), SECRET, algorithms=["HS256"], options={"allow_padded_base64": False})
