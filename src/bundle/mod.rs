//! The policy bundle: parse, validate with precise paths, index once, check the signature.
//!
//! [`Bundle::from_json`] is the only way to get a [`Bundle`]; what it returns is consistent
//! (every reference resolves, every key and policy compiled), so the decision path never
//! meets a dangling name and never scans the whole document.

mod accounts;
mod error;
mod load;
mod namespaces;
mod scan;
pub mod schema;
mod sections;
pub mod signature;
pub(crate) mod source;
pub(crate) mod strings;

use foldhash::{HashMap, HashSet};

pub use accounts::Account;
use accounts::Accounts;
pub(crate) use error::At;
pub use error::{BundleError, Problem, Problems};
use load::Loading;
pub use namespaces::NamespaceTree;
use schema::BundleDocument;

use crate::policy::RouteTable;
use crate::rbac::Rbac;
use crate::time::UnixTime;
use crate::token::KeyRing;

/// Leeway for `exp`, `nbf` and `iat` when the bundle sets none.
pub const DEFAULT_LEEWAY_SECONDS: u32 = 60;

/// The largest `revision` (2^53 - 1): every decision carries it, and JavaScript reads it as a
/// number, exactly only up to this.
pub(crate) const MAX_REVISION: u64 = (1 << 53) - 1;

/// A directory user, with group ids resolved to names.
#[derive(Debug, Clone)]
pub struct User {
    /// Id.
    pub id: String,
    /// Email.
    pub email: Option<String>,
    /// Group ids.
    pub group_ids: Vec<String>,
    /// Group names, in the same order.
    pub group_names: Vec<String>,
}

/// A loaded, validated and indexed bundle.
#[derive(Debug)]
pub struct Bundle {
    revision: u64,
    issued_at: UnixTime,
    expires_at: Option<UnixTime>,
    leeway: u32,
    namespaces: NamespaceTree,
    accounts: Accounts,
    users: HashMap<String, User>,
    revoked: HashSet<String>,
    keys: KeyRing,
    rbac: Rbac,
    routes: RouteTable,
}

impl Bundle {
    /// Parses and validates a bundle document, reporting every problem with its path.
    pub fn from_json(bytes: &[u8]) -> Result<Bundle, BundleError> {
        scan::load(bytes)
    }

    /// Validates and indexes an already parsed document.
    pub fn from_document(document: BundleDocument) -> Result<Bundle, BundleError> {
        Loading::document(source::BundleDocument::borrowing(&document))
    }

    /// The bundle's revision.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// When it was built.
    pub fn issued_at(&self) -> UnixTime {
        self.issued_at
    }

    /// When it stops being usable.
    pub fn expires_at(&self) -> Option<UnixTime> {
        self.expires_at
    }

    /// Refuses the bundle if it has expired at `now`.
    pub fn check_fresh(&self, now: UnixTime) -> Result<(), BundleError> {
        match self.expires_at {
            Some(t) if !self.is_fresh(now) => Err(BundleError::Expired {
                expires_at: t.to_string(),
                now: now.to_string(),
            }),
            _ => Ok(()),
        }
    }

    /// Whether the bundle is still fresh at `now` ([`Bundle::check_fresh`] without the error).
    #[inline(always)]
    pub fn is_fresh(&self, now: UnixTime) -> bool {
        self.expires_at.is_none_or(|t| now < t)
    }

    /// Leeway for token times, in seconds.
    pub fn leeway(&self) -> u32 {
        self.leeway
    }

    /// The namespace tree.
    pub fn namespaces(&self) -> &NamespaceTree {
        &self.namespaces
    }

    /// The account `namespace/name`.
    pub fn account(&self, namespace: &str, name: &str) -> Option<Account<'_>> {
        self.accounts.get(namespace, name)
    }

    /// The account with this uid (a Pomerium token's `jti`).
    pub fn account_by_uid(&self, uid: &str) -> Option<Account<'_>> {
        self.accounts.by_uid(uid)
    }

    /// All accounts, in bundle order.
    pub fn accounts(&self) -> impl Iterator<Item = Account<'_>> {
        self.accounts.iter()
    }

    /// A directory user.
    pub fn directory_user(&self, id: &str) -> Option<&User> {
        self.users.get(id)
    }

    /// Whether a token id is revoked.
    pub fn is_revoked(&self, token_id: &str) -> bool {
        self.revoked.contains(token_id)
    }

    /// The issuers' keys.
    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// The RBAC authorizer.
    pub fn rbac(&self) -> &Rbac {
        &self.rbac
    }

    /// The routes.
    pub fn routes(&self) -> &RouteTable {
        &self.routes
    }
}

/// Parses the JSON into the schema's types with serde, naming the path of the first shape error
/// (the CLI's reading; [`Bundle::from_json`] reads the text itself, the same way).
pub fn parse_document(bytes: &[u8]) -> Result<BundleDocument, BundleError> {
    serde_json::from_slice(bytes).map_err(|e| parse_error(bytes, &e))
}

fn parse_error(bytes: &[u8], e: &serde_json::Error) -> BundleError {
    let (path, message) = crate::json::locate::serde_error(bytes, e);
    BundleError::Parse { path, message }
}
