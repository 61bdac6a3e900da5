/**
 * What `cachewise explain` and `cachewise check` say about the platform named by option `cdn`:
 * per rule and per audience, whether the edge keeps the page and on what it keys it, or why it
 * keeps nothing. The answers come from `decide/edge.ts`, the planning the headers follow.
 *
 * @module
 */

import type { CompiledOptions } from "../decide/compile.ts";
import { type EdgeOutcome, edgeOutcome } from "../decide/edge.ts";
import { PLATFORMS } from "../headers/platforms.ts";

/** What the configured platform does with one rule's pages. */
export interface EdgeReport {
  /** The platform's name for people: `"Vercel"`. */
  readonly platform: string;
  /** The response header that shows a hit there. */
  readonly hit: string;
  readonly anonymous: EdgeOutcome;
  readonly signedIn: EdgeOutcome;
}

type Rule = CompiledOptions["ranked"][number];

/** The report for a rule, or `null` when no `cdn` is configured. */
export function reportEdge(compiled: CompiledOptions, rule: Rule): EdgeReport | null {
  const { cdn, keyed, identityHeaders } = compiled.config;
  if (cdn === null) return null;
  const edgeRule = {
    policy: rule.policy,
    lifetime: rule.lifetime,
    custom: rule.plan.kind === "custom",
  };
  const platform = PLATFORMS[cdn];
  return {
    platform: platform.title,
    hit: platform.hit,
    anonymous: edgeOutcome(cdn, keyed, identityHeaders, edgeRule, "anonymous"),
    signedIn: edgeOutcome(cdn, keyed, identityHeaders, edgeRule, "signed-in"),
  };
}

/** A finding of `check` about the edge, before it is given a level and a path. */
export interface EdgeFinding {
  readonly level: "warning" | "info";
  readonly code: "no-edge-caching" | "edge";
  readonly message: string;
}

/**
 * `check`'s findings for a rule: an info line saying what the edge does for each audience, and a
 * warning when it keeps none of the rule's pages (a lifetime of 0 asks for that, and is not warned).
 */
export function edgeFindings(
  compiled: CompiledOptions,
  rule: Rule,
  name: string,
): EdgeFinding[] {
  const report = reportEdge(compiled, rule);
  if (report === null) return [];
  const both = `anonymous: ${report.anonymous.text}; signed-in: ${report.signedIn.text}`;
  if (rule.lifetime > 0 && !report.anonymous.cached && !report.signedIn.cached) {
    return [{
      level: "warning",
      code: "no-edge-caching",
      message: `no edge caching: ${name} gets none on ${report.platform} (${both})`,
    }];
  }
  return [{ level: "info", code: "edge", message: `${report.platform}: ${name}: ${both}` }];
}

/** The report as lines of `explain`'s text output. */
export function formatEdgeReport(report: EdgeReport): string[] {
  return [
    "",
    `Edge (${report.platform}; a hit shows as ${report.hit}):`,
    `  anonymous: ${report.anonymous.text}`,
    `  signed-in: ${report.signedIn.text}`,
  ];
}
