#!/usr/bin/env bash
# Builds the npm package in pkg/ (generated files are not committed; pkg/.gitignore):
#   pkg/dist/wasm/tessera.js, tessera_bg.wasm, tessera.d.ts   wasm-bindgen --target web + wasm-opt, once: the
#                                                            one .wasm every entry point shares
#   pkg/dist/cjs/index.cjs, node.cjs                         the CommonJS build (esbuild), loading
#                                                            that same .wasm
#   pkg/README.md                                            a copy of docs/npm.md
# then prints the sizes. Needs what scripts/setup.sh installs (rust, npm steps).
#   scripts/build-pkg.sh [--pack DIR]   also `npm pack` into DIR and print the tarball's size
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$TESSERA_ROOT"

pack_dir=""
if [[ "${1:-}" == "--pack" ]]; then
    pack_dir="${2:?--pack needs a directory}"
fi

[[ -x pkg/node_modules/.bin/esbuild ]] || die "pkg/node_modules is missing: run scripts/setup.sh npm"

# The release wasm (cargo) and a check that it loads; prints its size.
scripts/build-wasm.sh >/dev/null

target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
wasm="$target_dir/wasm32-unknown-unknown/release/tessera.wasm"

rm -rf pkg/dist
# --experimental-reset-state-function: after a trap (panic = "abort") the JS layer
# re-instantiates the module and reloads the last good bundle (pkg/src/engine.js).
# Names kept for wasm-opt, which strips them (the same module as build-wasm.sh's: its cached
# optimized copy is reused).
wasm-bindgen "$wasm" --out-dir pkg/dist/wasm --target web --experimental-reset-state-function \
    --remove-producers-section
optimize_wasm pkg/dist/wasm/tessera_bg.wasm pkg/dist/wasm/tessera_bg.wasm "$target_dir/wasm/opt-cache"
rm -f pkg/dist/wasm/tessera_bg.wasm.d.ts
node scripts/patch-glue.mjs pkg/dist/wasm/tessera.js

esbuild=pkg/node_modules/.bin/esbuild
# Node's ESM entry as one file: a graph of a dozen modules took Node about 4 ms more to import
# (the cold start in docs/performance.md). Its `import.meta.url` finds the .wasm at the same
# relative path as src/entry/ does.
"$esbuild" pkg/src/entry/node.js --bundle --platform=node --format=esm --target=node20 \
    --log-level=warning --outfile=pkg/dist/esm/node.js
"$esbuild" pkg/src/entry/node-cjs.js --bundle --platform=node --format=cjs --target=node20 \
    --log-level=warning --log-override:empty-import-meta=silent --outfile=pkg/dist/cjs/index.cjs
"$esbuild" pkg/src/node.js --bundle --platform=node --format=cjs --target=node20 \
    --log-level=warning --outfile=pkg/dist/cjs/node.cjs
printf '{"type":"commonjs"}\n' >pkg/dist/cjs/package.json
# The same declarations for CommonJS consumers (TypeScript reads .d.cts as CommonJS).
cp pkg/types/index.d.ts pkg/dist/cjs/index.d.cts
sed "s|from './index.js'|from './index.cjs'|" pkg/types/node.d.ts >pkg/dist/cjs/node.d.cts

cp docs/npm.md pkg/README.md

# Smoke check: both Node entries load and decide.
(cd pkg && node --input-type=module -e "
import { Engine, Tessera } from './src/entry/node.js';
if (typeof Engine !== 'function' || typeof Tessera !== 'function') throw new Error('ESM entry exports nothing');
const bundled = await import('./dist/esm/node.js');
if (typeof bundled.Engine !== 'function' || typeof bundled.Tessera !== 'function') throw new Error('bundled ESM entry exports nothing');
" && node -e "
const t = require('./dist/cjs/index.cjs');
if (typeof t.Engine !== 'function' || typeof t.Tessera !== 'function') throw new Error('CJS entry exports nothing');
") || die "the package's Node entries do not load"

bg="pkg/dist/wasm/tessera_bg.wasm"
printf 'pkg: tessera_bg.wasm %d bytes raw, %d bytes gzip -9\n' "$(wc -c <"$bg")" "$(gzip -9 -c "$bg" | wc -c)"
printf 'pkg: glue tessera.js %d bytes, dist/cjs/index.cjs %d bytes\n' \
    "$(wc -c <pkg/dist/wasm/tessera.js)" "$(wc -c <pkg/dist/cjs/index.cjs)"

if [[ -n "$pack_dir" ]]; then
    mkdir -p "$pack_dir"
    tarball="$(cd pkg && npm pack --silent --pack-destination "$pack_dir" | tail -n1)"
    printf 'pkg: %s %d bytes\n' "$tarball" "$(wc -c <"$pack_dir/$tarball")"
fi
