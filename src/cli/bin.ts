#!/usr/bin/env node
/**
 * The `cachewise` executable of the npm package (`npx cachewise …`, `bunx cachewise …`): runs
 * the command line and sets the exit code. Everything else is in `run.ts`.
 *
 * @module
 */

import process from "node:process";
import { runCli } from "./run.ts";

process.exitCode = await runCli(process.argv.slice(2));
