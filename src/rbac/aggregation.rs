//! ClusterRole aggregation, as Kubernetes' aggregation controller computes it: a ClusterRole
//! with an `aggregationRule` holds the rules of the ClusterRoles its selectors match, and only
//! those (the controller replaces whatever rules it was written with). For each selector in
//! turn, the matching roles in order of name (the role itself skipped), their rules, a rule
//! equal to one already listed not repeated. A matched role that aggregates contributes its own
//! aggregated rules, so aggregation is transitive (`admin` aggregates `edit`, which aggregates
//! `view`). Where roles select each other in a cycle, each holds the rules of the roles
//! without an `aggregationRule` that it reaches: what the controller settles on when the
//! aggregated roles start empty, as Kubernetes creates them. Computed once, at compile time.

use super::selector::Selector;
use crate::schema::{ClusterRole, PolicyRule};

/// One rule of a role's effective rule list, with the ClusterRole it came from when that is not
/// the role itself (aggregation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleEntry {
    /// The rule.
    pub(crate) rule: PolicyRule,
    /// Index (in `cluster_roles`) of the ClusterRole that contributed it by aggregation: the
    /// role without an `aggregationRule` that holds it.
    pub(crate) aggregated_from: Option<usize>,
}

/// The effective rules of every ClusterRole, in bundle order. `selectors[i]` is the checked
/// aggregation rule of `cluster_roles[i]` (`None`: the role does not aggregate); `position`
/// finds a ClusterRole's index by its name.
pub(crate) fn effective_rules(
    cluster_roles: &[ClusterRole],
    selectors: &[Option<Vec<Selector>>],
    position: impl Fn(&str) -> Option<usize>,
) -> Vec<Vec<RuleEntry>> {
    let selected = selections(cluster_roles, selectors, position);
    let mut out = Vec::with_capacity(cluster_roles.len());
    for (start, role) in cluster_roles.iter().enumerate() {
        let mut entries = Vec::new();
        match selected.get(start) {
            Some(Some(_)) => aggregate_one(cluster_roles, &selected, start, &mut entries),
            _ => add_rules(&mut entries, role, None),
        }
        out.push(entries);
    }
    out
}

/// Appends `role`'s rules that `entries` does not hold yet, as contributed by `origin`.
fn add_rules(entries: &mut Vec<RuleEntry>, role: &ClusterRole, origin: Option<usize>) {
    for rule in &role.rules {
        if !entries.iter().any(|e| &e.rule == rule) {
            entries.push(RuleEntry {
                rule: rule.clone(),
                aggregated_from: origin,
            });
        }
    }
}

/// For every aggregating ClusterRole, the roles it selects, in the controller's order: selector
/// by selector, each one's matches by name, the role itself left out (a role matched by two
/// selectors is listed twice; the walk visits it once). Computed once, so that resolving each
/// role walks these lists instead of matching every selector against every role again.
fn selections(
    cluster_roles: &[ClusterRole],
    selectors: &[Option<Vec<Selector>>],
    position: impl Fn(&str) -> Option<usize>,
) -> Vec<Option<Vec<usize>>> {
    // The names sorted, then back to positions: the module's one sort of `&str`s (a sort of
    // positions by name would be a second copy of the sort code).
    let mut names: Vec<&str> = Vec::with_capacity(cluster_roles.len());
    for role in cluster_roles {
        names.push(&role.name);
    }
    names.sort_unstable();
    let mut by_name = Vec::with_capacity(names.len());
    for name in names {
        by_name.extend(position(name));
    }
    let mut out = Vec::with_capacity(selectors.len());
    for (me, own) in selectors.iter().enumerate() {
        out.push(own.as_ref().map(|own| {
            let mut list = Vec::new();
            for selector in own {
                for &other in &by_name {
                    let Some(role) = cluster_roles.get(other) else {
                        continue;
                    };
                    if other != me && selector.matches(&role.labels) {
                        list.push(other);
                    }
                }
            }
            list
        }));
    }
    out
}

/// Appends the rules of the aggregating role `start`: a depth-first walk of what it selects,
/// each role visited once (which also ends cycles), the rules of the roles without an
/// `aggregationRule` listed as reached.
fn aggregate_one(
    cluster_roles: &[ClusterRole],
    selected: &[Option<Vec<usize>>],
    start: usize,
    entries: &mut Vec<RuleEntry>,
) {
    let mut visited = vec![false; cluster_roles.len()];
    // A stack of (role, position in its selection list), the walk's path.
    let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
    if let Some(seen) = visited.get_mut(start) {
        *seen = true;
    }
    while let Some((at, next)) = stack.pop() {
        let Some(Some(list)) = selected.get(at) else {
            continue;
        };
        let Some(&child) = list.get(next) else {
            continue;
        };
        stack.push((at, next + 1));
        let Some(seen) = visited.get_mut(child) else {
            continue;
        };
        if *seen {
            continue;
        }
        *seen = true;
        match (selected.get(child), cluster_roles.get(child)) {
            (Some(Some(_)), _) => stack.push((child, 0)),
            (_, Some(role)) => add_rules(entries, role, Some(child)),
            _ => {}
        }
    }
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
        let effective = effective_rules(&roles, &compile_selectors(&roles), |n| {
            roles.iter().position(|r| r.name == n)
        });
        let names: Vec<Vec<String>> = effective.iter().map(|e| verbs_of(e)).collect();
        assert_eq!(
            names[0],
            ["create", "delete", "get", "list", "impersonate"],
            "admin: edit's rules (by name, `edit` before `system:aggregate-to-admin`), then its own selection's"
        );
        assert_eq!(names[1], ["create", "delete", "get", "list"], "edit");
        assert_eq!(names[2], ["get", "list"], "view");
        assert_eq!(
            names[6],
            ["escalate"],
            "a role without an aggregationRule keeps its own rules"
        );
        assert_eq!(
            effective[1][0].aggregated_from,
            Some(4),
            "the role holding the rule is remembered"
        );
        assert_eq!(
            effective[0][2].aggregated_from,
            Some(5),
            "through the chain, the role holding the rule, not the aggregated one between"
        );
    }

    #[test]
    fn aggregation_replaces_the_roles_own_rules() {
        // Kubernetes' controller sets an aggregated role's rules to what it selects, whatever
        // the role was written with: its own rules grant nothing.
        let roles = cluster_roles(json!([
            {"name": "mine", "rules": [rule("escalate"), rule("get")], "aggregationRule": aggregate_to("x")},
            {"name": "x1", "labels": {"x": "true"}, "rules": [rule("get"), rule("patch")]},
            {"name": "x2", "labels": {"x": "true"}, "rules": [rule("patch")]},
            {"name": "selects-nothing", "rules": [rule("delete")], "aggregationRule": aggregate_to("none")},
        ]));
        let effective = effective_rules(&roles, &compile_selectors(&roles), |n| {
            roles.iter().position(|r| r.name == n)
        });
        assert_eq!(
            verbs_of(&effective[0]),
            ["get", "patch"],
            "duplicates dropped"
        );
        assert_eq!(effective[0][0].aggregated_from, Some(1));
        assert_eq!(effective[0][1].aggregated_from, Some(1));
        assert!(
            effective[3].is_empty(),
            "an aggregation selecting nothing grants nothing"
        );
    }

    #[test]
    fn aggregation_order_is_by_selector_then_name() {
        let roles = cluster_roles(json!([
            {"name": "agg", "aggregationRule": {"clusterRoleSelectors": [
                {"matchLabels": {"second": "true"}},
                {"matchLabels": {"first": "true"}},
            ]}},
            {"name": "b", "labels": {"first": "true"}, "rules": [rule("list")]},
            {"name": "a", "labels": {"first": "true"}, "rules": [rule("get")]},
            {"name": "z", "labels": {"second": "true", "first": "true"}, "rules": [rule("watch")]},
        ]));
        let effective = effective_rules(&roles, &compile_selectors(&roles), |n| {
            roles.iter().position(|r| r.name == n)
        });
        assert_eq!(
            verbs_of(&effective[0]),
            ["watch", "get", "list"],
            "the first selector's match, then the second's by name; z listed once"
        );
    }

    #[test]
    fn aggregation_cycle_ends() {
        let roles = cluster_roles(json!([
            {"name": "a", "labels": {"to-b": "true"}, "rules": [rule("get")], "aggregationRule": aggregate_to("to-a")},
            {"name": "b", "labels": {"to-a": "true"}, "rules": [rule("list")], "aggregationRule": aggregate_to("to-b")},
            {"name": "c", "labels": {"to-c": "true"}, "rules": [rule("watch")], "aggregationRule": aggregate_to("to-c")},
            {"name": "leaf", "labels": {"to-b": "true"}, "rules": [rule("patch")]},
        ]));
        let effective = effective_rules(&roles, &compile_selectors(&roles), |n| {
            roles.iter().position(|r| r.name == n)
        });
        assert_eq!(
            verbs_of(&effective[0]),
            ["patch"],
            "a selects b, which selects a and leaf: leaf's rules"
        );
        assert_eq!(verbs_of(&effective[1]), ["patch"], "b: leaf's rules");
        assert!(
            effective[2].is_empty(),
            "a role selecting only itself: the controller skips it and sets no rules"
        );
        assert_eq!(verbs_of(&effective[3]), ["patch"]);
        assert_eq!(effective[3][0].aggregated_from, None);
    }

    #[test]
    fn aggregation_of_many_mutually_selecting_roles_is_quick() {
        // 200 roles that all select each other (one label, one selector): each walk visits the
        // others once through the lists computed up front.
        let mut list = Vec::new();
        for i in 0..200 {
            list.push(json!({"name": format!("r{i}"), "labels": {"all": "true"}, "aggregationRule": aggregate_to("all")}));
        }
        list.push(json!({"name": "leaf", "labels": {"all": "true"}, "rules": [rule("get")]}));
        let roles = cluster_roles(serde_json::Value::Array(list));
        let effective = effective_rules(&roles, &compile_selectors(&roles), |n| {
            roles.iter().position(|r| r.name == n)
        });
        assert!(effective.iter().all(|e| verbs_of(e) == ["get"]));
    }
}
