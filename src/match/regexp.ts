/**
 * The one translator from parsed pattern parts to a regular expression (the spec's "generate a
 * regular expression and name list"), written in a dialect: URLPattern's own JavaScript here, so
 * that a rule can be confirmed against components read once per request instead of a URL parsed
 * once per rule, and PCRE in the proxy generators.
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
 * How one regular expression dialect writes the two things a pattern part leaves open: literal
 * text, and the inside of a group (a wildcard or a regexp group). URLPattern's own JavaScript is
 * one dialect (below); the PCRE that nginx and Varnish match with is another
 * (`generate/pattern_regexp.ts`). Everything else about the translation is shared.
 */
export interface RegExpDialect {
  /** Literal text, escaped so that it matches itself. */
  escape(text: string): string;
  /** The source inside a segment wildcard, full wildcard or regexp group part. */
  group(part: PatternPart): string;
}

const MODIFIER_TEXT: Readonly<Record<PartModifier, string>> = {
  [MODIFIER_ZERO_OR_MORE]: "*",
  [MODIFIER_OPTIONAL]: "?",
  [MODIFIER_ONE_OR_MORE]: "+",
  [MODIFIER_NONE]: "",
};

/**
 * The spec's "generate a regular expression and name list" for one component's parts, without
 * the names and without anchors, written in a dialect. The one translator from parsed parts to a
 * regular expression: the matcher confirms rules with it, and the proxy generators write it.
 *
 * @param parts The component's parts, from {@link PatternShape}.
 * @param dialect How literal text and groups are written.
 * @returns The regular expression source, unanchored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePatternString } from "./pattern_parts.ts";
 *
 * const parts = parsePatternString("/products/:id", "pathname");
 * const dialect = { escape: (text: string) => text, group: () => "[^/]+?" };
 * assert.equal(partsRegExpSource(parts, dialect), "/products(?:/([^/]+?))");
 * ```
 */
export function partsRegExpSource(parts: readonly PatternPart[], dialect: RegExpDialect): string {
  let source = "";
  for (const part of parts) {
    const modifier = MODIFIER_TEXT[part.modifier];
    if (part.type === PART_FIXED) {
      source += part.modifier === MODIFIER_NONE
        ? dialect.escape(part.value)
        : `(?:${dialect.escape(part.value)})${modifier}`;
      continue;
    }
    const regexp = dialect.group(part);
    const single = part.modifier === MODIFIER_NONE || part.modifier === MODIFIER_OPTIONAL;
    if (part.prefix === "" && part.suffix === "") {
      source += single ? `(${regexp})${modifier}` : `((?:${regexp})${modifier})`;
      continue;
    }
    const prefix = dialect.escape(part.prefix);
    const suffix = dialect.escape(part.suffix);
    if (single) {
      source += `(?:${prefix}(${regexp})${suffix})${modifier}`;
      continue;
    }
    source += `(?:${prefix}((?:${regexp})(?:${suffix}${prefix}(?:${regexp}))*)${suffix})`;
    if (part.modifier === MODIFIER_ZERO_OR_MORE) source += "?";
  }
  return source;
}

/**
 * Whether a component's parts match anything the component can hold: a lone `*`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePatternString } from "./pattern_parts.ts";
 *
 * assert.equal(matchesAnything(parsePatternString("*", "pathname")), true);
 * assert.equal(matchesAnything(parsePatternString("/*", "pathname")), false);
 * ```
 */
export function matchesAnything(parts: readonly PatternPart[]): boolean {
  const [first] = parts;
  return parts.length === 1 && first !== undefined && first.type === PART_FULL_WILDCARD &&
    first.modifier === MODIFIER_NONE && first.prefix === "" && first.suffix === "";
}

/** URLPattern's own dialect for one component: the spec's escaping and wildcards. */
function javascriptDialect(component: URLPatternComponent): RegExpDialect {
  const segment = SEGMENT_WILDCARDS[component];
  return {
    escape: escapeRegexpString,
    group: (part) =>
      part.type === PART_SEGMENT_WILDCARD
        ? segment
        : part.type === PART_FULL_WILDCARD
        ? ".*"
        : part.value,
  };
}

const JAVASCRIPT_DIALECTS: Readonly<Record<URLPatternComponent, RegExpDialect>> = {
  protocol: javascriptDialect("protocol"),
  username: javascriptDialect("username"),
  password: javascriptDialect("password"),
  hostname: javascriptDialect("hostname"),
  port: javascriptDialect("port"),
  pathname: javascriptDialect("pathname"),
  search: javascriptDialect("search"),
  hash: javascriptDialect("hash"),
};

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
  if (matchesAnything(parts)) return ANY;
  const source = `^${partsRegExpSource(parts, JAVASCRIPT_DIALECTS[component])}$`;
  try {
    return { kind: "regexp", regexp: new RegExp(source, REGEXP_FLAGS) };
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
