"""PyJWT's ``encode``, ``decode``, ``decode_complete`` and the ``PyJWT`` class, over
libjwtkit. Signing, parsing, verification and every claim check happen in the
library; this module converts PyJWT's arguments (``datetime`` claims, ``timedelta``
leeway, ``options``) and the library's results (JSON text to ``dict``).
"""

from __future__ import annotations

import json
import warnings
from calendar import timegm
from datetime import datetime, timedelta
from typing import Any, Callable, Container, Dict, Iterable, Optional, Sequence, Type, Union

from . import _core, _ffi
from .api_jws import (
    _ALGORITHM_UNSET,
    KeyType,
    allowed_algorithms,
    detached_bytes,
    header_json,
    is_detached,
    key_algorithm_refusal,
    policy,
    signature_bytes,
    signing_algorithm,
    token_bytes,
    carried_payload,
    warn_kwargs,
    with_key,
)
from .exceptions import InvalidAlgorithmError, InvalidKeyError

_DEFAULT_OPTIONS: Dict[str, Any] = {
    "verify_signature": True,
    "verify_exp": True,
    "verify_nbf": True,
    "verify_iat": True,
    "verify_aud": True,
    "verify_iss": True,
    "verify_sub": True,
    "verify_jti": True,
    "require": [],
    "strict_aud": False,
    "enforce_minimum_key_length": False,
}

_VERIFY_OPTIONS = ("verify_exp", "verify_nbf", "verify_iat", "verify_aud", "verify_iss", "verify_sub", "verify_jti")

_json_dumps = json.dumps
# allow_nan=False: NaN and Infinity are not JSON (RFC 8259); the library refuses them.
_COMPACT = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
_compact_json = _COMPACT.encode
_decode_json = json.JSONDecoder().decode


def _json_loads(raw: bytes) -> Any:
    return _decode_json(raw.decode("utf-8"))


#: Most plans a PyJWT instance keeps (the table is emptied when full).
_PLANS_MAX = 256


class PyJWT:
    """PyJWT's ``PyJWT``: ``encode``/``decode``/``decode_complete`` with default
    ``options`` fixed at construction."""

    def __init__(self, options: Optional[Dict[str, Any]] = None) -> None:
        self.options: Dict[str, Any] = dict(_DEFAULT_OPTIONS)
        if options is not None:
            self.options = self._merge_options(options)
        # Plans for repeated calls with the same key and arguments: the library key and
        # policy (encode: key and algorithm), found with one dictionary look-up.
        self._decode_plans: Dict[Any, Any] = {}
        self._encode_plans: Dict[Any, Any] = {}
        self._fast = bool(self.options["verify_signature"])

    def _merge_options(self, options: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        if options is None:
            return self.options
        merged = dict(options)
        if not merged.get("verify_signature", True):
            for name in _VERIFY_OPTIONS:
                merged.setdefault(name, False)
        return {**self.options, **merged}

    def encode(
        self,
        payload: Dict[str, Any],
        key: KeyType,
        algorithm: Optional[str] = _ALGORITHM_UNSET,
        headers: Optional[Dict[str, Any]] = None,
        json_encoder: Optional[Type[json.JSONEncoder]] = None,
        sort_headers: bool = True,
        *,
        is_payload_detached: bool = False,
    ) -> str:
        """Signs ``payload`` (a ``dict``) and returns the token as ``str``.

        ``datetime`` values of ``exp``, ``iat`` and ``nbf`` become NumericDates (naive
        ones are taken as UTC). ``key``: an HMAC secret (``str``/``bytes``), a PEM
        private key, a ``PyJWK``, a JWK ``dict`` or a ``cryptography`` private key.
        ``headers`` adds header members; its ``alg`` wins over ``algorithm``, and a
        falsy ``typ`` leaves ``typ`` out. Header members are always sorted.
        ``headers={"b64": False}`` (as in PyJWT) or ``is_payload_detached=True`` (a
        jwtkit keyword) signs the claims JSON unencoded and detached (RFC 7797): the
        token is ``header..signature``; verify it with ``decode(..., detached_payload=)``
        given the same JSON bytes (``json.dumps(payload, separators=(",", ":"))``).
        """
        if not isinstance(payload, dict):
            raise TypeError("Expecting a dict object, as JWT only supports JSON objects as payloads.")
        copied = False
        for claim in ("exp", "iat", "nbf"):
            value = payload.get(claim)
            if isinstance(value, datetime):
                if not copied:
                    payload, copied = dict(payload), True
                payload[claim] = timegm(value.utctimetuple())
        if "iss" in payload and not isinstance(payload["iss"], str):
            raise TypeError("Issuer (iss) must be a string.")
        if json_encoder is None:
            claims = _compact_json(payload).encode("utf-8")
        else:
            claims = _json_dumps(payload, separators=(",", ":"), cls=json_encoder, allow_nan=False).encode("utf-8")
        if headers is None and not is_payload_detached and (type(key) is str or type(key) is bytes):
            plan_key = (key, algorithm)
            plans = self._encode_plans
            plan = plans.get(plan_key)
            if plan is None:
                _, alg = signing_algorithm(key, algorithm, None)
                plan = (_core.resolve_key(key, alg in _ffi.HMAC_ALGS), alg)
                if len(plans) >= _PLANS_MAX:
                    plans.clear()
                plans[plan_key] = plan
            try:
                return _core.sign(plan[0], plan[1], claims, None)
            except InvalidKeyError as e:
                if e.status != _ffi.JWTKIT_ERR_KEY_TOO_WEAK:
                    raise  # a short secret takes the path below, which warns
        _, alg = signing_algorithm(key, algorithm, headers)
        detached = is_detached(headers, is_payload_detached)
        hjson, no_typ = header_json(headers, json_encoder, sort_headers, None, detached)
        enforce = bool(self.options.get("enforce_minimum_key_length", False))
        jwt = not no_typ  # jwtkit_sign adds typ "JWT"; without typ, sign the JSON as a JWS
        if detached:
            op = lambda k: _core.sign_detached(k, alg, claims, hjson, jwt)  # noqa: E731
        else:
            op = lambda k: _core.sign(k, alg, claims, hjson, jwt)  # noqa: E731
        return with_key(key, (alg,), enforce, op, 2)  # type: ignore[no-any-return]

    def _decode(
        self,
        jwt: Union[str, bytes],
        key: KeyType,
        algorithms: Optional[Sequence[str]],
        options: Optional[Dict[str, Any]],
        verify: Optional[bool],
        detached_payload: Optional[bytes],
        audience: Union[None, str, Iterable[str]],
        issuer: Union[None, str, Container[str]],
        subject: Optional[str],
        leeway: Union[float, timedelta],
        complete: bool,
        max_age: Union[None, float, timedelta],
        typ: Optional[str],
        is_revoked: Optional[Callable[[Optional[str], Dict[str, Any]], Any]],
        now: Union[None, int, float, datetime] = None,
    ) -> Dict[str, Any]:
        token = jwt.encode("utf-8") if type(jwt) is str else token_bytes(jwt)
        if (
            options is None
            and self._fast
            and (type(key) is str or type(key) is bytes)
            and (type(algorithms) is list or type(algorithms) is tuple)
            and (audience is None or type(audience) is str)
            and (issuer is None or type(issuer) is str)
            and verify is None
            and detached_payload is None
            and is_revoked is None
            and now is None
        ):
            # The common call, repeated: one look-up finds the parsed key and policy.
            plan_key = (key, tuple(algorithms), audience, issuer, subject, leeway, max_age, typ)
            plans = self._decode_plans
            plan = plans.get(plan_key)
            if plan is None:
                alg_ids = allowed_algorithms(key, algorithms)
                v = policy(alg_ids, self.options, audience, issuer, subject, leeway, max_age, typ)
                # A policy with a refusal (an audience no token matches) takes the general path.
                plan = (_core.resolve_key(key, _core.secret_possible(alg_ids)), v, v.refusal is None)
                if len(plans) >= _PLANS_MAX:
                    plans.clear()
                plans[plan_key] = plan
            if plan[2]:
                try:
                    if not complete:
                        return _json_loads(_core.verify_claims(token, plan[0], plan[1]))  # type: ignore[no-any-return]
                    raw_header, raw_claims = _core.verify(token, plan[0], plan[1], True)
                    return {
                        "header": _json_loads(raw_header),  # type: ignore[arg-type]
                        "payload": _json_loads(raw_claims),
                        "signature": signature_bytes(token),
                    }
                except InvalidKeyError as e:
                    if e.status != _ffi.JWTKIT_ERR_KEY_TOO_WEAK:
                        raise  # a short secret takes the general path below, which warns
                    plans[plan_key] = (plan[0], plan[1], False)  # and keeps taking it
        verify_signature = True if options is None else options.get("verify_signature", True)
        if verify is not None and verify != verify_signature:
            warnings.warn(
                "The `verify` argument to `decode` does nothing in PyJWT 2.0 and newer. "
                "The equivalent is setting `verify_signature` to False in the `options` dictionary. "
                "This invocation has a mismatch between the kwarg and the option entry.",
                category=DeprecationWarning,
                stacklevel=4,
            )
        merged = self.options if options is None else self._merge_options(options)
        if not merged["verify_signature"]:
            # The signature is not verified. The claim checks the options still ask for
            # (PyJWT: a verify_* option set to True, `require`) run in the library.
            if detached_payload is None:
                raw_header, raw_claims = _core.decode_unverified(token)
                asked = _claim_checks_asked(merged) or max_age is not None or typ is not None or is_revoked is not None
            else:
                raw_header, carried = _core.jws_decode_unverified(token)
                if carried:
                    raise carried_payload()
                raw_claims = detached_bytes(detached_payload)
                asked = True  # the library reads the claims (one JSON object), even with no check asked
            header = _json_loads(raw_header)
            if asked:
                v = policy(_ANY_ALGORITHM, merged, audience, issuer, subject, leeway, max_age, typ, is_revoked, now)
                header_typ = header.get("typ")
                _core.check_claims(v, raw_claims, header_typ if isinstance(header_typ, str) else None)
            payload = _json_loads(raw_claims)
            if not complete:
                return payload  # type: ignore[no-any-return]
            return {"header": header, "payload": payload, "signature": signature_bytes(token)}
        enforce = bool(merged.get("enforce_minimum_key_length", False))
        try:
            alg_ids = allowed_algorithms(key, algorithms)
            v = policy(alg_ids, merged, audience, issuer, subject, leeway, max_age, typ, is_revoked, now)
            if detached_payload is not None:
                # The claims travel apart (RFC 7797): the library verifies the signature
                # over them, then checks them as it checks attached claims.
                content = detached_bytes(detached_payload)
                raw_header = with_key(key, alg_ids, enforce, lambda k: _core.verify_detached(token, content, k, v), 3)
                raw_claims = content
            else:
                raw_header, raw_claims = with_key(
                    key, alg_ids, enforce, lambda k: _core.verify(token, k, v, complete), 3
                )
        except InvalidAlgorithmError as refused:
            mismatch = key_algorithm_refusal(refused, token, key, algorithms)
            if mismatch is None:
                raise
            raise mismatch from None
        payload = _json_loads(raw_claims)
        if not complete:
            return payload  # type: ignore[no-any-return]
        return {"header": _json_loads(raw_header), "payload": payload, "signature": signature_bytes(token)}

    def decode_complete(
        self,
        jwt: Union[str, bytes],
        key: KeyType = "",
        algorithms: Optional[Sequence[str]] = None,
        options: Optional[Dict[str, Any]] = None,
        verify: Optional[bool] = None,
        detached_payload: Optional[bytes] = None,
        audience: Union[None, str, Iterable[str]] = None,
        issuer: Union[None, str, Container[str]] = None,
        subject: Optional[str] = None,
        leeway: Union[float, timedelta] = 0,
        *,
        max_age: Union[None, float, timedelta] = None,
        typ: Optional[str] = None,
        is_revoked: Optional[Callable[[Optional[str], Dict[str, Any]], Any]] = None,
        now: Union[None, int, float, datetime] = None,
        **kwargs: Any,
    ) -> Dict[str, Any]:
        """As ``decode``, but returns ``{"header": dict, "payload": dict,
        "signature": bytes}``."""
        warn_kwargs(kwargs, "decode_complete")
        return self._decode(
            jwt, key, algorithms, options, verify, detached_payload, audience, issuer, subject, leeway,
            True, max_age, typ, is_revoked, now,
        )

    def decode(
        self,
        jwt: Union[str, bytes],
        key: KeyType = "",
        algorithms: Optional[Sequence[str]] = None,
        options: Optional[Dict[str, Any]] = None,
        verify: Optional[bool] = None,
        detached_payload: Optional[bytes] = None,
        audience: Union[None, str, Iterable[str]] = None,
        subject: Optional[str] = None,
        issuer: Union[None, str, Container[str]] = None,
        leeway: Union[float, timedelta] = 0,
        *,
        max_age: Union[None, float, timedelta] = None,
        typ: Optional[str] = None,
        is_revoked: Optional[Callable[[Optional[str], Dict[str, Any]], Any]] = None,
        now: Union[None, int, float, datetime] = None,
        **kwargs: Any,
    ) -> Dict[str, Any]:
        """Verifies ``jwt`` and returns its claims.

        ``algorithms`` is the allow-list (required, unless ``key`` is a ``PyJWK``).
        ``options``: ``verify_signature`` (False: decode WITHOUT any check),
        ``verify_exp``/``_nbf``/``_iat``/``_aud``/``_iss``/``_sub``, ``require`` (claim
        names), ``strict_aud``, ``enforce_minimum_key_length``, ``allow_padded_base64``
        (jwtkit: accept base64 ``=`` padding, as AWS ALB writes it). ``audience``,
        ``issuer`` (a string or a collection), ``subject``; ``leeway`` in seconds or a
        ``timedelta``. jwtkit extensions (keyword-only): ``max_age`` (refuse tokens whose
        ``iat`` is older), ``typ`` (required header ``typ``), ``is_revoked(jti, claims)``,
        ``now`` (a ``datetime`` or Unix seconds used instead of the clock: tests, replays).
        ``detached_payload``: the claims JSON of a token signed with its payload detached
        (``header..signature``, RFC 7797), verified and checked as attached claims are.
        """
        if (
            # The common repeated call, answered from a plan without the general path.
            options is None
            and not kwargs
            and type(jwt) is str
            and (type(key) is str or type(key) is bytes)
            and type(algorithms) is list
            and audience is None
            and issuer is None
            and subject is None
            and verify is None
            and detached_payload is None
            and is_revoked is None
            and now is None
            and self._fast
        ):
            plan = self._decode_plans.get((key, tuple(algorithms), None, None, None, leeway, max_age, typ))
            if plan is not None and plan[2]:
                return _json_loads(_core.verify_claims(jwt.encode("utf-8"), plan[0], plan[1]))  # type: ignore[no-any-return]
        warn_kwargs(kwargs, "decode")
        return self._decode(
            jwt, key, algorithms, options, verify, detached_payload, audience, issuer, subject, leeway,
            False, max_age, typ, is_revoked, now,
        )


#: The policy of claim checks without a signature needs an algorithm list; none is used.
_ANY_ALGORITHM = (_ffi.JWTKIT_ALG_HS256,)


def _claim_checks_asked(options: Dict[str, Any]) -> bool:
    """Whether ``options`` (merged, with ``verify_signature`` False) ask for a claim
    check: PyJWT still checks ``require``, and each ``verify_*`` set to True."""
    return bool(options.get("require")) or any(options.get(name) for name in _VERIFY_OPTIONS)


def decode_access_token(
    jwt: Union[str, bytes],
    key: KeyType,
    algorithms: Sequence[str],
    *,
    issuer: str,
    audience: str,
    leeway: Union[float, timedelta] = 0,
    options: Optional[Dict[str, Any]] = None,
    now: Union[None, int, float, datetime] = None,
) -> Dict[str, Any]:
    """Verifies an OAuth 2.0 access token under the JWT profile of RFC 9068 and returns
    its claims: the library requires ``typ`` ``at+jwt`` (or ``application/at+jwt``),
    ``iss`` equal to ``issuer``, ``aud`` containing ``audience``, and the claims ``iss``,
    ``exp``, ``aud``, ``sub``, ``client_id``, ``iat`` and ``jti``. ``leeway``, ``options``
    (PyJWT's, e.g. ``require`` for more claims) and ``now`` as for :func:`decode`. A
    jwtkit extension (PyJWT has no such call)."""
    token = jwt.encode("utf-8") if type(jwt) is str else token_bytes(jwt)
    merged = _jwt_global_obj._merge_options(options)
    if not merged["verify_signature"]:
        raise TypeError("decode_access_token always verifies the signature (options verify_signature=False)")
    alg_ids = allowed_algorithms(key, algorithms)
    v = policy(alg_ids, merged, audience, issuer, None, leeway, None, None, None, now, access_token_profile=True)
    _, raw_claims = with_key(
        key,
        alg_ids,
        bool(merged.get("enforce_minimum_key_length", False)),
        lambda k: _core.verify(token, k, v, False),
        2,
    )
    return _json_loads(raw_claims)  # type: ignore[no-any-return]


_jwt_global_obj = PyJWT()
encode = _jwt_global_obj.encode
decode_complete = _jwt_global_obj.decode_complete
decode = _jwt_global_obj.decode
