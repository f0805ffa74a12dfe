#!/usr/bin/env bash
# The playground's browser tests: makes www/vendor/ current (building the wasm module with
# scripts/build-wasm.sh when it is missing or stale), installs tests/www's pinned npm packages
# if missing, then runs node --test on tests/www (headless Chromium through playwright-core).
# Screenshots: tests/artifacts/www/. Needs Node 20+ and Chromium (/usr/bin/chromium, or CHROMIUM).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

node www/build.mjs

if [[ ! -d tests/www/node_modules/playwright-core ]]; then
    (cd tests/www && npm ci --no-audit --no-fund)
fi

mapfile -t files < <(find tests/www -name node_modules -prune -o -name '*.test.mjs' -print | sort)
node --test --test-reporter=spec "${files[@]}"
