/**
 * The one escaping helper of the proxy generators. Every value that comes from the options or the
 * command line and ends up in generated configuration goes through a function here:
 *
 * - {@link regexpLiteral} turns fixed text into a regular expression that matches it literally
 *   (PCRE and PCRE2 alike), spelling every character that is not a letter, a digit or plain
 *   punctuation as `\xHH`;
 * - {@link vclString}, {@link fastlyString} and {@link nginxString} quote a value for Varnish VCL,
 *   Fastly VCL and nginx `"..."`;
 * - {@link comment} makes text safe for a `#` comment in either language;
 * - {@link parseBackend}, {@link parseListen} and {@link checkCachePath} validate the command
 *   line's addresses and paths.
 *
 * Whatever cannot be written safely is refused with a `TypeError`: nothing is ever passed through
 * in a form that could end a string, a statement or a block.
 *
 * @module
 */

/** Characters written as themselves in a regular expression: none is special in PCRE, VCL or nginx. */
const PLAIN_REGEXP_CHARACTER = /^[A-Za-z0-9/_~%:@!=&,-]$/;
/** Printable ASCII without `"` and `\`: what a VCL `"..."` string may hold as is. */
const VCL_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
/** Printable ASCII: the characters a generated string may hold at all. */
const PRINTABLE = /^[\x20-\x7e]*$/;
/** A DNS name or an IPv4 address. */
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** A bracketed IPv6 address. */
const IPV6 = /^\[[0-9A-Fa-f:.]{2,45}\]$/;

/**
 * A regular expression matching `text` literally. Letters, digits and `/_~%:@!=&,-` are written
 * as they are, `.` as `\.`, and anything else printable as `\xHH`, so the result never holds a
 * quote, `;`, `{`, `}`, `$`, `#` or whitespace whatever the text.
 *
 * @param text Fixed text: a URL path or host name fragment, a cookie name.
 * @returns Regular expression source for PCRE, PCRE2 and JavaScript alike.
 * @throws {TypeError} When the text holds a character outside printable ASCII.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(regexpLiteral("/a.b"), "/a\\.b");
 * assert.equal(regexpLiteral('x"; }'), "x\\x22\\x3b\\x20\\x7d");
 * ```
 */
export function regexpLiteral(text: string): string {
  let source = "";
  for (const char of text) {
    if (PLAIN_REGEXP_CHARACTER.test(char)) source += char;
    else if (char === ".") source += "\\.";
    else source += hexEscape(char);
  }
  return source;
}

/**
 * One character as a regular expression escape `\xHH`.
 *
 * @param char A printable ASCII character.
 * @returns `\xHH` with two lower-case hex digits.
 * @throws {TypeError} When the character is outside printable ASCII.
 */
export function hexEscape(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (char.length !== 1 || code < 0x20 || code > 0x7e) {
    throw new TypeError(`Cannot write ${JSON.stringify(char)} into proxy configuration`);
  }
  return `\\x${code.toString(16).padStart(2, "0")}`;
}

/**
 * A VCL string literal `"..."`. VCL strings have no escapes, so a value with `"`, `\` or a
 * control character is refused; regular expressions from {@link regexpLiteral} never hold them.
 *
 * @param value The string's content.
 * @returns The quoted literal.
 * @throws {TypeError} When the value cannot be written as a VCL string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(vclString("sessionid, messages"), '"sessionid, messages"');
 * assert.throws(() => vclString('a" + req.http.x + "'), TypeError);
 * ```
 */
export function vclString(value: string): string {
  // A regular expression may hold backslashes: VCL passes them to PCRE2 unchanged.
  if (!VCL_STRING.test(value.replaceAll("\\", ""))) {
    throw new TypeError(`Cannot write ${JSON.stringify(value)} as a VCL string`);
  }
  return `"${value}"`;
}

/**
 * A Fastly VCL string literal `"..."`. Fastly reads `%XX` in such a string as a percent escape
 * (https://www.fastly.com/documentation/reference/vcl/types/string/), so `%` is written `%25`;
 * `"`, `\` outside a regular expression escape and control characters are refused as in
 * {@link vclString}.
 *
 * @param value The string's content.
 * @returns The quoted literal.
 * @throws {TypeError} When the value cannot be written as a Fastly string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(fastlyString("^/a%20b$"), '"^/a%2520b$"');
 * assert.throws(() => fastlyString('a" + req.http.x + "'), TypeError);
 * ```
 */
export function fastlyString(value: string): string {
  return vclString(value).replaceAll("%", "%25");
}

/**
 * An nginx quoted string `"..."`: `\` and `"` are escaped, control characters refused. Where
 * nginx expands variables (`interpolated`), `$` is refused too: nginx has no escape for it.
 *
 * @param value The string's content.
 * @param interpolated Whether nginx expands `$name` in this position.
 * @returns The quoted string.
 * @throws {TypeError} When the value cannot be written safely.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(nginxString("~^/a\\.b$", false), '"~^/a\\\\.b$"');
 * assert.throws(() => nginxString("/tmp/$x", true), TypeError);
 * ```
 */
export function nginxString(value: string, interpolated: boolean): string {
  if (!PRINTABLE.test(value) || (interpolated && value.includes("$"))) {
    throw new TypeError(`Cannot write ${JSON.stringify(value)} as an nginx string`);
  }
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/**
 * Text for a `#` comment line: anything outside printable ASCII becomes `?`, so a comment can
 * never end early and start a directive.
 *
 * @param text What the comment says.
 * @returns The comment text, without the `#`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(comment("a\nreturn (pass);"), "a?return (pass);");
 * ```
 */
export function comment(text: string): string {
  return text.replace(/[^\x20-\x7e]/gu, "?");
}

/** A validated backend address. */
export interface Backend {
  /** Host name, IPv4 address or bracketed IPv6 address. */
  readonly host: string;
  /** Port number, 1 to 65535. */
  readonly port: number;
}

/**
 * Parses `HOST:PORT` for a backend.
 *
 * @param value `127.0.0.1:8080`, `app.internal:3000` or `[::1]:8080`.
 * @returns The host and port.
 * @throws {TypeError} When the value is not a host and a port.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseBackend("127.0.0.1:8080"), { host: "127.0.0.1", port: 8080 });
 * ```
 */
export function parseBackend(value: string): Backend {
  const colon = value.lastIndexOf(":");
  const host = value.slice(0, colon);
  const port = parsePort(value.slice(colon + 1));
  if (colon < 0 || port === null || !(HOST_NAME.test(host) || IPV6.test(host))) {
    throw new TypeError(
      `Backend ${JSON.stringify(value)} must be HOST:PORT, such as 127.0.0.1:8080`,
    );
  }
  return { host, port };
}

/**
 * Parses what nginx listens on: `PORT` or `ADDRESS:PORT`.
 *
 * @param value `8080`, `127.0.0.1:8080` or `[::1]:8080`.
 * @returns The text to write after `listen`.
 * @throws {TypeError} When the value is neither.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseListen("8080"), "8080");
 * assert.equal(parseListen("127.0.0.1:80"), "127.0.0.1:80");
 * ```
 */
export function parseListen(value: string): string {
  if (parsePort(value) !== null) return String(parsePort(value));
  const { host, port } = parseBackend(value);
  return `${host}:${port}`;
}

/**
 * Checks a cache directory for nginx: an absolute path of printable characters without `$`,
 * `"`, `\`, `;`, `{` or `}`.
 *
 * @param path The directory.
 * @returns The path, unchanged.
 * @throws {TypeError} When the path is relative or holds a character refused above.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkCachePath("/var/cache/cachewise"), "/var/cache/cachewise");
 * assert.throws(() => checkCachePath("/tmp/x; include /etc"), TypeError);
 * ```
 */
export function checkCachePath(path: string): string {
  if (!/^\/[\x20-\x7e]*$/.test(path) || /["\\$;{}]/.test(path)) {
    throw new TypeError(
      `Cache directory ${
        JSON.stringify(path)
      } must be an absolute path without $, ", \\, ;, { or }`,
    );
  }
  return path;
}

function parsePort(text: string): number | null {
  if (!/^[0-9]{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}
