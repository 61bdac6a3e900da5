/**
 * akamai() and its EdgeGrid signing. The signer reproduces the test vectors Akamai's reference
 * clients share (AkamaiOPEN-edgegrid-python, akamai/edgegrid/test/testdata.json); the client is
 * then checked against a local server that verifies each request as Akamai documents it
 * (https://techdocs.akamai.com/purge-cache/reference/api-summary and
 * https://techdocs.akamai.com/developer/docs/authenticate-with-edgegrid, read December 2026),
 * recomputing the signature independently with node:crypto.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { akamai, purge } from "../src/purge/mod.ts";
import { edgeGridTimestamp, signEdgeGrid } from "../src/purge/edgegrid.ts";
import {
  type Answer,
  json,
  type LocalServer,
  type Recorded,
  startServer,
} from "./testdata/local_server.ts";

/** The credentials, timestamp and nonce of Akamai's shared test vectors. */
const VECTOR = {
  clientToken: "akab-client-token-xxx-xxxxxxxxxxxxxxxx",
  clientSecret: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=",
  accessToken: "akab-access-token-xxx-xxxxxxxxxxxxxxxx",
  timestamp: "20140321T19:34:21+0000",
  nonce: "nonce-xx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
  base: "https://akaa-baseurl-xxxxxxxxxxx-xxxxxxxxxxxxx.luna.akamaiapis.net",
};
const PREFIX =
  `EG1-HMAC-SHA256 client_token=${VECTOR.clientToken};access_token=${VECTOR.accessToken};` +
  `timestamp=${VECTOR.timestamp};nonce=${VECTOR.nonce};`;

describe("EdgeGrid signing reproduces Akamai's reference test vectors", () => {
  const sign = (method: string, path: string, body?: string) =>
    signEdgeGrid(
      VECTOR,
      { method, url: VECTOR.base + path, ...(body !== undefined && { body }) },
      VECTOR.timestamp,
      VECTOR.nonce,
    );

  it("simple GET, GET with a query string, POST with a body, POST with an empty body", async () => {
    assert.equal(
      await sign("GET", "/"),
      `${PREFIX}signature=tL+y4hxyHxgWVD30X3pWnGKHcPzmrIF+LThiAOhMxYU=`,
    );
    assert.equal(
      await sign("GET", "/testapi/v1/t1?p1=1&p2=2"),
      `${PREFIX}signature=hKDH1UlnQySSHjvIcZpDMbQHihTQ0XyVAKZaApabdeA=`,
    );
    assert.equal(
      await sign("POST", "/testapi/v1/t3", "datadatadatadatadatadatadatadata"),
      `${PREFIX}signature=hXm4iCxtpN22m4cbZb4lVLW5rhX8Ca82vCFqXzSTPe4=`,
    );
    assert.equal(
      await sign("POST", "/testapi/v1/t6", ""),
      `${PREFIX}signature=1gEDxeQGD5GovIkJJGcBaKnZ+VaPtrc4qBUHixjsPCQ=`,
    );
  });

  it("formats the timestamp as yyyyMMddTHH:mm:ss+0000 in UTC", () => {
    assert.equal(edgeGridTimestamp(new Date(Date.UTC(2014, 2, 21, 19, 34, 21))), VECTOR.timestamp);
  });
});

/** Akamai's check of a signed request, written independently of the client with node:crypto. */
function verifySignature(request: Recorded, secret: string): string | null {
  const header = request.headers["authorization"] ?? "";
  const match =
    /^(EG1-HMAC-SHA256 client_token=[^;]+;access_token=[^;]+;timestamp=(\d{8}T\d\d:\d\d:\d\d\+0000);nonce=[0-9a-f-]{36};)signature=(.+)$/
      .exec(header);
  if (match === null) return "malformed authorization";
  const [, prefix, timestamp, signature] = match;
  const key = createHmac("sha256", secret).update(timestamp!).digest("base64");
  const contentHash = createHash("sha256").update(request.body).digest("base64");
  const data = ["POST", "http", request.headers["host"], request.url, "", contentHash, prefix].join(
    "\t",
  );
  const expected = createHmac("sha256", key).update(data).digest("base64");
  return expected === signature ? null : "signature mismatch";
}

const SECRET = "Zm9vYmFyYmF6c2VjcmV0LWFrYW1haS10ZXN0LXZhbHVl";
const ACCEPTED = json(201, {
  httpStatus: 201,
  detail: "Request accepted",
  estimatedSeconds: 5,
  purgeId: "edcp-JUsa1TxuKGFo3MBBVPqD1j",
  supportId: "17PY1321286429616716-211907680",
});

describe("akamai() against a local server that checks Akamai's documented Fast Purge request", () => {
  let server: LocalServer;
  let override: Answer | null = null;
  before(async () => {
    server = await startServer((request) => {
      if (override !== null) return override;
      if (request.method !== "POST") return json(405, { title: "Method Not Allowed" });
      if (!/^\/ccu\/v3\/(delete|invalidate)\/(tag|url)\/(production|staging)$/.test(request.url)) {
        return json(404, { title: "Not Found" });
      }
      if (request.headers["content-type"] !== "application/json") {
        return json(415, { title: "Unsupported Media Type" });
      }
      const problem = verifySignature(request, SECRET);
      if (problem !== null) return json(401, { title: "Unauthorized", detail: problem });
      const body = JSON.parse(request.body) as { objects?: unknown[] };
      if (Object.keys(body).join() !== "objects" || !body.objects?.length) {
        return json(400, { title: "Bad Request" });
      }
      return ACCEPTED;
    });
  });
  after(() => server.close());
  const account = (options: { soft?: boolean; network?: "staging" } = {}) =>
    akamai({
      clientToken: "akab-ct",
      clientSecret: SECRET,
      accessToken: "akab-at",
      apiBase: server.url,
      ...options,
    });

  it("deletes by cache tag and by URL with signed requests, and says when it will be done", async () => {
    server.requests.length = 0;
    const result = await purge({
      tags: ["product-caf%C3%A9"],
      urls: ["https://shop.example.com/products/42"],
    }, account());
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.deepEqual(server.requests.map((request) => [request.url, JSON.parse(request.body)]), [
      ["/ccu/v3/delete/tag/production", { objects: ["product-caf%C3%A9"] }],
      ["/ccu/v3/delete/url/production", { objects: ["https://shop.example.com/products/42"] }],
    ]);
    assert.match(
      result.targets[0]!.nodes[0]!.detail!,
      /^purge edcp-JUsa1TxuKGFo3MBBVPqD1j, done in about 5 s/,
    );
  });

  it("invalidates when soft, on the network asked for", async () => {
    server.requests.length = 0;
    assert.equal(
      (await purge({ tags: ["products"] }, account({ soft: true, network: "staging" }))).ok,
      true,
    );
    assert.equal(server.requests[0]!.url, "/ccu/v3/invalidate/tag/staging");
  });

  it("a wrong secret is refused by the server's independent check, and the secret never shows", async () => {
    const wrong = akamai({
      clientToken: "akab-ct",
      clientSecret: "not-the-secret",
      accessToken: "akab-at",
      apiBase: server.url,
    });
    const result = await purge({ tags: ["products"] }, wrong);
    assert.equal(result.targets[0]!.nodes[0]!.reason, "401: Unauthorized: signature mismatch");
    assert.doesNotMatch(JSON.stringify(result), /not-the-secret/);
  });

  it("waits the documented five seconds after a 429 that names no wait (or gives up, saying so)", async () => {
    override = json(429, {
      supportId: "17PY1552425241133633-211776704",
      title: "Rate Limit exceeded",
      httpStatus: 429,
      rateLimit: 100,
      rateLimitRemaining: 0,
    });
    try {
      const result = await purge({ tags: ["products"] }, account(), { maxRetryDelayMs: 1000 });
      assert.equal(
        result.targets[0]!.nodes[0]!.reason,
        "429 rate limited: Rate Limit exceeded (asked to wait 5 s; not retried)",
      );
    } finally {
      override = null;
    }
  });
});
