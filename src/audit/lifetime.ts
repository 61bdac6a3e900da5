/**
 * What the caching headers a client received say: how long a shared cache may keep the page, and,
 * when the rules say a page is shareable but the cache never kept it, the likely reason.
 *
 * @module
 */

/** The lifetime the received headers give a page. */
export interface Lifetime {
  /**
   * Seconds a shared cache may keep it fresh, as the headers received say: `s-maxage`, else
   * `max-age`, else `Expires` − `Date`; 0 for `private` or `no-store`; `null` when they name none
   * (a cache may then apply a heuristic or its own default).
   */
  readonly shared: number | null;
  /** Seconds a browser may keep it (`max-age`), or `null`. */
  readonly browser: number | null;
  /** Where `shared` comes from: `"s-maxage"`, `"max-age"`, `"Expires"`, `"private"`, `"no-store"`, `"none"`. */
  readonly from: string;
}

/** Response headers as an audit records them: lower-case names. */
export type RecordedHeaders = Readonly<Record<string, string>>;

/** `Cache-Control` directives, names lower-case, values unquoted (`true` for a bare directive). */
export function readCacheControl(value: string | undefined): Map<string, string | true> {
  const directives = new Map<string, string | true>();
  for (const part of (value ?? "").split(",")) {
    const equals = part.indexOf("=");
    const name = (equals < 0 ? part : part.slice(0, equals)).trim().toLowerCase();
    if (name === "" || directives.has(name)) continue; // RFC 9111 §4.2.1: the first one counts
    directives.set(
      name,
      equals < 0 ? true : part.slice(equals + 1).trim().replace(/^"(.*)"$/, "$1"),
    );
  }
  return directives;
}

function seconds(value: string | true | undefined): number | null {
  return typeof value === "string" && /^\d{1,10}$/.test(value) ? Number(value) : null;
}

/**
 * Reads the lifetime from `Cache-Control`, `Expires` and `Date`.
 *
 * @example
 * ```ts
 * import { readLifetime } from "@cachewise/cachewise/audit";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(readLifetime({ "cache-control": "max-age=5, s-maxage=600" }), {
 *   shared: 600,
 *   browser: 5,
 *   from: "s-maxage",
 * });
 * assert.equal(readLifetime({ "cache-control": "private, max-age=5" }).shared, 0);
 * assert.equal(readLifetime({}).shared, null);
 * ```
 */
export function readLifetime(headers: RecordedHeaders): Lifetime {
  const directives = readCacheControl(headers["cache-control"]);
  const browser = seconds(directives.get("max-age"));
  for (const name of ["no-store", "private"]) {
    if (directives.has(name)) return { shared: 0, browser, from: name };
  }
  const sMaxage = seconds(directives.get("s-maxage"));
  if (sMaxage !== null) return { shared: sMaxage, browser, from: "s-maxage" };
  if (browser !== null) return { shared: browser, browser, from: "max-age" };
  const expires = Date.parse(headers["expires"] ?? "");
  const date = Date.parse(headers["date"] ?? "");
  if (!Number.isNaN(expires)) {
    const base = Number.isNaN(date) ? expires : date;
    return { shared: Math.max(0, Math.round((expires - base) / 1000)), browser, from: "Expires" };
  }
  return { shared: null, browser, from: "none" };
}

/** What was received, for {@link likelyCause}. */
export interface ReceivedPage {
  /** The caching headers received. */
  readonly headers: RecordedHeaders;
  /** Names of the cookies the response set. */
  readonly setCookies: readonly string[];
  /** Whether the visitor sent `Authorization`. */
  readonly authorization: boolean;
}

/**
 * The likely reason a shared cache never kept a page the rules say it may keep, read from what was
 * received: a `Set-Cookie`, `private`/`no-store`, `Vary: *`, `Vary: Cookie` (Vercel and HAProxy
 * never store such a response), no lifetime at all, a lifetime of 0, `Authorization`.
 *
 * @example
 * ```ts
 * import { likelyCause } from "@cachewise/cachewise/audit";
 * import assert from "node:assert/strict";
 *
 * const cause = likelyCause({
 *   headers: { "cache-control": "s-maxage=60", vary: "Cookie", "x-vercel-cache": "MISS" },
 *   setCookies: [],
 *   authorization: false,
 * });
 * assert.match(cause, /Vary: Cookie/);
 * ```
 */
export function likelyCause(page: ReceivedPage): string {
  const { headers } = page;
  const directives = readCacheControl(headers["cache-control"]);
  const vary = (headers["vary"] ?? "").split(",").map((name) => name.trim().toLowerCase());
  const lifetime = readLifetime(headers);
  if (page.setCookies.length > 0) {
    return `the response sets a cookie (Set-Cookie: ${page.setCookies.join(", ")}); ` +
      "shared caches do not keep such responses, and must not";
  }
  if (lifetime.from === "private" || lifetime.from === "no-store") {
    return `Cache-Control says ${lifetime.from}`;
  }
  if (vary.includes("*")) return "Vary: * makes every stored copy unusable";
  if (vary.includes("cookie")) {
    const where = headers["x-vercel-cache"] !== undefined
      ? "this is Vercel, which"
      : "Vercel and HAProxy";
    return `Vary: Cookie: ${where} never store a response that varies on Cookie`;
  }
  if (lifetime.shared === null) {
    return "no lifetime a shared cache reads (s-maxage, max-age or Expires) as received";
  }
  if (lifetime.shared === 0 || directives.has("no-cache")) {
    return "a lifetime of 0 or no-cache: every use is revalidated with the origin";
  }
  if (page.authorization) {
    return "the request carries Authorization: many caches pass such requests (Varnish, Apache)";
  }
  return "nothing in the headers: look at the cache's own rules (its key, cookies or paths it passes)";
}
