/**
 * The TypeScript and JavaScript blocks of README.md and docs/ as files `deno check` can read: the
 * package's import specifiers (`cachewise`, `cachewise/node`, `@cachewise/cachewise/debug`, …)
 * point at the sources, a prelude declares what the guides leave to the reader (`app`,
 * `currentUser`, `config`, Bun's server), and each block keeps its Markdown line numbers, so a
 * type error is reported at the line of README.md or docs/x.md it is on. A block whose info string
 * says `ignore` after the language (```ts ignore) is left out; the prose around it says why.
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type CodeBlock, readCodeBlocks } from "./_markdown.ts";

/** Languages checked: TypeScript as `.ts`, JavaScript as `.mjs` under `// @ts-check`. */
const LANGS: Readonly<Record<string, "ts" | "mjs">> = {
  ts: "ts",
  typescript: "ts",
  js: "mjs",
  javascript: "mjs",
  mjs: "mjs",
};

/** The Markdown files whose blocks are checked, relative to the repository. */
export function documentationFiles(root: string): string[] {
  const docs = readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md")).sort();
  return ["README.md", ...docs.map((name) => `docs/${name}`)];
}

/** Whether a block is marked as deliberately not checked. */
export function isIgnored(block: CodeBlock): boolean {
  return /(?:^|\s)ignore(?:\s|$)/.test(block.meta);
}

/** The blocks to check: TypeScript and JavaScript, less those marked `ignore`. */
export function checkedBlocks(root: string, files = documentationFiles(root)): CodeBlock[] {
  return files.flatMap((file) =>
    readCodeBlocks(join(root, file), Object.keys(LANGS))
      .filter((block) => !isIgnored(block))
      .map((block) => ({ ...block, file }))
  );
}

/** The declarations the guides take for granted, shared by every snippet. */
export function prelude(toRoot: string): string {
  return `/**
 * What the guides take for granted: the application's handler and session lookup, the options,
 * and the part of Bun's API they use (bun-types is not installed).
 */
import type { CacheHeadersOptions, Identity } from "${toRoot}mod.ts";

declare global {
  /** The application: a fetch handler. */
  const app: (request: Request) => Response | Promise<Response>;
  /** The application's session lookup: who is asking, or null for an anonymous visitor. */
  function currentUser(request: Request, ...context: unknown[]): Promise<Identity | null>;
  /** Options as the guides write them. */
  const config: CacheHeadersOptions;
  /** Bun's server. */
  const Bun: {
    serve(options: {
      port?: number;
      hostname?: string;
      fetch(request: Request, server: { requestIP(request: Request): unknown }): Response | Promise<Response>;
    }): unknown;
  };
}
`;
}

/** The specifiers users write, mapped to the source files of deno.json's exports. */
export function specifierMap(root: string, toRoot: string): Map<string, string> {
  const exports: Record<string, string> = JSON.parse(
    readFileSync(join(root, "deno.json"), "utf8"),
  ).exports;
  const map = new Map<string, string>();
  for (const [subpath, source] of Object.entries(exports)) {
    const tail = subpath === "." ? "" : subpath.slice(1);
    const target = toRoot + source.replace(/^\.\//, "");
    for (const name of ["cachewise", "@cachewise/cachewise"]) {
      map.set(`${name}${tail}`, target);
      map.set(`${name.startsWith("@") ? "jsr:" : "npm:"}${name}${tail}`, target);
    }
  }
  return map;
}

/**
 * The source of one block as a file in a folder `toRoot` below the repository: the prelude
 * referenced on the first lines, the block on the lines it has in its Markdown file.
 */
export function snippetSource(block: CodeBlock, specifiers: ReadonlyMap<string, string>): string {
  const kind = LANGS[block.lang]!;
  const head = kind === "mjs"
    ? ["// @ts-check", '/// <reference path="./_prelude.d.ts" />']
    : ['/// <reference path="./_prelude.d.ts" />'];
  if (block.line < head.length) throw new Error(`${block.file}:${block.line}: block too early`);
  const padding = Array.from({ length: block.line - head.length }, () => "");
  const body = block.text.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])([^"']+)\2/g,
    (whole, keyword: string, quote: string, specifier: string) => {
      const target = specifiers.get(specifier);
      return target === undefined ? whole : `${keyword}${quote}${target}${quote}`;
    },
  );
  return `${[...head, ...padding].join("\n")}\n${body}export {};\n`;
}

/** The file name of a block: its Markdown file and fence line, `README.md_L42.ts`. */
export function snippetName(block: CodeBlock): string {
  return `${block.file.replaceAll("/", "__")}_L${block.line}.${LANGS[block.lang]}`;
}
