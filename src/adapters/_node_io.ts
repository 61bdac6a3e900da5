/**
 * Between Node's `http` objects and the Web's: an `IncomingMessage` read as a `Request`, and a
 * `Response` written to a `ServerResponse`. Used by `./node.ts`; structural types only.
 *
 * @module
 */

/** The part of Node's `IncomingMessage` the listener reads. */
export interface NodeRequestLike extends AsyncIterable<unknown> {
  /** The request method, as received. */
  readonly method?: string | undefined;
  /** The request target: `/path?query`, or an absolute URL from a proxy client. */
  readonly url?: string | undefined;
  /** Header names and values as received, alternating; repeated headers stay separate. */
  readonly rawHeaders: readonly string[];
  /** A `tls.TLSSocket` (with `encrypted: true`) for `https.createServer()`. */
  readonly socket: object | null;
}

/** The part of Node's `ServerResponse` the listener writes. */
export interface NodeResponseLike {
  /** The status code to send. */
  statusCode: number;
  /** The reason phrase to send. */
  statusMessage: string;
  /** Whether the status line and headers are already sent. */
  readonly headersSent: boolean;
  /** Whether the connection is gone. */
  readonly destroyed: boolean;
  /** Whether the whole response has been handed to the system. */
  readonly writableFinished: boolean;
  /** Sets a header; an array sends one line per value. */
  setHeader(name: string, value: string | string[]): unknown;
  /** Writes body bytes; `false` means "wait for `drain`". */
  write(chunk: Uint8Array): boolean;
  /** Ends the response. */
  end(chunk?: string): unknown;
  /** Closes the connection. */
  destroy(error?: Error): unknown;
  /** Listens once for `drain` (room to write again) or `close` (the connection ended). */
  once(event: "drain" | "close", listener: () => void): unknown;
  /** Stops listening. */
  off(event: "drain" | "close", listener: () => void): unknown;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding"]);
const HOST = /^(?:[A-Za-z0-9._~!$&'()*+,;=-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const NULL_BODY = new Set([101, 204, 205, 304]);

/** The `Request` for an `IncomingMessage`, or `null` when it cannot be one (a bad Host). */
export function _toRequest(req: NodeRequestLike, signal: AbortSignal): Request | null {
  try {
    const headers = new Headers();
    const raw = req.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
    const method = req.method ?? "GET";
    const init: RequestInit & { duplex?: "half" } = { method, headers, signal };
    if (method !== "GET" && method !== "HEAD") {
      init.body = bodyStream(req);
      init.duplex = "half"; // Node's fetch needs it for a streamed body; Deno and Bun ignore it
    }
    return new Request(requestUrl(req, headers), init);
  } catch {
    return null;
  }
}

/** The URL: origin-form targets against the Host header (checked: no path or userinfo in it). */
function requestUrl(req: NodeRequestLike, headers: Headers): string {
  const target = req.url ?? "/";
  if (/^https?:\/\//i.test(target)) return new URL(target).href; // absolute-form (RFC 9112 §3.2.2)
  const host = headers.get("host") ?? "localhost";
  if (!HOST.test(host)) throw new TypeError(`Invalid Host header ${JSON.stringify(host)}`);
  const secure = (req.socket as { encrypted?: unknown } | null)?.encrypted === true;
  return new URL(`${secure ? "https" : "http"}://${host}${target.startsWith("/") ? target : "/"}`)
    .href;
}

/** The request body as a stream that pulls from Node's request only as fast as it is read. */
function bodyStream(req: NodeRequestLike): ReadableStream<Uint8Array> {
  const chunks = req[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await chunks.next();
      if (done) controller.close();
      else {controller.enqueue(
          value instanceof Uint8Array ? value : new TextEncoder().encode(`${value}`),
        );}
    },
    async cancel() {
      await chunks.return?.();
    },
  });
}

/** Writes status, headers and body; HEAD and null-body statuses send no body. */
export async function _sendResponse(
  request: Request,
  response: Response,
  res: NodeResponseLike,
  onError: (error: unknown, request: Request) => void,
): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText !== "") res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie" && !HOP_BY_HOP.has(name)) res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  const body = response.body;
  if (body === null || request.method === "HEAD" || NULL_BODY.has(response.status)) {
    await body?.cancel().catch(() => {});
    res.end();
    return;
  }
  await pump(body, res).catch((error) => {
    onError(error, request);
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  });
}

/** Copies the body, waiting for `drain` when Node's buffer is full; stops if the client leaves. */
async function pump(body: ReadableStream<Uint8Array>, res: NodeResponseLike): Promise<void> {
  const reader = body.getReader();
  const stop = () => {
    if (!res.writableFinished) reader.cancel().catch(() => {});
  };
  res.once("close", stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      if (!res.write(value)) await drained(res);
    }
    if (res.destroyed) await reader.cancel().catch(() => {});
    else res.end();
  } finally {
    res.off("close", stop);
  }
}

/** Resolves on `drain`, or on `close` when the client went away. */
function drained(res: NodeResponseLike): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}

/** A short plain-text answer when no `Response` can be had; never cached. */
export function _sendText(res: NodeResponseLike, status: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = status;
  res.setHeader("content-type", "text/plain; charset=utf-8");
  res.setHeader("cache-control", "private, no-cache");
  res.end(text);
}
