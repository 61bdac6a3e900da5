/**
 * `cachewise vcl`: Varnish configuration generated from the options.
 *
 * @module
 */

import { parseBackend } from "../generate/escape.ts";
import { generateVcl, type VclOptions } from "../generate/varnish.ts";
import { defineCommand, refuseExtra, requireValue } from "./command.ts";

/** The flags `vcl` and `nginx` share. */
export const PROXY_FLAGS = {
  "--backend": { value: "HOST:PORT", help: "the application server (required unless --snippet)" },
  "--snippet": { help: "print only what to include into an existing configuration" },
} as const;

/** `cachewise vcl [--config FILE] --backend HOST:PORT [--snippet]` */
export const vclCommand = defineCommand<VclOptions>({
  usage: "--backend HOST:PORT [--snippet]",
  description: "print Varnish 7 configuration (VCL) generated from the options",
  flags: PROXY_FLAGS,
  parse(args) {
    refuseExtra(args);
    const snippet = args.switches.has("--snippet");
    const backend = snippet ? args.values.get("--backend") : requireValue(args, "--backend");
    if (backend !== undefined) parseBackend(backend);
    return { ...(backend !== undefined && { backend }), snippet };
  },
  async run(settings, { streams, options }) {
    streams.stdout.write(generateVcl(await options(), settings));
    return 0;
  },
});
