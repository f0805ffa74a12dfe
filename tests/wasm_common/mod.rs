//! Scenario tests shared by the wasm harnesses: `tests/wasm_node.rs` runs them in Node,
//! `tests/wasm_browser.rs` in headless Chromium. Both files `mod` this one, so every test
//! here runs in both hosts.
//!
//! TO ADD A TEST: write a `#[wasm_bindgen_test] fn ...()` in this file (or in a new
//! `tests/wasm_common/<topic>.rs`, declared below with `pub mod <topic>;`). Nothing else to
//! register. Use only the crate's public API, and take "now" as a parameter or from
//! `tessera::time::now()`: `std::time::SystemTime::now()` panics on wasm32-unknown-unknown.
//! Run them with `./scripts/test.sh` (or one host:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown --test wasm_node`).
//!
//! This module is compiled only for wasm32 (the harness files carry
//! `#![cfg(target_arch = "wasm32")]`), so native `cargo test` builds it to nothing.

pub mod scenarios;

use tessera::bundle::{Bundle, BundleError};
use tessera::names::check_dns1123_label;
use tessera::time::{now, UnixTime};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn bundle_rejects_malformed_json_with_a_path() {
    // A wrong type deep inside the document: the error names where.
    let doc = br#"{"version": 1, "revision": 1, "issued_at": "2026-11-22T10:00:00Z",
                   "namespaces": [{"name": "global"}, {"name": 7}]}"#;
    match Bundle::from_json(doc) {
        Err(BundleError::Parse { path, message }) => {
            assert_eq!(path, "namespaces[1].name", "{message}");
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
    // Not JSON at all.
    assert!(matches!(
        Bundle::from_json(b"{not json"),
        Err(BundleError::Parse { .. })
    ));
}

#[wasm_bindgen_test]
fn dns1123_labels_in_wasm() {
    assert_eq!(check_dns1123_label("top-secret"), Ok(()));
    for bad in ["", "Robot", "-a", "a_b", &"a".repeat(64)] {
        let err = check_dns1123_label(bad).unwrap_err();
        assert!(err.contains("DNS-1123"), "{bad}: {err}");
    }
}

#[wasm_bindgen_test]
fn rfc3339_parses_and_formats_in_wasm() {
    let t = UnixTime::parse_rfc3339("2026-11-22T12:00:00.5+02:00").unwrap();
    assert_eq!(t, UnixTime(1_795_341_600));
    assert_eq!(t.to_string(), "2026-11-22T10:00:00Z");
    assert!(UnixTime::parse_rfc3339("2026-02-30T00:00:00Z").is_err());
}

#[wasm_bindgen_test]
fn now_reads_the_js_clock_without_panicking() {
    // SystemTime::now() would panic here; tessera::time::now() goes through js_sys::Date.
    let t = now();
    let js_ms = js_sys::Date::now();
    assert!(t.0 > 1_700_000_000, "now() = {t:?}");
    assert!((t.0 as f64 - js_ms / 1000.0).abs() < 5.0);
}
