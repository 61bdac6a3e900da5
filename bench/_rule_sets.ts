/**
 * The two rule sets the end-to-end benchmarks run on, chosen by name: a number of synthetic
 * rules (the stress set of bench/_fixtures.ts, every request a distinct URL spread over all of
 * them) or `site` (bench/_site.ts: 50 rules like a real site's, its traffic weighted to the hot
 * pages).
 *
 * @module
 */

import type { RuleOptions, Timeouts } from "../mod.ts";
import { coldUrls, syntheticTimeouts } from "./_fixtures.ts";
import { SITE_RULES, siteUrls } from "./_site.ts";

/** A rule set as options, with the request URLs it is benchmarked with. */
export interface BenchRules {
  /** What to call it in a report: `1,000 synthetic rules`, `the site's 50 rules`. */
  readonly name: string;
  readonly timeouts: Timeouts;
  readonly rules: readonly RuleOptions[];
  /** 100,000 request URLs. */
  readonly urls: readonly string[];
}

/** The rule set `spec` names: `"site"`, or a number of synthetic rules. */
export function benchRules(spec: string): BenchRules {
  if (spec === "site") {
    return {
      name: "the site's 50 rules",
      timeouts: {},
      rules: SITE_RULES,
      urls: siteUrls(100_000),
    };
  }
  const count = Number(spec);
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new Error(`RULES must be "site" or a number of rules, not "${spec}"`);
  }
  return {
    name: `${count.toLocaleString("en")} synthetic rules`,
    timeouts: syntheticTimeouts(count),
    rules: [],
    urls: coldUrls(count),
  };
}
