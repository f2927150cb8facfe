"""nginx with the module under valgrind (the master and its workers, each with its own
report): signed,
encrypted and nested tokens, refused ones, variables, key requests (with a refresh, a
failure and requests waiting for a fetch), a reload; then a clean exit. No invalid
read or write, and nothing the module or jwtkit allocated is lost: keys, policies and
sources are freed with their cycle, outputs and errors after each request.

Skipped without valgrind; JWTKIT_NGINX_VALGRIND=0 skips it too."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable, List

import pytest

import harness as h
from harness import JwksEndpoint, Nginx, Upstream, jwtkit

pytestmark = pytest.mark.skipif(shutil.which("valgrind") is None or os.environ.get("JWTKIT_NGINX_VALGRIND") == "0",
                                reason="valgrind not installed, or JWTKIT_NGINX_VALGRIND=0")

SECRET = bytes(range(32))

SERVER = """
        auth_jwt_key_file {keys}/public.jwks;
        location = /_jwks { internal; proxy_pass http://127.0.0.1:{up}/jwks/vg; }
        location = /_jwks_down { internal; proxy_pass http://127.0.0.1:{up}/jwks/vg_down; }
        location /pk/ {
            auth_jwt "pk";
            auth_jwt_require $jwt_claim_sub;
            auth_jwt_revoked $revoked;
            auth_jwt_error_description on;
            SAY(sub=$jwt_claim_sub|roles=$roles|kid=$jwt_header_kid)
        }
        location /remote/ {
            auth_jwt "r";
            auth_jwt_key_request /_jwks;
            auth_jwt_key_request_cooldown 1s;
            auth_jwt_key_cache 1s;
            SAY(sub=$jwt_claim_sub)
        }
        location /down/ { auth_jwt "d"; auth_jwt_key_request /_jwks_down; SAY(x) }
        location /enc/ {
            auth_jwt "e";
            auth_jwt_type encrypted;
            auth_jwt_key_file {keys}/enc.jwks;
            SAY(payload=$jwt_payload)
        }
        location /nested/ {
            auth_jwt "n";
            auth_jwt_type nested;
            auth_jwt_key_file {keys}/nested.jwks;
            SAY(payload=$jwt_payload|sub=$jwt_claim_sub)
        }
"""

HTTP = """
    auth_jwt_claim_set $roles realm_access roles;
    map $jwt_claim_jti $revoked { default 0; bad 1; }
"""


def test_no_leak_no_invalid_access(make_nginx: Callable[..., Nginx], module_dir: Path, upstream: Upstream) -> None:
    h.write_json(module_dir / "public.jwks", h.public_jwks())
    h.write_json(module_dir / "enc.jwks", {"keys": [{"kty": "oct", "k": h.b64u(SECRET), "use": "enc"}]})
    nested = h.public_jwks()
    nested["keys"].append(h.private_jwk(h.SIGNING["RS256"][0], "rsa-enc", use="enc"))
    h.write_json(module_dir / "nested.jwks", nested)
    new_pem = h.generated_pem("ES256")
    upstream.jwks["vg"] = JwksEndpoint({"keys": [h.public_jwk(h.SIGNING["ES256"][0], "ec256-1")]})
    upstream.jwks["vg"].delay = 0.3
    upstream.jwks["vg_down"] = JwksEndpoint({"keys": []})
    upstream.jwks["vg_down"].status = 503

    n = make_nginx(HTTP, SERVER, start=False)
    proc = subprocess.Popen(["valgrind", "--leak-check=full", "--show-leak-kinds=definite,indirect,possible",
                             # the module is unloaded (dlclose) before the report:
                             # keep its symbols, so its frames are named
                             "--keep-debuginfo=yes", "--num-callers=40", f"--log-file={n.dir}/valgrind.%p.log",
                             h.NGINX, "-p", str(n.dir), "-c", str(n.conf)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        h.wait_port(n.port, timeout=120)
        get = lambda path, token=None: h.request(n.port, path, token, timeout=60)  # noqa: E731
        roles = h.claims(realm_access={"roles": ["a", "b"]})
        assert get("/pk/", h.sign("ES256", roles)).text == "sub=alice|roles=a,b|kid=ec256-1"
        assert get("/pk/", h.sign("RS256")).status == 200
        assert get("/pk/").status == 401
        assert get("/pk/", h.sign("ES256", kid="nobody")).status == 401
        assert get("/pk/", h.sign("ES256", h.claims(jti="bad"))).status == 401
        assert get("/pk/", h.sign("ES256", h.claims(sub=None))).status == 401
        assert get("/pk/", "not.a.token").status == 401

        # concurrent first requests: one fetch, the others wait for it
        results: List[int] = []
        threads = [threading.Thread(target=lambda: results.append(get("/remote/", h.sign("ES256")).status))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == [200] * 4
        upstream.jwks["vg"].set({"keys": [h.public_jwk(new_pem, "new")]}, delay=0)
        time.sleep(1.2)
        assert get("/remote/", h.sign("ES256", key=new_pem, kid="new")).status == 200  # unknown kid, refresh
        time.sleep(1.2)
        assert get("/remote/", h.sign("ES256", key=new_pem, kid="new")).status == 200  # background refresh
        assert get("/down/", h.sign("ES256", key=new_pem, kid="new")).status == 401

        enc = jwtkit.jwe.encrypt(json.dumps(h.claims()), SECRET, "A256KW", "A256GCM")
        assert get("/enc/", enc).status == 200
        assert get("/enc/", jwtkit.jwe.encrypt(json.dumps(h.claims()), bytes(32), "dir", "A256GCM")).status == 401
        rsa_public = h._core.Key.from_pem(h.SIGNING["RS256"][0].encode()).to_public_pem()
        token = jwtkit.jwe.encode_nested(h.claims(), h.SIGNING["ES256"][0], "ES256", rsa_public, "RSA-OAEP-256",
                                         "A256GCM", headers={"kid": "ec256-1"})
        assert get("/nested/", token).status == 200
        assert get("/nested/", enc).status == 401

        # a reload: the old cycle's keys, policies and sources are freed (in the
        # master, and in the old worker as it exits)
        os.kill(proc.pid, signal.SIGHUP)
        deadline = time.monotonic() + 60
        while len(list(n.dir.glob("valgrind.*.log"))) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)
        assert get("/pk/", h.sign("ES256")).status == 200
    finally:
        proc.send_signal(signal.SIGQUIT)
        try:
            rc = proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
    # the master, the first worker and the one after the reload
    reports = {p.name: p.read_text() for p in n.dir.glob("valgrind.*.log")}
    assert len(reports) >= 3, list(reports)
    for name, report in reports.items():
        assert "HEAP SUMMARY" in report, f"{name} did not exit:\n{report[-3000:]}"
        # no memory error of any kind
        errors = re.findall(r"== (Invalid (?:read|write|free)|Conditional jump|Use of uninitialised|"
                            r"Mismatched free|Source and destination overlap)", report)
        assert not errors, f"{name}:\n{report[-8000:]}"
        # nginx itself leaves some blocks at exit (its event arrays, the workers'
        # environment): nothing lost may have been allocated from the module or jwtkit
        records = re.split(r"==\d+== \n", report)
        ours = [r for r in records if "are definitely lost" in r or "are indirectly lost" in r
                or "are possibly lost" in r]
        ours = [r for r in ours if "jwtkit" in r or re.search(r"by 0x[0-9A-F]+: \?\?\?\n", r)]
        assert not ours, f"{name}:\n" + "\n".join(ours)
    assert rc == 0
