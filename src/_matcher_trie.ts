/**
 * A trie over path segments whose nodes hold rules in rank order, searched for the best-ranked
 * rule that matches a path.
 *
 * @module
 */

import type { PathKey, SegmentStep } from "./_matcher_path.ts";
import type { URLComponents } from "./_matcher_url.ts";

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
  /** Children by fixed segment text. */
  fixed: Map<string, TrieNode> | null;
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

/** An empty node. */
export function createNode(): TrieNode {
  return {
    fixed: null,
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
      let next = fixed.get(step.text);
      if (next === undefined) fixed.set(step.text, next = createNode());
      return next;
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
 * The best rank of a rule matching the path, or `best` if none does better.
 *
 * @param node Where the search is: the path's segments before `start` have matched.
 * @param path The pathname, starting with `/`.
 * @param start Where the next segment starts, just after a `/`; past the end when the path
 * has no more segments.
 */
export function search(
  node: TrieNode,
  path: string,
  start: number,
  components: URLComponents,
  url: string,
  best: number,
): number {
  if (node.minRank >= best) return best;
  if (node.open.length > 0) best = firstConfirmed(node.open, components, url, best);
  if (start > path.length) {
    if (node.endRank === Infinity) return firstConfirmed(node.end, components, url, best);
    return node.endRank < best ? node.endRank : best;
  }
  if (node.restRank !== Infinity) {
    if (node.restRank < best) best = node.restRank;
  } else if (node.rest.length > 0) {
    best = firstConfirmed(node.rest, components, url, best);
  }
  const { fixed, regexps, named } = node;
  if (fixed === null && regexps === null && named === null) return best;
  let end = path.indexOf("/", start);
  if (end === -1) end = path.length;
  const segment = path.slice(start, end);
  const exact = fixed?.get(segment);
  if (exact !== undefined) best = search(exact, path, end + 1, components, url, best);
  if (regexps !== null) {
    for (const { test, node: next } of regexps) {
      if (next.minRank < best && test.test(segment)) {
        best = search(next, path, end + 1, components, url, best);
      }
    }
  }
  if (named !== null && end > start) best = search(named, path, end + 1, components, url, best);
  return best;
}

function firstConfirmed(
  entries: readonly TrieEntry[],
  components: URLComponents,
  url: string,
  best: number,
): number {
  for (const entry of entries) {
    if (entry.rank >= best) break;
    if (entry.confirm === null || entry.confirm(components, url)) return entry.rank;
  }
  return best;
}
