#!/usr/bin/env bash
# THE demo command. Installs what it needs (the wasm target and the matching wasm-bindgen CLI,
# via scripts/setup.sh rust), builds the wasm module and the `tessera` CLI, then:
#   1. examples/cli-demo.sh: from nothing, the CLI builds a state holding the seeds' examples
#      (project top-secret with robot and its roles, a Pomerium namespace tree with a unique,
#      an impersonating and an expired account, a bound token, a route, a revoked token),
#      mints tokens, builds and signs the bundle, and decides a list of requests;
#   2. examples/cli-demo-wasm.mjs: the wasm engine in Node loads that signed bundle and decides
#      the same requests; a table shows both answers and whether they agree;
#   3. the example bundle's 75 scenarios, natively (examples/demo.rs; --table prints that
#      table too) and in wasm (examples/demo-wasm.mjs), side by side.
# Exits non-zero on any disagreement.
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
cargo build --quiet --release --bin tessera
target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
work="$target_dir/demo/cli"

say "== The tessera CLI, from nothing =="
TESSERA="$target_dir/release/tessera" examples/cli-demo.sh "$work"
node examples/cli-demo-wasm.mjs "$work"

say ""
say "== The example bundle (examples/bundle.json) =="
cargo run --quiet --release --example demo -- $quiet
node examples/demo-wasm.mjs
