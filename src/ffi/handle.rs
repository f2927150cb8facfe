//! Opaque handles: which Rust value stands behind each C type, and how it is owned.
//! A handle is either boxed (one owner; configured through a `*mut`, then read) or
//! shared (reference-counted, immutable, passed as `const *` even to its `_free`).
//! `Castable` pins the kind per type, so a handle can only be made, borrowed, cloned
//! and freed the way its kind allows, and no export writes its own pointer cast.

use std::sync::Arc;

use crate::ffi::boundary::{null, Failure};

/// Ownership of a boxed handle: `Box<Rust>`.
pub(crate) struct Boxed;
/// Ownership of a shared handle: `Arc<Rust>`.
pub(crate) struct Shared;

/// A C handle type (a zero-sized opaque struct) and the Rust value behind it.
pub(crate) trait Castable {
    /// `Boxed` or `Shared`.
    type Ownership;
    type Rust;
}

/// Borrows the value behind a handle of either kind; `name` is the C argument's name
/// for the NULL error.
pub(crate) unsafe fn borrow<'a, C: Castable>(handle: *const C, name: &str) -> Result<&'a C::Rust, Failure> {
    if handle.is_null() {
        return Err(null(name));
    }
    Ok(unsafe { &*(handle as *const C::Rust) })
}

/// Borrows the value behind a boxed handle for configuration.
pub(crate) unsafe fn borrow_mut<'a, C: Castable<Ownership = Boxed>>(
    handle: *mut C,
    name: &str,
) -> Result<&'a mut C::Rust, Failure> {
    if handle.is_null() {
        return Err(null(name));
    }
    Ok(unsafe { &mut *(handle as *mut C::Rust) })
}

/// Writes a new boxed handle owning `value` to `*out` (which the caller checked).
pub(crate) unsafe fn give_boxed<C: Castable<Ownership = Boxed>>(out: *mut *mut C, value: C::Rust) {
    unsafe { *out = Box::into_raw(Box::new(value)) as *mut C };
}

/// Writes a new shared handle holding one reference to `value` to `*out`.
pub(crate) unsafe fn give_shared<C: Castable<Ownership = Shared>>(out: *mut *const C, value: Arc<C::Rust>) {
    unsafe { *out = Arc::into_raw(value) as *const C };
}

/// One more reference to the value behind a live shared handle.
pub(crate) unsafe fn clone_shared<C: Castable<Ownership = Shared>>(handle: *const C) -> Arc<C::Rust> {
    let value = handle as *const C::Rust;
    unsafe {
        Arc::increment_strong_count(value);
        Arc::from_raw(value)
    }
}

/// Releases a boxed handle; NULL is a no-op.
pub(crate) unsafe fn free_boxed<C: Castable<Ownership = Boxed>>(handle: *mut C) {
    if !handle.is_null() {
        drop(unsafe { Box::from_raw(handle as *mut C::Rust) });
    }
}

/// Releases one reference of a shared handle; NULL is a no-op.
pub(crate) unsafe fn free_shared<C: Castable<Ownership = Shared>>(handle: *const C) {
    if !handle.is_null() {
        drop(unsafe { Arc::from_raw(handle as *const C::Rust) });
    }
}
