/**
 * What a command of the command line is: the options it takes, how it reads them, and what it
 * runs. `run.ts` holds the table of commands; each command lives in a file of its own.
 *
 * @module
 */

import type { CacheHeadersOptions } from "../config/options.ts";

/** Where the program writes; `process.stdout` and `process.stderr` by default. */
export interface CliStreams {
  /** Receives what the command prints (configuration, explanations, findings, the help). */
  readonly stdout: { write(text: string): unknown };
  /** Receives error messages. */
  readonly stderr: { write(text: string): unknown };
}

/** An option of a command: `--backend HOST:PORT` takes a value, `--snippet` does not. */
export interface CliFlag {
  /** The placeholder of its value in the help (`HOST:PORT`); none for a switch. */
  readonly value?: string;
  /** What it does, for the help. */
  readonly help: string;
  /** Whether it may be given more than once; every value is kept, in order. */
  readonly repeatable?: boolean;
}

/** The command line, read: option values, switches given, and the other words in order. */
export interface ParsedArgs {
  /** The value of each option that takes one; the last, for a repeatable option. */
  readonly values: ReadonlyMap<string, string>;
  /** Every value of each repeatable option given, in order. */
  readonly repeated: ReadonlyMap<string, readonly string[]>;
  readonly switches: ReadonlySet<string>;
  /** The words after the command's name. */
  readonly positional: readonly string[];
}

/** What a running command is given. */
export interface CommandContext {
  readonly streams: CliStreams;
  /**
   * Loads the options from `--config FILE`, or from the config file found in the working
   * directory (none found is a usage error). A command that needs no options never calls it.
   */
  options(): Promise<CacheHeadersOptions>;
}

/** One command: `cachewise NAME …`. */
export interface CliCommand<Settings = unknown> {
  /** The rest of its usage line, after `cachewise NAME [--config FILE]`. */
  readonly usage: string;
  /** What it does, for the help (a line or two). */
  readonly description: string;
  /** Its options besides `--config`. */
  readonly flags: Readonly<Record<string, CliFlag>>;
  /** Reads its settings; throws a `UsageError` or `TypeError` for what cannot be used. */
  parse(args: ParsedArgs): Settings;
  /** Runs it and returns the exit status. */
  run(settings: Settings, context: CommandContext): number | Promise<number>;
}

/**
 * A command that reads its own arguments (with repeatable options and a `--help` of its own):
 * `cachewise purge …`, `cachewise audit …`. It is given everything after its name.
 */
export interface RawCliCommand {
  /** The rest of its usage line, after `cachewise NAME`. */
  readonly usage: string;
  /** What it does, for the help (a line or two). */
  readonly description: string;
  /** Runs it on the arguments after its name and returns the exit status. */
  runArgs(args: readonly string[], streams: CliStreams): Promise<number>;
}

/** A command line that cannot be used as given: wrong command, missing or unknown option. */
export class UsageError extends Error {}

/** The value of an option the command requires. */
export function requireValue(args: ParsedArgs, flag: string): string {
  const value = args.values.get(flag);
  if (value === undefined) throw new UsageError(`Option ${flag} is required`);
  return value;
}

/** Refuses words after the command's name, for a command that takes none. */
export function refuseExtra(args: ParsedArgs): void {
  const extra = args.positional[0];
  if (extra !== undefined) throw new UsageError(`Unexpected argument ${JSON.stringify(extra)}`);
}

/** Defines a command, typing its `parse()` and `run()` together. */
export function defineCommand<Settings>(command: CliCommand<Settings>): CliCommand<Settings> {
  return command;
}
