"""JWS JSON serialization (RFC 7515 §7.2), general and flattened: a payload signed by
several keys, each signature with its own protected header and an optional unprotected
one. A thin layer over the library's ``jwtkit_jws_json_*`` functions: parsing, signing,
every check and the rules happen in the library, the same code C and C++ call.

Signing::

    from jwtkit import jws_json

    token = jws_json.sign(b"payload", [
        jws_json.Signer(rsa_private_pem, "RS256", header={"kid": "rsa-1"}),
        jws_json.Signer(ec_private_jwk, "ES256"),
    ])                                     # general form: {"payload":..., "signatures":[...]}

Verifying::

    result = jws_json.verify(token, [rsa_public_pem, ec_public_jwk], algorithms=["RS256", "ES256"],
                             rule="all")
    result.payload                          # bytes
    for s in result.signatures:             # every signature, in token order
        s.verified, s.algorithm, s.kid, s.key_index, s.error

Rules: ``"any"`` passes when at least one signature verified with one of ``keys``; the
others are still reported, failed, in ``result.signatures`` (a forged signature beside
a valid one is visible, never dropped: check ``result.all_verified`` or each
``signature.verified`` if it matters to you). ``"all"`` passes only when every signature
verified and every key in ``keys`` verified at least one. A refused token raises the
PyJWT exception of the first failed signature (its ``status_name`` and ``detail`` name
it: ``signatures[1]: ...``).

Only the protected header may carry ``alg``, ``crit`` and ``b64``; a member in both the
protected and the unprotected header is refused (``InvalidTokenError`` with
``status_name == "JWTKIT_ERR_HEADER_INVALID"``). ``none`` is never accepted, and the
``algorithms`` allow-list applies to every signature.
"""

from __future__ import annotations

import json
from ctypes import byref, c_int32, c_int64, c_size_t, c_void_p
from dataclasses import dataclass, field
from typing import Any, Dict, List, Literal, Optional, Sequence, Tuple, Union

from . import _core, _ffi
from ._ffi import lib
from ._status import exception_for, raise_for
from .api_jwk import PyJWKSet
from .api_jws import policy
from .exceptions import InvalidAlgorithmError, PyJWTError

Text = Union[str, bytes]
#: Which signatures must verify: see the module documentation.
RuleName = Literal["any", "all"]

_RULES = {"any": _ffi.JWTKIT_JWS_JSON_RULE_ANY, "all": _ffi.JWTKIT_JWS_JSON_RULE_ALL}


@dataclass(frozen=True)
class Signer:
    """One signer: ``key`` (anything ``jwtkit.encode`` accepts: PEM, JWK dict, PyJWK,
    ``cryptography`` key, HMAC secret), ``algorithm`` (its protected header's ``alg``),
    ``protected`` (more members for the protected header; the key's ``kid`` is added
    unless either header has one) and ``header`` (the unprotected header, e.g.
    ``{"kid": "k1"}``: never ``alg``, ``crit``, ``b64``, nor a protected member)."""

    key: Any
    algorithm: str
    protected: Optional[Dict[str, Any]] = None
    header: Optional[Dict[str, Any]] = None


@dataclass(frozen=True)
class SignatureResult:
    """The outcome of one signature: ``index`` in the token, ``verified``, the
    protected header's ``algorithm`` (``None`` when it could not be read), ``kid`` (for a
    verified signature the verifying key's own or the protected header's, never an
    unprotected one, which anyone can change; otherwise the one it names), ``key_index`` (position in the caller's ``keys`` of the
    key that verified it), the protected ``header`` as a dict, and for a failed one
    ``error``: the exception it would raise alone (``status_name``, ``detail``)."""

    index: int
    verified: bool
    algorithm: Optional[str]
    kid: Optional[str]
    key_index: Optional[int]
    header: Dict[str, Any]
    error: Optional[PyJWTError] = None


@dataclass(frozen=True)
class VerifiedJWS:
    """A JWS JSON serialization that passed its rule: the ``payload`` bytes and every
    signature's outcome; ``claims`` for :func:`verify_jwt`."""

    payload: bytes
    signatures: List[SignatureResult]
    claims: Optional[Dict[str, Any]] = field(default=None)

    @property
    def all_verified(self) -> bool:
        """Whether every signature verified (always true under rule ``"all"``)."""
        return all(s.verified for s in self.signatures)


def _bytes(value: Any, what: str) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} must be str or bytes, got {type(value).__name__}")


def _json(value: Optional[Dict[str, Any]], what: str) -> Optional[bytes]:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise TypeError(f"{what} must be a dict, got {type(value).__name__}")
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def _alg(name: str) -> int:
    alg = _ffi.alg_from_name(name)
    if alg is None:
        e = InvalidAlgorithmError("Algorithm not supported")
        e.detail = f"{name!r} is not an algorithm jwtkit implements"
        raise e
    return alg


def _call(fn: Any, *args: Any) -> None:
    err = c_void_p()
    status = fn(*args, byref(err))
    if status:
        raise_for(status, err)


def sign(
    payload: Text,
    keys: Sequence[Union[Signer, Tuple[Any, str]]],
    *,
    general: bool = False,
    detached: bool = False,
    b64: bool = True,
) -> str:
    """Signs ``payload`` once per signer (a :class:`Signer` or ``(key, algorithm)``),
    in order, as a JWS JSON serialization: flattened for one signer unless
    ``general``, general for several. ``detached``: no ``payload`` member (send it
    apart). ``b64=False``: RFC 7797, the payload signed as its own bytes (``"b64":
    false`` and ``crit`` written for you; an attached payload must then be UTF-8)."""
    raw = _bytes(payload, "payload")
    signers = [k if isinstance(k, Signer) else Signer(*k) for k in keys]
    out = c_void_p()
    _call(lib.jwtkit_jws_json_signers_new, byref(out))
    handle = out.value
    try:
        for s in signers:
            alg = _alg(s.algorithm)
            key = _core.resolve_key(s.key, alg in _ffi.HMAC_ALGS)
            protected = _json(s.protected, "protected")
            header = _json(s.header, "header")
            _call(
                lib.jwtkit_jws_json_signers_add, handle, key.ptr(), alg, protected,
                len(protected or b""), header, len(header or b""),
            )
        flags = (
            (_ffi.JWTKIT_JWS_JSON_GENERAL if general else 0)
            | (_ffi.JWTKIT_JWS_JSON_DETACHED if detached else 0)
            | (0 if b64 else _ffi.JWTKIT_JWS_UNENCODED)
        )
        text, text_len = c_void_p(), c_size_t()
        _call(lib.jwtkit_jws_json_sign, handle, raw, len(raw), flags, byref(text), byref(text_len))
        return _ffi.take_string(text, text_len).decode("utf-8")
    finally:
        lib.jwtkit_jws_json_signers_free(handle)


def verify(
    token: Union[Text, Dict[str, Any]],
    keys: Sequence[Any],
    algorithms: Sequence[str],
    rule: RuleName = "any",
    detached_payload: Optional[Text] = None,
) -> VerifiedJWS:
    """Verifies a JWS JSON serialization (``str``, ``bytes`` or an already parsed
    ``dict``) with ``keys`` (each anything ``jwtkit.decode`` accepts, or a
    ``PyJWKSet``), ``algorithms`` the allow-list for every signature, under ``rule``
    (``"any"`` or ``"all"``, see the module documentation). ``detached_payload``: the
    content of a token without a ``payload`` member. No claim is checked."""
    return _verify(token, keys, algorithms, rule, detached_payload, None, False)


def verify_jwt(
    token: Union[Text, Dict[str, Any]],
    keys: Sequence[Any],
    algorithms: Sequence[str],
    rule: RuleName = "any",
    detached_payload: Optional[Text] = None,
    *,
    audience: Any = None,
    issuer: Any = None,
    leeway: float = 0,
    options: Optional[Dict[str, Any]] = None,
) -> VerifiedJWS:
    """As :func:`verify`, for a JWT: once the rule passed, the library checks the
    payload as claims exactly as ``jwtkit.decode`` does (``exp``, ``nbf``, ``iat``,
    ``audience``, ``issuer``, ``leeway``, PyJWT's ``options``); ``.claims`` holds them."""
    merged = {"verify_signature": True, **(options or {})}
    if not merged["verify_signature"]:
        raise ValueError("jws_json.verify_jwt always verifies the signatures")
    ids = tuple(_alg(a) for a in _names(algorithms))
    validation = policy(ids, merged, audience, issuer, None, leeway)
    return _verify(token, keys, algorithms, rule, detached_payload, validation, True)


def _names(algorithms: Sequence[str]) -> Sequence[str]:
    if isinstance(algorithms, str) or not algorithms:
        raise TypeError("algorithms must be a non-empty list of names, e.g. ['ES256']")
    return algorithms


def _verify(
    token: Union[Text, Dict[str, Any]],
    keys: Sequence[Any],
    algorithms: Sequence[str],
    rule: RuleName,
    detached_payload: Optional[Text],
    validation: Optional[_core.Validation],
    jwt: bool,
) -> VerifiedJWS:
    raw = json.dumps(token, separators=(",", ":")).encode("utf-8") if isinstance(token, dict) else _bytes(token, "token")
    if rule not in _RULES:
        raise ValueError(f"rule must be 'any' or 'all', got {rule!r}")
    ids = tuple(_alg(a) for a in _names(algorithms))
    if validation is None:
        validation = policy(ids, {})
    key_list = list(keys.keys if isinstance(keys, PyJWKSet) else keys)
    if not key_list:
        raise TypeError("keys must list at least one key")
    secret_ok = _core.secret_possible(ids)
    resolved = [_core.resolve_key(k, secret_ok) for k in key_list]
    if any(not isinstance(k, _core.Key) for k in resolved):
        raise TypeError("keys must be keys, not key sets: pass a PyJWKSet itself, or its keys")
    arr = (c_void_p * len(resolved))(*[k.ptr() for k in resolved])
    content = None if detached_payload is None else _bytes(detached_payload, "detached_payload")
    out, err = c_void_p(), c_void_p()
    fn = lib.jwtkit_jws_json_verify_jwt if jwt else lib.jwtkit_jws_json_verify
    status = fn(
        raw, len(raw), content, 0 if content is None else len(content), arr, len(resolved), validation.ptr(),
        _RULES[rule], byref(out), byref(err),
    )
    if status:
        raise_for(status, err)
    try:
        result = _read(out.value)  # type: ignore[arg-type]
    finally:
        lib.jwtkit_jws_json_free(out.value)
    if jwt:
        return VerifiedJWS(result.payload, result.signatures, json.loads(result.payload))
    return result


def _text(fn: Any, *args: Any) -> Optional[bytes]:
    out, out_len, err = c_void_p(), c_size_t(), c_void_p()
    status = fn(*args, byref(out), byref(out_len), byref(err))
    if status:
        raise_for(status, err)
    return None if not out.value else _ffi.take_string(out, out_len)


def _read(handle: int) -> VerifiedJWS:
    payload = _text(lib.jwtkit_jws_json_payload, handle) or b""
    signatures = []
    for i in range(lib.jwtkit_jws_json_count(handle)):
        status, alg, key_index = c_int32(), c_int32(), c_int64()
        message = _text(lib.jwtkit_jws_json_signature, handle, i, byref(status), byref(alg), byref(key_index))
        kid = _text(lib.jwtkit_jws_json_signature_kid, handle, i)
        header = _text(lib.jwtkit_jws_json_signature_header, handle, i)
        error = None
        if status.value != _ffi.JWTKIT_OK:
            error = exception_for(status.value, (message or b"").decode("utf-8", "replace"))
        signatures.append(
            SignatureResult(
                index=i,
                verified=status.value == _ffi.JWTKIT_OK,
                algorithm=_ffi.ALG_NAMES[alg.value - 1] if alg.value > 0 else None,
                kid=None if kid is None else kid.decode("utf-8", "surrogatepass"),
                key_index=None if key_index.value < 0 else key_index.value,
                header=json.loads(header) if header else {},
                error=error,
            )
        )
    return VerifiedJWS(payload, signatures)


__all__ = ["Signer", "SignatureResult", "VerifiedJWS", "sign", "verify", "verify_jwt"]
