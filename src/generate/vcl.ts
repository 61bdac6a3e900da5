/**
 * What the generated VCL of Varnish (`varnish.ts`) and Fastly (`fastly.ts`) share: the request
 * side (pass what must not be cached, match the rule in rank order, check the identity cookies,
 * build `X-Cachewise-Key`, the part of the cache key besides the URL) and the `Vary` rewrite of
 * the response side. The two dialects differ only in the statements of {@link VclDialect}, so the
 * logic the real varnishd runs in the end-to-end tests is the logic Fastly gets.
 *
 * @module
 */

import { cookiePresent, PLAIN_COOKIE_HEADER } from "./cookie_regexps.ts";
import { comment, regexpLiteral } from "./escape.ts";
import type { ClassPlan, ProxyPlan } from "./plan.ts";

/** What differs between the VCL dialects on the request side. */
export interface VclDialect {
  /** A string literal: `vclString()` for Varnish, `fastlyString()` for Fastly. */
  readonly string: (value: string) => string;
  /** The statement that joins several `Cookie` lines into one. */
  readonly collectCookies: string;
  /** The statement for a request with `Upgrade`. */
  readonly upgrade: string;
  /** The statement that ends the request side with a cache lookup. */
  readonly lookup: string;
}

const INDENT = "    ";

/**
 * The statements of the request side, unindented: internal headers cleared, requests that must
 * not be cached passed, the rule matched, the identity cookies checked, the key built.
 * `early` runs right after the internal headers are cleared (Varnish's purge endpoint).
 */
export function recvStatements(
  plan: ProxyPlan,
  dialect: VclDialect,
  early: readonly string[] = [],
): string[] {
  return [
    "# Internal headers are ours alone.",
    "unset req.http.X-Cachewise-Class;",
    "unset req.http.X-Cachewise-Key;",
    "unset req.http.X-Cachewise-Path;",
    "unset req.http.X-Cachewise-Target;",
    ...early,
    "# Several Cookie lines become one, as the application reads them.",
    dialect.collectCookies,
    "if (req.http.Upgrade) {",
    dialect.upgrade,
    "}",
    'if (req.method != "GET" && req.method != "HEAD") {',
    "return (pass);",
    "}",
    `if (${plan.credentialHeaders.map((name) => `req.http.${name}`).join(" || ")}) {`,
    "return (pass);",
    "}",
    "# Origin-form targets only, and host names that hold nothing but host name characters.",
    'if (req.url !~ "^/" || req.url ~ "#") {',
    "return (pass);",
    "}",
    'set req.http.X-Cachewise-Host = std.tolower(regsub(req.http.Host, ":[0-9]*$", ""));',
    'if (req.http.X-Cachewise-Host !~ "^[a-z0-9._:\\x5b\\x5d-]*$") {',
    "return (pass);",
    "}",
    'set req.http.X-Cachewise-Path = regsub(req.url, "\\?.*$", "");',
    ...(plan.routes.some((route) => route.host)
      ? ["set req.http.X-Cachewise-Target = req.http.X-Cachewise-Host + req.http.X-Cachewise-Path;"]
      : []),
    "# The rules, most specific first: the first match decides, as in cachewise.",
    ...routeChain(plan, dialect),
    'if (req.http.X-Cachewise-Class == "pass") {',
    "return (pass);",
    "}",
    ...(plan.keyed ? keyedCookieChecks(plan, dialect) : defaultCookieChecks()),
    'set req.http.X-Cachewise-Key = req.http.X-Cachewise-Key + ";" + req.http.X-Cachewise-Host;',
    "unset req.http.X-Cachewise-Host;",
    "unset req.http.X-Cachewise-Path;",
    "unset req.http.X-Cachewise-Target;",
    dialect.lookup,
  ];
}

function routeChain(plan: ProxyPlan, dialect: VclDialect): string[] {
  const lines: string[] = [];
  plan.routes.forEach((route, index) => {
    const subject = route.host ? "req.http.X-Cachewise-Target" : "req.http.X-Cachewise-Path";
    lines.push(
      `${index === 0 ? "if" : "} elsif"} (${subject} ~ ${dialect.string(route.regexp)}) {`,
      `# ${comment(route.describe)}`,
      `set req.http.X-Cachewise-Class = ${dialect.string(route.class)};`,
    );
  });
  if (lines.length > 0) lines.push("} else {");
  lines.push('set req.http.X-Cachewise-Class = "pass";');
  if (plan.routes.length > 0) lines.push("}");
  return lines;
}

function defaultCookieChecks(): string[] {
  return [
    "# Default mode: pages for an audience are served only to requests without cookies.",
    'if (req.http.X-Cachewise-Class != "shared" && req.http.Cookie ~ ".") {',
    "return (pass);",
    "}",
    "set req.http.X-Cachewise-Key = req.http.X-Cachewise-Class;",
  ];
}

function keyedCookieChecks(plan: ProxyPlan, dialect: VclDialect): string[] {
  const session = dialect.string(cookiePresent(plan.sessionCookie!));
  const marker = dialect.string(cookiePresent(plan.signInCookie!));
  const lines = [
    "# Cookies are read only from a header in the plain form every reader splits alike.",
    `if (req.http.Cookie ~ "." && req.http.Cookie !~ ${dialect.string(PLAIN_COOKIE_HEADER)}) {`,
    "return (pass);",
    "}",
    "# Session cookie and sign-in marker disagree: a sign-in or sign-out the application must see.",
    `if (req.http.Cookie ~ ${session}) {`,
    `if (req.http.Cookie !~ ${marker}) {`,
    "return (pass);",
    "}",
    `} elsif (req.http.Cookie ~ ${marker}) {`,
    "return (pass);",
    "}",
  ];
  plan.classes.forEach((plan_, index) => {
    lines.push(
      `${index === 0 ? "if" : "} elsif"} (req.http.X-Cachewise-Class == ${
        dialect.string(plan_.name)
      }) {`,
      ...classKey(plan_, marker, dialect),
    );
  });
  if (plan.classes.length > 0) lines.push("}");
  return lines;
}

/** Statements that build `X-Cachewise-Key` for one class (keyed mode). */
function classKey(plan: ClassPlan, marker: string, dialect: VclDialect): string[] {
  const lines = [`set req.http.X-Cachewise-Key = ${dialect.string(plan.name)};`];
  if (plan.name === "cookieless") {
    lines.unshift('if (req.http.Cookie ~ ".") {', "return (pass);", "}");
    return lines;
  }
  if (plan.name === "anonymous") {
    lines.unshift(`if (req.http.Cookie ~ ${marker}) {`, "return (pass);", "}");
  }
  for (const part of plan.key) {
    const present = dialect.string(cookiePresent(part.cookie));
    const append = 'set req.http.X-Cachewise-Key = req.http.X-Cachewise-Key + ";';
    if (part.kind === "presence") {
      lines.push(
        `if (req.http.Cookie ~ ${present}) {`,
        `${append}1";`,
        "} else {",
        `${append}0";`,
        "}",
      );
      continue;
    }
    const extract = dialect.string(`^(?:.*; )?${regexpLiteral(part.cookie)}=([^;]*).*$`);
    lines.push(
      `# ${comment(part.cookie)}`,
      `if (req.http.Cookie ~ ${present}) {`,
      `${append}=" + regsub(req.http.Cookie, ${extract}, "\\1");`,
      "} else {",
      `${append}";`,
      "}",
    );
  }
  return lines;
}

/**
 * The response side's fail-closed check, per class: `X-Hash-Cookies` must name exactly the cookies
 * the request was keyed on (`uncacheable` otherwise), and where the key covers the cookies,
 * `Vary: Cookie` is kept for clients only. Ends inside the last class's branch: the caller closes
 * the chain.
 */
export function hashCookiesChecks(
  plan: ProxyPlan,
  dialect: VclDialect,
  request: "req" | "bereq",
  uncacheable: readonly string[],
): string[] {
  const lines: string[] = [];
  plan.classes.forEach((class_, index) => {
    const mismatch = class_.hashCookies === ""
      ? "beresp.http.X-Hash-Cookies"
      : `beresp.http.X-Hash-Cookies != ${dialect.string(class_.hashCookies)}`;
    lines.push(
      `${index === 0 ? "if" : "} elsif"} (${request}.http.X-Cachewise-Class == ${
        dialect.string(class_.name)
      }) {`,
      `if (${mismatch}) {`,
      ...uncacheable,
      "}",
    );
    if (class_.coveredVary.some((name) => name.toLowerCase() === "cookie")) {
      lines.push(...varyWithoutCookie());
    }
  });
  return lines;
}

/** Statements that keep `Vary: Cookie` for clients but not for the lookup (the key covers it). */
function varyWithoutCookie(): string[] {
  return [
    "# The key covers the cookies: keep Vary: Cookie for clients, not for the lookup.",
    "if (beresp.http.Vary) {",
    "set beresp.http.X-Cachewise-Vary = beresp.http.Vary;",
    'set beresp.http.Vary = regsuball(beresp.http.Vary, "(?i)(^|,)[ \\t]*cookie[ \\t]*(?=,|$)", "");',
    'set beresp.http.Vary = regsub(beresp.http.Vary, "^[ \\t,]+", "");',
    'if (beresp.http.Vary !~ "[^ \\t,]") {',
    "unset beresp.http.Vary;",
    "}",
    "}",
  ];
}

/**
 * Indents VCL lines by their brace depth.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(indentVcl(["sub a {", "x;", "}"]), ["sub a {", "    x;", "}"]);
 * ```
 */
export function indentVcl(lines: readonly string[]): string[] {
  let depth = 0;
  return lines.map((line) => {
    if (line === "") return line;
    const closes = line.startsWith("}") ? 1 : 0;
    const text = INDENT.repeat(Math.max(0, depth - closes)) + line;
    depth += (line.endsWith("{") ? 1 : 0) - closes;
    return text;
  });
}
