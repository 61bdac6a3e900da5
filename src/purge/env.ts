/**
 * Credentials and settings for the CDN clients: given by the caller, or read from environment
 * variables (`Deno.env` or `process.env`, whichever the runtime has; on Workers pass them from
 * the bindings). Never from the rules file, and never echoed in an error message.
 *
 * @module
 */

interface EnvRuntimes {
  Deno?: { env?: { get(name: string): string | undefined } };
  process?: { env?: Record<string, string | undefined> };
}

/**
 * An environment variable, or `undefined` when it is unset, empty or unreadable (Deno without
 * `--allow-env`, Workers).
 *
 * @example
 * ```ts
 * import { readEnv } from "./env.ts";
 *
 * const token = readEnv("CLOUDFLARE_API_TOKEN"); // undefined when unset
 * ```
 */
export function readEnv(name: string): string | undefined {
  const runtime = globalThis as EnvRuntimes;
  if (runtime.Deno?.env !== undefined) {
    try {
      return runtime.Deno.env.get(name) || undefined;
    } catch {
      return undefined;
    }
  }
  return runtime.process?.env?.[name] || undefined;
}

/**
 * A setting from the caller or the first environment variable that is set.
 *
 * @param target The target, for messages: `"cloudflare"`.
 * @param option The option name: `"apiToken"`.
 * @param given What the caller passed, if anything.
 * @param envNames The environment variables to try, in order.
 * @returns The value, checked to hold no control character (it goes into a header).
 * @throws {TypeError} When neither is set, or the value is not a usable string; the message
 *   names the option and the variables, never the value.
 *
 * @example
 * ```ts
 * import { setting } from "./env.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(setting("cloudflare", "zoneId", "023e105f", ["CLOUDFLARE_ZONE_ID"]), "023e105f");
 * assert.throws(() => setting("cloudflare", "apiToken", undefined, ["NO_SUCH_VARIABLE_X"]));
 * ```
 */
export function setting(
  target: string,
  option: string,
  given: unknown,
  envNames: readonly string[],
): string {
  let value: unknown = given;
  let source = `option ${option}`;
  if (value === undefined) {
    for (const name of envNames) {
      value = readEnv(name);
      source = name;
      if (value !== undefined) break;
    }
  }
  if (value === undefined) {
    const from = envNames.length === 0 ? "" : ` or set ${envNames.join(" or ")}`;
    throw new TypeError(`${target}() needs ${option}: pass { ${option} }${from}`);
  }
  if (typeof value !== "string" || value === "" || /\p{Cc}/u.test(value)) {
    throw new TypeError(
      `${target}() ${source} must be a non-empty string without control characters`,
    );
  }
  return value;
}

/**
 * An optional setting: the caller's, the first environment variable set, or `undefined`.
 *
 * @example
 * ```ts
 * import { optionalSetting } from "./env.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(optionalSetting("vercel", "teamId", undefined, ["NO_SUCH_VARIABLE_X"]), undefined);
 * ```
 */
export function optionalSetting(
  target: string,
  option: string,
  given: unknown,
  envNames: readonly string[],
): string | undefined {
  if (given === undefined && envNames.every((name) => readEnv(name) === undefined)) {
    return undefined;
  }
  return setting(target, option, given, envNames);
}

/**
 * An API base URL (`https://api.cloudflare.com/client/v4`), from the caller, an environment
 * variable, or the vendor's default; without a trailing slash.
 *
 * @throws {TypeError} When it is not an http(s) URL.
 *
 * @example
 * ```ts
 * import { apiBase } from "./env.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(apiBase("fastly", undefined, [], "https://api.fastly.com/"), "https://api.fastly.com");
 * ```
 */
export function apiBase(
  target: string,
  given: unknown,
  envNames: readonly string[],
  fallback: string,
): string {
  const value = optionalSetting(target, "apiBase", given, envNames) ?? fallback;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${target}() apiBase ${JSON.stringify(value)} is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError(`${target}() apiBase must be an http or https URL`);
  }
  return url.href.replace(/\/+$/, "");
}
