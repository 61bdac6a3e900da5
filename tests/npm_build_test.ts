import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";

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
