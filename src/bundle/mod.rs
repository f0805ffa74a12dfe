//! The policy bundle: parse, validate with precise paths, index once, check the signature.
//!
//! [`Bundle::from_json`] is the only way to get a [`Bundle`]; what it returns is consistent
//! (every reference resolves, every key and policy compiled), so the decision path never
//! meets a dangling name and never scans the whole document.

mod accounts;
mod error;
mod locate;
mod namespaces;
pub mod schema;
pub mod signature;
pub(crate) mod source;
pub(crate) mod strings;

use foldhash::{HashMap, HashMapExt, HashSet};

pub use accounts::Account;
use accounts::Accounts;
pub(crate) use error::At;
pub use error::{BundleError, Problem, Problems};
pub use namespaces::NamespaceTree;
use schema::{BundleDocument, Directory, SCHEMA_VERSION};

use crate::policy::RouteTable;
use crate::rbac::Rbac;
use crate::time::UnixTime;
use crate::token::KeyRing;

/// Leeway for `exp`, `nbf` and `iat` when the bundle sets none.
pub const DEFAULT_LEEWAY_SECONDS: u32 = 60;

/// The largest `revision` (2^53 - 1): every decision carries it, and JavaScript reads it as a
/// number, exactly only up to this.
const MAX_REVISION: u64 = (1 << 53) - 1;

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
        Bundle::from_source(parse_source(bytes)?)
    }

    /// Validates and indexes an already parsed document.
    pub fn from_document(document: BundleDocument) -> Result<Bundle, BundleError> {
        Bundle::from_source(source::BundleDocument::borrowing(&document))
    }

    fn from_source(source: source::BundleDocument<'_>) -> Result<Bundle, BundleError> {
        let source::BundleDocument {
            version,
            revision,
            issued_at,
            expires_at,
            settings,
            issuers,
            namespaces,
            directory,
            service_accounts,
            revocations,
            roles,
            cluster_roles,
            role_bindings,
            cluster_role_bindings,
            routes,
        } = source;
        if version != SCHEMA_VERSION {
            return Err(BundleError::UnsupportedVersion {
                found: version,
                expected: SCHEMA_VERSION,
            });
        }
        let mut problems = Problems::default();
        if revision > MAX_REVISION {
            problems.push(
                "revision",
                format!(
                    "{revision} is larger than {MAX_REVISION} (2^53 - 1), the largest integer JavaScript reads exactly"
                ),
            );
        }
        let issued_at =
            parse_time(&issued_at, || "issued_at".into(), &mut problems).unwrap_or(UnixTime(0));
        let expires_at = expires_at
            .as_deref()
            .and_then(|t| parse_time(t, || "expires_at".into(), &mut problems));
        let namespaces = NamespaceTree::build(&namespaces, &mut problems);
        let users = index_directory(directory.into_owned(), &mut problems);
        let accounts = Accounts::build(&service_accounts, &namespaces, &mut problems);
        // The longest list is done with: its memory serves the indexes built next.
        drop(service_accounts);
        let revoked = revocations.iter().map(|r| r.id.to_string()).collect();
        drop(revocations);
        let keys = KeyRing::compile(&issuers, &settings, &mut problems);
        let rbac = Rbac::compile_source(
            &roles,
            &cluster_roles,
            &role_bindings,
            &cluster_role_bindings,
            &namespaces,
            &mut problems,
        );
        drop((role_bindings, cluster_role_bindings));
        let routes = RouteTable::compile(&routes, &namespaces, &mut problems);
        let leeway = settings.leeway_seconds.unwrap_or(DEFAULT_LEEWAY_SECONDS);
        problems.into_result(Bundle {
            revision,
            issued_at,
            expires_at,
            leeway,
            namespaces,
            accounts,
            users,
            revoked,
            keys,
            rbac,
            routes,
        })
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
            Some(t) if now >= t => Err(BundleError::Expired {
                expires_at: t.to_string(),
                now: now.to_string(),
            }),
            _ => Ok(()),
        }
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

/// Parses the JSON, naming the path of the first shape error.
pub fn parse_document(bytes: &[u8]) -> Result<BundleDocument, BundleError> {
    serde_json::from_slice(bytes).map_err(|e| parse_error(bytes, &e))
}

/// Parses the JSON as loading reads it (see `source.rs`), refusing it as [`parse_document`]
/// does.
fn parse_source(bytes: &[u8]) -> Result<source::BundleDocument<'_>, BundleError> {
    serde_json::from_slice(bytes).map_err(|e| parse_error(bytes, &e))
}

fn parse_error(bytes: &[u8], e: &serde_json::Error) -> BundleError {
    let offset = locate::offset_of(bytes, e.line(), e.column());
    BundleError::Parse {
        path: locate::path_at(bytes, offset),
        message: e.to_string(),
    }
}

/// `path` is formatted only if the time does not parse.
fn parse_time(
    text: &str,
    path: impl FnOnce() -> String,
    problems: &mut Problems,
) -> Option<UnixTime> {
    UnixTime::parse_rfc3339(text)
        .map_err(|e| problems.push(path(), e.to_string()))
        .ok()
}

fn index_directory(directory: Directory, problems: &mut Problems) -> HashMap<String, User> {
    let mut group_names = HashMap::new();
    for (i, g) in directory.groups.iter().enumerate() {
        if group_names.insert(g.id.as_str(), g.name.as_str()).is_some() {
            problems.push(
                format!("directory.groups[{i}].id"),
                format!("{:?} is defined twice", g.id),
            );
        }
    }
    let mut users = HashMap::new();
    for (i, u) in directory.users.into_iter().enumerate() {
        if u.id.is_empty() {
            problems.push(format!("directory.users[{i}].id"), "must not be empty");
        }
        let mut names = Vec::new();
        for (j, gid) in u.groups.iter().enumerate() {
            match group_names.get(gid.as_str()) {
                Some(name) => names.push((*name).to_string()),
                None => problems.push(
                    format!("directory.users[{i}].groups[{j}]"),
                    format!("{gid:?} is not a group of directory.groups"),
                ),
            }
        }
        let user = User {
            id: u.id.clone(),
            email: u.email,
            group_ids: u.groups,
            group_names: names,
        };
        if let Some(twice) = users.insert(u.id, user) {
            problems.push(
                format!("directory.users[{i}].id"),
                format!("{:?} is defined twice", twice.id),
            );
        }
    }
    users
}
