#!/usr/bin/env bash
# Builds the release wasm module and its JavaScript bindings:
#   target/wasm/node/  wasm-bindgen --target nodejs  (require/import from Node)
#   target/wasm/web/   wasm-bindgen --target web     (initSync({ module }) in workerd, Deno, Bun, browsers)
# Both get the same tessera_bg.wasm, shrunk by Binaryen's wasm-opt (tools/wasm-opt, installed
# here with npm ci when missing; flags in scripts/lib.sh). Then checks both load in Node and
# prints the module's raw and gzip size.
# Needs the wasm32 target and a wasm-bindgen CLI matching Cargo.lock: scripts/setup.sh rust.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$TESSERA_ROOT"

want="$(wasm_bindgen_version)"
have="$(installed_wasm_bindgen_version)"
[[ -n "$have" ]] || die "wasm-bindgen not on PATH: run scripts/setup.sh rust"
[[ "$have" == "$want" ]] || die "wasm-bindgen on PATH is $have but Cargo.lock has $want: run scripts/setup.sh rust"

# The native-only runner must not apply to this build (it is harmless, but keep builds plain).
unset CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER

# .cargo/config.toml sets this build's rustflags (sha2's rolled rounds); a RUSTFLAGS variable
# would replace them (the module still works, about 3 KB larger).
if [[ -n "${RUSTFLAGS:-}${CARGO_ENCODED_RUSTFLAGS:-}" ]]; then
    say "note: RUSTFLAGS is set, so .cargo/config.toml's wasm rustflags do not apply"
fi
# Panic locations name the source files of dependencies: their paths in this machine's cargo
# registry are mapped to the crates' own (`p256-0.13.2/src/...`), so that the module names no
# path of the machine that built it and its bytes do not depend on where the registry lies.
# (`--config` adds to .cargo/config.toml's rustflags, where a RUSTFLAGS variable would replace
# them.)
remaps=()
for registry in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
    [[ -d "$registry" ]] && remaps+=("'--remap-path-prefix=$registry='")
done
rustflags="$(IFS=,; echo "${remaps[*]}")"
cargo build --release --lib --target wasm32-unknown-unknown \
    --config "target.wasm32-unknown-unknown.rustflags=[$rustflags]"

target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
wasm="$target_dir/wasm32-unknown-unknown/release/tessera.wasm"
[[ -f "$wasm" ]] || die "$wasm was not built"

rm -rf "$target_dir/wasm/node" "$target_dir/wasm/web"
# Names stay in for wasm-opt (it sorts functions by name), which then strips them.
wasm-bindgen "$wasm" --out-dir "$target_dir/wasm/node" --target nodejs --remove-producers-section
wasm-bindgen "$wasm" --out-dir "$target_dir/wasm/web" --target web --remove-producers-section
for dir in web node; do
    optimize_wasm "$target_dir/wasm/$dir/tessera_bg.wasm" "$target_dir/wasm/$dir/tessera_bg.wasm" \
        "$target_dir/wasm/opt-cache"
done
# The glue's string copy, sped up (see the script).
node scripts/patch-glue.mjs "$target_dir/wasm/node/tessera.js" "$target_dir/wasm/web/tessera.js"

# Smoke check: both outputs instantiate in Node (catches a broken module before any test).
node -e "require(process.argv[1])" "$target_dir/wasm/node/tessera.js" ||
    die "target/wasm/node/tessera.js does not load in Node"
node --input-type=module -e "
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const dir = process.argv[1];
const m = await import(pathToFileURL(dir + '/tessera.js'));
m.initSync({ module: readFileSync(dir + '/tessera_bg.wasm') });
" "$target_dir/wasm/web" || die "target/wasm/web/tessera.js does not load with initSync"

raw=$(wc -c <"$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
bg_raw=$(wc -c <"$target_dir/wasm/web/tessera_bg.wasm")
bg_gz=$(gzip -9 -c "$target_dir/wasm/web/tessera_bg.wasm" | wc -c)
printf 'wasm size: %s: %d bytes raw, %d bytes gzip -9\n' "${wasm#"$TESSERA_ROOT"/}" "$raw" "$gz"
printf 'wasm size: after wasm-bindgen and wasm-opt (tessera_bg.wasm): %d bytes raw, %d bytes gzip -9\n' "$bg_raw" "$bg_gz"
say "wasm bindings: ${target_dir#"$TESSERA_ROOT"/}/wasm/node (nodejs), ${target_dir#"$TESSERA_ROOT"/}/wasm/web (web)"
