/**
 * Findings from what an audit saw, worst first: leaks (another visitor's marker in a body, a page
 * of an audience the rules separate, a stored response replaying `Set-Cookie`), then warnings,
 * then notices. The rules' part is in `audiences.ts`.
 *
 * @module
 */

import { type Expect, judgeByRules } from "./audiences.ts";
import { type AddFinding, collectFindings, type Finding } from "./findings.ts";
import { readCacheControl } from "./lifetime.ts";
import type { Observation } from "./visit.ts";
import type { Marker } from "./markers.ts";
import type { PreparedVisitor } from "./visitors.ts";

/** What the judge reads. */
export interface JudgeInput {
  /** Every observation, each URL's in the order they were made. */
  readonly observations: readonly Observation[];
  /** The visitors. */
  readonly visitors: readonly PreparedVisitor[];
  /** The markers. */
  readonly markers: readonly Marker[];
  /** What the rules promise, or `null` without rules. */
  readonly expect: Expect | null;
}

/** Judges an audit's observations; the findings come worst first. */
export function judge(input: JudgeInput): Finding[] {
  const { add, list } = collectFindings();
  const visitors = new Map(input.visitors.map((visitor) => [visitor.name, visitor]));
  for (const seen of input.observations) judgeOne(seen, visitors, input, add);
  if (input.expect !== null) judgeByRules(input.observations, input.expect, visitors, add);
  judgeWhole(input, add);
  return list();
}

function judgeOne(
  seen: Observation,
  visitors: ReadonlyMap<string, PreparedVisitor>,
  input: JudgeInput,
  add: AddFinding,
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

function judgeWhole(input: JudgeInput, add: AddFinding): void {
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
