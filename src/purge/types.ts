/**
 * What a purge asks for and what it answers: the request (tags, URLs, prefixes), a target (one
 * kind of cache with its nodes) and the result, target by target and node by node.
 *
 * @module
 */

/**
 * What to invalidate. At least one list must hold something.
 *
 * @example
 * ```ts
 * import type { PurgeRequest } from "./types.ts";
 *
 * const request: PurgeRequest = {
 *   tags: ["product-42"],
 *   urls: ["https://shop.example.com/products/42"],
 * };
 * ```
 */
export interface PurgeRequest {
  /**
   * Cache tags, exactly as written on the responses (`xkey`, `Surrogate-Key`, `Cache-Tag`,
   * `Edge-Cache-Tag`, platform tag headers): a group value from the URL keeps its
   * percent-encoding, so the page `/products/café` carries `product-caf%C3%A9`.
   */
  readonly tags?: readonly string[];
  /**
   * Pages: absolute `http(s)` URLs, or paths (`/products/42?page=2`). Every variant of the page
   * is purged (anonymous, signed-in, each user's). A path reaches every host on Varnish, the
   * node's own host on nginx; CDNs need absolute URLs.
   */
  readonly urls?: readonly (string | URL)[];
  /** URL prefixes, `host/path` (Cloudflare's purge by prefix). */
  readonly prefixes?: readonly string[];
}

/**
 * A purge request checked and normalised: URLs parsed, tags validated, each list deduplicated.
 *
 * @example
 * ```ts
 * import type { PurgeWork } from "./types.ts";
 *
 * const work: PurgeWork = { tags: ["products"], urls: [], prefixes: [] };
 * ```
 */
export interface PurgeWork {
  /** Tags in the cachewise tag set (`A-Z a-z 0-9 . _ ~ % -`). */
  readonly tags: readonly string[];
  /** Pages to purge. */
  readonly urls: readonly PurgeUrl[];
  /** Prefixes, `host/path`, without a scheme. */
  readonly prefixes: readonly string[];
}

/**
 * One page to purge.
 *
 * @example
 * ```ts
 * import type { PurgeUrl } from "./types.ts";
 *
 * const page: PurgeUrl = {
 *   path: "/products/42",
 *   origin: "https://shop.example.com",
 *   host: "shop.example.com",
 *   scheme: "https",
 * };
 * ```
 */
export interface PurgeUrl {
  /** Path and query as clients send them, percent-encoded: `/products/42?page=2`. */
  readonly path: string;
  /** `scheme://host[:port]`; absent when only a path was given. */
  readonly origin?: string;
  /** The host name, lower case, without a port; absent when only a path was given. */
  readonly host?: string;
  /** `"http"` or `"https"`; absent when only a path was given. */
  readonly scheme?: "http" | "https";
}

/**
 * How one node answered: `purged` (the cache confirmed), `failed` (with the reason), or
 * `timed-out` (no answer within the timeout, on the last attempt).
 *
 * @example
 * ```ts
 * import type { NodeStatus } from "./types.ts";
 *
 * const status: NodeStatus = "timed-out";
 * ```
 */
export type NodeStatus = "purged" | "failed" | "timed-out";

/**
 * The result on one node of one target.
 *
 * @example
 * ```ts
 * import type { NodeResult } from "./types.ts";
 *
 * const result: NodeResult = {
 *   node: "http://10.0.0.7:6081",
 *   status: "failed",
 *   reason: "connection refused",
 *   attempts: 3,
 * };
 * ```
 */
export interface NodeResult {
  /** Where: the node's URL, or the API and the zone, service or site. Never a credential. */
  readonly node: string;
  /** What the node answered. */
  readonly status: NodeStatus;
  /** Why it failed or timed out; absent when purged. */
  readonly reason?: string;
  /** What the cache said when it confirmed (`"3 objects"`, a purge id), if anything. */
  readonly detail?: string;
  /** HTTP requests sent to this node, retries included. */
  readonly attempts: number;
}

/**
 * The result on one target: each node answered separately.
 *
 * @example
 * ```ts
 * import type { TargetResult } from "./types.ts";
 *
 * const result: TargetResult = {
 *   target: "varnish",
 *   ok: true,
 *   nodes: [{ node: "http://10.0.0.7:6081", status: "purged", attempts: 1 }],
 * };
 * ```
 */
export interface TargetResult {
  /** The kind of cache: `"varnish"`, `"nginx"`, `"cloudflare"`, … */
  readonly target: string;
  /** Whether every node confirmed. */
  readonly ok: boolean;
  /** Each node's result, in the order the target lists its nodes. */
  readonly nodes: readonly NodeResult[];
}

/**
 * What `purge()` returns. `ok` only when every node of every target confirmed: a purge that
 * reached 2 of 3 nodes is not ok, and says which node failed.
 *
 * @example
 * ```ts
 * import type { PurgeResult } from "./types.ts";
 *
 * const result: PurgeResult = { ok: false, targets: [] };
 * ```
 */
export interface PurgeResult {
  /** Whether every node of every target confirmed. */
  readonly ok: boolean;
  /** Each target's result, in the order given. */
  readonly targets: readonly TargetResult[];
}

/**
 * How a target reaches the network: sends one HTTP exchange with the timeout and the bounded
 * retries of the purge, and reports whether the cache confirmed.
 *
 * @example
 * ```ts
 * import type { Exchange, Send } from "./types.ts";
 *
 * const exchange: Exchange = {
 *   url: "http://127.0.0.1:6081/",
 *   method: "PURGE",
 *   headers: { "x-cachewise-purge-tags": "products" },
 *   judge: (response) => response.status === 200 ? { ok: true } : { ok: false, reason: "no" },
 * };
 * const unused: Send | undefined = undefined;
 * ```
 */
export interface Exchange {
  /** The absolute URL to send to. */
  readonly url: string;
  /** The HTTP method: `PURGE` for the generated endpoints, `POST` for the APIs. */
  readonly method: string;
  /** Request headers; a function is called before every attempt (a fresh signature each time). */
  readonly headers?: Readonly<Record<string, string>> | (() => Promise<Record<string, string>>);
  /** The request body (JSON for the APIs). */
  readonly body?: string;
  /** Reads the answer: confirmed, or not with the reason (retried when `retry` is true). */
  judge(response: Response, body: string): Verdict;
}

/**
 * A target's reading of one answer.
 *
 * @example
 * ```ts
 * import type { Verdict } from "./types.ts";
 *
 * const limited: Verdict = { ok: false, reason: "rate limited", retry: true, retryAfterMs: 5000 };
 * ```
 */
export type Verdict =
  | { readonly ok: true; readonly detail?: string }
  | {
    readonly ok: false;
    readonly reason: string;
    /** Whether another attempt may succeed (rate limit, server error). @default false */
    readonly retry?: boolean;
    /** The wait the vendor asked for (`Retry-After`), in milliseconds. */
    readonly retryAfterMs?: number;
  };

/**
 * The outcome of one exchange after its retries.
 *
 * @example
 * ```ts
 * import type { ExchangeOutcome } from "./types.ts";
 *
 * const outcome: ExchangeOutcome = { status: "purged", attempts: 1 };
 * ```
 */
export interface ExchangeOutcome {
  /** Whether the cache confirmed, failed, or gave no answer in time. */
  readonly status: NodeStatus;
  /** Why it failed. */
  readonly reason?: string;
  /** What the cache said on success. */
  readonly detail?: string;
  /** Attempts made, retries included. */
  readonly attempts: number;
}

/**
 * Sends one exchange with the purge's timeout and retries; never throws.
 *
 * @example
 * ```ts
 * import type { Send } from "./types.ts";
 *
 * const confirmAll: Send = () => Promise.resolve({ status: "purged", attempts: 1 });
 * ```
 */
export type Send = (exchange: Exchange) => Promise<ExchangeOutcome>;

/**
 * One kind of cache and its nodes. Build one with `varnish()`, `nginx()`, `cloudflare()`,
 * `fastly()`, `netlify()`, `akamai()`, `vercel()` or `denoDeploy()`; credentials stay inside it
 * and never appear in its properties, its JSON or its results.
 *
 * @example
 * ```ts
 * import type { PurgeTarget } from "./types.ts";
 *
 * const quiet: PurgeTarget = {
 *   name: "example",
 *   nodes: ["local"],
 *   purge: (_work, _send) => Promise.resolve([{ node: "local", status: "purged", attempts: 0 }]),
 * };
 * ```
 */
export interface PurgeTarget {
  /** The kind of cache, as results name it. */
  readonly name: string;
  /** The nodes (or API endpoints) it reaches, as results name them. */
  readonly nodes: readonly string[];
  /** Purges on every node and answers for each; must not throw. */
  purge(work: PurgeWork, send: Send): Promise<readonly NodeResult[]>;
}
