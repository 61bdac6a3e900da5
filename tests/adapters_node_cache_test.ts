/**
 * cacheHeadersForNode(): caching headers on a node:http server, over real HTTP on loopback,
 * under whichever runtime runs the suite.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type RequestListener } from "node:http";
import { cacheHeadersForNode, type NodeContext } from "../src/adapters/node.ts";
import type { Identity } from "../mod.ts";

const CONFIG = {
  timeouts: {
    "all-users": { "1h": ["/static/*"] },
    "anonymous-only": { "5m": ["/news/*"] },
    "per-user": { 60: ["/account/*"] },
  },
};

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

describe("cacheHeadersForNode() over node:http", () => {
  const identify = (request: Request): Identity | null =>
    request.headers.get("cookie") === "session=ann" ? { id: "ann" } : null;

  test("sends each audience its headers, asking identify only when needed", async () => {
    const asked: string[] = [];
    const server = await serve(cacheHeadersForNode(() => new Response("page"), {
      ...CONFIG,
      identify: (request, node: NodeContext) => {
        asked.push(`${new URL(request.url).pathname} ${typeof node.req.rawHeaders}`);
        return identify(request);
      },
    }));
    try {
      const cases: [string, HeadersInit, string, string | null][] = [
        ["/static/a.css", {}, "max-age=5, s-maxage=3600", "3600"],
        ["/news/1", {}, "max-age=5, s-maxage=300", "300"],
        ["/news/1", { cookie: "session=ann" }, "private, no-cache", null],
        ["/account/x", { cookie: "session=ann" }, "private, max-age=5", null],
        ["/elsewhere", {}, "private, no-cache", null],
      ];
      for (const [path, headers, cacheControl, accel] of cases) {
        const response = await fetch(server.origin + path, { headers });
        assert.equal(await response.text(), "page");
        assert.equal(response.headers.get("cache-control"), cacheControl, path);
        assert.equal(response.headers.get("x-accel-expires"), accel, path);
      }
      assert.deepEqual(asked, ["/news/1 object", "/news/1 object", "/account/x object"]);
    } finally {
      await server.close();
    }
  });

  test("never shares a response with cookies, and keeps them all", async () => {
    const server = await serve(cacheHeadersForNode(() => {
      const headers = new Headers([["set-cookie", "a=1"], ["set-cookie", "b=2"]]);
      return new Response("signed in", { headers });
    }, CONFIG));
    try {
      const response = await fetch(`${server.origin}/static/x`);
      await response.body?.cancel();
      assert.equal(response.headers.get("cache-control"), "private, no-cache");
      assert.deepEqual(response.headers.getSetCookie(), ["a=1", "b=2"]);
    } finally {
      await server.close();
    }
  });

  test("debugHeader adds X-Cachewise naming the rule, without the identity", async () => {
    const server = await serve(cacheHeadersForNode(() => new Response("mine"), {
      ...CONFIG,
      identify,
      debugHeader: true,
    }));
    try {
      const response = await fetch(`${server.origin}/account/x`, {
        headers: { cookie: "session=ann" },
      });
      await response.body?.cancel();
      const debug = response.headers.get("x-cachewise")!;
      assert.equal(
        debug,
        'cachewise; reason=rule; rule="/account/*"; policy="per-user"; ttl=60; audience=signed-in; shared=?0',
      );
      assert.ok(!debug.includes("ann"));
    } finally {
      await server.close();
    }
  });
});
