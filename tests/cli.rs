//! The `tessera` binary, run as a user would: state, namespaces, projects, service accounts,
//! tokens, revocation, and the seeds' command sequence end to end. RBAC, routes, import and
//! bundles are in `cli_rbac.rs`.

#[path = "cli_support/mod.rs"]
mod support;

use support::{run_raw, Cli};

const ROBOT: &str = "system:serviceaccount:top-secret:robot";

#[test]
fn the_seeds_command_sequence_end_to_end() {
    let cli = Cli::new("seeds");
    cli.ok(&["new-project", "top-secret"]);
    cli.ok(&["create", "namespace", "other"]);
    let token = cli.ok(&["create", "serviceaccount", "robot", "-n", "top-secret"]);
    let token = token.trim();
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");
    assert_eq!(cli.ok(&["whoami", "--token", token]).trim(), ROBOT);

    let r = cli.run(&[
        "auth",
        "can-i",
        "get",
        "pods",
        "-n",
        "top-secret",
        "--token",
        token,
    ]);
    assert_eq!(r.code, 1, "no role yet: {r:?}");
    cli.ok(&[
        "policy",
        "add-role-to-user",
        "view",
        ROBOT,
        "-n",
        "top-secret",
    ]);

    let r = cli.run(&[
        "auth",
        "can-i",
        "get",
        "pods",
        "-n",
        "top-secret",
        "--token",
        token,
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    // `yes` alone, as kubectl prints it (scripts compare the line); why, with -o json.
    assert_eq!(r.stdout, "yes\n");
    let d = cli
        .run(&[
            "auth",
            "can-i",
            "get",
            "pods",
            "-n",
            "top-secret",
            "--token",
            token,
            "-o",
            "json",
        ])
        .json();
    assert!(d["explanation"].as_str().unwrap().contains(
        r#"RoleBinding "view/top-secret" of ClusterRole "view" to ServiceAccount "robot/top-secret""#
    ), "{d}");

    let r = cli.run(&[
        "auth",
        "can-i",
        "delete",
        "pods",
        "-n",
        "top-secret",
        "--token",
        token,
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.starts_with("no - "), "{}", r.stdout);
    assert!(
        r.stdout.contains(
            r#"cannot delete resource "pods" in API group "" in the namespace "top-secret""#
        ),
        "{}",
        r.stdout
    );

    let r = cli.run(&[
        "auth", "can-i", "get", "pods", "-n", "other", "--token", token,
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.starts_with("no - "));

    // The type read as kubectl's discovery reads it: case, short names, the API group
    // (`view` grants deployments in `apps`). A type it does not know is asked as written, in
    // the core group, with a warning.
    for resource in ["Pods", "po", "deploy", "deployments", "deployments.apps"] {
        let r = cli.run(&[
            "auth",
            "can-i",
            "list",
            resource,
            "-n",
            "top-secret",
            "--token",
            token,
        ]);
        assert_eq!(
            (r.code, r.stdout.as_str()),
            (0, "yes\n"),
            "{resource}: {r:?}"
        );
        assert!(r.stderr.is_empty(), "{resource}: {}", r.stderr);
    }
    let r = cli.run(&[
        "auth",
        "can-i",
        "list",
        "widgets",
        "-n",
        "top-secret",
        "--token",
        token,
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stdout.contains(r#"resource "widgets" in API group """#),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains("not a built-in resource type"),
        "{}",
        r.stderr
    );

    // Delete the token's secret: the old token is refused, the re-issued one works.
    let described = cli
        .run(&["describe", "sa", "robot", "-n", "top-secret", "-o", "json"])
        .json();
    let secret = described["tokens"][0].as_str().unwrap().to_string();
    assert!(
        secret.starts_with("robot-token-") && secret.len() == "robot-token-".len() + 5,
        "{secret}"
    );
    let r = cli.run(&["delete", "secret", &secret, "-n", "top-secret"]);
    assert_eq!(r.code, 0, "{r:?}");
    let new_token = r.stdout.trim().to_string();
    assert!(r.stderr.contains("revoked"), "{}", r.stderr);
    let refused = cli.run(&["whoami", "--token", token]);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("no longer exists"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        cli.run(&[
            "auth",
            "can-i",
            "get",
            "pods",
            "-n",
            "top-secret",
            "--token",
            token
        ])
        .code,
        1
    );
    assert_eq!(cli.ok(&["whoami", "--token", &new_token]).trim(), ROBOT);
    assert_eq!(
        cli.run(&[
            "auth",
            "can-i",
            "get",
            "pods",
            "-n",
            "top-secret",
            "--token",
            &new_token
        ])
        .code,
        0
    );

    // An expired account is refused.
    let old = cli.ok(&[
        "create",
        "sa",
        "nightly",
        "-n",
        "top-secret",
        "--expires",
        "2020-01-01T00:00:00Z",
    ]);
    let r = cli.run(&["whoami", "--token", old.trim(), "-o", "json"]);
    assert_eq!(r.code, 1);
    let review = r.json();
    assert_eq!(review["status"]["authenticated"], false);
    assert_eq!(review["reason"], "account-expired");
}

#[test]
fn init_makes_keys_for_each_algorithm_and_refuses_a_second_time() {
    for alg in ["ES256", "RS256", "EdDSA"] {
        let cli = Cli::empty(&format!("init-{alg}"));
        let out = cli.run(&["init", "--alg", alg, "-o", "json"]).json();
        assert_eq!(out["keys"].as_array().unwrap().len(), 4);
        assert!(
            out["keys"]
                .as_array()
                .unwrap()
                .iter()
                .all(|k| k["alg"] == alg),
            "{out}"
        );
        cli.ok(&["new-project", "p"]);
        let token = cli.ok(&["create", "sa", "a", "-n", "p", "--token-format", "pomerium"]);
        assert_eq!(
            cli.ok(&["whoami", "--token", token.trim()]).trim(),
            "system:serviceaccount:p:a"
        );
    }
    let cli = Cli::empty("init-hs256");
    let r = cli.run(&["init", "--alg", "HS256", "-o", "json"]);
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("warning: --alg HS256"), "{}", r.stderr);
    let keys = r.json()["keys"].clone();
    assert_eq!(keys[2]["alg"], "HS256");
    assert_eq!(keys[0]["alg"], "ES256");
    cli.ok(&["create", "namespace", "p"]);
    let token = cli.ok(&["create", "sa", "a", "-n", "p", "--token-format", "pomerium"]);
    let header = token.split('.').next().unwrap().to_string();
    assert!(header.starts_with("eyJ"));
    assert_eq!(
        cli.ok(&["whoami", "--token", token.trim()]).trim(),
        "system:serviceaccount:p:a"
    );
    // The bundle must carry the HMAC secret: building it says who can then mint tokens.
    let out = cli.path("hs/bundle.json");
    let r = cli.run(&["bundle", "build", "-o", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("warning: the bundle carries issuer \"pomerium\"'s shared secret (HS256)"),
        "{}",
        r.stderr
    );
    #[cfg(unix)]
    {
        // Such a bundle is a secret: written for its owner only, as the state's keys are.
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }

    cli.fails(&["init"], 3, "already holds a tessera state");
    Cli::empty("init-bad").fails(
        &["init", "--alg", "none"],
        2,
        "--alg: \"none\" is not supported",
    );
    Cli::empty("init-bad-issuer").fails(&["init", "--issuer", "kubernetes"], 2, "--issuer");
}

#[test]
fn the_state_directory_comes_from_the_option_the_environment_or_the_default() {
    let cli = Cli::empty("state-dir");
    let env_dir = cli.path("from-env");
    let r = run_raw(
        &cli.dir,
        &["init"],
        &[("TESSERA_STATE", env_dir.to_str().unwrap())],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(env_dir.join("state.json").exists());
    let r = run_raw(&cli.dir, &["init"], &[]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(cli.path(".tessera/state.json").exists());
    let r = run_raw(&cli.dir, &["create", "namespace", "x", "-o", "json"], &[]);
    assert_eq!(r.json()["name"], "x");
    let r = run_raw(
        &cli.dir,
        &["--state", "nowhere", "create", "namespace", "x"],
        &[],
    );
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.contains("no tessera state in nowhere"),
        "{}",
        r.stderr
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for key in std::fs::read_dir(cli.path(".tessera/keys")).unwrap() {
            let mode = key.unwrap().metadata().unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
    std::fs::write(cli.path("broken/state.json"), "{").unwrap_or_else(|_| {
        std::fs::create_dir_all(cli.path("broken")).unwrap();
        std::fs::write(cli.path("broken/state.json"), "{").unwrap();
    });
    let r = run_raw(
        &cli.dir,
        &["--state", "broken", "whoami", "--token", "x"],
        &[],
    );
    assert_eq!(r.code, 3, "{r:?}");
}

#[test]
fn namespaces_form_a_tree_and_bad_names_are_refused() {
    let cli = Cli::new("namespaces");
    cli.ok(&["create", "namespace", "engineering", "--parent", "global"]);
    let out = cli
        .run(&[
            "create",
            "namespace",
            "ci",
            "--parent",
            "engineering",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(out["parent"], "engineering");
    cli.fails(
        &["create", "namespace", "ci"],
        2,
        "namespace \"ci\" already exists",
    );
    cli.fails(
        &["create", "namespace", "x", "--parent", "nope"],
        2,
        "--parent: namespace \"nope\" does not exist",
    );
    cli.fails(
        &["create", "namespace", "Top_Secret"],
        2,
        "namespace name: \"Top_Secret\" is not a valid name",
    );
    cli.fails(&["new-project", "engineering"], 2, "already exists");
}

#[test]
fn new_project_makes_openshift_defaults() {
    let cli = Cli::new("project");
    let p = cli.run(&["new-project", "top-secret", "-o", "json"]).json();
    let names: Vec<&str> = p["service_accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["service_account"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["builder", "deployer", "default"]);
    let bindings: Vec<&str> = p["role_bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        bindings,
        [
            "system:image-builders",
            "system:deployers",
            "system:image-pullers"
        ]
    );
    let builder = p["service_accounts"][0]["token"]["token"].as_str().unwrap();
    let r = cli.run(&[
        "auth",
        "can-i",
        "update",
        "imagestreams",
        "--subresource",
        "layers",
        "-n",
        "top-secret",
        "--token",
        builder,
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let default = p["service_accounts"][2]["token"]["token"].as_str().unwrap();
    let r = cli.run(&[
        "auth",
        "can-i",
        "get",
        "imagestreams",
        "--subresource",
        "layers",
        "-n",
        "top-secret",
        "--token",
        default,
        "-o",
        "json",
    ]);
    assert!(r.stdout.contains("system:image-pullers"), "{}", r.stdout);
    let text = cli.ok(&["new-project", "other"]);
    assert!(text.contains("tokens (shown once, not stored)"), "{text}");
}

#[test]
fn service_accounts_unique_impersonating_and_expiring() {
    let cli = Cli::new("accounts");
    cli.ok(&["create", "namespace", "engineering", "--parent", "global"]);
    cli.ok(&[
        "create",
        "user",
        "alice",
        "--email",
        "alice@example.com",
        "--group",
        "admins",
        "--group",
        "engineering",
    ]);
    let r = cli.run(&[
        "create",
        "sa",
        "alice-automation",
        "-n",
        "engineering",
        "--impersonate",
        "alice",
        "--token-format",
        "pomerium",
        "--expires",
        "90d",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let created = r.json();
    assert_eq!(created["service_account"]["kind"], "impersonating");
    assert!(created["token"]["expires_at"].is_string());
    assert_eq!(created["token"]["jti"], created["service_account"]["uid"]);
    let token = created["token"]["token"].as_str().unwrap();
    let review = cli.run(&["whoami", "--token", token, "-o", "json"]).json();
    assert_eq!(review["kind"], "TokenReview");
    assert_eq!(review["status"]["user"]["username"], "alice");
    assert_eq!(
        review["status"]["user"]["groups"],
        serde_json::json!(["admins", "engineering", "system:authenticated"])
    );
    assert_eq!(
        review["status"]["user"]["extra"]["authentication.tessera.dev/service-account"][0],
        "engineering/alice-automation"
    );
    // Beside the Kubernetes UserInfo, the whole identity (DESIGN 1.3): the account, its kind,
    // and the impersonated user's id and email.
    let identity = &review["identity"];
    assert_eq!(
        (
            &identity["namespace"],
            &identity["service_account"],
            &identity["kind"],
            &identity["user_id"]
        ),
        (
            &serde_json::json!("engineering"),
            &serde_json::json!("alice-automation"),
            &serde_json::json!("impersonating"),
            &serde_json::json!("alice")
        )
    );
    assert!(identity["email"].is_string(), "{identity}");

    let unique = cli
        .run(&[
            "create",
            "sa",
            "deploy-bot",
            "-n",
            "engineering",
            "--id",
            "deploy-bot@engineering",
            "--token-format",
            "pomerium",
            "-o",
            "json",
        ])
        .json();
    let token = unique["token"]["token"].as_str().unwrap();
    assert_eq!(
        cli.ok(&["whoami", "--token", token]).trim(),
        "system:serviceaccount:engineering:deploy-bot"
    );

    let d = cli.run(&[
        "describe",
        "serviceaccount",
        "alice-automation",
        "-n",
        "engineering",
    ]);
    assert!(
        d.stdout.contains("impersonating (acts as alice)"),
        "{}",
        d.stdout
    );
    assert!(d.stdout.contains("Expires:"), "{}", d.stdout);

    cli.fails(
        &[
            "create",
            "sa",
            "x",
            "-n",
            "engineering",
            "--impersonate",
            "carol",
        ],
        2,
        "--impersonate: \"carol\" is not a user of the directory",
    );
    cli.fails(
        &[
            "create",
            "sa",
            "x",
            "-n",
            "engineering",
            "--impersonate",
            "alice",
            "--id",
            "y",
        ],
        2,
        "--id",
    );
    // A unique account's id is its own: a directory user's would make PPL take the account
    // for that user, without impersonation.
    cli.fails(
        &["create", "sa", "x", "-n", "engineering", "--id", "alice"],
        2,
        "--id: \"alice\" is a directory user's id (impersonate that user instead)",
    );
    cli.fails(
        &[
            "create",
            "sa",
            "x",
            "-n",
            "engineering",
            "--id",
            "deploy-bot@engineering",
        ],
        2,
        "--id: \"deploy-bot@engineering\" is another account's id",
    );
    cli.fails(
        &[
            "create",
            "sa",
            "x",
            "-n",
            "engineering",
            "--expires",
            "soon",
        ],
        2,
        "--expires: \"soon\" is not a duration",
    );
    cli.fails(
        &[
            "create",
            "sa",
            "x",
            "-n",
            "engineering",
            "--expires",
            "2026-02-30T00:00:00Z",
        ],
        2,
        "--expires",
    );
    cli.fails(
        &["create", "sa", "deploy-bot", "-n", "engineering"],
        2,
        "serviceaccount \"deploy-bot\" already exists in namespace \"engineering\"",
    );
    cli.fails(
        &["create", "sa", "x", "-n", "nowhere"],
        2,
        "namespace \"nowhere\" not found",
    );
    cli.fails(&["create", "sa", "-x", "-n", "engineering"], 2, "error:");
    let r = cli.run(&[
        "create",
        "sa",
        "past",
        "-n",
        "engineering",
        "--expires",
        "2020-01-01T00:00:00Z",
    ]);
    assert!(r.stderr.contains("warning: --expires"), "{}", r.stderr);
    cli.fails(
        &["create", "user", "alice"],
        2,
        "user \"alice\" already exists",
    );
    cli.fails(
        &["create", "user", "bob", "--email", "bob"],
        2,
        "--email: \"bob\" is not an email address",
    );
}

#[test]
fn bound_tokens_follow_token_request() {
    let cli = Cli::new("bound");
    cli.ok(&["new-project", "ci"]);
    cli.ok(&["create", "sa", "runner", "-n", "ci"]);
    let r = cli.run(&[
        "create",
        "token",
        "runner",
        "-n",
        "ci",
        "--duration",
        "2h",
        "--bound-object-kind",
        "Pod",
        "--bound-object-name",
        "runner-abc",
        "--bound-object-uid",
        "p-1",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let issued = r.json();
    assert_eq!(issued["format"], "bound");
    let token = issued["token"].as_str().unwrap();
    let review = cli.run(&["whoami", "--token", token, "-o", "json"]).json();
    let extra = &review["status"]["user"]["extra"];
    assert_eq!(
        extra["authentication.kubernetes.io/pod-name"][0],
        "runner-abc"
    );
    assert_eq!(
        extra["authentication.kubernetes.io/credential-id"][0],
        format!("JTI={}", issued["jti"].as_str().unwrap())
    );
    let d = cli
        .run(&["describe", "sa", "runner", "-n", "ci", "-o", "json"])
        .json();
    assert_eq!(d["bound_tokens"][0]["jti"], issued["jti"]);
    assert_eq!(d["bound_tokens"][0]["bound_to"], "pod/runner-abc");

    let plain = cli.ok(&["create", "token", "runner", "-n", "ci"]);
    assert_eq!(
        cli.ok(&["whoami", "--token", plain.trim()]).trim(),
        "system:serviceaccount:ci:runner"
    );
    let r = cli.run(&[
        "create",
        "token",
        "runner",
        "-n",
        "ci",
        "--audience",
        "https://elsewhere",
    ]);
    assert!(r.stderr.contains("warning: --audience"), "{}", r.stderr);
    assert_eq!(cli.run(&["whoami", "--token", r.stdout.trim()]).code, 1);

    cli.fails(
        &["create", "token", "runner", "-n", "ci", "--duration", "5m"],
        2,
        "shorter than Kubernetes' minimum",
    );
    cli.fails(
        &[
            "create",
            "token",
            "runner",
            "-n",
            "ci",
            "--duration",
            "4294967297s",
        ],
        2,
        "--duration: 4294967297s is longer than Kubernetes' maximum of 2^32 seconds",
    );
    // As kubectl's: 0 leaves the lifetime to the default (1 h).
    let r = cli.run(&[
        "create",
        "token",
        "runner",
        "-n",
        "ci",
        "--duration",
        "0",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // An object kind Kubernetes does not bind to; and a Secret that is not one of the account's
    // token secrets (a token bound to a Secret stands only while the account lists it).
    for (kind, name, error) in [
        ("Deployment", "x", "--bound-object-kind: \"Deployment\""),
        (
            "Secret",
            "not-a-token-secret",
            "--bound-object-name: \"not-a-token-secret\" is not a token secret of ci/runner",
        ),
    ] {
        let args = [
            "create",
            "token",
            "runner",
            "-n",
            "ci",
            "--bound-object-kind",
            kind,
        ];
        let mut args = args.to_vec();
        args.extend(["--bound-object-name", name]);
        cli.fails(&args, 2, error);
    }
    cli.fails(
        &["create", "token", "ghost", "-n", "ci"],
        2,
        "serviceaccount \"ghost\" not found",
    );
    cli.fails(
        &[
            "create",
            "token",
            "runner",
            "-n",
            "ci",
            "--bound-object-kind",
            "Pod",
        ],
        2,
        "error:",
    );
}

#[test]
fn deleting_accounts_and_secrets_revokes_their_tokens() {
    let cli = Cli::new("delete");
    cli.ok(&["new-project", "p"]);
    let token = cli.ok(&["create", "sa", "a", "-n", "p"]);
    let pomerium = cli.ok(&["create", "sa", "b", "-n", "p", "--token-format", "pomerium"]);
    cli.ok(&["delete", "serviceaccount", "a", "-n", "p"]);
    let r = cli.run(&["whoami", "--token", token.trim(), "-o", "json"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.json()["reason"], "account-unknown");
    // Re-created with the same name: a new uid, so the old token stays refused.
    cli.ok(&["create", "sa", "a", "-n", "p"]);
    assert_eq!(cli.run(&["whoami", "--token", token.trim()]).code, 1);
    assert_eq!(
        cli.ok(&["whoami", "--token", pomerium.trim()]).trim(),
        "system:serviceaccount:p:b"
    );

    let secret = cli
        .run(&["describe", "sa", "a", "-n", "p", "-o", "json"])
        .json()["tokens"][0]
        .as_str()
        .unwrap()
        .to_string();
    // A token bound to that secret goes with it, as in Kubernetes.
    let bound = cli.ok(&[
        "create",
        "token",
        "a",
        "-n",
        "p",
        "--bound-object-kind",
        "Secret",
        "--bound-object-name",
        &secret,
    ]);
    assert_eq!(cli.run(&["whoami", "--token", bound.trim()]).code, 0);
    let r = cli.run(&[
        "delete",
        "secret",
        &secret,
        "-n",
        "p",
        "--no-reissue",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0);
    let r = cli.run(&["whoami", "--token", bound.trim(), "-o", "json"]);
    assert_eq!(
        (r.code, r.json()["reason"].as_str()),
        (1, Some("secret-deleted"))
    );
    assert!(r.json().get("reissued").is_none());
    let d = cli
        .run(&["describe", "sa", "a", "-n", "p", "-o", "json"])
        .json();
    assert_eq!(d["tokens"], serde_json::json!([]));
    cli.fails(
        &["delete", "secret", &secret, "-n", "p"],
        2,
        &format!("secret \"{secret}\" not found in namespace \"p\""),
    );
    cli.fails(
        &["delete", "sa", "ghost", "-n", "p"],
        2,
        "serviceaccount \"ghost\" not found",
    );
    cli.fails(
        &["describe", "sa", "ghost", "-n", "p"],
        2,
        "serviceaccount \"ghost\" not found",
    );
}

#[test]
fn usage_errors_are_one_line_with_status_2_and_leave_no_temporary_files() {
    let cli = Cli::new("usage");
    for args in [
        &["frobnicate"][..],
        &["create", "sa", "robot"],
        &["auth", "can-i", "get"],
        &["whoami"],
        &["init", "--alg"],
    ] {
        let r = cli.run(args);
        assert_eq!(r.code, 2, "{args:?}: {r:?}");
        assert_eq!(r.stderr.trim().lines().count(), 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.starts_with("error:"), "{args:?}: {}", r.stderr);
    }
    // The line names what is missing or wrong, and what is allowed.
    cli.fails(&["create", "token", "robot"], 2, "--namespace <NS>");
    cli.fails(
        &["create", "sa", "x", "--token-format", "foo"],
        2,
        "[possible values: legacy, pomerium]",
    );
    cli.fails(
        &["auth", "can-i", "get", "pods", "--token", "x"],
        2,
        "-n: missing",
    );
    cli.fails(
        &["whoami", "--token-file", "missing.txt"],
        2,
        "--token-file",
    );
    let r = cli.run(&["whoami", "--token", "not-a-token"]);
    assert_eq!(r.code, 1);
    // As `oc whoami` fails: nothing on stdout (USER=$(tessera whoami ...) stays empty).
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains("error: token refused: malformed token"),
        "{}",
        r.stderr
    );
    let r = cli.run(&["whoami", "--token", "not-a-token", "-o", "json"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.json()["status"]["authenticated"], false);
    assert_eq!(cli.run(&["--help"]).code, 0);
    let leftovers: Vec<String> = std::fs::read_dir(cli.state())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_token_id_is_revoked_by_name_and_refused_from_then_on() {
    let cli = Cli::new("revoke");
    cli.ok(&["create", "namespace", "p"]);
    cli.ok(&["create", "sa", "a", "-n", "p"]);
    let r = cli.run(&["create", "token", "a", "-n", "p", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let issued = r.json();
    let (token, jti) = (
        issued["token"].as_str().unwrap().to_string(),
        issued["jti"].as_str().unwrap().to_string(),
    );
    assert_eq!(cli.run(&["whoami", "--token", &token]).code, 0);
    let revoked = cli.run(&["revoke", "token", &jti, "-o", "json"]);
    assert_eq!(revoked.code, 0, "{}", revoked.stderr);
    let revoked = revoked.json();
    assert_eq!(revoked["already"], false);
    assert!(revoked["names"][0]
        .as_str()
        .unwrap()
        .starts_with("bound token of p/a"));
    let r = cli.run(&["whoami", "--token", &token, "-o", "json"]);
    assert_eq!(
        (r.code, r.json()["reason"].as_str()),
        (1, Some("token-revoked"))
    );
    // Once is enough; an id the state does not know is revoked all the same, with a note.
    assert_eq!(
        cli.run(&["revoke", "token", &jti, "-o", "json"]).json()["already"],
        true
    );
    let r = cli.run(&["revoke", "token", "minted-elsewhere"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stderr
            .contains("no token of this state has the id \"minted-elsewhere\""),
        "{}",
        r.stderr
    );
}
