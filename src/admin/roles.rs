//! `tessera create role|clusterrole`: rules from `--verb`, `--resource`, `--resource-name`
//! (and `--non-resource-url` for cluster roles), as `kubectl create role` builds them: a
//! resource is `pods`, `pods/log`, `deployments.apps` or `deployments.apps/scale`, and the
//! resources of one API group share one rule.

use serde::Serialize;

use super::output::Render;
use super::{AdminError, Result, State};
use crate::schema::{ClusterRole, PolicyRule, Role};

/// What a role is made of (repeated options and comma-separated values are both accepted).
#[derive(Debug, Clone, Default)]
pub struct RuleSpec {
    /// `--verb`.
    pub verbs: Vec<String>,
    /// `--resource`.
    pub resources: Vec<String>,
    /// `--resource-name`.
    pub resource_names: Vec<String>,
    /// `--non-resource-url` (cluster roles only).
    pub non_resource_urls: Vec<String>,
}

/// A created role or cluster role.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum CreatedRole {
    /// A namespaced role.
    Role(Role),
    /// A cluster role.
    ClusterRole(ClusterRole),
}

impl Render for CreatedRole {
    fn render(&self) -> String {
        match self {
            CreatedRole::Role(r) => format!(
                "role/{} created in namespace {} ({} rules)\n",
                r.name,
                r.namespace,
                r.rules.len()
            ),
            CreatedRole::ClusterRole(r) => {
                format!("clusterrole/{} created ({} rules)\n", r.name, r.rules.len())
            }
        }
    }
}

fn split(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// Builds the rules of a spec, naming the option at fault.
pub fn rules(spec: &RuleSpec, cluster: bool) -> Result<Vec<PolicyRule>> {
    let verbs = split(&spec.verbs);
    let resources = split(&spec.resources);
    let names = split(&spec.resource_names);
    let urls = split(&spec.non_resource_urls);
    if verbs.is_empty() {
        return Err(AdminError::input("--verb: at least one verb is required"));
    }
    if !cluster && !urls.is_empty() {
        return Err(AdminError::input(
            "--non-resource-url: only a clusterrole may hold non-resource URLs",
        ));
    }
    if resources.is_empty() && urls.is_empty() {
        return Err(AdminError::input(if cluster {
            "--resource: at least one resource (or --non-resource-url) is required"
        } else {
            "--resource: at least one resource is required"
        }));
    }
    if !urls.is_empty() && !names.is_empty() {
        return Err(AdminError::input(
            "--resource-name: cannot be combined with --non-resource-url",
        ));
    }
    if let Some(bad) = urls.iter().find(|u| !u.starts_with('/') && *u != "*") {
        return Err(AdminError::input(format!(
            "--non-resource-url: {bad:?} must start with '/'"
        )));
    }
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for r in &resources {
        let (res_group, sub) = match r.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (r.as_str(), None),
        };
        let (res, group) = res_group.split_once('.').unwrap_or((res_group, ""));
        if res.is_empty() || sub == Some("") {
            return Err(AdminError::input(format!(
                "--resource: {r:?} is not a resource (expected e.g. pods, pods/log, deployments.apps)"
            )));
        }
        let resource = match sub {
            Some(s) => format!("{res}/{s}"),
            None => res.to_string(),
        };
        match groups.iter_mut().find(|(g, _)| g == group) {
            Some((_, list)) => list.push(resource),
            None => groups.push((group.to_string(), vec![resource])),
        }
    }
    let mut rules: Vec<PolicyRule> = groups
        .into_iter()
        .map(|(group, resources)| PolicyRule {
            verbs: verbs.clone(),
            api_groups: vec![group],
            resources,
            resource_names: names.clone(),
            non_resource_urls: Vec::new(),
        })
        .collect();
    if !urls.is_empty() {
        rules.push(PolicyRule {
            verbs,
            non_resource_urls: urls,
            ..PolicyRule::default()
        });
    }
    Ok(rules)
}

/// Creates a Role in `namespace`, or a ClusterRole when `namespace` is `None`. Saves the state.
pub fn create(
    state: &mut State,
    name: &str,
    namespace: Option<&str>,
    spec: &RuleSpec,
) -> Result<CreatedRole> {
    if name.trim().is_empty() {
        return Err(AdminError::input("role name: must not be empty"));
    }
    let rules = rules(spec, namespace.is_none())?;
    let created = match namespace {
        Some(ns) => {
            super::namespaces::require(state.doc(), ns)?;
            if state
                .doc()
                .roles
                .iter()
                .any(|r| r.name == name && r.namespace == ns)
            {
                return Err(AdminError::AlreadyExists {
                    kind: "role",
                    name: name.into(),
                    namespace: Some(ns.into()),
                });
            }
            let role = Role {
                name: name.into(),
                namespace: ns.into(),
                rules,
            };
            state.doc_mut().roles.push(role.clone());
            CreatedRole::Role(role)
        }
        None => {
            if state.doc().cluster_roles.iter().any(|r| r.name == name) {
                return Err(AdminError::AlreadyExists {
                    kind: "clusterrole",
                    name: name.into(),
                    namespace: None,
                });
            }
            let role = ClusterRole {
                name: name.into(),
                labels: Default::default(),
                rules,
                aggregation_rule: None,
            };
            state.doc_mut().cluster_roles.push(role.clone());
            CreatedRole::ClusterRole(role)
        }
    };
    state.save()?;
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(verbs: &[&str], resources: &[&str]) -> RuleSpec {
        RuleSpec {
            verbs: verbs.iter().map(|s| s.to_string()).collect(),
            resources: resources.iter().map(|s| s.to_string()).collect(),
            ..RuleSpec::default()
        }
    }

    #[test]
    fn resources_of_one_group_share_a_rule() {
        let r = rules(
            &spec(
                &["get,list"],
                &["pods", "pods/log", "deployments.apps/scale"],
            ),
            false,
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].api_groups, vec![""]);
        assert_eq!(r[0].resources, vec!["pods", "pods/log"]);
        assert_eq!(r[0].verbs, vec!["get", "list"]);
        assert_eq!(r[1].api_groups, vec!["apps"]);
        assert_eq!(r[1].resources, vec!["deployments/scale"]);
    }

    #[test]
    fn bad_specs_name_the_option() {
        let e = rules(&spec(&[], &["pods"]), false).unwrap_err().to_string();
        assert!(e.starts_with("--verb"), "{e}");
        let e = rules(&spec(&["get"], &[]), false).unwrap_err().to_string();
        assert!(e.starts_with("--resource"), "{e}");
        let e = rules(&spec(&["get"], &["pods/"]), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"pods/\""), "{e}");
    }
}
