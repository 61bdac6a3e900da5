/**
 * Netlify's purge API: by cache tag (`Netlify-Cache-Tag` or `Cache-Tag`). Netlify purges a site
 * by tag or as a whole; it has no purge by URL or prefix.
 *
 * Follows (read December 2026):
 * - https://docs.netlify.com/platform/caching/#on-demand-invalidation and
 *   https://open-api.netlify.com/#tag/purge — `POST /api/v1/purge` with
 *   `{"site_id": "…", "cache_tags": […]}`, `Authorization: Bearer`; accepted with `202`; errors
 *   are JSON `{"code": …, "message": "…"}`; a rate-limited request gets `429`.
 * - `@netlify/functions` `purgeCache()` sends the same request and reads the token from
 *   `NETLIFY_PURGE_API_TOKEN` and the site from `SITE_ID`, which Netlify sets in functions.
 *
 * @module
 */

import { apiBase, setting } from "./env.ts";
import { tagPostTarget } from "./nodes.ts";
import { parseJson, unexpectedAnswer } from "./send.ts";
import type { PurgeTarget, Verdict } from "./types.ts";

/**
 * Options of {@link netlify}; each setting falls back to an environment variable.
 *
 * @example
 * ```ts
 * import type { NetlifyPurgeOptions } from "./netlify.ts";
 *
 * const options: NetlifyPurgeOptions = { siteId: "12345678-90ab-cdef-1234-567890abcdef" };
 * ```
 */
export interface NetlifyPurgeOptions {
  /** The site. @default NETLIFY_SITE_ID, else SITE_ID (set by Netlify in functions) */
  readonly siteId?: string;
  /** A token. @default NETLIFY_PURGE_API_TOKEN (set by Netlify in functions), else NETLIFY_AUTH_TOKEN */
  readonly token?: string;
  /** The API's base URL. @default NETLIFY_API_BASE, else "https://api.netlify.com" */
  readonly apiBase?: string;
}

/** Tags per request: Netlify documents no maximum; 100 keeps a request small. */
const TAGS_PER_REQUEST = 100;

/**
 * A Netlify site.
 *
 * @throws {TypeError} When the site or the token is neither given nor in the environment.
 *
 * @example
 * ```ts
 * import { netlify } from "./netlify.ts";
 * import assert from "node:assert/strict";
 *
 * const site = netlify({ siteId: "my-site-id", token: "secret-token" });
 * assert.deepEqual(site.nodes, ["netlify site my-site-id"]);
 * ```
 */
export function netlify(options: NetlifyPurgeOptions = {}): PurgeTarget {
  const siteId = setting("netlify", "siteId", options.siteId, ["NETLIFY_SITE_ID", "SITE_ID"]);
  const token = setting("netlify", "token", options.token, [
    "NETLIFY_PURGE_API_TOKEN",
    "NETLIFY_AUTH_TOKEN",
  ]);
  const base = apiBase("netlify", options.apiBase, ["NETLIFY_API_BASE"], "https://api.netlify.com");
  return tagPostTarget({
    name: "netlify",
    vendor: "Netlify",
    node: `netlify site ${siteId}`,
    url: `${base}/api/v1/purge`,
    perRequest: TAGS_PER_REQUEST,
    headers: {
      "authorization": `Bearer ${token}`,
      "content-type": "application/json; charset=utf-8",
    },
    body: (tags) => ({ site_id: siteId, cache_tags: tags }),
    judge,
    secrets: [token],
  });
}

function judge(response: Response, body: string): Verdict {
  if (response.status >= 200 && response.status < 300) return { ok: true };
  const answer = parseJson(body) as { message?: unknown } | undefined;
  return unexpectedAnswer(response, typeof answer?.message === "string" ? answer.message : "");
}
