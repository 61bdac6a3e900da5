import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { cacheHeaders, type Identity, type Policy, withCacheHeaders } from "../mod.ts";
import { ANN, cachingHeaders, CONFIG, ORIGIN, request } from "./_helpers.ts";

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
    await assert.rejects(async () => await handler(request("/about")), /handler broke/);
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
    const seen: (Response | Promise<Response>)[] = [];
    const handler = withCacheHeaders(() => new Response("x"), CONFIG);
    emitter.on("request", (req: Request) => seen.push(handler(req)));
    emitter.emit("request", request("/about"));
    assert.equal((await seen[0]!).headers.get("cache-control"), "max-age=5, s-maxage=3600");
  });
});

describe("withCacheHeaders() without a microtask", () => {
  test("a synchronous handler and identify get the Response itself, no promise", async () => {
    const handler = withCacheHeaders(() => new Response("x", { headers: { vary: "Accept" } }), {
      ...CONFIG,
      identify: (req) => req.headers.has("cookie") ? ANN : null,
    });
    const anonymous = handler(request("/account/x"));
    assert.ok(anonymous instanceof Response);
    assert.deepEqual(cachingHeaders(anonymous.headers), {
      "cache-control": "max-age=5, s-maxage=60",
      vary: "Accept, Cookie, Authorization",
      "x-accel-expires": "60",
    });
    const signedIn = handler(request("/account/x", { headers: { cookie: "sessionid=s-ann" } }));
    assert.ok(signedIn instanceof Response);
    assert.deepEqual(cachingHeaders(signedIn.headers), {
      "cache-control": "private, max-age=5",
      vary: "Accept, Cookie, Authorization",
    });
    assert.equal(await signedIn.text(), "x");
  });

  test("an asynchronous handler or identify gets a promise", async () => {
    const asyncHandler = withCacheHeaders(() => Promise.resolve(new Response("x")), CONFIG);
    const fromHandler = asyncHandler(request("/about"));
    assert.ok(fromHandler instanceof Promise);
    assert.equal((await fromHandler).headers.get("cache-control"), "max-age=5, s-maxage=3600");
    const asyncIdentify = withCacheHeaders(() => new Response("x"), {
      ...CONFIG,
      identify: () => Promise.resolve(ANN),
    });
    const fromIdentify = asyncIdentify(request("/account/x"));
    assert.ok(fromIdentify instanceof Promise);
    assert.equal((await fromIdentify).headers.get("cache-control"), "private, max-age=5");
    // identify is asked only when the policy depends on who asks: no promise then.
    assert.ok(asyncIdentify(request("/about")) instanceof Response);
  });

  test("an identify that throws synchronously sends the page uncached and reports the error", async () => {
    const errors: unknown[] = [];
    const seen: Request[] = [];
    const handler = withCacheHeaders(() => new Response("x"), {
      ...CONFIG,
      identify: () => {
        throw new Error("no session store");
      },
      onError: (error, req) => {
        errors.push(error);
        seen.push(req);
      },
    });
    const req = request("/account/x");
    const response = await handler(req);
    assert.equal(response.headers.get("cache-control"), "private, no-cache");
    assert.equal(response.headers.get("x-accel-expires"), null);
    assert.equal((errors[0] as Error).message, "no session store");
    assert.equal(seen[0], req);
    assert.equal(await response.text(), "x");
  });

  for (
    const [name, handlerOf] of [
      ["synchronous", () => new Response("x")],
      ["asynchronous", () => Promise.resolve(new Response("x"))],
    ] as const
  ) {
    test(`an identify that rejects, after a ${name} handler, sends the page uncached and reports it`, async () => {
      const errors: unknown[] = [];
      const handler = withCacheHeaders(handlerOf, {
        ...CONFIG,
        identify: async () => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          throw new Error("session store down");
        },
        onError: (error) => errors.push(error),
      });
      const response = await handler(request("/news/x"));
      assert.equal(response.headers.get("cache-control"), "private, no-cache");
      assert.deepEqual(errors.map((error) => (error as Error).message), ["session store down"]);
    });
  }

  test("a handler that throws synchronously gives a rejected promise, not an exception", async () => {
    const handler = withCacheHeaders(() => {
      throw new Error("handler broke");
    }, CONFIG);
    let result: Response | Promise<Response> | undefined;
    assert.doesNotThrow(() => {
      result = handler(request("/about"));
    });
    assert.ok(result instanceof Promise);
    await assert.rejects(result as Promise<Response>, /handler broke/);
  });

  test("an onError that throws rejects the promise, as before", async () => {
    const handler = withCacheHeaders(() => new Response("x"), {
      ...CONFIG,
      identify: () => {
        throw new Error("identify broke");
      },
      onError: () => {
        throw new Error("onError broke too");
      },
    });
    let result: Response | Promise<Response> | undefined;
    assert.doesNotThrow(() => {
      result = handler(request("/account/x"));
    });
    assert.ok(result instanceof Promise);
    await assert.rejects(result as Promise<Response>, /onError broke too/);
  });

  test("a handler returning a thenable that is not a Promise is awaited", async () => {
    const handler = withCacheHeaders(
      () => ({ then: (resolve: (r: Response) => void) => resolve(new Response("x")) }) as never,
      CONFIG,
    );
    const response = await handler(request("/about"));
    assert.equal(response.headers.get("cache-control"), "max-age=5, s-maxage=3600");
  });

  test("a handler that returns something that is not a Response rejects with a TypeError", async () => {
    const odd = { status: 200, headers: new Headers() };
    const handler = withCacheHeaders(() => odd as unknown as Response, CONFIG);
    await assert.rejects(Promise.resolve(handler(request("/about"))), TypeError);
  });
});

describe("writeDecision()", () => {
  const strange: Policy = () => ({
    cacheControl: { maxAge: 5, sMaxage: 60 },
    headers: { "X-Note": "a \u2192 b" },
  });

  test("a header value Headers refuses leaves the response unchanged, its body still readable", async () => {
    const apply = cacheHeaders({ policies: { strange }, timeouts: { strange: { 60: ["/x"] } } });
    const response = new Response("kept", { headers: { "content-type": "text/plain" } });
    const out = apply(request("/x"), response);
    assert.equal(out, response);
    assert.equal(out.headers.get("cache-control"), null);
    assert.equal(await out.text(), "kept");
  });

  test("the same through withCacheHeaders()", async () => {
    const handler = withCacheHeaders(() => new Response("kept"), {
      policies: { strange },
      timeouts: { strange: { 60: ["/x"] } },
    });
    const out = await handler(request("/x"));
    assert.equal(out.headers.get("cache-control"), null);
    assert.equal(await out.text(), "kept");
  });

  test("keeps every header and Set-Cookie of the handler, status and status text", async () => {
    const apply = cacheHeaders({
      timeouts: { "all-users": { 60: ["/x"] }, "per-user": { 60: ["/y"] } },
    });
    const response = () => {
      const headers = new Headers({ "content-type": "text/plain", etag: '"1"', vary: "Accept" });
      headers.append("x-many", "a");
      headers.append("x-many", "b");
      return new Response("body", { status: 200, statusText: "Fine", headers });
    };
    const shared = apply(request("/x"), response());
    assert.equal(shared.statusText, "Fine");
    assert.deepEqual([...shared.headers], [
      ["cache-control", "max-age=5, s-maxage=60"],
      ["content-type", "text/plain"],
      ["etag", '"1"'],
      ["vary", "Accept"],
      ["x-accel-expires", "60"],
      ["x-many", "a, b"],
    ]);
    const own = apply(request("/y"), response(), ANN);
    assert.deepEqual([...own.headers], [
      ["cache-control", "private, max-age=5"],
      ["content-type", "text/plain"],
      ["etag", '"1"'],
      ["vary", "Accept, Cookie, Authorization"],
      ["x-many", "a, b"],
    ]);
    assert.equal(await own.text(), "body");
  });

  test("writes onto responses whose own headers are immutable, such as Response.redirect()", () => {
    const apply = cacheHeaders(CONFIG);
    const out = apply(request("/about"), Response.redirect(`${ORIGIN}/elsewhere`, 302));
    assert.equal(out.status, 302);
    assert.equal(out.headers.get("location"), `${ORIGIN}/elsewhere`);
    assert.equal(out.headers.get("cache-control"), "private, no-cache");
  });

  test("gives the same Vary every time to responses that have none", () => {
    const apply = cacheHeaders(CONFIG);
    for (let i = 0; i < 3; i++) {
      const out = apply(request(`/news/${i}`), new Response("x"));
      assert.equal(out.headers.get("vary"), "Cookie, Authorization");
    }
  });

  test("neutralises the handler's targeted lifetimes on a response no shared cache may keep", () => {
    const apply = cacheHeaders({ timeouts: { "per-user": { 60: ["/y"] } } });
    const out = apply(
      request("/y"),
      new Response("x", {
        headers: { "x-accel-expires": "600", "cdn-cache-control": "max-age=9" },
      }),
      ANN,
    );
    assert.equal(out.headers.get("x-accel-expires"), "0");
    assert.equal(out.headers.get("cdn-cache-control"), "no-store");
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
