/**
 * `withCacheHeaders()`: wraps a fetch handler for `Deno.serve`, `Bun.serve` or any server that
 * calls `(request, ...rest) => Response`.
 *
 * @module
 */

import { type ApplyCacheHeaders, bindDecider, writeDecision } from "./apply.ts";
import { uncached } from "./decision.ts";
import { compileDecider } from "./decide.ts";
import type { CacheHeadersOptions } from "./options.ts";
import type { Identity } from "./policies.ts";

/**
 * A fetch handler: Deno passes connection info after the request, Bun the server.
 *
 * @example
 * ```ts
 * import type { FetchHandler } from "@cachewise/cachewise";
 *
 * const hello: FetchHandler<[]> = (request) => new Response(`hello ${new URL(request.url).pathname}`);
 * ```
 */
export type FetchHandler<Rest extends unknown[]> = (
  request: Request,
  ...rest: Rest
) => Response | Promise<Response>;

/**
 * Options of `withCacheHeaders()`: those of `cacheHeaders()` and how to tell who is asking.
 *
 * @example
 * ```ts
 * import type { Identity, WithCacheHeadersOptions } from "@cachewise/cachewise";
 *
 * const sessions = new Map<string, Identity>([["s-ann", { id: "ann" }]]);
 * const options: WithCacheHeadersOptions = {
 *   timeouts: { "per-user": { 60: ["/account/*"] } },
 *   identify: (request) => {
 *     const id = /(?:^|; )sessionid=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
 *     return id === undefined ? null : sessions.get(id) ?? null;
 *   },
 * };
 * ```
 */
export interface WithCacheHeadersOptions<Rest extends unknown[] = unknown[]>
  extends CacheHeadersOptions {
  /**
   * Who is asking: an `Identity`, or `null`/`undefined` for an anonymous visitor. Called after the
   * handler, and only when the matched policy depends on who asks. If it throws or rejects, the
   * response goes out uncached and `onError` is told.
   * @default () => null
   */
  readonly identify?: (
    request: Request,
    ...rest: Rest
  ) => Identity | null | undefined | Promise<Identity | null | undefined>;
}

const UNCACHED_AFTER_ERROR = uncached("error");
const OWN_OPTIONS: ReadonlySet<string> = new Set(["identify"]);

/**
 * Wraps a fetch handler so that every response it returns gets its caching headers. Extra
 * arguments (Deno's connection info, Bun's server) and `this` are passed through.
 *
 * @example
 * ```ts
 * import { withCacheHeaders } from "@cachewise/cachewise";
 * import assert from "node:assert/strict";
 *
 * const handler = withCacheHeaders(() => new Response("hello"), {
 *   timeouts: { "anonymous-only": { "5m": ["/", "/news/*"] } },
 *   identify: (request) => request.headers.has("cookie") ? { id: "someone" } : null,
 * });
 * // Deno.serve(handler); Bun.serve({ fetch: handler });
 * const response = await handler(new Request("https://example.com/news/today"));
 * assert.equal(response.headers.get("cache-control"), "max-age=5, s-maxage=300");
 * ```
 */
export function withCacheHeaders<Rest extends unknown[]>(
  handler: FetchHandler<Rest>,
  options: WithCacheHeadersOptions<Rest>,
): ((request: Request, ...rest: Rest) => Promise<Response>) & {
  /**
   * The compiled `cacheHeaders()` function, for `.explain()`. Not called `apply`: that would
   * shadow `Function.prototype.apply`, which Node's event emitter calls on listeners.
   */
  readonly cacheHeaders: ApplyCacheHeaders;
} {
  if (typeof handler !== "function") {
    throw new TypeError(`withCacheHeaders() needs a handler function, not ${typeof handler}`);
  }
  const identify = options?.identify;
  if (identify !== undefined && typeof identify !== "function") {
    throw new TypeError(`Option "identify" must be a function, not ${typeof identify}`);
  }
  const decider = compileDecider(options, OWN_OPTIONS);
  const wrapped = async function (
    this: unknown,
    request: Request,
    ...rest: Rest
  ): Promise<Response> {
    const response = await handler.call(this, request, ...rest);
    let decision;
    try {
      decision = decider.decideBeforeIdentity(request, response);
      if (!("reason" in decision)) {
        const identity = identify === undefined ? null : await identify(request, ...rest);
        decision = decider.decideForIdentity(decision, request, identity ?? null);
      }
    } catch (error) {
      decider.onError(error, request);
      decision = UNCACHED_AFTER_ERROR;
    }
    return writeDecision(response, decision);
  };
  return Object.assign(wrapped, { cacheHeaders: bindDecider(decider) });
}
