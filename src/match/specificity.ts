/**
 * Specificity of URLPatterns: the ordering proposed for `URLPattern.compareComponent`, which no
 * runtime's native URLPattern exposes, computed from parsed component pattern strings.
 *
 * The ordering is the one `urlpattern-polyfill` implements. Parts are compared index by index;
 * the first difference decides, looking at the type (fixed text, regexp, segment wildcard, full
 * wildcard, most specific first), then the modifier (none, `+`, `?`, `*`), then prefix, value and
 * suffix as strings in code unit order. Group names never count.
 *
 * @see https://github.com/whatwg/urlpattern/issues/61
 * @module
 */

import {
  MODIFIER_NONE,
  parsePatternString,
  PART_FIXED,
  PART_FULL_WILDCARD,
  type PatternPart,
  type URLPatternComponent,
} from "./pattern_parts.ts";

/** Parsed component pattern strings of one URLPattern, computed once at construction. */
export type PatternShape = { readonly [C in URLPatternComponent]: readonly PatternPart[] };

/**
 * Order of components when ranking rules: hostname first (like nginx choosing a server before a
 * location), then pathname, search, protocol, port, username, password, hash.
 *
 * @example The hostname decides first
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(SPECIFICITY_ORDER[0], "hostname");
 * assert.equal(SPECIFICITY_ORDER[1], "pathname");
 * ```
 */
export const SPECIFICITY_ORDER: readonly URLPatternComponent[] = Object.freeze([
  "hostname",
  "pathname",
  "search",
  "protocol",
  "port",
  "username",
  "password",
  "hash",
]);

/** Stands in for an empty pattern string, as `compareComponent` does. */
const FULL_WILDCARD_LIST: readonly PatternPart[] = [
  {
    type: PART_FULL_WILDCARD,
    modifier: MODIFIER_NONE,
    name: "",
    prefix: "",
    value: "",
    suffix: "",
  },
];
/** Stands in for the missing part when one list is a prefix of the other. */
const EMPTY_FIXED_PART: PatternPart = {
  type: PART_FIXED,
  modifier: MODIFIER_NONE,
  name: "",
  prefix: "",
  value: "",
  suffix: "",
};

/**
 * Parses every component pattern string of a URLPattern.
 *
 * @param pattern A URLPattern, native or polyfilled; only its component strings are read.
 * @returns The part lists of its eight components.
 * @throws {SyntaxError} When a component string is not valid pattern syntax. The polyfill and
 * Deno never return one; Bun accepts a few patterns the spec rejects, such as `/()`.
 *
 * @example Shape of a pathname pattern
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const shape = shapeOf(new URLPattern({ pathname: "/products/:id" }));
 * assert.equal(shape.pathname.length, 2);
 * assert.equal(shape.hostname.length, 1);
 * ```
 */
export function shapeOf(pattern: Readonly<Record<URLPatternComponent, string>>): PatternShape {
  return {
    protocol: parsePatternString(pattern.protocol, "protocol"),
    username: parsePatternString(pattern.username, "username"),
    password: parsePatternString(pattern.password, "password"),
    hostname: parsePatternString(pattern.hostname, "hostname"),
    port: parsePatternString(pattern.port, "port"),
    pathname: parsePatternString(pattern.pathname, "pathname"),
    search: parsePatternString(pattern.search, "search"),
    hash: parsePatternString(pattern.hash, "hash"),
  };
}

/**
 * Compares the part lists of one component of two patterns, as `compareComponent` does: positive
 * when `left` is more specific, negative when `right` is, zero when they differ at most in group
 * names. An empty list (an empty pattern string) counts as a single full wildcard, like `*`.
 *
 * @param left Parts of one pattern's component.
 * @param right Parts of the same component of another pattern.
 * @returns A number whose sign gives the order.
 *
 * @example Fixed text beats a named group, which beats a wildcard
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePatternString } from "./pattern_parts.ts";
 *
 * const parse = (pathname: string) => parsePatternString(pathname, "pathname");
 * assert.ok(comparePartLists(parse("/products/new"), parse("/products/:id")) > 0);
 * assert.ok(comparePartLists(parse("/products/:id"), parse("/products/*")) > 0);
 * assert.equal(comparePartLists(parse("/:a"), parse("/:b")), 0);
 * ```
 */
export function comparePartLists(
  left: readonly PatternPart[],
  right: readonly PatternPart[],
): number {
  if (left.length === 0 && right.length === 0) return 0;
  const lefts = left.length === 0 ? FULL_WILDCARD_LIST : left;
  const rights = right.length === 0 ? FULL_WILDCARD_LIST : right;
  const shared = Math.min(lefts.length, rights.length);
  for (let i = 0; i < shared; i++) {
    const order = comparePart(lefts[i]!, rights[i]!);
    if (order !== 0) return order;
  }
  if (lefts.length === rights.length) return 0;
  return comparePart(lefts[shared] ?? EMPTY_FIXED_PART, rights[shared] ?? EMPTY_FIXED_PART);
}

/**
 * Compares two patterns component by component in {@link SPECIFICITY_ORDER}; the first component
 * that differs decides.
 *
 * @param left Shape of one pattern.
 * @param right Shape of another.
 * @returns Positive when `left` is more specific, negative when `right` is, zero when neither is.
 *
 * @example A pattern naming its host beats one that does not
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const shop = shapeOf(new URLPattern({ hostname: "shop.example.com", pathname: "/*" }));
 * const product = shapeOf(new URLPattern({ pathname: "/products/:id" }));
 * assert.ok(compareSpecificity(shop, product) > 0);
 * ```
 */
export function compareSpecificity(left: PatternShape, right: PatternShape): number {
  for (const component of SPECIFICITY_ORDER) {
    const order = comparePartLists(left[component], right[component]);
    if (order !== 0) return order;
  }
  return 0;
}

function comparePart(left: PatternPart, right: PatternPart): number {
  return compareValues(left.type, right.type) ||
    compareValues(left.modifier, right.modifier) ||
    compareValues(left.prefix, right.prefix) ||
    compareValues(left.value, right.value) ||
    compareValues(left.suffix, right.suffix);
}

function compareValues<T extends number | string>(left: T, right: T): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
