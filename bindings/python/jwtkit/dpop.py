"""DPoP (RFC 9449): proofs of possession, so that a stolen access token is useless
without its key. A thin layer over the library's ``jwtkit_dpop_*`` functions: every
check happens in the library, the same code C and C++ call.

Server side::

    from jwtkit import dpop

    policy = dpop.DPoPPolicy(["ES256", "EdDSA"], replay_check=store.check_and_record)
    proof = dpop.verify_proof(request.headers["DPoP"], method="GET", uri=request.url,
                              access_token=token, policy=policy)   # -> proof.jkt, jti, iat
    claims = dpop.decode_token(token, issuer_key, algorithms=["ES256"], proof=proof)

A Bearer request passes ``proof=None`` to :func:`decode_token`, which then refuses a
token bound to a key (``DPoPBoundTokenAsBearerError``).

Client side::

    proof = dpop.create_proof(private_key, algorithm="ES256", method="POST",
                              uri="https://login.example/token")

Failures: a refused proof is an :class:`~jwtkit.exceptions.InvalidDPoPProofError`
(answer ``invalid_dpop_proof``) whose ``status_name`` names the check, a
:class:`~jwtkit.exceptions.UseDPoPNonceError` when a nonce is expected (answer
``use_dpop_nonce``), a :class:`~jwtkit.exceptions.DPoPReplayCheckError` when the replay
store failed; a token not bound to the proof's key is a
:class:`~jwtkit.exceptions.DPoPBindingError` (answer ``invalid_token``).
"""

from __future__ import annotations

import json
import threading
from ctypes import byref, c_int32, c_int64, c_size_t, c_void_p
from typing import Any, Callable, Dict, Optional, Sequence, Union

from . import _core, _ffi
from ._ffi import lib
from ._status import exception_for, proof_exception_for
from .api_jwt import decode_complete
from .exceptions import InvalidAlgorithmError, InvalidKeyTypeError

#: ``replay_check(jkt, jti, expires_at) -> bool``: True when ``jti`` was already seen for
#: the key ``jkt``; otherwise records it until ``expires_at`` (Unix seconds) and returns
#: False. Called only for a proof that passed every other check.
ReplayCheck = Callable[[str, str, int], bool]

Text = Union[str, bytes]


def _bytes(value: Text, what: str) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} must be str or bytes, got {type(value).__name__}")


def _optional(value: Optional[Text], what: str) -> Optional[bytes]:
    return None if value is None else _bytes(value, what)


def _alg_ids(algorithms: Sequence[str]) -> "list[int]":
    if isinstance(algorithms, str):
        raise TypeError("algorithms must be a list of names, e.g. ['ES256']")
    ids = []
    for name in algorithms:
        alg = _ffi.alg_from_name(name)
        if alg is None:
            e = InvalidAlgorithmError("Algorithm not supported")
            e.detail = f"{name!r} is not an algorithm jwtkit implements"
            raise e
        ids.append(alg)
    return ids


def _raise(status: int, err: c_void_p, proof: bool, cause: Optional[BaseException] = None) -> None:
    status, detail, claim = _ffi.take_error(err, status)
    exc = proof_exception_for(status, detail, claim) if proof else exception_for(status, detail, claim)
    if cause is not None:
        raise exc from cause
    raise exc


class _ReplayTrampoline:
    """Calls the Python replay check from the library; an exception (which must not
    unwind into C) is kept for the verifying thread and answers "unavailable"."""

    def __init__(self, check: ReplayCheck) -> None:
        self.check = check
        self.local = threading.local()

    def __call__(self, _ctx: Any, jkt: Any, jkt_len: int, jti: Any, jti_len: int, expires_at: int) -> int:
        try:
            seen = self.check(
                _ffi._string_at(jkt, jkt_len).decode("ascii"),
                _ffi._string_at(jti, jti_len).decode("utf-8"),
                int(expires_at),
            )
            return _ffi.JWTKIT_DPOP_JTI_SEEN if seen else _ffi.JWTKIT_DPOP_JTI_FIRST
        except BaseException as e:  # noqa: BLE001 - must not unwind into the library
            self.local.error = e
            return _ffi.JWTKIT_DPOP_JTI_UNAVAILABLE

    def take_error(self) -> Optional[BaseException]:
        e = getattr(self.local, "error", None)
        self.local.error = None
        return e


class DPoPPolicy(_core.Handle):
    """What a DPoP verifier accepts (``jwtkit_dpop_policy``): the asymmetric algorithms
    a proof may use (never HMAC), the ``iat`` window (``max_age`` seconds old, ``leeway``
    seconds ahead), the longest proof, the replay check and, for tests, a fixed ``now``.
    Configured once, then shared read-only by any number of threads."""

    __slots__ = ("_replay",)
    _free = staticmethod(lib.jwtkit_dpop_policy_free)

    def __init__(
        self,
        algorithms: Sequence[str],
        *,
        max_age: int = 300,
        leeway: int = 30,
        max_proof_length: Optional[int] = None,
        replay_check: Optional[ReplayCheck] = None,
        now: Optional[int] = None,
    ) -> None:
        ids = _alg_ids(algorithms)
        arr = (c_int32 * max(len(ids), 1))(*ids)
        out, err = c_void_p(), c_void_p()
        status = lib.jwtkit_dpop_policy_new(arr, len(ids), byref(out), byref(err))
        if status:
            _raise(status, err, False)
        super().__init__(out.value)  # type: ignore[arg-type]
        self._replay: Any = None
        self._call(lib.jwtkit_dpop_policy_set_iat_window, int(max_age), int(leeway))
        if max_proof_length is not None:
            self._call(lib.jwtkit_dpop_policy_set_max_proof_len, int(max_proof_length))
        if now is not None:
            self._call(lib.jwtkit_dpop_policy_set_now, int(now))
        if replay_check is not None:
            trampoline = _ReplayTrampoline(replay_check)
            fn = _ffi.DPOP_REPLAY_FN(trampoline)
            self._call(lib.jwtkit_dpop_policy_set_replay_check, fn, None)
            self._replay = (fn, trampoline)  # the C callback lives as long as the policy

    def _call(self, fn: Callable[..., int], *args: Any) -> None:
        err = c_void_p()
        status = fn(self.ptr(), *args, byref(err))
        if status:
            _raise(status, err, False)

    def _replay_error(self) -> Optional[BaseException]:
        return None if self._replay is None else self._replay[1].take_error()


class DPoPProof(_core.Handle):
    """A DPoP proof that passed every check (``jwtkit_dpop_proof``): ``jkt`` (the RFC 7638
    thumbprint of its key: what a bound token carries as ``cnf.jkt``), ``jti``, ``iat``
    and ``claims``. Pass it to :func:`decode_token` to check the token's binding."""

    __slots__ = ("jkt", "jti", "iat", "claims")
    _free = staticmethod(lib.jwtkit_dpop_proof_free)

    def __init__(self, ptr: int) -> None:
        super().__init__(ptr)
        self.jkt: str = self._text(lib.jwtkit_dpop_proof_jkt).decode("ascii")
        self.jti: str = self._text(lib.jwtkit_dpop_proof_jti).decode("utf-8")
        self.claims: Dict[str, Any] = json.loads(self._text(lib.jwtkit_dpop_proof_claims))
        iat, err = c_int64(), c_void_p()
        status = lib.jwtkit_dpop_proof_iat(self.ptr(), byref(iat), byref(err))
        if status:
            _raise(status, err, False)
        self.iat: int = iat.value

    def _text(self, fn: Callable[..., int]) -> bytes:
        out, out_len, err = c_void_p(), c_size_t(), c_void_p()
        status = fn(self.ptr(), byref(out), byref(out_len), byref(err))
        if status:
            _raise(status, err, False)
        return _ffi.take_string(out, out_len)

    def __repr__(self) -> str:
        return f"<DPoPProof jkt={self.jkt!r} jti={self.jti!r} iat={self.iat}>"


def verify_proof(
    proof: Text,
    *,
    method: str,
    uri: str,
    policy: DPoPPolicy,
    access_token: Optional[Text] = None,
    nonce: Optional[str] = None,
) -> DPoPProof:
    """Verifies one DPoP proof (the ``DPoP`` header's value) for a request with
    ``method`` and absolute ``uri`` (its query and fragment are left out), presenting
    ``access_token`` (if any), when the server expects ``nonce`` (if any): every check
    of RFC 9449 §4.3, in the library. Several ``DPoP`` headers must be passed joined
    with ``,`` so that the library refuses them. Raises ``InvalidDPoPProofError`` (or
    ``UseDPoPNonceError``, ``DPoPProofReplayedError``, ``DPoPReplayCheckError``)."""
    raw = _bytes(proof, "proof")
    m = _bytes(method, "method")
    u = _bytes(uri, "uri")
    at = _optional(access_token, "access_token")
    n = _optional(nonce, "nonce")
    out, err = c_void_p(), c_void_p()
    status = lib.jwtkit_dpop_verify_proof(
        raw, len(raw), m, len(m), u, len(u), at, 0 if at is None else len(at), n, 0 if n is None else len(n),
        policy.ptr(), byref(out), byref(err),
    )
    if status:
        cause = policy._replay_error() if status == _ffi.JWTKIT_ERR_DPOP_REPLAY_CHECK else None
        _raise(status, err, True, cause)
    return DPoPProof(out.value)  # type: ignore[arg-type]


def check_binding(token: Text, claims: Union[Dict[str, Any], Text], proof: Optional[DPoPProof]) -> None:
    """The binding rule alone (``jwtkit_dpop_check_binding``), for a ``token`` whose
    ``claims`` were VERIFIED another way: with the request's ``proof``, ``cnf.jkt`` must
    be its key's thumbprint and the proof must have been verified for this token; with
    ``proof=None`` (a Bearer request), a token bound to a key is refused."""
    raw = _bytes(token, "token")
    body = json.dumps(claims, separators=(",", ":")).encode() if isinstance(claims, dict) else _bytes(claims, "claims")
    err = c_void_p()
    status = lib.jwtkit_dpop_check_binding(raw, len(raw), body, len(body), None if proof is None else proof.ptr(),
                                           byref(err))
    if status:
        _raise(status, err, False)


def check_refresh_binding(claims: Union[Dict[str, Any], Text], proof: Optional[DPoPProof]) -> None:
    """The binding rule for a refresh token at the token endpoint (RFC 9449 §5;
    ``jwtkit_dpop_check_refresh_binding``), where proofs carry no ``ath``: a refresh
    token whose VERIFIED ``claims`` have ``cnf.jkt`` needs a ``proof`` by that key
    (``DPoPBindingError``; ``DPoPBoundTokenAsBearerError`` without one); an unbound one
    is accepted either way."""
    body = json.dumps(claims, separators=(",", ":")).encode() if isinstance(claims, dict) else _bytes(claims, "claims")
    err = c_void_p()
    status = lib.jwtkit_dpop_check_refresh_binding(body, len(body), None if proof is None else proof.ptr(), byref(err))
    if status:
        _raise(status, err, False)


def decode_token(token: Text, key: Any, *, algorithms: Sequence[str], proof: Optional[DPoPProof],
                 **kwargs: Any) -> Dict[str, Any]:
    """Verifies an access token exactly as :func:`jwtkit.decode` does (same arguments:
    ``audience``, ``issuer``, ``leeway``, ``options``, …), then its binding
    (:func:`check_binding`): ``proof`` is the request's verified proof
    (``Authorization: DPoP``), or ``None`` for ``Authorization: Bearer``. Returns the
    claims."""
    decoded = decode_complete(token, key, algorithms=list(algorithms), **kwargs)
    check_binding(token, decoded["payload"], proof)
    return decoded["payload"]  # type: ignore[no-any-return]


def create_proof(
    key: Any,
    *,
    algorithm: str,
    method: str,
    uri: str,
    access_token: Optional[Text] = None,
    nonce: Optional[str] = None,
    iat: Optional[int] = None,
) -> str:
    """A DPoP proof for a request, signed by ``key`` (a private RSA, EC or Ed25519 key:
    PEM, JWK ``dict``, ``PyJWK`` or a ``cryptography`` key) with ``algorithm``: a fresh
    random ``jti``, ``iat`` now (or ``iat``), the public key in the ``jwk`` header,
    ``ath`` for ``access_token`` and the server's ``nonce`` when given."""
    if not isinstance(algorithm, str):
        raise TypeError("algorithm must be a name, e.g. 'ES256'")
    (alg,) = _alg_ids([algorithm])
    k = _core.resolve_key(key, alg in _ffi.HMAC_ALGS)
    if not isinstance(k, _core.Key):
        raise InvalidKeyTypeError("a DPoP proof is signed with one key, not a key set")
    m = _bytes(method, "method")
    u = _bytes(uri, "uri")
    at = _optional(access_token, "access_token")
    n = _optional(nonce, "nonce")
    when = None if iat is None else byref(c_int64(int(iat)))
    out, out_len, err = c_void_p(), c_size_t(), c_void_p()
    status = lib.jwtkit_dpop_create_proof(
        k.ptr(), alg, m, len(m), u, len(u), at, 0 if at is None else len(at), n, 0 if n is None else len(n), when,
        byref(out), byref(out_len), byref(err),
    )
    if status:
        _raise(status, err, False)
    return _ffi.take_string(out, out_len).decode("ascii")


__all__ = [
    "DPoPPolicy",
    "DPoPProof",
    "ReplayCheck",
    "check_binding",
    "check_refresh_binding",
    "create_proof",
    "decode_token",
    "verify_proof",
]
