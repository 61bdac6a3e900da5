/**
 * `cachewise explain`: which rule decides a URL, which matching rules it shadows, and the headers
 * an anonymous and a signed-in visitor get.
 *
 * @module
 */

import { cacheHeaders } from "../apply.ts";
import { compileOptions } from "../decide/compile.ts";
import type {
  CacheDecision,
  DecisionReason,
  DecisionWarning,
  MatchedRule,
} from "../decide/decision.ts";
import type { CacheHeadersOptions } from "../config/options.ts";
import { describePattern } from "../match/patterns.ts";
import { MAX_MATCHED_URL_LENGTH } from "../match/pattern_safety.ts";
import { defineCommand, type ParsedArgs } from "./command.ts";
import { type EdgeReport, formatEdgeReport, reportEdge } from "./edge_report.ts";

/** What `cachewise explain` is asked. */
export interface ExplainSettings {
  /** An absolute URL (a path is taken as `http://localhost` + path before this). */
  readonly url: string;
  /** The signed-in visitor's id. */
  readonly user: string;
  /** The request method. */
  readonly method: string;
  /** The response status, 200 to 599. */
  readonly status: number;
  /** Print one JSON object instead of text. */
  readonly json: boolean;
}

/**
 * `explain`'s arguments: the URL (a path is taken on `http://localhost`), user, method and
 * status. Throws a `TypeError` (a usage error) for any that cannot be used.
 */
export function parseExplainArgs({ values, switches, positional }: ParsedArgs): ExplainSettings {
  const json = switches.has("--json");
  const [target, ...more] = positional;
  if (target === undefined) throw new TypeError("Name the URL or path to explain");
  if (more.length > 0) throw new TypeError(`Unexpected argument ${JSON.stringify(more[0])}`);
  let url: string;
  try {
    url = new URL(target.startsWith("/") ? `http://localhost${target}` : target).href;
  } catch {
    throw new TypeError(`${JSON.stringify(target)} is not a URL or a path starting with "/"`);
  }
  const method = values.get("--method") ?? "GET";
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method)) {
    throw new TypeError(`Method ${JSON.stringify(method)} is not a valid method`);
  }
  if (/^(CONNECT|TRACE|TRACK)$/i.test(method)) {
    throw new TypeError(`Method ${method.toUpperCase()} cannot be explained`);
  }
  const statusText = values.get("--status") ?? "200";
  const status = Number(statusText);
  if (!/^\d{3}$/.test(statusText) || status < 200 || status > 599) {
    throw new TypeError(`Status ${JSON.stringify(statusText)} must be a number from 200 to 599`);
  }
  const user = values.get("--user") ?? "user";
  return { url, user, method: method.toUpperCase(), status, json };
}

/** The headers `explain` reports, in this order. */
export const EXPLAINED_HEADERS = [
  "Cache-Control",
  "Vary",
  "X-Accel-Expires",
  "Surrogate-Control",
  "CDN-Cache-Control",
  "Cloudflare-CDN-Cache-Control",
  "Vercel-CDN-Cache-Control",
  "Netlify-CDN-Cache-Control",
  "Deno-CDN-Cache-Control",
  "Netlify-Vary",
  "Surrogate-Key",
  "Cache-Tag",
  "Edge-Cache-Tag",
  "xkey",
  "Netlify-Cache-Tag",
  "Vercel-Cache-Tag",
  "Deno-Cache-Tag",
  "X-Hash-Cookies",
  "Set-Cookie",
] as const;

/** What one visitor gets. */
export interface VisitorReport {
  readonly reason: DecisionReason;
  readonly audience: string | null;
  readonly shared: boolean;
  readonly mismatch: string | null;
  /** A deployment problem the request shows (keyed mode), or `null`. */
  readonly warning: DecisionWarning | null;
  /** The reported headers present on the response, by name. */
  readonly headers: Readonly<Record<string, string>>;
}

/** The whole explanation, as `--json` prints it. */
export interface Explanation {
  readonly url: string;
  readonly method: string;
  readonly status: number;
  readonly keyed: boolean;
  /** The most specific matching rule: the one that decides when a rule is consulted. */
  readonly rule: MatchedRule | null;
  /** The other matching rules, most specific first: they never decide for this URL. */
  readonly shadowed: readonly MatchedRule[];
  /** Who the policy of the deciding rule shares a page with. */
  readonly policyAudience: string | null;
  readonly anonymous: VisitorReport;
  readonly signedIn: VisitorReport & { readonly user: string };
  /** With option `cdn`: what the platform does with the deciding rule's pages. */
  readonly edge: EdgeReport | null;
}

const POLICY_AUDIENCES: Readonly<Record<string, string>> = {
  "all-users": "everybody: one shared page for anonymous and signed-in visitors",
  "anonymous-only": "anonymous visitors share the page; signed-in visitors get it uncached",
  "anonymous-and-authenticated":
    "anonymous visitors share the page; signed-in visitors get a private copy",
  "per-user": "anonymous visitors share the page; each signed-in visitor gets a private copy",
};

const REASONS: Readonly<Record<DecisionReason, string>> = {
  "not-rebuildable": "the response cannot be rebuilt; it is returned unchanged",
  "handler-cache-control": "the handler set Cache-Control; it is kept",
  "status": "the status is not cacheable (only 200 and 304)",
  "method": "the method is not GET or HEAD",
  "set-cookie": "the response sets a cookie",
  "no-rule": "no rule matches the URL",
  "url-too-long": `the URL is longer than ${MAX_MATCHED_URL_LENGTH} characters: no rule is tried`,
  "rule": "the rule's policy decided",
  "error": "a custom policy failed (onError was told)",
  "identity-mismatch": "the identity cookies disagree with the identity",
  "tag-limit": "the URL gives cache tags beyond what a tag header takes",
};

const WARNINGS: Readonly<Record<DecisionWarning, string>> = {
  "secure-marker-over-http": "the sign-in marker is Secure and this request came over plain " +
    "HTTP: browsers drop it, so signed-in pages are never served from the keyed cache. " +
    "Terminate TLS in front of the proxy (and forward X-Forwarded-Proto: https), or set " +
    "keyed.signInCookieAttributes.secure to false for development over HTTP",
};

/** Builds the explanation. Throws a `CacheConfigError` for options that do not compile. */
export function explainUrl(options: CacheHeadersOptions, settings: ExplainSettings): Explanation {
  const compiled = compileOptions(options);
  const { config, ranked } = compiled;
  const apply = cacheHeaders({ ...options, onError: () => {} });
  const { url, method, status, user } = settings;
  // Matching stays bounded: past the limit, apply() tries no rule, and neither does explain.
  const matching = url.length > MAX_MATCHED_URL_LENGTH
    ? []
    : ranked.filter((rule) => rule.urlPattern.test(url));
  const asMatched = (rule: (typeof ranked)[number]): MatchedRule => ({
    policy: rule.policy,
    lifetime: rule.lifetime,
    pattern: describePattern(rule.pattern),
    path: rule.path,
  });
  const visit = (cookie: string | null, identity: { id: string } | null): VisitorReport => {
    const init = { method, headers: cookie === null ? {} : { cookie } };
    const response = () => new Response(null, { status });
    const decision: CacheDecision = apply.explain(new Request(url, init), response(), identity);
    const written = apply(new Request(url, init), response(), identity);
    const headers: Record<string, string> = {};
    for (const name of EXPLAINED_HEADERS) {
      const value = written.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    const { reason, audience, shared, mismatch, warning } = decision;
    return { reason, audience, shared, mismatch, warning, headers };
  };
  const keyed = config.keyed;
  const cookie = keyed === null
    ? null
    : `${keyed.sessionCookie}=${encodeURIComponent(user)}-session; ${keyed.signInCookie}=1`;
  const rule = matching[0] === undefined ? null : asMatched(matching[0]);
  return {
    url,
    method,
    status,
    keyed: keyed !== null,
    rule,
    shadowed: matching.slice(1).map(asMatched),
    policyAudience: rule === null ? null : POLICY_AUDIENCES[rule.policy] ?? "custom policy",
    anonymous: visit(null, null),
    signedIn: { user, ...visit(cookie, { id: user }) },
    edge: matching[0] === undefined ? null : reportEdge(compiled, matching[0]),
  };
}

/** Formats a rule on one line: pattern → policy, lifetime (declared path). */
export function formatRule(rule: MatchedRule): string {
  return `${rule.pattern} → ${rule.policy}, ${rule.lifetime}s (${rule.path})`;
}

/** The explanation as text, or as one JSON object. */
export function formatExplanation(explanation: Explanation, json: boolean): string {
  if (json) return `${JSON.stringify(explanation, null, 2)}\n`;
  const e = explanation;
  const lines = [
    `URL:      ${e.method} ${e.url} → status ${e.status}${e.keyed ? " (keyed mode)" : ""}`,
    `Rule:     ${e.rule === null ? "none matches" : formatRule(e.rule)}`,
  ];
  e.shadowed.forEach((rule, index) => {
    lines.push(`${index === 0 ? "Shadows:" : "        "}  ${formatRule(rule)}`);
  });
  if (e.policyAudience !== null) lines.push(`Audience: ${e.policyAudience}`);
  const visitor = (title: string, report: VisitorReport) => {
    const audience = report.audience === null ? "" : `, audience ${report.audience}`;
    const shared = report.shared ? "shared cache may store it" : "not for shared caches";
    lines.push("", `${title} (${report.reason}${audience}; ${shared}):`);
    if (report.mismatch !== null) lines.push(`  mismatch: ${report.mismatch}`);
    if (report.warning !== null) lines.push(`  warning: ${WARNINGS[report.warning]}`);
    const entries = Object.entries(report.headers);
    if (entries.length === 0) lines.push(`  no headers added: ${REASONS[report.reason]}`);
    else if (report.reason !== "rule") lines.push(`  why: ${REASONS[report.reason]}`);
    for (const [name, value] of entries) lines.push(`  ${name}: ${value}`);
  };
  visitor("Anonymous visitor", e.anonymous);
  visitor(`Signed-in visitor "${e.signedIn.user}"`, e.signedIn);
  if (e.edge !== null) lines.push(...formatEdgeReport(e.edge));
  return `${lines.join("\n")}\n`;
}

/** `cachewise explain [--config FILE] URL [--user ID] [--method M] [--status N] [--json]` */
export const explainCommand = defineCommand<ExplainSettings>({
  usage: "URL [--user ID] [--method M] [--status N] [--json]",
  description: "the rule that decides URL (a path is taken on http://localhost), the matching " +
    "rules it shadows, and the headers for an anonymous and a signed-in visitor",
  flags: {
    "--user": { value: "ID", help: 'the signed-in visitor\'s id (default "user")' },
    "--method": { value: "M", help: "the request method (default GET)" },
    "--status": { value: "N", help: "the response status, 200 to 599 (default 200)" },
    "--json": { help: "print one JSON object" },
  },
  parse: parseExplainArgs,
  async run(settings, { streams, options }) {
    const explanation = explainUrl(await options(), settings);
    streams.stdout.write(formatExplanation(explanation, settings.json));
    return 0;
  },
});
