//! Roles and ClusterRoles: checked (names, namespaces, rules, aggregation selectors) and
//! resolved once into the effective rule lists that bindings point at.

use super::aggregation::{effective_rules, RuleEntry};
use super::selector::Selector;
use crate::bundle::strings::{list_key, Index};
use crate::bundle::{At, NamespaceTree, Problems};
use crate::schema::{ClusterRole, PolicyRule, Role};

/// The effective rules of every role, and where to find them by name.
#[derive(Debug, Default)]
pub(crate) struct RoleTable {
    /// Rule lists: one per Role, then one per ClusterRole (aggregation applied).
    rule_sets: Vec<Vec<RuleEntry>>,
    /// Roles by `(namespace, name)`: their positions in `role_names`, which are their rule
    /// lists' in `rule_sets`.
    roles: Index,
    /// Each Role's namespace and name, in bundle order.
    role_names: Vec<(String, String)>,
    /// ClusterRoles by name: their positions in `cluster_role_names`.
    cluster_roles: Index,
    /// ClusterRole names in bundle order (also to name a rule's aggregation source).
    cluster_role_names: Vec<String>,
    /// The position in `rule_sets` of the first ClusterRole's rules.
    base: usize,
}

impl RoleTable {
    /// Checks the document's roles and cluster roles and computes their effective rules.
    pub(crate) fn compile(
        roles: &[Role],
        cluster_roles: &[ClusterRole],
        namespaces: &NamespaceTree,
        problems: &mut Problems,
    ) -> RoleTable {
        let mut table = RoleTable::default();
        for (i, role) in roles.iter().enumerate() {
            let at = At::new("roles", i);
            check_object_name(&role.name, at, problems);
            if !namespaces.contains(&role.namespace) {
                problems.push(
                    at.field("namespace"),
                    format!("{:?} is not a defined namespace", role.namespace),
                );
            }
            for (j, rule) in role.rules.iter().enumerate() {
                check_rule(rule, true, at.item("rules", j), problems);
            }
            let index = table.rule_sets.len();
            table.rule_sets.push(
                role.rules
                    .iter()
                    .map(|rule| RuleEntry {
                        rule: rule.clone(),
                        aggregated_from: None,
                    })
                    .collect(),
            );
            // INVARIANT: role `index` is `role_names[index]` (one of each per role).
            table
                .role_names
                .push((role.namespace.clone(), role.name.clone()));
            let key = (role.namespace.as_str(), role.name.as_str());
            let role_names = &table.role_names;
            if table
                .roles
                .insert(index, key, role_key(role_names))
                .is_some()
            {
                problems.push(
                    at.field("name"),
                    format!(
                        "{:?} is defined twice in namespace {:?}",
                        role.name, role.namespace
                    ),
                );
            }
        }

        let base = table.rule_sets.len();
        let mut selectors = Vec::with_capacity(cluster_roles.len());
        for (i, role) in cluster_roles.iter().enumerate() {
            let at = At::new("cluster_roles", i);
            check_object_name(&role.name, at, problems);
            for (j, rule) in role.rules.iter().enumerate() {
                check_rule(rule, false, at.item("rules", j), problems);
            }
            selectors.push(role.aggregation_rule.as_ref().map(|rule| {
                // As Kubernetes' validation: an aggregation rule without a selector would
                // replace the role's rules with nothing.
                if rule.cluster_role_selectors.is_empty() {
                    problems.push(
                        at.field("aggregationRule.clusterRoleSelectors"),
                        "at least one selector is required in an aggregation rule",
                    );
                }
                rule.cluster_role_selectors
                    .iter()
                    .enumerate()
                    .filter_map(|(k, s)| {
                        let path = at.field(&format!("aggregationRule.clusterRoleSelectors[{k}]"));
                        Selector::compile(s, &path, problems)
                    })
                    .collect::<Vec<_>>()
            }));
            table.cluster_role_names.push(role.name.clone());
            let names = &table.cluster_role_names;
            if table
                .cluster_roles
                .insert(i, role.name.as_str(), list_key(names))
                .is_some()
            {
                problems.push(
                    at.field("name"),
                    format!("{:?} is defined twice", role.name),
                );
            }
        }
        // INVARIANT: the ClusterRole at `cluster_roles[i]` gets `rule_sets[base + i]`, as
        // `cluster_role` reads them (`effective_rules` keeps bundle order).
        table.base = base;
        let names = &table.cluster_role_names;
        let index = &table.cluster_roles;
        let effective = effective_rules(cluster_roles, &selectors, |name| {
            index.find(name, list_key(names))
        });
        table.rule_sets.extend(effective);
        table
    }

    /// The rule list of the Role `name` in `namespace`.
    pub(crate) fn role(&self, namespace: &str, name: &str) -> Option<usize> {
        self.roles
            .find((namespace, name), role_key(&self.role_names))
    }

    /// The rule list of the ClusterRole `name`.
    pub(crate) fn cluster_role(&self, name: &str) -> Option<usize> {
        let i = self
            .cluster_roles
            .find(name, list_key(&self.cluster_role_names))?;
        Some(self.base + i)
    }

    /// The rules of a list returned by [`RoleTable::role`] or [`RoleTable::cluster_role`].
    pub(crate) fn rules(&self, set: usize) -> &[RuleEntry] {
        self.rule_sets.get(set).map_or(&[], Vec::as_slice)
    }

    /// The name of the ClusterRole at `index` in the bundle.
    pub(crate) fn cluster_role_name(&self, index: usize) -> Option<&str> {
        self.cluster_role_names.get(index).map(String::as_str)
    }
}

/// A Role's key, as [`Index`] reads it.
fn role_key<'a>(names: &'a [(String, String)]) -> impl Fn(usize) -> Option<(&'a str, &'a str)> {
    |n| names.get(n).map(|(ns, name)| (ns.as_str(), name.as_str()))
}

/// Names of roles and bindings follow Kubernetes' path-segment rule: not empty, not `.` or `..`,
/// no `/` or `%` (so `system:image-builder` is fine). A problem is recorded at `at.name`.
pub(crate) fn check_object_name(name: &str, at: At<'_>, problems: &mut Problems) {
    let why = if name.is_empty() {
        Some("must not be empty".to_string())
    } else if name == "." || name == ".." {
        Some(format!(
            "{name:?} is not a valid name: may not be '.' or '..'"
        ))
    } else if name.contains('/') || name.contains('%') {
        Some(format!(
            "{name:?} is not a valid name: may not contain '/' or '%'"
        ))
    } else {
        None
    };
    if let Some(why) = why {
        problems.push(at.field("name"), why);
    }
}

/// Kubernetes' rule validation: verbs present; a rule is about resources (with API groups and
/// resources) or about non-resource URLs (ClusterRoles only), never both.
fn check_rule(rule: &PolicyRule, namespaced: bool, at: At<'_>, problems: &mut Problems) {
    if rule.verbs.is_empty() {
        problems.push(
            at.field("verbs"),
            "must contain at least one verb (or \"*\")",
        );
    }
    if !rule.non_resource_urls.is_empty() {
        if namespaced {
            problems.push(
                at.field("nonResourceURLs"),
                "a Role's rules cannot apply to non-resource URLs (only a ClusterRole's, granted by a ClusterRoleBinding)",
            );
        }
        if !rule.api_groups.is_empty()
            || !rule.resources.is_empty()
            || !rule.resource_names.is_empty()
        {
            problems.push(
                at.field("nonResourceURLs"),
                "a rule cannot apply to both resources and non-resource URLs",
            );
        }
        return;
    }
    if rule.api_groups.is_empty() {
        problems.push(
            at.field("apiGroups"),
            "a resource rule must list at least one API group (\"\" for the core group, \"*\" for all)",
        );
    }
    if rule.resources.is_empty() {
        problems.push(
            at.field("resources"),
            "a rule must list at least one resource (or nonResourceURLs)",
        );
    }
}
