/**
 * The keyed mode: a shared cache the application runs keys its entries on the session cookie
 * (per-user pages) or on the sign-in marker cookie (anonymous-only and
 * anonymous-and-authenticated pages), plus any key cookies. cachewise keeps the marker in step
 * with the identity, and refuses to let a request whose cookies disagree with the identity put
 * anything into the shared cache.
 *
 * @module
 */

import {
  type CookieReading,
  type MarkerCookieAttributes,
  markerSetCookie,
  readCookie,
} from "../headers/cookies.ts";
import type { KeyedConfig } from "../config/keyed.ts";
import type { Identity } from "../config/policies.ts";
import type { CacheDecision } from "./decision.ts";
import { withWritePlan } from "./write_plan.ts";

/** What the request's identity cookies say. */
export interface IdentityCookies {
  readonly session: CookieReading;
  readonly marker: CookieReading;
  /** Why a key cookie could be read differently by the proxy, if one could. */
  readonly ambiguousKey: string | null;
}

/**
 * The identity cookies of a request, or `null` when it carries neither and every key cookie
 * reads unambiguously (nothing to check against the identity).
 */
export function readIdentityCookies(request: Request, keyed: KeyedConfig): IdentityCookies | null {
  const header = request.headers.get("cookie");
  if (header === null) return null;
  const session = readCookie(header, keyed.sessionCookie);
  const marker = readCookie(header, keyed.signInCookie);
  let ambiguousKey: string | null = null;
  for (const name of keyed.keyCookies) {
    const reading = readCookie(header, name);
    if (reading.state === "ambiguous") ambiguousKey = reading.why;
  }
  if (session.state === "absent" && marker.state === "absent" && ambiguousKey === null) return null;
  return { session, marker, ambiguousKey };
}

/**
 * A response that sets the session cookie signs someone in; one that expires it signs them out.
 * The marker follows in the same response, so the very next request is keyed right. `null` when
 * the response leaves the session cookie alone or manages the marker itself.
 *
 * @param headers The response's headers.
 */
export function markerFromResponse(headers: Headers, keyed: KeyedConfig): Mismatch | null {
  let action: "set" | "clear" | null = null;
  for (const cookie of headers.getSetCookie()) {
    const pair = cookie.split(";", 1)[0]!;
    const equals = pair.indexOf("=");
    const name = pair.slice(0, equals < 0 ? pair.length : equals).trim();
    if (name === keyed.signInCookie) return null;
    if (name !== keyed.sessionCookie) continue;
    const value = equals < 0 ? "" : pair.slice(equals + 1).trim();
    action = value === "" || expires(cookie) ? "clear" : "set";
  }
  if (action === null) return null;
  const why = action === "set"
    ? "the response sets the session cookie"
    : "the response ends the session";
  return { why, marker: action, forged: false };
}

function expires(setCookie: string): boolean {
  const maxAge = /;\s*max-age\s*=\s*(-?\d+)/i.exec(setCookie);
  if (maxAge !== null) return Number(maxAge[1]) <= 0;
  const date = /;\s*expires\s*=\s*([^;]+)/i.exec(setCookie);
  return date !== null && Date.parse(date[1]!) <= Date.now();
}

/** How the cookies disagree with the identity, if they do. */
export interface Mismatch {
  /** Why, for the explanation. */
  readonly why: string;
  /** The marker cookie to write: set it, clear it, or leave it. */
  readonly marker: "set" | "clear" | null;
  /** Whether the marker claims a sign-in the identity denies. */
  readonly forged: boolean;
}

/** Compares the identity cookies with the identity; `null` when they agree. */
export function findMismatch(cookies: IdentityCookies, identity: Identity | null): Mismatch | null {
  const { session, marker } = cookies;
  if (cookies.ambiguousKey !== null) {
    return { why: cookies.ambiguousKey, marker: null, forged: false };
  }
  if (session.state === "ambiguous") return { why: session.why, marker: null, forged: false };
  if (marker.state === "ambiguous") return { why: marker.why, marker: null, forged: false };
  const hasSession = session.state === "present";
  const hasMarker = marker.state === "present";
  if (identity != null) {
    if (hasSession && !hasMarker) {
      return { why: "signed in without the marker", marker: "set", forged: false };
    }
    if (hasMarker && !hasSession) {
      return { why: "the marker without a session cookie", marker: null, forged: false };
    }
    return null;
  }
  if (hasMarker) {
    return { why: "the marker on an anonymous identity", marker: "clear", forged: true };
  }
  if (hasSession) {
    return { why: "a session cookie on an anonymous identity", marker: null, forged: false };
  }
  return null;
}

/**
 * The decision for a request whose cookies disagree with its identity: never shared-cached, the
 * marker set or cleared, or (with `onForgedSignIn: "reject"`) a 400.
 */
export function mismatchDecision(
  decision: CacheDecision,
  mismatch: Mismatch,
  keyed: KeyedConfig,
  identity: Identity | null,
  uncached: CacheDecision,
  handlerForbidsSharing: boolean,
): CacheDecision {
  const setCookie = mismatch.marker === null ? null : markerSetCookie(
    keyed.signInCookie,
    mismatch.marker === "set" ? "1" : null,
    keyed.attributes,
    markerMaxAge(keyed.attributes, identity),
  );
  // A handler's private or no-store stays; anything else becomes the uncached value.
  const keepsHandler = decision.reason === "handler-cache-control" && handlerForbidsSharing;
  return withWritePlan({
    ...(keepsHandler ? decision : uncached),
    reason: keepsHandler ? decision.reason : "identity-mismatch",
    mismatch: mismatch.why,
    setCookie,
    rejects: mismatch.forged && keyed.onForgedSignIn === "reject",
    neutralisesTargetedLifetimes: true,
  });
}

/**
 * Whether a request came over plain HTTP as the browser saw it, so that a `Secure` marker set in
 * the answer is dropped: an `http:` URL, no `X-Forwarded-Proto: https` or `Forwarded: proto=https`
 * from a TLS terminator in front, and a host other than loopback (Chrome and Firefox accept
 * `Secure` cookies from `http://localhost`). Only a diagnostic: a client that sends those headers
 * itself only hides the warning. Called on keyed requests that involve the marker; the first
 * test returns at once for `https:` URLs.
 */
export function cameOverPlainHttp(request: Request): boolean {
  const url = request.url;
  if (!url.startsWith("http:")) return false;
  const headers = request.headers;
  if (HTTPS_FIRST.test(headers.get("x-forwarded-proto") ?? "")) return false;
  if (PROTO_HTTPS.test(headers.get("forwarded") ?? "")) return false;
  return !LOOPBACK.test(new URL(url).hostname);
}

const HTTPS_FIRST = /^\s*https\s*(?:,|$)/i;
const PROTO_HTTPS = /(?:^|[;,\s])proto\s*=\s*"?https"?\s*(?:$|[;,])/i;
const LOOPBACK = /^(?:localhost|[^/]*\.localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** The same decision, reporting that the `Secure` marker cannot reach the browser. */
export function withSecureMarkerWarning(decision: CacheDecision): CacheDecision {
  return withWritePlan({ ...decision, warning: "secure-marker-over-http" });
}

function markerMaxAge(
  attributes: MarkerCookieAttributes,
  identity: Identity | null,
): number | undefined {
  const maxAge = attributes.maxAge;
  if (typeof maxAge !== "function") return maxAge;
  if (identity == null) return undefined;
  const seconds = maxAge(identity);
  return Number.isSafeInteger(seconds) && seconds! >= 0 ? seconds : undefined;
}
