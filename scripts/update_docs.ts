/**
 * `npm run docs`: rewrites the generated regions of README.md and docs/ (the tables, decisions
 * and command output tests/_doc_outputs.ts computes), then formats the files it changed.
 * tests/docs_test.ts fails while any region is stale.
 */

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { DOC_OUTPUTS } from "../tests/_doc_outputs.ts";
import { documentationFiles } from "../tests/_doc_snippets.ts";
import { writeGeneratedRegions } from "../tests/_markdown.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const changed: string[] = [];
for (const file of documentationFiles(root)) {
  const path = join(root, file);
  const text = readFileSync(path, "utf8");
  const written = writeGeneratedRegions(text, (name) => {
    const produce = DOC_OUTPUTS[name];
    if (produce === undefined) throw new Error(`${file}: no output named ${name}`);
    return produce();
  });
  if (written !== text) {
    writeFileSync(path, written);
    changed.push(path);
  }
}
if (changed.length > 0) {
  const deno = join(root, "node_modules/.bin/deno");
  const format = spawnSync(deno, ["fmt", "--quiet", ...changed], { stdio: "inherit" });
  if (format.status !== 0) process.exit(format.status ?? 1);
}
console.log(changed.length === 0 ? "docs: up to date" : `docs: rewrote ${changed.length} file(s)`);
