/**
 * What option `policies` takes: the contract of a policy (its input, its result, who is asking),
 * the names of the four built-in policies, and the reading of custom ones. The built-in policies'
 * decisions are made in `decide/built_in_policies.ts`.
 *
 * @module
 */

import { _pathOf, type _ProblemList, _quote } from "./errors.ts";
import type { CacheControl } from "../headers/cache_control.ts";

/**
 * Who is asking: a signed-in user, with a non-empty string `id`. `null` or `undefined` in its
 * place means an anonymous visitor; any other value (`false`, `""`, `{}`, `{ id: "" }`) is a
 * programmer mistake, and `apply()` or the handler throws a `TypeError` that says so.
 *
 * @example
 * ```ts
 * import type { Identity } from "@cachewise/cachewise";
 *
 * const ann: Identity = { id: "ann", plan: "gold" };
 * ```
 */
export interface Identity {
  /** A stable identifier of the signed-in user. */
  readonly id: string;
  /** Anything else the application knows; custom policies may read it. */
  readonly [field: string]: unknown;
}

/**
 * What a policy is told about the request it decides for.
 *
 * @example
 * ```ts
 * import type { PolicyInput, PolicyResult } from "@cachewise/cachewise";
 *
 * function byLanguage({ request, lifetime }: PolicyInput): PolicyResult {
 *   const language = request.headers.get("accept-language") ?? "";
 *   return { cacheControl: { maxAge: language ? lifetime : 0 }, vary: ["Accept-Language"] };
 * }
 * ```
 */
export interface PolicyInput {
  /** The request; read its URL or headers, never its body. */
  readonly request: Request;
  /** The signed-in user, or `null` for an anonymous visitor. */
  readonly identity: Identity | null;
  /** The lifetime of the rule that matched, in seconds. */
  readonly lifetime: number;
  /** The browser lifetime from the options, in seconds. */
  readonly browserSeconds: number;
  /** Request headers that carry identity (`identityHeaders` option); vary on them when the page depends on who asks. */
  readonly identityHeaders: readonly string[];
}

/**
 * What a policy decides: directives, request headers to vary on, and any other headers.
 *
 * @example
 * ```ts
 * import type { PolicyResult } from "@cachewise/cachewise";
 *
 * const result: PolicyResult = {
 *   cacheControl: { maxAge: 5, sMaxage: 600 },
 *   vary: ["Accept-Language"],
 *   headers: { "Content-Language": "en" },
 * };
 * ```
 */
export interface PolicyResult {
  /** The `Cache-Control` directives to write. */
  readonly cacheControl: CacheControl;
  /** Request header names to add to `Vary`. */
  readonly vary?: readonly string[];
  /** More response headers to set, such as `X-Is-Special-User`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A custom policy: a pure function of the request, identity and lifetime. It runs only for
 * GET/HEAD requests whose response is a 200 (or 304) without `Set-Cookie` or a handler's
 * `Cache-Control`. If it throws, the response is sent uncached and `onError` is told.
 *
 * @example A policy that varies on a header set by the proxy, as the seed's own test does
 * ```ts
 * import type { Policy } from "@cachewise/cachewise";
 *
 * const special: Policy = ({ identity, lifetime, browserSeconds }) => ({
 *   cacheControl: { maxAge: Math.min(browserSeconds, lifetime), sMaxage: lifetime },
 *   vary: ["X-Is-Special-User"],
 *   headers: { "X-Is-Special-User": identity?.special ? "1" : "0" },
 * });
 * ```
 */
export type Policy = (input: PolicyInput) => PolicyResult;

/**
 * Names of the built-in policies.
 *
 * @example
 * ```ts
 * import type { BuiltInPolicyName } from "@cachewise/cachewise";
 *
 * const strictest: BuiltInPolicyName = "per-user";
 * ```
 */
export type BuiltInPolicyName =
  | "all-users"
  | "anonymous-only"
  | "anonymous-and-authenticated"
  | "per-user";

/** The built-in policy names, in the order messages list them. */
export const BUILT_IN_POLICY_NAMES: readonly BuiltInPolicyName[] = Object.freeze([
  "all-users",
  "anonymous-only",
  "anonymous-and-authenticated",
  "per-user",
]);

/** Whether a name is one of the built-in policies. */
export function isBuiltInPolicyName(name: string): name is BuiltInPolicyName {
  return (BUILT_IN_POLICY_NAMES as readonly string[]).includes(name);
}

/** Policy names appear in explanations and generated configuration: keep them plain. */
const POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Validates option `policies`: plain names, each a function. */
export function readPolicies(value: unknown, problems: _ProblemList): Record<string, Policy> {
  const policies: Record<string, Policy> = {};
  if (value === undefined) return policies;
  if (!isRecord(value)) {
    problems.add("invalid-option", "policies", `Option "policies" must be an object of functions`);
    return policies;
  }
  for (const [name, policy] of Object.entries(value)) {
    const path = _pathOf("policies", name);
    if (!POLICY_NAME.test(name)) {
      problems.add(
        "invalid-policy-name",
        path,
        `Policy name ${_quote(name)} at ${path} may use only letters, digits, ".", "_" and "-"`,
      );
    } else if (typeof policy !== "function") {
      problems.add(
        "invalid-policy",
        path,
        `Policy at ${path} must be a function, not ${_quote(policy)}`,
      );
    } else {
      policies[name] = policy as Policy;
    }
  }
  return policies;
}

/** The message for a policy name that is neither built in nor registered. */
export function unknownPolicyMessage(
  name: string,
  path: string,
  policies: Readonly<Record<string, Policy>>,
): string {
  const known = [...BUILT_IN_POLICY_NAMES, ...Object.keys(policies)];
  return `Policy ${_quote(name)} at ${path} is unknown; known policies: ${
    known.map((n) => _quote(n)).join(", ")
  }`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
