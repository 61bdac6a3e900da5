/**
 * cachewise in an Elysia app on Bun: `.use(cacheHeadersPlugin(...))`, the identity read from
 * what `derive` put in the context.
 *
 *     PORT=3000 bun examples/elysia_app.ts
 *
 * Prints `listening on http://127.0.0.1:PORT` (PORT 0, the default, picks a free port). Sign in
 * by sending `Cookie: session=<name>`.
 *
 * @module
 */

import process from "node:process";
import { Elysia } from "elysia";
import type { Identity } from "../mod.ts";
import { cacheHeadersPlugin } from "../src/adapters/elysia.ts";

const app = new Elysia()
  // A session lookup: a real app would read its session store.
  .derive(({ cookie }) => {
    const session = cookie.session?.value;
    return { user: typeof session === "string" && session !== "" ? { id: session } : null };
  })
  .use(cacheHeadersPlugin({
    timeouts: {
      "all-users": { "1h": ["/static/*"] },
      "anonymous-only": { "5m": ["/"] },
      "per-user": { 60: ["/dashboard"] },
    },
    identify: ({ user }: { user: Identity | null }) => user,
  }))
  .get("/", () => "Welcome to the Elysia shop\n")
  .get("/static/*", () => "body { margin: 0 }\n")
  .get("/dashboard", ({ user }) => `Hello, ${user?.id ?? "stranger"}\n`);

app.listen({ hostname: "127.0.0.1", port: Number(process.env.PORT ?? 0) }, (server) => {
  console.log(`listening on http://127.0.0.1:${server.port}`);
});
