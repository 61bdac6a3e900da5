/**
 * The URLPattern spec's "tokenize" and "parse a pattern string" algorithms, for ranking rules.
 *
 * Runtimes expose a URLPattern's component pattern strings (`pattern.pathname`, …) but not the
 * part lists behind them, and the spec's ordering works on part lists. The inputs here are those
 * already-normalised strings, so encoding is the identity and the tokenizer is strict.
 *
 * @see https://urlpattern.spec.whatwg.org/#parsing-patterns
 * @module
 */

/** The eight components of a URLPattern, by their property names. */
export type URLPatternComponent =
  | "protocol"
  | "username"
  | "password"
  | "hostname"
  | "port"
  | "pathname"
  | "search"
  | "hash";

/** The eight components, in the spec's order. */
export const URL_PATTERN_COMPONENTS: readonly URLPatternComponent[] = Object.freeze([
  "protocol",
  "username",
  "password",
  "hostname",
  "port",
  "pathname",
  "search",
  "hash",
]);

/**
 * The components besides the host name and the path: the trie indexes neither of them, so the
 * matcher confirms them by regular expression, and the proxies cannot match on them at all.
 */
export const COMPONENTS_BESIDE_HOST_AND_PATH: readonly URLPatternComponent[] = Object.freeze([
  "protocol",
  "username",
  "password",
  "port",
  "search",
  "hash",
]);

/** Part type of `*` and `(.*)`: matches anything. Lowest in the specificity order. */
export const PART_FULL_WILDCARD = 0;
/** Part type of `:name` and `([^\/]+?)`: matches up to the next delimiter. */
export const PART_SEGMENT_WILDCARD = 1;
/** Part type of a custom regexp group such as `:id(\d+)`. */
export const PART_REGEXP = 2;
/** Part type of fixed text. Highest in the specificity order. */
export const PART_FIXED = 3;
/** The kind of a {@link PatternPart}; a higher number is more specific. */
export type PartType =
  | typeof PART_FULL_WILDCARD
  | typeof PART_SEGMENT_WILDCARD
  | typeof PART_REGEXP
  | typeof PART_FIXED;

/** Modifier `*`: the part may occur any number of times. */
export const MODIFIER_ZERO_OR_MORE = 0;
/** Modifier `?`: the part may be absent. */
export const MODIFIER_OPTIONAL = 1;
/** Modifier `+`: the part occurs at least once. */
export const MODIFIER_ONE_OR_MORE = 2;
/** No modifier: the part occurs exactly once. */
export const MODIFIER_NONE = 3;
/** The modifier of a {@link PatternPart}; a higher number is more specific. */
export type PartModifier =
  | typeof MODIFIER_ZERO_OR_MORE
  | typeof MODIFIER_OPTIONAL
  | typeof MODIFIER_ONE_OR_MORE
  | typeof MODIFIER_NONE;

/** One part of a parsed component pattern string, as the spec defines it. */
export interface PatternPart {
  /** What the part matches. */
  readonly type: PartType;
  /** How often it may occur. */
  readonly modifier: PartModifier;
  /** The group name: custom (`"id"`), numeric for unnamed groups (`"0"`), `""` for fixed text. */
  readonly name: string;
  /** Fixed text matched before the group (`"/"` in `/:id`); `""` for fixed text. */
  readonly prefix: string;
  /** The fixed text, or the regexp source of a {@link PART_REGEXP} part; `""` for wildcards. */
  readonly value: string;
  /** Fixed text matched after the group (`"-x"` in `{:id-x}`); `""` for fixed text. */
  readonly suffix: string;
}

type TokenType =
  | "char"
  | "escaped-char"
  | "name"
  | "regexp"
  | "asterisk"
  | "other-modifier"
  | "open"
  | "close"
  | "end";

interface Token {
  readonly type: TokenType;
  /** Code unit index of the token in the pattern string, for messages. */
  readonly index: number;
  readonly value: string;
}

interface ComponentOptions {
  /** The one fixed character that becomes a group's prefix when written just before it. */
  readonly prefix: string;
  /** The regexp a group without one gets, built from the component's delimiter. */
  readonly segmentWildcard: string;
}

type Fail = (index: number, reason: string) => never;

const FULL_WILDCARD = ".*";
const PATHNAME: ComponentOptions = { prefix: "/", segmentWildcard: segmentWildcardFor("/") };
const HOSTNAME: ComponentOptions = { prefix: "", segmentWildcard: segmentWildcardFor(".") };
const OTHER: ComponentOptions = { prefix: "", segmentWildcard: segmentWildcardFor("") };
const SINGLE_CHARACTER_TOKENS: ReadonlyMap<string, TokenType> = new Map([
  ["*", "asterisk"],
  ["+", "other-modifier"],
  ["?", "other-modifier"],
  ["{", "open"],
  ["}", "close"],
]);
const MODIFIERS: ReadonlyMap<string, PartModifier> = new Map([
  ["*", MODIFIER_ZERO_OR_MORE],
  ["?", MODIFIER_OPTIONAL],
  ["+", MODIFIER_ONE_OR_MORE],
]);
const NAME_START = /^[$_\p{ID_Start}]$/u;
const NAME_PART = /^[$_\u200C\u200D\p{ID_Continue}]$/u;

/**
 * Parses one normalised component pattern string into its parts, as the spec's "parse a pattern
 * string" does. Pathnames are parsed with the options of special schemes (`http`, `https`): `/`
 * delimits segments and prefixes groups. Hostnames are delimited by `.`; other components have no
 * delimiter. Consecutive fixed text without a modifier becomes one part.
 *
 * @param pattern A component pattern string as a URLPattern returns it (`pattern.pathname`).
 * @param component Which component it is; decides the delimiter and the prefix character.
 * @returns The parts, in order; an empty list for an empty pattern string.
 * @throws {SyntaxError} When the pattern string is not valid pattern syntax.
 *
 * @example Parsing a pathname
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const [products, id] = parsePatternString("/products/:id(\\d+)", "pathname");
 * assert.equal(products?.type, PART_FIXED);
 * assert.equal(products?.value, "/products");
 * assert.equal(id?.type, PART_REGEXP);
 * assert.equal(id?.prefix, "/");
 * assert.equal(id?.value, "\\d+");
 * ```
 */
export function parsePatternString(
  pattern: string,
  component: URLPatternComponent,
): PatternPart[] {
  const fail: Fail = (index, reason) => {
    throw new SyntaxError(`Invalid ${component} pattern "${pattern}": ${reason} at index ${index}`);
  };
  const options = component === "pathname" ? PATHNAME : component === "hostname" ? HOSTNAME : OTHER;
  return parseTokens(tokenize(pattern, fail), options, fail);
}

/** The spec's "tokenize" with the strict policy: every tokenizing error throws. */
function tokenize(pattern: string, fail: Fail): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < pattern.length) {
    const char = codePointAt(pattern, index);
    const single = SINGLE_CHARACTER_TOKENS.get(char);
    if (single !== undefined) {
      tokens.push({ type: single, index, value: char });
      index += 1;
    } else if (char === "\\") {
      if (index === pattern.length - 1) fail(index, "trailing escape character");
      const escaped = codePointAt(pattern, index + 1);
      tokens.push({ type: "escaped-char", index, value: escaped });
      index += 1 + escaped.length;
    } else if (char === ":") {
      const end = scanName(pattern, index + 1);
      if (end === index + 1) fail(index, 'missing group name after ":"');
      tokens.push({ type: "name", index, value: pattern.slice(index + 1, end) });
      index = end;
    } else if (char === "(") {
      const end = scanRegexp(pattern, index, fail);
      tokens.push({ type: "regexp", index, value: pattern.slice(index + 1, end - 1) });
      index = end;
    } else {
      tokens.push({ type: "char", index, value: char });
      index += char.length;
    }
  }
  tokens.push({ type: "end", index, value: "" });
  return tokens;
}

/** Returns the index just past the group name starting at `start`. */
function scanName(pattern: string, start: number): number {
  let index = start;
  while (index < pattern.length) {
    const char = codePointAt(pattern, index);
    if (!(index === start ? NAME_START : NAME_PART).test(char)) break;
    index += char.length;
  }
  return index;
}

/** Returns the index just past the `)` closing the regexp group opened at `open`. */
function scanRegexp(pattern: string, open: number, fail: Fail): number {
  let depth = 1;
  let index = open + 1;
  while (index < pattern.length) {
    const char = pattern[index]!;
    if (char > "\x7f") fail(index, `non-ASCII character "${char}" in a regexp group`);
    if (index === open + 1 && char === "?") fail(index, 'regexp group starting with "?"');
    if (char === "\\") {
      const escaped = pattern[index + 1];
      if (escaped === undefined) fail(index, "trailing escape character in a regexp group");
      if (escaped > "\x7f") fail(index + 1, `non-ASCII character "${escaped}" in a regexp group`);
      index += 2;
      continue;
    }
    if (char === ")" && --depth === 0) {
      if (index === open + 1) fail(open, "empty regexp group");
      return index + 1;
    }
    if (char === "(") {
      depth += 1;
      if (index === pattern.length - 1) break;
      if (pattern[index + 1] !== "?") fail(index, "capturing group inside a regexp group");
    }
    index += 1;
  }
  return fail(open, "unbalanced regexp group");
}

/** A group as written: `{prefix :name(regexp) suffix}modifier`, or its short form `/:name`. */
interface Group {
  readonly prefix: string;
  readonly name: Token | undefined;
  readonly regexp: Token | undefined;
  readonly suffix: string;
  readonly modifier: Token | undefined;
}

/** The part list under construction, with the spec's parser state. */
interface PartList {
  readonly parts: PatternPart[];
  readonly names: Set<string>;
  pendingFixedValue: string;
  nextNumericName: number;
}

/** The spec's "parse a pattern string" over a token list, with identity encoding. */
function parseTokens(
  tokens: readonly Token[],
  options: ComponentOptions,
  fail: Fail,
): PatternPart[] {
  const cursor = new TokenCursor(tokens, fail);
  const list: PartList = { parts: [], names: new Set(), pendingFixedValue: "", nextNumericName: 0 };
  while (!cursor.done) {
    const char = cursor.take("char");
    const name = cursor.take("name");
    const regexp = cursor.takeRegexpOrWildcard(name);
    if (name !== undefined || regexp !== undefined) {
      let prefix = char?.value ?? "";
      if (prefix !== "" && prefix !== options.prefix) {
        list.pendingFixedValue += prefix;
        prefix = "";
      }
      flushPendingFixedValue(list);
      const modifier = cursor.takeModifier();
      addPart(list, { prefix, name, regexp, suffix: "", modifier }, options, fail);
      continue;
    }
    const fixed = char ?? cursor.take("escaped-char");
    if (fixed !== undefined) {
      list.pendingFixedValue += fixed.value;
      continue;
    }
    if (cursor.take("open") !== undefined) {
      const prefix = cursor.takeText();
      const name = cursor.take("name");
      const regexp = cursor.takeRegexpOrWildcard(name);
      const suffix = cursor.takeText();
      cursor.expect("close");
      const modifier = cursor.takeModifier();
      addPart(list, { prefix, name, regexp, suffix, modifier }, options, fail);
      continue;
    }
    flushPendingFixedValue(list);
    cursor.expect("end");
  }
  return list.parts;
}

/** The spec's "add a part": appends the part a group stands for, or its text as fixed text. */
function addPart(list: PartList, group: Group, options: ComponentOptions, fail: Fail): void {
  const modifier = MODIFIERS.get(group.modifier?.value ?? "") ?? MODIFIER_NONE;
  if (group.name === undefined && group.regexp === undefined) {
    if (modifier === MODIFIER_NONE) {
      list.pendingFixedValue += group.prefix;
      return;
    }
    flushPendingFixedValue(list);
    if (group.prefix !== "") list.parts.push(fixedPart(group.prefix, modifier));
    return;
  }
  flushPendingFixedValue(list);
  const regexp = group.regexp === undefined
    ? options.segmentWildcard
    : group.regexp.type === "asterisk"
    ? FULL_WILDCARD
    : group.regexp.value;
  const type = regexp === options.segmentWildcard
    ? PART_SEGMENT_WILDCARD
    : regexp === FULL_WILDCARD
    ? PART_FULL_WILDCARD
    : PART_REGEXP;
  const name = group.name?.value ?? String(list.nextNumericName++);
  if (list.names.has(name)) {
    fail((group.name ?? group.regexp)?.index ?? 0, `duplicate name "${name}"`);
  }
  list.names.add(name);
  const value = type === PART_REGEXP ? regexp : "";
  list.parts.push({ type, modifier, name, prefix: group.prefix, value, suffix: group.suffix });
}

function flushPendingFixedValue(list: PartList): void {
  if (list.pendingFixedValue === "") return;
  list.parts.push(fixedPart(list.pendingFixedValue, MODIFIER_NONE));
  list.pendingFixedValue = "";
}

function fixedPart(value: string, modifier: PartModifier): PatternPart {
  return { type: PART_FIXED, modifier, name: "", prefix: "", value, suffix: "" };
}

/** Reads a token list front to back, as the spec's parser does with its index. */
class TokenCursor {
  #tokens: readonly Token[];
  #fail: Fail;
  #index = 0;

  constructor(tokens: readonly Token[], fail: Fail) {
    this.#tokens = tokens;
    this.#fail = fail;
  }

  get done(): boolean {
    return this.#index >= this.#tokens.length;
  }

  take(type: TokenType): Token | undefined {
    const token = this.#tokens[this.#index];
    if (token?.type !== type) return undefined;
    this.#index += 1;
    return token;
  }

  /** A regexp group, or `*` when no name came before it (`:name*` is a name with a modifier). */
  takeRegexpOrWildcard(name: Token | undefined): Token | undefined {
    const regexp = this.take("regexp");
    return regexp ?? (name === undefined ? this.take("asterisk") : undefined);
  }

  takeModifier(): Token | undefined {
    return this.take("other-modifier") ?? this.take("asterisk");
  }

  /** Consecutive fixed characters, escaped or not, as one string. */
  takeText(): string {
    let text = "";
    for (let token = this.#takeFixed(); token !== undefined; token = this.#takeFixed()) {
      text += token.value;
    }
    return text;
  }

  expect(type: "close" | "end"): void {
    if (this.take(type) !== undefined) return;
    const found = this.#tokens[this.#index];
    const what = found === undefined || found.type === "end"
      ? "end of pattern"
      : `"${sourceOf(found)}"`;
    const expected = type === "close" ? '"}"' : "end of pattern";
    this.#fail(found?.index ?? 0, `unexpected ${what}, expected ${expected}`);
  }

  #takeFixed(): Token | undefined {
    return this.take("char") ?? this.take("escaped-char");
  }
}

/** The token as written in the pattern string. */
function sourceOf(token: Token): string {
  switch (token.type) {
    case "name":
      return `:${token.value}`;
    case "regexp":
      return `(${token.value})`;
    default:
      return token.value;
  }
}

/** The spec's "generate a segment wildcard regexp". */
function segmentWildcardFor(delimiter: string): string {
  return `[^${escapeRegexpString(delimiter)}]+?`;
}

/** The spec's "escape a regexp string". */
function escapeRegexpString(text: string): string {
  return text.replace(/[.+*?^${}()[\]|/\\]/g, "\\$&");
}

/** The code point at a code unit index, as a string of one or two code units. */
function codePointAt(text: string, index: number): string {
  return String.fromCodePoint(text.codePointAt(index)!);
}
