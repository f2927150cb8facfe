"""Benchmark: jwtkit vs PyJWT, encode and decode, HS256 / RS256 / ES256 / EdDSA, in one
run. Both get the same claims and keys (PEM strings, passed on every call, as
applications usually do). Needs PyJWT and cryptography installed.

    cargo build --release && JWTKIT_LIBRARY=target/release/libjwtkit.so \\
        python3 benches/python/bench.py [--seconds 0.5]
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The package from this checkout (bindings/python), not whatever jwtkit pip installed.
sys.path.insert(0, str(ROOT / "bindings" / "python"))

import jwt as pyjwt  # noqa: E402

import jwtkit  # noqa: E402

KEYS = ROOT / "tests" / "keys"  # the keys the Rust and C benchmarks use
SECRET = "bench-secret-" + "x" * 51
CLAIMS = {"sub": "1234567890", "name": "John Doe", "admin": True, "iat": 1516239022, "exp": 4102444800}

CASES = {
    "HS256": (SECRET, SECRET),
    "RS256": ((KEYS / "rsa2048.pkcs8.pem").read_text(), (KEYS / "rsa2048.spki.pem").read_text()),
    "ES256": ((KEYS / "ecp256.pkcs8.pem").read_text(), (KEYS / "ecp256.spki.pem").read_text()),
    "EdDSA": ((KEYS / "ed25519.pkcs8.pem").read_text(), (KEYS / "ed25519.spki.pem").read_text()),
}


def rate(fn, seconds):
    """Calls per second of fn, measured over about `seconds` (best of 3 rounds)."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed > seconds / 10:
            break
        n *= 2
    per_round = max(1, int(n * (seconds / 3) / elapsed))
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(per_round):
            fn()
        best = min(best, (time.perf_counter() - start) / per_round)
    return 1.0 / best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=0.6, help="time per measurement")
    args = parser.parse_args()
    print(f"jwtkit {jwtkit.__version__} ({jwtkit.library_version}, {jwtkit.library_path})")
    print(f"PyJWT {pyjwt.__version__}; Python {sys.version.split()[0]}")
    print()
    print(f"{'alg':6} {'op':7} {'PyJWT ops/s':>12} {'jwtkit ops/s':>13} {'PyJWT us':>9} {'jwtkit us':>10} {'speed-up':>9}")
    for alg, (private, public) in CASES.items():
        theirs = pyjwt.encode(CLAIMS, private, algorithm=alg)
        ours = jwtkit.encode(CLAIMS, private, algorithm=alg)
        assert pyjwt.decode(ours, public, algorithms=[alg]) == CLAIMS
        assert jwtkit.decode(theirs, public, algorithms=[alg]) == CLAIMS
        rows = [
            ("encode", lambda: pyjwt.encode(CLAIMS, private, algorithm=alg),
             lambda: jwtkit.encode(CLAIMS, private, algorithm=alg)),
            ("decode", lambda: pyjwt.decode(theirs, public, algorithms=[alg]),
             lambda: jwtkit.decode(theirs, public, algorithms=[alg])),
        ]
        for op, pyjwt_fn, jwtkit_fn in rows:
            a = rate(pyjwt_fn, args.seconds)
            b = rate(jwtkit_fn, args.seconds)
            print(f"{alg:6} {op:7} {a:12,.0f} {b:13,.0f} {1e6 / a:9.1f} {1e6 / b:10.1f} {b / a:8.1f}x")


if __name__ == "__main__":
    main()
