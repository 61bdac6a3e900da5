/**
 * End to end through the self-hosted caches cachewise writes no configuration for: squid, Apache
 * httpd mod_cache_disk, Apache Traffic Server and HAProxy, from Debian's packages, each started by
 * hand on loopback (tests/testdata/caches/) in front of a real Deno.serve app wrapped by
 * withCacheHeaders(), in the default mode and with the keyed mode's headers.
 *
 * - The audience matrix (tests/testdata/caches/matrix.ts): anonymous, two signed-in users, a forged
 *   sign-in marker and a bearer token take turns on every policy's page; no answer may be a page
 *   of another audience, and no `Set-Cookie` response may come from the cache.
 * - The probes (tests/testdata/caches/probes.ts): what each cache does with `Vary: Cookie`,
 *   `Authorization`, `Set-Cookie`, `X-Accel-Expires` and `s-maxage`; what issue 15 reports is
 *   asserted.
 * - docs/self-hosted.md shows both tables as measured here; the last test fails when they differ.
 *   `UPDATE_DOCS=1 npx deno test -A tests/e2e_caches_test.ts` rewrites them.
 *
 * Runs under Deno only: the caches see the same HTTP from Bun.serve, and one run keeps npm test
 * within its budget. Skipped under Bun and Node.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { type Daemon, requireDaemons, temporaryDirectory } from "./testdata/daemons.ts";
import { type App, E2E_KEYED_OPTIONS, E2E_OPTIONS, startApp } from "./testdata/e2e_app.ts";
import {
  type CacheOptions,
  haproxyCacheEntries,
  SELF_HOSTED_CACHES,
  startSquid,
  versionOf,
} from "./testdata/caches/mod.ts";
import { runMatrix } from "./testdata/caches/matrix.ts";
import { type Probe, type ProbeApp, runProbes, startProbeApp } from "./testdata/caches/probes.ts";
import { matrixTable, type MeasuredCache, probeTable } from "./testdata/caches/report.ts";
import { syncSection } from "./_doc_sections.ts";

const UNSUPPORTED = "Deno" in globalThis
  ? false
  : "runs under deno test only (one runtime keeps npm test within budget)";
const MODES = { default: E2E_OPTIONS, keyed: E2E_KEYED_OPTIONS } as const;
type Mode = keyof typeof MODES;
const DOC = fileURLToPath(new URL("../docs/self-hosted.md", import.meta.url));
const UPDATE = "UPDATE_DOCS=1 npx deno test -A tests/e2e_caches_test.ts";

/** What issue 15 and the earlier measurements report, per cache: each probe's expected result. */
const REPORTED: Record<string, Partial<Record<Probe, string>>> = {
  "squid": {
    "Forwards `Authorization` to the application": "yes",
    "Serves a stored response to a request with `Authorization`": "yes",
    "Stores a response with `Set-Cookie`": "yes, drops the cookie",
    "Stores `private` with `X-Accel-Expires: 60`": "no",
  },
  "squid-strip": { "Forwards `Authorization` to the application": "no" },
  "httpd": {
    "Stores the response to a request with `Authorization`": "no",
    "Serves a stored response to a request with `Authorization`": "no",
    "Stores a response with `Set-Cookie`": "yes, replays the cookie",
    "Stores `private` with `X-Accel-Expires: 60`": "no",
  },
  "traffic-server": {
    "Stores the response to a request with `Authorization`": "yes",
    "Serves a stored response to a request with `Authorization`": "no",
    "Stores `private` with `X-Accel-Expires: 60`": "no",
  },
  "haproxy": {
    "Stores a response with `Vary: Cookie`": "no",
    "Lifetime left of a page stored with `s-maxage=3600`": "60 s",
    "Stores a response with `Set-Cookie`": "yes, replays the cookie",
    "Stores `private` with `X-Accel-Expires: 60`": "no",
  },
};

describe("self-hosted caches end to end", { skip: UNSUPPORTED }, () => {
  const measured: Record<Mode, MeasuredCache[]> = { default: [], keyed: [] };
  const probed: { cache: string; results: Record<Probe, string> }[] = [];
  const timings: string[] = [];
  let skipped = false;
  let dir = "";

  before(() => dir = temporaryDirectory("cachewise-caches-"));
  after(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
    if (timings.length > 0) process.stdout.write(`\nstart-up times: ${timings.join(", ")}\n`);
  });

  /** Starts a cache in `dir/label` in front of `backend`, runs `body` on its origin, stops it. */
  async function through<T>(
    label: string,
    start: (options: CacheOptions) => Promise<Daemon>,
    backend: string,
    body: (origin: string) => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    const daemon = await start({ backend, dir: join(dir, label) });
    timings.push(`${label} ${Math.round(performance.now() - started)} ms`);
    try {
      return await body(`http://127.0.0.1:${daemon.port}`);
    } finally {
      await daemon.stop();
    }
  }

  for (const mode of Object.keys(MODES) as Mode[]) {
    describe(`${mode} mode`, () => {
      let app: App | undefined;
      before(async () => app = await startApp(MODES[mode]));
      after(async () => await app?.stop());

      for (const cache of SELF_HOSTED_CACHES) {
        test(`${cache.title}: no visitor ever gets a page of another audience (${mode} mode)`, async (t) => {
          const binary = requireDaemons(t, [cache.binary])?.[cache.binary];
          if (binary === undefined) return void (skipped = true);
          const backend = `127.0.0.1:${app!.port}`;
          const start = (options: CacheOptions) => cache.start(binary, options);
          const run = await through(
            `${cache.id}-${mode}`,
            start,
            backend,
            (origin) => runMatrix(origin, app!),
          );
          const title = `${cache.title} ${versionOf(binary, cache.versionFlag)}`;
          measured[mode].push({ cache: title, observations: run.observations });
          assert.deepEqual(run.violations, [], `${title}, ${mode} mode`);
        });
      }
    });
  }

  describe("probes", () => {
    let app: ProbeApp | undefined;
    before(async () => app = await startProbeApp());
    after(async () => await app?.stop());

    for (const cache of SELF_HOSTED_CACHES) {
      test(`${cache.title}: Vary, Authorization, Set-Cookie, X-Accel-Expires and s-maxage as issue 15 reports`, async (t) => {
        const binary = requireDaemons(t, [cache.binary])?.[cache.binary];
        if (binary === undefined) return void (skipped = true);
        const backend = `127.0.0.1:${app!.port}`;
        const label = `${cache.id}-probes`;
        const start = (options: CacheOptions) => cache.start(binary, options);
        const lifetime = cache.id === "haproxy" ? lifetimeIn(label) : undefined;
        const results = await through(
          label,
          start,
          backend,
          (origin) => runProbes(origin, app!, cache.id, lifetime),
        );
        probed.push({ cache: `${cache.title} ${versionOf(binary, cache.versionFlag)}`, results });
        for (const [probe, value] of Object.entries(REPORTED[cache.id] ?? {})) {
          assert.equal(results[probe as Probe], value, `${cache.title}: ${probe}`);
        }
      });
    }

    test("squid without login=PASSTHRU strips Authorization towards the application", async (t) => {
      const squid = requireDaemons(t, ["squid"])?.squid;
      if (squid === undefined) return void (skipped = true);
      const start = (options: CacheOptions) =>
        startSquid(squid, { ...options, passAuthorization: false });
      const results = await through(
        "squid-strip",
        start,
        `127.0.0.1:${app!.port}`,
        (origin) => runProbes(origin, app!, "squid-strip"),
      );
      probed.push({ cache: "squid without `login=PASSTHRU`", results });
      for (const [probe, value] of Object.entries(REPORTED["squid-strip"]!)) {
        assert.equal(results[probe as Probe], value, `squid without login=PASSTHRU: ${probe}`);
      }
    });

    /** The longest lifetime HAProxy's cache (admin socket in `dir/label`) gives an object now. */
    function lifetimeIn(label: string): () => Promise<number | null> {
      return async () => {
        const entries = await haproxyCacheEntries(join(dir, label));
        return entries.length === 0 ? null : Math.max(...entries.map((entry) => entry.expire));
      };
    }
  });

  test("docs/self-hosted.md shows the tables measured in this run", (t) => {
    if (skipped) return void t.skip("a cache is not installed: the run is incomplete");
    const sections = {
      "measured-default": matrixTable(measured.default),
      "measured-keyed": matrixTable(measured.keyed),
      "measured-probes": probeTable(probed),
    };
    for (const [name, wanted] of Object.entries(sections)) {
      const { current } = syncSection(DOC, name, wanted);
      assert.equal(current, wanted, `docs/self-hosted.md section ${name}; update it: ${UPDATE}`);
    }
  });
});
