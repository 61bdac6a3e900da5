/**
 * Option `cdn`: the platform in front of the application. It adds that platform's lifetime field
 * to option `targets` and its tag header to option `tagHeaders`, and says which keyed mode, if
 * any, the platform can run. What each policy then gets there is planned in `decide/edge.ts`.
 *
 * @module
 */

import type { _ProblemList } from "./errors.ts";
import { _quote } from "./errors.ts";
import type { KeyedConfig } from "./keyed.ts";
import { CDN_NAMES, type CdnName, isCdnName, PLATFORMS } from "../headers/platforms.ts";
import type { TagHeaderName } from "../headers/tags.ts";
import type { TargetName } from "../headers/targets.ts";

/** Why the keyed mode cannot run on a platform; absent where it can. */
const NO_KEYED_MODE: Readonly<Partial<Record<CdnName, string>>> = {
  "deno-deploy": "Deno Deploy keys its cache on the URL and Vary only",
  "vercel": "Vercel's cache keys are not configurable and it does not store responses that " +
    "vary on Cookie",
  "cloudflare": "cachewise does not generate Cloudflare configuration that keys on a cookie yet",
  "fastly": "cachewise does not generate Fastly VCL that keys on a cookie yet",
  "akamai": "cachewise does not generate Akamai property rules that key on a cookie yet",
};

/** Validates option `cdn`: one of the platform names, or absent (`null`). */
export function readCdn(value: unknown, problems: _ProblemList): CdnName | null {
  if (value === undefined) return null;
  if (isCdnName(value)) return value;
  problems.add(
    "invalid-option",
    "cdn",
    `Option "cdn" must be one of ${CDN_NAMES.map((name) => _quote(name)).join(", ")}, not ${
      _quote(value)
    }`,
  );
  return null;
}

/**
 * Checks that the keyed mode can run on the platform, and that its cookie names can be written
 * where the platform reads them (`Netlify-Vary` separates names with `|`).
 */
export function checkKeyedOnCdn(
  cdn: CdnName | null,
  keyed: KeyedConfig | null,
  problems: _ProblemList,
): void {
  if (cdn === null || keyed === null) return;
  const why = NO_KEYED_MODE[cdn];
  if (why !== undefined) {
    problems.add(
      "invalid-option",
      "keyed",
      `Option "keyed" cannot be used with cdn ${_quote(cdn)}: ${why}; leave "keyed" out ` +
        `(each policy then gets what docs/cdns.md lists for ${PLATFORMS[cdn].title})`,
    );
    return;
  }
  for (const name of [keyed.sessionCookie, keyed.signInCookie, ...keyed.keyCookies]) {
    if (name.includes("|")) {
      problems.add(
        "invalid-option",
        "keyed",
        `Cookie name ${_quote(name)} in "keyed" cannot be written into Netlify-Vary, which ` +
          `separates names with "|"`,
      );
    }
  }
}

/** Option `targets` with the platform's lifetime field added, if it is not listed. */
export function withCdnTarget(
  targets: readonly TargetName[],
  cdn: CdnName | null,
): readonly TargetName[] {
  if (cdn === null || targets.includes(PLATFORMS[cdn].target)) return targets;
  return Object.freeze([...targets, PLATFORMS[cdn].target]);
}

/** Option `tagHeaders` with the platform's tag header added, if it is not listed. */
export function withCdnTagHeader(
  tagHeaders: readonly TagHeaderName[],
  cdn: CdnName | null,
): readonly TagHeaderName[] {
  if (cdn === null || tagHeaders.includes(PLATFORMS[cdn].tagHeader)) return tagHeaders;
  return [...tagHeaders, PLATFORMS[cdn].tagHeader];
}
