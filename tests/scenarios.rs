//! The example bundle's scenarios (`examples/scenarios.json`), decided by the native engine
//! exactly as `docs/example.md` says. The wasm tests and the JavaScript drivers run the same
//! file.

mod support;

use serde_json::Value;
use support::scenario::{check, decide, now_of};
use tessera::Engine;

#[test]
fn every_example_scenario_decides_as_documented() {
    let mut engine =
        Engine::from_json(support::example_bundle().as_bytes()).expect("the example bundle loads");
    let document = support::example_document();
    let scenarios: Vec<Value> =
        serde_json::from_str(&support::read("examples/scenarios.json")).expect("scenarios");
    assert!(scenarios.len() >= 60, "only {} scenarios", scenarios.len());
    let mut failures = Vec::new();
    for case in &scenarios {
        let now = now_of(case);
        let token = match &case["token"] {
            Value::Null => None,
            spec => Some(support::mint(&document, spec, now)),
        };
        let outcome =
            decide(&mut engine, &case["request"], token.as_deref(), now).expect("decides");
        failures.extend(check(case, &outcome));
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed:\n{}",
        failures.len(),
        scenarios.len(),
        failures.join("\n")
    );
}
