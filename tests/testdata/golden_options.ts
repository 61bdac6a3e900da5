/**
 * The example configuration behind the golden files of the proxy generators, also loaded by the
 * command line tests as a module config (its default export). Every class of route appears: a
 * host rule, a regexp group, a lifetime of 0, a custom policy, a key cookie.
 */

import type { CacheHeadersOptions } from "../../mod.ts";

const options: CacheHeadersOptions = {
  timeouts: {
    "all-users": { "1h": ["/static/*", "/about"], 0: ["/static/live/*"] },
    "anonymous-only": { "5m": ["/", "/news/*"] },
    "anonymous-and-authenticated": { "10m": ["/products/:id(\\d+)"] },
    "per-user": { 60: ["/account/*", { hostname: "shop.example.com", pathname: "/cart" }] },
    "special": { 30: ["/special/*"] },
  },
  policies: {
    special: ({ lifetime }) => ({ cacheControl: { maxAge: lifetime, sMaxage: lifetime } }),
  },
  keyed: { sessionCookie: "sessionid", keyCookies: ["messages"] },
};

export default options;

const { keyed: _keyed, ...withoutKeyed } = options;

/** The same rules in the default mode. */
export const defaultModeOptions: CacheHeadersOptions = withoutKeyed;

/** What the golden files are generated with. */
export const SETTINGS = {
  backend: "127.0.0.1:8080",
  listen: "8000",
  cacheDir: "/var/cache/cachewise",
} as const;
