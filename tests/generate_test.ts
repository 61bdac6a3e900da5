import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { CacheConfigError, type CacheHeadersOptions } from "../mod.ts";
import { generateNginx } from "../src/generate/nginx.ts";
import { generateVcl } from "../src/generate/varnish.ts";
import {
  nginxIncluding,
  requireDaemons,
  validateNginx,
  validateVcl,
  vclIncluding,
} from "./testdata/daemons.ts";
import keyedOptions, { defaultModeOptions, SETTINGS } from "./testdata/golden_options.ts";

const GOLDEN = new URL("./testdata/golden/", import.meta.url);
const MODES: Record<string, CacheHeadersOptions> = {
  keyed: keyedOptions,
  default: defaultModeOptions,
};

/** Every golden file: mode × proxy × complete or snippet. */
function goldenCases(): { name: string; generate: () => string }[] {
  return Object.entries(MODES).flatMap(([mode, options]) => [
    { name: `${mode}.vcl`, generate: () => generateVcl(options, { backend: SETTINGS.backend }) },
    { name: `${mode}_snippet.vcl`, generate: () => generateVcl(options, { snippet: true }) },
    { name: `${mode}.nginx.conf`, generate: () => generateNginx(options, SETTINGS) },
    {
      name: `${mode}_snippet.nginx.conf`,
      generate: () => generateNginx(options, { cacheDir: SETTINGS.cacheDir, snippet: true }),
    },
  ]);
}

describe("generated configuration matches the golden files", () => {
  for (const { name, generate } of goldenCases()) {
    test(`${name} is unchanged (UPDATE_GOLDEN=1 rewrites it)`, () => {
      const file = new URL(name, GOLDEN);
      const text = generate();
      if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
      assert.equal(text, readFileSync(file, "utf8"));
    });
  }

  test("generation is deterministic and follows rank order, not declaration order", () => {
    const reversed: CacheHeadersOptions = {
      ...keyedOptions,
      timeouts: Object.fromEntries(Object.entries(keyedOptions.timeouts!).reverse()),
    };
    assert.equal(
      generateVcl(reversed, { backend: SETTINGS.backend }),
      generateVcl(keyedOptions, { backend: SETTINGS.backend }),
    );
  });
});

describe("the real tools accept the generated configuration", () => {
  for (const [mode, options] of Object.entries(MODES)) {
    test(`varnishd -C compiles the ${mode} VCL, complete and included as a snippet`, (t) => {
      const found = requireDaemons(t, ["varnishd"]);
      if (found === null) return;
      const complete = validateVcl(found.varnishd!, () => ({
        main: generateVcl(options, { backend: SETTINGS.backend }),
      }));
      assert.ok(complete.ok, complete.output);
      const snippet = validateVcl(found.varnishd!, (dir) => ({
        main: vclIncluding(join(dir, "cachewise.vcl")),
        files: { "cachewise.vcl": generateVcl(options, { snippet: true }) },
      }));
      assert.ok(snippet.ok, snippet.output);
    });

    test(`nginx -t accepts the ${mode} configuration, complete and included as a snippet`, (t) => {
      const found = requireDaemons(t, ["nginx"]);
      if (found === null) return;
      const settings = (dir: string) => ({ ...SETTINGS, cacheDir: join(dir, "cache") });
      const complete = validateNginx(found.nginx!, (dir) => ({
        main: generateNginx(options, settings(dir)),
      }));
      assert.ok(complete.ok, complete.output);
      const snippet = validateNginx(found.nginx!, (dir) => ({
        main: nginxIncluding(join(dir, "cachewise.conf"), 8000),
        files: {
          "cachewise.conf": generateNginx(options, { ...settings(dir), snippet: true }),
        },
      }));
      assert.ok(snippet.ok, snippet.output);
    });
  }
});

describe("the generators refuse what they cannot write exactly", () => {
  const refused: readonly [string, CacheHeadersOptions, RegExp][] = [
    [
      "a search component",
      { timeouts: { "all-users": { 60: [{ pathname: "/a", search: "q=1" }] } } },
      /timeouts\["all-users"\]\["60"\]\[0\].*search is not "\*"/,
    ],
    [
      "a protocol component",
      { timeouts: { "all-users": { 60: [{ protocol: "https", pathname: "/a" }] } } },
      /protocol is not "\*"/,
    ],
    [
      "a port component",
      { timeouts: { "all-users": { 60: [{ port: "8080", pathname: "/a" }] } } },
      /port is not "\*"/,
    ],
    [
      "a word boundary in a regexp group",
      { timeouts: { "per-user": { 60: ["/a/:id(\\bx)"] } } },
      /timeouts\["per-user"\]\["60"\]\[0\].*the escape \\b/,
    ],
    [
      "a lookahead in a regexp group (refused by cachewise or by the generator)",
      { timeouts: { "per-user": { 60: ["/a/:id(\\w(?=x)\\w)"] } } },
      /timeouts\["per-user"\]\["60"\]\[0\].*(regexp error|invalid|a group other than)/,
    ],
    [
      "an anchor in a regexp group",
      { timeouts: { "per-user": { 60: ["/a/:id(^x)"] } } },
      /the character "\^"/,
    ],
    [
      "a Unicode property escape",
      { timeouts: { "per-user": { 60: ["/a/:id(\\p{L}+)"] } } },
      /the escape \\p/,
    ],
    [
      "a quote in a regexp group",
      { timeouts: { "per-user": { 60: ['/a/:id([^"]+)'] } } },
      /the character "\\"" in a class/,
    ],
    [
      "a regexp group in a hostname",
      { timeouts: { "per-user": { 60: [{ hostname: "(a|b).example.com", pathname: "/x" }] } } },
      /hostname has the regexp group/,
    ],
    [
      "a cookie name nginx cannot read",
      {
        timeouts: { "per-user": { 60: ["/a"] } },
        keyed: { sessionCookie: "sess$id" },
      },
      /Cookie name "sess\$id" at keyed\.sessionCookie/,
    ],
  ];
  for (const [what, options, message] of refused) {
    test(`${what} is refused with a CacheConfigError naming the rule`, () => {
      for (
        const generate of [
          () => generateVcl(options, { backend: SETTINGS.backend }),
          () => generateNginx(options, SETTINGS),
        ]
      ) {
        assert.throws(generate, (error: unknown) => {
          assert.ok(error instanceof CacheConfigError);
          assert.match(error.message, message);
          return true;
        });
      }
    });
  }

  test("every untranslatable rule is reported at once", () => {
    const options: CacheHeadersOptions = {
      timeouts: { "all-users": { 60: [{ pathname: "/a", search: "x" }, "/b/:id(^x)"] } },
    };
    assert.throws(() => generateVcl(options, { backend: SETTINGS.backend }), (error: unknown) => {
      assert.ok(error instanceof CacheConfigError);
      assert.equal(error.problems.length, 2);
      return true;
    });
  });

  test("options cachewise refuses are refused by the generators too", () => {
    assert.throws(
      () => generateVcl({ timeouts: { "per-usr": { 60: ["/a"] } } }, { backend: SETTINGS.backend }),
      CacheConfigError,
    );
  });

  const badSettings: readonly [string, () => string][] = [
    ["a backend without a port", () => generateVcl({}, { backend: "127.0.0.1" })],
    ["a backend with a statement", () => generateVcl({}, { backend: '1.2.3.4:80"; }' })],
    [
      "a backend with a newline",
      () => generateNginx({}, { ...SETTINGS, backend: "a:80;\n}" }),
    ],
    [
      "a listen address with a directive",
      () => generateNginx({}, { ...SETTINGS, listen: "80; x" }),
    ],
    ["a relative cache directory", () => generateNginx({}, { ...SETTINGS, cacheDir: "cache" })],
    [
      "a cache directory with a quote",
      () => generateNginx({}, { ...SETTINGS, cacheDir: '/tmp/a" levels=1' }),
    ],
    [
      "a cache directory with a variable",
      () => generateNginx({}, { ...SETTINGS, cacheDir: "/tmp/$host" }),
    ],
    ["a complete VCL without a backend", () => generateVcl({}, {})],
    [
      "a complete nginx configuration without a listen address",
      () => generateNginx({}, { cacheDir: "/tmp/c", backend: "127.0.0.1:80" }),
    ],
  ];
  for (const [what, generate] of badSettings) {
    test(`${what} is refused with a TypeError`, () => {
      assert.throws(generate, TypeError);
    });
  }
});
