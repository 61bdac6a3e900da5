/**
 * What the self-hosted cache helpers share: a directory each cache owns, the files written into
 * it, the daemon spawned in the foreground on a loopback port, its version. Only `node:` modules,
 * so the helpers run under Deno, Bun and Node.
 */

import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Daemon, freePort, IS_ROOT, startDaemon } from "../daemons.ts";

/** Where a cache runs: in front of which application, in which directory, on which port. */
export interface CacheOptions {
  /** The application behind the cache, `127.0.0.1:PORT`. */
  readonly backend: string;
  /**
   * A directory the cache owns: its configuration, pid file, logs and cache files. Created when
   * missing; the caller removes it after `stop()` (put it inside a `temporaryDirectory()`).
   */
  readonly dir: string;
  /** The loopback port the cache listens on; a free one when left out. */
  readonly port?: number;
}

/** `CacheOptions` with the port chosen: what a configuration is written from. */
export interface CacheSetup extends CacheOptions {
  readonly port: number;
}

/** Files of a configuration, by path relative to the cache's directory. */
export type ConfigFiles = Record<string, string>;

/**
 * Chooses the port and makes `dir` writable by the unprivileged user the daemons switch to when
 * started as root (squid: proxy, httpd: www-data, Traffic Server: trafficserver).
 */
async function setUp<T extends CacheOptions>(options: T): Promise<T & CacheSetup> {
  mkdirSync(options.dir, { recursive: true });
  if (IS_ROOT) chmodSync(options.dir, 0o777);
  return { ...options, port: options.port ?? await freePort() };
}

/** Writes configuration files (and the directories they name) under `dir`. */
function writeFiles(dir: string, files: ConfigFiles): void {
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
}

/** Makes directories under `dir` that the daemon's unprivileged user may write into. */
function ownedDirectories(dir: string, names: readonly string[]): void {
  for (const name of names) {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    if (IS_ROOT) chmodSync(path, 0o777);
  }
}

/** How a cache is started from its configuration. */
export interface CacheLaunch<T extends CacheOptions> {
  /** The daemon's name in messages. */
  readonly name: string;
  /** The configuration files, written into the cache's directory. */
  readonly config: (setup: T & CacheSetup) => ConfigFiles;
  /** The arguments that keep it in the foreground, given its directory. */
  readonly args: (dir: string) => string[];
  /** Directories under its own that it writes into as its unprivileged user. */
  readonly writable?: readonly string[];
}

/**
 * Writes a cache's configuration into `options.dir`, spawns it in the foreground and waits until
 * it accepts connections on its port.
 */
export async function startCache<T extends CacheOptions>(
  binary: string,
  options: T,
  launch: CacheLaunch<T>,
): Promise<Daemon> {
  const setup = await setUp(options);
  writeFiles(setup.dir, launch.config(setup));
  ownedDirectories(setup.dir, launch.writable ?? []);
  const child = spawn(binary, launch.args(setup.dir), {
    cwd: setup.dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return await startDaemon(launch.name, child, setup.port);
}

/**
 * The `major.minor` version a binary reports (`squid -v`, `apache2 -v`, `traffic_server -V`,
 * `haproxy -v`), or `"unknown"`.
 */
export function versionOf(binary: string, flag: string): string {
  const result = spawnSync(binary, [flag], { encoding: "utf8", timeout: 30_000 });
  const text = `${result.stdout ?? ""}\n${result.stderr ?? ""}`;
  return /(?:Version |Apache\/|Traffic Server |HAProxy version )(\d+\.\d+)/.exec(text)?.[1] ??
    "unknown";
}
