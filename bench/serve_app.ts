/**
 * A hello-world server for the wrk comparisons in BENCHMARKS.md, on Deno or on Bun. `MODE` picks
 * the handler:
 *
 * - `plain`: the bare handler;
 * - `rebuild`: its response rebuilt with two headers set and no decision (what `apply()` cannot
 *   avoid);
 * - `cachewise`: the handler wrapped in `withCacheHeaders()` over 1,000 rules (what users run).
 *
 * and, for the breakdown of where the time goes:
 *
 * - `read`: the bare handler after reading `request.url` and the `Authorization` and `Cookie`
 *   headers, as a decision must;
 * - `explain`: `apply.explain()`, the decision alone, over the same rules; the response is sent
 *   as the handler made it;
 * - `apply`: `apply()` called synchronously on the handler's response;
 * - `apply-resolved`: the same, returned in a settled promise (what a promise costs the server);
 * - `mutate`: two headers set on the handler's own response, which is sent without a rebuild
 *   (what editing in place would cost; `apply()` never does it, see `writeDecision()`);
 * - `read-response`: the bare handler after reading the request as `read` does and its own
 *   response's status, `Cache-Control`, `Set-Cookie` and `Vary`, as a decision must (on Deno 2.9
 *   reading a response's headers takes it off `Deno.serve`'s fast path for static responses);
 * - `direct`: the handler writing the same two headers into its own `new Response()`, no
 *   middleware at all: what having the headers costs the server, whoever decides them.
 *
 *   MODE=plain PORT=8401 deno run -A bench/serve_app.ts
 *   MODE=cachewise PORT=8401 bun bench/serve_app.ts
 *
 * With `HANDLER_TIME=1` the server also times each call of the handler (`performance.now()`
 * before and after, so the handler's own work in the running server, the runtime's HTTP work
 * excluded), restarts the count on `SIGUSR2` and prints `handler-us/request` on `SIGTERM`.
 *
 * `bench/wrk_bench.sh` starts it, loads it with wrk and stops it.
 */

import { cacheHeaders, withCacheHeaders } from "../mod.ts";
import { syntheticTimeouts } from "./_fixtures.ts";

interface Env {
  process: {
    env: Record<string, string | undefined>;
    on(signal: string, listener: () => void): void;
    exit(code: number): never;
  };
  Deno?: {
    serve(options: { port: number; hostname: string }, handler: Handler): unknown;
    addSignalListener(signal: string, listener: () => void): void;
    exit(code: number): never;
  };
  Bun?: { serve(options: { port: number; hostname: string; fetch: Handler }): unknown };
}
type Handler = (request: Request) => Response | Promise<Response>;

const global = globalThis as unknown as Env;
const mode = global.process.env.MODE ?? "plain";
const port = Number(global.process.env.PORT ?? 8401);
const hostname = "127.0.0.1";
const timeouts = syntheticTimeouts(1_000);

const hello = (): Response =>
  new Response("<html>hello</html>", { headers: { "content-type": "text/html; charset=utf-8" } });

/** The bare rebuild of bench/apply_bench.ts: the headers copied, two set, the body handed on. */
function rebuild(response: Response): Response {
  const headers = new Headers(response.headers);
  headers.set("cache-control", "max-age=5, s-maxage=60");
  headers.set("x-accel-expires", "60");
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

/** Kept so that no runtime can drop the reads as unused. */
let read = 0;

function handlerFor(mode: string): Handler {
  switch (mode) {
    case "plain":
      return hello;
    case "rebuild":
      return () => rebuild(hello());
    case "cachewise":
      return withCacheHeaders(hello, { timeouts, identify: () => null });
    case "read":
      return (request) => {
        const headers = request.headers;
        read += request.url.length + (headers.get("authorization") ?? "").length +
          (headers.get("cookie") ?? "").length;
        return hello();
      };
    case "explain": {
      const apply = cacheHeaders({ timeouts });
      return (request) => {
        const response = hello();
        read += apply.explain(request, response, null).vary.length;
        return response;
      };
    }
    case "read-response":
      return (request) => {
        const response = hello();
        const headers = response.headers;
        read += request.url.length + (request.headers.get("cookie") ?? "").length +
          response.status + (headers.get("cache-control") ?? "").length +
          (headers.get("set-cookie") ?? "").length + (headers.get("vary") ?? "").length;
        return response;
      };
    case "direct":
      return () =>
        new Response("<html>hello</html>", {
          headers: {
            "content-type": "text/html; charset=utf-8",
            "cache-control": "max-age=5, s-maxage=60",
            "x-accel-expires": "60",
          },
        });
    case "apply": {
      const apply = cacheHeaders({ timeouts });
      return (request) => apply(request, hello(), null);
    }
    case "apply-resolved": {
      const apply = cacheHeaders({ timeouts });
      return (request) => Promise.resolve(apply(request, hello(), null));
    }
    case "mutate":
      return () => {
        const response = hello();
        response.headers.set("cache-control", "max-age=5, s-maxage=60");
        response.headers.set("x-accel-expires", "60");
        return response;
      };
    default:
      throw new Error(`Unknown MODE "${mode}"`);
  }
}

/** `handler`, timed call by call; the totals are printed on SIGTERM. */
function timed(handler: Handler): Handler {
  let spent = 0;
  let calls = 0;
  const onSignal = global.Deno
    ? (signal: string, listener: () => void) => global.Deno!.addSignalListener(signal, listener)
    : (signal: string, listener: () => void) => global.process.on(signal, listener);
  onSignal("SIGUSR2", () => {
    spent = 0;
    calls = 0;
  });
  onSignal("SIGTERM", () => {
    console.log(`handler-us/request ${(spent * 1000 / Math.max(calls, 1)).toFixed(2)}`);
    (global.Deno ?? global.process).exit(0);
  });
  return (request) => {
    const start = performance.now();
    const response = handler(request);
    spent += performance.now() - start;
    calls++;
    return response;
  };
}

const handler = global.process.env.HANDLER_TIME === "1"
  ? timed(handlerFor(mode))
  : handlerFor(mode);
if (global.Deno) global.Deno.serve({ port, hostname }, handler);
else if (global.Bun) global.Bun.serve({ port, hostname, fetch: handler });
else throw new Error("Run with Deno or Bun");
(globalThis as { __read?: () => number }).__read = () => read;
