/**
 * The regular expressions URLPattern matches each component with, rebuilt from a rule's parsed
 * parts by the spec's "generate a regular expression and name list", so that a rule can be
 * confirmed against components read once per request instead of a URL parsed once per rule.
 *
 * @see https://urlpattern.spec.whatwg.org/#generate-a-regular-expression-and-name-list
 * @module
 */

import {
  MODIFIER_NONE,
  MODIFIER_ONE_OR_MORE,
  MODIFIER_OPTIONAL,
  MODIFIER_ZERO_OR_MORE,
  PART_FIXED,
  PART_FULL_WILDCARD,
  PART_SEGMENT_WILDCARD,
  type PartModifier,
  type PatternPart,
  type URLPatternComponent,
} from "./pattern_parts.ts";
import { URLPatternImpl } from "./url_pattern.ts";

/**
 * The flags the URLPattern in use compiles with: the current spec says `"v"` (Bun), older
 * revisions `"u"` (Deno, the polyfill). Read once from whether a `v`-only class set compiles.
 */
export const REGEXP_FLAGS: string = detectFlags();

/** What a component's pattern string needs to be confirmed. */
export type ComponentTest =
  | { readonly kind: "any" }
  | { readonly kind: "regexp"; readonly regexp: RegExp }
  | { readonly kind: "unknown" };

const ANY: ComponentTest = { kind: "any" };
const UNKNOWN: ComponentTest = { kind: "unknown" };
const MODIFIER_TEXT: Readonly<Record<PartModifier, string>> = {
  [MODIFIER_ZERO_OR_MORE]: "*",
  [MODIFIER_OPTIONAL]: "?",
  [MODIFIER_ONE_OR_MORE]: "+",
  [MODIFIER_NONE]: "",
};
const SEGMENT_WILDCARDS: Readonly<Record<URLPatternComponent, string>> = {
  protocol: "[^]+?",
  username: "[^]+?",
  password: "[^]+?",
  hostname: "[^\\.]+?",
  port: "[^]+?",
  pathname: "[^\\/]+?",
  search: "[^]+?",
  hash: "[^]+?",
};
/**
 * Regexp group sources that match within one path segment and mean the same on their own as
 * inside the whole pattern: letters, digits, `_`, `~`, `-`, `\d`, `\w`, escaped `.` and `-`,
 * classes of those (ranges between letters, digits and `_`, never negated), quantifiers,
 * alternatives and non-capturing groups. No `.`, `/`, `\D`, `\W`, anchors, lookarounds or
 * back-references, so none can match `/` or look past its segment.
 */
const SEGMENT_REGEXP = new RegExp(
  "^(?:(?:[\\w~-]|\\\\[dw.~-]|\\[(?:[\\w.~]|\\\\[dw.~-]|\\w-\\w)+\\]|\\(\\?:|\\))" +
    "(?:(?:[+*?]|\\{\\d+(?:,\\d*)?\\})\\??)?|\\|)+$",
);

/**
 * The test a component's parts need: none when they match anything a URL component can hold
 * (a lone `*`), the spec's regular expression, or `unknown` when this runtime cannot compile it
 * with the flags its URLPattern uses.
 *
 * @param parts The component's parts, from {@link PatternShape}.
 * @param component Which component, for its segment wildcard.
 */
export function componentTest(
  parts: readonly PatternPart[],
  component: URLPatternComponent,
): ComponentTest {
  const [first] = parts;
  if (
    parts.length === 1 && first?.type === PART_FULL_WILDCARD && first.modifier === MODIFIER_NONE &&
    first.prefix === "" && first.suffix === ""
  ) {
    return ANY;
  }
  try {
    return { kind: "regexp", regexp: new RegExp(regexpSource(parts, component), REGEXP_FLAGS) };
  } catch {
    return UNKNOWN;
  }
}

/**
 * A test for one whole path segment against a regexp group source, or `null` when the source is
 * not one {@link SEGMENT_REGEXP} accepts or does not compile.
 */
export function segmentRegExp(source: string): RegExp | null {
  if (!SEGMENT_REGEXP.test(source)) return null;
  try {
    return new RegExp(`^(?:${source})$`, REGEXP_FLAGS);
  } catch {
    return null;
  }
}

/** The spec's "generate a regular expression and name list", without the names. */
function regexpSource(parts: readonly PatternPart[], component: URLPatternComponent): string {
  let source = "^";
  for (const part of parts) {
    const modifier = MODIFIER_TEXT[part.modifier];
    if (part.type === PART_FIXED) {
      source += part.modifier === MODIFIER_NONE
        ? escapeRegexpString(part.value)
        : `(?:${escapeRegexpString(part.value)})${modifier}`;
      continue;
    }
    const regexp = part.type === PART_SEGMENT_WILDCARD
      ? SEGMENT_WILDCARDS[component]
      : part.type === PART_FULL_WILDCARD
      ? ".*"
      : part.value;
    const single = part.modifier === MODIFIER_NONE || part.modifier === MODIFIER_OPTIONAL;
    if (part.prefix === "" && part.suffix === "") {
      source += single ? `(${regexp})${modifier}` : `((?:${regexp})${modifier})`;
      continue;
    }
    const prefix = escapeRegexpString(part.prefix);
    const suffix = escapeRegexpString(part.suffix);
    if (single) {
      source += `(?:${prefix}(${regexp})${suffix})${modifier}`;
      continue;
    }
    source += `(?:${prefix}((?:${regexp})(?:${suffix}${prefix}(?:${regexp}))*)${suffix})`;
    if (part.modifier === MODIFIER_ZERO_OR_MORE) source += "?";
  }
  return source + "$";
}

/** The spec's "escape a regexp string". */
function escapeRegexpString(text: string): string {
  return text.replace(/[.+*?^${}()[\]|/\\]/g, "\\$&");
}

function detectFlags(): string {
  try {
    new URLPatternImpl({ pathname: "/:a([[a]--[b]])" });
    return "v";
  } catch {
    return "u";
  }
}
