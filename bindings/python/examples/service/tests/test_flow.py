"""The service over real HTTP on 127.0.0.1: login, /me, rotation, replay, logout,
refusals (wrong password, expired, tampered, wrong kind of token), download links,
the key set, and the session store's behaviour (expiry, races, failure)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import stat
import threading
from pathlib import Path
from typing import Any, Dict, List

from conftest import FILES, ISSUER, PASSWORD, Running, add_user, keygen, login, request, unverified

import jwtkit as jwt
import service


def challenge(resp: Any) -> Dict[str, str]:
    """The parameters of a `WWW-Authenticate: Bearer k="v", ...` header."""
    value = resp.headers["WWW-Authenticate"]
    assert value.startswith("Bearer "), value
    return dict(re.findall(r'(\w+)="([^"]*)"', value))


def assert_invalid_token(resp: Any, description: str) -> None:
    assert resp.status == 401, (resp.status, resp.body)
    params = challenge(resp)
    assert params["error"] == "invalid_token"
    assert params["error_description"] == description
    assert resp.json()["error_description"] == description


# ---------------------------------------------------------------------------------
# The whole flow


def test_login_me_refresh_replay_logout(svc: Running) -> None:
    # login: an access token in the body, a refresh token in a locked-down cookie
    r = login(svc.url)
    assert r.status == 200, r.body
    assert r.headers["Cache-Control"] == "no-store"
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    access1, refresh1 = body["access_token"], r.refresh_token()
    assert refresh1
    (cookie,) = r.cookies()
    attrs = {a.strip().split("=")[0] for a in cookie.split(";")[1:]}
    assert {"HttpOnly", "Secure", "SameSite", "Path", "Max-Age"} <= attrs
    assert "SameSite=Strict" in cookie and "Path=/" in cookie and f"Max-Age={7 * 24 * 3600}" in cookie

    # the access token: ES256, the published kid, typ at+jwt, 15 minutes, the claims asked for
    at = unverified(access1)
    kid = svc.app.jwks["keys"][0]["kid"]
    assert at["header"] == {"alg": "ES256", "kid": kid, "typ": "at+jwt"}
    c = at["claims"]
    assert c["iss"] == ISSUER and c["aud"] == ISSUER + "/api" and c["sub"] == "alice"
    assert c["exp"] - c["iat"] == 900 and len(c["jti"]) >= 16 and c["sid"]
    # the refresh token: its own audience and type, a week
    rt = unverified(refresh1)
    assert rt["header"]["typ"] == "rt+jwt" and rt["header"]["kid"] == kid
    assert rt["claims"]["aud"] == ISSUER + "/refresh" and rt["claims"]["sid"] == c["sid"]
    assert rt["claims"]["exp"] - rt["claims"]["iat"] == 7 * 24 * 3600

    r = request("GET", f"{svc.url}/me", token=access1)
    assert r.status == 200 and r.json()["user"] == "alice"

    # refresh: a new pair, same session; the old refresh token is spent
    r = request("POST", f"{svc.url}/refresh", refresh=refresh1)
    assert r.status == 200, r.body
    access2, refresh2 = r.json()["access_token"], r.refresh_token()
    assert refresh2 and refresh2 != refresh1 and access2 != access1
    assert unverified(refresh2)["claims"]["sid"] == c["sid"]
    assert request("GET", f"{svc.url}/me", token=access2).status == 200

    # the spent refresh token again: refused, the cookie cleared, and the family revoked
    r = request("POST", f"{svc.url}/refresh", refresh=refresh1)
    assert r.status == 401 and r.json()["error_description"] == "the token was revoked"
    assert r.refresh_token() == ""
    r = request("POST", f"{svc.url}/refresh", refresh=refresh2)
    assert r.status == 401, "the newest refresh token of a replayed family must be dead too"
    assert_invalid_token(request("GET", f"{svc.url}/me", token=access2), "the token was revoked")

    # a new session; logout revokes its access token (and its refresh tokens)
    r = login(svc.url)
    access3, refresh3 = r.json()["access_token"], r.refresh_token()
    assert request("GET", f"{svc.url}/me", token=access3).status == 200
    r = request("POST", f"{svc.url}/logout", token=access3)
    assert r.status == 204 and r.refresh_token() == ""
    assert_invalid_token(request("GET", f"{svc.url}/me", token=access3), "the token was revoked")
    assert request("POST", f"{svc.url}/refresh", refresh=refresh3).status == 401
    assert request("POST", f"{svc.url}/logout", token=access3).status == 401
    # other sessions are untouched
    other = login(svc.url, "bob", "bob's own password").json()["access_token"]
    assert request("GET", f"{svc.url}/me", token=other).json()["user"] == "bob"


def test_wrong_password_and_unknown_user(svc: Running) -> None:
    for user, password in [("alice", "wrong"), ("alice", ""), ("mallory", PASSWORD), ("ALICE", PASSWORD)]:
        r = login(svc.url, user, password)
        assert r.status == 401, (user, password)
        assert r.json() == {"error": "invalid_grant", "error_description": "wrong user name or password"}
        assert r.cookies() == []
        assert "error=" not in r.headers["WWW-Authenticate"]
    assert request("POST", f"{svc.url}/login", json_body={"username": "alice"}).status == 400
    assert request("POST", f"{svc.url}/login", body=b"{not json", headers={"Content-Type": "application/json"}).status == 400


def test_no_token_gets_a_challenge_without_error(svc: Running) -> None:
    for headers in [{}, {"Authorization": "Basic YWxpY2U6eA=="}, {"Authorization": "Bearer "}]:
        r = request("GET", f"{svc.url}/me", headers=headers)
        assert r.status == 401
        assert r.headers["WWW-Authenticate"] == 'Bearer realm="jwtkit-service"'  # RFC 6750 §3.1
    assert request("POST", f"{svc.url}/refresh").status == 401


def test_expired_access_token_then_refresh(svc: Running) -> None:
    svc.clock.offset = -(900 + service.CLOCK_LEEWAY + 5)  # log in 15 minutes (and the leeway, and 5 s) ago
    r = login(svc.url)
    access, refresh = r.json()["access_token"], r.refresh_token()
    svc.clock.offset = 0
    assert_invalid_token(request("GET", f"{svc.url}/me", token=access), "the token expired")
    # the refresh token lives on: the client gets a fresh access token
    r = request("POST", f"{svc.url}/refresh", refresh=refresh)
    assert r.status == 200
    assert request("GET", f"{svc.url}/me", token=r.json()["access_token"]).status == 200


def test_expired_refresh_token(svc: Running) -> None:
    svc.clock.offset = -(7 * 24 * 3600 + service.CLOCK_LEEWAY + 5)
    refresh = login(svc.url).refresh_token()
    svc.clock.offset = 0
    r = request("POST", f"{svc.url}/refresh", refresh=refresh)
    assert r.status == 401 and r.json()["error_description"] == "the token expired"


def _b64(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_tampered_and_foreign_tokens(svc: Running, cli: str, tmp_path: Path) -> None:
    r = login(svc.url)
    access, refresh = r.json()["access_token"], r.refresh_token()
    h, p, s = access.split(".")
    t = unverified(access)

    # the payload changed (sub -> admin), the signature kept
    forged = dict(t["claims"], sub="admin")
    tampered = f"{h}.{_b64(json.dumps(forged).encode())}.{s}"
    assert_invalid_token(request("GET", f"{svc.url}/me", token=tampered), "the signature does not verify")
    # one signature byte flipped
    flipped = s[:10] + ("A" if s[10] != "A" else "B") + s[11:]
    assert_invalid_token(request("GET", f"{svc.url}/me", token=f"{h}.{p}.{flipped}"), "the signature does not verify")
    # alg none, and an HMAC token "signed" with the public key (algorithm confusion)
    none_header = _b64(json.dumps({"alg": "none", "kid": t["header"]["kid"], "typ": "at+jwt"}).encode())
    assert_invalid_token(request("GET", f"{svc.url}/me", token=f"{none_header}.{p}."), "the algorithm is not accepted")
    pub = json.dumps(svc.app.jwks["keys"][0], sort_keys=True)
    # (made by hand: jwtkit itself refuses to use public key text as an HMAC secret)
    hs_input = _b64(json.dumps({"alg": "HS256", "kid": t["header"]["kid"], "typ": "at+jwt"}).encode()) + "." + p
    hs = hs_input + "." + _b64(hmac.new(pub.encode(), hs_input.encode(), hashlib.sha256).digest())
    assert_invalid_token(request("GET", f"{svc.url}/me", token=hs), "the algorithm is not accepted")
    # signed by another key: with the service's kid, and with its own kid
    other = jwt.PyJWK(json.loads(keygen(cli, "ES256", tmp_path / "other.jwk").read_text()))
    same_kid = jwt.encode(t["claims"], other, algorithm="ES256", headers={"kid": t["header"]["kid"], "typ": "at+jwt"})
    assert_invalid_token(request("GET", f"{svc.url}/me", token=same_kid), "the signature does not verify")
    own_kid = jwt.encode(t["claims"], other, algorithm="ES256", headers={"kid": other.key_id, "typ": "at+jwt"})
    assert_invalid_token(request("GET", f"{svc.url}/me", token=own_kid), "the token was not signed by a key of this service")
    # garbage
    assert_invalid_token(request("GET", f"{svc.url}/me", token="not.a.token"), "the token is malformed")
    # a refresh token is not an access token, nor the other way round
    assert_invalid_token(request("GET", f"{svc.url}/me", token=refresh), "the token is for another audience")
    r = request("POST", f"{svc.url}/refresh", refresh=access)
    assert r.status == 401 and r.json()["error_description"] == "the token is for another audience"
    # a refresh token with the access audience but its own typ (signed by the service key)
    wrong_typ = jwt.encode(t["claims"], svc.app.signing_key, algorithm="ES256", headers={"kid": t["header"]["kid"], "typ": "rt+jwt"})
    assert_invalid_token(request("GET", f"{svc.url}/me", token=wrong_typ), "the token is not of the expected type")
    # the genuine token still works
    assert request("GET", f"{svc.url}/me", token=access).status == 200


# ---------------------------------------------------------------------------------
# Download links


def test_download_link(svc: Running) -> None:
    access = login(svc.url).json()["access_token"]
    r = request("GET", f"{svc.url}/download-link?file=report.txt", token=access)
    assert r.status == 200, r.body
    link = r.json()
    assert link["expires_in"] == 300 and link["url"].startswith("/files/report.txt?token=")
    token = link["url"].split("token=", 1)[1]
    d = unverified(token)
    assert d["header"]["typ"] == "dl+jwt" and d["claims"]["aud"] == ISSUER + "/files/report.txt"
    assert d["claims"]["exp"] - d["claims"]["iat"] == 300

    r = request("GET", svc.url + link["url"])
    assert r.status == 200 and r.body == FILES["report.txt"]
    assert r.headers["Content-Disposition"] == 'attachment; filename="report.txt"'

    # another file with the same token: refused by jwtkit's audience check
    r = request("GET", f"{svc.url}/files/notes.txt?token={token}")
    assert r.status == 403 and r.json()["error_description"] == "invalid link: the token is for another audience"
    # no token, an access token, a nonexistent or unsafe name
    assert request("GET", f"{svc.url}/files/report.txt").status == 403
    assert request("GET", f"{svc.url}/files/report.txt?token={access}").status == 403
    assert request("GET", f"{svc.url}/files/nope.txt?token={token}").status == 403
    assert request("GET", f"{svc.url}/download-link?file=nope.txt", token=access).status == 404
    assert request("GET", f"{svc.url}/download-link?file=..%2Fusers.json", token=access).status == 404
    assert request("GET", f"{svc.url}/download-link?file=report.txt").status == 401
    # a link is not an access token: another algorithm, and a key outside the key set
    assert_invalid_token(request("GET", f"{svc.url}/me", token=token), "the algorithm is not accepted")


def test_download_link_after_five_minutes(svc: Running) -> None:
    access = login(svc.url).json()["access_token"]
    svc.clock.offset = -(300 + service.CLOCK_LEEWAY + 2)  # made 5 minutes (and the leeway, and 2 s) ago
    old = request("GET", f"{svc.url}/download-link?file=notes.txt", token=access).json()["url"]
    svc.clock.offset = -(300 - 30)  # and this one 4 and a half minutes ago
    recent = request("GET", f"{svc.url}/download-link?file=notes.txt", token=access).json()["url"]
    svc.clock.offset = 0
    r = request("GET", svc.url + old)
    assert r.status == 403 and r.json()["error_description"] == "invalid link: the token expired"
    assert request("GET", svc.url + recent).status == 200


def test_logout_kills_download_links(svc: Running) -> None:
    access = login(svc.url).json()["access_token"]
    used = request("GET", f"{svc.url}/download-link?file=notes.txt", token=access).json()["url"]
    url = request("GET", f"{svc.url}/download-link?file=notes.txt", token=access).json()["url"]
    assert request("GET", svc.url + used).status == 200
    assert request("POST", f"{svc.url}/logout", token=access).status == 204
    r = request("GET", svc.url + url)
    assert r.status == 403 and r.json()["error_description"] == "invalid link: the token was revoked"


# ---------------------------------------------------------------------------------
# Keys, routes, EdDSA


def test_jwks(svc: Running) -> None:
    r = request("GET", f"{svc.url}/.well-known/jwks.json")
    assert r.status == 200 and r.headers["Content-Type"] == "application/json"
    assert "max-age" in r.headers["Cache-Control"]
    (key,) = r.json()["keys"]
    assert key["kty"] == "EC" and key["crv"] == "P-256" and key["alg"] == "ES256"
    assert "d" not in key
    # the kid is the key's RFC 7638 thumbprint, as `jwtkit keygen` made it
    assert key["kid"] == jwt.PyJWK(key).thumbprint()
    # any PyJWT-style client verifies the service's tokens with this set alone
    access = login(svc.url).json()["access_token"]
    claims = jwt.decode(access, jwt.PyJWKSet.from_dict(r.json()), algorithms=["ES256"],
                        audience=ISSUER + "/api", issuer=ISSUER, typ="at+jwt")
    assert claims["sub"] == "alice"


def test_eddsa_service(start: Any) -> None:
    svc = start("EdDSA")
    (key,) = request("GET", f"{svc.url}/.well-known/jwks.json").json()["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519"
    r = login(svc.url)
    access = r.json()["access_token"]
    assert unverified(access)["header"]["alg"] == "EdDSA"
    assert request("GET", f"{svc.url}/me", token=access).status == 200
    r = request("POST", f"{svc.url}/refresh", refresh=r.refresh_token())
    assert r.status == 200
    assert request("POST", f"{svc.url}/logout", token=r.json()["access_token"]).status == 204


def test_routes(svc: Running) -> None:
    r = request("GET", f"{svc.url}/login")
    assert r.status == 405 and r.headers["Allow"] == "POST"
    assert request("POST", f"{svc.url}/me").status == 405
    assert request("GET", f"{svc.url}/nowhere").status == 404


# ---------------------------------------------------------------------------------
# The session store


def test_memory_store_forgets_expired_entries() -> None:
    now = [1_000_000.0]
    store = service.MemoryStore(lambda: now[0])
    assert store.add("jti:a", now[0] + 10) is True
    assert store.add("jti:a", now[0] + 10) is False
    store.open_session("s", "r1", now[0] + 100)
    assert store.active("s") and not store.active("s", "jti:x", "jti:a") and store.active("s", "jti:x")
    assert not store.active("other")
    now[0] += 10
    assert store.active("s", "jti:a") and len(store) == 1
    assert store.add("jti:a", now[0] + 10) is True
    # rotation: compare-and-set; a stale id ends the session
    assert store.rotate("s", "r1", "r2", now[0] + 100) and store.refresh_jti("s") == "r2"
    assert not store.rotate("s", "r1", "r3", now[0] + 100) and store.refresh_jti("s") is None
    assert not store.rotate("s", "r2", "r3", now[0] + 100)  # once ended, it stays ended
    # a fixed window
    assert store.hit("k", 60) == (1, 60.0) and store.hit("k", 60) == (2, 60.0)
    now[0] += 60
    assert store.hit("k", 60)[0] == 1
    for i in range(100):
        store.add(f"jti:{i}", now[0] + 1)
    now[0] += 61  # the next insert sweeps
    store.add("jti:last", now[0] + 1)
    assert len(store._entries) == 1


def test_logout_entry_lives_as_long_as_the_token(svc: Running) -> None:
    access = login(svc.url).json()["access_token"]
    claims = unverified(access)["claims"]
    store = svc.app.store
    assert isinstance(store, service.MemoryStore)
    assert store.active(claims["sid"])
    assert request("POST", f"{svc.url}/logout", token=access).status == 204
    assert store._entries[f"jti:{claims['jti']}"] == (True, claims["exp"] + service.CLOCK_LEEWAY)
    assert not store.active(claims["sid"])  # the session is gone at once


def test_concurrent_refresh_with_one_token(svc: Running) -> None:
    """Two requests racing with one refresh token: at most one wins, and the loser's
    attempt is a replay that ends the session, the winner's new tokens included."""
    for _ in range(3):
        refresh = login(svc.url).refresh_token()
        results: List[Any] = []
        barrier = threading.Barrier(4)

        def go() -> None:
            barrier.wait(timeout=10)
            results.append(request("POST", f"{svc.url}/refresh", refresh=refresh))

        threads = [threading.Thread(target=go) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=20)
        assert len(results) == 4
        winners = [r for r in results if r.status == 200]
        assert len(winners) <= 1 and all(r.status in (200, 401) for r in results)
        for w in winners:
            assert request("POST", f"{svc.url}/refresh", refresh=w.refresh_token()).status == 401
            assert request("GET", f"{svc.url}/me", token=w.json()["access_token"]).status == 401


class BrokenStore:
    def __getattr__(self, name: str) -> Any:
        def fail(*args: Any) -> Any:
            raise ConnectionError("store down")

        return fail


def test_unavailable_store_fails_closed(svc: Running) -> None:
    r = login(svc.url)
    assert r.status == 200
    svc.app.store = BrokenStore()  # type: ignore[assignment]
    r2 = request("GET", f"{svc.url}/me", token=r.json()["access_token"])
    assert r2.status == 503 and r2.json()["error"] == "temporarily_unavailable"
    assert request("POST", f"{svc.url}/refresh", refresh=r.refresh_token()).status == 503
    assert login(svc.url).status == 503  # no session can be recorded (nor attempts counted)


# ---------------------------------------------------------------------------------
# The command line: first start makes the key with `jwtkit keygen`


def test_first_start_as_a_process(spawn: Any, tmp_path: Path) -> None:
    state = tmp_path / "state"
    add_user(state, "carol", "carol's password")
    users = json.loads((state / "users.json").read_text())
    assert users["carol"].startswith("scrypt$131072$8$1$") and "carol's password" not in users["carol"]
    assert stat.S_IMODE(os.stat(state / "users.json").st_mode) == 0o600

    proc = spawn(state)
    key_file = state / "signing-key.jwk"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    link_key = json.loads((state / "link-key.jwk").read_text())
    assert link_key["kty"] == "oct" and link_key["alg"] == "HS256"
    assert stat.S_IMODE(os.stat(state / "link-key.jwk").st_mode) == 0o600
    kid = json.loads(key_file.read_text())["kid"]
    assert request("GET", f"{proc.url}/.well-known/jwks.json").json()["keys"][0]["kid"] == kid
    r = login(proc.url, "carol", "carol's password")
    assert r.status == 200
    access = r.json()["access_token"]
    assert request("GET", f"{proc.url}/me", token=access).json()["user"] == "carol"
    url = request("GET", f"{proc.url}/download-link?file=report.txt", token=access).json()["url"]
    assert request("GET", proc.url + url).body == service.DEMO_FILES["report.txt"].encode()
    assert sorted(p.name for p in (state / "files").iterdir()) == sorted(service.DEMO_FILES)
    assert proc.stop() == 0  # SIGTERM: a clean exit
    log = proc.log.read_text()
    assert "GET /files/report.txt?token=[redacted]" in log and "eyJ" not in log  # no token in the log
