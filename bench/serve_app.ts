/**
 * A hello-world server for the wrk comparison in BENCHMARKS.md: the bare handler (`plain`), the
 * same handler wrapped in `withCacheHeaders()` over 1,000 rules (`cachewise`), or its response
 * rebuilt with two headers set and no decision (`rebuild`, what `apply()` cannot avoid). Runs on
 * Deno and on Bun.
 *
 *   MODE=plain PORT=8401 deno run -A bench/serve_app.ts
 *   MODE=cachewise PORT=8401 bun bench/serve_app.ts
 *
 * `bench/wrk_bench.sh` starts it, loads it with wrk and stops it.
 */

import { withCacheHeaders } from "../mod.ts";
import { syntheticTimeouts } from "./_fixtures.ts";

interface Env {
  process: { env: Record<string, string | undefined> };
  Deno?: { serve(options: { port: number; hostname: string }, handler: Handler): unknown };
  Bun?: { serve(options: { port: number; hostname: string; fetch: Handler }): unknown };
}
type Handler = (request: Request) => Response | Promise<Response>;

const global = globalThis as unknown as Env;
const mode = global.process.env.MODE ?? "plain";
const port = Number(global.process.env.PORT ?? 8401);
const hostname = "127.0.0.1";

const hello: Handler = () =>
  new Response("<html>hello</html>", { headers: { "content-type": "text/html; charset=utf-8" } });
/** The bare rebuild of bench/apply_bench.ts: a copy of the headers, two set, the body handed on. */
const rebuilt: Handler = () => {
  const response = hello(new Request("http://127.0.0.1/")) as Response;
  const headers = new Headers(response.headers);
  headers.set("cache-control", "max-age=5, s-maxage=60");
  headers.set("x-accel-expires", "60");
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
};
const handler: Handler = mode === "cachewise"
  ? withCacheHeaders(hello, { timeouts: syntheticTimeouts(1_000), identify: () => null })
  : mode === "rebuild"
  ? rebuilt
  : hello;

if (global.Deno) global.Deno.serve({ port, hostname }, handler);
else if (global.Bun) global.Bun.serve({ port, hostname, fetch: handler });
else throw new Error("Run with Deno or Bun");
