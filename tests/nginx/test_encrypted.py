"""Encrypted (JWE whose plaintext is the claims) and nested (JWE holding a JWS) tokens:
auth_jwt_type encrypted and nested, decryption keys from auth_jwt_key_file, and
$jwt_payload."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator

import pytest

import harness as h
from harness import Nginx, jwtkit

SECRET_256 = bytes(range(100, 132))
SECRET_128 = bytes(range(16))
SECRET_192 = bytes(range(50, 74))
SECRET_512 = bytes(range(200, 264 - 8)) + bytes(8)

ENC_JWKS = {"keys": [
    {"kty": "oct", "k": h.b64u(SECRET_256), "use": "enc", "kid": "enc-256"},
    {"kty": "oct", "k": h.b64u(SECRET_128), "alg": "A128KW", "kid": "enc-128"},
    {"kty": "oct", "k": h.b64u(SECRET_512), "use": "enc", "kid": "enc-512"},
    {"kty": "oct", "k": h.b64u(SECRET_192), "kid": "enc-192"},
]}

EC_ENC_PEM = h.generated_pem("ES256")


def nested_jwks() -> Dict[str, Any]:
    keys = h.public_jwks()["keys"]
    keys.append(h.private_jwk(h.SIGNING["RS256"][0], "rsa-enc", use="enc"))
    keys.append(h.private_jwk(EC_ENC_PEM, "ec-enc", use="enc"))
    return {"keys": keys}


SERVER = """
        location /enc/ {
            auth_jwt "enc";
            auth_jwt_type encrypted;
            auth_jwt_key_file {keys}/enc.jwks;
            SAY(sub=$jwt_claim_sub|enc=$jwt_header_enc|kid=$jwt_header_kid|payload=$jwt_payload)
        }
        location /nested/ {
            auth_jwt "nested";
            auth_jwt_type nested;
            auth_jwt_key_file {keys}/nested.jwks;
            SAY(sub=$jwt_claim_sub|alg=$jwt_header_alg|payload=$jwt_payload)
        }
        location /signed/ {
            auth_jwt "signed";
            auth_jwt_key_file {keys}/nested.jwks;
            SAY(sub=$jwt_claim_sub|payload=$jwt_payload)
        }
        location = /_jwks_nested { internal; proxy_pass http://127.0.0.1:{up}/jwks/nested; }
        location /nested-remote/ {
            auth_jwt "nested";
            auth_jwt_type nested;
            auth_jwt_key_file {keys}/nested.jwks;
            auth_jwt_key_request /_jwks_nested;
            SAY(sub=$jwt_claim_sub)
        }
"""

REMOTE_PEM = h.generated_pem("ES256")


@pytest.fixture(scope="module")
def nginx(make_nginx: Callable[..., Nginx], module_dir: Path, upstream: h.Upstream) -> Iterator[Nginx]:
    upstream.jwks["nested"] = h.JwksEndpoint({"keys": [h.public_jwk(REMOTE_PEM, "remote-ec")]})
    h.write_json(module_dir / "enc.jwks", ENC_JWKS)
    h.write_json(module_dir / "nested.jwks", nested_jwks())
    yield make_nginx("", SERVER)


def encrypt(payload: Dict[str, Any], key: bytes, alg: str, enc: str, kid: Any = None) -> str:
    return jwtkit.jwe.encrypt(json.dumps(payload), key, alg, enc, {"kid": kid} if kid else None)


@pytest.mark.parametrize("key,alg,enc,kid", [
    (SECRET_256, "dir", "A256GCM", "enc-256"),
    (SECRET_256, "A256KW", "A128CBC-HS256", "enc-256"),
    (SECRET_256, "A256KW", "A256GCM", None),
    (SECRET_128, "A128KW", "A128GCM", "enc-128"),
    (SECRET_128, "A128KW", "A256CBC-HS512", None),
    (SECRET_512, "dir", "A256CBC-HS512", "enc-512"),
    (SECRET_256, "dir", "A256GCM", None),
    (SECRET_256, "A256GCMKW", "A192CBC-HS384", "enc-256"),
    (SECRET_192, "A192KW", "A192GCM", "enc-192"),
    (SECRET_192, "A192GCMKW", "A128GCM", None),
])
def test_encrypted(nginx: Nginx, key: bytes, alg: str, enc: str, kid: Any) -> None:
    payload = h.claims(sub="carol")
    r = nginx.get("/enc/", encrypt(payload, key, alg, enc, kid))
    assert r.status == 200, (r, nginx.log()[-2000:])
    sub, got_enc, got_kid, got_payload = r.text.split("|")
    assert sub == "sub=carol" and got_enc == f"enc={enc}" and got_kid == f"kid={kid or ''}"
    assert json.loads(got_payload[len("payload="):]) == payload


def test_encrypted_refusals(nginx: Nginx) -> None:
    now = int(time.time())
    expired = encrypt(h.claims(iat=now - 600, exp=now - 60), SECRET_256, "dir", "A256GCM", "enc-256")
    r = nginx.get("/enc/", expired)
    assert r.status == 401 and r.header("WWW-Authenticate") == 'Bearer realm="enc", error="invalid_token"'
    assert "JWTKIT_ERR_EXPIRED" in nginx.log()

    wrong = encrypt(h.claims(), bytes(32), "dir", "A256GCM", "enc-256")
    assert nginx.get("/enc/", wrong).status == 401
    assert "JWTKIT_ERR_JWE_DECRYPTION_FAILED" in nginx.log()

    tampered = encrypt(h.claims(), SECRET_256, "dir", "A256GCM", "enc-256").split(".")
    tampered[3] = tampered[3][:-2] + ("AA" if tampered[3][-2:] != "AA" else "BB")
    assert nginx.get("/enc/", ".".join(tampered)).status == 401

    # public-key encryption: anyone could make such a token; refused by design
    rsa_public = h._core.Key.from_pem(h.SIGNING["RS256"][0].encode()).to_public_pem()
    oaep = jwtkit.jwe.encrypt(json.dumps(h.claims()), rsa_public, "RSA-OAEP-256", "A256GCM")
    assert nginx.get("/enc/", oaep).status == 401

    # a password (PBES2) never authenticates an unsigned token, and no key here names it
    pbes2 = encrypt(h.claims(), SECRET_256, "PBES2-HS256+A128KW", "A128GCM", "enc-256")
    assert nginx.get("/enc/", pbes2).status == 401

    # a signed token is not an encrypted one
    assert nginx.get("/enc/", h.sign()).status == 401
    # nor is a nested one
    nested = jwtkit.jwe.encode_nested(h.claims(), h.SIGNING["ES256"][0], "ES256", SECRET_256, "dir", "A256GCM")
    assert nginx.get("/enc/", nested).status == 401


def test_encrypted_key_choice(nginx: Nginx) -> None:
    # the library chooses by kid: a kid no key has (and no key without a kid) is
    # refused before any key is tried; a kid naming another key of the same size
    # tries only that key
    unknown = encrypt(h.claims(), SECRET_256, "A256KW", "A256GCM", "nobody")
    assert nginx.get("/enc/", unknown).status == 401
    assert "JWTKIT_ERR_KEY_NOT_FOUND" in nginx.log()
    other = encrypt(h.claims(), SECRET_256, "A256KW", "A256GCM", "enc-192")
    assert nginx.get("/enc/", other).status == 401
    assert "JWTKIT_ERR_KEY_ALG_MISMATCH" in nginx.log()


def nested_token(payload: Dict[str, Any], alg: str = "ES256", enc_alg: str = "RSA-OAEP-256",
                 enc: str = "A256GCM", sign_key: Any = None) -> str:
    if enc_alg.startswith("RSA"):
        recipient = h._core.Key.from_pem(h.SIGNING["RS256"][0].encode()).to_public_pem()
    else:
        recipient = h._core.Key.from_pem(EC_ENC_PEM.encode()).to_public_pem()
    key, kid = h.SIGNING[alg]
    return jwtkit.jwe.encode_nested(payload, sign_key or key, alg, recipient, enc_alg, enc, headers={"kid": kid})


@pytest.mark.parametrize("alg,enc_alg,enc", [
    ("ES256", "RSA-OAEP-256", "A256GCM"),
    ("RS256", "RSA-OAEP-256", "A128CBC-HS256"),
    ("EdDSA", "ECDH-ES", "A256GCM"),
    ("PS256", "ECDH-ES+A256KW", "A256CBC-HS512"),
    ("ES384", "ECDH-ES+A128KW", "A128GCM"),
    ("ES256", "RSA-OAEP-512", "A192GCM"),
    ("RS256", "RSA-OAEP-384", "A192CBC-HS384"),
    ("ES256", "ECDH-ES+A192KW", "A256GCM"),
])
def test_nested(nginx: Nginx, alg: str, enc_alg: str, enc: str) -> None:
    token = nested_token(h.claims(sub="dave"), alg, enc_alg, enc)
    r = nginx.get("/nested/", token)
    assert r.status == 200, (r, nginx.log()[-2000:])
    sub, got_alg, payload = r.text.split("|")
    assert sub == "sub=dave" and got_alg == f"alg={alg}"
    inner = payload[len("payload="):]
    assert inner.count(".") == 2, "$jwt_payload of a nested token is the JWS it holds"
    assert jwtkit.decode(inner, options={"verify_signature": False})["sub"] == "dave"


def test_nested_refusals(nginx: Nginx) -> None:
    now = int(time.time())
    assert nginx.get("/nested/", nested_token(h.claims(iat=now - 900, exp=now - 600))).status == 401
    assert "JWTKIT_ERR_EXPIRED" in nginx.log()
    forged = nested_token(h.claims(), sign_key=h.generated_pem("ES256"))
    assert nginx.get("/nested/", forged).status == 401
    assert "JWTKIT_ERR_SIGNATURE_INVALID" in nginx.log()
    # a signed token is not a nested one, an encrypted one neither
    assert nginx.get("/nested/", h.sign()).status == 401
    rsa_public = h._core.Key.from_pem(h.SIGNING["RS256"][0].encode()).to_public_pem()
    assert nginx.get("/nested/", jwtkit.jwe.encrypt(json.dumps(h.claims()), rsa_public, "RSA-OAEP-256",
                                                    "A256GCM")).status == 401


def test_nested_decrypts_once_whatever_the_key_stores(nginx: Nginx, upstream: h.Upstream) -> None:
    # A JWE that no decryption key opens fails the same way with every key store:
    # the next store (here a key request, never fetched yet) is not tried.
    stranger = h._core.Key.from_pem(h.generated_pem("ES256").encode()).to_public_pem()
    key, kid = h.SIGNING["ES256"]
    undecryptable = jwtkit.jwe.encode_nested(h.claims(), key, "ES256", stranger, "ECDH-ES+A256KW", "A256GCM",
                                             headers={"kid": kid})
    assert nginx.get("/nested-remote/", undecryptable).status == 401
    assert "JWTKIT_ERR_JWE_DECRYPTION_FAILED" in nginx.log()
    assert upstream.jwks["nested"].count() == 0
    # A JWS whose key only the key request has: the file's keys miss, the request's verify.
    token = jwtkit.jwe.encode_nested(h.claims(sub="erin"), REMOTE_PEM, "ES256",
                                     h._core.Key.from_pem(h.SIGNING["RS256"][0].encode()).to_public_pem(),
                                     "RSA-OAEP-256", "A256GCM", headers={"kid": "remote-ec"})
    assert nginx.get("/nested-remote/", token).text == "sub=erin"
    assert upstream.jwks["nested"].count() == 1


def test_signed_location_with_the_same_file(nginx: Nginx) -> None:
    # the decryption keys of the file are not verification keys; $jwt_payload is empty
    r = nginx.get("/signed/", h.sign("ES256"))
    assert r.status == 200 and r.text == "sub=alice|payload="
    assert nginx.get("/signed/", nested_token(h.claims())).status == 401
