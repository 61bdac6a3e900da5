/**
 * URLPatterns translated into the regular expressions nginx (PCRE) and Varnish (PCRE2) match
 * requests with, by the URLPattern spec's own "generate a regular expression and name list" (the
 * translator the matcher uses too, `match/regexp.ts`, in a PCRE dialect), so that the proxy picks
 * the same rule cachewise does.
 *
 * Only the pathname and the hostname are translated. A regexp group is copied only when it uses
 * a subset that means the same in JavaScript and PCRE (see {@link translateRegexpGroup});
 * anything else is refused with an error naming the rule.
 *
 * @see https://urlpattern.spec.whatwg.org/#generate-a-regular-expression-and-name-list
 * @module
 */

import {
  COMPONENTS_BESIDE_HOST_AND_PATH,
  PART_FULL_WILDCARD,
  PART_REGEXP,
  PART_SEGMENT_WILDCARD,
  type PatternPart,
} from "../match/pattern_parts.ts";
import { matchesAnything, partsRegExpSource, type RegExpDialect } from "../match/regexp.ts";
import type { PatternShape } from "../match/specificity.ts";
import { hexEscape, regexpLiteral } from "./escape.ts";

/** A rule's pattern as the proxy matches it. */
export interface ProxyPattern {
  /**
   * The anchored regular expression for the path without its query string, or, when `host` is
   * true, for the host name (lower case, without port) followed directly by that path.
   */
  readonly regexp: string;
  /** Whether the pattern names a host. */
  readonly host: boolean;
}

/**
 * Wildcards per component. A host name never holds `/`, so in a hostname `[^/]` is the same as
 * any character, and keeps the host part of `host + path` from reaching into the path.
 */
const WILDCARDS = {
  pathname: { segment: "[^/]+?", full: ".*" },
  hostname: { segment: "[^./]+?", full: "[^/]*" },
} as const;

/**
 * Translates a rule's parsed pattern for the proxy.
 *
 * @param shape The rule's parsed components (`CompiledRule.shape`).
 * @returns The regular expression and whether it includes the host.
 * @throws {TypeError} When the pattern uses a component or a regexp group that cannot be
 * translated exactly; the message says which.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shapeOf } from "../match/specificity.ts";
 *
 * const shape = shapeOf(new URLPattern({ pathname: "/products/:id" }));
 * assert.deepEqual(translatePattern(shape), { regexp: "^/products(?:/([^/]+?))$", host: false });
 * ```
 */
export function translatePattern(shape: PatternShape): ProxyPattern {
  for (const component of COMPONENTS_BESIDE_HOST_AND_PATH) {
    if (!matchesAnything(shape[component])) {
      throw new TypeError(`its ${component} is not "*": the proxy matches host and path only`);
    }
  }
  const path = partsRegExpSource(shape.pathname, PCRE_DIALECTS.pathname);
  if (matchesAnything(shape.hostname)) return { regexp: `^${path}$`, host: false };
  const host = partsRegExpSource(shape.hostname, PCRE_DIALECTS.hostname);
  return { regexp: `^${host}${path}$`, host: true };
}

/** The PCRE dialect for a host name or a path. */
const PCRE_DIALECTS: Readonly<Record<"pathname" | "hostname", RegExpDialect>> = {
  pathname: { escape: regexpLiteral, group: (part) => groupRegexp(part, "pathname") },
  hostname: { escape: regexpLiteral, group: (part) => groupRegexp(part, "hostname") },
};

function groupRegexp(part: PatternPart, component: "pathname" | "hostname"): string {
  if (part.type === PART_SEGMENT_WILDCARD) return WILDCARDS[component].segment;
  if (part.type === PART_FULL_WILDCARD) return WILDCARDS[component].full;
  if (part.type === PART_REGEXP && component === "hostname") {
    throw new TypeError(
      `its hostname has the regexp group (${part.value}), which is not translated`,
    );
  }
  return translateRegexpGroup(part.value);
}

/** Escapes that mean the same in JavaScript (`u` and `v` flags) and PCRE on URL text. */
const CLASS_ESCAPES = new Set(["d", "D", "w", "W", "s", "S"]);
/** Characters JavaScript lets a `u`/`v` regular expression escape to stand for themselves. */
const SYNTAX_CHARACTERS = new Set([..."^$\\.*+?()[]{}|/-"]);
/** Literal characters allowed in a group, inside and outside classes. */
const GROUP_LITERAL = /^[A-Za-z0-9_~%:@!=&,]$/;

/**
 * Copies a regexp group's source into PCRE when it stays within a subset both engines read the
 * same way: letters, digits and `_~%:@!=&,`; `.`; `\d \D \w \W \s \S`; escaped syntax characters
 * (written `\xHH`); classes of those with ranges, optionally negated; `(?:...)`; `|`; and the
 * quantifiers `* + ? {n} {n,} {n,m}`, greedy or lazy. Anchors, lookarounds, back-references,
 * capturing or named groups, Unicode escapes and class set operations are refused.
 *
 * @param source The group's source, as in `:id(\d+)` → `\d+`.
 * @returns The PCRE source.
 * @throws {TypeError} When the source leaves the subset; the message names the character.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(translateRegexpGroup("\\d+"), "\\d+");
 * assert.equal(translateRegexpGroup("[a-z\\-]{2,3}"), "[a-z\\x2d]{2,3}");
 * assert.throws(() => translateRegexpGroup("(?=a)"), TypeError);
 * ```
 */
export function translateRegexpGroup(source: string): string {
  const reader = new GroupReader(source);
  const out = reader.sequence(0);
  if (!reader.done) reader.refuse("an unbalanced )");
  return out;
}

/** A recursive reader over the subset of regular expression syntax described above. */
class GroupReader {
  readonly #source: string;
  #index = 0;

  constructor(source: string) {
    this.#source = source;
  }

  get done(): boolean {
    return this.#index >= this.#source.length;
  }

  refuse(what: string): never {
    throw new TypeError(
      `its regexp group (${this.#source}) uses ${what} at index ${this.#index}, ` +
        "outside the subset cachewise translates for PCRE",
    );
  }

  /** Alternatives and quantified atoms until `)` or the end. */
  sequence(depth: number): string {
    let out = "";
    let quantifiable = false;
    while (!this.done) {
      const char = this.#source[this.#index]!;
      if (char === ")") {
        if (depth === 0) this.refuse("an unbalanced )");
        return out;
      }
      if (char === "|") {
        out += "|";
        this.#index += 1;
        quantifiable = false;
      } else if ("*+?{".includes(char)) {
        if (!quantifiable) this.refuse(`a quantifier "${char}" with nothing to repeat`);
        out += this.#quantifier();
        quantifiable = false;
      } else {
        out += this.#atom(depth);
        quantifiable = true;
      }
    }
    if (depth > 0) this.refuse("an unclosed (?:");
    return out;
  }

  #atom(depth: number): string {
    const source = this.#source;
    const char = source[this.#index]!;
    if (char === "(") {
      if (!source.startsWith("(?:", this.#index)) this.refuse("a group other than (?:...)");
      this.#index += 3;
      const inner = this.sequence(depth + 1);
      this.#index += 1; // the ")"
      return `(?:${inner})`;
    }
    if (char === "[") return this.#characterClass();
    if (char === ".") {
      this.#index += 1;
      return ".";
    }
    if (char === "\\") return this.#escape(false);
    if (GROUP_LITERAL.test(char)) {
      this.#index += 1;
      return char;
    }
    return this.refuse(`the character ${JSON.stringify(char)}`);
  }

  #quantifier(): string {
    const rest = this.#source.slice(this.#index);
    const match = /^(?:[*+?]|\{[0-9]{1,4}(?:,[0-9]{0,4})?\})\??/.exec(rest);
    if (match === null) return this.refuse("a malformed quantifier");
    const bounds = /^\{([0-9]+),([0-9]+)\}/.exec(match[0]);
    if (bounds !== null && Number(bounds[1]) > Number(bounds[2])) {
      this.refuse("a quantifier whose minimum exceeds its maximum");
    }
    this.#index += match[0].length;
    return match[0];
  }

  /** `\d`-style escapes, or an escaped syntax character written as `\xHH`. */
  #escape(inClass: boolean): string {
    const escaped = this.#source[this.#index + 1];
    if (escaped === undefined) return this.refuse("a trailing backslash");
    this.#index += 2;
    if (CLASS_ESCAPES.has(escaped)) return `\\${escaped}`;
    if (SYNTAX_CHARACTERS.has(escaped)) return hexEscape(escaped);
    return this.refuse(`the escape \\${escaped}${inClass ? " in a class" : ""}`);
  }

  /** `[...]` or `[^...]` holding literals, escapes and ranges between literals. */
  #characterClass(): string {
    const source = this.#source;
    this.#index += 1;
    let out = "[";
    if (source[this.#index] === "^") {
      out += "^";
      this.#index += 1;
    }
    let items = 0;
    while (!this.done && source[this.#index] !== "]") {
      const first = this.#classAtom();
      if (source[this.#index] === "-" && source[this.#index + 1] !== "]") {
        this.#index += 1;
        const last = this.#classAtom();
        if (first.length !== 1 || last.length !== 1 || first > last) {
          this.refuse("a class range that is not between two literal characters in order");
        }
        out += `${first}-${last}`;
      } else {
        out += first;
      }
      items += 1;
    }
    if (this.done) return this.refuse("an unclosed [");
    if (items === 0) this.refuse("an empty class");
    this.#index += 1;
    return `${out}]`;
  }

  #classAtom(): string {
    const char = this.#source[this.#index]!;
    if (char === "\\") return this.#escape(true);
    // The v flag reserves doubled punctuators in classes (`&&` intersects, `--` subtracts).
    if (!/[A-Za-z0-9]/.test(char) && this.#source[this.#index + 1] === char) {
      this.refuse(`the doubled ${JSON.stringify(char + char)} in a class`);
    }
    this.#index += 1;
    if (GROUP_LITERAL.test(char)) return char;
    if (char === "." || char === "/" || char === "-") return hexEscape(char);
    return this.refuse(`the character ${JSON.stringify(char)} in a class`);
  }
}
