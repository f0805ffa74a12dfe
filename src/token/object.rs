//! A JSON object read without copying it: its members as borrowed names and raw values, read
//! further only when asked. Token headers and claims are read this way (a few members are
//! needed per token, so nothing else is built), strictly: the text must be one object and
//! duplicate member names are refused (RFC 7515 §5.2), so no two readers can see different
//! claims in one token.
//!
//! Two readers: the fast one (`crate::json::cursor`) takes the common token (names with or without
//! escapes; values that are plain strings, unsigned integers, literals, or shallow arrays and objects
//! of these) and gives up on anything else; serde_json then reads the text, and also reads it
//! as a `Value`, so that whatever is accepted here also reads as the map of claims a policy
//! may ask for later ([`super::Claims::map`]): no lone surrogate, no nesting past serde_json's
//! limit, no number out of range.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::cache::same_bytes;
use crate::json::cursor::{Cursor, GiveUp, Read};

/// A parsed JSON object: member names (borrowed unless escaped) and the JSON text of their
/// values, in order.
#[derive(Debug, Default)]
pub(crate) struct Object<'a>(Vec<(Cow<'a, str>, &'a str)>);

/// Objects with more members than this are checked for duplicates by sorting their names,
/// instead of comparing each name with all the others.
const LINEAR_DUPLICATE_CHECK: usize = 32;

impl<'a> Object<'a> {
    /// Parses `text`, which must be exactly one JSON object whose member names are distinct.
    pub(crate) fn parse(text: &'a str) -> Result<Object<'a>, serde_json::Error> {
        if let Ok(object) = fast(text) {
            return Ok(object);
        }
        // The text reader, as everywhere else in the module: serde_json's own reading of a
        // `Value` (with `raw_value`) uses it, so every other reading with it shares one copy
        // of the parser (see `crate::json`).
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let object = deserializer.deserialize_map(ObjectVisitor)?;
        deserializer.end()?;
        serde_json::from_str::<serde_json::Value>(text)?;
        Ok(object)
    }

    /// The JSON text of member `name`'s value.
    pub(crate) fn get(&self, name: &str) -> Option<&'a str> {
        // Compared a word at a time: many claim names share long prefixes
        // (`kubernetes.io/serviceaccount/...`), and wasm's `memcmp` goes byte by byte.
        let mut k = 0;
        while k < self.0.len() {
            let (key, value) = &self.0[k];
            if same_bytes(key.as_bytes(), name.as_bytes()) {
                return Some(value);
            }
            k += 1;
        }
        None
    }

    /// Whether the object has a member `name`.
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// How deep the fast reader follows arrays and objects in a value before it gives up.
const FAST_DEPTH: usize = 16;

/// The fast reading of an object (see the module's documentation).
fn fast(text: &str) -> Read<Object<'_>> {
    let mut c = Cursor::new(text);
    // Room for a token's usual claims at once (rather than growing 4, 8, 16).
    let mut members: Vec<(Cow<'_, str>, &str)> = Vec::with_capacity(16);
    c.object(&mut |c, name| {
        let repeated = members
            .iter()
            .any(|(k, _)| same_bytes(k.as_bytes(), name.as_bytes()));
        if repeated || members.len() >= LINEAR_DUPLICATE_CHECK {
            return Err(GiveUp);
        }
        let value = plain_value(c, 0)?;
        members.push((name.to_cow(), value));
        Ok(())
    })?;
    c.ws();
    if c.at != text.len() {
        return Err(GiveUp);
    }
    Ok(Object(members))
}

/// The text of the next value, if the fast reader is sure of it: a string without escapes or
/// control characters, an unsigned integer, `true`, `false`, `null`, or an array or object of
/// such values at most [`FAST_DEPTH`] deep.
fn plain_value<'a>(c: &mut Cursor<'a>, depth: usize) -> Read<&'a str> {
    c.ws();
    let start = c.at;
    match c.peek() {
        Some(b'"') => c.string().map(|_| ())?,
        Some(b'0'..=b'9') => c.unsigned(u64::MAX).map(|_| ())?,
        Some(b't' | b'f' | b'n') => {
            if !(c.literal("true") || c.literal("false") || c.literal("null")) {
                return Err(GiveUp);
            }
        }
        Some(b'[') if depth < FAST_DEPTH => {
            c.array(&mut |c, _| plain_value(c, depth + 1).map(|_| ()))?
        }
        Some(b'{') if depth < FAST_DEPTH => {
            c.object(&mut |c, _| plain_value(c, depth + 1).map(|_| ()))?
        }
        _ => return Err(GiveUp),
    }
    c.text.get(start..c.at).ok_or(GiveUp)
}

/// A value (its JSON text) as an array of strings without escapes, if it is one the fast
/// reader is sure of (otherwise read it with serde_json).
pub(crate) fn plain_strings(text: &str) -> Option<Vec<&str>> {
    let mut c = Cursor::new(text);
    let mut out = Vec::new();
    c.array(&mut |c, _| -> Read<()> {
        out.push(c.string()?);
        Ok(())
    })
    .ok()?;
    c.ws();
    (c.at == text.len()).then_some(out)
}

/// A value (its JSON text) as a string, if it is one (borrowed when it has no escapes).
pub(crate) fn as_str(text: &str) -> Option<Cow<'_, str>> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        // serde_json validated the string when it read the object: no escapes, so the text
        // between the quotes is the value.
        return Some(Cow::Borrowed(inner));
    }
    // The escapes decoded as serde_json decodes them (the text was read by it already).
    crate::json::cursor::unescape(inner).ok().map(Cow::Owned)
}

/// A value (its JSON text) as an object, if it is one (parsed with the same strictness).
pub(crate) fn as_object(text: &str) -> Option<Result<Object<'_>, serde_json::Error>> {
    text.starts_with('{').then(|| Object::parse(text))
}

/// A value (its JSON text) as `serde_json` displays it (compact JSON), for error messages.
pub(crate) fn shown(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| text.to_string())
}

struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Object<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Object<'de>, A::Error> {
        let duplicate = |name: &str| de::Error::custom(format!("duplicate member {name:?}"));
        let mut members: Vec<(Cow<'de, str>, &'de str)> = Vec::new();
        while let Some(name) = access.next_key_seed(NameSeed)? {
            if members.len() < LINEAR_DUPLICATE_CHECK && members.iter().any(|(k, _)| *k == name) {
                return Err(duplicate(&name));
            }
            let value: &'de RawValue = access.next_value()?;
            members.push((name, value.get()));
        }
        if members.len() > LINEAR_DUPLICATE_CHECK {
            let mut names: Vec<&str> = members.iter().map(|(k, _)| k.as_ref()).collect();
            names.sort_unstable();
            if let Some(pair) = names.windows(2).find(|pair| pair[0] == pair[1]) {
                return Err(duplicate(pair[0]));
            }
        }
        Ok(Object(members))
    }
}

/// Reads a member name, borrowing it from the text when it has no escapes.
struct NameSeed;

impl<'de> DeserializeSeed<'de> for NameSeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for NameSeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_read_in_place_and_strings_unescaped_on_demand() {
        let text = r#" {"a": "plain", "b\u0063": "esc\"aped", "n": 12.5, "o": {"x": [1, 2]}} "#;
        let o = Object::parse(text).unwrap();
        assert!(matches!(
            as_str(o.get("a").unwrap()),
            Some(Cow::Borrowed("plain"))
        ));
        assert_eq!(as_str(o.get("bc").unwrap()).as_deref(), Some("esc\"aped"));
        assert_eq!(as_str(o.get("n").unwrap()), None);
        assert_eq!(shown(o.get("n").unwrap()), "12.5");
        assert_eq!(shown(o.get("o").unwrap()), r#"{"x":[1,2]}"#);
        let inner = as_object(o.get("o").unwrap()).unwrap().unwrap();
        assert_eq!(inner.get("x"), Some("[1, 2]"));
        assert!(as_object(o.get("a").unwrap()).is_none());
        assert!(!o.contains("missing"));
    }

    #[test]
    fn only_one_object_with_distinct_names_is_accepted() {
        for bad in [
            "[1]",
            "\"s\"",
            "{\"a\":",
            "{} {}",
            "{\"a\":1}x",
            "{\"a\":tru}",
        ] {
            assert!(Object::parse(bad).is_err(), "{bad}");
        }
        let err = Object::parse(r#"{"a":1,"b":2,"a":3}"#).unwrap_err();
        assert!(err.to_string().contains("duplicate member \"a\""), "{err}");
        // An escaped spelling of the same name is the same name.
        let err = Object::parse(r#"{"a":1,"\u0061":2}"#).unwrap_err();
        assert!(err.to_string().contains("duplicate member \"a\""), "{err}");
    }

    #[test]
    fn duplicates_are_found_in_large_objects_too() {
        let members: Vec<String> = (0..200).map(|i| format!("\"m{i}\":{i}")).collect();
        let good = format!("{{{}}}", members.join(","));
        assert_eq!(Object::parse(&good).unwrap().0.len(), 200);
        for dup in [0, 31, 32, 150] {
            let bad = format!("{{{},\"m{dup}\":0}}", members.join(","));
            let err = Object::parse(&bad).unwrap_err();
            assert!(
                err.to_string()
                    .contains(&format!("duplicate member \"m{dup}\"")),
                "{err}"
            );
        }
    }
    /// The member names serde_json reads at the top of an object (repeats kept), or `None`.
    fn serde_names(text: &str) -> Option<Vec<String>> {
        struct Names(Vec<String>);
        impl<'de> serde::Deserialize<'de> for Names {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Names, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = Names;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("an object")
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Names, A::Error> {
                        let mut names = Vec::new();
                        while let Some((k, _)) = a.next_entry::<String, de::IgnoredAny>()? {
                            names.push(k);
                        }
                        Ok(Names(names))
                    }
                }
                d.deserialize_map(V)
            }
        }
        serde_json::from_str::<Names>(text).ok().map(|n| n.0)
    }

    /// A random JSON-like text: mostly valid, with escapes, numbers of every form, nesting,
    /// repeated names, and now and then a damaged byte.
    fn random_text(rng: &mut rand::rngs::StdRng) -> String {
        use rand::Rng;
        fn value(rng: &mut rand::rngs::StdRng, depth: usize, out: &mut String) {
            let pick = if depth > 3 {
                rng.gen_range(0..6)
            } else {
                rng.gen_range(0..9)
            };
            match pick {
                0 => out.push_str(
                    [
                        "\"plain\"",
                        "\"\"",
                        "\"a\\\"b\"",
                        "\"\\u00fc\"",
                        "\"\\ud800\"",
                        "\"\\ud83d\\ude00\"",
                        "\"tab\there\"",
                    ][rng.gen_range(0..7)],
                ),
                1 => out.push_str(
                    [
                        "0",
                        "7",
                        "1795346682",
                        "-3",
                        "1.5",
                        "1e3",
                        "01",
                        "18446744073709551616",
                        "1e400",
                        "-0",
                    ][rng.gen_range(0..10)],
                ),
                2 => out.push_str(["true", "false", "null", "nul", "tru"][rng.gen_range(0..5)]),
                3..=5 => out.push_str(["\"x\"", "12", "\"sa-1\""][rng.gen_range(0..3)]),
                6 | 7 => object(rng, depth + 1, out),
                _ => {
                    out.push('[');
                    for k in 0..rng.gen_range(0..4) {
                        if k > 0 {
                            out.push(',');
                        }
                        value(rng, depth + 1, out);
                    }
                    out.push(']');
                }
            }
        }
        fn object(rng: &mut rand::rngs::StdRng, depth: usize, out: &mut String) {
            let names = ["a", "b", "iss", "sub", "\\u0061", "kubernetes.io", "a\\nb"];
            out.push('{');
            for k in 0..rng.gen_range(0..6) {
                if k > 0 {
                    out.push(',');
                }
                if rng.gen_bool(0.2) {
                    out.push(' ');
                }
                out.push('"');
                out.push_str(names[rng.gen_range(0..names.len())]);
                out.push_str("\":");
                value(rng, depth, out);
            }
            out.push('}');
        }
        let mut out = String::new();
        if rng.gen_bool(0.05) {
            // Deep nesting, past serde_json's limit now and then.
            let n = rng.gen_range(100..140);
            out.push_str("{\"d\":");
            out.push_str(&"[".repeat(n));
            out.push_str(&"]".repeat(n));
            out.push('}');
            return out;
        }
        object(rng, 0, &mut out);
        if rng.gen_bool(0.1) && !out.is_empty() {
            let at = rng.gen_range(0..out.len());
            if out.is_char_boundary(at) && out.is_char_boundary(at + 1) {
                let b = [b'"', b'\\', b',', b'}', b'x', b' ', b'\x01'][rng.gen_range(0..7)];
                out.replace_range(at..at + 1, &(b as char).to_string());
            }
        }
        out
    }

    #[test]
    fn reads_what_serde_reads_and_refuses_what_it_refuses_or_repeats() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let (mut fast_reads, mut accepted) = (0, 0);
        for _ in 0..40_000 {
            let text = random_text(&mut rng);
            let value = serde_json::from_str::<serde_json::Value>(&text);
            let names = serde_names(&text);
            let distinct = names.as_ref().is_some_and(|n| {
                let mut sorted = n.clone();
                sorted.sort();
                sorted.windows(2).all(|w| w[0] != w[1])
            });
            let ours = Object::parse(&text);
            assert_eq!(
                ours.is_ok(),
                value.is_ok() && distinct,
                "{text}: {:?} / {value:?}",
                ours.as_ref().err()
            );
            let Ok(ours) = ours else { continue };
            accepted += 1;
            // The same members, values and order as serde_json's own reading.
            let mut by_serde = serde_json::Deserializer::from_str(&text);
            let theirs = by_serde.deserialize_map(ObjectVisitor).unwrap();
            assert_eq!(ours.0, theirs.0, "{text}");
            let map = value.unwrap();
            for (name, raw) in &ours.0 {
                assert_eq!(shown(raw), map[name.as_ref()].to_string(), "{text}");
            }
            fast_reads += usize::from(fast(&text).is_ok());
        }
        // Both readers were exercised.
        assert!(
            accepted > 10_000 && fast_reads > 3_000,
            "{accepted} {fast_reads}"
        );
        assert!(accepted - fast_reads > 3_000, "{accepted} {fast_reads}");
    }
}
