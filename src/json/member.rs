//! The JSON values the readers hand out: a member's `Kind`, the `Member` value built for
//! the names a `MemberSink` wants, and the packed form of short member names. Shared by
//! the strict reader (`json`) and the quick one (`json::quick`).

use std::borrow::Cow;

use serde_json::Value;

/// The JSON type of a value, for messages ("must be a string, got a number").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl Kind {
    /// The kind of a parsed value.
    pub fn of(v: &Value) -> Kind {
        match v {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Bool,
            Value::Number(_) => Kind::Number,
            Value::String(_) => Kind::String,
            Value::Array(_) => Kind::Array,
            Value::Object(_) => Kind::Object,
        }
    }

    /// The kind in words, with its article ("a string").
    pub fn name(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "a boolean",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }
}

/// A top-level member's value as `scan_object` hands it over: built (borrowing from the
/// input where possible) for the names the sink wants, only its kind for the others.
#[derive(Debug, Clone, PartialEq)]
pub enum Member<'de> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits 64 bits (signed or unsigned).
    Int(i128),
    /// Any other number: fractions, exponents, integers beyond 64 bits.
    Float(f64),
    /// A string, unescaped.
    Str(Cow<'de, str>),
    /// An array: its string items, and the kind of the first item that is not a string.
    Array {
        /// The string items, in order.
        strings: Vec<Cow<'de, str>>,
        /// The kind of the first item that is not a string, if any.
        first_other: Option<Kind>,
    },
    /// An object (not built).
    Object,
    /// A member the sink did not ask for.
    Skipped(Kind),
}

impl Member<'_> {
    /// The JSON kind of the value.
    pub fn kind(&self) -> Kind {
        match self {
            Member::Null => Kind::Null,
            Member::Bool(_) => Kind::Bool,
            Member::Int(_) | Member::Float(_) => Kind::Number,
            Member::Str(_) => Kind::String,
            Member::Array { .. } => Kind::Array,
            Member::Object => Kind::Object,
            Member::Skipped(kind) => *kind,
        }
    }
}

/// Receives the top-level members of an object walked by `scan_object`.
///
/// A name may be delivered twice: when the quick reader (`quick::scan`) gives up
/// partway, the strict reader reads the object again from its first member. The later
/// value is the same; a sink must let it replace the earlier (as setting a field does).
pub trait MemberSink<'de> {
    /// Whether the value of `name` should be built as a `Member` (else `Skipped`).
    fn wants(&self, name: &str) -> bool;
    /// Receives the member `name` and its value.
    fn member(&mut self, name: &str, value: Member<'de>);
}

/// A name of up to 7 bytes as one integer (its length in the top byte, so "a" and
/// "a\0" differ); None for longer names. Built in a register: copying the bytes into
/// an array and reading it back as one word stalls the CPU's store forwarding (it was
/// over half the cost of a name check).
pub(crate) fn short_name(bytes: &[u8]) -> Option<u64> {
    if bytes.len() > 7 {
        return None;
    }
    let word = bytes.iter().rev().fold(0u64, |word, &b| word << 8 | u64::from(b));
    Some(word | (bytes.len() as u64) << 56)
}
