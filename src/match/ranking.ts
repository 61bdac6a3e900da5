/**
 * Ranking: compiled rules ordered most specific first (ties by declaration order), as the matcher
 * tries them, with any two rules that match exactly the same URLs but disagree refused.
 *
 * @module
 */

import type { _ProblemList } from "../config/errors.ts";
import type { RulePattern } from "../config/rules.ts";
import type { RuleSettings } from "../config/rule_settings.ts";
import { type CompiledPattern, describePattern } from "./patterns.ts";
import { compareSpecificity } from "./specificity.ts";

/** A rule as the application declared it, before ranking. */
export interface RuleSource {
  /** The policy name. */
  readonly policy: string;
  /** The lifetime in seconds. */
  readonly lifetime: number;
  /** The pattern as written. */
  readonly pattern: RulePattern;
  /** Where it was declared: `timeouts["per-user"]["60"][2]`. */
  readonly path: string;
  /** Its settings beyond policy and lifetime (the ordered form's). */
  readonly settings?: RuleSettings;
}

/** A compiled rule, ready to match. */
export interface CompiledRule<Plan> extends RuleSource, CompiledPattern {
  /** Position in declaration order. */
  readonly index: number;
  /** What the policy decides for this rule, prepared at construction. */
  readonly plan: Plan;
  /** The same for each other status the rule caches. */
  readonly statusPlans: ReadonlyMap<number, Plan>;
}

/**
 * Ranks rules most specific first (ties by declaration order), and records as a problem any two
 * rules whose patterns match exactly the same URLs but disagree on policy or lifetime. Ranking
 * ties are not enough for that: an empty search and `*` tie, yet match different URLs.
 */
export function rankRules<Plan>(
  rules: readonly CompiledRule<Plan>[],
  problems: _ProblemList,
): CompiledRule<Plan>[] {
  const ranked = [...rules].sort((a, b) =>
    compareSpecificity(b.shape, a.shape) || a.index - b.index
  );
  const firstByKey = new Map<string, CompiledRule<Plan>>();
  for (const rule of ranked) {
    if (rule.sameURLsKey === null) continue;
    const before = firstByKey.get(rule.sameURLsKey);
    if (before === undefined) {
      firstByKey.set(rule.sameURLsKey, rule);
      continue;
    }
    const sameSettings = settingsKey(before.settings) === settingsKey(rule.settings);
    if (before.policy === rule.policy && before.lifetime === rule.lifetime && sameSettings) {
      continue;
    }
    problems.add(
      "conflicting-rules",
      rule.path,
      `Pattern ${describePattern(rule.pattern)} at ${rule.path} matches the same URLs as ` +
        `${describePattern(before.pattern)} at ${before.path} with ` +
        (before.policy !== rule.policy
          ? "a different policy"
          : before.lifetime !== rule.lifetime
          ? "a different lifetime"
          : "different settings") +
        ` ("${rule.policy}" ${rule.lifetime} s against "${before.policy}" ${before.lifetime} s)`,
    );
  }
  return ranked;
}

/** Settings that change headers, compared as text: equal settings give equal keys. */
function settingsKey(settings: RuleSettings | undefined): string {
  if (settings === undefined) return "";
  const targets = Object.entries(settings.targets).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  const { carveOut: _, ...headerSettings } = settings;
  return JSON.stringify({ ...headerSettings, statuses: [...headerSettings.statuses], targets });
}

/** Builds the compiled rule record for a pattern that compiled. */
export function compiledRule<Plan>(
  source: RuleSource,
  pattern: CompiledPattern,
  index: number,
  plan: Plan,
  statusPlans: ReadonlyMap<number, Plan> = new Map(),
): CompiledRule<Plan> {
  return { ...source, ...pattern, index, plan, statusPlans };
}
