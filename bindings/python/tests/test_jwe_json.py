"""jwtkit.jwe JSON serialization: the JOSE Cookbook's JSON examples (RFC 7520
§5.10-5.13), round trips with several recipients, ``aad`` and unprotected headers, the
attacks on the JSON form (a member in two headers, ``zip``/``crit`` unprotected,
recipients outside the allow-list, modified ``aad``/protected header, huge input), and
interoperability with jwcrypto in both directions (several recipients, ``aad``)."""

import base64
import json

import pytest

import jwtkit
from jwtkit import jwe

from conftest import PACKAGE_ROOT, partner_missing, text

VECTORS = PACKAGE_ROOT.parent.parent / "tests" / "vectors" / "jose-cookbook" / "jwe"
ALL_ALGS = list(jwe.ALGORITHMS)
ALL_ENCS = list(jwe.ENCRYPTIONS)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def oct_jwk(n: int, seed: int = 3, kid=None) -> dict:
    k = {"kty": "oct", "k": b64(bytes((i * 7 + seed) % 256 for i in range(n)))}
    if kid is not None:
        k["kid"] = kid
    return k


def cookbook(name: str) -> dict:
    matches = list(VECTORS.glob(name + ".*.json"))
    assert len(matches) == 1, name
    return json.loads(matches[0].read_text())


# ---- JOSE Cookbook ----

@pytest.mark.parametrize("name", ["5_10", "5_11", "5_12"])
@pytest.mark.parametrize("form", ["json", "json_flat"])
def test_cookbook_single_recipient(name, form):
    v = cookbook(name)
    d = jwe.decrypt_json(v["output"][form], v["input"]["key"], ALL_ALGS, ALL_ENCS)
    assert d.plaintext == v["input"]["plaintext"].encode()
    assert (d.recipient_index, d.key_index, d.algorithm) == (0, 0, "A128KW")
    assert d.kid == "81b20965-8332-43d9-a468-82160ad91ac8"
    assert d.protected_header == v["encrypting_content"].get("protected", {})
    assert d.aad == (v["input"]["aad"].encode() if "aad" in v["input"] else None)
    assert d.header["enc"] == "A128GCM"


def test_cookbook_several_recipients():
    v = cookbook("5_13")
    token = json.dumps(v["output"]["json"])
    rsa, ec, octet = v["input"]["key"]
    plaintext = v["input"]["plaintext"].encode()
    d = jwe.decrypt_json(token, [rsa, ec, octet], ALL_ALGS, ALL_ENCS)
    assert d.plaintext == plaintext
    assert (d.recipient_index, d.key_index, d.algorithm) == (1, 1, "ECDH-ES+A256KW")
    # The same keys as a JWK Set, as a dict and as a PyJWKSet.
    for key_set in ({"keys": [rsa, ec, octet]}, jwtkit.PyJWKSet([rsa, ec])):
        d = jwe.decrypt_json(token, key_set, ALL_ALGS, ALL_ENCS)
        assert (d.plaintext, d.recipient_index, d.key_index) == (plaintext, 1, 1)
    assert d.kid == "peregrin.took@tuckborough.example"
    assert d.header["cty"] == "text/plain"
    # The RSA key's kid names only the RSA1_5 recipient, which is never tried.
    with pytest.raises(jwtkit.InvalidTokenError) as e:
        jwe.decrypt_json(token, rsa, ALL_ALGS, ALL_ENCS)
    assert e.value.status_name == "JWTKIT_ERR_KEY_NOT_FOUND"
    if "A256GCMKW" in ALL_ALGS:
        d = jwe.decrypt_json(token, octet, ALL_ALGS, ALL_ENCS)
        assert (d.plaintext, d.recipient_index, d.algorithm) == (plaintext, 2, "A256GCMKW")
    else:  # that recipient is skipped as unknown; the oct key's kid names no other one
        with pytest.raises(jwtkit.InvalidTokenError) as e:
            jwe.decrypt_json(token, octet, ALL_ALGS, ALL_ENCS)
        assert e.value.status_name == "JWTKIT_ERR_KEY_NOT_FOUND"
    # None of the recipients' algorithms allowed: refused before any key is used.
    with pytest.raises(jwtkit.InvalidAlgorithmError):
        jwe.decrypt_json(token, [rsa, ec, octet], ["RSA-OAEP-256", "A128KW"], ALL_ENCS)


# ---- round trips ----

def pairs():
    return [
        (oct_jwk(16, 1), oct_jwk(16, 1), "A128KW"),
        (oct_jwk(32, 2), oct_jwk(32, 2), "A256KW"),
        (text("ecp256.pkcs8.pem"), text("ecp256.spki.pem"), "ECDH-ES+A128KW"),
        (text("ecp384.pkcs8.pem"), text("ecp384.spki.pem"), "ECDH-ES+A256KW"),
        (text("rsa2048.pkcs8.pem"), text("rsa2048.spki.pem"), "RSA-OAEP-256"),
    ]


@pytest.mark.parametrize("enc", ALL_ENCS)
def test_several_recipients_round_trip(enc):
    ps = pairs()
    recipients = [(public, alg) for _, public, alg in ps]
    recipients[0] = (ps[0][1], "A128KW", {"kid": "first"})
    token = jwe.encrypt_json("to all", recipients, enc, aad=b"\x00ctx", protected={"typ": "t"},
                             unprotected={"cty": "text/plain"}, compress=True)
    parsed = json.loads(token)
    assert len(parsed["recipients"]) == len(ps) and parsed["unprotected"] == {"cty": "text/plain"}
    for i, (private, _, alg) in enumerate(ps):
        d = jwe.decrypt_json(parsed, private, ALL_ALGS, ALL_ENCS, allow_zip=True)
        assert (d.plaintext, d.recipient_index, d.algorithm, d.aad) == (b"to all", i, alg, b"\x00ctx")
        assert d.protected_header["typ"] == "t" and d.protected_header["zip"] == "DEF"
        assert d.kid == ("first" if i == 0 else None)


def test_one_recipient_flattened_or_general():
    key = oct_jwk(16, kid="k1")
    flat = json.loads(jwe.encrypt_json(b"x", [(key, "A128KW")], "A128GCM"))
    assert "recipients" not in flat and "aad" not in flat
    assert json.loads(unb64(flat["protected"])) == {"alg": "A128KW", "enc": "A128GCM", "kid": "k1"}
    general = json.loads(jwe.encrypt_json(b"x", [(key, "A128KW")], "A128GCM", general=True))
    assert len(general["recipients"]) == 1
    for token in (flat, general):
        d = jwe.decrypt_json(token, key, ["A128KW"], ["A128GCM"])
        assert (d.plaintext, d.kid, d.aad) == (b"x", "k1", None)
    # dir makes its own content key: alone only.
    with pytest.raises(jwtkit.PyJWTError):
        jwe.encrypt_json(b"x", [(key, "A128KW"), (oct_jwk(16), "dir")], "A128GCM")


# ---- attacks ----

def two_recipients():
    a, b = oct_jwk(16, 5), oct_jwk(16, 6)
    token = jwe.encrypt_json(b"secret", [(a, "A128KW", {"kid": "a"}), (b, "A128KW", {"kid": "b"})], "A256GCM",
                             aad=b"context", unprotected={"x": 1})
    return json.loads(token), a, b


def with_protected(v, protected):
    v = json.loads(json.dumps(v))
    v["protected"] = b64(json.dumps(protected).encode())
    return v


def status_of(token, keys, algs=None):
    with pytest.raises(jwtkit.PyJWTError) as e:
        jwe.decrypt_json(token, keys, algs or ALL_ALGS, ALL_ENCS)
    return e.value.status_name, str(e.value)


def test_member_in_two_headers_is_refused_naming_it():
    v, a, _ = two_recipients()
    t1 = json.loads(json.dumps(v))
    t1["unprotected"]["enc"] = "A256GCM"
    t2 = json.loads(json.dumps(v))
    t2["recipients"][1]["header"]["x"] = 2
    protected = json.loads(unb64(v["protected"]))
    t3 = with_protected(v, dict(protected, kid="a"))
    for token, member in ((t1, "enc"), (t2, "x"), (t3, "kid")):
        status, message = status_of(token, a)
        assert status == "JWTKIT_ERR_HEADER_INVALID" and f"`{member}`" in message


@pytest.mark.parametrize("member,value", [("zip", "DEF"), ("crit", ["x"])])
@pytest.mark.parametrize("place", ["unprotected", "recipient"])
def test_zip_and_crit_only_protected(member, value, place):
    v, a, _ = two_recipients()
    if place == "unprotected":
        v["unprotected"][member] = value
    else:
        v["recipients"][0]["header"][member] = value
    status, message = status_of(v, a)
    assert status == "JWTKIT_ERR_HEADER_INVALID" and member in message


def test_recipients_outside_the_allow_list_are_never_tried():
    rsa_private, rsa_public = text("rsa2048.pkcs8.pem"), text("rsa2048.spki.pem")
    kw = oct_jwk(16, 7)
    v = json.loads(jwe.encrypt_json(b"m", [(rsa_public, "RSA-OAEP"), (kw, "A128KW")], "A128GCM"))
    # The first recipient becomes RSA1_5 with a garbage key: an oracle, if it were tried.
    v["recipients"][0]["header"]["alg"] = "RSA1_5"
    v["recipients"][0]["encrypted_key"] = b64(bytes(256))
    d = jwe.decrypt_json(v, [rsa_private, kw], ["A128KW", "RSA-OAEP-256"], ["A128GCM"])
    assert (d.recipient_index, d.key_index, d.algorithm) == (1, 1, "A128KW")
    # Only disallowed ones: refused.
    v["recipients"][1] = {"header": {"alg": "RSA-OAEP"}, "encrypted_key": "AAAA"}
    with pytest.raises(jwtkit.InvalidAlgorithmError):
        jwe.decrypt_json(v, [rsa_private, kw], ["A128KW", "RSA-OAEP-256"], ["A128GCM"])


def test_tampering_is_the_one_decryption_error():
    v, a, b = two_recipients()
    assert jwe.decrypt_json(v, a, ALL_ALGS, ALL_ENCS).plaintext == b"secret"
    tampered = []
    t = json.loads(json.dumps(v))
    t["aad"] = b64(b"contexT")
    tampered.append(t)
    t = json.loads(json.dumps(v))
    del t["aad"]
    tampered.append(t)
    tampered.append(with_protected(v, dict(json.loads(unb64(v["protected"])), typ="x")))
    messages = set()
    for t in tampered:
        for key in (a, b):
            with pytest.raises(jwe_error()) as e:
                jwe.decrypt_json(t, key, ALL_ALGS, ALL_ENCS)
            messages.add(str(e.value))
    assert len(messages) == 1


def jwe_error():
    return jwtkit.exceptions.JWEDecryptionError


def test_huge_and_deep_input_hits_the_limits():
    v, a, _ = two_recipients()
    v["recipients"] = [{"encrypted_key": "AAAA"}] * 1000
    assert status_of(v, a)[0] == "JWTKIT_ERR_JSON_LIMIT"
    v, a, _ = two_recipients()
    v["unprotected"]["deep"] = json.loads("[" * 100 + "]" * 100)
    assert status_of(v, a)[0] == "JWTKIT_ERR_JSON_LIMIT"
    assert status_of('{"ciphertext":"' + "A" * 200000 + '"}', a)[0] == "JWTKIT_ERR_TOKEN_TOO_LARGE"
    assert status_of("a.b.c.d.e", a)[0] == "JWTKIT_ERR_TOKEN_MALFORMED"


# ---- interoperability with jwcrypto ----

try:
    import jwcrypto.jwe as jwe_mod
    import jwcrypto.jwk as jwk_mod
except ImportError as e:  # only the tests below need it
    jwe_mod = jwk_mod = None
    JWCRYPTO_MISSING = f"jwcrypto not importable ({e}); bindings/python/run-tests.sh installs it"


@pytest.fixture
def jwcrypto():
    if jwk_mod is None:
        partner_missing(JWCRYPTO_MISSING)


def jwcrypto_key(key):
    if isinstance(key, dict):
        return jwk_mod.JWK(**key)
    return jwk_mod.JWK.from_pem(key.encode())


@pytest.mark.parametrize("enc", ["A256GCM", "A128CBC-HS256"])
def test_interop_several_recipients_with_jwcrypto(jwcrypto, enc):
    ps = pairs()
    algs = [alg for _, _, alg in ps]
    # jwtkit encrypts for everyone, jwcrypto decrypts as each recipient.
    token = jwe.encrypt_json(b"from jwtkit", [(public, alg) for _, public, alg in ps], enc, aad=b"extra",
                             unprotected={"cty": "text/plain"})
    for private, _, alg in ps:
        theirs = jwe_mod.JWE(algs=algs + [enc])
        theirs.deserialize(token, key=jwcrypto_key(private))
        assert theirs.payload == b"from jwtkit"
    # jwcrypto encrypts for everyone (general, with aad), jwtkit decrypts as each.
    made = jwe_mod.JWE(b"from jwcrypto", json.dumps({"enc": enc}), aad=b"extra", algs=algs + [enc])
    for _, public, alg in ps:
        made.add_recipient(jwcrypto_key(public), header=json.dumps({"alg": alg}))
    general = made.serialize()
    for i, (private, _, alg) in enumerate(ps):
        d = jwe.decrypt_json(general, private, ALL_ALGS, ALL_ENCS)
        assert (d.plaintext, d.recipient_index, d.algorithm, d.aad) == (b"from jwcrypto", i, alg, b"extra")


def test_interop_flattened_with_jwcrypto(jwcrypto):
    key = oct_jwk(32, 9)
    made = jwe_mod.JWE(b"flat", json.dumps({"alg": "A256KW", "enc": "A128GCM"}), aad=b"a",
                       unprotected=json.dumps({"cty": "x"}))
    made.add_recipient(jwk_mod.JWK(**key))
    flat = made.serialize()
    assert "recipients" not in json.loads(flat)
    d = jwe.decrypt_json(flat, key, ["A256KW"], ["A128GCM"])
    assert (d.plaintext, d.aad, d.header["cty"]) == (b"flat", b"a", "x")
    token = jwe.encrypt_json(b"back", [(key, "A256KW")], "A128GCM", aad=b"a", unprotected={"cty": "x"})
    theirs = jwe_mod.JWE(algs=["A256KW", "A128GCM"])
    theirs.deserialize(token, key=jwk_mod.JWK(**key))
    assert theirs.payload == b"back"


@pytest.mark.parametrize("protected", [None, ""])
def test_dir_without_protected_header_cannot_open_a_gcm_key_wrap(protected):
    # A GCM key wrap seals the content key with empty additional data; so does a `dir`
    # JWE with no protected header. Rebuilt as such, a GCMKW recipient's encrypted key
    # must not decrypt to the content key under the same secret.
    secret = bytes(range(16))
    victim = json.loads(
        jwe.encrypt_json(b"top secret", [(secret, "A128GCMKW"), (secret, "A128KW")], "A256CBC-HS512", general=True)
    )
    wrapped = victim["recipients"][0]
    forged = {
        "unprotected": {"enc": "A128GCM"},
        "header": {"alg": "dir"},
        "iv": wrapped["header"]["iv"],
        "ciphertext": wrapped["encrypted_key"],
        "tag": wrapped["header"]["tag"],
    }
    if protected is not None:
        forged["protected"] = protected
    # An empty "protected" is not a JSON object: refused before that check.
    refusal = "`dir` needs a protected header" if protected is None else "Invalid header"
    with pytest.raises(jwtkit.InvalidTokenError, match=refusal):
        jwe.decrypt_json(forged, secret, ["dir", "A128GCMKW", "A128KW"], ["A128GCM", "A256CBC-HS512"])
    # The genuine token still opens, through either recipient.
    opened = jwe.decrypt_json(victim, secret, ["dir", "A128GCMKW", "A128KW"], ["A256CBC-HS512"])
    assert opened.plaintext == b"top secret"
