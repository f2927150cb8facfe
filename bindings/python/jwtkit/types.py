"""PyJWT's ``jwt.types``: the ``TypedDict``s that describe ``options``, for type hints."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, TypedDict

JWKDict = Dict[str, Any]

HashlibHash = Callable[..., Any]


class SigOptions(TypedDict, total=False):
    """``options`` of ``PyJWS``."""

    verify_signature: bool
    enforce_minimum_key_length: bool
    #: jwtkit: accept base64 `=` padding in token segments (AWS ALB); default False.
    allow_padded_base64: bool


class Options(TypedDict, total=False):
    """``options`` of ``decode`` and ``decode_complete`` (see ``jwtkit.decode``)."""

    verify_signature: bool
    require: List[str]
    strict_aud: bool
    verify_aud: bool
    verify_exp: bool
    verify_iat: bool
    verify_iss: bool
    verify_jti: bool
    verify_nbf: bool
    verify_sub: bool
    enforce_minimum_key_length: bool
    #: jwtkit: accept base64 `=` padding in token segments (AWS ALB); default False.
    allow_padded_base64: bool


class FullOptions(TypedDict):
    """``Options`` with every member present (``PyJWT().options``)."""

    verify_signature: bool
    require: List[str]
    strict_aud: bool
    verify_aud: bool
    verify_exp: bool
    verify_iat: bool
    verify_iss: bool
    verify_jti: bool
    verify_nbf: bool
    verify_sub: bool
    enforce_minimum_key_length: bool
