"""PyJWT's ``PyJWKClient``: fetches a JWKS URL with ``urllib``, caches the key set,
refetches it when a token names an unknown ``kid``."""

from __future__ import annotations

import http.client
import json
import math
import threading
import time
import urllib.request
from functools import lru_cache
from ssl import SSLContext
from typing import Any, Dict, List, Optional, Union
from urllib.error import HTTPError, URLError
from urllib.parse import urlparse

from .api_jwk import PyJWK, PyJWKSet
from .api_jws import get_unverified_header
from .exceptions import PyJWKClientConnectionError, PyJWKClientError


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> None:
        return None


class _JWKSetCache:
    def __init__(self, lifespan: float) -> None:
        self.lifespan = lifespan
        self._value: Optional[PyJWKSet] = None
        self._stamp = 0.0

    def put(self, jwk_set: Optional[PyJWKSet]) -> None:
        self._value = jwk_set
        self._stamp = time.monotonic()

    def get(self) -> Optional[PyJWKSet]:
        if self._value is None or self.is_expired():
            return None
        return self._value

    def is_expired(self) -> bool:
        return self._value is not None and time.monotonic() > self._stamp + self.lifespan


class PyJWKClient:
    """Gets signing keys from a JWKS endpoint (same arguments as PyJWT's)."""

    def __init__(
        self,
        uri: str,
        cache_keys: bool = False,
        max_cached_keys: int = 16,
        cache_jwk_set: bool = True,
        lifespan: float = 300,
        headers: Optional[Dict[str, Any]] = None,
        timeout: float = 30,
        ssl_context: Optional[SSLContext] = None,
        cooldown_duration: float = 30,
    ) -> None:
        scheme = urlparse(uri).scheme.lower()
        if scheme not in ("http", "https"):
            raise PyJWKClientError(
                f"Invalid JWKS URI scheme {scheme!r}: only 'http' and 'https' are supported."
            )
        if cooldown_duration < 0 or not math.isfinite(cooldown_duration):
            raise PyJWKClientError(
                f'Cooldown duration must be a finite number >= 0, the input is "{cooldown_duration}"'
            )
        self.uri = uri
        self.headers = headers if headers is not None else {}
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.cooldown_duration = cooldown_duration
        self._last_successful_fetch: Optional[float] = None
        self._lock = threading.RLock()
        self.jwk_set_cache: Optional[_JWKSetCache] = None
        if cache_jwk_set:
            if lifespan <= 0:
                raise PyJWKClientError(f'Lifespan must be greater than 0, the input is "{lifespan}"')
            self.jwk_set_cache = _JWKSetCache(lifespan)
        if cache_keys:
            self.get_signing_key = lru_cache(maxsize=max_cached_keys)(self.get_signing_key)  # type: ignore[method-assign]

    def fetch_data(self) -> Any:
        """Fetches the JWK Set; caches it parsed. Network failures raise
        ``PyJWKClientConnectionError``."""
        try:
            request = urllib.request.Request(url=self.uri, headers=self.headers)
            handlers: List[Any] = [_NoRedirect()]
            if self.ssl_context is not None:
                handlers.append(urllib.request.HTTPSHandler(context=self.ssl_context))
            opener = urllib.request.build_opener(*handlers)
            with opener.open(request, timeout=self.timeout) as response:
                data = json.load(response)
        except (URLError, TimeoutError, ConnectionError, http.client.HTTPException) as e:
            if isinstance(e, HTTPError):
                e.close()
            raise PyJWKClientConnectionError(f'Fail to fetch data from the url, err: "{e}"') from e
        except ValueError as e:
            raise PyJWKClientError(f"The JWKS endpoint did not return JSON: {e}") from e
        if not isinstance(data, dict):
            raise PyJWKClientError("The JWKS endpoint did not return a JSON object")
        if self.jwk_set_cache is not None:
            self.jwk_set_cache.put(PyJWKSet.from_dict(data))
        self._last_successful_fetch = time.monotonic()
        return data

    def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:
        with self._lock:
            if self.jwk_set_cache is not None and not refresh:
                cached = self.jwk_set_cache.get()
                if cached is not None:
                    return cached
            data = self.fetch_data()
            if self.jwk_set_cache is not None:
                cached = self.jwk_set_cache.get()
                if cached is not None:
                    return cached
            if not isinstance(data, dict):
                raise PyJWKClientError("The JWKS endpoint did not return a JSON object")
            return PyJWKSet.from_dict(data)

    def get_signing_keys(self, refresh: bool = False) -> List[PyJWK]:
        jwk_set = self.get_jwk_set(refresh)
        keys = [k for k in jwk_set.keys if k.public_key_use in ("sig", None) and k.key_id]
        if not keys:
            raise PyJWKClientError("The JWKS endpoint did not contain any signing keys")
        return keys

    def get_signing_key(self, kid: str) -> PyJWK:
        """The signing key with ``kid``; an unknown ``kid`` refetches the set once
        (unless the last fetch is younger than ``cooldown_duration``)."""
        with self._lock:
            key = self.match_kid(self.get_signing_keys(), kid)
            if key is None:
                cooling = (
                    self.jwk_set_cache is not None
                    and self._last_successful_fetch is not None
                    and time.monotonic() - self._last_successful_fetch < self.cooldown_duration
                )
                if not cooling:
                    key = self.match_kid(self.get_signing_keys(refresh=True), kid)
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
