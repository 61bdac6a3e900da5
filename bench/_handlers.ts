/**
 * The handlers bench/serve_app.ts serves, by `MODE`. The reference pair:
 *
 * - `direct`: the handler writes the caching headers into its own `new Response()`, no middleware
 *   (a hand-written handler; cachewise's overhead is measured against it);
 * - `cachewise`: the bare handler wrapped in `withCacheHeaders()` (what users run).
 *
 * Where the time goes:
 *
 * - `plain`: the bare handler (`hello()`, one `Content-Type`);
 * - `floor`: what any middleware that decides from the request and the response and returns a new
 *   Response pays, without deciding: `request.url`, `method` and `Authorization` read, the
 *   response's status, `Cache-Control` and `Set-Cookie` read, and the Response rebuilt on the
 *   handler's headers (as `writeDecision()` does) with `Cache-Control`, `X-Accel-Expires` and
 *   `Vary` set;
 * - `explain`: `apply.explain()`, the decision alone; the response is sent as the handler made it;
 * - `apply`: `apply()` called synchronously on the handler's response;
 * - `apply-resolved`: the same, returned in a settled promise (what a promise costs the server);
 * - one step of `floor` each: `url`, `authorization` (`request.headers.get()`), `response-headers`
 *   (`response.headers.get()`), `body` (`response.body`, the stream a rebuild hands on);
 * - `rebuild-onto`: the rebuild of `floor` alone; `rebuild`: the bare rebuild of
 *   bench/apply_bench.ts (a `Headers` copy written first, then the Response);
 * - `clone`: `response.clone()` with two headers set (what a rebuild would cost if the runtime
 *   could copy a Response without making a stream of its body; `clone()` tees a streamed body, so
 *   cachewise does not use it);
 * - `mutate`: two headers set on the handler's own response (editing in place, which `apply()`
 *   never does).
 *
 * @module
 */

import { cacheHeaders, type RuleOptions, type Timeouts, withCacheHeaders } from "../mod.ts";

/** A fetch handler, as the servers call it. */
export type Handler = (request: Request) => Response | Promise<Response>;

/** The bare handler: a small HTML page with its `Content-Type`. */
export const hello = (): Response =>
  new Response("<html>hello</html>", { headers: { "content-type": "text/html; charset=utf-8" } });

/** Kept so that no runtime can drop the reads as unused. */
let read = 0;

/** The rebuild `writeDecision()` does, with two headers set. */
function rebuildOnto(response: Response): Response {
  const written = new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  const headers = written.headers;
  headers.set("cache-control", "max-age=5, s-maxage=60");
  headers.set("x-accel-expires", "60");
  return written;
}

/** What apply() cannot avoid, the bare rebuild: the headers copied, two set, the body handed on. */
export function rebuild(response: Response): Response {
  const headers = new Headers(response.headers);
  headers.set("cache-control", "max-age=5, s-maxage=60");
  headers.set("x-accel-expires", "60");
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

/** The handler `mode` names, over the rules given. */
export function handlerFor(
  mode: string,
  options: { timeouts: Timeouts; rules: readonly RuleOptions[] },
): Handler {
  const modes: Record<string, () => Handler> = {
    plain: () => hello,
    direct: () => () =>
      new Response("<html>hello</html>", {
        headers: {
          "content-type": "text/html; charset=utf-8",
          "cache-control": "max-age=5, s-maxage=60",
          "x-accel-expires": "60",
        },
      }),
    cachewise: () => withCacheHeaders(hello, { ...options, identify: () => null }),
    floor: () => (request) => {
      const response = hello();
      const headers = response.headers;
      read += request.url.length + request.method.length +
        (request.headers.get("authorization") ?? "").length + response.status +
        (headers.get("cache-control") ?? "").length + (headers.has("set-cookie") ? 1 : 0);
      const written = rebuildOnto(response);
      const own = written.headers;
      if (own.get("vary") === null) own.set("vary", "Cookie, Authorization");
      return written;
    },
    explain: () => {
      const apply = cacheHeaders(options);
      return (request) => {
        const response = hello();
        read += apply.explain(request, response, null).vary.length;
        return response;
      };
    },
    apply: () => {
      const apply = cacheHeaders(options);
      return (request) => apply(request, hello(), null);
    },
    "apply-resolved": () => {
      const apply = cacheHeaders(options);
      return (request) => Promise.resolve(apply(request, hello(), null));
    },
    url: () => (request) => {
      read += request.url.length;
      return hello();
    },
    authorization: () => (request) => {
      read += (request.headers.get("authorization") ?? "").length;
      return hello();
    },
    "response-headers": () => () => {
      const response = hello();
      read += (response.headers.get("cache-control") ?? "").length;
      return response;
    },
    body: () => () => {
      const response = hello();
      read += response.body === null ? 0 : 1;
      return response;
    },
    "rebuild-onto": () => () => rebuildOnto(hello()),
    rebuild: () => () => rebuild(hello()),
    clone: () => () => {
      const written = hello().clone();
      written.headers.set("cache-control", "max-age=5, s-maxage=60");
      written.headers.set("x-accel-expires", "60");
      return written;
    },
    mutate: () => () => {
      const response = hello();
      response.headers.set("cache-control", "max-age=5, s-maxage=60");
      response.headers.set("x-accel-expires", "60");
      return response;
    },
  };
  const make = modes[mode];
  if (make === undefined) throw new Error(`Unknown MODE "${mode}"`);
  (globalThis as { __read?: () => number }).__read = () => read;
  return make();
}
