// deno.json (JSR) and package.json (npm) must publish the same version and the same subpaths,
// so that `@cachewise/cachewise/x` and `cachewise/x` always exist together.
import { readFileSync } from "node:fs";

const deno = JSON.parse(readFileSync(new URL("../deno.json", import.meta.url), "utf8"));
const npm = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const problems = [];

if (deno.version !== npm.version) {
  problems.push(`version differs: deno.json ${deno.version}, package.json ${npm.version}`);
}
if (deno.name !== "@cachewise/cachewise" || npm.name !== "cachewise") {
  problems.push(
    `names must be @cachewise/cachewise (JSR) and cachewise (npm): ${deno.name}, ${npm.name}`,
  );
}
const denoPaths = Object.keys(
  typeof deno.exports === "string" ? { ".": deno.exports } : deno.exports,
).sort();
const npmPaths = Object.keys(npm.exports).filter((path) => path !== "./package.json").sort();
if (JSON.stringify(denoPaths) !== JSON.stringify(npmPaths)) {
  problems.push(
    `subpaths differ: deno.json ${denoPaths.join(" ")}, package.json ${npmPaths.join(" ")}`,
  );
}
for (const path of npmPaths) {
  const entry = npm.exports[path];
  if (typeof entry !== "object" || !entry.types || !entry.import) {
    problems.push(`package.json exports["${path}"] needs "types" and "import"`);
  }
}

if (problems.length > 0) {
  console.error(`Manifests disagree:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`deno.json and package.json agree: ${npm.version}, subpaths ${npmPaths.join(" ")}`);
