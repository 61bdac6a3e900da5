/**
 * squid as a reverse proxy (accelerator) with its memory cache, in front of one application, for
 * the tests: `startSquid()` writes the configuration into the directory it is given, starts squid
 * in the foreground (`-N`) on a loopback port and returns a `Daemon` stopped by process id.
 */

import type { Daemon } from "../daemons.ts";
import { type CacheOptions, type CacheSetup, type ConfigFiles, startCache } from "./common.ts";

/** How squid is configured, beyond where it runs. */
export interface SquidOptions extends CacheOptions {
  /**
   * Forward the client's `Authorization` to the application (`login=PASSTHRU` on the
   * `cache_peer`). squid strips it towards an `originserver` peer otherwise.
   *
   * @default true
   */
  readonly passAuthorization?: boolean;
}

/** The configuration `startSquid()` runs: `squid.conf`. */
export function squidConfig(setup: CacheSetup & SquidOptions): ConfigFiles {
  const [host, port] = setup.backend.split(":");
  const login = setup.passAuthorization === false ? "" : " login=PASSTHRU";
  const conf = [
    `http_port 127.0.0.1:${setup.port} accel defaultsite=127.0.0.1:${setup.port} vhost`,
    `cache_peer ${host} parent ${port} 0 no-query no-digest originserver name=app${login}`,
    "cache_peer_access app allow all",
    "http_access allow all",
    "cache_mem 16 MB",
    `pid_filename ${setup.dir}/squid.pid`,
    `coredump_dir ${setup.dir}`,
    "cache_log stdio:/dev/stderr",
    "access_log none",
    "cache_store_log none",
    "pinger_enable off",
    "shutdown_lifetime 0 seconds",
    "visible_hostname cachewise-test",
    "",
  ].join("\n");
  return { "squid.conf": conf };
}

/**
 * Starts squid 5 in front of `backend`, with a memory cache only, listening on 127.0.0.1.
 *
 * @param squid The binary (`findBinary("squid")`).
 */
export function startSquid(squid: string, options: SquidOptions): Promise<Daemon> {
  return startCache(squid, options, {
    name: "squid",
    config: squidConfig,
    args: (dir) => ["-N", "-f", `${dir}/squid.conf`],
  });
}
