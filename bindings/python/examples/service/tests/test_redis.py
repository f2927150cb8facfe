"""The Redis store against a real Redis server, and service processes sharing it
(REDIS_URL): a revocation made by one is honoured by the other, every entry expires
with what it concerns, and state Redis loses means refusal, never acceptance."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any, Dict

import pytest
from conftest import ISSUER, PASSWORD, login, request, unverified

import service


def test_redis_store(redis_url: str, prefix: str) -> None:
    store = service.RedisStore(redis_url, prefix)
    now = time.time()
    assert store.add("jti:a", now + 100) is True
    assert store.add("jti:a", now + 100) is False  # SET NX: the first one wins
    assert 98 <= store.ttl("jti:a") <= 100
    store.open_session("s", "r1", now + 1000)
    assert store.active("s") and store.active("s", "jti:x") and not store.active("s", "jti:x", "jti:a")
    assert not store.active("nosuch")
    assert store.refresh_jti("s") == "r1" and 998 <= store.ttl("session:s") <= 1000
    # rotation is a compare-and-set on the server; a stale id ends the session
    assert store.rotate("s", "r1", "r2", now + 2000) and store.refresh_jti("s") == "r2"
    assert 1998 <= store.ttl("session:s") <= 2000
    assert not store.rotate("s", "r1", "r3", now + 2000)
    assert store.refresh_jti("s") is None and store.ttl("session:s") == -2
    assert not store.rotate("s", "r2", "r3", now + 2000)  # and a missing session is never recreated
    assert store.ttl("session:s") == -2
    # a fixed window
    assert store.hit("w", 60)[0] == 1
    count, left = store.hit("w", 60)
    assert count == 2 and 58 < left <= 60
    # entries go when what they concern has expired
    assert store.add("jti:short", time.time() + 1) is True
    deadline = time.monotonic() + 5
    while store.ttl("jti:short") != -2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert store.ttl("jti:short") == -2, "Redis keeps the entry past its token's expiry"


def test_redis_is_configured_not_to_lose_state(redis_url: str, prefix: str) -> None:
    """The test server runs as the README asks: no eviction, and persistence."""
    assert service.RedisStore(redis_url, prefix).check_settings() == []


@pytest.fixture
def two_instances(redis_url: str, prefix: str, spawn: Any, keys: Dict[str, Path], users: Dict[str, str],
                  tmp_path: Path) -> Any:
    """Instances A and B: one state directory (key, users, files), one Redis."""
    state = tmp_path / "state"
    state.mkdir()
    shutil.copy(keys["ES256"], state / "signing-key.jwk")
    (state / "users.json").write_text(json.dumps(users))
    env = {"REDIS_URL": redis_url, "SERVICE_REDIS_PREFIX": prefix, "SERVICE_ISSUER": ISSUER}
    return spawn(state, **env), spawn(state, **env)


def test_two_instances_share_revocations(two_instances: Any, redis_url: str, prefix: str) -> None:
    a, b = two_instances
    assert a.url != b.url
    store = service.RedisStore(redis_url, prefix)
    leeway = service.CLOCK_LEEWAY

    # a token from A works on B: same key set, one shared session store
    r = login(a.url)
    assert r.status == 200
    access1, refresh1 = r.json()["access_token"], r.refresh_token()
    assert request("GET", f"{b.url}/me", token=access1).json()["user"] == "alice"

    # rotate on B; replaying the old refresh token on A ends the family everywhere
    r = request("POST", f"{b.url}/refresh", refresh=refresh1)
    assert r.status == 200
    access2, refresh2 = r.json()["access_token"], r.refresh_token()
    new = unverified(refresh2)["claims"]
    assert store.refresh_jti(new["sid"]) == new["jti"]
    assert new["exp"] - time.time() + leeway - 2 <= store.ttl(f"session:{new['sid']}") <= new["exp"] - time.time() + leeway + 1
    r = request("POST", f"{a.url}/refresh", refresh=refresh1)
    assert r.status == 401 and r.json()["error_description"] == "the token was revoked"
    assert store.ttl(f"session:{new['sid']}") == -2
    assert request("POST", f"{b.url}/refresh", refresh=refresh2).status == 401
    assert request("POST", f"{a.url}/refresh", refresh=refresh2).status == 401
    assert request("GET", f"{a.url}/me", token=access2).status == 401
    assert request("GET", f"{b.url}/me", token=access2).status == 401

    # a new session from B; logging out on A is honoured by B
    r = login(b.url, "alice", PASSWORD)
    access3, refresh3 = r.json()["access_token"], r.refresh_token()
    assert request("GET", f"{a.url}/me", token=access3).status == 200
    assert request("POST", f"{a.url}/logout", token=access3).status == 204
    r = request("GET", f"{b.url}/me", token=access3)
    assert r.status == 401
    assert 'error="invalid_token", error_description="the token was revoked"' in r.headers["WWW-Authenticate"]
    assert request("POST", f"{b.url}/refresh", refresh=refresh3).status == 401

    # the logged-out token's entry lasts until it expires, leeway included; the session is gone
    c = unverified(access3)["claims"]
    remaining = c["exp"] + leeway - time.time()
    assert remaining - 3 <= store.ttl(f"jti:{c['jti']}") <= remaining + 1 <= 901 + leeway
    assert store.ttl(f"session:{c['sid']}") == -2

    # download links made on one instance work (once) on the other, and die with the session
    r = login(a.url)
    access4 = r.json()["access_token"]
    used = request("GET", f"{a.url}/download-link?file=report.txt", token=access4).json()["url"]
    unused = request("GET", f"{a.url}/download-link?file=report.txt", token=access4).json()["url"]
    assert request("GET", b.url + used).status == 200
    r = request("GET", a.url + used)
    assert r.status == 403 and r.json()["error_description"] == "invalid link: the link was already used"
    assert request("POST", f"{b.url}/logout", token=access4).status == 204
    r = request("GET", a.url + unused)
    assert r.status == 403 and r.json()["error_description"] == "invalid link: the token was revoked"

    assert a.stop() == 0 and b.stop() == 0


def test_flushed_redis_fails_closed(two_instances: Any, redis_url: str) -> None:
    """Redis loses everything (a restart without persistence, a failover, eviction):
    spent and revoked tokens stay refused, because what is not in Redis is not accepted."""
    import redis

    a, b = two_instances
    # session 1: rotated once, so its first refresh token is spent
    r = login(a.url)
    spent = r.refresh_token()
    r = request("POST", f"{a.url}/refresh", refresh=spent)
    assert r.status == 200
    current_access, current_refresh = r.json()["access_token"], r.refresh_token()
    # session 2: logged out
    logged_out = login(b.url).json()["access_token"]
    assert request("POST", f"{b.url}/logout", token=logged_out).status == 204
    assert request("GET", f"{a.url}/me", token=logged_out).status == 401

    redis.Redis.from_url(redis_url).flushdb()

    r = request("POST", f"{a.url}/refresh", refresh=spent)
    assert r.status == 401 and r.json()["error_description"] == "the token was revoked"
    for url in (a.url, b.url):
        r = request("GET", f"{url}/me", token=logged_out)
        assert r.status == 401 and r.json()["error_description"] == "the token was revoked"
    # the sessions that were fine are gone too: their users log in again
    assert request("GET", f"{b.url}/me", token=current_access).status == 401
    assert request("POST", f"{b.url}/refresh", refresh=current_refresh).status == 401
    r = login(b.url)
    assert r.status == 200 and request("GET", f"{a.url}/me", token=r.json()["access_token"]).status == 200


def test_login_rate_limit_is_shared(start: Any, redis_url: str, prefix: str) -> None:
    """Attempts are counted in Redis, per account and per address, so spreading them
    over instances does not multiply them."""
    a = start(store=lambda clock: service.RedisStore(redis_url, prefix, clock))
    b = start(store=lambda clock: service.RedisStore(redis_url, prefix, clock))
    for app in (a.app, b.app):
        app.login_limit_account, app.login_limit_address, app.login_window = 2, 4, 60
    assert login(a.url, "alice", "guess 1").status == 401
    assert login(b.url, "alice", "guess 2").status == 401
    r = login(a.url)  # the right password, but the account's window is used up
    assert r.status == 429 and r.json()["error"] == "too_many_attempts" and r.cookies() == []
    assert 55 <= int(r.headers["Retry-After"]) <= 60
    assert login(b.url, "bob", "bob's own password").status == 200  # another account: its own count
    r = login(a.url, "bob", "bob's own password")  # but the address has had 4 attempts
    assert r.status == 429 and 1 <= int(r.headers["Retry-After"]) <= 60


def test_two_instances_share_dpop_replays_and_nonces(redis_url: str, prefix: str, spawn: Any, keys: Dict[str, Path],
                                                     users: Dict[str, str], tmp_path: Path, cli: str) -> None:
    """Behind one URL (the issuer's origin), two instances with one Redis: a nonce one
    hands out is the other's too, and a DPoP proof used on one is a replay on the other."""
    from conftest import keygen
    from test_dpop import Client, dpop_error, dpop_get

    state = tmp_path / "dpop-state"
    state.mkdir()
    shutil.copy(keys["ES256"], state / "signing-key.jwk")
    (state / "users.json").write_text(json.dumps(users))
    env = {"REDIS_URL": redis_url, "SERVICE_REDIS_PREFIX": prefix, "SERVICE_ISSUER": ISSUER, "SERVICE_DPOP_NONCE": "1"}
    a, b = spawn(state, **env), spawn(state, **env)
    client = Client(keygen(cli, "ES256", tmp_path / "client.jwk"))
    body = {"username": "alice", "password": PASSWORD}

    r = request("POST", f"{a.url}/login", json_body=body, headers={"DPoP": client.proof("POST", "/login")})
    assert r.status == 400 and r.json()["error"] == "use_dpop_nonce", r.body
    client.nonce = r.headers["DPoP-Nonce"]
    r = request("POST", f"{b.url}/login", json_body=body, headers={"DPoP": client.proof("POST", "/login")})
    assert r.status == 200 and r.json()["token_type"] == "DPoP", r.body
    access = r.json()["access_token"]

    proof = client.proof("GET", "/me", access)
    assert dpop_get(a.url, "/me", access, proof).status == 200
    replayed = dpop_get(b.url, "/me", access, proof)
    assert replayed.status == 401 and dpop_error(replayed) == "invalid_dpop_proof"
    assert replayed.json()["error_description"] == "the proof was used before"
    assert dpop_get(b.url, "/me", access, client.proof("GET", "/me", access)).status == 200
    # the records are in Redis, kept while their proofs are in the window (300 s) and no longer
    store = service.RedisStore(redis_url, prefix)
    records = [k.decode()[len(prefix):] for k in store._redis.keys(f"{prefix}dpop:*")]
    assert len(records) == 3, records  # the login's proof and two at /me
    for key in records:
        assert 0 < store.ttl(key) <= 300 + 1 + service.CLOCK_LEEWAY
