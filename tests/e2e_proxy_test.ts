/**
 * End to end: real Varnish and nginx, configured by the generators, in front of a real Deno.serve
 * or Bun.serve app wrapped by withCacheHeaders(). Browser-like clients sign in as two users,
 * browse, and sign out. Every policy × visitor × method × status × Set-Cookie cell is visited
 * twice; the backend's per-path counter shows whether the second visit was a cache hit. The suite
 * asserts hits exactly where the policy allows them, and that no response is ever a page made for
 * another audience. Runs under Deno and Bun; skipped under Node (no Deno.serve or Bun.serve).
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { rmSync } from "node:fs";
import type { CacheHeadersOptions } from "../mod.ts";
import { generateNginx } from "../src/generate/nginx.ts";
import { generateVcl } from "../src/generate/varnish.ts";
import {
  type Daemon,
  freePort,
  requireDaemons,
  startNginx,
  startVarnish,
  temporaryDirectory,
} from "./testdata/daemons.ts";
import {
  type App,
  audienceOf,
  Browser,
  E2E_KEYED_OPTIONS,
  E2E_OPTIONS,
  POLICIES,
  type PolicyName,
  startApp,
} from "./testdata/e2e_app.ts";

const RUNTIME = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : null;
const VISITORS = ["anonymous", "user A", "user B", "signed out"] as const;
type Visitor = typeof VISITORS[number];
const METHODS = ["GET", "HEAD", "POST"] as const;
const STATUSES = [200, 404] as const;
const VARIANTS = ["plain", "cookie"] as const;
const MODES = { default: E2E_OPTIONS, keyed: E2E_KEYED_OPTIONS } as const;
type Mode = keyof typeof MODES;
type ProxyName = "varnish" | "nginx";

/** One visited cell: whether the second visit was a hit, and whether that was expected. */
interface Cell {
  readonly mode: Mode;
  readonly proxy: ProxyName;
  readonly policy: PolicyName;
  readonly visitor: Visitor;
  readonly method: string;
  readonly status: number;
  readonly variant: string;
  readonly hit: boolean;
  readonly expected: boolean;
}

/** Where the policy lets a shared cache serve the second of two identical visits. */
function expectHit(
  mode: Mode,
  policy: PolicyName,
  visitor: Visitor,
  method: string,
  status: number,
  variant: string,
): boolean {
  if (method === "POST" || status !== 200 || variant === "cookie") return false;
  const signedIn = visitor === "user A" || visitor === "user B";
  if (policy === "all-users" || !signedIn) return true;
  if (mode === "default") return false;
  return policy !== "anonymous-only";
}

function userOf(visitor: Visitor): string | null {
  return visitor === "user A" ? "ann" : visitor === "user B" ? "bob" : null;
}

describe(`end to end through real Varnish and nginx (${RUNTIME ?? "unsupported runtime"})`, {
  skip: RUNTIME === null
    ? "needs Deno.serve or Bun.serve (run under deno test or bun test)"
    : false,
}, () => {
  const cells: Cell[] = [];

  for (const mode of Object.keys(MODES) as Mode[]) {
    describe(`${mode} mode`, () => {
      const options: CacheHeadersOptions = MODES[mode];
      let app: App | undefined;
      let dir = "";
      const daemons: Daemon[] = [];
      let binaries: Record<string, string> | null = null;

      before(async () => {
        binaries = requireDaemons({ skip: () => {} }, ["varnishd", "nginx"]);
        if (binaries === null) return;
        app = await startApp(options);
        dir = temporaryDirectory(`cachewise-e2e-${mode}-`);
        const backend = `127.0.0.1:${app.port}`;
        const vcl = generateVcl(options, { backend });
        const nginxPort = await freePort();
        const conf = generateNginx(options, {
          backend,
          listen: `127.0.0.1:${nginxPort}`,
          cacheDir: `${dir}/cache`,
        });
        daemons.push(await startVarnish(binaries.varnishd!, vcl, dir));
        daemons.push(await startNginx(binaries.nginx!, conf, dir, nginxPort));
      });

      after(async () => {
        for (const daemon of daemons) await daemon.stop();
        await app?.stop();
        if (dir !== "") rmSync(dir, { recursive: true, force: true });
      });

      for (const proxy of ["varnish", "nginx"] as const) {
        test(`${proxy}: hits where the ${mode} mode allows, never another audience's page`, async (t) => {
          if (requireDaemons(t, ["varnishd", "nginx"]) === null) return;
          const daemon = daemons[proxy === "varnish" ? 0 : 1]!;
          // This proxy's own leaks only: a list shared by the four tests would fail them all.
          const crossAudience: string[] = [];
          app!.counts.clear();
          const origin = `http://127.0.0.1:${daemon.port}`;
          const anonymous = new Browser(origin);
          const ann = new Browser(origin);
          const bob = new Browser(origin);
          await ann.request("POST", "/signin?user=ann");
          await bob.request("POST", "/signin?user=bob");
          const browsers: Record<Visitor, Browser> = {
            anonymous,
            "user A": ann,
            "user B": bob,
            "signed out": ann,
          };
          for (const visitor of VISITORS) {
            if (visitor === "signed out") {
              await ann.request("POST", "/signout");
              assert.equal(ann.cookieFor("/p/"), null, "sign-out leaves no identity cookie");
            }
            const browser = browsers[visitor];
            const wanted = (policy: PolicyName) => audienceOf(policy, userOf(visitor));
            for (const policy of POLICIES) {
              for (const status of STATUSES) {
                for (const variant of VARIANTS) {
                  const path = `/p/${policy}/${status}/${variant}`;
                  for (const method of METHODS) {
                    let hit = false;
                    for (const visit of [1, 2]) {
                      const before = app!.counts.get(path) ?? 0;
                      const seen = await browser.request(method, path);
                      hit = (app!.counts.get(path) ?? 0) === before;
                      assert.equal(seen.status, status, `${proxy} ${visitor} ${method} ${path}`);
                      if (seen.pageFor !== wanted(policy)) {
                        crossAudience.push(
                          `${visitor} ${method} ${path} visit ${visit}: ` +
                            `page for ${seen.pageFor}, expected ${wanted(policy)}`,
                        );
                      }
                      assert.equal(
                        seen.headers.get("x-hash-cookies"),
                        null,
                        "X-Hash-Cookies is hidden",
                      );
                      assert.equal(
                        seen.headers.get("x-accel-expires"),
                        null,
                        "X-Accel-Expires is hidden",
                      );
                    }
                    const expected = expectHit(mode, policy, visitor, method, status, variant);
                    cells.push({
                      mode,
                      proxy,
                      policy,
                      visitor,
                      method,
                      status,
                      variant,
                      hit,
                      expected,
                    });
                  }
                }
              }
            }
          }
          assert.deepEqual(
            crossAudience,
            [],
            `${proxy} (${mode} mode) served another audience's page`,
          );
          const wrong = cells.filter((cell) =>
            cell.mode === mode && cell.proxy === proxy && cell.hit !== cell.expected
          )
            .map((cell) =>
              `${cell.visitor} ${cell.method} /p/${cell.policy}/${cell.status}/${cell.variant}: ${
                cell.hit ? "hit" : "miss"
              }`
            );
          assert.deepEqual(wrong, [], "hits exactly where the policy allows");
        });
      }
    });
  }

  after(() => {
    if (cells.length > 0) process.stdout.write(formatMatrix(cells));
  });
});

/** The matrix as a compact table: H a hit, . a miss, ! a cell that differs from the policy. */
function formatMatrix(cells: readonly Cell[]): string {
  const columns = METHODS.flatMap((method) =>
    STATUSES.flatMap((status) => VARIANTS.map((variant) => ({ method, status, variant })))
  );
  const lines = [
    "",
    `cachewise end-to-end matrix (${RUNTIME}): ${cells.length} cells, each visited twice; ` +
    "H = second visit served from the cache, . = from the backend",
    "columns: " +
    columns.map((c) =>
      `${c.method[0]}${c.status === 200 ? "2" : "4"}${c.variant === "cookie" ? "c" : "-"}`
    ).join(" "),
  ];
  for (const mode of Object.keys(MODES) as Mode[]) {
    for (const proxy of ["varnish", "nginx"] as const) {
      const own = cells.filter((cell) => cell.mode === mode && cell.proxy === proxy);
      if (own.length === 0) continue;
      lines.push(`${mode} mode, ${proxy}:`);
      for (const policy of POLICIES) {
        const byPolicy = own.filter((cell) => cell.policy === policy);
        const hits = byPolicy.filter((cell) => cell.hit).length;
        for (const visitor of VISITORS) {
          const row = columns.map((column) => {
            const cell = byPolicy.find((c) =>
              c.visitor === visitor && c.method === column.method && c.status === column.status &&
              c.variant === column.variant
            );
            if (cell === undefined) return "  ? ";
            const mark = cell.hit ? "H" : ".";
            return ` ${cell.hit === cell.expected ? mark : "!"}  `;
          }).join("");
          lines.push(`  ${policy.padEnd(28)} ${visitor.padEnd(10)} ${row}`);
        }
        lines.push(`  ${"".padEnd(28)} hit ratio ${hits}/${byPolicy.length}`);
      }
    }
  }
  return lines.join("\n") + "\n";
}
