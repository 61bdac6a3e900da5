/**
 * Option `cdn`: the headers each platform gets, what `decide/edge.ts` promises per policy and
 * audience checked against the platform models (tests/_platform_models.ts), the table at the top
 * of docs/cdns.md generated from the same promises, configuration errors, and what
 * `cachewise explain` and `cachewise check` say.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { CacheConfigError, cacheHeaders, type CacheHeadersOptions, type CdnName } from "../mod.ts";
import { edgeOutcome } from "../src/decide/edge.ts";
import { CDN_NAMES, PLATFORMS } from "../src/headers/platforms.ts";
import { checkOptions } from "../src/cli/check.ts";
import { explainUrl, formatExplanation } from "../src/cli/explain.ts";
import { EdgeCache, PLATFORM_MODELS, type PlatformModel } from "./_platform_models.ts";

const POLICIES = [
  "all-users",
  "anonymous-only",
  "anonymous-and-authenticated",
  "per-user",
] as const;
type PolicyName = typeof POLICIES[number];
const KEYED = { sessionCookie: "sessionid" } as const;
const IDENTITY_HEADERS = ["Cookie", "Authorization"];

function get(apply: ReturnType<typeof cacheHeaders>, user: string | null): Headers {
  const cookie = user === null ? {} : { cookie: `sessionid=s-${user}; isauthenticated=1` };
  const request = new Request("https://shop.example/p", { headers: cookie });
  return apply(request, new Response("page"), user === null ? null : { id: user }).headers;
}

function single(policy: PolicyName, cdn: CdnName, keyed: boolean): CacheHeadersOptions {
  return { cdn, timeouts: { [policy]: { 60: ["/p"] } }, ...(keyed ? { keyed: KEYED } : {}) };
}

describe("option cdn: the headers", () => {
  test("adds the platform's lifetime field and tag header to targets and tagHeaders", () => {
    for (const cdn of CDN_NAMES) {
      const apply = cacheHeaders({
        cdn,
        rules: [{ pattern: "/p", policy: "all-users", ttl: 60, tags: ["page"] }],
      });
      const headers = get(apply, null);
      const { target, tagHeader } = PLATFORMS[cdn];
      if (target === "s-maxage") assert.match(headers.get("cache-control")!, /s-maxage=60/);
      else assert.equal(headers.get(target), "max-age=60", cdn);
      assert.equal(headers.get(tagHeader), "page", cdn);
      assert.equal(headers.get("x-accel-expires"), "60", `${cdn}: the default targets stay`);
    }
  });

  test("where the edge refuses or ignores Vary: Cookie, an anonymous page is kept from it", () => {
    const expected: Readonly<Record<CdnName, readonly [string, string | null]>> = {
      "deno-deploy": ["deno-cdn-cache-control", "max-age=60"],
      "netlify": ["netlify-cdn-cache-control", "max-age=60"],
      "fastly": ["surrogate-control", "max-age=60"],
      "vercel": ["vercel-cdn-cache-control", "no-store"],
      "cloudflare": ["cloudflare-cdn-cache-control", "no-store"],
      "akamai": ["cache-control", "private, max-age=5"],
    };
    for (const cdn of CDN_NAMES) {
      const headers = get(cacheHeaders(single("anonymous-only", cdn, false)), null);
      const [name, value] = expected[cdn];
      assert.equal(headers.get(name), value, cdn);
      assert.equal(headers.get("vary"), "Cookie, Authorization", cdn);
    }
  });

  test("Netlify in keyed mode keys by Netlify-Vary alone, browsers revalidate", () => {
    const cases: readonly [PolicyName, string | null, string | null][] = [
      ["anonymous-only", null, "cookie=isauthenticated"],
      ["anonymous-only", "u1", null],
      ["anonymous-and-authenticated", null, "cookie=isauthenticated"],
      ["anonymous-and-authenticated", "u1", "cookie=isauthenticated"],
      ["per-user", null, "cookie=sessionid"],
      ["per-user", "u1", "cookie=sessionid"],
    ];
    for (const [policy, user, netlifyVary] of cases) {
      const headers = get(cacheHeaders(single(policy, "netlify", true)), user);
      const label = `${policy} ${user ?? "anonymous"}`;
      assert.equal(headers.get("netlify-vary"), netlifyVary, label);
      assert.equal(headers.get("cache-control"), "private, no-cache", label);
      assert.equal(
        headers.get("netlify-cdn-cache-control"),
        netlifyVary === null ? null : "max-age=60",
        label,
      );
      assert.equal(
        headers.get("vary"),
        netlifyVary === null ? "Cookie, Authorization" : "Authorization",
      );
      assert.equal(headers.get("x-accel-expires"), null, label);
      assert.equal(headers.get("x-hash-cookies"), null, label);
    }
  });

  test("Netlify in keyed mode stores nothing for a request whose cookies disagree", () => {
    const apply = cacheHeaders(single("per-user", "netlify", true));
    const forged = new Request("https://shop.example/p", {
      headers: { cookie: "isauthenticated=1" },
    });
    const headers = apply(forged, new Response("page"), null).headers;
    assert.equal(headers.get("cache-control"), "private, no-cache");
    assert.equal(headers.get("netlify-cdn-cache-control"), null);
    assert.equal(headers.get("netlify-vary"), null);
  });

  test("a custom policy's shared page is kept from an edge that ignores Vary", () => {
    const options = (cdn: CdnName): CacheHeadersOptions => ({
      cdn,
      policies: { mine: () => ({ cacheControl: { sMaxage: 60, maxAge: 5 } }) },
      timeouts: { mine: { 60: ["/p"] } },
    });
    assert.equal(
      get(cacheHeaders(options("cloudflare")), null).get("cloudflare-cdn-cache-control"),
      "no-store",
    );
    assert.equal(
      get(cacheHeaders(options("akamai")), null).get("cache-control"),
      "private, max-age=5",
    );
    assert.equal(get(cacheHeaders(options("fastly")), null).get("surrogate-control"), "max-age=60");
  });

  test("a custom policy may not set Netlify-Vary", () => {
    const apply = cacheHeaders({
      cdn: "netlify",
      onError: () => {},
      policies: {
        mine: () => ({ cacheControl: { private: true }, headers: { "Netlify-Vary": "query" } }),
      },
      timeouts: { mine: { 60: ["/p"] } },
    });
    const decision = apply.explain(new Request("https://shop.example/p"), new Response("x"));
    assert.equal(decision.reason, "error");
  });
});

describe("option cdn: configuration errors", () => {
  const problemsOf = (options: CacheHeadersOptions): string[] => {
    try {
      cacheHeaders(options);
    } catch (error) {
      assert.ok(error instanceof CacheConfigError);
      return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
    }
    return [];
  };

  test("an unknown platform is refused, naming the known ones", () => {
    assert.deepEqual(problemsOf({ cdn: "cloudfront" as CdnName }), [
      'cdn: Option "cdn" must be one of "deno-deploy", "netlify", "vercel", "cloudflare", ' +
      '"fastly", "akamai", not "cloudfront"',
    ]);
  });

  test("keyed mode is refused where the platform cannot key on a cookie", () => {
    for (const cdn of ["deno-deploy", "vercel", "cloudflare", "fastly", "akamai"] as const) {
      const [problem] = problemsOf({ cdn, keyed: KEYED });
      assert.match(
        problem ?? "",
        new RegExp(`^keyed: Option "keyed" cannot be used with cdn "${cdn}"`),
      );
    }
    assert.deepEqual(problemsOf({ cdn: "netlify", keyed: KEYED, targets: ["s-maxage"] }), []);
  });

  test("a cookie name Netlify-Vary cannot carry is refused", () => {
    assert.deepEqual(problemsOf({ cdn: "netlify", keyed: { sessionCookie: "a|b" } }), [
      'keyed: Cookie name "a|b" in "keyed" cannot be written into Netlify-Vary, which separates names with "|"',
    ]);
  });
});

/** The model of each platform as option `cdn` names it (Akamai as documented by default). */
function modelOf(cdn: CdnName): PlatformModel {
  return PLATFORM_MODELS.find((model) => model.cdn === cdn)!;
}

/**
 * Whether the second of two visitors of the audience is served from the model's edge: anonymous
 * visitors without cookies; signed-in visitors the same user for per-user pages, another user
 * for the rest; all-users pages an anonymous visitor, then a signed-in one.
 */
function servedFromEdge(
  policy: PolicyName,
  cdn: CdnName,
  keyed: boolean,
  signedIn: boolean,
): boolean {
  const apply = cacheHeaders(single(policy, cdn, keyed));
  const edge = new EdgeCache(modelOf(cdn), "first");
  const request = (user: string | null) =>
    new Request("https://shop.example/p", {
      headers: user === null ? {} : { cookie: `sessionid=s-${user}; isauthenticated=1` },
    });
  const first = signedIn && policy !== "all-users" ? "u1" : null;
  const second = !signedIn ? null : policy === "per-user" ? "u1" : "u2";
  edge.store(
    request(first),
    apply(request(first), new Response("page"), first && { id: first }),
    "x",
  );
  return edge.lookup(request(second)).length > 0;
}

describe("what decide/edge.ts promises is what the platform models do", () => {
  for (const cdn of CDN_NAMES) {
    for (const keyed of cdn === "netlify" ? [false, true] : [false]) {
      test(`${cdn}${keyed ? " (keyed)" : ""}: cached exactly where promised`, () => {
        for (const policy of POLICIES) {
          for (const audience of ["anonymous", "signed-in"] as const) {
            const rule = { policy, lifetime: 60, custom: false };
            const promised = edgeOutcome(
              cdn,
              keyed
                ? {
                  ...KEYED,
                  signInCookie: "isauthenticated",
                  keyCookies: [],
                  attributes: {},
                  onForgedSignIn: "uncached",
                }
                : null,
              IDENTITY_HEADERS,
              rule,
              audience,
            );
            assert.equal(
              servedFromEdge(policy, cdn, keyed, audience === "signed-in"),
              promised.cached,
              `${policy}, ${audience}: ${promised.text}`,
            );
          }
        }
      });
    }
  }
});

/** The table at the top of docs/cdns.md, from what decide/edge.ts promises. */
function edgeTable(): string {
  const keyedConfig = {
    ...KEYED,
    signInCookie: "isauthenticated",
    keyCookies: [],
    attributes: {},
    onForgedSignIn: "uncached" as const,
  };
  const rows: [CdnName, boolean][] = CDN_NAMES.flatMap((cdn): [CdnName, boolean][] =>
    cdn === "netlify" ? [[cdn, false], [cdn, true]] : [[cdn, false]]
  );
  const cell = (cached: boolean) => cached ? "edge" : "—";
  const lines = [
    `| platform | ${POLICIES.map((policy) => `\`${policy}\``).join(" | ")} |`,
    `| --- | ${POLICIES.map(() => "---").join(" | ")} |`,
  ];
  for (const [cdn, keyed] of rows) {
    const cells = POLICIES.map((policy) => {
      const rule = { policy, lifetime: 60, custom: false };
      const outcome = (audience: "anonymous" | "signed-in") =>
        edgeOutcome(cdn, keyed ? keyedConfig : null, IDENTITY_HEADERS, rule, audience).cached;
      return `${cell(outcome("anonymous"))} / ${cell(outcome("signed-in"))}`;
    });
    const name = `${PLATFORMS[cdn].title}${keyed ? " + `keyed`" : ""}`;
    lines.push(`| ${name} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** A Markdown table's cells, trimmed, with separator rows as "---" (deno fmt pads both). */
function cellsOf(table: string): string[][] {
  return table.split("\n").map((line) =>
    line.trim().replace(/^\||\|$/g, "").split("|").map((cell) => {
      const text = cell.trim();
      return /^-+$/.test(text) ? "---" : text;
    })
  );
}

describe("docs/cdns.md", () => {
  test("the table at the top is the one decide/edge.ts gives", () => {
    const doc = readFileSync(new URL("../docs/cdns.md", import.meta.url), "utf8");
    const start = doc.indexOf("<!-- edge-table -->");
    const end = doc.indexOf("<!-- /edge-table -->");
    assert.ok(start >= 0 && end > start, "markers around the table");
    const table = doc.slice(start + "<!-- edge-table -->".length, end).trim();
    assert.deepEqual(
      cellsOf(table),
      cellsOf(edgeTable()),
      `docs/cdns.md should hold:\n${edgeTable()}`,
    );
  });
});

describe("cachewise explain and check with option cdn", () => {
  const options: CacheHeadersOptions = {
    cdn: "vercel",
    timeouts: { "all-users": { 3600: ["/static/*"] }, "anonymous-only": { 300: ["/news/*"] } },
  };

  test("explain tells, per audience, what the platform does with the deciding rule's pages", () => {
    const settings = {
      url: "http://localhost/news/1",
      user: "ann",
      method: "GET",
      status: 200,
      json: false,
    };
    const explanation = explainUrl(options, settings);
    assert.equal(
      explanation.edge?.anonymous.text,
      "not cached at the edge: Vercel does not store responses that vary on Cookie",
    );
    const text = formatExplanation(explanation, false);
    assert.match(text, /Edge \(Vercel; a hit shows as x-vercel-cache: HIT\):/);
    assert.match(
      text,
      /signed-in: not cached at the edge: signed-in visitors get the page uncached/,
    );
    const keyed = explainUrl({
      cdn: "netlify",
      keyed: KEYED,
      timeouts: { "per-user": { 60: ["/*"] } },
    }, settings);
    assert.equal(
      keyed.edge?.signedIn.text,
      "cached at the edge for each signed-in visitor, keyed on cookie sessionid",
    );
    assert.equal(
      keyed.edge?.anonymous.text,
      "cached at the edge for anonymous visitors, keyed on cookie sessionid",
    );
  });

  test("check warns for a rule that gets no edge caching, and says what each rule gets", () => {
    const findings = checkOptions(options);
    const edge = findings.filter((f) => f.code === "no-edge-caching" || f.code === "edge");
    assert.deepEqual(edge.map((f) => [f.level, f.code, f.path]), [
      ["warning", "no-edge-caching", 'timeouts["anonymous-only"]["300"][0]'],
      ["info", "edge", 'timeouts["all-users"]["3600"][0]'],
    ]);
    assert.match(edge[0]!.message, /anonymous: not cached at the edge: Vercel does not store/);
    assert.deepEqual(
      checkOptions({ timeouts: options.timeouts! }).filter((f) => f.code === "edge"),
      [],
    );
    const zero = checkOptions({ cdn: "vercel", timeouts: { "per-user": { 0: ["/live"] } } });
    assert.deepEqual(zero.filter((f) => f.code === "no-edge-caching"), []);
  });
});
