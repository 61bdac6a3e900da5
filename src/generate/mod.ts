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

export type { CacheHeadersOptions } from "../config/options.ts";
export type { Timeouts } from "../config/timeouts.ts";
export type { CacheControl } from "../headers/cache_control.ts";
export type { Lifetime } from "../config/duration.ts";
export type { KeyedOptions } from "../config/keyed.ts";
export type { CdnName } from "../headers/platforms.ts";
export type { MarkerCookieAttributes } from "../headers/cookies.ts";
export type { Identity, Policy, PolicyInput, PolicyResult } from "../config/policies.ts";
export type { RulePattern } from "../config/rules.ts";
export { generateNginx, type NginxOptions } from "./nginx.ts";
export { generateVcl, type VclOptions } from "./varnish.ts";
