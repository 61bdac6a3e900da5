/**
 * The fixed part of the generated Cloudflare Worker (`cloudflare.ts`): JavaScript source that
 * reads the `PLAN` constant written above it. Kept as text, not as a module of cachewise, so the
 * Worker carries no dependency and its code is the same for every configuration.
 *
 * What it does per request, as the generated Varnish VCL does (docs/varnish.md):
 *
 * 1. pass (fetch from the origin, store nothing) a method other than GET and HEAD, a request with
 *    `Upgrade`, `Authorization` or another identity header, a URL no cacheable rule matches, a
 *    `Cookie` header not in the plain `a=1; b=2` form, a session cookie without the marker or the
 *    marker without a session cookie, the marker on an `anonymous-only` page, and any cookie on a
 *    custom policy's page;
 * 2. build the key: the rule's class, the marker's presence or the session cookie's value, the
 *    key cookies, the host, hashed with SHA-256, then the path and query;
 * 3. on a miss, fetch with `cache: "no-store"` (no conditional or range headers), and store the
 *    response only if it has no `Set-Cookie`, a positive `X-Accel-Expires`, the `X-Hash-Cookies`
 *    the class expects, and no `Vary` beyond what the key covers and `Accept-Encoding`;
 * 4. deliver without `X-Accel-Expires` and `X-Hash-Cookies`, with `X-Cachewise-Cache: HIT` or
 *    `MISS`.
 *
 * @module
 */

/** The Worker's code after `const PLAN = …;`. */
export const WORKER_RUNTIME: string = String
  .raw`const ROUTES = PLAN.routes.map((route) => ({ ...route, pattern: new RegExp(route.regexp) }));
const PLAIN_COOKIE = new RegExp(PLAN.plainCookie);
const POSITIVE_SECONDS = /^0*[1-9][0-9]{0,9}$/;
/** Headers meant for this cache only. */
const INTERNAL = ["x-accel-expires", "x-hash-cookies"];
/** Request headers a stored page must not depend on: the Worker asks for the whole page. */
const CONDITIONAL = ["if-none-match", "if-modified-since", "if-range", "if-match", "if-unmodified-since", "range"];

function present(cookie, reader) {
  return new RegExp(reader.present).test(cookie);
}

function value(cookie, reader) {
  return present(cookie, reader) ? "=" + new RegExp(reader.value).exec(cookie)[1] : "";
}

/** The rule's class and the cache key for a request, or null when it must pass. */
async function lookupKey(request) {
  if (request.method !== "GET" && request.method !== "HEAD") return null;
  if (request.headers.has("upgrade")) return null;
  if (PLAN.credentials.some((name) => request.headers.has(name))) return null;
  const url = new URL(request.url);
  const target = url.hostname + url.pathname;
  const route = ROUTES.find((route) => route.pattern.test(route.host ? target : url.pathname));
  if (route === undefined || route.class === "pass") return null;
  const cookie = request.headers.get("cookie") ?? "";
  const parts = [route.class];
  if (!PLAN.keyed) {
    if (route.class !== "shared" && cookie !== "") return null;
  } else {
    if (cookie !== "" && !PLAIN_COOKIE.test(cookie)) return null;
    const marker = present(cookie, PLAN.marker);
    if (present(cookie, PLAN.session) !== marker) return null;
    if (route.class === "cookieless" && cookie !== "") return null;
    if (route.class === "anonymous" && marker) return null;
    for (const part of PLAN.classes[route.class].key) {
      parts.push(part.kind === "presence" ? (present(cookie, part) ? "1" : "0") : value(cookie, part));
    }
  }
  parts.push(url.hostname);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(parts)));
  const hex = [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return { class: route.class, key: url.origin + "/.cachewise/" + hex + url.pathname + url.search };
}

/** Seconds to keep the response for this class, or null when it must not be stored. */
function lifetime(response, className) {
  const headers = response.headers;
  if (response.status === 206 || headers.has("set-cookie")) return null;
  const seconds = headers.get("x-accel-expires");
  if (seconds === null || !POSITIVE_SECONDS.test(seconds)) return null;
  const expected = PLAN.classes[className]?.hashCookies;
  if (expected === undefined || (headers.get("x-hash-cookies") ?? "") !== expected) return null;
  const covered = [...PLAN.classes[className].coveredVary, "accept-encoding"];
  const vary = (headers.get("vary") ?? "").split(",").map((name) => name.trim().toLowerCase());
  if (vary.some((name) => name !== "" && !covered.includes(name))) return null;
  return Number(seconds);
}

function deliver(response, cache, restore) {
  const headers = new Headers(response.headers);
  for (const name of INTERNAL) headers.delete(name);
  if (restore) {
    for (const name of ["cache-control", "vary"]) {
      const saved = headers.get("x-cachewise-" + name);
      headers.delete(name);
      if (saved !== null && saved !== "") headers.set(name, saved);
      headers.delete("x-cachewise-" + name);
    }
  }
  headers.set("x-cachewise-cache", cache);
  const body = response.status === 204 || response.status === 304 ? null : response.body;
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

export default {
  async fetch(request, env, ctx) {
    const lookup = await lookupKey(request);
    if (lookup === null) return deliver(await fetch(new Request(request, { cache: "no-store" })), "MISS", false);
    const cache = caches.default;
    const hit = await cache.match(lookup.key);
    if (hit !== undefined) {
      const page = deliver(hit, "HIT", true);
      return request.method === "HEAD" ? new Response(null, page) : page;
    }
    const headers = new Headers(request.headers);
    for (const name of CONDITIONAL) headers.delete(name);
    const response = await fetch(new Request(request, { headers, cache: "no-store" }));
    const seconds = request.method === "GET" ? lifetime(response, lookup.class) : null;
    if (seconds === null || response.body === null) return deliver(response, "MISS", false);
    const [forClient, forCache] = response.body.tee();
    const stored = new Headers(response.headers);
    for (const name of [...INTERNAL, "cdn-cache-control", "cloudflare-cdn-cache-control"]) stored.delete(name);
    stored.set("x-cachewise-cache-control", response.headers.get("cache-control") ?? "");
    stored.set("x-cachewise-vary", response.headers.get("vary") ?? "");
    stored.delete("vary");
    stored.set("cache-control", "s-maxage=" + seconds);
    const copy = new Response(forCache, { status: response.status, statusText: response.statusText, headers: stored });
    ctx.waitUntil(cache.put(lookup.key, copy));
    return deliver(new Response(forClient, response), "MISS", false);
  },
};
`;
