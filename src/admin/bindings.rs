//! Role bindings' parts: subjects as `oc` and `kubectl` read them, the role a binding refers
//! to, the warnings a binding draws, and `kubectl create (cluster)rolebinding`. Cluster role
//! bindings grant in every namespace, which is why naming a service account in one draws a
//! warning. `oc policy` / `oc adm policy`'s verbs, which add subjects to a role's binding and
//! take them out, are in `policy.rs`.

use serde::Serialize;

use super::namespaces::RBAC_GROUP;
use super::output::Render;
use super::{AdminError, Result, State};
use crate::bundle::{NamespaceTree, Problems};
use crate::names::{
    check_dns1123_label, parse_service_account_username, ALL_SERVICE_ACCOUNTS_GROUP,
};
use crate::schema::{BundleDocument, ClusterRoleBinding, RoleBinding, RoleRef, Subject};

/// A `User` subject; `system:serviceaccount:<ns>:<name>` becomes a `ServiceAccount`, as `oc`
/// does.
pub fn user(name: &str) -> Result<Subject> {
    if name.trim().is_empty() {
        return Err(AdminError::input("USER: must not be empty"));
    }
    if let Some((ns, sa)) = parse_service_account_username(name) {
        return Ok(service_account(ns, sa));
    }
    if name.starts_with(crate::names::SERVICE_ACCOUNT_USER_PREFIX) {
        return Err(AdminError::input(format!(
            "USER: {name:?} is not system:serviceaccount:<namespace>:<name>"
        )));
    }
    Ok(Subject {
        kind: "User".into(),
        name: name.into(),
        namespace: None,
        api_group: Some(RBAC_GROUP.into()),
    })
}

/// A `Group` subject.
pub fn group(name: &str) -> Result<Subject> {
    if name.trim().is_empty() {
        return Err(AdminError::input("GROUP: must not be empty"));
    }
    Ok(Subject {
        kind: "Group".into(),
        name: name.into(),
        namespace: None,
        api_group: Some(RBAC_GROUP.into()),
    })
}

/// A `ServiceAccount` subject.
pub fn service_account(namespace: &str, name: &str) -> Subject {
    Subject {
        kind: "ServiceAccount".into(),
        name: name.into(),
        namespace: Some(namespace.into()),
        api_group: None,
    }
}

/// A `ServiceAccount` subject from `oc policy`'s `-z NAME` (an account of `namespace`): a
/// short name, as `oc` requires, checked here so that the error names the flag.
pub fn service_account_flag(namespace: &str, name: &str) -> Result<Subject> {
    if name.contains(':') {
        return Err(AdminError::input(format!(
            "-z: {name:?}: -z takes the short name of a service account of the namespace; give system:serviceaccount:NS:NAME as a user instead"
        )));
    }
    check_dns1123_label(name).map_err(|why| AdminError::input(format!("-z: {why}")))?;
    Ok(service_account(namespace, name))
}

/// A `ServiceAccount` subject from `kubectl`'s `--serviceaccount NAMESPACE:NAME`.
pub fn service_account_arg(value: &str) -> Result<Subject> {
    match value.split_once(':') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains(':') => {
            Ok(service_account(ns, name))
        }
        _ => Err(AdminError::input(format!(
            "--serviceaccount: {value:?} is not NAMESPACE:NAME"
        ))),
    }
}

pub(super) fn same_subject(a: &Subject, b: &Subject, binding_ns: Option<&str>) -> bool {
    let ns = |s: &Subject| s.namespace.clone().or(binding_ns.map(str::to_string));
    a.kind == b.kind && a.name == b.name && (a.kind != "ServiceAccount" || ns(a) == ns(b))
}

/// Which role a binding in `namespace` refers to: `kind` if given, else the ClusterRole of
/// that name (as `oc policy` defaults), else the namespace's Role.
pub fn role_ref(
    doc: &BundleDocument,
    namespace: Option<&str>,
    role: &str,
    kind: Option<&str>,
) -> Result<RoleRef> {
    let cluster = doc.cluster_roles.iter().any(|r| r.name == role);
    let local = namespace.is_some_and(|ns| {
        doc.roles
            .iter()
            .any(|r| r.name == role && r.namespace == ns)
    });
    let kind = match kind {
        Some("ClusterRole") if cluster => "ClusterRole",
        Some("Role") if local => "Role",
        Some("Role") if namespace.is_none() => {
            return Err(AdminError::input(
                "--role-kind: a cluster role binding refers to a ClusterRole",
            ))
        }
        Some(k @ ("ClusterRole" | "Role")) => {
            return Err(AdminError::NotFound {
                kind: if k == "Role" { "role" } else { "clusterrole" },
                name: role.into(),
                namespace: (k == "Role").then(|| namespace.unwrap_or_default().to_string()),
            })
        }
        Some(other) => {
            return Err(AdminError::input(format!(
                "--role-kind: {other:?} is not Role or ClusterRole"
            )))
        }
        None if cluster => "ClusterRole",
        None if local => "Role",
        None => {
            return Err(AdminError::input(format!(
                "ROLE: {role:?} is neither a ClusterRole nor a Role{}",
                namespace
                    .map(|ns| format!(" of namespace {ns:?}"))
                    .unwrap_or_default()
            )))
        }
    };
    Ok(RoleRef {
        kind: kind.into(),
        name: role.into(),
        api_group: Some(RBAC_GROUP.into()),
    })
}

/// What a binding change did.
#[derive(Debug, Clone, Serialize)]
pub struct BindingChange {
    /// The binding's name.
    pub binding: String,
    /// Its namespace (none for a cluster role binding).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The role it refers to.
    pub role_ref: RoleRef,
    /// `created`, `updated`, `deleted` (no subject left) or `unchanged`.
    pub action: &'static str,
    /// The subjects added or removed.
    pub subjects: Vec<Subject>,
    /// Things to know (stderr).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

pub(super) fn subject_text(s: &Subject) -> String {
    match (&s.kind[..], &s.namespace) {
        ("ServiceAccount", Some(ns)) => format!("ServiceAccount {ns}/{}", s.name),
        (kind, _) => format!("{kind} {}", s.name),
    }
}

impl Render for BindingChange {
    fn render(&self) -> String {
        let whom: Vec<String> = self.subjects.iter().map(subject_text).collect();
        let (what, at) = match &self.namespace {
            Some(ns) => ("rolebinding", format!(" in namespace {ns}")),
            None => ("clusterrolebinding", String::new()),
        };
        format!(
            "{what}/{} {}{at}: {} {} for {}\n",
            self.binding,
            self.action,
            self.role_ref.kind,
            self.role_ref.name,
            whom.join(", ")
        )
    }
}

pub(super) fn warn_unknown_accounts(
    doc: &BundleDocument,
    subjects: &[Subject],
    ns: Option<&str>,
) -> Vec<String> {
    subjects
        .iter()
        .filter(|s| s.kind == "ServiceAccount")
        .filter_map(|s| {
            let sns = s.namespace.as_deref().or(ns)?;
            let exists = doc
                .service_accounts
                .iter()
                .any(|a| a.namespace == sns && a.name == s.name);
            (!exists).then(|| {
                format!(
                    "service account {sns}/{} does not exist (yet): the binding applies once it does",
                    s.name
                )
            })
        })
        .collect()
}

/// A warning for each subject a RoleBinding in `namespace` can never apply to: an account (or
/// the accounts of a project's group) of a namespace that `namespace` is not within, since an
/// account acts only in its own namespace and its descendants. Kubernetes would honour such a
/// binding; tessera never does (docs/semantics.md, RBAC).
pub(super) fn warn_outside(
    doc: &BundleDocument,
    subjects: &[Subject],
    namespace: &str,
) -> Vec<String> {
    let tree = NamespaceTree::build(&doc.namespaces, &mut Problems::default());
    let mut warnings = Vec::new();
    for s in subjects {
        let home = match s.kind.as_str() {
            "ServiceAccount" => s.namespace.as_deref().unwrap_or(namespace),
            "Group" => match s
                .name
                .strip_prefix(ALL_SERVICE_ACCOUNTS_GROUP)
                .and_then(|rest| rest.strip_prefix(':'))
            {
                Some(project) => project,
                None => continue,
            },
            _ => continue,
        };
        if !tree.is_within(namespace, home) {
            warnings.push(format!(
                "a RoleBinding in namespace {namespace:?} never applies to {} {:?}: an account acts only in its own namespace ({home:?}) and the namespaces below it",
                s.kind, s.name
            ));
        }
    }
    warnings
}

pub(super) fn cluster_wide_warnings(subjects: &[Subject], binding: &str) -> Vec<String> {
    subjects
        .iter()
        .filter(|s| s.kind == "ServiceAccount")
        .map(|s| {
            format!(
                "clusterrolebinding {binding:?} names ServiceAccount {}/{}: it grants in every namespace, beyond the account's own; use a RoleBinding to keep it in its namespace",
                s.namespace.as_deref().unwrap_or("?"),
                s.name
            )
        })
        .collect()
}

/// `kubectl create rolebinding NAME -n NS` (namespace given) or `create clusterrolebinding
/// NAME` (none). Saves the state.
pub fn create_binding(
    state: &mut State,
    name: &str,
    namespace: Option<&str>,
    role: &str,
    role_kind: &str,
    subjects: Vec<Subject>,
) -> Result<BindingChange> {
    if name.trim().is_empty() {
        return Err(AdminError::input("binding name: must not be empty"));
    }
    if subjects.is_empty() {
        return Err(AdminError::input(
            "at least one --user, --group or --serviceaccount is required",
        ));
    }
    if let Some(ns) = namespace {
        super::namespaces::require(state.doc(), ns)?;
    }
    let role_ref = role_ref(state.doc(), namespace, role, Some(role_kind))?;
    let mut warnings = warn_unknown_accounts(state.doc(), &subjects, namespace);
    if let Some(ns) = namespace {
        warnings.extend(warn_outside(state.doc(), &subjects, ns));
    }
    match namespace {
        Some(ns) => {
            if state
                .doc()
                .role_bindings
                .iter()
                .any(|b| b.name == name && b.namespace == ns)
            {
                return Err(AdminError::AlreadyExists {
                    kind: "rolebinding",
                    name: name.into(),
                    namespace: Some(ns.into()),
                });
            }
            state.doc_mut().role_bindings.push(RoleBinding {
                name: name.into(),
                namespace: ns.into(),
                role_ref: role_ref.clone(),
                subjects: subjects.clone(),
            });
        }
        None => {
            if state
                .doc()
                .cluster_role_bindings
                .iter()
                .any(|b| b.name == name)
            {
                return Err(AdminError::AlreadyExists {
                    kind: "clusterrolebinding",
                    name: name.into(),
                    namespace: None,
                });
            }
            warnings.extend(cluster_wide_warnings(&subjects, name));
            state
                .doc_mut()
                .cluster_role_bindings
                .push(ClusterRoleBinding {
                    name: name.into(),
                    role_ref: role_ref.clone(),
                    subjects: subjects.clone(),
                });
        }
    }
    state.save()?;
    Ok(BindingChange {
        binding: name.into(),
        namespace: namespace.map(str::to_string),
        role_ref,
        action: "created",
        subjects,
        warnings,
    })
}

/// Warnings for a cluster role binding read from elsewhere (`import`).
pub fn cluster_binding_warnings(binding: &ClusterRoleBinding) -> Vec<String> {
    cluster_wide_warnings(&binding.subjects, &binding.name)
}
