/**
 * Policy paths → a deterministic automaton over object keys, which the WASM walks.
 * A trie of the listed paths is determinized (subset construction): where a literal key and
 * "*" both match, the key's node is the union of both, so the engine never tracks several
 * candidate nodes and never interprets a path at run time.
 *
 * Subset construction can blow up exponentially, so every state, edge and key is charged to
 * budgets as it is created (see automaton-budget.ts), and the work is a loop over a queue of
 * pending states rather than a recursion (a path may be up to MAX_PATH_KEYS keys long).
 */
import { AutomatonBudget, EDGE_BYTES, STATE_BYTES } from "./automaton-budget.js";
import type { Segment } from "./paths.js";

export const FLAG_KEEP_WHOLE = 1;
export const FLAG_EMBEDDED_JSON = 2;

export interface AutomatonNode {
  /** FLAG_KEEP_WHOLE | FLAG_EMBEDDED_JSON */
  flags: number;
  /** Node for keys without a literal edge; 0 drops them. */
  wildcard: number;
  /** Literal keys (decoded) and their nodes; already merged with the wildcard's. */
  edges: Array<[key: string, node: number]>;
}

export interface Automaton {
  /** Node 0 is "drop"; the root is node 1. */
  nodes: AutomatonNode[];
  /** Most embedded documents that can be open inside each other. */
  embeddedNesting: number;
}

class TrieNode {
  keepWhole = false;
  embedded = false;
  readonly children = new Map<string, TrieNode>();
  wildcard: TrieNode | undefined;

  constructor(readonly id: number) {}
}

/** The listed paths as a trie; `*` segments are the wildcard children. */
export class PathTrie {
  private count = 0;
  readonly root = this.node();

  constructor(keep: readonly Segment[][]) {
    for (const path of keep) {
      let node = this.root;
      for (const segment of path) node = this.child(node, segment, true)!;
      node.keepWhole = true;
    }
  }

  /** Marks the node an embeddedJson path names; false when the path is neither kept nor a prefix of a kept path. */
  markEmbedded(path: readonly Segment[]): boolean {
    let node: TrieNode | undefined = this.root;
    for (const segment of path) node = node && this.child(node, segment, false);
    if (!node) return false;
    node.embedded = true;
    return true;
  }

  private node(): TrieNode {
    return new TrieNode(this.count++);
  }

  private child(node: TrieNode, segment: Segment, create: boolean): TrieNode | undefined {
    if (segment.any) {
      if (!node.wildcard && create) node.wildcard = this.node();
      return node.wildcard;
    }
    let next = node.children.get(segment.key);
    if (!next && create) node.children.set(segment.key, (next = this.node()));
    return next;
  }
}

/** Determinizes the trie; throws AutomatonTooLarge as soon as one of the budgets runs out. */
export function buildAutomaton(trie: PathTrie, budgets: readonly AutomatonBudget[]): Automaton {
  const charge = (states: number, bytes: number) => {
    for (const budget of budgets) budget.charge(states, bytes);
  };
  const nodes: AutomatonNode[] = [{ flags: 0, wildcard: 0, edges: [] }];
  const pending: TrieNode[][] = []; // pending[i]: the trie nodes of automaton node i + 1
  const known = new Map<string, number>(); // sorted trie ids → automaton node
  const keys = new Set<string>(); // keys whose bytes were charged (the tables store each key once)

  const stateOf = (set: TrieNode[]): number => {
    const name = set.length === 1 ? String(set[0].id) : set.map((n) => n.id).join(",");
    let index = known.get(name);
    if (index === undefined) {
      charge(1, STATE_BYTES);
      index = nodes.length;
      nodes.push({ flags: 0, wildcard: 0, edges: [] });
      pending.push(set);
      known.set(name, index);
    }
    return index;
  };

  stateOf([trie.root]);
  for (let i = 0; i < pending.length; i++) {
    const set = pending[i];
    const node = nodes[i + 1];
    if (set.some((n) => n.keepWhole)) {
      node.flags = FLAG_KEEP_WHOLE; // the whole value is kept: nothing below matters
      continue;
    }
    if (set.some((n) => n.embedded)) node.flags = FLAG_EMBEDDED_JSON;
    const wild: TrieNode[] = [];
    const byKey = new Map<string, TrieNode[]>();
    for (const n of set) {
      if (n.wildcard) wild.push(n.wildcard);
      for (const [key, child] of n.children) {
        const next = byKey.get(key);
        if (next) next.push(child);
        else byKey.set(key, [child]);
      }
    }
    for (const [key, next] of byKey) {
      const keyBytes = keys.has(key) ? 0 : utf8Length(key);
      keys.add(key);
      charge(0, EDGE_BYTES + keyBytes);
      node.edges.push([key, stateOf(sorted(wild.length > 0 ? next.concat(wild) : next))]);
    }
    if (wild.length > 0) node.wildcard = stateOf(sorted(wild));
  }
  return { nodes, embeddedNesting: nesting(nodes) };
}

/**
 * The set in id order, so that the same set of positions always gets the same name. The nodes of a set are
 * distinct (children of distinct trie nodes are distinct, and a node is either a literal or a wildcard child).
 */
function sorted(set: TrieNode[]): TrieNode[] {
  return set.length < 2 ? set : set.sort((a, b) => a.id - b.id);
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (const c of text) {
    const code = c.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Recursive, but only as deep as the longest path (MAX_PATH_KEYS): each edge goes one key deeper. */
function nesting(nodes: AutomatonNode[]): number {
  const memo = new Map<number, number>();
  const depth = (i: number): number => {
    const known = memo.get(i);
    if (known !== undefined) return known;
    const node = nodes[i];
    let below = node.wildcard ? depth(node.wildcard) : 0;
    for (const [, next] of node.edges) below = Math.max(below, depth(next));
    const result = below + (node.flags & FLAG_EMBEDDED_JSON ? 1 : 0);
    memo.set(i, result);
    return result;
  };
  return depth(1);
}
