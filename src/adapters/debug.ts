/**
 * An opt-in debug header for development: `X-Cachewise` names the reason, rule and policy that
 * decided a response's caching headers, in RFC 8941 structured-field syntax and in the spirit of
 * RFC 9211 `Cache-Status`. It never carries the identity. Off unless used.
 *
 * @example
 * ```ts
 * import { cacheHeaders } from "@cachewise/cachewise";
 * import { withDebugHeader } from "@cachewise/cachewise/debug";
 * import assert from "node:assert/strict";
 *
 * const apply = withDebugHeader(cacheHeaders({ timeouts: { "per-user": { "10m": ["/products/:id"] } } }));
 * const page = apply(new Request("https://example.com/products/7"), new Response("…"), { id: "ann" });
 * assert.equal(
 *   page.headers.get("x-cachewise"),
 *   'cachewise; reason=rule; rule="/products/:id"; policy="per-user"; ttl=600; audience=signed-in; shared=?0',
 * );
 * ```
 *
 * @module
 */

import { type ApplyCacheHeaders, writeDecision } from "../apply.ts";
import type { Identity } from "../config/policies.ts";
import { _addDebugHeader, DEBUG_HEADER } from "./_debug.ts";

export { formatDebugHeader } from "./_debug.ts";

/**
 * Options of `withDebugHeader()`.
 *
 * @example
 * ```ts
 * import type { DebugHeaderOptions } from "@cachewise/cachewise/debug";
 *
 * const options: DebugHeaderOptions = { headerName: "X-Cache-Why" };
 * ```
 */
export interface DebugHeaderOptions {
  /**
   * The header's name; it must be an HTTP token.
   * @default "X-Cachewise"
   */
  readonly headerName?: string;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Wraps an `apply()` so that every response it rebuilds also carries the debug header. The
 * decision is made once, by `apply.explain()`, and written as `apply()` writes it; `explain`
 * itself is passed through unchanged.
 * Responses that cannot be rebuilt (101 upgrades, `Response.error()`) get no header.
 *
 * @example
 * ```ts
 * import { cacheHeaders } from "@cachewise/cachewise";
 * import { withDebugHeader } from "@cachewise/cachewise/debug";
 * import assert from "node:assert/strict";
 *
 * const isDevelopment = true; // e.g. Deno.env.get("CACHEWISE_DEBUG") === "1"
 * const base = cacheHeaders({ timeouts: { "anonymous-only": { "5m": ["/news/*"] } } });
 * const apply = isDevelopment ? withDebugHeader(base, { headerName: "X-Cache-Why" }) : base;
 * const page = apply(new Request("https://example.com/news/1"), new Response("news"));
 * assert.equal(page.headers.get("cache-control"), "max-age=5, s-maxage=300");
 * assert.match(page.headers.get("x-cache-why")!, /^cachewise; reason=rule; rule="\/news\/\*"/);
 * ```
 */
export function withDebugHeader(
  apply: ApplyCacheHeaders,
  options: DebugHeaderOptions = {},
): ApplyCacheHeaders {
  if (typeof apply !== "function" || typeof apply.explain !== "function") {
    throw new TypeError("withDebugHeader() needs the function cacheHeaders() returns");
  }
  const name = debugHeaderName(options.headerName);
  const explain = apply.explain;
  const debugged = (request: Request, response: Response, identity?: Identity | null) => {
    const decision = explain(request, response, identity);
    return _addDebugHeader(writeDecision(response, decision), response, decision, name);
  };
  return Object.assign(debugged, { explain });
}

/** Checks a debug header name; throws a `TypeError` for one that is not an HTTP token. */
function debugHeaderName(name: string | undefined): string {
  if (name === undefined) return DEBUG_HEADER;
  if (typeof name !== "string" || !TOKEN.test(name)) {
    throw new TypeError(`Option "headerName" must be an HTTP header name, not ${String(name)}`);
  }
  return name;
}
