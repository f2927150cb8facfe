//! `jwtkit_member_text`: a claim or header member by path, as text for a host.

use std::ffi::{c_char, CStr};

use crate::ffi::boundary::{fallible, input, invalid, null, OutString};
use crate::ffi::status::*;

/// The member of the JSON object `(json, json_len)` (claims or a header, as the verify
/// calls return them) at the path `path[0] . path[1] ...` (`n_path` NUL-terminated
/// UTF-8 names, at most 16; none: the whole object), as the text a host puts in a
/// variable or header: a string as itself, a number or boolean as JSON, an array as its
/// elements' texts joined with commas, an object as compact JSON, `null` as empty.
///
/// On success `*out` receives the NUL-terminated text, owned by the caller (free with
/// `jwtkit_string_free`), and `*out_len` (if not NULL) its length; when a name along the
/// path is missing (or names a member of a non-object), `*out` receives NULL and the
/// call still returns JWTKIT_OK.
///
/// Returns JWTKIT_OK, JWTKIT_ERR_NULL_ARGUMENT, JWTKIT_ERR_INVALID_ARGUMENT (a name not
/// UTF-8, more than 16), JWTKIT_ERR_JSON, JWTKIT_ERR_JSON_LIMIT, JWTKIT_ERR_PANIC.
/// Thread safety: reads only its arguments.
#[no_mangle]
pub unsafe extern "C" fn jwtkit_member_text(
    json: *const u8,
    json_len: usize,
    path: *const *const c_char,
    n_path: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_err: *mut *mut jwtkit_error,
) -> jwtkit_status {
    fallible(out_err, || {
        let json = unsafe { input(json, json_len, "json") }?;
        if out.is_null() {
            return Err(null("out"));
        }
        if path.is_null() && n_path > 0 {
            return Err(null("path"));
        }
        if n_path > 16 {
            return Err(invalid(format!("a path of {n_path} names is longer than 16")));
        }
        let raw = if n_path == 0 { &[][..] } else { unsafe { std::slice::from_raw_parts(path, n_path) } };
        let mut names = Vec::with_capacity(n_path);
        for (i, &name) in raw.iter().enumerate() {
            if name.is_null() {
                return Err(null(&format!("path[{i}]")));
            }
            let name =
                unsafe { CStr::from_ptr(name) }.to_str().map_err(|_| invalid(format!("path[{i}] is not UTF-8")))?;
            names.push(name);
        }
        match crate::member_text(json, &names)? {
            Some(text) => OutString::new(out, out_len).write(text.as_bytes()),
            None => {
                unsafe { *out = std::ptr::null_mut() };
                Ok(())
            }
        }
    })
}
