/**
 * Vercel's CDN cache, by cache tag: Vercel's cache keys are not configurable, and cache tags
 * are how its documentation says to purge.
 *
 * Follows (read December 2026):
 * - https://vercel.com/docs/rest-api/edge-cache/invalidate-by-tag —
 *   `POST /v1/edge-cache/invalidate-by-tags?projectIdOrName=…[&teamId=…]` with
 *   `{"tags": […]}` (1 to 16 tags of at most 256 characters), `Authorization: Bearer`; `200`.
 *   Invalidating marks the entries stale: the next request is served stale while Vercel
 *   revalidates (our soft purge).
 * - https://vercel.com/docs/rest-api/edge-cache/dangerously-delete-by-tag —
 *   `POST /v1/edge-cache/dangerously-delete-by-tags`, same parameters: the next request misses
 *   (our default, hard purge).
 * - https://vercel.com/docs/rest-api/errors — errors are `{"error": {"code": "…", "message": "…"}}`;
 *   `rate_limited` comes with `limit.reset` (epoch seconds) and status `429`.
 *
 * @module
 */

import { apiBase, optionalSetting, setting } from "./env.ts";
import { tagPostTarget } from "./nodes.ts";
import { parseJson, retryAfterMs, unexpectedAnswer } from "./send.ts";
import type { PurgeTarget, Verdict } from "./types.ts";

/**
 * Options of {@link vercel}; each setting falls back to an environment variable.
 *
 * @example
 * ```ts
 * import type { VercelPurgeOptions } from "./vercel.ts";
 *
 * const options: VercelPurgeOptions = { projectId: "prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB", soft: true };
 * ```
 */
export interface VercelPurgeOptions {
  /** The project id or name. @default VERCEL_PROJECT_ID */
  readonly projectId?: string;
  /** An access token. @default VERCEL_TOKEN */
  readonly token?: string;
  /** The team the project belongs to, if any. @default VERCEL_TEAM_ID (optional) */
  readonly teamId?: string;
  /**
   * Invalidate (serve stale while revalidating) instead of delete.
   * @default false
   */
  readonly soft?: boolean;
  /** The API's base URL. @default VERCEL_API_BASE, else "https://api.vercel.com" */
  readonly apiBase?: string;
}

/** Tags per request: Vercel's documented maximum. */
const TAGS_PER_REQUEST = 16;

/**
 * A Vercel project.
 *
 * @throws {TypeError} When the project or the token is neither given nor in the environment.
 *
 * @example
 * ```ts
 * import { vercel } from "./vercel.ts";
 * import assert from "node:assert/strict";
 *
 * const project = vercel({ projectId: "my-app", token: "secret-token" });
 * assert.deepEqual(project.nodes, ["vercel project my-app"]);
 * ```
 */
export function vercel(options: VercelPurgeOptions = {}): PurgeTarget {
  const projectId = setting("vercel", "projectId", options.projectId, ["VERCEL_PROJECT_ID"]);
  const token = setting("vercel", "token", options.token, ["VERCEL_TOKEN"]);
  const teamId = optionalSetting("vercel", "teamId", options.teamId, ["VERCEL_TEAM_ID"]);
  const base = apiBase("vercel", options.apiBase, ["VERCEL_API_BASE"], "https://api.vercel.com");
  const action = options.soft === true ? "invalidate-by-tags" : "dangerously-delete-by-tags";
  const query = new URLSearchParams({ projectIdOrName: projectId });
  if (teamId !== undefined) query.set("teamId", teamId);
  return tagPostTarget({
    name: "vercel",
    vendor: "Vercel",
    node: `vercel project ${projectId}`,
    url: `${base}/v1/edge-cache/${action}?${query}`,
    perRequest: TAGS_PER_REQUEST,
    headers: { "authorization": `Bearer ${token}`, "content-type": "application/json" },
    body: (tags) => ({ tags }),
    judge,
    secrets: [token],
  });
}

interface VercelError {
  error?: { code?: unknown; message?: unknown; limit?: { reset?: unknown } };
}

function judge(response: Response, body: string): Verdict {
  if (response.status >= 200 && response.status < 300) return { ok: true };
  const error = (parseJson(body) as VercelError | undefined)?.error;
  const message = [error?.code, error?.message].filter((part) => typeof part === "string")
    .join(": ");
  const verdict = unexpectedAnswer(response, message);
  const reset = error?.limit?.reset;
  if (
    verdict.retry && retryAfterMs(response.headers) === undefined && typeof reset === "number"
  ) {
    return { ...verdict, retryAfterMs: Math.max(0, reset * 1000 - Date.now()) };
  }
  return verdict;
}
