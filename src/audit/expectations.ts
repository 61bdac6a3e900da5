/**
 * What the cachewise rules say about a URL and a visitor: the rule that decides, who the page is
 * made for, and whether a shared cache may serve this visitor a stored copy. Computed by the same
 * `cacheHeaders()` the application runs, so the audit judges exactly what the headers promise.
 *
 * @module
 */

import { cacheHeaders } from "../apply.ts";
import type { CacheHeadersOptions } from "../config/options.ts";
import { isBuiltInPolicyName } from "../config/policies.ts";
import { compileOptions } from "../decide/compile.ts";
import { isStored, type MatchedRule } from "../decide/decision.ts";
import { describePattern } from "../match/patterns.ts";
import type { PreparedVisitor } from "./visitors.ts";

/** What the rules promise for one URL and one visitor. */
export interface Expectation {
  /** The rule that decides the URL, or `null` when none matches (the page goes out uncached). */
  readonly rule: MatchedRule | null;
  /** Whether the visitor counts as signed in (see docs/audit.md). */
  readonly signedIn: boolean;
  /**
   * Who the page is made for: `"everyone"` (all-users), `"anonymous"`, `"signed-in"`
   * (anonymous-and-authenticated), `"user:NAME"`. Two visitors of different audiences must never
   * get each other's page. `null` for a custom policy: judged by markers only.
   */
  readonly audience: string | null;
  /** Whether a shared cache (any, or the keyed one) may serve this visitor a stored copy. */
  readonly shareable: boolean;
  /** Whether only the keyed cache may: a page that is `private` for every other cache. */
  readonly keyedOnly: boolean;
}

/** The expectations of compiled rules, per URL and visitor. */
export interface RulesJudge {
  /** Whether the rules are in keyed mode. */
  readonly keyed: boolean;
  /** What the rules promise for this URL and visitor. */
  expect(url: string, visitor: PreparedVisitor): Expectation;
}

/**
 * Compiles the rules once. Throws the `CacheConfigError` that `cacheHeaders()` would throw.
 *
 * A visitor counts as signed in when it carries the session cookie (keyed mode) or, in the default
 * mode, any credential at all; its identity is its name.
 */
export function compileRulesJudge(rules: CacheHeadersOptions): RulesJudge {
  const { config, ranked } = compileOptions(rules);
  const apply = cacheHeaders({ ...rules, onError: () => {} });
  const session = config.keyed?.sessionCookie.toLowerCase() ?? null;
  // A built-in name given a function of its own in `policies` is a custom policy.
  const overridden = new Set(Object.keys(rules.policies ?? {}));
  const expect = (url: string, visitor: PreparedVisitor): Expectation => {
    const signedIn = session === null
      ? !visitor.anonymous
      : visitor.cookieNames.some((name) => name.toLowerCase() === session);
    const found = ranked.find((rule) => rule.urlPattern.test(url));
    const rule: MatchedRule | null = found === undefined ? null : {
      policy: found.policy,
      lifetime: found.lifetime,
      pattern: describePattern(found.pattern),
      path: found.path,
    };
    const headers = visitor.headers.map(([name, value]): [string, string] => [name, value]);
    const request = new Request(url, { headers });
    const decision = apply.explain(
      request,
      new Response(null),
      signedIn ? { id: visitor.name } : null,
    );
    const stored = isStored(decision);
    return {
      rule,
      signedIn,
      audience: overridden.has(rule?.policy ?? "")
        ? null
        : audienceOf(rule, signedIn, visitor.name),
      shareable: stored,
      keyedOnly: stored && !decision.shared,
    };
  };
  return { keyed: config.keyed !== null, expect };
}

function audienceOf(rule: MatchedRule | null, signedIn: boolean, name: string): string | null {
  if (rule !== null && !isBuiltInPolicyName(rule.policy)) return null;
  if (rule?.policy === "all-users") return "everyone";
  if (!signedIn) return "anonymous";
  return rule?.policy === "anonymous-and-authenticated" ? "signed-in" : `user:${name}`;
}
