"""The exception class and PyJWT's message come from data the library gives (status,
``jwtkit_error_claim``) and from the policy the caller built, never from the wording of
the library's message, which is only passed on as ``.detail``."""

from types import SimpleNamespace

import pytest

import jwtkit as jwt
from jwtkit import _ffi
from jwtkit._status import exception_for
from jwtkit.exceptions import (
    DecodeError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidJTIError,
    MissingRequiredClaimError,
)

REWORDED = "a message in other words, with `exp` and 'strict' and none is expected in it"


@pytest.mark.parametrize(
    "claim,cls",
    [("exp", DecodeError), ("iat", InvalidIssuedAtError), ("jti", InvalidJTIError), ("aud", InvalidAudienceError)],
)
def test_claim_type_failures_are_chosen_by_the_claim(claim, cls):
    e = exception_for(_ffi.JWTKIT_ERR_CLAIM_INVALID, REWORDED, claim)
    assert type(e) is cls and e.detail == REWORDED


def test_missing_claim_names_the_claim_from_data():
    e = exception_for(_ffi.JWTKIT_ERR_CLAIM_MISSING, REWORDED, "tenant")
    assert isinstance(e, MissingRequiredClaimError) and e.claim == "tenant"


@pytest.mark.parametrize(
    "expected,strict,message",
    [(False, False, "Invalid audience"), (True, True, "Audience doesn't match (strict)"), (True, False, "Audience doesn't match")],
)
def test_audience_messages_follow_the_policy(expected, strict, message):
    e = exception_for(_ffi.JWTKIT_ERR_AUDIENCE_MISMATCH, REWORDED, None, SimpleNamespace(expected=expected, strict=strict))
    assert isinstance(e, InvalidAudienceError) and str(e) == message


def test_through_decode():
    key = "a secret of at least 32 bytes for HS256!"
    with pytest.raises(InvalidIssuedAtError):
        jwt.decode(jwt.encode({"iat": "now"}, key), key, algorithms=["HS256"])
    with pytest.raises(MissingRequiredClaimError) as e:
        jwt.decode(jwt.encode({}, key), key, algorithms=["HS256"], options={"require": ["tenant"]})
    assert e.value.claim == "tenant"
    with pytest.raises(InvalidAudienceError, match="^Invalid audience$"):
        jwt.decode(jwt.encode({"aud": "api"}, key), key, algorithms=["HS256"])
    with pytest.raises(InvalidAudienceError, match=r"^Audience doesn't match \(strict\)$"):
        jwt.decode(jwt.encode({"aud": "web"}, key), key, algorithms=["HS256"], audience="api", options={"strict_aud": True})
    with pytest.raises(InvalidAudienceError, match="^Audience doesn't match$"):
        jwt.decode(jwt.encode({"aud": "web"}, key), key, algorithms=["HS256"], audience="api")
