/**
 * Rules: URLPatterns compiled once, ranked by specificity, matched most specific first.
 *
 * @module
 */

import { type _ProblemList, _quote } from "./errors.ts";
import {
  compareSpecificity,
  type PatternShape,
  shapeOf,
  SPECIFICITY_ORDER,
} from "./specificity.ts";
import { slowPatternReason } from "./pattern_safety.ts";
import { URLPatternImpl } from "./url_pattern.ts";
import type { RuleSettings } from "./rule_options.ts";

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
export type RulePattern = string | URLPatternInit | URLPattern;

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

const URL_PATTERN_COMPONENTS = [
  "protocol",
  "username",
  "password",
  "hostname",
  "port",
  "pathname",
  "search",
  "hash",
] as const;
// deno-lint-ignore no-control-regex -- refusing control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** A pattern compiled and parsed for ranking. */
export interface CompiledPattern {
  /** The URLPattern that matches. */
  readonly urlPattern: URLPattern;
  /** Its parsed components, for ranking. */
  readonly shape: PatternShape;
  /**
   * Equal for two patterns only when they match exactly the same URLs (group names aside);
   * `null` for a URLPattern object given as is, whose `ignoreCase` cannot be read.
   */
  readonly sameURLsKey: string | null;
}

/** Compiles a pattern, or records why it cannot be compiled and returns `null`. */
export function compilePattern(
  pattern: unknown,
  path: string,
  problems: _ProblemList,
): CompiledPattern | null {
  const fail = (why: string): null => {
    problems.add("invalid-pattern", path, `Pattern ${describePattern(pattern)} at ${path} ${why}`);
    return null;
  };
  if (pattern instanceof URLPatternImpl) return analyse(pattern, false, fail);
  if (typeof pattern === "string") {
    if (CONTROL_CHARACTER.test(pattern)) return fail("contains a control character");
    if (!/^[/{*(]/.test(pattern)) return fail('must start with "/"');
    return construct({ pathname: pattern }, fail);
  }
  if (isURLPatternLike(pattern)) {
    return fail("is a URLPattern from another implementation; pass its init object instead");
  }
  if (typeof pattern !== "object" || pattern === null || Array.isArray(pattern)) {
    return fail("must be a pathname string, a URLPatternInit or a URLPattern");
  }
  for (const [key, value] of Object.entries(pattern)) {
    if (typeof value === "string" && CONTROL_CHARACTER.test(value)) {
      return fail(`contains a control character in ${key}`);
    }
  }
  return construct(pattern as URLPatternInit, fail);
}

function construct(init: URLPatternInit, fail: (why: string) => null): CompiledPattern | null {
  try {
    return analyse(new URLPatternImpl(init), true, fail);
  } catch (error) {
    return fail(`is invalid: ${firstLine(error)}`);
  }
}

/**
 * Parses the compiled pattern's components for ranking. Some runtimes accept patterns the
 * URLPattern specification refuses (Bun takes `"/()"`); parsing refuses them here, so every
 * runtime accepts the same rules.
 */
function analyse(
  urlPattern: URLPattern,
  ownInit: boolean,
  fail: (why: string) => null,
): CompiledPattern | null {
  try {
    const shape = shapeOf(urlPattern);
    const slow = slowPatternReason(shape);
    if (slow !== null) return fail(slow);
    return { urlPattern, shape, sameURLsKey: ownInit ? keyOf(shape) : null };
  } catch (error) {
    return fail(`is invalid: ${firstLine(error)}`);
  }
}

function keyOf(shape: PatternShape): string {
  return JSON.stringify(
    SPECIFICITY_ORDER.map((component) =>
      shape[component].map((
        part,
      ) => [part.type, part.modifier, part.prefix, part.value, part.suffix])
    ),
  );
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}

function isURLPatternLike(value: unknown): boolean {
  return typeof value === "object" && value !== null &&
    typeof (value as { test?: unknown }).test === "function" &&
    typeof (value as { pathname?: unknown }).pathname === "string";
}

/** A readable form of a pattern for messages: the string, or its non-wildcard components. */
export function describePattern(pattern: unknown): string {
  if (typeof pattern === "string") return _quote(pattern);
  if (typeof pattern === "object" && pattern !== null) {
    const fields: string[] = [];
    for (const key of URL_PATTERN_COMPONENTS) {
      const value = (pattern as Record<string, unknown>)[key];
      if (typeof value === "string" && value !== "*") fields.push(`${key}: ${_quote(value)}`);
    }
    if (fields.length > 0) return `{ ${fields.join(", ")} }`;
  }
  return _quote(pattern);
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

/** Settings compared as text: equal settings give equal keys. */
function settingsKey(settings: RuleSettings | undefined): string {
  if (settings === undefined) return "";
  const targets = Object.entries(settings.targets).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  return JSON.stringify({ ...settings, statuses: [...settings.statuses], targets });
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
