"""PyJWKClient against a JWKS served by http.server on 127.0.0.1: fetching, caching,
rotation, unknown kids, a server that is down, bad answers."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import KEYS, text
import jwtkit as jwt


def jwk(name):
    return json.loads((KEYS / name).read_text())


class JWKSServer:
    """Serves `self.body` (bytes) with `self.status`, counting requests."""

    def __init__(self):
        self.body = b"{}"
        self.status = 200
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.requests += 1
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/.well-known/jwks.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def serve(self, *keys):
        self.body = json.dumps({"keys": list(keys)}).encode()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = JWKSServer()
    yield s
    s.stop()


EC_PUBLIC = jwk("ecp256.public.jwk.json")  # kid ec-1
ED_PUBLIC = jwk("ed25519.public.jwk.json")  # kid ed-1


def ec_token(claims=None, kid="ec-1"):
    return jwt.encode(claims or {"a": 1}, text("ecp256.pkcs8.pem"), algorithm="ES256", headers={"kid": kid})


def test_get_signing_key_from_jwt_and_decode(server):
    server.serve(EC_PUBLIC, ED_PUBLIC)
    client = jwt.PyJWKClient(server.url)
    token = ec_token({"sub": "x"})
    key = client.get_signing_key_from_jwt(token)
    assert key.key_id == "ec-1"
    assert jwt.decode(token, key.key, algorithms=["ES256"]) == {"sub": "x"}
    assert jwt.decode(token, key, algorithms=["ES256"]) == {"sub": "x"}
    assert jwt.decode(token, client.get_jwk_set(), algorithms=["ES256", "EdDSA"]) == {"sub": "x"}
    assert [k.key_id for k in client.get_signing_keys()] == ["ec-1", "ed-1"]
    assert server.requests == 1  # cached


def test_fetch_data(server):
    server.serve(EC_PUBLIC)
    assert jwt.PyJWKClient(server.url).fetch_data() == {"keys": [EC_PUBLIC]}


def test_cache_lifespan(server):
    server.serve(EC_PUBLIC)
    client = jwt.PyJWKClient(server.url, lifespan=0.2)
    client.get_signing_key("ec-1")
    client.get_signing_key("ec-1")
    assert server.requests == 1
    time.sleep(0.3)
    client.get_signing_key("ec-1")
    assert server.requests == 2


def test_no_jwk_set_cache(server):
    server.serve(EC_PUBLIC)
    client = jwt.PyJWKClient(server.url, cache_jwk_set=False)
    client.get_signing_key("ec-1")
    client.get_signing_key("ec-1")
    assert server.requests == 2


def test_rotation_refetches_on_an_unknown_kid(server):
    server.serve(EC_PUBLIC)
    client = jwt.PyJWKClient(server.url, cooldown_duration=0)
    assert client.get_signing_key_from_jwt(ec_token()).key_id == "ec-1"
    rotated = dict(EC_PUBLIC, kid="ec-2")
    server.serve(rotated)
    key = client.get_signing_key_from_jwt(ec_token(kid="ec-2"))
    assert key.key_id == "ec-2" and server.requests == 2
    assert jwt.decode(ec_token({"r": 2}, kid="ec-2"), key, algorithms=["ES256"]) == {"r": 2}
    with pytest.raises(jwt.PyJWKClientError, match='Unable to find a signing key that matches: "ec-1"'):
        client.get_signing_key("ec-1")  # the old key is gone after the refresh
    assert server.requests == 3


def test_cooldown_limits_refetches(server):
    server.serve(EC_PUBLIC)
    client = jwt.PyJWKClient(server.url, cooldown_duration=60)
    client.get_signing_key("ec-1")
    with pytest.raises(jwt.PyJWKClientError, match="Unable to find"):
        client.get_signing_key("unknown")
    assert server.requests == 1


def test_cache_keys(server):
    server.serve(EC_PUBLIC)
    client = jwt.PyJWKClient(server.url, cache_keys=True, cache_jwk_set=False)
    assert client.get_signing_key("ec-1") is client.get_signing_key("ec-1")
    assert server.requests == 1


def test_server_down():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = jwt.PyJWKClient(f"http://127.0.0.1:{port}/jwks.json", timeout=2)
    with pytest.raises(jwt.PyJWKClientConnectionError, match="Fail to fetch data from the url"):
        client.get_signing_key_from_jwt(ec_token())
    assert issubclass(jwt.PyJWKClientConnectionError, jwt.PyJWKClientError)


def test_server_goes_down_after_a_fetch(server):
    server.serve(EC_PUBLIC)
    client = jwt.PyJWKClient(server.url, cooldown_duration=0)
    assert client.get_signing_key("ec-1")
    server.stop()
    assert client.get_signing_key("ec-1").key_id == "ec-1"  # still cached
    with pytest.raises(jwt.PyJWKClientConnectionError):
        client.get_signing_key("ec-2")
    server.httpd = type("Stopped", (), {"shutdown": lambda self: None, "server_close": lambda self: None})()


def test_http_error_is_a_connection_error(server):
    server.status = 500
    with pytest.raises(jwt.PyJWKClientConnectionError):
        jwt.PyJWKClient(server.url).get_signing_keys()


# The library refuses an answer that is not a JWK Set with a usable key (a failed
# refresh, the keys fetched before stay): PyJWKClientError with JWTKIT_ERR_KEY_INVALID.
@pytest.mark.parametrize(
    "body, match",
    [
        (b"[]", "(?i)usable JWK Set.*JSON object"),
        (b"not json", "usable JWK Set.*invalid JSON"),
        (json.dumps({"keys": [dict(EC_PUBLIC, use="enc")]}).encode(), "usable JWK Set.*no usable key"),
    ],
)
def test_bad_answers(server, body, match):
    server.body = body
    with pytest.raises(jwt.PyJWKClientError, match=match) as e:
        jwt.PyJWKClient(server.url).get_signing_keys()
    assert e.value.status_name == "JWTKIT_ERR_KEY_INVALID"


def test_no_key_with_a_kid(server):
    server.body = json.dumps({"keys": [{k: v for k, v in EC_PUBLIC.items() if k != "kid"}]}).encode()
    with pytest.raises(jwt.PyJWKClientError, match="The JWKS endpoint did not contain any signing keys"):
        jwt.PyJWKClient(server.url).get_signing_keys()


def test_empty_key_set(server):
    # PyJWT raises PyJWKSetError here; the library refuses a set without keys as a
    # failed refresh, which PyJWKClient reports as a PyJWKClientError.
    server.serve()
    with pytest.raises(jwt.PyJWKClientError, match="no usable key"):
        jwt.PyJWKClient(server.url).get_signing_keys()


@pytest.mark.parametrize("uri", ["file:///etc/passwd", "ftp://x/y", "jwks.json"])
def test_only_http_urls(uri):
    with pytest.raises(jwt.PyJWKClientError, match="scheme"):
        jwt.PyJWKClient(uri)


def test_argument_checks():
    with pytest.raises(jwt.PyJWKClientError, match="Lifespan"):
        jwt.PyJWKClient("http://127.0.0.1/x", lifespan=0)
    with pytest.raises(jwt.PyJWKClientError, match="Cooldown"):
        jwt.PyJWKClient("http://127.0.0.1/x", cooldown_duration=-1)


def test_headers_are_sent(server):
    seen = {}
    server.serve(EC_PUBLIC)
    original = server.httpd.RequestHandlerClass.do_GET

    def do_get(handler):
        seen.update((k.lower(), v) for k, v in handler.headers.items())  # names are case-insensitive
        original(handler)

    server.httpd.RequestHandlerClass.do_GET = do_get
    jwt.PyJWKClient(server.url, headers={"X-Test": "1"}).get_signing_keys()
    assert seen.get("x-test") == "1"
