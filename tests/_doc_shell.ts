/**
 * Runs the shell blocks of a guide as a reader would, so that a guide that drifts from what the
 * code and the daemons do fails a test (tests/docs_shell_test.ts).
 *
 * The convention, shared by every guide the test lists:
 *
 * - a ```` ```sh ```` block is run; all of a guide's blocks run in document order in one `bash`
 *   (`set -euo pipefail`), so variables, `export`s and background jobs carry over as they do in
 *   a reader's terminal, in one fresh scratch directory per guide;
 * - a ```` ```sh ignore ```` block is deliberately not run, and the prose next to it says why;
 *   any other info string on `sh`, and a `bash`, `shell` or `console` block, is refused, so no
 *   shell command escapes the test by its spelling;
 * - `cachewise` is this checkout, installed as `npm install cachewise` would install it:
 *   `node_modules/cachewise` links to the checkout and `node_modules/.bin/cachewise` to the
 *   executable of its package.json (built with tsup when older than the sources), so the command and
 *   `import … from "cachewise"` reach the code under test, never a package fetched from the
 *   registry. What a guide may assume on `PATH` is what a reader who followed its setup has:
 *   `$PWD/node_modules/.bin` (so `cachewise`), Node, and the system's `bin` and `sbin`
 *   directories (`varnishd` and `nginx` are in `/usr/sbin`); nothing of the checkout's own tools;
 * - every port written as `127.0.0.1:PORT` or `localhost:PORT` in a block is replaced, wherever
 *   that number appears in the guide's blocks, by a free port: guides use fixed ports (8080 the
 *   application, 6081 Varnish, 8081 nginx), the tests run in parallel with others;
 * - a block fails the guide when its last command or any other simple command fails; processes
 *   the guide leaves running after its last block fail it too (its "stop" steps did not work),
 *   and are stopped by process id: those whose working directory or command line is in the
 *   scratch directory.
 */

import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { type CodeBlock, readCodeBlocks } from "./_markdown.ts";
import { freePort, temporaryDirectory } from "./testdata/daemons.ts";
import { stopLeftovers } from "./_scratch_processes.ts";

/** Shell languages a guide might spell a block in; only `sh` is accepted. */
const OTHER_SHELLS = new Set(["bash", "shell", "console", "zsh", "shell-session", "shellsession"]);

/** A guide's shell blocks, sorted by what the runner does with them. */
export interface ShellBlocks {
  /** `sh` blocks: run, in document order. */
  readonly run: readonly CodeBlock[];
  /** `sh ignore` blocks: not run. */
  readonly ignored: readonly CodeBlock[];
  /** Blocks the convention refuses, with the reason. */
  readonly refused: readonly { readonly block: CodeBlock; readonly why: string }[];
}

/** Sorts the shell blocks of a Markdown file. */
export function shellBlocksOf(file: string): ShellBlocks {
  const run: CodeBlock[] = [];
  const ignored: CodeBlock[] = [];
  const refused: { block: CodeBlock; why: string }[] = [];
  for (const block of readCodeBlocks(file)) {
    if (OTHER_SHELLS.has(block.lang)) {
      refused.push({ block, why: `write \`sh\` (or \`sh ignore\`), not \`${block.lang}\`` });
    } else if (block.lang === "sh") {
      if (block.meta === "") run.push(block);
      else if (block.meta === "ignore") ignored.push(block);
      else refused.push({ block, why: `unknown info string "sh ${block.meta}"` });
    }
  }
  return { run, ignored, refused };
}

const LOCAL_PORT = /\b(?:127\.0\.0\.1|localhost):(\d{2,5})\b/g;

/** The ports written as `127.0.0.1:PORT` or `localhost:PORT` in the blocks, each once. */
export function localPorts(blocks: readonly CodeBlock[]): number[] {
  const ports = new Set<number>();
  for (const block of blocks) {
    for (const match of block.text.matchAll(LOCAL_PORT)) ports.add(Number(match[1]));
  }
  return [...ports];
}

/** The text with every whole-number occurrence of a mapped port replaced. */
export function rewritePorts(text: string, ports: ReadonlyMap<number, number>): string {
  if (ports.size === 0) return text;
  const numbers = [...ports.keys()].join("|");
  return text.replace(new RegExp(`\\b(${numbers})\\b`, "g"), (port) => String(ports.get(+port)));
}

/** What running a guide gave. */
export interface GuideRun {
  readonly ok: boolean;
  /** Why it failed: the block and line, or the processes left running. */
  readonly failure: string | null;
  /** Everything the blocks wrote, stdout and stderr together. */
  readonly output: string;
  /** How many blocks ran. */
  readonly blocks: number;
}

/** Options of {@link runGuide}. */
export interface RunGuideOptions {
  /** The checkout whose `cachewise` the guide gets. */
  readonly root: string;
  /** The longest the blocks may take together. @default 120_000 */
  readonly timeoutMs?: number;
  /** How long processes may take to exit after the last block before they count as left. @default 2_000 */
  readonly graceMs?: number;
}

const MARK = "::cachewise-doc::";

/** Runs a guide's `sh` blocks in one `bash`, in a fresh scratch directory. */
export async function runGuide(file: string, options: RunGuideOptions): Promise<GuideRun> {
  const { run, refused } = shellBlocksOf(file);
  if (refused.length > 0) {
    const why = refused.map(({ block, why }) => `${block.file}:${block.line}: ${why}`);
    return { ok: false, failure: why.join("\n"), output: "", blocks: 0 };
  }
  const ports = new Map<number, number>();
  for (const port of localPorts(run)) ports.set(port, await freePort());
  const dir = temporaryDirectory("cachewise-doc-");
  try {
    installCheckout(dir, options.root);
    const { script, lines } = scriptOf(run, ports);
    const { output, status } = await runBash(script, dir, options.timeoutMs ?? 120_000);
    const left = await stopLeftovers(dir, options.graceMs ?? 2_000);
    let failure: string | null = null;
    if (status !== 0) failure = failedLine(output, lines, status);
    else if (left.length > 0) {
      failure = `the guide leaves processes running (stopped by the test now):\n${left.join("\n")}`;
    }
    return { ok: failure === null, failure, output: readable(output), blocks: run.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Makes `dir` look like a project where `npm install cachewise` ran, with this checkout as the
 * package: `node_modules/cachewise` links to it, `.bin/cachewise` to the executable its
 * package.json names (`bin.cachewise`), as npm would link it.
 */
function installCheckout(dir: string, root: string): void {
  ensureBuilt(root);
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const bin = String(manifest.bin.cachewise).replace(/^\.\//, "");
  mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
  symlinkSync(root, join(dir, "node_modules", "cachewise"));
  symlinkSync(`../cachewise/${bin}`, join(dir, "node_modules", ".bin", "cachewise"));
}

/** Builds `dist/` with tsup when it is missing or older than a source file (`npm test` builds first). */
function ensureBuilt(root: string): void {
  const built = join(root, "dist", "cli.js");
  const sources = [join(root, "mod.ts"), join(root, "cli.ts"), ...filesUnder(join(root, "src"))];
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : -1;
  if (sources.every((source) => statSync(source).mtimeMs <= builtAt)) return;
  const result = spawnSync(join(root, "node_modules", ".bin", "tsup"), ["--silent"], {
    cwd: root,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`tsup failed:\n${result.stdout}${result.stderr}`);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * The script: each block preceded by a mark naming it and followed by a check of its last
 * command's status (`set -e` spares the left side of `&&` and `||`). `lines[i]` is the file and
 * line of script line `i + 1`.
 */
function scriptOf(
  blocks: readonly CodeBlock[],
  ports: ReadonlyMap<number, number>,
): { script: string; lines: string[] } {
  const out: string[] = [
    "set -euo pipefail",
    `trap 'echo "${MARK}failed:$LINENO:$?"' ERR`,
  ];
  const lines: string[] = ["", ""];
  for (const block of blocks) {
    const where = `${block.file}:${block.line}`;
    out.push(`echo "${MARK}block:${where}"`);
    lines.push(where);
    rewritePorts(block.text, ports).trimEnd().split("\n").forEach((text, at) => {
      out.push(text);
      lines.push(`${block.file}:${block.line + 1 + at}`);
    });
    out.push(`cw_status=$?; if [ "$cw_status" -ne 0 ]; then exit "$cw_status"; fi`);
    lines.push(`${block.file}:${block.line + block.text.trimEnd().split("\n").length}`);
  }
  return { script: `${out.join("\n")}\n`, lines };
}

/** The output with the marks turned into `--- file:line` headings, the trap's reports dropped. */
function readable(output: string): string {
  return output.replace(
    new RegExp(`^${MARK}(?:block:(.*)|failed:.*)$\\n?`, "gm"),
    (_, where) => where === undefined ? "" : `--- ${where}\n`,
  );
}

/** Names the failing line from the ERR trap's report, or the last block started. */
function failedLine(output: string, lines: readonly string[], status: number | null): string {
  const trapped = [...output.matchAll(new RegExp(`${MARK}failed:(\\d+):(\\d+)`, "g"))].at(-1);
  const started = [...output.matchAll(new RegExp(`${MARK}block:(\\S+)`, "g"))].at(-1)?.[1];
  const where = trapped === undefined ? `the block at ${started}` : lines[Number(trapped[1]) - 1];
  const code = status === null ? "a timeout" : `exit status ${trapped?.[2] ?? status}`;
  return `${where ?? started ?? "the first block"} failed with ${code}`;
}

/** Runs the script in `dir`; resolves when bash exits (daemons it started may keep its pipes). */
function runBash(
  script: string,
  dir: string,
  timeoutMs: number,
): Promise<{ output: string; status: number | null }> {
  const child = spawn("bash", ["-c", script], {
    cwd: dir,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: [
        `${dir}/node_modules/.bin`,
        nodeDirectory(),
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      ].join(":"),
      HOME: process.env.HOME ?? dir,
      LANG: "C.UTF-8",
      NO_COLOR: "1",
    },
  });
  let output = "";
  child.stdout.on("data", (chunk) => output += String(chunk));
  child.stderr.on("data", (chunk) => output += String(chunk));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch { /* already gone */ }
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      // Give the last chunks a moment, then let go of pipes a daemon may still hold.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ output, status: code });
      }, 50);
    });
  });
}

/** Where the `node` a reader runs lives: this process's own under Node, else the first on `PATH`. */
function nodeDirectory(): string {
  if (!("Deno" in globalThis) && !("Bun" in globalThis)) return dirname(process.execPath);
  const dirs = (process.env.PATH ?? "").split(":").filter((dir) => dir !== "");
  return dirs.find((dir) => existsSync(join(dir, "node"))) ?? "/usr/bin";
}
