//! Service accounts: create (printing the first token once), describe, delete, and deleting a
//! token secret (which revokes that token and, as OpenShift does, issues a new one).

use serde::Serialize;

use super::output::{fields, or_none, Render};
use super::store::BoundTokenRecord;
use super::tokens::{mint_legacy, mint_pomerium, IssuedToken};
use super::{ids, AdminError, Result, State};
use crate::bundle::Bundle;
use crate::names::{check_dns1123_label, service_account_username};
use crate::schema::{AccountKind, BundleDocument, ServiceAccount};
use crate::time::UnixTime;

/// The format of the token `create serviceaccount` prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TokenFormat {
    /// A Kubernetes secret-based token (the default; OpenShift's).
    #[default]
    Legacy,
    /// A Pomerium service-account token.
    Pomerium,
}

/// `tessera create serviceaccount`: what is asked for.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    /// Namespace.
    pub namespace: String,
    /// Name (DNS-1123 label).
    pub name: String,
    /// Pomerium User ID of a unique account (default: the user name).
    pub id: Option<String>,
    /// The directory user an impersonating account acts as.
    pub impersonate: Option<String>,
    /// When every token of the account stops working.
    pub expires_at: Option<UnixTime>,
    /// The format of the token printed.
    pub token_format: TokenFormat,
}

/// A created account and its first token.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedAccount {
    /// The account as the bundle holds it.
    pub service_account: ServiceAccount,
    /// Its token, shown once.
    pub token: IssuedToken,
    /// Things to know (stderr).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Render for CreatedAccount {
    /// The token alone (see [`IssuedToken::render`]); the rest goes to stderr.
    fn render(&self) -> String {
        self.token.render()
    }
}

/// The account `namespace/name` of the document.
pub fn find<'d>(
    doc: &'d BundleDocument,
    namespace: &str,
    name: &str,
) -> Result<&'d ServiceAccount> {
    super::namespaces::require(doc, namespace)?;
    doc.service_accounts
        .iter()
        .find(|a| a.namespace == namespace && a.name == name)
        .ok_or_else(|| AdminError::NotFound {
            kind: "serviceaccount",
            name: name.to_string(),
            namespace: Some(namespace.to_string()),
        })
}

fn secret_taken(doc: &BundleDocument, namespace: &str, secret: &str) -> bool {
    doc.service_accounts
        .iter()
        .any(|a| a.namespace == namespace && a.secrets.iter().any(|s| s == secret))
}

/// Adds a new secret to the account at `index` and mints its legacy token.
fn issue_legacy(state: &mut State, index: usize) -> Result<IssuedToken> {
    let (namespace, name) = {
        let sa = &state.doc().service_accounts[index];
        (sa.namespace.clone(), sa.name.clone())
    };
    let secret = ids::secret_name(&name, |s| secret_taken(state.doc(), &namespace, s));
    state.doc_mut().service_accounts[index]
        .secrets
        .push(secret.clone());
    let sa = state.doc().service_accounts[index].clone();
    mint_legacy(state, &sa, &secret)
}

/// Creates an account and mints its first token (a legacy one, in a new secret, unless a
/// Pomerium token is asked for). Saves the state.
pub fn create(state: &mut State, new: &NewAccount, now: UnixTime) -> Result<CreatedAccount> {
    let created = create_unsaved(state, new, now)?;
    state.save()?;
    Ok(created)
}

/// As [`create`], without saving (for `new-project`, which saves once).
pub(crate) fn create_unsaved(
    state: &mut State,
    new: &NewAccount,
    now: UnixTime,
) -> Result<CreatedAccount> {
    check_dns1123_label(&new.name)
        .map_err(|why| AdminError::input(format!("serviceaccount name: {why}")))?;
    super::namespaces::require(state.doc(), &new.namespace)?;
    if find(state.doc(), &new.namespace, &new.name).is_ok() {
        return Err(AdminError::AlreadyExists {
            kind: "serviceaccount",
            name: new.name.clone(),
            namespace: Some(new.namespace.clone()),
        });
    }
    let mut warnings = Vec::new();
    if let Some(user) = &new.impersonate {
        if new.id.is_some() {
            return Err(AdminError::input(
                "--id: an impersonating account has the impersonated user's id; give --id or --impersonate, not both",
            ));
        }
        if !state.doc().directory.users.iter().any(|u| &u.id == user) {
            return Err(AdminError::input(format!(
                "--impersonate: {user:?} is not a user of the directory (add it with `tessera create user {user}`)"
            )));
        }
    }
    if let Some(id) = &new.id {
        if id.is_empty() {
            return Err(AdminError::input("--id: must not be empty"));
        }
    }
    if let Some(t) = new.expires_at {
        if t <= now {
            warnings.push(format!(
                "--expires {t} is in the past: every token of the account is refused"
            ));
        }
    }
    let sa = ServiceAccount {
        namespace: new.namespace.clone(),
        name: new.name.clone(),
        uid: ids::uuid_v4(),
        id: new.id.clone(),
        kind: if new.impersonate.is_some() {
            AccountKind::Impersonating
        } else {
            AccountKind::Unique
        },
        impersonate: new.impersonate.clone(),
        expires_at: new.expires_at.map(|t| t.to_string()),
        secrets: Vec::new(),
    };
    state.doc_mut().service_accounts.push(sa);
    let index = state.doc().service_accounts.len() - 1;
    if new.id.is_some() {
        // The bundle's own rule (a unique account's id is its own), named after the flag.
        let at = format!("service_accounts[{index}].id");
        if let Err(e) = Bundle::from_document(state.doc().clone()) {
            if let Some(p) = e.problems().iter().find(|p| p.path == at) {
                return Err(AdminError::input(format!("--id: {}", p.message)));
            }
        }
    }
    let token = match new.token_format {
        TokenFormat::Legacy => issue_legacy(state, index)?,
        TokenFormat::Pomerium => {
            let sa = state.doc().service_accounts[index].clone();
            mint_pomerium(state, &sa, now)?
        }
    };
    Ok(CreatedAccount {
        service_account: state.doc().service_accounts[index].clone(),
        token,
        warnings,
    })
}

/// A deleted token secret, and the token issued in its place.
#[derive(Debug, Clone, Serialize)]
pub struct DeletedSecret {
    /// The secret deleted.
    pub secret: String,
    /// Its account, `<namespace>/<name>`.
    pub service_account: String,
    /// The new token, shown once (OpenShift re-creates an account's token secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reissued: Option<IssuedToken>,
}

impl Render for DeletedSecret {
    /// The new token alone, if one was issued.
    fn render(&self) -> String {
        match &self.reissued {
            Some(t) => t.render(),
            None => String::new(),
        }
    }
}

impl DeletedSecret {
    /// The line for stderr.
    pub fn note(&self) -> String {
        format!(
            "secret/{} deleted: its token is revoked (account {})",
            self.secret, self.service_account
        )
    }
}

/// Deletes a token secret: the token it holds is refused from the next bundle on. With
/// `reissue`, a new secret and token replace it (printed once).
pub fn delete_secret(
    state: &mut State,
    namespace: &str,
    secret: &str,
    reissue: bool,
) -> Result<DeletedSecret> {
    super::namespaces::require(state.doc(), namespace)?;
    let index = state
        .doc()
        .service_accounts
        .iter()
        .position(|a| a.namespace == namespace && a.secrets.iter().any(|s| s == secret))
        .ok_or_else(|| AdminError::NotFound {
            kind: "secret",
            name: secret.to_string(),
            namespace: Some(namespace.to_string()),
        })?;
    state.doc_mut().service_accounts[index]
        .secrets
        .retain(|s| s != secret);
    let name = state.doc().service_accounts[index].name.clone();
    let reissued = if reissue {
        Some(issue_legacy(state, index)?)
    } else {
        None
    };
    state.save()?;
    Ok(DeletedSecret {
        secret: secret.to_string(),
        service_account: format!("{namespace}/{name}"),
        reissued,
    })
}

/// Deletes an account: every token of it is refused from the next bundle on (a re-created
/// account of the same name gets a new uid, so old tokens stay refused). Bindings that name
/// it stay, as in Kubernetes.
pub fn delete(state: &mut State, namespace: &str, name: &str) -> Result<ServiceAccount> {
    let sa = find(state.doc(), namespace, name)?.clone();
    state
        .doc_mut()
        .service_accounts
        .retain(|a| !(a.namespace == namespace && a.name == name));
    state
        .file
        .bound_tokens
        .retain(|r| !(r.namespace == namespace && r.service_account == name));
    state.save()?;
    Ok(sa)
}

/// `tessera describe serviceaccount`.
#[derive(Debug, Clone, Serialize)]
pub struct AccountDescription {
    /// Name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// Uid.
    pub uid: String,
    /// `unique` or `impersonating`.
    pub kind: AccountKind,
    /// The Kubernetes user name of its tokens.
    pub username: String,
    /// Pomerium's User ID (what PPL's `user` matches).
    pub user_id: String,
    /// The impersonated user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impersonate: Option<String>,
    /// When every token stops working.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Whether that time has passed.
    pub expired: bool,
    /// Secrets of its live legacy tokens.
    pub tokens: Vec<String>,
    /// Bound tokens issued and not yet expired.
    pub bound_tokens: Vec<BoundTokenRecord>,
    /// Roles it holds in its namespace (RoleBindings there and ClusterRoleBindings).
    pub roles: Vec<String>,
    /// Why no roles could be listed, if so (e.g. the impersonated user is gone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_error: Option<String>,
}

/// Describes an account, with the roles it holds as the engine computes them.
pub fn describe(
    state: &State,
    namespace: &str,
    name: &str,
    now: UnixTime,
) -> Result<AccountDescription> {
    let sa = find(state.doc(), namespace, name)?.clone();
    let expires = sa
        .expires_at
        .as_deref()
        .and_then(|t| UnixTime::parse_rfc3339(t).ok());
    let (roles, identity_error) = match super::decide::roles_of(state, &sa, now) {
        Ok(roles) => (roles, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let username = match (&sa.kind, &sa.impersonate) {
        (AccountKind::Impersonating, Some(user)) => user.clone(),
        _ => service_account_username(namespace, name),
    };
    let user_id = match (&sa.impersonate, &sa.id) {
        (Some(user), _) => user.clone(),
        (None, Some(id)) => id.clone(),
        (None, None) => service_account_username(namespace, name),
    };
    Ok(AccountDescription {
        name: sa.name.clone(),
        namespace: sa.namespace.clone(),
        uid: sa.uid.clone(),
        kind: sa.kind,
        username,
        user_id,
        impersonate: sa.impersonate.clone(),
        expires_at: sa.expires_at.clone(),
        expired: expires.is_some_and(|t| t <= now),
        tokens: sa.secrets.clone(),
        bound_tokens: state
            .file
            .bound_tokens
            .iter()
            .filter(|r| r.namespace == namespace && r.service_account == name)
            .filter(|r| {
                UnixTime::parse_rfc3339(&r.expires_at)
                    .map(|t| t > now)
                    .unwrap_or(false)
            })
            .cloned()
            .collect(),
        roles,
        identity_error,
    })
}

impl Render for AccountDescription {
    fn render(&self) -> String {
        let kind = match self.kind {
            AccountKind::Unique => "unique".to_string(),
            AccountKind::Impersonating => format!(
                "impersonating (acts as {})",
                self.impersonate.as_deref().unwrap_or("?")
            ),
        };
        let expiry = match (&self.expires_at, self.expired) {
            (Some(t), true) => format!("{t} (expired)"),
            (t, _) => or_none(t.as_deref()),
        };
        let mut tokens: Vec<String> = self.tokens.clone();
        tokens.extend(self.bound_tokens.iter().map(|b| {
            let to = b
                .bound_to
                .as_deref()
                .map(|o| format!(", bound to {o}"))
                .unwrap_or_default();
            format!("bound token jti {} (expires {}{to})", b.jti, b.expires_at)
        }));
        let roles = match &self.identity_error {
            Some(e) => vec![format!("<none: {e}>")],
            None => self.roles.clone(),
        };
        fields(&[
            ("Name", vec![self.name.clone()]),
            ("Namespace", vec![self.namespace.clone()]),
            ("UID", vec![self.uid.clone()]),
            ("Kind", vec![kind]),
            ("User name", vec![self.username.clone()]),
            ("User ID", vec![self.user_id.clone()]),
            ("Expires", vec![expiry]),
            ("Tokens", tokens),
            ("Roles", roles),
        ])
    }
}
