/**
 * cloudflare() against a local server that checks Cloudflare's documented request
 * (https://developers.cloudflare.com/api/resources/cache/methods/purge/, read December 2026):
 * `POST /zones/{zone_id}/purge_cache`, `Authorization: Bearer`, a JSON body with exactly one of
 * `tags`, `files`, `prefixes` (at most 100 items), and the v4 envelope in the answer.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { cloudflare, purge } from "../src/purge/mod.ts";
import {
  type Answer,
  json,
  type LocalServer,
  type Recorded,
  startServer,
} from "./testdata/local_server.ts";

const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
const TOKEN = "Y8yXk-cloudflare-test-token-1234";

/** What Cloudflare documents; anything else gets a 400 naming the difference. */
function checkDocumented(request: Recorded): string | null {
  if (request.method !== "POST") return `method ${request.method}`;
  if (request.url !== `/client/v4/zones/${ZONE}/purge_cache`) return `path ${request.url}`;
  if (request.headers["authorization"] !== `Bearer ${TOKEN}`) return "authorization";
  if (request.headers["content-type"] !== "application/json") return "content-type";
  const body = JSON.parse(request.body) as Record<string, unknown>;
  const keys = Object.keys(body);
  if (keys.length !== 1 || !["tags", "files", "prefixes"].includes(keys[0]!)) {
    return `body keys ${keys.join(",")}`;
  }
  const items = body[keys[0]!];
  if (!Array.isArray(items) || items.length === 0 || items.length > 100) return "item count";
  if (keys[0] === "files" && !items.every((url) => /^https?:\/\//.test(String(url)))) {
    return "files must be full URLs";
  }
  if (keys[0] === "prefixes" && items.some((prefix) => /^https?:/.test(String(prefix)))) {
    return "prefixes carry no scheme";
  }
  return null;
}

const SUCCESS = json(200, { success: true, errors: [], messages: [], result: { id: ZONE } });

describe("cloudflare() against a local server that checks Cloudflare's documented request", () => {
  let server: LocalServer;
  let answers: Answer[] = [];
  before(async () => {
    server = await startServer((request) => {
      const problem = checkDocumented(request);
      if (problem !== null) return json(400, { success: false, errors: [{ message: problem }] });
      return answers.shift() ?? SUCCESS;
    });
  });
  after(() => server.close());
  const zone = () =>
    cloudflare({ zoneId: ZONE, apiToken: TOKEN, apiBase: `${server.url}/client/v4` });
  const reset = () => {
    server.requests.length = 0;
    answers = [];
  };

  it("purges tags, URLs and prefixes, one documented request each, tags exactly as given", async () => {
    reset();
    const result = await purge({
      tags: ["product-caf%C3%A9", "products"],
      urls: ["https://shop.example.com/products/42?page=2"],
      prefixes: ["https://shop.example.com/blog/"],
    }, zone());
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.deepEqual(server.requests.map((request) => JSON.parse(request.body)), [
      { tags: ["product-caf%C3%A9", "products"] },
      { files: ["https://shop.example.com/products/42?page=2"] },
      { prefixes: ["shop.example.com/blog/"] },
    ]);
    assert.deepEqual(result.targets[0]?.nodes[0], {
      node: `cloudflare zone ${ZONE}`,
      status: "purged",
      detail: `purge ${ZONE}, purge ${ZONE}, purge ${ZONE}`,
      attempts: 3,
    });
  });

  it("sends at most 100 tags per request, as documented", async () => {
    reset();
    const tags = Array.from({ length: 150 }, (_, index) => `tag-${index}`);
    const result = await purge({ tags }, zone());
    assert.equal(result.ok, true);
    assert.deepEqual(server.requests.map((request) => JSON.parse(request.body).tags.length), [
      100,
      50,
    ]);
  });

  it("reports Cloudflare's error code and message, and does not retry a 403", async () => {
    reset();
    answers = [json(403, {
      success: false,
      errors: [{ code: 10000, message: "Authentication error" }],
      messages: [],
      result: null,
    })];
    const result = await purge({ tags: ["products"] }, zone());
    const node = result.targets[0]!.nodes[0]!;
    assert.equal(result.ok, false);
    assert.equal(node.status, "failed");
    assert.equal(node.reason, "403: 10000 Authentication error");
    assert.equal(node.attempts, 1);
  });

  it("waits the Retry-After of a 429 and retries", async () => {
    reset();
    answers = [json(429, {
      success: false,
      errors: [{ code: 971, message: "Please wait and consider throttling your request speed" }],
    }, { "retry-after": "1" })];
    const result = await purge({ tags: ["products"] }, zone());
    assert.equal(result.ok, true);
    assert.equal(result.targets[0]!.nodes[0]!.attempts, 2);
  });

  it("gives up when a 429 asks for a longer wait than allowed, saying so", async () => {
    reset();
    answers = [json(429, { success: false, errors: [] }, { "retry-after": "300" })];
    const result = await purge({ tags: ["products"] }, zone(), { maxRetryDelayMs: 1000 });
    assert.match(
      result.targets[0]!.nodes[0]!.reason!,
      /^429 rate limited \(asked to wait 300 s; not retried\)$/,
    );
    assert.equal(server.requests.length, 1);
  });

  it("refuses a bare path without sending anything: Cloudflare purges full URLs", async () => {
    reset();
    const result = await purge({ urls: ["/products/42"] }, zone());
    assert.match(
      result.targets[0]!.nodes[0]!.reason!,
      /full URLs: give https:\/\/host\/products\/42/,
    );
    assert.equal(server.requests.length, 0);
  });

  it("never shows the token, even when the API echoes it", async () => {
    reset();
    answers = [
      json(400, { success: false, errors: [{ code: 6003, message: `bad token ${TOKEN}` }] }),
    ];
    const target = zone();
    const result = await purge({ tags: ["products"] }, target);
    assert.equal(result.targets[0]!.nodes[0]!.reason, "400: 6003 bad token [redacted]");
    for (const text of [JSON.stringify(result), JSON.stringify(target), String(target)]) {
      assert.doesNotMatch(text, new RegExp(TOKEN));
    }
  });

  it("reads the zone and token from CLOUDFLARE_ZONE_ID and CLOUDFLARE_API_TOKEN, and names them when missing", async () => {
    reset();
    const env = globalThis.process.env;
    Object.assign(env, {
      CLOUDFLARE_ZONE_ID: ZONE,
      CLOUDFLARE_API_TOKEN: TOKEN,
      CLOUDFLARE_API_BASE: `${server.url}/client/v4`,
    });
    try {
      assert.equal((await purge({ tags: ["a"] }, cloudflare())).ok, true);
      delete env.CLOUDFLARE_API_TOKEN;
      assert.throws(
        () => cloudflare(),
        (error: Error) =>
          error instanceof TypeError && /CLOUDFLARE_API_TOKEN/.test(error.message) &&
          !error.message.includes(TOKEN),
      );
    } finally {
      delete env.CLOUDFLARE_ZONE_ID;
      delete env.CLOUDFLARE_API_TOKEN;
      delete env.CLOUDFLARE_API_BASE;
    }
  });
});
