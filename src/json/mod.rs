//! JSON text read in place, without serde's derived deserializers: a cursor and its small
//! steps (`cursor.rs`), typed steps that stop with serde's reasons (`steps.rs`), the path of a
//! byte offset (`locate.rs`) and the strings read (`string.rs`). The bundle, token headers and
//! claims, JWK Sets and the module's JSON inputs are read with these.
//!
//! Where serde_json reads (a value, a check of what the cursor passed over), it reads text
//! (`from_str`), never bytes: its own reading of a `Value` takes the text reader (for
//! `raw_value`), and a second reader type would be a second copy of its parser in the wasm
//! module (about 4 KB gzipped). Bytes are checked to be UTF-8 first.

pub(crate) mod cursor;
pub(crate) mod locate;
pub(crate) mod steps;
mod string;

pub(crate) use string::Str;
