/**
 * One request of an audit: a GET as one visitor, redirects followed only on the URL's own host,
 * within a timeout and a byte limit, recorded as what the client saw. Only `fetch()` and Web
 * standards, so it runs on Deno, Bun, Node and Workers.
 *
 * @module
 */

import { readAge, readVerdict, type Says, VERDICT_HEADERS } from "./verdict.ts";
import type { RecordedHeaders } from "./lifetime.ts";
import { readCapped, sha256 } from "./body.ts";
import type { Marker } from "./markers.ts";
import type { PreparedVisitor } from "./visitors.ts";

/** What one request saw. */
export interface Observation {
  /** The URL as given to the audit. */
  readonly url: string;
  /** The visitor's name. */
  readonly visitor: string;
  /** The round, from 1. */
  readonly round: number;
  /** Its place among this URL's requests in the round, from 1. */
  readonly position: number;
  /** The URL last requested: after same-host redirects, with the `--bust` parameter. */
  readonly fetched: string;
  /** Same-host redirects followed. */
  readonly redirects: number;
  /** The status, or `null` when no response came. */
  readonly status: number | null;
  /** Why no response came (`"timeout"`, a network error, `"budget exhausted"`), or `null`. */
  readonly error: string | null;
  /** The cache's verdict: `hit` when the response came from a stored copy. */
  readonly verdict: Says;
  /** The header that gave the verdict, `"X-Cache: HIT"`, or `null`. */
  readonly verdictSource: string | null;
  /** `Age` in seconds, or `null`. */
  readonly age: number | null;
  /** The caching and verdict headers received, lower-case names. */
  readonly headers: RecordedHeaders;
  /** The names of the cookies the response set; values are never recorded. */
  readonly setCookies: readonly string[];
  /** SHA-256 of the body read, hex, or `null`. */
  readonly digest: string | null;
  /** Bytes of body read. */
  readonly bytes: number;
  /** Whether the body was longer than the limit (the digest covers what was read). */
  readonly truncated: boolean;
  /** The visitors whose marker the body carries. */
  readonly markers: readonly string[];
  /** Anything else worth saying, such as a redirect to another host left unfollowed. */
  readonly note: string | null;
}

/** What a visit needs besides the URL and the visitor. */
export interface VisitContext {
  readonly fetch: (url: string, init: RequestInit) => Promise<Response>;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly userAgent: string;
  readonly markers: readonly Marker[];
  /** Requests left; every request sent, redirects included, takes one. */
  readonly budget: { left: number };
  readonly signal?: AbortSignal | undefined;
}

/** The caching headers recorded besides the verdict headers. */
const RECORDED = [
  "cache-control",
  "age",
  "expires",
  "date",
  "vary",
  "etag",
  "last-modified",
  "via",
  "surrogate-control",
  "cdn-cache-control",
  "cloudflare-cdn-cache-control",
  "vercel-cdn-cache-control",
  "netlify-cdn-cache-control",
  "netlify-vary",
  "edge-control",
  "x-accel-expires",
  "x-hash-cookies",
  ...VERDICT_HEADERS.map((name) => name.toLowerCase()),
];
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Redirects followed per request; more are recorded as they come. */
export const MAX_REDIRECTS = 5;

type Seen = Omit<Observation, "url" | "visitor" | "round" | "position">;

/** Requests `target` as `visitor` and records what came back. Never throws for network faults. */
export async function visit(
  target: string,
  visitor: PreparedVisitor,
  context: VisitContext,
): Promise<Seen> {
  const start = new URL(target);
  let url = start;
  for (let redirects = 0;; redirects++) {
    if (context.budget.left <= 0) return failed(url, redirects, "budget exhausted");
    context.budget.left -= 1;
    const headers = new Headers({ "user-agent": context.userAgent });
    // Credentials only ever go to the URL's own host: a redirect elsewhere is not followed.
    if (mayCarryCredentials(start, url)) {
      for (const [name, value] of visitor.headers) {
        if (name.toLowerCase() === "user-agent") headers.set(name, value);
        else headers.append(name, value);
      }
    }
    const deadline = timeoutSignal(context.timeoutMs, context.signal);
    try {
      const response = await context.fetch(url.href, {
        method: "GET",
        headers,
        redirect: "manual",
        signal: deadline.signal,
      });
      const location = response.headers.get("location");
      if (REDIRECTS.has(response.status) && location !== null) {
        const next = safeURL(location, url);
        if (next !== null && mayCarryCredentials(start, next) && redirects < MAX_REDIRECTS) {
          await response.body?.cancel();
          url = next;
          continue;
        }
        const why = next === null || !mayCarryCredentials(start, next)
          ? `redirect to ${next?.origin ?? "an unusable Location"} not followed (another host)`
          : `more than ${MAX_REDIRECTS} redirects`;
        return await record(response, url, redirects, context, why);
      }
      return await record(response, url, redirects, context, null);
    } catch (error) {
      return failed(url, redirects, deadline.timedOut() ? "timeout" : describe(error));
    } finally {
      deadline.clear();
    }
  }
}

/**
 * Whether a request to `next` may carry the credentials meant for `start`: the same host and port,
 * or the same host moved from `http:` to `https:` on the default ports. Never a downgrade.
 *
 * @example
 * ```ts
 * import { mayCarryCredentials } from "@cachewise/cachewise/audit";
 * import assert from "node:assert/strict";
 *
 * const start = new URL("http://shop.example/account");
 * assert.equal(mayCarryCredentials(start, new URL("https://shop.example/login")), true);
 * assert.equal(mayCarryCredentials(start, new URL("http://cdn.shop.example/")), false);
 * assert.equal(mayCarryCredentials(start, new URL("http://shop.example:8080/")), false);
 * ```
 */
export function mayCarryCredentials(start: URL, next: URL): boolean {
  if (next.hostname !== start.hostname) return false;
  if (next.protocol === start.protocol) return next.port === start.port;
  return start.protocol === "http:" && next.protocol === "https:" && start.port === "" &&
    next.port === "";
}

function safeURL(location: string, base: URL): URL | null {
  try {
    const url = new URL(location, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch {
    return null;
  }
}

async function record(
  response: Response,
  url: URL,
  redirects: number,
  context: VisitContext,
  note: string | null,
): Promise<Seen> {
  const headers: Record<string, string> = {};
  for (const name of RECORDED) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  const setCookies = response.headers.getSetCookie()
    .map((line) => line.split(";")[0]!.split("=")[0]!.trim());
  const verdict = readVerdict(response.headers);
  const { bytes, truncated } = await readCapped(response, context.maxBodyBytes);
  const text = new TextDecoder().decode(bytes);
  const markers = [
    ...new Set(context.markers.filter((m) => text.includes(m.text)).map((m) => m.visitor)),
  ];
  return {
    fetched: url.href,
    redirects,
    status: response.status,
    error: null,
    verdict: verdict.says,
    verdictSource: verdict.source,
    age: readAge(response.headers),
    headers,
    setCookies,
    digest: await sha256(bytes),
    bytes: bytes.byteLength,
    truncated,
    markers,
    note,
  };
}

function failed(url: URL, redirects: number, error: string): Seen {
  return {
    fetched: url.href,
    redirects,
    status: null,
    error,
    verdict: "unknown",
    verdictSource: null,
    age: null,
    headers: {},
    setCookies: [],
    digest: null,
    bytes: 0,
    truncated: false,
    markers: [],
    note: null,
  };
}

/** An abort signal that fires after `ms` or when `outer` does, and says which. */
function timeoutSignal(
  ms: number,
  outer: AbortSignal | undefined,
): { signal: AbortSignal; timedOut(): boolean; clear(): void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error("timeout"));
  }, ms);
  const onAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onAbort();
  outer?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    clear: () => {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    },
  };
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } })?.cause?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof cause === "string" ? `${message} (${cause})` : message;
}
