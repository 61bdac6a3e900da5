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
import { type ApplyCacheHeaders, cacheHeaders } from "../mod.ts";
import {
  allowed,
  ANONYMOUS,
  type Config,
  CONFIGS,
  EVERYBODY,
  MADE_FOR,
  madeFor,
  NUM_RUNS,
  optionsOf,
  requestOf,
  responseOf,
  SIGNED_IN,
  SLOW,
  type Tally,
  USER,
  type Visit,
  visitsArb,
} from "./_cdn_visits.ts";
import {
  type DuplicateCookie,
  EdgeCache,
  PLATFORM_MODELS,
  type PlatformModel,
} from "./_platform_models.ts";

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
