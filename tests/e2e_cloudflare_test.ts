/**
 * End to end through the real Workers runtime: the generated Cloudflare Worker runs in workerd
 * (started by miniflare, which implements the Cache API locally) in front of a real Deno.serve or
 * Bun.serve app wrapped by withCacheHeaders() with `cdn: "cloudflare"` and the keyed mode.
 * Anonymous visitors, two signed-in users, a visitor with a forged sign-in marker and a visitor
 * with `Authorization` each visit every policy's page twice: each gets only their audience's
 * page, and the second visit is a hit exactly where docs/cdns.md promises one. Runs under Deno
 * and Bun; skipped under Node (no Deno.serve or Bun.serve for the app).
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import type { CacheHeadersOptions } from "../mod.ts";
import { generateCloudflareWorker } from "../src/generate/cloudflare.ts";
import {
  type App,
  audienceOf,
  Browser,
  E2E_KEYED_OPTIONS,
  POLICIES,
  type PolicyName,
  startApp,
} from "./testdata/e2e_app.ts";

const RUNTIME = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : null;
const OPTIONS: CacheHeadersOptions = { ...E2E_KEYED_OPTIONS, cdn: "cloudflare" };
const VISITORS = ["anonymous", "user A", "user B", "forged marker", "authorization"] as const;
type Visitor = typeof VISITORS[number];

/** Whether the second of two visits is served by the Worker's cache (docs/cdns.md). */
function expectHit(policy: PolicyName, visitor: Visitor): boolean {
  if (visitor === "forged marker" || visitor === "authorization") return false;
  if (visitor === "anonymous" || policy === "all-users") return true;
  return policy !== "anonymous-only";
}

/** Who the app makes the page for. */
function userOf(visitor: Visitor): string | null {
  return visitor === "user A" || visitor === "authorization"
    ? "ann"
    : visitor === "user B"
    ? "bob"
    : null;
}

describe(`end to end through workerd with the generated Worker (${RUNTIME ?? "no runtime"})`, {
  skip: RUNTIME === null
    ? "needs Deno.serve or Bun.serve (run under deno test or bun test)"
    : false,
}, () => {
  let app: App | undefined;
  let worker: Miniflare | undefined;
  let origin = "";

  before(async () => {
    app = await startApp(OPTIONS);
    worker = new Miniflare({
      modules: true,
      script: generateCloudflareWorker(OPTIONS),
      compatibilityDate: "2024-11-11",
      upstream: `http://127.0.0.1:${app.port}`,
      host: "127.0.0.1",
      port: 0,
    });
    origin = (await worker.ready).origin;
  });

  after(async () => {
    await worker?.dispose();
    await app?.stop();
  });

  test("each visitor gets only their audience's page, with hits where promised", async () => {
    const ann = new Browser(origin);
    const bob = new Browser(origin);
    await ann.request("POST", "/signin?user=ann");
    await bob.request("POST", "/signin?user=bob");
    const browsers: Record<Visitor, Browser> = {
      "anonymous": new Browser(origin, { cookie: "_ga=GA1.2.3" }),
      "user A": ann,
      "user B": bob,
      "forged marker": new Browser(origin, { cookie: "isauthenticated=1" }),
      "authorization": new Browser(origin, { authorization: "Bearer ann" }),
    };
    const seen: string[] = [];
    for (const visitor of VISITORS) {
      for (const policy of POLICIES) {
        const path = `/p/${policy}/200/plain`;
        let hit = false;
        for (const visit of [1, 2]) {
          const before = app!.counts.get(path) ?? 0;
          const page = await browsers[visitor].request("GET", path);
          hit = (app!.counts.get(path) ?? 0) === before;
          assert.equal(page.status, 200);
          const wanted = audienceOf(policy, userOf(visitor));
          assert.equal(page.pageFor, wanted, `${visitor} ${path} visit ${visit}`);
          assert.equal(page.headers.get("x-accel-expires"), null, "X-Accel-Expires is hidden");
          assert.equal(page.headers.get("x-hash-cookies"), null, "X-Hash-Cookies is hidden");
          assert.equal(
            page.headers.get("x-cachewise-cache"),
            hit ? "HIT" : "MISS",
            "the Worker's hit header says what the backend counter shows",
          );
        }
        seen.push(`${visitor} ${policy}: ${hit ? "hit" : "miss"}`);
      }
    }
    assert.deepEqual(
      seen,
      VISITORS.flatMap((visitor) =>
        POLICIES.map((policy) =>
          `${visitor} ${policy}: ${expectHit(policy, visitor) ? "hit" : "miss"}`
        )
      ),
    );
  });

  test("a signed-in visitor is never handed the anonymous copy, nor one user another's", async () => {
    const anonymous = new Browser(origin);
    const carl = new Browser(origin);
    const dana = new Browser(origin);
    for (const policy of POLICIES) await anonymous.request("GET", `/p/${policy}/200/plain`);
    await carl.request("POST", "/signin?user=carl");
    await dana.request("POST", "/signin?user=dana");
    for (const policy of POLICIES) {
      const path = `/p/${policy}/200/plain`;
      assert.equal((await carl.request("GET", path)).pageFor, audienceOf(policy, "carl"));
      assert.equal((await dana.request("GET", path)).pageFor, audienceOf(policy, "dana"));
    }
    await carl.request("POST", "/signout");
    const after = await carl.request("GET", "/p/per-user/200/plain");
    assert.equal(after.pageFor, "anonymous", "after sign-out, the anonymous page");
  });
});
