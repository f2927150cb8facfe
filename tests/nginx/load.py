"""Load test of the nginx module: wrk on loopback against one nginx worker for a bounded
time, with a mix of tokens (valid HS256 and ES256 ones, an expired one, a forged one,
none) so that the paths that refuse are loaded too, and claims read into headers. Passes
when the worker never crashed or changed, the error log holds no error, at least
200,000 requests were authenticated, and the worker's RSS stayed flat between a warm-up
and the end. Writes what it measured to stdout (and to --out as JSON).

    python3 tests/nginx/load.py [--seconds 20] [--out FILE]

Needs wrk, and the environment tests/nginx/run.sh sets up.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness as h  # noqa: E402

SERVER = """
        root {dir}/www;
        auth_jwt_key_file {keys}/hmac.jwks;
        location /hs/ {
            auth_jwt "load";
            add_header X-Sub $jwt_claim_sub;
            add_header X-Roles $roles;
        }
        location /es/ {
            auth_jwt "load";
            auth_jwt_key_file {keys}/public.jwks;
            add_header X-Sub $jwt_claim_sub;
        }
"""

# wrk script: each connection cycles through the requests; the counts of each answer
# are summed over the threads at the end.
LUA = """
local reqs = {}
statuses = {}
function init(args)
  local n = 0
  for line in io.lines("%(reqs)s") do
    local path, token = line:match("^(%%S+) (%%S*)$")
    local headers = {}
    if token ~= "-" then headers["Authorization"] = "Bearer " .. token end
    n = n + 1
    reqs[n] = wrk.format("GET", path, headers)
  end
  i = 0
end
function request()
  i = i + 1
  return reqs[(i %% #reqs) + 1]
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write(string.format("status %%d %%d\\n", k, v)) end
end
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--out")
    args = ap.parse_args()

    if not shutil.which("wrk"):
        print("load.py: wrk not found (apt-get install wrk)", file=sys.stderr)
        return 1

    base = Path(tempfile.mkdtemp(prefix="jwtkit-nginx-load-"))
    h.write_json(base / "hmac.jwks", h.hmac_jwks())
    h.write_json(base / "public.jwks", h.public_jwks())
    nginx = h.Nginx(base / "nginx", "auth_jwt_claim_set $roles realm_access roles;", SERVER, log_level="notice")
    for d in ("www/hs", "www/es"):
        (nginx.dir / d).mkdir(parents=True)
        (nginx.dir / d / "index.html").write_text("ok\n")

    now = int(time.time())
    long_lived = h.claims(iat=now, exp=now + 3600, realm_access={"roles": ["a", "b"]})
    lines = (
        [f"/hs/ {h.sign('HS256', long_lived)}"] * 6
        + [f"/es/ {h.sign('ES256', long_lived)}"] * 2
        + [f"/hs/ {h.sign('HS256', h.claims(iat=now - 900, exp=now - 600))}",  # expired
           f"/es/ {h.sign('ES256', long_lived, key=h.generated_pem('ES256'))}",  # forged
           "/hs/ -"]  # no token
    )
    valid_share = 8 / len(lines)
    (base / "requests.txt").write_text("\n".join(lines) + "\n")
    (base / "load.lua").write_text(LUA % {"reqs": base / "requests.txt"})

    nginx.start()
    try:
        def wrk(seconds: int) -> str:
            return subprocess.run(["wrk", "-t1", f"-c{args.connections}", f"-d{seconds}s", "-s",
                                   str(base / "load.lua"), nginx.url("/")],
                                  capture_output=True, text=True, check=True, timeout=seconds + 60).stdout

        wrk(3)  # warm-up: the worker's pools and caches reach their working size
        workers = nginx.worker_pids()
        rss_before = nginx.rss_kib()
        out = wrk(args.seconds)
        rss_after = nginx.rss_kib()
        workers_after = nginx.worker_pids()
        bad = [line for line in nginx.log().splitlines()
               if re.search(r"\[(error|crit|alert|emerg)\]|exited on signal", line)]
    finally:
        nginx.stop()

    total = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    statuses = {int(a): int(b) for a, b in re.findall(r"status (\d+) (\d+)", out)}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    result = {
        "seconds": args.seconds,
        "connections": args.connections,
        "requests": total,
        "requests_per_second": rps,
        "statuses": statuses,
        "authenticated": statuses.get(200, 0),
        "valid_share_sent": round(valid_share, 3),
        "worker_rss_kib_before": sum(rss_before.values()),
        "worker_rss_kib_after": sum(rss_after.values()),
        "worker_pids_before": workers,
        "worker_pids_after": workers_after,
        "socket_errors": errors.group(1) if errors else None,
        "error_log_problems": bad[:10],
    }
    result["rss_growth_kib"] = result["worker_rss_kib_after"] - result["worker_rss_kib_before"]
    print(json.dumps(result, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")

    failures = []
    if workers != workers_after or len(workers) != 1:
        failures.append(f"the worker changed: {workers} -> {workers_after}")
    if bad:
        failures.append("the error log shows problems")
    if result["authenticated"] < 200_000:
        failures.append(f"only {result['authenticated']} authenticated requests (200,000 wanted)")
    if set(statuses) - {200, 401}:
        failures.append(f"unexpected statuses {statuses}")
    if non_2xx and int(non_2xx.group(1)) != statuses.get(401, 0):
        failures.append("answers other than 200 and 401")
    if errors:
        failures.append(f"socket errors: {errors.group(1)}")
    # flat: a leak of even 10 bytes per request would add megabytes over the run
    if result["rss_growth_kib"] > 1024:
        failures.append(f"the worker's RSS grew by {result['rss_growth_kib']} KiB")
    for f in failures:
        print(f"load.py: FAILED: {f}", file=sys.stderr)
    if not failures:
        shutil.rmtree(base, ignore_errors=True)
        print("load.py: passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
