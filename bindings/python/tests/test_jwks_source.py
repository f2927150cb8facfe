"""PyJWKClient on the library's JWKS source, against the HTTPS test server of
tests/support (jwks_server.py): TLS with the test CA, rotation, 304, failures that keep
the keys fetched before, the errors of fetch_data, the refusals (http to a non-loopback
host, an ssl_context that does not verify), and an unknown-kid flood from 8 threads."""

import hashlib
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import KEYS, PACKAGE_ROOT, text
import jwtkit as jwt

SERVER = PACKAGE_ROOT.parent.parent / "tests" / "support" / "jwks_server.py"

EC_PUBLIC = json.loads((KEYS / "ecp256.public.jwk.json").read_text())  # kid ec-1
ED_PUBLIC = json.loads((KEYS / "ed25519.public.jwk.json").read_text())  # kid ed-1
EC_ROTATED = dict(EC_PUBLIC, kid="ec-2")


def ec_token(kid="ec-1", claims=None):
    return jwt.encode(claims or {"sub": "s"}, text("ecp256.pkcs8.pem"), algorithm="ES256", headers={"kid": kid})


class Server:
    """The running jwks_server.py: its URLs and CA, and its control files."""

    def __init__(self, d: Path, info: dict):
        self.dir = d
        self.https = info["https"] + "/jwks"
        self.http = info["http"] + "/jwks"
        self.http_port = info["http_port"]
        self.ca = info["ca"]
        self.other_ca = info["other_ca"]

    def put(self, name, content):
        tmp = self.dir / f".{name}.tmp"
        tmp.write_bytes(content if isinstance(content, bytes) else content.encode())
        os.replace(tmp, self.dir / name)

    def serve(self, *keys):
        self.put("jwks.json", json.dumps({"keys": list(keys)}))

    def mode(self, mode):
        self.put("mode", mode)

    def requests(self, path="/jwks"):
        try:
            lines = (self.dir / "headers.log").read_text().splitlines()
        except FileNotFoundError:
            return []
        return [e for e in map(json.loads, lines) if e["path"] == path]

    def fetches(self):
        return len(self.requests())

    def reset(self):
        for name in ("mode", "cache-control", "jwks.json", "headers.log"):
            (self.dir / name).unlink(missing_ok=True)

    def context(self, cafile=None):
        return ssl.create_default_context(cafile=cafile or self.ca)


@pytest.fixture(scope="module")
def server_process(tmp_path_factory):
    d = tmp_path_factory.mktemp("jwks-server")
    stderr = open(d / "stderr.txt", "wb")
    proc = subprocess.Popen([sys.executable, str(SERVER), str(d)], stdin=subprocess.PIPE, stderr=stderr)
    try:
        deadline = time.monotonic() + 15
        while not (d / "server.json").exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"jwks_server.py did not start: {(d / 'stderr.txt').read_text()}")
            time.sleep(0.02)
        yield Server(d, json.loads((d / "server.json").read_text()))
    finally:
        proc.stdin.close()  # end of stdin stops the server
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait(5)
        stderr.close()
    errors = (d / "stderr.txt").read_text()
    assert errors == "", f"jwks_server.py wrote to stderr:\n{errors}"


@pytest.fixture
def server(server_process):
    server_process.reset()
    server_process.serve(EC_PUBLIC, ED_PUBLIC)
    yield server_process
    server_process.reset()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- TLS -------------------------------------------------------------------------------


def test_https_with_the_servers_ca(server):
    client = jwt.PyJWKClient(server.https, ssl_context=server.context())
    token = ec_token()
    key = client.get_signing_key_from_jwt(token)
    assert key.key_id == "ec-1"
    assert jwt.decode(token, key.key, algorithms=["ES256"]) == {"sub": "s"}
    assert jwt.decode(token, key, algorithms=["ES256"]) == {"sub": "s"}
    jwk_set = client.get_jwk_set()
    assert jwt.decode(token, jwk_set, algorithms=["ES256", "EdDSA"]) == {"sub": "s"}
    assert client.get_jwk_set() is jwk_set  # the same set while the source's is the same
    assert [k.key_id for k in client.get_signing_keys()] == ["ec-1", "ed-1"]
    assert client.fetch_data() == {"keys": [EC_PUBLIC, ED_PUBLIC]}
    assert server.fetches() == 2  # the first use, and fetch_data


@pytest.mark.parametrize("which", ["other CA", "system CAs", "context without CAs"])
def test_https_with_an_untrusted_certificate(server, which):
    if which == "other CA":
        context = server.context(server.other_ca)
    elif which == "system CAs":
        context = None
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # no CA loaded: the system's are used
    client = jwt.PyJWKClient(server.https, ssl_context=context)
    with pytest.raises(jwt.PyJWKClientConnectionError, match="Fail to fetch data from the url"):
        client.get_signing_key("ec-1")
    assert server.fetches() == 0  # refused during the handshake


def test_a_context_that_does_not_verify_is_refused(server):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    for ctx in (context, ssl._create_unverified_context()):
        with pytest.raises(jwt.PyJWKClientError, match="CERT_NONE"):
            jwt.PyJWKClient(server.https, ssl_context=ctx)


# --- http --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://jwks.example/jwks", "http://10.0.0.1/jwks", "http://[2001:db8::1]/jwks"])
def test_http_is_refused_for_a_host_that_is_not_loopback(url):
    with pytest.raises(jwt.PyJWKClientError, match="plain http"):
        jwt.PyJWKClient(url)
    jwt.PyJWKClient(url, allow_http=True)  # nothing is fetched before the first use


def test_http_on_loopback(server):
    for url in (server.http, f"http://localhost:{server.http_port}/jwks"):
        assert jwt.PyJWKClient(url).get_signing_key("ed-1").key_id == "ed-1"
    jwt.PyJWKClient("http://[::1]:1/jwks")
    assert server.fetches() == 2
    assert {e["scheme"] for e in server.requests()} == {"http"}


# --- caching and rotation -----------------------------------------------------------------


def test_rotation(server):
    client = jwt.PyJWKClient(server.https, ssl_context=server.context(), cooldown_duration=0)
    assert client.get_signing_key_from_jwt(ec_token()).key_id == "ec-1"
    server.serve(EC_ROTATED)
    key = client.get_signing_key_from_jwt(ec_token("ec-2"))
    assert key.key_id == "ec-2" and server.fetches() == 2
    assert jwt.decode(ec_token("ec-2", {"r": 2}), key, algorithms=["ES256"]) == {"r": 2}
    with pytest.raises(jwt.PyJWKClientError, match='Unable to find a signing key that matches: "ec-1"'):
        client.get_signing_key("ec-1")
    assert server.fetches() == 3


def test_a_refresh_is_conditional(server):
    client = jwt.PyJWKClient(server.https, ssl_context=server.context())
    client.get_signing_key("ec-1")
    assert client.fetch_data() == {"keys": [EC_PUBLIC, ED_PUBLIC]}
    first, second = server.requests()
    assert "if-none-match" not in first["headers"]
    assert second["headers"].get("if-none-match")  # the ETag of the set it has
    assert client.get_signing_key("ec-1").key_id == "ec-1"
    assert server.fetches() == 2


def test_not_modified(server):
    client = jwt.PyJWKClient(server.https, ssl_context=server.context())
    client.get_signing_key("ec-1")
    assert client.fetch_data() == {"keys": [EC_PUBLIC, ED_PUBLIC]}  # answered 304, same set
    etag = '"%s"' % hashlib.sha256((server.dir / "jwks.json").read_bytes()).hexdigest()[:16]  # the server's
    assert server.requests()[1]["headers"]["if-none-match"] == etag
    assert client.get_signing_key("ec-1").key_id == "ec-1"


def test_headers_are_sent(server):
    client = jwt.PyJWKClient(server.https, ssl_context=server.context(), headers={"X-Api-Key": "k 1"})
    client.get_signing_keys()
    assert server.requests()[0]["headers"]["x-api-key"] == "k 1"


def test_max_age_shortens_the_lifespan_never_lengthens_it_and_stale_keys_serve(server):
    server.put("cache-control", "max-age=1")
    shortened = jwt.PyJWKClient(server.https, ssl_context=server.context(), lifespan=300)
    shortened.get_signing_key("ec-1")
    server.put("cache-control", "max-age=3600")
    bounded = jwt.PyJWKClient(server.https, ssl_context=server.context(), lifespan=1)
    bounded.get_signing_key("ec-1")
    assert server.fetches() == 2
    time.sleep(1.1)
    server.mode("500")
    # Both sets expired; the refreshes fail; the keys fetched before keep serving.
    assert shortened.get_signing_key("ec-1").key_id == "ec-1"
    assert bounded.get_signing_key("ec-1").key_id == "ec-1"
    assert server.fetches() == 4
    assert jwt.decode(ec_token(), bounded.get_signing_key("ec-1"), algorithms=["ES256"]) == {"sub": "s"}


# --- failures -----------------------------------------------------------------------------

FAILURES = [
    ("500", jwt.PyJWKClientConnectionError),
    ("invalid", jwt.PyJWKClientError),
    ("empty", jwt.PyJWKClientError),
    ("redirect-http", jwt.PyJWKClientConnectionError),
    ("slow:2", jwt.PyJWKClientConnectionError),
]


@pytest.mark.parametrize("mode, error", FAILURES, ids=[m for m, _ in FAILURES])
def test_a_failure_after_a_good_fetch_keeps_the_keys(server, mode, error):
    client = jwt.PyJWKClient(server.https, ssl_context=server.context(), cooldown_duration=0, timeout=0.5)
    token = ec_token()
    assert client.get_signing_key_from_jwt(token).key_id == "ec-1"
    server.mode(mode)
    with pytest.raises(error) as e:
        client.get_signing_key("ec-9")  # an unknown kid asks for a refresh, which fails
    assert (error is jwt.PyJWKClientConnectionError) == isinstance(e.value, jwt.PyJWKClientConnectionError)
    with pytest.raises(error):
        client.get_jwk_set(refresh=True)
    assert server.fetches() == 3
    key = client.get_signing_key_from_jwt(token)
    assert key.key_id == "ec-1"
    assert jwt.decode(token, key, algorithms=["ES256"]) == {"sub": "s"}
    assert [k.key_id for k in client.get_jwk_set().keys] == ["ec-1", "ed-1"]
    server.mode("ok")
    server.serve(EC_ROTATED)
    assert client.get_signing_key("ec-2").key_id == "ec-2"  # recovers


def test_fetch_data_errors(server):
    client = jwt.PyJWKClient(server.https, ssl_context=server.context())
    server.mode("500")
    with pytest.raises(jwt.PyJWKClientConnectionError, match='Fail to fetch data from the url, err: ".*HTTP 500') as e:
        client.fetch_data()
    assert e.value.status == jwt._ffi.JWTKIT_ERR_KEY_SOURCE
    server.mode("invalid")
    with pytest.raises(jwt.PyJWKClientError) as e:
        client.fetch_data()
    assert not isinstance(e.value, jwt.PyJWKClientConnectionError)
    assert e.value.status == jwt._ffi.JWTKIT_ERR_KEY_INVALID
    server.mode("ok")
    assert client.fetch_data() == {"keys": [EC_PUBLIC, ED_PUBLIC]}
    down = jwt.PyJWKClient(f"https://127.0.0.1:{free_port()}/jwks", ssl_context=server.context())
    with pytest.raises(jwt.PyJWKClientConnectionError, match="Fail to fetch data from the url"):
        down.fetch_data()
    with pytest.raises(jwt.PyJWKClientConnectionError):
        down.get_signing_key("ec-1")


# --- concurrency -------------------------------------------------------------------------


def test_an_unknown_kid_flood_makes_few_fetches(server):
    cooldown = 0.5
    client = jwt.PyJWKClient(server.https, ssl_context=server.context(), cooldown_duration=cooldown)
    token = ec_token()
    start = time.monotonic()
    stop = start + 1.5
    errors = []
    counts = [0] * 8

    def flood(i):
        try:
            n = 0
            while time.monotonic() < stop:
                with pytest.raises(jwt.PyJWKClientError, match="Unable to find"):
                    client.get_signing_key(f"forged-{i}-{n}")
                assert client.get_signing_key_from_jwt(token).key_id == "ec-1"
                n += 1
            counts[i] = n
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=flood, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    elapsed = time.monotonic() - start
    assert not errors, errors[0]
    assert all(counts)
    assert server.fetches() <= 1 + elapsed / cooldown + 1, (server.fetches(), elapsed, sum(counts))


def test_no_fetching_code_in_python():
    sources = "\n".join(p.read_text() for p in (PACKAGE_ROOT / "jwtkit").glob("*.py"))
    for name in ("urllib.request", "http.client", "urlopen", "import socket", "import requests"):
        assert name not in sources, name
