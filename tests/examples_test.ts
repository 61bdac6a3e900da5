/**
 * Every runnable example in examples/, started as a subprocess with the runtime it is written for,
 * asked for two routes as an anonymous and a signed-in visitor over real HTTP, then stopped by its
 * process id. Runs under Deno, Bun and Node alike: the runtimes come from node_modules/.bin.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = `${ROOT}node_modules/.bin/`;

/** How to start a file under each runtime. Node is whichever runs this test, or `node` on PATH. */
const RUNTIMES = {
  deno: { command: `${BIN}deno`, args: ["run", "-A"] },
  bun: { command: `${BIN}bun`, args: [] },
  node: { command: nodeCommand(), args: ["--import", "tsx"] },
} as const;
type Runtime = keyof typeof RUNTIMES;

function nodeCommand(): string {
  const runtime = globalThis as { Deno?: unknown; Bun?: unknown };
  return runtime.Deno === undefined && runtime.Bun === undefined ? process.execPath : "node";
}

const EXAMPLES: [file: string, runtimes: readonly Runtime[]][] = [
  ["examples/deno_serve.ts", ["deno"]],
  ["examples/bun_serve.ts", ["bun"]],
  ["examples/node_http.ts", ["node"]],
  ["examples/hono_app.ts", ["deno", "bun", "node"]],
  ["examples/elysia_app.ts", ["bun"]],
  ["examples/workers_local.ts", ["node"]],
];

/** What every example's routes send: `/` is anonymous-only (5m), `/static/*` all-users (1h). */
const EXPECTED: [
  path: string,
  cookie: string | null,
  cacheControl: string,
  accel: string | null,
][] = [
  ["/", null, "max-age=5, s-maxage=300", "300"],
  ["/", "session=s-ann", "private, no-cache", null],
  ["/static/app.css", null, "max-age=5, s-maxage=3600", "3600"],
  ["/static/app.css", "session=s-ann", "max-age=5, s-maxage=3600", "3600"],
  ["/dashboard", "session=s-ann", "private, max-age=5", null],
];

/** Starts an example; resolves with its URL once it prints `listening on http://…`. */
function start(runtime: Runtime, file: string): Promise<{ child: ChildProcess; origin: string }> {
  const { command, args } = RUNTIMES[runtime];
  const child = spawn(command, [...args, file], {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => fail(new Error("no `listening on` line within 30 s")), 30_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${runtime} ${file}: ${error.message}\n${stdout}${stderr}`));
    };
    child.stderr!.on("data", (chunk) => stderr += chunk);
    child.stdout!.on("data", (chunk) => {
      stdout += chunk;
      const origin = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout)?.[1];
      if (origin !== undefined && origin.split(":")[2] !== "0") {
        clearTimeout(timer);
        resolve({ child, origin });
      }
    });
    child.on("error", fail);
    child.on("exit", (code) => fail(new Error(`exited with ${code} before listening`)));
  });
}

/** Stops the example by its process id and waits for it to exit. */
async function stop(child: ChildProcess): Promise<void> {
  child.removeAllListeners("exit");
  const exited = new Promise((resolve) => child.once("exit", resolve));
  if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, "SIGTERM");
  await exited;
}

describe("examples/ (each started as a subprocess, asked over real HTTP)", () => {
  test("every runtime binary is installed", () => {
    assert.ok(existsSync(RUNTIMES.deno.command), RUNTIMES.deno.command);
    assert.ok(existsSync(RUNTIMES.bun.command), RUNTIMES.bun.command);
  });

  for (const [file, runtimes] of EXAMPLES) {
    for (const runtime of runtimes) {
      test(`${file} under ${runtime} sends each route and visitor its headers`, async () => {
        const { child, origin } = await start(runtime, file);
        try {
          for (const [path, cookie, cacheControl, accel] of EXPECTED) {
            const response = await fetch(origin + path, {
              headers: cookie === null ? {} : { cookie },
            });
            const body = await response.text();
            const label = `${path} as ${cookie ?? "anonymous"}`;
            assert.equal(response.status, 200, label);
            assert.match(body, path === "/dashboard" ? /^Hello, (s-)?ann\n$/ : /\S/, label);
            assert.equal(response.headers.get("cache-control"), cacheControl, label);
            assert.equal(response.headers.get("x-accel-expires"), accel, label);
          }
        } finally {
          await stop(child);
        }
      });
    }
  }
});
