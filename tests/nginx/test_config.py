"""Configuration: mistakes that `nginx -t` catches, naming the file, the line and the
directive; `nginx -s reload` picking up new key files (and keeping the running
configuration when the new one is broken); inheritance between levels."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Callable, Dict

import pytest

import harness as h
from harness import Nginx

NEW_PEM = h.generated_pem("ES256")


def check(make_nginx: Callable[..., Nginx], server: str, http: str = "") -> str:
    """Runs `nginx -t` on a configuration that must be refused; returns its message."""
    n = make_nginx(http, server, start=False)
    done = n.test_config()
    assert done.returncode != 0, done.stderr
    assert "[emerg]" in done.stderr
    return done.stderr


def where(n_conf: str) -> str:
    return rf"in {re.escape(n_conf)}/nginx\d+/nginx\.conf:\d+"


@pytest.fixture(scope="module")
def files(module_dir: Path) -> Dict[str, Path]:
    out = {
        "good": h.write_json(module_dir / "good.jwks", h.public_jwks()),
        "weak": h.write_json(module_dir / "weak.jwks", {"keys": [
            {"kty": "RSA", "kid": "weak", "e": "AQAB", "n": h.b64u(b"\xc5" * 128)},
            {"kty": "XYZ", "kid": "odd"},
        ]}),
        "empty": h.write_json(module_dir / "empty.jwks", {"keys": []}),
        "enc_only": h.write_json(module_dir / "enc_only.jwks", {"keys": [
            {"kty": "oct", "k": h.b64u(bytes(32)), "use": "enc", "kid": "e"}]}),
        "sig_only_rsa": h.write_json(module_dir / "sig_only_rsa.jwks", {"keys": [
            h.public_jwk(h.SIGNING["RS256"][0], "rsa-1")]}),
    }
    (module_dir / "notjson.jwks").write_text("{keys: nope")
    out["notjson"] = module_dir / "notjson.jwks"
    return out


def test_missing_key_file(make_nginx: Callable[..., Nginx], module_dir: Path, files: Dict[str, Path]) -> None:
    n = make_nginx("", 'location / {\n auth_jwt "x";\n auth_jwt_key_file {keys}/nowhere.jwks;\n}', start=False)
    msg = n.test_config().stderr
    assert f'auth_jwt_key_file: open() "{module_dir}/nowhere.jwks" failed (2: No such file or directory)' in msg
    assert f"in {n.conf}:{line_of(n, 'nowhere.jwks')}" in msg, msg


def test_key_file_without_usable_key(make_nginx: Callable[..., Nginx], module_dir: Path,
                                     files: Dict[str, Path]) -> None:
    for name in ("weak", "empty"):
        msg = check(make_nginx, f'location / {{ auth_jwt "x"; auth_jwt_key_file {{keys}}/{name}.jwks; }}')
        assert f'auth_jwt_key_file "{module_dir}/{name}.jwks": no usable key' in msg, msg
        assert re.search(where(str(module_dir)), msg), msg
    # and why each key was left out
    msg = check(make_nginx, 'location / { auth_jwt "x"; auth_jwt_key_file {keys}/weak.jwks; }')
    assert '"weak"' in msg and '"odd"' in msg, msg


def test_key_file_not_json(make_nginx: Callable[..., Nginx], module_dir: Path, files: Dict[str, Path]) -> None:
    msg = check(make_nginx, 'location / { auth_jwt "x"; auth_jwt_key_file {keys}/notjson.jwks; }')
    assert f'auth_jwt_key_file "{module_dir}/notjson.jwks": ' in msg and "JSON" in msg, msg


def test_unknown_algorithm(make_nginx: Callable[..., Nginx], files: Dict[str, Path]) -> None:
    for name in ("XS999", "none", "hs256", "RSA-OAEP"):
        msg = check(make_nginx, f'location / {{ auth_jwt "x"; auth_jwt_key_file {{keys}}/good.jwks; '
                                f'auth_jwt_algorithms RS256 {name}; }}')
        assert f'auth_jwt_algorithms "{name}": ' in msg, msg
        assert "nginx.conf:" in msg


def line_of(n: Nginx, text: str) -> int:
    return next(i for i, line in enumerate(n.conf.read_text().splitlines(), 1) if text in line)


def test_encrypted_without_decryption_key(make_nginx: Callable[..., Nginx], files: Dict[str, Path]) -> None:
    n = make_nginx("", 'location / {\n auth_jwt "x";\n auth_jwt_key_file {keys}/good.jwks;\n'
                       ' auth_jwt_type encrypted;\n}', start=False)
    msg = n.test_config().stderr
    assert '"auth_jwt_type encrypted" needs a decryption key' in msg, msg
    assert f"in {n.conf}:{line_of(n, 'auth_jwt_type encrypted')}" in msg, msg
    msg = check(make_nginx, 'location / { auth_jwt "x"; auth_jwt_type encrypted; auth_jwt_key_request /k; }')
    assert '"auth_jwt_type encrypted" needs a decryption key' in msg, msg


def test_nested_needs_both_keys(make_nginx: Callable[..., Nginx], files: Dict[str, Path]) -> None:
    msg = check(make_nginx, 'location / { auth_jwt "x"; auth_jwt_key_file {keys}/good.jwks; auth_jwt_type nested; }')
    assert '"auth_jwt_type nested" needs a decryption key' in msg, msg
    msg = check(make_nginx, 'location / { auth_jwt "x"; auth_jwt_key_file {keys}/enc_only.jwks; '
                            'auth_jwt_type nested; }')
    assert '"auth_jwt_type nested" needs a key to verify the signature' in msg, msg


def test_signed_with_only_decryption_keys(make_nginx: Callable[..., Nginx], files: Dict[str, Path]) -> None:
    msg = check(make_nginx, 'location / { auth_jwt "x"; auth_jwt_key_file {keys}/enc_only.jwks; }')
    assert "no key of auth_jwt_key_file verifies signatures" in msg, msg
    # the same file is fine where no token is checked, and for encrypted tokens
    n = make_nginx("", 'auth_jwt_key_file {keys}/enc_only.jwks;\n'
                       'location /e/ { auth_jwt "x"; auth_jwt_type encrypted; }', start=False)
    assert n.test_config().returncode == 0, n.test_config().stderr


@pytest.mark.parametrize("server,expected", [
    ('location / { auth_jwt "x"; auth_jwt_key_file {keys}/$host.jwks; }', "are not supported"),
    ('location / { auth_jwt "x"; auth_jwt_key_request /jwks/$host; }', "are not supported"),
    ('location / { auth_jwt "x"; auth_jwt_key_request http://idp.example/jwks; }', "is not a uri of this server"),
    ('location / { auth_jwt "x"; auth_jwt_key_file {keys}/good.jwks; auth_jwt_require $a error=500; }',
     'invalid parameter "error=500"'),
    ('location / { auth_jwt "x"; auth_jwt_key_file {keys}/good.jwks; auth_jwt_type jws; }', 'invalid value "jws"'),
    ('location / { auth_jwt "x" tokn=$cookie_a; auth_jwt_key_file {keys}/good.jwks; }',
     'invalid parameter "tokn=$cookie_a"'),
    ('location / { auth_jwt "x"; auth_jwt "y"; auth_jwt_key_file {keys}/good.jwks; }', '"auth_jwt" directive is duplicate'),
    ('location / { auth_jwt "x"; auth_jwt_key_file {keys}/good.jwks; auth_jwt_leeway soon; }', '"auth_jwt_leeway"'),
    ('location / { auth_jwt_claim_set $x sub; }', '"auth_jwt_claim_set" directive is not allowed here'),
])
def test_directive_errors(make_nginx: Callable[..., Nginx], files: Dict[str, Path], server: str, expected: str) -> None:
    msg = check(make_nginx, server)
    assert expected in msg, msg
    assert "nginx.conf:" in msg


def test_reload_picks_up_new_keys(make_nginx: Callable[..., Nginx], module_dir: Path) -> None:
    keys = module_dir / "reload.jwks"
    h.write_json(keys, {"keys": [h.public_jwk(h.SIGNING["ES256"][0], "k1")]})
    n = make_nginx("", 'location / { auth_jwt "r"; auth_jwt_key_file {keys}/reload.jwks; SAY(sub=$jwt_claim_sub) }')
    old = h.sign("ES256", kid="k1")
    new = h.sign("ES256", key=NEW_PEM, kid="k2")
    assert n.get("/", old).status == 200 and n.get("/", new).status == 401
    workers = n.worker_pids()

    h.write_json(keys, {"keys": [h.public_jwk(NEW_PEM, "k2")]})
    n.reload()
    assert set(n.worker_pids()).isdisjoint(workers)
    assert n.get("/", new).status == 200
    assert n.get("/", old).status == 401

    # a broken key file: the reload is refused, the running configuration stays
    keys.write_text('{"keys": []}')
    before = n.worker_pids()
    # (nginx -s reload reads the configuration first, and refuses; the master, sent
    # SIGHUP as -s reload does, reads it and keeps the old one)
    assert subprocess.run([h.NGINX, "-p", str(n.dir), "-c", str(n.conf), "-s", "reload"],
                          capture_output=True, timeout=30).returncode != 0
    os.kill(n.master_pid(), signal.SIGHUP)
    time.sleep(0.5)
    assert n.worker_pids() == before
    assert n.get("/", new).status == 200
    assert "no usable key" in n.log()
    # nginx logged the refused configuration as [emerg]; that is expected here
    n.dir.joinpath("error.log").write_text(n.log().replace("[emerg]", "[emerg-expected]"))


def test_inheritance(make_nginx: Callable[..., Nginx], module_dir: Path) -> None:
    h.write_json(module_dir / "a.jwks", {"keys": [h.public_jwk(h.SIGNING["ES256"][0], "a")]})
    h.write_json(module_dir / "b.jwks", {"keys": [h.public_jwk(NEW_PEM, "b")]})
    n = make_nginx(
        'auth_jwt "http realm"; auth_jwt_key_file {keys}/a.jwks; auth_jwt_leeway 10s;',
        """
        location /a/ { SAY(a) }
        location /b/ { auth_jwt_key_file {keys}/b.jwks; SAY(b) }
        location /ab/ { auth_jwt_key_file {keys}/a.jwks; auth_jwt_key_file {keys}/b.jwks; SAY(ab) }
        location /open/ { auth_jwt off; SAY(open) }
        location /realm/ { auth_jwt "own realm"; SAY(realm) }
        location /lmt/ {
            auth_jwt off;
            limit_except GET { auth_jwt "writes"; }
            SAY(lmt)
        }
        """)
    a, b = h.sign("ES256", kid="a"), h.sign("ES256", key=NEW_PEM, kid="b")
    assert (n.get("/a/", a).status, n.get("/a/", b).status) == (200, 401)
    assert (n.get("/b/", a).status, n.get("/b/", b).status) == (401, 200)
    assert (n.get("/ab/", a).status, n.get("/ab/", b).status) == (200, 200)
    assert n.get("/open/").text == "open"
    assert n.get("/realm/").header("WWW-Authenticate") == 'Bearer realm="own realm"'
    assert n.get("/a/").header("WWW-Authenticate") == 'Bearer realm="http realm"'
    assert n.get("/lmt/").status == 200
    assert n.get("/lmt/", method="POST").status == 401
    assert n.get("/lmt/", a, method="POST").status == 200
