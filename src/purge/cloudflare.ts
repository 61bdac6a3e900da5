/**
 * Cloudflare's purge API: by cache tag (`Cache-Tag`), by URL and by prefix.
 *
 * Follows (read December 2026):
 * - https://developers.cloudflare.com/api/resources/cache/methods/purge/ —
 *   `POST /zones/{zone_id}/purge_cache` with a JSON body `{"tags": […]}`, `{"files": […]}` or
 *   `{"prefixes": […]}` (a prefix is `host/path`, without the scheme), `Authorization: Bearer`;
 *   the answer is the v4 envelope `{"success": true, "errors": [], "messages": [],
 *   "result": {"id": "…"}}`, or `"success": false` with `errors[].code` and `.message`.
 * - https://developers.cloudflare.com/cache/how-to/purge-cache/ — at most 100 tags, prefixes or
 *   URLs per request; purges are rate limited per account with a token bucket.
 * - https://developers.cloudflare.com/fundamentals/api/reference/limits/ — a rate-limited request
 *   gets `429`, with `Retry-After` in seconds.
 *
 * @module
 */

import { apiBase, setting } from "./env.ts";
import { batches, purgeNode, refusal } from "./nodes.ts";
import { parseJson, unexpectedAnswer } from "./send.ts";
import type { Exchange, PurgeTarget, PurgeWork, Verdict } from "./types.ts";

/**
 * Options of {@link cloudflare}; each falls back to an environment variable.
 *
 * @example
 * ```ts
 * import type { CloudflarePurgeOptions } from "./cloudflare.ts";
 *
 * const options: CloudflarePurgeOptions = { zoneId: "023e105f4ecef8ad9ca31a8372d0c353" };
 * ```
 */
export interface CloudflarePurgeOptions {
  /** The zone. @default the environment variable CLOUDFLARE_ZONE_ID */
  readonly zoneId?: string;
  /** An API token with the Cache Purge permission. @default CLOUDFLARE_API_TOKEN */
  readonly apiToken?: string;
  /** The API's base URL. @default CLOUDFLARE_API_BASE, else "https://api.cloudflare.com/client/v4" */
  readonly apiBase?: string;
}

/** Items per request: Cloudflare's documented maximum for every plan. */
const PER_REQUEST = 100;

/**
 * A Cloudflare zone.
 *
 * @throws {TypeError} When the zone or the token is neither given nor in the environment.
 *
 * @example
 * ```ts
 * import { cloudflare } from "./cloudflare.ts";
 * import assert from "node:assert/strict";
 *
 * const zone = cloudflare({ zoneId: "023e105f4ecef8ad9ca31a8372d0c353", apiToken: "secret-token" });
 * assert.equal(zone.name, "cloudflare");
 * assert.doesNotMatch(JSON.stringify(zone), /secret-token/);
 * ```
 */
export function cloudflare(options: CloudflarePurgeOptions = {}): PurgeTarget {
  const zoneId = setting("cloudflare", "zoneId", options.zoneId, ["CLOUDFLARE_ZONE_ID"]);
  const token = setting("cloudflare", "apiToken", options.apiToken, ["CLOUDFLARE_API_TOKEN"]);
  const base = apiBase(
    "cloudflare",
    options.apiBase,
    ["CLOUDFLARE_API_BASE"],
    "https://api.cloudflare.com/client/v4",
  );
  const node = `cloudflare zone ${zoneId}`;
  const url = `${base}/zones/${encodeURIComponent(zoneId)}/purge_cache`;
  return {
    name: "cloudflare",
    nodes: [node],
    purge: async (work, send) => {
      const refused = refusal(node, "Cloudflare", work, { prefixes: true });
      if (refused !== null) return [refused];
      return [await purgeNode(node, exchanges(url, token, work), send, [token])];
    },
  };
}

function exchanges(url: string, token: string, work: PurgeWork): Exchange[] {
  const bodies = [
    ...batches(work.tags, PER_REQUEST).map((tags) => ({ tags })),
    ...batches(work.urls.map((page) => page.origin + page.path), PER_REQUEST).map((files) => ({
      files,
    })),
    ...batches(work.prefixes, PER_REQUEST).map((prefixes) => ({ prefixes })),
  ];
  return bodies.map((body) => ({
    url,
    method: "POST",
    headers: { "authorization": `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    judge,
  }));
}

interface Envelope {
  success?: unknown;
  errors?: { code?: unknown; message?: unknown }[];
  result?: { id?: unknown } | null;
}

function judge(response: Response, body: string): Verdict {
  const envelope = parseJson(body) as Envelope | undefined;
  if (response.ok && envelope?.success === true) {
    const id = envelope.result?.id;
    return typeof id === "string" ? { ok: true, detail: `purge ${id}` } : { ok: true };
  }
  const errors = Array.isArray(envelope?.errors) ? envelope.errors : [];
  const message = errors.map((error) => `${String(error.code)} ${String(error.message)}`)
    .join("; ");
  if (response.ok) return { ok: false, reason: `not confirmed: ${message || "no success"}` };
  return unexpectedAnswer(response, message);
}
