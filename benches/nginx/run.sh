#!/usr/bin/env bash
# The nginx module's benchmark (bench.py): builds the library (release), the module (and
# a build of it that times itself) and verify_loop.c, then writes
# benches/nginx/results.md (and results.json). Needs nginx,
# nginx-dev and wrk (apt-get install nginx nginx-dev wrk). From anywhere:
#   bash benches/nginx/run.sh [--seconds 2] [--rounds 9]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

for tool in nginx wrk cc; do
    command -v "$tool" >/dev/null 2>&1 || [ "$tool" = nginx -a -x /usr/sbin/nginx ] \
        || { echo "benches/nginx/run.sh: $tool not found (apt-get install nginx nginx-dev wrk)" >&2; exit 1; }
done

cargo build --release --lib
JWTKIT_NGINX_MODULE=$(JWTKIT_SKIP_CARGO=1 bash bindings/nginx/build.sh)
export JWTKIT_NGINX_MODULE
# the same module, timing its access handler and its jwtkit call (for the breakdown)
JWTKIT_SKIP_CARGO=1 JWTKIT_NGINX_BUILD="$root/target/nginx-module-timing" \
    JWTKIT_NGINX_CFLAGS=-DNGX_HTTP_AUTH_JWTKIT_TIMING=1 bash bindings/nginx/build.sh >/dev/null
export JWTKIT_LIBRARY="$root/target/release/libjwtkit.so"
export PYTHONPATH="$root/bindings/python${PYTHONPATH:+:$PYTHONPATH}"

mkdir -p target/nginx-bench
cc -std=c99 -O2 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Iinclude benches/nginx/verify_loop.c \
    target/release/libjwtkit.a -lpthread -ldl -lm -o target/nginx-bench/verify_loop

python3 benches/nginx/bench.py "$@"
