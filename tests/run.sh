#!/usr/bin/env bash
# Runs every test of jwtkit: the README's "run every test" command, and what CI runs
# (through .ci/run). From anywhere: `bash tests/run.sh`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Every build below runs build.rs in check mode: it generates the header but does not
# copy it over include/jwtkit.h, so tests/header.rs compares the committed header with
# the generated one instead of with the copy the build just wrote.
export JWTKIT_HEADER_CHECK=1

# 0. One style, checked: rustfmt (rustfmt.toml) over the crate and the fuzz targets, and
#    clippy with warnings as errors (the AWS-LC backend is linted in 3b).
cargo fmt --all --check
(cd fuzz && cargo fmt --check)
cargo clippy --all-targets -- -D warnings

# 1. Rust, C and C++: `cargo test` also builds the cdylib, and tests/c_api.rs compiles
#    and runs tests/c/* and bindings/c/examples/* against it; tests/symbols.rs checks
#    the exports. With valgrind present every C program runs under it (leaks fail).
if [ "${JWTKIT_TEST_ASAN:-0}" = 1 ]; then
    export JWTKIT_TEST_VALGRIND=0 # ASan and valgrind do not mix
elif command -v valgrind >/dev/null 2>&1; then
    export JWTKIT_TEST_VALGRIND="${JWTKIT_TEST_VALGRIND:-1}"
elif [ -n "${CI:-}" ]; then
    echo "tests/run.sh: valgrind is required in CI (apt-get install valgrind)" >&2
    exit 1
else
    echo "tests/run.sh: valgrind not found; the C tests run without the leak check" >&2
fi
cargo test

# 2. Python binding (bindings/python): pytest against the same core, built by cargo.
#    Installs its test-only dependencies (pytest, PyJWT and cryptography for the
#    interoperability tests) with pip.
bash bindings/python/run-tests.sh

# 2b. The sample login service: real HTTP on 127.0.0.1, two instances sharing
#     a real redis-server (installed with apt-get when missing, started on a free port,
#     stopped on exit), and the jwtkit tool verifying the service's tokens via its JWKS.
bash bindings/python/examples/service/run-tests.sh

# 3. Install and consumers: scripts/install.sh into a temporary prefix, then C via
#    pkg-config (shared and static), C++ via CMake find_package, the C++ wrapper's tests
#    under valgrind, and the `jwtkit` command-line tool. Needs a release build. Then the
#    README's C quick start, run exactly as printed.
bash tests/install.sh
bash tests/readme.sh

# 3b. The optional AWS-LC backend (feature `aws-lc`): the same Rust, C (under valgrind)
#     and Python tests against a library built on aws-lc-rs instead of ring, in its own
#     target directory so that the default build above is left alone.
aws_lc=(--no-default-features --features aws-lc,fetch --target-dir target/aws-lc)
cargo clippy --all-targets "${aws_lc[@]}" -- -D warnings
cargo test "${aws_lc[@]}"
cargo build --lib "${aws_lc[@]}" # cargo test does not leave the cdylib where Python looks
JWTKIT_LIBRARY="$PWD/target/aws-lc/debug/libjwtkit.so" bash bindings/python/run-tests.sh -q

# 3c. Fuzz targets (fuzz/): every target is built and run for a few seconds on its seed
#     corpus (tests/vectors, tests/keys); a crash or a timeout fails. cargo-fuzz comes
#     from crates.io; the targets build on the stable toolchain with `-s none`.
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked --version 0.13.2
bash fuzz/run.sh "${JWTKIT_FUZZ_SECONDS:-5}"

# 4. The header is committed and fresh: tests/header.rs compared the generated header with
#    include/jwtkit.h (check mode, above); here the file must also match the commit.
git ls-files --error-unmatch include/jwtkit.h >/dev/null \
    || { echo "tests/run.sh: include/jwtkit.h is not committed" >&2; exit 1; }
git diff --exit-code -- include/jwtkit.h \
    || { echo "tests/run.sh: include/jwtkit.h changed: commit the regenerated header" >&2; exit 1; }

# 5. The nginx module (bindings/nginx): built against Debian's nginx-dev sources with
#    libjwtkit.a linked in, then the real nginx on free 127.0.0.1 ports with generated
#    configurations (pytest, tokens from the Python package), nginx under valgrind,
#    and a 20-second wrk load test. Installs nginx, nginx-dev and wrk when missing.
bash tests/nginx/run.sh

echo "tests/run.sh: all tests passed"
