/**
 * The purge location of the generated nginx configuration, written only with `--purge-from`
 * (option `purgeFrom`), for the cache-purge module (Debian package
 * `libnginx-mod-http-cache-purge`, ngx_cache_purge 2.3).
 *
 * That module purges one exact cache key per request (2.3 has no partial keys, and its
 * same-location syntax crashes nginx workers since nginx 1.11.6), so the configuration uses its
 * separate-location syntax, and a `PURGE` names the page's key through headers: the host, the
 * scheme, and the variant (anonymous or signed-in). A key that holds a cookie's value (a
 * signed-in user's per-user page, a key cookie such as a flash message) could never be named by
 * a purge: with the endpoint on, nginx does not store those variants (`$cachewise_unpurgeable`),
 * so that every page nginx holds can be purged by URL. The client is `src/purge/nginx.ts`.
 *
 * @module
 */

import type { ClassPlan, ProxyPlan } from "./plan.ts";
import { allowLines, type PurgeSource } from "./purge_from.ts";
import { checkCachePath, nginxString } from "./escape.ts";

/** Where Debian's package installs the module. */
export const DEBIAN_PURGE_MODULE = "/usr/lib/nginx/modules/ngx_http_cache_purge_module.so";

/** The internal location a `PURGE` is rewritten to. */
const PURGE_LOCATION = "/.cachewise/purge";

/**
 * The `load_module` line for a complete configuration.
 *
 * @throws {TypeError} When the path is not an absolute path nginx can read safely.
 *
 * @example
 * ```ts
 * import { DEBIAN_PURGE_MODULE, loadPurgeModule } from "./nginx_purge.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(loadPurgeModule(DEBIAN_PURGE_MODULE), `load_module ${DEBIAN_PURGE_MODULE};`);
 * ```
 */
export function loadPurgeModule(path: string): string {
  return `load_module ${checkCachePath(path)};`;
}

/**
 * `http`-level maps: which key a `PURGE` names, and (keyed mode) which responses not to store.
 *
 * @example
 * ```ts
 * import { nginxPurgeMaps } from "./nginx_purge.ts";
 * import assert from "node:assert/strict";
 *
 * const plan = {
 *   keyed: false,
 *   routes: [],
 *   classes: [{ name: "shared", key: [], hashCookies: "", coveredVary: [] }],
 *   cookies: [],
 *   sessionCookie: null,
 *   signInCookie: null,
 *   credentialHeaders: ["Authorization"],
 * } as const;
 * assert.match(nginxPurgeMaps(plan).join("\n"), /\$cachewise_purge_key/);
 * ```
 */
export function nginxPurgeMaps(plan: ProxyPlan): string[] {
  const lines = [
    "# Purge (--purge-from): a PURGE names the page's host, scheme and variant in headers.",
    'map "$request_method:$http_x_cachewise_purge_host" $cachewise_host {',
    "default $host;",
    `${nginxString("~^PURGE:([a-z0-9.:\\[\\]-]+)$", false)} $1;`,
    "}",
    "",
    "map $http_x_cachewise_purge_scheme $cachewise_purge_scheme {",
    "default $scheme;",
    "http http;",
    "https https;",
    "}",
    "",
    "map $http_x_cachewise_purge_variant $cachewise_purge_signed_in {",
    "default 0;",
    "signed-in 1;",
    "}",
    "",
    "map $cachewise_class $cachewise_purge_key {",
    'default "";',
    ...plan.classes.map((class_) => `${class_.name} "${purgeKey(class_)}";`),
    "}",
  ];
  if (!plan.keyed) return lines;
  return [
    ...lines,
    "",
    "# Only variants a purge can name are stored: not those keyed on a cookie's value.",
    "map $cachewise_key $cachewise_unpurgeable {",
    "default 1;",
    ...plan.classes.flatMap((class_) =>
      purgeableKeys(class_).map((key) => `${nginxString(key, false)} 0;`)
    ),
    "}",
  ];
}

/** The key a PURGE names for a class: value parts empty, the sign-in marker from the header. */
function purgeKey(class_: ClassPlan): string {
  const parts = class_.key.map((part) =>
    part.kind === "presence" ? "${cachewise_purge_signed_in}" : ""
  );
  return [class_.name, ...parts].join(";");
}

/** Every key of a class that holds no cookie value: the marker present or not. */
function purgeableKeys(class_: ClassPlan): string[] {
  let keys: string[] = [class_.name];
  for (const part of class_.key) {
    keys = part.kind === "presence"
      ? keys.flatMap((key) => [`${key};0`, `${key};1`])
      : keys.map((key) => `${key};`);
  }
  return keys;
}

/**
 * The lines that send a `PURGE` to the purge location, for the top of `location /`.
 *
 * @example
 * ```ts
 * import { NGINX_PURGE_REWRITE } from "./nginx_purge.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(NGINX_PURGE_REWRITE[1], "if ($request_method = PURGE) {");
 * ```
 */
export const NGINX_PURGE_REWRITE: readonly string[] = [
  "# A PURGE goes to the purge location (--purge-from).",
  "if ($request_method = PURGE) {",
  `rewrite ^ ${PURGE_LOCATION} last;`,
  "}",
];

/**
 * The purge location, for the `server` block.
 *
 * @example
 * ```ts
 * import { nginxPurgeLocation } from "./nginx_purge.ts";
 * import assert from "node:assert/strict";
 *
 * const lines = nginxPurgeLocation([{ address: "127.0.0.1", prefix: null, family: 4 }]);
 * assert.ok(lines.includes("allow 127.0.0.1;"));
 * ```
 */
export function nginxPurgeLocation(sources: readonly PurgeSource[]): string[] {
  return [
    "# Purges one cache key per request; only the --purge-from addresses may purge. 200: purged,",
    "# 404: not cached; both carry X-Cachewise-Purge, so a client knows this location answered.",
    `location = ${PURGE_LOCATION} {`,
    "internal;",
    ...allowLines(sources),
    "add_header X-Cachewise-Purge purged always;",
    'proxy_cache_purge cachewise "$cachewise_purge_key;$cachewise_purge_scheme://$cachewise_host$request_uri";',
    "}",
  ];
}
