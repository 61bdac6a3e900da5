/**
 * The debug header's value and how it is added to a response; public through `./debug.ts`.
 *
 * @module
 */

import type { CacheDecision } from "../decide/decision.ts";

/** The default name of the debug header. */
export const DEBUG_HEADER = "X-Cachewise";

const PRINTABLE_ASCII = /[^\x20-\x7e]/gu;

/**
 * Formats a decision as the debug header's value: an sf-item `cachewise` with parameters
 * `reason` (token), `rule` (sf-string, the pattern as declared), `policy` (sf-string), `ttl` (the
 * rule's lifetime in seconds), `audience` (token), `shared` (boolean, present when cachewise
 * wrote `Cache-Control`) and `warning` (token, keyed mode: `secure-marker-over-http` when the
 * sign-in marker is `Secure` and the request came over plain HTTP, so browsers drop it). Nothing
 * about who asked is included.
 *
 * @example
 * ```ts
 * import { cacheHeaders } from "@cachewise/cachewise";
 * import { formatDebugHeader } from "@cachewise/cachewise/debug";
 * import assert from "node:assert/strict";
 *
 * const apply = cacheHeaders({ timeouts: { "all-users": { "1h": ["/static/*"] } } });
 * const decision = apply.explain(new Request("https://example.com/static/a.css"), new Response("a"));
 * assert.equal(
 *   formatDebugHeader(decision),
 *   'cachewise; reason=rule; rule="/static/*"; policy="all-users"; ttl=3600; shared=?1',
 * );
 * assert.equal(
 *   formatDebugHeader(apply.explain(new Request("https://example.com/x"), new Response("x"))),
 *   "cachewise; reason=no-rule; shared=?0",
 * );
 * ```
 */
export function formatDebugHeader(decision: CacheDecision): string {
  const parts = ["cachewise", `reason=${sfToken(decision.reason)}`];
  const rule = decision.rule;
  if (rule !== null) {
    parts.push(`rule=${sfString(readablePattern(rule.pattern))}`);
    parts.push(`policy=${sfString(rule.policy)}`);
    parts.push(`ttl=${Number.isSafeInteger(rule.lifetime) ? rule.lifetime : 0}`);
  }
  if (decision.audience !== null) parts.push(`audience=${sfToken(decision.audience)}`);
  if (decision.cacheControl !== null) parts.push(`shared=${decision.shared ? "?1" : "?0"}`);
  if (decision.warning !== null) parts.push(`warning=${sfToken(decision.warning)}`);
  return parts.join("; ");
}

/**
 * Sets the debug header on what `apply()` produced from `original`. A response `apply()` built
 * is changed in place; the handler's own response (its `Cache-Control` kept) is copied first, so
 * the handler's object, whose headers may be immutable or shared, is never touched. Never throws.
 */
export function _addDebugHeader(
  response: Response,
  original: Response,
  decision: CacheDecision,
  name: string,
): Response {
  if (decision.reason === "not-rebuildable") return response;
  const value = formatDebugHeader(decision);
  try {
    if (response !== original) {
      response.headers.set(name, value);
      return response;
    }
    const headers = new Headers(response.headers);
    headers.set(name, value);
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  } catch {
    return response;
  }
}

/** A rule's pattern as declared: `"/a/:id"` unquoted; an object pattern as described. */
function readablePattern(described: string): string {
  if (!described.startsWith('"')) return described;
  try {
    const parsed: unknown = JSON.parse(described);
    return typeof parsed === "string" ? parsed : described;
  } catch {
    return described;
  }
}

/** An sf-string (RFC 8941 §3.3.3): printable ASCII, `"` and `\` escaped, others %-encoded. */
function sfString(value: string): string {
  const printable = value.replace(PRINTABLE_ASCII, (char) => encodeURIComponent(char));
  return `"${printable.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}

/** An sf-token (RFC 8941 §3.3.4) for cachewise's own vocabulary; anything else as a string. */
function sfToken(value: string): string {
  return /^[A-Za-z*][!#$%&'*+.^_`|~0-9A-Za-z:/-]*$/.test(value) ? value : sfString(value);
}
