#!/usr/bin/env python3
"""A login service on jwtkit and the standard library: the JWT workflow end to end.

    POST /login                  user name and password -> 15-minute access token (JSON)
                                 and a refresh token in an HttpOnly cookie
    GET  /me                     needs `Authorization: Bearer <access token>`
    POST /refresh                rotates the refresh token (replaying an old one ends the session)
    POST /logout                 revokes the access token (and ends its session)
    GET  /download-link?file=F   a 5-minute link for one file (needs a Bearer token)
    GET  /files/F?token=...      the file, for the holder of a link made for F
    GET  /.well-known/jwks.json  the public keys: other services verify without secrets

    python3 service.py --state DIR add-user alice       # reads the password from stdin
    python3 service.py --state DIR serve --port 8080    # REDIS_URL=redis://... to share revocations

Every token decision is jwtkit's: signature, algorithm allow-list, key by `kid`, `exp`,
`iss`, `aud`, `typ`, required claims and the deny-list (through `decode(...,
is_revoked=...)`, the library's revocation hook). This file only chooses the policy.
See README.md beside it.
"""

from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import json
import logging
import math
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Protocol, Tuple
from urllib.parse import parse_qs, quote, unquote, urlsplit

# From a source checkout, use the package of this checkout (bindings/python/jwtkit);
# an installed `pip install ./bindings/python` works the same.
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]
if (_PACKAGE_ROOT / "jwtkit" / "__init__.py").is_file():
    sys.path.insert(0, str(_PACKAGE_ROOT))

import jwtkit as jwt  # noqa: E402

log = logging.getLogger("jwtkit-service")

Clock = Callable[[], float]

ACCESS_TTL = 15 * 60  # seconds
REFRESH_TTL = 7 * 24 * 3600
DOWNLOAD_TTL = 5 * 60

ACCESS_TYP = "at+jwt"  # RFC 9068
REFRESH_TYP = "rt+jwt"  # the service's own: a refresh token is never an access token
DOWNLOAD_TYP = "dl+jwt"

REFRESH_COOKIE = "__Host-refresh"  # __Host-: Secure, Path=/, no Domain (browsers enforce it)
MAX_BODY = 16 * 1024
FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


# ---------------------------------------------------------------------------------
# Passwords: salted scrypt (hashlib), stored as "scrypt$N$r$p$salt$hash".

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r * p, dklen=32)


def hash_password(password: str, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """A new salted scrypt hash of ``password``, as stored in the user file."""
    salt = secrets.token_bytes(16)
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


class UserStore:
    """User name -> scrypt hash, in a JSON file (mode 0600). Read-only while serving."""

    def __init__(self, users: Optional[Dict[str, str]] = None) -> None:
        self._users: Dict[str, str] = dict(users or {})
        # Unknown users cost one scrypt too, so timing does not tell which names exist.
        self._dummy = hash_password(secrets.token_urlsafe(16))

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
        ok = check_password(password, stored if stored is not None else self._dummy)
        return ok and stored is not None


# ---------------------------------------------------------------------------------
# The deny-list: one small interface, two implementations.


class DenyList(Protocol):
    """Revoked token ids (``jti:…``) and sessions (``sid:…``), each kept until the last
    token it can concern has expired, then forgotten."""

    def add(self, key: str, expires_at: float) -> bool:
        """Denies ``key`` until ``expires_at`` (Unix seconds); False if it already was."""

    def contains(self, *keys: str) -> bool:
        """Whether any of ``keys`` is denied. Raising makes jwtkit refuse the token."""


class MemoryDenyList:
    """One process's deny-list: a dict, a lock, and expired entries swept on insert."""

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._entries: Dict[str, float] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def add(self, key: str, expires_at: float) -> bool:
        now = self._clock()
        with self._lock:
            if now >= self._next_sweep:
                self._entries = {k: t for k, t in self._entries.items() if t > now}
                self._next_sweep = now + 60
            current = self._entries.get(key)
            if current is not None and current > now:
                return False
            self._entries[key] = expires_at
            return True

    def contains(self, *keys: str) -> bool:
        now = self._clock()
        entries = self._entries
        return any(entries.get(k, 0.0) > now for k in keys)

    def __len__(self) -> int:
        now = self._clock()
        return sum(1 for t in list(self._entries.values()) if t > now)


class RedisDenyList:
    """A deny-list that several instances share: ``SET key 1 EX ttl NX``, so Redis
    forgets each entry when its token would have expired anyway."""

    def __init__(self, url: str, prefix: str = "jwtkit-service:", clock: Clock = time.time) -> None:
        import redis  # redis-py, only needed with REDIS_URL

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._prefix = prefix
        self._clock = clock

    def add(self, key: str, expires_at: float) -> bool:
        ttl = max(1, math.ceil(expires_at - self._clock()))
        return bool(self._redis.set(self._prefix + key, b"1", ex=ttl, nx=True))

    def contains(self, *keys: str) -> bool:
        return bool(self._redis.exists(*(self._prefix + k for k in keys)))

    def ttl(self, key: str) -> int:
        """Seconds Redis keeps ``key`` (-2: absent), for tests and operators."""
        return int(self._redis.ttl(self._prefix + key))


def deny_list_from_env(clock: Clock = time.time) -> DenyList:
    url = os.environ.get("REDIS_URL")
    if url:
        return RedisDenyList(url, os.environ.get("SERVICE_REDIS_PREFIX", "jwtkit-service:"), clock)
    return MemoryDenyList(clock)


# ---------------------------------------------------------------------------------
# The signing key: a private JWK file, made at first start with `jwtkit keygen`.


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
            f"no signing key at {path} and no `jwtkit` tool to make one: build it "
            "(PREFIX=$HOME/.local bash scripts/install.sh), set JWTKIT_CLI, or run "
            f"`jwtkit keygen --alg {alg} --out {path}` yourself"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        subprocess.run([cli, "keygen", "--alg", alg, "--out", str(tmp)], check=True, timeout=30)
        try:
            os.link(tmp, path)  # fails if another instance won the race: use its key
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
    log.info("generated the signing key (%s) in %s", alg, path)
    return path


# ---------------------------------------------------------------------------------
# The service logic, without HTTP.


class AuthError(Exception):
    """A request the service refuses: ``status``, an OAuth-style ``error`` code and a
    short ``description`` that is safe to show (the library's detail is only logged)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


# What a client may learn about a refused token (RFC 6750 error_description: printable
# ASCII without quotes or backslashes). Checked in order: subclasses first.
_REASONS: List[Tuple[type, str]] = [
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


class TokenService:
    """Issues and checks the three kinds of token. Thread-safe: the keys, policies and
    deny-list are shared by every request thread.

    ``clock`` (Unix seconds) stamps ``iat``/``exp`` and ages the deny-list; tests move
    it back to make tokens old. jwtkit checks the times against the system clock.
    """

    def __init__(
        self,
        key: Dict[str, Any],
        users: UserStore,
        deny_list: Optional[DenyList] = None,
        *,
        issuer: str = "https://jwtkit-service.example",
        files_dir: Optional[Path] = None,
        clock: Clock = time.time,
        leeway: int = 0,
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
        self.users = users
        self.deny = deny_list if deny_list is not None else MemoryDenyList(clock)
        self.issuer = issuer
        self.access_audience = issuer + "/api"
        self.refresh_audience = issuer + "/refresh"
        self.files_dir = files_dir
        self.clock = clock
        self.leeway = leeway

    # -- issuing -------------------------------------------------------------------

    def _sign(self, claims: Dict[str, Any], typ: str, ttl: int) -> Tuple[str, Dict[str, Any]]:
        now = int(self.clock())
        claims = {"iss": self.issuer, "iat": now, "exp": now + ttl, "jti": secrets.token_urlsafe(16), **claims}
        token = jwt.encode(claims, self.signing_key, algorithm=self.alg, headers={"kid": self.kid, "typ": typ})
        return token, claims

    def issue_session(self, user: str, sid: Optional[str] = None) -> Tuple[str, str]:
        """An access token and a refresh token for ``user``. ``sid`` names the session,
        which is also the refresh-token family: new at login, kept by rotation."""
        sid = sid or secrets.token_urlsafe(16)
        access, _ = self._sign(
            {"sub": user, "aud": self.access_audience, "sid": sid, "client_id": "jwtkit-service"}, ACCESS_TYP, ACCESS_TTL
        )
        refresh, _ = self._sign({"sub": user, "aud": self.refresh_audience, "sid": sid}, REFRESH_TYP, REFRESH_TTL)
        return access, refresh

    def issue_download(self, user: str, sid: str, name: str) -> str:
        token, _ = self._sign({"sub": user, "aud": self.file_audience(name), "sid": sid}, DOWNLOAD_TYP, DOWNLOAD_TTL)
        return token

    def file_audience(self, name: str) -> str:
        # The link's audience is the one file: jwtkit's audience check binds it.
        return f"{self.issuer}/files/{quote(name, safe='')}"

    # -- revocation hooks (called by jwtkit, last, after every other check passed) ---

    def _revoked(self, jti: Optional[str], claims: Dict[str, Any]) -> bool:
        """Access tokens and download links: their own `jti`, or their whole session."""
        return self.deny.contains(f"jti:{jti}", f"sid:{claims.get('sid')}")

    def _refresh_revoked(self, jti: Optional[str], claims: Dict[str, Any]) -> bool:
        """Refresh tokens: a used one coming back means two parties hold the family (a
        stolen cookie, or a client replaying). The genuine user cannot be told apart from
        the thief, so the whole session ends."""
        sid = claims.get("sid")
        if self.deny.contains(f"sid:{sid}"):
            return True
        if self.deny.contains(f"jti:{jti}"):
            log.warning("refresh token %s of session %s replayed: revoking the session", jti, sid)
            self.end_session(sid)
            return True
        return False

    def end_session(self, sid: Any) -> None:
        # Every token of the session was issued before now, so none outlives now + REFRESH_TTL.
        self.deny.add(f"sid:{sid}", self.clock() + REFRESH_TTL)

    # -- checking --------------------------------------------------------------------

    def _decode(self, token: str, audience: str, typ: str, hook: Callable[..., bool]) -> Dict[str, Any]:
        return jwt.decode(
            token,
            self.verify_keys,
            algorithms=[self.alg],
            audience=audience,
            issuer=self.issuer,
            leeway=self.leeway,
            typ=typ,
            options={"require": ["exp", "iat", "sub", "jti", "sid"]},
            is_revoked=hook,
        )

    def _check(self, token: str, audience: str, typ: str, hook: Callable[..., bool], what: str) -> Dict[str, Any]:
        try:
            return self._decode(token, audience, typ, hook)
        except jwt.RevokedTokenError as e:
            if e.__cause__ is not None:  # the deny-list failed: jwtkit refused (fail closed)
                log.error("deny-list unavailable: %r", e.__cause__)
                raise AuthError(503, "temporarily_unavailable", "the revocation list is unavailable") from e
            log.info("%s refused: revoked (jti or session in the deny-list)", what)
            raise AuthError(401, "invalid_token", describe(e)) from e
        except jwt.InvalidTokenError as e:
            log.info("%s refused: %s: %s", what, type(e).__name__, getattr(e, "detail", None) or e)
            raise AuthError(401, "invalid_token", describe(e)) from e

    def check_access(self, token: str) -> Dict[str, Any]:
        return self._check(token, self.access_audience, ACCESS_TYP, self._revoked, "access token")

    def check_download(self, token: str, name: str) -> Dict[str, Any]:
        return self._check(token, self.file_audience(name), DOWNLOAD_TYP, self._revoked, "download link")

    # -- the flows ---------------------------------------------------------------------

    def login(self, user: str, password: str) -> Tuple[str, str]:
        if not self.users.check(user, password):
            log.info("login refused for %r", user)
            raise AuthError(401, "invalid_grant", "wrong user name or password")
        return self.issue_session(user)

    def refresh(self, refresh_token: str) -> Tuple[str, str]:
        """Rotation: the presented token is spent, the session gets a new pair."""
        claims = self._check(refresh_token, self.refresh_audience, REFRESH_TYP, self._refresh_revoked, "refresh token")
        # Spend it atomically: of two requests racing with one token, one wins; the
        # other is a replay and ends the session (the winner's new tokens included).
        if not self.deny.add(f"jti:{claims['jti']}", claims["exp"]):
            log.warning("refresh token %s presented twice at once: revoking the session", claims["jti"])
            self.end_session(claims["sid"])
            raise AuthError(401, "invalid_token", describe(jwt.RevokedTokenError()))
        return self.issue_session(claims["sub"], claims["sid"])

    def logout(self, access_claims: Dict[str, Any]) -> None:
        """The access token is denied until it expires; its session (and so every refresh
        token of the family) until the last of those could expire."""
        self.deny.add(f"jti:{access_claims['jti']}", access_claims["exp"])
        self.end_session(access_claims["sid"])

    def file_path(self, name: str) -> Path:
        if self.files_dir is None or not FILE_NAME.fullmatch(name):
            raise AuthError(404, "not_found", "no such file")
        path = self.files_dir / name
        if not path.is_file():
            raise AuthError(404, "not_found", "no such file")
        return path


# ---------------------------------------------------------------------------------
# HTTP


class Handler(BaseHTTPRequestHandler):
    server_version = "jwtkit-service/0.1"

    def version_string(self) -> str:
        return self.server_version  # no Python version in the Server header
    timeout = 10  # seconds a client may take to send its request

    @property
    def app(self) -> TokenService:
        return self.server.app  # type: ignore[attr-defined, no-any-return]

    # -- plumbing --------------------------------------------------------------------

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        # The request line of /files carries a token: keep it out of the log.
        text = re.sub(r"token=[^ &\"]*", "token=…", format % args)
        log.info("%s %s", self.address_string(), text)

    def _send(
        self, status: int, body: Any = None, headers: Optional[Dict[str, str]] = None, cookies: Iterable[str] = ()
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
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)

    def _error(self, e: AuthError, bearer: bool = False, cookies: Iterable[str] = ()) -> None:
        headers = {"Cache-Control": "no-store"}
        if e.status == 401:
            # RFC 6750 §3: no error code when the request carried no token at all.
            challenge = 'Bearer realm="jwtkit-service"'
            if bearer:
                challenge += f', error="{e.error}", error_description="{e.description}"'
            headers["WWW-Authenticate"] = challenge
        self._send(e.status, {"error": e.error, "error_description": e.description}, headers, cookies)

    def _refresh_cookie(self, token: str) -> str:
        return f"{REFRESH_COOKIE}={token}; Max-Age={REFRESH_TTL}; Path=/; HttpOnly; Secure; SameSite=Strict"

    _CLEAR_COOKIE = f"{REFRESH_COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict"

    def _tokens(self, access: str, refresh: str) -> None:
        self._send(
            200,
            {"access_token": access, "token_type": "Bearer", "expires_in": ACCESS_TTL},
            {"Cache-Control": "no-store"},
            [self._refresh_cookie(refresh)],
        )

    def _body(self) -> Dict[str, str]:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            raise AuthError(400, "invalid_request", "missing or oversized body")
        raw = self.rfile.read(length)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            if ctype == "application/json":
                data = json.loads(raw)
                if not isinstance(data, dict):
                    raise ValueError("not an object")
                return {k: v for k, v in data.items() if isinstance(v, str)}
            return {k: v[0] for k, v in parse_qs(raw.decode("utf-8"), strict_parsing=False).items()}
        except (ValueError, UnicodeDecodeError):
            raise AuthError(400, "invalid_request", "the body is not JSON or a form") from None

    def _bearer(self) -> Tuple[Optional[str], Optional[Dict[str, Any]]]:
        auth = self.headers.get("Authorization")
        if not auth:
            raise AuthError(401, "invalid_request", "no access token")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError(401, "invalid_request", "no access token")
        token = token.strip()
        return token, self.app.check_access(token)

    def _cookie(self, name: str) -> Optional[str]:
        cookies = SimpleCookie()
        try:
            cookies.load(self.headers.get("Cookie") or "")
        except CookieError:
            return None
        morsel = cookies.get(name)
        return morsel.value if morsel is not None else None

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
            handler(query)
        except AuthError as e:
            self._error(e, bearer=e.error == "invalid_token" and path not in ("/refresh", "/login"))
        except Exception:  # noqa: BLE001 - answer 500, log the rest
            log.exception("%s %s failed", method, path)
            self._send(500, {"error": "server_error"})

    def _login(self, _q: Dict[str, List[str]]) -> None:
        body = self._body()
        user, password = body.get("username"), body.get("password")
        if not user or password is None:
            raise AuthError(400, "invalid_request", "username and password are required")
        self._tokens(*self.app.login(user, password))

    def _me(self, _q: Dict[str, List[str]]) -> None:
        _, claims = self._bearer()
        assert claims is not None
        self._send(200, {"user": claims["sub"], "claims": claims}, {"Cache-Control": "no-store"})

    def _refresh(self, _q: Dict[str, List[str]]) -> None:
        token = self._cookie(REFRESH_COOKIE)
        if not token:
            raise AuthError(401, "invalid_request", "no refresh token cookie")
        try:
            access, refresh = self.app.refresh(token)
        except AuthError as e:
            self._error(e, cookies=[self._CLEAR_COOKIE] if e.status == 401 else [])
            return
        self._tokens(access, refresh)

    def _logout(self, _q: Dict[str, List[str]]) -> None:
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
            self.app.check_download(token, name)
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


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a stuck client never keeps the process alive
    allow_reuse_address = True

    def __init__(self, app: TokenService, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        super().__init__((host, port), Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class RunningServer:
    """A server on a background thread: ``url``, then ``stop()`` (or ``with``)."""

    def __init__(self, app: TokenService, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = Server(app, host, port)
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
    "notes.txt": "Short-lived access tokens, rotated refresh tokens, a shared deny-list.\n",
}


def clock_from_env() -> Clock:
    """``SERVICE_CLOCK_OFFSET`` (seconds, may be negative) shifts the service's clock:
    for tests only. A negative offset makes tokens born old."""
    offset = float(os.environ.get("SERVICE_CLOCK_OFFSET") or 0)
    if not offset:
        return time.time
    log.warning("clock offset %+g s (SERVICE_CLOCK_OFFSET): for tests only", offset)
    return lambda: time.time() + offset


def build_service(state: Path, issuer: str, alg: str, clock: Optional[Clock] = None) -> TokenService:
    clock = clock or clock_from_env()
    key_file = ensure_key(Path(os.environ.get("SERVICE_KEY_FILE") or state / "signing-key.jwk"), alg)
    files = state / "files"
    if not files.exists():
        files.mkdir(parents=True)
        for name, text in DEMO_FILES.items():
            (files / name).write_text(text)
    users = UserStore.load(state / "users.json")
    if not users:
        log.warning("no users yet: add one with `%s --state %s add-user NAME`", sys.argv[0], state)
    return TokenService(
        json.loads(key_file.read_text()),
        users,
        deny_list_from_env(clock),
        issuer=issuer,
        files_dir=files,
        clock=clock,
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="jwtkit sample login service")
    parser.add_argument("--state", type=Path, default=Path(os.environ.get("SERVICE_STATE") or "service-state"),
                        help="directory of signing-key.jwk, users.json and files/ (default ./service-state)")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080, help="0: any free port (printed)")
    serve.add_argument("--issuer", default=os.environ.get("SERVICE_ISSUER") or "https://jwtkit-service.example")
    serve.add_argument("--alg", default="ES256", choices=["ES256", "EdDSA"], help="for a newly generated key")
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

    app = build_service(args.state, args.issuer, args.alg)
    server = Server(app, args.host, args.port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"listening on {server.url} (issuer {app.issuer}, {app.alg} key {app.kid}, "
          f"deny-list: {type(app.deny).__name__})", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
