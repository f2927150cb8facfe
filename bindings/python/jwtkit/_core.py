"""Handles (keys, validation policies) and the calls that sign, verify and decode.

Handles are released deterministically: ``close()`` or a ``with`` block, and otherwise
by a finalizer when the last Python reference goes. Keys are immutable and policies are
read-only once configured, so both are shared between threads freely.

Two bounded caches avoid redoing work on every call: parsed keys, keyed by (key bytes,
kind, flags), so that passing the same PEM string on every ``decode`` does not reparse
it; and validation policies, keyed by the arguments that configure them. An entry
evicted from a cache is released when no call is using it any more.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections import OrderedDict
from ctypes import byref, c_int32, c_size_t, c_void_p
from typing import Any, Callable, Hashable, Iterable, Optional, Tuple

from . import _ffi
from ._ffi import lib
from ._status import raise_for
from .exceptions import InvalidArgumentError
from .exceptions import InvalidAudienceError, InvalidKeyError, InvalidKeyTypeError

class Handle:
    """An owned library handle: ``close()`` (or ``with``) releases it now; otherwise a
    finalizer releases it when the object is collected. Using a closed handle raises
    ``ValueError``. Do not close a handle while another thread is using it."""

    __slots__ = ("_ptr", "_finalizer", "__weakref__")
    _free: Callable[[int], None]

    def __init__(self, ptr: int) -> None:
        self._ptr: Optional[int] = ptr
        self._finalizer = weakref.finalize(self, type(self)._free, ptr)

    @property
    def closed(self) -> bool:
        return self._ptr is None

    def ptr(self) -> int:
        p = self._ptr
        if p is None:
            raise ValueError(f"{type(self).__name__} is closed")
        return p

    def close(self) -> None:
        self._ptr = None
        self._finalizer()

    def __enter__(self) -> "Handle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _create(fn: Callable[..., int], *args: Any) -> int:
    out = c_void_p()
    err = c_void_p()
    status = fn(*args, byref(out), byref(err))
    if status:
        raise_for(status, err)
    return out.value  # type: ignore[return-value]


class Key(Handle):
    """A parsed key (``jwtkit_key``): an HMAC secret, or an RSA, EC or Ed25519 key
    from PEM, DER or a JWK. Immutable and thread-safe."""

    __slots__ = ("kind", "_lenient")
    _free = staticmethod(lib.jwtkit_key_free)

    def __init__(self, ptr: int, kind: str) -> None:
        super().__init__(ptr)
        self.kind = kind
        self._lenient: Optional[Tuple["Key", int]] = None

    @classmethod
    def from_secret(cls, secret: bytes, allow_short: bool = False) -> "Key":
        flags = _ffi.JWTKIT_KEY_ALLOW_SHORT_SECRET if allow_short else 0
        return cls(_create(lib.jwtkit_key_from_secret, secret, len(secret), flags), "secret")

    @classmethod
    def from_pem(cls, pem: bytes) -> "Key":
        return cls(_create(lib.jwtkit_key_from_pem, pem, len(pem)), "pem")

    @classmethod
    def from_der(cls, der: bytes) -> "Key":
        return cls(_create(lib.jwtkit_key_from_der, der, len(der)), "der")

    @classmethod
    def from_jwk(cls, jwk_json: bytes, allow_short: bool = False) -> "Key":
        """A key from JWK text; ``allow_short`` lets an ``oct`` secret be shorter than
        its algorithm's hash (``JWTKIT_KEY_ALLOW_SHORT_SECRET``, as for secrets)."""
        flags = _ffi.JWTKIT_KEY_ALLOW_SHORT_SECRET if allow_short else 0
        return cls(_create(lib.jwtkit_key_from_jwk_with_flags, jwk_json, len(jwk_json), flags), "jwk")

    @classmethod
    def generate(cls, alg: int) -> "Key":
        """A new random key for ``alg`` (HMAC, EC or Ed25519; RSA: ``generate_rsa``)."""
        return cls(_create(lib.jwtkit_key_generate, alg), "generated")

    @classmethod
    def generate_rsa(cls, alg: int, bits: int) -> "Key":
        """A new RSA key pair of ``bits`` (2048, 3072 or 4096), restricted to ``alg``
        (an RS*/PS* ``JWTKIT_ALG_*``), or to no algorithm with ``alg`` 0."""
        if not isinstance(bits, int) or isinstance(bits, bool) or not 0 <= bits < 2**32:
            raise InvalidArgumentError(f"bits must be 2048, 3072 or 4096, not {bits!r}")
        return cls(_create(lib.jwtkit_key_generate_rsa, alg, bits), "generated")

    def with_kid(self, kid: Optional[str]) -> "Key":
        """A new key with this key's material and restrictions and ``kid``."""
        raw = None if kid is None else kid.encode("utf-8", "surrogatepass")
        return type(self)(_create(lib.jwtkit_key_with_kid, self.ptr(), raw, 0 if raw is None else len(raw)), self.kind)

    def _string(self, fn: Callable[..., int]) -> Optional[bytes]:
        out = c_void_p()
        out_len = c_size_t()
        err = c_void_p()
        status = fn(self.ptr(), byref(out), byref(out_len), byref(err))
        if status:
            raise_for(status, err)
        return None if not out.value else _ffi.take_string(out, out_len)

    def kid(self) -> Optional[str]:
        raw = self._string(lib.jwtkit_key_kid)
        return None if raw is None else raw.decode("utf-8")

    def key_kind(self) -> int:
        """One of ``JWTKIT_KEY_KIND_*``."""
        return int(lib.jwtkit_key_get_kind(self.ptr()))

    def is_private(self) -> bool:
        return bool(lib.jwtkit_key_is_private(self.ptr()))

    def can_verify(self, alg: int) -> bool:
        """Whether the key verifies ``JWTKIT_ALG_*`` ``alg`` (kind, curve, JWK restrictions)."""
        return bool(lib.jwtkit_key_can_verify(self.ptr(), alg))

    def to_public_jwk(self) -> str:
        return self._string(lib.jwtkit_key_to_public_jwk).decode("utf-8")  # type: ignore[union-attr]

    def to_private_jwk(self) -> str:
        return self._string(lib.jwtkit_key_to_private_jwk).decode("utf-8")  # type: ignore[union-attr]

    def to_public_pem(self) -> str:
        return self._string(lib.jwtkit_key_to_public_pem).decode("ascii")  # type: ignore[union-attr]

    def to_private_pem(self) -> str:
        return self._string(lib.jwtkit_key_to_private_pem).decode("ascii")  # type: ignore[union-attr]

    def thumbprint(self) -> str:
        return self._string(lib.jwtkit_key_thumbprint).decode("ascii")  # type: ignore[union-attr]

    def allowing_short_secret(self) -> Tuple["Key", int]:
        """For an HMAC key the library refused as too short for an algorithm
        (``JWTKIT_ERR_KEY_TOO_WEAK``): the same secret, ``kid`` and JWK restrictions
        (``alg``, ``use``, ``key_ops``) with ``JWTKIT_KEY_ALLOW_SHORT_SECRET``, made once
        from the library's private JWK of this key; and the secret's length in bytes
        (from the unpadded base64url of ``k``), for PyJWT's wording of the warning."""
        lenient = self._lenient
        if lenient is None:
            jwk = self.to_private_jwk().encode("utf-8")
            length = len(json.loads(jwk)["k"]) * 3 // 4
            lenient = self._lenient = (Key.from_jwk(jwk, allow_short=True), length)
        return lenient

    def __repr__(self) -> str:
        state = "closed" if self._ptr is None else self.kind
        return f"<jwtkit key ({state})>"


class KeySet(Handle):
    """A set of keys (``jwtkit_keyset``), made for verification or for decryption:
    either picks the key by the token's ``kid``. Immutable and thread-safe. Keys it cannot use are skipped and listed in
    ``skipped()``."""

    __slots__ = ()

    _free = staticmethod(lib.jwtkit_keyset_free)

    @classmethod
    def from_jwks(cls, jwks_json: bytes) -> "KeySet":
        return cls(_create(lib.jwtkit_keyset_from_jwks, jwks_json, len(jwks_json)))

    @classmethod
    def from_keys(cls, keys: "list[Key]") -> "KeySet":
        arr = (c_void_p * max(len(keys), 1))(*[k.ptr() for k in keys])
        return cls(_create(lib.jwtkit_keyset_from_keys, arr, len(keys)))

    @classmethod
    def from_jwks_for_decryption(cls, jwks_json: bytes) -> "KeySet":
        """A set for JWE decryption: the keys that can decrypt (the rest skipped)."""
        return cls(_create(lib.jwtkit_keyset_from_jwks_for_decryption, jwks_json, len(jwks_json)))

    @classmethod
    def from_keys_for_decryption(cls, keys: "list[Key]") -> "KeySet":
        arr = (c_void_p * max(len(keys), 1))(*[k.ptr() for k in keys])
        return cls(_create(lib.jwtkit_keyset_from_keys_for_decryption, arr, len(keys)))

    def __len__(self) -> int:
        return int(lib.jwtkit_keyset_len(self.ptr()))

    def get(self, index: int) -> Key:
        return Key(_create(lib.jwtkit_keyset_get, self.ptr(), index), "jwk")

    def skipped(self) -> "list[Tuple[str, str]]":
        """``(status name, message)`` for each key the set left out."""
        out = []
        for i in range(int(lib.jwtkit_keyset_skipped_count(self.ptr()))):
            st = c_int32()
            msg = c_void_p()
            msg_len = c_size_t()
            err = c_void_p()
            status = lib.jwtkit_keyset_skipped(self.ptr(), i, byref(st), byref(msg), byref(msg_len), byref(err))
            if status:
                raise_for(status, err)
            out.append((_ffi.status_name(st.value), _ffi.take_string(msg, msg_len).decode("utf-8", "replace")))
        return out

    def to_public_jwks(self) -> str:
        out = c_void_p()
        out_len = c_size_t()
        err = c_void_p()
        status = lib.jwtkit_keyset_to_public_jwks(self.ptr(), byref(out), byref(out_len), byref(err))
        if status:
            raise_for(status, err)
        return _ffi.take_string(out, out_len).decode("utf-8")


class Validation(Handle):
    """A verification policy (``jwtkit_validation``): configured once, then read-only
    and shared between threads."""

    __slots__ = ("_callback", "expected", "strict", "refusal")
    _free = staticmethod(lib.jwtkit_validation_free)

    def __init__(self, ptr: int) -> None:
        super().__init__(ptr)
        self._callback: Any = None
        #: Whether an audience is expected and compared strictly: how PyJWT words an
        #: audience failure (``_status.exception_for``).
        self.expected = False
        self.strict = False
        #: For a caller's ``audience`` that no token can match (PyJWT: ``b"api"``, ``[]``,
        #: or a list under ``strict_aud``): the ``InvalidAudienceError`` message raised
        #: once the library has accepted everything else, so that a token without
        #: ``aud`` still fails as ``MissingRequiredClaimError`` and a bad signature as
        #: ``InvalidSignatureError``, in PyJWT's order. ``None`` otherwise.
        self.refusal: Optional[str] = None

    @classmethod
    def new(cls, algs: Iterable[int]) -> "Validation":
        ids = list(algs)
        arr = (c_int32 * max(len(ids), 1))(*ids)
        return cls(_create(lib.jwtkit_validation_new, arr, len(ids)))

    def _call(self, fn: Callable[..., int], *args: Any) -> None:
        err = c_void_p()
        status = fn(self.ptr(), *args, byref(err))
        if status:
            raise_for(status, err)

    def _text(self, fn: Callable[..., int], text: str) -> None:
        raw = text.encode("utf-8", "surrogatepass")
        self._call(fn, raw, len(raw))

    def set_leeway(self, seconds: int) -> None:
        self._call(lib.jwtkit_validation_set_leeway, seconds)

    def set_now(self, unix_seconds: int) -> None:
        self._call(lib.jwtkit_validation_set_now, unix_seconds)

    def add_issuer(self, issuer: str) -> None:
        self._text(lib.jwtkit_validation_add_issuer, issuer)

    def add_audience(self, audience: str) -> None:
        self._text(lib.jwtkit_validation_add_audience, audience)
        self.expected = True

    def set_strict_audience(self, strict: bool) -> None:
        self._call(lib.jwtkit_validation_set_strict_audience, strict)
        self.strict = strict

    def set_subject(self, subject: str) -> None:
        self._text(lib.jwtkit_validation_set_subject, subject)

    def require_claim(self, name: str) -> None:
        self._text(lib.jwtkit_validation_require_claim, name)

    def set_typ(self, typ: str) -> None:
        self._text(lib.jwtkit_validation_set_typ, typ)

    def set_access_token_profile(self, issuer: str, audience: str) -> None:
        """RFC 9068: ``typ`` at+jwt, this issuer and audience, and the profile's claims
        required (the library's list)."""
        iss = issuer.encode("utf-8", "surrogatepass")
        aud = audience.encode("utf-8", "surrogatepass")
        self._call(lib.jwtkit_validation_set_access_token_profile, iss, len(iss), aud, len(aud))
        self.expected = True

    def set_max_age(self, seconds: int) -> None:
        self._call(lib.jwtkit_validation_set_max_age, seconds)

    def allow_padded_base64(self, allow: bool) -> None:
        self._call(lib.jwtkit_validation_allow_padded_base64, allow)

    def disable_checks(self, bits: int) -> None:
        self._call(lib.jwtkit_validation_disable_checks, bits)

    def set_limit(self, limit: int, value: int) -> None:
        self._call(lib.jwtkit_validation_set_limit, limit, value)

    def set_revocation_check(self, is_revoked: Optional[Callable[[Optional[str], dict], Any]]) -> None:
        """``is_revoked(jti, claims)`` returns true for a revoked token. It runs in the
        verifying thread (with the GIL); if it raises, the token counts as revoked
        (fail closed) and the exception is chained to the ``RevokedTokenError``."""
        if is_revoked is None:
            self._call(lib.jwtkit_validation_set_revocation_check, _ffi.REVOCATION_FN(), None)
            self._callback = None
            return
        state = _RevocationState(is_revoked)
        fn = _ffi.REVOCATION_FN(state)
        self._call(lib.jwtkit_validation_set_revocation_check, fn, None)
        self._callback = (fn, state)  # keep the trampoline alive as long as the policy

    def revocation_error(self) -> Optional[BaseException]:
        """The exception the revocation callback raised in this thread, if any."""
        if self._callback is None:
            return None
        return self._callback[1].take_error()


class _RevocationState:
    def __init__(self, fn: Callable[[Optional[str], dict], Any]) -> None:
        self.fn = fn
        self.local = threading.local()

    def __call__(self, _ctx: Any, jti: Any, jti_len: int, claims: Any, claims_len: int) -> int:
        try:
            jti_text = _ffi._string_at(jti, jti_len).decode("utf-8") if jti else None
            claims_obj = json.loads(_ffi._string_at(claims, claims_len))
            return 1 if self.fn(jti_text, claims_obj) else 0
        except BaseException as e:  # noqa: BLE001 - must not unwind into the library
            self.local.error = e
            return 1

    def take_error(self) -> Optional[BaseException]:
        e = getattr(self.local, "error", None)
        self.local.error = None
        return e


# ---------------------------------------------------------------------------------
# Bounded caches (LRU). Reads take no lock; inserts and evictions do.


class BoundedCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._data: "OrderedDict[Hashable, Any]" = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        data = self._data
        value = data.get(key)
        if value is not None:
            try:
                data.move_to_end(key)
            except KeyError:  # evicted meanwhile by another thread: still usable
                pass
        return value

    def put(self, key: Hashable, value: Any) -> Any:
        with self._lock:
            existing = self._data.get(key)
            if existing is not None:
                return existing
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._data)


KEY_CACHE = BoundedCache(128)
VALIDATION_CACHE = BoundedCache(64)

_PEM_PREFIX = b"-----BEGIN"
_SSH_PREFIXES = (b"ssh-", b"ecdsa-sha2-", b"sk-ssh-", b"sk-ecdsa-sha2-")


def _from_cryptography(obj: Any) -> Optional[bytes]:
    """PEM of a ``cryptography`` key object (PKCS#8 or SPKI); ``None`` when ``obj`` is
    not one. ``cryptography`` is only imported when such an object is passed."""
    module = type(obj).__module__ or ""
    if not module.startswith("cryptography"):
        return None
    from cryptography.hazmat.primitives import serialization as s

    if hasattr(obj, "private_bytes"):
        return obj.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption())  # type: ignore[no-any-return]
    if hasattr(obj, "serial_number") and hasattr(obj, "public_bytes"):  # an X.509 certificate
        return obj.public_bytes(s.Encoding.PEM)  # type: ignore[no-any-return]
    if hasattr(obj, "public_bytes"):
        return obj.public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[no-any-return]
    return None


def _from_ssh(data: bytes) -> bytes:
    try:
        from cryptography.hazmat.primitives import serialization as s
    except ImportError:
        raise InvalidKeyError("OpenSSH public keys need the `cryptography` package; pass a PEM key instead") from None
    try:
        public = s.load_ssh_public_key(data)
    except (ValueError, TypeError) as e:
        raise InvalidKeyError(f"Could not parse the provided OpenSSH public key: {e}") from e
    return public.public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo)


def secret_possible(algs: Iterable[int]) -> bool:
    """Whether a ``str``/``bytes`` key that is not PEM is an HMAC secret (some of
    ``algs`` are HMAC, or none is known) rather than DER."""
    algs = tuple(algs)
    return not algs or any(a in _ffi.HMAC_ALGS for a in algs)


def resolve_key(key: Any, secret_ok: bool = True) -> Key:
    """The library key for a PyJWT-style ``key`` argument. ``secret_ok`` (see
    ``secret_possible``) tells whether the algorithms it may serve include HMAC:

    - a ``PyJWK`` (or its ``.key``), or a JWK ``dict``: the JWK;
    - a ``cryptography`` key or certificate object: serialized to PEM;
    - ``str``/``bytes``: PEM when it starts with ``-----BEGIN``, an OpenSSH public key
      when ``cryptography`` is installed, DER when ``secret_ok`` is false, otherwise
      an HMAC secret (all bytes kept, NUL included).
    """
    if isinstance(key, (Key, KeySet)):
        return key  # type: ignore[return-value]
    handle = getattr(key, "_jwtkit_key", None)
    if isinstance(handle, (Key, KeySet)):
        return handle  # type: ignore[return-value]
    if isinstance(key, (str, bytes)):
        cache_key: Tuple[Any, ...] = (key, secret_ok)
        cached = KEY_CACHE.get(cache_key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        data = key.encode("utf-8") if isinstance(key, str) else key
        made = _key_from_bytes(data, secret_ok)
        return KEY_CACHE.put(cache_key, made)  # type: ignore[no-any-return]
    if isinstance(key, dict):
        text = json.dumps(key, separators=(",", ":"), sort_keys=True).encode("utf-8")
        cache_key = ("jwk", text)
        cached = KEY_CACHE.get(cache_key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        return KEY_CACHE.put(cache_key, Key.from_jwk(text))  # type: ignore[no-any-return]
    if key is None:
        raise InvalidKeyTypeError(
            "No key was given (key is None): pass the secret, PEM, JWK or PyJWK to verify or sign with"
        )
    try:
        pem = _from_cryptography(key)
    except (TypeError, ValueError, AttributeError) as e:
        raise InvalidKeyTypeError(f"Expecting a key, got a {type(key).__name__} that cannot be exported: {e}") from e
    if pem is not None:
        cache_key = ("pem", pem)
        cached = KEY_CACHE.get(cache_key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        return KEY_CACHE.put(cache_key, Key.from_pem(pem))  # type: ignore[no-any-return]
    if isinstance(key, (bytearray, memoryview)):
        return resolve_key(bytes(key), secret_ok)
    raise InvalidKeyTypeError(
        f"Expecting a str, bytes, dict (JWK), PyJWK or cryptography key, got {type(key).__name__}"
    )


def _key_from_bytes(data: bytes, secret_ok: bool) -> Key:
    if not secret_ok:
        return _key_material(data)
    try:
        return Key.from_secret(data)
    except InvalidKeyError as not_secret:
        if not_secret.status != _ffi.JWTKIT_ERR_KEY_NOT_SECRET:
            raise
        # The library refused the bytes as an HMAC secret because they are key
        # material: they serve as that key or not at all, never as a secret.
        try:
            return _key_material(data)
        except InvalidKeyError as unusable:
            raise not_secret from unusable


def _key_material(data: bytes) -> Key:
    """A PEM, OpenSSH, JWK or DER key (never an HMAC secret)."""
    stripped = data.lstrip()
    if _PEM_PREFIX in data:  # PEM, also after text such as `openssl x509 -text` prints
        return Key.from_pem(data)
    if stripped.startswith(_SSH_PREFIXES):
        return Key.from_pem(_from_ssh(stripped))
    if stripped.startswith(b"{"):
        return Key.from_jwk(data)
    return Key.from_der(data)


# ---------------------------------------------------------------------------------
# The calls. Each converts arguments, calls the library once, and converts results.

_sign = lib.jwtkit_sign
_jws_sign = lib.jwtkit_jws_sign
_verify = lib.jwtkit_verify
_jws_verify = lib.jwtkit_jws_verify
_decode_unverified = lib.jwtkit_decode_unverified
_verify_with_keyset = lib.jwtkit_verify_with_keyset
_jws_verify_with_keyset = lib.jwtkit_jws_verify_with_keyset
_take = _ffi.take_string


def sign(key: Key, alg: int, payload: bytes, header_json: Optional[bytes], jwt: bool = True) -> str:
    """Signs ``payload`` (``jwt``: a JSON object, ``typ`` defaults to JWT; else any
    bytes, no ``typ`` default) and returns the compact token."""
    if type(key) is not Key:
        raise InvalidKeyTypeError(
            f"Signing needs one key, got {'a key set (PyJWKSet): pick one of its keys' if isinstance(key, KeySet) else type(key).__name__}"
        )
    ptr = key._ptr
    if ptr is None:
        raise ValueError("the key is closed")
    out = c_void_p()
    out_len = c_size_t()
    err = c_void_p()
    hlen = len(header_json) if header_json is not None else 0
    status = (_sign if jwt else _jws_sign)(
        ptr, alg, payload, len(payload), header_json, hlen, byref(out), byref(out_len), byref(err)
    )
    if status:
        raise_for(status, err)
    return _take(out, out_len).decode("ascii")


def sign_detached(key: Key, alg: int, payload: bytes, header_json: Optional[bytes], jwt: bool = True) -> str:
    """Signs ``payload`` with its content detached and unencoded (RFC 7797: the library
    writes ``"b64": false`` and adds ``b64`` to ``crit``); returns ``header..signature``.
    ``jwt``: the payload is a JSON object and ``typ`` defaults to JWT."""
    if type(key) is not Key:
        raise InvalidKeyTypeError(
            f"Signing needs one key, got {'a key set (PyJWKSet): pick one of its keys' if isinstance(key, KeySet) else type(key).__name__}"
        )
    out = c_void_p()
    out_len = c_size_t()
    err = c_void_p()
    hlen = len(header_json) if header_json is not None else 0
    status = (lib.jwtkit_sign_detached if jwt else lib.jwtkit_jws_sign_detached)(
        key.ptr(), alg, payload, len(payload), header_json, hlen, _ffi.JWTKIT_JWS_UNENCODED,
        byref(out), byref(out_len), byref(err),
    )
    if status:
        raise_for(status, err)
    return _take(out, out_len).decode("ascii")


def verify_detached(
    token: bytes, payload: bytes, key: "Key | KeySet", validation: Validation, jwt: bool = True
) -> bytes:
    """Verifies ``token`` (``header..signature``) over the detached ``payload``
    (``b64: false``, or base64url-encoded without ``b64``); ``jwt``: the payload is the
    claims, checked by the library as ``verify`` checks them. Returns the header JSON."""
    if type(key) is not Key:
        raise InvalidKeyTypeError(
            "A detached payload is verified with one key: jwtkit has no key-set form of "
            f"jwtkit_verify_detached (got {'a PyJWKSet' if isinstance(key, KeySet) else type(key).__name__})"
        )
    head = c_void_p()
    head_len = c_size_t()
    err = c_void_p()
    fn = lib.jwtkit_verify_detached if jwt else lib.jwtkit_jws_verify_detached
    status = fn(token, len(token), payload, len(payload), key.ptr(), validation.ptr(), byref(head), byref(head_len),
                byref(err))
    if status:
        cause = validation.revocation_error() if status == _ffi.JWTKIT_ERR_REVOKED else None
        try:
            raise_for(status, err, validation)
        except BaseException as e:
            if cause is not None:
                raise e from cause
            raise
    header = _take(head, head_len)
    if validation.refusal is not None:
        raise InvalidAudienceError(validation.refusal)
    return header


def verify(
    token: bytes, key: "Key | KeySet", validation: Validation, want_header: bool, jwt: bool = True
) -> Tuple[Optional[bytes], bytes]:
    """Verifies ``token`` with a key, or a key set (the key chosen by ``kid``); returns
    the exact header JSON (if wanted) and the claims JSON (``jwt``) or payload bytes."""
    if type(key) is Key:
        fn = _verify if jwt else _jws_verify
    else:
        fn = _verify_with_keyset if jwt else _jws_verify_with_keyset
    kptr = key._ptr
    vptr = validation._ptr
    if kptr is None or vptr is None:
        raise ValueError("the key or validation policy is closed")
    body = c_void_p()
    body_len = c_size_t()
    err = c_void_p()
    if want_header:
        head = c_void_p()
        head_len = c_size_t()
        hp, hl = byref(head), byref(head_len)
    else:
        hp = hl = None
    status = fn(token, len(token), kptr, vptr, hp, hl, byref(body), byref(body_len), byref(err))
    if status:
        cause = validation.revocation_error() if status == _ffi.JWTKIT_ERR_REVOKED else None
        try:
            raise_for(status, err, validation)
        except BaseException as e:
            if cause is not None:
                raise e from cause
            raise
    payload = _take(body, body_len)
    if validation.refusal is not None:
        raise InvalidAudienceError(validation.refusal)
    return (_take(head, head_len) if want_header else None), payload


_string_at = _ffi._string_at
_free_string = _ffi._free_string


class _OutSlots(threading.local):
    """Per-thread output cells for ``verify_claims``: building three ctypes objects and
    their ``byref``s on every call costs about as much as the verification itself. The
    library writes them only on return (body on success, err on failure), and each
    thread has its own, so concurrent calls never share one."""

    def __init__(self) -> None:
        self.body = c_void_p()
        self.body_len = c_size_t()
        self.err = c_void_p()
        self.refs = (byref(self.body), byref(self.body_len), byref(self.err))


_out_slots = _OutSlots()


def verify_claims(token: bytes, key: Key, validation: Validation) -> bytes:
    """``verify`` for one key, claims only: the shortest path (``decode``), for a
    policy without ``refusal`` (callers check)."""
    slots = _out_slots
    body, body_len, err = slots.body, slots.body_len, slots.err
    status = _verify(token, len(token), key._ptr, validation._ptr, None, None, *slots.refs)
    if status:
        cause = validation.revocation_error() if status == _ffi.JWTKIT_ERR_REVOKED else None
        try:
            raise_for(status, err, validation)
        except BaseException as e:
            if cause is not None:
                raise e from cause
            raise
        finally:
            err.value = None  # released by raise_for: never seen again
    try:
        return _string_at(body, body_len.value)
    finally:
        _free_string(body)


def check_claims(validation: Validation, claims_json: bytes, typ: Optional[str]) -> None:
    """Runs the claim checks of ``validation`` on claims that were NOT verified
    (``jwtkit_validation_check_claims``): for ``verify_signature: False`` with claim
    checks asked for. Raises as ``verify`` does."""
    err = c_void_p()
    raw_typ = None if typ is None else typ.encode("utf-8", "surrogatepass")
    status = lib.jwtkit_validation_check_claims(
        validation.ptr(), claims_json, len(claims_json), raw_typ, 0 if raw_typ is None else len(raw_typ), byref(err)
    )
    if status:
        cause = validation.revocation_error() if status == _ffi.JWTKIT_ERR_REVOKED else None
        try:
            raise_for(status, err, validation)
        except BaseException as e:
            if cause is not None:
                raise e from cause
            raise
    if validation.refusal is not None:
        raise InvalidAudienceError(validation.refusal)


def jws_decode_unverified(token: bytes) -> Tuple[bytes, bytes]:
    """The header JSON and payload bytes (any bytes; empty for detached content) of
    ``token``, WITHOUT any verification (``jwtkit_jws_decode_unverified``)."""
    head = c_void_p()
    head_len = c_size_t()
    body = c_void_p()
    body_len = c_size_t()
    err = c_void_p()
    status = lib.jwtkit_jws_decode_unverified(
        token, len(token), byref(head), byref(head_len), byref(body), byref(body_len), byref(err)
    )
    if status:
        raise_for(status, err)
    return _take(head, head_len), _take(body, body_len)


def decode_unverified(token: bytes) -> Tuple[bytes, bytes]:
    """The header and claims JSON of ``token``, WITHOUT any verification."""
    head = c_void_p()
    head_len = c_size_t()
    body = c_void_p()
    body_len = c_size_t()
    err = c_void_p()
    status = _decode_unverified(
        token, len(token), byref(head), byref(head_len), byref(body), byref(body_len), byref(err)
    )
    if status:
        raise_for(status, err)
    return _take(head, head_len), _take(body, body_len)
