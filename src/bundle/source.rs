//! The document as loading reads it: the schema of `schema.rs`, with the strings of the long
//! lists (service accounts, revocations, bindings) borrowed from the input text rather than
//! allocated one by one, and the short lists as the schema's own types.
//!
//! The types mirror `schema.rs` field for field: the same type names (serde's messages name
//! them), field names, order and serde attributes, so the two accept the same documents and
//! refuse the others with the same message (the tests below hold them to it). Loading reads
//! this; [`BundleDocument::borrowing`] views an already parsed [`schema::BundleDocument`] the
//! same way.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::schema::{
    self, AccountKind, ClusterRole, Directory, Issuer, Namespace, Role, Route, Settings,
};

/// A string of the document: borrowed from the input when the JSON spells it without escapes.
/// Formats as the string itself (`{:?}` quotes it as `str` does, for problem messages).
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Str<'a>(Cow<'a, str>);

impl fmt::Debug for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Deref for Str<'_> {
    type Target = str;

    // Always inlined: every check reads these strings, and the release profile optimizes for
    // size, which otherwise leaves this a call (a tenth of a wasm load's validation time).
    #[inline(always)]
    fn deref(&self) -> &str {
        match &self.0 {
            Cow::Borrowed(s) => s,
            Cow::Owned(s) => s,
        }
    }
}

impl<'a> From<&'a String> for Str<'a> {
    fn from(s: &'a String) -> Str<'a> {
        Str(Cow::Borrowed(s))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Str<'a>, D::Error> {
        struct StrVisitor;

        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Str<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // As `String`'s visitor says, so that errors read the same.
                f.write_str("a string")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }

        deserializer.deserialize_string(StrVisitor)
    }
}

fn strs<'a>(list: &'a [String]) -> Vec<Str<'a>> {
    list.iter().map(Str::from).collect()
}

/// A whole bundle document ([`schema::BundleDocument`]).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BundleDocument<'a> {
    pub(crate) version: u32,
    pub(crate) revision: u64,
    #[serde(borrow)]
    pub(crate) issued_at: Str<'a>,
    #[serde(default, borrow)]
    pub(crate) expires_at: Option<Str<'a>>,
    #[serde(default)]
    pub(crate) settings: Cow<'a, Settings>,
    #[serde(default)]
    pub(crate) issuers: Cow<'a, [Issuer]>,
    #[serde(default)]
    pub(crate) namespaces: Cow<'a, [Namespace]>,
    #[serde(default)]
    pub(crate) directory: Cow<'a, Directory>,
    #[serde(default, borrow)]
    pub(crate) service_accounts: Vec<ServiceAccount<'a>>,
    #[serde(default, borrow)]
    pub(crate) revocations: Vec<Revocation<'a>>,
    #[serde(default)]
    pub(crate) roles: Cow<'a, [Role]>,
    #[serde(default)]
    pub(crate) cluster_roles: Cow<'a, [ClusterRole]>,
    #[serde(default, borrow)]
    pub(crate) role_bindings: Vec<RoleBinding<'a>>,
    #[serde(default, borrow)]
    pub(crate) cluster_role_bindings: Vec<ClusterRoleBinding<'a>>,
    #[serde(default)]
    pub(crate) routes: Cow<'a, [Route]>,
}

impl<'a> BundleDocument<'a> {
    /// Views a parsed document as loading reads it (the long lists' strings are borrowed).
    pub(crate) fn borrowing(doc: &'a schema::BundleDocument) -> BundleDocument<'a> {
        BundleDocument {
            version: doc.version,
            revision: doc.revision,
            issued_at: Str::from(&doc.issued_at),
            expires_at: doc.expires_at.as_ref().map(Str::from),
            settings: Cow::Borrowed(&doc.settings),
            issuers: Cow::Borrowed(&doc.issuers),
            namespaces: Cow::Borrowed(&doc.namespaces),
            directory: Cow::Borrowed(&doc.directory),
            service_accounts: doc
                .service_accounts
                .iter()
                .map(ServiceAccount::from)
                .collect(),
            revocations: doc.revocations.iter().map(Revocation::from).collect(),
            roles: Cow::Borrowed(&doc.roles),
            cluster_roles: Cow::Borrowed(&doc.cluster_roles),
            role_bindings: doc.role_bindings.iter().map(RoleBinding::from).collect(),
            cluster_role_bindings: doc
                .cluster_role_bindings
                .iter()
                .map(ClusterRoleBinding::from)
                .collect(),
            routes: Cow::Borrowed(&doc.routes),
        }
    }
}

/// A service account ([`schema::ServiceAccount`]).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServiceAccount<'a> {
    #[serde(borrow)]
    pub(crate) namespace: Str<'a>,
    #[serde(borrow)]
    pub(crate) name: Str<'a>,
    #[serde(borrow)]
    pub(crate) uid: Str<'a>,
    #[serde(default, borrow)]
    pub(crate) id: Option<Str<'a>>,
    #[serde(default)]
    pub(crate) kind: AccountKind,
    #[serde(default, borrow)]
    pub(crate) impersonate: Option<Str<'a>>,
    #[serde(default, borrow)]
    pub(crate) expires_at: Option<Str<'a>>,
    #[serde(default, borrow)]
    pub(crate) secrets: Vec<Str<'a>>,
}

impl<'a> From<&'a schema::ServiceAccount> for ServiceAccount<'a> {
    fn from(sa: &'a schema::ServiceAccount) -> ServiceAccount<'a> {
        ServiceAccount {
            namespace: Str::from(&sa.namespace),
            name: Str::from(&sa.name),
            uid: Str::from(&sa.uid),
            id: sa.id.as_ref().map(Str::from),
            kind: sa.kind,
            impersonate: sa.impersonate.as_ref().map(Str::from),
            expires_at: sa.expires_at.as_ref().map(Str::from),
            secrets: strs(&sa.secrets),
        }
    }
}

/// A revoked token id ([`schema::Revocation`]).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Revocation<'a> {
    #[serde(borrow)]
    pub(crate) id: Str<'a>,
    #[serde(default, borrow)]
    pub(crate) revoked_at: Option<Str<'a>>,
}

impl<'a> From<&'a schema::Revocation> for Revocation<'a> {
    fn from(r: &'a schema::Revocation) -> Revocation<'a> {
        Revocation {
            id: Str::from(&r.id),
            revoked_at: r.revoked_at.as_ref().map(Str::from),
        }
    }
}

/// What a binding grants ([`schema::RoleRef`]).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct RoleRef<'a> {
    #[serde(borrow)]
    pub(crate) kind: Str<'a>,
    #[serde(borrow)]
    pub(crate) name: Str<'a>,
    #[serde(default, borrow)]
    pub(crate) api_group: Option<Str<'a>>,
}

impl<'a> From<&'a schema::RoleRef> for RoleRef<'a> {
    fn from(r: &'a schema::RoleRef) -> RoleRef<'a> {
        RoleRef {
            kind: Str::from(&r.kind),
            name: Str::from(&r.name),
            api_group: r.api_group.as_ref().map(Str::from),
        }
    }
}

/// Who a binding grants to ([`schema::Subject`]).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct Subject<'a> {
    #[serde(borrow)]
    pub(crate) kind: Str<'a>,
    #[serde(borrow)]
    pub(crate) name: Str<'a>,
    #[serde(default, borrow)]
    pub(crate) namespace: Option<Str<'a>>,
    #[serde(default, borrow)]
    pub(crate) api_group: Option<Str<'a>>,
}

impl<'a> From<&'a schema::Subject> for Subject<'a> {
    fn from(s: &'a schema::Subject) -> Subject<'a> {
        Subject {
            kind: Str::from(&s.kind),
            name: Str::from(&s.name),
            namespace: s.namespace.as_ref().map(Str::from),
            api_group: s.api_group.as_ref().map(Str::from),
        }
    }
}

/// A namespaced binding ([`schema::RoleBinding`]).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoleBinding<'a> {
    #[serde(borrow)]
    pub(crate) name: Str<'a>,
    #[serde(borrow)]
    pub(crate) namespace: Str<'a>,
    #[serde(rename = "roleRef", borrow)]
    pub(crate) role_ref: RoleRef<'a>,
    #[serde(default, borrow)]
    pub(crate) subjects: Vec<Subject<'a>>,
}

impl<'a> From<&'a schema::RoleBinding> for RoleBinding<'a> {
    fn from(b: &'a schema::RoleBinding) -> RoleBinding<'a> {
        RoleBinding {
            name: Str::from(&b.name),
            namespace: Str::from(&b.namespace),
            role_ref: RoleRef::from(&b.role_ref),
            subjects: b.subjects.iter().map(Subject::from).collect(),
        }
    }
}

/// A cluster-wide binding ([`schema::ClusterRoleBinding`]).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClusterRoleBinding<'a> {
    #[serde(borrow)]
    pub(crate) name: Str<'a>,
    #[serde(rename = "roleRef", borrow)]
    pub(crate) role_ref: RoleRef<'a>,
    #[serde(default, borrow)]
    pub(crate) subjects: Vec<Subject<'a>>,
}

impl<'a> From<&'a schema::ClusterRoleBinding> for ClusterRoleBinding<'a> {
    fn from(b: &'a schema::ClusterRoleBinding) -> ClusterRoleBinding<'a> {
        ClusterRoleBinding {
            name: Str::from(&b.name),
            role_ref: RoleRef::from(&b.role_ref),
            subjects: b.subjects.iter().map(Subject::from).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn example() -> Value {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/bundle.json"))
                .expect("examples/bundle.json");
        serde_json::from_str(&text).expect("example JSON")
    }

    /// Both readings of `text`: as the schema and as loading reads it.
    fn both(
        text: &str,
    ) -> (
        Result<schema::BundleDocument, String>,
        Result<BundleDocument<'_>, String>,
    ) {
        (
            serde_json::from_str::<schema::BundleDocument>(text).map_err(|e| e.to_string()),
            serde_json::from_str::<BundleDocument<'_>>(text).map_err(|e| e.to_string()),
        )
    }

    /// Everything of a source, comparable (the schema's own types through their JSON).
    fn comparable<'a>(s: &BundleDocument<'a>) -> impl PartialEq + fmt::Debug + 'a {
        let json = |v: serde_json::Result<Value>| v.expect("serializable");
        (
            (
                s.version,
                s.revision,
                s.issued_at.clone(),
                s.expires_at.clone(),
            ),
            [
                json(serde_json::to_value(&s.settings)),
                json(serde_json::to_value(&s.issuers)),
                json(serde_json::to_value(&s.namespaces)),
                json(serde_json::to_value(&s.directory)),
                json(serde_json::to_value(&s.roles)),
                json(serde_json::to_value(&s.cluster_roles)),
                json(serde_json::to_value(&s.routes)),
            ],
            (
                s.service_accounts.clone(),
                s.revocations.clone(),
                s.role_bindings.clone(),
                s.cluster_role_bindings.clone(),
            ),
        )
    }

    #[test]
    fn a_document_reads_the_same_either_way() {
        let text = example().to_string();
        let escaped = text.replacen("\"robot\"", "\"\\u0072obot\"", 1);
        assert_ne!(escaped, text);
        for text in [text, escaped] {
            let (doc, source) = both(&text);
            let doc = doc.expect("the schema reads the example");
            let source = source.expect("loading reads it");
            assert_eq!(
                comparable(&source),
                comparable(&BundleDocument::borrowing(&doc))
            );
        }
    }

    #[test]
    fn every_refusal_reads_the_same_either_way() {
        let cases: Vec<(&str, Value)> = vec![
            ("surplus", json!(1)),
            ("version", json!("1")),
            ("revision", json!(-1)),
            ("issued_at", json!(5)),
            ("expires_at", json!([])),
            ("settings", json!({"leeway": 1})),
            ("namespaces", json!({})),
            ("service_accounts", json!([{"name": "a", "uid": "u"}])),
            (
                "service_accounts",
                json!([{"namespace": "n", "name": "a", "uid": "u", "extra": 1}]),
            ),
            (
                "service_accounts",
                json!([{"namespace": "n", "name": 7, "uid": "u"}]),
            ),
            (
                "service_accounts",
                json!([{"namespace": "n", "name": "a", "uid": "u", "kind": "odd"}]),
            ),
            (
                "service_accounts",
                json!([{"namespace": "n", "name": "a", "uid": "u", "secrets": "s"}]),
            ),
            (
                "service_accounts",
                json!([{"namespace": "n", "name": "a", "uid": "u", "secrets": [1]}]),
            ),
            ("service_accounts", json!(["x"])),
            ("revocations", json!([{"id": "x", "when": "now"}])),
            ("revocations", json!([{"revoked_at": "now"}])),
            (
                "role_bindings",
                json!([{"name": "b", "namespace": "n", "subjects": []}]),
            ),
            (
                "role_bindings",
                json!([{"name": "b", "namespace": "n", "roleRef": {"kind": "Role"}}]),
            ),
            (
                "role_bindings",
                json!([{"name": "b", "namespace": "n", "roleRef": {"kind": "Role", "name": "r", "apigroup": ""}}]),
            ),
            (
                "role_bindings",
                json!([{"name": "b", "namespace": "n", "roleRef": {"kind": "Role", "name": "r"}, "subjects": [{"kind": "User"}]}]),
            ),
            (
                "role_bindings",
                json!([{"name": "b", "namespace": "n", "roleRef": {"kind": "Role", "name": "r"}, "subjects": [{"kind": "User", "name": "u", "group": "g"}]}]),
            ),
            (
                "role_bindings",
                json!([{"name": "b", "namespace": "n", "roleRef": "r"}]),
            ),
            (
                "cluster_role_bindings",
                json!([{"name": "b", "namespace": "n", "roleRef": {"kind": "ClusterRole", "name": "r"}}]),
            ),
            (
                "cluster_role_bindings",
                json!([{"name": "b", "roleRef": {"kind": "ClusterRole", "name": "r"}, "subjects": {}}]),
            ),
            ("routes", json!([{"name": "r"}])),
        ];
        for (key, value) in cases {
            let mut doc = example();
            doc[key] = value;
            let text = doc.to_string();
            let (schema, source) = both(&text);
            let schema = schema.expect_err(&text);
            assert_eq!(Err(schema), source.map(|_| ()), "{key}");
        }
        for text in [
            "",
            "[]",
            "{\"version\": 1}",
            "{\"version\": 1, \"revision\": 1, \"issued_at\": \"x\", \"version\": 1}",
            "{\"version\": 1, \"revision\": 1, \"issued_at\": \"\\ud800\"}",
        ] {
            let (schema, source) = both(text);
            let schema = schema.expect_err(text);
            assert_eq!(Err(schema), source.map(|_| ()), "{text}");
        }
    }
}
