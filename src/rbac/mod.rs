//! Kubernetes RBAC (DESIGN 1.4): roles, cluster roles, bindings, aggregation; explained
//! decisions in Kubernetes' own wording.

mod aggregation;
mod decision;
mod request;
mod rules;
mod selector;
mod wording;

pub use decision::{BindingKind, RbacDecision, RbacGrant, RoleKind, SubjectKind};
pub use request::{NonResourceAttributes, RbacRequest, ResourceAttributes};

use crate::bundle::{NamespaceTree, Problems};
use crate::identity::Identity;
use crate::schema::BundleDocument;

/// The compiled RBAC rules and bindings of a bundle, indexed by subject.
#[derive(Debug, Default)]
pub struct Rbac {}

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
            grant: None,
            namespace_rule: None,
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
