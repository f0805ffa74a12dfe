//! What RBAC is asked: Kubernetes' resource and non-resource attributes.

use serde::{Deserialize, Serialize};

/// What is asked about a resource (Kubernetes ResourceAttributes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NonResourceAttributes {
    /// The verb (`get`, `post`, ...).
    pub verb: String,
    /// The URL path, e.g. `/healthz`.
    pub path: String,
}

/// An RBAC question.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RbacRequest {
    /// About a resource.
    Resource(ResourceAttributes),
    /// About a non-resource URL.
    NonResource(NonResourceAttributes),
}

impl RbacRequest {
    /// The namespace asked about: empty for a cluster-scoped resource and for a non-resource URL.
    pub fn namespace(&self) -> &str {
        match self {
            RbacRequest::Resource(r) => &r.namespace,
            RbacRequest::NonResource(_) => "",
        }
    }

    /// The verb asked for.
    pub fn verb(&self) -> &str {
        match self {
            RbacRequest::Resource(r) => &r.verb,
            RbacRequest::NonResource(n) => &n.verb,
        }
    }
}
