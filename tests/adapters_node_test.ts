/**
 * toNodeListener(): a fetch handler served by node:http, over real HTTP on loopback, under
 * whichever runtime runs the suite (Node, Bun and Deno all provide node:http).
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type RequestListener } from "node:http";
import { connect } from "node:net";
import { toNodeListener } from "../src/adapters/node.ts";

/** Starts `http.createServer(listener)` on 127.0.0.1, port 0; returns its origin and a closer. */
async function serve(
  listener: (req: never, res: never) => unknown,
): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer(listener as RequestListener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Polls until `check()` holds or a second has passed. */
async function eventually(check: () => boolean): Promise<boolean> {
  for (let waited = 0; waited < 1000 && !check(); waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return check();
}

/** Sends raw bytes to the server and returns the status line it answers with. */
function rawStatusLine(origin: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      if (received.includes("\r\n")) {
        socket.destroy();
        resolve(received.split("\r\n")[0]!);
      }
    });
    socket.on("error", reject);
  });
}

describe("toNodeListener() over node:http", () => {
  test("sends the status, status text, headers and body of the Response", async () => {
    const server = await serve(
      toNodeListener((request) =>
        new Response(`${request.method} ${new URL(request.url).pathname}`, {
          status: 201,
          statusText: "Made It",
          headers: { "x-answer": "42" },
        })
      ),
    );
    try {
      const response = await fetch(`${server.origin}/a/b?c=d`);
      assert.equal(response.status, 201);
      // Read from the wire: Deno's fetch() reports the standard reason phrase instead.
      const get = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
      assert.equal(await rawStatusLine(server.origin, get), "HTTP/1.1 201 Made It");
      assert.equal(response.headers.get("x-answer"), "42");
      assert.equal(await response.text(), "GET /a/b");
    } finally {
      await server.close();
    }
  });

  test("builds the Request: URL from the Host header, repeated headers, the streamed body", async () => {
    let seen: { url: string; accept: string | null; body: string } | null = null;
    const server = await serve(toNodeListener(async (request) => {
      seen = {
        url: request.url,
        accept: request.headers.get("x-list"),
        body: await request.text(),
      };
      return new Response("ok");
    }));
    try {
      const headers = new Headers([["x-list", "a"], ["x-list", "b"]]);
      const response = await fetch(`${server.origin}/echo?q=1`, {
        method: "POST",
        headers,
        body: "x".repeat(100_000),
      });
      assert.equal(await response.text(), "ok");
      assert.equal(seen!.url, `${server.origin}/echo?q=1`);
      assert.equal(seen!.accept, "a, b");
      assert.equal(seen!.body.length, 100_000);
    } finally {
      await server.close();
    }
  });

  test("keeps every Set-Cookie as its own header line", async () => {
    const server = await serve(toNodeListener(() => {
      const headers = new Headers();
      headers.append("set-cookie", "a=1; Path=/");
      headers.append("set-cookie", "b=2, with a comma; Path=/");
      return new Response("cookies", { headers });
    }));
    try {
      const response = await fetch(server.origin);
      await response.body?.cancel();
      assert.deepEqual(response.headers.getSetCookie(), [
        "a=1; Path=/",
        "b=2, with a comma; Path=/",
      ]);
    } finally {
      await server.close();
    }
  });

  test("answers HEAD with the headers only, and cancels the unread body", async () => {
    let cancelled = false;
    const server = await serve(toNodeListener(() =>
      new Response(
        new ReadableStream({
          pull: (controller) => controller.enqueue(new Uint8Array(10)),
          cancel: () => {
            cancelled = true;
          },
        }),
        { headers: { "x-head": "yes" } },
      )
    ));
    try {
      const response = await fetch(server.origin, { method: "HEAD" });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("x-head"), "yes");
      assert.equal(await response.text(), "");
      assert.ok(await eventually(() => cancelled), "the body was not cancelled");
    } finally {
      await server.close();
    }
  });

  test("pulls the body only as fast as the client reads it (backpressure)", async () => {
    const chunk = new Uint8Array(64 * 1024);
    const total = 1024; // 64 MiB: far more than socket buffers hold
    let pulled = 0;
    const server = await serve(toNodeListener(() =>
      new Response(
        new ReadableStream({
          pull(controller) {
            if (pulled++ === total) controller.close();
            else controller.enqueue(chunk);
          },
        }, { highWaterMark: 0 }),
      )
    ));
    try {
      const response = await fetch(server.origin);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the client reads nothing
      const pulledWhilePaused = pulled;
      assert.ok(pulledWhilePaused < total / 2, `pulled ${pulledWhilePaused} of ${total} chunks`);
      let received = 0;
      const reader = response.body!.getReader();
      for (let part = await reader.read(); !part.done; part = await reader.read()) {
        received += part.value.byteLength;
      }
      assert.equal(received, total * chunk.byteLength);
    } finally {
      await server.close();
    }
  });

  test("cancels the body and aborts request.signal when the client goes away", async () => {
    let cancelled = false;
    let aborted = false;
    const server = await serve(toNodeListener((request) => {
      request.signal.addEventListener("abort", () => aborted = true);
      return new Response(
        new ReadableStream({
          async pull(controller) {
            await new Promise((resolve) => setTimeout(resolve, 5));
            controller.enqueue(new TextEncoder().encode("tick\n"));
          },
          cancel: () => {
            cancelled = true;
          },
        }),
      );
    }));
    try {
      const client = new AbortController();
      const response = await fetch(server.origin, { signal: client.signal });
      const reader = response.body!.getReader();
      await reader.read();
      client.abort();
      await reader.cancel().catch(() => {});
      assert.ok(
        await eventually(() => cancelled && aborted),
        `cancelled ${cancelled}, aborted ${aborted}`,
      );
    } finally {
      await server.close();
    }
  });

  test("a handler that throws gets a 500, uncached, and onError is told", async () => {
    const errors: unknown[] = [];
    const server = await serve(toNodeListener(() => {
      throw new Error("handler broke");
    }, { onError: (error) => errors.push(error) }));
    try {
      const response = await fetch(server.origin);
      assert.equal(response.status, 500);
      assert.equal(response.headers.get("cache-control"), "private, no-cache");
      assert.equal(await response.text(), "Internal Server Error");
      assert.equal((errors[0] as Error).message, "handler broke");
    } finally {
      await server.close();
    }
  });

  test("a handler that returns no Response gets a 500, and onError is told what it returned", async () => {
    const errors: unknown[] = [];
    const server = await serve(toNodeListener(() => "hello" as unknown as Response, {
      onError: (error) => errors.push(error),
    }));
    try {
      const response = await fetch(server.origin);
      await response.body?.cancel();
      assert.equal(response.status, 500);
      assert.ok(errors[0] instanceof TypeError);
      assert.match(errors[0].message, /the string "hello" where a Response belongs/);
    } finally {
      await server.close();
    }
  });

  test("a Host header that would change the path is a 400, not a request", async () => {
    let called = false;
    const server = await serve(toNodeListener(() => {
      called = true;
      return new Response("reached");
    }));
    try {
      const bad =
        "GET /account/x HTTP/1.1\r\nHost: evil.example/static\r\nConnection: close\r\n\r\n";
      assert.equal(await rawStatusLine(server.origin, bad), "HTTP/1.1 400 Bad Request");
      assert.equal(called, false);
    } finally {
      await server.close();
    }
  });
});
