/**
 * `cachewise purge`: invalidates tags and pages on the caches named on the command line, and
 * prints what each node answered. Exits 0 only when every node of every target confirmed.
 *
 * @module
 */

import { purge } from "../purge/run.ts";
import type { PurgeResult, PurgeTarget } from "../purge/types.ts";
import { varnish } from "../purge/varnish.ts";
import { nginx } from "../purge/nginx.ts";
import { cloudflare } from "../purge/cloudflare.ts";
import { fastly } from "../purge/fastly.ts";
import { netlify } from "../purge/netlify.ts";
import { akamai } from "../purge/akamai.ts";
import { vercel } from "../purge/vercel.ts";

/** Where the command writes (the same shape as `CliStreams` of `run.ts`). */
export interface PurgeStreams {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Exit status when some node did not confirm. */
export const EXIT_NOT_PURGED = 1;
/** Exit status for a command line that cannot be used. */
const EXIT_USAGE = 2;

const PURGE_USAGE = `Usage:
  cachewise purge [--tag T]... [--url URL]... [--prefix HOST/PATH]...
                  [--varnish URL]... [--nginx URL]... [--cdn NAME]...
                  [--soft] [--timeout SECONDS] [--retries N] [--json]

Invalidates the tags and pages given on every cache named, each node answered separately.
Exits 0 only when every node confirmed, 1 when one did not (the table says which and why),
2 for a command line that cannot be used.

What to purge (each may be repeated):
  --tag T              a cache tag exactly as written on the responses (percent-encoded)
  --url URL            a page, every variant of it: https://host/path?query, or /path?query
                       (a bare path reaches every host on Varnish, the node's host on nginx)
  --prefix HOST/PATH   every page under a prefix (Cloudflare only)

Where (each may be repeated; a repeated --varnish or --nginx is a cluster):
  --varnish URL        a Varnish node running cachewise vcl --purge-from
  --nginx URL          an nginx node running cachewise nginx --purge-from (URLs only)
  --cdn NAME           cloudflare, fastly, netlify, akamai or vercel, configured from the
                       environment variables below

Options:
  --soft               soft purge where the cache has one (Varnish and Fastly tags, Akamai
                       invalidate, Vercel invalidate)
  --timeout SECONDS    per request (default 10)
  --retries N          retries per request after a network error, timeout, 429 or 5xx
                       (default 2)
  --json               print the result as one JSON object
  -h, --help           show this help

Environment (credentials are read here only, and never printed):
  cloudflare  CLOUDFLARE_API_TOKEN, CLOUDFLARE_ZONE_ID
  fastly      FASTLY_API_TOKEN, FASTLY_SERVICE_ID
  netlify     NETLIFY_AUTH_TOKEN (or NETLIFY_PURGE_API_TOKEN), NETLIFY_SITE_ID (or SITE_ID)
  akamai      AKAMAI_HOST, AKAMAI_CLIENT_TOKEN, AKAMAI_CLIENT_SECRET, AKAMAI_ACCESS_TOKEN
  vercel      VERCEL_TOKEN, VERCEL_PROJECT_ID, VERCEL_TEAM_ID (optional)
  CLOUDFLARE_API_BASE, FASTLY_API_BASE, NETLIFY_API_BASE and VERCEL_API_BASE replace an API's
  address (a proxy, a test server). Deno Deploy answers only inside the deployment: call
  purge() from the application instead.
`;

const LISTS = ["--tag", "--url", "--prefix", "--varnish", "--nginx", "--cdn"] as const;
const SINGLE = ["--timeout", "--retries"] as const;
const SWITCHES = ["--soft", "--json"] as const;
const CDNS: Readonly<Record<string, (soft: boolean) => PurgeTarget>> = {
  cloudflare: () => cloudflare(),
  fastly: (soft) => fastly({ soft }),
  netlify: () => netlify(),
  akamai: (soft) => akamai({ soft }),
  vercel: (soft) => vercel({ soft }),
};

interface PurgeCommand {
  readonly lists: ReadonlyMap<string, string[]>;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly soft: boolean;
  readonly json: boolean;
}

/**
 * Runs `cachewise purge` with the arguments after `purge`, and returns the exit status.
 *
 * @example
 * ```ts
 * import { runPurge } from "./purge.ts";
 * import assert from "node:assert/strict";
 *
 * const out: string[] = [];
 * const streams = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => {} } };
 * assert.equal(await runPurge(["--help"], streams), 0);
 * assert.match(out.join(""), /CLOUDFLARE_API_TOKEN/);
 * assert.equal(await runPurge(["--tag", "a"], streams), 2); // no cache named
 * ```
 */
export async function runPurge(args: readonly string[], streams: PurgeStreams): Promise<number> {
  let command: PurgeCommand | "help";
  let targets: PurgeTarget[];
  try {
    command = parsePurgeArgs(args);
    if (command === "help") {
      streams.stdout.write(PURGE_USAGE);
      return 0;
    }
    targets = buildTargets(command);
  } catch (error) {
    if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
    streams.stderr.write(`cachewise purge: ${error.message}\n\n${PURGE_USAGE}`);
    return EXIT_USAGE;
  }
  let result: PurgeResult;
  try {
    result = await purge(
      {
        tags: command.lists.get("--tag")!,
        urls: command.lists.get("--url")!,
        prefixes: command.lists.get("--prefix")!,
      },
      targets,
      { timeoutMs: command.timeoutMs, retries: command.retries },
    );
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    streams.stderr.write(`cachewise purge: ${error.message}\n`);
    return EXIT_USAGE;
  }
  streams.stdout.write(command.json ? `${JSON.stringify(result, null, 2)}\n` : formatTable(result));
  return result.ok ? 0 : EXIT_NOT_PURGED;
}

function parsePurgeArgs(args: readonly string[]): PurgeCommand | "help" {
  const lists = new Map<string, string[]>(LISTS.map((flag) => [flag, []]));
  const single = new Map<string, string>();
  const switches = new Set<string>();
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "-h" || arg === "--help") return "help";
    if ((SWITCHES as readonly string[]).includes(arg)) {
      switches.add(arg);
      continue;
    }
    const equals = arg.indexOf("=");
    const flag = arg.startsWith("--") && equals > 0 ? arg.slice(0, equals) : arg;
    const isList = (LISTS as readonly string[]).includes(flag);
    if (!isList && !(SINGLE as readonly string[]).includes(flag)) {
      throw new TypeError(`Unknown option or argument ${JSON.stringify(arg)}`);
    }
    const value = flag === arg ? args[++index] : arg.slice(equals + 1);
    if (value === undefined || value === "") throw new TypeError(`Option ${flag} needs a value`);
    if (isList) lists.get(flag)!.push(value);
    else if (single.has(flag)) throw new TypeError(`Option ${flag} is given twice`);
    else single.set(flag, value);
  }
  const targets = ["--varnish", "--nginx", "--cdn"].reduce((n, f) => n + lists.get(f)!.length, 0);
  if (targets === 0) throw new TypeError("Name a cache: --varnish URL, --nginx URL or --cdn NAME");
  return {
    lists,
    timeoutMs: number(single.get("--timeout"), "--timeout", 10, 1) * 1000,
    retries: number(single.get("--retries"), "--retries", 2, 0),
    soft: switches.has("--soft"),
    json: switches.has("--json"),
  };
}

function number(text: string | undefined, flag: string, fallback: number, minimum: number) {
  if (text === undefined) return fallback;
  if (!/^\d{1,4}$/.test(text) || Number(text) < minimum) {
    throw new TypeError(`Option ${flag} must be a whole number of at least ${minimum}`);
  }
  return Number(text);
}

function buildTargets(command: PurgeCommand): PurgeTarget[] {
  const targets: PurgeTarget[] = [];
  const varnishNodes = command.lists.get("--varnish")!;
  const nginxNodes = command.lists.get("--nginx")!;
  if (varnishNodes.length > 0) targets.push(varnish(varnishNodes, { soft: command.soft }));
  if (nginxNodes.length > 0) targets.push(nginx(nginxNodes));
  for (const name of new Set(command.lists.get("--cdn"))) {
    const make = Object.hasOwn(CDNS, name) ? CDNS[name] : undefined;
    if (make === undefined) {
      const hint = name === "deno-deploy"
        ? "Deno Deploy's invalidation API answers only inside the deployment: call purge() there"
        : `use ${Object.keys(CDNS).join(", ")}`;
      throw new TypeError(`Unknown --cdn ${JSON.stringify(name)}: ${hint}`);
    }
    targets.push(make(command.soft));
  }
  return targets;
}

/**
 * The result as a table, one row per node, and a last line that says whether every node
 * confirmed.
 *
 * @example
 * ```ts
 * import { formatTable } from "./purge.ts";
 * import assert from "node:assert/strict";
 *
 * const text = formatTable({
 *   ok: false,
 *   targets: [{
 *     target: "varnish",
 *     ok: false,
 *     nodes: [{ node: "http://a:6081", status: "failed", reason: "refused", attempts: 1 }],
 *   }],
 * });
 * assert.match(text, /varnish +http:\/\/a:6081 +failed +1 +refused/);
 * ```
 */
export function formatTable(result: PurgeResult): string {
  const rows = [["TARGET", "NODE", "STATUS", "ATTEMPTS", "DETAIL"]];
  let nodes = 0;
  let confirmed = 0;
  for (const target of result.targets) {
    for (const node of target.nodes) {
      nodes += 1;
      if (node.status === "purged") confirmed += 1;
      const detail = node.status === "purged" ? node.detail ?? "" : node.reason ?? "";
      rows.push([target.target, node.node, node.status, String(node.attempts), detail]);
    }
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) =>
    row.map((cell, column) => column === row.length - 1 ? cell : cell.padEnd(widths[column]!))
      .join("  ").trimEnd()
  );
  const summary = result.ok
    ? `purged: all ${nodes} nodes confirmed`
    : `NOT purged everywhere: ${confirmed} of ${nodes} nodes confirmed`;
  return `${lines.join("\n")}\n${summary}\n`;
}
