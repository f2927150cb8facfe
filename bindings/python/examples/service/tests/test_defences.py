"""The service's defences, each over real HTTP on 127.0.0.1: single-use download links
signed outside the published key set, what reaches the log, bounded threads and a
deadline per request, password hashing, body limits, cross-site requests, malformed
input, and clock differences between instances."""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any, List, Optional

import pytest
from conftest import ISSUER, Running, login, request, unverified

import jwtkit as jwt
import service


def _link(svc: Running, access: str, name: str = "report.txt") -> str:
    r = request("GET", f"{svc.url}/download-link?file={name}", token=access)
    assert r.status == 200, r.body
    return r.json()["url"]  # type: ignore[no-any-return]


def _connect(svc: Running) -> socket.socket:
    host, port = svc.url.rsplit("/", 1)[1].split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def _closed_within(sock: socket.socket, seconds: float, trickle: bytes = b"") -> Optional[float]:
    """Sends ``trickle`` one byte every 0.2 s until the server answers or closes;
    the seconds that took, or None if it still held the connection after ``seconds``."""
    begin = time.monotonic()
    sock.settimeout(0.2)
    i = 0
    while time.monotonic() - begin < seconds:
        try:
            if sock.recv(4096) is not None:
                return time.monotonic() - begin  # an answer, or b"" (closed)
        except socket.timeout:
            pass
        except OSError:
            return time.monotonic() - begin
        if trickle:
            try:
                sock.sendall(trickle[i % len(trickle):i % len(trickle) + 1])
            except OSError:
                return time.monotonic() - begin
            i += 1
    return None


# ---------------------------------------------------------------------------------
# Download links


def test_download_link_works_once(svc: Running) -> None:
    access = login(svc.url).json()["access_token"]
    url = _link(svc, access)
    assert request("GET", svc.url + url).status == 200
    r = request("GET", svc.url + url)
    assert r.status == 403 and r.json()["error_description"] == "invalid link: the link was already used"
    # the spent mark lives as long as the link could be accepted
    claims = unverified(url.split("token=", 1)[1])["claims"]
    store = svc.app.store
    assert isinstance(store, service.MemoryStore)
    assert store._entries[f"link:{claims['jti']}"][1] == claims["exp"] + service.CLOCK_LEEWAY


def test_download_link_is_refused_by_a_jwks_verifier(svc: Running) -> None:
    """A downstream service that trusts the published keys can never take a leaked
    link for one of this service's tokens."""
    access = login(svc.url).json()["access_token"]
    token = _link(svc, access).split("token=", 1)[1]
    jwks = request("GET", f"{svc.url}/.well-known/jwks.json").json()
    header = unverified(token)["header"]
    assert header["typ"] == "dl+jwt" and header["alg"] == "HS256"
    assert header["kid"] not in {k["kid"] for k in jwks["keys"]}
    keys = jwt.PyJWKSet.from_dict(jwks)
    for algorithms in (["ES256"], ["ES256", "HS256"]):
        with pytest.raises(jwt.PyJWTError):
            jwt.decode(token, keys, algorithms=algorithms, issuer=ISSUER, audience=ISSUER + "/files/report.txt")
    # the same verifier accepts the access token: the set is the right one
    assert jwt.decode(access, keys, algorithms=["ES256"], issuer=ISSUER, audience=ISSUER + "/api")["sub"] == "alice"


# ---------------------------------------------------------------------------------
# The log


def test_percent_encoded_token_parameter_is_not_logged(svc: Running, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="jwtkit-service")
    access = login(svc.url).json()["access_token"]
    url = _link(svc, access)
    token = url.split("token=", 1)[1]
    sneaky = url.replace("?token=", "?%74oken=")
    assert request("GET", svc.url + sneaky).status == 200  # the service decodes the name, as any would
    assert token not in caplog.text and token[:20] not in caplog.text
    assert "GET /files/report.txt?token=[redacted] 200" in caplog.text


def test_control_characters_in_the_request_line_are_escaped(svc: Running, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="jwtkit-service")
    for line in (b"GET /files/x\x1b[2Jfake\x07entry\x00?token=abc HTTP/1.0", b"\x1b[31mGARBAGE\x7f\x9b"):
        with _connect(svc) as sock:
            sock.sendall(line + b"\r\n\r\n")
            sock.settimeout(5)
            assert sock.recv(4096)  # answered (a 403, a 400)
    text = caplog.text
    for char in ("\x1b", "\x07", "\x00", "\x7f", "\x9b"):
        assert char not in text, repr(char)
    assert "/files/x\\x1b[2Jfake\\x07entry\\x00?token=[redacted]" in text
    assert "abc" not in text


# ---------------------------------------------------------------------------------
# Denial of service


def test_worker_threads_are_bounded(start: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(service, "MAX_WORKERS", 2, raising=False)
    monkeypatch.setattr(service, "MAX_QUEUED", 2, raising=False)
    monkeypatch.setattr(service, "REQUEST_TIMEOUT", 2.0, raising=False)
    svc = start()
    before = set(threading.enumerate())
    idle: List[socket.socket] = []
    try:
        for _ in range(8):  # clients that connect and send nothing
            idle.append(_connect(svc))
        busy = 0
        for sock in idle:
            sock.settimeout(0.3)
            try:
                busy += sock.recv(4096).startswith(b"HTTP/1.0 503")
            except socket.timeout:
                pass
        started = [t for t in threading.enumerate() if t not in before]
        assert len(started) <= 2, started
        assert busy == 4, "two connections on the workers, two queued, the rest refused at once"
    finally:
        for sock in idle:
            sock.close()
    deadline = time.monotonic() + 10
    while request("GET", f"{svc.url}/.well-known/jwks.json").status != 200:
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_a_slow_client_cannot_hold_a_worker(start: Any, monkeypatch: Any) -> None:
    """The deadline is for the whole request, not for each read: trickling a byte at a
    time does not extend it."""
    monkeypatch.setattr(service, "REQUEST_TIMEOUT", 1.0, raising=False)
    svc = start()
    with _connect(svc) as sock:
        sock.sendall(b"GET /.well-known/jwks.json HTTP/1.0\r\n")
        took = _closed_within(sock, 4, trickle=b"X-Slow: yes\r\n")
    assert took is not None and took < 2.5, took
    # the body too: a POST whose body never completes
    with _connect(svc) as sock:
        sock.sendall(b"POST /login HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
        took = _closed_within(sock, 4, trickle=b" ")
    assert took is not None and took < 2.5, took


def test_password_hashes_use_owasp_scrypt_parameters() -> None:
    stored = service.hash_password("a password")
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**17), "8", "1")
    assert len(service._unb64(salt)) == 16 and len(service._unb64(digest)) == 32
    assert service.check_password("a password", stored) and not service.check_password("a passwork", stored)
    # the parameters are stored with each hash: older, weaker hashes still verify
    old = service.hash_password("a password", n=2**14)
    assert old.startswith("scrypt$16384$8$1$") and service.check_password("a password", old)


def test_oversized_body_is_413(svc: Running) -> None:
    r = request("POST", f"{svc.url}/login", body=b"{" + b" " * 20000 + b"}", headers={"Content-Type": "application/json"})
    assert r.status == 413 and r.json()["error"] == "payload_too_large"
    # refused from the header alone: the body is never waited for
    with _connect(svc) as sock:
        sock.sendall(b"POST /login HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n")
        sock.settimeout(5)
        assert sock.recv(4096).startswith(b"HTTP/1.0 413")


# ---------------------------------------------------------------------------------
# Cross-site requests


def test_refresh_and_logout_refuse_what_another_site_can_send(svc: Running) -> None:
    r = login(svc.url)
    access, refresh = r.json()["access_token"], r.refresh_token()
    refused = [
        {},  # what a plain HTML form or <img> can send
        {"headers": {"Content-Type": "application/x-www-form-urlencoded"}, "body": b"a=b"},
        {"headers": {"Content-Type": "text/plain"}, "body": b'{"a": "b"}'},
        {"headers": {"X-Requested-With": "x", "Origin": "https://evil.example"}},
        {"headers": {"X-Requested-With": "x", "Origin": "null"}},
        {"headers": {"X-Requested-With": "x", "Sec-Fetch-Site": "cross-site"}},
        {"json_body": {}, "headers": {"Origin": "https://evil.example"}},
    ]
    for how in refused:
        r = request("POST", f"{svc.url}/refresh", refresh=refresh, csrf=False, **how)
        assert r.status == 403 and r.json()["error"] == "forbidden", how
        assert r.refresh_token() is None  # nothing spent, nothing cleared
        r = request("POST", f"{svc.url}/logout", token=access, csrf=False, **how)
        assert r.status == 403, how
    assert request("GET", f"{svc.url}/me", token=access).status == 200  # still logged in
    # the service's own pages: its origin, same-origin fetches, a custom header or JSON
    own = {"Origin": "https://login.test", "Sec-Fetch-Site": "same-origin"}
    r = request("POST", f"{svc.url}/refresh", refresh=refresh, csrf=False, headers={**own, "X-Requested-With": "f"})
    assert r.status == 200, r.body
    r = request("POST", f"{svc.url}/refresh", refresh=r.refresh_token(), csrf=False, json_body={}, headers=own)
    assert r.status == 200, r.body
    assert request("POST", f"{svc.url}/logout", token=r.json()["access_token"], csrf=False, json_body={}).status == 204


def test_login_takes_json_from_its_own_origin_only(svc: Running) -> None:
    form = b"username=alice&password=correct+horse+battery+staple"
    r = request("POST", f"{svc.url}/login", body=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 415 and r.cookies() == []
    creds = {"username": "alice", "password": "correct horse battery staple"}
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        r = request("POST", f"{svc.url}/login", json_body=creds, headers=headers)
        assert r.status == 403 and r.cookies() == [], headers


# ---------------------------------------------------------------------------------
# Malformed input


def test_malformed_or_deeply_nested_json_is_400(svc: Running, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="jwtkit-service")
    bodies = [
        b'{"username": ' + b"[" * 5000 + b"]" * 5000 + b', "password": "x"}',
        b"[" * 15000,
        b'{"username": "\xff\xfe", "password": "x"}',
        b'["username", "password"]',
        b'{"username": "alice", "password": "x"',
    ]
    for body in bodies:
        r = request("POST", f"{svc.url}/login", body=body, headers={"Content-Type": "application/json"})
        assert r.status == 400 and r.json()["error"] == "invalid_request", body[:40]
    assert "Traceback" not in caplog.text


def test_a_malformed_cookie_does_not_hide_the_refresh_cookie(svc: Running) -> None:
    refresh = login(svc.url).refresh_token()
    r = request("POST", f"{svc.url}/refresh", headers={"Cookie": f'bad="x; {service.REFRESH_COOKIE}={refresh}'})
    assert r.status == 200, r.body
    refresh = r.refresh_token()
    r = request("POST", f"{svc.url}/refresh",
                headers={"Cookie": f'a=1; b=\\; {service.REFRESH_COOKIE}="{refresh}"; c=",'})
    assert r.status == 200, r.body


# ---------------------------------------------------------------------------------
# Clocks


def test_small_clock_differences_are_tolerated(svc: Running) -> None:
    """Another instance's clock half a second ahead or behind: its tokens work here.
    Far beyond the leeway, they do not."""
    access = login(svc.url).json()["access_token"]
    claims = unverified(access)["claims"]

    def minted(shift: float, ttl: float = 900) -> str:
        now = time.time() + shift
        return jwt.encode({**claims, "iat": now, "nbf": now, "exp": now + ttl}, svc.app.signing_key,
                          algorithm=svc.app.alg, headers={"kid": svc.app.kid, "typ": "at+jwt"})

    for shift in (0.5, -0.5):
        r = request("GET", f"{svc.url}/me", token=minted(shift))
        assert r.status == 200, (shift, r.body)
    # expired half a second ago by the other clock: still within the leeway
    assert request("GET", f"{svc.url}/me", token=minted(-900.5)).status == 200
    r = request("GET", f"{svc.url}/me", token=minted(60))
    assert r.status == 401 and r.json()["error_description"] == "the token is not valid yet"
    r = request("GET", f"{svc.url}/me", token=minted(-900 - service.CLOCK_LEEWAY - 2))
    assert r.status == 401 and r.json()["error_description"] == "the token expired"
