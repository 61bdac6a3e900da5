/**
 * `cachewise check`: lints the rules before deploying. Each finding names the rule it is about
 * by its declared path, and the other rule involved, if any.
 *
 * @module
 */

import { compileOptions } from "../decide/compile.ts";
import { CacheConfigError } from "../config/errors.ts";
import type { CacheHeadersOptions } from "../config/options.ts";
import { describePattern } from "../match/patterns.ts";
import { defineCommand, refuseExtra } from "./command.ts";
import { edgeFindings } from "./edge_report.ts";

/** How much a finding matters: errors fail the check, warnings fail it with `--strict`. */
export type FindingLevel = "error" | "warning" | "info";

/** One finding about one rule (or the options as a whole). */
export interface Finding {
  readonly level: FindingLevel;
  /**
   * A short code: `invalid`, `duplicate`, `carve-out`, `unused-carve-out`, `short-lifetime`,
   * `unkeyed`, `zero-lifetime`, and with option `cdn` `edge` and `no-edge-caching`.
   */
  readonly code: string;
  /** Where the rule was declared, such as `timeouts["per-user"]["60"][0]`. */
  readonly path: string;
  readonly message: string;
}

/** Shares a page with everybody, or with every anonymous visitor. */
const PERMISSIVE = new Set(["all-users", "anonymous-only"]);
/** Gives each signed-in visitor a page of their own. */
const PER_USER = new Set(["per-user", "anonymous-and-authenticated"]);
const OTHER_COMPONENTS = ["protocol", "hostname", "port", "search", "hash"] as const;

type Rule = ReturnType<typeof compileOptions>["ranked"][number];

/** Lints the options: every finding, errors first, each group in rank order. */
export function checkOptions(options: CacheHeadersOptions): Finding[] {
  let compiled: ReturnType<typeof compileOptions>;
  try {
    compiled = compileOptions(options);
  } catch (error) {
    if (!(error instanceof CacheConfigError)) throw error;
    return error.problems.map((problem) => ({
      level: "error",
      code: "invalid",
      path: problem.path,
      message: problem.message,
    }));
  }
  const { config, ranked } = compiled;
  const findings: Finding[] = [];
  const add = (level: FindingLevel, code: string, rule: Rule, message: string) =>
    findings.push({ level, code, path: rule.path, message });
  const name = (rule: Rule) =>
    `${describePattern(rule.pattern)} (${rule.policy}, ${rule.lifetime}s)`;
  /** Rules that lie inside a per-user area. */
  const carvedOut = new Set<Rule>();

  ranked.forEach((specific, index) => {
    for (const general of ranked.slice(index + 1)) {
      if (specific.sameURLsKey !== null && specific.sameURLsKey === general.sameURLsKey) {
        add(
          "warning",
          "duplicate",
          general,
          `duplicate: ${name(general)} matches the same URLs as ${name(specific)} at ` +
            `${specific.path}, which always decides first; remove one`,
        );
        continue;
      }
      if (!inside(specific, general)) continue;
      const area = `${name(general)} at ${general.path}`;
      if (PERMISSIVE.has(specific.policy) && PER_USER.has(general.policy)) {
        carvedOut.add(specific);
        const same = specific.policy === "all-users" ? "everybody" : "every anonymous visitor";
        const intended = specific.settings?.carveOut === true;
        const mark = specific.path.startsWith("rules")
          ? "mark the rule carveOut: true"
          : "declare it in rules with carveOut: true";
        add(
          intended ? "info" : "warning",
          "carve-out",
          specific,
          intended
            ? `carve-out (intended, carveOut: true): ${specific.policy} hole in a ` +
              `${general.policy} area, the same page for ${same}: ${name(specific)} inside ${area}`
            : `carve-out: ${specific.policy} hole in a ${general.policy} area — make sure the ` +
              `page is the same for ${same}, then ${mark}: ` +
              `${name(specific)} inside ${area}`,
        );
      } else if (PER_USER.has(specific.policy) && PERMISSIVE.has(general.policy)) {
        add(
          "info",
          "carve-out",
          specific,
          `carve-out: ${specific.policy} area inside an ${general.policy} area: ` +
            `${name(specific)} inside ${area}`,
        );
      }
    }
  });
  for (const rule of ranked) {
    const { lifetime, policy } = rule;
    if (rule.settings?.carveOut === true && !carvedOut.has(rule)) {
      add(
        "info",
        "unused-carve-out",
        rule,
        `${name(rule)} is marked carveOut: true but lies inside no per-user or ` +
          `anonymous-and-authenticated area; the mark can go`,
      );
    }
    if (lifetime > 0 && lifetime < config.browserSeconds) {
      add(
        "info",
        "short-lifetime",
        rule,
        `lifetime ${lifetime}s of ${name(rule)} is shorter than browserSeconds ` +
          `(${config.browserSeconds}s): max-age will equal the lifetime`,
      );
    }
    if (policy !== "all-users" && config.keyed === null) {
      add(
        "info",
        "unkeyed",
        rule,
        `${name(rule)} depends on who asks and nothing is declared to key on (no "keyed"): ` +
          `shared only for anonymous visitors (default mode)`,
      );
    }
    for (const edge of edgeFindings(compiled, rule, name(rule))) {
      add(edge.level, edge.code, rule, edge.message);
    }
    if (lifetime === 0 && policy === "all-users") {
      add(
        "info",
        "zero-lifetime",
        rule,
        `lifetime 0 under all-users: ${name(rule)} is sent "private, no-cache" to everybody`,
      );
    }
  }
  const order: Record<FindingLevel, number> = { error: 0, warning: 1, info: 2 };
  return findings.sort((a, b) => order[a.level] - order[b.level]);
}

/**
 * Whether `specific` lies in the area of `general`: `general`'s pathname is `"/prefix/*"` and
 * `specific`'s starts with `"/prefix/"`, and `general` leaves every other component open or
 * agrees with `specific` on it.
 */
function inside(specific: Rule, general: Rule): boolean {
  const area = general.urlPattern.pathname;
  if (!area.endsWith("/*")) return false;
  const prefix = area.slice(0, -1);
  if (!specific.urlPattern.pathname.startsWith(prefix)) return false;
  return OTHER_COMPONENTS.every((component) =>
    general.urlPattern[component] === "*" ||
    general.urlPattern[component] === specific.urlPattern[component]
  );
}

/** The exit status for findings: 1 for any error, or any warning when strict. */
export function checkStatus(findings: readonly Finding[], strict: boolean): number {
  const fails = findings.some((f) => f.level === "error" || (strict && f.level === "warning"));
  return fails ? 1 : 0;
}

/** The findings as lines `level rule-path: message`, or one JSON object. */
export function formatFindings(
  findings: readonly Finding[],
  strict: boolean,
  json: boolean,
): string {
  const status = checkStatus(findings, strict);
  if (json) {
    const count = (level: FindingLevel) => findings.filter((f) => f.level === level).length;
    const summary = { errors: count("error"), warnings: count("warning"), infos: count("info") };
    return `${JSON.stringify({ ok: status === 0, ...summary, findings }, null, 2)}\n`;
  }
  if (findings.length === 0) return "ok: no findings\n";
  return findings.map((f) => `${f.level} ${f.path}: ${f.message}\n`).join("");
}

/** `cachewise check [--config FILE] [--strict] [--json]` */
export const checkCommand = defineCommand<{ strict: boolean; json: boolean }>({
  usage: "[--strict] [--json]",
  description: 'lint the rules: "level rule-path: message" per finding; exits 1 on an error ' +
    "(or, with --strict, a warning)",
  flags: {
    "--strict": { help: "check: exit 1 on warnings too" },
    "--json": { help: "print one JSON object" },
  },
  parse(args) {
    refuseExtra(args);
    return { strict: args.switches.has("--strict"), json: args.switches.has("--json") };
  },
  async run({ strict, json }, { streams, options }) {
    const findings = checkOptions(await options());
    streams.stdout.write(formatFindings(findings, strict, json));
    return checkStatus(findings, strict);
  },
});
