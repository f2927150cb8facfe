"""run-sample.sh, the README's curl flow against a freshly started service process,
passes (it checks every status itself)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from conftest import SERVICE_DIR

import jwtkit as jwt


@pytest.mark.skipif(shutil.which("curl") is None, reason="run-sample.sh needs curl (apt-get install curl)")
def test_run_sample(cli: str) -> None:
    env = {**os.environ, "JWTKIT_LIBRARY": jwt.library_path, "JWTKIT_CLI": cli}
    done = subprocess.run(["bash", str(SERVICE_DIR / "run-sample.sh")], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "== the login service sample passed" in done.stdout
