/**
 * The Elysia plugin, over real HTTP: `app.listen()` on Bun (Elysia's Bun adapter). Elsewhere
 * Elysia runs its web-standard adapter, served here by node:http through the node adapter (and
 * by Deno.serve on Deno), so the hooks are checked under both of Elysia's compilers.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type RequestListener } from "node:http";
import { Elysia, status } from "elysia";
import { cacheHeadersPlugin } from "../src/adapters/elysia.ts";
import { toNodeListener } from "../src/adapters/node.ts";

type FetchHandler = (request: Request) => Response | Promise<Response>;
interface DenoLike {
  serve(
    options: { hostname: string; port: number; onListen(): void },
    handler: FetchHandler,
  ): { readonly addr: { readonly port: number }; shutdown(): Promise<void> };
}
const runtime = globalThis as unknown as { Deno?: DenoLike; Bun?: unknown };
type User = { id: string } | null;

function buildApp(asked: string[]) {
  return new Elysia()
    .derive(({ headers }) => ({
      user: (headers.cookie ?? "").includes("session=ann") ? { id: "ann" } as User : null,
    }))
    .use(cacheHeadersPlugin({
      timeouts: {
        "all-users": { "1h": ["/static/*"] },
        "anonymous-only": { "5m": ["/news/*"] },
        "per-user": { 60: ["/account/*"] },
      },
      identify: ({ user, request }: { user: User; request: Request }) => {
        asked.push(new URL(request.url).pathname);
        return user;
      },
    }))
    .get("/static/text", () => "body { }")
    .get("/static/json", () => ({ ok: true }))
    .get("/static/fixed", new Response("fixed", { headers: { vary: "Accept" } }))
    .get("/news/:id", () => new Response("news", { headers: { vary: "Accept-Encoding" } }))
    .get("/account/home", ({ set }) => {
      set.headers["vary"] = "Accept-Language";
      return "yours";
    })
    .get("/account/own", ({ set }) => {
      set.headers["cache-control"] = "no-store";
      set.headers["x-accel-expires"] = "600";
      return "mine";
    })
    .get("/static/gone", () => status(404, "gone"))
    .get("/static/login", ({ cookie: { session } }) => {
      session!.set({ value: "ann", path: "/" });
      return "welcome";
    })
    .get("/static/cookies", ({ set }) => {
      set.headers["set-cookie"] = ["a=1", "b=2"];
      return "two";
    })
    .get("/static/broken", () => {
      throw new Error("broken");
    })
    .onError(({ code }) => code === "UNKNOWN" ? "Internal Server Error" : undefined);
}

type Case = [path: string, cookie: string | null, status: number, cc: string, vary: string | null];
const CASES: Case[] = [
  ["/static/text", null, 200, "max-age=5, s-maxage=3600", null],
  ["/static/json", null, 200, "max-age=5, s-maxage=3600", null],
  ["/static/fixed", null, 200, "max-age=5, s-maxage=3600", "Accept"],
  ["/static/fixed", null, 200, "max-age=5, s-maxage=3600", "Accept"], // twice: nothing sticks
  ["/news/1", null, 200, "max-age=5, s-maxage=300", "Accept-Encoding, Cookie, Authorization"],
  ["/news/1", "session=ann", 200, "private, no-cache", "Accept-Encoding, Cookie, Authorization"],
  [
    "/account/home",
    "session=ann",
    200,
    "private, max-age=5",
    "Accept-Language, Cookie, Authorization",
  ],
  ["/account/home", null, 200, "max-age=5, s-maxage=60", "Accept-Language, Cookie, Authorization"],
  ["/account/own", "session=ann", 200, "no-store", null],
  ["/static/gone", null, 404, "private, no-cache", null],
  ["/static/login", null, 200, "private, no-cache", null],
  ["/static/broken", null, 500, "private, no-cache", null],
  ["/nowhere", null, 404, "private, no-cache", null],
];

interface Served {
  readonly origin: string;
  close(): Promise<void>;
}
type App = ReturnType<typeof buildApp>;

const SERVERS: { name: string; skip: boolean; start(app: App): Promise<Served> }[] = [
  {
    name: "Bun: app.listen()",
    skip: runtime.Bun === undefined,
    start(app) {
      app.listen({ hostname: "127.0.0.1", port: 0 });
      return Promise.resolve({
        origin: `http://127.0.0.1:${app.server!.port}`,
        close: async () => void await app.stop(true),
      });
    },
  },
  {
    name: "node:http with toNodeListener(app.fetch)",
    skip: runtime.Bun !== undefined,
    async start(app) {
      const server = createServer(toNodeListener(app.fetch) as unknown as RequestListener);
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
    start(app) {
      const server = runtime.Deno!.serve(
        { hostname: "127.0.0.1", port: 0, onListen() {} },
        app.fetch,
      );
      return Promise.resolve({
        origin: `http://127.0.0.1:${server.addr.port}`,
        close: () => server.shutdown(),
      });
    },
  },
];

for (const server of SERVERS) {
  describe(`cacheHeadersPlugin() under ${server.name}`, { skip: server.skip }, () => {
    test("gives each kind of handler value its headers, asking identify only when needed", async () => {
      const asked: string[] = [];
      const served = await server.start(buildApp(asked));
      try {
        for (const [path, cookie, status, cacheControl, vary] of CASES) {
          const response = await fetch(served.origin + path, {
            headers: cookie === null ? {} : { cookie },
          });
          await response.body?.cancel();
          const label = `${path} as ${cookie ?? "anonymous"}`;
          assert.equal(response.status, status, label);
          assert.equal(response.headers.get("cache-control"), cacheControl, label);
          assert.equal(response.headers.get("vary"), vary, label);
        }
        assert.deepEqual(asked, ["/news/1", "/news/1", "/account/home", "/account/home"]);
      } finally {
        await served.close();
      }
    });

    test("keeps the body and every cookie, and neutralises a handler's proxy lifetime", async () => {
      const served = await server.start(buildApp([]));
      try {
        const json = await fetch(`${served.origin}/static/json`);
        assert.deepEqual(await json.json(), { ok: true });
        const login = await fetch(`${served.origin}/static/login`);
        assert.equal(await login.text(), "welcome");
        assert.deepEqual(login.headers.getSetCookie(), ["session=ann; Path=/"]);
        const cookies = await fetch(`${served.origin}/static/cookies`);
        assert.equal(await cookies.text(), "two");
        assert.deepEqual(cookies.headers.getSetCookie(), ["a=1", "b=2"]);
        assert.equal(cookies.headers.get("cache-control"), "private, no-cache");
        const own = await fetch(`${served.origin}/account/own`);
        await own.body?.cancel();
        assert.equal(own.headers.get("x-accel-expires"), "0");
      } finally {
        await served.close();
      }
    });
  });
}

describe("cacheHeadersPlugin() in process", () => {
  test("reaches the routes registered after it, as Elysia applies hooks (documented)", async () => {
    const options = { timeouts: { "all-users": { "1h": ["/*"] } } };
    const app = new Elysia()
      .get("/before", () => "b")
      .use(cacheHeadersPlugin(options))
      .get("/after", () => "a")
      .use(new Elysia().get("/child", () => "c"));
    const cacheControl = async (path: string) =>
      (await app.handle(new Request(`http://localhost${path}`))).headers.get("cache-control");
    assert.equal(await cacheControl("/before"), null);
    assert.equal(await cacheControl("/after"), "max-age=5, s-maxage=3600");
    assert.equal(await cacheControl("/child"), "max-age=5, s-maxage=3600");
  });

  test("keyed mode: the sign-in marker is added to the handler's cookies, a forgery is a 400", async () => {
    const app = new Elysia()
      .derive(({ headers }) => ({
        user: (headers.cookie ?? "").includes("sessionid=s-ann") ? { id: "ann" } as User : null,
      }))
      .use(cacheHeadersPlugin({
        timeouts: { "per-user": { 60: ["/account/*"] } },
        keyed: { sessionCookie: "sessionid", onForgedSignIn: "reject" },
        identify: ({ user }: { user: User }) => user,
      }))
      .get("/account/text", ({ set }) => {
        set.headers["set-cookie"] = "csrf=1";
        return "secret text";
      })
      .get("/account/response", () => new Response("secret response"));
    const ask = (path: string, cookie: string) =>
      app.handle(new Request(`http://localhost${path}`, { headers: { cookie } }));
    const signedIn = await ask("/account/text", "sessionid=s-ann");
    assert.equal(signedIn.status, 200);
    assert.equal(signedIn.headers.getSetCookie()[0], "csrf=1");
    assert.match(signedIn.headers.getSetCookie()[1]!, /^isauthenticated=1;/);
    for (const path of ["/account/text", "/account/response"]) {
      const forged = await ask(path, "isauthenticated=1");
      assert.equal(forged.status, 400, path);
      assert.doesNotMatch(await forged.text(), /secret/, path);
      assert.ok(forged.headers.getSetCookie().some((c) => c.startsWith("isauthenticated=;")));
    }
  });

  test("with debugHeader, app.handle() answers carry X-Cachewise", async () => {
    const app = new Elysia()
      .use(cacheHeadersPlugin({ timeouts: { "all-users": { "1h": ["/a"] } }, debugHeader: true }))
      .get("/a", () => "a");
    const response = await app.handle(new Request("http://localhost/a"));
    assert.equal(
      response.headers.get("x-cachewise"),
      'cachewise; reason=rule; rule="/a"; policy="all-users"; ttl=3600; shared=?1',
    );
    assert.equal(
      cacheHeadersPlugin({}).cacheHeaders.explain(
        new Request("http://localhost/a"),
        new Response("a"),
      ).reason,
      "no-rule",
    );
  });
});
