/**
 * `cachewise edge`: prints the configuration that runs the keyed mode at a platform's edge,
 * generated from the same options as the headers: a Cloudflare Worker, Fastly VCL or Akamai
 * Property Manager rules (docs/cdns.md says how to deploy each).
 *
 * ```sh
 * cachewise edge --config FILE [--cdn cloudflare|fastly|akamai]
 * ```
 *
 * @module
 */

import { CacheConfigError } from "../config/errors.ts";
import type { CacheHeadersOptions } from "../config/options.ts";
import { generateAkamaiRules } from "../generate/akamai.ts";
import { generateCloudflareWorker } from "../generate/cloudflare.ts";
import { generateFastlyVcl } from "../generate/fastly.ts";
import { loadOptions } from "./load_config.ts";

/** Where the command writes. */
export interface EdgeStreams {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

const GENERATORS: Readonly<Record<string, (options: CacheHeadersOptions) => string>> = {
  cloudflare: generateCloudflareWorker,
  fastly: generateFastlyVcl,
  akamai: generateAkamaiRules,
};

/** The command's help. */
export const EDGE_USAGE = `Usage:
  cachewise edge --config FILE [--cdn cloudflare|fastly|akamai]

edge: print what runs the keyed mode at the edge of the platform named by --cdn (or by option
      "cdn" in FILE): a Cloudflare Worker, Fastly VCL or Akamai Property Manager rules (JSON).
      FILE must declare option "keyed".
`;

/**
 * Runs `cachewise edge` with the arguments after `edge`; returns the exit status (0, 1 for
 * options that cannot be loaded or used, 2 for a command line that cannot be used).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const err: string[] = [];
 * const streams = { stdout: { write: () => {} }, stderr: { write: (t: string) => err.push(t) } };
 * assert.equal(await runEdge(["--cdn", "vercel"], streams), 2);
 * assert.match(err.join(""), /--config/);
 * ```
 */
export async function runEdge(args: readonly string[], streams: EdgeStreams): Promise<number> {
  const values = new Map<string, string>();
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "-h" || arg === "--help") {
      streams.stdout.write(EDGE_USAGE);
      return 0;
    }
    const equals = arg.indexOf("=");
    const flag = equals < 0 ? arg : arg.slice(0, equals);
    const value = equals < 0 ? args[++index] : arg.slice(equals + 1);
    if ((flag !== "--config" && flag !== "--cdn") || values.has(flag) || !value) {
      return usage(streams, `Cannot use ${JSON.stringify(arg)} here`);
    }
    values.set(flag, value);
  }
  const config = values.get("--config");
  if (config === undefined) return usage(streams, "Option --config is required");
  let options: CacheHeadersOptions;
  try {
    options = await loadOptions(config);
  } catch (error) {
    streams.stderr.write(`cachewise: Cannot use ${config}: ${(error as Error).message}\n`);
    return 1;
  }
  const cdn = values.get("--cdn") ?? options.cdn;
  const generate = cdn === undefined ? undefined : GENERATORS[cdn];
  if (generate === undefined) {
    return usage(streams, `Name the platform: --cdn cloudflare, fastly or akamai, not ${cdn}`);
  }
  const problem = options.keyed === undefined
    ? 'the options declare no "keyed": the edge needs the cookies to key on'
    : options.cdn !== undefined && options.cdn !== cdn
    ? `the options name cdn ${JSON.stringify(options.cdn)}`
    : null;
  if (problem !== null) {
    streams.stderr.write(`cachewise: Cannot generate ${cdn} configuration: ${problem}\n`);
    return 1;
  }
  try {
    streams.stdout.write(
      generate({ ...options, cdn: cdn as NonNullable<CacheHeadersOptions["cdn"]> }),
    );
    return 0;
  } catch (error) {
    const prefix = error instanceof CacheConfigError ? "" : `Cannot use ${config}: `;
    streams.stderr.write(`cachewise: ${prefix}${(error as Error).message}\n`);
    return 1;
  }
}

function usage(streams: EdgeStreams, message: string): number {
  streams.stderr.write(`cachewise: ${message}\n\n${EDGE_USAGE}`);
  return 2;
}
