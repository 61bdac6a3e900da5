/**
 * `cachewise nginx`: nginx configuration generated from the options.
 *
 * @module
 */

import { checkCachePath, parseBackend, parseListen } from "../generate/escape.ts";
import { generateNginx, type NginxOptions } from "../generate/nginx.ts";
import { defineCommand, refuseExtra, requireValue } from "./command.ts";
import { PROXY_FLAGS, readPurgeFrom } from "./vcl.ts";

/**
 * `cachewise nginx [--config FILE] --backend HOST:PORT --listen PORT --cache-dir DIR [--snippet]
 * [--purge-from CIDR]...`
 */
export const nginxCommand = defineCommand<NginxOptions>({
  usage: "--backend HOST:PORT --listen PORT --cache-dir DIR [--snippet] [--purge-from CIDR]...",
  description: "print nginx configuration generated from the options",
  flags: {
    ...PROXY_FLAGS,
    "--listen": {
      value: "PORT",
      help: "what nginx listens on, PORT or ADDRESS:PORT (required unless --snippet)",
    },
    "--cache-dir": { value: "DIR", help: "absolute path of nginx's cache directory (required)" },
  },
  parse(args) {
    refuseExtra(args);
    const snippet = args.switches.has("--snippet");
    const optional = (flag: string) => snippet ? args.values.get(flag) : requireValue(args, flag);
    const backend = optional("--backend");
    const listen = optional("--listen");
    const cacheDir = checkCachePath(requireValue(args, "--cache-dir"));
    if (backend !== undefined) parseBackend(backend);
    if (listen !== undefined) parseListen(listen);
    return {
      ...(backend !== undefined && { backend }),
      ...(listen !== undefined && { listen }),
      cacheDir,
      snippet,
      purgeFrom: readPurgeFrom(args),
    };
  },
  async run(settings, { streams, options }) {
    streams.stdout.write(generateNginx(await options(), settings));
    return 0;
  },
});
