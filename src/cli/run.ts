/**
 * The `cachewise` command line: prints Varnish or nginx configuration generated from the same
 * options the application gives `cacheHeaders()`, explains the decision for a URL, and lints
 * the rules.
 *
 * ```sh
 * cachewise vcl --config FILE --backend HOST:PORT [--snippet] [--purge-from CIDR]...
 * cachewise nginx --config FILE --backend HOST:PORT --listen PORT --cache-dir DIR [--snippet]
 *   [--purge-from CIDR]...
 * cachewise purge [--tag T]... [--url URL]... --varnish URL... (see cachewise purge --help)
 * cachewise explain --config FILE URL [--user ID] [--method M] [--status N] [--json]
 * cachewise check --config FILE [--strict] [--json]
 * cachewise audit URL... [--visitor NAME=SPEC]... [--marker NAME=TEXT]... [--config FILE] ...
 * ```
 *
 * `FILE` is JSON in the options' shape, or a JavaScript or TypeScript module whose default export
 * is the options. Only `process` from `node:process` is used, so it runs on Deno, Bun and Node.
 *
 * @module
 */

import process from "node:process";
import { CacheConfigError } from "../config/errors.ts";
import { checkCachePath, parseBackend, parseListen } from "../generate/escape.ts";
import { generateNginx } from "../generate/nginx.ts";
import { generateVcl } from "../generate/varnish.ts";
import { parsePurgeSources } from "../generate/purge_from.ts";
import {
  type ExplainSettings,
  explainUrl,
  formatExplanation,
  parseExplainArgs,
} from "./explain.ts";
import { checkOptions, checkStatus, formatFindings } from "./check.ts";
import { loadOptions } from "./load_config.ts";
import { runAudit } from "./audit.ts";
import { runPurge } from "./purge.ts";

/** Exit status for a command line that cannot be used as given. */
export const EXIT_USAGE = 2;
/** Exit status for a configuration file that cannot be loaded or compiled. */
export const EXIT_CONFIG = 1;

const USAGE = `Usage:
  cachewise vcl --config FILE --backend HOST:PORT [--snippet] [--purge-from CIDR]...
  cachewise nginx --config FILE --backend HOST:PORT --listen PORT --cache-dir DIR [--snippet]
                  [--purge-from CIDR]...
  cachewise purge [--tag T]... [--url URL]... [--varnish URL]... [--nginx URL]... [--cdn NAME]...
  cachewise explain --config FILE URL [--user ID] [--method M] [--status N] [--json]
  cachewise check --config FILE [--strict] [--json]
  cachewise audit URL... [--visitor NAME=SPEC]... [--marker NAME=TEXT]... [options]

vcl, nginx: print proxy configuration generated from the cachewise options in FILE.
purge:      invalidate tags and pages on every cache named (see cachewise purge --help).
explain:    the rule that decides URL (a path is taken on http://localhost), the matching rules
            it shadows, and the headers for an anonymous and a signed-in visitor.
check:      lint the rules: "level rule-path: message" per finding; exits 1 on an error (or,
            with --strict, a warning).
audit:      check a live deployment for pages served across audiences (cachewise audit --help).
FILE is JSON in the options' shape, or a JavaScript/TypeScript module whose default export is
the options.

Options:
  --config FILE        the options (required)
  --backend HOST:PORT  the application server (required unless --snippet)
  --listen PORT        nginx: what to listen on, PORT or ADDRESS:PORT (required unless --snippet)
  --cache-dir DIR      nginx: absolute path of the cache directory (required)
  --snippet            print only what to include into an existing configuration
  --purge-from CIDR    vcl, nginx: open a purge endpoint to this address or network (repeat
                       for more); without it the configuration opens none
  --user ID            explain: the signed-in visitor's id (default "user")
  --method M           explain: the request method (default GET)
  --status N           explain: the response status, 200 to 599 (default 200)
  --json               explain, check: print one JSON object
  --strict             check: exit 1 on warnings too
  -h, --help           show this help
`;

const VALUE_FLAGS = new Set([
  "--config",
  "--backend",
  "--listen",
  "--cache-dir",
  "--user",
  "--method",
  "--status",
  "--purge-from",
]);
const BOOLEAN_FLAGS = new Set(["--snippet", "--json", "--strict"]);
/** The options each command takes. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  vcl: ["--config", "--backend", "--snippet", "--purge-from"],
  nginx: ["--config", "--backend", "--listen", "--cache-dir", "--snippet", "--purge-from"],
  explain: ["--config", "--user", "--method", "--status", "--json"],
  check: ["--config", "--json", "--strict"],
};

/** Where the program writes; `process.stdout` and `process.stderr` by default. */
export interface CliStreams {
  /** Receives the generated configuration and the help text. */
  readonly stdout: { write(text: string): unknown };
  /** Receives error messages. */
  readonly stderr: { write(text: string): unknown };
}

/** A usage error: wrong command, missing or unknown option. */
class UsageError extends Error {}

/**
 * Runs the command line and returns the exit status: 0, {@link EXIT_CONFIG} for a configuration
 * that cannot be loaded or compiled, {@link EXIT_USAGE} for a command line that cannot be used.
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
  if (args[0] === "audit") return await runAudit(args.slice(1), streams);
  if (args[0] === "purge") return await runPurge(args.slice(1), streams);
  let command: Command;
  try {
    command = parseArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof TypeError)) throw error;
    streams.stderr.write(`cachewise: ${error.message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (command.kind === "help") {
    streams.stdout.write(USAGE);
    return 0;
  }
  try {
    const options = await loadOptions(command.config);
    if (command.kind === "check") {
      const findings = checkOptions(options);
      streams.stdout.write(formatFindings(findings, command.strict, command.json));
      return checkStatus(findings, command.strict);
    }
    const text = command.kind === "vcl"
      ? generateVcl(options, command.settings)
      : command.kind === "nginx"
      ? generateNginx(options, command.settings)
      : formatExplanation(explainUrl(options, command.settings), command.settings.json);
    streams.stdout.write(text);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const prefix = error instanceof CacheConfigError ? "" : `Cannot use ${command.config}: `;
    streams.stderr.write(`cachewise: ${prefix}${message}\n`);
    return EXIT_CONFIG;
  }
}

type Command =
  | { readonly kind: "help" }
  | {
    readonly kind: "vcl";
    readonly config: string;
    readonly settings: { backend?: string; snippet: boolean; purgeFrom: string[] };
  }
  | {
    readonly kind: "nginx";
    readonly config: string;
    readonly settings: {
      backend?: string;
      listen?: string;
      cacheDir: string;
      snippet: boolean;
      purgeFrom: string[];
    };
  }
  | { readonly kind: "explain"; readonly config: string; readonly settings: ExplainSettings }
  | {
    readonly kind: "check";
    readonly config: string;
    readonly strict: boolean;
    readonly json: boolean;
  };

/** Reads the command line; throws a `UsageError` (or a `TypeError` for a malformed value). */
function parseArgs(args: readonly string[]): Command {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const positional: string[] = [];
  const purgeFrom: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "-h" || arg === "--help") return { kind: "help" };
    if (BOOLEAN_FLAGS.has(arg)) {
      switches.add(arg);
      continue;
    }
    const [flag = "", inline] = arg.startsWith("--") ? splitOnce(arg) : [arg, undefined];
    if (!VALUE_FLAGS.has(flag)) {
      if (arg.startsWith("-")) throw new UsageError(`Unknown option ${JSON.stringify(arg)}`);
      positional.push(arg);
      continue;
    }
    const value = inline ?? args[++index];
    if (value === undefined || value === "") {
      throw new UsageError(`Option ${flag} needs a value`);
    }
    if (flag === "--purge-from") purgeFrom.push(value);
    else if (values.has(flag)) throw new UsageError(`Option ${flag} is given twice`);
    values.set(flag, value);
  }
  const [kind, ...extra] = positional;
  const commands = "vcl, nginx, purge, explain, check or audit";
  if (kind === undefined) throw new UsageError(`Name a command: ${commands}`);
  if (kind === "help") return { kind: "help" };
  if (kind === "audit") throw new UsageError("Write audit first: cachewise audit URL... [options]");
  if (kind === "purge") throw new UsageError("Write purge first: cachewise purge [options]");
  const allowed = Object.hasOwn(ALLOWED, kind) ? ALLOWED[kind]! : undefined;
  if (allowed === undefined) {
    throw new UsageError(`Unknown command ${JSON.stringify(kind)}: use ${commands}`);
  }
  for (const flag of [...values.keys(), ...switches]) {
    if (allowed.includes(flag)) continue;
    const owners = Object.keys(ALLOWED).filter((name) => ALLOWED[name]!.includes(flag));
    throw new UsageError(`Option ${flag} is for ${owners.join(" and ")} only`);
  }
  if (kind === "explain") {
    const config = values.get("--config");
    if (config === undefined) throw new UsageError("Option --config is required");
    return { kind, config, settings: parseExplainArgs(values, switches.has("--json"), extra) };
  }
  if (extra.length > 0) throw new UsageError(`Unexpected argument ${JSON.stringify(extra[0])}`);
  const snippet = switches.has("--snippet");
  if (purgeFrom.length > 0) parsePurgeSources(purgeFrom);
  const required = ["--config", ...(kind === "nginx" ? ["--cache-dir"] : [])];
  if (!snippet) required.push("--backend", ...(kind === "nginx" ? ["--listen"] : []));
  if (kind === "check") required.splice(1);
  for (const flag of required) {
    if (!values.has(flag)) throw new UsageError(`Option ${flag} is required`);
  }
  const config = values.get("--config")!;
  if (kind === "check") {
    return { kind, config, strict: switches.has("--strict"), json: switches.has("--json") };
  }
  const backend = values.get("--backend");
  if (backend !== undefined) parseBackend(backend);
  if (kind === "vcl") {
    return { kind, config, settings: { ...(backend && { backend }), snippet, purgeFrom } };
  }
  const listen = values.get("--listen");
  if (listen !== undefined) parseListen(listen);
  const cacheDir = checkCachePath(values.get("--cache-dir")!);
  return {
    kind: "nginx",
    config,
    settings: {
      ...(backend && { backend }),
      ...(listen && { listen }),
      cacheDir,
      snippet,
      purgeFrom,
    },
  };
}

function splitOnce(arg: string): [string, string | undefined] {
  const equals = arg.indexOf("=");
  return equals < 0 ? [arg, undefined] : [arg.slice(0, equals), arg.slice(equals + 1)];
}
