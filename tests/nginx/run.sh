#!/usr/bin/env bash
# The nginx module's tests: builds the module (bindings/nginx/build.sh) against Debian's
# nginx-dev sources, then starts the real nginx on free 127.0.0.1 ports with generated
# configurations and sends it real HTTP requests (pytest, tests/nginx/test_*.py), then
# a load test under wrk (tests/nginx/load.py, 20 s). From anywhere:
#   bash tests/nginx/run.sh [pytest arguments]
# nginx, nginx-dev and wrk are installed with apt-get when missing (as root, or with
# sudo). JWTKIT_NGINX_LOAD=0 skips the load test. Another nginx: JWTKIT_NGINX_BIN (the
# binary) with NGINX_SRC (its source tree), JWTKIT_NGINX_BUILD and JWTKIT_NGINX_CONFIGURE
# for bindings/nginx/build.sh (docs/nginx.md).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

missing=()
if [ -z "${JWTKIT_NGINX_BIN:-}" ]; then
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
fi
if [ -z "${NGINX_SRC:-}" ]; then
    [ -x /usr/share/nginx/src/configure ] || missing+=(nginx-dev)
fi
if [ "${JWTKIT_NGINX_LOAD:-1}" != 0 ]; then
    command -v wrk >/dev/null 2>&1 || missing+=(wrk)
fi
if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "tests/nginx/run.sh: installing ${missing[*]} with apt-get" >&2
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# (not $NGINX: nginx itself reads that variable, for inherited sockets)
export JWTKIT_NGINX_BIN="${JWTKIT_NGINX_BIN:-$(command -v nginx || echo /usr/sbin/nginx)}"

# The module links the static library; the tests make tokens with the Python package
# over the shared one, from the same release build.
cargo build --release --lib
JWTKIT_NGINX_MODULE=$(JWTKIT_SKIP_CARGO=1 bash bindings/nginx/build.sh)
export JWTKIT_NGINX_MODULE
export JWTKIT_LIBRARY="$root/target/release/libjwtkit.so"
export PYTHONPATH="$root/bindings/python${PYTHONPATH:+:$PYTHONPATH}"

# One self-contained .so: jwtkit is inside, not a dependency.
if ldd "$JWTKIT_NGINX_MODULE" | grep -q libjwtkit; then
    echo "tests/nginx/run.sh: the module depends on libjwtkit.so" >&2
    exit 1
fi
if nm -D --defined-only "$JWTKIT_NGINX_MODULE" | grep -q ' jwtkit_'; then
    echo "tests/nginx/run.sh: the module exports jwtkit's symbols" >&2
    exit 1
fi

python3 -m pytest --version >/dev/null 2>&1 \
    || PIP_ROOT_USER_ACTION=ignore PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install -q --disable-pip-version-check pytest

python3 -m pytest -q -p no:cacheprovider tests/nginx "$@"

if [ "${JWTKIT_NGINX_LOAD:-1}" != 0 ]; then
    python3 tests/nginx/load.py --seconds "${JWTKIT_NGINX_LOAD_SECONDS:-20}" --out target/nginx-module/load.json
fi
echo "tests/nginx/run.sh: all nginx tests passed"
