//! What RBAC is asked: Kubernetes' resource and non-resource attributes.

use serde::Serialize;

use crate::json::steps::{self, unknown_field};

/// What is asked about a resource (Kubernetes ResourceAttributes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct ResourceAttributes {
    /// The verb: get, list, watch, create, update, patch, delete, ...
    pub verb: String,
    /// The API group (`""` for the core group).
    pub group: String,
    /// The resource, e.g. `pods`.
    pub resource: String,
    /// The subresource, e.g. `log` (empty for none).
    pub subresource: String,
    /// The object's name (empty for all / a collection).
    pub name: String,
    /// The namespace (empty for a cluster-scoped resource).
    pub namespace: String,
}

/// What is asked about a non-resource URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct NonResourceAttributes {
    /// The verb (`get`, `post`, ...).
    pub verb: String,
    /// The URL path, e.g. `/healthz`.
    pub path: String,
}

/// An RBAC question.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RbacRequest {
    /// About a resource.
    Resource(ResourceAttributes),
    /// About a non-resource URL.
    NonResource(NonResourceAttributes),
}

impl RbacRequest {
    /// Reads a question from JSON, as the wasm module's `authorize` takes it: `{verb, group,
    /// resource, subresource, name, namespace}` about a resource, or `{verb, path}` about a
    /// non-resource URL (a `path` makes it one). Absent members are empty strings; any other
    /// member, or a value that is not a string, is refused with its path.
    pub fn from_json(text: &str) -> Result<RbacRequest, String> {
        const FIELDS: [&str; 7] = [
            "verb",
            "group",
            "resource",
            "subresource",
            "name",
            "namespace",
            "path",
        ];
        steps::whole(text, |c| {
            let mut values: [Option<(usize, String)>; 7] = Default::default();
            c.record(&FIELDS, &mut |c, i| {
                c.ws();
                values[i] = Some((c.at, c.string_value()?));
                Ok(())
            })?;
            let [verb, group, resource, subresource, name, namespace, path] = values;
            let text = |v: Option<(usize, String)>| v.map(|(_, s)| s).unwrap_or_default();
            let Some((_, path)) = path else {
                return Ok(RbacRequest::Resource(ResourceAttributes {
                    verb: text(verb),
                    group: text(group),
                    resource: text(resource),
                    subresource: text(subresource),
                    name: text(name),
                    namespace: text(namespace),
                }));
            };
            // A non-resource URL has only a verb and a path.
            let resource_fields = [group, resource, subresource, name, namespace];
            if let Some((key, Some((at, _)))) = FIELDS[1..]
                .iter()
                .zip(resource_fields)
                .find(|(_, v)| v.is_some())
            {
                return unknown_field(at, key, &["verb", "path"]);
            }
            Ok(RbacRequest::NonResource(NonResourceAttributes {
                verb: text(verb),
                path,
            }))
        })
    }

    /// The namespace asked about: empty for a cluster-scoped resource and for a non-resource URL.
    pub fn namespace(&self) -> &str {
        match self {
            RbacRequest::Resource(r) => &r.namespace,
            RbacRequest::NonResource(_) => "",
        }
    }

    /// The verb asked for.
    pub fn verb(&self) -> &str {
        match self {
            RbacRequest::Resource(r) => &r.verb,
            RbacRequest::NonResource(n) => &n.verb,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_is_read_from_json_about_a_resource_or_a_url() {
        let q = RbacRequest::from_json(r#"{"verb": "get", "resource": "pods", "namespace": "ci"}"#);
        assert_eq!(
            q,
            Ok(RbacRequest::Resource(ResourceAttributes {
                verb: "get".into(),
                resource: "pods".into(),
                namespace: "ci".into(),
                ..ResourceAttributes::default()
            }))
        );
        let q = RbacRequest::from_json(r#"{"path": "/healthz", "verb": "get"}"#);
        assert_eq!(
            q,
            Ok(RbacRequest::NonResource(NonResourceAttributes {
                verb: "get".into(),
                path: "/healthz".into()
            }))
        );
        assert_eq!(
            RbacRequest::from_json("{}"),
            Ok(RbacRequest::Resource(ResourceAttributes::default()))
        );
    }

    #[test]
    fn a_bad_question_names_the_member() {
        for (text, error) in [
            (
                r#"{"verb": 7}"#,
                "verb: invalid type: integer `7`, expected a string",
            ),
            (
                r#"{"verb": null}"#,
                "verb: invalid type: null, expected a string",
            ),
            ("null", ".: invalid type: null, expected an object"),
            (
                r#""pods""#,
                ".: invalid type: string \"pods\", expected an object",
            ),
            (
                r#"{"verb": "get", "resources": "pods"}"#,
                "resources: unknown field `resources`, expected one of `verb`, `group`, \
                 `resource`, `subresource`, `name`, `namespace`, `path`",
            ),
            (
                r#"{"verb": "get", "path": "/x", "namespace": "ci"}"#,
                "namespace: unknown field `namespace`, expected `verb` or `path`",
            ),
            (r#"{"verb": "get",}"#, ".: trailing comma"),
        ] {
            // Each with its line and column.
            let got = RbacRequest::from_json(text).unwrap_err();
            assert!(
                got.starts_with(error) && got.contains(" at line 1 column "),
                "{text}: {got}"
            );
        }
    }
}
