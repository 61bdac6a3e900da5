/**
 * The Hono middleware, over real HTTP: Hono's `app.fetch` served by node:http (every runtime,
 * through the node adapter), by Deno.serve on Deno and by Bun.serve on Bun.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type RequestListener } from "node:http";
import { type Context, Hono } from "hono";
import { setCookie } from "hono/cookie";
import { cacheHeadersMiddleware } from "../src/adapters/hono.ts";
import { toNodeListener } from "../src/adapters/node.ts";

type Env = { Variables: { user: { id: string } | null } };
type FetchHandler = (request: Request) => Response | Promise<Response>;

/** The parts of Deno and Bun these tests use, typed here so every runtime's checker accepts them. */
interface DenoLike {
  serve(
    options: { hostname: string; port: number; onListen(): void },
    handler: FetchHandler,
  ): { readonly addr: { readonly port: number }; shutdown(): Promise<void> };
}
interface BunLike {
  serve(options: { hostname: string; port: number; fetch: FetchHandler }): {
    readonly port: number;
    stop(closeActiveConnections?: boolean): unknown;
  };
}
const runtime = globalThis as unknown as { Deno?: DenoLike; Bun?: BunLike };

/** A server on 127.0.0.1, port 0, for a fetch handler: its origin and how to stop it. */
interface Served {
  readonly origin: string;
  close(): Promise<void>;
}

const SERVERS: { name: string; skip: boolean; start(fetch: FetchHandler): Promise<Served> }[] = [
  {
    name: "node:http with toNodeListener(app.fetch)",
    skip: false,
    async start(fetch) {
      const server = createServer(toNodeListener(fetch) as unknown as RequestListener);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as { port: number };
      return {
        origin: `http://127.0.0.1:${port}`,
        close: () => new Promise((resolve) => server.close(() => resolve())),
      };
    },
  },
  {
    name: "Deno.serve(app.fetch)",
    skip: runtime.Deno === undefined,
    start(fetch) {
      const server = runtime.Deno!.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, fetch);
      return Promise.resolve({
        origin: `http://127.0.0.1:${server.addr.port}`,
        close: () => server.shutdown(),
      });
    },
  },
  {
    name: "Bun.serve({ fetch: app.fetch })",
    skip: runtime.Bun === undefined,
    start(fetch) {
      const server = runtime.Bun!.serve({ hostname: "127.0.0.1", port: 0, fetch });
      return Promise.resolve({
        origin: `http://127.0.0.1:${server.port}`,
        close: async () => void await server.stop(true),
      });
    },
  },
];

/** The app: a session middleware sets `user`, cachewise reads it back with `c.get("user")`. */
function buildApp(asked: string[]): Hono<Env> {
  const app = new Hono<Env>();
  app.use(async (c, next) => {
    const signedIn = c.req.header("cookie")?.includes("session=ann") ?? false;
    c.set("user", signedIn ? { id: "ann" } : null);
    await next();
  });
  app.use(cacheHeadersMiddleware<Context<Env>>({
    timeouts: {
      "all-users": { "1h": ["/static/*"] },
      "anonymous-only": { "5m": ["/news/*"] },
      "per-user": { 60: ["/account/*"] },
    },
    identify: (c) => {
      asked.push(c.req.path);
      return c.get("user");
    },
    onError: () => {},
  }));
  app.get("/static/:file", (c) => c.text("body { }"));
  app.get("/news/:id", (c) => {
    c.header("Vary", "Accept-Encoding");
    return c.text("news");
  });
  app.get("/account/:page", (c) => c.html("<p>yours</p>"));
  app.get("/account/own/cache", (c) => {
    c.header("Cache-Control", "no-store");
    return c.text("mine");
  });
  app.get("/login", (c) => {
    setCookie(c, "session", "ann", { path: "/" });
    setCookie(c, "isauthenticated", "1", { path: "/" });
    return c.text("welcome");
  });
  app.get("/broken", () => {
    throw new Error("broken");
  });
  app.onError((_error, c) => c.text("Internal Server Error", 500)); // quiet: no stack trace
  return app;
}

const CASES: [path: string, cookie: string | null, cacheControl: string, vary: string | null][] = [
  ["/static/site.css", null, "max-age=5, s-maxage=3600", null],
  ["/news/1", null, "max-age=5, s-maxage=300", "Accept-Encoding, Cookie, Authorization"],
  ["/news/1", "session=ann", "private, no-cache", "Accept-Encoding, Cookie, Authorization"],
  ["/account/home", "session=ann", "private, max-age=5", "Cookie, Authorization"],
  ["/account/home", null, "max-age=5, s-maxage=60", "Cookie, Authorization"],
  ["/account/own/cache", "session=ann", "no-store", null],
  ["/missing", null, "private, no-cache", null],
  ["/broken", null, "private, no-cache", null],
];

for (const server of SERVERS) {
  describe(`cacheHeadersMiddleware() under ${server.name}`, { skip: server.skip }, () => {
    test("sends each route and audience its headers, merging the handler's Vary", async () => {
      const asked: string[] = [];
      const served = await server.start(buildApp(asked).fetch);
      try {
        for (const [path, cookie, cacheControl, vary] of CASES) {
          const response = await fetch(served.origin + path, {
            headers: cookie === null ? {} : { cookie },
          });
          await response.body?.cancel();
          const label = `${path} as ${cookie ?? "anonymous"}`;
          assert.equal(response.headers.get("cache-control"), cacheControl, label);
          assert.equal(response.headers.get("vary"), vary, label);
        }
        // Asked only where the policy depends on who asks, and only for a 200 without its own
        // Cache-Control.
        assert.deepEqual(asked, ["/news/1", "/news/1", "/account/home", "/account/home"]);
      } finally {
        await served.close();
      }
    });

    test("keeps the body, status and every Set-Cookie, and never shares them", async () => {
      const served = await server.start(buildApp([]).fetch);
      try {
        const login = await fetch(`${served.origin}/login`);
        assert.equal(await login.text(), "welcome");
        assert.equal(login.headers.get("cache-control"), "private, no-cache");
        assert.deepEqual(login.headers.getSetCookie(), [
          "session=ann; Path=/",
          "isauthenticated=1; Path=/",
        ]);
        const page = await fetch(`${served.origin}/account/home`);
        assert.equal(page.status, 200);
        assert.equal(await page.text(), "<p>yours</p>");
        assert.equal(page.headers.get("content-type"), "text/html; charset=UTF-8");
        const broken = await fetch(`${served.origin}/broken`);
        await broken.body?.cancel();
        assert.equal(broken.status, 500);
      } finally {
        await served.close();
      }
    });
  });
}

describe("cacheHeadersMiddleware() in process", () => {
  test("exposes the compiled apply() at .cacheHeaders for explanations", () => {
    const middleware = cacheHeadersMiddleware({ timeouts: { "all-users": { "1h": ["/a"] } } });
    const decision = middleware.cacheHeaders.explain(
      new Request("http://x.test/a"),
      new Response("a"),
    );
    assert.equal(decision.rule?.policy, "all-users");
  });

  test("with debugHeader, names the rule in X-Cachewise", async () => {
    const app = new Hono();
    app.use(cacheHeadersMiddleware({
      timeouts: { "all-users": { "1h": ["/a"] } },
      debugHeader: true,
    }));
    app.get("/a", (c) => c.text("a"));
    const response = await app.request("/a");
    assert.equal(
      response.headers.get("x-cachewise"),
      'cachewise; reason=rule; rule="/a"; policy="all-users"; ttl=3600; shared=?1',
    );
  });

  test("keyed mode: the sign-in marker joins the handler's cookies, a forgery is a 400", async () => {
    const app = new Hono();
    app.use(cacheHeadersMiddleware({
      timeouts: { "per-user": { 60: ["/account/*"] } },
      keyed: { sessionCookie: "sessionid", onForgedSignIn: "reject" },
      identify: (c) =>
        c.req.raw.headers.get("cookie")?.includes("sessionid=s-ann") ? { id: "ann" } : null,
    }));
    app.get("/account/x", (c) => {
      setCookie(c, "csrf", "1");
      return c.text("secret");
    });
    const signedIn = await app.request("/account/x", { headers: { cookie: "sessionid=s-ann" } });
    const cookies = signedIn.headers.getSetCookie();
    assert.equal(cookies[0], "csrf=1; Path=/");
    assert.match(cookies[1]!, /^isauthenticated=1;/);
    const forged = await app.request("/account/x", { headers: { cookie: "isauthenticated=1" } });
    assert.equal(forged.status, 400);
    assert.doesNotMatch(await forged.text(), /secret/);
  });

  test("bad options throw once, when the middleware is created", () => {
    assert.throws(
      () => cacheHeadersMiddleware({ timeouts: { "per-usr": { 60: ["/a"] } } }),
      /Policy "per-usr"/,
    );
    assert.throws(
      // @ts-expect-error: identify must be a function
      () => cacheHeadersMiddleware({ identify: "user" }),
      /option "identify" must be a function/,
    );
  });
});
