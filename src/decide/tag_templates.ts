/**
 * Cache tag templates: `"product-:id"` compiled once against the groups of a rule's pattern, and
 * filled in from the groups of the URL the rule matched. A tag comes from its template and the URL
 * alone, never from identity, cookies or other headers.
 *
 * - Literal text in a template: `A-Z a-z 0-9 - . _ ~`. `%` is left to encoded group values.
 * - `:name` takes the value of the pattern's group `name`, where name is `[A-Za-z_][A-Za-z0-9_]*`,
 *   so `:shop-page` is group `shop` followed by `-page`. A literal `:` has no escape: Akamai
 *   refuses `:` in a tag, so `:` always starts a group reference.
 * - A group value (URL text, already percent-encoded by URLPattern) keeps `A-Z a-z 0-9 - . _ ~ %`;
 *   every other character is percent-encoded as UTF-8 with upper-case hex.
 *
 * The headers the tags are written in, and their limits, are in `headers/tags.ts`.
 *
 * @module
 */

import { _pathOf, type _ProblemList, _quote } from "../config/errors.ts";

/**
 * A rule's tags compiled against one pattern.
 *
 * @example
 * ```ts
 * import { _ProblemList } from "../config/errors.ts";
 * import { compileTags, type CompiledTags } from "./tag_templates.ts";
 * import assert from "node:assert/strict";
 *
 * const problems = new _ProblemList();
 * const tags: CompiledTags | null = compileTags(["products"], "tags", '"/p"', new Set(), problems);
 * assert.deepEqual(tags?.fixed, ["products"]);
 * assert.equal(tags?.dynamic, false);
 * ```
 */
export interface CompiledTags {
  /** Tags without group references, already validated (the same for every URL). */
  readonly fixed: readonly string[];
  /** Whether some tag takes a group value from the URL. */
  readonly dynamic: boolean;
  /**
   * Renders every tag for one match. `groups(name)` returns the group's value, or `undefined` for
   * an optional group that did not take part; a tag whose group is undefined or empty is left
   * out. Returns the tags in declaration order, each once.
   */
  render(groups: (name: string) => string | undefined): readonly string[];
}

/** The most tags a rule may declare, and the longest literal text of one: Akamai's limits. */
const MAX_TAGS = 128;

const MAX_LITERAL_LENGTH = 128;

/** A template's tokens: a group reference, a run of literal text, a lone `:`, anything else. */
const TOKENS = /:([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z0-9._~-]+)|(:)|(.)/gsu;

const CONTROL = /\p{Cc}/u;

const LITERAL_SET = 'letters, digits, "-", ".", "_" and "~"';

/** A compiled template: a fixed tag, or literal text and group references in order. */
type Template = string | readonly (string | GroupRef)[];

interface GroupRef {
  readonly group: string;
}

/**
 * Validates a rule's `tags` (an array of templates) at option path `path` against the named
 * groups of one pattern, `groupNames`; `patternLabel` names the pattern in messages. Problems are
 * recorded with code `"invalid-tag"`, at `${path}[i]` for a single tag. A rule may declare at most
 * 128 tags, each with at most 128 characters of literal text: Akamai's limits, the strictest.
 * Limits that depend on the URL or on the headers are checked by {@link formatTagHeaders}.
 *
 * @returns The valid tags compiled, or `null` when none is valid.
 * @example
 * ```ts
 * import { _ProblemList } from "../config/errors.ts";
 * import { compileTags } from "./tag_templates.ts";
 * import assert from "node:assert/strict";
 *
 * const problems = new _ProblemList();
 * const groups = new Set(["id"]);
 * const tags = compileTags(["product-:id", "products"], "tags", '"/p/:id"', groups, problems);
 * assert.deepEqual(tags?.render((name) => name === "id" ? "caf%C3%A9 1" : undefined), [
 *   "product-caf%C3%A9%201",
 *   "products",
 * ]);
 * ```
 */
export function compileTags(
  value: unknown,
  path: string,
  patternLabel: string,
  groupNames: ReadonlySet<string>,
  problems: _ProblemList,
): CompiledTags | null {
  const invalid = (message: string) =>
    problems.add("invalid-tag", path, `Tags at ${path} ${message}`);
  if (!Array.isArray(value)) {
    invalid(`must be an array of strings, not ${_quote(value)}`);
    return null;
  }
  if (value.length === 0) {
    invalid("must list at least one tag");
    return null;
  }
  if (value.length > MAX_TAGS) {
    invalid(`must be at most ${MAX_TAGS} (Akamai's limit), not ${value.length}`);
  }
  const templates: Template[] = [];
  const seen = new Map<unknown, number>();
  value.forEach((given: unknown, index) => {
    const at = _pathOf(path, index);
    const first = seen.get(given);
    if (first !== undefined) {
      problems.add(
        "invalid-tag",
        at,
        `Tag ${_quote(given)} at ${at} repeats ${_pathOf(path, first)}`,
      );
      return;
    }
    if (typeof given === "string") seen.set(given, index);
    const template = parseTemplate(given, at, patternLabel, groupNames, problems);
    if (template !== null) templates.push(template);
  });
  return templates.length === 0 ? null : compileTemplates(templates);
}

function parseTemplate(
  given: unknown,
  at: string,
  patternLabel: string,
  groupNames: ReadonlySet<string>,
  problems: _ProblemList,
): Template | null {
  const fail = (message: string): null => {
    problems.add("invalid-tag", at, `Tag ${_quote(given)} at ${at} ${message}`);
    return null;
  };
  if (typeof given !== "string") return fail("must be a string");
  if (given === "") return fail("is empty");
  if (CONTROL.test(given)) return fail("contains control characters");
  const parts: (string | GroupRef)[] = [];
  const refused = new Set<string>();
  const unknown = new Set<string>();
  let colon = false;
  let literalLength = 0;
  for (const [, group, literal, lone, other] of given.matchAll(TOKENS)) {
    if (group !== undefined) {
      if (!groupNames.has(group)) unknown.add(group);
      parts.push({ group });
    } else if (literal !== undefined) {
      literalLength += literal.length;
      parts.push(literal);
    } else if (lone !== undefined) {
      colon = true;
    } else if (other !== undefined) {
      refused.add(other);
    }
  }
  const before = problems.size;
  if (refused.size > 0) {
    const listed = [...refused].map((char) => _quote(char)).join(", ");
    fail(`contains ${listed}, which not every cache accepts; literal text may use ${LITERAL_SET}`);
  }
  if (colon) {
    fail(
      `has a ":" without a group name after it; a literal ":" is not allowed (Akamai refuses it)`,
    );
  }
  for (const name of unknown) {
    const known = [...groupNames].map((group) => _quote(group)).join(", ");
    fail(
      `refers to group ${_quote(name)}, which pattern ${patternLabel} does not define; ` +
        (known === "" ? "it has no named groups" : `its groups: ${known}`),
    );
  }
  if (literalLength > MAX_LITERAL_LENGTH) {
    fail(
      `has ${literalLength} characters of literal text, more than the ${MAX_LITERAL_LENGTH} Akamai accepts`,
    );
  }
  if (problems.size > before) return null;
  return parts.length === 1 && typeof parts[0] === "string" ? parts[0] : parts;
}

function compileTemplates(templates: readonly Template[]): CompiledTags {
  const fixed = Object.freeze(templates.filter((t): t is string => typeof t === "string"));
  if (fixed.length === templates.length) {
    return Object.freeze({ fixed, dynamic: false, render: () => fixed });
  }
  const render = (groups: (name: string) => string | undefined): readonly string[] => {
    const tags: string[] = [];
    for (const template of templates) {
      const tag = typeof template === "string" ? template : fill(template, groups);
      if (tag !== undefined && !tags.includes(tag)) tags.push(tag);
    }
    return tags;
  };
  return Object.freeze({ fixed, dynamic: true, render });
}

function fill(
  parts: readonly (string | GroupRef)[],
  groups: (name: string) => string | undefined,
): string | undefined {
  let tag = "";
  for (const part of parts) {
    if (typeof part === "string") {
      tag += part;
      continue;
    }
    const value = groups(part.group);
    if (value === undefined || value === "") return undefined;
    tag += encodeValue(value);
  }
  return tag;
}

const SAFE_VALUE = /^[A-Za-z0-9._~%-]*$/;

const UNSAFE_RUN = /[^A-Za-z0-9._~%-]+/g;

const HEX = Array.from(
  { length: 256 },
  (_, byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`,
);

const ENCODER = new TextEncoder();

/** Percent-encodes what is outside the tag set; a lone surrogate becomes U+FFFD (`%EF%BF%BD`). */
function encodeValue(value: string): string {
  if (SAFE_VALUE.test(value)) return value;
  return value.replace(UNSAFE_RUN, (run) => {
    let encoded = "";
    for (const byte of ENCODER.encode(run)) encoded += HEX[byte];
    return encoded;
  });
}
