/**
 * nginx, through the purge location that `cachewise nginx --purge-from ADDRESS` generates with the
 * cache-purge module (Debian package `libnginx-mod-http-cache-purge`). Open-source nginx keeps no
 * tags, so it is purged by URL only; the module purges exact cache keys, so each page is purged
 * under the two keys a page can have there: the anonymous one and the signed-in one (the
 * generated configuration does not store the variants no purge could name; see docs/purge.md).
 *
 * ```http
 * PURGE /products/42 HTTP/1.1
 * X-Cachewise-Purge-Host: shop.example.com
 * X-Cachewise-Purge-Scheme: https
 * X-Cachewise-Purge-Variant: signed-in
 * ```
 *
 * A node confirms with `200` (purged) or `404` (not cached), each with an `X-Cachewise-Purge`
 * header; anything else is a failure.
 *
 * @module
 */

import { cannot, endpointJudge, pageHeaders, purgeNode, readNodes, refusal } from "./nodes.ts";
import type { Exchange, PurgeTarget, PurgeWork } from "./types.ts";

/** The variants a generated nginx configuration can hold for one URL. */
const VARIANTS: readonly (string | null)[] = [null, "signed-in"];
const GENERATOR = "cachewise nginx";

/**
 * An nginx cluster: every node is purged and answers separately. A page given as a bare path is
 * purged under the node's own host name; give absolute URLs for a site served under another name.
 *
 * @param nodes One node URL or several: `"http://10.0.0.7:8080"`.
 * @returns A purge target.
 * @throws {TypeError} For a node that is not `http(s)://host[:port]`.
 *
 * @example
 * ```ts
 * import { nginx } from "./nginx.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(nginx("http://10.0.0.7:8080").nodes, ["http://10.0.0.7:8080"]);
 * ```
 */
export function nginx(nodes: string | readonly string[]): PurgeTarget {
  const list = readNodes("nginx", nodes);
  return {
    name: "nginx",
    nodes: list,
    purge: (work, send) =>
      Promise.all(list.map((node) => {
        if (work.tags.length > 0) {
          return Promise.resolve(cannot(
            node,
            "open-source nginx keeps no cache tags: purge pages by URL, or tags on Varnish or a CDN",
          ));
        }
        const refused = refusal(node, "nginx", work, { paths: true });
        if (refused !== null) return Promise.resolve(refused);
        return purgeNode(node, nginxExchanges(node, work), send, []);
      })),
  };
}

function nginxExchanges(node: string, work: PurgeWork): Exchange[] {
  const confirmed = endpointJudge(GENERATOR, [200, 404]);
  const judge = (response: Response, body: string) => {
    const verdict = confirmed(response, body);
    return verdict.ok ? { ok: true as const } : verdict;
  };
  return work.urls.flatMap((url) =>
    VARIANTS.map((variant) => ({
      url: node + url.path,
      method: "PURGE",
      headers: {
        ...pageHeaders(url),
        ...(variant !== null && { "x-cachewise-purge-variant": variant }),
      },
      judge,
    }))
  );
}
