/**
 * The audit's options, validated into a plan: which URLs, which visitors in which order per
 * round, and the bounds (request budget, concurrency, timeout, pause). The plan is what
 * `--dry-run` prints, and nothing is sent before it is complete and within budget.
 *
 * @module
 */

import type { CacheHeadersOptions } from "../config/options.ts";
import { compileRulesJudge, type RulesJudge } from "./expectations.ts";
import { type Marker, prepareMarkers } from "./markers.ts";
import { type AuditVisitor, type PreparedVisitor, prepareVisitors } from "./visitors.ts";

/**
 * Options of {@link audit}.
 *
 * @example
 * ```ts
 * import type { AuditOptions } from "@cachewise/cachewise/audit";
 *
 * const options: AuditOptions = {
 *   urls: ["https://staging.example.com/", "https://staging.example.com/account"],
 *   visitors: [
 *     { name: "alice", cookies: ["sessionid=…alice's session…"] },
 *     { name: "bob", cookies: ["sessionid=…bob's session…"] },
 *     { name: "anonymous" },
 *   ],
 *   markers: { alice: "alice@example.com", bob: "bob@example.com" },
 * };
 * ```
 */
export interface AuditOptions {
  /** The pages to request: absolute `http:` or `https:` URLs. */
  readonly urls: readonly string[];
  /** Who requests them, in the order of the first round. @default [{ name: "anonymous" }] */
  readonly visitors?: readonly AuditVisitor[];
  /** Texts that appear only in pages made for a visitor, by visitor name. @default {} */
  readonly markers?: Readonly<Record<string, string | readonly string[]>>;
  /** The cachewise options of the site: each URL's policy is then known and judged. */
  readonly rules?: CacheHeadersOptions;
  /** Passes over every URL as every visitor, 1 to 20. @default 3 */
  readonly rounds?: number;
  /** The most requests sent, redirects included; a larger plan is refused. @default 500 */
  readonly budget?: number;
  /** URLs requested at the same time (each URL's requests stay in order), 1 to 32. @default 4 */
  readonly concurrency?: number;
  /** Seconds each request may take, body included. @default 10 */
  readonly timeoutSeconds?: number;
  /** Seconds between rounds, so that `Age` can show a stored copy. @default 1 */
  readonly pauseSeconds?: number;
  /**
   * Give each round its own cache entry by adding `cachewise-audit=<run>-<round>` to the query,
   * so that every visitor is once the first to reach an empty cache (with rounds ≥ visitors).
   * @default false
   */
  readonly bust?: boolean;
  /** Bytes of each body read for the digest and the markers. @default 2097152 */
  readonly maxBodyBytes?: number;
  /** The `User-Agent` sent. @default "cachewise-audit (+https://jsr.io/@cachewise/cachewise)" */
  readonly userAgent?: string;
  /** The `fetch` to use. @default globalThis.fetch */
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Stops the audit: requests under way are aborted and recorded as failed. */
  readonly signal?: AbortSignal;
}

/** An audit's plan: everything validated, nothing sent. */
export interface AuditPlan {
  /** The URLs, without fragments and duplicates. */
  readonly urls: readonly string[];
  /** The visitors, validated. */
  readonly visitors: readonly PreparedVisitor[];
  /** The markers, validated. */
  readonly markers: readonly Marker[];
  /** The rules compiled, when given. */
  readonly rules: RulesJudge | null;
  /** Passes over every URL as every visitor. */
  readonly rounds: number;
  /** Visitor names per round, in the order each URL is requested. */
  readonly order: readonly (readonly string[])[];
  /** Requests the plan sends without redirects: URLs × visitors × rounds. */
  readonly requests: number;
  /** The most requests sent, redirects included. */
  readonly budget: number;
  /** URLs requested at the same time. */
  readonly concurrency: number;
  /** Milliseconds each request may take. */
  readonly timeoutMs: number;
  /** Milliseconds between rounds. */
  readonly pauseMs: number;
  /** Whether each round has its own cache entry. */
  readonly bust: boolean;
  /** Bytes of each body read. */
  readonly maxBodyBytes: number;
  /** The `User-Agent` sent. */
  readonly userAgent: string;
}

const USER_AGENT = "cachewise-audit (+https://jsr.io/@cachewise/cachewise)";

/**
 * Validates the options into a plan. Throws a `TypeError` or `RangeError` naming the option at
 * fault, a `CacheConfigError` for rules that do not compile, and a `RangeError` when the plan
 * needs more requests than the budget allows.
 *
 * @example
 * ```ts
 * import { planAudit } from "@cachewise/cachewise/audit";
 * import assert from "node:assert/strict";
 *
 * const plan = planAudit({
 *   urls: ["https://example.com/"],
 *   visitors: [{ name: "alice", cookies: ["sid=1"] }, { name: "anonymous" }],
 *   rounds: 2,
 * });
 * assert.deepEqual(plan.order, [["alice", "anonymous"], ["anonymous", "alice"]]);
 * assert.equal(plan.requests, 4);
 * assert.throws(() => planAudit({ urls: ["https://example.com/"], rounds: 9, budget: 5 }), RangeError);
 * ```
 */
export function planAudit(options: AuditOptions): AuditPlan {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("The audit options must be an object");
  }
  const urls = readUrls(options.urls);
  const visitors = prepareVisitors(options.visitors ?? [{ name: "anonymous" }]);
  const markers = prepareMarkers(options.markers, visitors);
  const rounds = readNumber(options.rounds, "rounds", 3, 1, 20, true);
  const budget = readNumber(options.budget, "budget", 500, 1, 100_000, true);
  const concurrency = readNumber(options.concurrency, "concurrency", 4, 1, 32, true);
  const timeout = readNumber(options.timeoutSeconds, "timeoutSeconds", 10, 0.01, 300, false);
  const pause = readNumber(options.pauseSeconds, "pauseSeconds", 1, 0, 60, false);
  const maxBodyBytes = readNumber(options.maxBodyBytes, "maxBodyBytes", 2 ** 21, 1, 2 ** 28, true);
  const requests = urls.length * visitors.length * rounds;
  if (requests > budget) {
    throw new RangeError(
      `The plan needs ${requests} requests (${urls.length} URLs × ${visitors.length} visitors × ` +
        `${rounds} rounds), over the budget of ${budget}: raise the budget or audit less`,
    );
  }
  const names = visitors.map((visitor) => visitor.name);
  const order = Array.from(
    { length: rounds },
    (_, round) => names.map((_, index) => names[(index + round) % names.length]!),
  );
  return {
    urls,
    visitors,
    markers,
    rules: options.rules === undefined ? null : compileRulesJudge(options.rules),
    rounds,
    order,
    requests,
    budget,
    concurrency,
    timeoutMs: Math.round(timeout * 1000),
    pauseMs: Math.round(pause * 1000),
    bust: options.bust === true,
    maxBodyBytes,
    userAgent: typeof options.userAgent === "string" ? options.userAgent : USER_AGENT,
  };
}

function readUrls(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError("Option urls must list at least one URL");
  }
  const urls = new Set<string>();
  value.forEach((text: unknown, index) => {
    let url: URL;
    try {
      url = new URL(String(text));
    } catch {
      throw new TypeError(`Option urls[${index}]: ${JSON.stringify(text)} is not an absolute URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(`Option urls[${index}]: only http: and https: URLs can be audited`);
    }
    if (url.username !== "" || url.password !== "") {
      throw new TypeError(`Option urls[${index}]: give credentials as visitors, not in the URL`);
    }
    url.hash = "";
    urls.add(url.href);
  });
  return [...urls];
}

function readNumber(
  value: unknown,
  name: string,
  fallback: number,
  min: number,
  max: number,
  integer: boolean,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== "number" || !Number.isFinite(value) || (integer && !Number.isInteger(value))
  ) {
    throw new TypeError(`Option ${name} must be ${integer ? "a whole number" : "a number"}`);
  }
  if (value < min || value > max) {
    throw new RangeError(`Option ${name} must be from ${min} to ${max}, not ${value}`);
  }
  return value;
}

/** The URL a round requests: with `bust`, its own cache entry for the round. */
export function roundUrl(url: string, plan: AuditPlan, run: string, round: number): string {
  if (!plan.bust) return url;
  const busted = new URL(url);
  busted.searchParams.append("cachewise-audit", `${run}-${round}`);
  return busted.href;
}
