"""PyJWT's ``PyJWKClient`` over the library's JWKS source (``jwtkit_jwks_source``).

Fetching, caching (``lifespan``, ``Cache-Control: max-age``, ``ETag``/304), the
cooldown on refreshes asked for by unknown ``kid``s, keeping the last good key set
when a refresh fails, TLS and the limits on what is read all happen in the library,
the same code C callers use: this module only maps PyJWT's arguments onto the source's
options and its answers onto PyJWT's types and exceptions.

Deliberate differences from PyJWT (see the package README):

- ``http://`` URLs are refused unless the host is a loopback address (``127.0.0.0/8``,
  ``::1``, ``localhost``) or ``allow_http=True`` is passed;
- an ``ssl_context`` that does not verify certificates (``CERT_NONE``) is refused; from
  a given context only its CA certificates are used;
- a set without a usable key, or a body that is not a JWK Set, is a failed refresh
  (``PyJWKClientError``), and a failed refresh keeps the keys fetched before.
"""

from __future__ import annotations

import ipaddress
import json
import math
import ssl
import threading
from ctypes import byref, c_size_t, c_void_p
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple, Union
from urllib.parse import urlsplit

from . import _ffi
from ._core import Handle, KeySet
from ._ffi import lib
from ._status import exception_for
from .api_jwk import PyJWK, PyJWKSet
from .api_jws import get_unverified_header
from .exceptions import PyJWKClientConnectionError, PyJWKClientError, PyJWTError

#: The shortest a ``Cache-Control: max-age`` may make the key set's lifetime, in
#: milliseconds (never longer than ``lifespan``): a server answering ``max-age=0`` or
#: ``no-store`` is not fetched on every call.
_MIN_CACHE_MS = 1000


class _Source(Handle):
    """A ``jwtkit_jwks_source`` (reference-counted, thread-safe in the library)."""

    __slots__ = ()
    _free = staticmethod(lib.jwtkit_jwks_source_free)


def _client_error(status: int, detail: str) -> PyJWTError:
    """The exception for a failed fetch or an unusable answer: PyJWT's class (and its
    wording for a failed fetch), with ``status``, ``status_name`` and ``detail``."""
    exc: PyJWTError
    if status == _ffi.JWTKIT_ERR_KEY_SOURCE:
        exc = PyJWKClientConnectionError(f'Fail to fetch data from the url, err: "{detail}"')
    elif status == _ffi.JWTKIT_ERR_KEY_INVALID:
        exc = PyJWKClientError(f"The JWKS endpoint did not return a usable JWK Set: {detail}")
    elif status == _ffi.JWTKIT_ERR_INVALID_ARGUMENT:
        exc = PyJWKClientError(detail)
    else:
        return exception_for(status, detail)
    exc.status = status
    exc.status_name = _ffi.status_name(status)
    exc.detail = detail
    return exc


def _raise(status: int, err: c_void_p) -> None:
    status, detail, _claim = _ffi.take_error(err, status)
    raise _client_error(status, detail)


def _call(fn: Any, *args: Any) -> None:
    err = c_void_p()
    status = fn(*args, byref(err))
    if status:
        _raise(status, err)


def _is_loopback(host: Optional[str]) -> bool:
    if not host:
        return False
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


#: The longest time (ms) given to the library: a year, for ``lifespan=math.inf`` and the like.
_LONGEST_MS = 365 * 24 * 3600 * 1000


def _milliseconds(seconds: float, what: str) -> int:
    """``seconds`` (a number >= 0, possibly infinite) in whole milliseconds, rounded up,
    at most a year."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or math.isnan(seconds):
        raise PyJWKClientError(f'{what} must be a number of seconds, the input is "{seconds}"')
    if seconds >= _LONGEST_MS / 1000:
        return _LONGEST_MS
    return max(0, math.ceil(seconds * 1000))


class PyJWKClient:
    """Gets signing keys from a JWKS endpoint: PyJWT's arguments and methods, the
    library's JWKS source underneath (one per client, shared by its threads).

    - ``lifespan``: how long a fetched key set is used (seconds); a
      ``Cache-Control: max-age`` may shorten it (down to 1 s), never lengthen it.
    - ``cooldown_duration``: the least time between two fetches asked for by unknown
      ``kid``s, or retried after a failure.
    - ``timeout``: bounds both the connection and the whole fetch.
    - ``headers``: sent with every request.
    - ``ssl_context``: its CA certificates are the ones trusted (the system's when it
      has none); one with ``verify_mode == CERT_NONE`` is refused.
    - ``allow_http`` (jwtkit's): allow ``http://`` URLs for any host, not only loopback.
    """

    def __init__(
        self,
        uri: str,
        cache_keys: bool = False,
        max_cached_keys: int = 16,
        cache_jwk_set: bool = True,
        lifespan: float = 300,
        headers: Optional[Dict[str, Any]] = None,
        timeout: float = 30,
        ssl_context: Optional[ssl.SSLContext] = None,
        cooldown_duration: float = 30,
        *,
        allow_http: bool = False,
    ) -> None:
        if not isinstance(uri, str):
            raise PyJWKClientError(f"The JWKS URI must be a str, got {type(uri).__name__}")
        try:
            parts = urlsplit(uri)
            host = parts.hostname
        except ValueError as e:
            raise PyJWKClientError(f"Invalid JWKS URI {uri!r}: {e}") from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise PyJWKClientError(
                f"Invalid JWKS URI scheme {scheme!r}: only 'http' and 'https' are supported."
            )
        if scheme == "http" and not allow_http and not _is_loopback(host):
            raise PyJWKClientError(
                f"Refusing the plain http JWKS URI {uri!r}: keys fetched in clear can be replaced "
                "on the way. Use https, or pass allow_http=True (http is allowed without it only "
                "for loopback hosts: 127.0.0.0/8, ::1, localhost)."
            )
        if cooldown_duration < 0 or not math.isfinite(cooldown_duration):
            raise PyJWKClientError(
                f'Cooldown duration must be a finite number >= 0, the input is "{cooldown_duration}"'
            )
        if cache_jwk_set and not lifespan > 0:
            raise PyJWKClientError(f'Lifespan must be greater than 0, the input is "{lifespan}"')
        if ssl_context is not None and ssl_context.verify_mode == ssl.CERT_NONE:
            raise PyJWKClientError(
                "The ssl_context does not verify certificates (verify_mode is CERT_NONE): jwtkit "
                "never fetches keys without verifying TLS. Pass a context that trusts the "
                "server's CA instead (ssl.create_default_context(cafile=...))."
            )
        self.uri = uri
        self.headers = headers if headers is not None else {}
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.cooldown_duration = cooldown_duration
        self.allow_http = allow_http
        self.cache_jwk_set = bool(cache_jwk_set)
        self.lifespan = lifespan
        # With cache_jwk_set=False every get_jwk_set() fetches; the source still needs
        # cache times for the sets it hands out meanwhile.
        lifespan_ms = _milliseconds(lifespan if cache_jwk_set or _positive(lifespan) else 300, "Lifespan")
        if timeout is not None and not _positive(timeout):
            raise PyJWKClientError(f'Timeout must be greater than 0, the input is "{timeout}"')
        timeout_ms = _milliseconds(30 if timeout is None else timeout, "Timeout")

        options = c_void_p()
        _call(lib.jwtkit_jwks_options_new, byref(options))
        try:
            _call(
                lib.jwtkit_jwks_options_set_cache_times,
                options,
                lifespan_ms,
                min(_MIN_CACHE_MS, lifespan_ms),
                lifespan_ms,
            )
            _call(lib.jwtkit_jwks_options_set_cooldown, options, _milliseconds(cooldown_duration, "Cooldown"))
            _call(lib.jwtkit_jwks_options_set_timeouts, options, timeout_ms, timeout_ms)
            # PyJWT follows no redirect; neither does this client (the body cap stays
            # the library's, 1 MiB).
            _call(lib.jwtkit_jwks_options_set_limits, options, 1024 * 1024, 0)
            if scheme == "http":
                _call(lib.jwtkit_jwks_options_allow_http, options, True)
            for name, value in self.headers.items():
                n = str(name).encode("utf-8", "surrogatepass")
                v = str(value).encode("utf-8", "surrogatepass")
                _call(lib.jwtkit_jwks_options_add_header, options, n, len(n), v, len(v))
            if ssl_context is not None:
                cas = ssl_context.get_ca_certs(binary_form=True)
                if cas:
                    _call(lib.jwtkit_jwks_options_use_system_cas, options, False)
                    for der in cas:
                        _call(lib.jwtkit_jwks_options_add_ca, options, der, len(der))
            raw = uri.encode("utf-8", "surrogatepass")
            source = c_void_p()
            _call(lib.jwtkit_jwks_source_from_url, raw, len(raw), options, byref(source))
        finally:
            lib.jwtkit_jwks_options_free(options)
        self._source = _Source(source.value)  # type: ignore[arg-type]
        # The PyJWKSet of the source's current key set, and that set (whose reference
        # is held, so its address cannot be reused while it is compared against).
        self._current: Optional[Tuple[KeySet, PyJWKSet]] = None
        self._current_lock = threading.Lock()
        if cache_keys:
            self.get_signing_key = lru_cache(maxsize=max_cached_keys)(self.get_signing_key)  # type: ignore[method-assign]

    # --- the source's calls ----------------------------------------------------------

    def _refresh(self) -> None:
        """Fetches now (or waits for the fetch in flight); raises its failure."""
        _call(lib.jwtkit_jwks_source_refresh, self._source.ptr())

    def _keyset(self) -> KeySet:
        """The source's current key set, fetched first when due. A source with no set
        to offer raises what its last refresh failed with."""
        out = c_void_p()
        err = c_void_p()
        status = lib.jwtkit_jwks_source_keyset(self._source.ptr(), byref(out), byref(err))
        if status:
            status, detail, _claim = _ffi.take_error(err, status)
            if status == _ffi.JWTKIT_ERR_KEY_SOURCE and not self._status().key_count:
                # No set was ever fetched: the error is the last refresh's, which may be
                # an answer that is not a usable JWK Set rather than a failed fetch.
                self._raise_last_failure()
            raise _client_error(status, detail)
        return KeySet(out.value)  # type: ignore[arg-type]

    def _raise_last_failure(self) -> None:
        """Raises the source's last failed refresh, if it had one."""
        failure = c_void_p()
        status = lib.jwtkit_jwks_source_last_failure(self._source.ptr(), byref(failure))
        if status:
            _raise(status, failure)

    def _status(self) -> _ffi.JwksStatus:
        out = _ffi.JwksStatus()
        _call(lib.jwtkit_jwks_source_status, self._source.ptr(), byref(out))
        return out

    def _document(self) -> bytes:
        out = c_void_p()
        out_len = c_size_t()
        _call(lib.jwtkit_jwks_source_document, self._source.ptr(), byref(out), byref(out_len))
        return _ffi.take_string(out, out_len)

    def _jwk_set_of(self, keyset: KeySet) -> PyJWKSet:
        """The ``PyJWKSet`` of a set the source handed out: built once per set, from the
        document that set was read from; verifying with it uses that very set."""
        current = self._current
        if current is not None and current[0]._ptr == keyset._ptr and not current[1]._jwtkit_key.closed:
            keyset.close()  # one more reference to the set already held
            return current[1]
        jwk_set = PyJWKSet.from_dict(json.loads(self._document()))
        jwk_set._keyset = keyset
        with self._current_lock:
            self._current = (keyset, jwk_set)
        return jwk_set

    # --- PyJWT's API -----------------------------------------------------------------

    def fetch_data(self) -> Any:
        """Fetches the JWK Set now and returns it parsed (a ``dict``); the source keeps
        it as its current set. A failed fetch raises ``PyJWKClientConnectionError``, an
        answer that is not a JWK Set with a usable key ``PyJWKClientError``; either way
        the keys fetched before stay in use."""
        self._refresh()
        return json.loads(self._document())

    def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:
        """The current key set: from the cache while it is fresh (``cache_jwk_set``),
        fetched first when it is due, when ``refresh`` is true or without a cache."""
        if refresh or not self.cache_jwk_set:
            self._refresh()
        return self._jwk_set_of(self._keyset())

    def get_signing_keys(self, refresh: bool = False) -> List[PyJWK]:
        return self._signing_keys(self.get_jwk_set(refresh))

    @staticmethod
    def _signing_keys(jwk_set: PyJWKSet) -> List[PyJWK]:
        keys = [k for k in jwk_set.keys if k.public_key_use in ("sig", None) and k.key_id]
        if not keys:
            raise PyJWKClientError("The JWKS endpoint did not contain any signing keys")
        return keys

    def get_signing_key(self, kid: str) -> PyJWK:
        """The signing key with ``kid``. An unknown ``kid`` asks the source for a refresh,
        which it makes at most once per ``cooldown_duration`` (concurrent callers share
        it); then the key is looked for once more."""
        jwk_set = self.get_jwk_set()
        key = self.match_kid(self._signing_keys(jwk_set), kid)
        if key is not None:
            return key
        seen = jwk_set._keyset
        if seen is None or seen.closed:  # pragma: no cover - sets from _jwk_set_of have one
            seen = self._keyset()
        before = self._status().attempts
        newer = c_void_p()
        _call(lib.jwtkit_jwks_source_report_unknown_kid, self._source.ptr(), seen.ptr(), byref(newer))
        if newer.value:
            key = self.match_kid(self._signing_keys(self._jwk_set_of(KeySet(newer.value))), kid)
        else:
            after = self._status()
            if after.failing and after.attempts > before:
                # The refresh this unknown kid asked for (or the one it waited for) failed.
                self._raise_last_failure()
        if key is None:
            raise PyJWKClientError(f'Unable to find a signing key that matches: "{kid}"')
        return key

    def get_signing_key_from_jwt(self, token: Union[str, bytes]) -> PyJWK:
        """The signing key named by the token's (unverified) ``kid``."""
        header = get_unverified_header(token)
        return self.get_signing_key(header.get("kid"))  # type: ignore[arg-type]

    @staticmethod
    def match_kid(signing_keys: List[PyJWK], kid: str) -> Optional[PyJWK]:
        for key in signing_keys:
            if key.key_id == kid:
                return key
        return None
