/**
 * The platforms cachewise knows by name (option `cdn`): the header each reads a shared lifetime
 * from, the header it reads cache tags from, what it does with a response whose `Vary` names
 * `Cookie`, whether it can key its cache on a named cookie, and the response header that shows
 * a hit. Every fact has its source in docs/cdns.md; what cachewise decides from them is in
 * `decide/edge.ts`.
 *
 * | `cdn` | lifetime | tags | `Vary: Cookie` | keyed on a named cookie |
 * | --- | --- | --- | --- | --- |
 * | `deno-deploy` | `Deno-CDN-Cache-Control` | `Deno-Cache-Tag` | keys on it (RFC 9111) | no |
 * | `netlify` | `Netlify-CDN-Cache-Control` | `Netlify-Cache-Tag` | keys on it | by `Netlify-Vary` |
 * | `vercel` | `Vercel-CDN-Cache-Control` | `Vercel-Cache-Tag` | does not store | no |
 * | `cloudflare` | `Cloudflare-CDN-Cache-Control` | `Cache-Tag` | ignores it | no |
 * | `fastly` | `Surrogate-Control` | `Surrogate-Key` | keys on it | no |
 * | `akamai` | `s-maxage` | `Edge-Cache-Tag` | does not store | no |
 *
 * @module
 */

import type { TagHeaderName } from "./tags.ts";
import type { TargetName } from "./targets.ts";

/**
 * A platform in front of the application (option `cdn`).
 *
 * @example
 * ```ts
 * import type { CdnName } from "@cachewise/cachewise";
 *
 * const cdn: CdnName = "netlify";
 * ```
 */
export type CdnName = "deno-deploy" | "netlify" | "vercel" | "cloudflare" | "fastly" | "akamai";

/** What one platform reads and how its cache is keyed, as its documentation says. */
export interface Platform {
  /** The platform's name for people: `"Netlify"`. */
  readonly title: string;
  /** The target that carries the shared lifetime to it (added to option `targets`). */
  readonly target: TargetName;
  /** The header it reads cache tags from (added to option `tagHeaders`). */
  readonly tagHeader: TagHeaderName;
  /**
   * A storable response whose `Vary` names `Cookie`: stored per value of the named headers
   * (`"keys"`), not stored at all (`"refuses"`), or stored under the URL alone (`"ignores"`).
   */
  readonly varyOnCookie: "keys" | "refuses" | "ignores";
  /** Why a page that varies on `Cookie` is not cached there, when it is not. */
  readonly refusal: string;
  /** Whether response headers alone can key its cache on a named cookie (`Netlify-Vary`). */
  readonly keysOnNamedCookie: boolean;
  /** The response header, and its value, that shows a hit on the live platform. */
  readonly hit: string;
}

/**
 * Each platform. The lifetime field of each is the one its documentation ranks first; Akamai
 * reads `s-maxage` in `Cache-Control` when the property's Caching behavior honours the origin's
 * `Cache-Control` (docs/cdns.md says how to set it).
 *
 * @example
 * ```ts
 * import { PLATFORMS } from "./platforms.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(PLATFORMS.vercel.target, "vercel-cdn-cache-control");
 * assert.equal(PLATFORMS.netlify.keysOnNamedCookie, true);
 * ```
 */
export const PLATFORMS: Readonly<Record<CdnName, Platform>> = Object.freeze({
  "deno-deploy": {
    title: "Deno Deploy",
    target: "deno-cdn-cache-control",
    tagHeader: "deno-cache-tag",
    varyOnCookie: "keys",
    refusal: "",
    keysOnNamedCookie: false,
    hit: "Cache-Status: deno; hit",
  },
  "netlify": {
    title: "Netlify",
    target: "netlify-cdn-cache-control",
    tagHeader: "netlify-cache-tag",
    varyOnCookie: "keys",
    refusal: "",
    keysOnNamedCookie: true,
    hit: 'Cache-Status: "Netlify Edge"; hit',
  },
  "vercel": {
    title: "Vercel",
    target: "vercel-cdn-cache-control",
    tagHeader: "vercel-cache-tag",
    varyOnCookie: "refuses",
    refusal: "Vercel does not store responses that vary on Cookie",
    keysOnNamedCookie: false,
    hit: "x-vercel-cache: HIT",
  },
  "cloudflare": {
    title: "Cloudflare",
    target: "cloudflare-cdn-cache-control",
    tagHeader: "cache-tag",
    varyOnCookie: "ignores",
    refusal: "Cloudflare keys on the URL and ignores Vary: Cookie unless a Cache Rule says " +
      "otherwise, so cachewise sends Cloudflare-CDN-Cache-Control: no-store",
    keysOnNamedCookie: false,
    hit: "cf-cache-status: HIT",
  },
  "fastly": {
    title: "Fastly",
    target: "surrogate-control",
    tagHeader: "surrogate-key",
    varyOnCookie: "keys",
    refusal: "",
    keysOnNamedCookie: false,
    hit: "X-Cache: HIT",
  },
  "akamai": {
    title: "Akamai",
    target: "s-maxage",
    tagHeader: "edge-cache-tag",
    varyOnCookie: "refuses",
    refusal: "Akamai does not cache responses whose Vary names anything but Accept-Encoding",
    keysOnNamedCookie: false,
    hit: "X-Cache: TCP_HIT (ask with Pragma: akamai-x-cache-on)",
  },
});

/** Every platform name, in the order of the table above. */
export const CDN_NAMES: readonly CdnName[] = Object.freeze(Object.keys(PLATFORMS) as CdnName[]);

/** Whether a value names a platform. */
export function isCdnName(name: unknown): name is CdnName {
  return typeof name === "string" && Object.hasOwn(PLATFORMS, name);
}

/**
 * `Netlify-Vary` keying a page on the named cookies: `cookie=isauthenticated|messages`.
 * Cookie names are validated at construction (RFC 6265 tokens, which hold neither `|` nor `,`).
 *
 * @example
 * ```ts
 * import { netlifyVary } from "./platforms.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(netlifyVary(["isauthenticated", "messages"]), [
 *   "Netlify-Vary",
 *   "cookie=isauthenticated|messages",
 * ]);
 * ```
 */
export function netlifyVary(cookies: readonly string[]): readonly [name: string, value: string] {
  return ["Netlify-Vary", `cookie=${cookies.join("|")}`];
}
