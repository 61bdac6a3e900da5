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
 * After mitata's runs, the cold rows run again in interleaved batches (bench/_report.ts,
 * `interleave()`), which include the garbage collection mitata's p50 leaves out and are steadier
 * on a shared machine. The interleaved batches also time the second half of `apply()` alone:
 * `writeDecision()` of decisions made beforehand for the same cold URLs, so that the decision and
 * the writing can be set against `apply()`, which does both.
 *
 * The interleaved batches also time what a router pays for the same requests: rou3's
 * `findRoute()` on `new URL(request.url).pathname` (rou3 gets the synthetic rules in its syntax),
 * the reference the decision is held to.
 *
 * Set MITATA=0 to run the interleaved batches only. Set BENCH_RULES=10,1000,site to run some rule
 * sets only (`site`: the 50 rules of bench/_site.ts
 * and their weighted traffic; no rou3 row). Results: BENCHMARKS.md.
 */

import { bench, do_not_optimize, group, summary } from "mitata";
import { addRoute, createRouter, findRoute } from "rou3";
import { cacheHeaders } from "../mod.ts";
import { writeDecision } from "../src/apply.ts";
import { route, RULE_COUNTS } from "./_fixtures.ts";
import { rebuild } from "./_handlers.ts";
import { benchRules } from "./_rule_sets.ts";
import {
  interleave,
  type Median,
  medianOf,
  printRatios,
  printTable,
  runMedians,
  runtimeName,
} from "./_report.ts";

const INPUT = "handler's Response alone";
const BARE = "handler's Response + bare rebuild (two headers set)";
const APPLY_COLD = "handler's Response + apply(), cold";
const EXPLAIN_COLD = "handler's Response + apply.explain(), cold (the decision alone)";
const WRITE_COLD = "handler's Response + writeDecision() of a decision made before, cold";
const ROU3_COLD = "handler's Response + rou3 findRoute() + new URL(request.url), cold";
const body = "<html>hello</html>";
const headersInit = { "content-type": "text/html; charset=utf-8", etag: '"v1"' };

/** The cold rows again, in interleaved batches that include garbage collection. */
const interleaved: Median[] = [];

/** The handler's Response: a new one per call, since a body can be handed on only once. */
const handlerResponse = () => new Response(body, { headers: headersInit });

/** A rou3 router over the synthetic rules, or `null` for the site's. */
function router(spec: string): ((request: Request) => unknown) | null {
  const count = Number(spec);
  if (!Number.isSafeInteger(count)) return null;
  const routes = createRouter<number>();
  for (let i = 0; i < count; i++) addRoute(routes, "GET", route(i).rou3, i);
  return (request) =>
    findRoute(routes, request.method, new URL(request.url).pathname, { params: false });
}

/** Registers the benchmarks for one rule set; returns what runs the interleaved batches. */
function register(spec: string, rules: number): () => void {
  const { timeouts, rules: ordered, urls } = benchRules(spec);
  const apply = cacheHeaders({ timeouts, rules: ordered });
  const requests = urls.map((url) => new Request(url));
  const hot = new Request(urls[1]!);
  const decisions = requests.map((request) => apply.explain(request, handlerResponse(), null));
  const findRule = router(spec);
  let next = 0;
  /** The next of the cold requests (and of their decisions), round and round. */
  const nextIndex = () => {
    const index = next;
    next = next + 1 === requests.length ? 0 : next + 1;
    return index;
  };
  summary(() => {
    group(`${rules.toLocaleString("en")} rules`, () => {
      bench(INPUT, () => do_not_optimize(handlerResponse()));
      bench(BARE, () => do_not_optimize(rebuild(handlerResponse()))).baseline(true);
      bench(APPLY_COLD, () => {
        const request = requests[nextIndex()]!;
        return do_not_optimize(apply(request, handlerResponse(), null));
      });
      bench(
        "handler's Response + apply(), hot",
        () => do_not_optimize(apply(hot, handlerResponse(), null)),
      );
      bench(EXPLAIN_COLD, () => {
        const request = requests[nextIndex()]!;
        return do_not_optimize(apply.explain(request, handlerResponse(), null));
      });
    });
  });
  return () => {
    const times = interleave(
      {
        [INPUT]: () => handlerResponse(),
        [BARE]: () => rebuild(handlerResponse()),
        [APPLY_COLD]: () => apply(requests[nextIndex()]!, handlerResponse(), null),
        [EXPLAIN_COLD]: () => apply.explain(requests[nextIndex()]!, handlerResponse(), null),
        [WRITE_COLD]: () => writeDecision(handlerResponse(), decisions[nextIndex()]!),
        ...(findRule === null ? {} : {
          [ROU3_COLD]: () => {
            const response = handlerResponse();
            findRule(requests[nextIndex()]!);
            return response;
          },
        }),
      },
      100,
      500,
      true,
    );
    for (const [name, nanoseconds] of Object.entries(times)) {
      interleaved.push({ name, rules, nanoseconds });
    }
  };
}

const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } })
  .process.env;
const specs = env.BENCH_RULES?.split(",") ?? RULE_COUNTS.map(String);
/** The site's rules are tabulated as 50, beside the synthetic counts. */
const selected = specs.map((spec) => (spec === "site" ? 50 : Number(spec)));
const medians: Median[] = [];
for (const [i, spec] of specs.entries()) {
  const runInterleaved = register(spec, selected[i]!);
  if (env.MITATA !== "0") medians.push(...await runMedians(selected[i]!));
  runInterleaved();
}
/** Issue 17's target for apply() over the bare rebuild: 2.0× on Bun, 1.1× on Deno. */
const applyTarget = runtimeName().startsWith("Bun") ? 2 : 1.1;

if (medians.length > 0) printMitata();

/** The tables and ratios of mitata's medians. */
function printMitata(): void {
  printTable("apply() end to end", medians);
  console.log();
  const at = (name: string) => (rules: number) => medianOf(medians, name, rules);
  printRatios(
    `apply() cold / bare rebuild, both with the handler's Response (target ≤ ${applyTarget})`,
    medians,
    (rules) => [at(APPLY_COLD)(rules), at(BARE)(rules)],
    (value) => value <= applyTarget,
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
  );
  printRatios(
    "the decision alone / bare rebuild: apply.explain() cold / bare rebuild",
    medians,
    (rules) => [at(EXPLAIN_COLD)(rules), at(BARE)(rules)],
  );
}

printTable("apply() end to end, interleaved batches (garbage collection included)", interleaved);
console.log();
const within = (name: string) => (rules: number) => medianOf(interleaved, name, rules);
printRatios(
  `interleaved: apply() cold / bare rebuild (target ≤ ${applyTarget})`,
  interleaved,
  (rules) => [within(APPLY_COLD)(rules), within(BARE)(rules)],
  (value) => value <= applyTarget,
);
printRatios(
  "interleaved: apply.explain() cold / bare rebuild",
  interleaved,
  (rules) => [within(EXPLAIN_COLD)(rules), within(BARE)(rules)],
);
printRatios(
  "interleaved: the decision / rou3 findRoute() + new URL(), the handler's Response subtracted " +
    "(target ≤ 1)",
  interleaved.filter((m) => m.name === ROU3_COLD),
  (rules) => [
    within(EXPLAIN_COLD)(rules) - within(INPUT)(rules),
    within(ROU3_COLD)(rules) - within(INPUT)(rules),
  ],
  (value) => value <= 1,
);
printRatios(
  "interleaved: apply() cold / (handler's Response + the decision + the writing, timed apart)",
  interleaved,
  (rules) => [
    within(APPLY_COLD)(rules),
    within(EXPLAIN_COLD)(rules) + within(WRITE_COLD)(rules) - within(INPUT)(rules),
  ],
);
