/**
 * The self-hosted caches measured end to end (squid, Apache httpd mod_cache_disk, Apache Traffic
 * Server, HAProxy), each with its start helper and the configuration it runs. Import a single
 * helper (`startSquid()` from `./squid.ts`) to put one cache in front of an application.
 */

import type { Daemon } from "../daemons.ts";
import type { CacheOptions, CacheSetup, ConfigFiles } from "./common.ts";
import { haproxyConfig, startHaproxy } from "./haproxy.ts";
import { httpdConfig, startHttpd } from "./httpd.ts";
import { squidConfig, startSquid } from "./squid.ts";
import { startTrafficServer, trafficServerConfig } from "./traffic_server.ts";

export type { CacheOptions, CacheSetup, ConfigFiles } from "./common.ts";
export { versionOf } from "./common.ts";
export { startSquid } from "./squid.ts";
export { startHttpd } from "./httpd.ts";
export { startTrafficServer } from "./traffic_server.ts";
export { haproxyCacheEntries, startHaproxy } from "./haproxy.ts";

/** One self-hosted cache: how it is called, found, started and configured. */
export interface SelfHostedCache {
  /** A short name for test names and paths. */
  readonly id: "squid" | "httpd" | "traffic-server" | "haproxy";
  /** What the docs call it. */
  readonly title: string;
  /** The binary `requireDaemons()` looks for (Debian's name). */
  readonly binary: string;
  /** The flag that makes the binary print its version. */
  readonly versionFlag: string;
  /** Starts it in front of `options.backend`. */
  readonly start: (binary: string, options: CacheOptions) => Promise<Daemon>;
  /** The configuration `start` writes, for the docs. */
  readonly config: (setup: CacheSetup) => ConfigFiles;
}

/** The four caches, in the order the docs list them. */
export const SELF_HOSTED_CACHES: readonly SelfHostedCache[] = [
  {
    id: "squid",
    title: "squid",
    binary: "squid",
    versionFlag: "-v",
    start: startSquid,
    config: squidConfig,
  },
  {
    id: "httpd",
    title: "Apache httpd mod_cache_disk",
    binary: "apache2",
    versionFlag: "-v",
    start: startHttpd,
    config: httpdConfig,
  },
  {
    id: "traffic-server",
    title: "Apache Traffic Server",
    binary: "traffic_server",
    versionFlag: "-V",
    start: startTrafficServer,
    config: (setup) => trafficServerConfig({ ...setup, user: "trafficserver" }),
  },
  {
    id: "haproxy",
    title: "HAProxy",
    binary: "haproxy",
    versionFlag: "-v",
    start: startHaproxy,
    config: haproxyConfig,
  },
];
