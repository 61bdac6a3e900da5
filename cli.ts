/**
 * The `cachewise` command line as a function: `run(argv)` runs `cachewise vcl`, `nginx`,
 * `explain` or `check` and resolves to the exit status, writing to the streams it is given.
 * Importing this module runs nothing; the `cachewise` executable of the npm package calls
 * `run()`, and so does `deno run -A jsr:@cachewise/cachewise/cli …` (or `bun cli.ts …`), where
 * this module is the main one.
 *
 * @example
 * ```ts
 * import { run } from "@cachewise/cachewise/cli";
 * import assert from "node:assert/strict";
 *
 * let printed = "";
 * const status = await run(["--help"], {
 *   stdout: { write: (text: string) => printed += text },
 *   stderr: { write: () => {} },
 * });
 * assert.equal(status, 0);
 * assert.match(printed, /cachewise check/);
 * ```
 *
 * @module
 */

import process from "node:process";
import { type CliStreams, runCli } from "./src/cli/run.ts";

export type { CliStreams } from "./src/cli/run.ts";
export { EXIT_CONFIG, EXIT_USAGE } from "./src/cli/run.ts";

/**
 * Runs the command line and resolves to its exit status: 0 on success, 1 for a configuration
 * that cannot be loaded or compiled (and for a failing `check`), 2 for a command line that
 * cannot be used. It sets no exit code and never exits: the caller decides.
 *
 * @param argv The arguments after the program name, such as `["check", "--strict"]`.
 * @param streams Where to write; `process.stdout` and `process.stderr` by default.
 * @returns The exit status.
 *
 * @example
 * ```ts
 * import { run } from "@cachewise/cachewise/cli";
 * import assert from "node:assert/strict";
 *
 * let errors = "";
 * const streams = { stdout: { write: () => {} }, stderr: { write: (t: string) => errors += t } };
 * assert.equal(await run(["vcl", "--config", "missing.json", "--snippet"], streams), 1);
 * assert.match(errors, /Cannot use missing\.json/);
 * ```
 */
export function run(argv: readonly string[], streams?: CliStreams): Promise<number> {
  return runCli(argv, streams);
}

if ((import.meta as { main?: boolean }).main) process.exitCode = await run(process.argv.slice(2));
