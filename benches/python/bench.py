"""Benchmark: jwtkit vs PyJWT, encode and decode, every JWS algorithm both implement, in
one run. All get the same claims and keys (tests/keys). PyJWT is measured two ways:

  PyJWT best   the keys loaded once, as `cryptography` key objects (or the secret):
               PyJWT at its fastest, the figure jwtkit is compared with
  PyJWT PEM    the PEM text passed on every call, as many applications do: PyJWT
               (through `cryptography`) parses it again each time

jwtkit is given the PEM text on every call; it keeps the keys it has parsed (a bounded
cache keyed by the text), so that is its fast path too. Measurement: each operation's
three calls are timed in interleaved rounds (round 1 of each, round 2 of each, ...), so
that noise from other processes spreads over all three; the figure is the median round,
in µs of this thread's CPU time per call, and the speed-up the median of the per-round
ratios. Needs PyJWT and
cryptography installed.

    cargo build --release && JWTKIT_LIBRARY=target/release/libjwtkit.so \\
        python3 benches/python/bench.py [--seconds 0.5] [--rounds 7] [--only RS256,PS256]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The package from this checkout (bindings/python), not whatever jwtkit pip installed.
sys.path.insert(0, str(ROOT / "bindings" / "python"))

import jwt as pyjwt  # noqa: E402
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key  # noqa: E402

import jwtkit  # noqa: E402

KEYS = ROOT / "tests" / "keys"  # the keys the Rust and C benchmarks use
SECRET = "bench-secret-" + "x" * 51
CLAIMS = {"sub": "1234567890", "name": "John Doe", "admin": True, "iat": 1516239022, "exp": 4102444800}
STEMS = {"RS": "rsa2048", "PS": "rsa2048", "ES256": "ecp256", "ES384": "ecp384", "ES512": "ecp521",
         "ES256K": "secp256k1", "EdDSA": "ed25519"}
ALGS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
        "ES256", "ES384", "ES512", "ES256K", "EdDSA"]


def pem_keys(alg):
    """(private, public) as PEM text, or the secret twice for HMAC."""
    if alg.startswith("HS"):
        return SECRET, SECRET
    stem = STEMS.get(alg) or STEMS[alg[:2]]
    return (KEYS / f"{stem}.pkcs8.pem").read_text(), (KEYS / f"{stem}.spki.pem").read_text()


def loaded_keys(alg, private, public):
    """The same keys as `cryptography` objects, loaded once (the secret stays as it is)."""
    if alg.startswith("HS"):
        return private, public
    return load_pem_private_key(private.encode(), None), load_pem_public_key(public.encode())


def batch_seconds(fn, n):
    """CPU time of this thread for n calls: time other processes hold the core is left
    out, as in the C benchmark (on a quiet machine it equals wall time)."""
    start = time.thread_time()
    for _ in range(n):
        fn()
    return time.thread_time() - start


def measure(fns, seconds, rounds):
    """Median µs per call of each fn, and the per-round ratios of each to the last fn,
    over `rounds` interleaved rounds of about seconds/rounds each."""
    counts = []
    for fn in fns:
        n = 1
        while (elapsed := batch_seconds(fn, n)) < seconds / rounds / 10:
            n *= 2
        counts.append(max(1, int(n * (seconds / rounds) / elapsed)))
    per_call = [[] for _ in fns]
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            per_call[i].append(batch_seconds(fn, counts[i]) / counts[i] * 1e6)
    ratios = [statistics.median(a / b for a, b in zip(per_call[i], per_call[-1])) for i in range(len(fns))]
    return [statistics.median(t) for t in per_call], ratios


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=0.6, help="time per measurement (all rounds)")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds")
    parser.add_argument("--only", help="comma-separated algorithms")
    parser.add_argument("--backend", default="?", help="the library's backend, for the report (ring, aws-lc)")
    args = parser.parse_args()
    print(f"jwtkit {jwtkit.__version__} ({jwtkit.library_version}, {jwtkit.library_path})")
    print(f"backend: {args.backend}")
    print(f"PyJWT {pyjwt.__version__}; Python {sys.version.split()[0]}")
    print()
    print(f"{'alg':6} {'op':7} {'PyJWT best us':>13} {'PyJWT PEM us':>13} {'jwtkit us':>10} "
          f"{'x best':>7} {'x PEM':>7}")
    for alg in args.only.split(",") if args.only else ALGS:
        private, public = pem_keys(alg)
        private_obj, public_obj = loaded_keys(alg, private, public)
        theirs = pyjwt.encode(CLAIMS, private_obj, algorithm=alg)
        ours = jwtkit.encode(CLAIMS, private, algorithm=alg)
        assert pyjwt.decode(ours, public_obj, algorithms=[alg]) == CLAIMS
        assert jwtkit.decode(theirs, public, algorithms=[alg]) == CLAIMS
        rows = [
            ("encode", (lambda: pyjwt.encode(CLAIMS, private_obj, algorithm=alg),
                        lambda: pyjwt.encode(CLAIMS, private, algorithm=alg),
                        lambda: jwtkit.encode(CLAIMS, private, algorithm=alg))),
            ("decode", (lambda: pyjwt.decode(theirs, public_obj, algorithms=[alg]),
                        lambda: pyjwt.decode(theirs, public, algorithms=[alg]),
                        lambda: jwtkit.decode(theirs, public, algorithms=[alg]))),
        ]
        for op, fns in rows:
            (best, pem, ours_us), (x_best, x_pem, _) = measure(fns, args.seconds, args.rounds)
            print(f"{alg:6} {op:7} {best:13,.1f} {pem:13,.1f} {ours_us:10,.1f} {x_best:6.2f}x {x_pem:6.1f}x",
                  flush=True)


if __name__ == "__main__":
    main()
