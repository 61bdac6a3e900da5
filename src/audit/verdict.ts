/**
 * The cache's own verdict on a response: was it served from a stored copy? Read from the RFC 9211
 * `Cache-Status` field and from each vendor's header, as documented by the vendor:
 *
 * - `Cache-Status` (RFC 9211, https://www.rfc-editor.org/rfc/rfc9211): a list with one member per
 *   cache, each with `hit` or `fwd=…`; Netlify sends it (`"Netlify Edge"; hit`,
 *   https://www.netlify.com/blog/gain-better-insights-into-edge-caching-behavior-on-netlify/),
 *   and squid from version 6 instead of `X-Cache`.
 * - `CF-Cache-Status` (https://developers.cloudflare.com/cache/concepts/cache-responses/): HIT,
 *   STALE, UPDATING, REVALIDATED came from the cache; MISS, EXPIRED, BYPASS, DYNAMIC did not.
 * - `X-Vercel-Cache` (https://vercel.com/docs/headers/response-headers#x-vercel-cache): HIT,
 *   STALE, PRERENDER from the cache; MISS, BYPASS, and REVALIDATED (served from the origin).
 * - `X-Cache` and `X-Cache-Hits`: Fastly (one entry per node with shielding; any entry but MISS,
 *   any count above 0, means the cache answered:
 *   https://www.fastly.com/documentation/reference/http/http-headers/X-Cache/), squid up to
 *   version 5 (`HIT from host`), CloudFront (`Hit from cloudfront`), Akamai's debug header
 *   (`TCP_MEM_HIT from …`, asked for with `Pragma: akamai-x-cache-on`:
 *   https://techdocs.akamai.com/edge-diagnostics/docs/pragma-headers), and many Varnish setups.
 * - `Akamai-Cache-Status` (the Return Cache Status behaviour, `Hit from child`:
 *   https://techdocs.akamai.com/property-mgr/docs/return-cache-status).
 * - nginx's `$upstream_cache_status` as configurations expose it: `X-Cachewise-Cache` (the
 *   configuration cachewise generates, and its VCL), `X-Cache-Status`, `X-Nginx-Cache`,
 *   `X-Proxy-Cache` (HIT, STALE, UPDATING, REVALIDATED from the cache; MISS, BYPASS, EXPIRED not:
 *   https://nginx.org/en/docs/http/ngx_http_upstream_module.html#var_upstream_cache_status).
 * - `X-Varnish`: one transaction id on a miss, two on a hit (Varnish's default).
 * - `Server-Timing`: a metric named like `cdn-cache` with `desc=HIT` or `desc=MISS` (Akamai with
 *   mPulse, and Workers that copy `CF-Cache-Status` there).
 * - `Age` greater than 0, read only when no header above says anything.
 *
 * @module
 */

/** What one header says about one response. */
export type Says = "hit" | "miss" | "unknown";

/** One header that spoke, and what it said. */
export interface VerdictSignal {
  /** The header's name, as documented: `CF-Cache-Status`. */
  readonly header: string;
  /** Its value as received. */
  readonly value: string;
  /** What it says. */
  readonly says: Says;
}

/** The verdict on one response: `hit` when it came from a stored copy. */
export interface Verdict {
  /** `hit`, `miss`, or `unknown` when nothing spoke. */
  readonly says: Says;
  /** The header that decided, `"X-Cache: HIT"`, or `null` when nothing spoke. */
  readonly source: string | null;
  /** Every header that spoke. */
  readonly signals: readonly VerdictSignal[];
}

/** The verdict headers, in the order they are reported. */
export const VERDICT_HEADERS = [
  "Cache-Status",
  "CF-Cache-Status",
  "X-Vercel-Cache",
  "X-Cache",
  "X-Cache-Hits",
  "X-Cache-Remote",
  "Akamai-Cache-Status",
  "X-Cachewise-Cache",
  "X-Cache-Status",
  "X-Nginx-Cache",
  "X-Proxy-Cache",
  "X-Varnish",
  "Server-Timing",
] as const;

type Reader = (value: string) => Says;

const READERS: Readonly<Record<(typeof VERDICT_HEADERS)[number], Reader>> = {
  "Cache-Status": readCacheStatus,
  "CF-Cache-Status": (value) => sayToken(value),
  "X-Vercel-Cache": readVercel,
  "X-Cache": readEntries,
  "X-Cache-Hits": readHitCounts,
  "X-Cache-Remote": readEntries,
  "Akamai-Cache-Status": readEntries,
  "X-Cachewise-Cache": readEntries,
  "X-Cache-Status": readEntries,
  "X-Nginx-Cache": readEntries,
  "X-Proxy-Cache": readEntries,
  "X-Varnish": readVarnish,
  "Server-Timing": readServerTiming,
};

/**
 * Reads the cache's verdict from response headers: `hit` if any cache on the way says it served a
 * stored copy, `miss` if caches spoke and none did, and otherwise `Age` > 0 as a `hit`.
 *
 * @example
 * ```ts
 * import { readVerdict } from "@cachewise/cachewise/audit";
 * import assert from "node:assert/strict";
 *
 * assert.equal(readVerdict(new Headers({ "cf-cache-status": "HIT" })).says, "hit");
 * assert.equal(readVerdict(new Headers({ "x-cache": "MISS, HIT" })).says, "hit");
 * assert.equal(readVerdict(new Headers({ "cache-status": '"Netlify Edge"; fwd=miss' })).says, "miss");
 * assert.equal(readVerdict(new Headers({ age: "12" })).source, "Age: 12");
 * assert.equal(readVerdict(new Headers()).says, "unknown");
 * ```
 */
export function readVerdict(headers: Headers): Verdict {
  const signals: VerdictSignal[] = [];
  for (const header of VERDICT_HEADERS) {
    const value = headers.get(header);
    if (value === null) continue;
    const says = READERS[header](value);
    if (says !== "unknown") signals.push({ header, value, says });
  }
  const decide = (says: Says): Verdict | null => {
    const signal = signals.find((candidate) => candidate.says === says);
    return signal === undefined
      ? null
      : { says, source: `${signal.header}: ${signal.value}`, signals };
  };
  const explicit = decide("hit") ?? decide("miss");
  if (explicit !== null) return explicit;
  const age = readAge(headers);
  if (age !== null && age > 0) {
    const signal: VerdictSignal = { header: "Age", value: String(age), says: "hit" };
    return { says: "hit", source: `Age: ${age}`, signals: [signal] };
  }
  return { says: "unknown", source: null, signals };
}

/** `Age` in whole seconds, or `null` when absent or not a number (RFC 9111 §5.1). */
export function readAge(headers: Headers): number | null {
  const value = headers.get("age")?.split(",")[0]?.trim();
  return value !== undefined && /^\d{1,10}$/.test(value) ? Number(value) : null;
}

/**
 * One status word: `HIT`, `TCP_MEM_HIT`, `RefreshHit`, `HitStale`, `STALE`, `UPDATING`,
 * `REVALIDATED` mean the stored copy was served; `MISS`, `TCP_REFRESH_MISS`, `PASS`, `HITPASS`,
 * `BYPASS`, `EXPIRED`, `DYNAMIC`, `NotCacheable` mean the origin answered.
 */
function sayToken(text: string): Says {
  const word = text.trim().split(/\s+/)[0]?.toUpperCase() ?? "";
  if (/MISS|PASS/.test(word) || /^(EXPIRED|DYNAMIC|NOTCACHEABLE)$/.test(word)) return "miss";
  if (word.includes("HIT") || /^(STALE|UPDATING|REVALIDATED)$/.test(word)) return "hit";
  return "unknown";
}

/** Comma-separated entries, one per cache (`MISS, HIT`, `HIT from a, MISS from b`): any hit. */
function readEntries(value: string): Says {
  return combine(value.split(",").map(sayToken));
}

function combine(says: readonly Says[]): Says {
  if (says.includes("hit")) return "hit";
  return says.includes("miss") ? "miss" : "unknown";
}

function readVercel(value: string): Says {
  const word = value.trim().toUpperCase();
  if (word === "PRERENDER") return "hit";
  if (word === "REVALIDATED") return "miss";
  return sayToken(word);
}

function readHitCounts(value: string): Says {
  const counts = value.split(",").map((count) => count.trim());
  if (!counts.every((count) => /^\d+$/.test(count))) return "unknown";
  return counts.some((count) => Number(count) > 0) ? "hit" : "miss";
}

function readVarnish(value: string): Says {
  const last = value.split(",").at(-1)?.trim() ?? "";
  if (/^\d+ \d+$/.test(last)) return "hit";
  return /^\d+$/.test(last) ? "miss" : "unknown";
}

/** RFC 9211: each member `cache-name; hit` or `cache-name; fwd=reason`, names maybe quoted. */
function readCacheStatus(value: string): Says {
  return combine(
    splitMembers(value).map((member) => {
      const params = splitOutsideQuotes(member, ";").slice(1).map((param) => param.trim());
      if (params.some((param) => param === "hit" || param === "hit=?1")) return "hit";
      return params.some((param) => param.startsWith("fwd=")) ? "miss" : "unknown";
    }),
  );
}

/** `Server-Timing: cdn-cache; desc=HIT, edge; dur=12`: the metrics named like a cache. */
function readServerTiming(value: string): Says {
  return combine(
    splitMembers(value).map((metric) => {
      const [name = "", ...params] = splitOutsideQuotes(metric, ";").map((part) => part.trim());
      if (!/cache/i.test(name)) return "unknown";
      const desc = params.find((param) => /^desc=/i.test(param))?.slice(5) ?? "";
      return sayToken(desc.replace(/^"(.*)"$/, "$1"));
    }),
  );
}

function splitMembers(value: string): string[] {
  return splitOutsideQuotes(value, ",").map((member) => member.trim()).filter((m) => m !== "");
}

/** Splits on a separator outside double-quoted strings (with `\` escapes inside them). */
function splitOutsideQuotes(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let index = 0; index < value.length; index++) {
    const char = value[index]!;
    if (quoted && char === "\\") {
      current += char + (value[index + 1] ?? "");
      index++;
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}
