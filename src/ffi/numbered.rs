//! The core enumerations as C numbers and names. A variant's C number is its position
//! in the enum's `ALL` plus one, and its C name is the core's `name()`: the core enum is
//! the one source, and a test holds the header's `#define`s to it.

use std::ffi::c_char;
use std::sync::OnceLock;

use crate::ffi::boundary::{invalid, Failure};

/// A core enumeration exposed to C as `int32_t` constants.
pub(crate) trait Numbered: Copy + PartialEq + 'static {
    /// Every variant, in C number order.
    fn all() -> &'static [Self];
    /// The registered name ("HS256", "ECDH-ES+A128KW", …).
    fn name(self) -> &'static str;
    /// The C constants' prefix, for messages and the header check.
    const C_PREFIX: &'static str;
    /// The names, NUL-terminated, made once.
    fn c_names() -> &'static OnceLock<CNames>;
}

/// The NUL-terminated names of one enumeration, written once into the static that holds
/// them, not on the heap: a host that unloads the library (`dlclose`, as nginx does with
/// its modules) leaves nothing allocated behind.
pub(crate) struct CNames {
    bytes: [u8; 512],
    /// Where each variant's name starts in `bytes`, in C number order.
    starts: [u16; 64],
}

impl CNames {
    fn of<T: Numbered>() -> CNames {
        let mut names = CNames { bytes: [0; 512], starts: [0; 64] };
        let mut at = 0;
        assert!(T::all().len() <= names.starts.len(), "{}*: too many names", T::C_PREFIX);
        for (i, v) in T::all().iter().enumerate() {
            let name = v.name().as_bytes();
            assert!(!name.contains(&0) && at + name.len() < names.bytes.len(), "{}*: names too long", T::C_PREFIX);
            names.starts[i] = at as u16;
            names.bytes[at..at + name.len()].copy_from_slice(name);
            at += name.len() + 1; // the NUL is already there
        }
        names
    }
}

macro_rules! numbered {
    ($ty:ty, $prefix:literal) => {
        impl Numbered for $ty {
            fn all() -> &'static [Self] {
                &<$ty>::ALL
            }
            fn name(self) -> &'static str {
                <$ty>::name(self)
            }
            const C_PREFIX: &'static str = $prefix;
            fn c_names() -> &'static OnceLock<CNames> {
                static NAMES: OnceLock<CNames> = OnceLock::new();
                &NAMES
            }
        }
    };
}

numbered!(crate::alg::Algorithm, "JWTKIT_ALG_");
numbered!(crate::jwe::Alg, "JWTKIT_JWE_ALG_");
numbered!(crate::jwe::Enc, "JWTKIT_JWE_ENC_");
numbered!(crate::jws_json::Rule, "JWTKIT_JWS_JSON_RULE_");

/// The variant numbered `n`, if any.
pub(crate) fn from_c<T: Numbered>(n: i32) -> Option<T> {
    usize::try_from(n).ok().and_then(|n| n.checked_sub(1)).and_then(|i| T::all().get(i).copied())
}

/// The variant numbered `n`, or an `INVALID_ARGUMENT` failure.
pub(crate) fn arg<T: Numbered>(n: i32) -> Result<T, Failure> {
    from_c(n).ok_or_else(|| invalid(format!("{n} is not a {}* value", T::C_PREFIX)))
}

/// The C number of `value`.
pub(crate) fn to_c<T: Numbered>(value: T) -> i32 {
    T::all().iter().position(|v| *v == value).map_or(0, |i| i as i32 + 1)
}

/// The static, NUL-terminated name of the variant numbered `n`; NULL if there is none.
pub(crate) fn c_name<T: Numbered>(n: i32) -> *const c_char {
    let names = T::c_names().get_or_init(CNames::of::<T>);
    from_c::<T>(n)
        .map_or(std::ptr::null(), |v| names.bytes[names.starts[to_c(v) as usize - 1] as usize..].as_ptr().cast())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alg::Algorithm;
    use crate::jwe::{Alg, Enc};

    /// The header's `#define PREFIX_NAME N` lines, as (NAME, N).
    fn defines(prefix: &str) -> Vec<(String, i32)> {
        let header = std::fs::read_to_string(env!("JWTKIT_GENERATED_HEADER")).unwrap();
        header
            .lines()
            .filter_map(|l| {
                let mut w = l.strip_prefix("#define ")?.split_whitespace();
                let name = w.next()?.strip_prefix(prefix)?;
                Some((name.to_string(), w.next()?.parse().ok()?))
            })
            .collect()
    }

    fn check<T: Numbered>() {
        let found = defines(T::C_PREFIX);
        assert_eq!(found.len(), T::all().len(), "{}*: {found:?}", T::C_PREFIX);
        for (suffix, n) in found {
            let value = from_c::<T>(n).unwrap_or_else(|| panic!("{}{suffix} = {n} has no variant", T::C_PREFIX));
            let spelled = value.name().to_ascii_uppercase().replace(['-', '+'], "_");
            assert_eq!(spelled, suffix, "{}{suffix} = {n} is {}", T::C_PREFIX, value.name());
            let name = unsafe { std::ffi::CStr::from_ptr(c_name::<T>(n)) };
            assert_eq!(name.to_str().unwrap(), value.name());
        }
        for bad in [0, -1, T::all().len() as i32 + 1, i32::MAX] {
            assert!(from_c::<T>(bad).is_none() && c_name::<T>(bad).is_null(), "{bad}");
        }
    }

    #[test]
    fn header_constants_match_the_core_enums() {
        check::<Algorithm>();
        check::<Alg>();
        check::<Enc>();
        check::<crate::jws_json::Rule>();
    }
}
