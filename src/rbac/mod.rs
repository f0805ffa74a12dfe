//! Kubernetes RBAC (DESIGN 1.4): roles, cluster roles, bindings, aggregation; explained
//! decisions in Kubernetes' own wording.

mod aggregation;
mod request;
mod rules;
mod selector;

pub use request::{NonResourceAttributes, RbacRequest, ResourceAttributes};

use serde::Serialize;

use crate::bundle::{NamespaceTree, Problems};
use crate::identity::Identity;
use crate::schema::BundleDocument;

/// The compiled RBAC rules and bindings of a bundle, indexed by subject.
#[derive(Debug, Default)]
pub struct Rbac {}

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
