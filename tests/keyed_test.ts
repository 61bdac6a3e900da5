import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CacheConfigError,
  cacheHeaders,
  type CacheHeadersOptions,
  type Identity,
  withCacheHeaders,
} from "../mod.ts";
import { ORIGIN } from "./_helpers.ts";

const KEYED: CacheHeadersOptions = {
  timeouts: {
    "all-users": { "1h": ["/static/*"] },
    "anonymous-only": { "5m": ["/news/*"] },
    "anonymous-and-authenticated": { "10m": ["/products/:id"] },
    "per-user": { 60: ["/account/*"] },
  },
  keyed: { sessionCookie: "sessionid", keyCookies: ["messages"] },
};
const apply = cacheHeaders(KEYED);
const ANN: Identity = { id: "ann" };
const SIGNED_IN_COOKIES = "sessionid=s-ann; isauthenticated=1";
const VARY = "Cookie, Authorization";

function visit(
  path: string,
  cookie: string | null,
  identity: Identity | null,
  init: ResponseInit = {},
  requestHeaders: Record<string, string> = {},
) {
  const headers = new Headers(requestHeaders);
  if (cookie !== null) headers.set("cookie", cookie);
  const request = new Request(ORIGIN + path, { headers });
  const response = apply(request, new Response("page", init), identity);
  const decision = apply.explain(request, new Response("page", init), identity);
  return { response, headers: response.headers, decision };
}

function picked(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["cache-control", "vary", "x-accel-expires", "x-hash-cookies", "set-cookie"]) {
    const value = headers.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
}

describe("keyed mode: every policy reaches exactly its audience through the keyed cache", () => {
  const CASES: readonly [string, string | null, Identity | null, Record<string, string>][] = [
    ["/static/a.css", null, null, {
      "cache-control": "max-age=5, s-maxage=3600",
      "x-accel-expires": "3600",
      "x-hash-cookies": "messages",
    }],
    ["/static/a.css", SIGNED_IN_COOKIES, ANN, {
      "cache-control": "max-age=5, s-maxage=3600",
      "x-accel-expires": "3600",
      "x-hash-cookies": "messages",
    }],
    ["/news/x", null, null, {
      "cache-control": "max-age=5, s-maxage=300",
      vary: VARY,
      "x-accel-expires": "300",
      "x-hash-cookies": "isauthenticated, messages",
    }],
    ["/news/x", SIGNED_IN_COOKIES, ANN, { "cache-control": "private, no-cache", vary: VARY }],
    ["/products/1", null, null, {
      "cache-control": "max-age=5, s-maxage=600",
      vary: VARY,
      "x-accel-expires": "600",
      "x-hash-cookies": "isauthenticated, messages",
    }],
    ["/products/1", SIGNED_IN_COOKIES, ANN, {
      "cache-control": "private, max-age=5",
      vary: VARY,
      "x-accel-expires": "600",
      "x-hash-cookies": "isauthenticated, messages",
    }],
    ["/account/x", null, null, {
      "cache-control": "max-age=5, s-maxage=60",
      vary: VARY,
      "x-accel-expires": "60",
      "x-hash-cookies": "sessionid, messages",
    }],
    ["/account/x", SIGNED_IN_COOKIES, ANN, {
      "cache-control": "private, max-age=5",
      vary: VARY,
      "x-accel-expires": "60",
      "x-hash-cookies": "sessionid, messages",
    }],
    ["/account/x", "_ga=GA1.2.3; messages=hello", null, {
      "cache-control": "max-age=5, s-maxage=60",
      vary: VARY,
      "x-accel-expires": "60",
      "x-hash-cookies": "sessionid, messages",
    }],
  ];
  for (const [path, cookie, identity, expected] of CASES) {
    test(`${path} ${identity ? "signed in" : "anonymous"}${cookie ? ` with ${cookie}` : ""}`, () => {
      assert.deepEqual(picked(visit(path, cookie, identity).headers), expected);
    });
  }

  test("a signed-in page is private for every cache but the keyed one", () => {
    const { headers, decision } = visit("/account/x", SIGNED_IN_COOKIES, ANN);
    assert.equal(decision.shared, false);
    assert.match(headers.get("cache-control")!, /^private/);
  });

  test("a request with Authorization never gets a page the keyed cache would keep", () => {
    for (const identity of [null, ANN]) {
      const cookie = identity ? SIGNED_IN_COOKIES : null;
      const { headers } = visit("/account/x", cookie, identity, {}, { authorization: "Bearer t" });
      assert.equal(headers.get("x-accel-expires"), null);
      assert.match(headers.get("cache-control")!, /^private/);
    }
  });

  test("a signed-in identity that came without the session cookie is not keyed", () => {
    const { headers } = visit("/account/x", null, ANN);
    assert.deepEqual(picked(headers), { "cache-control": "private, max-age=5", vary: VARY });
  });
});

describe("keyed mode: the sign-in marker follows the identity", () => {
  test("signing in sets the marker, and the page is not shared", () => {
    const { headers, decision } = visit("/products/1", "sessionid=s-ann", ANN);
    assert.equal(decision.reason, "identity-mismatch");
    assert.equal(decision.mismatch, "signed in without the marker");
    assert.deepEqual(picked(headers), {
      "cache-control": "private, no-cache",
      "set-cookie": "isauthenticated=1; Path=/; Secure; HttpOnly; SameSite=Lax",
    });
  });

  test("signing out (or a forged marker) clears it", () => {
    for (const cookie of ["isauthenticated=1", "isauthenticated=1; sessionid=expired"]) {
      const { headers } = visit("/static/a.css", cookie, null);
      assert.deepEqual(picked(headers), {
        "cache-control": "private, no-cache",
        "set-cookie": "isauthenticated=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax",
      });
    }
  });

  test("a stale session cookie on an anonymous identity shares nothing", () => {
    const { headers, decision } = visit("/account/x", "sessionid=expired", null);
    assert.deepEqual(picked(headers), { "cache-control": "private, no-cache" });
    assert.equal(decision.mismatch, "a session cookie on an anonymous identity");
  });

  test("the marker's attributes and lifetime follow the options", () => {
    const custom = cacheHeaders({
      ...KEYED,
      keyed: {
        sessionCookie: "sid",
        signInCookie: "signed_in",
        signInCookieAttributes: {
          path: "/app",
          domain: "shop.example",
          secure: false,
          httpOnly: false,
          sameSite: "Strict",
          maxAge: (identity) => identity.id === "ann" ? 3600 : undefined,
        },
      },
    });
    const headers = custom(
      new Request(`${ORIGIN}/account/x`, { headers: { cookie: "sid=1" } }),
      new Response("x"),
      ANN,
    ).headers;
    assert.equal(
      headers.get("set-cookie"),
      "signed_in=1; Path=/app; Domain=shop.example; Max-Age=3600; SameSite=Strict",
    );
  });

  test("a handler's private Cache-Control is kept while the marker is fixed", () => {
    const { headers } = visit("/products/1", "sessionid=s-ann", ANN, {
      headers: { "cache-control": "private, max-age=30" },
    });
    assert.equal(headers.get("cache-control"), "private, max-age=30");
    assert.match(headers.get("set-cookie")!, /^isauthenticated=1;/);
  });

  test("a handler's shareable Cache-Control is replaced when the marker must be fixed", () => {
    const { headers } = visit("/products/1", "sessionid=s-ann", ANN, {
      headers: { "cache-control": "public, max-age=30" },
    });
    assert.equal(headers.get("cache-control"), "private, no-cache");
  });

  test("the handler's own cookies survive next to the marker", () => {
    const { headers } = visit("/login", "sessionid=s-ann", ANN, {
      headers: [["set-cookie", "csrf=1"], ["set-cookie", "theme=dark"]],
    });
    assert.deepEqual(headers.getSetCookie(), [
      "csrf=1",
      "theme=dark",
      "isauthenticated=1; Path=/; Secure; HttpOnly; SameSite=Lax",
    ]);
  });

  test("a response that sets the session cookie sets the marker; one that expires it clears it", () => {
    const signIn = visit("/login", null, null, {
      status: 302,
      headers: { "set-cookie": "sessionid=new; Path=/" },
    });
    assert.deepEqual(signIn.headers.getSetCookie(), [
      "sessionid=new; Path=/",
      "isauthenticated=1; Path=/; Secure; HttpOnly; SameSite=Lax",
    ]);
    for (
      const expired of [
        "sessionid=; Path=/",
        "sessionid=x; Max-Age=0",
        "sessionid=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
      ]
    ) {
      const signOut = visit("/logout", SIGNED_IN_COOKIES, ANN, {
        headers: { "set-cookie": expired },
      });
      assert.deepEqual(signOut.headers.getSetCookie(), [
        expired,
        "isauthenticated=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax",
      ], expired);
      assert.equal(signOut.headers.get("cache-control"), "private, no-cache");
    }
    const ownMarker = visit("/login", null, null, {
      headers: [["set-cookie", "sessionid=new"], ["set-cookie", "isauthenticated=yes"]],
    });
    assert.deepEqual(ownMarker.headers.getSetCookie(), ["sessionid=new", "isauthenticated=yes"]);
  });

  test('onForgedSignIn: "reject" answers 400 and clears the marker', async () => {
    const strict = cacheHeaders({
      ...KEYED,
      keyed: { sessionCookie: "sessionid", onForgedSignIn: "reject" },
    });
    const request = new Request(`${ORIGIN}/account/x`, {
      headers: { cookie: "isauthenticated=1" },
    });
    const response = strict(request, new Response("secret page"), null);
    assert.equal(response.status, 400);
    assert.equal(response.headers.get("cache-control"), "private, no-store");
    assert.match(response.headers.get("set-cookie")!, /^isauthenticated=; Path=\/; Max-Age=0/);
    assert.doesNotMatch(await response.text(), /secret/);
    const signingIn = strict(
      new Request(`${ORIGIN}/account/x`, { headers: { cookie: "sessionid=1" } }),
      new Response("x"),
      ANN,
    );
    assert.equal(signingIn.status, 200, "only a forged sign-in is rejected");
  });
});

describe("keyed mode: cookies are read as nginx and Varnish would, failing closed", () => {
  const AMBIGUOUS: readonly [string, string][] = [
    ["sessionid=a; sessionid=b", "appears more than once"],
    ["sessionid=a, sessionid=a", "appears more than once"],
    ["SessionID=a; isauthenticated=1", "is spelt unlike"],
    ['sessionid="a"; isauthenticated=1', "malformed"],
    ["sessionid=; isauthenticated=1", "malformed"],
    ["sessionid =a; isauthenticated=1", "is spelt unlike"],
    ["sessionid=a b; isauthenticated=1", "malformed"],
    ["isauthenticated=1; isauthenticated=1; sessionid=a", "appears more than once"],
  ];
  for (const [cookie, why] of AMBIGUOUS) {
    test(`${JSON.stringify(cookie)} shares nothing`, () => {
      const { headers, decision } = visit("/account/x", cookie, ANN);
      assert.deepEqual(picked(headers), { "cache-control": "private, no-cache" });
      assert.match(decision.mismatch ?? "", new RegExp(why));
    });
  }

  test("whitespace other than spaces before a name fails closed, as nginx would not see the cookie", () => {
    for (
      const cookie of [
        "isauthenticated=1;\tsessionid=a",
        "isauthenticated=1;\u00a0sessionid=a",
        "sessionid=a; messages=1;\tmessages=2",
      ]
    ) {
      const { headers } = visit("/account/x", cookie, ANN);
      assert.equal(headers.get("x-accel-expires"), null, cookie);
    }
  });

  test("key cookies fail closed too: a duplicate or case-variant flash cookie", () => {
    for (const cookie of ["messages=m1; messages=m2", "Messages=m1"]) {
      const { headers, decision } = visit("/news/1", cookie, null);
      assert.deepEqual(picked(headers), { "cache-control": "private, no-cache" }, cookie);
      assert.equal(decision.reason, "identity-mismatch");
    }
  });

  test("x_sessionid is another cookie", () => {
    const { headers } = visit("/account/x", "x_sessionid=a", null);
    assert.equal(headers.get("cache-control"), "max-age=5, s-maxage=60");
  });
});

describe("keyed mode: options", () => {
  test("withCacheHeaders asks identify for every request carrying identity cookies", async () => {
    const asked: string[] = [];
    const handler = withCacheHeaders(() => new Response("x"), {
      ...KEYED,
      identify: (request) => {
        asked.push(new URL(request.url).pathname);
        return null;
      },
    });
    await handler(new Request(`${ORIGIN}/static/a.css`));
    const response = await handler(
      new Request(`${ORIGIN}/static/b.css`, { headers: { cookie: "isauthenticated=1" } }),
    );
    assert.deepEqual(asked, ["/static/b.css"]);
    assert.match(response.headers.get("set-cookie")!, /^isauthenticated=;/);
  });

  const BAD: readonly [unknown, string][] = [
    [{}, 'Option "keyed.sessionCookie" must be a cookie name, not undefined'],
    [{ sessionCookie: "a;b" }, 'Option "keyed.sessionCookie" must be a cookie name, not "a;b"'],
    [{ sessionCookie: "s", signInCookie: "S" }, 'Cookies in "keyed" must be distinct'],
    [
      { sessionCookie: "s", keyCookies: ["m\r\n"] },
      'Option "keyed.keyCookies[0]" must be a cookie name',
    ],
    [
      { sessionCookie: "s", keyCookies: "m" },
      'Option "keyed.keyCookies" must be an array of cookie names',
    ],
    [
      { sessionCookie: "s", signInCookieAttributes: { path: "/; Domain=evil" } },
      'Option "keyed.signInCookieAttributes.path" "/; Domain=evil" must be text without',
    ],
    [
      { sessionCookie: "s", signInCookieAttributes: { sameSite: "lax" } },
      'Option "keyed.signInCookieAttributes.sameSite" must be "Strict", "Lax" or "None"',
    ],
    [
      { sessionCookie: "s", signInCookieAttributes: { sameSite: "None", secure: false } },
      "browsers refuse SameSite=None without Secure",
    ],
    [
      { sessionCookie: "s", signInCookieAttributes: { maxAge: -1 } },
      'Option "keyed.signInCookieAttributes.maxAge" must be whole seconds',
    ],
    [
      { sessionCookie: "s", onForgedSignIn: "400" },
      'Option "keyed.onForgedSignIn" must be "uncached" or "reject"',
    ],
    [
      { sessionCookie: "s", sessionCookies: "t" },
      'Option "keyed.sessionCookies" is not a keyed-mode option',
    ],
    ["sessionid", 'Option "keyed" must be an object'],
  ];
  for (const [keyed, message] of BAD) {
    test(`refuses keyed: ${JSON.stringify(keyed)}`, () => {
      assert.throws(() => cacheHeaders({ keyed: keyed as never }), (error: unknown) => {
        assert.ok(error instanceof CacheConfigError);
        assert.ok(error.message.includes(message), error.message);
        return true;
      });
    });
  }
});
