//! The identity objects an engine hands out with its full decisions: made and deep-frozen once
//! for each verified identity its token cache holds, then the same object for the next
//! decisions on that token. Making one anew decodes some fifteen strings into the host, most of
//! a full decision's time there.

use std::sync::Arc;

use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use super::to_js;
use crate::identity::Identity;

/// The most objects one engine keeps.
const MAX: usize = 1024;

/// A frozen identity object, placed as it is where an answer is serialized (an `identity`
/// member of a decision or a review).
#[derive(Clone, Serialize)]
#[serde(transparent)]
pub(super) struct IdentityObject(#[serde(with = "serde_wasm_bindgen::preserve")] JsValue);

/// One engine's identity objects, by the address of the identity each was made from. Each
/// entry holds its identity, so no other identity can take that address while it is kept.
#[derive(Default)]
pub(super) struct IdentityObjects {
    by_address: foldhash::HashMap<usize, (Arc<Identity>, IdentityObject)>,
}

impl IdentityObjects {
    /// The frozen object of `identity`: the one kept for it, or a new one, kept when something
    /// besides the caller's decision holds the identity (the token cache: a later decision on
    /// the token can share it). `Err` the value to answer with instead of the whole answer
    /// when the identity could not be serialized (not kept).
    pub(super) fn object(&mut self, identity: &Arc<Identity>) -> Result<IdentityObject, JsValue> {
        let address = Arc::as_ptr(identity) as usize;
        if let Some((kept, object)) = self.by_address.get(&address) {
            if Arc::ptr_eq(kept, identity) {
                return Ok(object.clone());
            }
        }
        let value = frozen(to_js(&**identity));
        if !value.is_object() {
            return Err(value);
        }
        let object = IdentityObject(value);
        if Arc::strong_count(identity) > 1 {
            if self.by_address.len() >= MAX {
                self.make_room();
            }
            self.by_address
                .insert(address, (Arc::clone(identity), object.clone()));
        }
        Ok(object)
    }

    /// Drops the objects of the identities nothing else holds any more (the token cache let
    /// them go), and all of them if that frees less than half.
    fn make_room(&mut self) {
        self.by_address
            .retain(|_, (identity, _)| Arc::strong_count(identity) > 1);
        if self.by_address.len() >= MAX / 2 {
            self.by_address.clear();
        }
    }

    /// Forgets every object (the bundle or the cache changed: tokens are verified anew).
    pub(super) fn clear(&mut self) {
        self.by_address.clear();
    }
}

/// `value` with every object and array in it frozen: a shared object must not change under
/// another decision that holds it.
fn frozen(value: JsValue) -> JsValue {
    if let Some(object) = value.dyn_ref::<js_sys::Object>() {
        for inner in js_sys::Object::values(object) {
            frozen(inner);
        }
        js_sys::Object::freeze(object);
    }
    value
}
