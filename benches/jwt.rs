//! Sign and verify-with-claim-validation for HS256, RS256, PS256, ES256, ES512 and EdDSA
//! on a typical access token, each beside its floor on the same bytes:
//!
//! - `verify/ALG/jwtkit`: `jwt::verify` with issuer and audience set (the whole path:
//!   split, strict base64url, strict JSON, allow-list, key check, signature, claims);
//! - `verify/ALG/c-api`: the exported `jwtkit_verify`, called as a C program calls it
//!   (handles made by the C API, the claims string returned, `jwtkit_string_free`);
//! - `verify/ALG/floor`: `primitive` + `decode+parse`, done together;
//! - `verify/ALG/primitive`: the signature check alone (ring; `p521` for ES512);
//! - `verify/ALG/decode+parse`: base64url-decode of the three segments and serde_json
//!   parse of header and claims;
//! - `verify/ALG/keyset` and `verify/ALG/source` (HS256, ES256): `jwt::verify` with a
//!   one-key `KeySet`, and `JwksSource::verify` with a warm source holding the same set;
//! - `sign/ALG/jwtkit`: `jwt::sign` (claims JSON checked, header built, encoded, signed);
//! - `sign/ALG/c-api`: `jwtkit_sign`, then `jwtkit_string_free` on the token;
//! - `sign/ALG/floor`: base64url-encode header and claims, the primitive, encode the signature;
//! - `sign/ALG/primitive`: the signature alone.
//!
//! `cargo bench --bench jwt` (add `-- --output-format bencher` for one line per result;
//! benches/run.sh passes short times). Keys and policies are created once, outside timing.
//! Time is the benchmark thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), not wall time:
//! on a shared machine, the time other processes hold the core is left out.
//!
//! With `JWTKIT_BENCH_COUNT=N ALG` set, the binary instead runs each of the nine
//! operations of ALG N times, each in its own non-inlined function named `count_*`, for
//! `valgrind --tool=callgrind`: instruction counts per operation are repeatable where
//! timings on a shared machine are not (benches/run.sh reports both).
//!
//! With `JWTKIT_BENCH_PAIRS="ROUNDS [ALG...]"` set, it instead measures the ratios the performance targets
//! are stated in (docs/performance.md: the C API against the floor or the primitive) in interleaved
//! rounds: each round times every operation of a pair for about 50 ms of CPU, in
//! alternating order, and the ratio reported is the median of the rounds' ratios. Both
//! sides of a ratio then see the same state of a shared machine, which criterion's one
//! operation after the other cannot give.

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_group, Criterion};

use common::{
    floor_decode_parse, floor_sign, floor_sign_checked, floor_verify, thread_cpu_ns, CHandles, Case, ALGS, CLAIMS,
};

/// Criterion measurement: CPU time of the benchmark thread, in ns.
struct ThreadCpuTime;

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns() - start
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        static WALL: WallTime = WallTime; // the same units: ns, µs, ms
        WALL.formatter()
    }
}

fn bench(c: &mut Criterion<ThreadCpuTime>) {
    for alg in ALGS {
        let case = Case::new(alg);
        let name = alg.name();
        let (input, sig) = case.signing_input_and_signature();
        let token = case.token.as_bytes();
        let handles = CHandles::new(&case);

        let mut g = c.benchmark_group(format!("verify/{name}"));
        g.bench_function("jwtkit", |b| {
            b.iter(|| jwtkit::jwt::verify(black_box(token), &case.public, &case.validation).unwrap())
        });
        g.bench_function("c-api", |b| b.iter(|| handles.verify(black_box(&case.token))));
        g.bench_function("floor", |b| b.iter(|| assert!(floor_verify(&case.primitive, black_box(token)))));
        g.bench_function("primitive", |b| {
            b.iter(|| assert!(case.primitive.verify(black_box(input.as_bytes()), black_box(&sig))))
        });
        g.bench_function("decode+parse", |b| b.iter(|| floor_decode_parse(black_box(token)).unwrap()));
        if matches!(alg, jwtkit::Algorithm::HS256 | jwtkit::Algorithm::ES256) {
            let (set, source) = warm_source(&case);
            g.bench_function("keyset", |b| {
                b.iter(|| jwtkit::jwt::verify(black_box(token), &set, &case.validation).unwrap())
            });
            g.bench_function("source", |b| b.iter(|| source.verify(black_box(token), &case.validation).unwrap()));
        }
        g.finish();

        let mut g = c.benchmark_group(format!("sign/{name}"));
        g.bench_function("jwtkit", |b| {
            b.iter(|| jwtkit::jwt::sign(&case.private, alg, black_box(CLAIMS.as_bytes()), None).unwrap())
        });
        g.bench_function("c-api", |b| b.iter(|| handles.sign()));
        g.bench_function("floor", |b| {
            b.iter(|| floor_sign(&case.primitive, &case.header_json, black_box(CLAIMS.as_bytes())))
        });
        g.bench_function("floor+check", |b| {
            b.iter(|| floor_sign_checked(&case.primitive, &case.header_json, black_box(CLAIMS.as_bytes())))
        });
        g.bench_function("primitive", |b| b.iter(|| case.primitive.sign(black_box(input.as_bytes()))));
        g.finish();
    }
}

fn config() -> Criterion<ThreadCpuTime> {
    // Defaults suited to a 2-core shared machine; benches/run.sh shortens them further
    // from the command line, which criterion_group! applies on top of these.
    Criterion::default()
        .with_measurement(ThreadCpuTime)
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! { name = benches; config = config(); targets = bench }

fn main() {
    if let Ok(spec) = std::env::var("JWTKIT_BENCH_COUNT") {
        return count(&spec);
    }
    if let Ok(spec) = std::env::var("JWTKIT_BENCH_PAIRS") {
        let mut words = spec.split_whitespace();
        let rounds = words.next().and_then(|w| w.parse().ok()).expect("JWTKIT_BENCH_PAIRS=\"ROUNDS [ALG...]\"");
        let only: Vec<&str> = words.collect();
        return pairs(rounds, &only);
    }
    benches();
    config().configure_from_args().final_summary();
}

/// `JWTKIT_BENCH_COUNT="N ALG"`: N calls of each operation, one function each.
fn count(spec: &str) {
    let mut words = spec.split_whitespace();
    let n: usize = words.next().and_then(|w| w.parse().ok()).expect("JWTKIT_BENCH_COUNT=\"N ALG\"");
    let alg = jwtkit::Algorithm::from_name(words.next().expect("an algorithm name")).unwrap();
    let case = Case::new(alg);
    let (input, sig) = case.signing_input_and_signature();
    let token = case.token.as_bytes();
    count_verify_jwtkit(n, &mut || {
        black_box(jwtkit::jwt::verify(black_box(token), &case.public, &case.validation).unwrap());
    });
    let handles = CHandles::new(&case);
    count_verify_c_api(n, &mut || handles.verify(black_box(&case.token)));
    count_verify_floor(n, &mut || {
        assert!(floor_verify(&case.primitive, black_box(token)));
    });
    count_verify_primitive(n, &mut || {
        assert!(case.primitive.verify(black_box(input.as_bytes()), black_box(&sig)));
    });
    count_verify_decode_parse(n, &mut || {
        black_box(floor_decode_parse(black_box(token)).unwrap());
    });
    count_sign_jwtkit(n, &mut || {
        black_box(jwtkit::jwt::sign(&case.private, alg, black_box(CLAIMS.as_bytes()), None).unwrap());
    });
    count_sign_c_api(n, &mut || handles.sign());
    count_sign_floor(n, &mut || {
        black_box(floor_sign(&case.primitive, &case.header_json, black_box(CLAIMS.as_bytes())));
    });
    count_sign_floor_check(n, &mut || {
        black_box(floor_sign_checked(&case.primitive, &case.header_json, black_box(CLAIMS.as_bytes())));
    });
    count_sign_primitive(n, &mut || {
        black_box(case.primitive.sign(black_box(input.as_bytes())));
    });
}

/// Prints `PAIR op alg ours/reference median min max` for each target ratio, from
/// `rounds` interleaved rounds (see the module comment); `only` names the algorithms
/// to measure (all when empty), for a quick look at one ratio.
fn pairs(rounds: usize, only: &[&str]) {
    println!("ROUNDS\t{rounds}");
    for alg in ALGS {
        if !only.is_empty() && !only.contains(&alg.name()) {
            continue;
        }
        if alg == jwtkit::Algorithm::ES512 {
            continue; // no target, and a millisecond per operation
        }
        let case = Case::new(alg);
        let handles = CHandles::new(&case);
        let (input, sig) = case.signing_input_and_signature();
        let token = case.token.as_bytes();
        let claims = CLAIMS.as_bytes();
        let verify_c = || handles.verify(black_box(&case.token));
        let verify_primitive = || assert!(case.primitive.verify(black_box(input.as_bytes()), black_box(&sig)));
        let verify_floor = || assert!(floor_verify(&case.primitive, black_box(token)));
        let sign_c = || handles.sign();
        let sign_primitive = || drop(black_box(case.primitive.sign(black_box(input.as_bytes()))));
        let sign_floor = || drop(black_box(floor_sign(&case.primitive, &case.header_json, black_box(claims))));
        let sign_checked =
            || drop(black_box(floor_sign_checked(&case.primitive, &case.header_json, black_box(claims))));
        if matches!(alg, jwtkit::Algorithm::HS256 | jwtkit::Algorithm::ES256) {
            let (set, source) = warm_source(&case);
            let with_source = || drop(black_box(source.verify(black_box(token), &case.validation).unwrap()));
            let with_set = || drop(black_box(jwtkit::jwt::verify(black_box(token), &set, &case.validation).unwrap()));
            pair(rounds, "verify-source", alg, "keyset", &with_source, &with_set);
        }
        if alg == jwtkit::Algorithm::HS256 {
            pair(rounds, "verify", alg, "floor", &verify_c, &verify_floor);
            pair(rounds, "sign", alg, "floor", &sign_c, &sign_floor);
            pair(rounds, "sign", alg, "floor+check", &sign_c, &sign_checked);
        } else {
            pair(rounds, "verify", alg, "primitive", &verify_c, &verify_primitive);
            pair(rounds, "sign", alg, "primitive", &sign_c, &sign_primitive);
        }
    }
}

/// The case's verification key as a key set, and a JWKS source (fed, sans-I/O) holding
/// the same set, fresh for an hour: what a server verifies with between refreshes.
fn warm_source(case: &Case) -> (jwtkit::KeySet, jwtkit::jwks_source::JwksSource) {
    use jwtkit::jwks_source::{Answer, CachePolicy, JwksSource};
    let jwk = match case.alg {
        jwtkit::Algorithm::HS256 => case.private.to_private_jwk().unwrap().to_string(),
        _ => case.public.to_public_jwk().unwrap(),
    };
    let jwks = format!("{{\"keys\":[{jwk}]}}");
    let hour = Duration::from_secs(3600);
    let source = JwksSource::new(CachePolicy { default_ttl: hour, max_ttl: hour, ..CachePolicy::default() }).unwrap();
    source.feed(&Answer { status: 200, body: jwks.as_bytes(), ..Answer::default() }).unwrap();
    (jwtkit::KeySet::from_jwks(jwks.as_bytes()).unwrap(), source)
}

fn pair(rounds: usize, op: &str, alg: jwtkit::Algorithm, reference: &str, ours: &dyn Fn(), theirs: &dyn Fn()) {
    // Iterations for about 50 ms of CPU per side and round, from a first estimate.
    let per_op = |f: &dyn Fn(), n: u64| {
        let start = thread_cpu_ns();
        for _ in 0..n {
            f();
        }
        (thread_cpu_ns() - start) as f64 / n as f64
    };
    let n = (50e6 / per_op(theirs, 20).max(1.0)).clamp(5.0, 1e7) as u64;
    per_op(ours, n / 4); // warm both up
    let mut ratios: Vec<f64> = (0..rounds)
        .map(|round| {
            if round % 2 == 0 {
                let a = per_op(ours, n);
                a / per_op(theirs, n)
            } else {
                let b = per_op(theirs, n);
                per_op(ours, n) / b
            }
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let (median, lo, hi) = (ratios[ratios.len() / 2], ratios[0], ratios[ratios.len() - 1]);
    println!("PAIR\t{op}\t{}\t{reference}\t{median:.4}\t{lo:.4}\t{hi:.4}", alg.name());
}

macro_rules! counted {
    ($($name:ident),*) => {$(
        #[inline(never)]
        #[no_mangle]
        fn $name(n: usize, f: &mut dyn FnMut()) {
            // A distinct constant per function, so the linker cannot fold them into one.
            black_box(stringify!($name));
            for _ in 0..n {
                f();
            }
        }
    )*};
}
counted!(
    count_verify_jwtkit,
    count_verify_c_api,
    count_verify_floor,
    count_verify_primitive,
    count_verify_decode_parse,
    count_sign_jwtkit,
    count_sign_c_api,
    count_sign_floor,
    count_sign_floor_check,
    count_sign_primitive
);
