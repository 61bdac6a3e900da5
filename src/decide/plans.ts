/**
 * What each rule's policy decides, prepared at construction where it can be: the built-in
 * policies depend only on the audience, so their decisions are computed once per rule. Custom
 * policies run per request and have their results checked here.
 *
 * @module
 */

import { type CacheControl, isSharedCacheable } from "../headers/cache_control.ts";
import {
  type CacheDecision,
  type Delivery,
  type KeyedCacheHint,
  type MatchedRule,
  ruleDecision,
} from "./decision.ts";
import type { KeyedConfig } from "../config/keyed.ts";
import {
  type Audience,
  BUILT_IN_POLICIES,
  type BuiltInPolicy,
  UNCACHED,
} from "./built_in_policies.ts";
import {
  type BuiltInPolicyName,
  isBuiltInPolicyName,
  type Policy,
  type PolicyResult,
} from "../config/policies.ts";
import type { RuleSettings } from "../config/rule_settings.ts";
import type { CompiledTags } from "./tag_templates.ts";
import { TAG_HEADER_FORMATS, type TagHeaderName } from "../headers/tags.ts";
import { TARGETED_LIFETIME_HEADERS, type TargetName } from "../headers/targets.ts";
import { isFieldName } from "../headers/vary.ts";
import { type CdnName, PLATFORMS } from "../headers/platforms.ts";
import { type EdgeAudience, edgeOutcome, type EdgeRefusal, edgeRefusal } from "./edge.ts";
import type { SharedWritePlans } from "./write_plan.ts";

/** Tags that take values from the URL: rendered per request from the pattern's groups. */
export interface URLTags {
  readonly urlPattern: URLPattern;
  readonly tags: CompiledTags;
  readonly headers: readonly TagHeaderName[];
}

/**
 * What a rule's policy needs per request: nothing (decided), the audience, or to run; and
 * whether tags are still to be taken from the URL.
 */
export type RulePlan =
  | {
    readonly kind: "fixed";
    readonly decision: CacheDecision;
    readonly urlTags: URLTags | null;
  }
  | {
    readonly kind: "audience";
    readonly decisions: Readonly<Record<Audience, CacheDecision>>;
    /** Keyed mode: decisions for requests the keyed cache can tell apart by cookie. */
    readonly keyed: Readonly<Record<"anonymous" | "signed-in", CacheDecision>> | null;
    readonly urlTags: URLTags | null;
  }
  | {
    readonly kind: "custom";
    readonly policy: Policy;
    readonly rule: MatchedRule;
    readonly browserSeconds: number;
    readonly delivery: Delivery;
    readonly urlTags: URLTags | null;
    /** The edge in front keeps no page of this rule that varies on who asks, if so. */
    readonly refusal: EdgeRefusal | null;
  };

/** What planning needs from the options. */
export interface PlanContext {
  readonly browserSeconds: number;
  readonly identityHeaders: readonly string[];
  readonly keyed: KeyedConfig | null;
  readonly targets: readonly TargetName[];
  readonly cdn: CdnName | null;
}

/** A rule as planning sees it: declared, with its settings and tags prepared. */
export interface PlanInput {
  readonly rule: MatchedRule;
  readonly settings: RuleSettings;
  /** The status planned for: 200 (and 304), or one the rule opted in to. */
  readonly status: number;
  /** Tags that do not depend on the URL, formatted, and what the URL adds. */
  readonly fixedTags: readonly string[];
  readonly fixedTagHeaders: readonly (readonly [string, string])[];
  readonly urlTags: URLTags | null;
}

/** Prepares a rule's decisions for one status. */
export function planRule(
  input: PlanInput,
  custom: Policy | undefined,
  context: PlanContext,
  writePlans?: SharedWritePlans,
): RulePlan {
  const { rule, settings, status, urlTags } = input;
  const ownStatus = status === 200;
  const browserSeconds = settings.browserSeconds ?? context.browserSeconds;
  const extensions = {
    ...(settings.staleWhileRevalidate === null
      ? {}
      : { staleWhileRevalidate: settings.staleWhileRevalidate }),
    ...(settings.staleIfError === null ? {} : { staleIfError: settings.staleIfError }),
  };
  const delivery: Delivery = {
    targets: context.targets,
    lifetimes: ownStatus ? settings.targets : {},
    extensions,
    tags: input.fixedTags,
    tagHeaders: input.fixedTagHeaders,
  };
  const isCustom = custom !== undefined || !isBuiltInPolicyName(rule.policy);
  const cdn = context.cdn;
  /** The edge's refusal, for an audience whose pages it cannot keep for exactly that audience. */
  const refusalFor = (audience: EdgeAudience): EdgeRefusal | null => {
    if (cdn === null) return null;
    const edgeRule = { policy: rule.policy, lifetime: rule.lifetime, custom: isCustom };
    // Where generated configuration reads the keyed lifetime from X-Accel-Expires (Cloudflare,
    // Fastly), the platform's own field keeps the default mode's value: nothing but that
    // configuration keeps a page that varies on who asks.
    const keyed = fieldCarriesKeyedLifetime(cdn) ? context.keyed : null;
    const outcome = edgeOutcome(cdn, keyed, context.identityHeaders, edgeRule, audience);
    return outcome.cached ? null : edgeRefusal(cdn);
  };
  if (isCustom) {
    const refusal = refusalFor("anonymous");
    return { kind: "custom", policy: custom!, rule, browserSeconds, delivery, urlTags, refusal };
  }
  const builtIn = BUILT_IN_POLICIES[rule.policy as BuiltInPolicyName];
  const decide = (audience: Audience, keyedCache?: KeyedCacheHint): CacheDecision => {
    const result = builtIn.decide(audience, {
      ...context,
      browserSeconds,
      lifetime: rule.lifetime,
    });
    if (keyedCache?.carrier === "netlify" && builtIn.identityDependent) {
      return ruleDecision(
        {
          rule,
          audience,
          cacheControl: UNCACHED,
          vary: (result.vary ?? []).filter((name) => name.toLowerCase() !== "cookie"),
          sharedLifetime: null,
          keyedCache: { ...keyedCache, lifetime: keyedCache.lifetime ?? rule.lifetime },
        },
        delivery,
        writePlans,
      );
    }
    let shared = isSharedCacheable(result.cacheControl);
    const refusal = shared && builtIn.identityDependent
      ? refusalFor(audience === "signed-in" ? "signed-in" : "anonymous")
      : null;
    let cacheControl = result.cacheControl;
    if (refusal !== null && refusal.header === null) {
      cacheControl = withoutSharing(cacheControl);
      shared = false;
    }
    return ruleDecision(
      {
        rule,
        audience: builtIn.identityDependent ? audience : null,
        cacheControl: shared
          ? shapeShared(cacheControl, settings, context.targets, ownStatus)
          : cacheControl,
        vary: result.vary ?? [],
        sharedLifetime: shared ? rule.lifetime : null,
        ...(refusal === null || !shared ? {} : { refusal }),
        ...(keyedCache === undefined ? {} : { keyedCache }),
      },
      delivery,
      writePlans,
    );
  };
  const hint: KeyedCacheHint | null = context.keyed === null || rule.lifetime === 0 ? null : {
    hashCookies: hashCookies(builtIn, context.keyed),
    carrier: cdn === "netlify" ? "netlify" : "proxy",
  };
  if (!builtIn.identityDependent) {
    return { kind: "fixed", decision: decide("anonymous", hint ?? undefined), urlTags };
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
    urlTags,
  };
}

/**
 * A built-in policy's shared directives with the rule's settings: `s-maxage` as the deployment's
 * targets say, and `immutable` (on the rule's own status only), `stale-while-revalidate` and
 * `stale-if-error` where the rule asks for them (on `all-users` rules only, checked at
 * construction).
 */
function shapeShared(
  directives: CacheControl,
  settings: RuleSettings,
  targets: readonly TargetName[],
  ownStatus: boolean,
): CacheControl {
  const { sMaxage, ...rest } = directives;
  const sharedMaxAge = ownStatus ? settings.targets["s-maxage"] ?? sMaxage : sMaxage;
  return {
    ...rest,
    ...(targets.includes("s-maxage") && sharedMaxAge !== undefined
      ? { sMaxage: sharedMaxAge }
      : {}),
    ...(ownStatus && settings.immutable ? { immutable: true } : {}),
    ...(settings.staleWhileRevalidate === null
      ? {}
      : { staleWhileRevalidate: settings.staleWhileRevalidate }),
    ...(settings.staleIfError === null ? {} : { staleIfError: settings.staleIfError }),
  };
}

/** Whether the platform reads a keyed page's lifetime from its own field (Netlify, Akamai). */
function fieldCarriesKeyedLifetime(cdn: CdnName): boolean {
  const keyed = PLATFORMS[cdn].keyed;
  return typeof keyed !== "string" && keyed.lifetime === "field";
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
  "x-hash-cookies",
  "netlify-vary",
  // Targeted lifetimes: written only on responses a shared cache may keep.
  ...TARGETED_LIFETIME_HEADERS.map(([name]) => name),
  // Cache tags: taken from the rules and the URL only, never from who asks.
  ...Object.values(TAG_HEADER_FORMATS).map((format) => format.header.toLowerCase()),
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
  plan: Extract<RulePlan, { kind: "custom" }>,
  result: PolicyResult,
  carriesAuthorization: boolean,
  signedIn: boolean,
  identityHeaders: readonly string[],
): CacheDecision {
  const rule = plan.rule;
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
  const refusal = plan.refusal;
  const cacheControl = signedIn || carriesAuthorization || refusal?.header === null
    ? withoutSharing(result.cacheControl)
    : result.cacheControl;
  const shared = isSharedCacheable(cacheControl);
  const { staleWhileRevalidate, staleIfError } = cacheControl;
  return ruleDecision({
    rule,
    audience: null,
    cacheControl,
    vary: [...vary, ...identityHeaders],
    headers,
    sharedLifetime: shared ? cacheControl.sMaxage ?? cacheControl.maxAge! : null,
    ...(shared && refusal !== null ? { refusal } : {}),
  }, {
    ...plan.delivery,
    extensions: {
      ...(staleWhileRevalidate === undefined ? {} : { staleWhileRevalidate }),
      ...(staleIfError === undefined ? {} : { staleIfError }),
    },
  });
}

/** The same directives for the browser only: `private`, no shared lifetime. */
function withoutSharing(directives: CacheControl): CacheControl {
  const { public: _public, sMaxage: _sMaxage, proxyRevalidate: _proxy, ...rest } = directives;
  return { ...rest, private: true };
}
