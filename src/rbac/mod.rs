//! Kubernetes RBAC (DESIGN 1.4): roles, cluster roles, bindings, aggregation; explained
//! decisions in Kubernetes' own wording.

use serde::{Deserialize, Serialize};

use crate::bundle::{NamespaceTree, Problems};
use crate::identity::Identity;
use crate::schema::BundleDocument;

/// The compiled RBAC rules and bindings of a bundle, indexed by subject.
#[derive(Debug, Default)]
pub struct Rbac {}

/// What is asked about a resource (Kubernetes ResourceAttributes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResourceAttributes {
    /// The verb: get, list, watch, create, update, patch, delete, ...
    pub verb: String,
    /// The API group (`""` for the core group).
    pub group: String,
    /// The resource, e.g. `pods`.
    pub resource: String,
    /// The subresource, e.g. `log` (empty for none).
    pub subresource: String,
    /// The object's name (empty for all / a collection).
    pub name: String,
    /// The namespace (empty for a cluster-scoped resource).
    pub namespace: String,
}

/// What is asked about a non-resource URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NonResourceAttributes {
    /// The verb (`get`, `post`, ...).
    pub verb: String,
    /// The URL path, e.g. `/healthz`.
    pub path: String,
}

/// An RBAC question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RbacRequest {
    /// About a resource.
    Resource(ResourceAttributes),
    /// About a non-resource URL.
    NonResource(NonResourceAttributes),
}

/// The answer, shaped as a SubjectAccessReview status plus tessera's explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RbacDecision {
    /// Whether some binding grants it.
    pub allowed: bool,
    /// RBAC never denies outright: always false.
    pub denied: bool,
    /// Kubernetes' wording of the grant, or of the refusal.
    pub reason: String,
    /// Problems met while evaluating (empty normally).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub evaluation_error: String,
}

impl Rbac {
    /// Compiles roles and bindings, recording dangling references with their paths.
    pub fn compile(
        _document: &BundleDocument,
        _namespaces: &NamespaceTree,
        _problems: &mut Problems,
    ) -> Rbac {
        Rbac {}
    }

    /// Decides an RBAC question for an identity.
    pub fn authorize(
        &self,
        _identity: &Identity,
        _namespaces: &NamespaceTree,
        _request: &RbacRequest,
    ) -> RbacDecision {
        RbacDecision {
            allowed: false,
            denied: false,
            reason: String::new(),
            evaluation_error: String::new(),
        }
    }

    /// Names of the roles (Role or ClusterRole) the identity holds in `namespace`.
    pub fn roles_held(
        &self,
        _identity: &Identity,
        _namespaces: &NamespaceTree,
        _namespace: &str,
    ) -> Vec<String> {
        Vec::new()
    }
}
