/**
 * Apache httpd 2.4 as a reverse proxy with mod_cache and mod_cache_disk, for the tests:
 * `startHttpd()` writes `httpd.conf` into the directory it is given, starts httpd in the
 * foreground (`-DFOREGROUND`) on a loopback port and returns a `Daemon` stopped by process id.
 */

import type { Daemon } from "../daemons.ts";
import { type CacheOptions, type CacheSetup, type ConfigFiles, startCache } from "./common.ts";

/** How httpd is configured, beyond where it runs. */
export interface HttpdOptions extends CacheOptions {
  /**
   * Where the shared modules are.
   *
   * @default "/usr/lib/apache2/modules" (Debian)
   */
  readonly modules?: string;
}

const MODULES = [
  ["mpm_event_module", "mod_mpm_event.so"],
  ["authz_core_module", "mod_authz_core.so"],
  ["proxy_module", "mod_proxy.so"],
  ["proxy_http_module", "mod_proxy_http.so"],
  ["cache_module", "mod_cache.so"],
  ["cache_disk_module", "mod_cache_disk.so"],
] as const;

/** The configuration `startHttpd()` runs: `httpd.conf`. */
export function httpdConfig(setup: CacheSetup & HttpdOptions): ConfigFiles {
  const modules = setup.modules ?? "/usr/lib/apache2/modules";
  const conf = [
    `ServerRoot ${setup.dir}`,
    `DefaultRuntimeDir ${setup.dir}`,
    `PidFile ${setup.dir}/httpd.pid`,
    "ServerName 127.0.0.1",
    `Listen 127.0.0.1:${setup.port}`,
    "ErrorLog /dev/stderr",
    "LogLevel warn",
    "User www-data",
    "Group www-data",
    ...MODULES.map(([name, file]) => `LoadModule ${name} ${modules}/${file}`),
    "StartServers 1",
    "ServerLimit 1",
    "ThreadsPerChild 16",
    "MaxRequestWorkers 16",
    `ProxyPass / http://${setup.backend}/`,
    "CacheEnable disk /",
    `CacheRoot ${setup.dir}/cache`,
    "CacheHeader on",
    "",
  ].join("\n");
  return { "httpd.conf": conf };
}

/**
 * Starts httpd (the `apache2` binary on Debian) in front of `backend`, caching on disk.
 *
 * @param apache2 The binary (`findBinary("apache2")`).
 */
export function startHttpd(apache2: string, options: HttpdOptions): Promise<Daemon> {
  return startCache(apache2, options, {
    name: "httpd",
    config: httpdConfig,
    args: (dir) => ["-f", `${dir}/httpd.conf`, "-DFOREGROUND"],
    writable: ["cache"],
  });
}
