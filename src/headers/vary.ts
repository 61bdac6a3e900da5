/**
 * `Vary` merging: the handler's entries are kept, new ones appended once.
 *
 * @module
 */

/**
 * Merges request header names into a `Vary` value: case-insensitive, each name once, the existing
 * order kept and new names appended. A `*` anywhere makes the result exactly `*`, the one spelling
 * nginx and Varnish both recognise as "never reuse".
 *
 * @example
 * ```ts
 * import { mergeVary } from "@cachewise/cachewise";
 * import assert from "node:assert/strict";
 *
 * assert.equal(mergeVary("Accept-Encoding, cookie", ["Cookie", "Authorization"]),
 *   "Accept-Encoding, cookie, Authorization");
 * assert.equal(mergeVary("*", ["Cookie"]), "*");
 * assert.equal(mergeVary(null, []), null);
 * ```
 */
export function mergeVary(existing: string | null, additions: readonly string[]): string | null {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const name of [...splitList(existing), ...additions]) {
    const trimmed = name.trim();
    if (trimmed === "") continue;
    if (trimmed === "*") return "*";
    const key = trimmed.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    names.push(trimmed);
  }
  return names.length === 0 ? null : names.join(", ");
}

function splitList(value: string | null): string[] {
  return value === null ? [] : value.split(",");
}

const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Whether a string is a valid HTTP field name (an RFC 9110 §5.6.2 token). */
export function isFieldName(name: unknown): name is string {
  return typeof name === "string" && FIELD_NAME.test(name);
}
