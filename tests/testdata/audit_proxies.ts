/**
 * The shared caches `cachewise audit` is proven against, each a real daemon on loopback in front
 * of the site of `audit_site.ts`:
 *
 * - {@link PERMISSIVE_PROXIES}: nginx and Varnish configured the way sites that want signed-in
 *   traffic cached often configure them, with no cachewise configuration. They cache what the
 *   origin's headers allow, keyed on the URL: the leaky site leaks through them, and cachewise's
 *   default mode must stay safe behind them.
 * - {@link GENERATED_PROXIES}: nginx and Varnish running the configuration cachewise generates
 *   from the site's keyed rules.
 *
 * Adding a cache is one more entry in a list.
 */

import type { CacheHeadersOptions } from "../../mod.ts";
import { generateNginx } from "../../src/generate/nginx.ts";
import { generateVcl } from "../../src/generate/varnish.ts";
import { startSquid } from "./caches/mod.ts";
import { type Daemon, freePort, nginxPrelude, startNginx, startVarnish } from "./daemons.ts";

/** A cache the audit is pointed at. */
export interface ProxyFixture {
  readonly name: string;
  /** The binaries it needs, for `requireDaemons`. */
  readonly binaries: readonly string[];
  /** Starts it in front of the backend on 127.0.0.1:backendPort, with `dir` as scratch space. */
  start(
    binaries: Record<string, string>,
    backendPort: number,
    dir: string,
    rules: CacheHeadersOptions,
  ): Promise<Daemon>;
}

/** nginx as commonly set up to cache: default key, and Set-Cookie no longer stops storage. */
const PERMISSIVE_NGINX: ProxyFixture = {
  name: "nginx",
  binaries: ["nginx"],
  async start(binaries, backendPort, dir) {
    const port = await freePort();
    const conf = [
      ...nginxPrelude(),
      `  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=site:1m;`,
      "  server {",
      `    listen 127.0.0.1:${port};`,
      "    location / {",
      `      proxy_pass http://127.0.0.1:${backendPort};`,
      "      proxy_cache site;",
      // A frequent copy-paste "to make caching work": Set-Cookie then neither prevents storage
      // nor is removed from what is stored.
      "      proxy_ignore_headers Set-Cookie;",
      "      add_header X-Cache-Status $upstream_cache_status always;",
      "    }",
      "  }",
      "}",
      "",
    ].join("\n");
    return await startNginx(binaries.nginx!, conf, dir, port);
  },
};

/**
 * Varnish as commonly set up to cache signed-in traffic too: GETs are looked up whatever their
 * cookies (the builtin VCL would pass them). Everything else is the builtin VCL, and verdicts come
 * only from Varnish's own `X-Varnish` and `Age`.
 */
const PERMISSIVE_VARNISH: ProxyFixture = {
  name: "varnish",
  binaries: ["varnishd"],
  async start(binaries, backendPort, dir) {
    const vcl = [
      "vcl 4.1;",
      `backend default { .host = "127.0.0.1"; .port = "${backendPort}"; }`,
      "sub vcl_recv {",
      '  if (req.method == "GET" || req.method == "HEAD") { return (hash); }',
      "}",
      "",
    ].join("\n");
    return await startVarnish(binaries.varnishd!, vcl, dir);
  },
};

/**
 * squid as an accelerator with its memory cache (tests/testdata/caches/squid.ts): it keys on the
 * URL and the response's Vary, obeys s-maxage, and passes Authorization to the origin.
 */
const PERMISSIVE_SQUID: ProxyFixture = {
  name: "squid",
  binaries: ["squid"],
  async start(binaries, backendPort, dir) {
    return await startSquid(binaries.squid!, { backend: `127.0.0.1:${backendPort}`, dir });
  },
};

/**
 * Caches configured by hand, the way sites commonly do; every audit end-to-end test runs against
 * each of them.
 */
export const PERMISSIVE_PROXIES: readonly ProxyFixture[] = [
  PERMISSIVE_NGINX,
  PERMISSIVE_VARNISH,
  PERMISSIVE_SQUID,
];

/** nginx and Varnish with the configuration cachewise generates from the rules. */
export const GENERATED_PROXIES: readonly ProxyFixture[] = [
  {
    name: "nginx (generated)",
    binaries: ["nginx"],
    async start(binaries, backendPort, dir, rules) {
      const port = await freePort();
      const conf = generateNginx(rules, {
        backend: `127.0.0.1:${backendPort}`,
        listen: `127.0.0.1:${port}`,
        cacheDir: `${dir}/cache`,
      });
      return await startNginx(binaries.nginx!, conf, dir, port);
    },
  },
  {
    name: "varnish (generated)",
    binaries: ["varnishd"],
    async start(binaries, backendPort, dir, rules) {
      const vcl = generateVcl(rules, { backend: `127.0.0.1:${backendPort}` });
      return await startVarnish(binaries.varnishd!, vcl, dir);
    },
  },
];
