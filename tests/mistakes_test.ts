/**
 * Programmer mistakes throw a `TypeError` that says what was passed and what to do: a Promise or
 * a string where a Response belongs, a string or Node's `IncomingMessage` where a Request
 * belongs, an identity that is neither `null`/`undefined` nor an object with a non-empty string
 * `id`. They are thrown whatever the page, the status or the rule, and never turned into an
 * uncached response: they are bugs in the caller's code, not something a client sent.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Hono } from "hono";
import { cacheHeaders, withCacheHeaders } from "../mod.ts";
import { cacheHeadersMiddleware } from "../src/adapters/hono.ts";
import { cacheHeadersForNode } from "../src/adapters/node.ts";
import { ANN, CONFIG, request } from "./_helpers.ts";

const errors: unknown[] = [];
const apply = cacheHeaders({ ...CONFIG, onError: (error) => errors.push(error) });
/** Pages of every kind: per-user, all-users, no rule, and a 404 (uncached by status). */
const PAGES: readonly [path: string, status: number][] = [
  ["/account/x", 200],
  ["/static/a.css", 200],
  ["/unlisted", 200],
  ["/account/x", 404],
];

/** Asserts a TypeError whose message matches every pattern. */
function throwsTypeError(run: () => unknown, ...messages: RegExp[]): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof TypeError, `not a TypeError: ${error}`);
    for (const message of messages) assert.match(error.message, message);
    return true;
  });
}

describe("apply() and explain() throw a TypeError for arguments of the wrong type", () => {
  test("a Promise instead of a Response: it needs await", () => {
    for (const [path, status] of PAGES) {
      const pending = Promise.resolve(new Response("x", { status }));
      for (const call of [apply, apply.explain]) {
        throwsTypeError(
          () => call(request(path), pending as unknown as Response),
          /given a Promise where a Response belongs/,
          /needs `await`/,
        );
      }
    }
  });

  test("a string, undefined or a plain object instead of a Response", () => {
    const wrong: readonly [unknown, RegExp][] = [
      ["hello", /the string "hello" where a Response belongs: wrap it as new Response\(text\)/],
      [undefined, /undefined where a Response belongs: make the handler return a Response/],
      [{ status: 200, headers: new Headers() }, /a plain object where a Response belongs/],
    ];
    for (const [value, message] of wrong) {
      for (const [path] of PAGES) {
        throwsTypeError(() => apply(request(path), value as Response), message);
      }
    }
  });

  test("a Response or Request of another implementation is named as such", () => {
    // Classes named as the globals, as the undici package's or another realm's are.
    const foreign = {
      Response: class {
        readonly status = 200;
        readonly headers = new Headers();
        readonly body = null;
      },
      Request: class {
        readonly url = "https://shop.example/about";
        readonly method = "GET";
        readonly headers = new Headers();
      },
    };
    throwsTypeError(
      () => apply(request("/about"), new foreign.Response() as unknown as Response),
      /given a Response where a Response belongs: it is a Response of another implementation/,
      /create it with the global Response/,
    );
    throwsTypeError(
      () => apply(new foreign.Request() as unknown as Request, new Response("x")),
      /given a Request where a Request belongs: it is a Request of another implementation/,
    );
  });

  test("a string URL instead of a Request, whatever the response", () => {
    for (const [path, status] of PAGES) {
      const url = `https://shop.example${path}`;
      throwsTypeError(
        () => apply(url as unknown as Request, new Response("x", { status })),
        /apply\(\) was given the string "https:\/\/shop\.example\/[^"]*" where a Request belongs/,
        /pass new Request\(url\)/,
      );
    }
  });

  test("Node's IncomingMessage instead of a Request points to cachewise/node", async () => {
    const caught = await withNodeRequest((req) => {
      apply(req as unknown as Request, new Response("x"));
    });
    assert.ok(caught instanceof TypeError);
    assert.match(caught.message, /given Node's IncomingMessage \(req\) where a Request belongs/);
    assert.match(caught.message, /cacheHeadersForNode\(\) from "cachewise\/node"/);
  });

  test("identities: null and undefined are anonymous, { id } with a non-empty string is signed in", () => {
    const page = () => new Response("x");
    assert.equal(apply.explain(request("/account/x"), page(), null).audience, "anonymous");
    assert.equal(apply.explain(request("/account/x"), page(), undefined).audience, "anonymous");
    assert.equal(apply.explain(request("/account/x"), page(), ANN).audience, "signed-in");
    const extra = { id: "bob", plan: "gold" };
    assert.equal(apply.explain(request("/account/x"), page(), extra).audience, "signed-in");
  });

  test("any other identity throws, saying what to pass, on every kind of page", () => {
    const wrong: readonly [unknown, RegExp][] = [
      [false, /identity the boolean false: .*should answer null/],
      ["", /identity the string "": use null or undefined/],
      ["ann", /identity the string "ann"/],
      [0, /identity the number 0/],
      [{}, /identity a plain object without an id/],
      [{ id: "" }, /identity a plain object whose id is the string ""/],
      [{ id: 42 }, /whose id is the number 42/],
    ];
    for (const [identity, message] of wrong) {
      for (const [path, status] of PAGES) {
        throwsTypeError(
          () => apply(request(path), new Response("x", { status }), identity as null),
          /^apply\(\) was given the identity /,
          message,
          /an object with a non-empty string "id" such as \{ id: "ann" \}/,
        );
      }
    }
  });

  test("none of these mistakes reaches onError: they are thrown, not sent uncached", () => {
    const before = errors.length;
    const page = () => new Response("x");
    const mistakes: readonly (() => unknown)[] = [
      () => apply(request("/account/x"), Promise.resolve(page()) as unknown as Response),
      () => apply(request("/account/x"), "x" as unknown as Response),
      () => apply("https://shop.example/" as unknown as Request, page()),
      () => apply(request("/account/x"), page(), false as unknown as null),
      () => apply.explain(request("/account/x"), page(), { id: "" }),
    ];
    for (const mistake of mistakes) assert.throws(mistake, TypeError);
    assert.equal(errors.length, before);
  });
});

describe("withCacheHeaders() and the adapters", () => {
  test("a handler that returns a string rejects with a TypeError; onError is not told", async () => {
    const told: unknown[] = [];
    const handler = withCacheHeaders(() => "hello" as unknown as Response, {
      ...CONFIG,
      onError: (error) => told.push(error),
    });
    await assert.rejects(
      Promise.resolve(handler(request("/account/x"))),
      /the string "hello" where a Response belongs/,
    );
    assert.deepEqual(told, []);
  });

  test("an identify() that returns false rejects with a TypeError that says to return null", async () => {
    for (const answer of [false, Promise.resolve(false)]) {
      const handler = withCacheHeaders(() => new Response("x"), {
        ...CONFIG,
        identify: () => answer as unknown as null,
      });
      await assert.rejects(
        Promise.resolve(handler(request("/account/x"))),
        /^TypeError: identify\(\) returned the boolean false: use null or undefined/,
      );
      // Not asked where the page does not depend on who asks: nothing to check there.
      const page = await handler(request("/static/a.css"));
      assert.equal(page.headers.get("cache-control"), "max-age=5, s-maxage=3600");
    }
  });

  test("a fetch handler given to node:http fails loudly, naming cachewise/node", async () => {
    let called = false;
    const handler = withCacheHeaders(() => {
      called = true;
      return new Response("x");
    }, CONFIG);
    const caught = await withNodeRequest((req, res) => {
      (handler as unknown as (req: unknown, res: unknown) => unknown)(req, res);
    });
    assert.ok(caught instanceof TypeError);
    assert.match(caught.message, /withCacheHeaders\(\)'s handler was given Node's IncomingMessage/);
    assert.match(caught.message, /cacheHeadersForNode\(\) from "cachewise\/node"/);
    assert.equal(called, false, "the handler must not run on Node's request");
  });

  test("cacheHeadersForNode(): identify() returning {} answers 500 and tells onError", async () => {
    const told: unknown[] = [];
    const listener = cacheHeadersForNode(() => new Response("x"), {
      ...CONFIG,
      identify: () => ({}) as unknown as null,
      onError: (error) => told.push(error),
    });
    const server = createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}/account/x`);
      await response.body?.cancel();
      assert.equal(response.status, 500);
      assert.match(String(told[0]), /identify\(\) returned a plain object without an id/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("Hono: identify() returning an empty string reaches Hono's error handler", async () => {
    let caught: unknown = null;
    const app = new Hono();
    app.use(cacheHeadersMiddleware({ ...CONFIG, identify: () => "" as unknown as null }));
    app.get("/account/x", (c) => c.text("yours"));
    app.onError((error, c) => {
      caught = error;
      return c.text("error", 500);
    });
    const response = await app.request("/account/x");
    assert.equal(response.status, 500);
    assert.match(String(caught), /TypeError: identify\(\) returned the string ""/);
  });
});

/**
 * Starts a real node:http server whose listener hands Node's `req`/`res` to `use`, sends one
 * request, and resolves with what `use` threw.
 */
async function withNodeRequest(
  use: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Error> {
  let caught: unknown = null;
  const server = createServer((req, res) => {
    try {
      use(req, res);
    } catch (error) {
      caught = error;
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as { port: number };
    await (await fetch(`http://127.0.0.1:${port}/account/x`)).text();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  assert.ok(caught instanceof Error, "nothing was thrown");
  return caught;
}
