/**
 * Bounded matching time (safety invariant 9): patterns whose regular expressions can backtrack
 * without bound are refused at construction.
 *
 * Two shapes make a URLPattern slow. Nested quantifiers or a quantified alternation inside a
 * regexp group (`(?:a+)+`, `(a|aa)+`) are exponential in the path length: `/:a((?:a+)+b)` took
 * 0.5–2.5 s on a 30-character path. Several wildcards that can span `/` are polynomial: measured with
 * Deno's and Bun's URLPattern, `/*a*b` takes 8 ms on a 4,096-character path, `/*a*a*b` 1.3 s on
 * 2,048 characters and 10.4 s on 4,096. So a pattern component may have at most two such parts, and
 * URLs longer than {@link MAX_MATCHED_URL_LENGTH} match no rule.
 *
 * @module
 */

import { PART_FULL_WILDCARD, PART_REGEXP } from "./pattern_parts.ts";
import type { PatternShape } from "./specificity.ts";

/** Wildcards that can span `/` allowed in one component: two keep matching quadratic at worst. */
export const MAX_UNBOUNDED_PARTS = 2;

/**
 * URLs longer than this match no rule and go out uncached. Quadratic matching stays under about
 * 35 ms at this length (8 ms measured at 4,096 characters), and nginx's default request-line
 * buffer (`large_client_header_buffers 4 8k`) refuses longer URLs anyway.
 */
export const MAX_MATCHED_URL_LENGTH = 8_192;

/** Why a pattern would match too slowly, or `null` when it is bounded. */
export function slowPatternReason(shape: PatternShape): string | null {
  for (const [component, parts] of Object.entries(shape)) {
    let unbounded = 0;
    for (const part of parts) {
      if (part.type === PART_REGEXP) {
        const nested = nestedQuantifier(part.value);
        if (nested !== null) {
          return `has a regexp group "${part.value}" with ${nested}, which can backtrack without bound`;
        }
      }
      if (
        part.type === PART_FULL_WILDCARD || (part.type === PART_REGEXP && WIDE.test(part.value))
      ) {
        unbounded++;
      }
    }
    if (unbounded > MAX_UNBOUNDED_PARTS) {
      return `has ${unbounded} wildcards that can span "/" in its ${component} (at most ${MAX_UNBOUNDED_PARTS}): ` +
        `matching time would grow as the URL length to the power ${unbounded}`;
    }
  }
  return null;
}

/** A regexp that can run over anything, `/` included: `.*`, `.+`, a negated class repeated. */
const WIDE = /\.[*+{]|\[\^[^\]]*\][*+{]/;

/**
 * Finds a quantified group that itself contains a quantifier or an alternation, in a regexp
 * source: the classic catastrophic-backtracking shape.
 */
function nestedQuantifier(source: string): string | null {
  const groups: { quantified: boolean; alternation: boolean }[] = [{
    quantified: false,
    alternation: false,
  }];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (char === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      inClass = char !== "]";
      continue;
    }
    const top = groups[groups.length - 1]!;
    if (char === "[") inClass = true;
    else if (char === "(") groups.push({ quantified: false, alternation: false });
    else if (char === "|") top.alternation = true;
    else if (char === "*" || char === "+" || char === "{") top.quantified = true;
    else if (char === ")" && groups.length > 1) {
      const closed = groups.pop()!;
      const next = source[i + 1];
      const repeated = next === "*" || next === "+" || next === "{";
      if (repeated && closed.quantified) return "a quantifier inside a repeated group";
      if (repeated && closed.alternation) return "an alternation inside a repeated group";
      if (closed.quantified) groups[groups.length - 1]!.quantified = true;
    }
  }
  return null;
}
