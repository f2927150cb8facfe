"""jwtkit.jws_json: the JWS JSON serialization (RFC 7515 §7.2) from Python. The JOSE
Cookbook's JSON examples (RFC 7520 §4.5-4.8, RFC 7797) verified and re-signed; the rules
"any" and "all" with every signature's outcome; the attacks, each token built by hand
(stdlib ``hmac``) so that jwtkit's signer cannot hide a verifier bug; interoperability
with jwcrypto both ways (general with several signatures, and flattened)."""

import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest

from conftest import ALG_KEYS, partner_missing

import jwtkit
from jwtkit import jws_json

COOKBOOK = Path(__file__).resolve().parents[3] / "tests" / "vectors" / "jose-cookbook"
SECRET = b"test_jws_json.py secret, 32 bytes or more!"


def cookbook(name):
    return json.loads((COOKBOOK / f"{name}.json").read_text(encoding="utf-8"))


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def compact_json(value):
    return json.dumps(value, separators=(",", ":"))


def hs256_entry(header, payload_b64, secret=SECRET, unprotected=None):
    """One signature object, signed by hand."""
    protected = b64(compact_json(header).encode())
    mac = hmac.new(secret, f"{protected}.{payload_b64}".encode(), hashlib.sha256).digest()
    entry = {"protected": protected, "signature": b64(mac)}
    if unprotected is not None:
        entry["header"] = unprotected
    return entry


# ---------------------------------------------------------------------------------------
# JOSE Cookbook


@pytest.mark.parametrize("form", ["json", "json_flat"])
def test_cookbook_4_5_detached(form):
    ex = cookbook("jws/4_5.signature_with_detached_content")
    payload = ex["input"]["payload"]
    got = jws_json.verify(ex["output"][form], [ex["input"]["key"]], ["HS256"], "all", detached_payload=payload)
    assert got.payload == payload.encode()
    assert [(s.verified, s.algorithm, s.key_index) for s in got.signatures] == [(True, "HS256", 0)]
    assert got.signatures[0].header == ex["signing"]["protected"]
    signed = jws_json.sign(payload, [(ex["input"]["key"], "HS256")], general=form == "json", detached=True)
    assert json.loads(signed) == ex["output"][form]


@pytest.mark.parametrize("form", ["json", "json_flat"])
def test_cookbook_4_6_unprotected_kid(form):
    ex = cookbook("jws/4_6.protecting_specific_header_fields")
    key = ex["input"]["key"]
    got = jws_json.verify(compact_json(ex["output"][form]), [key], ["HS256"], "all")
    assert got.signatures[0].kid == key["kid"] and got.signatures[0].header == {"alg": "HS256"}
    signer = jws_json.Signer(key, "HS256", header=ex["signing"]["unprotected"])
    signed = jws_json.sign(ex["input"]["payload"], [signer], general=form == "json")
    assert signed == compact_json(ex["output"][form])  # the cookbook's member order


def test_cookbook_4_7_alg_unprotected_is_refused():
    ex = cookbook("jws/4_7.protecting_content_only")
    for form in ("json", "json_flat"):
        with pytest.raises(jwtkit.InvalidTokenError) as e:
            jws_json.verify(ex["output"][form], [ex["input"]["key"]], ["HS256"])
        assert e.value.status_name == "JWTKIT_ERR_HEADER_INVALID"
        assert "`alg` is in the unprotected header" in e.value.detail


def test_cookbook_4_8_multiple_signatures():
    ex = cookbook("jws/4_8.multiple_signatures")
    keys = ex["input"]["key"]
    got = jws_json.verify(ex["output"]["json"], keys, ["RS256", "ES512", "HS256"], "any")
    assert got.payload == ex["input"]["payload"].encode()
    assert [(s.verified, s.algorithm, s.key_index) for s in got.signatures] == [
        (True, "RS256", 0), (False, None, None), (True, "HS256", 2)]
    assert got.signatures[1].error.status_name == "JWTKIT_ERR_HEADER_INVALID"
    assert not got.all_verified
    with pytest.raises(jwtkit.InvalidTokenError) as e:
        jws_json.verify(ex["output"]["json"], keys, ["RS256", "ES512", "HS256"], "all")
    assert "signatures[1]: " in e.value.detail
    # Signed again by jwtkit (ES512's alg protected): all three verify under "all", and
    # the deterministic RS256 and HS256 signatures are the cookbook's.
    kid = {"kid": "bilbo.baggins@hobbiton.example"}
    signed = json.loads(jws_json.sign(ex["input"]["payload"], [
        jws_json.Signer(keys[0], "RS256", header=kid),
        jws_json.Signer(keys[1], "ES512", header=kid),
        jws_json.Signer(keys[2], "HS256"),
    ]))
    for i in (0, 2):
        assert signed["signatures"][i] == ex["output"]["json"]["signatures"][i]
    got = jws_json.verify(signed, keys, ["RS256", "ES512", "HS256"], "all")
    assert [s.key_index for s in got.signatures] == [0, 1, 2]


def test_keys_from_a_pyjwkset():
    ex = cookbook("jws/4_8.multiple_signatures")
    keys = jwtkit.PyJWKSet.from_dict({"keys": ex["input"]["key"]})
    got = jws_json.verify(ex["output"]["json"], keys, ["RS256", "ES512", "HS256"])
    assert [(s.verified, s.key_index) for s in got.signatures] == [(True, 0), (False, None), (True, 2)]


def test_rfc7797_unencoded_payload():
    ex = cookbook("rfc7797/hmac-sha2_b64_false")
    key = ex["input"]["key"]
    for form in ("json", "json_flat"):
        assert jws_json.verify(ex["output"][form], [key], ["HS256"]).payload == ex["input"]["payload"].encode()
        signed = jws_json.sign(ex["input"]["payload"], [(key, "HS256")], general=form == "json", b64=False)
        assert signed == compact_json(ex["output"][form])
    no_crit = cookbook("rfc7797/4.2.hmac-sha2_b64_false")
    with pytest.raises(jwtkit.InvalidTokenError) as e:
        jws_json.verify(no_crit["output"]["json"], [no_crit["input"]["key"]], ["HS256"])
    assert e.value.status_name == "JWTKIT_ERR_HEADER_INVALID"


# ---------------------------------------------------------------------------------------
# Attacks, each token built by hand

PAYLOAD = b64(b"pay me")


def general(*entries):
    return compact_json({"payload": PAYLOAD, "signatures": list(entries)})


def test_control_token_verifies():
    token = general(hs256_entry({"alg": "HS256"}, PAYLOAD))
    assert jws_json.verify(token, [SECRET], ["HS256"], "all").payload == b"pay me"


def test_alg_in_the_unprotected_header():
    entry = hs256_entry({"kid": "a"}, PAYLOAD)
    entry["header"] = {"alg": "HS256"}
    with pytest.raises(jwtkit.InvalidTokenError) as e:
        jws_json.verify(general(entry), [SECRET], ["HS256"])
    assert e.value.status_name == "JWTKIT_ERR_HEADER_INVALID" and "`alg`" in e.value.detail


def test_member_in_both_headers():
    entry = hs256_entry({"alg": "HS256", "kid": "a"}, PAYLOAD, unprotected={"kid": "b"})
    with pytest.raises(jwtkit.InvalidTokenError) as e:
        jws_json.verify(general(entry), [SECRET], ["HS256"])
    assert e.value.status_name == "JWTKIT_ERR_HEADER_INVALID"
    assert "member `kid` is in both the protected and the unprotected header" in e.value.detail


def test_crit_in_the_unprotected_header():
    entry = hs256_entry({"alg": "HS256"}, PAYLOAD, unprotected={"crit": ["exp"], "exp": 1})
    with pytest.raises(jwtkit.InvalidTokenError) as e:
        jws_json.verify(general(entry), [SECRET], ["HS256"])
    assert e.value.status_name == "JWTKIT_ERR_HEADER_INVALID" and "`crit`" in e.value.detail


def test_forged_signature_beside_a_valid_one():
    valid = hs256_entry({"alg": "HS256"}, PAYLOAD)
    forged = hs256_entry({"alg": "HS256"}, PAYLOAD, secret=b"not the secret at all, 32 bytes..")
    token = general(valid, forged)
    got = jws_json.verify(token, [SECRET], ["HS256"], "any")
    assert [s.verified for s in got.signatures] == [True, False]
    assert isinstance(got.signatures[1].error, jwtkit.InvalidSignatureError)
    assert not got.all_verified
    with pytest.raises(jwtkit.InvalidSignatureError) as e:
        jws_json.verify(token, [SECRET], ["HS256"], "all")
    assert "signatures[1]" in e.value.detail


def test_alg_none_in_one_signature():
    token = general(hs256_entry({"alg": "HS256"}, PAYLOAD), {"protected": b64(b'{"alg":"none"}'), "signature": ""})
    got = jws_json.verify(token, [SECRET], ["HS256"], "any")
    assert got.signatures[1].error.status_name == "JWTKIT_ERR_ALG_UNSUPPORTED"
    with pytest.raises(jwtkit.InvalidAlgorithmError):
        jws_json.verify(token, [SECRET], ["HS256"], "all")
    alone = general({"protected": b64(b'{"alg":"none"}'), "signature": ""})
    with pytest.raises(jwtkit.InvalidAlgorithmError):
        jws_json.verify(alone, [SECRET], ["HS256"], "any")


def test_alg_outside_the_allow_list_beside_a_valid_one():
    hs512 = dict(hs256_entry({"alg": "HS512"}, PAYLOAD))  # the MAC does not matter: refused first
    token = general(hs256_entry({"alg": "HS256"}, PAYLOAD), hs512)
    got = jws_json.verify(token, [SECRET], ["HS256"], "any")
    assert got.signatures[1].error.status_name == "JWTKIT_ERR_ALG_NOT_ALLOWED"
    with pytest.raises(jwtkit.InvalidAlgorithmError):
        jws_json.verify(token, [SECRET], ["HS256"], "all")


def test_key_of_the_wrong_type():
    _, public = ALG_KEYS["ES256"]
    token = general(hs256_entry({"alg": "HS256"}, PAYLOAD))
    with pytest.raises(jwtkit.PyJWTError) as e:
        jws_json.verify(token, [public], ["HS256", "ES256"], "any")
    assert e.value.status_name == "JWTKIT_ERR_KEY_ALG_MISMATCH"


def test_too_many_signatures_and_deep_json():
    many = general(*[hs256_entry({"alg": "HS256"}, PAYLOAD)] * 17)
    with pytest.raises(jwtkit.InvalidTokenError) as e:
        jws_json.verify(many, [SECRET], ["HS256"])
    assert e.value.status_name == "JWTKIT_ERR_JSON_LIMIT"
    deep = '{"payload":"","x":' + "[" * 100 + "]" * 100 + ',"signature":"","protected":""}'
    with pytest.raises(jwtkit.InvalidTokenError) as e:
        jws_json.verify(deep, [SECRET], ["HS256"])
    assert e.value.status_name == "JWTKIT_ERR_JSON_LIMIT"
    with pytest.raises(jwtkit.InvalidTokenError) as e:
        jws_json.verify('{"payload":"' + "A" * 200_000 + '"}', [SECRET], ["HS256"])
    assert e.value.status_name == "JWTKIT_ERR_TOKEN_TOO_LARGE"


def test_signer_refuses_what_the_verifier_refuses():
    for header in ({"alg": "HS256"}, {"crit": ["b64"]}, {"b64": False}):
        with pytest.raises(jwtkit.InvalidTokenError):
            jws_json.sign(b"x", [jws_json.Signer(SECRET, "HS256", header=header)])
    with pytest.raises(jwtkit.InvalidTokenError):
        jws_json.sign(b"x", [jws_json.Signer(SECRET, "HS256", protected={"kid": "a"}, header={"kid": "a"})])
    with pytest.raises(ValueError):
        jws_json.verify(general(), [SECRET], ["HS256"], rule="most")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# Several algorithms, and JWT claims


def test_every_algorithm_in_one_general_token():
    algs = list(ALG_KEYS)
    signers = [jws_json.Signer(ALG_KEYS[a][0], a, header={"kid": a}) for a in algs]
    token = jws_json.sign(b"all of them", signers)
    publics = [ALG_KEYS[a][1] for a in algs]
    got = jws_json.verify(token, publics, algs, "all")
    # Algorithms sharing a key (HS*, RS*/PS*) name its first place in the list. The
    # unprotected `kid`s are not reported for verified signatures (anyone can change
    # them); the keys have none of their own.
    assert [(s.algorithm, s.kid, s.key_index) for s in got.signatures] == [
        (a, None, publics.index(ALG_KEYS[a][1])) for a in algs]


def test_jwt_claims_are_checked():
    token = jws_json.sign(json.dumps({"sub": "a", "exp": 1}), [(SECRET, "HS256")])
    assert jws_json.verify(token, [SECRET], ["HS256"]).payload
    with pytest.raises(jwtkit.ExpiredSignatureError):
        jws_json.verify_jwt(token, [SECRET], ["HS256"])
    token = jws_json.sign(json.dumps({"sub": "a", "aud": "api"}), [(SECRET, "HS256")])
    assert jws_json.verify_jwt(token, [SECRET], ["HS256"], audience="api").claims == {"sub": "a", "aud": "api"}
    with pytest.raises(jwtkit.InvalidAudienceError):
        jws_json.verify_jwt(token, [SECRET], ["HS256"], audience="other")


# ---------------------------------------------------------------------------------------
# jwcrypto, both ways


@pytest.fixture(scope="module")
def jwcrypto():
    try:
        from jwcrypto import jwk, jws
    except ImportError as e:
        partner_missing(f"jwcrypto not importable ({e}); bindings/python/run-tests.sh installs it")
    return jwk, jws


def _their_key(jwk, alg, pem):
    if alg.startswith("HS"):
        return jwk.JWK(kty="oct", k=b64(pem.encode()))
    return jwk.JWK.from_pem(pem.encode())


INTEROP_ALGS = ["HS256", "RS256", "PS384", "ES256", "ES512", "EdDSA"]


def test_jwcrypto_verifies_jwtkit_general_and_flattened(jwcrypto):
    jwk, jws = jwcrypto
    signers = [jws_json.Signer(ALG_KEYS[a][0], a, header={"kid": a}) for a in INTEROP_ALGS]
    token = jws_json.sign(b"to jwcrypto", signers)
    for a in INTEROP_ALGS:
        theirs = jws.JWS()
        theirs.deserialize(token)
        theirs.verify(_their_key(jwk, a, ALG_KEYS[a][1]), alg=a)
        assert theirs.payload == b"to jwcrypto"
    flat = jws_json.sign(b"flat", [signers[3]])
    assert "signatures" not in json.loads(flat)
    theirs = jws.JWS()
    theirs.deserialize(flat)
    theirs.verify(_their_key(jwk, "ES256", ALG_KEYS["ES256"][1]), alg="ES256")
    theirs = jws.JWS()
    theirs.deserialize(flat.replace('"payload":"Zmxhd', '"payload":"Zmxhe'))
    with pytest.raises(jws.InvalidJWSSignature):
        theirs.verify(_their_key(jwk, "ES256", ALG_KEYS["ES256"][1]), alg="ES256")


def test_jwtkit_verifies_jwcrypto_general_and_flattened(jwcrypto):
    jwk, jws = jwcrypto
    theirs = jws.JWS(b"from jwcrypto")
    for a in INTEROP_ALGS:
        theirs.add_signature(_their_key(jwk, a, ALG_KEYS[a][0]), None, compact_json({"alg": a}),
                             compact_json({"kid": a}))
    token = theirs.serialize()
    got = jws_json.verify(token, [ALG_KEYS[a][1] for a in INTEROP_ALGS], INTEROP_ALGS, "all")
    assert got.payload == b"from jwcrypto"
    # The `kid`s were unprotected: not reported for verified signatures (`key_index` is).
    keys = [ALG_KEYS[a][1] for a in INTEROP_ALGS]
    assert [(s.algorithm, s.kid, s.key_index) for s in got.signatures] == [
        (a, None, keys.index(ALG_KEYS[a][1])) for a in INTEROP_ALGS]
    one = jws.JWS(b"flat from jwcrypto")
    one.add_signature(_their_key(jwk, "RS256", ALG_KEYS["RS256"][0]), None, compact_json({"alg": "RS256"}))
    flat = json.loads(one.serialize())
    assert "signature" in flat and "signatures" not in flat
    got = jws_json.verify(flat, [ALG_KEYS["RS256"][1]], ["RS256"], "all")
    assert got.payload == b"flat from jwcrypto"
    # jwcrypto's detached JSON, verified with the payload given apart.
    one.detach_payload()
    detached = one.serialize()
    assert json.loads(detached).get("payload", "") == ""  # jwcrypto keeps an empty member
    got = jws_json.verify(detached, [ALG_KEYS["RS256"][1]], ["RS256"], detached_payload=b"flat from jwcrypto")
    assert got.payload == b"flat from jwcrypto"
