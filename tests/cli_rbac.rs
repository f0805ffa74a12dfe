//! The `tessera` binary: roles and bindings, routes and `check`, `import`, and the bundle
//! (`build`, `verify`, and that the CLI's answers are the built bundle's).

#[path = "cli_support/mod.rs"]
mod support;

use serde_json::{json, Value};
use support::Cli;
use tessera::bundle::signature::TrustedKeys;
use tessera::rbac::RbacRequest;
use tessera::rbac::ResourceAttributes;
use tessera::Engine;

fn project(cli: &Cli, ns: &str, sa: &str) -> String {
    cli.ok(&["create", "namespace", ns]);
    cli.ok(&["create", "sa", sa, "-n", ns]).trim().to_string()
}

fn can(cli: &Cli, token: &str, args: &[&str]) -> i32 {
    let mut full = vec!["auth", "can-i"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--token", token]);
    cli.run(&full).code
}

#[test]
fn roles_and_role_bindings_as_oc_policy_makes_them() {
    let cli = Cli::new("roles");
    let robot = project(&cli, "top-secret", "robot");
    let lead = project(&cli, "managers", "lead");
    cli.ok(&[
        "create",
        "role",
        "pod-reader",
        "-n",
        "top-secret",
        "--verb",
        "get,list",
        "--resource",
        "pods",
        "--resource",
        "pods/log",
        "--resource-name",
        "web",
    ]);
    cli.ok(&[
        "policy",
        "add-role-to-user",
        "pod-reader",
        "-z",
        "robot",
        "-n",
        "top-secret",
    ]);
    assert_eq!(
        can(&cli, &robot, &["get", "pods", "web", "-n", "top-secret"]),
        0
    );
    // As kubectl reads them: TYPE/NAME names the object, --subresource the subresource.
    assert_eq!(
        can(&cli, &robot, &["get", "pods/web", "-n", "top-secret"]),
        0
    );
    assert_eq!(
        can(
            &cli,
            &robot,
            &[
                "get",
                "pods/web",
                "--subresource",
                "log",
                "-n",
                "top-secret"
            ]
        ),
        0
    );
    assert_eq!(
        can(
            &cli,
            &robot,
            &[
                "get",
                "pods",
                "web",
                "--subresource",
                "log",
                "-n",
                "top-secret"
            ]
        ),
        0
    );
    assert_eq!(
        can(&cli, &robot, &["get", "pods", "db", "-n", "top-secret"]),
        1
    );
    let r = cli.run(&[
        "auth",
        "can-i",
        "get",
        "pods",
        "web",
        "-n",
        "top-secret",
        "--token",
        &robot,
        "-q",
    ]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));

    // view for every service account; edit for managers' accounts in top-secret grants nothing
    // to them (a RoleBinding outside their namespace never applies).
    cli.ok(&[
        "policy",
        "add-role-to-group",
        "view",
        "system:serviceaccounts",
        "-n",
        "top-secret",
    ]);
    let r = cli.run(&[
        "policy",
        "add-role-to-group",
        "edit",
        "system:serviceaccounts:managers",
        "-n",
        "top-secret",
        "-o",
        "json",
    ]);
    assert!(
        r.stderr.contains(
            "warning: a RoleBinding in namespace \"top-secret\" never applies to Group \"system:serviceaccounts:managers\""
        ),
        "{}",
        r.stderr
    );
    let change = r.json();
    assert_eq!(change["action"], "created");
    assert_eq!(change["binding"], "edit");
    assert_eq!(
        can(
            &cli,
            &robot,
            &["list", "deployments.apps", "-n", "top-secret"]
        ),
        0
    );
    assert_eq!(can(&cli, &lead, &["delete", "pods", "-n", "top-secret"]), 1);
    cli.ok(&[
        "policy",
        "add-role-to-group",
        "edit",
        "system:serviceaccounts:managers",
        "-n",
        "managers",
    ]);
    assert_eq!(can(&cli, &lead, &["delete", "pods", "-n", "managers"]), 0);
    let again = cli
        .run(&[
            "policy",
            "add-role-to-group",
            "view",
            "system:serviceaccounts",
            "-n",
            "top-secret",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(again["action"], "unchanged");

    let d = cli
        .run(&["describe", "sa", "robot", "-n", "top-secret", "-o", "json"])
        .json();
    assert_eq!(
        d["roles"],
        json!(["pod-reader", "system:discovery", "view"])
    );

    let removed = cli
        .run(&[
            "policy",
            "remove-role-from-user",
            "pod-reader",
            "-z",
            "robot",
            "-n",
            "top-secret",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(removed[0]["action"], "deleted");
    let d = cli
        .run(&["describe", "sa", "robot", "-n", "top-secret", "-o", "json"])
        .json();
    assert_eq!(d["roles"], json!(["system:discovery", "view"]));
    cli.ok(&[
        "policy",
        "remove-role-from-group",
        "view",
        "system:serviceaccounts",
        "-n",
        "top-secret",
    ]);
    assert_eq!(
        can(
            &cli,
            &robot,
            &["list", "deployments.apps", "-n", "top-secret"]
        ),
        1
    );

    cli.fails(
        &[
            "policy",
            "add-role-to-user",
            "viewer",
            "-z",
            "robot",
            "-n",
            "top-secret",
        ],
        2,
        "ROLE: \"viewer\" is neither a ClusterRole nor a Role",
    );
    cli.fails(
        &["policy", "add-role-to-user", "view", "-n", "top-secret"],
        2,
        "a user, group or -z SERVICEACCOUNT is required",
    );
    cli.fails(
        &["policy", "add-role-to-user", "view", "bob", "-n", "nowhere"],
        2,
        "namespace \"nowhere\" not found",
    );
    cli.fails(
        &[
            "policy",
            "remove-role-from-user",
            "view",
            "bob",
            "-n",
            "top-secret",
        ],
        2,
        "no role binding of \"view\"",
    );
    cli.fails(
        &[
            "policy",
            "add-role-to-user",
            "view",
            "bob",
            "-n",
            "top-secret",
            "--role-kind",
            "Role",
        ],
        2,
        "role \"view\" not found",
    );
    cli.fails(
        &["create", "role", "r", "-n", "top-secret", "--verb", "get"],
        2,
        "--resource: at least one resource",
    );
    cli.fails(
        &[
            "create",
            "role",
            "pod-reader",
            "-n",
            "top-secret",
            "--verb",
            "get",
            "--resource",
            "pods",
        ],
        2,
        "already exists",
    );
    let warn = cli.run(&[
        "policy",
        "add-role-to-user",
        "view",
        "-z",
        "ghost",
        "-n",
        "top-secret",
    ]);
    assert!(
        warn.stderr
            .contains("warning: service account top-secret/ghost does not exist"),
        "{}",
        warn.stderr
    );
}

#[test]
fn cluster_roles_and_cluster_role_bindings_grant_everywhere_with_a_warning() {
    let cli = Cli::new("cluster");
    let robot = project(&cli, "top-secret", "robot");
    cli.ok(&["create", "namespace", "other"]);
    cli.ok(&[
        "create",
        "clusterrole",
        "node-reader",
        "--verb",
        "get",
        "--resource",
        "nodes",
        "--non-resource-url",
        "/metrics",
    ]);
    let r = cli.run(&[
        "create",
        "clusterrolebinding",
        "robot-nodes",
        "--clusterrole",
        "node-reader",
        "--serviceaccount",
        "top-secret:robot",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("warning: clusterrolebinding \"robot-nodes\" names ServiceAccount top-secret/robot: it grants in every namespace"), "{}", r.stderr);
    assert_eq!(can(&cli, &robot, &["get", "nodes", "-A"]), 0);
    assert_eq!(can(&cli, &robot, &["get", "nodes", "-n", "other"]), 0);
    assert_eq!(can(&cli, &robot, &["get", "/metrics"]), 0);
    assert_eq!(
        can(&cli, &robot, &["get", "/healthz"]),
        0,
        "system:discovery is bound to system:authenticated"
    );
    assert_eq!(can(&cli, &robot, &["post", "/metrics"]), 1);
    let r = cli.run(&[
        "create",
        "clusterrolebinding",
        "readers",
        "--clusterrole",
        "view",
        "--group",
        "auditors",
        "--user",
        "alice",
    ]);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    cli.ok(&[
        "create",
        "rolebinding",
        "robot-view",
        "-n",
        "top-secret",
        "--clusterrole",
        "view",
        "--serviceaccount",
        "top-secret:robot",
    ]);
    assert_eq!(can(&cli, &robot, &["get", "pods", "-n", "top-secret"]), 0);
    cli.fails(
        &[
            "create",
            "clusterrolebinding",
            "x",
            "--clusterrole",
            "nope",
            "--user",
            "a",
        ],
        2,
        "clusterrole \"nope\" not found",
    );
    cli.fails(
        &["create", "clusterrolebinding", "x", "--clusterrole", "view"],
        2,
        "at least one --user, --group or --serviceaccount",
    );
    cli.fails(
        &[
            "create",
            "clusterrolebinding",
            "x",
            "--clusterrole",
            "view",
            "--serviceaccount",
            "robot",
        ],
        2,
        "--serviceaccount: \"robot\" is not NAMESPACE:NAME",
    );
    cli.fails(
        &[
            "create",
            "clusterrolebinding",
            "readers",
            "--clusterrole",
            "view",
            "--user",
            "a",
        ],
        2,
        "already exists",
    );
    cli.fails(
        &[
            "create",
            "clusterrole",
            "x",
            "--verb",
            "get",
            "--non-resource-url",
            "metrics",
        ],
        2,
        "must start with '/'",
    );
    cli.fails(
        &["auth", "can-i", "get", "/healthz", "x", "--token", &robot],
        2,
        "NAME",
    );
}

const POLICY_YAML: &str = "allow:\n  and:\n    - namespace:\n        is: engineering\ndeny:\n  and:\n    - http_method:\n        is: DELETE\n";

#[test]
fn routes_take_yaml_or_json_policies_and_check_decides() {
    let cli = Cli::new("routes");
    cli.ok(&["create", "namespace", "engineering", "--parent", "global"]);
    cli.ok(&["create", "namespace", "sales", "--parent", "global"]);
    let eng = cli.ok(&[
        "create",
        "sa",
        "bot",
        "-n",
        "engineering",
        "--token-format",
        "pomerium",
    ]);
    let sales = cli.ok(&["create", "sa", "bot", "-n", "sales"]);
    let yaml = cli.write("policy.yaml", POLICY_YAML);
    cli.ok(&[
        "create",
        "route",
        "api",
        "-n",
        "engineering",
        "--from",
        "https://api.example.com",
        "--prefix",
        "/eng",
        "--policy",
        yaml.to_str().unwrap(),
    ]);
    let json_policy = cli.write("open.json", r#"{"allow": {"and": [{"accept": true}]}}"#);
    cli.ok(&[
        "create",
        "route",
        "open",
        "-n",
        "global",
        "--from",
        "https://open.example.com",
        "--policy",
        json_policy.to_str().unwrap(),
    ]);

    let r = cli.run(&[
        "check",
        "--token",
        eng.trim(),
        "GET",
        "https://api.example.com/eng/x",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.starts_with("yes - 200"), "{}", r.stdout);
    let d = cli.run(&[
        "check",
        "--token",
        eng.trim(),
        "DELETE",
        "https://api.example.com/eng/x",
        "-o",
        "json",
    ]);
    assert_eq!(d.code, 1);
    assert_eq!(d.json()["status"], 403);
    let d = cli
        .run(&[
            "check",
            "--token",
            sales.trim(),
            "GET",
            "https://api.example.com/eng/x",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(d["status"], 403);
    let d = cli
        .run(&[
            "check",
            "GET",
            "https://api.example.com/eng/x",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(d["status"], 401);
    let d = cli
        .run(&["check", "GET", "https://nowhere.example.com/", "-o", "json"])
        .json();
    assert_eq!(d["status"], 404);
    assert_eq!(
        cli.run(&["check", "GET", "https://open.example.com/"]).code,
        0
    );

    cli.fails(
        &["check", "GET", "api.example.com/eng"],
        2,
        "url: \"api.example.com/eng\" is not an absolute http(s) URL",
    );
    let bad = cli.write("bad.yaml", "allow:\n  and:\n    - colour: red\n");
    cli.fails(
        &[
            "create",
            "route",
            "bad",
            "-n",
            "engineering",
            "--from",
            "https://b.example.com",
            "--policy",
            bad.to_str().unwrap(),
        ],
        2,
        "the change would make an invalid bundle: routes[2].policy",
    );
    let broken = cli.write("broken.yaml", "allow: [unclosed\n");
    cli.fails(
        &[
            "create",
            "route",
            "bad",
            "-n",
            "engineering",
            "--from",
            "https://b.example.com",
            "--policy",
            broken.to_str().unwrap(),
        ],
        2,
        "not YAML",
    );
    cli.fails(
        &[
            "create",
            "route",
            "bad",
            "-n",
            "engineering",
            "--from",
            "https://b.example.com",
            "--policy",
            "missing.yaml",
        ],
        2,
        "--policy: missing.yaml",
    );
    cli.fails(
        &[
            "create",
            "route",
            "api",
            "-n",
            "engineering",
            "--from",
            "https://b.example.com",
            "--policy",
            yaml.to_str().unwrap(),
        ],
        2,
        "route \"api\" already exists",
    );
    cli.fails(
        &[
            "create",
            "route",
            "x",
            "-n",
            "engineering",
            "--from",
            "b.example.com",
            "--policy",
            yaml.to_str().unwrap(),
        ],
        2,
        "--from",
    );
}

fn kubectl_list() -> Value {
    json!({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot", "namespace": "top-secret", "uid": "717ded57-df32-4f8c-8f87-76cf00d89b7d"}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "pod-reader", "namespace": "top-secret"},
         "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "read-pods", "namespace": "top-secret"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"},
         "subjects": [{"kind": "ServiceAccount", "name": "robot", "namespace": "top-secret"}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "secret-reader", "labels": {"team": "a"}},
         "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "robot-secrets"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "secret-reader"},
         "subjects": [{"kind": "ServiceAccount", "name": "robot", "namespace": "top-secret"}]},
        {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
         "metadata": {"name": "robot-token-r2d7x", "namespace": "top-secret",
                      "annotations": {"kubernetes.io/service-account.name": "robot", "kubernetes.io/service-account.uid": "717ded57-df32-4f8c-8f87-76cf00d89b7d"}},
         "data": {"token": "ZXlK"}},
        {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": {"name": "db", "namespace": "top-secret"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "top-secret"}}
    ]})
}

#[test]
fn import_brings_in_kubectl_objects() {
    let cli = Cli::new("import");
    let file = cli.write("rbac.json", &kubectl_list().to_string());
    let r = cli.run(&["import", "-f", file.to_str().unwrap(), "-o", "json"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .contains("warning: clusterrolebinding \"robot-secrets\" names ServiceAccount"),
        "{}",
        r.stderr
    );
    let report = r.json();
    let actions: Vec<String> = report["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            format!(
                "{} {}",
                o["object"].as_str().unwrap(),
                o["action"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        actions.contains(&"namespace/top-secret created".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"secret/robot-token-r2d7x created".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"secret/db skipped".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"ConfigMap/cfg skipped".to_string()),
        "{actions:?}"
    );
    let d = cli
        .run(&["describe", "sa", "robot", "-n", "top-secret", "-o", "json"])
        .json();
    assert_eq!(d["uid"], "717ded57-df32-4f8c-8f87-76cf00d89b7d");
    assert_eq!(d["tokens"], json!(["robot-token-r2d7x"]));
    assert_eq!(
        d["roles"],
        json!(["pod-reader", "secret-reader", "system:discovery"])
    );
    let token = cli.ok(&["create", "token", "robot", "-n", "top-secret"]);
    assert_eq!(
        can(&cli, token.trim(), &["list", "pods", "-n", "top-secret"]),
        0
    );

    // Again: every object is replaced in place.
    let again = cli
        .run(&["import", "-f", file.to_str().unwrap(), "-o", "json"])
        .json();
    assert!(again["objects"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["action"] == "configured"));
    let yaml = cli.write(
        "sa.yaml",
        "kind: ServiceAccount\nmetadata:\n  name: yaml-bot\n  namespace: top-secret\n",
    );
    cli.ok(&["import", "-f", yaml.to_str().unwrap()]);
    let uid_of = |name: &str| {
        cli.run(&["describe", "sa", name, "-n", "top-secret", "-o", "json"])
            .json()["uid"]
            .clone()
    };
    let first = uid_of("yaml-bot");
    let token = cli.ok(&["create", "token", "yaml-bot", "-n", "top-secret"]);
    // Imported again without a uid: the account keeps its own, and its tokens stay valid.
    cli.ok(&["import", "-f", yaml.to_str().unwrap()]);
    assert_eq!(uid_of("yaml-bot"), first);
    assert_eq!(cli.run(&["whoami", "--token", token.trim()]).code, 0);

    let bad = cli.write("bad.json", &json!({"kind": "List", "items": [{"kind": "Role", "metadata": {"name": "r", "namespace": "top-secret"}, "rules": [{"verbs": ["get"], "colour": "red"}]}]}).to_string());
    cli.fails(
        &["import", "-f", bad.to_str().unwrap()],
        2,
        "items[0] (Role): rules[0]",
    );
    let no_ns = cli.write(
        "nons.json",
        &json!({"kind": "ServiceAccount", "metadata": {"name": "x"}}).to_string(),
    );
    cli.fails(
        &["import", "-f", no_ns.to_str().unwrap()],
        2,
        "items[0].metadata.namespace: missing",
    );
    let dangling = cli.write("dangling.json", &json!({"kind": "RoleBinding", "metadata": {"name": "b", "namespace": "top-secret"}, "roleRef": {"kind": "Role", "name": "nope"}, "subjects": []}).to_string());
    cli.fails(
        &["import", "-f", dangling.to_str().unwrap()],
        2,
        "the change would make an invalid bundle",
    );
    cli.fails(&["import", "-f", "missing.json"], 2, "-f: missing.json");
    let not_k8s = cli.write("x.json", "{\"a\": 1}");
    cli.fails(
        &["import", "-f", not_k8s.to_str().unwrap()],
        2,
        "not a Kubernetes object",
    );
    // Nothing of the failed imports was saved.
    assert_eq!(
        cli.run(&["describe", "sa", "x", "-n", "top-secret"]).code,
        2
    );
}

/// The role bindings of the state, as `namespace/name -> roleRef kind/name [subjects]`.
fn state_bindings(cli: &Cli) -> Vec<String> {
    let text = std::fs::read_to_string(cli.state().join("state.json")).unwrap();
    let state: Value = serde_json::from_str(&text).unwrap();
    state["bundle"]["role_bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            format!(
                "{}/{} -> {}/{} {}",
                b["namespace"].as_str().unwrap(),
                b["name"].as_str().unwrap(),
                b["roleRef"]["kind"].as_str().unwrap(),
                b["roleRef"]["name"].as_str().unwrap(),
                b["subjects"].as_array().map_or(0, Vec::len)
            )
        })
        .collect()
}

#[test]
fn adm_policy_grants_and_takes_cluster_roles_as_oc_adm_policy_does() {
    let cli = Cli::new("adm-policy");
    cli.ok(&["new-project", "top-secret"]);
    cli.ok(&["new-project", "other"]);
    let robot = cli
        .ok(&["create", "sa", "robot", "-n", "top-secret"])
        .trim()
        .to_string();
    assert_eq!(can(&cli, &robot, &["get", "pods", "-n", "other"]), 1);

    // -z names an account of -n; the binding is the role's, created and named after it.
    let r = cli.run(&[
        "adm",
        "policy",
        "add-cluster-role-to-user",
        "view",
        "-z",
        "robot",
        "-n",
        "top-secret",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .contains("warning: clusterrolebinding \"view\" names ServiceAccount top-secret/robot: it grants in every namespace"),
        "{}",
        r.stderr
    );
    let change = r.json();
    assert_eq!(
        (change["binding"].as_str(), change["action"].as_str()),
        (Some("view"), Some("created"))
    );
    assert!(change.get("namespace").is_none(), "{change}");
    assert_eq!(can(&cli, &robot, &["get", "pods", "-n", "other"]), 0);
    let again = cli
        .run(&[
            "adm",
            "policy",
            "add-cluster-role-to-user",
            "view",
            "system:serviceaccount:top-secret:robot",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(
        again["action"], "unchanged",
        "the same account, written as a user"
    );
    let groups = cli
        .run(&[
            "adm",
            "policy",
            "add-cluster-role-to-group",
            "view",
            "auditors",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(
        (groups["binding"].as_str(), groups["action"].as_str()),
        (Some("view"), Some("updated"))
    );

    let removed = cli
        .run(&[
            "adm",
            "policy",
            "remove-cluster-role-from-user",
            "view",
            "-z",
            "robot",
            "-n",
            "top-secret",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(removed[0]["action"], "updated", "the group is still in it");
    assert_eq!(can(&cli, &robot, &["get", "pods", "-n", "other"]), 1);
    let removed = cli
        .run(&[
            "adm",
            "policy",
            "remove-cluster-role-from-group",
            "view",
            "auditors",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(removed[0]["action"], "deleted");

    cli.fails(
        &[
            "adm",
            "policy",
            "add-cluster-role-to-user",
            "view",
            "-z",
            "robot",
        ],
        2,
        "-z: the service account's namespace is required: give -n NAMESPACE",
    );
    cli.fails(
        &["adm", "policy", "add-cluster-role-to-user", "viewer", "bob"],
        2,
        "clusterrole \"viewer\" not found",
    );
    cli.fails(
        &[
            "adm",
            "policy",
            "remove-cluster-role-from-user",
            "view",
            "bob",
        ],
        2,
        "no cluster role binding of \"view\" names User bob",
    );
}

#[test]
fn remove_role_keeps_to_the_role_kind_and_the_bindings_it_empties() {
    let cli = Cli::new("remove-role");
    cli.ok(&["new-project", "top-secret"]);
    cli.ok(&["create", "sa", "robot", "-n", "top-secret"]);
    // A Role named like a ClusterRole, both bound to robot.
    cli.ok(&[
        "create",
        "role",
        "view",
        "-n",
        "top-secret",
        "--verb",
        "get",
        "--resource",
        "pods",
    ]);
    cli.ok(&[
        "policy",
        "add-role-to-user",
        "view",
        "-z",
        "robot",
        "-n",
        "top-secret",
    ]);
    cli.ok(&[
        "policy",
        "add-role-to-user",
        "view",
        "-z",
        "robot",
        "-n",
        "top-secret",
        "--role-kind",
        "Role",
        "--rolebinding-name",
        "view-local",
    ]);
    // A binding without subjects that the user keeps (as imported).
    let empty = json!({"kind": "RoleBinding", "metadata": {"name": "kept-empty", "namespace": "top-secret"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}, "subjects": []});
    let file = cli.write("empty.json", &empty.to_string());
    cli.ok(&["import", "-f", file.to_str().unwrap()]);

    // Without --role-kind: the ClusterRole, as add-role-to-user chooses.
    let removed = cli
        .run(&[
            "policy",
            "remove-role-from-user",
            "view",
            "-z",
            "robot",
            "-n",
            "top-secret",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(removed.as_array().unwrap().len(), 1, "{removed}");
    assert_eq!(removed[0]["binding"], "view");
    let bindings = state_bindings(&cli);
    assert!(
        bindings.contains(&"top-secret/view-local -> Role/view 1".to_string()),
        "the Role's binding stays: {bindings:?}"
    );
    assert!(
        bindings.contains(&"top-secret/kept-empty -> ClusterRole/view 0".to_string()),
        "a binding it did not empty stays: {bindings:?}"
    );
    assert!(
        !bindings.iter().any(|b| b.starts_with("top-secret/view ->")),
        "{bindings:?}"
    );
    cli.ok(&[
        "policy",
        "remove-role-from-user",
        "view",
        "-z",
        "robot",
        "-n",
        "top-secret",
        "--role-kind",
        "Role",
    ]);
    assert!(!state_bindings(&cli)
        .iter()
        .any(|b| b.starts_with("top-secret/view-local")));
    cli.fails(
        &[
            "policy",
            "remove-role-from-user",
            "view",
            "-z",
            "robot",
            "-n",
            "top-secret",
            "--role-kind",
            "Clusterrole",
        ],
        2,
        "--role-kind: \"Clusterrole\" is not Role or ClusterRole",
    );
    // -z takes a short name, as oc's does; the error names the flag.
    cli.fails(
        &[
            "policy",
            "add-role-to-user",
            "view",
            "-z",
            "Robot",
            "-n",
            "top-secret",
        ],
        2,
        "-z: \"Robot\" is not a valid name (DNS-1123 label)",
    );
    cli.fails(
        &[
            "policy",
            "add-role-to-user",
            "view",
            "-z",
            "system:serviceaccount:top-secret:robot",
            "-n",
            "top-secret",
        ],
        2,
        "-z: \"system:serviceaccount:top-secret:robot\": -z takes the short name",
    );
}

#[test]
fn aggregated_cluster_roles_hold_what_they_select_and_build_warns_of_replaced_rules() {
    let cli = Cli::new("aggregation");
    cli.ok(&["new-project", "top-secret"]);
    let robot = cli
        .ok(&["create", "sa", "robot", "-n", "top-secret"])
        .trim()
        .to_string();
    let rule = |verb: &str| json!({"apiGroups": [""], "resources": ["pods"], "verbs": [verb]});
    let selects_ops = json!({"clusterRoleSelectors": [{"matchLabels": {"team": "ops"}}]});
    let roles = json!({"kind": "List", "items": [
        // Written with a rule of its own, which Kubernetes' aggregation controller replaces.
        {"kind": "ClusterRole", "metadata": {"name": "ops"}, "aggregationRule": selects_ops,
         "rules": [rule("delete")]},
        // As exported from a cluster: its rules are what it aggregates.
        {"kind": "ClusterRole", "metadata": {"name": "ops-exported"}, "aggregationRule": selects_ops,
         "rules": [rule("get")]},
        {"kind": "ClusterRole", "metadata": {"name": "ops-pods", "labels": {"team": "ops"}},
         "rules": [rule("get")]},
    ]});
    let file = cli.write("roles.json", &roles.to_string());
    cli.ok(&["import", "-f", file.to_str().unwrap()]);
    cli.ok(&[
        "policy",
        "add-role-to-user",
        "ops",
        "-z",
        "robot",
        "-n",
        "top-secret",
    ]);
    assert_eq!(
        can(&cli, &robot, &["get", "pods", "-n", "top-secret"]),
        0,
        "ops holds ops-pods' rule"
    );
    assert_eq!(
        can(&cli, &robot, &["delete", "pods", "-n", "top-secret"]),
        1,
        "ops' own rule grants nothing"
    );
    let out = cli.path("out/bundle.json");
    let built = cli.run(&["bundle", "build", "-o", out.to_str().unwrap()]);
    assert_eq!(built.code, 0, "{built:?}");
    assert!(
        built.stderr.contains(
            "ClusterRole \"ops\": 1 of its 1 rules grant nothing: its aggregationRule replaces"
        ),
        "{}",
        built.stderr
    );
    assert!(
        !built.stderr.contains("ops-exported"),
        "a role holding what it aggregates gets no warning: {}",
        built.stderr
    );
    // Kubernetes' own bootstrap roles (admin, edit, view) aggregate without warnings.
    assert!(!built.stderr.contains("\"edit\""), "{}", built.stderr);
}

#[test]
fn bundles_are_built_signed_verified_and_decide_as_the_cli() {
    let cli = Cli::new("bundle");
    cli.ok(&["new-project", "top-secret"]);
    let robot = cli
        .ok(&["create", "sa", "robot", "-n", "top-secret"])
        .trim()
        .to_string();
    cli.ok(&[
        "policy",
        "add-role-to-user",
        "view",
        "-z",
        "robot",
        "-n",
        "top-secret",
    ]);
    let out = cli.path("out/bundle.json");
    let built = cli
        .run(&["bundle", "build", "-o", out.to_str().unwrap(), "--json"])
        .json();
    assert_eq!(built["revision"], 1);
    let backup = std::fs::read(cli.state().join("state.json")).unwrap();
    let again = cli
        .run(&[
            "bundle",
            "build",
            "-o",
            out.to_str().unwrap(),
            "--expires",
            "7d",
            "--json",
        ])
        .json();
    assert_eq!(again["revision"], 2);
    // A state restored from a backup builds past the bundle already written, which
    // consumers hold: a lower revision would be refused as a rollback.
    std::fs::write(cli.state().join("state.json"), &backup).unwrap();
    let restored = cli.run(&["bundle", "build", "-o", out.to_str().unwrap(), "--json"]);
    assert!(
        restored.stderr.contains(
            "the state's last revision is 1, but {} holds revision 2 (a state restored from a backup?): building revision 3"
                .replace("{}", out.to_str().unwrap())
                .as_str()
        ),
        "{}",
        restored.stderr
    );
    assert_eq!(restored.json()["revision"], 3);
    let v = cli.run(&["bundle", "build", "-o", out.to_str().unwrap(), "--json"]);
    assert!(!v.stderr.contains("restored"), "{}", v.stderr);
    assert_eq!(v.json()["revision"], 4);
    // A file at -o whose revision no bundle can follow is not taken for one.
    let foreign = cli.write("foreign-bundle.json", r#"{"revision": 9007199254740991}"#);
    let f = cli.run(&["bundle", "build", "-o", foreign.to_str().unwrap(), "--json"]);
    assert_eq!(f.code, 0, "{f:?}");
    assert_eq!(f.json()["revision"], 5);
    // The bundle at -o is the one written last again.
    cli.ok(&["bundle", "build", "-o", out.to_str().unwrap()]);
    let text = cli.ok(&["bundle", "verify", out.to_str().unwrap()]);
    assert!(text.contains("signature verified"), "{text}");
    let v = cli
        .run(&["bundle", "verify", out.to_str().unwrap(), "-o", "json"])
        .json();
    assert_eq!(v["revision"], 6);

    // The bundle decides as the CLI did.
    let bytes = std::fs::read(&out).unwrap();
    let sig = std::fs::read_to_string(cli.path("out/bundle.json.sig")).unwrap();
    let keys =
        TrustedKeys::from_json(&std::fs::read(cli.path("out/bundle-signing.jwk.json")).unwrap())
            .unwrap();
    let now = tessera::time::now();
    let mut engine = Engine::from_signed_json(&bytes, &sig, &keys, now).unwrap();
    for (verb, code) in [("get", 0), ("delete", 1)] {
        let request = RbacRequest::Resource(ResourceAttributes::from_kubectl(
            verb,
            "pods",
            "",
            "top-secret",
        ));
        let d = engine.authorize(&robot, &request, now);
        assert_eq!(d.allowed, code == 0);
        assert_eq!(can(&cli, &robot, &[verb, "pods", "-n", "top-secret"]), code);
    }

    // Tampering, a wrong key, a missing signature, a past expiry.
    let tampered = cli.write(
        "out/tampered.json",
        &String::from_utf8(bytes.clone())
            .unwrap()
            .replace("\"view\"", "\"edit\""),
    );
    std::fs::copy(
        cli.path("out/bundle.json.sig"),
        cli.path("out/tampered.json.sig"),
    )
    .unwrap();
    cli.fails(
        &["bundle", "verify", tampered.to_str().unwrap()],
        2,
        "bundle signature",
    );
    let other = Cli::new("bundle-other-key");
    other.ok(&[
        "bundle",
        "build",
        "-o",
        other.path("b.json").to_str().unwrap(),
    ]);
    cli.fails(
        &[
            "bundle",
            "verify",
            out.to_str().unwrap(),
            "--key",
            other.path("bundle-signing.jwk.json").to_str().unwrap(),
        ],
        2,
        "bundle signature",
    );
    cli.fails(
        &[
            "bundle",
            "verify",
            cli.path("nothing.json").to_str().unwrap(),
        ],
        2,
        "bundle:",
    );
    cli.fails(
        &[
            "bundle",
            "build",
            "-o",
            out.to_str().unwrap(),
            "--expires",
            "2020-01-01T00:00:00Z",
        ],
        2,
        "--expires: 2020-01-01T00:00:00Z is not in the future",
    );
    let v = cli
        .run(&["bundle", "verify", out.to_str().unwrap(), "-o", "json"])
        .json();
    assert_eq!(v["revision"], 6, "a failed build changes nothing");
}
