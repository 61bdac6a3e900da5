/**
 * Varnish, through the purge endpoint of the VCL that `cachewise vcl --purge-from ADDRESS`
 * generates: tags through the xkey vmod (Debian package `varnish-modules`), hard or soft, and
 * pages through a ban on the URL the object was stored for, which reaches every variant of the
 * page whatever it was keyed on (anonymous, signed-in, each user's).
 *
 * The requests (one per batch of tags, one per page):
 *
 * ```http
 * PURGE / HTTP/1.1
 * X-Cachewise-Purge-Tags: product-42 products
 * X-Cachewise-Purge-Soft: 1
 *
 * PURGE /products/42?page=2 HTTP/1.1
 * X-Cachewise-Purge-Host: shop.example.com
 * ```
 *
 * A node confirms with `200` and an `X-Cachewise-Purge` header; anything else is a failure.
 *
 * @module
 */

import { endpointJudge, pageHeaders, purgeNode, readNodes, refusal } from "./nodes.ts";
import type { Exchange, PurgeTarget, PurgeWork } from "./types.ts";

/**
 * Options of {@link varnish}.
 *
 * @example
 * ```ts
 * import type { VarnishPurgeOptions } from "./varnish.ts";
 *
 * const options: VarnishPurgeOptions = { soft: true };
 * ```
 */
export interface VarnishPurgeOptions {
  /**
   * Purge tags softly (`xkey.softpurge`): the objects expire now but stay available for grace and
   * conditional requests. Pages are always purged hard (a ban).
   * @default false
   */
  readonly soft?: boolean;
}

/** Tags per request: a header of at most about 4 KB, well under Varnish's 8 KB line limit. */
const MAX_TAGS_HEADER = 4000;
const GENERATOR = "cachewise vcl";

/**
 * A Varnish cluster: every node is purged and answers separately.
 *
 * @param nodes One node URL or several: `"http://10.0.0.7:6081"`.
 * @param options Soft purge for tags.
 * @returns A purge target.
 * @throws {TypeError} For a node that is not `http(s)://host[:port]`.
 *
 * @example
 * ```ts
 * import { varnish } from "./varnish.ts";
 * import assert from "node:assert/strict";
 *
 * const cluster = varnish(["http://10.0.0.7:6081", "http://10.0.0.8:6081"], { soft: true });
 * assert.deepEqual(cluster.nodes, ["http://10.0.0.7:6081", "http://10.0.0.8:6081"]);
 * ```
 */
export function varnish(
  nodes: string | readonly string[],
  options: VarnishPurgeOptions = {},
): PurgeTarget {
  const list = readNodes("varnish", nodes);
  const soft = options.soft === true;
  return {
    name: "varnish",
    nodes: list,
    purge: (work, send) =>
      Promise.all(list.map((node) => {
        const refused = refusal(node, "Varnish", work, { paths: true });
        if (refused !== null) return Promise.resolve(refused);
        return purgeNode(node, varnishExchanges(node, work, soft), send, []);
      })),
  };
}

function varnishExchanges(node: string, work: PurgeWork, soft: boolean): Exchange[] {
  const judge = endpointJudge(GENERATOR, [200]);
  const exchanges: Exchange[] = tagBatches(work.tags).map((batch) => ({
    url: `${node}/`,
    method: "PURGE",
    headers: {
      "x-cachewise-purge-tags": batch.join(" "),
      ...(soft && { "x-cachewise-purge-soft": "1" }),
    },
    judge,
  }));
  for (const url of work.urls) {
    exchanges.push({ url: node + url.path, method: "PURGE", headers: pageHeaders(url), judge });
  }
  return exchanges;
}

function tagBatches(tags: readonly string[]): string[][] {
  const result: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const tag of tags) {
    if (current.length > 0 && length + 1 + tag.length > MAX_TAGS_HEADER) {
      result.push(current);
      current = [];
      length = 0;
    }
    length += (current.length > 0 ? 1 : 0) + tag.length;
    current.push(tag);
  }
  if (current.length > 0) result.push(current);
  return result;
}
