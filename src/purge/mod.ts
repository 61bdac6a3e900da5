/**
 * Purge: invalidate cache tags and pages on every cache cachewise writes for, node by node. Kept
 * off the main entry (and away from the rule compiler) so that `cacheHeaders()` users bundle none
 * of it, and purge users bundle no decision code.
 *
 * @example
 * ```ts ignore
 * // from "@cachewise/cachewise/purge" (JSR) or "cachewise/purge" (npm)
 * import { cloudflare, purge, varnish } from "@cachewise/cachewise/purge";
 *
 * const result = await purge(
 *   { tags: ["product-42"], urls: ["https://shop.example.com/products/42"] },
 *   [varnish(["http://10.0.0.7:6081", "http://10.0.0.8:6081"]), cloudflare()],
 * );
 * if (!result.ok) console.error(result.targets.filter((target) => !target.ok));
 * ```
 *
 * @example
 * ```ts
 * import { purge, varnish } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const result = await purge({ urls: ["/news/today"] }, varnish("http://127.0.0.1:9"), {
 *   retries: 0,
 * });
 * assert.equal(result.ok, false);
 * ```
 *
 * @module
 */

export { purge } from "./run.ts";
export type { PurgeOptions } from "./send.ts";
export type {
  Exchange,
  ExchangeOutcome,
  NodeResult,
  NodeStatus,
  PurgeRequest,
  PurgeResult,
  PurgeTarget,
  PurgeUrl,
  PurgeWork,
  Send,
  TargetResult,
  Verdict,
} from "./types.ts";
export { varnish, type VarnishPurgeOptions } from "./varnish.ts";
export { nginx } from "./nginx.ts";
export { cloudflare, type CloudflarePurgeOptions } from "./cloudflare.ts";
export { fastly, type FastlyPurgeOptions } from "./fastly.ts";
export { netlify, type NetlifyPurgeOptions } from "./netlify.ts";
export { akamai, type AkamaiPurgeOptions } from "./akamai.ts";
export type { EdgeGridCredentials } from "./edgegrid.ts";
export { vercel, type VercelPurgeOptions } from "./vercel.ts";
export { denoDeploy, type DenoDeployPurgeOptions } from "./deno_deploy.ts";
