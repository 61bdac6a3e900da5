import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { CacheConfigError, type CacheHeadersOptions, type RulePattern } from "../mod.ts";
import { compileOptions } from "../src/decide/compile.ts";
import { comment, nginxString, regexpLiteral, vclString } from "../src/generate/escape.ts";
import { generateNginx } from "../src/generate/nginx.ts";
import { generateVcl } from "../src/generate/varnish.ts";
import { translatePattern, translateRegexpGroup } from "../src/generate/pattern_regexp.ts";
import { planProxy } from "../src/generate/plan.ts";
import { shapeOf } from "../src/match/specificity.ts";
import { URLPatternImpl } from "../src/match/url_pattern.ts";
import { requireDaemons, validateNginx, validateVcl } from "./testdata/daemons.ts";

const PATTERNS: readonly URLPatternInit[] = [
  ...[
    "/",
    "/about",
    "/static/*",
    "/products/:id",
    "/products/:id(\\d+)",
    "/blog/:slug?",
    "/files/:path*",
    "/files/:path+",
    "/a/{b}?c",
    "{/:lang}?/docs",
    "/*.css",
    "/a.b/c",
    "/:a-:b",
    "/x/(\\d+)",
    "/list/:ids([0-9,]+)",
    "/w/:w(\\w{2,3})",
    "/q/:q([a-z\\-]+)",
    "/n/:n([^\\/]+?)",
    "/u/:u(a|b|(?:cd)+)",
    "/m/:m(.*)",
    "/semi;colon/*",
    "/\\{brace\\}/*",
    "/dollar$/x",
    "/d/:d(\\D\\S\\W)",
    "/o/:o([^a-c.]{1,})",
  ].map((pathname) => ({ pathname })),
  { hostname: "shop.example.com", pathname: "/cart" },
  { hostname: ":sub.example.com", pathname: "/*" },
  { hostname: "*.example.com", pathname: "/x/:id" },
  { hostname: "{www.}?example.com", pathname: "/" },
];

const PATHS = [
  "/",
  "/about",
  "/about/",
  "/static",
  "/static/",
  "/static/a.css",
  "/products/1",
  "/products/abc",
  "/products/1/2",
  "/blog",
  "/blog/",
  "/blog/x",
  "/files",
  "/files/a/b",
  "/a/bc",
  "/a/c",
  "/a/bbc",
  "/docs",
  "/en/docs",
  "/en/fr/docs",
  "/x.css",
  "/a/b.css",
  "/a.b/c",
  "/axb/c",
  "/x-y",
  "/x-y-z",
  "/x/12",
  "/x/1a",
  "/list/1,2",
  "/w/ab",
  "/w/abcd",
  "/q/a-b",
  "/q/A",
  "/n/x",
  "/n/x/y",
  "/u/a",
  "/u/cdcd",
  "/u/c",
  "/m/anything/here",
  "/semi;colon/x",
  "/{brace}/x",
  "/%7Bbrace%7D/x",
  "/dollar$/x",
  "/d/a b",
  "/d/x-!",
  "/o/xyz",
  "/o/ab",
  "/cart",
  "/x/7",
];
const HOSTS = [
  "shop.example.com",
  "a.example.com",
  "example.com",
  "www.example.com",
  "a.b.example.com",
  "localhost",
];

describe("URLPatterns become anchored regular expressions that match exactly the same URLs", () => {
  for (const init of PATTERNS) {
    test(`${JSON.stringify(init)} agrees with URLPattern on every sample URL`, () => {
      const pattern = new URLPatternImpl(init);
      const { regexp, host } = translatePattern(shapeOf(pattern));
      const compiled = new RegExp(regexp);
      const disagreements: string[] = [];
      for (const hostname of HOSTS) {
        for (const path of PATHS) {
          const url = new URL(`http://${hostname}${path}`);
          const subject = host ? url.hostname + url.pathname : url.pathname;
          if (compiled.test(subject) !== pattern.test(url.href)) {
            disagreements.push(`${url.href}: regexp ${compiled.test(subject)}`);
          }
        }
      }
      assert.deepEqual(disagreements, [], regexp);
    });
  }

  test("the query string never takes part: the proxy matches the path alone", () => {
    const { regexp } = translatePattern(shapeOf(new URLPatternImpl({ pathname: "/a" })));
    assert.equal(regexp, "^/a$");
  });

  test("a host pattern cannot reach into the path", () => {
    const { regexp } = translatePattern(
      shapeOf(new URLPatternImpl({ hostname: "*.example.com", pathname: "/*" })),
    );
    assert.doesNotMatch("localhost/a.example.com/x", new RegExp(regexp));
  });
});

describe("regexp groups are copied only within the common subset", () => {
  const accepted: readonly [string, string][] = [
    ["\\d+", "\\d+"],
    ["[a-z]{2,3}?", "[a-z]{2,3}?"],
    ["(?:ab|cd)*", "(?:ab|cd)*"],
    ["[^/.]+", "[^\\x2f\\x2e]+"],
    ["a\\.b\\/c\\$", "a\\x2eb\\x2fc\\x24"],
    ["[-a]", "[\\x2da]"],
  ];
  for (const [source, expected] of accepted) {
    test(`(${source}) becomes (${expected})`, () => {
      assert.equal(translateRegexpGroup(source), expected);
    });
  }
  const refused = [
    "^a",
    "a$",
    "\\1",
    "\\k<x>",
    "\\u0041",
    "\\x41",
    "\\p{L}",
    "(?=a)",
    "(?<n>a)",
    "a{2",
    "a{3,2}",
    "[[a]]",
    "[a&&b]",
    '["]',
    "a'",
    "a;b",
    "a}",
    "a b",
    "*a",
    "a)(",
  ];
  for (const source of refused) {
    test(`(${source}) is refused`, () => {
      assert.throws(() => translateRegexpGroup(source), TypeError);
    });
  }
});

describe("one escaping helper for every interpolated value", () => {
  test("regexpLiteral leaves no quote, brace, semicolon, dollar, hash or space", () => {
    const literal = regexpLiteral(`/a"b;c}d{e$f#g h'i\`j|k^l\\m`);
    assert.doesNotMatch(literal, /["';{}$#` |^]/);
    assert.ok(new RegExp(`^${literal}$`).test(`/a"b;c}d{e$f#g h'i\`j|k^l\\m`));
  });

  test("regexpLiteral refuses control and non-ASCII characters", () => {
    assert.throws(() => regexpLiteral("/a\nb"), TypeError);
    assert.throws(() => regexpLiteral("/é"), TypeError);
  });

  test("vclString refuses what a VCL string cannot hold", () => {
    for (const value of ['a"b', "a\nb", "a\rb", "é"]) {
      assert.throws(() => vclString(value), TypeError, JSON.stringify(value));
    }
    assert.equal(vclString("^/a\\x22$"), '"^/a\\x22$"');
  });

  test("nginxString escapes quotes and backslashes and refuses $ where nginx expands it", () => {
    assert.equal(nginxString('a"b\\c', false), '"a\\"b\\\\c"');
    assert.throws(() => nginxString("a\nb", false), TypeError);
    assert.throws(() => nginxString("$host", true), TypeError);
    assert.equal(nginxString("~^/a$", false), '"~^/a$"');
  });

  test("comment keeps a comment on its line", () => {
    assert.equal(comment("x\ny\r\u2028z"), "x?y??z");
  });
});

/** Patterns that try to break out of the generated configuration. */
const HOSTILE: readonly RulePattern[] = [
  '/x";return(pass);/*',
  "/a;b\\}/c",
  "/\\{x\\}/*",
  "/$host/*",
  "/q'\\\\`|^/*",
  "/a#b/*",
  "/sp ace/:id",
  "/end\\}\\}/*",
];
const HOSTILE_OPTIONS: CacheHeadersOptions = {
  timeouts: { "per-user": { 60: HOSTILE } },
  keyed: { sessionCookie: "sessionid" },
};

describe("injection attempts are escaped or refused, never obeyed", () => {
  test("hostile patterns become one rule each, matching only their own literal path", () => {
    const plan = planProxy(compileOptions(HOSTILE_OPTIONS));
    assert.equal(plan.routes.length, HOSTILE.length);
    for (const route of plan.routes) {
      assert.doesNotMatch(route.regexp.slice(0, -1), /["';{}$#` ]/, route.regexp);
    }
    const vcl = generateVcl(HOSTILE_OPTIONS, { backend: "127.0.0.1:8080" });
    assert.equal(vcl.match(/set req\.http\.X-Cachewise-Class = "user";/g)?.length, HOSTILE.length);
    assert.equal(vcl.match(/^\s*return \(hash\);$/gm)?.length, 1);
    const conf = generateNginx(HOSTILE_OPTIONS, {
      backend: "127.0.0.1:8080",
      listen: "8000",
      cacheDir: "/var/cache/cachewise",
    });
    assert.equal(conf.match(/^\s*"~\^[^\n]*" user;$/gm)?.length, HOSTILE.length);
    const url = new URL('http://h/x";returnpass;/y');
    const first = plan.routes.find((route) => route.describe.includes("return"));
    assert.ok(first !== undefined && new RegExp(first.regexp).test(url.pathname));
  });

  test("the real tools accept the configuration generated from hostile patterns", (t) => {
    const found = requireDaemons(t, ["varnishd", "nginx"]);
    if (found === null) return;
    const vcl = validateVcl(found.varnishd!, () => ({
      main: generateVcl(HOSTILE_OPTIONS, { backend: "127.0.0.1:8080" }),
    }));
    assert.ok(vcl.ok, vcl.output);
    const nginx = validateNginx(found.nginx!, (dir) => ({
      main: generateNginx(HOSTILE_OPTIONS, {
        backend: "127.0.0.1:8080",
        listen: "8000",
        cacheDir: join(dir, "cache"),
      }),
    }));
    assert.ok(nginx.ok, nginx.output);
  });

  test("a newline in a pattern or a cookie name is refused before any text is written", () => {
    for (
      const options of [
        { timeouts: { "all-users": { 60: ["/a\n}"] } } },
        { timeouts: { "all-users": { 60: [{ hostname: "a\n.com", pathname: "/" }] } } },
        { timeouts: {}, keyed: { sessionCookie: "s\nid" } },
        { timeouts: {}, keyed: { sessionCookie: 's"id' } },
      ] as CacheHeadersOptions[]
    ) {
      assert.throws(() => generateVcl(options, { backend: "127.0.0.1:8080" }), CacheConfigError);
      assert.throws(
        () => generateNginx(options, { snippet: true, cacheDir: "/var/cache/cachewise" }),
        CacheConfigError,
      );
    }
  });
});
