"""jwtkit.jwe: round trips for every alg x enc, interoperability with jwcrypto in both
directions (test-only dependency, installed by run-tests.sh), nested JWTs with the
claim checks of ``decode``, and the attacks (modified tokens, allow-lists, RSA1_5, zip
bomb, JWE/JWS confusion, invalid-curve points)."""

import base64
import json

import pytest

import jwtkit
from jwtkit import jwe

from conftest import SECRET, partner_missing, text

ALL_ALGS = list(jwe.ALGORITHMS)
ALL_ENCS = list(jwe.ENCRYPTIONS)
CEK_LEN = {"A128GCM": 16, "A192GCM": 24, "A256GCM": 32, "A128CBC-HS256": 32, "A192CBC-HS384": 48, "A256CBC-HS512": 64}
#: The shared key lengths of the key wraps.
KW_LEN = {"128": 16, "192": 24, "256": 32}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def oct_jwk(n: int) -> dict:
    return {"kty": "oct", "k": b64(bytes((i * 7 + 3) % 256 for i in range(n)))}


#: A PBES2 password, as an oct JWK.
PASSWORD = {"kty": "oct", "k": b64(b"Thus from my lips, by yours, my sin is purged.")}


# RFC 7748 §6.1 (Bob).
X25519_PRIVATE = {
    "kty": "OKP",
    "crv": "X25519",
    "d": "XasIfmJKikt54X-Lg4AO5m87sSkmGLb9HC-LJ_-I4Os",
    "x": "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08",
}
X25519_PUBLIC = {k: v for k, v in X25519_PRIVATE.items() if k != "d"}


def key_pairs(alg: str, enc: str):
    """(private, public) keys for ``alg``: PEM strings, JWK dicts."""
    if alg == "dir":
        return [(oct_jwk(CEK_LEN[enc]),) * 2]
    if alg.startswith("PBES2-"):
        return [(PASSWORD,) * 2]
    if alg[0] == "A" and alg.endswith("KW"):  # A128KW .. A256GCMKW
        return [(oct_jwk(KW_LEN[alg[1:4]]),) * 2]
    if alg.startswith("RSA"):
        return [(text("rsa2048.pkcs8.pem"), text("rsa2048.spki.pem"))]
    return [
        (text("ecp256.pkcs8.pem"), text("ecp256.spki.pem")),
        (text("ecp384.pkcs8.pem"), text("ecp384.spki.pem")),
        (text("ecp521.pkcs8.pem"), text("ecp521.spki.pem")),
        (X25519_PRIVATE, X25519_PUBLIC),
    ]


def header(token: str) -> dict:
    return json.loads(unb64(token.split(".")[0]))


@pytest.mark.parametrize("enc", ALL_ENCS)
@pytest.mark.parametrize("alg", ALL_ALGS)
def test_round_trip(alg, enc):
    for private, public in key_pairs(alg, enc):
        token = jwe.encrypt(b"secret \x00 bytes", public, alg, enc, {"kid": "k1"})
        assert header(token)["alg"] == alg and header(token)["enc"] == enc and header(token)["kid"] == "k1"
        assert jwe.decrypt(token, private, [alg], [enc]) == b"secret \x00 bytes"
        full = jwe.decrypt_complete(token, private, ALL_ALGS, ALL_ENCS)
        assert full["header"]["kid"] == "k1" and full["plaintext"] == b"secret \x00 bytes"


def test_str_plaintext_and_secret_keys():
    secret = "0123456789abcdef"  # 16 bytes: an A128KW key
    token = jwe.encrypt("héllo", secret, "A128KW", "A256GCM")
    assert jwe.decrypt(token, secret, ["A128KW"], ["A256GCM"]).decode() == "héllo"
    with pytest.raises(jwtkit.KeyAlgorithmMismatchError):
        jwe.encrypt("x", secret, "A256KW", "A256GCM")


def test_every_modification_is_the_same_error():
    key = oct_jwk(32)
    token = jwe.encrypt(b"attack at dawn", key, "A256KW", "A128CBC-HS256")
    parts = token.split(".")
    messages = set()
    for i in (1, 2, 3, 4):
        raw = bytearray(unb64(parts[i]))
        raw[len(raw) // 2] ^= 1
        bad = parts[:i] + [b64(bytes(raw))] + parts[i + 1:]
        with pytest.raises(jwtkit.JWEDecryptionError) as e:
            jwe.decrypt(".".join(bad), key, ["A256KW"], ["A128CBC-HS256"])
        assert isinstance(e.value, jwtkit.InvalidTokenError)
        messages.add(str(e.value))
    h = header(token)
    h["kid"] = "changed"
    with pytest.raises(jwtkit.JWEDecryptionError) as e:
        jwe.decrypt(".".join([b64(json.dumps(h).encode())] + parts[1:]), key, ["A256KW"], ["A128CBC-HS256"])
    messages.add(str(e.value))
    with pytest.raises(jwtkit.JWEDecryptionError) as e:
        jwe.decrypt(token, oct_jwk(32) | {"k": b64(b"\x01" * 32)}, ["A256KW"], ["A128CBC-HS256"])
    messages.add(str(e.value))
    assert len(messages) == 1, messages


def test_allow_lists_are_required_and_enforced():
    key = oct_jwk(32)
    token = jwe.encrypt(b"x", key, "A256KW", "A256GCM")
    with pytest.raises(jwtkit.InvalidAlgorithmError):
        jwe.decrypt(token, key, ["dir"], ["A256GCM"])
    with pytest.raises(jwtkit.InvalidEncryptionError):
        jwe.decrypt(token, key, ["A256KW"], ["A128GCM"])
    with pytest.raises(jwtkit.DecodeError):
        jwe.decrypt(token, key, [], ["A256GCM"])
    with pytest.raises(jwtkit.InsecureAlgorithmError):
        jwe.decrypt(token, key, ["RSA1_5"], ["A256GCM"])
    with pytest.raises(jwtkit.InvalidAlgorithmError):
        jwe.encrypt(b"x", key, "PBES2-HS256+A256KW", "A256GCM")
    with pytest.raises(jwtkit.InvalidEncryptionError):
        jwe.encrypt(b"x", key, "A256KW", "A512GCM")
    # Every algorithm, PBES2 included, is refused when the list does not name it.
    for alg in ALL_ALGS:
        (private, public), *_ = key_pairs(alg, "A128GCM")
        token = jwe.encrypt(b"x", public, alg, "A128GCM")
        with pytest.raises(jwtkit.InvalidAlgorithmError):
            jwe.decrypt(token, private, [a for a in ALL_ALGS if a != alg], ALL_ENCS)
    for enc in ALL_ENCS:
        token = jwe.encrypt(b"x", oct_jwk(CEK_LEN[enc]), "dir", enc)
        with pytest.raises(jwtkit.InvalidEncryptionError):
            jwe.decrypt(token, oct_jwk(CEK_LEN[enc]), ["dir"], [e for e in ALL_ENCS if e != enc])


def test_new_algorithms_are_named():
    for name in ("A192KW", "ECDH-ES+A192KW", "A128GCMKW", "A192GCMKW", "A256GCMKW", "RSA-OAEP-384",
                 "RSA-OAEP-512", "PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW"):
        assert name in jwe.ALGORITHMS
    assert "A192GCM" in jwe.ENCRYPTIONS and "A192CBC-HS384" in jwe.ENCRYPTIONS
    # Appended: the first numbers keep their meaning.
    assert jwe.ALGORITHMS[:8] == ("dir", "A128KW", "A256KW", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW",
                                  "RSA-OAEP-256", "RSA-OAEP")
    assert jwe.ENCRYPTIONS[:4] == ("A128GCM", "A256GCM", "A128CBC-HS256", "A256CBC-HS512")


def with_header(token: str, **members) -> str:
    """The token with header members replaced (None removes one)."""
    h = header(token)
    for name, value in members.items():
        if value is None:
            h.pop(name, None)
        else:
            h[name] = value
    return ".".join([b64(json.dumps(h).encode())] + token.split(".")[1:])


def test_pbes2_password_and_iteration_cap():
    password = "correct horse battery staple"  # a str is a password for PBES2
    alg = "PBES2-HS384+A192KW"
    token = jwe.encrypt("for your eyes only", password, alg, "A192GCM")
    h = header(token)
    assert h["p2c"] == 8192 and len(unb64(h["p2s"])) == 16
    assert jwe.decrypt(token, password, [alg], ["A192GCM"]) == b"for your eyes only"
    # The cap: 8192 passes the default (10000), not a cap of 5000.
    with pytest.raises(jwtkit.PBES2CountError):
        jwe.decrypt(token, password, [alg], ["A192GCM"], max_pbes2_count=5000)
    assert jwe.decrypt(token, password, [alg], ["A192GCM"], max_pbes2_count=8192) == b"for your eyes only"
    with pytest.raises(jwtkit.InvalidArgumentError):
        jwe.decrypt(token, password, [alg], ["A192GCM"], max_pbes2_count=999)
    # A billion iterations is refused before any derivation: fast, and with the count error
    # (not the decryption failure the changed header would otherwise end in).
    import time
    start = time.monotonic()
    with pytest.raises(jwtkit.PBES2CountError):
        jwe.decrypt(with_header(token, p2c=10**9), password, [alg], ["A192GCM"])
    assert time.monotonic() - start < 1.0
    for bad in ({"p2c": 999}, {"p2c": None}, {"p2c": "8192"}, {"p2s": b64(b"1234567")}, {"p2s": None}):
        with pytest.raises(jwtkit.DecodeError):
            jwe.decrypt(with_header(token, **bad), password, [alg], ["A192GCM"])
    # The caller may choose p2c, never p2s.
    token = jwe.encrypt(b"x", password, alg, "A192GCM", {"p2c": 1000})
    assert header(token)["p2c"] == 1000
    with pytest.raises(jwtkit.DecodeError):
        jwe.encrypt(b"x", password, alg, "A192GCM", {"p2c": 999})
    with pytest.raises(jwtkit.InvalidArgumentError):
        jwe.encrypt(b"x", password, alg, "A192GCM", {"p2s": "AAAAAAAAAAA"})
    # A key whose JWK names a key wrap is no password, and the reverse.
    kw_key = {**oct_jwk(24), "alg": "A192KW"}
    with pytest.raises(jwtkit.InvalidKeyError):
        jwe.encrypt(b"x", kw_key, alg, "A192GCM")
    with pytest.raises(jwtkit.InvalidKeyError):
        jwe.encrypt(b"x", {**PASSWORD, "alg": alg}, "A256KW", "A192GCM")


def test_gcm_key_wrap_iv_and_tag_are_checked():
    key = oct_jwk(24)
    token = jwe.encrypt(b"x", key, "A192GCMKW", "A192CBC-HS384")
    h = header(token)
    assert len(unb64(h["iv"])) == 12 and len(unb64(h["tag"])) == 16
    assert jwe.decrypt(token, key, ["A192GCMKW"], ["A192CBC-HS384"]) == b"x"
    for bad in ({"iv": b64(b"\0" * 11)}, {"iv": b64(b"\0" * 16)}, {"tag": b64(b"\0" * 15)}, {"tag": None},
                {"iv": 12}):
        with pytest.raises(jwtkit.DecodeError):
            jwe.decrypt(with_header(token, **bad), key, ["A192GCMKW"], ["A192CBC-HS384"])
    with pytest.raises(jwtkit.JWEDecryptionError):
        jwe.decrypt(with_header(token, tag=b64(b"\0" * 16)), key, ["A192GCMKW"], ["A192CBC-HS384"])


def test_zip_is_refused_unless_allowed_and_capped():
    key = oct_jwk(16)
    token = jwe.encrypt(b"a" * 1000, key, "A128KW", "A128GCM", compress=True)
    assert header(token)["zip"] == "DEF"
    with pytest.raises(jwtkit.JWECompressionError):
        jwe.decrypt(token, key, ["A128KW"], ["A128GCM"])
    assert jwe.decrypt(token, key, ["A128KW"], ["A128GCM"], allow_zip=True) == b"a" * 1000
    with pytest.raises(jwtkit.JWECompressionError):
        jwe.decrypt(token, key, ["A128KW"], ["A128GCM"], allow_zip=True, max_inflated_size=999)
    bomb = jwe.encrypt(bytes(32 << 20), key, "A128KW", "A128GCM", compress=True)
    assert len(bomb) < 64 * 1024
    with pytest.raises(jwtkit.JWECompressionError):
        jwe.decrypt(bomb, key, ["A128KW"], ["A128GCM"], allow_zip=True)


def test_jwe_where_jws_expected_and_the_reverse():
    jws = jwtkit.encode({"sub": "a"}, SECRET, algorithm="HS256")
    with pytest.raises(jwtkit.DecodeError, match="JWS"):
        jwe.decrypt(jws, {"kty": "oct", "k": b64(SECRET.encode()[:32])}, ["dir"], ["A256GCM"])
    token = jwe.encrypt(b'{"sub":"a"}', {"kty": "oct", "k": b64(SECRET.encode()[:32])}, "dir", "A256GCM")
    with pytest.raises(jwtkit.DecodeError):
        jwtkit.decode(token, SECRET, algorithms=["HS256"])


def test_use_sig_keys_never_encrypt_and_x25519_never_signs():
    with pytest.raises(jwtkit.KeyAlgorithmMismatchError):
        jwe.encrypt(b"x", oct_jwk(16) | {"use": "sig"}, "A128KW", "A128GCM")
    with pytest.raises(jwtkit.PyJWTError):
        jwtkit.encode({"a": 1}, X25519_PRIVATE, algorithm="EdDSA")
    with pytest.raises(jwtkit.PyJWTError):
        jwtkit.encode({"a": 1}, oct_jwk(32) | {"use": "enc"}, algorithm="HS256")


def test_invalid_curve_point_is_refused():
    token = jwe.encrypt(b"x", text("ecp256.spki.pem"), "ECDH-ES", "A128GCM")
    h = header(token)
    h["epk"]["y"] = b64(bytes(32))
    forged = ".".join([b64(json.dumps(h).encode())] + token.split(".")[1:])
    with pytest.raises(jwtkit.InvalidEphemeralKeyError):
        jwe.decrypt(forged, text("ecp256.pkcs8.pem"), ["ECDH-ES"], ["A128GCM"])


def test_public_key_cannot_decrypt():
    token = jwe.encrypt(b"x", text("rsa2048.spki.pem"), "RSA-OAEP-256", "A128GCM")
    with pytest.raises(jwtkit.KeyCannotDecryptError) as e:
        jwe.decrypt(token, text("rsa2048.spki.pem"), ["RSA-OAEP-256"], ["A128GCM"])
    assert isinstance(e.value, jwtkit.InvalidKeyError) and isinstance(e.value, jwtkit.InvalidTokenError)


def test_nested_jwt():
    recipient_private, recipient_public = text("rsa2048.pkcs8.pem"), text("rsa2048.spki.pem")
    signer, verifier = text("ecp256.pkcs8.pem"), text("ecp256.spki.pem")
    claims = {"sub": "alice", "iss": "https://issuer.example", "aud": "api", "exp": 4102444800}
    token = jwe.encode_nested(claims, signer, "ES256", recipient_public, "RSA-OAEP-256", "A256GCM")
    assert header(token)["cty"] == "JWT"
    args = (recipient_private, ["RSA-OAEP-256"], ["A256GCM"], verifier, ["ES256"])
    assert jwe.decode_nested(token, *args, audience="api", issuer="https://issuer.example") == claims
    full = jwe.decode_nested_complete(token, *args, audience="api")
    assert full["header"]["alg"] == "ES256" and full["payload"]["sub"] == "alice"
    with pytest.raises(jwtkit.InvalidAudienceError):
        jwe.decode_nested(token, *args)
    with pytest.raises(jwtkit.InvalidIssuerError):
        jwe.decode_nested(token, *args, audience="api", issuer="https://other.example")
    with pytest.raises(jwtkit.InvalidAlgorithmError):
        jwe.decode_nested(token, recipient_private, ["RSA-OAEP-256"], ["A256GCM"], verifier, ["ES384"], audience="api")
    expired = jwe.encode_nested(claims | {"exp": 1}, signer, "ES256", recipient_public, "RSA-OAEP-256", "A256GCM")
    with pytest.raises(jwtkit.ExpiredSignatureError):
        jwe.decode_nested(expired, *args, audience="api")
    plain = jwe.encrypt(json.dumps(claims), recipient_public, "RSA-OAEP-256", "A256GCM")
    with pytest.raises(jwtkit.DecodeError):
        jwe.decode_nested(plain, *args, audience="api")


# ---- interoperability with jwcrypto (both directions, every combination) ----

try:
    import jwcrypto.jwe as jwe_mod
    import jwcrypto.jwk as jwk_mod
except ImportError as e:  # only the tests below need it, not the whole module
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


#: jwcrypto (1.6) has every alg but RSA-OAEP-384/512: those two interoperate with
#: ``cryptography``'s RSA-OAEP below.
JWCRYPTO_ALGS = [a for a in ALL_ALGS if a not in ("RSA-OAEP-384", "RSA-OAEP-512")]


@pytest.mark.parametrize("enc", ALL_ENCS)
@pytest.mark.parametrize("alg", JWCRYPTO_ALGS)
def test_interop_with_jwcrypto(jwcrypto, alg, enc):
    for private, public in key_pairs(alg, enc):
        # jwtkit encrypts, jwcrypto decrypts.
        token = jwe.encrypt(b"from jwtkit", public, alg, enc)
        theirs = jwe_mod.JWE(algs=[alg, enc])
        theirs.deserialize(token, key=jwcrypto_key(private))
        assert theirs.payload == b"from jwtkit"
        # jwcrypto encrypts, jwtkit decrypts.
        made = jwe_mod.JWE(b"from jwcrypto", json.dumps({"alg": alg, "enc": enc}), algs=[alg, enc])
        made.add_recipient(jwcrypto_key(public))
        assert jwe.decrypt(made.serialize(compact=True), private, [alg], [enc]) == b"from jwcrypto"


def test_interop_pbes2_password_string_with_jwcrypto(jwcrypto):
    """A password given as text on both sides, and jwcrypto's own default p2c (8192)."""
    password = "entrap_o\u2013peter_long\u2013credit_tun"
    made = jwe_mod.JWE(b"pw", json.dumps({"alg": "PBES2-HS512+A256KW", "enc": "A256GCM"}))
    made.add_recipient(password)
    token = made.serialize(compact=True)
    assert header(token)["p2c"] == 8192
    assert jwe.decrypt(token, password, ["PBES2-HS512+A256KW"], ["A256GCM"]) == b"pw"
    ours = jwe.encrypt(b"back", password, "PBES2-HS512+A256KW", "A256GCM")
    theirs = jwe_mod.JWE()
    theirs.deserialize(ours, key=password)
    assert theirs.payload == b"back"


@pytest.mark.parametrize("enc", ["A128GCM", "A192GCM", "A256GCM"])
@pytest.mark.parametrize("alg", ["RSA-OAEP-384", "RSA-OAEP-512"])
def test_interop_rsa_oaep_sha2_with_cryptography(alg, enc):
    """RSA-OAEP-384/512 against pyca/cryptography (OpenSSL): the JWE put together here,
    OAEP with SHA-2 and MGF1 of the same hash, content AES-GCM."""
    import os

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    hash_ = {"RSA-OAEP-384": hashes.SHA384(), "RSA-OAEP-512": hashes.SHA512()}[alg]
    oaep = padding.OAEP(mgf=padding.MGF1(algorithm=hash_), algorithm=hash_, label=None)
    private = serialization.load_pem_private_key(text("rsa2048.pkcs8.pem").encode(), None)
    # cryptography encrypts, jwtkit decrypts.
    cek, iv = os.urandom(CEK_LEN[enc]), os.urandom(12)
    protected = b64(json.dumps({"alg": alg, "enc": enc}).encode())
    sealed = AESGCM(cek).encrypt(iv, b"from cryptography", protected.encode())
    token = ".".join([protected, b64(private.public_key().encrypt(cek, oaep)), b64(iv), b64(sealed[:-16]),
                      b64(sealed[-16:])])
    assert jwe.decrypt(token, text("rsa2048.pkcs8.pem"), [alg], [enc]) == b"from cryptography"
    # jwtkit encrypts, cryptography decrypts.
    token = jwe.encrypt(b"from jwtkit", text("rsa2048.spki.pem"), alg, enc)
    h, ek, iv, ct, tag = token.split(".")
    cek = private.decrypt(unb64(ek), oaep)
    assert AESGCM(cek).decrypt(unb64(iv), unb64(ct) + unb64(tag), h.encode()) == b"from jwtkit"


def test_interop_zip_with_jwcrypto(jwcrypto):
    key = oct_jwk(16)
    made = jwe_mod.JWE(b"z" * 500, json.dumps({"alg": "A128KW", "enc": "A128GCM", "zip": "DEF"}))
    made.add_recipient(jwk_mod.JWK(**key))
    assert jwe.decrypt(made.serialize(compact=True), key, ["A128KW"], ["A128GCM"], allow_zip=True) == b"z" * 500
    token = jwe.encrypt(b"y" * 500, key, "A128KW", "A128GCM", compress=True)
    theirs = jwe_mod.JWE()
    theirs.deserialize(token, key=jwk_mod.JWK(**key))
    assert theirs.payload == b"y" * 500
