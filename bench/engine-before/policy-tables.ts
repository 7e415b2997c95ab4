// Policy tables: the compiled allowlists, as the host's policy compiler lays them out.
//
// Blob (little-endian u32 words), written by src/engine/encode-policy-tables.ts:
//
//   header  ┌──────────────┬───────────┬───────────┬─────────────┬──────────┬────────────────────┐
//           │ TABLES_MAGIC │ nodeCount │ edgeCount │ policyCount │ keyBytes │ maxEmbeddedNesting │
//           └──────────────┴───────────┴───────────┴─────────────┴──────────┴────────────────────┘
//   nodes   nodeCount x  ┌───────┬───────────────┬───────────┬───────────┐   node 0 = "drop"
//                        │ flags │ wildcardChild │ firstEdge │ edgeCount │
//                        └───────┴───────────────┴───────────┴───────────┘
//   edges   edgeCount x  ┌───────────┬───────────┬───────┐
//                        │ keyOffset │ keyLength │ child │
//                        └───────────┴───────────┴───────┘
//   roots   policyCount x rootNode
//   keys    keyBytes bytes of UTF-8 key text
//
// Wildcards are already merged into literal edges by the compiler (a deterministic automaton),
// so a key needs one lookup: its literal edge if any, else the node's wildcard child.
import { hashKey, bytesEqual } from "./scan";
import { PADDING, TABLES_MAGIC, FLAG_KEEP_WHOLE, FLAG_EMBEDDED_JSON } from "./abi";
export { FLAG_KEEP_WHOLE, FLAG_EMBEDDED_JSON };

export const NODE_DROP: u32 = 0;

// Header fields.
const HEADER_NODE_COUNT: usize = 4;
const HEADER_EDGE_COUNT: usize = 8;
const HEADER_POLICY_COUNT: usize = 12;
const HEADER_KEY_BYTES: usize = 16;
const HEADER_NESTING: usize = 20;
// The current host's blob format (HSV2): the counters, patterns and placeholders that follow are
// detection's, which this engine predates; it reads past them (see loadTables).
const HEADER_PATTERNS: usize = 28;
const HEADER_PATTERN_WORDS: usize = 32;
const HEADER_BYTES: usize = 36;
const DETECTOR_NAME_BYTES: u64 = 24 * 8;
// Node record fields.
const NODE_FLAGS: usize = 0;
const NODE_WILDCARD: usize = 4;
const NODE_FIRST_EDGE: usize = 8;
const NODE_EDGE_COUNT: usize = 12;
const NODE_BYTES: usize = 24; // + detect word and counter base, unread here
// Edge record fields.
const EDGE_KEY_OFFSET: usize = 0;
const EDGE_KEY_LENGTH: usize = 4;
const EDGE_CHILD: usize = 8;
const EDGE_BYTES: usize = 12;
// Hash slot fields: { node, edgeIndex + 1 } (0 = empty); the hash is kept apart in slotHashes.
const SLOT_NODE: usize = 0;
const SLOT_EDGE: usize = 4;
const SLOT_BYTES: usize = 8;

let blob: usize = 0;
let blobSize: usize = 0;
let nodes: usize = 0;
let edges: usize = 0;
let roots: usize = 0;
let keys: usize = 0;
let nodeCount: u32 = 0;
let edgeCount: u32 = 0;
let policyCount: u32 = 0;
let slots: usize = 0;
let slotMask: u32 = 0;
let slotHashes: usize = 0;
// Per node, bit min(length, 31) is set for each length its literal keys have: most keys that
// cannot match are turned away on their length, without hashing.
let lengthMasks: usize = 0;

/** How many embedded documents can be open inside each other under any policy. */
export let maxEmbeddedNesting: u32 = 0;

// Named reads of the records above (blob reads are asserted in range in the debug build).
// @ts-ignore: decorator
@inline
function nodeAt(node: u32): usize {
  assert(node < nodeCount);
  return nodes + <usize>node * NODE_BYTES;
}

// @ts-ignore: decorator
@inline
function edgeAt(index: u32): usize {
  assert(index < edgeCount);
  return edges + <usize>index * EDGE_BYTES;
}

// @ts-ignore: decorator
@inline
function edgeKeyLength(edge: usize): usize {
  return <usize>load<u32>(edge, EDGE_KEY_LENGTH);
}

// @ts-ignore: decorator
@inline
function edgeKey(edge: usize): usize {
  const key = keys + <usize>load<u32>(edge, EDGE_KEY_OFFSET);
  assert(key + edgeKeyLength(edge) <= blob + blobSize);
  return key;
}

// @ts-ignore: decorator
@inline
function edgeChild(edge: usize): u32 {
  return load<u32>(edge, EDGE_CHILD);
}

/** Room for a blob of `size` bytes; the host writes it there, then calls loadTables. */
export function reserveTables(size: u32): usize {
  if (blob != 0) heap.free(blob);
  blob = heap.alloc(<usize>max<u32>(size, 4) + PADDING); // padding: key compares read whole words
  blobSize = <usize>size;
  return blob;
}

/**
 * Checks the blob's structure (every index in range) and builds the key hash table.
 * Returns 0 on success, else a small number naming what was wrong (a host bug, not user input).
 */
export function loadTables(size: u32): i32 {
  if (<usize>size < HEADER_BYTES || load<u32>(blob) != TABLES_MAGIC) return 1;
  const nCount = load<u32>(blob, HEADER_NODE_COUNT);
  const eCount = load<u32>(blob, HEADER_EDGE_COUNT);
  const pCount = load<u32>(blob, HEADER_POLICY_COUNT);
  const kBytes = load<u32>(blob, HEADER_KEY_BYTES);
  const nesting = load<u32>(blob, HEADER_NESTING);
  const skipped = DETECTOR_NAME_BYTES + <u64>load<u32>(blob, HEADER_PATTERNS) * 4 + <u64>load<u32>(blob, HEADER_PATTERN_WORDS) * 4;
  const need = <u64>HEADER_BYTES + <u64>nCount * NODE_BYTES + <u64>eCount * EDGE_BYTES + <u64>pCount * 4 + skipped + <u64>kBytes;
  if (need != <u64>size || nCount == 0 || pCount == 0) return 2;
  const n = blob + HEADER_BYTES;
  const e = n + <usize>nCount * NODE_BYTES;
  const r = e + <usize>eCount * EDGE_BYTES;
  const k = r + <usize>pCount * 4 + <usize>skipped;
  for (let i: u32 = 0; i < nCount; i++) {
    const node = n + <usize>i * NODE_BYTES;
    const first = load<u32>(node, NODE_FIRST_EDGE);
    const count = load<u32>(node, NODE_EDGE_COUNT);
    if (load<u32>(node, NODE_WILDCARD) >= nCount || <u64>first + <u64>count > <u64>eCount) return 3;
  }
  for (let i: u32 = 0; i < eCount; i++) {
    const edge = e + <usize>i * EDGE_BYTES;
    if (<u64>load<u32>(edge, EDGE_KEY_OFFSET) + <u64>load<u32>(edge, EDGE_KEY_LENGTH) > <u64>kBytes) return 4;
    if (load<u32>(edge, EDGE_CHILD) >= nCount) return 4;
  }
  for (let i: u32 = 0; i < pCount; i++) {
    const root = load<u32>(r + <usize>i * 4);
    if (root == NODE_DROP || root >= nCount) return 5;
  }
  nodes = n; edges = e; roots = r; keys = k;
  nodeCount = nCount; edgeCount = eCount; policyCount = pCount;
  maxEmbeddedNesting = nesting;
  buildSlots();
  return 0;
}

function buildSlots(): void {
  let capacity: u32 = 16;
  while (capacity < edgeCount * 2) capacity <<= 1;
  if (slots != 0) heap.free(slots);
  if (slotHashes != 0) heap.free(slotHashes);
  if (lengthMasks != 0) heap.free(lengthMasks);
  lengthMasks = heap.alloc(<usize>nodeCount * 4);
  memory.fill(lengthMasks, 0, <usize>nodeCount * 4);
  slots = heap.alloc(<usize>capacity * SLOT_BYTES);
  slotHashes = heap.alloc(<usize>capacity * 4);
  memory.fill(slots, 0, <usize>capacity * SLOT_BYTES);
  slotMask = capacity - 1;
  maxEdgeCount = 0;
  for (let node: u32 = 1; node < nodeCount; node++) {
    const first = load<u32>(nodeAt(node), NODE_FIRST_EDGE);
    const count = load<u32>(nodeAt(node), NODE_EDGE_COUNT);
    maxEdgeCount = max(maxEdgeCount, count);
    for (let i = first; i < first + count; i++) {
      const edge = edgeAt(i);
      const length = edgeKeyLength(edge);
      const h = hashKey(edgeKey(edge), length);
      const masks = lengthMasks + <usize>node * 4;
      store<u32>(masks, load<u32>(masks) | lengthBit(length));
      let s = slotIndex(node, h);
      while (load<u32>(slotAt(s), SLOT_NODE) != 0) s = (s + 1) & slotMask;
      store<u32>(slotAt(s), node, SLOT_NODE);
      store<u32>(slotAt(s), i + 1, SLOT_EDGE);
      store<u32>(slotHashes + <usize>s * 4, h);
    }
  }
}

// @ts-ignore: decorator
@inline
function slotAt(s: u32): usize {
  return slots + <usize>s * SLOT_BYTES;
}

// @ts-ignore: decorator
@inline
function lengthBit(length: usize): u32 {
  return 1 << <u32>min<usize>(length, 31);
}

// @ts-ignore: decorator
@inline
function slotIndex(node: u32, hash: u32): u32 {
  return (hash ^ (node * 0x9e3779b1)) & slotMask;
}

export function policyRoot(policy: u32): u32 {
  if (policy >= policyCount) return NODE_DROP;
  return load<u32>(roots + <usize>policy * 4);
}

export function policyTotal(): u32 {
  return policyCount;
}

// @ts-ignore: decorator
@inline
export function nodeFlags(node: u32): u32 {
  return load<u32>(nodeAt(node), NODE_FLAGS);
}

/** Set by childFor: the key's hash, or 0 when it was turned away on its length unhashed. */
export let lastKeyHash: u32 = 0;
/** Set by childFor: the index of the literal edge taken among its node's edges, or -1 (wildcard or none). */
export let lastEdge: i32 = -1;

/** Most literal edges any node has. */
export let maxEdgeCount: u32 = 0;

export function nodeEdgeCount(node: u32): u32 {
  return load<u32>(nodeAt(node), NODE_EDGE_COUNT);
}

/** The node reached from `node` by the decoded key [p, p + len); NODE_DROP if none. */
export function childFor(node: u32, p: usize, len: usize): u32 {
  lastKeyHash = 0;
  lastEdge = -1;
  if (load<u32>(lengthMasks + <usize>node * 4) & lengthBit(len)) {
    const h = hashKey(p, len);
    lastKeyHash = h;
    let s = slotIndex(node, h);
    while (true) {
      const slot = slotAt(s);
      const owner = load<u32>(slot, SLOT_NODE);
      if (owner == 0) break;
      if (owner == node && load<u32>(slotHashes + <usize>s * 4) == h) {
        const index = load<u32>(slot, SLOT_EDGE) - 1;
        const edge = edgeAt(index);
        if (edgeKeyLength(edge) == len && bytesEqual(edgeKey(edge), p, len)) {
          lastEdge = <i32>(index - load<u32>(nodeAt(node), NODE_FIRST_EDGE));
          return edgeChild(edge);
        }
      }
      s = (s + 1) & slotMask;
    }
  }
  return load<u32>(nodeAt(node), NODE_WILDCARD);
}
