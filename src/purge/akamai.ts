/**
 * Akamai Fast Purge (CCU v3): by cache tag (`Edge-Cache-Tag`) and by URL, signed with EdgeGrid.
 *
 * Follows (read December 2026):
 * - https://techdocs.akamai.com/purge-cache/reference/api-summary — `POST
 *   /ccu/v3/delete/tag/{network}`, `/ccu/v3/delete/url/{network}` and the `invalidate`
 *   equivalents, `network` being `production` or `staging`, with `{"objects": […]}`; success is
 *   `201` with `{"httpStatus": 201, "detail": "Request accepted", "estimatedSeconds": 5,
 *   "purgeId": "…", "supportId": "…"}`.
 * - https://techdocs.akamai.com/purge-cache/reference/rate-limiting and
 *   https://techdocs.akamai.com/purge-cache/reference/429 — a token bucket per account; a denied
 *   request gets `429` (`application/problem+json`, `"title": "Rate Limit exceeded"`), "Wait
 *   five seconds, then retry"; bodies are limited to 50 KB.
 * - Signing: see `edgegrid.ts`.
 *
 * @module
 */

import { type EdgeGridCredentials, signEdgeGrid } from "./edgegrid.ts";
import { apiBase, setting } from "./env.ts";
import { batches, purgeNode, refusal } from "./nodes.ts";
import { parseJson, unexpectedAnswer } from "./send.ts";
import type { Exchange, PurgeTarget, PurgeWork, Verdict } from "./types.ts";

/**
 * Options of {@link akamai}; each setting falls back to the environment variable the Akamai
 * tools read.
 *
 * @example
 * ```ts
 * import type { AkamaiPurgeOptions } from "./akamai.ts";
 *
 * const options: AkamaiPurgeOptions = { network: "staging", soft: true };
 * ```
 */
export interface AkamaiPurgeOptions {
  /** The API host, `akab-….luna.akamaiapis.net`. @default AKAMAI_HOST */
  readonly host?: string;
  /** The client token. @default AKAMAI_CLIENT_TOKEN */
  readonly clientToken?: string;
  /** The client secret. @default AKAMAI_CLIENT_SECRET */
  readonly clientSecret?: string;
  /** The access token. @default AKAMAI_ACCESS_TOKEN */
  readonly accessToken?: string;
  /** The Akamai network to purge. @default "production" */
  readonly network?: "production" | "staging";
  /**
   * Invalidate (objects are revalidated with the origin) instead of delete.
   * @default false
   */
  readonly soft?: boolean;
  /** The API's base URL, instead of `https://` + host (for a proxy or a test server). */
  readonly apiBase?: string;
}

/** Objects per request: far under the 50 KB body limit for 128-character tags or long URLs. */
const OBJECTS_PER_REQUEST = 200;
/** Akamai's documented wait after a 429 when the answer names none. */
const RATE_LIMIT_WAIT_MS = 5000;

/**
 * An Akamai account's Fast Purge API.
 *
 * @throws {TypeError} When a credential is neither given nor in the environment.
 *
 * @example
 * ```ts
 * import { akamai } from "./akamai.ts";
 * import assert from "node:assert/strict";
 *
 * const account = akamai({
 *   host: "akab-xxxx.luna.akamaiapis.net",
 *   clientToken: "ct",
 *   clientSecret: "secret-value",
 *   accessToken: "at",
 * });
 * assert.deepEqual(account.nodes, ["akamai production akab-xxxx.luna.akamaiapis.net"]);
 * ```
 */
export function akamai(options: AkamaiPurgeOptions = {}): PurgeTarget {
  const host = options.apiBase === undefined
    ? setting("akamai", "host", options.host, ["AKAMAI_HOST"]).replace(/^https:\/\//, "")
    : undefined;
  const base = apiBase("akamai", options.apiBase, [], `https://${host}`);
  const credentials: EdgeGridCredentials = {
    clientToken: setting("akamai", "clientToken", options.clientToken, ["AKAMAI_CLIENT_TOKEN"]),
    clientSecret: setting("akamai", "clientSecret", options.clientSecret, [
      "AKAMAI_CLIENT_SECRET",
    ]),
    accessToken: setting("akamai", "accessToken", options.accessToken, ["AKAMAI_ACCESS_TOKEN"]),
  };
  const network = options.network ?? "production";
  if (network !== "production" && network !== "staging") {
    throw new TypeError(`akamai() network must be "production" or "staging"`);
  }
  const action = options.soft === true ? "invalidate" : "delete";
  const node = `akamai ${network} ${new URL(base).host}`;
  const secrets = [credentials.clientSecret, credentials.accessToken, credentials.clientToken];
  return {
    name: "akamai",
    nodes: [node],
    purge: async (work, send) => {
      const refused = refusal(node, "Akamai", work, {});
      if (refused !== null) return [refused];
      const list = exchanges(`${base}/ccu/v3/${action}`, network, credentials, work);
      return [await purgeNode(node, list, send, secrets)];
    },
  };
}

function exchanges(
  prefix: string,
  network: string,
  credentials: EdgeGridCredentials,
  work: PurgeWork,
): Exchange[] {
  const requests = [
    ...batches(work.tags, OBJECTS_PER_REQUEST).map((objects) => ({ kind: "tag", objects })),
    ...batches(work.urls.map((page) => page.origin + page.path), OBJECTS_PER_REQUEST)
      .map((objects) => ({ kind: "url", objects })),
  ];
  return requests.map(({ kind, objects }) => {
    const url = `${prefix}/${kind}/${network}`;
    const body = JSON.stringify({ objects });
    return {
      url,
      method: "POST",
      body,
      headers: async () => ({
        "authorization": await signEdgeGrid(credentials, { method: "POST", url, body }),
        "content-type": "application/json",
      }),
      judge,
    };
  });
}

interface FastPurgeAnswer {
  httpStatus?: unknown;
  purgeId?: unknown;
  estimatedSeconds?: unknown;
  title?: unknown;
  detail?: unknown;
}

function judge(response: Response, body: string): Verdict {
  const answer = parseJson(body) as FastPurgeAnswer | undefined;
  if (response.status === 201) {
    const id = typeof answer?.purgeId === "string" ? `purge ${answer.purgeId}` : "accepted";
    const eta = typeof answer?.estimatedSeconds === "number"
      ? `, done in about ${answer.estimatedSeconds} s`
      : "";
    return { ok: true, detail: id + eta };
  }
  const message = [answer?.title, answer?.detail].filter((part) => typeof part === "string")
    .join(": ");
  const verdict = unexpectedAnswer(response, message);
  if (response.status === 429 && verdict.retryAfterMs === undefined) {
    return { ...verdict, retryAfterMs: RATE_LIMIT_WAIT_MS };
  }
  return verdict;
}
