#!/usr/bin/env bash
# Runs tessera's benchmark harness (bench/run.mjs) after building what it needs.
#
#   bench/run.sh            quick mode (= --quick): small sizes, few rounds, about a minute;
#                           CI runs it: exits non-zero only if it could not run or if the
#                           contenders disagreed on a decision (targets are reported, not enforced)
#   bench/run.sh --full     what docs/performance.md reports (about 5 minutes on 2 cores);
#                           then `node bench/report.mjs` rewrites the doc's tables and the SVG
#   bench/run.sh --long     --full with 50 million decisions in the flat-memory run (10 in --full)
#
# Builds the wasm module and the npm package if missing or older than the Rust sources
# (scripts/build-pkg.sh, or scripts/build-wasm.sh without pkg/node_modules; set
# TESSERA_BENCH_REBUILD=1 to rebuild them anyway), installs bench/node_modules if missing,
# and builds the native benchmark (cargo build --release --example bench_native). The workerd
# and Chromium runs (bench/runtimes.mjs) also need tests/pkg/node_modules and Chromium
# (scripts/setup.sh npm browser); without them they are reported as not run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mode="--quick"
for a in "$@"; do
    case "$a" in
    --quick | --full | --long) mode="$a" ;;
    -h | --help)
        sed -n '2,16p' "$0"
        exit 0
        ;;
    *)
        echo "bench/run.sh: unknown argument '$a' (use --quick, --full or --long)" >&2
        exit 2
        ;;
    esac
done

# The npm package (pkg/dist) for the workerd and Chromium runs, and with it the wasm module;
# the module alone where pkg/node_modules is missing (those runs are then reported as not run).
# Whether a build is missing or older than a source it is built from.
stale() {
    [[ ! -f "$1" || -n "${TESSERA_BENCH_REBUILD:-}" ]] ||
        [[ -n "$(find src crates Cargo.toml Cargo.lock -newer "$1" -print -quit)" ]]
}
if [[ -x pkg/node_modules/.bin/esbuild ]]; then
    if stale target/wasm/node/tessera_bg.wasm || stale pkg/dist/wasm/tessera_bg.wasm; then
        echo "bench: building the wasm module and the npm package (scripts/build-pkg.sh)"
        scripts/build-pkg.sh
    fi
elif stale target/wasm/node/tessera_bg.wasm; then
    echo "bench: building the wasm module (scripts/build-wasm.sh)"
    scripts/build-wasm.sh
fi
if [[ ! -d bench/node_modules/@cedar-policy/cedar-wasm ]]; then
    echo "bench: installing bench/node_modules (npm ci)"
    (cd bench && npm ci --no-audit --no-fund)
fi
echo "bench: building the native benchmark (cargo build --release --example bench_native)"
cargo build --release --example bench_native --quiet

exec node bench/run.mjs "$mode"
