/**
 * Regular expressions over the `Cookie` header shared by the Varnish and nginx writers.
 *
 * The proxies key on cookie values they read themselves, while cachewise reads the same header
 * in the application. Where two readers could disagree (whitespace other than one space after
 * `;`, commas, names without `=`), a key cookie could read as absent in the proxy and present in
 * the application, and a page made for that cookie would be stored under the key of those
 * without it. So the generated configuration reads cookies only from a header in the plain form
 * browsers send, `name=value; name=value`, where every reader splits the same pairs, and sends
 * any other `Cookie` header past the cache.
 *
 * @module
 */

import { regexpLiteral } from "./escape.ts";

/** An RFC 9110 token (a cookie name), in `\xHH` form. */
const TOKEN = "[\\x21\\x23-\\x27\\x2a\\x2b\\x2d\\x2e0-9A-Z\\x5e-\\x60a-z\\x7c\\x7e]+";
/** A cookie value without space, `,` or `;`. */
const VALUE = "[\\x21-\\x2b\\x2d-\\x3a\\x3c-\\x7e]*";

/** The whole `Cookie` header in the plain form: `name=value` pairs joined by `; `. */
export const PLAIN_COOKIE_HEADER = `^${TOKEN}=${VALUE}(?:; ${TOKEN}=${VALUE})*$`;

/**
 * Matches when the cookie is present with a non-empty value (in a plain header).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(cookiePresent("sessionid"), "(?:^|; )sessionid=[^;]");
 * ```
 */
export function cookiePresent(name: string): string {
  return `(?:^|; )${regexpLiteral(name)}=[^;]`;
}

/**
 * Captures the cookie's value as group 1 (in a plain header).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(cookieValue("connect.sid"), "(?:^|; )connect\\.sid=([^;]*)");
 * ```
 */
export function cookieValue(name: string): string {
  return `(?:^|; )${regexpLiteral(name)}=([^;]*)`;
}
