#!/usr/bin/env bash
# THE demo command: real decisions on the bundled example. Installs what it needs (the wasm
# target and the matching wasm-bindgen CLI, via scripts/setup.sh rust), then:
#   1. examples/demo.rs: loads examples/bundle.json, verifies its signature against the pinned
#      demo key, mints tokens with the demo keys and decides every case of
#      examples/scenarios.json natively (pass --table to print the native table too);
#   2. examples/demo-wasm.mjs: decides the very same requests in the WebAssembly build, in
#      Node, and prints both side by side with a column showing that they agree.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$TESSERA_ROOT"
unset CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER CARGO_BUILD_TARGET

command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup first"
command -v node >/dev/null 2>&1 || die "node not found: install Node.js 20 or later"

quiet=--quiet
[[ "${1:-}" == "--table" ]] && quiet=""

scripts/setup.sh rust
scripts/build-wasm.sh >/dev/null
cargo run --quiet --release --example demo -- $quiet
node examples/demo-wasm.mjs
