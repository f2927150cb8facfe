#!/usr/bin/env bash
# Builds every fuzz target, then runs each one for a bounded time (seconds per target,
# default 60) on a corpus seeded from tests/vectors and tests/keys. A crash, a timeout or
# a failed build makes the script exit 1 (after the other targets have run), with the
# fuzzer's report and the path of the crashing input.
#
#   bash fuzz/run.sh [SECONDS]        e.g. `bash fuzz/run.sh 5`, what tests/run.sh runs
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); runs on the stable toolchain
# (`-s none`: no sanitizer, but debug assertions and Rust's own checks stay on).
# JWTKIT_FUZZ_TARGETS="verify keys" limits the run to those targets.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
seconds=${1:-60}
case $seconds in
    '' | *[!0-9]*) echo "usage: bash fuzz/run.sh [SECONDS]" >&2; exit 2 ;;
esac
targets=(${JWTKIT_FUZZ_TARGETS:-verify decode_unverified keys jwe_decrypt jwe_json json_parity c_verify dpop_proof jws_json})
command -v cargo-fuzz >/dev/null 2>&1 \
    || { echo "fuzz/run.sh: cargo-fuzz not found (cargo install cargo-fuzz --locked)" >&2; exit 1; }

for target in "${targets[@]}"; do mkdir -p "corpus/$target"; done
# Seeds: every compact token and key-like string found in the vector files, and every
# JWS JSON serialization (an object with `signatures`, or `signature` and `protected`/`header`).
python3 - <<'PY'
import base64, json, pathlib, hashlib
root = pathlib.Path("../tests")
def objects(v):
    if isinstance(v, dict):
        yield v
        for x in v.values(): yield from objects(x)
    elif isinstance(v, list):
        for x in v: yield from objects(x)
def strings(v):
    if isinstance(v, str): yield v
    elif isinstance(v, dict):
        for x in v.values(): yield from strings(x)
    elif isinstance(v, list):
        for x in v: yield from strings(x)
def save(folder, data):
    (pathlib.Path("corpus") / folder).mkdir(parents=True, exist_ok=True)
    (pathlib.Path("corpus") / folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
for f in root.glob("vectors/**/*.json"):
    doc = json.loads(f.read_text())
    for s in strings(doc):
        if s.count(".") == 2 and len(s) < 20000:
            save("verify", s.encode()); save("decode_unverified", s.encode())
            save("dpop_proof", s.encode())  # a proof for the default request URI
            for part in s.split(".")[:2]:  # header and claims JSON for json_parity
                try: save("json_parity", base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
                except ValueError: pass
        if s.count(".") == 4 and len(s) < 20000:
            save("jwe_decrypt", s.encode())
    def jwe_objects(v):  # JWE JSON serializations (cookbook `output.json`, `json_flat`)
        if isinstance(v, dict):
            if "ciphertext" in v and "iv" in v: yield v
            for x in v.values(): yield from jwe_objects(x)
        elif isinstance(v, list):
            for x in v: yield from jwe_objects(x)
    for obj in jwe_objects(doc):
        save("jwe_json", json.dumps(obj).encode())
    for o in objects(doc):
        if "signatures" in o or ("signature" in o and ("protected" in o or "header" in o)):
            save("jws_json", json.dumps(o, separators=(",", ":")).encode())
    for v in ([doc] if isinstance(doc, dict) else []):
        for g in v.get("testGroups", []):
            for k in ("private", "public", "publicKeyJwk", "keyJwk", "privateKeyJwk"):
                if isinstance(g.get(k), dict): save("keys", json.dumps(g[k]).encode())
for f in root.glob("keys/**/*"):
    if f.is_file(): save("keys", f.read_bytes())
PY

# One build of all targets (shared dependencies, both cores), before any run.
cargo fuzz build -s none || { echo "fuzz/run.sh: building the fuzz targets failed" >&2; exit 1; }

logs=$(mktemp -d "${TMPDIR:-/tmp}/jwtkit-fuzz.XXXXXX")
trap 'rm -rf "$logs"' EXIT
failed=()
for target in "${targets[@]}"; do
    echo "== $target: ${seconds}s on $(find "corpus/$target" -type f | wc -l) corpus inputs"
    log=$logs/$target.log
    rc=0
    extra=()
    [ "$target" != json_parity ] || extra=(-dict=json.dict)
    cargo fuzz run -s none "$target" "corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 \
        -timeout=10 "${extra[@]}" >"$log" 2>&1 || rc=$?
    grep -E "^(#[0-9]+.*(INITED|DONE)|Done [0-9]+ runs)" "$log" || true
    if [ "$rc" -ne 0 ]; then
        failed+=("$target")
        echo "FAIL $target: cargo fuzz exited $rc:"
        { grep -A1 "panicked at" "$log"
          grep -E "^ERROR:|^SUMMARY:|^error|Test unit written to|^Error:" "$log"; } | head -n 20 | sed 's/^/     | /' || true
    fi
done
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz/run.sh: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz/run.sh: ${#targets[@]} targets ran ${seconds}s each without a crash"
