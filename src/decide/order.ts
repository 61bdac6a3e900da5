/**
 * The decision order, compiled once from the options and run per request:
 *
 * 1. responses that cannot be rebuilt pass as they are;
 * 2. a `Cache-Control` from the handler wins (but never leaves a `Set-Cookie` response shareable,
 *    and targeted lifetimes never contradict a `private` or `no-store` it sets);
 * 3. only 200 (and 304, which repeats a 200's headers) are cacheable;
 * 4. only GET and HEAD;
 * 5. never a response that sets a cookie;
 * 6. the most specific rule's policy decides; no rule, no caching.
 *
 * In keyed mode, a request whose identity cookies disagree with its identity is then sent
 * uncached, whatever the steps above decided.
 *
 * @module
 */

import type { CacheHeadersOptions } from "../config/options.ts";
import type { Identity } from "../config/policies.ts";
import { allowsSharedStorage } from "../headers/cache_control.ts";
import { hasTargetedLifetime } from "../headers/targets.ts";
import { buildRankMatcher } from "../match/matcher.ts";
import { MAX_MATCHED_URL_LENGTH } from "../match/pattern_safety.ts";
import type { Audience } from "./built_in_policies.ts";
import { compileOptions } from "./compile.ts";
import { _notAResponse } from "./arguments.ts";
import { type CacheDecision, isStored, uncached, unchanged } from "./decision.ts";
import {
  cameOverPlainHttp,
  findMismatch,
  type IdentityCookies,
  markerFromResponse,
  type Mismatch,
  mismatchDecision,
  readIdentityCookies,
  withSecureMarkerWarning,
} from "./keyed.ts";
import { customDecision, type RulePlan } from "./plans.ts";
import { tagsFromURL } from "./rule_tags.ts";

/**
 * A decision that waits for the identity: the plan of the rule whose policy depends on who asks
 * (or whose tags depend on the URL), or, in keyed mode, what the identity cookies are checked with.
 */
export type PendingDecision = RulePlan | KeyedPending;

/** Keyed mode: what waits for the identity besides the rule's plan. */
export interface KeyedPending {
  readonly kind: "keyed";
  /** The plan of the rule whose policy depends on who asks, if that is what waits. */
  readonly plan: RulePlan | null;
  /** The decision already made without the identity, if any. */
  readonly decision: CacheDecision | null;
  /** The identity cookies to check against the identity. */
  readonly cookies: IdentityCookies | null;
  /** Whether the handler's own `Cache-Control` forbids shared storage. */
  readonly handlerForbidsSharing: boolean;
  /** The marker change a session cookie set or expired by the response calls for. */
  readonly responseMarker: Mismatch | null;
}

/** The options compiled into what decides per request. */
export interface Decider {
  /** The decision order up to the point where the identity is needed. */
  decideBeforeIdentity(request: Request, response: Response): CacheDecision | PendingDecision;
  /** The rest, once the identity is known. */
  decideForIdentity(
    pending: PendingDecision,
    request: Request,
    identity: Identity | null,
  ): CacheDecision;
  /** Called with errors turned into uncached responses. */
  readonly onError: (error: unknown, request: Request) => void;
}

const NOT_REBUILDABLE = unchanged("not-rebuildable");
const HANDLER_CACHE_CONTROL = unchanged("handler-cache-control");
const HANDLER_CACHE_CONTROL_NEUTRALISED = unchanged("handler-cache-control", true);
const UNCACHED_STATUS = uncached("status");
const UNCACHED_METHOD = uncached("method");
const UNCACHED_SET_COOKIE = uncached("set-cookie");
const UNCACHED_NO_RULE = uncached("no-rule");
const UNCACHED_URL_TOO_LONG = uncached("url-too-long");
const UNCACHED_MISMATCH = uncached("identity-mismatch");

/** Validates and compiles options into what decides per request. */
export function compileDecider(
  options: CacheHeadersOptions | undefined,
  ignoreOptions?: ReadonlySet<string>,
): Decider {
  const { config, ranked } = compileOptions(options, ignoreOptions);
  const matchRank = buildRankMatcher(ranked);
  /** Each rule's plan for 200 (and 304), by rank: one array read instead of the rule's object. */
  const ownPlans = ranked.map((rule) => rule.plan);
  const { keepHandlerCacheControl, identityHeaders, keyed, onError } = config;
  /** Statuses besides 200 and 304 that some rule caches. */
  const ruleStatuses = new Set(ranked.flatMap((rule) => [...rule.statusPlans.keys()]));
  /** Keyed mode: whether browsers drop the marker when it is set over plain HTTP. */
  const secureMarker = keyed !== null && (keyed.attributes.secure ?? true);

  /** Steps 2 to 6 without the identity. */
  function decideResponse(
    request: Request,
    status: number,
    headers: Headers,
    handlerCacheControl: string | null,
  ): CacheDecision | RulePlan {
    const setsCookie = headers.has("set-cookie");
    if (handlerCacheControl !== null) {
      if (allowsSharedStorage(handlerCacheControl)) {
        return setsCookie ? UNCACHED_SET_COOKIE : HANDLER_CACHE_CONTROL;
      }
      return hasTargetedLifetime(headers)
        ? HANDLER_CACHE_CONTROL_NEUTRALISED
        : HANDLER_CACHE_CONTROL;
    }
    const ownStatus = status === 200 || status === 304;
    if (!ownStatus && !ruleStatuses.has(status)) return UNCACHED_STATUS;
    const method = request.method;
    if (method !== "GET" && method !== "HEAD") return UNCACHED_METHOD;
    if (setsCookie) return UNCACHED_SET_COOKIE;
    const url = request.url;
    if (url.length > MAX_MATCHED_URL_LENGTH) return UNCACHED_URL_TOO_LONG;
    const rank = matchRank(url);
    if (rank === Infinity) return ownStatus ? UNCACHED_NO_RULE : UNCACHED_STATUS;
    const plan = ownStatus ? ownPlans[rank]! : ranked[rank]!.statusPlans.get(status);
    if (plan === undefined) return UNCACHED_STATUS;
    return plan.kind === "fixed" && plan.urlTags === null ? plan.decision : plan;
  }

  /** Step 6 for a policy that depends on who asks, or tags that depend on the URL. */
  function decideRule(
    plan: RulePlan,
    request: Request,
    identity: Identity | null,
    cookies: IdentityCookies | null,
  ): CacheDecision {
    const decision = decidePlan(plan, request, identity, cookies);
    const urlTags = plan.urlTags;
    if (urlTags === null || !isStored(decision)) return decision;
    return tagsFromURL(decision, urlTags, request.url);
  }

  function decidePlan(
    plan: RulePlan,
    request: Request,
    identity: Identity | null,
    cookies: IdentityCookies | null,
  ): CacheDecision {
    if (plan.kind === "fixed") return plan.decision;
    // get(), not has(): Deno answers get("authorization") from the request without copying its
    // header list, and both runtimes answer get() as fast as has().
    const carriesAuthorization = request.headers.get("authorization") !== null;
    if (plan.kind === "audience") {
      // The keyed cache tells visitors apart by cookie only: a signed-in identity that did not
      // come with the session cookie (a bearer token, say) gets the unkeyed, private page.
      const keyable = identity == null || cookies?.session.state === "present";
      if (plan.keyed !== null && !carriesAuthorization && keyable) {
        return plan.keyed[identity != null ? "signed-in" : "anonymous"];
      }
      const audience: Audience = identity != null
        ? "signed-in"
        : carriesAuthorization
        ? "anonymous-unshared"
        : "anonymous";
      return plan.decisions[audience];
    }
    const input = {
      request,
      identity,
      lifetime: plan.rule.lifetime,
      browserSeconds: plan.browserSeconds,
      identityHeaders,
    };
    return customDecision(
      plan,
      plan.policy(input),
      carriesAuthorization,
      identity != null,
      identityHeaders,
    );
  }

  /** Keyed mode: what the identity cookies are checked with, beside the decision or plan. */
  function keyedPending(
    request: Request,
    headers: Headers,
    decided: CacheDecision | RulePlan,
  ): CacheDecision | KeyedPending {
    const cookies = readIdentityCookies(request, keyed!);
    const responseMarker = headers.has("set-cookie") ? markerFromResponse(headers, keyed!) : null;
    if (cookies === null && responseMarker === null && "reason" in decided) return decided;
    const handlerCacheControl = headers.get("cache-control");
    return {
      kind: "keyed",
      plan: "reason" in decided ? null : decided,
      decision: "reason" in decided ? decided : null,
      cookies,
      handlerForbidsSharing: handlerCacheControl !== null &&
        !allowsSharedStorage(handlerCacheControl),
      responseMarker,
    };
  }

  return {
    onError,
    decideBeforeIdentity(request, response) {
      if (!(response instanceof Response)) throw _notAResponse(response);
      const status = response.status;
      // Response.error() and opaque responses have status 0.
      if (status < 200 || status > 599 || response.bodyUsed) {
        return NOT_REBUILDABLE;
      }
      const headers = response.headers;
      const handlerCacheControl = keepHandlerCacheControl ? headers.get("cache-control") : null;
      const decided = decideResponse(request, status, headers, handlerCacheControl);
      return keyed === null ? decided : keyedPending(request, headers, decided);
    },
    decideForIdentity(pending, request, identity) {
      if (pending.kind !== "keyed") return decideRule(pending, request, identity, null);
      const decision = pending.decision ??
        decideRule(pending.plan!, request, identity, pending.cookies);
      const mismatch = pending.responseMarker ??
        (pending.cookies === null ? null : findMismatch(pending.cookies, identity));
      const decided = mismatch === null ? decision : mismatchDecision(
        decision,
        mismatch,
        keyed!,
        identity,
        UNCACHED_MISMATCH,
        pending.handlerForbidsSharing,
      );
      // A signed-in visitor needs the marker, a sign-in sets it: over plain HTTP a Secure one
      // never reaches the browser, and signed-in pages never come from the keyed cache.
      if (
        secureMarker && (identity != null || mismatch?.marker === "set") &&
        cameOverPlainHttp(request)
      ) {
        return withSecureMarkerWarning(decided);
      }
      return decided;
    },
  };
}
