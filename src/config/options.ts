/**
 * Options: their types, defaults, and validation into one normalised configuration. Every problem
 * is found before anything is thrown, so one error lists all of them.
 *
 * @module
 */

import { _pathOf, type _ProblemList, _quote } from "./errors.ts";
import { type Lifetime, parseLifetime } from "./duration.ts";
import { readTagHeaders, readTargets } from "./header_choices.ts";
import { checkKeyedOnCdn, readCdn, withCdnTagHeader, withCdnTarget } from "./cdn.ts";
import { type KeyedConfig, type KeyedOptions, readKeyed } from "./keyed.ts";
import { type Policy, readPolicies } from "./policies.ts";
import { readTimeouts, type Timeouts } from "./timeouts.ts";
import { isFieldName } from "../headers/vary.ts";
import type { RuleContext } from "./rule_settings.ts";
import { type DeclaredRule, readRules, type RuleOptions } from "./rules.ts";
import type { TargetName } from "../headers/targets.ts";
import type { TagHeaderName } from "../headers/tags.ts";
import type { CdnName } from "../headers/platforms.ts";

/**
 * Options of `cacheHeaders()`.
 *
 * @example
 * ```ts
 * import type { CacheHeadersOptions } from "@cachewise/cachewise";
 *
 * const options: CacheHeadersOptions = {
 *   browserSeconds: "10s",
 *   timeouts: { "all-users": { "1h": ["/static/*"] }, "per-user": { 60: ["/account/*"] } },
 *   identityHeaders: ["Cookie", "Authorization"],
 *   onError: (error, request) => console.warn(request.url, error),
 * };
 * ```
 */
export interface CacheHeadersOptions {
  /**
   * Rules in the seed's shape: policy → lifetime (seconds or a duration) → patterns.
   * @default {}
   */
  readonly timeouts?: Timeouts;
  /**
   * Rules in the ordered form, with settings beyond policy and lifetime (stale-while-revalidate,
   * statuses, tags, targets…). Ranked together with `timeouts` (declared after them): the most
   * specific pattern wins, ties go to the rule declared first.
   * @default []
   */
  readonly rules?: readonly RuleOptions[];
  /**
   * Headers that carry the shared lifetime, besides browsers' `max-age` in `Cache-Control`. Only
   * responses a shared cache may keep get any of them.
   * @default ["s-maxage", "x-accel-expires"]
   */
  readonly targets?: readonly TargetName[];
  /**
   * Headers the rules' cache tags are written in: `"surrogate-key"` (Fastly), `"cache-tag"`
   * (Cloudflare), `"edge-cache-tag"` (Akamai), `"xkey"` (Varnish xkey).
   * @default []
   */
  readonly tagHeaders?: readonly TagHeaderName[];
  /**
   * How long browsers may reuse a page before asking again: `max-age` is the smaller of this and
   * the rule's lifetime. Seconds or a duration.
   * @default 5
   */
  readonly browserSeconds?: Lifetime;
  /**
   * Custom policies by name, usable in `timeouts`; a built-in name replaces that built-in.
   * @default {}
   */
  readonly policies?: Readonly<Record<string, Policy>>;
  /**
   * Request headers that carry identity. Identity-dependent pages vary on them, so no shared
   * cache hands one visitor's variant to a request that carries different credentials.
   * @default ["Cookie", "Authorization"]
   */
  readonly identityHeaders?: readonly string[];
  /**
   * Keep a `Cache-Control` the handler set, adding nothing. Even then a response with
   * `Set-Cookie` is never left shareable.
   * @default true
   */
  readonly keepHandlerCacheControl?: boolean;
  /**
   * Told about errors that cachewise turned into an uncached response (a custom policy or
   * `identify` that threw) instead of throwing them at the server.
   * @default console.error
   */
  readonly onError?: (error: unknown, request: Request) => void;
  /**
   * The keyed mode: name the cookies a shared cache you run keys on (with the configuration
   * cachewise generates), and every policy is served from that cache to exactly its audience.
   * Without it, the default mode assumes nothing about the caches in front.
   * @default undefined (the default mode)
   */
  readonly keyed?: KeyedOptions;
  /**
   * The platform in front of the application: `"deno-deploy"`, `"netlify"`, `"vercel"`,
   * `"cloudflare"`, `"fastly"` or `"akamai"`. Its lifetime field joins `targets` and its tag
   * header joins `tagHeaders`, and each policy is then either cached at that edge for exactly
   * its audience or sent so that the edge keeps nothing (docs/cdns.md has the table). With
   * `keyed`, Netlify keys pages on the sign-in marker or session cookie through `Netlify-Vary`.
   * @default undefined (nothing is assumed about the caches in front)
   */
  readonly cdn?: CdnName;
}

/** Options after validation, with every default filled in. */
export interface NormalisedOptions {
  readonly rules: readonly DeclaredRule[];
  readonly browserSeconds: number;
  readonly policies: Readonly<Record<string, Policy>>;
  readonly identityHeaders: readonly string[];
  readonly keepHandlerCacheControl: boolean;
  readonly onError: (error: unknown, request: Request) => void;
  readonly keyed: KeyedConfig | null;
  readonly targets: readonly TargetName[];
  readonly tagHeaders: readonly TagHeaderName[];
  readonly cdn: CdnName | null;
}

const OPTION_NAMES = new Set([
  "timeouts",
  "rules",
  "targets",
  "tagHeaders",
  "browserSeconds",
  "policies",
  "identityHeaders",
  "keepHandlerCacheControl",
  "onError",
  "keyed",
  "cdn",
]);

function reportError(error: unknown, request: Request): void {
  console.error(`cachewise: sent ${request.method} ${request.url} uncached after an error:`, error);
}

/**
 * Validates options. Problems are added to `problems`; the caller throws them together with any
 * found while compiling patterns.
 */
export function normaliseOptions(
  options: CacheHeadersOptions | undefined,
  problems: _ProblemList,
  ignore: ReadonlySet<string> = new Set(),
): NormalisedOptions {
  const given = (options ?? {}) as Record<string, unknown>;
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    problems.add("invalid-options", "options", `Options must be an object, not ${_quote(given)}`);
    return normaliseOptions({}, problems);
  }
  for (const key of Object.keys(given)) {
    if (!OPTION_NAMES.has(key) && !ignore.has(key)) {
      problems.add("invalid-option", key, `Option ${_quote(key)} is not a cachewise option`);
    }
  }
  const policies = readPolicies(given.policies, problems);
  const cdn = readCdn(given.cdn, problems);
  const targets = withCdnTarget(readTargets(given.targets, problems), cdn);
  const tagHeaders = withCdnTagHeader(readTagHeaders(given.tagHeaders, problems), cdn);
  const context: RuleContext = { policies, targets, hasTagHeaders: tagHeaders.length > 0 };
  const keyed = readKeyed(given.keyed, problems);
  checkKeyedOnCdn(cdn, keyed, problems);
  // On Netlify the keyed cache is Netlify itself: it reads its own field and Netlify-Vary.
  if (keyed !== null && cdn !== "netlify" && !targets.includes("x-accel-expires")) {
    problems.add(
      "invalid-target",
      "targets",
      `Option "targets" must include "x-accel-expires" in keyed mode: the keyed cache reads ` +
        `the lifetime there`,
    );
  }
  return {
    rules: [
      ...readTimeouts(given.timeouts, policies, problems),
      ...readRules(given.rules, context, problems),
    ],
    browserSeconds: readBrowserSeconds(given.browserSeconds, problems),
    policies,
    identityHeaders: readHeaderNames(given.identityHeaders, problems),
    keepHandlerCacheControl: readBoolean(given, "keepHandlerCacheControl", true, problems),
    onError: readFunction(given, "onError", reportError, problems),
    keyed,
    targets,
    tagHeaders,
    cdn,
  };
}

function readBrowserSeconds(value: unknown, problems: _ProblemList): number {
  if (value === undefined) return 5;
  const lifetime = parseLifetime(value);
  if ("seconds" in lifetime) return lifetime.seconds;
  problems.add(
    "invalid-lifetime",
    "browserSeconds",
    `Option "browserSeconds" ${_quote(value)} ${lifetime.error}`,
  );
  return 5;
}

function readHeaderNames(value: unknown, problems: _ProblemList): readonly string[] {
  if (value === undefined) return ["Cookie", "Authorization"];
  if (!Array.isArray(value)) {
    problems.add(
      "invalid-option",
      "identityHeaders",
      `Option "identityHeaders" must be an array of header names`,
    );
    return ["Cookie", "Authorization"];
  }
  const names: string[] = [];
  value.forEach((name, index) => {
    const path = _pathOf("identityHeaders", index);
    if (isFieldName(name)) names.push(name);
    else {problems.add(
        "invalid-header-name",
        path,
        `Header name ${_quote(name)} at ${path} is not a valid field name`,
      );}
  });
  return names;
}

function readBoolean(
  given: Record<string, unknown>,
  key: string,
  fallback: boolean,
  problems: _ProblemList,
): boolean {
  const value = given[key];
  if (value === undefined) return fallback;
  if (typeof value === "boolean") return value;
  problems.add(
    "invalid-option",
    key,
    `Option ${_quote(key)} must be true or false, not ${_quote(value)}`,
  );
  return fallback;
}

function readFunction<F>(
  given: Record<string, unknown>,
  key: string,
  fallback: F,
  problems: _ProblemList,
): F {
  const value = given[key];
  if (value === undefined) return fallback;
  if (typeof value === "function") return value as F;
  problems.add(
    "invalid-option",
    key,
    `Option ${_quote(key)} must be a function, not ${_quote(value)}`,
  );
  return fallback;
}
