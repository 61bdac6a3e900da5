/**
 * The decision order, compiled once from the options and run per request:
 *
 * 1. responses that cannot be rebuilt pass as they are;
 * 2. a `Cache-Control` from the handler wins (but never leaves a `Set-Cookie` response shareable,
 *    and targeted lifetimes never contradict a `private` or `no-store` it sets);
 * 3. only 200 (and 304, which repeats a 200's headers) are cacheable;
 * 4. only GET and HEAD;
 * 5. never a response that sets a cookie;
 * 6. the most specific rule's policy decides; no rule, no caching.
 *
 * @module
 */

import { allowsSharedStorage, type CacheControl } from "./cache_control.ts";
import {
  type CacheDecision,
  type MatchedRule,
  ruleDecision,
  uncached,
  unchanged,
} from "./decision.ts";
import { _ProblemList } from "./errors.ts";
import { type CacheHeadersOptions, normaliseOptions } from "./options.ts";
import {
  type Audience,
  BUILT_IN_POLICIES,
  type Identity,
  isBuiltInPolicyName,
  type Policy,
  type PolicyResult,
} from "./policies.ts";
import {
  type CompiledRule,
  compiledRule,
  compilePattern,
  describePattern,
  rankRules,
  type RulePattern,
} from "./rules.ts";
import { buildMatcher } from "./matcher.ts";
import { hasTargetedLifetime } from "./targets.ts";
import { isFieldName } from "./vary.ts";

/** What a rule's policy needs per request: nothing (decided), or the identity. */
type RulePlan =
  | { readonly kind: "fixed"; readonly decision: CacheDecision }
  | { readonly kind: "audience"; readonly decisions: Readonly<Record<Audience, CacheDecision>> }
  | { readonly kind: "custom"; readonly policy: Policy; readonly rule: MatchedRule };

/** A rule whose decision waits for the identity. */
export type PendingRule = CompiledRule<RulePlan>;

/** The options compiled into what decides per request. */
export interface Decider {
  /** Steps 1 to 6 up to the point where the identity is needed. */
  decideBeforeIdentity(request: Request, response: Response): CacheDecision | PendingRule;
  /** Step 6 for a rule whose policy depends on who asks. */
  decideForIdentity(rule: PendingRule, request: Request, identity: Identity | null): CacheDecision;
  /** Called with errors turned into uncached responses. */
  readonly onError: (error: unknown, request: Request) => void;
}

const NOT_REBUILDABLE = unchanged("not-rebuildable");
const HANDLER_CACHE_CONTROL = unchanged("handler-cache-control");
const HANDLER_CACHE_CONTROL_NEUTRALISED = unchanged("handler-cache-control", true);
const UNCACHED_STATUS = uncached("status");
const UNCACHED_METHOD = uncached("method");
const UNCACHED_SET_COOKIE = uncached("set-cookie");
const UNCACHED_NO_RULE = uncached("no-rule");
/** Header names a custom policy may not set through `headers`: they have fields of their own. */
const MANAGED_HEADERS = new Set(["cache-control", "vary", "set-cookie", "x-accel-expires"]);
/** Characters that would end a header line or be refused by `Headers`. */
const FORBIDDEN_IN_VALUE = /[\r\n\0]/;

/**
 * Validates and compiles options. Throws one `CacheConfigError` listing every problem.
 */
export function compileDecider(
  options: CacheHeadersOptions | undefined,
  ignoreOptions?: ReadonlySet<string>,
): Decider {
  const problems = new _ProblemList();
  const config = normaliseOptions(options, problems, ignoreOptions);
  const compiled: PendingRule[] = [];
  config.rules.forEach((declared, index) => {
    const pattern = compilePattern(declared.pattern, declared.path, problems);
    if (pattern === null || !declared.valid) return;
    const rule: MatchedRule = Object.freeze({
      policy: declared.policy,
      lifetime: declared.lifetime,
      pattern: describePattern(declared.pattern),
      path: declared.path,
    });
    const plan = planRule(rule, config.policies[declared.policy], config);
    compiled.push(
      compiledRule(
        { ...declared, pattern: declared.pattern as RulePattern },
        pattern,
        index,
        plan,
      ),
    );
  });
  const ranked = rankRules(compiled, problems);
  problems.throwIfAny();
  const matchRule = buildMatcher(ranked);

  const { keepHandlerCacheControl, browserSeconds, identityHeaders, onError } = config;

  return {
    onError,
    decideBeforeIdentity(request, response) {
      if (!(response instanceof Response)) return NOT_REBUILDABLE;
      const status = response.status;
      if (status < 200 || status > 599 || response.type === "error" || response.bodyUsed) {
        return NOT_REBUILDABLE;
      }
      const headers = response.headers;
      const handlerCacheControl = keepHandlerCacheControl ? headers.get("cache-control") : null;
      const setsCookie = headers.has("set-cookie");
      if (handlerCacheControl !== null) {
        if (allowsSharedStorage(handlerCacheControl)) {
          return setsCookie ? UNCACHED_SET_COOKIE : HANDLER_CACHE_CONTROL;
        }
        return hasTargetedLifetime(headers)
          ? HANDLER_CACHE_CONTROL_NEUTRALISED
          : HANDLER_CACHE_CONTROL;
      }
      if (status !== 200 && status !== 304) return UNCACHED_STATUS;
      const method = request.method;
      if (method !== "GET" && method !== "HEAD") return UNCACHED_METHOD;
      if (setsCookie) return UNCACHED_SET_COOKIE;
      const rule = matchRule(request.url);
      if (rule === null) return UNCACHED_NO_RULE;
      return rule.plan.kind === "fixed" ? rule.plan.decision : rule;
    },
    decideForIdentity(rule, request, identity) {
      const plan = rule.plan;
      if (plan.kind === "fixed") return plan.decision;
      const carriesAuthorization = request.headers.has("authorization");
      if (plan.kind === "audience") {
        const audience: Audience = identity != null
          ? "signed-in"
          : carriesAuthorization
          ? "anonymous-unshared"
          : "anonymous";
        return plan.decisions[audience];
      }
      const result = plan.policy({
        request,
        identity: identity ?? null,
        lifetime: rule.lifetime,
        browserSeconds,
        identityHeaders,
      });
      return customDecision(
        plan.rule,
        result,
        carriesAuthorization,
        identity != null,
        identityHeaders,
      );
    },
  };
}

function planRule(
  rule: MatchedRule,
  custom: Policy | undefined,
  config: { browserSeconds: number; identityHeaders: readonly string[] },
): RulePlan {
  if (custom !== undefined || !isBuiltInPolicyName(rule.policy)) {
    return { kind: "custom", policy: custom!, rule };
  }
  const builtIn = BUILT_IN_POLICIES[rule.policy];
  const input = {
    lifetime: rule.lifetime,
    browserSeconds: config.browserSeconds,
    identityHeaders: config.identityHeaders,
  };
  const decide = (audience: Audience): CacheDecision => {
    const result = builtIn.decide(audience, input);
    return ruleDecision(
      rule,
      builtIn.identityDependent ? audience : null,
      result.cacheControl,
      result.vary ?? [],
      [],
    );
  };
  if (!builtIn.identityDependent) return { kind: "fixed", decision: decide("anonymous") };
  return {
    kind: "audience",
    decisions: {
      "anonymous": decide("anonymous"),
      "anonymous-unshared": decide("anonymous-unshared"),
      "signed-in": decide("signed-in"),
    },
  };
}

/**
 * Checks a custom policy's result and turns it into a decision. Invalid results throw (and the
 * response goes out uncached). In the default mode a custom page is treated as depending on who
 * asks: private for a signed-in user or a request with `Authorization` (RFC 9111 §3.5 would let a
 * shared cache keep it), and varying on the identity headers.
 */
function customDecision(
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
  // The default mode's promise holds for custom policies too: a page made for a signed-in user,
  // or asked for with credentials, is never shared, and every page varies on the identity headers.
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
