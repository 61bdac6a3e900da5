/** The test-matrix helper: rows path × visitor × method × status, and their Markdown table. */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CacheConfigError, cacheHeaders, type CacheHeadersOptions } from "../mod.ts";
import { formatMatrix, headerMatrix } from "../src/adapters/matrix.ts";

const CONFIG: CacheHeadersOptions = {
  timeouts: {
    "all-users": { "1h": ["/static/*"] },
    "anonymous-only": { "5m": ["/news/*"] },
    "per-user": { 60: ["/account/*"] },
  },
};
const VARY = "Cookie, Authorization";

describe("headerMatrix()", () => {
  test("nests path, visitor, method, status in that order, with the default visitors", () => {
    const rows = headerMatrix(CONFIG, ["/news/1", "/static/a"], {
      methods: ["GET", "HEAD"],
      statuses: [200, 404],
    });
    assert.equal(rows.length, 2 * 2 * 2 * 2);
    assert.deepEqual(
      rows.slice(0, 5).map((row) => [row.path, row.visitor, row.method, row.status]),
      [
        ["/news/1", "anonymous", "GET", 200],
        ["/news/1", "anonymous", "GET", 404],
        ["/news/1", "anonymous", "HEAD", 200],
        ["/news/1", "anonymous", "HEAD", 404],
        ["/news/1", "signed-in", "GET", 200],
      ],
    );
  });

  test("reports what apply() sends and why, for each visitor", () => {
    const rows = headerMatrix(CONFIG, ["/account/x"], {
      visitors: [
        { name: "anonymous", identity: null },
        { name: "ann", identity: { id: "ann" } },
        { name: "token, no session", identity: null, headers: { authorization: "Bearer t" } },
      ],
      statuses: [200, 304, 500],
    });
    const table = rows.map((
      row,
    ) => [
      row.visitor,
      row.status,
      row.cacheControl,
      row.vary,
      row.xAccelExpires,
      row.reason,
      row.rule,
    ]);
    assert.deepEqual(table, [
      ["anonymous", 200, "max-age=5, s-maxage=60", VARY, "60", "rule", '"/account/*"'],
      ["anonymous", 304, "max-age=5, s-maxage=60", VARY, "60", "rule", '"/account/*"'],
      ["anonymous", 500, "private, no-cache", null, null, "status", null],
      ["ann", 200, "private, max-age=5", VARY, null, "rule", '"/account/*"'],
      ["ann", 304, "private, max-age=5", VARY, null, "rule", '"/account/*"'],
      ["ann", 500, "private, no-cache", null, null, "status", null],
      ["token, no session", 200, "private, max-age=5", VARY, null, "rule", '"/account/*"'],
      ["token, no session", 304, "private, max-age=5", VARY, null, "rule", '"/account/*"'],
      ["token, no session", 500, "private, no-cache", null, null, "status", null],
    ]);
  });

  test("agrees with apply() itself on every row (the oracle)", () => {
    const apply = cacheHeaders(CONFIG);
    const paths = ["/", "/news/x", "/static/a.css", "/account/", "https://other.example/static/b"];
    for (
      const row of headerMatrix(CONFIG, paths, {
        methods: ["GET", "POST"],
        statuses: [200, 204, 301],
      })
    ) {
      const identity = row.visitor === "signed-in" ? { id: "user" } : null;
      const body = row.status === 204 ? null : "body";
      const request = new Request(new URL(row.path, "https://example.com"), { method: row.method });
      const sent = apply(request, new Response(body, { status: row.status }), identity).headers;
      const label = `${row.method} ${row.path} ${row.visitor} ${row.status}`;
      assert.equal(row.cacheControl, sent.get("cache-control"), label);
      assert.equal(row.vary, sent.get("vary"), label);
      assert.equal(row.xAccelExpires, sent.get("x-accel-expires"), label);
    }
  });

  test("resolves paths against the origin option, so hostname rules can be tried", () => {
    const options = {
      timeouts: { "all-users": { "1h": [{ hostname: "cdn.example", pathname: "/*" }] } },
    };
    const [cdn] = headerMatrix(options, ["/x"], {
      origin: "https://cdn.example",
      visitors: [{ name: "a", identity: null }],
    });
    const [other] = headerMatrix(options, ["/x"], { visitors: [{ name: "a", identity: null }] });
    assert.equal(cdn!.cacheControl, "max-age=5, s-maxage=3600");
    assert.equal(other!.reason, "no-rule");
  });

  test("refuses statuses a handler cannot answer with, and bad options", () => {
    assert.throws(() => headerMatrix(CONFIG, ["/"], { statuses: [101] }), RangeError);
    assert.throws(() => headerMatrix(CONFIG, ["/"], { statuses: [600] }), RangeError);
    assert.throws(() => headerMatrix(CONFIG, ["/"], { statuses: [200.5] }), RangeError);
    assert.throws(
      () => headerMatrix({ timeouts: { "per-usr": { 1: ["/"] } } }, ["/"]),
      CacheConfigError,
    );
  });
});

describe("formatMatrix()", () => {
  test("writes a stable Markdown table, '-' for absent headers, pipes escaped", () => {
    const rows = headerMatrix(CONFIG, ["/news/1", "/elsewhere"], {
      visitors: [{ name: "anonymous", identity: null }, {
        name: "ann | admin",
        identity: { id: "ann" },
      }],
    });
    const expected = [
      "| path | visitor | method | status | Cache-Control | Vary | X-Accel-Expires | reason | rule |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
      '| /news/1 | anonymous | GET | 200 | max-age=5, s-maxage=300 | Cookie, Authorization | 300 | rule | "/news/*" |',
      '| /news/1 | ann \\| admin | GET | 200 | private, no-cache | Cookie, Authorization | - | rule | "/news/*" |',
      "| /elsewhere | anonymous | GET | 200 | private, no-cache | - | - | no-rule | - |",
      "| /elsewhere | ann \\| admin | GET | 200 | private, no-cache | - | - | no-rule | - |",
      "",
    ].join("\n");
    assert.equal(formatMatrix(rows), expected);
    assert.equal(
      formatMatrix(rows),
      formatMatrix(headerMatrix(CONFIG, ["/news/1", "/elsewhere"], {
        visitors: [{ name: "anonymous", identity: null }, {
          name: "ann | admin",
          identity: { id: "ann" },
        }],
      })),
    );
  });

  test("an empty matrix is the header alone", () => {
    assert.equal(formatMatrix([]).split("\n").length, 3);
  });
});
