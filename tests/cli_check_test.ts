import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { EXIT_USAGE } from "../src/cli/run.ts";
import { checkOptions } from "../src/cli/check.ts";
import { runCapturing } from "./_cli.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const DIR = mkdtempSync(join(tmpdir(), "cachewise-check-"));
after(() => rmSync(DIR, { recursive: true, force: true }));

let files = 0;
/** Writes options to a JSON file in the temp dir and returns its path. */
function config(options: unknown): string {
  const path = join(DIR, `options${files++}.json`);
  writeFileSync(path, JSON.stringify(options));
  return path;
}

const CLEAN = config({
  keyed: { sessionCookie: "sessionid" },
  timeouts: { "all-users": { "1h": ["/static/*"] }, "per-user": { 60: ["/account/*"] } },
});
const WARNED = config({
  browserSeconds: 10,
  timeouts: {
    "per-user": { 60: ["/account/*"] },
    "all-users": { "1h": ["/account/help", "/static/*", "/static/*"], 0: ["/live"] },
    "anonymous-and-authenticated": { 5: ["/static/mine/*"] },
  },
});

const run = runCapturing;

describe("cachewise check", () => {
  test("clean rules exit 0", async () => {
    const result = await run(["check", "--config", CLEAN, "--strict"]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, "ok: no findings\n");
  });

  test("every kind of finding, one line each, naming both rules", async () => {
    const result = await run(["check", "--config", WARNED]);
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trimEnd().split("\n");
    assert.ok(lines.every((line) => /^(error|warning|info) timeouts\[[^:]+\]: /.test(line)));
    const find = (start: string) => lines.filter((line) => line.startsWith(start));
    assert.match(
      find('warning timeouts["all-users"]["1h"][2]: duplicate:')[0] ?? "",
      /matches the same URLs as "\/static\/\*" \(all-users, 3600s\) at timeouts\["all-users"\]\["1h"\]\[1\]/,
    );
    assert.match(
      find('warning timeouts["all-users"]["1h"][0]: carve-out:')[0] ?? "",
      /all-users hole in a per-user area — make sure the page is the same for everybody, then declare it in rules with carveOut: true: "\/account\/help" \(all-users, 3600s\) inside "\/account\/\*" \(per-user, 60s\) at timeouts\["per-user"\]\["60"\]\[0\]/,
    );
    const mine = 'info timeouts["anonymous-and-authenticated"]["5"][0]: ';
    assert.match(
      find(mine).join("\n"),
      /carve-out: anonymous-and-authenticated area inside an all-users area: "\/static\/mine\/\*"[^\n]* inside "\/static\/\*"/,
    );
    assert.match(
      find(mine).join("\n"),
      /lifetime 5s [^\n]*shorter than browserSeconds \(10s\): max-age will equal the lifetime/,
    );
    assert.match(find(mine).join("\n"), /shared only for anonymous visitors \(default mode\)/);
    assert.match(
      find('info timeouts["all-users"]["0"][0]: ')[0] ?? "",
      /lifetime 0 under all-users/,
    );
    assert.equal(find('info timeouts["per-user"]["60"][0]: ').length, 1);
    assert.deepEqual(lines.map((line) => line.split(" ")[0]), [
      "warning",
      "warning",
      ...Array(lines.length - 2).fill("info"),
    ]);
  });

  test("--strict makes warnings fail; --json prints one object", async () => {
    assert.equal((await run(["check", "--config", WARNED, "--strict"])).status, 1);
    const result = await run(["check", "--json", "--config", WARNED]);
    assert.equal(result.status, 0);
    const report = JSON.parse(result.stdout);
    assert.equal(report.ok, true);
    assert.equal(report.errors, 0);
    assert.equal(report.warnings, 2);
    assert.deepEqual(
      report.findings.filter((f: { code: string }) => f.code === "duplicate")[0].path,
      'timeouts["all-users"]["1h"][2]',
    );
  });

  test("an invalid config is reported as errors and exits 1", async () => {
    const bad = config({ timeouts: { "per-usr": { 60: ["/a/*"] }, "all-users": { x: ["b"] } } });
    const result = await run(["check", "--config", bad]);
    assert.equal(result.status, 1);
    const lines = result.stdout.trimEnd().split("\n");
    assert.ok(lines.length >= 2);
    assert.ok(lines.every((line) => line.startsWith("error timeouts[")));
    assert.match(result.stdout, /error timeouts\["per-usr"\]: Policy "per-usr"/);
    const json = JSON.parse((await run(["check", "--config", bad, "--json"])).stdout);
    assert.equal(json.ok, false);
    assert.ok(json.findings.every((f: { code: string }) => f.code === "invalid"));
  });

  test("a keyed config has no default-mode findings; a carve-out needs the same host", () => {
    const findings = checkOptions({
      keyed: { sessionCookie: "sessionid" },
      timeouts: {
        "per-user": { 60: [{ hostname: "a.example", pathname: "/x/*" }] },
        "all-users": { 60: [{ hostname: "b.example", pathname: "/x/y" }] },
      },
    });
    assert.deepEqual(findings, []);
  });

  test("a carve-out marked carveOut: true is information, so --strict passes", async () => {
    const timeouts = { "per-user": { 60: ["/account/*"] } };
    const carveOut = { pattern: "/account/help", policy: "all-users", ttl: "1h" };
    const unmarked = await run([
      "check",
      "--config",
      config({ timeouts, rules: [carveOut] }),
      "--strict",
    ]);
    assert.equal(unmarked.status, 1);
    assert.match(
      unmarked.stdout,
      /^warning rules\[0\]\.pattern: carve-out: .*mark the rule carveOut: true/m,
    );
    const marked = config({ timeouts, rules: [{ ...carveOut, carveOut: true }] });
    const result = await run(["check", "--config", marked, "--strict"]);
    assert.equal(result.status, 0, result.stdout);
    assert.match(
      result.stdout,
      /^info rules\[0\]\.pattern: carve-out \(intended, carveOut: true\): all-users hole in a per-user area/m,
    );
    assert.doesNotMatch(result.stdout, /^warning/m);
  });

  test("carveOut: true on a rule inside no per-user area is reported as unused", () => {
    const findings = checkOptions({
      keyed: { sessionCookie: "sessionid" },
      rules: [{ pattern: "/help", policy: "all-users", ttl: 60, carveOut: true }],
    });
    assert.deepEqual(findings.map((f) => [f.level, f.code, f.path]), [
      ["info", "unused-carve-out", "rules[0].pattern"],
    ]);
  });

  test("a carve-out declared in timeouts is told to move to rules", () => {
    const findings = checkOptions({
      timeouts: { "per-user": { 60: ["/account/*"] }, "all-users": { 60: ["/account/help"] } },
    });
    const carveOut = findings.find((f) => f.code === "carve-out")!;
    assert.equal(carveOut.level, "warning");
    assert.match(carveOut.message, /then declare it in rules with carveOut: true/);
  });

  const usageErrors: readonly [string[], RegExp][] = [
    [["check"], /--config is required/],
    [["check", "--config", CLEAN, "extra"], /Unexpected argument "extra"/],
    [["check", "--config", CLEAN, "--user", "x"], /--user is for explain only/],
    [["check", "--config", CLEAN, "--snippet"], /--snippet is for vcl and nginx only/],
  ];
  for (const [args, message] of usageErrors) {
    test(`usage error ${JSON.stringify(args.slice(1))} exits ${EXIT_USAGE}`, async () => {
      const result = await run(args);
      assert.equal(result.status, EXIT_USAGE);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, message);
      assert.match(result.stderr, /Usage:/);
    });
  }

  test("a missing file exits 1 with the message on stderr", async () => {
    const result = await run(["check", "--config", join(DIR, "missing.json")]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /Cannot use/);
  });
});

const inNode = !("Deno" in globalThis) && !("Bun" in globalThis);
const RUNNERS: readonly [string, string, string[]][] = [
  ["deno", `${ROOT}node_modules/.bin/deno`, ["run", "-A", "src/cli/bin.ts"]],
  ["node", inNode ? process.execPath : "node", ["--import", "tsx", "src/cli/bin.ts"]],
  ["bun", `${ROOT}node_modules/.bin/bun`, ["src/cli/bin.ts"]],
];

describe("cachewise check as a subprocess", () => {
  for (const [name, binary, prefix] of RUNNERS) {
    test(`${name}: exits 0 clean, 1 with --strict on warnings, 2 on a usage error`, () => {
      const spawn = (args: string[]) =>
        spawnSync(binary, [...prefix, ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
      const clean = spawn(["check", "--config", CLEAN]);
      assert.equal(clean.status, 0, clean.stderr);
      assert.equal(clean.stdout, "ok: no findings\n");
      const strict = spawn(["check", "--config", WARNED, "--strict"]);
      assert.equal(strict.status, 1, strict.stderr);
      assert.match(strict.stdout, /^warning timeouts\["all-users"\]\["1h"\]\[2\]: duplicate:/);
      const usage = spawn(["check"]);
      assert.equal(usage.status, 2);
      assert.match(usage.stderr, /--config is required/);
    });
  }
});
