import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";

// `npm test` builds dist/ with tsup before running the tests; this checks what npm users import.
const built = existsSync(new URL("../dist/mod.js", import.meta.url));

test("the npm build exports the same API and decides the same way", {
  skip: !built && "run `npm run build` first",
}, async () => {
  const dist = await import(new URL("../dist/mod.js", import.meta.url).href);
  const source = await import("../mod.ts");
  assert.deepEqual(Object.keys(dist).sort(), Object.keys(source).sort());
  const apply = dist.cacheHeaders({ timeouts: { "per-user": { 60: ["/account/*"] } } });
  const response = apply(new Request("https://x.example/account/1"), new Response("x"), {
    id: "a",
  });
  assert.equal(response.headers.get("cache-control"), "private, max-age=5");
  assert.equal(await response.text(), "x");
});

/** The files a built module loads, following its static imports between dist/ files. */
function builtImports(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(new URL(`../dist/${file}`, import.meta.url), "utf8");
    for (const [, specifier] of text.matchAll(/\b(?:import|from)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      if (specifier!.startsWith("./")) visit(specifier!.slice(2));
      else packages.add(specifier!);
    }
  };
  visit(entry);
  return { files, packages };
}

test("only the command line loads jiti: no other built entry imports it", {
  skip: !built && "run `npm run build` first",
}, () => {
  for (
    const entry of [
      "mod",
      "hono",
      "elysia",
      "node",
      "workers",
      "debug",
      "matrix",
      "generate",
      "audit",
      "purge",
    ]
  ) {
    const { packages } = builtImports(`${entry}.js`);
    assert.ok(!packages.has("jiti"), `dist/${entry}.js reaches jiti: ${[...packages].join(", ")}`);
  }
  assert.ok(builtImports("cli.js").packages.has("jiti"), "the walk finds jiti where it is");
});

/** The source files tsup bundled into a built entry and the chunks it imports, from its comments. */
function bundledSources(entry: string): string[] {
  const seen = new Set<string>();
  const sources = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(new URL(`../dist/${file}`, import.meta.url), "utf8");
    for (const [, source] of text.matchAll(/^\/\/ (src\/\S+\.ts)$/gm)) sources.add(source!);
    for (const [, chunk] of text.matchAll(/(?:from|import) ['"]\.\/([^'"]+\.js)['"]/g)) {
      visit(chunk!);
    }
  };
  visit(entry);
  return [...sources].sort();
}

test("the npm build's purge subpath bundles no decision code, and the main entry no purge code", {
  skip: !built && "run `npm run build` first",
}, async () => {
  const dist = await import(new URL("../dist/purge.js", import.meta.url).href);
  const source = await import("../src/purge/mod.ts");
  assert.deepEqual(Object.keys(dist).sort(), Object.keys(source).sort());
  const purge = bundledSources("purge.js");
  assert.ok(purge.includes("src/purge/akamai.ts"), purge.join(" "));
  assert.deepEqual(purge.filter((file) => !file.startsWith("src/purge/")), ["src/headers/tags.ts"]);
  const main = bundledSources("mod.js");
  assert.ok(main.includes("src/decide/order.ts"), main.join(" "));
  assert.deepEqual(main.filter((file) => file.startsWith("src/purge/")), []);
});
