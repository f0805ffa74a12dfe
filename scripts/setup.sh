#!/usr/bin/env bash
# Installs what building and testing tessera needs on a fresh machine, and nothing that is
# already there. Idempotent: a second run only checks (seconds). Prints one line per step.
#
#   scripts/setup.sh            every step
#   scripts/setup.sh rust npm   only those steps (rust = wasm target + wasm-bindgen-cli;
#                               npm = npm dependencies; browser = chromium + chromedriver;
#                               nginx = Debian's nginx, for the npm package's proxy test)
#
# Needs: rustup/cargo, node/npm, the package registries (Rust crates, npm, Debian apt); root for
# apt-get when Chromium is missing. Fails loudly when something cannot be installed.
# TESSERA_SETUP_DRY_RUN=1 only reports what it would install.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$TESSERA_ROOT"

DRY_RUN="${TESSERA_SETUP_DRY_RUN:-}"
on_exit() {
    local rc=$?
    [[ $rc -eq 0 ]] || printf 'setup: FAILED (exit %s)\n' "$rc" >&2
}
trap on_exit EXIT
# Directories with a package.json whose dependencies are installed (absent ones skipped).
NPM_DIRS=(tests/js tests/www pkg tests/pkg bench tools/wasm-opt)
export DEBIAN_FRONTEND=noninteractive

step() { printf 'setup: %-28s %s\n' "$1" "$2"; }
would() {
    step "$1" "MISSING: would install ($2) [dry run]"
}

want() {
    # With no arguments every step runs; otherwise only the named ones.
    [[ ${#STEPS[@]} -eq 0 ]] && return 0
    local s
    for s in "${STEPS[@]}"; do [[ "$s" == "$1" ]] && return 0; done
    return 1
}
STEPS=("$@")
for s in "${STEPS[@]}"; do
    case "$s" in rust | npm | browser | nginx) ;; *) die "unknown step '$s' (use: rust npm browser nginx)" ;; esac
done

# --- rust: the wasm target --------------------------------------------------------------
setup_wasm_target() {
    command -v rustup >/dev/null 2>&1 || die "rustup not found: install Rust with rustup first"
    if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        step "wasm32 target" "skipped (installed)"
    elif [[ -n "$DRY_RUN" ]]; then
        would "wasm32 target" "rustup target add wasm32-unknown-unknown"
    else
        rustup target add wasm32-unknown-unknown ||
            die "rustup target add wasm32-unknown-unknown failed"
        step "wasm32 target" "installed"
    fi
}

# --- rust: wasm-bindgen-cli at the crate's wasm-bindgen version -------------------------
setup_wasm_bindgen_cli() {
    local want have
    want="$(wasm_bindgen_version)"
    [[ -n "$want" ]] || die "cannot tell the wasm-bindgen version: not in Cargo.lock, no \"=x.y.z\" pin in Cargo.toml"
    have="$(installed_wasm_bindgen_version)"
    if [[ "$have" == "$want" ]] && command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
        step "wasm-bindgen-cli $want" "skipped (installed)"
        return
    fi
    if [[ -n "$DRY_RUN" ]]; then
        would "wasm-bindgen-cli $want" "found '${have:-none}'; cargo install wasm-bindgen-cli --version $want"
        return
    fi
    step "wasm-bindgen-cli $want" "installing (found '${have:-none}'; about 3 minutes on 2 cores)..."
    # No --locked: the CLI's lock file names a dependency version the registry no longer has.
    cargo install wasm-bindgen-cli --version "$want" ||
        die "cargo install wasm-bindgen-cli --version $want failed"
    have="$(installed_wasm_bindgen_version)"
    [[ "$have" == "$want" ]] ||
        die "installed wasm-bindgen-cli $want into $CARGO_BIN, but 'wasm-bindgen' on PATH ($(command -v wasm-bindgen || echo none)) reports '${have:-nothing}': fix PATH"
    command -v wasm-bindgen-test-runner >/dev/null 2>&1 ||
        die "wasm-bindgen-test-runner not on PATH after installing wasm-bindgen-cli"
    step "wasm-bindgen-cli $want" "installed"
}

# --- npm: dependencies of tests/js, pkg, bench, tools/wasm-opt --------------------------
npm_inputs_hash() {
    local f
    for f in "$1/package.json" "$1/package-lock.json"; do
        if [[ -f "$f" ]]; then cat "$f"; fi
    done | sha256sum | cut -d' ' -f1
}

setup_npm() {
    local dir stamp sum
    command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js 20 and npm"
    for dir in "${NPM_DIRS[@]}"; do
        if [[ ! -f "$dir/package.json" ]]; then
            step "npm $dir" "skipped (no package.json)"
            continue
        fi
        # Skip when node_modules was installed from exactly this package.json + lock.
        sum="$(npm_inputs_hash "$dir")"
        stamp="$dir/node_modules/.tessera-setup-stamp"
        if [[ -f "$stamp" && "$(cat "$stamp")" == "$sum" ]]; then
            step "npm $dir" "skipped (node_modules up to date)"
            continue
        fi
        if [[ -n "$DRY_RUN" ]]; then
            would "npm $dir" "npm ci / npm install"
            continue
        fi
        if [[ -f "$dir/package-lock.json" ]]; then
            (cd "$dir" && npm ci --no-audit --no-fund) || die "npm ci in $dir failed"
        else
            (cd "$dir" && npm install --no-audit --no-fund) || die "npm install in $dir failed"
            sum="$(npm_inputs_hash "$dir")"
        fi
        printf '%s' "$sum" >"$stamp"
        step "npm $dir" "installed"
    done
}

# --- browser: Debian chromium + chromium-driver -----------------------------------------
APT_UPDATED=""
apt_install() {
    if [[ -z "$APT_UPDATED" ]]; then
        apt-get update -q || die "apt-get update failed"
        APT_UPDATED=1
    fi
    apt-get install -y -q "$@" || die "apt-get install $* failed"
}

setup_browser() {
    local missing=()
    [[ -n "$(find_chromium)" ]] || missing+=(chromium)
    [[ -n "$(find_chromedriver)" ]] || missing+=(chromium-driver)
    if [[ ${#missing[@]} -eq 0 ]]; then
        step "chromium + chromedriver" "skipped (installed: $(find_chromium), $(find_chromedriver))"
        return
    fi
    if [[ -n "$DRY_RUN" ]]; then
        would "chromium + chromedriver" "apt-get install ${missing[*]}"
        return
    fi
    if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        die "missing ${missing[*]}: run as root on Debian (apt-get install chromium chromium-driver), or install them and put them on PATH"
    fi
    step "chromium + chromedriver" "installing ${missing[*]} with apt-get (about a minute)..."
    # Both, so the driver's version matches the browser's.
    apt_install chromium chromium-driver
    [[ -n "$(find_chromium)" && -n "$(find_chromedriver)" ]] ||
        die "apt-get installed chromium and chromium-driver, but they are not on PATH"
    step "chromium + chromedriver" "installed"
}

# --- nginx: Debian's nginx (auth_request), for tests/pkg/nginx.test.mjs -------------------
find_nginx() {
    local c
    for c in /usr/sbin/nginx /usr/bin/nginx; do
        if [[ -x "$c" ]]; then
            printf '%s' "$c"
            return 0
        fi
    done
    command -v nginx 2>/dev/null || true
}

setup_nginx() {
    if [[ -n "$(find_nginx)" ]]; then
        step "nginx" "skipped (installed: $(find_nginx))"
        return
    fi
    if [[ -n "$DRY_RUN" ]]; then
        would "nginx" "apt-get install nginx"
        return
    fi
    if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        die "missing nginx: run as root on Debian (apt-get install nginx), or install it"
    fi
    step "nginx" "installing with apt-get (the tests start their own, on loopback)..."
    # The package must not start its default server (port 80): the tests run nginx themselves.
    local made_policy=""
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        made_policy=1
    fi
    local rc=0
    (apt_install nginx) || rc=$?
    [[ -z "$made_policy" ]] || rm -f /usr/sbin/policy-rc.d
    [[ $rc -eq 0 ]] || die "apt-get install nginx failed"
    [[ -n "$(find_nginx)" ]] || die "apt-get installed nginx, but no nginx binary was found"
    step "nginx" "installed"
}

if want rust; then
    setup_wasm_target
    setup_wasm_bindgen_cli
fi
want npm && setup_npm
want browser && setup_browser
want nginx && setup_nginx
if [[ -n "$DRY_RUN" ]]; then step "done" "dry run: nothing installed"; else step "done" "all present"; fi
