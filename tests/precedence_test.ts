import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { cacheHeaders, type Timeouts } from "../mod.ts";
import { ANN, request } from "./_helpers.ts";

/** The policy that decides a path, or "none". */
function policyFor(timeouts: Timeouts, path: string, url = "https://shop.example"): string {
  const apply = cacheHeaders({ timeouts });
  return apply.explain(new Request(url + path), new Response("x"), ANN).rule?.policy ?? "none";
}

describe("the most specific rule decides", () => {
  test("a per-user area inside an all-users area", () => {
    const timeouts = {
      "all-users": { "1h": ["/static/*"] },
      "per-user": { 60: ["/static/mine/*"] },
    };
    assert.equal(policyFor(timeouts, "/static/app.css"), "all-users");
    assert.equal(policyFor(timeouts, "/static/mine/avatar.png"), "per-user");
  });

  test("an all-users page inside a per-user area", () => {
    const timeouts = {
      "per-user": { 60: ["/account/*"] },
      "all-users": { "1h": ["/account/help"] },
    };
    assert.equal(policyFor(timeouts, "/account/orders"), "per-user");
    assert.equal(policyFor(timeouts, "/account/help"), "all-users");
  });

  const EXAMPLES: readonly [string, string, string][] = [
    // [more specific, less specific, a path both match]
    ["/products/:id", "/products/*", "/products/7"],
    ["/products/:id(\\d+)", "/products/:id", "/products/7"],
    ["/static/*", "/*.css", "/static/site.css"],
    ["/account/*", "/*.css", "/account/x.css"],
    ["/a/b/:y", "/a/:x/c", "/a/b/c"],
    ["/blog/:slug", "/blog/*", "/blog/hello"],
    ["/docs/*", "/*", "/docs/x"],
    ["/about", "/:page", "/about"],
    ["/files/:name.pdf", "/files/:name", "/files/report.pdf"],
  ];
  for (const [specific, general, path] of EXAMPLES) {
    test(`${specific} beats ${general} for ${path}`, () => {
      for (
        const timeouts of [
          { "per-user": { 60: [specific] }, "all-users": { 60: [general] } },
          { "all-users": { 60: [general] }, "per-user": { 60: [specific] } },
        ]
      ) {
        assert.equal(policyFor(timeouts, path), "per-user");
      }
    });
  }

  test("a rule with a hostname beats one without", () => {
    const timeouts: Timeouts = {
      "all-users": { 60: ["/*"] },
      "per-user": { 60: [{ hostname: "admin.shop.example", pathname: "/*" }] },
    };
    assert.equal(policyFor(timeouts, "/about"), "all-users");
    assert.equal(policyFor(timeouts, "/about", "https://admin.shop.example"), "per-user");
  });

  test("URLPattern objects and URLPatternInit objects take part like strings", () => {
    const URLPatternClass = (globalThis as { URLPattern?: typeof URLPattern }).URLPattern;
    const patterns = [
      { search: "preview=*", pathname: "/news/*" },
      ...(URLPatternClass ? [new URLPatternClass({ pathname: "/news/live" })] : []),
    ];
    const timeouts: Timeouts = {
      "anonymous-only": { 60: ["/news/*"] },
      "per-user": { 60: patterns },
    };
    assert.equal(policyFor(timeouts, "/news/x"), "anonymous-only");
    assert.equal(policyFor(timeouts, "/news/x?preview=1"), "per-user");
    if (URLPatternClass) assert.equal(policyFor(timeouts, "/news/live"), "per-user");
  });
});

describe("the decision does not depend on declaration order", () => {
  const PATTERNS = [
    "/",
    "/*",
    "/a",
    "/a/*",
    "/a/:id",
    "/a/:id(\\d+)",
    "/a/b",
    "/a/b/*",
    "/*.css",
    "/a/:id.css",
    "{/a}?/x",
    "/:x/b",
  ];
  const POLICIES = ["all-users", "anonymous-only", "anonymous-and-authenticated", "per-user"];
  const PATHS = ["/", "/a", "/a/1", "/a/b", "/a/b/c", "/a/x.css", "/x", "/a/x", "/q/b", "/s.css"];

  test("shuffling the rules never changes which rule decides (fast-check)", () => {
    const rule = fc.record({
      pattern: fc.constantFrom(...PATTERNS),
      policy: fc.constantFrom(...POLICIES),
    });
    const rules = fc.uniqueArray(rule, { selector: (r) => r.pattern, minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(rules, fc.func(fc.integer()), (declared, key) => {
        const shuffled = [...declared].sort((a, b) => key(a.pattern) - key(b.pattern));
        const [first, second] = [declared, shuffled].map((list) => {
          const timeouts: Record<string, Record<string, string[]>> = {};
          for (const { pattern, policy } of list) {
            ((timeouts[policy] ??= {})["60"] ??= []).push(pattern);
          }
          return cacheHeaders({ timeouts });
        });
        for (const path of PATHS) {
          const a = first!.explain(request(path), new Response("x")).rule;
          const b = second!.explain(request(path), new Response("x")).rule;
          assert.equal(a?.pattern, b?.pattern, path);
          assert.equal(a?.policy, b?.policy, path);
        }
      }),
      { numRuns: 300 },
    );
  });
});
