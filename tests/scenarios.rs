//! The example bundle's scenarios (`examples/scenarios.json`), decided by the native engine
//! exactly as `docs/example.md` says. The same file is run by the wasm and JavaScript drivers.

mod support;

use serde_json::Value;
use tessera::rbac::{NonResourceAttributes, RbacRequest, ResourceAttributes};
use tessera::{Engine, HttpRequest, UnixTime};

fn str_field<'v>(v: &'v Value, name: &str) -> &'v str {
    v.get(name).and_then(Value::as_str).unwrap_or("")
}

#[test]
fn every_example_scenario_decides_as_documented() {
    let bundle = support::example_bundle();
    let mut engine = Engine::from_json(bundle.as_bytes()).expect("the example bundle loads");
    let document = engine.bundle().document().clone();
    let scenarios: Vec<Value> =
        serde_json::from_str(&support::read("examples/scenarios.json")).expect("scenarios");
    assert!(scenarios.len() >= 60, "only {} scenarios", scenarios.len());
    let mut failures = Vec::new();
    for case in &scenarios {
        let name = str_field(case, "name");
        let now = UnixTime::parse_rfc3339(str_field(case, "now")).expect("now");
        let token = match &case["token"] {
            Value::Null => None,
            spec => Some(support::mint(&document, spec, now)),
        };
        let token_str = token.as_deref().unwrap_or("");
        let request = &case["request"];
        let (allowed, status, text, identity) = match str_field(request, "kind") {
            "whoami" => {
                let review = engine.review(token_str, now);
                let identity = engine.verify(token_str, now).ok();
                let status = if review.authenticated { 200 } else { 401 };
                (
                    review.authenticated,
                    status,
                    review.error.clone().unwrap_or_default(),
                    identity,
                )
            }
            kind @ ("rbac" | "rbac-url") => {
                let rbac = if kind == "rbac" {
                    RbacRequest::Resource(
                        serde_json::from_value::<ResourceAttributes>(strip_kind(request))
                            .expect("attributes"),
                    )
                } else {
                    RbacRequest::NonResource(
                        serde_json::from_value::<NonResourceAttributes>(strip_kind(request))
                            .expect("attributes"),
                    )
                };
                let d = engine.authorize(token_str, &rbac, now);
                (
                    d.allowed,
                    d.status,
                    format!("{} {}", d.reasons.join(" "), d.explanation),
                    d.identity,
                )
            }
            "http" => {
                let mut http =
                    HttpRequest::new(str_field(request, "method"), str_field(request, "url"))
                        .expect("request");
                if let Some(t) = &token {
                    http = http.with_header("authorization", &format!("Bearer {t}"));
                }
                let d = engine.check_http(&http, now);
                (
                    d.allowed,
                    d.status,
                    format!("{} {}", d.reasons.join(" "), d.explanation),
                    d.identity,
                )
            }
            other => panic!("{name}: unknown request kind {other}"),
        };
        let expect = &case["expect"];
        let mut wrong = Vec::new();
        if expect["allowed"].as_bool() != Some(allowed) {
            wrong.push(format!("allowed {allowed}"));
        }
        if expect["status"].as_u64() != Some(u64::from(status)) {
            wrong.push(format!("status {status}"));
        }
        if let Some(needle) = expect.get("reason_contains").and_then(Value::as_str) {
            if !text.contains(needle) {
                wrong.push(format!("reason lacks {needle:?}"));
            }
        }
        if let Some(username) = expect.get("username").and_then(Value::as_str) {
            if identity.as_ref().map(|i| i.username.as_str()) != Some(username) {
                wrong.push(format!(
                    "username {:?}",
                    identity.as_ref().map(|i| &i.username)
                ));
            }
        }
        if let Some(groups) = expect.get("groups") {
            let got = identity.as_ref().map(|i| serde_json::json!(i.groups));
            if got.as_ref() != Some(groups) {
                wrong.push(format!("groups {got:?}"));
            }
        }
        if !wrong.is_empty() {
            failures.push(format!("{name}: {} (got: {text})", wrong.join(", ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed:\n{}",
        failures.len(),
        scenarios.len(),
        failures.join("\n")
    );
}

fn strip_kind(request: &Value) -> Value {
    let mut r = request.clone();
    if let Some(o) = r.as_object_mut() {
        o.remove("kind");
    }
    r
}
