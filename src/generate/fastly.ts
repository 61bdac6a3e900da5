/**
 * Fastly VCL from the compiled rules: a complete custom VCL for a Fastly VCL service, keyed as
 * the keyed mode says. The request side is the one the Varnish generator writes (`vcl.ts`), in
 * Fastly's dialect; the response side reads the lifetime from `X-Accel-Expires` and refuses to
 * store a page whose `X-Hash-Cookies` differs from the cookies the request was keyed on, as the
 * Varnish VCL does.
 *
 * Fastly's VCL derives from Varnish 2.1 and differs from Varnish 7
 * (https://www.fastly.com/documentation/reference/vcl/): `vcl_fetch` instead of
 * `vcl_backend_response`, `set req.hash += …` instead of `hash_data()`, `return(pass)` in
 * `vcl_fetch` for hit-for-pass, `parse_time_delta()` for a lifetime read from a header, strings
 * with `%XX` escapes, and a `#FASTLY` macro at the top of every subroutine. Nothing here can
 * compile it: docs/cdns.md says what was checked and what was not.
 *
 * @module
 */

import { compileOptions } from "../decide/compile.ts";
import type { CacheHeadersOptions } from "../config/options.ts";
import { fastlyString } from "./escape.ts";
import { generatedBy, planProxy, type ProxyPlan } from "./plan.ts";
import { hashCookiesChecks, indentVcl, recvStatements, type VclDialect } from "./vcl.ts";

/** Options `withCacheHeaders()` takes besides those of `cacheHeaders()`. */
const SERVE_OPTIONS: ReadonlySet<string> = new Set(["identify"]);

/**
 * Fastly: `std.collect` joins with `;` and adds the space itself
 * (https://www.fastly.com/documentation/reference/vcl/functions/miscellaneous/std-collect/);
 * Fastly has no `pipe`, so an upgrade passes; `lookup` ends `vcl_recv`.
 */
const FASTLY: VclDialect = {
  string: fastlyString,
  collectCookies: 'std.collect(req.http.Cookie, ";");',
  upgrade: "return (pass);",
  lookup: "return (lookup);",
};

/**
 * Generates a custom VCL for a Fastly VCL service that keys and stores pages as the rules say.
 * The backend is the service's own (set in Fastly's configuration; `#FASTLY recv` selects it).
 * Throws a `CacheConfigError` for options cachewise refuses or rules it cannot match exactly.
 *
 * @param options The same options given to `cacheHeaders()` or `withCacheHeaders()`.
 * @returns Fastly VCL text, to upload as the service's main custom VCL.
 *
 * @example
 * ```ts
 * import { generateFastlyVcl } from "./fastly.ts";
 * import assert from "node:assert/strict";
 *
 * const vcl = generateFastlyVcl({
 *   timeouts: { "per-user": { 60: ["/account/*"] } },
 *   keyed: { sessionCookie: "sessionid" },
 * });
 * assert.match(vcl, /#FASTLY recv/);
 * assert.match(vcl, /set req\.hash \+= req\.http\.X-Cachewise-Key;/);
 * ```
 */
export function generateFastlyVcl(options: CacheHeadersOptions): string {
  const plan = planProxy(compileOptions(options, SERVE_OPTIONS));
  return [
    ...generatedBy("#", plan.keyed),
    "# Upload as the main custom VCL of a Fastly VCL service (see docs/cdns.md).",
    "",
    ...indentVcl(["sub vcl_recv {", "#FASTLY recv", ...recvStatements(plan, FASTLY), "}"]),
    "",
    ...indentVcl([
      "sub vcl_hash {",
      "#FASTLY hash",
      "# The key: class, cookies, host; then the URL with its query, and the purge generation.",
      "set req.hash += req.http.X-Cachewise-Key;",
      "set req.hash += req.url;",
      "set req.hash += req.vcl.generation;",
      "return (hash);",
      "}",
    ]),
    "",
    ...fetch(plan),
    "",
    ...indentVcl([
      "sub vcl_deliver {",
      "#FASTLY deliver",
      "# Meant for this cache only.",
      "unset resp.http.X-Accel-Expires;",
      "unset resp.http.X-Hash-Cookies;",
      "if (resp.http.X-Cachewise-Vary) {",
      "set resp.http.Vary = resp.http.X-Cachewise-Vary;",
      "unset resp.http.X-Cachewise-Vary;",
      "}",
      "return (deliver);",
      "}",
    ]),
    "",
    ...boilerplate(),
  ].join("\n");
}

/** `vcl_fetch`: store only what the application made for this key, for `X-Accel-Expires`. */
function fetch(plan: ProxyPlan): string[] {
  const uncacheable = ["set beresp.ttl = 120s;", "return (pass);"];
  const lines = [
    "sub vcl_fetch {",
    "#FASTLY fetch",
    "# Fastly's own TTL ignores private and no-store: cachewise decides here, hit-for-pass else.",
    "if (beresp.http.Set-Cookie) {",
    ...uncacheable,
    "}",
    "# The lifetime comes from X-Accel-Expires alone: whole seconds, more than 0.",
    'if (beresp.http.X-Accel-Expires !~ "^0*[1-9][0-9]{0,9}$") {',
    ...uncacheable,
    "}",
    "# Fail closed: X-Hash-Cookies must name exactly the cookies this request was keyed on.",
  ];
  lines.push(...hashCookiesChecks(plan, FASTLY, "req", uncacheable));
  lines.push(
    ...(plan.classes.length > 0 ? ["} else {"] : []),
    ...uncacheable,
    ...(plan.classes.length > 0 ? ["}"] : []),
    'set beresp.ttl = parse_time_delta(beresp.http.X-Accel-Expires + "s");',
    "return (deliver);",
    "}",
  );
  return indentVcl(lines);
}

/** The other subroutines a Fastly custom VCL must hold, each with its macro. */
function boilerplate(): string[] {
  const sub = (name: string, macro: string, end: string) =>
    indentVcl([`sub ${name} {`, `#FASTLY ${macro}`, end, "}", ""]);
  return [
    ...sub("vcl_hit", "hit", "return (deliver);"),
    ...sub("vcl_miss", "miss", "return (fetch);"),
    ...sub("vcl_pass", "pass", "return (pass);"),
    ...sub("vcl_error", "error", "return (deliver);"),
    ...sub("vcl_log", "log", "# nothing logged by cachewise"),
  ];
}
