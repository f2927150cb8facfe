"""DPoP (RFC 9449) and the RFC 9068 access-token profile through ``jwtkit.dpop`` and
``jwtkit.decode_access_token``: the RFC's examples at their ``iat``, proofs made and
verified, one forged proof per check of RFC 9449 §4.3 (each an InvalidDPoPProofError
whose ``status_name`` names the check), a replay store in Python (also one that
raises), the ``cnf.jkt`` binding, a bound token as Bearer, and libjwt's
GHSA-vmf4-mvgm-7vpv splice. Proofs are forged with ``cryptography``, independently of
jwtkit's own signing."""

import base64
import hashlib
import json
import threading
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

import jwtkit
from jwtkit import dpop
from jwtkit.exceptions import (
    DPoPBindingError,
    DPoPBoundTokenAsBearerError,
    DPoPProofReplayedError,
    DPoPReplayCheckError,
    InvalidArgumentError,
    InvalidDPoPProofError,
    InvalidTypError,
    MissingRequiredClaimError,
    UseDPoPNonceError,
)

VECTORS = Path(__file__).resolve().parents[3] / "tests" / "vectors" / "rfc" / "rfc9449_examples.json"
NOW = 1_700_000_000
URI = "https://api.example.com/orders"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def ath(token: str) -> str:
    return b64(hashlib.sha256(token.encode()).digest())


# ---- keys and forging with cryptography ----


class EcKey:
    def __init__(self, curve=ec.SECP256R1(), alg="ES256", size=32, digest=hashes.SHA256()):
        self.key = ec.generate_private_key(curve)
        self.alg, self.size, self.digest = alg, size, digest
        self.crv = {"ES256": "P-256", "ES384": "P-384"}[alg]

    def jwk(self, private=False):
        n = self.key.private_numbers()
        out = {"kty": "EC", "crv": self.crv, "x": b64(n.public_numbers.x.to_bytes(self.size, "big")),
               "y": b64(n.public_numbers.y.to_bytes(self.size, "big"))}
        if private:
            out["d"] = b64(n.private_value.to_bytes(self.size, "big"))
        return out

    def sign(self, data):
        r, s = utils.decode_dss_signature(self.key.sign(data, ec.ECDSA(self.digest)))
        return r.to_bytes(self.size, "big") + s.to_bytes(self.size, "big")

    def pem(self):
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())


class EdKey:
    alg = "EdDSA"

    def __init__(self):
        self.key = ed25519.Ed25519PrivateKey.generate()

    def jwk(self, private=False):
        raw = self.key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        out = {"kty": "OKP", "crv": "Ed25519", "x": b64(raw)}
        if private:
            out["d"] = b64(self.key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                                  serialization.NoEncryption()))
        return out

    def sign(self, data):
        return self.key.sign(data)


class RsaKey:
    alg = "RS256"

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self, private=False):
        n = self.key.public_key().public_numbers()
        out = {"kty": "RSA", "n": b64(n.n.to_bytes(256, "big")), "e": b64(n.e.to_bytes(3, "big"))}
        if private:
            out["d"] = b64(self.key.private_numbers().d.to_bytes(256, "big"))
        return out

    def sign(self, data):
        return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def forge(header, claims, signer, alg=None):
    h = dict(header)
    h.setdefault("alg", alg or signer.alg)
    si = b64(json.dumps(h).encode()) + "." + b64(json.dumps(claims).encode())
    return si + "." + b64(signer.sign(si.encode()))


def header(key, **extra):
    return {"typ": "dpop+jwt", "alg": key.alg, "jwk": key.jwk(), **extra}


def claims(**extra):
    out = {"jti": "id-1", "htm": "GET", "htu": URI, "iat": NOW}
    out.update(extra)
    return {k: v for k, v in out.items() if v is not None}


@pytest.fixture(scope="module")
def policy():
    return dpop.DPoPPolicy(["ES256", "ES384", "EdDSA", "RS256", "PS256"], now=NOW)


def verify(proof, policy, uri=URI, method="GET", **kw):
    return dpop.verify_proof(proof, method=method, uri=uri, policy=policy, **kw)


def refused(proof, policy, status, cls=InvalidDPoPProofError, **kw):
    with pytest.raises(cls) as info:
        verify(proof, policy, **kw)
    assert info.value.status_name == status, (info.value.status_name, info.value.detail)
    return info.value


# ---- the RFC's examples ----


def test_rfc9449_examples_verify_at_their_iat():
    v = json.loads(VECTORS.read_text())
    for case in v["tests"]:
        p = dpop.DPoPPolicy(["ES256"], now=case["iat"])
        kw = dict(method=case["method"], uri=case["uri"], access_token=case.get("accessToken"))
        got = dpop.verify_proof(case["proof"], policy=p, **kw)
        assert (got.jkt, got.jti, got.iat) == (v["jkt"], case["jti"], case["iat"])
        assert got.claims["htu"] == case["uri"]
        if "ath" in case:
            assert ath(case["accessToken"]) == case["ath"] == got.claims["ath"]
            refused(case["proof"], p, "JWTKIT_ERR_DPOP_ATH_MISMATCH", method=case["method"], uri=case["uri"],
                    access_token="another token")
        late = dpop.DPoPPolicy(["ES256"], now=case["iat"] + 301)
        e = refused(case["proof"], late, "JWTKIT_ERR_TOO_OLD", **kw)
        assert isinstance(e, jwtkit.InvalidTokenError)
        with pytest.raises(InvalidDPoPProofError):
            dpop.verify_proof(case["proof"], policy=dpop.DPoPPolicy(["ES256"]), **kw)  # the real clock
        refused(case["proof"], p, "JWTKIT_ERR_DPOP_HTM_MISMATCH", method="DELETE", uri=case["uri"],
                access_token=case.get("accessToken"))
    # §6.1's claims are bound to the §7.1 proof's key
    case = v["tests"][1]
    p = dpop.DPoPPolicy(["ES256"], now=case["iat"])
    proof = dpop.verify_proof(case["proof"], method="GET", uri=case["uri"], access_token=case["accessToken"], policy=p)
    dpop.check_binding(case["accessToken"], v["boundToken"]["claims"], proof)
    with pytest.raises(DPoPBoundTokenAsBearerError):
        dpop.check_binding(case["accessToken"], v["boundToken"]["claims"], None)


# ---- made by jwtkit ----


@pytest.mark.parametrize("alg,key", [("ES256", "ecp256"), ("ES384", "ecp384"), ("EdDSA", "ed25519"),
                                      ("RS256", "rsa2048"), ("PS256", "rsa2048")])
def test_created_proofs_verify(policy, alg, key):
    keys = Path(__file__).parent / "keys"
    pem = (keys / f"{key}.pkcs8.pem").read_text()
    proof = dpop.create_proof(pem, algorithm=alg, method="POST", uri=URI + "?page=1#top", access_token="at-1",
                              nonce="n-1", iat=NOW)
    got = verify(proof, policy, method="POST", access_token="at-1", nonce="n-1")
    assert got.claims == {"jti": got.jti, "htm": "POST", "htu": URI, "iat": NOW, "ath": ath("at-1"), "nonce": "n-1"}
    head = json.loads(base64.urlsafe_b64decode(proof.split(".")[0] + "=="))
    assert head["typ"] == "dpop+jwt" and head["alg"] == alg
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(head["jwk"])
    # the thumbprint is the RFC 7638 one, computed here from the jwk
    required = {"EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x"), "RSA": ("e", "kty", "n")}
    members = {k: head["jwk"][k] for k in required[head["jwk"]["kty"]]}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    assert got.jkt == b64(hashlib.sha256(canonical).digest())
    refused(proof, policy, "JWTKIT_ERR_DPOP_NONCE", UseDPoPNonceError, method="POST", access_token="at-1",
            nonce="n-2")


def test_created_proofs_are_fresh_and_refuse_what_cannot_sign(policy):
    k = EcKey()
    a = dpop.create_proof(k.pem(), algorithm="ES256", method="GET", uri=URI)
    b = dpop.create_proof(k.pem(), algorithm="ES256", method="GET", uri=URI)
    real = dpop.DPoPPolicy(["ES256"])
    assert dpop.verify_proof(a, method="GET", uri=URI, policy=real).jti != \
        dpop.verify_proof(b, method="GET", uri=URI, policy=real).jti
    with pytest.raises(InvalidArgumentError):
        dpop.create_proof("a secret of at least 32 bytes long!!", algorithm="HS256", method="GET", uri=URI)
    with pytest.raises(InvalidArgumentError):
        dpop.create_proof(k.pem(), algorithm="ES256", method="GET", uri="/relative")
    with pytest.raises(jwtkit.InvalidKeyError):
        dpop.create_proof(k.jwk(), algorithm="ES256", method="GET", uri=URI)  # public: cannot sign
    with pytest.raises(InvalidArgumentError):
        dpop.DPoPPolicy(["ES256", "HS256"])
    with pytest.raises(jwtkit.InvalidAlgorithmError):
        dpop.DPoPPolicy(["none"])


# ---- one forged proof per check ----


def test_each_check(policy):
    k = EcKey()
    good = forge(header(k), claims(), k)
    assert verify(good, policy).jkt
    # typ
    refused(forge(header(k, typ="JWT"), claims(), k), policy, "JWTKIT_ERR_TYP_MISMATCH")
    h = header(k)
    del h["typ"]
    refused(forge(h, claims(), k), policy, "JWTKIT_ERR_TYP_MISMATCH")
    verify(forge(header(k, typ="application/dpop+jwt"), claims(), k), policy)
    # claims present and typed
    for name in ("jti", "htm", "htu", "iat"):
        e = refused(forge(header(k), claims(**{name: None}), k), policy, "JWTKIT_ERR_CLAIM_MISSING")
        assert e.claim == name
        e = refused(forge(header(k), claims(**{name: [1]}), k), policy, "JWTKIT_ERR_CLAIM_INVALID")
        assert e.claim == name
    # htm
    refused(good, policy, "JWTKIT_ERR_DPOP_HTM_MISMATCH", method="POST")
    refused(good, policy, "JWTKIT_ERR_DPOP_HTM_MISMATCH", method="get")
    # htu: equal after normalisation, query and fragment of the request left out
    for same in (URI + "?a=1", URI + "#f", "HTTPS://API.EXAMPLE.COM/orders", "https://api.example.com:443/orders",
                 "https://api.example.com/%6Frders", "https://api.example.com/v1/../orders"):
        verify(good, policy, uri=same)
    for other in ("https://api.example.com/Orders", "http://api.example.com/orders",
                  "https://api.example.com:8443/orders", "https://api.example.com/orders/", "https://evil.example/orders"):
        refused(good, policy, "JWTKIT_ERR_DPOP_HTU_MISMATCH", uri=other)
    for htu in (URI + "?a=1", URI + "#f", "/orders"):
        refused(forge(header(k), claims(htu=htu), k), policy, "JWTKIT_ERR_DPOP_HTU_MISMATCH")
    verify(forge(header(k), claims(htu="https://API.example.com:443/%6frders"), k), policy)
    with pytest.raises(InvalidArgumentError):
        verify(good, policy, uri="/orders")
    # iat
    verify(forge(header(k), claims(iat=NOW - 300), k), policy)
    verify(forge(header(k), claims(iat=NOW + 30), k), policy)
    refused(forge(header(k), claims(iat=NOW - 301), k), policy, "JWTKIT_ERR_TOO_OLD")
    refused(forge(header(k), claims(iat=NOW + 31), k), policy, "JWTKIT_ERR_ISSUED_IN_FUTURE")
    refused(forge(header(k), claims(iat=str(NOW)), k), policy, "JWTKIT_ERR_CLAIM_INVALID")
    # ath
    token = "an.access.token"
    with_ath = forge(header(k), claims(ath=ath(token)), k)
    verify(with_ath, policy, access_token=token)
    refused(with_ath, policy, "JWTKIT_ERR_DPOP_ATH_MISMATCH", access_token=token + "x")
    e = refused(good, policy, "JWTKIT_ERR_CLAIM_MISSING", access_token=token)
    assert e.claim == "ath"
    # nonce
    refused(good, policy, "JWTKIT_ERR_DPOP_NONCE", UseDPoPNonceError, nonce="n-1")
    refused(forge(header(k), claims(nonce="n-0"), k), policy, "JWTKIT_ERR_DPOP_NONCE", UseDPoPNonceError, nonce="n-1")
    verify(forge(header(k), claims(nonce="n-1"), k), policy, nonce="n-1")
    # size, and more than one proof
    refused(forge(header(k), claims(pad="x" * 9000), k), policy, "JWTKIT_ERR_TOKEN_TOO_LARGE")
    big = dpop.DPoPPolicy(["ES256"], now=NOW, max_proof_length=65536)
    verify(forge(header(k), claims(pad="x" * 9000), k), big)
    refused(good + "," + good, policy, "JWTKIT_ERR_TOKEN_MALFORMED")
    refused(good + ", " + good, policy, "JWTKIT_ERR_TOKEN_MALFORMED")


def test_hmac_none_and_the_jwk(policy):
    k, ed, r = EcKey(), EdKey(), RsaKey()

    class Hmac:
        alg = "HS256"

        def sign(self, data):
            import hmac
            return hmac.new(b"k" * 32, data, hashlib.sha256).digest()

    oct_jwk = {"kty": "oct", "k": b64(b"k" * 32)}
    refused(forge({"typ": "dpop+jwt", "jwk": oct_jwk}, claims(), Hmac()), policy, "JWTKIT_ERR_ALG_NOT_ALLOWED")
    refused(forge({"typ": "dpop+jwt"}, claims(), Hmac()), policy, "JWTKIT_ERR_ALG_NOT_ALLOWED")
    for none in ("none", "None", "NONE"):
        h = b64(json.dumps({"typ": "dpop+jwt", "alg": none, "jwk": k.jwk()}).encode())
        refused(h + "." + b64(json.dumps(claims()).encode()) + ".", policy, "JWTKIT_ERR_ALG_UNSUPPORTED")
    # a private key in the jwk
    for key in (k, ed, r):
        refused(forge({"typ": "dpop+jwt", "jwk": key.jwk(private=True)}, claims(), key), policy,
                "JWTKIT_ERR_DPOP_PRIVATE_JWK")
    # a jwk of another key type or curve than alg
    refused(forge({"typ": "dpop+jwt", "jwk": r.jwk()}, claims(), k), policy, "JWTKIT_ERR_KEY_ALG_MISMATCH")
    refused(forge({"typ": "dpop+jwt", "jwk": k.jwk()}, claims(), ed), policy, "JWTKIT_ERR_KEY_ALG_MISMATCH")
    p384 = EcKey(ec.SECP384R1(), "ES384", 48, hashes.SHA384())
    refused(forge({"typ": "dpop+jwt", "jwk": p384.jwk()}, claims(), k), policy, "JWTKIT_ERR_KEY_ALG_MISMATCH")
    # no jwk; signed by another key than its jwk
    refused(forge({"typ": "dpop+jwt"}, claims(), k), policy, "JWTKIT_ERR_HEADER_INVALID")
    refused(forge({"typ": "dpop+jwt", "jwk": k.jwk()}, claims(), EcKey()), policy, "JWTKIT_ERR_SIGNATURE_INVALID")
    refused(forge({"typ": "dpop+jwt", "jwk": ed.jwk()}, claims(), EdKey()), policy, "JWTKIT_ERR_SIGNATURE_INVALID")


def test_a_victims_public_jwk_with_an_attackers_private_key_never_binds(policy):
    """libjwt's GHSA-vmf4-mvgm-7vpv: libjwt checked an embedded jwk's thumbprint over
    its members as written but built the key from `d` when present, so the victim's
    x (and y) with the attacker's d matched the victim's pin and verified the
    attacker's signature."""
    for make in (EcKey, EdKey):
        victim, attacker = make(), make()
        spliced = dict(victim.jwk(), d=attacker.jwk(private=True)["d"])
        refused(forge({"typ": "dpop+jwt", "jwk": spliced}, claims(), attacker), policy, "JWTKIT_ERR_DPOP_PRIVATE_JWK")
        with pytest.raises(jwtkit.InvalidKeyError) as e:  # the halves disagree
            jwtkit.PyJWK(spliced)
        assert e.value.status_name == "JWTKIT_ERR_KEY_INVALID"
        # the attacker's honest proof has the attacker's thumbprint, and the victim's
        # token is not bound to it
        token = "stolen.access.token"
        proof = verify(forge({"typ": "dpop+jwt", "jwk": dict(attacker.jwk(), kid="victim")}, claims(ath=ath(token)),
                             attacker), policy, access_token=token)
        victim_jkt = verify(forge({"typ": "dpop+jwt", "jwk": victim.jwk()}, claims(), victim), policy).jkt
        assert proof.jkt != victim_jkt
        with pytest.raises(DPoPBindingError) as e:
            dpop.check_binding(token, {"sub": "victim", "cnf": {"jkt": victim_jkt}}, proof)
        assert e.value.status_name == "JWTKIT_ERR_DPOP_BINDING_MISMATCH"


# ---- replay ----


class MemoryStore:
    def __init__(self):
        self.lock = threading.Lock()
        self.seen = {}
        self.calls = []

    def check(self, jkt, jti, expires_at):
        self.calls.append((jkt, jti, expires_at))
        with self.lock:
            now = time.time()
            self.seen = {k: v for k, v in self.seen.items() if v > now or v > NOW}
            if (jkt, jti) in self.seen:
                return True
            self.seen[(jkt, jti)] = expires_at
            return False


def test_replayed_jti_is_refused_and_a_failing_store_fails_closed():
    store = MemoryStore()
    p = dpop.DPoPPolicy(["ES256"], now=NOW, replay_check=store.check)
    k, other = EcKey(), EcKey()
    proof = forge(header(k), claims(), k)
    got = verify(proof, p)
    assert store.calls == [(got.jkt, "id-1", NOW + 301)]
    refused(proof, p, "JWTKIT_ERR_DPOP_REPLAYED", DPoPProofReplayedError)
    verify(forge(header(other), claims(), other), p)  # same jti, another key
    # forged or failing proofs never reach the store
    store.calls.clear()
    refused(forge(header(k), claims(jti="victim"), other), p, "JWTKIT_ERR_SIGNATURE_INVALID")
    refused(forge(header(k), claims(jti="victim"), k), p, "JWTKIT_ERR_DPOP_HTM_MISMATCH", method="PUT")
    assert store.calls == []

    def broken(jkt, jti, expires_at):
        raise ConnectionError("redis is down")

    failing = dpop.DPoPPolicy(["ES256"], now=NOW, replay_check=broken)
    with pytest.raises(DPoPReplayCheckError) as e:
        verify(forge(header(k), claims(jti="fresh"), k), failing)
    assert isinstance(e.value.__cause__, ConnectionError)
    # refused like any bad proof (a caller that only catches InvalidTokenError fails closed)
    assert isinstance(e.value, InvalidDPoPProofError) and e.value.status_name == "JWTKIT_ERR_DPOP_REPLAY_CHECK"


# ---- binding ----


def test_bound_tokens_need_their_proof_and_are_no_bearer_tokens(policy):
    issuer, client, thief = EcKey(), EcKey(), EcKey()
    issuer_pem = issuer.pem()
    client_jkt = verify(forge(header(client), claims(), client), policy).jkt
    token = jwtkit.encode({"sub": "alice", "cnf": {"jkt": client_jkt}}, issuer_pem, algorithm="ES256")
    unbound = jwtkit.encode({"sub": "bob"}, issuer_pem, algorithm="ES256")
    pub = issuer.key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)

    def proof_for(key, tok):
        text = dpop.create_proof(key.pem(), algorithm="ES256", method="GET", uri=URI, access_token=tok, iat=NOW)
        return verify(text, policy, access_token=tok)

    assert dpop.decode_token(token, pub, algorithms=["ES256"], proof=proof_for(client, token))["sub"] == "alice"
    with pytest.raises(DPoPBindingError) as e:
        dpop.decode_token(token, pub, algorithms=["ES256"], proof=proof_for(thief, token))
    assert e.value.status_name == "JWTKIT_ERR_DPOP_BINDING_MISMATCH"
    with pytest.raises(DPoPBoundTokenAsBearerError):
        dpop.decode_token(token, pub, algorithms=["ES256"], proof=None)
    assert dpop.decode_token(unbound, pub, algorithms=["ES256"], proof=None)["sub"] == "bob"
    with pytest.raises(DPoPBindingError):
        dpop.decode_token(unbound, pub, algorithms=["ES256"], proof=proof_for(client, unbound))
    with pytest.raises(InvalidDPoPProofError) as e:  # a proof made for another token
        dpop.decode_token(token, pub, algorithms=["ES256"], proof=proof_for(client, unbound))
    assert e.value.status_name == "JWTKIT_ERR_DPOP_ATH_MISMATCH"
    with pytest.raises(jwtkit.InvalidSignatureError):
        dpop.decode_token(token, client.pem(), algorithms=["ES256"], proof=proof_for(client, token))


# ---- RFC 9068 ----


def test_decode_access_token_applies_the_rfc9068_profile():
    issuer = EcKey()
    pem = issuer.pem()
    now = int(time.time())
    full = {"iss": "https://login.example", "exp": now + 60, "aud": "https://api.example", "sub": "alice",
            "client_id": "app", "iat": now, "jti": "t-1"}

    def make(c, typ="at+jwt"):
        return jwtkit.encode(c, pem, algorithm="ES256", headers={"typ": typ} if typ else None)

    kw = dict(algorithms=["ES256"], issuer="https://login.example", audience="https://api.example")
    pub = issuer.key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    assert jwtkit.decode_access_token(make(full), pub, **kw)["client_id"] == "app"
    assert jwtkit.decode_access_token(make(full, "application/at+jwt"), pub, **kw)["sub"] == "alice"
    with pytest.raises(InvalidTypError):
        jwtkit.decode_access_token(make(full, "JWT"), pub, **kw)
    for name in ("iss", "exp", "aud", "sub", "client_id", "iat", "jti"):
        with pytest.raises(MissingRequiredClaimError) as e:
            jwtkit.decode_access_token(make({k: v for k, v in full.items() if k != name}), pub, **kw)
        assert e.value.claim == name
    with pytest.raises(jwtkit.InvalidIssuerError):
        jwtkit.decode_access_token(make(dict(full, iss="https://evil.example")), pub, **kw)
    with pytest.raises(jwtkit.InvalidAudienceError):
        jwtkit.decode_access_token(make(dict(full, aud="https://other.example")), pub, **kw)
    with pytest.raises(TypeError):
        jwtkit.decode_access_token(make(full), pub, algorithms=["ES256"], issuer=["a"], audience="b")


def test_a_bound_refresh_token_needs_a_proof_by_its_key(policy):
    client, other = EcKey(), EcKey()
    at_token_endpoint = verify(forge(header(client), claims(htm="POST"), client), policy, method="POST")
    by_other = verify(forge(header(other), claims(htm="POST", jti="2"), other), policy, method="POST")
    bound = {"sub": "alice", "cnf": {"jkt": at_token_endpoint.jkt}}
    dpop.check_refresh_binding(bound, at_token_endpoint)
    with pytest.raises(DPoPBindingError) as e:
        dpop.check_refresh_binding(bound, by_other)
    assert e.value.status_name == "JWTKIT_ERR_DPOP_BINDING_MISMATCH"
    with pytest.raises(DPoPBoundTokenAsBearerError):
        dpop.check_refresh_binding(bound, None)
    dpop.check_refresh_binding({"sub": "bob"}, None)
    dpop.check_refresh_binding({"sub": "bob"}, by_other)
    with pytest.raises(InvalidArgumentError):  # an access token's rule needs a proof made for the token
        dpop.check_binding("a.b.c", bound, at_token_endpoint)
