/**
 * Deno Deploy's built-in cache, by cache tag (`Deno-Cache-Tag` or `Cache-Tag`). Its invalidation
 * API answers only inside the deployment: call `purge()` from the application itself.
 *
 * Follows (read December 2026): https://docs.deno.com/deploy/reference/caching/ ("Cache
 * Invalidation") — `POST http://cache.localhost/invalidate/http` from within the application,
 * with `{"tags": […]}` (at most 500 tags per request) and no credentials; success is a `2xx`.
 * Invalidation reaches every region.
 *
 * @module
 */

import { apiBase } from "./env.ts";
import { tagPostTarget } from "./nodes.ts";
import { unexpectedAnswer } from "./send.ts";
import type { PurgeTarget } from "./types.ts";

/**
 * Options of {@link denoDeploy}.
 *
 * @example
 * ```ts
 * import type { DenoDeployPurgeOptions } from "./deno_deploy.ts";
 *
 * const options: DenoDeployPurgeOptions = {};
 * ```
 */
export interface DenoDeployPurgeOptions {
  /** The invalidation endpoint. @default "http://cache.localhost/invalidate/http" */
  readonly endpoint?: string;
}

/** Tags per request: Deno Deploy's documented maximum. */
const TAGS_PER_REQUEST = 500;

/**
 * The Deno Deploy application this code runs in.
 *
 * @example
 * ```ts
 * import { denoDeploy } from "./deno_deploy.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(denoDeploy().nodes, ["deno deploy http://cache.localhost/invalidate/http"]);
 * ```
 */
export function denoDeploy(options: DenoDeployPurgeOptions = {}): PurgeTarget {
  const endpoint = apiBase(
    "denoDeploy",
    options.endpoint,
    [],
    "http://cache.localhost/invalidate/http",
  );
  return tagPostTarget({
    name: "deno-deploy",
    vendor: "Deno Deploy",
    node: `deno deploy ${endpoint}`,
    url: endpoint,
    perRequest: TAGS_PER_REQUEST,
    headers: { "content-type": "application/json" },
    body: (tags) => ({ tags }),
    judge: (response, body) =>
      response.ok ? { ok: true } : unexpectedAnswer(response, body.slice(0, 200)),
    secrets: [],
  });
}
