/**
 * Reading the cookies a keyed shared cache keys on, the way that cache will read them, and
 * writing the sign-in marker cookie.
 *
 * nginx's `$cookie_NAME` takes the first occurrence and matches the name case-insensitively,
 * splitting on `;` and `,`; Varnish's vmod_cookie keeps the last duplicate. Wherever two such
 * parsers could see different values, the cookie reads as `"ambiguous"` and the caller fails
 * closed (nothing is shared-cached).
 *
 * @module
 */

/** What a request says about one cookie. */
export type CookieReading =
  | { readonly state: "absent" }
  | { readonly state: "present"; readonly value: string }
  | { readonly state: "ambiguous"; readonly why: string };

const ABSENT: CookieReading = Object.freeze({ state: "absent" });
const LEADING_SPACES = /^ +/;
/** RFC 6265 §4.1.1 cookie-octet: no whitespace, `"`, `,`, `;` or `\`. */
const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/;
/** RFC 6265 cookie-name: an RFC 9110 token. */
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Whether a string is a valid cookie name. */
export function isCookieName(name: unknown): name is string {
  return typeof name === "string" && COOKIE_NAME.test(name);
}

/**
 * Reads one cookie from a `Cookie` header (several headers arrive joined by `, `). Present only
 * when exactly one pair carries the name, spelt exactly as declared, with a plain non-empty value.
 */
export function readCookie(header: string | null, name: string): CookieReading {
  if (header === null) return ABSENT;
  const wanted = name.toLowerCase();
  let found: CookieReading = ABSENT;
  for (const segment of header.split(/[;,]/)) {
    // nginx skips only spaces before a name; any other whitespace (tab, NBSP, VT, FF) in front
    // of one of our names would make nginx miss it while a lenient parser finds it.
    const pair = segment.replace(LEADING_SPACES, "");
    const equals = pair.indexOf("=");
    const pairName = equals < 0 ? pair : pair.slice(0, equals);
    if (pairName.trim().toLowerCase() !== wanted) continue;
    if (found.state !== "absent") return ambiguous(`"${name}" appears more than once`);
    if (pairName !== name) return ambiguous(`"${pairName.trim()}" is spelt unlike "${name}"`);
    const value = pair.slice(equals + 1).trimEnd();
    if (equals < 0 || !COOKIE_VALUE.test(value)) {
      return ambiguous(`"${name}" has an empty, quoted or malformed value`);
    }
    found = { state: "present", value };
  }
  return found;
}

function ambiguous(why: string): CookieReading {
  return { state: "ambiguous", why };
}

/**
 * Attributes of the sign-in marker cookie cachewise sets and clears.
 *
 * @example The marker lives as long as the session
 * ```ts
 * import type { MarkerCookieAttributes } from "@cachewise/cachewise";
 *
 * const attributes: MarkerCookieAttributes = {
 *   sameSite: "Strict",
 *   maxAge: (identity) => identity.id === "kiosk" ? 600 : 14 * 86_400,
 * };
 * ```
 */
export interface MarkerCookieAttributes {
  /**
   * `Path`: where the browser sends the marker; keep it covering every cached page.
   * @default "/"
   */
  readonly path?: string;
  /**
   * `Domain`, for a marker shared by subdomains.
   * @default undefined (host-only)
   */
  readonly domain?: string;
  /**
   * `Secure`: sent over HTTPS only.
   * @default true
   */
  readonly secure?: boolean;
  /**
   * `HttpOnly`: hidden from page scripts (the proxy reads it, scripts need not).
   * @default true
   */
  readonly httpOnly?: boolean;
  /**
   * `SameSite`; `"None"` needs `secure`.
   * @default "Lax"
   */
  readonly sameSite?: "Strict" | "Lax" | "None";
  /**
   * Seconds the marker lives, following the session: a number, or a function of the identity
   * (return `undefined` for a browser-session cookie).
   * @default undefined (a browser-session cookie)
   */
  readonly maxAge?: number | ((identity: { readonly id: string }) => number | undefined);
}

/** Formats the `Set-Cookie` value that sets (`value`) or clears (`null`) the marker. */
export function markerSetCookie(
  name: string,
  value: string | null,
  attributes: MarkerCookieAttributes,
  maxAge: number | undefined,
): string {
  const parts = [`${name}=${value ?? ""}`, `Path=${attributes.path ?? "/"}`];
  if (attributes.domain !== undefined) parts.push(`Domain=${attributes.domain}`);
  const age = value === null ? 0 : maxAge;
  if (age !== undefined) parts.push(`Max-Age=${age}`);
  if (attributes.secure ?? true) parts.push("Secure");
  if (attributes.httpOnly ?? true) parts.push("HttpOnly");
  parts.push(`SameSite=${attributes.sameSite ?? "Lax"}`);
  return parts.join("; ");
}
