import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ANN, cachingHeaders, CONFIG, headersFor } from "./_helpers.ts";

const SHARED_VARY = "Cookie, Authorization";

/** Each built-in policy × anonymous and signed-in, in the default ("any cache") mode. */
const CASES: readonly {
  policy: string;
  path: string;
  anonymous: Record<string, string>;
  signedIn: Record<string, string>;
}[] = [
  {
    policy: "all-users",
    path: "/about",
    anonymous: { "cache-control": "max-age=5, s-maxage=3600", "x-accel-expires": "3600" },
    signedIn: { "cache-control": "max-age=5, s-maxage=3600", "x-accel-expires": "3600" },
  },
  {
    policy: "anonymous-only",
    path: "/news/today",
    anonymous: {
      "cache-control": "max-age=5, s-maxage=300",
      vary: SHARED_VARY,
      "x-accel-expires": "300",
    },
    signedIn: { "cache-control": "private, no-cache", vary: SHARED_VARY },
  },
  {
    policy: "anonymous-and-authenticated",
    path: "/products/42",
    anonymous: {
      "cache-control": "max-age=5, s-maxage=600",
      vary: SHARED_VARY,
      "x-accel-expires": "600",
    },
    signedIn: { "cache-control": "private, max-age=5", vary: SHARED_VARY },
  },
  {
    policy: "per-user",
    path: "/account/orders",
    anonymous: {
      "cache-control": "max-age=5, s-maxage=60",
      vary: SHARED_VARY,
      "x-accel-expires": "60",
    },
    signedIn: { "cache-control": "private, max-age=5", vary: SHARED_VARY },
  },
];

describe("built-in policies in the default mode", () => {
  for (const { policy, path, anonymous, signedIn } of CASES) {
    test(`${policy} shares the anonymous page of ${path}`, () => {
      assert.deepEqual(cachingHeaders(headersFor(CONFIG, path)), anonymous);
    });
    test(`${policy} gives a signed-in user ${signedIn["cache-control"]} on ${path}`, () => {
      assert.deepEqual(cachingHeaders(headersFor(CONFIG, path, ANN)), signedIn);
    });
  }

  test("max-age is the smaller of browserSeconds and the lifetime", () => {
    const options = {
      browserSeconds: "1m",
      timeouts: { "all-users": { 30: ["/a"], "1h": ["/b"] } },
    };
    assert.equal(headersFor(options, "/a").get("cache-control"), "max-age=30, s-maxage=30");
    assert.equal(headersFor(options, "/b").get("cache-control"), "max-age=60, s-maxage=3600");
  });

  test("a lifetime of 0 sends the page uncached whatever the policy", () => {
    for (
      const policy of ["all-users", "anonymous-only", "anonymous-and-authenticated", "per-user"]
    ) {
      const options = { timeouts: { [policy]: { 0: ["/live"] } } };
      for (const identity of [null, ANN]) {
        assert.deepEqual(cachingHeaders(headersFor(options, "/live", identity)), {
          "cache-control": "private, no-cache",
          ...(policy === "all-users" ? {} : { vary: SHARED_VARY }),
        }, policy);
      }
    }
  });

  test("an anonymous request carrying Authorization is never shared by an identity-dependent policy", () => {
    const init = { requestHeaders: { authorization: "Bearer not-a-user" } };
    for (const path of ["/news/x", "/products/1", "/account/x"]) {
      const headers = headersFor(CONFIG, path, null, init);
      assert.match(headers.get("cache-control")!, /^private, max-age=5$/, path);
      assert.equal(headers.get("x-accel-expires"), null, path);
    }
    assert.equal(
      headersFor(CONFIG, "/about", null, init).get("cache-control"),
      "max-age=5, s-maxage=3600",
    );
  });

  test("identityHeaders chooses what identity-dependent pages vary on", () => {
    const options = { ...CONFIG, identityHeaders: ["Cookie", "X-Session"] };
    assert.equal(headersFor(options, "/account/x").get("vary"), "Cookie, X-Session");
    assert.equal(headersFor(options, "/about").get("vary"), null);
  });

  test("an identity other than null, undefined or { id: non-empty string } is a TypeError", () => {
    // The old rule counted anything else as signed in; tests/mistakes_test.ts has every shape.
    // deno-lint-ignore no-explicit-any
    const odd = { id: "" } as any;
    assert.throws(() => headersFor(CONFIG, "/account/x", odd), TypeError);
  });
});
