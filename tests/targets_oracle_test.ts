/**
 * Rule settings and targets checked against oracles that do not come from cachewise:
 *
 * - `http-cache-semantics` (RFC 9111, with RFC 5861 `stale-while-revalidate`/`stale-if-error`
 *   and RFC 8246 `immutable` as that library implements them) on a shared and a private cache,
 *   with a clock the test moves: how long each cache keeps a page, when it turns stale, when a
 *   stale copy may still be served.
 * - A model, written here, of caches that read targeted fields first (RFC 9213 §2.1 and the
 *   vendors' documented precedence): a cache that finds one of its fields uses it and ignores
 *   `Cache-Control` entirely, `no-store` or `private` there means "not stored", a positive
 *   `X-Accel-Expires` overrides nginx's reading of `Cache-Control`. The models are the worst case
 *   for leaks: they key on the URL alone and store responses with `Set-Cookie` or to requests
 *   with `Authorization` (Cloudflare "cache everything", nginx `proxy_ignore_headers`), so only
 *   what cachewise writes stands between a page and the wrong visitor.
 *
 * Expectations come from the configuration and the standards: the rule's lifetime, its per-target
 * lifetimes, its statuses, the audience the page was made for. In part 2 a third of the rules name
 * a custom policy (`CUSTOM_RESULTS` in _cache_models.ts), whose own result says what a shared
 * cache may keep: `{ noCache: true, maxAge: 60 }` must get no targeted lifetime at all.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import CachePolicy from "http-cache-semantics";
import { CacheConfigError, cacheHeaders, type CacheHeadersOptions } from "../mod.ts";
import {
  cacheRequestOf,
  type CacheResponse,
  CUSTOM_POLICIES,
  CUSTOM_POLICY_NAMES,
  type CustomPolicyName,
  customSharedLifetime,
  downstreamResponseOf,
  isCustomPolicy,
  POLICIES,
  type PolicyName,
  type Target,
  TARGETS,
} from "./_cache_models.ts";

// ---------------------------------------------------------------------------------------------
// Shared vocabulary
// ---------------------------------------------------------------------------------------------

/** Targets carried in a header of their own (all but `s-maxage`, which is in Cache-Control). */
type TargetedField = Exclude<Target, "s-maxage">;
const TARGETED_FIELDS: readonly TargetedField[] = TARGETS.filter(
  (target): target is TargetedField => target !== "s-maxage",
);

/** Statuses a rule may opt in to (RFC 9110 §15.1's heuristically cacheable ones, less 200/206/501). */
const OPTIONAL_STATUSES = [203, 204, 300, 301, 308, 404, 405, 410, 414] as const;

/** A lifetime written as seconds or as a duration such as "1d2h3s", so both spellings are read. */
function spell(seconds: number, asDuration: boolean): number | string {
  if (!asDuration) return seconds;
  if (seconds === 0) return "0s";
  const units: [string, number][] = [["d", 86_400], ["h", 3_600], ["m", 60], ["s", 1]];
  let rest = seconds;
  let text = "";
  for (const [unit, size] of units) {
    const amount = Math.floor(rest / size);
    if (amount > 0) text += `${amount}${unit}`;
    rest -= amount * size;
  }
  return text;
}

const positiveLifetimeArb: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(1, 5, 59, 60, 300, 3_600, 86_400, 31_536_000),
  fc.integer({ min: 1, max: 100_000_000 }),
);
const lifetimeArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 6, arbitrary: positiveLifetimeArb },
);
const browserSecondsArb: fc.Arbitrary<number> = fc.constantFrom(0, 1, 5, 60, 3_600, 31_536_000);
/** A rule's own `browserSeconds`, or `null` to leave the option's. */
const ruleBrowserSecondsArb: fc.Arbitrary<number | null> = fc.option(browserSecondsArb, {
  nil: null,
});

/**
 * The runtime's own URLPattern (Deno, Bun), used to hand rules prebuilt patterns: constructing
 * one costs Deno about 1 ms, more than the rest of a `cacheHeaders()` call. Node 20 has none.
 */
const NativeURLPattern = (globalThis as { URLPattern?: typeof URLPattern }).URLPattern;
const prebuiltPatterns = new Map<string, URLPattern>();
function patternOf(pathname: string, prebuilt: boolean): string | URLPattern {
  if (!prebuilt || NativeURLPattern === undefined) return pathname;
  let pattern = prebuiltPatterns.get(pathname);
  if (pattern === undefined) {
    pattern = new NativeURLPattern({ pathname });
    prebuiltPatterns.set(pathname, pattern);
  }
  return pattern;
}

const ORIGIN = "https://shop.example";
/** Per-test time limit for the properties: Bun's default of 5 s is tight on a loaded machine. */
const SLOW = { timeout: 120_000 };

/** Directives of a Cache-Control or targeted field, names lower-cased, quotes removed. */
function directivesOf(value: string | null): Map<string, string | true> {
  const directives = new Map<string, string | true>();
  if (value === null) return directives;
  for (const part of value.split(",")) {
    const equals = part.indexOf("=");
    const name = (equals < 0 ? part : part.slice(0, equals)).trim().toLowerCase();
    if (name === "" || directives.has(name)) continue; // The first counts (RFC 9111 §4.2.1).
    directives.set(name, equals < 0 ? true : part.slice(equals + 1).trim().replace(/^"|"$/g, ""));
  }
  return directives;
}

/** A directive's number of seconds, or `null` when absent or not a number. */
function secondsOf(directives: Map<string, string | true>, name: string): number | null {
  const value = directives.get(name);
  return typeof value === "string" && /^\d+$/.test(value) ? Number(value) : null;
}

// ---------------------------------------------------------------------------------------------
// Part 1: freshness, stale-while-revalidate, stale-if-error, immutable (http-cache-semantics)
// ---------------------------------------------------------------------------------------------

/** The test's clock, in milliseconds, read by every cache policy built below. */
let clock = 0;

/** http-cache-semantics with the test's clock, so that a stored response can be aged at will. */
class ClockedPolicy extends CachePolicy {
  override now(): number {
    return clock;
  }
}

interface FreshnessCase {
  readonly policy: PolicyName;
  readonly ttl: number;
  /** The rule's own `browserSeconds`, or `null` for the option's. */
  readonly ruleBrowserSeconds: number | null;
  /** Option `browserSeconds`. */
  readonly browserSeconds: number;
  readonly staleWhileRevalidate: number | null;
  readonly staleIfError: number | null;
  readonly immutable: boolean;
  /** Whether option `targets` includes `s-maxage` (the default does). */
  readonly sMaxage: boolean;
  /** The rule's `targets["s-maxage"]`, when `sMaxage`. */
  readonly sMaxageLifetime: number | null;
  /** Statuses the rule opts in to, with their lifetimes. */
  readonly statuses: readonly (readonly [number, number])[];
  readonly asDuration: boolean;
  readonly prebuilt: boolean;
}

const extensionArb = fc.option(
  fc.oneof(fc.constantFrom(1, 30, 60, 86_400), fc.integer({ min: 1, max: 10_000_000 })),
  { nil: null },
);

const freshnessCaseArb: fc.Arbitrary<FreshnessCase> = fc.record({
  policy: fc.constantFrom(...POLICIES),
  ttl: positiveLifetimeArb,
  ruleBrowserSeconds: ruleBrowserSecondsArb,
  browserSeconds: browserSecondsArb,
  staleWhileRevalidate: extensionArb,
  staleIfError: extensionArb,
  immutable: fc.boolean(),
  sMaxage: fc.constantFrom(true, true, true, false),
  sMaxageLifetime: fc.option(positiveLifetimeArb, { nil: null }),
  statuses: fc.uniqueArray(
    fc.tuple(fc.constantFrom(404, 410, 301, 203), lifetimeArb),
    { maxLength: 2, selector: ([status]) => status },
  ),
  asDuration: fc.boolean(),
  prebuilt: fc.boolean(),
}).map((generated) => {
  // RFC 5861 and RFC 8246 settings are for pages the same for everybody only (a construction
  // error elsewhere, checked in its own test below).
  const decorated = generated.policy === "all-users";
  return {
    ...generated,
    staleWhileRevalidate: decorated ? generated.staleWhileRevalidate : null,
    staleIfError: decorated ? generated.staleIfError : null,
    immutable: decorated && generated.immutable,
    sMaxageLifetime: generated.sMaxage ? generated.sMaxageLifetime : null,
  };
});

function freshnessOptions(c: FreshnessCase): CacheHeadersOptions {
  const d = c.asDuration;
  return {
    browserSeconds: spell(c.browserSeconds, d),
    targets: c.sMaxage ? ["s-maxage", "x-accel-expires"] : ["x-accel-expires"],
    rules: [{
      pattern: patternOf("/p/:id", c.prebuilt),
      policy: c.policy,
      ttl: spell(c.ttl, d),
      ...(c.ruleBrowserSeconds === null ? {} : { browserSeconds: spell(c.ruleBrowserSeconds, d) }),
      ...(c.staleWhileRevalidate === null
        ? {}
        : { staleWhileRevalidate: spell(c.staleWhileRevalidate, d) }),
      ...(c.staleIfError === null ? {} : { staleIfError: spell(c.staleIfError, d) }),
      ...(c.immutable ? { immutable: true } : {}),
      ...(c.sMaxageLifetime === null
        ? {}
        : { targets: { "s-maxage": spell(c.sMaxageLifetime, d) } }),
      ...(c.statuses.length === 0
        ? {}
        : { statuses: Object.fromEntries(c.statuses.map(([s, l]) => [s, spell(l, d)])) }),
    }],
  };
}

type Who = "anonymous" | "signed-in" | "anonymous with Authorization";

function freshnessRequest(who: Who): Request {
  const headers = new Headers();
  if (who === "signed-in") headers.set("cookie", "sessionid=s3cr3t");
  if (who === "anonymous with Authorization") headers.set("authorization", "Bearer expired");
  return new Request(`${ORIGIN}/p/42`, { headers });
}

interface Stored {
  readonly shared: ClockedPolicy;
  readonly browser: ClockedPolicy;
  readonly cacheControl: Map<string, string | true>;
  readonly request: ReturnType<typeof cacheRequestOf>;
}

/** What cachewise writes for one visitor and status, stored at time 0 in both kinds of cache. */
function store(
  apply: ReturnType<typeof cacheHeaders>,
  who: Who,
  status: number,
  asStatus = status,
): Stored {
  const request = freshnessRequest(who);
  const nullBody = status === 204 || status === 304;
  const response = apply(
    request,
    new Response(nullBody ? null : "page", { status }),
    who === "signed-in" ? { id: "u1" } : null,
  );
  const seen: CacheResponse = {
    ...downstreamResponseOf(status, response.headers, false),
    status: asStatus,
  };
  const lookup = cacheRequestOf(request);
  clock = 0;
  return {
    shared: new ClockedPolicy(lookup, seen, { shared: true }),
    browser: new ClockedPolicy(lookup, seen, { shared: false }),
    cacheControl: directivesOf(response.headers.get("cache-control")),
    request: lookup,
  };
}

/**
 * Walks a stored response through time: fresh before `lifetime`, then served stale while it is
 * revalidated in the background for `swr` more seconds (RFC 5861 §3), then a miss; usable on an
 * origin error until `lifetime + sie` (RFC 5861 §4). Checked at every boundary and one more
 * random instant.
 */
function walkThroughTime(
  label: string,
  policy: ClockedPolicy,
  request: Stored["request"],
  lifetime: number,
  swr: number,
  sie: number,
  extra: number,
): void {
  assert.equal(
    policy.timeToLive(),
    (lifetime + Math.max(swr, sie)) * 1000,
    `${label}: time to live`,
  );
  const horizon = lifetime + Math.max(swr, sie) + 2;
  const instants = new Set([0, lifetime - 1, lifetime, lifetime + swr - 1, lifetime + swr]);
  for (const t of [lifetime + sie - 1, lifetime + sie, extra % horizon]) instants.add(t);
  for (const t of instants) {
    if (t < 0) continue;
    clock = t * 1000;
    const fresh = t < lifetime;
    assert.equal(policy.stale(), !fresh, `${label}: stale() at ${t} s`);
    const result = policy.evaluateRequest(request);
    if (fresh) {
      assert.ok(
        result.response !== undefined && result.revalidation === undefined,
        `${label}: fresh hit at ${t} s`,
      );
    } else if (t < lifetime + swr) {
      assert.ok(result.response !== undefined, `${label}: stale-while-revalidate hit at ${t} s`);
      assert.equal(
        result.revalidation?.synchronous,
        false,
        `${label}: background revalidation at ${t} s`,
      );
    } else {
      assert.equal(result.response, undefined, `${label}: miss at ${t} s`);
    }
    assert.equal(
      policy._useStaleIfError(),
      t < lifetime + sie,
      `${label}: stale-if-error at ${t} s`,
    );
  }
  clock = 0;
}

/** Asserts that no cache may reuse what was written: kept for nothing, stale at once. */
function assertNeverFresh(label: string, stored: Stored): void {
  for (const [kind, policy] of [["shared", stored.shared], ["browser", stored.browser]] as const) {
    assert.equal(policy.maxAge(), 0, `${label}: ${kind} cache keeps it`);
    assert.equal(policy.timeToLive(), 0, `${label}: ${kind} cache may serve it stale`);
  }
}

describe("rule settings against http-cache-semantics", () => {
  test(
    "freshness: shared lifetime + max(swr, sie); browsers min(browserSeconds, ttl); immutable on all-users 200s only",
    SLOW,
    () => {
      let staleServed = 0;
      fc.assert(
        fc.property(freshnessCaseArb, fc.nat(), (c, extra) => {
          const apply = cacheHeaders(freshnessOptions(c));
          const swr = c.staleWhileRevalidate ?? 0;
          const sie = c.staleIfError ?? 0;
          const browserSeconds = c.ruleBrowserSeconds ?? c.browserSeconds;
          const everybody = c.policy === "all-users";

          // A 200: shared caches read s-maxage (the rule's, or its target lifetime), or max-age.
          const browserLifetime = Math.min(browserSeconds, c.ttl);
          const sharedLifetime = c.sMaxage ? c.sMaxageLifetime ?? c.ttl : browserLifetime;
          for (const who of ["anonymous", "signed-in", "anonymous with Authorization"] as const) {
            const stored = store(apply, who, 200);
            const label = `${c.policy} 200 for ${who}`;
            // RFC 8246: only pages that are the same for everybody, and only if asked for.
            assert.equal(stored.cacheControl.has("immutable"), c.immutable, `${label}: immutable`);
            assert.equal(
              secondsOf(stored.cacheControl, "stale-while-revalidate"),
              c.staleWhileRevalidate,
            );
            assert.equal(secondsOf(stored.cacheControl, "stale-if-error"), c.staleIfError);
            const sameForAll = everybody || who === "anonymous";
            if (sameForAll && (who !== "anonymous with Authorization" || c.sMaxage)) {
              // RFC 9111 §3.5: with Authorization only s-maxage (or public) lets a shared cache store.
              assert.ok(stored.shared.storable(), `${label}: shared cache refuses it`);
              walkThroughTime(
                `${label}, shared`,
                stored.shared,
                stored.request,
                sharedLifetime,
                swr,
                sie,
                extra,
              );
              if (sharedLifetime + swr > 0 && swr > 0) staleServed++;
            } else {
              assert.equal(
                stored.shared.storable(),
                false,
                `${label}: a shared cache may store it`,
              );
            }
            if (sameForAll) {
              walkThroughTime(
                `${label}, browser`,
                stored.browser,
                stored.request,
                browserLifetime,
                swr,
                sie,
                extra,
              );
            } else if (who === "signed-in" && c.policy === "anonymous-only") {
              assert.equal(stored.browser.timeToLive(), 0, `${label}: browser keeps it`);
            } else if (who === "signed-in") {
              walkThroughTime(
                `${label}, browser`,
                stored.browser,
                stored.request,
                browserLifetime,
                0,
                0,
                extra,
              );
            } else {
              assert.ok(
                stored.browser.timeToLive() <= browserLifetime * 1000,
                `${label}: browser lifetime`,
              );
            }
          }

          // Opted-in statuses: their own lifetime, never immutable, no per-target lifetime.
          for (const [status, lifetime] of c.statuses) {
            const stored = store(apply, "anonymous", status);
            const label = `${c.policy} ${status} (${lifetime} s)`;
            assert.equal(stored.cacheControl.has("immutable"), false, `${label}: immutable`);
            if (lifetime === 0) {
              assertNeverFresh(label, stored);
              continue;
            }
            const browser = Math.min(browserSeconds, lifetime);
            assert.equal(
              stored.shared.maxAge(),
              c.sMaxage ? lifetime : browser,
              `${label}: shared`,
            );
            assert.equal(stored.browser.maxAge(), browser, `${label}: browser`);
            for (
              const [name, configured] of [["stale-while-revalidate", c.staleWhileRevalidate], [
                "stale-if-error",
                c.staleIfError,
              ]] as const
            ) {
              const written = secondsOf(stored.cacheControl, name);
              assert.ok(written === null || written === configured, `${label}: ${name}=${written}`);
            }
            if (!everybody) {
              const signedIn = store(apply, "signed-in", status);
              assert.equal(signedIn.shared.storable(), false, `${label}: signed-in page shareable`);
            }
          }

          // Server errors and statuses the rule did not opt in to are never cached, not even
          // stale: their headers read as a 200's give no freshness and no stale-if-error.
          const optedIn = new Set(c.statuses.map(([status]) => status));
          for (const status of [500, 503, 302, 404, 204].filter((s) => !optedIn.has(s))) {
            for (const who of ["anonymous", "signed-in"] as const) {
              assertNeverFresh(`${c.policy} ${status} for ${who}`, store(apply, who, status, 200));
            }
          }
        }),
        { numRuns: 3_000 },
      );
      assert.ok(staleServed > 0, "stale-while-revalidate never exercised");
    },
  );

  test("immutable, stale-while-revalidate and stale-if-error are refused at construction but on all-users rules with a lifetime", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...POLICIES),
        fc.constantFrom(0, 0, 60),
        fc.subarray(["immutable", "staleWhileRevalidate", "staleIfError"] as const, {
          minLength: 1,
        }),
        (policy, ttl, settings) => {
          const rule = {
            pattern: "/p/:id",
            policy,
            ttl,
            ...(settings.includes("immutable") ? { immutable: true } : {}),
            ...(settings.includes("staleWhileRevalidate") ? { staleWhileRevalidate: 30 } : {}),
            ...(settings.includes("staleIfError") ? { staleIfError: "1d" } : {}),
          };
          const build = () => cacheHeaders({ rules: [rule] });
          if (policy === "all-users" && ttl > 0) {
            build();
            return;
          }
          assert.throws(build, (error: unknown) => {
            assert.ok(error instanceof CacheConfigError);
            assert.equal(error.problems.length, settings.length, error.message);
            for (const problem of error.problems) {
              assert.equal(problem.code, "inconsistent-rule");
              assert.equal(problem.path, "rules[0]");
            }
            return true;
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  test("statuses: only RFC 9110 §15.1's cacheable ones may be opted in, never 200, 206 or 5xx", () => {
    for (const status of [...OPTIONAL_STATUSES]) {
      cacheHeaders({
        rules: [{ pattern: "/p", policy: "all-users", ttl: 60, statuses: { [status]: "1m" } }],
      });
    }
    for (const status of [200, 206, 302, 304, 307, 500, 501, 502, 503, 504]) {
      assert.throws(
        () =>
          cacheHeaders({
            rules: [{ pattern: "/p", policy: "all-users", ttl: 60, statuses: { [status]: 60 } }],
          }),
        (error: unknown) =>
          error instanceof CacheConfigError && error.problems.length === 1 &&
          error.problems[0]?.code === "invalid-status",
        `status ${status} accepted`,
      );
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Part 2: caches that read targeted fields (RFC 9213 and vendors)
// ---------------------------------------------------------------------------------------------

/** A cache in front of the application, by the fields it reads before `Cache-Control`. */
interface TargetedCache {
  readonly name: string;
  /** Targeted fields, highest precedence first. */
  readonly fields: readonly TargetedField[];
  /** How it reads `Cache-Control` when none of its fields is present. */
  readonly cacheControl: "rfc9111" | "nginx";
}

const CACHES: readonly TargetedCache[] = [
  {
    name: "Cloudflare",
    fields: ["cloudflare-cdn-cache-control", "cdn-cache-control"],
    cacheControl: "rfc9111",
  },
  {
    name: "Vercel",
    fields: ["vercel-cdn-cache-control", "cdn-cache-control"],
    cacheControl: "rfc9111",
  },
  {
    name: "Netlify",
    fields: ["netlify-cdn-cache-control", "cdn-cache-control"],
    cacheControl: "rfc9111",
  },
  {
    name: "Deno Deploy",
    fields: ["deno-cdn-cache-control", "cdn-cache-control"],
    cacheControl: "rfc9111",
  },
  { name: "RFC 9213 CDN", fields: ["cdn-cache-control"], cacheControl: "rfc9111" },
  { name: "Fastly", fields: ["surrogate-control"], cacheControl: "rfc9111" },
  { name: "nginx", fields: ["x-accel-expires"], cacheControl: "nginx" },
  { name: "RFC 9111 shared cache", fields: [], cacheControl: "rfc9111" },
];

/** Seconds a cache keeps a response and reuses it without asking, or `null`: not kept. */
type Kept = number | null;

function positive(seconds: number | null): Kept {
  return seconds !== null && seconds > 0 ? seconds : null;
}

/**
 * How a cache reads one targeted field. `X-Accel-Expires: N` keeps for N seconds, `0` not at all
 * (nginx). The others are `Cache-Control`-like dictionaries (RFC 9213 §2): `no-store` or `private`
 * means not stored, otherwise `max-age` is the lifetime.
 */
function readTargetedField(field: TargetedField, value: string): Kept {
  if (field === "x-accel-expires") {
    return /^\s*\d+\s*$/.test(value) ? positive(Number(value)) : null;
  }
  const directives = directivesOf(value);
  if (directives.has("no-store") || directives.has("private")) return null;
  return positive(secondsOf(directives, "max-age"));
}

/**
 * How a shared cache reads `Cache-Control`. RFC 9111: not `no-store` or `private`, and reused
 * without revalidation only if not `no-cache`; `s-maxage` over `max-age`. nginx: a substring test
 * for `no-cache`, `no-store` and `private` refuses it, then `s-maxage`, then `max-age`.
 */
function readCacheControl(kind: TargetedCache["cacheControl"], value: string | null): Kept {
  if (value === null) return null; // No heuristic freshness modelled: cachewise always writes one.
  if (kind === "nginx" && /no-cache|no-store|private/i.test(value)) return null;
  const directives = directivesOf(value);
  if (directives.has("no-store") || directives.has("private") || directives.has("no-cache")) {
    return null;
  }
  return positive(secondsOf(directives, "s-maxage") ?? secondsOf(directives, "max-age"));
}

/** RFC 9213 §2.1: the first targeted field present decides alone; otherwise `Cache-Control`. */
function keptBy(cache: TargetedCache, headers: Headers): Kept {
  for (const field of cache.fields) {
    const value = headers.get(field);
    if (value !== null) return readTargetedField(field, value);
  }
  return readCacheControl(cache.cacheControl, headers.get("cache-control"));
}

describe("rule browserSeconds", () => {
  // Regression: a rule's `browserSeconds: 0` was refused ("must be more than 0 seconds; leave the
  // setting out instead"), though leaving it out gives option `browserSeconds` (5 by default).
  test("a rule's browserSeconds may be 0, as the option's may: browsers revalidate, shared caches keep", () => {
    const apply = cacheHeaders({
      rules: [{ pattern: "/p", policy: "all-users", ttl: "1h", browserSeconds: 0 }],
    });
    const response = apply(new Request(`${ORIGIN}/p`), new Response("page"));
    const cacheControl = response.headers.get("cache-control");
    const request = cacheRequestOf(new Request(`${ORIGIN}/p`));
    const seen = downstreamResponseOf(200, response.headers, false);
    assert.equal(new CachePolicy(request, seen, { shared: false }).maxAge(), 0, `${cacheControl}`);
    assert.equal(
      new CachePolicy(request, seen, { shared: true }).maxAge(),
      3600,
      `${cacheControl}`,
    );
  });
});

describe("per-target lifetimes", () => {
  // BUG (src/rules.ts, settingsKey: settings compared as JSON.stringify, and a rule's `targets`
  // keep the key order they were written in): the same per-target lifetimes written in another
  // order count as "different settings", and two declarations of one pattern are refused as
  // conflicting, with a message that shows no difference ('"all-users" 60 s against "all-users"
  // 60 s'). Statuses do not have the problem: integer keys are always enumerated in order.
  test("one pattern declared twice with the same per-target lifetimes in another order is no conflict", () => {
    const targets = ["s-maxage", "cdn-cache-control", "surrogate-control"] as const;
    const apply = cacheHeaders({
      targets,
      rules: [
        {
          pattern: "/p",
          policy: "all-users",
          ttl: 60,
          targets: { "cdn-cache-control": 600, "surrogate-control": 30 },
        },
        {
          pattern: "/p",
          policy: "all-users",
          ttl: 60,
          targets: { "surrogate-control": 30, "cdn-cache-control": 600 },
        },
      ],
    });
    const headers = apply(new Request(`${ORIGIN}/p`), new Response("page")).headers;
    assert.equal(headers.get("cdn-cache-control"), "max-age=600");
    assert.equal(headers.get("surrogate-control"), "max-age=30");
  });
});

describe("the targeted-field cache model itself", () => {
  const cases: [string, Record<string, string>, Record<string, Kept>][] = [
    [
      "RFC 9213 §2.1: CDN-Cache-Control next to Cache-Control: no-store is cached",
      { "cache-control": "no-store", "cdn-cache-control": "max-age=600" },
      { "Cloudflare": 600, "Vercel": 600, "RFC 9213 CDN": 600, "Fastly": null, "nginx": null },
    ],
    [
      "vendor field over CDN-Cache-Control over s-maxage over max-age",
      {
        "cache-control": "max-age=5, s-maxage=60",
        "cdn-cache-control": "max-age=600",
        "cloudflare-cdn-cache-control": "max-age=900",
      },
      {
        "Cloudflare": 900,
        "Vercel": 600,
        "Netlify": 600,
        "Fastly": 60,
        "RFC 9111 shared cache": 60,
      },
    ],
    [
      "a targeted no-store is final, even over a shareable Cache-Control",
      {
        "cache-control": "max-age=5, s-maxage=60",
        "cdn-cache-control": "no-store",
        "x-accel-expires": "0",
      },
      { "Cloudflare": null, "RFC 9213 CDN": null, "nginx": null, "Fastly": 60 },
    ],
    [
      "nginx obeys a positive X-Accel-Expires on private, and refuses no-cache without it",
      {
        "cache-control": "private, no-cache",
        "x-accel-expires": "600",
        "surrogate-control": "max-age=30",
      },
      { "nginx": 600, "Fastly": 30, "Cloudflare": null, "RFC 9111 shared cache": null },
    ],
  ];
  for (const [name, headers, expected] of cases) {
    test(name, () => {
      for (const [cacheName, kept] of Object.entries(expected)) {
        const cache = CACHES.find((candidate) => candidate.name === cacheName)!;
        assert.equal(keptBy(cache, new Headers(headers)), kept, cacheName);
      }
    });
  }
});

/** Patterns, and the paths visited with the patterns that match each, most specific first. */
const PATTERNS = ["/a/:id", "/a/*", "/b", "/c/*"] as const;
type Pattern = typeof PATTERNS[number];
const PATHS: Readonly<Record<string, readonly Pattern[]>> = {
  "/a/1": ["/a/:id", "/a/*"],
  "/a/1/x": ["/a/*"],
  "/b": ["/b"],
  "/c/z": ["/c/*"],
  "/d": [],
};

interface TargetRule {
  readonly pattern: Pattern;
  readonly policy: PolicyName | CustomPolicyName;
  readonly ttl: number;
  readonly browserSeconds: number | null;
  /** Lifetimes per target (only targets of the deployment, only on rules with a lifetime). */
  readonly lifetimes: Readonly<Partial<Record<Target, number>>>;
  readonly statuses: ReadonlyMap<number, number>;
  readonly staleWhileRevalidate: number | null;
  /** Declared in `timeouts` rather than `rules` (only when it has no settings). */
  readonly inTimeouts: boolean;
}

interface TargetConfig {
  readonly targets: readonly Target[];
  readonly browserSeconds: number;
  readonly keepHandlerCacheControl: boolean;
  readonly rules: readonly TargetRule[];
  readonly prebuilt: boolean;
}

const targetRuleArb = (targets: readonly Target[]): fc.Arbitrary<TargetRule> =>
  fc.record({
    pattern: fc.constantFrom(...PATTERNS),
    policy: fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom<PolicyName | CustomPolicyName>(...POLICIES) },
      {
        weight: 1,
        arbitrary: fc.constantFrom<PolicyName | CustomPolicyName>(...CUSTOM_POLICY_NAMES),
      },
    ),
    ttl: lifetimeArb,
    browserSeconds: ruleBrowserSecondsArb,
    lifetimes: fc.subarray([...targets]).chain((chosen) =>
      fc.tuple(...chosen.map(() => positiveLifetimeArb)).map((seconds) =>
        Object.fromEntries(chosen.map((target, index) => [target, seconds[index]!]))
      )
    ),
    statuses: fc.uniqueArray(fc.tuple(fc.constantFrom(...OPTIONAL_STATUSES), lifetimeArb), {
      maxLength: 3,
      selector: ([status]) => status,
    }),
    staleWhileRevalidate: fc.option(fc.constantFrom(10, 600), { nil: null }),
    inTimeouts: fc.boolean(),
  }).map((rule) => {
    // Custom rules are declared plain: the policy's result is what is under test.
    if (isCustomPolicy(rule.policy)) {
      return {
        ...rule,
        browserSeconds: null,
        lifetimes: {},
        staleWhileRevalidate: null,
        statuses: new Map(),
      };
    }
    const lifetimes = rule.ttl === 0 ? {} : rule.lifetimes;
    const staleWhileRevalidate = rule.policy === "all-users" && rule.ttl > 0
      ? rule.staleWhileRevalidate
      : null;
    const statuses = new Map(rule.statuses);
    const plain = Object.keys(lifetimes).length === 0 && statuses.size === 0 &&
      staleWhileRevalidate === null && rule.browserSeconds === null;
    return {
      ...rule,
      lifetimes,
      staleWhileRevalidate,
      statuses,
      inTimeouts: plain && rule.inTimeouts,
    };
  });

const targetConfigArb: fc.Arbitrary<TargetConfig> = fc.shuffledSubarray([...TARGETS]).chain((
  targets,
) =>
  fc.record({
    targets: fc.constant(targets),
    browserSeconds: browserSecondsArb,
    keepHandlerCacheControl: fc.constantFrom(true, true, true, false),
    rules: fc.uniqueArray(targetRuleArb(targets), {
      minLength: 1,
      maxLength: 4,
      selector: (rule) => rule.pattern,
    }),
    prebuilt: fc.boolean(),
  })
);

function targetOptions(config: TargetConfig): CacheHeadersOptions {
  const timeouts: Record<string, Record<string, (string | URLPattern)[]>> = {};
  const rules: NonNullable<CacheHeadersOptions["rules"]>[number][] = [];
  for (const rule of config.rules) {
    const pattern = patternOf(rule.pattern, config.prebuilt);
    if (rule.inTimeouts) {
      ((timeouts[rule.policy] ??= {})[String(rule.ttl)] ??= []).push(pattern);
      continue;
    }
    rules.push({
      pattern,
      policy: rule.policy,
      ttl: rule.ttl,
      ...(rule.browserSeconds === null ? {} : { browserSeconds: rule.browserSeconds }),
      ...(Object.keys(rule.lifetimes).length === 0 ? {} : { targets: rule.lifetimes }),
      ...(rule.statuses.size === 0 ? {} : { statuses: Object.fromEntries(rule.statuses) }),
      ...(rule.staleWhileRevalidate === null
        ? {}
        : { staleWhileRevalidate: rule.staleWhileRevalidate }),
    });
  }
  return {
    targets: config.targets,
    browserSeconds: config.browserSeconds,
    keepHandlerCacheControl: config.keepHandlerCacheControl,
    timeouts,
    rules,
    policies: CUSTOM_POLICIES,
  };
}

/** Who asks: the identity given to `apply()` and what the request carries. */
interface Visitor {
  readonly label: string;
  readonly identity: { id: string } | null;
  readonly cookie: string | null;
  readonly authorization: string | null;
}

const VISITORS: readonly Visitor[] = [
  { label: "anonymous", identity: null, cookie: null, authorization: null },
  { label: "anonymous with analytics", identity: null, cookie: "_ga=GA1.2.3", authorization: null },
  {
    label: "anonymous with a rejected token",
    identity: null,
    cookie: null,
    authorization: "Bearer expired",
  },
  { label: "signed-in", identity: { id: "u1" }, cookie: "sessionid=s1", authorization: null },
  { label: "signed-in by token", identity: { id: "u2" }, cookie: null, authorization: "Bearer t2" },
];

const HANDLER_FIELD_VALUES: Readonly<Record<TargetedField, readonly string[]>> = {
  "x-accel-expires": ["999", "0"],
  "surrogate-control": ["max-age=999", "no-store"],
  "cdn-cache-control": ["max-age=999", "max-age=999, stale-while-revalidate=9", "private"],
  "cloudflare-cdn-cache-control": ["max-age=999"],
  "vercel-cdn-cache-control": ["max-age=999"],
  "netlify-cdn-cache-control": ["max-age=999", "no-store"],
  "deno-cdn-cache-control": ["max-age=999"],
};

interface TargetVisit {
  readonly visitor: Visitor;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly cacheControl: string | null;
  readonly setCookie: boolean;
  /** Targeted fields the handler set itself. */
  readonly fields: readonly (readonly [TargetedField, string])[];
}

const targetVisitArb: fc.Arbitrary<TargetVisit> = fc.record({
  visitor: fc.constantFrom(...VISITORS),
  method: fc.constantFrom("GET", "GET", "GET", "HEAD", "POST", "DELETE"),
  path: fc.constantFrom(...Object.keys(PATHS)),
  status: fc.constantFrom(200, 200, 200, 200, 203, 204, 301, 302, 308, 404, 410, 500, 503),
  cacheControl: fc.oneof(
    { weight: 4, arbitrary: fc.constant(null) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "public, max-age=600",
        "s-maxage=600",
        "no-cache",
        "private",
        "private, max-age=60",
        "no-store",
      ),
    },
  ),
  setCookie: fc.constantFrom(false, false, false, true),
  fields: fc.oneof(
    { weight: 2, arbitrary: fc.constant([]) },
    {
      weight: 1,
      arbitrary: fc.subarray([...TARGETED_FIELDS], { minLength: 1 }).chain((fields) =>
        fc.tuple(...fields.map((field) => fc.constantFrom(...HANDLER_FIELD_VALUES[field])))
          .map((values) => fields.map((field, index) => [field, values[index]!] as const))
      ),
    },
  ),
});

function targetRequest(visit: TargetVisit): Request {
  const headers = new Headers();
  if (visit.visitor.cookie !== null) headers.set("cookie", visit.visitor.cookie);
  if (visit.visitor.authorization !== null) {
    headers.set("authorization", visit.visitor.authorization);
  }
  return new Request(ORIGIN + visit.path, { method: visit.method, headers });
}

function handlerHeaders(visit: TargetVisit): Headers {
  const headers = new Headers({ "content-type": "text/html" });
  if (visit.cacheControl !== null) headers.set("cache-control", visit.cacheControl);
  if (visit.setCookie) headers.append("set-cookie", "csrftoken=abc; Path=/");
  for (const [field, value] of visit.fields) headers.set(field, value);
  return headers;
}

function targetResponse(visit: TargetVisit): Response {
  const nullBody = visit.status === 204 || visit.status === 304;
  return new Response(nullBody ? null : "page", {
    status: visit.status,
    headers: handlerHeaders(visit),
  });
}

/**
 * Who may see the response in a shared cache, from the configuration and the product's rules
 * alone: nobody (a cookie is set; a handler's `private`/`no-store`; a method, status or rule that
 * caches nothing; a page made for a signed-in user; an identity-dependent page asked for with
 * `Authorization`), everybody as the handler declared it (its own shareable `Cache-Control`
 * wins), or everybody in the rule's audience for the rule's lifetime.
 */
type Outcome =
  | { readonly kind: "never" }
  | { readonly kind: "handler" }
  | {
    readonly kind: "shared";
    readonly rule: TargetRule;
    readonly lifetime: number;
    readonly own: boolean;
  };

const PRIVATE_OR_NO_STORE = /(?:^|[\s,])(?:private|no-store)(?:$|[\s,=])/i;
const NEVER: Outcome = { kind: "never" };

function intendedRule(config: TargetConfig, path: string): TargetRule | null {
  for (const pattern of PATHS[path] ?? []) {
    const rule = config.rules.find((candidate) => candidate.pattern === pattern);
    if (rule !== undefined) return rule;
  }
  return null;
}

function outcomeOf(config: TargetConfig, visit: TargetVisit): Outcome {
  if (visit.setCookie) return NEVER;
  if (visit.cacheControl !== null && config.keepHandlerCacheControl) {
    return PRIVATE_OR_NO_STORE.test(visit.cacheControl) ? NEVER : { kind: "handler" };
  }
  if (visit.method !== "GET" && visit.method !== "HEAD") return NEVER;
  const rule = intendedRule(config, visit.path);
  if (rule === null) return NEVER;
  const own = visit.status === 200;
  const lifetime = isCustomPolicy(rule.policy)
    ? own ? customSharedLifetime(rule.policy, rule.ttl) : null
    : own
    ? rule.ttl
    : rule.statuses.get(visit.status);
  if (lifetime === undefined || lifetime === null || lifetime === 0) return NEVER;
  const { identity, authorization } = visit.visitor;
  if (rule.policy !== "all-users" && (identity !== null || authorization !== null)) return NEVER;
  return { kind: "shared", rule, lifetime, own };
}

/**
 * What a cache should keep, from the configuration: for a page shared by its rule, the first of
 * the cache's fields that is present decides — a target of the deployment carries the rule's
 * lifetime for that target (for an opted-in status, the status's lifetime), one the deployment
 * does not write keeps the handler's value — and otherwise `Cache-Control`: `s-maxage` when it is
 * a target, else browsers' `max-age`. A page the handler declared shareable keeps its headers.
 */
function expectedKept(cache: TargetedCache, config: TargetConfig, visit: TargetVisit): Kept {
  const outcome = outcomeOf(config, visit);
  if (outcome.kind === "never") return null;
  if (outcome.kind === "handler") return keptBy(cache, handlerHeaders(visit));
  const { rule, lifetime, own } = outcome;
  const configured = (target: Target): number =>
    own ? rule.lifetimes[target] ?? lifetime : lifetime;
  for (const field of cache.fields) {
    if (config.targets.includes(field)) return configured(field);
    const handlerValue = visit.fields.find(([name]) => name === field)?.[1];
    if (handlerValue !== undefined) return readTargetedField(field, handlerValue);
  }
  // A custom policy's own Cache-Control: s-maxage, else max-age, is the shared lifetime.
  if (isCustomPolicy(rule.policy)) return lifetime;
  if (config.targets.includes("s-maxage")) return configured("s-maxage");
  return positive(Math.min(rule.browserSeconds ?? config.browserSeconds, lifetime));
}

const TARGET_RUNS = 4_000;

/** Applies the configuration to each visit and hands the results to `check`. */
function eachVisit(
  check: (
    config: TargetConfig,
    visit: TargetVisit,
    response: Response,
    shared: boolean,
    request: Request,
  ) => void,
): void {
  fc.assert(
    fc.property(
      targetConfigArb,
      fc.array(targetVisitArb, { minLength: 1, maxLength: 4 }),
      (config, visits) => {
        const apply = cacheHeaders(targetOptions(config));
        for (const visit of visits) {
          const request = targetRequest(visit);
          const response = targetResponse(visit);
          // Guard for the oracle: the rule that decides is the one the expectations assume.
          const decided = apply.explain(new Request(request.url), new Response(null)).rule;
          const intended = intendedRule(config, visit.path);
          assert.deepEqual(
            decided === null ? null : [decided.policy, decided.lifetime],
            intended === null ? null : [intended.policy, intended.ttl],
          );
          const { shared } = apply.explain(request, response, visit.visitor.identity);
          check(config, visit, apply(request, response, visit.visitor.identity), shared, request);
        }
      },
    ),
    { numRuns: TARGET_RUNS },
  );
}

function describeVisit(config: TargetConfig, visit: TargetVisit, response: Response): string {
  return JSON.stringify({
    targets: config.targets,
    rule: intendedRule(config, visit.path),
    visitor: visit.visitor.label,
    method: visit.method,
    status: visit.status,
    handler: Object.fromEntries(handlerHeaders(visit)),
    written: Object.fromEntries(response.headers),
  }, (_key, value) => value instanceof Map ? Object.fromEntries(value) : value);
}

describe("targets against a model of RFC 9213 and vendor caches", () => {
  test("(a) no modelled cache keeps a response a shared cache must not keep", SLOW, () => {
    const stored = new Map<string, number>();
    eachVisit((config, visit, response, shared, request) => {
      const outcome = outcomeOf(config, visit);
      const context = () => describeVisit(config, visit, response);
      // cachewise's own decision agrees with the audience the page was made for.
      if (outcome.kind !== "handler") {
        assert.equal(shared, outcome.kind === "shared", `explain().shared: ${context()}`);
      }
      for (const cache of CACHES) {
        const kept = keptBy(cache, response.headers);
        if (kept === null) continue;
        assert.notEqual(
          outcome.kind,
          "never",
          `${cache.name} keeps it for ${kept} s: ${context()}`,
        );
        stored.set(cache.name, (stored.get(cache.name) ?? 0) + 1);
      }
      // The RFC 9111 oracle agrees (it honours §3.5 for Authorization; Set-Cookie is hidden from
      // it, as §7.3 lets a cache replay it).
      const oracle = new CachePolicy(
        cacheRequestOf(request),
        downstreamResponseOf(response.status, response.headers, true),
        { shared: true },
      );
      if (oracle.storable() && oracle.maxAge() > 0) {
        assert.notEqual(outcome.kind, "never", `RFC 9111 cache keeps it: ${context()}`);
      }
    });
    for (const cache of CACHES) {
      assert.ok((stored.get(cache.name) ?? 0) > 0, `${cache.name} never stores`);
    }
  });

  test(
    "(b) each modelled cache keeps a shared page for the lifetime configured for its target",
    SLOW,
    () => {
      const hits = new Map<string, number>();
      eachVisit((config, visit, response) => {
        for (const cache of CACHES) {
          const expected = expectedKept(cache, config, visit);
          assert.equal(
            keptBy(cache, response.headers),
            expected,
            `${cache.name}: ${describeVisit(config, visit, response)}`,
          );
          if (expected !== null) hits.set(cache.name, (hits.get(cache.name) ?? 0) + 1);
        }
      });
      for (const cache of CACHES) {
        assert.ok((hits.get(cache.name) ?? 0) > 0, `${cache.name} never keeps`);
      }
    },
  );
});
