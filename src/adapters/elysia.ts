/**
 * Elysia (Bun): `app.use(cacheHeadersPlugin({ ...config, identify }))` gives every response its
 * caching headers in an `onAfterHandle` hook, and marks error responses uncached in an `onError`
 * hook. Typed structurally: nothing here imports Elysia, at run time or at type level.
 *
 * @example
 * ```ts ignore
 * import { Elysia } from "elysia";
 * import { cacheHeadersPlugin } from "@cachewise/cachewise/elysia";
 *
 * new Elysia()
 *   .derive(({ cookie }) => ({ user: cookie.session?.value ? { id: String(cookie.session.value) } : null }))
 *   .use(cacheHeadersPlugin({
 *     timeouts: { "per-user": { 60: ["/dashboard/*"] } },
 *     identify: ({ user }: { user: { id: string } | null }) => user,
 *   }))
 *   .get("/dashboard/", () => "hello")
 *   .listen(3000);
 * ```
 *
 * @module
 */

import type { ApplyCacheHeaders } from "../apply.ts";
import { _compileRespond, type AdapterOptions, type Identify } from "./_respond.ts";

export type { AdapterOptions, Identify } from "./_respond.ts";

/** Elysia's `set`: the status and headers the handler asked for, and the cookies it changed. */
export interface ElysiaSetLike {
  /** Headers the handler set; cachewise writes its own here for values that are not a Response. */
  headers: Record<string, unknown> | Headers;
  /** The status the handler set. */
  status?: number | string | undefined;
  /** Cookies the handler changed through `cookie`, sent as `Set-Cookie` after the hooks. */
  cookie?: Record<string, unknown> | undefined;
}

/** The part of Elysia's hook context the plugin reads. Elysia's own context fits it. */
export interface ElysiaContextLike {
  /** The Web `Request`. */
  readonly request: Request;
  /** What the handler asked Elysia to send besides its return value. */
  readonly set: ElysiaSetLike;
  /** What the handler returned (Elysia ≥ 1.3); `response` on older versions. */
  readonly responseValue?: unknown;
}

/** The two Elysia methods the plugin calls; an Elysia instance fits it. */
export interface ElysiaLike {
  /** Registers a hook that runs after each handler. */
  // deno-lint-ignore no-explicit-any
  onAfterHandle(options: { as: "global" }, hook: (context: any) => unknown): unknown;
  /** Registers a hook that runs on errors, including unknown routes. */
  // deno-lint-ignore no-explicit-any
  onError(options: { as: "global" }, hook: (context: any) => unknown): unknown;
}

/**
 * Options of `cacheHeadersPlugin()`: those of `cacheHeaders()`, `identify` and `debugHeader`.
 *
 * @example
 * ```ts
 * import type { ElysiaCacheHeadersOptions } from "@cachewise/cachewise/elysia";
 *
 * type User = { id: string } | null;
 * const options: ElysiaCacheHeadersOptions<{ user: User }> = {
 *   timeouts: { "per-user": { 60: ["/dashboard/*"] } },
 *   identify: ({ user }) => user, // what .derive() put in the context
 * };
 * ```
 */
export interface ElysiaCacheHeadersOptions<C extends object = ElysiaContextLike>
  extends AdapterOptions {
  /**
   * Who is asking, from Elysia's context (anything `derive`/`resolve` put there, such as
   * `({ user }: { user: User | null }) => user`), or `null`/`undefined` for an anonymous visitor.
   * Called after the handler, only when the matched policy depends on who asks. May be async.
   * @default () => null
   */
  readonly identify?: Identify<[context: C]>;
}

/** An Elysia plugin, with the compiled `apply()` at `.cacheHeaders` for explanations. */
export interface ElysiaCacheHeadersPlugin {
  <App extends ElysiaLike>(app: App): App;
  /** The options compiled as `cacheHeaders()`: `.cacheHeaders.explain(request, response, identity)`. */
  readonly cacheHeaders: ApplyCacheHeaders;
}

const PENDING_COOKIE = "cachewise-pending=1";

/**
 * Creates the plugin. Use it before the routes and before other `onError` hooks. A handler that
 * returns a `Response` gets a rebuilt one; any other value (text, JSON, `status(404, …)`) keeps
 * Elysia's own mapping and cachewise writes its headers into `set.headers`. Cookies changed
 * through `cookie` count as `Set-Cookie`: such responses are never shared.
 *
 * @example
 * ```ts
 * import { Elysia } from "elysia";
 * import { cacheHeadersPlugin } from "@cachewise/cachewise/elysia";
 * import assert from "node:assert/strict";
 *
 * const app = new Elysia()
 *   .use(cacheHeadersPlugin({ timeouts: { "all-users": { "1h": ["/static/*"] } } }))
 *   .get("/static/:file", () => "body { }")
 *   .get("/account", () => "yours");
 * const page = await app.handle(new Request("http://localhost/static/site.css"));
 * assert.equal(page.headers.get("cache-control"), "max-age=5, s-maxage=3600");
 * const account = await app.handle(new Request("http://localhost/account"));
 * assert.equal(account.headers.get("cache-control"), "private, no-cache");
 * ```
 */
export function cacheHeadersPlugin<C extends object = ElysiaContextLike>(
  options: ElysiaCacheHeadersOptions<C> = {},
): ElysiaCacheHeadersPlugin {
  // Elysia's context, with whatever derive/resolve added: what `identify` declares it reads.
  const respond = _compileRespond<[C]>(options, options.identify, "cacheHeadersPlugin()");

  async function afterHandle(context: ElysiaContextLike): Promise<unknown> {
    let value = context.responseValue ?? (context as { response?: unknown }).response;
    // Elysia answers a route declared with a static Response through a function that clones it.
    if (typeof value === "function") value = await (value as () => unknown)();
    const own = value instanceof Response ? value : null;
    let probe: Response;
    try {
      probe = probeResponse(context.set, statusOf(value, context.set), own?.headers ?? null);
    } catch {
      return undefined; // headers no Response can carry: Elysia itself reports them
    }
    const written = await respond(context.request, probe, [context as unknown as C]);
    if (written.body !== null) { // the probe has none: keyed mode's 400 for a forged sign-in
      await own?.body?.cancel().catch(() => {});
      return written;
    }
    if (own !== null && written !== probe) return copyInto(written, own, probe);
    if (own === null) writeSet(context.set, probe.headers, written.headers);
    return value === context.responseValue ? undefined : value;
  }

  async function onError(context: ElysiaContextLike): Promise<void> {
    const status = typeof context.set.status === "number" && context.set.status >= 400
      ? context.set.status
      : 500;
    let probe: Response;
    try {
      probe = probeResponse(context.set, status, null);
    } catch {
      return;
    }
    const written = await respond(context.request, probe, [context as unknown as C]);
    writeSet(context.set, probe.headers, written.headers);
  }

  const plugin = <App extends ElysiaLike>(app: App): App => {
    app.onAfterHandle({ as: "global" }, afterHandle);
    app.onError({ as: "global" }, onError);
    return app;
  };
  return Object.assign(plugin, { cacheHeaders: respond.cacheHeaders });
}

/** The status Elysia will send: `status(404, …)`'s code, a Response's own, else `set.status`. */
function statusOf(value: unknown, set: ElysiaSetLike): number {
  const fromSet = set.status === undefined ? 200 : typeof set.status === "number" ? set.status : 0;
  if (value instanceof Response) return value.status === 200 ? fromSet : value.status;
  const code = (value as { code?: unknown } | null)?.code;
  const custom = value?.constructor?.name === "ElysiaCustomStatusResponse";
  return custom && typeof code === "number" ? code : fromSet;
}

/**
 * A body-less response with the status and headers Elysia will send, to decide on: a Response's
 * own headers win over `set.headers` (as Elysia merges them), and cookies changed through
 * `cookie` stand in as a `Set-Cookie`. An unknown status becomes 500: sent uncached.
 */
function probeResponse(set: ElysiaSetLike, status: number, own: Headers | null): Response {
  const headers = new Headers(own ?? undefined);
  const fromSet = set.headers instanceof Headers
    ? set.headers.entries()
    : Object.entries(set.headers);
  for (const [name, value] of fromSet) {
    if (value === undefined || value === null || (own !== null && own.has(name))) continue;
    if (Array.isArray(value)) { for (const item of value) headers.append(name, String(item)); }
    else headers.set(name, String(value));
  }
  if (set.cookie !== undefined && Object.keys(set.cookie).length > 0) {
    headers.append("set-cookie", PENDING_COOKIE);
  }
  const valid = Number.isInteger(status) && status >= 200 && status <= 599;
  return new Response(null, { status: valid ? status : 500, headers });
}

/** The response with the headers cachewise changed on the probe; the body handed over unread. */
function copyInto(written: Response, value: Response, probe: Response): Response {
  const headers = new Headers(value.headers);
  for (const [name, after] of changedHeaders(probe.headers, written.headers)) {
    if (name === "set-cookie") headers.append(name, after);
    else headers.set(name, after);
  }
  return new Response(value.body, { status: value.status, statusText: value.statusText, headers });
}

/** Writes the headers cachewise changed into `set.headers`, replacing any case variant. */
function writeSet(set: ElysiaSetLike, before: Headers, after: Headers): void {
  for (const [name, value] of changedHeaders(before, after)) {
    if (set.headers instanceof Headers) {
      if (name === "set-cookie") set.headers.append(name, value);
      else set.headers.set(name, value);
      continue;
    }
    const record = set.headers;
    const existing = Object.keys(record).filter((key) => key.toLowerCase() === name);
    if (name === "set-cookie") {
      const cookies = existing.flatMap((key) => record[key] as string | string[]);
      for (const key of existing) delete record[key];
      record[name] = [...cookies, value];
      continue;
    }
    for (const key of existing) delete record[key];
    record[name] = value;
  }
}

/** Headers set or changed from `before` to `after`; of `Set-Cookie`, only the new cookies. */
function changedHeaders(before: Headers, after: Headers): [string, string][] {
  const changed: [string, string][] = [];
  const cookies = new Set(before.getSetCookie());
  for (const cookie of after.getSetCookie()) {
    if (!cookies.has(cookie)) changed.push(["set-cookie", cookie]);
  }
  for (const [name, value] of after) {
    if (name !== "set-cookie" && before.get(name) !== value) changed.push([name, value]);
  }
  return changed;
}
