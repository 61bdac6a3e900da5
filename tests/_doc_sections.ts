/**
 * Generated sections of the documentation: the text between `<!-- BEGIN name -->` and
 * `<!-- END name -->` in a Markdown file is written by a test from what it measured or rendered.
 * The test compares; with `UPDATE_DOCS=1` in the environment it rewrites the section instead.
 */

import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";

/** What comparing a section gave. */
export interface SectionCheck {
  /** The section's text in the file now, or `null` when the markers are missing. */
  readonly current: string | null;
  /** The file was rewritten (`UPDATE_DOCS=1`). */
  readonly updated: boolean;
}

function markers(name: string): [string, string] {
  return [`<!-- BEGIN ${name} -->\n`, `<!-- END ${name} -->`];
}

/** The text of a generated section, or `null` when its markers are missing. */
export function readSection(text: string, name: string): string | null {
  const [begin, end] = markers(name);
  const start = text.indexOf(begin);
  const stop = text.indexOf(end, start);
  return start === -1 || stop === -1 ? null : text.slice(start + begin.length, stop);
}

/**
 * Reads section `name` of `file`; with `UPDATE_DOCS=1` replaces it with `wanted` (the markers
 * must exist). The section holds `wanted` between two blank lines, as `deno fmt` leaves Markdown
 * next to an HTML comment. The caller asserts `current === wanted`.
 */
export function syncSection(file: string, name: string, wanted: string): SectionCheck {
  const text = readFileSync(file, "utf8");
  const section = readSection(text, name);
  const current = section !== null && /^\n[^]*\n$/.test(section) ? section.slice(1, -1) : section;
  if (process.env.UPDATE_DOCS !== "1" || section === null || current === wanted) {
    return { current, updated: false };
  }
  const [begin] = markers(name);
  const start = text.indexOf(begin) + begin.length;
  const body = `\n${wanted}\n`;
  writeFileSync(file, text.slice(0, start) + body + text.slice(start + section.length));
  return { current: wanted, updated: true };
}
