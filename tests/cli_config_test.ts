/**
 * The command line's configuration file: found in the working directory when `--config` is left
 * out, loaded with jiti whatever the runtime, and `cachewise/cli` importable without running
 * anything. The subprocess tests run the command under Deno, Bun and Node; the built executable
 * (dist/bin.js) runs under plain Node 20, which cannot import `.ts` by itself.
 */

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { CONFIG_FILE_NAMES, findConfigFile, loadOptions } from "../src/cli/load_config.ts";
import { EXIT_USAGE } from "../src/cli/run.ts";
import { runCapturing } from "./_cli.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// Inside the repository, so that `--import tsx` and the config's import of mod.ts resolve.
mkdirSync(join(ROOT, ".tmp"), { recursive: true });
const DIR = mkdtempSync(join(ROOT, ".tmp", "cli-config-"));
after(() => rmSync(DIR, { recursive: true, force: true }));

/** A config in TypeScript that only TypeScript can read: a type import and `satisfies`. */
const TS_CONFIG = `import type { CacheHeadersOptions } from "../../../mod.ts";

const lifetime: number = 60;
export default {
  timeouts: { "per-user": { [lifetime]: ["/account/*"] }, "all-users": { "1h": ["/account/help"] } },
  rules: [],
} satisfies CacheHeadersOptions;
`;

function directory(name: string, files: Record<string, string>): string {
  const path = join(DIR, name);
  mkdirSync(path);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(path, file), text);
  return path;
}

const run = runCapturing;

describe("the config file", () => {
  const bodies: Record<string, string> = {
    "cachewise.config.ts": TS_CONFIG,
    "cachewise.config.mts": 'export default { timeouts: { "all-users": { 1: ["/mts"] } } };\n',
    "cachewise.config.js": 'export default { timeouts: { "all-users": { 1: ["/js"] } } };\n',
    "cachewise.config.mjs": 'export default { timeouts: { "all-users": { 1: ["/mjs"] } } };\n',
    "cachewise.config.json": '{ "timeouts": { "all-users": { "1": ["/json"] } } }\n',
  };

  test("each of cachewise.config.{ts,mts,js,mjs,json} is found and loaded", async () => {
    assert.deepEqual(CONFIG_FILE_NAMES, Object.keys(bodies));
    for (const [name, body] of Object.entries(bodies)) {
      const found = findConfigFile(directory(`only-${name}`, { [name]: body }));
      assert.equal(found, join(DIR, `only-${name}`, name));
      const options = await loadOptions(found!);
      assert.ok(options.timeouts !== undefined, name);
    }
  });

  test("the first name in that order wins when several are there", () => {
    const all = directory("all", bodies);
    assert.equal(findConfigFile(all), join(all, "cachewise.config.ts"));
    const { "cachewise.config.ts": _, "cachewise.config.mts": __, ...rest } = bodies;
    const later = directory("later", rest);
    assert.equal(findConfigFile(later), join(later, "cachewise.config.js"));
    assert.equal(findConfigFile(directory("none", { "other.config.ts": TS_CONFIG })), null);
  });

  test("a TypeScript config with a type import and satisfies loads as its default export", async () => {
    const file = join(
      directory("typed", { "cachewise.config.ts": TS_CONFIG }),
      "cachewise.config.ts",
    );
    assert.deepEqual(await loadOptions(file), {
      timeouts: {
        "per-user": { 60: ["/account/*"] },
        "all-users": { "1h": ["/account/help"] },
      },
      rules: [],
    });
  });

  test("a module without a default export, or JSON that is no object, is refused", async () => {
    const dir = directory("wrong", {
      "named.mjs": "export const timeouts = {};\n",
      "list.json": "[]\n",
    });
    await assert.rejects(
      loadOptions(join(dir, "named.mjs")),
      /must export the options object by default/,
    );
    await assert.rejects(loadOptions(join(dir, "list.json")), /must hold an options object/);
    await assert.rejects(loadOptions(join(dir, "missing.ts")), /No such file/);
  });

  test("without --config and without a config file here, a usage error names the file names", async () => {
    const result = await run(["check"]);
    assert.equal(result.status, EXIT_USAGE);
    assert.match(result.stderr, /--config is required: there is no cachewise\.config\.ts, /);
    assert.match(result.stderr, /cachewise\.config\.json in /);
  });
});

const inNode = !("Deno" in globalThis) && !("Bun" in globalThis);
const NODE = inNode ? process.execPath : "node";
const RUNNERS: readonly [string, string, string[]][] = [
  ["deno", `${ROOT}node_modules/.bin/deno`, ["run", "-A", `${ROOT}src/cli/bin.ts`]],
  ["bun", `${ROOT}node_modules/.bin/bun`, [`${ROOT}src/cli/bin.ts`]],
  ["node (tsx)", NODE, ["--import", "tsx", `${ROOT}src/cli/bin.ts`]],
];
const BUILT = `${ROOT}dist/bin.js`;

describe("cachewise without --config, as a subprocess in a directory with cachewise.config.ts", () => {
  const project = directory("project", { "cachewise.config.ts": TS_CONFIG });
  const check = (binary: string, prefix: string[]) => {
    const result = spawnSync(binary, [...prefix, "check"], {
      cwd: project,
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^warning timeouts\["all-users"\]\["1h"\]\[0\]: carve-out:/);
  };
  for (const [name, binary, prefix] of RUNNERS) {
    test(`${name}: finds and loads the TypeScript config`, () => check(binary, prefix));
  }
  test("plain Node 20 running the built executable (dist/bin.js) loads it too", {
    skip: !existsSync(BUILT) && "run `npm run build` first",
  }, () => check(NODE, [BUILT]));
});

describe("importing cachewise/cli runs nothing", () => {
  const script = (specifier: string) =>
    `const cli = await import(${JSON.stringify(specifier)});\n` +
    `if (typeof cli.run !== "function") throw new Error("no run()");\n` +
    `if (process.exitCode) throw new Error("exit code " + process.exitCode);\n`;
  const runners: [string, string, string[], string][] = [
    ["deno", `${ROOT}node_modules/.bin/deno`, ["eval"], `${ROOT}cli.ts`],
    ["bun", `${ROOT}node_modules/.bin/bun`, ["-e"], `${ROOT}cli.ts`],
    ["node (tsx)", NODE, ["--import", "tsx", "--input-type=module", "-e"], `${ROOT}cli.ts`],
  ];
  if (existsSync(`${ROOT}dist/cli.js`)) {
    runners.push(["node (dist/cli.js)", NODE, ["--input-type=module", "-e"], `${ROOT}dist/cli.js`]);
  }
  for (const [name, binary, prefix, file] of runners) {
    test(`${name}: no output, no exit code, and run() is exported`, () => {
      const source = script(new URL(`file://${file}`).href);
      const result = spawnSync(binary, [...prefix, source], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, "");
      assert.equal(result.stderr, "");
    });
  }
});
