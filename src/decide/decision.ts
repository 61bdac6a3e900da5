/**
 * Decisions: what cachewise does with one response, and why. The same object drives the headers
 * that `apply()` writes and answers `apply.explain()`.
 *
 * @module
 */

import { type CacheControl, formatCacheControl } from "../headers/cache_control.ts";
import { type Audience, UNCACHED } from "./built_in_policies.ts";
import { type TargetExtensions, targetHeader, type TargetName } from "../headers/targets.ts";
import { netlifyVary } from "../headers/platforms.ts";
import type { EdgeRefusal } from "./edge.ts";
import { type SharedWritePlans, withWritePlan } from "./write_plan.ts";

/**
 * Why a response got the headers it got, or none.
 *
 * @example
 * ```ts
 * import { cacheHeaders } from "@cachewise/cachewise";
 * import assert from "node:assert/strict";
 *
 * const apply = cacheHeaders({ timeouts: { "all-users": { 60: ["/*"] } } });
 * const post = new Request("https://example.com/", { method: "POST", body: "x" });
 * assert.equal(apply.explain(post, new Response("ok")).reason, "method");
 * ```
 */
export type DecisionReason =
  /** 101 upgrades, `Response.error()`, a used body: returned as they are. */
  | "not-rebuildable"
  /** The handler set `Cache-Control`; it is kept and nothing is added. */
  | "handler-cache-control"
  /** The status is not cacheable (only 200, and 304 like 200, are): sent uncached. */
  | "status"
  /** The method is not GET or HEAD: sent uncached. */
  | "method"
  /** The response sets a cookie: sent uncached, the cookies untouched. */
  | "set-cookie"
  /** No rule matches the URL: sent uncached. */
  | "no-rule"
  /** The URL is longer than 8,192 characters, so no rule is tried: sent uncached. */
  | "url-too-long"
  /** A rule matched and its policy decided. */
  | "rule"
  /** A custom policy or `identify` failed: sent uncached, and `onError` was told. */
  | "error"
  /** Keyed mode: the request's identity cookies disagree with the identity; sent uncached. */
  | "identity-mismatch"
  /** The URL gives cache tags longer or more numerous than a tag header takes: sent uncached. */
  | "tag-limit";

/**
 * The rule that decided, as declared.
 *
 * @example
 * ```ts
 * import { cacheHeaders } from "@cachewise/cachewise";
 * import assert from "node:assert/strict";
 *
 * const apply = cacheHeaders({ timeouts: { "all-users": { "1h": ["/static/*"] } } });
 * const rule = apply.explain(new Request("https://example.com/static/a.js"), new Response("")).rule;
 * assert.deepEqual(rule, {
 *   policy: "all-users",
 *   lifetime: 3600,
 *   pattern: '"/static/*"',
 *   path: 'timeouts["all-users"]["1h"][0]',
 * });
 * ```
 */
export interface MatchedRule {
  /** The policy name. */
  readonly policy: string;
  /** The lifetime in seconds. */
  readonly lifetime: number;
  /** The pattern, readable: `"/blog/:slug"` or `{ hostname: "a.example", pathname: "/*" }`. */
  readonly pattern: string;
  /** Where it was declared: `timeouts["per-user"]["60"][2]`. */
  readonly path: string;
}

/**
 * What cachewise does with a response: the headers it writes and why.
 *
 * @example
 * ```ts
 * import { cacheHeaders } from "@cachewise/cachewise";
 * import assert from "node:assert/strict";
 *
 * const apply = cacheHeaders({ timeouts: { "per-user": { 60: ["/dashboard/*"] } } });
 * const decision = apply.explain(new Request("https://example.com/dashboard/x"), new Response("hi"), { id: "42" });
 * assert.equal(decision.reason, "rule");
 * assert.equal(decision.rule?.policy, "per-user");
 * assert.equal(decision.cacheControl, "private, max-age=5");
 * assert.equal(decision.shared, false);
 * ```
 */
export interface CacheDecision {
  /** Why. */
  readonly reason: DecisionReason;
  /** The rule that decided, when `reason` is `"rule"`. */
  readonly rule: MatchedRule | null;
  /** Who the response was made for, when a built-in policy decided. */
  readonly audience: Audience | null;
  /**
   * Whether the headers cachewise writes let a shared cache store and reuse the response; `false`
   * when it writes none (a handler's own `Cache-Control` is kept, and says for itself).
   */
  readonly shared: boolean;
  /** The `Cache-Control` written, or `null` when the response is returned unchanged. */
  readonly cacheControl: string | null;
  /** Request header names merged into `Vary`. */
  readonly vary: readonly string[];
  /** Other headers set, such as `X-Accel-Expires`, `CDN-Cache-Control` or `Surrogate-Key`. */
  readonly headers: readonly (readonly [name: string, value: string])[];
  /** The cache tags written (option `tagHeaders`), on responses a shared cache keeps. */
  readonly tags: readonly string[];
  /**
   * Whether targeted lifetime headers the handler set (`X-Accel-Expires`, `Surrogate-Control`,
   * `CDN-Cache-Control`, vendor fields) are replaced by their "never store" spelling: true on
   * every response a shared cache must not keep.
   */
  readonly neutralisesTargetedLifetimes: boolean;
  /** Keyed mode: how the request's identity cookies disagree with the identity, if they do. */
  readonly mismatch: string | null;
  /** Keyed mode: the `Set-Cookie` that sets or clears the sign-in marker, if any. */
  readonly setCookie: string | null;
  /** Keyed mode with `onForgedSignIn: "reject"`: the response is replaced by a 400. */
  readonly rejects: boolean;
  /**
   * Keyed mode: a deployment problem this request shows, or `null`. `"secure-marker-over-http"`:
   * the sign-in marker is `Secure` and the request came over plain HTTP (an `http:` URL to a host
   * other than loopback, without `X-Forwarded-Proto: https` or `Forwarded: proto=https`), so
   * browsers will not store the marker and signed-in pages are never served from the keyed cache.
   */
  readonly warning: DecisionWarning | null;
}

/**
 * A deployment problem a decision reports (keyed mode): `"secure-marker-over-http"`, a `Secure`
 * sign-in marker set or expected on a request that came over plain HTTP.
 *
 * @example
 * ```ts
 * import { cacheHeaders } from "@cachewise/cachewise";
 * import assert from "node:assert/strict";
 *
 * const apply = cacheHeaders({
 *   timeouts: { "per-user": { 60: ["/account/*"] } },
 *   keyed: { sessionCookie: "sessionid" },
 * });
 * const request = new Request("http://shop.example/account/", {
 *   headers: { cookie: "sessionid=abc" },
 * });
 * const decision = apply.explain(request, new Response("mine"), { id: "ann" });
 * assert.equal(decision.warning, "secure-marker-over-http");
 * ```
 */
export type DecisionWarning = "secure-marker-over-http";

const NOT_KEYED = { mismatch: null, setCookie: null, rejects: false, warning: null } as const;

/**
 * A decision that keeps the handler's `Cache-Control`: the response comes back unchanged, or,
 * with `neutralise`, rebuilt only to neutralise targeted lifetimes that contradict it.
 */
export function unchanged(
  reason: "not-rebuildable" | "handler-cache-control",
  neutralise = false,
): CacheDecision {
  return withWritePlan({
    reason,
    rule: null,
    audience: null,
    shared: false,
    cacheControl: null,
    vary: [],
    headers: [],
    tags: [],
    neutralisesTargetedLifetimes: neutralise,
    ...NOT_KEYED,
  });
}

/** A decision that sends the response uncached. */
export function uncached(reason: DecisionReason, rule: MatchedRule | null = null): CacheDecision {
  return withWritePlan({
    reason,
    rule,
    audience: null,
    shared: false,
    cacheControl: formatCacheControl(UNCACHED),
    vary: [],
    headers: [],
    tags: [],
    neutralisesTargetedLifetimes: true,
    ...NOT_KEYED,
  });
}

/**
 * How a rule's shared lifetime is delivered: the deployment's targets, the rule's lifetimes per
 * target, the RFC 5861 extensions targeted fields repeat, and its fixed tag headers.
 */
export interface Delivery {
  readonly targets: readonly TargetName[];
  readonly lifetimes: Readonly<Partial<Record<TargetName, number>>>;
  readonly extensions: TargetExtensions;
  /** Tags that do not depend on the URL, and the headers they are written in. */
  readonly tags: readonly string[];
  readonly tagHeaders: readonly (readonly [name: string, value: string])[];
}

/** What a rule decided, before it is turned into headers. */
export interface RuleOutcome {
  readonly rule: MatchedRule;
  readonly audience: Audience | null;
  readonly cacheControl: CacheControl;
  readonly vary: readonly string[];
  /** Headers a custom policy set. */
  readonly headers?: readonly (readonly [string, string])[];
  /** The page's shared lifetime when any shared cache may keep it, else `null`. */
  readonly sharedLifetime: number | null;
  /** Keyed mode: what the keyed cache needs to keep the page for exactly its audience. */
  readonly keyedCache?: KeyedCacheHint;
  /** A shared page the edge in front (option `cdn`) must not keep: how it is told so. */
  readonly refusal?: EdgeRefusal;
}

/**
 * The decision a policy's result leads to. The shared lifetime travels in `s-maxage` (already in
 * `cacheControl`) and in every other target of the deployment, and only on responses a shared
 * cache may reuse, or, in keyed mode, that the keyed cache keeps for exactly their audience
 * (`X-Accel-Expires`, which it reads and strips).
 */
export function ruleDecision(
  outcome: RuleOutcome,
  delivery: Delivery,
  writePlans?: SharedWritePlans,
): CacheDecision {
  const { sharedLifetime, keyedCache, refusal } = outcome;
  const shared = sharedLifetime !== null;
  const headers = [...(outcome.headers ?? [])];
  const byProxy = keyedCache !== undefined && keyedCache.carrier === "proxy";
  if (shared) {
    for (const target of delivery.targets) {
      if ((byProxy && target === "x-accel-expires") || target === refusal?.target) continue;
      const header = targetHeader(
        target,
        delivery.lifetimes[target] ?? sharedLifetime,
        delivery.extensions,
      );
      if (header !== null) headers.push(header);
    }
    if (refusal?.header) headers.push(refusal.header);
  }
  const keyedLifetime = keyedCache === undefined
    ? undefined
    : keyedCache.lifetime ?? sharedLifetime ?? undefined;
  if (keyedCache !== undefined && !byProxy) {
    // Netlify is the keyed cache: its own field carries the lifetime, Netlify-Vary the key.
    if (!shared && keyedLifetime !== undefined) {
      const field = "netlify-cdn-cache-control";
      headers.push(
        targetHeader(field, delivery.lifetimes[field] ?? keyedLifetime, delivery.extensions)!,
      );
    }
    if (keyedCache.hashCookies.length > 0) headers.push(netlifyVary(keyedCache.hashCookies));
  } else {
    if (keyedLifetime !== undefined) headers.push(["X-Accel-Expires", String(keyedLifetime)]);
    if (keyedCache !== undefined && keyedCache.hashCookies.length > 0) {
      headers.push(["X-Hash-Cookies", keyedCache.hashCookies.join(", ")]);
    }
  }
  const stored = shared || keyedLifetime !== undefined;
  if (stored) headers.push(...delivery.tagHeaders);
  const decision: CacheDecision = withWritePlan({
    reason: "rule",
    rule: outcome.rule,
    audience: outcome.audience,
    shared,
    cacheControl: formatCacheControl(outcome.cacheControl),
    vary: Object.freeze([...outcome.vary]),
    headers: Object.freeze(headers),
    tags: stored ? delivery.tags : [],
    neutralisesTargetedLifetimes: !shared,
    ...NOT_KEYED,
  }, writePlans);
  if (stored) STORED.add(decision);
  return decision;
}

/** Decisions that let a shared cache (any, or the keyed one) keep the page. */
const STORED = new WeakSet<CacheDecision>();

/** Whether a decision lets a shared cache keep the page, so that cache tags belong on it. */
export function isStored(decision: CacheDecision): boolean {
  return STORED.has(decision);
}

/**
 * The same decision with tags taken from the URL added. The caller adds them only to a decision
 * a shared cache keeps (`isStored()`).
 */
export function withTags(
  decision: CacheDecision,
  tags: readonly string[],
  tagHeaders: readonly (readonly [string, string])[],
): CacheDecision {
  return withWritePlan({
    ...decision,
    headers: Object.freeze([...decision.headers, ...tagHeaders]),
    tags: Object.freeze(tags),
  });
}

/**
 * Keyed mode: what the shared cache the application runs needs to store a page for exactly its
 * audience. It reads the lifetime from `X-Accel-Expires` (nginx natively, Varnish through the
 * generated VCL) and checks that `X-Hash-Cookies` names the cookies it keyed the request on.
 */
export interface KeyedCacheHint {
  /** Seconds the keyed cache keeps the page, even when it is `private` for everyone else. */
  readonly lifetime?: number;
  /** The cookies the page's cache key must include. */
  readonly hashCookies: readonly string[];
  /**
   * Who keys: a proxy running generated configuration, told by `X-Accel-Expires` and
   * `X-Hash-Cookies`; or Netlify, told by `Netlify-CDN-Cache-Control` and `Netlify-Vary`.
   */
  readonly carrier: "proxy" | "netlify";
}
