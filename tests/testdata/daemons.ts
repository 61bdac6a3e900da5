/**
 * Real nginx and Varnish for the tests: find the binaries, validate generated configuration with
 * them, start them on loopback and stop them by process id. Only `node:` modules, so the same code
 * runs under Deno, Bun and Node.
 */

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

const SEARCH_PATH = [
  ...(process.env.PATH ?? "").split(":"),
  "/usr/sbin",
  "/usr/local/sbin",
  "/sbin",
].filter((dir) => dir !== "");

/** The absolute path of a binary, or `null` when it is not installed. */
export function findBinary(name: string): string | null {
  for (const dir of SEARCH_PATH) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return null;
}

/** Whether the tests run as root (Varnish then needs `-j none` to read private temp dirs). */
export const IS_ROOT: boolean = typeof process.getuid === "function" && process.getuid() === 0;

/** The Debian package of each daemon binary the tests start, for the install hint. */
const PACKAGES: Record<string, string> = {
  nginx: "nginx",
  varnishd: "varnish",
  squid: "squid",
  apache2: "apache2",
  traffic_server: "trafficserver",
  haproxy: "haproxy",
};

/**
 * What a test does when a daemon is missing: in CI (`CI` set) it fails, elsewhere it is skipped
 * with a message saying how to install it. Returns the binaries, or `null` when skipped.
 */
export function requireDaemons(
  context: { skip(message?: string): void },
  names: readonly string[],
): Record<string, string> | null {
  const found: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const path = findBinary(name);
    if (path === null) missing.push(name);
    else found[name] = path;
  }
  if (missing.length === 0) return found;
  const packages = missing.map((name) => PACKAGES[name] ?? name).join(" ");
  const message = `${missing.join(" and ")} not installed: apt-get install -y ${packages}`;
  if (process.env.CI) throw new Error(`${message} (required when CI is set)`);
  context.skip(message);
  return null;
}

/** A fresh temporary directory that workers running as another user can traverse. */
export function temporaryDirectory(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** The result of validating configuration with the real tool. */
export interface Validation {
  readonly ok: boolean;
  readonly output: string;
}

/**
 * `varnishd -C -f FILE`: compiles the VCL without starting Varnish. `build` gets a fresh
 * directory and returns the main VCL and any files it includes (written into that directory).
 */
export function validateVcl(
  varnishd: string,
  build: (dir: string) => { main: string; files?: Record<string, string> },
): Validation {
  const dir = temporaryDirectory("cachewise-vcl-");
  try {
    const { main, files = {} } = build(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const file = join(dir, "main.vcl");
    writeFileSync(file, main);
    const args = ["-C", ...(IS_ROOT ? ["-j", "none"] : []), "-n", join(dir, "work"), "-f", file];
    const result = spawnSync(varnishd, args, { encoding: "utf8", timeout: 60_000 });
    return { ok: result.status === 0, output: `${result.stderr ?? ""}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `nginx -t -c FILE -p DIR`: checks the configuration without starting nginx. `build` gets a
 * fresh directory (the prefix) and returns the main file and any files it includes.
 */
export function validateNginx(
  nginx: string,
  build: (dir: string) => { main: string; files?: Record<string, string> },
): Validation {
  const dir = temporaryDirectory("cachewise-nginx-");
  try {
    const { main, files = {} } = build(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const file = join(dir, "nginx.conf");
    writeFileSync(file, main);
    const args = ["-t", "-q", "-e", "stderr", "-p", `${dir}/`, "-c", file];
    const result = spawnSync(nginx, args, { encoding: "utf8", timeout: 60_000 });
    return { ok: result.status === 0, output: `${result.stderr ?? ""}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A VCL that includes a generated snippet and calls every cachewise subroutine. */
export function vclIncluding(snippetPath: string): string {
  return [
    "vcl 4.1;",
    "import std;",
    `include "${snippetPath}";`,
    'backend default { .host = "127.0.0.1"; .port = "8080"; }',
    "sub vcl_recv { call cachewise_recv; }",
    "sub vcl_hash { call cachewise_hash; }",
    "sub vcl_backend_response { call cachewise_backend_response; }",
    "sub vcl_deliver { call cachewise_deliver; }",
    "",
  ].join("\n");
}

/**
 * The start of an nginx configuration run by hand under a prefix (`nginx -p DIR`): pid file and
 * temporary directories inside the prefix, errors to stderr, no access log; the `http` block is
 * left open for the caller's lines.
 */
export function nginxPrelude(): string[] {
  return [
    "pid nginx.pid;",
    "error_log stderr;",
    "events { worker_connections 64; }",
    "http {",
    "  access_log off;",
    "  client_body_temp_path client_body_temp;",
    "  proxy_temp_path proxy_temp;",
    "  fastcgi_temp_path fastcgi_temp;",
    "  uwsgi_temp_path uwsgi_temp;",
    "  scgi_temp_path scgi_temp;",
  ];
}

/** An nginx configuration that includes a generated http-level snippet into a server of its own. */
export function nginxIncluding(snippetPath: string, port: number): string {
  return [
    ...nginxPrelude(),
    `  include ${snippetPath};`,
    "  server {",
    `    listen 127.0.0.1:${port};`,
    "    location / { proxy_pass http://127.0.0.1:8080; proxy_set_header Host $host; }",
    "  }",
    "}",
    "",
  ].join("\n");
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A daemon started by a test. */
export interface Daemon {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /** What the daemon wrote so far, for failure messages. */
  output(): string;
  /** Stops it by process id and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts Varnish in the foreground on 127.0.0.1:port with the given VCL. */
export async function startVarnish(varnishd: string, vcl: string, dir: string): Promise<Daemon> {
  const port = await freePort();
  const file = join(dir, "cachewise.vcl");
  writeFileSync(file, vcl);
  const args = [
    "-F",
    "-j",
    "none",
    "-a",
    `127.0.0.1:${port}`,
    "-T",
    "none",
    "-n",
    join(dir, "varnish"),
    "-s",
    "malloc,32m",
    "-f",
    file,
  ];
  return await startDaemon(
    "varnishd",
    spawn(varnishd, args, { stdio: ["ignore", "pipe", "pipe"] }),
    port,
  );
}

/** Starts nginx in the foreground with `prefix` as its prefix (`-p`). */
export async function startNginx(
  nginx: string,
  conf: string,
  dir: string,
  port: number,
): Promise<Daemon> {
  const file = join(dir, "nginx.conf");
  writeFileSync(file, conf);
  const args = ["-e", "stderr", "-p", `${dir}/`, "-c", file, "-g", "daemon off;"];
  return await startDaemon(
    "nginx",
    spawn(nginx, args, { stdio: ["ignore", "pipe", "pipe"] }),
    port,
  );
}

/**
 * Watches a daemon spawned in the foreground until it accepts connections on 127.0.0.1:port
 * (30 s at most, then it is stopped and this throws with what it wrote).
 */
export async function startDaemon(
  name: string,
  child: ChildProcess,
  port: number,
): Promise<Daemon> {
  let output = "";
  let exited = false;
  child.stdout?.on("data", (chunk) => output += String(chunk));
  child.stderr?.on("data", (chunk) => output += String(chunk));
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    })
  );
  const daemon: Daemon = {
    name,
    pid: child.pid!,
    port,
    output: () => output,
    async stop() {
      if (!exited) process.kill(child.pid!, "SIGTERM");
      // The timer is cleared once the daemon exits: a pending one keeps Node's test runner alive.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([exit, new Promise((resolve) => timer = setTimeout(resolve, 10_000))]);
      clearTimeout(timer);
      if (!exited) process.kill(child.pid!, "SIGKILL");
      child.stdout?.destroy();
      child.stderr?.destroy();
    },
  };
  const deadline = Date.now() + 30_000;
  while (!(await answers(port))) {
    if (exited || Date.now() > deadline) {
      await daemon.stop();
      throw new Error(`${name} did not start on port ${port}:\n${output}`);
    }
    await delay(50);
  }
  return daemon;
}

/** Whether something accepts connections on 127.0.0.1:port. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(port, "127.0.0.1");
  });
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
