//! The three token formats and what each says about the account.

use serde::Serialize;

/// Which kind of token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenFormat {
    /// A Kubernetes secret-based token (`iss: kubernetes/serviceaccount`).
    KubernetesLegacy,
    /// A Kubernetes bound (projected) token.
    KubernetesBound,
    /// A Pomerium service-account token.
    Pomerium,
}

/// The object a bound token is bound to, and the node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoundObject {
    /// `pod`, `secret` or empty.
    pub kind: String,
    /// The object's name.
    pub name: String,
    /// The object's uid.
    pub uid: String,
    /// The node's name, if any.
    pub node_name: Option<String>,
    /// The node's uid, if any.
    pub node_uid: Option<String>,
}

/// The account and token a verified token names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A legacy token: valid while its secret is listed.
    KubernetesLegacy {
        /// Namespace.
        namespace: String,
        /// Account name.
        name: String,
        /// Account uid.
        uid: String,
        /// The secret holding the token.
        secret_name: String,
    },
    /// A bound token.
    KubernetesBound {
        /// Namespace.
        namespace: String,
        /// Account name.
        name: String,
        /// Account uid.
        uid: String,
        /// The bound object.
        bound: BoundObject,
        /// The token id.
        jti: Option<String>,
    },
    /// A Pomerium service-account token.
    Pomerium {
        /// `jti`: the service account's id (its uid in the bundle).
        account_id: String,
        /// `sub`: the user id it acts as.
        user_id: String,
    },
}

impl Credential {
    /// The id a revocation names: the `jti`, or a legacy token's secret name.
    pub fn token_id(&self) -> Option<&str> {
        match self {
            Credential::KubernetesLegacy { secret_name, .. } => Some(secret_name),
            Credential::KubernetesBound { jti, .. } => jti.as_deref(),
            Credential::Pomerium { account_id, .. } => Some(account_id),
        }
    }
}

impl BoundObject {
    /// Kubernetes' `extra` entries for this binding.
    pub fn extra_entries(&self) -> Vec<(&'static str, &str)> {
        use crate::identity::*;
        let mut out = Vec::new();
        if self.kind == "pod" {
            out.push((EXTRA_POD_NAME, self.name.as_str()));
            out.push((EXTRA_POD_UID, self.uid.as_str()));
        }
        if let Some(n) = &self.node_name {
            out.push((EXTRA_NODE_NAME, n.as_str()));
        }
        if let Some(u) = &self.node_uid {
            out.push((EXTRA_NODE_UID, u.as_str()));
        }
        out
    }
}
