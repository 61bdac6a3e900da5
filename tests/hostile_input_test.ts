/**
 * Hostile input (issue 3, scope 4): each input gets either a `CacheConfigError` at construction
 * that names the option at fault, or a safe response from `apply()`: never an exception, and
 * never a response a shared cache would keep where that is unsafe. Everything runs in the default
 * mode and in the keyed mode where it applies.
 */

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type ApplyCacheHeaders,
  CacheConfigError,
  cacheHeaders,
  type CacheHeadersOptions,
  type Identity,
} from "../mod.ts";
import { URLPatternImpl } from "../src/match/url_pattern.ts";
import { nginxCookie, sharedCacheableBecause, TARGETED_FIELDS } from "./_cache_models.ts";

const ORIGIN = "https://shop.example";
const U1: Identity = { id: "u1" };
const SIGNED_IN = "sessionid=s3cr3t-u1; isauthenticated=1";
const KEYED = { sessionCookie: "sessionid", keyCookies: ["messages"] } as const;

/** Rules of a shop with an account area under a per-user rule and static files for everybody. */
const TIMEOUTS = {
  "all-users": { "1h": ["/static/*", "/*.css", "/*.js"] },
  "anonymous-only": { "5m": ["/", "/news/*"] },
  "anonymous-and-authenticated": { "10m": ["/products/:id"] },
  "per-user": { 60: ["/account/*"] },
} as const;

type ModeName = "default" | "keyed";

interface Mode {
  readonly name: ModeName;
  readonly apply: ApplyCacheHeaders;
  /** Errors `apply()` turned into uncached responses. */
  readonly errors: unknown[];
}

function modeOf(name: ModeName, options: CacheHeadersOptions = { timeouts: TIMEOUTS }): Mode {
  const errors: unknown[] = [];
  const apply = cacheHeaders({
    ...options,
    ...(name === "keyed" && options.keyed === undefined ? { keyed: KEYED } : {}),
    onError: (error) => errors.push(error),
  });
  return { name, apply, errors };
}

const MODES: readonly Mode[] = [modeOf("default"), modeOf("keyed")];

interface Visit {
  readonly path?: string;
  readonly url?: string;
  readonly identity?: unknown;
  readonly cookie?: string | readonly string[] | null;
  readonly authorization?: string;
  readonly response?: () => Response;
}

function requestOf(visit: Visit): Request {
  const headers = new Headers();
  const cookies = visit.cookie ?? null;
  for (const line of typeof cookies === "string" ? [cookies] : cookies ?? []) {
    headers.append("cookie", line);
  }
  if (visit.authorization !== undefined) headers.set("authorization", visit.authorization);
  return new Request(visit.url ?? ORIGIN + (visit.path ?? "/"), { headers });
}

/** Applies a mode to one visit; a thrown exception fails the test with the visit named. */
function visit(mode: Mode, visit: Visit) {
  const request = requestOf(visit);
  const make = visit.response ?? (() => new Response("page"));
  const identity = visit.identity as Identity | null | undefined;
  let response: Response;
  try {
    response = mode.apply(request, make(), identity);
  } catch (error) {
    assert.fail(`${mode.name}: apply() threw for ${request.url}: ${String(error)}`);
  }
  const decision = mode.apply.explain(request, make(), identity);
  return { request, response, headers: response.headers, decision };
}

/**
 * Why a shared cache would keep a response that must not be shared. In keyed mode the keyed
 * cache's own lifetime (`X-Accel-Expires` with an `X-Hash-Cookies` naming `identityCookie`) is
 * allowed: that cache keys the page on the cookie, and strips both headers.
 */
function unsafeSharing(
  mode: ModeName,
  headers: Headers,
  identityCookie: "sessionid" | "isauthenticated" | null,
  status = 200,
): string[] {
  const reasons = sharedCacheableBecause(headers, status);
  const hint = headers.get("x-hash-cookies") ?? "";
  if (mode === "keyed" && identityCookie !== null && hint.split(", ")[0] === identityCookie) {
    return reasons.filter((reason) => !reason.startsWith("X-Accel-Expires"));
  }
  return reasons;
}

/** The cookie the keyed cache keys a policy's signed-in pages on. */
function identityCookieOf(policy: string | undefined): "sessionid" | "isauthenticated" | null {
  return policy === "per-user"
    ? "sessionid"
    : policy === "anonymous-and-authenticated" || policy === "anonymous-only"
    ? "isauthenticated"
    : null;
}

function assertNotShared(
  mode: ModeName,
  headers: Headers,
  what: string,
  identityCookie: "sessionid" | "isauthenticated" | null = "sessionid",
  status = 200,
): void {
  assert.deepEqual(
    unsafeSharing(mode, headers, identityCookie, status),
    [],
    `${mode}: ${what} would be shared`,
  );
}

const LINE_BREAKING = /[\r\n\0]/;

function assertConfigError(options: unknown, path: string): void {
  assert.throws(
    () => cacheHeaders(options as CacheHeadersOptions),
    (error: unknown) => {
      assert.ok(error instanceof CacheConfigError, `not a CacheConfigError: ${String(error)}`);
      const paths = error.problems.map((problem) => problem.path);
      assert.ok(paths.includes(path), `no problem at ${path}: ${JSON.stringify(paths)}`);
      assert.ok(
        error.message.includes(path),
        `the message does not name ${path}: ${error.message}`,
      );
      for (const problem of error.problems) {
        assert.doesNotMatch(problem.message, LINE_BREAKING, "a raw control character in a message");
        assert.doesNotMatch(problem.path, LINE_BREAKING, "a raw control character in a path");
      }
      return true;
    },
  );
}

// ---------------------------------------------------------------------------------------------
// 1. Header and proxy-configuration injection through the options
// ---------------------------------------------------------------------------------------------

const INJECTIONS = [
  "x\r\nX-Evil: 1",
  "x\n",
  "x\r",
  "x\0",
  "a,b",
  'a"b',
  '"quoted"',
  "a;b",
  "a b",
  "a=b",
  "a\tb",
  "",
  "séssion",
  "a{b}",
] as const;

/** [what, options, the option path the error must name] */
const CONFIG_CASES: readonly (readonly [string, unknown, string])[] = [
  ...INJECTIONS.map((name) =>
    [
      `keyed.sessionCookie ${JSON.stringify(name)}`,
      { keyed: { sessionCookie: name } },
      "keyed.sessionCookie",
    ] as const
  ),
  ...INJECTIONS.map((name) =>
    [
      `keyed.signInCookie ${JSON.stringify(name)}`,
      { keyed: { sessionCookie: "sessionid", signInCookie: name } },
      "keyed.signInCookie",
    ] as const
  ),
  ...INJECTIONS.map((name) =>
    [
      `keyed.keyCookies[1] ${JSON.stringify(name)}`,
      { keyed: { sessionCookie: "sessionid", keyCookies: ["messages", name] } },
      "keyed.keyCookies[1]",
    ] as const
  ),
  ["keyed.sessionCookie 42", { keyed: { sessionCookie: 42 } }, "keyed.sessionCookie"],
  [
    "keyed.signInCookieAttributes.path with a header line",
    { keyed: { sessionCookie: "s", signInCookieAttributes: { path: "/\r\nSet-Cookie: a=1" } } },
    "keyed.signInCookieAttributes.path",
  ],
  [
    "keyed.signInCookieAttributes.path with another attribute",
    { keyed: { sessionCookie: "s", signInCookieAttributes: { path: "/; Domain=evil.example" } } },
    "keyed.signInCookieAttributes.path",
  ],
  [
    "keyed.signInCookieAttributes.domain with a newline",
    { keyed: { sessionCookie: "s", signInCookieAttributes: { domain: "shop.example\n" } } },
    "keyed.signInCookieAttributes.domain",
  ],
  [
    "keyed.signInCookieAttributes.sameSite with a header line",
    { keyed: { sessionCookie: "s", signInCookieAttributes: { sameSite: "Lax\r\nX: 1" } } },
    "keyed.signInCookieAttributes.sameSite",
  ],
  [
    'keyed.signInCookieAttributes.maxAge "600, public"',
    { keyed: { sessionCookie: "s", signInCookieAttributes: { maxAge: "600, public" } } },
    "keyed.signInCookieAttributes.maxAge",
  ],
  [
    "keyed.onForgedSignIn with a newline",
    { keyed: { sessionCookie: "s", onForgedSignIn: "reject\n" } },
    "keyed.onForgedSignIn",
  ],
  ...[
    "600, public",
    "600, s-maxage=31536000",
    "60\r\nX-Evil: 1",
    "60\0",
    "1h, public",
    "-1",
    "1e3",
    "0x10",
    " 60",
    "60 ",
    "Infinity",
    "NaN",
    "1.5",
    "2147483649",
    "1h30",
    "5 m",
  ].map((lifetime) =>
    [
      `lifetime ${JSON.stringify(lifetime)}`,
      { timeouts: { "per-user": { [lifetime]: ["/a"] } } },
      `timeouts["per-user"][${JSON.stringify(lifetime)}]`,
    ] as const
  ),
  ...["5, public", "5\r\n", 5.5, -5, Infinity, "forever"].map((seconds) =>
    [
      `browserSeconds ${JSON.stringify(seconds)}`,
      { browserSeconds: seconds },
      "browserSeconds",
    ] as const
  ),
  ...["per-user\n", "per-user\r\nX-Evil: 1", "all users", "public, s-maxage=1", "per-user\0"].map((
    policy,
  ) =>
    [
      `policy name ${JSON.stringify(policy)} in timeouts`,
      { timeouts: { [policy]: { 60: ["/a"] } } },
      `timeouts[${JSON.stringify(policy)}]`,
    ] as const
  ),
  ...["mine\n", "mine\r\nX-Evil: 1", "a b", "a,b", 'a"b', "-mine", ""].map((policy) =>
    [
      `custom policy name ${JSON.stringify(policy)}`,
      { policies: { [policy]: () => ({ cacheControl: {} }) } },
      `policies[${JSON.stringify(policy)}]`,
    ] as const
  ),
  ...[
    "/a\r\nX-Evil: 1",
    "/a\n",
    "/a\r",
    "/a\0",
    "/a\tb",
    "/a\u007f",
    "a/no-slash",
    "/:a(",
    "/:a((a)+b)",
    "/{",
  ].map((pattern) =>
    [
      `pattern ${JSON.stringify(pattern)}`,
      { timeouts: { "per-user": { 60: [pattern] } } },
      'timeouts["per-user"]["60"][0]',
    ] as const
  ),
  [
    "pattern init with CRLF in the pathname",
    { timeouts: { "per-user": { 60: [{ pathname: "/a\r\nX-Evil: 1" }] } } },
    'timeouts["per-user"]["60"][0]',
  ],
  [
    "pattern init with a newline in the hostname",
    { timeouts: { "per-user": { 60: [{ hostname: "shop.example\n", pathname: "/*" }] } } },
    'timeouts["per-user"]["60"][0]',
  ],
  ...["Cookie\r\nX-Evil: 1", "X-A, X-B", "", "X A", "Cookie\0"].map((name) =>
    [
      `identityHeaders ${JSON.stringify(name)}`,
      { identityHeaders: ["Authorization", name] },
      "identityHeaders[1]",
    ] as const
  ),
];

describe("hostile configuration: refused at construction, naming the option", () => {
  for (const [what, options, path] of CONFIG_CASES) {
    test(`${what} → ${path}`, () => assertConfigError(options, path));
  }

  test("the same injections are refused with keyed mode on (problems are all listed)", () => {
    for (const [, options, path] of CONFIG_CASES) {
      const given = options as Record<string, unknown>;
      if (given.keyed !== undefined) continue;
      assertConfigError({ ...given, keyed: KEYED }, path);
    }
  });

  test("arbitrary strings as cookie names, lifetimes, policy names and patterns", () => {
    const text = fc.string({ unit: "binary", maxLength: 12 });
    fc.assert(
      fc.property(
        fc.record({
          session: fc.oneof(text, fc.constantFrom("sessionid", "sid")),
          lifetime: fc.oneof(text, fc.constantFrom("60", "1h", "5m")),
          policy: fc.oneof(text, fc.constantFrom("per-user", "mine")),
          pattern: fc.oneof(text.map((rest) => `/${rest}`), fc.constantFrom("/a/*", "/:id")),
        }),
        ({ session, lifetime, policy, pattern }) => {
          const options = {
            timeouts: { [policy]: { [lifetime]: [pattern] } },
            policies: { mine: () => ({ cacheControl: { maxAge: 1 } }) },
            keyed: { sessionCookie: session },
            onError: () => {},
          };
          let apply: ApplyCacheHeaders;
          try {
            apply = cacheHeaders(options);
          } catch (error) {
            assert.ok(error instanceof CacheConfigError, String(error));
            for (const problem of error.problems) {
              assert.doesNotMatch(problem.message, LINE_BREAKING);
            }
            return;
          }
          // Accepted: every header written is well-formed and names only valid cookies.
          const request = new Request(ORIGIN + "/a/1", { headers: { cookie: `${session}=x` } });
          for (const identity of [null, U1]) {
            const headers = apply(request, new Response("x"), identity).headers;
            for (const [, value] of headers) assert.doesNotMatch(value, LINE_BREAKING);
            for (const cookie of headers.getSetCookie()) {
              assert.match(cookie, /^isauthenticated=1?; Path=\//);
            }
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("hostile custom policies: the response goes out uncached and onError is told", () => {
  const RESULTS: readonly (readonly [string, unknown])[] = [
    ["a header value with CRLF", {
      cacheControl: { maxAge: 60 },
      headers: { "X-A": "1\r\nX-B: 2" },
    }],
    ["a header name with a colon", {
      cacheControl: { maxAge: 60 },
      headers: { "X-A: 1\r\nX": "2" },
    }],
    ["Set-Cookie through headers", {
      cacheControl: { maxAge: 60 },
      headers: { "Set-Cookie": "a=1" },
    }],
    ["X-Accel-Expires through headers", {
      cacheControl: { private: true },
      headers: { "X-Accel-Expires": "600" },
    }],
    ["X-Hash-Cookies through headers", {
      cacheControl: { maxAge: 60 },
      headers: { "x-hash-cookies": "messages" },
    }],
    ["a Vary name with CRLF", { cacheControl: { maxAge: 60 }, vary: ["Cookie\r\nX-Evil: 1"] }],
    ["a Vary name with a comma", { cacheControl: { maxAge: 60 }, vary: ["Cookie, Host"] }],
    ['max-age "600, public"', { cacheControl: { maxAge: "600, public" } }],
    ["s-maxage -1", { cacheControl: { sMaxage: -1 } }],
    ["max-age 1.5", { cacheControl: { maxAge: 1.5 } }],
    ["max-age NaN", { cacheControl: { maxAge: NaN } }],
    ["stale-while-revalidate Infinity", { cacheControl: { staleWhileRevalidate: Infinity } }],
    ["null", null],
    ["a string", "public, max-age=600"],
    ["no cacheControl", { vary: ["Cookie"] }],
  ];
  for (const mode of ["default", "keyed"] as const) {
    for (const [what, result] of RESULTS) {
      test(`${mode}: a policy returning ${what}`, () => {
        const hostile = modeOf(mode, {
          timeouts: { mine: { 60: ["/mine/*"] } },
          policies: { mine: () => result as never },
        });
        for (const identity of [null, U1]) {
          const { headers } = visit(hostile, {
            path: "/mine/x",
            identity,
            cookie: identity ? SIGNED_IN : null,
          });
          // Uncached; or, for a signed-in user, the directives without their shared part.
          assert.match(headers.get("cache-control") ?? "", /^private(?:, no-cache)?$/, what);
          assertNotShared(mode, headers, what, null);
          assert.equal(headers.get("x-accel-expires"), null);
          assert.equal(headers.get("x-evil"), null);
          assert.deepEqual(headers.getSetCookie(), []);
        }
        assert.ok(hostile.errors.length >= 2, "onError was not told");
      });
    }
  }

  test("a policy that throws, in both modes", () => {
    for (const mode of ["default", "keyed"] as const) {
      const hostile = modeOf(mode, {
        timeouts: { mine: { 60: ["/mine/*"] } },
        policies: {
          mine: () => {
            throw new Error("boom");
          },
        },
      });
      const { headers } = visit(hostile, { path: "/mine/x", identity: U1, cookie: SIGNED_IN });
      assert.equal(headers.get("cache-control"), "private, no-cache");
      assert.equal(hostile.errors.length, 2);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 2. URLs
// ---------------------------------------------------------------------------------------------

/**
 * How long the largest inputs took, in milliseconds: recorded, never asserted. Printed only when
 * `CACHEWISE_PRINT_TIMINGS` is set.
 */
const TIMINGS: Record<string, number> = {};
after(() => {
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process
    ?.env;
  if (env?.CACHEWISE_PRINT_TIMINGS) console.log(JSON.stringify(TIMINGS, null, 2));
});

describe("hostile URLs: apply() returns, and nothing signed-in is shared", () => {
  for (const mode of MODES) {
    test(`${mode.name}: 1 MB paths and queries return uncached, no rule tried (timed, not asserted)`, () => {
      const mega = "a".repeat(1 << 20);
      const cases: readonly (readonly [string, string])[] = [
        ["1 MB path without a rule", `/${mega}`],
        ["1 MB path under the per-user rule", `/account/${mega}`],
        ["1 MB path under the all-users rule", `/static/${mega}`],
        ["1 MB path ending in .css under the per-user rule", `/account/${mega}.css`],
        ["half a million segments", `/account${"/a".repeat(1 << 19)}`],
        ["1 MB query", `/account/x?q=${mega}`],
        ["1 MB of percent-escapes", `/account/${"%41".repeat(1 << 18)}`],
      ];
      for (const [what, path] of cases) {
        const started = performance.now();
        const { headers, request, decision } = visit(mode, {
          path,
          identity: U1,
          cookie: SIGNED_IN,
        });
        TIMINGS[`${mode.name}: ${what}`] = performance.now() - started;
        assert.ok(request.url.length > 1 << 19);
        // Past 8,192 characters no rule is tried (bounded matching time): sent uncached.
        assert.equal(decision.reason, "url-too-long", what);
        assert.equal(headers.get("cache-control"), "private, no-cache", what);
        const policy = decision.rule?.policy;
        if (policy !== "all-users") {
          assertNotShared(mode.name, headers, what, identityCookieOf(policy));
        }
      }
    });

    const ODD_PATHS: readonly (readonly [string, string, string | null, string?])[] = [
      // [path as written, pathname after the URL parser, the policy that decides, why]
      ["/account/../static/x", "/static/x", "all-users"],
      ["/static/../account/x", "/account/x", "per-user"],
      ["/static/%2e%2e/account/x", "/account/x", "per-user"],
      ["/static/%2E%2E/account/x", "/account/x", "per-user"],
      ["/static/./../account/x", "/account/x", "per-user"],
      ["/account/x/..", "/account/", "per-user"],
      ["/account/x.css/..", "/account/", "per-user"],
      ["/acc\tount/x", "/account/x", "per-user"], // the URL parser drops tabs and newlines
      ["/acc\nount/x", "/account/x", "per-user"],
      [
        "/static/..%2Faccount/x",
        "/static/..%2Faccount/x",
        "all-users",
        "an encoded slash is no separator: an app that decodes it before routing must not",
      ],
      [
        "/static/..;/account/x",
        "/static/..;/account/x",
        "all-users",
        '"..;" is no dot segment here (Tomcat would resolve it)',
      ],
      ["/%61ccount/x", "/%61ccount/x", null],
      ["/account%2Fx", "/account%2Fx", null],
      ["/account/%78", "/account/%78", "per-user"],
      ["/account/x%00", "/account/x%00", "per-user"],
      ["/account/x\0y", "/account/x%00y", "per-user"], // (a trailing NUL is stripped)
      ["/account/ẋ", "/account/%E1%BA%8B", "per-user"],
      ["//account/x", "//account/x", null],
      ["/account//x", "/account//x", "per-user"],
      ["/static//x", "/static//x", "all-users"],
      ["/account;jsessionid=1/x", "/account;jsessionid=1/x", null],
      ["/account/x;jsessionid=1", "/account/x;jsessionid=1", "per-user"],
      ["/ACCOUNT/x", "/ACCOUNT/x", null, "URLPattern is case-sensitive: /account/* does not match"],
      ["/Account/x", "/Account/x", null, "URLPattern is case-sensitive: /account/* does not match"],
      ["/%", "/%", null],
      ["/%zz", "/%zz", null],
      ["/account/%", "/account/%", "per-user"],
      ["/account/%zz.css", "/account/%zz.css", "per-user"],
    ];
    for (const [path, pathname, policy, why] of ODD_PATHS) {
      test(
        `${mode.name}: ${JSON.stringify(path)} is ${pathname} to URLPattern → ${
          policy ?? "no rule, uncached and not shared"
        }${why === undefined ? "" : ` (${why})`}`,
        () => {
          for (const [identity, cookie] of [[U1, SIGNED_IN], [null, null]] as const) {
            const { request, headers, decision } = visit(mode, { path, identity, cookie });
            assert.equal(new URL(request.url).pathname, pathname);
            assert.equal(decision.rule?.policy ?? null, policy);
            if (policy === null) assert.equal(headers.get("cache-control"), "private, no-cache");
            if (identity !== null && policy !== "all-users") {
              assertNotShared(
                mode.name,
                headers,
                `${path} for u1`,
                identityCookieOf(policy ?? undefined),
              );
            }
          }
        },
      );
    }

    test(`${mode.name}: a request or response of the wrong type is a TypeError, never a shared page`, () => {
      // Arguments of the wrong type are the caller's bug (tests/mistakes_test.ts): apply() throws
      // at once, on every path, rather than sending something. What a client sends is tested above.
      const errors = mode.errors.length;
      const page = () => new Response("page");
      const hostile: readonly (readonly [unknown, () => unknown])[] = [
        [null, page],
        [undefined, page],
        [{}, page],
        [{ url: 42, method: "GET", headers: new Headers() }, page],
        [{ url: "not a url", method: "GET", headers: new Headers() }, page],
        ["https://shop.example/account/x", page],
        [requestOf({ path: "/account/x" }), () => null],
        [requestOf({ path: "/account/x" }), () => undefined],
        [requestOf({ path: "/account/x" }), () => ({ status: 200, headers: new Headers() })],
        [requestOf({ path: "/account/x" }), () => "page"],
      ];
      for (const [request, response] of hostile) {
        for (const identity of [null, U1]) {
          assert.throws(
            () => mode.apply(request as Request, response() as Response, identity),
            TypeError,
            `apply(${String(request)}, …)`,
          );
        }
      }
      assert.equal(mode.errors.length, errors, "a programmer mistake is no error to log");
    });
  }

  test("a case-variant path under a catch-all all-users rule is shared: URLPattern is case-sensitive", () => {
    // Documented hazard: an application that routes /ACCOUNT/x to the account page (Express does
    // by default) must give the per-user rule as a URLPattern with ignoreCase.
    const catchAll = { ...TIMEOUTS, "all-users": { "1h": ["/*"] } };
    for (const name of ["default", "keyed"] as const) {
      const mode = modeOf(name, { timeouts: catchAll });
      const { decision } = visit(mode, { path: "/ACCOUNT/x", identity: U1, cookie: SIGNED_IN });
      assert.equal(decision.rule?.policy, "all-users");
      assert.equal(decision.shared, true);
      const ignoringCase = modeOf(name, {
        timeouts: {
          "all-users": { "1h": ["/*"] },
          "per-user": {
            60: [new URLPatternImpl({ pathname: "/account/*" }, { ignoreCase: true })],
          },
        },
      });
      const fixed = visit(ignoringCase, { path: "/ACCOUNT/x", identity: U1, cookie: SIGNED_IN });
      assert.equal(fixed.decision.rule?.policy, "per-user");
      assertNotShared(name, fixed.headers, "/ACCOUNT/x with an ignoreCase pattern");
    }
  });

  test("arbitrary paths: never an exception, never a signed-in account page shared", () => {
    const segment = fc.oneof(
      fc.constantFrom(
        "account",
        "ACCOUNT",
        "static",
        "x.css",
        "x.js",
        "..",
        ".",
        "%2e%2e",
        "%2F",
        ";a=1",
        "",
        "%",
        "%00",
        "news",
        "products",
        "1",
      ),
      fc.string({ unit: "binary", maxLength: 6 }),
    );
    const pathArb = fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) =>
      "/" + parts.join("/")
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...MODES),
        pathArb,
        fc.constantFrom("", "?a=1", "?.css", "#x.css"),
        (mode, path, suffix) => {
          let request: Request;
          try {
            request = new Request(ORIGIN + path + suffix, { headers: { cookie: SIGNED_IN } });
          } catch {
            return; // not a URL the server would have parsed either
          }
          const response = mode.apply(request, new Response("page"), U1);
          const { rule } = mode.apply.explain(request, new Response("page"), U1);
          const pathname = new URL(request.url).pathname;
          if (pathname.startsWith("/account/")) {
            assert.equal(rule?.policy, "per-user", `${pathname} escaped the per-user rule`);
          }
          if (rule?.policy !== "all-users") {
            assertNotShared(mode.name, response.headers, pathname, identityCookieOf(rule?.policy));
          }
        },
      ),
      { numRuns: 10_000 },
    );
  });
});

describe("web cache deception: the per-user rule wins over /*.css and /static/*", () => {
  const DECEPTIVE = [
    "/account/x.css",
    "/account/x.css/..",
    "/account/x/.css",
    "/account/x;.css",
    "/account/x%3B.css",
    "/account/x%2F.css",
    "/account/x.css?x=1",
    "/account/x?.css",
    "/account/.css",
    "/account/x.js",
    "/account/static/x.css",
    "/static/../account/x.css",
    "/static/%2e%2e/account/x.css",
  ];
  for (const mode of MODES) {
    for (const path of DECEPTIVE) {
      test(`${mode.name}: ${path}`, () => {
        const { decision, headers } = visit(mode, { path, identity: U1, cookie: SIGNED_IN });
        assert.equal(decision.rule?.policy, "per-user");
        assertNotShared(mode.name, headers, `${path} for u1`);
        if (mode.name === "keyed") {
          assert.equal(headers.get("x-hash-cookies"), "sessionid, messages");
        }
      });
    }
    test(`${mode.name}: /account.css is not under /account/* (all-users: the app must not route it to the account page)`, () => {
      const { decision } = visit(mode, { path: "/account.css", identity: U1, cookie: SIGNED_IN });
      assert.equal(decision.rule?.policy, "all-users");
    });
  }
});

// ---------------------------------------------------------------------------------------------
// 3. Hostile patterns: ReDoS
// ---------------------------------------------------------------------------------------------

describe("hostile patterns", () => {
  test("a wildcard pattern at the bound stays fast on the longest URL matched (timed, not asserted)", () => {
    const mode = modeOf("default", { timeouts: { "per-user": { 60: ["/*a*b"] } } });
    const path = `/${"a".repeat(8_000)}c`;
    const started = performance.now();
    const decision = mode.apply.explain(
      requestOf({ path, cookie: SIGNED_IN }),
      new Response(""),
      U1,
    );
    TIMINGS["/*a*b on an 8,000-character path"] = performance.now() - started;
    assert.equal(decision.reason, "no-rule");
  });

  test("URLs longer than 8,192 characters go out uncached with their own reason", () => {
    const mode = modeOf("default", { timeouts: { "all-users": { 60: ["/*"] } } });
    const explain = (length: number) =>
      mode.apply.explain(
        new Request(`${ORIGIN}/${"a".repeat(length - ORIGIN.length - 1)}`),
        new Response(""),
        null,
      );
    assert.equal(explain(8_192).reason, "rule");
    const decision = explain(8_193);
    assert.equal(decision.reason, "url-too-long");
    assert.equal(decision.cacheControl, "private, no-cache");
  });

  test("patterns whose matching time explodes are refused at construction", () => {
    // Accepted before: /:a((?:a+)+b) took 0.5-2.5 s on a 30-character path; /*a*a*a*a*a*b
    // did not return in 10 minutes on a 1,000-character one (PRODUCT.md invariant 9).
    for (
      const pattern of [
        "/:a((?:a+)+b)",
        "/:a((a|aa)+b)",
        "/*a*a*a*a*a*b",
        "/*a*a*b",
        "/:a((?:x|y)*z)",
      ]
    ) {
      assert.throws(
        () => cacheHeaders({ timeouts: { "per-user": { 60: [pattern] } } }),
        CacheConfigError,
        pattern,
      );
    }
    for (const pattern of ["/*a*b", "/static/*", "/:a([a-z]+)/:b(\\d+)/*", "/x/:a((?:ab)+)"]) {
      assert.doesNotThrow(
        () => cacheHeaders({ timeouts: { "per-user": { 60: [pattern] } } }),
        pattern,
      );
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Hostile responses
// ---------------------------------------------------------------------------------------------

describe("hostile responses", () => {
  for (const mode of MODES) {
    test(`${mode.name}: Vary: * from the handler stays exactly *`, () => {
      for (const path of ["/account/x", "/products/1", "/news/1", "/static/a.css"]) {
        for (const [identity, cookie] of [[U1, SIGNED_IN], [null, null]] as const) {
          const { headers } = visit(mode, {
            path,
            identity,
            cookie,
            response: () => new Response("page", { headers: { vary: "*" } }),
          });
          assert.equal(headers.get("vary"), "*", path);
          if (identity !== null && path !== "/static/a.css") {
            const cookieName = path === "/account/x" ? "sessionid" : "isauthenticated";
            assertNotShared(mode.name, headers, `${path} with Vary: *`, cookieName);
          }
        }
      }
    });

    test(`${mode.name}: CDN-Cache-Control and Surrogate-Control from the handler`, () => {
      const targeted = {
        "cdn-cache-control": "max-age=600",
        "surrogate-control": "max-age=600",
        "cloudflare-cdn-cache-control": "max-age=600",
        "x-accel-expires": "600",
      };
      // A signed-in user's page, without and with the handler's own private Cache-Control.
      for (const extra of [{}, { "cache-control": "private" }, { "cache-control": "no-store" }]) {
        const { headers } = visit(mode, {
          path: "/account/x",
          identity: U1,
          cookie: SIGNED_IN,
          response: () => new Response("page", { headers: { ...targeted, ...extra } }),
        });
        for (const name of TARGETED_FIELDS) {
          const value = headers.get(name);
          assert.ok(value === null || /no-store/.test(value), `${name}: ${value}`);
        }
        assertNotShared(mode.name, headers, `u1's page with ${JSON.stringify(extra)}`);
      }
      // With a cookie, whatever the handler's Cache-Control says.
      for (const cacheControl of [null, "public, max-age=600", "no-cache"]) {
        const { headers } = visit(mode, {
          path: "/news/1",
          response: () => {
            const headers = new Headers({ ...targeted, "set-cookie": "csrftoken=1" });
            if (cacheControl !== null) headers.set("cache-control", cacheControl);
            return new Response("page", { headers });
          },
        });
        assertNotShared(mode.name, headers, `Set-Cookie with ${cacheControl}`, null);
      }
      // The anonymous copy keeps them: it may be shared.
      const anonymous = visit(mode, {
        path: "/news/1",
        response: () => new Response("page", { headers: targeted }),
      });
      assert.equal(anonymous.headers.get("cdn-cache-control"), "max-age=600");
    });

    test(`${mode.name}: Response.error() comes back as it is`, () => {
      const error = Response.error();
      const out = mode.apply(requestOf({ path: "/account/x", cookie: SIGNED_IN }), error, U1);
      assert.equal(out, error);
      assert.equal(out.type, "error");
    });

    test(`${mode.name}: a response whose body was used comes back as it is (it cannot be sent)`, async () => {
      const used = new Response("secret");
      await used.text();
      const out = mode.apply(requestOf({ path: "/account/x", cookie: SIGNED_IN }), used, U1);
      assert.equal(out, used);
      assert.equal(out.headers.get("x-accel-expires"), null);
    });

    test(`${mode.name}: a response with a locked body comes back without an exception`, () => {
      // The body cannot be handed to a new Response, so it comes back unchanged; a server cannot
      // send it either (Deno.serve answers 500: "ReadableStream is locked").
      const locked = new Response("secret");
      locked.body!.getReader();
      const out = mode.apply(requestOf({ path: "/account/x", cookie: SIGNED_IN }), locked, U1);
      assert.ok(out === locked || /private|no-store/.test(out.headers.get("cache-control") ?? ""));
      assert.equal(out.headers.get("x-accel-expires"), null);
    });

    test(`${mode.name}: 101-like responses come back as they are`, () => {
      class Upgrade extends Response {
        override get status(): number {
          return 101;
        }
      }
      const request = requestOf({ path: "/account/x", cookie: SIGNED_IN });
      const upgrade = new Upgrade(null, { headers: { upgrade: "websocket" } });
      assert.equal(mode.apply(request, upgrade, U1), upgrade);
      const plain = { status: 101, headers: new Headers({ upgrade: "websocket" }) };
      assert.throws(() => mode.apply(request, plain as unknown as Response, U1), TypeError);
      const hollow = Object.create(Response.prototype) as Response;
      assert.equal(mode.apply(request, hollow, U1), hollow);
    });

    test(`${mode.name}: Set-Cookie variants are kept exactly and never shared`, () => {
      const VARIANTS: readonly (readonly string[])[] = [
        ["csrftoken=abc; Path=/"],
        ["sessionid=fresh; HttpOnly; Path=/", "theme=dark"],
        ["isauthenticated=1; Path=/"],
        ["a=b, c=d; Expires=Wed, 21 Oct 2015 07:28:00 GMT"],
        [""],
        ["=nameless"],
        ["x=" + "y".repeat(8192)],
      ];
      for (const cookies of VARIANTS) {
        for (const path of ["/static/a.css", "/news/1", "/products/1", "/account/x", "/none"]) {
          for (const [identity, cookie] of [[U1, SIGNED_IN], [null, null]] as const) {
            for (const cacheControl of [null, "public, max-age=600", "no-cache", "private"]) {
              const make = () => {
                const headers = new Headers();
                for (const value of cookies) headers.append("Set-Cookie", value);
                if (cacheControl !== null) headers.set("cache-control", cacheControl);
                headers.set("x-accel-expires", "600");
                return new Response("page", { headers });
              };
              const before = make().headers.getSetCookie();
              const { headers } = visit(mode, { path, identity, cookie, response: make });
              const after = headers.getSetCookie();
              assert.deepEqual(after.slice(0, before.length), before);
              // Only the keyed mode's own marker may follow, never another cookie.
              for (const added of after.slice(before.length)) {
                assert.match(added, /^isauthenticated=/);
              }
              assertNotShared(mode.name, headers, `Set-Cookie ${JSON.stringify(cookies)}`, null);
            }
          }
        }
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// 5. Hostile requests and identities
// ---------------------------------------------------------------------------------------------

describe("hostile requests and identities", () => {
  for (const mode of MODES) {
    test(`${mode.name}: several Cookie headers`, () => {
      const JARS: readonly (readonly string[])[] = [
        ["sessionid=s3cr3t-u1", "isauthenticated=1"],
        ["sessionid=s3cr3t-u1; isauthenticated=1", "sessionid=s3cr3t-u2"],
        ["isauthenticated=1", "sessionid=s3cr3t-u1", "messages=m1"],
        ["sessionid=a", "SESSIONID=b", "isauthenticated=1"],
        ["", "sessionid=s3cr3t-u1; isauthenticated=1"],
      ];
      for (const lines of JARS) {
        for (const path of ["/account/x", "/products/1", "/news/1"]) {
          const { headers } = visit(mode, { path, identity: U1, cookie: lines });
          const cookieName = path === "/account/x" ? "sessionid" : "isauthenticated";
          assertNotShared(mode.name, headers, `${path} with ${JSON.stringify(lines)}`, cookieName);
          // Kept by the keyed cache only when nginx reads the identity cookie as cachewise did.
          if (mode.name === "keyed" && headers.get("x-accel-expires") !== null) {
            assert.notEqual(nginxCookie(lines, cookieName) ?? "", "", JSON.stringify(lines));
          }
        }
      }
    });

    test(`${mode.name}: identities that are not { id } objects are a TypeError on every page`, () => {
      // The caller's mistake (tests/mistakes_test.ts): thrown before anything is decided.
      const IDENTITIES: readonly unknown[] = [
        "u1",
        42,
        0,
        "",
        false,
        true,
        {},
        [],
        { id: 42 },
        { id: "" },
        {
          id: null,
        },
        Symbol("u1"),
        () => "u1",
        new Date(0),
      ];
      for (const identity of IDENTITIES) {
        for (const path of ["/account/x", "/products/1", "/news/1", "/static/a.css"]) {
          for (const cookie of [null, SIGNED_IN, "isauthenticated=1", "sessionid=s3cr3t-u1"]) {
            const request = requestOf({ path, cookie });
            assert.throws(
              () => mode.apply(request, new Response("x"), identity as null),
              TypeError,
            );
          }
        }
      }
    });
  }

  test("keyed: a marker lifetime function that throws on an odd identity sends the page uncached", () => {
    const mode = modeOf("keyed", {
      timeouts: TIMEOUTS,
      keyed: {
        ...KEYED,
        signInCookieAttributes: {
          maxAge: (identity) => {
            if (identity.id.startsWith("odd")) throw new Error(`no lifetime for ${identity.id}`);
            return 60;
          },
        },
      },
    });
    for (const identity of [{ id: "odd" }, { id: "odd-2", plan: "x" }]) {
      const { headers } = visit(mode, { path: "/products/1", identity, cookie: "sessionid=s" });
      assert.equal(headers.get("cache-control"), "private, no-cache");
      assert.equal(headers.get("x-accel-expires"), null);
    }
  });

  test("keyed: arbitrary Cookie headers never make apply() throw or share a page made for u1", () => {
    const mode = MODES[1]!;
    const piece = fc.oneof(
      fc.constantFrom(
        "sessionid=s3cr3t-u1",
        "SessionID=s3cr3t-u1",
        "sessionid=",
        "sessionid",
        "isauthenticated=1",
        "ISAUTHENTICATED=1",
        "messages=m1",
        'sessionid="s3cr3t-u1"',
        "x_sessionid=s3cr3t-u2",
        "_ga=GA1.2.3",
      ),
      fc.string({ unit: "binary-ascii", maxLength: 8 }),
    );
    const separator = fc.constantFrom("; ", ";", ", ", ",", " ", "=", ";;");
    fc.assert(
      fc.property(
        fc.array(fc.tuple(piece, separator), { maxLength: 6 }),
        fc.constantFrom("/account/x", "/products/1", "/news/1", "/static/a.css"),
        fc.constantFrom(null, U1),
        (parts, path, identity) => {
          const cookie = parts.map(([text, sep]) => text + sep).join("");
          let request: Request;
          try {
            request = new Request(ORIGIN + path, { headers: { cookie } });
          } catch {
            return; // not a header value a server would have received
          }
          const response = mode.apply(request, new Response("page"), identity);
          if (identity !== null && path !== "/static/a.css") {
            const cookieName = path === "/account/x" ? "sessionid" : "isauthenticated";
            assertNotShared(
              "keyed",
              response.headers,
              `${path} with ${JSON.stringify(cookie)}`,
              cookieName,
            );
          }
        },
      ),
      { numRuns: 10_000 },
    );
  });
});
