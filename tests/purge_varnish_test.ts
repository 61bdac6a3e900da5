/**
 * Purge end to end through real Varnish behind the VCL `cachewise vcl --purge-from 127.0.0.1`
 * generates (the xkey vmod from Debian's varnish-modules), in front of a real app: tagged pages
 * are cached, one tag is purged, the pages with it miss and every other page still hits; a URL is
 * purged in keyed mode and its anonymous, signed-in and per-user variants all miss; a cluster
 * with a node down says so per node; addresses outside --purge-from are refused.
 */

import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { mkdirSync, rmSync } from "node:fs";
import { generateVcl } from "../src/generate/varnish.ts";
import { purge, varnish } from "../src/purge/mod.ts";
import {
  type Daemon,
  requireDaemons,
  startVarnish,
  temporaryDirectory,
} from "./testdata/daemons.ts";
import {
  cached,
  KEYED_OPTIONS,
  type PurgeApp,
  runCommand,
  startPurgeApp,
  TAGGED_OPTIONS,
  visit,
} from "./testdata/purge_app.ts";
import { type LocalServer, startServer } from "./testdata/local_server.ts";

const SLOW = { timeout: 60_000 };

describe("purge through real Varnish and the generated VCL", () => {
  const dir = temporaryDirectory("cachewise-purge-varnish-");
  let taggedApp: PurgeApp, keyedApp: PurgeApp, tagged: Daemon, keyed: Daemon;
  let hanging: LocalServer;
  const origin = (daemon: Daemon) => `http://127.0.0.1:${daemon.port}`;
  const subdirectory = (name: string) => {
    mkdirSync(`${dir}/${name}`);
    return `${dir}/${name}`;
  };

  // Started by the first test rather than in before(): Bun gives a hook 5 s whatever its
  // options, and two Varnish daemons on a busy machine can take longer.
  let started: Promise<void> | null = null;
  const setup = () => started ??= start();
  const start = async () => {
    const binaries = requireDaemons({ skip: () => {} }, ["varnishd"])!;
    [taggedApp, keyedApp, hanging] = await Promise.all([
      startPurgeApp(TAGGED_OPTIONS),
      startPurgeApp(KEYED_OPTIONS),
      startServer(() => "hang"),
    ]);
    const vcl = (options: typeof TAGGED_OPTIONS, port: number) =>
      generateVcl(options, {
        backend: `127.0.0.1:${port}`,
        purgeFrom: ["127.0.0.1", "10.0.0.0/8"],
      });
    [tagged, keyed] = await Promise.all([
      startVarnish(binaries.varnishd!, vcl(TAGGED_OPTIONS, taggedApp.port), subdirectory("tagged")),
      startVarnish(binaries.varnishd!, vcl(KEYED_OPTIONS, keyedApp.port), subdirectory("keyed")),
    ]);
  };
  after(async () => {
    await started?.catch(() => {});
    await Promise.all([
      tagged?.stop(),
      keyed?.stop(),
      taggedApp?.stop(),
      keyedApp?.stop(),
      hanging?.close(),
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    "purging one tag makes exactly the pages with that tag miss; other tagged and untagged pages still hit",
    SLOW,
    async (t) => {
      if (requireDaemons(t, ["varnishd"]) === null) return;
      await setup();
      const node = origin(tagged);
      const pages = ["/products/1", "/products/caf%C3%A9", "/news/today", "/about"];
      const before = await Promise.all(pages.map((page) => cached(node, page)));
      assert.deepEqual(before.map((seen) => seen.cache), ["HIT", "HIT", "HIT", "HIT"]);

      const result = await purge({ tags: ["product-caf%C3%A9"] }, varnish(node));
      assert.deepEqual(result.targets[0]!.nodes[0], {
        node,
        status: "purged",
        detail: "purged 1 objects",
        attempts: 1,
      });
      const afterOne = await Promise.all(pages.map((page) => visit(node, page)));
      assert.deepEqual(afterOne.map((seen) => seen.cache), ["HIT", "MISS", "HIT", "HIT"]);

      assert.equal((await purge({ tags: ["products"] }, varnish(node))).ok, true);
      const afterTwo = await Promise.all(pages.map((page) => visit(node, page)));
      assert.deepEqual(afterTwo.map((seen) => seen.cache), ["MISS", "MISS", "HIT", "HIT"]);
    },
  );

  it(
    "cachewise purge --tag purges on Varnish and exits 0 when every node confirmed",
    SLOW,
    async (t) => {
      if (requireDaemons(t, ["varnishd"]) === null) return;
      await setup();
      const node = origin(tagged);
      assert.equal((await cached(node, "/news/cli")).cache, "HIT");
      const run = await runCommand(["purge", "--tag", "news", "--varnish", node, "--json"]);
      assert.equal(run.status, 0, run.stderr);
      const printed = JSON.parse(run.stdout);
      assert.equal(printed.ok, true);
      assert.equal(printed.targets[0].nodes[0].status, "purged");
      assert.equal((await visit(node, "/news/cli")).cache, "MISS");
    },
  );

  it(
    "a soft purge keeps the page for stale-while-revalidate: served stale once, then refreshed",
    SLOW,
    async (t) => {
      if (requireDaemons(t, ["varnishd"]) === null) return;
      await setup();
      const node = origin(tagged);
      const stored = await cached(node, "/live/feed");
      const result = await purge({ tags: ["live"] }, varnish(node, { soft: true }));
      assert.match(result.targets[0]!.nodes[0]!.detail!, /^soft-purged 1 objects$/);
      const stale = await visit(node, "/live/feed");
      assert.equal(
        stale.count,
        stored.count,
        "the stale page is served while Varnish refetches it",
      );
      let fresh = await visit(node, "/live/feed");
      for (let tries = 0; fresh.count === stored.count && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        fresh = await visit(node, "/live/feed");
      }
      assert.equal(fresh.count, stored.count + 1);
    },
  );

  it(
    "purging a URL in keyed mode reaches its anonymous, signed-in and per-user variants, and nothing else",
    SLOW,
    async (t) => {
      if (requireDaemons(t, ["varnishd"]) === null) return;
      await setup();
      const node = origin(keyed);
      const cells = [
        ["/account/home", "anonymous"],
        ["/account/home", "user:ann"],
        ["/account/home", "user:bob"],
        ["/products/1", "anonymous"],
        ["/products/1", "user:ann"],
      ] as const;
      const warm = await Promise.all(cells.map(([path, who]) => cached(node, path, who)));
      assert.deepEqual(warm.map((seen) => seen.cache), ["HIT", "HIT", "HIT", "HIT", "HIT"]);
      assert.equal(
        new Set(warm.slice(0, 3).map((seen) => seen.count)).size,
        3,
        "three variants stored",
      );

      assert.equal((await purge({ urls: ["/account/home"] }, varnish(node))).ok, true);
      let seen = await Promise.all(cells.map(([path, who]) => visit(node, path, who)));
      assert.deepEqual(seen.map((visit) => visit.cache), ["MISS", "MISS", "MISS", "HIT", "HIT"]);

      assert.equal(
        (await purge({ urls: ["https://other.example/products/1"] }, varnish(node))).ok,
        true,
      );
      seen = await Promise.all(cells.slice(3).map(([path, who]) => visit(node, path, who)));
      assert.deepEqual(
        seen.map((visit) => visit.cache),
        ["HIT", "HIT"],
        "another host's page is left alone",
      );
      assert.equal(
        (await purge({ urls: ["http://127.0.0.1/products/1"] }, varnish(node))).ok,
        true,
      );
      seen = await Promise.all(cells.slice(3).map(([path, who]) => visit(node, path, who)));
      assert.deepEqual(seen.map((visit) => visit.cache), ["MISS", "MISS"]);
    },
  );

  it(
    "a cluster answers node by node: 2 of 4 reached is a failure, with the reason for each other node",
    SLOW,
    async (t) => {
      if (requireDaemons(t, ["varnishd"]) === null) return;
      await setup();
      const nodes = [origin(tagged), origin(keyed), "http://127.0.0.1:9", hanging.url];
      const result = await purge({ urls: ["/about"] }, varnish(nodes), {
        timeoutMs: 300,
        retries: 0,
      });
      assert.equal(result.ok, false);
      assert.deepEqual(result.targets[0]!.nodes.map((node) => [node.node, node.status]), [
        [nodes[0], "purged"],
        [nodes[1], "purged"],
        [nodes[2], "failed"],
        [nodes[3], "timed-out"],
      ]);
      assert.match(result.targets[0]!.nodes[2]!.reason!, /^unreachable: /);

      const args = ["purge", "--url", "/about", "--timeout", "1", "--retries", "0"];
      const run = await runCommand([...args, ...nodes.flatMap((node) => ["--varnish", node])]);
      assert.equal(run.status, 1);
      assert.match(run.stdout, /varnish +http:\/\/127\.0\.0\.1:9 +failed +1 +unreachable/);
      assert.match(run.stdout, /NOT purged everywhere: 2 of 4 nodes confirmed/);
    },
  );

  it(
    "refuses a PURGE from an address outside --purge-from with 403, and the page stays cached",
    SLOW,
    async (t) => {
      if (requireDaemons(t, ["varnishd"]) === null) return;
      await setup();
      assert.equal((await cached(origin(tagged), "/about")).cache, "HIT");
      const status = await new Promise<number>((resolve, reject) => {
        const request = httpRequest({
          host: "127.0.0.1",
          port: tagged.port,
          method: "PURGE",
          path: "/about",
          localAddress: "127.0.0.2",
        }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on("error", reject);
        request.end();
      });
      assert.equal(status, 403);
      assert.equal((await visit(origin(tagged), "/about")).cache, "HIT");
    },
  );
});
