/**
 * A realistic rule set beside the synthetic stress one (bench/_fixtures.ts): 50 rules shaped like
 * a shop's site (static assets, the catalogue and a few sections, a blog, an account area, an
 * API), and request URLs weighted the way such a site's traffic is: the home page, assets and the
 * popular product pages most of the time, the long tail now and then, and some probes for pages
 * that do not exist.
 *
 * @module
 */

import type { RuleOptions } from "../mod.ts";
import { seededRandom } from "./_random.ts";

/** The site's rules, in the ordered form; 50 patterns in all. */
export const SITE_RULES: readonly RuleOptions[] = [
  {
    patterns: ["/assets/*", "/static/*", "/fonts/*", "/images/:file"],
    policy: "all-users",
    ttl: "365d",
    browserSeconds: "365d",
    immutable: true,
  },
  {
    patterns: ["/favicon.ico", "/robots.txt", "/sitemap.xml"],
    policy: "all-users",
    ttl: "1d",
    browserSeconds: "1h",
  },
  { pattern: "/", policy: "anonymous-only", ttl: "5m" },
  {
    patterns: ["/products", "/deals", "/brands/:brand", "/category/:name"],
    policy: "anonymous-only",
    ttl: "5m",
  },
  { pattern: "/category/:name/page/:n(\\d+)", policy: "anonymous-only", ttl: "5m" },
  {
    patterns: [
      "/products/:id(\\d+)",
      "/products/:id(\\d+)/reviews",
      "/products/:id(\\d+)/:slug",
    ],
    policy: "anonymous-only",
    ttl: "10m",
  },
  { pattern: "/search", policy: "anonymous-only", ttl: "1m" },
  { patterns: ["/blog", "/blog/page/:n(\\d+)"], policy: "all-users", ttl: "10m" },
  {
    patterns: ["/blog/:slug", "/blog/tag/:tag"],
    policy: "all-users",
    ttl: "1h",
    staleWhileRevalidate: "5m",
  },
  { pattern: "/news/*", policy: "anonymous-only", ttl: "5m" },
  {
    patterns: ["/help/*", "/docs/*", "/about", "/contact", "/pricing", "/stores/:city"],
    policy: "all-users",
    ttl: "1h",
  },
  { patterns: ["/careers", "/careers/:job"], policy: "all-users", ttl: "1h" },
  { pattern: "/legal/*", policy: "all-users", ttl: "1d" },
  { patterns: ["/account", "/account/*", "/wishlist"], policy: "per-user", ttl: "1m" },
  { pattern: "/account/help", policy: "all-users", ttl: "1h", carveOut: true },
  {
    patterns: ["/orders", "/orders/:id(\\d+)", "/cart", "/checkout/*", "/logout"],
    policy: "per-user",
    ttl: 0,
  },
  { pattern: "/login", policy: "anonymous-only", ttl: "10m" },
  {
    patterns: ["/api/products", "/api/products/:id(\\d+)"],
    policy: "all-users",
    ttl: "1m",
    staleWhileRevalidate: "30s",
  },
  { pattern: "/api/categories/*", policy: "all-users", ttl: "10m" },
  {
    patterns: ["/api/search", "/api/recommendations/:id(\\d+)"],
    policy: "anonymous-and-authenticated",
    ttl: "30s",
  },
  { patterns: ["/api/me", "/api/cart"], policy: "per-user", ttl: 0 },
  { pattern: "/api/v1/*", policy: "anonymous-only", ttl: "1m" },
  { pattern: "/api/health", policy: "all-users", ttl: 0 },
];

const CATEGORIES = [
  "shoes",
  "jackets",
  "shirts",
  "trousers",
  "bags",
  "hats",
  "socks",
  "watches",
  "outdoor",
  "kids",
  "sale",
  "new-in",
];
const POSTS = ["spring-collection", "care-guide", "our-story", "sizing", "shipping-update"];
const ASSETS = [
  "/assets/app.3f9a1c.js",
  "/assets/app.8b2d4e.css",
  "/assets/vendor.c71f0a.js",
  "/fonts/inter-var.woff2",
  "/favicon.ico",
];

/** A popularity rank in [1, n], the low ranks far more often (about Zipf's law). */
function popular(next: () => number, n: number): number {
  return Math.min(n, Math.floor(Math.exp(next() * Math.log(n + 1))));
}

/** The traffic: each kind of page with its share of requests, and how its URL is made. */
const TRAFFIC: readonly (readonly [share: number, url: (next: () => number) => string])[] = [
  [18, (next) => (next() < 0.8 ? "/" : `/?utm_source=news&utm_campaign=${popular(next, 40)}`)],
  [16, (next) => ASSETS[popular(next, ASSETS.length) - 1]!],
  [6, (next) => `/images/p${popular(next, 5_000)}-400.webp`],
  [20, (next) => `/products/${popular(next, 5_000)}`],
  [3, (next) => `/products/${popular(next, 5_000)}/reviews`],
  [2, (next) => `/products/${popular(next, 5_000)}/blue-${popular(next, 9)}`],
  [7, (next) => `/category/${CATEGORIES[popular(next, CATEGORIES.length) - 1]}`],
  [2, (next) => `/category/${CATEGORIES[popular(next, 12) - 1]}/page/${popular(next, 20)}`],
  [4, (next) => `/search?q=${["boots", "rain+jacket", "linen", "gift"][popular(next, 4) - 1]}`],
  [4, (next) => `/blog/${POSTS[popular(next, POSTS.length) - 1]}`],
  [1, () => "/blog"],
  [3, (next) => `/api/products/${popular(next, 5_000)}`],
  [2, (next) => `/api/recommendations/${popular(next, 5_000)}`],
  [1, (next) => `/api/search?q=${popular(next, 300)}`],
  [1, () => "/api/me"],
  [1, () => "/api/cart"],
  [2, (next) => ["/account", "/account/orders", "/account/addresses"][popular(next, 3) - 1]!],
  [1, (next) => (next() < 0.5 ? "/cart" : `/orders/${popular(next, 90_000)}`)],
  [1, (next) => ["/checkout/address", "/checkout/payment"][popular(next, 2) - 1]!],
  [2, (next) => ["/about", "/help/returns", "/deals", "/stores/berlin"][popular(next, 4) - 1]!],
  [1, (next) => ["/login", "/robots.txt", "/sitemap.xml"][popular(next, 3) - 1]!],
  [
    2,
    (next) => ["/wp-login.php", "/.env", `/old-page-${popular(next, 500)}`][popular(next, 3) - 1]!,
  ],
];

/** `count` request URLs of the site's traffic, always the same ones. */
export function siteUrls(count: number): string[] {
  const next = seededRandom(17);
  const total = TRAFFIC.reduce((sum, [share]) => sum + share, 0);
  return Array.from({ length: count }, () => {
    let pick = next() * total;
    for (const [share, url] of TRAFFIC) {
      pick -= share;
      if (pick < 0) return `https://shop.example${url(next)}`;
    }
    return "https://shop.example/";
  });
}
