/**
 * The Workers entry. workerd (the Workers runtime) is not installed here (no npm package ships it
 * among the devDependencies), so these tests call the module Worker's `fetch` in process with
 * real `Request`/`Response` objects and stand-ins for `env` and `ctx`. examples_test.ts also
 * serves examples/workers_app.ts over real HTTP.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { workersHandler } from "../src/adapters/workers.ts";

/** Cloudflare's shapes as @cloudflare/workers-types declares them, trimmed to what matters. */
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
  readonly props: unknown;
}
interface ExportedHandler<Env> {
  fetch?: (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;
}

interface Env {
  readonly SESSIONS: { get(key: string): Promise<string | null> };
  readonly GREETING: string;
}

const CONFIG = {
  timeouts: {
    "all-users": { "1h": ["/about"] },
    "per-user": { 60: ["/dashboard/*"] },
  },
};

/** A stand-in for the runtime's ExecutionContext that records what it is given. */
function standInContext(): ExecutionContext & { readonly pending: Promise<unknown>[] } {
  const pending: Promise<unknown>[] = [];
  return {
    pending,
    waitUntil: (promise) => pending.push(promise),
    passThroughOnException() {},
    props: {},
  };
}

const ENV: Env = {
  GREETING: "hello",
  SESSIONS: { get: (key) => Promise.resolve(key === "s-ann" ? "ann" : null) },
};

describe("workersHandler() (in process, stand-in env and ctx: no workerd here)", () => {
  test("passes env and ctx to the handler and to identify, which is asked only when needed", async () => {
    const asked: string[] = [];
    const worker = workersHandler<Env, ExecutionContext>((_request, env, ctx) => {
      ctx.waitUntil(Promise.resolve("logged"));
      return new Response(env.GREETING);
    }, {
      ...CONFIG,
      identify: async (request, env, ctx) => {
        asked.push(`${new URL(request.url).pathname} ${typeof ctx.waitUntil}`);
        const session = /session=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
        const user = session === undefined ? null : await env.SESSIONS.get(session);
        return user === null ? null : { id: user };
      },
    }) satisfies ExportedHandler<Env>;
    const ctx = standInContext();
    const about = await worker.fetch(new Request("https://example.com/about"), ENV, ctx);
    assert.equal(await about.text(), "hello");
    assert.equal(about.headers.get("cache-control"), "max-age=5, s-maxage=3600");
    const mine = await worker.fetch(
      new Request("https://example.com/dashboard/", { headers: { cookie: "session=s-ann" } }),
      ENV,
      ctx,
    );
    assert.equal(mine.headers.get("cache-control"), "private, max-age=5");
    assert.equal(mine.headers.get("vary"), "Cookie, Authorization");
    const anonymous = await worker.fetch(new Request("https://example.com/dashboard/"), ENV, ctx);
    assert.equal(anonymous.headers.get("cache-control"), "max-age=5, s-maxage=60");
    assert.deepEqual(asked, ["/dashboard/ function", "/dashboard/ function"]);
    assert.equal(ctx.pending.length, 3);
  });

  test("wraps another module Worker or a Hono app, whose c.env is the Worker's env", async () => {
    const app = new Hono<{ Bindings: Env }>();
    app.get("/about", (c) => c.text(c.env.GREETING));
    const worker = workersHandler<Env, ExecutionContext>(app, CONFIG);
    const response = await worker.fetch(
      new Request("https://example.com/about"),
      ENV,
      standInContext(),
    );
    assert.equal(await response.text(), "hello");
    assert.equal(response.headers.get("x-accel-expires"), "3600");

    const inner = {
      greeting: "from this",
      fetch(this: { greeting: string }) {
        return new Response(this.greeting);
      },
    };
    const wrapped = workersHandler(inner, CONFIG);
    const text =
      await (await wrapped.fetch(new Request("https://example.com/x"), ENV, standInContext()))
        .text();
    assert.equal(text, "from this");
  });

  test("rebuilds immutable responses from fetch() and keeps every Set-Cookie", async () => {
    const worker = workersHandler(() => {
      const upstream = Response.redirect("https://example.com/elsewhere", 302);
      return upstream;
    }, CONFIG);
    const redirect = await worker.fetch(
      new Request("https://example.com/about"),
      ENV,
      standInContext(),
    );
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.get("cache-control"), "private, no-cache");

    const cookies = workersHandler(() => {
      const headers = new Headers([["set-cookie", "a=1"], ["set-cookie", "b=2"]]);
      return new Response("x", { headers });
    }, CONFIG);
    const response = await cookies.fetch(
      new Request("https://example.com/about"),
      ENV,
      standInContext(),
    );
    assert.deepEqual(response.headers.getSetCookie(), ["a=1", "b=2"]);
    assert.equal(response.headers.get("cache-control"), "private, no-cache");
  });

  test("an error from the handler reaches the runtime; bad arguments throw at construction", async () => {
    const worker = workersHandler(() => {
      throw new Error("handler broke");
    }, CONFIG);
    await assert.rejects(
      worker.fetch(new Request("https://example.com/"), ENV, standInContext()),
      /handler broke/,
    );
    // @ts-expect-error: not a handler
    assert.throws(() => workersHandler(42, CONFIG), /needs a fetch handler/);
    assert.throws(
      () => workersHandler(() => new Response(), { timeouts: { nope: { 1: ["/"] } } }),
      /Policy "nope"/,
    );
  });

  test("exposes the compiled apply() at .cacheHeaders and honours debugHeader", async () => {
    const worker = workersHandler(() => new Response("x"), { ...CONFIG, debugHeader: true });
    assert.equal(
      worker.cacheHeaders.explain(new Request("https://example.com/about"), new Response("x")).rule
        ?.policy,
      "all-users",
    );
    const response = await worker.fetch(
      new Request("https://example.com/nowhere"),
      ENV,
      standInContext(),
    );
    assert.equal(response.headers.get("x-cachewise"), "cachewise; reason=no-rule; shared=?0");
  });
});
