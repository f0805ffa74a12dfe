//! The bundle's short sections read into the schema's types (`schema.rs`): settings, issuers,
//! namespaces, the directory, roles, cluster roles and routes. The long lists (accounts,
//! revocations, bindings) are read by `scan.rs` without building them. Each reader takes the
//! fields `schema.rs` declares, by the same names, with the same defaults (an absent list is
//! empty, an absent or `null` option is `None`), and refuses any other.

use serde_json::Value;

use super::schema::{
    AggregationRule, ClusterRole, Directory, DirectoryGroup, DirectoryUser, Issuer, LabelSelector,
    LabelSelectorRequirement, Namespace, PolicyRule, Role, Route, Settings,
};
use crate::json::cursor::Cursor;
use crate::json::steps::{required, Step, Stop};
use crate::token::JwkSet;

/// `settings`.
pub(crate) fn settings(c: &mut Cursor<'_>) -> Step<Settings> {
    let mut s = Settings::default();
    c.record(&["leeway_seconds", "default_issuer"], &mut |c, i| {
        match i {
            0 => s.leeway_seconds = c.optional(Cursor::u32)?,
            _ => s.default_issuer = c.optional_string()?,
        }
        Ok(())
    })?;
    Ok(s)
}

/// `issuers[i]`.
pub(crate) fn issuer(c: &mut Cursor<'_>) -> Step<Issuer> {
    const FIELDS: [&str; 5] = ["name", "iss", "audiences", "jwks", "shared_secret"];
    let (mut name, mut iss, mut audiences, mut jwks, mut shared_secret) =
        (None, None, Vec::new(), None, None);
    let at = c.record(&FIELDS, &mut |c, i| {
        match i {
            0 => name = Some(c.string_value()?),
            1 => iss = c.optional_string()?,
            2 => audiences = c.strings()?,
            3 => jwks = c.optional(JwkSet::read)?,
            _ => shared_secret = c.optional_string()?,
        }
        Ok(())
    })?;
    Ok(Issuer {
        name: required(name, at, "name")?,
        iss,
        audiences,
        jwks,
        shared_secret,
    })
}

/// `namespaces[i]`.
pub(crate) fn namespace(c: &mut Cursor<'_>) -> Step<Namespace> {
    let (mut name, mut parent) = (None, None);
    let at = c.record(&["name", "parent"], &mut |c, i| {
        match i {
            0 => name = Some(c.string_value()?),
            _ => parent = c.optional_string()?,
        }
        Ok(())
    })?;
    Ok(Namespace {
        name: required(name, at, "name")?,
        parent,
    })
}

/// `directory`.
pub(crate) fn directory(c: &mut Cursor<'_>) -> Step<Directory> {
    let mut d = Directory::default();
    c.record(&["users", "groups"], &mut |c, i| {
        match i {
            0 => d.users = c.list_of(directory_user)?,
            _ => d.groups = c.list_of(directory_group)?,
        }
        Ok(())
    })?;
    Ok(d)
}

fn directory_user(c: &mut Cursor<'_>) -> Step<DirectoryUser> {
    let (mut id, mut email, mut groups) = (None, None, Vec::new());
    let at = c.record(&["id", "email", "groups"], &mut |c, i| {
        match i {
            0 => id = Some(c.string_value()?),
            1 => email = c.optional_string()?,
            _ => groups = c.strings()?,
        }
        Ok(())
    })?;
    Ok(DirectoryUser {
        id: required(id, at, "id")?,
        email,
        groups,
    })
}

fn directory_group(c: &mut Cursor<'_>) -> Step<DirectoryGroup> {
    let (mut id, mut name) = (None, None);
    let at = c.record(&["id", "name"], &mut |c, i| {
        match i {
            0 => id = Some(c.string_value()?),
            _ => name = Some(c.string_value()?),
        }
        Ok(())
    })?;
    Ok(DirectoryGroup {
        id: required(id, at, "id")?,
        name: required(name, at, "name")?,
    })
}

/// `roles[i]`.
pub(crate) fn role(c: &mut Cursor<'_>) -> Step<Role> {
    let (mut name, mut namespace, mut rules) = (None, None, Vec::new());
    let at = c.record(&["name", "namespace", "rules"], &mut |c, i| {
        match i {
            0 => name = Some(c.string_value()?),
            1 => namespace = Some(c.string_value()?),
            _ => rules = c.list_of(policy_rule)?,
        }
        Ok(())
    })?;
    Ok(Role {
        name: required(name, at, "name")?,
        namespace: required(namespace, at, "namespace")?,
        rules,
    })
}

/// `cluster_roles[i]`.
pub(crate) fn cluster_role(c: &mut Cursor<'_>) -> Step<ClusterRole> {
    const FIELDS: [&str; 4] = ["name", "labels", "rules", "aggregationRule"];
    let (mut name, mut labels, mut rules, mut aggregation_rule) =
        (None, Default::default(), Vec::new(), None);
    let at = c.record(&FIELDS, &mut |c, i| {
        match i {
            0 => name = Some(c.string_value()?),
            1 => labels = c.string_map()?,
            2 => rules = c.list_of(policy_rule)?,
            _ => aggregation_rule = c.optional(aggregation)?,
        }
        Ok(())
    })?;
    Ok(ClusterRole {
        name: required(name, at, "name")?,
        labels,
        rules,
        aggregation_rule,
    })
}

fn policy_rule(c: &mut Cursor<'_>) -> Step<PolicyRule> {
    const FIELDS: [&str; 5] = [
        "verbs",
        "apiGroups",
        "resources",
        "resourceNames",
        "nonResourceURLs",
    ];
    let (mut verbs, mut rule) = (None, PolicyRule::default());
    let at = c.record(&FIELDS, &mut |c, i| {
        let list = c.strings()?;
        match i {
            0 => verbs = Some(list),
            1 => rule.api_groups = list,
            2 => rule.resources = list,
            3 => rule.resource_names = list,
            _ => rule.non_resource_urls = list,
        }
        Ok(())
    })?;
    rule.verbs = required(verbs, at, "verbs")?;
    Ok(rule)
}

fn aggregation(c: &mut Cursor<'_>) -> Step<AggregationRule> {
    let mut selectors = None;
    let at = c.record(&["clusterRoleSelectors"], &mut |c, _| {
        selectors = Some(c.list_of(label_selector)?);
        Ok(())
    })?;
    Ok(AggregationRule {
        cluster_role_selectors: required(selectors, at, "clusterRoleSelectors")?,
    })
}

fn label_selector(c: &mut Cursor<'_>) -> Step<LabelSelector> {
    let mut selector = LabelSelector::default();
    c.record(&["matchLabels", "matchExpressions"], &mut |c, i| {
        match i {
            0 => selector.match_labels = c.string_map()?,
            _ => selector.match_expressions = c.list_of(requirement)?,
        }
        Ok(())
    })?;
    Ok(selector)
}

fn requirement(c: &mut Cursor<'_>) -> Step<LabelSelectorRequirement> {
    let (mut key, mut operator, mut values) = (None, None, Vec::new());
    let at = c.record(&["key", "operator", "values"], &mut |c, i| {
        match i {
            0 => key = Some(c.string_value()?),
            1 => operator = Some(c.string_value()?),
            _ => values = c.strings()?,
        }
        Ok(())
    })?;
    Ok(LabelSelectorRequirement {
        key: required(key, at, "key")?,
        operator: required(operator, at, "operator")?,
        values,
    })
}

/// `routes[i]`.
pub(crate) fn route(c: &mut Cursor<'_>) -> Step<Route> {
    const FIELDS: [&str; 7] = [
        "name",
        "namespace",
        "from",
        "prefix",
        "path",
        "regex",
        "policy",
    ];
    let (mut name, mut namespace, mut from, mut policy) = (None, None, None, None);
    let (mut prefix, mut path, mut regex) = (None, None, None);
    let at = c.record(&FIELDS, &mut |c, i| {
        match i {
            0 => name = Some(c.string_value()?),
            1 => namespace = Some(c.string_value()?),
            2 => from = Some(c.string_value()?),
            3 => prefix = c.optional_string()?,
            4 => path = c.optional_string()?,
            5 => regex = c.optional_string()?,
            _ => {
                // Read once, as a value: where it is not JSON, the document's reading says why.
                let text = c.skip()?;
                let value = serde_json::from_str::<Value>(text);
                policy = Some(value.map_err(|_| Stop::Syntax)?);
            }
        }
        Ok(())
    })?;
    Ok(Route {
        name: required(name, at, "name")?,
        namespace: required(namespace, at, "namespace")?,
        from: required(from, at, "from")?,
        prefix,
        path,
        regex,
        policy: required(policy, at, "policy")?,
    })
}
