#!/usr/bin/env python3
"""A login service on jwtkit and the standard library: the JWT workflow end to end.

    POST /login                  JSON user name and password -> 15-minute access token
                                 (JSON) and a refresh token in an HttpOnly cookie; with a
                                 `DPoP` proof header, both are bound to the proof's key
                                 (`token_type: "DPoP"`, `cnf.jkt`, RFC 9449)
    GET  /me                     needs `Authorization: Bearer <access token>`, or
                                 `Authorization: DPoP <token>` and a `DPoP` proof
    POST /refresh                rotates the refresh token (replaying an old one ends the session)
    POST /logout                 revokes the access token and ends its session
    GET  /download-link?file=F   a 5-minute, single-use link for one file (needs a Bearer token)
    GET  /files/F?token=...      the file, once, for the holder of a link made for F
    GET  /.well-known/jwks.json  the public keys: other services verify without secrets

    python3 service.py --state DIR add-user alice       # reads the password from stdin
    python3 service.py --state DIR serve --port 8080    # REDIS_URL=redis://... to share sessions

Every token decision is jwtkit's: signature, algorithm allow-list, key by `kid`, `exp`,
`nbf`, `iat`, `iss`, `aud`, `typ`, required claims and the session check (through
`decode(..., is_revoked=...)`, the library's revocation hook), and every DPoP rule
(the proof's checks, its `jti` asked of the shared store, the token's binding to the
proof's key: `jwtkit.dpop`). This file only chooses the policy and keeps the shared
state. See README.md beside it.
"""

from __future__ import annotations

import argparse
import base64
import functools
import getpass
import hashlib
import hmac
import io
import json
import logging
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Protocol, Tuple
from urllib.parse import parse_qs, parse_qsl, quote, unquote, urlsplit

# From a source checkout, use the package of this checkout (bindings/python/jwtkit);
# an installed `pip install ./bindings/python` works the same.
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]
if (_PACKAGE_ROOT / "jwtkit" / "__init__.py").is_file():
    sys.path.insert(0, str(_PACKAGE_ROOT))

import jwtkit as jwt  # noqa: E402
from jwtkit import dpop  # noqa: E402

log = logging.getLogger("jwtkit-service")

Clock = Callable[[], float]

ACCESS_TTL = 15 * 60  # seconds
REFRESH_TTL = 7 * 24 * 3600
DOWNLOAD_TTL = 5 * 60
# Instances (and the machines of other verifiers) never agree on the time to the
# millisecond: a token stamped by a clock slightly ahead must not be "not valid yet".
CLOCK_LEEWAY = 5

ACCESS_TYP = "at+jwt"  # RFC 9068
REFRESH_TYP = "rt+jwt"  # the service's own: a refresh token is never an access token
DOWNLOAD_TYP = "dl+jwt"
LINK_ALG = "HS256"  # links are signed with a server-side secret, never the published key

REFRESH_COOKIE = "__Host-refresh"  # __Host-: Secure, Path=/, no Domain (browsers enforce it)
MAX_BODY = 16 * 1024
FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")

# The HTTP server: a fixed number of worker threads, a bounded queue of accepted
# connections waiting for one, and a deadline for receiving each whole request.
MAX_WORKERS = 8
MAX_QUEUED = 32
REQUEST_TIMEOUT = 10.0  # seconds from accepting a connection to having read its request
WRITE_TIMEOUT = 10.0  # seconds a client may stall while the answer is sent

# DPoP (RFC 9449): the algorithms a client's proofs may use, and how long a nonce the
# service hands out (DPoP-Nonce) stays current when nonces are required.
DPOP_ALGS = ("ES256", "EdDSA", "RS256", "PS256")
DPOP_NONCE_WINDOW = 5 * 60

# Login attempts allowed per fixed window, counted before any password is hashed.
LOGIN_WINDOW = 5 * 60
LOGIN_LIMIT_ACCOUNT = 10
LOGIN_LIMIT_ADDRESS = 30


# ---------------------------------------------------------------------------------
# Passwords: salted scrypt (hashlib), stored as "scrypt$N$r$p$salt$hash", so raising
# the parameters later only changes new hashes; old ones verify with their own.

# OWASP Password Storage Cheat Sheet: N=2^17, r=8, p=1 (128 MiB, about 0.3 s a hash).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
SALT_BYTES = 16
# Each hash holds 128 MiB for a moment: at most this many at once, whatever the
# number of request threads.
_HASHING = threading.BoundedSemaphore(2)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # hashlib's default maxmem (32 MiB) is below what N=2^17 needs (128 * N * r bytes).
    with _HASHING:
        return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r * p, dklen=32)


def hash_password(password: str, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """A new salted scrypt hash of ``password``, as stored in the user file."""
    salt = secrets.token_bytes(SALT_BYTES)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(_scrypt(password, salt, n, r, p))}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = _scrypt(password, _unb64(salt), int(n), int(r), int(p))
        return hmac.compare_digest(computed, _unb64(digest))
    except ValueError:
        return False


@functools.lru_cache(maxsize=None)
def _dummy_hash() -> str:
    # Made once per process: a hash costs 0.3 s and 128 MiB.
    return hash_password(secrets.token_urlsafe(16))


class UserStore:
    """User name -> scrypt hash, in a JSON file (mode 0600). Read-only while serving."""

    def __init__(self, users: Optional[Dict[str, str]] = None) -> None:
        self._users: Dict[str, str] = dict(users or {})

    @classmethod
    def load(cls, path: Path) -> "UserStore":
        return cls(json.loads(path.read_text()) if path.exists() else {})

    @staticmethod
    def add(path: Path, name: str, password: str) -> None:
        users = json.loads(path.read_text()) if path.exists() else {}
        users[name] = hash_password(password)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".users.")
        with os.fdopen(fd, "w") as f:  # mkstemp makes it 0600
            json.dump(users, f, indent=1, sort_keys=True)
        os.replace(tmp, path)

    def __len__(self) -> int:
        return len(self._users)

    def check(self, name: str, password: str) -> bool:
        stored = self._users.get(name)
        # Unknown users cost one scrypt too, so timing does not tell which names exist.
        ok = check_password(password, stored if stored is not None else _dummy_hash())
        return ok and stored is not None


# ---------------------------------------------------------------------------------
# Shared state: sessions, spent and revoked token ids, login counters. One small
# interface, two implementations.
#
# A session exists only while the store holds it, and holds the id of its one valid
# refresh token. So state the store has lost (a restart without persistence, a
# failover, an eviction) means "refuse": losing data logs people out, it never brings
# a revoked or spent token back to life.


class Store(Protocol):
    def open_session(self, sid: str, refresh_jti: str, expires_at: float) -> None:
        """Starts session ``sid`` with ``refresh_jti`` as its valid refresh token."""

    def refresh_jti(self, sid: str) -> Optional[str]:
        """The session's current refresh token id; None when there is no such session."""

    def rotate(self, sid: str, old_jti: str, new_jti: str, expires_at: float) -> bool:
        """Atomically: if the current refresh token id is ``old_jti``, make it
        ``new_jti`` (the session then lasts until ``expires_at``) and return True;
        otherwise end the session and return False."""

    def end_session(self, sid: str) -> None:
        """Forgets the session: none of its tokens is accepted from now on."""

    def active(self, sid: str, *revoked: str) -> bool:
        """Session ``sid`` exists and none of the ``revoked`` keys is set."""

    def add(self, key: str, expires_at: float) -> bool:
        """Sets ``key`` until ``expires_at`` (Unix seconds) unless it is set; False if
        it was (of several callers, exactly one gets True)."""

    def hit(self, key: str, window: int) -> Tuple[int, float]:
        """Counts one event for ``key`` in a fixed window of ``window`` seconds: the
        count so far, and the seconds until the window ends."""


class MemoryStore:
    """One process's state: a dict, a lock, and expired entries swept now and then."""

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._entries: Dict[str, Tuple[Any, float]] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def _get(self, key: str) -> Any:
        entry = self._entries.get(key)
        return entry[0] if entry is not None and entry[1] > self._clock() else None

    def _set(self, key: str, value: Any, expires_at: float) -> None:
        now = self._clock()
        if now >= self._next_sweep:
            self._entries = {k: e for k, e in self._entries.items() if e[1] > now}
            self._next_sweep = now + 60
        self._entries[key] = (value, expires_at)

    def open_session(self, sid: str, refresh_jti: str, expires_at: float) -> None:
        with self._lock:
            self._set(f"session:{sid}", refresh_jti, expires_at)

    def refresh_jti(self, sid: str) -> Optional[str]:
        with self._lock:
            return self._get(f"session:{sid}")  # type: ignore[no-any-return]

    def rotate(self, sid: str, old_jti: str, new_jti: str, expires_at: float) -> bool:
        with self._lock:
            if self._get(f"session:{sid}") == old_jti:
                self._set(f"session:{sid}", new_jti, expires_at)
                return True
            self._entries.pop(f"session:{sid}", None)
            return False

    def end_session(self, sid: str) -> None:
        with self._lock:
            self._entries.pop(f"session:{sid}", None)

    def active(self, sid: str, *revoked: str) -> bool:
        with self._lock:
            return self._get(f"session:{sid}") is not None and all(self._get(k) is None for k in revoked)

    def add(self, key: str, expires_at: float) -> bool:
        with self._lock:
            if self._get(key) is not None:
                return False
            self._set(key, True, expires_at)
            return True

    def hit(self, key: str, window: int) -> Tuple[int, float]:
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            count, ends = (entry[0] + 1, entry[1]) if entry is not None and entry[1] > now else (1, now + window)
            self._set(key, count, ends)
            return count, ends - now

    def __len__(self) -> int:
        now = self._clock()
        return sum(1 for _, t in list(self._entries.values()) if t > now)


# Compare-and-set of a session's refresh token id, in one step on the server: of two
# requests racing with one token exactly one finds it current.
_ROTATE = """
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
    redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
    return 1
end
redis.call('DEL', KEYS[1])
return 0
"""

# A fixed-window counter: the first hit of a window sets its expiry.
_HIT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


class RedisStore:
    """State that several instances share. Needs a Redis that keeps what it was given:
    ``maxmemory-policy noeviction`` (a full Redis refuses writes, so logins fail, instead
    of silently dropping sessions or revocations) and persistence (``appendonly yes``)
    so a restart does not log everyone out. See README.md."""

    def __init__(self, url: str, prefix: str = "jwtkit-service:", clock: Clock = time.time) -> None:
        import redis  # redis-py, only needed with REDIS_URL

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._prefix = prefix
        self._clock = clock
        self._rotate = self._redis.register_script(_ROTATE)
        self._hit = self._redis.register_script(_HIT)

    def _ms(self, expires_at: float) -> int:
        return max(1, math.ceil((expires_at - self._clock()) * 1000))

    def open_session(self, sid: str, refresh_jti: str, expires_at: float) -> None:
        self._redis.set(f"{self._prefix}session:{sid}", refresh_jti, px=self._ms(expires_at))

    def refresh_jti(self, sid: str) -> Optional[str]:
        value = self._redis.get(f"{self._prefix}session:{sid}")
        return value.decode() if value is not None else None

    def rotate(self, sid: str, old_jti: str, new_jti: str, expires_at: float) -> bool:
        return self._rotate(keys=[f"{self._prefix}session:{sid}"], args=[old_jti, new_jti, self._ms(expires_at)]) == 1

    def end_session(self, sid: str) -> None:
        self._redis.delete(f"{self._prefix}session:{sid}")

    def active(self, sid: str, *revoked: str) -> bool:
        pipe = self._redis.pipeline(transaction=False)
        pipe.exists(f"{self._prefix}session:{sid}")
        if revoked:
            pipe.exists(*(self._prefix + k for k in revoked))
        found = pipe.execute()
        return found[0] == 1 and (not revoked or found[1] == 0)

    def add(self, key: str, expires_at: float) -> bool:
        return bool(self._redis.set(self._prefix + key, b"1", px=self._ms(expires_at), nx=True))

    def hit(self, key: str, window: int) -> Tuple[int, float]:
        count, ttl_ms = self._hit(keys=[self._prefix + key], args=[window * 1000])
        return int(count), int(ttl_ms) / 1000

    def ttl(self, key: str) -> int:
        """Seconds Redis keeps ``key`` (-2: absent), for tests and operators."""
        return int(self._redis.ttl(self._prefix + key))

    def check_settings(self) -> List[str]:
        """What in the server's settings can lose state (empty: nothing seen)."""
        try:
            config = self._redis.config_get("maxmemory-policy")
            config.update(self._redis.config_get("appendonly"))
            config.update(self._redis.config_get("save"))
        except Exception as e:  # noqa: BLE001 - managed Redis often disables CONFIG
            return [f"cannot read the Redis settings ({e}): make sure of maxmemory-policy noeviction and persistence"]
        problems = []
        if config.get("maxmemory-policy") != "noeviction":
            problems.append(f"maxmemory-policy is {config.get('maxmemory-policy')}, not noeviction: "
                            "a full Redis evicts sessions (users are logged out) and spent-link marks")
        if config.get("appendonly") != "yes" and not config.get("save"):
            problems.append("Redis has no persistence (appendonly no, no save points): a restart logs everyone out")
        return problems


def store_from_env(clock: Clock = time.time) -> Store:
    url = os.environ.get("REDIS_URL")
    if url:
        store = RedisStore(url, os.environ.get("SERVICE_REDIS_PREFIX", "jwtkit-service:"), clock)
        for problem in store.check_settings():
            log.warning("%s", problem)
        return store
    return MemoryStore(clock)


# ---------------------------------------------------------------------------------
# Keys: private JWK files, made at first start with `jwtkit keygen`.


def find_cli() -> Optional[str]:
    return os.environ.get("JWTKIT_CLI") or shutil.which("jwtkit")


def ensure_key(path: Path, alg: str = "ES256", cli: Optional[str] = None) -> Path:
    """Creates ``path`` with ``jwtkit keygen --alg ALG`` unless it exists. The file
    (mode 0600) appears at once, complete, even with several instances starting together."""
    if path.exists():
        return path
    cli = cli or find_cli()
    if not cli:
        raise SystemExit(
            f"no key at {path} and no `jwtkit` tool to make one: build it "
            "(PREFIX=$HOME/.local bash scripts/install.sh), set JWTKIT_CLI, or run "
            f"`jwtkit keygen --alg {alg} --out {path}` yourself"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    # keygen writes through an unpredictable temporary file and never replaces an
    # existing one: if another instance made the key first, keygen refuses (exit 2) and
    # that instance's key is used.
    made = subprocess.run([cli, "keygen", "--alg", alg, "--out", str(path)], timeout=30, capture_output=True, text=True)
    if made.returncode != 0:
        if made.returncode == 2 and path.exists():
            return path
        raise SystemExit(f"`jwtkit keygen` failed ({made.returncode}): {made.stderr.strip()}")
    log.info("generated a %s key in %s", alg, path)
    return path


# ---------------------------------------------------------------------------------
# The service logic, without HTTP.


class AuthError(Exception):
    """A request the service refuses: ``status``, an OAuth-style ``error`` code and a
    short ``description`` that is safe to show (the library's detail is only logged)."""

    def __init__(self, status: int, error: str, description: str, headers: Optional[Dict[str, str]] = None,
                 scheme: str = "Bearer") -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.headers = headers or {}
        #: The authentication scheme a 401's challenge names the error for (Bearer, DPoP).
        self.scheme = scheme


# What a client may learn about a refused token (RFC 6750 error_description: printable
# ASCII without quotes or backslashes). Checked in order: subclasses first.
_REASONS: List[Tuple[type, str]] = [
    (jwt.DPoPBoundTokenAsBearerError, "the token is bound to a DPoP key: send it as Authorization: DPoP with a proof"),
    (jwt.DPoPBindingError, "the token is not bound to the key of the DPoP proof"),
    (jwt.RevokedTokenError, "the token was revoked"),
    (jwt.ExpiredSignatureError, "the token expired"),
    (jwt.ImmatureSignatureError, "the token is not valid yet"),
    (jwt.InvalidSignatureError, "the signature does not verify"),
    (jwt.KeyNotFoundError, "the token was not signed by a key of this service"),
    (jwt.InvalidAlgorithmError, "the algorithm is not accepted"),
    (jwt.InvalidAudienceError, "the token is for another audience"),
    (jwt.InvalidIssuerError, "the token is from another issuer"),
    (jwt.InvalidTypError, "the token is not of the expected type"),
    (jwt.MissingRequiredClaimError, "the token lacks a required claim"),
    (jwt.InvalidIssuedAtError, "the token was issued in the future"),
    (jwt.DecodeError, "the token is malformed"),
]


def describe(error: jwt.InvalidTokenError) -> str:
    for cls, text in _REASONS:
        if isinstance(error, cls):
            return text
    return "the token is invalid"


# What a client may learn about a refused DPoP proof, by the check that failed (the
# library's status, as data).
_PROOF_REASONS: Dict[str, str] = {
    "JWTKIT_ERR_DPOP_REPLAYED": "the proof was used before",
    "JWTKIT_ERR_TOO_OLD": "the proof is too old (iat)",
    "JWTKIT_ERR_ISSUED_IN_FUTURE": "the proof is from the future (iat)",
    "JWTKIT_ERR_DPOP_HTM_MISMATCH": "the proof is for another method (htm)",
    "JWTKIT_ERR_DPOP_HTU_MISMATCH": "the proof is for another URI (htu)",
    "JWTKIT_ERR_DPOP_ATH_MISMATCH": "the proof is for another access token (ath)",
    "JWTKIT_ERR_DPOP_PRIVATE_JWK": "the proof carries a private key",
    "JWTKIT_ERR_SIGNATURE_INVALID": "the proof's signature does not verify",
    "JWTKIT_ERR_ALG_NOT_ALLOWED": "the proof's algorithm is not accepted",
    "JWTKIT_ERR_TOKEN_MALFORMED": "send exactly one well-formed DPoP proof",
}


def describe_proof(error: jwt.InvalidDPoPProofError) -> str:
    return _PROOF_REASONS.get(error.status_name or "", "the DPoP proof is invalid")


def new_link_key() -> Dict[str, Any]:
    """A random HMAC key for download links, for a single process (instances that share
    links share a key file instead: see build_service)."""
    return {"kty": "oct", "k": _b64(secrets.token_bytes(32)), "alg": LINK_ALG, "kid": "links-" + secrets.token_hex(4)}


class TokenService:
    """Issues and checks the three kinds of token. Thread-safe: the keys, policies and
    store are shared by every request thread.

    ``clock`` (Unix seconds) stamps ``iat``/``nbf``/``exp`` and ages the in-memory
    store; tests move it back to make tokens old. jwtkit checks the times against the
    system clock, with ``leeway`` seconds of tolerance.
    """

    def __init__(
        self,
        key: Dict[str, Any],
        users: UserStore,
        store: Optional[Store] = None,
        *,
        issuer: str = "https://jwtkit-service.example",
        files_dir: Optional[Path] = None,
        clock: Clock = time.time,
        leeway: int = CLOCK_LEEWAY,
        link_key: Optional[Dict[str, Any]] = None,
        origin: Optional[str] = None,
        require_dpop_nonce: bool = False,
    ) -> None:
        self.signing_key = jwt.PyJWK(key)
        self.alg = self.signing_key.algorithm_name
        public = self.signing_key.public_jwk()
        public.setdefault("kid", self.signing_key.thumbprint())
        self.kid: str = public["kid"]
        self.jwks: Dict[str, Any] = {"keys": [public]}
        # Tokens are verified with the published set, as any other service would: the
        # library picks the key by the token's `kid`.
        self.verify_keys = jwt.PyJWKSet.from_dict(self.jwks)
        # Download links travel in URLs and leak (history, proxies, Referer). They are
        # signed with a secret that is never published, so nothing that trusts the
        # JWKS can ever take a leaked link for an access token.
        link_key = link_key or new_link_key()
        self.link_key = jwt.PyJWK(link_key)
        if self.link_key.algorithm_name != LINK_ALG:
            raise ValueError(f"the link key must be an {LINK_ALG} key")
        # DPoP: proofs of the algorithms above, each `jti` asked of the shared store (a
        # proof replayed on any instance is refused); nonces, when required, are derived
        # from the secret the instances already share, so any instance accepts any's.
        self.dpop_policy = dpop.DPoPPolicy(list(DPOP_ALGS), replay_check=self._dpop_seen)
        self.require_dpop_nonce = require_dpop_nonce
        self._nonce_secret = hashlib.sha256(b"jwtkit-service dpop nonce|" + _unb64(link_key["k"])).digest()
        self.users = users
        self.store: Store = store if store is not None else MemoryStore(clock)
        self.issuer = issuer
        split = urlsplit(issuer)
        # The one origin whose pages may POST here (checked against Origin), and the
        # service's own URL: a DPoP proof's htu is this origin and the request's path.
        self.origin = origin or f"{split.scheme}://{split.netloc}"
        self.access_audience = issuer + "/api"
        self.refresh_audience = issuer + "/refresh"
        self.files_dir = files_dir
        self.clock = clock
        self.leeway = leeway
        self.login_window = LOGIN_WINDOW
        self.login_limit_account = LOGIN_LIMIT_ACCOUNT
        self.login_limit_address = LOGIN_LIMIT_ADDRESS

    @contextmanager
    def _state(self) -> Iterator[None]:
        """Store failures become 503: without its state the service refuses."""
        try:
            yield
        except AuthError:
            raise
        except Exception as e:
            log.error("session store unavailable: %r", e)
            raise AuthError(503, "temporarily_unavailable", "the session store is unavailable") from e

    # -- issuing -------------------------------------------------------------------

    def _claims(self, claims: Dict[str, Any], ttl: int) -> Dict[str, Any]:
        now = int(self.clock())
        return {"iss": self.issuer, "iat": now, "nbf": now, "exp": now + ttl, "jti": secrets.token_urlsafe(16), **claims}

    def _sign(self, claims: Dict[str, Any], typ: str, ttl: int) -> Tuple[str, Dict[str, Any]]:
        claims = self._claims(claims, ttl)
        token = jwt.encode(claims, self.signing_key, algorithm=self.alg, headers={"kid": self.kid, "typ": typ})
        return token, claims

    def _pair(self, user: str, sid: str, jkt: Optional[str] = None) -> Tuple[str, str, Dict[str, Any]]:
        # A session started with a DPoP proof: both tokens are bound to its key.
        bound = {"cnf": {"jkt": jkt}} if jkt else {}
        access, _ = self._sign(
            {"sub": user, "aud": self.access_audience, "sid": sid, "client_id": "jwtkit-service", **bound},
            ACCESS_TYP,
            ACCESS_TTL,
        )
        refresh, claims = self._sign(
            {"sub": user, "aud": self.refresh_audience, "sid": sid, **bound}, REFRESH_TYP, REFRESH_TTL
        )
        return access, refresh, claims

    def issue_session(self, user: str, jkt: Optional[str] = None) -> Tuple[str, str]:
        """A new session for ``user``: an access token and a refresh token, bound to
        the DPoP key ``jkt`` when given. ``sid`` names the session, which is also the
        refresh-token family."""
        sid = secrets.token_urlsafe(16)
        access, refresh, claims = self._pair(user, sid, jkt)
        with self._state():
            self.store.open_session(sid, claims["jti"], claims["exp"] + self.leeway)
        return access, refresh

    def issue_download(self, user: str, sid: str, name: str) -> str:
        claims = self._claims({"sub": user, "aud": self.file_audience(name), "sid": sid}, DOWNLOAD_TTL)
        return jwt.encode(claims, self.link_key, algorithm=LINK_ALG, headers={"kid": self.link_key.key_id, "typ": DOWNLOAD_TYP})

    def file_audience(self, name: str) -> str:
        # The link's audience is the one file: jwtkit's audience check binds it.
        return f"{self.issuer}/files/{quote(name, safe='')}"

    # -- revocation hooks (called by jwtkit, last, after every other check passed) ---

    def _access_revoked(self, jti: Optional[str], claims: Dict[str, Any]) -> bool:
        """Access tokens: refused once logged out, or when their session is not in the
        store (ended, replayed, or lost)."""
        return not self.store.active(str(claims.get("sid")), f"jti:{jti}")

    def _link_revoked(self, jti: Optional[str], claims: Dict[str, Any]) -> bool:
        """Download links: refused once their session is gone (spending is separate)."""
        return not self.store.active(str(claims.get("sid")))

    def _refresh_revoked(self, jti: Optional[str], claims: Dict[str, Any]) -> bool:
        """Refresh tokens: only the session's current one is accepted. A spent one
        coming back means two parties hold the family (a stolen cookie, or a client
        replaying). The genuine user cannot be told apart from the thief, so the whole
        session ends."""
        sid = str(claims.get("sid"))
        current = self.store.refresh_jti(sid)
        if current is None:
            return True
        if current != jti:
            log.warning("refresh token %s of session %s replayed: ending the session", jti, sid)
            self.store.end_session(sid)
            return True
        return False

    # -- DPoP --------------------------------------------------------------------------

    def _dpop_seen(self, jkt: str, jti: str, expires_at: int) -> bool:
        """The library's replay question: was ``jti`` seen for key ``jkt``? Checks and
        records in one step (Redis: SET NX), shared by every instance. A store failure
        raises, and the library refuses the proof."""
        key = f"dpop:{jkt}:{hashlib.sha256(jti.encode('utf-8')).hexdigest()[:32]}"
        return not self.store.add(key, expires_at + self.leeway)

    def dpop_nonce(self) -> str:
        """The current nonce (when required): the same on every instance for
        DPOP_NONCE_WINDOW seconds, unguessable without the shared secret."""
        window = int(self.clock()) // DPOP_NONCE_WINDOW
        return _b64(hmac.new(self._nonce_secret, str(window).encode(), hashlib.sha256).digest()[:18])

    def check_proof(self, proofs: List[str], method: str, path: str, access_token: Optional[str],
                    token_endpoint: bool) -> dpop.DPoPProof:
        """The request's DPoP proof (every ``DPoP`` header, joined: more than one is
        refused by the library), checked for ``method`` and this service's URL of
        ``path``. Refusals are RFC 9449's: ``invalid_dpop_proof``, or ``use_dpop_nonce``
        with a fresh ``DPoP-Nonce``; 400 at the token endpoint (/login, /refresh), 401
        with a DPoP challenge at a resource."""
        status = 400 if token_endpoint else 401
        if not proofs:
            raise AuthError(status, "invalid_dpop_proof", "no DPoP proof", scheme="DPoP")
        nonce = self.dpop_nonce() if self.require_dpop_nonce else None
        try:
            return dpop.verify_proof(",".join(proofs), method=method, uri=self.origin + path,
                                     access_token=access_token, nonce=nonce, policy=self.dpop_policy)
        except jwt.UseDPoPNonceError as e:
            log.info("DPoP proof without the current nonce: %s", e.detail)
            raise AuthError(status, "use_dpop_nonce", "send a DPoP proof with the nonce in DPoP-Nonce",
                            {"DPoP-Nonce": self.dpop_nonce()}, scheme="DPoP") from e
        except jwt.DPoPReplayCheckError as e:
            log.error("session store unavailable (DPoP replay check): %r", e.__cause__)
            raise AuthError(503, "temporarily_unavailable", "the session store is unavailable") from e
        except jwt.InvalidDPoPProofError as e:
            log.info("DPoP proof refused: %s: %s", e.status_name, e.detail)
            raise AuthError(status, "invalid_dpop_proof", describe_proof(e), scheme="DPoP") from e
        except jwt.InvalidArgumentError as e:  # a request path that is no URI path
            raise AuthError(400, "invalid_request", "the request target is not a valid URI path") from e

    # -- checking --------------------------------------------------------------------

    def _check(self, token: str, key: Any, alg: str, audience: str, typ: str, hook: Callable[..., bool],
               what: str) -> Dict[str, Any]:
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=audience,
                issuer=self.issuer,
                leeway=self.leeway,
                typ=typ,
                options={"require": ["exp", "iat", "sub", "jti", "sid"]},
                is_revoked=hook,
            )
        except jwt.RevokedTokenError as e:
            if e.__cause__ is not None:  # the store failed: jwtkit refused (fail closed)
                log.error("session store unavailable: %r", e.__cause__)
                raise AuthError(503, "temporarily_unavailable", "the session store is unavailable") from e
            log.info("%s refused: revoked (logged out, or its session ended)", what)
            raise AuthError(401, "invalid_token", describe(e)) from e
        except jwt.InvalidTokenError as e:
            log.info("%s refused: %s: %s", what, type(e).__name__, getattr(e, "detail", None) or e)
            raise AuthError(401, "invalid_token", describe(e)) from e

    def check_access(self, token: str, proof: Optional[dpop.DPoPProof] = None) -> Dict[str, Any]:
        """An access token's claims. ``proof``: the request's verified DPoP proof
        (``Authorization: DPoP``), which the token must be bound to; None for
        ``Authorization: Bearer``, which a DPoP-bound token is refused with."""
        try:
            claims = self._check(token, self.verify_keys, self.alg, self.access_audience, ACCESS_TYP,
                                 self._access_revoked, "access token")
        except AuthError as e:
            if proof is not None:
                e.scheme = "DPoP"  # the error goes in the challenge of the scheme the request used
            raise
        try:
            dpop.check_binding(token, claims, proof)
        except jwt.InvalidTokenError as e:
            log.info("access token refused: %s: %s", e.status_name, e.detail)
            raise AuthError(401, "invalid_token", describe(e), scheme="DPoP") from e
        return claims

    def use_download(self, token: str, name: str) -> Dict[str, Any]:
        """Checks a link for file ``name`` and spends it: a link works once."""
        claims = self._check(token, self.link_key, LINK_ALG, self.file_audience(name), DOWNLOAD_TYP,
                             self._link_revoked, "download link")
        with self._state():
            first = self.store.add(f"link:{claims['jti']}", claims["exp"] + self.leeway)
        if not first:
            log.info("download link %s refused: already used", claims["jti"])
            raise AuthError(401, "invalid_token", "the link was already used")
        return claims

    # -- the flows ---------------------------------------------------------------------

    def _limit(self, key: str, limit: int) -> None:
        with self._state():
            count, left = self.store.hit(key, self.login_window)
        if count > limit:
            raise AuthError(429, "too_many_attempts", "too many login attempts, try again later",
                            {"Retry-After": str(max(1, math.ceil(left)))})

    def login(self, user: str, password: str, address: str = "-", jkt: Optional[str] = None) -> Tuple[str, str]:
        # Counted before hashing: each attempt costs 0.3 s of CPU and 128 MiB.
        self._limit(f"login:addr:{address}", self.login_limit_address)
        self._limit(f"login:user:{hashlib.sha256(user.encode('utf-8')).hexdigest()[:32]}", self.login_limit_account)
        if not self.users.check(user, password):
            log.info("login refused for %r from %s", user[:64], address)
            raise AuthError(401, "invalid_grant", "wrong user name or password")
        return self.issue_session(user, jkt)

    def refresh(self, refresh_token: str, proof: Optional[dpop.DPoPProof] = None) -> Tuple[str, str, bool]:
        """Rotation: the presented token is spent, the session gets a new pair (and
        whether it is DPoP-bound). A session bound to a DPoP key is refreshed only with
        a proof by that key (RFC 9449 §5); its new tokens stay bound to it."""
        with self._state():
            claims = self._check(refresh_token, self.verify_keys, self.alg, self.refresh_audience, REFRESH_TYP,
                                 self._refresh_revoked, "refresh token")
            try:
                dpop.check_refresh_binding(claims, proof)
            except jwt.DPoPBoundTokenAsBearerError as e:
                raise AuthError(400, "invalid_dpop_proof", "this session is bound to a DPoP key: send a DPoP proof",
                                scheme="DPoP") from e
            except jwt.InvalidTokenError as e:
                log.info("refresh token refused: %s: %s", e.status_name, e.detail)
                raise AuthError(401, "invalid_token", describe(e)) from e
            bound = claims.get("cnf", {}).get("jkt") or (proof.jkt if proof is not None else None)
            access, refresh, new = self._pair(claims["sub"], claims["sid"], bound)
            # Compare-and-set: of two requests racing with one token, one wins; the
            # other is a replay and ends the session (the winner's new tokens included).
            if not self.store.rotate(claims["sid"], claims["jti"], new["jti"], new["exp"] + self.leeway):
                log.warning("refresh token %s presented twice at once: session ended", claims["jti"])
                raise AuthError(401, "invalid_token", describe(jwt.RevokedTokenError()))
        return access, refresh, bound is not None

    def logout(self, access_claims: Dict[str, Any]) -> None:
        """Ends the session (its refresh token, access tokens and links) and denies the
        access token itself until it expires, leeway included."""
        with self._state():
            self.store.add(f"jti:{access_claims['jti']}", access_claims["exp"] + self.leeway)
            self.store.end_session(access_claims["sid"])

    def file_path(self, name: str) -> Path:
        if self.files_dir is None or not FILE_NAME.fullmatch(name):
            raise AuthError(404, "not_found", "no such file")
        path = self.files_dir / name
        if not path.is_file():
            raise AuthError(404, "not_found", "no such file")
        return path


# ---------------------------------------------------------------------------------
# HTTP

# C0 and C1 control characters and DEL, shown as \xNN in log lines: a request line
# must not move a terminal's cursor or forge a log entry.
_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}


def log_safe(text: str) -> str:
    return text.translate(_CONTROL)


def log_target(target: str) -> str:
    """A request target fit for the log: the path, and the query re-encoded from its
    parsed form with the decoded ``token`` parameter redacted (so `%74oken=` is
    caught too). The raw query is never logged."""
    url = urlsplit(target)
    if not url.query:
        return log_safe(url.path)
    pairs = parse_qsl(url.query, keep_blank_values=True, errors="replace")
    query = "&".join(f"{quote(k, safe='')}={'[redacted]' if k == 'token' else quote(v, safe='')}" for k, v in pairs)
    return log_safe(f"{url.path}?{query}")


class _DeadlineReader(io.RawIOBase):
    """The socket's reading side with one deadline for the whole request: each read
    may wait only for what is left of it, so a client trickling bytes cannot hold a
    worker longer than that (a per-read timeout would restart with every byte)."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("request deadline passed")
        self._sock.settimeout(left)
        return self._sock.recv_into(buffer)


class Handler(BaseHTTPRequestHandler):
    server_version = "jwtkit-service/0.1"

    def version_string(self) -> str:
        return self.server_version  # no Python version in the Server header

    def setup(self) -> None:
        super().setup()
        deadline = time.monotonic() + self.server.request_timeout  # type: ignore[attr-defined]
        self.rfile = io.BufferedReader(_DeadlineReader(self.connection, deadline))

    @property
    def app(self) -> TokenService:
        return self.server.app  # type: ignore[attr-defined, no-any-return]

    # -- plumbing --------------------------------------------------------------------

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        command, path = getattr(self, "command", None), getattr(self, "path", None)
        if command and path is not None:
            log.info("%s %s %s %s", self.address_string(), log_safe(command), log_target(path), code)
        else:  # the request line did not parse: nothing of it is logged
            log.info("%s - %s", self.address_string(), code)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        # Errors such as "Bad request syntax (%r)" quote the raw request line: drop
        # every query from it, and escape what remains.
        text = re.sub(r"\?[^\s'\"]*", "?[redacted]", format % args)
        log.info("%s %s", self.address_string(), log_safe(text))

    def send_response(self, code: int, message: Optional[str] = None) -> None:
        # Reading is over (or given up): the answer gets its own timeout, not what is
        # left of the request's deadline. send_error comes through here too.
        self.connection.settimeout(WRITE_TIMEOUT)
        super().send_response(code, message)

    def _send(
        self, status: int, body: Any = None, headers: Optional[Dict[str, str]] = None, cookies: Iterable[str] = (),
        challenges: Iterable[str] = (),
    ) -> None:
        if isinstance(body, (dict, list)):
            data = (json.dumps(body) + "\n").encode("utf-8")
            ctype = "application/json"
        else:
            data = body or b""
            ctype = "application/octet-stream"
        self.send_response(status)
        if data:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        for cookie in cookies:
            self.send_header("Set-Cookie", cookie)
        for challenge in challenges:
            self.send_header("WWW-Authenticate", challenge)
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)

    _DPOP_CHALLENGE = f'DPoP realm="jwtkit-service", algs="{" ".join(DPOP_ALGS)}"'

    def _error(self, e: AuthError, bearer: bool = False, cookies: Iterable[str] = ()) -> None:
        headers = {"Cache-Control": "no-store", **e.headers}
        challenges = []
        if e.status == 401:
            # RFC 6750 §3 and RFC 9449 §7.1: the error goes in the challenge of the scheme
            # it concerns (none when the request carried no token at all); both schemes
            # are offered.
            params = f', error="{e.error}", error_description="{e.description}"'
            if e.scheme == "DPoP":
                challenges = [self._DPOP_CHALLENGE + params, 'Bearer realm="jwtkit-service"']
            else:
                challenges = ['Bearer realm="jwtkit-service"' + (params if bearer else ""), self._DPOP_CHALLENGE]
        self._send(e.status, {"error": e.error, "error_description": e.description}, headers, cookies, challenges)

    def _refresh_cookie(self, token: str) -> str:
        return f"{REFRESH_COOKIE}={token}; Max-Age={REFRESH_TTL}; Path=/; HttpOnly; Secure; SameSite=Strict"

    _CLEAR_COOKIE = f"{REFRESH_COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict"

    def _tokens(self, access: str, refresh: str, dpop_bound: bool = False) -> None:
        headers = {"Cache-Control": "no-store"}
        if dpop_bound and self.app.require_dpop_nonce:
            headers["DPoP-Nonce"] = self.app.dpop_nonce()
        self._send(
            200,
            {"access_token": access, "token_type": "DPoP" if dpop_bound else "Bearer", "expires_in": ACCESS_TTL},
            headers,
            [self._refresh_cookie(refresh)],
        )

    def _proofs(self) -> List[str]:
        """Every `DPoP` header of the request (the library refuses more than one)."""
        return self.headers.get_all("DPoP") or []

    def _content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def _json_body(self) -> Dict[str, str]:
        """The body as a JSON object (its string members); 413 over MAX_BODY, 400 for
        anything that is not one flat enough for the parser."""
        if self.headers.get("Transfer-Encoding"):
            raise AuthError(411, "invalid_request", "send the body with a Content-Length")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            raise AuthError(400, "invalid_request", "invalid Content-Length")
        if length > MAX_BODY:
            raise AuthError(413, "payload_too_large", f"the body is over {MAX_BODY} bytes")
        try:
            raw = self.rfile.read(length)
        except TimeoutError:
            raise AuthError(408, "request_timeout", "the request took too long") from None
        if length and not raw.strip():
            return {}
        try:
            data = json.loads(raw) if raw.strip() else {}
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
            raise AuthError(400, "invalid_request", "the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise AuthError(400, "invalid_request", "the body must be a JSON object")
        return {k: v for k, v in data.items() if isinstance(v, str)}

    def _check_origin(self) -> None:
        """Browsers say where a request comes from; refuse what another site's page sent."""
        origin = self.headers.get("Origin")
        if origin is not None and origin != self.app.origin:
            raise AuthError(403, "forbidden", "cross-origin request refused")
        site = (self.headers.get("Sec-Fetch-Site") or "").strip().lower()
        if site and site not in ("same-origin", "none"):
            raise AuthError(403, "forbidden", "cross-site request refused")

    def _require_script(self) -> None:
        """A state-changing request must be one no HTML form can send: a JSON body, or
        a custom header. Either makes a cross-origin browser request need a CORS
        preflight, which this service never grants."""
        if self._content_type() == "application/json":
            self._json_body()
        elif not self.headers.get("X-Requested-With"):
            raise AuthError(403, "forbidden", "send a JSON body or an X-Requested-With header")

    def _bearer(self) -> Tuple[Optional[str], Optional[Dict[str, Any]]]:
        """The request's access token and its claims: `Authorization: Bearer <token>`,
        or `Authorization: DPoP <token>` with a `DPoP` proof for this request and token
        (the token must be bound to the proof's key)."""
        auth = self.headers.get("Authorization")
        if not auth:
            raise AuthError(401, "invalid_request", "no access token")
        scheme, _, token = auth.partition(" ")
        token = token.strip()
        if scheme.lower() not in ("bearer", "dpop") or not token:
            raise AuthError(401, "invalid_request", "no access token")
        if scheme.lower() == "dpop":
            proof = self.app.check_proof(self._proofs(), self.command, urlsplit(self.path).path, token,
                                         token_endpoint=False)
            return token, self.app.check_access(token, proof)
        return token, self.app.check_access(token, None)

    def _cookie(self, name: str) -> Optional[str]:
        # Pair by pair: one malformed cookie (another site's, a stray quote) must not
        # hide the others, as it would with http.cookies.SimpleCookie.
        for header in self.headers.get_all("Cookie") or []:
            for pair in header.split(";"):
                key, sep, value = pair.partition("=")
                if sep and key.strip() == name:
                    value = value.strip()
                    if len(value) >= 2 and value[0] == value[-1] == '"':
                        value = value[1:-1]
                    return value or None
        return None

    # -- routes ------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")

    def _route(self, method: str) -> None:
        url = urlsplit(self.path)
        path = url.path
        routes: Dict[str, Dict[str, Callable[[Dict[str, List[str]]], None]]] = {
            "/login": {"POST": self._login},
            "/me": {"GET": self._me},
            "/refresh": {"POST": self._refresh},
            "/logout": {"POST": self._logout},
            "/download-link": {"GET": self._download_link},
            "/.well-known/jwks.json": {"GET": self._jwks},
        }
        query = parse_qs(url.query)
        if path.startswith("/files/"):
            allowed: Dict[str, Callable[[Dict[str, List[str]]], None]] = {
                "GET": lambda q: self._file(unquote(path[len("/files/"):]), q)
            }
        elif path in routes:
            allowed = routes[path]
        else:
            self._send(404, {"error": "not_found"})
            return
        handler = allowed.get(method)
        if handler is None:
            self._send(405, {"error": "method_not_allowed"}, {"Allow": ", ".join(allowed)})
            return
        try:
            if method == "POST":
                self._check_origin()
            handler(query)
        except AuthError as e:
            self._error(e, bearer=e.error == "invalid_token" and path not in ("/refresh", "/login"))
        except Exception:  # noqa: BLE001 - answer 500, log the rest
            log.exception("%s %s failed", method, log_safe(path))
            self._send(500, {"error": "server_error"})

    def _login(self, _q: Dict[str, List[str]]) -> None:
        # JSON only: a cross-site HTML form cannot send it (no login CSRF).
        if self._content_type() != "application/json":
            raise AuthError(415, "invalid_request", "send the credentials as a JSON object")
        body = self._json_body()
        user, password = body.get("username"), body.get("password")
        if not user or password is None:
            raise AuthError(400, "invalid_request", "username and password are required")
        # A DPoP proof binds the session to the client's key; checked (its nonce, its
        # jti) before any password is hashed.
        proofs = self._proofs()
        proof = self.app.check_proof(proofs, "POST", "/login", None, token_endpoint=True) if proofs else None
        jkt = proof.jkt if proof is not None else None
        self._tokens(*self.app.login(user, password, self.client_address[0], jkt), dpop_bound=jkt is not None)

    def _me(self, _q: Dict[str, List[str]]) -> None:
        _, claims = self._bearer()
        assert claims is not None
        self._send(200, {"user": claims["sub"], "claims": claims}, {"Cache-Control": "no-store"})

    def _refresh(self, _q: Dict[str, List[str]]) -> None:
        self._require_script()
        token = self._cookie(REFRESH_COOKIE)
        if not token:
            raise AuthError(401, "invalid_request", "no refresh token cookie")
        proofs = self._proofs()
        proof = self.app.check_proof(proofs, "POST", "/refresh", None, token_endpoint=True) if proofs else None
        try:
            access, refresh, bound = self.app.refresh(token, proof)
        except AuthError as e:
            self._error(e, cookies=[self._CLEAR_COOKIE] if e.status == 401 else [])
            return
        self._tokens(access, refresh, dpop_bound=bound)

    def _logout(self, _q: Dict[str, List[str]]) -> None:
        self._require_script()
        _, claims = self._bearer()
        assert claims is not None
        self.app.logout(claims)
        self._send(204, None, {"Cache-Control": "no-store"}, [self._CLEAR_COOKIE])

    def _download_link(self, q: Dict[str, List[str]]) -> None:
        _, claims = self._bearer()
        assert claims is not None
        name = (q.get("file") or [""])[0]
        self.app.file_path(name)  # 404 before making a link to nothing
        token = self.app.issue_download(claims["sub"], claims["sid"], name)
        url = f"/files/{quote(name, safe='')}?token={token}"
        self._send(200, {"url": url, "expires_in": DOWNLOAD_TTL}, {"Cache-Control": "no-store"})

    def _file(self, name: str, q: Dict[str, List[str]]) -> None:
        token = (q.get("token") or [""])[0]
        if not token:
            raise AuthError(403, "forbidden", "no link token")
        try:  # the link first: without one, nobody learns which files exist
            self.app.use_download(token, name)
        except AuthError as e:
            if e.status != 401:
                raise
            raise AuthError(403, "forbidden", f"invalid link: {e.description}") from e
        path = self.app.file_path(name)
        self._send(
            200,
            path.read_bytes(),
            {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store",
             "Referrer-Policy": "no-referrer"},
        )

    def _jwks(self, _q: Dict[str, List[str]]) -> None:
        self._send(200, self.app.jwks, {"Cache-Control": "public, max-age=300"})


_BUSY_BODY = b'{"error": "server_busy"}\n'
_BUSY = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
         b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(_BUSY_BODY), _BUSY_BODY))


class Server(HTTPServer):
    """``workers`` threads serve requests; up to ``queued`` more accepted connections
    wait for one; beyond that a connection gets a 503 at once. Nothing a client does
    makes the process start another thread."""

    allow_reuse_address = True
    request_queue_size = 64  # the kernel's backlog, before accept()

    def __init__(self, app: TokenService, host: str = "127.0.0.1", port: int = 0, *,
                 workers: Optional[int] = None, queued: Optional[int] = None,
                 request_timeout: Optional[float] = None) -> None:
        self.app = app
        workers = workers or MAX_WORKERS
        self.request_timeout = request_timeout or REQUEST_TIMEOUT
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="jwtkit-service")
        self._slots = threading.BoundedSemaphore(workers + (MAX_QUEUED if queued is None else queued))
        super().__init__((host, port), Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            try:
                request.settimeout(0.5)
                request.sendall(_BUSY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            self._pool.submit(self._serve, request, client_address)
        except RuntimeError:  # the pool is shut down: the server is stopping
            self._slots.release()
            self.shutdown_request(request)

    def _serve(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:  # noqa: BLE001 - one connection's failure is logged, not fatal
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.exception("connection from %s failed", client_address[0])

    def server_close(self) -> None:
        super().server_close()
        self._pool.shutdown(wait=False, cancel_futures=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class RunningServer:
    """A server on a background thread: ``url``, then ``stop()`` (or ``with``)."""

    def __init__(self, app: TokenService, host: str = "127.0.0.1", port: int = 0, **options: Any) -> None:
        self.server = Server(app, host, port, **options)
        self.url = self.server.url
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "RunningServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


# ---------------------------------------------------------------------------------
# Command line


DEMO_FILES = {
    "report.txt": "Quarterly report: all tokens accounted for.\n",
    "notes.txt": "Short-lived access tokens, rotated refresh tokens, shared sessions.\n",
}


def clock_from_env() -> Clock:
    """``SERVICE_CLOCK_OFFSET`` (seconds, may be negative) shifts the service's clock:
    for tests only. A negative offset makes tokens born old."""
    offset = float(os.environ.get("SERVICE_CLOCK_OFFSET") or 0)
    if not offset:
        return time.time
    log.warning("clock offset %+g s (SERVICE_CLOCK_OFFSET): for tests only", offset)
    return lambda: time.time() + offset


def build_service(state: Path, issuer: str, alg: str, clock: Optional[Clock] = None,
                  origin: Optional[str] = None) -> TokenService:
    clock = clock or clock_from_env()
    key_file = ensure_key(Path(os.environ.get("SERVICE_KEY_FILE") or state / "signing-key.jwk"), alg)
    files = state / "files"
    if not files.exists():
        files.mkdir(parents=True)
        for name, text in DEMO_FILES.items():
            (files / name).write_text(text)
    # The links' secret: instances that serve each other's links share this file.
    link_key_file = ensure_key(Path(os.environ.get("SERVICE_LINK_KEY_FILE") or state / "link-key.jwk"), LINK_ALG)
    users = UserStore.load(state / "users.json")
    if not users:
        log.warning("no users yet: add one with `%s --state %s add-user NAME`", sys.argv[0], state)
    return TokenService(
        json.loads(key_file.read_text()),
        users,
        store_from_env(clock),
        issuer=issuer,
        files_dir=files,
        clock=clock,
        link_key=json.loads(link_key_file.read_text()),
        origin=origin,
        require_dpop_nonce=os.environ.get("SERVICE_DPOP_NONCE") == "1",
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="jwtkit sample login service")
    parser.add_argument("--state", type=Path, default=Path(os.environ.get("SERVICE_STATE") or "service-state"),
                        help="directory of signing-key.jwk, link-key.jwk, users.json and files/ "
                             "(default ./service-state)")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080, help="0: any free port (printed)")
    serve.add_argument("--issuer", default=os.environ.get("SERVICE_ISSUER") or "https://jwtkit-service.example")
    serve.add_argument("--alg", default="ES256", choices=["ES256", "EdDSA"], help="for a newly generated key")
    serve.add_argument("--origin", default=os.environ.get("SERVICE_ORIGIN"),
                       help="the origin of the pages that may POST here (default: the issuer's)")
    serve.add_argument("--workers", type=int, default=MAX_WORKERS, help="request threads (default %(default)s)")
    add = sub.add_parser("add-user", help="add or update a user; the password comes from stdin")
    add.add_argument("name")
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("SERVICE_LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(message)s")

    if args.command == "add-user":
        if sys.stdin.isatty():
            password = getpass.getpass(f"password for {args.name}: ")
        else:
            password = sys.stdin.readline().rstrip("\n")
        if not password:
            parser.error("empty password")
        UserStore.add(args.state / "users.json", args.name, password)
        print(f"user {args.name} saved in {args.state / 'users.json'}")
        return 0

    app = build_service(args.state, args.issuer, args.alg, origin=args.origin)
    server = Server(app, args.host, args.port, workers=args.workers)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"listening on {server.url} (issuer {app.issuer}, {app.alg} key {app.kid}, "
          f"store: {type(app.store).__name__})", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
