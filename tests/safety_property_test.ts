/**
 * Safety invariants of PRODUCT.md (1 to 6, default mode) as properties: random rule sets, visitors
 * and handler responses, checked against two shared-cache models built on `http-cache-semantics`
 * and against the headers of every response directly.
 *
 * Rules come in both forms: `timeouts`, and the ordered `rules` form with its settings (per-rule
 * browser lifetime, stale-while-revalidate, stale-if-error and immutable on `all-users` rules,
 * opted-in statuses, cache tags, per-target lifetimes), under random `targets` and `tagHeaders`.
 * A third of the rules name a custom policy (`CUSTOM_RESULTS` in _cache_models.ts: `no-cache`
 * with a `max-age`, shared lifetimes, `private`, `no-store`), declared in `timeouts`; handlers may
 * set every targeted lifetime field, Akamai's `Edge-Control` included.
 *
 * Each stored response is tagged, in a test-only header, with the audience it was made for:
 * `anonymous`, a user id, or `everybody` (an `all-users` page, or a page whose handler declared it
 * shareable with its own `Cache-Control`, which wins by design). A cache may hand a stored page
 * only to the audience it was made for.
 *
 * `http-cache-semantics` does model RFC 9111 §3.5: its `storable()` refuses a response to a
 * request with `Authorization` in a shared cache unless the response has `public`, `s-maxage` or
 * `must-revalidate` (`_allowsStoringAuthenticated()` in its index.js), so the models below rely on
 * it for that rule instead of re-implementing it.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import CachePolicy from "http-cache-semantics";
import { cacheHeaders, type CacheHeadersOptions } from "../mod.ts";
import {
  CUSTOM_POLICIES,
  CUSTOM_POLICY_NAMES,
  type CustomPolicyName,
  customSharedLifetime,
  isCustomPolicy,
  LIFETIME_FIELDS,
  POLICIES,
  type PolicyName,
  sharedCacheableBecause,
  TAG_HEADERS,
  type Target,
  TARGETS,
} from "./_cache_models.ts";

const NUM_RUNS = 10_000;
/**
 * Per-test time limit. Bun's default is 5 s, and property 1 takes 2.5 s under Bun on an idle
 * two-core machine, 4 s and more on a loaded one.
 */
const SLOW = { timeout: 120_000 };

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

const PATTERNS = ["/", "/a", "/a/:id", "/a/*", "/b/*", "/b/x"] as const;
type Pattern = typeof PATTERNS[number];

/**
 * The paths visited, each with the patterns above that match it, most specific first: fixed
 * text, then a named group, then a wildcard (the documented specificity). Kept by hand so that
 * the audience labels do not depend on the matcher under test.
 */
const PATHS: Readonly<Record<string, readonly Pattern[]>> = {
  "/": ["/"],
  "/a": ["/a"],
  "/a/": ["/a/*"],
  "/a/1": ["/a/:id", "/a/*"],
  "/a/2": ["/a/:id", "/a/*"],
  "/a/1/edit": ["/a/*"],
  "/b/x": ["/b/x", "/b/*"],
  "/b/y": ["/b/*"],
  "/c": [],
};

/** Lifetimes with two spellings each: seconds and a duration. */
const LIFETIMES = [[0, "0s"], [1, "1s"], [60, "1m"], [3600, "1h"]] as const;

/**
 * The runtime's own URLPattern (Deno, Bun). Rules are then mostly given as URLPattern objects
 * built once here, because Deno's constructor costs about 0.3 ms a pattern and a fresh
 * `cacheHeaders()` per case would dominate the run; Node 20 has none, and rules are strings there.
 */
const NativeURLPattern = (globalThis as { URLPattern?: typeof URLPattern }).URLPattern;
const PREBUILT: ReadonlyMap<Pattern, URLPattern> = new Map(
  NativeURLPattern === undefined
    ? []
    : PATTERNS.map((pattern) => [pattern, new NativeURLPattern({ pathname: pattern })]),
);

/** Targets (option `targets`) and cache-tag headers (option `tagHeaders`). */
const DEFAULT_TARGETS: readonly Target[] = ["s-maxage", "x-accel-expires"];
type TagHeader = keyof typeof TAG_HEADERS;
const TAG_HEADER_NAMES = Object.keys(TAG_HEADERS) as TagHeader[];

/** Statuses a rule may opt in to, among those the handlers below answer with. */
const OPTIONAL_STATUSES = [203, 204, 301, 308, 404, 410] as const;

/** What a rule declared in the ordered `rules` form carries beyond policy and lifetime. */
interface Settings {
  /** The rule's own `browserSeconds`. */
  readonly browserSeconds: number | null;
  /** RFC 5861 and RFC 8246 settings: `all-users` rules with a lifetime only. */
  readonly staleWhileRevalidate: number | null;
  readonly staleIfError: number | null;
  readonly immutable: boolean;
  /** Opted-in statuses with their lifetimes. */
  readonly statuses: ReadonlyMap<number, number>;
  /** Tag templates (only with option `tagHeaders`); `item-:id` only on `/a/:id`. */
  readonly tags: readonly string[];
  /** Lifetimes per target (targets of the deployment, rules with a lifetime only). */
  readonly targets: Readonly<Partial<Record<Target, number>>>;
}

interface Rule {
  readonly pattern: Pattern;
  readonly policy: PolicyName | CustomPolicyName;
  readonly lifetime: number;
  /** The lifetime as written in `timeouts` or as `ttl`. */
  readonly spelling: string;
  /** Whether the pattern is passed as a prebuilt URLPattern rather than a string. */
  readonly prebuilt: boolean;
  /** Settings of a rule declared in the ordered `rules` form; `null` for `timeouts`. */
  readonly settings: Settings | null;
}

interface Config {
  readonly rules: readonly Rule[];
  readonly browserSeconds: number;
  /** Option `targets`, or `null` to leave the default. */
  readonly targets: readonly Target[] | null;
  readonly tagHeaders: readonly TagHeader[];
}

const optionalSeconds = (...seconds: number[]) =>
  fc.option(fc.constantFrom(...seconds), { nil: null, freq: 2 });

/** Tag templates a rule may declare; `item-:id` needs the group of `/a/:id`. */
const TEMPLATES = ["items", "all", "x_y.z~1", "item-:id"] as const;

/**
 * Settings for a rule of the ordered form, before they are made consistent with the rule and the
 * deployment by {@link consistentSettings}. Generated without `chain`, which would build new
 * arbitraries for every value.
 */
const rawSettingsArb = fc.record({
  browserSeconds: optionalSeconds(0, 1, 5, 60, 86_400),
  staleWhileRevalidate: optionalSeconds(30, 86_400),
  staleIfError: optionalSeconds(30, 86_400),
  immutable: fc.boolean(),
  statuses: fc.uniqueArray(
    fc.tuple(
      fc.constantFrom(...OPTIONAL_STATUSES),
      fc.constantFrom(...LIFETIMES).map(([seconds]) => seconds),
    ),
    { maxLength: 2, selector: ([status]) => status },
  ),
  tags: fc.subarray([...TEMPLATES], { minLength: 1 }),
  targets: fc.record(
    Object.fromEntries(
      TARGETS.map((target) => [target, optionalSeconds(1, 60, 3600, 86_400)]),
    ) as Record<Target, fc.Arbitrary<number | null>>,
  ),
});
type RawSettings = typeof rawSettingsArb extends fc.Arbitrary<infer T> ? T : never;

/**
 * The settings cachewise accepts (inconsistent ones are construction errors, tested elsewhere):
 * RFC 5861/8246 settings on `all-users` rules with a lifetime only, per-target lifetimes for
 * targets of the deployment on rules with a lifetime, tags only with tag headers and `:id` only
 * on `/a/:id`.
 */
function consistentSettings(
  raw: RawSettings,
  rule: {
    readonly pattern: Pattern;
    readonly policy: PolicyName | CustomPolicyName;
    readonly lifetime: number;
  },
  targets: readonly Target[],
  tagged: boolean,
): Settings {
  const decorated = rule.policy === "all-users" && rule.lifetime > 0;
  const tags = raw.tags.filter((tag) => tag !== "item-:id" || rule.pattern === "/a/:id");
  return {
    browserSeconds: raw.browserSeconds,
    staleWhileRevalidate: decorated ? raw.staleWhileRevalidate : null,
    staleIfError: decorated ? raw.staleIfError : null,
    immutable: decorated && raw.immutable,
    statuses: new Map(raw.statuses),
    tags: tagged ? (tags.length === 0 ? ["all"] : tags) : [],
    targets: rule.lifetime === 0 ? {} : Object.fromEntries(
      targets.flatMap((target) => {
        const seconds = raw.targets[target];
        return seconds === null ? [] : [[target, seconds]];
      }),
    ),
  };
}

const rawRuleArb = fc.record({
  pattern: fc.constantFrom(...PATTERNS),
  policy: fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom<PolicyName | CustomPolicyName>(...POLICIES) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<PolicyName | CustomPolicyName>(...CUSTOM_POLICY_NAMES),
    },
  ),
  lifetime: fc.constantFrom(...LIFETIMES),
  asDuration: fc.boolean(),
  prebuilt: fc.constantFrom(false, true, true, true).map((prebuilt) =>
    prebuilt && PREBUILT.size > 0
  ),
  /** Declared in the ordered `rules` form (with settings) rather than `timeouts`: a third. */
  ordered: fc.constantFrom(false, false, true),
  settings: rawSettingsArb,
});

/**
 * One rule per pattern: two rules with one pattern and different lifetimes is a config error.
 * About half the configurations keep the default targets, half write no tags.
 */
const configArb: fc.Arbitrary<Config> = fc.record({
  targets: fc.option(fc.shuffledSubarray([...TARGETS]), { nil: null, freq: 2 }),
  tagHeaders: fc.oneof(
    fc.constant([]),
    fc.shuffledSubarray(TAG_HEADER_NAMES, { minLength: 1 }),
  ),
  browserSeconds: fc.constantFrom(0, 5, 60, 86_400),
  rules: fc.uniqueArray(rawRuleArb, {
    minLength: 1,
    maxLength: 6,
    selector: (rule) => rule.pattern,
  }),
}).map(({ targets, tagHeaders, browserSeconds, rules }) => ({
  targets,
  tagHeaders,
  browserSeconds,
  rules: rules.map((raw) => {
    const [seconds, duration] = raw.lifetime;
    const rule = { pattern: raw.pattern, policy: raw.policy, lifetime: seconds };
    return {
      ...rule,
      spelling: raw.asDuration ? duration : String(seconds),
      prebuilt: raw.prebuilt,
      settings: raw.ordered && !isCustomPolicy(rule.policy)
        ? consistentSettings(raw.settings, rule, targets ?? DEFAULT_TARGETS, tagHeaders.length > 0)
        : null,
    };
  }),
}));

const USERS = ["u1", "u2", "u3"] as const;

interface Visitor {
  /** The identity passed to `apply()`: a user id, or `null` for an anonymous visitor. */
  readonly user: string | null;
  readonly cookie: string | null;
  readonly authorization: string | null;
}

const ANALYTICS = ["_ga=GA1.2.111", "_ga=GA1.2.222; _gid=GA1.2.9"] as const;

const anonymousArb: fc.Arbitrary<Visitor> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ user: null, cookie: null, authorization: null }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(...ANALYTICS).map((cookie) => ({
      user: null,
      cookie,
      authorization: null,
    })),
  },
  // A token the application rejected: still an anonymous visitor, but the request carries one.
  {
    weight: 1,
    arbitrary: fc.constant({ user: null, cookie: null, authorization: "Bearer expired" }),
  },
);

const signedInArb: fc.Arbitrary<Visitor> = fc.record({
  user: fc.constantFrom(...USERS),
  bearer: fc.boolean(),
  analytics: fc.option(fc.constantFrom(...ANALYTICS), { nil: null }),
  analyticsFirst: fc.boolean(),
}).map(({ user, bearer, analytics, analyticsFirst }) => {
  const session = `sessionid=s3cr3t-${user}`;
  const withAnalytics = analytics === null
    ? session
    : analyticsFirst
    ? `${analytics}; ${session}`
    : `${session}; ${analytics}`;
  return bearer
    ? { user, cookie: analytics, authorization: `Bearer tok-${user}` }
    : { user, cookie: withAnalytics, authorization: null };
});

const visitorArb: fc.Arbitrary<Visitor> = fc.oneof(
  { weight: 1, arbitrary: anonymousArb },
  { weight: 1, arbitrary: signedInArb },
);

const SET_COOKIES = [
  "csrftoken=abc123; Path=/",
  "sessionid=fresh; HttpOnly; Path=/",
  "seen=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
] as const;

const HANDLER_CACHE_CONTROLS = [
  "public, max-age=600",
  "max-age=600",
  "s-maxage=600",
  "Public, Max-Age=600",
  "no-cache",
  "no-store",
  "private",
  "private, max-age=60",
  "max-age=0, must-revalidate",
] as const;

/** Every targeted lifetime field, as a handler might set it. */
const TARGETED: readonly (readonly [string, string])[] = [...LIFETIME_FIELDS, "edge-control"].map((
  name,
) => [name, name === "x-accel-expires" ? "600" : "max-age=600"] as const);

/** What the handler answers. */
interface Reply {
  readonly status: number;
  readonly statusText: string;
  readonly body: string;
  readonly setCookies: readonly string[];
  readonly vary: string | null;
  readonly cacheControl: string | null;
  readonly targeted: readonly (readonly [string, string])[];
}

/** `null` most of the time, otherwise a value of `arb`. */
function sometimes<T>(arb: fc.Arbitrary<T>, noneWeight = 3): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: noneWeight, arbitrary: fc.constant(null) }, {
    weight: 1,
    arbitrary: arb,
  });
}

const replyArb: fc.Arbitrary<Reply> = fc.record({
  status: fc.constantFrom(
    ...[200, 200, 200, 200, 200, 200, 200, 200],
    ...[203, 204, 301, 304, 308, 404, 410, 500, 503],
  ),
  statusText: fc.constantFrom("", "OK", "Fine Thanks"),
  body: fc.constantFrom("page", "", "ünïcödé ✓"),
  setCookies: fc.oneof(
    { weight: 3, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.uniqueArray(fc.constantFrom(...SET_COOKIES), { minLength: 1 }) },
  ),
  vary: sometimes(fc.constantFrom("Accept-Encoding", "accept-encoding, Accept-Language", "*"), 2),
  cacheControl: sometimes(fc.constantFrom(...HANDLER_CACHE_CONTROLS)),
  targeted: fc.oneof(
    { weight: 2, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.subarray([...TARGETED], { minLength: 1 }) },
  ),
});

interface Visit {
  readonly visitor: Visitor;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly acceptEncoding: string | null;
  readonly reply: Reply;
}

interface Page {
  readonly path: string;
  readonly query: string;
}

const pageArb: fc.Arbitrary<Page> = fc.record({
  path: fc.constantFrom(...Object.keys(PATHS)),
  query: fc.constantFrom("", "", "?q=1"),
});

const visitPartsArb: fc.Arbitrary<Omit<Visit, keyof Page>> = fc.record({
  visitor: visitorArb,
  method: fc.constantFrom("GET", "GET", "GET", "GET", "HEAD", "POST", "PUT"),
  acceptEncoding: fc.constantFrom(null, "gzip"),
  reply: replyArb,
});

const visitArb: fc.Arbitrary<Visit> = fc.tuple(pageArb, visitPartsArb).map((
  [page, parts],
) => ({ ...page, ...parts }));

/** A few visits to at most two pages, so that visitors meet in the cache. */
const visitsArb: fc.Arbitrary<readonly Visit[]> = fc.tuple(
  fc.tuple(pageArb, pageArb),
  fc.array(fc.tuple(fc.nat(1), visitPartsArb), { minLength: 2, maxLength: 6 }),
).map(([pages, visits]) => visits.map(([page, parts]) => ({ ...pages[page]!, ...parts })));

// ---------------------------------------------------------------------------------------------
// The application under test: rules, requests, handler responses, audience labels
// ---------------------------------------------------------------------------------------------

/** Test-only response header naming the audience a page was made for. */
const MADE_FOR = "x-test-made-for";
const EVERYBODY = "everybody";
const ANONYMOUS = "anonymous";

function optionsOf(config: Config): CacheHeadersOptions {
  const timeouts: Record<string, Record<string, (string | URLPattern)[]>> = {};
  const rules: NonNullable<CacheHeadersOptions["rules"]>[number][] = [];
  for (const rule of config.rules) {
    const pattern = rule.prebuilt ? PREBUILT.get(rule.pattern) ?? rule.pattern : rule.pattern;
    const settings = rule.settings;
    if (settings === null) {
      const byLifetime = timeouts[rule.policy] ??= {};
      (byLifetime[rule.spelling] ??= []).push(pattern);
      continue;
    }
    rules.push({
      pattern,
      policy: rule.policy,
      ttl: rule.spelling,
      ...(settings.browserSeconds === null ? {} : { browserSeconds: settings.browserSeconds }),
      ...(settings.staleWhileRevalidate === null
        ? {}
        : { staleWhileRevalidate: settings.staleWhileRevalidate }),
      ...(settings.staleIfError === null ? {} : { staleIfError: settings.staleIfError }),
      ...(settings.immutable ? { immutable: true } : {}),
      ...(settings.statuses.size === 0 ? {} : { statuses: Object.fromEntries(settings.statuses) }),
      ...(settings.tags.length === 0 ? {} : { tags: settings.tags }),
      ...(Object.keys(settings.targets).length === 0 ? {} : { targets: settings.targets }),
    });
  }
  return {
    browserSeconds: config.browserSeconds,
    timeouts,
    rules,
    policies: CUSTOM_POLICIES,
    ...(config.targets === null ? {} : { targets: config.targets }),
    ...(config.tagHeaders.length === 0 ? {} : { tagHeaders: config.tagHeaders }),
  };
}

/** The rule that should decide for a path, from the hand-written specificity table. */
function intendedRule(config: Config, path: string): Rule | null {
  for (const pattern of PATHS[path] ?? []) {
    const rule = config.rules.find((candidate) => candidate.pattern === pattern);
    if (rule !== undefined) return rule;
  }
  return null;
}

function audienceOf(visitor: Visitor): string {
  return visitor.user ?? ANONYMOUS;
}

const PRIVATE_OR_NO_STORE = /(?:^|[\s,])(?:private|no-store)(?:$|[\s,=])/i;
const PRIVATE_NO_STORE_OR_NO_CACHE = /(?:^|[\s,])(?:private|no-store|no-cache)(?:$|[\s,=])/i;

/**
 * Who the handler made the page for. A page that sets a cookie is personal; an `all-users` page
 * is the same for everybody; a handler that set a shareable `Cache-Control` itself declared the
 * page shareable (its `Cache-Control` wins, decision order 2); anything else is the visitor's.
 */
function madeFor(config: Config, visit: Visit): string {
  const { reply } = visit;
  if (reply.setCookies.length > 0) return audienceOf(visit.visitor);
  if (intendedRule(config, visit.path)?.policy === "all-users") return EVERYBODY;
  if (reply.cacheControl !== null && !PRIVATE_OR_NO_STORE.test(reply.cacheControl)) {
    return EVERYBODY;
  }
  return audienceOf(visit.visitor);
}

function requestOf(visit: Visit): Request {
  const headers = new Headers();
  if (visit.visitor.cookie !== null) headers.set("cookie", visit.visitor.cookie);
  if (visit.visitor.authorization !== null) {
    headers.set("authorization", visit.visitor.authorization);
  }
  if (visit.acceptEncoding !== null) headers.set("accept-encoding", visit.acceptEncoding);
  return new Request(`https://shop.example${visit.path}${visit.query}`, {
    method: visit.method,
    headers,
  });
}

function handlerResponse(visit: Visit, audience: string): Response {
  const { reply } = visit;
  const headers = new Headers({ "content-type": "text/plain; charset=utf-8" });
  headers.set(MADE_FOR, audience);
  for (const cookie of reply.setCookies) headers.append("set-cookie", cookie);
  if (reply.vary !== null) headers.set("vary", reply.vary);
  if (reply.cacheControl !== null) headers.set("cache-control", reply.cacheControl);
  for (const [name, value] of reply.targeted) headers.set(name, value);
  if (reply.status === 301) headers.set("location", "https://shop.example/elsewhere");
  const nullBody = reply.status === 204 || reply.status === 304;
  return new Response(nullBody ? null : reply.body, {
    status: reply.status,
    statusText: reply.statusText,
    headers,
  });
}

function identityOf(visitor: Visitor): { id: string } | null {
  return visitor.user === null ? null : { id: visitor.user };
}

// ---------------------------------------------------------------------------------------------
// Shared-cache models on http-cache-semantics
// ---------------------------------------------------------------------------------------------

interface CacheRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
}

interface CacheResponse {
  status: number;
  headers: Record<string, string>;
}

function cacheRequestOf(request: Request): CacheRequest {
  const headers: Record<string, string> = { host: new URL(request.url).host };
  for (const [name, value] of request.headers) headers[name.toLowerCase()] = value;
  return { url: request.url, method: request.method, headers };
}

/**
 * The response as a cache sees it. `Set-Cookie` is left out: RFC 9111 §7.3 lets a shared cache
 * store and replay it, while http-cache-semantics would refuse to serve it (unless `public`) and
 * so hide a leak. With `ignoreVary`, `Vary` is left out too (a cache keyed on the URL alone).
 */
function cacheResponseOf(response: Response, ignoreVary: boolean): CacheResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) {
    const lower = name.toLowerCase();
    if (lower === "set-cookie" || (ignoreVary && lower === "vary")) continue;
    headers[lower] = value;
  }
  return { status: response.status, headers };
}

interface Stored {
  readonly policy: CachePolicy;
  readonly madeFor: string;
}

/** Whether a stored response may be handed out for a request (HEAD may also take a GET's). */
function reusable(stored: Stored, request: CacheRequest): boolean {
  if (stored.policy.satisfiesWithoutRevalidation(request)) return true;
  return request.method === "HEAD" &&
    stored.policy.satisfiesWithoutRevalidation({ ...request, method: "GET" });
}

interface Hits {
  /** An anonymous page reused for an anonymous visitor. */
  anonymous: number;
  /** …for an anonymous visitor with no cookie and no `Authorization` at all. */
  anonymousWithoutCookies: number;
  /** A page made for everybody reused for any visitor. */
  everybody: number;
}

function noHits(): Hits {
  return { anonymous: 0, anonymousWithoutCookies: 0, everybody: 0 };
}

/**
 * Plays a sequence of visits through one shared cache. Before each visit, every stored response
 * the cache could hand out for the request is checked with `allowed(madeFor, visitor)`; then the
 * handler answers (the cache is not consulted for that: every variant is stored) and the cache
 * stores the answer when http-cache-semantics says it is storable. In the default mode a page
 * made for a signed-in user must not be storable by a shared cache at all.
 */
function playVisits(
  config: Config,
  visits: readonly Visit[],
  ignoreVary: boolean,
  allowed: (madeFor: string, visitor: string) => boolean,
  hits: Hits,
): void {
  const apply = cacheHeaders(optionsOf(config));
  const store: Stored[] = [];
  visits.forEach((visit, index) => {
    const request = requestOf(visit);
    const lookup = cacheRequestOf(request);
    const visitor = audienceOf(visit.visitor);
    for (const stored of store) {
      if (!reusable(stored, lookup)) continue;
      assert.ok(
        allowed(stored.madeFor, visitor),
        `visit ${index}: a page made for ${stored.madeFor} was served to ${visitor} ` +
          `(${visit.method} ${visit.path}${visit.query})`,
      );
      if (stored.madeFor === EVERYBODY) hits.everybody++;
      else if (stored.madeFor === ANONYMOUS) {
        hits.anonymous++;
        if (visit.visitor.cookie === null && visit.visitor.authorization === null) {
          hits.anonymousWithoutCookies++;
        }
      }
    }
    const response = apply(
      request,
      handlerResponse(visit, madeFor(config, visit)),
      identityOf(visit.visitor),
    );
    const policy = new CachePolicy(lookup, cacheResponseOf(response, ignoreVary), { shared: true });
    if (policy.storable()) {
      const made = response.headers.get(MADE_FOR) ?? "missing label";
      assert.ok(
        made === EVERYBODY || made === ANONYMOUS,
        `visit ${index}: a shared cache may store ${made}'s page ` +
          `(${visit.method} ${visit.path}${visit.query}, ` +
          `Cache-Control: ${response.headers.get("cache-control")})`,
      );
      store.push({ policy, madeFor: made });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Header helpers for the direct invariants
// ---------------------------------------------------------------------------------------------

/** Whether a targeted lifetime header gives a shared cache a positive lifetime. */
function positiveTargetedLifetime(name: string, value: string): boolean {
  if (name === "x-accel-expires") return value.trim() !== "0";
  return !/(?:^|[\s,])no-store(?:$|[\s,])/i.test(value) && /max-age\s*=\s*0*[1-9]/i.test(value);
}

function varyEntries(value: string | null): string[] {
  if (value === null) return [];
  return value.split(",").map((name) => name.trim().toLowerCase()).filter((name) => name !== "");
}

/** Whether `part` appears in `whole` in the same order (not necessarily adjacent). */
function isSubsequence(part: readonly string[], whole: readonly string[]): boolean {
  let at = 0;
  for (const name of whole) if (at < part.length && part[at] === name) at++;
  return at === part.length;
}

const MANAGED = new Set(["cache-control", "vary", ...TARGETED.map(([name]) => name)]);

/**
 * A handler that sets its own shareable `Cache-Control` (no `private`, no `no-store`) and no
 * `Set-Cookie` keeps its targeted lifetimes (decision order 2): `no-cache` next to
 * `CDN-Cache-Control: max-age=600` is the RFC 9213 idiom. A handler's `private` or `no-store` is
 * never contradicted by a targeted lifetime.
 */
function keptShareableByHandler(reply: Reply): boolean {
  return reply.cacheControl !== null && reply.setCookies.length === 0 &&
    !PRIVATE_OR_NO_STORE.test(reply.cacheControl);
}

/** A page that its rule lets shared caches keep, with the lifetime that applies to its status. */
interface SharedByRule {
  readonly rule: Rule;
  readonly lifetime: number;
  /** 200 (or 304, which repeats a 200's headers) rather than an opted-in status. */
  readonly own: boolean;
}

/**
 * Whether the rule lets a shared cache keep the page, from the configuration and the product's
 * rules alone: no `Set-Cookie`, no `Cache-Control` of the handler's (which wins), GET or HEAD, a
 * rule with a lifetime for the status, and a page that is the same for everybody (`all-users`)
 * or the anonymous variant asked for without `Authorization`.
 */
function sharedByRule(config: Config, visit: Visit): SharedByRule | null {
  const { reply, visitor } = visit;
  if (reply.setCookies.length > 0 || reply.cacheControl !== null) return null;
  if (visit.method !== "GET" && visit.method !== "HEAD") return null;
  const rule = intendedRule(config, visit.path);
  if (rule === null) return null;
  const own = reply.status === 200 || reply.status === 304;
  // A custom policy's own result decides what a shared cache may keep, and for how long.
  const custom = isCustomPolicy(rule.policy);
  const lifetime = custom
    ? own ? customSharedLifetime(rule.policy as CustomPolicyName, rule.lifetime) : null
    : own
    ? rule.lifetime
    : rule.settings?.statuses.get(reply.status);
  if (lifetime === undefined || lifetime === null || lifetime === 0) return null;
  if (rule.policy !== "all-users" && (visitor.user !== null || visitor.authorization !== null)) {
    return null;
  }
  return { rule, lifetime, own };
}

/** The tags a rule's templates give for a path: `:id` from `/a/:id`, in order, each once. */
function expectedTags(rule: Rule, path: string): string[] {
  const id = /^\/a\/([^/]+)$/.exec(path)?.[1];
  const tags: string[] = [];
  for (const template of rule.settings?.tags ?? []) {
    const tag = template.replace(":id", id ?? "");
    if (!tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

/** A directive's value in a `Cache-Control`-like field: `true` for a flag, `null` when absent. */
function directive(value: string | null, name: string): string | true | null {
  for (const part of (value ?? "").split(",")) {
    const [key, argument] = part.split("=", 2).map((text) => text.trim());
    if (key?.toLowerCase() === name) return argument ?? true;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe("safety properties (default mode)", () => {
  test(
    "1. RFC 9111 shared cache: a stored page only ever reaches the audience it was made for",
    SLOW,
    () => {
      const hits = noHits();
      fc.assert(
        fc.property(configArb, visitsArb, (config, visits) => {
          playVisits(
            config,
            visits,
            false,
            (made, visitor) => made === EVERYBODY || made === visitor,
            hits,
          );
        }),
        { numRuns: NUM_RUNS },
      );
      // Not vacuous: the sharing the policies promise does happen.
      assert.ok(hits.anonymous > 0, `no anonymous reuse in ${NUM_RUNS} runs`);
      assert.ok(hits.anonymousWithoutCookies > 0, "no reuse between cookieless anonymous visitors");
      assert.ok(hits.everybody > 0, "no reuse of an all-users page");
    },
  );

  test(
    "2. URL-only cache ignoring Vary: no signed-in user's page reaches anyone else",
    SLOW,
    () => {
      const hits = noHits();
      fc.assert(
        fc.property(configArb, visitsArb, (config, visits) => {
          // The anonymous variant may reach everybody here, signed-in users included: that is the
          // documented limitation of the default mode (only `Vary: Cookie, Authorization` keeps it
          // from them, and this cache ignores Vary). Declaring the cache's key (keyed mode) is the fix.
          playVisits(
            config,
            visits,
            true,
            (made, visitor) => made === EVERYBODY || made === ANONYMOUS || made === visitor,
            hits,
          );
        }),
        { numRuns: NUM_RUNS },
      );
      assert.ok(hits.anonymous > 0, `no anonymous reuse in ${NUM_RUNS} runs`);
      assert.ok(hits.everybody > 0, "no reuse of an all-users page");
    },
  );

  test(
    "3. every response: cookies, Authorization, targeted lifetimes, Vary, status, body",
    SLOW,
    async () => {
      await fc.assert(
        fc.asyncProperty(configArb, visitArb, async (config, visit) => {
          const { reply } = visit;
          const apply = cacheHeaders(optionsOf(config));
          const request = requestOf(visit);
          const audience = madeFor(config, visit);
          const before = handlerResponse(visit, audience);
          const beforeHeaders = new Headers(before.headers);
          const cookiesBefore = before.headers.getSetCookie();
          const response = apply(request, before, identityOf(visit.visitor));
          const headers = response.headers;
          const cacheControl = headers.get("cache-control") ?? "";
          const shared = new CachePolicy(
            cacheRequestOf(request),
            cacheResponseOf(response, false),
            { shared: true },
          );

          // Guard for the oracle: the rule that decides is the one the labels above assumed.
          const intended = intendedRule(config, visit.path);
          const decided = apply.explain(new Request(request.url), new Response(null), null).rule;
          assert.deepEqual(
            decided === null ? null : [decided.policy, decided.lifetime],
            intended === null ? null : [intended.policy, intended.lifetime],
          );

          // Invariant 2: cookies survive exactly, and a response that sets one is never shareable.
          assert.deepEqual(headers.getSetCookie(), cookiesBefore);
          if (cookiesBefore.length > 0) {
            assert.match(cacheControl, PRIVATE_OR_NO_STORE, "Set-Cookie on a shareable response");
          }

          // Default mode: a page made for a signed-in user is for the browser only.
          if (audience !== EVERYBODY && audience !== ANONYMOUS) {
            assert.match(cacheControl, PRIVATE_OR_NO_STORE, `${audience}'s page is shareable`);
          }

          // Decision order 5: other methods are never cached for a shared cache.
          if (visit.method !== "GET" && visit.method !== "HEAD" && reply.cacheControl === null) {
            assert.match(
              cacheControl,
              PRIVATE_NO_STORE_OR_NO_CACHE,
              `${visit.method} is cacheable`,
            );
          }

          // Invariant 3 (RFC 9111 §3.5): with Authorization, an identity-dependent page (any policy
          // but all-users, and not declared shareable by the handler) is never shared-storable.
          if (request.headers.has("authorization") && audience !== EVERYBODY) {
            assert.equal(shared.storable(), false, `Authorization request stored: ${cacheControl}`);
          }

          // Invariant 4: no positive targeted lifetime on a response that must not be shared: one
          // whose headers or audience say so, or one its rule does not share (a handler's own
          // shareable Cache-Control keeps its targeted fields, decision order 2).
          const byRule = sharedByRule(config, visit);
          const mustNotShare = PRIVATE_NO_STORE_OR_NO_CACHE.test(cacheControl) ||
            cookiesBefore.length > 0 ||
            (audience !== EVERYBODY && audience !== ANONYMOUS);
          if ((mustNotShare || byRule === null) && !keptShareableByHandler(reply)) {
            for (const [name] of TARGETED) {
              const value = headers.get(name);
              assert.ok(
                value === null || !positiveTargetedLifetime(name, value),
                `${name}: ${value} next to Cache-Control: ${cacheControl}`,
              );
            }
          }
          // …and a page its rule shares does carry its lifetime in every target of the deployment.
          if (byRule !== null) {
            for (const target of config.targets ?? DEFAULT_TARGETS) {
              // A custom policy writes its own Cache-Control, s-maxage or not.
              if (target === "s-maxage" && isCustomPolicy(byRule.rule.policy)) continue;
              const lifetime: number = byRule.own
                ? byRule.rule.settings?.targets[target] ?? byRule.lifetime
                : byRule.lifetime;
              const written = target === "s-maxage"
                ? directive(cacheControl, "s-maxage")
                : target === "x-accel-expires"
                ? headers.get(target)
                : directive(headers.get(target), "max-age");
              assert.equal(written, String(lifetime), `${target} of a shared page`);
            }
          }

          // Invariant 2 in every dialect: nothing lets any shared cache keep a Set-Cookie response.
          if (cookiesBefore.length > 0) {
            assert.deepEqual(
              sharedCacheableBecause(headers, reply.status),
              [],
              "Set-Cookie shareable",
            );
          }

          // Cache tags only on pages a shared cache keeps, from the rule's templates and the URL.
          const tags = byRule === null ? [] : expectedTags(byRule.rule, visit.path);
          for (const name of TAG_HEADER_NAMES) {
            const expected = config.tagHeaders.includes(name) && tags.length > 0
              ? tags.join(TAG_HEADERS[name])
              : null;
            assert.equal(headers.get(name), expected, `${name} (Cache-Control: ${cacheControl})`);
          }

          // RFC 5861 and RFC 8246 directives only where an all-users rule asks for them; immutable
          // on its own status only (never on a negative or redirect cache).
          if (reply.cacheControl === null) {
            const settings = byRule?.rule.settings ?? null;
            assert.equal(
              directive(cacheControl, "immutable"),
              byRule?.own && settings?.immutable ? true : null,
              `immutable in ${cacheControl}`,
            );
            for (
              const [name, configured] of [
                ["stale-while-revalidate", settings?.staleWhileRevalidate ?? null],
                ["stale-if-error", settings?.staleIfError ?? null],
              ] as const
            ) {
              const written = directive(cacheControl, name);
              const expected = configured === null ? null : String(configured);
              if (byRule?.own) assert.equal(written, expected, `${name} in ${cacheControl}`);
              else {assert.ok(
                  written === null || written === expected,
                  `${name} in ${cacheControl}`,
                );}
            }
          }

          // A handler's no-store is never weakened.
          if (reply.cacheControl !== null && /no-store/.test(reply.cacheControl)) {
            assert.match(cacheControl, /no-store/, "the handler's no-store was weakened");
          }

          // Invariant 5: Vary keeps every entry the handler set, in order; `*` stays `*`.
          const varyBefore = varyEntries(reply.vary);
          const varyAfter = varyEntries(headers.get("vary"));
          if (varyBefore.includes("*")) assert.deepEqual(varyAfter, ["*"]);
          else assert.ok(isSubsequence(varyBefore, varyAfter), `Vary lost: ${headers.get("vary")}`);

          // Invariant 6: status, status text, every other header and the body survive.
          assert.equal(response.status, reply.status);
          assert.equal(response.statusText, reply.statusText);
          for (const [name, value] of beforeHeaders) {
            if (!MANAGED.has(name) && name !== "set-cookie") assert.equal(headers.get(name), value);
          }
          const nullBody = reply.status === 204 || reply.status === 304;
          assert.equal(await response.text(), nullBody ? "" : reply.body);
        }),
        { numRuns: NUM_RUNS },
      );
    },
  );
});
