"""jwtkit.jwe.decrypt/decrypt_complete/decode_nested* with a JWK Set: the library keeps
the keys that can decrypt and the token's ``kid`` chooses among them (keys with that
kid, else keys without one), never trying a key that cannot serve the ``alg``."""

import base64

import pytest

import jwtkit
from jwtkit import jwe


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def oct_jwk(n: int, seed: int, kid=None, **members) -> dict:
    jwk = {"kty": "oct", "k": b64(bytes((seed + 37 * i) % 256 for i in range(n)))}
    if kid is not None:
        jwk["kid"] = kid
    jwk.update(members)
    return jwk


ALGS = ["A128KW", "A256KW", "dir"]
ENCS = ["A256GCM"]


def token(jwk: dict, alg="A256KW", kid=None, plaintext=b"hello") -> str:
    bare = {k: v for k, v in jwk.items() if k not in ("kid", "use")}
    return jwe.encrypt(plaintext, bare, alg, "A256GCM", None if kid is None else {"kid": kid})


def test_kid_chooses_the_key_from_a_dict_and_a_pyjwkset():
    a, b = oct_jwk(32, 1, "a"), oct_jwk(32, 2, "b")
    jwks = {"keys": [a, b]}
    for keys in (jwks, jwtkit.PyJWKSet.from_dict(jwks)):
        assert jwe.decrypt(token(b, kid="b"), keys, ALGS, ENCS) == b"hello"
        assert jwe.decrypt_complete(token(a, kid="a"), keys, ALGS, ENCS)["header"]["kid"] == "a"
        # The kid names another key than the one used: that key fails, b is not tried.
        with pytest.raises(jwtkit.JWEDecryptionError):
            jwe.decrypt(token(b, kid="a"), keys, ALGS, ENCS)
        with pytest.raises(jwtkit.KeyNotFoundError):
            jwe.decrypt(token(a, kid="nope"), keys, ALGS, ENCS)


def test_keys_without_kid_serve_unknown_kids_and_misfits_are_not_tried():
    plain, small = oct_jwk(32, 3), oct_jwk(16, 4)
    jwks = {"keys": [oct_jwk(32, 1, "a"), small, plain]}
    assert jwe.decrypt(token(plain, kid="unknown"), jwks, ALGS, ENCS) == b"hello"
    assert jwe.decrypt(token(plain), jwks, ALGS, ENCS) == b"hello"
    assert jwe.decrypt(token(small, alg="A128KW"), jwks, ALGS, ENCS) == b"hello"
    # Only a key of the wrong size: its misfit, not a decryption failure.
    with pytest.raises(jwtkit.InvalidKeyError):
        jwe.decrypt(token(plain), {"keys": [small]}, ALGS, ENCS)


def test_signature_and_public_keys_are_not_decryption_keys():
    sig = oct_jwk(32, 5, "s", use="sig")
    jwks = {"keys": [sig, oct_jwk(32, 6, "e", use="enc")]}
    with pytest.raises(jwtkit.KeyNotFoundError) as e:
        jwe.decrypt(token(sig, kid="s"), jwks, ALGS, ENCS)
    assert "skipped" in str(e.value)


def test_nested_with_sets_on_both_sides():
    enc_jwk = oct_jwk(32, 7, "e")
    sign_jwk = oct_jwk(32, 8, "s", alg="HS256")
    tok = jwe.encode_nested({"sub": "alice"}, sign_jwk, "HS256", {k: v for k, v in enc_jwk.items()}, "A256KW", "A256GCM")
    dec = {"keys": [oct_jwk(32, 9, "other"), enc_jwk]}
    for verify in (sign_jwk, jwtkit.PyJWKSet.from_dict({"keys": [sign_jwk]})):
        claims = jwe.decode_nested(tok, dec, ["A256KW"], ENCS, verify, ["HS256"])
        assert claims == {"sub": "alice"}
        full = jwe.decode_nested_complete(tok, jwtkit.PyJWKSet.from_dict(dec), ["A256KW"], ENCS, verify, ["HS256"])
        assert full["header"]["kid"] == "s"


def test_pbes2_work_is_capped_per_token_across_password_keys():
    pbes2 = "PBES2-HS256+A128KW"
    wrong, right = oct_jwk(12, 1, alg=pbes2), oct_jwk(12, 2, alg=pbes2)
    jwks = {"keys": [wrong, right]}

    def sealed(p2c: int) -> str:
        return jwe.encrypt(b"hello", right, pbes2, "A256GCM", {"p2c": p2c})

    # The right password second: 2 x 5000 iterations fit the default budget of 10000...
    assert jwe.decrypt(sealed(5000), jwks, [pbes2], ENCS) == b"hello"
    # ... 2 x 8192 do not, and the second derivation is refused before it runs.
    with pytest.raises(jwtkit.PBES2CountError, match="per token"):
        jwe.decrypt(sealed(8192), jwks, [pbes2], ENCS)
    # A larger budget lets it through; the first password alone opens its token at the cap.
    assert jwe.decrypt(sealed(8192), jwks, [pbes2], ENCS, max_pbes2_count=20000) == b"hello"
    assert jwe.decrypt(sealed(10000), {"keys": [right, wrong]}, [pbes2], ENCS) == b"hello"


def test_a_pyjwkset_decrypts_with_its_encryption_only_keys():
    # A JWE `alg` makes no PyJWK (PyJWKSet skips it, as PyJWT does), yet the set made
    # for decryption holds it: the token's kid finds it.
    enc_only, plain = oct_jwk(32, 7, "enc1", alg="A256KW"), oct_jwk(32, 8)
    jwks = {"keys": [enc_only, plain]}
    key_set = jwtkit.PyJWKSet.from_dict(jwks)
    assert len(key_set) == 1
    for keys in (jwks, key_set):
        assert jwe.decrypt(token(enc_only, kid="enc1"), keys, ALGS, ENCS) == b"hello"


def test_decrypt_json_takes_a_jwk_set_by_the_same_rules_as_compact():
    good = oct_jwk(16, 9, "good")
    jwks = {"keys": [good, {"kty": "oct", "k": "!!"}, oct_jwk(32, 10, "s", use="sig")]}
    sealed = jwe.encrypt_json(b"hi", [(good, "A128KW")], "A256GCM")
    # The malformed and the signing key are left out of the set, not fatal.
    d = jwe.decrypt_json(sealed, jwks, ALGS, ENCS)
    assert (d.plaintext, d.key_index) == (b"hi", 0)
    assert jwe.decrypt(token(good, alg="A128KW", kid="good"), jwks, ALGS, ENCS) == b"hello"
    with pytest.raises(ValueError, match="can decrypt"):
        jwe.decrypt_json(sealed, {"keys": [oct_jwk(32, 10, "s", use="sig")]}, ALGS, ENCS)
