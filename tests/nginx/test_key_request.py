"""auth_jwt_key_request: key sets fetched by nginx subrequests and fed to the library's
sans-I/O JWKS source. One fetch for many requests (also concurrent ones), rotation
through an unknown kid after the cooldown, a bounded number of fetches under a flood of
unknown kids, auth_jwt_key_cache with background refresh and If-None-Match/304, a key
server that fails and recovers, keys from files and from a request together."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List

import pytest

import harness as h
from harness import JwksEndpoint, Nginx, Upstream

NEW_PEM = h.generated_pem("ES256")
SLOW_PEM = h.generated_pem("ES256")


def jwks_of(*pairs: tuple) -> Dict[str, object]:
    return {"keys": [h.public_jwk(pem, kid) for pem, kid in pairs]}


ES256 = (h.SIGNING["ES256"][0], "ec256-1")
RSA = (h.SIGNING["RS256"][0], "rsa-1")

SERVER = """
        location = /_jwks/main { internal; proxy_pass http://127.0.0.1:{up}/jwks/main; }
        location = /_jwks/cached { internal; proxy_pass http://127.0.0.1:{up}/jwks/cached; }
        location = /_jwks/slow { internal; proxy_pass http://127.0.0.1:{up}/jwks/slow; }
        location = /_jwks/down { internal; proxy_pass http://127.0.0.1:{up}/jwks/down; }
        location = /_jwks/dead { internal; proxy_pass http://127.0.0.1:{deadport}/; }
        location = /_jwks/both { internal; proxy_pass http://127.0.0.1:{up}/jwks/both; }
        location = /_jwks/big { internal; proxy_pass http://127.0.0.1:{up}/jwks/big; }
        location = /_jwks/toobig { internal; proxy_pass http://127.0.0.1:{up}/jwks/toobig; }
        location = /_jwks/file { internal; alias {keys}/served.jwks; }

        location /remote/ {
            auth_jwt "remote";
            auth_jwt_key_request /_jwks/main;
            auth_jwt_key_request_cooldown 1s;
            SAY(sub=$jwt_claim_sub|kid=$jwt_header_kid)
        }
        location /cached/ {
            auth_jwt "cached";
            auth_jwt_key_request /_jwks/cached;
            auth_jwt_key_cache 2s;
            SAY(sub=$jwt_claim_sub)
        }
        location /slow/ {
            auth_jwt "slow";
            auth_jwt_key_request /_jwks/slow;
            SAY(sub=$jwt_claim_sub)
        }
        location /down/ {
            auth_jwt "down";
            auth_jwt_key_request /_jwks/down;
            auth_jwt_key_request_cooldown 1s;
            SAY(sub=$jwt_claim_sub)
        }
        location /dead/ {
            auth_jwt "dead";
            auth_jwt_key_request /_jwks/dead;
            SAY(sub=$jwt_claim_sub)
        }
        location /both/ {
            auth_jwt "both";
            auth_jwt_key_file {keys}/file.jwks;
            auth_jwt_key_request /_jwks/both;
            SAY(sub=$jwt_claim_sub)
        }
        location /big/ {
            auth_jwt "big";
            auth_jwt_key_request /_jwks/big;
            SAY(sub=$jwt_claim_sub)
        }
        location /file/ {
            auth_jwt "file";
            auth_jwt_key_request /_jwks/file;
            SAY(sub=$jwt_claim_sub)
        }
        location /toobig/ {
            auth_jwt "toobig";
            auth_jwt_key_request /_jwks/toobig;
            SAY(sub=$jwt_claim_sub)
        }
"""


def big_jwks() -> Dict[str, object]:
    keys = [h.public_jwk(h.generated_pem("ES256"), f"filler-{i}") for i in range(40)]
    keys.append(h.public_jwk(*ES256))
    return {"keys": keys}


@pytest.fixture(scope="module")
def nginx(make_nginx: Callable[..., Nginx], module_dir: Path, upstream: Upstream) -> Iterator[Nginx]:
    upstream.jwks["main"] = JwksEndpoint(jwks_of(ES256), cache_control="no-store")
    upstream.jwks["cached"] = JwksEndpoint(jwks_of(ES256), cache_control="max-age=3600", etag='"v1"')
    upstream.jwks["slow"] = JwksEndpoint(jwks_of((SLOW_PEM, "slow-1")))
    upstream.jwks["slow"].delay = 0.5
    upstream.jwks["down"] = JwksEndpoint(jwks_of(ES256))
    upstream.jwks["down"].status = 500
    upstream.jwks["both"] = JwksEndpoint(jwks_of(ES256))
    upstream.jwks["big"] = JwksEndpoint(big_jwks())
    upstream.jwks["toobig"] = JwksEndpoint(json.dumps(dict(jwks_of(ES256), pad="x" * (1 << 20))).encode())
    h.write_json(module_dir / "served.jwks", big_jwks())
    h.write_json(module_dir / "file.jwks", jwks_of(RSA))
    yield make_nginx("", SERVER.replace("{deadport}", str(h.free_port())))


def test_one_fetch_for_many_requests(nginx: Nginx, upstream: Upstream) -> None:
    ep = upstream.jwks["main"]
    for _ in range(5):
        r = nginx.get("/remote/", h.sign("ES256"))
        assert r.status == 200 and r.text == "sub=alice|kid=ec256-1", r
    assert ep.count() == 1
    # the client's headers (its token among them) do not go to the key server
    assert "authorization" not in ep.hits[0] and "if-none-match" not in ep.hits[0]
    # "no-store" does not mean a fetch per token: the source's shortest cache time holds
    time.sleep(0.3)
    assert nginx.get("/remote/", h.sign("ES256")).status == 200
    assert ep.count() == 1

    # rotation: the key server gets a new key; a token naming it refreshes the set,
    # once the cooldown (1 s here) since the last fetch is over
    ep.set(jwks_of(ES256, (NEW_PEM, "new-1")))
    new_token = h.sign("ES256", key=NEW_PEM, kid="new-1")
    time.sleep(1.1)
    r = nginx.get("/remote/", new_token)
    assert r.status == 200 and r.text == "sub=alice|kid=new-1", r
    assert ep.count() == 2
    assert "unknown kid, refreshing the keys" in nginx.log()

    # a flood of unknown kids within the cooldown: refused, and no fetch per token
    for i in range(20):
        assert nginx.get("/remote/", h.sign("ES256", kid=f"forged-{i}")).status == 401
    assert ep.count() <= 3
    assert nginx.get("/remote/", new_token).status == 200
    assert nginx.get("/remote/", h.sign("ES256")).status == 200


def test_concurrent_first_requests_share_one_fetch(nginx: Nginx, upstream: Upstream) -> None:
    token = h.sign("ES256", key=SLOW_PEM, kid="slow-1")
    results: List[int] = []

    def one() -> None:
        results.append(nginx.get("/slow/", token, timeout=20).status)

    threads = [threading.Thread(target=one) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 20
    assert upstream.jwks["slow"].count() == 1


def test_cache_time_background_refresh_and_etag(nginx: Nginx, upstream: Upstream) -> None:
    ep = upstream.jwks["cached"]
    assert nginx.get("/cached/", h.sign()).status == 200
    assert ep.count() == 1
    time.sleep(2.2)  # auth_jwt_key_cache 2s (the key server's max-age=3600 is not used)
    started = time.monotonic()
    assert nginx.get("/cached/", h.sign()).status == 200  # verified with the current set
    assert time.monotonic() - started < 1.0
    deadline = time.monotonic() + 5
    while ep.count() < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ep.count() == 2
    assert ep.hits[1].get("if-none-match") == '"v1"'  # answered 304 Not Modified
    time.sleep(0.1)
    assert "keys of \"/_jwks/cached\" not modified" in nginx.log()
    assert nginx.get("/cached/", h.sign()).status == 200
    assert ep.count() == 2


def test_key_server_down_then_up(nginx: Nginx, upstream: Upstream) -> None:
    ep = upstream.jwks["down"]
    r = nginx.get("/down/", h.sign())
    assert r.status == 401 and r.header("WWW-Authenticate") == 'Bearer realm="down", error="invalid_token"'
    assert 'key request "/_jwks/down" answered 500' in nginx.log()
    assert ep.count() == 1
    # within the cooldown: no new fetch
    assert nginx.get("/down/", h.sign()).status == 401
    assert ep.count() == 1
    ep.set(status=200)
    time.sleep(1.1)
    assert nginx.get("/down/", h.sign()).status == 200
    assert ep.count() == 2


def test_key_server_unreachable(nginx: Nginx) -> None:
    assert nginx.get("/dead/", h.sign()).status == 401
    assert 'key request "/_jwks/dead" answered 502' in nginx.log()


def test_keys_from_a_file_and_a_request(nginx: Nginx) -> None:
    assert nginx.get("/both/", h.sign("RS256")).text == "sub=alice"  # the file's key
    assert nginx.get("/both/", h.sign("ES256")).text == "sub=alice"  # the fetched key
    assert nginx.get("/both/", h.sign("ES256", key=NEW_PEM)).status == 401
    assert nginx.get("/both/", h.sign("ES256", kid="unknown")).status == 401


def test_large_key_sets(nginx: Nginx, upstream: Upstream) -> None:
    # larger than nginx's subrequest_output_buffer_size (4k): no setting needed
    assert len(json.dumps(big_jwks())) > 4096
    assert nginx.get("/big/", h.sign()).status == 200
    assert nginx.get("/file/", h.sign()).status == 200  # a static file, in file buffers
    # over the 1 MiB a JWK Set may have: refused, answered 401
    r = nginx.get("/toobig/", h.sign())
    assert r.status == 401, r
    assert upstream.jwks["toobig"].count() == 1
    assert 'key request "/_jwks/toobig" failed: the answer is larger than 1 MiB' in nginx.log()
