/**
 * Audience policies: who may share a cached page. The four built-ins of the default ("any cache")
 * mode, and the contract a custom policy follows.
 *
 * @module
 */

import type { CacheControl } from "./cache_control.ts";

/**
 * Who is asking. `null` or `undefined` in its place means an anonymous visitor; any other value
 * counts as signed in.
 *
 * @example
 * ```ts
 * import type { Identity } from "@cachewise/cachewise";
 *
 * const ann: Identity = { id: "ann", plan: "gold" };
 * ```
 */
export interface Identity {
  /** A stable identifier of the signed-in user. */
  readonly id: string;
  /** Anything else the application knows; custom policies may read it. */
  readonly [field: string]: unknown;
}

/**
 * What a policy is told about the request it decides for.
 *
 * @example
 * ```ts
 * import type { PolicyInput, PolicyResult } from "@cachewise/cachewise";
 *
 * function byLanguage({ request, lifetime }: PolicyInput): PolicyResult {
 *   const language = request.headers.get("accept-language") ?? "";
 *   return { cacheControl: { maxAge: language ? lifetime : 0 }, vary: ["Accept-Language"] };
 * }
 * ```
 */
export interface PolicyInput {
  /** The request; read its URL or headers, never its body. */
  readonly request: Request;
  /** The signed-in user, or `null` for an anonymous visitor. */
  readonly identity: Identity | null;
  /** The lifetime of the rule that matched, in seconds. */
  readonly lifetime: number;
  /** The browser lifetime from the options, in seconds. */
  readonly browserSeconds: number;
  /** Request headers that carry identity (`identityHeaders` option); vary on them when the page depends on who asks. */
  readonly identityHeaders: readonly string[];
}

/**
 * What a policy decides: directives, request headers to vary on, and any other headers.
 *
 * @example
 * ```ts
 * import type { PolicyResult } from "@cachewise/cachewise";
 *
 * const result: PolicyResult = {
 *   cacheControl: { maxAge: 5, sMaxage: 600 },
 *   vary: ["Accept-Language"],
 *   headers: { "Content-Language": "en" },
 * };
 * ```
 */
export interface PolicyResult {
  /** The `Cache-Control` directives to write. */
  readonly cacheControl: CacheControl;
  /** Request header names to add to `Vary`. */
  readonly vary?: readonly string[];
  /** More response headers to set, such as `X-Is-Special-User`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A custom policy: a pure function of the request, identity and lifetime. It runs only for
 * GET/HEAD requests whose response is a 200 (or 304) without `Set-Cookie` or a handler's
 * `Cache-Control`. If it throws, the response is sent uncached and `onError` is told.
 *
 * @example A policy that varies on a header set by the proxy, as the seed's own test does
 * ```ts
 * import type { Policy } from "@cachewise/cachewise";
 *
 * const special: Policy = ({ identity, lifetime, browserSeconds }) => ({
 *   cacheControl: { maxAge: Math.min(browserSeconds, lifetime), sMaxage: lifetime },
 *   vary: ["X-Is-Special-User"],
 *   headers: { "X-Is-Special-User": identity?.special ? "1" : "0" },
 * });
 * ```
 */
export type Policy = (input: PolicyInput) => PolicyResult;

/**
 * Names of the built-in policies.
 *
 * @example
 * ```ts
 * import type { BuiltInPolicyName } from "@cachewise/cachewise";
 *
 * const strictest: BuiltInPolicyName = "per-user";
 * ```
 */
export type BuiltInPolicyName =
  | "all-users"
  | "anonymous-only"
  | "anonymous-and-authenticated"
  | "per-user";

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

/** Whether a name is one of the built-in policies. */
export function isBuiltInPolicyName(name: string): name is BuiltInPolicyName {
  return Object.hasOwn(BUILT_IN_POLICIES, name);
}
