/**
 * `cachewise audit` against real caches: the site of testdata/audit_site.ts, served leaky (not
 * cachewise: `s-maxage` on per-user pages, no `Vary`, `s-maxage` next to `Set-Cookie`) and with
 * cachewise's headers, behind real nginx and Varnish started on loopback.
 *
 * The site records for whom it made every body it produced. That record is the truth each audit is
 * judged by, independently of the audit's reading: a body the site made for one audience that
 * reached a visitor of another is a leak, a `Set-Cookie` delivered on a body already delivered is
 * a replay, and every body seen a second time came from the cache (each body carries a production
 * counter, so the site never makes the same one twice).
 *
 * Caches are listed in testdata/audit_proxies.ts: a new one (squid, once its helper lands in
 * tests/testdata/) is one more entry in PERMISSIVE_PROXIES there, and every test here covers it.
 * Runs under Deno and Bun; skipped under Node (no Deno.serve or Bun.serve).
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { runCli } from "../src/cli/run.ts";
import type { AuditReport } from "../src/audit/mod.ts";
import { type Daemon, requireDaemons, temporaryDirectory } from "./testdata/daemons.ts";
import {
  GENERATED_PROXIES,
  PERMISSIVE_PROXIES,
  type ProxyFixture,
} from "./testdata/audit_proxies.ts";
import {
  audienceOn,
  AUDIT_KEYED_RULES,
  AUDIT_RULES,
  PATHS,
  type Site,
  startSite,
  USERS,
} from "./testdata/audit_site.ts";

const RUNTIME = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : null;
/** Signed-in visitors first: a per-user page stored first is the leak worth catching. */
const VISITORS = ["alice", "bob", "anonymous"] as const;

type Form = "leaky" | "default" | "keyed";

/** Runs `cachewise audit` on the site's paths through the proxy; `run` keeps runs apart. */
async function audit(
  daemon: Daemon,
  form: Form,
  run: string,
  extra: readonly string[],
): Promise<{ code: number; report: AuditReport; stderr: string }> {
  const urls = PATHS.map((path) => `http://127.0.0.1:${daemon.port}${path}?run=${run}`);
  const marker = form === "keyed" ? "; isauthenticated=1" : "";
  const visitors = VISITORS.flatMap((name) => [
    "--visitor",
    name === "anonymous"
      ? "anonymous=anonymous"
      : `${name}=cookie:sessionid=${USERS[name].session}${marker}`,
  ]);
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    ["audit", ...urls, ...visitors, "--pause", "0", "--json", ...extra],
    { stdout: { write: (text) => out.push(text) }, stderr: { write: (text) => err.push(text) } },
  );
  assert.notEqual(out.join(""), "", `no report: ${err.join("")}`);
  return { code, report: JSON.parse(out.join("")) as AuditReport, stderr: err.join("") };
}

const MARKERS = ["--marker", "alice=alice@example.com", "--marker", "bob=bob@example.com"];

/** The truth of a run, from what the site produced. */
function truth(report: AuditReport, site: Site, by: "marker" | "rules") {
  const leaks = new Set<string>();
  const hits = new Map<string, boolean>();
  for (const url of report.urls) {
    const seen = new Set<string>();
    const path = new URL(url).pathname;
    const observations = report.results.filter((result) => result.url === url)
      .flatMap((result) => result.observations)
      .sort((a, b) => a.round - b.round || a.position - b.position);
    for (const observation of observations) {
      const made = site.produced.get(observation.digest ?? "");
      assert.ok(made, `${url} ${observation.visitor}: a body the site never produced`);
      const replay = seen.has(observation.digest!);
      seen.add(observation.digest!);
      hits.set(`${url} ${observation.visitor} ${observation.round}`, replay);
      if (made.setCookie && replay && observation.setCookies.length > 0) leaks.add(url);
      const mine = audienceOn(path, observation.visitor);
      const foreign = by === "marker"
        ? made.shows !== null && made.shows !== observation.visitor
        : made.audience !== mine && !(made.audience === "anonymous" && mine !== "anonymous");
      if (foreign) leaks.add(url);
    }
  }
  return { leaks: [...leaks].sort(), hits };
}

function leakUrls(report: AuditReport): string[] {
  return [...new Set(report.findings.filter((f) => f.level === "leak").map((f) => f.url!))].sort();
}

/** Each response is a hit in the report exactly when it was a body delivered before. */
function assertVerdictsTrue(report: AuditReport, hits: Map<string, boolean>): void {
  const wrong = report.results.flatMap((result) => result.observations)
    .filter((o) => (o.verdict === "hit") !== hits.get(`${o.url} ${o.visitor} ${o.round}`))
    .map((o) => `${o.url} ${o.visitor} round ${o.round}: ${o.verdict} (${o.verdictSource})`);
  assert.deepEqual(wrong, [], "the reported verdicts match what the cache did");
}

/**
 * Hits per path and visitor over three rounds (alice, bob, anonymous in turn, rotating) that the
 * policies allow: all-users is shared by everyone after alice's first request; the anonymous
 * variants are kept from round 2; in the keyed mode signed-in pages are kept too, per user for
 * per-user pages and for all signed-in users together on anonymous-and-authenticated ones.
 */
const EXPECTED_HITS: Readonly<Record<"default" | "keyed", Record<string, readonly number[]>>> = {
  default: {
    "/static/app.css": [2, 3, 3],
    "/": [0, 0, 2],
    "/products/1": [0, 0, 2],
    "/account": [0, 0, 2],
    "/welcome": [0, 0, 0],
  },
  keyed: {
    "/static/app.css": [2, 3, 3],
    "/": [0, 0, 2],
    "/products/1": [2, 3, 2],
    "/account": [2, 2, 2],
    "/welcome": [0, 0, 0],
  },
};

function hitsByPath(report: AuditReport): Record<string, number[]> {
  const table: Record<string, number[]> = {};
  for (const result of report.results) {
    const path = new URL(result.url).pathname;
    (table[path] ??= [])[VISITORS.indexOf(result.visitor as typeof VISITORS[number])] = result.hits;
  }
  return table;
}

function scenario(form: Form, proxy: ProxyFixture, body: (context: () => Setup) => void): void {
  describe(`${form} site behind ${proxy.name}`, () => {
    let setup: Setup | null = null;
    let dir = "";
    before(async () => {
      const binaries = requireDaemons({ skip: () => {} }, proxy.binaries);
      if (binaries === null) return;
      dir = temporaryDirectory("cachewise-audit-e2e-");
      const rules = form === "keyed" ? AUDIT_KEYED_RULES : AUDIT_RULES;
      const config = `${dir}/rules.json`;
      writeFileSync(config, JSON.stringify(rules));
      const site = await startSite(form);
      const daemon = await proxy.start(binaries, site.port, dir, rules);
      setup = { site, daemon, config };
    });
    after(async () => {
      await setup?.daemon.stop();
      await setup?.site.stop();
      if (dir !== "") rmSync(dir, { recursive: true, force: true });
    });
    body(() => {
      if (setup === null) throw new Error(`${proxy.binaries.join(", ")} not installed`);
      return setup;
    });
  });
}

interface Setup {
  readonly site: Site;
  readonly daemon: Daemon;
  readonly config: string;
}

describe(`cachewise audit against real caches (${RUNTIME ?? "unsupported runtime"})`, {
  skip: RUNTIME === null
    ? "needs Deno.serve or Bun.serve (run under deno test or bun test)"
    : false,
}, () => {
  for (const proxy of PERMISSIVE_PROXIES) {
    scenario("leaky", proxy, (setup) => {
      test("by markers: names every URL that leaked, exits 1, reports hits as they were", async (t) => {
        if (requireDaemons(t, proxy.binaries) === null) return;
        const { site, daemon } = setup();
        const { code, report } = await audit(daemon, "leaky", "markers", MARKERS);
        const expected = truth(report, site, "marker");
        assert.ok(
          expected.leaks.some((url) => url.includes("/account?")),
          "the account page leaked",
        );
        assert.deepEqual(leakUrls(report), expected.leaks);
        assert.equal(code, 1);
        assertVerdictsTrue(report, expected.hits);
      });

      test("by --config: names every URL that leaked, exits 1, reports hits as they were", async (t) => {
        if (requireDaemons(t, proxy.binaries) === null) return;
        const { site, daemon, config } = setup();
        const { code, report } = await audit(daemon, "leaky", "rules", ["--config", config]);
        const expected = truth(report, site, "rules");
        assert.ok(expected.leaks.some((url) => url.includes("/products/1?")), "no marker there");
        assert.deepEqual(leakUrls(report), expected.leaks);
        assert.equal(code, 1);
        assertVerdictsTrue(report, expected.hits);
      });
    });
  }

  const clean: [Form, readonly ProxyFixture[]][] = [
    ["default", PERMISSIVE_PROXIES],
    ["keyed", GENERATED_PROXIES],
  ];
  for (const [form, proxies] of clean) {
    for (const proxy of proxies) {
      scenario(form, proxy, (setup) => {
        test("comes out clean by markers and --config, with the hits each policy allows", async (t) => {
          if (requireDaemons(t, proxy.binaries) === null) return;
          const { site, daemon, config } = setup();
          const args = [...MARKERS, "--config", config];
          const { code, report } = await audit(daemon, form, "clean", args);
          const expected = truth(report, site, "rules");
          assert.deepEqual(expected.leaks, []);
          const serious = report.findings.filter((finding) => finding.level !== "notice");
          assert.deepEqual(serious, [], "no leak and no warning");
          assert.equal(code, 0);
          assertVerdictsTrue(report, expected.hits);
          assert.deepEqual(hitsByPath(report), EXPECTED_HITS[form as "default" | "keyed"]);
          // The rules call /welcome shareable, but it sets a cookie: the one notice, per visitor.
          const notices = report.findings.map((f) =>
            `${f.kind} ${new URL(f.url!).pathname} ${f.visitor}`
          );
          assert.deepEqual(notices.sort(), VISITORS.map((v) => `never-kept /welcome ${v}`).sort());
          for (const finding of report.findings) assert.match(finding.message, /sets a cookie/);
        });
      });
    }
  }
});
