/**
 * Lifetimes: whole seconds, written as a number, a numeric string or a duration such as `"5m"`.
 *
 * @module
 */

/**
 * A lifetime in whole seconds, or a duration: `"90s"`, `"5m"`, `"1h"`, `"7d"`, `"1h30m"`.
 *
 * @example
 * ```ts
 * import type { Lifetime } from "@cachewise/cachewise";
 *
 * const lifetimes: Lifetime[] = [600, "600", "10m", "1h30m"];
 * ```
 */
export type Lifetime = number | string;

/**
 * The largest lifetime accepted: 2^31 seconds (about 68 years). RFC 9111 §1.2.2 asks caches to
 * treat anything larger as this value, so a larger number would only mislead the reader.
 */
export const MAX_LIFETIME_SECONDS = 2_147_483_648;

const UNIT_SECONDS: Readonly<Record<string, number>> = { d: 86_400, h: 3_600, m: 60, s: 1 };
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)$/;
const NON_FINITE: Readonly<Record<string, number>> = {
  NaN: NaN,
  Infinity: Infinity,
  "-Infinity": -Infinity,
};

/**
 * Reads a lifetime as whole seconds, or returns why it cannot be read.
 *
 * @example
 * ```ts
 * import { parseLifetime } from "@cachewise/cachewise";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseLifetime("1h30m"), { seconds: 5400 });
 * assert.deepEqual(parseLifetime(600), { seconds: 600 });
 * assert.ok("error" in parseLifetime("600, public"));
 * ```
 */
export function parseLifetime(value: unknown): { seconds: number } | { error: string } {
  if (typeof value === "number") return checkSeconds(value);
  if (typeof value !== "string") {
    return { error: `must be a number of seconds or a duration, not ${typeof value}` };
  }
  if (DECIMAL.test(value)) return checkSeconds(Number(value));
  if (Object.hasOwn(NON_FINITE, value)) return checkSeconds(NON_FINITE[value]!);
  const match = value === "" ? null : DURATION.exec(value);
  if (match === null) {
    return {
      error: `is neither whole seconds nor a duration such as "90s", "5m", "1h", "7d" or "1h30m"`,
    };
  }
  let seconds = 0;
  for (const [index, unit] of ["d", "h", "m", "s"].entries()) {
    const amount = match[index + 1];
    if (amount !== undefined) seconds += Number(amount) * (UNIT_SECONDS[unit] ?? 0);
  }
  return checkSeconds(seconds);
}

function checkSeconds(seconds: number): { seconds: number } | { error: string } {
  if (Number.isNaN(seconds)) return { error: "is NaN" };
  if (seconds < 0) return { error: "is negative" };
  if (!Number.isFinite(seconds)) return { error: "is infinite" };
  if (!Number.isInteger(seconds)) return { error: "is not a whole number of seconds" };
  if (seconds > MAX_LIFETIME_SECONDS) {
    return { error: `exceeds ${MAX_LIFETIME_SECONDS} seconds (RFC 9111 §1.2.2)` };
  }
  return { seconds };
}
