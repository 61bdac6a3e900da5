/**
 * fastly() against a local server that checks Fastly's documented requests
 * (https://www.fastly.com/documentation/reference/api/purging/, read December 2026): a batch
 * surrogate-key purge is `POST /service/{service_id}/purge` with the keys in a `Surrogate-Key`
 * header (at most 256), a URL purge is `POST /purge/{host}{path}`, both with `Fastly-Key`, and
 * `Fastly-Soft-Purge: 1` for a soft purge.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fastly, purge } from "../src/purge/mod.ts";
import {
  type Answer,
  json,
  type LocalServer,
  type Recorded,
  startServer,
} from "./testdata/local_server.ts";

const SERVICE = "SU1Z0isxPaozGVKXdv0eY";
const TOKEN = "fastly-test-token-0123456789";

function answerDocumented(request: Recorded, soft: boolean): Answer {
  if (request.method !== "POST") return json(405, { msg: `method ${request.method}` });
  if (request.headers["fastly-key"] !== TOKEN) {
    return json(401, { msg: "Provided credentials are missing or invalid" });
  }
  if ((request.headers["fastly-soft-purge"] === "1") !== soft) return json(400, { msg: "soft" });
  if (request.url === `/service/${SERVICE}/purge`) {
    const keys = (request.headers["surrogate-key"] ?? "").split(" ");
    if (keys.length === 0 || keys.length > 256 || keys.includes("")) {
      return json(400, { msg: "keys" });
    }
    return json(
      200,
      Object.fromEntries(keys.map((key, index) => [key, `108-1391560174-97412${index}`])),
    );
  }
  if (request.url.startsWith("/purge/shop.example.com/")) {
    return json(200, { status: "ok", id: "108-1391560174-974124" });
  }
  return json(404, { msg: "Record not found", detail: request.url });
}

describe("fastly() against a local server that checks Fastly's documented requests", () => {
  let server: LocalServer;
  let soft = false;
  let override: Answer | null = null;
  before(async () => {
    server = await startServer((request) => override ?? answerDocumented(request, soft));
  });
  after(() => server.close());
  const service = (options: { soft?: boolean } = {}) =>
    fastly({ serviceId: SERVICE, apiToken: TOKEN, apiBase: server.url, ...options });
  const reset = () => {
    server.requests.length = 0;
    override = null;
    soft = false;
  };

  it("purges surrogate keys in one batch and each URL, as documented", async () => {
    reset();
    const result = await purge({
      tags: ["product-caf%C3%A9", "products"],
      urls: ["https://shop.example.com/products/42?page=2"],
    }, service());
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.deepEqual(
      server.requests.map((request) => [request.url, request.headers["surrogate-key"]]),
      [
        [`/service/${SERVICE}/purge`, "product-caf%C3%A9 products"],
        ["/purge/shop.example.com/products/42?page=2", undefined],
      ],
    );
    assert.equal(result.targets[0]!.nodes[0]!.detail, "2 keys, purge 108-1391560174-974124");
  });

  it("sends Fastly-Soft-Purge: 1 for a soft purge", async () => {
    reset();
    soft = true;
    const result = await purge({ tags: ["products"] }, service({ soft: true }));
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(server.requests[0]!.headers["fastly-soft-purge"], "1");
  });

  it("splits more than 256 keys into batches", async () => {
    reset();
    const tags = Array.from({ length: 300 }, (_, index) => `k${index}`);
    const result = await purge({ tags }, service());
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.deepEqual(
      server.requests.map((request) => request.headers["surrogate-key"]!.split(" ").length),
      [256, 44],
    );
  });

  it("fails when the answer lacks a purge id for a key", async () => {
    reset();
    override = json(200, { products: "108-1" });
    const result = await purge({ tags: ["products", "news"] }, service());
    assert.equal(result.targets[0]!.nodes[0]!.reason, "no purge id for news");
  });

  it("reports Fastly's msg and detail, retries a 429, and never shows the token", async () => {
    reset();
    override = json(401, { msg: "Provided credentials are missing or invalid", detail: TOKEN });
    const denied = await purge({ tags: ["products"] }, service());
    assert.equal(
      denied.targets[0]!.nodes[0]!.reason,
      "401: Provided credentials are missing or invalid: [redacted]",
    );
    override = json(429, { msg: "Too many requests" }, { "retry-after": "0" });
    const limited = await purge({ tags: ["products"] }, service(), { retries: 1 });
    assert.equal(limited.targets[0]!.nodes[0]!.attempts, 2);
    assert.equal(limited.targets[0]!.nodes[0]!.reason, "429 rate limited: Too many requests");
  });

  it("refuses prefixes and bare paths without sending anything", async () => {
    reset();
    const prefixes = await purge({ prefixes: ["shop.example.com/blog/"] }, service());
    const bare = await purge({ urls: ["/products/42"] }, service());
    assert.match(
      prefixes.targets[0]!.nodes[0]!.reason!,
      /cannot purge by prefix \(only Cloudflare can\)/,
    );
    assert.match(bare.targets[0]!.nodes[0]!.reason!, /full URLs/);
    assert.equal(server.requests.length, 0);
  });
});
