/**
 * Rule sets and request URLs shared by the benchmarks: the same routes in the syntax of each
 * library, and distinct URLs spread over all of them.
 *
 * @module
 */

import type { Timeouts } from "../mod.ts";
import { _ProblemList } from "../src/config/errors.ts";
import { type CompiledRule, compiledRule, rankRules } from "../src/match/ranking.ts";
import { compilePattern } from "../src/match/patterns.ts";

/** Rule counts every comparison runs at. */
export const RULE_COUNTS: readonly number[] = [10, 100, 1_000, 10_000];
/** Distinct URLs in the cold runs: more than any cache of recent URLs would keep. */
export const COLD_URL_COUNT = 100_000;

const POLICIES = ["all-users", "anonymous-only", "anonymous-and-authenticated", "per-user"];

/** The i-th route, in the shapes real sites use, in each library's syntax. */
export function route(i: number): { urlPattern: string; rou3: string; pathToRegexp: string } {
  switch (i % 4) {
    case 0:
      return { urlPattern: `/area${i}/*`, rou3: `/area${i}/*`, pathToRegexp: `/area${i}/*rest` };
    case 1:
      return { urlPattern: `/area${i}/:id`, rou3: `/area${i}/:id`, pathToRegexp: `/area${i}/:id` };
    case 2:
      return {
        urlPattern: `/area${i}/item/:id(\\d+)`,
        rou3: `/area${i}/item/:id(\\d+)`,
        // path-to-regexp 8 has no regexp groups
        pathToRegexp: `/area${i}/item/:id`,
      };
    default:
      return {
        urlPattern: `/area${i}/about`,
        rou3: `/area${i}/about`,
        pathToRegexp: `/area${i}/about`,
      };
  }
}

/** `count` rules as `cacheHeaders()` options, spread over the four built-in policies. */
export function syntheticTimeouts(count: number): Timeouts {
  const timeouts: Record<string, Record<string, string[]>> = {};
  for (let i = 0; i < count; i++) {
    const policy = POLICIES[i % POLICIES.length]!;
    ((timeouts[policy] ??= {})[String(60 + (i % 5) * 60)] ??= []).push(route(i).urlPattern);
  }
  return timeouts;
}

/** The same rules compiled and ranked as `cacheHeaders()` does, for the matcher alone. */
export function rankedRules(count: number): CompiledRule<number>[] {
  const problems = new _ProblemList();
  const rules: CompiledRule<number>[] = [];
  for (let i = 0; i < count; i++) {
    const pattern = route(i).urlPattern;
    const path = `rules[${i}]`;
    const compiled = compilePattern(pattern, path, problems)!;
    rules.push(compiledRule({ policy: "all-users", lifetime: 60, pattern, path }, compiled, i, i));
  }
  const ranked = rankRules(rules, problems);
  problems.throwIfAny();
  return ranked;
}

/**
 * The i-th request URL for `rules` rules: it matches a rule picked across the whole set (one in
 * eight matches none), and no two URLs are the same.
 */
export function requestUrl(rules: number, i: number): string {
  const area = (i * 7_919) % rules;
  const query = `?page=${i % 7}`;
  if (i % 8 === 7) return `https://shop.example/none/${i}${query}`;
  switch (area % 4) {
    case 0:
      return `https://shop.example/area${area}/x/${i}${query}`;
    case 1:
      return `https://shop.example/area${area}/${i}${query}`;
    case 2:
      return `https://shop.example/area${area}/item/${i}${query}`;
    default:
      return `https://shop.example/area${area}/about?v=${i}`;
  }
}

/** {@link COLD_URL_COUNT} distinct request URLs for `rules` rules. */
export function coldUrls(rules: number): string[] {
  return Array.from({ length: COLD_URL_COUNT }, (_, i) => requestUrl(rules, i));
}

/** A function returning the next URL of a list on each call, round and round. */
export function cycle(urls: readonly string[]): () => string {
  let next = 0;
  return () => {
    const url = urls[next]!;
    next = next + 1 === urls.length ? 0 : next + 1;
    return url;
  };
}
