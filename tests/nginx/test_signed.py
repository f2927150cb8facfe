"""Signed tokens (JWS) with keys from auth_jwt_key_file: every algorithm, every way a
token is refused, the answers (401/403, WWW-Authenticate, the reason in the log), the
token in a cookie or an argument, require, revoked, issuer/audience, leeway, claims and
headers as variables and passed upstream."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

import harness as h
from harness import Nginx

SERVER = """
        auth_jwt_key_file {keys}/public.jwks;

        location /pk/ {
            auth_jwt "pk realm";
            SAY(sub=$jwt_claim_sub alg=$jwt_header_alg)
        }
        location /hs/ {
            auth_jwt "hs realm";
            auth_jwt_key_file {keys}/hmac.jwks;
            SAY(sub=$jwt_claim_sub alg=$jwt_header_alg)
        }
        location /only-rs256/ {
            auth_jwt "x";
            auth_jwt_algorithms RS256;
            SAY(ok)
        }
        location /cookie/ {
            auth_jwt "cookie realm" token=$cookie_auth;
            SAY(sub=$jwt_claim_sub)
        }
        location /arg/ {
            auth_jwt "arg realm" token=$arg_jwt;
            SAY(sub=$jwt_claim_sub)
        }
        location /require/ {
            auth_jwt "req";
            auth_jwt_require $jwt_claim_sub;
            auth_jwt_require $jwt_claim_admin $is_staff error=403;
            SAY(ok)
        }
        location /require401/ {
            auth_jwt "req";
            auth_jwt_require $scope_ok;
            SAY(ok)
        }
        location /upstream/ {
            auth_jwt "up";
            proxy_set_header X-User $jwt_claim_sub;
            proxy_set_header X-Roles $roles;
            proxy_set_header X-Email $email;
            proxy_set_header X-Kid $hkid;
            proxy_set_header Authorization "";
            proxy_pass http://127.0.0.1:{up}/echo;
        }
        location /vars/ {
            auth_jwt "vars";
            SAY(roles=$roles|email=$email|groups=$jwt_claim_groups|info=$jwt_claim_info|n=$jwt_claim_n|flag=$jwt_claim_flag|kid=$hkid|typ=$jwt_header_typ|payload=$jwt_payload|missing=$jwt_claim_missing)
        }
        location /leeway/ {
            auth_jwt "leeway";
            auth_jwt_leeway 60s;
            SAY(ok)
        }
        location /iss/ {
            auth_jwt "iss";
            auth_jwt_issuer https://issuer.example https://other.example;
            auth_jwt_audience api;
            SAY(ok)
        }
        location /revoked/ {
            auth_jwt "rev";
            auth_jwt_revoked $revoked;
            SAY(ok)
        }
        location /describe/ {
            auth_jwt "desc";
            auth_jwt_error_description on;
            SAY(ok)
        }
        location /quoted/ {
            auth_jwt "a \\"quoted\\" realm";
            SAY(ok)
        }
        location /login-redirect/ {
            auth_jwt "x";
            error_page 401 = @login;
            SAY(sub=$jwt_claim_sub)
        }
        location @login {
            return 302 /login;
        }
        location /inherit/ {
            location /inherit/off/ {
                auth_jwt off;
                SAY(open)
            }
            location /inherit/on/ {
                SAY(sub=$jwt_claim_sub)
            }
        }
"""

HTTP = """
    auth_jwt_claim_set $roles realm_access roles;
    auth_jwt_claim_set $email info "e-mail";
    auth_jwt_header_set $hkid kid;
    map $jwt_claim_jti $revoked { default 0; "revoked-jti" 1; }
    map $jwt_claim_role $is_staff { default ""; staff 1; admin 1; }
    map $jwt_claim_scope $scope_ok { default 0; "read" 1; }
"""


@pytest.fixture(scope="module")
def nginx(make_nginx: Callable[..., Nginx], module_dir: Path) -> Iterator[Nginx]:
    h.write_json(module_dir / "public.jwks", h.public_jwks())
    h.write_json(module_dir / "hmac.jwks", h.hmac_jwks())
    # /inherit/ takes auth_jwt from the server level
    yield make_nginx(HTTP, SERVER.replace("        location /inherit/ {",
                                          "        auth_jwt \"server realm\";\n        location /inherit/ {"))


def path_for(alg: str) -> str:
    return "/hs/" if alg.startswith("HS") else "/pk/"


@pytest.mark.parametrize("alg", h.ALGORITHMS)
def test_every_algorithm(nginx: Nginx, alg: str) -> None:
    r = nginx.get(path_for(alg), h.sign(alg))
    assert r.status == 200, r
    assert r.text == f"sub=alice alg={alg}"


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_token_without_kid_is_tried_against_fitting_keys(nginx: Nginx, alg: str) -> None:
    assert nginx.get("/pk/", h.sign(alg, kid=None)).status == 200


def refused(r: h.Response, realm: str = "pk realm") -> None:
    assert r.status == 401, r
    assert r.header("WWW-Authenticate") == f'Bearer realm="{realm}", error="invalid_token"', r


def test_missing_token_is_401_without_error(nginx: Nginx) -> None:
    r = nginx.get("/pk/")
    assert r.status == 401
    assert r.header("WWW-Authenticate") == 'Bearer realm="pk realm"'
    assert "the request has no token" in nginx.log()


def test_other_scheme_is_no_token(nginx: Nginx) -> None:
    r = nginx.get("/pk/", headers={"Authorization": "Basic YWxpY2U6c2VjcmV0"})
    assert r.status == 401 and r.header("WWW-Authenticate") == 'Bearer realm="pk realm"'


def test_bearer_scheme_is_case_insensitive(nginx: Nginx) -> None:
    assert nginx.get("/pk/", headers={"Authorization": "bearer  " + h.sign()}).status == 200


def test_expired(nginx: Nginx) -> None:
    now = int(time.time())
    refused(nginx.get("/pk/", h.sign(payload=h.claims(iat=now - 600, exp=now - 60))))
    assert "JWTKIT_ERR_EXPIRED" in nginx.log()


def test_not_yet_valid(nginx: Nginx) -> None:
    refused(nginx.get("/pk/", h.sign(payload=h.claims(nbf=int(time.time()) + 120))))
    assert "JWTKIT_ERR_NOT_YET_VALID" in nginx.log()


def test_leeway(nginx: Nginx) -> None:
    now = int(time.time())
    late = h.sign(payload=h.claims(iat=now - 600, exp=now - 30))
    assert nginx.get("/leeway/", late).status == 200
    refused(nginx.get("/pk/", late))
    assert nginx.get("/leeway/", h.sign(payload=h.claims(iat=now - 600, exp=now - 90))).status == 401


def test_wrong_key(nginx: Nginx) -> None:
    forged = h.sign("ES256", key=h.generated_pem("ES256"))  # kid ec256-1, another key
    refused(nginx.get("/pk/", forged))
    assert "JWTKIT_ERR_SIGNATURE_INVALID" in nginx.log()


def test_wrong_hmac_secret(nginx: Nginx) -> None:
    other = dict(h.HMAC_JWK, k=h.b64u(b"another secret, 64 bytes long...." * 2))
    refused(nginx.get("/hs/", h.sign("HS256", key=other)), "hs realm")


def test_tampered(nginx: Nginx) -> None:
    head, body, sig = h.sign().split(".")
    evil = h.b64u(json.dumps(h.claims(sub="mallory")).encode())
    refused(nginx.get("/pk/", f"{head}.{evil}.{sig}"))
    flipped = sig[:-2] + ("A" if sig[-2] != "A" else "B") + sig[-1]
    refused(nginx.get("/pk/", f"{head}.{body}.{flipped}"))


def test_alg_none(nginx: Nginx) -> None:
    for alg in ("none", "None", "NONE"):
        refused(nginx.get("/pk/", h.unsigned_token(h.claims(), alg)))
    assert "JWTKIT_ERR_ALG_UNSUPPORTED" in nginx.log()


def test_algorithm_not_allowed(nginx: Nginx) -> None:
    assert nginx.get("/only-rs256/", h.sign("RS256")).status == 200
    refused(nginx.get("/only-rs256/", h.sign("PS256")), "x")
    refused(nginx.get("/only-rs256/", h.sign("ES256")), "x")
    assert "JWTKIT_ERR_ALG_NOT_ALLOWED" in nginx.log()


def test_hmac_is_not_allowed_with_public_keys(nginx: Nginx) -> None:
    # /pk/ has only public keys: HS256 is not among the algorithms derived from them, so
    # an HMAC "signature" made with the public key's bytes (the classic confusion) is
    # refused. jwtkit refuses to make such a token, so it is made by hand.
    public_pem = h._core.Key.from_pem(h.SIGNING["RS256"][0].encode()).to_public_pem().encode()
    head = h.b64u(json.dumps({"alg": "HS256", "kid": "rsa-1"}).encode())
    body = h.b64u(json.dumps(h.claims()).encode())
    mac = hmac.new(public_pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    refused(nginx.get("/pk/", f"{head}.{body}.{h.b64u(mac)}"))


def test_unknown_kid(nginx: Nginx) -> None:
    refused(nginx.get("/pk/", h.sign("ES256", kid="nobody")))
    assert "JWTKIT_ERR_KEY_NOT_FOUND" in nginx.log()


def test_garbage(nginx: Nginx) -> None:
    for token in ("x", "a.b.c", "a.b.c.d.e", "." * 3, "eyJhbGciOiJFUzI1NiJ9.e30.", "é" * 10):
        r = nginx.get("/pk/", headers={"Authorization": "Bearer " + token} if token.isascii() else
                      {"Authorization": "Bearer abc"})
        assert r.status == 401


def test_cookie(nginx: Nginx) -> None:
    token = h.sign()
    r = nginx.get("/cookie/", headers={"Cookie": f"other=1; auth={token}"})
    assert r.status == 200 and r.text == "sub=alice"
    r = nginx.get("/cookie/", token)  # the Authorization header is not looked at
    assert r.status == 401 and r.header("WWW-Authenticate") == 'Bearer realm="cookie realm"'


def test_argument(nginx: Nginx) -> None:
    assert nginx.get(f"/arg/?jwt={h.sign()}").text == "sub=alice"
    assert nginx.get("/arg/?jwt=").status == 401


def test_require_401_and_403(nginx: Nginx) -> None:
    assert nginx.get("/require/", h.sign(payload=h.claims(admin=True, role="staff"))).status == 200
    # the second auth_jwt_require fails: 403, error=403
    r = nginx.get("/require/", h.sign(payload=h.claims(admin=True, role="guest")))
    assert r.status == 403
    assert r.header("WWW-Authenticate") == 'Bearer realm="req", error="insufficient_scope"'
    assert nginx.get("/require/", h.sign(payload=h.claims(role="admin"))).status == 403
    assert nginx.get("/require/", h.sign(payload=h.claims(admin=0, role="admin"))).status == 403
    # the first one fails (no sub): 401
    r = nginx.get("/require/", h.sign(payload=h.claims(sub=None, admin=True, role="staff")))
    assert r.status == 401 and 'error="invalid_token"' in (r.header("WWW-Authenticate") or "")
    assert "auth_jwt_require" in nginx.log()


def test_require_with_map(nginx: Nginx) -> None:
    assert nginx.get("/require401/", h.sign(payload=h.claims(scope="read"))).status == 200
    assert nginx.get("/require401/", h.sign(payload=h.claims(scope="write"))).status == 401


def test_claims_passed_upstream(nginx: Nginx, upstream: h.Upstream) -> None:
    token = h.sign(payload=h.claims(sub="bob", realm_access={"roles": ["admin", "user"]},
                                    info={"e-mail": "bob@example.com"}))
    r = nginx.get("/upstream/x", token)
    assert r.status == 200, r
    got = json.loads(r.body)["headers"]
    assert got["x-user"] == "bob"
    assert got["x-roles"] == "admin,user"
    assert got["x-email"] == "bob@example.com"
    assert got["x-kid"] == "ec256-1"
    assert "authorization" not in got
    assert upstream.received[-1]["x-user"] == "bob"
    # a refused token never reaches the upstream
    count = len(upstream.received)
    assert nginx.get("/upstream/x", h.sign(kid="nobody")).status == 401
    assert len(upstream.received) == count


def test_variables_nested_names_arrays_objects(nginx: Nginx) -> None:
    token = h.sign(payload=h.claims(realm_access={"roles": ["a", "b", 3]}, groups=["g1", "g2"],
                                    info={"e-mail": "x@y", "n": [1, {"k": "v"}]}, n=42, flag=True))
    r = nginx.get("/vars/", token)
    assert r.status == 200, r
    assert r.text == ('roles=a,b,3|email=x@y|groups=g1,g2|info={"e-mail":"x@y","n":[1,{"k":"v"}]}|n=42|'
                      'flag=true|kid=ec256-1|typ=JWT|payload=|missing=')


def test_issuer_and_audience(nginx: Nginx) -> None:
    ok = h.claims(iss="https://issuer.example", aud="api")
    assert nginx.get("/iss/", h.sign(payload=ok)).status == 200
    assert nginx.get("/iss/", h.sign(payload=dict(ok, iss="https://other.example", aud=["x", "api"]))).status == 200
    assert nginx.get("/iss/", h.sign(payload=dict(ok, iss="https://issuer.example/"))).status == 401
    assert nginx.get("/iss/", h.sign(payload=dict(ok, aud="apis"))).status == 401
    assert nginx.get("/iss/", h.sign(payload=h.claims(aud="api"))).status == 401  # no iss
    assert "JWTKIT_ERR_ISSUER_MISMATCH" in nginx.log() and "JWTKIT_ERR_AUDIENCE_MISMATCH" in nginx.log()
    # without auth_jwt_audience, "aud" is not a reason to refuse (as NGINX Plus)
    assert nginx.get("/pk/", h.sign(payload=h.claims(aud="anything"))).status == 200


def test_revoked(nginx: Nginx) -> None:
    assert nginx.get("/revoked/", h.sign(payload=h.claims(jti="fine"))).status == 200
    r = nginx.get("/revoked/", h.sign(payload=h.claims(jti="revoked-jti")))
    assert r.status == 401 and 'error="invalid_token"' in (r.header("WWW-Authenticate") or "")
    assert "revoked" in nginx.log()


def test_error_description(nginx: Nginx) -> None:
    now = int(time.time())
    r = nginx.get("/describe/", h.sign(payload=h.claims(iat=now - 600, exp=now - 60)))
    value = r.header("WWW-Authenticate") or ""
    assert r.status == 401
    assert value.startswith('Bearer realm="desc", error="invalid_token", error_description="')
    assert "expired" in value
    # not by default
    assert "error_description" not in (nginx.get("/pk/", h.sign(kid="nobody")).header("WWW-Authenticate") or "")
    # no token: no error at all
    assert nginx.get("/describe/").header("WWW-Authenticate") == 'Bearer realm="desc"'


def test_realm_is_quoted(nginx: Nginx) -> None:
    assert nginx.get("/quoted/").header("WWW-Authenticate") == 'Bearer realm="a \\"quoted\\" realm"'


def test_inheritance_and_off(nginx: Nginx) -> None:
    assert nginx.get("/inherit/off/").text == "open"
    assert nginx.get("/inherit/on/").status == 401
    r = nginx.get("/inherit/on/", h.sign())
    assert r.status == 200 and r.text == "sub=alice"
    assert nginx.get("/inherit/on/").header("WWW-Authenticate") == 'Bearer realm="server realm"'


def test_reason_logged_at_info(nginx: Nginx) -> None:
    nginx.get("/pk/", h.sign(kid="nobody-else"))
    lines = [line for line in nginx.log().splitlines() if "nobody-else" in line or "KEY_NOT_FOUND" in line]
    assert lines and all("[info]" in line for line in lines), lines


def test_error_page_redirects_to_a_login_page(nginx: Nginx) -> None:
    r = nginx.get("/login-redirect/")
    assert r.status == 302 and (r.header("Location") or "").endswith("/login")
    assert nginx.get("/login-redirect/", h.sign(kid="nobody")).status == 302
    assert nginx.get("/login-redirect/", h.sign()).text == "sub=alice"
