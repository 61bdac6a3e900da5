/**
 * A test-matrix helper for your own CI: the caching headers your options give every path, visitor,
 * method and status, as rows to snapshot or as a Markdown table to commit and review.
 *
 * @example
 * ```ts
 * import { formatMatrix, headerMatrix } from "@cachewise/cachewise/matrix";
 * import assert from "node:assert/strict";
 *
 * const rows = headerMatrix(
 *   { timeouts: { "anonymous-only": { "5m": ["/news/*"] } } },
 *   ["/news/today"],
 * );
 * assert.deepEqual(rows.map((row) => [row.visitor, row.cacheControl]), [
 *   ["anonymous", "max-age=5, s-maxage=300"],
 *   ["signed-in", "private, no-cache"],
 * ]);
 * console.log(formatMatrix(rows)); // commit it, or compare it with a golden file
 * ```
 *
 * @module
 */

import { cacheHeaders } from "../apply.ts";
import type { DecisionReason } from "../decide/decision.ts";
import type { CacheHeadersOptions } from "../config/options.ts";
import type { Identity } from "../config/policies.ts";

/**
 * One kind of visitor: a name for the table, an identity, and request headers it sends.
 *
 * @example
 * ```ts
 * import type { MatrixVisitor } from "@cachewise/cachewise/matrix";
 *
 * const visitors: MatrixVisitor[] = [
 *   { name: "anonymous", identity: null },
 *   { name: "ann", identity: { id: "ann" }, headers: { cookie: "sessionid=s-ann" } },
 *   { name: "API client", identity: null, headers: { authorization: "Bearer t" } },
 * ];
 * ```
 */
export interface MatrixVisitor {
  /** The name in the table: `"anonymous"`, `"signed-in"`, `"ann with a bearer token"`. */
  readonly name: string;
  /** Who it is, or `null` for an anonymous visitor. */
  readonly identity: Identity | null;
  /**
   * Request headers it sends, such as the cookies the keyed mode reads: what `new Headers()`
   * takes (spelt out, as Node 20's types have no `HeadersInit`).
   * @default {}
   */
  readonly headers?: Headers | readonly (readonly [string, string])[] | Record<string, string>;
}

/** Options of `headerMatrix()`. */
export interface HeaderMatrixOptions {
  /**
   * The visitors to ask as.
   * @default [{ name: "anonymous", identity: null }, { name: "signed-in", identity: { id: "user" } }]
   */
  readonly visitors?: readonly MatrixVisitor[];
  /**
   * Request methods.
   * @default ["GET"]
   */
  readonly methods?: readonly string[];
  /**
   * Response statuses the handler answers with, from 200 to 599.
   * @default [200]
   */
  readonly statuses?: readonly number[];
  /**
   * The origin relative paths are resolved against.
   * @default "https://example.com"
   */
  readonly origin?: string;
}

/** One cell of the matrix: what one request gets for one handler status. */
export interface MatrixRow {
  /** The path or URL as given. */
  readonly path: string;
  /** The visitor's name. */
  readonly visitor: string;
  /** The request method. */
  readonly method: string;
  /** The handler's status. */
  readonly status: number;
  /** `Cache-Control` sent, or `null` when none. */
  readonly cacheControl: string | null;
  /** `Vary` sent, or `null` when none. */
  readonly vary: string | null;
  /** `X-Accel-Expires` sent (nginx's shared lifetime), or `null` when none. */
  readonly xAccelExpires: string | null;
  /** Why: see `apply.explain()`. */
  readonly reason: DecisionReason;
  /** The pattern of the rule that decided, as declared, or `null` when no rule did. */
  readonly rule: string | null;
}

const DEFAULT_VISITORS: readonly MatrixVisitor[] = [
  { name: "anonymous", identity: null },
  { name: "signed-in", identity: { id: "user" } },
];
const NULL_BODY = new Set([204, 205, 304]);

/**
 * The headers the options give each path × visitor × method × status, in that nesting order. The
 * handler's response is a plain body with the status and no headers of its own. Throws a
 * `CacheConfigError` for bad options and a `RangeError` for a status outside 200–599.
 *
 * @example
 * ```ts
 * import { headerMatrix } from "@cachewise/cachewise/matrix";
 * import assert from "node:assert/strict";
 *
 * const rows = headerMatrix({ timeouts: { "all-users": { "1h": ["/static/*"] } } }, ["/static/a.css"], {
 *   visitors: [{ name: "anyone", identity: null }],
 *   methods: ["GET", "POST"],
 *   statuses: [200, 404],
 * });
 * assert.deepEqual(rows.map((row) => `${row.method} ${row.status} ${row.cacheControl} ${row.reason}`), [
 *   "GET 200 max-age=5, s-maxage=3600 rule",
 *   "GET 404 private, no-cache status",
 *   "POST 200 private, no-cache method",
 *   "POST 404 private, no-cache status",
 * ]);
 * ```
 */
export function headerMatrix(
  options: CacheHeadersOptions,
  paths: readonly string[],
  matrix: HeaderMatrixOptions = {},
): MatrixRow[] {
  const apply = cacheHeaders(options);
  const { visitors = DEFAULT_VISITORS, methods = ["GET"], statuses = [200] } = matrix;
  const origin = matrix.origin ?? "https://example.com";
  for (const status of statuses) {
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`Status ${JSON.stringify(status)} is not a response status (200–599)`);
    }
  }
  const rows: MatrixRow[] = [];
  for (const path of paths) {
    const url = new URL(path, origin).href;
    for (const visitor of visitors) {
      for (const method of methods) {
        for (const status of statuses) {
          const request = () =>
            new Request(url, { method, headers: (visitor.headers ?? {}) as HeadersInit });
          const response = () => new Response(NULL_BODY.has(status) ? null : "body", { status });
          const decision = apply.explain(request(), response(), visitor.identity);
          const headers = apply(request(), response(), visitor.identity).headers;
          rows.push({
            path,
            visitor: visitor.name,
            method,
            status,
            cacheControl: headers.get("cache-control"),
            vary: headers.get("vary"),
            xAccelExpires: headers.get("x-accel-expires"),
            reason: decision.reason,
            rule: decision.rule === null ? null : decision.rule.pattern,
          });
        }
      }
    }
  }
  return rows;
}

/**
 * The rows as a Markdown table, one line per row, columns in `MatrixRow` order; `-` for a header
 * not sent, `|` escaped. Stable for the same rows, so it snapshots well.
 *
 * @example
 * ```ts
 * import { formatMatrix, headerMatrix } from "@cachewise/cachewise/matrix";
 * import assert from "node:assert/strict";
 *
 * const table = formatMatrix(headerMatrix({}, ["/"], { visitors: [{ name: "anyone", identity: null }] }));
 * assert.equal(table, [
 *   "| path | visitor | method | status | Cache-Control | Vary | X-Accel-Expires | reason | rule |",
 *   "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
 *   "| / | anyone | GET | 200 | private, no-cache | - | - | no-rule | - |",
 *   "",
 * ].join("\n"));
 * ```
 */
export function formatMatrix(rows: readonly MatrixRow[]): string {
  const header = [
    "path",
    "visitor",
    "method",
    "status",
    "Cache-Control",
    "Vary",
    "X-Accel-Expires",
    "reason",
    "rule",
  ];
  const lines = [line(header), line(header.map(() => "---"))];
  for (const row of rows) {
    lines.push(line([
      row.path,
      row.visitor,
      row.method,
      String(row.status),
      row.cacheControl ?? "-",
      row.vary ?? "-",
      row.xAccelExpires ?? "-",
      row.reason,
      row.rule ?? "-",
    ]));
  }
  return lines.join("\n") + "\n";
}

function line(cells: readonly string[]): string {
  return `| ${
    cells.map((cell) => cell.replace(/[\\|]/g, "\\$&").replace(/\r?\n/g, " ")).join(" | ")
  } |`;
}
