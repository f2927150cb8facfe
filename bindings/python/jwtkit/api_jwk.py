"""PyJWT's ``PyJWK`` and ``PyJWKSet``. The library parses and checks every key (its
``alg``, ``use`` and ``key_ops`` are enforced on each use); this module keeps PyJWT's
attributes (``key_id``, ``algorithm_name``, …) and its choice of a default algorithm
from ``kty``/``crv`` when a JWK has no ``alg``.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List, Optional

from . import _core, _ffi
from .exceptions import InvalidArgumentError, InvalidKeyError, PyJWKError, PyJWKSetError, PyJWTError, quoted

JWKDict = Dict[str, Any]

# PyJWT's default algorithm for a JWK without `alg`.
_DEFAULT_EC = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512", "secp256k1": "ES256K"}


def _default_algorithm(jwk: JWKDict) -> str:
    kty = jwk.get("kty")
    crv = jwk.get("crv")
    if kty == "EC":
        if not crv:
            return "ES256"
        if crv in _DEFAULT_EC:
            return _DEFAULT_EC[crv]
        raise InvalidKeyError(f"Unsupported crv: {quoted(crv)}")
    if kty == "RSA":
        return "RS256"
    if kty == "oct":
        return "HS256"
    if kty == "OKP":
        if not crv:
            raise InvalidKeyError("crv is not found")
        if crv == "Ed25519":
            return "EdDSA"
        raise InvalidKeyError(f"Unsupported crv: {quoted(crv)}")
    raise InvalidKeyError(f"Unsupported kty: {quoted(kty)}")


class PyJWK:
    """A JSON Web Key (RFC 7517), parsed by jwtkit.

    Pass it as ``key`` to ``encode``/``decode``; with a ``PyJWK`` ``decode`` accepts
    only its ``algorithm_name``. ``key`` is the underlying jwtkit key handle (usable as
    a ``key`` argument too). ``close()`` or ``with`` releases it deterministically.
    """

    def __init__(self, jwk_data: JWKDict, algorithm: Optional[str] = None) -> None:
        if not isinstance(jwk_data, dict):
            raise InvalidKeyError(f"a JWK must be a JSON object, got {type(jwk_data).__name__}")
        self._jwk_data = jwk_data
        kty = jwk_data.get("kty")
        if not kty:
            raise InvalidKeyError("kty is not found")
        if not algorithm:
            algorithm = jwk_data.get("alg")
        if not algorithm:
            algorithm = _default_algorithm(jwk_data)
        if not isinstance(algorithm, str) or _ffi.alg_from_name(algorithm) is None:
            raise PyJWKError(f"Unable to find an algorithm for key: alg {quoted(algorithm)}")
        self.algorithm_name: str = algorithm
        raw = json.dumps(jwk_data, separators=(",", ":")).encode("utf-8")
        self._jwtkit_key = _core.Key.from_jwk(raw)

    @staticmethod
    def from_dict(obj: JWKDict, algorithm: Optional[str] = None) -> "PyJWK":
        return PyJWK(obj, algorithm)

    @staticmethod
    def from_json(data: str, algorithm: Optional[str] = None) -> "PyJWK":
        return PyJWK.from_dict(json.loads(data), algorithm)

    @property
    def key(self) -> _core.Key:
        """The jwtkit key handle (PyJWT gives a ``cryptography`` object here)."""
        return self._jwtkit_key

    @property
    def key_type(self) -> Optional[str]:
        return self._jwk_data.get("kty")

    @property
    def key_id(self) -> Optional[str]:
        return self._jwk_data.get("kid")

    @property
    def public_key_use(self) -> Optional[str]:
        return self._jwk_data.get("use")

    @property
    def closed(self) -> bool:
        return self._jwtkit_key.closed

    def close(self) -> None:
        """Releases the key now (otherwise when the object is collected)."""
        self._jwtkit_key.close()

    def __enter__(self) -> "PyJWK":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def thumbprint(self) -> str:
        """The RFC 7638 SHA-256 thumbprint (base64url), computed by jwtkit."""
        return self._jwtkit_key.thumbprint()

    def public_jwk(self) -> JWKDict:
        """The public half as a JWK ``dict`` (never private members), by jwtkit."""
        return json.loads(self._jwtkit_key.to_public_jwk())  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"<PyJWK kty={self.key_type!r} kid={self.key_id!r} alg={self.algorithm_name!r}>"


def generate_key(algorithm: Optional[str], *, bits: Optional[int] = None, kid: Optional[str] = None) -> PyJWK:
    """A new random private key as a ``PyJWK``, made by jwtkit from the system's random
    source and restricted to ``algorithm``: an HMAC secret as long as the hash (``HS*``),
    a P-256/P-384/P-521/secp256k1 or Ed25519 key pair, or for ``RS*``/``PS*`` an RSA key
    pair of ``bits`` (2048, 3072 or 4096: required, RSA only). ``algorithm=None`` with
    ``bits`` makes an RSA key bound to no algorithm, for every RSA algorithm including
    JWE ``RSA-OAEP``/``RSA-OAEP-256``. ``kid`` defaults to the key's RFC 7638
    thumbprint. Export with ``.key.to_private_jwk()``/``.to_private_pem()`` (secrets) or
    ``.public_jwk()``. RSA generation takes up to seconds (4096 bits).
    """
    if algorithm is None:
        if bits is None:
            raise InvalidArgumentError("generate_key: give an algorithm, or bits for an RSA key of no algorithm")
        alg = 0
    else:
        found = _ffi.alg_from_name(algorithm) if isinstance(algorithm, str) else None
        if found is None:
            raise InvalidArgumentError(f"generate_key: unknown algorithm {quoted(algorithm)}")
        alg = found
    is_rsa = algorithm is None or algorithm[:2] in ("RS", "PS")
    if is_rsa and bits is None:
        raise InvalidArgumentError(f"generate_key: an {algorithm} key needs bits: 2048, 3072 or 4096")
    if not is_rsa and bits is not None:
        raise InvalidArgumentError(f"generate_key: bits is for RSA keys only, not {algorithm}")
    key = _core.Key.generate_rsa(alg, bits) if is_rsa else _core.Key.generate(alg)  # type: ignore[arg-type]
    try:
        named = key.with_kid(kid if kid is not None else key.thumbprint())
        try:
            private = named.to_private_jwk()
        finally:
            named.close()
    finally:
        key.close()
    return PyJWK(json.loads(private), algorithm)


class PyJWKSet:
    """A JWK Set: the usable keys of ``{"keys": [...]}`` (unusable ones are skipped,
    as in PyJWT). ``jwk_set[kid]`` finds a key by ``kid``."""

    def __init__(self, keys: List[JWKDict]) -> None:
        self.keys: List[PyJWK] = []
        self._keyset: Optional[_core.KeySet] = None
        self._decryption_set: Optional[_core.KeySet] = None
        # Every JWK as given: a key for decryption only (`use: enc`, a JWE `alg`) is no
        # PyJWK, yet belongs in the set made for decryption.
        self._jwks: List[JWKDict] = []
        if not keys:
            raise PyJWKSetError("The JWK Set did not contain any keys")
        if not isinstance(keys, list):
            raise PyJWKSetError("Invalid JWK Set value")
        for key in keys:
            if not isinstance(key, dict):
                continue
            self._jwks.append(key)
            try:
                self.keys.append(PyJWK(key))
            except PyJWTError:
                continue  # skip unusable keys, as PyJWT does
        if not self.keys:
            raise PyJWKSetError("The JWK Set did not contain any usable keys.")

    @staticmethod
    def from_dict(obj: Dict[str, Any]) -> "PyJWKSet":
        keys = obj.get("keys", [])
        return PyJWKSet(keys)

    @staticmethod
    def from_json(data: str) -> "PyJWKSet":
        return PyJWKSet.from_dict(json.loads(data))

    def __getitem__(self, kid: str) -> PyJWK:
        for key in self.keys:
            if key.key_id == kid:
                return key
        raise KeyError(f"keyset has no key for kid: {quoted(kid)}")

    def __iter__(self) -> Iterator[PyJWK]:
        return iter(self.keys)

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def _jwtkit_key(self) -> _core.KeySet:
        """The library key set of ``keys`` (built on first use), so that
        ``decode(token, jwk_set, algorithms=[...])`` picks the key by ``kid`` in jwtkit."""
        if self._keyset is None:
            self._keyset = _core.KeySet.from_keys([k._jwtkit_key for k in self.keys])
        return self._keyset

    @property
    def _jwtkit_decryption_set(self) -> _core.KeySet:
        """The library key set made for JWE decryption of every JWK given (built on first
        use), encryption-only ones included: ``jwtkit.jwe.decrypt(token, jwk_set, ...)``
        picks the key by ``kid`` in jwtkit."""
        if self._decryption_set is None:
            text = json.dumps({"keys": self._jwks}, separators=(",", ":")).encode("utf-8")
            self._decryption_set = _core.KeySet.from_jwks_for_decryption(text)
        return self._decryption_set

    @property
    def skipped(self) -> List[Any]:
        """``(status name, message)`` for each key that jwtkit's key set leaves out
        (e.g. ``use: enc``, or a ``kid`` shared by two keys of one kind)."""
        return self._jwtkit_key.skipped()

    def close(self) -> None:
        """Releases every key now."""
        if self._keyset is not None:
            self._keyset.close()
        if self._decryption_set is not None:
            self._decryption_set.close()
        for key in self.keys:
            key.close()

    def __enter__(self) -> "PyJWKSet":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
