/**
 * `cachewise edge`: prints the configuration that runs the keyed mode at a platform's edge,
 * generated from the same options as the headers: a Cloudflare Worker, Fastly VCL or Akamai
 * Property Manager rules (docs/cdns.md says how to deploy each).
 *
 * ```sh
 * cachewise edge [--config FILE] [--cdn cloudflare|fastly|akamai]
 * ```
 *
 * @module
 */

import type { CacheHeadersOptions } from "../config/options.ts";
import { generateAkamaiRules } from "../generate/akamai.ts";
import { generateCloudflareWorker } from "../generate/cloudflare.ts";
import { generateFastlyVcl } from "../generate/fastly.ts";
import { defineCommand, refuseExtra, UsageError } from "./command.ts";

const GENERATORS: Readonly<Record<string, (options: CacheHeadersOptions) => string>> = {
  cloudflare: generateCloudflareWorker,
  fastly: generateFastlyVcl,
  akamai: generateAkamaiRules,
};

/**
 * `cachewise edge [--config FILE] [--cdn cloudflare|fastly|akamai]`: the platform named by `--cdn`
 * or by option `cdn`; the options must declare `keyed`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { edgeCommand } from "./edge.ts";
 *
 * const parsed = {
 *   values: new Map([["--cdn", "fastly"]]),
 *   repeated: new Map<string, string[]>(),
 *   switches: new Set<string>(),
 *   positional: [],
 * };
 * assert.deepEqual(edgeCommand.parse(parsed), { cdn: "fastly" });
 * ```
 */
export const edgeCommand = defineCommand<{ readonly cdn: string | undefined }>({
  usage: "[--cdn cloudflare|fastly|akamai]",
  description: "print what runs the keyed mode at the edge of the platform named by --cdn (or by " +
    'option "cdn"): a Cloudflare Worker, Fastly VCL or Akamai Property Manager rules (JSON); the ' +
    'options must declare "keyed"',
  flags: {
    "--cdn": {
      value: "NAME",
      help: "edge: the platform, cloudflare, fastly or akamai (default: option cdn)",
    },
  },
  parse(args) {
    refuseExtra(args);
    const cdn = args.values.get("--cdn");
    if (cdn !== undefined && !Object.hasOwn(GENERATORS, cdn)) {
      throw new UsageError(`Name the platform: --cdn cloudflare, fastly or akamai, not ${cdn}`);
    }
    return { cdn };
  },
  async run(settings, { streams, options: load }) {
    const options = await load();
    const cdn = settings.cdn ?? options.cdn;
    const generate = cdn === undefined ? undefined : GENERATORS[cdn];
    if (generate === undefined) {
      throw new UsageError(`Name the platform: --cdn cloudflare, fastly or akamai, not ${cdn}`);
    }
    const problem = options.keyed === undefined
      ? 'the options declare no "keyed": the edge needs the cookies to key on'
      : options.cdn !== undefined && options.cdn !== cdn
      ? `the options name cdn ${JSON.stringify(options.cdn)}`
      : null;
    if (problem !== null) throw new Error(`Cannot generate ${cdn} configuration: ${problem}`);
    streams.stdout.write(
      generate({ ...options, cdn: cdn as NonNullable<CacheHeadersOptions["cdn"]> }),
    );
    return 0;
  },
});
