import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { cacheHeaders } from "../mod.ts";
import { URLPatternImpl, usesNativeURLPattern } from "../src/match/url_pattern.ts";
import { CONFIG, request } from "./_helpers.ts";

// deno-lint-ignore no-explicit-any
const runtime = globalThis as any;
const apply = cacheHeaders(CONFIG);

describe("URLPattern", () => {
  test("Deno and Bun use their own URLPattern and load no polyfill", {
    skip: !runtime.Deno && !runtime.Bun,
  }, () => {
    assert.ok(usesNativeURLPattern);
    assert.equal(URLPatternImpl, runtime.URLPattern);
  });

  test("Node without URLPattern gets the polyfill, and globalThis is left alone", {
    skip: runtime.Deno || runtime.Bun,
  }, () => {
    assert.equal(typeof URLPatternImpl, "function");
    if (typeof runtime.process?.versions?.node === "string" && !runtime.URLPattern) {
      assert.equal(usesNativeURLPattern, false);
    }
    assert.ok(new URLPatternImpl({ pathname: "/a/:id" }).test("https://x.example/a/1"));
  });
});

describe("responses from fetch() have immutable headers", () => {
  let server: Server;
  let base = "";

  test("start a loopback server", async () => {
    server = createServer((req, res) => {
      res.setHeader("content-type", "text/plain");
      res.setHeader("set-cookie", req.url === "/cookie" ? ["a=1; Path=/", "b=2"] : []);
      res.end(`served ${req.url}`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  test("apply() rebuilds such a response with its headers and body", async () => {
    const fetched = await fetch(`${base}/about`);
    // Deno and Node (undici) make these headers immutable; Bun does not, so probe rather than assume.
    if (!runtime.Bun) assert.throws(() => fetched.headers.set("x-probe", "1"), TypeError);
    const result = apply(request("/about"), fetched);
    assert.equal(result.headers.get("cache-control"), "max-age=5, s-maxage=3600");
    assert.equal(result.headers.get("content-type"), "text/plain");
    assert.equal(await result.text(), "served /about");
    assert.equal(fetched.headers.get("cache-control"), null, "the original is never modified");
  });

  test("Set-Cookie from fetch() survives exactly", async () => {
    const fetched = await fetch(`${base}/cookie`);
    const before = fetched.headers.getSetCookie();
    const result = apply(request("/about"), fetched);
    assert.deepEqual(result.headers.getSetCookie(), before);
    assert.deepEqual(before, ["a=1; Path=/", "b=2"]);
    assert.equal(result.headers.get("cache-control"), "private, no-cache");
    await result.body?.cancel();
  });

  test("stop the loopback server", async () => {
    await new Promise((resolve) => server.close(resolve));
  });
});

describe("a real WebSocket upgrade", () => {
  test(
    "Deno's 101 response passes through and the socket works",
    { skip: !runtime.Deno },
    async () => {
      const Deno = runtime.Deno;
      const server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen() {} },
        (req: Request) => {
          const { socket, response } = Deno.upgradeWebSocket(req);
          socket.onmessage = (event: MessageEvent) => socket.send(`echo ${event.data}`);
          const result = apply(req, response);
          assert.equal(result, response);
          return result;
        },
      );
      try {
        const socket = new WebSocket(`ws://127.0.0.1:${server.addr.port}/about`);
        const reply = await new Promise<string>((resolve, reject) => {
          socket.onopen = () => socket.send("hi");
          socket.onmessage = (event) => resolve(String(event.data));
          socket.onerror = () => reject(new Error("socket failed"));
        });
        assert.equal(reply, "echo hi");
        await new Promise<void>((resolve) => {
          socket.onclose = () => resolve();
          socket.close();
        });
      } finally {
        await server.shutdown();
      }
    },
  );
});
