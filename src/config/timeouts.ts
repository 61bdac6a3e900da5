/**
 * The seed's shape of the rules, option `timeouts`: policy name → lifetime → patterns, read into
 * one declared rule per pattern, in declaration order.
 *
 * @module
 */

import { _pathOf, type _ProblemList, _quote } from "./errors.ts";
import { parseLifetime } from "./duration.ts";
import { isBuiltInPolicyName, type Policy, unknownPolicyMessage } from "./policies.ts";
import { DEFAULT_SETTINGS } from "./rule_settings.ts";
import type { DeclaredRule, RulePattern } from "./rules.ts";

/**
 * The seed's shape: policy name → lifetime → patterns.
 *
 * @example
 * ```ts
 * import type { Timeouts } from "@cachewise/cachewise";
 *
 * const timeouts: Timeouts = {
 *   "all-users": { "1h": ["/static/*", "/about"] },
 *   "per-user": { 60: ["/dashboard/*"] },
 * };
 * ```
 */
export type Timeouts = Readonly<Record<string, Readonly<Record<string, readonly RulePattern[]>>>>;

/** Validates option `timeouts`; one declared rule per pattern. */
export function readTimeouts(
  value: unknown,
  policies: Readonly<Record<string, Policy>>,
  problems: _ProblemList,
): DeclaredRule[] {
  const rules: DeclaredRule[] = [];
  if (value === undefined) return rules;
  if (!isRecord(value)) {
    problems.add(
      "invalid-option",
      "timeouts",
      `Option "timeouts" must be an object, not ${_quote(value)}`,
    );
    return rules;
  }
  for (const [policy, lifetimes] of Object.entries(value)) {
    const policyPath = _pathOf("timeouts", policy);
    let valid = isBuiltInPolicyName(policy) || Object.hasOwn(policies, policy);
    if (!valid) {
      problems.add(
        "unknown-policy",
        policyPath,
        unknownPolicyMessage(policy, policyPath, policies),
      );
    }
    if (!isRecord(lifetimes)) {
      problems.add(
        "invalid-option",
        policyPath,
        `Lifetimes at ${policyPath} must be an object of lifetime → patterns, not ${
          _quote(lifetimes)
        }`,
      );
      continue;
    }
    for (const [key, patterns] of Object.entries(lifetimes)) {
      const lifetimePath = _pathOf(policyPath, key);
      const lifetime = parseLifetime(key);
      if ("error" in lifetime) {
        problems.add(
          "invalid-lifetime",
          lifetimePath,
          `Lifetime ${_quote(key)} at ${lifetimePath} ${lifetime.error}`,
        );
        valid = false;
      }
      if (!Array.isArray(patterns)) {
        problems.add(
          "invalid-pattern",
          lifetimePath,
          `Patterns at ${lifetimePath} must be an array, not ${_quote(patterns)}`,
        );
        continue;
      }
      const seconds = "seconds" in lifetime ? lifetime.seconds : 0;
      patterns.forEach((pattern, index) => {
        rules.push({
          policy,
          lifetime: seconds,
          pattern,
          path: _pathOf(lifetimePath, index),
          rulePath: lifetimePath,
          settings: DEFAULT_SETTINGS,
          valid,
        });
      });
    }
  }
  return rules;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
