#!/usr/bin/env bash
# What users install is what we test: the npm tarball installed into a scratch project and
# imported under Node (polyfilled URLPattern) and Bun (native); the JSR file set imported under
# Deno, with its bare specifiers rewritten to npm: as JSR does at publish time.
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
console.log("  ok: " + got + " (URLPattern " + (typeof globalThis.URLPattern === "function" ? "native" : "polyfilled") + ")");
'

echo "npm: pack and install into a scratch project"
tarball=$(npm pack --silent --pack-destination "$work")
mkdir "$work/npm-project"
(cd "$work/npm-project" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund "$work/$tarball")
echo "${smoke/SPECIFIER/cachewise}" > "$work/npm-project/smoke.mjs"
echo "- node $(node --version)"
(cd "$work/npm-project" && node smoke.mjs)
echo "- bun $(bun --version)"
(cd "$work/npm-project" && bun smoke.mjs)
echo "- the bin: npx cachewise --help"
(cd "$work/npm-project" && npx --no-install cachewise --help | head -1 | sed 's/^/  /')

echo "jsr: the published file set under Deno"
mkdir "$work/jsr"
deno publish --dry-run --allow-dirty 2>&1 | sed -n 's#^ *file://'"$root"'/\([^ ]*\) (.*#\1#p' |
  while read -r file; do mkdir -p "$work/jsr/$(dirname "$file")"; cp "$file" "$work/jsr/$file"; done
range=$(node -p 'require("./package.json").dependencies["urlpattern-polyfill"]')
sed -i "s#\"urlpattern-polyfill/urlpattern\"#\"npm:urlpattern-polyfill@$range/urlpattern\"#" "$work/jsr/src/match/url_pattern.ts"
rm -f "$work/jsr/deno.json"
echo "${smoke/SPECIFIER/./jsr/mod.ts}" > "$work/smoke_jsr.ts"
echo "- deno $(deno --version | head -1 | cut -d' ' -f2)"
(cd "$work" && deno run --no-lock --cached-only smoke_jsr.ts)
