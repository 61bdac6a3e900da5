/**
 * The README's paths, followed literally in a scratch project where the packed npm tarball is
 * installed (scripts/smoke_packages.sh makes it): its files (the blocks marked `file=NAME`) are
 * written there, `hello.mjs` and `server.mjs` run under Node, Bun and Deno with the output and
 * headers the README shows, and the command lines of "The command line" run through `npx`,
 * `bunx` and `deno run -A npm:cachewise`.
 *
 *     node --import tsx scripts/smoke_readme.ts PROJECT_DIR
 *
 * Prints one `ok` line per check; throws at the first that fails.
 */

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { type CodeBlock, readCodeBlocks, readGeneratedRegions } from "../tests/_markdown.ts";
import { readFileSync } from "node:fs";

const root = fileURLToPath(new URL("..", import.meta.url));
const project = process.argv[2];
if (project === undefined) throw new Error("usage: smoke_readme.ts PROJECT_DIR");
const bin = (name: string) => join(root, "node_modules/.bin", name);
const blocks = readCodeBlocks(join(root, "README.md"));

/** How each runtime runs a file of the project, as the README says; the server needs more of Deno. */
const RUNTIMES: Readonly<Record<string, (file: string) => string[]>> = {
  node: (file) => [process.execPath, file],
  bun: (file) => [bin("bun"), file],
  deno: (
    file,
  ) => [bin("deno"), "run", ...(file === "server.mjs" ? ["--allow-net", "--allow-env"] : []), file],
};

function fileBlock(name: string): CodeBlock {
  const block = blocks.find((b) => b.meta.split(/\s+/).includes(`file=${name}`));
  if (block === undefined) throw new Error(`README.md has no block marked file=${name}`);
  return block;
}

function run(command: string[], options: { env?: Record<string, string> } = {}) {
  const [file, ...args] = command;
  const result = spawnSync(file!, args, {
    cwd: project,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
  });
  if (result.status !== 0) {
    throw new Error(
      `${command.join(" ")} exited ${result.status}:\n${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}

// The files, as the README shows them.
for (const block of blocks) {
  const name = /(?:^|\s)file=(\S+)/.exec(block.meta)?.[1];
  if (name !== undefined) writeFileSync(join(project, name), block.text);
}

// hello.mjs prints what its comments say, on each runtime.
const hello = fileBlock("hello.mjs");
const printed = [...hello.text.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]);
for (const [runtime, command] of Object.entries(RUNTIMES)) {
  const output = run(command("hello.mjs")).trimEnd().split("\n");
  if (JSON.stringify(output) !== JSON.stringify(printed)) {
    throw new Error(
      `hello.mjs under ${runtime} printed ${JSON.stringify(output)}, the README says ${
        JSON.stringify(printed)
      }`,
    );
  }
  console.log(`ok README hello.mjs under ${runtime}: ${output.join(" | ")}`);
}

// server.mjs answers the README's curl lines with the headers their comments name.
const server = fileBlock("server.mjs");
const curls = blocks[blocks.indexOf(server) + 1]!;
const asks = [...curls.text.matchAll(/^curl -sI (?:-H '([^']*)' )?(\S+) +# ([\w-]+): (.*)$/gm)];
if (curls.lang !== "sh" || asks.length === 0) throw new Error("no curl lines after server.mjs");
for (const [runtime, command] of Object.entries(RUNTIMES)) {
  const port = await freePort();
  const child = spawn(command("server.mjs")[0]!, command("server.mjs").slice(1), {
    cwd: project,
    env: { ...process.env, PORT: String(port) },
    stdio: "ignore",
  });
  try {
    for (const [, header, url, name, value] of asks) {
      const target = url!.replace(":3000", `:${port}`);
      const [key, ...rest] = header === undefined ? [] : header.split(": ");
      const response = await retry(() =>
        fetch(target, {
          method: "HEAD",
          headers: key === undefined ? {} : { [key]: rest.join(": ") },
        })
      );
      if (response.headers.get(name!) !== value) {
        throw new Error(
          `server.mjs under ${runtime}: ${url} ${header ?? ""} gave ${name}: ${
            response.headers.get(name!)
          }, the README says ${value}`,
        );
      }
    }
  } finally {
    await stop(child);
  }
  console.log(`ok README server.mjs under ${runtime}: ${asks.length} curl lines as shown`);
}

// The command lines of "The command line", through each runtime's way of running the bin.
const cliBlock = blocks.find((b) => b.lang === "sh" && /^npx cachewise /m.test(b.text))!;
const commands = [...cliBlock.text.matchAll(/^npx cachewise (.*?)(?: +>.*?)?(?: +#.*)?$/gm)]
  .map((m) => m[1]!.split(/\s+/));
const RUNNERS: Readonly<Record<string, string[]>> = {
  npx: ["npx", "--no-install", "cachewise"],
  bunx: [bin("bunx"), "cachewise"],
  "deno run -A npm:cachewise": [bin("deno"), "run", "-A", "npm:cachewise"],
};
const outputs = new Map<string, string>();
for (const [runner, prefix] of Object.entries(RUNNERS)) {
  for (const args of commands) {
    const output = run([...prefix, ...args], {
      env: { PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH}` },
    });
    const key = args.join(" ");
    if (outputs.has(key) && outputs.get(key) !== output) {
      throw new Error(`cachewise ${key}: ${runner} printed something else than npx`);
    }
    outputs.set(key, output);
  }
  console.log(
    `ok README command lines through ${runner}: ${commands.length} commands, same output`,
  );
}

// explain prints what docs/cli.md shows.
const shown = readGeneratedRegions(readFileSync(join(root, "docs/cli.md"), "utf8"))
  .find((region) => region.name === "cli-explain")!.text.replace(/^```text\n|\n```$/g, "");
if (outputs.get("explain /products/7 --user ann")?.trimEnd() !== shown) {
  throw new Error("cachewise explain /products/7 --user ann differs from docs/cli.md");
}
console.log("ok cachewise explain from the tarball prints what docs/cli.md shows");

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Retries a request while the server starts, for up to 20 s. */
async function retry(ask: () => Promise<Response>): Promise<Response> {
  for (let attempt = 0;; attempt++) {
    try {
      return await ask();
    } catch (error) {
      if (attempt >= 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(child.pid!, "SIGTERM");
  await exited;
}
