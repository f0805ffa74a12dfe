//! Kubernetes RBAC (DESIGN 1.4): roles, cluster roles, bindings, aggregation; explained
//! decisions in Kubernetes' own wording.
//!
//! Semantics follow Kubernetes' RBAC authorizer, with tessera's namespace rule (DESIGN 1.1) on
//! top: a service account acts only in its own namespace and the descendants, so a RoleBinding
//! in any other namespace never applies to it, even one that names it. ClusterRoleBindings are
//! the deliberate exception: they grant in every namespace, as in a cluster.
//!
//! - `rules.rs`: does a rule match a request (Kubernetes' `evaluation_helpers.go`);
//! - `selector.rs` and `aggregation.rs`: ClusterRole aggregation by label selector;
//! - `roles.rs` and `bindings.rs`: validation, effective rules and the index by subject;
//! - `wording.rs`: Kubernetes' messages; `decision.rs`: the answer and its explanation;
//! - `scenarios.rs`: the OpenShift and Kubernetes scenarios, as tests.

mod aggregation;
mod bindings;
mod decision;
mod request;
mod roles;
mod rules;
mod selector;
mod wording;

#[cfg(test)]
mod scenarios;

pub use decision::{BindingKind, RbacDecision, RbacGrant, RoleKind, SubjectKind};
pub use request::{NonResourceAttributes, RbacRequest, ResourceAttributes};

pub(crate) use bindings::BindingIndex;
pub(crate) use bindings::BindingsBuilder;
use bindings::{BindingRef, Slot};
pub(crate) use roles::RoleTable;

use crate::bundle::source;
use crate::bundle::{NamespaceTree, Problems};
use crate::identity::Identity;
use crate::schema::{BundleDocument, PolicyRule};

/// The compiled RBAC rules and bindings of a bundle, indexed by subject.
#[derive(Debug, Default)]
pub struct Rbac {
    roles: RoleTable,
    bindings: BindingIndex,
}

impl Rbac {
    /// Compiles roles and bindings, recording dangling references with their paths.
    ///
    /// Checks names (no duplicates), namespaces, rules (verbs present; resources with API
    /// groups, or non-resource URLs in ClusterRoles only), aggregation selectors, `roleRef`s (a
    /// RoleBinding's Role must be of its namespace; a ClusterRoleBinding references a
    /// ClusterRole) and subjects (kinds, a ClusterRoleBinding's ServiceAccount names its
    /// namespace). Aggregated ClusterRoles get their rules here, once.
    pub fn compile(
        document: &BundleDocument,
        namespaces: &NamespaceTree,
        problems: &mut Problems,
    ) -> Rbac {
        let role_bindings: Vec<_> = document
            .role_bindings
            .iter()
            .map(source::RoleBinding::from)
            .collect();
        let cluster_role_bindings: Vec<_> = document
            .cluster_role_bindings
            .iter()
            .map(source::ClusterRoleBinding::from)
            .collect();
        let roles = RoleTable::compile(
            &document.roles,
            &document.cluster_roles,
            namespaces,
            problems,
        );
        let bindings = BindingIndex::compile(
            &role_bindings,
            &cluster_role_bindings,
            namespaces,
            &roles,
            problems,
        );
        Rbac { roles, bindings }
    }

    /// The authorizer of compiled roles and bindings.
    pub(crate) fn from_parts(roles: RoleTable, bindings: BindingIndex) -> Rbac {
        Rbac { roles, bindings }
    }

    /// Decides an RBAC question for an identity.
    ///
    /// ClusterRoleBindings naming the identity apply everywhere (every namespace, cluster-scoped
    /// resources, non-resource URLs); RoleBindings apply to resources of their own namespace,
    /// and only when that namespace is the identity's own or one of its descendants. The first
    /// matching rule allows, explained as Kubernetes does; no match is a refusal in the API
    /// server's words (RBAC itself never denies: `denied` stays false).
    pub fn authorize(
        &self,
        identity: &Identity,
        namespaces: &NamespaceTree,
        request: &RbacRequest,
    ) -> RbacDecision {
        let search = self.search(identity, namespaces, request);
        let evaluation_error = wording::evaluation_error(&search.errors);
        match search.granted {
            Some((slot, binding, entry)) => {
                let grant = self.grant(&binding, slot, entry);
                RbacDecision {
                    allowed: true,
                    denied: false,
                    reason: wording::allowed_reason(&grant.view()),
                    evaluation_error,
                    grant: Some(grant),
                    namespace_rule: None,
                }
            }
            None => RbacDecision {
                allowed: false,
                denied: false,
                reason: wording::forbidden_message(&identity.username, request),
                evaluation_error,
                grant: None,
                namespace_rule: search
                    .outside
                    .then(|| wording::namespace_rule(identity, request.namespace())),
            },
        }
    }

    /// [`Rbac::authorize`]'s answer and its explanation alone, without the grant's details:
    /// the reason, then the namespace rule or else any evaluation error, `; `-separated (what
    /// a decision carries). Nothing is copied out of the bundle for it.
    pub fn explain(
        &self,
        identity: &Identity,
        namespaces: &NamespaceTree,
        request: &RbacRequest,
    ) -> (bool, String) {
        let search = self.search(identity, namespaces, request);
        let (allowed, mut explanation) = match &search.granted {
            Some((slot, binding, _)) => {
                let subject = self.bindings.subject_of(*slot);
                let view = wording::GrantView {
                    binding_kind: binding.kind,
                    binding_name: binding.name,
                    binding_namespace: binding.namespace,
                    role_kind: binding.role_kind,
                    role_name: binding.role_name,
                    subject_kind: subject.map_or(SubjectKind::User, |s| s.kind),
                    subject_name: subject.map_or("", |s| s.name),
                    subject_namespace: subject.and_then(|s| s.namespace),
                };
                (true, wording::allowed_reason(&view))
            }
            None => (
                false,
                wording::forbidden_message(&identity.username, request),
            ),
        };
        let more = if search.granted.is_none() && search.outside {
            wording::namespace_rule(identity, request.namespace())
        } else {
            wording::evaluation_error(&search.errors)
        };
        if !more.is_empty() {
            explanation.push_str("; ");
            explanation.push_str(&more);
        }
        (allowed, explanation)
    }

    /// The first applicable binding whose role has a rule allowing the request (with the
    /// problems met before it), as Kubernetes' RBAC authorizer looks for it.
    fn search<'r>(
        &'r self,
        identity: &Identity,
        namespaces: &NamespaceTree,
        request: &RbacRequest,
    ) -> Search<'r> {
        let namespace = request.namespace();
        let in_home = in_home_namespace(identity, namespaces, namespace);
        let mut errors = Vec::new();
        for (slot, binding) in self.applicable(identity, namespace, in_home) {
            let Some(set) = binding.rules else {
                let cluster = binding.role_kind == RoleKind::ClusterRole;
                errors.push(wording::role_not_found(cluster, binding.role_name));
                continue;
            };
            let rules = self.roles.rules(set);
            if let Some(entry) = rules.iter().find(|e| rules::rule_allows(&e.rule, request)) {
                return Search {
                    granted: Some((slot, binding, entry)),
                    errors,
                    outside: false,
                };
            }
        }
        Search {
            granted: None,
            errors,
            outside: !namespace.is_empty() && !in_home,
        }
    }

    /// Names of the roles (Role or ClusterRole) the identity holds in `namespace`: those of
    /// the ClusterRoleBindings naming it, and of the RoleBindings of `namespace` naming it when
    /// `namespace` is the identity's own or a descendant. Sorted, without repeats. An empty
    /// `namespace` means the cluster scope (ClusterRoleBindings only).
    pub fn roles_held(
        &self,
        identity: &Identity,
        namespaces: &NamespaceTree,
        namespace: &str,
    ) -> Vec<String> {
        let in_home = in_home_namespace(identity, namespaces, namespace);
        // Sorted as `&str`s: the same sort as a token's member names (`token/object.rs`), one
        // copy of the sort in the module instead of two.
        let mut names: Vec<&str> = self
            .applicable(identity, namespace, in_home)
            .filter(|(_, binding)| binding.rules.is_some())
            .map(|(_, binding)| binding.role_name)
            .collect();
        names.sort_unstable();
        names.dedup();
        names.into_iter().map(String::from).collect()
    }

    /// The rules the ClusterRole `name` grants: its own, or, when it has an `aggregationRule`,
    /// those of the roles it selects (which replace its own, as in Kubernetes). `None` for a
    /// ClusterRole the bundle does not define.
    pub fn cluster_role_rules(&self, name: &str) -> Option<impl Iterator<Item = &PolicyRule>> {
        let set = self.roles.cluster_role(name)?;
        Some(self.roles.rules(set).iter().map(|entry| &entry.rule))
    }

    fn applicable(
        &self,
        identity: &Identity,
        namespace: &str,
        in_home: bool,
    ) -> impl Iterator<Item = (Slot, BindingRef<'_>)> + '_ {
        let role_bindings_of = (!namespace.is_empty() && in_home).then_some(namespace);
        self.bindings.applicable(identity, role_bindings_of)
    }

    fn grant(
        &self,
        binding: &BindingRef<'_>,
        slot: Slot,
        entry: &aggregation::RuleEntry,
    ) -> RbacGrant {
        // INVARIANT: the index only holds slots of existing subjects (`BindingIndex::add`);
        // the fallbacks below are never used.
        let subject = self.bindings.subject_of(slot);
        RbacGrant {
            binding_kind: binding.kind,
            binding_name: binding.name.to_string(),
            binding_namespace: binding.namespace.map(str::to_string),
            role_kind: binding.role_kind,
            role_name: binding.role_name.to_string(),
            subject_kind: subject.map_or(SubjectKind::User, |s| s.kind),
            subject_name: subject.map(|s| s.name.to_string()).unwrap_or_default(),
            subject_namespace: subject.and_then(|s| s.namespace.map(str::to_string)),
            rule: entry.rule.clone(),
            aggregated_from: entry
                .aggregated_from
                .and_then(|i| self.roles.cluster_role_name(i))
                .map(str::to_string),
        }
    }
}

/// What [`Rbac::search`] found.
struct Search<'r> {
    /// The binding and rule that allow the request.
    granted: Option<(Slot, BindingRef<'r>, &'r aggregation::RuleEntry)>,
    /// Kubernetes' messages for the problems met (missing roles).
    errors: Vec<String>,
    /// Refused for a namespace outside the identity's own (tessera's namespace rule).
    outside: bool,
}

/// tessera's namespace rule: whether `namespace` is the identity's own or a descendant.
fn in_home_namespace(identity: &Identity, namespaces: &NamespaceTree, namespace: &str) -> bool {
    !namespace.is_empty() && namespaces.is_within(namespace, &identity.namespace)
}
