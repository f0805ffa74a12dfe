//! Who the caller is: from a verified token and the bundle to an [`Identity`] (DESIGN 1.2),
//! shaped for output as a Kubernetes TokenReview status.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::bundle::{Account, Bundle};
use crate::names::{namespace_accounts_group, ALL_SERVICE_ACCOUNTS_GROUP, AUTHENTICATED_GROUP};
use crate::schema::AccountKind;
use crate::time::UnixTime;
use crate::token::{Credential, TokenFormat, VerifiedToken};

/// `extra` key: the pod a bound token is bound to.
pub const EXTRA_POD_NAME: &str = "authentication.kubernetes.io/pod-name";
/// `extra` key: that pod's uid.
pub const EXTRA_POD_UID: &str = "authentication.kubernetes.io/pod-uid";
/// `extra` key: the node the pod runs on.
pub const EXTRA_NODE_NAME: &str = "authentication.kubernetes.io/node-name";
/// `extra` key: the node's uid.
pub const EXTRA_NODE_UID: &str = "authentication.kubernetes.io/node-uid";
/// `extra` key: which credential was used (`JTI=<jti>`).
pub const EXTRA_CREDENTIAL_ID: &str = "authentication.kubernetes.io/credential-id";
/// `extra` key: the service account (`<namespace>/<name>`) behind an impersonating identity.
pub const EXTRA_SERVICE_ACCOUNT: &str = "authentication.tessera.dev/service-account";

/// A verified caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// Kubernetes user name: `system:serviceaccount:<ns>:<name>`, or the impersonated user's id.
    pub username: String,
    /// The account's uid (unique) or the impersonated user's id.
    pub uid: String,
    /// Groups, `system:authenticated` last.
    pub groups: Vec<String>,
    /// Extra attributes (Kubernetes' keys for bound tokens; the account for impersonation).
    pub extra: BTreeMap<String, Vec<String>>,
    /// The account's namespace: it may act there and in the descendants only.
    pub namespace: String,
    /// The account's name.
    pub service_account: String,
    /// Unique or impersonating.
    pub kind: AccountKind,
    /// Pomerium's User ID (what PPL's `user` matches).
    pub user_id: String,
    /// The impersonated user's email, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Directory group ids of an impersonated user (PPL `groups` matches ids and names).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub group_ids: Vec<String>,
    /// When this identity stops being valid: the earlier of the token's `exp` and the account's
    /// `expires_at`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<UnixTime>,
    /// The token's id: `jti`, or the secret name of a legacy token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_id: Option<String>,
    /// Which token format it came from.
    pub format: TokenFormat,
    /// The issuer's local name.
    pub issuer: String,
    /// The audiences of the token that its issuer accepts (see
    /// [`crate::token::VerifiedToken::audiences`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub audiences: Vec<String>,
    /// The token's verified claims (PPL's `claim/<path>` reads them).
    #[serde(skip)]
    pub claims: crate::token::Claims,
}

/// Why a verified token names no usable identity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// No such account in the bundle.
    #[error("service account {namespace}/{name} does not exist")]
    UnknownAccount {
        /// The namespace the token names.
        namespace: String,
        /// The account name the token names.
        name: String,
    },
    /// No account has the token's id.
    #[error("no service account has the id {id:?} (jti)")]
    UnknownAccountId {
        /// The id.
        id: String,
    },
    /// The account was deleted and re-created: the token belongs to the old one.
    #[error("service account {namespace}/{name} has uid {actual}, the token was issued for uid {claimed}")]
    UidMismatch {
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
        /// The uid in the token.
        claimed: String,
        /// The uid in the bundle.
        actual: String,
    },
    /// A Pomerium token's `sub` is not the account's user id.
    #[error("sub {claimed:?} is not the user id {actual:?} of service account {namespace}/{name}")]
    SubjectMismatch {
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
        /// The token's `sub`.
        claimed: String,
        /// The account's user id.
        actual: String,
    },
    /// A legacy token whose secret was deleted.
    #[error(
        "secret {secret:?} of service account {namespace}/{name} no longer exists (token revoked)"
    )]
    SecretDeleted {
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
        /// The deleted secret's name.
        secret: String,
    },
    /// The token id is on the bundle's revocation list.
    #[error("token {id:?} is revoked")]
    Revoked {
        /// The revoked id.
        id: String,
    },
    /// The account has expired.
    #[error("service account {namespace}/{name} expired at {expires_at}")]
    AccountExpired {
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
        /// When.
        expires_at: UnixTime,
    },
    /// The impersonated user is no longer in the directory.
    #[error("service account {namespace}/{name} impersonates user {user:?}, who is not in the directory")]
    UserGone {
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
        /// The user id.
        user: String,
    },
}

/// A Kubernetes TokenReview status: the answer to "who is this token?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenReviewStatus {
    /// Whether the token names a valid identity.
    pub authenticated: bool,
    /// The user, when authenticated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserInfo>,
    /// The token's audiences that its issuer accepts, when authenticated (Kubernetes' status
    /// `audiences`; left out when empty, as Kubernetes leaves it out).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub audiences: Vec<String>,
    /// Why not, when not authenticated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A Kubernetes UserInfo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserInfo {
    /// User name.
    pub username: String,
    /// Uid.
    pub uid: String,
    /// Groups.
    pub groups: Vec<String>,
    /// Extra attributes.
    pub extra: BTreeMap<String, Vec<String>>,
}

impl TokenReviewStatus {
    /// The status of an authenticated identity.
    pub fn authenticated(identity: &Identity) -> TokenReviewStatus {
        TokenReviewStatus {
            authenticated: true,
            user: Some(UserInfo {
                username: identity.username.clone(),
                uid: identity.uid.clone(),
                groups: identity.groups.clone(),
                extra: identity.extra.clone(),
            }),
            audiences: identity.audiences.clone(),
            error: None,
        }
    }

    /// The status of a refused token.
    pub fn refused(error: impl ToString) -> TokenReviewStatus {
        TokenReviewStatus {
            authenticated: false,
            user: None,
            audiences: Vec::new(),
            error: Some(error.to_string()),
        }
    }
}

/// From a token whose signature and claims were verified to the identity it names, checking
/// everything the bundle knows: the account exists with that uid, a legacy token's secret (or
/// the Secret a bound token is bound to) is still listed, the token is not revoked, the account
/// has not expired, an impersonated user is still in the directory.
pub fn resolve(
    bundle: &Bundle,
    token: VerifiedToken,
    now: UnixTime,
) -> Result<Identity, IdentityError> {
    let account = find_account(bundle, &token.credential)?;
    let (ns, name) = (account.namespace, account.name);
    let token_id = token.credential.token_id().map(str::to_string);
    if let Some(id) = &token_id {
        if bundle.is_revoked(id) {
            return Err(IdentityError::Revoked { id: id.clone() });
        }
    }
    // The secret a token stands on: a legacy token's own, or the Secret a bound token is bound
    // to (Kubernetes invalidates a bound token once its Secret is deleted). The bundle lists
    // an account's token secrets: a token bound to any other Secret is refused.
    let secret = match &token.credential {
        Credential::KubernetesLegacy { secret_name, .. } => Some(secret_name),
        Credential::KubernetesBound { bound, .. } if bound.kind == "secret" => Some(&bound.name),
        _ => None,
    };
    if let Some(secret) = secret.filter(|s| !account.has_secret(s)) {
        return Err(IdentityError::SecretDeleted {
            namespace: ns.to_string(),
            name: name.to_string(),
            secret: secret.clone(),
        });
    }
    if let Some(expires_at) = account.expires_at {
        if now >= expires_at {
            return Err(IdentityError::AccountExpired {
                namespace: ns.to_string(),
                name: name.to_string(),
                expires_at,
            });
        }
    }
    let mut extra = BTreeMap::new();
    if let Credential::KubernetesBound { bound, jti, .. } = &token.credential {
        // Kubernetes' credential id is empty, and left out, for an empty `jti`.
        if let Some(jti) = jti.as_deref().filter(|j| !j.is_empty()) {
            extra.insert(
                EXTRA_CREDENTIAL_ID.to_string(),
                vec![crate::names::concat(&["JTI=", jti])],
            );
        }
        for (key, value) in bound.extra_entries() {
            extra.insert(key.to_string(), vec![value.to_string()]);
        }
    }
    let expires_at = match (token.expires_at, account.expires_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let mut identity = Identity {
        username: account.username.to_string(),
        uid: account.uid.to_string(),
        groups: Vec::new(),
        extra,
        namespace: ns.to_string(),
        service_account: name.to_string(),
        kind: account.kind,
        user_id: account.user_id.to_string(),
        email: None,
        group_ids: Vec::new(),
        expires_at,
        token_id,
        format: token.format,
        issuer: token.issuer,
        audiences: token.audiences,
        claims: token.claims,
    };
    match account.kind {
        AccountKind::Unique => {
            identity.groups = vec![
                ALL_SERVICE_ACCOUNTS_GROUP.to_string(),
                namespace_accounts_group(ns),
                AUTHENTICATED_GROUP.to_string(),
            ];
        }
        AccountKind::Impersonating => {
            let user =
                bundle
                    .directory_user(account.user_id)
                    .ok_or_else(|| IdentityError::UserGone {
                        namespace: ns.to_string(),
                        name: name.to_string(),
                        user: account.user_id.to_string(),
                    })?;
            identity.username = user.id.clone();
            identity.uid = user.id.clone();
            identity.email = user.email.clone();
            identity.group_ids = user.group_ids.clone();
            identity.groups = user.group_names.clone();
            identity.groups.push(AUTHENTICATED_GROUP.to_string());
            identity.extra.insert(
                EXTRA_SERVICE_ACCOUNT.to_string(),
                vec![format!("{ns}/{name}")],
            );
        }
    }
    Ok(identity)
}

fn find_account<'b>(
    bundle: &'b Bundle,
    credential: &Credential,
) -> Result<Account<'b>, IdentityError> {
    match credential {
        Credential::KubernetesLegacy {
            namespace,
            name,
            uid,
            ..
        }
        | Credential::KubernetesBound {
            namespace,
            name,
            uid,
            ..
        } => {
            let account =
                bundle
                    .account(namespace, name)
                    .ok_or_else(|| IdentityError::UnknownAccount {
                        namespace: namespace.clone(),
                        name: name.clone(),
                    })?;
            if *uid != account.uid {
                return Err(IdentityError::UidMismatch {
                    namespace: namespace.clone(),
                    name: name.clone(),
                    claimed: uid.clone(),
                    actual: account.uid.to_string(),
                });
            }
            Ok(account)
        }
        Credential::Pomerium {
            account_id,
            user_id,
        } => {
            let account = bundle.account_by_uid(account_id).ok_or_else(|| {
                IdentityError::UnknownAccountId {
                    id: account_id.clone(),
                }
            })?;
            if *user_id != account.user_id {
                return Err(IdentityError::SubjectMismatch {
                    namespace: account.namespace.to_string(),
                    name: account.name.to_string(),
                    claimed: user_id.clone(),
                    actual: account.user_id.to_string(),
                });
            }
            Ok(account)
        }
    }
}

/// A unique service account `namespace/name`, as token verification makes it (for tests).
#[cfg(test)]
pub(crate) fn test_service_account(namespace: &str, name: &str) -> Identity {
    let username = crate::names::service_account_username(namespace, name);
    Identity {
        username: username.clone(),
        uid: format!("uid-{namespace}-{name}"),
        groups: vec![
            ALL_SERVICE_ACCOUNTS_GROUP.to_string(),
            namespace_accounts_group(namespace),
            AUTHENTICATED_GROUP.to_string(),
        ],
        extra: Default::default(),
        namespace: namespace.into(),
        service_account: name.into(),
        kind: AccountKind::Unique,
        user_id: username,
        email: None,
        group_ids: Vec::new(),
        expires_at: None,
        token_id: None,
        format: TokenFormat::KubernetesBound,
        issuer: "cluster".into(),
        audiences: vec![],
        claims: Default::default(),
    }
}
