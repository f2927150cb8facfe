//! The monotonic clock a source reads on every verification. Cache lifetimes are
//! seconds long, so Linux's coarse clock (a few ms of resolution, about 4 ns a read)
//! serves, where a precise read costs about 20 ns: a tenth of the margin a warm source
//! may add to an HMAC verification.

use std::time::Duration;

/// Monotonic time since an arbitrary origin.
#[cfg(target_os = "linux")]
pub fn now() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // Cannot fail for a valid clock id and pointer; a zero reading would only make the
    // cache look older, never fresher.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut ts) };
    Duration::new(ts.tv_sec.max(0) as u64, ts.tv_nsec.clamp(0, 999_999_999) as u32)
}

#[cfg(not(target_os = "linux"))]
pub fn now() -> Duration {
    use std::sync::OnceLock;
    use std::time::Instant;
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed()
}
