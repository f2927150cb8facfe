"""PyJWT's ``PyJWS`` (sign and verify any payload bytes) and ``get_unverified_header``,
plus the argument conversions shared with ``api_jwt``. Nothing here parses or checks a
token: every decision is the library's; this module turns PyJWT arguments into library
arguments and library results into Python values.
"""

from __future__ import annotations

import binascii
import json
import math
import warnings
from base64 import urlsafe_b64decode
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Type, Union

from . import _core, _ffi
from ._status import short_secret_error
from .exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidIssuerError,
    InvalidKeyError,
    PyJWTError,
)
from .warnings import InsecureKeyLengthWarning, RemovedInPyjwt3Warning

if TYPE_CHECKING:  # pragma: no cover
    from .api_jwk import PyJWK


class _Unset:
    def __repr__(self) -> str:
        return "<unset>"


#: ``algorithm`` was not passed (PyJWT: HS256, or the PyJWK's algorithm).
_ALGORITHM_UNSET: Any = _Unset()

KeyType = Union[str, bytes, "PyJWK", Dict[str, Any], Any]


def _is_pyjwk(key: Any) -> bool:
    from .api_jwk import PyJWK

    return isinstance(key, PyJWK)


def token_bytes(jwt: Any) -> bytes:
    if isinstance(jwt, str):
        return jwt.encode("utf-8")
    if isinstance(jwt, bytes):
        return jwt
    raise DecodeError(f"Invalid token type. Token must be a {bytes}")


def signing_algorithm(key: Any, algorithm: Any, headers: Optional[Dict[str, Any]]) -> Tuple[str, int]:
    """PyJWT's choice of the signing algorithm's name, and its library number."""
    if algorithm is _ALGORITHM_UNSET:
        name = key.algorithm_name if _is_pyjwk(key) else "HS256"
    elif algorithm is None:
        name = key.algorithm_name if _is_pyjwk(key) else "none"
    else:
        name = algorithm
    if headers:
        header_alg = headers.get("alg")
        if header_alg:
            name = header_alg
    alg = _ffi.alg_from_name(name) if isinstance(name, str) else None
    if alg is None:
        raise NotImplementedError("Algorithm not supported")
    return name, alg


def is_detached(headers: Optional[Dict[str, Any]], is_payload_detached: bool) -> bool:
    """PyJWT's choice: the payload is detached and unencoded (RFC 7797) when asked for,
    or when ``headers`` says ``"b64": False``."""
    return bool(is_payload_detached) or (bool(headers) and headers.get("b64") is False)  # type: ignore[union-attr]


def header_json(
    headers: Optional[Dict[str, Any]],
    json_encoder: Optional[Type[json.JSONEncoder]],
    sort_headers: bool,
    default_typ: Optional[str],
    detached: bool = False,
) -> Tuple[Optional[bytes], bool]:
    """The extra header members to give the library (``alg`` comes from the
    algorithm), and whether ``typ`` is to be left out: PyJWT drops a falsy ``typ``.
    ``default_typ`` is added when ``headers`` has no ``typ``. ``b64`` is the library's
    to write (``detached``: ``false``, with ``b64`` in ``crit``); PyJWT drops any other
    ``b64``, the default being ``true``."""
    extra = dict(headers) if headers else {}
    extra.pop("alg", None)
    no_typ = False
    if "typ" in extra:
        if not extra["typ"]:
            del extra["typ"]
            no_typ = True
    elif default_typ:
        extra["typ"] = default_typ
    extra.pop("b64", None)
    if not extra:
        return None, no_typ
    text = json.dumps(extra, separators=(",", ":"), cls=json_encoder, sort_keys=sort_headers, allow_nan=False)
    return text.encode("utf-8"), no_typ


def with_key(
    key: Any,
    alg_ids: Iterable[int],
    enforce_min_length: bool,
    op: Callable[[_core.Key], Any],
    stacklevel: int,
) -> Any:
    """Runs ``op`` with the library key for ``key``, for the algorithms ``alg_ids``. An
    HMAC key (a ``str``/``bytes`` secret, an ``oct`` JWK or ``PyJWK``) the library finds
    too short for the algorithm is, as in PyJWT, used anyway after an
    ``InsecureKeyLengthWarning``, or refused with ``InvalidKeyError`` when
    ``enforce_minimum_key_length`` is set; both say PyJWT's "… which is below the
    minimum recommended length …"."""
    alg_ids = tuple(alg_ids)
    k = _core.resolve_key(key, _core.secret_possible(alg_ids))
    try:
        return op(k)
    except InvalidKeyError as e:
        if (
            e.status != _ffi.JWTKIT_ERR_KEY_TOO_WEAK
            or type(k) is not _core.Key
            or k.key_kind() != _ffi.JWTKIT_KEY_KIND_HMAC
        ):
            raise
        lenient, length = k.allowing_short_secret()
        short = short_secret_error(e, length, [_ffi.ALG_NAMES[a - 1] for a in alg_ids])
        if enforce_min_length:
            raise short from None
        warnings.warn(str(short), InsecureKeyLengthWarning, stacklevel=stacklevel + 1)
    return op(lenient)


def allowed_algorithms(key: Any, algorithms: Optional[Sequence[str]]) -> Tuple[int, ...]:
    """The allow-list as library numbers. Names jwtkit does not implement (``none``
    included) are dropped; a ``PyJWK`` binds its one algorithm, as in PyJWT. A list
    that names no algorithm jwtkit implements cannot accept any token: refused here
    (the library takes no empty allow-list) as PyJWT refuses a token whose algorithm it
    does not implement, "Algorithm not supported"."""
    if algorithms is None and _is_pyjwk(key):
        algorithms = [key.algorithm_name]
    if not algorithms:
        raise DecodeError(
            'It is required that you pass in a value for the "algorithms" argument when calling decode().'
        )
    if isinstance(algorithms, str):
        algorithms = [algorithms]
    known: List[int] = []
    for name in algorithms:
        alg = _ffi.alg_from_name(name) if isinstance(name, str) else None
        if alg is not None and alg not in known:
            known.append(alg)
    if not known:
        e = InvalidAlgorithmError("Algorithm not supported")
        e.detail = f"none of the algorithms {list(algorithms)!r} is implemented by jwtkit: no token can be accepted"
        raise e
    if not _is_pyjwk(key):
        return tuple(known)
    bound = _ffi.alg_from_name(key.algorithm_name)
    if bound not in known:
        e = InvalidAlgorithmError("The specified alg value is not allowed")
        e.detail = f"the PyJWK is bound to {key.algorithm_name}, which is not among the algorithms {list(algorithms)!r}"
        raise e
    return (bound,)  # type: ignore[return-value]


def key_algorithm_refusal(
    refused: InvalidAlgorithmError, token: bytes, key: Any, algorithms: Optional[Sequence[str]]
) -> Optional[InvalidAlgorithmError]:
    """PyJWT's words, "Token algorithm 'HS256' does not match the key's algorithm
    'HS512'", when a ``PyJWK`` is why a token was refused: its algorithm is one the
    caller allowed (``algorithms``), but not the one the key is bound to (the allow-list
    given to the library is the key's algorithm alone). ``refused`` is the refusal of
    the allow-list (the library's ``ALG_NOT_ALLOWED``/``ALG_UNSUPPORTED``, or
    ``allowed_algorithms``'); the token's ``alg`` is read by the library
    (``jwtkit_jws_decode_unverified``), only to word the error. ``None``: keep
    ``refused``."""
    if (
        not _is_pyjwk(key)
        or type(refused) is not InvalidAlgorithmError
        or refused.status not in (None, _ffi.JWTKIT_ERR_ALG_NOT_ALLOWED, _ffi.JWTKIT_ERR_ALG_UNSUPPORTED)
    ):
        return None
    allowed = [algorithms] if isinstance(algorithms, str) else list(algorithms or ())
    try:
        raw_header, _ = _core.jws_decode_unverified(token)
        alg = json.loads(raw_header).get("alg")
    except (PyJWTError, ValueError):
        return None
    if not isinstance(alg, str) or alg == key.algorithm_name or alg not in allowed:
        return None
    e = InvalidAlgorithmError(f"Token algorithm {alg!r} does not match the key's algorithm {key.algorithm_name!r}")
    e.status, e.status_name, e.detail = refused.status, refused.status_name, refused.detail
    return e


def seconds(value: Union[float, int, timedelta], what: str) -> int:
    """Whole seconds for the library: a number or a ``timedelta``; fractions round up."""
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be a number of seconds or a timedelta")
    if value < 0:
        raise ValueError(f"{what} must not be negative (jwtkit takes whole seconds >= 0)")
    return int(math.ceil(value))


def _texts(value: Any, what: str) -> Tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{what} must be strings, got {type(item).__name__}")
    return items


def detached_bytes(detached_payload: Any) -> bytes:
    """``detached_payload`` as bytes (``str`` as UTF-8)."""
    if isinstance(detached_payload, str):
        return detached_payload.encode("utf-8")
    if isinstance(detached_payload, (bytes, bytearray, memoryview)):
        return bytes(detached_payload)
    raise TypeError(f"detached_payload must be bytes, got {type(detached_payload).__name__}")


def policy(
    alg_ids: Tuple[int, ...],
    options: Dict[str, Any],
    audience: Any = None,
    issuer: Any = None,
    subject: Optional[str] = None,
    leeway: Union[float, timedelta] = 0,
    max_age: Union[None, float, timedelta] = None,
    typ: Optional[str] = None,
    is_revoked: Optional[Callable[[Optional[str], Dict[str, Any]], Any]] = None,
    now: Union[None, int, float, datetime] = None,
    access_token_profile: bool = False,
) -> _core.Validation:
    """The library policy for PyJWT's decode arguments (cached: policies are
    read-only once built). ``access_token_profile``: the library's RFC 9068 profile
    (``jwtkit_validation_set_access_token_profile``), with one ``issuer`` and one
    ``audience``, both strings."""
    disabled = 0
    if not options.get("verify_exp", True):
        disabled |= _ffi.JWTKIT_CHECK_EXP
    if not options.get("verify_nbf", True):
        disabled |= _ffi.JWTKIT_CHECK_NBF
    if not options.get("verify_iat", True):
        disabled |= _ffi.JWTKIT_CHECK_IAT
    if not options.get("verify_aud", True):
        disabled |= _ffi.JWTKIT_CHECK_AUD
    if not options.get("verify_iss", True):
        disabled |= _ffi.JWTKIT_CHECK_ISS
    if not options.get("verify_sub", True):
        disabled |= _ffi.JWTKIT_CHECK_SUB
    if audience is not None and not isinstance(audience, (str, Iterable)):
        raise TypeError("audience must be a string, iterable or None")
    strict = bool(options.get("strict_aud", False))
    audiences, refusal = _audiences(audience, strict)
    if refusal is not None:
        if options.get("verify_aud", True):
            # No token can match: the library checks everything else, requires `aud`,
            # and the call fails with `refusal` once it has (Validation.refusal).
            disabled |= _ffi.JWTKIT_CHECK_AUD
        else:
            refusal = None
    if issuer is None or isinstance(issuer, str):
        issuers = _texts(issuer, "issuers")
    else:
        try:
            issuers = _texts(issuer, "issuers")
        except TypeError:
            raise InvalidIssuerError('Issuer param must be "str" or "Container[str]"') from None
    if subject is not None and not isinstance(subject, str):
        raise TypeError("subject must be a string or None")
    require = _texts(options.get("require") or (), "required claims")
    if refusal is not None and "aud" not in require:
        require = require + ("aud",)
    lw = seconds(leeway, "leeway")
    age = None if max_age is None else seconds(max_age, "max_age")
    at = None if now is None else _unix_seconds(now)
    padded = bool(options.get("allow_padded_base64", False))
    if access_token_profile and not (isinstance(issuer, str) and isinstance(audience, str)):
        raise TypeError("the access token profile (RFC 9068) needs one issuer and one audience, both strings")
    cache_key = (
        alg_ids, disabled, lw, issuers, audiences, strict, refusal, subject, require, typ, age, is_revoked, at, padded,
        access_token_profile,
    )
    cached = _core.VALIDATION_CACHE.get(cache_key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    v = _core.Validation.new(alg_ids)
    if disabled:
        v.disable_checks(disabled)
    if lw:
        v.set_leeway(lw)
    if access_token_profile:
        v.set_access_token_profile(issuer, audience)
    else:
        for i in issuers:
            v.add_issuer(i)
        for a in audiences:
            v.add_audience(a)
    if strict:
        v.set_strict_audience(True)
    if subject is not None:
        v.set_subject(subject)
    for name in require:
        v.require_claim(name)
    if typ is not None:
        v.set_typ(typ)
    if age is not None:
        v.set_max_age(age)
    if is_revoked is not None:
        v.set_revocation_check(is_revoked)
    if at is not None:
        v.set_now(at)
    if padded:
        v.allow_padded_base64(True)
    v.refusal = refusal
    return _core.VALIDATION_CACHE.put(cache_key, v)


def _audiences(audience: Any, strict: bool) -> Tuple[Tuple[str, ...], Optional[str]]:
    """The expected audiences for the library, and PyJWT's message for an ``audience``
    argument that no token can match. PyJWT compares each item of a collection with
    ``in``, so items that are not strings (the bytes of ``b"api"``, numbers) never
    match; with ``strict_aud`` only a single string can match."""
    if audience is None:
        return (), None
    if isinstance(audience, str):
        return (audience,), None
    if strict:
        return (), "Invalid audience (strict)"
    texts = tuple(a for a in audience if isinstance(a, str))
    return texts, (None if texts else "Audience doesn't match")


def _unix_seconds(now: Union[int, float, datetime]) -> int:
    """``now`` for the clock override: a ``datetime`` (naive means UTC) or Unix seconds."""
    if isinstance(now, datetime):
        if now.tzinfo is None:
            now = now.replace(tzinfo=timezone.utc)
        return int(now.timestamp())
    if isinstance(now, bool) or not isinstance(now, (int, float)):
        raise TypeError("now must be a datetime or a number of Unix seconds")
    return int(now)  # type: ignore[no-any-return]


def signature_bytes(token: bytes) -> bytes:
    """The decoded signature segment, for ``decode_complete``'s ``signature``."""
    segment = token.rsplit(b".", 1)[-1]
    try:
        return urlsafe_b64decode(segment + b"=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as e:
        raise DecodeError("Invalid crypto padding") from e


def carried_payload() -> DecodeError:
    """``detached_payload`` given, unverified, for a token that carries a payload."""
    return DecodeError(
        "the token carries its payload: decode it without a detached_payload (a detached payload has an "
        "empty middle segment, as tokens with b64 set to false do)"
    )


def warn_kwargs(kwargs: Dict[str, Any], name: str) -> None:
    if kwargs:
        warnings.warn(
            f"passing additional kwargs to {name}() is deprecated "
            "and will be removed in pyjwt version 3. "
            f"Unsupported kwargs: {tuple(kwargs.keys())}",
            RemovedInPyjwt3Warning,
            stacklevel=3,
        )


class PyJWS:
    """Signs and verifies any payload bytes as a compact JWS (PyJWT's ``PyJWS``)."""

    header_typ = "JWT"

    def __init__(self, algorithms: Optional[Sequence[str]] = None, options: Optional[Dict[str, Any]] = None) -> None:
        self.options: Dict[str, Any] = {"verify_signature": True, "enforce_minimum_key_length": False}
        if options is not None:
            self.options = {**self.options, **options}
        #: Algorithms this instance accepts; ``None`` means all that jwtkit implements.
        self._algorithms = None if algorithms is None else list(algorithms)

    def get_algorithms(self) -> List[str]:
        if self._algorithms is None:
            return list(_ffi.ALG_NAMES)
        return [n for n in self._algorithms if n in _ffi.ALG_NAMES]

    def encode(
        self,
        payload: bytes,
        key: KeyType,
        algorithm: Optional[str] = _ALGORITHM_UNSET,
        headers: Optional[Dict[str, Any]] = None,
        json_encoder: Optional[Type[json.JSONEncoder]] = None,
        is_payload_detached: bool = False,
        sort_headers: bool = True,
    ) -> str:
        """Signs ``payload`` (bytes) and returns the compact JWS. ``typ`` is "JWT"
        unless ``headers`` says otherwise. With ``is_payload_detached`` (or ``headers``
        saying ``"b64": False``) the payload is signed as its own bytes and left out of
        the token (RFC 7797: the header gets ``"b64": false`` and ``b64`` in ``crit``):
        verify it with ``decode(..., detached_payload=payload)``."""
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        _, alg = signing_algorithm(key, algorithm, headers)
        detached = is_detached(headers, is_payload_detached)
        hjson, _ = header_json(headers, json_encoder, sort_headers, self.header_typ, detached)
        enforce = bool(self.options.get("enforce_minimum_key_length", False))
        if detached:
            op = lambda k: _core.sign_detached(k, alg, payload, hjson, jwt=False)  # noqa: E731
        else:
            op = lambda k: _core.sign(k, alg, payload, hjson, jwt=False)  # noqa: E731
        return with_key(key, (alg,), enforce, op, 2)  # type: ignore[no-any-return]

    def decode_complete(
        self,
        jwt: Union[str, bytes],
        key: KeyType = "",
        algorithms: Optional[Sequence[str]] = None,
        options: Optional[Dict[str, Any]] = None,
        detached_payload: Optional[bytes] = None,
        **kwargs: Any,
    ) -> Dict[str, Any]:
        """Verifies the signature; returns ``{"payload": bytes, "header": dict,
        "signature": bytes}``. ``detached_payload``: the content of a token signed with
        its payload detached (``header..signature``), returned as ``payload`` once the
        signature over it is verified."""
        warn_kwargs(kwargs, "decode_complete")
        merged = self.options if options is None else {**self.options, **options}
        token = token_bytes(jwt)
        if not merged.get("verify_signature", True):
            raw_header, payload = _core.jws_decode_unverified(token)
            if detached_payload is not None:
                detached_bytes(detached_payload)
                if payload:
                    raise carried_payload()
                payload = detached_payload
            return {"payload": payload, "header": json.loads(raw_header), "signature": signature_bytes(token)}
        allowed = algorithms if algorithms is not None else self._algorithms
        try:
            alg_ids = allowed_algorithms(key, allowed)
            v = policy(alg_ids, {"allow_padded_base64": merged.get("allow_padded_base64", False)})
            enforce = bool(merged.get("enforce_minimum_key_length", False))
            if detached_payload is not None:
                content = detached_bytes(detached_payload)
                raw_header = with_key(
                    key, alg_ids, enforce, lambda k: _core.verify_detached(token, content, k, v, jwt=False), 2
                )
                payload = detached_payload
            else:
                raw_header, payload = with_key(
                    key, alg_ids, enforce, lambda k: _core.verify(token, k, v, True, jwt=False), 2
                )
        except InvalidAlgorithmError as refused:
            mismatch = key_algorithm_refusal(refused, token, key, allowed)
            if mismatch is None:
                raise
            raise mismatch from None
        return {"payload": payload, "header": json.loads(raw_header), "signature": signature_bytes(token)}

    def decode(
        self,
        jwt: Union[str, bytes],
        key: KeyType = "",
        algorithms: Optional[Sequence[str]] = None,
        options: Optional[Dict[str, Any]] = None,
        detached_payload: Optional[bytes] = None,
        **kwargs: Any,
    ) -> Any:
        """Verifies the signature and returns the payload bytes."""
        warn_kwargs(kwargs, "decode")
        return self.decode_complete(jwt, key, algorithms, options, detached_payload=detached_payload)["payload"]

    def get_unverified_header(self, jwt: Union[str, bytes]) -> Dict[str, Any]:
        """The token's header, NOT verified: for choosing a key, never for trusting. The
        library still applies the header rules of verification (``kid`` a string,
        ``crit`` naming only ``b64``); the payload may be any bytes."""
        raw_header, _ = _core.jws_decode_unverified(token_bytes(jwt))
        return json.loads(raw_header)  # type: ignore[no-any-return]


_jws_global_obj = PyJWS()
get_unverified_header = _jws_global_obj.get_unverified_header


def get_algorithm_by_name(alg_name: str) -> str:
    """PyJWT returns an algorithm object; jwtkit has none to give, so this returns the
    registered name when jwtkit implements it and raises ``NotImplementedError``
    otherwise."""
    alg = _ffi.alg_from_name(alg_name)
    if alg is None:
        raise NotImplementedError("Algorithm not supported")
    return _ffi.ALG_NAMES[alg - 1]
