/**
 * Models of the caches in front of an application, shared by the keyed-mode property tests and
 * the hostile-input tests: how nginx reads a cookie, how a typical application reads one, how
 * `http-cache-semantics` is fed, and whether a response would be kept by any shared cache.
 */

import type CachePolicy from "http-cache-semantics";
import type { CacheControl, Policy } from "../mod.ts";

/**
 * A cookie as nginx's `$cookie_NAME` reads it (`ngx_http_parse_multi_header_lines`): the `Cookie`
 * header lines in order, each scanned pair by pair; a pair starts after `;` or `,` and any
 * spaces (0x20 only, not tabs); its name is compared case-insensitively, then optional spaces,
 * `=`, optional spaces, and the value runs to the next `;` (a `,` does not end it). The first
 * match wins; `null` when there is none.
 */
export function nginxCookie(lines: readonly string[], name: string): string | null {
  const wanted = asciiLower(name);
  for (const line of lines) {
    if (name.length > line.length) continue;
    let at = 0;
    while (at < line.length) {
      if (asciiLower(line.slice(at, at + name.length)) === wanted) {
        let cursor = at + name.length;
        while (cursor < line.length && line[cursor] === " ") cursor++;
        if (cursor < line.length && line[cursor] === "=") {
          cursor++;
          while (cursor < line.length && line[cursor] === " ") cursor++;
          const end = line.indexOf(";", cursor);
          return line.slice(cursor, end < 0 ? line.length : end);
        }
        // nginx consumes the character that was not `=` before skipping (`*start++ != '='`).
        at = cursor < line.length ? cursor + 1 : cursor;
      }
      while (at < line.length) {
        const ch = line[at++];
        if (ch === ";" || ch === ",") break;
      }
      while (at < line.length && line[at] === " ") at++;
    }
  }
  return null;
}

/** Lower-cases ASCII letters only, as `ngx_strncasecmp` does. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => String.fromCharCode(letter.charCodeAt(0) + 32));
}

/** Which duplicate an application's cookie parser keeps. */
export type AppCookieParser = "first" | "last";

/**
 * A cookie as a typical application reads the `Cookie` header it is given (Django's
 * `parse_cookie`, Hono's `getCookie`): split on `;`, names and values trimmed of whitespace,
 * names compared exactly; Django keeps the last duplicate, others the first.
 */
export function appCookie(
  header: string | null,
  name: string,
  parser: AppCookieParser,
): string | null {
  if (header === null) return null;
  let found: string | null = null;
  for (const chunk of header.split(";")) {
    const equals = chunk.indexOf("=");
    const key = (equals < 0 ? "" : chunk.slice(0, equals)).trim();
    const value = (equals < 0 ? chunk : chunk.slice(equals + 1)).trim();
    if (key !== name) continue;
    if (parser === "first") return value;
    found = value;
  }
  return found;
}

/** A request as `http-cache-semantics` takes it. */
export interface CacheRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
}

/** A response as `http-cache-semantics` takes it. */
export interface CacheResponse {
  status: number;
  headers: Record<string, string>;
}

/** The request, lower-case header names, with the `host` a server would see. */
export function cacheRequestOf(request: Request): CacheRequest {
  const headers: Record<string, string> = { host: new URL(request.url).host };
  for (const [name, value] of request.headers) headers[name.toLowerCase()] = value;
  return { url: request.url, method: request.method, headers };
}

/**
 * The response as a downstream cache sees it. `Set-Cookie` is left out: RFC 9111 §7.3 lets a
 * shared cache store and replay it, while http-cache-semantics would refuse to serve it (unless
 * `public`) and so hide a leak. With `ignoreVary`, `Vary` is left out too (a URL-only cache).
 * `X-Accel-Expires` and `X-Hash-Cookies` are left out: the keyed proxy strips them.
 */
export function downstreamResponseOf(
  status: number,
  headers: Headers,
  ignoreVary: boolean,
): CacheResponse {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === "set-cookie" || lower === "x-accel-expires" || lower === "x-hash-cookies") {
      continue;
    }
    if (ignoreVary && lower === "vary") continue;
    out[lower] = value;
  }
  return { status, headers: out };
}

/** Whether a stored response may be handed out for a request (HEAD may also take a GET's). */
export function reusable(policy: CachePolicy, request: CacheRequest): boolean {
  if (policy.satisfiesWithoutRevalidation(request)) return true;
  return request.method === "HEAD" &&
    policy.satisfiesWithoutRevalidation({ ...request, method: "GET" });
}

const PRIVATE_OR_NO_STORE = /(?:^|[\s,])(?:private|no-store)(?:$|[\s,=])/i;
const NO_STORE = /(?:^|[\s,])no-store(?:$|[\s,=])/i;
const POSITIVE_MAX_AGE = /(?:^|[\s,])max-age\s*=\s*"?0*[1-9]/i;
const POSITIVE_S_MAXAGE = /(?:^|[\s,])s-maxage\s*=\s*"?0*[1-9]/i;
const PUBLIC = /(?:^|[\s,])public(?:$|[\s,=])/i;

/** Targeted fields (RFC 9213 and vendors') that a CDN reads instead of `Cache-Control`. */
export const TARGETED_FIELDS = [
  "surrogate-control",
  "cdn-cache-control",
  "cloudflare-cdn-cache-control",
  "vercel-cdn-cache-control",
  "netlify-cdn-cache-control",
  "deno-cdn-cache-control",
] as const;

/** The built-in policies, as the end-to-end app names them. */
export { POLICIES, type PolicyName } from "./testdata/e2e_app.ts";

/** Every target of option `targets`, in the order the README lists them. */
export const TARGETS = ["s-maxage", "x-accel-expires", ...TARGETED_FIELDS] as const;
/** A target name. */
export type Target = typeof TARGETS[number];

/** Every header besides `Cache-Control` that carries a shared lifetime: nginx's and the targeted fields. */
export const LIFETIME_FIELDS: readonly string[] = ["x-accel-expires", ...TARGETED_FIELDS];

/**
 * Cache-tag headers, lower-case, with the separator each vendor reads between tags: Fastly's
 * `Surrogate-Key` and Varnish's `xkey` spaces, Cloudflare's `Cache-Tag` and Akamai's
 * `Edge-Cache-Tag` commas.
 */
export const TAG_HEADERS = {
  "surrogate-key": " ",
  "cache-tag": ",",
  "edge-cache-tag": ",",
  "xkey": " ",
  "netlify-cache-tag": ",",
  "vercel-cache-tag": ",",
  "deno-cache-tag": ",",
} as const;

/**
 * Why some shared cache would keep this response and hand it to other visitors, or an empty
 * list: `Cache-Control` without `private`/`no-store` but with `s-maxage`, `public` or a positive
 * `max-age` (Varnish, Fastly, RFC 9111); a positive `X-Accel-Expires` (nginx overrides
 * `private`); a targeted field with a positive `max-age` and no `no-store` (RFC 9213, Fastly,
 * Akamai). A 200 without any `Cache-Control` counts too: Varnish keeps it for 120 s.
 */
export function sharedCacheableBecause(headers: Headers, status = 200): string[] {
  const reasons: string[] = [];
  const cacheControl = headers.get("cache-control");
  if (cacheControl === null) {
    if (status === 200) reasons.push("no Cache-Control (Varnish default_ttl)");
  } else if (!PRIVATE_OR_NO_STORE.test(cacheControl)) {
    if (
      POSITIVE_S_MAXAGE.test(cacheControl) || PUBLIC.test(cacheControl) ||
      POSITIVE_MAX_AGE.test(cacheControl)
    ) {
      reasons.push(`Cache-Control: ${cacheControl}`);
    }
  }
  const accel = headers.get("x-accel-expires");
  if (accel !== null && !/^\s*0*\s*$/.test(accel)) reasons.push(`X-Accel-Expires: ${accel}`);
  for (const name of TARGETED_FIELDS) {
    const value = headers.get(name);
    if (value !== null && !NO_STORE.test(value) && POSITIVE_MAX_AGE.test(value)) {
      reasons.push(`${name}: ${value}`);
    }
  }
  return reasons;
}

/**
 * Custom policies the properties register next to the built-in ones, each returning one kind of
 * result: the issue-18 case `{ noCache: true, maxAge: 60 }`, shared lifetimes in `s-maxage` or in
 * `max-age` alone, `private`, `no-store`, and the rule's own lifetime (0 included).
 */
export const CUSTOM_RESULTS = {
  "custom-no-cache": () => ({ noCache: true, maxAge: 60 }),
  "custom-s-maxage": () => ({ maxAge: 30, sMaxage: 600 }),
  "custom-max-age": () => ({ maxAge: 120 }),
  "custom-private": () => ({ private: true, maxAge: 60 }),
  "custom-no-store": () => ({ noStore: true }),
  "custom-lifetime": (lifetime: number) => ({ maxAge: lifetime, sMaxage: lifetime }),
} as const satisfies Record<string, (lifetime: number) => CacheControl>;

/** The name of one of {@link CUSTOM_RESULTS}. */
export type CustomPolicyName = keyof typeof CUSTOM_RESULTS;
/** Every custom policy name, for generators. */
export const CUSTOM_POLICY_NAMES = Object.keys(CUSTOM_RESULTS) as CustomPolicyName[];

/** Whether a policy name is one of the custom policies above. */
export function isCustomPolicy(name: string): name is CustomPolicyName {
  return Object.hasOwn(CUSTOM_RESULTS, name);
}

/** Option `policies` registering every custom policy above. */
export const CUSTOM_POLICIES: Readonly<Record<string, Policy>> = Object.fromEntries(
  CUSTOM_POLICY_NAMES.map((name): [string, Policy] => [
    name,
    ({ lifetime }) => ({ cacheControl: CUSTOM_RESULTS[name](lifetime) }),
  ]),
);

/**
 * The lifetime for which a shared cache may reuse a custom policy's result without asking, by
 * RFC 9111 alone (written from §5.2.2, not from cachewise): `null` when it says `private`,
 * `no-store` or `no-cache` (reuse needs revalidation), or has no positive `s-maxage` or `max-age`;
 * else `s-maxage`, falling back to `max-age`. cachewise must also make the result private for a
 * signed-in visitor or a request with `Authorization`: callers check that themselves.
 */
export function customSharedLifetime(name: CustomPolicyName, lifetime: number): number | null {
  const result: Partial<Record<string, number | boolean>> = CUSTOM_RESULTS[name](lifetime);
  if (result.private || result.noStore || result.noCache) return null;
  const seconds = Number(result.sMaxage ?? result.maxAge ?? 0);
  return seconds > 0 ? seconds : null;
}
