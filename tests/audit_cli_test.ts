/**
 * `cachewise audit` on the command line, and the validation behind it: visitor specs, markers,
 * the plan `--dry-run` prints (never a credential), and the exit statuses (1 on a leak, 0
 * otherwise, 2 when it cannot run). Network cases use a local node:http server.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../src/cli/run.ts";
import { mergeVisitors, parseVisitor, planAudit } from "../src/audit/mod.ts";
import ts from "typescript";
import { readImportGraph, SOURCE_ROOT } from "./_import_graph.ts";

async function cli(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    stdout: { write: (text) => out.push(text) },
    stderr: { write: (text) => err.push(text) },
  });
  return { code, out: out.join(""), err: err.join("") };
}

async function withServer(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
  body: (origin: string) => Promise<void>,
): Promise<void> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  try {
    await body(`http://127.0.0.1:${port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe("visitor specs", () => {
  it("reads anonymous, cookie: and header: specs, and merges repeated names", () => {
    const visitors = mergeVisitors([
      "alice=cookie:sessionid=abc; isauthenticated=1",
      "robot=header:Authorization: Bearer t0k=n",
      "alice=header:Pragma: akamai-x-cache-on",
      "anonymous=anonymous",
    ].map(parseVisitor));
    assert.deepEqual(visitors, [
      {
        name: "alice",
        cookies: ["sessionid=abc; isauthenticated=1"],
        headers: [["Pragma", "akamai-x-cache-on"]],
      },
      { name: "robot", cookies: [], headers: [["Authorization", "Bearer t0k=n"]] },
      { name: "anonymous", cookies: [], headers: [] },
    ]);
  });

  it("counts a visitor that sends only headers carrying no identity as anonymous", () => {
    const plan = planAudit({
      urls: ["https://a.example/"],
      visitors: mergeVisitors([
        "akamai=header:Pragma: akamai-x-cache-on, akamai-x-cache-remote-on",
        "fastly=header:Fastly-Debug: 1",
        "robot=header:Authorization: Bearer x",
        "alice=cookie:sid=1",
      ].map(parseVisitor)),
    });
    assert.deepEqual(plan.visitors.map((v) => [v.name, v.anonymous]), [
      ["akamai", true],
      ["fastly", true],
      ["robot", false],
      ["alice", false],
    ]);
  });

  const refused: readonly (readonly [string, RegExp])[] = [
    ["alice", /NAME=SPEC/],
    ["=anonymous", /NAME=SPEC/],
    ["al ice=anonymous", /NAME=SPEC/],
    ["alice=password:x", /SPEC must be/],
    ["alice=header:NoColon", /header:Name: value/],
  ];
  for (const [spec, message] of refused) {
    it(`refuses ${JSON.stringify(spec)}`, () => assert.throws(() => parseVisitor(spec), message));
  }

  const unsafe: readonly (readonly [string, RegExp])[] = [
    ["alice=header:Host: evil.example", /may not send Host/],
    ["alice=header:Cache-Control: no-cache", /may not send Cache-Control/],
    ["alice=header:Pragma: no-cache", /Pragma: no-cache/],
    ["alice=header:If-None-Match: x", /may not send If-None-Match/],
    ["alice=header:Proxy-Authorization: x", /may not send Proxy-Authorization/],
    ["alice=header:Cookie: a=1", /give cookies in visitors\[0\]\.cookies/],
    ["alice=header:X-A: a\r\nX-B: b", /without line breaks/],
    ["alice=cookie:a=1\nb=2", /visitors\[0\]\.cookies\[0\]/],
    ["alice=header:Bad Name: x", /not a header name/],
  ];
  for (const [spec, message] of unsafe) {
    it(`refuses to send ${JSON.stringify(spec)}, naming the option`, () => {
      assert.throws(
        () => planAudit({ urls: ["https://a.example/"], visitors: [parseVisitor(spec)] }),
        message,
      );
    });
  }
});

describe("planAudit()", () => {
  const base = { urls: ["https://a.example/"] };
  const refused: readonly (readonly [object, RegExp])[] = [
    [{ urls: [] }, /urls must list at least one URL/],
    [{ urls: ["/relative"] }, /urls\[0\].*not an absolute URL/],
    [{ urls: ["ftp://a.example/"] }, /urls\[0\]: only http: and https:/],
    [{ urls: ["https://u:p@a.example/"] }, /urls\[0\]: give credentials as visitors/],
    [{ ...base, visitors: [] }, /visitors must list at least one visitor/],
    [
      { ...base, visitors: [{ name: "a" }, { name: "a" }] },
      /visitors\[1\]\.name: visitor "a" is repeated/,
    ],
    [{ ...base, markers: { ghost: "boo!" } }, /markers\["ghost"\]: there is no visitor "ghost"/],
    [{ ...base, markers: { anonymous: "ab" } }, /markers\["anonymous"\]\[0\] must be 3 to 200/],
    [{ ...base, rounds: 0 }, /rounds must be from 1 to 20/],
    [{ ...base, rounds: 1.5 }, /rounds must be a whole number/],
    [{ ...base, concurrency: 99 }, /concurrency must be from 1 to 32/],
    [{ ...base, timeoutSeconds: Number.NaN }, /timeoutSeconds must be a number/],
    [{ ...base, rules: { timeouts: { "per-user": { soon: ["/a"] } } } }, /soon/],
  ];
  for (const [options, message] of refused) {
    it(`refuses ${JSON.stringify(options)}`, () => {
      assert.throws(() => planAudit(options as Parameters<typeof planAudit>[0]), message);
    });
  }

  it("refuses markers that contain each other: a body holding one would hold both", () => {
    assert.throws(
      () =>
        planAudit({
          ...base,
          visitors: [{ name: "a", cookies: ["s=1"] }, { name: "b", cookies: ["s=2"] }],
          markers: { a: "user1", b: "user10" },
        }),
      /Marker "user10" of b contains marker "user1" of a/,
    );
  });
});

describe("cachewise audit", () => {
  it("prints its help with --help, and is listed in the main help", async () => {
    const help = await cli(["audit", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /--visitor NAME=SPEC/);
    assert.match((await cli(["--help"])).out, /cachewise audit URL/);
  });

  const usage: readonly (readonly [string[], RegExp])[] = [
    [["audit"], /Name at least one URL/],
    [["audit", "https://a.example/", "--frobnicate"], /Unknown option "--frobnicate"/],
    [["audit", "https://a.example/", "--rounds", "many"], /--rounds must be a number/],
    [["audit", "https://a.example/", "--rounds"], /--rounds needs a value/],
    [["audit", "https://a.example/", "--config", "a", "--config", "b"], /--config is given twice/],
    [["audit", "https://a.example/", "--visitor", "alice"], /NAME=SPEC/],
    [["audit", "https://a.example/", "--marker", "alice"], /NAME=TEXT/],
    [["--json", "audit", "https://a.example/"], /Write audit first/],
  ];
  for (const [args, message] of usage) {
    it(`exits 2 for ${args.join(" ")}`, async () => {
      const result = await cli(args);
      assert.equal(result.code, 2);
      assert.match(result.err, message);
    });
  }

  it("prints the plan with --dry-run, naming cookies and headers but never their values", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cachewise-audit-cli-"));
    try {
      const config = join(dir, "rules.json");
      writeFileSync(config, JSON.stringify({ timeouts: { "per-user": { 60: ["/account"] } } }));
      const args = [
        "audit",
        "https://shop.example/account",
        "https://shop.example/about",
        "--visitor=alice=cookie:sessionid=TOPSECRET",
        "--visitor",
        "alice=header:Authorization: Bearer ALSOSECRET",
        "--visitor",
        "anonymous=anonymous",
        "--marker",
        "alice=alice@example.com",
        "--config",
        config,
        "--rounds=2",
        "--dry-run",
      ];
      const text = await cli(args);
      assert.equal(text.code, 0);
      assert.match(text.out, /2 URLs × 2 visitors × 2 rounds = 8 requests \(budget 500/);
      assert.match(text.out, /alice +sends Cookie \(sessionid\), Authorization +\(has markers\)/);
      assert.match(text.out, /account +per-user 60 s, timeouts\["per-user"\]\["60"\]\[0\]/);
      assert.match(text.out, /about +no rule: uncached/);
      assert.match(text.out, /round 2: anonymous → alice/);
      const json = await cli([...args, "--json"]);
      assert.deepEqual(JSON.parse(json.out).order, [["alice", "anonymous"], [
        "anonymous",
        "alice",
      ]]);
      for (const output of [text.out, json.out]) {
        assert.doesNotMatch(output, /TOPSECRET|ALSOSECRET/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 2 when the rules cannot be loaded or the plan is over budget", async () => {
    const missing = await cli([
      "audit",
      "https://a.example/",
      "--config",
      "/nonexistent/rules.json",
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /nonexistent/);
    const over = await cli(["audit", "https://a.example/", "--rounds", "5", "--budget", "4"]);
    assert.equal(over.code, 2);
    assert.match(over.err, /over the budget of 4/);
  });

  it("exits 2 when no request got a response", async () => {
    let origin = "";
    await withServer((_, response) => response.end(), (o) => Promise.resolve(void (origin = o)));
    const result = await cli(["audit", `${origin}/`, "--pause", "0", "--timeout", "2"]);
    assert.equal(result.code, 2);
    assert.match(result.err, /no request got a response/);
  });

  it("exits 1 on a leak (a local server that says HIT and sets a cookie) and 0 without", async () => {
    await withServer((request, response) => {
      if (request.url === "/replayed") {
        response.setHeader("x-cache", "HIT");
        response.setHeader("set-cookie", "sessionid=someone-elses");
      }
      response.end("page");
    }, async (origin) => {
      const leak = await cli(["audit", `${origin}/replayed`, "--pause", "0"]);
      assert.equal(leak.code, 1);
      assert.match(
        leak.out,
        /^LEAK +http:\S+\/replayed +anonymous +rounds 1, 2, 3 +a stored response replays Set-Cookie \(sessionid\)/m,
      );
      const clean = await cli(["audit", `${origin}/plain`, "--pause", "0", "--json"]);
      assert.equal(clean.code, 0);
      assert.equal(JSON.parse(clean.out).leaks, 0);
    });
  });
});

describe("packaging", () => {
  it("keeps the audit off the main entry: nothing mod.ts imports reaches src/audit/", () => {
    const graph = readImportGraph(SOURCE_ROOT);
    const text = readFileSync(new URL("../mod.ts", import.meta.url), "utf8");
    const stack = ts.preProcessFile(text, true, true).importedFiles
      .map((file) => file.fileName)
      .filter((specifier) => specifier.startsWith("./src/"))
      .map((specifier) => specifier.slice("./src/".length));
    const reached = new Set<string>();
    while (stack.length > 0) {
      const file = stack.pop()!;
      if (reached.has(file)) continue;
      reached.add(file);
      stack.push(...(graph.get(file) ?? []));
    }
    assert.ok(reached.has("apply.ts"), "the walk follows mod.ts's imports");
    assert.deepEqual([...reached].filter((file) => file.startsWith("audit/")), []);
  });
});
