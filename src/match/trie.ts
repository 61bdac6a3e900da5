/**
 * A trie over path segments whose nodes hold rules in rank order, built rule by rule; it is
 * searched in the compact form `trie_search.ts` makes of it.
 *
 * @module
 */

import type { PathKey, SegmentStep } from "./path_key.ts";
import type { URLComponents } from "./url_components.ts";

/** Confirms what the trie does not model: other components, or the whole pathname. */
export type Confirm = (components: URLComponents, url: string) => boolean;

/** A rule in the trie: its position in the ranking, and what is left to confirm. */
export interface TrieEntry {
  readonly rank: number;
  readonly confirm: Confirm | null;
}

/** A child for the segments a regexp group accepts. */
interface RegexpChild {
  readonly source: string;
  readonly test: RegExp;
  readonly node: TrieNode;
}

/**
 * A node: the path has matched the steps leading to it. Absent children are `null` and empty
 * lists share one array, so that the nodes of large rule sets stay small.
 */
export interface TrieNode {
  /**
   * Children for fixed segment texts, by `segmentHash()` of the text: found by a hash of the
   * segment read in place, so that the search slices no string for them. Children whose texts
   * share a hash are chained through `sameHash`.
   */
  fixed: Map<number, TrieNode> | null;
  /** The fixed segment text that leads here from the parent's `fixed`, or `""`. */
  readonly text: string;
  /** The next child of the same parent whose text has the same hash. */
  sameHash: TrieNode | null;
  /** Child for any non-empty segment (`/:name`). */
  named: TrieNode | null;
  /** Children for segments a regexp group accepts. */
  regexps: RegexpChild[] | null;
  /** Rules whose path ends here. */
  end: readonly TrieEntry[];
  /** Rules matching any path that goes on past here (`/*`). */
  rest: readonly TrieEntry[];
  /** Rules whose path starts here but must be confirmed whole. */
  open: readonly TrieEntry[];
  /** The best rank in this subtree, to skip subtrees that cannot improve on a match. */
  minRank: number;
  /** The rank of the first rule in `end`, when it needs no confirming; else Infinity. */
  endRank: number;
  /** The rank of the first rule in `rest`, when it needs no confirming; else Infinity. */
  restRank: number;
}

const NO_ENTRIES: readonly TrieEntry[] = Object.freeze([]);

/** An empty node; `text` is the fixed segment text that leads to it, if any. */
export function createNode(text = ""): TrieNode {
  return {
    fixed: null,
    text,
    sameHash: null,
    named: null,
    regexps: null,
    end: NO_ENTRIES,
    rest: NO_ENTRIES,
    open: NO_ENTRIES,
    minRank: Infinity,
    endRank: Infinity,
    restRank: Infinity,
  };
}

/**
 * Adds a rule under its path key. Rules must be inserted in rank order, so that every list of a
 * node stays sorted by rank.
 */
export function insert(root: TrieNode, key: PathKey, entry: TrieEntry): void {
  let node = root;
  node.minRank = Math.min(node.minRank, entry.rank);
  for (const step of key.steps) {
    node = child(node, step);
    node.minRank = Math.min(node.minRank, entry.rank);
  }
  node[key.tail] = [...node[key.tail], entry];
  node.endRank = unconfirmedRank(node.end);
  node.restRank = unconfirmedRank(node.rest);
}

/** The rank of the first entry when it needs no confirming: it matches whenever reached. */
function unconfirmedRank(entries: readonly TrieEntry[]): number {
  const [first] = entries;
  return first !== undefined && first.confirm === null ? first.rank : Infinity;
}

function child(node: TrieNode, step: SegmentStep): TrieNode {
  switch (step.kind) {
    case "fixed": {
      const fixed = node.fixed ??= new Map();
      const { text } = step;
      const hash = segmentHash(text, 0, text.length);
      const first = fixed.get(hash) ?? null;
      for (let candidate = first; candidate !== null; candidate = candidate.sameHash) {
        if (candidate.text === text) return candidate;
      }
      const added = createNode(text);
      added.sameHash = first;
      fixed.set(hash, added);
      return added;
    }
    case "named":
      return node.named ??= createNode();
    case "regexp": {
      const regexps = node.regexps ??= [];
      let next = regexps.find((candidate) => candidate.source === step.source);
      if (next === undefined) {
        regexps.push(next = { source: step.source, test: step.test, node: createNode() });
      }
      return next.node;
    }
  }
}

/**
 * A 32-bit hash of `text.slice(start, end)` (its length, then each UTF-16 code unit, times 31).
 * Reading the segment in place is what the hash is for: a segment sliced out of the path to key a
 * `Map` costs a string per trie level on every request. Against the string-keyed `Map` it
 * replaced (bench/matcher_ab.ts, cold URLs, five runs in one process each, 2026-11-30), a lookup
 * took 84–90 % of the time on Deno 2.9 and 85–97 % on Bun 1.4 with 1,000 rules, 88–95 % on
 * Deno and 101–114 % on Bun with 10,000 (BENCHMARKS.md).
 */
export function segmentHash(text: string, start: number, end: number): number {
  let hash = end - start;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}
