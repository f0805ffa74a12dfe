//! JSON text read in place, without serde's derived deserializers: a cursor and its small
//! steps (`cursor.rs`), typed steps that stop with serde's reasons (`steps.rs`), the path of a
//! byte offset (`locate.rs`) and the strings read (`string.rs`). The bundle, token headers and
//! claims, JWK Sets and the module's JSON inputs are read with these.

pub(crate) mod cursor;
pub(crate) mod locate;
pub(crate) mod steps;
mod string;

pub(crate) use string::Str;
