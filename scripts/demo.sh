#!/usr/bin/env bash
# THE demo command: builds the crate natively and runs examples/demo.rs with any arguments
# given (./scripts/demo.sh --help). Needs only Rust (cargo) and crates.io.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$TESSERA_ROOT"
unset CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER CARGO_BUILD_TARGET

command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup first"

if [[ ! -f examples/demo.rs ]]; then
    cargo build --release
    say "tessera built, but the demo is not yet built: examples/demo.rs does not exist yet."
    exit 1
fi
exec cargo run --release --example demo -- "$@"
