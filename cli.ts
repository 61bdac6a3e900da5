#!/usr/bin/env node
/**
 * The `cachewise` command: `cachewise vcl ...` and `cachewise nginx ...` (see `--help`).
 * Runs with `deno run -A cli.ts`, `bun cli.ts` or `node --import tsx cli.ts`.
 *
 * @module
 */

import process from "node:process";
import { runCli } from "./src/cli/run.ts";

process.exitCode = await runCli(process.argv.slice(2));
