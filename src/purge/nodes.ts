/**
 * What every target shares: running the exchanges one node needs in order and answering for the
 * node, checking the node addresses a target is given, and saying plainly what a kind of cache
 * cannot purge.
 *
 * @module
 */

import { redact, unexpectedAnswer } from "./send.ts";
import type {
  Exchange,
  NodeResult,
  PurgeTarget,
  PurgeUrl,
  PurgeWork,
  Send,
  Verdict,
} from "./types.ts";

/**
 * Sends a node's exchanges one after the other and answers for the node: purged when every
 * exchange was confirmed, otherwise the first failure (later exchanges are not sent: the node is
 * most likely down, and waiting for each would multiply the timeout). Reasons are redacted.
 *
 * @example
 * ```ts
 * import { purgeNode } from "./nodes.ts";
 * import assert from "node:assert/strict";
 *
 * const result = await purgeNode("local", [], () => Promise.reject(new Error("unused")), []);
 * assert.deepEqual(result, { node: "local", status: "purged", attempts: 0 });
 * ```
 */
export async function purgeNode(
  node: string,
  exchanges: readonly Exchange[],
  send: Send,
  secrets: readonly string[],
): Promise<NodeResult> {
  let attempts = 0;
  const details: string[] = [];
  for (const [index, exchange] of exchanges.entries()) {
    const outcome = await send(exchange);
    attempts += outcome.attempts;
    if (outcome.status !== "purged") {
      const done = exchanges.length > 1 ? ` (after ${index} of ${exchanges.length} requests)` : "";
      return {
        node,
        status: outcome.status,
        reason: `${shorten(redact(outcome.reason ?? "failed", secrets))}${done}`,
        attempts,
      };
    }
    if (outcome.detail !== undefined) details.push(redact(outcome.detail, secrets));
  }
  return details.length === 0
    ? { node, status: "purged", attempts }
    : { node, status: "purged", detail: details.join(", "), attempts };
}

/** The longest reason kept from what a cache or an API said. */
const MAX_REASON = 300;

function shorten(text: string): string {
  return text.length <= MAX_REASON ? text : `${text.slice(0, MAX_REASON - 1)}…`;
}

/**
 * The result for a node that cannot do what was asked: failed, with the reason, nothing sent.
 *
 * @example
 * ```ts
 * import { cannot } from "./nodes.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(cannot("n", "nginx cannot purge by tag").status, "failed");
 * ```
 */
export function cannot(node: string, reason: string): NodeResult {
  return { node, status: "failed", reason, attempts: 0 };
}

/**
 * Checks a target's node addresses: one URL or a list, each `http(s)://host[:port]` with no
 * path, query, user or password. Returns them normalised (`http://10.0.0.7:6081`).
 *
 * @throws {TypeError} Naming the target and the address at fault.
 *
 * @example
 * ```ts
 * import { readNodes } from "./nodes.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(readNodes("varnish", ["http://10.0.0.7:6081/"]), ["http://10.0.0.7:6081"]);
 * assert.throws(() => readNodes("varnish", []), TypeError);
 * ```
 */
export function readNodes(target: string, nodes: string | readonly string[]): string[] {
  const list = typeof nodes === "string" ? [nodes] : nodes;
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(`${target}() needs at least one node URL, such as "http://10.0.0.7:6081"`);
  }
  const seen = new Set<string>();
  return list.map((given: unknown, index) => {
    const at = `${target}() node ${index}`;
    let url: URL;
    try {
      if (typeof given !== "string") throw new TypeError();
      url = new URL(given);
    } catch {
      throw new TypeError(`${at} ${JSON.stringify(given)} is not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(`${at} ${JSON.stringify(given)} must be an http or https URL`);
    }
    if (url.username !== "" || url.password !== "" || url.pathname !== "/" || url.search !== "") {
      throw new TypeError(
        `${at} ${JSON.stringify(given)} must be scheme://host[:port] only, without a path`,
      );
    }
    if (seen.has(url.origin)) throw new TypeError(`${at} repeats ${url.origin}`);
    seen.add(url.origin);
    return url.origin;
  });
}

/**
 * Splits a list into batches of at most `size` items.
 *
 * @example
 * ```ts
 * import { batches } from "./nodes.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(batches([1, 2, 3], 2), [[1, 2], [3]]);
 * ```
 */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    result.push(items.slice(start, start + size));
  }
  return result;
}

/** The response header a cachewise purge endpoint (generated VCL or nginx) always answers with. */
export const ENDPOINT_HEADER = "x-cachewise-purge";

/**
 * Reads the answer of a purge endpoint that cachewise generated (`--purge-from`): confirmed only
 * with the {@link ENDPOINT_HEADER} header, so that a backend answering `200` to a `PURGE` it
 * received through a configuration without the endpoint is never taken for a purge.
 *
 * @param generator The command that makes the endpoint, for the message: `"cachewise vcl"`.
 * @param okStatuses Statuses that confirm (nginx answers 404 for a page that is not cached).
 *
 * @example
 * ```ts
 * import { endpointJudge } from "./nodes.ts";
 * import assert from "node:assert/strict";
 *
 * const judge = endpointJudge("cachewise vcl", [200]);
 * const answer = new Response("", { headers: { "x-cachewise-purge": "purged 2" } });
 * assert.deepEqual(judge(answer, ""), { ok: true, detail: "purged 2" });
 * assert.equal(judge(new Response("ok"), "ok").ok, false);
 * ```
 */
export function endpointJudge(
  generator: string,
  okStatuses: readonly number[],
): (response: Response, body: string) => Verdict {
  return (response) => {
    const marker = response.headers.get(ENDPOINT_HEADER);
    if (marker !== null && okStatuses.includes(response.status)) {
      return marker === "" ? { ok: true } : { ok: true, detail: marker };
    }
    if (response.status === 403) {
      return {
        ok: false,
        reason: `refused (403): this address is not in the --purge-from list of ${generator}`,
      };
    }
    if (response.status === 429 || response.status >= 500) {
      return unexpectedAnswer(response, response.statusText);
    }
    if (marker !== null) {
      return { ok: false, reason: `${response.status}: ${marker || response.statusText}` };
    }
    return {
      ok: false,
      reason: `no cachewise purge endpoint answered (${response.status}): ` +
        `generate the configuration with ${generator} --purge-from`,
    };
  };
}

/**
 * The headers that tell a generated purge endpoint which page to purge besides its path: the
 * host (Varnish purges every host for a bare path) and the scheme (nginx keys on it).
 *
 * @example
 * ```ts
 * import { pageHeaders } from "./nodes.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(pageHeaders({ path: "/", host: "example.com", scheme: "https" }), {
 *   "x-cachewise-purge-host": "example.com",
 *   "x-cachewise-purge-scheme": "https",
 * });
 * ```
 */
export function pageHeaders(url: PurgeUrl): Record<string, string> {
  const headers: Record<string, string> = {};
  if (url.host !== undefined) headers["x-cachewise-purge-host"] = url.host;
  if (url.scheme !== undefined) headers["x-cachewise-purge-scheme"] = url.scheme;
  return headers;
}

/**
 * How a platform that purges by cache tag only takes a purge: one JSON `POST` per batch of tags.
 *
 * @example
 * ```ts
 * import type { TagPostSpec } from "./nodes.ts";
 *
 * const spec: TagPostSpec = {
 *   name: "example",
 *   vendor: "Example",
 *   node: "example site 1",
 *   url: "https://api.example.com/purge",
 *   perRequest: 100,
 *   headers: { "content-type": "application/json" },
 *   body: (tags) => ({ tags }),
 *   judge: () => ({ ok: true }),
 *   secrets: [],
 * };
 * ```
 */
export interface TagPostSpec {
  /** The target's name in results: `"netlify"`. */
  readonly name: string;
  /** The vendor's name in messages: `"Netlify"`. */
  readonly vendor: string;
  readonly node: string;
  readonly url: string;
  /** The most tags one request may carry. */
  readonly perRequest: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body for one batch of tags. */
  body(tags: readonly string[]): unknown;
  judge(response: Response, body: string): Verdict;
  /** Credentials to redact from every reason. */
  readonly secrets: readonly string[];
}

/**
 * A target for a platform that purges by cache tag only; URLs and prefixes fail its node with the
 * reason, and nothing is sent.
 *
 * @example
 * ```ts
 * import { tagPostTarget } from "./nodes.ts";
 * import assert from "node:assert/strict";
 *
 * const target = tagPostTarget({
 *   name: "example",
 *   vendor: "Example",
 *   node: "example site 1",
 *   url: "https://api.example.com/purge",
 *   perRequest: 100,
 *   headers: {},
 *   body: (tags) => ({ tags }),
 *   judge: () => ({ ok: true }),
 *   secrets: [],
 * });
 * assert.deepEqual(target.nodes, ["example site 1"]);
 * ```
 */
export function tagPostTarget(spec: TagPostSpec): PurgeTarget {
  return {
    name: spec.name,
    nodes: [spec.node],
    purge: async (work, send) => {
      if (work.urls.length > 0 || work.prefixes.length > 0) {
        const reason = `${spec.vendor} purges by cache tag only: tag the page and purge the tag`;
        return [cannot(spec.node, reason)];
      }
      const exchanges = batches(work.tags, spec.perRequest).map((tags) => ({
        url: spec.url,
        method: "POST",
        headers: spec.headers,
        body: JSON.stringify(spec.body(tags)),
        judge: spec.judge,
      }));
      return [await purgeNode(spec.node, exchanges, send, spec.secrets)];
    },
  };
}

/**
 * The refusal, for a node, of what its kind of cache cannot purge: prefixes (only Cloudflare
 * has them) and, where the API needs full URLs, a bare path. `null` when it can take the purge.
 *
 * @example
 * ```ts
 * import { refusal } from "./nodes.ts";
 * import assert from "node:assert/strict";
 *
 * const work = { tags: [], urls: [{ path: "/a" }], prefixes: [] };
 * assert.equal(refusal("n", "Fastly", work, {})?.reason, "Fastly purges full URLs: give https://host/a");
 * assert.equal(refusal("n", "Varnish", work, { paths: true }), null);
 * ```
 */
export function refusal(
  node: string,
  vendor: string,
  work: PurgeWork,
  can: { readonly prefixes?: boolean; readonly paths?: boolean },
): NodeResult | null {
  if (can.prefixes !== true && work.prefixes.length > 0) {
    return cannot(node, `${vendor} cannot purge by prefix (only Cloudflare can)`);
  }
  const bare = can.paths === true ? undefined : work.urls.find((page) => page.origin === undefined);
  return bare === undefined
    ? null
    : cannot(node, `${vendor} purges full URLs: give https://host${bare.path}`);
}
