//! Memory per operation, counted exactly by a global allocator that wraps the system one:
//! allocations, bytes allocated and the peak of live heap bytes during one call, for
//! `jwt::verify` (with issuer and audience), `jwt::sign` and the C entry point
//! `jwtkit_verify` returning the claims string (freed with `jwtkit_string_free`); then
//! the resident set before and after one million HS256 verifications through the C API.
//!
//! `cargo bench --bench alloc` (`-- --iterations N` changes the million). Output lines
//! start with `ALLOC` or `RSS` and are tab-separated, for benches/run.sh.
//!
//! The C outputs are made with libc `malloc`, which this allocator does not see: each
//! successful `jwtkit_verify` adds one `malloc` of (claims length + 9) bytes per output
//! requested. The report adds it.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use common::{CHandles, Case, ALGS, CLAIMS};

struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    ALLOCS.fetch_add(1, Relaxed);
    BYTES.fetch_add(n, Relaxed);
    let live = LIVE.fetch_add(n, Relaxed) + n;
    PEAK.fetch_max(live, Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A realloc counts as one allocation of the new size (what a copy would cost).
        LIVE.fetch_sub(layout.size(), Relaxed);
        grew(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations, bytes and peak live bytes (above the level at entry) of one call of `f`,
/// averaged over `n` calls after a warm-up call.
fn count<R>(n: usize, mut f: impl FnMut() -> R) -> (f64, f64, usize) {
    black_box(f());
    let (a0, b0) = (ALLOCS.load(Relaxed), BYTES.load(Relaxed));
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    for _ in 0..n {
        black_box(f());
    }
    let (a1, b1) = (ALLOCS.load(Relaxed), BYTES.load(Relaxed));
    let peak = PEAK.load(Relaxed) - base;
    ((a1 - a0) as f64 / n as f64, (b1 - b0) as f64 / n as f64, peak)
}

/// Resident set size in KiB, from /proc/self/statm (second field, in pages).
fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0);
    pages * 4096 / 1024
}

fn main() {
    // `cargo bench` passes `--bench`; only `--iterations N` is ours.
    let args: Vec<String> = std::env::args().collect();
    let iterations: usize = args
        .iter()
        .position(|a| a == "--iterations")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);

    println!("# kind\talg\top\tallocs/op\tbytes/op\tpeak live bytes");
    for alg in ALGS {
        let case = Case::new(alg);
        let name = alg.name();
        let n = if matches!(alg, jwtkit::Algorithm::HS256 | jwtkit::Algorithm::EdDSA) { 2000 } else { 200 };
        let (a, b, p) =
            count(n, || jwtkit::jwt::verify(case.token.as_bytes(), &case.public, &case.validation).unwrap());
        println!("ALLOC\t{name}\tverify (Rust)\t{a:.1}\t{b:.0}\t{p}");
        let (a, b, p) = count(n, || jwtkit::jwt::sign(&case.private, alg, CLAIMS.as_bytes(), None).unwrap());
        println!("ALLOC\t{name}\tsign (Rust)\t{a:.1}\t{b:.0}\t{p}");
        let c = CHandles::new(&case);
        let (a, b, p) = count(n, || c.verify(&case.token));
        // + the libc malloc of the claims output, which this allocator cannot see.
        println!(
            "ALLOC\t{name}\tverify (C API, claims out)\t{:.1}\t{:.0}\t{p}",
            a + 1.0,
            b + (CLAIMS.len() + 9) as f64
        );
    }

    // The resident set over a million HS256 verifications through the C API.
    let case = Case::new(jwtkit::Algorithm::HS256);
    let c = CHandles::new(&case);
    for _ in 0..10_000 {
        c.verify(&case.token);
    }
    let before = rss_kib();
    let live_before = LIVE.load(Relaxed);
    for _ in 0..iterations {
        c.verify(&case.token);
    }
    let after = rss_kib();
    let live_after = LIVE.load(Relaxed);
    // RSS alg calls rss_before_kib rss_after_kib live_heap_change_bytes
    println!("RSS\tHS256\t{iterations}\t{before}\t{after}\t{}", live_after as i64 - live_before as i64);
}
