/**
 * The tag-only platforms against local servers that check each one's documented request (read
 * December 2026):
 * - Netlify, https://open-api.netlify.com/#tag/purge: `POST /api/v1/purge`, `Authorization:
 *   Bearer`, `{"site_id", "cache_tags"}`; `202`.
 * - Vercel, https://vercel.com/docs/rest-api/edge-cache/invalidate-by-tag and
 *   .../dangerously-delete-by-tag: `POST /v1/edge-cache/{invalidate,dangerously-delete}-by-tags
 *   ?projectIdOrName=&teamId=`, `{"tags"}` with 1 to 16 tags; errors per
 *   https://vercel.com/docs/rest-api/errors.
 * - Deno Deploy, https://docs.deno.com/deploy/reference/caching/: `POST /invalidate/http` with
 *   `{"tags"}`, at most 500, no credentials.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { denoDeploy, netlify, purge, vercel } from "../src/purge/mod.ts";
import {
  type Answer,
  json,
  type LocalServer,
  type Recorded,
  startServer,
} from "./testdata/local_server.ts";

const TOKEN = "platform-test-token-abcdef";
const SITE = "12345678-90ab-cdef-1234-567890abcdef";

function answerDocumented(request: Recorded): Answer {
  if (request.method !== "POST") return json(405, { message: "method" });
  const body = JSON.parse(request.body) as Record<string, unknown>;
  const url = new URL(request.url, "http://x");
  const bearer = request.headers["authorization"] === `Bearer ${TOKEN}`;
  if (url.pathname === "/api/v1/purge") {
    if (!bearer) return json(401, { code: 401, message: "Access Denied" });
    const keys = Object.keys(body).sort().join(",");
    if (keys !== "cache_tags,site_id" || body.site_id !== SITE) return json(400, { message: keys });
    return json(202, { status: "ok" });
  }
  if (/^\/v1\/edge-cache\/(invalidate|dangerously-delete)-by-tags$/.test(url.pathname)) {
    if (!bearer) return json(403, { error: { code: "forbidden", message: "Not authorized" } });
    if (
      url.searchParams.get("projectIdOrName") !== "my-app" ||
      url.searchParams.get("teamId") !== "team_1a2b"
    ) {
      return json(400, { error: { code: "bad_request", message: url.search } });
    }
    const tags = body.tags as unknown[];
    if (Object.keys(body).join() !== "tags" || tags.length < 1 || tags.length > 16) {
      return json(400, { error: { code: "bad_request", message: "tags" } });
    }
    return json(200, {});
  }
  if (url.pathname === "/invalidate/http") {
    if (request.headers["authorization"] !== undefined) return json(400, { message: "no auth" });
    const tags = body.tags as unknown[];
    return tags.length >= 1 && tags.length <= 500 ? json(200, {}) : json(400, { message: "tags" });
  }
  return json(404, { message: "not found" });
}

describe("netlify(), vercel() and denoDeploy() against a local server that checks each documented request", () => {
  let server: LocalServer;
  let override: Answer | null = null;
  before(async () => {
    server = await startServer((request) => override ?? answerDocumented(request));
  });
  after(() => server.close());
  const reset = () => {
    server.requests.length = 0;
    override = null;
  };
  const site = () => netlify({ siteId: SITE, token: TOKEN, apiBase: server.url });
  const project = (soft = false) =>
    vercel({ projectId: "my-app", teamId: "team_1a2b", token: TOKEN, soft, apiBase: server.url });
  const deployment = () => denoDeploy({ endpoint: `${server.url}/invalidate/http` });

  it("netlify() purges cache tags for the site with a bearer token", async () => {
    reset();
    const result = await purge({ tags: ["product-caf%C3%A9", "products"] }, site());
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.deepEqual(JSON.parse(server.requests[0]!.body), {
      site_id: SITE,
      cache_tags: ["product-caf%C3%A9", "products"],
    });
  });

  it("netlify() reports Netlify's message and refuses URLs: it purges by tag only", async () => {
    reset();
    override = json(401, { code: 401, message: `Access Denied: token ${TOKEN}` });
    const denied = await purge({ tags: ["products"] }, site());
    assert.equal(denied.targets[0]!.nodes[0]!.reason, "401: Access Denied: token [redacted]");
    override = null;
    const urls = await purge({ urls: ["https://example.com/a"] }, site());
    assert.match(urls.targets[0]!.nodes[0]!.reason!, /by cache tag only/);
    assert.equal(server.requests.length, 1);
  });

  it("vercel() deletes by tag by default and invalidates when soft, 16 tags per request", async () => {
    reset();
    const tags = Array.from({ length: 17 }, (_, index) => `t${index}`);
    assert.equal((await purge({ tags }, project())).ok, true);
    assert.equal((await purge({ tags: ["products"] }, project(true))).ok, true);
    assert.deepEqual(server.requests.map((request) => new URL(request.url, "http://x").pathname), [
      "/v1/edge-cache/dangerously-delete-by-tags",
      "/v1/edge-cache/dangerously-delete-by-tags",
      "/v1/edge-cache/invalidate-by-tags",
    ]);
    assert.deepEqual(server.requests.map((request) => JSON.parse(request.body).tags.length), [
      16,
      1,
      1,
    ]);
  });

  it("vercel() waits as long as rate_limited's limit.reset says, or gives up saying so", async () => {
    reset();
    const reset60 = Math.floor(Date.now() / 1000) + 60;
    override = json(429, {
      error: {
        code: "rate_limited",
        message: "The rate limit of 6 exceeded",
        limit: { remaining: 0, reset: reset60, resetMs: reset60 * 1000, total: 6 },
      },
    });
    const result = await purge({ tags: ["products"] }, project(), { maxRetryDelayMs: 1000 });
    assert.match(
      result.targets[0]!.nodes[0]!.reason!,
      /^429 rate limited: rate_limited: The rate limit of 6 exceeded \(asked to wait (59|60) s; not retried\)$/,
    );
    assert.equal(server.requests.length, 1);
  });

  it("denoDeploy() posts tags to the invalidation endpoint, 500 per request, without credentials", async () => {
    reset();
    const tags = Array.from({ length: 600 }, (_, index) => `t${index}`);
    const result = await purge({ tags }, deployment());
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.deepEqual(server.requests.map((request) => JSON.parse(request.body).tags.length), [
      500,
      100,
    ]);
    const urls = await purge({ urls: ["https://example.com/"] }, deployment());
    assert.match(urls.targets[0]!.nodes[0]!.reason!, /by cache tag only/);
  });

  it("a 5xx is retried, and reported when it persists", async () => {
    reset();
    override = json(503, { message: "Service Unavailable" });
    const result = await purge({ tags: ["products"] }, site(), { retries: 1 });
    assert.deepEqual(result.targets[0]!.nodes[0], {
      node: `netlify site ${SITE}`,
      status: "failed",
      reason: "503: Service Unavailable",
      attempts: 2,
    });
  });
});
