/** Small helpers shared by the tests. */

import { cacheHeaders, type CacheHeadersOptions, type Identity } from "../mod.ts";

export const ORIGIN = "https://shop.example";

/** The configuration most tests use: one area per built-in policy, with carve-outs both ways. */
export const CONFIG: CacheHeadersOptions = {
  timeouts: {
    "all-users": { "1h": ["/static/*", "/about", "/account/help"] },
    "anonymous-only": { "5m": ["/", "/news/*"] },
    "anonymous-and-authenticated": { "10m": ["/products/:id"] },
    "per-user": { 60: ["/account/*", "/static/mine/*"] },
  },
};

export const ANN: Identity = { id: "ann" };

/** A GET (or other method) request for a path on the test origin. */
export function request(path: string, init: RequestInit = {}): Request {
  return new Request(ORIGIN + path, init);
}

/** Applies a configuration to one request and response; returns the resulting headers. */
export function headersFor(
  options: CacheHeadersOptions,
  path: string,
  identity: Identity | null = null,
  init: { method?: string; status?: number; headers?: HeadersInit; requestHeaders?: HeadersInit } =
    {},
): Headers {
  const apply = cacheHeaders(options);
  const body = init.status === 204 || init.status === 304 ? null : "body";
  const response = new Response(body, { status: init.status ?? 200, headers: init.headers ?? {} });
  const method = init.method ?? "GET";
  return apply(request(path, { method, headers: init.requestHeaders ?? {} }), response, identity)
    .headers;
}

/** The caching headers of a response as a plain object, absent ones left out. */
export function cachingHeaders(headers: Headers): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of ["cache-control", "vary", "x-accel-expires"]) {
    const value = headers.get(name);
    if (value !== null) picked[name] = value;
  }
  return picked;
}
