/**
 * purge() itself: what it accepts, that tags reach the cache exactly as cachewise wrote them on
 * the response, and how it answers for nodes that are down, slow, redirect, fail or recover
 * (local servers stand in for the nodes; the real daemons are in purge_varnish_test.ts and
 * purge_nginx_test.ts).
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { cacheHeaders } from "../mod.ts";
import { denoDeploy, purge, type PurgeTarget, varnish } from "../src/purge/mod.ts";
import { readPurgeRequest } from "../src/purge/input.ts";
import { type Answer, json, type LocalServer, startServer } from "./testdata/local_server.ts";

describe("purge() refuses a malformed request, naming every problem", () => {
  it("tags outside the cachewise tag set, relative or foreign URLs, bad prefixes, nothing at all", () => {
    assert.throws(
      () =>
        readPurgeRequest({
          tags: ["product-café", "a b", ""],
          urls: [
            "about",
            "ftp://example.com/x",
            "//evil.example/x",
            "/a\nb",
            "https://u:p@example.com/",
          ],
          prefixes: ["https://"],
        }),
      (error: Error) => {
        assert.ok(error instanceof TypeError);
        for (
          const part of [
            'tag "product-café" at tags[0] holds characters cachewise never writes',
            'tag "a b" at tags[1]',
            "tags[2] must be a non-empty string",
            'urls[0] "about" is neither an absolute URL nor a path',
            'urls[1] "ftp://example.com/x" must be an http or https URL',
            'urls[2] "//evil.example/x" must start with a single /',
            "urls[3]",
            "urls[4] must not hold a user name or password",
            'prefix "https://" at prefixes[0] must be host/path',
          ]
        ) assert.ok(error.message.includes(part), `${part} in ${error.message}`);
        return true;
      },
    );
    assert.throws(() => readPurgeRequest({}), /nothing to purge/);
    assert.throws(() => readPurgeRequest({ tags: "products" as never }), /tags must be an array/);
  });

  it("normalises URLs as clients send them, and removes duplicates", () => {
    assert.deepEqual(
      readPurgeRequest({
        urls: ["https://Shop.Example.com:8443/caf\u00e9?q=1#top", "/a/../b", "/b"],
      }).urls,
      [
        {
          path: "/caf%C3%A9?q=1",
          origin: "https://shop.example.com:8443",
          host: "shop.example.com",
          scheme: "https",
        },
        { path: "/b" },
      ],
    );
  });

  it("refuses an empty target list, something that is not a target, and bad options", async () => {
    await assert.rejects(purge({ tags: ["a"] }, []), TypeError);
    await assert.rejects(purge({ tags: ["a"] }, [{ name: "x" } as never]), TypeError);
    await assert.rejects(
      purge({ tags: ["a"] }, varnish("http://127.0.0.1:9"), { retries: -1 }),
      RangeError,
    );
    assert.throws(() => varnish("http://127.0.0.1:6081/purge"), /without a path/);
    assert.throws(() => varnish(["http://a:1", "http://a:1/"]), /repeats/);
  });
});

describe("tags reach the cache exactly as cachewise wrote them on the response", () => {
  let server: LocalServer;
  before(async () => {
    server = await startServer(() => json(200, {}));
  });
  after(() => server.close());

  it("every tag a response carries is sent byte for byte, never re-encoded (property)", async () => {
    const apply = cacheHeaders({
      tagHeaders: ["xkey"],
      rules: [{
        pattern: "/products/:id",
        policy: "all-users",
        ttl: "1h",
        tags: ["product-:id", "products"],
      }],
    });
    const target = denoDeploy({ endpoint: `${server.url}/invalidate/http` });
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }), async (id) => {
        const url = new URL(`https://shop.example.com/products/${encodeURIComponent(id)}`);
        const response = apply(new Request(url), new Response("page"));
        const written = response.headers.get("xkey");
        fc.pre(written !== null);
        server.requests.length = 0;
        const result = await purge({ tags: written!.split(" ") }, target);
        assert.equal(result.ok, true);
        assert.deepEqual(JSON.parse(server.requests[0]!.body).tags, written!.split(" "));
      }),
      { numRuns: 200 },
    );
  });

  it("a string outside the tag set is refused rather than encoded into some other tag (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((tag) => !/^[A-Za-z0-9._~%-]+$/.test(tag)),
        (tag) => {
          assert.throws(() => readPurgeRequest({ tags: [tag] }), TypeError);
        },
      ),
    );
  });
});

describe("purge() answers for every node, whatever the node does", () => {
  let answers: Answer[] = [];
  let server: LocalServer;
  before(async () => {
    server = await startServer(() => answers.shift() ?? json(200, {}));
  });
  after(() => server.close());
  const endpoint = () => denoDeploy({ endpoint: `${server.url}/invalidate/http` });

  it("a node that never answers is reported timed-out after the bounded retries", async () => {
    answers = ["hang", "hang"];
    const result = await purge({ tags: ["a"] }, endpoint(), { timeoutMs: 200, retries: 1 });
    assert.deepEqual(result.targets[0]!.nodes[0]!.status, "timed-out");
    assert.equal(result.targets[0]!.nodes[0]!.reason, "no answer within 200 ms");
    assert.equal(result.targets[0]!.nodes[0]!.attempts, 2);
  });

  it("a 503 is retried and a later success counts", async () => {
    answers = [json(503, {}), json(200, {})];
    const result = await purge({ tags: ["a"] }, endpoint());
    assert.equal(result.ok, true);
    assert.equal(result.targets[0]!.nodes[0]!.attempts, 2);
  });

  it("a redirect is a failure, not followed: purge the final address", async () => {
    answers = [{ status: 301, headers: { location: "https://elsewhere.example/" } }];
    const result = await purge({ tags: ["a"] }, endpoint());
    assert.match(
      result.targets[0]!.nodes[0]!.reason!,
      /^redirected \(301\) to https:\/\/elsewhere\.example\//,
    );
  });

  it("a node that refuses connections fails without stopping the others, and one target that throws fails alone", async () => {
    const broken: PurgeTarget = {
      name: "broken",
      nodes: ["b1"],
      purge: () => Promise.reject(new Error("boom")),
    };
    const result = await purge(
      { tags: ["a"] },
      [varnish("http://127.0.0.1:9"), endpoint(), broken],
      { retries: 0 },
    );
    assert.equal(result.ok, false);
    assert.deepEqual(result.targets.map((target) => target.ok), [false, true, false]);
    assert.match(result.targets[0]!.nodes[0]!.reason!, /^unreachable: /);
    assert.deepEqual(result.targets[2]!.nodes, [
      { node: "b1", status: "failed", reason: "the target failed: boom", attempts: 0 },
    ]);
  });

  it("a node without the generated endpoint is never taken for a purge, and a 403 says who may purge", async () => {
    const node = varnish(server.url);
    answers = [{ status: 200, body: "a backend that answers every method" }];
    const plain = await purge({ urls: ["/about"] }, node);
    assert.equal(
      plain.targets[0]!.nodes[0]!.reason,
      "no cachewise purge endpoint answered (200): generate the configuration with cachewise vcl --purge-from",
    );
    answers = [{ status: 403, body: "Forbidden" }];
    const refused = await purge({ urls: ["/about"] }, node);
    assert.equal(
      refused.targets[0]!.nodes[0]!.reason,
      "refused (403): this address is not in the --purge-from list of cachewise vcl",
    );
  });

  it("a cancelled purge stops and says so", async () => {
    answers = ["hang"];
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await purge({ tags: ["a"] }, endpoint(), { signal: controller.signal });
    assert.equal(result.targets[0]!.nodes[0]!.reason, "cancelled");
    assert.equal(result.targets[0]!.nodes[0]!.attempts, 1);
  });
});
