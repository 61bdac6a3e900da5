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
import { batches, cannot, purgeNode } from "./nodes.ts";
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
  const node = `deno deploy ${endpoint}`;
  return {
    name: "deno-deploy",
    nodes: [node],
    purge: async (work, send) => {
      if (work.urls.length > 0 || work.prefixes.length > 0) {
        return [
          cannot(node, "Deno Deploy purges by cache tag only: tag the page and purge the tag"),
        ];
      }
      const exchanges = batches(work.tags, TAGS_PER_REQUEST).map((tags) => ({
        url: endpoint,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ tags }),
        judge: (response: Response, body: string) =>
          response.ok ? { ok: true as const } : unexpectedAnswer(response, body.slice(0, 200)),
      }));
      return [await purgeNode(node, exchanges, send, [])];
    },
  };
}
