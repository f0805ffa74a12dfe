//! The service accounts of a bundle: checked once, then kept compactly (their strings in one
//! buffer) and found by `namespace/name` or by uid.

use super::error::{At, Problems};
use super::namespaces::NamespaceTree;
use super::schema::AccountKind;
use super::source::ServiceAccount;
use super::strings::{Index, Span, Strings};
use crate::names::{check_dns1123_label, SERVICE_ACCOUNT_USER_PREFIX};
use crate::time::UnixTime;

/// A service account as the decision path needs it (borrowed from the bundle).
#[derive(Debug, Clone, Copy)]
pub struct Account<'b> {
    /// Namespace.
    pub namespace: &'b str,
    /// Name.
    pub name: &'b str,
    /// Stable uid.
    pub uid: &'b str,
    /// Unique or impersonating.
    pub kind: AccountKind,
    /// Pomerium's User ID: the account's id (unique) or the impersonated user's id.
    pub user_id: &'b str,
    /// `system:serviceaccount:<ns>:<name>`.
    pub username: &'b str,
    /// When every token of the account stops working.
    pub expires_at: Option<UnixTime>,
    strings: &'b Strings,
    /// The secrets of live legacy tokens, sorted.
    secrets: &'b [Span],
}

impl Account<'_> {
    /// Whether `secret` names a live legacy token of the account.
    pub fn has_secret(&self, secret: &str) -> bool {
        self.secrets
            .binary_search_by(|s| self.strings.get(*s).cmp(secret))
            .is_ok()
    }
}

/// One account, as kept.
#[derive(Debug, Clone, Copy)]
struct Row {
    /// `system:serviceaccount:<ns>:<name>`: the namespace and name are parts of it.
    username: Span,
    namespace_len: usize,
    uid: Span,
    user_id: Span,
    /// Where its secrets are in [`Accounts::secrets`].
    secrets: (usize, usize),
    expires_at: Option<UnixTime>,
    kind: AccountKind,
}

/// The accounts of a bundle, in bundle order, indexed by `namespace/name` and by uid.
#[derive(Debug, Default)]
pub(crate) struct Accounts {
    strings: Strings,
    rows: Vec<Row>,
    secrets: Vec<Span>,
    /// Row numbers by `(namespace, name)`.
    by_name: Index,
    /// Row numbers by uid.
    by_uid: Index,
}

/// Accounts being checked and indexed, one at a time, in bundle order.
#[derive(Debug, Default)]
pub(crate) struct AccountsBuilder {
    table: Accounts,
    /// Secret numbers (in `table.secrets`) by `(namespace, secret)`.
    secret_owner: Index,
    /// The row of each secret number.
    secret_rows: Vec<usize>,
}

impl AccountsBuilder {
    /// A builder with room for `count` accounts whose strings take `bytes` bytes.
    pub(crate) fn with_capacity(count: usize, bytes: usize) -> AccountsBuilder {
        AccountsBuilder {
            table: Accounts {
                strings: Strings::with_capacity(bytes),
                rows: Vec::with_capacity(count),
                secrets: Vec::with_capacity(count),
                by_name: Index::with_capacity(count),
                by_uid: Index::with_capacity(count),
            },
            secret_owner: Index::with_capacity(count),
            secret_rows: Vec::with_capacity(count),
        }
    }

    /// Checks and indexes `service_accounts[i]`.
    pub(crate) fn add(
        &mut self,
        i: usize,
        sa: &ServiceAccount<'_>,
        namespaces: &NamespaceTree,
        problems: &mut Problems,
    ) {
        let at = At::new("service_accounts", i);
        check(sa, at, namespaces, problems);
        let user_id = user_id(sa, at, problems);
        let expires_at = sa.expires_at.as_deref().and_then(|t| {
            UnixTime::parse_rfc3339(t)
                .map_err(|e| problems.push(at.field("expires_at"), e.to_string()))
                .ok()
        });
        let table = &mut self.table;
        let row = table.push(sa, user_id, expires_at);
        let secret_rows = &mut self.secret_rows;
        let first = secret_rows.len();
        secret_rows.resize(first + sa.secrets.len(), row);
        for (j, secret) in sa.secrets.iter().enumerate() {
            let key_of = |m: usize| {
                let namespace = table
                    .rows
                    .get(*secret_rows.get(m)?)?
                    .namespace(&table.strings);
                Some((namespace, table.strings.get(*table.secrets.get(m)?)))
            };
            let key = (&*sa.namespace, &**secret);
            if let Some(other) = self.secret_owner.replace(first + j, key, key_of) {
                let other = secret_rows.get(other).copied().unwrap_or_default();
                problems.push(
                    at.item("secrets", j).to_string(),
                    format!("{secret:?} already belongs to service_accounts[{other}]"),
                );
            }
        }
        table.index(row, sa, at, problems);
    }

    /// The bytes of an account's strings (for [`AccountsBuilder::with_capacity`]).
    pub(crate) fn text_len(sa: &ServiceAccount<'_>) -> usize {
        text_len(sa)
    }

    /// The accounts, each one's secrets sorted (for [`Account::has_secret`]).
    pub(crate) fn finish(self) -> Accounts {
        let mut table = self.table;
        for row in &table.rows {
            let (first, end) = row.secrets;
            if let Some(own) = table.secrets.get_mut(first..end) {
                let strings = &table.strings;
                own.sort_unstable_by(|a, b| strings.get(*a).cmp(strings.get(*b)));
            }
        }
        table.strings.shrink_to_fit();
        table.rows.shrink_to_fit();
        table.secrets.shrink_to_fit();
        table
    }
}

impl Accounts {
    /// Appends an account's row and strings; returns its row number.
    fn push(
        &mut self,
        sa: &ServiceAccount<'_>,
        user_id: UserId<'_>,
        expires_at: Option<UnixTime>,
    ) -> usize {
        let strings = &mut self.strings;
        let username =
            strings.push_all(&[SERVICE_ACCOUNT_USER_PREFIX, &sa.namespace, ":", &sa.name]);
        let uid = strings.push(&sa.uid);
        let user_id = match user_id {
            UserId::Username => username,
            UserId::Given(id) => strings.push(id),
        };
        let first = self.secrets.len();
        self.secrets
            .extend(sa.secrets.iter().map(|s| strings.push(s)));
        self.rows.push(Row {
            username,
            namespace_len: sa.namespace.len(),
            uid,
            user_id,
            secrets: (first, self.secrets.len()),
            expires_at,
            kind: sa.kind,
        });
        self.rows.len() - 1
    }

    /// Indexes row `row` by name and uid, recording duplicates.
    fn index(&mut self, row: usize, sa: &ServiceAccount<'_>, at: At<'_>, problems: &mut Problems) {
        let (namespace, name) = (&*sa.namespace, &*sa.name);
        let (rows, strings) = (&self.rows, &self.strings);
        let name_of = |r: usize| Some(rows.get(r)?.names(strings));
        if self
            .by_name
            .replace(row, (namespace, name), name_of)
            .is_some()
        {
            problems.push(
                at.field("name"),
                format!("{name:?} is defined twice in namespace {namespace:?}"),
            );
        }
        let uid = &*sa.uid;
        let uid_of = |r: usize| Some(strings.get(rows.get(r)?.uid));
        if !uid.is_empty() && self.by_uid.replace(row, uid, uid_of).is_some() {
            problems.push(
                at.field("uid"),
                format!("{uid:?} is used by another account"),
            );
        }
    }

    /// The account `namespace/name`.
    pub(crate) fn get(&self, namespace: &str, name: &str) -> Option<Account<'_>> {
        let name_of = |r: usize| Some(self.rows.get(r)?.names(&self.strings));
        self.account(self.by_name.find((namespace, name), name_of)?)
    }

    /// The account with this uid.
    pub(crate) fn by_uid(&self, uid: &str) -> Option<Account<'_>> {
        let uid_of = |r: usize| Some(self.strings.get(self.rows.get(r)?.uid));
        self.account(self.by_uid.find(uid, uid_of)?)
    }

    /// The User IDs given to unique accounts (`id`), with the accounts' positions in the
    /// bundle: the ids that could clash with a directory user's or with each other.
    pub(crate) fn given_ids(&self) -> impl Iterator<Item = (usize, &str)> {
        self.rows.iter().enumerate().filter_map(|(i, row)| {
            let id = self.strings.get(row.user_id);
            (row.kind == AccountKind::Unique && id != self.strings.get(row.username))
                .then_some((i, id))
        })
    }

    /// All accounts, in bundle order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Account<'_>> {
        (0..self.rows.len()).filter_map(|r| self.account(r))
    }

    fn account(&self, row: usize) -> Option<Account<'_>> {
        let row = self.rows.get(row)?;
        let (namespace, name) = row.names(&self.strings);
        let (first, end) = row.secrets;
        Some(Account {
            namespace,
            name,
            uid: self.strings.get(row.uid),
            kind: row.kind,
            user_id: self.strings.get(row.user_id),
            username: self.strings.get(row.username),
            expires_at: row.expires_at,
            strings: &self.strings,
            secrets: self.secrets.get(first..end).unwrap_or_default(),
        })
    }
}

impl Row {
    /// The account's namespace and name: the parts of its user name after the prefix.
    fn names<'s>(&self, strings: &'s Strings) -> (&'s str, &'s str) {
        let from = SERVICE_ACCOUNT_USER_PREFIX.len();
        (
            strings.get(self.username.part(from, self.namespace_len)),
            strings.get(self.username.rest(from + self.namespace_len + 1)),
        )
    }

    /// The account's namespace.
    fn namespace<'s>(&self, strings: &'s Strings) -> &'s str {
        self.names(strings).0
    }
}

/// The bytes of an account's strings, for sizing the buffer.
fn text_len(sa: &ServiceAccount<'_>) -> usize {
    let id = sa.id.as_deref().or(sa.impersonate.as_deref());
    SERVICE_ACCOUNT_USER_PREFIX.len()
        + sa.namespace.len()
        + 1
        + sa.name.len()
        + sa.uid.len()
        + id.map_or(0, str::len)
        + sa.secrets.iter().map(|s| s.len()).sum::<usize>()
}

/// The name, namespace and uid rules.
fn check(sa: &ServiceAccount<'_>, at: At<'_>, namespaces: &NamespaceTree, problems: &mut Problems) {
    if let Err(why) = check_dns1123_label(&sa.name) {
        problems.push(at.field("name"), why);
    }
    if !namespaces.contains(&sa.namespace) {
        problems.push(
            at.field("namespace"),
            format!("{:?} is not a defined namespace", sa.namespace),
        );
    }
    if sa.uid.is_empty() {
        problems.push(at.field("uid"), "must not be empty");
    }
}

/// An account's Pomerium User ID.
enum UserId<'a> {
    /// Its user name (a unique account without an `id`).
    Username,
    /// Its `id`, or the impersonated user's (empty after a problem).
    Given(&'a str),
}

/// The User ID rules: a unique account has an `id` or none, an impersonating one names whom
/// it impersonates and has no `id`.
fn user_id<'a>(sa: &'a ServiceAccount<'_>, at: At<'_>, problems: &mut Problems) -> UserId<'a> {
    match (sa.kind, &sa.impersonate, &sa.id) {
        (AccountKind::Unique, None, None) => UserId::Username,
        (AccountKind::Unique, None, Some(id)) => UserId::Given(id),
        (AccountKind::Unique, Some(user), _) => {
            problems.push(
                at.field("impersonate"),
                format!("{user:?} given for a unique account (expected kind \"impersonating\")"),
            );
            UserId::Given("")
        }
        (AccountKind::Impersonating, None, _) => {
            problems.push(
                at.field("impersonate"),
                "missing: an impersonating account names the directory user it acts as",
            );
            UserId::Given("")
        }
        (AccountKind::Impersonating, Some(_), Some(id)) => {
            problems.push(
                at.field("id"),
                format!(
                    "{id:?} given for an impersonating account (its id is the impersonated user's)"
                ),
            );
            UserId::Given("")
        }
        (AccountKind::Impersonating, Some(user), None) => UserId::Given(user),
    }
}
