/**
 * The shapes of a pattern given as an object: a `URLPatternInit`, or a `URLPattern`. Spelt out
 * rather than taken from the DOM or Deno libraries, so that the npm declarations compile for a
 * Node 20 project, whose types (`@types/node@20`) have no `URLPattern`.
 *
 * @module
 */

/**
 * A `URLPatternInit`: a pattern per URL component, and the base URL a relative one is read
 * against. Spelt out here so that the declarations need neither the DOM library nor Deno's:
 * Node 20's types (`@types/node@20`) have no `URLPattern`.
 *
 * @example
 * ```ts
 * import type { URLPatternInitLike } from "@cachewise/cachewise";
 *
 * const admin: URLPatternInitLike = { hostname: "admin.example.com", pathname: "/*" };
 * ```
 */
export interface URLPatternInitLike {
  /** The scheme, without `:` (`https`). */
  readonly protocol?: string;
  /** The user name before `@`. */
  readonly username?: string;
  /** The password before `@`. */
  readonly password?: string;
  /** The host name (`admin.example.com`, `*.example.com`). */
  readonly hostname?: string;
  /** The port (`8080`). */
  readonly port?: string;
  /** The path (`/blog/:slug`). */
  readonly pathname?: string;
  /** The query, without `?` (`q=*`). */
  readonly search?: string;
  /** The fragment, without `#`. */
  readonly hash?: string;
  /** The URL relative components are read against. */
  readonly baseURL?: string;
}

/**
 * A `URLPattern` object, the runtime's own or `urlpattern-polyfill`'s (Node 20 and 22): what
 * cachewise reads of it, a pattern string per component.
 *
 * @example
 * ```ts
 * import type { URLPatternLike } from "@cachewise/cachewise";
 *
 * const search: URLPatternLike = new URLPattern({ pathname: "/search", search: "q=*" });
 * ```
 */
export interface URLPatternLike extends Required<Omit<URLPatternInitLike, "baseURL">> {
  /** Whether a URL matches. */
  test(input?: string | URLPatternInitLike, baseURL?: string): boolean;
}
