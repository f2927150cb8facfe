"""jwtkit: JSON Web Tokens with PyJWT's API, over the jwtkit library (Rust, C ABI).

``import jwtkit as jwt`` keeps PyJWT 2.x code working: ``encode``, ``decode``,
``decode_complete``, ``get_unverified_header``, ``PyJWK``, ``PyJWKSet``,
``PyJWKClient`` and PyJWT's exceptions. Parsing, signing, verification and claim
checks all run in the library, the same code the C API uses.
"""

from . import _ffi
from .api_jwk import PyJWK, PyJWKSet, generate_key
from .api_jws import PyJWS, get_algorithm_by_name, get_unverified_header
from .api_jwt import PyJWT, decode, decode_access_token, decode_complete, encode
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
    InvalidKeyTypeError,
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
    JWEError,
    KeyAlgorithmMismatchError,
    KeyCannotDecryptError,
    KeyNotFoundError,
    LibraryError,
    MissingCryptographyError,
    MissingRequiredClaimError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWKError,
    PyJWKSetError,
    PyJWTError,
    RevokedTokenError,
    TokenTooOldError,
)
from .jwks_client import PyJWKClient
from . import jwe  # noqa: E402  (JSON Web Encryption: jwtkit.jwe.encrypt / decrypt / nested)
from . import dpop  # noqa: E402  (DPoP, RFC 9449: jwtkit.dpop.verify_proof / create_proof / decode_token)
from . import jws_json  # noqa: E402  (JWS JSON serialization, RFC 7515 §7.2: jwtkit.jws_json.sign / verify)
from .warnings import InsecureKeyLengthWarning, RemovedInPyjwt3Warning

__version__ = "0.1.0"
#: The loaded library's version string, e.g. "jwtkit/0.1.0".
library_version: str = _ffi.version()
#: The path of the loaded shared library.
library_path: str = _ffi.lib.path

__all__ = [
    "PyJWS",
    "PyJWT",
    "PyJWKClient",
    "PyJWK",
    "PyJWKSet",
    "decode",
    "decode_complete",
    "decode_access_token",
    "encode",
    "get_unverified_header",
    "get_algorithm_by_name",
    "generate_key",
    "InsecureKeyLengthWarning",
    "RemovedInPyjwt3Warning",
    "DecodeError",
    "ExpiredSignatureError",
    "ImmatureSignatureError",
    "InvalidAlgorithmError",
    "InvalidAudienceError",
    "InvalidIssuedAtError",
    "InvalidIssuerError",
    "InvalidJTIError",
    "InvalidKeyError",
    "InvalidSignatureError",
    "InvalidSubjectError",
    "InvalidTokenError",
    "MissingCryptographyError",
    "MissingRequiredClaimError",
    "PyJWKClientConnectionError",
    "PyJWKClientError",
    "PyJWKError",
    "PyJWKSetError",
    "PyJWTError",
    "InvalidArgumentError",
    "InvalidTypError",
    "KeyAlgorithmMismatchError",
    "InvalidKeyTypeError",
    "KeyNotFoundError",
    "LibraryError",
    "RevokedTokenError",
    "TokenTooOldError",
    "JWEError",
    "JWEDecryptionError",
    "InvalidEncryptionError",
    "InsecureAlgorithmError",
    "JWECompressionError",
    "InvalidEphemeralKeyError",
    "PBES2CountError",
    "KeyCannotDecryptError",
    "jwe",
    "dpop",
    "jws_json",
    "InvalidDPoPProofError",
    "UseDPoPNonceError",
    "DPoPProofReplayedError",
    "DPoPReplayCheckError",
    "DPoPBindingError",
    "DPoPBoundTokenAsBearerError",
]
