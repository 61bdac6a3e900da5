/**
 * What the platform named by option `cdn` does with each policy's pages, per audience: cached at
 * the edge for exactly that audience, or sent so that the edge keeps nothing. Planned once per
 * rule; the same answer drives the headers (`plans.ts`), `cachewise explain`, `cachewise check`
 * and the table at the top of docs/cdns.md.
 *
 * | the edge…                        | what cachewise writes                                    |
 * | -------------------------------- | -------------------------------------------------------- |
 * | keys on `Vary` (Deno Deploy, Fastly, Netlify) | the default mode's headers and its lifetime field |
 * | refuses or ignores `Vary: Cookie` (Vercel, Cloudflare, Akamai) | the field's `no-store` on every page that varies on who asks (Akamai: `private`) |
 * | keys on named cookies (Netlify with `keyed`) | `Netlify-Vary: cookie=…` and the field on the pages it keeps; `private, no-cache` for browsers |
 *
 * @module
 */

import type { KeyedConfig } from "../config/keyed.ts";
import { isBuiltInPolicyName } from "../config/policies.ts";
import { type CdnName, PLATFORMS } from "../headers/platforms.ts";
import { targetHeaderName, type TargetName } from "../headers/targets.ts";
import { BUILT_IN_POLICIES } from "./built_in_policies.ts";

/** Who asks, as far as the edge is concerned. */
export type EdgeAudience = "anonymous" | "signed-in";

/**
 * What the edge does with one rule's pages for one audience.
 *
 * @example
 * ```ts
 * import { edgeOutcome } from "./edge.ts";
 * import assert from "node:assert/strict";
 *
 * const rule = { policy: "anonymous-only", lifetime: 300, custom: false };
 * const outcome = edgeOutcome("vercel", null, ["Cookie", "Authorization"], rule, "anonymous");
 * assert.equal(outcome.cached, false);
 * assert.equal(outcome.text, "not cached at the edge: Vercel does not store responses that vary on Cookie");
 * ```
 */
export interface EdgeOutcome {
  /** Whether the edge keeps the page for exactly this audience. */
  readonly cached: boolean;
  /** What the edge keys the page on besides the URL, when it keeps it. */
  readonly keyedOn: string | null;
  /** One line for people: "cached at the edge for anonymous visitors, keyed on cookie isauthenticated". */
  readonly text: string;
}

/** A rule as the edge planning sees it. */
export interface EdgeRule {
  readonly policy: string;
  readonly lifetime: number;
  /** Whether a custom policy decides (also one that replaces a built-in name). */
  readonly custom: boolean;
}

const NOT_CACHED = "not cached at the edge: ";

/** Plans what the platform does with a rule's pages for an audience. */
export function edgeOutcome(
  cdn: CdnName,
  keyed: KeyedConfig | null,
  identityHeaders: readonly string[],
  rule: EdgeRule,
  audience: EdgeAudience,
): EdgeOutcome {
  const platform = PLATFORMS[cdn];
  if (rule.lifetime === 0) return notCached("lifetime 0 sends the page uncached");
  const builtIn = !rule.custom && isBuiltInPolicyName(rule.policy)
    ? BUILT_IN_POLICIES[rule.policy]
    : null;
  const keysByHeaders = keyed !== null && platform.keysOnNamedCookie;
  if (builtIn !== null && !builtIn.identityDependent) {
    const key = keysByHeaders ? keyedCookies(keyed.keyCookies) : null;
    return cached("for everybody", key);
  }
  if (audience === "signed-in") {
    if (builtIn === null) {
      return notCached("a custom policy's page for a signed-in visitor is private");
    }
    if (!builtIn.keepsSignedIn) {
      return notCached(`signed-in visitors get the page uncached (${rule.policy})`);
    }
    if (!keysByHeaders) {
      return notCached("a signed-in visitor's page is private (the default mode)");
    }
    const who = builtIn.keyedOn === "session"
      ? "for each signed-in visitor"
      : "for signed-in visitors";
    return cached(who, keyedCookies(identityCookies(builtIn.keyedOn, keyed)));
  }
  if (builtIn !== null && keysByHeaders) {
    return cached("for anonymous visitors", keyedCookies(identityCookies(builtIn.keyedOn, keyed)));
  }
  if (platform.varyOnCookie !== "keys") return notCached(platform.refusal);
  const headers = identityHeaders.length === 0
    ? null
    : `the ${identityHeaders.join(" and ")} header${identityHeaders.length > 1 ? "s" : ""}`;
  const who = builtIn === null
    ? "for anonymous visitors when the custom policy shares the page"
    : "for anonymous visitors";
  return cached(who, headers);
}

function cached(who: string, keyedOn: string | null): EdgeOutcome {
  const key = keyedOn === null ? "" : `, keyed on ${keyedOn}`;
  return { cached: true, keyedOn, text: `cached at the edge ${who}${key}` };
}

function notCached(why: string): EdgeOutcome {
  return { cached: false, keyedOn: null, text: `${NOT_CACHED}${why}` };
}

function identityCookies(keyedOn: "nothing" | "sign-in" | "session", keyed: KeyedConfig): string[] {
  const identity = keyedOn === "session"
    ? [keyed.sessionCookie]
    : keyedOn === "sign-in"
    ? [keyed.signInCookie]
    : [];
  return [...identity, ...keyed.keyCookies];
}

function keyedCookies(cookies: readonly string[]): string | null {
  if (cookies.length === 0) return null;
  return `${cookies.length > 1 ? "cookies" : "cookie"} ${cookies.join(", ")}`;
}

/**
 * How a page the edge must not keep is sent there: its lifetime field says `no-store`, or,
 * where the field is `s-maxage` itself (Akamai), `Cache-Control` becomes `private`.
 */
export interface EdgeRefusal {
  /** The target left out of such pages. */
  readonly target: TargetName;
  /** The header that tells the edge not to store, or `null` to make `Cache-Control` private. */
  readonly header: readonly [name: string, value: string] | null;
}

/** The refusal for a platform, prepared once per configuration. */
export function edgeRefusal(cdn: CdnName): EdgeRefusal {
  const target = PLATFORMS[cdn].target;
  return {
    target,
    header: target === "s-maxage" ? null : [targetHeaderName(target), "no-store"],
  };
}
