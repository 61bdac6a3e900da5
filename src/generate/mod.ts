/**
 * Proxy configuration generated from the same rules as the headers: Varnish VCL and nginx, each as
 * a complete configuration for one backend or as a snippet to include into an existing one.
 * Kept off the main entry so that `cacheHeaders()` users bundle none of it.
 *
 * @example
 * ```ts
 * // from "@cachewise/cachewise/generate" (JSR) or "cachewise/generate" (npm)
 * import { generateNginx, generateVcl } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const options = {
 *   timeouts: { "per-user": { 60: ["/account/*"] } },
 *   keyed: { sessionCookie: "sessionid" },
 * };
 * assert.match(generateVcl(options, { backend: "127.0.0.1:8080" }), /sub cachewise_recv/);
 * assert.match(generateNginx(options, { snippet: true, cacheDir: "/var/cache/cachewise" }), /map/);
 * ```
 *
 * @module
 */

export type { CacheHeadersOptions, Timeouts } from "../options.ts";
export type { CacheControl } from "../cache_control.ts";
export type { Lifetime } from "../duration.ts";
export type { KeyedOptions } from "../keyed.ts";
export type { MarkerCookieAttributes } from "../cookies.ts";
export type { Identity, Policy, PolicyInput, PolicyResult } from "../policies.ts";
export type { RulePattern } from "../rules.ts";
export { generateNginx, type NginxOptions } from "./nginx.ts";
export { generateVcl, type VclOptions } from "./varnish.ts";
