/**
 * The compile step, run once per configuration: options read and validated (`config/`), each
 * pattern compiled and ranked (`match/`), each rule's decision planned per audience (`plans.ts`).
 * `cacheHeaders()`, the proxy generators and the command line all start from its result, so the
 * headers and the generated configuration cannot disagree on which rule decides a URL.
 *
 * @module
 */

import { _ProblemList } from "../config/errors.ts";
import {
  type CacheHeadersOptions,
  type NormalisedOptions,
  normaliseOptions,
} from "../config/options.ts";
import type { RulePattern } from "../config/rules.ts";
import { compilePattern, describePattern } from "../match/patterns.ts";
import { type CompiledRule, compiledRule, rankRules } from "../match/ranking.ts";
import type { MatchedRule } from "./decision.ts";
import { type PlanInput, planRule, type RulePlan } from "./plans.ts";
import { prepareTags } from "./rule_tags.ts";
import type { SharedWritePlans } from "./write_plan.ts";

/** Options compiled: the validated configuration and its rules, most specific first. */
export interface CompiledOptions {
  readonly config: NormalisedOptions;
  readonly ranked: readonly CompiledRule<RulePlan>[];
}

/**
 * Validates options and compiles their rules, most specific first. Throws one
 * `CacheConfigError` listing every problem. The headers and the generated proxy configuration
 * both come from this.
 */
export function compileOptions(
  options: CacheHeadersOptions | undefined,
  ignoreOptions?: ReadonlySet<string>,
): CompiledOptions {
  const problems = new _ProblemList();
  const config = normaliseOptions(options, problems, ignoreOptions);
  const compiled: CompiledRule<RulePlan>[] = [];
  const writePlans: SharedWritePlans = new Map();
  config.rules.forEach((declared, index) => {
    const pattern = compilePattern(declared.pattern, declared.path, problems);
    if (pattern === null) return;
    const readable = describePattern(declared.pattern);
    const tags = prepareTags(declared, readable, pattern, config, problems);
    if (!declared.valid || tags === null) return;
    const plan = (status: number, lifetime: number): RulePlan => {
      const rule: MatchedRule = Object.freeze({
        policy: declared.policy,
        lifetime,
        pattern: readable,
        path: declared.path,
      });
      const input: PlanInput = { rule, settings: declared.settings, status, ...tags };
      return planRule(input, config.policies[declared.policy], config, writePlans);
    };
    const statusPlans = new Map<number, RulePlan>();
    for (const [status, lifetime] of declared.settings.statuses) {
      statusPlans.set(status, plan(status, lifetime));
    }
    const source = { ...declared, pattern: declared.pattern as RulePattern };
    compiled.push(compiledRule(source, pattern, index, plan(200, declared.lifetime), statusPlans));
  });
  const ranked = rankRules(compiled, problems);
  problems.throwIfAny();
  return { config, ranked };
}
