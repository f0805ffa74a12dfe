//! The policy bundle: parse, validate with precise paths, index once, check the signature.
//!
//! [`Bundle::from_json`] is the only way to get a [`Bundle`]; what it returns is consistent
//! (every reference resolves, every key and policy compiled), so the decision path never
//! meets a dangling name and never scans the whole document.

mod error;
mod locate;
mod namespaces;
pub mod schema;
pub mod signature;
pub(crate) mod source;

use foldhash::{HashMap, HashMapExt, HashSet};

pub(crate) use error::At;
pub use error::{BundleError, Problem, Problems};
pub use namespaces::NamespaceTree;
use schema::{AccountKind, BundleDocument, Directory, SCHEMA_VERSION};
use source::ServiceAccount;

use crate::names::{check_dns1123_label, service_account_username};
use crate::policy::RouteTable;
use crate::rbac::Rbac;
use crate::time::UnixTime;
use crate::token::KeyRing;

/// Leeway for `exp`, `nbf` and `iat` when the bundle sets none.
pub const DEFAULT_LEEWAY_SECONDS: u32 = 60;

/// The largest `revision` (2^53 - 1): every decision carries it, and JavaScript reads it as a
/// number, exactly only up to this.
const MAX_REVISION: u64 = (1 << 53) - 1;

/// A service account as the decision path needs it.
#[derive(Debug, Clone)]
pub struct Account {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Stable uid.
    pub uid: String,
    /// Unique or impersonating.
    pub kind: AccountKind,
    /// Pomerium's User ID: the account's id (unique) or the impersonated user's id.
    pub user_id: String,
    /// `system:serviceaccount:<ns>:<name>`.
    pub username: String,
    /// When every token of the account stops working.
    pub expires_at: Option<UnixTime>,
    /// Secrets of live legacy tokens.
    pub secrets: HashSet<String>,
}

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
    accounts: Vec<Account>,
    by_namespace: HashMap<String, HashMap<String, usize>>,
    by_uid: HashMap<String, usize>,
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
        let (accounts, by_namespace, by_uid) =
            index_accounts(&service_accounts, &namespaces, &mut problems);
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
            by_namespace,
            by_uid,
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
    pub fn account(&self, namespace: &str, name: &str) -> Option<&Account> {
        let i = *self.by_namespace.get(namespace)?.get(name)?;
        self.accounts.get(i)
    }

    /// The account with this uid (a Pomerium token's `jti`).
    pub fn account_by_uid(&self, uid: &str) -> Option<&Account> {
        self.accounts.get(*self.by_uid.get(uid)?)
    }

    /// All accounts, in bundle order.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
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

type AccountIndexes = (
    Vec<Account>,
    HashMap<String, HashMap<String, usize>>,
    HashMap<String, usize>,
);

fn index_accounts(
    service_accounts: &[ServiceAccount<'_>],
    namespaces: &NamespaceTree,
    problems: &mut Problems,
) -> AccountIndexes {
    let count = service_accounts.len();
    let mut accounts = Vec::with_capacity(count);
    let mut by_namespace: HashMap<String, HashMap<String, usize>> = HashMap::new();
    let mut by_uid = HashMap::with_capacity(count);
    let mut secret_owner: HashMap<(&str, &str), usize> = HashMap::with_capacity(count);
    for (i, sa) in service_accounts.iter().enumerate() {
        let at = |field: &str| format!("service_accounts[{i}].{field}");
        if let Err(why) = check_dns1123_label(&sa.name) {
            problems.push(at("name"), why);
        }
        if !namespaces.contains(&sa.namespace) {
            problems.push(
                at("namespace"),
                format!("{:?} is not a defined namespace", sa.namespace),
            );
        }
        if sa.uid.is_empty() {
            problems.push(at("uid"), "must not be empty");
        }
        let username = service_account_username(&sa.namespace, &sa.name);
        let user_id = match (sa.kind, &sa.impersonate, &sa.id) {
            (AccountKind::Unique, None, id) => id
                .as_ref()
                .map_or_else(|| username.clone(), |id| id.to_string()),
            (AccountKind::Unique, Some(user), _) => {
                problems.push(
                    at("impersonate"),
                    format!(
                        "{user:?} given for a unique account (expected kind \"impersonating\")"
                    ),
                );
                String::new()
            }
            (AccountKind::Impersonating, None, _) => {
                problems.push(
                    at("impersonate"),
                    "missing: an impersonating account names the directory user it acts as",
                );
                String::new()
            }
            (AccountKind::Impersonating, Some(_), Some(id)) => {
                problems.push(
                    at("id"),
                    format!("{id:?} given for an impersonating account (its id is the impersonated user's)"),
                );
                String::new()
            }
            (AccountKind::Impersonating, Some(user), None) => user.to_string(),
        };
        let expires_at = sa
            .expires_at
            .as_deref()
            .and_then(|t| parse_time(t, || at("expires_at"), problems));
        for (j, secret) in sa.secrets.iter().enumerate() {
            if let Some(other) = secret_owner.insert((&sa.namespace, &**secret), i) {
                problems.push(
                    format!("service_accounts[{i}].secrets[{j}]"),
                    format!("{secret:?} already belongs to service_accounts[{other}]"),
                );
            }
        }
        let index = accounts.len();
        let in_namespace = match by_namespace.get_mut(&*sa.namespace) {
            Some(names) => names,
            None => by_namespace.entry(sa.namespace.to_string()).or_default(),
        };
        if in_namespace.insert(sa.name.to_string(), index).is_some() {
            problems.push(
                at("name"),
                format!(
                    "{:?} is defined twice in namespace {:?}",
                    sa.name, sa.namespace
                ),
            );
        }
        if !sa.uid.is_empty() && by_uid.insert(sa.uid.to_string(), index).is_some() {
            problems.push(
                at("uid"),
                format!("{:?} is used by another account", sa.uid),
            );
        }
        accounts.push(Account {
            namespace: sa.namespace.to_string(),
            name: sa.name.to_string(),
            uid: sa.uid.to_string(),
            kind: sa.kind,
            user_id,
            username,
            expires_at,
            secrets: sa.secrets.iter().map(|s| s.to_string()).collect(),
        });
    }
    (accounts, by_namespace, by_uid)
}
