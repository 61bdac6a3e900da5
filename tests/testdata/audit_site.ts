/**
 * The site `cachewise audit` is proven on: a shop with a home page, a product page, an account
 * page, a stylesheet and a welcome page that sets a cookie, served three ways:
 *
 * - `leaky`: not cachewise. The headers a hurried developer writes: `public, s-maxage` on every
 *   page, per-user ones included, no `Vary`, and `s-maxage` next to `Set-Cookie`.
 * - `default`: the same handler wrapped by `withCacheHeaders()` with {@link AUDIT_RULES}.
 * - `keyed`: the same with {@link AUDIT_KEYED_RULES}, behind the generated proxy configuration.
 *
 * Every body carries a production counter, so each body the site produces is unique, and the site
 * records for whom it made each one: the ground truth the audit's findings are checked against,
 * independent of the audit's own reading.
 */

import { type CacheHeadersOptions, type Identity, withCacheHeaders } from "../../mod.ts";
import { type App, serveOnLoopback } from "./e2e_app.ts";

/** The site's users: session cookie value → user, with the e-mail address their pages show. */
export const USERS = {
  alice: { session: "alice-session", email: "alice@example.com" },
  bob: { session: "bob-session", email: "bob@example.com" },
} as const;
export type User = keyof typeof USERS;

/** The site's rules, default mode. */
export const AUDIT_RULES: CacheHeadersOptions = {
  timeouts: {
    "all-users": { "1h": ["/static/*"], 60: ["/welcome"] },
    "anonymous-only": { "5m": ["/"] },
    "anonymous-and-authenticated": { "10m": ["/products/:id"] },
    "per-user": { 60: ["/account"] },
  },
};

/** The same rules in keyed mode, with a marker cookie plain HTTP on loopback can carry. */
export const AUDIT_KEYED_RULES: CacheHeadersOptions = {
  ...AUDIT_RULES,
  keyed: {
    sessionCookie: "sessionid",
    signInCookieAttributes: { path: "/", secure: false, httpOnly: true, sameSite: "Lax" },
  },
};

/** The paths of the site. */
export const PATHS = ["/static/app.css", "/", "/products/1", "/account", "/welcome"] as const;

/** What the site produced: one entry per body, by its SHA-256. */
export interface Production {
  readonly path: string;
  /** Who the page is for, as the policy of its path says: everyone, anonymous, signed-in, user:NAME. */
  readonly audience: string;
  /** The user whose e-mail address the body shows, if any. */
  readonly shows: User | null;
  /** Whether the response set a cookie. */
  readonly setCookie: boolean;
}

/** A running site. */
export interface Site extends App {
  /** Every body produced, by digest. */
  readonly produced: Map<string, Production>;
}

/** Starts the site in one of its three forms on 127.0.0.1 (Deno.serve or Bun.serve). */
export async function startSite(form: "leaky" | "default" | "keyed"): Promise<Site> {
  const produced = new Map<string, Production>();
  let count = 0;
  const page = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    const user = userOf(request);
    count += 1;
    const made = render(path, user, count);
    if (made === null) return new Response("not found\n", { status: 404 });
    const headers = new Headers({ "content-type": "text/plain; charset=utf-8" });
    if (path === "/welcome") headers.append("set-cookie", `visitor=v${count}; Path=/`);
    if (form === "leaky") headers.set("cache-control", LEAKY_CACHE_CONTROL[path]!);
    const body = new TextEncoder().encode(made.body);
    produced.set(await sha256(body), {
      path,
      audience: made.audience,
      shows: made.shows,
      setCookie: path === "/welcome",
    });
    return new Response(body, { headers });
  };
  const handler = form === "leaky" ? page : withCacheHeaders(page, {
    ...(form === "keyed" ? AUDIT_KEYED_RULES : AUDIT_RULES),
    identify: (request: Request): Identity | null => {
      const user = userOf(request);
      return user === null ? null : { id: user };
    },
  });
  // serveOnLoopback resolves whatever the handler returns (as tests/e2e_rule_settings_test.ts uses).
  const app = await serveOnLoopback(handler as unknown as (request: Request) => Response);
  return { ...app, produced };
}

/** What a hurried developer writes: shareable everywhere, nothing varies. */
const LEAKY_CACHE_CONTROL: Readonly<Record<string, string>> = {
  "/static/app.css": "public, max-age=3600",
  "/": "public, s-maxage=300",
  "/products/1": "public, s-maxage=600",
  "/account": "public, s-maxage=60",
  "/welcome": "public, s-maxage=60",
};

function render(
  path: string,
  user: User | null,
  count: number,
): { body: string; audience: string; shows: User | null } | null {
  const email = user === null ? null : USERS[user].email;
  switch (path) {
    case "/static/app.css":
      return { body: `body { color: #333 } /* ${count} */\n`, audience: "everyone", shows: null };
    case "/":
      return email === null
        ? { body: `Welcome, visitor #${count}\n`, audience: "anonymous", shows: null }
        : { body: `Welcome back, ${email} #${count}\n`, audience: `user:${user}`, shows: user };
    case "/products/1":
      return user === null
        ? { body: `Teapot: sign in to buy #${count}\n`, audience: "anonymous", shows: null }
        : { body: `Teapot: add to cart #${count}\n`, audience: "signed-in", shows: null };
    case "/account":
      return email === null
        ? { body: `Please sign in #${count}\n`, audience: "anonymous", shows: null }
        : { body: `Account of ${email} #${count}\n`, audience: `user:${user}`, shows: user };
    case "/welcome":
      return { body: `Hello #${count}\n`, audience: "everyone", shows: null };
    default:
      return null;
  }
}

function userOf(request: Request): User | null {
  const session = /(?:^|;\s*)sessionid=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
  for (const [name, user] of Object.entries(USERS)) {
    if (user.session === session) return name as User;
  }
  return null;
}

/** SHA-256 of bytes, hex: written here again so the truth does not lean on the audit's code. */
export async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The audience a visitor of the site belongs to on a path, by the site's own policies. */
export function audienceOn(path: string, visitor: string): string {
  const user = visitor in USERS ? visitor : null;
  if (path === "/static/app.css" || path === "/welcome") return "everyone";
  if (user === null) return "anonymous";
  return path === "/products/1" ? "signed-in" : `user:${user}`;
}
