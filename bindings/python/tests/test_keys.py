"""Key arguments: PEM/DER/secret detection, every PEM form, refusals, the key cache,
handles (context manager, finalizer), threads."""

import base64
import gc
import json
import threading

import pytest

from conftest import SECRET, raw, text
import jwtkit as jwt
from jwtkit import _core, _ffi


@pytest.mark.parametrize(
    "alg, signer, verifier",
    [
        ("RS256", "rsa2048.pkcs8.pem", "rsa2048.spki.pem"),
        ("RS256", "rsa2048.pkcs1.pem", "rsa2048.cert.pem"),
        ("PS256", "rsa2048.pkcs8.pem", "rsa2048.pkcs8.pem"),  # a private key verifies too
        ("ES256", "ecp256.sec1.pem", "ecp256.spki.pem"),
        ("ES256", "ecp256.pkcs8.pem", "ecp256.sec1.pem"),
    ],
)
def test_pem_forms(alg, signer, verifier):
    token = jwt.encode({"a": 1}, text(signer), algorithm=alg)
    assert jwt.decode(token, text(verifier), algorithms=[alg]) == {"a": 1}


def test_der_keys_when_no_hmac_algorithm_is_allowed():
    token = jwt.encode({"a": 1}, raw("rsa2048.pkcs8.der"), algorithm="RS256")
    assert jwt.decode(token, raw("rsa2048.spki.der"), algorithms=["RS256", "PS256"]) == {"a": 1}
    # with an HMAC algorithm allowed too, DER that is a public key stays that key: it
    # verifies RS256, and an HS256 token MACed with its bytes is refused (confusion)
    assert jwt.decode(token, raw("rsa2048.spki.der"), algorithms=["RS256", "HS256"]) == {"a": 1}
    with pytest.raises(jwt.KeyAlgorithmMismatchError):  # and jwtkit won't sign one
        jwt.encode({"a": 1}, raw("rsa2048.spki.der"), algorithm="HS256")
    import base64, hashlib, hmac
    b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=")
    signing_input = b64(b'{"alg":"HS256","typ":"JWT"}') + b"." + b64(b'{"a":1}')
    mac = hmac.new(raw("rsa2048.spki.der"), signing_input, hashlib.sha256).digest()
    forged = (signing_input + b"." + b64(mac)).decode()
    with pytest.raises(jwt.KeyAlgorithmMismatchError):
        jwt.decode(forged, raw("rsa2048.spki.der"), algorithms=["RS256", "HS256"])


def test_pem_with_leading_whitespace_and_bytearray_keys():
    pem = "\n  " + text("ecp256.pkcs8.pem")
    token = jwt.encode({}, pem, algorithm="ES256")
    assert jwt.decode(token, bytearray(text("ecp256.spki.pem").encode()), algorithms=["ES256"]) == {}
    assert jwt.decode(jwt.encode({}, memoryview(SECRET.encode())), SECRET, algorithms=["HS256"]) == {}


@pytest.mark.parametrize(
    "name, status",
    [
        ("rsa1024.pkcs8.pem", "JWTKIT_ERR_KEY_TOO_WEAK"),
        ("refused/secp256k1-explicit.spki.pem", "JWTKIT_ERR_KEY_INVALID"),  # secp256k1 by its parameters
        ("x25519.pkcs8.pem", "JWTKIT_ERR_KEY_UNSUPPORTED"),
        # private keys whose embedded public key is another key's
        ("mismatched/ecp256.pkcs8.pem", "JWTKIT_ERR_KEY_INVALID"),
        ("mismatched/ecp256.sec1.pem", "JWTKIT_ERR_KEY_INVALID"),
        ("mismatched/ed25519.pkcs8v2.pem", "JWTKIT_ERR_KEY_INVALID"),
    ],
)
def test_refused_keys(name, status):
    with pytest.raises(jwt.InvalidKeyError) as e:
        jwt.encode({}, text(name), algorithm="RS256")
    assert e.value.status_name == status
    assert not isinstance(e.value, jwt.InvalidTokenError)


def test_garbage_pem():
    with pytest.raises(jwt.InvalidKeyError):
        jwt.decode("a.b.c", "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n", algorithms=["RS256"])


def test_secret_bytes_are_kept_whole():
    key = b"\x00" * 16 + b"A" * 16 + b"\x00\xff"
    token = jwt.encode({"a": 1}, key)
    assert jwt.decode(token, key, algorithms=["HS256"]) == {"a": 1}
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, key[:-1], algorithms=["HS256"])
    utf8 = "clé-secrète-" + "é" * 20
    assert jwt.decode(jwt.encode({}, utf8), utf8.encode("utf-8"), algorithms=["HS256"]) == {}


@pytest.mark.parametrize("key", [1, 1.5, None, object(), ["k"]])
def test_unsupported_key_types(key):
    with pytest.raises(TypeError):
        jwt.encode({}, key)


def test_ssh_public_key():
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization", reason="cryptography is not installed")
    private = serialization.load_pem_private_key(raw("ecp256.pkcs8.pem"), None)
    ssh = private.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    token = jwt.encode({"a": 1}, text("ecp256.pkcs8.pem"), algorithm="ES256")
    assert jwt.decode(token, ssh, algorithms=["ES256"]) == {"a": 1}
    with pytest.raises(jwt.InvalidKeyError):
        jwt.decode(token, b"ssh-rsa AAAA garbage", algorithms=["ES256"])


# --- the key cache ------------------------------------------------------------------


def test_the_same_pem_is_parsed_once():
    pem = text("rsa2048.spki.pem")
    token = jwt.encode({}, text("rsa2048.pkcs8.pem"), algorithm="RS256")
    jwt.decode(token, pem, algorithms=["RS256"])
    first = _core.KEY_CACHE.get((pem, False))
    assert isinstance(first, _core.Key)
    for _ in range(5):
        jwt.decode(token, pem, algorithms=["RS256"])
    assert _core.KEY_CACHE.get((pem, False)) is first


def test_the_key_cache_is_bounded_and_evicted_keys_still_work():
    for i in range(_core.KEY_CACHE.size + 50):
        jwt.encode({}, SECRET + str(i))
    assert len(_core.KEY_CACHE) <= _core.KEY_CACHE.size
    assert jwt.decode(jwt.encode({}, SECRET + "0"), SECRET + "0", algorithms=["HS256"]) == {}


def test_the_validation_cache_is_bounded():
    token = jwt.encode({"aud": "a"}, SECRET)
    for i in range(_core.VALIDATION_CACHE.size + 20):
        jwt.decode(token, SECRET, algorithms=["HS256"], audience=["a", str(i)])
    assert len(_core.VALIDATION_CACHE) <= _core.VALIDATION_CACHE.size


# --- handles ---------------------------------------------------------------------------


def test_key_handle_context_manager_and_close():
    with _core.Key.from_secret(SECRET.encode()) as key:
        token = jwt.encode({"a": 1}, key)
        assert jwt.decode(token, key, algorithms=["HS256"]) == {"a": 1}
        assert not key.closed
    assert key.closed
    with pytest.raises(ValueError, match="closed"):
        jwt.encode({}, key)
    with pytest.raises(ValueError):
        key.ptr()
    key.close()  # twice is fine


def test_finalizer_releases_handles():
    key = _core.Key.from_pem(raw("ed25519.pkcs8.pem"))
    finalizer = key._finalizer
    assert finalizer.alive
    del key
    gc.collect()
    assert not finalizer.alive


def test_validation_handle():
    with _core.Validation.new([_ffi.JWTKIT_ALG_HS256]) as v:
        v.set_leeway(5)
        v.set_now(1000)
        v.add_issuer("i")
        v.add_audience("a")
        v.set_strict_audience(False)
        v.set_subject("s")
        v.require_claim("jti")
        v.set_typ("JWT")
        v.set_max_age(60)
        v.disable_checks(_ffi.JWTKIT_CHECK_NBF)
        v.set_limit(_ffi.JWTKIT_LIMIT_JSON_DEPTH, 16)
        key = _core.Key.from_secret(SECRET.encode())
        token = jwt.encode({"iat": 990, "iss": "i", "aud": "a", "sub": "s", "jti": "j"}, SECRET)
        header, claims = _core.verify(token.encode(), key, v, True)
        assert b'"jti":"j"' in claims and b"HS256" in header
        with pytest.raises(jwt.InvalidArgumentError):
            v.disable_checks(1 << 20)
    assert v.closed
    with pytest.raises(jwt.InvalidArgumentError):
        _core.Validation.new([])
    with pytest.raises(jwt.InvalidArgumentError):
        _core.Validation.new([99])


def test_shared_keys_and_policies_across_threads():
    pem_private, pem_public = text("ecp256.pkcs8.pem"), text("ecp256.spki.pem")
    errors = []

    def work(n):
        try:
            for i in range(50):
                token = jwt.encode({"n": n, "i": i}, pem_private, algorithm="ES256")
                assert jwt.decode(token, pem_public, algorithms=["ES256"]) == {"n": n, "i": i}
                hs = jwt.encode({"n": n}, SECRET)
                assert jwt.decode(hs, SECRET, algorithms=["HS256"]) == {"n": n}
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_key_export_and_generation():
    key = _core.Key.from_pem(raw("ecp256.pkcs8.pem"))
    assert key.key_kind() == _ffi.JWTKIT_KEY_KIND_EC_P256 and key.is_private()
    assert key.kid() is None and key.with_kid("k9").kid() == "k9"
    assert "BEGIN PUBLIC KEY" in key.to_public_pem() and "BEGIN PRIVATE KEY" in key.to_private_pem()
    assert '"d"' in key.to_private_jwk() and '"d"' not in key.to_public_jwk()
    assert len(key.thumbprint()) == 43
    generated = _core.Key.generate(_ffi.JWTKIT_ALG_EDDSA)
    assert generated.key_kind() == _ffi.JWTKIT_KEY_KIND_ED25519
    token = jwt.encode({"a": 1}, generated, algorithm="EdDSA")
    assert jwt.decode(token, generated.to_public_pem(), algorithms=["EdDSA"]) == {"a": 1}
    with pytest.raises(jwt.InvalidKeyError):
        _core.Key.generate(_ffi.JWTKIT_ALG_RS256)
    s = _core.KeySet.from_jwks(json.dumps({"keys": [json.loads(key.with_kid("a").to_public_jwk())]}).encode())
    assert len(s) == 1 and s.get(0).kid() == "a" and s.skipped() == []
    assert '"kid":"a"' in s.to_public_jwks()


def test_generate_key_for_every_algorithm_family():
    for alg in ("HS384", "ES256", "ES512", "EdDSA", "ES256K"):
        k = jwt.generate_key(alg)
        assert k.algorithm_name == alg and k.key_id == k.thumbprint() and k.key.is_private()
        token = jwt.encode({"a": 1}, k, algorithm=alg)
        verifier = k if alg.startswith("HS") else jwt.PyJWK(k.public_jwk())
        assert jwt.decode(token, verifier, algorithms=[alg]) == {"a": 1}
    assert jwt.generate_key("HS256", kid="mine").key_id == "mine"


def test_generate_rsa_keys_of_each_size():
    # A release build: one key of each size (4096 takes up to seconds).
    for bits, alg in ((2048, "PS256"), (3072, "RS384"), (4096, "PS512")):
        k = jwt.generate_key(alg, bits=bits)
        assert k.key.key_kind() == _ffi.JWTKIT_KEY_KIND_RSA and k.algorithm_name == alg
        public = k.public_jwk()
        assert public["alg"] == alg and "d" not in public
        n = public["n"]
        assert len(base64.urlsafe_b64decode(n + "=" * (-len(n) % 4))) * 8 == bits
        token = jwt.encode({"bits": bits}, k, algorithm=alg)
        assert jwt.decode(token, jwt.PyJWK(public), algorithms=[alg]) == {"bits": bits}
        # The PEM round trip loads through the normal import checks.
        pem = k.key.to_private_pem()
        assert jwt.decode(jwt.encode({}, pem, algorithm=alg), k.key.to_public_pem(), algorithms=[alg]) == {}
        # Restricted to its algorithm: another RSA algorithm is refused.
        other = "RS256" if alg != "RS256" else "PS256"
        with pytest.raises(jwt.PyJWTError):
            jwt.encode({}, k, algorithm=other)


def test_generate_rsa_key_without_algorithm_serves_jwe_and_every_rsa_algorithm():
    k = jwt.generate_key(None, bits=2048)
    assert "alg" not in k.public_jwk()
    token = jwt.jwe.encrypt(b"hi", k.public_jwk(), "RSA-OAEP-256", "A256GCM")
    assert jwt.jwe.decrypt(token, k.key, algorithms=["RSA-OAEP-256"], encryptions=["A256GCM"]) == b"hi"
    for alg in ("RS256", "PS384"):
        assert jwt.decode(jwt.encode({}, k.key, algorithm=alg), k.key.to_public_pem(), algorithms=[alg]) == {}


@pytest.mark.parametrize(
    "args, kwargs",
    [
        (("RS256",), {}),  # RSA needs bits
        (("RS256",), {"bits": 1024}),
        (("PS256",), {"bits": 8192}),
        (("RS256",), {"bits": 2**32 + 2048}),  # not truncated to 2048
        (("RS256",), {"bits": True}),
        (("ES256",), {"bits": 2048}),  # bits is for RSA only
        ((None,), {}),
        (("none",), {}),
        (("HS1",), {}),
    ],
)
def test_generate_key_refusals(args, kwargs):
    with pytest.raises(jwt.InvalidArgumentError):
        jwt.generate_key(*args, **kwargs)
