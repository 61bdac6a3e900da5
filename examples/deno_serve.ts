/**
 * cachewise on Deno: `Deno.serve` with a handler wrapped once by `withCacheHeaders()`.
 *
 *     PORT=8000 deno run --allow-net=127.0.0.1 --allow-env=PORT examples/deno_serve.ts
 *
 * Prints `listening on http://127.0.0.1:PORT` (PORT 0, the default, picks a free port). Sign in
 * by sending `Cookie: session=<name>`.
 *
 * @module
 */

import { type Identity, withCacheHeaders } from "../mod.ts";

const config = {
  timeouts: {
    "all-users": { "1h": ["/static/*"] },
    "anonymous-only": { "5m": ["/"] },
    "per-user": { 60: ["/dashboard"] },
  },
};

/** Who is asking: the session cookie names the user (a real app would look the session up). */
function currentUser(request: Request): Identity | null {
  const session = /(?:^|;\s*)session=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
  return session === undefined ? null : { id: session };
}

function app(request: Request): Response {
  const { pathname } = new URL(request.url);
  if (pathname === "/") return new Response("Welcome to the Deno shop\n");
  if (pathname.startsWith("/static/")) return new Response("body { margin: 0 }\n");
  if (pathname === "/dashboard") {
    return new Response(`Hello, ${currentUser(request)?.id ?? "stranger"}\n`);
  }
  return new Response("Not Found\n", { status: 404 });
}

Deno.serve({
  hostname: "127.0.0.1",
  port: Number(Deno.env.get("PORT") ?? 0),
  onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`),
}, withCacheHeaders(app, { ...config, identify: currentUser }));
