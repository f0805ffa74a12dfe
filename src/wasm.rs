//! The wasm-bindgen surface: converts and delegates to [`crate::engine::Engine`], decides
//! nothing itself. Decisions never throw: every error is a denial with a reason. Only loading a
//! bad bundle (or bad trusted keys) throws, an `Error` whose message names the path of the
//! problem, and the engine then keeps the bundle it held.

mod identity_objects;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use self::identity_objects::{IdentityObject, IdentityObjects};
use crate::bundle::signature::TrustedKeys;
use crate::bundle::Bundle;
use crate::cache::{same_bytes, Question, Ticket};
use crate::decision::{Decision, DecisionKind};
use crate::engine::Engine as Core;
use crate::rbac::{RbacRequest, ResourceAttributes};
use crate::request::HttpRequest;
use crate::time::{self, UnixTime};
use crate::token::{credentials::token_from_headers, TokenError};

/// The engine, as JavaScript sees it.
#[wasm_bindgen(js_name = Engine)]
pub struct WasmEngine {
    core: Core,
    tokens: Slots<(Box<str>, Ticket)>,
    questions: Slots<Question>,
    identities: IdentityObjects,
    /// Made from a signed bundle: it takes signed bundles only (`updateSigned`).
    signed: bool,
}

/// Values the JavaScript layer registered once (tokens, questions), so that a repeated hot call
/// passes numbers instead of copying strings into the module and rebuilding the question every
/// time (most of a cached decision's cost otherwise). Plumbing only: the token behind a handle
/// goes through the engine exactly as the string would, its verification cached or not.
struct Slots<T> {
    slots: Vec<Option<(u32, T)>>,
    next: usize,
    generation: u32,
}

/// How many values of each kind can be registered at once (the oldest slot is reused first).
const SLOTS: usize = 1024;

impl<T> Slots<T> {
    fn new() -> Slots<T> {
        Slots {
            slots: Vec::new(),
            next: 0,
            generation: 0,
        }
    }

    /// Stores a value; its handle is `generation * SLOTS + index`, exact in an f64.
    fn register(&mut self, value: T) -> f64 {
        self.generation = self.generation.wrapping_add(1);
        let index = self.next;
        self.next = (self.next + 1) % SLOTS;
        let slot = Some((self.generation, value));
        match self.slots.get_mut(index) {
            Some(existing) => *existing = slot,
            None => self.slots.push(slot),
        }
        f64::from(self.generation) * SLOTS as f64 + index as f64
    }

    /// The value of a live handle.
    fn get_mut(&mut self, handle: f64) -> Option<&mut T> {
        // Integer arithmetic (an f64 remainder is a library call in wasm): `as` saturates, so
        // only a whole number in range converts back to the same value.
        let whole = handle as u64;
        if whole as f64 != handle {
            return None;
        }
        let index = (whole % SLOTS as u64) as usize;
        let generation = whole / SLOTS as u64;
        match self.slots.get_mut(index) {
            Some(Some((g, value))) if u64::from(*g) == generation => Some(value),
            _ => None,
        }
    }
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value
        .serialize(&serializer)
        .unwrap_or_else(|e| JsValue::from_str(&format!("tessera: result not serializable: {e}")))
}

/// A decision as JavaScript: its fields as [`Decision`] serializes them, its identity the
/// engine's frozen object for it ([`IdentityObjects`]). If the identity cannot be made, the
/// whole answer is that error (no `allowed`: the package fails closed on it).
fn decision_to_js(identities: &mut IdentityObjects, decision: &Decision) -> JsValue {
    /// [`Decision`]'s fields, borrowed, in its order, as it serializes them. Made by
    /// destructuring every field: a field added to `Decision` fails to compile here until it
    /// is added (a change of its serde attributes must be made here by hand).
    #[derive(Serialize)]
    struct View<'a> {
        allowed: bool,
        status: u16,
        reasons: &'a [String],
        explanation: &'a str,
        kind: DecisionKind,
        #[serde(skip_serializing_if = "Option::is_none")]
        identity: Option<IdentityObject>,
        #[serde(skip_serializing_if = "Option::is_none")]
        route: Option<&'a str>,
        revision: u64,
    }
    let Decision {
        allowed,
        status,
        reasons,
        explanation,
        kind,
        identity,
        route,
        revision,
    } = decision;
    let identity = match identity.as_ref().map(|i| identities.object(i)).transpose() {
        Ok(identity) => identity,
        Err(error) => return error,
    };
    to_js(&View {
        allowed: *allowed,
        status: *status,
        reasons,
        explanation,
        kind: *kind,
        identity,
        route: route.as_deref(),
        revision: *revision,
    })
}

thread_local! {
    /// `Object.prototype`, looked up once (not through a new object on every request).
    static OBJECT_PROTOTYPE: js_sys::Object = js_sys::Object::get_prototype_of(&js_sys::Object::new());
}

/// Refuses a request whose `headers` is an object JSON would write as `{}` (a `Map`, a
/// `Headers`): read as no headers at all, its token would go unseen.
fn plain_headers(request: &JsValue) -> Result<(), String> {
    let Ok(headers) = js_sys::Reflect::get(request, &host_string("headers")) else {
        return Ok(());
    };
    if !headers.is_object() {
        return Ok(());
    }
    // Reflect's, which reports a throwing `getPrototypeOf` (a Proxy's) as an error, where
    // Object's would throw through the module with its state borrowed.
    let plain = match js_sys::Reflect::get_prototype_of(&headers) {
        Ok(proto) => proto.is_null() || OBJECT_PROTOTYPE.with(|object| proto == *object),
        Err(_) => false,
    };
    if plain {
        Ok(())
    } else {
        Err(
            "headers: expected a plain object of header names to values (not a Map or Headers)"
                .into(),
        )
    }
}

/// The JSON text of a JavaScript value (`JSON.stringify`), or why there is none: inputs are
/// read from it by `src/json` (the same typed reading as the bundle's, and no second
/// deserializer in the module).
fn json_of(value: &JsValue) -> Result<String, String> {
    match js_sys::JSON::stringify(value) {
        Ok(text) => JsValue::from(text)
            .as_string()
            .ok_or_else(|| "expected an object, found undefined".to_string()),
        Err(e) => Err(format!(
            "not representable as JSON: {}",
            e.dyn_ref::<js_sys::Error>()
                .map(|error| String::from(error.message()))
                .or_else(|| e.as_string())
                .unwrap_or_else(|| "JSON.stringify threw".into())
        )),
    }
}

/// The bytes of a bundle given as text or as bytes (see [`BundleSource`]).
fn bundle_bytes(bundle: &BundleSource) -> Result<Vec<u8>, JsError> {
    if let Some(text) = bundle.as_string() {
        Ok(text.into_bytes())
    } else if let Some(bytes) = bundle.dyn_ref::<js_sys::Uint8Array>() {
        Ok(bytes.to_vec())
    } else if let Some(buffer) = bundle.dyn_ref::<js_sys::ArrayBuffer>() {
        // A detached buffer has no bytes, and a view of it would throw: empty, it is refused
        // as JSON like any other empty bundle.
        if buffer.byte_length() == 0 {
            return Ok(Vec::new());
        }
        Ok(js_sys::Uint8Array::new(buffer).to_vec())
    } else {
        let found = bundle.js_typeof().as_string().unwrap_or_default();
        Err(JsError::new(&format!(
            "bundle: expected its JSON text (a string) or its bytes (a Uint8Array or an \
             ArrayBuffer), found a value of type {found}"
        )))
    }
}

fn at(now: Option<f64>) -> UnixTime {
    match now {
        Some(seconds) if seconds.is_finite() => UnixTime(seconds.floor() as i64),
        _ => time::now(),
    }
}

/// A resource question as `kubectl auth can-i` takes it (see `can`).
fn kubectl_request(verb: &str, resource: &str, namespace: &str, name: Option<&str>) -> RbacRequest {
    RbacRequest::Resource(ResourceAttributes::from_kubectl(
        verb,
        resource,
        name.unwrap_or(""),
        namespace,
    ))
}

/// The 400 decision on a request that cannot be read (no identity: through the one decision
/// serializer all the same, with no objects to keep).
fn bad_request(kind: DecisionKind, why: String, revision: u64) -> JsValue {
    let denial = Decision::deny(kind, 400, "request-invalid", why, revision);
    decision_to_js(&mut IdentityObjects::default(), &denial)
}

#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// Loads an (unsigned) bundle from its JSON text or its bytes (see [`BundleSource`]).
    /// Throws an `Error` naming the path of every problem.
    #[wasm_bindgen(constructor)]
    pub fn new(bundle: &BundleSource) -> Result<WasmEngine, JsError> {
        Ok(WasmEngine {
            core: Core::from_json(&bundle_bytes(bundle)?)?,
            tokens: Slots::new(),
            questions: Slots::new(),
            identities: IdentityObjects::default(),
            signed: false,
        })
    }

    /// Loads a signed bundle: `signature` is the detached JWS, `trustedKeys` a JWKS (JSON
    /// text) of the keys pinned to sign bundles. `now` in seconds since the epoch (default:
    /// the clock).
    #[wasm_bindgen(js_name = fromSigned)]
    pub fn from_signed(
        bundle: &BundleSource,
        signature: &str,
        trusted_keys: &str,
        now: Option<f64>,
    ) -> Result<WasmEngine, JsError> {
        let bytes = bundle_bytes(bundle)?;
        let trusted = TrustedKeys::from_json(trusted_keys.as_bytes())?;
        Ok(WasmEngine {
            core: Core::from_signed_json(&bytes, signature, &trusted, at(now))?,
            tokens: Slots::new(),
            questions: Slots::new(),
            identities: IdentityObjects::default(),
            signed: true,
        })
    }

    /// Replaces the bundle with an unsigned one (refusing rollback and expiry; on error the
    /// bundle held stays). Refused on an engine made by `fromSigned`: an unsigned bundle would
    /// step around the keys it pinned.
    pub fn update(&mut self, bundle: &BundleSource, now: Option<f64>) -> Result<(), JsError> {
        if self.signed {
            return Err(JsError::new(
                "this engine was loaded from a signed bundle: give the next one with its signature (updateSigned); an unsigned bundle is refused",
            ));
        }
        let bundle = Bundle::from_json(&bundle_bytes(bundle)?)?;
        self.core.update(bundle, at(now))?;
        self.identities.clear();
        Ok(())
    }

    /// Replaces the bundle with a signed one (see `fromSigned`; on error the bundle held stays).
    /// `trustedKeys` are the caller's pins, given with every call (the package passes the ones
    /// it was configured with); after a signed update, `update` refuses unsigned bundles.
    #[wasm_bindgen(js_name = updateSigned)]
    pub fn update_signed(
        &mut self,
        bundle: &BundleSource,
        signature: &str,
        trusted_keys: &str,
        now: Option<f64>,
    ) -> Result<(), JsError> {
        let bytes = bundle_bytes(bundle)?;
        let trusted = TrustedKeys::from_json(trusted_keys.as_bytes())?;
        self.core
            .update_signed(&bytes, signature, &trusted, at(now))?;
        self.identities.clear();
        // Signed once, signed from now on: `update` refuses an unsigned bundle.
        self.signed = true;
        Ok(())
    }

    /// The bundle's revision.
    #[wasm_bindgen(getter)]
    pub fn revision(&self) -> f64 {
        self.core.bundle().revision() as f64
    }

    /// When the bundle expires (seconds since the epoch), or `undefined`.
    #[wasm_bindgen(getter, js_name = expiresAt)]
    pub fn expires_at(&self) -> Option<f64> {
        self.core.bundle().expires_at().map(|t| t.0 as f64)
    }

    /// Sets how many verified tokens are cached (per generation; 0 disables).
    #[wasm_bindgen(js_name = setCacheCapacity)]
    pub fn set_cache_capacity(&mut self, capacity: u32) {
        self.core.set_cache_capacity(capacity as usize);
        self.identities.clear();
    }

    /// Lets the held bundle keep answering for `seconds` past its `expires_at` (default 0).
    /// A new bundle past its `expires_at` is refused all the same.
    #[wasm_bindgen(js_name = setExpiryGrace)]
    pub fn set_expiry_grace(&mut self, seconds: u32) {
        self.core.set_expiry_grace(seconds);
    }

    /// Who is this token? A TokenReview status `{authenticated, user, error}`, plus the full
    /// `identity` when authenticated.
    pub fn verify(&mut self, token: &str, now: Option<f64>) -> JsValue {
        #[derive(Serialize)]
        struct Review {
            #[serde(flatten)]
            status: crate::identity::TokenReviewStatus,
            #[serde(skip_serializing_if = "Option::is_none")]
            identity: Option<IdentityObject>,
            #[serde(skip_serializing_if = "Option::is_none")]
            reason: Option<&'static str>,
        }
        match self.core.verify(token, at(now)) {
            Ok(identity) => match self.identities.object(&identity) {
                Ok(object) => to_js(&Review {
                    status: crate::identity::TokenReviewStatus::authenticated(&identity),
                    identity: Some(object),
                    reason: None,
                }),
                Err(error) => error,
            },
            Err(e) => to_js(&Review {
                status: crate::identity::TokenReviewStatus::refused(&e),
                identity: None,
                reason: Some(e.code()),
            }),
        }
    }

    /// Decides an RBAC question: `attributes` is `{verb, group, resource, subresource, name,
    /// namespace}` or `{verb, path}` (a non-resource URL).
    pub fn authorize(&mut self, token: &str, attributes: JsValue, now: Option<f64>) -> JsValue {
        let revision = self.core.bundle().revision();
        let request = json_of(&attributes).and_then(|text| RbacRequest::from_json(&text));
        match request {
            Ok(request) => decision_to_js(
                &mut self.identities,
                &self.core.authorize(token, &request, at(now)),
            ),
            Err(e) => bad_request(DecisionKind::Resource, format!("attributes: {e}"), revision),
        }
    }

    /// The hot RBAC call, strings only: may the caller `verb` the `resource` (`pods`,
    /// `pods/log`, `deployments.apps`, `deployments.apps/scale`) named `name` (empty: any) in
    /// `namespace` (empty: cluster scope)?
    pub fn can(
        &mut self,
        token: &str,
        verb: &str,
        resource: &str,
        namespace: &str,
        name: Option<String>,
        now: Option<f64>,
    ) -> JsValue {
        let request = kubectl_request(verb, resource, namespace, name.as_deref());
        decision_to_js(
            &mut self.identities,
            &self.core.authorize_shared(token, &request, at(now)),
        )
    }

    /// The fastest RBAC call: `can` reduced to the decision's status (200 allowed, 401 no
    /// valid identity, 403 not allowed, 503 the bundle expired), for callers that need no
    /// explanation. A question asked before for the same token is answered from the cache
    /// without building any object.
    #[wasm_bindgen(js_name = canStatus)]
    pub fn can_status(
        &mut self,
        token: &str,
        verb: &str,
        resource: &str,
        namespace: &str,
        name: Option<String>,
        now: Option<f64>,
    ) -> u16 {
        let request = kubectl_request(verb, resource, namespace, name.as_deref());
        self.core.authorize_shared(token, &request, at(now)).status
    }

    /// Registers a token for `canStatusFor`: returns its handle (a number), valid until 1,024
    /// more tokens have been registered.
    #[wasm_bindgen(js_name = registerToken)]
    pub fn register_token(&mut self, token: &str) -> f64 {
        self.tokens.register((Box::from(token), Ticket::default()))
    }

    /// Registers a question for `canStatusFor` (the arguments of `can` after the token):
    /// returns its handle (a number), valid until 1,024 more questions have been registered.
    #[wasm_bindgen(js_name = registerQuestion)]
    pub fn register_question(
        &mut self,
        verb: &str,
        resource: &str,
        namespace: &str,
        name: Option<String>,
    ) -> f64 {
        let request = kubectl_request(verb, resource, namespace, name.as_deref());
        self.questions.register(Question::new(request))
    }

    /// `canStatus` for a registered token and a registered question (see `registerToken`,
    /// `registerQuestion`); 0 when either handle is no longer live (register it again). A
    /// question asked before for the token is answered through the token cache's ticket,
    /// without hashing or comparing the token again.
    #[wasm_bindgen(js_name = canStatusFor)]
    pub fn can_status_for(&mut self, token: f64, question: f64, now: Option<f64>) -> u16 {
        let (Some((token, ticket)), Some(question)) =
            (self.tokens.get_mut(token), self.questions.get_mut(question))
        else {
            return 0;
        };
        self.core
            .status_with_ticket(token, ticket, question, at(now))
    }

    /// `canStatusFor`'s decision made `times` times in a row inside the module (the handles
    /// looked up once, as a native caller holds its token and question); how many were
    /// allowed. For the benchmark harness, which times the decision without the JavaScript
    /// call around it (the wasm/native ratio of the same Rust code); a caller has no other use
    /// for it.
    #[wasm_bindgen(js_name = canStatusForRepeated)]
    pub fn can_status_for_repeated(
        &mut self,
        token: f64,
        question: f64,
        now: Option<f64>,
        times: u32,
    ) -> u32 {
        let (Some((token, ticket)), Some(question)) =
            (self.tokens.get_mut(token), self.questions.get_mut(question))
        else {
            return 0;
        };
        self.core
            .status_repeated(token, ticket, question, at(now), times)
    }

    /// The signature check to make before deciding on `token` (see `setSignatureVerifier`),
    /// for hosts whose signature math is asynchronous (WebCrypto): `{id, alg, keys, message,
    /// signature}` with `keys` the JWK texts the engine chose (any one that verifies is
    /// enough), or `undefined` when there is nothing to check ahead (cached, HMAC, refused
    /// before any signature check, no usable bundle). Give the verdict back with
    /// `signatureVerdict(id, verified, refused)` (or through the signature verifier): the
    /// decision on this token at the same `now` then repeats none of the token's own checks.
    #[wasm_bindgen(js_name = signatureCheck)]
    pub fn signature_check(&mut self, token: &str, now: Option<f64>) -> JsValue {
        signature_check_js(self.core.signature_check(token, at(now)))
    }

    /// The verdict of the last `signatureCheck` (by its `id`): how many of its keys verified
    /// the signature and how many refused it (others could not be asked). Returns whether it
    /// was kept (not when no key verified and not every key refused, or when another check
    /// was made since: the decision then verifies as usual).
    #[wasm_bindgen(js_name = signatureVerdict)]
    pub fn signature_verdict(&mut self, id: u32, verified: u32, refused: u32) -> bool {
        self.core
            .signature_verdict(id, verified as usize, refused as usize)
    }

    /// `signatureCheck` for the token of an HTTP request, read from the values of its
    /// `Authorization` and `X-Pomerium-Authorization` headers as `checkHttp` reads it.
    #[wasm_bindgen(js_name = signatureCheckHeaders)]
    pub fn signature_check_headers(
        &mut self,
        authorization: Option<String>,
        pomerium_authorization: Option<String>,
        now: Option<f64>,
    ) -> JsValue {
        signature_check_js(self.headers_check(&authorization, &pomerium_authorization, now))
    }

    /// `signatureCheck` packed for the package's JavaScript, which unpacks it
    /// (`unpackCheck` in pkg/src/web-crypto.js) in fewer calls across the boundary than the
    /// object takes to build here: `[bytes, keys, alg]`, `bytes` the check's number (4 bytes,
    /// little-endian), the length of the signed bytes (4 bytes, little-endian), the signed
    /// bytes and the signature; or `undefined`, as for `signatureCheck`.
    #[wasm_bindgen(js_name = signatureCheckPacked)]
    pub fn signature_check_packed(&mut self, token: &str, now: Option<f64>) -> JsValue {
        packed_check_js(self.core.signature_check(token, at(now)))
    }

    /// `signatureCheckHeaders` packed as `signatureCheckPacked` is.
    #[wasm_bindgen(js_name = signatureCheckHeadersPacked)]
    pub fn signature_check_headers_packed(
        &mut self,
        authorization: Option<String>,
        pomerium_authorization: Option<String>,
        now: Option<f64>,
    ) -> JsValue {
        packed_check_js(self.headers_check(&authorization, &pomerium_authorization, now))
    }

    /// The hot HTTP call, strings only: decides `method url` against the routes, with the
    /// values of the `Authorization` and `X-Pomerium-Authorization` headers (either may be
    /// absent).
    #[wasm_bindgen(js_name = checkHttp)]
    pub fn check_http(
        &mut self,
        method: &str,
        url: &str,
        authorization: Option<String>,
        pomerium_authorization: Option<String>,
        now: Option<f64>,
    ) -> JsValue {
        let revision = self.core.bundle().revision();
        let request = match HttpRequest::new(method, url) {
            Ok(r) => r,
            Err(e) => return bad_request(DecisionKind::Http, e.to_string(), revision),
        };
        let token = header_token(&authorization, &pomerium_authorization);
        decision_to_js(
            &mut self.identities,
            &self.core.check_http_with(&request, token, at(now)),
        )
    }

    /// Decides a whole request: `{method, url, headers, sourceIp}` with `headers` a plain
    /// object of header names to values.
    #[wasm_bindgen(js_name = checkRequest)]
    pub fn check_request(&mut self, request: JsValue, now: Option<f64>) -> JsValue {
        let revision = self.core.bundle().revision();
        let parsed = plain_headers(&request)
            .and_then(|()| json_of(&request))
            .map_err(|e| format!("request: {e}"))
            .and_then(|text| HttpRequest::from_json(&text));
        match parsed {
            Ok(http) => decision_to_js(&mut self.identities, &self.core.check_http(&http, at(now))),
            Err(why) => bad_request(DecisionKind::Http, why, revision),
        }
    }
}

impl WasmEngine {
    /// The signature check for the token of the `Authorization` and
    /// `X-Pomerium-Authorization` header values, read as `checkHttp` reads it.
    fn headers_check<'s>(
        &'s mut self,
        authorization: &'s Option<String>,
        pomerium_authorization: &'s Option<String>,
        now: Option<f64>,
    ) -> Option<crate::token::SignatureCheck<'s, 's>> {
        let token = header_token(authorization, pomerium_authorization).ok()?;
        self.core.signature_check(token, at(now))
    }
}

/// The token of the `Authorization` and `X-Pomerium-Authorization` header values (either may
/// be absent), read as for any request.
fn header_token<'h>(
    authorization: &'h Option<String>,
    pomerium_authorization: &'h Option<String>,
) -> Result<&'h str, TokenError> {
    token_from_headers(|name| match name {
        "authorization" => authorization.as_deref(),
        "x-pomerium-authorization" => pomerium_authorization.as_deref(),
        _ => None,
    })
}

/// Bytes before the signed bytes in a packed check: its number and the signed bytes' length.
const CHECK_HEADER: u32 = 8;

/// The check's bytes for JavaScript, copied out once into one buffer (each typed array with a
/// buffer of its own costs an allocation on the host's side): the header, the signed bytes,
/// the signature. Returns it with the signed bytes' length.
fn check_bytes(check: &crate::token::SignatureCheck<'_, '_>) -> (js_sys::Uint8Array, u32) {
    // Lengths below MAX_TOKEN_BYTES (16 KiB).
    let split = check.message.len() as u32;
    let mut bytes =
        Vec::with_capacity(CHECK_HEADER as usize + check.message.len() + check.signature.len());
    bytes.extend_from_slice(&check.id.to_le_bytes());
    bytes.extend_from_slice(&split.to_le_bytes());
    bytes.extend_from_slice(check.message);
    bytes.extend_from_slice(&check.signature);
    (js_sys::Uint8Array::from(&bytes[..]), split)
}

/// `{id, alg, keys, message, signature}` as JavaScript sees it, or `undefined`.
fn signature_check_js(check: Option<crate::token::SignatureCheck<'_, '_>>) -> JsValue {
    let Some(check) = check else {
        return JsValue::UNDEFINED;
    };
    let (bytes, split) = check_bytes(&check);
    let (start, end) = (CHECK_HEADER + split, bytes.length());
    let object = js_sys::Object::new();
    let fields: [(&str, JsValue); 5] = [
        ("id", check.id.into()),
        ("alg", host_string(crate::token::algorithm_name(check.alg))),
        ("keys", host_keys(&check.keys)),
        ("message", bytes.subarray(CHECK_HEADER, start).into()),
        ("signature", bytes.subarray(start, end).into()),
    ];
    for (name, value) in fields {
        // Setting a property of a new plain object cannot fail.
        let _ = js_sys::Reflect::set(&object, &host_string(name), &value);
    }
    object.into()
}

/// `[bytes, keys, alg]` (see `signatureCheckPacked`), or `undefined`.
fn packed_check_js(check: Option<crate::token::SignatureCheck<'_, '_>>) -> JsValue {
    let Some(check) = check else {
        return JsValue::UNDEFINED;
    };
    let (bytes, _) = check_bytes(&check);
    let alg = host_string(crate::token::algorithm_name(check.alg));
    js_sys::Array::of3(&bytes, &host_keys(&check.keys), &alg).into()
}

/// Hands the signature math of public keys (RS*, PS*, ES*, EdDSA) to the host:
/// `verifier(alg, jwkJson, message, signature)` returns `true` or `false`, or anything else
/// (or throws) to leave the check to the module's own signature code. The key and the algorithm
/// are still chosen by the engine (DESIGN 1.3); HMAC stays in the module. `null` removes it. The
/// npm package installs Node's synchronous `crypto.verify` here. `message` and `signature` are
/// views of the module's memory, valid only until the verifier returns (no copy is made): a
/// verifier that keeps them must copy them.
#[wasm_bindgen(js_name = setSignatureVerifier)]
pub fn set_signature_verifier(verifier: Option<js_sys::Function>) {
    let host = verifier.map(|f| {
        let f: HostVerifierFn = f.unchecked_into();
        Box::new(
            move |alg: jsonwebtoken::Algorithm, jwk: &str, message: &[u8], signature: &[u8]| {
                let (alg, jwk) = (
                    host_string(crate::token::algorithm_name(alg)),
                    host_string(jwk),
                );
                f.call_with_views(&JsValue::NULL, &alg, &jwk, message, signature)
                    .ok()
                    .and_then(|v| v.as_bool())
            },
        ) as crate::token::crypto::HostVerifier
    });
    crate::token::crypto::set_host_verifier(host);
}

#[wasm_bindgen]
extern "C" {
    /// A bundle as JavaScript holds it: its JSON text, or its bytes as read or fetched (a
    /// `Uint8Array`, which a Node `Buffer` is, or an `ArrayBuffer`). Bytes are copied into the
    /// module as they are; text is encoded to UTF-8 on the way in (and a file read as text was
    /// decoded from UTF-8 once already). The signature of a signed bundle covers its bytes.
    #[wasm_bindgen(typescript_type = "string | Uint8Array | ArrayBuffer")]
    pub type BundleSource;

    /// The host's signature verifier (a JavaScript function).
    #[wasm_bindgen(extends = js_sys::Function)]
    type HostVerifierFn;

    /// `verifier.call(this, alg, jwk, message, signature)` with the signed bytes and the
    /// signature passed as views of the module's memory instead of copies (valid during the
    /// call only: the documented contract of `setSignatureVerifier`).
    #[wasm_bindgen(method, js_name = call, catch)]
    fn call_with_views(
        verifier: &HostVerifierFn,
        this: &JsValue,
        alg: &JsValue,
        jwk: &JsValue,
        message: &[u8],
        signature: &[u8],
    ) -> Result<JsValue, JsValue>;
}

/// JavaScript values the module hands to the host again and again, made once each and kept
/// by the content they were made from (compared in full), at most `max` (all dropped when
/// full): the same value crosses every time instead of being made anew.
struct HostValues<K> {
    entries: Vec<(K, JsValue)>,
    max: usize,
}

impl<K> HostValues<K> {
    fn new(max: usize) -> Self {
        HostValues {
            entries: Vec::new(),
            max,
        }
    }
}

/// The value kept in `cache` for what `found` recognizes, else the one `make` makes, kept under
/// `key()` (a re-entrant call, finding the cache borrowed, gets a new one, not kept).
fn cached<K: 'static>(
    cache: &'static std::thread::LocalKey<std::cell::RefCell<HostValues<K>>>,
    found: impl Fn(&K) -> bool,
    key: impl FnOnce() -> K,
    make: impl FnOnce() -> JsValue,
) -> JsValue {
    cache.with(|cache| {
        let Ok(mut cache) = cache.try_borrow_mut() else {
            return make();
        };
        if let Some((_, value)) = cache.entries.iter().find(|(k, _)| found(k)) {
            return value.clone();
        }
        if cache.entries.len() >= cache.max {
            cache.entries.clear();
        }
        let value = make();
        cache.entries.push((key(), value.clone()));
        value
    })
}

thread_local! {
    /// The strings of the few algorithm names, keys (JWK text) and property names handed to
    /// the host (the verifier, `signatureCheck`): a key crosses as the same string every time
    /// instead of being decoded anew (and hashed anew by the host's key cache).
    static HOST_STRINGS: std::cell::RefCell<HostValues<Box<str>>> =
        std::cell::RefCell::new(HostValues::new(64));
    /// The keys of a check as one frozen array of JWK texts, made once for each set of keys
    /// the engine chooses.
    static HOST_KEY_SETS: std::cell::RefCell<HostValues<Vec<Box<str>>>> =
        std::cell::RefCell::new(HostValues::new(16));
}

/// The JavaScript string of `text`, from [`HOST_STRINGS`].
fn host_string(text: &str) -> JsValue {
    cached(
        &HOST_STRINGS,
        |t| same_bytes(t.as_bytes(), text.as_bytes()),
        || text.into(),
        || JsValue::from_str(text),
    )
}

/// The frozen JavaScript array of `keys`, from [`HOST_KEY_SETS`].
fn host_keys(keys: &[&str]) -> JsValue {
    cached(
        &HOST_KEY_SETS,
        |set| {
            set.len() == keys.len()
                && set
                    .iter()
                    .zip(keys)
                    .all(|(a, b)| same_bytes(a.as_bytes(), b.as_bytes()))
        },
        || keys.iter().map(|k| Box::from(*k)).collect(),
        || {
            let array = js_sys::Array::new();
            for key in keys {
                array.push(&host_string(key));
            }
            js_sys::Object::freeze(&array).into()
        },
    )
}
