/**
 * Every `sh` block of the proxy guides runs, as written, against the real daemons: a guide whose
 * commands drift from what cachewise, Varnish or nginx do fails here. The convention (`sh` runs,
 * `sh ignore` does not, one scratch directory and one `bash` per guide, this checkout installed as
 * the `cachewise` package, free ports for `127.0.0.1:PORT`) is described in tests/_doc_shell.ts.
 *
 * The guides run under `node --test` only: their blocks are shell, the same under every runtime,
 * and once is enough (Deno and Bun run the proxy end-to-end tests, which Node skips). The runner's
 * own tests run everywhere.
 */

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { localPorts, rewritePorts, runGuide, shellBlocksOf } from "./_doc_shell.ts";
import { parseCodeBlocks } from "./_markdown.ts";
import { findBinary, temporaryDirectory } from "./testdata/daemons.ts";
import { rmSync } from "node:fs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The guides whose shell blocks run, with the programs they need. Add a guide with one line. */
const GUIDES: readonly { readonly file: string; readonly needs: readonly string[] }[] = [
  { file: "docs/varnish.md", needs: ["varnishd", "varnishadm", "curl"] },
  { file: "docs/nginx.md", needs: ["nginx", "curl"] },
  { file: "docs/purge.md", needs: ["varnishd", "nginx", "curl"] },
  { file: "docs/audit.md", needs: ["nginx", "curl"] },
  { file: "docs/cdns.md", needs: [] },
];

const UNDER_NODE = !("Deno" in globalThis) && !("Bun" in globalThis);

describe("the guides' shell blocks, run as written", () => {
  for (const { file, needs } of GUIDES) {
    test(`${file}: every sh block runs, in order, against the real daemons`, {
      skip: UNDER_NODE ? false : "runs under node --test (the blocks are the same everywhere)",
      timeout: 180_000,
    }, async (t) => {
      const missing = needs.filter((name) => findBinary(name) === null);
      if (missing.length > 0) {
        const message = `${
          missing.join(", ")
        } not installed (apt-get install -y nginx varnish curl)`;
        if (process.env.CI) throw new Error(`${message}; required when CI is set`);
        t.skip(message);
        return;
      }
      const run = await runGuide(join(ROOT, file), { root: ROOT });
      assert.ok(run.blocks > 0, `${file} has no sh block to run`);
      assert.ok(run.ok, `${run.failure}\n--- output ---\n${run.output.slice(-6000)}`);
    });
  }
});

describe("the shell-block runner", () => {
  const dir = temporaryDirectory("cachewise-doc-runner-");
  after(() => rmSync(dir, { recursive: true, force: true }));
  const guide = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const fence = (info: string, body: string) => `\`\`\`${info}\n${body}\n\`\`\`\n`;

  test("runs sh blocks in order in one shell, skips sh ignore, and names a failing line", async () => {
    const path = guide(
      "fails.md",
      [
        "# A guide",
        fence("sh", "echo first > order.txt\nexport SEEN=yes"),
        fence("sh ignore", "exit 7"),
        fence("sh", 'echo "$SEEN" >> order.txt\ncat order.txt\ntest "$SEEN" = no\necho never'),
      ].join("\n"),
    );
    const run = await runGuide(path, { root: ROOT });
    assert.equal(run.ok, false);
    assert.equal(run.blocks, 2);
    assert.match(run.output, /first\nyes\n/);
    assert.doesNotMatch(run.output, /never/);
    assert.match(run.failure!, /fails\.md:14 failed with exit status 1/);
  });

  test("a failing last command counts, though set -e spares the left of &&", async () => {
    const path = guide("and.md", fence("sh", "false && echo compiled"));
    const run = await runGuide(path, { root: ROOT });
    assert.equal(run.ok, false, run.output);
  });

  test("refuses bash, console and unknown sh info strings, so no command escapes by spelling", () => {
    const path = guide(
      "spelling.md",
      [fence("bash", "true"), fence("console", "$ true"), fence("sh skip", "true")].join("\n"),
    );
    const { run, refused } = shellBlocksOf(path);
    assert.equal(run.length, 0);
    assert.deepEqual(refused.map(({ block }) => block.line), [1, 5, 9]);
  });

  test("maps each 127.0.0.1 or localhost port to one free port, everywhere in the blocks", () => {
    const blocks = parseCodeBlocks(
      fence("sh", "curl http://127.0.0.1:6081/ && curl localhost:8080/x\nlisten(8080)") +
        fence("sh", "echo 60810 8080"),
    );
    assert.deepEqual(localPorts(blocks), [6081, 8080]);
    const ports = new Map([[6081, 40001], [8080, 40002]]);
    assert.equal(
      rewritePorts(blocks[0]!.text + blocks[1]!.text, ports),
      "curl http://127.0.0.1:40001/ && curl localhost:40002/x\nlisten(40002)\necho 60810 40002\n",
    );
  });

  test("cachewise is this checkout, and processes left running fail the guide", async () => {
    const path = guide(
      "leaves.md",
      fence(
        "sh",
        [
          "cachewise --help | head -n 1",
          `node -e 'import("cachewise").then((m) => console.log(typeof m.cacheHeaders))'`,
          "sleep 300 &",
        ].join("\n"),
      ),
    );
    const run = await runGuide(path, { root: ROOT, graceMs: 200 });
    assert.match(run.output, /^Usage:\nfunction\n/m);
    assert.equal(run.ok, false);
    assert.match(run.failure!, /leaves processes running[^]*sleep 300/);
  });
});
