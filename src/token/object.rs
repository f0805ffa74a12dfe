//! A JSON object read without copying it: its members as borrowed names and raw values, read
//! further only when asked. Token headers and claims are read this way (a few members are
//! needed per token, so nothing else is built), strictly: the text must be one object and
//! duplicate member names are refused (RFC 7515 §5.2), so no two readers can see different
//! claims in one token.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::cache::same_bytes;

/// A parsed JSON object: member names (borrowed unless escaped) and their raw values, in order.
#[derive(Debug, Default)]
pub(crate) struct Object<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

/// Objects with more members than this are checked for duplicates by sorting their names,
/// instead of comparing each name with all the others.
const LINEAR_DUPLICATE_CHECK: usize = 32;

impl<'a> Object<'a> {
    /// Parses `text`, which must be exactly one JSON object whose member names are distinct.
    pub(crate) fn parse(text: &'a str) -> Result<Object<'a>, serde_json::Error> {
        // The byte-slice reader, as everywhere else in the crate (one copy of the parser).
        let mut deserializer = serde_json::Deserializer::from_slice(text.as_bytes());
        let object = deserializer.deserialize_map(ObjectVisitor)?;
        deserializer.end()?;
        Ok(object)
    }

    /// The raw value of member `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&'a RawValue> {
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

/// A raw value as a string, if it is one (borrowed when it has no escapes).
pub(crate) fn as_str(raw: &RawValue) -> Option<Cow<'_, str>> {
    let text = raw.get();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        // serde_json validated the string when it read the object: no escapes, so the text
        // between the quotes is the value.
        return Some(Cow::Borrowed(inner));
    }
    serde_json::from_slice::<String>(text.as_bytes())
        .ok()
        .map(Cow::Owned)
}

/// A raw value as an object, if it is one (parsed with the same strictness).
pub(crate) fn as_object(raw: &RawValue) -> Option<Result<Object<'_>, serde_json::Error>> {
    raw.get().starts_with('{').then(|| Object::parse(raw.get()))
}

/// A raw value as `serde_json` displays it (compact JSON), for error messages.
pub(crate) fn shown(raw: &RawValue) -> String {
    serde_json::from_slice::<serde_json::Value>(raw.get().as_bytes())
        .map(|v| v.to_string())
        .unwrap_or_else(|_| raw.get().to_string())
}

struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Object<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Object<'de>, A::Error> {
        let duplicate = |name: &str| de::Error::custom(format!("duplicate member {name:?}"));
        let mut members: Vec<(Cow<'de, str>, &'de RawValue)> = Vec::new();
        while let Some(name) = access.next_key_seed(NameSeed)? {
            if members.len() < LINEAR_DUPLICATE_CHECK && members.iter().any(|(k, _)| *k == name) {
                return Err(duplicate(&name));
            }
            let value: &'de RawValue = access.next_value()?;
            members.push((name, value));
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
        assert_eq!(inner.get("x").unwrap().get(), "[1, 2]");
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
}
