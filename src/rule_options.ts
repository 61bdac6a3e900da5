/**
 * The ordered rules form (`rules: [{ pattern, policy, ttl, … }]`) and the settings a rule may carry
 * beyond its policy and lifetime, with the consistency checks that apply to both forms.
 *
 * @module
 */

import { _pathOf, type _ProblemList, _quote } from "./errors.ts";
import { type Lifetime, parseLifetime } from "./duration.ts";
import { isBuiltInPolicyName, type Policy } from "./policies.ts";
import type { RulePattern } from "./rules.ts";
import { isTargetName, knownTargets, type TargetName } from "./targets.ts";

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
}

/** A rule's settings beyond policy and lifetime, validated. */
export interface RuleSettings {
  /** Browsers' lifetime, or `null` for option `browserSeconds`. */
  readonly browserSeconds: number | null;
  readonly staleWhileRevalidate: number | null;
  readonly staleIfError: number | null;
  readonly immutable: boolean;
  /** Status → lifetime, for statuses other than 200. */
  readonly statuses: ReadonlyMap<number, number>;
  /** The tags as given (compiled against each pattern, whose groups differ), or `undefined`. */
  readonly tags: unknown;
  /** Lifetimes per target that differ from the rule's. */
  readonly targets: Readonly<Partial<Record<TargetName, number>>>;
}

/** The settings of a rule declared in `timeouts`: none beyond policy and lifetime. */
export const DEFAULT_SETTINGS: RuleSettings = Object.freeze({
  browserSeconds: null,
  staleWhileRevalidate: null,
  staleIfError: null,
  immutable: false,
  statuses: new Map<number, number>(),
  tags: undefined,
  targets: Object.freeze({}),
});

/**
 * Statuses a rule may opt in to: RFC 9110 §15.1's heuristically cacheable ones, less 200 (the
 * rule's own), 206 (a range is not the page) and 501 (a server error is never cached).
 */
export const OPTIONAL_STATUSES: ReadonlySet<number> = new Set([
  203,
  204,
  300,
  301,
  308,
  404,
  405,
  410,
  414,
]);

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

/** What the consistency checks need from the rest of the options. */
export interface RuleContext {
  readonly policies: Readonly<Record<string, Policy>>;
  readonly targets: readonly TargetName[];
  readonly hasTagHeaders: boolean;
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

function readSettings(
  rule: Record<string, unknown>,
  rulePath: string,
  problems: _ProblemList,
): RuleSettings {
  const optional = (key: string, positive: boolean): number | null =>
    rule[key] === undefined
      ? null
      : readLifetime(rule[key], `${rulePath}.${key}`, problems, positive);
  const immutable = rule.immutable;
  if (immutable !== undefined && typeof immutable !== "boolean") {
    problems.add(
      "invalid-option",
      `${rulePath}.immutable`,
      `Setting "immutable" at ${rulePath} must be true or false, not ${_quote(immutable)}`,
    );
  }
  if (rule.tags !== undefined && !Array.isArray(rule.tags)) {
    problems.add(
      "invalid-tag",
      `${rulePath}.tags`,
      `Tags at ${rulePath}.tags must be an array of strings, not ${_quote(rule.tags)}`,
    );
  }
  return {
    browserSeconds: optional("browserSeconds", false),
    staleWhileRevalidate: optional("staleWhileRevalidate", true),
    staleIfError: optional("staleIfError", true),
    immutable: immutable === true,
    statuses: readStatuses(rule.statuses, `${rulePath}.statuses`, problems),
    tags: Array.isArray(rule.tags) ? rule.tags : undefined,
    targets: readTargetLifetimes(rule.targets, `${rulePath}.targets`, problems),
  };
}

/**
 * A lifetime, or `null` after recording why it is wrong. `stale-while-revalidate` and
 * `stale-if-error` always carry a number: `true` is refused with that explanation.
 */
function readLifetime(
  value: unknown,
  path: string,
  problems: _ProblemList,
  positive = false,
): number | null {
  if (typeof value === "boolean") {
    problems.add(
      "invalid-lifetime",
      path,
      `Lifetime at ${path} must be a number of seconds or a duration such as "1m", not ${value}`,
    );
    return null;
  }
  const lifetime = parseLifetime(value);
  if ("error" in lifetime) {
    problems.add(
      "invalid-lifetime",
      path,
      `Lifetime ${_quote(value)} at ${path} ${lifetime.error}`,
    );
    return null;
  }
  if (positive && lifetime.seconds === 0) {
    problems.add(
      "invalid-lifetime",
      path,
      `Lifetime at ${path} must be more than 0 seconds; leave the setting out instead`,
    );
    return null;
  }
  return lifetime.seconds;
}

function readStatuses(
  value: unknown,
  path: string,
  problems: _ProblemList,
): ReadonlyMap<number, number> {
  const statuses = new Map<number, number>();
  if (value === undefined) return statuses;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.add(
      "invalid-status",
      path,
      `Statuses at ${path} must be an object of status → lifetime, such as { 404: "1m" }, not ${
        _quote(value)
      }`,
    );
    return statuses;
  }
  for (const [key, lifetime] of Object.entries(value)) {
    const statusPath = _pathOf(path, key);
    const status = /^\d{3}$/.test(key) ? Number(key) : NaN;
    if (!OPTIONAL_STATUSES.has(status)) {
      const why = status === 200
        ? 'is the rule\'s own: its lifetime is "ttl"'
        : status >= 500
        ? 'is a server error, never cached ("staleIfError" keeps the last good page instead)'
        : `is not one a rule may cache; cacheable: ${[...OPTIONAL_STATUSES].join(", ")}`;
      problems.add("invalid-status", statusPath, `Status ${_quote(key)} at ${statusPath} ${why}`);
      continue;
    }
    const seconds = readLifetime(lifetime, statusPath, problems);
    if (seconds !== null) statuses.set(status, seconds);
  }
  return statuses;
}

function readTargetLifetimes(
  value: unknown,
  path: string,
  problems: _ProblemList,
): Partial<Record<TargetName, number>> {
  const targets: Partial<Record<TargetName, number>> = {};
  if (value === undefined) return targets;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.add(
      "invalid-target",
      path,
      `Targets at ${path} must be an object of target → lifetime, such as { "cdn-cache-control": "1h" }, not ${
        _quote(value)
      }`,
    );
    return targets;
  }
  for (const [name, lifetime] of Object.entries(value)) {
    const targetPath = _pathOf(path, name);
    if (!isTargetName(name)) {
      problems.add(
        "invalid-target",
        targetPath,
        `Target ${_quote(name)} at ${targetPath} is unknown; known targets: ${knownTargets()}`,
      );
      continue;
    }
    const seconds = readLifetime(lifetime, targetPath, problems, true);
    if (seconds !== null) targets[name] = seconds;
  }
  return targets;
}

/**
 * The consistency rules. `immutable` and `stale-*` reach browsers too, and a browser keeps a page
 * across its user signing in, so they are only for pages the same for everybody: `all-users`.
 * A custom policy writes its own directives. Nothing decorates a rule that never caches, and a
 * targeted lifetime needs its target enabled for the deployment.
 */
function checkConsistency(
  policy: string,
  lifetime: number,
  settings: RuleSettings,
  rulePath: string,
  context: RuleContext,
  problems: _ProblemList,
): void {
  const custom = Object.hasOwn(context.policies, policy) || !isBuiltInPolicyName(policy);
  const decorations = [
    settings.immutable ? "immutable" : null,
    settings.staleWhileRevalidate !== null ? "staleWhileRevalidate" : null,
    settings.staleIfError !== null ? "staleIfError" : null,
  ].filter((name) => name !== null);
  const targeted = Object.keys(settings.targets);
  const fault = (what: string, why: string): void =>
    problems.add("inconsistent-rule", rulePath, `Rule at ${rulePath}: ${what} ${why}`);
  if (lifetime === 0) {
    for (const name of [...decorations, ...targeted.map((t) => `targets[${_quote(t)}]`)]) {
      fault(name, `decorates a cached page, and "ttl" 0 never caches it`);
    }
    return;
  }
  if (custom) {
    for (const name of decorations) {
      fault(name, `cannot be set on custom policy ${_quote(policy)}: it writes its own directives`);
    }
    for (const name of targeted) {
      fault(
        `targets[${_quote(name)}]`,
        `cannot be set on custom policy ${_quote(policy)}: it decides what is shared`,
      );
    }
  } else if (policy !== "all-users") {
    for (const name of decorations) {
      fault(
        name,
        `applies only to content shared by its whole audience (policy "all-users"): browsers ` +
          `keep it across a sign-in, and policy ${
            _quote(policy)
          } makes pages that differ by visitor`,
      );
    }
  }
  for (const name of targeted) {
    if (!context.targets.includes(name as TargetName)) {
      fault(
        `targets[${_quote(name)}]`,
        `names a target the deployment does not write; add it to option "targets"`,
      );
    }
  }
  if (settings.tags !== undefined && !context.hasTagHeaders) {
    fault("tags", `need a header to be written in: set option "tagHeaders"`);
  }
}

/** The message for a policy name that is neither built in nor registered. */
export function unknownPolicyMessage(
  name: string,
  path: string,
  policies: Readonly<Record<string, Policy>>,
): string {
  const known = [
    "all-users",
    "anonymous-only",
    "anonymous-and-authenticated",
    "per-user",
    ...Object.keys(policies),
  ];
  return `Policy ${_quote(name)} at ${path} is unknown; known policies: ${
    known.map((n) => _quote(n)).join(", ")
  }`;
}
