/**
 * `withCacheHeaders()`: wraps a fetch handler for `Deno.serve`, `Bun.serve` or any server that
 * calls `(request, ...rest) => Response`.
 *
 * @module
 */

import { type ApplyCacheHeaders, bindDecider, writeDecision } from "./apply.ts";
import { _ArgumentError, _notARequest, _toIdentity } from "./decide/arguments.ts";
import { type CacheDecision, uncached } from "./decide/decision.ts";
import { compileDecider, type Decider, type PendingDecision } from "./decide/order.ts";
import type { CacheHeadersOptions } from "./config/options.ts";
import type { Identity } from "./config/policies.ts";

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
   * Who is asking: an `Identity` (an object with a non-empty string `id`), or `null`/`undefined`
   * for an anonymous visitor; anything else (`false`, `""`, `{}`) is a programmer mistake and
   * rejects with a `TypeError`. Called after the handler, and only when the matched policy
   * depends on who asks. If it throws or rejects, the response goes out uncached and `onError`
   * is told.
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
 * The wrapper is a fetch handler too: it returns the Response itself when the handler and
 * `identify` answer at once, and a promise when either returns one. An error from the handler
 * (or from `onError`) comes back as a rejected promise, never as an exception; so does a
 * `TypeError` for a handler that returns no `Response` or an `identify` that returns neither an
 * identity nor `null`/`undefined`. Called with anything but a `Request` (Node's `(req, res)`,
 * say), it throws a `TypeError` at once, without calling the handler.
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
): FetchHandler<Rest> & {
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
  // Not an async function: when the handler and `identify` answer at once, so does the wrapper,
  // with the Response itself: no promise per request, and the same type as the handler it wraps
  // (Deno.serve and Bun.serve take either; BENCHMARKS.md, "The wrapper").
  const wrapped = function (
    this: unknown,
    request: Request,
    ...rest: Rest
  ): Response | Promise<Response> {
    if (!(request instanceof Request)) throw _notARequest(request, "withCacheHeaders()'s handler");
    try {
      const response = handler.call(this, request, ...rest);
      return isThenable(response)
        ? Promise.resolve(response).then((resolved) =>
          respond(decider, identify, request, resolved, rest)
        )
        : respond(decider, identify, request, response, rest);
    } catch (error) {
      // The handler's errors (and onError's) reach the server as a rejection, as from an async
      // function, never as an exception: a node:http listener or an event emitter would crash.
      return Promise.reject(error);
    }
  };
  return Object.assign(wrapped, { cacheHeaders: bindDecider(decider) });
}

type Identified = Identity | null | undefined;

/** The response with its headers: at once, unless `identify` returns a promise. */
function respond<Rest extends unknown[]>(
  decider: Decider,
  identify: WithCacheHeadersOptions<Rest>["identify"],
  request: Request,
  response: Response,
  rest: Rest,
): Response | Promise<Response> {
  let pending: PendingDecision;
  let identity: Identified | Promise<Identified>;
  try {
    const decided = decider.decideBeforeIdentity(request, response);
    if ("reason" in decided) return writeDecision(response, decided);
    pending = decided;
    identity = identify === undefined ? null : identify(request, ...rest);
  } catch (error) {
    if (error instanceof _ArgumentError) throw error;
    return writeDecision(response, failed(decider, error, request));
  }
  if (!isThenable(identity)) {
    return writeDecision(response, decideFor(decider, pending, request, identity));
  }
  return Promise.resolve(identity).then(
    (known) => writeDecision(response, decideFor(decider, pending, request, known)),
    (error: unknown) => writeDecision(response, failed(decider, error, request)),
  );
}

/** The decision once the identity is known; an error sends the response uncached. */
function decideFor(
  decider: Decider,
  pending: PendingDecision,
  request: Request,
  identity: Identified,
): CacheDecision {
  const known = identity == null ? null : _toIdentity(identity, "identify()");
  try {
    return decider.decideForIdentity(pending, request, known);
  } catch (error) {
    return failed(decider, error, request);
  }
}

/** Tells `onError` and sends the response uncached. */
function failed(decider: Decider, error: unknown, request: Request): CacheDecision {
  decider.onError(error, request);
  return UNCACHED_AFTER_ERROR;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}
