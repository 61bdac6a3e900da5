/**
 * `npm start`: a real `Deno.serve` app wrapped with `withCacheHeaders()`, which then visits its
 * own pages as an anonymous visitor, as ann and as bob, and prints the caching headers each one
 * got and why.
 *
 *     deno run --allow-net=127.0.0.1 examples/demo.ts
 *
 * @module
 */

import { type ApplyCacheHeaders, withCacheHeaders } from "../mod.ts";
import {
  DEMO_CONFIG,
  DEMO_REQUESTS,
  DEMO_VISITORS,
  demoApp,
  identifyVisitor,
} from "./demo_config.ts";
import { DEMO_LEGEND, type DemoRow, formatDemoTable, whyOf } from "./demo_table.ts";

/**
 * The few Deno APIs this file uses. Declared here so that `tsc` (which knows Node's types, not
 * Deno's) checks this file as well; at run time they are Deno's own.
 */
declare const Deno: {
  serve(
    options: {
      hostname: string;
      port: number;
      onListen?: (addr: { hostname: string; port: number }) => void;
    },
    handler: (request: Request) => Response | Promise<Response>,
  ): { readonly addr: { readonly port: number }; shutdown(): Promise<void> };
  exit(code: number): never;
};

/** Requests every page as every visitor; checks that the headers match `explain()`. */
async function visitAll(
  origin: string,
  explain: ApplyCacheHeaders["explain"],
): Promise<{ rows: DemoRow[]; problems: string[] }> {
  const rows: DemoRow[] = [];
  const problems: string[] = [];
  for (const { method, path } of DEMO_REQUESTS) {
    for (const visitor of DEMO_VISITORS) {
      const init = (): RequestInit => ({
        method,
        headers: visitor.cookie === null ? {} : { cookie: visitor.cookie },
        ...(method === "POST" ? { body: "comment=hello" } : {}),
        redirect: "manual",
      });
      const response = await fetch(origin + path, init());
      await response.body?.cancel();
      // Why: the same decision, asked of `explain()` for the same request and page.
      const request = new Request(origin + path, init());
      const decision = explain(request, demoApp(request), identifyVisitor(request));
      const row: DemoRow = {
        request: `${method} ${path}`,
        visitor: visitor.name,
        status: response.status,
        cacheControl: response.headers.get("cache-control"),
        vary: response.headers.get("vary"),
        accelExpires: response.headers.get("x-accel-expires"),
        shared: decision.shared,
        why: whyOf(decision),
      };
      if (row.cacheControl !== decision.cacheControl) {
        problems.push(
          `${row.request} as ${row.visitor}: got Cache-Control ${row.cacheControl}, ` +
            `explain() says ${decision.cacheControl}`,
        );
      }
      rows.push(row);
    }
  }
  return { rows, problems };
}

const handler = withCacheHeaders(demoApp, { ...DEMO_CONFIG, identify: identifyVisitor });
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
const origin = `http://127.0.0.1:${server.addr.port}`;
console.log(`cachewise demo: Deno.serve on ${origin}, visited as anonymous, ann and bob\n`);

let result;
try {
  result = await visitAll(origin, handler.cacheHeaders.explain);
} finally {
  await server.shutdown();
}

console.log(formatDemoTable(result.rows));
console.log(DEMO_LEGEND);
if (result.problems.length > 0) {
  console.error(`The headers sent and explain() disagree:\n  ${result.problems.join("\n  ")}`);
  Deno.exit(1);
}
