//! The C functions that name a status and read and release a `jwtkit_error`.

use std::ffi::c_char;

use crate::ffi::boundary::infallible;
use crate::ffi::status::*;

/// The status carried by `err`. Returns `JWTKIT_ERR_NULL_ARGUMENT` when `err` is NULL.
/// Thread safety: reads only.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_error_status(err: *const jwtkit_error) -> jwtkit_status {
    infallible(JWTKIT_ERR_PANIC, || match unsafe { err.as_ref() } {
        Some(e) => e.status,
        None => JWTKIT_ERR_NULL_ARGUMENT,
    })
}

/// The message of `err`: UTF-8, NUL-terminated, never NULL. The string is owned by
/// `err` and valid until `jwtkit_error_free(err)`; do not free it. A NULL `err` gives a
/// static string.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_error_message(err: *const jwtkit_error) -> *const c_char {
    infallible(c"jwtkit: internal error".as_ptr(), || match unsafe { err.as_ref() } {
        Some(e) => e.message.as_ptr(),
        None => c"(no error: NULL jwtkit_error)".as_ptr(),
    })
}

/// The claim a failure is about, for `JWTKIT_ERR_CLAIM_INVALID` (the registered claim
/// of the wrong type: "exp", "nbf", "iat", "iss", "sub", "jti" or "aud") and
/// `JWTKIT_ERR_CLAIM_MISSING` (the required claim, as configured): UTF-8, NUL-terminated,
/// owned by `err` and valid until `jwtkit_error_free(err)`. NULL for every other failure
/// and for a NULL `err`. Callers that map failures (to exceptions, HTTP answers, …) read
/// this instead of parsing the message, whose wording may change. Thread safety: reads only.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_error_claim(err: *const jwtkit_error) -> *const c_char {
    infallible(std::ptr::null(), || match unsafe { err.as_ref() } {
        Some(e) => e.claim.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
        None => std::ptr::null(),
    })
}

/// Releases an error returned through an `out_err` parameter. NULL is a no-op; must
/// not be called twice on the same pointer.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_error_free(err: *mut jwtkit_error) {
    infallible((), || {
        if !err.is_null() {
            drop(unsafe { Box::from_raw(err) });
        }
    })
}

/// A static, NUL-terminated name for `status` (e.g. "JWTKIT_ERR_EXPIRED"), for callers
/// that passed NULL for `out_err`. Unknown numbers give "JWTKIT_ERR_UNKNOWN". Never
/// free the result. Thread safety: safe from any thread.
#[no_mangle]
pub extern "C" fn jwtkit_status_str(status: jwtkit_status) -> *const c_char {
    infallible(c"JWTKIT_ERR_UNKNOWN".as_ptr(), || {
        let name =
            STATUS_NAMES.iter().find(|(code, _)| *code == status).map_or("JWTKIT_ERR_UNKNOWN\0", |(_, name)| name);
        name.as_ptr().cast()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_bounded_and_printable() {
        let raw = format!("key: `{}\0\n\x1b[31m`", "x".repeat(5000));
        let err = jwtkit_error::new(JWTKIT_ERR_KEY_INVALID, &raw, None);
        let text = unsafe { std::ffi::CStr::from_ptr(jwtkit_error_message(&err)) }.to_str().unwrap();
        assert!(text.len() <= 515 && text.ends_with('…'), "{} bytes", text.len());
        assert!(!text.chars().any(char::is_control), "{text:?}");
        let short = jwtkit_error::new(JWTKIT_ERR_KEY_INVALID, "a\0b\n\"c\"", None);
        let text = unsafe { std::ffi::CStr::from_ptr(jwtkit_error_message(&short)) }.to_str().unwrap();
        assert_eq!(text, "a\\0b\\n\"c\"");
    }
}
