//! `jwtkit_validation`: what `jwtkit_verify` accepts. Configure it, then share it
//! read-only between threads.

use crate::claims::Validation;
use crate::ffi::boundary::{fallible, invalid, null, Failure};
use crate::ffi::status::*;
use crate::ffi::version::{alg_arg, jwtkit_alg};

/// An opaque verification policy: the algorithm allow-list, leeway and clock.
/// Thread safety: setters must not run while any thread verifies with it; once
/// configured, any number of threads may verify with it at once.
pub struct jwtkit_validation {
    _private: [u8; 0],
}

pub(crate) unsafe fn validation_ref<'a>(v: *const jwtkit_validation) -> Result<&'a Validation, Failure> {
    if v.is_null() {
        return Err(null("validation"));
    }
    Ok(unsafe { &*(v as *const Validation) })
}

unsafe fn validation_mut<'a>(v: *mut jwtkit_validation) -> Result<&'a mut Validation, Failure> {
    if v.is_null() {
        return Err(null("validation"));
    }
    Ok(unsafe { &mut *(v as *mut Validation) })
}

/// Creates a policy that accepts exactly the `n_algs` algorithms in `algs` (copied;
/// at least one; `JWTKIT_ALG_*` values). There is no "any algorithm" policy, and `none`
/// cannot be named. Defaults: leeway 0, system clock. On success `*out` receives a
/// policy owned by the caller (free with `jwtkit_validation_free`).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (empty
/// list or an unknown number), JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_new(
    algs: *const jwtkit_alg,
    n_algs: usize,
    out: *mut *mut jwtkit_validation,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        if out.is_null() {
            return Err(null("out"));
        }
        if algs.is_null() {
            return Err(if n_algs == 0 { invalid("the algorithm allow-list is empty".into()) } else { null("algs") });
        }
        if n_algs > 64 {
            return Err(invalid(format!("{n_algs} algorithms is more than exist")));
        }
        let numbers = unsafe { std::slice::from_raw_parts(algs, n_algs) };
        let list = numbers.iter().map(|&a| alg_arg(a)).collect::<Result<Vec<_>, _>>()?;
        let validation = Validation::new(&list)?;
        unsafe { *out = Box::into_raw(Box::new(validation)) as *mut jwtkit_validation };
        Ok(())
    })
}

/// Sets the clock skew, in seconds, tolerated on `exp` and `nbf` (default 0).
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_set_leeway(
    validation: *mut jwtkit_validation,
    seconds: u64,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        unsafe { validation_mut(validation) }?.set_leeway(seconds);
        Ok(())
    })
}

/// Fixes "now" to `unix_seconds` instead of the system clock: for tests and for
/// replaying old tokens deliberately.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_PANIC.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_set_now(
    validation: *mut jwtkit_validation,
    unix_seconds: i64,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        unsafe { validation_mut(validation) }?.set_now(unix_seconds);
        Ok(())
    })
}

/// Releases a policy. NULL is a no-op; must not be called twice, nor while another
/// thread verifies with it.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_validation_free(validation: *mut jwtkit_validation) {
    crate::ffi::boundary::infallible((), || {
        if !validation.is_null() {
            drop(unsafe { Box::from_raw(validation as *mut Validation) });
        }
    })
}
