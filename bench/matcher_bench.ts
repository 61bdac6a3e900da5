/**
 * What deciding which rule applies costs per request, at 10, 100, 1,000 and 10,000 rules, for one
 * URL over and over (hot) and for 100,000 distinct URLs (cold): cachewise's matcher against a
 * linear URLPattern scan, rou3's `findRoute` and a path-to-regexp `match()` scan, the last two
 * given `new URL(url).pathname` as a router would.
 *
 *   deno run -A bench/matcher_bench.ts
 *   bun bench/matcher_bench.ts
 *
 * Set BENCH_RULES=10,1000 to run some rule counts only. Results: BENCHMARKS.md.
 */

import { bench, do_not_optimize, group, summary } from "mitata";
import { match } from "path-to-regexp";
import { addRoute, createRouter, findRoute } from "rou3";
import { buildLinearMatcher, buildMatcher } from "../src/match/matcher.ts";
import { coldUrls, cycle, rankedRules, requestUrl, route, RULE_COUNTS } from "./_fixtures.ts";
import {
  type Median,
  medianOf,
  printChart,
  printRatios,
  printTable,
  runMedians,
} from "./_report.ts";

const CACHEWISE_COLD = "cachewise buildMatcher(), cold";
const ROU3_COLD = "rou3 findRoute() + new URL(), cold";
const LINEAR_COLD = "linear URLPattern scan, cold";

/** Registers the benchmarks for one rule count. */
function register(rules: number): void {
  const ranked = rankedRules(rules);
  const fast = buildMatcher(ranked);
  const linear = buildLinearMatcher(ranked);
  const router = createRouter<number>();
  for (let i = 0; i < rules; i++) addRoute(router, "GET", route(i).rou3, i);
  const matchers = Array.from(
    { length: rules },
    (_, i) => match(route(i).pathToRegexp, { decode: false }),
  );
  const scan = (pathname: string) => matchers.findIndex((matches) => matches(pathname) !== false);
  const urls = coldUrls(rules);
  checkAgreement(urls, fast, linear);
  const hot = requestUrl(rules, 1);
  const cold = () => cycle(urls);

  summary(() => {
    group(`${rules.toLocaleString("en")} rules`, () => {
      const fastCold = cold();
      bench(CACHEWISE_COLD, () => do_not_optimize(fast(fastCold()))).baseline(true);
      bench("cachewise buildMatcher(), hot", () => do_not_optimize(fast(hot)));
      const rou3Cold = cold();
      bench(
        ROU3_COLD,
        () =>
          do_not_optimize(
            findRoute(router, "GET", new URL(rou3Cold()).pathname, { params: false }),
          ),
      );
      bench(
        "rou3 findRoute() + new URL(), hot",
        () => do_not_optimize(findRoute(router, "GET", new URL(hot).pathname, { params: false })),
      );
      const scanCold = cold();
      bench(
        "path-to-regexp match() scan + new URL(), cold",
        () => do_not_optimize(scan(new URL(scanCold()).pathname)),
      );
      bench(
        "path-to-regexp match() scan + new URL(), hot",
        () => do_not_optimize(scan(new URL(hot).pathname)),
      );
      const linearCold = cold();
      bench(LINEAR_COLD, () => do_not_optimize(linear(linearCold())));
      bench("linear URLPattern scan, hot", () => do_not_optimize(linear(hot)));
    });
  });
}

/** The benchmark would mean nothing if the two disagreed: check a sample first. */
function checkAgreement(
  urls: readonly string[],
  fast: (url: string) => unknown,
  linear: (url: string) => unknown,
): void {
  for (const url of urls.slice(0, 500)) {
    if (fast(url) !== linear(url)) throw new Error(`Matchers disagree on ${url}`);
  }
}

const selected = (globalThis as { process?: { env: Record<string, string | undefined> } }).process
  ?.env.BENCH_RULES?.split(",").map(Number) ?? RULE_COUNTS;
const medians: Median[] = [];
for (const rules of selected) {
  register(rules);
  medians.push(...await runMedians(rules));
}

printTable("Deciding the rule for one request", medians);
printChart("Cold decision", medians, [CACHEWISE_COLD, ROU3_COLD]);
console.log();
const at = (name: string) => (rules: number) => medianOf(medians, name, rules);
const smallest = Math.min(...selected);
printRatios(
  `cachewise cold, N rules / ${smallest} rules (target ≤ 1.5)`,
  medians,
  (rules) => [at(CACHEWISE_COLD)(rules), at(CACHEWISE_COLD)(smallest)],
  (value) => value <= 1.5,
);
printRatios(
  "cachewise cold / rou3 cold (target ≤ 1)",
  medians,
  (rules) => [at(CACHEWISE_COLD)(rules), at(ROU3_COLD)(rules)],
  (value) => value <= 1,
);
printRatios(
  "linear scan cold / cachewise cold (target ≥ 50)",
  medians,
  (rules) => [at(LINEAR_COLD)(rules), at(CACHEWISE_COLD)(rules)],
  (value) => value >= 50,
);
