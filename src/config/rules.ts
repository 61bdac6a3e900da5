/**
 * The ordered rules form (`rules: [{ pattern, policy, ttl, … }]`), read into one declared rule per
 * pattern; what a pattern may be written as (`RulePattern`). The settings a rule carries beyond
 * its policy and lifetime are read in `rule_settings.ts`.
 *
 * @module
 */

import { _pathOf, type _ProblemList, _quote } from "./errors.ts";
import type { Lifetime } from "./duration.ts";
import { isBuiltInPolicyName, unknownPolicyMessage } from "./policies.ts";
import {
  checkConsistency,
  readLifetime,
  readSettings,
  type RuleContext,
  type RuleSettings,
} from "./rule_settings.ts";
import type { TargetName } from "../headers/targets.ts";
import type { URLPatternInitLike, URLPatternLike } from "./url_pattern_like.ts";

/**
 * A pattern: a URLPattern pathname string (`"/blog/:slug"`), a `URLPatternInit`, or a `URLPattern`.
 *
 * @example
 * ```ts
 * import type { RulePattern } from "@cachewise/cachewise";
 *
 * const patterns: RulePattern[] = [
 *   "/blog/:slug",
 *   { hostname: "admin.example.com", pathname: "/*" },
 *   { pathname: "/search", search: "q=*" },
 * ];
 * ```
 */
export type RulePattern = string | URLPatternInitLike | URLPatternLike;

/**
 * One rule of the ordered form. Exactly one of `pattern` and `patterns`.
 *
 * @example
 * ```ts
 * import type { RuleOptions } from "@cachewise/cachewise";
 *
 * const rules: RuleOptions[] = [
 *   {
 *     patterns: ["/static/*", "/fonts/*"],
 *     policy: "all-users",
 *     ttl: "365d",
 *     browserSeconds: "365d",
 *     immutable: true,
 *   },
 *   {
 *     pattern: "/products/:id",
 *     policy: "all-users",
 *     ttl: "10m",
 *     staleWhileRevalidate: "1m",
 *     staleIfError: "1d",
 *     statuses: { 404: "1m" },
 *     tags: ["product-:id", "products"],
 *     targets: { "cdn-cache-control": "1h" },
 *   },
 *   { pattern: "/account/*", policy: "per-user", ttl: 60 },
 * ];
 * ```
 */
export interface RuleOptions {
  /** The pattern. */
  readonly pattern?: RulePattern;
  /** Several patterns sharing every other setting. */
  readonly patterns?: readonly RulePattern[];
  /** A built-in policy name, or one registered in option `policies`. */
  readonly policy: string;
  /** How long shared caches keep the page (`s-maxage` and every target); `0` never caches it. */
  readonly ttl: Lifetime;
  /** Browsers' lifetime for this rule instead of option `browserSeconds` (still at most `ttl`). */
  readonly browserSeconds?: Lifetime;
  /** `stale-while-revalidate`: seconds a cache may serve the page stale while it refetches it. */
  readonly staleWhileRevalidate?: Lifetime;
  /** `stale-if-error`: seconds a cache may serve the page stale when the origin fails (5xx). */
  readonly staleIfError?: Lifetime;
  /** `immutable` (RFC 8246): browsers do not revalidate the page while it is fresh. */
  readonly immutable?: boolean;
  /**
   * Statuses other than 200 to cache, each with its own lifetime: a short negative cache for 404
   * and 410, permanent redirects (301, 308). Others of RFC 9110 §15.1's heuristically cacheable
   * list: 203, 204, 300, 405, 414. Server errors are never cached.
   */
  readonly statuses?: Readonly<Record<number, Lifetime>>;
  /**
   * Cache tags for purging: literal text and `:name` references to the pattern's named groups
   * (`"product-:id"`). Written in the headers of option `tagHeaders`.
   */
  readonly tags?: readonly string[];
  /** A lifetime per target instead of `ttl` (targets enabled in option `targets`). */
  readonly targets?: Readonly<Partial<Record<TargetName, Lifetime>>>;
  /**
   * Marks the rule as an intended carve-out: a page shared with everybody (or every anonymous
   * visitor) inside a per-user area, such as `/account/help` inside `/account/*`.
   * `cachewise check` then reports it as information instead of a warning, so `--strict` passes.
   * It changes no header.
   * @default false
   */
  readonly carveOut?: boolean;
}

/** A rule after validation, in declaration order, one per pattern. */
export interface DeclaredRule {
  readonly policy: string;
  readonly lifetime: number;
  readonly pattern: unknown;
  /** Where the pattern was declared: `rules[2].patterns[0]`. */
  readonly path: string;
  /** Where the rule's settings were declared: `rules[2]`. */
  readonly rulePath: string;
  readonly settings: RuleSettings;
  /** False when its policy, lifetime or settings are wrong: its pattern is still checked. */
  readonly valid: boolean;
}

const RULE_KEYS = new Set([
  "pattern",
  "patterns",
  "policy",
  "ttl",
  "browserSeconds",
  "staleWhileRevalidate",
  "staleIfError",
  "immutable",
  "statuses",
  "tags",
  "targets",
  "carveOut",
]);

/** Validates the ordered form; one declared rule per pattern. */
export function readRules(
  value: unknown,
  context: RuleContext,
  problems: _ProblemList,
): DeclaredRule[] {
  const rules: DeclaredRule[] = [];
  if (value === undefined) return rules;
  if (!Array.isArray(value)) {
    problems.add(
      "invalid-option",
      "rules",
      `Option "rules" must be an array of rules, not ${_quote(value)}`,
    );
    return rules;
  }
  value.forEach((rule, index) => {
    const rulePath = _pathOf("rules", index);
    if (typeof rule !== "object" || rule === null || Array.isArray(rule)) {
      problems.add(
        "invalid-option",
        rulePath,
        `Rule at ${rulePath} must be an object, not ${_quote(rule)}`,
      );
      return;
    }
    rules.push(...readRule(rule as Record<string, unknown>, rulePath, context, problems));
  });
  return rules;
}

function readRule(
  rule: Record<string, unknown>,
  rulePath: string,
  context: RuleContext,
  problems: _ProblemList,
): DeclaredRule[] {
  const before = problems.size;
  for (const key of Object.keys(rule)) {
    if (!RULE_KEYS.has(key)) {
      problems.add(
        "invalid-option",
        `${rulePath}.${key}`,
        `Setting ${_quote(key)} at ${rulePath} is not a rule setting; rule settings: ${
          [...RULE_KEYS].join(", ")
        }`,
      );
    }
  }
  const policy = rule.policy;
  if (typeof policy !== "string") {
    problems.add(
      "unknown-policy",
      `${rulePath}.policy`,
      `Rule at ${rulePath} needs a policy name, not ${_quote(policy)}`,
    );
  } else if (!isBuiltInPolicyName(policy) && !Object.hasOwn(context.policies, policy)) {
    problems.add(
      "unknown-policy",
      `${rulePath}.policy`,
      unknownPolicyMessage(policy, `${rulePath}.policy`, context.policies),
    );
  }
  const lifetime = rule.ttl === undefined
    ? missing(rulePath, problems)
    : readLifetime(rule.ttl, `${rulePath}.ttl`, problems);
  const settings = readSettings(rule, rulePath, problems);
  if (typeof policy === "string" && lifetime !== null) {
    checkConsistency(policy, lifetime, settings, rulePath, context, problems);
  }
  const valid = problems.size === before;
  const patterns = readPatternList(rule, rulePath, problems);
  return patterns.map(([pattern, path]) => ({
    policy: typeof policy === "string" ? policy : "",
    lifetime: lifetime ?? 0,
    pattern,
    path,
    rulePath,
    settings,
    valid,
  }));
}

function missing(rulePath: string, problems: _ProblemList): null {
  problems.add(
    "invalid-lifetime",
    `${rulePath}.ttl`,
    `Rule at ${rulePath} needs a "ttl": seconds or a duration such as "10m" (0 never caches)`,
  );
  return null;
}

function readPatternList(
  rule: Record<string, unknown>,
  rulePath: string,
  problems: _ProblemList,
): [unknown, string][] {
  const hasOne = rule.pattern !== undefined;
  const hasMany = rule.patterns !== undefined;
  if (hasOne === hasMany) {
    problems.add(
      "invalid-pattern",
      rulePath,
      `Rule at ${rulePath} needs exactly one of "pattern" and "patterns"`,
    );
    return [];
  }
  if (hasOne) return [[rule.pattern, `${rulePath}.pattern`]];
  if (!Array.isArray(rule.patterns) || rule.patterns.length === 0) {
    problems.add(
      "invalid-pattern",
      `${rulePath}.patterns`,
      `Patterns at ${rulePath}.patterns must be a non-empty array, not ${_quote(rule.patterns)}`,
    );
    return [];
  }
  return rule.patterns.map((pattern, index) => [
    pattern,
    _pathOf(`${rulePath}.patterns`, index),
  ]);
}
