/**
 * Reads `perf report --sort dso,symbol -n` from standard input (bench/perf_profile.sh) and prints
 * the server's CPU time per request by part, in microseconds: the kernel, the runtime's native
 * code, the runtime's JavaScript, cachewise's own functions (files under src/), and the ten
 * costliest of those.
 *
 *   perf report ... | REQUESTS=400000 FREQUENCY=4000 deno run -A bench/perf_summary.ts
 */

const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } })
  .process.env;
const requests = Number(env.REQUESTS);
const frequency = Number(env.FREQUENCY ?? 4000);
const input = await new Response(
  (globalThis as unknown as { Deno: { stdin: { readable: ReadableStream } } }).Deno.stdin.readable,
).text();

/** `  12.34%  1234  deno  [.] symbol` (dso and symbol may hold spaces; `[k]` marks the kernel). */
const LINE = /^\s+[\d.]+%\s+(\d+)\s+(.*?)\s+\[(.)\]\s+(.*)$/;
const parts = new Map<string, number>();
const ours = new Map<string, number>();
const add = (map: Map<string, number>, key: string, samples: number) =>
  map.set(key, (map.get(key) ?? 0) + samples);

for (const line of input.split("\n")) {
  const match = LINE.exec(line);
  if (match === null) continue;
  const [, count, dso, kind, symbol] = match;
  const samples = Number(count);
  if (kind === "k") add(parts, "kernel", samples);
  else if (symbol!.includes("/src/") && symbol!.includes("file://")) {
    add(parts, "cachewise (src/)", samples);
    // `JS:*'searchTrie file:///…/src/match/trie_search.ts:111:31` (V8's tier marks, then a quote)
    const name = symbol!.replace(/^JS:[*+~^o]*'?/, "").replace(/file:\/\/\S*?\/src\//, "src/");
    add(ours, name.replace(/\s+-.*$/, "") || "(anonymous)", samples);
  } else if (symbol!.includes("/bench/") && symbol!.includes("file://")) {
    add(parts, "the benchmark's handler (bench/)", samples);
  } else if (dso!.startsWith("[JIT]") || symbol!.startsWith("JS:")) {
    add(parts, "JavaScript, the runtime's (and on Bun cachewise's)", samples);
  } else if (/^(deno|bun(\.exe)?)$/.test(dso!)) add(parts, "the runtime's native code", samples);
  else add(parts, `other native code (${dso})`, samples);
}

const perRequest = (samples: number) => (samples * 1e6 / frequency / requests).toFixed(2);
const total = [...parts.values()].reduce((sum, samples) => sum + samples, 0);
console.log(`| part | µs per request |\n| --- | ---: |`);
for (const [part, samples] of [...parts].sort((a, b) => b[1] - a[1])) {
  console.log(`| ${part} | ${perRequest(samples)} |`);
}
console.log(`| in all | ${perRequest(total)} |`);
if (ours.size > 0) {
  console.log("\ncachewise's costliest functions, µs per request:");
  for (const [name, samples] of [...ours].sort((a, b) => b[1] - a[1]).slice(0, 10)) {
    console.log(`- ${perRequest(samples)} ${name}`);
  }
}
