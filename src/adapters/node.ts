/**
 * Node's `http` server: `toNodeListener(fetchHandler)` turns a handler of `Request` → `Response`
 * into a listener for `http.createServer()`, and `cacheHeadersForNode(handler, options)` does the
 * same with caching headers added. Web standards and structural types only: nothing here imports
 * `node:*`, so the same code runs under Node, Bun and Deno's `node:http`.
 *
 * @example
 * ```ts ignore
 * import { createServer } from "node:http";
 * import { cacheHeadersForNode } from "@cachewise/cachewise/node";
 *
 * const listener = cacheHeadersForNode(() => new Response("hello"), {
 *   timeouts: { "anonymous-only": { "5m": ["/", "/news/*"] } },
 *   identify: (request) => request.headers.get("cookie")?.includes("session=") ? { id: "u" } : null,
 * });
 * createServer(listener).listen(3000);
 * ```
 *
 * @module
 */

import type { ApplyCacheHeaders } from "../apply.ts";
import { _notAResponse } from "../decide/arguments.ts";
import type { FetchHandler } from "../serve.ts";
import {
  _sendResponse,
  _sendText,
  _toRequest,
  type NodeRequestLike,
  type NodeResponseLike,
} from "./_node_io.ts";
import { _compileRespond, type AdapterOptions, type Identify } from "./_respond.ts";

export type { NodeRequestLike, NodeResponseLike } from "./_node_io.ts";
export type { AdapterOptions, Identify } from "./_respond.ts";

/** What a handler gets besides the `Request`: Node's own request and response objects. */
export interface NodeContext<
  Req extends NodeRequestLike = NodeRequestLike,
  Res extends NodeResponseLike = NodeResponseLike,
> {
  /** Node's `IncomingMessage`. */
  readonly req: Req;
  /** Node's `ServerResponse`; cachewise writes the `Response` to it, so leave it alone. */
  readonly res: Res;
}

/** A listener for `http.createServer()`; the promise settles once the response is sent. */
export type NodeListener<
  Req extends NodeRequestLike = NodeRequestLike,
  Res extends NodeResponseLike = NodeResponseLike,
> = (req: Req, res: Res) => Promise<void>;

/** Options of `toNodeListener()`. */
export interface NodeListenerOptions {
  /**
   * Told about a handler that threw (the client gets a 500) or a body that failed mid-stream (the
   * connection is closed).
   * @default console.error
   */
  readonly onError?: (error: unknown, request: Request) => void;
}

/**
 * Options of `cacheHeadersForNode()`: those of `cacheHeaders()`, `identify` and `debugHeader`.
 *
 * @example
 * ```ts
 * import type { NodeCacheHeadersOptions } from "@cachewise/cachewise/node";
 *
 * const options: NodeCacheHeadersOptions = {
 *   timeouts: { "anonymous-only": { "5m": ["/", "/news/*"] } },
 *   identify: (request) => request.headers.get("cookie")?.includes("session=") ? { id: "u" } : null,
 * };
 * ```
 */
export interface NodeCacheHeadersOptions extends AdapterOptions {
  /**
   * Who is asking, from the `Request` (and Node's `req`/`res` if needed), or `null`/`undefined`
   * for an anonymous visitor. Called after the handler, only when the policy depends on who asks.
   * @default () => null
   */
  readonly identify?: Identify<[request: Request, node: NodeContext]>;
}

/**
 * Turns a fetch handler into a Node `http` listener: the `IncomingMessage` becomes a `Request`
 * (body streamed, aborted when the client goes away), and the `Response` is written back with its
 * status text, every `Set-Cookie` kept apart, and the body streamed with backpressure.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { toNodeListener } from "@cachewise/cachewise/node";
 * import assert from "node:assert/strict";
 *
 * const server = createServer(toNodeListener((request) => new Response(new URL(request.url).pathname)));
 * await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
 * const { port } = server.address() as { port: number };
 * const response = await fetch(`http://127.0.0.1:${port}/hello`);
 * assert.equal(await response.text(), "/hello");
 * await new Promise((resolve) => server.close(resolve));
 * ```
 */
export function toNodeListener<
  Req extends NodeRequestLike = NodeRequestLike,
  Res extends NodeResponseLike = NodeResponseLike,
>(
  handler: FetchHandler<[NodeContext<Req, Res>]>,
  options: NodeListenerOptions = {},
): NodeListener<Req, Res> {
  const onError = options.onError ?? ((error: unknown, request: Request) => {
    console.error(`cachewise: ${request.method} ${request.url} failed:`, error);
  });
  return async (req, res) => {
    const controller = new AbortController();
    const request = _toRequest(req, controller.signal);
    if (request === null) return _sendText(res, 400, "Bad Request");
    res.once("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    let response: Response;
    try {
      response = await handler(request, { req, res });
      if (!(response instanceof Response)) throw _notAResponse(response);
    } catch (error) {
      onError(error, request);
      return _sendText(res, 500, "Internal Server Error");
    }
    await _sendResponse(request, response, res, onError);
  };
}

/**
 * `toNodeListener()` with caching headers: the handler's responses get them as with
 * `withCacheHeaders()`, and `identify` is asked only when needed. The compiled `apply()` is at
 * `.cacheHeaders` (not `.apply`, which Node calls on its listeners).
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { cacheHeadersForNode } from "@cachewise/cachewise/node";
 * import assert from "node:assert/strict";
 *
 * const listener = cacheHeadersForNode(() => new Response("news"), {
 *   timeouts: { "anonymous-only": { "5m": ["/news/*"] } },
 *   identify: (request) => request.headers.has("cookie") ? { id: "someone" } : null,
 * });
 * const server = createServer(listener);
 * await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
 * const { port } = server.address() as { port: number };
 * const response = await fetch(`http://127.0.0.1:${port}/news/1`);
 * await response.body?.cancel();
 * assert.equal(response.headers.get("cache-control"), "max-age=5, s-maxage=300");
 * await new Promise((resolve) => server.close(resolve));
 * ```
 */
export function cacheHeadersForNode<
  Req extends NodeRequestLike = NodeRequestLike,
  Res extends NodeResponseLike = NodeResponseLike,
>(
  handler: FetchHandler<[NodeContext<Req, Res>]>,
  options: NodeCacheHeadersOptions = {},
): NodeListener<Req, Res> & { readonly cacheHeaders: ApplyCacheHeaders } {
  if (typeof handler !== "function") {
    throw new TypeError(`cacheHeadersForNode() needs a handler function, not ${typeof handler}`);
  }
  const respond = _compileRespond<[Request, NodeContext]>(
    options,
    options.identify,
    "cacheHeadersForNode()",
  );
  const listener = toNodeListener<Req, Res>(
    async (request, node) => respond(request, await handler(request, node), [request, node]),
    options.onError === undefined ? {} : { onError: options.onError },
  );
  return Object.assign(listener, { cacheHeaders: respond.cacheHeaders });
}
