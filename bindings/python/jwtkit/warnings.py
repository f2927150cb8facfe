"""PyJWT's warning classes."""


class RemovedInPyjwt3Warning(DeprecationWarning):
    """Warning for features that will be removed in PyJWT 3 (kept for compatibility)."""


class InsecureKeyLengthWarning(UserWarning):
    """An HMAC secret is shorter than the hash output of its algorithm (RFC 7518
    §3.2). jwtkit still uses it, as PyJWT does, unless the ``options`` say
    ``enforce_minimum_key_length``."""
