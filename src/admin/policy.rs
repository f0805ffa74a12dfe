//! `oc policy add-role-to-user|group` / `remove-role-from-user|group` (a namespace's
//! RoleBindings) and `oc adm policy add-cluster-role-to-user|group` /
//! `remove-cluster-role-from-user|group` (the ClusterRoleBindings): adding puts the subjects in
//! the role's binding, created and named after the role if there is none; removing takes them
//! out of every binding of the role and deletes the bindings it left without subjects. One
//! implementation serves both kinds of binding.

use super::bindings::{
    cluster_wide_warnings, role_ref, same_subject, subject_text, warn_outside,
    warn_unknown_accounts, BindingChange,
};
use super::{AdminError, Result, State};
use crate::schema::{ClusterRoleBinding, RoleBinding, RoleRef, Subject};

/// What adding and removing need of a binding, whichever its kind.
trait Binding {
    fn name(&self) -> &str;
    fn role_ref(&self) -> &RoleRef;
    fn subjects_mut(&mut self) -> &mut Vec<Subject>;
}

/// The same three fields in both kinds of binding.
macro_rules! binding {
    ($($kind:ty),*) => {$(
        impl Binding for $kind {
            fn name(&self) -> &str {
                &self.name
            }
            fn role_ref(&self) -> &RoleRef {
                &self.role_ref
            }
            fn subjects_mut(&mut self) -> &mut Vec<Subject> {
                &mut self.subjects
            }
        }
    )*};
}

binding!(RoleBinding, ClusterRoleBinding);

/// The bindings of one scope: a namespace's RoleBindings (`namespace` set), or the
/// ClusterRoleBindings.
struct Scope<'a, B> {
    bindings: &'a mut Vec<B>,
    /// Whether a binding of `bindings` is in the scope.
    holds: &'a dyn Fn(&B) -> bool,
    /// The namespace of a ServiceAccount subject written without one (a RoleBinding's own).
    namespace: Option<&'a str>,
}

const NO_SUBJECT: &str = "a user, group or -z SERVICEACCOUNT is required";

impl<B: Binding> Scope<'_, B> {
    /// Adds `subjects` to the binding `binding_name`, or else to the scope's first binding of
    /// `role_ref`, or else to a new one (`make(name, subjects)`) named `binding_name` or after
    /// the role (`role`, `role-0`, ...). Returns its name, what happened and the subjects added.
    fn add(
        self,
        role_ref: &RoleRef,
        subjects: Vec<Subject>,
        binding_name: Option<&str>,
        make: impl FnOnce(String, Vec<Subject>) -> B,
    ) -> Result<(String, &'static str, Vec<Subject>)> {
        let Scope {
            bindings,
            holds,
            namespace,
        } = self;
        let same_role =
            |b: &B| b.role_ref().kind == role_ref.kind && b.role_ref().name == role_ref.name;
        let existing = match binding_name {
            Some(name) => {
                let found = bindings.iter().position(|b| holds(b) && b.name() == name);
                if let Some(b) = found.and_then(|i| bindings.get(i)) {
                    if !same_role(b) {
                        return Err(AdminError::input(format!(
                            "--rolebinding-name: {name:?} refers to {} {:?}, not {} {:?}",
                            b.role_ref().kind,
                            b.role_ref().name,
                            role_ref.kind,
                            role_ref.name
                        )));
                    }
                }
                found
            }
            None => bindings.iter().position(|b| holds(b) && same_role(b)),
        };
        if let Some(b) = existing.and_then(|i| bindings.get_mut(i)) {
            let mut added = Vec::new();
            for s in subjects {
                if !b
                    .subjects_mut()
                    .iter()
                    .any(|x| same_subject(x, &s, namespace))
                {
                    b.subjects_mut().push(s.clone());
                    added.push(s);
                }
            }
            let action = if added.is_empty() {
                "unchanged"
            } else {
                "updated"
            };
            return Ok((b.name().to_string(), action, added));
        }
        let name = match binding_name {
            Some(n) => n.to_string(),
            None => {
                let taken = |n: &str| bindings.iter().any(|b| holds(b) && b.name() == n);
                let mut name = role_ref.name.clone();
                let mut i = 0;
                while taken(&name) {
                    name = format!("{}-{i}", role_ref.name);
                    i += 1;
                }
                name
            }
        };
        bindings.push(make(name.clone(), subjects.clone()));
        Ok((name, "created", subjects))
    }

    /// Takes `subjects` out of every binding of the role `role` (of `kind`, when known) in the
    /// scope, and deletes the bindings this left without subjects (others without subjects
    /// stay). Returns what changed, as (binding, role, action, subjects removed).
    fn remove(
        self,
        role: &str,
        kind: Option<&str>,
        subjects: &[Subject],
    ) -> Vec<(String, RoleRef, &'static str, Vec<Subject>)> {
        let Scope {
            bindings,
            holds,
            namespace,
        } = self;
        let mut changes = Vec::new();
        for b in bindings.iter_mut() {
            if !holds(b)
                || b.role_ref().name != role
                || kind.is_some_and(|k| b.role_ref().kind != k)
            {
                continue;
            }
            let (name, role_ref) = (b.name().to_string(), b.role_ref().clone());
            let list = b.subjects_mut();
            let before = list.clone();
            list.retain(|x| !subjects.iter().any(|s| same_subject(x, s, namespace)));
            if list.len() != before.len() {
                let removed: Vec<Subject> =
                    before.into_iter().filter(|x| !list.contains(x)).collect();
                let action = if list.is_empty() {
                    "deleted"
                } else {
                    "updated"
                };
                changes.push((name, role_ref, action, removed));
            }
        }
        bindings.retain_mut(|b| {
            !(holds(b)
                && b.subjects_mut().is_empty()
                && changes.iter().any(|(name, ..)| name == b.name()))
        });
        changes
    }
}

/// The kind `--role-kind` names, checked.
fn checked_kind(role_kind: Option<&str>) -> Result<Option<&str>> {
    match role_kind {
        None | Some("Role" | "ClusterRole") => Ok(role_kind),
        Some(other) => Err(AdminError::input(format!(
            "--role-kind: {other:?} is not Role or ClusterRole"
        ))),
    }
}

/// `oc policy add-role-to-user|group ROLE SUBJECT... -n NS`. Saves the state.
pub fn add_role(
    state: &mut State,
    namespace: &str,
    role: &str,
    subjects: Vec<Subject>,
    role_kind: Option<&str>,
    binding_name: Option<&str>,
) -> Result<BindingChange> {
    super::namespaces::require(state.doc(), namespace)?;
    if subjects.is_empty() {
        return Err(AdminError::input(NO_SUBJECT));
    }
    let role_ref = role_ref(state.doc(), Some(namespace), role, role_kind)?;
    let mut warnings = warn_unknown_accounts(state.doc(), &subjects, Some(namespace));
    warnings.extend(warn_outside(state.doc(), &subjects, namespace));
    let in_namespace = |b: &RoleBinding| b.namespace == namespace;
    let scope = Scope {
        bindings: &mut state.doc_mut().role_bindings,
        holds: &in_namespace,
        namespace: Some(namespace),
    };
    let (binding, action, added) =
        scope.add(&role_ref, subjects, binding_name, |name, subjects| {
            RoleBinding {
                name,
                namespace: namespace.into(),
                role_ref: role_ref.clone(),
                subjects,
            }
        })?;
    state.save()?;
    Ok(BindingChange {
        binding,
        namespace: Some(namespace.into()),
        role_ref,
        action,
        subjects: added,
        warnings,
    })
}

/// `oc adm policy add-cluster-role-to-user|group ROLE SUBJECT...`: the subjects go in the
/// ClusterRoleBinding of the ClusterRole (created, named after it, if there is none). Saves the
/// state.
pub fn add_cluster_role(
    state: &mut State,
    role: &str,
    subjects: Vec<Subject>,
    binding_name: Option<&str>,
) -> Result<BindingChange> {
    if subjects.is_empty() {
        return Err(AdminError::input(NO_SUBJECT));
    }
    let role_ref = role_ref(state.doc(), None, role, Some("ClusterRole"))?;
    let mut warnings = warn_unknown_accounts(state.doc(), &subjects, None);
    let everywhere = |_: &ClusterRoleBinding| true;
    let scope = Scope {
        bindings: &mut state.doc_mut().cluster_role_bindings,
        holds: &everywhere,
        namespace: None,
    };
    let (binding, action, added) =
        scope.add(&role_ref, subjects, binding_name, |name, subjects| {
            ClusterRoleBinding {
                name,
                role_ref: role_ref.clone(),
                subjects,
            }
        })?;
    warnings.extend(cluster_wide_warnings(&added, &binding));
    state.save()?;
    Ok(BindingChange {
        binding,
        namespace: None,
        role_ref,
        action,
        subjects: added,
        warnings,
    })
}

/// `oc policy remove-role-from-user|group ROLE SUBJECT... -n NS [--role-kind KIND]`: removes
/// the subjects from every binding of that role in the namespace; a binding left without
/// subjects is deleted. The kind is the one given, else as for `add_role` (the ClusterRole if
/// there is one, else the namespace's Role); a role that no longer exists matches bindings of
/// either kind. Saves the state.
pub fn remove_role(
    state: &mut State,
    namespace: &str,
    role: &str,
    subjects: Vec<Subject>,
    role_kind: Option<&str>,
) -> Result<Vec<BindingChange>> {
    super::namespaces::require(state.doc(), namespace)?;
    if subjects.is_empty() {
        return Err(AdminError::input(NO_SUBJECT));
    }
    let kind = match checked_kind(role_kind)? {
        Some(k) => Some(k.to_string()),
        None => role_ref(state.doc(), Some(namespace), role, None)
            .ok()
            .map(|r| r.kind),
    };
    let in_namespace = |b: &RoleBinding| b.namespace == namespace;
    let scope = Scope {
        bindings: &mut state.doc_mut().role_bindings,
        holds: &in_namespace,
        namespace: Some(namespace),
    };
    let changes = scope.remove(role, kind.as_deref(), &subjects);
    finish_removal(state, changes, Some(namespace), role, &subjects)
}

/// `oc adm policy remove-cluster-role-from-user|group ROLE SUBJECT...`: removes the subjects
/// from every ClusterRoleBinding of that ClusterRole; a binding left without subjects is
/// deleted. Saves the state.
pub fn remove_cluster_role(
    state: &mut State,
    role: &str,
    subjects: Vec<Subject>,
) -> Result<Vec<BindingChange>> {
    if subjects.is_empty() {
        return Err(AdminError::input(NO_SUBJECT));
    }
    let everywhere = |_: &ClusterRoleBinding| true;
    let scope = Scope {
        bindings: &mut state.doc_mut().cluster_role_bindings,
        holds: &everywhere,
        namespace: None,
    };
    let changes = scope.remove(role, Some("ClusterRole"), &subjects);
    finish_removal(state, changes, None, role, &subjects)
}

/// The changes as reported, or an error when nothing named the subjects; saves the state.
fn finish_removal(
    state: &mut State,
    changes: Vec<(String, RoleRef, &'static str, Vec<Subject>)>,
    namespace: Option<&str>,
    role: &str,
    subjects: &[Subject],
) -> Result<Vec<BindingChange>> {
    if changes.is_empty() {
        let whom: Vec<String> = subjects.iter().map(subject_text).collect();
        let (what, at) = match namespace {
            Some(ns) => ("role binding", format!(" in namespace {ns:?}")),
            None => ("cluster role binding", String::new()),
        };
        return Err(AdminError::input(format!(
            "no {what} of {role:?}{at} names {}",
            whom.join(", ")
        )));
    }
    state.save()?;
    Ok(changes
        .into_iter()
        .map(|(binding, role_ref, action, subjects)| BindingChange {
            binding,
            namespace: namespace.map(str::to_string),
            role_ref,
            action,
            subjects,
            warnings: Vec::new(),
        })
        .collect())
}
