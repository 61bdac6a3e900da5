/**
 * This checkout's `apply()`, `apply.explain()` and `withCacheHeaders()` against another
 * checkout's, in one process: each pair takes turns in interleaved batches over the same cold
 * requests (bench/_report.ts, `interleave()`), once to warm up and then five times. Separate runs
 * of bench/apply_bench.ts differ by more than most changes; within one process both sides see the
 * same load.
 *
 *   git worktree add /tmp/before HEAD~1
 *   BEFORE=/tmp/before deno run -A bench/apply_ab.ts
 *   BEFORE=/tmp/before RULES=site bun bench/apply_ab.ts
 *
 * `RULES` is a number of synthetic rules (bench/_fixtures.ts, default 1,000) or `site` (the 50
 * rules of bench/_site.ts with its weighted URL mix). Every call builds the handler's Response
 * first, as a server's handler would; the row "handler's Response alone" measures that, so that
 * it can be subtracted. Prints each row's median nanoseconds per call for the five runs, and
 * after / before.
 */

import { cacheHeaders, withCacheHeaders } from "../mod.ts";
import { interleave } from "./_report.ts";
import { benchRules } from "./_rule_sets.ts";

type Mod = typeof import("../mod.ts");

const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } })
  .process.env;
const before = env.BEFORE;
if (before === undefined) throw new Error("Set BEFORE to the other checkout's directory");
const root = new URL(`file://${before.replace(/\/?$/, "/")}`);
const other: Mod = await import(new URL("mod.ts", root).href);
const { name, timeouts, rules, urls } = benchRules(env.RULES ?? "1000");
const options = { timeouts, rules };

const requests = urls.map((url) => new Request(url));
const body = "<html>hello</html>";
const headers = { "content-type": "text/html; charset=utf-8", etag: '"v1"' };
const hello = () => new Response(body, { headers });

/**
 * The cold requests, round and round, one counter per row so that every row sees them all. The
 * rows start far apart: a row that followed another through the same requests would find them
 * in the CPU's caches and look faster than it is.
 */
let rowsMade = 0;
function cycling(): () => Request {
  let next = (rowsMade++ * 14_011) % requests.length;
  return () => {
    const request = requests[next]!;
    next = next + 1 === requests.length ? 0 : next + 1;
    return request;
  };
}

function rows(side: Pick<Mod, "cacheHeaders" | "withCacheHeaders">, label: string) {
  const apply = side.cacheHeaders(options);
  const wrapped = side.withCacheHeaders(hello, { ...options, identify: () => null });
  const [a, b, c] = [cycling(), cycling(), cycling()];
  return {
    [`apply.explain() ${label}`]: () => apply.explain(a(), hello(), null),
    [`apply() ${label}`]: () => apply(b(), hello(), null),
    [`withCacheHeaders() ${label}`]: () => wrapped(c()),
  };
}

const functions = {
  "handler's Response alone": hello,
  ...rows(other, "before"),
  ...rows({ cacheHeaders, withCacheHeaders }, "after"),
};
const runs: Record<string, number>[] = [];
for (let run = -1; run < 5; run++) {
  const times = interleave(functions, 60, 1_000, true);
  if (run >= 0) runs.push(times);
}
const show = (values: number[]) => values.map((ns) => ns.toFixed(0)).join(", ");
console.log(`${name}, cold, ns per call (five runs)`);
for (const row of Object.keys(functions)) {
  console.log(`${row}: ${show(runs.map((times) => times[row]!))}`);
}
for (const what of ["apply.explain()", "apply()", "withCacheHeaders()"]) {
  const ratios = runs.map((times) => {
    const alone = times["handler's Response alone"]!;
    return (times[`${what} after`]! - alone) / (times[`${what} before`]! - alone) * 100;
  });
  console.log(`${what} after / before, the handler's Response subtracted: ${show(ratios)} %`);
}
