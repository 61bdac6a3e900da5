/**
 * Option `keyed`: the cookies a shared cache the application runs keys its entries on, and the
 * sign-in marker's attributes, validated. What the keyed mode decides per request is in
 * `decide/keyed.ts`.
 *
 * @module
 */

import { _pathOf, type _ProblemList, _quote } from "./errors.ts";
import { isCookieName, type MarkerCookieAttributes } from "../headers/cookies.ts";

/**
 * Options of the keyed mode (`keyed` in the options).
 *
 * @example
 * ```ts
 * import { cacheHeaders, type KeyedOptions } from "@cachewise/cachewise";
 * import assert from "node:assert/strict";
 *
 * const keyed: KeyedOptions = { sessionCookie: "sessionid", keyCookies: ["messages"] };
 * const apply = cacheHeaders({ timeouts: { "per-user": { 60: ["/account/*"] } }, keyed });
 * const request = new Request("https://example.com/account/", {
 *   headers: { cookie: "sessionid=abc; isauthenticated=1" },
 * });
 * const page = apply(request, new Response("mine"), { id: "ann" });
 * assert.equal(page.headers.get("cache-control"), "private, max-age=5");
 * assert.equal(page.headers.get("x-accel-expires"), "60");
 * assert.equal(page.headers.get("x-hash-cookies"), "sessionid, messages");
 * ```
 */
export interface KeyedOptions {
  /** The session cookie the shared cache keys per-user pages on, such as `"sessionid"`. */
  readonly sessionCookie: string;
  /**
   * The sign-in marker: present exactly while a user is signed in. The shared cache keys
   * anonymous-only and anonymous-and-authenticated pages on its presence. cachewise sets it when
   * a signed-in identity arrives without it, and clears it when an anonymous one arrives with it.
   * @default "isauthenticated"
   */
  readonly signInCookie?: string;
  /** Cookies that always take part in the key, such as a flash-message cookie. @default [] */
  readonly keyCookies?: readonly string[];
  /** Attributes of the marker cookie. @default { path: "/", secure: true, httpOnly: true, sameSite: "Lax" } */
  readonly signInCookieAttributes?: MarkerCookieAttributes;
  /**
   * A request that carries the marker while its identity is anonymous (a forged marker, or a
   * session that ended): `"uncached"` clears the marker and sends the page uncached; `"reject"`
   * answers 400 and clears the marker, as the seed did.
   * @default "uncached"
   */
  readonly onForgedSignIn?: "uncached" | "reject";
}

/** The keyed options after validation. */
export interface KeyedConfig {
  readonly sessionCookie: string;
  readonly signInCookie: string;
  readonly keyCookies: readonly string[];
  readonly attributes: MarkerCookieAttributes;
  readonly onForgedSignIn: "uncached" | "reject";
}

/** A cookie attribute value: no `;`, no whitespace, no control characters. */
const ATTRIBUTE_VALUE = /^[\x21-\x3a\x3c-\x7e]+$/;
const ATTRIBUTE_NAMES = new Set(["path", "domain", "secure", "httpOnly", "sameSite", "maxAge"]);
const KEYED_NAMES = new Set([
  "sessionCookie",
  "signInCookie",
  "keyCookies",
  "signInCookieAttributes",
  "onForgedSignIn",
]);

/** Validates the `keyed` option; `null` when it is absent or wrong (the problems say why). */
export function readKeyed(value: unknown, problems: _ProblemList): KeyedConfig | null {
  if (value === undefined) return null;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.add(
      "invalid-option",
      "keyed",
      `Option "keyed" must be an object, not ${_quote(value)}`,
    );
    return null;
  }
  const given = value as Record<string, unknown>;
  const before = problems.size;
  for (const key of Object.keys(given)) {
    if (!KEYED_NAMES.has(key)) {
      problems.add(
        "invalid-option",
        `keyed.${key}`,
        `Option "keyed.${key}" is not a keyed-mode option`,
      );
    }
  }
  const sessionCookie = cookieName(given.sessionCookie, "keyed.sessionCookie", problems, undefined);
  const signInCookie = cookieName(
    given.signInCookie,
    "keyed.signInCookie",
    problems,
    "isauthenticated",
  );
  const keyCookies = readKeyCookies(given.keyCookies, problems);
  const names = [sessionCookie, signInCookie, ...keyCookies].map((name) => name.toLowerCase());
  if (new Set(names).size !== names.length) {
    problems.add(
      "invalid-option",
      "keyed",
      `Cookies in "keyed" must be distinct (names compare case-insensitively): ${
        names.map((n) => _quote(n)).join(", ")
      }`,
    );
  }
  const attributes = readAttributes(given.signInCookieAttributes, problems);
  const onForgedSignIn = given.onForgedSignIn ?? "uncached";
  if (onForgedSignIn !== "uncached" && onForgedSignIn !== "reject") {
    problems.add(
      "invalid-option",
      "keyed.onForgedSignIn",
      `Option "keyed.onForgedSignIn" must be "uncached" or "reject", not ${_quote(onForgedSignIn)}`,
    );
  }
  if (problems.size > before) return null;
  return {
    sessionCookie,
    signInCookie,
    keyCookies,
    attributes,
    onForgedSignIn: onForgedSignIn as "uncached" | "reject",
  };
}

function readKeyCookies(value: unknown, problems: _ProblemList): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.add(
      "invalid-option",
      "keyed.keyCookies",
      `Option "keyed.keyCookies" must be an array of cookie names, not ${_quote(value)}`,
    );
    return [];
  }
  return value.map((name, index) =>
    cookieName(name, _pathOf("keyed.keyCookies", index), problems, undefined)
  );
}

function cookieName(
  value: unknown,
  path: string,
  problems: _ProblemList,
  fallback: string | undefined,
  what = "a cookie name",
): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (isCookieName(value)) return value;
  problems.add("invalid-option", path, `Option "${path}" must be ${what}, not ${_quote(value)}`);
  return fallback ?? "";
}

function readAttributes(value: unknown, problems: _ProblemList): MarkerCookieAttributes {
  if (value === undefined) return {};
  const path = "keyed.signInCookieAttributes";
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.add(
      "invalid-option",
      path,
      `Option "${path}" must be an object, not ${_quote(value)}`,
    );
    return {};
  }
  const given = value as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!ATTRIBUTE_NAMES.has(key)) {
      problems.add(
        "invalid-option",
        `${path}.${key}`,
        `Option "${path}.${key}" is not a cookie attribute cachewise writes`,
      );
    }
  }
  for (const key of ["path", "domain"]) {
    const text = given[key];
    if (text !== undefined && (typeof text !== "string" || !ATTRIBUTE_VALUE.test(text))) {
      problems.add(
        "invalid-option",
        `${path}.${key}`,
        `Option "${path}.${key}" ${
          _quote(text)
        } must be text without ";", spaces or control characters`,
      );
    }
  }
  for (const key of ["secure", "httpOnly"]) {
    if (given[key] !== undefined && typeof given[key] !== "boolean") {
      problems.add(
        "invalid-option",
        `${path}.${key}`,
        `Option "${path}.${key}" must be true or false, not ${_quote(given[key])}`,
      );
    }
  }
  const sameSite = given.sameSite;
  if (
    sameSite !== undefined && sameSite !== "Strict" && sameSite !== "Lax" && sameSite !== "None"
  ) {
    problems.add(
      "invalid-option",
      `${path}.sameSite`,
      `Option "${path}.sameSite" must be "Strict", "Lax" or "None", not ${_quote(sameSite)}`,
    );
  }
  if (sameSite === "None" && given.secure === false) {
    problems.add(
      "invalid-option",
      `${path}.sameSite`,
      `Option "${path}.sameSite" "None" needs secure: browsers refuse SameSite=None without Secure`,
    );
  }
  const maxAge = given.maxAge;
  if (
    maxAge !== undefined && typeof maxAge !== "function" &&
    !(Number.isSafeInteger(maxAge) && (maxAge as number) >= 0)
  ) {
    problems.add(
      "invalid-option",
      `${path}.maxAge`,
      `Option "${path}.maxAge" must be whole seconds ≥ 0 or a function of the identity, not ${
        _quote(maxAge)
      }`,
    );
  }
  return given as MarkerCookieAttributes;
}
