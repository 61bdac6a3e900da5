/**
 * `cacheHeaders()`: the function of `(request, response, identity)` that returns the response
 * with its caching headers.
 *
 * @module
 */

import { _ArgumentError, _notARequest, _toIdentity } from "./decide/arguments.ts";
import { type CacheDecision, uncached } from "./decide/decision.ts";
import { compileDecider, type Decider } from "./decide/order.ts";
import type { CacheHeadersOptions } from "./config/options.ts";
import type { Identity } from "./config/policies.ts";
import { neutraliseTargetedLifetimes } from "./headers/targets.ts";
import { varyFor, type WritePlan, writePlanOf } from "./decide/write_plan.ts";

/**
 * The function `cacheHeaders()` returns.
 *
 * @example
 * ```ts
 * import { type ApplyCacheHeaders, cacheHeaders } from "@cachewise/cachewise";
 * import assert from "node:assert/strict";
 *
 * const apply: ApplyCacheHeaders = cacheHeaders({ timeouts: { "all-users": { 60: ["/"] } } });
 * const response = apply(new Request("https://example.com/"), new Response("home"));
 * assert.equal(response.headers.get("cache-control"), "max-age=5, s-maxage=60");
 * assert.equal(await response.text(), "home");
 * ```
 */
export interface ApplyCacheHeaders {
  /**
   * Returns a new `Response` with the caching headers the rules give it, or the same response
   * when it must not be rebuilt or keeps the handler's `Cache-Control`. The body is passed on
   * unread. Never throws because of what a client sent; throws a `TypeError` for arguments of
   * the wrong type (a Promise instead of a Response, a string instead of a Request, an identity
   * that is neither `null`/`undefined` nor an object with a non-empty string `id`).
   */
  (request: Request, response: Response, identity?: Identity | null): Response;
  /**
   * The decision `apply()` would make, with the rule, policy and lifetime behind it. Throws the
   * same `TypeError`s as `apply()`.
   */
  explain(request: Request, response: Response, identity?: Identity | null): CacheDecision;
}

const UNCACHED_AFTER_ERROR = uncached("error");

/**
 * Compiles the options once and returns the function that gives each response its caching
 * headers. Throws a `CacheConfigError` listing every problem in the options.
 *
 * @example
 * ```ts
 * import { cacheHeaders } from "@cachewise/cachewise";
 * import assert from "node:assert/strict";
 *
 * const apply = cacheHeaders({
 *   timeouts: {
 *     "all-users": { "1h": ["/static/*"] },
 *     "per-user": { 60: ["/dashboard/*"] },
 *   },
 * });
 * const page = apply(new Request("https://example.com/static/app.js"), new Response("js"));
 * assert.equal(page.headers.get("cache-control"), "max-age=5, s-maxage=3600");
 * assert.equal(page.headers.get("x-accel-expires"), "3600");
 *
 * const mine = apply(new Request("https://example.com/dashboard/"), new Response("hi"), { id: "ann" });
 * assert.equal(mine.headers.get("cache-control"), "private, max-age=5");
 * assert.equal(mine.headers.get("vary"), "Cookie, Authorization");
 * ```
 */
export function cacheHeaders(options?: CacheHeadersOptions): ApplyCacheHeaders {
  return bindDecider(compileDecider(options));
}

/** Wraps a compiled decider into the public function. */
export function bindDecider(decider: Decider): ApplyCacheHeaders {
  const explain = (
    request: Request,
    response: Response,
    identity?: Identity | null,
  ): CacheDecision => {
    if (!(request instanceof Request)) throw _notARequest(request, "apply()");
    const known = identity == null ? null : _toIdentity(identity, "apply()");
    try {
      const decision = decider.decideBeforeIdentity(request, response);
      return "reason" in decision ? decision : decider.decideForIdentity(decision, request, known);
    } catch (error) {
      if (error instanceof _ArgumentError) throw error;
      decider.onError(error, request);
      return UNCACHED_AFTER_ERROR;
    }
  };
  const apply = (request: Request, response: Response, identity?: Identity | null): Response =>
    writeDecision(response, explain(request, response, identity));
  return Object.assign(apply, { explain });
}

/**
 * Writes a decision onto a copy of the response. The body stream is handed over unread, and
 * status, status text and every other header (each `Set-Cookie` too) are kept.
 *
 * The copy is built on the handler's headers and then written to, rather than built from a
 * `Headers` written first: the header list is copied once instead of twice. What is written comes
 * from the decision's write plan (decide/write_plan.ts), prepared when the decision was: names and
 * values ready, `Vary` joined once.
 */
export function writeDecision(response: Response, decision: CacheDecision): Response {
  const plan = writePlanOf(decision);
  if (!plan.rebuilds) return response;
  if (plan.rejects) return rejection(response, plan);
  try {
    // The response is its own ResponseInit: status, status text and headers are read from it.
    const written = new Response(response.body, response);
    const headers = written.headers;
    if (plan.neutralises) neutraliseTargetedLifetimes(headers);
    const fields = plan.fields;
    for (let i = 0; i < fields.length; i += 2) headers.set(fields[i]!, fields[i + 1]!);
    if (plan.varyNames !== null) {
      const vary = varyFor(plan, headers.get("vary"));
      if (vary !== null) headers.set("vary", vary);
    }
    if (plan.setCookie !== null) headers.append("set-cookie", plan.setCookie);
    return written;
  } catch {
    // A response that looked rebuildable and was not, or a header value `Headers` refuses:
    // better unchanged than an exception. The copy is dropped unread, so the handler's body
    // stream is neither locked nor disturbed and the response can still be sent.
    return response;
  }
}

/**
 * The 400 that replaces a response when the sign-in marker is forged and the options say to
 * reject: the handler's body is cancelled unread, the marker cleared.
 */
function rejection(response: Response, plan: WritePlan): Response {
  response.body?.cancel().catch(() => {});
  const headers = new Headers({
    "cache-control": "private, no-store",
    "content-type": "text/plain; charset=utf-8",
  });
  if (plan.setCookie !== null) headers.append("set-cookie", plan.setCookie);
  return new Response("Bad Request: the sign-in cookie does not match the session\n", {
    status: 400,
    headers,
  });
}
