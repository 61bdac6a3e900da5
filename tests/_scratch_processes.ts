/**
 * Processes a test started from a scratch directory, found through `/proc` (Linux) by working
 * directory or command line, and stopped by process id: what a guide's blocks leave running.
 */

import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import process from "node:process";

/**
 * Processes started from the scratch directory that are still running, given `graceMs` to
 * finish stopping (`nginx -s stop` returns before nginx exits); those left are stopped by process
 * id and described. Linux only (`/proc`); elsewhere nothing is found.
 */
export async function stopLeftovers(dir: string, graceMs: number): Promise<string[]> {
  for (let wait = 0; wait < graceMs / 100 && scratchProcesses(dir).length > 0; wait++) {
    await delay(100);
  }
  const left = scratchProcesses(dir);
  for (const { pid } of left) signal(pid, "SIGTERM");
  for (let wait = 0; wait < 50 && scratchProcesses(dir).length > 0; wait++) await delay(100);
  for (const { pid } of scratchProcesses(dir)) signal(pid, "SIGKILL");
  return left.map(({ pid, command }) => `  ${pid} ${command}`);
}

function scratchProcesses(dir: string): { pid: number; command: string }[] {
  if (!existsSync("/proc/self")) return [];
  const found: { pid: number; command: string }[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const command = readFileSync(`/proc/${name}/cmdline`, "utf8").replaceAll("\0", " ").trim();
      const cwd = readlinkSync(`/proc/${name}/cwd`);
      if (command !== "" && (cwd === dir || cwd.startsWith(`${dir}/`) || command.includes(dir))) {
        found.push({ pid: Number(name), command });
      }
    } catch { /* gone, or not ours */ }
  }
  return found;
}

function signal(pid: number, name: "SIGTERM" | "SIGKILL"): void {
  try {
    process.kill(pid, name);
  } catch { /* already gone */ }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
