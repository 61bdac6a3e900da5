#!/usr/bin/env bash
# What users install is what we test: the npm tarball installed into a scratch project and
# imported under Node (polyfilled URLPattern), Bun and Deno (native); its declarations compiled
# for a Node 20 project; the README's paths followed literally there (scripts/smoke_readme.ts);
# and the JSR file set imported under Deno, with its bare specifiers rewritten to npm: as JSR does
# at publish time. Prints one `ok` line per check; expects dist/ built (npm test builds it first).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$root/node_modules/.bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

smoke='
import { cacheHeaders } from "SPECIFIER";
const apply = cacheHeaders({ timeouts: { "per-user": { 60: ["/account/*"] }, "all-users": { "1h": ["/static/*"] } } });
const mine = apply(new Request("https://x.example/account/1"), new Response("x"), { id: "a" });
const shared = apply(new Request("https://x.example/static/a.css"), new Response("x"));
const got = [mine.headers.get("cache-control"), shared.headers.get("cache-control")].join(" | ");
if (got !== "private, max-age=5 | max-age=5, s-maxage=3600") throw new Error("unexpected: " + got);
console.log("ok " + got + " (URLPattern " + (typeof globalThis.URLPattern === "function" ? "native" : "polyfilled") + ")");
'

# npm: the tarball, installed into an empty directory as the README says (npm writes the
# package.json).
tarball=$(npm pack --silent --ignore-scripts --pack-destination "$work")
project="$work/my-app"
mkdir "$project"
(cd "$project" && npm install --silent --no-audit --no-fund --prefer-offline "$work/$tarball")
echo "${smoke/SPECIFIER/cachewise}" >"$project/smoke.mjs"
for runtime in "node" "bun" "deno run"; do
  printf '%s: ' "$runtime"
  (cd "$project" && $runtime smoke.mjs) | sed 's/^ok /ok npm tarball, /'
done | sed -E 's/^([a-z ]+): ok (.*)$/ok \2 under \1/'
(cd "$project" && npx --no-install cachewise --help | head -1 | grep -q '^Usage:')
echo "ok npx cachewise --help"
(cd "$project" && node --input-type=module -e '
  const cli = await import("cachewise/cli");
  if (typeof cli.run !== "function" || process.exitCode) process.exit(1);')
echo "ok import \"cachewise/cli\" under Node runs nothing and exports run()"

# The README, followed literally in that project.
node --import tsx scripts/smoke_readme.ts "$project"

# The declarations, for a Node 20 project (ESM, as the package is): @types/node@20, no DOM
# library, skipLibCheck false, every subpath imported.
(cd "$project" && npm pkg set type=module)
mkdir -p "$project/node_modules/@types"
ln -s "$root/node_modules/@types/node" "$project/node_modules/@types/node"
node -e '
  const subpaths = Object.keys(require(process.argv[1]).exports);
  const lines = subpaths.map((path, i) =>
    `import * as m${i} from "cachewise${path.slice(1)}";`);
  lines.push(`export const all = [${subpaths.map((_, i) => `m${i}`).join(", ")}];`);
  // Patterns as a Node 20 user writes them: a string, a URLPatternInit, the polyfill URLPattern.
  lines.push(`import { URLPattern } from "urlpattern-polyfill";`);
  lines.push(`export const patterns: m0.RulePattern[] = ["/a", { pathname: "/b" }, new URLPattern({ pathname: "/c" })];`);
  require("fs").writeFileSync(process.argv[2], lines.join("\n") + "\n");
' "$root/package.json" "$project/types.ts"
cat >"$project/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "target": "es2022",
    "lib": ["es2023"],
    "module": "node16",
    "moduleResolution": "node16",
    "types": ["node"],
    "strict": true,
    "skipLibCheck": false,
    "noEmit": true
  },
  "files": ["types.ts"]
}
JSON
(cd "$project" && tsc -p .)
echo "ok tsc: every subpath's declarations compile with @types/node@$(node -p "require('$root/node_modules/@types/node/package.json').version"), skipLibCheck false"

# jsr: the published file set under Deno.
mkdir "$work/jsr"
deno publish --dry-run --allow-dirty 2>&1 | sed -n 's#^ *file://'"$root"'/\([^ ]*\) (.*#\1#p' |
  while read -r file; do mkdir -p "$work/jsr/$(dirname "$file")"; cp "$file" "$work/jsr/$file"; done
npm_range() { node -p "require('./package.json').dependencies['$1']"; }
sed -i "s#\"urlpattern-polyfill/urlpattern\"#\"npm:urlpattern-polyfill@$(npm_range urlpattern-polyfill)/urlpattern\"#" "$work/jsr/src/match/url_pattern.ts"
sed -i "s#from \"jiti\"#from \"npm:jiti@$(npm_range jiti)\"#" "$work/jsr/src/cli/load_config.ts"
rm -f "$work/jsr/deno.json"
echo "${smoke/SPECIFIER/./jsr/mod.ts}" >"$work/smoke_jsr.ts"
(cd "$work" && deno run --no-lock --cached-only smoke_jsr.ts) | sed 's/^ok /ok JSR file set, /; s/$/ under deno/'
# Its command line, loading the README's TypeScript config with jiti (fetched from npm if Deno's
# cache lacks it).
(cd "$project" && deno run --quiet --no-lock -A "$work/jsr/cli.ts" check --strict >/dev/null)
echo "ok JSR file set: deno run -A cli.ts check --strict loads cachewise.config.ts"
