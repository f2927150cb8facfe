"""What the nginx module's tests share: keys and tokens (made with the repository's
Python package), a real nginx started on a free 127.0.0.1 port with a generated
configuration, a test upstream that records what it receives and serves JWK Sets, and
small HTTP helpers.

Environment (set by tests/nginx/run.sh): JWTKIT_NGINX_MODULE (the .so to load),
JWTKIT_NGINX_BIN (the nginx binary, default `nginx` on PATH), PYTHONPATH=bindings/python and
JWTKIT_LIBRARY (the library the Python package uses to make tokens).
"""

from __future__ import annotations

import base64
import http.client
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import jwtkit
import jwtkit.jwe
from jwtkit import _core, _ffi

ROOT = Path(__file__).resolve().parents[2]
KEYS_DIR = ROOT / "tests" / "keys"
# Not NGINX: nginx reads that variable itself (inherited sockets).
NGINX = os.environ.get("JWTKIT_NGINX_BIN") or shutil.which("nginx") or "/usr/sbin/nginx"
MODULE = os.environ.get("JWTKIT_NGINX_MODULE", str(ROOT / "target" / "nginx-module" / "ngx_http_auth_jwtkit_module.so"))


# --- keys and tokens -------------------------------------------------------------------

def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def pem(name: str) -> str:
    return (KEYS_DIR / name).read_text()


#: algorithm -> (private key PEM or JWK dict, kid)
HMAC_SECRET = bytes(range(64))
HMAC_JWK = {"kty": "oct", "k": b64u(HMAC_SECRET), "kid": "hmac-1"}

SIGNING: Dict[str, Tuple[Any, str]] = {
    "HS256": (HMAC_JWK, "hmac-1"),
    "HS384": (HMAC_JWK, "hmac-1"),
    "HS512": (HMAC_JWK, "hmac-1"),
    "RS256": (pem("rsa2048.pkcs8.pem"), "rsa-1"),
    "RS384": (pem("rsa2048.pkcs8.pem"), "rsa-1"),
    "RS512": (pem("rsa2048.pkcs8.pem"), "rsa-1"),
    "PS256": (pem("rsa2048.pkcs8.pem"), "rsa-1"),
    "PS384": (pem("rsa2048.pkcs8.pem"), "rsa-1"),
    "PS512": (pem("rsa2048.pkcs8.pem"), "rsa-1"),
    "ES256": (pem("ecp256.pkcs8.pem"), "ec256-1"),
    "ES384": (pem("ecp384.pkcs8.pem"), "ec384-1"),
    "ES512": (pem("ecp521.pkcs8.pem"), "ec521-1"),
    "EdDSA": (pem("ed25519.pkcs8.pem"), "ed-1"),
    "ES256K": (pem("secp256k1.pkcs8.pem"), "k1-1"),
}

ALGORITHMS = list(SIGNING)
PUBLIC_ALGORITHMS = [a for a in ALGORITHMS if not a.startswith("HS")]


def public_jwk(private_pem: str, kid: str, **extra: Any) -> Dict[str, Any]:
    key = _core.Key.from_pem(private_pem.encode()).with_kid(kid)
    jwk = json.loads(key.to_public_jwk())
    jwk.update(extra)
    return jwk


def private_jwk(private_pem: str, kid: str, **extra: Any) -> Dict[str, Any]:
    key = _core.Key.from_pem(private_pem.encode()).with_kid(kid)
    jwk = json.loads(key.to_private_jwk())
    jwk.update(extra)
    return jwk


def generated_pem(alg: str) -> str:
    """A new private key for `alg` (not RSA), as PEM."""
    return _core.Key.generate(_ffi.alg_from_name(alg)).to_private_pem()


def public_jwks() -> Dict[str, Any]:
    """The public keys of every asymmetric algorithm above, one per kid."""
    seen, keys = set(), []
    for alg in PUBLIC_ALGORITHMS:
        key, kid = SIGNING[alg]
        if kid not in seen:
            seen.add(kid)
            keys.append(public_jwk(key, kid))
    return {"keys": keys}


def hmac_jwks() -> Dict[str, Any]:
    return {"keys": [HMAC_JWK]}


def claims(**extra: Any) -> Dict[str, Any]:
    now = int(time.time())
    out: Dict[str, Any] = {"sub": "alice", "iat": now, "exp": now + 300}
    out.update(extra)
    return {k: v for k, v in out.items() if v is not None}


def sign(alg: str = "ES256", payload: Optional[Dict[str, Any]] = None, kid: Optional[str] = "default",
         key: Any = None, headers: Optional[Dict[str, Any]] = None) -> str:
    signing_key, default_kid = SIGNING[alg]
    hdr = dict(headers or {})
    if kid == "default":
        kid = default_kid
    if kid is not None:
        hdr["kid"] = kid
    return jwtkit.encode(payload if payload is not None else claims(), key if key is not None else signing_key,
                         algorithm=alg, headers=hdr)


def unsigned_token(payload: Dict[str, Any], alg: str = "none") -> str:
    head = b64u(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64u(json.dumps(payload).encode())
    return f"{head}.{body}."


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value))
    return path


# --- HTTP ------------------------------------------------------------------------------

class Response:
    def __init__(self, status: int, headers: List[Tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name: str) -> Optional[str]:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def header_lines(self, name: str) -> List[str]:
        """Every value of the header `name`, one per header line, in order."""
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def __repr__(self) -> str:
        return f"<{self.status} {self.headers} {self.body[:200]!r}>"


def request(port: int, path: str, token: Optional[str] = None, headers: Optional[Dict[str, str]] = None,
            method: str = "GET", timeout: float = 10.0) -> Response:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    hdrs = dict(headers or {})
    if token is not None:
        hdrs["Authorization"] = f"Bearer {token}"
    conn.request(method, path, headers=hdrs)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return Response(resp.status, resp.getheaders(), body)


def request_lines(port: int, path: str, headers: List[Tuple[str, str]], method: str = "GET",
                  timeout: float = 10.0) -> Response:
    """A request with these header lines, in this order: a name may come more than once
    (two Cookie lines, two Authorization lines)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.putrequest(method, path)
    for name, value in headers:
        conn.putheader(name, value)
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return Response(resp.status, resp.getheaders(), body)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


# --- the test upstream -----------------------------------------------------------------

class JwksEndpoint:
    """A JWK Set the upstream serves at /jwks/<name>, with its own headers and log
    (cache_control: a value, or a list of values sent as as many header lines)."""

    def __init__(self, document: Any, cache_control: Any = None, etag: Optional[str] = None) -> None:
        self.lock = threading.Lock()
        self.document = document
        self.cache_control = cache_control
        self.etag = etag
        self.status = 200
        self.delay = 0.0
        self.hits: List[Dict[str, str]] = []

    def set(self, document: Any = None, **kw: Any) -> None:
        with self.lock:
            if document is not None:
                self.document = document
            for k, v in kw.items():
                setattr(self, k, v)

    def count(self) -> int:
        with self.lock:
            return len(self.hits)


class Upstream:
    """A threaded HTTP server: /echo answers with the request's headers as JSON (and
    keeps them), or with the value of its X-Say header when it has one; /jwks/<name>
    serves a JwksEndpoint, honouring If-None-Match."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: List[Dict[str, str]] = []
        self.jwks: Dict[str, JwksEndpoint] = {}
        upstream = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                headers = {k.lower(): v for k, v in self.headers.items()}
                if self.path.startswith("/jwks/"):
                    upstream.serve_jwks(self, self.path[len("/jwks/"):], headers)
                    return
                upstream.received.append(headers)
                if "x-say" in headers:
                    body = headers["x-say"].encode()
                else:
                    body = json.dumps({"path": self.path, "headers": headers}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET  # noqa: N815

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def serve_jwks(self, handler: http.server.BaseHTTPRequestHandler, name: str, headers: Dict[str, str]) -> None:
        ep = self.jwks.get(name)
        if ep is None:
            handler.send_error(404)
            return
        with ep.lock:
            ep.hits.append(headers)
            status, document, cc, etag, delay = ep.status, ep.document, ep.cache_control, ep.etag, ep.delay
        if delay:
            time.sleep(delay)
        if status == 200 and etag is not None and headers.get("if-none-match") == etag:
            status = 304
        body = b"" if status == 304 else (document if isinstance(document, bytes) else json.dumps(document).encode())
        handler.send_response(status)
        for line in ([cc] if isinstance(cc, str) else cc or []):
            handler.send_header("Cache-Control", line)
        if etag:
            handler.send_header("ETag", etag)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def say(text: str) -> str:
    """Configuration that answers `text` (with variables) from the content phase, through
    the test upstream: `return` would answer before the access phase, before auth_jwt."""
    return f'proxy_set_header X-Say "{text}"; proxy_pass http://127.0.0.1:{{up}}/echo;'


# --- nginx -----------------------------------------------------------------------------

CONF_TEMPLATE = """\
load_module {module};
daemon off;
master_process on;
worker_processes {workers};
error_log {dir}/error.log {log_level};
pid {dir}/nginx.pid;
{main}
events {{ worker_connections 1024; }}

http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

{http}

    server {{
        listen 127.0.0.1:{port};
{server}
    }}
}}
"""

# What a healthy run never logs: a worker that died, an alert, a critical error.
BAD_LOG = re.compile(r"\[(alert|crit|emerg)\]|exited on signal|core dumped")


class Nginx:
    """A real nginx (the master and its workers) with a generated configuration in its
    own directory. `http` and `server` are configuration text put in the http block and
    in the one server block; in them `SAY(text)` becomes `say(text)`, `{dir}` is replaced by that directory, `{keys}` by
    its parent (where a test module writes its key files), `{port}` by nginx's port and
    `{up}` by the test upstream's."""

    def __init__(self, directory: Path, http: str = "", server: str = "", upstream: Optional[Upstream] = None,
                 workers: int = 1, log_level: str = "info", main: str = "", module: str = MODULE,
                 wrapper: Optional[List[str]] = None) -> None:
        self.dir = directory
        self.wrapper = wrapper or []  # a command nginx runs under (valgrind, say)
        self.module = module
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.upstream = upstream
        self.workers = workers
        self.log_level = log_level
        # as root, the workers would run as "nobody", who cannot read the test's files
        self.main = ("user root;\n" if os.geteuid() == 0 else "") + main
        self.conf = self.dir / "nginx.conf"
        self.write(http, server)
        self.proc: Optional[subprocess.Popen[bytes]] = None

    def subst(self, text: str) -> str:
        text = re.sub(r"SAY\(([^\n]*)\)", lambda m: say(m.group(1)), text)
        return (text.replace("{dir}", str(self.dir)).replace("{keys}", str(self.dir.parent))
                .replace("{port}", str(self.port))
                .replace("{up}", str(self.upstream.port if self.upstream else 0)))

    def write(self, http: str, server: str) -> None:
        self.conf.write_text(CONF_TEMPLATE.format(
            module=self.module, dir=self.dir, port=self.port, workers=self.workers, log_level=self.log_level,
            main=self.main, http=self.subst(http), server=self.subst(server)))

    def test_config(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run([NGINX, "-t", "-p", str(self.dir), "-c", str(self.conf)],
                              capture_output=True, text=True, timeout=30)

    def start(self) -> "Nginx":
        checked = self.test_config()
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{checked.stderr}")
        self.proc = subprocess.Popen(self.wrapper + [NGINX, "-p", str(self.dir), "-c", str(self.conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_port(self.port, 60.0 if self.wrapper else 10.0)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"nginx did not start:\n{self.log()}")
        return self

    def reload(self, timeout: float = 10.0) -> None:
        """`nginx -s reload`, then waits until the old workers are gone."""
        before = set(self.worker_pids())
        subprocess.run([NGINX, "-p", str(self.dir), "-c", str(self.conf), "-s", "reload"], check=True,
                       capture_output=True, timeout=30)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            now = set(self.worker_pids())
            if now and not (now & before):
                return
            time.sleep(0.05)
        raise TimeoutError(f"the workers were not replaced:\n{self.log()}")

    def master_pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def worker_pids(self) -> List[int]:
        out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(self.master_pid())],
                             capture_output=True, text=True).stdout
        return [int(line.split()[0]) for line in out.splitlines() if "worker process" in line
                and "shutting down" not in line]

    def rss_kib(self) -> Dict[int, int]:
        """Resident memory of each worker, in KiB (from /proc)."""
        out = {}
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out[pid] = int(line.split()[1])
        return out

    def log(self) -> str:
        path = self.dir / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def bad_log_lines(self) -> List[str]:
        return [line for line in self.log().splitlines() if BAD_LOG.search(line)]

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str, token: Optional[str] = None, **kw: Any) -> Response:
        return request(self.port, path, token, **kw)

    def get_lines(self, path: str, headers: List[Tuple[str, str]], **kw: Any) -> Response:
        return request_lines(self.port, path, headers, **kw)


def nginx_v() -> str:
    """What `nginx -V` tells: the version, the configure arguments."""
    return subprocess.run([NGINX, "-V"], capture_output=True, text=True, timeout=30).stderr


def nginx_version() -> Tuple[int, ...]:
    """The version of the nginx the tests run, e.g. (1, 22, 1)."""
    found = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", nginx_v())
    assert found, nginx_v()
    return tuple(int(n) for n in found.groups())
