/**
 * cachewise in a Hono app: `app.use(cacheHeadersMiddleware(...))`, the identity read from the
 * context that an earlier middleware filled. The same app runs on each runtime's own server:
 *
 *     deno run -A examples/hono_app.ts          # Deno.serve(app.fetch)
 *     bun examples/hono_app.ts                  # Bun.serve({ fetch: app.fetch })
 *     node --import tsx examples/hono_app.ts    # node:http through toNodeListener(app.fetch)
 *
 * Prints `listening on http://127.0.0.1:PORT` (PORT 0, the default, picks a free port). Sign in
 * by sending `Cookie: session=<name>`.
 *
 * @module
 */

import { createServer } from "node:http";
import process from "node:process";
import { type Context, Hono } from "hono";
import type { Identity } from "../mod.ts";
import { cacheHeadersMiddleware } from "../src/adapters/hono.ts";
import { toNodeListener } from "../src/adapters/node.ts";

type Env = { Variables: { user: Identity | null } };
type Serve = (fetch: (request: Request) => Response | Promise<Response>, port: number) => void;

/** The runtimes' own servers, typed here so that every runtime's checker accepts this file. */
const runtime = globalThis as unknown as {
  Deno?: {
    serve(
      options: { hostname: string; port: number; onListen(addr: { port: number }): void },
      fetch: (request: Request) => Response | Promise<Response>,
    ): unknown;
  };
  Bun?: {
    serve(options: {
      hostname: string;
      port: number;
      fetch: (request: Request) => Response | Promise<Response>;
    }): { readonly port: number };
  };
};

export const app = new Hono<Env>();

// A session middleware: a real app would look the session up.
app.use(async (c, next) => {
  const session = /(?:^|;\s*)session=([^;]+)/.exec(c.req.header("cookie") ?? "")?.[1];
  c.set("user", session === undefined ? null : { id: session });
  await next();
});

app.use(cacheHeadersMiddleware<Context<Env>>({
  timeouts: {
    "all-users": { "1h": ["/static/*"] },
    "anonymous-only": { "5m": ["/"] },
    "per-user": { 60: ["/dashboard"] },
  },
  identify: (c) => c.get("user"),
}));

app.get("/", (c) => c.text("Welcome to the Hono shop\n"));
app.get("/static/*", (c) => c.text("body { margin: 0 }\n"));
app.get("/dashboard", (c) => c.text(`Hello, ${c.get("user")?.id ?? "stranger"}\n`));

const serve: Serve = (fetch, port) => {
  const listening = (actual: number) => console.log(`listening on http://127.0.0.1:${actual}`);
  if (runtime.Deno !== undefined) {
    runtime.Deno.serve({ hostname: "127.0.0.1", port, onListen: (a) => listening(a.port) }, fetch);
  } else if (runtime.Bun !== undefined) {
    listening(runtime.Bun.serve({ hostname: "127.0.0.1", port, fetch }).port);
  } else {
    const server = createServer(toNodeListener(fetch));
    server.listen(port, "127.0.0.1", () => listening((server.address() as { port: number }).port));
  }
};

serve(app.fetch, Number(process.env.PORT ?? 0));
