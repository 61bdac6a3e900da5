import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import { EXIT_CONFIG, EXIT_USAGE } from "../src/cli/run.ts";
import { generateVcl } from "../src/generate/varnish.ts";
import { runCapturing } from "./_cli.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const GOLDEN = new URL("./testdata/golden/", import.meta.url);
const TS_CONFIG = "tests/testdata/golden_options.ts";
const JSON_CONFIG = "tests/testdata/golden_options.json";

/** Runs the command line in this process, capturing what it writes. */
const run = runCapturing;

function golden(name: string): string {
  return readFileSync(new URL(name, GOLDEN), "utf8");
}

describe("cachewise command line", () => {
  test("vcl prints the same VCL as generateVcl() for a module config", async () => {
    const result = await run(["vcl", "--config", TS_CONFIG, "--backend", "127.0.0.1:8080"]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, golden("keyed.vcl"));
  });

  test("nginx prints the complete configuration and the snippet", async () => {
    const common = ["--config", TS_CONFIG, "--cache-dir", "/var/cache/cachewise"];
    const complete = await run([
      "nginx",
      ...common,
      "--backend",
      "127.0.0.1:8080",
      "--listen=8000",
    ]);
    assert.equal(complete.status, 0, complete.stderr);
    assert.equal(complete.stdout, golden("keyed.nginx.conf"));
    const snippet = await run(["nginx", ...common, "--snippet"]);
    assert.equal(snippet.stdout, golden("keyed_snippet.nginx.conf"));
  });

  test("a JSON config gives the options as they are", async () => {
    const result = await run(["vcl", "--config", JSON_CONFIG, "--snippet"]);
    assert.equal(result.status, 0, result.stderr);
    const options = JSON.parse(readFileSync(new URL(`../${JSON_CONFIG}`, import.meta.url), "utf8"));
    assert.equal(result.stdout, generateVcl(options, { snippet: true }));
  });

  test("--help prints the usage on stdout", async () => {
    for (const args of [["--help"], ["-h"], ["vcl", "--help"], ["help"]]) {
      const result = await run(args);
      assert.equal(result.status, 0);
      assert.match(result.stdout, /cachewise nginx \[--config FILE\] --backend/);
    }
  });

  const usageErrors: readonly [string[], RegExp][] = [
    [[], /Name a command/],
    [["varnish"], /Unknown command "varnish"/],
    [["vcl", "--config", JSON_CONFIG], /--backend is required/],
    [["vcl", "--backend", "127.0.0.1:80"], /--config is required/],
    [
      ["nginx", "--config", JSON_CONFIG, "--backend", "127.0.0.1:80", "--cache-dir", "/c"],
      /--listen is required/,
    ],
    [["nginx", "--config", JSON_CONFIG, "--snippet"], /--cache-dir is required/],
    [["vcl", "--config", JSON_CONFIG, "--snippet", "--listen", "80"], /--listen is for nginx only/],
    [["vcl", "--config", JSON_CONFIG, "--bogus"], /Unknown option "--bogus"/],
    [["vcl", "--config"], /--config needs a value/],
    [
      ["vcl", "--config", JSON_CONFIG, "--backend", "localhost"],
      /Backend "localhost" must be HOST:PORT/,
    ],
    [["vcl", "--config", JSON_CONFIG, "--backend", "a:1;b"], /must be HOST:PORT/],
    [["nginx", "--config", JSON_CONFIG, "--snippet", "--cache-dir", "/tmp/$x"], /Cache directory/],
    [["vcl", "--config", JSON_CONFIG, "--snippet", "extra"], /Unexpected argument "extra"/],
  ];
  for (const [args, message] of usageErrors) {
    test(`usage error ${JSON.stringify(args)} exits ${EXIT_USAGE} with a message on stderr`, async () => {
      const result = await run(args);
      assert.equal(result.status, EXIT_USAGE);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, message);
      assert.match(result.stderr, /Usage:/);
    });
  }

  const configErrors: readonly [string, RegExp][] = [
    ["tests/testdata/bad_options.json", /Cannot compile cache rules \(1 problem\)[\s\S]*"per-usr"/],
    ["tests/testdata/untranslatable_options.json", /search is not "\*"/],
    ["tests/testdata/missing.json", /Cannot use tests\/testdata\/missing\.json/],
  ];
  for (const [config, message] of configErrors) {
    test(`config error in ${config} exits ${EXIT_CONFIG} and prints the message`, async () => {
      const result = await run(["vcl", "--config", config, "--snippet"]);
      assert.equal(result.status, EXIT_CONFIG);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, message);
    });
  }
});

/** The runtimes the entry point is run with as a subprocess: Deno and Node (through tsx). */
const RUNNERS: readonly [string, string, string[]][] = [
  ["deno", `${ROOT}node_modules/.bin/deno`, ["run", "-A", "cli.ts"]],
  [
    "node",
    process.versions.node !== undefined && !("Deno" in globalThis) && !("Bun" in globalThis)
      ? process.execPath
      : "node",
    ["--import", "tsx", "src/cli/bin.ts"],
  ],
];

describe("the cli.ts entry point as a subprocess", () => {
  for (const [name, binary, prefix] of RUNNERS) {
    test(`${name}: prints VCL, exits 1 on a config error and 2 on a usage error`, () => {
      const spawn = (args: string[]) =>
        spawnSync(binary, [...prefix, ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
      const ok = spawn(["vcl", "--config", TS_CONFIG, "--backend", "127.0.0.1:8080"]);
      assert.equal(ok.status, 0, ok.stderr);
      assert.equal(ok.stdout, golden("keyed.vcl"));
      const config = spawn([
        "nginx",
        "--config",
        "tests/testdata/bad_options.json",
        "--snippet",
        "--cache-dir",
        "/c",
      ]);
      assert.equal(config.status, 1);
      assert.match(config.stderr, /Cannot compile cache rules/);
      const usage = spawn(["proxy"]);
      assert.equal(usage.status, 2);
      assert.match(usage.stderr, /Unknown command "proxy"/);
    });
  }
});
