/**
 * What the documentation shows that code can compute: the configurations of
 * examples/docs_examples.ts (copied by `#region`), and the tables, decisions, headers, errors and
 * command output they give. README.md and docs/ hold each between
 * `<!-- generated: NAME -->` and `<!-- end generated -->`; tests/docs_test.ts compares, and
 * `npm run docs` (scripts/update_docs.ts) rewrites them.
 */

import { readFileSync } from "node:fs";
import { cacheHeaders, type CacheHeadersOptions } from "../mod.ts";
import { withDebugHeader } from "../src/adapters/debug.ts";
import { checkOptions, formatFindings } from "../src/cli/check.ts";
import { explainUrl, formatExplanation } from "../src/cli/explain.ts";
import { usage } from "../src/cli/run.ts";
import config, { carveOuts, misspelt, rulesApply } from "../examples/docs_examples.ts";

const EXAMPLES = new URL("../examples/docs_examples.ts", import.meta.url);
const ORIGIN = "https://example.com";
const ANN = { id: "ann" };

/** The subpaths as users import them, by the source file examples import them from. */
const SPECIFIERS: readonly [string, string][] = [
  ['"../mod.ts"', '"cachewise"'],
  ...["hono", "elysia", "node", "workers", "debug", "matrix"].map((name): [string, string] => [
    `"../src/adapters/${name}.ts"`,
    `"cachewise/${name}"`,
  ]),
  ['"../src/generate/mod.ts"', '"cachewise/generate"'],
];

/** The text of a `// #region NAME` of examples/docs_examples.ts, imports spelt for users. */
export function exampleRegion(name: string): string {
  const text = readFileSync(EXAMPLES, "utf8");
  const start = text.indexOf(`// #region ${name}\n`);
  if (start < 0) throw new Error(`No region ${name} in ${EXAMPLES.pathname}`);
  const from = start + `// #region ${name}\n`.length;
  let region = text.slice(from, text.indexOf("// #endregion", from));
  for (const [source, user] of SPECIFIERS) region = region.replaceAll(source, user);
  return region;
}

function fence(lang: string, text: string): string {
  return `\`\`\`${lang}\n${text.endsWith("\n") ? text : `${text}\n`}\`\`\``;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell) => cell.replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const code = (value: string | null) => value === null ? "" : `\`${value}\``;

/** The caching headers one request gets. */
function headersOf(
  options: CacheHeadersOptions,
  path: string,
  identity: { id: string } | null,
  init: { method?: string; status?: number; authorization?: boolean; setCookie?: boolean } = {},
): Headers {
  const request = new Request(ORIGIN + path, {
    method: init.method ?? "GET",
    headers: init.authorization ? { authorization: "Bearer x" } : {},
  });
  const response = new Response("body", {
    status: init.status ?? 200,
    headers: init.setCookie ? { "set-cookie": "a=1" } : {},
  });
  return cacheHeaders(options)(request, response, identity).headers;
}

function routeTable(): string {
  const columns = (headers: Headers) => [
    code(headers.get("cache-control")),
    code(headers.get("vary")),
    code(headers.get("x-accel-expires")),
  ];
  const rows: string[][] = [];
  for (const path of ["/static/app.css", "/news/today", "/products/42", "/dashboard/"]) {
    const anonymous = columns(headersOf(config, path, null));
    const signedIn = columns(headersOf(config, path, ANN));
    if (anonymous.join() === signedIn.join()) rows.push([code(path), "anyone", ...anonymous]);
    else rows.push([code(path), "anonymous", ...anonymous], [code(path), "signed in", ...signedIn]);
  }
  const bearer = columns(headersOf(config, "/dashboard/", null, { authorization: true }));
  rows.push([code("/dashboard/"), "anonymous with `Authorization`", ...bearer]);
  const uncached = [
    headersOf(config, "/unlisted", null),
    headersOf(config, "/unlisted", ANN),
    headersOf(config, "/news/today", null, { method: "POST" }),
    headersOf(config, "/news/today", null, { status: 404 }),
    headersOf(config, "/news/today", null, { setCookie: true }),
  ].map((headers) => columns(headers).join());
  if (new Set(uncached).size !== 1) throw new Error(`Uncached rows differ: ${uncached}`);
  rows.push(
    [code("/unlisted"), "anyone", ...columns(headersOf(config, "/unlisted", null))],
    [
      "any, POST or 404 or `Set-Cookie`",
      "anyone",
      ...columns(headersOf(config, "/unlisted", null)),
    ],
  );
  return table(["route", "visitor", "`Cache-Control`", "`Vary`", "`X-Accel-Expires`"], rows);
}

function rulesTable(): string {
  const NAMES = ["cache-control", "x-accel-expires", "cdn-cache-control", "surrogate-key"];
  const row = (label: string, path: string, identity: { id: string } | null, status = 200) => {
    const request = new Request(ORIGIN + path);
    const response = new Response("body", { status });
    const headers = rulesApply(request, response, identity).headers;
    return [label, ...NAMES.map((name) => code(headers.get(name)))];
  };
  return table(["request", ...NAMES.map((name) => `\`${headerCase(name)}\``)], [
    row("`/static/app.css`", "/static/app.css", null),
    row("`/products/7`", "/products/7", null),
    row("`/products/7`, answered 404", "/products/7", null, 404),
    row("`/news/today`, anonymous", "/news/today", null),
    row("`/news/today`, signed in", "/news/today", ANN),
  ]);
}

function headerCase(name: string): string {
  return name.replace(
    /(^|-)([a-z])/g,
    (_, dash: string, letter: string) => dash + letter.toUpperCase(),
  )
    .replace("Cdn", "CDN");
}

function configError(): string {
  try {
    cacheHeaders(misspelt);
  } catch (error) {
    return fence("text", `${(error as Error).name}: ${(error as Error).message}`);
  }
  throw new Error("the misspelt options compiled");
}

function explainExample(): string {
  const decision = cacheHeaders(config).explain(
    new Request(`${ORIGIN}/products/7`),
    new Response("…"),
    ANN,
  );
  return fence("json", JSON.stringify(decision, null, 2));
}

function debugHeader(): string {
  const apply = withDebugHeader(cacheHeaders(config));
  const page = apply(new Request(`${ORIGIN}/products/7`), new Response("…"), ANN);
  return fence("text", `X-Cachewise: ${page.headers.get("x-cachewise")}`);
}

function checkCarveOut(): string {
  const unmarked = { ...carveOuts, rules: [{ ...carveOuts.rules[0]!, carveOut: false }] };
  return [
    "Without the mark, `cachewise check --strict` fails on it:",
    "",
    fence("text", formatFindings(checkOptions(unmarked), true, false)),
    "",
    "With `carveOut: true` it passes, and says why:",
    "",
    fence("text", formatFindings(checkOptions(carveOuts), true, false)),
  ].join("\n");
}

function cliExplain(): string {
  const settings = {
    url: "http://localhost/products/7",
    user: "ann",
    method: "GET",
    status: 200,
    json: false,
  };
  return fence("text", formatExplanation(explainUrl(config, settings), false));
}

/** Every generated region, by name. */
export const DOC_OUTPUTS: Readonly<Record<string, () => string>> = {
  "quick-start-config": () =>
    fence("ts file=cachewise.config.ts", exampleRegion("quick-start-config")),
  "route-table": routeTable,
  "rules-example": () => fence("ts", exampleRegion("rules-example")),
  "rules-table": rulesTable,
  "carve-out-config": () => fence("ts", exampleRegion("carve-out-config")),
  "check-carve-out": checkCarveOut,
  "config-error": () =>
    [
      fence("ts", exampleRegion("config-error")),
      "",
      "`cacheHeaders(misspelt)` throws:",
      "",
      configError(),
    ]
      .join("\n"),
  "explain-example": explainExample,
  "debug-header": debugHeader,
  "cli-explain": cliExplain,
  "cli-help": () => fence("text", usage()),
};
