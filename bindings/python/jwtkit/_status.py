"""Maps jwtkit status codes (``JWTKIT_ERR_*``) to PyJWT's exception classes. The one
place where library errors become Python exceptions.

The exception's ``str()`` is PyJWT's message where PyJWT users match on one
("Signature has expired", "Signature verification failed", …); the library's own
message, which says what was wrong and where, is always in ``.detail``.
"""

from __future__ import annotations

from typing import Dict, Optional, Protocol, Tuple, Type

from . import _ffi
from .exceptions import (
    DecodeError,
    DPoPBindingError,
    DPoPBoundTokenAsBearerError,
    DPoPProofReplayedError,
    DPoPReplayCheckError,
    InvalidDPoPProofError,
    UseDPoPNonceError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidSubjectError,
    InvalidTokenError,
    InvalidTypError,
    InsecureAlgorithmError,
    InvalidEncryptionError,
    InvalidEphemeralKeyError,
    PBES2CountError,
    JWECompressionError,
    JWEDecryptionError,
    KeyAlgorithmMismatchError,
    KeyCannotDecryptError,
    KeyNotFoundError,
    LibraryError,
    MissingRequiredClaimError,
    PyJWKClientConnectionError,
    PyJWTError,
    RevokedTokenError,
    TokenTooOldError,
)

# status -> (exception class, PyJWT's message or None to use the library's)
_TABLE: Dict[int, Tuple[Type[PyJWTError], Optional[str]]] = {
    _ffi.JWTKIT_ERR_NULL_ARGUMENT: (InvalidArgumentError, None),
    _ffi.JWTKIT_ERR_INVALID_ARGUMENT: (InvalidArgumentError, None),
    _ffi.JWTKIT_ERR_PANIC: (LibraryError, None),
    _ffi.JWTKIT_ERR_OUT_OF_MEMORY: (LibraryError, None),
    _ffi.JWTKIT_ERR_KEY_INVALID: (InvalidKeyError, None),
    _ffi.JWTKIT_ERR_KEY_UNSUPPORTED: (InvalidKeyError, None),
    _ffi.JWTKIT_ERR_KEY_TOO_WEAK: (InvalidKeyError, None),
    _ffi.JWTKIT_ERR_KEY_ALG_MISMATCH: (KeyAlgorithmMismatchError, None),
    _ffi.JWTKIT_ERR_KEY_CANNOT_SIGN: (InvalidKeyError, None),
    _ffi.JWTKIT_ERR_KEY_USAGE: (KeyAlgorithmMismatchError, None),
    _ffi.JWTKIT_ERR_KEY_NOT_FOUND: (KeyNotFoundError, None),
    _ffi.JWTKIT_ERR_KEY_NOT_SECRET: (
        InvalidKeyError,
        "The specified key is an asymmetric key or x509 certificate and should not be used as an HMAC secret.",
    ),
    # A JWKS source with no key set to offer (fetch failed, never fed, too stale).
    _ffi.JWTKIT_ERR_KEY_SOURCE: (PyJWKClientConnectionError, None),
    _ffi.JWTKIT_ERR_TOKEN_MALFORMED: (DecodeError, None),
    _ffi.JWTKIT_ERR_TOKEN_TOO_LARGE: (DecodeError, None),
    _ffi.JWTKIT_ERR_BASE64: (DecodeError, None),
    _ffi.JWTKIT_ERR_JSON: (DecodeError, None),
    _ffi.JWTKIT_ERR_JSON_LIMIT: (DecodeError, None),
    _ffi.JWTKIT_ERR_HEADER_INVALID: (DecodeError, None),
    _ffi.JWTKIT_ERR_CRIT_UNSUPPORTED: (InvalidTokenError, None),
    _ffi.JWTKIT_ERR_ALG_UNSUPPORTED: (InvalidAlgorithmError, "Algorithm not supported"),
    _ffi.JWTKIT_ERR_ALG_NOT_ALLOWED: (InvalidAlgorithmError, "The specified alg value is not allowed"),
    _ffi.JWTKIT_ERR_SIGNATURE_INVALID: (InvalidSignatureError, "Signature verification failed"),
    _ffi.JWTKIT_ERR_CLAIM_INVALID: (DecodeError, None),  # refined by claim below
    _ffi.JWTKIT_ERR_EXPIRED: (ExpiredSignatureError, "Signature has expired"),
    _ffi.JWTKIT_ERR_NOT_YET_VALID: (ImmatureSignatureError, "The token is not yet valid (nbf)"),
    _ffi.JWTKIT_ERR_ISSUED_IN_FUTURE: (ImmatureSignatureError, "The token is not yet valid (iat)"),
    _ffi.JWTKIT_ERR_TOO_OLD: (TokenTooOldError, None),
    _ffi.JWTKIT_ERR_CLAIM_MISSING: (MissingRequiredClaimError, None),  # built below
    _ffi.JWTKIT_ERR_ISSUER_MISMATCH: (InvalidIssuerError, "Invalid issuer"),
    _ffi.JWTKIT_ERR_AUDIENCE_MISMATCH: (InvalidAudienceError, None),  # refined below
    _ffi.JWTKIT_ERR_SUBJECT_MISMATCH: (InvalidSubjectError, "Invalid subject"),
    _ffi.JWTKIT_ERR_TYP_MISMATCH: (InvalidTypError, None),
    _ffi.JWTKIT_ERR_REVOKED: (RevokedTokenError, None),
    # JWE
    _ffi.JWTKIT_ERR_JWE_DECRYPTION_FAILED: (JWEDecryptionError, None),
    _ffi.JWTKIT_ERR_JWE_ENC_UNSUPPORTED: (InvalidEncryptionError, None),
    _ffi.JWTKIT_ERR_JWE_ENC_NOT_ALLOWED: (InvalidEncryptionError, None),
    _ffi.JWTKIT_ERR_JWE_ALG_INSECURE: (InsecureAlgorithmError, None),
    _ffi.JWTKIT_ERR_JWE_ZIP_NOT_ALLOWED: (JWECompressionError, None),
    _ffi.JWTKIT_ERR_JWE_ZIP_LIMIT: (JWECompressionError, None),
    _ffi.JWTKIT_ERR_JWE_EPK_INVALID: (InvalidEphemeralKeyError, None),
    _ffi.JWTKIT_ERR_JWE_KEY_CANNOT_DECRYPT: (KeyCannotDecryptError, None),
    _ffi.JWTKIT_ERR_JWE_P2C_LIMIT: (PBES2CountError, None),
    # DPoP
    _ffi.JWTKIT_ERR_DPOP_PRIVATE_JWK: (InvalidDPoPProofError, None),
    _ffi.JWTKIT_ERR_DPOP_HTM_MISMATCH: (InvalidDPoPProofError, None),
    _ffi.JWTKIT_ERR_DPOP_HTU_MISMATCH: (InvalidDPoPProofError, None),
    _ffi.JWTKIT_ERR_DPOP_ATH_MISMATCH: (InvalidDPoPProofError, None),
    _ffi.JWTKIT_ERR_DPOP_NONCE: (UseDPoPNonceError, None),
    _ffi.JWTKIT_ERR_DPOP_REPLAYED: (DPoPProofReplayedError, None),
    _ffi.JWTKIT_ERR_DPOP_REPLAY_CHECK: (DPoPReplayCheckError, None),
    _ffi.JWTKIT_ERR_DPOP_BINDING_MISMATCH: (DPoPBindingError, None),
    _ffi.JWTKIT_ERR_DPOP_BOUND_TOKEN_AS_BEARER: (DPoPBoundTokenAsBearerError, None),
}

#: Statuses a DPoP proof's verification raises as themselves; any other one means the
#: proof failed a check and becomes an ``InvalidDPoPProofError`` (``proof_exception_for``).
_PROOF_AS_IS = (InvalidDPoPProofError, InvalidArgumentError, LibraryError)

# A registered claim of the wrong type: PyJWT raises a different class per claim.
_CLAIM_INVALID: Dict[str, Tuple[Type[PyJWTError], str]] = {
    "exp": (DecodeError, "Expiration Time claim (exp) must be an integer."),
    "nbf": (DecodeError, "Not Before claim (nbf) must be an integer."),
    "iat": (InvalidIssuedAtError, "Issued At claim (iat) must be an integer."),
    "iss": (InvalidIssuerError, "Payload Issuer (iss) must be a string"),
    "aud": (InvalidAudienceError, "Invalid claim format in token"),
    "sub": (InvalidSubjectError, "Subject must be a string"),
    "jti": (InvalidJTIError, "JWT ID must be a string"),
}

#: The shortest HMAC secret RFC 7518 §3.2 allows for each algorithm (its hash output), in
#: bytes, and the hash's name: only to word PyJWT's key-length message. Whether a secret
#: is too short is the library's answer (``JWTKIT_ERR_KEY_TOO_WEAK``), never decided here.
_HMAC_MINIMUM: Dict[str, Tuple[int, str]] = {"HS256": (32, "SHA256"), "HS384": (48, "SHA384"), "HS512": (64, "SHA512")}


def short_secret_error(refused: PyJWTError, length: int, alg_names: "list[str]") -> InvalidKeyError:
    """PyJWT's wording of a too-short HMAC secret (users match on "below"), for the
    library's refusal ``refused`` of a ``length``-byte secret used with one of
    ``alg_names``; ``status``, ``status_name`` and ``detail`` are the library's."""
    minimums = [(_HMAC_MINIMUM[n], n) for n in alg_names if n in _HMAC_MINIMUM]
    if len(minimums) == 1:
        (minimum, hash_name), _ = minimums[0]
        message = (
            f"The HMAC key is {length} bytes long, which is below the minimum recommended length of "
            f"{minimum} bytes for {hash_name}. See RFC 7518 Section 3.2."
        )
    else:
        each = ", ".join(f"{m} bytes for {n}" for (m, _), n in minimums)
        message = (
            f"The HMAC key is {length} bytes long, which is below the minimum recommended length for the "
            f"token's algorithm ({each}). See RFC 7518 Section 3.2."
        )
    exc = InvalidKeyError(message)
    exc.status = refused.status
    exc.status_name = refused.status_name
    exc.detail = refused.detail
    return exc


def exception_for(
    status: int, detail: str, claim: Optional[str] = None, audience: Optional["AudiencePolicy"] = None
) -> PyJWTError:
    """The exception for a failed call's ``status``, library message ``detail`` and
    ``claim`` (``jwtkit_error_claim``). ``audience`` is how the policy that failed
    expected audiences: PyJWT words an audience failure by it. The message is never read
    to choose: it is only passed on as ``.detail``."""
    cls, message = _TABLE.get(status, (PyJWTError, None))
    exc: PyJWTError
    if status == _ffi.JWTKIT_ERR_CLAIM_MISSING:
        exc = MissingRequiredClaimError(claim or detail)
    else:
        if status == _ffi.JWTKIT_ERR_CLAIM_INVALID:
            cls, message = _CLAIM_INVALID.get(claim or "", (DecodeError, None))
            if claim == "aud" and audience is not None and audience.expected and audience.strict:
                # Under strict audience any `aud` but one string is of the wrong format.
                message = "Invalid claim format in token (strict)"
        elif status == _ffi.JWTKIT_ERR_AUDIENCE_MISMATCH and audience is not None:
            if not audience.expected:
                message = "Invalid audience"
            elif audience.strict:
                message = "Audience doesn't match (strict)"
            else:
                message = "Audience doesn't match"
        elif status == _ffi.JWTKIT_ERR_AUDIENCE_MISMATCH:
            message = "Audience doesn't match"
        exc = cls(message if message is not None else detail)
    exc.status = status
    exc.status_name = _ffi.status_name(status)
    exc.detail = detail
    if claim is not None:
        exc.claim = claim
    return exc


def proof_exception_for(status: int, detail: str, claim: Optional[str] = None) -> PyJWTError:
    """The exception for a failed DPoP proof verification: every refusal of the proof is
    an ``InvalidDPoPProofError`` (a nonce one a ``UseDPoPNonceError``, a replay a
    ``DPoPProofReplayedError``), whatever check failed; ``.status_name`` and ``.claim``
    say which. A failed replay store and the caller's own bad arguments keep their
    classes."""
    exc = exception_for(status, detail, claim)
    if isinstance(exc, _PROOF_AS_IS):
        return exc
    proof = InvalidDPoPProofError(detail)
    proof.status, proof.status_name, proof.detail, proof.claim = exc.status, exc.status_name, detail, claim
    return proof


class AudiencePolicy(Protocol):
    """What a policy says about audiences (``_core.Validation`` has both)."""

    expected: bool
    strict: bool


def raise_for(status: int, err: "object", audience: Optional[AudiencePolicy] = None) -> None:
    """Raises the exception for a failed call, reading and releasing its error."""
    status, detail, claim = _ffi.take_error(err, status)  # type: ignore[arg-type]
    raise exception_for(status, detail, claim, audience)
