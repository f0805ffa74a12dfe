//! The control plane behind the `tessera` command-line tool (native only): a local state
//! directory holding the bundle-to-be and the private keys, the operations administrators run
//! on it (namespaces, service accounts and their tokens, directory users, RBAC, routes,
//! import of Kubernetes objects), and building the signed bundle.
//!
//! The binary (`src/bin/tessera.rs`) only parses arguments and prints; everything it does is
//! here. Every decision the CLI makes (`whoami`, `auth can-i`, `check`) goes through
//! [`build::document_for`] and the ordinary [`crate::Engine`], the very document `bundle build`
//! writes, so the CLI can never disagree with the bundle.
//!
//! - `store.rs`: the state directory (`state.json`, `keys/`), atomic writes;
//! - `init.rs`: a new state with its issuers, keys and the bootstrap roles (`bootstrap.json`);
//! - `namespaces.rs`, `accounts.rs`, `tokens.rs`, `revocations.rs`, `directory.rs`, `roles.rs`,
//!   `bindings.rs`, `routes.rs`, `import.rs`: the operations;
//! - `build.rs`: the bundle, its signature and its verification; `decide.rs`: the questions;
//! - `when.rs`: `--expires` / `--duration` values; `ids.rs`: uids and secret names;
//! - `output.rs`: readable tables.

pub mod accounts;
pub mod bindings;
pub mod build;
pub mod decide;
pub mod directory;
mod error;
pub mod ids;
pub mod import;
pub mod init;
pub mod namespaces;
pub mod output;
pub mod policy;
pub mod resources;
pub mod revocations;
pub mod roles;
pub mod routes;
pub mod store;
pub mod tokens;
pub mod when;

pub use error::AdminError;
pub use store::State;

/// The result of an admin operation.
pub type Result<T> = std::result::Result<T, AdminError>;
