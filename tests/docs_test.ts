/**
 * The documentation agrees with the code: every generated region of README.md and docs/ equals
 * what tests/_doc_outputs.ts computes (`npm run docs` rewrites them), and every TypeScript and
 * JavaScript block type-checks against the sources (`deno check`, each block at its Markdown
 * line numbers).
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import {
  type CodeBlock,
  normaliseMarkdown,
  parseCodeBlocks,
  readGeneratedRegions,
  writeGeneratedRegions,
} from "./_markdown.ts";
import { DOC_OUTPUTS, exampleRegion } from "./_doc_outputs.ts";
import {
  checkedBlocks,
  documentationFiles,
  isIgnored,
  prelude,
  snippetName,
  snippetSource,
  specifierMap,
} from "./_doc_snippets.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DENO = `${ROOT}node_modules/.bin/deno`;

/** Writes the blocks as files under `.tmp/NAME/` and runs `deno check` on them. */
function checkSnippets(name: string, blocks: readonly CodeBlock[]) {
  const dir = join(ROOT, ".tmp", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const specifiers = specifierMap(ROOT, "../../");
  writeFileSync(join(dir, "_prelude.d.ts"), prelude("../../"));
  // The README's config file, which guides import as "./cachewise.config.ts".
  const configFile = exampleRegion("quick-start-config").replace(
    /from "cachewise"/,
    `from "${specifiers.get("cachewise")}"`,
  );
  writeFileSync(join(dir, "cachewise.config.ts"), configFile);
  const files = blocks.map((block) => {
    const file = join(dir, snippetName(block));
    writeFileSync(file, snippetSource(block, specifiers));
    return file;
  });
  const result = spawnSync(DENO, ["check", "--quiet", ...files], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 120_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, files };
}

describe("the documentation", () => {
  test("every generated region equals what the code computes (npm run docs rewrites them)", () => {
    const stale: string[] = [];
    for (const file of documentationFiles(ROOT)) {
      const text = readFileSync(join(ROOT, file), "utf8");
      for (const region of readGeneratedRegions(text, file)) {
        const produce = DOC_OUTPUTS[region.name];
        assert.ok(produce !== undefined, `${file}:${region.line}: no output named ${region.name}`);
        if (normaliseMarkdown(region.text) !== normaliseMarkdown(produce())) {
          stale.push(`${file}:${region.line} (${region.name})`);
        }
      }
    }
    assert.deepEqual(stale, [], "stale documentation: run `npm run docs`");
  });

  test("every output is shown somewhere", () => {
    const shown = new Set(
      documentationFiles(ROOT).flatMap((file) =>
        readGeneratedRegions(readFileSync(join(ROOT, file), "utf8")).map((region) => region.name)
      ),
    );
    assert.deepEqual(Object.keys(DOC_OUTPUTS).filter((name) => !shown.has(name)), []);
  });

  test("every TypeScript and JavaScript block type-checks against the sources", () => {
    const blocks = checkedBlocks(ROOT);
    assert.ok(blocks.length >= 20, `only ${blocks.length} blocks found`);
    const { status, output } = checkSnippets("doc-snippets", blocks);
    assert.equal(status, 0, output);
  });

  test("a type error is reported at its Markdown file and line", () => {
    const markdown = [
      "# Broken",
      "",
      "```ts",
      'import { cacheHeaders } from "cachewise";',
      "",
      'cacheHeaders({ browserSeconds: "five" }).nothing();',
      "```",
      "",
    ].join("\n");
    const blocks = parseCodeBlocks(markdown, "docs/broken.md");
    const { status, output } = checkSnippets("doc-snippets-broken", blocks);
    assert.notEqual(status, 0);
    assert.match(output, /docs__broken\.md_L3\.ts:6:/);
  });

  test("a block marked ignore is left out, every other ts or js block is kept", () => {
    const markdown = [
      "```ts ignore",
      "not checked",
      "```",
      "```js title=x",
      "checked();",
      "```",
      "```sh",
      "not code",
      "```",
    ].join("\n");
    const blocks = parseCodeBlocks(markdown, "x.md");
    assert.deepEqual(blocks.map(isIgnored), [true, false, false]);
    const dir = join(ROOT, ".tmp", "doc-snippets-ignore");
    mkdirSync(join(dir, "docs"), { recursive: true });
    writeFileSync(join(dir, "README.md"), markdown);
    writeFileSync(join(dir, "deno.json"), "{}");
    const kept = checkedBlocks(dir, ["README.md"]);
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(kept.map((block) => [block.line, block.lang]), [[4, "js"]]);
  });

  test("regions are rewritten in place, the rest of the file untouched", () => {
    const text = "a\n<!-- generated: x -->\nold\n<!-- end generated -->\nb\n";
    const written = writeGeneratedRegions(text, (name) => `new ${name}`);
    assert.equal(written, "a\n<!-- generated: x -->\n\nnew x\n\n<!-- end generated -->\nb\n");
    assert.deepEqual(readGeneratedRegions(written), [{ name: "x", line: 2, text: "new x" }]);
    assert.equal(normaliseMarkdown("| a  |  b |\n| :--- | ---: |"), "a|b\n---|---");
  });
});
