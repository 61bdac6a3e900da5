/**
 * Varnish VCL 4.1 (Varnish 7, PCRE2) from the compiled rules: a complete configuration for one
 * backend, or a snippet of `cachewise_*` subroutines to include into an existing one.
 *
 * @module
 */

import { compileOptions } from "../decide/compile.ts";
import type { CacheHeadersOptions } from "../config/options.ts";
import { parseBackend, vclString } from "./escape.ts";
import { generatedBy, planProxy, type ProxyPlan } from "./plan.ts";
import { parsePurgeSources, type PurgeSource } from "./purge_from.ts";
import {
  VCL_PURGE_DELIVER,
  VCL_PURGE_RECV,
  VCL_PURGE_STORE,
  vclPurgeDeclarations,
  vclPurgeSubroutines,
} from "./varnish_purge.ts";
import { hashCookiesChecks, indentVcl, recvStatements, type VclDialect } from "./vcl.ts";

/** Options of {@link generateVcl}. */
export interface VclOptions {
  /** The backend, `HOST:PORT`; required for a complete configuration. */
  readonly backend?: string;
  /**
   * Write only the `cachewise_*` subroutines, for `include` into an existing VCL whose
   * `vcl_recv`, `vcl_hash`, `vcl_backend_response` and `vcl_deliver` call them.
   * @default false
   */
  readonly snippet?: boolean;
  /**
   * Addresses and networks allowed to purge (`"127.0.0.1"`, `"10.0.0.0/8"`, `"::1"`). When given,
   * the VCL answers `PURGE` requests from them (tags through the xkey vmod, pages through bans;
   * see docs/purge.md) and refuses everyone else; without it, the VCL opens no purge endpoint.
   * A snippet user also calls `cachewise_synth` from `vcl_synth`.
   * @default []
   */
  readonly purgeFrom?: readonly string[];
}

const INDENT = "    ";
/** Varnish 7: `std.collect` with a separator, `pipe` for upgrades, `hash` to look up. */
const VARNISH: VclDialect = {
  string: vclString,
  collectCookies: 'std.collect(req.http.Cookie, "; ");',
  upgrade: "return (pipe);",
  lookup: "return (hash);",
};
/** Options `withCacheHeaders()` takes besides those of `cacheHeaders()`. */
const SERVE_OPTIONS: ReadonlySet<string> = new Set(["identify"]);

/**
 * Generates Varnish configuration that keys and stores pages as the rules say. Throws a
 * `CacheConfigError` for options cachewise refuses or rules the proxy cannot match exactly, and a
 * `TypeError` for a malformed backend.
 *
 * @param options The same options given to `cacheHeaders()` or `withCacheHeaders()`.
 * @param settings The backend, or `snippet: true`.
 * @returns VCL text.
 *
 * @example
 * ```ts
 * import { generateVcl } from "./varnish.ts";
 * import assert from "node:assert/strict";
 *
 * const vcl = generateVcl(
 *   { timeouts: { "all-users": { "1h": ["/static/*"] } } },
 *   { backend: "127.0.0.1:8080" },
 * );
 * assert.match(vcl, /^vcl 4\.1;/);
 * assert.match(vcl, /\.port = "8080";/);
 * ```
 */
export function generateVcl(options: CacheHeadersOptions, settings: VclOptions = {}): string {
  const plan = planProxy(compileOptions(options, SERVE_OPTIONS));
  const purge = settings.purgeFrom === undefined || settings.purgeFrom.length === 0
    ? null
    : parsePurgeSources(settings.purgeFrom);
  const body = [
    header(plan, purge),
    "import std;",
    ...(purge === null ? [] : vclPurgeDeclarations(purge)),
    "",
    ...recv(plan, purge !== null),
    "",
    ...(purge === null ? [] : [...indentVcl(vclPurgeSubroutines()), ""]),
    ...hash(),
    "",
    ...backendResponse(plan, purge !== null),
    "",
    ...deliver(purge !== null),
  ];
  if (settings.snippet) return body.join("\n") + "\n";
  if (settings.backend === undefined) {
    throw new TypeError("A complete VCL needs a backend, HOST:PORT");
  }
  const backend = parseBackend(settings.backend);
  return [
    "vcl 4.1;",
    "",
    ...body,
    "",
    "backend default {",
    `${INDENT}.host = ${vclString(backend.host.replace(/^\[|\]$/g, ""))};`,
    `${INDENT}.port = ${vclString(String(backend.port))};`,
    "}",
    "",
    "sub vcl_recv {",
    `${INDENT}call cachewise_recv;`,
    "}",
    "",
    "sub vcl_hash {",
    `${INDENT}call cachewise_hash;`,
    "}",
    "",
    "sub vcl_backend_response {",
    `${INDENT}call cachewise_backend_response;`,
    "}",
    "",
    ...(purge === null ? [] : ["sub vcl_synth {", `${INDENT}call cachewise_synth;`, "}", ""]),
    "sub vcl_deliver {",
    `${INDENT}call cachewise_deliver;`,
    `${INDENT}if (obj.hits > 0) {`,
    `${INDENT}${INDENT}set resp.http.X-Cachewise-Cache = "HIT";`,
    `${INDENT}} else {`,
    `${INDENT}${INDENT}set resp.http.X-Cachewise-Cache = "MISS";`,
    `${INDENT}}`,
    "}",
    "",
  ].join("\n");
}

function header(plan: ProxyPlan, purge: readonly PurgeSource[] | null): string {
  return [
    ...generatedBy("#", plan.keyed),
    "# In an existing VCL: include this file, then call each cachewise_* subroutine first",
    "# in vcl_recv, vcl_hash, vcl_backend_response and vcl_deliver (see docs/varnish.md).",
    ...(purge === null ? [] : [
      "# Purge endpoint (--purge-from): PURGE requests from the addresses in cachewise_purgers",
      "# (see docs/purge.md); in an existing VCL also call cachewise_synth in vcl_synth.",
    ]),
    "",
  ].join("\n");
}

/** `cachewise_recv`: pass what must not be cached, match the rule, build the key. */
function recv(plan: ProxyPlan, purge: boolean): string[] {
  const statements = recvStatements(plan, VARNISH, purge ? VCL_PURGE_RECV : []);
  return indentVcl(["sub cachewise_recv {", ...statements, "}"]);
}

function hash(): string[] {
  return indentVcl([
    "sub cachewise_hash {",
    "# The key: class, cookies, host; then the URL with its query.",
    "hash_data(req.http.X-Cachewise-Key);",
    "hash_data(req.url);",
    "unset req.http.X-Cachewise-Key;",
    "return (lookup);",
    "}",
  ]);
}

/** `cachewise_backend_response`: store only what the application made for this key. */
function backendResponse(plan: ProxyPlan, purge: boolean): string[] {
  const lines = [
    "sub cachewise_uncacheable {",
    "set beresp.ttl = 120s;",
    "set beresp.uncacheable = true;",
    "return (deliver);",
    "}",
    "",
    "sub cachewise_backend_response {",
    ...(purge ? VCL_PURGE_STORE : []),
    "# A background refresh that fails keeps the stale page (stale-if-error, within grace).",
    "if (bereq.is_bgfetch && beresp.status >= 500) {",
    "return (abandon);",
    "}",
    "if (bereq.uncacheable) {",
    "return (deliver);",
    "}",
    "if (beresp.http.Set-Cookie) {",
    "call cachewise_uncacheable;",
    "}",
    "# The lifetime comes from X-Accel-Expires alone: whole seconds, more than 0.",
    'if (beresp.http.X-Accel-Expires !~ "^0*[1-9][0-9]{0,9}$") {',
    "call cachewise_uncacheable;",
    "}",
    "# Fail closed: X-Hash-Cookies must name exactly the cookies this request was keyed on.",
  ];
  lines.push(...hashCookiesChecks(plan, VARNISH, "bereq", ["call cachewise_uncacheable;"]));
  lines.push(
    ...(plan.classes.length > 0 ? ["} else {"] : []),
    "call cachewise_uncacheable;",
    ...(plan.classes.length > 0 ? ["}"] : []),
    'set beresp.ttl = std.duration(beresp.http.X-Accel-Expires + "s", 0s);',
    "# Grace only as Cache-Control's stale-while-revalidate gives it (Varnish reads it), never",
    "# the 10 s default: a page is served stale only where the rule said so.",
    'if (beresp.http.Cache-Control !~ "(?i)(^|[ ,])stale-while-revalidate=[0-9]") {',
    "set beresp.grace = 0s;",
    "}",
    "return (deliver);",
    "}",
  );
  return indentVcl(lines);
}

function deliver(purge: boolean): string[] {
  return indentVcl([
    "sub cachewise_deliver {",
    "# Meant for this cache only.",
    "unset resp.http.X-Accel-Expires;",
    "unset resp.http.X-Hash-Cookies;",
    ...(purge ? VCL_PURGE_DELIVER : []),
    "if (resp.http.X-Cachewise-Vary) {",
    "set resp.http.Vary = resp.http.X-Cachewise-Vary;",
    "unset resp.http.X-Cachewise-Vary;",
    "}",
    "}",
  ]);
}
