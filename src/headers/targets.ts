/**
 * Targets: the headers that carry a shared lifetime and how each is spelt. Every one of them is
 * written only on a response a shared cache may keep, and on every other response any of them the
 * handler set is replaced by its "never store" spelling.
 *
 * | target | header | value for a 600 s page with `staleWhileRevalidate: 30` |
 * | --- | --- | --- |
 * | `s-maxage` | `Cache-Control` | `max-age=5, s-maxage=600, stale-while-revalidate=30` |
 * | `x-accel-expires` | `X-Accel-Expires` (nginx) | `600` |
 * | `surrogate-control` | `Surrogate-Control` (Varnish, Fastly, Akamai) | `max-age=600, stale-while-revalidate=30` |
 * | `cdn-cache-control` | `CDN-Cache-Control` (RFC 9213) | `max-age=600, stale-while-revalidate=30` |
 * | `cloudflare-cdn-cache-control` | `Cloudflare-CDN-Cache-Control` | as `CDN-Cache-Control` |
 * | `vercel-cdn-cache-control` | `Vercel-CDN-Cache-Control` | as `CDN-Cache-Control` |
 * | `netlify-cdn-cache-control` | `Netlify-CDN-Cache-Control` | as `CDN-Cache-Control` |
 * | `deno-cdn-cache-control` | `Deno-CDN-Cache-Control` (Deno Deploy) | as `CDN-Cache-Control` |
 *
 * @module
 */

/**
 * A header a deployment may choose to carry the shared lifetime in (option `targets`).
 *
 * @example
 * ```ts
 * import type { TargetName } from "@cachewise/cachewise";
 *
 * const targets: TargetName[] = ["s-maxage", "cdn-cache-control"];
 * ```
 */
export type TargetName =
  | "s-maxage"
  | "x-accel-expires"
  | "surrogate-control"
  | "cdn-cache-control"
  | "cloudflare-cdn-cache-control"
  | "vercel-cdn-cache-control"
  | "netlify-cdn-cache-control"
  | "deno-cdn-cache-control";

/** Every target with the header it is written in (`s-maxage` lives in `Cache-Control`). */
const TARGET_HEADERS: Readonly<Record<TargetName, string>> = {
  "s-maxage": "Cache-Control",
  "x-accel-expires": "X-Accel-Expires",
  "surrogate-control": "Surrogate-Control",
  "cdn-cache-control": "CDN-Cache-Control",
  "cloudflare-cdn-cache-control": "Cloudflare-CDN-Cache-Control",
  "vercel-cdn-cache-control": "Vercel-CDN-Cache-Control",
  "netlify-cdn-cache-control": "Netlify-CDN-Cache-Control",
  "deno-cdn-cache-control": "Deno-CDN-Cache-Control",
};

/** Every target name, in the order of the table above. */
export const TARGET_NAMES: readonly TargetName[] = Object.freeze(
  Object.keys(TARGET_HEADERS) as TargetName[],
);

/** The header a target is written in (`Cache-Control` for `s-maxage`). */
export function targetHeaderName(target: TargetName): string {
  return TARGET_HEADERS[target];
}

/** Whether a string names a target. */
export function isTargetName(name: unknown): name is TargetName {
  return typeof name === "string" && Object.hasOwn(TARGET_HEADERS, name);
}

/** What a targeted header says besides the lifetime (RFC 5861 extensions). */
export interface TargetExtensions {
  readonly staleWhileRevalidate?: number;
  readonly staleIfError?: number;
}

/**
 * The header and value a target gets for a shared lifetime; `null` for `s-maxage`, which is a
 * `Cache-Control` directive. `CDN-Cache-Control` and its vendor variants are Structured Field
 * dictionaries (RFC 9213 §2, RFC 8941): `max-age=600, stale-while-revalidate=30` is one, with
 * integer members. `Surrogate-Control` takes the same directives.
 */
export function targetHeader(
  target: TargetName,
  lifetime: number,
  extensions: TargetExtensions,
): readonly [name: string, value: string] | null {
  if (target === "s-maxage") return null;
  const header = TARGET_HEADERS[target];
  if (target === "x-accel-expires") return [header, String(lifetime)];
  let value = `max-age=${lifetime}`;
  if (extensions.staleWhileRevalidate !== undefined) {
    value += `, stale-while-revalidate=${extensions.staleWhileRevalidate}`;
  }
  if (extensions.staleIfError !== undefined) {
    value += `, stale-if-error=${extensions.staleIfError}`;
  }
  return [header, value];
}

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
  ["deno-cdn-cache-control", "no-store"],
  // Akamai's own field: cachewise never writes it, but a handler's must not outlive `private`.
  ["edge-control", "no-store"],
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
