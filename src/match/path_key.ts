/**
 * What a pathname pattern says about the segments of every path it matches, for the index.
 *
 * @module
 */

import {
  MODIFIER_NONE,
  MODIFIER_ONE_OR_MORE,
  PART_FIXED,
  PART_FULL_WILDCARD,
  PART_REGEXP,
  PART_SEGMENT_WILDCARD,
  type PatternPart,
} from "./pattern_parts.ts";
import { segmentRegExp } from "./regexp.ts";

/** One path segment as a pattern constrains it. */
export type SegmentStep =
  | { readonly kind: "fixed"; readonly text: string }
  | { readonly kind: "named" }
  | { readonly kind: "regexp"; readonly source: string; readonly test: RegExp };

/**
 * The segments every matching path starts with, and what may follow them:
 * - `end`: nothing; the pattern matches exactly the paths of these segments;
 * - `rest`: at least one more segment, anything (`/*` at the end); exact too;
 * - `open`: zero or more segments the steps do not describe; the pathname must be confirmed.
 */
export interface PathKey {
  readonly steps: readonly SegmentStep[];
  readonly tail: "end" | "rest" | "open";
}

const NAMED: SegmentStep = { kind: "named" };
const OPEN_FROM_ROOT: PathKey = { steps: [], tail: "open" };
/** Stands for a whole-segment group in the template; fixed text never holds a NUL. */
const PLACEHOLDER = "\0";

/**
 * Reads the leading segments of a pathname pattern. Fixed text, `/:name`, `/:name(regexp)` for
 * regexps that stay within a segment, and a final `/*` are modelled exactly; at the first part
 * that is not (modifiers, groups inside a segment, suffixes, other wildcards), the key stops
 * and keeps only segments known to be complete.
 *
 * @param parts The pathname's parts, from {@link PatternShape}.
 */
export function pathKey(parts: readonly PatternPart[]): PathKey {
  let template = "";
  const groups: SegmentStep[] = [];
  let index = 0;
  let tail: PathKey["tail"] = "end";
  for (; index < parts.length; index++) {
    const part = parts[index]!;
    if (part.type === PART_FIXED && part.modifier === MODIFIER_NONE) {
      if (part.value.includes(PLACEHOLDER)) return OPEN_FROM_ROOT;
      template += part.value;
      continue;
    }
    if (part.modifier !== MODIFIER_NONE || part.prefix !== "/" || part.suffix !== "") break;
    if (part.type === PART_FULL_WILDCARD && index === parts.length - 1) {
      tail = "rest";
      index += 1;
      break;
    }
    const step = wholeSegmentStep(part);
    if (step === null || !beginsWithSlashOrIsEmpty(parts, index + 1)) break;
    template += "/" + PLACEHOLDER;
    groups.push(step);
  }
  const exact = index === parts.length;
  const steps = templateSteps(template, groups);
  if (steps === null) return OPEN_FROM_ROOT;
  if (exact) return { steps, tail };
  if (!beginsWithSlashOrIsEmpty(parts, index)) steps.pop();
  return { steps, tail: "open" };
}

function wholeSegmentStep(part: PatternPart): SegmentStep | null {
  if (part.type === PART_SEGMENT_WILDCARD) return NAMED;
  if (part.type !== PART_REGEXP) return null;
  const test = segmentRegExp(part.value);
  return test === null ? null : { kind: "regexp", source: part.value, test };
}

/**
 * Whether whatever the parts from `index` on match is empty or starts with `/`: then the text
 * before them ends at a segment boundary.
 */
function beginsWithSlashOrIsEmpty(parts: readonly PatternPart[], index: number): boolean {
  for (let i = index; i < parts.length; i++) {
    const part = parts[i]!;
    const leading = part.type === PART_FIXED ? part.value : part.prefix;
    if (!leading.startsWith("/")) return false;
    if (part.modifier === MODIFIER_NONE || part.modifier === MODIFIER_ONE_OR_MORE) return true;
  }
  return true;
}

/** Splits `/a/\0/b` into segments; `null` when it does not start with `/`. */
function templateSteps(template: string, groups: readonly SegmentStep[]): SegmentStep[] | null {
  if (template === "") return [];
  const pieces = template.split("/");
  if (pieces[0] !== "") return null;
  let group = 0;
  const steps: SegmentStep[] = [];
  for (const piece of pieces.slice(1)) {
    if (piece === PLACEHOLDER) steps.push(groups[group++]!);
    else if (piece.includes(PLACEHOLDER)) return null;
    else steps.push({ kind: "fixed", text: piece });
  }
  return steps;
}
