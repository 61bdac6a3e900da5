/**
 * The demo application behind `npm start`: its caching rules, its users, its pages. Tests and
 * docs import these too, so what they show is what the demo runs.
 *
 * @module
 */

import type { CacheHeadersOptions, Identity, Policy } from "../mod.ts";

/**
 * The seed's own custom policy: the page differs only between "special" users and everybody
 * else. It tells the proxy which variant it is (`X-Is-Special-User`) and varies on that header.
 *
 * The seed ran it behind a proxy that set the `X-Is-Special-User` request header from the session
 * (keyed mode). In the default mode cachewise keeps the promise for custom policies too: a
 * signed-in user's page goes out `private`, and every page also varies on `Cookie` and
 * `Authorization`, so only anonymous visitors share a copy.
 */
export const specialPolicy: Policy = ({ identity, lifetime, browserSeconds }) => ({
  cacheControl: { maxAge: Math.min(browserSeconds, lifetime), sMaxage: lifetime },
  vary: ["X-Is-Special-User"],
  headers: { "X-Is-Special-User": identity?.special ? "1" : "0" },
});

/**
 * The demo's rules: every built-in policy, carve-outs both ways and one custom policy.
 *
 * - `all-users`: static files and the about page are the same for everybody, for an hour;
 *   `/dashboard/help` is carved out of the per-user dashboard (more specific pattern wins).
 * - `anonymous-only`: the home page and the news, five minutes, anonymous visitors only.
 * - `anonymous-and-authenticated`: product pages, ten minutes.
 * - `per-user`: the dashboard, one minute.
 * - `special` (custom): `/special`, ten minutes.
 */
export const DEMO_CONFIG: CacheHeadersOptions = {
  browserSeconds: 5,
  timeouts: {
    "all-users": { 3600: ["/static/*", "/about"], "1h": ["/dashboard/help"] },
    "anonymous-only": { "5m": ["/", "/news/*"] },
    "anonymous-and-authenticated": { "10m": ["/products/:id"] },
    "per-user": { 60: ["/dashboard/*"] },
    "special": { "10m": ["/special"] },
  },
  policies: { special: specialPolicy },
};

/** Session cookie values and the users they sign in. */
export const DEMO_SESSIONS: Readonly<Record<string, Identity>> = {
  "s-ann": { id: "ann" },
  "s-bob": { id: "bob", special: true },
};

/** The name of the demo's session cookie. */
export const SESSION_COOKIE = "sessionid";

/** The visitors the demo plays: the `Cookie` header each one sends. */
export const DEMO_VISITORS: readonly { readonly name: string; readonly cookie: string | null }[] = [
  { name: "anonymous", cookie: null },
  { name: "ann", cookie: `${SESSION_COOKIE}=s-ann` },
  { name: "bob", cookie: `${SESSION_COOKIE}=s-bob` },
];

/** The requests the demo makes, once per visitor. */
export const DEMO_REQUESTS: readonly { readonly method: string; readonly path: string }[] = [
  { method: "GET", path: "/" },
  { method: "GET", path: "/about" },
  { method: "GET", path: "/static/app.css" },
  { method: "GET", path: "/news/" },
  { method: "POST", path: "/news/comment" },
  { method: "GET", path: "/products/42" },
  { method: "GET", path: "/dashboard/" },
  { method: "GET", path: "/dashboard/help" },
  { method: "GET", path: "/special" },
  { method: "GET", path: "/login" },
  { method: "GET", path: "/no-such-page" },
];

/** The value of one cookie in a request, or `null`. */
function cookieValue(request: Request, name: string): string | null {
  for (const pair of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...value] = pair.split("=");
    if (key?.trim() === name) return value.join("=").trim();
  }
  return null;
}

/** Who is asking: the user of the `sessionid` cookie, or `null` for an anonymous visitor. */
export function identifyVisitor(request: Request): Identity | null {
  const session = cookieValue(request, SESSION_COOKIE);
  return session !== null && Object.hasOwn(DEMO_SESSIONS, session) ? DEMO_SESSIONS[session]! : null;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "text/html; charset=utf-8");
  const [t, b] = [escapeHtml(title), escapeHtml(body)];
  return new Response(
    `<!doctype html><title>${t}</title><h1>${t}</h1><p>${b}</p>\n`,
    { ...init, headers },
  );
}

/**
 * The demo's pages. It knows nothing about caching: `withCacheHeaders()` adds the headers.
 */
export function demoApp(request: Request): Response {
  const { pathname } = new URL(request.url);
  const user = identifyVisitor(request);
  const name = user?.id ?? "visitor";
  if (request.method === "POST") {
    if (pathname === "/news/comment") return page("Thanks", `Comment saved, ${name}.`);
    return page("Method not allowed", "Only GET here.", { status: 405 });
  }
  if (pathname === "/") return page("Home", "Today's front page.");
  if (pathname === "/about") return page("About", "We sell things.");
  if (pathname === "/login") {
    return page("Signed in", "Welcome back, ann.", {
      headers: { "set-cookie": `${SESSION_COOKIE}=s-ann; Path=/; HttpOnly; SameSite=Lax` },
    });
  }
  if (pathname === "/special") {
    return page("Offers", user?.special ? "Offers for special users." : "Offers for everyone.");
  }
  if (pathname.startsWith("/static/")) {
    return new Response("body { font-family: sans-serif; }\n", {
      headers: { "content-type": "text/css; charset=utf-8" },
    });
  }
  if (pathname.startsWith("/news/")) return page("News", "All the news.");
  const product = /^\/products\/([^/]+)$/.exec(pathname);
  if (product) return page(`Product ${product[1]}`, "In stock.");
  if (pathname === "/dashboard/help") return page("Dashboard help", "How the dashboard works.");
  if (pathname.startsWith("/dashboard/")) {
    return page("Dashboard", user ? `Hello ${name}, your orders.` : "Sign in to see your orders.");
  }
  return page("Not found", `No page at ${pathname}.`, { status: 404 });
}
