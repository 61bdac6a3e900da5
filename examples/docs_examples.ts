/**
 * The configurations README.md and docs/ show. Each `#region` is copied into the documentation
 * verbatim (the import specifiers spelt as a user writes them), and the tables and outputs next
 * to it are computed from the same objects (tests/_doc_outputs.ts); tests/docs_test.ts fails when
 * the documentation and these disagree, and `npm run docs` rewrites it.
 *
 * @module
 */

// #region quick-start-config
import type { CacheHeadersOptions } from "../mod.ts";

export default {
  browserSeconds: 5, // browsers ask again after this (the default)
  timeouts: { // policy → lifetime → URLPatterns
    "all-users": { "1h": ["/static/*", "/about"] },
    "anonymous-only": { "5m": ["/", "/news/*"] },
    "anonymous-and-authenticated": { "10m": ["/products/:id"] },
    "per-user": { "1m": ["/dashboard/*"] },
  },
} satisfies CacheHeadersOptions;
// #endregion

// #region rules-example
import { cacheHeaders } from "../mod.ts";

const apply = cacheHeaders({
  targets: ["s-maxage", "x-accel-expires", "cdn-cache-control"],
  tagHeaders: ["surrogate-key"],
  rules: [
    {
      patterns: ["/static/*", "/fonts/*"],
      policy: "all-users",
      ttl: "365d",
      browserSeconds: "365d",
      immutable: true,
    },
    {
      pattern: "/products/:id",
      policy: "all-users",
      ttl: "10m",
      staleWhileRevalidate: "1m",
      staleIfError: "1d",
      statuses: { 404: "1m", 410: "1m" },
      tags: ["product-:id", "products"],
      targets: { "cdn-cache-control": "1h" },
    },
    { pattern: "/news/*", policy: "anonymous-only", ttl: "5m", tags: ["news"] },
  ],
});
// #endregion

// #region carve-out-config
const carveOuts = {
  timeouts: {
    "per-user": { "1m": ["/account/*"] },
  },
  rules: [
    // A public page inside the account area: the same for everybody, and meant to be.
    { pattern: "/account/help", policy: "all-users", ttl: "1h", carveOut: true },
  ],
};
// #endregion

// #region config-error
const misspelt = {
  browserSecond: 5,
  timeouts: {
    "per-usr": { 60: ["/account/*"] },
    "per-user": { "600, public": ["/orders/*"] },
  },
};
// #endregion

export { apply as rulesApply, carveOuts, misspelt };
