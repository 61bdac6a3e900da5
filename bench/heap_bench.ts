/**
 * The heap that compiled rules keep: the rules themselves (URLPatterns and their parsed parts)
 * and the matcher's index over them, after 10,000 rules, and what `cacheHeaders()` keeps in all.
 * Also checks that matching 100,000 distinct URLs leaves the heap as it was (nothing is cached
 * per URL).
 *
 *   deno run -A --v8-flags=--expose-gc bench/heap_bench.ts
 *   bun bench/heap_bench.ts
 *
 * Results: BENCHMARKS.md.
 */

import { cacheHeaders } from "../mod.ts";
import { buildMatcher } from "../src/match/matcher.ts";
import { coldUrls, rankedRules, syntheticTimeouts } from "./_fixtures.ts";
import { runtimeName } from "./_report.ts";

const RULES = 10_000;

/** Collects garbage fully, then returns the heap in use, in bytes. */
function settledHeap(): number {
  const global = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  for (let i = 0; i < 3; i++) {
    if (global.Bun) global.Bun.gc(true);
    else if (global.gc) global.gc();
    else throw new Error("Run with --v8-flags=--expose-gc (Deno) or --expose-gc (Node)");
  }
  return (globalThis as unknown as { process: { memoryUsage(): { heapUsed: number } } }).process
    .memoryUsage().heapUsed;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MiB`;
}

const urls = coldUrls(RULES);
// Searching a string flattens it; do it now, so that the URLs weigh the same before and after.
for (const url of urls) url.indexOf("#");
const start = settledHeap();
const ranked = rankedRules(RULES);
const afterRules = settledHeap();
const matcher = buildMatcher(ranked);
const afterIndex = settledHeap();
let matched = 0;
for (const url of urls) if (matcher(url) !== null) matched += 1;
const afterMatching = settledHeap();
// The first compile also allocates what any later one reuses (compiled code, lazily loaded
// runtime modules): measure a second one, what each further configuration costs.
const first = cacheHeaders({ timeouts: syntheticTimeouts(RULES) });
const beforeApply = settledHeap();
const apply = cacheHeaders({ timeouts: syntheticTimeouts(RULES) });
const afterApply = settledHeap();

console.log(`### Heap after compiling ${RULES.toLocaleString("en")} rules (${runtimeName()})\n`);
console.log("| | heap |");
console.log("| --- | ---: |");
console.log(`| ranked rules (URLPatterns, parsed parts) | ${megabytes(afterRules - start)} |`);
console.log(`| the matcher's index over them | ${megabytes(afterIndex - afterRules)} |`);
console.log(
  `| change after matching ${urls.length.toLocaleString("en")} distinct URLs ` +
    `(${matched.toLocaleString("en")} matched) | ${megabytes(afterMatching - afterIndex)} |`,
);
console.log(
  `| \`cacheHeaders()\` with the same rules, in all | ${megabytes(afterApply - beforeApply)} |`,
);
// Keep everything alive until the last measurement.
if (typeof apply !== "function" || typeof first !== "function" || ranked.length !== RULES) {
  throw new Error("unreachable");
}
