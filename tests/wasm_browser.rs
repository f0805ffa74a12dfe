//! wasm tests in headless Chromium: the shared scenarios of `tests/wasm_common/`.
//! `CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown --test wasm_browser`
//! (or `./scripts/test.sh`). Add tests in `tests/wasm_common/mod.rs`, not here.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod wasm_common;

/// Proves the harness runs in a browser, not in Node: a `window` with a `navigator`.
#[wasm_bindgen_test::wasm_bindgen_test]
fn runs_in_a_browser() {
    let global = js_sys::global();
    let navigator = js_sys::Reflect::get(&global, &"navigator".into()).unwrap();
    assert!(!navigator.is_undefined(), "no navigator: not a browser");
    let ua = js_sys::Reflect::get(&navigator, &"userAgent".into())
        .unwrap()
        .as_string()
        .unwrap_or_default();
    assert!(ua.contains("Chrome"), "user agent: {ua}");
    // Node has `process.versions.node`; a browser has no `process`.
    let process = js_sys::Reflect::get(&global, &"process".into()).unwrap();
    assert!(process.is_undefined(), "`process` exists: this is Node");
}
