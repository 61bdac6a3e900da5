/**
 * The directive model: every `Cache-Control` value cachewise writes is built as an object and
 * formatted here, in one place and one order.
 *
 * @module
 */

/**
 * `Cache-Control` response directives (RFC 9111 §5.2.2, RFC 5861, RFC 8246) as an object.
 * Lifetimes are whole seconds.
 *
 * @example
 * ```ts
 * import { type CacheControl, formatCacheControl } from "@cachewise/cachewise";
 * import assert from "node:assert/strict";
 *
 * const directives: CacheControl = { private: true, maxAge: 5 };
 * assert.equal(formatCacheControl(directives), "private, max-age=5");
 * ```
 */
export interface CacheControl {
  /** `public`: storable even where it would not be by default (e.g. with `Authorization`). */
  readonly public?: boolean;
  /** `private`: only the browser's cache may store it. */
  readonly private?: boolean;
  /** `no-cache`: may be stored, but must be revalidated before every reuse. */
  readonly noCache?: boolean;
  /** `no-store`: no cache may store it. */
  readonly noStore?: boolean;
  /** `max-age=N`: fresh for N seconds in every cache (browsers read only this). */
  readonly maxAge?: number;
  /** `s-maxage=N`: fresh for N seconds in shared caches, overriding `max-age` there. */
  readonly sMaxage?: number;
  /** `must-revalidate`: never served stale. */
  readonly mustRevalidate?: boolean;
  /** `proxy-revalidate`: like `must-revalidate`, for shared caches only. */
  readonly proxyRevalidate?: boolean;
  /** `no-transform`. */
  readonly noTransform?: boolean;
  /** `immutable` (RFC 8246): no revalidation while fresh. */
  readonly immutable?: boolean;
  /** `stale-while-revalidate=N` (RFC 5861). */
  readonly staleWhileRevalidate?: number;
  /** `stale-if-error=N` (RFC 5861). */
  readonly staleIfError?: number;
}

type FlagKey =
  | "public"
  | "private"
  | "noCache"
  | "noStore"
  | "mustRevalidate"
  | "proxyRevalidate"
  | "noTransform"
  | "immutable";
type SecondsKey = "maxAge" | "sMaxage" | "staleWhileRevalidate" | "staleIfError";

/** Every directive in the order it is written, with its name on the wire. */
const DIRECTIVES: readonly (readonly [FlagKey | SecondsKey, string])[] = [
  ["public", "public"],
  ["private", "private"],
  ["noCache", "no-cache"],
  ["noStore", "no-store"],
  ["maxAge", "max-age"],
  ["sMaxage", "s-maxage"],
  ["mustRevalidate", "must-revalidate"],
  ["proxyRevalidate", "proxy-revalidate"],
  ["noTransform", "no-transform"],
  ["immutable", "immutable"],
  ["staleWhileRevalidate", "stale-while-revalidate"],
  ["staleIfError", "stale-if-error"],
];

/**
 * Formats directives as a `Cache-Control` value, always in the same order.
 *
 * @throws {RangeError} when a lifetime is not a whole number of seconds ≥ 0.
 * @example
 * ```ts
 * import { formatCacheControl } from "@cachewise/cachewise";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatCacheControl({ sMaxage: 600, maxAge: 5 }), "max-age=5, s-maxage=600");
 * assert.equal(formatCacheControl({ private: true, noCache: true }), "private, no-cache");
 * ```
 */
export function formatCacheControl(directives: CacheControl): string {
  const parts: string[] = [];
  for (const [key, name] of DIRECTIVES) {
    const value = directives[key];
    if (value === undefined || value === false) continue;
    if (value === true) {
      parts.push(name);
    } else if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) {
      parts.push(`${name}=${value}`);
    } else {
      throw new RangeError(`Cache-Control ${name} must be whole seconds ≥ 0, not ${String(value)}`);
    }
  }
  return parts.join(", ");
}

/**
 * Whether a shared cache may store and reuse a response with these directives without asking the
 * origin first: no `private`, `no-store` or `no-cache`, and a positive shared lifetime.
 */
export function isSharedCacheable(directives: CacheControl): boolean {
  if (directives.private || directives.noStore || directives.noCache) return false;
  return (directives.sMaxage ?? directives.maxAge ?? 0) > 0;
}

/**
 * Whether a `Cache-Control` value written by someone else allows a shared cache to store the
 * response: it names neither `private` nor `no-store`. Read as nginx and Varnish read it (a
 * case-insensitive search for the directive names), so an odd value errs towards "shareable".
 */
export function allowsSharedStorage(cacheControl: string): boolean {
  return !PRIVATE_OR_NO_STORE.test(cacheControl);
}

const PRIVATE_OR_NO_STORE = /(?:^|[\s,])(?:private|no-store)(?:$|[\s,=])/i;
