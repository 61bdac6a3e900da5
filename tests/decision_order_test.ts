import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { cacheHeaders } from "../mod.ts";
import { ANN, cachingHeaders, CONFIG, headersFor, request } from "./_helpers.ts";

const apply = cacheHeaders(CONFIG);
const UNCACHED = { "cache-control": "private, no-cache" };

describe("step 1: responses that cannot be rebuilt pass as they are", () => {
  test("Response.error() comes back as the same object", () => {
    const response = Response.error();
    assert.equal(apply(request("/about"), response), response);
    assert.equal(apply.explain(request("/about"), response).reason, "not-rebuildable");
  });

  test("a 101 upgrade comes back as the same object", () => {
    // The Response constructor refuses 101; runtimes make such responses internally (Deno's
    // upgradeWebSocket, tested over a real socket in runtime_test.ts). This stands in for them.
    class Upgrade extends Response {
      override get status(): number {
        return 101;
      }
    }
    const response = new Upgrade(null, { headers: { upgrade: "websocket" } });
    assert.equal(apply(request("/about"), response), response);
  });

  test("a response whose body was already read comes back as it is", async () => {
    const response = new Response("read");
    await response.text();
    assert.equal(apply(request("/about"), response), response);
  });
});

describe("step 2: a Cache-Control from the handler wins", () => {
  test("the response is returned untouched", () => {
    const response = new Response("x", { headers: { "cache-control": "max-age=9" } });
    assert.equal(apply(request("/account/x"), response, ANN), response);
    assert.equal(
      apply.explain(request("/account/x"), response, ANN).reason,
      "handler-cache-control",
    );
  });

  test("even on a status or method that would be sent uncached", () => {
    const response = new Response("x", { status: 404, headers: { "cache-control": "max-age=9" } });
    assert.equal(apply(request("/nothing", { method: "POST", body: "" }), response), response);
  });

  test("keepHandlerCacheControl: false lets the rules decide", () => {
    const headers = headersFor({ ...CONFIG, keepHandlerCacheControl: false }, "/about", null, {
      headers: { "cache-control": "no-store" },
    });
    assert.equal(headers.get("cache-control"), "max-age=5, s-maxage=3600");
  });

  test("but never leaves a response with Set-Cookie shareable", () => {
    const response = new Response("x", {
      headers: [["cache-control", "public, max-age=600"], ["set-cookie", "a=1"], [
        "set-cookie",
        "b=2",
      ]],
    });
    const result = apply(request("/about"), response);
    assert.deepEqual(cachingHeaders(result.headers), UNCACHED);
    assert.deepEqual(result.headers.getSetCookie(), ["a=1", "b=2"]);
    assert.equal(apply.explain(request("/about"), response).reason, "set-cookie");
  });

  test("a handler's private or no-store is kept, and targeted lifetimes that contradict it are neutralised", () => {
    for (const cacheControl of ["private", "no-store", "private, max-age=60"]) {
      for (const cookies of [[], ["a=1"]]) {
        const response = new Response("x", {
          headers: [
            ["cache-control", cacheControl],
            ["x-accel-expires", "600"],
            ["cdn-cache-control", "max-age=600"],
            ...cookies.map((c): [string, string] => ["set-cookie", c]),
          ],
        });
        const result = apply(request("/account/x"), response, ANN);
        assert.equal(result.headers.get("cache-control"), cacheControl);
        assert.equal(result.headers.get("x-accel-expires"), "0");
        assert.equal(result.headers.get("cdn-cache-control"), "no-store");
        assert.deepEqual(result.headers.getSetCookie(), cookies);
        assert.equal(
          apply.explain(request("/account/x"), response).reason,
          "handler-cache-control",
        );
      }
    }
  });

  test("a handler's no-cache next to CDN-Cache-Control is the RFC 9213 idiom and kept", () => {
    const response = new Response("x", {
      headers: { "cache-control": "no-cache", "cdn-cache-control": "max-age=600" },
    });
    assert.equal(apply(request("/about"), response), response);
  });

  test("a private Cache-Control with Set-Cookie is already safe and kept", () => {
    const response = new Response("x", {
      headers: { "cache-control": "private", "set-cookie": "a=1" },
    });
    assert.equal(apply(request("/about"), response), response);
  });
});

describe("step 3: only 200 is cacheable by default", () => {
  for (const status of [201, 203, 204, 206, 301, 302, 308, 400, 404, 410, 500, 503]) {
    test(`${status} is sent uncached`, () => {
      const headers = headersFor(CONFIG, "/about", null, { status });
      assert.deepEqual(cachingHeaders(headers), UNCACHED);
    });
  }

  test("304 repeats what a 200 would carry (RFC 9110 §15.4.5)", () => {
    assert.deepEqual(
      cachingHeaders(headersFor(CONFIG, "/news/x", null, { status: 304 })),
      cachingHeaders(headersFor(CONFIG, "/news/x")),
    );
    assert.deepEqual(
      cachingHeaders(headersFor(CONFIG, "/account/x", ANN, { status: 304 })),
      cachingHeaders(headersFor(CONFIG, "/account/x", ANN)),
    );
  });

  test("204 keeps its null body and status", () => {
    const result = apply(request("/about"), new Response(null, { status: 204 }));
    assert.equal(result.status, 204);
    assert.equal(result.body, null);
  });

  test("the explanation names the status", () => {
    assert.equal(
      apply.explain(request("/about"), new Response("x", { status: 404 })).reason,
      "status",
    );
  });

  test("a redirect with immutable headers is rebuilt with its Location", () => {
    const redirect = Response.redirect(`${"https://shop.example"}/about`, 302);
    const result = apply(request("/old"), redirect);
    assert.equal(result.status, 302);
    assert.equal(result.headers.get("location"), "https://shop.example/about");
    assert.deepEqual(cachingHeaders(result.headers), UNCACHED);
  });
});

describe("step 4: only GET and HEAD", () => {
  for (const method of ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
    test(`${method} is sent uncached`, () => {
      const headers = headersFor(CONFIG, "/about", null, { method });
      assert.deepEqual(cachingHeaders(headers), UNCACHED);
    });
  }

  test("HEAD is decided like GET", () => {
    for (const path of ["/about", "/news/x", "/account/x", "/nowhere"]) {
      for (const identity of [null, ANN]) {
        assert.deepEqual(
          cachingHeaders(headersFor(CONFIG, path, identity, { method: "HEAD" })),
          cachingHeaders(headersFor(CONFIG, path, identity)),
        );
      }
    }
  });

  test("the explanation names the method", () => {
    assert.equal(
      apply.explain(request("/about", { method: "DELETE" }), new Response("x")).reason,
      "method",
    );
  });
});

describe("step 5: never a response that sets a cookie", () => {
  test("several Set-Cookie headers survive exactly and the page is uncached", () => {
    const cookies = [
      "sessionid=abc; Path=/; HttpOnly; Secure",
      "flash=; Max-Age=0",
      "theme=dark, light",
    ];
    const response = new Response("x", { headers: cookies.map((c) => ["set-cookie", c]) });
    const result = apply(request("/about"), response);
    assert.deepEqual(result.headers.getSetCookie(), cookies);
    assert.deepEqual(cachingHeaders(result.headers), UNCACHED);
    assert.equal(apply.explain(request("/about"), response).reason, "set-cookie");
  });

  test("a handler's targeted lifetimes are neutralised", () => {
    const headers = headersFor(CONFIG, "/about", null, {
      headers: {
        "set-cookie": "a=1",
        "x-accel-expires": "600",
        "surrogate-control": "max-age=600",
        "cdn-cache-control": "max-age=600",
      },
    });
    assert.equal(headers.get("x-accel-expires"), "0");
    assert.equal(headers.get("surrogate-control"), "no-store");
    assert.equal(headers.get("cdn-cache-control"), "no-store");
  });
});

describe("step 6: the most specific rule decides; no rule, no caching", () => {
  test("a URL no rule matches is sent uncached", () => {
    assert.deepEqual(cachingHeaders(headersFor(CONFIG, "/unlisted")), UNCACHED);
    assert.equal(apply.explain(request("/unlisted"), new Response("x")).reason, "no-rule");
  });

  test("the explanation names the rule, policy and lifetime", () => {
    const decision = apply.explain(request("/products/7"), new Response("x"), ANN);
    assert.deepEqual(decision.rule, {
      policy: "anonymous-and-authenticated",
      lifetime: 600,
      pattern: '"/products/:id"',
      path: 'timeouts["anonymous-and-authenticated"]["10m"][0]',
    });
    assert.equal(decision.reason, "rule");
    assert.equal(decision.audience, "signed-in");
    assert.equal(decision.shared, false);
    assert.deepEqual(decision.vary, ["Cookie", "Authorization"]);
  });

  test("a handler's X-Accel-Expires on a private page is neutralised", () => {
    const headers = headersFor(CONFIG, "/account/x", ANN, {
      headers: { "x-accel-expires": "600" },
    });
    assert.equal(headers.get("x-accel-expires"), "0");
  });

  test("the shared lifetime replaces a handler's X-Accel-Expires on a shared page", () => {
    const headers = headersFor(CONFIG, "/about", null, { headers: { "x-accel-expires": "7" } });
    assert.equal(headers.get("x-accel-expires"), "3600");
  });
});

describe("the rebuilt response", () => {
  test("keeps status, status text and every other header", () => {
    const response = new Response("x", {
      status: 200,
      statusText: "Fine Thanks",
      headers: { "content-type": "text/html", etag: '"v1"', "x-custom": "kept" },
    });
    const result = apply(request("/about"), response);
    assert.notEqual(result, response);
    assert.equal(result.statusText, "Fine Thanks");
    for (const name of ["content-type", "etag", "x-custom"]) {
      assert.equal(result.headers.get(name), response.headers.get(name));
    }
  });

  test("passes a streamed body on unread until the caller reads it", async () => {
    let pulls = 0;
    const chunks = ["one ", "two"];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        const chunk = chunks.shift();
        if (chunk === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(chunk));
      },
    }, { highWaterMark: 0 });
    const response = new Response(stream);
    const result = apply(request("/about"), response);
    assert.equal(pulls, 0);
    assert.equal(result.bodyUsed, false);
    assert.equal(await result.text(), "one two");
    assert.ok(pulls >= 2);
  });

  test("a response that is not one is the caller's mistake: a TypeError, not a silent pass", () => {
    // deno-lint-ignore no-explicit-any
    const junk = { status: 200, headers: new Headers() } as any;
    assert.throws(() => apply(request("/about"), junk), /a plain object where a Response belongs/);
  });
});
