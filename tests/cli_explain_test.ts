import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { EXIT_CONFIG, EXIT_USAGE } from "../src/cli/run.ts";
import { runCapturing } from "./_cli.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const KEYED = "tests/testdata/golden_options.ts";
const DIR = mkdtempSync(join(tmpdir(), "cachewise-explain-"));
const PLAIN = join(DIR, "plain.json");
writeFileSync(
  PLAIN,
  JSON.stringify({
    timeouts: {
      "all-users": { "1h": ["/static/*", "/account/help"] },
      "per-user": { 60: ["/account/*", "/*"] },
    },
  }),
);
const EDGE = join(DIR, "edge.json");
writeFileSync(
  EDGE,
  JSON.stringify({
    targets: ["s-maxage", "cdn-cache-control"],
    tagHeaders: ["surrogate-key"],
    rules: [{
      pattern: "/products/:id",
      policy: "anonymous-only",
      ttl: "10m",
      statuses: { 404: 30 },
      tags: ["product-:id"],
    }],
  }),
);
after(() => rmSync(DIR, { recursive: true, force: true }));

const run = runCapturing;

async function json(args: string[]) {
  const result = await run([...args, "--json"]);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

describe("cachewise explain", () => {
  test("shows targeted fields and cache tags, per status", async () => {
    const ok = await run(["explain", "--config", EDGE, "/products/7"]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.ok(
      ok.stdout.includes(
        "  Cache-Control: max-age=5, s-maxage=600\n  Vary: Cookie, Authorization\n" +
          "  CDN-Cache-Control: max-age=600\n  Surrogate-Key: product-7\n",
      ),
      ok.stdout,
    );
    const missing = await json(["explain", "--config", EDGE, "/products/7", "--status", "404"]);
    assert.deepEqual(missing.anonymous.headers, {
      "Cache-Control": "max-age=5, s-maxage=30",
      "Vary": "Cookie, Authorization",
      "CDN-Cache-Control": "max-age=30",
      "Surrogate-Key": "product-7",
    });
    assert.deepEqual(missing.signedIn.headers, {
      "Cache-Control": "private, no-cache",
      "Vary": "Cookie, Authorization",
    });
  });

  test("text: the deciding rule, the rules it shadows, both visitors' headers", async () => {
    const result = await run(["explain", "--config", PLAIN, "/account/help"]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, "");
    const out = result.stdout;
    assert.match(out, /^URL: +GET http:\/\/localhost\/account\/help → status 200\n/);
    assert.match(
      out,
      /Rule: +"\/account\/help" → all-users, 3600s \(timeouts\["all-users"\]\["1h"\]\[1\]\)/,
    );
    assert.match(
      out,
      /Shadows: +"\/account\/\*" → per-user, 60s \(timeouts\["per-user"\]\["60"\]\[0\]\)\n +"\/\*" → per-user/,
    );
    assert.match(out, /Audience: everybody/);
    const anonymous = "Anonymous visitor (rule; shared cache may store it):\n" +
      "  Cache-Control: max-age=5, s-maxage=3600\n  X-Accel-Expires: 3600\n";
    assert.ok(out.includes(anonymous), out);
    assert.match(out, /Signed-in visitor "user" \(rule;/);
  });

  test("--json: per-user rule in the default mode", async () => {
    const e = await json([
      "explain",
      "--config",
      PLAIN,
      "http://localhost/account/x",
      "--user",
      "ann",
    ]);
    assert.deepEqual(e.rule, {
      policy: "per-user",
      lifetime: 60,
      pattern: '"/account/*"',
      path: 'timeouts["per-user"]["60"][0]',
    });
    assert.deepEqual(e.shadowed.map((r: { pattern: string }) => r.pattern), ['"/*"']);
    assert.equal(e.keyed, false);
    assert.deepEqual(e.anonymous, {
      reason: "rule",
      audience: "anonymous",
      shared: true,
      mismatch: null,
      warning: null,
      headers: {
        "Cache-Control": "max-age=5, s-maxage=60",
        "Vary": "Cookie, Authorization",
        "X-Accel-Expires": "60",
      },
    });
    assert.equal(e.signedIn.user, "ann");
    assert.equal(e.signedIn.audience, "signed-in");
    assert.deepEqual(e.signedIn.headers, {
      "Cache-Control": "private, max-age=5",
      "Vary": "Cookie, Authorization",
    });
  });

  test("keyed mode: the signed-in request carries the session cookie and marker", async () => {
    const e = await json(["explain", "--config", KEYED, "/account/settings"]);
    assert.equal(e.keyed, true);
    assert.equal(e.signedIn.reason, "rule");
    assert.equal(e.signedIn.mismatch, null);
    assert.equal(e.signedIn.headers["X-Hash-Cookies"], "sessionid, messages");
    assert.equal(e.signedIn.headers["Set-Cookie"], undefined);
    assert.equal(e.anonymous.reason, "rule");
    assert.equal(e.anonymous.audience, "anonymous");
  });

  test("method, status and no rule give the reason", async () => {
    const post = await json(["explain", "--config", PLAIN, "/static/a.js", "--method", "post"]);
    assert.equal(post.method, "POST");
    assert.equal(post.anonymous.reason, "method");
    assert.equal(post.anonymous.headers["Cache-Control"], "private, no-cache");
    const missing = await run(["explain", "--config", KEYED, "/nowhere", "--status", "404"]);
    assert.equal(missing.status, 0);
    assert.match(missing.stdout, /Rule: +none matches/);
    assert.match(missing.stdout, /why: the status is not cacheable/);
    assert.doesNotMatch(missing.stdout, /Shadows:|Audience:/);
  });

  test("a URL over 8,192 characters is explained as url-too-long, with no rule tried", async () => {
    const long = `/static/${"a".repeat(8_200)}`;
    const explained = await json(["explain", "--config", PLAIN, long]);
    assert.equal(explained.rule, null);
    assert.deepEqual(explained.shadowed, []);
    assert.equal(explained.anonymous.reason, "url-too-long");
    assert.equal(explained.anonymous.headers["Cache-Control"], "private, no-cache");
    const text = await run(["explain", "--config", PLAIN, long]);
    assert.match(text.stdout, /why: the URL is longer than 8192 characters: no rule is tried/);
  });

  const usageErrors: readonly [string[], RegExp][] = [
    [["explain", "--config", PLAIN], /Name the URL or path to explain/],
    [["explain", "/a"], /--config is required/],
    [["explain", "--config", PLAIN, "/a", "/b"], /Unexpected argument "\/b"/],
    [["explain", "--config", PLAIN, "nope"], /"nope" is not a URL/],
    [["explain", "--config", PLAIN, "/a", "--status", "99"], /from 200 to 599/],
    [["explain", "--config", PLAIN, "/a", "--status", "abc"], /from 200 to 599/],
    [["explain", "--config", PLAIN, "/a", "--method", "G T"], /not a valid method/],
    [["explain", "--config", PLAIN, "/a", "--method", "TRACE"], /cannot be explained/],
    [["explain", "--config", PLAIN, "/a", "--strict"], /--strict is for check only/],
    [["explain", "--config", PLAIN, "/a", "--user"], /--user needs a value/],
    [["vcl", "--config", PLAIN, "--json"], /--json is for explain and check only/],
  ];
  for (const [args, message] of usageErrors) {
    test(`usage error ${JSON.stringify(args.slice(3))} exits ${EXIT_USAGE}`, async () => {
      const result = await run(args);
      assert.equal(result.status, EXIT_USAGE);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, message);
    });
  }

  test("a config that does not compile exits 1 with the problems on stderr", async () => {
    const result = await run(["explain", "--config", "tests/testdata/bad_options.json", "/a"]);
    assert.equal(result.status, EXIT_CONFIG);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /Cannot compile cache rules[\s\S]*"per-usr"/);
  });

  test("--help lists all four commands", async () => {
    const result = await run(["explain", "--help"]);
    assert.equal(result.status, 0);
    for (const command of ["vcl", "nginx", "explain", "check"]) {
      assert.match(result.stdout, new RegExp(`cachewise ${command} \\[--config FILE\\]`));
    }
  });
});

const inNode = !("Deno" in globalThis) && !("Bun" in globalThis);
const RUNNERS: readonly [string, string, string[]][] = [
  ["deno", `${ROOT}node_modules/.bin/deno`, ["run", "-A", "src/cli/bin.ts"]],
  ["node", inNode ? process.execPath : "node", ["--import", "tsx", "src/cli/bin.ts"]],
  ["bun", `${ROOT}node_modules/.bin/bun`, ["src/cli/bin.ts"]],
];

describe("cachewise explain as a subprocess", () => {
  for (const [name, binary, prefix] of RUNNERS) {
    test(`${name}: explains a URL as JSON and exits 2 on a usage error`, () => {
      const spawn = (args: string[]) =>
        spawnSync(binary, [...prefix, ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
      const ok = spawn(["explain", "--config", PLAIN, "/static/app.js", "--json"]);
      assert.equal(ok.status, 0, ok.stderr);
      const e = JSON.parse(ok.stdout);
      assert.equal(e.rule.pattern, '"/static/*"');
      assert.equal(e.signedIn.headers["Cache-Control"], "max-age=5, s-maxage=3600");
      const usage = spawn(["explain", "--config", PLAIN]);
      assert.equal(usage.status, 2);
      assert.equal(usage.stdout, "");
      assert.match(usage.stderr, /Name the URL/);
    });
  }
});
