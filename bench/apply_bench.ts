/**
 * What apply() costs per request, against the bare cost of rebuilding a Response with two headers
 * set, at 10, 100 and 1,000 rules, for a URL seen before (hot) and for distinct URLs (cold).
 *
 *   deno run -A bench/apply_bench.ts
 *   bun bench/apply_bench.ts
 *
 * Results and the machine they were measured on: BENCHMARKS.md.
 */

import { bench, group, run, summary } from "mitata";
import { cacheHeaders, type Timeouts } from "../mod.ts";

const POLICIES = ["all-users", "anonymous-only", "anonymous-and-authenticated", "per-user"];
const COLD_URLS = 100_000;

/** `count` rules over distinct areas, in the shapes real sites use. */
export function syntheticTimeouts(count: number): Timeouts {
  const timeouts: Record<string, Record<string, string[]>> = {};
  for (let i = 0; i < count; i++) {
    const policy = POLICIES[i % POLICIES.length]!;
    const shapes = [`/area${i}/*`, `/area${i}/:id`, `/area${i}/item/:id(\\d+)`, `/area${i}/about`];
    ((timeouts[policy] ??= {})[String(60 + (i % 5) * 60)] ??= []).push(shapes[i % shapes.length]!);
  }
  return timeouts;
}

/** Distinct URLs, most of them matching some rule near the end of the declaration. */
function coldUrls(rules: number): string[] {
  return Array.from({ length: COLD_URLS }, (_, i) => {
    const area = rules - 1 - (i % Math.min(rules, 8)) * 4;
    return `https://shop.example/area${Math.max(area, 0)}/${i}?page=${i % 7}`;
  });
}

const body = "<html>hello</html>";
const headersInit = { "content-type": "text/html; charset=utf-8", etag: '"v1"' };

for (const rules of [10, 100, 1_000]) {
  const apply = cacheHeaders({ timeouts: syntheticTimeouts(rules) });
  const urls = coldUrls(rules);
  const requests = urls.slice(0, 1_000).map((url) => new Request(url));
  let next = 0;
  summary(() => {
    group(`${rules} rules`, () => {
      bench("bare rebuild (new Response, two headers set)", () => {
        const headers = new Headers(headersInit);
        headers.set("cache-control", "max-age=5, s-maxage=60");
        headers.set("x-accel-expires", "60");
        return new Response(body, { status: 200, statusText: "OK", headers });
      });
      bench("apply(), hot URL", () => {
        return apply(requests[0]!, new Response(body, { headers: headersInit }), null);
      });
      bench("apply(), cold URLs", () => {
        const url = urls[next++ % urls.length]!;
        return apply(new Request(url), new Response(body, { headers: headersInit }), null);
      });
    });
  });
}

await run();
