/**
 * Keyed mode (issue 3, scope 5) as properties: visitors with browser-like cookie jars walk
 * through a keyed shared cache modelled on what the generated proxy configuration does, and then
 * through the caches that may sit behind it.
 *
 * (a) The keyed cache. Key: the URL, plus `$cookie_sessionid` as nginx reads it (first
 *     occurrence, name case-insensitive) on per-user pages, or the presence of the sign-in marker
 *     on anonymous-only and anonymous-and-authenticated pages, plus `$cookie_messages` on every
 *     page. It stores a response with a positive `X-Accel-Expires`, no `Set-Cookie`, and an
 *     `X-Hash-Cookies` hint naming exactly the cookies it keyed that URL on (fail closed); it
 *     ignores `Cookie` in `Vary`. Requests with `Authorization`, methods other than GET and HEAD,
 *     URLs without a rule, and anonymous-only pages asked for with the marker go past it.
 * (b) An RFC 9111 shared cache (`http-cache-semantics`) behind it, and
 * (c) a URL-only cache that ignores `Vary`, behind it: they see what the keyed cache delivers,
 *     without `X-Accel-Expires` and `X-Hash-Cookies`.
 *
 * Every page the handler makes is labelled (in a test-only header) with the audience it was made
 * for and the flash message it shows. The identity given to `apply()` is what the application's
 * session store says: the user whose session secret the application's own cookie parser reads,
 * or the user of a valid bearer token; `null` otherwise.
 *
 * Two reuses are inherent in a cache keyed on the marker's presence and are counted, not failed:
 * a visitor with the marker whose session ended (or who forged it) reads the signed-in variant
 * that all signed-in users share, and a visitor who has just signed in (session cookie, no marker
 * yet) reads the anonymous copy until a request reaches the application. Neither puts anything
 * into another audience's variant, which is checked on every store.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import CachePolicy from "http-cache-semantics";
import { type ApplyCacheHeaders, cacheHeaders, type CacheHeadersOptions } from "../mod.ts";
import {
  appCookie,
  type AppCookieParser,
  cacheRequestOf,
  downstreamResponseOf,
  nginxCookie,
  reusable,
} from "./_cache_models.ts";

const NUM_RUNS = 10_000;
const ORIGIN = "https://shop.example";
const SESSION = "sessionid";
const MARKER = "isauthenticated";
const FLASH = "messages";

// ---------------------------------------------------------------------------------------------
// Configurations: the four built-in policies over a few paths
// ---------------------------------------------------------------------------------------------

type PolicyName = "all-users" | "anonymous-only" | "anonymous-and-authenticated" | "per-user";

const PATTERNS = [
  "/",
  "/news/*",
  "/products/:id",
  "/account/*",
  "/account/help",
  "/static/*",
] as const;
type Pattern = typeof PATTERNS[number];

/** The paths visited, each with the patterns that match it, most specific first (by hand). */
const PATHS: Readonly<Record<string, readonly Pattern[]>> = {
  "/": ["/"],
  "/news/1": ["/news/*"],
  "/products/1": ["/products/:id"],
  "/products/2": ["/products/:id"],
  "/account/x": ["/account/*"],
  "/account/help": ["/account/help", "/account/*"],
  "/static/a.css": ["/static/*"],
  "/other": [],
};

interface Rule {
  readonly policy: PolicyName;
  readonly lifetime: number;
}

interface Config {
  readonly name: string;
  readonly browserSeconds: number;
  readonly rules: Readonly<Record<Pattern, Rule>>;
}

const r = (policy: PolicyName, lifetime: number): Rule => ({ policy, lifetime });

const CONFIGS: readonly Config[] = [
  {
    name: "seed-like",
    browserSeconds: 5,
    rules: {
      "/": r("anonymous-only", 300),
      "/news/*": r("anonymous-only", 300),
      "/products/:id": r("anonymous-and-authenticated", 600),
      "/account/*": r("per-user", 60),
      "/account/help": r("all-users", 3600),
      "/static/*": r("all-users", 3600),
    },
  },
  {
    name: "rotated",
    browserSeconds: 60,
    rules: {
      "/": r("anonymous-and-authenticated", 600),
      "/news/*": r("per-user", 60),
      "/products/:id": r("anonymous-only", 300),
      "/account/*": r("anonymous-and-authenticated", 120),
      "/account/help": r("per-user", 30),
      "/static/*": r("all-users", 60),
    },
  },
  {
    name: "zero lifetimes",
    browserSeconds: 0,
    rules: {
      "/": r("all-users", 0),
      "/news/*": r("per-user", 0),
      "/products/:id": r("anonymous-and-authenticated", 60),
      "/account/*": r("per-user", 3600),
      "/account/help": r("anonymous-only", 0),
      "/static/*": r("anonymous-only", 60),
    },
  },
];

function optionsOf(config: Config): CacheHeadersOptions {
  const timeouts: Record<string, Record<string, string[]>> = {};
  for (const pattern of PATTERNS) {
    const { policy, lifetime } = config.rules[pattern];
    ((timeouts[policy] ??= {})[String(lifetime)] ??= []).push(pattern);
  }
  return {
    browserSeconds: config.browserSeconds,
    timeouts,
    keyed: { sessionCookie: SESSION, keyCookies: [FLASH] },
    onError: () => {},
  };
}

/** Compiled once per configuration: a fresh `cacheHeaders()` per case would dominate the run. */
const APPLY: ReadonlyMap<Config, ApplyCacheHeaders> = new Map(
  CONFIGS.map((config) => [config, cacheHeaders(optionsOf(config))]),
);

function ruleFor(config: Config, path: string): Rule | null {
  const [pattern] = PATHS[path] ?? [];
  return pattern === undefined ? null : config.rules[pattern];
}

/** What the proxy keys a policy's pages on besides the URL and the flash cookie. */
const KEYED_ON: Readonly<Record<PolicyName, "nothing" | "sign-in" | "session">> = {
  "all-users": "nothing",
  "anonymous-only": "sign-in",
  "anonymous-and-authenticated": "sign-in",
  "per-user": "session",
};

/** The `X-Hash-Cookies` the proxy requires for a URL: the cookies it keyed the URL on. */
function expectedHint(policy: PolicyName): string {
  const identity = KEYED_ON[policy] === "session"
    ? [SESSION]
    : KEYED_ON[policy] === "sign-in"
    ? [MARKER]
    : [];
  return [...identity, FLASH].join(", ");
}

// ---------------------------------------------------------------------------------------------
// Visitors
// ---------------------------------------------------------------------------------------------

const USERS = ["u1", "u2", "u3"] as const;
const secretOf = (user: string): string => `s3cr3t-${user}`;
const STALE = "expired-5a1e";
const USER_BY_SECRET: ReadonlyMap<string, string> = new Map(
  USERS.map((user) => [secretOf(user), user]),
);

type Pair = readonly [string, string];

type VisitorKind =
  | "anonymous"
  | "signed-in"
  | "just-signed-in"
  | "just-signed-out"
  | "forged-marker"
  | "odd-jar"
  | "bearer";

interface Visitor {
  readonly kind: VisitorKind;
  /** The `Cookie` header lines the client sends. */
  readonly lines: readonly string[];
  readonly authorization: string | null;
}

const ANALYTICS: readonly (readonly Pair[])[] = [
  [],
  [],
  [["_ga", "GA1.2.111"]],
  [["_ga", "GA1.2.222"], ["_gid", "GA1.2.9"]],
  [["_ga", "GA1.2.333"], ["_fbp", "fb.1.2"]],
];
const FLASHES: readonly (readonly Pair[])[] = [[], [], [], [[FLASH, "m1"]], [[FLASH, "m2"]]];

/** The core cookies plus maybe analytics and a flash message, in a random order. */
function jarArb(core: readonly Pair[]): fc.Arbitrary<readonly Pair[]> {
  return fc.tuple(fc.constantFrom(...ANALYTICS), fc.constantFrom(...FLASHES)).chain((
    [analytics, flash],
  ) => {
    const all = [...core, ...analytics, ...flash];
    return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
  });
}

function visitorOf(
  kind: VisitorKind,
  pairs: readonly Pair[],
  authorization: string | null = null,
): Visitor {
  const line = pairs.map(([name, value]) => `${name}=${value}`).join("; ");
  return { kind, lines: line === "" ? [] : [line], authorization };
}

const userArb = fc.constantFrom(...USERS);
const signedInCore = (user: string): Pair[] => [[SESSION, secretOf(user)], [MARKER, "1"]];

/** Duplicates, case variants and look-alikes a browser can hold (cookies of other paths or domains). */
function oddCores(user: string, other: string): Pair[][] {
  const secret = secretOf(user);
  return [
    [[SESSION, secret], [SESSION, secret], [MARKER, "1"]],
    [[SESSION, STALE], [SESSION, secret], [MARKER, "1"]],
    [[SESSION, secret], [SESSION, STALE], [MARKER, "1"]],
    [[SESSION, secret], [SESSION, secretOf(other)], [MARKER, "1"]],
    [["SessionID", secret], [MARKER, "1"]],
    [["SESSIONID", secret]],
    [[SESSION, secret], [MARKER, "1"], ["ISAUTHENTICATED", "1"]],
    [[MARKER, "1"], [MARKER, "1"], [SESSION, secret]],
    [["IsAuthenticated", "1"]],
    [["x_sessionid", secret]],
    [["x_sessionid", secretOf(other)], [SESSION, secret], [MARKER, "1"]],
    [[`${SESSION}_old`, secret], [`x${MARKER}`, "1"]],
  ];
}

const visitorArb: fc.Arbitrary<Visitor> = fc.oneof(
  { weight: 6, arbitrary: jarArb([]).map((pairs) => visitorOf("anonymous", pairs)) },
  {
    weight: 6,
    arbitrary: userArb.chain((user) => jarArb(signedInCore(user))).map((pairs) =>
      visitorOf("signed-in", pairs)
    ),
  },
  {
    weight: 1,
    arbitrary: userArb.chain((user) => jarArb([[SESSION, secretOf(user)]])).map((pairs) =>
      visitorOf("just-signed-in", pairs)
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Pair[]>(
      [[MARKER, "1"]],
      [[MARKER, "1"], [SESSION, STALE]],
      [[SESSION, STALE]],
    ).chain(jarArb).map((pairs) => visitorOf("just-signed-out", pairs)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Pair[]>([[MARKER, "1"]], [[MARKER, "0"]], [[MARKER, "yes"]])
      .chain(jarArb).map((pairs) => visitorOf("forged-marker", pairs)),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(userArb, userArb).chain(([user, other]) =>
      fc.constantFrom(...oddCores(user, other === user ? "u3" : other))
    ).chain(jarArb).map((pairs) => visitorOf("odd-jar", pairs)),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(
      fc.constantFrom(...USERS.map((user) => `Bearer tok-${user}`), "Bearer tok-expired"),
      fc.boolean(),
    ).chain(([authorization, withCookies]) => {
      const user = /tok-(u\d)/.exec(authorization)?.[1];
      const core = withCookies && user !== undefined ? signedInCore(user) : [];
      return jarArb(core).map((pairs) => visitorOf("bearer", pairs, authorization));
    }),
  },
);

// ---------------------------------------------------------------------------------------------
// Handler replies and visits
// ---------------------------------------------------------------------------------------------

interface Reply {
  readonly status: 200 | 404;
  readonly setCookie: string | null;
  readonly cacheControl: string | null;
  readonly accelExpires: string | null;
  readonly vary: string | null;
}

const PLAIN: Reply = {
  status: 200,
  setCookie: null,
  cacheControl: null,
  accelExpires: null,
  vary: null,
};

const replyArb: fc.Arbitrary<Reply> = fc.oneof(
  { weight: 12, arbitrary: fc.constant(PLAIN) },
  {
    weight: 3,
    arbitrary: fc.record({
      status: fc.constantFrom<(200 | 404)[]>(200, 200, 200, 404),
      setCookie: fc.constantFrom(null, null, "csrftoken=abc; Path=/", `${SESSION}=fresh; Path=/`),
      cacheControl: fc.constantFrom(
        null,
        null,
        "public, max-age=600",
        "private, max-age=60",
        "no-store",
      ),
      accelExpires: fc.constantFrom(null, null, "600"),
      vary: fc.constantFrom(null, null, "Accept-Encoding", "*"),
    }),
  },
);

interface Visit {
  readonly path: string;
  readonly query: string;
  readonly method: string;
  readonly visitor: Visitor;
  readonly acceptEncoding: string | null;
  readonly reply: Reply;
}

interface Page {
  readonly path: string;
  readonly query: string;
}

const pageArb: fc.Arbitrary<Page> = fc.record({
  path: fc.constantFrom(...Object.keys(PATHS)),
  query: fc.constantFrom("", "", "", "?q=1"),
});

const visitPartsArb = fc.record({
  method: fc.constantFrom("GET", "GET", "GET", "GET", "GET", "HEAD", "POST"),
  acceptEncoding: fc.constantFrom(null, null, "gzip"),
  reply: replyArb,
});

/** Several visits to at most two pages (mostly the first), so that visitors meet in the caches. */
function visitsArb(visitor: fc.Arbitrary<Visitor>): fc.Arbitrary<readonly Visit[]> {
  return fc.tuple(
    fc.tuple(pageArb, pageArb),
    fc.array(
      fc.tuple(fc.nat(3), visitPartsArb, visitor),
      { minLength: 2, maxLength: 8 },
    ),
  ).map(([pages, visits]) =>
    visits.map(([page, parts, who]) => ({ ...pages[page < 3 ? 0 : 1], ...parts, visitor: who }))
  );
}

// ---------------------------------------------------------------------------------------------
// The application: identities and labels
// ---------------------------------------------------------------------------------------------

/** Test-only response header: `audience|flash message` the page was made with. */
const MADE_FOR = "x-test-made-for";
const EVERYBODY = "everybody";
const ANONYMOUS = "anonymous";
/** The signed-in variant of an anonymous-and-authenticated page, shared by all signed-in users. */
const SIGNED_IN = "signed-in";
/** The keyed cache may store only pages made for everybody under this key. */
const NOBODY = "nobody";

const PRIVATE_OR_NO_STORE = /(?:^|[\s,])(?:private|no-store)(?:$|[\s,=])/i;

function requestOf(visit: Visit): Request {
  const headers = new Headers();
  for (const line of visit.visitor.lines) headers.append("cookie", line);
  if (visit.visitor.authorization !== null) {
    headers.set("authorization", visit.visitor.authorization);
  }
  if (visit.acceptEncoding !== null) headers.set("accept-encoding", visit.acceptEncoding);
  return new Request(ORIGIN + visit.path + visit.query, { method: visit.method, headers });
}

/** What the application's session store and token check say about a request. */
function identityOf(request: Request, parser: AppCookieParser): string | null {
  const bearer = /^Bearer tok-(u\d)$/.exec(request.headers.get("authorization") ?? "");
  if (bearer !== null) return bearer[1]!;
  const session = appCookie(request.headers.get("cookie"), SESSION, parser);
  return USER_BY_SECRET.get(session ?? "") ?? null;
}

/** Who the handler made the page for (the flash message goes with it). */
function audienceMadeFor(
  config: Config,
  visit: Visit,
  identity: string | null,
  index: number,
): string {
  const { reply } = visit;
  if (reply.setCookie !== null) return `only-visit-${index}`;
  const rule = ruleFor(config, visit.path);
  if (rule?.policy === "all-users") return EVERYBODY;
  if (reply.cacheControl !== null && !PRIVATE_OR_NO_STORE.test(reply.cacheControl)) {
    return EVERYBODY; // the handler's own shareable Cache-Control wins (decision order 2)
  }
  if (identity === null) return ANONYMOUS;
  if (rule?.policy === "anonymous-and-authenticated") return SIGNED_IN;
  return identity;
}

function handlerResponse(visit: Visit, label: string): Response {
  const { reply } = visit;
  const headers = new Headers({ "content-type": "text/html", [MADE_FOR]: label });
  if (reply.setCookie !== null) headers.append("set-cookie", reply.setCookie);
  if (reply.cacheControl !== null) headers.set("cache-control", reply.cacheControl);
  if (reply.accelExpires !== null) headers.set("x-accel-expires", reply.accelExpires);
  if (reply.vary !== null) headers.set("vary", reply.vary);
  return new Response("page", { status: reply.status, headers });
}

interface Label {
  readonly audience: string;
  readonly flash: string;
}

function labelOf(headers: Headers): Label {
  const raw = headers.get(MADE_FOR) ?? "missing label|";
  const bar = raw.lastIndexOf("|");
  return { audience: raw.slice(0, bar), flash: raw.slice(bar + 1) };
}

// ---------------------------------------------------------------------------------------------
// The walk through the caches
// ---------------------------------------------------------------------------------------------

/** What the keyed cache knows about one request. */
interface KeyedView {
  readonly session: string;
  readonly markerPresent: boolean;
  readonly flash: string;
}

interface KeyedEntry {
  readonly status: number;
  readonly headers: Headers;
  readonly varyNames: readonly string[];
  readonly varyValues: readonly (string | null)[];
  /** Who stored it: the `Cookie` header and identity of that request. */
  readonly storedCookie: string | null;
  readonly storedBy: string | null;
}

interface DownstreamEntry {
  readonly policy: CachePolicy;
  readonly audience: string;
}

/** Reuse counted in the keyed cache: the promised kinds must all happen. */
interface Hits {
  /** Anonymous copies reused by anonymous visitors with another `Cookie` header, per policy. */
  readonly anonymousAcrossJars: Record<
    "anonymous-only" | "anonymous-and-authenticated" | "per-user",
    number
  >;
  /** A signed-in user's own per-user page reused for them. */
  perUserOwn: number;
  /** The signed-in variant of an anonymous-and-authenticated page reused across users. */
  signedInAcrossUsers: number;
  /** An all-users page reused. */
  everybody: number;
  /** Inherent: the marker without a valid session read the signed-in variant. */
  markerReadsSignedInVariant: number;
  /** Inherent: a session cookie without the marker yet read the anonymous copy. */
  sessionWithoutMarkerReadsAnonymous: number;
  /** Hits for jars that nginx and the application read differently (checked against the key). */
  disagreeingJar: number;
  /** Downstream reuse, (b) or (c). */
  downstream: number;
  /** Entries the keyed cache stored. */
  stored: number;
}

function noHits(): Hits {
  return {
    anonymousAcrossJars: {
      "anonymous-only": 0,
      "anonymous-and-authenticated": 0,
      "per-user": 0,
    },
    perUserOwn: 0,
    signedInAcrossUsers: 0,
    everybody: 0,
    markerReadsSignedInVariant: 0,
    sessionWithoutMarkerReadsAnonymous: 0,
    disagreeingJar: 0,
    downstream: 0,
    stored: 0,
  };
}

/** The audience a keyed-cache key stands for. */
function keyAudience(policy: PolicyName, view: KeyedView): string {
  switch (KEYED_ON[policy]) {
    case "nothing":
      return EVERYBODY;
    case "sign-in":
      return view.markerPresent ? SIGNED_IN : ANONYMOUS;
    case "session": {
      if (view.session === "") return ANONYMOUS;
      // Whoever sends this value holds that user's secret.
      return USERS.find((user) => view.session.includes(secretOf(user))) ?? NOBODY;
    }
  }
}

function keyOf(url: string, policy: PolicyName, view: KeyedView): string {
  const identity = KEYED_ON[policy] === "session"
    ? `s=${view.session}`
    : KEYED_ON[policy] === "sign-in"
    ? `m=${view.markerPresent ? 1 : 0}`
    : "";
  return `${url}|${identity}|f=${view.flash}`;
}

function varyNamesOf(headers: Headers): string[] {
  return (headers.get("vary") ?? "").split(",").map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "" && name !== "cookie");
}

type Downstream = "none" | "rfc9111" | "url-only";

interface Run {
  readonly config: Config;
  readonly parser: AppCookieParser;
  readonly visits: readonly Visit[];
}

/**
 * Plays visits through the keyed cache and one downstream cache, asserting on every store and
 * every reuse. Returns nothing; failures throw with the visit that broke the rule.
 */
function play(run: Run, downstream: Downstream, hits: Hits): void {
  const { config, parser, visits } = run;
  const apply = APPLY.get(config)!;
  const keyed = new Map<string, KeyedEntry[]>();
  const behind: DownstreamEntry[] = [];

  visits.forEach((visit, index) => {
    const where = `visit ${index} (${config.name}, app reads the ${parser} duplicate): ` +
      `${visit.method} ${visit.path}${visit.query} as ${visit.visitor.kind} ` +
      `${visible(visit.visitor.lines)}${
        visit.visitor.authorization ? ` + ${visit.visitor.authorization}` : ""
      }`;
    const request = requestOf(visit);
    const cookieHeader = request.headers.get("cookie");
    const identity = identityOf(request, parser);
    const visitorAudience = identity ?? ANONYMOUS;
    const appFlash = appCookie(cookieHeader, FLASH, parser) ?? "";
    const lines = visit.visitor.lines;
    const view: KeyedView = {
      session: nginxCookie(lines, SESSION) ?? "",
      markerPresent: (nginxCookie(lines, MARKER) ?? "") !== "",
      flash: nginxCookie(lines, FLASH) ?? "",
    };
    const agrees = (name: string) =>
      nginxCookie(lines, name) === appCookie(cookieHeader, name, parser);
    const clean = agrees(SESSION) && agrees(MARKER) && agrees(FLASH);
    const rule = ruleFor(config, visit.path);
    const bypass = (visit.method !== "GET" && visit.method !== "HEAD") ||
      visit.visitor.authorization !== null || rule === null ||
      (rule.policy === "anonymous-only" && view.markerPresent);
    const key = bypass || rule === null ? null : keyOf(visit.path + visit.query, rule.policy, view);

    /** Whether a page made for `made` may reach this visitor; counts the inherent reuses. */
    const mayReach = (made: string, counting: boolean): boolean => {
      if (made === EVERYBODY || made === visitorAudience) return true;
      if (made === SIGNED_IN && identity !== null) return true;
      if (made === SIGNED_IN && view.markerPresent) {
        if (counting) hits.markerReadsSignedInVariant++;
        return true;
      }
      if (made === ANONYMOUS && view.session !== "" && !view.markerPresent) {
        if (counting) hits.sessionWithoutMarkerReadsAnonymous++;
        return true;
      }
      return false;
    };

    // (a) The keyed cache: look up.
    let delivered: { status: number; headers: Headers } | null = null;
    if (key !== null && rule !== null) {
      const entry = keyed.get(key)?.find((candidate) =>
        candidate.varyNames.every((name, at) =>
          request.headers.get(name) === candidate.varyValues[at]
        )
      );
      if (entry !== undefined) {
        const made = labelOf(entry.headers);
        if (!clean) {
          hits.disagreeingJar++;
        } else {
          assert.ok(
            mayReach(made.audience, true),
            `${where}: the keyed cache served a page made for ${made.audience} to ${visitorAudience}`,
          );
          assert.equal(
            made.flash,
            appFlash,
            `${where}: the keyed cache served the flash "${made.flash}" instead of "${appFlash}"`,
          );
          if (made.audience === EVERYBODY) hits.everybody++;
          else if (
            made.audience === ANONYMOUS && identity === null && rule.policy !== "all-users" &&
            cookieHeader !== entry.storedCookie
          ) {
            hits.anonymousAcrossJars[rule.policy]++;
          } else if (rule.policy === "per-user" && made.audience === identity) {
            hits.perUserOwn++;
          } else if (
            made.audience === SIGNED_IN && identity !== null && identity !== entry.storedBy
          ) {
            hits.signedInAcrossUsers++;
          }
        }
        delivered = { status: entry.status, headers: entry.headers };
      }
    }

    // A miss: the application answers through cachewise, and the keyed cache may store.
    if (delivered === null) {
      const audience = audienceMadeFor(config, visit, identity, index);
      const response = apply(
        request,
        handlerResponse(visit, `${audience}|${appFlash}`),
        identity === null ? null : { id: identity },
      );
      delivered = { status: response.status, headers: response.headers };
      const headers = response.headers;
      const accel = headers.get("x-accel-expires");
      const varyNames = varyNamesOf(headers);
      const stores = key !== null && rule !== null && accel !== null && /^\d+$/.test(accel) &&
        Number(accel) > 0 && !headers.has("set-cookie") &&
        headers.get("x-hash-cookies") === expectedHint(rule.policy) && !varyNames.includes("*");
      if (stores) {
        const made = labelOf(headers);
        const forKey = keyAudience(rule.policy, view);
        assert.ok(
          made.audience === EVERYBODY || made.audience === forKey,
          `${where}: the keyed cache stored a page made for ${made.audience} under the key of ` +
            `${forKey} (${key}; Cache-Control: ${headers.get("cache-control")})`,
        );
        assert.equal(
          made.flash,
          view.flash,
          `${where}: the keyed cache stored the flash "${made.flash}" under the key of "${view.flash}"`,
        );
        const entries = keyed.get(key) ?? [];
        const varyValues = varyNames.map((name) => request.headers.get(name));
        const others = entries.filter((entry) =>
          JSON.stringify(entry.varyNames) !== JSON.stringify(varyNames) ||
          JSON.stringify(entry.varyValues) !== JSON.stringify(varyValues)
        );
        keyed.set(key, [...others, {
          status: response.status,
          headers,
          varyNames,
          varyValues,
          storedCookie: cookieHeader,
          storedBy: identity,
        }]);
        hits.stored++;
      }
    }

    if (downstream === "none") return;

    // (b) or (c): a shared cache behind the keyed one, which strips its own headers.
    const lookup = cacheRequestOf(request);
    const urlOnly = downstream === "url-only";
    for (const stored of behind) {
      if (!reusable(stored.policy, lookup)) continue;
      assert.ok(
        urlOnly
          // Ignoring Vary, the anonymous copy may reach anybody: the default mode's documented limit.
          ? stored.audience === EVERYBODY || stored.audience === ANONYMOUS ||
            stored.audience === visitorAudience
          : mayReach(stored.audience, false),
        `${where}: the ${downstream} cache behind the keyed one served a page made for ` +
          `${stored.audience} to ${visitorAudience}`,
      );
      hits.downstream++;
    }
    const policy = new CachePolicy(
      lookup,
      downstreamResponseOf(delivered.status, delivered.headers, urlOnly),
      { shared: true },
    );
    if (policy.storable()) {
      const made = labelOf(delivered.headers).audience;
      assert.ok(
        made === EVERYBODY || made === ANONYMOUS,
        `${where}: the ${downstream} cache behind the keyed one may store ${made}'s page ` +
          `(Cache-Control: ${delivered.headers.get("cache-control")})`,
      );
      behind.push({ policy, audience: made });
    }
  });
}

/** JSON with every character outside printable ASCII escaped (a tab, an NBSP). */
function visible(value: unknown): string {
  return JSON.stringify(value).replace(
    /[^\x20-\x7e]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const runArb = (visitor: fc.Arbitrary<Visitor>): fc.Arbitrary<Run> =>
  fc.record({
    config: fc.constantFrom(...CONFIGS),
    parser: fc.constantFrom<AppCookieParser[]>("first", "last"),
    visits: visitsArb(visitor),
  });

function assertPromisedReuse(hits: Hits): void {
  const summary = JSON.stringify(hits);
  for (const [policy, count] of Object.entries(hits.anonymousAcrossJars)) {
    assert.ok(count > 0, `no ${policy} anonymous copy shared across cookie jars: ${summary}`);
  }
  assert.ok(hits.perUserOwn > 0, `no signed-in user reused their own per-user page: ${summary}`);
  assert.ok(
    hits.signedInAcrossUsers > 0,
    `no signed-in variant shared between signed-in users: ${summary}`,
  );
  assert.ok(hits.everybody > 0, `no all-users page reused: ${summary}`);
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe("keyed mode properties", () => {
  test("the oracle's rule table is the rule cachewise picks", () => {
    for (const config of CONFIGS) {
      const apply = APPLY.get(config)!;
      for (const path of Object.keys(PATHS)) {
        const decided = apply.explain(new Request(ORIGIN + path), new Response("x"), null).rule;
        const intended = ruleFor(config, path);
        assert.deepEqual(
          decided === null ? null : [decided.policy, decided.lifetime],
          intended === null ? null : [intended.policy, intended.lifetime],
          `${config.name} ${path}`,
        );
      }
    }
  });

  test("(a) keyed cache: each page reaches only its audience, and the promised reuse happens", () => {
    const hits = noHits();
    fc.assert(fc.property(runArb(visitorArb), (run) => play(run, "none", hits)), {
      numRuns: NUM_RUNS,
    });
    assertPromisedReuse(hits);
  });

  test("(b) RFC 9111 shared cache behind the keyed cache: nothing for a signed-in user is stored", () => {
    const hits = noHits();
    fc.assert(fc.property(runArb(visitorArb), (run) => play(run, "rfc9111", hits)), {
      numRuns: NUM_RUNS,
    });
    assertPromisedReuse(hits);
    assert.ok(hits.downstream > 0, "no reuse in the RFC 9111 cache behind the keyed one");
  });

  test("(c) URL-only cache behind the keyed cache: nothing for a signed-in user is stored", () => {
    const hits = noHits();
    fc.assert(fc.property(runArb(visitorArb), (run) => play(run, "url-only", hits)), {
      numRuns: NUM_RUNS,
    });
    assertPromisedReuse(hits);
    assert.ok(hits.downstream > 0, "no reuse in the URL-only cache behind the keyed one");
  });
});

// ---------------------------------------------------------------------------------------------
// Gaps this suite found, now closed: odd separators, ambiguous key cookies, sign-in responses
// ---------------------------------------------------------------------------------------------

/** Separators a client may put between cookie pairs; nginx skips only spaces after `;`. */
const SEPARATORS = ["; ", ";", ";\t", "; \t", ";\u00a0", ";\u000b", ";\u000c", ", ", ","];

/**
 * Jars that are not in the plain form browsers send: odd separators between pairs (and two
 * header lines), or duplicate and case-variant flash cookies.
 */
function oddHeaderVisitorArb(oddSeparators: boolean, oddFlash: boolean): fc.Arbitrary<Visitor> {
  return fc.tuple(
    fc.oneof(
      fc.constant<Pair[]>([]),
      userArb.map(signedInCore),
      userArb.map((user): Pair[] => [[SESSION, secretOf(user)]]),
    ),
    oddFlash
      ? fc.constantFrom<Pair[]>(
        [[FLASH, "m1"], [FLASH, "m2"]],
        [["Messages", "m1"]],
        [["MESSAGES", "m2"], [FLASH, "m1"]],
      )
      : fc.constant<Pair[]>([]), // no flash cookie: the identity cookies alone
    fc.constantFrom<Pair[]>([], [["_ga", "GA1.2.111"]]),
  ).chain(([core, flash, analytics]) => {
    const all = [...core, ...flash, ...analytics];
    return fc.tuple(
      fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
      fc.array(fc.constantFrom(...(oddSeparators ? SEPARATORS : ["; "])), {
        minLength: all.length,
        maxLength: all.length,
      }),
      fc.boolean().map((two) => two && oddSeparators),
    );
  }).map(([pairs, separators, twoLines]): Visitor => {
    const parts = pairs.map(([name, value]) => `${name}=${value}`);
    if (twoLines && parts.length > 1) {
      const half = Math.ceil(parts.length / 2);
      return {
        kind: "odd-jar",
        lines: [parts.slice(0, half).join("; "), parts.slice(half).join("; ")],
        authorization: null,
      };
    }
    const line = parts.map((part, at) => (at === 0 ? "" : separators[at]) + part).join("");
    return { kind: "odd-jar", lines: line === "" ? [] : [line], authorization: null };
  });
}

describe("keyed mode: cookies nginx reads differently, and sign-in responses", () => {
  const apply = APPLY.get(CONFIGS[0]!)!;
  const hintsOf = (path: string, cookie: string, identity: string | null) => {
    const headers = apply(
      new Request(ORIGIN + path, { headers: { cookie } }),
      new Response("page"),
      identity === null ? null : { id: identity },
    ).headers;
    return {
      "x-accel-expires": headers.get("x-accel-expires"),
      "x-hash-cookies": headers.get("x-hash-cookies"),
    };
  };
  const NOT_KEPT = { "x-accel-expires": null, "x-hash-cookies": null };

  test(
    "an identity cookie after a tab or NBSP is read as nginx's $cookie_NAME reads it (absent)",
    () => {
      // nginx: $cookie_sessionid is empty here, so the key is the anonymous per-user copy's.
      assert.deepEqual(
        hintsOf("/account/x", "isauthenticated=1; x=1;\tsessionid=s3cr3t-u1", "u1"),
        NOT_KEPT,
      );
      assert.deepEqual(
        hintsOf("/account/x", "isauthenticated=1;\u00a0sessionid=s3cr3t-u1", "u1"),
        NOT_KEPT,
      );
      // nginx: no marker, so the key is the anonymous copy's; cachewise sends the signed-in variant.
      assert.deepEqual(
        hintsOf("/products/1", "sessionid=s3cr3t-u1;\tisauthenticated=1", "u1"),
        NOT_KEPT,
      );
    },
  );

  test(
    "key cookies fail closed like the identity cookies: a duplicate or case-variant flash cookie",
    () => {
      assert.deepEqual(hintsOf("/news/1", "messages=m1; messages=m2", null), NOT_KEPT);
      assert.deepEqual(hintsOf("/news/1", "Messages=m1", null), NOT_KEPT);
      assert.deepEqual(hintsOf("/account/x", "MESSAGES=m2; messages=m1", null), NOT_KEPT);
    },
  );

  test(
    "the sign-in response, which sets the session cookie, sets the marker too",
    () => {
      const response = apply(
        new Request(`${ORIGIN}/login`, { method: "POST" }),
        new Response(null, {
          status: 302,
          headers: {
            location: "/",
            "set-cookie": `${SESSION}=${secretOf("u1")}; Path=/; HttpOnly`,
          },
        }),
        { id: "u1" },
      );
      assert.ok(
        response.headers.getSetCookie().some((cookie) => cookie.startsWith(`${MARKER}=1;`)),
        JSON.stringify(response.headers.getSetCookie()),
      );
    },
  );

  for (
    const [what, separators, flash] of [
      ["odd separators (tabs, NBSP, VT, FF, commas, two header lines)", true, false],
      ["duplicate and case-variant flash cookies", false, true],
    ] as const
  ) {
    test(`(a) keyed cache with ${what}: every store matches nginx's key`, () => {
      const hits = noHits();
      fc.assert(
        fc.property(
          runArb(oddHeaderVisitorArb(separators, flash)),
          (run) => play(run, "none", hits),
        ),
        { numRuns: NUM_RUNS },
      );
    });
  }
});
