/**
 * An audit for people: the findings worst first, then one line per URL and visitor with the
 * cache's verdict per round; and the plan `--dry-run` prints. Credentials are never printed.
 *
 * @module
 */

import type { Finding } from "./findings.ts";
import type { AuditPlan } from "./plan.ts";
import type { AuditReport, AuditResult } from "./run.ts";

const LABELS = { leak: "LEAK", warning: "WARNING", notice: "NOTICE" } as const;

/**
 * The report as text: a summary line, the findings worst first, and a table of URL × visitor with
 * the status, the cache's verdict per round, the hits, the lifetime and the bodies received.
 *
 * @example
 * ```ts
 * import { formatAuditReport } from "@cachewise/cachewise/audit";
 * import assert from "node:assert/strict";
 *
 * const text = formatAuditReport({
 *   urls: ["https://example.com/"],
 *   visitors: [{ name: "anonymous", anonymous: true, sends: [] }],
 *   rounds: 1,
 *   requests: 1,
 *   mode: null,
 *   results: [],
 *   findings: [],
 *   leaks: 0,
 * });
 * assert.match(text, /no findings/);
 * ```
 */
export function formatAuditReport(report: AuditReport): string {
  const count = (level: Finding["level"]) =>
    report.findings.filter((finding) => finding.level === level).length;
  const lines = [
    `cachewise audit: ${report.urls.length} URL${plural(report.urls.length)} × ` +
    `${report.visitors.length} visitor${plural(report.visitors.length)} × ${report.rounds} ` +
    `round${plural(report.rounds)}, ${report.requests} request${plural(report.requests)} sent` +
    (report.mode === null ? "" : `; judged by the rules (${report.mode} mode)`),
    report.findings.length === 0
      ? "no findings"
      : `${count("leak")} leak${plural(count("leak"))}, ${count("warning")} ` +
        `warning${plural(count("warning"))}, ${count("notice")} notice${plural(count("notice"))}`,
  ];
  if (report.findings.length > 0) {
    lines.push("", ...table(report.findings.map(findingRow)));
  }
  const header = ["URL", "visitor", ...(report.mode === null ? [] : ["policy"]), "status"];
  header.push("cache per round", "hits", "lifetime", "bodies");
  lines.push("", ...table([header, ...report.results.map((r) => resultRow(r, report.mode))]));
  return `${lines.join("\n")}\n`;
}

function findingRow(finding: Finding): string[] {
  const rounds = finding.rounds.length === 0
    ? ""
    : `round${plural(finding.rounds.length)} ${finding.rounds.join(", ")}`;
  return [
    LABELS[finding.level],
    finding.url ?? "",
    finding.visitor ?? "",
    rounds,
    finding.message,
  ];
}

function resultRow(result: AuditResult, mode: AuditReport["mode"]): string[] {
  const statuses = [...new Set(result.observations.map((seen) => seen.status ?? "error"))];
  const verdicts = result.observations.map((seen) =>
    seen.error !== null ? "ERR" : seen.verdict === "unknown" ? "?" : seen.verdict.toUpperCase()
  );
  const bodies = [
    ...new Set(result.observations.flatMap((seen) => seen.digest === null ? [] : [seen.digest])),
  ];
  const lifetime = result.lifetime === null
    ? "-"
    : result.lifetime.shared === null
    ? "none"
    : `${result.lifetime.shared} s (${result.lifetime.from})`;
  const policy = result.rule === undefined
    ? []
    : [result.rule === null ? "no rule" : `${result.rule.policy} ${result.rule.lifetime} s`];
  return [
    result.url,
    result.visitor,
    ...(mode === null ? [] : policy),
    statuses.join(","),
    verdicts.join(" "),
    `${result.hits}/${result.observations.length}`,
    lifetime,
    bodies.length === 0 ? "-" : `${bodies.length}: ${bodies.map((d) => d.slice(0, 8)).join(" ")}`,
  ];
}

/**
 * The plan as text, for `--dry-run`: the bounds, the visitors (what they send, never the values),
 * the URLs with their rule when rules are given, and the order of each round.
 *
 * @example
 * ```ts
 * import { formatAuditPlan, planAudit } from "@cachewise/cachewise/audit";
 * import assert from "node:assert/strict";
 *
 * const plan = planAudit({
 *   urls: ["https://example.com/account"],
 *   visitors: [{ name: "alice", cookies: ["sessionid=secret"] }, { name: "anonymous" }],
 * });
 * const text = formatAuditPlan(plan);
 * assert.match(text, /alice +sends Cookie \(sessionid\)/);
 * assert.doesNotMatch(text, /secret/);
 * ```
 */
export function formatAuditPlan(plan: AuditPlan): string {
  const lines = [
    "cachewise audit, dry run: nothing is sent",
    `${plan.urls.length} URL${plural(plan.urls.length)} × ${plan.visitors.length} visitor` +
    `${plural(plan.visitors.length)} × ${plan.rounds} round${plural(plan.rounds)} = ` +
    `${plan.requests} requests (budget ${plan.budget}, redirects included); ` +
    `${plan.concurrency} URL${plural(plan.concurrency)} at a time; timeout ` +
    `${plan.timeoutMs / 1000} s; ${plan.pauseMs / 1000} s between rounds` +
    (plan.bust ? "; each round on its own cache entry (?cachewise-audit=…)" : ""),
    "",
    "visitors (values are never printed):",
    ...table(plan.visitors.map((visitor) => [
      `  ${visitor.name}`,
      visitor.anonymous ? "sends no credentials" : `sends ${visitor.sends.join(", ")}`,
      plan.markers.some((m) => m.visitor === visitor.name) ? "(has markers)" : "",
    ])),
    "",
    "URLs:",
  ];
  const first = plan.visitors[0]!;
  for (const url of plan.urls) {
    const rule = plan.rules?.expect(url, first).rule;
    const described = rule === undefined
      ? ""
      : rule === null
      ? "  no rule: uncached"
      : `  ${rule.policy} ${rule.lifetime} s, ${rule.path}`;
    lines.push(`  ${url}${described}`);
  }
  lines.push("", "order: each URL as every visitor in turn; different URLs side by side");
  plan.order.forEach((names, index) => lines.push(`  round ${index + 1}: ${names.join(" → ")}`));
  lines.push(
    "",
    "Credentials go only to each URL's own host (http: may move to https:); a redirect to",
    "another host is recorded, not followed.",
  );
  return `${lines.join("\n")}\n`;
}

/** Rows as columns padded to the widest cell; the last column is not padded. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => widths[index] = Math.max(widths[index] ?? 0, cell.length));
  }
  return rows.map((row) =>
    row.map((cell, index) => index === row.length - 1 ? cell : cell.padEnd(widths[index]!))
      .join("  ").trimEnd()
  );
}

function plural(count: number): string {
  return count === 1 ? "" : "s";
}
