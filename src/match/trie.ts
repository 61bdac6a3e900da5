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
  /** Children for fixed segment texts, by text (`trie_search.ts` finds them by hash). */
  fixed: Map<string, TrieNode> | null;
  /** The fixed segment text that leads here from the parent's `fixed`, or `""`. */
  readonly text: string;
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
      if (next === undefined) fixed.set(step.text, next = createNode(step.text));
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
