/**
 * Lays compiled policies out as the flat tables the WASM reads (format: assembly/tables.ts).
 * Several policies share one blob: each keeps its own nodes, all share node 0 ("drop").
 */
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

  for (const policy of policies) {
    const { nodes: own, embeddedNesting } = policy.automaton;
    const base = nodes.length / 4 - 1; // own node i (i >= 1) becomes base + i
    const at = (i: number) => (i === 0 ? 0 : base + i);
    roots.push(at(1));
    nesting = Math.max(nesting, embeddedNesting);
    for (let i = 1; i < own.length; i++) {
      const node = own[i];
      nodes.push(node.flags, at(node.wildcard), edges.length / 3, node.edges.length);
      for (const [key, next] of node.edges) {
        let place = keyOffsets.get(key);
        if (!place) {
          const bytes = encoder.encode(key);
          place = [keyBytes, bytes.length];
          keyOffsets.set(key, place);
          keyChunks.push(bytes);
          keyBytes += bytes.length;
        }
        edges.push(place[0], place[1], at(next));
      }
    }
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
