#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (seconds per target, default 60), seeding
# each corpus from tests/vectors. Usage: bash fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
mkdir -p corpus/verify corpus/decode_unverified corpus/keys corpus/jwe_decrypt corpus/json_parity corpus/c_verify
# Seeds: every compact token and key-like string found in the vector files.
python3 - <<'PY'
import base64, json, pathlib, hashlib
root = pathlib.Path("../tests")
def strings(v):
    if isinstance(v, str): yield v
    elif isinstance(v, dict):
        for x in v.values(): yield from strings(x)
    elif isinstance(v, list):
        for x in v: yield from strings(x)
def save(folder, data):
    (pathlib.Path("corpus") / folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
for f in root.glob("vectors/**/*.json"):
    doc = json.loads(f.read_text())
    for s in strings(doc):
        if s.count(".") == 2 and len(s) < 20000:
            save("verify", s.encode()); save("decode_unverified", s.encode())
            for part in s.split(".")[:2]:  # header and claims JSON for json_parity
                try: save("json_parity", base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
                except ValueError: pass
        if s.count(".") == 4 and len(s) < 20000:
            save("jwe_decrypt", s.encode())
    for v in ([doc] if isinstance(doc, dict) else []):
        for g in v.get("testGroups", []):
            for k in ("private", "public", "publicKeyJwk", "keyJwk", "privateKeyJwk"):
                if isinstance(g.get(k), dict): save("keys", json.dumps(g[k]).encode())
for f in root.glob("keys/*"):
    save("keys", f.read_bytes())
PY
for target in verify decode_unverified keys jwe_decrypt json_parity c_verify; do
    echo "== $target: ${seconds}s"
    cargo fuzz run -s none "$target" "corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 2>&1 | grep -E "^(#[0-9]+.*DONE|Done|==|.*ERROR|.*SUMMARY|.*crash)" || true
done
