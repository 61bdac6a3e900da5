/**
 * The purge endpoint of the generated configuration is opt-in and restricted (`--purge-from`),
 * valid for the real tools, and what docs/purge.md shows; and `cachewise purge` reads its command
 * line and environment as `--help` says, never printing a credential.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import process from "node:process";
import { generateNginx } from "../src/generate/nginx.ts";
import { DEBIAN_PURGE_MODULE } from "../src/generate/nginx_purge.ts";
import { generateVcl } from "../src/generate/varnish.ts";
import options, { defaultModeOptions } from "./testdata/golden_options.ts";
import { findBinary, validateNginx, validateVcl, vclIncluding } from "./testdata/daemons.ts";
import { json, type LocalServer, startServer } from "./testdata/local_server.ts";
import { runCommand as run } from "./testdata/purge_app.ts";
import { parseCodeBlocks } from "./_markdown.ts";

const NGINX_SETTINGS = {
  backend: "127.0.0.1:8080",
  listen: "8000",
  cacheDir: "/var/cache/cachewise",
};

describe("the purge endpoint of the generated configuration", () => {
  it("is absent without --purge-from: no PURGE handling, no vmod, no ACL, no module", () => {
    for (const mode of [options, defaultModeOptions]) {
      for (const purgeFrom of [undefined, []]) {
        const vcl = generateVcl(mode, {
          backend: "127.0.0.1:8080",
          ...(purgeFrom && { purgeFrom }),
        });
        const conf = generateNginx(mode, { ...NGINX_SETTINGS, ...(purgeFrom && { purgeFrom }) });
        assert.doesNotMatch(vcl, /PURGE|xkey|acl |cachewise_purge|X-Cachewise-Url/);
        assert.doesNotMatch(conf, /PURGE|purge|load_module/i);
      }
    }
  });

  it("lets in exactly the --purge-from addresses, written canonically", async () => {
    const args = ["--config", "tests/testdata/golden_options.ts", "--backend", "127.0.0.1:8080"];
    const from = [
      "--purge-from",
      "127.0.0.1",
      "--purge-from=10.0.0.0/8",
      "--purge-from",
      "FD00::/8",
    ];
    const vcl = await run(["vcl", ...args, ...from]);
    assert.equal(vcl.status, 0, vcl.stderr);
    assert.match(
      vcl.stdout,
      /acl cachewise_purgers \{\n {4}"127\.0\.0\.1";\n {4}"10\.0\.0\.0"\/8;\n {4}"fd00::"\/8;\n\}/,
    );
    const conf = await run(["nginx", ...args, "--listen", "8000", "--cache-dir", "/c", ...from]);
    assert.match(
      conf.stdout,
      /allow 127\.0\.0\.1;\n\s+allow 10\.0\.0\.0\/8;\n\s+allow fd00::\/8;\n\s+deny all;/,
    );
  });

  it("refuses anything but an address or a network, and only on vcl and nginx", async () => {
    const bad = [
      '127.0.0.1"; }',
      "10.0.0.1/8",
      "localhost",
      "300.1.1.1",
      "::1/129",
      "1.2.3.4/33",
      "01.2.3.4",
      "10.0.0.0/x",
    ];
    for (const value of bad) {
      assert.throws(
        () => generateVcl(options, { backend: "127.0.0.1:8080", purgeFrom: [value] }),
        TypeError,
        value,
      );
      const result = await run([
        "vcl",
        "--config",
        "tests/testdata/golden_options.ts",
        "--snippet",
        "--purge-from",
        value,
      ]);
      assert.equal(result.status, 2, value);
      assert.ok(result.stderr.includes("--purge-from"), result.stderr);
    }
    const explain = await run([
      "explain",
      "--config",
      "tests/testdata/golden_options.ts",
      "/",
      "--purge-from",
      "127.0.0.1",
    ]);
    assert.equal(explain.status, 2);
    assert.match(explain.stderr, /--purge-from is for vcl and nginx only/);
  });

  it("compiles with varnishd -C as a snippet called from vcl_recv and vcl_synth", {
    timeout: 60_000,
  }, (t) => {
    // The complete VCL, in both modes, is what purge_varnish_test.ts starts Varnish with.
    const varnishd = findBinary("varnishd");
    if (varnishd === null) return t.skip("varnishd not installed");
    const snippet = validateVcl(varnishd, (dir) => ({
      main: vclIncluding(`${dir}/cachewise.vcl`) + "sub vcl_synth { call cachewise_synth; }\n",
      files: {
        "cachewise.vcl": generateVcl(options, { snippet: true, purgeFrom: ["10.0.0.0/8", "::1"] }),
      },
    }));
    assert.ok(snippet.ok, snippet.output);
  });

  it("passes nginx -t, complete and as a snippet with the location docs/purge.md shows", {
    timeout: 60_000,
  }, (t) => {
    const nginx = findBinary("nginx");
    if (nginx === null) return t.skip("nginx not installed");
    if (!existsSync(DEBIAN_PURGE_MODULE)) return t.skip(`${DEBIAN_PURGE_MODULE} is absent`);
    const complete = validateNginx(nginx, (dir) => ({
      main: generateNginx(options, {
        ...NGINX_SETTINGS,
        cacheDir: `${dir}/cache`,
        purgeFrom: ["127.0.0.1"],
      }),
    }));
    assert.ok(complete.ok, complete.output);
    const docs = parseCodeBlocks(
      readFileSync(new URL("../docs/purge.md", import.meta.url), "utf8"),
    );
    const location = docs.find((block) => block.lang === "nginx")!.text
      .replace(
        "# ... proxy_pass and the rest of your location",
        "proxy_pass http://127.0.0.1:8080;",
      );
    const snippet = validateNginx(nginx, (dir) => ({
      main: [
        `load_module ${DEBIAN_PURGE_MODULE};`,
        "pid nginx.pid;",
        "events { worker_connections 64; }",
        "http {",
        `  include ${dir}/cachewise.conf;`,
        `  server { listen 127.0.0.1:8000;\n${location}  }`,
        "}",
      ].join("\n"),
      files: {
        "cachewise.conf": generateNginx(options, {
          snippet: true,
          cacheDir: `${dir}/cache`,
          purgeFrom: ["127.0.0.1"],
        }),
      },
    }));
    assert.ok(snippet.ok, snippet.output);
  });
});

describe("cachewise purge", () => {
  const TOKEN = "cli-cloudflare-token-7f3a9c";
  const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
  let server: LocalServer;
  let answer = json(200, { success: true, errors: [], messages: [], result: { id: ZONE } });
  before(async () => {
    server = await startServer((request) =>
      request.headers["authorization"] === `Bearer ${TOKEN}`
        ? answer
        : json(401, { success: false })
    );
  });
  after(() => server.close());

  it("--help names the command line and every environment variable it reads", async () => {
    const result = await run(["purge", "--help"]);
    assert.equal(result.status, 0);
    for (
      const name of [
        "--tag",
        "--url",
        "--varnish",
        "--nginx",
        "--cdn",
        "--json",
        "CLOUDFLARE_API_TOKEN",
        "FASTLY_API_TOKEN",
        "NETLIFY_AUTH_TOKEN",
        "AKAMAI_CLIENT_SECRET",
        "VERCEL_TOKEN",
      ]
    ) assert.ok(result.stdout.includes(name), name);
    assert.match((await run(["--help"])).stdout, /cachewise purge/);
  });

  it("refuses a command line it cannot use, with exit status 2", async () => {
    const cases: [string[], RegExp][] = [
      [["purge", "--tag", "a"], /Name a cache/],
      [["purge", "--tag", "a", "--cdn", "akamia"], /Unknown --cdn "akamia"/],
      [["purge", "--tag", "a", "--cdn", "deno-deploy"], /only inside the deployment/],
      [
        ["purge", "--tag", "a b", "--varnish", "http://127.0.0.1:9"],
        /holds characters cachewise never writes/,
      ],
      [["purge", "--tag", "a", "--varnish", "http://127.0.0.1:9", "--timeout", "0"], /--timeout/],
      [["purge", "--varnish", "http://127.0.0.1:9"], /nothing to purge/],
      [["purge", "--tag", "a", "--varnish", "127.0.0.1:6081"], /is not a URL/],
    ];
    for (const [args, message] of cases) {
      const result = await run(args);
      assert.equal(result.status, 2, args.join(" "));
      assert.match(result.stderr, message);
    }
  });

  it("reads a CDN's credentials from the environment, names what is missing, and never prints them", async () => {
    const env = process.env;
    const base = { CLOUDFLARE_ZONE_ID: ZONE, CLOUDFLARE_API_BASE: `${server.url}/client/v4` };
    Object.assign(env, base);
    try {
      const missing = await run(["purge", "--tag", "a", "--cdn", "cloudflare"]);
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /CLOUDFLARE_API_TOKEN/);
      env.CLOUDFLARE_API_TOKEN = TOKEN;
      const ok = await run(["purge", "--tag", "a", "--cdn", "cloudflare"]);
      assert.equal(ok.status, 0, ok.stdout);
      assert.match(
        ok.stdout,
        /cloudflare +cloudflare zone 023e105f4ecef8ad9ca31a8372d0c353 +purged +1 +purge /,
      );
      answer = json(400, { success: false, errors: [{ code: 1, message: `rejected ${TOKEN}` }] });
      const echoed = await run(["purge", "--tag", "a", "--cdn", "cloudflare", "--json"]);
      assert.equal(echoed.status, 1);
      assert.match(echoed.stdout, /rejected \[redacted\]/);
      assert.doesNotMatch(echoed.stdout + echoed.stderr, new RegExp(TOKEN));
    } finally {
      for (const name of [...Object.keys(base), "CLOUDFLARE_API_TOKEN"]) delete env[name];
    }
  });
});
