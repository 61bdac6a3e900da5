/**
 * Findings from what an audit saw, worst first: leaks (another visitor's marker in a body, a page
 * of an audience the rules separate, a stored response replaying `Set-Cookie`), then warnings,
 * then notices.
 *
 * @module
 */

import type { Expectation } from "./expectations.ts";
import { likelyCause, readCacheControl } from "./lifetime.ts";
import type { Observation } from "./visit.ts";
import type { Marker, PreparedVisitor } from "./visitors.ts";

/** How bad a finding is. Any `leak` makes `cachewise audit` exit 1. */
export type FindingLevel = "leak" | "warning" | "notice";

/** What a finding is about; the order is the order of severity. */
export type FindingKind =
  /** Leak: a body carries the marker of another visitor. */
  | "marker"
  /** Leak (rules): a visitor got the page made for an audience the policy keeps apart. */
  | "audience"
  /** Leak: a response from a stored copy carries `Set-Cookie`. */
  | "set-cookie"
  /** Warning: a `private` or `no-store` page came with `Age` > 0 from a shared cache. */
  | "private-stored"
  /** Warning: a signed-in visitor got the anonymous page. */
  | "anonymous-page"
  /** Warning (rules): one stored page reached audiences the policy keeps apart; whose is unknown. */
  | "mixed-audiences"
  /** Warning: no response came (timeout, network error, budget). */
  | "request-failed"
  /** Notice (rules): a page the rules let a shared cache keep was never served from one. */
  | "never-kept"
  /** Notice: a visitor's marker is missing from its own page where others' pages show theirs. */
  | "marker-unseen"
  /** Notice: no response said whether it came from a cache. */
  | "no-verdict";

const KIND_ORDER: readonly FindingKind[] = [
  "marker",
  "audience",
  "set-cookie",
  "private-stored",
  "anonymous-page",
  "mixed-audiences",
  "request-failed",
  "never-kept",
  "marker-unseen",
  "no-verdict",
];
const LEVEL_ORDER: readonly FindingLevel[] = ["leak", "warning", "notice"];
const LEVEL_OF: Readonly<Record<FindingKind, FindingLevel>> = {
  "marker": "leak",
  "audience": "leak",
  "set-cookie": "leak",
  "private-stored": "warning",
  "anonymous-page": "warning",
  "mixed-audiences": "warning",
  "request-failed": "warning",
  "never-kept": "notice",
  "marker-unseen": "notice",
  "no-verdict": "notice",
};

/** One finding, for a URL and a visitor where it applies, with the rounds it was seen in. */
export interface Finding {
  /** How bad it is. */
  readonly level: FindingLevel;
  /** What it is about. */
  readonly kind: FindingKind;
  /** The URL, or `null` for a finding about the whole audit. */
  readonly url: string | null;
  /** The visitor who saw it, or `null` for a finding about the whole audit. */
  readonly visitor: string | null;
  /** The rounds it was seen in. */
  readonly rounds: readonly number[];
  /** What happened, for people. */
  readonly message: string;
}

/** What the judge reads. */
export interface JudgeInput {
  /** Every observation, each URL's in the order they were made. */
  readonly observations: readonly Observation[];
  /** The visitors. */
  readonly visitors: readonly PreparedVisitor[];
  /** The markers. */
  readonly markers: readonly Marker[];
  /** What the rules promise, or `null` without rules. */
  readonly expect: ((url: string, visitor: string) => Expectation) | null;
}

/** Judges an audit's observations; the findings come worst first. */
export function judge(input: JudgeInput): Finding[] {
  const found = new Map<string, Finding & { rounds: number[] }>();
  const add = (kind: FindingKind, at: Observation | null, message: string, key = ""): void => {
    const id = `${kind}\n${at?.url ?? ""}\n${at?.visitor ?? ""}\n${key || message}`;
    const existing = found.get(id);
    if (existing !== undefined) {
      if (at !== null && !existing.rounds.includes(at.round)) existing.rounds.push(at.round);
      return;
    }
    const level = LEVEL_OF[kind];
    const rounds = at === null ? [] : [at.round];
    found.set(id, {
      level,
      kind,
      url: at?.url ?? null,
      visitor: at?.visitor ?? null,
      rounds,
      message,
    });
  };
  const visitors = new Map(input.visitors.map((visitor) => [visitor.name, visitor]));
  for (const seen of input.observations) judgeOne(seen, visitors, input, add);
  const byUrl = groupBy(input.observations, (seen) => seen.url);
  if (input.expect !== null) {
    for (const list of byUrl.values()) judgeAudiences(list, input.expect, add);
    for (const list of byUrl.values()) judgeKept(list, input.expect, visitors, add);
  }
  judgeWhole(input, add);
  return [...found.values()].sort(compareFindings);
}

type Add = (kind: FindingKind, at: Observation | null, message: string, key?: string) => void;

function judgeOne(
  seen: Observation,
  visitors: ReadonlyMap<string, PreparedVisitor>,
  input: JudgeInput,
  add: Add,
): void {
  if (seen.error !== null) return add("request-failed", seen, `no response: ${seen.error}`);
  const me = visitors.get(seen.visitor)!;
  const source = seen.verdictSource === null ? "" : ` (${seen.verdictSource})`;
  for (const owner of seen.markers) {
    const them = visitors.get(owner)!;
    if (owner === seen.visitor || (them.anonymous && me.anonymous)) continue;
    if (them.anonymous) {
      add("anonymous-page", seen, `the body carries the marker of ${owner}: the anonymous page`);
    } else {
      add("marker", seen, `the body carries the marker of ${owner}${source}`, owner);
    }
  }
  if (seen.setCookies.length > 0 && seen.verdict === "hit") {
    add(
      "set-cookie",
      seen,
      `a stored response replays Set-Cookie (${seen.setCookies.join(", ")})${source}`,
      "replay",
    );
  }
  const directives = readCacheControl(seen.headers["cache-control"]);
  const closed = directives.has("private") || directives.has("no-store");
  if (closed && (seen.age ?? 0) > 0 && seen.verdict !== "miss") {
    if (input.expect?.(seen.url, seen.visitor).keyedOnly) return;
    add(
      "private-stored",
      seen,
      `a page marked ${directives.has("private") ? "private" : "no-store"} came from a shared ` +
        "cache (Age > 0); only a cache keyed on the visitor may keep it (cachewise keyed mode)",
    );
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
  expect: NonNullable<JudgeInput["expect"]>,
  add: Add,
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
  expect: NonNullable<JudgeInput["expect"]>,
  visitors: ReadonlyMap<string, PreparedVisitor>,
  add: Add,
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

function judgeWhole(input: JudgeInput, add: Add): void {
  const answered = input.observations.filter((seen) => seen.error === null);
  if (answered.length > 0 && answered.every((seen) => seen.verdict === "unknown")) {
    add(
      "no-verdict",
      null,
      "no response said whether it came from a cache (no Cache-Status, vendor header or Age): " +
        "hits cannot be seen; expose one (see docs/audit.md)",
    );
  }
  // A marker looks wrong when, on a URL where another visitor's own page showed theirs, none of
  // the pages made for this visitor (not served from a stored copy) shows this one.
  const made = answered.filter((seen) => seen.verdict !== "hit");
  const showsOwn = (seen: Observation) => seen.markers.includes(seen.visitor);
  for (const name of new Set(input.markers.map((marker) => marker.visitor))) {
    const suspect = made.find((seen) =>
      seen.visitor === name &&
      made.some((other) => other.url === seen.url && other.visitor !== name && showsOwn(other)) &&
      !made.some((mine) => mine.url === seen.url && mine.visitor === name && showsOwn(mine))
    );
    if (suspect === undefined) continue;
    add(
      "marker-unseen",
      null,
      `the marker of ${name} is missing from ${suspect.url}, made for ${name}, where other ` +
        "visitors' pages show theirs: check it",
    );
  }
}

function compareFindings(a: Finding, b: Finding): number {
  return LEVEL_ORDER.indexOf(a.level) - LEVEL_ORDER.indexOf(b.level) ||
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
    (a.url ?? "").localeCompare(b.url ?? "") ||
    (a.visitor ?? "").localeCompare(b.visitor ?? "");
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
