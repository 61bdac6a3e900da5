/**
 * Models of the six platforms' edge caches (option `cdn`), each written from the platform's own
 * documentation (docs/cdns.md links every page) rather than from cachewise: which header gives
 * the lifetime, what `Vary` does to the key, and what `Netlify-Vary` adds. Where a platform's
 * documentation leaves a case open, the model takes the case that leaks most: `Set-Cookie` is
 * stored and replayed, a request with `Authorization` is served from the cache, every status is
 * stored, and duplicate cookies are read first or last as the test chooses.
 *
 * | model | lifetime from | `Vary` | extra key |
 * | --- | --- | --- | --- |
 * | Deno Deploy | `Deno-CDN-Cache-Control` > `CDN-Cache-Control` > `Cache-Control` | keyed on the named request headers (RFC 9111) | |
 * | Netlify | `Netlify-CDN-Cache-Control` > `CDN-Cache-Control` > `Cache-Control` | keyed | `Netlify-Vary: cookie=a\|b` |
 * | Vercel | `Vercel-CDN-Cache-Control` > `CDN-Cache-Control` > `Cache-Control` | keyed; naming `Cookie`: not stored | |
 * | Cloudflare | `Cloudflare-CDN-Cache-Control` > `CDN-Cache-Control` > `Cache-Control` | ignored: the URL alone | |
 * | Fastly | `Surrogate-Control` > `Cache-Control` | keyed | |
 * | Akamai | `Cache-Control` (Caching: honour origin Cache-Control) | anything but `Accept-Encoding`: not stored | |
 * | Akamai + Remove Vary | as Akamai | removed: the URL alone | |
 */

import type { CdnName } from "../mod.ts";
import { appCookie } from "./_cache_models.ts";

/** A platform model: how it reads a response's lifetime and keys its variants. */
export interface PlatformModel {
  readonly name: string;
  readonly cdn: CdnName;
  /** Lifetime fields read before `Cache-Control`, highest precedence first. */
  readonly fields: readonly string[];
  /** `Vary`: keyed on the named headers, not stored when it names `Cookie` (or anything but `Accept-Encoding`), or ignored. */
  readonly vary: "keys" | "refuses-cookie" | "refuses-any" | "ignores";
  /** Whether `Netlify-Vary` takes part in the key. */
  readonly netlifyVary: boolean;
}

/** Every model, the Akamai one twice: with and without the Remove Vary Header behavior. */
export const PLATFORM_MODELS: readonly PlatformModel[] = [
  model("Deno Deploy", "deno-deploy", ["deno-cdn-cache-control", "cdn-cache-control"], "keys"),
  model("Netlify", "netlify", ["netlify-cdn-cache-control", "cdn-cache-control"], "keys", true),
  model("Vercel", "vercel", ["vercel-cdn-cache-control", "cdn-cache-control"], "refuses-cookie"),
  model(
    "Cloudflare",
    "cloudflare",
    ["cloudflare-cdn-cache-control", "cdn-cache-control"],
    "ignores",
  ),
  model("Fastly", "fastly", ["surrogate-control"], "keys"),
  model("Akamai", "akamai", [], "refuses-any"),
  model("Akamai with Remove Vary Header", "akamai", [], "ignores"),
];

function model(
  name: string,
  cdn: CdnName,
  fields: readonly string[],
  vary: PlatformModel["vary"],
  netlifyVary = false,
): PlatformModel {
  return { name, cdn, fields, vary, netlifyVary };
}

/** Which duplicate cookie the platform reads when a name appears twice. */
export type DuplicateCookie = "first" | "last";

/** A cookie as the platform reads it: split on `;`, trimmed, the first or last duplicate. */
function cookieValue(
  header: string | null,
  name: string,
  duplicate: DuplicateCookie,
): string | null {
  return appCookie(header, name, duplicate);
}

/** A stored response: its variant key and the label the test gave it. */
export interface EdgeEntry {
  readonly url: string;
  readonly key: string;
  readonly madeFor: string;
  /** The `Cookie` header of the request whose response was stored. */
  readonly cookie: string | null;
  /** The request headers and cookies its key reads, to recompute a request's key. */
  readonly varyHeaders: readonly string[];
  readonly varyCookies: readonly string[];
}

/** A directive of a `Cache-Control`-like field: `true` for a flag, its value, or `null`. */
function directive(value: string, name: string): string | true | null {
  for (const part of value.split(",")) {
    const [key, argument] = part.split("=", 2).map((text) => text.trim());
    if (key?.toLowerCase() === name) return argument?.replace(/^"|"$/g, "") ?? true;
  }
  return null;
}

function positiveSeconds(value: string | true | null): number | null {
  if (typeof value !== "string" || !/^\d+$/.test(value)) return null;
  const seconds = Number(value);
  return seconds > 0 ? seconds : null;
}

/**
 * Seconds the edge keeps the response, or `null`: the first of its fields that is present decides
 * alone (RFC 9213 §2.1); `no-store` or `private` there keeps nothing. Without one, `Cache-Control`
 * as a shared cache reads it: `private`, `no-store` and `no-cache` keep nothing reusable, then
 * `s-maxage` over `max-age`.
 */
export function edgeLifetime(platform: PlatformModel, headers: Headers): number | null {
  for (const field of platform.fields) {
    const value = headers.get(field);
    if (value === null) continue;
    if (directive(value, "no-store") !== null || directive(value, "private") !== null) return null;
    return positiveSeconds(directive(value, "s-maxage")) ??
      positiveSeconds(directive(value, "max-age"));
  }
  const cacheControl = headers.get("cache-control");
  if (cacheControl === null) return null;
  for (const flag of ["private", "no-store", "no-cache"]) {
    if (directive(cacheControl, flag) !== null) return null;
  }
  return positiveSeconds(directive(cacheControl, "s-maxage")) ??
    positiveSeconds(directive(cacheControl, "max-age"));
}

/** The request headers a stored response varies on, lower-case; `null` when it is not stored. */
function varyHeadersOf(platform: PlatformModel, headers: Headers): string[] | null {
  const names = (headers.get("vary") ?? "").split(",").map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  if (platform.vary === "ignores") return [];
  if (names.includes("*")) return null;
  if (platform.vary === "refuses-cookie" && names.includes("cookie")) return null;
  if (platform.vary === "refuses-any" && names.some((name) => name !== "accept-encoding")) {
    return null;
  }
  return names;
}

/** The cookies `Netlify-Vary: cookie=a|b` names. */
function netlifyCookies(headers: Headers): string[] {
  const value = headers.get("netlify-vary");
  if (value === null) return [];
  const cookies: string[] = [];
  for (const part of value.split(",")) {
    const [kind, names] = part.split("=", 2).map((text) => text.trim());
    if (kind === "cookie" && names !== undefined) cookies.push(...names.split("|"));
  }
  return cookies;
}

function keyOf(
  request: Request,
  varyHeaders: readonly string[],
  varyCookies: readonly string[],
  duplicate: DuplicateCookie,
): string {
  const cookie = request.headers.get("cookie");
  return JSON.stringify([
    varyHeaders.map((name) => request.headers.get(name)),
    varyCookies.map((name) => cookieValue(cookie, name, duplicate)),
  ]);
}

/** One edge cache: entries stored, looked up for each request. Time does not pass. */
export class EdgeCache {
  readonly #entries: EdgeEntry[] = [];
  constructor(readonly platform: PlatformModel, readonly duplicate: DuplicateCookie) {}

  /** The entries the edge could hand this request. GET and HEAD only. */
  lookup(request: Request): EdgeEntry[] {
    if (request.method !== "GET" && request.method !== "HEAD") return [];
    return this.#entries.filter((entry) =>
      entry.url === request.url &&
      entry.key === keyOf(request, entry.varyHeaders, entry.varyCookies, this.duplicate)
    );
  }

  /** Stores the response if the platform would; returns whether it did. */
  store(request: Request, response: Response, madeFor: string): boolean {
    if (request.method !== "GET" && request.method !== "HEAD") return false;
    if (edgeLifetime(this.platform, response.headers) === null) return false;
    const varyHeaders = varyHeadersOf(this.platform, response.headers);
    if (varyHeaders === null) return false;
    const varyCookies = this.platform.netlifyVary ? netlifyCookies(response.headers) : [];
    const key = keyOf(request, varyHeaders, varyCookies, this.duplicate);
    const cookie = request.headers.get("cookie");
    this.#entries.push({ url: request.url, key, madeFor, cookie, varyHeaders, varyCookies });
    return true;
  }
}
