/**
 * The ordered rules form and its settings (issue 6): each option with the headers it produces,
 * the targets, cache tags and statuses, and the consistency rules refused at construction.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CacheConfigError, cacheHeaders, type CacheHeadersOptions, type Policy } from "../mod.ts";
import { TARGETS } from "./_cache_models.ts";

const ORIGIN = "https://shop.example";
const ANN = { id: "ann" };

function headersOf(
  options: CacheHeadersOptions,
  path: string,
  init: { status?: number; identity?: { id: string } | null; request?: RequestInit } = {},
): Record<string, string> {
  const apply = cacheHeaders(options);
  const response = apply(
    new Request(ORIGIN + path, init.request),
    new Response("body", { status: init.status ?? 200 }),
    init.identity ?? null,
  );
  const headers = Object.fromEntries(response.headers);
  delete headers["content-type"];
  return headers;
}

function problemsOf(options: unknown): string[] {
  try {
    cacheHeaders(options as CacheHeadersOptions);
  } catch (error) {
    assert.ok(error instanceof CacheConfigError, String(error));
    return error.problems.map((p) => `${p.code} ${p.path}: ${p.message}`);
  }
  assert.fail("expected a CacheConfigError");
}

const ALL_TARGETS: CacheHeadersOptions["targets"] = TARGETS;

describe("the ordered rules form", () => {
  test("compiles to the same headers as timeouts", () => {
    const timeouts = headersOf(
      { timeouts: { "per-user": { 60: ["/account/*"] } } },
      "/account/x",
    );
    const rules = headersOf(
      { rules: [{ pattern: "/account/*", policy: "per-user", ttl: "1m" }] },
      "/account/x",
    );
    assert.deepEqual(rules, timeouts);
    assert.deepEqual(rules, {
      "cache-control": "max-age=5, s-maxage=60",
      "vary": "Cookie, Authorization",
      "x-accel-expires": "60",
    });
  });

  test("patterns share every setting; the explanation names the rule's path", () => {
    const apply = cacheHeaders({
      rules: [{ patterns: ["/a", "/b/*"], policy: "all-users", ttl: 30 }],
    });
    const decision = apply.explain(new Request(`${ORIGIN}/b/x`), new Response(""));
    assert.deepEqual(decision.rule, {
      policy: "all-users",
      lifetime: 30,
      pattern: '"/b/*"',
      path: "rules[0].patterns[1]",
    });
  });

  test("is ranked with timeouts by specificity; ties go to the rule declared first", () => {
    const options: CacheHeadersOptions = {
      timeouts: { "all-users": { 60: ["/a/*"] } },
      rules: [
        { pattern: "/a/:id", policy: "per-user", ttl: 10 },
        { pattern: "/b/:x", policy: "all-users", ttl: 20 },
        { pattern: "/b/:y", policy: "all-users", ttl: 20 },
      ],
    };
    assert.equal(headersOf(options, "/a/1")["cache-control"], "max-age=5, s-maxage=10");
    assert.equal(headersOf(options, "/a/1/2")["cache-control"], "max-age=5, s-maxage=60");
    const apply = cacheHeaders(options);
    assert.equal(
      apply.explain(new Request(`${ORIGIN}/b/1`), new Response("")).rule?.path,
      "rules[1].pattern",
    );
  });

  test("carveOut changes no header, and is no conflict with the same rule unmarked", () => {
    const timeouts = { "per-user": { 60: ["/account/*"] } };
    const rule = { pattern: "/account/help", policy: "all-users", ttl: "1h" };
    for (const identity of [null, ANN]) {
      assert.deepEqual(
        headersOf({ timeouts, rules: [{ ...rule, carveOut: true }] }, "/account/help", {
          identity,
        }),
        headersOf({ timeouts, rules: [rule] }, "/account/help", { identity }),
      );
    }
    cacheHeaders({ rules: [rule, { ...rule, carveOut: true }] });
  });

  test("browserSeconds per rule replaces the option, still at most the ttl", () => {
    const options: CacheHeadersOptions = {
      browserSeconds: 5,
      rules: [
        { pattern: "/long", policy: "all-users", ttl: "1h", browserSeconds: "10m" },
        { pattern: "/short", policy: "all-users", ttl: 30, browserSeconds: "10m" },
      ],
    };
    assert.equal(headersOf(options, "/long")["cache-control"], "max-age=600, s-maxage=3600");
    assert.equal(headersOf(options, "/short")["cache-control"], "max-age=30, s-maxage=30");
  });
});

describe("stale-while-revalidate, stale-if-error, immutable", () => {
  const options: CacheHeadersOptions = {
    targets: ALL_TARGETS,
    rules: [
      {
        pattern: "/static/*",
        policy: "all-users",
        ttl: "365d",
        browserSeconds: "365d",
        immutable: true,
      },
      {
        pattern: "/products/:id",
        policy: "all-users",
        ttl: "10m",
        staleWhileRevalidate: "1m",
        staleIfError: "1d",
        statuses: { 404: 30 },
      },
    ],
  };

  test("immutable with a year's lifetime", () => {
    assert.equal(
      headersOf(options, "/static/app.js")["cache-control"],
      "max-age=31536000, s-maxage=31536000, immutable",
    );
  });

  test("stale-* in Cache-Control and in every targeted field", () => {
    const headers = headersOf(options, "/products/1");
    assert.equal(
      headers["cache-control"],
      "max-age=5, s-maxage=600, stale-while-revalidate=60, stale-if-error=86400",
    );
    for (
      const name of [
        "surrogate-control",
        "cdn-cache-control",
        "cloudflare-cdn-cache-control",
        "vercel-cdn-cache-control",
        "netlify-cdn-cache-control",
      ]
    ) {
      assert.equal(headers[name], "max-age=600, stale-while-revalidate=60, stale-if-error=86400");
    }
    assert.equal(headers["x-accel-expires"], "600");
  });

  test("an opted-in status keeps stale-* but never immutable", () => {
    const immutable = cacheHeaders({
      rules: [{
        pattern: "/s/*",
        policy: "all-users",
        ttl: 60,
        immutable: true,
        statuses: { 404: 10 },
      }],
    });
    const notFound = immutable(new Request(`${ORIGIN}/s/x`), new Response("", { status: 404 }));
    assert.equal(notFound.headers.get("cache-control"), "max-age=5, s-maxage=10");
    assert.equal(
      headersOf(options, "/products/1", { status: 404 })["cache-control"],
      "max-age=5, s-maxage=30, stale-while-revalidate=60, stale-if-error=86400",
    );
  });

  test("a server error is never cached, so stale-if-error can serve the last good page", () => {
    const headers = headersOf(options, "/products/1", { status: 503 });
    assert.deepEqual(headers, { "cache-control": "private, no-cache" });
  });
});

describe("targets", () => {
  test("the default writes s-maxage and X-Accel-Expires", () => {
    assert.deepEqual(
      headersOf({ rules: [{ pattern: "/", policy: "all-users", ttl: 60 }] }, "/"),
      { "cache-control": "max-age=5, s-maxage=60", "x-accel-expires": "60" },
    );
  });

  test("a deployment may name only a CDN target: Cache-Control is then for browsers", () => {
    assert.deepEqual(
      headersOf(
        {
          targets: ["cdn-cache-control"],
          rules: [{ pattern: "/", policy: "all-users", ttl: "1h" }],
        },
        "/",
      ),
      { "cache-control": "max-age=5", "cdn-cache-control": "max-age=3600" },
    );
  });

  test("a browser lifetime and per-target lifetimes that differ", () => {
    assert.deepEqual(
      headersOf(
        {
          targets: ["s-maxage", "cloudflare-cdn-cache-control", "surrogate-control"],
          rules: [{
            pattern: "/",
            policy: "all-users",
            ttl: "10m",
            browserSeconds: 60,
            targets: { "cloudflare-cdn-cache-control": "1d", "s-maxage": "5m" },
          }],
        },
        "/",
      ),
      {
        "cache-control": "max-age=60, s-maxage=300",
        "cloudflare-cdn-cache-control": "max-age=86400",
        "surrogate-control": "max-age=600",
      },
    );
  });

  test("never on a response that must not be shared", () => {
    const options: CacheHeadersOptions = {
      targets: ALL_TARGETS,
      rules: [
        {
          pattern: "/me/*",
          policy: "per-user",
          ttl: 60,
          targets: { "cdn-cache-control": "1h" },
        },
      ],
    };
    const anonymous = headersOf(options, "/me/x");
    assert.equal(anonymous["cdn-cache-control"], "max-age=3600");
    const signedIn = headersOf(options, "/me/x", { identity: ANN });
    assert.deepEqual(signedIn, {
      "cache-control": "private, max-age=5",
      "vary": "Cookie, Authorization",
    });
    const bearer = headersOf(options, "/me/x", {
      request: { headers: { authorization: "Bearer x" } },
    });
    assert.deepEqual(bearer, {
      "cache-control": "private, max-age=5",
      "vary": "Cookie, Authorization",
    });
  });

  test("targeted fields the handler set on an unshared response say no-store", () => {
    const apply = cacheHeaders({
      targets: ["cdn-cache-control"],
      rules: [{ pattern: "/me", policy: "per-user", ttl: 60 }],
    });
    const response = apply(
      new Request(`${ORIGIN}/me`),
      new Response("", {
        headers: {
          "cdn-cache-control": "max-age=600",
          "x-accel-expires": "60",
          "edge-control": "max-age=600",
        },
      }),
      ANN,
    );
    assert.equal(response.headers.get("edge-control"), "no-store");
    assert.equal(response.headers.get("cdn-cache-control"), "no-store");
    assert.equal(response.headers.get("x-accel-expires"), "0");
  });

  test("a custom policy may not write a targeted field or a tag header itself", () => {
    const errors: unknown[] = [];
    for (const header of ["CDN-Cache-Control", "Surrogate-Control", "Surrogate-Key", "xkey"]) {
      const leaky: Policy = () => ({
        cacheControl: { private: true, maxAge: 5 },
        headers: { [header]: "max-age=600" },
      });
      const apply = cacheHeaders({
        policies: { leaky },
        rules: [{ pattern: "/", policy: "leaky", ttl: 60 }],
        onError: (error) => errors.push(error),
      });
      const response = apply(new Request(`${ORIGIN}/`), new Response(""), ANN);
      assert.equal(response.headers.get(header), null, header);
      assert.equal(response.headers.get("cache-control"), "private, no-cache");
    }
    assert.equal(errors.length, 4);
  });

  test("a custom policy's shared page reaches every target with its own lifetime", () => {
    const edge: Policy = ({ lifetime }) => ({
      cacheControl: { maxAge: 0, sMaxage: lifetime, staleWhileRevalidate: 9 },
    });
    assert.deepEqual(
      headersOf(
        {
          policies: { edge },
          targets: ["s-maxage", "cdn-cache-control"],
          rules: [{ pattern: "/", policy: "edge", ttl: 120 }],
        },
        "/",
      ),
      {
        "cache-control": "max-age=0, s-maxage=120, stale-while-revalidate=9",
        "cdn-cache-control": "max-age=120, stale-while-revalidate=9",
        "vary": "Cookie, Authorization",
      },
    );
  });
});

describe("statuses", () => {
  const options: CacheHeadersOptions = {
    rules: [
      { pattern: "/old/*", policy: "all-users", ttl: 60, statuses: { 301: "1d", 308: "1d" } },
      { pattern: "/p/:id", policy: "anonymous-only", ttl: 60, statuses: { 404: 15, 410: "1m" } },
    ],
  };

  test("only 200 by default; a rule opts in others with their own lifetime", () => {
    assert.deepEqual(headersOf(options, "/old/x", { status: 301 }), {
      "cache-control": "max-age=5, s-maxage=86400",
      "x-accel-expires": "86400",
    });
    assert.deepEqual(headersOf(options, "/old/x", { status: 302 }), {
      "cache-control": "private, no-cache",
    });
    assert.deepEqual(headersOf(options, "/p/1", { status: 404 }), {
      "cache-control": "max-age=5, s-maxage=15",
      "vary": "Cookie, Authorization",
      "x-accel-expires": "15",
    });
    assert.deepEqual(headersOf(options, "/old/x", { status: 404 }), {
      "cache-control": "private, no-cache",
    });
  });

  test("the policy still decides who may share it", () => {
    assert.deepEqual(headersOf(options, "/p/1", { status: 410, identity: ANN }), {
      "cache-control": "private, no-cache",
      "vary": "Cookie, Authorization",
    });
  });

  test("a 404 for a URL no rule matches stays uncached, explained as the status", () => {
    const apply = cacheHeaders(options);
    const decision = apply.explain(
      new Request(`${ORIGIN}/nowhere`),
      new Response("", { status: 404 }),
    );
    assert.equal(decision.reason, "status");
  });

  test("the explanation names the status's lifetime", () => {
    const apply = cacheHeaders(options);
    const decision = apply.explain(
      new Request(`${ORIGIN}/p/2`),
      new Response("", { status: 410 }),
    );
    assert.equal(decision.rule?.lifetime, 60);
    assert.equal(decision.cacheControl, "max-age=5, s-maxage=60");
  });
});

describe("cache tags", () => {
  const options: CacheHeadersOptions = {
    tagHeaders: ["surrogate-key", "cache-tag", "edge-cache-tag", "xkey"],
    rules: [
      {
        pattern: "/products/:id",
        policy: "all-users",
        ttl: 60,
        tags: ["product-:id", "products"],
      },
      { pattern: "/news/*", policy: "anonymous-only", ttl: 60, tags: ["news"] },
    ],
  };

  test("taken from URLPattern groups, in each vendor's syntax", () => {
    const headers = headersOf(options, "/products/42");
    assert.equal(headers["surrogate-key"], "product-42 products");
    assert.equal(headers["cache-tag"], "product-42,products");
    assert.equal(headers["edge-cache-tag"], "product-42,products");
    assert.equal(headers["xkey"], "product-42 products");
    const decision = cacheHeaders(options).explain(
      new Request(`${ORIGIN}/products/42`),
      new Response(""),
    );
    assert.deepEqual(decision.tags, ["product-42", "products"]);
  });

  test("a group value can never add a tag or break a header", () => {
    const headers = headersOf(options, "/products/a,b%20c d");
    assert.equal(headers["surrogate-key"], "product-a%2Cb%20c%20d products");
    assert.equal(headers["cache-tag"], "product-a%2Cb%20c%20d,products");
  });

  test("only on responses a shared cache keeps", () => {
    assert.equal(headersOf(options, "/news/x")["surrogate-key"], "news");
    const signedIn = headersOf(options, "/news/x", { identity: ANN });
    assert.equal(signedIn["surrogate-key"], undefined);
    assert.equal(signedIn["cache-tag"], undefined);
  });

  test("tags beyond a vendor's limits send the page uncached", () => {
    const apply = cacheHeaders(options);
    const decision = apply.explain(
      new Request(`${ORIGIN}/products/${"x".repeat(200)}`),
      new Response(""),
    );
    assert.equal(decision.reason, "tag-limit");
    assert.equal(decision.cacheControl, "private, no-cache");
  });
});

describe("consistency rules, refused at construction", () => {
  const CASES: readonly [name: string, options: unknown, expected: string][] = [
    [
      "stale-while-revalidate without a number",
      { rules: [{ pattern: "/", policy: "all-users", ttl: 60, staleWhileRevalidate: true }] },
      "invalid-lifetime rules[0].staleWhileRevalidate: Lifetime at rules[0].staleWhileRevalidate must be a number of seconds or a duration",
    ],
    [
      "stale-if-error of 0",
      { rules: [{ pattern: "/", policy: "all-users", ttl: 60, staleIfError: 0 }] },
      "invalid-lifetime rules[0].staleIfError: Lifetime at rules[0].staleIfError must be more than 0 seconds",
    ],
    [
      "immutable on a page that differs by visitor",
      { rules: [{ pattern: "/", policy: "per-user", ttl: 60, immutable: true }] },
      'inconsistent-rule rules[0]: Rule at rules[0]: immutable applies only to content shared by its whole audience (policy "all-users")',
    ],
    [
      "stale-while-revalidate on anonymous-only",
      {
        rules: [{ pattern: "/", policy: "anonymous-only", ttl: 60, staleWhileRevalidate: 5 }],
      },
      'inconsistent-rule rules[0]: Rule at rules[0]: staleWhileRevalidate applies only to content shared by its whole audience (policy "all-users")',
    ],
    [
      "stale-if-error on a custom policy",
      {
        policies: { mine: () => ({ cacheControl: {} }) },
        rules: [{ pattern: "/", policy: "mine", ttl: 60, staleIfError: 5 }],
      },
      'inconsistent-rule rules[0]: Rule at rules[0]: staleIfError cannot be set on custom policy "mine"',
    ],
    [
      "a targeted lifetime on a rule that never caches",
      {
        targets: ["cdn-cache-control"],
        rules: [{
          pattern: "/",
          policy: "all-users",
          ttl: 0,
          targets: { "cdn-cache-control": 60 },
        }],
      },
      'inconsistent-rule rules[0]: Rule at rules[0]: targets["cdn-cache-control"] decorates a cached page',
    ],
    [
      "a targeted lifetime on a custom policy",
      {
        policies: { mine: () => ({ cacheControl: {} }) },
        targets: ["cdn-cache-control"],
        rules: [{ pattern: "/", policy: "mine", ttl: 60, targets: { "cdn-cache-control": 5 } }],
      },
      'inconsistent-rule rules[0]: Rule at rules[0]: targets["cdn-cache-control"] cannot be set on custom policy "mine"',
    ],
    [
      "a targeted lifetime for a target the deployment does not write",
      {
        rules: [{
          pattern: "/",
          policy: "all-users",
          ttl: 60,
          targets: { "cdn-cache-control": 5 },
        }],
      },
      'inconsistent-rule rules[0]: Rule at rules[0]: targets["cdn-cache-control"] names a target the deployment does not write',
    ],
    [
      "an unknown target",
      { targets: ["fastly"] },
      'invalid-target targets[0]: Target "fastly" at targets[0] is unknown; known targets: "s-maxage"',
    ],
    [
      "keyed mode without X-Accel-Expires",
      { targets: ["s-maxage"], keyed: { sessionCookie: "sid" } },
      'invalid-target targets: Option "targets" must include "x-accel-expires" in keyed mode',
    ],
    [
      "tags without a tag header",
      { rules: [{ pattern: "/", policy: "all-users", ttl: 60, tags: ["home"] }] },
      'inconsistent-rule rules[0]: Rule at rules[0]: tags need a header to be written in: set option "tagHeaders"',
    ],
    [
      "a tag naming a group the pattern lacks",
      {
        tagHeaders: ["xkey"],
        rules: [{ pattern: "/p/:id", policy: "all-users", ttl: 60, tags: ["p-:slug"] }],
      },
      "invalid-tag rules[0].tags[0]:",
    ],
    [
      "a status no rule may cache",
      { rules: [{ pattern: "/", policy: "all-users", ttl: 60, statuses: { 500: 10 } }] },
      'invalid-status rules[0].statuses["500"]: Status "500" at rules[0].statuses["500"] is a server error, never cached',
    ],
    [
      "status 200 in statuses",
      { rules: [{ pattern: "/", policy: "all-users", ttl: 60, statuses: { 200: 10 } }] },
      'invalid-status rules[0].statuses["200"]: Status "200" at rules[0].statuses["200"] is the rule\'s own',
    ],
    [
      "carveOut that is not a boolean",
      { rules: [{ pattern: "/", policy: "all-users", ttl: 60, carveOut: "yes" }] },
      'invalid-option rules[0].carveOut: Setting "carveOut" at rules[0] must be true or false, not "yes"',
    ],
    [
      "a rule with both pattern and patterns",
      { rules: [{ pattern: "/", patterns: ["/a"], policy: "all-users", ttl: 60 }] },
      'invalid-pattern rules[0]: Rule at rules[0] needs exactly one of "pattern" and "patterns"',
    ],
    [
      "a rule without ttl",
      { rules: [{ pattern: "/", policy: "all-users" }] },
      'invalid-lifetime rules[0].ttl: Rule at rules[0] needs a "ttl"',
    ],
    [
      "a misspelt setting",
      { rules: [{ pattern: "/", policy: "all-users", ttl: 60, stalewhilerevalidate: 5 }] },
      'invalid-option rules[0].stalewhilerevalidate: Setting "stalewhilerevalidate" at rules[0] is not a rule setting',
    ],
    [
      "an unknown policy",
      { rules: [{ pattern: "/", policy: "everyone", ttl: 60 }] },
      'unknown-policy rules[0].policy: Policy "everyone" at rules[0].policy is unknown',
    ],
    [
      "a bad pattern, named by its path",
      { rules: [{ patterns: ["/ok", "/a/("], policy: "all-users", ttl: 60 }] },
      'invalid-pattern rules[0].patterns[1]: Pattern "/a/(" at rules[0].patterns[1] is invalid',
    ],
    [
      "the same URLs with different settings",
      {
        rules: [
          { pattern: "/a", policy: "all-users", ttl: 60 },
          { pattern: "/a", policy: "all-users", ttl: 60, staleIfError: 5 },
        ],
      },
      'conflicting-rules rules[1].pattern: Pattern "/a" at rules[1].pattern matches the same URLs as "/a" at rules[0].pattern with different settings',
    ],
  ];

  for (const [name, options, expected] of CASES) {
    test(name, () => {
      const problems = problemsOf(options);
      assert.ok(
        problems.some((problem) => problem.startsWith(expected)),
        `expected a problem starting with:\n  ${expected}\ngot:\n  ${problems.join("\n  ")}`,
      );
    });
  }

  test("every problem of a rule is listed at once", () => {
    const problems = problemsOf({
      rules: [{ pattern: "/", policy: "per-user", ttl: 60, immutable: true, staleIfError: 1 }],
    });
    assert.equal(problems.length, 2);
  });
});

describe("rule browserSeconds of 0", () => {
  test("browsers revalidate while shared caches keep the page", () => {
    assert.deepEqual(
      headersOf(
        { rules: [{ pattern: "/", policy: "all-users", ttl: 60, browserSeconds: 0 }] },
        "/",
      ),
      { "cache-control": "max-age=0, s-maxage=60", "x-accel-expires": "60" },
    );
  });
});
