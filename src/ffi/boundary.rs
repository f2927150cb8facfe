//! The panic boundary and the pointer rules every exported function shares: NULL
//! checks, `(ptr, len)` inputs, library-allocated outputs, and error delivery.

use std::ffi::c_char;
use std::mem::MaybeUninit;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::Error;
use crate::ffi::status::*;

/// Why a C call failed, before it becomes a status and an optional `jwtkit_error`.
pub(crate) struct Failure {
    pub status: jwtkit_status,
    pub message: String,
    /// The claim a claim failure is about (`jwtkit_error_claim`).
    pub claim: Option<String>,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure { status: status_of(&e), message: e.to_string(), claim: e.claim().map(str::to_owned) }
    }
}

pub(crate) fn null(name: &str) -> Failure {
    Failure { status: JWTKIT_ERR_NULL_ARGUMENT, message: format!("argument `{name}` must not be NULL"), claim: None }
}

pub(crate) fn invalid(message: String) -> Failure {
    Failure { status: JWTKIT_ERR_INVALID_ARGUMENT, message, claim: None }
}

/// Runs the body of a fallible C function. A failure or a panic becomes its status
/// and, when `out_err` is not NULL, an owned `jwtkit_error` written to `*out_err`.
pub(crate) fn fallible(out_err: *mut *mut jwtkit_error, body: impl FnOnce() -> Result<(), Failure>) -> jwtkit_status {
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return JWTKIT_OK,
        Ok(Err(failure)) => failure,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Failure {
                status: JWTKIT_ERR_PANIC,
                message: format!("internal error (panic caught at the C boundary): {what}"),
                claim: None,
            }
        }
    };
    if !out_err.is_null() {
        // Building the error cannot panic in practice; if it did, the status still stands.
        if let Ok(err) =
            catch_unwind(|| Box::new(jwtkit_error::new(failure.status, &failure.message, failure.claim.as_deref())))
        {
            unsafe { *out_err = Box::into_raw(err) };
        }
    }
    failure.status
}

/// Runs the body of a function that cannot fail; a panic returns `on_panic`.
pub(crate) fn infallible<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(on_panic)
}

/// A `(ptr, len)` input: `(NULL, 0)` is empty, `(NULL, n > 0)` is a misuse.
pub(crate) unsafe fn input<'a>(ptr: *const u8, len: usize, name: &str) -> Result<&'a [u8], Failure> {
    if ptr.is_null() {
        return if len == 0 { Ok(&[]) } else { Err(null(name)) };
    }
    if len > isize::MAX as usize {
        return Err(invalid(format!("argument `{name}`: length {len} is too large")));
    }
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// An optional input: `(NULL, 0)` means absent.
pub(crate) unsafe fn optional_input<'a>(ptr: *const u8, len: usize, name: &str) -> Result<Option<&'a [u8]>, Failure> {
    if ptr.is_null() && len == 0 {
        return Ok(None);
    }
    unsafe { input(ptr, len, name) }.map(Some)
}

/// Every output string is preceded by its length, so that `jwtkit_string_free` can wipe
/// it: outputs hold bearer tokens, claims and exported private keys.
const LEN_PREFIX: usize = std::mem::size_of::<usize>();

/// An output string allocated but not yet handed to the caller: wiped and freed when
/// dropped, unless `OutString::commit` hands it over. So a call with two outputs can
/// prepare both and write neither when the second fails.
pub(crate) struct Pending {
    text: *mut c_char,
    len: usize,
}

impl Pending {
    /// A new NUL-terminated buffer for `len` bytes, to be filled through `uninit`.
    pub fn new(len: usize) -> Result<Pending, Failure> {
        let oom = || Failure { status: JWTKIT_ERR_OUT_OF_MEMORY, message: "out of memory".into(), claim: None };
        let total = len.checked_add(LEN_PREFIX + 1).ok_or_else(oom)?;
        let block = unsafe { libc::malloc(total) } as *mut u8;
        if block.is_null() {
            return Err(oom());
        }
        unsafe {
            std::ptr::write_unaligned(block as *mut usize, len);
            let text = block.add(LEN_PREFIX);
            *text.add(len) = 0;
            Ok(Pending { text: text.cast(), len })
        }
    }

    /// The `len` bytes before the NUL, to be written in full before `commit`.
    pub fn uninit(&mut self) -> &mut [MaybeUninit<u8>] {
        unsafe { std::slice::from_raw_parts_mut(self.text as *mut MaybeUninit<u8>, self.len) }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        unsafe { free_output(self.text) }
    }
}

/// Wipes and frees a buffer made by `Pending::new`.
unsafe fn free_output(text: *mut c_char) {
    unsafe {
        let block = (text as *mut u8).sub(LEN_PREFIX);
        let len = std::ptr::read_unaligned(block as *const usize);
        zeroize::Zeroize::zeroize(std::slice::from_raw_parts_mut(block, LEN_PREFIX + len + 1));
        libc::free(block.cast());
    }
}

/// An optional `(char **out, size_t *out_len)` pair to be written on success.
pub(crate) struct OutString {
    out: *mut *mut c_char,
    out_len: *mut usize,
}

impl OutString {
    pub fn new(out: *mut *mut c_char, out_len: *mut usize) -> OutString {
        OutString { out, out_len }
    }

    pub fn required(self, name: &str) -> Result<OutString, Failure> {
        if self.out.is_null() {
            Err(null(name))
        } else {
            Ok(self)
        }
    }

    /// Whether the caller asked for this output.
    pub fn wanted(&self) -> bool {
        !self.out.is_null()
    }

    /// Allocates the output (None when the caller passed NULL for it); `commit` later
    /// hands it over.
    pub fn prepare(&self, bytes: &[u8]) -> Result<Option<Pending>, Failure> {
        if !self.wanted() {
            return Ok(None);
        }
        let mut pending = Pending::new(bytes.len())?;
        pending.uninit().copy_from_slice(as_uninit(bytes));
        Ok(Some(pending))
    }

    /// Writes one output (no-op when the caller passed NULL for it).
    pub fn write(&self, bytes: &[u8]) -> Result<(), Failure> {
        let prepared = self.prepare(bytes)?;
        self.commit(prepared);
        Ok(())
    }

    /// Writes "no value": NULL and length 0 (the caller checked `out` is not NULL).
    pub unsafe fn clear(&self) {
        unsafe {
            *self.out = std::ptr::null_mut();
            if !self.out_len.is_null() {
                *self.out_len = 0;
            }
        }
    }

    pub fn commit(&self, value: Option<Pending>) {
        if let Some(pending) = value {
            unsafe {
                *self.out = pending.text;
                if !self.out_len.is_null() {
                    *self.out_len = pending.len;
                }
            }
            std::mem::forget(pending);
        }
    }
}

fn as_uninit(bytes: &[u8]) -> &[MaybeUninit<u8>] {
    // Sound: MaybeUninit<u8> has the layout of u8, and initialised bytes are valid ones.
    unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast(), bytes.len()) }
}

/// Writes two outputs, or neither.
pub(crate) fn write_pair(a: &OutString, a_bytes: &[u8], b: &OutString, b_bytes: &[u8]) -> Result<(), Failure> {
    let first = a.prepare(a_bytes)?;
    let second = b.prepare(b_bytes)?;
    a.commit(first);
    b.commit(second);
    Ok(())
}

/// Releases a string returned by jwtkit through a `char **` output, first overwriting
/// it with zeros (outputs hold tokens, claims and exported keys). NULL is a no-op.
/// Never pass it to `free()`, and never pass anything else to this function.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_string_free(s: *mut c_char) {
    infallible((), || {
        if !s.is_null() {
            unsafe { free_output(s) };
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::error::*;

    #[test]
    fn outputs_keep_interior_nuls_and_are_freed_by_jwtkit_string_free() {
        let (mut s, mut len) = (std::ptr::null_mut(), 0);
        assert!(OutString::new(&mut s, &mut len).write(b"a\0b").is_ok());
        assert_eq!(len, 3);
        unsafe {
            assert_eq!(std::slice::from_raw_parts(s as *const u8, 4), b"a\0b\0");
            jwtkit_string_free(s);
            jwtkit_string_free(std::ptr::null_mut());
        }
    }

    #[test]
    fn a_panic_becomes_jwtkit_err_panic_with_a_message() {
        let mut err: *mut jwtkit_error = std::ptr::null_mut();
        let status = fallible(&mut err, || -> Result<(), Failure> { panic!("deliberate test panic") });
        assert_eq!(status, JWTKIT_ERR_PANIC);
        assert!(!err.is_null());
        unsafe {
            assert_eq!(jwtkit_error_status(err), JWTKIT_ERR_PANIC);
            let msg = std::ffi::CStr::from_ptr(jwtkit_error_message(err)).to_str().unwrap();
            assert!(msg.contains("deliberate test panic"), "{msg}");
            jwtkit_error_free(err);
        }
        assert_eq!(fallible(std::ptr::null_mut(), || panic!("no details wanted")), JWTKIT_ERR_PANIC);
        assert_eq!(infallible(7, || panic!("boom")), 7);
    }
}
