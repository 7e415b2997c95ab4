/**
 * Lays compiled policies out as the flat tables the WASM reads (format: assembly/policy-tables.ts).
 * Several policies share one blob, and identical sub-automata are stored once (hash-consing):
 * policies are mostly presets and variants of them, and a small working set keeps the key
 * lookups of a batch that mixes many accounts in cache. Node 0 ("drop") is shared by all.
 */
import { FLAG_EMBEDDED_JSON, FLAG_KEEP_WHOLE, type AutomatonNode } from "../policy/automaton.js";
import type { CompiledPolicy } from "../policy/policy.js";
import type { EngineAbi } from "./abi.js";
import { BlobWriter } from "./blob-writer.js";

/** The engine's flag bits for an automaton node's flags. */
function engineFlags(flags: number, abi: EngineAbi): number {
  return (flags & FLAG_KEEP_WHOLE ? abi.flags.keepWhole : 0) | (flags & FLAG_EMBEDDED_JSON ? abi.flags.embeddedJson : 0);
}

export function encodeTables(policies: readonly CompiledPolicy[], abi: EngineAbi): Uint8Array {
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
      const flags = engineFlags(node.flags, abi);
      const signature = JSON.stringify([flags, wildcard, children]);
      let at = known.get(signature);
      if (at === undefined) {
        at = nodes.length / 4;
        nodes.push(flags, wildcard, edges.length / 3, children.length);
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
  return blob.finish([abi.magic.tables, nodes.length / 4, edges.length / 3, roots.length, blob.keyBytes, nesting, ...nodes, ...edges, ...roots]);
}
