/**
 * Hono middleware: `app.use(cacheHeadersMiddleware({ ...config, identify }))` gives every response
 * its caching headers after the handler ran. Typed structurally: nothing here imports Hono, at
 * run time or at type level.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { cacheHeadersMiddleware } from "@cachewise/cachewise/hono";
 *
 * type Env = { Variables: { user: { id: string } | null } };
 * const app = new Hono<Env>();
 * app.use(async (c, next) => {
 *   c.set("user", c.req.header("cookie")?.includes("session=") ? { id: "ann" } : null);
 *   await next();
 * });
 * app.use(cacheHeadersMiddleware({
 *   timeouts: { "anonymous-only": { "5m": ["/", "/news/*"] } },
 *   identify: (c) => c.get("user"),
 * }));
 * app.get("/news/:id", (c) => c.text("news"));
 * ```
 *
 * @module
 */

import type { ApplyCacheHeaders } from "../apply.ts";
import { _compileRespond, type AdapterOptions, type Identify } from "./_respond.ts";

export type { AdapterOptions, Identify } from "./_respond.ts";

/**
 * The part of Hono's `Context` the middleware uses: the request, and the response it replaces
 * once the handler ran. Hono's own `Context` fits it.
 */
export interface HonoContextLike {
  /** Hono's request wrapper; `raw` is the Web `Request`. */
  readonly req: { readonly raw: Request };
  /** The response so far. Hono allows `c.res = undefined; c.res = newResponse`. */
  res: Response | undefined;
  /**
   * A variable earlier middleware set with `c.set(key, value)`. Loosely typed here; for Hono's
   * own typing, pass your context type: `cacheHeadersMiddleware<Context<Env>>({ … })`.
   */
  // deno-lint-ignore no-explicit-any
  get(key: string): any;
}

/**
 * Options of `cacheHeadersMiddleware()`: those of `cacheHeaders()`, `identify` and `debugHeader`.
 *
 * @example
 * ```ts
 * import type { Context } from "hono";
 * import type { HonoCacheHeadersOptions } from "@cachewise/cachewise/hono";
 *
 * type Env = { Variables: { user: { id: string } | null } };
 * const options: HonoCacheHeadersOptions<Context<Env>> = {
 *   timeouts: { "per-user": { 60: ["/dashboard/*"] } },
 *   identify: (c) => c.get("user"),
 * };
 * ```
 */
export interface HonoCacheHeadersOptions<C extends HonoContextLike = HonoContextLike>
  extends AdapterOptions {
  /**
   * Who is asking, from the context (`(c) => c.get("user")`), or `null`/`undefined` for an
   * anonymous visitor. Called after the handler, and only when the matched policy depends on who
   * asks. May be async. If it throws, the page goes out uncached and `onError` is told.
   * @default () => null
   */
  readonly identify?: Identify<[c: C]>;
}

/** A Hono middleware, with the compiled `apply()` at `.cacheHeaders` for explanations. */
export interface HonoCacheHeadersMiddleware<C extends HonoContextLike = HonoContextLike> {
  (c: C, next: () => Promise<void>): Promise<void>;
  /** The options compiled as `cacheHeaders()`: `.cacheHeaders.explain(request, response, identity)`. */
  readonly cacheHeaders: ApplyCacheHeaders;
}

/**
 * Creates the middleware. Register it before the routes (`app.use(...)` or `app.use("/path/*",
 * ...)`); after `await next()` it replaces `c.res` with the response carrying its caching
 * headers. The options are compiled once, here: a `CacheConfigError` lists every problem.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { cacheHeadersMiddleware } from "@cachewise/cachewise/hono";
 * import assert from "node:assert/strict";
 *
 * const app = new Hono();
 * app.use(cacheHeadersMiddleware({ timeouts: { "all-users": { "1h": ["/static/*"] } } }));
 * app.get("/static/:file", (c) => c.text("body { }"));
 * app.get("/account", (c) => c.text("yours"));
 *
 * const page = await app.request("/static/site.css");
 * assert.equal(page.headers.get("cache-control"), "max-age=5, s-maxage=3600");
 * const account = await app.request("/account");
 * assert.equal(account.headers.get("cache-control"), "private, no-cache");
 * ```
 */
export function cacheHeadersMiddleware<C extends HonoContextLike = HonoContextLike>(
  options: HonoCacheHeadersOptions<C> = {},
): HonoCacheHeadersMiddleware<C> {
  const respond = _compileRespond<[C]>(options, options.identify, "cacheHeadersMiddleware()");
  const middleware = async (c: C, next: () => Promise<void>): Promise<void> => {
    await next();
    const response = c.res;
    if (response === undefined) return;
    const rebuilt = await respond(c.req.raw, response, [c]);
    if (rebuilt === response) return;
    // Assigning over an existing response makes Hono copy the old headers onto the new one
    // (which would undo a merged Vary); clearing it first hands Hono ours as they are.
    c.res = undefined;
    c.res = rebuilt;
  };
  return Object.assign(middleware, { cacheHeaders: respond.cacheHeaders });
}
