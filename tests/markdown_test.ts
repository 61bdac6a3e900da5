import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseCodeBlocks } from "./_markdown.ts";

describe("parseCodeBlocks()", () => {
  it("reads each fenced block with its line, language, meta and text", () => {
    const text = [
      "# Title",
      "",
      "```ts title=demo",
      "const a = 1;",
      "```",
      "text",
      "~~~~sh",
      "echo ```",
      "~~~~",
      "```",
      "plain",
      "```",
    ].join("\n");
    assert.deepEqual(parseCodeBlocks(text, "x.md"), [
      { file: "x.md", line: 3, lang: "ts", meta: "title=demo", text: "const a = 1;\n" },
      { file: "x.md", line: 7, lang: "sh", meta: "", text: "echo ```\n" },
      { file: "x.md", line: 10, lang: "", meta: "", text: "plain\n" },
    ]);
  });

  it("needs a closing fence at least as long as the opening one", () => {
    const text = "````md\n```ts\ninner\n```\n````\n";
    assert.deepEqual(parseCodeBlocks(text).map((block) => block.text), ["```ts\ninner\n```\n"]);
  });

  it("removes the opening fence's indentation and runs an unclosed block to the end", () => {
    const text = "  ```js\n  let x;\n    y();\n";
    assert.deepEqual(parseCodeBlocks(text).map((block) => block.text), ["let x;\n  y();\n"]);
  });
});
