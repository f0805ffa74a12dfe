//! Rule matching, as Kubernetes does it (`evaluation_helpers.go`): a few pure functions over a
//! `PolicyRule` and the attributes of a request.

use super::{NonResourceAttributes, RbacRequest, ResourceAttributes};
use crate::schema::PolicyRule;

/// The `*` that matches every verb, group, resource or URL.
const ALL: &str = "*";

/// Whether `rule` grants `request`. A rule with resources answers resource requests only, a rule
/// with `nonResourceURLs` non-resource requests only (an empty list matches nothing).
pub(crate) fn rule_allows(rule: &PolicyRule, request: &RbacRequest) -> bool {
    match request {
        RbacRequest::Resource(r) => resource_rule_allows(rule, r),
        RbacRequest::NonResource(n) => non_resource_rule_allows(rule, n),
    }
}

fn resource_rule_allows(rule: &PolicyRule, r: &ResourceAttributes) -> bool {
    verb_matches(rule, &r.verb)
        && api_group_matches(rule, &r.group)
        && resource_matches(rule, &r.resource, &r.subresource)
        && resource_name_matches(rule, &r.name)
}

fn non_resource_rule_allows(rule: &PolicyRule, n: &NonResourceAttributes) -> bool {
    verb_matches(rule, &n.verb) && non_resource_url_matches(rule, &n.path)
}

/// A rule verb equal to the request's, or `*`.
fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == ALL || v == verb)
}

/// A rule API group equal to the request's (`""` is the core group), or `*`.
fn api_group_matches(rule: &PolicyRule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == ALL || g == group)
}

/// `*`, the resource itself (no subresource asked), `res/sub`, or `*/sub`.
fn resource_matches(rule: &PolicyRule, resource: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|wanted| {
        if wanted == ALL {
            return true;
        }
        if subresource.is_empty() {
            return wanted == resource;
        }
        match wanted.split_once('/') {
            Some((res, sub)) => sub == subresource && (res == resource || res == ALL),
            None => false,
        }
    })
}

/// No resource names in the rule, or the requested name among them. A request without a name
/// (a list, a create) does not match a rule that names objects.
fn resource_name_matches(rule: &PolicyRule, name: &str) -> bool {
    rule.resource_names.is_empty() || rule.resource_names.iter().any(|n| n == name)
}

/// `*`, the exact path, or a prefix ending in `*`.
fn non_resource_url_matches(rule: &PolicyRule, path: &str) -> bool {
    rule.non_resource_urls.iter().any(|url| {
        url == ALL
            || url == path
            || (url.ends_with('*') && path.starts_with(url.trim_end_matches('*')))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_string()).collect()
    }

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str], names: &[&str]) -> PolicyRule {
        PolicyRule {
            verbs: strings(verbs),
            api_groups: strings(groups),
            resources: strings(resources),
            resource_names: strings(names),
            non_resource_urls: Vec::new(),
        }
    }

    fn url_rule(verbs: &[&str], urls: &[&str]) -> PolicyRule {
        PolicyRule {
            verbs: strings(verbs),
            non_resource_urls: strings(urls),
            ..PolicyRule::default()
        }
    }

    fn resource(verb: &str, group: &str, res: &str, sub: &str, name: &str) -> RbacRequest {
        RbacRequest::Resource(ResourceAttributes {
            verb: verb.into(),
            group: group.into(),
            resource: res.into(),
            subresource: sub.into(),
            name: name.into(),
            namespace: "top-secret".into(),
        })
    }

    fn path(verb: &str, path: &str) -> RbacRequest {
        RbacRequest::NonResource(NonResourceAttributes {
            verb: verb.into(),
            path: path.into(),
        })
    }

    #[test]
    fn rule_matches() {
        let cases: Vec<(&str, PolicyRule, RbacRequest, bool)> = vec![
            (
                "star verb, exact match other",
                rule(&["*"], &["group"], &["pods"], &[]),
                resource("get", "group", "pods", "", ""),
                true,
            ),
            (
                "star verb, wrong group",
                rule(&["*"], &["group"], &["pods"], &[]),
                resource("get", "other", "pods", "", ""),
                false,
            ),
            (
                "exact match",
                rule(&["get"], &[""], &["pods"], &[]),
                resource("get", "", "pods", "", ""),
                true,
            ),
            (
                "exact verb mismatch",
                rule(&["get", "list"], &[""], &["pods"], &[]),
                resource("delete", "", "pods", "", ""),
                false,
            ),
            (
                "star group",
                rule(&["get"], &["*"], &["deployments"], &[]),
                resource("get", "apps", "deployments", "", ""),
                true,
            ),
            (
                "core group is not every group",
                rule(&["get"], &[""], &["deployments"], &[]),
                resource("get", "apps", "deployments", "", ""),
                false,
            ),
            (
                "star resource",
                rule(&["get"], &[""], &["*"], &[]),
                resource("get", "", "secrets", "", ""),
                true,
            ),
            (
                "star resource matches a subresource too",
                rule(&["get"], &[""], &["*"], &[]),
                resource("get", "", "pods", "log", ""),
                true,
            ),
            (
                "resource does not grant its subresource",
                rule(&["get"], &[""], &["pods"], &[]),
                resource("get", "", "pods", "log", ""),
                false,
            ),
            (
                "subresource, exact",
                rule(&["get"], &[""], &["pods/log"], &[]),
                resource("get", "", "pods", "log", ""),
                true,
            ),
            (
                "subresource does not grant the resource",
                rule(&["get"], &[""], &["pods/log"], &[]),
                resource("get", "", "pods", "", ""),
                false,
            ),
            (
                "subresource of another resource",
                rule(&["get"], &[""], &["pods/log"], &[]),
                resource("get", "", "nodes", "log", ""),
                false,
            ),
            (
                "*/scale matches any resource's scale",
                rule(&["update"], &["*"], &["*/scale"], &[]),
                resource("update", "apps", "deployments", "scale", ""),
                true,
            ),
            (
                "*/scale does not match another subresource",
                rule(&["update"], &["*"], &["*/scale"], &[]),
                resource("update", "apps", "deployments", "status", ""),
                false,
            ),
            (
                "*/scale does not match the resource itself",
                rule(&["update"], &["*"], &["*/scale"], &[]),
                resource("update", "apps", "deployments", "", ""),
                false,
            ),
            (
                "*/scale does not match a longer subresource name",
                rule(&["update"], &["*"], &["*/scale"], &[]),
                resource("update", "apps", "deployments", "rescale", ""),
                false,
            ),
            (
                "resourceNames containing the requested name",
                rule(&["get"], &[""], &["configmaps"], &["settings", "flags"]),
                resource("get", "", "configmaps", "", "flags"),
                true,
            ),
            (
                "resourceNames without the requested name",
                rule(&["get"], &[""], &["configmaps"], &["settings"]),
                resource("get", "", "configmaps", "", "other"),
                false,
            ),
            (
                "resourceNames with no requested name (list) do not match",
                rule(&["list"], &[""], &["configmaps"], &["settings"]),
                resource("list", "", "configmaps", "", ""),
                false,
            ),
            (
                "no resourceNames match any name",
                rule(&["get"], &[""], &["configmaps"], &[]),
                resource("get", "", "configmaps", "", "anything"),
                true,
            ),
            (
                "resource rule does not match a non-resource request",
                rule(&["*"], &["*"], &["*"], &[]),
                path("get", "/healthz"),
                false,
            ),
            (
                "non-resource rule does not match a resource request",
                url_rule(&["*"], &["*"]),
                resource("get", "", "pods", "", ""),
                false,
            ),
            (
                "non-resource exact",
                url_rule(&["get"], &["/healthz"]),
                path("get", "/healthz"),
                true,
            ),
            (
                "non-resource exact, longer path",
                url_rule(&["get"], &["/healthz"]),
                path("get", "/healthz/ready"),
                false,
            ),
            (
                "non-resource star",
                url_rule(&["get"], &["*"]),
                path("get", "/metrics"),
                true,
            ),
            (
                "non-resource prefix",
                url_rule(&["get"], &["/api/*"]),
                path("get", "/api/v1"),
                true,
            ),
            (
                "non-resource prefix matches the bare prefix",
                url_rule(&["get"], &["/api/*"]),
                path("get", "/api/"),
                true,
            ),
            (
                "non-resource prefix, other path",
                url_rule(&["get"], &["/api/*"]),
                path("get", "/apis/apps"),
                false,
            ),
            (
                "non-resource prefix, wrong verb",
                url_rule(&["get"], &["/api/*"]),
                path("post", "/api/v1"),
                false,
            ),
        ];
        for (name, rule, request, want) in cases {
            assert_eq!(rule_allows(&rule, &request), want, "{name}");
        }
    }
}
