/**
 * What the property tests of option \`cdn\` share (tests/cdn_property_test.ts and
 * tests/cdn_keyed_property_test.ts): two configurations of rules, generated visitors, replies and
 * visits, the label of the audience each page was made for, and who may see it.
 */

import fc from "fast-check";
import type { CacheHeadersOptions } from "../mod.ts";
import type { PlatformModel } from "./_platform_models.ts";

export const NUM_RUNS = 10_000;
export const SLOW = { timeout: 300_000 };
export const ORIGIN = "https://shop.example";
export const SESSION = "sessionid";
export const MARKER = "isauthenticated";

export type PolicyName =
  | "all-users"
  | "anonymous-only"
  | "anonymous-and-authenticated"
  | "per-user";

/** Paths and the policy and lifetime that decide them, per configuration. */
export const PATHS = [
  "/",
  "/news/1",
  "/products/1",
  "/account/x",
  "/static/a.css",
  "/other",
] as const;
export type Path = typeof PATHS[number];
export type Config = Readonly<Record<Exclude<Path, "/other">, readonly [PolicyName, number]>>;

export const CONFIGS: readonly Config[] = [
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

export function optionsOf(
  config: Config,
  model: PlatformModel,
  keyed: boolean,
): CacheHeadersOptions {
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

export type Kind =
  | "anonymous"
  | "signed-in"
  | "bearer"
  | "just-signed-in"
  | "forged-marker"
  | "stale";

export interface Visitor {
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

export const visitorArb: fc.Arbitrary<Visitor> = fc.tuple(
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

export interface Reply {
  readonly status: number;
  readonly setCookie: string | null;
  readonly cacheControl: string | null;
  /** A targeted lifetime field the handler set itself. */
  readonly field: readonly [string, string] | null;
  readonly vary: string | null;
}

export const PLAIN: Reply = {
  status: 200,
  setCookie: null,
  cacheControl: null,
  field: null,
  vary: null,
};

export const replyArb: fc.Arbitrary<Reply> = fc.oneof(
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

export interface Visit {
  readonly path: Path;
  readonly method: string;
  readonly visitor: Visitor;
  readonly reply: Reply;
}

export const visitsArb: fc.Arbitrary<readonly Visit[]> = fc.tuple(
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

export const MADE_FOR = "x-test-made-for";
export const EVERYBODY = "everybody";
export const ANONYMOUS = "anonymous";
export const SIGNED_IN = "signed-in";
/** Hits on a page made for one user (per-user pages in keyed mode). */
export const USER = "one user";
const SHAREABLE = /^(?!.*(?:private|no-store))/i;

export function madeFor(config: Config, visit: Visit, index: number): string {
  const { reply, visitor } = visit;
  if (reply.setCookie !== null) return `only-visit-${index}`;
  const rule = visit.path === "/other" ? null : config[visit.path];
  if (rule?.[0] === "all-users") return EVERYBODY;
  if (reply.cacheControl !== null && SHAREABLE.test(reply.cacheControl)) return EVERYBODY;
  if (visitor.user === null) return ANONYMOUS;
  return rule?.[0] === "anonymous-and-authenticated" ? SIGNED_IN : visitor.user;
}

export function requestOf(visit: Visit): Request {
  const headers = new Headers();
  if (visit.visitor.cookie !== null) headers.set("cookie", visit.visitor.cookie);
  if (visit.visitor.authorization !== null) {
    headers.set("authorization", visit.visitor.authorization);
  }
  return new Request(ORIGIN + visit.path, { method: visit.method, headers });
}

export function responseOf(visit: Visit, label: string): Response {
  const { reply } = visit;
  const headers = new Headers({ [MADE_FOR]: label });
  if (reply.setCookie !== null) headers.set("set-cookie", reply.setCookie);
  if (reply.cacheControl !== null) headers.set("cache-control", reply.cacheControl);
  if (reply.field !== null) headers.set(...reply.field);
  if (reply.vary !== null) headers.set("vary", reply.vary);
  return new Response(reply.status === 204 ? null : "page", { status: reply.status, headers });
}

export interface Tally {
  /** Hits by the label of the page served. */
  readonly hits: Map<string, number>;
  /** Inherent reuses of a marker-keyed cache (keyed mode). */
  inherent: number;
}

/** Whether a page made for `made` may reach this visitor; inherent reuses counted apart. */
export function allowed(made: string, visitor: Visitor, keyed: boolean, tally: Tally): boolean {
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
