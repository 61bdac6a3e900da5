/**
 * The application behind the proxies in the purge tests: a `node:http` server (so the tests run
 * under Deno, Bun and Node alike) wrapped by `cacheHeadersForNode()`, which writes the real
 * headers and tags. Every page says in `X-Backend-Count` how many times the backend served that
 * path, and the identity is the `sessionid` cookie's value (a test app: the session is the user).
 * Also: a client that asks through a proxy as a visitor and reports hit or miss.
 */

import { createServer } from "node:http";
import type { CacheHeadersOptions } from "../../mod.ts";
import { cacheHeadersForNode } from "../../src/adapters/node.ts";
import { runCli } from "../../src/cli/run.ts";

/** Default mode, tags in `xkey`: tagged, untagged, percent-encoded and stale-while-revalidate pages. */
export const TAGGED_OPTIONS: CacheHeadersOptions = {
  tagHeaders: ["xkey"],
  rules: [
    { pattern: "/products/:id", policy: "all-users", ttl: "1h", tags: ["product-:id", "products"] },
    { pattern: "/news/:slug", policy: "all-users", ttl: "1h", tags: ["news"] },
    { pattern: "/about", policy: "all-users", ttl: "1h" },
    {
      pattern: "/live/:x",
      policy: "all-users",
      ttl: "1h",
      staleWhileRevalidate: "1h",
      tags: ["live"],
    },
  ],
};

/** Keyed mode: a per-user page and a page with an anonymous and a signed-in variant. */
export const KEYED_OPTIONS: CacheHeadersOptions = {
  keyed: {
    sessionCookie: "sessionid",
    signInCookieAttributes: { path: "/", secure: false, httpOnly: true, sameSite: "Lax" },
  },
  rules: [
    { pattern: "/account/*", policy: "per-user", ttl: "10m" },
    { pattern: "/products/:id", policy: "anonymous-and-authenticated", ttl: "10m" },
  ],
};

/** A running app. */
export interface PurgeApp {
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts the app on 127.0.0.1 with the given rules. */
export function startPurgeApp(options: CacheHeadersOptions): Promise<PurgeApp> {
  const counts = new Map<string, number>();
  const listener = cacheHeadersForNode((request: Request) => {
    const path = new URL(request.url).pathname;
    const count = (counts.get(path) ?? 0) + 1;
    counts.set(path, count);
    return new Response(`${path} #${count}\n`, {
      headers: { "content-type": "text/plain", "x-backend-count": String(count) },
    });
  }, {
    ...options,
    identify: (request: Request) => {
      const id = /(?:^|;\s*)sessionid=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
      return id === undefined ? null : { id };
    },
  });
  const server = createServer((req, res) => void listener(req, res));
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      resolve({
        port,
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Who asks: nobody signed in, or a user with the session cookie and the sign-in marker. */
export type Visitor = "anonymous" | `user:${string}`;

/** What a visit through the proxy gave. */
export interface Seen {
  readonly cache: string | null;
  readonly count: number;
  readonly body: string;
}

/** GETs `path` through the proxy at `origin` as `visitor`. */
export async function visit(
  origin: string,
  path: string,
  visitor: Visitor = "anonymous",
): Promise<Seen> {
  const headers: Record<string, string> = {};
  if (visitor !== "anonymous") {
    headers.cookie = `sessionid=${visitor.slice(5)}; isauthenticated=1`;
  }
  const response = await fetch(origin + path, { headers });
  const body = await response.text();
  return {
    cache: response.headers.get("x-cachewise-cache"),
    count: Number(response.headers.get("x-backend-count")),
    body,
  };
}

/** Visits until the page is cached (a hit), and returns what the cache holds. */
export async function cached(
  origin: string,
  path: string,
  visitor: Visitor = "anonymous",
): Promise<Seen> {
  await visit(origin, path, visitor);
  return await visit(origin, path, visitor);
}

/** Runs the command line in this process and returns its exit status and what it wrote. */
export async function runCommand(
  args: readonly string[],
): Promise<{ status: number; stdout: string; stderr: string }> {
  const written = { stdout: "", stderr: "" };
  const stream = (name: "stdout" | "stderr") => ({
    write: (text: string) => written[name] += text,
  });
  const status = await runCli(args, { stdout: stream("stdout"), stderr: stream("stderr") });
  return { status, ...written };
}
