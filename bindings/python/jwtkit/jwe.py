"""JSON Web Encryption (RFC 7516: compact and JSON serialization) and nested JWTs,
over the library's JWE (``jwtkit_jwe_*``): everything is decided there, the same code
the C API runs.

:func:`encrypt_json`/:func:`decrypt_json` handle the JSON serialization (general and
flattened): several recipients with their own ``alg`` and key, additional authenticated
data (``aad``), shared and per-recipient unprotected headers.

Decryption always takes explicit allow-lists, ``algorithms`` (key management ``alg``)
and ``encryptions`` (content encryption ``enc``); there is no default. Compressed
tokens (``zip``) are refused unless ``allow_zip=True``, and then inflated only up to a
cap; a PBES2 token's iteration count (``p2c``) is capped by ``max_pbes2_count``
(default 10000; more raises ``PBES2CountError`` before any key derivation). Failures raise :class:`jwtkit.InvalidTokenError` subclasses (``JWEDecryptionError``
for every wrong-key or modified-token case, with one message).

=======================  ====================================================
``alg``                  key
=======================  ====================================================
``dir``                  shared secret of the CEK's length (16/24/32/32/48/64)
``A128KW``..``A256KW``   shared secret of 16 / 24 / 32 bytes
``A128GCMKW``..          shared secret of 16 / 24 / 32 bytes
``PBES2-HS*+A*KW``       a password (``str``/``bytes``), only when listed
``ECDH-ES`` (+A*KW)      EC P-256/P-384/P-521 or X25519 (JWK ``OKP``)
``RSA-OAEP-256``/384/512 RSA (``RSA-OAEP``, SHA-1, only when listed)
=======================  ====================================================

``enc``: ``A128GCM``, ``A192GCM``, ``A256GCM``, ``A128CBC-HS256``, ``A192CBC-HS384``,
``A256CBC-HS512``. ``RSA1_5`` is refused (``InsecureAlgorithmError``).

Keys are what ``jwtkit.encode``/``decode`` take: a JWK ``dict``, a ``PyJWK``, PEM, a
``cryptography`` key, or ``str``/``bytes`` as a shared secret for ``dir``/``A*KW``.
"""

from __future__ import annotations

import json
from ctypes import byref, c_bool, c_int32, c_size_t, c_void_p
from datetime import timedelta
from dataclasses import dataclass
from typing import Any, Callable, Container, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import _core, _ffi
from ._ffi import lib
from ._status import raise_for
from .api_jwk import PyJWKSet
from .api_jws import allowed_algorithms, policy, token_bytes
from .api_jwt import _DEFAULT_OPTIONS
from .api_jwt import encode as _jwt_encode
from .exceptions import DecodeError

__all__ = [
    "ALGORITHMS",
    "ENCRYPTIONS",
    "encrypt",
    "decrypt",
    "decrypt_complete",
    "encode_nested",
    "decode_nested",
    "decode_nested_complete",
    "encrypt_json",
    "decrypt_json",
    "DecryptedJSON",
]

#: The key management algorithms jwtkit implements, in ``JWTKIT_JWE_ALG_*`` order (from
#: the library).
ALGORITHMS: Tuple[str, ...] = _ffi.names_by_number(lib.jwtkit_jwe_alg_name)
#: The content encryption algorithms jwtkit implements, in ``JWTKIT_JWE_ENC_*`` order
#: (from the library).
ENCRYPTIONS: Tuple[str, ...] = _ffi.names_by_number(lib.jwtkit_jwe_enc_name)

#: The key management algorithms whose key is a shared secret.
_SECRET_ALGS = frozenset(
    ("dir", "A128KW", "A192KW", "A256KW", "A128GCMKW", "A192GCMKW", "A256GCMKW")
    + ("PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW")
)


def _number(from_name: Callable[..., int], name: Any, what: str) -> int:
    """The library number of an ``alg``/``enc`` name (its refusal raises)."""
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a string, got {type(name).__name__}")
    raw = name.encode("utf-8", "surrogatepass")
    out = c_int32()
    err = c_void_p()
    status = from_name(raw, len(raw), byref(out), byref(err))
    if status:
        raise_for(status, err)
    return out.value


def _alg(name: Any) -> int:
    return _number(lib.jwtkit_jwe_alg_from_name, name, "algorithm")


def _enc(name: Any) -> int:
    return _number(lib.jwtkit_jwe_enc_from_name, name, "encryption")


def _names(value: Any, what: str) -> Tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not value:
        raise DecodeError(f'It is required that you pass in a value for the "{what}" argument')
    return tuple(value)


class JWEPolicy(_core.Handle):
    """A ``jwtkit_jwe_policy``: allow-lists for ``alg`` and ``enc`` and the compression
    rule. Read-only once built, shared between threads."""

    __slots__ = ()
    _free = staticmethod(lib.jwtkit_jwe_policy_free)

    @classmethod
    def new(
        cls,
        algorithms: Iterable[str],
        encryptions: Iterable[str],
        allow_zip: bool,
        max_inflated_size: int,
        max_pbes2_count: Optional[int] = None,
    ) -> "JWEPolicy":
        algs = [_alg(a) for a in algorithms]
        encs = [_enc(e) for e in encryptions]
        a_arr = (c_int32 * len(algs))(*algs)
        e_arr = (c_int32 * len(encs))(*encs)
        p = cls(_core._create(lib.jwtkit_jwe_policy_new, a_arr, len(algs), e_arr, len(encs)))
        if allow_zip:
            err = c_void_p()
            status = lib.jwtkit_jwe_policy_allow_zip(p.ptr(), True, max_inflated_size, byref(err))
            if status:
                raise_for(status, err)
        if max_pbes2_count is not None:
            err = c_void_p()
            status = lib.jwtkit_jwe_policy_set_max_p2c(p.ptr(), max_pbes2_count, byref(err))
            if status:
                raise_for(status, err)
        return p


_POLICIES = _core.BoundedCache(64)


def _policy(
    algorithms: Any,
    encryptions: Any,
    allow_zip: bool,
    max_inflated_size: Optional[int],
    max_pbes2_count: Optional[int] = None,
) -> JWEPolicy:
    algs = _names(algorithms, "algorithms")
    encs = _names(encryptions, "encryptions")
    size = 0 if max_inflated_size is None else int(max_inflated_size)
    if size < 0:
        raise ValueError("max_inflated_size must not be negative")
    count = None if max_pbes2_count is None else int(max_pbes2_count)
    if count is not None and not 0 <= count <= 0xFFFFFFFF:
        raise ValueError("max_pbes2_count must be between 1000 and 2**32 - 1")
    cache_key = (algs, encs, bool(allow_zip), size, count)
    cached = _POLICIES.get(cache_key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    policy = JWEPolicy.new(algs, encs, bool(allow_zip), size, count)
    return _POLICIES.put(cache_key, policy)  # type: ignore[no-any-return]


def _key(key: Any, algorithms: Iterable[str]) -> _core.Key:
    """The library key: a ``str``/``bytes`` that is not PEM is a shared secret only
    when an algorithm that takes one (``dir``, ``A*KW``, ``A*GCMKW``, ``PBES2-*``) may
    be used."""
    return _core.resolve_key(key, any(a in _SECRET_ALGS for a in algorithms))


_DECRYPTION_SETS = _core.BoundedCache(64)


def _decryption_keys(key: Any, algorithms: Iterable[str]) -> Union[_core.Key, _core.KeySet]:
    """One key, or for a JWK Set (``{"keys": [...]}`` or ``PyJWKSet``) the library's
    set made for decryption, whose keys the token's ``kid`` chooses."""
    if isinstance(key, PyJWKSet):
        return key._jwtkit_decryption_set
    if isinstance(key, dict) and isinstance(key.get("keys"), list):
        text = json.dumps(key, separators=(",", ":"), sort_keys=True).encode("utf-8")
        cached = _DECRYPTION_SETS.get(text)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        return _DECRYPTION_SETS.put(text, _core.KeySet.from_jwks_for_decryption(text))  # type: ignore[no-any-return]
    return _key(key, algorithms)


def _data(value: Any, what: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} must be bytes or str, got {type(value).__name__}")


def encrypt(
    plaintext: Union[bytes, str],
    key: Any,
    algorithm: str,
    encryption: str,
    headers: Optional[Dict[str, Any]] = None,
    *,
    compress: bool = False,
) -> str:
    """Encrypts ``plaintext`` (``bytes``, or ``str`` as UTF-8) to ``key`` and returns the
    compact JWE. ``algorithm`` is the key management ``alg``, ``encryption`` the
    ``enc``; ``key`` is the recipient's public key for ``ECDH-ES*``/``RSA-OAEP*`` and
    the shared secret for ``dir``/``A*KW``/``A*GCMKW`` and the password for
    ``PBES2-*``. ``headers`` adds protected header members (``kid``, ``typ``, ``cty``,
    ``apu``, ``apv``, PBES2's ``p2c``: default 8192, at least 1000…). ``compress`` deflates the plaintext
    first (``zip: "DEF"``; the recipient must allow it)."""
    alg, enc = _alg(algorithm), _enc(encryption)
    data = _data(plaintext, "plaintext")
    hjson = None if headers is None else json.dumps(headers, separators=(",", ":")).encode("utf-8")
    k = _key(key, (algorithm,))
    out = c_void_p()
    out_len = c_size_t()
    err = c_void_p()
    flags = _ffi.JWTKIT_JWE_ZIP if compress else 0
    status = lib.jwtkit_jwe_encrypt(
        k.ptr(), alg, enc, data, len(data), hjson, 0 if hjson is None else len(hjson), flags,
        byref(out), byref(out_len), byref(err),
    )
    if status:
        raise_for(status, err)
    return _ffi.take_string(out, out_len).decode("ascii")


def decrypt_complete(
    jwe: Union[str, bytes],
    key: Any,
    algorithms: Sequence[str],
    encryptions: Sequence[str],
    *,
    allow_zip: bool = False,
    max_inflated_size: Optional[int] = None,
    max_pbes2_count: Optional[int] = None,
) -> Dict[str, Any]:
    """Decrypts a compact JWE and returns ``{"header": dict, "plaintext": bytes}``.
    ``algorithms`` and ``encryptions`` are the allow-lists for ``alg`` and ``enc``
    (required). ``allow_zip`` accepts compressed tokens, inflated to at most
    ``max_inflated_size`` bytes (default 256 KiB). ``max_pbes2_count`` caps a PBES2
    token's ``p2c`` (default 10000, at least 1000), and the iterations one token may
    cost across every password key tried.

    ``key`` may be a JWK Set (``{"keys": [...]}`` or a ``PyJWKSet``): the library
    keeps its keys that can decrypt (private or secret, ``use`` ``enc`` or none) and
    the token's ``kid`` chooses among them: the keys with that ``kid``, else those
    without one (every key when the token has none); keys that cannot serve its
    ``alg`` are not tried, and at most 16 are. No key chosen (an unknown ``kid``)
    raises ``KeyNotFoundError``."""
    token = token_bytes(jwe)
    p = _policy(algorithms, encryptions, allow_zip, max_inflated_size, max_pbes2_count)
    k = _decryption_keys(key, _names(algorithms, "algorithms"))
    fn = lib.jwtkit_jwe_decrypt if type(k) is _core.Key else lib.jwtkit_jwe_decrypt_with_keyset
    head, head_len, body, body_len, err = c_void_p(), c_size_t(), c_void_p(), c_size_t(), c_void_p()
    status = fn(
        token, len(token), k.ptr(), p.ptr(), byref(head), byref(head_len), byref(body), byref(body_len), byref(err)
    )
    if status:
        raise_for(status, err)
    header = json.loads(_ffi.take_string(head, head_len))
    return {"header": header, "plaintext": _ffi.take_string(body, body_len)}


def decrypt(
    jwe: Union[str, bytes],
    key: Any,
    algorithms: Sequence[str],
    encryptions: Sequence[str],
    *,
    allow_zip: bool = False,
    max_inflated_size: Optional[int] = None,
    max_pbes2_count: Optional[int] = None,
) -> bytes:
    """As :func:`decrypt_complete`, returning only the plaintext bytes."""
    return decrypt_complete(  # type: ignore[no-any-return]
        jwe, key, algorithms, encryptions, allow_zip=allow_zip, max_inflated_size=max_inflated_size,
        max_pbes2_count=max_pbes2_count,
    )["plaintext"]


def encode_nested(
    payload: Dict[str, Any],
    key: Any,
    algorithm: str,
    encryption_key: Any,
    key_algorithm: str,
    encryption: str,
    headers: Optional[Dict[str, Any]] = None,
    *,
    compress: bool = False,
) -> str:
    """Sign-then-encrypt (a nested JWT): ``payload`` is signed exactly as
    ``jwtkit.encode(payload, key, algorithm, headers)`` does, then encrypted to
    ``encryption_key`` with ``key_algorithm``/``encryption`` and ``cty: "JWT"``."""
    signed = _jwt_encode(payload, key, algorithm=algorithm, headers=headers)
    return encrypt(signed, encryption_key, key_algorithm, encryption, {"cty": "JWT"}, compress=compress)


def decode_nested_complete(
    jwe: Union[str, bytes],
    decryption_key: Any,
    key_algorithms: Sequence[str],
    encryptions: Sequence[str],
    key: Any,
    algorithms: Sequence[str],
    options: Optional[Dict[str, Any]] = None,
    audience: Union[None, str, Iterable[str]] = None,
    issuer: Union[None, str, Container[str]] = None,
    subject: Optional[str] = None,
    leeway: Union[float, timedelta] = 0,
    *,
    max_age: Union[None, float, timedelta] = None,
    typ: Optional[str] = None,
    allow_zip: bool = False,
    max_inflated_size: Optional[int] = None,
    max_pbes2_count: Optional[int] = None,
) -> Dict[str, Any]:
    """Decrypt-then-verify in one library call: the JWE is decrypted with
    ``decryption_key`` under ``key_algorithms``/``encryptions``, must carry
    ``cty: "JWT"``, and the inner JWT is verified with ``key`` under ``algorithms`` and
    every claim check of ``jwtkit.decode`` (same ``options``, ``audience``, ``issuer``,
    ``subject``, ``leeway``, ``max_age``, ``typ``). Returns ``{"header": the inner JWS
    header, "payload": claims}``. ``decryption_key`` may be a JWK Set, chosen from by
    the JWE's ``kid`` as :func:`decrypt_complete` does; ``key`` one too, chosen from by
    the inner JWT's ``kid``."""
    token = token_bytes(jwe)
    p = _policy(key_algorithms, encryptions, allow_zip, max_inflated_size, max_pbes2_count)
    dec_key = _decryption_keys(decryption_key, _names(key_algorithms, "key_algorithms"))
    merged = dict(_DEFAULT_OPTIONS)
    if options:
        merged.update(options)
    if not merged.get("verify_signature", True):
        raise DecodeError("decode_nested always verifies the inner signature")
    alg_ids = allowed_algorithms(key, algorithms)
    v = policy(alg_ids, merged, audience, issuer, subject, leeway, max_age, typ)
    verify_key = _core.resolve_key(key, _core.secret_possible(alg_ids))
    fn = {
        (True, True): lib.jwtkit_jwe_decrypt_and_verify,
        (True, False): lib.jwtkit_jwe_decrypt_and_verify_with_keyset,
        (False, True): lib.jwtkit_jwe_decrypt_with_keyset_and_verify,
        (False, False): lib.jwtkit_jwe_decrypt_and_verify_with_keysets,
    }[(type(dec_key) is _core.Key, type(verify_key) is _core.Key)]
    head, head_len, body, body_len, err = c_void_p(), c_size_t(), c_void_p(), c_size_t(), c_void_p()
    status = fn(
        token, len(token), dec_key.ptr(), p.ptr(), verify_key.ptr(), v.ptr(),
        byref(head), byref(head_len), byref(body), byref(body_len), byref(err),
    )
    if status:
        raise_for(status, err, v)
    header = json.loads(_ffi.take_string(head, head_len))
    return {"header": header, "payload": json.loads(_ffi.take_string(body, body_len))}


def decode_nested(
    jwe: Union[str, bytes],
    decryption_key: Any,
    key_algorithms: Sequence[str],
    encryptions: Sequence[str],
    key: Any,
    algorithms: Sequence[str],
    options: Optional[Dict[str, Any]] = None,
    audience: Union[None, str, Iterable[str]] = None,
    issuer: Union[None, str, Container[str]] = None,
    subject: Optional[str] = None,
    leeway: Union[float, timedelta] = 0,
    *,
    max_age: Union[None, float, timedelta] = None,
    typ: Optional[str] = None,
    allow_zip: bool = False,
    max_inflated_size: Optional[int] = None,
    max_pbes2_count: Optional[int] = None,
) -> Dict[str, Any]:
    """As :func:`decode_nested_complete`, returning only the claims."""
    return decode_nested_complete(  # type: ignore[no-any-return]
        jwe, decryption_key, key_algorithms, encryptions, key, algorithms, options, audience, issuer, subject,
        leeway, max_age=max_age, typ=typ, allow_zip=allow_zip, max_inflated_size=max_inflated_size,
        max_pbes2_count=max_pbes2_count,
    )["payload"]


# ---------------------------------------------------------------------------------
# JSON serialization


def _json_object(value: Optional[Dict[str, Any]], what: str) -> Optional[bytes]:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise TypeError(f"{what} must be a dict, got {type(value).__name__}")
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


#: One recipient for :func:`encrypt_json`: ``(key, alg)`` or ``(key, alg, header)``.
Recipient = Union[Tuple[Any, str], Tuple[Any, str, Optional[Dict[str, Any]]]]


def encrypt_json(
    plaintext: Union[bytes, str],
    recipients: Sequence[Recipient],
    encryption: str,
    *,
    aad: Union[None, bytes, str] = None,
    protected: Optional[Dict[str, Any]] = None,
    unprotected: Optional[Dict[str, Any]] = None,
    general: bool = False,
    compress: bool = False,
) -> str:
    """Encrypts ``plaintext`` once with ``encryption`` (``enc``) for every recipient and
    returns the JWE in JSON serialization (a ``str`` of JSON). ``recipients`` is a list
    of ``(key, alg)`` or ``(key, alg, header)``: each key with its key management
    ``alg``, and optionally members of its own unprotected ``header`` (``kid``…). One
    recipient gives the flattened syntax unless ``general=True``; several always give
    the general syntax, and then ``dir``/``ECDH-ES`` are refused (they make their own
    content key). ``aad`` is additional authenticated data (authenticated, not
    encrypted), ``protected`` extra protected header members, ``unprotected`` the shared
    unprotected header. A member in two headers raises ``InvalidTokenError``
    (``JWTKIT_ERR_HEADER_INVALID``)."""
    if isinstance(recipients, tuple) and len(recipients) in (2, 3) and isinstance(recipients[1], str):
        raise TypeError("recipients must be a list of (key, alg) tuples")
    entries = []
    keep: List[Any] = []  # key handles and header bytes, alive for the call
    for i, r in enumerate(recipients):
        if not isinstance(r, (tuple, list)) or len(r) not in (2, 3):
            raise TypeError(f"recipients[{i}] must be (key, alg) or (key, alg, header)")
        alg_name = r[1]
        k = _key(r[0], (alg_name,))
        header = _json_object(r[2] if len(r) == 3 else None, f"recipients[{i}] header")
        keep.extend((k, header))
        entries.append(_ffi.JweRecipient(k.ptr(), _alg(alg_name), header, 0 if header is None else len(header)))
    array = (_ffi.JweRecipient * max(len(entries), 1))(*entries)
    data = _data(plaintext, "plaintext")
    extra = _json_object(protected, "protected")
    shared = _json_object(unprotected, "unprotected")
    aad_bytes = None if aad is None else _data(aad, "aad")
    flags = (_ffi.JWTKIT_JWE_ZIP if compress else 0) | (_ffi.JWTKIT_JWE_GENERAL if general else 0)
    out, out_len, err = c_void_p(), c_size_t(), c_void_p()
    status = lib.jwtkit_jwe_encrypt_json(
        array, len(entries), _enc(encryption), data, len(data),
        extra, 0 if extra is None else len(extra), shared, 0 if shared is None else len(shared),
        aad_bytes, 0 if aad_bytes is None else len(aad_bytes), flags,
        byref(out), byref(out_len), byref(err),
    )
    del keep
    if status:
        raise_for(status, err)
    return _ffi.take_string(out, out_len).decode("utf-8")


@dataclass(frozen=True)
class DecryptedJSON:
    """What :func:`decrypt_json` returns."""

    #: The plaintext.
    plaintext: bytes
    #: The protected header (``{}`` when the JWE has none).
    protected_header: Dict[str, Any]
    #: The JOSE header of the recipient that decrypted: protected, shared unprotected
    #: and its own header members together.
    header: Dict[str, Any]
    #: The additional authenticated data, decoded, or ``None`` when the JWE has none.
    aad: Optional[bytes]
    #: Which recipient's key opened it: its position in ``recipients`` (0 when flattened).
    recipient_index: int
    #: That recipient's ``alg``.
    algorithm: str
    #: That recipient's ``kid``, if it has one.
    kid: Optional[str]
    #: Which of the keys given opened it (0 for a single key; for a JWK Set, its
    #: position among the keys its set made for decryption keeps).
    key_index: int


class _JsonResult(_core.Handle):
    """A ``jwtkit_jwe_json_result``, read once and released."""

    __slots__ = ()
    _free = staticmethod(lib.jwtkit_jwe_json_result_free)

    def text(self, fn: Callable[..., int]) -> bytes:
        out, out_len, err = c_void_p(), c_size_t(), c_void_p()
        status = fn(self.ptr(), byref(out), byref(out_len), byref(err))
        if status:
            raise_for(status, err)
        return _ffi.take_string(out, out_len)


def _json_token(jwe: Union[str, bytes, Dict[str, Any]]) -> bytes:
    if isinstance(jwe, dict):
        return json.dumps(jwe, separators=(",", ":")).encode("utf-8")
    return token_bytes(jwe)


def _key_list(key: Any, algorithms: Iterable[str]) -> List[_core.Key]:
    """The keys to try: a list or tuple of keys, one key, or the keys of a JWK Set
    (``{"keys": [...]}`` or a ``PyJWKSet``) that its set made for decryption keeps, as
    compact decryption takes them."""
    if isinstance(key, (list, tuple)):
        return [_key(k, algorithms) for k in key]
    chosen = _decryption_keys(key, algorithms)
    if isinstance(chosen, _core.KeySet):
        return [chosen.get(i) for i in range(len(chosen))]
    return [chosen]


def decrypt_json(
    jwe: Union[str, bytes, Dict[str, Any]],
    key: Any,
    algorithms: Sequence[str],
    encryptions: Sequence[str],
    *,
    allow_zip: bool = False,
    max_inflated_size: Optional[int] = None,
) -> DecryptedJSON:
    """Decrypts a JWE in JSON serialization (general or flattened; a ``str``, ``bytes``
    or the parsed ``dict``) with ``key``, or with the first key that opens it of a
    ``list``/``tuple`` of keys or a JWK Set (``{"keys": [...]}``, ``PyJWKSet``). ``algorithms`` and ``encryptions`` are the allow-lists
    (required): a recipient whose ``alg`` is not allowed (or ``RSA1_5``, or not
    implemented) is skipped and never tried; when none is allowed,
    ``InvalidAlgorithmError``. A recipient's ``kid`` chooses the keys tried for it (those
    with that ``kid``, else those without one), and only keys that fit its ``alg`` are
    tried. Every wrong-key or modified-token case
    is ``JWEDecryptionError`` with one message. Returns a :class:`DecryptedJSON` saying
    which recipient and key opened it."""
    token = _json_token(jwe)
    p = _policy(algorithms, encryptions, allow_zip, max_inflated_size)
    names = _names(algorithms, "algorithms")
    keys = _key_list(key, names)
    if not keys:
        raise ValueError("decrypt_json needs at least one key (a JWK Set needs one that can decrypt)")
    array = (c_void_p * len(keys))(*[k.ptr() for k in keys])
    out, err = c_void_p(), c_void_p()
    status = lib.jwtkit_jwe_decrypt_json(token, len(token), array, len(keys), p.ptr(), byref(out), byref(err))
    if status:
        raise_for(status, err)
    with _JsonResult(out.value) as result:  # type: ignore[arg-type]
        plaintext = result.text(lib.jwtkit_jwe_json_result_plaintext)
        protected_json = result.text(lib.jwtkit_jwe_json_result_protected_header)
        header = json.loads(result.text(lib.jwtkit_jwe_json_result_header))
        aad_out, aad_len, present, err = c_void_p(), c_size_t(), c_bool(), c_void_p()
        status = lib.jwtkit_jwe_json_result_aad(result.ptr(), byref(aad_out), byref(aad_len), byref(present), byref(err))
        if status:
            raise_for(status, err)
        aad = _ffi.take_string(aad_out, aad_len)
        index, alg, key_index = c_size_t(), c_int32(), c_size_t()
        kid_out, kid_len, err = c_void_p(), c_size_t(), c_void_p()
        status = lib.jwtkit_jwe_json_result_recipient(
            result.ptr(), byref(index), byref(alg), byref(key_index), byref(kid_out), byref(kid_len), byref(err)
        )
        if status:
            raise_for(status, err)
        kid = _ffi.take_string(kid_out, kid_len).decode("utf-8") if kid_out.value else None
    return DecryptedJSON(
        plaintext=plaintext,
        protected_header=json.loads(protected_json) if protected_json else {},
        header=header,
        aad=aad if present.value else None,
        recipient_index=index.value,
        algorithm=ALGORITHMS[alg.value - 1],
        kid=kid,
        key_index=key_index.value,
    )
