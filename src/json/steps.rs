//! Typed steps over the cursor, for the readers of the bundle (`bundle/scan.rs`,
//! `bundle/sections.rs`), of JWK Sets and of the module's JSON inputs: a string, an optional
//! string, an unsigned integer, a list, a record of known fields, a map of strings. Each stops
//! with a reason in serde's words for the same types (`invalid type: integer `7`,
//! expected a string`, `unknown field `colour``, `missing field `uid``, `duplicate field
//! `name``) and the offset of the value, from which `locate.rs` makes the path. Where the text
//! is not JSON at all the step stops with [`Stop::Syntax`], and the caller asks serde_json for
//! its message and position.
//!
//! The bundle was read by serde's derived deserializers before; they were a fifth of the wasm
//! module. The differential tests in `scan.rs` hold this reader to what they read.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;

use super::cursor::{unescape, Cursor, GiveUp};
use super::Str;

/// Why the reader stopped. One pointer wide: every step returns it, through every closure of
/// the long lists, and a wider error made each of those returns go through memory (a 1,000
/// account load measured 15% slower with the shape error inline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The text is not JSON: serde_json names the problem and where.
    Syntax,
    /// JSON, but not of the schema's shape.
    Shape(Box<Shape>),
}

/// A shape error: at the byte offset `at`, for `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shape {
    /// Where the offending value (or the object missing a field) begins.
    pub(crate) at: usize,
    /// What is wrong, in serde's words.
    pub(crate) message: String,
}

impl From<GiveUp> for Stop {
    fn from(_: GiveUp) -> Stop {
        Stop::Syntax
    }
}

/// What a step reads, or why it stopped.
pub(crate) type Step<T> = Result<T, Stop>;

/// Where and why `text` was not read: the path of the value at fault and the reason with its
/// line and column (serde's words for a shape error; serde_json's message, read again as a
/// value, where the text is not JSON).
pub(crate) fn located(text: &[u8], stop: Stop) -> (String, String) {
    match stop {
        Stop::Shape(shape) => {
            let Shape { at, message } = *shape;
            let (line, column) = super::locate::line_column(text, at);
            (
                super::locate::path_at(text, at),
                format!("{message} at line {line} column {column}"),
            )
        }
        // Read as a value (not passed over: that skips the checks of escapes), for the first
        // problem in document order.
        Stop::Syntax => match std::str::from_utf8(text) {
            Ok(json) => match serde_json::from_str::<serde_json::Value>(json) {
                Err(e) => super::locate::serde_error(text, &e),
                // Not expected: the cursor gives up only where serde_json does.
                Ok(_) => (".".into(), "JSON this reader could not follow".into()),
            },
            // What serde_json's byte reader says there (the module reads JSON as text only:
            // one copy of serde_json's parser, see `crate::json`).
            Err(e) => super::locate::not_utf8(text, e.valid_up_to()),
        },
    }
}

/// [`located`] as one line, `path: reason`.
pub(crate) fn explain(text: &str, stop: Stop) -> String {
    let (path, message) = located(text.as_bytes(), stop);
    format!("{path}: {message}")
}

/// Reads all of `text` with `read`: only whitespace may follow what it reads.
pub(crate) fn whole<'a, T>(
    text: &'a str,
    read: impl FnOnce(&mut Cursor<'a>) -> Step<T>,
) -> Result<T, String> {
    let mut c = Cursor::new(text);
    let value = read(&mut c).and_then(|value| c.end().map(|()| value));
    value.map_err(|stop| explain(text, stop))
}

/// A shape error at `at`.
pub(crate) fn shape<T>(at: usize, message: String) -> Step<T> {
    Err(Stop::Shape(Box::new(Shape { at, message })))
}

/// Sets a field of a long list's item, refusing a second one (the item's fields are told
/// apart by `scan.rs`' own key match, not by [`Cursor::record`]). Inlined: it runs for every
/// field of every account and binding.
#[inline(always)]
pub(crate) fn set<'a, T>(
    c: &mut Cursor<'a>,
    slot: &mut Option<T>,
    key: &str,
    read: impl FnOnce(&mut Cursor<'a>) -> Step<T>,
) -> Step<()> {
    if slot.is_some() {
        return shape(c.at, format!("duplicate field `{key}`"));
    }
    *slot = Some(read(c)?);
    Ok(())
}

/// A required field of the record that began at `at`. (The steps' common case is inlined and
/// their errors are out of line: they run for every field of every account and binding.)
#[inline(always)]
pub(crate) fn required<T>(value: Option<T>, at: usize, name: &str) -> Step<T> {
    match value {
        Some(value) => Ok(value),
        None => Err(missing(at, name)),
    }
}

#[cold]
#[inline(never)]
fn missing(at: usize, name: &str) -> Stop {
    Stop::Shape(Box::new(Shape {
        at,
        message: format!("missing field `{name}`"),
    }))
}

/// An unknown field's message: serde's, with the fields expected.
pub(crate) fn unknown_field<T>(at: usize, key: &str, fields: &[&str]) -> Step<T> {
    let expected = match fields {
        [] => "there are no fields".to_string(),
        [one] => format!("expected `{one}`"),
        [a, b] => format!("expected `{a}` or `{b}`"),
        _ => {
            let all: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
            format!("expected one of {}", all.join(", "))
        }
    };
    shape(at, format!("unknown field `{key}`, {expected}"))
}

impl<'a> Cursor<'a> {
    /// A string: borrowed from the text, or with its escapes decoded as serde_json decodes them.
    pub(crate) fn text(&mut self) -> Step<Str<'a>> {
        let before = self.at;
        match self.raw_string() {
            Ok(Ok(text)) => Ok(Str::borrowed(text)),
            Ok(Err(raw)) => Ok(Str::owned(unescape(raw)?)),
            Err(GiveUp) => Err(self.not_a_string(before)),
        }
    }

    /// Why the value at `before` is not a string: not one (what it is, then), or a string that
    /// is not JSON.
    #[cold]
    #[inline(never)]
    fn not_a_string(&mut self, before: usize) -> Stop {
        self.at = before;
        self.ws();
        if matches!(self.peek(), Some(b'"')) {
            Stop::Syntax
        } else {
            self.mismatched("a string")
        }
    }

    /// `null`, or a value read by `read`.
    pub(crate) fn optional<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Step<T>,
    ) -> Step<Option<T>> {
        self.ws();
        if matches!(self.peek(), Some(b'n')) && self.literal("null") {
            return Ok(None);
        }
        read(self).map(Some)
    }

    /// A string or `null`.
    pub(crate) fn optional_text(&mut self) -> Step<Option<Str<'a>>> {
        self.optional(Self::text)
    }

    /// A string, owned.
    pub(crate) fn string_value(&mut self) -> Step<String> {
        self.text().map(|s| s.to_string())
    }

    /// A string or `null`, owned.
    pub(crate) fn optional_string(&mut self) -> Step<Option<String>> {
        Ok(self.optional_text()?.map(|s| s.to_string()))
    }

    /// A list of strings, owned.
    pub(crate) fn strings(&mut self) -> Step<Vec<String>> {
        self.list_of(Self::string_value)
    }

    /// A list of items read by `item`.
    pub(crate) fn list_of<T>(&mut self, item: fn(&mut Self) -> Step<T>) -> Step<Vec<T>> {
        let mut out = Vec::new();
        self.list(&mut |c, _| {
            out.push(item(c)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// An unsigned integer that fits in 32 bits (named `u32`, as serde does).
    pub(crate) fn u32(&mut self) -> Step<u32> {
        // INVARIANT: `whole` returns at most its maximum, here u32::MAX.
        self.whole(u64::from(u32::MAX), "u32").map(|n| n as u32)
    }

    /// The end of the text, past any whitespace.
    pub(crate) fn end(&mut self) -> Step<()> {
        self.ws();
        if self.at == self.text.len() {
            Ok(())
        } else {
            Err(Stop::Syntax)
        }
    }

    /// An unsigned integer of at most `max` (`expected` names the type, as serde does: `u32`).
    pub(crate) fn whole(&mut self, max: u64, expected: &str) -> Step<u64> {
        self.ws();
        let at = self.at;
        if let Ok(n) = self.unsigned(max) {
            return Ok(n);
        }
        if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
            return self.mismatch(expected);
        }
        let number = self.json()?;
        if number.contains(['.', 'e', 'E']) {
            return shape(
                at,
                format!("invalid type: floating point `{number}`, expected {expected}"),
            );
        }
        shape(
            at,
            format!("invalid value: integer `{number}`, expected {expected}"),
        )
    }

    /// An array: `item` reads each item, given its index.
    pub(crate) fn list(&mut self, item: &mut dyn FnMut(&mut Self, usize) -> Step<()>) -> Step<()> {
        self.ws();
        if !matches!(self.peek(), Some(b'[')) {
            return self.mismatch("a sequence");
        }
        self.array(item)
    }

    /// An object of the fields `fields`: `field` reads the value of the field of that index.
    /// An unknown or repeated field stops the read. Returns where the object began (for
    /// [`required`]).
    pub(crate) fn record(
        &mut self,
        fields: &[&str],
        field: &mut dyn FnMut(&mut Self, usize) -> Step<()>,
    ) -> Step<usize> {
        debug_assert!(fields.len() <= 64, "a record's fields are bits of a u64");
        let start = self.object_start()?;
        let mut seen = 0u64;
        self.object(&mut |c, key| {
            let key = key.as_str();
            let Some(i) = fields.iter().position(|f| *f == key) else {
                return unknown_field(c.at, key, fields);
            };
            let bit = 1u64 << i;
            if seen & bit != 0 {
                return shape(c.at, format!("duplicate field `{key}`"));
            }
            seen |= bit;
            field(c, i)
        })?;
        Ok(start)
    }

    /// Where the next value, which must be an object, begins (for [`required`]); the object is
    /// then read with [`Cursor::object`].
    pub(crate) fn object_start(&mut self) -> Step<usize> {
        self.ws();
        if !matches!(self.peek(), Some(b'{')) {
            return self.mismatch("an object");
        }
        Ok(self.at)
    }

    /// An object of strings (labels): a name given twice is refused.
    pub(crate) fn string_map(&mut self) -> Step<BTreeMap<String, String>> {
        self.ws();
        if !matches!(self.peek(), Some(b'{')) {
            return self.mismatch("a map");
        }
        let mut map = BTreeMap::new();
        self.object(&mut |c, key| {
            let key = key.as_str();
            let at = c.at;
            let value = c.string_value()?;
            if map.insert(key.to_string(), value).is_some() {
                return shape(at, format!("duplicate key `{key}`"));
            }
            Ok(())
        })?;
        Ok(map)
    }

    /// The text of the next value, which must be JSON (serde_json checks what the cursor only
    /// passes over).
    pub(crate) fn json(&mut self) -> Step<&'a str> {
        let text = self.skip()?;
        serde_json::from_str::<IgnoredAny>(text).map_err(|_| Stop::Syntax)?;
        Ok(text)
    }

    /// Stops at the next value, which is not what was `expected`: `invalid type: <what it
    /// is>, expected <expected>`, as serde words it.
    #[inline(always)]
    pub(crate) fn mismatch<T>(&mut self, expected: &str) -> Step<T> {
        Err(self.mismatched(expected))
    }

    #[cold]
    #[inline(never)]
    fn mismatched(&mut self, expected: &str) -> Stop {
        match self.found() {
            Ok((at, found)) => Stop::Shape(Box::new(Shape {
                at,
                message: format!("invalid type: {found}, expected {expected}"),
            })),
            Err(stop) => stop,
        }
    }

    /// Where the next value begins and what it is, in serde's words (`integer `7``).
    fn found(&mut self) -> Step<(usize, String)> {
        self.ws();
        let at = self.at;
        let text = self.json()?;
        let found = match text.as_bytes().first() {
            Some(b'"') => {
                let inner = text.get(1..text.len() - 1).unwrap_or_default();
                format!("string {:?}", unescape(inner)?)
            }
            Some(b'n') => "null".to_string(),
            Some(b't' | b'f') => format!("boolean `{text}`"),
            Some(b'{') => "map".to_string(),
            Some(b'[') => "sequence".to_string(),
            _ if text.contains(['.', 'e', 'E']) => format!("floating point `{text}`"),
            _ => format!("integer `{text}`"),
        };
        Ok((at, found))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stop<T: std::fmt::Debug>(step: Step<T>) -> (usize, String) {
        match step {
            Err(Stop::Shape(shape)) => (shape.at, shape.message),
            other => panic!("expected a shape error, got {other:?}"),
        }
    }

    #[test]
    fn a_wrong_type_is_named_as_serde_names_it() {
        let cases = [
            (r#" 7"#, "invalid type: integer `7`, expected a string"),
            (
                r#"-1.5"#,
                "invalid type: floating point `-1.5`, expected a string",
            ),
            (r#"null"#, "invalid type: null, expected a string"),
            (r#"true"#, "invalid type: boolean `true`, expected a string"),
            (r#"{"a": 1}"#, "invalid type: map, expected a string"),
            (r#"[1]"#, "invalid type: sequence, expected a string"),
        ];
        for (text, message) in cases {
            let (at, got) = stop(Cursor::new(text).text());
            assert_eq!(got, message, "{text}");
            assert_eq!(at, text.len() - text.trim_start().len(), "{text}");
        }
        let (_, got) = stop(Cursor::new(r#""a\u00fcb""#).whole(9, "u32"));
        assert_eq!(got, "invalid type: string \"aüb\", expected u32");
        let (_, got) = stop(Cursor::new("[]").record(&["a"], &mut |_, _| Ok(())));
        assert_eq!(got, "invalid type: sequence, expected an object");
        let (_, got) = stop(Cursor::new("{}").list(&mut |_, _| Ok(())));
        assert_eq!(got, "invalid type: map, expected a sequence");
    }

    #[test]
    fn integers_out_of_range_or_with_fractions_are_refused() {
        let read = |text: &str| Cursor::new(text).whole(u64::from(u32::MAX), "u32");
        assert_eq!(read("4294967295"), Ok(4_294_967_295));
        for (text, message) in [
            (
                "4294967296",
                "invalid value: integer `4294967296`, expected u32",
            ),
            ("-1", "invalid value: integer `-1`, expected u32"),
            ("1.0", "invalid type: floating point `1.0`, expected u32"),
            ("1e3", "invalid type: floating point `1e3`, expected u32"),
            (
                "99999999999999999999999",
                "invalid value: integer `99999999999999999999999`, expected u32",
            ),
        ] {
            assert_eq!(stop(read(text)).1, message, "{text}");
        }
        // Not JSON: serde_json names it.
        for text in ["01", "-", "1.", "+1", "1e", "x"] {
            assert_eq!(read(text), Err(Stop::Syntax), "{text}");
        }
    }

    #[test]
    fn records_refuse_unknown_repeated_and_missing_fields() {
        let fields = ["name", "parent"];
        let read = |text: &str| {
            let mut c = Cursor::new(text);
            let mut name = None;
            let at = c.record(&fields, &mut |c, i| {
                if i == 0 {
                    name = Some(c.string_value()?);
                } else {
                    c.optional_string()?;
                }
                Ok(())
            })?;
            required(name, at, "name")
        };
        assert_eq!(
            read(r#"{"parent": null, "n\u0061me": "a"}"#),
            Ok("a".into())
        );
        assert_eq!(
            stop(read(r#"{"name": "a", "colour": 1}"#)),
            (
                23,
                "unknown field `colour`, expected `name` or `parent`".into()
            )
        );
        assert_eq!(
            stop(read(r#"{"name": "a", "name": "b"}"#)),
            (21, "duplicate field `name`".into())
        );
        assert_eq!(
            stop(read(r#"  {"parent": "p"}"#)),
            (2, "missing field `name`".into())
        );
        assert_eq!(read(r#"{"name": "a",}"#), Err(Stop::Syntax));
        assert_eq!(
            unknown_field::<()>(0, "x", &["a", "b", "c"]),
            shape(0, "unknown field `x`, expected one of `a`, `b`, `c`".into())
        );
    }

    #[test]
    fn maps_of_strings_refuse_a_repeated_name() {
        let read = |text: &str| Cursor::new(text).string_map();
        let map = read(r#"{"b": "2", "a": "1"}"#).expect("a map");
        assert_eq!(
            map.into_iter().collect::<Vec<_>>(),
            [("a".into(), "1".into()), ("b".into(), "2".into())]
        );
        assert_eq!(stop(read(r#"{"a": "1", "a": "2"}"#)).1, "duplicate key `a`");
        assert_eq!(
            stop(read(r#"{"a": 1}"#)).1,
            "invalid type: integer `1`, expected a string"
        );
        assert_eq!(
            stop(read(r#"[]"#)).1,
            "invalid type: sequence, expected a map"
        );
    }
}
