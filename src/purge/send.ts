/**
 * The one way purge clients reach the network: `fetch` with a timeout per attempt, a bounded
 * number of retries (network errors, timeouts, and answers the target marks as worth retrying,
 * such as a rate limit or a server error), `Retry-After` honoured up to a ceiling, and never an
 * exception: every outcome is a value.
 *
 * @module
 */

import type { Exchange, ExchangeOutcome, Send } from "./types.ts";

/**
 * Timeouts and retries of a purge.
 *
 * @example
 * ```ts
 * import type { PurgeOptions } from "./send.ts";
 *
 * const patient: PurgeOptions = { timeoutMs: 30_000, retries: 4 };
 * ```
 */
export interface PurgeOptions {
  /**
   * How long one attempt may take, answer body included, in milliseconds.
   * @default 10000
   */
  readonly timeoutMs?: number;
  /**
   * How many times a failed attempt is repeated (network error, timeout, rate limit, 5xx).
   * @default 2
   */
  readonly retries?: number;
  /**
   * The longest wait between two attempts, in milliseconds. A vendor asking to wait longer
   * (`Retry-After`) ends the retries, and the node is reported failed with the wait it asked for.
   * @default 10000
   */
  readonly maxRetryDelayMs?: number;
  /** Cancels the purge: attempts under way are aborted and reported failed. */
  readonly signal?: AbortSignal;
}

/** The first wait between attempts; each later one doubles it. */
const FIRST_BACKOFF_MS = 250;
/**
 * Answers are read up to this length: Fastly's answer to a batch of 256 keys is about 10 KB;
 * nothing a purge API says needs more.
 */
const MAX_BODY_CHARACTERS = 65536;

/**
 * Builds the sender every target uses, after checking the options.
 *
 * @throws {RangeError} For a timeout, retry count or delay that is not a non-negative integer.
 *
 * @example
 * ```ts
 * import { createSend } from "./send.ts";
 *
 * const send = createSend({ timeoutMs: 2000, retries: 0 });
 * const outcome = await send({
 *   url: "http://127.0.0.1:9/",
 *   method: "PURGE",
 *   judge: () => ({ ok: true }),
 * });
 * console.log(outcome.status); // "failed": nothing listens on port 9
 * ```
 */
export function createSend(options: PurgeOptions = {}): Send {
  const timeoutMs = checkCount(options.timeoutMs, "timeoutMs", 10_000, 1);
  const retries = checkCount(options.retries, "retries", 2, 0);
  const maxDelayMs = checkCount(options.maxRetryDelayMs, "maxRetryDelayMs", 10_000, 0);
  const signal = options.signal;
  return async (exchange) => {
    let last: ExchangeOutcome = { status: "failed", reason: "not sent", attempts: 0 };
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      const result = await attemptOnce(exchange, timeoutMs, signal);
      if (result.status === "purged") return { ...result.outcome, attempts: attempt };
      last = { ...result.outcome, attempts: attempt };
      if (!result.retry || attempt > retries || signal?.aborted) break;
      const waitMs = result.retryAfterMs ?? FIRST_BACKOFF_MS * 2 ** (attempt - 1);
      if (waitMs > maxDelayMs) {
        const seconds = Math.ceil(waitMs / 1000);
        return { ...last, reason: `${last.reason} (asked to wait ${seconds} s; not retried)` };
      }
      await sleep(waitMs, signal);
    }
    return last;
  };
}

interface Attempt {
  readonly status: ExchangeOutcome["status"];
  readonly outcome: Omit<ExchangeOutcome, "attempts">;
  readonly retry: boolean;
  readonly retryAfterMs?: number;
}

async function attemptOnce(
  exchange: Exchange,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Attempt> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const cancel = () => controller.abort();
  signal?.addEventListener("abort", cancel, { once: true });
  try {
    if (signal?.aborted) throw new Error("cancelled");
    const headers = typeof exchange.headers === "function"
      ? await exchange.headers()
      : exchange.headers;
    const response = await fetch(exchange.url, {
      method: exchange.method,
      ...(headers !== undefined && { headers }),
      ...(exchange.body !== undefined && { body: exchange.body }),
      redirect: "manual",
      signal: controller.signal,
    });
    const body = (await response.text()).slice(0, MAX_BODY_CHARACTERS);
    return judge(exchange, response, body);
  } catch (error) {
    if (timedOut) {
      const reason = `no answer within ${formatSeconds(timeoutMs)}`;
      return { status: "timed-out", outcome: { status: "timed-out", reason }, retry: true };
    }
    if (signal?.aborted) {
      return { status: "failed", outcome: { status: "failed", reason: "cancelled" }, retry: false };
    }
    const reason = `unreachable: ${describeError(error)}`;
    return { status: "failed", outcome: { status: "failed", reason }, retry: true };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", cancel);
  }
}

function judge(exchange: Exchange, response: Response, body: string): Attempt {
  if (response.status >= 300 && response.status < 400) {
    const reason = `redirected (${response.status}) to ${
      response.headers.get("location") ?? "nowhere"
    }: purge the final address`;
    return { status: "failed", outcome: { status: "failed", reason }, retry: false };
  }
  let verdict;
  try {
    verdict = exchange.judge(response, body);
  } catch {
    const reason = `unreadable answer (${response.status})`;
    return { status: "failed", outcome: { status: "failed", reason }, retry: false };
  }
  if (verdict.ok) {
    const outcome = verdict.detail === undefined
      ? { status: "purged" as const }
      : { status: "purged" as const, detail: verdict.detail };
    return { status: "purged", outcome, retry: false };
  }
  return {
    status: "failed",
    outcome: { status: "failed", reason: verdict.reason },
    retry: verdict.retry ?? false,
    ...(verdict.retryAfterMs !== undefined && { retryAfterMs: verdict.retryAfterMs }),
  };
}

/**
 * The wait a `Retry-After` header asks for (seconds or an HTTP date), in milliseconds, or
 * `undefined` when there is none or it cannot be read.
 *
 * @example
 * ```ts
 * import { retryAfterMs } from "./send.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(retryAfterMs(new Headers({ "retry-after": "5" })), 5000);
 * assert.equal(retryAfterMs(new Headers()), undefined);
 * ```
 */
export function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get("retry-after")?.trim();
  if (value === undefined || value === "") return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * A verdict for an answer a target does not recognise as success: 429 and 5xx are retried
 * (with `Retry-After` when given), anything else is final.
 *
 * @example
 * ```ts
 * import { unexpectedAnswer } from "./send.ts";
 * import assert from "node:assert/strict";
 *
 * const verdict = unexpectedAnswer(new Response("", { status: 503 }), "busy");
 * assert.deepEqual(verdict, { ok: false, reason: "503: busy", retry: true });
 * ```
 */
export function unexpectedAnswer(
  response: Response,
  message: string,
): { ok: false; reason: string; retry: boolean; retryAfterMs?: number } {
  const retry = response.status === 429 || response.status >= 500;
  const wait = retry ? retryAfterMs(response.headers) : undefined;
  const label = response.status === 429 ? "429 rate limited" : String(response.status);
  return {
    ok: false,
    reason: message === "" ? label : `${label}: ${message}`,
    retry,
    ...(wait !== undefined && { retryAfterMs: wait }),
  };
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = (cause as { code?: unknown } | undefined)?.code ??
    (error as { code?: unknown }).code;
  const detail = typeof code === "string" ? code : error.message;
  return detail.replace(/\s+/g, " ").slice(0, 200);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function checkCount(value: unknown, name: string, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < minimum) {
    throw new RangeError(
      `purge() option ${name} must be an integer of at least ${minimum}, not ${String(value)}`,
    );
  }
  return value;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Replaces every occurrence of a secret in text with `[redacted]`, so that a vendor echoing a
 * token in an error message cannot put it into a result or a log.
 *
 * @example
 * ```ts
 * import { redact } from "./send.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(redact("bad token abc123", ["abc123"]), "bad token [redacted]");
 * ```
 */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join("[redacted]");
  }
  return result;
}

/**
 * A JSON body, or `undefined` when it is not JSON.
 *
 * @example
 * ```ts
 * import { parseJson } from "./send.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseJson('{"a":1}'), { a: 1 });
 * assert.equal(parseJson("<html>"), undefined);
 * ```
 */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
