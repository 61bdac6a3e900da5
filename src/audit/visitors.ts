/**
 * The visitors of an audit: who asks, with which credentials, and the marker texts that appear
 * only in pages made for them. Credentials are validated here and never printed anywhere: reports
 * name the headers and cookies a visitor sends, not their values.
 *
 * @module
 */

/**
 * One visitor: a name and the credentials it sends with every request. A visitor with no cookies
 * and no headers but `Pragma`, `Fastly-Debug`, `Accept`, `Accept-Language` or `User-Agent` is
 * anonymous.
 *
 * @example
 * ```ts
 * import type { AuditVisitor } from "@cachewise/cachewise/audit";
 *
 * const alice: AuditVisitor = { name: "alice", cookies: ["sessionid=abc123; isauthenticated=1"] };
 * const robot: AuditVisitor = { name: "robot", headers: [["Authorization", "Bearer t0ken"]] };
 * const anonymous: AuditVisitor = { name: "anonymous" };
 * ```
 */
export interface AuditVisitor {
  /** Letters, digits, `.`, `_` and `-`, starting with a letter or digit; unique. */
  readonly name: string;
  /** `Cookie` header values (`"a=1; b=2"`), sent joined by `"; "`. @default [] */
  readonly cookies?: readonly string[];
  /** Other request headers, `[name, value]`. @default [] */
  readonly headers?: readonly (readonly [string, string])[];
}

/** A visitor validated: the request headers it sends, and what reports may say about them. */
export interface PreparedVisitor {
  /** The visitor's name. */
  readonly name: string;
  /** Whether it sends no credentials: no cookie, only headers that carry no identity. */
  readonly anonymous: boolean;
  /** Every request header it sends, `Cookie` included. */
  readonly headers: readonly (readonly [string, string])[];
  /** What it sends, values left out: `["Cookie (sessionid, isauthenticated)", "Authorization"]`. */
  readonly sends: readonly string[];
  /** The cookie names it sends. */
  readonly cookieNames: readonly string[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** No control characters but tab: a value that could end a header line never gets through. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\uffff]*$/;
/**
 * Headers a visitor may not send: they would aim the request elsewhere (`Host`), break the
 * framing, or ask the caches to step aside (`Cache-Control`, conditionals, ranges), and then the
 * audit would no longer see what the caches do for a plain visit.
 */
const REFUSED_HEADERS: ReadonlySet<string> = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "keep-alive",
  "expect",
  "cache-control",
  "range",
  "if-match",
  "if-none-match",
  "if-modified-since",
  "if-unmodified-since",
  "if-range",
]);

/**
 * Headers that carry no identity: a visitor sending only these is still anonymous. `Pragma` asks
 * Akamai for its debug headers (`akamai-x-cache-on`), `Fastly-Debug` asks Fastly for more.
 */
const NEUTRAL_HEADERS: ReadonlySet<string> = new Set([
  "pragma",
  "fastly-debug",
  "accept",
  "accept-language",
  "user-agent",
]);

/** The most visitors an audit takes. */
export const MAX_VISITORS = 20;

/**
 * Reads one `--visitor NAME=SPEC` of the command line, where SPEC is `anonymous`,
 * `cookie:<Cookie header value>` or `header:<Name>: <value>`. Throws a `TypeError` naming what is
 * wrong. Several specs with one name make one visitor (see {@link mergeVisitors}).
 *
 * @param text The argument, such as `alice=cookie:sessionid=abc`.
 * @returns The visitor it describes.
 *
 * @example
 * ```ts
 * import { parseVisitor } from "@cachewise/cachewise/audit";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseVisitor("alice=cookie:sessionid=abc"), {
 *   name: "alice",
 *   cookies: ["sessionid=abc"],
 * });
 * assert.deepEqual(parseVisitor("bot=header:Authorization: Bearer x"), {
 *   name: "bot",
 *   headers: [["Authorization", "Bearer x"]],
 * });
 * assert.deepEqual(parseVisitor("anon=anonymous"), { name: "anon" });
 * assert.throws(() => parseVisitor("alice=password:x"), TypeError);
 * ```
 */
export function parseVisitor(text: string): AuditVisitor {
  const equals = text.indexOf("=");
  const name = equals < 0 ? "" : text.slice(0, equals);
  const spec = equals < 0 ? "" : text.slice(equals + 1);
  if (!NAME.test(name)) {
    throw new TypeError(
      `Visitor ${JSON.stringify(text)} must read NAME=SPEC, NAME of letters, digits, ".", "_", "-"`,
    );
  }
  if (spec === "anonymous") return { name };
  if (spec.startsWith("cookie:")) return { name, cookies: [spec.slice("cookie:".length)] };
  if (spec.startsWith("header:")) {
    const header = spec.slice("header:".length);
    const colon = header.indexOf(":");
    if (colon < 0) {
      throw new TypeError(`Visitor ${name}: write a header as header:Name: value`);
    }
    return { name, headers: [[header.slice(0, colon).trim(), header.slice(colon + 1).trim()]] };
  }
  throw new TypeError(
    `Visitor ${name}: SPEC must be anonymous, cookie:<Cookie value> or header:<Name>: <value>`,
  );
}

/**
 * Merges visitors of the same name, in the order their names first appear: the command line's
 * repeated `--visitor alice=…` become one visitor carrying every cookie and header given.
 *
 * @example
 * ```ts
 * import { mergeVisitors, parseVisitor } from "@cachewise/cachewise/audit";
 * import assert from "node:assert/strict";
 *
 * const merged = mergeVisitors(
 *   ["alice=cookie:sid=1", "bob=anonymous", "alice=header:X-Team: blue"].map(parseVisitor),
 * );
 * assert.deepEqual(merged, [
 *   { name: "alice", cookies: ["sid=1"], headers: [["X-Team", "blue"]] },
 *   { name: "bob", cookies: [], headers: [] },
 * ]);
 * ```
 */
export function mergeVisitors(visitors: readonly AuditVisitor[]): AuditVisitor[] {
  const byName = new Map<string, { cookies: string[]; headers: (readonly [string, string])[] }>();
  for (const visitor of visitors) {
    const merged = byName.get(visitor.name) ?? { cookies: [], headers: [] };
    merged.cookies.push(...(visitor.cookies ?? []));
    merged.headers.push(...(visitor.headers ?? []));
    byName.set(visitor.name, merged);
  }
  return [...byName].map(([name, { cookies, headers }]) => ({ name, cookies, headers }));
}

/** Validates the visitors (option path `visitors`); throws a `TypeError` naming the first fault. */
export function prepareVisitors(visitors: readonly AuditVisitor[]): PreparedVisitor[] {
  if (!Array.isArray(visitors) || visitors.length === 0) {
    throw new TypeError("Option visitors must list at least one visitor");
  }
  if (visitors.length > MAX_VISITORS) {
    throw new RangeError(`Option visitors lists ${visitors.length} visitors; at most 20`);
  }
  const seen = new Set<string>();
  return visitors.map((visitor, index) => {
    const path = `visitors[${index}]`;
    const name = visitor?.name;
    if (typeof name !== "string" || !NAME.test(name)) {
      throw new TypeError(`Option ${path}.name must be letters, digits, ".", "_", "-"`);
    }
    if (seen.has(name)) throw new TypeError(`Option ${path}.name: visitor "${name}" is repeated`);
    seen.add(name);
    return prepareOne(visitor, path);
  });
}

function prepareOne(visitor: AuditVisitor, path: string): PreparedVisitor {
  const cookies = visitor.cookies ?? [];
  const headers: [string, string][] = [];
  const sends: string[] = [];
  const cookieNames: string[] = [];
  cookies.forEach((cookie, index) => {
    if (typeof cookie !== "string" || cookie.trim() === "" || !FIELD_VALUE.test(cookie)) {
      throw new TypeError(`Option ${path}.cookies[${index}] must be a Cookie header value`);
    }
    for (const pair of cookie.split(";")) {
      const cookieName = pair.split("=")[0]!.trim();
      if (cookieName !== "") cookieNames.push(cookieName);
    }
  });
  if (cookies.length > 0) {
    headers.push(["cookie", cookies.map((cookie) => cookie.trim()).join("; ")]);
    sends.push(`Cookie (${cookieNames.join(", ")})`);
  }
  (visitor.headers ?? []).forEach((header, index) => {
    const [name, value] = Array.isArray(header) ? header : [];
    const at = `${path}.headers[${index}]`;
    if (typeof name !== "string" || !TOKEN.test(name)) {
      throw new TypeError(`Option ${at}: ${JSON.stringify(name)} is not a header name`);
    }
    if (typeof value !== "string" || !FIELD_VALUE.test(value)) {
      throw new TypeError(`Option ${at}: the value of ${name} must be text without line breaks`);
    }
    const lower = name.toLowerCase();
    if (REFUSED_HEADERS.has(lower) || lower.startsWith("proxy-")) {
      throw new TypeError(`Option ${at}: a visitor may not send ${name}`);
    }
    if (lower === "pragma" && /no-cache/i.test(value)) {
      throw new TypeError(`Option ${at}: Pragma: no-cache would make the caches step aside`);
    }
    if (lower === "cookie") {
      throw new TypeError(
        `Option ${at}: give cookies in ${path}.cookies (cookie: on the command line)`,
      );
    }
    headers.push([name, value]);
    sends.push(name);
  });
  const anonymous = cookies.length === 0 &&
    headers.every(([name]) => NEUTRAL_HEADERS.has(name.toLowerCase()));
  return { name: visitor.name, anonymous, headers, sends, cookieNames };
}
