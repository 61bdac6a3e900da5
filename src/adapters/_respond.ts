/**
 * The per-request path the framework adapters share, as `withCacheHeaders()` runs it: decide up
 * to the identity, ask for the identity only when the matched policy depends on who asks, write
 * the decision, and add the debug header when asked to.
 *
 * @module
 */

import { type ApplyCacheHeaders, bindDecider, writeDecision } from "../apply.ts";
import { _ArgumentError, _toIdentity } from "../decide/arguments.ts";
import { type CacheDecision, uncached } from "../decide/decision.ts";
import { compileDecider, type Decider } from "../decide/order.ts";
import type { CacheHeadersOptions } from "../config/options.ts";
import type { Identity } from "../config/policies.ts";
import { _addDebugHeader, DEBUG_HEADER } from "./_debug.ts";
import { withDebugHeader } from "./debug.ts";

/**
 * Tells who is asking from what the framework hands over: an identity, or none for anonymous.
 *
 * @example
 * ```ts
 * import type { Identify } from "@cachewise/cachewise/workers";
 *
 * const fromBearer: Identify<[request: Request]> = (request) =>
 *   request.headers.get("authorization")?.startsWith("Bearer ") ? { id: "api-client" } : null;
 * ```
 */
export type Identify<Args extends unknown[]> = (
  ...args: Args
) => Identity | null | undefined | Promise<Identity | null | undefined>;

/**
 * Options every adapter takes besides those of `cacheHeaders()`.
 *
 * @example
 * ```ts
 * import type { AdapterOptions } from "@cachewise/cachewise/hono";
 *
 * const options: AdapterOptions = {
 *   timeouts: { "all-users": { "1h": ["/static/*"] } },
 *   debugHeader: true, // X-Cachewise on every response, for development
 * };
 * ```
 */
export interface AdapterOptions extends CacheHeadersOptions {
  /**
   * Adds the `X-Cachewise` debug header (reason, rule, policy, lifetime; never the identity) to
   * every response. Meant for development.
   * @default false
   */
  readonly debugHeader?: boolean;
}

/**
 * Gives one response its caching headers; `cacheHeaders` is the same options compiled as
 * `cacheHeaders()`, for `explain()`. Not named `apply`: a function's own `apply` shadows
 * `Function.prototype.apply`, which Node's EventEmitter calls on listeners.
 */
export interface _Respond<Args extends unknown[]> {
  (request: Request, response: Response, args: Args): Promise<Response>;
  readonly cacheHeaders: ApplyCacheHeaders;
}

const UNCACHED_AFTER_ERROR = uncached("error");
const OWN_OPTIONS: ReadonlySet<string> = new Set(["identify", "debugHeader"]);

/**
 * Compiles the options once (throwing a `CacheConfigError` for every problem) and returns the
 * per-request function. `identify` is called after the handler and only when needed; if it throws
 * or rejects, the response goes out uncached and `onError` is told.
 */
export function _compileRespond<Args extends unknown[]>(
  options: AdapterOptions | undefined,
  identify: Identify<Args> | undefined,
  caller: string,
): _Respond<Args> {
  if (identify !== undefined && typeof identify !== "function") {
    throw new TypeError(`${caller}: option "identify" must be a function, not ${typeof identify}`);
  }
  const debug = options?.debugHeader ?? false;
  if (typeof debug !== "boolean") {
    throw new TypeError(`${caller}: option "debugHeader" must be a boolean, not ${typeof debug}`);
  }
  const decider = compileDecider(options, OWN_OPTIONS);
  const respond = async (request: Request, response: Response, args: Args) => {
    const decision = await _decideLazily(decider, request, response, identify, args);
    const written = writeDecision(response, decision);
    return debug ? _addDebugHeader(written, response, decision, DEBUG_HEADER) : written;
  };
  const apply = bindDecider(decider);
  return Object.assign(respond, { cacheHeaders: debug ? withDebugHeader(apply) : apply });
}

/** The decision for one response, asking `identify` only when the policy depends on who asks. */
export async function _decideLazily<Args extends unknown[]>(
  decider: Decider,
  request: Request,
  response: Response,
  identify: Identify<Args> | undefined,
  args: Args,
): Promise<CacheDecision> {
  try {
    const decision = decider.decideBeforeIdentity(request, response);
    if ("reason" in decision) return decision;
    const identity = identify === undefined ? null : await identify(...args);
    const known = identity == null ? null : _toIdentity(identity, "identify()");
    return decider.decideForIdentity(decision, request, known);
  } catch (error) {
    if (error instanceof _ArgumentError) throw error;
    decider.onError(error, request);
    return UNCACHED_AFTER_ERROR;
  }
}
