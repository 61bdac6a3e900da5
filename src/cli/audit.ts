/**
 * `cachewise audit URL… --visitor NAME=SPEC … [--marker NAME=TEXT …] [--config FILE] [--rounds N]
 * [--budget N] [--concurrency N] [--timeout SECONDS] [--pause SECONDS] [--bust] [--json]
 * [--dry-run]`: checks a live deployment (see docs/audit.md). Exits 1 on any leak, 0 otherwise,
 * and 2 when it cannot run: a wrong command line, rules that do not load, or no response at all.
 *
 * @module
 */

import {
  audit,
  type AuditOptions,
  formatAuditPlan,
  formatAuditReport,
  mergeVisitors,
  parseVisitor,
  planAudit,
} from "../audit/mod.ts";
import { loadOptions } from "./load_config.ts";

/** Where the command writes. */
export interface AuditStreams {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Exit status of an audit that found a leak. */
export const EXIT_LEAK = 1;
/** Exit status of an audit that could not run. */
export const EXIT_CANNOT_AUDIT = 2;

export const AUDIT_USAGE = `Usage:
  cachewise audit URL... [--visitor NAME=SPEC]... [--marker NAME=TEXT]... [--config FILE]
                  [--rounds N] [--budget N] [--concurrency N] [--timeout SECONDS]
                  [--pause SECONDS] [--bust] [--json] [--dry-run]

Requests every URL as every visitor over several rounds, each URL's visitors in turn, and
reports what the caches did: hit or miss per round, the lifetime, and findings worst first.
Exits 1 on any LEAK, 0 otherwise, 2 when it cannot run.

  --visitor NAME=SPEC  SPEC: anonymous | cookie:<Cookie header value> | header:<Name>: <value>;
                       repeat a NAME to give it several (default: one anonymous visitor)
  --marker NAME=TEXT   text found only in pages made for NAME (an e-mail address); repeatable
  --config FILE        the site's cachewise options: each URL's policy is judged exactly
  --rounds N           passes over every URL as every visitor, 1 to 20 (default 3)
  --budget N           the most requests sent, redirects included (default 500)
  --concurrency N      URLs requested at the same time (default 4)
  --timeout SECONDS    for each request, body included (default 10)
  --pause SECONDS      between rounds, so Age can show a stored copy (default 1)
  --bust               each round on its own cache entry (?cachewise-audit=RUN-ROUND)
  --json               print the report as one JSON object
  --dry-run            print the plan and send nothing
Credentials go only to each URL's own host; their values are never printed.
`;

const VALUE_FLAGS = new Set([
  "--visitor",
  "--marker",
  "--config",
  "--rounds",
  "--budget",
  "--concurrency",
  "--timeout",
  "--pause",
]);
const REPEATABLE = new Set(["--visitor", "--marker"]);
const SWITCHES = new Set(["--json", "--dry-run", "--bust"]);

interface AuditArgs {
  readonly options: Omit<AuditOptions, "rules">;
  readonly config: string | null;
  readonly json: boolean;
  readonly dryRun: boolean;
}

/**
 * Runs `cachewise audit` with the arguments after `audit`, and returns the exit status.
 *
 * @example
 * ```ts
 * import { runAudit } from "./audit.ts";
 * import assert from "node:assert/strict";
 *
 * const out: string[] = [];
 * const streams = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => {} } };
 * const args = ["https://example.com/", "--visitor", "a=cookie:sid=1", "--dry-run"];
 * assert.equal(await runAudit(args, streams), 0);
 * assert.match(out.join(""), /dry run: nothing is sent/);
 * assert.equal(await runAudit(["--rounds", "x"], streams), 2);
 * ```
 */
export async function runAudit(args: readonly string[], streams: AuditStreams): Promise<number> {
  let parsed: AuditArgs | "help";
  try {
    parsed = parseAuditArgs(args);
  } catch (error) {
    streams.stderr.write(`cachewise audit: ${message(error)}\n\n${AUDIT_USAGE}`);
    return EXIT_CANNOT_AUDIT;
  }
  if (parsed === "help") {
    streams.stdout.write(AUDIT_USAGE);
    return 0;
  }
  let options: AuditOptions;
  try {
    const rules = parsed.config === null ? undefined : await loadOptions(parsed.config);
    options = { ...parsed.options, ...(rules && { rules }) };
    const plan = planAudit(options);
    if (parsed.dryRun) {
      streams.stdout.write(
        parsed.json ? `${JSON.stringify(planJson(plan), null, 2)}\n` : formatAuditPlan(plan),
      );
      return 0;
    }
  } catch (error) {
    streams.stderr.write(`cachewise audit: ${message(error)}\n`);
    return EXIT_CANNOT_AUDIT;
  }
  const report = await audit(options);
  streams.stdout.write(
    parsed.json ? `${JSON.stringify(report, null, 2)}\n` : formatAuditReport(report),
  );
  const answered = report.results.some((result) =>
    result.observations.some((seen) => seen.error === null)
  );
  if (!answered) {
    streams.stderr.write("cachewise audit: no request got a response; nothing was audited\n");
    return EXIT_CANNOT_AUDIT;
  }
  return report.leaks > 0 ? EXIT_LEAK : 0;
}

function planJson(plan: ReturnType<typeof planAudit>): unknown {
  const first = plan.visitors[0]!;
  return {
    urls: plan.urls.map((url) => ({ url, rule: plan.rules?.expect(url, first).rule })),
    visitors: plan.visitors.map(({ name, anonymous, sends }) => ({ name, anonymous, sends })),
    order: plan.order,
    requests: plan.requests,
    budget: plan.budget,
    concurrency: plan.concurrency,
    timeoutSeconds: plan.timeoutMs / 1000,
    pauseSeconds: plan.pauseMs / 1000,
    bust: plan.bust,
  };
}

/** Reads the arguments after `audit`; throws a `TypeError` for any that cannot be used. */
function parseAuditArgs(args: readonly string[]): AuditArgs | "help" {
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  const urls: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "-h" || arg === "--help") return "help";
    if (SWITCHES.has(arg)) {
      switches.add(arg);
      continue;
    }
    const equals = arg.indexOf("=");
    const flag = arg.startsWith("--") && equals > 0 ? arg.slice(0, equals) : arg;
    if (!VALUE_FLAGS.has(flag)) {
      if (arg.startsWith("-")) throw new TypeError(`Unknown option ${JSON.stringify(arg)}`);
      urls.push(arg);
      continue;
    }
    const value = flag === arg ? args[++index] : arg.slice(equals + 1);
    if (value === undefined || value === "") throw new TypeError(`Option ${flag} needs a value`);
    if (values.has(flag) && !REPEATABLE.has(flag)) {
      throw new TypeError(`Option ${flag} is given twice`);
    }
    values.set(flag, [...(values.get(flag) ?? []), value]);
  }
  if (urls.length === 0) throw new TypeError("Name at least one URL to audit");
  const visitors = values.get("--visitor")?.map(parseVisitor);
  const markers: Record<string, string[]> = {};
  for (const text of values.get("--marker") ?? []) {
    const equals = text.indexOf("=");
    if (equals <= 0 || equals === text.length - 1) {
      throw new TypeError(`Marker ${JSON.stringify(text)} must read NAME=TEXT`);
    }
    (markers[text.slice(0, equals)] ??= []).push(text.slice(equals + 1));
  }
  const number = (flag: string): number | undefined => {
    const text = values.get(flag)?.[0];
    if (text === undefined) return undefined;
    if (!/^\d+(\.\d+)?$/.test(text)) throw new TypeError(`Option ${flag} must be a number`);
    return Number(text);
  };
  const options: Omit<AuditOptions, "rules"> = {
    urls,
    ...(visitors && { visitors: mergeVisitors(visitors) }),
    markers,
    ...defined("rounds", number("--rounds")),
    ...defined("budget", number("--budget")),
    ...defined("concurrency", number("--concurrency")),
    ...defined("timeoutSeconds", number("--timeout")),
    ...defined("pauseSeconds", number("--pause")),
    bust: switches.has("--bust"),
  };
  return {
    options,
    config: values.get("--config")?.[0] ?? null,
    json: switches.has("--json"),
    dryRun: switches.has("--dry-run"),
  };
}

function defined<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
