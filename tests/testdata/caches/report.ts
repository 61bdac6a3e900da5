/**
 * What docs/self-hosted.md shows, as Markdown: per mode, the table cache × policy × audience →
 * kept apart / shared / not stored with the hit ratio; the table cache × probe; the configuration
 * each cache helper writes.
 */

import { POLICIES } from "../e2e_app.ts";
import type { ConfigFiles } from "./common.ts";
import { AUDIENCES, type Observation, verdictOf } from "./matrix.ts";
import { type Probe, PROBES } from "./probes.ts";

/** One cache's matrix in one mode. */
export interface MeasuredCache {
  /** The cache as the table names it, with its version (`squid 5.7`). */
  readonly cache: string;
  readonly observations: readonly Observation[];
}

/** The compatibility table of one mode. */
export function matrixTable(measured: readonly MeasuredCache[]): string {
  const header = ["cache", "policy", ...AUDIENCES, "all visits"];
  const rows = measured.flatMap(({ cache, observations }) =>
    POLICIES.map((policy) => {
      const cells = AUDIENCES.map((audience) => {
        const { verdict, hits, visits } = verdictOf(observations, policy, audience);
        return `${verdict} ${hits}/${visits}`;
      });
      const own = observations.filter((o) => o.policy === policy);
      const hits = own.filter((o) => o.hit).length;
      return [cache, `\`${policy}\``, ...cells, `${hits}/${own.length}`];
    })
  );
  return markdownTable(header, rows);
}

/** The probe table: one column per cache (or cache configuration). */
export function probeTable(
  columns: readonly { cache: string; results: Record<Probe, string> }[],
): string {
  const header = ["", ...columns.map((column) => column.cache)];
  const rows = PROBES.map((probe) => [probe, ...columns.map((column) => column.results[probe])]);
  return markdownTable(header, rows);
}

/** A Markdown table with padded columns, as `deno fmt` writes it. */
export function markdownTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((cell, index) =>
    Math.max(3, cell.length, ...rows.map((row) => row[index]!.length))
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, index) => cell.padEnd(widths[index]!)).join(" | ")} |`;
  return [
    line(header),
    `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`,
    ...rows.map(line),
  ].join("\n") + "\n";
}

/** The fence language of a configuration file, by its name. */
function languageOf(name: string): string {
  if (name.endsWith(".yaml")) return "yaml";
  if (name === "httpd.conf") return "apache";
  return name.endsWith(".cfg") ? "haproxy" : "text";
}

/** A cache's configuration files as fenced blocks; empty files are listed by name. */
export function configBlocks(files: ConfigFiles): string {
  const entries = Object.entries(files);
  const blocks = entries.filter(([, text]) => text !== "").map(([name, text]) =>
    `\`${name}\`:\n\n\`\`\`${languageOf(name)}\n${text}\`\`\`\n`
  );
  const empty = entries.filter(([, text]) => text === "").map(([name]) => `- \`${name}\`\n`);
  if (empty.length > 0) blocks.push(`Empty, so that the defaults apply:\n\n${empty.join("")}`);
  return blocks.join("\n");
}
