"""Fixtures for the service tests: the `jwtkit` tool, signing keys, services on
127.0.0.1 (in this process on a thread, or as separate processes), an HTTP client.

Everything binds port 0 and stops at the end of its test; every wait is bounded.
Environment: JWTKIT_LIBRARY (the library; else the usual lookup), JWTKIT_CLI (the tool;
else built here from bindings/c/jwtkit_cli.c), SERVICE_TEST_REDIS_URL (a Redis server,
started by run-tests.sh with noeviction and appendonly; SERVICE_TEST_REQUIRE_REDIS=1
makes its absence a failure).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import selectors
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional
from urllib.parse import urlsplit

import pytest

HERE = Path(__file__).resolve().parent
SERVICE_DIR = HERE.parent
REPO = SERVICE_DIR.parents[3]
sys.path.insert(0, str(SERVICE_DIR))

import service  # noqa: E402  (puts bindings/python on sys.path for jwtkit)

import jwtkit as jwt  # noqa: E402

PASSWORD = "correct horse battery staple"
ISSUER = "https://login.test"
FILES = {"report.txt": b"the report\n", "notes.txt": b"some notes\n"}


class FakeClock:
    """The service's clock: the real time plus ``offset`` seconds (tests change it)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


# ---------------------------------------------------------------------------------
# HTTP


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def cookies(self) -> List[str]:
        return self.headers.get_all("Set-Cookie") or []

    def refresh_token(self) -> Optional[str]:
        """The refresh token the response set (None: no cookie, "": cleared)."""
        for cookie in self.cookies():
            name, _, rest = cookie.partition("=")
            if name == service.REFRESH_COOKIE:
                return rest.split(";", 1)[0]
        return None


def request(
    method: str,
    url: str,
    *,
    token: Optional[str] = None,
    refresh: Optional[str] = None,
    json_body: Any = None,
    body: Optional[bytes] = None,
    headers: Optional[Dict[str, str]] = None,
    csrf: bool = True,
) -> Response:
    """One HTTP request over a new connection (10 s timeout). A POST carries
    `X-Requested-With` as the service's own scripts would, unless ``csrf`` is False."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    hdrs = dict(headers or {})
    if token is not None:
        hdrs["Authorization"] = f"Bearer {token}"
    if refresh is not None:
        hdrs["Cookie"] = f"{service.REFRESH_COOKIE}={refresh}"
    if json_body is not None:
        body = json.dumps(json_body).encode()
        hdrs["Content-Type"] = "application/json"
    if method == "POST" and body is None:
        body = b""
    if method == "POST" and csrf:
        hdrs.setdefault("X-Requested-With", "XMLHttpRequest")
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body, headers=hdrs)
        resp = conn.getresponse()
        return Response(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


def login(url: str, user: str = "alice", password: str = PASSWORD) -> Response:
    return request("POST", f"{url}/login", json_body={"username": user, "password": password})


def unverified(token: str) -> Dict[str, Any]:
    """A token's header and claims, decoded WITHOUT verification (to look, not to trust)."""
    h, p, _ = token.split(".")
    dec = lambda s: json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))  # noqa: E731
    return {"header": dec(h), "claims": dec(p)}


# ---------------------------------------------------------------------------------
# The jwtkit tool and keys


def _build_cli(out: Path) -> Path:
    """bindings/c/jwtkit_cli.c linked to the library this test run loads (as
    scripts/install.sh builds it, but against the library's own directory)."""
    lib = Path(jwt.library_path).resolve()
    libdir = out / "lib"
    libdir.mkdir(parents=True)
    # The library's SONAME is libjwtkit.so.<ABI>: give the loader that name.
    soname = subprocess.run(["readelf", "-d", str(lib)], capture_output=True, text=True, check=True).stdout
    name = next((line.split("[")[1].split("]")[0] for line in soname.splitlines() if "SONAME" in line), lib.name)
    (libdir / name).symlink_to(lib)
    (libdir / "libjwtkit.so").symlink_to(lib)
    exe = out / "jwtkit"
    subprocess.run(
        [os.environ.get("CC", "cc"), "-std=c99", "-O1", f"-I{REPO / 'include'}", str(REPO / "bindings/c/jwtkit_cli.c"),
         f"-L{libdir}", "-ljwtkit", "-lm", f"-Wl,-rpath,{libdir}", "-o", str(exe)],
        check=True, timeout=120,
    )
    return exe


@pytest.fixture(scope="session")
def cli(tmp_path_factory: pytest.TempPathFactory) -> str:
    given = os.environ.get("JWTKIT_CLI")
    if given:
        return given
    return str(_build_cli(tmp_path_factory.mktemp("cli")))


def keygen(cli: str, alg: str, out: Path) -> Path:
    subprocess.run([cli, "keygen", "--alg", alg, "--out", str(out)], check=True, timeout=30)
    return out


@pytest.fixture(scope="session")
def keys(cli: str, tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    d = tmp_path_factory.mktemp("keys")
    return {alg: keygen(cli, alg, d / f"{alg}.jwk") for alg in ("ES256", "EdDSA")}


@pytest.fixture(scope="session")
def users() -> Dict[str, str]:
    return {"alice": service.hash_password(PASSWORD), "bob": service.hash_password("bob's own password")}


@pytest.fixture
def files_dir(tmp_path: Path) -> Path:
    d = tmp_path / "files"
    d.mkdir()
    for name, data in FILES.items():
        (d / name).write_bytes(data)
    return d


# ---------------------------------------------------------------------------------
# Services in this process


@dataclass
class Running:
    url: str
    app: service.TokenService
    clock: FakeClock
    server: service.RunningServer = field(repr=False)


@pytest.fixture
def start(keys: Dict[str, Path], users: Dict[str, str], files_dir: Path) -> Iterator[Any]:
    """``start(alg="ES256", store=None)``: a service on a thread, with a FakeClock.
    ``store`` is a store, or a function of the clock that makes one (default: in memory)."""
    running: List[service.RunningServer] = []

    def _start(alg: str = "ES256", store: Any = None) -> Running:
        clock = FakeClock()
        if callable(store):
            store = store(clock)
        app = service.TokenService(
            json.loads(keys[alg].read_text()),
            service.UserStore(users),
            store if store is not None else service.MemoryStore(clock),
            issuer=ISSUER,
            files_dir=files_dir,
            clock=clock,
        )
        server = service.RunningServer(app)
        running.append(server)
        return Running(server.url, app, clock, server)

    yield _start
    for server in running:
        server.stop()


@pytest.fixture
def svc(start: Any) -> Running:
    return start()


# ---------------------------------------------------------------------------------
# Services as processes: `python3 service.py --state DIR serve --port 0`


class Process:
    def __init__(self, state: Path, env: Dict[str, str], log: Path) -> None:
        self.log = log
        self._logf = open(log, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, str(SERVICE_DIR / "service.py"), "--state", str(state), "serve", "--port", "0"],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=self._logf,
        )
        self.url = self._wait_for_url(20)

    def _wait_for_url(self, seconds: float) -> str:
        assert self.proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + seconds
        line = b""
        try:
            while time.monotonic() < deadline and not line.endswith(b"\n"):
                if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
                    break
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                line += chunk
        finally:
            sel.close()
        text = line.decode(errors="replace")
        if not text.startswith("listening on "):
            self.stop()
            raise AssertionError(f"service did not start: {text!r}\n{self.log.read_text(errors='replace')}")
        return text.split()[2]

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._logf.close()
        return self.proc.returncode


@pytest.fixture
def spawn(cli: str, tmp_path: Path) -> Iterator[Any]:
    """``spawn(state, **env)``: the service as its own process, stopped at the end."""
    procs: List[Process] = []

    def _spawn(state: Path, **env: str) -> Process:
        proc = Process(state, {"JWTKIT_CLI": cli, **env}, tmp_path / f"service-{len(procs)}.log")
        procs.append(proc)
        return proc

    yield _spawn
    for proc in procs:
        proc.stop()


def add_user(state: Path, name: str, password: str) -> None:
    subprocess.run(
        [sys.executable, str(SERVICE_DIR / "service.py"), "--state", str(state), "add-user", name],
        input=password + "\n", text=True, check=True, timeout=30, capture_output=True,
    )


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("SERVICE_TEST_REDIS_URL")
    if url:
        return url
    if os.environ.get("SERVICE_TEST_REQUIRE_REDIS") == "1":
        pytest.fail("SERVICE_TEST_REDIS_URL is not set (run-tests.sh starts redis-server and sets it)")
    pytest.skip("no Redis server: run bindings/python/examples/service/run-tests.sh, which starts one")


@pytest.fixture
def prefix() -> str:
    """A key prefix of this test's own in the shared Redis."""
    return f"jwtkit-service-test:{uuid.uuid4().hex}:"
