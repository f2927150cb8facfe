"""DPoP (RFC 9449) in the service: a login with a proof binds the session to the
client's key (token_type DPoP, cnf.jkt in both tokens); the access token then works
only as `Authorization: DPoP` with a fresh proof by that key for the very request and
token; RFC 9449's answers (invalid_dpop_proof, use_dpop_nonce with DPoP-Nonce); the
refresh of a bound session needs a proof by its key. Across two instances sharing
Redis: see test_redis.py."""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from typing import Any, Dict, List, Optional
from urllib.parse import urlsplit

import pytest
from conftest import ISSUER, PASSWORD, Response, keygen, request, unverified

import service
from jwtkit import dpop

ORIGIN = ISSUER  # the service's own URL: what a proof's htu names


class Client:
    """A DPoP client: its key (made by `jwtkit keygen`), and proofs for requests."""

    def __init__(self, key_file: Path, alg: str = "ES256") -> None:
        self.key = json.loads(key_file.read_text())
        self.alg = alg
        self.nonce: Optional[str] = None

    def proof(self, method: str, path: str, access_token: Optional[str] = None, **kw: Any) -> str:
        return dpop.create_proof(self.key, algorithm=self.alg, method=method, uri=ORIGIN + path,
                                 access_token=access_token, nonce=kw.get("nonce", self.nonce), iat=kw.get("iat"))

    def jkt(self) -> str:
        return dpop.verify_proof(self.proof("GET", "/"), method="GET", uri=ORIGIN + "/",
                                 policy=dpop.DPoPPolicy(["ES256", "EdDSA"])).jkt


@pytest.fixture
def client(cli: str, tmp_path: Path) -> Client:
    return Client(keygen(cli, "ES256", tmp_path / "client.jwk"))


@pytest.fixture
def other_client(cli: str, tmp_path: Path) -> Client:
    return Client(keygen(cli, "EdDSA", tmp_path / "other.jwk"), "EdDSA")


def dpop_login(url: str, c: Client, user: str = "alice", password: str = PASSWORD) -> Response:
    return request("POST", f"{url}/login", json_body={"username": user, "password": password},
                   headers={"DPoP": c.proof("POST", "/login")})


def dpop_get(url: str, path: str, token: str, proof: Optional[str]) -> Response:
    headers = {"Authorization": f"DPoP {token}"}
    if proof is not None:
        headers["DPoP"] = proof
    return request("GET", url + path, headers=headers)


def challenges(r: Response) -> List[str]:
    return r.headers.get_all("WWW-Authenticate") or []


def dpop_error(r: Response) -> Optional[str]:
    """The error of the response's DPoP challenge (None: no error in it)."""
    for c in challenges(r):
        if c.startswith("DPoP "):
            for part in c.split(", "):
                if part.startswith("error="):
                    return part[len('error="'):-1]
            return None
    raise AssertionError(f"no DPoP challenge in {challenges(r)}")


def test_a_login_with_a_proof_binds_the_session_to_the_key(svc: Any, client: Client, other_client: Client) -> None:
    r = dpop_login(svc.url, client)
    assert r.status == 200, r.body
    body = r.json()
    assert body["token_type"] == "DPoP"
    access = body["access_token"]
    jkt = client.jkt()
    assert unverified(access)["claims"]["cnf"] == {"jkt": jkt}
    assert unverified(r.refresh_token())["claims"]["cnf"] == {"jkt": jkt}

    # with a fresh proof for the request and the token
    ok = dpop_get(svc.url, "/me", access, client.proof("GET", "/me", access))
    assert ok.status == 200 and ok.json()["user"] == "alice", ok.body
    proof = client.proof("GET", "/download-link?file=report.txt", access)
    link = dpop_get(svc.url, "/download-link?file=report.txt", access, proof)
    assert link.status == 200, link.body
    # the same proof again (on this or any instance): a replay
    again = dpop_get(svc.url, "/download-link?file=report.txt", access, proof)
    assert again.status == 401 and dpop_error(again) == "invalid_dpop_proof"
    assert again.json()["error_description"] == "the proof was used before"

    # as a Bearer token: refused, it is bound
    bearer = request("GET", f"{svc.url}/me", token=access)
    assert bearer.status == 401 and dpop_error(bearer) == "invalid_token"
    assert "bound to a DPoP key" in bearer.json()["error_description"]
    # no proof, a proof without ath, for another method or URI, signed by another key
    for proof, error in [
        (None, "invalid_dpop_proof"),
        (client.proof("GET", "/me"), "invalid_dpop_proof"),
        (client.proof("POST", "/me", access), "invalid_dpop_proof"),
        (client.proof("GET", "/me/", access), "invalid_dpop_proof"),
        (client.proof("GET", "/me", access + "x"), "invalid_dpop_proof"),
        (other_client.proof("GET", "/me", access), "invalid_token"),
    ]:
        r = dpop_get(svc.url, "/me", access, proof)
        assert r.status == 401 and dpop_error(r) == error, (r.status, r.body, challenges(r))
    # a proof for the instance's own address instead of the service's URL
    r = request("GET", f"{svc.url}/me", headers={
        "Authorization": f"DPoP {access}",
        "DPoP": dpop.create_proof(client.key, algorithm="ES256", method="GET", uri=f"{svc.url}/me",
                                  access_token=access)})
    assert r.status == 401 and r.json()["error_description"] == "the proof is for another URI (htu)"

    # two DPoP headers
    parts = urlsplit(svc.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest("GET", "/me")
        conn.putheader("Authorization", f"DPoP {access}")
        conn.putheader("DPoP", client.proof("GET", "/me", access))
        conn.putheader("DPoP", client.proof("GET", "/me", access))
        conn.endheaders()
        resp = conn.getresponse()
        assert resp.status == 401 and "invalid_dpop_proof" in (resp.headers.get("WWW-Authenticate") or "")
        resp.read()
    finally:
        conn.close()

    # logout works with DPoP too, and ends it
    r = request("POST", f"{svc.url}/logout", headers={"Authorization": f"DPoP {access}",
                                                       "DPoP": client.proof("POST", "/logout", access)})
    assert r.status == 204, r.body
    r = dpop_get(svc.url, "/me", access, client.proof("GET", "/me", access))
    assert r.status == 401 and dpop_error(r) == "invalid_token"


def test_a_session_without_a_proof_stays_bearer(svc: Any, client: Client) -> None:
    r = request("POST", f"{svc.url}/login", json_body={"username": "alice", "password": PASSWORD})
    body = r.json()
    assert body["token_type"] == "Bearer" and "cnf" not in unverified(body["access_token"])["claims"]
    access = body["access_token"]
    assert request("GET", f"{svc.url}/me", token=access).status == 200
    # an unbound token presented as DPoP: not bound to the proof's key
    r = dpop_get(svc.url, "/me", access, client.proof("GET", "/me", access))
    assert r.status == 401 and dpop_error(r) == "invalid_token"
    # no token: both schemes are offered, without an error
    r = request("GET", f"{svc.url}/me")
    assert r.status == 401 and challenges(r)[0] == 'Bearer realm="jwtkit-service"'
    assert dpop_error(r) is None and 'algs="ES256 EdDSA RS256 PS256"' in challenges(r)[1]


def test_invalid_proofs_at_login_are_400_and_burn_no_password(svc: Any, client: Client) -> None:
    for proof in [client.proof("GET", "/login"), client.proof("POST", "/me"), "not.a.proof", "a,b"]:
        r = request("POST", f"{svc.url}/login", json_body={"username": "alice", "password": PASSWORD},
                    headers={"DPoP": proof})
        assert r.status == 400 and r.json()["error"] == "invalid_dpop_proof", r.body
    # one proof, one login
    proof = client.proof("POST", "/login")
    body = {"username": "alice", "password": PASSWORD}
    assert request("POST", f"{svc.url}/login", json_body=body, headers={"DPoP": proof}).status == 200
    r = request("POST", f"{svc.url}/login", json_body=body, headers={"DPoP": proof})
    assert r.status == 400 and r.json()["error_description"] == "the proof was used before"


def test_a_bound_session_refreshes_only_with_its_key(svc: Any, client: Client, other_client: Client) -> None:
    r = dpop_login(svc.url, client)
    refresh = r.refresh_token()
    # without a proof: 400, and the session goes on
    r = request("POST", f"{svc.url}/refresh", refresh=refresh)
    assert r.status == 400 and r.json()["error"] == "invalid_dpop_proof" and r.refresh_token() is None
    # a thief with the cookie and a key of its own
    r = request("POST", f"{svc.url}/refresh", refresh=refresh, headers={"DPoP": other_client.proof("POST", "/refresh")})
    assert r.status == 401 and r.json()["error"] == "invalid_token"
    # the client
    r = request("POST", f"{svc.url}/refresh", refresh=refresh, headers={"DPoP": client.proof("POST", "/refresh")})
    assert r.status == 200, r.body
    assert r.json()["token_type"] == "DPoP"
    access = r.json()["access_token"]
    assert unverified(access)["claims"]["cnf"] == {"jkt": client.jkt()}
    assert dpop_get(svc.url, "/me", access, client.proof("GET", "/me", access)).status == 200


def test_a_bearer_session_refreshed_with_a_proof_becomes_bound(svc: Any, client: Client) -> None:
    r = request("POST", f"{svc.url}/login", json_body={"username": "alice", "password": PASSWORD})
    r = request("POST", f"{svc.url}/refresh", refresh=r.refresh_token(),
                headers={"DPoP": client.proof("POST", "/refresh")})
    assert r.status == 200 and r.json()["token_type"] == "DPoP"
    assert unverified(r.json()["access_token"])["claims"]["cnf"] == {"jkt": client.jkt()}


def test_use_dpop_nonce(svc: Any, client: Client) -> None:
    svc.app.require_dpop_nonce = True
    body = {"username": "alice", "password": PASSWORD}
    # the token endpoint: 400 use_dpop_nonce and the nonce
    r = request("POST", f"{svc.url}/login", json_body=body, headers={"DPoP": client.proof("POST", "/login")})
    assert r.status == 400 and r.json()["error"] == "use_dpop_nonce", r.body
    client.nonce = r.headers["DPoP-Nonce"]
    assert client.nonce
    r = request("POST", f"{svc.url}/login", json_body=body, headers={"DPoP": client.proof("POST", "/login")})
    assert r.status == 200, r.body
    assert r.headers["DPoP-Nonce"] == client.nonce
    access = r.json()["access_token"]
    # a resource: 401 with a DPoP challenge naming use_dpop_nonce
    stale = dpop_get(svc.url, "/me", access, client.proof("GET", "/me", access, nonce="an-old-nonce"))
    assert stale.status == 401 and dpop_error(stale) == "use_dpop_nonce"
    assert stale.headers["DPoP-Nonce"] == client.nonce
    assert dpop_get(svc.url, "/me", access, client.proof("GET", "/me", access)).status == 200
    # the next window has another nonce
    svc.clock.offset += service.DPOP_NONCE_WINDOW
    r = dpop_get(svc.url, "/me", access, client.proof("GET", "/me", access))
    assert r.status == 401 and dpop_error(r) == "use_dpop_nonce" and r.headers["DPoP-Nonce"] != client.nonce


def test_a_failing_replay_store_refuses_with_503(svc: Any, client: Client) -> None:
    r = dpop_login(svc.url, client)
    access = r.json()["access_token"]

    def broken(key: str, expires_at: float) -> bool:
        raise ConnectionError("the store is down")

    svc.app.store.add = broken  # type: ignore[method-assign]
    r = dpop_get(svc.url, "/me", access, client.proof("GET", "/me", access))
    assert r.status == 503 and r.json()["error"] == "temporarily_unavailable"
