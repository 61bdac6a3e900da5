/**
 * The findings only the site's rules make possible: a body that reached a visitor of an audience
 * the origin never made it for, and a page the rules let a shared cache keep that it never kept.
 *
 * @module
 */

import type { Expectation } from "./expectations.ts";
import type { AddFinding } from "./findings.ts";
import { likelyCause } from "./lifetime.ts";
import type { Observation } from "./visit.ts";
import type { PreparedVisitor } from "./visitors.ts";

/** What the rules promise for a URL and a visitor's name. */
export type Expect = (url: string, visitor: string) => Expectation;

/** Judges every URL's observations (each URL's in the order they were made) by the rules. */
export function judgeByRules(
  observations: readonly Observation[],
  expect: Expect,
  visitors: ReadonlyMap<string, PreparedVisitor>,
  add: AddFinding,
): void {
  for (const list of groupBy(observations, (seen) => seen.url).values()) {
    judgeAudiences(list, expect, add);
    judgeKept(list, expect, visitors, add);
  }
}

/**
 * With rules: a body served, not from the origin, to a visitor of an audience the origin never
 * made that body for. A body is made for the audiences whose requests got it from the origin (a
 * miss; with no verdict, the first request that got it), so a page identical for everybody by
 * design is never taken for a leak.
 */
function judgeAudiences(
  list: readonly Observation[],
  expect: Expect,
  add: AddFinding,
): void {
  const pages = list.filter((seen) => seen.status === 200 && seen.digest !== null);
  const audience = (seen: Observation) => expect(seen.url, seen.visitor).audience;
  /** Per body: the audiences the origin made it for, each with the first visitor who got it. */
  const makers = new Map<string, Map<string | null, string>>();
  const made = new Set<Observation>();
  for (const seen of pages) {
    const first = !makers.has(seen.digest!);
    const byAudience = makers.get(seen.digest!) ?? new Map<string | null, string>();
    makers.set(seen.digest!, byAudience);
    if (seen.verdict === "miss" || (seen.verdict === "unknown" && first)) {
      made.add(seen);
      if (!byAudience.has(audience(seen))) byAudience.set(audience(seen), seen.visitor);
    }
  }
  for (const seen of pages) {
    const mine = expect(seen.url, seen.visitor);
    if (made.has(seen) || mine.audience === null) continue;
    const byAudience = makers.get(seen.digest!)!;
    if (byAudience.has(mine.audience)) continue;
    const guess = seen.verdict === "unknown"
      ? " (no verdict from the cache: identical pages are taken as one stored copy)"
      : ` (${seen.verdictSource})`;
    const [owner] = [...byAudience].filter(([theirs]) => theirs !== null);
    if (owner === undefined) {
      const others = pages.filter((other) => other.digest === seen.digest)
        .map(audience).filter((theirs) => theirs !== null && theirs !== mine.audience);
      if (others.length === 0) continue;
      add(
        "mixed-audiences",
        seen,
        `one stored page reached the audiences ${mine.audience} and ${
          others[0]
        }, which the rules ` +
          "keep apart; it was stored before the audit, so whose it is cannot be told: add markers",
        "mixed",
      );
    } else if (owner[0] === "anonymous" && mine.signedIn) {
      add("anonymous-page", seen, `got the anonymous page first served to ${owner[1]}${guess}`);
    } else {
      add(
        "audience",
        seen,
        `got the page made for ${owner[1]} (audience ${owner[0]}; this visitor's is ` +
          `${mine.audience})${guess}`,
        owner[1],
      );
    }
  }
}

/** With rules: a page a shared cache may keep for this visitor that never came from one. */
function judgeKept(
  list: readonly Observation[],
  expect: Expect,
  visitors: ReadonlyMap<string, PreparedVisitor>,
  add: AddFinding,
): void {
  for (const [name, own] of groupBy(list, (seen) => seen.visitor)) {
    const mine = expect(own[0]!.url, name);
    if (!mine.shareable || own.some((s) => s.status !== 200 || s.verdict !== "miss")) continue;
    const chance = own.some((seen) =>
      list.some((earlier) =>
        earlier.status === 200 &&
        (earlier.round < seen.round ||
          (earlier.round === seen.round && earlier.position < seen.position)) &&
        expect(earlier.url, earlier.visitor).audience === mine.audience
      )
    );
    if (!chance) continue;
    const last = own.at(-1)!;
    const sends = visitors.get(name)!.sends;
    const authorization = sends.some((header) => header.toLowerCase() === "authorization");
    const cause = likelyCause({
      headers: last.headers,
      setCookies: last.setCookies,
      authorization,
    });
    const message = `the rules let a shared cache keep it, but it never did: ${cause}`;
    for (const seen of own) add("never-kept", seen, message);
  }
}

/** `Map.groupBy()`, which Node 20 lacks. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group === undefined) groups.set(key(item), [item]);
    else group.push(item);
  }
  return groups;
}
