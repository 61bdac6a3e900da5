/** The command line run in process, for the CLI tests. */

import { runCli } from "../src/cli/run.ts";

/** Runs the command line in process; returns its exit status and what it wrote. */
export async function runCapturing(
  args: readonly string[],
): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const status = await runCli(args, {
    stdout: { write: (text: string) => stdout += text },
    stderr: { write: (text: string) => stderr += text },
  });
  return { status, stdout, stderr };
}
