/**
 * The `cachewise` command line: prints Varnish or nginx configuration generated from the same
 * options the application gives `cacheHeaders()`, explains the decision for a URL, and lints
 * the rules.
 *
 * ```sh
 * cachewise vcl [--config FILE] --backend HOST:PORT [--snippet] [--purge-from CIDR]...
 * cachewise nginx [--config FILE] --backend HOST:PORT --listen PORT --cache-dir DIR [--snippet]
 *   [--purge-from CIDR]...
 * cachewise explain [--config FILE] URL [--user ID] [--method M] [--status N] [--json]
 * cachewise check [--config FILE] [--strict] [--json]
 * cachewise edge [--config FILE] [--cdn cloudflare|fastly|akamai]
 * cachewise purge [--tag T]... [--url URL]... --varnish URL... (see cachewise purge --help)
 * cachewise audit URL... [--visitor NAME=SPEC]... [--marker NAME=TEXT]... (cachewise audit --help)
 * ```
 *
 * Each command is a {@link CliCommand} in a file of its own, listed once in {@link COMMANDS}: a
 * new command is a new file and a new line there. Commands with repeatable options and a help of
 * their own (`purge`, `audit`) read their own arguments and are listed in {@link RAW_COMMANDS}. Only `process` from `node:process` is used, so
 * it runs on Deno, Bun and Node.
 *
 * @module
 */

import process from "node:process";
import { CacheConfigError } from "../config/errors.ts";
import type { CliCommand, CliFlag, CliStreams, ParsedArgs, RawCliCommand } from "./command.ts";
import { UsageError } from "./command.ts";
import { runAudit } from "./audit.ts";
import { checkCommand } from "./check.ts";
import { edgeCommand } from "./edge.ts";
import { explainCommand } from "./explain.ts";
import { CONFIG_FILE_NAMES, findConfigFile, loadOptions } from "./load_config.ts";
import { nginxCommand } from "./nginx.ts";
import { runPurge } from "./purge.ts";
import { vclCommand } from "./vcl.ts";

export type { CliStreams } from "./command.ts";

/** Exit status for a command line that cannot be used as given. */
export const EXIT_USAGE = 2;
/** Exit status for a configuration file that cannot be loaded or compiled. */
export const EXIT_CONFIG = 1;

/** Every command, by name, in the order the help lists them. */
// deno-lint-ignore no-explicit-any
export const COMMANDS: Readonly<Record<string, CliCommand<any>>> = {
  vcl: vclCommand,
  nginx: nginxCommand,
  explain: explainCommand,
  check: checkCommand,
  edge: edgeCommand,
};

/** The commands that read their own arguments, in the order the help lists them. */
export const RAW_COMMANDS: Readonly<Record<string, RawCliCommand>> = {
  purge: {
    usage:
      "[--tag T]... [--url URL]... [--varnish URL]... [--nginx URL]... [--cdn NAME]... [--json]",
    description: "invalidate tags and pages on every cache named (see cachewise purge --help)",
    runArgs: runPurge,
  },
  audit: {
    usage: "URL... [--visitor NAME=SPEC]... [--marker NAME=TEXT]... [--config FILE] [options]",
    description:
      "check a live deployment for pages served across audiences (see cachewise audit --help)",
    runArgs: runAudit,
  },
};

const CONFIG_FLAG: CliFlag = {
  value: "FILE",
  help: "the options (default: cachewise.config.ts, .mts, .js, .mjs or .json in the working " +
    "directory, the first found)",
};
const HELP_FLAG: CliFlag = { help: "show this help" };

/** Every option of every command, the first description of each kept. */
function allFlags(): Map<string, CliFlag> {
  const flags = new Map<string, CliFlag>([["--config", CONFIG_FLAG]]);
  for (const command of Object.values(COMMANDS)) {
    for (const [name, flag] of Object.entries(command.flags)) {
      if (!flags.has(name)) flags.set(name, flag);
    }
  }
  return flags;
}

/** The help text, built from the table of commands. */
export function usage(): string {
  const names = [...Object.keys(COMMANDS), ...Object.keys(RAW_COMMANDS)];
  const width = Math.max(...names.map((name) => name.length)) + 1;
  const flags = [...allFlags()].map(([name, flag]) =>
    [flag.value === undefined ? name : `${name} ${flag.value}`, flag.help] as const
  );
  flags.push(["-h, --help", HELP_FLAG.help]);
  const flagWidth = Math.max(...flags.map(([name]) => name.length)) + 2;
  return [
    "Usage:",
    ...Object.entries(COMMANDS).map(([name, command]) =>
      wrap(`  cachewise ${name} [--config FILE] ${command.usage}`, 6)
    ),
    ...Object.entries(RAW_COMMANDS).map(([name, command]) =>
      wrap(`  cachewise ${name} ${command.usage}`, 6)
    ),
    "",
    ...names.map((name) =>
      wrap(
        `${`${name}:`.padEnd(width + 1)} ${(COMMANDS[name] ?? RAW_COMMANDS[name])!.description}`,
        width + 2,
      )
    ),
    "",
    "FILE is a TypeScript or JavaScript module whose default export is the options, or JSON in",
    "the options' shape.",
    "",
    "Options:",
    ...flags.map(([name, help]) => wrap(`  ${name.padEnd(flagWidth)} ${help}`, flagWidth + 3)),
    "",
  ].join("\n");
}

/**
 * Runs the command line and returns the exit status: 0, {@link EXIT_CONFIG} for a configuration
 * that cannot be loaded or compiled (or a `check` that fails), {@link EXIT_USAGE} for a command
 * line that cannot be used.
 *
 * @param args The arguments after the program name.
 * @param streams Where to write; the process's own streams by default.
 * @returns The exit status.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const out: string[] = [];
 * const streams = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => {} } };
 * assert.equal(await runCli(["--help"], streams), 0);
 * assert.match(out.join(""), /cachewise vcl/);
 * assert.equal(await runCli(["varnish"], streams), 2);
 * ```
 */
export async function runCli(
  args: readonly string[],
  streams: CliStreams = process,
): Promise<number> {
  const usageError = (error: Error) => {
    streams.stderr.write(`cachewise: ${error.message}\n\n${usage()}`);
    return EXIT_USAGE;
  };
  const raw = args[0] !== undefined && Object.hasOwn(RAW_COMMANDS, args[0])
    ? RAW_COMMANDS[args[0]]!
    : undefined;
  if (raw !== undefined) return await raw.runArgs(args.slice(1), streams);
  let parsed: { name: string; config: string | undefined; settings: unknown } | "help";
  try {
    parsed = parseCommandLine(args);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof TypeError)) throw error;
    return usageError(error);
  }
  if (parsed === "help") {
    streams.stdout.write(usage());
    return 0;
  }
  const { name, settings } = parsed;
  // Found only when the command asks for the options: a command may need none.
  let config = parsed.config;
  const options = () => loadOptions(config ??= defaultConfig());
  try {
    return await COMMANDS[name]!.run(settings, { streams, options });
  } catch (error) {
    if (error instanceof UsageError) return usageError(error);
    const message = error instanceof Error ? error.message : String(error);
    const prefix = error instanceof CacheConfigError ? "" : `Cannot use ${config}: `;
    streams.stderr.write(`cachewise: ${prefix}${message}\n`);
    return EXIT_CONFIG;
  }
}

/** Reads the command line; throws a `UsageError` (or a `TypeError` for a malformed value). */
function parseCommandLine(
  args: readonly string[],
): { name: string; config: string | undefined; settings: unknown } | "help" {
  const flags = allFlags();
  const values = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  const switches = new Set<string>();
  const positional: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "-h" || arg === "--help") return "help";
    const [name = "", inline] = arg.startsWith("--") ? splitOnce(arg) : [arg, undefined];
    const flag = flags.get(name);
    if (flag === undefined) {
      if (arg.startsWith("-")) throw new UsageError(`Unknown option ${JSON.stringify(arg)}`);
      positional.push(arg);
    } else if (flag.value === undefined) {
      if (inline !== undefined) throw new UsageError(`Option ${name} takes no value`);
      switches.add(name);
    } else {
      const value = inline ?? args[++index];
      if (value === undefined || value === "") {
        throw new UsageError(`Option ${name} needs a value`);
      }
      if (flag.repeatable === true) repeated.set(name, [...(repeated.get(name) ?? []), value]);
      else if (values.has(name)) throw new UsageError(`Option ${name} is given twice`);
      values.set(name, value);
    }
  }
  const [name, ...rest] = positional;
  const names = [...Object.keys(COMMANDS), ...Object.keys(RAW_COMMANDS)];
  const list = `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
  if (name === undefined) throw new UsageError(`Name a command: ${list}`);
  if (name === "help") return "help";
  if (Object.hasOwn(RAW_COMMANDS, name)) {
    throw new UsageError(`Write ${name} first: cachewise ${name} ${RAW_COMMANDS[name]!.usage}`);
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name]! : undefined;
  if (command === undefined) {
    throw new UsageError(`Unknown command ${JSON.stringify(name)}: use ${list}`);
  }
  for (const flag of [...values.keys(), ...switches]) {
    if (flag === "--config" || Object.hasOwn(command.flags, flag)) continue;
    const owners = Object.keys(COMMANDS).filter((other) =>
      Object.hasOwn(COMMANDS[other]!.flags, flag)
    );
    throw new UsageError(`Option ${flag} is for ${owners.join(" and ")} only`);
  }
  const parsed: ParsedArgs = { values, repeated, switches, positional: rest };
  const settings = command.parse(parsed);
  return { name, config: values.get("--config"), settings };
}

/** The config file found in the working directory; a usage error when there is none. */
function defaultConfig(): string {
  const found = findConfigFile();
  if (found !== null) return found;
  throw new UsageError(
    `Option --config is required: there is no ${CONFIG_FILE_NAMES.join(", ")} in ` +
      process.cwd(),
  );
}

/** Breaks a line of help before 100 columns, indenting what follows by `indent`. */
function wrap(line: string, indent: number): string {
  const lines: string[] = [];
  let current = "";
  for (const word of line.split(/(?<=\S) (?=\S)/)) {
    if (current !== "" && current.length + 1 + word.length > 100) {
      lines.push(current);
      current = " ".repeat(indent) + word;
    } else current = current === "" ? word : `${current} ${word}`;
  }
  return [...lines, current].join("\n");
}

function splitOnce(arg: string): [string, string | undefined] {
  const equals = arg.indexOf("=");
  return equals < 0 ? [arg, undefined] : [arg.slice(0, equals), arg.slice(equals + 1)];
}
