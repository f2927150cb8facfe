"""The package's copies of the header's constants (``_ffi.JWTKIT_*``) agree with
include/jwtkit.h, which is generated from the library's one definition of each."""

import re
from pathlib import Path

from jwtkit import _ffi, jwe

HEADER = Path(__file__).resolve().parents[3] / "include" / "jwtkit.h"


def header_constants():
    found = {}
    for m in re.finditer(r"^#define (JWTKIT_\w+) (-?\d+)$", HEADER.read_text(), flags=re.M):
        found[m.group(1)] = int(m.group(2))
    for m in re.finditer(r"^\s+(JWTKIT_\w+) = (-?\d+),?$", HEADER.read_text(), flags=re.M):  # enum members
        found[m.group(1)] = int(m.group(2))
    return found


def test_header_is_in_the_repository():
    assert HEADER.is_file(), HEADER


def test_every_python_constant_is_the_headers():
    header = header_constants()
    ours = {n: v for n, v in vars(_ffi).items() if n.startswith("JWTKIT_") and isinstance(v, int)}
    assert len(ours) > 60
    wrong = {n: (v, header.get(n)) for n, v in ours.items() if header.get(n) != v}
    assert not wrong, f"differ from include/jwtkit.h (python, header): {wrong}"


def test_every_status_algorithm_and_jwe_constant_is_in_python():
    wanted = ("JWTKIT_OK", "JWTKIT_ERR_", "JWTKIT_ALG_", "JWTKIT_JWE_ALG_", "JWTKIT_JWE_ENC_", "JWTKIT_KEY_KIND_",
              "JWTKIT_JWKS_REFRESH_")
    missing = [n for n in header_constants() if n.startswith(wanted) and not hasattr(_ffi, n)]
    assert not missing, f"in include/jwtkit.h but not in jwtkit._ffi: {missing}"


def test_status_names_come_from_the_library():
    for name, value in header_constants().items():
        if name == "JWTKIT_OK" or name.startswith("JWTKIT_ERR_"):
            assert _ffi.status_name(value) == name


def test_algorithm_names_come_from_the_library():
    header = {n: v for n, v in header_constants().items() if n.startswith("JWTKIT_ALG_")}
    names = _ffi.ALG_NAMES
    assert len(names) == len(header) >= 14
    assert names[_ffi.JWTKIT_ALG_ES256K - 1] == "ES256K"
    for n, v in header.items():
        assert names[v - 1].upper() == n[len("JWTKIT_ALG_"):]


def test_hmac_algorithms_are_the_hs_ones():
    assert _ffi.HMAC_ALGS == {_ffi.JWTKIT_ALG_HS256, _ffi.JWTKIT_ALG_HS384, _ffi.JWTKIT_ALG_HS512}


def test_jwe_names_come_from_the_library():
    for prefix, names in (("JWTKIT_JWE_ALG_", jwe.ALGORITHMS), ("JWTKIT_JWE_ENC_", jwe.ENCRYPTIONS)):
        header = {n: v for n, v in header_constants().items() if n.startswith(prefix)}
        assert len(names) == len(header) > 0
        for n, v in header.items():
            assert re.sub(r"[-+]", "_", names[v - 1]).upper() == n[len(prefix):]
    assert jwe._SECRET_ALGS <= set(jwe.ALGORITHMS)
