"""Loads libjwtkit and declares the C ABI (include/jwtkit.h): every function's
``argtypes`` and ``restype`` live here and nowhere else.

The library is looked up in this order:

1. ``JWTKIT_LIBRARY``: a path to the shared library (an error if it does not exist);
2. the copy bundled inside the installed package (``jwtkit/libjwtkit.so``);
3. the repository's ``target/release`` then ``target/debug`` (a source checkout).

The loaded library must report the ABI version this package was written for
(``jwtkit_abi_version()``); otherwise importing ``jwtkit`` fails with an ``ImportError``
that says which file was loaded and what it reported.

Calls go through :class:`ctypes.CDLL`, which releases the GIL for the duration of each
call, so signing and verification in several threads run in parallel.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from ctypes import (
    CFUNCTYPE,
    POINTER,
    c_bool,
    c_char,
    c_char_p,
    c_int32,
    c_size_t,
    c_uint16,
    c_uint32,
    c_uint64,
    c_int64,
    c_void_p,
)
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

#: The ABI this package was written for (``JWTKIT_ABI_VERSION`` in include/jwtkit.h).
ABI_VERSION = 0

# ---------------------------------------------------------------------------------
# Constants of include/jwtkit.h.

JWTKIT_OK = 0
JWTKIT_ERR_NULL_ARGUMENT = 1
JWTKIT_ERR_INVALID_ARGUMENT = 2
JWTKIT_ERR_PANIC = 3
JWTKIT_ERR_OUT_OF_MEMORY = 4
JWTKIT_ERR_KEY_INVALID = 100
JWTKIT_ERR_KEY_UNSUPPORTED = 101
JWTKIT_ERR_KEY_TOO_WEAK = 102
JWTKIT_ERR_KEY_ALG_MISMATCH = 103
JWTKIT_ERR_KEY_CANNOT_SIGN = 104
JWTKIT_ERR_KEY_USAGE = 105
JWTKIT_ERR_KEY_NOT_FOUND = 106
JWTKIT_ERR_KEY_NOT_SECRET = 107
JWTKIT_ERR_KEY_SOURCE = 108
JWTKIT_ERR_TOKEN_MALFORMED = 200
JWTKIT_ERR_TOKEN_TOO_LARGE = 201
JWTKIT_ERR_BASE64 = 202
JWTKIT_ERR_JSON = 203
JWTKIT_ERR_JSON_LIMIT = 204
JWTKIT_ERR_HEADER_INVALID = 205
JWTKIT_ERR_CRIT_UNSUPPORTED = 206
JWTKIT_ERR_ALG_UNSUPPORTED = 300
JWTKIT_ERR_ALG_NOT_ALLOWED = 301
JWTKIT_ERR_SIGNATURE_INVALID = 302
JWTKIT_ERR_CLAIM_INVALID = 400
JWTKIT_ERR_EXPIRED = 401
JWTKIT_ERR_NOT_YET_VALID = 402
JWTKIT_ERR_ISSUED_IN_FUTURE = 403
JWTKIT_ERR_TOO_OLD = 404
JWTKIT_ERR_CLAIM_MISSING = 405
JWTKIT_ERR_ISSUER_MISMATCH = 406
JWTKIT_ERR_AUDIENCE_MISMATCH = 407
JWTKIT_ERR_SUBJECT_MISMATCH = 408
JWTKIT_ERR_TYP_MISMATCH = 409
JWTKIT_ERR_REVOKED = 410
JWTKIT_ERR_JWE_DECRYPTION_FAILED = 500
JWTKIT_ERR_JWE_ENC_UNSUPPORTED = 501
JWTKIT_ERR_JWE_ENC_NOT_ALLOWED = 502
JWTKIT_ERR_JWE_ALG_INSECURE = 503
JWTKIT_ERR_JWE_ZIP_NOT_ALLOWED = 504
JWTKIT_ERR_JWE_ZIP_LIMIT = 505
JWTKIT_ERR_JWE_EPK_INVALID = 506
JWTKIT_ERR_JWE_KEY_CANNOT_DECRYPT = 507
JWTKIT_ERR_JWE_P2C_LIMIT = 508
JWTKIT_ERR_DPOP_PRIVATE_JWK = 600
JWTKIT_ERR_DPOP_HTM_MISMATCH = 601
JWTKIT_ERR_DPOP_HTU_MISMATCH = 602
JWTKIT_ERR_DPOP_ATH_MISMATCH = 603
JWTKIT_ERR_DPOP_NONCE = 604
JWTKIT_ERR_DPOP_REPLAYED = 605
JWTKIT_ERR_DPOP_REPLAY_CHECK = 606
JWTKIT_ERR_DPOP_BINDING_MISMATCH = 607
JWTKIT_ERR_DPOP_BOUND_TOKEN_AS_BEARER = 608

JWTKIT_KEY_ALLOW_SHORT_SECRET = 1

JWTKIT_CHECK_EXP = 1
JWTKIT_CHECK_NBF = 2
JWTKIT_CHECK_IAT = 4
JWTKIT_CHECK_AUD = 8
JWTKIT_CHECK_ISS = 16
JWTKIT_CHECK_SUB = 32

JWTKIT_KEY_KIND_NONE = 0
JWTKIT_KEY_KIND_HMAC = 1
JWTKIT_KEY_KIND_RSA = 2
JWTKIT_KEY_KIND_EC_P256 = 3
JWTKIT_KEY_KIND_EC_P384 = 4
JWTKIT_KEY_KIND_EC_P521 = 5
JWTKIT_KEY_KIND_ED25519 = 6
JWTKIT_KEY_KIND_X25519 = 7
JWTKIT_KEY_KIND_EC_SECP256K1 = 8

JWTKIT_JWE_ALG_DIR = 1
JWTKIT_JWE_ALG_A128KW = 2
JWTKIT_JWE_ALG_A256KW = 3
JWTKIT_JWE_ALG_ECDH_ES = 4
JWTKIT_JWE_ALG_ECDH_ES_A128KW = 5
JWTKIT_JWE_ALG_ECDH_ES_A256KW = 6
JWTKIT_JWE_ALG_RSA_OAEP_256 = 7
JWTKIT_JWE_ALG_RSA_OAEP = 8
JWTKIT_JWE_ALG_A192KW = 9
JWTKIT_JWE_ALG_ECDH_ES_A192KW = 10
JWTKIT_JWE_ALG_A128GCMKW = 11
JWTKIT_JWE_ALG_A192GCMKW = 12
JWTKIT_JWE_ALG_A256GCMKW = 13
JWTKIT_JWE_ALG_RSA_OAEP_384 = 14
JWTKIT_JWE_ALG_RSA_OAEP_512 = 15
JWTKIT_JWE_ALG_PBES2_HS256_A128KW = 16
JWTKIT_JWE_ALG_PBES2_HS384_A192KW = 17
JWTKIT_JWE_ALG_PBES2_HS512_A256KW = 18

JWTKIT_JWE_ENC_A128GCM = 1
JWTKIT_JWE_ENC_A256GCM = 2
JWTKIT_JWE_ENC_A128CBC_HS256 = 3
JWTKIT_JWE_ENC_A256CBC_HS512 = 4
JWTKIT_JWE_ENC_A192GCM = 5
JWTKIT_JWE_ENC_A192CBC_HS384 = 6

JWTKIT_JWE_ZIP = 1
JWTKIT_JWE_GENERAL = 2
JWTKIT_JWS_UNENCODED = 1

JWTKIT_LIMIT_TOKEN_LEN = 1
JWTKIT_LIMIT_HEADER_LEN = 2
JWTKIT_LIMIT_JSON_DEPTH = 3
JWTKIT_LIMIT_KEYS_TRIED = 4
JWTKIT_LIMIT_RECIPIENTS = 5
JWTKIT_LIMIT_SIGNATURES = 6

# JWS JSON serialization (jwtkit.jws_json)
JWTKIT_JWS_JSON_GENERAL = 2
JWTKIT_JWS_JSON_DETACHED = 4
JWTKIT_JWS_JSON_RULE_ANY = 1
JWTKIT_JWS_JSON_RULE_ALL = 2

JWTKIT_ALG_HS256 = 1
JWTKIT_ALG_HS384 = 2
JWTKIT_ALG_HS512 = 3
JWTKIT_ALG_RS256 = 4
JWTKIT_ALG_RS384 = 5
JWTKIT_ALG_RS512 = 6
JWTKIT_ALG_PS256 = 7
JWTKIT_ALG_PS384 = 8
JWTKIT_ALG_PS512 = 9
JWTKIT_ALG_ES256 = 10
JWTKIT_ALG_ES384 = 11
JWTKIT_ALG_ES512 = 12
JWTKIT_ALG_EDDSA = 13
JWTKIT_ALG_ES256K = 14

# jwtkit_dpop_replay_fn's answers
JWTKIT_DPOP_JTI_FIRST = 0
JWTKIT_DPOP_JTI_SEEN = 1
JWTKIT_DPOP_JTI_UNAVAILABLE = -1

# enum jwtkit_jwks_refresh (jwtkit_jwks_source_refresh_wanted)
JWTKIT_JWKS_REFRESH_NONE = 0
JWTKIT_JWKS_REFRESH_INITIAL = 1
JWTKIT_JWKS_REFRESH_EXPIRED = 2
JWTKIT_JWKS_REFRESH_UNKNOWN_KID = 3
JWTKIT_JWKS_REFRESH_RETRY = 4

# ---------------------------------------------------------------------------------
# C types.

jwtkit_status = c_int32
jwtkit_alg = c_int32
jwtkit_limit = c_int32
#: Opaque handles (`jwtkit_key`, `jwtkit_validation`, …) are plain addresses here.
handle = c_void_p
handle_out = POINTER(c_void_p)
#: `const uint8_t *`: Python ``bytes`` are passed without a copy; ``None`` is NULL.
in_bytes = c_char_p
#: `char **` outputs are read as addresses, then copied and released.
str_out = POINTER(c_void_p)
size_out = POINTER(c_size_t)
err_out = POINTER(c_void_p)

#: `jwtkit_revocation_fn`.
REVOCATION_FN = CFUNCTYPE(c_int32, c_void_p, POINTER(c_char), c_size_t, POINTER(c_char), c_size_t)
#: `jwtkit_dpop_replay_fn`.
DPOP_REPLAY_FN = CFUNCTYPE(c_int32, c_void_p, POINTER(c_char), c_size_t, POINTER(c_char), c_size_t, c_int64)


class JwksStatus(ctypes.Structure):
    """`struct jwtkit_jwks_status` (times in milliseconds, -1: never / no set)."""

    _fields_ = [
        ("key_count", c_size_t),
        ("ms_since_success", c_int64),
        ("ms_fresh_for", c_int64),
        ("ms_since_failure", c_int64),
        ("failing", c_bool),
        ("attempts", c_uint64),
        ("failures", c_uint64),
        ("not_modified", c_uint64),
    ]

class JweRecipient(ctypes.Structure):
    """`struct jwtkit_jwe_recipient`: one recipient of `jwtkit_jwe_encrypt_json`."""

    _fields_ = [
        ("key", c_void_p),
        ("alg", c_int32),
        ("header_json", c_char_p),
        ("header_len", c_size_t),
    ]

# name -> (restype, argtypes)
_S = jwtkit_status
_SIGNATURES: Dict[str, Tuple[Any, List[Any]]] = {
    # strings, errors, versions, algorithms
    "jwtkit_string_free": (None, [c_void_p]),
    "jwtkit_error_status": (_S, [c_void_p]),
    "jwtkit_error_message": (c_char_p, [c_void_p]),
    "jwtkit_error_free": (None, [c_void_p]),
    "jwtkit_error_claim": (c_char_p, [c_void_p]),
    "jwtkit_status_str": (c_char_p, [_S]),
    "jwtkit_version": (c_char_p, []),
    "jwtkit_version_number": (c_uint32, []),
    "jwtkit_abi_version": (c_uint32, []),
    "jwtkit_alg_name": (c_char_p, [jwtkit_alg]),
    "jwtkit_alg_from_name": (_S, [in_bytes, c_size_t, POINTER(jwtkit_alg), err_out]),
    # keys
    "jwtkit_key_from_secret": (_S, [in_bytes, c_size_t, c_uint32, handle_out, err_out]),
    "jwtkit_key_from_pem": (_S, [in_bytes, c_size_t, handle_out, err_out]),
    "jwtkit_key_from_der": (_S, [in_bytes, c_size_t, handle_out, err_out]),
    "jwtkit_key_from_jwk": (_S, [in_bytes, c_size_t, handle_out, err_out]),
    "jwtkit_key_from_jwk_with_flags": (_S, [in_bytes, c_size_t, c_uint32, handle_out, err_out]),
    "jwtkit_key_free": (None, [handle]),
    # signing
    "jwtkit_sign": (_S, [handle, jwtkit_alg, in_bytes, c_size_t, in_bytes, c_size_t, str_out, size_out, err_out]),
    "jwtkit_jws_sign": (_S, [handle, jwtkit_alg, in_bytes, c_size_t, in_bytes, c_size_t, str_out, size_out, err_out]),
    "jwtkit_sign_options_new": (_S, [handle_out, err_out]),
    "jwtkit_sign_options_free": (None, [handle]),
    "jwtkit_sign_options_set_issued_at": (_S, [handle, c_bool, err_out]),
    "jwtkit_sign_options_set_lifetime": (_S, [handle, c_uint64, err_out]),
    "jwtkit_sign_options_set_not_before": (_S, [handle, c_int64, err_out]),
    "jwtkit_sign_options_set_now": (_S, [handle, c_int64, err_out]),
    "jwtkit_sign_options_set_issuer": (_S, [handle, in_bytes, c_size_t, err_out]),
    "jwtkit_sign_options_set_subject": (_S, [handle, in_bytes, c_size_t, err_out]),
    "jwtkit_sign_options_add_audience": (_S, [handle, in_bytes, c_size_t, err_out]),
    "jwtkit_sign_options_set_random_jti": (_S, [handle, c_bool, err_out]),
    "jwtkit_sign_options_set_header": (_S, [handle, in_bytes, c_size_t, in_bytes, c_size_t, err_out]),
    "jwtkit_sign_options_merge_header_json": (_S, [handle, in_bytes, c_size_t, err_out]),
    "jwtkit_sign_with_options": (_S, [handle, jwtkit_alg, in_bytes, c_size_t, handle, str_out, size_out, err_out]),
    # verifying
    "jwtkit_verify": (_S, [in_bytes, c_size_t, handle, handle, str_out, size_out, str_out, size_out, err_out]),
    "jwtkit_jws_verify": (_S, [in_bytes, c_size_t, handle, handle, str_out, size_out, str_out, size_out, err_out]),
    "jwtkit_decode_unverified": (_S, [in_bytes, c_size_t, str_out, size_out, str_out, size_out, err_out]),
    "jwtkit_member_text": (_S, [in_bytes, c_size_t, POINTER(c_char_p), c_size_t, str_out, size_out, err_out]),
    # validation policy
    "jwtkit_validation_new": (_S, [POINTER(jwtkit_alg), c_size_t, handle_out, err_out]),
    "jwtkit_validation_free": (None, [handle]),
    "jwtkit_validation_set_leeway": (_S, [handle, c_uint64, err_out]),
    "jwtkit_validation_set_now": (_S, [handle, c_int64, err_out]),
    "jwtkit_validation_add_issuer": (_S, [handle, in_bytes, c_size_t, err_out]),
    "jwtkit_validation_add_audience": (_S, [handle, in_bytes, c_size_t, err_out]),
    "jwtkit_validation_set_strict_audience": (_S, [handle, c_bool, err_out]),
    "jwtkit_validation_set_subject": (_S, [handle, in_bytes, c_size_t, err_out]),
    "jwtkit_validation_require_claim": (_S, [handle, in_bytes, c_size_t, err_out]),
    "jwtkit_validation_set_typ": (_S, [handle, in_bytes, c_size_t, err_out]),
    "jwtkit_validation_set_max_age": (_S, [handle, c_uint64, err_out]),
    "jwtkit_validation_disable_checks": (_S, [handle, c_uint32, err_out]),
    "jwtkit_validation_set_revocation_check": (_S, [handle, REVOCATION_FN, c_void_p, err_out]),
    "jwtkit_validation_set_limit": (_S, [handle, jwtkit_limit, c_uint64, err_out]),
    "jwtkit_validation_allow_padded_base64": (_S, [handle, c_bool, err_out]),
    "jwtkit_validation_check_claims": (_S, [handle, in_bytes, c_size_t, in_bytes, c_size_t, err_out]),
    "jwtkit_jws_decode_unverified": (_S, [in_bytes, c_size_t, str_out, size_out, str_out, size_out, err_out]),
    # detached content (RFC 7515 Appendix F) and unencoded payloads (RFC 7797)
    "jwtkit_jws_sign_detached": (
        _S,
        [handle, jwtkit_alg, in_bytes, c_size_t, in_bytes, c_size_t, c_uint32, str_out, size_out, err_out],
    ),
    "jwtkit_sign_detached": (
        _S,
        [handle, jwtkit_alg, in_bytes, c_size_t, in_bytes, c_size_t, c_uint32, str_out, size_out, err_out],
    ),
    "jwtkit_jws_verify_detached": (
        _S,
        [in_bytes, c_size_t, in_bytes, c_size_t, handle, handle, str_out, size_out, err_out],
    ),
    "jwtkit_verify_detached": (_S, [in_bytes, c_size_t, in_bytes, c_size_t, handle, handle, str_out, size_out, err_out]),
    # JWS JSON serialization (RFC 7515 §7.2, jwtkit.jws_json)
    "jwtkit_jws_json_signers_new": (_S, [handle_out, err_out]),
    "jwtkit_jws_json_signers_add": (
        _S,
        [handle, handle, jwtkit_alg, in_bytes, c_size_t, in_bytes, c_size_t, err_out],
    ),
    "jwtkit_jws_json_signers_free": (None, [handle]),
    "jwtkit_jws_json_sign": (_S, [handle, in_bytes, c_size_t, c_uint32, str_out, size_out, err_out]),
    "jwtkit_jws_json_verify": (
        _S,
        [in_bytes, c_size_t, in_bytes, c_size_t, POINTER(c_void_p), c_size_t, handle, c_int32, handle_out, err_out],
    ),
    "jwtkit_jws_json_verify_jwt": (
        _S,
        [in_bytes, c_size_t, in_bytes, c_size_t, POINTER(c_void_p), c_size_t, handle, c_int32, handle_out, err_out],
    ),
    "jwtkit_jws_json_payload": (_S, [handle, str_out, size_out, err_out]),
    "jwtkit_jws_json_count": (c_size_t, [handle]),
    "jwtkit_jws_json_signature": (
        _S,
        [handle, c_size_t, POINTER(jwtkit_status), POINTER(jwtkit_alg), POINTER(c_int64), str_out, size_out, err_out],
    ),
    "jwtkit_jws_json_signature_kid": (_S, [handle, c_size_t, str_out, size_out, err_out]),
    "jwtkit_jws_json_signature_header": (_S, [handle, c_size_t, str_out, size_out, err_out]),
    "jwtkit_jws_json_free": (None, [handle]),
    # DPoP (RFC 9449, jwtkit.dpop) and the RFC 9068 profile
    "jwtkit_dpop_policy_new": (_S, [POINTER(jwtkit_alg), c_size_t, handle_out, err_out]),
    "jwtkit_dpop_policy_free": (None, [handle]),
    "jwtkit_dpop_policy_set_iat_window": (_S, [handle, c_uint64, c_uint64, err_out]),
    "jwtkit_dpop_policy_set_now": (_S, [handle, c_int64, err_out]),
    "jwtkit_dpop_policy_set_max_proof_len": (_S, [handle, c_size_t, err_out]),
    "jwtkit_dpop_policy_set_replay_check": (_S, [handle, DPOP_REPLAY_FN, c_void_p, err_out]),
    "jwtkit_dpop_verify_proof": (
        _S,
        [in_bytes, c_size_t, in_bytes, c_size_t, in_bytes, c_size_t, in_bytes, c_size_t, in_bytes, c_size_t, handle,
         handle_out, err_out],
    ),
    "jwtkit_dpop_proof_jkt": (_S, [handle, str_out, size_out, err_out]),
    "jwtkit_dpop_proof_jti": (_S, [handle, str_out, size_out, err_out]),
    "jwtkit_dpop_proof_claims": (_S, [handle, str_out, size_out, err_out]),
    "jwtkit_dpop_proof_iat": (_S, [handle, POINTER(c_int64), err_out]),
    "jwtkit_dpop_proof_free": (None, [handle]),
    "jwtkit_dpop_verify_token": (
        _S,
        [in_bytes, c_size_t, handle, handle, handle, str_out, size_out, str_out, size_out, err_out],
    ),
    "jwtkit_dpop_check_binding": (_S, [in_bytes, c_size_t, in_bytes, c_size_t, handle, err_out]),
    "jwtkit_dpop_check_refresh_binding": (_S, [in_bytes, c_size_t, handle, err_out]),
    "jwtkit_dpop_create_proof": (
        _S,
        [handle, jwtkit_alg, in_bytes, c_size_t, in_bytes, c_size_t, in_bytes, c_size_t, in_bytes, c_size_t,
         POINTER(c_int64), str_out, size_out, err_out],
    ),
    "jwtkit_validation_set_access_token_profile": (_S, [handle, in_bytes, c_size_t, in_bytes, c_size_t, err_out]),
    # key export, thumbprint, generation
    "jwtkit_key_generate": (_S, [jwtkit_alg, handle_out, err_out]),
    "jwtkit_key_generate_rsa": (_S, [jwtkit_alg, c_uint32, handle_out, err_out]),
    "jwtkit_key_with_kid": (_S, [handle, in_bytes, c_size_t, handle_out, err_out]),
    "jwtkit_key_kid": (_S, [handle, str_out, size_out, err_out]),
    "jwtkit_key_get_kind": (c_int32, [handle]),
    "jwtkit_key_is_private": (c_bool, [handle]),
    "jwtkit_key_can_verify": (c_bool, [handle, jwtkit_alg]),
    "jwtkit_key_can_decrypt": (c_bool, [handle, c_int32]),
    "jwtkit_key_to_public_jwk": (_S, [handle, str_out, size_out, err_out]),
    "jwtkit_key_to_private_jwk": (_S, [handle, str_out, size_out, err_out]),
    "jwtkit_key_to_public_pem": (_S, [handle, str_out, size_out, err_out]),
    "jwtkit_key_to_private_pem": (_S, [handle, str_out, size_out, err_out]),
    "jwtkit_key_thumbprint": (_S, [handle, str_out, size_out, err_out]),
    # key sets (JWKS)
    "jwtkit_keyset_from_jwks": (_S, [in_bytes, c_size_t, handle_out, err_out]),
    "jwtkit_keyset_from_keys": (_S, [POINTER(c_void_p), c_size_t, handle_out, err_out]),
    "jwtkit_keyset_from_jwks_for_decryption": (_S, [in_bytes, c_size_t, handle_out, err_out]),
    "jwtkit_keyset_from_keys_for_decryption": (_S, [POINTER(c_void_p), c_size_t, handle_out, err_out]),
    "jwtkit_keyset_free": (None, [handle]),
    "jwtkit_keyset_len": (c_size_t, [handle]),
    "jwtkit_keyset_get": (_S, [handle, c_size_t, handle_out, err_out]),
    "jwtkit_keyset_skipped_count": (c_size_t, [handle]),
    "jwtkit_keyset_skipped": (_S, [handle, c_size_t, POINTER(jwtkit_status), str_out, size_out, err_out]),
    "jwtkit_keyset_to_public_jwks": (_S, [handle, str_out, size_out, err_out]),
    "jwtkit_verify_with_keyset": (
        _S,
        [in_bytes, c_size_t, handle, handle, str_out, size_out, str_out, size_out, err_out],
    ),
    "jwtkit_jws_verify_with_keyset": (
        _S,
        [in_bytes, c_size_t, handle, handle, str_out, size_out, str_out, size_out, err_out],
    ),
    # JWKS sources (jwtkit.PyJWKClient)
    "jwtkit_jwks_options_new": (_S, [handle_out, err_out]),
    "jwtkit_jwks_options_free": (None, [handle]),
    "jwtkit_jwks_options_set_cache_times": (_S, [handle, c_uint64, c_uint64, c_uint64, err_out]),
    "jwtkit_jwks_options_set_cooldown": (_S, [handle, c_uint64, err_out]),
    "jwtkit_jwks_options_set_max_stale": (_S, [handle, c_uint64, err_out]),
    "jwtkit_jwks_options_allow_http": (_S, [handle, c_bool, err_out]),
    "jwtkit_jwks_options_set_timeouts": (_S, [handle, c_uint64, c_uint64, err_out]),
    "jwtkit_jwks_options_set_limits": (_S, [handle, c_size_t, c_uint32, err_out]),
    "jwtkit_jwks_options_add_ca": (_S, [handle, in_bytes, c_size_t, err_out]),
    "jwtkit_jwks_options_add_ca_file": (_S, [handle, in_bytes, c_size_t, err_out]),
    "jwtkit_jwks_options_use_system_cas": (_S, [handle, c_bool, err_out]),
    "jwtkit_jwks_options_add_header": (_S, [handle, in_bytes, c_size_t, in_bytes, c_size_t, err_out]),
    "jwtkit_jwks_source_new": (_S, [handle, handle_out, err_out]),
    "jwtkit_jwks_source_from_url": (_S, [in_bytes, c_size_t, handle, handle_out, err_out]),
    "jwtkit_jwks_source_from_issuer": (_S, [in_bytes, c_size_t, handle, handle_out, err_out]),
    "jwtkit_jwks_source_free": (None, [handle]),
    "jwtkit_verify_with_source": (
        _S,
        [in_bytes, c_size_t, handle, handle, str_out, size_out, str_out, size_out, err_out],
    ),
    "jwtkit_jwks_source_keyset": (_S, [handle, handle_out, err_out]),
    "jwtkit_jwks_source_report_unknown_kid": (_S, [handle, handle, handle_out, err_out]),
    "jwtkit_jwks_source_refresh": (_S, [handle, err_out]),
    "jwtkit_jwks_source_refresh_wanted": (c_int32, [handle]),
    "jwtkit_jwks_source_start_refresh": (_S, [handle, str_out, err_out]),
    "jwtkit_jwks_source_feed": (
        _S,
        [handle, c_uint16, in_bytes, c_size_t, in_bytes, c_size_t, in_bytes, c_size_t, err_out],
    ),
    "jwtkit_jwks_source_fetch_failed": (_S, [handle, in_bytes, c_size_t, err_out]),
    "jwtkit_jwks_source_status": (_S, [handle, POINTER(JwksStatus), err_out]),
    "jwtkit_jwks_source_last_failure": (_S, [handle, err_out]),
    "jwtkit_jwks_source_document": (_S, [handle, str_out, size_out, err_out]),
    # JWE (jwtkit.jwe)
    "jwtkit_jwe_policy_new": (_S, [POINTER(c_int32), c_size_t, POINTER(c_int32), c_size_t, handle_out, err_out]),
    "jwtkit_jwe_policy_allow_zip": (_S, [handle, c_bool, c_size_t, err_out]),
    "jwtkit_jwe_policy_set_limit": (_S, [handle, jwtkit_limit, c_uint64, err_out]),
    "jwtkit_jwe_policy_set_max_p2c": (_S, [handle, c_uint32, err_out]),
    "jwtkit_jwe_policy_free": (None, [handle]),
    "jwtkit_jwe_alg_name": (c_char_p, [c_int32]),
    "jwtkit_jwe_enc_name": (c_char_p, [c_int32]),
    "jwtkit_jwe_alg_from_name": (_S, [in_bytes, c_size_t, POINTER(c_int32), err_out]),
    "jwtkit_jwe_enc_from_name": (_S, [in_bytes, c_size_t, POINTER(c_int32), err_out]),
    "jwtkit_jwe_encrypt": (
        _S,
        [handle, c_int32, c_int32, in_bytes, c_size_t, in_bytes, c_size_t, c_uint32, str_out, size_out, err_out],
    ),
    "jwtkit_jwe_decrypt": (_S, [in_bytes, c_size_t, handle, handle, str_out, size_out, str_out, size_out, err_out]),
    "jwtkit_jwe_decrypt_jwt": (
        _S,
        [in_bytes, c_size_t, handle, handle, handle, str_out, size_out, str_out, size_out, err_out],
    ),
    "jwtkit_jwe_sign_and_encrypt": (
        _S,
        [
            handle, jwtkit_alg, in_bytes, c_size_t, in_bytes, c_size_t,
            handle, c_int32, c_int32, c_uint32, str_out, size_out, err_out,
        ],
    ),
    "jwtkit_jwe_decrypt_and_verify": (
        _S,
        [in_bytes, c_size_t, handle, handle, handle, handle, str_out, size_out, str_out, size_out, err_out],
    ),
    "jwtkit_jwe_decrypt_and_verify_with_keyset": (
        _S,
        [in_bytes, c_size_t, handle, handle, handle, handle, str_out, size_out, str_out, size_out, err_out],
    ),
    # compact JWE with a key set made for decryption (chosen by kid)
    "jwtkit_jwe_decrypt_with_keyset": (
        _S, [in_bytes, c_size_t, handle, handle, str_out, size_out, str_out, size_out, err_out],
    ),
    "jwtkit_jwe_decrypt_jwt_with_keyset": (
        _S,
        [in_bytes, c_size_t, handle, handle, handle, str_out, size_out, str_out, size_out, err_out],
    ),
    "jwtkit_jwe_decrypt_with_keyset_and_verify": (
        _S,
        [in_bytes, c_size_t, handle, handle, handle, handle, str_out, size_out, str_out, size_out, err_out],
    ),
    "jwtkit_jwe_decrypt_and_verify_with_keysets": (
        _S,
        [in_bytes, c_size_t, handle, handle, handle, handle, str_out, size_out, str_out, size_out, err_out],
    ),
    # JWE JSON serialization (jwtkit.jwe)
    "jwtkit_jwe_encrypt_json": (
        _S,
        [POINTER(JweRecipient), c_size_t, c_int32, in_bytes, c_size_t, in_bytes, c_size_t, in_bytes, c_size_t,
         in_bytes, c_size_t, c_uint32, str_out, size_out, err_out],
    ),
    "jwtkit_jwe_decrypt_json": (_S, [in_bytes, c_size_t, POINTER(c_void_p), c_size_t, handle, handle_out, err_out]),
    "jwtkit_jwe_json_result_plaintext": (_S, [handle, str_out, size_out, err_out]),
    "jwtkit_jwe_json_result_protected_header": (_S, [handle, str_out, size_out, err_out]),
    "jwtkit_jwe_json_result_header": (_S, [handle, str_out, size_out, err_out]),
    "jwtkit_jwe_json_result_aad": (_S, [handle, str_out, size_out, POINTER(c_bool), err_out]),
    "jwtkit_jwe_json_result_recipient": (
        _S,
        [handle, POINTER(c_size_t), POINTER(c_int32), POINTER(c_size_t), str_out, size_out, err_out],
    ),
    "jwtkit_jwe_json_result_free": (None, [handle]),
}


class _Lib:
    """The loaded library: one attribute per declared function, plus ``path``."""

    path: str

    def __getattr__(self, name: str) -> Any:  # pragma: no cover - for type checkers
        raise AttributeError(name)


def _library_filename() -> str:
    if sys.platform == "darwin":
        return "libjwtkit.dylib"
    if sys.platform == "win32":
        return "jwtkit.dll"
    return "libjwtkit.so"


def candidate_paths() -> List[Tuple[str, Path]]:
    """Where the library is looked for, in order, as ``(origin, path)`` pairs."""
    name = _library_filename()
    here = Path(__file__).resolve().parent
    found: List[Tuple[str, Path]] = []
    env = os.environ.get("JWTKIT_LIBRARY")
    if env:
        found.append(("JWTKIT_LIBRARY", Path(env)))
        return found
    found.append(("bundled", here / name))
    repo = here.parent.parent.parent
    if (repo / "Cargo.toml").is_file():
        found.append(("target/release", repo / "target" / "release" / name))
        found.append(("target/debug", repo / "target" / "debug" / name))
    return found


def _load() -> _Lib:
    candidates = candidate_paths()
    chosen: Optional[Path] = None
    for origin, path in candidates:
        if path.is_file():
            chosen = path
            break
        if origin == "JWTKIT_LIBRARY":
            raise ImportError(f"jwtkit: JWTKIT_LIBRARY={str(path)!r} does not exist")
    if chosen is None:
        tried = ", ".join(str(p) for _, p in candidates)
        raise ImportError(
            "jwtkit: the jwtkit shared library was not found (tried "
            f"{tried}). Install the package with `pip install bindings/python`, run "
            "`cargo build` in the repository, or set JWTKIT_LIBRARY to its path."
        )
    try:
        cdll = ctypes.CDLL(str(chosen))
    except OSError as e:
        raise ImportError(f"jwtkit: cannot load {str(chosen)!r}: {e}") from e
    try:
        abi = cdll.jwtkit_abi_version
    except AttributeError:
        raise ImportError(f"jwtkit: {str(chosen)!r} is not a jwtkit library (no jwtkit_abi_version)") from None
    abi.restype = c_uint32
    abi.argtypes = []
    found_abi = abi()
    if found_abi != ABI_VERSION:
        raise ImportError(
            f"jwtkit: ABI mismatch: {str(chosen)!r} has ABI version {found_abi}, but this "
            f"Python package was written for ABI version {ABI_VERSION}; install matching "
            "versions of the package and the library (or point JWTKIT_LIBRARY at one)."
        )
    lib = _Lib()
    lib.path = str(chosen)
    for name, (restype, argtypes) in _SIGNATURES.items():
        try:
            fn = getattr(cdll, name)
        except AttributeError:
            raise ImportError(f"jwtkit: {str(chosen)!r} lacks {name}; it is not a complete jwtkit library") from None
        fn.restype = restype
        fn.argtypes = argtypes
        setattr(lib, name, fn)
    return lib


lib = _load()

# ---------------------------------------------------------------------------------
# Small helpers around the raw calls (no JWT logic: memory and error plumbing only).

_string_at = ctypes.string_at
_free_string = lib.jwtkit_string_free


def take_string(ptr: c_void_p, length: c_size_t) -> bytes:
    """Copies an owned `char *` output of `length` bytes and releases it."""
    try:
        return _string_at(ptr, length.value)
    finally:
        _free_string(ptr)


def take_error(err: c_void_p, status: int) -> Tuple[int, str, Optional[str]]:
    """Reads and releases a `jwtkit_error`; returns ``(status, message, claim)``, the
    claim being the one a claim failure is about (``jwtkit_error_claim``)."""
    if not err.value:
        name = lib.jwtkit_status_str(status)
        return status, (name.decode() if name else f"jwtkit status {status}"), None
    try:
        message = lib.jwtkit_error_message(err) or b""
        claim = lib.jwtkit_error_claim(err)
        return (
            lib.jwtkit_error_status(err),
            message.decode("utf-8", "replace"),
            None if claim is None else claim.decode("utf-8", "replace"),
        )
    finally:
        lib.jwtkit_error_free(err)


def status_name(status: int) -> str:
    name = lib.jwtkit_status_str(status)
    return name.decode() if name else "JWTKIT_ERR_UNKNOWN"


def version() -> str:
    return lib.jwtkit_version().decode()


_alg_lock = threading.Lock()
_alg_by_name: Dict[str, Optional[int]] = {}


def alg_from_name(name: str) -> Optional[int]:
    """The `JWTKIT_ALG_*` number of a registered name, from the library (``None`` for
    names it does not implement, `none` included). Memoized: the table is static."""
    try:
        return _alg_by_name[name]
    except KeyError:
        pass
    except TypeError:
        return None
    if not isinstance(name, str):
        return None
    raw = name.encode("utf-8", "surrogatepass")
    out = c_int32()
    status = lib.jwtkit_alg_from_name(raw, len(raw), ctypes.byref(out), None)
    value = out.value if status == JWTKIT_OK else None
    with _alg_lock:
        if len(_alg_by_name) < 256:
            _alg_by_name[name] = value
    return value


def names_by_number(name_of: Callable[[int], Optional[bytes]]) -> Tuple[str, ...]:
    """A library enumeration's names, ``name_of(1)``, ``name_of(2)``, … up to the first
    NULL (its numbers start at 1 and have no gaps)."""
    names: List[str] = []
    while True:
        name = name_of(len(names) + 1)
        if name is None:
            return tuple(names)
        names.append(name.decode())


#: Every JWS algorithm the library implements; ``JWTKIT_ALG_*`` n is ``ALG_NAMES[n - 1]``.
ALG_NAMES = names_by_number(lib.jwtkit_alg_name)

#: The HMAC algorithms (``HS*``): a ``str``/``bytes`` key is a secret for these.
HMAC_ALGS = frozenset(n for n, name in enumerate(ALG_NAMES, 1) if name.startswith("HS"))
