/**
 * `purge()`: one call that invalidates tags and pages on every target, each node answered
 * separately.
 *
 * @module
 */

import { readPurgeRequest } from "./input.ts";
import { createSend, type PurgeOptions } from "./send.ts";
import type { NodeResult, PurgeRequest, PurgeResult, PurgeTarget, TargetResult } from "./types.ts";

/**
 * Invalidates `request.tags`, `request.urls` and `request.prefixes` on every target, all targets
 * and nodes at once, and says for each node whether it confirmed. It never throws for a node
 * that is down, slow or refuses: that node is reported `failed` or `timed-out` with the reason,
 * and `ok` is false. Each HTTP request has a timeout and a bounded number of retries.
 *
 * @param request What to invalidate; tags exactly as written on the responses.
 * @param targets The caches, from `varnish()`, `nginx()`, `cloudflare()`, `fastly()`,
 *   `netlify()`, `akamai()`, `vercel()`, `denoDeploy()`.
 * @param options Timeout per attempt, retries, a cancelling signal.
 * @returns The result per target and per node; `ok` only when every node confirmed.
 * @throws {TypeError} For a malformed request or target list (a programmer's mistake).
 *
 * @example
 * ```ts
 * import { purge, varnish } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * // Nothing listens on port 9: the node is reported, nothing is thrown.
 * const result = await purge({ tags: ["products"] }, [varnish("http://127.0.0.1:9")], {
 *   retries: 0,
 * });
 * assert.equal(result.ok, false);
 * assert.equal(result.targets[0]?.nodes[0]?.status, "failed");
 * ```
 */
export async function purge(
  request: PurgeRequest,
  targets: PurgeTarget | readonly PurgeTarget[],
  options: PurgeOptions = {},
): Promise<PurgeResult> {
  const work = readPurgeRequest(request);
  const list = readTargets(targets);
  const send = createSend(options);
  const results = await Promise.all(list.map(async (target): Promise<TargetResult> => {
    let nodes: readonly NodeResult[];
    try {
      nodes = await target.purge(work, send);
    } catch (error) {
      const reason = `the target failed: ${error instanceof Error ? error.message : "unknown"}`;
      nodes = target.nodes.map((node) => ({ node, status: "failed", reason, attempts: 0 }));
    }
    const ok = nodes.length > 0 && nodes.every((node) => node.status === "purged");
    return { target: target.name, ok, nodes };
  }));
  return { ok: results.every((result) => result.ok), targets: results };
}

function readTargets(targets: PurgeTarget | readonly PurgeTarget[]): readonly PurgeTarget[] {
  const list = Array.isArray(targets) ? targets : [targets];
  if (list.length === 0) {
    throw new TypeError('purge() needs at least one target, such as varnish("http://…")');
  }
  list.forEach((target: unknown, index) => {
    const candidate = target as Partial<PurgeTarget> | null;
    if (
      typeof candidate !== "object" || candidate === null ||
      typeof candidate.purge !== "function" || typeof candidate.name !== "string" ||
      !Array.isArray(candidate.nodes)
    ) {
      throw new TypeError(
        `purge() target ${index} is not a target: build one with varnish(), nginx(), cloudflare(), …`,
      );
    }
  });
  return list;
}
