/**
 * What `apply()` costs per request end to end, against the bare rebuild of the same Response
 * with two headers set, at 10, 100, 1,000 and 10,000 rules, for one request over and over (hot)
 * and for 100,000 distinct request URLs (cold).
 *
 * Every iteration builds the handler's Response first (a Response's body can be handed on only
 * once), so each row includes that; the first row measures it alone.
 *
 *   deno run -A bench/apply_bench.ts
 *   bun bench/apply_bench.ts
 *
 * Set BENCH_RULES=10,1000 to run some rule counts only. Results: BENCHMARKS.md.
 */

import { bench, do_not_optimize, group, summary } from "mitata";
import { cacheHeaders } from "../mod.ts";
import { coldUrls, requestUrl, RULE_COUNTS, syntheticTimeouts } from "./_fixtures.ts";
import { type Median, medianOf, printRatios, printTable, runMedians } from "./_report.ts";

const INPUT = "handler's Response alone";
const BARE = "handler's Response + bare rebuild (two headers set)";
const APPLY_COLD = "handler's Response + apply(), cold";
const EXPLAIN_COLD = "handler's Response + apply.explain(), cold (the decision alone)";
const body = "<html>hello</html>";
const headersInit = { "content-type": "text/html; charset=utf-8", etag: '"v1"' };

/** What apply() cannot avoid: a copy of the headers, two set, a new Response on the body. */
function rebuild(response: Response): Response {
  const headers = new Headers(response.headers);
  headers.set("cache-control", "max-age=5, s-maxage=60");
  headers.set("x-accel-expires", "60");
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

function register(rules: number): void {
  const apply = cacheHeaders({ timeouts: syntheticTimeouts(rules) });
  const requests = coldUrls(rules).map((url) => new Request(url));
  const hot = new Request(requestUrl(rules, 1));
  let next = 0;
  summary(() => {
    group(`${rules.toLocaleString("en")} rules`, () => {
      bench(INPUT, () => do_not_optimize(new Response(body, { headers: headersInit })));
      bench(BARE, () => do_not_optimize(rebuild(new Response(body, { headers: headersInit }))))
        .baseline(true);
      bench(APPLY_COLD, () => {
        const request = requests[next]!;
        next = next + 1 === requests.length ? 0 : next + 1;
        return do_not_optimize(apply(request, new Response(body, { headers: headersInit }), null));
      });
      bench(
        "handler's Response + apply(), hot",
        () => do_not_optimize(apply(hot, new Response(body, { headers: headersInit }), null)),
      );
      bench(EXPLAIN_COLD, () => {
        const request = requests[next]!;
        next = next + 1 === requests.length ? 0 : next + 1;
        const response = new Response(body, { headers: headersInit });
        return do_not_optimize(apply.explain(request, response, null));
      });
    });
  });
}

const selected = (globalThis as { process?: { env: Record<string, string | undefined> } }).process
  ?.env.BENCH_RULES?.split(",").map(Number) ?? RULE_COUNTS;
const medians: Median[] = [];
for (const rules of selected) {
  register(rules);
  medians.push(...await runMedians(rules));
}

printTable("apply() end to end", medians);
console.log();
const at = (name: string) => (rules: number) => medianOf(medians, name, rules);
printRatios(
  "apply() cold / bare rebuild, both with the handler's Response (target ≤ 1.5)",
  medians,
  (rules) => [at(APPLY_COLD)(rules), at(BARE)(rules)],
  (value) => value <= 1.5,
);
const smallest = Math.min(...selected);
printRatios(
  `apply.explain() cold, N rules / ${smallest} rules (target ≤ 1.5)`,
  medians,
  (rules) => [at(EXPLAIN_COLD)(rules), at(EXPLAIN_COLD)(smallest)],
  (value) => value <= 1.5,
);
printRatios(
  "the same without the handler's Response: (apply() − it) / (bare rebuild − it)",
  medians,
  (rules) => [at(APPLY_COLD)(rules) - at(INPUT)(rules), at(BARE)(rules) - at(INPUT)(rules)],
  (value) => value <= 1.5,
);
