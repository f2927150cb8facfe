"""pytest fixtures for the nginx module's tests: a test upstream per module, and a
factory of nginx instances that are stopped at the end and whose error log must not
show a crash, an alert or a critical error."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import MODULE, Nginx, Upstream  # noqa: E402


def pytest_configure(config: Any) -> None:
    if not os.path.exists(MODULE):
        raise pytest.UsageError(f"no module at {MODULE}: run bash tests/nginx/run.sh (it builds it)")


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    up = Upstream()
    yield up
    up.close()


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    return tmp_path_factory.mktemp(request.module.__name__.replace("test_", ""))


@pytest.fixture(scope="module")
def make_nginx(module_dir: Path, upstream: Upstream) -> Iterator[Callable[..., Nginx]]:
    started: List[Nginx] = []
    counter = [0]

    def make(http: str = "", server: str = "", start: bool = True, **kw: Any) -> Nginx:
        counter[0] += 1
        n = Nginx(module_dir / f"nginx{counter[0]}", http=http, server=server, upstream=upstream, **kw)
        started.append(n)
        return n.start() if start else n

    yield make
    bad = []
    for n in started:
        n.stop()
        bad += [f"{n.dir}: {line}" for line in n.bad_log_lines()]
    assert not bad, "the error log shows trouble:\n" + "\n".join(bad)
