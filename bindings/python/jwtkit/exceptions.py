"""PyJWT's exception hierarchy, with the same names (``import jwtkit as jwt`` keeps
``except jwt.ExpiredSignatureError`` working), plus a few subclasses for checks that
jwtkit makes and PyJWT does not. Every error that a *token* can cause is an
:class:`InvalidTokenError`, so applications that answer 401 on ``InvalidTokenError``
keep doing so when jwtkit is stricter than PyJWT.

Errors raised from a library status carry ``status`` (the ``JWTKIT_ERR_*`` number),
``status_name`` and ``detail`` (the library's message: what was wrong and where).
"""

from __future__ import annotations

from typing import Optional


def quoted(value: object, limit: int = 64) -> str:
    """A value from the input as this package's own messages show it: ``repr`` (so
    control characters are escaped), cut to ``limit`` characters. Messages from the
    library are already escaped and cut there."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


class PyJWTError(Exception):
    """Base class for all exceptions."""

    status: Optional[int] = None
    status_name: Optional[str] = None
    detail: Optional[str] = None
    #: The claim a claim failure is about (the library's ``jwtkit_error_claim``).
    claim: Optional[str] = None


class InvalidTokenError(PyJWTError):
    """Base exception when ``decode()`` fails on a token."""


class DecodeError(InvalidTokenError):
    """The token cannot be decoded: malformed, bad base64url or JSON, bad header."""


class InvalidSignatureError(DecodeError):
    """The token's signature does not verify with the key given."""


class ExpiredSignatureError(InvalidTokenError):
    """The token's ``exp`` claim is in the past (beyond the leeway)."""


class InvalidAudienceError(InvalidTokenError):
    """The token's ``aud`` claim does not match one of the expected audiences."""


class InvalidIssuerError(InvalidTokenError):
    """The token's ``iss`` claim does not match the expected issuer."""


class InvalidIssuedAtError(InvalidTokenError):
    """The token's ``iat`` claim is not a number."""


class ImmatureSignatureError(InvalidTokenError):
    """The token's ``nbf`` or ``iat`` claim is in the future."""


class InvalidKeyError(PyJWTError):
    """The key is not in a proper format, not supported, or too weak."""


class InvalidAlgorithmError(InvalidTokenError):
    """The token's algorithm is unknown or not in the allow-list."""


class MissingRequiredClaimError(InvalidTokenError):
    """A claim that is required is absent."""

    def __init__(self, claim: str) -> None:
        super().__init__(claim)
        self.claim = claim

    def __str__(self) -> str:
        return f'Token is missing the "{self.claim}" claim'


class PyJWKError(PyJWTError):
    pass


class MissingCryptographyError(PyJWKError):
    """Kept for PyJWT compatibility; jwtkit never needs ``cryptography``."""


class PyJWKSetError(PyJWTError):
    pass


class PyJWKClientError(PyJWTError):
    pass


class PyJWKClientConnectionError(PyJWKClientError):
    pass


class InvalidSubjectError(InvalidTokenError):
    """The token's ``sub`` claim is not a string or not the expected subject."""


class InvalidJTIError(InvalidTokenError):
    """The token's ``jti`` claim is not a string."""


# --- jwtkit additions (all subclasses of PyJWT's classes) -------------------------


class KeyAlgorithmMismatchError(InvalidAlgorithmError, InvalidKeyError):
    """The key's kind or curve does not fit the token's algorithm (e.g. an RSA key for
    an HS256 token), or a JWK's ``alg``/``use``/``key_ops`` forbid it. Both an
    :class:`InvalidKeyError` (as PyJWT raises) and an :class:`InvalidTokenError`."""


class InvalidKeyTypeError(InvalidKeyError, TypeError):
    """The ``key`` argument is not a key at all: ``None`` (a key lookup that found
    nothing), a number, a list, a key set where one key is needed, … Both an
    :class:`InvalidKeyError`, so ``except jwt.PyJWTError`` handles a missing key like
    any other bad key, and a ``TypeError``, as PyJWT raises for these."""


class KeyNotFoundError(InvalidTokenError, PyJWKClientError):
    """No key of the key set has the token's ``kid``, or fits its algorithm."""


class TokenTooOldError(ExpiredSignatureError):
    """The token's ``iat`` is older than the ``max_age`` given to ``decode``."""


class InvalidTypError(InvalidTokenError):
    """The header's ``typ`` is absent or not the one given to ``decode`` (``typ=``)."""


class RevokedTokenError(InvalidTokenError):
    """The ``is_revoked`` callback given to ``decode`` reported the token revoked."""


class InvalidArgumentError(PyJWTError, ValueError):
    """jwtkit refused an argument (e.g. a claim given both in the payload and as an
    option, or an unknown flag)."""


class LibraryError(PyJWTError):
    """A bug inside libjwtkit was caught at its C boundary (``JWTKIT_ERR_PANIC``)."""


# JWE (``jwtkit.jwe``): every error an encrypted token can cause is an InvalidTokenError.


class JWEError(InvalidTokenError):
    """An encrypted token (JWE) was refused."""


class JWEDecryptionError(JWEError):
    """The JWE did not decrypt: wrong key, or a modified encrypted key, IV, ciphertext,
    tag or header. One class and one message for all of them, on purpose."""


class InvalidEncryptionError(JWEError, InvalidAlgorithmError):
    """The token's ``enc`` is unknown or not in the ``encryptions`` allow-list."""


class InsecureAlgorithmError(JWEError, InvalidAlgorithmError):
    """``RSA1_5``: refused whatever the allow-list (Bleichenbacher's attack)."""


class JWECompressionError(JWEError):
    """Compressed content (``zip``) is not allowed, or inflates past the size cap."""


class InvalidEphemeralKeyError(JWEError, DecodeError):
    """The header's ``epk`` is not a public key on the recipient's curve."""


class PBES2CountError(JWEError, DecodeError):
    """A PBES2 JWE asks for more PBKDF2 iterations (``p2c``) than the cap
    (``max_pbes2_count``, 10000 by default); refused before any key derivation."""


class KeyCannotDecryptError(JWEError, InvalidKeyError):
    """Decryption needs the recipient's private key (or the shared secret); this key
    is public."""


# DPoP (``jwtkit.dpop``, RFC 9449): what a server answers follows from the class.


class InvalidDPoPProofError(InvalidTokenError):
    """A DPoP proof was refused: the server answers ``invalid_dpop_proof``. Which check
    failed is data from the library: ``.status_name`` (``JWTKIT_ERR_SIGNATURE_INVALID``,
    ``JWTKIT_ERR_DPOP_HTU_MISMATCH``, ``JWTKIT_ERR_TOO_OLD``, …) and, for a missing or
    mistyped claim, ``.claim``."""


class UseDPoPNonceError(InvalidDPoPProofError):
    """The server expects a nonce and the proof has none, or another one: answer
    ``use_dpop_nonce`` with a fresh ``DPoP-Nonce`` header."""


class DPoPProofReplayedError(InvalidDPoPProofError):
    """The replay check has seen this proof's ``jti`` (for its key) within the window."""


class DPoPReplayCheckError(InvalidDPoPProofError):
    """The replay check could not answer (its store failed, or the callback raised: the
    exception is chained): the proof is refused (fail closed, like every
    ``InvalidDPoPProofError``), but the fault is the server's: answer 503, not 401."""


class DPoPBindingError(InvalidTokenError):
    """An access token presented with a DPoP proof is not bound to the proof's key (its
    ``cnf.jkt`` is absent or another key's): the server answers ``invalid_token``."""


class DPoPBoundTokenAsBearerError(DPoPBindingError):
    """A DPoP-bound access token (one with ``cnf.jkt``) was presented as a Bearer token."""


__all__ = [
    "PyJWTError",
    "InvalidTokenError",
    "DecodeError",
    "InvalidSignatureError",
    "ExpiredSignatureError",
    "InvalidAudienceError",
    "InvalidIssuerError",
    "InvalidIssuedAtError",
    "ImmatureSignatureError",
    "InvalidKeyError",
    "InvalidAlgorithmError",
    "MissingRequiredClaimError",
    "PyJWKError",
    "MissingCryptographyError",
    "PyJWKSetError",
    "PyJWKClientError",
    "PyJWKClientConnectionError",
    "InvalidSubjectError",
    "InvalidJTIError",
    "KeyAlgorithmMismatchError",
    "InvalidKeyTypeError",
    "KeyNotFoundError",
    "TokenTooOldError",
    "InvalidTypError",
    "RevokedTokenError",
    "InvalidArgumentError",
    "LibraryError",
    "JWEError",
    "JWEDecryptionError",
    "InvalidEncryptionError",
    "InsecureAlgorithmError",
    "JWECompressionError",
    "InvalidEphemeralKeyError",
    "PBES2CountError",
    "KeyCannotDecryptError",
    "InvalidDPoPProofError",
    "UseDPoPNonceError",
    "DPoPProofReplayedError",
    "DPoPReplayCheckError",
    "DPoPBindingError",
    "DPoPBoundTokenAsBearerError",
]
