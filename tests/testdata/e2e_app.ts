/**
 * The application behind the proxies in the end-to-end suite, and a browser-like client.
 *
 * The app serves `/p/POLICY/STATUS/VARIANT` (variant `plain`, or `cookie` to add a `Set-Cookie`)
 * under a rule per policy, and says in `X-Page-For` and in the body who each page was made for.
 * Every response carries `X-Backend-Count`, the number of times the backend served that path, so a
 * cache hit is visible. Sign-in creates a session (cookie `sessionid`), sign-out deletes it; a
 * request with `Authorization: Bearer NAME` and no session is signed in as NAME.
 */

import { type CacheHeadersOptions, type Identity, withCacheHeaders } from "../../mod.ts";

/** The built-in policies, each with the path prefix its rule covers. */
export const POLICIES = [
  "all-users",
  "anonymous-only",
  "anonymous-and-authenticated",
  "per-user",
] as const;
export type PolicyName = typeof POLICIES[number];

/** The rules of the end-to-end app, in the default mode; `keyed()` adds the keyed mode. */
export const E2E_OPTIONS: CacheHeadersOptions = {
  timeouts: {
    "all-users": { "1h": ["/p/all-users/*"] },
    "anonymous-only": { "5m": ["/p/anonymous-only/*"] },
    "anonymous-and-authenticated": { "10m": ["/p/anonymous-and-authenticated/*"] },
    "per-user": { 60: ["/p/per-user/*"] },
  },
};

/** The same rules in keyed mode, with a marker plain HTTP on loopback can carry. */
export const E2E_KEYED_OPTIONS: CacheHeadersOptions = {
  ...E2E_OPTIONS,
  keyed: {
    sessionCookie: "sessionid",
    keyCookies: ["messages"],
    signInCookieAttributes: { path: "/", secure: false, httpOnly: true, sameSite: "Lax" },
  },
};

/** Who a page of a policy is made for, given who asks. */
export function audienceOf(policy: PolicyName, user: string | null): string {
  if (policy === "all-users") return "everyone";
  if (user === null) return "anonymous";
  return policy === "anonymous-and-authenticated" ? "signed-in" : `user:${user}`;
}

/** A running app. */
export interface App {
  readonly port: number;
  /** How many times the backend served each path. */
  readonly counts: Map<string, number>;
  stop(): Promise<void>;
}

/** Starts the app on 127.0.0.1 with Deno.serve or Bun.serve, whichever runtime this is. */
export function startApp(options: CacheHeadersOptions): Promise<App> {
  const sessions = new Map<string, string>();
  const counts = new Map<string, number>();
  const identify = (request: Request): Identity | null => {
    const id = /(?:^|;\s*)sessionid=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
    const user = id === undefined ? undefined : sessions.get(id);
    if (user !== undefined) return { id: user };
    const bearer = /^Bearer ([a-z]+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    return bearer === undefined ? null : { id: bearer };
  };
  const handler = withCacheHeaders((request: Request): Response => {
    const url = new URL(request.url);
    const count = (counts.get(url.pathname) ?? 0) + 1;
    counts.set(url.pathname, count);
    if (url.pathname === "/signin" && request.method === "POST") {
      const session = crypto.randomUUID();
      sessions.set(session, url.searchParams.get("user") ?? "nobody");
      return redirect(`sessionid=${session}; Path=/; HttpOnly; SameSite=Lax`);
    }
    if (url.pathname === "/signout" && request.method === "POST") {
      const id = /(?:^|;\s*)sessionid=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
      if (id !== undefined) sessions.delete(id);
      return redirect("sessionid=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
    }
    const match = /^\/p\/([a-z-]+)\/(200|404)\/(plain|cookie)$/.exec(url.pathname);
    if (match === null || !(POLICIES as readonly string[]).includes(match[1]!)) {
      return new Response(`welcome #${count}\n`, { headers: { "x-backend-count": String(count) } });
    }
    const policy = match[1] as PolicyName;
    const audience = audienceOf(policy, identify(request)?.id ?? null);
    const headers = new Headers({
      "content-type": "text/plain; charset=utf-8",
      "x-backend-count": String(count),
      "x-page-for": audience,
    });
    if (match[3] === "cookie") {
      headers.append("set-cookie", `visit=${count}; Path=${url.pathname}; Max-Age=600`);
    }
    return new Response(`${policy} page for ${audience} #${count}\n`, {
      status: Number(match[2]),
      headers,
    });
  }, { ...options, identify });
  return serve(handler, counts);
}

/** Serves any fetch handler on 127.0.0.1 (Deno.serve or Bun.serve), counting nothing itself. */
export function serveOnLoopback(handler: (request: Request) => Response): Promise<App> {
  return serve((request) => Promise.resolve(handler(request)), new Map());
}

function redirect(setCookie: string): Response {
  return new Response(null, {
    status: 303,
    headers: { location: "/welcome", "set-cookie": setCookie },
  });
}

type Handler = (request: Request) => Response | Promise<Response>;

function serve(handler: Handler, counts: Map<string, number>): Promise<App> {
  const runtime = globalThis as unknown as {
    Deno?: {
      serve(
        options: { port: number; hostname: string; onListen(): void },
        handler: Handler,
      ): { addr: { port: number }; shutdown(): Promise<void> };
    };
    Bun?: {
      serve(options: { port: number; hostname: string; fetch: Handler }): {
        port: number;
        stop(force?: boolean): Promise<void> | void;
      };
    };
  };
  if (runtime.Deno !== undefined) {
    const server = runtime.Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, handler);
    return Promise.resolve({ port: server.addr.port, counts, stop: () => server.shutdown() });
  }
  if (runtime.Bun !== undefined) {
    const server = runtime.Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: handler });
    return Promise.resolve({
      port: server.port,
      counts,
      stop: async () => await server.stop(true),
    });
  }
  return Promise.reject(new Error("The end-to-end app needs Deno.serve or Bun.serve"));
}

/** What a client saw for one request. */
export interface Visit {
  readonly status: number;
  readonly pageFor: string | null;
  readonly body: string;
  readonly backendCount: string | null;
  readonly headers: Headers;
}

/**
 * A browser-like client: a cookie jar honouring `Path` and `Max-Age=0`, redirects followed.
 * `headers` are sent with every request; a `cookie` there replaces the jar's (a forged cookie
 * that no `Set-Cookie` clears).
 */
export class Browser {
  readonly #origin: string;
  readonly #headers: Record<string, string>;
  readonly #jar = new Map<string, { value: string; path: string }>();

  constructor(origin: string, headers: Record<string, string> = {}) {
    this.#origin = origin;
    this.#headers = headers;
  }

  /** The `Cookie` header this browser sends for a path, or `null`. */
  cookieFor(path: string): string | null {
    const pairs = [...this.#jar].filter(([, cookie]) => path.startsWith(cookie.path))
      .sort(([, a], [, b]) => b.path.length - a.path.length)
      .map(([name, cookie]) => `${name}=${cookie.value}`);
    return pairs.length === 0 ? null : pairs.join("; ");
  }

  async request(method: string, path: string): Promise<Visit> {
    const cookie = this.cookieFor(path);
    const response = await fetch(this.#origin + path, {
      method,
      headers: cookie === null ? this.#headers : { cookie, ...this.#headers },
      redirect: "manual",
    });
    for (const line of response.headers.getSetCookie()) this.#store(line);
    const body = await response.text();
    if (response.status === 303) {
      return await this.request("GET", response.headers.get("location")!);
    }
    return {
      status: response.status,
      pageFor: response.headers.get("x-page-for"),
      body,
      backendCount: response.headers.get("x-backend-count"),
      headers: response.headers,
    };
  }

  #store(line: string): void {
    const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
    const equals = pair.indexOf("=");
    const name = pair.slice(0, equals);
    const value = pair.slice(equals + 1);
    let path = "/";
    let expired = value === "";
    for (const attribute of attributes) {
      const [key = "", setting = ""] = attribute.split("=");
      if (key.toLowerCase() === "path") path = setting;
      if (key.toLowerCase() === "max-age" && Number(setting) <= 0) expired = true;
    }
    if (expired) this.#jar.delete(name);
    else this.#jar.set(name, { value, path });
  }
}
