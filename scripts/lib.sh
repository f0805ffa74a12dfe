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
