//! tessera: verify a service-account token, work out who the caller is, and decide whether the
//! request may proceed, against a signed policy bundle fetched ahead of time.
//!
//! See `docs/` for the bundle schema and the semantics, which follow Pomerium service accounts
//! and OpenShift/Kubernetes service accounts and RBAC.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(not(target_arch = "wasm32"))]
pub mod admin;
pub mod bundle;
pub mod cache;
pub mod decision;
pub mod engine;
pub mod identity;
mod json;
pub mod names;
pub mod policy;
pub mod rbac;
pub mod request;
pub mod time;
pub mod token;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use bundle::schema;
pub use bundle::{Bundle, BundleError};
pub use decision::{AuthError, Decision};
pub use engine::Engine;
pub use identity::{Identity, TokenReviewStatus};
pub use request::HttpRequest;
pub use time::UnixTime;

/// The wasm module's allocator: talc, which grows the module's memory as it needs (Cargo.toml
/// says why it replaces the standard library's dlmalloc).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
