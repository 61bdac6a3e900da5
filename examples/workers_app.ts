/**
 * cachewise in a Cloudflare Worker: `export default workersHandler(handler, options)`; `env` and
 * `ctx` reach the handler and `identify` unchanged. Deploy with wrangler (`main =
 * "examples/workers_app.ts"`), or try it locally without workerd:
 *
 *     node --import tsx examples/workers_local.ts
 *
 * @module
 */

import type { Identity } from "../mod.ts";
import { workersHandler } from "../src/adapters/workers.ts";

/** The bindings this Worker uses (declared in wrangler.toml). */
export interface Env {
  /** A KV namespace of sessions: session id → user id. */
  readonly SESSIONS: { get(key: string): Promise<string | null> };
}

/** Who is asking: the session cookie, looked up in KV. Asked only when the page depends on it. */
async function currentUser(request: Request, env: Env): Promise<Identity | null> {
  const session = /(?:^|;\s*)session=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
  const user = session === undefined ? null : await env.SESSIONS.get(session);
  return user === null ? null : { id: user };
}

async function app(request: Request, env: Env): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname === "/") return new Response("Welcome to the Workers shop\n");
  if (pathname.startsWith("/static/")) return new Response("body { margin: 0 }\n");
  if (pathname === "/dashboard") {
    return new Response(`Hello, ${(await currentUser(request, env))?.id ?? "stranger"}\n`);
  }
  return new Response("Not Found\n", { status: 404 });
}

export default workersHandler<Env>(app, {
  timeouts: {
    "all-users": { "1h": ["/static/*"] },
    "anonymous-only": { "5m": ["/"] },
    "per-user": { 60: ["/dashboard"] },
  },
  identify: currentUser,
});
