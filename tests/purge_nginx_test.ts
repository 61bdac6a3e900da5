/**
 * Purge end to end through real nginx with the configuration `cachewise nginx --purge-from
 * 127.0.0.1` generates, loading Debian's cache-purge module (libnginx-mod-http-cache-purge), in
 * keyed mode: a URL's anonymous and signed-in variants are purged and nothing else; a signed-in
 * user's per-user page, whose key no purge can name, is not stored at all; tags are refused,
 * since open-source nginx keeps none. Skipped, saying why, only when the module file is absent.
 */

import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { generateNginx } from "../src/generate/nginx.ts";
import { DEBIAN_PURGE_MODULE } from "../src/generate/nginx_purge.ts";
import { nginx, purge } from "../src/purge/mod.ts";
import {
  type Daemon,
  freePort,
  requireDaemons,
  startNginx,
  temporaryDirectory,
} from "./testdata/daemons.ts";
import {
  cached,
  KEYED_OPTIONS,
  type PurgeApp,
  runCommand,
  startPurgeApp,
  visit,
} from "./testdata/purge_app.ts";

const MODULE_MISSING = existsSync(DEBIAN_PURGE_MODULE)
  ? false
  : `${DEBIAN_PURGE_MODULE} is absent: apt-get install -y libnginx-mod-http-cache-purge`;

const SLOW = { timeout: 60_000 };

describe("purge through real nginx and the cache-purge module", { skip: MODULE_MISSING }, () => {
  let app: PurgeApp;
  let daemon: Daemon;
  let dir = "";
  let node = "";

  // Started by the first test rather than in before(): Bun gives a hook 5 s whatever its options.
  let started: Promise<void> | null = null;
  const setup = () => started ??= start();
  const start = async () => {
    const binaries = requireDaemons({ skip: () => {} }, ["nginx"])!;
    app = await startPurgeApp(KEYED_OPTIONS);
    dir = temporaryDirectory("cachewise-purge-nginx-");
    const port = await freePort();
    const conf = generateNginx(KEYED_OPTIONS, {
      backend: `127.0.0.1:${app.port}`,
      listen: `127.0.0.1:${port}`,
      cacheDir: `${dir}/cache`,
      purgeFrom: ["127.0.0.1"],
    });
    daemon = await startNginx(binaries.nginx!, conf, dir, port);
    node = `http://127.0.0.1:${port}`;
  };
  after(async () => {
    await started?.catch(() => {});
    await daemon?.stop();
    await app?.stop();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it(
    "stores the variants a purge can name, and not a signed-in user's per-user page",
    SLOW,
    async (t) => {
      if (requireDaemons(t, ["nginx"]) === null) return;
      await setup();
      assert.equal((await cached(node, "/products/1")).cache, "HIT");
      assert.equal((await cached(node, "/products/1", "user:ann")).cache, "HIT");
      assert.equal((await cached(node, "/account/home")).cache, "HIT");
      const mine = await cached(node, "/account/home", "user:ann");
      assert.notEqual(mine.cache, "HIT", "keyed on the session cookie's value: never stored");
    },
  );

  it(
    "purging a URL makes its anonymous and signed-in variants miss, and nothing else",
    SLOW,
    async (t) => {
      if (requireDaemons(t, ["nginx"]) === null) return;
      await setup();
      await cached(node, "/products/1");
      await cached(node, "/products/1", "user:ann");
      await cached(node, "/account/home");
      const result = await purge({ urls: ["/products/1"] }, nginx(node));
      assert.deepEqual(result.targets[0]!.nodes, [{ node, status: "purged", attempts: 2 }]);
      assert.equal((await visit(node, "/products/1")).cache, "MISS");
      assert.equal((await visit(node, "/products/1", "user:ann")).cache, "MISS");
      assert.equal((await visit(node, "/account/home")).cache, "HIT");
    },
  );

  it(
    "cachewise purge --url with a host purges that host's page; a page not cached is no failure",
    SLOW,
    async (t) => {
      if (requireDaemons(t, ["nginx"]) === null) return;
      await setup();
      await cached(node, "/account/home");
      const args = ["purge", "--url", "http://127.0.0.1/account/home", "--url", "/never/cached"];
      const run = await runCommand([...args, "--nginx", node]);
      assert.equal(run.status, 0, run.stdout);
      assert.match(run.stdout, /purged: all 1 nodes confirmed/);
      assert.equal((await visit(node, "/account/home")).cache, "MISS");
    },
  );

  it("refuses tags without sending anything: open-source nginx keeps none", SLOW, async (t) => {
    if (requireDaemons(t, ["nginx"]) === null) return;
    await setup();
    const result = await purge({ tags: ["products"] }, nginx(node));
    assert.equal(result.ok, false);
    assert.match(result.targets[0]!.nodes[0]!.reason!, /open-source nginx keeps no cache tags/);
  });
});
