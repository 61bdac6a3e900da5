/**
 * Fenced code blocks read out of Markdown files, so that tests can check what the documentation
 * shows: TypeScript snippets type-checked, shell blocks run against real daemons, tables compared
 * with real output.
 */

import { readFileSync } from "node:fs";

/** One fenced code block. */
export interface CodeBlock {
  /** The file it was read from, as given. */
  readonly file: string;
  /** The 1-based line of the opening fence. */
  readonly line: number;
  /** The first word of the info string (`ts`, `sh`, `json`), lower-case; `""` for none. */
  readonly lang: string;
  /** The rest of the info string after the language, trimmed (`title="x"`, `skip`). */
  readonly meta: string;
  /** The block's text, without the fences, ending in a newline when not empty. */
  readonly text: string;
}

const FENCE = /^( {0,3})(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/;

/**
 * Reads the fenced code blocks of Markdown text in document order. Fences of three or more
 * backticks or tildes are recognised, closed by a fence of the same character at least as long;
 * an unclosed block runs to the end of the text, as CommonMark says.
 *
 * @param text The Markdown source.
 * @param file The name to report blocks under.
 */
export function parseCodeBlocks(text: string, file = "<markdown>"): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  let open: { fence: string; indent: number; line: number; lang: string; meta: string } | null =
    null;
  let body: string[] = [];
  lines.forEach((raw, index) => {
    const line = raw.replace(/\r$/, "");
    if (open === null) {
      const match = FENCE.exec(line);
      if (match === null) return;
      open = {
        indent: match[1]!.length,
        fence: match[2]!,
        line: index + 1,
        lang: match[3]!.toLowerCase(),
        meta: match[4]!.trim(),
      };
      body = [];
      return;
    }
    const closing = new RegExp(`^ {0,3}${open.fence[0]}{${open.fence.length},}\\s*$`);
    if (closing.test(line)) {
      blocks.push(block(file, open, body));
      open = null;
      return;
    }
    body.push(line.slice(Math.min(open.indent, line.length - line.trimStart().length)));
  });
  if (open !== null) blocks.push(block(file, open, body));
  return blocks;
}

function block(
  file: string,
  open: { line: number; lang: string; meta: string },
  body: readonly string[],
): CodeBlock {
  const text = body.length === 0 ? "" : `${body.join("\n")}\n`;
  return { file, line: open.line, lang: open.lang, meta: open.meta, text };
}

/**
 * Reads the fenced code blocks of a Markdown file, optionally only those in some languages.
 *
 * @param path The file.
 * @param langs Languages to keep (`["ts", "typescript"]`); every block when left out.
 */
export function readCodeBlocks(path: string, langs?: readonly string[]): CodeBlock[] {
  const blocks = parseCodeBlocks(readFileSync(path, "utf8"), path);
  return langs === undefined ? blocks : blocks.filter((block) => langs.includes(block.lang));
}

/** A region of Markdown between `<!-- generated: NAME -->` and `<!-- end generated -->`. */
export interface GeneratedRegion {
  /** The name after `generated:`. */
  readonly name: string;
  /** The 1-based line of the opening marker. */
  readonly line: number;
  /** The lines between the markers, joined, without blank lines at either end. */
  readonly text: string;
}

const OPEN = /^<!-- generated: ([\w-]+) -->$/;
const CLOSE = "<!-- end generated -->";

/** Reads the generated regions of Markdown text; throws on an unclosed or nested marker. */
export function readGeneratedRegions(text: string, file = "<markdown>"): GeneratedRegion[] {
  const regions: GeneratedRegion[] = [];
  const lines = text.split("\n");
  let open: { name: string; line: number } | null = null;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    const name = OPEN.exec(line)?.[1];
    if (name !== undefined) {
      if (open !== null) throw new Error(`${file}:${index + 1}: region inside ${open.name}`);
      open = { name, line: index + 1 };
    } else if (line === CLOSE) {
      if (open === null) throw new Error(`${file}:${index + 1}: end of no region`);
      const body = lines.slice(open.line, index).join("\n");
      regions.push({ name: open.name, line: open.line, text: trimBlankLines(body) });
      open = null;
    }
  }
  if (open !== null) throw new Error(`${file}: region ${open.name} is not closed`);
  return regions;
}

/** Replaces the text of every generated region with what `produce` gives for its name. */
export function writeGeneratedRegions(text: string, produce: (name: string) => string): string {
  const lines = text.split("\n");
  const out: string[] = [];
  let skipping = false;
  for (const line of lines) {
    const name = OPEN.exec(line.trim())?.[1];
    if (name !== undefined) {
      out.push(line, "", trimBlankLines(produce(name)), "");
      skipping = true;
    } else if (line.trim() === CLOSE) {
      out.push(line);
      skipping = false;
    } else if (!skipping) out.push(line);
  }
  return out.join("\n");
}

/**
 * Generated text as the formatter may leave it: table cells trimmed and separator rows reduced to
 * `---`, since `deno fmt` pads Markdown tables.
 */
export function normaliseMarkdown(text: string): string {
  return trimBlankLines(text).split("\n").map((line) => {
    if (!line.startsWith("|")) return line.trimEnd();
    const cells = line.slice(1, line.endsWith("|") ? -1 : undefined).split(/(?<!\\)\|/);
    return cells.map((cell) => cell.trim().replace(/^:?-{3,}:?$/, "---")).join("|");
  }).join("\n");
}

function trimBlankLines(text: string): string {
  return text.replace(/^(?:[ \t]*\n)+/, "").replace(/(?:\n[ \t]*)+$/, "").replace(/\n$/, "");
}
