"""Two service processes sharing one real Redis server (REDIS_URL): a revocation made
by one is honoured by the other, and every entry expires with its token."""

from __future__ import annotations

import json
import shutil
import time
import uuid
from pathlib import Path
from typing import Any, Dict

import pytest
from conftest import ISSUER, PASSWORD, login, request, unverified

import service


@pytest.fixture
def prefix() -> str:
    return f"jwtkit-service-test:{uuid.uuid4().hex}:"


def test_redis_deny_list(redis_url: str, prefix: str) -> None:
    deny = service.RedisDenyList(redis_url, prefix)
    now = time.time()
    assert deny.add("jti:a", now + 100) is True
    assert deny.add("jti:a", now + 100) is False  # SET NX: the first one wins
    assert deny.contains("jti:a") and deny.contains("jti:x", "jti:a") and not deny.contains("jti:x")
    assert 98 <= deny.ttl("jti:a") <= 100
    assert deny.add("jti:short", now + 1) is True
    deadline = time.monotonic() + 5
    while deny.contains("jti:short") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not deny.contains("jti:short"), "Redis keeps the entry past its token's expiry"
    assert deny.ttl("jti:short") == -2


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
    deny = service.RedisDenyList(redis_url, prefix)

    # a token from A works on B: same key set, no shared session state
    r = login(a.url)
    assert r.status == 200
    access1, refresh1 = r.json()["access_token"], r.refresh_token()
    assert request("GET", f"{b.url}/me", token=access1).json()["user"] == "alice"

    # rotate on B; replaying the old refresh token on A ends the family everywhere
    r = request("POST", f"{b.url}/refresh", refresh=refresh1)
    assert r.status == 200
    access2, refresh2 = r.json()["access_token"], r.refresh_token()
    spent = unverified(refresh1)["claims"]
    assert 0 < deny.ttl(f"jti:{spent['jti']}") <= spent["exp"] - int(time.time()) + 1
    r = request("POST", f"{a.url}/refresh", refresh=refresh1)
    assert r.status == 401 and r.json()["error_description"] == "the token was revoked"
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

    # the entries last exactly as long as what they revoke
    c = unverified(access3)["claims"]
    remaining = c["exp"] - time.time()
    assert remaining - 3 <= deny.ttl(f"jti:{c['jti']}") <= remaining + 1 <= 901
    assert 7 * 24 * 3600 - 10 <= deny.ttl(f"sid:{c['sid']}") <= 7 * 24 * 3600

    # download links made on one instance are revoked on the other too
    r = login(a.url)
    access4 = r.json()["access_token"]
    url = request("GET", f"{a.url}/download-link?file=report.txt", token=access4).json()["url"]
    assert request("GET", b.url + url).status == 200
    assert request("POST", f"{b.url}/logout", token=access4).status == 204
    assert request("GET", a.url + url).status == 403

    assert a.stop() == 0 and b.stop() == 0
