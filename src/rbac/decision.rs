//! RBAC's answer: a SubjectAccessReview status, plus which binding, role, subject and rule
//! granted the request, or why tessera's namespace rule kept a binding from applying.

use std::fmt;

use serde::Serialize;

use crate::schema::PolicyRule;

/// The answer, shaped as a SubjectAccessReview status plus tessera's explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RbacDecision {
    /// Whether some binding grants it.
    pub allowed: bool,
    /// RBAC never denies outright: always false.
    pub denied: bool,
    /// Kubernetes' wording of the grant (`RBAC: allowed by RoleBinding "pullers/top-secret" of
    /// ClusterRole "view" to ServiceAccount "robot/top-secret"`), or of the refusal (`User
    /// "system:serviceaccount:top-secret:robot" cannot delete resource "pods" in API group ""
    /// in the namespace "top-secret"`).
    pub reason: String,
    /// Problems met while evaluating (empty normally), in Kubernetes' wording
    /// (`RBAC: clusterrole.rbac.authorization.k8s.io "view" not found`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub evaluation_error: String,
    /// What granted it, when allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant: Option<RbacGrant>,
    /// When denied for a namespace outside the account's own: that the account works only in
    /// its namespace and the descendants, so RoleBindings there do not apply to it (DESIGN 1.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace_rule: Option<String>,
}

/// The binding, role, subject and rule that granted a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RbacGrant {
    /// RoleBinding or ClusterRoleBinding.
    pub binding_kind: BindingKind,
    /// The binding's name.
    pub binding_name: String,
    /// The RoleBinding's namespace (none for a ClusterRoleBinding).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub binding_namespace: Option<String>,
    /// Role or ClusterRole.
    pub role_kind: RoleKind,
    /// The role's name.
    pub role_name: String,
    /// The binding's subject that matched the identity (the first, as in Kubernetes).
    pub subject_kind: SubjectKind,
    /// The subject's name (user, group or account name).
    pub subject_name: String,
    /// A ServiceAccount subject's namespace (defaulted to the RoleBinding's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_namespace: Option<String>,
    /// The rule that matched.
    pub rule: PolicyRule,
    /// The ClusterRole the rule came from by aggregation, when not the bound role itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aggregated_from: Option<String>,
}

/// The two kinds of binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BindingKind {
    /// A namespaced binding.
    RoleBinding,
    /// A cluster-wide binding.
    ClusterRoleBinding,
}

/// The two kinds of role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RoleKind {
    /// A namespaced role.
    Role,
    /// A cluster role.
    ClusterRole,
}

/// The three kinds of binding subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SubjectKind {
    /// Matches the identity's user name.
    User,
    /// Matches one of the identity's groups.
    Group,
    /// Matches the user name `system:serviceaccount:<namespace>:<name>`.
    ServiceAccount,
}

impl BindingKind {
    /// The Kubernetes kind name.
    pub fn as_str(self) -> &'static str {
        match self {
            BindingKind::RoleBinding => "RoleBinding",
            BindingKind::ClusterRoleBinding => "ClusterRoleBinding",
        }
    }
}

impl RoleKind {
    /// The Kubernetes kind name.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Role => "Role",
            RoleKind::ClusterRole => "ClusterRole",
        }
    }

    /// Parses a `roleRef.kind`.
    pub fn parse(kind: &str) -> Option<RoleKind> {
        match kind {
            "Role" => Some(RoleKind::Role),
            "ClusterRole" => Some(RoleKind::ClusterRole),
            _ => None,
        }
    }
}

impl SubjectKind {
    /// The Kubernetes kind name.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::User => "User",
            SubjectKind::Group => "Group",
            SubjectKind::ServiceAccount => "ServiceAccount",
        }
    }

    /// Parses a subject's `kind`.
    pub fn parse(kind: &str) -> Option<SubjectKind> {
        match kind {
            "User" => Some(SubjectKind::User),
            "Group" => Some(SubjectKind::Group),
            "ServiceAccount" => Some(SubjectKind::ServiceAccount),
            _ => None,
        }
    }
}

impl fmt::Display for BindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for RoleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for SubjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
