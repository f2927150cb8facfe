"""Placeholder for PyJWT's ``jwt.jwk_set_cache`` (the internal cache of its urllib-based
``PyJWKClient``): jwtkit's client caches in the library's JWKS source. Tests that use it
are listed in ``excluded.txt`` as ``internal``."""

from typing import Any


class JWKSetCache:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("jwt.jwk_set_cache is PyJWT-internal; jwtkit caches in the library's JWKS source")
