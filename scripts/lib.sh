# Shared helpers for scripts/*.sh. Source it; it sets no shell options of its own.
# shellcheck shell=bash

# The repository root, whatever the caller's working directory.
TESSERA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export TESSERA_ROOT

# cargo-installed tools (wasm-bindgen) live here (cargo install honours CARGO_INSTALL_ROOT); a
# fresh rustup install may not have it on PATH in a non-login shell.
CARGO_BIN="${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin"
case ":$PATH:" in
*":$CARGO_BIN:"*) ;;
*) export PATH="$CARGO_BIN:$PATH" ;;
esac

say() { printf '%s\n' "$*"; }
die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

# The wasm-bindgen version the crate builds with: Cargo.lock first, Cargo.toml's "=x.y.z" pin
# otherwise. Prints nothing if neither names one.
wasm_bindgen_version() {
    local v=""
    if [[ -f "$TESSERA_ROOT/Cargo.lock" ]]; then
        v="$(awk '
            /^\[\[package\]\]/ { name = "" }
            /^name = / { name = $3; gsub(/"/, "", name) }
            /^version = / && name == "wasm-bindgen" { v = $3; gsub(/"/, "", v); print v; exit }
        ' "$TESSERA_ROOT/Cargo.lock")"
    fi
    if [[ -z "$v" && -f "$TESSERA_ROOT/Cargo.toml" ]]; then
        v="$(sed -n -E 's/^[[:space:]]*wasm-bindgen[[:space:]]*=[[:space:]]*(\{[^}]*version[[:space:]]*=[[:space:]]*)?"=?([0-9]+\.[0-9]+\.[0-9]+)".*/\2/p' \
            "$TESSERA_ROOT/Cargo.toml" | head -n1)"
    fi
    printf '%s' "$v"
}

# The version `wasm-bindgen --version` reports, or nothing if it is not on PATH.
installed_wasm_bindgen_version() {
    command -v wasm-bindgen >/dev/null 2>&1 || return 0
    wasm-bindgen --version 2>/dev/null | awk '{ print $2; exit }'
}

# The Chromium WebDriver binary, if any.
find_chromedriver() {
    # CHROMEDRIVER (the runner's own variable) wins; Debian's chromium-driver is /usr/bin/chromedriver.
    if [[ -n "${CHROMEDRIVER:-}" && -x "${CHROMEDRIVER}" ]]; then
        printf '%s' "$CHROMEDRIVER"
    else
        command -v chromedriver 2>/dev/null || true
    fi
}

# The Chromium browser binary, if any.
find_chromium() {
    local c
    for c in chromium chromium-browser google-chrome; do
        if command -v "$c" >/dev/null 2>&1; then
            command -v "$c"
            return 0
        fi
    done
    return 0
}

# --- wasm-opt: Binaryen's optimizer, pinned by tools/wasm-opt/package-lock.json ----------------
# The npm package (a JavaScript build, the same on every machine). Debian's binaryen is not used:
# its version 108 corrupts the module's externref table export.
WASM_OPT_VERSION=132
WASM_OPT_DIR="$TESSERA_ROOT/tools/wasm-opt"
WASM_OPT="$WASM_OPT_DIR/node_modules/.bin/wasm-opt"
# -Os with one-caller inlining capped at 20 instructions: inlining large single-caller functions
# makes the module smaller raw but larger gzipped. Functions sorted by name keep each crate's
# code together, which gzip's 32 KB window rewards. `--converge` repeats the passes until the
# module stops shrinking (250 bytes gzipped, five seconds more; decisions as fast by
# bench/ab.mjs). Then names, producers and the feature list are dropped. Features are read from
# the module's target_features section.
WASM_OPT_FLAGS=(-Os -ocimfs=20 --reorder-functions-by-name --converge --strip-debug --strip-producers --strip-target-features)

# The version the installed wasm-opt reports, or nothing if it is not installed.
installed_wasm_opt_version() {
    [[ -x "$WASM_OPT" ]] || return 0
    "$WASM_OPT" --version 2>/dev/null | awk '{ print $3; exit }'
}

# Installs tools/wasm-opt's pinned package when it is missing or another version.
ensure_wasm_opt() {
    [[ "$(installed_wasm_opt_version)" == "$WASM_OPT_VERSION" ]] && return 0
    command -v npm >/dev/null 2>&1 || die "npm not found: wasm-opt comes from tools/wasm-opt (npm ci)"
    (cd "$WASM_OPT_DIR" && npm ci --no-audit --no-fund >&2) || die "npm ci in tools/wasm-opt failed"
    [[ "$(installed_wasm_opt_version)" == "$WASM_OPT_VERSION" ]] ||
        die "tools/wasm-opt installed wasm-opt '$(installed_wasm_opt_version)', want $WASM_OPT_VERSION"
}

# optimize_wasm IN OUT CACHE_DIR: writes IN (a wasm-bindgen output, names kept) optimized to
# OUT. The result is kept in CACHE_DIR under a hash of IN and the flags, so the same module
# (the npm package's wasm-bindgen run gives the same bytes) is optimized once (~15 s).
optimize_wasm() {
    local in="$1" out="$2" cache="$3" key
    ensure_wasm_opt
    key="$({
        cat "$in"
        printf '%s\n' "$WASM_OPT_VERSION" "${WASM_OPT_FLAGS[@]}"
    } | sha256sum | cut -c1-32)"
    mkdir -p "$cache"
    if [[ ! -f "$cache/$key.wasm" ]]; then
        "$WASM_OPT" "$in" "${WASM_OPT_FLAGS[@]}" -o "$cache/$key.tmp" ||
            die "wasm-opt failed on $in"
        mv "$cache/$key.tmp" "$cache/$key.wasm"
        # Keep the four newest results.
        find "$cache" -name '*.wasm' -printf '%T@ %p\n' | sort -rn | tail -n +5 | cut -d' ' -f2- |
            xargs -r rm -f
    else
        touch "$cache/$key.wasm"
    fi
    cp "$cache/$key.wasm" "$out"
}
