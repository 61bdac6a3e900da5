/**
 * What a generated proxy configuration does, worked out once from the compiled options, so that
 * the Varnish and nginx writers only spell it out. The same compiled rules decide the headers.
 *
 * Each rule becomes a route with a class; the class says which cookies the proxy keys the page
 * on and which `X-Hash-Cookies` it must see before storing the response:
 *
 * | class        | rules (keyed mode)            | key besides host and URL         | `X-Hash-Cookies`           |
 * | ------------ | ----------------------------- | -------------------------------- | -------------------------- |
 * | `shared`     | `all-users`                   | key cookies                      | key cookies                |
 * | `anonymous`  | `anonymous-only`              | marker absent (present: pass)    | marker, key cookies        |
 * | `audience`   | `anonymous-and-authenticated` | marker present or not            | marker, key cookies        |
 * | `user`       | `per-user`                    | the session cookie's value       | session cookie, key cookies |
 * | `cookieless` | custom policies               | nothing; any cookie: pass        | none                       |
 * | `pass`       | lifetime 0, no rule           | never cached                     |                            |
 *
 * In the default mode, `all-users` rules are `shared` without cookies and every other rule is
 * `cookieless`: the proxy keys on the URL and serves only what needs no identity.
 *
 * @module
 */

import { CacheConfigError, type ConfigProblem } from "../config/errors.ts";
import type { CompiledOptions } from "../decide/compile.ts";
import { BUILT_IN_POLICIES } from "../decide/built_in_policies.ts";
import { isBuiltInPolicyName } from "../config/policies.ts";
import { type ProxyPattern, translatePattern } from "./pattern_regexp.ts";

/** How the proxy treats the pages of a rule. */
export type RouteClass = "shared" | "anonymous" | "audience" | "user" | "cookieless" | "pass";

/** A rule as the proxy matches it, in rank order. */
export interface ProxyRoute extends ProxyPattern {
  readonly class: RouteClass;
  /** The rule for comments: where it was declared, its pattern, policy and lifetime. */
  readonly describe: string;
}

/** One piece of a class's cache key besides host and URL. */
export type KeyPart =
  | { readonly kind: "value"; readonly cookie: string; readonly index: number }
  | { readonly kind: "presence"; readonly cookie: string; readonly index: number };

/** A cacheable class: its key and the `X-Hash-Cookies` a response must carry to be stored. */
export interface ClassPlan {
  readonly name: Exclude<RouteClass, "pass">;
  readonly key: readonly KeyPart[];
  /** The expected `X-Hash-Cookies` value; `""` means the header must be absent. */
  readonly hashCookies: string;
  /** Request headers that may appear in the response's `Vary`: the key or a pass covers them. */
  readonly coveredVary: readonly string[];
}

/** Everything the writers need. */
export interface ProxyPlan {
  /** Whether the options declare the keyed mode. */
  readonly keyed: boolean;
  /** Rules most specific first; host rules all come before path-only rules. */
  readonly routes: readonly ProxyRoute[];
  /** The classes some route uses, in a fixed order. */
  readonly classes: readonly ClassPlan[];
  /** Keyed mode: the session cookie, the sign-in marker, then the key cookies. */
  readonly cookies: readonly string[];
  readonly sessionCookie: string | null;
  readonly signInCookie: string | null;
  /** Request headers whose presence sends a request past the cache: `Authorization` and identity headers other than `Cookie`. */
  readonly credentialHeaders: readonly string[];
}

const CLASS_ORDER: readonly Exclude<RouteClass, "pass">[] = [
  "shared",
  "anonymous",
  "audience",
  "user",
  "cookieless",
];
/** Cookie and header names the writers can spell in every position. */
const GENERATABLE_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * Works out the proxy configuration from compiled options. Throws a `CacheConfigError` listing
 * every rule or name that cannot be translated.
 *
 * @param compiled The options compiled by `compileOptions()`.
 * @returns The plan the Varnish and nginx writers spell out.
 */
export function planProxy(compiled: CompiledOptions): ProxyPlan {
  const { config, ranked } = compiled;
  const keyed = config.keyed;
  const problems: ConfigProblem[] = [];
  const names = keyed === null
    ? []
    : [keyed.sessionCookie, keyed.signInCookie, ...keyed.keyCookies];
  names.forEach((name, index) => {
    if (!GENERATABLE_NAME.test(name)) {
      const path = index === 0
        ? "keyed.sessionCookie"
        : index === 1
        ? "keyed.signInCookie"
        : `keyed.keyCookies[${index - 2}]`;
      problems.push({
        code: "invalid-option",
        path,
        message: `Cookie name ${JSON.stringify(name)} at ${path} cannot be written into proxy ` +
          'configuration: use letters, digits, ".", "_" and "-"',
      });
    }
  });
  const credentialHeaders = ["Authorization"];
  config.identityHeaders.forEach((name, index) => {
    const lower = name.toLowerCase();
    if (lower === "cookie" || lower === "authorization") return;
    if (!/^[A-Za-z0-9-]+$/.test(name)) {
      const path = `identityHeaders[${index}]`;
      problems.push({
        code: "invalid-header-name",
        path,
        message: `Header name ${JSON.stringify(name)} at ${path} cannot be written into proxy ` +
          'configuration: use letters, digits and "-"',
      });
    } else credentialHeaders.push(name);
  });
  const routes: ProxyRoute[] = [];
  let pathOnlySeen = false;
  for (const rule of ranked) {
    const describe = `${rule.path} ${
      JSON.stringify(describeShape(rule))
    } ${rule.policy} ${rule.lifetime} s`;
    try {
      const pattern = translatePattern(rule.shape);
      if (pattern.host && pathOnlySeen) {
        throw new TypeError(
          "its hostname ranks below a rule for any host, which the proxy cannot order",
        );
      }
      pathOnlySeen ||= !pattern.host;
      routes.push({ ...pattern, class: classOf(rule, keyed !== null), describe });
    } catch (error) {
      problems.push({
        code: "invalid-pattern",
        path: rule.path,
        message: `Cannot translate the pattern at ${rule.path} for the proxy: ${
          (error as Error).message
        }`,
      });
    }
  }
  if (problems.length > 0) throw new CacheConfigError(problems);
  const used = new Set(routes.map((route) => route.class));
  const classes = CLASS_ORDER.filter((name) => used.has(name)).map((name) =>
    classPlan(name, compiled)
  );
  return {
    keyed: keyed !== null,
    routes,
    classes,
    cookies: names,
    sessionCookie: keyed?.sessionCookie ?? null,
    signInCookie: keyed?.signInCookie ?? null,
    credentialHeaders,
  };
}

function classOf(
  rule: CompiledOptions["ranked"][number],
  keyed: boolean,
): RouteClass {
  if (rule.plan.kind === "custom" || !isBuiltInPolicyName(rule.policy)) return "cookieless";
  if (rule.lifetime === 0) return "pass";
  const keyedOn = BUILT_IN_POLICIES[rule.policy].keyedOn;
  if (keyedOn === "nothing") return "shared";
  if (!keyed) return "cookieless";
  if (keyedOn === "session") return "user";
  return rule.policy === "anonymous-only" ? "anonymous" : "audience";
}

function classPlan(name: Exclude<RouteClass, "pass">, compiled: CompiledOptions): ClassPlan {
  const keyed = compiled.config.keyed;
  const identityHeaders = compiled.config.identityHeaders;
  if (keyed === null || name === "cookieless") {
    return {
      name,
      key: [],
      hashCookies: "",
      coveredVary: name === "shared" ? [] : identityHeaders,
    };
  }
  const keyCookies: KeyPart[] = keyed.keyCookies.map((cookie, index) => ({
    kind: "value",
    cookie,
    index: index + 2,
  }));
  const identity: KeyPart | null = name === "user"
    ? { kind: "value", cookie: keyed.sessionCookie, index: 0 }
    : name === "shared"
    ? null
    : { kind: "presence", cookie: keyed.signInCookie, index: 1 };
  const key = identity === null ? keyCookies : [identity, ...keyCookies];
  return {
    name,
    key,
    hashCookies: key.map((part) => part.cookie).join(", "),
    coveredVary: name === "shared" ? [] : identityHeaders,
  };
}

function describeShape(rule: CompiledOptions["ranked"][number]): string {
  const { hostname, pathname } = rule.urlPattern;
  return hostname === "*" ? pathname : `${hostname}${pathname}`;
}

/**
 * The first lines of every generated file: what made it, and the mode, after a comment marker.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.match(generatedBy("#", false)[1]!, /^# Mode: default/);
 * ```
 */
export function generatedBy(marker: string, keyed: boolean): string[] {
  return [
    `${marker} Generated by cachewise from the same rules as the headers. Regenerate, do not edit.`,
    `${marker} Mode: ${
      keyed
        ? "keyed (pages are keyed on the declared cookies)"
        : "default (pages are keyed on the URL)"
    }.`,
  ];
}
