/**
 * HAProxy 2.6 with its built-in cache, for the tests: `startHaproxy()` writes `haproxy.cfg` into
 * the directory it is given, starts HAProxy in the foreground (`-db`) on a loopback port and
 * returns a `Daemon` stopped by process id. `haproxyCacheEntries()` reads what the cache holds
 * through the admin socket (`show cache`).
 */

import { connect } from "node:net";
import type { Daemon } from "../daemons.ts";
import { type CacheOptions, type CacheSetup, type ConfigFiles, startCache } from "./common.ts";

/** The configuration `startHaproxy()` runs: `haproxy.cfg`, HAProxy's cache defaults kept. */
export function haproxyConfig(setup: CacheSetup): ConfigFiles {
  const conf = [
    "global",
    `  pidfile ${setup.dir}/haproxy.pid`,
    `  stats socket ${setup.dir}/admin.sock level admin`,
    "  nbthread 1",
    "defaults",
    "  mode http",
    "  timeout connect 5s",
    "  timeout client 30s",
    "  timeout server 30s",
    "cache cachewise",
    "  total-max-size 16",
    "  process-vary on",
    "frontend web",
    `  bind 127.0.0.1:${setup.port}`,
    "  default_backend app",
    "backend app",
    "  http-request cache-use cachewise",
    "  http-response cache-store cachewise",
    `  server app ${setup.backend}`,
    "",
  ].join("\n");
  return { "haproxy.cfg": conf };
}

/**
 * Starts HAProxy in front of `backend`, with a 16 MB cache that processes `Vary`.
 *
 * @param haproxy The binary (`findBinary("haproxy")`).
 */
export function startHaproxy(haproxy: string, options: CacheOptions): Promise<Daemon> {
  return startCache(haproxy, options, {
    name: "haproxy",
    config: haproxyConfig,
    args: (dir) => ["-db", "-f", `${dir}/haproxy.cfg`],
  });
}

/** One object in HAProxy's cache, as `show cache` lists it. */
export interface HaproxyCacheEntry {
  /** Seconds until it expires. */
  readonly expire: number;
  readonly size: number;
}

/** What HAProxy's cache holds now, read through the admin socket of `startHaproxy()`'s `dir`. */
export function haproxyCacheEntries(dir: string): Promise<HaproxyCacheEntry[]> {
  return new Promise((resolve, reject) => {
    let text = "";
    const socket = connect({ path: `${dir}/admin.sock` }, () => socket.end("show cache\n"));
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => text += chunk);
    socket.once("error", reject);
    socket.once("close", () => {
      const entries = [...text.matchAll(/size:(\d+) .*expire:(-?\d+)/g)]
        .map((match) => ({ size: Number(match[1]), expire: Number(match[2]) }));
      resolve(entries);
    });
  });
}
