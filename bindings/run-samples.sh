#!/usr/bin/env bash
# The README's "build and run the samples" command: builds the release library, then
# builds and runs every C sample (bindings/c/examples), the C++ sample
# (bindings/cpp/examples) and the Python sample (bindings/python/examples).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

make -C bindings/c run            # cargo build --release, then every C example

# The C++ wrapper sample, linked like the C ones (the Makefile made the SONAME link).
mkdir -p bindings/c/build
for src in bindings/cpp/examples/*.cpp; do
    exe="bindings/c/build/$(basename "${src%.cpp}")"
    c++ -std=c++17 -Wall -Wextra -Werror -Iinclude -Ibindings/cpp "$src" -o "$exe" \
        -Ltarget/release -ljwtkit -Wl,-rpath,"$root/bindings/c/build/lib" -Wl,-rpath,"$root/target/release"
    echo "== $exe"
    "$exe"
done

# The Python samples, on the same release library.
for sample in bindings/python/examples/*.py; do
    echo "== $sample"
    JWTKIT_LIBRARY="$root/target/release/libjwtkit.so" PYTHONPATH="$root/bindings/python" python3 "$sample"
done
# The login service (bindings/python/examples/service): started on a free port, the
# README's curl flow run against it, then stopped.
echo "== bindings/python/examples/service/run-sample.sh"
JWTKIT_LIBRARY="$root/target/release/libjwtkit.so" bash bindings/python/examples/service/run-sample.sh
echo "== all samples passed"
