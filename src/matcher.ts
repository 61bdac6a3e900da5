/**
 * Matching a URL against ranked rules: the most specific rule whose pattern matches wins.
 *
 * @module
 */

import type { CompiledRule } from "./rules.ts";

/** Finds the rule that decides a URL: the first match in ranked order, or `null`. */
export type RuleMatcher<Plan> = (url: string) => CompiledRule<Plan> | null;

/**
 * Builds the matcher for rules ranked most specific first. This one tests each pattern in turn
 * with URLPattern, the reference every faster matcher must agree with.
 */
export function buildLinearMatcher<Plan>(ranked: readonly CompiledRule<Plan>[]): RuleMatcher<Plan> {
  return (url) => {
    for (const rule of ranked) {
      if (rule.urlPattern.test(url)) return rule;
    }
    return null;
  };
}

/** The matcher cachewise uses. */
export const buildMatcher: <Plan>(ranked: readonly CompiledRule<Plan>[]) => RuleMatcher<Plan> =
  buildLinearMatcher;
