/**
 * The audience matrix through one cache: five visitors (anonymous, two signed-in users, a forged
 * sign-in marker, a bearer token in `Authorization`) take turns asking for each policy's page of
 * the end-to-end app, `ROUNDS` times. The app's per-path counter shows whether a visit reached it,
 * and `X-Backend-Count` on the answer names the fetch it came from, so every hit is traced to the
 * visitor whose request filled the cache. Every answer is checked: it must be the page made for
 * the visitor's own audience, and a response with `Set-Cookie` must never come from the cache.
 */

import { type App, audienceOf, Browser, POLICIES, type PolicyName } from "../e2e_app.ts";

/** The visitors, in the order they take turns. */
export const AUDIENCES = [
  "anonymous",
  "signed-in A",
  "signed-in B",
  "forged marker",
  "Authorization",
] as const;
export type Audience = typeof AUDIENCES[number];

/** How many times each visitor asks for each page. */
export const ROUNDS = 4;

/** Who each visitor is to the application (`null`: anonymous). */
const USERS: Record<Audience, string | null> = {
  "anonymous": null,
  "signed-in A": "ann",
  "signed-in B": "bob",
  "forged marker": null,
  "Authorization": "carol",
};

/** One visit to a policy's page. */
export interface Observation {
  readonly policy: PolicyName;
  readonly audience: Audience;
  readonly round: number;
  /** The answer came from the cache (the application was not asked). */
  readonly hit: boolean;
  /** The visitor whose request fetched the copy that was served. */
  readonly copyOf: Audience | null;
}

/** What the matrix saw through one cache. */
export interface MatrixRun {
  readonly observations: readonly Observation[];
  /** Each answer that was another audience's page, or a `Set-Cookie` response from the cache. */
  readonly violations: readonly string[];
}

/** The five visitors, the signed-in ones signed in through the cache at `origin`. */
async function visitors(origin: string): Promise<Record<Audience, Browser>> {
  const ann = new Browser(origin);
  const bob = new Browser(origin);
  await ann.request("POST", "/signin?user=ann");
  await bob.request("POST", "/signin?user=bob");
  return {
    "anonymous": new Browser(origin),
    "signed-in A": ann,
    "signed-in B": bob,
    "forged marker": new Browser(origin, { cookie: "isauthenticated=1" }),
    "Authorization": new Browser(origin, { authorization: "Bearer carol" }),
  };
}

/**
 * Runs the matrix through the cache listening at `origin`, in front of `app`.
 *
 * @param origin `http://127.0.0.1:PORT` of the cache.
 * @param app The end-to-end app behind it (its counters are read, not reset).
 */
export async function runMatrix(origin: string, app: App): Promise<MatrixRun> {
  const browsers = await visitors(origin);
  const fetchedBy = new Map<string, Audience>();
  const observations: Observation[] = [];
  const violations: string[] = [];
  const visit = async (audience: Audience, policy: PolicyName, variant: string) => {
    const path = `/p/${policy}/200/${variant}`;
    const before = app.counts.get(path) ?? 0;
    const seen = await browsers[audience].request("GET", path);
    const hit = (app.counts.get(path) ?? 0) === before;
    if (!hit) fetchedBy.set(`${path}#${seen.backendCount}`, audience);
    const wanted = audienceOf(policy, USERS[audience]);
    if (seen.status !== 200 || seen.pageFor !== wanted) {
      violations.push(
        `${audience} GET ${path}: status ${seen.status}, page for ${seen.pageFor}, ` +
          `expected ${wanted}`,
      );
    }
    if (hit && variant === "cookie") {
      violations.push(`${audience} GET ${path}: a response with Set-Cookie came from the cache`);
    }
    return { hit, copyOf: fetchedBy.get(`${path}#${seen.backendCount}`) ?? null };
  };
  for (const policy of POLICIES) {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const audience of AUDIENCES) {
        observations.push({ policy, audience, round, ...await visit(audience, policy, "plain") });
      }
    }
    for (const audience of AUDIENCES) {
      for (let time = 0; time < 2; time++) await visit(audience, policy, "cookie");
    }
  }
  return { observations, violations };
}

/** What a policy's page did for one audience through one cache. */
export interface Verdict {
  /**
   * `kept apart`: served from copies only this audience received; `shared`: served from a copy
   * other audiences received too; `not stored`: every visit reached the application.
   */
  readonly verdict: "kept apart" | "shared" | "not stored";
  readonly hits: number;
  readonly visits: number;
}

/** The verdict for one policy and audience, from a run's observations. */
export function verdictOf(
  observations: readonly Observation[],
  policy: PolicyName,
  audience: Audience,
): Verdict {
  const own = observations.filter((o) => o.policy === policy && o.audience === audience);
  const hits = own.filter((o) => o.hit);
  const givenAway = observations.some((o) =>
    o.policy === policy && o.hit && o.audience !== audience && o.copyOf === audience
  );
  const borrowed = hits.some((o) => o.copyOf !== audience);
  const verdict = hits.length === 0
    ? "not stored"
    : givenAway || borrowed
    ? "shared"
    : "kept apart";
  return { verdict, hits: hits.length, visits: own.length };
}
