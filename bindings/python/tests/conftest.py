"""Shared fixtures. The tests import the package from this source tree (the folder
above), and the library from JWTKIT_LIBRARY or the usual lookup order."""

import os
import sys
from pathlib import Path
from typing import Dict, Tuple

import pytest

HERE = Path(__file__).resolve().parent
PACKAGE_ROOT = HERE.parent
sys.path.insert(0, str(PACKAGE_ROOT))

import jwtkit  # noqa: E402

KEYS = HERE / "keys"

#: An HMAC secret long enough for HS512.
SECRET = "jwtkit-test-secret-" + "x" * 45


def text(name: str) -> str:
    return (KEYS / name).read_text()


def raw(name: str) -> bytes:
    return (KEYS / name).read_bytes()


def _pair(stem: str) -> Tuple[str, str]:
    return text(f"{stem}.pkcs8.pem"), text(f"{stem}.spki.pem")


#: algorithm -> (signing key, verification key)
ALG_KEYS: Dict[str, Tuple[str, str]] = {
    "HS256": (SECRET, SECRET),
    "HS384": (SECRET, SECRET),
    "HS512": (SECRET, SECRET),
    "RS256": _pair("rsa2048"),
    "RS384": _pair("rsa2048"),
    "RS512": _pair("rsa2048"),
    "PS256": _pair("rsa2048"),
    "PS384": _pair("rsa2048"),
    "PS512": _pair("rsa2048"),
    "ES256": _pair("ecp256"),
    "ES384": _pair("ecp384"),
    "ES512": _pair("ecp521"),
    "EdDSA": _pair("ed25519"),
    "ES256K": _pair("secp256k1"),
}

ALGORITHMS = list(ALG_KEYS)


def under_ci() -> bool:
    """Whether the CI variable is set (non-empty), as tests/run.sh and .ci/run read it."""
    return bool(os.environ.get("CI"))


def partner_missing(reason: str) -> None:
    """Called by a test (or fixture) whose interoperability partner (node's jose,
    jwcrypto, ...) is not installed: a skip on a developer's machine, but a failure under
    CI, where .ci/run and run-tests.sh install every partner, so a missing one means the
    install broke and these tests would otherwise vanish from a green run."""
    if under_ci():
        pytest.fail(f"{reason} (CI is set: a missing interoperability partner is a failure, not a skip)",
                    pytrace=False)
    pytest.skip(reason)


@pytest.fixture(params=ALGORITHMS)
def alg_keys(request):
    private, public = ALG_KEYS[request.param]
    return request.param, private, public
