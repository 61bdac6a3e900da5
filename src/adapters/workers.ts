/**
 * Cloudflare Workers: `export default workersHandler(handler, options)` is a module Worker whose
 * `fetch(request, env, ctx)` gives every response its caching headers, passing `env` and `ctx`
 * through to the handler and to `identify`. Typed structurally: no `@cloudflare/workers-types`
 * needed, and Cloudflare's own `ExportedHandler<Env>` accepts it.
 *
 * @example
 * ```ts
 * import { workersHandler } from "@cachewise/cachewise/workers";
 *
 * interface Env { readonly SESSIONS: { get(key: string): Promise<string | null> } }
 *
 * export default workersHandler<Env>(() => new Response("hello"), {
 *   timeouts: { "per-user": { 60: ["/dashboard/*"] } },
 *   identify: async (request, env) => {
 *     const session = /(?:^|;\s*)session=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
 *     const user = session === undefined ? null : await env.SESSIONS.get(session);
 *     return user === null ? null : { id: user };
 *   },
 * });
 * ```
 *
 * @module
 */

import type { ApplyCacheHeaders } from "../apply.ts";
import { _compileRespond, type AdapterOptions, type Identify } from "./_respond.ts";

export type { AdapterOptions, Identify } from "./_respond.ts";

/** The part of a Workers `ExecutionContext` this module names; the real one fits it. */
export interface WorkersContextLike {
  /** Keeps the Worker alive until the promise settles, after the response is sent. */
  waitUntil(promise: Promise<unknown>): void;
}

/** A Workers fetch handler: the request, the bindings, the execution context. */
export type WorkersFetch<Env, Ctx> = (
  request: Request,
  env: Env,
  ctx: Ctx,
) => Response | Promise<Response>;

/**
 * Options of `workersHandler()`: those of `cacheHeaders()`, `identify` and `debugHeader`.
 *
 * @example
 * ```ts
 * import type { WorkersCacheHeadersOptions } from "@cachewise/cachewise/workers";
 *
 * interface Env { readonly USERS: { get(key: string): Promise<string | null> } }
 * const options: WorkersCacheHeadersOptions<Env> = {
 *   timeouts: { "per-user": { 60: ["/dashboard/*"] } },
 *   identify: async (request, env) => {
 *     const user = await env.USERS.get(request.headers.get("cookie") ?? "");
 *     return user === null ? null : { id: user };
 *   },
 * };
 * ```
 */
export interface WorkersCacheHeadersOptions<Env = unknown, Ctx = WorkersContextLike>
  extends AdapterOptions {
  /**
   * Who is asking, from the request and the bindings (a KV namespace, a session Durable Object),
   * or `null`/`undefined` for an anonymous visitor. Called after the handler, only when the
   * matched policy depends on who asks. May be async.
   * @default () => null
   */
  readonly identify?: Identify<[request: Request, env: Env, ctx: Ctx]>;
}

/** A module Worker, ready for `export default`, with the compiled `apply()` for explanations. */
export interface WorkersHandler<Env = unknown, Ctx = WorkersContextLike> {
  /** The Worker's entry point: the handler's response with its caching headers. */
  fetch(request: Request, env: Env, ctx: Ctx): Promise<Response>;
  /** The options compiled as `cacheHeaders()`: `.cacheHeaders.explain(request, response, identity)`. */
  readonly cacheHeaders: ApplyCacheHeaders;
}

/**
 * Wraps a Workers fetch handler, or an object with a `fetch` method (another module Worker, a
 * Hono app), into a module Worker that adds caching headers. Errors the handler throws reach
 * the runtime unchanged.
 *
 * @example
 * ```ts
 * import { workersHandler } from "@cachewise/cachewise/workers";
 * import assert from "node:assert/strict";
 *
 * const worker = workersHandler(
 *   { fetch: (_request: Request, env: { GREETING: string }) => new Response(env.GREETING) },
 *   { timeouts: { "all-users": { "1h": ["/about"] } } },
 * );
 * const ctx = { waitUntil() {} }; // the runtime passes its ExecutionContext here
 * const response = await worker.fetch(new Request("https://example.com/about"), { GREETING: "hi" }, ctx);
 * assert.equal(await response.text(), "hi");
 * assert.equal(response.headers.get("cache-control"), "max-age=5, s-maxage=3600");
 * ```
 */
export function workersHandler<Env = unknown, Ctx = WorkersContextLike>(
  handler: WorkersFetch<Env, Ctx> | { fetch: WorkersFetch<Env, Ctx> },
  options: WorkersCacheHeadersOptions<Env, Ctx> = {},
): WorkersHandler<Env, Ctx> {
  const call: WorkersFetch<Env, Ctx> | null = typeof handler === "function"
    ? handler
    : typeof handler?.fetch === "function"
    ? (request, env, ctx) => handler.fetch(request, env, ctx)
    : null;
  if (call === null) {
    throw new TypeError("workersHandler() needs a fetch handler or an object with a fetch method");
  }
  const respond = _compileRespond<[Request, Env, Ctx]>(
    options,
    options.identify,
    "workersHandler()",
  );
  return {
    async fetch(request: Request, env: Env, ctx: Ctx): Promise<Response> {
      return respond(request, await call(request, env, ctx), [request, env, ctx]);
    },
    cacheHeaders: respond.cacheHeaders,
  };
}
