/**
 * Runs the benchmarks registered so far with mitata and prints the medians as Markdown tables,
 * so BENCHMARKS.md quotes numbers exactly as measured.
 *
 * @module
 */

import { run } from "mitata";
import { seededRandom } from "./_random.ts";

/** One median: what was measured, at how many rules, in nanoseconds per call. */
export interface Median {
  readonly name: string;
  readonly rules: number;
  readonly nanoseconds: number;
}

/** The runtime the benchmark runs on, with its version. */
export function runtimeName(): string {
  const global = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  if (global.Deno) return `Deno ${global.Deno.version.deno}`;
  if (global.Bun) return `Bun ${global.Bun.version}`;
  return `Node ${(globalThis as { process?: { version: string } }).process?.version}`;
}

/**
 * Runs what is registered (mitata prints its own report as it goes) and returns the medians,
 * tagged with `rules`.
 */
export async function runMedians(rules: number): Promise<Median[]> {
  const { benchmarks } = await run();
  return benchmarks.map((trial) => ({
    name: trial.alias,
    rules,
    nanoseconds: trial.runs[0]?.stats?.p50 ?? NaN,
  }));
}

/** Formats nanoseconds as the unit that keeps three significant digits. */
export function formatTime(nanoseconds: number): string {
  if (!Number.isFinite(nanoseconds)) return "n/a";
  if (nanoseconds < 1_000) return `${nanoseconds.toPrecision(3)} ns`;
  if (nanoseconds < 1_000_000) return `${(nanoseconds / 1_000).toPrecision(3)} µs`;
  return `${(nanoseconds / 1_000_000).toPrecision(3)} ms`;
}

/** The median of `name` at `rules`, or NaN. */
export function medianOf(medians: readonly Median[], name: string, rules: number): number {
  return medians.find((m) => m.name === name && m.rules === rules)?.nanoseconds ?? NaN;
}

/** Prints a Markdown table: one row per benchmark name, one column per rule count. */
export function printTable(title: string, medians: readonly Median[]): void {
  const counts = [...new Set(medians.map((m) => m.rules))];
  const names = [...new Set(medians.map((m) => m.name))];
  console.log(`\n### ${title} (${runtimeName()}, medians)\n`);
  console.log(`| | ${counts.map((c) => `${c.toLocaleString("en")} rules`).join(" | ")} |`);
  console.log(`| --- |${counts.map(() => " ---: |").join("")}`);
  for (const name of names) {
    const cells = counts.map((count) => formatTime(medianOf(medians, name, count)));
    console.log(`| ${name} | ${cells.join(" | ")} |`);
  }
}

/** Prints one ratio line per rule count: `numerator / denominator`, with a target to meet. */
export function printRatios(
  label: string,
  medians: readonly Median[],
  ratio: (rules: number) => [number, number],
  target?: (value: number) => boolean,
): void {
  const counts = [...new Set(medians.map((m) => m.rules))];
  const parts = counts.map((count) => {
    const [numerator, denominator] = ratio(count);
    const value = numerator / denominator;
    const verdict = target === undefined ? "" : target(value) ? " (met)" : " (NOT met)";
    return `${count.toLocaleString("en")}: ${value.toFixed(2)}×${verdict}`;
  });
  console.log(`- ${label}: ${parts.join(", ")}`);
}

/**
 * Prints a Mermaid line chart of the medians of `names` (one line each, in that order) against
 * the number of rules, in nanoseconds: the scaling charts of BENCHMARKS.md.
 */
export function printChart(
  title: string,
  medians: readonly Median[],
  names: readonly string[],
): void {
  const counts = [...new Set(medians.map((m) => m.rules))];
  const lines = names.map((name) =>
    counts.map((count) => Math.round(medianOf(medians, name, count)))
  );
  const top = Math.max(...lines.flat().filter(Number.isFinite));
  const scale = 10 ** Math.floor(Math.log10(top));
  console.log("\n```mermaid\nxychart-beta");
  console.log(`    title "${title} (${runtimeName()}, median ns per request)"`);
  console.log(
    `    x-axis "rules" [${counts.map((c) => `"${c.toLocaleString("en")}"`).join(", ")}]`,
  );
  console.log(`    y-axis "ns" 0 --> ${Math.ceil(top / scale) * scale}`);
  for (const line of lines) console.log(`    line [${line.join(", ")}]`);
  console.log("```");
  console.log(`Lines, in order: ${names.join("; ")}.`);
}

/**
 * Times each function in batches of `batch` calls, the functions taking turns for `rounds`
 * rounds, and returns each one's median time per call in nanoseconds. Unlike mitata's p50, a
 * batch includes the garbage collection its own allocations cause, and taking turns makes a
 * shared machine's changing load weigh on every function alike.
 *
 * With `shuffle`, each round runs the functions in a new random order instead of alternating
 * forwards and backwards. A collection falls on whichever batch fills the heap, often the one
 * after a function that allocates much; with more than two functions, alternating always puts the
 * same ones there (in an A/B of identical code the second copy of `apply.explain()` measured
 * 109–155 % of the first), and a random order spreads it over all of them.
 */
export function interleave(
  functions: Readonly<Record<string, () => unknown>>,
  rounds = 100,
  batch = 500,
  shuffle = false,
): Record<string, number> {
  const names = Object.keys(functions);
  const times = new Map(names.map((name) => [name, [] as number[]]));
  const order = [...names];
  const next = seededRandom(rounds * names.length);
  let sink: unknown;
  for (let round = 0; round < rounds; round++) {
    if (shuffle) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
    } else if (round > 0) order.reverse();
    for (const name of order) {
      const run = functions[name]!;
      const start = performance.now();
      for (let i = 0; i < batch; i++) sink = run();
      times.get(name)!.push((performance.now() - start) * 1e6 / batch);
    }
  }
  (globalThis as { __sink?: unknown }).__sink = sink;
  return Object.fromEntries(names.map((name) => {
    const sorted = times.get(name)!.sort((a, b) => a - b);
    return [name, sorted[Math.floor(sorted.length / 2)]!];
  }));
}
