"""The C command-line tool verifies the service's tokens with nothing but the
published key set: `jwtkit verify --jwks jwks.json` (the microservice case)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import List

from conftest import ISSUER, Running, login, request

POLICY = ["--alg", "ES256", "--iss", ISSUER, "--aud", ISSUER + "/api", "--typ", "at+jwt",
          "--require", "exp", "--require", "jti", "--require", "sub"]


def verify(cli: str, jwks: Path, token: str, extra: List[str] = POLICY) -> subprocess.CompletedProcess:
    return subprocess.run([cli, "verify", "--jwks", str(jwks), *extra, token],
                          capture_output=True, text=True, timeout=30)


def test_cli_verifies_access_token_with_jwks(svc: Running, cli: str, tmp_path: Path) -> None:
    jwks = tmp_path / "jwks.json"
    jwks.write_bytes(request("GET", f"{svc.url}/.well-known/jwks.json").body)
    r = login(svc.url)
    access, refresh = r.json()["access_token"], r.refresh_token()

    done = verify(cli, jwks, access)
    assert done.returncode == 0, done.stderr
    claims = json.loads(done.stdout)
    assert claims["sub"] == "alice" and claims["iss"] == ISSUER

    # the refresh token is not an access token for the tool either
    done = verify(cli, jwks, refresh)
    assert done.returncode == 1 and "JWTKIT_ERR_AUDIENCE_MISMATCH" in done.stderr
    done = verify(cli, jwks, refresh, ["--alg", "ES256", "--iss", ISSUER, "--aud", ISSUER + "/refresh",
                                       "--typ", "at+jwt"])
    assert done.returncode == 1 and "JWTKIT_ERR_TYP_MISMATCH" in done.stderr
    # a tampered token
    h, p, s = access.split(".")
    done = verify(cli, jwks, f"{h}.{p}.{s[:-4]}AAAA")
    assert done.returncode == 1 and "JWTKIT_ERR_" in done.stderr
    # an expired one (the tool's own clock override)
    done = verify(cli, jwks, access, POLICY + ["--now", str(claims["exp"])])
    assert done.returncode == 1 and "JWTKIT_ERR_EXPIRED" in done.stderr

    # Stateless verification cannot see the deny-list: after logout the service refuses
    # the token, a verifier holding only the key set still accepts it until it expires.
    # That is why access tokens live 15 minutes.
    assert request("POST", f"{svc.url}/logout", token=access).status == 204
    assert request("GET", f"{svc.url}/me", token=access).status == 401
    assert verify(cli, jwks, access).returncode == 0


def test_cli_refuses_a_download_link_with_jwks(svc: Running, cli: str, tmp_path: Path) -> None:
    """A link is signed with the service's own secret, not a published key: a verifier
    that trusts the key set refuses it, whatever algorithms it allows."""
    jwks = tmp_path / "jwks.json"
    jwks.write_bytes(request("GET", f"{svc.url}/.well-known/jwks.json").body)
    access = login(svc.url).json()["access_token"]
    link = request("GET", f"{svc.url}/download-link?file=report.txt", token=access).json()["url"]
    token = link.split("token=", 1)[1]
    for alg in ("ES256", "HS256"):
        done = verify(cli, jwks, token, ["--alg", alg, "--iss", ISSUER, "--aud", ISSUER + "/files/report.txt"])
        assert done.returncode == 1 and "JWTKIT_ERR_" in done.stderr, (alg, done.stdout, done.stderr)
