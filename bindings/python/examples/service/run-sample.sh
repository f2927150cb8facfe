#!/usr/bin/env bash
# The login service sample: starts the service with a fresh state directory on a free
# 127.0.0.1 port, runs the README's curl flow against it (checking every answer), and
# stops it. From anywhere:
#   bash bindings/python/examples/service/run-sample.sh
#
# The library: JWTKIT_LIBRARY, else target/release/libjwtkit.so (built if missing).
# The `jwtkit` tool (first-start key generation, then `verify --jwks`): JWTKIT_CLI, else
# `jwtkit` on PATH, else compiled here from bindings/c/jwtkit_cli.c. Needs curl and cc.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"

command -v curl >/dev/null 2>&1 || { echo "run-sample.sh: curl is needed (apt-get install curl)" >&2; exit 1; }
lib=${JWTKIT_LIBRARY:-$root/target/release/libjwtkit.so}
[ -e "$lib" ] || (cd "$root" && cargo build --release --lib)
export JWTKIT_LIBRARY=$lib

work=$(mktemp -d "${TMPDIR:-/tmp}/jwtkit-service-sample.XXXXXX")
pid=""
cleanup() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cli=${JWTKIT_CLI:-$(command -v jwtkit || true)}
if [ -z "$cli" ]; then
    # As scripts/install.sh builds it, linked to $lib under its SONAME.
    mkdir -p "$work/cli"
    soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
    ln -s "$(realpath "$lib")" "$work/cli/${soname:-libjwtkit.so}"
    [ -e "$work/cli/libjwtkit.so" ] || ln -s "$(realpath "$lib")" "$work/cli/libjwtkit.so"
    "${CC:-cc}" -std=c99 -O2 -I"$root/include" "$root/bindings/c/jwtkit_cli.c" \
        -L"$work/cli" -ljwtkit -lm -Wl,-rpath,"$work/cli" -o "$work/cli/jwtkit"
    cli=$work/cli/jwtkit
fi
export JWTKIT_CLI=$cli
jwtkit() { "$cli" "$@"; }

# The service, as the README starts it (but on any free port, printed on its first line).
state=$work/state
echo 'correct horse battery staple' | python3 "$here/service.py" --state "$state" add-user alice
python3 "$here/service.py" --state "$state" serve --port 0 >"$work/out" 2>"$work/service.log" &
pid=$!
for _ in $(seq 100); do
    grep -q '^listening on ' "$work/out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
grep -q '^listening on ' "$work/out" || { echo "the service did not start:" >&2; cat "$work/service.log" >&2; exit 1; }
cat "$work/out"
URL=$(awk '{print $3; exit}' "$work/out")
ISS=https://jwtkit-service.example
cd "$work"

failed() { echo "run-sample.sh: FAILED: $*" >&2; echo "--- service log" >&2; cat "$work/service.log" >&2; exit 1; }
# call CODE CURL-ARGS...: runs curl, shows the status and body, checks the status.
call() {
    local want=$1 got
    shift
    local shown="$*"
    [ -z "${ACCESS:-}" ] || shown=${shown//$ACCESS/\$ACCESS}
    [ -z "${LINK:-}" ] || shown=${shown//$LINK/\$LINK}
    echo "\$ curl $shown"
    got=$(curl -sS -o body -D headers -w '%{http_code}' "$@")
    echo "-> $got $(grep -i '^www-authenticate:' headers | tr -d '\r')"
    if [ -s body ]; then head -c 160 body; [ "$(wc -c <body)" -le 160 ] || printf ' ...'; echo; fi
    [ "$got" = "$want" ] || failed "expected HTTP $want, got $got"
}
field() { python3 -c "import json, sys; print(json.load(open('body'))['$1'])"; }
must_say() { grep -qF "$1" body headers || failed "the answer does not say: $1"; }

echo "== 1. log in: the access token in the body, the refresh token in a cookie (curl's jar.txt)"
call 200 -c jar.txt -H 'Content-Type: application/json' \
    -d '{"username":"alice","password":"correct horse battery staple"}' "$URL/login"
ACCESS=$(field access_token)
grep -q '__Host-refresh' jar.txt || failed "no refresh cookie"
echo "== 2. the API, with the access token"
call 200 -H "Authorization: Bearer $ACCESS" "$URL/me"
must_say '"user": "alice"'
echo "== 3. refresh: new tokens, the cookie rotates (keep the old one to try a replay)"
cp jar.txt old-jar.txt
call 200 -b jar.txt -c jar.txt -X POST -H 'X-Requested-With: curl' "$URL/refresh"
ACCESS=$(field access_token)
call 200 -H "Authorization: Bearer $ACCESS" "$URL/me"
echo "== 4. replaying the old refresh token: refused, and the whole session is revoked"
call 401 -b old-jar.txt -X POST -H 'X-Requested-With: curl' "$URL/refresh"
call 401 -b jar.txt -X POST -H 'X-Requested-With: curl' "$URL/refresh"
call 401 -H "Authorization: Bearer $ACCESS" "$URL/me"
must_say 'error="invalid_token", error_description="the token was revoked"'
echo "== 5. a wrong password"
call 401 -H 'Content-Type: application/json' -d '{"username":"alice","password":"guess"}' "$URL/login"
echo "== 6. log in again; a download link for one file, valid 5 minutes, once"
call 200 -c jar.txt -H 'Content-Type: application/json' \
    -d '{"username":"alice","password":"correct horse battery staple"}' "$URL/login"
ACCESS=$(field access_token)
call 200 -H "Authorization: Bearer $ACCESS" "$URL/download-link?file=report.txt"
LINK=$(field url)
call 200 "$URL$LINK"
must_say 'Quarterly report'
call 403 "$URL$LINK"
must_say 'the link was already used'
call 403 "$URL${LINK/report.txt/notes.txt}"
must_say 'the token is for another audience'
echo "== 7. the public keys; the C tool verifies the access token with them alone"
call 200 "$URL/.well-known/jwks.json"
cp body jwks.json
echo "\$ jwtkit verify --alg ES256 --jwks jwks.json --iss $ISS --aud $ISS/api --typ at+jwt \"\$ACCESS\""
jwtkit verify --alg ES256 --jwks jwks.json --iss "$ISS" --aud "$ISS/api" --typ at+jwt "$ACCESS" \
    || failed "jwtkit verify refused the access token"
echo "== 8. log out: the access token is refused from now on (and the refresh cookie too)"
call 204 -b jar.txt -c jar.txt -X POST -H 'X-Requested-With: curl' -H "Authorization: Bearer $ACCESS" "$URL/logout"
call 401 -H "Authorization: Bearer $ACCESS" "$URL/me"
must_say 'error_description="the token was revoked"'
call 403 "$URL$LINK"
echo "== 9. a cross-site request (a page elsewhere posting here) is refused"
call 403 -b jar.txt -X POST -H 'Origin: https://evil.example' -H 'X-Requested-With: curl' "$URL/refresh"
echo "== 10. DPoP (RFC 9449): tokens bound to the client's key, useless to a thief"
jwtkit keygen --alg ES256 --out client.jwk
jwtkit keygen --alg EdDSA --out thief.jwk
# A proof names the service's public URL (its origin, here the issuer's), not the address curl uses.
proof() { jwtkit dpop proof --key client.jwk --alg ES256 --method "$1" --uri "$ISS$2" ${3:+--access-token "$3"}; }
call 200 -c jar.txt -H 'Content-Type: application/json' -H "DPoP: $(proof POST /login)" \
    -d '{"username":"alice","password":"correct horse battery staple"}' "$URL/login"
must_say '"token_type": "DPoP"'
ACCESS=$(field access_token)
jwtkit decode --json "$ACCESS" | grep -qF "\"cnf\":{\"jkt\":\"$(jwtkit thumbprint client.jwk)\"}" \
    || failed "the access token is not bound to client.jwk"
call 200 -H "Authorization: DPoP $ACCESS" -H "DPoP: $(proof GET /me "$ACCESS")" "$URL/me"
must_say '"user": "alice"'
echo "-- the token alone is refused: as a Bearer token, with a replayed proof, with a thief's key"
call 401 -H "Authorization: Bearer $ACCESS" "$URL/me"
must_say 'error="invalid_token"'
P=$(proof GET /me "$ACCESS")
call 200 -H "Authorization: DPoP $ACCESS" -H "DPoP: $P" "$URL/me"
call 401 -H "Authorization: DPoP $ACCESS" -H "DPoP: $P" "$URL/me"
must_say 'error="invalid_dpop_proof", error_description="the proof was used before"'
call 401 -H "Authorization: DPoP $ACCESS" \
    -H "DPoP: $(jwtkit dpop proof --key thief.jwk --alg EdDSA --method GET --uri "$ISS/me" --access-token "$ACCESS")" "$URL/me"
must_say 'the token is not bound to the key of the DPoP proof'
echo "-- the session's refresh needs a proof by the same key"
call 400 -b jar.txt -X POST -H 'X-Requested-With: curl' "$URL/refresh"
must_say 'invalid_dpop_proof'
call 200 -b jar.txt -c jar.txt -X POST -H 'X-Requested-With: curl' -H "DPoP: $(proof POST /refresh)" "$URL/refresh"
must_say '"token_type": "DPoP"'
echo "== the login service sample passed"
