//! ClusterRole aggregation: a ClusterRole with an `aggregationRule` also holds the rules of every
//! ClusterRole whose labels match one of its selectors, transitively (`admin` aggregates `edit`,
//! which aggregates `view`). Computed once, at compile time; cycles end where they started.

use std::collections::VecDeque;

use super::selector::Selector;
use crate::schema::{ClusterRole, PolicyRule};

/// One rule of a role's effective rule list, with the ClusterRole it came from when that is not
/// the role itself (aggregation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleEntry {
    /// The rule.
    pub(crate) rule: PolicyRule,
    /// Index (in `cluster_roles`) of the ClusterRole that contributed it by aggregation.
    pub(crate) aggregated_from: Option<usize>,
}

/// The effective rules of every ClusterRole, in bundle order. `selectors[i]` is the checked
/// aggregation rule of `cluster_roles[i]` (`None`: the role does not aggregate).
///
/// The role's own rules come first, then those of the roles it aggregates, breadth first, in
/// bundle order; a rule equal to one already listed is not repeated (as the Kubernetes
/// aggregation controller does).
pub(crate) fn effective_rules(
    cluster_roles: &[ClusterRole],
    selectors: &[Option<Vec<Selector>>],
) -> Vec<Vec<RuleEntry>> {
    (0..cluster_roles.len())
        .map(|start| aggregate_one(cluster_roles, selectors, start))
        .collect()
}

fn aggregate_one(
    cluster_roles: &[ClusterRole],
    selectors: &[Option<Vec<Selector>>],
    start: usize,
) -> Vec<RuleEntry> {
    let mut entries: Vec<RuleEntry> = Vec::new();
    let mut visited = vec![false; cluster_roles.len()];
    let mut queue = VecDeque::from([start]);
    if let Some(seen) = visited.get_mut(start) {
        *seen = true;
    }
    while let Some(at) = queue.pop_front() {
        let Some(role) = cluster_roles.get(at) else {
            continue;
        };
        let origin = (at != start).then_some(at);
        for rule in &role.rules {
            if !entries.iter().any(|e| &e.rule == rule) {
                entries.push(RuleEntry {
                    rule: rule.clone(),
                    aggregated_from: origin,
                });
            }
        }
        let Some(Some(own_selectors)) = selectors.get(at) else {
            continue;
        };
        for (other, candidate) in cluster_roles.iter().enumerate() {
            let Some(seen) = visited.get_mut(other) else {
                continue;
            };
            if !*seen && own_selectors.iter().any(|s| s.matches(&candidate.labels)) {
                *seen = true;
                queue.push_back(other);
            }
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::bundle::Problems;

    fn cluster_roles(value: serde_json::Value) -> Vec<ClusterRole> {
        serde_json::from_value(value).expect("cluster roles")
    }

    fn compile_selectors(roles: &[ClusterRole]) -> Vec<Option<Vec<Selector>>> {
        let mut problems = Problems::default();
        let out = roles
            .iter()
            .map(|r| {
                r.aggregation_rule.as_ref().map(|a| {
                    a.cluster_role_selectors
                        .iter()
                        .filter_map(|s| Selector::compile(s, "s", &mut problems))
                        .collect()
                })
            })
            .collect();
        assert!(problems.is_empty());
        out
    }

    fn verbs_of(entries: &[RuleEntry]) -> Vec<String> {
        entries
            .iter()
            .flat_map(|e| e.rule.verbs.iter().cloned())
            .collect()
    }

    fn rule(verb: &str) -> serde_json::Value {
        json!({"verbs": [verb], "apiGroups": [""], "resources": ["pods"]})
    }

    fn aggregate_to(label: &str) -> serde_json::Value {
        json!({"clusterRoleSelectors": [{"matchLabels": {label: "true"}}]})
    }

    #[test]
    fn aggregation_chain_admin_edit_view() {
        let to_admin = "rbac.authorization.k8s.io/aggregate-to-admin";
        let to_edit = "rbac.authorization.k8s.io/aggregate-to-edit";
        let to_view = "rbac.authorization.k8s.io/aggregate-to-view";
        let roles = cluster_roles(json!([
            {"name": "admin", "aggregationRule": aggregate_to(to_admin)},
            {"name": "edit", "labels": {to_admin: "true"}, "aggregationRule": aggregate_to(to_edit)},
            {"name": "view", "labels": {to_edit: "true"}, "aggregationRule": aggregate_to(to_view)},
            {"name": "system:aggregate-to-admin", "labels": {to_admin: "true"}, "rules": [rule("impersonate")]},
            {"name": "system:aggregate-to-edit", "labels": {to_edit: "true"}, "rules": [rule("create"), rule("delete")]},
            {"name": "system:aggregate-to-view", "labels": {to_view: "true"}, "rules": [rule("get"), rule("list")]},
            {"name": "unrelated", "labels": {"other": "true"}, "rules": [rule("escalate")]},
        ]));
        let effective = effective_rules(&roles, &compile_selectors(&roles));
        let names: Vec<Vec<String>> = effective.iter().map(|e| verbs_of(e)).collect();
        assert_eq!(
            names[0],
            ["impersonate", "create", "delete", "get", "list"],
            "admin: edit's and view's rules, through the chain"
        );
        assert_eq!(names[1], ["create", "delete", "get", "list"], "edit");
        assert_eq!(names[2], ["get", "list"], "view");
        assert_eq!(
            names[6],
            ["escalate"],
            "an unselected role keeps its own rules"
        );
        assert_eq!(
            effective[1][0].aggregated_from,
            Some(4),
            "the contributing role is remembered"
        );
    }

    #[test]
    fn aggregation_cycle_ends() {
        let roles = cluster_roles(json!([
            {"name": "a", "labels": {"to-b": "true"}, "rules": [rule("get")], "aggregationRule": aggregate_to("to-a")},
            {"name": "b", "labels": {"to-a": "true"}, "rules": [rule("list")], "aggregationRule": aggregate_to("to-b")},
            {"name": "c", "labels": {"to-c": "true"}, "rules": [rule("watch")], "aggregationRule": aggregate_to("to-c")},
        ]));
        let effective = effective_rules(&roles, &compile_selectors(&roles));
        assert_eq!(verbs_of(&effective[0]), ["get", "list"], "a gets b's rules");
        assert_eq!(verbs_of(&effective[1]), ["list", "get"], "b gets a's rules");
        assert_eq!(
            verbs_of(&effective[2]),
            ["watch"],
            "a role selecting itself"
        );
        assert_eq!(effective[2][0].aggregated_from, None);
    }

    #[test]
    fn aggregation_own_rules_kept_and_duplicates_dropped() {
        let roles = cluster_roles(json!([
            {"name": "mine", "rules": [rule("get")], "aggregationRule": aggregate_to("x")},
            {"name": "x1", "labels": {"x": "true"}, "rules": [rule("get"), rule("patch")]},
            {"name": "x2", "labels": {"x": "true"}, "rules": [rule("patch")]},
        ]));
        let effective = effective_rules(&roles, &compile_selectors(&roles));
        assert_eq!(verbs_of(&effective[0]), ["get", "patch"]);
        assert_eq!(effective[0][1].aggregated_from, Some(1));
    }
}
