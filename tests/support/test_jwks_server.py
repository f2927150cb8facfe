#!/usr/bin/env python3
"""Self-test of jwks_server.py: python3 tests/support/test_jwks_server.py"""
from __future__ import annotations

import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path
from typing import Any

SERVER = Path(__file__).with_name("jwks_server.py")
BIG = 10 * 1024 * 1024


def start(d: Path, stderr: Any) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    proc = subprocess.Popen([sys.executable, str(SERVER), str(d)], stdin=subprocess.PIPE, stderr=stderr)
    deadline = time.monotonic() + 10
    while not (d / "server.json").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("jwks_server.py did not start")
        time.sleep(0.02)
    return proc, json.loads((d / "server.json").read_text())


class JwksServerTest(unittest.TestCase):
    dir: Path
    info: dict[str, Any]
    proc: subprocess.Popen[bytes]

    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        cls.stderr = open(cls.dir / "stderr.txt", "wb")
        cls.proc, cls.info = start(cls.dir, cls.stderr)
        cls.ctx = ssl.create_default_context(cafile=cls.info["ca"])
        cls.ctx.verify_flags |= ssl.VERIFY_X509_STRICT

    @classmethod
    def tearDownClass(cls) -> None:
        assert cls.proc.stdin is not None
        cls.proc.stdin.close()  # end of stdin stops the server
        assert cls.proc.wait(5) == 0
        cls.stderr.close()
        assert not (cls.dir / "server.json").exists()
        bogus = "jwks_server: unknown mode 'bogus'"  # from test_error_modes
        errors = "".join(line for line in (cls.dir / "stderr.txt").read_text().splitlines(True)
                         if line.rstrip() != bogus)
        cls.tmp.cleanup()
        assert errors == "", f"server wrote to stderr:\n{errors}"

    def setUp(self) -> None:
        for name in ("mode", "cache-control", "jwks.json"):
            (self.dir / name).unlink(missing_ok=True)

    def put(self, name: str, content: str | bytes) -> None:
        tmp = self.dir / f".{name}.tmp"
        tmp.write_bytes(content.encode() if isinstance(content, str) else content)
        os.replace(tmp, self.dir / name)

    def conn(self, scheme: str = "https", timeout: float = 5) -> http.client.HTTPConnection:
        port = self.info[f"{scheme}_port"]
        if scheme == "https":
            return http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=self.ctx)
        return http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def get(self, path: str, scheme: str = "https", **headers: str) -> tuple[http.client.HTTPResponse, bytes]:
        c = self.conn(scheme)
        c.request("GET", path, headers=headers)
        r = c.getresponse()
        body = r.read()
        c.close()
        return r, body

    def fetches(self) -> int:
        log = (self.dir / "headers.log").read_text().splitlines()
        return sum(json.loads(line)["path"] == "/jwks" for line in log)

    def test_certificates(self) -> None:
        run = subprocess.run(["openssl", "verify", "-x509_strict", "-purpose", "sslserver", "-CAfile",
                              self.info["ca"], str(self.dir / "server.pem")], capture_output=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        wrong = ssl.create_default_context(cafile=self.info["other_ca"])
        c = http.client.HTTPSConnection("127.0.0.1", self.info["https_port"], timeout=5, context=wrong)
        with self.assertRaises(ssl.SSLCertVerificationError):
            c.request("GET", "/jwks")
        self.assertEqual(self.get("/jwks-target", "https")[0].status, 200)  # by IP
        c = http.client.HTTPSConnection("localhost", self.info["https_port"], timeout=5, context=self.ctx)
        c.request("GET", "/jwks")
        self.assertEqual(c.getresponse().status, 200)  # by name
        c.close()

    def test_server_json(self) -> None:
        self.assertEqual(self.info["https"], f"https://127.0.0.1:{self.info['https_port']}")
        self.assertEqual(self.info["http"], f"http://127.0.0.1:{self.info['http_port']}")
        self.assertEqual(self.info["pid"], self.proc.pid)
        self.assertTrue(Path(self.info["other_ca"]).is_file())

    def test_ok_etag_cache_control(self) -> None:
        r, body = self.get("/jwks")
        self.assertEqual((r.status, body), (200, b'{"keys":[]}'))
        self.put("jwks.json", '{"keys":[{"kty":"oct","k":"AA"}]}')
        self.put("cache-control", "max-age=60\n")
        for scheme in ("https", "http"):
            r, body = self.get("/jwks", scheme)
            self.assertEqual((r.status, body), (200, b'{"keys":[{"kty":"oct","k":"AA"}]}'))
            self.assertEqual(r.getheader("Content-Type"), "application/json")
            self.assertEqual(r.getheader("Cache-Control"), "max-age=60")
            etag = r.getheader("ETag")
            self.assertRegex(etag, r'^"[0-9a-f]{16}"$')
            for inm in (etag, f"W/{etag}", f'"nope", {etag}'):
                r, body = self.get("/jwks", scheme, **{"If-None-Match": inm})
                self.assertEqual((r.status, body, r.getheader("ETag")), (304, b"", etag))
                self.assertEqual(r.getheader("Cache-Control"), "max-age=60")
            self.assertEqual(self.get("/jwks", scheme, **{"If-None-Match": '"nope"'})[0].status, 200)

    def test_keep_alive_and_log(self) -> None:
        before = self.fetches()
        c = self.conn()
        socks = []
        for path in ("/jwks", "/jwks", "/nowhere", "/jwks?x=1"):
            c.request("GET", path, headers={"X-Test": "yes"})
            c.getresponse().read()
            socks.append(c.sock)
        c.close()
        self.assertTrue(all(s is socks[0] for s in socks))  # one connection throughout
        self.assertEqual(self.fetches(), before + 3)
        last = json.loads((self.dir / "headers.log").read_text().splitlines()[-1])
        self.assertEqual((last["scheme"], last["method"], last["headers"]["x-test"]), ("https", "GET", "yes"))

    def test_error_modes(self) -> None:
        for mode, status, body in (("500", 500, None), ("404", 404, None), ("invalid", 200, b'{"keys": ['),
                                   ("empty", 200, b'{"keys":[]}'), ("bogus", 500, None)):
            self.put("mode", mode)
            r, got = self.get("/jwks")
            self.assertEqual(r.status, status, mode)
            if body is not None:
                self.assertEqual(got, body, mode)

    def test_big(self) -> None:
        self.put("mode", "big")
        c = self.conn()
        c.request("GET", "/jwks")
        r = c.getresponse()
        self.assertEqual(r.getheader("Content-Length"), str(BIG))
        self.assertEqual(r.read(9), b'{"keys":[')
        c.close()  # stop early: the server must not mind
        self.put("mode", "big-chunked")
        r, body = self.get("/jwks", "http")
        self.assertEqual((r.getheader("Transfer-Encoding"), r.getheader("Content-Length")), ("chunked", None))
        self.assertEqual(len(body), BIG)
        self.assertEqual(json.loads(body), {"keys": []})

    def test_slow_does_not_block(self) -> None:
        self.put("mode", "slow:1.5")
        result: list[float] = []
        t0 = time.monotonic()
        slow = threading.Thread(target=lambda: (self.get("/jwks"), result.append(time.monotonic() - t0)))
        slow.start()
        time.sleep(0.2)
        self.assertEqual(self.get("/.well-known/openid-configuration")[0].status, 200)
        self.assertLess(time.monotonic() - t0, 1.0)
        slow.join()
        self.assertGreaterEqual(result[0], 1.5)

    def test_stall_and_close(self) -> None:
        self.put("jwks.json", '{"keys":[{"kty":"oct","k":"AAAA"}]}')
        self.put("mode", "stall")
        c = self.conn(timeout=1)
        c.request("GET", "/jwks")
        r = c.getresponse()
        self.assertEqual(r.status, 200)
        with self.assertRaises(TimeoutError):
            r.read()
        c.close()
        self.put("mode", "close")
        for scheme in ("https", "http"):
            with self.assertRaises((http.client.RemoteDisconnected, ConnectionError, ssl.SSLError)):
                self.get("/jwks", scheme)

    def test_redirects(self) -> None:
        http_base = self.info["http"]
        for mode, location in (("redirect-http", f"{http_base}/jwks"), ("redirect-file", "file:///etc/passwd"),
                               ("redirect-https", "/jwks-target"), ("redirect-loop", "/jwks")):
            self.put("mode", mode)
            r, _ = self.get("/jwks")
            self.assertEqual((r.status, r.getheader("Location")), (302, location), mode)
        r, body = self.get("/jwks-target")
        self.assertEqual((r.status, body), (200, b'{"keys":[]}'))

    def test_discovery(self) -> None:
        for scheme in ("https", "http"):
            base = self.info[scheme]
            for prefix, issuer, jwks_uri in (("", base, f"{base}/jwks"),
                                             ("/tenant", f"{base}/tenant", f"{base}/jwks"),
                                             ("/wrong-issuer", "https://evil.example", f"{base}/jwks"),
                                             ("/no-jwks-uri", f"{base}/no-jwks-uri", None)):
                r, body = self.get(f"{prefix}/.well-known/openid-configuration", scheme)
                doc = json.loads(body)
                self.assertEqual((r.status, doc["issuer"], doc.get("jwks_uri")), (200, issuer, jwks_uri))
                self.assertEqual(doc["id_token_signing_alg_values_supported"], ["RS256", "ES256"])
            self.assertEqual(self.get("/other/.well-known/openid-configuration", scheme)[0].status, 404)

    def test_sigterm(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            proc, _ = start(Path(d), subprocess.PIPE)
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=5)
            self.assertEqual((proc.returncode, err), (0, b""))
            self.assertFalse((Path(d) / "server.json").exists())


if __name__ == "__main__":
    unittest.main()
