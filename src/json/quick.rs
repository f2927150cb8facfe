//! A quick acceptor for the plain shape of JSON object that nearly every header and
//! claims set has: it answers "certainly valid under the strict rules" or "not sure",
//! never "invalid". The strict reader (serde_json plus the checks of `json`) stays the
//! judge: anything this does not accept goes to it, and it gives the error. So this
//! only has to be right in one direction: what it accepts, the strict reader accepts.
//!
//! To keep that easy to see, it gives up (returns false) on everything out of the
//! ordinary rather than handling it: member names with escapes, numbers with exponents
//! or over 64 bytes, `\u` escapes of surrogates, nesting beyond `QUICK_DEPTH`, more than
//! `QUICK_NAMES` members in one object. On a typical claims set it takes about half
//! the time of the strict check (79 ns against 130–180 ns for 142 bytes), which
//! signing pays on every token and verification twice (header and claims).
//!
//! `scan` does the same for `json::scan_object`, building the members a sink wants:
//! it also gives up on numbers other than integers of up to 18 digits (and on `-0`,
//! which serde_json reads as a float), and on strings with escapes in wanted members.
//!
//! The fuzz target `json_parity` checks both against serde_json on arbitrary input.

use std::borrow::Cow;
use std::ops::Range;

use crate::json::member::{short_name, Kind, Member, MemberSink};

/// Deepest nesting this accepts; deeper input goes to the strict reader.
const QUICK_DEPTH: usize = 16;
/// Most members of one object this accepts (duplicates are found by a linear search).
const QUICK_NAMES: usize = 32;
/// Longest number this accepts: far below where an f64 could overflow (309 digits).
const QUICK_NUMBER: usize = 64;

/// True only if `bytes` is one JSON object that `check_object_limited(bytes, _,
/// max_depth)` accepts. False means "not known": ask the strict reader.
pub fn accepts(bytes: &[u8], max_depth: usize) -> bool {
    let mut cursor = Cursor { bytes, pos: 0, max_depth: max_depth.min(QUICK_DEPTH), non_ascii: false };
    cursor.skip_whitespace();
    if cursor.peek() != Some(b'{') || cursor.object(0).is_none() {
        return false;
    }
    cursor.skip_whitespace();
    // Bytes above 0x7F can only have been inside strings; checked once, and only then.
    cursor.pos == bytes.len() && (!cursor.non_ascii || std::str::from_utf8(bytes).is_ok())
}

/// As `json::scan_object(bytes, _, max_depth, sink)`, for the plain shape only. True
/// when it read all of `bytes`: `sink` has then seen every top-level member, in order,
/// with the values the strict reader gives. False when the strict reader must read it;
/// `sink` may have seen the first members already (see `MemberSink`).
pub fn scan<'de, S: MemberSink<'de>>(bytes: &'de [u8], max_depth: usize, sink: &mut S) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let mut cursor = Cursor { bytes, pos: 0, max_depth: max_depth.min(QUICK_DEPTH), non_ascii: false };
    if cursor.top_level(text, sink).is_none() {
        return false;
    }
    cursor.skip_whitespace();
    cursor.pos == bytes.len()
}

/// How `string` treats each byte: most are plain and skipped in a tight loop.
#[derive(Clone, Copy, PartialEq)]
enum Class {
    Plain,
    Quote,
    Backslash,
    Control,
    NonAscii,
}

const CLASSES: [Class; 256] = {
    let mut table = [Class::Plain; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            b'"' => Class::Quote,
            b'\\' => Class::Backslash,
            0..=0x1F => Class::Control,
            0x80..=0xFF => Class::NonAscii,
            _ => Class::Plain,
        };
        b += 1;
    }
    table
};

/// Walks the input; every method returns None to give up. Depth is counted as the
/// strict reader counts it: the top-level object is at 0, and a value inside a
/// container at depth d may only be read when d < max_depth.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
    /// Whether a string held a byte above 0x7F (the input's UTF-8 is then checked).
    non_ascii: bool,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    /// Exactly JSON's four whitespace bytes, as serde_json skips them.
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    /// After an item of a container closed by `close`: true at a `,` (another item
    /// follows, whitespace skipped), false at `close`; None at anything else.
    fn another(&mut self, close: u8) -> Option<bool> {
        self.skip_whitespace();
        match self.next()? {
            b',' => {
                self.skip_whitespace();
                Some(true)
            }
            b if b == close => Some(false),
            _ => None,
        }
    }

    /// `{` at the cursor, through its `}`: each member name checked (no escapes, no
    /// duplicate: names are compared by fingerprint, and two equal fingerprints, a
    /// duplicate or not, give up), then `value` reads the member's value, given where
    /// the name is.
    #[inline]
    fn members(&mut self, mut value: impl FnMut(&mut Self, Range<usize>) -> Option<()>) -> Option<()> {
        self.expect(b'{')?;
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Some(());
        }
        let mut seen = [0u64; QUICK_NAMES];
        let mut count = 0;
        loop {
            let start = self.pos + 1;
            let name = self.plain_name()?;
            if count == QUICK_NAMES || seen[..count].contains(&name) {
                return None;
            }
            seen[count] = name;
            count += 1;
            let name = start..self.pos - 1;
            self.skip_whitespace();
            self.expect(b':')?;
            self.skip_whitespace();
            value(self, name)?;
            if !self.another(b'}')? {
                return Some(());
            }
        }
    }

    /// An object at `depth`, checked.
    fn object(&mut self, depth: usize) -> Option<()> {
        self.members(|cursor, _| cursor.nested_value(depth))
    }

    /// The top-level object for `scan`: each member handed to `sink` (built if the
    /// sink wants it, else only its kind) as soon as it is read.
    fn top_level<'de, S: MemberSink<'de>>(&mut self, text: &'de str, sink: &mut S) -> Option<()> {
        self.skip_whitespace();
        self.members(|cursor, name| {
            let name = text.get(name)?;
            let value =
                if sink.wants(name) { cursor.member(text, 0)? } else { Member::Skipped(cursor.kind_of_value(0)?) };
            sink.member(name, value);
            Some(())
        })
    }

    /// A wanted value inside a container at `depth`, built as the strict reader's
    /// `MemberSeed` builds it.
    fn member<'de>(&mut self, text: &'de str, depth: usize) -> Option<Member<'de>> {
        if depth >= self.max_depth {
            return None;
        }
        Some(match self.peek()? {
            b'"' => Member::Str(Cow::Borrowed(self.plain_str(text)?)),
            b'-' | b'0'..=b'9' => Member::Int(self.integer()?),
            b't' => self.literal(b"true").map(|_| Member::Bool(true))?,
            b'f' => self.literal(b"false").map(|_| Member::Bool(false))?,
            b'n' => self.literal(b"null").map(|_| Member::Null)?,
            b'{' => self.object(depth + 1).map(|_| Member::Object)?,
            b'[' => self.string_array(text, depth + 1)?,
            _ => return None,
        })
    }

    /// An array member: its string items, and the kind of the first other item.
    fn string_array<'de>(&mut self, text: &'de str, depth: usize) -> Option<Member<'de>> {
        if depth >= self.max_depth {
            return None;
        }
        self.expect(b'[')?;
        self.skip_whitespace();
        let mut strings = Vec::new();
        let mut first_other = None;
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Some(Member::Array { strings, first_other });
        }
        loop {
            if self.peek()? == b'"' {
                strings.push(Cow::Borrowed(self.plain_str(text)?));
            } else {
                let kind = self.kind_of_value(depth)?;
                first_other.get_or_insert(kind);
            }
            if !self.another(b']')? {
                return Some(Member::Array { strings, first_other });
            }
        }
    }

    /// A value inside a container at `depth`, checked; its kind.
    fn kind_of_value(&mut self, depth: usize) -> Option<Kind> {
        let kind = match self.peek()? {
            b'{' => Kind::Object,
            b'[' => Kind::Array,
            b'"' => Kind::String,
            b't' | b'f' => Kind::Bool,
            b'n' => Kind::Null,
            _ => Kind::Number,
        };
        self.nested_value(depth).map(|_| kind)
    }

    /// A string without escapes, borrowed from `text` (the whole input, as text).
    fn plain_str<'de>(&mut self, text: &'de str) -> Option<&'de str> {
        let start = self.pos + 1;
        match self.string()? {
            Escapes::None => text.get(start..self.pos - 1),
            Escapes::Some => None,
        }
    }

    /// An integer the strict reader reads as one (`Member::Int`): at most 18 digits,
    /// so it fits an i64; not `-0` (a float there), no fraction or exponent.
    fn integer(&mut self) -> Option<i128> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let start = self.pos;
        match self.next()? {
            b'1'..=b'9' => self.digits(),
            b'0' if !negative => {}
            _ => return None,
        }
        if matches!(self.peek(), Some(b'0'..=b'9' | b'.' | b'e' | b'E')) || self.pos - start > 18 {
            return None;
        }
        let value = self.bytes[start..self.pos].iter().fold(0i64, |v, &d| v * 10 + i64::from(d - b'0'));
        Some(i128::from(if negative { -value } else { value }))
    }

    /// `[` at the cursor, through its `]`. The strict reader refuses an array at the
    /// depth limit even when it is empty (an empty object there is fine), so this does.
    fn array(&mut self, depth: usize) -> Option<()> {
        if depth >= self.max_depth {
            return None;
        }
        self.expect(b'[')?;
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Some(());
        }
        loop {
            self.nested_value(depth)?;
            if !self.another(b']')? {
                return Some(());
            }
        }
    }

    /// A value inside a container at `depth`, under the strict reader's depth rule.
    fn nested_value(&mut self, depth: usize) -> Option<()> {
        if depth >= self.max_depth {
            return None;
        }
        let depth = depth + 1;
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(drop),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.pos + word.len();
        (self.bytes.get(self.pos..end)? == word).then(|| self.pos = end)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)?` and nothing more: no exponent, at most
    /// `QUICK_NUMBER` bytes, so always a finite number.
    fn number(&mut self) -> Option<()> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return None;
            }
            self.digits();
        }
        // What follows must end the number: a leading zero followed by a digit, or an
        // exponent, leaves a byte here that the container's grammar refuses anyway,
        // but refusing here keeps the rule local.
        if matches!(self.peek(), Some(b'0'..=b'9' | b'e' | b'E' | b'.')) {
            return None;
        }
        (self.pos - start <= QUICK_NUMBER).then_some(())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    /// A member name without escapes, as its fingerprint (`fingerprint`).
    fn plain_name(&mut self) -> Option<u64> {
        let start = self.pos + 1;
        (self.string()? == Escapes::None).then(|| fingerprint(self.bytes, start, self.pos - 1))
    }

    /// A string: raw bytes of 0x20 and above (UTF-8 is checked at the end), and the
    /// escapes of RFC 8259 §7 except `\u` of a surrogate half.
    #[inline]
    fn string(&mut self) -> Option<Escapes> {
        self.expect(b'"')?;
        let b = self.bytes;
        let mut escapes = Escapes::None;
        loop {
            let stop = self.next_stop(b, self.pos)?;
            self.pos = stop + 1;
            // The closing quote first, as a plain compare: the match below becomes an
            // indirect jump, which the branch predictor misses after RSA arithmetic.
            if b[stop] == b'"' {
                return Some(escapes);
            }
            match CLASSES[usize::from(b[stop])] {
                Class::Quote => return Some(escapes),
                Class::Backslash => {
                    self.escape()?;
                    escapes = Escapes::Some;
                }
                Class::NonAscii => self.non_ascii = true,
                // A control byte (`next_stop` never stops at a plain one).
                Class::Control | Class::Plain => return None,
            }
        }
    }

    /// The index of the first byte from `i` on that is not a plain string byte: eight
    /// bytes at a time while a whole word follows, then one by one.
    #[inline]
    fn next_stop(&self, b: &[u8], mut i: usize) -> Option<usize> {
        while let Some(word) = b.get(i..i + 8) {
            let stops = stop_bytes(u64::from_le_bytes(word.try_into().expect("8 bytes")));
            if stops != 0 {
                // The lowest flagged byte is exact (see `stop_bytes`).
                return Some(i + (stops.trailing_zeros() / 8) as usize);
            }
            i += 8;
        }
        while CLASSES[usize::from(*b.get(i)?)] == Class::Plain {
            i += 1;
        }
        Some(i)
    }

    fn escape(&mut self) -> Option<()> {
        match self.next()? {
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(()),
            b'u' => {
                let mut code = 0;
                for &digit in self.bytes.get(self.pos..self.pos + 4)? {
                    code = code * 16 + char::from(digit).to_digit(16)?;
                }
                self.pos += 4;
                (!(0xD800..=0xDFFF).contains(&code)).then_some(())
            }
            _ => None,
        }
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit set in each byte of `word` (little-endian) that is not a plain string
/// byte: `"`, `\\`, below 0x20, or above 0x7F. Bytes above the lowest flagged one may be
/// flagged wrongly (a borrow runs upwards), but the lowest is always right.
///
/// Each mask is the classic "byte below k": `(x - k·ONES) & !x & HIGHS` flags a byte
/// that is below k while every byte under it is not (a borrow can only start at a true
/// hit), and never flags a byte of 0x80 or more (`!x` clears its high bit). With k = 1 on
/// `word ^ "…"` it finds a `"` (or `\\`); with k = 0x20 on `word`, a control byte; the
/// last mask flags bytes above 0x7F exactly. The lowest bit of the union is therefore
/// the lowest true hit of any of the four.
fn stop_bytes(word: u64) -> u64 {
    let below = |x: u64, k: u64| x.wrapping_sub(ONES * k) & !x & HIGHS;
    let quote = below(word ^ (ONES * u64::from(b'"')), 1);
    let backslash = below(word ^ (ONES * u64::from(b'\\')), 1);
    let control = below(word, 0x20);
    quote | backslash | control | (word & HIGHS)
}

#[derive(PartialEq)]
enum Escapes {
    None,
    Some,
}

/// The name `b[start..end]` as one integer: up to 7 bytes exactly, packed with the
/// length in the top byte (read as one word when 8 bytes are there, as they are but
/// at the very end of the input: 3% fewer instructions and 7% less time per claims
/// check than packing byte by byte; a unit test holds both paths to the same value);
/// longer, a hash with the top byte 0xFF. Distinct short names never collide; a
/// collision involving a long one only costs a call to the strict reader.
fn fingerprint(b: &[u8], start: usize, end: usize) -> u64 {
    let len = end - start;
    if len <= 7 {
        return match b.get(start..start + 8) {
            Some(word) => {
                let word = u64::from_le_bytes(word.try_into().expect("8 bytes"));
                word & ((1u64 << (8 * len)) - 1) | (len as u64) << 56
            }
            None => short_name(&b[start..end]).expect("7 bytes at most"),
        };
    }
    // FNV-1a: names are short and this runs once per member.
    let hash =
        b[start..end].iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    hash | 0xFF << 56
}

#[cfg(test)]
mod tests {
    use super::*;
    // parse_object_limited: check_object_limited itself asks `accepts` first.
    use crate::json::parse_object_limited as strict;

    /// Every input here: what `accepts` says, checked against the strict reader.
    fn quick(input: &str, max_depth: usize) -> bool {
        let quick = accepts(input.as_bytes(), max_depth);
        if quick {
            assert!(strict(input.as_bytes(), "t", max_depth).is_ok(), "{input}");
        }
        quick
    }

    #[test]
    fn accepts_the_common_shapes() {
        for input in [
            r#"{"sub":"1234567890","name":"John Doe","admin":true,"iat":1516239022,"exp":1916239022,"iss":"https://issuer.example","aud":["api","web"]}"#,
            r#"{"alg":"HS256","typ":"JWT"}"#,
            "{}",
            " {\t\"a\" :\r\n[ ] , \"b\": { } }\n",
            r#"{"n":null,"f":false,"x":-0,"y":0.5,"z":-12.0625,"big":123456789012345678901234567890}"#,
            r#"{"esc":"a\"b\\c\/d\b\f\n\r\t\u00e9\u0000\uFFFF","utf8":"José 😀"}"#,
            r#"{"realm_access":{"roles":["a","b"]},"resource_access":{"api":{"roles":[]}}}"#,
        ] {
            assert!(quick(input, 64), "{input}");
        }
    }

    #[test]
    fn gives_up_on_what_is_invalid() {
        for input in [
            "",
            " ",
            "[]",
            "\"s\"",
            "1",
            "{",
            "}",
            "{,}",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{\"a\":1 \"b\":2}",
            "{\"a\":[1,]}",
            "{\"a\":[1 2]}",
            "{} {}",
            "{}x",
            "\u{feff}{}",
            "{\"a\":1,\"a\":2}",
            "{\"o\":{\"k\":1,\"k\":2}}",
            "{\"a\":01}",
            "{\"a\":-}",
            "{\"a\":1.}",
            "{\"a\":.5}",
            "{\"a\":+1}",
            "{\"a\":1e5}",
            "{\"a\":NaN}",
            "{\"a\":Infinity}",
            "{\"a\":tru}",
            "{\"a\":truex}",
            "{\"a\":nul}",
            "{\"a\":\"\u{1}\"}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\u12\"}",
            "{\"a\":\"\\u12g4\"}",
            "{\"a\":\"\\ud800\"}",
            "{\"a\":\"\\udc00\"}",
            "{\"a\":\"\\ud83d\\ude00\"}",
            "{\"a\\u0062\":1}",
            "{\"a\":\"unterminated}",
            "{'a':1}",
            "{a:1}",
            "{\"a\":1}\u{0}",
            "{\"a\"\u{0}:1}",
        ] {
            assert!(!quick(input, 64), "{input:?}");
        }
        assert!(!accepts(b"{\"a\":\"\xff\"}", 64));
        let long = format!("{{\"n\":{}}}", "9".repeat(QUICK_NUMBER + 1));
        assert!(!quick(&long, 64));
        assert!(quick(&format!("{{\"n\":{}}}", "9".repeat(QUICK_NUMBER)), 64));
    }

    /// Records what `scan` delivers; wants the names `wanted` accepts.
    struct Record<'de> {
        wanted: fn(&str) -> bool,
        got: Vec<(String, Member<'de>)>,
    }

    impl<'de> MemberSink<'de> for Record<'de> {
        fn wants(&self, name: &str) -> bool {
            (self.wanted)(name)
        }
        fn member(&mut self, name: &str, value: Member<'de>) {
            self.got.push((name.to_owned(), value));
        }
    }

    /// `scan` over `input` wanting every member (and then every other one), its result
    /// checked member by member against the strict reader's object.
    fn scanned(input: &str, max_depth: usize) -> Option<Vec<(String, Member<'_>)>> {
        let mut every_other = Record { wanted: |name| name.len() % 2 == 1, got: Vec::new() };
        let mut all = Record { wanted: |_| true, got: Vec::new() };
        if !scan(input.as_bytes(), max_depth, &mut all) {
            return None;
        }
        assert!(scan(input.as_bytes(), max_depth, &mut every_other), "{input}");
        let object = strict(input.as_bytes(), "t", max_depth).unwrap_or_else(|e| panic!("{input}: {e}"));
        for record in [&all, &every_other] {
            assert_eq!(record.got.len(), object.len(), "{input}");
            for (name, member) in &record.got {
                let value = &object[name];
                let same = match member {
                    Member::Skipped(kind) => *kind == Kind::of(value),
                    Member::Int(i) => {
                        value.as_i64().map(i128::from) == Some(*i) || value.as_u64().map(i128::from) == Some(*i)
                    }
                    Member::Str(text) => value.as_str() == Some(text.as_ref()),
                    Member::Bool(b) => value.as_bool() == Some(*b),
                    Member::Null => value.is_null(),
                    Member::Object => value.is_object(),
                    Member::Array { strings, first_other } => {
                        let items = value.as_array().unwrap();
                        let want: Vec<&str> = items.iter().filter_map(|v| v.as_str()).collect();
                        strings.iter().map(|s| s.as_ref()).collect::<Vec<_>>() == want
                            && *first_other == items.iter().find(|v| !v.is_string()).map(Kind::of)
                    }
                    Member::Float(_) => false, // never built here
                };
                assert!(same, "{input}: {name} = {member:?} vs {value}");
            }
        }
        Some(all.got)
    }

    #[test]
    fn scan_builds_members_in_order_and_borrows_strings() {
        let input = r#" {"sub":"1234567890","name":"José","admin":true,"iat":1516239022,"n":-42,"z":0,"x":null,
            "aud":["api",{"k":[1.5]},"web",2],"o":{"a":"\u00e9"}} "#;
        let got = scanned(input, 64).expect("plain shape");
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["sub", "name", "admin", "iat", "n", "z", "x", "aud", "o"]);
        assert!(matches!(&got[0].1, Member::Str(Cow::Borrowed("1234567890"))));
        assert_eq!(got[3].1, Member::Int(1516239022));
        assert_eq!(got[4].1, Member::Int(-42));
        assert_eq!(
            got[7].1,
            Member::Array { strings: vec!["api".into(), "web".into()], first_other: Some(Kind::Object) }
        );
    }

    #[test]
    fn scan_gives_up_on_what_it_would_build_differently() {
        for value in ["-0", "1.5", "1e5", "1234567890123456789", "\"a\\/b\"", "[\"a\\/b\"]", "01", "-", "[1,]"] {
            let input = format!(r#"{{"iss":"x","v":{value}}}"#);
            assert!(scanned(&input, 64).is_none(), "{input}");
            // Not wanted, it is only checked, and all but the invalid ones pass.
            let unwanted = format!(r#"{{"iss":"x","vv":{value}}}"#);
            let mut none = Record { wanted: |_| false, got: Vec::new() };
            let strict_ok = strict(unwanted.as_bytes(), "t", 64).is_ok();
            if scan(unwanted.as_bytes(), 64, &mut none) {
                assert!(strict_ok, "{unwanted}");
            }
        }
        assert_eq!(scanned(r#"{"v":123456789012345678}"#, 64).unwrap()[0].1, Member::Int(123456789012345678));
        assert_eq!(scanned(r#"{"v":-123456789012345678}"#, 64).unwrap()[0].1, Member::Int(-123456789012345678));
        for max_depth in 0..4 {
            for input in [r#"{"a":[]}"#, r#"{"a":{}}"#, r#"{"a":["x"]}"#, r#"{"a":[[]]}"#, r#"{"a":1}"#, "{}"] {
                let strict_ok = strict(input.as_bytes(), "t", max_depth).is_ok();
                assert_eq!(scanned(input, max_depth).is_some(), strict_ok, "{input} at {max_depth}");
            }
        }
    }

    #[test]
    fn word_scan_stops_where_the_byte_scan_does() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let pool = [b'a', b'"', b'\\', 0x1F, 0x20, 0x7F, 0x80, 0xFF, 0x00, b'!', b'#', b'[', b']', 0x5B, 0x5D];
        for _ in 0..20_000 {
            let mut word = [0u8; 8];
            for b in &mut word {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *b = if state % 3 == 0 { pool[(state >> 8) as usize % pool.len()] } else { (state >> 16) as u8 };
            }
            let stops = stop_bytes(u64::from_le_bytes(word));
            let first = word.iter().position(|&b| CLASSES[usize::from(b)] != Class::Plain);
            assert_eq!(first, (stops != 0).then(|| (stops.trailing_zeros() / 8) as usize), "{word:x?}");
        }
    }

    #[test]
    fn fingerprints_of_short_names_are_their_packing_wherever_they_are() {
        let input = b"{\"abc\":1,\"\":2,\"abcdefg\":3}";
        for (start, end) in [(2, 5), (10, 10), (15, 22)] {
            let name = &input[start..end];
            let want = crate::json::member::short_name(name).unwrap();
            assert_eq!(fingerprint(input, start, end), want, "{:?}", String::from_utf8_lossy(name));
            // At the very end of the input, where no whole word follows.
            assert_eq!(fingerprint(name, 0, name.len()), want);
        }
    }

    #[test]
    fn counts_depth_as_the_strict_reader_does() {
        for max_depth in 0..6 {
            for levels in 0..8 {
                let arrays = format!("{{\"a\":{}{}}}", "[".repeat(levels), "]".repeat(levels));
                let objects = format!("{}1{}", "{\"a\":".repeat(levels + 1), "}".repeat(levels + 1));
                for input in [arrays, objects] {
                    let strict = strict(input.as_bytes(), "t", max_depth).is_ok();
                    // Agrees exactly within its own depth: no false refusal either.
                    assert_eq!(quick(&input, max_depth), strict, "{input} at {max_depth}");
                }
            }
            assert!(quick("{}", max_depth));
            assert_eq!(quick(r#"{"a":{}}"#, max_depth), max_depth >= 1);
            // An empty array at the limit is refused, an empty object is not.
            assert_eq!(quick(r#"{"a":[]}"#, max_depth), max_depth >= 2);
        }
        let nested = |levels| format!("{{\"a\":{}{}}}", "[".repeat(levels), "]".repeat(levels));
        assert!(quick(&nested(QUICK_DEPTH - 1), 64));
        assert!(!quick(&nested(QUICK_DEPTH), 64));
        assert!(strict(nested(QUICK_DEPTH).as_bytes(), "t", 64).is_ok());
    }

    #[test]
    fn gives_up_beyond_its_name_limit_but_catches_duplicates_within_it() {
        let members = |n: usize| (0..n).map(|i| format!("\"m{i}\":{i}")).collect::<Vec<_>>().join(",");
        assert!(quick(&format!("{{{}}}", members(QUICK_NAMES)), 64));
        assert!(!quick(&format!("{{{}}}", members(QUICK_NAMES + 1)), 64));
        assert!(!quick(&format!("{{{},\"m7\":0}}", members(QUICK_NAMES - 1)), 64));
        assert!(quick(r#"{"ab":1,"a":2,"b":3,"":4}"#, 64));
        assert!(!quick(r#"{"":1,"a":2,"":3}"#, 64));
        assert!(quick(r#"{"https://example.com/claims/a":1,"https://example.com/claims/b":2,"abcdefg":3}"#, 64));
        assert!(!quick(r#"{"https://example.com/claims/a":1,"https://example.com/claims/a":2}"#, 64));
        assert!(!quick(r#"{"o":{"sub":1,"iat":2,"sub":3}}"#, 64));
    }
}
