"""Header fields that come more than once, which nginx 1.23 changed from arrays to linked
lists (`next`): a token in any of several Cookie lines, two Authorization lines, a
key server's Cache-Control split over several lines, and WWW-Authenticate beside other
challenges under `satisfy any`. Run on whatever nginx is installed (JWTKIT_NGINX_BIN):
the answers are the same before and after 1.23, but for the challenges left over from a
location that redirected, which only 1.23's lists let `satisfy any` hide."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Callable, Iterator

import pytest

import harness as h
from harness import JwksEndpoint, Nginx, Upstream

SERVER = """
        location /cookie/ {
            auth_jwt "cookie realm" token=$cookie_auth;
            auth_jwt_key_file {keys}/public.jwks;
            SAY(sub=$jwt_claim_sub)
        }
        location /pk/ {
            auth_jwt "pk realm";
            auth_jwt_key_file {keys}/public.jwks;
            SAY(sub=$jwt_claim_sub)
        }
        location = /_jwks/split { internal; proxy_pass http://127.0.0.1:{up}/jwks/split; }
        location /split/ {
            auth_jwt "split";
            auth_jwt_key_request /_jwks/split;
            SAY(sub=$jwt_claim_sub)
        }
        location /any-allow/ {
            satisfy any;
            auth_jwt "any";
            auth_jwt_key_file {keys}/public.jwks;
            allow 127.0.0.2;
            deny all;
            SAY(sub=$jwt_claim_sub)
        }
        location /any-allowed/ {
            satisfy any;
            auth_jwt "any";
            auth_jwt_key_file {keys}/public.jwks;
            allow 127.0.0.1;
            deny all;
            SAY(open)
        }
        location /any-basic/ {
            satisfy any;
            auth_jwt "jwt realm";
            auth_jwt_key_file {keys}/public.jwks;
            auth_basic "basic realm";
            auth_basic_user_file {keys}/htpasswd;
            SAY(sub=$jwt_claim_sub|user=$remote_user)
        }
        location /all-basic/ {
            auth_jwt "jwt realm";
            auth_jwt_key_file {keys}/public.jwks;
            auth_basic "basic realm";
            auth_basic_user_file {keys}/htpasswd;
            SAY(sub=$jwt_claim_sub|user=$remote_user)
        }
        location /basic-then-jwt/ {
            auth_basic "basic realm";
            auth_basic_user_file {keys}/htpasswd;
            error_page 401 = /any-allowed/;
            SAY(basic)
        }
        location /basic-then-jwt-refused/ {
            auth_basic "basic realm";
            auth_basic_user_file {keys}/htpasswd;
            error_page 401 = /pk/;
            SAY(basic)
        }
"""

BASIC = "Basic " + base64.b64encode(b"bob:secret").decode()


@pytest.fixture(scope="module")
def nginx(make_nginx: Callable[..., Nginx], module_dir: Path, upstream: Upstream) -> Iterator[Nginx]:
    h.write_json(module_dir / "public.jwks", h.public_jwks())
    (module_dir / "htpasswd").write_text("bob:{PLAIN}secret\n")
    upstream.jwks["split"] = JwksEndpoint(h.public_jwks(), cache_control=["public", "max-age=600"])
    yield make_nginx("", SERVER, log_level="debug")


def test_token_in_any_cookie_line(nginx: Nginx) -> None:
    token = h.sign()
    for lines in ([("Cookie", "a=1"), ("Cookie", f"auth={token}")],
                  [("Cookie", f"auth={token}"), ("Cookie", "b=2")],
                  [("Cookie", "a=1; b=2"), ("Cookie", "c=3"), ("Cookie", f"d=4; auth={token}")]):
        r = nginx.get_lines("/cookie/", lines)
        assert r.status == 200 and r.text == "sub=alice", (lines, r)
    r = nginx.get_lines("/cookie/", [("Cookie", "a=1"), ("Cookie", "b=2")])
    assert r.status == 401 and r.header_lines("WWW-Authenticate") == ['Bearer realm="cookie realm"']


def test_two_authorization_lines_are_refused_by_nginx(nginx: Nginx) -> None:
    token = h.sign()
    r = nginx.get_lines("/pk/", [("Authorization", f"Bearer {token}"), ("Authorization", f"Bearer {token}")])
    assert r.status == 400  # nginx: "client sent duplicate header line"
    assert nginx.get_lines("/pk/", [("Authorization", f"Bearer {token}")]).text == "sub=alice"


def test_cache_control_over_several_lines(nginx: Nginx, upstream: Upstream) -> None:
    assert nginx.get("/split/", h.sign()).status == 200
    assert upstream.jwks["split"].count() == 1
    # what the module read is logged at debug, by a module built --with-debug
    log = nginx.log()
    if 'auth_jwt: fetching keys from "/_jwks/split"' not in log:
        pytest.skip("no debug log of the module: nginx or the module was built without --with-debug")
    assert 'key request "/_jwks/split": status 200, cache-control "public, max-age=600"' in log


def test_one_challenge_per_answer(nginx: Nginx) -> None:
    r = nginx.get("/pk/")
    assert r.status == 401 and r.header_lines("WWW-Authenticate") == ['Bearer realm="pk realm"']
    r = nginx.get("/pk/", h.sign(kid="nobody"))
    assert r.header_lines("WWW-Authenticate") == ['Bearer realm="pk realm", error="invalid_token"']


def test_satisfy_any_with_allow(nginx: Nginx) -> None:
    # refused by both: auth_jwt's challenge
    r = nginx.get("/any-allow/")
    assert r.status == 401 and r.header_lines("WWW-Authenticate") == ['Bearer realm="any"'], r
    assert nginx.get("/any-allow/", h.sign()).text == "sub=alice"
    # allowed by address: no challenge of the refused token reaches the client
    r = nginx.get("/any-allowed/", h.sign(kid="nobody"))
    assert r.status == 200 and r.text == "open" and r.header_lines("WWW-Authenticate") == [], r
    r = nginx.get("/any-allowed/")
    assert r.status == 200 and r.header_lines("WWW-Authenticate") == [], r


def test_satisfy_any_with_auth_basic(nginx: Nginx) -> None:
    # neither: both challenges, one header line each
    r = nginx.get("/any-basic/")
    assert r.status == 401 and sorted(r.header_lines("WWW-Authenticate")) == [
        'Basic realm="basic realm"', 'Bearer realm="jwt realm"'], r
    # either one: no challenge in the answer
    r = nginx.get("/any-basic/", h.sign())
    assert r.status == 200 and r.text == "sub=alice|user=" and r.header_lines("WWW-Authenticate") == [], r
    r = nginx.get("/any-basic/", headers={"Authorization": BASIC})
    assert r.status == 200 and r.text == "sub=|user=bob" and r.header_lines("WWW-Authenticate") == [], r


def test_satisfy_all_with_auth_basic(nginx: Nginx) -> None:
    # the first to refuse answers, with its own challenge only
    r = nginx.get("/all-basic/")
    assert r.status == 401 and len(r.header_lines("WWW-Authenticate")) == 1, r


def test_challenges_across_a_redirect(nginx: Nginx) -> None:
    # auth_basic refuses, error_page hands over to a location with auth_jwt: its
    # challenge joins auth_basic's, which nginx keeps across the redirect
    r = nginx.get("/basic-then-jwt-refused/")
    assert r.status == 401 and r.header_lines("WWW-Authenticate") == [
        'Basic realm="basic realm"', 'Bearer realm="pk realm"'], r
    assert nginx.get("/basic-then-jwt-refused/", h.sign()).text == "sub=alice"
    # there, access is granted by address (satisfy any): no challenge of auth_jwt in
    # the answer; from nginx 1.23, whose challenges are a list, none of auth_basic's
    # either (before, nginx hides only the last challenge set)
    r = nginx.get("/basic-then-jwt/")
    assert r.status == 200 and r.text == "open", r
    if h.nginx_version() >= (1, 23, 0):
        assert r.header_lines("WWW-Authenticate") == [], r
    else:
        assert r.header_lines("WWW-Authenticate") == ['Basic realm="basic realm"'], r
