/**
 * The generated configuration fails closed, checked with the real daemons: a backend that is not
 * cachewise sends responses with wrong or missing hints, and neither Varnish nor nginx stores
 * them; requests the cache cannot key safely go past it. Runs under Deno and Bun.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
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
import { type App, serveOnLoopback } from "./testdata/e2e_app.ts";

const RUNTIME = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : null;
const OPTIONS: CacheHeadersOptions = {
  timeouts: {
    "all-users": { "1h": ["/shared/*"] },
    "anonymous-only": { "5m": ["/anon/*"] },
    "per-user": { 60: ["/user/*"] },
  },
  keyed: { sessionCookie: "sessionid", keyCookies: ["messages"] },
};
const SIGNED_IN = "sessionid=s1; isauthenticated=1";
const USER_HINTS = { "x-accel-expires": "60", "x-hash-cookies": "sessionid, messages" };

/** What the backend answers for a path, and what two identical visits must show. */
interface Case {
  readonly name: string;
  readonly path: string;
  readonly response: Record<string, string>;
  readonly request?: Record<string, string>;
  readonly stored: boolean;
}

const CASES: readonly Case[] = [
  {
    name: "correct hints are stored (control)",
    path: "/user/ok",
    response: USER_HINTS,
    request: { cookie: SIGNED_IN },
    stored: true,
  },
  {
    name: "X-Hash-Cookies naming other cookies",
    path: "/user/wrong-list",
    response: { ...USER_HINTS, "x-hash-cookies": "messages" },
    request: { cookie: SIGNED_IN },
    stored: false,
  },
  {
    name: "X-Hash-Cookies missing",
    path: "/user/no-list",
    response: { "x-accel-expires": "60" },
    request: { cookie: SIGNED_IN },
    stored: false,
  },
  {
    name: "X-Hash-Cookies in another order",
    path: "/user/reordered",
    response: { ...USER_HINTS, "x-hash-cookies": "messages, sessionid" },
    stored: false,
  },
  {
    name: "a per-user hint on an all-users page",
    path: "/shared/too-wide",
    response: USER_HINTS,
    stored: false,
  },
  {
    name: "X-Accel-Expires: 0",
    path: "/user/zero",
    response: { ...USER_HINTS, "x-accel-expires": "0" },
    stored: false,
  },
  {
    name: "X-Accel-Expires missing, s-maxage present",
    path: "/shared/s-maxage",
    response: { "cache-control": "s-maxage=600", "x-hash-cookies": "messages" },
    stored: false,
  },
  {
    name: "X-Accel-Expires not a number",
    path: "/shared/nan",
    response: { "x-accel-expires": "@1999999999", "x-hash-cookies": "messages" },
    stored: false,
  },
  {
    name: "Set-Cookie with correct hints",
    path: "/user/set-cookie",
    response: { ...USER_HINTS, "set-cookie": "a=1" },
    request: { cookie: SIGNED_IN },
    stored: false,
  },
  {
    name: "a private page with correct hints (the keyed cache keeps it)",
    path: "/user/private",
    response: {
      ...USER_HINTS,
      "cache-control": "private, max-age=5",
      vary: "Cookie, Authorization",
    },
    request: { cookie: SIGNED_IN },
    stored: true,
  },
  {
    name: "Authorization on the request",
    path: "/user/authorization",
    response: USER_HINTS,
    request: { authorization: "Bearer x" },
    stored: false,
  },
  {
    name: "a Cookie header not in the plain form",
    path: "/user/tab",
    response: USER_HINTS,
    request: { cookie: "a=1;\tsessionid=s1;\tisauthenticated=1" },
    stored: false,
  },
  {
    name: "a session cookie without the marker (a sign-in)",
    path: "/user/signing-in",
    response: USER_HINTS,
    request: { cookie: "sessionid=s1" },
    stored: false,
  },
  {
    name: "the marker without a session cookie",
    path: "/user/marker-only",
    response: USER_HINTS,
    request: { cookie: "isauthenticated=1" },
    stored: false,
  },
  {
    name: "the marker on an anonymous-only page",
    path: "/anon/signed-in",
    response: { "x-accel-expires": "60", "x-hash-cookies": "isauthenticated, messages" },
    request: { cookie: SIGNED_IN },
    stored: false,
  },
  {
    name: "a POST",
    path: "/user/post",
    response: USER_HINTS,
    request: { "x-method": "POST" },
    stored: false,
  },
  {
    name: "a path no rule covers",
    path: "/elsewhere",
    response: { "x-accel-expires": "60" },
    stored: false,
  },
];

describe(`the generated configuration fails closed (${RUNTIME ?? "unsupported runtime"})`, {
  skip: RUNTIME === null
    ? "needs Deno.serve or Bun.serve (run under deno test or bun test)"
    : false,
}, () => {
  let app: App | undefined;
  let dir = "";
  const counts = new Map<string, number>();
  const daemons: Daemon[] = [];

  before(async () => {
    const found = requireDaemons({ skip: () => {} }, ["varnishd", "nginx"]);
    if (found === null) return;
    app = await serveOnLoopback((request) => {
      const url = new URL(request.url);
      const count = (counts.get(url.pathname) ?? 0) + 1;
      counts.set(url.pathname, count);
      const path = url.pathname.replace(/\/(varnish|nginx)(?=\/|$)/, "");
      const known = path === "/shared/vary"
        ? {
          response: {
            "x-accel-expires": "60",
            "x-hash-cookies": "messages",
            vary: "Accept-Language",
          },
        }
        : CASES.find((c) => c.path === path);
      return new Response(`page ${count} for ${request.headers.get("accept-language")}`, {
        headers: { ...(known?.response ?? {}), "x-backend-count": String(count) },
      });
    });
    dir = temporaryDirectory("cachewise-failclosed-");
    const backend = `127.0.0.1:${app.port}`;
    const nginxPort = await freePort();
    daemons.push(await startVarnish(found.varnishd!, generateVcl(OPTIONS, { backend }), dir));
    daemons.push(
      await startNginx(
        found.nginx!,
        generateNginx(OPTIONS, {
          backend,
          listen: `127.0.0.1:${nginxPort}`,
          cacheDir: `${dir}/cache`,
        }),
        dir,
        nginxPort,
      ),
    );
  });

  after(async () => {
    for (const daemon of daemons) await daemon.stop();
    await app?.stop();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  for (const [index, proxy] of (["varnish", "nginx"] as const).entries()) {
    for (const c of CASES) {
      test(`${proxy}: ${c.name} → ${c.stored ? "stored" : "never stored"}`, async (t) => {
        if (requireDaemons(t, ["varnishd", "nginx"]) === null) return;
        const origin = `http://127.0.0.1:${daemons[index]!.port}`;
        const { "x-method": method = "GET", ...headers } = c.request ?? {};
        const path = `/${proxy}${c.path}`.replace(
          /^\/(varnish|nginx)\/(user|shared|anon)/,
          "/$2/$1",
        );
        const visit = async () => {
          const response = await fetch(origin + path, { method, headers });
          await response.text();
          assert.equal(response.headers.get("x-hash-cookies"), null);
          assert.equal(response.headers.get("x-accel-expires"), null);
          return response.headers.get("x-backend-count");
        };
        const first = await visit();
        const second = await visit();
        assert.equal(second === first, c.stored, `first #${first}, second #${second}`);
      });
    }

    test(`${proxy}: a response varying on Accept-Language never reaches another language`, async (t) => {
      if (requireDaemons(t, ["varnishd", "nginx"]) === null) return;
      const origin = `http://127.0.0.1:${daemons[index]!.port}`;
      const path = `/shared/${proxy}/vary`;
      const get = async (language: string) => {
        const response = await fetch(origin + path, { headers: { "accept-language": language } });
        return await response.text();
      };
      await get("en");
      assert.match(await get("fr"), /for fr$/);
    });
  }
});
