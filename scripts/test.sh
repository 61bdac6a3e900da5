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
deno check mod.ts cli.ts src/ tests/ examples/ bench/
step "deno doc --lint (JSDoc on every export)"
deno doc --lint mod.ts src/adapters/{hono,elysia,node,workers,debug,matrix}.ts src/generate/mod.ts src/audit/mod.ts src/purge/mod.ts 2>&1 | grep -v -e "^Warning Failed resolving types" -e "@types/node/index.d.ts" || true
deno doc --lint mod.ts src/adapters/{hono,elysia,node,workers,debug,matrix}.ts src/generate/mod.ts src/audit/mod.ts src/purge/mod.ts >/dev/null 2>&1
step "deno publish --dry-run"
deno publish --dry-run --allow-dirty
step "manifests: deno.json and package.json agree"
node scripts/check_manifests.mjs
step "npm build (tsup), publint, arethetypeswrong"
tsup --silent
publint --strict
attw --pack . --profile esm-only --format ascii
step "packed artifacts: npm tarball under Node and Bun, JSR file set under Deno"
bash scripts/smoke_packages.sh
step "deno test (with JSDoc examples)"
deno test -A --doc mod.ts src/ tests/
step "bun test"
bun test --timeout 60000 tests/
step "node --test"
node --import tsx --test tests/*_test.ts
