//! wasm tests in Node.js: the shared scenarios of `tests/wasm_common/`.
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown --test wasm_node`
//! (or `./scripts/test.sh`). Add tests in `tests/wasm_common/mod.rs`, not here.
#![cfg(target_arch = "wasm32")]

// No `wasm_bindgen_test_configure!`: the runner's default host is Node.js.

mod wasm_common;
