/**
 * Reads what `purge()` is asked to invalidate: tags exactly as written on the responses, URLs in
 * the form clients send them, Cloudflare-style prefixes. A malformed request is a programmer's
 * mistake and throws one `TypeError` naming every problem; nothing here touches the network.
 *
 * @module
 */

import { isCacheTag } from "../headers/tags.ts";
import type { PurgeRequest, PurgeUrl, PurgeWork } from "./types.ts";

/** Control characters and spaces: the URL parser would silently drop or encode them. */
const UNSAFE = /[\p{Cc} ]/u;
const PLACEHOLDER = "cachewise-path.invalid";
/** A Cloudflare prefix: a host name, then an optional path. */
const PREFIX = /^([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(\/[^\s]*)?$/;

/**
 * Checks and normalises a purge request. Tags must be in the cachewise tag set (they are sent
 * unchanged, as written on the response); URLs are absolute `http(s)` URLs or paths; each list is
 * deduplicated, order kept.
 *
 * @throws {TypeError} Listing every problem, when the request is malformed or empty.
 *
 * @example
 * ```ts
 * import { readPurgeRequest } from "./input.ts";
 * import assert from "node:assert/strict";
 *
 * const work = readPurgeRequest({ tags: ["product-caf%C3%A9"], urls: ["/news/today?page=2"] });
 * assert.deepEqual(work.tags, ["product-caf%C3%A9"]);
 * assert.deepEqual(work.urls, [{ path: "/news/today?page=2" }]);
 * assert.throws(() => readPurgeRequest({ tags: ["product-café"] }), TypeError);
 * ```
 */
export function readPurgeRequest(request: PurgeRequest): PurgeWork {
  if (typeof request !== "object" || request === null) {
    throw new TypeError("purge() needs { tags, urls, prefixes } as its first argument");
  }
  const problems: string[] = [];
  const tags = readList(request.tags, "tags", problems, readTag).map((item) => item.tag);
  const urls = readList(request.urls, "urls", problems, readUrl);
  const prefixes = readList(request.prefixes, "prefixes", problems, readPrefix)
    .map((item) => item.prefix);
  if (problems.length === 0 && tags.length + urls.length + prefixes.length === 0) {
    problems.push("nothing to purge: give tags, urls or prefixes");
  }
  if (problems.length > 0) {
    throw new TypeError(`Cannot purge: ${problems.join("; ")}`);
  }
  const seen = new Set<string>();
  const uniqueUrls = urls.filter((url) => {
    const key = `${url.origin ?? ""}${url.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { tags: [...new Set(tags)], urls: uniqueUrls, prefixes: [...new Set(prefixes)] };
}

function readList<T>(
  value: unknown,
  name: string,
  problems: string[],
  read: (item: unknown, at: string) => T | string,
): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(`${name} must be an array, not ${describe(value)}`);
    return [];
  }
  const items: T[] = [];
  value.forEach((item: unknown, index) => {
    const result = read(item, `${name}[${index}]`);
    if (typeof result === "string") problems.push(result);
    else items.push(result);
  });
  return items;
}

function readTag(item: unknown, at: string): { tag: string } | string {
  if (typeof item !== "string" || item === "") return `${at} must be a non-empty string`;
  if (!isCacheTag(item)) {
    return `tag ${JSON.stringify(item)} at ${at} holds characters cachewise never writes in a ` +
      `tag; pass it as written on the response (A-Z a-z 0-9 . _ ~ % -, the rest percent-encoded)`;
  }
  return { tag: item };
}

function readUrl(item: unknown, at: string): PurgeUrl | string {
  const text = item instanceof URL ? item.href : item;
  if (typeof text !== "string" || text === "") return `${at} must be a URL or a path`;
  if (UNSAFE.test(text)) {
    return `${at} ${JSON.stringify(text)} holds a space or a control character`;
  }
  if (text.startsWith("/")) {
    if (text.startsWith("//")) return `${at} ${JSON.stringify(text)} must start with a single /`;
    const url = new URL(text, `http://${PLACEHOLDER}`);
    if (url.host !== PLACEHOLDER) return `${at} ${JSON.stringify(text)} is not a path`;
    return { path: url.pathname + url.search };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${at} ${JSON.stringify(text)} is neither an absolute URL nor a path`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `${at} ${JSON.stringify(text)} must be an http or https URL`;
  }
  if (url.username !== "" || url.password !== "") {
    return `${at} must not hold a user name or password`;
  }
  return {
    path: url.pathname + url.search,
    origin: url.origin,
    host: url.hostname,
    scheme: url.protocol === "https:" ? "https" : "http",
  };
}

function readPrefix(item: unknown, at: string): { prefix: string } | string {
  if (typeof item !== "string" || item === "") return `${at} must be a non-empty string`;
  const text = item.replace(/^https?:\/\//i, "");
  const match = UNSAFE.test(text) ? null : PREFIX.exec(text);
  if (match === null) {
    return `prefix ${JSON.stringify(item)} at ${at} must be host/path, such as ` +
      `"www.example.com/blog/"`;
  }
  return { prefix: match[1]!.toLowerCase() + (match[2] ?? "") };
}

function describe(value: unknown): string {
  return value === null ? "null" : typeof value === "string" ? JSON.stringify(value) : typeof value;
}
