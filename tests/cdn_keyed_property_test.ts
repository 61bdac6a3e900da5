/**
 * The keyed mode at the edge of Cloudflare, Fastly and Akamai, as a property: visitors walk
 * through each platform's cache as the configuration cachewise generates sets it up
 * (tests/_keyed_edge_models.ts: the generated Worker run in process, the generated Property
 * Manager rules interpreted), in front of an application whose every page is labelled with the
 * audience it was made for. Over 10,000 generated cases per platform, no stored page may reach
 * another audience, and what `decide/edge.ts` promises is served from the edge: on Cloudflare and
 * Fastly every audience's copy, on Akamai the `all-users` pages and the anonymous copies.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { cacheHeaders, type CacheHeadersOptions } from "../mod.ts";
import {
  allowed,
  ANONYMOUS,
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
  visitsArb,
} from "./_cdn_visits.ts";
import { type DuplicateCookie, PLATFORM_MODELS } from "./_platform_models.ts";
import { akamaiRules } from "../src/generate/akamai.ts";
import { akamaiEdge, type KeyedEdge, loadWorker, workerEdge } from "./_keyed_edge_models.ts";

const akamai = PLATFORM_MODELS.find((model) => model.name === "Akamai")!;

interface Run {
  readonly name: string;
  readonly model: typeof akamai;
  /** A fresh edge for one walk, set up by the generated configuration of the options. */
  readonly edge: (index: number, duplicate: DuplicateCookie) => KeyedEdge;
  /** Whether signed-in visitors are served from the edge. */
  readonly signedIn: boolean;
}

function runFor(cdn: "cloudflare" | "fastly" | "akamai", name: string): Run {
  const model = PLATFORM_MODELS.find((candidate) => candidate.cdn === cdn)!;
  const options = CONFIGS.map((config) => optionsOf(config, model, true));
  if (cdn === "akamai") {
    const rules = options.map((each) => akamaiRules(each));
    return {
      name,
      model,
      edge: (index, duplicate) => akamaiEdge(rules[index]!, akamai, duplicate),
      signedIn: false,
    };
  }
  const workers = options.map((each) => loadWorker(each));
  return { name, model, edge: (index) => workerEdge(workers[index]!), signedIn: true };
}

const RUNS: readonly Run[] = [
  runFor("cloudflare", "Cloudflare with the generated Worker"),
  runFor("fastly", "Fastly with the generated VCL's plan"),
  runFor("akamai", "Akamai with the generated property rules"),
];

describe("the keyed mode at the edge: no page reaches another audience", () => {
  for (const run of RUNS) {
    const applies = CONFIGS.map((config) =>
      cacheHeaders(optionsOf(config, run.model, true) as CacheHeadersOptions)
    );
    test(`${run.name}: ${NUM_RUNS} cases`, SLOW, async () => {
      const tally: Tally = { hits: new Map(), inherent: 0 };
      await fc.assert(
        fc.asyncProperty(
          fc.nat(CONFIGS.length - 1),
          fc.constantFrom<DuplicateCookie>("first", "last"),
          visitsArb,
          async (which, duplicate, visits) => {
            const edge = run.edge(which, duplicate);
            for (const [index, visit] of visits.entries()) {
              const label = madeFor(CONFIGS[which]!, visit, index);
              const user = visit.visitor.user === null ? null : { id: visit.visitor.user };
              const origin = (request: Request) =>
                applies[which]!(request, responseOf(visit, label), user);
              const answer = await edge.handle(requestOf(visit), origin);
              if (!answer.hit) continue;
              const made = answer.response.headers.get(MADE_FOR) ?? "missing label";
              assert.ok(
                allowed(made, visit.visitor, true, tally),
                `${run.name}: visit ${index}: a page made for ${made} reached ` +
                  `${visit.visitor.kind} ${visit.visitor.user ?? ""} (${visit.method} ` +
                  `${visit.path}, Cookie: ${visit.visitor.cookie})`,
              );
              const bucket = [EVERYBODY, ANONYMOUS, SIGNED_IN].includes(made) ? made : USER;
              tally.hits.set(bucket, (tally.hits.get(bucket) ?? 0) + 1);
              if (answer.storedFor !== visit.visitor.cookie) {
                const across = `${bucket} across cookies`;
                tally.hits.set(across, (tally.hits.get(across) ?? 0) + 1);
              }
            }
          },
        ),
        { numRuns: NUM_RUNS },
      );
      const hits = (label: string) => tally.hits.get(label) ?? 0;
      assert.ok(hits(EVERYBODY) > 0, "all-users pages served from the edge");
      assert.ok(hits(ANONYMOUS) > 0, "anonymous copies served from the edge");
      assert.ok(hits(`${ANONYMOUS} across cookies`) > 0, "anonymous copies shared across jars");
      assert.equal(hits(SIGNED_IN) > 0, run.signedIn, "signed-in copies served from the edge");
      assert.equal(hits(USER) > 0, run.signedIn, "a user's own page served back");
      assert.equal(
        hits(`${SIGNED_IN} across cookies`) > 0,
        run.signedIn,
        "signed-in copies shared across users",
      );
      assert.equal(tally.inherent, 0, "the generated configuration passes both inherent reuses");
    });
  }
});
