/**
 * Keyed mode, one request at a time: invariants 3 and 7 of PRODUCT.md as properties over random
 * rules, cookie jars, identities and credentials, judged by a model written from the product's
 * rules, not from cachewise's code.
 *
 * The identity is drawn independently of the cookies, as an application may find it anywhere (a
 * session cookie, a bearer token, an API key, a cookie the proxy does not read). The model says:
 *
 * - the cookies disagree with the identity when the request carries the session cookie or the
 *   sign-in marker and not "a signed-in identity with both" (a sign-in, a sign-out, a forged or
 *   stale marker, a marker without a session, a session on an anonymous identity): then nothing
 *   is shared-cached, whatever the policy, `all-users` included (invariant 7);
 * - a request with `Authorization` never gets an identity-dependent page that any shared cache
 *   would keep, the keyed one included (invariant 3);
 * - a signed-in identity that came without the session cookie gets no page the keyed cache would
 *   keep: the keyed cache tells visitors apart by cookie only;
 * - and, so that the properties are not vacuous, a signed-in visitor whose cookies agree does get
 *   the keyed cache's lifetime on `per-user` and `anonymous-and-authenticated` pages, and a clean
 *   anonymous visitor a shared page.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { type ApplyCacheHeaders, cacheHeaders } from "../mod.ts";
import { POLICIES, type PolicyName, sharedCacheableBecause } from "./_cache_models.ts";

const NUM_RUNS = 10_000;
const ORIGIN = "https://shop.example";
const PATHS = ["/a/1", "/b/1", "/c/1", "/d/1"] as const;

interface Config {
  /** The policy and lifetime of each path's rule, in the order of `PATHS`. */
  readonly rules: readonly (readonly [PolicyName, number])[];
  readonly keyCookies: readonly string[];
}

/** Each policy on each path, with lifetimes 60, 3600 and 0, with and without a key cookie. */
const LIFETIMES = [60, 3600, 0, 60] as const;
const CONFIGS: readonly { readonly config: Config; readonly apply: ApplyCacheHeaders }[] = [
  0,
  1,
  2,
  3,
].flatMap((rotation) =>
  [[], ["messages"]].map((keyCookies) => {
    const rules = PATHS.map((_, at) =>
      [POLICIES[(at + rotation) % POLICIES.length]!, LIFETIMES[at]!] as const
    );
    const timeouts: Record<string, Record<string, string[]>> = {};
    rules.forEach(([policy, lifetime], at) => {
      ((timeouts[policy] ??= {})[String(lifetime)] ??= []).push(PATHS[at]!.replace(/1$/, "*"));
    });
    const apply = cacheHeaders({ timeouts, keyed: { sessionCookie: "sessionid", keyCookies } });
    return { config: { rules, keyCookies }, apply };
  })
);

interface Visit {
  readonly path: number;
  readonly method: "GET" | "HEAD";
  readonly identity: string | null;
  /** The session cookie's value: the identity's own secret, a stale one, or none. */
  readonly session: "own" | "stale" | null;
  readonly marker: boolean;
  readonly flash: boolean;
  readonly analytics: boolean;
  readonly order: readonly number[];
  readonly authorization: string | null;
}

const visitArb: fc.Arbitrary<Visit> = fc.record({
  path: fc.nat(PATHS.length - 1),
  method: fc.constantFrom("GET", "GET", "HEAD"),
  identity: fc.constantFrom(null, "u1", "u2"),
  session: fc.constantFrom("own", "stale", null),
  marker: fc.boolean(),
  flash: fc.boolean(),
  analytics: fc.boolean(),
  order: fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }),
  authorization: fc.constantFrom(null, null, null, "Bearer tok-u1", "Bearer expired"),
});

function requestOf(visit: Visit): Request {
  const pairs: (string | null)[] = [
    visit.session === null
      ? null
      : `sessionid=${visit.session === "own" ? `s3cr3t-${visit.identity}` : "expired-5a1e"}`,
    visit.marker ? "isauthenticated=1" : null,
    visit.flash ? "messages=m1" : null,
    visit.analytics ? "_ga=GA1.2.3" : null,
  ];
  const cookie = visit.order.map((at) => pairs[at]).filter((pair) => pair !== null).join("; ");
  const headers = new Headers();
  if (cookie !== "") headers.set("cookie", cookie);
  if (visit.authorization !== null) headers.set("authorization", visit.authorization);
  return new Request(`${ORIGIN}${PATHS[visit.path]}`, { method: visit.method, headers });
}

/** The model's verdict on the identity cookies (invariant 7). */
function cookiesDisagree(visit: Visit): boolean {
  const session = visit.session !== null;
  if (!session && !visit.marker) return false;
  return !(visit.identity !== null && session && visit.marker);
}

function describeCase(config: Config, visit: Visit, request: Request, headers: Headers): string {
  return JSON.stringify({
    rule: config.rules[visit.path],
    identity: visit.identity,
    cookie: request.headers.get("cookie"),
    authorization: visit.authorization,
    written: Object.fromEntries(headers),
  });
}

describe("keyed mode: invariants 3 and 7 for every policy", () => {
  test("no shared lifetime when the cookies disagree with the identity, with Authorization, or without the session cookie", () => {
    const seen = { disagree: 0, authorization: 0, noSession: 0, keyedSignedIn: 0, shared: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...CONFIGS), visitArb, ({ config, apply }, visit) => {
        const [policy, lifetime] = config.rules[visit.path]!;
        const request = requestOf(visit);
        const response = apply(
          request,
          new Response("page"),
          visit.identity === null ? null : { id: visit.identity },
        );
        const headers = response.headers;
        const shareable = sharedCacheableBecause(headers);
        const context = () => describeCase(config, visit, request, headers);
        const identityDependent = policy !== "all-users";
        if (cookiesDisagree(visit)) {
          seen.disagree++;
          assert.deepEqual(shareable, [], `cookies disagree, yet shareable: ${context()}`);
          assert.equal(headers.get("x-hash-cookies"), null, `hint on a mismatch: ${context()}`);
          return;
        }
        if (visit.authorization !== null && identityDependent) {
          seen.authorization++;
          assert.deepEqual(shareable, [], `Authorization, yet shareable: ${context()}`);
          return;
        }
        if (visit.identity !== null && visit.session === null && identityDependent) {
          seen.noSession++;
          assert.deepEqual(shareable, [], `signed in without the session: ${context()}`);
          return;
        }
        if (visit.authorization !== null || lifetime === 0) return;
        if (
          visit.identity !== null &&
          (policy === "per-user" || policy === "anonymous-and-authenticated")
        ) {
          seen.keyedSignedIn++;
          assert.equal(headers.get("x-accel-expires"), String(lifetime), context());
          assert.match(headers.get("cache-control")!, /^private/, context());
        } else if (visit.identity === null) {
          seen.shared++;
          assert.notDeepEqual(shareable, [], `a clean anonymous page is not shared: ${context()}`);
        }
      }),
      { numRuns: NUM_RUNS },
    );
    for (const [kind, count] of Object.entries(seen)) {
      assert.ok(count > 100, `only ${count} cases of ${kind}: ${JSON.stringify(seen)}`);
    }
  });
});

describe("keyed mode: a signed-in identity with the marker and no session cookie", () => {
  test("shares nothing, on all-users pages too, and sets or clears no marker", () => {
    const apply = cacheHeaders({
      timeouts: {
        "all-users": { "1h": ["/static/*"] },
        "anonymous-and-authenticated": { "10m": ["/products/*"] },
      },
      keyed: { sessionCookie: "sessionid" },
    });
    for (const path of ["/static/a.css", "/products/1"]) {
      const request = new Request(`${ORIGIN}${path}`, {
        headers: { cookie: "isauthenticated=1", "x-api-key": "k-ann" },
      });
      const decision = apply.explain(request, new Response("page"), { id: "ann" });
      assert.equal(decision.mismatch, "the marker without a session cookie", path);
      assert.equal(decision.setCookie, null, path);
      const headers = apply(request, new Response("page"), { id: "ann" }).headers;
      assert.equal(headers.get("cache-control"), "private, no-cache", path);
      assert.equal(headers.get("x-accel-expires"), null, path);
    }
  });
});
