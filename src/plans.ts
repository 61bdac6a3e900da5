/**
 * What each rule's policy decides, prepared at construction where it can be: the built-in
 * policies depend only on the audience, so their decisions are computed once per rule. Custom
 * policies run per request and have their results checked here.
 *
 * @module
 */

import type { CacheControl } from "./cache_control.ts";
import {
  type CacheDecision,
  type KeyedCacheHint,
  type MatchedRule,
  ruleDecision,
} from "./decision.ts";
import type { KeyedConfig } from "./keyed.ts";
import {
  type Audience,
  BUILT_IN_POLICIES,
  type BuiltInPolicy,
  isBuiltInPolicyName,
  type Policy,
  type PolicyResult,
} from "./policies.ts";
import { isFieldName } from "./vary.ts";

/** What a rule's policy needs per request: nothing (decided), the audience, or to run. */
export type RulePlan =
  | { readonly kind: "fixed"; readonly decision: CacheDecision }
  | {
    readonly kind: "audience";
    readonly decisions: Readonly<Record<Audience, CacheDecision>>;
    /** Keyed mode: decisions for requests the keyed cache can tell apart by cookie. */
    readonly keyed: Readonly<Record<"anonymous" | "signed-in", CacheDecision>> | null;
  }
  | { readonly kind: "custom"; readonly policy: Policy; readonly rule: MatchedRule };

/** What planning needs from the options. */
export interface PlanContext {
  readonly browserSeconds: number;
  readonly identityHeaders: readonly string[];
  readonly keyed: KeyedConfig | null;
}

/** Prepares a rule's decisions. */
export function planRule(
  rule: MatchedRule,
  custom: Policy | undefined,
  context: PlanContext,
): RulePlan {
  if (custom !== undefined || !isBuiltInPolicyName(rule.policy)) {
    return { kind: "custom", policy: custom!, rule };
  }
  const builtIn = BUILT_IN_POLICIES[rule.policy];
  const decide = (audience: Audience, keyedCache?: KeyedCacheHint): CacheDecision => {
    const result = builtIn.decide(audience, { ...context, lifetime: rule.lifetime });
    const shownAudience = builtIn.identityDependent ? audience : null;
    return ruleDecision(
      rule,
      shownAudience,
      result.cacheControl,
      result.vary ?? [],
      [],
      keyedCache,
    );
  };
  const hint = context.keyed === null || rule.lifetime === 0
    ? null
    : { hashCookies: hashCookies(builtIn, context.keyed) };
  if (!builtIn.identityDependent) {
    return { kind: "fixed", decision: decide("anonymous", hint ?? undefined) };
  }
  return {
    kind: "audience",
    decisions: {
      "anonymous": decide("anonymous"),
      "anonymous-unshared": decide("anonymous-unshared"),
      "signed-in": decide("signed-in"),
    },
    keyed: hint === null ? null : {
      "anonymous": decide("anonymous", hint),
      "signed-in": builtIn.keepsSignedIn
        ? decide("signed-in", { ...hint, lifetime: rule.lifetime })
        : decide("signed-in"),
    },
  };
}

/** The cookies the keyed cache keys a policy's pages on, identity cookie first. */
function hashCookies(policy: BuiltInPolicy, keyed: KeyedConfig): readonly string[] {
  const identity = policy.keyedOn === "session"
    ? [keyed.sessionCookie]
    : policy.keyedOn === "sign-in"
    ? [keyed.signInCookie]
    : [];
  return [...identity, ...keyed.keyCookies];
}

/** Header names a custom policy may not set through `headers`: they have fields of their own. */
const MANAGED_HEADERS = new Set([
  "cache-control",
  "vary",
  "set-cookie",
  "x-accel-expires",
  "x-hash-cookies",
]);
/** Characters that would end a header line or be refused by `Headers`. */
const FORBIDDEN_IN_VALUE = /[\r\n\0]/;

/**
 * Checks a custom policy's result and turns it into a decision. Invalid results throw (and the
 * response goes out uncached). A custom page is treated as depending on who asks: private for a
 * signed-in user or a request with `Authorization` (RFC 9111 §3.5 would let a shared cache keep
 * it), and varying on the identity headers.
 */
export function customDecision(
  rule: MatchedRule,
  result: PolicyResult,
  carriesAuthorization: boolean,
  signedIn: boolean,
  identityHeaders: readonly string[],
): CacheDecision {
  if (typeof result !== "object" || result === null || typeof result.cacheControl !== "object") {
    throw new TypeError(`Policy "${rule.policy}" must return { cacheControl, vary?, headers? }`);
  }
  const vary = result.vary ?? [];
  for (const name of vary) {
    if (!isFieldName(name)) {
      throw new TypeError(
        `Policy "${rule.policy}" returned an invalid Vary name ${JSON.stringify(name)}`,
      );
    }
  }
  const headers = Object.entries(result.headers ?? {});
  for (const [name, value] of headers) {
    if (
      !isFieldName(name) || MANAGED_HEADERS.has(name.toLowerCase()) ||
      typeof value !== "string" || FORBIDDEN_IN_VALUE.test(value)
    ) {
      throw new TypeError(
        `Policy "${rule.policy}" may not set header ${JSON.stringify(name)} this way`,
      );
    }
  }
  const cacheControl = signedIn || carriesAuthorization
    ? withoutSharing(result.cacheControl)
    : result.cacheControl;
  return ruleDecision(rule, null, cacheControl, [...vary, ...identityHeaders], headers);
}

/** The same directives for the browser only: `private`, no shared lifetime. */
function withoutSharing(directives: CacheControl): CacheControl {
  const { public: _public, sMaxage: _sMaxage, proxyRevalidate: _proxy, ...rest } = directives;
  return { ...rest, private: true };
}
