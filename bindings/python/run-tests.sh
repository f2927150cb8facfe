#!/usr/bin/env bash
# Runs the Python binding's tests (pytest) against the library that `cargo build` makes
# (target/debug), installing the test-only dependencies first. From anywhere:
#   bash bindings/python/run-tests.sh [pytest arguments for the package's own tests]
# Set JWTKIT_LIBRARY to test another build (e.g. target/release/libjwtkit.so).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

PIP_ROOT_USER_ACTION=ignore PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install -q --disable-pip-version-check pytest pyjwt cryptography jwcrypto

if [ -z "${JWTKIT_LIBRARY:-}" ]; then
    (cd "$root" && cargo build --lib)
    case "$(uname -s)" in
        Darwin) lib=libjwtkit.dylib ;;
        *) lib=libjwtkit.so ;;
    esac
    export JWTKIT_LIBRARY="$root/target/debug/$lib"
fi
echo "run-tests.sh: testing bindings/python with $JWTKIT_LIBRARY"
cd "$here"
python3 -m pytest -q -p no:cacheprovider tests "$@"
# PyJWT's own public-API tests, with `import jwt` pointing at jwtkit (pyjwt-suite/run.py:
# the pinned sdist is fetched once into target/pyjwt-suite/; excluded.txt says what is
# not expected to pass, and why).
echo "run-tests.sh: PyJWT's test suite against jwtkit"
python3 "$here/pyjwt-suite/run.py"
