/**
 * cachewise on Node's own `http` server: `cacheHeadersForNode()` turns a fetch handler into a
 * listener for `http.createServer()` and adds the caching headers. Runs on Node ≥ 20 (and on Bun
 * and Deno, whose `node:http` it also fits).
 *
 *     PORT=3000 node --import tsx examples/node_http.ts
 *
 * Prints `listening on http://127.0.0.1:PORT` (PORT 0, the default, picks a free port). Sign in
 * by sending `Cookie: session=<name>`.
 *
 * @module
 */

import { createServer } from "node:http";
import process from "node:process";
import type { Identity } from "../mod.ts";
import { cacheHeadersForNode } from "../src/adapters/node.ts";

const config = {
  timeouts: {
    "all-users": { "1h": ["/static/*"] },
    "anonymous-only": { "5m": ["/"] },
    "per-user": { 60: ["/dashboard"] },
  },
};

/**
 * Who is asking: the session cookie names the user. Read it from the `Request`, whose headers
 * are a `Headers` object, rather than from Node's `req.headers` (a plain object in which a
 * repeated header may be an array).
 */
function currentUser(request: Request): Identity | null {
  const session = /(?:^|;\s*)session=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
  return session === undefined ? null : { id: session };
}

function app(request: Request): Response {
  const { pathname } = new URL(request.url);
  if (pathname === "/") return new Response("Welcome to the Node shop\n");
  if (pathname.startsWith("/static/")) return new Response("body { margin: 0 }\n");
  if (pathname === "/dashboard") {
    return new Response(`Hello, ${currentUser(request)?.id ?? "stranger"}\n`);
  }
  return new Response("Not Found\n", { status: 404 });
}

const server = createServer(cacheHeadersForNode(app, { ...config, identify: currentUser }));
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const { port } = server.address() as { port: number };
  console.log(`listening on http://127.0.0.1:${port}`);
});
