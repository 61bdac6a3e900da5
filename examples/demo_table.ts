/**
 * The table the demo prints: pure functions from rows to text, so they can be tested anywhere.
 *
 * @module
 */

import type { CacheDecision } from "../mod.ts";

/** One request by one visitor, as the demo saw it. */
export interface DemoRow {
  /** Method and path, e.g. `"GET /news/"`. */
  readonly request: string;
  /** Who asked, e.g. `"anonymous"` or `"ann"`. */
  readonly visitor: string;
  /** The response status. */
  readonly status: number;
  /** The `Cache-Control` received, or `null`. */
  readonly cacheControl: string | null;
  /** The `Vary` received, or `null`. */
  readonly vary: string | null;
  /** The `X-Accel-Expires` received, or `null`. */
  readonly accelExpires: string | null;
  /** Whether a shared cache may keep the response (`CacheDecision.shared`). */
  readonly shared: boolean;
  /** Why, from `apply.explain()`: see {@link whyOf}. */
  readonly why: string;
}

const GAP = "  ";
const INDENT = "  ";
const NONE = "-";

/**
 * A decision in a few words: `rule per-user 60s "/dashboard/*"` when a rule decided, otherwise the
 * reason (`no-rule`, `method`, `set-cookie`, `status`, `handler-cache-control`, ...).
 *
 * @example
 * ```ts
 * import { cacheHeaders } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const apply = cacheHeaders({ timeouts: { "per-user": { 60: ["/dashboard/*"] } } });
 * const decision = apply.explain(new Request("http://x/dashboard/"), new Response("hi"));
 * assert.equal(whyOf(decision), 'rule per-user 60s "/dashboard/*"');
 * ```
 */
export function whyOf(decision: CacheDecision): string {
  const rule = decision.rule;
  if (decision.reason !== "rule" || rule === null) return decision.reason;
  return `rule ${rule.policy} ${rule.lifetime}s ${rule.pattern}`;
}

/** Who may keep a response, as the table's `cache` column shows it. */
function cacheColumn(row: DemoRow): string {
  if (row.shared) return "shared";
  return row.cacheControl === null ? NONE : "private";
}

/**
 * Formats rows as a fixed-width table, grouped by request (consecutive rows with the same
 * `request` form a group). Each group starts with a line naming the request and, when it is the
 * same for every visitor, why; otherwise each row ends with its own `why:`. Columns are separated
 * by two spaces and no cell holds two spaces in a row, so the output splits on `/ {2,}/`.
 * Missing headers show as `-`. Lines carry no trailing spaces; the text ends with a newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const table = formatDemoTable([{
 *   request: "GET /", visitor: "ann", status: 200, cacheControl: "private, no-cache",
 *   vary: "Cookie", accelExpires: null, shared: false, why: 'rule anonymous-only 300s "/"',
 * }]);
 * assert.ok(table.includes("  ann"));
 * ```
 */
export function formatDemoTable(rows: readonly DemoRow[]): string {
  const header = [
    INDENT + "visitor",
    "status",
    "Cache-Control",
    "Vary",
    "X-Accel-Expires",
    "cache",
  ];
  const cells = rows.map((row) => [
    INDENT + row.visitor,
    String(row.status),
    row.cacheControl ?? NONE,
    row.vary ?? NONE,
    row.accelExpires ?? NONE,
    cacheColumn(row),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => line[column]!.length))
  );
  const line = (values: readonly string[]): string =>
    values.map((value, column) => value.padEnd(widths[column]!)).join(GAP).trimEnd();

  const out = [line(header), line(widths.map((width) => "-".repeat(width)))];
  for (let start = 0; start < rows.length;) {
    let end = start;
    while (end < rows.length && rows[end]!.request === rows[start]!.request) end++;
    const group = rows.slice(start, end);
    const sameWhy = group.every((row) => row.why === group[0]!.why);
    out.push(sameWhy ? `${group[0]!.request}${GAP}why: ${group[0]!.why}` : group[0]!.request);
    for (let i = start; i < end; i++) {
      const text = line(cells[i]!);
      out.push(sameWhy ? text : `${text}${GAP}why: ${rows[i]!.why}`);
    }
    start = end;
  }
  return out.join("\n") + "\n";
}

/** The legend printed under the table. */
export const DEMO_LEGEND: string = `\
cache column:
  shared   any cache may keep it: browsers for max-age seconds, nginx/Varnish/CDNs for
           s-maxage seconds (nginx reads X-Accel-Expires). "Vary: Cookie, Authorization"
           keeps the anonymous copy away from signed-in visitors.
  private  only the visitor's own browser may keep it, for max-age seconds; "no-cache" means
           it asks the server again before every reuse. No shared lifetime in any header.
why: the most specific matching rule (policy, lifetime, pattern) decided; "method",
  "set-cookie", "status" and "no-rule" mean it is never shared-cached and goes out
  "private, no-cache".
`;
