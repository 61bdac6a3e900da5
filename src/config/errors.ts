/**
 * The one error cachewise throws: a configuration problem found at construction.
 *
 * @module
 */

/**
 * One problem in the options, with the path of the option at fault.
 *
 * @example
 * ```ts
 * import { CacheConfigError, cacheHeaders, type ConfigProblem } from "@cachewise/cachewise";
 * import assert from "node:assert/strict";
 *
 * let problems: readonly ConfigProblem[] = [];
 * try {
 *   cacheHeaders({ timeouts: { "all-users": { "5x": ["/a"] } } });
 * } catch (error) {
 *   if (error instanceof CacheConfigError) problems = error.problems;
 * }
 * assert.deepEqual(problems.map((p) => p.path), ['timeouts["all-users"]["5x"]']);
 * ```
 */
export interface ConfigProblem {
  /** A stable, machine-readable code, such as `"invalid-pattern"`. */
  readonly code: ConfigProblemCode;
  /** Where the problem is, as a JavaScript accessor path: `timeouts["per-user"]["60"][2]`. */
  readonly path: string;
  /** What is wrong, in a sentence naming the values involved. */
  readonly message: string;
}

/**
 * Codes of {@link ConfigProblem}; stable across releases.
 *
 * @example
 * ```ts
 * import type { ConfigProblemCode } from "@cachewise/cachewise";
 *
 * const fixable: ConfigProblemCode[] = ["invalid-lifetime", "invalid-pattern"];
 * ```
 */
export type ConfigProblemCode =
  | "invalid-options"
  | "unknown-policy"
  | "invalid-policy"
  | "invalid-policy-name"
  | "invalid-pattern"
  | "invalid-lifetime"
  | "conflicting-rules"
  | "invalid-header-name"
  | "invalid-option"
  | "invalid-status"
  | "invalid-tag"
  | "invalid-target"
  | "inconsistent-rule";

/**
 * Thrown by `cacheHeaders()` and `withCacheHeaders()` when the options are wrong. Every problem
 * found is listed in {@link CacheConfigError.problems}, and all of them in the message, so one run
 * shows everything to fix.
 *
 * @example Reading the problems
 * ```ts
 * import { CacheConfigError, cacheHeaders } from "@cachewise/cachewise";
 * import assert from "node:assert/strict";
 *
 * try {
 *   cacheHeaders({ timeouts: { "per-usr": { 60: ["/a"] } } });
 * } catch (error) {
 *   assert(error instanceof CacheConfigError);
 *   assert.equal(error.problems[0]?.code, "unknown-policy");
 *   assert.equal(error.problems[0]?.path, 'timeouts["per-usr"]');
 * }
 * ```
 */
export class CacheConfigError extends TypeError {
  /** Always `"CACHEWISE_CONFIG"`, whatever the problems are. */
  readonly code = "CACHEWISE_CONFIG";
  /** Every problem found, in the order of the options. */
  readonly problems: readonly ConfigProblem[];

  /** Builds the error from the problems found; the message lists all of them. */
  constructor(problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    const lines = problems.map((problem) => `  - ${problem.message}`);
    super(`Cannot compile cache rules (${count}):\n${lines.join("\n")}`);
    this.name = "CacheConfigError";
    this.problems = problems;
  }
}

/** Collects problems while options are validated, then throws them all at once. */
export class _ProblemList {
  readonly #problems: ConfigProblem[] = [];

  /** Records a problem; the same problem found twice (a rule's setting checked once per pattern) is listed once. */
  add(code: ConfigProblemCode, path: string, message: string): void {
    const seen = this.#problems.some((problem) =>
      problem.code === code && problem.path === path && problem.message === message
    );
    if (!seen) this.#problems.push({ code, path, message });
  }

  get size(): number {
    return this.#problems.length;
  }

  throwIfAny(): void {
    if (this.#problems.length > 0) throw new CacheConfigError(this.#problems);
  }
}

/** Formats a value for an error message: strings quoted with escapes visible, others as JSON. */
export function _quote(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) {
    return String(value);
  }
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Appends a property accessor to an option path: `timeouts` + `per-user` → `timeouts["per-user"]`. */
export function _pathOf(base: string, key: string | number): string {
  return typeof key === "number" ? `${base}[${key}]` : `${base}[${JSON.stringify(key)}]`;
}
