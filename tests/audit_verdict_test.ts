/**
 * The audit's reading of response headers: each cache's own verdict as its vendor documents the
 * values (the sources are cited in src/audit/verdict.ts), the lifetime a page is given, and the
 * likely reason a cache never kept a shareable page.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { likelyCause, readLifetime, readVerdict } from "../src/audit/mod.ts";

/** [header, value, what it says]. */
const VERDICTS: readonly (readonly [string, string, "hit" | "miss" | "unknown"])[] = [
  // RFC 9211 Cache-Status, as Netlify and squid 6 send it: one member per cache.
  ["Cache-Status", '"Netlify Edge"; hit', "hit"],
  ["Cache-Status", '"Netlify Edge"; fwd=miss', "miss"],
  ["Cache-Status", '"Netlify Edge"; fwd=stale', "miss"],
  ["Cache-Status", '"Netlify Edge"; hit, fwd=stale', "hit"],
  ["Cache-Status", '"Netlify Durable"; hit, "Netlify Edge"; fwd=miss; stored', "hit"],
  ["Cache-Status", 'ExampleCache; fwd=uri-miss; stored; key="a; hit"', "miss"],
  ["Cache-Status", "squid.example; fwd=vary-miss; fwd-status=200", "miss"],
  ["Cache-Status", "OriginCache; hit; ttl=1100", "hit"],
  ["Cache-Status", "OriginCache; detail=memory", "unknown"],
  // Cloudflare.
  ["CF-Cache-Status", "HIT", "hit"],
  ["CF-Cache-Status", "STALE", "hit"],
  ["CF-Cache-Status", "UPDATING", "hit"],
  ["CF-Cache-Status", "REVALIDATED", "hit"],
  ["CF-Cache-Status", "MISS", "miss"],
  ["CF-Cache-Status", "EXPIRED", "miss"],
  ["CF-Cache-Status", "BYPASS", "miss"],
  ["CF-Cache-Status", "DYNAMIC", "miss"],
  ["CF-Cache-Status", "NONE/UNKNOWN", "unknown"],
  // Vercel: REVALIDATED was served from the origin there.
  ["X-Vercel-Cache", "HIT", "hit"],
  ["X-Vercel-Cache", "STALE", "hit"],
  ["X-Vercel-Cache", "PRERENDER", "hit"],
  ["X-Vercel-Cache", "MISS", "miss"],
  ["X-Vercel-Cache", "BYPASS", "miss"],
  ["X-Vercel-Cache", "REVALIDATED", "miss"],
  // Fastly, with and without shielding; squid 5; CloudFront; Akamai's debug header.
  ["X-Cache", "HIT", "hit"],
  ["X-Cache", "MISS", "miss"],
  ["X-Cache", "MISS, HIT", "hit"],
  ["X-Cache", "MISS, MISS", "miss"],
  ["X-Cache-Hits", "0, 7", "hit"],
  ["X-Cache-Hits", "0", "miss"],
  ["X-Cache", "HIT from proxy.example", "hit"],
  ["X-Cache", "MISS from proxy.example", "miss"],
  ["X-Cache", "Hit from cloudfront", "hit"],
  ["X-Cache", "RefreshHit from cloudfront", "hit"],
  ["X-Cache", "Miss from cloudfront", "miss"],
  ["X-Cache", "TCP_MEM_HIT from a23-1-2-3.deploy.akamaitechnologies.com (AkamaiGHost/10.0)", "hit"],
  ["X-Cache", "TCP_REFRESH_MISS from a23-1-2-3.deploy.akamaitechnologies.com", "miss"],
  ["X-Cache", "TCP_MISS from a1 (AkamaiGHost)", "miss"],
  ["X-Cache-Remote", "TCP_HIT from a2 (AkamaiGHost)", "hit"],
  ["Akamai-Cache-Status", "Hit from child", "hit"],
  ["Akamai-Cache-Status", "Miss from child, Miss from parent", "miss"],
  ["Akamai-Cache-Status", "Miss from child, RefreshHit from parent", "hit"],
  ["Akamai-Cache-Status", "NotCacheable from child", "miss"],
  // nginx's $upstream_cache_status, under the names configurations give it.
  ["X-Cachewise-Cache", "HIT", "hit"],
  ["X-Cachewise-Cache", "BYPASS", "miss"],
  ["X-Cache-Status", "STALE", "hit"],
  ["X-Cache-Status", "UPDATING", "hit"],
  ["X-Cache-Status", "REVALIDATED", "hit"],
  ["X-Cache-Status", "EXPIRED", "miss"],
  ["X-Nginx-Cache", "MISS", "miss"],
  ["X-Proxy-Cache", "HIT", "hit"],
  // Varnish's transaction ids: two on a hit.
  ["X-Varnish", "32770 3", "hit"],
  ["X-Varnish", "32770", "miss"],
  ["X-Varnish", "banana", "unknown"],
  // Server-Timing: Akamai's cdn-cache metric, and one copied from CF-Cache-Status by a Worker.
  ["Server-Timing", "cdn-cache; desc=HIT, edge; dur=1", "hit"],
  ["Server-Timing", "cdn-cache; desc=MISS, origin; dur=120", "miss"],
  ["Server-Timing", 'cfCacheStatus;desc="HIT"', "hit"],
  ["Server-Timing", "db; dur=53, app; dur=47.2", "unknown"],
];

describe("readVerdict()", () => {
  for (const [header, value, says] of VERDICTS) {
    it(`reads ${header}: ${value} as ${says}`, () => {
      const verdict = readVerdict(new Headers({ [header]: value }));
      assert.equal(verdict.says, says);
      assert.equal(verdict.source, says === "unknown" ? null : `${header}: ${value}`);
    });
  }

  it("takes a hit from any cache on the way over a miss from another", () => {
    const headers = new Headers({ "x-cache-status": "MISS", "cf-cache-status": "HIT" });
    assert.equal(readVerdict(headers).says, "hit");
    assert.equal(readVerdict(headers).signals.length, 2);
  });

  it("reads Age > 0 as a hit only when no verdict header speaks", () => {
    assert.deepEqual(readVerdict(new Headers({ age: "7" })).source, "Age: 7");
    assert.equal(readVerdict(new Headers({ age: "0" })).says, "unknown");
    assert.equal(readVerdict(new Headers({ age: "7", "x-cache": "MISS" })).says, "miss");
    assert.equal(readVerdict(new Headers({ age: "soon" })).says, "unknown");
  });
});

describe("readLifetime()", () => {
  const cases: readonly (readonly [Record<string, string>, number | null, string])[] = [
    [{ "cache-control": "max-age=5, s-maxage=3600" }, 3600, "s-maxage"],
    [{ "cache-control": "public, max-age=60" }, 60, "max-age"],
    [{ "cache-control": "private, max-age=5" }, 0, "private"],
    [{ "cache-control": "no-store" }, 0, "no-store"],
    [{ "cache-control": 's-maxage="90"' }, 90, "s-maxage"],
    [{ "cache-control": "s-maxage=10, s-maxage=99" }, 10, "s-maxage"],
    [
      { expires: "Thu, 01 Jan 2026 00:10:00 GMT", date: "Thu, 01 Jan 2026 00:00:00 GMT" },
      600,
      "Expires",
    ],
    [{ "cache-control": "no-cache" }, null, "none"],
    [{}, null, "none"],
  ];
  for (const [headers, shared, from] of cases) {
    it(`gives ${JSON.stringify(headers)} ${shared} s from ${from}`, () => {
      const lifetime = readLifetime(headers);
      assert.equal(lifetime.shared, shared);
      assert.equal(lifetime.from, from);
    });
  }
});

describe("likelyCause()", () => {
  const page = (
    headers: Record<string, string>,
    setCookies: string[] = [],
    authorization = false,
  ) => ({
    headers,
    setCookies,
    authorization,
  });
  const cases: readonly (readonly [ReturnType<typeof page>, RegExp])[] = [
    [
      page({ "cache-control": "s-maxage=60" }, ["sessionid"]),
      /sets a cookie \(Set-Cookie: sessionid\)/,
    ],
    [page({ "cache-control": "private, max-age=5" }), /says private/],
    [page({ "cache-control": "s-maxage=60", vary: "*" }), /Vary: \*/],
    [
      page({ "cache-control": "s-maxage=60", vary: "Accept-Encoding, Cookie" }),
      /Vercel and HAProxy/,
    ],
    [
      page({ "cache-control": "s-maxage=60", vary: "Cookie", "x-vercel-cache": "MISS" }),
      /this is Vercel/,
    ],
    [page({ "content-type": "text/html" }), /no lifetime a shared cache reads/],
    [page({ "cache-control": "max-age=0" }), /lifetime of 0/],
    [page({ "cache-control": "no-cache, max-age=60" }), /lifetime of 0 or no-cache/],
    [page({ "cache-control": "s-maxage=60" }, [], true), /Authorization/],
    [page({ "cache-control": "s-maxage=60" }), /the cache's own rules/],
  ];
  for (const [received, expected] of cases) {
    it(`names ${expected.source} for ${JSON.stringify(received)}`, () => {
      assert.match(likelyCause(received), expected);
    });
  }
});
