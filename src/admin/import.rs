//! `tessera import -f FILE`: Kubernetes objects as `kubectl get -o json` (or `-o yaml`) writes
//! them, so a cluster's RBAC can be brought in: a `List` (or one object) of Namespace,
//! ServiceAccount, Role, ClusterRole, RoleBinding, ClusterRoleBinding and Secret of type
//! `kubernetes.io/service-account-token`. An object that exists already is replaced
//! (`configured`); other kinds are skipped with a note. Nothing is saved unless the whole
//! result makes a valid bundle.
//!
//! A ServiceAccount keeps its `metadata.uid`, so tokens the cluster issued name the same
//! account; a token Secret adds its name to its account's live secrets (the token itself is
//! not read: it verifies only if signed with a key of the state's `legacy` issuer).

use std::path::Path;

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::output::{Render, Table};
use super::{ids, AdminError, Result, State};
use crate::names::check_dns1123_label;
use crate::schema::{
    ClusterRole, ClusterRoleBinding, Namespace, Role, RoleBinding, ServiceAccount,
};

/// The Secret type of service-account tokens.
pub const TOKEN_SECRET_TYPE: &str = "kubernetes.io/service-account-token";

/// One object of the import and what happened to it.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    /// `kind/name`.
    pub object: String,
    /// Its namespace, if namespaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `created`, `configured` or `skipped`.
    pub action: &'static str,
    /// Why it was skipped, or a note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What `import` did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// Every object, in file order (namespaces created for them first).
    pub objects: Vec<Imported>,
    /// Things to know (stderr).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Render for ImportReport {
    fn render(&self) -> String {
        let mut t = Table::new(&["object", "namespace", "action", "note"]);
        for o in &self.objects {
            t.row([
                o.object.clone(),
                o.namespace.clone().unwrap_or_default(),
                o.action.to_string(),
                o.note.clone().unwrap_or_default(),
            ]);
        }
        t.render()
    }
}

fn read_objects(path: &Path) -> Result<Vec<Value>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AdminError::input(format!("-f: {}: {e}", path.display())))?;
    let value: Value = if text.trim_start().starts_with('{') {
        serde_json::from_str(&text)
            .map_err(|e| AdminError::input(format!("-f: {}: not JSON: {e}", path.display())))?
    } else {
        serde_yaml_ng::from_str(&text).map_err(|e| {
            AdminError::input(format!("-f: {}: not JSON or YAML: {e}", path.display()))
        })?
    };
    let kind = value
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if kind.ends_with("List") {
        match value.get("items") {
            Some(Value::Array(items)) => Ok(items.clone()),
            _ => Err(AdminError::input(format!(
                "-f: {}: a {kind} without an items array",
                path.display()
            ))),
        }
    } else if kind.is_empty() {
        Err(AdminError::input(format!(
            "-f: {}: not a Kubernetes object (no kind)",
            path.display()
        )))
    } else {
        Ok(vec![value])
    }
}

struct Object<'a> {
    at: String,
    kind: &'a str,
    value: &'a Value,
    meta: &'a Map<String, Value>,
}

impl<'a> Object<'a> {
    fn str_meta(&self, field: &str) -> Option<&'a str> {
        self.meta.get(field).and_then(Value::as_str)
    }

    fn name(&self) -> Result<String> {
        self.str_meta("name")
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .ok_or_else(|| AdminError::input(format!("{}.metadata.name: missing", self.at)))
    }

    fn namespace(&self) -> Result<String> {
        self.str_meta("namespace")
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .ok_or_else(|| {
                AdminError::input(format!(
                    "{}.metadata.namespace: missing (a {} is namespaced)",
                    self.at, self.kind
                ))
            })
    }

    fn field(&self, name: &str) -> Value {
        self.value.get(name).cloned().unwrap_or(Value::Null)
    }

    /// Deserialises `value` into a schema type, naming the object on error.
    fn parse<T: serde::de::DeserializeOwned>(&self, value: Value) -> Result<T> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            AdminError::input(format!(
                "{} ({}): {}: {}",
                self.at,
                self.kind,
                e.path(),
                e.inner()
            ))
        })
    }
}

fn without_nulls(mut v: Value) -> Value {
    if let Value::Object(m) = &mut v {
        m.retain(|_, x| !x.is_null());
    }
    v
}

/// Imports the objects of `path`. Saves the state if the result is a valid bundle.
pub fn import(state: &mut State, path: &Path) -> Result<ImportReport> {
    let items = read_objects(path)?;
    let mut report = ImportReport {
        objects: Vec::new(),
        warnings: Vec::new(),
    };
    let mut objects = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("items[{i}]");
        let kind = item.get("kind").and_then(Value::as_str).unwrap_or_default();
        let meta = item
            .get("metadata")
            .and_then(Value::as_object)
            .ok_or_else(|| AdminError::input(format!("{at}.metadata: missing")))?;
        objects.push(Object {
            at,
            kind,
            value: item,
            meta,
        });
    }
    // Namespaces first, then accounts, then everything that refers to them.
    let order = |k: &str| match k {
        "Namespace" | "Project" => 0,
        "ServiceAccount" => 1,
        "Secret" => 3,
        _ => 2,
    };
    objects.sort_by_key(|o| order(o.kind));
    for o in &objects {
        let entry = import_one(state, o, &mut report)?;
        report.objects.push(entry);
    }
    state.save()?;
    Ok(report)
}

fn ensure_namespace(state: &mut State, ns: &str, report: &mut ImportReport) -> Result<()> {
    if super::namespaces::require(state.doc(), ns).is_ok() {
        return Ok(());
    }
    check_dns1123_label(ns).map_err(|why| AdminError::input(format!("namespace: {why}")))?;
    state.doc_mut().namespaces.push(Namespace {
        name: ns.into(),
        parent: None,
    });
    report.objects.push(Imported {
        object: format!("namespace/{ns}"),
        namespace: None,
        action: "created",
        note: Some("referred to by an object".into()),
    });
    Ok(())
}

fn replace<T>(list: &mut Vec<T>, item: T, same: impl Fn(&T) -> bool) -> &'static str {
    match list.iter().position(same) {
        Some(i) => {
            list[i] = item;
            "configured"
        }
        None => {
            list.push(item);
            "created"
        }
    }
}

fn import_one(state: &mut State, o: &Object<'_>, report: &mut ImportReport) -> Result<Imported> {
    let name = o.name()?;
    let lower = o.kind.to_ascii_lowercase();
    let mut entry = Imported {
        object: format!("{lower}/{name}"),
        namespace: None,
        action: "created",
        note: None,
    };
    match o.kind {
        "Namespace" | "Project" => {
            entry.object = format!("namespace/{name}");
            if super::namespaces::require(state.doc(), &name).is_ok() {
                entry.action = "unchanged";
            } else {
                ensure_namespace(state, &name, report)?;
                report.objects.pop();
            }
        }
        "ServiceAccount" => {
            let ns = o.namespace()?;
            ensure_namespace(state, &ns, report)?;
            check_dns1123_label(&name)
                .map_err(|why| AdminError::input(format!("{}.metadata.name: {why}", o.at)))?;
            let uid = o.str_meta("uid").map(str::to_string);
            let accounts = &mut state.doc_mut().service_accounts;
            entry.action = match accounts
                .iter_mut()
                .find(|a| a.namespace == ns && a.name == name)
            {
                Some(a) => {
                    // Without a uid the account keeps its own, and its tokens stay valid.
                    if let Some(uid) = uid {
                        a.uid = uid;
                    }
                    "configured"
                }
                None => {
                    let uid = uid.unwrap_or_else(ids::uuid_v4);
                    accounts.push(ServiceAccount {
                        namespace: ns.clone(),
                        name: name.clone(),
                        uid,
                        id: None,
                        kind: Default::default(),
                        impersonate: None,
                        expires_at: None,
                        secrets: Vec::new(),
                    });
                    "created"
                }
            };
            entry.namespace = Some(ns);
        }
        "Role" => {
            let ns = o.namespace()?;
            ensure_namespace(state, &ns, report)?;
            let role: Role = o.parse(without_nulls(
                json!({"name": name, "namespace": ns, "rules": o.field("rules")}),
            ))?;
            entry.action = replace(&mut state.doc_mut().roles, role, |r| {
                r.name == name && r.namespace == ns
            });
            entry.namespace = Some(ns);
        }
        "ClusterRole" => {
            let labels = o.meta.get("labels").cloned().unwrap_or(Value::Null);
            let role: ClusterRole = o.parse(without_nulls(json!({
                "name": name, "labels": labels, "rules": o.field("rules"),
                "aggregationRule": o.field("aggregationRule"),
            })))?;
            entry.action = replace(&mut state.doc_mut().cluster_roles, role, |r| r.name == name);
        }
        "RoleBinding" => {
            let ns = o.namespace()?;
            ensure_namespace(state, &ns, report)?;
            let binding: RoleBinding = o.parse(without_nulls(json!({
                "name": name, "namespace": ns, "roleRef": o.field("roleRef"),
                "subjects": o.field("subjects"),
            })))?;
            entry.action = replace(&mut state.doc_mut().role_bindings, binding, |b| {
                b.name == name && b.namespace == ns
            });
            entry.namespace = Some(ns);
        }
        "ClusterRoleBinding" => {
            let binding: ClusterRoleBinding = o.parse(without_nulls(json!({
                "name": name, "roleRef": o.field("roleRef"), "subjects": o.field("subjects"),
            })))?;
            report
                .warnings
                .extend(super::bindings::cluster_binding_warnings(&binding));
            entry.action = replace(&mut state.doc_mut().cluster_role_bindings, binding, |b| {
                b.name == name
            });
        }
        "Secret" => {
            let ns = o.namespace()?;
            entry.namespace = Some(ns.clone());
            let kind = o
                .value
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if kind != TOKEN_SECRET_TYPE {
                entry.action = "skipped";
                entry.note = Some(format!("type {kind:?} is not {TOKEN_SECRET_TYPE}"));
                return Ok(entry);
            }
            let annotations = o.meta.get("annotations").and_then(Value::as_object);
            let annotation = |key: &str| {
                annotations
                    .and_then(|a| a.get(key))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            let account = annotation("kubernetes.io/service-account.name").ok_or_else(|| {
                AdminError::input(format!(
                    "{}.metadata.annotations: kubernetes.io/service-account.name missing (a token secret names its account)",
                    o.at
                ))
            })?;
            let uid = annotation("kubernetes.io/service-account.uid");
            let Some(sa) = state
                .doc_mut()
                .service_accounts
                .iter_mut()
                .find(|a| a.namespace == ns && a.name == account)
            else {
                entry.action = "skipped";
                entry.note = Some(format!("service account {ns}/{account} does not exist"));
                return Ok(entry);
            };
            if uid.as_deref().is_some_and(|u| u != sa.uid) {
                entry.action = "skipped";
                entry.note = Some(format!(
                    "its account uid {} is not {ns}/{account}'s ({})",
                    uid.unwrap_or_default(),
                    sa.uid
                ));
                return Ok(entry);
            }
            if sa.secrets.contains(&name) {
                entry.action = "unchanged";
            } else {
                sa.secrets.push(name.clone());
            }
            entry.note = Some(format!("token of {ns}/{account}"));
        }
        other => {
            entry.object = format!("{}/{name}", if other.is_empty() { "?" } else { other });
            entry.action = "skipped";
            entry.note = Some(format!("kind {other:?} is not imported"));
        }
    }
    Ok(entry)
}
