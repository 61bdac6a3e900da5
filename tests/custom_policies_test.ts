import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { cacheHeaders, type Policy, type PolicyInput } from "../mod.ts";
import { cachingHeaders, request } from "./_helpers.ts";

/** The seed's own custom policy: tells a special user apart, and varies on it. */
const special: Policy = ({ identity, lifetime, browserSeconds }) => ({
  cacheControl: { maxAge: Math.min(browserSeconds, lifetime), sMaxage: lifetime },
  vary: ["X-Is-Special-User"],
  headers: { "X-Is-Special-User": identity?.special ? "1" : "0" },
});

describe("custom policies", () => {
  test("the seed's X-Is-Special-User policy sets its header and varies on it", () => {
    const apply = cacheHeaders({
      policies: { special },
      timeouts: { special: { 120: ["/offers"] } },
    });
    const page = (identity: { id: string; special?: boolean } | null) =>
      apply(
        request("/offers"),
        new Response("x", { headers: { vary: "Accept-Encoding" } }),
        identity,
      ).headers;
    assert.equal(page({ id: "vip", special: true }).get("x-is-special-user"), "1");
    assert.equal(page({ id: "joe" }).get("x-is-special-user"), "0");
    assert.equal(page(null).get("x-is-special-user"), "0");
    assert.deepEqual(cachingHeaders(page(null)), {
      "cache-control": "max-age=5, s-maxage=120",
      vary: "Accept-Encoding, X-Is-Special-User, Cookie, Authorization",
      "x-accel-expires": "120",
    });
  });

  test("in the default mode a custom policy never shares a signed-in user's page", () => {
    const apply = cacheHeaders({
      policies: { special },
      timeouts: { special: { 120: ["/offers"] } },
    });
    const headers =
      apply(request("/offers"), new Response("x"), { id: "vip", special: true }).headers;
    assert.deepEqual(cachingHeaders(headers), {
      "cache-control": "private, max-age=5",
      vary: "X-Is-Special-User, Cookie, Authorization",
    });
    assert.equal(headers.get("x-is-special-user"), "1");
  });

  test("a policy reads the request, the identity and the lifetime", () => {
    const seen: PolicyInput[] = [];
    const spy: Policy = (input) => {
      seen.push(input);
      return { cacheControl: { private: true, maxAge: 1 } };
    };
    const apply = cacheHeaders({
      policies: { spy },
      timeouts: { spy: { "2m": ["/x/:id"] } },
      browserSeconds: 7,
    });
    const req = request("/x/1?q=2");
    apply(req, new Response("x"), { id: "ann", plan: "gold" });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.request, req);
    assert.deepEqual(seen[0]!.identity, { id: "ann", plan: "gold" });
    assert.equal(seen[0]!.lifetime, 120);
    assert.equal(seen[0]!.browserSeconds, 7);
    assert.deepEqual(seen[0]!.identityHeaders, ["Cookie", "Authorization"]);
  });

  test("a custom policy can replace a built-in by name", () => {
    const apply = cacheHeaders({
      policies: { "per-user": () => ({ cacheControl: { noStore: true } }) },
      timeouts: { "per-user": { 60: ["/account/*"] } },
    });
    const headers = apply(request("/account/x"), new Response("x"), null).headers;
    assert.equal(headers.get("cache-control"), "no-store");
    assert.equal(apply.explain(request("/account/x"), new Response("x")).rule?.policy, "per-user");
  });

  test("a custom policy is not asked about POST, Set-Cookie or a 404", () => {
    let calls = 0;
    const counted: Policy = () => {
      calls++;
      return { cacheControl: { maxAge: 1 } };
    };
    const apply = cacheHeaders({ policies: { counted }, timeouts: { counted: { 60: ["/*"] } } });
    apply(request("/a", { method: "POST", body: "x" }), new Response("x"));
    apply(request("/a"), new Response("x", { headers: { "set-cookie": "a=1" } }));
    apply(request("/a"), new Response("x", { status: 404 }));
    assert.equal(calls, 0);
  });

  test("a custom page asked for with Authorization is made private, even for an anonymous visitor", () => {
    const shared: Policy = ({ lifetime }) => ({
      cacheControl: { public: true, maxAge: 5, sMaxage: lifetime, proxyRevalidate: true },
    });
    const apply = cacheHeaders({ policies: { shared }, timeouts: { shared: { 60: ["/*"] } } });
    const withAuth = request("/a", { headers: { authorization: "Bearer t" } });
    assert.deepEqual(cachingHeaders(apply(withAuth, new Response("x"), null).headers), {
      "cache-control": "private, max-age=5",
      vary: "Cookie, Authorization",
    });
    assert.equal(
      apply(request("/a"), new Response("x")).headers.get("cache-control"),
      "public, max-age=5, s-maxage=60, proxy-revalidate",
    );
  });

  test("a custom no-cache result gets no shared lifetime in any target (invariant 4)", () => {
    const revalidate: Policy = () => ({ cacheControl: { noCache: true, maxAge: 60 } });
    const apply = cacheHeaders({
      policies: { revalidate },
      timeouts: { revalidate: { 600: ["/*"] } },
      targets: ["s-maxage", "x-accel-expires", "surrogate-control", "cdn-cache-control"],
    });
    const response = apply(
      request("/a"),
      new Response("x", {
        headers: { "x-accel-expires": "600", "cdn-cache-control": "max-age=9" },
      }),
    );
    assert.deepEqual(cachingHeaders(response.headers), {
      "cache-control": "no-cache, max-age=60",
      vary: "Cookie, Authorization",
      "x-accel-expires": "0",
    });
    assert.equal(response.headers.get("cdn-cache-control"), "no-store");
    assert.equal(response.headers.get("surrogate-control"), null);
    assert.equal(apply.explain(request("/a"), new Response("x")).shared, false);
  });

  const BROKEN: readonly [string, Policy][] = [
    ["throws", () => {
      throw new Error("boom");
    }],
    ["returns nothing", (() => undefined) as unknown as Policy],
    ["returns a bad lifetime", () => ({ cacheControl: { maxAge: -1 } })],
    [
      "returns an injected Vary name",
      () => ({ cacheControl: { maxAge: 1 }, vary: ["Cookie\r\nX-Evil: 1"] }),
    ],
    [
      "sets a header with a line break",
      () => ({ cacheControl: { maxAge: 1 }, headers: { "X-A": "1\r\nX-Evil: 1" } }),
    ],
    [
      "sets Cache-Control through headers",
      () => ({ cacheControl: {}, headers: { "Cache-Control": "public" } }),
    ],
    ["sets Set-Cookie", () => ({ cacheControl: {}, headers: { "Set-Cookie": "a=1" } })],
  ];
  for (const [name, policy] of BROKEN) {
    test(`a policy that ${name} yields an uncached response and a report, never an exception`, () => {
      const errors: unknown[] = [];
      const apply = cacheHeaders({
        policies: { broken: policy },
        timeouts: { broken: { 60: ["/*"] } },
        onError: (error) => errors.push(error),
      });
      const response = apply(request("/a"), new Response("body", { headers: { "x-kept": "yes" } }));
      assert.equal(response.headers.get("cache-control"), "private, no-cache");
      assert.equal(response.headers.get("x-kept"), "yes");
      assert.equal(response.headers.get("x-evil"), null);
      assert.equal(errors.length, 1);
      assert.equal(apply.explain(request("/a"), new Response("x")).reason, "error");
    });
  }
});
