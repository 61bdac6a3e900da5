/**
 * The keyed mode's edge configuration: the Cloudflare Worker, the Fastly VCL and the Akamai
 * property rules match their golden files, are what `cachewise edge` prints, and are checked as
 * far as anything here can: the Worker loads as a module with a `fetch` handler (workerd runs it
 * in tests/e2e_cloudflare_test.ts), the Fastly VCL is read by a checker of its structure and
 * escaping (Fastly's compiler does not run offline), and the Akamai rules validate against a JSON
 * schema written from Akamai's reference (tests/testdata/akamai_rule.schema.json).
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import AjvModule from "ajv";
import { CacheConfigError, type CacheHeadersOptions } from "../mod.ts";
import { generateAkamaiRules } from "../src/generate/akamai.ts";
import { generateCloudflareWorker } from "../src/generate/cloudflare.ts";
import { generateFastlyVcl } from "../src/generate/fastly.ts";
import { planProxy } from "../src/generate/plan.ts";
import { compileOptions } from "../src/decide/compile.ts";
import { runCli } from "../src/cli/run.ts";
import keyedOptions from "./testdata/golden_options.ts";

const GOLDEN = new URL("./testdata/golden/", import.meta.url);
const GENERATORS = {
  "keyed.worker.js": generateCloudflareWorker,
  "keyed.fastly.vcl": generateFastlyVcl,
  "keyed.akamai.json": generateAkamaiRules,
} as const;

describe("edge configuration matches the golden files", () => {
  for (const [name, generate] of Object.entries(GENERATORS)) {
    test(`${name} is unchanged (UPDATE_GOLDEN=1 rewrites it)`, () => {
      const file = new URL(name, GOLDEN);
      const text = generate(keyedOptions);
      if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
      assert.equal(text, readFileSync(file, "utf8"));
    });
  }
});

describe("cachewise edge", () => {
  const run = async (args: string[]) => {
    let stdout = "";
    let stderr = "";
    const status = await runCli(["edge", ...args], {
      stdout: { write: (text: string) => stdout += text },
      stderr: { write: (text: string) => stderr += text },
    });
    return { status, stdout, stderr };
  };
  const config = "tests/testdata/golden_options.ts";

  test("prints each platform's configuration, the same as its generator", async () => {
    for (const [cdn, name] of [["cloudflare", "worker.js"], ["fastly", "fastly.vcl"]] as const) {
      const result = await run(["--config", config, "--cdn", cdn]);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, readFileSync(new URL(`keyed.${name}`, GOLDEN), "utf8"));
    }
    const akamai = await run(["--config", config, "--cdn=akamai"]);
    assert.equal(akamai.stdout, readFileSync(new URL("keyed.akamai.json", GOLDEN), "utf8"));
  });

  test("refuses a platform without generated configuration, a missing --config, no keyed", async () => {
    assert.equal((await run(["--config", config, "--cdn", "vercel"])).status, 2);
    assert.equal((await run(["--cdn", "fastly"])).status, 2);
    const dir = mkdtempSync(join(tmpdir(), "cachewise-edge-"));
    try {
      const file = join(dir, "unkeyed.json");
      writeFileSync(file, JSON.stringify({ timeouts: { "all-users": { 60: ["/a"] } } }));
      const unkeyed = await run(["--config", file, "--cdn", "fastly"]);
      assert.equal(unkeyed.status, 1);
      assert.match(unkeyed.stderr, /no "keyed"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the generated Worker", () => {
  test("is a module whose default export handles fetch, with the plan's routes in rank order", async () => {
    const source = generateCloudflareWorker(keyedOptions);
    const url = `data:text/javascript;base64,${btoa(source)}`;
    const worker = (await import(url)).default;
    assert.equal(typeof worker.fetch, "function");
    const plan = planProxy(compileOptions(keyedOptions, new Set(["identify"])));
    const routes = JSON.parse(/^const PLAN = (\{[\s\S]*?\n\});$/m.exec(source)![1]!).routes;
    assert.deepEqual(
      routes.map((route: { regexp: string }) => route.regexp),
      plan.routes.map((r) => r.regexp),
    );
  });
});

/** The string literals of a VCL text, as written (between the quotes). */
function literals(vcl: string): string[] {
  return [...vcl.matchAll(/"([^"\n]*)"/g)].map((match) => match[1]!);
}

describe("the generated Fastly VCL", () => {
  const vcl = generateFastlyVcl(keyedOptions);

  test("has every subroutine Fastly calls, each once, opening with its #FASTLY macro", () => {
    for (
      const name of ["recv", "hash", "hit", "miss", "pass", "fetch", "error", "deliver", "log"]
    ) {
      const found = [
        ...vcl.matchAll(new RegExp(`^sub vcl_${name} \\{\\n\\s*#FASTLY ${name}$`, "gm")),
      ];
      assert.equal(found.length, 1, `vcl_${name}`);
    }
  });

  test("balances its braces and uses no Varnish 4+ construct Fastly lacks", () => {
    let depth = 0;
    for (const char of vcl.replace(/"[^"\n]*"/g, "").replace(/#.*$/gm, "")) {
      depth += char === "{" ? 1 : char === "}" ? -1 : 0;
      assert.ok(depth >= 0);
    }
    assert.equal(depth, 0);
    for (
      const varnishOnly of [
        "hash_data",
        "std.duration",
        "beresp.uncacheable",
        "bereq.",
        "return (pipe)",
        "vcl 4.1",
        "import std",
        "vcl_backend_response",
      ]
    ) {
      assert.ok(!vcl.includes(varnishOnly), varnishOnly);
    }
  });

  test("writes every % as the percent escape %25, and its regular expressions compile", () => {
    for (const literal of literals(vcl)) {
      assert.doesNotMatch(literal, /%(?!25)/, literal);
      new RegExp(literal.replaceAll("%25", "%").replace("(?i)", ""));
    }
    const percent = generateFastlyVcl({
      timeouts: { "all-users": { 60: ["/a%20b/*"] } },
      keyed: { sessionCookie: "sessionid" },
    });
    assert.match(percent, /"\^\/a%2520b\(\?:\/\(\.\*\)\)\$"/);
  });

  test("matches the rules with the regular expressions of the Varnish VCL", () => {
    const plan = planProxy(compileOptions(keyedOptions, new Set(["identify"])));
    for (const route of plan.routes) assert.ok(vcl.includes(`~ "${route.regexp}"`), route.regexp);
  });
});

describe("the generated Akamai rules", () => {
  const Ajv = (AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule;
  const schema = JSON.parse(
    readFileSync(new URL("./testdata/akamai_rule.schema.json", import.meta.url), "utf8"),
  );
  const validate = new (Ajv as unknown as new (options: object) => {
    compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown };
  })({ allErrors: true }).compile(schema);

  test("validate against the schema written from Akamai's reference", () => {
    const rules = JSON.parse(generateAkamaiRules(keyedOptions));
    assert.ok(validate(rules), JSON.stringify(validate.errors, null, 2));
  });

  test("the schema catches a misspelt option and an unknown behavior", () => {
    const rules = JSON.parse(generateAkamaiRules(keyedOptions));
    rules.children[1].behaviors[0].options.honourPrivate = true;
    assert.equal(validate(rules), false);
    const other = JSON.parse(generateAkamaiRules(keyedOptions));
    other.children[1].behaviors.push({ name: "edgeControl", options: {} });
    assert.equal(validate(other), false);
  });

  test("list the routes least specific first, so the most specific matching rule applies last", () => {
    const rules = JSON.parse(generateAkamaiRules(keyedOptions));
    const plan = planProxy(compileOptions(keyedOptions, new Set(["identify"])));
    const regexes = rules.children
      .filter((child: { criteria: { name: string }[] }) =>
        child.criteria[0]?.name === "regularExpression"
      )
      .map((child: { criteria: { options: { regex: string } }[] }) =>
        child.criteria[0]!.options.regex
      );
    assert.deepEqual(regexes, plan.routes.map((route) => route.regexp).reverse());
  });

  test("refuse a cookie name no generated configuration can carry", () => {
    const options: CacheHeadersOptions = {
      timeouts: { "per-user": { 60: ["/a"] } },
      keyed: { sessionCookie: "se$sion" },
    };
    for (const generate of Object.values(GENERATORS)) {
      assert.throws(() => generate(options), CacheConfigError);
    }
  });
});
