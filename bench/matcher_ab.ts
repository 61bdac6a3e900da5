/**
 * This checkout's rule matcher against another checkout's, in one process: the two take turns in
 * interleaved batches over the same cold URLs (bench/_report.ts, `interleave()`), once to warm up
 * and then five times.
 * Separate runs of bench/matcher_bench.ts differ by up to 3× on a shared machine, more than most
 * changes to the matcher; within one process the two sides see the same load.
 *
 *   git worktree add /tmp/before HEAD~1
 *   BEFORE=/tmp/before deno run -A bench/matcher_ab.ts
 *   BEFORE=/tmp/before RULES=10000 bun bench/matcher_ab.ts
 *
 * Prints each side's median nanoseconds per lookup for the five runs, and their ratio.
 */

import { buildMatcher } from "../src/match/matcher.ts";
import { coldUrls, rankedRules } from "./_fixtures.ts";
import { interleave } from "./_report.ts";

const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } })
  .process.env;
const before = env.BEFORE;
if (before === undefined) throw new Error("Set BEFORE to the other checkout's directory");
const rules = Number(env.RULES ?? 1_000);
const root = new URL(`file://${before.replace(/\/?$/, "/")}`);

type Fixtures = typeof import("./_fixtures.ts");
type Matcher = typeof import("../src/match/matcher.ts");
const other: Matcher = await import(new URL("src/match/matcher.ts", root).href);
const otherFixtures: Fixtures = await import(new URL("bench/_fixtures.ts", root).href);

const matchBefore = other.buildMatcher(otherFixtures.rankedRules(rules));
const matchAfter = buildMatcher(rankedRules(rules));
const urls = coldUrls(rules);
let b = 0;
let a = 0;
const beforeTimes: number[] = [];
const afterTimes: number[] = [];
for (let run = -1; run < 5; run++) {
  const times = interleave(
    {
      before: () => matchBefore(urls[b = b + 1 === urls.length ? 0 : b + 1]!),
      after: () => matchAfter(urls[a = a + 1 === urls.length ? 0 : a + 1]!),
    },
    100,
    2_000,
  );
  if (run < 0) continue; // the warm-up
  beforeTimes.push(times.before!);
  afterTimes.push(times.after!);
}
const show = (values: number[]) => values.map((ns) => ns.toFixed(0)).join(", ");
console.log(`${rules.toLocaleString("en")} rules, cold, ns per lookup (five runs)`);
console.log(`before (${before}): ${show(beforeTimes)}`);
console.log(`after (this checkout): ${show(afterTimes)}`);
console.log(`after / before: ${show(afterTimes.map((x, i) => x / beforeTimes[i]! * 100))} %`);
