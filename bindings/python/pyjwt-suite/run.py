#!/usr/bin/env python3
"""Runs PyJWT's own public-API tests against jwtkit, as a user migrating with
``import jwtkit as jwt`` would meet them.

PyJWT 2.15.1's sdist is fetched once from PyPI with pip, pinned by version and sha256,
into ``target/pyjwt-suite/`` (never committed), and its ``tests/`` are unpacked there
(its ``jwt`` package is not: nothing can import PyJWT from it). ``shim/`` is put first on
``sys.path``: its ``jwt`` package is jwtkit under PyJWT's name. ``excluded.txt`` names the
tests that are not run as ordinary tests, each with a category and a reason:

- ``internal``: tests of PyJWT internals that are not public API; not run.
- ``deviation``: jwtkit differs on purpose (a refusal kept for safety, or a behaviour
  decided for jwtkit); run, and expected to fail.
- ``deviation-with-option``: jwtkit refuses by default, for safety, and an option
  accepts; run as written (must fail) and with the option given to the test's ``jwt`` or
  ``jws`` fixture (must pass).
- ``pending-core``: needs a change in the library (listed in the report of the change
  that excluded it); run, and expected to fail.

A ``deviation`` or ``pending-core`` test that passes fails the run ("XPASS(strict)"): the
list, and the README's "Differences from PyJWT" that mirrors it, must shrink. An entry
naming no collected test fails the run too.

Usage (``bindings/python/run-tests.sh`` runs it after the package's own tests):

    python3 bindings/python/pyjwt-suite/run.py [--readme] [pytest arguments]

``--readme`` prints the README lines that mirror ``excluded.txt`` and exits. Set
``JWTKIT_LIBRARY`` to test a particular build of the library.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import List

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
PACKAGE_ROOT = HERE.parent

PYJWT_VERSION = "2.15.1"
PYJWT_SDIST = f"pyjwt-{PYJWT_VERSION}.tar.gz"
PYJWT_SHA256 = "4f259e80cdfb6b3fc18a7de51fd1ef9ec79652f25019bae68975ca2468a34df8"

CACHE = ROOT / "target" / "pyjwt-suite"
UNPACKED = CACHE / f"pyjwt-{PYJWT_VERSION}"

#: PyJWT's public-API tests: what a user's code meets.
SUITE = [
    "tests/test_api_jwt.py",
    "tests/test_api_jws.py",
    "tests/test_api_jwk.py",
    "tests/test_jwks_client.py",
    "tests/test_algorithms.py::TestKeyLengthValidation",
]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_sdist() -> Path:
    """The pinned sdist in the cache, downloaded with pip (hash-checked by pip and
    again here) when it is missing or does not match."""
    CACHE.mkdir(parents=True, exist_ok=True)
    sdist = CACHE / PYJWT_SDIST
    if sdist.exists() and _sha256(sdist) == PYJWT_SHA256:
        return sdist
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        requirements = Path(tmp) / "requirements.txt"
        requirements.write_text(f"pyjwt=={PYJWT_VERSION} --hash=sha256:{PYJWT_SHA256}\n")
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
             "--no-binary", ":all:", "--require-hashes", "-r", str(requirements), "-d", tmp],
            check=True,
        )
        got = Path(tmp) / PYJWT_SDIST
        if _sha256(got) != PYJWT_SHA256:
            raise SystemExit(f"pyjwt-suite: {PYJWT_SDIST} does not have the pinned sha256 {PYJWT_SHA256}")
        shutil.move(str(got), str(sdist))
    return sdist


def unpack(sdist: Path) -> Path:
    """PyJWT's ``tests/`` and ``pyproject.toml`` (its pytest settings), unpacked once
    per sdist hash. The ``jwt`` package itself is left in the archive."""
    marker = UNPACKED / ".unpacked-sha256"
    if marker.exists() and marker.read_text() == PYJWT_SHA256:
        return UNPACKED
    if UNPACKED.exists():
        shutil.rmtree(UNPACKED)
    prefix = f"pyjwt-{PYJWT_VERSION}/"
    with tarfile.open(sdist, "r:gz") as archive:
        for member in archive.getmembers():
            name = member.name
            if not name.startswith(prefix) or ".." in Path(name).parts or not (member.isfile() or member.isdir()):
                continue
            inner = name[len(prefix):]
            if not (inner == "pyproject.toml" or inner.startswith("tests/")):
                continue
            target = CACHE / name
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            assert source is not None
            target.write_bytes(source.read())
    marker.write_text(PYJWT_SHA256)
    return UNPACKED


def readme_lines() -> List[str]:
    """The README's mirror of ``excluded.txt``: one block per mirrored category."""
    sys.path.insert(0, str(HERE))
    from pyjwt_suite_plugin import load_exclusions, readme_begin, readme_blocks, readme_end

    lines: List[str] = []
    for category, block in readme_blocks(load_exclusions()).items():
        lines += ["", readme_begin(category), *block, readme_end(category)]
    return lines[1:]


def main(argv: List[str]) -> int:
    if "--readme" in argv:
        print("\n".join(readme_lines()))
        return 0
    tests_dir = unpack(fetch_sdist())
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(HERE / "shim"), str(HERE), str(PACKAGE_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    command = [sys.executable, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider", "-p", "pyjwt_suite_plugin",
               *SUITE, *argv]
    print(f"pyjwt-suite: PyJWT {PYJWT_VERSION}'s tests against jwtkit ({tests_dir})", flush=True)
    return subprocess.run(command, cwd=tests_dir, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
