/**
 * cachewise on Bun: `Bun.serve` with a handler wrapped once by `withCacheHeaders()`.
 *
 *     PORT=3000 bun examples/bun_serve.ts
 *
 * Prints `listening on http://127.0.0.1:PORT` (PORT 0, the default, picks a free port). Sign in
 * by sending `Cookie: session=<name>`.
 *
 * @module
 */

import process from "node:process";
import { type Identity, withCacheHeaders } from "../mod.ts";

/** The part of Bun's API this file uses, declared so that Deno's and Node's checkers accept it. */
declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch: (request: Request) => Response | Promise<Response>;
  }): { readonly port: number };
};

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
  if (pathname === "/") return new Response("Welcome to the Bun shop\n");
  if (pathname.startsWith("/static/")) return new Response("body { margin: 0 }\n");
  if (pathname === "/dashboard") {
    return new Response(`Hello, ${currentUser(request)?.id ?? "stranger"}\n`);
  }
  return new Response("Not Found\n", { status: 404 });
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  fetch: withCacheHeaders(app, { ...config, identify: currentUser }),
});
console.log(`listening on http://127.0.0.1:${server.port}`);
