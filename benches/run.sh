#!/usr/bin/env bash
# Runs every jwtkit benchmark in one go and writes benches/results.md and benches/chart.svg:
#
#   1. cargo bench --bench jwt     Rust: sign and verify (with claims) beside their floors,
#                                  then the target ratios again in interleaved rounds
#   2. cargo bench --bench alloc   allocations per operation; RSS over 1M HS256 verifications
#   3. benches/c/bench_c.c         the C API beside libjwt (when libjwt-dev is installed)
#      (and again on the aws-lc build, target/aws-lc)
#   4. benches/python/bench.py     the Python package beside PyJWT (at its best, and given
#                                  PEM text per call), on the build pip makes by default
#   5. valgrind (when installed)   instruction counts per operation (callgrind) and heap
#                                  allocations per C verify (memcheck), jwtkit and libjwt:
#                                  repeatable where timings on a shared machine are not
#
#   bash benches/run.sh                 everything (about 3-4 minutes once built)
#   bash benches/run.sh --quick         shorter measurements, no valgrind (about 1 minute)
#   RUST_SECONDS=2 C_SECONDS=2 bash benches/run.sh   longer, steadier measurements
#
# Raw outputs go to target/bench/; the report is made by benches/report.py from them.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/target/bench
mkdir -p "$OUT"

QUICK=0
[[ "${1:-}" == "--quick" ]] && QUICK=1
if ((QUICK)); then
    RUST_SECONDS=${RUST_SECONDS:-0.4} C_SECONDS=${C_SECONDS:-0.3} PY_SECONDS=${PY_SECONDS:-0.2} RSS_N=${RSS_N:-200000}
    PAIR_ROUNDS=${PAIR_ROUNDS:-3}
else
    RUST_SECONDS=${RUST_SECONDS:-1} C_SECONDS=${C_SECONDS:-1} PY_SECONDS=${PY_SECONDS:-0.4} RSS_N=${RSS_N:-1000000}
    PAIR_ROUNDS=${PAIR_ROUNDS:-15}
fi
step() { printf '\n== %s\n' "$*" >&2; }
started=$(date +%s)

step "machine"
{
    echo "date	$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "commit	$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src 2>/dev/null || echo ' (src/ has uncommitted changes)')"
    echo "cpu	$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1) x $(nproc)"
    echo "rustc	$(rustc --version)"
    echo "load	$(cut -d' ' -f1-3 /proc/loadavg)"
    # Whatever else is busy now (fuzzers, builds): it shares the cores with us.
    ps -eo pcpu=,comm= --sort=-pcpu | awk '$1 >= 20 { printf "busy\t%s (%s%% CPU)\n", $2, $1 }' | grep -v -e ps -e awk || true
} | tee "$OUT/machine.txt" >&2

step "build (release library, benchmarks)"
cargo build --release --quiet
cargo bench --no-run --quiet --bench jwt --bench alloc 2>&1 | grep -v '^ *Executable' >&2 || true

step "Rust: cargo bench --bench jwt (${RUST_SECONDS}s per measurement)"
cargo bench --quiet --bench jwt -- --warm-up-time 0.3 --measurement-time "$RUST_SECONDS" \
    --output-format bencher 2>/dev/null | grep '^test ' | tee "$OUT/rust.txt" >&2

step "Rust: the target ratios in $PAIR_ROUNDS interleaved rounds"
jwt_bin=$(cargo bench --no-run --bench jwt 2>&1 | sed -n 's/.*Executable benches\/jwt.rs (\(.*\))/\1/p')
JWTKIT_BENCH_PAIRS="$PAIR_ROUNDS" "$jwt_bin" | tee "$OUT/pairs.txt" >&2

step "Rust: allocations per operation, RSS over $RSS_N HS256 verifications"
cargo bench --quiet --bench alloc -- --iterations "$RSS_N" 2>/dev/null | tee "$OUT/alloc.txt" >&2

step "C: benches/c/bench_c.c through the public C API"
# Like bindings/c/Makefile: the loader finds libjwtkit.so.<ABI> through a link in the build dir.
soname=$(readelf -d target/release/libjwtkit.so | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
ln -sf "$ROOT/target/release/libjwtkit.so" "$OUT/${soname:-libjwtkit.so}"
LIBJWT_FLAGS=()
if pkg-config --exists libjwt 2>/dev/null || [[ -f /usr/include/jwt.h ]]; then
    LIBJWT_FLAGS=(-DHAVE_LIBJWT $(pkg-config --libs libjwt 2>/dev/null || echo -ljwt))
    echo "libjwt $(pkg-config --modversion libjwt 2>/dev/null || echo '(version unknown)')" | tee "$OUT/libjwt.txt" >&2
else
    echo "NOTE: libjwt not installed (Debian: apt-get install libjwt-dev); measuring jwtkit only" >&2
    rm -f "$OUT/libjwt.txt"
fi
cc -O2 -std=c99 -Wall -Wextra -Werror -Iinclude benches/c/bench_c.c -o "$OUT/bench_c" \
    -Ltarget/release -Wl,-rpath,"$OUT" -ljwtkit "${LIBJWT_FLAGS[@]}"
"$OUT/bench_c" tests/keys --seconds "$C_SECONDS" --rss "$RSS_N" | tee "$OUT/c.txt" >&2

step "C: the same on the aws-lc build (target/aws-lc, as tests/run.sh builds it)"
# Also the library that `pip install ./bindings/python` bundles by default.
AWSLC=(--no-default-features --features aws-lc,fetch --target-dir target/aws-lc)
rm -f "$OUT/c-aws-lc.txt"
if cargo build --release --quiet --lib "${AWSLC[@]}"; then
    mkdir -p "$OUT/aws-lc"
    ln -sf "$ROOT/target/aws-lc/release/libjwtkit.so" "$OUT/aws-lc/${soname:-libjwtkit.so}"
    cc -O2 -std=c99 -Wall -Wextra -Werror -Iinclude benches/c/bench_c.c -o "$OUT/aws-lc/bench_c" \
        -Ltarget/aws-lc/release -Wl,-rpath,"$OUT/aws-lc" -ljwtkit "${LIBJWT_FLAGS[@]}"
    "$OUT/aws-lc/bench_c" tests/keys --seconds "$C_SECONDS" --rss 0 | tee "$OUT/c-aws-lc.txt" >&2
    PY_LIBRARY=$ROOT/target/aws-lc/release/libjwtkit.so PY_BACKEND=aws-lc
else
    echo "NOTE: the aws-lc build failed here; its C rows are left out, and Python runs on ring" >&2
    PY_LIBRARY=$ROOT/target/release/libjwtkit.so PY_BACKEND=ring
fi

step "Python: benches/python/bench.py against PyJWT"
if ! python3 -c 'import jwt, cryptography' 2>/dev/null; then
    python3 -m pip install --quiet pyjwt cryptography >&2 || true
fi
if python3 -c 'import jwt, cryptography' 2>/dev/null; then
    # The build `pip install ./bindings/python` makes by default (AWS-LC where it builds).
    JWTKIT_LIBRARY="$PY_LIBRARY" python3 benches/python/bench.py --seconds "$PY_SECONDS" --backend "$PY_BACKEND" \
        | tee "$OUT/python.txt" >&2
else
    echo "NOTE: PyJWT/cryptography not importable; Python benchmark skipped" >&2
    rm -f "$OUT/python.txt"
fi

rm -f "$OUT/callgrind.txt" "$OUT/memcheck.txt"
if ((QUICK == 0)) && command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
    step "valgrind --tool=callgrind: instructions per operation"
    bin=$(cargo bench --no-run --bench jwt 2>&1 | sed -n 's/.*Executable benches\/jwt.rs (\(.*\))/\1/p')
    for spec in "400 HS256" "10 RS256" "10 PS256" "40 ES256" "4 ES512" "40 EdDSA"; do
        set -- $spec
        JWTKIT_BENCH_COUNT="$spec" valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.out" "$bin" >/dev/null 2>&1
        callgrind_annotate --inclusive=yes --threshold=100 "$OUT/cg.out" 2>/dev/null \
            | sed -n 's/^ *\([0-9,]*\) .*:count_\([a-z_]*\) .*/\1 \2/p' \
            | while read -r ir fn; do printf 'IR\tRust\t%s\t%s\t%d\n' "$2" "$fn" $(( ${ir//,/} / $1 )); done
    done | tee "$OUT/callgrind.txt" >&2
    # The C entry points: inclusive instructions of one jwtkit_verify_op / libjwt_verify_op.
    libs=(jwtkit); [[ ${#LIBJWT_FLAGS[@]} -gt 0 ]] && libs+=(libjwt)
    for lib in "${libs[@]}"; do
        valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.out" \
            "$OUT/bench_c" tests/keys --loop "$lib" HS256 verify 400 >/dev/null 2>&1
        ir=$(callgrind_annotate --inclusive=yes --threshold=100 "$OUT/cg.out" 2>/dev/null \
            | sed -n "s/^ *\([0-9,]*\) .*:${lib}_verify_op .*/\1/p" | head -1)
        [[ -n "$ir" ]] && printf 'IR\tC\tHS256\t%s_verify\t%d\n' "$lib" $(( ${ir//,/} / 400 ))
    done | tee -a "$OUT/callgrind.txt" >&2
    rm -f "$OUT/cg.out"

    step "valgrind (memcheck): heap allocations per C verify, HS256 and ES256"
    for lib in "${libs[@]}"; do
        for alg in HS256 ES256; do
            heap() { # total allocs and bytes of a run of N verifications
                valgrind "$OUT/bench_c" tests/keys --loop "$lib" "$alg" verify "$1" 2>&1 >/dev/null \
                    | sed -n 's/.*total heap usage: \([0-9,]*\) allocs, \([0-9,]*\) frees, \([0-9,]*\) bytes.*/\1 \2 \3/p' | tr -d ,
            }
            read -r a0 f0 b0 < <(heap 0)
            read -r a1 f1 b1 < <(heap 100)
            printf 'HEAP\t%s\t%s\tverify\t%s\t%s\t%s\n' "$lib" "$alg" $(( (a1 - a0) / 100 )) $(( (b1 - b0) / 100 )) \
                $(( (a1 - f1) - (a0 - f0) ))
        done
    done | tee "$OUT/memcheck.txt" >&2
fi

echo "elapsed	$(( $(date +%s) - started ))s" >> "$OUT/machine.txt"
step "report"
python3 benches/report.py "$OUT" benches/results.md benches/chart.svg
echo "wrote benches/results.md and benches/chart.svg in $(( $(date +%s) - started ))s" >&2
