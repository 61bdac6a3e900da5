#!/usr/bin/env bash
# The whole suite, as CI runs it: static checks, the npm build, then every test under Deno, Bun
# and Node. Each runtime prints its own totals. Run with `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
export NO_COLOR=1

step() { printf '\n== %s\n' "$*"; }

step "deno fmt --check"
deno fmt --check
step "deno lint"
deno lint
step "deno check"
deno check mod.ts src/ tests/ examples/ bench/
step "deno publish --dry-run"
deno publish --dry-run --allow-dirty
step "npm build (tsup)"
tsup --silent
step "deno test (with JSDoc examples)"
deno test -A --doc mod.ts src/ tests/
step "bun test"
bun test tests/
step "node --test"
node --import tsx --test tests/*_test.ts
