/**
 * Serves examples/workers_app.ts locally without workerd: Node's `http` server (through the node
 * adapter) calls the Worker's `fetch` with an in-memory stand-in for its KV binding and a
 * minimal `ctx`. For trying the Worker out only; deploy it with wrangler.
 *
 *     PORT=8787 node --import tsx examples/workers_local.ts
 *
 * Prints `listening on http://127.0.0.1:PORT` (PORT 0, the default, picks a free port). Sessions
 * `s-ann` and `s-bob` sign in as ann and bob: `Cookie: session=s-ann`.
 *
 * @module
 */

import { createServer } from "node:http";
import process from "node:process";
import { toNodeListener } from "../src/adapters/node.ts";
import worker, { type Env } from "./workers_app.ts";

const sessions = new Map([["s-ann", "ann"], ["s-bob", "bob"]]);
const env: Env = { SESSIONS: { get: (key) => Promise.resolve(sessions.get(key) ?? null) } };
const ctx = {
  waitUntil(promise: Promise<unknown>) {
    promise.catch((error) => console.error("waitUntil:", error));
  },
};

const server = createServer(toNodeListener((request) => worker.fetch(request, env, ctx)));
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const { port } = server.address() as { port: number };
  console.log(`listening on http://127.0.0.1:${port}`);
});
