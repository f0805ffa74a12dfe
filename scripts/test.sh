#!/usr/bin/env bash
# THE test command: everything CI checks, in order, stopping at the first failing stage.
#   setup -> fmt -> clippy (native, wasm32) -> native cargo test -> wasm tests in Node ->
#   wasm tests in headless Chromium -> release wasm build -> node --test tests/js ->
#   npm package (all runtimes): tests/pkg/run.mjs builds, packs and installs the package, then
#   runs it in Node ESM/CJS, Chromium, workerd, Deno, Bun, edge-runtime and behind nginx
# Ends with a summary of the stages and, as its last line, "N passed, M failed" counting the
# tests that the runners report (cargo's "test result:" lines, node's "# pass"/"# fail").
# Needs what scripts/setup.sh installs (it runs it first): root for apt when Chromium is missing.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$TESSERA_ROOT"

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Runner settings for the wasm stages only; native stages run with these removed.
WASM_ENV=(
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
    WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}"
)
NATIVE_UNSET=(-u CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER -u CARGO_BUILD_TARGET)

LOG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/tessera-test.XXXXXX")"
trap 'rm -rf "$LOG_DIR"' EXIT

STAGES=()   # "name|status|seconds|passed|failed"
TOTAL_PASSED=0
TOTAL_FAILED=0
START_ALL=$SECONDS

# Adds up the runners' own counts in a stage's log: prints "passed failed" (or nothing).
count_tests() {
    local log="$1"
    awk '
        # cargo test / wasm-bindgen-test-runner: "test result: ok. 4 passed; 0 failed; ..."
        /test result: / {
            for (i = 1; i <= NF; i++) {
                if ($i ~ /^passed;?$/) p += $(i - 1)
                if ($i ~ /^failed;?$/) f += $(i - 1)
            }
            seen = 1
        }
        # node --test: TAP "# pass 3" / "# fail 0", spec reporter "ℹ pass 3"
        /^(# |ℹ )pass [0-9]+$/ { p += $NF; seen = 1 }
        /^(# |ℹ )fail [0-9]+$/ { f += $NF; seen = 1 }
        END { if (seen) print p + 0, f + 0 }
    ' "$log"
}

summary() {
    local s name status secs p f
    say ""
    say "==================== tessera test summary ===================="
    for s in "${STAGES[@]}"; do
        IFS='|' read -r name status secs p f <<<"$s"
        if [[ -n "$p" ]]; then
            printf '  %-28s %-7s %5ss   %s passed, %s failed\n' "$name" "$status" "$secs" "$p" "$f"
        else
            printf '  %-28s %-7s %5ss\n' "$name" "$status" "$secs"
        fi
    done
    say "  total time: $((SECONDS - START_ALL))s"
    say "=============================================================="
}

# stage NAME COMMAND...: runs it, tees its output to a log, records time and test counts.
stage() {
    local name="$1"
    shift
    local log="$LOG_DIR/stage-${#STAGES[@]}.log" start=$SECONDS rc=0 counts p="" f=""
    say ""
    say "==> [$name] $*"
    "$@" 2>&1 | tee "$log" || rc=$?
    counts="$(count_tests "$log")"
    if [[ -n "$counts" ]]; then
        read -r p f <<<"$counts"
        TOTAL_PASSED=$((TOTAL_PASSED + p))
        TOTAL_FAILED=$((TOTAL_FAILED + f))
    fi
    if [[ $rc -ne 0 ]]; then
        STAGES+=("$name|FAILED|$((SECONDS - start))|$p|$f")
        # A stage that failed without a failing test (compile error, lint, crash) counts as one.
        [[ -n "$f" && "$f" -gt 0 ]] || TOTAL_FAILED=$((TOTAL_FAILED + 1))
        say ""
        say "FAILED stage [$name] (exit $rc): $*"
        summary
        say "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
        exit 1
    fi
    STAGES+=("$name|ok|$((SECONDS - start))|$p|$f")
}

run_js_tests() {
    local files
    mapfile -t files < <(find tests/js -name node_modules -prune -o -name '*.test.mjs' -print | sort)
    if [[ ${#files[@]} -eq 0 ]]; then
        say "no tests/js/**/*.test.mjs yet: nothing to run"
        return 0
    fi
    node --test --test-reporter=tap "${files[@]}"
}

CHROMEDRIVER_BIN=""
browser_tests() {
    env "${WASM_ENV[@]}" CHROMEDRIVER="$CHROMEDRIVER_BIN" \
        WASM_BINDGEN_TEST_WEBDRIVER_JSON="$TESSERA_ROOT/scripts/webdriver.json" \
        cargo test --target wasm32-unknown-unknown --test wasm_browser
}

stage "setup" "$TESSERA_ROOT/scripts/setup.sh"
CHROMEDRIVER_BIN="$(find_chromedriver)"
stage "cargo fmt --check" env "${NATIVE_UNSET[@]}" cargo fmt --all --check
stage "clippy (native)" env "${NATIVE_UNSET[@]}" cargo clippy --workspace --all-targets -- -D warnings
# wasm32: the library and the wasm test harnesses (the other tests and examples are native-only).
stage "clippy (wasm32)" env "${NATIVE_UNSET[@]}" cargo clippy --lib --test wasm_node --test wasm_browser --target wasm32-unknown-unknown -- -D warnings
stage "cargo test (native)" env "${NATIVE_UNSET[@]}" cargo test --workspace --all-targets
stage "cargo test --doc (native)" env "${NATIVE_UNSET[@]}" cargo test --doc
stage "wasm tests (Node)" env "${WASM_ENV[@]}" cargo test --target wasm32-unknown-unknown --test wasm_node
stage "wasm tests (Chromium)" browser_tests
stage "build-wasm" "$TESSERA_ROOT/scripts/build-wasm.sh"
stage "node --test tests/js" run_js_tests
stage "npm package (all runtimes)" node tests/pkg/run.mjs
stage "playground (Chromium)" "$TESSERA_ROOT/tests/www/run.sh"
# Not a timed test: it runs the harness on a small size and fails only if it breaks or the
# contenders disagree on a decision.
stage "benchmark (quick)" "$TESSERA_ROOT/bench/run.sh" --quick

summary
say "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
