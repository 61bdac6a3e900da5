/**
 * Option `cdn` as properties: visitors walk through a model of each platform's edge cache
 * (tests/_platform_models.ts, written from the platforms' documentation), in front of an
 * application whose every page is labelled with the audience it was made for. Over 10,000
 * generated cases per platform, no stored page may reach another audience; and the sharing that
 * `decide/edge.ts` promises (anonymous copies on Deno Deploy, Fastly and Netlify, the signed-in
 * variants on Netlify in keyed mode) must actually happen.
 *
 * Two reuses are inherent in a cache keyed on the sign-in marker's presence (Netlify in keyed
 * mode), as for the keyed proxy (tests/keyed_property_test.ts): a visitor with the marker but no
 * session reads the variant all signed-in users share, and a visitor who has just signed in
 * (session cookie, no marker yet) reads the anonymous copy. They are counted, not failed.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { type ApplyCacheHeaders, cacheHeaders, type CacheHeadersOptions } from "../mod.ts";
import {
  type DuplicateCookie,
  EdgeCache,
  PLATFORM_MODELS,
  type PlatformModel,
} from "./_platform_models.ts";

const NUM_RUNS = 10_000;
const SLOW = { timeout: 300_000 };
const ORIGIN = "https://shop.example";
const SESSION = "sessionid";
const MARKER = "isauthenticated";

type PolicyName = "all-users" | "anonymous-only" | "anonymous-and-authenticated" | "per-user";

/** Paths and the policy and lifetime that decide them, per configuration. */
const PATHS = ["/", "/news/1", "/products/1", "/account/x", "/static/a.css", "/other"] as const;
type Path = typeof PATHS[number];
type Config = Readonly<Record<Exclude<Path, "/other">, readonly [PolicyName, number]>>;

const CONFIGS: readonly Config[] = [
  {
    "/": ["anonymous-only", 300],
    "/news/1": ["anonymous-only", 300],
    "/products/1": ["anonymous-and-authenticated", 600],
    "/account/x": ["per-user", 60],
    "/static/a.css": ["all-users", 3600],
  },
  {
    "/": ["anonymous-and-authenticated", 600],
    "/news/1": ["per-user", 60],
    "/products/1": ["anonymous-only", 0],
    "/account/x": ["anonymous-and-authenticated", 120],
    "/static/a.css": ["per-user", 30],
  },
];

function optionsOf(config: Config, model: PlatformModel, keyed: boolean): CacheHeadersOptions {
  const timeouts: Record<string, Record<string, string[]>> = {};
  for (const [path, [policy, lifetime]] of Object.entries(config)) {
    ((timeouts[policy] ??= {})[String(lifetime)] ??= []).push(path);
  }
  return {
    cdn: model.cdn,
    timeouts,
    onError: () => {},
    ...(keyed ? { keyed: { sessionCookie: SESSION } } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Visitors, replies, visits
// ---------------------------------------------------------------------------------------------

type Kind = "anonymous" | "signed-in" | "bearer" | "just-signed-in" | "forged-marker" | "stale";

interface Visitor {
  readonly kind: Kind;
  /** The identity the application finds: a user id or `null`. */
  readonly user: string | null;
  readonly cookie: string | null;
  readonly authorization: string | null;
}

const USERS = ["u1", "u2", "u3"] as const;
const ANALYTICS = [null, null, "_ga=GA1.2.1", "_ga=GA1.2.2"] as const;

function jar(...pairs: (string | null)[]): string | null {
  const kept = pairs.filter((pair): pair is string => pair !== null);
  return kept.length === 0 ? null : kept.join("; ");
}

const visitorArb: fc.Arbitrary<Visitor> = fc.tuple(
  fc.constantFrom<Kind>(
    ...["anonymous", "anonymous", "anonymous", "signed-in", "signed-in", "signed-in"] as const,
    "bearer",
    "just-signed-in",
    "forged-marker",
    "stale",
  ),
  fc.constantFrom(...USERS),
  fc.constantFrom(...ANALYTICS),
  fc.boolean(),
).map(([kind, user, analytics, first]): Visitor => {
  const session = `${SESSION}=s-${user}`;
  const order = (a: string | null, b: string | null) => first ? jar(a, b) : jar(b, a);
  switch (kind) {
    case "anonymous":
      return { kind, user: null, cookie: analytics, authorization: null };
    case "signed-in":
      return {
        kind,
        user,
        cookie: order(jar(session, `${MARKER}=1`), analytics),
        authorization: null,
      };
    case "bearer":
      return {
        kind,
        user: first ? user : null,
        cookie: analytics,
        authorization: `Bearer ${user}`,
      };
    case "just-signed-in":
      return { kind, user, cookie: order(session, analytics), authorization: null };
    case "forged-marker":
      return { kind, user: null, cookie: order(`${MARKER}=1`, analytics), authorization: null };
    case "stale":
      return {
        kind,
        user: null,
        cookie: order(`${SESSION}=expired`, analytics),
        authorization: null,
      };
  }
});

interface Reply {
  readonly status: number;
  readonly setCookie: string | null;
  readonly cacheControl: string | null;
  /** A targeted lifetime field the handler set itself. */
  readonly field: readonly [string, string] | null;
  readonly vary: string | null;
}

const PLAIN: Reply = { status: 200, setCookie: null, cacheControl: null, field: null, vary: null };

const replyArb: fc.Arbitrary<Reply> = fc.oneof(
  { weight: 8, arbitrary: fc.constant(PLAIN) },
  {
    weight: 3,
    arbitrary: fc.record({
      status: fc.constantFrom(200, 200, 404, 500),
      setCookie: fc.constantFrom(null, null, "csrftoken=abc; Path=/", `${SESSION}=fresh; Path=/`),
      cacheControl: fc.constantFrom(null, null, null, "public, max-age=600", "private", "no-store"),
      field: fc.constantFrom<(readonly [string, string] | null)[]>(
        null,
        null,
        ["cdn-cache-control", "max-age=600"],
        ["netlify-cdn-cache-control", "max-age=600"],
        ["vercel-cdn-cache-control", "max-age=600"],
        ["cloudflare-cdn-cache-control", "max-age=600"],
        ["deno-cdn-cache-control", "max-age=600"],
        ["surrogate-control", "max-age=600"],
      ),
      vary: fc.constantFrom(null, null, "Accept-Encoding", "*"),
    }),
  },
);

interface Visit {
  readonly path: Path;
  readonly method: string;
  readonly visitor: Visitor;
  readonly reply: Reply;
}

const visitsArb: fc.Arbitrary<readonly Visit[]> = fc.tuple(
  fc.constantFrom(...PATHS),
  fc.constantFrom(...PATHS),
  fc.array(
    fc.record({
      second: fc.nat(3),
      method: fc.constantFrom("GET", "GET", "GET", "GET", "HEAD", "POST"),
      visitor: visitorArb,
      reply: replyArb,
    }),
    { minLength: 2, maxLength: 6 },
  ),
).map(([first, second, visits]) =>
  visits.map(({ second: which, ...rest }) => ({ ...rest, path: which === 3 ? second : first }))
);

// ---------------------------------------------------------------------------------------------
// Labels and the walk
// ---------------------------------------------------------------------------------------------

const MADE_FOR = "x-test-made-for";
const EVERYBODY = "everybody";
const ANONYMOUS = "anonymous";
const SIGNED_IN = "signed-in";
/** Hits on a page made for one user (per-user pages in keyed mode). */
const USER = "one user";
const SHAREABLE = /^(?!.*(?:private|no-store))/i;

function madeFor(config: Config, visit: Visit, index: number): string {
  const { reply, visitor } = visit;
  if (reply.setCookie !== null) return `only-visit-${index}`;
  const rule = visit.path === "/other" ? null : config[visit.path];
  if (rule?.[0] === "all-users") return EVERYBODY;
  if (reply.cacheControl !== null && SHAREABLE.test(reply.cacheControl)) return EVERYBODY;
  if (visitor.user === null) return ANONYMOUS;
  return rule?.[0] === "anonymous-and-authenticated" ? SIGNED_IN : visitor.user;
}

function requestOf(visit: Visit): Request {
  const headers = new Headers();
  if (visit.visitor.cookie !== null) headers.set("cookie", visit.visitor.cookie);
  if (visit.visitor.authorization !== null) {
    headers.set("authorization", visit.visitor.authorization);
  }
  return new Request(ORIGIN + visit.path, { method: visit.method, headers });
}

function responseOf(visit: Visit, label: string): Response {
  const { reply } = visit;
  const headers = new Headers({ [MADE_FOR]: label });
  if (reply.setCookie !== null) headers.set("set-cookie", reply.setCookie);
  if (reply.cacheControl !== null) headers.set("cache-control", reply.cacheControl);
  if (reply.field !== null) headers.set(...reply.field);
  if (reply.vary !== null) headers.set("vary", reply.vary);
  return new Response(reply.status === 204 ? null : "page", { status: reply.status, headers });
}

interface Tally {
  /** Hits by the label of the page served. */
  readonly hits: Map<string, number>;
  /** Inherent reuses of a marker-keyed cache (keyed mode). */
  inherent: number;
}

/** Whether a page made for `made` may reach this visitor; inherent reuses counted apart. */
function allowed(made: string, visitor: Visitor, keyed: boolean, tally: Tally): boolean {
  if (made === EVERYBODY) return true;
  if (made === ANONYMOUS && visitor.user === null) return true;
  if (made === SIGNED_IN && visitor.user !== null) return true;
  if (made === visitor.user) return true;
  const inherent = keyed && (
    (made === SIGNED_IN && visitor.kind === "forged-marker") ||
    (made === ANONYMOUS && visitor.kind === "just-signed-in")
  );
  if (inherent) tally.inherent++;
  return inherent;
}

function walk(
  apply: ApplyCacheHeaders,
  config: Config,
  model: PlatformModel,
  duplicate: DuplicateCookie,
  keyed: boolean,
  visits: readonly Visit[],
  tally: Tally,
): void {
  const edge = new EdgeCache(model, duplicate);
  visits.forEach((visit, index) => {
    const request = requestOf(visit);
    const hits = edge.lookup(request);
    for (const entry of hits) {
      assert.ok(
        allowed(entry.madeFor, visit.visitor, keyed, tally),
        `${model.name}${keyed ? " (keyed)" : ""}: visit ${index}: a page made for ` +
          `${entry.madeFor} reached ${visit.visitor.kind} ${visit.visitor.user ?? ""} ` +
          `(${visit.method} ${visit.path}, Cookie: ${visit.visitor.cookie})`,
      );
    }
    if (hits.length > 0) {
      const label = hits[0]!.madeFor;
      const bucket = [EVERYBODY, ANONYMOUS, SIGNED_IN].includes(label) ? label : USER;
      tally.hits.set(bucket, (tally.hits.get(bucket) ?? 0) + 1);
      if (hits[0]!.cookie !== visit.visitor.cookie) {
        const across = `${bucket} across cookies`;
        tally.hits.set(across, (tally.hits.get(across) ?? 0) + 1);
      }
      return;
    }
    const label = madeFor(config, visit, index);
    const response = apply(
      request,
      responseOf(visit, label),
      visit.visitor.user === null ? null : { id: visit.visitor.user },
    );
    edge.store(request, response, response.headers.get(MADE_FOR) ?? "missing label");
  });
}

/** Every platform model in the default mode, and Netlify in keyed mode. */
const RUNS: readonly { readonly model: PlatformModel; readonly keyed: boolean }[] = [
  ...PLATFORM_MODELS.map((model) => ({ model, keyed: false })),
  { model: PLATFORM_MODELS.find((model) => model.cdn === "netlify")!, keyed: true },
];

describe("every platform's documented cache (option cdn): no page reaches another audience", () => {
  for (const { model, keyed } of RUNS) {
    const applies = CONFIGS.map((config) => cacheHeaders(optionsOf(config, model, keyed)));
    test(`${model.name}${keyed ? " in keyed mode" : ""}: ${NUM_RUNS} cases`, SLOW, () => {
      const tally: Tally = { hits: new Map(), inherent: 0 };
      fc.assert(
        fc.property(
          fc.nat(CONFIGS.length - 1),
          fc.constantFrom<DuplicateCookie>("first", "last"),
          visitsArb,
          (which, duplicate, visits) => {
            walk(applies[which]!, CONFIGS[which]!, model, duplicate, keyed, visits, tally);
          },
        ),
        { numRuns: NUM_RUNS },
      );
      // Not vacuous: what docs/cdns.md promises for this platform does get served from the edge.
      assert.ok((tally.hits.get(EVERYBODY) ?? 0) > 0, "no all-users page served from the edge");
      const anonymousShared = keyed || model.cdn === "deno-deploy" || model.cdn === "fastly" ||
        model.cdn === "netlify";
      assert.equal((tally.hits.get(ANONYMOUS) ?? 0) > 0, anonymousShared, "anonymous hits");
      assert.equal((tally.hits.get(SIGNED_IN) ?? 0) > 0, keyed, "signed-in hits");
      assert.equal((tally.hits.get(USER) ?? 0) > 0, keyed, "a user's own page served back");
      // Keyed on named cookies, visitors with other cookies (analytics, another user's session
      // for the signed-in variant) share a copy; keyed on the whole Cookie header, they do not.
      const across = (label: string) => (tally.hits.get(`${label} across cookies`) ?? 0) > 0;
      assert.equal(across(ANONYMOUS), keyed, "anonymous copies shared across cookie jars");
      assert.equal(across(SIGNED_IN), keyed, "signed-in copies shared across users");
    });
  }
});

describe("the platform models catch a leak when the platform's headers are missing", () => {
  // The same walk with the default mode's headers (no option `cdn`): a URL-keyed edge hands the
  // anonymous copy to signed-in visitors. These must fail, or the models above prove nothing.
  const leaky = PLATFORM_MODELS.filter((model) => model.vary === "ignores");
  for (const model of leaky) {
    test(`${model.name} serves another audience's page to the default mode's headers`, SLOW, () => {
      const applies = CONFIGS.map((config) => {
        const { cdn: _cdn, ...options } = optionsOf(config, model, false);
        return cacheHeaders(options);
      });
      const result = fc.check(
        fc.property(fc.nat(CONFIGS.length - 1), visitsArb, (which, visits) => {
          const tally: Tally = { hits: new Map(), inherent: 0 };
          walk(applies[which]!, CONFIGS[which]!, model, "first", false, visits, tally);
        }),
        { numRuns: NUM_RUNS },
      );
      assert.equal(result.failed, true);
      assert.match(String(result.errorInstance), /a page made for anonymous reached/);
    });
  }
});
