/**
 * The import graph of `src/` and the two checks that keep its layout true: no import circle, and
 * no stage importing one it must not. The stages and what each may import are declared in
 * `LAYOUT` below and drawn in docs/architecture.md; a new folder under `src/` needs a line here.
 */

import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** A file path relative to `src/`, with `/` separators: `"match/trie.ts"`. */
export type SourcePath = string;

/** Each file under `src/` with the files under `src/` it imports. */
export type ImportGraph = ReadonlyMap<SourcePath, readonly SourcePath[]>;

/**
 * Every stage with the stages it may import besides itself, lowest first. The entry points
 * (`apply.ts`, `serve.ts`) sit at the top of `src/` as the stage `entry`.
 */
export const LAYOUT: Readonly<Record<string, readonly string[]>> = {
  headers: [],
  config: ["headers"],
  match: ["config"],
  decide: ["headers", "config", "match"],
  entry: ["headers", "config", "match", "decide"],
  generate: ["headers", "config", "match", "decide"],
  adapters: ["headers", "config", "match", "decide", "entry"],
  audit: ["headers", "config", "match", "decide", "entry"],
  purge: ["headers", "config"],
  cli: ["headers", "config", "match", "decide", "entry", "generate", "audit", "purge"],
};

/** The entry points, the only files allowed at the top of `src/`. */
export const ENTRY_POINTS: readonly SourcePath[] = ["apply.ts", "serve.ts"];

/**
 * Reads the imports of every `.ts` file under `root`: static imports and re-exports, side-effect
 * imports and `import()` with a literal specifier. Comments are no imports (JSDoc examples are
 * left out), and neither are packages or files outside `root`.
 */
export function readImportGraph(root: string): ImportGraph {
  const graph = new Map<SourcePath, SourcePath[]>();
  for (const file of listSources(root)) {
    const text = readFileSync(join(root, file), "utf8");
    const imports = ts.preProcessFile(text, true, true).importedFiles
      .map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith("./") || specifier.startsWith("../"))
      .map((specifier) => toPosix(normalize(join(dirname(file), specifier))))
      .filter((target) => !target.startsWith("../"));
    graph.set(file, [...new Set(imports)]);
  }
  return graph;
}

function listSources(root: string, folder = ""): SourcePath[] {
  const files: SourcePath[] = [];
  for (const name of readdirSync(join(root, folder)).sort()) {
    const path = folder === "" ? name : `${folder}/${name}`;
    if (statSync(join(root, path)).isDirectory()) files.push(...listSources(root, path));
    else if (name.endsWith(".ts")) files.push(path);
  }
  return files;
}

function toPosix(path: string): string {
  return path.split("\\").join("/");
}

/** The stage of a file: its folder, or `entry` for an entry point at the top. */
export function stageOf(file: SourcePath): string {
  const slash = file.indexOf("/");
  return slash < 0 ? "entry" : file.slice(0, slash);
}

/**
 * Files that are not where the layout allows: at the top of `src/` without being an entry point,
 * in a folder that `LAYOUT` does not declare, nested a level deeper than a stage, or named with a
 * prefix that repeats their folder (`match/_matcher_trie.ts`, `cli/cli_check.ts`).
 */
export function findMisplacedFiles(files: Iterable<SourcePath>): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const stage = stageOf(file);
    const name = file.slice(file.lastIndexOf("/") + 1);
    if (stage === "entry" && !ENTRY_POINTS.includes(file)) {
      problems.push(`${file}: only the entry points (${ENTRY_POINTS.join(", ")}) sit in src/`);
    } else if (!Object.hasOwn(LAYOUT, stage)) {
      problems.push(`${file}: folder "${stage}" is not a stage of the layout`);
    } else if (file.split("/").length > 2) {
      problems.push(`${file}: a stage holds files, not folders`);
    } else if (stage !== "entry" && repeatsFolder(name, stage)) {
      problems.push(`${file}: its name repeats its folder "${stage}"`);
    }
  }
  return problems;
}

function repeatsFolder(name: string, folder: string): boolean {
  const stem = name.replace(/^_/, "").toLowerCase();
  const root = folder.replace(/s$/, "");
  return stem.startsWith(`${folder}_`) || stem.startsWith(`${root}_`) ||
    stem.startsWith(`${root}er_`);
}

/** Imports that run against the layout, as `"from -> to (stage -> stage)"`. */
export function findUpwardImports(graph: ImportGraph): string[] {
  const problems: string[] = [];
  for (const [file, imports] of graph) {
    const from = stageOf(file);
    const allowed = LAYOUT[from] ?? [];
    for (const target of imports) {
      const to = stageOf(target);
      if (to === from || allowed.includes(to)) continue;
      problems.push(`${file} -> ${target} (${from} may import ${allowed.join(", ") || "nothing"})`);
    }
  }
  return problems;
}

/**
 * The import circles: every set of two or more files that import each other through a chain, and
 * every file that imports itself, each listed in a stable order (Tarjan's strongly connected
 * components).
 */
export function findCircles(graph: ImportGraph): SourcePath[][] {
  const index = new Map<SourcePath, number>();
  const low = new Map<SourcePath, number>();
  const stack: SourcePath[] = [];
  const onStack = new Set<SourcePath>();
  const circles: SourcePath[][] = [];
  let next = 0;
  const visit = (file: SourcePath): void => {
    index.set(file, next);
    low.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: SourcePath[] = [];
    let member: SourcePath;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) {
      circles.push(component.sort());
    }
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);
  return circles;
}

/** The project's `src/` folder. */
export const SOURCE_ROOT: string = fileURLToPath(new URL("../src", import.meta.url));
