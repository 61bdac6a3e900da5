/**
 * Cache tag headers: the header each CDN or Varnish reads tags (purge keys) from, its separator
 * and limits, and the one function that writes tags into them. The tags themselves come from a
 * rule's templates and the URL alone (`decide/tag_templates.ts`), never from identity.
 *
 * Every tag is made of `A-Z a-z 0-9 - . _ ~ %` only, a set that all four vendors accept and that
 * holds none of their separators: Akamai's `Edge-Cache-Tag` is the strictest (RFC 7230 token
 * characters, and it refuses `:`, `/`, `*`, `,` and space), Cloudflare refuses spaces and splits on
 * commas, Fastly splits on spaces, xkey on spaces and commas.
 *
 * @module
 */

/**
 * Vendor header names, lower-case, as configured by users in option `tagHeaders`.
 *
 * @example
 * ```ts
 * import type { TagHeaderName } from "./tags.ts";
 *
 * const headers: TagHeaderName[] = ["surrogate-key", "cache-tag"];
 * ```
 */
export type TagHeaderName =
  | "surrogate-key"
  | "cache-tag"
  | "edge-cache-tag"
  | "xkey"
  | "netlify-cache-tag"
  | "vercel-cache-tag"
  | "deno-cache-tag";

/**
 * How one vendor reads its tag header.
 *
 * @example
 * ```ts
 * import { TAG_HEADER_FORMATS, type TagHeaderFormat } from "./tags.ts";
 * import assert from "node:assert/strict";
 *
 * const akamai: TagHeaderFormat = TAG_HEADER_FORMATS["edge-cache-tag"];
 * assert.equal(akamai.maxTags, 128);
 * ```
 */
export interface TagHeaderFormat {
  /** The header name as written on the wire, such as `"Surrogate-Key"`. */
  readonly header: string;
  /** What separates two tags in the value (`" "` or `","`). */
  readonly separator: string;
  /** The longest tag the vendor accepts, in bytes (tags are ASCII). */
  readonly maxTagLength: number;
  /** The longest header value the vendor accepts, separators included, in bytes. */
  readonly maxHeaderLength: number;
  /** The most tags the vendor accepts on one response; `Infinity` where it documents no count. */
  readonly maxTags: number;
}

/**
 * Each vendor's header, separator and limits.
 *
 * Sources (November 2026):
 * - Fastly, https://www.fastly.com/documentation/reference/http/http-headers/Surrogate-Key/
 *   "Limitations": keys are space separated, each at most 1024 bytes, the header at most 16,384
 *   bytes (later keys are ignored); no limit on the count.
 * - Cloudflare, https://developers.cloudflare.com/cache/how-to/purge-cache/purge-by-tags/:
 *   comma separated, no spaces in tags; "the aggregate Cache-Tag HTTP header cannot exceed 16 KB
 *   after the header field name, which is approximately 1,000 unique tags". Taken as 16,000 bytes
 *   and 1,000 tags. Individual tags have no documented maximum: 1024 is our conservative choice.
 * - Akamai, https://techdocs.akamai.com/purge-cache/docs/assign-cache-tags and
 *   https://techdocs.akamai.com/purge-cache/docs/purge-content-cache-tag: one header of up to 128
 *   comma-delimited tags, each at most 128 characters. No length is documented for the header
 *   itself (it is refused as HDR2BIG when too long), only that Akamai's default limit on all
 *   reply headers together is 8192 bytes: we keep the tags to half of that, 4096.
 * - Varnish xkey, vmod_xkey(3): keys separated by spaces (and, in newer releases, commas); no
 *   limit documented. varnishd's `http_resp_hdr_len` (default 8k) bounds every backend response
 *   header line, name included: we keep the value to 8000 bytes, and each key to 1024 as Fastly.
 * - Netlify, https://docs.netlify.com/build/caching/caching-overview/ ("Cache tags"):
 *   `Netlify-Cache-Tag`, comma separated. No limits are documented: we keep Cloudflare's
 *   (1024 per tag, 16,000 bytes, 1,000 tags), the closest documented peer.
 * - Vercel, https://vercel.com/changelog/tag-based-cache-invalidation-now-available-for-all-responses:
 *   `Vercel-Cache-Tag`, comma separated, read and stripped by the CDN. No limits are documented
 *   there: we keep Cloudflare's, as for Netlify.
 * - Deno Deploy, https://docs.deno.com/deploy/reference/caching ("Deno-Cache-Tag"): comma
 *   separated, at most 1024 characters a tag and 500 tags a response; no header length is
 *   documented: we keep 16,000 bytes.
 *
 * @example
 * ```ts
 * import { TAG_HEADER_FORMATS } from "./tags.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(TAG_HEADER_FORMATS["surrogate-key"].separator, " ");
 * assert.equal(TAG_HEADER_FORMATS["cache-tag"].header, "Cache-Tag");
 * ```
 */
export const TAG_HEADER_FORMATS: Readonly<Record<TagHeaderName, TagHeaderFormat>> = Object.freeze({
  "surrogate-key": defineFormat("Surrogate-Key", " ", 1024, 16384, Infinity),
  "cache-tag": defineFormat("Cache-Tag", ",", 1024, 16000, 1000),
  "edge-cache-tag": defineFormat("Edge-Cache-Tag", ",", 128, 4096, 128),
  "xkey": defineFormat("xkey", " ", 1024, 8000, Infinity),
  "netlify-cache-tag": defineFormat("Netlify-Cache-Tag", ",", 1024, 16000, 1000),
  "vercel-cache-tag": defineFormat("Vercel-Cache-Tag", ",", 1024, 16000, 1000),
  "deno-cache-tag": defineFormat("Deno-Cache-Tag", ",", 1024, 16000, 500),
});

function defineFormat(
  header: string,
  separator: string,
  maxTagLength: number,
  maxHeaderLength: number,
  maxTags: number,
): TagHeaderFormat {
  return Object.freeze({ header, separator, maxTagLength, maxHeaderLength, maxTags });
}

/** Whether a lower-case string names a tag header. */
export function isTagHeaderName(name: string): name is TagHeaderName {
  return Object.prototype.hasOwnProperty.call(TAG_HEADER_FORMATS, name);
}

const TAG = /^[A-Za-z0-9._~%-]+$/;

/**
 * Formats tags for each configured header, as `[name, value]` pairs in the order of `headers`.
 * Returns `null` when the tags do not fit a header's limits (too many, one too long, the value
 * too long) or one holds a character outside the tag set; the caller then treats the
 * response as not cacheable, since a shared copy that cannot be purged must not be kept. No tags
 * give no headers.
 *
 * @example
 * ```ts
 * import { formatTagHeaders } from "./tags.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(formatTagHeaders(["product-1", "products"], ["surrogate-key", "cache-tag"]), [
 *   ["Surrogate-Key", "product-1 products"],
 *   ["Cache-Tag", "product-1,products"],
 * ]);
 * assert.equal(formatTagHeaders(["x".repeat(129)], ["edge-cache-tag"]), null);
 * ```
 */
export function formatTagHeaders(
  tags: readonly string[],
  headers: readonly TagHeaderName[],
): readonly (readonly [name: string, value: string])[] | null {
  if (tags.length === 0) return [];
  let longest = 0;
  for (const tag of tags) {
    if (!TAG.test(tag)) return null;
    longest = Math.max(longest, tag.length);
  }
  const fields: (readonly [name: string, value: string])[] = [];
  for (const name of headers) {
    const format = TAG_HEADER_FORMATS[name];
    if (tags.length > format.maxTags || longest > format.maxTagLength) return null;
    const value = tags.join(format.separator);
    if (value.length > format.maxHeaderLength) return null;
    fields.push([format.header, value]);
  }
  return fields;
}

/**
 * Whether `tag` is made of the characters cachewise writes in a tag (`A-Z a-z 0-9 . _ ~ % -`),
 * so that it can be sent to a purge API unchanged, exactly as it was written on the response.
 *
 * @example
 * ```ts
 * import { isCacheTag } from "./tags.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isCacheTag("product-caf%C3%A9"), true);
 * assert.equal(isCacheTag("product-café"), false);
 * ```
 */
export function isCacheTag(tag: string): boolean {
  return TAG.test(tag);
}
