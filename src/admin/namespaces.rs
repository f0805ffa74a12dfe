//! Namespaces and OpenShift projects (DESIGN 1.1, 1.2): `create namespace` (a node of the
//! tree) and `new-project` (a root namespace with the default accounts `builder`, `deployer`
//! and `default`, their tokens, and OpenShift's three default bindings).

use serde::Serialize;

use super::accounts::{self, CreatedAccount, NewAccount};
use super::output::{Render, Table};
use super::{AdminError, Result, State};
use crate::names::{check_dns1123_label, namespace_accounts_group};
use crate::schema::{BundleDocument, Namespace, RoleBinding, RoleRef, Subject};
use crate::time::UnixTime;

/// The RBAC API group.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Fails unless `name` is a namespace of the document.
pub fn require(doc: &BundleDocument, name: &str) -> Result<()> {
    if doc.namespaces.iter().any(|n| n.name == name) {
        Ok(())
    } else {
        Err(AdminError::NotFound {
            kind: "namespace",
            name: name.to_string(),
            namespace: None,
        })
    }
}

/// Adds a namespace (under `parent`, or a root). Saves the state.
pub fn create(state: &mut State, name: &str, parent: Option<&str>) -> Result<Namespace> {
    let ns = create_unsaved(state, name, parent)?;
    state.save()?;
    Ok(ns)
}

fn create_unsaved(state: &mut State, name: &str, parent: Option<&str>) -> Result<Namespace> {
    check_dns1123_label(name).map_err(|why| AdminError::input(format!("namespace name: {why}")))?;
    if require(state.doc(), name).is_ok() {
        return Err(AdminError::AlreadyExists {
            kind: "namespace",
            name: name.to_string(),
            namespace: None,
        });
    }
    if let Some(p) = parent {
        require(state.doc(), p)
            .map_err(|_| AdminError::input(format!("--parent: namespace {p:?} does not exist")))?;
    }
    let ns = Namespace {
        name: name.to_string(),
        parent: parent.map(str::to_string),
    };
    state.doc_mut().namespaces.push(ns.clone());
    Ok(ns)
}

impl Render for Namespace {
    fn render(&self) -> String {
        match &self.parent {
            Some(p) => format!("namespace/{} created (parent {p})\n", self.name),
            None => format!("namespace/{} created\n", self.name),
        }
    }
}

/// What `new-project` made.
#[derive(Debug, Clone, Serialize)]
pub struct Project {
    /// The namespace.
    pub namespace: String,
    /// The default accounts with their first tokens (shown once).
    pub service_accounts: Vec<CreatedAccount>,
    /// The default bindings.
    pub role_bindings: Vec<RoleBinding>,
}

impl Render for Project {
    fn render(&self) -> String {
        let mut out = format!("project/{} created\n\n", self.namespace);
        let mut t = Table::new(&["service account", "secret"]);
        for a in &self.service_accounts {
            t.row([
                a.service_account.name.clone(),
                a.token.secret.clone().unwrap_or_default(),
            ]);
        }
        out.push_str(&t.render());
        out.push('\n');
        let mut t = Table::new(&["role binding", "role", "subjects"]);
        for b in &self.role_bindings {
            let subjects: Vec<String> = b
                .subjects
                .iter()
                .map(|s| format!("{}/{}", s.kind, s.name))
                .collect();
            t.row([
                b.name.clone(),
                format!("{}/{}", b.role_ref.kind, b.role_ref.name),
                subjects.join(","),
            ]);
        }
        out.push_str(&t.render());
        out.push_str("\ntokens (shown once, not stored):\n");
        for a in &self.service_accounts {
            out.push_str(&format!(
                "{}  {}\n",
                a.token.secret.clone().unwrap_or_default(),
                a.token.token
            ));
        }
        out
    }
}

fn binding(ns: &str, name: &str, role: &str, subject: Subject) -> RoleBinding {
    RoleBinding {
        name: name.into(),
        namespace: ns.into(),
        role_ref: RoleRef {
            kind: "ClusterRole".into(),
            name: role.into(),
            api_group: Some(RBAC_GROUP.into()),
        },
        subjects: vec![subject],
    }
}

fn service_account(ns: &str, name: &str) -> Subject {
    Subject {
        kind: "ServiceAccount".into(),
        name: name.into(),
        namespace: Some(ns.into()),
        api_group: None,
    }
}

/// `tessera new-project NAME`: OpenShift's project with its defaults. Saves the state once.
pub fn new_project(state: &mut State, name: &str, now: UnixTime) -> Result<Project> {
    create_unsaved(state, name, None)?;
    let mut created = Vec::new();
    for account in ["builder", "deployer", "default"] {
        let new = NewAccount {
            namespace: name.into(),
            name: account.into(),
            ..NewAccount::default()
        };
        created.push(accounts::create_unsaved(state, &new, now)?);
    }
    let bindings = vec![
        binding(
            name,
            "system:image-builders",
            "system:image-builder",
            service_account(name, "builder"),
        ),
        binding(
            name,
            "system:deployers",
            "system:deployer",
            service_account(name, "deployer"),
        ),
        binding(
            name,
            "system:image-pullers",
            "system:image-puller",
            Subject {
                kind: "Group".into(),
                name: namespace_accounts_group(name),
                namespace: None,
                api_group: Some(RBAC_GROUP.into()),
            },
        ),
    ];
    state.doc_mut().role_bindings.extend(bindings.clone());
    state.save()?;
    Ok(Project {
        namespace: name.into(),
        service_accounts: created,
        role_bindings: bindings,
    })
}
