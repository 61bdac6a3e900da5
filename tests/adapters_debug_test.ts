/** The opt-in X-Cachewise debug header. */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { cacheHeaders, type CacheHeadersOptions } from "../mod.ts";
import { formatDebugHeader } from "../src/adapters/_debug.ts";
import { withDebugHeader } from "../src/adapters/debug.ts";

const CONFIG: CacheHeadersOptions = {
  timeouts: {
    "all-users": { "1h": ["/static/*"] },
    "anonymous-only": { "5m": ["/news/*"] },
    "per-user": { 60: ["/account/*"] },
    "special": { "2m": ["/offers"] },
    "anonymous-and-authenticated": {
      "10m": ["/a\\:b/*", "/café/*", { pathname: "/q/*", search: "x=1" }],
    },
  },
  policies: {
    special: ({ identity }) => ({
      cacheControl: { private: true, maxAge: 5 },
      headers: { "X-Tier": identity === null ? "none" : "gold" },
    }),
  },
};

/**
 * RFC 8941 §3.1.2 item with parameters: `cachewise` then `;key=value` pairs whose values are
 * tokens, strings, integers or booleans. Strings hold printable ASCII with `"` and `\` escaped.
 */
const SF_ITEM =
  /^cachewise(?:; [a-z*][a-z0-9_.*-]*(?:=(?:[A-Za-z*][!#$%&'*+.^_`|~0-9A-Za-z:/-]*|"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*"|-?\d{1,15}|\?[01]))?)*$/;

const apply = cacheHeaders({ ...CONFIG, onError: () => {} });

function debugFor(path: string, init: RequestInit = {}, response = new Response("x"), id?: string) {
  const identity = id === undefined ? null : { id };
  return formatDebugHeader(
    apply.explain(new Request("https://shop.example" + path, init), response, identity),
  );
}

describe("formatDebugHeader()", () => {
  const cases: [label: string, value: string, expected: string][] = [
    [
      "a shared rule",
      debugFor("/static/a.css"),
      'cachewise; reason=rule; rule="/static/*"; policy="all-users"; ttl=3600; shared=?1',
    ],
    [
      "the anonymous variant",
      debugFor("/news/1"),
      'cachewise; reason=rule; rule="/news/*"; policy="anonymous-only"; ttl=300; audience=anonymous; shared=?1',
    ],
    [
      "a signed-in page",
      debugFor("/account/x", {}, undefined, "ann"),
      'cachewise; reason=rule; rule="/account/*"; policy="per-user"; ttl=60; audience=signed-in; shared=?0',
    ],
    [
      "a custom policy",
      debugFor("/offers", {}, undefined, "ann"),
      'cachewise; reason=rule; rule="/offers"; policy="special"; ttl=120; shared=?0',
    ],
    ["no rule", debugFor("/nowhere"), "cachewise; reason=no-rule; shared=?0"],
    ["a POST", debugFor("/static/a", { method: "POST" }), "cachewise; reason=method; shared=?0"],
    [
      "a 404",
      debugFor("/static/a", {}, new Response("x", { status: 404 })),
      "cachewise; reason=status; shared=?0",
    ],
    [
      "a cookie",
      debugFor("/static/a", {}, new Response("x", { headers: { "set-cookie": "a=1" } })),
      "cachewise; reason=set-cookie; shared=?0",
    ],
    [
      "the handler's own",
      debugFor("/static/a", {}, new Response("x", { headers: { "cache-control": "no-store" } })),
      "cachewise; reason=handler-cache-control",
    ],
    [
      "a backslash escaped",
      debugFor("/a:b/x"),
      'cachewise; reason=rule; rule="/a\\\\:b/*"; policy="anonymous-and-authenticated"; ttl=600; audience=anonymous; shared=?1',
    ],
    [
      "non-ASCII %-encoded",
      debugFor("/caf%C3%A9/x"),
      'cachewise; reason=rule; rule="/caf%C3%A9/*"; policy="anonymous-and-authenticated"; ttl=600; audience=anonymous; shared=?1',
    ],
    [
      "an object pattern, quotes escaped",
      debugFor("/q/1?x=1"),
      'cachewise; reason=rule; rule="{ pathname: \\"/q/*\\", search: \\"x=1\\" }"; policy="anonymous-and-authenticated"; ttl=600; audience=anonymous; shared=?1',
    ],
  ];
  for (const [label, value, expected] of cases) {
    test(`names the decision for ${label}, as a valid structured-field item`, () => {
      assert.equal(value, expected);
      assert.match(value, SF_ITEM);
    });
  }

  test("never carries the identity or anything the policy derived from it", () => {
    for (const path of ["/account/x", "/offers", "/news/1"]) {
      const value = debugFor(
        path,
        { headers: { cookie: "session=s-ann-secret" } },
        undefined,
        "ann-secret-42",
      );
      assert.ok(!/ann|secret|gold/.test(value), value);
    }
  });
});

describe("withDebugHeader()", () => {
  test("adds X-Cachewise to what apply() sends, and changes nothing else", () => {
    const debugged = withDebugHeader(apply);
    const request = () => new Request("https://shop.example/news/1");
    const plain = apply(request(), new Response("x"));
    const withHeader = debugged(request(), new Response("x"));
    const rest = (headers: Headers) => [...headers].filter(([name]) => name !== "x-cachewise");
    assert.deepEqual(rest(withHeader.headers), rest(plain.headers));
    assert.match(
      withHeader.headers.get("x-cachewise")!,
      /^cachewise; reason=rule; rule="\/news\/\*"/,
    );
    assert.equal(debugged.explain, apply.explain);
  });

  test("copies a response kept as it came instead of touching the handler's object", async () => {
    const debugged = withDebugHeader(apply, { headerName: "X-Why" });
    const own = new Response("body", {
      status: 203,
      statusText: "Mine",
      headers: { "cache-control": "no-store" },
    });
    const sent = debugged(new Request("https://shop.example/static/a"), own);
    assert.notEqual(sent, own);
    assert.equal(own.headers.get("x-why"), null);
    assert.equal(sent.headers.get("x-why"), "cachewise; reason=handler-cache-control");
    assert.equal(sent.status, 203);
    assert.equal(sent.statusText, "Mine");
    assert.equal(await sent.text(), "body");
  });

  test("leaves responses that cannot be rebuilt alone, and immutable ones get a copy", () => {
    const debugged = withDebugHeader(apply);
    const error = Response.error();
    assert.equal(debugged(new Request("https://shop.example/static/a"), error), error);
    const redirect = debugged(
      new Request("https://shop.example/static/a"),
      Response.redirect("https://shop.example/", 302),
    );
    assert.equal(redirect.headers.get("x-cachewise"), "cachewise; reason=status; shared=?0");
  });

  test("is off unless used: cacheHeaders() alone sends no debug header", () => {
    const response = apply(new Request("https://shop.example/static/a"), new Response("x"));
    assert.equal(response.headers.get("x-cachewise"), null);
  });

  test("refuses a header name that is not a token, and anything but an apply()", () => {
    assert.throws(() => withDebugHeader(apply, { headerName: "X Why" }), TypeError);
    assert.throws(() => withDebugHeader(apply, { headerName: "X-Why\r\nX-Evil: 1" }), TypeError);
    // @ts-expect-error: not an apply()
    assert.throws(() => withDebugHeader(() => new Response()), TypeError);
  });
});
