//! JSON Web Keys (RFC 7517) as a bundle and a trusted-keys file carry them: each key kept as
//! its JSON object, every member (written back in name order, so that the CLI keeps what it
//! read), with typed reads of the members a verification key needs. What a key means is
//! decided by [`PublicKey::from_jwk`](super::PublicKey::from_jwk).
//!
//! The members are read through serde_json's own map, which the module has anyway (claims),
//! instead of a derived deserializer per key type and parameter enum: a bundle holds a handful
//! of keys, and those deserializers were some 11 KB of the gzipped wasm module.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::json::cursor::Cursor;
use crate::json::locate;
use crate::json::steps::{self, required, set, shape, Step, Stop};

/// A JSON Web Key: its members. A member named twice is refused when it is read (which of the
/// two a reader would take is not something a key may leave open).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Jwk(pub Map<String, Value>);

/// A JWK Set: `{"keys": [...]}` (other members are ignored, and not written back).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JwkSet {
    /// The keys, in order.
    pub keys: Vec<Jwk>,
}

impl<'de> Deserialize<'de> for Jwk {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Jwk, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = Jwk;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JWK (a JSON object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Jwk, A::Error> {
                let mut members = Map::new();
                while let Some(name) = access.next_key::<String>()? {
                    if members.contains_key(&name) {
                        return Err(de::Error::custom(format_args!(
                            "a JWK names {name:?} twice"
                        )));
                    }
                    let value = access.next_value()?;
                    members.insert(name, value);
                }
                Ok(Jwk(members))
            }
        }
        deserializer.deserialize_map(Members)
    }
}

impl JwkSet {
    /// Reads a JWK Set from its JSON text: `{"keys": [...]}`, each key a [`Jwk`], any other
    /// member passed over (it must still be JSON). A trusted-keys file is read this way (a
    /// bundle's issuers through [`JwkSet::read`]). The error names the path of the value at
    /// fault (`keys[1].kty: ...`).
    pub fn from_json(text: &str) -> Result<JwkSet, String> {
        steps::whole(text, JwkSet::read)
    }

    /// [`JwkSet::from_json`] at the cursor, stopping at the byte offset of the value at fault
    /// (not derived: see the module's documentation).
    pub(crate) fn read<'a>(c: &mut Cursor<'a>) -> Step<JwkSet> {
        let mut keys: Option<Vec<Jwk>> = None;
        let start = c.object_start()?;
        c.object(&mut |c, name| {
            if name.as_str() != "keys" {
                return c.json().map(|_| ());
            }
            set(c, &mut keys, "keys", |c| {
                let mut list = Vec::new();
                c.list(&mut |c, _| {
                    c.ws();
                    let at = c.at;
                    // Read once, by the key's own deserializer: where the text is not JSON, the
                    // document's reading names the problem, as everywhere else.
                    let item = c.skip()?;
                    match serde_json::from_str::<Jwk>(item) {
                        Ok(jwk) => {
                            list.push(jwk);
                            Ok(())
                        }
                        Err(e) if !e.is_data() => Err(Stop::Syntax),
                        Err(e) => {
                            let within = locate::offset_of(item.as_bytes(), e.line(), e.column());
                            shape(at + within, without_position(&e))
                        }
                    }
                })?;
                Ok(list)
            })
        })?;
        required(keys, start, "keys").map(|keys| JwkSet { keys })
    }
}

/// serde_json's message without its line and column (which count from the key's own text).
fn without_position(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    match message.strip_suffix(&position) {
        Some(bare) => bare.to_string(),
        None => message,
    }
}

impl Jwk {
    /// The string member `name`: `Ok(None)` when it is absent, an error naming the member and
    /// the value when it is not a string.
    pub fn string(&self, name: &str) -> Result<Option<&str>, String> {
        match self.0.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(format!("{name}: {other} is not a string")),
        }
    }

    /// The string member `name`, which must be present.
    pub fn required(&self, name: &str) -> Result<&str, String> {
        self.string(name)?
            .ok_or_else(|| format!("{name}: missing (expected a string)"))
    }

    /// The member `name` as an array of strings (`key_ops`): `Ok(None)` when it is absent.
    pub fn strings(&self, name: &str) -> Result<Option<Vec<&str>>, String> {
        let Some(value) = self.0.get(name) else {
            return Ok(None);
        };
        let not_strings = || format!("{name}: {value} is not an array of strings");
        let Value::Array(items) = value else {
            return Err(not_strings());
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(item.as_str().ok_or_else(not_strings)?);
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn jwk(value: Value) -> Jwk {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn members_are_read_as_written_and_typed_reads_name_the_member() {
        let k = jwk(json!({"kty": "EC", "kid": 7, "key_ops": ["verify", "sign"], "x5c": ["..."]}));
        assert_eq!(k.string("kty"), Ok(Some("EC")));
        assert_eq!(k.string("crv"), Ok(None));
        assert_eq!(k.string("kid"), Err("kid: 7 is not a string".to_string()));
        assert_eq!(k.required("kty"), Ok("EC"));
        assert_eq!(
            k.required("x"),
            Err("x: missing (expected a string)".to_string())
        );
        assert_eq!(k.strings("key_ops"), Ok(Some(vec!["verify", "sign"])));
        assert_eq!(k.strings("ops"), Ok(None));
        assert_eq!(
            jwk(json!({"key_ops": "verify"})).strings("key_ops"),
            Err("key_ops: \"verify\" is not an array of strings".to_string())
        );
        assert_eq!(
            jwk(json!({"key_ops": ["verify", 1]})).strings("key_ops"),
            Err("key_ops: [\"verify\",1] is not an array of strings".to_string())
        );
    }

    #[test]
    fn every_member_is_written_back() {
        let value = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "abc", "x5t": "t", "use": "sig"}]});
        let set: JwkSet = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&set).unwrap(), value);
    }

    #[test]
    fn a_member_named_twice_is_refused() {
        let twice = r#"{"keys": [{"kty": "OKP", "use": "enc", "use": "sig"}]}"#;
        let err = serde_json::from_str::<JwkSet>(twice)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("a JWK names \"use\" twice"), "{err}");
    }

    #[test]
    fn a_set_read_from_its_text_names_the_path_of_a_fault() {
        let read = JwkSet::from_json;
        let set = read(r#"{"other": [1, {"a": null}], "keys": [{"kty": "OKP"}]}"#).expect("a set");
        assert_eq!(set.keys, [jwk(json!({"kty": "OKP"}))]);
        assert_eq!(read(r#" {"keys": []} "#), Ok(JwkSet::default()));
        for (text, error) in [
            (
                r#"{"keys": [{"kty": "OKP"}, {"kty": "EC", "use": "enc", "use": "sig"}]}"#,
                "keys[1].use: a JWK names \"use\" twice",
            ),
            (
                r#"{"keys": {}}"#,
                "keys: invalid type: map, expected a sequence",
            ),
            (
                r#"{"keys": ["RSA"]}"#,
                "keys[0]: invalid type: string \"RSA\", expected a JWK (a JSON object)",
            ),
            (
                r#"{"keys": [], "keys": []}"#,
                "keys: duplicate field `keys`",
            ),
            (r#"{"kids": []}"#, ".: missing field `keys`"),
            (r#"[]"#, ".: invalid type: sequence, expected an object"),
            (r#"{"keys": [], "x": [}"#, "x: expected value"),
            (r#"{"keys": []} {}"#, ".: trailing characters"),
        ] {
            let got = read(text).unwrap_err();
            assert!(
                got.starts_with(error) && got.contains(" at line 1 column "),
                "{text}: {got}"
            );
        }
    }

    #[test]
    fn a_key_that_is_not_an_object_is_refused() {
        assert!(serde_json::from_value::<JwkSet>(json!({"keys": ["RSA"]})).is_err());
        assert!(serde_json::from_value::<JwkSet>(json!({"keys": {}})).is_err());
    }
}
