import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Identity, withCacheHeaders } from "../mod.ts";
import { CONFIG, request } from "./_helpers.ts";

// deno-lint-ignore no-explicit-any
const runtime = globalThis as any;

describe("withCacheHeaders()", () => {
  test("passes extra arguments and this through to the handler and identify", async () => {
    const seen: unknown[] = [];
    const handler = withCacheHeaders(
      function (this: unknown, _request: Request, info: { remote: string }, extra: number) {
        seen.push(this, info.remote, extra);
        return new Response("x");
      },
      {
        ...CONFIG,
        identify: (_request, info, extra) => {
          seen.push(`identify ${info.remote} ${extra}`);
          return null;
        },
      },
    );
    const self = { server: true };
    const response = await handler.call(self, request("/account/x"), { remote: "127.0.0.1" }, 7);
    assert.deepEqual(seen, [self, "127.0.0.1", 7, "identify 127.0.0.1 7"]);
    assert.equal(response.headers.get("cache-control"), "max-age=5, s-maxage=60");
  });

  test("awaits an async identify and an async handler", async () => {
    const handler = withCacheHeaders(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return new Response("x");
    }, {
      ...CONFIG,
      identify: async (req): Promise<Identity | null> => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return req.headers.get("cookie") === "sessionid=s-ann" ? { id: "ann" } : null;
      },
    });
    const signedIn = await handler(
      request("/account/x", { headers: { cookie: "sessionid=s-ann" } }),
    );
    assert.equal(signedIn.headers.get("cache-control"), "private, max-age=5");
    const anonymous = await handler(request("/account/x"));
    assert.equal(anonymous.headers.get("cache-control"), "max-age=5, s-maxage=60");
  });

  test("asks identify only when the policy depends on who asks", async () => {
    const asked: string[] = [];
    const handler = withCacheHeaders(() => new Response("x"), {
      ...CONFIG,
      identify: (req) => {
        asked.push(new URL(req.url).pathname);
        return null;
      },
    });
    await handler(request("/static/app.css"));
    await handler(request("/unlisted"));
    await handler(request("/news/x", { method: "POST", body: "x" }));
    await handler(request("/news/x"));
    assert.deepEqual(asked, ["/news/x"]);
  });

  test("an identify that fails sends the page uncached and reports the error", async () => {
    const errors: unknown[] = [];
    const handler = withCacheHeaders(() => new Response("x"), {
      ...CONFIG,
      identify: () => Promise.reject(new Error("session store down")),
      onError: (error) => errors.push(error),
    });
    const response = await handler(request("/account/x"));
    assert.equal(response.headers.get("cache-control"), "private, no-cache");
    assert.equal((errors[0] as Error).message, "session store down");
  });

  test("an error from the handler itself reaches the server unchanged", async () => {
    const handler = withCacheHeaders(() => {
      throw new Error("handler broke");
    }, CONFIG);
    await assert.rejects(handler(request("/about")), /handler broke/);
  });

  test("exposes the compiled cacheHeaders() for explanations, leaving Function.prototype.apply alone", () => {
    const handler = withCacheHeaders(() => new Response("x"), CONFIG);
    assert.equal(
      handler.cacheHeaders.explain(request("/about"), new Response("x")).rule?.policy,
      "all-users",
    );
    assert.equal(handler.apply, Function.prototype.apply);
  });

  test("works as a node:http listener, which the event emitter calls with .apply()", async () => {
    const { EventEmitter } = await import("node:events");
    const emitter = new EventEmitter();
    const seen: Promise<Response>[] = [];
    const handler = withCacheHeaders(() => new Response("x"), CONFIG);
    emitter.on("request", (req: Request) => seen.push(handler(req)));
    emitter.emit("request", request("/about"));
    assert.equal((await seen[0]!).headers.get("cache-control"), "max-age=5, s-maxage=3600");
  });
});

describe("withCacheHeaders() in the runtime's own server", () => {
  test("Deno.serve passes its connection info through", { skip: !runtime.Deno }, async () => {
    let remote = "";
    const server = runtime.Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      withCacheHeaders((_req: Request, info: { remoteAddr: { hostname: string } }) => {
        remote = info.remoteAddr.hostname;
        return new Response("hello");
      }, CONFIG),
    );
    try {
      const response = await fetch(`http://127.0.0.1:${server.addr.port}/about`);
      assert.equal(await response.text(), "hello");
      assert.equal(response.headers.get("cache-control"), "max-age=5, s-maxage=3600");
      assert.equal(remote, "127.0.0.1");
    } finally {
      await server.shutdown();
    }
  });

  test("Bun.serve passes its server through", { skip: !runtime.Bun }, async () => {
    let sawServer = false;
    const server = runtime.Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: withCacheHeaders((_req: Request, bunServer: { port: number }) => {
        sawServer = typeof bunServer.port === "number";
        return new Response("hello");
      }, CONFIG),
    });
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/news/x`);
      assert.equal(await response.text(), "hello");
      assert.equal(response.headers.get("cache-control"), "max-age=5, s-maxage=300");
      assert.equal(response.headers.get("vary"), "Cookie, Authorization");
      assert.ok(sawServer);
    } finally {
      server.stop(true);
    }
  });
});
