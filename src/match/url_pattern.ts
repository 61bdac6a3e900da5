/**
 * The URLPattern constructor cachewise compiles rules with.
 *
 * Deno, Bun, Cloudflare Workers and Node ≥ 23.8 have URLPattern built in and use it; nothing else
 * is loaded there. Older Node (20, 22) has none, so `urlpattern-polyfill` is imported only then,
 * without touching `globalThis`.
 *
 * @module
 */

type URLPatternClass = typeof URLPattern;

/** The runtime's own URLPattern, or the polyfill where the runtime has none. */
export const URLPatternImpl: URLPatternClass = globalThis.URLPattern ?? await loadPolyfill();

/** Whether {@link URLPatternImpl} is the runtime's own class (true on Deno, Bun and Workers). */
export const usesNativeURLPattern: boolean = URLPatternImpl === globalThis.URLPattern;

async function loadPolyfill(): Promise<URLPatternClass> {
  const polyfill = await import("urlpattern-polyfill/urlpattern");
  return polyfill.URLPattern as unknown as URLPatternClass;
}
