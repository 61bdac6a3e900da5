import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CacheConfigError,
  cacheHeaders,
  type CacheHeadersOptions,
  withCacheHeaders,
} from "../mod.ts";

/** Compiles options that must fail, and returns the problems as `code path: message`. */
function problemsOf(options: unknown): string[] {
  try {
    cacheHeaders(options as CacheHeadersOptions);
  } catch (error) {
    assert.ok(error instanceof CacheConfigError, String(error));
    assert.ok(error instanceof TypeError);
    assert.equal(error.code, "CACHEWISE_CONFIG");
    for (const problem of error.problems) assert.ok(error.message.includes(problem.message));
    return error.problems.map((p) => `${p.code} ${p.path}: ${p.message}`);
  }
  assert.fail("expected a CacheConfigError");
}

const CASES: readonly [name: string, options: unknown, expected: string][] = [
  [
    "an unknown policy name",
    { timeouts: { "per-usr": { 60: ["/a"] } } },
    'unknown-policy timeouts["per-usr"]: Policy "per-usr" at timeouts["per-usr"] is unknown; known policies: "all-users", "anonymous-only", "anonymous-and-authenticated", "per-user"',
  ],
  [
    "an invalid pattern",
    { timeouts: { "per-user": { 60: ["/ok", "/a/("] } } },
    'invalid-pattern timeouts["per-user"]["60"][1]: Pattern "/a/(" at timeouts["per-user"]["60"][1] is invalid:',
  ],
  [
    "a pattern that is not a path",
    { timeouts: { "all-users": { 60: ["about"] } } },
    'invalid-pattern timeouts["all-users"]["60"][0]: Pattern "about" at timeouts["all-users"]["60"][0] must start with "/"',
  ],
  [
    "a pattern of the wrong type",
    { timeouts: { "all-users": { 60: [42] } } },
    'invalid-pattern timeouts["all-users"]["60"][0]: Pattern 42 at timeouts["all-users"]["60"][0] must be a pathname string, a URLPatternInit or a URLPattern',
  ],
  [
    "patterns that are not an array",
    { timeouts: { "all-users": { 60: "/a" } } },
    'invalid-pattern timeouts["all-users"]["60"]: Patterns at timeouts["all-users"]["60"] must be an array, not "/a"',
  ],
  [
    "a negative lifetime",
    { timeouts: { "all-users": { "-1": ["/a"] } } },
    'invalid-lifetime timeouts["all-users"]["-1"]: Lifetime "-1" at timeouts["all-users"]["-1"] is negative',
  ],
  [
    "a fractional lifetime",
    { timeouts: { "all-users": { "1.5": ["/a"] } } },
    'invalid-lifetime timeouts["all-users"]["1.5"]: Lifetime "1.5" at timeouts["all-users"]["1.5"] is not a whole number of seconds',
  ],
  [
    "a NaN lifetime",
    { timeouts: { "all-users": { [NaN]: ["/a"] } } },
    'invalid-lifetime timeouts["all-users"]["NaN"]: Lifetime "NaN" at timeouts["all-users"]["NaN"] is NaN',
  ],
  [
    "a non-numeric lifetime",
    { timeouts: { "all-users": { soon: ["/a"] } } },
    'invalid-lifetime timeouts["all-users"]["soon"]: Lifetime "soon" at timeouts["all-users"]["soon"] is neither whole seconds nor a duration such as "90s", "5m", "1h", "7d" or "1h30m"',
  ],
  [
    "an unparseable duration",
    { timeouts: { "all-users": { "5x": ["/a"] } } },
    'invalid-lifetime timeouts["all-users"]["5x"]: Lifetime "5x" at timeouts["all-users"]["5x"] is neither whole seconds nor a duration such as "90s", "5m", "1h", "7d" or "1h30m"',
  ],
  [
    "a lifetime that would inject a directive",
    { timeouts: { "all-users": { "600, public": ["/a"] } } },
    'invalid-lifetime timeouts["all-users"]["600, public"]: Lifetime "600, public" at timeouts["all-users"]["600, public"] is neither whole seconds nor a duration such as "90s", "5m", "1h", "7d" or "1h30m"',
  ],
  [
    "a lifetime beyond 2^31 seconds",
    { timeouts: { "all-users": { "99999999999": ["/a"] } } },
    'invalid-lifetime timeouts["all-users"]["99999999999"]: Lifetime "99999999999" at timeouts["all-users"]["99999999999"] exceeds 2147483648 seconds (RFC 9111 §1.2.2)',
  ],
  [
    "one pattern under two policies",
    { timeouts: { "all-users": { 60: ["/a/:id"] }, "per-user": { 60: ["/a/:slug"] } } },
    'conflicting-rules timeouts["per-user"]["60"][0]: Pattern "/a/:slug" at timeouts["per-user"]["60"][0] matches the same URLs as "/a/:id" at timeouts["all-users"]["60"][0] with a different policy ("per-user" 60 s against "all-users" 60 s)',
  ],
  [
    "one pattern under two lifetimes",
    { timeouts: { "all-users": { 60: ["/a"], "2m": ["/a"] } } },
    'conflicting-rules timeouts["all-users"]["2m"][0]: Pattern "/a" at timeouts["all-users"]["2m"][0] matches the same URLs as "/a" at timeouts["all-users"]["60"][0] with a different lifetime ("all-users" 120 s against "all-users" 60 s)',
  ],
  [
    "a carriage return in a pattern",
    { timeouts: { "all-users": { 60: ["/a\r\nX-Evil: 1"] } } },
    'invalid-pattern timeouts["all-users"]["60"][0]: Pattern "/a\\r\\nX-Evil: 1" at timeouts["all-users"]["60"][0] contains a control character',
  ],
  [
    "a NUL in a URLPatternInit",
    { timeouts: { "all-users": { 60: [{ hostname: "a\u0000b", pathname: "/" }] } } },
    'invalid-pattern timeouts["all-users"]["60"][0]: Pattern { hostname: "a\\u0000b", pathname: "/" } at timeouts["all-users"]["60"][0] contains a control character in hostname',
  ],
  [
    "a header name with a line break in identityHeaders",
    { identityHeaders: ["Cookie", "X-A\r\nX-B"] },
    'invalid-header-name identityHeaders[1]: Header name "X-A\\r\\nX-B" at identityHeaders[1] is not a valid field name',
  ],
  [
    "a header name with a comma in identityHeaders",
    { identityHeaders: ["Cookie, Authorization"] },
    'invalid-header-name identityHeaders[0]: Header name "Cookie, Authorization" at identityHeaders[0] is not a valid field name',
  ],
  [
    "a browserSeconds that would inject a directive",
    { browserSeconds: "5, public" },
    'invalid-lifetime browserSeconds: Option "browserSeconds" "5, public" is neither whole seconds nor a duration such as "90s", "5m", "1h", "7d" or "1h30m"',
  ],
  [
    "a negative browserSeconds",
    { browserSeconds: -5 },
    'invalid-lifetime browserSeconds: Option "browserSeconds" -5 is negative',
  ],
  [
    "a policy that is not a function",
    { policies: { special: "yes" } },
    'invalid-policy policies["special"]: Policy at policies["special"] must be a function, not "yes"',
  ],
  [
    "a policy name with a line break",
    { policies: { "a\nb": () => ({ cacheControl: {} }) } },
    'invalid-policy-name policies["a\\nb"]: Policy name "a\\nb" at policies["a\\nb"] may use only letters, digits, ".", "_" and "-"',
  ],
  [
    "a misspelt option",
    { timeout: {} },
    'invalid-option timeout: Option "timeout" is not a cachewise option',
  ],
  [
    "options that are not an object",
    "per-user",
    'invalid-options options: Options must be an object, not "per-user"',
  ],
];

describe("configuration errors are thrown at construction, naming the rule", () => {
  for (const [name, options, expected] of CASES) {
    test(name, () => {
      const problems = problemsOf(options);
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.ok(
        problems[0]!.startsWith(expected),
        `${problems[0]}\n  does not start with\n${expected}`,
      );
      assert.ok(!/[\r\n]/.test(problems[0]!), "a problem is one line");
    });
  }

  test("all problems are reported at once", () => {
    const problems = problemsOf({
      browserSeconds: "soon",
      timeouts: {
        "per-usr": { 60: ["/a("] },
        "per-user": { "-1": ["/b"], "5x": ["/c("], 60: ["/d"] },
        "all-users": { 60: ["/d"] },
      },
    });
    assert.deepEqual(problems.map((p) => p.split(":")[0]), [
      'unknown-policy timeouts["per-usr"]',
      'invalid-lifetime timeouts["per-user"]["-1"]',
      'invalid-lifetime timeouts["per-user"]["5x"]',
      "invalid-lifetime browserSeconds",
      'invalid-pattern timeouts["per-usr"]["60"][0]',
      'invalid-pattern timeouts["per-user"]["5x"][0]',
      'conflicting-rules timeouts["all-users"]["60"][0]',
    ]);
  });

  test("the same pattern twice under the same policy and lifetime is allowed", () => {
    assert.doesNotThrow(() => cacheHeaders({ timeouts: { "all-users": { 60: ["/a", "/a"] } } }));
  });

  test("withCacheHeaders validates the same way and accepts identify", () => {
    assert.throws(
      () => withCacheHeaders(() => new Response(), { timeouts: { nope: { 1: ["/"] } } }),
      CacheConfigError,
    );
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => withCacheHeaders(() => new Response(), { identify: "me" } as any),
      /Option "identify" must be a function/,
    );
    assert.doesNotThrow(() => withCacheHeaders(() => new Response(), { identify: () => null }));
  });

  test("empty or missing options are valid", () => {
    assert.doesNotThrow(() => cacheHeaders());
    assert.doesNotThrow(() => cacheHeaders({}));
  });
});
