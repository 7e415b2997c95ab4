/**
 * Lays compiled policies out as the flat tables the WASM reads (format: assembly/tables.ts).
 * Several policies share one blob, and identical sub-automata are stored once (hash-consing):
 * policies are mostly presets and variants of them, and a small working set keeps the key
 * lookups of a batch that mixes many accounts in cache. Node 0 ("drop") is shared by all.
 */
import type { AutomatonNode } from "./automaton.js";
import type { CompiledPolicy } from "./policy.js";

const MAGIC = 0x31565348; // "HSV1"

export function encodeTables(policies: readonly CompiledPolicy[]): Uint8Array {
  const encoder = new TextEncoder();
  const nodes: number[] = [0, 0, 0, 0]; // node 0: drop
  const edges: number[] = [];
  const roots: number[] = [];
  const keyOffsets = new Map<string, [number, number]>();
  const keyChunks: Uint8Array[] = [];
  let keyBytes = 0;
  let nesting = 0;
  const known = new Map<string, number>(); // node signature -> blob node

  const keyPlace = (key: string): [number, number] => {
    let place = keyOffsets.get(key);
    if (!place) {
      const bytes = encoder.encode(key);
      place = [keyBytes, bytes.length];
      keyOffsets.set(key, place);
      keyChunks.push(bytes);
      keyBytes += bytes.length;
    }
    return place;
  };

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
        for (const [key, next] of children) edges.push(...keyPlace(key), next);
        known.set(signature, at);
      }
      placed.set(i, at);
      return at;
    };
    roots.push(place(1));
    nesting = Math.max(nesting, policy.automaton.embeddedNesting);
  }

  // Header: magic, nodeCount, edgeCount, policyCount, keyBytes, maxEmbeddedNesting.
  const words = [MAGIC, nodes.length / 4, edges.length / 3, roots.length, keyBytes, nesting, ...nodes, ...edges, ...roots];
  const blob = new Uint8Array(words.length * 4 + keyBytes);
  const view = new DataView(blob.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w, true));
  let offset = words.length * 4;
  for (const chunk of keyChunks) {
    blob.set(chunk, offset);
    offset += chunk.length;
  }
  return blob;
}
