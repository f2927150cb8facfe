#!/usr/bin/env bash
# Tests of the sample login service (bindings/python/examples/service), over real HTTP on
# 127.0.0.1, against a real Redis server. From anywhere:
#   bash bindings/python/examples/service/run-tests.sh [pytest arguments]
#
# - the library: JWTKIT_LIBRARY if set, otherwise `cargo build --lib` (target/debug);
# - pip installs pytest and redis (redis-py); apt-get installs redis-server if missing;
# - starts redis-server on a free 127.0.0.1 port, configured as the README asks of a
#   production one (maxmemory-policy noeviction, appendonly yes; files in a temporary
#   directory), and stops it on exit;
# - the `jwtkit` tool: JWTKIT_CLI if set, otherwise the tests compile
#   bindings/c/jwtkit_cli.c against the library (needs cc and readelf).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"

PIP_ROOT_USER_ACTION=ignore PIP_BREAK_SYSTEM_PACKAGES=1 \
    python3 -m pip install -q --disable-pip-version-check pytest redis

if [ -z "${JWTKIT_LIBRARY:-}" ]; then
    (cd "$root" && cargo build --lib)
    export JWTKIT_LIBRARY="$root/target/debug/libjwtkit.so"
fi

if ! command -v redis-server >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/jwtkit-service-test.XXXXXX")
redis_pid=""
cleanup() {
    if [ -n "$redis_pid" ]; then
        kill "$redis_pid" 2>/dev/null || true
        wait "$redis_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# redis_ready PORT: answers PING within a second (a subshell: its redirections stay there).
redis_ready() {
    (
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf 'PING\r\n' >&3
        IFS= read -r -t 1 reply <&3 || exit 1
        [ "${reply%$'\r'}" = "+PONG" ]
    ) 2>/dev/null
}

# A free port can be taken between choosing it and binding it: try a few.
port=""
for _ in 1 2 3 4 5; do
    candidate=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    redis-server --bind 127.0.0.1 --port "$candidate" --save '' --appendonly yes --dir "$work" \
        --maxmemory 64mb --maxmemory-policy noeviction \
        --daemonize no --protected-mode yes --logfile "$work/redis.log" &
    redis_pid=$!
    for _ in $(seq 50); do
        if redis_ready "$candidate"; then port=$candidate; break; fi
        kill -0 "$redis_pid" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$port" ] && break
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
    redis_pid=""
done
if [ -z "$port" ]; then
    echo "run-tests.sh: redis-server did not start" >&2
    cat "$work/redis.log" >&2 || true
    exit 1
fi

export SERVICE_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
export SERVICE_TEST_REQUIRE_REDIS=1
echo "run-tests.sh: testing the service with $JWTKIT_LIBRARY and redis-server on 127.0.0.1:$port"
cd "$here"
python3 -m pytest -q -p no:cacheprovider tests "$@"
