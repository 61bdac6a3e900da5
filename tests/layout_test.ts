/**
 * The layout of `src/` stays as docs/architecture.md draws it: stages in folders, imports only
 * downward, no import circle. The checks are tested on small graphs first, so a check that could
 * never fail would show here.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import ts from "typescript";
import {
  findCircles,
  findMisplacedFiles,
  findUpwardImports,
  type ImportGraph,
  readImportGraph,
  SOURCE_ROOT,
  type SourcePath,
} from "./_import_graph.ts";

function graphOf(edges: Record<string, string[]>): ImportGraph {
  return new Map(Object.entries(edges));
}

describe("the layout checks", () => {
  it("findCircles() finds a circle of two files, a longer one and a self-import", () => {
    const graph = graphOf({
      "config/rules.ts": ["config/rule_settings.ts"],
      "config/rule_settings.ts": ["config/rules.ts"],
      "match/a.ts": ["match/b.ts"],
      "match/b.ts": ["match/c.ts"],
      "match/c.ts": ["match/a.ts", "config/rules.ts"],
      "decide/self.ts": ["decide/self.ts"],
      "headers/vary.ts": [],
    });
    assert.deepEqual(findCircles(graph), [
      ["config/rule_settings.ts", "config/rules.ts"],
      ["decide/self.ts"],
      ["match/a.ts", "match/b.ts", "match/c.ts"],
    ]);
  });

  it("findCircles() finds none in a graph that only branches and joins", () => {
    const graph = graphOf({
      "apply.ts": ["decide/order.ts", "headers/vary.ts"],
      "decide/order.ts": ["match/matcher.ts", "headers/vary.ts"],
      "match/matcher.ts": ["config/errors.ts"],
      "config/errors.ts": [],
      "headers/vary.ts": [],
    });
    assert.deepEqual(findCircles(graph), []);
  });

  it("findUpwardImports() flags a lower stage importing a higher one", () => {
    const graph = graphOf({
      "config/options.ts": ["decide/plans.ts", "headers/vary.ts", "config/errors.ts"],
      "match/matcher.ts": ["headers/tags.ts"],
      "headers/vary.ts": ["apply.ts"],
      "decide/plans.ts": ["match/matcher.ts", "config/options.ts"],
      "generate/varnish.ts": ["serve.ts"],
    });
    assert.deepEqual(findUpwardImports(graph), [
      "config/options.ts -> decide/plans.ts (config may import headers)",
      "match/matcher.ts -> headers/tags.ts (match may import config)",
      "headers/vary.ts -> apply.ts (headers may import nothing)",
      "generate/varnish.ts -> serve.ts (generate may import headers, config, match, decide)",
    ]);
  });

  it("findMisplacedFiles() flags stray files, unknown folders and prefixes the folder repeats", () => {
    assert.deepEqual(
      findMisplacedFiles([
        "apply.ts",
        "errors.ts",
        "utils/strings.ts",
        "match/_matcher_trie.ts",
        "cli/cli_check.ts",
        "match/deep/trie.ts",
        "match/trie.ts",
        "config/header_choices.ts",
      ]),
      [
        "errors.ts: only the entry points (apply.ts, serve.ts) sit in src/",
        'utils/strings.ts: folder "utils" is not a stage of the layout',
        'match/_matcher_trie.ts: its name repeats its folder "match"',
        'cli/cli_check.ts: its name repeats its folder "cli"',
        "match/deep/trie.ts: a stage holds files, not folders",
      ],
    );
  });
});

describe("the layout of src/", () => {
  const graph = readImportGraph(SOURCE_ROOT);

  it("reads every file and the imports between them", () => {
    assert.ok(graph.size > 40, `only ${graph.size} files read`);
    assert.ok(graph.get("apply.ts")?.includes("decide/order.ts"));
    assert.ok(graph.get("generate/pattern_regexp.ts")?.includes("match/regexp.ts"));
  });

  it("has no import circle", () => {
    assert.deepEqual(findCircles(graph), []);
  });

  it("has no import from a stage to one it must not use", () => {
    assert.deepEqual(findUpwardImports(graph), []);
  });

  it("puts every file in a declared stage under a name that does not repeat its folder", () => {
    assert.deepEqual(findMisplacedFiles(graph.keys()), []);
  });
});

describe("the purge subpath", () => {
  const graph = readImportGraph(SOURCE_ROOT);
  const reachable = (starts: readonly SourcePath[]): SourcePath[] => {
    const seen = new Set<SourcePath>();
    const stack = [...starts];
    while (stack.length > 0) {
      const file = stack.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      stack.push(...(graph.get(file) ?? []));
    }
    return [...seen].sort();
  };

  it("is not reached from the main entry, so cacheHeaders() users bundle none of it", () => {
    const text = readFileSync(new URL("../mod.ts", import.meta.url), "utf8");
    const entry = ts.preProcessFile(text, true, true).importedFiles
      .map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith("./src/"))
      .map((specifier) => specifier.slice("./src/".length));
    const files = reachable(entry);
    assert.ok(files.includes("decide/order.ts"), "the main entry's graph was read");
    assert.deepEqual(files.filter((file) => file.startsWith("purge/")), []);
  });

  it("reaches only purge code and the header vocabulary, no rule compiler or decision code", () => {
    const files = reachable(["purge/mod.ts"]);
    assert.ok(files.includes("purge/akamai.ts"));
    assert.deepEqual(files.filter((file) => !file.startsWith("purge/")), ["headers/tags.ts"]);
  });
});
