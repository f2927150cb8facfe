#!/usr/bin/env python3
"""HTTPS and plain-HTTP test server for the JWKS key source tests.

Usage: python3 jwks_server.py DIR

Makes a throw-away CA and a server certificate in DIR with the `openssl`
command, serves the same routes over HTTPS and HTTP on 127.0.0.1 (ports
chosen by the OS), then writes DIR/server.json.  Tests steer the answers of
/jwks by writing control files in DIR (jwks.json, cache-control, mode), which
are read again on every request.  Every request is logged as one JSON line
in DIR/headers.log.  Stops on SIGTERM, SIGINT or end of stdin.
See README.md next to this file.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import socketserver
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

JSON = "application/json"
EMPTY_SET = b'{"keys":[]}'
BIG_SIZE = 10 * 1024 * 1024
BIG_BODY = b'{"keys":[' + b" " * (BIG_SIZE - 11) + b"]}"  # valid JSON, 10 MiB
CHUNK = 64 * 1024
WELL_KNOWN = "/.well-known/openid-configuration"
DISCOVERY_PREFIXES = ("", "/tenant", "/wrong-issuer", "/no-jwks-uri")
CLIENT_ERRORS = (ConnectionError, TimeoutError, ssl.SSLError)

OPENSSL_CNF = """\
[req]
distinguished_name = dn
[dn]
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[v3_leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""


def openssl(*args: str | Path) -> None:
    run = subprocess.run(["openssl", *map(str, args)], capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"openssl {args[0]} failed: {run.stderr.strip()}")


def make_key(path: Path) -> None:
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path)


def make_ca(d: Path, name: str, cn: str, cnf: Path) -> None:
    make_key(d / f"{name}.key")
    openssl("req", "-new", "-x509", "-config", cnf, "-extensions", "v3_ca", "-key", d / f"{name}.key",
            "-subj", f"/CN={cn}", "-days", "1", "-sha256", "-out", d / f"{name}.pem")


def make_certs(d: Path) -> None:
    """ca.pem/.key, server.pem/.key (signed by ca) and an unrelated other-ca.pem."""
    cnf, csr = d / "openssl.cnf", d / "server.csr"
    cnf.write_text(OPENSSL_CNF)
    make_ca(d, "ca", "jwtkit test CA", cnf)
    make_ca(d, "other-ca", "jwtkit unrelated test CA", cnf)
    make_key(d / "server.key")
    openssl("req", "-new", "-config", cnf, "-key", d / "server.key", "-subj", "/CN=localhost", "-out", csr)
    openssl("x509", "-req", "-in", csr, "-CA", d / "ca.pem", "-CAkey", d / "ca.key",
            "-set_serial", str(secrets.randbits(63) | 1), "-days", "1", "-sha256",
            "-extfile", cnf, "-extensions", "v3_leaf", "-out", d / "server.pem")
    cnf.unlink()
    csr.unlink()


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    tags = [t.strip() for t in (if_none_match or "").split(",")]
    return any(t == "*" or t.removeprefix("W/") == etag for t in tags)


class State:
    """What both servers share: the directory, the log lock, the HTTP port."""

    def __init__(self, d: Path) -> None:
        self.dir, self.lock, self.http_port = d, threading.Lock(), 0

    def read(self, name: str) -> bytes | None:
        try:
            return (self.dir / name).read_bytes()
        except FileNotFoundError:
            return None

    def log(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry) + "\n"
        with self.lock, open(self.dir / "headers.log", "a", encoding="utf-8") as f:
            f.write(line)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 300  # idle keep-alive connections are dropped after this
    server: Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # no access log; real errors reach Server.handle_error

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        url = urlsplit(self.path)
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            name = name.lower()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        self.server.state.log({"path": url.path, "target": self.path, "scheme": self.server.scheme,
                               "method": self.command, "headers": headers, "t": time.time()})
        prefix = url.path.removesuffix(WELL_KNOWN)
        if url.path == "/jwks":
            self.jwks()
        elif url.path == "/jwks-target":
            self.ok()
        elif url.path.endswith(WELL_KNOWN) and prefix in DISCOVERY_PREFIXES:
            self.discovery(prefix)
        else:
            self.send(404, b"not found\n")

    do_HEAD = do_POST = do_GET

    def write(self, data: bytes) -> None:
        if self.command != "HEAD":
            self.wfile.write(data)

    def head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def send(self, status: int, body: bytes = b"", ctype: str = "text/plain",
             headers: dict[str, str] | None = None) -> None:
        """A complete answer; a 304 has neither body nor Content-Length."""
        headers = dict(headers or {})
        if status != 304:
            headers |= ({"Content-Type": ctype} if body else {}) | {"Content-Length": str(len(body))}
        self.head(status, headers)
        if status != 304:
            self.write(body)

    def cache_headers(self) -> dict[str, str]:
        value = (self.server.state.read("cache-control") or b"").decode().strip()
        return {"Cache-Control": value} if value else {}

    def key_set(self) -> bytes:
        body = self.server.state.read("jwks.json")
        return EMPTY_SET if body is None else body

    def ok(self) -> None:
        body = self.key_set()
        headers = {"ETag": f'"{hashlib.sha256(body).hexdigest()[:16]}"', **self.cache_headers()}
        if etag_matches(", ".join(self.headers.get_all("If-None-Match") or []), headers["ETag"]):
            self.send(304, headers=headers)
        else:
            self.send(200, body, JSON, headers)

    def jwks(self) -> None:
        mode = (self.server.state.read("mode") or b"").decode().strip() or "ok"
        cache = self.cache_headers()
        redirects = {"redirect-http": f"http://127.0.0.1:{self.server.state.http_port}/jwks",
                     "redirect-file": "file:///etc/passwd", "redirect-https": "/jwks-target",
                     "redirect-loop": "/jwks"}
        if mode == "ok":
            self.ok()
        elif mode in ("500", "404"):
            self.send(int(mode), f"mode {mode}\n".encode(), headers=cache)
        elif mode in ("invalid", "empty"):
            self.send(200, b'{"keys": [' if mode == "invalid" else EMPTY_SET, JSON, cache)
        elif mode in ("big", "big-chunked"):
            self.big(mode == "big-chunked", cache)
        elif mode.startswith("slow:") and mode[5:].replace(".", "", 1).isdigit():
            time.sleep(float(mode[5:]))
            self.ok()
        elif mode == "stall":
            body = self.key_set()
            self.head(200, {"Content-Type": JSON, "Content-Length": str(len(body))})
            self.write(body[: len(body) // 2])
            time.sleep(30)
            self.close_connection = True
        elif mode in redirects:
            self.send(302, headers={"Location": redirects[mode], **cache})
        elif mode == "close":
            self.close_connection = True
        else:
            print(f"jwks_server: unknown mode {mode!r}", file=sys.stderr, flush=True)
            self.send(500, f"unknown mode {mode!r}\n".encode())

    def big(self, chunked: bool, cache: dict[str, str]) -> None:
        framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(BIG_SIZE)}
        self.head(200, {"Content-Type": JSON, **cache, **framing})
        for start in range(0, BIG_SIZE, CHUNK):
            piece = BIG_BODY[start : start + CHUNK]
            self.write(b"%x\r\n%b\r\n" % (len(piece), piece) if chunked else piece)
        if chunked:
            self.write(b"0\r\n\r\n")

    def discovery(self, prefix: str) -> None:
        base = f"{self.server.scheme}://127.0.0.1:{self.server.server_port}"
        doc: dict[str, Any] = {"issuer": "https://evil.example" if prefix == "/wrong-issuer" else base + prefix}
        if prefix != "/no-jwks-uri":
            doc["jwks_uri"] = base + "/jwks"
        doc["id_token_signing_alg_values_supported"] = ["RS256", "ES256"]
        self.send(200, json.dumps(doc).encode(), JSON)


class Server(ThreadingHTTPServer):
    """One thread per connection; the TLS handshake happens in that thread too."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, state: State, tls: ssl.SSLContext | None) -> None:
        self.state, self.tls, self.scheme = state, tls, "https" if tls else "http"
        super().__init__(("127.0.0.1", 0), Handler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # skips HTTPServer's reverse DNS lookup
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls is None:
            return super().finish_request(request, client_address)
        request.settimeout(10)  # handshake; Handler.timeout applies afterwards
        with self.tls.wrap_socket(request, server_side=True) as tls_socket:
            super().finish_request(tls_socket, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], CLIENT_ERRORS):
            super().handle_error(request, client_address)


def tls_context(d: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(d / "server.pem", d / "server.key")
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


def stdin_is_a_lifeline() -> bool:
    """A pipe or file on stdin, not a TTY and not /dev/null (which ends at once)."""
    try:
        st, null = os.fstat(0), os.stat(os.devnull)
    except OSError:
        return False
    return not os.isatty(0) and (st.st_dev, st.st_ino) != (null.st_dev, null.st_ino)


def watch_stdin() -> None:
    try:
        while os.read(0, 65536):
            pass
    except OSError:
        pass
    os.kill(os.getpid(), signal.SIGTERM)


def interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} DIR", file=sys.stderr)
        return 2
    d = Path(argv[1]).resolve()
    signal.signal(signal.SIGTERM, interrupt)
    servers: list[Server] = []
    try:
        (d / "server.json").unlink(missing_ok=True)
        make_certs(d)
        state = State(d)
        for server in (Server(state, tls_context(d)), Server(state, None)):
            threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True).start()
            servers.append(server)
        https, http = servers
        state.http_port = http.server_port
        info = {"https_port": https.server_port, "http_port": http.server_port,
                "https": f"https://127.0.0.1:{https.server_port}", "http": f"http://127.0.0.1:{http.server_port}",
                "ca": str(d / "ca.pem"), "other_ca": str(d / "other-ca.pem"), "pid": os.getpid()}
        tmp = d / f".server.json.{os.getpid()}"
        tmp.write_text(json.dumps(info))
        os.replace(tmp, d / "server.json")
        if stdin_is_a_lifeline():
            threading.Thread(target=watch_stdin, daemon=True).start()
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    except (RuntimeError, OSError) as e:
        print(f"jwks_server: {e}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for server in servers:
            server.shutdown()
            server.server_close()
        (d / "server.json").unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
