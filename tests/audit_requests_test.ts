/**
 * How the audit behaves on the network, against local node:http servers that record every request
 * they get: which headers go where, redirects, the order of requests, the concurrency limit, the
 * timeout, the request budget and the body limit. Runs unchanged under Deno, Bun and Node.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { audit } from "../src/audit/mod.ts";

interface Recorded {
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
}

interface Server {
  readonly origin: string;
  readonly port: number;
  readonly requests: Recorded[];
  close(): Promise<void>;
}

/** A server on 127.0.0.1 that records each request and answers with `handler`. */
async function serve(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<Server> {
  const requests: Recorded[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    requests.push({ path: request.url ?? "", headers: request.headers });
    handler(request, response);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const quick = { pauseSeconds: 0, rounds: 1 } as const;

describe("audit() on the network", () => {
  it("sends each visitor's cookies and headers, and a User-Agent, to the URL's host", async () => {
    const server = await serve((_, response) => response.end("ok"));
    try {
      await audit({
        ...quick,
        urls: [`${server.origin}/page`],
        visitors: [
          {
            name: "alice",
            cookies: ["sessionid=abc", "theme=dark"],
            headers: [["X-Team", "blue"]],
          },
          { name: "anonymous" },
        ],
      });
      const [alice, anonymous] = server.requests;
      assert.equal(alice!.headers.cookie, "sessionid=abc; theme=dark");
      assert.equal(alice!.headers["x-team"], "blue");
      assert.equal(anonymous!.headers.cookie, undefined);
      assert.equal(anonymous!.headers["x-team"], undefined);
      assert.match(String(anonymous!.headers["user-agent"]), /^cachewise-audit/);
    } finally {
      await server.close();
    }
  });

  it("follows a redirect on the same host, credentials included", async () => {
    const server = await serve((request, response) => {
      if (request.url === "/start") {
        response.writeHead(302, { location: "/end" }).end();
      } else {
        response.end("the end");
      }
    });
    try {
      const report = await audit({
        ...quick,
        urls: [`${server.origin}/start`],
        visitors: [{ name: "alice", cookies: ["sid=1"] }],
      });
      assert.deepEqual(server.requests.map((r) => [r.path, r.headers.cookie]), [
        ["/start", "sid=1"],
        ["/end", "sid=1"],
      ]);
      const [seen] = report.results[0]!.observations;
      assert.equal(seen!.redirects, 1);
      assert.equal(seen!.fetched, `${server.origin}/end`);
      assert.equal(seen!.status, 200);
    } finally {
      await server.close();
    }
  });

  it("sends nothing to another host or port a redirect points to, and records the redirect", async () => {
    const elsewhere = await serve((_, response) => response.end("elsewhere"));
    const targets = [
      `http://localhost:${elsewhere.port}/x`,
      `http://127.0.0.1:${elsewhere.port}/y`,
      `//localhost:${elsewhere.port}/z`,
    ];
    const server = await serve((request, response) => {
      const index = Number(request.url?.slice(1));
      response.writeHead(307, { location: targets[index]! }).end();
    });
    try {
      const report = await audit({
        ...quick,
        urls: targets.map((_, index) => `${server.origin}/${index}`),
        visitors: [{ name: "alice", cookies: ["sid=secret"] }],
      });
      assert.equal(elsewhere.requests.length, 0, "the other host got no request at all");
      for (const result of report.results) {
        const [seen] = result.observations;
        assert.equal(seen!.status, 307);
        assert.match(seen!.note ?? "", /not followed \(another host\)/);
      }
    } finally {
      await server.close();
      await elsewhere.close();
    }
  });

  it("records more than five redirects without following the sixth", async () => {
    const server = await serve((request, response) => {
      const n = Number(new URL(request.url!, "http://x").searchParams.get("n") ?? "0");
      response.writeHead(302, { location: `/loop?n=${n + 1}` }).end();
    });
    try {
      const report = await audit({ ...quick, urls: [`${server.origin}/loop`] });
      const [seen] = report.results[0]!.observations;
      assert.equal(server.requests.length, 6);
      assert.equal(seen!.redirects, 5);
      assert.match(seen!.note ?? "", /more than 5 redirects/);
    } finally {
      await server.close();
    }
  });

  it("requests each URL as every visitor in turn, rotating per round, at most `concurrency` URLs at once", async () => {
    let inFlight = 0;
    let most = 0;
    const perPath = new Map<string, number>();
    const overlapping: string[] = [];
    const server = await serve((request, response) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      const path = request.url!;
      if ((perPath.get(path) ?? 0) > 0) overlapping.push(path);
      perPath.set(path, (perPath.get(path) ?? 0) + 1);
      setTimeout(() => {
        inFlight -= 1;
        perPath.set(path, perPath.get(path)! - 1);
        response.end(`page ${path}`);
      }, 5);
    });
    try {
      const paths = ["/a", "/b", "/c", "/d", "/e", "/f"];
      await audit({
        urls: paths.map((path) => server.origin + path),
        visitors: [
          { name: "v1", cookies: ["n=1"] },
          { name: "v2", cookies: ["n=2"] },
          { name: "v3", cookies: ["n=3"] },
        ],
        rounds: 3,
        concurrency: 2,
        pauseSeconds: 0,
      });
      assert.ok(most <= 2, `at most 2 requests at once, saw ${most}`);
      assert.deepEqual(overlapping, [], "one URL's requests never overlap");
      for (const path of paths) {
        const order = server.requests.filter((r) => r.path === path).map((r) => r.headers.cookie);
        assert.deepEqual(order, [
          ...["n=1", "n=2", "n=3"],
          ...["n=2", "n=3", "n=1"],
          ...["n=3", "n=1", "n=2"],
        ]);
      }
    } finally {
      await server.close();
    }
  });

  it("gives up on a request after the timeout and records it as such", async () => {
    const server = await serve((request, response) => {
      if (request.url !== "/slow") response.end("fast");
      // /slow never answers.
    });
    try {
      const report = await audit({
        ...quick,
        urls: [`${server.origin}/slow`, `${server.origin}/fast`],
        timeoutSeconds: 0.2,
      });
      const [slow, fast] = report.results.map((result) => result.observations[0]!);
      assert.equal(slow!.error, "timeout");
      assert.equal(slow!.status, null);
      assert.equal(fast!.status, 200);
      const warnings = report.findings.filter((f) => f.level === "warning");
      assert.deepEqual(warnings.map((f) => [f.kind, f.url]), [
        ["request-failed", `${server.origin}/slow`],
      ]);
    } finally {
      await server.close();
    }
  });

  it("refuses a plan over the budget before sending anything", async () => {
    const server = await serve((_, response) => response.end("ok"));
    try {
      await assert.rejects(
        audit({ urls: [`${server.origin}/`], rounds: 3, budget: 2, pauseSeconds: 0 }),
        /needs 3 requests .* over the budget of 2/,
      );
      assert.equal(server.requests.length, 0);
    } finally {
      await server.close();
    }
  });

  it("counts redirects against the budget and stops when it is spent", async () => {
    const server = await serve((_, response) =>
      response.writeHead(302, { location: "/next" }).end()
    );
    try {
      const report = await audit({ ...quick, urls: [`${server.origin}/`], budget: 1 });
      assert.equal(server.requests.length, 1);
      assert.equal(report.requests, 1);
      assert.equal(report.results[0]!.observations[0]!.error, "budget exhausted");
    } finally {
      await server.close();
    }
  });

  it("reads at most maxBodyBytes of a body, digests what it read and finds markers in it", async () => {
    const body = "alice@example.com " + "x".repeat(10_000);
    const server = await serve((_, response) => response.end(body));
    try {
      const report = await audit({
        ...quick,
        urls: [`${server.origin}/big`],
        visitors: [{ name: "bob", cookies: ["sid=b"] }, { name: "alice", cookies: ["sid=a"] }],
        markers: { alice: "alice@example.com" },
        maxBodyBytes: 100,
      });
      const seen = report.results[0]!.observations[0]!;
      assert.equal(seen.bytes, 100);
      assert.equal(seen.truncated, true);
      const expected = new Uint8Array(
        await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body.slice(0, 100))),
      );
      assert.equal(
        seen.digest,
        Array.from(expected, (b) => b.toString(16).padStart(2, "0")).join(""),
      );
      assert.deepEqual(seen.markers, ["alice"]);
      assert.equal(report.leaks, 1, "bob got a body with alice's marker");
    } finally {
      await server.close();
    }
  });

  it("records Set-Cookie names only, never their values", async () => {
    const server = await serve((_, response) => {
      response.setHeader("set-cookie", ["sessionid=s3cr3t; Path=/", "theme=dark"]);
      response.setHeader("x-cache", "HIT");
      response.end("ok");
    });
    try {
      const report = await audit({ ...quick, urls: [`${server.origin}/`] });
      const seen = report.results[0]!.observations[0]!;
      assert.deepEqual(seen.setCookies, ["sessionid", "theme"]);
      assert.doesNotMatch(JSON.stringify(report), /s3cr3t/);
      assert.equal(report.findings[0]!.kind, "set-cookie");
    } finally {
      await server.close();
    }
  });

  it("with bust, requests each round on its own query parameter; without, the URL as given", async () => {
    const server = await serve((_, response) => response.end("ok"));
    try {
      await audit({
        urls: [`${server.origin}/p?x=1#frag`],
        rounds: 2,
        pauseSeconds: 0,
        bust: true,
      });
      await audit({ urls: [`${server.origin}/q?x=1#frag`], rounds: 2, pauseSeconds: 0 });
      const paths = server.requests.map((request) => request.path);
      assert.match(paths[0]!, /^\/p\?x=1&cachewise-audit=([0-9a-f]{8})-1$/);
      const run = /cachewise-audit=([0-9a-f]{8})/.exec(paths[0]!)![1];
      assert.deepEqual(paths.slice(1), [`/p?x=1&cachewise-audit=${run}-2`, "/q?x=1", "/q?x=1"]);
    } finally {
      await server.close();
    }
  });
});
