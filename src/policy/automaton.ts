/**
 * Policy paths → a deterministic automaton over object keys, which the WASM walks.
 * A trie of the listed paths is determinized (subset construction): where a literal key and
 * "*" both match, the key's node is the union of both, so the engine never tracks several
 * candidate nodes and never interprets a path at run time.
 */
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
  static count = 0;
  readonly id = TrieNode.count++;
  keepWhole = false;
  embedded = false;
  readonly children = new Map<string, TrieNode>();
  wildcard: TrieNode | undefined;

  child(segment: Segment, create: boolean): TrieNode | undefined {
    if (segment.any) {
      if (!this.wildcard && create) this.wildcard = new TrieNode();
      return this.wildcard;
    }
    let next = this.children.get(segment.key);
    if (!next && create) this.children.set(segment.key, (next = new TrieNode()));
    return next;
  }
}

/**
 * Builds the automaton. `embeddedJson` paths must each name a node of the keep trie; the index
 * of the first one that does not is thrown as a number (the caller names it to the user).
 */
export function buildAutomaton(keep: Segment[][], embeddedJson: Segment[][]): Automaton {
  const root = new TrieNode();
  for (const path of keep) {
    let node = root;
    for (const segment of path) node = node.child(segment, true)!;
    node.keepWhole = true;
  }
  embeddedJson.forEach((path, index) => {
    let node: TrieNode | undefined = root;
    for (const segment of path) node = node?.child(segment, false);
    if (!node) throw index;
    node.embedded = true;
  });

  const nodes: AutomatonNode[] = [{ flags: 0, wildcard: 0, edges: [] }];
  const known = new Map<string, number>();
  const visit = (set: TrieNode[]): number => {
    const name = set.map((n) => n.id).sort((a, b) => a - b).join(",");
    const seen = known.get(name);
    if (seen !== undefined) return seen;
    const index = nodes.length;
    const node: AutomatonNode = { flags: 0, wildcard: 0, edges: [] };
    nodes.push(node);
    known.set(name, index);
    if (set.some((n) => n.keepWhole)) {
      node.flags = FLAG_KEEP_WHOLE; // the whole value is kept: nothing below matters
      return index;
    }
    if (set.some((n) => n.embedded)) node.flags |= FLAG_EMBEDDED_JSON;
    const wild = set.flatMap((n) => (n.wildcard ? [n.wildcard] : []));
    const keys = new Set(set.flatMap((n) => [...n.children.keys()]));
    for (const key of keys) {
      const next = set.flatMap((n) => { const c = n.children.get(key); return c ? [c] : []; });
      node.edges.push([key, visit(unique([...next, ...wild]))]);
    }
    if (wild.length > 0) node.wildcard = visit(unique(wild));
    return index;
  };
  visit([root]);
  return { nodes, embeddedNesting: nesting(nodes) };
}

function unique(set: TrieNode[]): TrieNode[] {
  return [...new Set(set)];
}

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
