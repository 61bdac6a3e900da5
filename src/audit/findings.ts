/**
 * The findings of an audit: their kinds and levels, worst first, and the collector the judges add
 * to (one finding per kind, URL, visitor and subject, with every round it was seen in).
 *
 * @module
 */

import type { Observation } from "./visit.ts";

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

/** Adds a finding about an observation (or the whole audit); `key` tells findings apart. */
export type AddFinding = (
  kind: FindingKind,
  at: Observation | null,
  message: string,
  key?: string,
) => void;

/** A collector of findings: `add` to it, then `list()` them worst first. */
export function collectFindings(): { add: AddFinding; list(): Finding[] } {
  const found = new Map<string, Finding & { rounds: number[] }>();
  const add: AddFinding = (kind, at, message, key = "") => {
    const id = `${kind}\n${at?.url ?? ""}\n${at?.visitor ?? ""}\n${key || message}`;
    const existing = found.get(id);
    if (existing !== undefined) {
      if (at !== null && !existing.rounds.includes(at.round)) existing.rounds.push(at.round);
      return;
    }
    found.set(id, {
      level: LEVEL_OF[kind],
      kind,
      url: at?.url ?? null,
      visitor: at?.visitor ?? null,
      rounds: at === null ? [] : [at.round],
      message,
    });
  };
  return { add, list: () => [...found.values()].sort(compareFindings) };
}

function compareFindings(a: Finding, b: Finding): number {
  return LEVEL_ORDER.indexOf(a.level) - LEVEL_ORDER.indexOf(b.level) ||
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
    (a.url ?? "").localeCompare(b.url ?? "") ||
    (a.visitor ?? "").localeCompare(b.visitor ?? "");
}
