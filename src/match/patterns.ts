/**
 * Patterns: what a rule names (a pathname string, a `URLPatternInit` or a `URLPattern`) compiled
 * once into a URLPattern and parsed into its parts for ranking, with every pattern the spec refuses
 * or that could match slowly refused here, naming the rule.
 *
 * @module
 */

import { type _ProblemList, _quote } from "../config/errors.ts";
import { type PatternShape, shapeOf, SPECIFICITY_ORDER } from "./specificity.ts";
import { URL_PATTERN_COMPONENTS } from "./pattern_parts.ts";
import { slowPatternReason } from "./pattern_safety.ts";
import { URLPatternImpl } from "./url_pattern.ts";

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
