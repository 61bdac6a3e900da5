/**
 * Matching a URL against ranked rules: the most specific rule whose pattern matches wins.
 *
 * @module
 */

import type { CompiledRule } from "./ranking.ts";
import {
  COMPONENTS_BESIDE_HOST_AND_PATH,
  MODIFIER_NONE,
  PART_FIXED,
  type URLPatternComponent,
} from "./pattern_parts.ts";
import { componentTest } from "./regexp.ts";
import { type PathKey, pathKey } from "./path_key.ts";
import { type Confirm, createNode, insert, type TrieNode } from "./trie.ts";
import { type CompactTrie, compactTrie, searchTrie } from "./trie_search.ts";
import { readComponents, type URLComponents } from "./url_components.ts";

/** Finds the rule that decides a URL: the first match in ranked order, or `null`. */
export type RuleMatcher<Plan> = (url: string) => CompiledRule<Plan> | null;

const OPEN_FROM_ROOT: PathKey = { steps: [], tail: "open" };

/**
 * Builds the matcher for rules ranked most specific first. This one tests each pattern in turn
 * with URLPattern, the reference every faster matcher must agree with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const matchRule = buildLinearMatcher<null>([]);
 * assert.equal(matchRule("https://example.com/"), null);
 * ```
 */
export function buildLinearMatcher<Plan>(ranked: readonly CompiledRule<Plan>[]): RuleMatcher<Plan> {
  return (url) => {
    for (const rule of ranked) {
      if (rule.urlPattern.test(url)) return rule;
    }
    return null;
  };
}

/**
 * Builds the matcher cachewise uses: the same answers as {@link buildLinearMatcher}, from a
 * trie over path segments per exact hostname (and one for all other hosts), in time that does
 * not grow with the number of rules a path cannot match.
 *
 * Each request URL is split into its components once, with string operations when it is in
 * serialised form (as `request.url` is) and with `new URL()` otherwise. Fixed segments,
 * `/:name`, `/:name(regexp)` whose regexp stays within a segment, and a final `/*` are matched in
 * the trie; the rest of a pattern (modifiers, groups inside segments, other components than `*`)
 * is confirmed with the regular expression URLPattern itself would use. Rules given as
 * URLPattern objects (which may ignore case) and URLs that are not `http:` or `https:` are
 * tested with URLPattern.
 *
 * @param ranked Compiled rules, most specific first.
 * @returns A function of a request URL returning the first rule in `ranked` whose pattern
 * matches it, or `null`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { _ProblemList } from "../config/errors.ts";
 * import { compilePattern } from "./patterns.ts";
 * import { compiledRule, rankRules } from "./ranking.ts";
 *
 * const problems = new _ProblemList();
 * const rules = ["/blog/*", "/blog/:slug"].map((pattern, index) => {
 *   const path = `patterns[${index}]`;
 *   const compiled = compilePattern(pattern, path, problems)!;
 *   return compiledRule({ policy: "all-users", lifetime: 60, pattern, path }, compiled, index, null);
 * });
 * const matchRule = buildMatcher(rankRules(rules, problems));
 * assert.equal(matchRule("https://example.com/blog/hello")?.pattern, "/blog/:slug");
 * assert.equal(matchRule("https://example.com/blog/2024/hello")?.pattern, "/blog/*");
 * assert.equal(matchRule("https://example.com/about"), null);
 * ```
 */
export function buildMatcher<Plan>(ranked: readonly CompiledRule<Plan>[]): RuleMatcher<Plan> {
  const matchRank = buildRankMatcher(ranked);
  return (url) => ranked[matchRank(url)] ?? null;
}

/**
 * {@link buildMatcher}'s answer as a position in `ranked`, or `Infinity` when no rule matches: for
 * callers that keep what they need per rule in arrays of their own, by rank.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert.equal(buildRankMatcher<null>([])("https://example.com/"), Infinity);
 * ```
 */
export function buildRankMatcher<Plan>(
  ranked: readonly CompiledRule<Plan>[],
): (url: string) => number {
  const { trie, anyHostRoot, hostRoots } = buildIndex(ranked);
  return (url) => {
    const components = readComponents(url);
    if (components === null) {
      for (let rank = 0; rank < ranked.length; rank++) {
        if (ranked[rank]!.urlPattern.test(url)) return rank;
      }
      return Infinity;
    }
    const path = components.pathname;
    let best = Infinity;
    if (hostRoots.size > 0) {
      const root = hostRoots.get(components.hostname);
      if (root !== undefined) best = searchTrie(trie, root, path, 1, components, url, best);
    }
    return searchTrie(trie, anyHostRoot, path, 1, components, url, best);
  };
}

/**
 * The index: a trie per exact hostname and one for all other hosts, built node by node and then
 * compacted. Built in a function of its own, so that the nodes are garbage once compacted.
 */
function buildIndex(
  ranked: readonly CompiledRule<unknown>[],
): { trie: CompactTrie; anyHostRoot: number; hostRoots: ReadonlyMap<string, number> } {
  const anyHost = createNode();
  const byHost = new Map<string, TrieNode>();
  ranked.forEach((rule, rank) => {
    const indexed = indexRule(rule);
    if (indexed === null) return;
    let root = anyHost;
    if (indexed.hostname !== null) {
      root = byHost.get(indexed.hostname) ?? createNode();
      byHost.set(indexed.hostname, root);
    }
    insert(root, indexed.key, { rank, confirm: indexed.confirm });
  });
  const hosts = [...byHost.keys()];
  const { trie, ids } = compactTrie([anyHost, ...byHost.values()]);
  return {
    trie,
    anyHostRoot: ids[0]!,
    hostRoots: new Map(hosts.map((host, i) => [host, ids[i + 1]!])),
  };
}

/** Where a rule goes in the index, or `null` for a rule no `http:` or `https:` URL matches. */
interface IndexedRule {
  /** The one hostname the rule matches, or `null` when it may match others. */
  readonly hostname: string | null;
  readonly key: PathKey;
  readonly confirm: Confirm | null;
}

function indexRule(rule: CompiledRule<unknown>): IndexedRule | null {
  const byURLPattern: Confirm = (_components, url) => rule.urlPattern.test(url);
  // A URLPattern object may have been built with ignoreCase, which cannot be read back.
  if (rule.sameURLsKey === null) {
    return { hostname: null, key: OPEN_FROM_ROOT, confirm: byURLPattern };
  }
  const { shape } = rule;
  const protocol = componentTest(shape.protocol, "protocol");
  if (protocol.kind === "unknown") {
    return { hostname: null, key: OPEN_FROM_ROOT, confirm: byURLPattern };
  }
  if (protocol.kind === "regexp" && !["http", "https"].some((s) => protocol.regexp.test(s))) {
    return null;
  }
  const key = pathKey(shape.pathname);
  const [host] = shape.hostname;
  const hostname = shape.hostname.length === 1 && host?.type === PART_FIXED &&
      host.modifier === MODIFIER_NONE
    ? host.value
    : null;
  const checks: [keyof URLComponents, RegExp][] = [];
  const components: URLPatternComponent[] = [...COMPONENTS_BESIDE_HOST_AND_PATH];
  if (hostname === null) components.push("hostname");
  if (key.tail === "open") components.push("pathname");
  for (const component of components) {
    const test = componentTest(shape[component], component);
    if (test.kind === "unknown") return { hostname, key, confirm: byURLPattern };
    if (test.kind === "regexp") checks.push([component, test.regexp]);
  }
  return { hostname, key, confirm: confirmAll(checks) };
}

function confirmAll(checks: readonly [keyof URLComponents, RegExp][]): Confirm | null {
  if (checks.length === 0) return null;
  if (checks.length === 1) {
    const [component, regexp] = checks[0]!;
    return (components) => regexp.test(components[component]);
  }
  return (components) => {
    for (const [component, regexp] of checks) {
      if (!regexp.test(components[component])) return false;
    }
    return true;
  };
}
