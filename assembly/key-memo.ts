// Key prediction. Events of one source repeat their key order, so the key that stood as the
// i-th member of an object at policy node N in the last event is, most of the time, the i-th
// member's key there in this one. A memo slot remembers that key's bytes and what the policy
// tables said about it (childFor's answer); filterObject then recognises the next key with one
// length check and a word compare, without scanning it as a string or hashing it.
//
// Memo (MEMO_SLOTS slots of SLOT_BYTES; a (node, member index) pair has two places, by two hashes):
//
//   slot  ┌──────┬────────┬────────┬───────┬──────┬──────┬─────────────────────────────┐
//         │ node │ member │ length │ child │ edge │ hash │ key bytes (<= MEMO_KEY_MAX) │
//         └──────┴────────┴────────┴───────┴──────┴──────┴─────────────────────────────┘
//          +0     +4       +8       +12     +16    +20    +24 .. +64 (MEMO_KEY_MAX = 40)
//   node 0 (NODE_DROP, never an object's node) marks an empty slot. edge and hash are childFor's
//   lastEdge and lastKeyHash for that key.
//
// Why a hit is exact: a slot only ever holds a key that was scanned and validated as a string
// with no escapes (so its bytes hold no '"', no '\\', no control character, and are valid
// UTF-8). If the input at p holds '"', then exactly those `length` bytes, then '"', the string
// at p is that same valid string, closing at p + 1 + length, and the tables map it to the same
// child: the walk goes on exactly as the scan and lookup would have made it.
// In an embedded document walked in place (in-place.ts) the key stands between `\"` and `\"`;
// the same bytes, so the same slot serves both walks.
// Why the reads are safe: they reach at most p + 3 + max(MEMO_KEY_MAX, 8) (the word compare reads
// whole words, the last one overlapping, and at least one word), and p is at or before the
// document's sentinel, which is followed by PADDING (64) readable bytes: 3 + 40 < 64. A key cut short by the sentinel never matches (the
// sentinel is a byte < 0x20, which no memo key holds), so a hit never reads the document past
// its end as part of a key.
import { bytesEqual } from "./scan";
import { canAllocate } from "./allocation";

const MEMO_SLOTS: u32 = 4096; // a power of two
const SLOT_NODE: usize = 0;
const SLOT_MEMBER: usize = 4;
const SLOT_LENGTH: usize = 8;
const SLOT_CHILD: usize = 12;
const SLOT_EDGE: usize = 16;
const SLOT_HASH: usize = 20;
const SLOT_KEY: usize = 24;
const SLOT_BYTES: usize = 64;
/** Longest key the memo keeps (longer keys are looked up every time). */
export const MEMO_KEY_MAX: usize = SLOT_BYTES - SLOT_KEY;

let memo: usize = 0;

/** Forgets every prediction (the tables or the hash seed changed); allocates the memo first time. */
export function clearMemo(): void {
  if (memo == 0) {
    if (!canAllocate(<u64>MEMO_SLOTS * SLOT_BYTES)) return; // no memo: every key is looked up
    memo = heap.alloc(<usize>MEMO_SLOTS * SLOT_BYTES);
  }
  memory.fill(memo, 0, <usize>MEMO_SLOTS * SLOT_BYTES);
}

/**
 * The slot for the `member`th member (from 0) of an object at `node`; 0 when there is no memo.
 * Two places may hold it (two hashes of the pair), so two pairs that hash alike do not evict
 * each other on every event: the one that holds the pair, else an empty one, else the first.
 */
// @ts-ignore: decorator
@inline
export function memoSlot(node: u32, member: u32): usize {
  if (memo == 0) return 0;
  const h = (node * 0x9e3779b1) ^ (member * 0x85ebca6b);
  const first = memo + <usize>((h ^ (h >> 15)) & (MEMO_SLOTS - 1)) * SLOT_BYTES;
  if (holds(first, node, member)) return first;
  const g = (h ^ (h >> 13)) * 0x27d4eb2d;
  const second = memo + <usize>((g >> 16) & (MEMO_SLOTS - 1)) * SLOT_BYTES;
  if (holds(second, node, member)) return second;
  return load<u32>(first, SLOT_NODE) != 0 && load<u32>(second, SLOT_NODE) == 0 ? second : first;
}

// @ts-ignore: decorator
@inline
function holds(slot: usize, node: u32, member: u32): bool {
  return load<u32>(slot, SLOT_NODE) == node && load<u32>(slot, SLOT_MEMBER) == member;
}

/**
 * Whether the slot predicts the key whose opening quote is at p, in walk mode M (in-place.ts:
 * a quote is sizeof<M>() bytes); returns the address of the '"' that closes the predicted key,
 * or 0 for no prediction.
 */
// @ts-ignore: decorator
@inline
export function predictKey<M>(slot: usize, node: u32, member: u32, p: usize): usize {
  if (slot == 0 || !holds(slot, node, member)) return 0;
  const length = <usize>load<u32>(slot, SLOT_LENGTH);
  const key = p + sizeof<M>();
  const close = key + length + sizeof<M>() - 1;
  if (sizeof<M>() == 1) {
    if (load<u8>(close) != 0x22) return 0;
  } else if (load<u16>(close - 1) != 0x225c) { // '\\' then '"'
    return 0;
  }
  if (!bytesEqual(key, slot + SLOT_KEY, length)) return 0;
  return close;
}

// @ts-ignore: decorator
@inline
export function memoChild(slot: usize): u32 {
  return load<u32>(slot, SLOT_CHILD);
}

// @ts-ignore: decorator
@inline
export function memoEdge(slot: usize): i32 {
  return load<i32>(slot, SLOT_EDGE);
}

// @ts-ignore: decorator
@inline
export function memoHash(slot: usize): u32 {
  return load<u32>(slot, SLOT_HASH);
}

/**
 * Remembers the key [key, key + length) (validated, no escapes: the caller's promise) as the
 * `member`th of an object at `node`, with childFor's answer for it.
 */
export function remember(slot: usize, node: u32, member: u32, key: usize, length: usize, child: u32, edge: i32, hash: u32): void {
  if (slot == 0 || length > MEMO_KEY_MAX) return;
  store<u32>(slot, node, SLOT_NODE);
  store<u32>(slot, member, SLOT_MEMBER);
  store<u32>(slot, <u32>length, SLOT_LENGTH);
  store<u32>(slot, child, SLOT_CHILD);
  store<i32>(slot, edge, SLOT_EDGE);
  store<u32>(slot, hash, SLOT_HASH);
  memory.copy(slot + SLOT_KEY, key, length);
}
