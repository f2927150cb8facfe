"""The loader and the C declarations: lookup order, ABI check, every declared function
present and matching the header, status names."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PACKAGE_ROOT
import jwtkit
from jwtkit import _ffi, _status
from jwtkit import exceptions as exc

HEADER = PACKAGE_ROOT.parent.parent / "include" / "jwtkit.h"


def _run(code, env=None):
    full_env = dict(os.environ)
    full_env.pop("JWTKIT_LIBRARY", None)
    full_env.update(env or {})
    full_env["PYTHONPATH"] = str(PACKAGE_ROOT)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full_env)


def test_versions():
    assert jwtkit.library_version.startswith("jwtkit/")
    assert _ffi.lib.jwtkit_abi_version() == _ffi.ABI_VERSION
    n = _ffi.lib.jwtkit_version_number()
    assert jwtkit.library_version == "jwtkit/%d.%d.%d" % (n // 1000000, n // 1000 % 1000, n % 1000)
    assert os.path.isfile(jwtkit.library_path)


def test_jwtkit_library_that_does_not_exist_is_a_clear_import_error(tmp_path):
    r = _run("import jwtkit", {"JWTKIT_LIBRARY": str(tmp_path / "nope.so")})
    assert r.returncode != 0
    assert "JWTKIT_LIBRARY" in r.stderr and "does not exist" in r.stderr


def test_jwtkit_library_that_is_not_jwtkit_is_refused():
    libc = "/lib/x86_64-linux-gnu/libc.so.6"
    if not os.path.exists(libc):
        pytest.skip("no glibc at the usual path on this machine")
    r = _run("import jwtkit", {"JWTKIT_LIBRARY": libc})
    assert r.returncode != 0 and "not a jwtkit library" in r.stderr


def test_abi_mismatch_fails_with_a_clear_message():
    code = (
        "import sys, types\n"
        f"src = open({str(PACKAGE_ROOT / 'jwtkit' / '_ffi.py')!r}).read()\n"
        "src = src.replace('ABI_VERSION = 0\\n', 'ABI_VERSION = 99\\n', 1)\n"
        f"m = types.ModuleType('jwtkit._ffi'); m.__file__ = {str(PACKAGE_ROOT / 'jwtkit' / '_ffi.py')!r}\n"
        "exec(compile(src, m.__file__, 'exec'), m.__dict__)\n"
    )
    r = _run(code, {"JWTKIT_LIBRARY": jwtkit.library_path})
    assert r.returncode != 0
    assert "ABI mismatch" in r.stderr and "99" in r.stderr


def test_lookup_order(monkeypatch, tmp_path):
    monkeypatch.setenv("JWTKIT_LIBRARY", "/x/libjwtkit.so")
    assert _ffi.candidate_paths() == [("JWTKIT_LIBRARY", Path("/x/libjwtkit.so"))]
    monkeypatch.delenv("JWTKIT_LIBRARY")
    origins = [o for o, _ in _ffi.candidate_paths()]
    assert origins[0] == "bundled"
    if (PACKAGE_ROOT.parent.parent / "Cargo.toml").exists():
        assert origins[1:] == ["target/release", "target/debug"]


def test_import_without_env_finds_a_library_in_the_repository():
    if not (PACKAGE_ROOT.parent.parent / "target").exists():
        pytest.skip("no target/ folder")
    r = _run("import jwtkit; print(jwtkit.library_path)")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("libjwtkit.so")


def _header_functions():
    if not HEADER.exists():
        pytest.skip("include/jwtkit.h is not beside this package")
    text = re.sub(r"/\*.*?\*/", "", HEADER.read_text(), flags=re.S)
    found = {}
    for m in re.finditer(r"\b(jwtkit_\w+)\s*\(([^;{]*?)\)\s*;", text):
        name, params = m.group(1), m.group(2).strip()
        if "(*" in m.group(0) or name.endswith("_fn"):
            continue
        count = 0 if params in ("", "void") else params.count(",") + 1
        found[name] = count
    return found


def test_every_declaration_matches_the_header():
    header = _header_functions()
    for name, (restype, argtypes) in _ffi._SIGNATURES.items():
        assert name in header, f"{name} is declared but is not in include/jwtkit.h"
        assert len(argtypes) == header[name], f"{name}: {len(argtypes)} argtypes, header has {header[name]}"
        fn = getattr(_ffi.lib, name)
        assert fn.argtypes == argtypes and fn.restype is restype


def test_every_header_function_is_declared():
    # A function of the header with no declaration in _ffi.py would be called through
    # ctypes' default int arguments and result: pointers truncated, sizes misread.
    undeclared = sorted(set(_header_functions()) - set(_ffi._SIGNATURES))
    assert not undeclared, f"functions of include/jwtkit.h not declared in _ffi.py: {undeclared}"


STATUSES = [v for k, v in vars(_ffi).items() if k.startswith("JWTKIT_ERR_")]


@pytest.mark.parametrize("status", STATUSES)
def test_every_status_has_a_name_and_an_exception(status):
    name = _ffi.status_name(status)
    assert name.startswith("JWTKIT_ERR_") and name != "JWTKIT_ERR_UNKNOWN"
    e = _status.exception_for(status, "detail `exp` none is expected")
    assert isinstance(e, exc.PyJWTError)
    assert e.status == status and e.status_name == name and e.detail
    if status >= 200:  # everything a token can cause
        assert isinstance(e, exc.InvalidTokenError), name


def test_unknown_status():
    assert _ffi.status_name(9999) == "JWTKIT_ERR_UNKNOWN"
    assert type(_status.exception_for(9999, "x")) is exc.PyJWTError


def test_algorithm_names_round_trip():
    for i, name in enumerate(_ffi.ALG_NAMES, 1):
        assert _ffi.alg_from_name(name) == i
    assert _ffi.lib.jwtkit_alg_name(0) is None
    assert _ffi.alg_from_name("none") is None
    assert _ffi.alg_from_name("NONE") is None
    assert _ffi.alg_from_name("Ed25519") == _ffi.JWTKIT_ALG_EDDSA
    assert _ffi.alg_from_name("hs256") is None
    assert _ffi.alg_from_name(None) is None  # type: ignore[arg-type]


def test_take_error_without_details():
    from ctypes import c_void_p

    assert _ffi.take_error(c_void_p(), 401) == (401, "JWTKIT_ERR_EXPIRED", None)
