/**
 * The trie in the form it is searched in, built once from the nodes of `trie.ts`: every node is a
 * record of eight 32-bit integers in one array, every fixed child is a slot of one open-addressing
 * hash table keyed by its parent and the hash of its segment, and every segment text is a run of
 * UTF-16 code units in one array. A step down the trie then reads one slot, one record and one
 * run of text, where the nodes as objects cost a node, its `Map`, the map's table and the child's
 * text, each somewhere else in memory. With 1,000 rules and distinct URLs, lookups miss the CPU's
 * caches at almost every step, and each memory line not read is time saved (BENCHMARKS.md).
 *
 * @module
 */

import type { TrieEntry, TrieNode } from "./trie.ts";
import type { URLComponents } from "./url_components.ts";

/** The integers of a node's record. */
const STRIDE = 8;
/** The best rank in the node's subtree. */
const MIN_RANK = 0;
/** The rank of the first rule ending here when it needs no confirming, else {@link NO_RANK}. */
const END_RANK = 1;
/** The same for the first rule matching any path that goes on (`/*`). */
const REST_RANK = 2;
/** The child for any non-empty segment (`/:name`), or -1. */
const NAMED = 3;
/** Where the node's segment text starts in `texts`, and its length. */
const TEXT_START = 4;
const TEXT_LENGTH = 5;
const FLAGS = 6;

/** No rank: larger than every rank, like `Infinity` in the nodes. */
const NO_RANK = 0x7fffffff;
const SLASH = 47;
const HAS_OPEN = 1;
const HAS_END = 2;
const HAS_REST = 4;
const HAS_FIXED = 8;
const HAS_REGEXPS = 16;
const HAS_NAMED = 32;
const HAS_CHILDREN = HAS_FIXED | HAS_REGEXPS | HAS_NAMED;

/** A regexp child: the segments it accepts, and the node they lead to. */
interface RegexpStep {
  readonly test: RegExp;
  readonly node: number;
}

const NO_STEPS: readonly RegexpStep[] = Object.freeze([]);

/** The searchable trie. Node 0 is the first root given to {@link compactTrie}. */
export interface CompactTrie {
  readonly nodes: Int32Array;
  /** Fixed children: `parent + 1` (0 for an empty slot), segment hash, child; three per slot. */
  readonly slots: Int32Array;
  readonly mask: number;
  readonly texts: Uint16Array;
  /** Each node's rule lists, read only when its flags say it has them. */
  readonly open: readonly (readonly TrieEntry[])[];
  readonly end: readonly (readonly TrieEntry[])[];
  readonly rest: readonly (readonly TrieEntry[])[];
  readonly regexps: readonly (readonly RegexpStep[])[];
}

/** Builds the searchable form of tries; returns it with the node number of each root. */
export function compactTrie(roots: readonly TrieNode[]): { trie: CompactTrie; ids: number[] } {
  const all: TrieNode[] = [];
  const ids = new Map<TrieNode, number>();
  const number = (node: TrieNode): void => {
    ids.set(node, all.length);
    all.push(node);
    for (const child of childrenOf(node)) number(child);
  };
  for (const root of roots) number(root);
  // Every node but the roots is some node's child; at most half the slots are taken.
  const capacity = 2 ** Math.ceil(Math.log2(Math.max(2, all.length * 2)));
  const nodes = new Int32Array(all.length * STRIDE);
  const slots = new Int32Array(capacity * 3);
  const texts = new Uint16Array(all.reduce((sum, node) => sum + node.text.length, 0));
  const trie: CompactTrie = {
    nodes,
    slots,
    mask: capacity - 1,
    texts,
    open: all.map((node) => node.open),
    end: all.map((node) => node.end),
    rest: all.map((node) => node.rest),
    regexps: all.map((node) =>
      node.regexps === null
        ? NO_STEPS
        : node.regexps.map(({ test, node: next }) => ({ test, node: ids.get(next)! }))
    ),
  };
  let textEnd = 0;
  all.forEach((node, id) => {
    const base = id * STRIDE;
    nodes[base + MIN_RANK] = rank(node.minRank);
    nodes[base + END_RANK] = rank(node.endRank);
    nodes[base + REST_RANK] = rank(node.restRank);
    nodes[base + NAMED] = node.named === null ? -1 : ids.get(node.named)!;
    nodes[base + TEXT_START] = textEnd;
    nodes[base + TEXT_LENGTH] = node.text.length;
    for (let i = 0; i < node.text.length; i++) texts[textEnd++] = node.text.charCodeAt(i);
    nodes[base + FLAGS] = flagsOf(node);
    for (const [text, child] of node.fixed ?? []) {
      const hash = segmentHash(text);
      let slot = slotOf(id, hash, trie.mask);
      while (slots[slot * 3] !== 0) slot = (slot + 1) & trie.mask;
      slots[slot * 3] = id + 1;
      slots[slot * 3 + 1] = hash;
      slots[slot * 3 + 2] = ids.get(child)!;
    }
  });
  return { trie, ids: roots.map((root) => ids.get(root)!) };
}

function childrenOf(node: TrieNode): TrieNode[] {
  const children: TrieNode[] = [...node.fixed?.values() ?? []];
  for (const { node: next } of node.regexps ?? []) children.push(next);
  if (node.named !== null) children.push(node.named);
  return children;
}

function rank(value: number): number {
  return value === Infinity ? NO_RANK : value;
}

function flagsOf(node: TrieNode): number {
  return (node.open.length > 0 ? HAS_OPEN : 0) |
    (node.end.length > 0 && node.endRank === Infinity ? HAS_END : 0) |
    (node.rest.length > 0 && node.restRank === Infinity ? HAS_REST : 0) |
    (node.fixed !== null ? HAS_FIXED : 0) |
    (node.regexps !== null ? HAS_REGEXPS : 0) |
    (node.named !== null ? HAS_NAMED : 0);
}

/**
 * A 32-bit hash of a fixed segment's text (its length, then each UTF-16 code unit, times 31), the
 * key of its slot. Reading the segment in place is what the hash is for: a segment sliced out of
 * the path to key a `Map` costs a string per trie level on every request. Against the
 * string-keyed `Map` it replaced (bench/matcher_ab.ts, cold URLs, five runs in one process each,
 * 2026-11-30), a lookup took 84–90 % of the time on Deno 2.9 and 85–97 % on Bun 1.4 with 1,000
 * rules, 88–95 % on Deno and 101–114 % on Bun with 10,000 (BENCHMARKS.md). The search computes
 * the same hash in its one pass over a segment ({@link segmentEnd}).
 */
function segmentHash(text: string): number {
  let hash = text.length;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

/** The first slot to probe for a parent's child by segment hash. */
function slotOf(parent: number, hash: number, mask: number): number {
  const mixed = Math.imul(parent ^ Math.imul(hash, 0x9e3779b1), 0x85ebca6b);
  return (mixed ^ (mixed >>> 15)) & mask;
}

/**
 * The best rank of a rule matching the path, or `best` if none does better.
 *
 * @param node Where the search is: the path's segments before `start` have matched.
 * @param path The pathname, starting with `/`.
 * @param start Where the next segment starts, just after a `/`; past the end when the path
 * has no more segments.
 */
export function searchTrie(
  trie: CompactTrie,
  node: number,
  path: string,
  start: number,
  components: URLComponents,
  url: string,
  best: number,
): number {
  const nodes = trie.nodes;
  const base = node * STRIDE;
  if (nodes[base + MIN_RANK]! >= best) return best;
  const flags = nodes[base + FLAGS]!;
  if ((flags & HAS_OPEN) !== 0) best = firstConfirmed(trie.open[node]!, components, url, best);
  if (start > path.length) {
    const endRank = nodes[base + END_RANK]!;
    if (endRank !== NO_RANK) return endRank < best ? endRank : best;
    return (flags & HAS_END) === 0 ? best : firstConfirmed(trie.end[node]!, components, url, best);
  }
  const restRank = nodes[base + REST_RANK]!;
  if (restRank !== NO_RANK) {
    if (restRank < best) best = restRank;
  } else if ((flags & HAS_REST) !== 0) {
    best = firstConfirmed(trie.rest[node]!, components, url, best);
  }
  if ((flags & HAS_CHILDREN) === 0) return best;
  let end: number;
  if ((flags & HAS_FIXED) !== 0) {
    end = segmentEnd(path, start);
    const exact = fixedChild(trie, node, path, start, end, hashRead);
    if (exact !== -1) best = searchTrie(trie, exact, path, end + 1, components, url, best);
  } else {
    end = path.indexOf("/", start);
    if (end === -1) end = path.length;
  }
  if ((flags & HAS_REGEXPS) !== 0) {
    const segment = path.slice(start, end);
    for (const { test, node: next } of trie.regexps[node]!) {
      if (nodes[next * STRIDE + MIN_RANK]! < best && test.test(segment)) {
        best = searchTrie(trie, next, path, end + 1, components, url, best);
      }
    }
  }
  const named = nodes[base + NAMED]!;
  if (named !== -1 && end > start) {
    best = searchTrie(trie, named, path, end + 1, components, url, best);
  }
  return best;
}

/** The hash ({@link segmentHash}) of the segment the last {@link segmentEnd} read. */
let hashRead = 0;

/**
 * Where the segment from `start` ends (at the next `/`, or the end of the path), its hash left in
 * {@link hashRead}: one pass over the segment instead of one to find its end and one to hash it.
 * `segmentHash()` starts from the length, unknown until the end, so the pass sums the code units
 * (each times 31 per unit after it) and adds the length times 31 to the power of the length.
 */
function segmentEnd(path: string, start: number): number {
  let sum = 0;
  let power = 1;
  let end = start;
  for (; end < path.length; end++) {
    const code = path.charCodeAt(end);
    if (code === SLASH) break;
    sum = (Math.imul(sum, 31) + code) | 0;
    power = Math.imul(power, 31);
  }
  hashRead = (Math.imul(end - start, power) + sum) | 0;
  return end;
}

/** The child of `parent` for the segment `path.slice(start, end)`, or -1; nothing is sliced. */
function fixedChild(
  trie: CompactTrie,
  parent: number,
  path: string,
  start: number,
  end: number,
  hash: number,
): number {
  const { slots, nodes, texts, mask } = trie;
  const length = end - start;
  for (let slot = slotOf(parent, hash, mask);; slot = (slot + 1) & mask) {
    const owner = slots[slot * 3]!;
    if (owner === 0) return -1;
    if (owner !== parent + 1 || slots[slot * 3 + 1] !== hash) continue;
    const child = slots[slot * 3 + 2]!;
    const base = child * STRIDE;
    if (nodes[base + TEXT_LENGTH] !== length) continue;
    const text = nodes[base + TEXT_START]!;
    let i = 0;
    while (i < length && texts[text + i] === path.charCodeAt(start + i)) i++;
    if (i === length) return child;
  }
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
