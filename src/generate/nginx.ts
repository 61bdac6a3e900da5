/**
 * nginx configuration (proxy_cache, PCRE) from the compiled rules: a complete configuration for
 * one backend, or a snippet for the `http` block of an existing one.
 *
 * The snippet holds `map` blocks that match the rules in rank order (nginx tests regular
 * expressions in the order written), the cache zone, and the caching directives at `http` level,
 * where every proxied location inherits them.
 *
 * @module
 */

import { compileOptions } from "../decide/compile.ts";
import type { CacheHeadersOptions } from "../config/options.ts";
import { cookiePresent, cookieValue, PLAIN_COOKIE_HEADER } from "./cookie_regexps.ts";
import {
  checkCachePath,
  comment,
  nginxString,
  parseBackend,
  parseListen,
  regexpLiteral,
} from "./escape.ts";
import { type ClassPlan, generatedBy, planProxy, type ProxyPlan } from "./plan.ts";
import {
  DEBIAN_PURGE_MODULE,
  loadPurgeModule,
  NGINX_PURGE_REWRITE,
  nginxPurgeLocation,
  nginxPurgeMaps,
} from "./nginx_purge.ts";
import { parsePurgeSources } from "./purge_from.ts";

/** Options of {@link generateNginx}. */
export interface NginxOptions {
  /** Where the cache lives: an absolute directory path. */
  readonly cacheDir: string;
  /** The backend, `HOST:PORT`; required for a complete configuration. */
  readonly backend?: string;
  /** What to listen on, `PORT` or `ADDRESS:PORT`; required for a complete configuration. */
  readonly listen?: string;
  /**
   * Write only what goes into the `http` block of an existing configuration.
   * @default false
   */
  readonly snippet?: boolean;
  /**
   * Addresses and networks allowed to purge (`"127.0.0.1"`, `"10.0.0.0/8"`). When given, the
   * configuration answers `PURGE` requests from them through the cache-purge module (Debian
   * package `libnginx-mod-http-cache-purge`; see docs/purge.md), and in keyed mode stores only the
   * variants a purge can name; without it, nothing is opened. A snippet user adds the purge
   * location to the server (docs/purge.md shows it).
   * @default []
   */
  readonly purgeFrom?: readonly string[];
  /**
   * The cache-purge module a complete configuration loads.
   * @default "/usr/lib/nginx/modules/ngx_http_cache_purge_module.so" (Debian's)
   */
  readonly purgeModule?: string;
}

const INDENT = "    ";
const SERVE_OPTIONS: ReadonlySet<string> = new Set(["identify"]);
/** Visitor states, from the `Cookie` header, that each class serves from the cache. */
const SERVED_TO: Readonly<Record<ClassPlan["name"], readonly string[]>> = {
  shared: ["none", "anonymous", "signed-in", "some"],
  anonymous: ["none", "anonymous"],
  audience: ["none", "anonymous", "signed-in"],
  user: ["none", "anonymous", "signed-in"],
  cookieless: ["none"],
};

/**
 * Generates nginx configuration that keys and stores pages as the rules say. Throws a
 * `CacheConfigError` for options cachewise refuses or rules nginx cannot match exactly, and a
 * `TypeError` for a malformed backend, listen address or cache directory.
 *
 * @param options The same options given to `cacheHeaders()` or `withCacheHeaders()`.
 * @param settings The cache directory, and the backend and listen address or `snippet: true`.
 * @returns nginx configuration text.
 *
 * @example
 * ```ts
 * import { generateNginx } from "./nginx.ts";
 * import assert from "node:assert/strict";
 *
 * const conf = generateNginx(
 *   { timeouts: { "all-users": { "1h": ["/static/*"] } } },
 *   { backend: "127.0.0.1:8080", listen: "8000", cacheDir: "/var/cache/cachewise" },
 * );
 * assert.match(conf, /listen 8000;/);
 * assert.match(conf, /proxy_cache cachewise;/);
 * ```
 */
export function generateNginx(options: CacheHeadersOptions, settings: NginxOptions): string {
  const plan = planProxy(compileOptions(options, SERVE_OPTIONS));
  const cacheDir = checkCachePath(settings.cacheDir);
  const purge = settings.purgeFrom === undefined || settings.purgeFrom.length === 0
    ? null
    : parsePurgeSources(settings.purgeFrom);
  const http = [header(plan), ...httpBlock(plan, cacheDir, purge !== null)];
  if (settings.snippet) return indent(http).join("\n") + "\n";
  if (settings.backend === undefined || settings.listen === undefined) {
    throw new TypeError("A complete nginx configuration needs a backend and a listen address");
  }
  const backend = parseBackend(settings.backend);
  const listen = parseListen(settings.listen);
  const lines = [
    ...(purge === null ? [] : [loadPurgeModule(settings.purgeModule ?? DEBIAN_PURGE_MODULE)]),
    "# Run: nginx -p DIR -c FILE (relative paths below are under DIR).",
    "worker_processes 1;",
    "pid nginx.pid;",
    "error_log stderr notice;",
    "",
    "events {",
    "worker_connections 512;",
    "}",
    "",
    "http {",
    "access_log off;",
    "client_body_temp_path client_body_temp;",
    "proxy_temp_path proxy_temp;",
    "fastcgi_temp_path fastcgi_temp;",
    "uwsgi_temp_path uwsgi_temp;",
    "scgi_temp_path scgi_temp;",
    "",
    ...http,
    "",
    "upstream cachewise_backend {",
    `server ${backend.host}:${backend.port};`,
    "keepalive 16;",
    "}",
    "",
    "server {",
    `listen ${listen};`,
    "",
    "location / {",
    ...(purge === null ? [] : NGINX_PURGE_REWRITE),
    "proxy_pass http://cachewise_backend;",
    "proxy_http_version 1.1;",
    'proxy_set_header Connection "";',
    "proxy_set_header Host $host;",
    "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "proxy_set_header X-Forwarded-Proto $scheme;",
    "# nginx ignores Vary (see above), so the backend must not negotiate compression.",
    'proxy_set_header Accept-Encoding "";',
    "add_header X-Cachewise-Cache $upstream_cache_status always;",
    "}",
    ...(purge === null ? [] : ["", ...nginxPurgeLocation(purge)]),
    "}",
    "}",
  ];
  return indent(lines).join("\n") + "\n";
}

function header(plan: ProxyPlan): string {
  return [
    ...generatedBy("#", plan.keyed),
    "# In an existing configuration: include this file in the http block (see docs/nginx.md).",
    "",
  ].join("\n");
}

function httpBlock(plan: ProxyPlan, cacheDir: string, purge: boolean): string[] {
  return [
    `proxy_cache_path ${
      nginxString(cacheDir, false)
    } levels=1:2 keys_zone=cachewise:10m max_size=1g inactive=1d use_temp_path=off;`,
    "",
    "# The path without its query string, as the application's URL has it.",
    "map $request_uri $cachewise_path {",
    'default "";',
    `${nginxString("~^([^?]*)", false)} $1;`,
    "}",
    "",
    ...routeMaps(plan, purge ? "$cachewise_host" : "$host"),
    "",
    ...(plan.keyed ? keyedVisitor(plan) : defaultVisitor()),
    "",
    "# Served from the cache only where the rule's class allows this visitor (fail closed).",
    'map "$cachewise_class:$cachewise_visitor" $cachewise_pass {',
    "default 1;",
    ...plan.classes.flatMap((class_) =>
      SERVED_TO[class_.name].filter((visitor) => plan.keyed ? visitor !== "some" : true).map((
        visitor,
      ) => `${nginxString(`~^${class_.name}:${visitor}$`, false)} 0;`)
    ),
    "}",
    "",
    "map $request_method $cachewise_method_pass {",
    "default 1;",
    "GET 0;",
    "HEAD 0;",
    "}",
    "",
    `map "${
      plan.credentialHeaders.map((name) => `$http_${name.toLowerCase().replaceAll("-", "_")}`)
        .join("")
    }" $cachewise_credentials_pass {`,
    "default 1;",
    '"" 0;',
    "}",
    "",
    ...keyMap(plan),
    "",
    ...(purge ? [...nginxPurgeMaps(plan), ""] : []),
    ...storageMaps(plan),
    "",
    "proxy_cache cachewise;",
    'proxy_cache_key "$cachewise_key;$scheme://$host$request_uri";',
    "proxy_cache_bypass $cachewise_pass $cachewise_method_pass $cachewise_credentials_pass;",
    "proxy_no_cache $cachewise_pass $cachewise_method_pass $cachewise_credentials_pass",
    `${INDENT}$cachewise_no_lifetime $cachewise_hash_mismatch $cachewise_foreign_vary $upstream_http_set_cookie${
      purge && plan.keyed ? "\n" + INDENT + "$cachewise_unpurgeable" : ""
    };`,
    "# The lifetime comes from X-Accel-Expires alone. nginx 1.22 lets a Cache-Control: private",
    "# read before X-Accel-Expires veto storage, so Cache-Control and Expires are not read;",
    "# the key covers identity, and any other Vary vetoes storage (see above).",
    "proxy_ignore_headers Cache-Control Expires Vary;",
    "# Meant for this cache only.",
    "proxy_hide_header X-Hash-Cookies;",
    "proxy_hide_header X-Accel-Expires;",
  ];
}

/** Maps from the request to the rule's class: host rules first, then path rules. */
function routeMaps(plan: ProxyPlan, hostVariable: string): string[] {
  const entries = (host: boolean) =>
    plan.routes.filter((route) => route.host === host).flatMap((route) => [
      `# ${comment(route.describe)}`,
      `${nginxString(`~${route.regexp}`, false)} ${route.class};`,
    ]);
  const hostEntries = entries(true);
  const lines = [
    "# The rules, most specific first: the first match decides, as in cachewise.",
    `map $cachewise_path ${
      hostEntries.length > 0 ? "$cachewise_path_class" : "$cachewise_class"
    } {`,
    "default pass;",
    ...entries(false),
    "}",
  ];
  if (hostEntries.length === 0) return lines;
  return [
    ...lines,
    `map "${hostVariable}$cachewise_path" $cachewise_class {`,
    "default $cachewise_path_class;",
    ...hostEntries,
    "}",
  ];
}

function defaultVisitor(): string[] {
  return [
    "# Default mode: pages for an audience are served only to requests without cookies.",
    "map $http_cookie $cachewise_visitor {",
    "default some;",
    '"" none;',
    "}",
  ];
}

function keyedVisitor(plan: ProxyPlan): string[] {
  const session = plan.sessionCookie!;
  const marker = plan.signInCookie!;
  const lines = [
    "# Cookies are read only from a header in the plain form every reader splits alike.",
    "map $http_cookie $cachewise_cookie_form {",
    "default odd;",
    '"" none;',
    `${nginxString(`~${PLAIN_COOKIE_HEADER}`, false)} plain;`,
    "}",
    "",
    "map $http_cookie $cachewise_signed_in {",
    "default 0;",
    `${nginxString(`~${cookiePresent(marker)}`, false)} 1;`,
    "}",
    "",
    "map $http_cookie $cachewise_has_session {",
    "default 0;",
    `${nginxString(`~${cookiePresent(session)}`, false)} 1;`,
    "}",
    "",
    "# Session cookie and sign-in marker must agree; otherwise a sign-in or sign-out is under way.",
    'map "$cachewise_cookie_form:$cachewise_has_session$cachewise_signed_in" $cachewise_visitor {',
    "default odd;",
    `${nginxString("~^none:", false)} none;`,
    `${nginxString("~^plain:00$", false)} anonymous;`,
    `${nginxString("~^plain:11$", false)} signed-in;`,
    "}",
  ];
  plan.cookies.forEach((name, index) => {
    if (index === 1) return; // the marker counts by presence only
    lines.push(
      "",
      `# ${comment(name)}`,
      `map $http_cookie $cachewise_cookie_${index} {`,
      'default "";',
      `${nginxString(`~${cookieValue(name).replace("([^;]*)", "([^;]+)")}`, false)} "=$1";`,
      "}",
    );
  });
  return lines;
}

/** The key besides host and URL: class, then the class's cookies. */
function keyMap(plan: ProxyPlan): string[] {
  return [
    "map $cachewise_class $cachewise_key {",
    'default "";',
    ...plan.classes.map((class_) => {
      const parts = class_.key.map((part) =>
        part.kind === "presence" ? "${cachewise_signed_in}" : `\${cachewise_cookie_${part.index}}`
      );
      return `${class_.name} "${[class_.name, ...parts].join(";")}";`;
    }),
    "}",
  ];
}

/** Maps read after the backend answered: they veto storage. */
function storageMaps(plan: ProxyPlan): string[] {
  const lines = [
    "# Stored only with a lifetime from X-Accel-Expires: whole seconds, more than 0.",
    "map $upstream_http_x_accel_expires $cachewise_no_lifetime {",
    "default 1;",
    `${nginxString("~^0*[1-9][0-9]{0,9}$", false)} 0;`,
    "}",
    "",
    "# Fail closed: X-Hash-Cookies must name exactly the cookies this request was keyed on.",
    'map "$cachewise_class:$upstream_http_x_hash_cookies" $cachewise_hash_mismatch {',
    "default 1;",
    ...plan.classes.map((class_) =>
      `${nginxString(`~^${class_.name}:${regexpLiteral(class_.hashCookies)}$`, false)} 0;`
    ),
    "}",
    "",
    "# nginx ignores Vary here, so a response may vary only on what the key or a pass covers.",
    'map "$cachewise_class:$upstream_http_vary" $cachewise_foreign_vary {',
    "default 1;",
  ];
  for (const class_ of plan.classes) {
    const names = class_.coveredVary.map((name) => regexpLiteral(name.toLowerCase()));
    const list = names.length === 0 ? "" : `(?:[ \\t]*(?:${names.join("|")})[ \\t]*(?:,|$))*`;
    lines.push(`${nginxString(`~*^${class_.name}:${list}$`, false)} 0;`);
  }
  lines.push("}");
  return lines;
}

/** Indents lines by their brace depth. */
function indent(lines: readonly string[]): string[] {
  let depth = 0;
  return lines.map((line) => {
    if (line === "") return line;
    const closes = line.startsWith("}") ? 1 : 0;
    const text = line.split("\n").map((part) =>
      part === "" ? part : INDENT.repeat(Math.max(0, depth - closes)) + part
    ).join("\n");
    depth += (line.endsWith("{") ? 1 : 0) - closes;
    return text;
  });
}
