#!/usr/bin/env bash
# Tests of jwtkit as C and C++ users get it: installed, found with pkg-config or CMake,
# through the C++ wrapper, and through the `jwtkit` command-line tool.
#
#   bash tests/install.sh
#
# 1. scripts/install.sh into a temporary prefix (runs `cargo build --release`), and a
#    staged install (PREFIX=/usr/local DESTDIR=...): the layout, the SONAME, no staging
#    path inside the files.
# 2. bindings/install-test/hello.c through `pkg-config --cflags --libs jwtkit` (shared)
#    and through `pkg-config --static` against libjwtkit.a (no libjwtkit.so needed at
#    run time); bindings/install-test/cpp through CMake find_package(jwtkit): C++ shared
#    and static, and hello.c; bindings/cpp/examples with CMake and with pkg-config; bindings/c/examples
#    with pkg-config.
# 3. The C++ wrapper's tests (bindings/cpp/tests/test_wrapper.cpp, test_jwe_json.cpp), compiled with
#    -std=c++17 -Wall -Wextra -Werror, under valgrind when it is installed (leaks fail);
#    its JWKS source tests fetch from tests/support/jwks_server.py, started here.
# 4. The CLI: encode -> verify for every algorithm with tests/keys, CLI tokens verified
#    by the library and library tokens by the CLI, expired / tampered / wrong audience /
#    wrong key / algorithm not allowed exit 1 with the reason on stderr, usage errors
#    exit 2, --help, decode output, claims from key=value pairs, JSON and stdin;
#    keygen -> encode -> verify --jwks, thumbprints, skipped JWK Set members;
#    RSA keygen (--bits), convert PEM <-> JWK, jwks from key files, jwe encrypt/decrypt;
#    verify --jwks-url and --issuer-discovery against the JWKS test server.
#
# Needs: cargo, cc, c++, pkg-config, cmake, readelf, python3 and openssl (the JWKS test
# server); valgrind is used when present (and required when CI is set, as in
# tests/run.sh). Prints "N passed, M failed".
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

for tool in cargo cc c++ pkg-config cmake readelf; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "tests/install.sh: $tool not found (Debian: apt-get install cmake pkg-config build-essential)" >&2
        exit 1
    fi
done
valgrind=()
if command -v valgrind >/dev/null 2>&1; then
    valgrind=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
              --show-leak-kinds=definite,indirect)
elif [ -n "${CI:-}" ]; then
    echo "tests/install.sh: valgrind is required in CI (apt-get install valgrind)" >&2
    exit 1
else
    echo "tests/install.sh: valgrind not found; the C++ wrapper tests run without the leak check" >&2
fi

# Fetching over TLS under valgrind: memcheck's false positives in ring's AES-GCM
# assembly are suppressed (see the file).
valgrind_tls=()
if [ "${#valgrind[@]}" -gt 0 ]; then
    valgrind_tls=("${valgrind[@]}" --suppressions="$root/tests/c/test_jwks_source.supp")
fi

# The JWKS test server (tests/support/jwks_server.py; see tests/support/README.md),
# for the JWKS source tests of the C++ wrapper and the CLI: started by a check below,
# described to them in JWTKIT_TEST_JWKS_{DIR,HTTPS,HTTP,CA}, stopped on exit.
jwks_pid=
start_jwks_server() {
    local dir=$work/jwks-server i
    mkdir -p "$dir" || return 1
    printf '+ python3 %s %s &\n' "$root/tests/support/jwks_server.py" "$dir" >&2
    python3 "$root/tests/support/jwks_server.py" "$dir" </dev/null >/dev/null 2>"$work/jwks-server.err" &
    jwks_pid=$!
    for i in $(seq 100); do
        [ -f "$dir/server.json" ] && break
        if ! kill -0 "$jwks_pid" 2>/dev/null; then
            cat "$work/jwks-server.err"
            jwks_pid=
            return 1
        fi
        sleep 0.1
    done
    [ -f "$dir/server.json" ] || { echo "no $dir/server.json after 10 s"; return 1; }
    cat "$dir/server.json"
    jwks_field() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$dir/server.json" "$1"; }
    JWTKIT_TEST_JWKS_DIR=$dir
    JWTKIT_TEST_JWKS_HTTPS=$(jwks_field https) && JWTKIT_TEST_JWKS_HTTP=$(jwks_field http) &&
        JWTKIT_TEST_JWKS_CA=$(jwks_field ca) || return 1
    export JWTKIT_TEST_JWKS_DIR JWTKIT_TEST_JWKS_HTTPS JWTKIT_TEST_JWKS_HTTP JWTKIT_TEST_JWKS_CA
}
stop_jwks_server() {
    if [ -n "$jwks_pid" ]; then
        kill "$jwks_pid" 2>/dev/null
        wait "$jwks_pid" 2>/dev/null
    fi
}

work=$(mktemp -d "${TMPDIR:-/tmp}/jwtkit-install-test.XXXXXX")
trap 'stop_jwks_server; rm -rf "$work"' EXIT
prefix=$work/prefix
keys=$root/tests/keys
passed=0
failed=0
failures=()

# check NAME COMMAND...: runs COMMAND (a shell function or program), counts the result,
# shows its output when it fails.
check() {
    local name=$1 log=$work/log
    shift
    if "$@" >"$log" 2>&1; then
        passed=$((passed + 1))
        printf 'ok   %s\n' "$name"
    else
        failed=$((failed + 1))
        failures+=("$name")
        printf 'FAIL %s\n' "$name"
        sed 's/^/     | /' "$log"
    fi
}

# run COMMAND...: prints the command (on stderr, so $(run ...) captures only its
# output), then runs it: failure logs show what ran.
run() {
    printf '+ %s\n' "$*" >&2
    "$@"
}

# expect CODE STDERR_PATTERN COMMAND...: the command exits CODE and its stderr matches.
expect() {
    local code=$1 pattern=$2 rc=0
    shift 2
    printf '+ %s\n' "$*" >&2
    "$@" >"$work/out" 2>"$work/err" || rc=$?
    cat "$work/out" "$work/err"
    if [ "$rc" != "$code" ]; then
        echo "exit status $rc, expected $code"
        return 1
    fi
    if [ -n "$pattern" ] && ! grep -Eq -- "$pattern" "$work/err"; then
        echo "stderr does not match /$pattern/"
        return 1
    fi
}

# full_stdout STDERR_PATTERN COMMAND...: the command, writing to a full device, exits 2
# with a write error and its stderr matches.
full_stdout() {
    local pattern=$1 rc=0
    shift
    printf '+ %s >/dev/full\n' "$*" >&2
    "$@" >/dev/full 2>"$work/err" || rc=$?
    cat "$work/err"
    [ "$rc" = 2 ] || { echo "exit status $rc, expected 2"; return 1; }
    grep -q 'write error on standard output' "$work/err" || { echo "no write error reported"; return 1; }
    grep -Eq -- "$pattern" "$work/err" || { echo "stderr does not match /$pattern/"; return 1; }
}

# ---- 1. install --------------------------------------------------------------------

abi=$(sed -n 's/^#define JWTKIT_ABI_VERSION \([0-9][0-9]*\)$/\1/p' include/jwtkit.h)

install_prefix() {
    run env PREFIX="$prefix" bash scripts/install.sh
}

layout() {
    local f
    for f in "lib/libjwtkit.so.$abi" lib/libjwtkit.a include/jwtkit.h include/jwtkit.hpp \
             lib/pkgconfig/jwtkit.pc lib/cmake/jwtkit/jwtkitConfig.cmake \
             lib/cmake/jwtkit/jwtkitConfigVersion.cmake bin/jwtkit; do
        [ -f "$prefix/$f" ] || { echo "missing $f"; return 1; }
    done
    [ -L "$prefix/lib/libjwtkit.so" ] && [ "$(readlink "$prefix/lib/libjwtkit.so")" = "libjwtkit.so.$abi" ] \
        || { echo "lib/libjwtkit.so is not a symlink to libjwtkit.so.$abi"; return 1; }
    readelf -d "$prefix/lib/libjwtkit.so.$abi" | grep -F "Library soname: [libjwtkit.so.$abi]" \
        || { echo "SONAME is not libjwtkit.so.$abi"; return 1; }
    cmp include/jwtkit.h "$prefix/include/jwtkit.h" || { echo "installed jwtkit.h differs"; return 1; }
    cmp bindings/cpp/jwtkit.hpp "$prefix/include/jwtkit.hpp" || { echo "installed jwtkit.hpp differs"; return 1; }
    run "$prefix/bin/jwtkit" --version
}

staged_install() {
    local stage=$work/stage
    run env PREFIX=/usr/local DESTDIR="$stage" NO_BUILD=1 bash scripts/install.sh || return 1
    [ -f "$stage/usr/local/lib/libjwtkit.so.$abi" ] || { echo "nothing under DESTDIR"; return 1; }
    grep -q '^prefix=/usr/local$' "$stage/usr/local/lib/pkgconfig/jwtkit.pc" \
        || { echo "jwtkit.pc does not name PREFIX"; return 1; }
    if grep -rlF "$stage" "$stage"; then
        echo "the files above contain the DESTDIR path"
        return 1
    fi
    # the tool finds the library relative to itself, so the staged tree works moved
    mv "$stage/usr/local" "$work/moved"
    run "$work/moved/bin/jwtkit" --version
}

check "install into a temporary prefix" install_prefix
if [ "$failed" -gt 0 ]; then
    echo "tests/install.sh: the install failed; nothing else can be tested"
    echo "$passed passed, $failed failed"
    exit 1
fi
check "installed layout, symlink, SONAME, headers" layout
check "staged install: PREFIX=/usr/local DESTDIR=..." staged_install

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
jwtkit=$prefix/bin/jwtkit

# ---- 2. samples against the installed copy -----------------------------------------

pc_shared() {
    cd "$work" || return 1
    run pkg-config --modversion jwtkit
    # shellcheck disable=SC2046
    run cc -std=c99 -Wall -Wextra -Werror -o hello "$root/bindings/install-test/hello.c" \
        $(pkg-config --cflags --libs jwtkit) || return 1
    readelf -d hello | grep -F "[libjwtkit.so.$abi]" || { echo "hello does not need libjwtkit.so.$abi"; return 1; }
    run env LD_LIBRARY_PATH="$prefix/lib" ./hello
}

pc_static() {
    cd "$work" || return 1
    run pkg-config --static --define-variable=jwtkit_lib=-l:libjwtkit.a --libs jwtkit
    # shellcheck disable=SC2046
    run cc -std=c99 -Wall -Wextra -Werror -o hello_static "$root/bindings/install-test/hello.c" \
        $(pkg-config --cflags jwtkit) \
        $(pkg-config --static --define-variable=jwtkit_lib=-l:libjwtkit.a --libs jwtkit) || return 1
    if readelf -d hello_static | grep -F libjwtkit; then
        echo "hello_static still needs the shared library"
        return 1
    fi
    run ./hello_static # no LD_LIBRARY_PATH: nothing of jwtkit is loaded at run time
}

cmake_cpp() {
    run cmake -S "$root/bindings/install-test/cpp" -B "$work/cmake-cpp" -DCMAKE_PREFIX_PATH="$prefix" || return 1
    run cmake --build "$work/cmake-cpp" || return 1
    readelf -d "$work/cmake-cpp/hello_cpp" | grep -F "[libjwtkit.so.$abi]" || return 1
    if readelf -d "$work/cmake-cpp/hello_cpp_static" | grep -F libjwtkit; then
        echo "hello_cpp_static still needs the shared library"
        return 1
    fi
    run "$work/cmake-cpp/hello_cpp" && run "$work/cmake-cpp/hello_cpp_static" && run "$work/cmake-cpp/hello_c"
}

cmake_version_check() {
    # a request for another minor version of 0.x must not find this one
    mkdir -p "$work/cmake-ver" && cat >"$work/cmake-ver/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(v NONE)
find_package(jwtkit 0.99 QUIET)
if(jwtkit_FOUND)
  message(FATAL_ERROR "jwtkit ${jwtkit_VERSION} accepted for a 0.99 request")
endif()
find_package(jwtkit 0.1 REQUIRED)
EOF
    run cmake -S "$work/cmake-ver" -B "$work/cmake-ver/build" -DCMAKE_PREFIX_PATH="$prefix"
}

cpp_examples() {
    run cmake -S "$root/bindings/cpp/examples" -B "$work/cmake-examples" -DCMAKE_PREFIX_PATH="$prefix" || return 1
    run cmake --build "$work/cmake-examples" || return 1
    run "$work/cmake-examples/session_tokens" || return 1
    # shellcheck disable=SC2046
    run c++ -std=c++17 -Wall -Wextra -Werror -o "$work/session_tokens_pc" \
        "$root/bindings/cpp/examples/session_tokens.cpp" $(pkg-config --cflags --libs jwtkit) || return 1
    run env LD_LIBRARY_PATH="$prefix/lib" "$work/session_tokens_pc"
}

c_examples() {
    local src exe
    for src in "$root"/bindings/c/examples/*.c; do
        [ -e "$src" ] || continue
        exe=$work/c-example-$(basename "$src" .c)
        # shellcheck disable=SC2046
        run cc -std=c99 -Wall -Wextra -Werror -o "$exe" "$src" $(pkg-config --cflags --libs jwtkit) || return 1
        run env LD_LIBRARY_PATH="$prefix/lib" "$exe" </dev/null || return 1
    done
}

check "C sample via pkg-config --cflags --libs jwtkit (shared)" pc_shared
check "C sample via pkg-config --static against libjwtkit.a" pc_static
check "C++ (shared, static) and C samples via CMake find_package(jwtkit)" cmake_cpp
check "CMake version file: 0.1 exact found, 0.99 refused" cmake_version_check
check "bindings/cpp/examples with CMake and with pkg-config" cpp_examples
check "bindings/c/examples with pkg-config" c_examples

# ---- 3. the C++ wrapper ------------------------------------------------------------

cxx_flags=(-std=c++17 -Wall -Wextra -Werror -g)

wrapper_tests() {
    # shellcheck disable=SC2046
    run c++ "${cxx_flags[@]}" -o "$work/test_wrapper" "$root/bindings/cpp/tests/test_wrapper.cpp" \
        $(pkg-config --cflags --libs jwtkit) || return 1
    run env LD_LIBRARY_PATH="$prefix/lib" "${valgrind_tls[@]}" "$work/test_wrapper" "$keys"
}

jwe_json_wrapper_tests() {
    # shellcheck disable=SC2046
    run c++ "${cxx_flags[@]}" -o "$work/test_jwe_json" "$root/bindings/cpp/tests/test_jwe_json.cpp" \
        $(pkg-config --cflags --libs jwtkit) || return 1
    run env LD_LIBRARY_PATH="$prefix/lib" "${valgrind_tls[@]}" "$work/test_jwe_json" "$keys"
}

build_interop() {
    # shellcheck disable=SC2046
    run c++ "${cxx_flags[@]}" -o "$work/interop" "$root/bindings/cpp/tests/interop.cpp" \
        $(pkg-config --cflags --libs jwtkit)
}

check "JWKS test server (tests/support/jwks_server.py)" start_jwks_server
check "C++ wrapper tests (-Wall -Wextra -Werror${valgrind:+, valgrind})" wrapper_tests
check "C++ wrapper JWE JSON tests (bindings/cpp/tests/test_jwe_json.cpp)" jwe_json_wrapper_tests
check "build the interop helper" build_interop
interop() { LD_LIBRARY_PATH="$prefix/lib" "$work/interop" "$@"; }

# ---- 4. the command-line tool -------------------------------------------------------

secret=$work/secret
printf '%s' "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" >"$secret"

# private and public key files of each algorithm
priv_of() {
    case $1 in
        HS*) echo "$secret" ;;
        RS* | PS*) echo "$keys/rsa2048.pkcs8.pem" ;;
        ES256) echo "$keys/ecp256.pkcs8.pem" ;;
        ES384) echo "$keys/ecp384.pkcs8.pem" ;;
        ES512) echo "$keys/ecp521.pkcs8.pem" ;;
        ES256K) echo "$keys/secp256k1.pkcs8.pem" ;;
        EdDSA) echo "$keys/ed25519.pkcs8.pem" ;;
    esac
}
pub_of() {
    case $1 in
        HS*) echo "$secret" ;;
        RS* | PS*) echo "$keys/rsa2048.spki.pem" ;;
        ES256) echo "$keys/ecp256.spki.pem" ;;
        ES384) echo "$keys/ecp384.spki.pem" ;;
        ES512) echo "$keys/ecp521.spki.pem" ;;
        ES256K) echo "$keys/secp256k1.spki.pem" ;;
        EdDSA) echo "$keys/ed25519.spki.pem" ;;
    esac
}
# the key option of the CLI for a key file
key_opt() {
    case $1 in
        HS*) echo "--secret-file" ;;
        *) echo "--key" ;;
    esac
}

cli_round_trip() {
    local alg=$1 token claims
    token=$(run "$jwtkit" encode --alg "$alg" "$(key_opt "$alg")" "$(priv_of "$alg")" \
        --exp 1h --iss cli-test --sub alice --aud api role=admin n:=42) || return 1
    echo "$token"
    claims=$(run "$jwtkit" verify --alg "$alg" "$(key_opt "$alg")" "$(pub_of "$alg")" \
        --iss cli-test --aud api --sub alice --require exp "$token") || return 1
    echo "$claims"
    case $claims in *'"role":"admin"'*'"n":42'*) ;; *) echo "claims lost"; return 1 ;; esac
    # the same token from standard input
    printf '%s\n' "$token" | run "$jwtkit" verify -q -a "$alg" "$(key_opt "$alg")" "$(pub_of "$alg")" \
        --iss cli-test --aud api
}

cli_to_library() {
    local alg=$1 token
    token=$(run "$jwtkit" encode --alg "$alg" "$(key_opt "$alg")" "$(priv_of "$alg")" --no-iat '{"from":"cli"}') || return 1
    run interop verify "$alg" "$(pub_of "$alg")" "$token" | grep -F '{"from":"cli"}'
}

library_to_cli() {
    local alg=$1 token
    token=$(run interop sign "$alg" "$(priv_of "$alg")" '{"from":"library"}') || return 1
    run "$jwtkit" verify --alg "$alg" "$(key_opt "$alg")" "$(pub_of "$alg")" "$token" | grep -F '{"from":"library"}'
}

# every algorithm the library implements, as the CLI lists them (from jwtkit_alg_name)
read -r -a algs <<<"$("$jwtkit" encode --help | sed -n '/^algorithms:/,$p' | sed 's/^algorithms://' | tr '\n' ' ')"
cli_lists_algorithms() {
    [ "${#algs[@]}" -ge 14 ] && [[ " ${algs[*]} " == *" EdDSA "* && " ${algs[*]} " == *" ES256K "* ]] ||
        { echo "encode --help lists: ${algs[*]}"; return 1; }
}
check "cli: encode --help lists every algorithm" cli_lists_algorithms
for alg in "${algs[@]}"; do
    check "cli: encode -> verify $alg (argument and stdin)" cli_round_trip "$alg"
done
cli_interop() { cli_to_library "$1" && library_to_cli "$1"; }
for alg in "${algs[@]}"; do
    check "cli -> library, library -> cli: $alg" cli_interop "$alg"
done

es_key=$keys/ecp256.pkcs8.pem
es_pub=$keys/ecp256.spki.pem
sign_es() { "$jwtkit" encode --alg ES256 --key "$es_key" "$@"; }

cli_expired() {
    local token
    token=$(sign_es --now 1000000000 --exp 1h sub=alice) || return 1
    expect 1 'expired.*JWTKIT_ERR_EXPIRED' "$jwtkit" verify --alg ES256 --key "$es_pub" "$token" || return 1
    # the leeway and a fixed clock: valid 30 s after expiry with a 1 m leeway
    expect 0 '' "$jwtkit" verify --alg ES256 --key "$es_pub" --now 1000003630 --leeway 1m "$token"
}

cli_tampered() {
    local token header payload sig forged
    token=$(sign_es '{"sub":"alice","admin":false}') || return 1
    IFS=. read -r header payload sig <<<"$token"
    forged=$header.$(printf '%s' '{"sub":"alice","admin":true}' | base64 -w0 | tr '+/' '-_' | tr -d '=').$sig
    expect 1 'JWTKIT_ERR_SIGNATURE_INVALID' "$jwtkit" verify --alg ES256 --key "$es_pub" "$forged" || return 1
    # one character of the signature changed
    local c=${sig:10:1} d=A
    [ "$c" != A ] || d=B
    expect 1 'JWTKIT_ERR_SIGNATURE_INVALID' "$jwtkit" verify --alg ES256 --key "$es_pub" \
        "$header.$payload.${sig:0:10}$d${sig:11}"
}

cli_wrong_audience() {
    local token
    token=$(sign_es --aud billing) || return 1
    expect 1 'audience.*JWTKIT_ERR_AUDIENCE_MISMATCH' "$jwtkit" verify --alg ES256 --key "$es_pub" --aud api "$token" || return 1
    expect 1 'JWTKIT_ERR_AUDIENCE_MISMATCH' "$jwtkit" verify --alg ES256 --key "$es_pub" "$token" || return 1
    expect 0 '' "$jwtkit" verify --alg ES256 --key "$es_pub" --aud api --aud billing "$token"
}

cli_other_refusals() {
    local token
    token=$(sign_es --iss https://a.example) || return 1
    expect 1 'JWTKIT_ERR_ISSUER_MISMATCH' "$jwtkit" verify --alg ES256 --key "$es_pub" --iss https://b.example "$token" || return 1
    expect 1 'JWTKIT_ERR_ALG_NOT_ALLOWED' "$jwtkit" verify --alg ES384,EdDSA --key "$es_pub" "$token" || return 1
    local other=$work/other-secret
    printf '%s' "another secret, also long enough for HS256 (32+)" >"$other"
    expect 1 'JWTKIT_ERR_SIGNATURE_INVALID' "$jwtkit" verify --alg HS256 --secret-file "$other" \
        "$("$jwtkit" encode --alg HS256 --secret-file "$secret")" || return 1
    expect 1 'JWTKIT_ERR_KEY_ALG_MISMATCH' "$jwtkit" verify --alg ES256 --secret-file "$secret" "$token" || return 1
    expect 1 'JWTKIT_ERR_CLAIM_MISSING' "$jwtkit" verify --alg ES256 --key "$es_pub" --require jti "$token" || return 1
    expect 1 'JWTKIT_ERR_TOKEN_MALFORMED' "$jwtkit" verify --alg ES256 --key "$es_pub" not-a-token || return 1
    token=$(sign_es --now 2000000000 --nbf +1h) || return 1
    expect 1 'JWTKIT_ERR_NOT_YET_VALID' "$jwtkit" verify --alg ES256 --key "$es_pub" --now 2000000000 "$token"
}

cli_usage_errors() {
    local token
    token=$(sign_es) || return 1
    expect 2 'alg is required' "$jwtkit" verify --key "$es_pub" "$token" || return 1
    expect 2 'never accepted' "$jwtkit" verify --alg none --key "$es_pub" "$token" || return 1
    expect 2 'unknown option' "$jwtkit" verify --alg ES256 --key "$es_pub" --frobnicate "$token" || return 1
    expect 2 'no-such-file' "$jwtkit" verify --alg ES256 --key "$work/no-such-file" "$token" || return 1
    expect 2 'a key is needed' "$jwtkit" verify --alg ES256 "$token" || return 1
    expect 2 'KEY_INVALID' "$jwtkit" verify --alg ES256 --key "$keys/README.md" "$token" || return 1
    expect 2 'needs a duration' "$jwtkit" encode --alg ES256 --key "$es_key" --exp soon || return 1
    expect 2 'not a claim' "$jwtkit" encode --alg ES256 --key "$es_key" sub || return 1
    expect 2 'unknown command' "$jwtkit" frobnicate || return 1
    expect 2 '' "$jwtkit" || return 1
    expect 1 'KEY_CANNOT_SIGN' "$jwtkit" encode --alg ES256 --key "$es_pub" || return 1
    expect 1 'JWTKIT_ERR_KEY_TOO_WEAK' "$jwtkit" encode --alg HS256 --secret short || return 1
    expect 0 '' "$jwtkit" encode --alg HS256 --secret short --allow-short-secret
}

cli_help() {
    local cmd
    run "$jwtkit" --help | grep -q '^usage: jwtkit COMMAND' || return 1
    for cmd in encode decode verify keygen thumbprint dpop convert jwks; do
        run "$jwtkit" "$cmd" --help | grep -q "^usage: jwtkit $cmd" || return 1
    done
    run "$jwtkit" jwe --help | grep -q "^usage: jwtkit jwe encrypt" || return 1
    run "$jwtkit" jwe decrypt --help | grep -q "jwtkit jwe decrypt" || return 1
}

cli_claims_inputs() {
    local token out
    token=$(run "$jwtkit" encode --alg HS256 --secret-file "$secret" --no-iat \
        name='Jo "the" \ Smith' admin:=true roles:='["a","b"]' 'empty=') || return 1
    out=$(run "$jwtkit" decode --json "$token") || return 1
    echo "$out"
    [ "$out" = '{"header":{"alg":"HS256","typ":"JWT"},"claims":{"name":"Jo \"the\" \\ Smith","admin":true,"roles":["a","b"],"empty":""}}' ] || return 1
    token=$(printf '{"from":"stdin"}' | run "$jwtkit" encode --alg HS256 --secret-file "$secret" --no-iat -) || return 1
    out=$(run "$jwtkit" decode --json "$token") || return 1
    [ "$out" = '{"header":{"alg":"HS256","typ":"JWT"},"claims":{"from":"stdin"}}' ] || return 1
    # claims the library refuses: duplicate members, a claim given twice
    expect 1 'JWTKIT_ERR_JSON' "$jwtkit" encode --alg HS256 --secret-file "$secret" '{"a":1,"a":2}' || return 1
    expect 1 'JWTKIT_ERR_INVALID_ARGUMENT' "$jwtkit" encode --alg HS256 --secret-file "$secret" --sub a sub=b
}

cli_decode() {
    local token out
    token=$(run "$jwtkit" encode --alg EdDSA --key "$keys/ed25519.pkcs8.pem" --kid key-1 --now 1700000000 \
        --exp 1h --iss me '{"nested":{"list":[1,{}],"empty":[]}}') || return 1
    out=$(run "$jwtkit" decode --now 1700000060 "$token") || return 1
    printf '%s\n' "$out"
    [ "$out" = 'Header (NOT verified)
{
  "alg": "EdDSA",
  "kid": "key-1",
  "typ": "JWT"
}
Claims (NOT verified)
{
  "nested": {
    "list": [
      1,
      {}
    ],
    "empty": []
  },
  "iat": 1700000000,  // 2023-11-14 22:13:20 UTC, 1m ago
  "exp": 1700003600,  // 2023-11-14 23:13:20 UTC, expires in 59m
  "iss": "me"
}' ] || { echo "unexpected decode output"; return 1; }
    # from standard input too; a malformed token exits 1
    printf '%s\n' "$token" | run "$jwtkit" decode --json | grep -q '"kid":"key-1"' || return 1
    expect 1 'JWTKIT_ERR_' "$jwtkit" decode 'eyJ.e30'
}

cli_kid_and_header() {
    local token
    token=$(run "$jwtkit" encode --alg HS256 --secret-file "$secret" --kid k-7 --typ at+jwt --header '{"x5t":"abc"}') || return 1
    run "$jwtkit" decode --json "$token" | grep -F '"kid":"k-7"' | grep -F '"typ":"at+jwt"' | grep -qF '"x5t":"abc"' || return 1
    expect 0 '' "$jwtkit" verify --alg HS256 --secret-file "$secret" --typ at+jwt "$token" || return 1
    expect 1 'JWTKIT_ERR_TYP_MISMATCH' "$jwtkit" verify --alg HS256 --secret-file "$secret" --typ JWT "$token"
}

cli_valgrind() {
    [ "${#valgrind[@]}" -gt 0 ] || { echo "valgrind not installed: skipped"; return 0; }
    local token
    token=$(run "${valgrind[@]}" "$jwtkit" encode --alg RS256 --key "$keys/rsa2048.pkcs8.pem" --exp 5m --jti --aud a sub=x) || return 1
    run "${valgrind[@]}" "$jwtkit" verify --alg RS256 --key "$keys/rsa2048.spki.pem" --aud a "$token" || return 1
    run "${valgrind[@]}" "$jwtkit" decode "$token" || return 1
    expect 1 'EXPIRED' "${valgrind[@]}" "$jwtkit" verify --alg RS256 --key "$keys/rsa2048.spki.pem" --aud a --now 4000000000 "$token" || return 1
    # keygen's file writing: a new file, a refused existing one, a replaced one
    local dir=$work/keygen-valgrind
    rm -rf "$dir" && mkdir -p "$dir" || return 1
    run "${valgrind[@]}" "$jwtkit" keygen --alg ES256 --out "$dir/k.jwk" --public-out "$dir/k.pub" --public-jwks "$dir/k.jwks" || return 1
    expect 2 'exists' "${valgrind[@]}" "$jwtkit" keygen --alg ES256 --out "$dir/k.jwk" || return 1
    run "${valgrind[@]}" "$jwtkit" keygen --alg EdDSA --pem --out "$dir/k.jwk" --force || return 1
    # refusals and failures of keygen's outputs, and escaped paths
    expect 2 'same file' "${valgrind[@]}" "$jwtkit" keygen --alg ES256 --out "$dir/s" --public-out "$dir/./s" --force || return 1
    expect 2 'cannot create' "${valgrind[@]}" "$jwtkit" keygen --alg ES256 --out "$dir/n.jwk" --public-out "$dir/none"$'\e'"/n.pub" || return 1
    full_stdout 'removed' "${valgrind[@]}" "$jwtkit" keygen --alg ES256 --public-jwks "$dir/n.jwks" || return 1
    [ ! -e "$dir/n.jwk" ] && [ ! -e "$dir/n.jwks" ] && [ ! -e "$dir/s" ] || { echo "a failed keygen left a file"; return 1; }
}

# dpop proof -> dpop verify for each asymmetric algorithm (the printed jkt is the key's
# thumbprint), and each refusal with its status and exit code
cli_dpop() {
    local alg proof out uri=https://api.example/orders
    for alg in ES256 ES384 ES512 EdDSA RS256 PS256; do
        proof=$(run "$jwtkit" dpop proof --key "$(priv_of "$alg")" --alg "$alg" --method POST --uri "$uri?page=2#x" \
            --access-token tok-1 --nonce n-1) || return 1
        out=$(printf '%s\n' "$proof" | run "$jwtkit" dpop verify --alg "$alg" --method POST \
            --uri "HTTPS://API.example:443/orders?page=3" --access-token tok-1 --nonce n-1) || return 1
        case $out in
            '{"jkt":"'"$(run "$jwtkit" thumbprint "$(pub_of "$alg")")"'","iat":'*'"htu":"https://api.example/orders"'*) ;;
            *) echo "unexpected output: $out"; return 1 ;;
        esac
    done
    proof=$(run "$jwtkit" dpop proof --key "$es_key" --alg ES256 --method GET --uri "$uri" --iat 1700000000) || return 1
    local v=("$jwtkit" dpop verify --alg ES256 --method GET --uri "$uri")
    expect 0 '' "${v[@]}" --now 1700000300 "$proof" || return 1
    expect 1 'JWTKIT_ERR_TOO_OLD' "${v[@]}" --now 1700000301 "$proof" || return 1
    expect 0 '' "${v[@]}" --now 1700000301 --max-age 10m "$proof" || return 1
    expect 1 'JWTKIT_ERR_ISSUED_IN_FUTURE' "${v[@]}" --now 1699999969 "$proof" || return 1
    expect 1 'JWTKIT_ERR_DPOP_HTM_MISMATCH' "$jwtkit" dpop verify --alg ES256 --method PUT --uri "$uri" \
        --now 1700000000 "$proof" || return 1
    expect 1 'JWTKIT_ERR_DPOP_HTU_MISMATCH' "$jwtkit" dpop verify --alg ES256 --method GET --uri "$uri/1" \
        --now 1700000000 "$proof" || return 1
    expect 1 'JWTKIT_ERR_CLAIM_MISSING' "${v[@]}" --now 1700000000 --access-token tok "$proof" || return 1
    expect 1 'JWTKIT_ERR_DPOP_NONCE' "${v[@]}" --now 1700000000 --nonce n-2 "$proof" || return 1
    expect 1 'JWTKIT_ERR_ALG_NOT_ALLOWED' "$jwtkit" dpop verify --alg EdDSA,RS256 --method GET --uri "$uri" \
        --now 1700000000 "$proof" || return 1
    expect 1 'JWTKIT_ERR_TOKEN_MALFORMED' "${v[@]}" --now 1700000000 "$proof,$proof" || return 1
    expect 1 'JWTKIT_ERR_TOKEN_TOO_LARGE' "${v[@]}" --now 1700000000 --max-proof-len 64 "$proof" || return 1
    # usage errors: HMAC, a public key, a relative URI, missing options
    expect 2 'JWTKIT_ERR_INVALID_ARGUMENT' "$jwtkit" dpop verify --alg HS256 --method GET --uri "$uri" "$proof" || return 1
    expect 2 'JWTKIT_ERR_INVALID_ARGUMENT' "$jwtkit" dpop proof --key "$es_key" --alg HS256 --method GET --uri "$uri" || return 1
    expect 1 'JWTKIT_ERR_KEY_CANNOT_SIGN' "$jwtkit" dpop proof --key "$es_pub" --alg ES256 --method GET --uri "$uri" || return 1
    expect 2 'absolute URI' "$jwtkit" dpop verify --alg ES256 --method GET --uri /orders "$proof" || return 1
    expect 2 'absolute URI' "$jwtkit" dpop proof --key "$es_key" --alg ES256 --method GET --uri /orders || return 1
    expect 2 'required' "$jwtkit" dpop verify --alg ES256 "$proof" || return 1
    expect 2 'required' "$jwtkit" dpop proof --key "$es_key" --method GET --uri "$uri" || return 1
    expect 2 'unknown subcommand' "$jwtkit" dpop frobnicate || return 1
    expect 2 'usage: jwtkit dpop' "$jwtkit" dpop || return 1
    if [ "${#valgrind[@]}" -gt 0 ]; then
        proof=$(run "${valgrind[@]}" "$jwtkit" dpop proof --key "$keys/rsa2048.pkcs8.pem" --alg PS256 --method GET \
            --uri "$uri" --access-token tok) || return 1
        run "${valgrind[@]}" "$jwtkit" dpop verify --alg PS256 --method GET --uri "$uri" --access-token tok "$proof" || return 1
        expect 1 'JWTKIT_ERR_DPOP_ATH_MISMATCH' "${valgrind[@]}" "$jwtkit" dpop verify --alg PS256 --method GET \
            --uri "$uri" --access-token tok2 "$proof" || return 1
    fi
}

cli_keygen_jwks() {
    local alg dir=$work/keygen token kid
    mkdir -p "$dir"
    for alg in ES256 ES384 ES512 ES256K EdDSA; do
        run "$jwtkit" keygen --alg "$alg" --out "$dir/$alg.jwk" --public-jwks "$dir/$alg.jwks" \
            --public-out "$dir/$alg.pub.jwk" || return 1
        [ "$(stat -c %a "$dir/$alg.jwk")" = 600 ] || { echo "private key file is not 0600"; return 1; }
        if grep -q '"d"' "$dir/$alg.jwks" "$dir/$alg.pub.jwk"; then echo "private member published"; return 1; fi
        kid=$(run "$jwtkit" thumbprint "$dir/$alg.jwk") || return 1
        [ "${#kid}" = 43 ] || { echo "thumbprint '$kid' is not 43 characters"; return 1; }
        [ "$(run "$jwtkit" thumbprint "$dir/$alg.pub.jwk")" = "$kid" ] || return 1
        [ "$(run "$jwtkit" thumbprint --jwks "$dir/$alg.jwks")" = "$kid $kid" ] || return 1
        token=$(run "$jwtkit" encode --alg "$alg" --key "$dir/$alg.jwk" --exp 5m sub=k) || return 1
        run "$jwtkit" decode --json "$token" | grep -qF "\"kid\":\"$kid\"" || { echo "kid not in the header"; return 1; }
        expect 0 '' "$jwtkit" verify --alg "$alg" --jwks "$dir/$alg.jwks" "$token" || return 1
        expect 0 '' "$jwtkit" verify --alg "$alg" --key "$dir/$alg.pub.jwk" "$token" || return 1
    done
    # a token whose kid is not in the set
    token=$(run "$jwtkit" encode --alg ES384 --key "$dir/ES384.jwk") || return 1
    expect 1 'JWTKIT_ERR_KEY_NOT_FOUND' "$jwtkit" verify --alg ES256,ES384 --jwks "$dir/ES256.jwks" "$token" || return 1
    # PEM output, and a chosen kid
    run "$jwtkit" keygen --alg EdDSA --pem --out "$dir/ed.pem" --public-out "$dir/ed.pub.pem" || return 1
    grep -q 'BEGIN PRIVATE KEY' "$dir/ed.pem" && grep -q 'BEGIN PUBLIC KEY' "$dir/ed.pub.pem" || return 1
    token=$(run "$jwtkit" encode --alg EdDSA --key "$dir/ed.pem") || return 1
    expect 0 '' "$jwtkit" verify --alg EdDSA --key "$dir/ed.pub.pem" "$token" || return 1
    run "$jwtkit" keygen --alg HS512 --kid mine --out "$dir/hs.jwk" || return 1
    grep -q '"kid":"mine"' "$dir/hs.jwk" || return 1
    token=$(run "$jwtkit" encode --alg HS512 --key "$dir/hs.jwk") || return 1
    expect 0 '' "$jwtkit" verify --alg HS512 --key "$dir/hs.jwk" "$token" || return 1
    # refusals
    expect 2 'needs --bits' "$jwtkit" keygen --alg RS256 || return 1
    expect 1 'JWTKIT_ERR_INVALID_ARGUMENT' "$jwtkit" keygen --alg HS256 --pem || return 1
    expect 2 'alg is required' "$jwtkit" keygen || return 1
    # the same RSA key in three formats has one thumbprint
    kid=$(run "$jwtkit" thumbprint "$keys/rsa2048.pkcs8.pem") || return 1
    [ "$(run "$jwtkit" thumbprint --key "$keys/rsa2048.spki.der")" = "$kid" ] || return 1
    [ "$(run "$jwtkit" thumbprint < "$keys/rsa2048.cert.pem")" = "$kid" ] || return 1
}

# keygen --bits: RSA keys of a chosen size, restricted to ALG in their JWK, loaded back
# through the library's checks (and OpenSSL's); sizes and algorithms it refuses
cli_keygen_rsa() {
    local dir=$work/keygen-rsa token
    rm -rf "$dir" && mkdir -p "$dir" || return 1
    run "$jwtkit" keygen --alg PS256 --bits 3072 --out "$dir/ps.jwk" --public-jwks "$dir/ps.jwks" || return 1
    [ "$(stat -c %a "$dir/ps.jwk")" = 600 ] || { echo "private key file is not 0600"; return 1; }
    grep -q '"alg":"PS256"' "$dir/ps.jwk" || { echo "no alg in the private JWK"; return 1; }
    run "$jwtkit" convert --to pem "$dir/ps.jwk" >"$dir/ps.pub.pem" || return 1
    run openssl pkey -pubin -in "$dir/ps.pub.pem" -noout -text | grep -q '3072 bit' || { echo "not 3072 bits"; return 1; }
    token=$(run "$jwtkit" encode --alg PS256 --key "$dir/ps.jwk" sub=rsa) || return 1
    expect 0 '' "$jwtkit" verify --alg PS256 --jwks "$dir/ps.jwks" "$token" || return 1
    expect 1 'JWTKIT_ERR_KEY_USAGE|JWTKIT_ERR_KEY_ALG_MISMATCH' "$jwtkit" encode --alg RS256 --key "$dir/ps.jwk" || return 1
    run "$jwtkit" keygen --alg RS256 --bits 2048 --pem --out "$dir/rs.pem" --public-out "$dir/rs.pub.pem" || return 1
    run openssl pkey -in "$dir/rs.pem" -check -noout || return 1
    token=$(run "$jwtkit" encode --alg RS256 --key "$dir/rs.pem") || return 1
    expect 0 '' "$jwtkit" verify --alg RS256 --key "$dir/rs.pub.pem" "$token" || return 1
    expect 2 'needs --bits' "$jwtkit" keygen --alg RS256 || return 1
    expect 2 'for RSA keys' "$jwtkit" keygen --alg ES256 --bits 2048 || return 1
    expect 2 'needs a number' "$jwtkit" keygen --alg PS512 --bits 2k || return 1
    expect 1 'JWTKIT_ERR_INVALID_ARGUMENT' "$jwtkit" keygen --alg PS512 --bits 1024 || return 1
    expect 1 'JWTKIT_ERR_INVALID_ARGUMENT' "$jwtkit" keygen --alg RS256 --bits 8192 --out "$dir/big.jwk" || return 1
    [ ! -e "$dir/big.jwk" ] || { echo "a refused keygen left a file"; return 1; }
}

# convert: PEM <-> JWK, the public half unless --private, kids
cli_convert() {
    local dir=$work/convert kid
    rm -rf "$dir" && mkdir -p "$dir" || return 1
    # the public half by default, whatever the input holds
    run "$jwtkit" convert "$keys/rsa2048.pkcs8.pem" >"$dir/rsa.pub.jwk" || return 1
    if grep -q '"d"' "$dir/rsa.pub.jwk"; then echo "private member without --private"; return 1; fi
    run "$jwtkit" convert --to pem "$keys/rsa2048.pkcs8.pem" >"$dir/rsa.pub.pem" || return 1
    cmp "$dir/rsa.pub.pem" "$keys/rsa2048.spki.pem" || { echo "public PEM differs from the SPKI"; return 1; }
    run "$jwtkit" convert --to pem "$dir/rsa.pub.jwk" | cmp - "$keys/rsa2048.spki.pem" || return 1
    run "$jwtkit" convert --to pem < "$keys/ecp256.x5c.jwk.json" | cmp - "$keys/ecp256.spki.pem" || return 1
    # the private key only with --private; it signs what the public half verifies
    run "$jwtkit" convert --private "$keys/ecp256.sec1.pem" >"$dir/ec.jwk" || return 1
    grep -q '"d"' "$dir/ec.jwk" || { echo "no private member with --private"; return 1; }
    run "$jwtkit" convert --to pem --private "$dir/ec.jwk" >"$dir/ec.pem" || return 1
    grep -q 'BEGIN PRIVATE KEY' "$dir/ec.pem" || return 1
    token=$(run "$jwtkit" encode --alg ES256 --key "$dir/ec.pem") || return 1
    expect 0 '' "$jwtkit" verify --alg ES256 --key "$keys/ecp256.spki.der" "$token" || return 1
    # kids: chosen, or the thumbprint
    kid=$(run "$jwtkit" thumbprint "$keys/ed25519.spki.pem") || return 1
    run "$jwtkit" convert --thumbprint-kid "$keys/ed25519.pkcs8.pem" | grep -qF "\"kid\":\"$kid\"" || return 1
    run "$jwtkit" convert --kid mine -k "$keys/ed25519.pkcs8.pem" | grep -qF '"kid":"mine"' || return 1
    # refusals
    expect 1 'no private half' "$jwtkit" convert --private "$keys/rsa2048.spki.pem" || return 1
    expect 1 'JWTKIT_ERR_INVALID_ARGUMENT' "$jwtkit" convert --secret-file "$secret" || return 1
    run "$jwtkit" convert --private --secret-file "$secret" | grep -q '"kty":"oct"' || return 1
    expect 2 'PEM has no kid' "$jwtkit" convert --to pem --kid k "$keys/rsa2048.spki.pem" || return 1
    expect 2 'jwk or pem' "$jwtkit" convert --to der "$keys/rsa2048.spki.pem" || return 1
    expect 2 'No such file' "$jwtkit" convert "$dir/missing.pem" || return 1
    expect 2 'one key at a time' "$jwtkit" convert "$keys/rsa2048.spki.pem" "$keys/ecp256.spki.pem" || return 1
    printf 'not a key' >"$dir/garbage"
    expect 2 'JWTKIT_ERR_KEY_INVALID' "$jwtkit" convert "$dir/garbage" || return 1
    # a JWK whose certificate holds another key is refused
    sed 's/"x5t#S256": "[^"]*"/"x5t#S256": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"/' "$keys/ecp256.x5c.jwk.json" >"$dir/bad-x5t.jwk"
    expect 2 'x5t#S256.*JWTKIT_ERR_KEY_INVALID' "$jwtkit" convert "$dir/bad-x5t.jwk" || return 1
}

# jwks: a public JWK Set from key files
cli_jwks_build() {
    local dir=$work/jwks-build token kid
    rm -rf "$dir" && mkdir -p "$dir" || return 1
    run "$jwtkit" jwks --thumbprint-kid "$keys/ecp256.pkcs8.pem" "$keys/rsa2048.spki.pem" \
        "$keys/ed25519.pkcs8.der" "$keys/ecp256.x5c.jwk.json" >"$dir/set.json" || return 1
    if grep -q '"d"' "$dir/set.json"; then echo "private member in the set"; return 1; fi
    [ "$(run "$jwtkit" thumbprint --jwks "$dir/set.json" | wc -l)" = 4 ] || return 1
    kid=$(run "$jwtkit" thumbprint "$keys/rsa2048.pkcs8.pem") || return 1
    grep -qF "\"kid\":\"$kid\"" "$dir/set.json" || { echo "no thumbprint kid"; return 1; }
    grep -qF '"kid":"ecp256-x5c"' "$dir/set.json" || { echo "a JWK's own kid was not kept"; return 1; }
    for alg in ES256 RS256 EdDSA; do
        token=$(run "$jwtkit" encode --alg "$alg" --key "$(priv_of "$alg")") || return 1
        expect 0 '' "$jwtkit" verify --alg "$alg" --jwks "$dir/set.json" "$token" || return 1
    done
    run "$jwtkit" jwks "$keys/ecp384.spki.pem" >"$dir/nokid.json" || return 1
    if grep -q '"kid"' "$dir/nokid.json"; then echo "a kid without --thumbprint-kid"; return 1; fi
    # refusals: a secret has no public form (alone, or beside public keys); missing,
    # unusable and no files
    printf '{"kty":"oct","k":"%s"}' "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY" >"$dir/oct.jwk"
    expect 1 'JWTKIT_ERR_INVALID_ARGUMENT' "$jwtkit" jwks "$dir/oct.jwk" || return 1
    expect 1 'refused keys\[1\].*JWTKIT_ERR_KEY_USAGE' "$jwtkit" jwks "$keys/ecp256.spki.pem" "$dir/oct.jwk" || return 1
    expect 2 'No such file' "$jwtkit" jwks "$keys/ecp256.spki.pem" "$dir/missing.pem" || return 1
    expect 2 'JWTKIT_ERR_KEY_TOO_WEAK' "$jwtkit" jwks "$keys/refused/rsa1024.spki.pem" || return 1
    expect 2 'at least one key' "$jwtkit" jwks || return 1
}

# jwe encrypt | decrypt: every kind of key, the allow-lists, and each refusal
cli_jwe() {
    local dir=$work/jwe token
    rm -rf "$dir" && mkdir -p "$dir" || return 1
    printf 'binary\0plaintext\n\001' >"$dir/plain"
    printf '0123456789abcdef0123456789abcdef' >"$dir/k32"
    printf '0123456789abcdef' >"$dir/k16"
    token=$(run "$jwtkit" jwe encrypt --alg RSA-OAEP-256 --enc A256GCM --key "$keys/rsa2048.spki.pem" "$dir/plain") || return 1
    run "$jwtkit" jwe decrypt --alg RSA-OAEP-256 --enc A256GCM --key "$keys/rsa2048.pkcs8.pem" "$token" | cmp - "$dir/plain" || return 1
    token=$(run "$jwtkit" jwe encrypt --alg ECDH-ES+A128KW --enc A128CBC-HS256 --key "$keys/ecp256.x5c.jwk.json" < "$dir/plain") || return 1
    run "$jwtkit" decode --json "$token" 2>/dev/null | grep -q . && { echo "decode took a JWE"; return 1; }
    echo "$token" | run "$jwtkit" jwe decrypt --alg ECDH-ES+A128KW,ECDH-ES --enc A128CBC-HS256 --key "$keys/ecp256.pkcs8.pem" | cmp - "$dir/plain" || return 1
    token=$(run "$jwtkit" jwe encrypt --alg dir --enc A256GCM --secret-file "$dir/k32" --zip --header '{"kid":"k-32"}' "$dir/plain") || return 1
    run "$jwtkit" jwe decrypt --alg dir --enc A256GCM --secret-file "$dir/k32" --allow-zip --header-out "$dir/hdr" "$token" | cmp - "$dir/plain" || return 1
    grep -qF '"kid":"k-32"' "$dir/hdr" && grep -qF '"zip":"DEF"' "$dir/hdr" || { echo "header not written"; return 1; }
    expect 1 'JWTKIT_ERR_JWE_ZIP_NOT_ALLOWED' "$jwtkit" jwe decrypt --alg dir --enc A256GCM --secret-file "$dir/k32" "$token" || return 1
    expect 2 'hdr: exists' "$jwtkit" jwe decrypt --alg dir --enc A256GCM --secret-file "$dir/k32" --allow-zip --header-out "$dir/hdr" "$token" || return 1
    token=$(echo -n short | run "$jwtkit" jwe encrypt --alg A128KW --enc A128GCM --secret-file "$dir/k16") || return 1
    [ "$(run "$jwtkit" jwe decrypt --alg A128KW --enc A128GCM --secret-file "$dir/k16" "$token")" = short ] || return 1
    # the wrong key, a tampered token, and what the allow-lists leave out
    token=$(run "$jwtkit" jwe encrypt --alg RSA-OAEP-256 --enc A256GCM --key "$keys/rsa2048.spki.der" "$dir/plain") || return 1
    run "$jwtkit" keygen --alg RS256 --bits 2048 --pem --out "$dir/other-rsa.pem" || return 1
    expect 1 'JWTKIT_ERR_JWE_DECRYPTION_FAILED' "$jwtkit" jwe decrypt --alg RSA-OAEP-256 --enc A256GCM --key "$dir/other-rsa.pem" "$token" || return 1
    expect 1 'JWTKIT_ERR_KEY_ALG_MISMATCH' "$jwtkit" jwe decrypt --alg RSA-OAEP-256 --enc A256GCM --key "$keys/ecp256.pkcs8.pem" "$token" || return 1
    expect 1 'JWTKIT_ERR_JWE_DECRYPTION_FAILED' "$jwtkit" jwe decrypt --alg RSA-OAEP-256 --enc A256GCM --key "$keys/rsa2048.pkcs8.pem" "${token%?????}AAAAA" || return 1
    expect 1 'JWTKIT_ERR_ALG_NOT_ALLOWED' "$jwtkit" jwe decrypt --alg RSA-OAEP --enc A256GCM --key "$keys/rsa2048.pkcs8.pem" "$token" || return 1
    expect 1 'JWTKIT_ERR_JWE_ENC_NOT_ALLOWED' "$jwtkit" jwe decrypt --alg RSA-OAEP-256 --enc A128GCM --key "$keys/rsa2048.pkcs8.pem" "$token" || return 1
    expect 1 'JWTKIT_ERR_JWE_KEY_CANNOT_DECRYPT' "$jwtkit" jwe decrypt --alg RSA-OAEP-256 --enc A256GCM --key "$keys/rsa2048.spki.pem" "$token" || return 1
    token=$(run "$jwtkit" encode --alg HS256 --secret-file "$secret") || return 1
    expect 1 'JWTKIT_ERR_TOKEN_MALFORMED' "$jwtkit" jwe decrypt --alg dir --enc A256GCM --secret-file "$dir/k32" "$token" || return 1
    # --jwks: the token's kid chooses the key; a kid-less key serves unknown kids; the
    # set keeps decryption keys only (use sig skipped with a warning)
    printf '{"kty":"oct","kid":"a","k":"%s"}' "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY" >"$dir/a.jwk"
    printf '{"kty":"oct","kid":"b","k":"%s"}' "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA" >"$dir/b.jwk"
    printf '{"keys":[%s,%s,{"kty":"oct","kid":"s","use":"sig","k":"%s"}]}' "$(cat "$dir/a.jwk")" "$(cat "$dir/b.jwk")" \
        "c2lnbmF0dXJlLWtleS1zaWduYXR1cmUta2V5LXNpZ24" >"$dir/dec.json"
    token=$(run "$jwtkit" jwe encrypt --alg A256KW --enc A256GCM --key "$dir/b.jwk" "$dir/plain") || return 1
    run "$jwtkit" jwe decrypt --alg A256KW --enc A256GCM --jwks "$dir/dec.json" "$token" 2>"$dir/warn" | cmp - "$dir/plain" || return 1
    grep -q 'skipped keys\[2\] (kid "s").*JWTKIT_ERR_KEY_USAGE' "$dir/warn" || { cat "$dir/warn"; echo "no warning for the use sig key"; return 1; }
    token=$(run "$jwtkit" jwe encrypt --alg A256KW --enc A256GCM --key "$dir/b.jwk" --header '{"kid":"nope"}' "$dir/plain") || return 1
    expect 1 'JWTKIT_ERR_KEY_NOT_FOUND' "$jwtkit" jwe decrypt --alg A256KW --enc A256GCM --jwks "$dir/dec.json" "$token" || return 1
    printf '{"keys":[%s,{"kty":"oct","k":"%s"}]}' "$(cat "$dir/a.jwk")" "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA" >"$dir/nokid.json"
    run "$jwtkit" jwe decrypt --alg A256KW --enc A256GCM --jwks "$dir/nokid.json" "$token" | cmp - "$dir/plain" || return 1
    expect 2 'either --jwks or a key' "$jwtkit" jwe decrypt --alg A256KW --enc A256GCM --jwks "$dir/dec.json" --secret-file "$dir/k32" "$token" || return 1
    printf '{"keys":[{"kty":"EC","crv":"P-256","x":"%s","y":"%s"}]}' \
        "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU" "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" >"$dir/public.json"
    expect 2 'JWTKIT_ERR_JWE_KEY_CANNOT_DECRYPT.*|no usable key' "$jwtkit" jwe decrypt --alg ECDH-ES --enc A256GCM --jwks "$dir/public.json" "$token" || return 1
    # usage errors
    expect 2 'JWTKIT_ERR_JWE_ALG_INSECURE' "$jwtkit" jwe decrypt --alg RSA1_5 --enc A256GCM --key "$keys/rsa2048.pkcs8.pem" x || return 1
    expect 2 '--enc is required' "$jwtkit" jwe decrypt --alg dir --secret-file "$dir/k32" x || return 1
    expect 2 'one --alg and one --enc' "$jwtkit" jwe encrypt --alg dir,A128KW --enc A256GCM --secret-file "$dir/k32" "$dir/plain" || return 1
    expect 2 'No such file' "$jwtkit" jwe encrypt --alg RSA-OAEP-256 --enc A256GCM --key "$dir/missing.pem" "$dir/plain" || return 1
    expect 2 'No such file' "$jwtkit" jwe encrypt --alg RSA-OAEP-256 --enc A256GCM --key "$keys/rsa2048.spki.pem" "$dir/missing" || return 1
    expect 2 "'encrypt' or 'decrypt'" "$jwtkit" jwe seal || return 1
    expect 2 'a key is needed' "$jwtkit" jwe encrypt --alg dir --enc A256GCM "$dir/plain" || return 1
}

# the key tools and JWE under valgrind: no leaks or memory errors, refusals included
cli_keytools_valgrind() {
    [ "${#valgrind[@]}" -gt 0 ] || { echo "valgrind not installed: skipped"; return 0; }
    local token
    run "${valgrind[@]}" "$jwtkit" convert --private --thumbprint-kid "$keys/rsa2048.pkcs8.pem" >/dev/null || return 1
    expect 1 'no private half' "${valgrind[@]}" "$jwtkit" convert --private "$keys/ecp256.spki.pem" || return 1
    run "${valgrind[@]}" "$jwtkit" jwks --thumbprint-kid "$keys/ecp256.pkcs8.pem" "$keys/ecp256.x5c.jwk.json" >/dev/null || return 1
    expect 2 'No such file' "${valgrind[@]}" "$jwtkit" jwks "$keys/ecp256.spki.pem" "$work/missing.pem" || return 1
    token=$(echo -n hi | run "${valgrind[@]}" "$jwtkit" jwe encrypt --alg ECDH-ES --enc A256GCM --key "$keys/ecp256.spki.pem") || return 1
    [ "$(run "${valgrind[@]}" "$jwtkit" jwe decrypt --alg ECDH-ES --enc A256GCM --key "$keys/ecp256.pkcs8.pem" "$token")" = hi ] || return 1
    expect 1 'JWTKIT_ERR_ALG_NOT_ALLOWED' "${valgrind[@]}" "$jwtkit" jwe decrypt --alg dir --enc A256GCM --key "$keys/ecp256.pkcs8.pem" "$token" || return 1
    printf '{"keys":[{"kty":"EC","crv":"P-256","kid":"pub","x":"%s","y":"%s"},%s]}' \
        "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU" "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" \
        "$(run "$jwtkit" convert --private "$keys/ecp256.pkcs8.pem")" >"$work/dec-set.json" || return 1
    [ "$(run "${valgrind[@]}" "$jwtkit" jwe decrypt --alg ECDH-ES --enc A256GCM --jwks "$work/dec-set.json" "$token")" = hi ] || return 1
}

# The files keygen writes: the private key is 0600 whatever the umask; nothing that
# exists is overwritten without --force, and --force gives a new 0600 file rather than
# keeping the old file's mode; a symlink at the output is never followed; files planted
# at guessable temporary names are neither used nor changed; nothing is left behind.
cli_keygen_files() {
    local dir=$work/keygen-files name force
    rm -rf "$dir" && mkdir -p "$dir" || return 1
    (umask 000 && run "$jwtkit" keygen --alg ES256 --out "$dir/k.jwk" --public-out "$dir/k.pub.jwk" \
        --public-jwks "$dir/k.jwks") || return 1
    [ "$(stat -c %a "$dir/k.jwk")" = 600 ] || { echo "private key is $(stat -c %a "$dir/k.jwk") under umask 000"; return 1; }
    [ "$(stat -c %a "$dir/k.pub.jwk")" = 644 ] || { echo "public key is $(stat -c %a "$dir/k.pub.jwk")"; return 1; }
    grep -q '"d"' "$dir/k.jwk" || { echo "no private key in k.jwk"; return 1; }
    (umask 000 && run "$jwtkit" keygen --alg EdDSA --pem --out "$dir/k.pem") || return 1
    [ "$(stat -c %a "$dir/k.pem")" = 600 ] || { echo "PEM private key is $(stat -c %a "$dir/k.pem")"; return 1; }

    # an existing output: refused and left as it was, unless --force
    printf 'old contents\n' >"$dir/old.jwk" && chmod 644 "$dir/old.jwk" || return 1
    expect 2 'old.jwk: exists.*--force' "$jwtkit" keygen --alg ES256 --out "$dir/old.jwk" || return 1
    [ "$(cat "$dir/old.jwk")" = "old contents" ] && [ "$(stat -c %a "$dir/old.jwk")" = 644 ] \
        || { echo "a refused output was changed"; return 1; }
    # an existing public output refuses the command before the private key is written
    expect 2 'old.jwk: exists' "$jwtkit" keygen --alg ES256 --out "$dir/new.jwk" --public-out "$dir/old.jwk" || return 1
    [ ! -e "$dir/new.jwk" ] || { echo "private key written by a refused command"; return 1; }
    (umask 000 && run "$jwtkit" keygen --alg ES256 --out "$dir/old.jwk" --force) || return 1
    grep -q '"d"' "$dir/old.jwk" || { echo "--force did not replace the file"; return 1; }
    [ "$(stat -c %a "$dir/old.jwk")" = 600 ] \
        || { echo "the replaced key file is $(stat -c %a "$dir/old.jwk"): the old file's mode was kept"; return 1; }

    # a symlink at the output (to a file, or dangling): refused even with --force, not followed
    printf 'decoy\n' >"$dir/target" && chmod 644 "$dir/target" || return 1
    ln -s "$dir/target" "$dir/link.jwk" && ln -s "$dir/absent" "$dir/dangling.jwk" || return 1
    for force in "" --force; do
        expect 2 'link.jwk: is a symbolic link' "$jwtkit" keygen --alg ES256 --out "$dir/link.jwk" $force || return 1
        expect 2 'dangling.jwk: is a symbolic link' "$jwtkit" keygen --alg ES256 --out "$dir/dangling.jwk" $force || return 1
    done
    [ "$(cat "$dir/target")" = decoy ] && [ "$(stat -c %a "$dir/target")" = 644 ] && [ ! -e "$dir/absent" ] \
        && [ -L "$dir/link.jwk" ] && [ -L "$dir/dangling.jwk" ] || { echo "a symlink was followed or replaced"; return 1; }

    # world-writable files and symlinks planted at guessable temporary names (OUT.tmp,
    # .OUT.PID.tmp as the example service names its --out, ...): untouched
    for name in fresh.jwk.tmp .fresh.jwk.tmp ".fresh.jwk.$$.tmp" fresh.jwk~ fresh.jwk.new .jwtkit-tmp.tmp; do
        printf 'planted\n' >"$dir/$name" && chmod 666 "$dir/$name" || return 1
    done
    ln -s "$dir/target" "$dir/fresh.jwk.part" || return 1
    (umask 000 && run "$jwtkit" keygen --alg ES256 --out "$dir/fresh.jwk") || return 1
    [ "$(stat -c %a "$dir/fresh.jwk")" = 600 ] && grep -q '"d"' "$dir/fresh.jwk" || { echo "fresh.jwk is not a 0600 key"; return 1; }
    for name in fresh.jwk.tmp .fresh.jwk.tmp ".fresh.jwk.$$.tmp" fresh.jwk~ fresh.jwk.new .jwtkit-tmp.tmp; do
        [ "$(cat "$dir/$name")" = planted ] && [ "$(stat -c %a "$dir/$name")" = 666 ] \
            || { echo "planted file $name was changed"; return 1; }
    done
    [ "$(cat "$dir/target")" = decoy ] || { echo "the planted symlink was followed"; return 1; }

    # no temporary file left behind by the successes and refusals above
    if ls -A "$dir" | grep -E '^\.jwtkit-tmp-[a-z0-9]{16}\.tmp$'; then
        echo "temporary files left behind"
        return 1
    fi
    # the example service and other callers keep working on a fresh path
    run "$jwtkit" keygen --alg EdDSA --out "$dir/service.jwk" --public-jwks "$dir/service.jwks" || return 1
}

# Two outputs naming one file are refused before anything is generated, with or without
# --force (the second write would replace the private key by the public one, or fail
# after the private key was placed): the same string, spellings of one path, a directory
# reached through a symlink, hard links to one existing file.
cli_keygen_same_file() {
    local dir=$work/keygen-same force
    rm -rf "$dir" && mkdir -p "$dir/sub" && ln -s "$dir/sub" "$dir/alias" || return 1
    for force in "" --force; do
        expect 2 'same file' "$jwtkit" keygen --alg ES256 --out "$dir/k" --public-out "$dir/k" $force || return 1
        expect 2 'same file' "$jwtkit" keygen --alg ES256 --out "$dir/k" --public-jwks "$dir/.//k" $force || return 1
        expect 2 'same file' "$jwtkit" keygen --alg EdDSA --pem --out "$dir/sub/k" --public-out "$dir/alias/k" $force || return 1
        expect 2 'same file' "$jwtkit" keygen --alg ES256 --out "$dir/a" --public-out "$dir/b" --public-jwks "$dir/b" $force || return 1
        (cd "$dir" && expect 2 'same file' "$jwtkit" keygen --alg ES256 --out k --public-out "$dir/k" $force) || return 1
    done
    [ "$(ls -A "$dir/sub")" = "" ] && [ "$(ls -A "$dir" | tr '\n' ' ')" = "alias sub " ] \
        || { echo "a refused command left files:"; ls -lA "$dir" "$dir/sub"; return 1; }
    printf 'old key\n' >"$dir/h1" && ln "$dir/h1" "$dir/h2" || return 1
    expect 2 'same file' "$jwtkit" keygen --alg ES256 --out "$dir/h1" --public-out "$dir/h2" --force || return 1
    [ "$(cat "$dir/h1")" = "old key" ] || { echo "a refused command replaced h1"; return 1; }
}

# An output that cannot be written fails the command and leaves no key behind: nothing
# is placed before every output is written, and a file already placed is removed when a
# later step fails (here standard output, when the private key goes there).
cli_keygen_failed_write() {
    local dir=$work/keygen-fail
    rm -rf "$dir" && mkdir -p "$dir/ro" || return 1
    expect 2 'no-such-dir/k.pub' "$jwtkit" keygen --alg ES256 --out "$dir/k.jwk" --public-out "$dir/no-such-dir/k.pub" || return 1
    [ ! -e "$dir/k.jwk" ] || { echo "private key left behind by a failed keygen"; return 1; }
    expect 2 'no-such-dir/k.jwks' "$jwtkit" keygen --alg EdDSA --out "$dir/k.jwk" --public-out "$dir/k.pub" \
        --public-jwks "$dir/no-such-dir/k.jwks" || return 1
    [ ! -e "$dir/k.jwk" ] && [ ! -e "$dir/k.pub" ] || { echo "outputs left behind by a failed keygen"; return 1; }
    # with --force, the existing files survive a failed run
    printf 'old key\n' >"$dir/old.jwk" || return 1
    expect 2 'no-such-dir' "$jwtkit" keygen --alg ES256 --out "$dir/old.jwk" --public-out "$dir/no-such-dir/p" --force || return 1
    [ "$(cat "$dir/old.jwk")" = "old key" ] || { echo "--force replaced a key although the command failed"; return 1; }
    chmod 555 "$dir/ro" || return 1
    if [ -w "$dir/ro" ]; then
        echo "running as root: the unwritable-directory case is skipped"
    else
        expect 2 'ro/k.pub: cannot create' "$jwtkit" keygen --alg ES256 --out "$dir/k.jwk" --public-out "$dir/ro/k.pub" || return 1
        [ ! -e "$dir/k.jwk" ] || { echo "private key left behind by a failed keygen"; return 1; }
    fi
    chmod 755 "$dir/ro" || return 1
    # the public key is placed, then printing the private key fails: the public key goes
    full_stdout 'removed .*k.pub' "$jwtkit" keygen --alg ES256 --public-out "$dir/k.pub" || return 1
    [ ! -e "$dir/k.pub" ] || { echo "public key left behind without its private key"; return 1; }
    if ls -A "$dir" "$dir/ro" | grep -E '^\.jwtkit-tmp-'; then echo "temporary files left behind"; return 1; fi
}

# Paths and arguments in messages are shown with control characters escaped, so that a
# file name cannot send escape sequences to the terminal.
cli_escaped_paths() {
    local dir=$work/keygen-esc esc=$'\e'
    rm -rf "$dir" && mkdir -p "$dir" || return 1
    expect 2 '\\x1b\[31mred/k: cannot create' "$jwtkit" keygen --alg ES256 --out "$dir/${esc}[31mred/k" || return 1
    if grep -q "$esc" "$work/err"; then echo "a raw ESC reached stderr"; return 1; fi
    expect 2 'x\\x1b\]0;title\\x07y: No such file' "$jwtkit" verify --alg ES256 --key "$dir/x${esc}]0;title"$'\a'"y" tok || return 1
    if grep -q "$esc" "$work/err"; then echo "a raw ESC reached stderr"; return 1; fi
    expect 2 "unknown option '--x\\\\x1b\\[2J'" "$jwtkit" keygen --alg ES256 "--x${esc}[2J" || return 1
    if grep -q "$esc" "$work/err"; then echo "a raw ESC reached stderr"; return 1; fi
    # UTF-8 is shown as it is
    expect 2 'café/k: cannot create' "$jwtkit" keygen --alg ES256 --out "$dir/café/k"
}

# The tool's source, as a user would build it: C99 with every warning an error.
cli_source_warnings() {
    # shellcheck disable=SC2046
    run cc -std=c99 -Wall -Wextra -Werror -o "$work/jwtkit-werror" "$root/bindings/c/jwtkit_cli.c" \
        $(pkg-config --cflags --libs jwtkit) -lm || return 1
    run env LD_LIBRARY_PATH="$prefix/lib" "$work/jwtkit-werror" --version
}

cli_jwks_skipped_keys() {
    local dir=$work/keygen token
    # a set with an encryption key and an unknown kty next to the usable key
    sed 's/^{"keys":\[/{"keys":[{"kty":"XYZ","kid":"odd"},/' "$dir/ES256.jwks" >"$work/mixed.jwks"
    token=$(run "$jwtkit" encode --alg ES256 --key "$dir/ES256.jwk") || return 1
    expect 0 'warning: skipped .*odd.*KEY_UNSUPPORTED' "$jwtkit" verify --alg ES256 --jwks "$work/mixed.jwks" "$token" || return 1
    printf '{"keys":[{"kty":"XYZ"}]}' >"$work/empty.jwks"
    expect 2 'no usable key' "$jwtkit" verify --alg ES256 --jwks "$work/empty.jwks" "$token"
}

# verify --jwks-url / --issuer-discovery against the JWKS test server: only its CA
# trusted (--ca-file), http only with --allow-http, a rotated set picked up, an unknown
# kid invalid (exit 1); no key set to verify with (the server's faults, a wrong CA, an
# issuer the configuration does not name) exits 2.
cli_jwks_url() {
    [ -n "${JWTKIT_TEST_JWKS_DIR:-}" ] || { echo "the JWKS test server is not running"; return 1; }
    local d=$JWTKIT_TEST_JWKS_DIR https=$JWTKIT_TEST_JWKS_HTTPS http=$JWTKIT_TEST_JWKS_HTTP
    local ca=$JWTKIT_TEST_JWKS_CA dir=$work/jwks-cli token other mode
    control() { printf '%s' "$2" >"$d/.$1.tmp" && mv "$d/.$1.tmp" "$d/$1"; }
    rm -rf "$dir" && mkdir -p "$dir" || return 1
    run "$jwtkit" keygen --alg ES256 --kid cli-a --out "$dir/a.jwk" --public-out "$dir/a.pub" \
        --public-jwks "$dir/a.jwks" || return 1
    run "$jwtkit" keygen --alg ES256 --kid cli-b --out "$dir/b.jwk" --public-out "$dir/b.pub" || return 1
    control jwks.json "$(cat "$dir/a.jwks")" && control cache-control "max-age=60" && control mode ok || return 1
    token=$(run "$jwtkit" encode --alg ES256 --key "$dir/a.jwk" --iss "$https" --exp 5m sub=alice) || return 1

    expect 0 '' "$jwtkit" verify --alg ES256 --jwks-url "$https/jwks" --ca-file "$ca" --iss "$https" "$token" || return 1
    grep -q '"sub":"alice"' "$work/out" || { echo "no claims printed"; return 1; }
    printf '%s\n' "$token" | run "$jwtkit" verify -q --alg ES256 --jwks-url="$https/jwks" --ca-file="$ca" || return 1
    expect 0 '' "$jwtkit" verify --alg ES256 --issuer-discovery "$https" --ca-file "$ca" --iss "$https" "$token" || return 1
    expect 1 'JWTKIT_ERR_ISSUER_MISMATCH' "$jwtkit" verify --alg ES256 --issuer-discovery "$https" --ca-file "$ca" \
        --iss https://other.example "$token" || return 1
    # http only when allowed
    expect 2 'plain-HTTP.*JWTKIT_ERR_INVALID_ARGUMENT' "$jwtkit" verify --alg ES256 --jwks-url "$http/jwks" "$token" || return 1
    expect 0 '' "$jwtkit" verify --alg ES256 --jwks-url "$http/jwks" --allow-http "$token" || return 1
    expect 0 '' "$jwtkit" verify --alg ES256 --issuer-discovery "$http" --allow-http "$token" || return 1
    # the test CA is needed: not in the system's store, and another CA is no better
    expect 2 'JWTKIT_ERR_KEY_SOURCE|JWTKIT_ERR_INVALID_ARGUMENT' "$jwtkit" verify --alg ES256 --jwks-url "$https/jwks" "$token" || return 1
    expect 2 'JWTKIT_ERR_KEY_SOURCE' "$jwtkit" verify --alg ES256 --jwks-url "$https/jwks" --ca-file "$d/other-ca.pem" "$token" || return 1
    expect 2 'no-such-ca.pem' "$jwtkit" verify --alg ES256 --jwks-url "$https/jwks" --ca-file "$dir/no-such-ca.pem" "$token" || return 1
    # discovery refuses an issuer its configuration does not name
    expect 2 'its issuer is.*JWTKIT_ERR_KEY_SOURCE' "$jwtkit" verify --alg ES256 --issuer-discovery "$https/wrong-issuer" \
        --ca-file "$ca" "$token" || return 1
    # a kid the set lacks is an invalid token; once published, it verifies
    other=$(run "$jwtkit" encode --alg ES256 --key "$dir/b.jwk" --exp 5m sub=bob) || return 1
    expect 1 'JWTKIT_ERR_KEY_NOT_FOUND' "$jwtkit" verify --alg ES256 --jwks-url "$https/jwks" --ca-file "$ca" "$other" || return 1
    control jwks.json "{\"keys\":[$(cat "$dir/a.pub"),$(cat "$dir/b.pub")]}" || return 1
    expect 0 '' "$jwtkit" verify --alg ES256 --jwks-url "$https/jwks" --ca-file "$ca" "$other" || return 1
    # the server's faults: no key set to verify with
    for mode in 500 invalid empty redirect-http; do
        control mode "$mode" || return 1
        expect 2 'JWTKIT_ERR_KEY_(SOURCE|INVALID)' "$jwtkit" verify --alg ES256 --jwks-url "$https/jwks" --ca-file "$ca" "$token" || return 1
    done
    control mode ok || return 1
    # usage errors
    expect 2 'give one of' "$jwtkit" verify --alg ES256 --jwks-url "$https/jwks" --key "$es_pub" "$token" || return 1
    expect 2 'give one of' "$jwtkit" verify --alg ES256 --jwks-url "$https/jwks" --issuer-discovery "$https" "$token" || return 1
    expect 2 'go with --jwks-url' "$jwtkit" verify --alg ES256 --key "$es_pub" --ca-file "$ca" "$token" || return 1
    expect 2 'needs a value' "$jwtkit" verify --alg ES256 --jwks-url || return 1
    # no leaks or memory errors, fetching over TLS included
    if [ "${#valgrind[@]}" -gt 0 ]; then
        expect 0 '' "${valgrind_tls[@]}" "$jwtkit" verify --alg ES256 --jwks-url "$https/jwks" --ca-file "$ca" "$token" || return 1
        expect 0 '' "${valgrind_tls[@]}" "$jwtkit" verify --alg ES256 --issuer-discovery "$https" --ca-file "$ca" "$token" || return 1
        expect 2 'JWTKIT_ERR_KEY_SOURCE' "${valgrind_tls[@]}" "$jwtkit" verify --alg ES256 --jwks-url "$https/jwks" \
            --ca-file "$d/other-ca.pem" "$token" || return 1
    fi
}

check "cli: keygen, thumbprint, verify --jwks" cli_keygen_jwks
check "cli: keygen --bits: RSA 2048/3072 keys, restricted to ALG, each refusal" cli_keygen_rsa
check "cli: convert PEM <-> JWK, public unless --private, kids, each refusal" cli_convert
check "cli: jwks builds a public JWK Set from key files, each refusal" cli_jwks_build
check "cli: jwe encrypt | decrypt with RSA, EC, dir and A128KW keys; allow-lists; each refusal" cli_jwe
check "cli: verify --jwks-url, --issuer-discovery (JWKS test server)" cli_jwks_url
check "cli: keygen files: 0600 under umask 000, no overwrite without --force, no symlinks, no planted temp files" cli_keygen_files
check "cli: keygen refuses two outputs naming one file, with or without --force" cli_keygen_same_file
check "cli: keygen leaves no key behind when an output cannot be written" cli_keygen_failed_write
check "cli: control characters in paths and arguments are shown escaped" cli_escaped_paths
check "cli: the tool's source compiles with -std=c99 -Wall -Wextra -Werror" cli_source_warnings
check "cli: a JWK Set's unusable keys are skipped with a warning" cli_jwks_skipped_keys
check "cli: expired token exits 1 with the reason; leeway" cli_expired
check "cli: tampered token exits 1 with the reason" cli_tampered
check "cli: wrong audience exits 1 with the reason" cli_wrong_audience
check "cli: issuer, algorithm, key, required claim, nbf refusals exit 1" cli_other_refusals
check "cli: usage errors exit 2" cli_usage_errors
check "cli: --help for each command" cli_help
check "cli: claims from key=value, key:=JSON, a JSON object, stdin" cli_claims_inputs
check "cli: decode pretty-prints with dates" cli_decode
check "cli: --kid, --typ, --header" cli_kid_and_header
check "cli: dpop proof -> dpop verify (every asymmetric algorithm, jkt = thumbprint), each refusal" cli_dpop
check "cli: no leaks or memory errors (valgrind)" cli_valgrind
check "cli: convert, jwks and jwe: no leaks or memory errors (valgrind)" cli_keytools_valgrind

echo
if [ "$failed" -gt 0 ]; then
    printf 'failed: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
