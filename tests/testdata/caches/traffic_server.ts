/**
 * Apache Traffic Server 9 as a reverse proxy, for the tests: `startTrafficServer()` writes a
 * runroot (`runroot.yaml`) and its configuration into the directory it is given, starts
 * `traffic_server` alone (no `traffic_manager`, no systemd) on a loopback port, waits until its
 * cache is enabled and returns a `Daemon` stopped by process id.
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Daemon, delay, IS_ROOT } from "../daemons.ts";
import { type CacheOptions, type CacheSetup, type ConfigFiles, startCache } from "./common.ts";

/** The directories of the runroot that Traffic Server writes into. */
const WRITABLE = ["var", "run", "log", "cache"] as const;

/** Configuration files Traffic Server reads at start; empty means its defaults. */
const EMPTY = ["cache.config", "parent.config", "plugin.config", "hosting.config", "volume.config"];

/** How Traffic Server is configured, beyond where it runs. */
export interface TrafficServerOptions extends CacheOptions {
  /**
   * The user it runs as (`proxy.config.admin.user_id`). As root, Traffic Server refuses to serve
   * unless it switches to an unprivileged user; `#-1` keeps the current one.
   *
   * @default "trafficserver" as root (Debian's user), "#-1" otherwise
   */
  readonly user?: string;
}

/**
 * The configuration `startTrafficServer()` runs: `runroot.yaml` (the layout, pointing into `dir`)
 * and `etc/records.config`, `etc/remap.config`, `etc/storage.config`, `etc/ip_allow.yaml`.
 * Anything not set here keeps Traffic Server's default.
 */
export function trafficServerConfig(setup: CacheSetup & TrafficServerOptions): ConfigFiles {
  const { dir } = setup;
  const runroot = [
    `prefix: ${dir}`,
    "exec_prefix: /usr",
    "bindir: /usr/bin",
    "sbindir: /usr/sbin",
    "includedir: /usr/include",
    "libdir: /usr/lib/trafficserver",
    "libexecdir: /usr/lib/trafficserver/modules",
    `sysconfdir: ${dir}/etc`,
    `datadir: ${dir}/var`,
    `localstatedir: ${dir}/var`,
    `runtimedir: ${dir}/run`,
    `logdir: ${dir}/log`,
    `cachedir: ${dir}/cache`,
    "",
  ].join("\n");
  const user = setup.user ?? (IS_ROOT ? "trafficserver" : "#-1");
  const records = [
    `CONFIG proxy.config.http.server_ports STRING ${setup.port}:ip-in=127.0.0.1`,
    `CONFIG proxy.config.admin.user_id STRING ${user}`,
    "CONFIG proxy.config.reverse_proxy.enabled INT 1",
    "CONFIG proxy.config.url_remap.remap_required INT 1",
    "CONFIG proxy.config.http.cache.http INT 1",
    "CONFIG proxy.config.cache.ram_cache.size INT 16M",
    "CONFIG proxy.config.exec_thread.autoconfig INT 0",
    "CONFIG proxy.config.exec_thread.limit INT 2",
    "CONFIG proxy.config.net.connections_throttle INT 1000",
    "CONFIG proxy.config.log.logging_enabled INT 0",
    "",
  ].join("\n");
  const ipAllow = [
    "ip_allow:",
    "  - apply: in",
    "    ip_addrs: 127.0.0.1",
    "    action: allow",
    "    methods: ALL",
    "",
  ].join("\n");
  return {
    "runroot.yaml": runroot,
    "etc/records.config": records,
    "etc/remap.config": `map http://127.0.0.1:${setup.port}/ http://${setup.backend}/\n`,
    "etc/storage.config": `${dir}/cache 16M\n`,
    "etc/ip_allow.yaml": ipAllow,
    ...Object.fromEntries(EMPTY.map((name) => [`etc/${name}`, ""])),
  };
}

/**
 * Starts Traffic Server in front of `backend` with a 16 MB cache file, and waits until its log
 * says the cache is enabled (it accepts connections a little before).
 *
 * @param trafficServer The binary (`findBinary("traffic_server")`).
 */
export async function startTrafficServer(
  trafficServer: string,
  options: TrafficServerOptions,
): Promise<Daemon> {
  const daemon = await startCache(trafficServer, options, {
    name: "traffic_server",
    config: trafficServerConfig,
    args: (dir) => [`--run-root=${join(dir, "runroot.yaml")}`],
    writable: WRITABLE,
  });
  const diags = join(options.dir, "log", "diags.log");
  const deadline = Date.now() + 30_000;
  while (!(existsSync(diags) && readFileSync(diags, "utf8").includes("cache enabled"))) {
    if (Date.now() > deadline) {
      await daemon.stop();
      throw new Error(`traffic_server did not enable its cache:\n${daemon.output()}`);
    }
    await delay(20);
  }
  return daemon;
}
