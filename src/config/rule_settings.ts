/**
 * The settings a rule may carry beyond its policy and lifetime (browser lifetime, `stale-*`,
 * `immutable`, statuses, tags, per-target lifetimes), validated, with the consistency checks that
 * keep them to pages they are safe for.
 *
 * @module
 */

import { _pathOf, type _ProblemList, _quote } from "./errors.ts";
import { parseLifetime } from "./duration.ts";
import { knownTargets } from "./header_choices.ts";
import { isBuiltInPolicyName, type Policy } from "./policies.ts";
import { isTargetName, type TargetName } from "../headers/targets.ts";

/** What the consistency checks need from the rest of the options. */
export interface RuleContext {
  readonly policies: Readonly<Record<string, Policy>>;
  readonly targets: readonly TargetName[];
  readonly hasTagHeaders: boolean;
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
  /** An intended carve-out: `cachewise check` reports it as information, not a warning. */
  readonly carveOut: boolean;
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
  carveOut: false,
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

/** Reads the settings of one rule of the ordered form beyond its policy, lifetime and patterns. */
export function readSettings(
  rule: Record<string, unknown>,
  rulePath: string,
  problems: _ProblemList,
): RuleSettings {
  const optional = (key: string, positive: boolean): number | null =>
    rule[key] === undefined
      ? null
      : readLifetime(rule[key], `${rulePath}.${key}`, problems, positive);
  const flag = (key: "immutable" | "carveOut"): boolean => {
    const value = rule[key];
    if (value !== undefined && typeof value !== "boolean") {
      problems.add(
        "invalid-option",
        `${rulePath}.${key}`,
        `Setting "${key}" at ${rulePath} must be true or false, not ${_quote(value)}`,
      );
    }
    return value === true;
  };
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
    immutable: flag("immutable"),
    statuses: readStatuses(rule.statuses, `${rulePath}.statuses`, problems),
    tags: Array.isArray(rule.tags) ? rule.tags : undefined,
    targets: readTargetLifetimes(rule.targets, `${rulePath}.targets`, problems),
    carveOut: flag("carveOut"),
  };
}

/**
 * A lifetime, or `null` after recording why it is wrong. `stale-while-revalidate` and
 * `stale-if-error` always carry a number: `true` is refused with that explanation.
 */
export function readLifetime(
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
export function checkConsistency(
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
