//! Scenario tests: OpenShift's and Kubernetes' usual bindings, tessera's namespace rule, and the
//! exact wording of reasons.

use serde_json::{json, Value};

use super::*;
use crate::identity::test_service_account as account;
use crate::names::AUTHENTICATED_GROUP;
use crate::schema::AccountKind;
use crate::token::TokenFormat;

const TO_ADMIN: &str = "rbac.authorization.k8s.io/aggregate-to-admin";
const TO_EDIT: &str = "rbac.authorization.k8s.io/aggregate-to-edit";
const TO_VIEW: &str = "rbac.authorization.k8s.io/aggregate-to-view";

/// ```text
/// global
/// ├── engineering
/// │   ├── top-secret
/// │   │   └── top-secret-jobs
/// │   └── ci
/// ├── managers
/// │   └── payroll
/// └── other
/// ```
fn namespaces() -> Value {
    json!([
        {"name": "global"},
        {"name": "engineering", "parent": "global"},
        {"name": "top-secret", "parent": "engineering"},
        {"name": "top-secret-jobs", "parent": "top-secret"},
        {"name": "ci", "parent": "engineering"},
        {"name": "managers", "parent": "global"},
        {"name": "payroll", "parent": "managers"},
        {"name": "other", "parent": "global"},
    ])
}

fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> Value {
    json!({"verbs": verbs, "apiGroups": groups, "resources": resources})
}

fn aggregate(label: &str) -> Value {
    json!({"clusterRoleSelectors": [{"matchLabels": {label: "true"}}]})
}

/// Kubernetes' aggregated admin/edit/view, OpenShift's image and deployer roles, discovery.
fn cluster_roles() -> Value {
    json!([
        {"name": "admin", "aggregationRule": aggregate(TO_ADMIN)},
        {"name": "edit", "labels": {TO_ADMIN: "true"}, "aggregationRule": aggregate(TO_EDIT)},
        {"name": "view", "labels": {TO_EDIT: "true"}, "aggregationRule": aggregate(TO_VIEW)},
        {"name": "system:aggregate-to-admin", "labels": {TO_ADMIN: "true"}, "rules": [
            rule(&["*"], &["rbac.authorization.k8s.io"], &["rolebindings", "roles"]),
        ]},
        {"name": "system:aggregate-to-edit", "labels": {TO_EDIT: "true"}, "rules": [
            rule(&["create", "delete", "patch", "update"], &[""], &["pods", "configmaps"]),
            rule(&["create", "delete", "patch", "update"], &["apps"], &["deployments", "deployments/scale"]),
        ]},
        {"name": "system:aggregate-to-view", "labels": {TO_VIEW: "true"}, "rules": [
            rule(&["get", "list", "watch"], &[""], &["pods", "pods/log", "configmaps", "services"]),
            rule(&["get", "list", "watch"], &["apps"], &["deployments"]),
        ]},
        {"name": "system:image-builder", "rules": [
            rule(&["get", "update"], &["", "image.openshift.io"], &["imagestreams/layers"]),
            rule(&["create"], &["", "image.openshift.io"], &["imagestreams"]),
            rule(&["update"], &["", "build.openshift.io"], &["builds/details"]),
        ]},
        {"name": "system:image-puller", "rules": [
            rule(&["get"], &["", "image.openshift.io"], &["imagestreams/layers"]),
        ]},
        {"name": "system:deployer", "rules": [
            rule(&["delete", "get", "list", "patch", "update", "watch"], &[""], &["replicationcontrollers"]),
            rule(&["get", "list", "watch"], &[""], &["pods"]),
            rule(&["create", "list"], &[""], &["events"]),
        ]},
        {"name": "system:discovery", "rules": [
            {"verbs": ["get"], "nonResourceURLs": ["/healthz", "/version", "/api", "/api/*"]},
        ]},
        {"name": "metrics-reader", "rules": [
            {"verbs": ["get"], "nonResourceURLs": ["/metrics"]},
        ]},
        {"name": "namespace-lister", "rules": [
            rule(&["get", "list"], &[""], &["namespaces"]),
        ]},
    ])
}

fn role_binding(name: &str, namespace: &str, role: &str, subjects: Value) -> Value {
    json!({
        "name": name,
        "namespace": namespace,
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": subjects,
    })
}

fn sa(name: &str) -> Value {
    json!({"kind": "ServiceAccount", "name": name})
}

fn sa_in(namespace: &str, name: &str) -> Value {
    json!({"kind": "ServiceAccount", "name": name, "namespace": namespace})
}

fn group(name: &str) -> Value {
    json!({"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": name})
}

fn user(name: &str) -> Value {
    json!({"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": name})
}

fn role_bindings() -> Value {
    json!([
        // oc policy add-role-to-user view system:serviceaccount:top-secret:robot -n top-secret
        role_binding("pullers", "top-secret", "view", json!([sa("robot")])),
        // OpenShift's default bindings of a project.
        role_binding("system:image-builders", "top-secret", "system:image-builder", json!([sa("builder")])),
        role_binding("system:deployers", "top-secret", "system:deployer", json!([sa("deployer")])),
        role_binding("system:image-pullers", "top-secret", "system:image-puller",
            json!([group("system:serviceaccounts:top-secret")])),
        // Every service account may view top-secret (if the namespace rule lets it act there).
        role_binding("everyone-views", "top-secret", "view", json!([group("system:serviceaccounts")])),
        // Managers edit in managers and payroll, and (in vain) in top-secret.
        role_binding("managers-edit", "managers", "edit", json!([group("system:serviceaccounts:managers")])),
        role_binding("managers-edit", "payroll", "edit", json!([group("system:serviceaccounts:managers")])),
        role_binding("managers-edit", "top-secret", "edit", json!([group("system:serviceaccounts:managers")])),
        // Bindings naming robot in its parent, its sibling and its child namespace.
        role_binding("robot-admin", "engineering", "admin", json!([sa_in("top-secret", "robot")])),
        role_binding("robot-admin", "ci", "admin", json!([sa_in("top-secret", "robot")])),
        role_binding("robot-jobs", "top-secret-jobs", "edit", json!([sa_in("top-secret", "robot")])),
        // A ServiceAccount subject with an empty namespace: the binding's (Kubernetes' reading).
        role_binding("tester-edit", "ci", "edit", json!([sa_in("", "tester")])),
        // A ClusterRole of non-resource URLs through a RoleBinding grants nothing.
        role_binding("metrics", "top-secret", "metrics-reader", json!([sa("robot")])),
        // A Role of the namespace, to a directory user (an impersonating account).
        {
            "name": "alice-config",
            "namespace": "top-secret",
            "roleRef": {"kind": "Role", "name": "config-editor"},
            "subjects": [user("alice")],
        },
        {
            "name": "alice-config",
            "namespace": "other",
            "roleRef": {"kind": "Role", "name": "config-editor"},
            "subjects": [user("alice")],
        },
    ])
}

fn cluster_role_bindings() -> Value {
    json!([
        {
            "name": "system:discovery",
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:discovery"},
            "subjects": [group("system:authenticated")],
        },
        {
            "name": "auditors",
            "roleRef": {"kind": "ClusterRole", "name": "view"},
            "subjects": [sa_in("other", "auditor")],
        },
        {
            "name": "namespace-listers",
            "roleRef": {"kind": "ClusterRole", "name": "namespace-lister"},
            "subjects": [user("system:serviceaccount:other:auditor")],
        },
    ])
}

fn roles() -> Value {
    json!([
        {"name": "config-editor", "namespace": "top-secret", "rules": [
            rule(&["get", "update"], &[""], &["configmaps"]),
        ]},
        {"name": "config-editor", "namespace": "other", "rules": [
            rule(&["get", "update"], &[""], &["configmaps"]),
        ]},
    ])
}

fn document(overrides: Value) -> BundleDocument {
    let mut doc = json!({
        "version": 1,
        "revision": 1,
        "issued_at": "2025-01-01T00:00:00Z",
        "namespaces": namespaces(),
        "roles": roles(),
        "cluster_roles": cluster_roles(),
        "role_bindings": role_bindings(),
        "cluster_role_bindings": cluster_role_bindings(),
    });
    if let (Some(doc), Some(overrides)) = (doc.as_object_mut(), overrides.as_object()) {
        for (k, v) in overrides {
            doc.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(doc).expect("a bundle document")
}

struct World {
    rbac: Rbac,
    namespaces: NamespaceTree,
}

fn world() -> World {
    let doc = document(json!({}));
    let mut problems = Problems::default();
    let namespaces = NamespaceTree::build(&doc.namespaces, &mut problems);
    let rbac = Rbac::compile(&doc, &namespaces, &mut problems);
    let text: Vec<String> = problems.as_slice().iter().map(|p| p.to_string()).collect();
    assert!(text.is_empty(), "{text:#?}");
    World { rbac, namespaces }
}

/// An impersonating account of `namespace` acting as the directory user `user`.
fn impersonating(namespace: &str, name: &str, user: &str) -> Identity {
    Identity {
        username: user.into(),
        uid: user.into(),
        groups: vec!["staff".into(), AUTHENTICATED_GROUP.into()],
        kind: AccountKind::Impersonating,
        user_id: user.into(),
        format: TokenFormat::Pomerium,
        ..account(namespace, name)
    }
}

fn res(verb: &str, group: &str, resource: &str, namespace: &str) -> RbacRequest {
    RbacRequest::Resource(ResourceAttributes {
        verb: verb.into(),
        group: group.into(),
        resource: resource.into(),
        namespace: namespace.into(),
        ..Default::default()
    })
}

fn sub(verb: &str, group: &str, resource: &str, subresource: &str, ns: &str) -> RbacRequest {
    RbacRequest::Resource(ResourceAttributes {
        verb: verb.into(),
        group: group.into(),
        resource: resource.into(),
        subresource: subresource.into(),
        namespace: ns.into(),
        ..Default::default()
    })
}

fn url(verb: &str, path: &str) -> RbacRequest {
    RbacRequest::NonResource(NonResourceAttributes {
        verb: verb.into(),
        path: path.into(),
    })
}

#[test]
fn scenarios() {
    let w = world();
    let robot = account("top-secret", "robot");
    let builder = account("top-secret", "builder");
    let deployer = account("top-secret", "deployer");
    let default = account("top-secret", "default");
    let tester = account("ci", "tester");
    let lead = account("engineering", "lead");
    let boss = account("managers", "boss");
    let auditor = account("other", "auditor");
    let alice = impersonating("top-secret", "alice-sa", "alice");
    #[rustfmt::skip]
    let cases: Vec<(&str, &Identity, RbacRequest, bool)> = vec![
        // oc policy add-role-to-user view system:serviceaccount:top-secret:robot
        ("view: robot may get pods in top-secret", &robot, res("get", "", "pods", "top-secret"), true),
        ("view: robot may read pod logs in top-secret", &robot, sub("get", "", "pods", "log", "top-secret"), true),
        ("view: robot may not delete pods in top-secret", &robot, res("delete", "", "pods", "top-secret"), false),
        ("view: robot may not get pods in other", &robot, res("get", "", "pods", "other"), false),
        ("view: robot may not get pods at the cluster scope", &robot, res("list", "", "pods", ""), false),
        // view for Group system:serviceaccounts in top-secret
        ("group view: default of top-secret may list services", &default, res("list", "", "services", "top-secret"), true),
        ("group view: lead of the parent namespace may list services", &lead, res("list", "", "services", "top-secret"), true),
        ("group view: tester of a sibling namespace may not", &tester, res("list", "", "services", "top-secret"), false),
        // edit for Group system:serviceaccounts:managers
        ("managers edit: boss may create deployments in managers", &boss, res("create", "apps", "deployments", "managers"), true),
        ("managers edit: boss may scale deployments in managers", &boss, sub("update", "apps", "deployments", "scale", "managers"), true),
        ("managers edit: boss may delete pods in the child payroll", &boss, res("delete", "", "pods", "payroll"), true),
        ("managers edit: edit does not hold admin's rules", &boss, res("create", "rbac.authorization.k8s.io", "rolebindings", "managers"), false),
        ("managers edit: the binding in top-secret does not apply to boss", &boss, res("delete", "", "pods", "top-secret"), false),
        // OpenShift default bindings
        ("image-builders: builder may push layers", &builder, sub("update", "image.openshift.io", "imagestreams", "layers", "top-secret"), true),
        ("image-builders: builder may create image streams", &builder, res("create", "image.openshift.io", "imagestreams", "top-secret"), true),
        ("image-builders: deployer may not push layers", &deployer, sub("update", "image.openshift.io", "imagestreams", "layers", "top-secret"), false),
        ("deployers: deployer may update replication controllers", &deployer, res("update", "", "replicationcontrollers", "top-secret"), true),
        ("deployers: builder may not", &builder, res("update", "", "replicationcontrollers", "top-secret"), false),
        ("image-pullers: default may pull", &default, sub("get", "image.openshift.io", "imagestreams", "layers", "top-secret"), true),
        ("image-pullers: robot may pull", &robot, sub("get", "", "imagestreams", "layers", "top-secret"), true),
        ("image-pullers: tester of ci may not pull", &tester, sub("get", "image.openshift.io", "imagestreams", "layers", "top-secret"), false),
        // RoleBindings in the parent, a sibling and a child namespace
        ("parent: admin in engineering does not apply to robot", &robot, res("delete", "", "pods", "engineering"), false),
        ("sibling: admin in ci does not apply to robot", &robot, res("delete", "", "pods", "ci"), false),
        ("child: edit in top-secret-jobs applies to robot", &robot, res("delete", "", "pods", "top-secret-jobs"), true),
        ("child: edit does not leak to the parent top-secret", &robot, res("delete", "", "configmaps", "top-secret"), false),
        ("empty subject namespace: the binding's, so tester may delete pods in ci", &tester, res("delete", "", "pods", "ci"), true),
        // ClusterRoleBindings apply everywhere
        ("cluster binding: auditor may get pods in top-secret", &auditor, res("get", "", "pods", "top-secret"), true),
        ("cluster binding: auditor may get pods in managers", &auditor, res("get", "", "pods", "managers"), true),
        ("cluster binding: auditor may list pods of all namespaces", &auditor, res("list", "", "pods", ""), true),
        ("cluster binding: auditor may list namespaces (User subject)", &auditor, res("list", "", "namespaces", ""), true),
        ("cluster binding: view does not delete", &auditor, res("delete", "", "pods", "other"), false),
        // Non-resource URLs: only through ClusterRoleBindings
        ("discovery: robot may get /healthz", &robot, url("get", "/healthz"), true),
        ("discovery: robot may get /api/v1 (prefix)", &robot, url("get", "/api/v1"), true),
        ("discovery: not post", &robot, url("post", "/healthz"), false),
        ("discovery: /apis is not under /api/", &robot, url("get", "/apis"), false),
        ("metrics through a RoleBinding: not granted", &robot, url("get", "/metrics"), false),
        // A Role of the namespace, for an impersonating account (User subject)
        ("role: alice may update config maps in top-secret", &alice, res("update", "", "configmaps", "top-secret"), true),
        ("role: alice's binding in other does not apply", &alice, res("update", "", "configmaps", "other"), false),
    ];
    for (name, identity, request, want) in cases {
        let decision = w.rbac.authorize(identity, &w.namespaces, &request);
        assert_eq!(decision.allowed, want, "{name}: {decision:#?}");
        assert!(!decision.denied, "{name}: RBAC never denies outright");
        assert_eq!(decision.grant.is_some(), want, "{name}");
        let explained = w.rbac.explain(identity, &w.namespaces, &request);
        assert_eq!(explained, (want, composed(&decision)), "{name}");
    }
}

/// The explanation a decision carries, composed from the full answer: the reason, then the
/// namespace rule or else any evaluation error ([`Rbac::explain`] writes it directly).
fn composed(d: &RbacDecision) -> String {
    let error = Some(d.evaluation_error.as_str()).filter(|e| !e.is_empty());
    match d.namespace_rule.as_deref().or(error) {
        Some(more) => format!("{}; {more}", d.reason),
        None => d.reason.clone(),
    }
}

#[test]
fn allowed_reasons_name_binding_role_and_subject() {
    let w = world();
    #[rustfmt::skip]
    let cases = vec![
        (
            "role binding of a cluster role to a service account",
            account("top-secret", "robot"),
            res("get", "", "pods", "top-secret"),
            r#"RBAC: allowed by RoleBinding "pullers/top-secret" of ClusterRole "view" to ServiceAccount "robot/top-secret""#,
        ),
        (
            "OpenShift's image pullers, to a group",
            account("top-secret", "default"),
            sub("get", "image.openshift.io", "imagestreams", "layers", "top-secret"),
            r#"RBAC: allowed by RoleBinding "system:image-pullers/top-secret" of ClusterRole "system:image-puller" to Group "system:serviceaccounts:top-secret""#,
        ),
        (
            "OpenShift's image builders",
            account("top-secret", "builder"),
            res("create", "image.openshift.io", "imagestreams", "top-secret"),
            r#"RBAC: allowed by RoleBinding "system:image-builders/top-secret" of ClusterRole "system:image-builder" to ServiceAccount "builder/top-secret""#,
        ),
        (
            "a Role to a user",
            impersonating("top-secret", "alice-sa", "alice"),
            res("get", "", "configmaps", "top-secret"),
            r#"RBAC: allowed by RoleBinding "alice-config/top-secret" of Role "config-editor" to User "alice""#,
        ),
        (
            "a ClusterRoleBinding to a service account (checked before RoleBindings)",
            account("other", "auditor"),
            res("get", "", "pods", "top-secret"),
            r#"RBAC: allowed by ClusterRoleBinding "auditors" of ClusterRole "view" to ServiceAccount "auditor/other""#,
        ),
        (
            "a ClusterRoleBinding to a group, non-resource URL",
            account("top-secret", "robot"),
            url("get", "/version"),
            r#"RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated""#,
        ),
    ];
    for (name, identity, request, want) in cases {
        let decision = w.rbac.authorize(&identity, &w.namespaces, &request);
        assert!(decision.allowed, "{name}");
        assert_eq!(decision.reason, want, "{name}");
        assert_eq!(decision.evaluation_error, "", "{name}");
        assert_eq!(decision.namespace_rule, None, "{name}");
    }
}

#[test]
fn denied_reasons_are_kubernetes_forbidden_messages() {
    let w = world();
    let robot = account("top-secret", "robot");
    #[rustfmt::skip]
    let cases = vec![
        (
            "resource in a namespace",
            res("delete", "", "pods", "top-secret"),
            r#"User "system:serviceaccount:top-secret:robot" cannot delete resource "pods" in API group "" in the namespace "top-secret""#,
            None,
        ),
        (
            "subresource",
            sub("create", "", "pods", "exec", "top-secret"),
            r#"User "system:serviceaccount:top-secret:robot" cannot create resource "pods/exec" in API group "" in the namespace "top-secret""#,
            None,
        ),
        (
            "cluster scope",
            res("list", "", "nodes", ""),
            r#"User "system:serviceaccount:top-secret:robot" cannot list resource "nodes" in API group "" at the cluster scope"#,
            None,
        ),
        (
            "non-resource URL",
            url("get", "/metrics"),
            r#"User "system:serviceaccount:top-secret:robot" cannot get path "/metrics""#,
            None,
        ),
        (
            "outside the account's namespace",
            res("get", "apps", "deployments", "other"),
            r#"User "system:serviceaccount:top-secret:robot" cannot get resource "deployments" in API group "apps" in the namespace "other""#,
            Some(r#"service account "top-secret/robot" works only in namespace "top-secret" and its descendants: RoleBindings in namespace "other" do not apply to it (only ClusterRoleBindings grant outside its namespace)"#),
        ),
    ];
    for (name, request, reason, rule) in cases {
        let decision = w.rbac.authorize(&robot, &w.namespaces, &request);
        assert!(!decision.allowed, "{name}");
        assert!(!decision.denied, "{name}");
        assert_eq!(decision.reason, reason, "{name}");
        assert_eq!(decision.namespace_rule.as_deref(), rule, "{name}");
        assert_eq!(decision.evaluation_error, "", "{name}");
    }
}

#[test]
fn grants_explain_aggregated_rules() {
    let w = world();
    let boss = account("managers", "boss");
    let decision = w.rbac.authorize(
        &boss,
        &w.namespaces,
        &res("watch", "apps", "deployments", "managers"),
    );
    let grant = decision.grant.expect("allowed");
    assert_eq!(grant.binding_kind, BindingKind::RoleBinding);
    assert_eq!(grant.binding_namespace.as_deref(), Some("managers"));
    assert_eq!(grant.role_kind, RoleKind::ClusterRole);
    assert_eq!(grant.role_name, "edit");
    assert_eq!(grant.subject_kind, SubjectKind::Group);
    assert_eq!(grant.subject_name, "system:serviceaccounts:managers");
    assert_eq!(
        grant.aggregated_from.as_deref(),
        Some("system:aggregate-to-view"),
        "edit holds view's rules through the chain edit <- view <- system:aggregate-to-view"
    );
    assert_eq!(grant.rule.verbs, ["get", "list", "watch"]);
}

#[test]
fn decisions_serialize_as_subject_access_review_status() {
    let w = world();
    let robot = account("top-secret", "robot");
    let allowed = w
        .rbac
        .authorize(&robot, &w.namespaces, &res("get", "", "pods", "top-secret"));
    assert_eq!(
        serde_json::to_value(&allowed).expect("json"),
        json!({
            "allowed": true,
            "denied": false,
            "reason": r#"RBAC: allowed by RoleBinding "pullers/top-secret" of ClusterRole "view" to ServiceAccount "robot/top-secret""#,
            "grant": {
                "bindingKind": "RoleBinding",
                "bindingName": "pullers",
                "bindingNamespace": "top-secret",
                "roleKind": "ClusterRole",
                "roleName": "view",
                "subjectKind": "ServiceAccount",
                "subjectName": "robot",
                "subjectNamespace": "top-secret",
                "rule": {
                    "verbs": ["get", "list", "watch"],
                    "apiGroups": [""],
                    "resources": ["pods", "pods/log", "configmaps", "services"],
                },
                "aggregatedFrom": "system:aggregate-to-view",
            },
        })
    );
    let denied = w
        .rbac
        .authorize(&robot, &w.namespaces, &res("get", "", "pods", "ci"));
    let value = serde_json::to_value(&denied).expect("json");
    assert_eq!(value["allowed"], json!(false));
    assert_eq!(value["denied"], json!(false));
    assert!(value["namespaceRule"].is_string(), "{value}");
    assert!(value.get("grant").is_none() && value.get("evaluationError").is_none());
}

#[test]
fn roles_held_in_a_namespace() {
    let w = world();
    let robot = account("top-secret", "robot");
    let boss = account("managers", "boss");
    let auditor = account("other", "auditor");
    #[rustfmt::skip]
    let cases: Vec<(&str, &Identity, &str, Vec<&str>)> = vec![
        ("robot in its namespace", &robot, "top-secret",
            vec!["metrics-reader", "system:discovery", "system:image-puller", "view"]),
        ("robot in its child namespace", &robot, "top-secret-jobs", vec!["edit", "system:discovery"]),
        ("robot in its parent namespace: cluster bindings only", &robot, "engineering", vec!["system:discovery"]),
        ("robot in a sibling namespace: cluster bindings only", &robot, "ci", vec!["system:discovery"]),
        ("robot at the cluster scope", &robot, "", vec!["system:discovery"]),
        ("boss in managers", &boss, "managers", vec!["edit", "system:discovery"]),
        ("boss in payroll", &boss, "payroll", vec!["edit", "system:discovery"]),
        ("boss in top-secret", &boss, "top-secret", vec!["system:discovery"]),
        ("auditor anywhere", &auditor, "top-secret", vec!["namespace-lister", "system:discovery", "view"]),
    ];
    for (name, identity, namespace, want) in cases {
        assert_eq!(
            w.rbac.roles_held(identity, &w.namespaces, namespace),
            want,
            "{name}"
        );
    }
}

#[test]
fn validation_names_every_problem_with_its_path() {
    let doc = document(json!({
        "roles": [
            {"name": "viewer", "namespace": "top-secret", "rules": [rule(&["get"], &[""], &["pods"])]},
            {"name": "viewer", "namespace": "top-secret", "rules": [
                {"verbs": [], "apiGroups": [""], "resources": ["pods"]},
                {"verbs": ["get"], "nonResourceURLs": ["/healthz"]},
            ]},
            {"name": "lost", "namespace": "nowhere"},
        ],
        "cluster_roles": [
            {"name": "view", "rules": [{"verbs": ["get"], "resources": ["pods"]}]},
            {"name": "view"},
            {"name": "mixed", "rules": [{"verbs": ["get"], "apiGroups": [""], "nonResourceURLs": ["/x"]}]},
            {"name": "agg", "aggregationRule": {"clusterRoleSelectors": [
                {"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["b"]}]},
            ]}},
        ],
        "role_bindings": [
            role_binding("ok", "top-secret", "view", json!([sa("robot")])),
            {"name": "ok", "namespace": "top-secret", "roleRef": {"kind": "Role", "name": "viewer"}, "subjects": [sa("robot")]},
            {"name": "wrong", "namespace": "top-secret", "roleRef": {"kind": "Role", "name": "config-editor"},
                "subjects": [{"kind": "Robot", "name": "r2"}, {"kind": "User", "name": "bob", "namespace": "ci"}]},
            {"name": "nowhere", "namespace": "nowhere", "roleRef": {"kind": "ClusterRole", "name": "missing"}, "subjects": []},
            {"name": "kind", "namespace": "ci", "roleRef": {"kind": "Clusterrole", "name": "view"}, "subjects": []},
        ],
        "cluster_role_bindings": [
            {"name": "crb", "roleRef": {"kind": "Role", "name": "viewer"}, "subjects": []},
            {"name": "crb", "roleRef": {"kind": "ClusterRole", "name": "view", "apiGroup": "rbac"},
                "subjects": [sa("robot"), sa_in("top-secret", "Robot"), {"kind": "ServiceAccount", "name": "x", "namespace": "nowhere"}]},
        ],
    }));
    let mut problems = Problems::default();
    let namespaces = NamespaceTree::build(&doc.namespaces, &mut problems);
    Rbac::compile(&doc, &namespaces, &mut problems);
    let text: Vec<String> = problems.as_slice().iter().map(|p| p.to_string()).collect();
    #[rustfmt::skip]
    let want = vec![
        "roles[1].rules[0].verbs: must contain at least one verb (or \"*\")",
        "roles[1].rules[1].nonResourceURLs: a Role's rules cannot apply to non-resource URLs (only a ClusterRole's, granted by a ClusterRoleBinding)",
        "roles[1].name: \"viewer\" is defined twice in namespace \"top-secret\"",
        "roles[2].namespace: \"nowhere\" is not a defined namespace",
        "cluster_roles[0].rules[0].apiGroups: a resource rule must list at least one API group (\"\" for the core group, \"*\" for all)",
        "cluster_roles[1].name: \"view\" is defined twice",
        "cluster_roles[2].rules[0].nonResourceURLs: a rule cannot apply to both resources and non-resource URLs",
        "cluster_roles[3].aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator: \"Equals\" is not a valid operator (expected In, NotIn, Exists or DoesNotExist)",
        "cluster_role_bindings[0].roleRef.kind: \"Role\" is not allowed (a ClusterRoleBinding references a ClusterRole)",
        "cluster_role_bindings[1].name: \"crb\" is defined twice",
        "cluster_role_bindings[1].roleRef.apiGroup: \"rbac\" is not supported (expected \"rbac.authorization.k8s.io\")",
        "cluster_role_bindings[1].subjects[0].namespace: missing: a ServiceAccount subject of a ClusterRoleBinding names its namespace",
        "cluster_role_bindings[1].subjects[1].name: \"Robot\" is not a valid name (DNS-1123 label): may hold only lower-case letters, digits and '-'",
        "cluster_role_bindings[1].subjects[2].namespace: \"nowhere\" is not a defined namespace",
        "role_bindings[1].name: \"ok\" is defined twice in namespace \"top-secret\"",
        "role_bindings[2].roleRef.name: \"config-editor\" is not a Role of namespace \"top-secret\"",
        "role_bindings[2].subjects[0].kind: \"Robot\" is not a valid subject kind (expected \"User\", \"Group\" or \"ServiceAccount\")",
        "role_bindings[2].subjects[1].namespace: \"ci\" given for a User subject (only ServiceAccount subjects have a namespace)",
        "role_bindings[3].namespace: \"nowhere\" is not a defined namespace",
        "role_bindings[3].roleRef.name: \"missing\" is not a defined ClusterRole",
        "role_bindings[4].roleRef.kind: \"Clusterrole\" is not a valid kind (expected \"Role\" or \"ClusterRole\")",
    ];
    assert_eq!(text, want);
}

#[test]
fn a_dangling_role_is_an_evaluation_error_in_kubernetes_words() {
    // A bundle with problems is refused at load; if its RBAC were used anyway, the missing role
    // shows as Kubernetes reports it, and the other bindings still grant.
    let doc = document(json!({
        "role_bindings": [
            role_binding("gone", "top-secret", "no-such-role", json!([sa("robot")])),
            role_binding("pullers", "top-secret", "view", json!([sa("robot")])),
        ],
        "cluster_role_bindings": [],
    }));
    let mut problems = Problems::default();
    let namespaces = NamespaceTree::build(&doc.namespaces, &mut problems);
    let rbac = Rbac::compile(&doc, &namespaces, &mut problems);
    assert_eq!(problems.as_slice().len(), 1);
    let robot = account("top-secret", "robot");
    let denied = rbac.authorize(
        &robot,
        &namespaces,
        &res("delete", "", "pods", "top-secret"),
    );
    assert!(!denied.allowed);
    assert_eq!(
        denied.evaluation_error,
        r#"RBAC: clusterrole.rbac.authorization.k8s.io "no-such-role" not found"#
    );
    let delete = res("delete", "", "pods", "top-secret");
    assert_eq!(
        rbac.explain(&robot, &namespaces, &delete),
        (false, composed(&denied))
    );
    assert!(composed(&denied)
        .ends_with(r#"; RBAC: clusterrole.rbac.authorization.k8s.io "no-such-role" not found"#));
    let allowed = rbac.authorize(&robot, &namespaces, &res("get", "", "pods", "top-secret"));
    assert!(allowed.allowed);
    assert_eq!(rbac.roles_held(&robot, &namespaces, "top-secret"), ["view"]);
}
