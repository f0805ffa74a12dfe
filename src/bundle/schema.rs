//! The bundle document as it is written: the serde model of schema version 1. The CLI writes
//! (and reads its own state) with it; the engine reads a bundle's text with `scan.rs` and
//! `sections.rs`, into these same types where it builds them, and tests hold the two readings
//! to the same outcomes.
//!
//! Every field is documented in `docs/bundle.md` and described by
//! `docs/bundle.schema.json`. Top-level and Pomerium-style fields use `snake_case`; the RBAC
//! objects use Kubernetes' own field names (`apiGroups`, `roleRef`, ...), so rules and bindings
//! read exactly as `kubectl get -o json` writes them. Unknown fields are refused everywhere, so a
//! typo is an error rather than a silently ignored setting.

use std::collections::BTreeMap;

use crate::token::JwkSet;
use serde::{Deserialize, Serialize};

/// The schema version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// A whole bundle document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleDocument {
    /// Schema version; must be [`SCHEMA_VERSION`].
    pub version: u32,
    /// Increases with every bundle built; a consumer refuses one older than it holds.
    pub revision: u64,
    /// When the bundle was built (RFC 3339).
    pub issued_at: String,
    /// After this instant (RFC 3339) the bundle must not be used: decisions fail closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Verification settings.
    #[serde(default)]
    pub settings: Settings,
    /// Who may sign tokens, with their keys.
    #[serde(default)]
    pub issuers: Vec<Issuer>,
    /// The namespace tree.
    #[serde(default)]
    pub namespaces: Vec<Namespace>,
    /// The directory snapshot that impersonating accounts resolve against.
    #[serde(default)]
    pub directory: Directory,
    /// The service accounts.
    #[serde(default)]
    pub service_accounts: Vec<ServiceAccount>,
    /// Token ids (a `jti` or a legacy token's secret name) that are refused.
    #[serde(default)]
    pub revocations: Vec<Revocation>,
    /// Namespaced RBAC roles.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Cluster-wide RBAC roles.
    #[serde(default)]
    pub cluster_roles: Vec<ClusterRole>,
    /// Namespaced role bindings.
    #[serde(default)]
    pub role_bindings: Vec<RoleBinding>,
    /// Cluster-wide role bindings (they grant in every namespace).
    #[serde(default)]
    pub cluster_role_bindings: Vec<ClusterRoleBinding>,
    /// HTTP routes with their Pomerium Policy Language policies.
    #[serde(default)]
    pub routes: Vec<Route>,
}

/// Verification settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Allowed clock skew for `exp`, `nbf` and `iat`, in seconds (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leeway_seconds: Option<u32>,
    /// The `name` of the issuer that takes tokens without an `iss` claim (Pomerium's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_issuer: Option<String>,
}

/// A token issuer: the `iss` it writes and the keys it signs with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    /// A short local name (referenced by `settings.default_issuer`).
    pub name: String,
    /// The `iss` claim value of its tokens (absent for an issuer that only takes tokens
    /// without `iss`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Accepted `aud` values. Empty: the token's `aud`, if any, is not checked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audiences: Vec<String>,
    /// Public signing keys (RSA, EC P-256/P-384, Ed25519).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<JwkSet>,
    /// A shared HMAC secret, base64 (standard alphabet, padding optional). Only HS256/384/512
    /// tokens are checked against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_secret: Option<String>,
}

/// A namespace (a Kubernetes/OpenShift project is one with no children).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Namespace {
    /// DNS-1123 label.
    pub name: String,
    /// The parent namespace; absent for a root (such as `global`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// The directory snapshot.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Directory {
    /// Directory users.
    #[serde(default)]
    pub users: Vec<DirectoryUser>,
    /// Directory groups.
    #[serde(default)]
    pub groups: Vec<DirectoryGroup>,
}

/// A directory user that an impersonating account may act as.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryUser {
    /// The user's id (Pomerium's User ID; the identity's user name when impersonated).
    pub id: String,
    /// The user's email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Ids of the directory groups the user belongs to.
    #[serde(default)]
    pub groups: Vec<String>,
}

/// A directory group.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryGroup {
    /// The group's id.
    pub id: String,
    /// The group's name (what RBAC `Group` subjects and `groups` lists hold).
    pub name: String,
}

/// The two kinds of service account (Pomerium).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// An identity of its own (`system:serviceaccount:<ns>:<name>`).
    #[default]
    Unique,
    /// Acts as a directory user.
    Impersonating,
}

/// A service account.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceAccount {
    /// The namespace it lives in (and may act in, with the descendants).
    pub namespace: String,
    /// DNS-1123 label.
    pub name: String,
    /// A stable UUID; a Pomerium token's `jti`, a Kubernetes token's service-account uid.
    pub uid: String,
    /// Pomerium's User ID (what PPL's `user` matches). Unique accounts: defaults to the user
    /// name `system:serviceaccount:<ns>:<name>`. Impersonating accounts: must be absent (the
    /// impersonated user's id is used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Unique (default) or impersonating.
    #[serde(default)]
    pub kind: AccountKind,
    /// For an impersonating account: the directory user id it acts as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impersonate: Option<String>,
    /// After this instant (RFC 3339) every token of the account is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Names of the secrets holding the account's legacy tokens that are still live.
    #[serde(default)]
    pub secrets: Vec<String>,
}

/// A revoked token id.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    /// A `jti` or the secret name of a legacy token.
    pub id: String,
    /// When it was revoked (RFC 3339), for the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

/// One RBAC rule (Kubernetes `PolicyRule`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PolicyRule {
    /// Verbs (`get`, `list`, ..., or `*`).
    pub verbs: Vec<String>,
    /// API groups (`""` is the core group; `*` all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_groups: Vec<String>,
    /// Resources: `*`, `pods`, `pods/log`, `*/scale`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// Resource names; empty means all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    /// Non-resource URLs: exact, `*`, or a prefix ending in `*`.
    #[serde(
        default,
        rename = "nonResourceURLs",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub non_resource_urls: Vec<String>,
}

/// A Kubernetes label selector (as used by ClusterRole aggregation).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LabelSelector {
    /// Labels that must all be present with these values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: BTreeMap<String, String>,
    /// Set-based requirements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

/// One set-based label requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelSelectorRequirement {
    /// The label key.
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    /// Values for `In` and `NotIn`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// A ClusterRole's aggregation rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AggregationRule {
    /// Cluster roles matching any selector contribute their rules.
    pub cluster_role_selectors: Vec<LabelSelector>,
}

/// A namespaced role.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// The role's name.
    pub name: String,
    /// The namespace it is defined in.
    pub namespace: String,
    /// Its rules.
    #[serde(default)]
    pub rules: Vec<PolicyRule>,
}

/// A cluster role.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterRole {
    /// The role's name.
    pub name: String,
    /// Labels (used by aggregation selectors).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Its own rules.
    #[serde(default)]
    pub rules: Vec<PolicyRule>,
    /// If set, the rules of every ClusterRole matching a selector are added.
    #[serde(
        default,
        rename = "aggregationRule",
        skip_serializing_if = "Option::is_none"
    )]
    pub aggregation_rule: Option<AggregationRule>,
}

/// What a binding grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RoleRef {
    /// `Role` or `ClusterRole`.
    pub kind: String,
    /// The role's name.
    pub name: String,
    /// `rbac.authorization.k8s.io` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_group: Option<String>,
}

/// Who a binding grants to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Subject {
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: String,
    /// The user, group or account name.
    pub name: String,
    /// For a ServiceAccount: its namespace (defaults to the binding's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `rbac.authorization.k8s.io` for users and groups, `""` for accounts (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_group: Option<String>,
}

/// A namespaced binding.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleBinding {
    /// The binding's name.
    pub name: String,
    /// The namespace it grants in.
    pub namespace: String,
    /// The Role (of this namespace) or ClusterRole it grants.
    #[serde(rename = "roleRef")]
    pub role_ref: RoleRef,
    /// Who it grants to.
    #[serde(default)]
    pub subjects: Vec<Subject>,
}

/// A cluster-wide binding: it grants in every namespace.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterRoleBinding {
    /// The binding's name.
    pub name: String,
    /// The ClusterRole it grants.
    #[serde(rename = "roleRef")]
    pub role_ref: RoleRef,
    /// Who it grants to.
    #[serde(default)]
    pub subjects: Vec<Subject>,
}

/// An HTTP route with its policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// A name, for explanations.
    pub name: String,
    /// The namespace the route belongs to.
    pub namespace: String,
    /// Where requests come from: `https://host[:port]`.
    pub from: String,
    /// Matches paths starting with this prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Matches this exact path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Matches paths matching this regular expression (anchored at both ends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// The Pomerium Policy Language policy (a rule or a list of rules).
    pub policy: serde_json::Value,
}
