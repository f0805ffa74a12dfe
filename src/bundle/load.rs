//! Loading a document section by section: each section is checked and indexed as soon as what
//! it depends on is known (accounts need the namespaces; bindings the namespaces and roles), so
//! the long lists can be taken one item at a time, straight from the text (`scan.rs`). Problems
//! are kept per phase and reported in the phases' order, whatever the order of the sections in
//! the document: the same list, in the same order, as checking the whole document at once.

use std::borrow::Cow;

use foldhash::{HashMap, HashMapExt, HashSet};

use super::accounts::{Accounts, AccountsBuilder};
use super::error::{At, BundleError, Problems};
use super::namespaces::NamespaceTree;
use super::schema::{ClusterRole, Directory, Issuer, Namespace, Role, Route, Settings};
use super::source::{self, ClusterRoleBinding, RoleBinding, ServiceAccount, Str};
use super::{Bundle, User, DEFAULT_LEEWAY_SECONDS, MAX_REVISION};
use crate::names::SERVICE_ACCOUNT_USER_PREFIX;
use crate::policy::RouteTable;
use crate::rbac::{BindingsBuilder, Rbac, RoleTable};
use crate::schema::SCHEMA_VERSION;
use crate::time::UnixTime;
use crate::token::KeyRing;

/// The phases of loading, in the order their problems are reported.
#[derive(Debug, Clone, Copy)]
enum Phase {
    Document,
    Namespaces,
    Directory,
    Accounts,
    Keys,
    Roles,
    ClusterRoleBindings,
    RoleBindings,
    Routes,
}

const PHASES: usize = 9;

/// The document's scalars.
#[derive(Debug, Clone)]
pub(crate) struct Head<'a> {
    pub(crate) version: u32,
    pub(crate) revision: u64,
    pub(crate) issued_at: Str<'a>,
    pub(crate) expires_at: Option<Str<'a>>,
}

/// A document being loaded.
#[derive(Debug, Default)]
pub(crate) struct Loading<'a> {
    problems: [Problems; PHASES],
    settings: Option<Cow<'a, Settings>>,
    issuers: Option<Cow<'a, [Issuer]>>,
    namespaces: Option<NamespaceTree>,
    users: Option<HashMap<String, User>>,
    accounts: Option<AccountsBuilder>,
    accounts_done: Option<Accounts>,
    revoked: HashSet<String>,
    roles: Option<Cow<'a, [Role]>>,
    cluster_roles: Option<Cow<'a, [ClusterRole]>>,
    role_table: Option<RoleTable>,
    bindings: BindingsBuilder,
    routes: Option<Cow<'a, [Route]>>,
}

impl<'a> Loading<'a> {
    fn problems(&mut self, phase: Phase) -> &mut Problems {
        // INVARIANT: `Phase` has `PHASES` variants, the last `PHASES - 1`.
        &mut self.problems[phase as usize]
    }

    /// The verification settings.
    pub(crate) fn settings(&mut self, settings: Cow<'a, Settings>) {
        self.settings = Some(settings);
    }

    /// The issuers.
    pub(crate) fn issuers(&mut self, issuers: Cow<'a, [Issuer]>) {
        self.issuers = Some(issuers);
    }

    /// The namespace tree.
    pub(crate) fn namespaces(&mut self, namespaces: &[Namespace]) {
        let tree = NamespaceTree::build(namespaces, self.problems(Phase::Namespaces));
        self.namespaces = Some(tree);
    }

    /// Whether the namespaces are known (accounts can be checked).
    pub(crate) fn has_namespaces(&self) -> bool {
        self.namespaces.is_some()
    }

    /// The directory.
    pub(crate) fn directory(&mut self, directory: Directory) {
        let users = index_directory(directory, self.problems(Phase::Directory));
        self.users = Some(users);
    }

    /// Expects about `count` accounts whose strings take about `bytes` bytes (a size hint).
    pub(crate) fn expect_accounts(&mut self, count: usize, bytes: usize) {
        self.accounts = Some(AccountsBuilder::with_capacity(count, bytes));
    }

    /// `service_accounts[i]`, once the namespaces are known (if they are not, there are none).
    pub(crate) fn account(&mut self, i: usize, sa: &ServiceAccount<'_>) {
        let namespaces = self.namespaces.get_or_insert_with(NamespaceTree::default);
        let accounts = self.accounts.get_or_insert_with(AccountsBuilder::default);
        // INVARIANT: as in `problems`.
        accounts.add(
            i,
            sa,
            namespaces,
            &mut self.problems[Phase::Accounts as usize],
        );
    }

    /// The accounts are all read: their tables are finished (and the memory building them
    /// needed serves what comes next).
    pub(crate) fn end_accounts(&mut self) {
        if let Some(builder) = self.accounts.take() {
            self.accounts_done = Some(builder.finish());
        }
    }

    /// A revoked token id.
    pub(crate) fn revocation(&mut self, id: &str) {
        self.revoked.insert(id.to_string());
    }

    /// The Roles.
    pub(crate) fn roles(&mut self, roles: Cow<'a, [Role]>) {
        self.roles = Some(roles);
    }

    /// The ClusterRoles.
    pub(crate) fn cluster_roles(&mut self, cluster_roles: Cow<'a, [ClusterRole]>) {
        self.cluster_roles = Some(cluster_roles);
    }

    /// Whether bindings can be checked: the namespaces, Roles and ClusterRoles are known (the
    /// roles are compiled then, once).
    pub(crate) fn ready_for_bindings(&mut self) -> bool {
        if self.role_table.is_some() {
            return true;
        }
        let (Some(namespaces), Some(roles), Some(cluster_roles)) =
            (&self.namespaces, &self.roles, &self.cluster_roles)
        else {
            return false;
        };
        // INVARIANT: as in `problems`.
        let problems = &mut self.problems[Phase::Roles as usize];
        let table = RoleTable::compile(roles, cluster_roles, namespaces, problems);
        self.role_table = Some(table);
        true
    }

    /// `cluster_role_bindings[i]`, once [`Loading::ready_for_bindings`] (sections not read by
    /// then count as absent).
    pub(crate) fn cluster_role_binding(&mut self, i: usize, b: &ClusterRoleBinding<'_>) {
        if !self.ready_for_bindings() {
            self.all_known();
        }
        let (Some(namespaces), Some(roles)) = (&self.namespaces, &self.role_table) else {
            return;
        };
        // INVARIANT: as in `problems`.
        let problems = &mut self.problems[Phase::ClusterRoleBindings as usize];
        self.bindings
            .cluster_role_binding(i, b, namespaces, roles, problems);
    }

    /// `role_bindings[i]`, once [`Loading::ready_for_bindings`] (sections not read by then
    /// count as absent).
    pub(crate) fn role_binding(&mut self, i: usize, b: &RoleBinding<'_>) {
        if !self.ready_for_bindings() {
            self.all_known();
        }
        let (Some(namespaces), Some(roles)) = (&self.namespaces, &self.role_table) else {
            return;
        };
        // INVARIANT: as in `problems`.
        let problems = &mut self.problems[Phase::RoleBindings as usize];
        self.bindings
            .role_binding(i, b, namespaces, roles, problems);
    }

    /// The routes.
    pub(crate) fn routes(&mut self, routes: Cow<'a, [Route]>) {
        self.routes = Some(routes);
    }

    /// The whole document has been read: the sections it does not have are empty.
    pub(crate) fn all_known(&mut self) {
        if self.namespaces.is_none() {
            self.namespaces(&[]);
        }
        self.roles.get_or_insert(Cow::Borrowed(&[]));
        self.cluster_roles.get_or_insert(Cow::Borrowed(&[]));
        self.ready_for_bindings();
    }

    /// Loads a whole parsed document, section by section in the phases' order.
    pub(crate) fn document(doc: source::BundleDocument<'a>) -> Result<Bundle, BundleError> {
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
        } = doc;
        let head = Head {
            version,
            revision,
            issued_at,
            expires_at,
        };
        if version != SCHEMA_VERSION {
            return Loading::default().finish(head);
        }
        let mut loading = Loading::default();
        loading.settings(settings);
        loading.issuers(issuers);
        loading.namespaces(&namespaces);
        loading.directory(directory.into_owned());
        let bytes = service_accounts.iter().map(AccountsBuilder::text_len).sum();
        loading.expect_accounts(service_accounts.len(), bytes);
        for (i, sa) in service_accounts.iter().enumerate() {
            loading.account(i, sa);
        }
        loading.end_accounts();
        // The longest list is done with: its memory serves the indexes built next.
        drop(service_accounts);
        for r in &revocations {
            loading.revocation(&r.id);
        }
        loading.roles(roles);
        loading.cluster_roles(cluster_roles);
        for (i, b) in cluster_role_bindings.iter().enumerate() {
            loading.cluster_role_binding(i, b);
        }
        for (i, b) in role_bindings.iter().enumerate() {
            loading.role_binding(i, b);
        }
        drop((role_bindings, cluster_role_bindings));
        loading.routes(routes);
        loading.finish(head)
    }

    /// Checks the scalars, compiles the keys and routes, and makes the bundle, or reports
    /// every problem found.
    pub(crate) fn finish(mut self, head: Head<'_>) -> Result<Bundle, BundleError> {
        if head.version != SCHEMA_VERSION {
            return Err(BundleError::UnsupportedVersion {
                found: head.version,
                expected: SCHEMA_VERSION,
            });
        }
        self.all_known();
        self.end_accounts();
        if let Some(accounts) = &self.accounts_done {
            let users = self.users.as_ref();
            // INVARIANT: as in `problems`.
            let problems = &mut self.problems[Phase::Accounts as usize];
            check_given_ids(accounts, users, problems);
        }
        let rbac = Rbac::from_parts(
            self.role_table.take().unwrap_or_default(),
            std::mem::take(&mut self.bindings).finish(),
        );
        let revision = head.revision;
        let problems = self.problems(Phase::Document);
        if revision > MAX_REVISION {
            problems.push(
                "revision",
                format!(
                    "{revision} is larger than {MAX_REVISION} (2^53 - 1), the largest integer JavaScript reads exactly"
                ),
            );
        }
        let issued_at = parse_time(&head.issued_at, "issued_at", problems).unwrap_or(UnixTime(0));
        let expires_at = head
            .expires_at
            .as_deref()
            .and_then(|t| parse_time(t, "expires_at", problems));
        let settings = self.settings.take().unwrap_or_default();
        let issuers = self.issuers.take().unwrap_or_default();
        let keys = KeyRing::compile(&issuers, &settings, self.problems(Phase::Keys));
        let namespaces = self.namespaces.take().unwrap_or_default();
        let routes = self.routes.take().unwrap_or_default();
        let routes = RouteTable::compile(&routes, &namespaces, self.problems(Phase::Routes));
        let mut all = Problems::default();
        for phase in self.problems {
            all.append(phase);
        }
        all.into_result(Bundle {
            revision,
            issued_at,
            expires_at,
            leeway: settings.leeway_seconds.unwrap_or(DEFAULT_LEEWAY_SECONDS),
            namespaces,
            accounts: self.accounts_done.unwrap_or_default(),
            users: self.users.unwrap_or_default(),
            revoked: self.revoked,
            keys,
            rbac,
            routes,
        })
    }
}

/// A unique account's given User ID (`id`) is its own, as Pomerium asks ("give the service
/// account a unique User ID, or select an existing user to impersonate"): not a directory
/// user's (PPL's `user` criterion would take the account for that user without impersonation),
/// not another account's id or user name.
fn check_given_ids(
    accounts: &Accounts,
    users: Option<&HashMap<String, User>>,
    problems: &mut Problems,
) {
    // A set of the kind the revocations are kept in (one copy of its code in the module).
    let mut seen: HashSet<String> = HashSet::default();
    for (i, id) in accounts.given_ids() {
        let clash = if users.is_some_and(|u| u.contains_key(id)) {
            "a directory user's id (impersonate that user instead)"
        } else if !seen.insert(id.to_string()) {
            "another account's id"
        } else if id
            .strip_prefix(SERVICE_ACCOUNT_USER_PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(namespace, name)| accounts.get(namespace, name).is_some())
        {
            "another account's user name"
        } else {
            continue;
        };
        problems.push(
            At::new("service_accounts", i).field("id"),
            format!("{id:?} is {clash}: a unique account's User ID must be its own"),
        );
    }
}

fn parse_time(text: &str, path: &str, problems: &mut Problems) -> Option<UnixTime> {
    UnixTime::parse_rfc3339(text)
        .map_err(|e| problems.push(path, e.to_string()))
        .ok()
}

/// A directory name may not begin with `system:`: an impersonating account is its user, with
/// the user's group names as its groups, and RBAC would take such a name for the Kubernetes
/// user or group it spells (a service account, `system:masters`).
fn check_not_reserved(name: &str, path: impl FnOnce() -> String, problems: &mut Problems) {
    if name.starts_with("system:") {
        problems.push(
            path(),
            format!("{name:?} begins with \"system:\", which Kubernetes reserves (an impersonating account would hold that system user's or group's grants)"),
        );
    }
}

fn index_directory(directory: Directory, problems: &mut Problems) -> HashMap<String, User> {
    let mut group_names = HashMap::new();
    for (i, g) in directory.groups.iter().enumerate() {
        check_not_reserved(&g.name, || format!("directory.groups[{i}].name"), problems);
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
        check_not_reserved(&u.id, || format!("directory.users[{i}].id"), problems);
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
