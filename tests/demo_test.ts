/** The demo behind `npm start`: its table, its headers in process, and the real thing on Deno and Bun. */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { cacheHeaders, withCacheHeaders } from "../mod.ts";
import {
  DEMO_CONFIG,
  DEMO_REQUESTS,
  DEMO_VISITORS,
  demoApp,
  identifyVisitor,
} from "../examples/demo_config.ts";
import { DEMO_LEGEND, type DemoRow, formatDemoTable, whyOf } from "../examples/demo_table.ts";

/** The parts of Deno and Bun these tests use, typed here so every runtime's checker accepts them. */
interface DenoLike {
  execPath(): string;
  Command: new (command: string, options: { args: string[]; cwd: string }) => {
    output(): Promise<{ code: number; stdout: Uint8Array; stderr: Uint8Array }>;
  };
}
interface BunLike {
  serve(options: {
    hostname: string;
    port: number;
    fetch: (request: Request) => Response | Promise<Response>;
  }): { readonly port: number; stop(closeActiveConnections?: boolean): unknown };
}
const runtime = globalThis as unknown as { Deno?: DenoLike; Bun?: BunLike };
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const VARY = "Cookie, Authorization";

function row(overrides: Partial<DemoRow>): DemoRow {
  return {
    request: "GET /",
    visitor: "anonymous",
    status: 200,
    cacheControl: "max-age=5, s-maxage=300",
    vary: VARY,
    accelExpires: "300",
    shared: true,
    why: 'rule anonymous-only 300s "/"',
    ...overrides,
  };
}

describe("formatDemoTable", () => {
  test("groups rows by request, aligns columns and puts a shared why on the group line", () => {
    const table = formatDemoTable([
      row({}),
      row({
        visitor: "ann",
        cacheControl: "private, no-cache",
        accelExpires: null,
        shared: false,
      }),
      row({
        request: "POST /news/comment",
        cacheControl: "private, no-cache",
        vary: null,
        accelExpires: null,
        shared: false,
        why: "method",
      }),
    ]);
    assert.equal(
      table,
      [
        "  visitor    status  Cache-Control            Vary                   X-Accel-Expires  cache",
        "-----------  ------  -----------------------  ---------------------  ---------------  -------",
        'GET /  why: rule anonymous-only 300s "/"',
        "  anonymous  200     max-age=5, s-maxage=300  Cookie, Authorization  300              shared",
        "  ann        200     private, no-cache        Cookie, Authorization  -                private",
        "POST /news/comment  why: method",
        "  anonymous  200     private, no-cache        -                      -                private",
        "",
      ].join("\n"),
    );
  });

  test("puts why on each row when the visitors of one request differ", () => {
    const table = formatDemoTable([
      row({ why: "rule a 1s" }),
      row({ visitor: "ann", why: "error", cacheControl: null, shared: false }),
    ]);
    const lines = table.split("\n");
    assert.equal(lines[2], "GET /");
    assert.match(lines[3]!, /^ {2}anonymous .* shared {2}why: rule a 1s$/);
    assert.match(lines[4]!, /^ {2}ann .* {2}- {2}why: error$/);
  });

  test("widens columns to the longest cell, keeps lines free of trailing spaces", () => {
    const table = formatDemoTable([row({ visitor: "a-visitor-with-a-long-name" })]);
    const [header, rule, , line] = table.split("\n");
    assert.ok(header!.startsWith("  visitor" + " ".repeat(21) + "status"));
    assert.equal(rule!.split("  ")[0], "-".repeat("  a-visitor-with-a-long-name".length));
    assert.ok(line!.startsWith("  a-visitor-with-a-long-name  200"));
    for (const text of table.split("\n")) assert.equal(text, text.trimEnd());
  });

  test("no table line and no legend line is wider than 120 columns for the demo's rows", () => {
    const rows = demoRowsInProcess();
    for (const text of (formatDemoTable(rows) + DEMO_LEGEND).split("\n")) {
      assert.ok(text.length <= 120, `${text.length} columns: ${text}`);
    }
  });
});

describe("whyOf", () => {
  const apply = cacheHeaders(DEMO_CONFIG);
  const why = (path: string, init: RequestInit = {}, response = new Response("x")) =>
    whyOf(apply.explain(new Request("http://demo.test" + path, init), response, null));

  test("names the rule that decided, with its lifetime in seconds and its pattern", () => {
    assert.equal(why("/dashboard/"), 'rule per-user 60s "/dashboard/*"');
    assert.equal(why("/dashboard/help"), 'rule all-users 3600s "/dashboard/help"');
    assert.equal(why("/special"), 'rule special 600s "/special"');
  });

  test("gives the reason when no rule decided", () => {
    assert.equal(why("/nowhere"), "no-rule");
    assert.equal(why("/news/x", { method: "POST" }), "method");
    assert.equal(why("/news/x", {}, new Response("x", { status: 404 })), "status");
    assert.equal(
      why("/news/x", {}, new Response("x", { headers: { "set-cookie": "a=b" } })),
      "set-cookie",
    );
  });
});

/** The demo's rows computed in process, without a server, for any runtime. */
function demoRowsInProcess(): DemoRow[] {
  const apply = cacheHeaders(DEMO_CONFIG);
  return DEMO_REQUESTS.flatMap(({ method, path }) =>
    DEMO_VISITORS.map((visitor) => {
      const request = new Request("http://demo.test" + path, {
        method,
        headers: visitor.cookie === null ? {} : { cookie: visitor.cookie },
      });
      const identity = identifyVisitor(request);
      const decision = apply.explain(request, demoApp(request), identity);
      const response = apply(request, demoApp(request), identity);
      return {
        request: `${method} ${path}`,
        visitor: visitor.name,
        status: response.status,
        cacheControl: response.headers.get("cache-control"),
        vary: response.headers.get("vary"),
        accelExpires: response.headers.get("x-accel-expires"),
        shared: decision.shared,
        why: whyOf(decision),
      };
    })
  );
}

/** What the demo's pages must get, by request and visitor: Cache-Control, Vary, X-Accel-Expires. */
const EXPECTED: Readonly<Record<string, readonly [string, string | null, string | null]>> = {
  "GET /static/app.css|anonymous": ["max-age=5, s-maxage=3600", null, "3600"],
  "GET /static/app.css|ann": ["max-age=5, s-maxage=3600", null, "3600"],
  "GET /dashboard/|anonymous": ["max-age=5, s-maxage=60", VARY, "60"],
  "GET /dashboard/|ann": ["private, max-age=5", VARY, null],
  "GET /dashboard/help|bob": ["max-age=5, s-maxage=3600", null, "3600"],
  "GET /news/|anonymous": ["max-age=5, s-maxage=300", VARY, "300"],
  "GET /news/|ann": ["private, no-cache", VARY, null],
  "GET /products/42|bob": ["private, max-age=5", VARY, null],
  "POST /news/comment|ann": ["private, no-cache", null, null],
  "GET /login|anonymous": ["private, no-cache", null, null],
  "GET /no-such-page|anonymous": ["private, no-cache", null, null],
};

const COOKIES = new Map(DEMO_VISITORS.map((visitor) => [visitor.name, visitor.cookie]));

function requestFor(origin: string, key: string): Request {
  const [request, visitor] = key.split("|") as [string, string];
  const [method, path] = request.split(" ") as [string, string];
  const cookie = COOKIES.get(visitor) ?? null;
  return new Request(origin + path, {
    method,
    headers: cookie === null ? {} : { cookie },
    redirect: "manual",
  });
}

function assertHeaders(key: string, headers: Headers): void {
  const [cacheControl, vary, accelExpires] = EXPECTED[key]!;
  assert.deepEqual(
    [headers.get("cache-control"), headers.get("vary"), headers.get("x-accel-expires")],
    [cacheControl, vary, accelExpires],
    key,
  );
}

test("the demo's wrapped handler gives the expected headers, in process", async () => {
  const handler = withCacheHeaders(demoApp, { ...DEMO_CONFIG, identify: identifyVisitor });
  for (const key of Object.keys(EXPECTED)) {
    assertHeaders(key, (await handler(requestFor("http://demo.test", key))).headers);
  }
  const special = await handler(requestFor("http://demo.test", "GET /special|bob"));
  assert.equal(special.headers.get("x-is-special-user"), "1");
  assert.equal(special.headers.get("vary"), "X-Is-Special-User, Cookie, Authorization");
  assert.equal(special.headers.get("cache-control"), "private, max-age=5");
  assert.match(await special.text(), /special users/);
});

test("on Deno, `deno run --allow-net=127.0.0.1 examples/demo.ts` prints the table and exits 0", {
  skip: runtime.Deno === undefined,
}, async () => {
  const deno = runtime.Deno!;
  const command = new deno.Command(deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1", "examples/demo.ts"],
    cwd: ROOT,
  });
  const { code, stdout, stderr } = await command.output();
  const output = new TextDecoder().decode(stdout);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.match(output, /^cachewise demo: Deno\.serve on http:\/\/127\.0\.0\.1:\d+/);

  // Read the table back: group lines name the request, indented lines are visitors.
  const cells = new Map<string, string[]>();
  let group = "";
  for (const line of output.split("\n")) {
    if (/^(GET|POST) /.test(line)) group = line.split("  ")[0]!;
    else if (group !== "" && line === "") break; // the table ends, the legend begins
    else if (group !== "") {
      const [visitor, ...rest] = line.trim().split(/ {2,}/);
      cells.set(`${group}|${visitor}`, rest);
    }
  }
  assert.equal(cells.size, DEMO_REQUESTS.length * DEMO_VISITORS.length);
  for (const [key, [cacheControl, vary, accelExpires]] of Object.entries(EXPECTED)) {
    const [status, ...headers] = cells.get(key) ?? [];
    assert.deepEqual(
      headers.slice(0, 3),
      [cacheControl, vary ?? "-", accelExpires ?? "-"],
      `${key} (status ${status})`,
    );
  }
  assert.deepEqual(cells.get("GET /no-such-page|bob")?.[0], "404");
  assert.match(output, /GET \/dashboard\/ {2}why: rule per-user 60s "\/dashboard\/\*"/);
  assert.match(output, /POST \/news\/comment {2}why: method/);
  assert.match(output, /GET \/login {2}why: set-cookie/);
  assert.match(output, /GET \/no-such-page {2}why: status/);
  assert.ok(output.includes(DEMO_LEGEND));
});

test("on Bun, Bun.serve with the demo's handler sends the expected headers", {
  skip: runtime.Bun === undefined,
}, async () => {
  const handler = withCacheHeaders(demoApp, { ...DEMO_CONFIG, identify: identifyVisitor });
  const server = runtime.Bun!.serve({ hostname: "127.0.0.1", port: 0, fetch: handler });
  try {
    const origin = `http://127.0.0.1:${server.port}`;
    for (
      const key of ["GET /static/app.css|anonymous", "GET /dashboard/|ann", "GET /news/|ann"]
    ) {
      const response = await fetch(requestFor(origin, key));
      await response.body?.cancel();
      assert.equal(response.status, 200, key);
      assertHeaders(key, response.headers);
    }
  } finally {
    await server.stop(true);
  }
});
