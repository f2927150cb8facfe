"""Benchmark of the nginx module: one nginx worker serving a small response with no
auth, with auth_jwt and an HS256 token, and with an ES256 token; the module's added
time per request, compared with the library's own time to verify the same token.

The worker's CPU time per request is read from /proc/<pid>/schedstat (nanoseconds),
so the comparison holds even when wrk, not nginx, is the bottleneck; requests per
second are reported too. Every request carries the same Authorization header, so the
difference between two cases is the module's work only. The response is `empty_gif`
(43 bytes from memory, in the content phase): `return 200` answers in the rewrite
phase, before the access phase where auth_jwt runs. The library's time comes from
verify_loop.c (the module's very call: jwtkit_verify_with_keyset with the same key set
and policy, no outputs).

    python3 benches/nginx/bench.py [--seconds 2] [--rounds 9] [--out benches/nginx/results.md]

Run by benches/nginx/run.sh, which builds what it needs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "nginx"))

import harness as h  # noqa: E402

SERVER = """
        location /none/ { empty_gif; }
        location /hs256/ { auth_jwt "bench"; auth_jwt_key_file {keys}/hmac.jwks; empty_gif; }
        location /es256/ { auth_jwt "bench"; auth_jwt_key_file {keys}/ec.jwks; empty_gif; }
"""


def cpu_ns(pid: int) -> int:
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--verify-loop", default=str(ROOT / "target" / "nginx-bench" / "verify_loop"))
    ap.add_argument("--timing-module", default=str(ROOT / "target" / "nginx-module-timing"
                                                   / "ngx_http_auth_jwtkit_module.so"))
    ap.add_argument("--out", default=str(ROOT / "benches" / "nginx" / "results.md"))
    args = ap.parse_args()

    base = Path(tempfile.mkdtemp(prefix="jwtkit-nginx-bench-"))
    ec_pem, _ = h.SIGNING["ES256"]
    h.write_json(base / "hmac.jwks", h.hmac_jwks())
    h.write_json(base / "ec.jwks", {"keys": [h.public_jwk(ec_pem, "ec256-1")]})
    now = int(time.time())
    payload = {"sub": "alice", "iss": "https://login.example", "iat": now, "exp": now + 7200,
               "scope": "read write", "roles": ["a", "b"]}
    tokens = {"HS256": h.sign("HS256", payload), "ES256": h.sign("ES256", payload)}
    for alg, token in tokens.items():
        (base / f"{alg}.token").write_text(token)

    pin = (os.cpu_count() or 1) > 1 and shutil.which("taskset") is not None

    def library_us(alg: str, busy_neighbour: bool) -> float:
        """The library alone, with the module's policy (the algorithms the keys serve), on
        CPU 0; with busy_neighbour, while CPU 1 spins, as it does with wrk during the
        nginx runs (on this kind of machine two vCPUs share hardware: a busy neighbour
        slows a core down, and the comparison must be made under the same load)."""
        jwks, algs, n = {"HS256": ("hmac.jwks", ["HS256", "HS384", "HS512"], 100_000),
                         "ES256": ("ec.jwks", ["ES256"], 4_000)}[alg]
        cmd = [args.verify_loop, str(base / jwks), str(base / f"{alg}.token"), str(n)] + algs
        spinner = None
        if pin:
            cmd = ["taskset", "-c", "0"] + cmd
            if busy_neighbour:
                spinner = subprocess.Popen(["taskset", "-c", "1", "sh", "-c", "while :; do :; done"])
                time.sleep(0.1)
        try:
            return float(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout) / 1000.0
        finally:
            if spinner:
                spinner.kill()
                spinner.wait()

    nginx = h.Nginx(base / "nginx", "", SERVER, log_level="notice",
                    main="worker_cpu_affinity 01;" if pin else "")
    nginx.start()
    cases = {"none": "/none/", "HS256": "/hs256/", "ES256": "/es256/"}
    samples: Dict[str, Dict[str, List[float]]] = {c: {"rps": [], "cpu_us": []} for c in cases}
    library: Dict[str, List[float]] = {"HS256": [], "ES256": []}       # CPU 1 busy, as under wrk
    library_idle: Dict[str, List[float]] = {"HS256": [], "ES256": []}  # CPU 1 idle
    ratios: Dict[str, List[float]] = {"HS256": [], "ES256": []}
    try:
        (worker,) = nginx.worker_pids()
        for case, path in cases.items():  # every case answers as expected
            token = tokens["HS256" if case == "none" else case]
            status = nginx.get(path, token).status
            assert status == 200, (case, status)
        # Rounds: each measures every case and the library back to back, so that a
        # change of the machine's load (it may be shared) hits all of them alike; the
        # ratio is taken per round, then its median.
        for _ in range(args.rounds):
            for case, path in cases.items():
                token = tokens["HS256" if case == "none" else case]
                cmd = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds}s",
                       "-H", f"Authorization: Bearer {token}", nginx.url(path)]
                if pin:
                    cmd = ["taskset", "-c", "1"] + cmd
                before = cpu_ns(worker)
                out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
                used = cpu_ns(worker) - before
                total = int(re.search(r"(\d+) requests in", out).group(1))
                if "Non-2xx" in out:
                    raise RuntimeError(f"{case}: answers other than 200:\n{out}")
                samples[case]["rps"].append(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)))
                samples[case]["cpu_us"].append(used / total / 1000.0)
            for alg in library:
                library[alg].append(library_us(alg, True))
                library_idle[alg].append(library_us(alg, False))
                added = samples[alg]["cpu_us"][-1] - samples["none"]["cpu_us"][-1]
                ratios[alg].append(added / library_idle[alg][-1])
        bad = nginx.bad_log_lines()
    finally:
        nginx.stop()
    if bad:
        print("\n".join(bad), file=sys.stderr)
        return 1

    med = {c: {k: statistics.median(v) for k, v in s.items()} for c, s in samples.items()}
    rows = []
    result = {"rounds": {"samples": samples, "library_us": library, "library_idle_us": library_idle,
                         "ratios": ratios},
              "library_verify_us": {a: statistics.median(v) for a, v in library.items()},
              "nginx": med, "cases": {}}
    for alg in ("HS256", "ES256"):
        added_cpu = med[alg]["cpu_us"] - med["none"]["cpu_us"]
        added_rps = 1e6 / med[alg]["rps"] - 1e6 / med["none"]["rps"]
        lib_us = statistics.median(library[alg])
        idle_us = statistics.median(library_idle[alg])
        ratio = statistics.median(ratios[alg])
        result["cases"][alg] = {"added_cpu_us": added_cpu, "added_wall_us_from_rps": added_rps,
                                "library_hot_loop_us": idle_us, "library_busy_neighbour_us": lib_us,
                                "ratio_median_of_rounds": ratio,
                                "ratio_min": min(ratios[alg]), "ratio_max": max(ratios[alg])}
        rows.append((alg, added_cpu, added_rps, lib_us, ratio, min(ratios[alg]), max(ratios[alg]), idle_us))

    # Where the added time goes: the same cases under a build of the module that times
    # its access handler and its jwtkit call (NGX_HTTP_AUTH_JWTKIT_TIMING), with the
    # worker's CPU per request measured in the same pass.
    breakdown: Dict[str, Dict[str, float]] = {}
    if Path(args.timing_module).exists():
        timed = h.Nginx(base / "timed", "", SERVER, log_level="notice", module=args.timing_module,
                        main="worker_cpu_affinity 01;" if pin else "")
        timed.start()
        cpu: Dict[str, List[float]] = {c: [] for c in cases}
        try:
            (timed_worker,) = timed.worker_pids()
            for _ in range(2):
                for case, path in cases.items():
                    token = tokens["HS256" if case == "none" else case]
                    seconds = 6 if case == "ES256" else 3
                    cmd = ["wrk", "-t1", f"-c{args.connections}", f"-d{seconds}s",
                           "-H", f"Authorization: Bearer {token}", timed.url(path)]
                    if pin:
                        cmd = ["taskset", "-c", "1"] + cmd
                    before = cpu_ns(timed_worker)
                    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
                    total = int(re.search(r"(\d+) requests in", out).group(1))
                    cpu[case].append((cpu_ns(timed_worker) - before) / total / 1000.0)
            for alg, path in (("HS256", "/hs256/"), ("ES256", "/es256/")):
                found = re.findall(r"auth_jwt timing: \d+ requests, handler (\d+) ns, jwtkit (\d+) ns.*"
                                   + re.escape(f"GET {path} "), timed.log())
                if found:
                    handler = statistics.median(int(a) for a, _ in found) / 1000.0
                    call = statistics.median(int(b) for _, b in found) / 1000.0
                    added = statistics.median(cpu[alg]) - statistics.median(cpu["none"])
                    breakdown[alg] = {"added_cpu_us": added, "handler_us": handler, "jwtkit_call_us": call,
                                      "module_own_us": handler - call, "rest_us": added - handler}
        finally:
            timed.stop()
        result["breakdown"] = breakdown

    cpu_name = platform.processor() or platform.machine()
    try:
        cpu_name = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    nginx_version = subprocess.run([h.NGINX, "-v"], capture_output=True, text=True).stderr.strip()
    lines = [
        "# nginx module benchmark",
        "",
        f"`python3 benches/nginx/bench.py` ({time.strftime('%Y-%m-%d')}; {nginx_version}; {cpu_name}; "
        f"{os.cpu_count()} CPUs; one worker{' on CPU 0, wrk on CPU 1' if pin else ''}; "
        f"wrk -t1 -c{args.connections}, {args.rounds} rounds of {args.seconds} s per case, medians; "
        f"load average at the end {os.getloadavg()[0]:.1f}).",
        "",
        "The response is `empty_gif` (`return 200` answers before the access phase). Every request "
        "carries the same `Authorization: Bearer` header, so the difference to *none* is the module's work. "
        "CPU time is the worker's (`/proc/<pid>/schedstat`) divided by the requests served.",
        "",
        "| case | requests/s | worker CPU µs/request |",
        "| --- | ---: | ---: |",
    ]
    for case in cases:
        lines.append(f"| {case if case != 'none' else 'no auth'} | {med[case]['rps']:,.0f} | "
                     f"{med[case]['cpu_us']:.2f} |")
    lines += [
        "",
        "The library's time is verify_loop.c on CPU 0 making the module's very call "
        "(jwtkit_verify_with_keyset, same key set and policy) in a hot loop, with CPU 1 idle; the last column "
        "is the same loop while CPU 1 spins, to show whether a busy neighbour CPU (as wrk is during the nginx "
        "runs) slows it down on this machine. Ratios are taken per round (each round measures every case and "
        "the loop back to back), then their median.",
        "",
        "| token | module's added CPU µs/request | added µs/request from requests/s | "
        "library's verify µs (hot loop) | added / library, median (min–max); target ≤ 1.2 | "
        "library's verify µs, CPU 1 busy |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for alg, added_cpu, added_rps, lib_us, ratio, lo, hi, idle_us in rows:
        lines.append(f"| {alg} | {added_cpu:.2f} | {added_rps:.2f} | {idle_us:.2f} | "
                     f"{ratio:.2f} ({lo:.2f}–{hi:.2f}) | {lib_us:.2f} |")
    if breakdown:
        lines += [
            "",
            "Where the added time goes: the same cases again under a build with "
            "`-DNGX_HTTP_AUTH_JWTKIT_TIMING=1`, which times the access handler and its jwtkit call inside "
            "nginx (medians of averages over 20,000 requests; the worker's CPU per request measured in the "
            "same pass):",
            "",
            "| token | added CPU µs/request | access handler µs | of which the jwtkit call µs | "
            "module's own code µs | handler / jwtkit call | outside the handler µs |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for alg in ("HS256", "ES256"):
            b = breakdown.get(alg)
            if b:
                lines.append(f"| {alg} | {b['added_cpu_us']:.2f} | {b['handler_us']:.2f} | "
                             f"{b['jwtkit_call_us']:.2f} | {b['module_own_us']:.2f} | "
                             f"{b['handler_us'] / b['jwtkit_call_us']:.2f} | {b['rest_us']:.2f} |")
    lines.append("")
    Path(args.out).write_text("\n".join(lines))
    Path(args.out).with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    print("\n".join(lines))
    shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
