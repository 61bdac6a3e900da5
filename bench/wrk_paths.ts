/**
 * Prints the request paths wrk sends (bench/wrk_urls.lua), one a line: those of the rule set
 * `RULES` names (bench/_rule_sets.ts), so that the servers get the URLs the in-process
 * benchmarks use.
 *
 *   RULES=site deno run -A bench/wrk_paths.ts > /tmp/paths.txt
 */

import { benchRules } from "./_rule_sets.ts";

const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } })
  .process.env;
const { urls } = benchRules(env.RULES ?? "1000");
console.log(urls.map((url) => url.slice(url.indexOf("/", 8))).join("\n"));
