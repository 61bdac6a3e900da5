/**
 * cachewise tells every HTTP cache between a server and its users who may see a cached page, and
 * for how long. Give it `(request, response, identity)` and it returns a new `Response` whose
 * caching headers come from URLPattern rules grouped by audience policy.
 *
 * @example
 * ```ts
 * import { cacheHeaders } from "@cachewise/cachewise";
 * import assert from "node:assert/strict";
 *
 * const apply = cacheHeaders({
 *   timeouts: {
 *     "all-users": { 3600: ["/static/*", "/about"] },
 *     "anonymous-only": { 300: ["/", "/news/*"] },
 *     "anonymous-and-authenticated": { 600: ["/products/:id"] },
 *     "per-user": { 60: ["/dashboard/*"] },
 *   },
 * });
 * const request = new Request("https://example.com/news/today");
 * const anonymous = apply(request, new Response("news"));
 * assert.equal(anonymous.headers.get("cache-control"), "max-age=5, s-maxage=300");
 * const signedIn = apply(request, new Response("news"), { id: "ann" });
 * assert.equal(signedIn.headers.get("cache-control"), "private, no-cache");
 * ```
 *
 * @module
 */

export { type ApplyCacheHeaders, cacheHeaders } from "./src/apply.ts";
export { type CacheControl, formatCacheControl } from "./src/headers/cache_control.ts";
export type {
  CacheDecision,
  DecisionReason,
  DecisionWarning,
  MatchedRule,
} from "./src/decide/decision.ts";
export { type Lifetime, parseLifetime } from "./src/config/duration.ts";
export {
  CacheConfigError,
  type ConfigProblem,
  type ConfigProblemCode,
} from "./src/config/errors.ts";
export type { KeyedOptions } from "./src/config/keyed.ts";
export type { MarkerCookieAttributes } from "./src/headers/cookies.ts";
export type { CacheHeadersOptions } from "./src/config/options.ts";
export type { Timeouts } from "./src/config/timeouts.ts";
export type { Audience } from "./src/decide/built_in_policies.ts";
export type {
  BuiltInPolicyName,
  Identity,
  Policy,
  PolicyInput,
  PolicyResult,
} from "./src/config/policies.ts";
export type { RuleOptions } from "./src/config/rules.ts";
export type { RulePattern } from "./src/config/rules.ts";
export type { URLPatternInitLike, URLPatternLike } from "./src/config/url_pattern_like.ts";
export type { TagHeaderName } from "./src/headers/tags.ts";
export type { TargetName } from "./src/headers/targets.ts";
export type { CdnName } from "./src/headers/platforms.ts";
export { type FetchHandler, withCacheHeaders, type WithCacheHeadersOptions } from "./src/serve.ts";
export { mergeVary } from "./src/headers/vary.ts";
