"""Placeholder for PyJWT's ``jwt.algorithms``, which jwtkit does not have: jwtkit has no
algorithm objects (algorithms are names; keys and signatures live in the library) and
no ``register_algorithm``. The names exist so that PyJWT's test modules import; using
any of them raises, and every test that does is listed in ``excluded.txt`` as
``internal``."""

from typing import Any

try:
    import cryptography  # noqa: F401

    #: jwtkit accepts ``cryptography`` key objects when the package is installed.
    has_crypto = True
except ImportError:  # pragma: no cover
    has_crypto = False

AllowedRSAKeys = Any
AllowedECKeys = Any
AllowedOKPKeys = Any
AllowedKeys = Any
AllowedPrivateKeys = Any
AllowedPublicKeys = Any


class _NotInJwtkit:
    """PyJWT's algorithm classes are internals that jwtkit does not provide."""

    SHA256 = SHA384 = SHA512 = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(f"jwt.algorithms.{type(self).__name__} is PyJWT-internal; jwtkit has no algorithm objects")

    @classmethod
    def _refuse(cls, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"jwt.algorithms.{cls.__name__} is PyJWT-internal; jwtkit has no algorithm objects")

    from_jwk = to_jwk = _refuse


class Algorithm(_NotInJwtkit):
    pass


class NoneAlgorithm(_NotInJwtkit):
    pass


class HMACAlgorithm(_NotInJwtkit):
    pass


class RSAAlgorithm(_NotInJwtkit):
    pass


class RSAPSSAlgorithm(_NotInJwtkit):
    pass


class ECAlgorithm(_NotInJwtkit):
    pass


class OKPAlgorithm(_NotInJwtkit):
    pass


def get_default_algorithms() -> Any:
    raise NotImplementedError("jwt.algorithms.get_default_algorithms is PyJWT-internal; jwtkit has no algorithm objects")
