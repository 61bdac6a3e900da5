/**
 * A rule's cache tags: compiled against each of its patterns at construction (fixed tags formatted
 * once), and rendered from the URL per request for templates that take a group's value.
 *
 * @module
 */

import type { _ProblemList } from "../config/errors.ts";
import type { NormalisedOptions } from "../config/options.ts";
import type { DeclaredRule } from "../config/rules.ts";
import { formatTagHeaders } from "../headers/tags.ts";
import type { CompiledPattern } from "../match/patterns.ts";
import { type CacheDecision, uncached, withTags } from "./decision.ts";
import type { PlanInput, URLTags } from "./plans.ts";
import { compileTags } from "./tag_templates.ts";

/** A rule's tags compiled against one of its patterns: fixed ones formatted, URL ones kept. */
export type PreparedTags = Pick<PlanInput, "fixedTags" | "fixedTagHeaders" | "urlTags">;

const NO_TAGS: PreparedTags = { fixedTags: [], fixedTagHeaders: [], urlTags: null };
const UNCACHED_TAG_LIMIT = uncached("tag-limit");

/**
 * Compiles a rule's tags against one of its patterns, or records why they cannot be and returns
 * `null`. Tags that do not fit a tag header's limits are a configuration error here; tags that
 * depend on the URL are checked per request by {@link tagsFromURL}.
 */
export function prepareTags(
  declared: DeclaredRule,
  readable: string,
  { urlPattern, shape }: CompiledPattern,
  config: NormalisedOptions,
  problems: _ProblemList,
): PreparedTags | null {
  if (declared.settings.tags === undefined || config.tagHeaders.length === 0) return NO_TAGS;
  const groupNames = new Set<string>();
  for (const parts of Object.values(shape)) {
    for (const part of parts) {
      if (part.name !== "" && !/^\d+$/.test(part.name)) groupNames.add(part.name);
    }
  }
  const tagsPath = `${declared.rulePath}.tags`;
  const tags = compileTags(declared.settings.tags, tagsPath, readable, groupNames, problems);
  if (tags === null) return null;
  const fixedTagHeaders = formatTagHeaders(tags.fixed, config.tagHeaders);
  if (fixedTagHeaders === null) {
    problems.add(
      "invalid-tag",
      tagsPath,
      `Tags at ${tagsPath} do not fit the limits of the tag headers ${
        config.tagHeaders.join(", ")
      }`,
    );
    return null;
  }
  const urlTags: URLTags | null = tags.dynamic
    ? { urlPattern, tags, headers: config.tagHeaders }
    : null;
  return urlTags === null
    ? { fixedTags: tags.fixed, fixedTagHeaders, urlTags }
    : { ...NO_TAGS, urlTags };
}

/**
 * Adds the tags a URL gives to a decision that lets a shared cache keep the page. Tags that do not
 * fit a tag header's limits send the page uncached: a page that cannot be purged is not kept.
 */
export function tagsFromURL(
  decision: CacheDecision,
  urlTags: URLTags,
  url: string,
): CacheDecision {
  const match = urlTags.urlPattern.exec(url);
  if (match === null) return UNCACHED_TAG_LIMIT;
  const tags = urlTags.tags.render((name) => groupValue(match, name));
  const headers = formatTagHeaders(tags, urlTags.headers);
  return headers === null ? UNCACHED_TAG_LIMIT : withTags(decision, tags, headers);
}

/** A named group's value from the first component that defines it. */
function groupValue(match: URLPatternResult, name: string): string | undefined {
  for (const component of TAG_COMPONENTS) {
    const groups = match[component].groups;
    if (Object.hasOwn(groups, name)) return groups[name];
  }
  return undefined;
}

const TAG_COMPONENTS = [
  "pathname",
  "hostname",
  "search",
  "port",
  "protocol",
  "username",
  "password",
  "hash",
] as const;
