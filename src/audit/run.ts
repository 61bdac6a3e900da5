/**
 * `audit()`: requests every URL as every visitor over several rounds, each URL's visitors in turn
 * so that a shared cache has the chance to hand one visitor's page to the next, then judges what
 * came back.
 *
 * @module
 */

import type { MatchedRule } from "../decide/decision.ts";
import type { Expectation } from "./expectations.ts";
import type { Finding } from "./findings.ts";
import { judge } from "./judge.ts";
import { type Lifetime, readLifetime } from "./lifetime.ts";
import { type AuditOptions, type AuditPlan, planAudit, roundUrl } from "./plan.ts";
import type { Says } from "./verdict.ts";
import { type Observation, visit, type VisitContext } from "./visit.ts";

/** What one visitor got for one URL over all rounds. */
export interface AuditResult {
  /** The URL as given. */
  readonly url: string;
  /** The visitor's name. */
  readonly visitor: string;
  /** With rules: the rule that decides the URL (`null`: none matches). */
  readonly rule?: MatchedRule | null;
  /** With rules: who the page is made for (see `Expectation.audience`). */
  readonly audience?: string | null;
  /** With rules: whether a shared cache may serve this visitor a stored copy. */
  readonly shareable?: boolean;
  /** The cache's verdict per round. */
  readonly verdicts: readonly Says[];
  /** Responses that came from a stored copy, as the cache said. */
  readonly hits: number;
  /** The lifetime the last response's headers give, or `null` without a response. */
  readonly lifetime: Lifetime | null;
  /** The largest `Age` seen, or `null`. */
  readonly maxAge: number | null;
  /** Every request, round by round. */
  readonly observations: readonly Observation[];
}

/** The report of an audit, as `--json` prints it. */
export interface AuditReport {
  /** The URLs audited, in the order given. */
  readonly urls: readonly string[];
  /** The visitors, with what they send (never the values). */
  readonly visitors: readonly {
    readonly name: string;
    readonly anonymous: boolean;
    readonly sends: readonly string[];
  }[];
  /** Passes over every URL as every visitor. */
  readonly rounds: number;
  /** Requests sent, redirects included. */
  readonly requests: number;
  /** `"default"` or `"keyed"` with rules, `null` without. */
  readonly mode: "default" | "keyed" | null;
  /** One per URL and visitor, URLs in the order given. */
  readonly results: readonly AuditResult[];
  /** Worst first. */
  readonly findings: readonly Finding[];
  /** How many findings are leaks. */
  readonly leaks: number;
}

/**
 * Audits a deployment: requests every URL as every visitor over several rounds and reports, per
 * URL and visitor, what the caches did and every finding, worst first. Bounded: at most
 * `concurrency` URLs at a time, each request within `timeoutSeconds`, never more than `budget`
 * requests; credentials go to each URL's own host only. Throws before sending anything when the
 * options are wrong or the plan exceeds the budget.
 *
 * @param options The URLs, the visitors, and optionally markers and the site's cachewise rules.
 * @returns The report; `report.leaks > 0` means a page reached someone it was not made for.
 *
 * @example
 * ```ts ignore
 * import { audit, formatAuditReport } from "@cachewise/cachewise/audit";
 *
 * const report = await audit({
 *   urls: ["https://staging.example.com/account"],
 *   visitors: [
 *     { name: "alice", cookies: [Deno.env.get("ALICE_COOKIE")!] },
 *     { name: "bob", cookies: [Deno.env.get("BOB_COOKIE")!] },
 *     { name: "anonymous" },
 *   ],
 *   markers: { alice: "alice@example.com", bob: "bob@example.com" },
 * });
 * console.log(formatAuditReport(report));
 * if (report.leaks > 0) Deno.exit(1);
 * ```
 */
export async function audit(options: AuditOptions): Promise<AuditReport> {
  const plan = planAudit(options);
  const context: VisitContext = {
    fetch: options.fetch ?? ((url, init) => fetch(url, init)),
    timeoutMs: plan.timeoutMs,
    maxBodyBytes: plan.maxBodyBytes,
    userAgent: plan.userAgent,
    markers: plan.markers,
    budget: { left: plan.budget },
    signal: options.signal,
  };
  const observations = await runRounds(plan, context);
  const order = new Map(plan.urls.map((url, index) => [url, index]));
  observations.sort((a, b) =>
    order.get(a.url)! - order.get(b.url)! || a.round - b.round || a.position - b.position
  );
  const expect = expectations(plan);
  const findings = judge({
    observations,
    visitors: plan.visitors,
    markers: plan.markers,
    expect,
  });
  return {
    urls: plan.urls,
    visitors: plan.visitors.map(({ name, anonymous, sends }) => ({ name, anonymous, sends })),
    rounds: plan.rounds,
    requests: plan.budget - context.budget.left,
    mode: plan.rules === null ? null : plan.rules.keyed ? "keyed" : "default",
    results: results(plan, observations, expect),
    findings,
    leaks: findings.filter((finding) => finding.level === "leak").length,
  };
}

async function runRounds(plan: AuditPlan, context: VisitContext): Promise<Observation[]> {
  const visitors = new Map(plan.visitors.map((visitor) => [visitor.name, visitor]));
  const run = [...crypto.getRandomValues(new Uint8Array(4))]
    .map((byte) => byte.toString(16).padStart(2, "0")).join("");
  const observations: Observation[] = [];
  for (let round = 1; round <= plan.rounds; round++) {
    if (round > 1 && plan.pauseMs > 0) await delay(plan.pauseMs);
    const names = plan.order[round - 1]!;
    // Each URL's visitors go in turn, one after the other; different URLs run side by side.
    await eachLimited(plan.urls, plan.concurrency, async (url) => {
      const target = roundUrl(url, plan, run, round);
      for (const [index, name] of names.entries()) {
        const seen = await visit(target, visitors.get(name)!, context);
        observations.push({ url, visitor: name, round, position: index + 1, ...seen });
      }
    });
  }
  return observations;
}

/** Runs `task` on every item, at most `limit` at a time. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function expectations(plan: AuditPlan): ((url: string, visitor: string) => Expectation) | null {
  const rules = plan.rules;
  if (rules === null) return null;
  const visitors = new Map(plan.visitors.map((visitor) => [visitor.name, visitor]));
  const memo = new Map<string, Expectation>();
  return (url, name) => {
    const key = `${name}\n${url}`;
    let expectation = memo.get(key);
    if (expectation === undefined) {
      expectation = rules.expect(url, visitors.get(name)!);
      memo.set(key, expectation);
    }
    return expectation;
  };
}

function results(
  plan: AuditPlan,
  observations: readonly Observation[],
  expect: ((url: string, visitor: string) => Expectation) | null,
): AuditResult[] {
  return plan.urls.flatMap((url) =>
    plan.visitors.map(({ name }) => {
      const own = observations.filter((seen) => seen.url === url && seen.visitor === name);
      const answered = own.filter((seen) => seen.error === null);
      const last = answered.at(-1);
      const ages = answered.flatMap((seen) => seen.age === null ? [] : [seen.age]);
      const expectation = expect?.(url, name);
      return {
        url,
        visitor: name,
        ...(expectation && {
          rule: expectation.rule,
          audience: expectation.audience,
          shareable: expectation.shareable,
        }),
        verdicts: own.map((seen) => seen.verdict),
        hits: own.filter((seen) => seen.verdict === "hit").length,
        lifetime: last === undefined ? null : readLifetime(last.headers),
        maxAge: ages.length === 0 ? null : Math.max(...ages),
        observations: own,
      };
    })
  );
}
