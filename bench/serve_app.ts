/**
 * A hello-world server for the wrk comparisons in BENCHMARKS.md, on Deno or on Bun. `MODE` picks
 * the handler (bench/_handlers.ts): `direct` (the handler writes its own caching headers),
 * `cachewise` (the handler wrapped in `withCacheHeaders()`), `plain`, `floor`, `explain`, `apply`
 * and the single steps, for the breakdown.
 *
 * `RULES` picks the rules (bench/_rule_sets.ts): a number of synthetic rules (default 1,000) or
 * `site`, the 50 rules of a realistic site.
 *
 *   MODE=plain PORT=8401 deno run -A bench/serve_app.ts
 *   MODE=cachewise RULES=site PORT=8401 bun bench/serve_app.ts
 *
 * With `HANDLER_TIME=1` the server also times each call of the handler (`performance.now()`
 * before and after, so the handler's own work in the running server, the runtime's HTTP work
 * excluded), restarts the count on `SIGUSR2` and prints `handler-us/request` on `SIGTERM`.
 *
 * `bench/wrk_bench.sh` starts it, loads it with wrk and stops it.
 */

import { type Handler, handlerFor } from "./_handlers.ts";
import { benchRules } from "./_rule_sets.ts";

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

const global = globalThis as unknown as Env;
const mode = global.process.env.MODE ?? "plain";
const port = Number(global.process.env.PORT ?? 8401);
const hostname = "127.0.0.1";
const { timeouts, rules } = benchRules(global.process.env.RULES ?? "1000");
const options = { timeouts, rules };

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
  ? timed(handlerFor(mode, options))
  : handlerFor(mode, options);
if (global.Deno) global.Deno.serve({ port, hostname }, handler);
else if (global.Bun) global.Bun.serve({ port, hostname, fetch: handler });
else throw new Error("Run with Deno or Bun");
