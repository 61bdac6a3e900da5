/**
 * The four built-in audience policies of the default ("any cache") mode: who may share a cached
 * page, per audience. The contract a custom policy follows is in `config/policies.ts`.
 *
 * @module
 */

import type { BuiltInPolicyName, PolicyInput, PolicyResult } from "../config/policies.ts";
import type { CacheControl } from "../headers/cache_control.ts";

/**
 * Who a response is made for, as far as a built-in policy cares (`CacheDecision.audience`).
 *
 * @example
 * ```ts
 * import { cacheHeaders } from "@cachewise/cachewise";
 * import assert from "node:assert/strict";
 *
 * const apply = cacheHeaders({ timeouts: { "per-user": { 60: ["/*"] } } });
 * const request = new Request("https://example.com/", { headers: { authorization: "Bearer x" } });
 * assert.equal(apply.explain(request, new Response("x"), null).audience, "anonymous-unshared");
 * ```
 */
export type Audience =
  /** An anonymous visitor whose page a shared cache may keep. */
  | "anonymous"
  /** An anonymous visitor whose request carries `Authorization`: RFC 9111 §3.5 would let `s-maxage` share it. */
  | "anonymous-unshared"
  /** A signed-in user. */
  | "signed-in";

/** A built-in policy: its result depends on the audience only, so it is computed once per rule. */
export interface BuiltInPolicy {
  /** Whether the page differs by who asks (everything but `all-users`). */
  readonly identityDependent: boolean;
  /**
   * Keyed mode: what the shared cache keys the page on besides the URL: nothing, the presence of
   * the sign-in marker, or the session cookie's value.
   */
  readonly keyedOn: "nothing" | "sign-in" | "session";
  /** Keyed mode: whether the keyed cache keeps signed-in users' pages too. */
  readonly keepsSignedIn: boolean;
  /** The result for one audience. */
  decide(audience: Audience, input: Omit<PolicyInput, "request" | "identity">): PolicyResult;
}

/** `Cache-Control` for what must not be reused without asking the origin. */
export const UNCACHED: CacheControl = Object.freeze({ private: true, noCache: true });

function sharedFor(lifetime: number, browserSeconds: number): CacheControl {
  return { maxAge: Math.min(browserSeconds, lifetime), sMaxage: lifetime };
}

function privateFor(lifetime: number, browserSeconds: number): CacheControl {
  return { private: true, maxAge: Math.min(browserSeconds, lifetime) };
}

/** Shared for anonymous visitors; `signedIn` says what a signed-in user gets. */
function byAudience(
  signedIn: "private" | "uncached",
  keyedOn: "sign-in" | "session",
): BuiltInPolicy {
  return {
    identityDependent: true,
    keyedOn,
    keepsSignedIn: signedIn === "private",
    decide(audience, { lifetime, browserSeconds, identityHeaders }) {
      const vary = identityHeaders;
      if (lifetime === 0) return { cacheControl: UNCACHED, vary };
      if (audience === "anonymous") {
        return { cacheControl: sharedFor(lifetime, browserSeconds), vary };
      }
      if (audience === "signed-in" && signedIn === "uncached") {
        return { cacheControl: UNCACHED, vary };
      }
      return { cacheControl: privateFor(lifetime, browserSeconds), vary };
    },
  };
}

/**
 * The built-in policies in the default ("any cache") mode. Only what is the same for a whole
 * audience is shared: `all-users` pages, and the anonymous variant of the others with `Vary` on
 * the identity headers. Pages made for a signed-in user are `private`.
 *
 * | policy | anonymous | signed-in |
 * | --- | --- | --- |
 * | `all-users` | shared | shared (same page) |
 * | `anonymous-only` | shared, `Vary: Cookie, Authorization` | `private, no-cache` |
 * | `anonymous-and-authenticated` | shared, `Vary` | `private, max-age=min(browserSeconds, lifetime)` |
 * | `per-user` | shared, `Vary` | `private, max-age=min(browserSeconds, lifetime)` |
 */
export const BUILT_IN_POLICIES: Readonly<Record<BuiltInPolicyName, BuiltInPolicy>> = Object.freeze({
  "all-users": {
    identityDependent: false,
    keyedOn: "nothing",
    keepsSignedIn: true,
    decide(
      _audience: Audience,
      { lifetime, browserSeconds }: Omit<PolicyInput, "request" | "identity">,
    ): PolicyResult {
      return { cacheControl: lifetime === 0 ? UNCACHED : sharedFor(lifetime, browserSeconds) };
    },
  },
  "anonymous-only": byAudience("uncached", "sign-in"),
  "anonymous-and-authenticated": byAudience("private", "sign-in"),
  "per-user": byAudience("private", "session"),
});
