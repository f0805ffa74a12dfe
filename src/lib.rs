//! tessera: verify a service-account token, work out who the caller is, and decide whether the
//! request may proceed, against a signed policy bundle fetched ahead of time.
//!
//! See `docs/` for the bundle schema and the semantics, which follow Pomerium service accounts
//! and OpenShift/Kubernetes service accounts and RBAC.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod bundle;
pub mod identity;
pub mod names;
pub mod policy;
pub mod rbac;
pub mod time;
pub mod token;

pub use bundle::schema;
