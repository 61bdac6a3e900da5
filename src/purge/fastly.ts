/**
 * Fastly's purge API: by surrogate key (`Surrogate-Key`), hard or soft, and by URL.
 *
 * Follows (read December 2026):
 * - https://www.fastly.com/documentation/reference/api/purging/ — "Purge multiple surrogate key
 *   tags": `POST /service/{service_id}/purge` with the keys in a `Surrogate-Key` request header
 *   (space separated, up to 256 per request), `Fastly-Soft-Purge: 1` for a soft purge; the answer
 *   maps each key to a purge id, `{"key_1": "108-1391560174-974124", …}`. "Purge a URL":
 *   `POST /purge/{cached_url}` where `cached_url` is the host and path without the scheme
 *   (`www.example.com/path/to/object-to-purge`); the answer is `{"status": "ok", "id": "…"}`.
 * - https://www.fastly.com/documentation/reference/api/ — authentication with a `Fastly-Key`
 *   header; errors are JSON with `msg` and `detail`; a rate-limited request gets `429`.
 *
 * @module
 */

import { apiBase, setting } from "./env.ts";
import { batches, purgeNode, refusal } from "./nodes.ts";
import { parseJson, unexpectedAnswer } from "./send.ts";
import type { Exchange, PurgeTarget, PurgeWork, Verdict } from "./types.ts";

/**
 * Options of {@link fastly}; each setting falls back to an environment variable.
 *
 * @example
 * ```ts
 * import type { FastlyPurgeOptions } from "./fastly.ts";
 *
 * const options: FastlyPurgeOptions = { serviceId: "SU1Z0isxPaozGVKXdv0eY", soft: true };
 * ```
 */
export interface FastlyPurgeOptions {
  /** The service. @default the environment variable FASTLY_SERVICE_ID */
  readonly serviceId?: string;
  /** An API token with the `purge_select` scope. @default FASTLY_API_TOKEN */
  readonly apiToken?: string;
  /**
   * Soft purge: objects are marked stale (served within `stale-while-revalidate` or
   * `stale-if-error`) instead of removed.
   * @default false
   */
  readonly soft?: boolean;
  /** The API's base URL. @default FASTLY_API_BASE, else "https://api.fastly.com" */
  readonly apiBase?: string;
}

/** Keys per request: Fastly's documented maximum for a batch purge. */
const KEYS_PER_REQUEST = 256;

/**
 * A Fastly service.
 *
 * @throws {TypeError} When the service or the token is neither given nor in the environment.
 *
 * @example
 * ```ts
 * import { fastly } from "./fastly.ts";
 * import assert from "node:assert/strict";
 *
 * const service = fastly({ serviceId: "SU1Z0isxPaozGVKXdv0eY", apiToken: "secret-token" });
 * assert.deepEqual(service.nodes, ["fastly service SU1Z0isxPaozGVKXdv0eY"]);
 * ```
 */
export function fastly(options: FastlyPurgeOptions = {}): PurgeTarget {
  const serviceId = setting("fastly", "serviceId", options.serviceId, ["FASTLY_SERVICE_ID"]);
  const token = setting("fastly", "apiToken", options.apiToken, ["FASTLY_API_TOKEN"]);
  const base = apiBase("fastly", options.apiBase, ["FASTLY_API_BASE"], "https://api.fastly.com");
  const node = `fastly service ${serviceId}`;
  const headers = {
    "fastly-key": token,
    "accept": "application/json",
    ...(options.soft === true && { "fastly-soft-purge": "1" }),
  };
  return {
    name: "fastly",
    nodes: [node],
    purge: async (work, send) => {
      const refused = refusal(node, "Fastly", work, {});
      if (refused !== null) return [refused];
      const list = exchanges(
        `${base}/service/${encodeURIComponent(serviceId)}`,
        base,
        headers,
        work,
      );
      return [await purgeNode(node, list, send, [token])];
    },
  };
}

function exchanges(
  service: string,
  base: string,
  headers: Record<string, string>,
  work: PurgeWork,
): Exchange[] {
  const list: Exchange[] = batches(work.tags, KEYS_PER_REQUEST).map((keys) => ({
    url: `${service}/purge`,
    method: "POST",
    headers: { ...headers, "surrogate-key": keys.join(" ") },
    judge: (response, body) => judgeKeys(response, body, keys),
  }));
  for (const page of work.urls) {
    const cached = `${page.host}${page.path}`;
    list.push({ url: `${base}/purge/${cached}`, method: "POST", headers, judge: judgeUrl });
  }
  return list;
}

function judgeKeys(response: Response, body: string, keys: readonly string[]): Verdict {
  const answer = parseJson(body) as Record<string, unknown> | undefined;
  if (response.status === 200 && typeof answer === "object" && answer !== null) {
    const missing = keys.filter((key) => typeof answer[key] !== "string");
    if (missing.length === 0) return { ok: true, detail: `${keys.length} keys` };
    return { ok: false, reason: `no purge id for ${missing.join(" ")}` };
  }
  return failure(response, answer);
}

function judgeUrl(response: Response, body: string): Verdict {
  const answer = parseJson(body) as { status?: unknown; id?: unknown } | undefined;
  if (response.status === 200 && answer?.status === "ok") {
    return typeof answer.id === "string"
      ? { ok: true, detail: `purge ${answer.id}` }
      : { ok: true };
  }
  return failure(response, answer);
}

function failure(response: Response, answer: unknown): Verdict {
  const error = answer as { msg?: unknown; detail?: unknown } | undefined;
  const message = [error?.msg, error?.detail].filter((part) => typeof part === "string").join(": ");
  if (response.ok) return { ok: false, reason: `not confirmed: ${message || "unexpected answer"}` };
  return unexpectedAnswer(response, message);
}
