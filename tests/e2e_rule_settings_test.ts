/**
 * End to end, the rule settings of the ordered form: real Varnish and nginx, configured by
 * `generateVcl()` / `generateNginx()` from the same options (default mode), in front of a real
 * Deno.serve or Bun.serve app wrapped by withCacheHeaders(). The backend counts the requests per
 * path, so a second visit that leaves the count unchanged was served from the cache.
 *
 * - `statuses`: an opted-in 404 and 301 are stored; a 404 under a rule without `statuses`, and a
 *   500 or 503 under the rule with `staleIfError`, never are.
 * - The opted-in 404 of an `anonymous-only` rule reaches anonymous visitors only.
 * - `targets`: what each proxy passes on to the client, recorded and asserted; a signed-in user's
 *   private page never carries a positive targeted lifetime at the client, even when the handler
 *   set some.
 * - `staleWhileRevalidate`: Varnish 7.1 initialises grace from `stale-while-revalidate`, so a stale
 *   page is served while it is refetched, and no longer once the window is over (nginx recorded).
 * - `staleIfError`: a background refresh that meets a 503 does not evict the last good page from
 *   Varnish (the generated VCL abandons a failed background fetch).
 *
 * What each proxy did is printed at the end (timelines, headers passed on to the client).
 *
 * Runs under Deno and Bun; skipped under Node (no Deno.serve or Bun.serve).
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { rmSync } from "node:fs";
import { type CacheHeadersOptions, type Identity, withCacheHeaders } from "../mod.ts";
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
import { type App, serveOnLoopback } from "./testdata/e2e_app.ts";

const RUNTIME = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : null;
const PROXIES = ["varnish", "nginx"] as const;
type ProxyName = typeof PROXIES[number];

/** The rules under test; paths are `/RULE/PROXY/STATUS[/NAME]`, so each proxy has its own. */
const OPTIONS: CacheHeadersOptions = {
  targets: ["s-maxage", "x-accel-expires", "surrogate-control", "cdn-cache-control"],
  rules: [
    {
      pattern: "/negative/*",
      policy: "all-users",
      ttl: 60,
      staleIfError: 60,
      statuses: { 404: 60, 301: 60 },
    },
    { pattern: "/no-statuses/*", policy: "all-users", ttl: 60 },
    { pattern: "/anonymous/*", policy: "anonymous-only", ttl: 60, statuses: { 404: 60 } },
    { pattern: "/private/*", policy: "per-user", ttl: 60 },
    {
      pattern: "/swr/*",
      policy: "all-users",
      ttl: 1,
      staleWhileRevalidate: 2,
      staleIfError: 10,
    },
    { pattern: "/no-swr/*", policy: "all-users", ttl: 1 },
  ],
};

/** The session cookie of the e2e app's convention (`sessionid`), for a session of user "ann". */
const SIGNED_IN = "sessionid=s-ann";
const SESSIONS = new Map([["s-ann", "ann"]]);

/** What the handler adds on pages named `handler-lifetimes`: positive targeted lifetimes. */
const HANDLER_LIFETIMES = {
  "x-accel-expires": "600",
  "surrogate-control": "max-age=600",
  "cdn-cache-control": "max-age=600",
};

/** The targeted and caching headers a client sees, `null` where absent. */
const WATCHED = [
  "cache-control",
  "surrogate-control",
  "cdn-cache-control",
  "x-accel-expires",
  "x-hash-cookies",
  "vary",
] as const;

/** One request as the client saw it, and whether the backend was asked. */
interface Visit {
  readonly status: number;
  readonly headers: Headers;
  /** Whether the backend's counter for the path moved: `false` is a cache hit. */
  readonly reachedBackend: boolean;
  /** The backend's counter for the path before the request. */
  readonly countBefore: number;
}

describe(
  `rule settings end to end through real Varnish and nginx (${RUNTIME ?? "unsupported runtime"})`,
  {
    skip: RUNTIME === null
      ? "needs Deno.serve or Bun.serve (run under deno test or bun test)"
      : false,
  },
  () => {
    let app: App | undefined;
    let dir = "";
    const counts = new Map<string, number>();
    /** Paths whose origin now fails with a 503. */
    const failing = new Set<string>();
    const daemons = new Map<ProxyName, Daemon>();
    const observations: string[] = [];
    const started = performance.now();

    function identify(request: Request): Identity | null {
      const id = /(?:^|;\s*)sessionid=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
      const user = id === undefined ? undefined : SESSIONS.get(id);
      return user === undefined ? null : { id: user };
    }

    function page(request: Request): Response {
      const url = new URL(request.url);
      const path = url.pathname;
      const count = (counts.get(path) ?? 0) + 1;
      counts.set(path, count);
      const [, rule = "", status = "200", name = ""] =
        /^\/([a-z-]+)\/[a-z]+\/(\d{3})(?:\/([a-z-]+))?$/.exec(path) ?? [];
      // Response.redirect() has immutable headers: cachewise must rebuild it.
      if (status === "301") return Response.redirect(new URL("/elsewhere", url), 301);
      const user = identify(request)?.id;
      const pageFor = rule === "anonymous" || rule === "private"
        ? user === undefined ? "anonymous" : `user:${user}`
        : "everyone";
      const headers = new Headers({
        "content-type": "text/plain; charset=utf-8",
        "x-backend-count": String(count),
        "x-page-for": pageFor,
        ...(name === "handler-lifetimes" ? HANDLER_LIFETIMES : {}),
      });
      return new Response(`${path} for ${pageFor} #${count}`, {
        status: failing.has(path) ? 503 : Number(status),
        headers,
      });
    }

    before(async () => {
      const found = requireDaemons({ skip: () => {} }, ["varnishd", "nginx"]);
      if (found === null) return;
      const handler = withCacheHeaders(page, { ...OPTIONS, identify });
      // serveOnLoopback resolves whatever the handler returns, so the wrapped handler's promise is
      // served as is.
      app = await serveOnLoopback(handler as unknown as (request: Request) => Response);
      dir = temporaryDirectory("cachewise-rule-settings-");
      const backend = `127.0.0.1:${app.port}`;
      const nginxPort = await freePort();
      const conf = generateNginx(OPTIONS, {
        backend,
        listen: `127.0.0.1:${nginxPort}`,
        cacheDir: `${dir}/cache`,
      });
      daemons.set(
        "varnish",
        await startVarnish(found.varnishd!, generateVcl(OPTIONS, { backend }), dir),
      );
      daemons.set("nginx", await startNginx(found.nginx!, conf, dir, nginxPort));
    });

    after(async () => {
      for (const daemon of daemons.values()) await daemon.stop();
      await app?.stop();
      if (dir !== "") rmSync(dir, { recursive: true, force: true });
      if (observations.length > 0) {
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        process.stdout.write(
          `\ncachewise rule settings end to end (${RUNTIME}, ${seconds} s):\n` +
            observations.map((line) => `  ${line}\n`).join(""),
        );
      }
    });

    /** One GET through a proxy (redirects not followed). */
    async function visit(proxy: ProxyName, path: string, cookie?: string): Promise<Visit> {
      const before = counts.get(path) ?? 0;
      const response = await fetch(`http://127.0.0.1:${daemons.get(proxy)!.port}${path}`, {
        headers: cookie === undefined ? {} : { cookie },
        redirect: "manual",
      });
      await response.text();
      return {
        status: response.status,
        headers: response.headers,
        reachedBackend: (counts.get(path) ?? 0) !== before,
        countBefore: before,
      };
    }

    /** Two identical GETs; `true` when the second was served from the cache. */
    async function secondIsHit(
      proxy: ProxyName,
      path: string,
      status: number,
      cookie?: string,
    ): Promise<boolean> {
      const first = await visit(proxy, path, cookie);
      assert.equal(first.status, status, `${proxy} ${path}: first visit`);
      assert.ok(first.reachedBackend, `${proxy} ${path}: the first visit reaches the backend`);
      const second = await visit(proxy, path, cookie);
      assert.equal(second.status, status, `${proxy} ${path}: second visit`);
      return !second.reachedBackend;
    }

    for (const proxy of PROXIES) {
      test(`${proxy}: an opted-in 404 and 301 are served from the cache; a 404 without statuses, a 500 and a 503 never`, async (t) => {
        if (requireDaemons(t, ["varnishd", "nginx"]) === null) return;
        const cases = [
          { path: `/negative/${proxy}/404`, status: 404, stored: true },
          { path: `/negative/${proxy}/301`, status: 301, stored: true },
          { path: `/negative/${proxy}/200`, status: 200, stored: true },
          { path: `/no-statuses/${proxy}/404`, status: 404, stored: false },
          { path: `/negative/${proxy}/500`, status: 500, stored: false },
          { path: `/negative/${proxy}/503`, status: 503, stored: false },
        ];
        const seen: string[] = [];
        const expected: string[] = [];
        for (const c of cases) {
          const hit = await secondIsHit(proxy, c.path, c.status);
          seen.push(`${c.path}: ${hit ? "hit" : "miss"}`);
          expected.push(`${c.path}: ${c.stored ? "hit" : "miss"}`);
        }
        // A third request for the server errors still reaches the backend (nothing stored since).
        for (const status of [500, 503]) {
          const third = await visit(proxy, `/negative/${proxy}/${status}`);
          assert.ok(third.reachedBackend, `${proxy}: a ${status} is never stored`);
        }
        const redirect = await visit(proxy, `/negative/${proxy}/301`);
        assert.match(redirect.headers.get("location") ?? "", /\/elsewhere$/);
        assert.equal(redirect.headers.get("x-accel-expires"), null, "X-Accel-Expires is hidden");
        assert.deepEqual(seen, expected);
      });

      test(`${proxy}: the opted-in 404 of an anonymous-only rule is served from the cache to anonymous visitors only`, async (t) => {
        if (requireDaemons(t, ["varnishd", "nginx"]) === null) return;
        // Anonymous first: the 404 is stored, then a signed-in visitor asks for the same URL.
        const path = `/anonymous/${proxy}/404`;
        const anonymous1 = await visit(proxy, path);
        const anonymous2 = await visit(proxy, path);
        const signedIn1 = await visit(proxy, path, SIGNED_IN);
        const signedIn2 = await visit(proxy, path, SIGNED_IN);
        const anonymous3 = await visit(proxy, path);
        // Signed-in first on a fresh URL: nothing of theirs is stored for the anonymous visitor.
        const fresh = `/anonymous/${proxy}/404/signed-in-first`;
        const signedInFirst = await visit(proxy, fresh, SIGNED_IN);
        const anonymousAfter = await visit(proxy, fresh);
        const anonymousAgain = await visit(proxy, fresh);
        const row = (visit: Visit) =>
          `${visit.status} ${visit.reachedBackend ? "backend" : "cache"} for ${
            visit.headers.get("x-page-for")
          }`;
        assert.deepEqual(
          {
            anonymous1: row(anonymous1),
            anonymous2: row(anonymous2),
            signedIn1: row(signedIn1),
            signedIn2: row(signedIn2),
            anonymous3: row(anonymous3),
            signedInFirst: row(signedInFirst),
            anonymousAfter: row(anonymousAfter),
            anonymousAgain: row(anonymousAgain),
          },
          {
            anonymous1: "404 backend for anonymous",
            anonymous2: "404 cache for anonymous",
            signedIn1: "404 backend for user:ann",
            signedIn2: "404 backend for user:ann",
            anonymous3: "404 cache for anonymous",
            signedInFirst: "404 backend for user:ann",
            anonymousAfter: "404 backend for anonymous",
            anonymousAgain: "404 cache for anonymous",
          },
        );
        assert.equal(signedIn1.headers.get("cache-control"), "private, no-cache");
        assert.deepEqual(positiveLifetimes(signedIn1.headers), []);
      });

      test(`${proxy}: targeted lifetimes reach the client as recorded; never a positive one on a private page`, async (t) => {
        if (requireDaemons(t, ["varnishd", "nginx"]) === null) return;
        // What the application sends, read from the backend directly (X-Accel-Expires included).
        const direct = await fetch(`http://127.0.0.1:${app!.port}/negative/direct/200`);
        await direct.body?.cancel();
        const sent = watched(direct.headers);
        assert.deepEqual(sent, {
          "cache-control": "max-age=5, s-maxage=60, stale-if-error=60",
          "surrogate-control": "max-age=60, stale-if-error=60",
          "cdn-cache-control": "max-age=60, stale-if-error=60",
          "x-accel-expires": "60",
          "x-hash-cookies": null,
          vary: null,
        });
        // Both proxies consume X-Accel-Expires and pass every other targeted field on, on a miss
        // and on a hit alike.
        const passed = { ...sent, "x-accel-expires": null };
        const path = `/negative/${proxy}/200/targets`;
        const miss = await visit(proxy, path);
        const hit = await visit(proxy, path);
        assert.ok(miss.reachedBackend && !hit.reachedBackend, `${proxy}: miss, then hit`);
        assert.deepEqual(watched(miss.headers), passed, `${proxy}: on a miss`);
        assert.deepEqual(watched(hit.headers), passed, `${proxy}: on a hit`);
        observations.push(
          `${proxy} passes on (all-users 200, hit): ${JSON.stringify(watched(hit.headers))}`,
        );
        const notFound = await visit(proxy, `/anonymous/${proxy}/404/targets`);
        assert.deepEqual(watched(notFound.headers), {
          "cache-control": "max-age=5, s-maxage=60",
          "surrogate-control": "max-age=60",
          "cdn-cache-control": "max-age=60",
          "x-accel-expires": null,
          "x-hash-cookies": null,
          vary: "Cookie, Authorization",
        }, `${proxy}: an anonymous-only 404 for an anonymous visitor`);

        // A signed-in user's page, plain and with positive lifetimes set by the handler.
        for (const name of ["plain", "handler-lifetimes"]) {
          const privatePath = `/private/${proxy}/200/${name}`;
          const first = await visit(proxy, privatePath, SIGNED_IN);
          const second = await visit(proxy, privatePath, SIGNED_IN);
          const anonymous = await visit(proxy, privatePath);
          assert.equal(first.headers.get("x-page-for"), "user:ann");
          assert.ok(second.reachedBackend, `${proxy} ${privatePath}: a private page is not stored`);
          assert.equal(anonymous.headers.get("x-page-for"), "anonymous");
          assert.ok(anonymous.reachedBackend, `${proxy} ${privatePath}: nor served to anyone`);
          for (const seen of [first, second]) {
            assert.deepEqual(positiveLifetimes(seen.headers), [], `${proxy} ${privatePath}`);
            assert.match(seen.headers.get("cache-control") ?? "", /^private\b/);
          }
          observations.push(
            `${proxy} private page (${name}), signed in: ${JSON.stringify(watched(first.headers))}`,
          );
          const targeted = name === "plain" ? null : "no-store";
          assert.equal(first.headers.get("surrogate-control"), targeted, `${proxy} ${name}`);
          assert.equal(first.headers.get("cdn-cache-control"), targeted, `${proxy} ${name}`);
        }
      });
    }

    // Varnish 7.1 (`varnishd -V`: varnish-7.1.1) derives grace from `stale-while-revalidate`:
    // RFC2616_Ttl() in bin/varnishd/cache/cache_rfc2616.c starts grace at the `default_grace`
    // parameter (10 s) and, when the core computed a TTL, replaces it with the `Cache-Control`
    // `stale-while-revalidate` value ("RFC5861 outlines a way to control the use of stale
    // responses. We use this to initialize the grace period"); the users' guide for 7.1
    // (users-guide/vcl-grace) says the same. The generated VCL sets `beresp.ttl` from
    // X-Accel-Expires, keeps that grace, and sets grace 0 when Cache-Control has no swr. With ttl
    // 1 s and swr 2 s: at 1.5 s the stale page is served while a background fetch refreshes it; at
    // 3.8 s it is past its grace and fetched synchronously, as is a page of a rule without swr
    // (no default grace of 10 s): a page is served stale only where the rule said so.
    test("varnish: staleWhileRevalidate becomes grace: a stale page is served while it is refetched, then no longer", async (t) => {
      if (requireDaemons(t, ["varnishd", "nginx"]) === null) return;
      const timelines = await Promise.all(PROXIES.map((proxy) => staleTimeline(proxy)));
      const [varnish, nginx] = timelines;
      for (const timeline of timelines) {
        observations.push(
          `${timeline.proxy} stale-while-revalidate: ${timeline.summary.join("; ")}`,
        );
      }
      assert.deepEqual(varnish!.summary.slice(0, -1), [
        "second visit: cache",
        "at 1.5 s (past ttl): #1 from cache",
        "background refresh: yes",
        "then: #2 from cache",
        "at 3.8 s (past ttl + swr): #2 from backend",
      ]);
      // The control: without swr the generated VCL sets grace 0, so the page is fetched again.
      assert.match(varnish!.summary.at(-1)!, /^at 3\.8 s, rule without swr: #\d from backend$/);
      // nginx is recorded, not asserted: the generated configuration reads the lifetime from
      // X-Accel-Expires alone (Cache-Control is ignored) and sets no proxy_cache_use_stale.
      // nginx keeps whole seconds: X-Accel-Expires: 1 lives 1 to 2 s, so at 1.5 s it may be fresh.
      assert.equal(nginx!.summary[0], "second visit: cache");
    });

    // README, "Rule settings": "Server errors are never cached: staleIfError is how a cache keeps
    // serving the last good page instead". Varnish has no stale-if-error of its own, but grace
    // keeps a stale page while background refreshes fail, because the VCL abandons a failed
    // background fetch (`if (bereq.is_bgfetch && beresp.status >= 500) { return (abandon); }`).
    // Without it, the hit-for-miss object made from the 5xx replaced the stale page in the cache.
    test("varnish: a failed background refresh keeps serving the last good page (staleWhileRevalidate + staleIfError)", async (t) => {
      if (requireDaemons(t, ["varnishd", "nginx"]) === null) return;
      const timelines = await Promise.all(PROXIES.map((proxy) => failedRefreshTimeline(proxy)));
      const [varnish, nginx] = timelines;
      for (const timeline of timelines) {
        observations.push(`${timeline.proxy} origin failing: ${timeline.summary.join("; ")}`);
      }
      assert.equal(nginx!.summary[0], "second visit: cache");
      assert.deepEqual(varnish!.summary, [
        "second visit: cache",
        "at 1.5 s, origin failing: 200 #1 from cache",
        "background refresh: 503",
        "next visit: 200 #1 from cache",
      ]);
    });

    /** Stores a page with a 1 s lifetime and 2 s swr, then lets its origin fail. */
    async function failedRefreshTimeline(
      proxy: ProxyName,
    ): Promise<{ proxy: ProxyName; summary: string[] }> {
      const path = `/swr/${proxy}/200/failing`;
      const summary = [
        `second visit: ${await secondIsHit(proxy, path, 200) ? "cache" : "backend"}`,
      ];
      const stored = performance.now();
      failing.add(path);
      try {
        await sleep(stored + 1500 - performance.now());
        const stale = await visit(proxy, path);
        summary.push(`at 1.5 s, origin failing: ${stale.status} ${label(stale)}`);
        const refreshed = servedFromCache(stale) &&
          await waitFor(() => (counts.get(path) ?? 0) >= 2, 1000);
        // Let Varnish take in the 503 of the background fetch.
        if (refreshed) await sleep(200);
        summary.push(`background refresh: ${refreshed ? "503" : "none"}`);
        const next = await visit(proxy, path);
        summary.push(`next visit: ${next.status} ${label(next)}`);
      } finally {
        failing.delete(path);
      }
      return { proxy, summary };
    }

    /** Stores three pages with a 1 s lifetime, then watches them go stale. */
    async function staleTimeline(
      proxy: ProxyName,
    ): Promise<{ proxy: ProxyName; summary: string[] }> {
      const refresh = `/swr/${proxy}/200/refresh`;
      const expire = `/swr/${proxy}/200/expire`;
      const control = `/no-swr/${proxy}/200/control`;
      const hits = [];
      for (const path of [refresh, expire, control]) hits.push(await secondIsHit(proxy, path, 200));
      const stored = performance.now();
      const summary = [`second visit: ${hits.every(Boolean) ? "cache" : "backend"}`];
      await sleep(stored + 1500 - performance.now());
      const stale = await visit(proxy, refresh);
      summary.push(`at 1.5 s (past ttl): ${label(stale)}`);
      const refreshed = servedFromCache(stale) &&
        await waitFor(() => (counts.get(refresh) ?? 0) >= 2, 1000);
      summary.push(`background refresh: ${refreshed ? "yes" : "no"}`);
      // The counter moves when the handler starts: poll until the refreshed page is in the cache.
      let then = await visit(proxy, refresh);
      const deadline = performance.now() + 1000;
      while (
        refreshed && then.headers.get("x-backend-count") === "1" && performance.now() < deadline
      ) {
        await sleep(20);
        then = await visit(proxy, refresh);
      }
      summary.push(`then: ${label(then)}`);
      await sleep(stored + 3800 - performance.now());
      summary.push(`at 3.8 s (past ttl + swr): ${label(await visit(proxy, expire))}`);
      summary.push(`at 3.8 s, rule without swr: ${label(await visit(proxy, control))}`);
      return { proxy, summary };
    }
  },
);

/**
 * Whether a page came from the cache: its count is one the backend had reached before the request
 * (a background refresh may move the counter while a stale page is being delivered).
 */
function servedFromCache(seen: Visit): boolean {
  return Number(seen.headers.get("x-backend-count")) <= seen.countBefore;
}

/** `#COUNT from cache|backend`. */
function label(seen: Visit): string {
  const count = seen.headers.get("x-backend-count");
  return `#${count} from ${servedFromCache(seen) ? "cache" : "backend"}`;
}

/** The watched headers of a response, `null` where absent. */
function watched(headers: Headers): Record<string, string | null> {
  return Object.fromEntries(WATCHED.map((name) => [name, headers.get(name)]));
}

/** Every header that gives a shared cache a positive lifetime. */
function positiveLifetimes(headers: Headers): string[] {
  const found: string[] = [];
  const accel = headers.get("x-accel-expires");
  if (accel !== null && !/^\s*0+\s*$/.test(accel)) found.push(`X-Accel-Expires: ${accel}`);
  for (
    const name of [
      "surrogate-control",
      "cdn-cache-control",
      "cloudflare-cdn-cache-control",
      "vercel-cdn-cache-control",
      "netlify-cdn-cache-control",
    ]
  ) {
    const value = headers.get(name);
    if (value !== null && /(?:^|[\s,])max-age\s*=\s*"?0*[1-9]/i.test(value)) {
      found.push(`${name}: ${value}`);
    }
  }
  const cacheControl = headers.get("cache-control") ?? "";
  if (/(?:^|[\s,])(?:s-maxage\s*=\s*"?0*[1-9]|public\b)/i.test(cacheControl)) {
    found.push(`cache-control: ${cacheControl}`);
  }
  return found;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Polls until `done()` or the timeout; whether it got done. */
async function waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}
