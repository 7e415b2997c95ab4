/**
 * Lays compiled policies out as the flat tables the WASM reads (format: assembly/tables.ts).
 * Several policies share one blob, and identical sub-automata are stored once (hash-consing):
 * policies are mostly presets and variants of them, and a small working set keeps the key
 * lookups of a batch that mixes many accounts in cache. Node 0 ("drop") is shared by all.
 */
import type { AutomatonNode } from "../policy/automaton.js";
import type { CompiledPolicy } from "../policy/policy.js";
import { BlobWriter } from "./blob-writer.js";

const MAGIC = 0x31565348; // "HSV1"

export function encodeTables(policies: readonly CompiledPolicy[]): Uint8Array {
  const blob = new BlobWriter();
  const nodes: number[] = [0, 0, 0, 0]; // node 0: drop
  const edges: number[] = [];
  const roots: number[] = [];
  let nesting = 0;
  const known = new Map<string, number>(); // node signature -> blob node

  for (const policy of policies) {
    const own = policy.automaton.nodes;
    const placed = new Map<number, number>([[0, 0]]); // own node -> blob node
    // Children first, so that a node's signature names its children's blob nodes.
    const place = (i: number): number => {
      const done = placed.get(i);
      if (done !== undefined) return done;
      const node: AutomatonNode = own[i];
      const wildcard = place(node.wildcard);
      const children = node.edges.map(([key, next]): [string, number] => [key, place(next)]);
      const signature = JSON.stringify([node.flags, wildcard, children]);
      let at = known.get(signature);
      if (at === undefined) {
        at = nodes.length / 4;
        nodes.push(node.flags, wildcard, edges.length / 3, children.length);
        for (const [key, next] of children) edges.push(...blob.key(key), next);
        known.set(signature, at);
      }
      placed.set(i, at);
      return at;
    };
    roots.push(place(1));
    nesting = Math.max(nesting, policy.automaton.embeddedNesting);
  }

  // Header: magic, nodeCount, edgeCount, policyCount, keyBytes, maxEmbeddedNesting.
  return blob.finish([MAGIC, nodes.length / 4, edges.length / 3, roots.length, blob.keyBytes, nesting, ...nodes, ...edges, ...roots]);
}
