//! The document as loading reads it: the schema of `schema.rs`, with the strings of the long
//! lists (service accounts, revocations, bindings) as [`Str`]s, slices of the input text when
//! `scan.rs` reads it (owned only when the JSON escapes them), and the short sections as the
//! schema's own types, owned or borrowed. The fields are the schema's, with the same names;
//! [`BundleDocument::borrowing`] views a parsed [`schema::BundleDocument`] this way.

use std::borrow::Cow;

pub(crate) use crate::json::Str;

use super::schema::{
    self, AccountKind, ClusterRole, Directory, Issuer, Namespace, Role, Route, Settings,
};

fn strs<'a>(list: &'a [String]) -> Vec<Str<'a>> {
    list.iter().map(Str::from).collect()
}

/// A whole bundle document ([`schema::BundleDocument`]).
#[derive(Debug, Clone)]
pub(crate) struct BundleDocument<'a> {
    pub(crate) version: u32,
    pub(crate) revision: u64,
    pub(crate) issued_at: Str<'a>,
    pub(crate) expires_at: Option<Str<'a>>,
    pub(crate) settings: Cow<'a, Settings>,
    pub(crate) issuers: Cow<'a, [Issuer]>,
    pub(crate) namespaces: Cow<'a, [Namespace]>,
    pub(crate) directory: Cow<'a, Directory>,
    pub(crate) service_accounts: Vec<ServiceAccount<'a>>,
    pub(crate) revocations: Vec<Revocation<'a>>,
    pub(crate) roles: Cow<'a, [Role]>,
    pub(crate) cluster_roles: Cow<'a, [ClusterRole]>,
    pub(crate) role_bindings: Vec<RoleBinding<'a>>,
    pub(crate) cluster_role_bindings: Vec<ClusterRoleBinding<'a>>,
    pub(crate) routes: Cow<'a, [Route]>,
}

impl<'a> BundleDocument<'a> {
    /// Views a parsed document as loading reads it (the long lists' strings are borrowed).
    pub(crate) fn borrowing(doc: &'a schema::BundleDocument) -> BundleDocument<'a> {
        BundleDocument {
            version: doc.version,
            revision: doc.revision,
            issued_at: Str::from(&doc.issued_at),
            expires_at: doc.expires_at.as_ref().map(Str::from),
            settings: Cow::Borrowed(&doc.settings),
            issuers: Cow::Borrowed(&doc.issuers),
            namespaces: Cow::Borrowed(&doc.namespaces),
            directory: Cow::Borrowed(&doc.directory),
            service_accounts: doc
                .service_accounts
                .iter()
                .map(ServiceAccount::from)
                .collect(),
            revocations: doc.revocations.iter().map(Revocation::from).collect(),
            roles: Cow::Borrowed(&doc.roles),
            cluster_roles: Cow::Borrowed(&doc.cluster_roles),
            role_bindings: doc.role_bindings.iter().map(RoleBinding::from).collect(),
            cluster_role_bindings: doc
                .cluster_role_bindings
                .iter()
                .map(ClusterRoleBinding::from)
                .collect(),
            routes: Cow::Borrowed(&doc.routes),
        }
    }
}

/// A service account ([`schema::ServiceAccount`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ServiceAccount<'a> {
    pub(crate) namespace: Str<'a>,
    pub(crate) name: Str<'a>,
    pub(crate) uid: Str<'a>,
    pub(crate) id: Option<Str<'a>>,
    pub(crate) kind: AccountKind,
    pub(crate) impersonate: Option<Str<'a>>,
    pub(crate) expires_at: Option<Str<'a>>,
    pub(crate) secrets: Vec<Str<'a>>,
}

impl<'a> From<&'a schema::ServiceAccount> for ServiceAccount<'a> {
    fn from(sa: &'a schema::ServiceAccount) -> ServiceAccount<'a> {
        ServiceAccount {
            namespace: Str::from(&sa.namespace),
            name: Str::from(&sa.name),
            uid: Str::from(&sa.uid),
            id: sa.id.as_ref().map(Str::from),
            kind: sa.kind,
            impersonate: sa.impersonate.as_ref().map(Str::from),
            expires_at: sa.expires_at.as_ref().map(Str::from),
            secrets: strs(&sa.secrets),
        }
    }
}

/// A revoked token id ([`schema::Revocation`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Revocation<'a> {
    pub(crate) id: Str<'a>,
    pub(crate) revoked_at: Option<Str<'a>>,
}

impl<'a> From<&'a schema::Revocation> for Revocation<'a> {
    fn from(r: &'a schema::Revocation) -> Revocation<'a> {
        Revocation {
            id: Str::from(&r.id),
            revoked_at: r.revoked_at.as_ref().map(Str::from),
        }
    }
}

/// What a binding grants ([`schema::RoleRef`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RoleRef<'a> {
    pub(crate) kind: Str<'a>,
    pub(crate) name: Str<'a>,
    pub(crate) api_group: Option<Str<'a>>,
}

impl<'a> From<&'a schema::RoleRef> for RoleRef<'a> {
    fn from(r: &'a schema::RoleRef) -> RoleRef<'a> {
        RoleRef {
            kind: Str::from(&r.kind),
            name: Str::from(&r.name),
            api_group: r.api_group.as_ref().map(Str::from),
        }
    }
}

/// Who a binding grants to ([`schema::Subject`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Subject<'a> {
    pub(crate) kind: Str<'a>,
    pub(crate) name: Str<'a>,
    pub(crate) namespace: Option<Str<'a>>,
    pub(crate) api_group: Option<Str<'a>>,
}

impl<'a> From<&'a schema::Subject> for Subject<'a> {
    fn from(s: &'a schema::Subject) -> Subject<'a> {
        Subject {
            kind: Str::from(&s.kind),
            name: Str::from(&s.name),
            namespace: s.namespace.as_ref().map(Str::from),
            api_group: s.api_group.as_ref().map(Str::from),
        }
    }
}

/// A namespaced binding ([`schema::RoleBinding`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RoleBinding<'a> {
    pub(crate) name: Str<'a>,
    pub(crate) namespace: Str<'a>,
    pub(crate) role_ref: RoleRef<'a>,
    pub(crate) subjects: Vec<Subject<'a>>,
}

impl<'a> From<&'a schema::RoleBinding> for RoleBinding<'a> {
    fn from(b: &'a schema::RoleBinding) -> RoleBinding<'a> {
        RoleBinding {
            name: Str::from(&b.name),
            namespace: Str::from(&b.namespace),
            role_ref: RoleRef::from(&b.role_ref),
            subjects: b.subjects.iter().map(Subject::from).collect(),
        }
    }
}

/// A cluster-wide binding ([`schema::ClusterRoleBinding`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClusterRoleBinding<'a> {
    pub(crate) name: Str<'a>,
    pub(crate) role_ref: RoleRef<'a>,
    pub(crate) subjects: Vec<Subject<'a>>,
}

impl<'a> From<&'a schema::ClusterRoleBinding> for ClusterRoleBinding<'a> {
    fn from(b: &'a schema::ClusterRoleBinding) -> ClusterRoleBinding<'a> {
        ClusterRoleBinding {
            name: Str::from(&b.name),
            role_ref: RoleRef::from(&b.role_ref),
            subjects: b.subjects.iter().map(Subject::from).collect(),
        }
    }
}
