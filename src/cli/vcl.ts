/**
 * `cachewise vcl`: Varnish configuration generated from the options.
 *
 * @module
 */

import { parseBackend } from "../generate/escape.ts";
import { parsePurgeSources } from "../generate/purge_from.ts";
import { generateVcl, type VclOptions } from "../generate/varnish.ts";
import { defineCommand, type ParsedArgs, refuseExtra, requireValue } from "./command.ts";

/** The flags `vcl` and `nginx` share. */
export const PROXY_FLAGS = {
  "--backend": { value: "HOST:PORT", help: "the application server (required unless --snippet)" },
  "--snippet": { help: "print only what to include into an existing configuration" },
  "--purge-from": {
    value: "CIDR",
    help: "open a purge endpoint to this address or network (repeat for more); without it the " +
      "configuration opens none",
    repeatable: true,
  },
} as const;

/** The `--purge-from` values, checked; an empty list when none is given. */
export function readPurgeFrom(args: ParsedArgs): string[] {
  const purgeFrom = [...(args.repeated.get("--purge-from") ?? [])];
  if (purgeFrom.length > 0) parsePurgeSources(purgeFrom);
  return purgeFrom;
}

/** `cachewise vcl [--config FILE] --backend HOST:PORT [--snippet] [--purge-from CIDR]...` */
export const vclCommand = defineCommand<VclOptions>({
  usage: "--backend HOST:PORT [--snippet] [--purge-from CIDR]...",
  description: "print Varnish 7 configuration (VCL) generated from the options",
  flags: PROXY_FLAGS,
  parse(args) {
    refuseExtra(args);
    const snippet = args.switches.has("--snippet");
    const backend = snippet ? args.values.get("--backend") : requireValue(args, "--backend");
    if (backend !== undefined) parseBackend(backend);
    return { ...(backend !== undefined && { backend }), snippet, purgeFrom: readPurgeFrom(args) };
  },
  async run(settings, { streams, options }) {
    streams.stdout.write(generateVcl(await options(), settings));
    return 0;
  },
});
