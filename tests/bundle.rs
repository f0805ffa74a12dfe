//! Loading bundles as a consumer does: precise errors for bad documents, the detached
//! signature against pinned keys, rollback and expiry refused, the last good bundle kept.

mod support;

use serde_json::{json, Value};
use tessera::bundle::signature::TrustedKeys;
use tessera::rbac::{RbacRequest, ResourceAttributes};
use tessera::{Bundle, BundleError, Engine, UnixTime};

const NOW: UnixTime = UnixTime(1_795_341_600); // 2026-11-22T10:00:00Z

fn trusted() -> TrustedKeys {
    TrustedKeys::from_json(support::read("examples/keys/bundle-signing.public.jwk.json").as_bytes())
        .expect("pinned key")
}

fn example() -> Value {
    serde_json::from_str(&support::example_bundle()).unwrap()
}

/// The path and message of the parse error a text gets (any other outcome fails the test).
fn parse_error(text: &[u8]) -> (String, String) {
    match Bundle::from_json(text) {
        Err(BundleError::Parse { path, message }) => (path, message),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

fn load_error(doc: &Value) -> String {
    Bundle::from_json(doc.to_string().as_bytes())
        .unwrap_err()
        .to_string()
}

#[test]
fn the_example_bundle_and_its_signature_verify() {
    let bytes = support::example_bundle();
    let signature = support::read("examples/bundle.json.sig");
    let engine = Engine::from_signed_json(bytes.as_bytes(), &signature, &trusted(), NOW)
        .expect("signed example loads");
    assert_eq!(engine.bundle().revision(), 1);
}

#[test]
fn a_changed_byte_or_an_unpinned_key_breaks_the_signature() {
    let bytes = support::example_bundle().replacen("\"revision\": 1", "\"revision\": 2", 1);
    let signature = support::read("examples/bundle.json.sig");
    let err = Engine::from_signed_json(bytes.as_bytes(), &signature, &trusted(), NOW).unwrap_err();
    assert!(matches!(err, BundleError::Signature(_)), "{err}");
    assert_eq!(
        err.to_string(),
        "bundle signature: does not verify with the trusted key(s) for kid \"bundle-2026\""
    );

    let other = tessera::token::mint::PrivateKey::generate(
        jsonwebtoken::Algorithm::ES256,
        Some("bundle-2026".into()),
    )
    .unwrap();
    let other_trusted =
        TrustedKeys::from_json(other.public_jwk().unwrap().to_string().as_bytes()).unwrap();
    let original = support::example_bundle();
    assert!(
        Engine::from_signed_json(original.as_bytes(), &signature, &other_trusted, NOW).is_err()
    );
}

#[test]
fn the_native_signer_and_the_verifier_agree_and_refuse_hmac() {
    let key = tessera::token::mint::PrivateKey::generate(
        jsonwebtoken::Algorithm::EdDSA,
        Some("k1".into()),
    )
    .unwrap();
    let trusted = TrustedKeys::from_json(
        json!({"keys": [key.public_jwk().unwrap()]})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    let bytes = support::example_bundle();
    let signature = key.sign_detached(bytes.as_bytes()).unwrap();
    assert!(signature.contains(".."), "detached payload");
    trusted
        .verify(bytes.as_bytes(), &signature)
        .expect("verifies");

    let hmac =
        tessera::token::mint::PrivateKey::from_secret(&[7u8; 32], jsonwebtoken::Algorithm::HS256);
    let err = trusted
        .verify(
            bytes.as_bytes(),
            &hmac.sign_detached(bytes.as_bytes()).unwrap(),
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "bundle signature: header.alg: HS256 is not accepted for bundles (expected a public-key algorithm)");
}

#[test]
fn rollback_and_expiry_are_refused_and_the_held_bundle_stays() {
    let mut engine = Engine::from_json(support::example_bundle().as_bytes()).unwrap();
    let mut newer = example();
    newer["revision"] = json!(5);
    engine
        .update(
            Bundle::from_json(newer.to_string().as_bytes()).unwrap(),
            NOW,
        )
        .unwrap();
    assert_eq!(engine.bundle().revision(), 5);

    let mut older = example();
    older["revision"] = json!(4);
    let err = engine
        .update(
            Bundle::from_json(older.to_string().as_bytes()).unwrap(),
            NOW,
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "revision: 4 is older than the revision 5 already loaded (rollback refused)"
    );
    assert_eq!(engine.bundle().revision(), 5);

    // The same bundle again (a refetch) is taken; another bundle under the same revision,
    // issued at another time, is refused.
    engine
        .update(
            Bundle::from_json(newer.to_string().as_bytes()).unwrap(),
            NOW,
        )
        .unwrap();
    let mut rebuilt = newer.clone();
    rebuilt["issued_at"] = json!("2026-11-02T00:00:00Z");
    rebuilt["service_accounts"][0]["expires_at"] = json!("2026-11-03T00:00:00Z");
    let err = engine
        .update(
            Bundle::from_json(rebuilt.to_string().as_bytes()).unwrap(),
            NOW,
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "revision: 5 is already loaded, issued at 2026-11-01T00:00:00Z; this bundle of the same revision was issued at 2026-11-02T00:00:00Z (a changed bundle needs a higher revision)"
    );
    assert_eq!(
        engine.bundle().issued_at(),
        UnixTime::parse_rfc3339("2026-11-01T00:00:00Z").unwrap()
    );

    let mut expired = example();
    expired["revision"] = json!(6);
    expired["expires_at"] = json!("2026-11-01T00:00:00Z");
    let err = engine
        .update(
            Bundle::from_json(expired.to_string().as_bytes()).unwrap(),
            NOW,
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "expires_at: the bundle expired at 2026-11-01T00:00:00Z (now 2026-11-22T10:00:00Z)"
    );
    assert_eq!(engine.bundle().revision(), 5);
}

#[test]
fn an_empty_api_group_is_rbacs_own_as_kubernetes_defaults_it() {
    // Kubernetes fills an empty apiGroup of a roleRef, and of a User or Group subject, with
    // rbac.authorization.k8s.io: the same bundle as with the member left out.
    let mut doc = example();
    let mut emptied = 0;
    for section in ["role_bindings", "cluster_role_bindings"] {
        for binding in doc[section].as_array_mut().unwrap() {
            binding["roleRef"]["apiGroup"] = json!("");
            for subject in binding["subjects"].as_array_mut().into_iter().flatten() {
                if subject["kind"] != "ServiceAccount" {
                    subject["apiGroup"] = json!("");
                    emptied += 1;
                }
            }
        }
    }
    assert!(emptied > 0, "the example has Group subjects");
    let bundle = Bundle::from_json(doc.to_string().as_bytes());
    assert!(bundle.is_ok(), "{:?}", bundle.err());
    // Another group is still refused.
    doc["role_bindings"][0]["roleRef"]["apiGroup"] = json!("example.com");
    assert!(load_error(&doc).contains("roleRef.apiGroup: \"example.com\" is not supported"));
}

#[test]
fn a_document_that_is_not_utf8_is_located_as_serde_json_locates_it() {
    // The module reads JSON as text only (one copy of serde_json's parser), so bytes that stop
    // being UTF-8 are located by tessera: as serde_json's byte reader says it, in a string.
    let text = b"{\"version\": 1,\n \"issued_at\": \"2026-01-01\xff\"}";
    let serde = serde_json::from_slice::<Value>(text)
        .unwrap_err()
        .to_string();
    assert_eq!(serde, "invalid unicode code point at line 2 column 26");
    assert_eq!(parse_error(text), ("issued_at".to_string(), serde));
    // Outside a string serde_json sees no value there; tessera still says why.
    let (path, message) = parse_error(b"{\"version\": \xff}");
    assert_eq!(path, "version");
    assert_eq!(message, "invalid unicode code point at line 1 column 13");
}

#[test]
fn an_expired_bundle_fails_closed() {
    let mut engine = Engine::from_json(support::example_bundle().as_bytes()).unwrap();
    let later = UnixTime::parse_rfc3339("2027-11-01T00:00:00Z").unwrap();
    let token = support::mint(
        &support::example_document(),
        &json!({"issuer": "legacy", "account": "top-secret/robot"}),
        later,
    );
    let review = engine.review(&token, later);
    assert!(!review.authenticated);
    assert!(review
        .error
        .unwrap()
        .starts_with("expires_at: the bundle expired"));
    let request = tessera::HttpRequest::new("GET", "https://status.example.com/").unwrap();
    let decision = engine.check_http(&request, later);
    assert_eq!((decision.allowed, decision.status), (false, 503));
    assert_eq!(decision.reasons, vec!["bundle-expired"]);
    // Every kind of question says so the same way.
    let question = RbacRequest::Resource(ResourceAttributes::from_kubectl(
        "get",
        "pods",
        "",
        "top-secret",
    ));
    let decision = engine.authorize(&token, &question, later);
    assert_eq!((decision.allowed, decision.status), (false, 503));
    assert_eq!(decision.reasons, vec!["bundle-expired"]);
}

#[test]
fn bad_documents_name_the_path_and_value() {
    type Change = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(Change, &str)> = vec![
        (
            Box::new(|d| d["service_accounts"][3]["namespace"] = json!("nowhere")),
            "service_accounts[3].namespace: \"nowhere\" is not a defined namespace",
        ),
        (
            Box::new(|d| d["service_accounts"][0]["name"] = json!("Deploy_Bot")),
            "service_accounts[0].name: \"Deploy_Bot\" is not a valid name (DNS-1123 label)",
        ),
        (
            Box::new(|d| d["service_accounts"][0]["kind"] = json!("robot")),
            "service_accounts[0].kind: unknown variant `robot`",
        ),
        (
            Box::new(|d| d["revision"] = json!("one")),
            "revision: invalid type: string \"one\"",
        ),
        (
            Box::new(|d| d["issued_at"] = json!("yesterday")),
            "issued_at: \"yesterday\" is not an RFC 3339 time",
        ),
        (
            Box::new(|d| d["namespaces"][1]["parent"] = json!("nowhere")),
            "namespaces[1].parent: \"nowhere\" is not a defined namespace",
        ),
        (
            Box::new(|d| d["settings"]["default_issuer"] = json!("ghost")),
            "settings.default_issuer: \"ghost\" is not the name of an issuer",
        ),
        (
            Box::new(|d| d["issuers"][0]["jwks"]["keys"][0]["x"] = json!("AAAA")),
            "issuers[0].jwks.keys[0]: x: 3 bytes (expected 32 for P-256)",
        ),
        (
            Box::new(|d| d["issuers"][2]["shared_secret"] = json!("c2hvcnQ=")),
            "issuers[2].shared_secret: 5 bytes is too short (at least 32)",
        ),
        (
            Box::new(|d| d["sevice_accounts"] = json!([])),
            "unknown field `sevice_accounts`",
        ),
        (
            Box::new(|d| d["version"] = json!(2)),
            "version: 2 is not supported (expected 1)",
        ),
        // As Kubernetes' validation: an aggregation rule needs a selector (without one it
        // would replace the role's rules with nothing).
        (
            Box::new(|d| {
                let roles = d["cluster_roles"].as_array_mut().unwrap();
                roles.push(json!({"name": "ops", "rules": [], "aggregationRule": {"clusterRoleSelectors": []}}));
            }),
            "cluster_roles[11].aggregationRule.clusterRoleSelectors: at least one selector is required in an aggregation rule",
        ),
        // Directory names RBAC would take for Kubernetes' own users and groups.
        (
            Box::new(|d| d["directory"]["users"][1]["id"] = json!("system:serviceaccount:prod:deployer")),
            "directory.users[1].id: \"system:serviceaccount:prod:deployer\" begins with \"system:\", which Kubernetes reserves",
        ),
        (
            Box::new(|d| d["directory"]["groups"][0]["name"] = json!("system:masters")),
            "directory.groups[0].name: \"system:masters\" begins with \"system:\", which Kubernetes reserves",
        ),
        // A unique account's User ID is its own (Pomerium): not a directory user's, which
        // PPL's `user` criterion would take it for, nor another account's.
        (
            Box::new(|d| d["service_accounts"][3]["id"] = json!("alice")),
            "service_accounts[3].id: \"alice\" is a directory user's id (impersonate that user instead): a unique account's User ID must be its own",
        ),
        (
            Box::new(|d| d["service_accounts"][3]["id"] = json!("deploy-bot@engineering")),
            "service_accounts[3].id: \"deploy-bot@engineering\" is another account's id",
        ),
        (
            Box::new(|d| d["service_accounts"][3]["id"] = json!("system:serviceaccount:managers:lead")),
            "service_accounts[3].id: \"system:serviceaccount:managers:lead\" is another account's user name",
        ),
    ];
    for (i, (change, expected)) in cases.into_iter().enumerate() {
        let mut doc = example();
        change(&mut doc);
        let err = load_error(&doc);
        assert!(err.contains(expected), "case {i}: {err}");
    }
}

#[test]
fn shape_errors_in_every_section_name_the_path_the_field_and_the_position() {
    type Change = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(Change, &str, &str)> = vec![
        (
            Box::new(|d| d["namespaces"][1]["name"] = json!(7)),
            "namespaces[1].name",
            "invalid type: integer `7`, expected a string",
        ),
        (
            Box::new(|d| d["settings"]["leeway_seconds"] = json!(-5)),
            "settings.leeway_seconds",
            "invalid value: integer `-5`, expected u32",
        ),
        (
            Box::new(|d| d["issuers"][0]["audiences"] = json!("one")),
            "issuers[0].audiences",
            "invalid type: string \"one\", expected a sequence",
        ),
        (
            Box::new(|d| d["directory"]["groups"][0] = json!({"id": "g"})),
            "directory.groups[0]",
            "missing field `name`",
        ),
        (
            Box::new(|d| d["cluster_roles"][3]["rules"][0]["verb"] = json!(["get"])),
            "cluster_roles[3].rules[0].verb",
            "unknown field `verb`, expected one of `verbs`, `apiGroups`, `resources`, \
             `resourceNames`, `nonResourceURLs`",
        ),
        (
            Box::new(|d| d["cluster_roles"][0]["labels"] = json!({"a": true})),
            "cluster_roles[0].labels.a",
            "invalid type: boolean `true`, expected a string",
        ),
        (
            Box::new(|d| {
                d["routes"][0].as_object_mut().map(|r| r.remove("policy"));
            }),
            "routes[0]",
            "missing field `policy`",
        ),
        (
            Box::new(|d| d["role_bindings"][0]["roleRef"] = json!({"kind": "Role"})),
            "role_bindings[0].roleRef",
            "missing field `name`",
        ),
        (
            Box::new(|d| d["service_accounts"][2]["secrets"] = json!([1])),
            "service_accounts[2].secrets[0]",
            "invalid type: integer `1`, expected a string",
        ),
        (
            Box::new(|d| d["revocations"] = json!([{"id": "x", "why": "lost"}])),
            "revocations[0].why",
            "unknown field `why`, expected `id` or `revoked_at`",
        ),
        // Three things serde's derived reading takes and the schema does not: an object
        // written as an array of its values, `kind` as a map, a label named twice (below).
        (
            Box::new(|d| d["namespaces"][0] = json!(["global"])),
            "namespaces[0]",
            "invalid type: sequence, expected an object",
        ),
        (
            Box::new(|d| d["service_accounts"][0]["kind"] = json!({"unique": null})),
            "service_accounts[0].kind",
            "invalid type: map, expected a string",
        ),
        // Nesting deeper than serde_json reads, where a value is passed over: its path.
        (
            Box::new(|d| {
                let mut deep = json!(1);
                for _ in 0..200 {
                    deep = json!([deep]);
                }
                d["service_accounts"][0] = deep;
            }),
            "service_accounts[0]",
            "invalid type: sequence, expected an object",
        ),
    ];
    for (i, (change, path, message)) in cases.into_iter().enumerate() {
        let mut doc = example();
        change(&mut doc);
        let (p, m) = parse_error(doc.to_string().as_bytes());
        assert_eq!(p, path, "case {i}: {m}");
        assert!(m.starts_with(message), "case {i}: {m}");
        assert!(m.contains(" at line 1 column "), "case {i}: {m}");
    }
}

#[test]
fn repeated_fields_and_keys_are_refused_where_they_are() {
    let text = support::example_bundle();
    let cases = [
        (
            text.replacen("\"revision\": 1,", "\"revision\": 1, \"revision\": 2,", 1),
            "revision",
            "duplicate field `revision`",
        ),
        (
            text.replacen(
                "\"labels\": {",
                "\"labels\": {\"tier\": \"a\", \"tier\": \"b\", ",
                1,
            ),
            "cluster_roles[0].labels.tier",
            "duplicate key `tier`",
        ),
        (
            text.replacen("\"kty\": \"EC\",", "\"kty\": \"EC\", \"kty\": \"EC\",", 1),
            "issuers[0].jwks.keys[0].kty",
            "a JWK names \"kty\" twice",
        ),
    ];
    for (doc, path, message) in cases {
        assert_ne!(doc, text, "the example changed: {path}");
        let (p, m) = parse_error(doc.as_bytes());
        assert_eq!(p, path, "{m}");
        assert!(m.starts_with(message), "{m}");
    }
}

#[test]
fn text_that_is_not_json_is_named_by_line_and_column() {
    let text = support::example_bundle();
    let broken = text.replacen("\"namespaces\": [", "\"namespaces\": [,", 1);
    let (path, message) = parse_error(broken.as_bytes());
    assert_eq!(path, "namespaces", "{message}");
    assert!(message.starts_with("expected value at line "), "{message}");
    for bad in ["", "{", "[]", "{\"version\": 1} x", "\u{feff}{}"] {
        parse_error(bad.as_bytes());
    }
}

#[test]
fn a_unique_account_may_take_its_own_user_name_as_id() {
    let mut doc = example();
    doc["service_accounts"][3]["id"] = json!("system:serviceaccount:ci:runner");
    Bundle::from_json(doc.to_string().as_bytes()).unwrap();
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut doc = example();
    doc["service_accounts"][0]["namespace"] = json!("a-missing-one");
    doc["service_accounts"][1]["namespace"] = json!("another-missing-one");
    let err = Bundle::from_json(doc.to_string().as_bytes()).unwrap_err();
    assert!(err.problems().len() >= 2, "{err}");
}
