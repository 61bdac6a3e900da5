/**
 * Headers other than `Cache-Control` that give a shared cache a lifetime of their own, and how to
 * say "do not store" in each of them.
 *
 * @module
 */

/**
 * Each targeted lifetime header with its "never store" spelling. nginx obeys a positive
 * `X-Accel-Expires` even on `Cache-Control: private`, and a cache that honours a targeted field
 * (RFC 9213) ignores `Cache-Control` entirely, so on a response that must not be shared any of
 * these the handler set is replaced by its spelling here.
 */
export const TARGETED_LIFETIME_HEADERS: readonly (readonly [name: string, never: string])[] = [
  ["x-accel-expires", "0"],
  ["surrogate-control", "no-store"],
  ["cdn-cache-control", "no-store"],
  ["cloudflare-cdn-cache-control", "no-store"],
  ["vercel-cdn-cache-control", "no-store"],
  ["netlify-cdn-cache-control", "no-store"],
];

/** Whether any targeted lifetime header is present. */
export function hasTargetedLifetime(headers: Headers): boolean {
  return TARGETED_LIFETIME_HEADERS.some(([name]) => headers.has(name));
}

/** Replaces every targeted lifetime header present by its "never store" spelling. */
export function neutraliseTargetedLifetimes(headers: Headers): void {
  for (const [name, never] of TARGETED_LIFETIME_HEADERS) {
    if (headers.has(name)) headers.set(name, never);
  }
}
