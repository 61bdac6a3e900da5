import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { formatCacheControl, mergeVary, parseLifetime } from "../mod.ts";
import { ANN, CONFIG, headersFor } from "./_helpers.ts";

describe("mergeVary()", () => {
  const CASES: readonly [string | null, string[], string | null][] = [
    [null, [], null],
    [null, ["Cookie"], "Cookie"],
    ["Accept-Encoding", ["Cookie", "Authorization"], "Accept-Encoding, Cookie, Authorization"],
    ["cookie", ["Cookie"], "cookie"],
    [
      "Accept-Encoding,Cookie",
      ["COOKIE", "Authorization"],
      "Accept-Encoding, Cookie, Authorization",
    ],
    ["  Accept ,, Origin  ", ["accept"], "Accept, Origin"],
    ["*", ["Cookie"], "*"],
    ["Accept, *", ["Cookie"], "*"],
    ["Accept", ["*"], "*"],
    ["", ["Cookie"], "Cookie"],
  ];
  for (const [existing, additions, expected] of CASES) {
    test(`${JSON.stringify(existing)} + ${JSON.stringify(additions)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(mergeVary(existing, additions), expected);
    });
  }
});

describe("apply() keeps Vary entries set by the handler", () => {
  test("merging case-insensitively and keeping order", () => {
    const headers = headersFor(CONFIG, "/account/x", ANN, {
      headers: { vary: "accept-encoding, cookie" },
    });
    assert.equal(headers.get("vary"), "accept-encoding, cookie, Authorization");
  });

  test("keeping * as the whole value", () => {
    const headers = headersFor(CONFIG, "/news/x", null, { headers: { vary: "*" } });
    assert.equal(headers.get("vary"), "*");
  });

  test("and leaving Vary alone on all-users pages", () => {
    const headers = headersFor(CONFIG, "/about", null, { headers: { vary: "Accept-Language" } });
    assert.equal(headers.get("vary"), "Accept-Language");
  });
});

describe("formatCacheControl()", () => {
  test("writes directives in one fixed order", () => {
    assert.equal(
      formatCacheControl({
        staleIfError: 60,
        immutable: true,
        sMaxage: 600,
        maxAge: 5,
        public: true,
        mustRevalidate: true,
        staleWhileRevalidate: 30,
      }),
      "public, max-age=5, s-maxage=600, must-revalidate, immutable, stale-while-revalidate=30, stale-if-error=60",
    );
    assert.equal(
      formatCacheControl({ noStore: true, private: true, noCache: false }),
      "private, no-store",
    );
    assert.equal(formatCacheControl({}), "");
  });

  for (const bad of [-1, 1.5, NaN, Infinity]) {
    test(`refuses a lifetime of ${bad}`, () => {
      assert.throws(() => formatCacheControl({ maxAge: bad }), RangeError);
    });
  }
});

describe("parseLifetime()", () => {
  const GOOD: readonly [unknown, number][] = [
    [0, 0],
    [60, 60],
    ["60", 60],
    ["90s", 90],
    ["5m", 300],
    ["1h", 3600],
    ["7d", 604800],
    ["1h30m", 5400],
    ["1d2h3m4s", 93784],
    ["2147483648", 2147483648],
  ];
  for (const [input, seconds] of GOOD) {
    test(`${JSON.stringify(input)} is ${seconds} s`, () => {
      assert.deepEqual(parseLifetime(input), { seconds });
    });
  }

  const BAD: readonly [unknown, string][] = [
    [-1, "is negative"],
    [1.5, "is not a whole number of seconds"],
    [NaN, "is NaN"],
    [Infinity, "is infinite"],
    ["", "is neither"],
    ["5 m", "is neither"],
    ["5M", "is neither"],
    ["30m1h", "is neither"],
    ["1e3", "is neither"],
    ["+5", "is neither"],
    ["0x10", "is neither"],
    ["600, public", "is neither"],
    [null, "must be a number of seconds or a duration, not object"],
    [true, "must be a number"],
    [2147483649, "exceeds"],
  ];
  for (const [input, error] of BAD) {
    test(`${String(input)} is refused`, () => {
      const result = parseLifetime(input);
      assert.ok("error" in result && result.error.startsWith(error), JSON.stringify(result));
    });
  }
});
