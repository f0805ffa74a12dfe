//! The core scenarios in wasm: every case of `examples/scenarios.json` against the example
//! bundle, with tokens minted by `tests/fixtures/make-scenario-tokens.mjs` (the wasm module
//! cannot sign), decided by the same `support::scenario` code as the native test.

use serde_json::Value;
use tessera::Engine;
use wasm_bindgen_test::wasm_bindgen_test;

#[path = "../support/scenario.rs"]
mod scenario;

const BUNDLE: &str = include_str!("../../examples/bundle.json");
const SIGNATURE: &str = include_str!("../../examples/bundle.json.sig");
const TRUSTED: &str = include_str!("../../examples/keys/bundle-signing.public.jwk.json");
const SCENARIOS: &str = include_str!("../../examples/scenarios.json");
const TOKENS: &str = include_str!("../fixtures/scenario-tokens.json");

#[wasm_bindgen_test]
fn every_example_scenario_decides_as_documented_in_wasm() {
    let scenarios: Vec<Value> = serde_json::from_str(SCENARIOS).unwrap();
    let tokens: Value = serde_json::from_str(TOKENS).unwrap();
    let mut engine = Engine::from_json(BUNDLE.as_bytes()).unwrap();
    let mut failures = Vec::new();
    for case in &scenarios {
        let name = case["name"].as_str().unwrap();
        let token = tokens
            .get(name)
            .unwrap_or_else(|| panic!("no token for {name}: rerun make-scenario-tokens.mjs"));
        let outcome = scenario::decide(
            &mut engine,
            &case["request"],
            token.as_str(),
            scenario::now_of(case),
        )
        .unwrap();
        failures.extend(scenario::check(case, &outcome));
    }
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(scenarios.len() >= 60);
}

#[wasm_bindgen_test]
fn the_signed_example_bundle_verifies_in_wasm() {
    let trusted = tessera::bundle::signature::TrustedKeys::from_json(TRUSTED.as_bytes()).unwrap();
    let now = tessera::UnixTime::parse_rfc3339("2026-11-22T10:00:00Z").unwrap();
    assert!(Engine::from_signed_json(BUNDLE.as_bytes(), SIGNATURE, &trusted, now).is_ok());
    let tampered = BUNDLE.replacen("\"revision\": 1", "\"revision\": 2", 1);
    assert!(Engine::from_signed_json(tampered.as_bytes(), SIGNATURE, &trusted, now).is_err());
}

#[wasm_bindgen_test]
fn unsigned_and_tampered_tokens_are_refused_in_wasm() {
    let tokens: Value = serde_json::from_str(TOKENS).unwrap();
    let good = tokens["whoami robot"]
        .as_str()
        .expect("the whoami robot case");
    let now = tessera::UnixTime::parse_rfc3339("2026-11-22T10:00:00Z").unwrap();
    let mut engine = Engine::from_json(BUNDLE.as_bytes()).unwrap();
    assert!(engine.verify(good, now).is_ok());
    let (_, rest) = good.split_once('.').unwrap();
    let (claims, _) = rest.split_once('.').unwrap();
    let none = format!("eyJhbGciOiJub25lIn0.{claims}.");
    assert_eq!(
        engine.verify(&none, now).unwrap_err().code(),
        "token-unsigned"
    );
    let mut bytes = good.as_bytes().to_vec();
    let last = bytes.len() - 5;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    assert_eq!(
        engine.verify(&tampered, now).unwrap_err().code(),
        "signature-invalid"
    );
}
