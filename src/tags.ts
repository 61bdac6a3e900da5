/**
 * Cache tags (purge keys): templates such as `"product-:id"` filled in from the groups of the URL
 * a rule matched, and written in the header each CDN or Varnish reads them from. A tag comes from
 * its template and the URL alone, never from identity, cookies or other headers.
 *
 * Every tag is made of `A-Z a-z 0-9 - . _ ~ %` only, a set that all four vendors accept and that
 * holds none of their separators: Akamai's `Edge-Cache-Tag` is the strictest (RFC 7230 token
 * characters, and it refuses `:`, `/`, `*`, `,` and space), Cloudflare refuses spaces and splits on
 * commas, Fastly splits on spaces, xkey on spaces and commas.
 *
 * - Literal text in a template: `A-Z a-z 0-9 - . _ ~`. `%` is left to encoded group values.
 * - `:name` takes the value of the pattern's group `name`, where name is `[A-Za-z_][A-Za-z0-9_]*`,
 *   so `:shop-page` is group `shop` followed by `-page`. A literal `:` has no escape: Akamai
 *   refuses `:` in a tag, so `:` always starts a group reference.
 * - A group value (URL text, already percent-encoded by URLPattern) keeps `A-Z a-z 0-9 - . _ ~ %`;
 *   every other character is percent-encoded as UTF-8 with upper-case hex.
 *
 * @module
 */

import { _pathOf, type _ProblemList, _quote } from "./errors.ts";

/**
 * Vendor header names, lower-case, as configured by users in option `tagHeaders`.
 *
 * @example
 * ```ts
 * import type { TagHeaderName } from "./tags.ts";
 *
 * const headers: TagHeaderName[] = ["surrogate-key", "cache-tag"];
 * ```
 */
export type TagHeaderName = "surrogate-key" | "cache-tag" | "edge-cache-tag" | "xkey";

/**
 * How one vendor reads its tag header.
 *
 * @example
 * ```ts
 * import { TAG_HEADER_FORMATS, type TagHeaderFormat } from "./tags.ts";
 * import assert from "node:assert/strict";
 *
 * const akamai: TagHeaderFormat = TAG_HEADER_FORMATS["edge-cache-tag"];
 * assert.equal(akamai.maxTags, 128);
 * ```
 */
export interface TagHeaderFormat {
  /** The header name as written on the wire, such as `"Surrogate-Key"`. */
  readonly header: string;
  /** What separates two tags in the value (`" "` or `","`). */
  readonly separator: string;
  /** The longest tag the vendor accepts, in bytes (tags are ASCII). */
  readonly maxTagLength: number;
  /** The longest header value the vendor accepts, separators included, in bytes. */
  readonly maxHeaderLength: number;
  /** The most tags the vendor accepts on one response; `Infinity` where it documents no count. */
  readonly maxTags: number;
}

/**
 * Each vendor's header, separator and limits.
 *
 * Sources (November 2026):
 * - Fastly, https://www.fastly.com/documentation/reference/http/http-headers/Surrogate-Key/
 *   "Limitations": keys are space separated, each at most 1024 bytes, the header at most 16,384
 *   bytes (later keys are ignored); no limit on the count.
 * - Cloudflare, https://developers.cloudflare.com/cache/how-to/purge-cache/purge-by-tags/:
 *   comma separated, no spaces in tags; "the aggregate Cache-Tag HTTP header cannot exceed 16 KB
 *   after the header field name, which is approximately 1,000 unique tags". Taken as 16,000 bytes
 *   and 1,000 tags. Individual tags have no documented maximum: 1024 is our conservative choice.
 * - Akamai, https://techdocs.akamai.com/purge-cache/docs/assign-cache-tags and
 *   https://techdocs.akamai.com/purge-cache/docs/purge-content-cache-tag: one header of up to 128
 *   comma-delimited tags, each at most 128 characters. No length is documented for the header
 *   itself (it is refused as HDR2BIG when too long), only that Akamai's default limit on all
 *   reply headers together is 8192 bytes: we keep the tags to half of that, 4096.
 * - Varnish xkey, vmod_xkey(3): keys separated by spaces (and, in newer releases, commas); no
 *   limit documented. varnishd's `http_resp_hdr_len` (default 8k) bounds every backend response
 *   header line, name included: we keep the value to 8000 bytes, and each key to 1024 as Fastly.
 *
 * @example
 * ```ts
 * import { TAG_HEADER_FORMATS } from "./tags.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(TAG_HEADER_FORMATS["surrogate-key"].separator, " ");
 * assert.equal(TAG_HEADER_FORMATS["cache-tag"].header, "Cache-Tag");
 * ```
 */
export const TAG_HEADER_FORMATS: Readonly<Record<TagHeaderName, TagHeaderFormat>> = Object.freeze({
  "surrogate-key": defineFormat("Surrogate-Key", " ", 1024, 16384, Infinity),
  "cache-tag": defineFormat("Cache-Tag", ",", 1024, 16000, 1000),
  "edge-cache-tag": defineFormat("Edge-Cache-Tag", ",", 128, 4096, 128),
  "xkey": defineFormat("xkey", " ", 1024, 8000, Infinity),
});

function defineFormat(
  header: string,
  separator: string,
  maxTagLength: number,
  maxHeaderLength: number,
  maxTags: number,
): TagHeaderFormat {
  return Object.freeze({ header, separator, maxTagLength, maxHeaderLength, maxTags });
}

const NAMES = Object.keys(TAG_HEADER_FORMATS).map((name) => _quote(name)).join(", ");

/**
 * Validates option `tagHeaders`: an array of {@link TagHeaderName}s, in any case, each once.
 * Problems are recorded with code `"invalid-option"`.
 *
 * @returns The valid names, lower-case; empty when the option is absent.
 * @example
 * ```ts
 * import { _ProblemList } from "./errors.ts";
 * import { readTagHeaders } from "./tags.ts";
 * import assert from "node:assert/strict";
 *
 * const problems = new _ProblemList();
 * assert.deepEqual(readTagHeaders(["Surrogate-Key", "xkey"], problems), ["surrogate-key", "xkey"]);
 * assert.equal(problems.size, 0);
 * ```
 */
export function readTagHeaders(value: unknown, problems: _ProblemList): readonly TagHeaderName[] {
  const invalid = (path: string, message: string) =>
    problems.add("invalid-option", path, `Option "${path}" ${message}`);
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    invalid("tagHeaders", `must be an array of header names (${NAMES}), not ${_quote(value)}`);
    return [];
  }
  const names: TagHeaderName[] = [];
  value.forEach((given: unknown, index) => {
    const path = _pathOf("tagHeaders", index);
    const name = typeof given === "string" ? given.toLowerCase() : "";
    if (!isTagHeaderName(name)) {
      invalid(path, `must be one of ${NAMES}, not ${_quote(given)}`);
    } else if (names.includes(name)) {
      invalid(path, `repeats ${_quote(name)} (header names compare case-insensitively)`);
    } else {
      names.push(name);
    }
  });
  return names;
}

function isTagHeaderName(name: string): name is TagHeaderName {
  return Object.prototype.hasOwnProperty.call(TAG_HEADER_FORMATS, name);
}

/**
 * A rule's tags compiled against one pattern.
 *
 * @example
 * ```ts
 * import { _ProblemList } from "./errors.ts";
 * import { compileTags, type CompiledTags } from "./tags.ts";
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
 * import { _ProblemList } from "./errors.ts";
 * import { compileTags } from "./tags.ts";
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

const TAG = /^[A-Za-z0-9._~%-]+$/;

/**
 * Formats tags for each configured header, as `[name, value]` pairs in the order of `headers`.
 * Returns `null` when the tags do not fit a header's limits (too many, one too long, the value
 * too long) or one is not a tag {@link compileTags} could render; the caller then treats the
 * response as not cacheable, since a shared copy that cannot be purged must not be kept. No tags
 * give no headers.
 *
 * @example
 * ```ts
 * import { formatTagHeaders } from "./tags.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(formatTagHeaders(["product-1", "products"], ["surrogate-key", "cache-tag"]), [
 *   ["Surrogate-Key", "product-1 products"],
 *   ["Cache-Tag", "product-1,products"],
 * ]);
 * assert.equal(formatTagHeaders(["x".repeat(129)], ["edge-cache-tag"]), null);
 * ```
 */
export function formatTagHeaders(
  tags: readonly string[],
  headers: readonly TagHeaderName[],
): readonly (readonly [name: string, value: string])[] | null {
  if (tags.length === 0) return [];
  let longest = 0;
  for (const tag of tags) {
    if (!TAG.test(tag)) return null;
    longest = Math.max(longest, tag.length);
  }
  const fields: (readonly [name: string, value: string])[] = [];
  for (const name of headers) {
    const format = TAG_HEADER_FORMATS[name];
    if (tags.length > format.maxTags || longest > format.maxTagLength) return null;
    const value = tags.join(format.separator);
    if (value.length > format.maxHeaderLength) return null;
    fields.push([format.header, value]);
  }
  return fields;
}
