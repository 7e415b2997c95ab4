// The engine's memory for batches: input, output, arena and scratch, sized together from what a
// batch of `length` bytes can need, and status records of fixed capacity. They are reused while
// they are large enough; when they are not, all four are freed and the new set is allocated
// together (so the allocator can reuse the whole freed range). Growing may move buffers and grow
// wasm memory, which is why the host re-reads every address after each call.
//
// Sizes, for a batch of L bytes whose longest event is E <= min(L, maxEventBytes), under
// policies that nest embedded documents n deep (P = PADDING):
//   input    L + P                         the sentinel and SIMD read-ahead after the data
//   output   L + 1 + P                     an event's output is never longer than its line (a
//                                          minified subset; an embedded document re-escaped is
//                                          never longer than the string it came from), plus an LF
//                                          per line: at most L + 1 in all
//   arena    (n + 1)(E + P) + P + bitsets  per document level, its decoded keys and the decoded
//                                          document below it are disjoint parts of it, and decoding
//                                          never lengthens; plus one key bitset per open object
//   scratch  n (E + P) + P                 per embedded level, its filtered document (<= E)
// Sizes are computed in 64 bits; a set that no allocation can hold is refused before the call.
import { PADDING, STATUS_BYTES, STATUS_CAPACITY, RESERVE_IMPOSSIBLE, RESERVE_NO_ROOM } from "./abi";
import { maxDepth, maxEventBytes } from "./limits";
import { maxEmbeddedNesting, maxEdgeCount } from "./policy-tables";
import { reserveKeys } from "./keyset";
import { canAllocate, fitsOneBlock, MEMORY_BYTES } from "./allocation";

export let input: usize = 0;
export let output: usize = 0;
let arena: usize = 0;
let scratch: usize = 0;
export let status: usize = 0;

let inputCapacity: u64 = 0;
let outputCapacity: u64 = 0;
let arenaCapacity: u64 = 0;
let scratchCapacity: u64 = 0;

/** Why the last reserveInput returned 0: RESERVE_IMPOSSIBLE or RESERVE_NO_ROOM. */
export let reserveProblem: u32 = 0;

// Sizes of the set a batch needs, computed by sizeFor.
let inputNeed: u64 = 0;
let outputNeed: u64 = 0;
let arenaNeed: u64 = 0;
let scratchNeed: u64 = 0;
let levelNeed: u64 = 0;

function sizeFor(length: u64): void {
  const longest = min<u64>(length, <u64>maxEventBytes);
  const nesting = <u64>maxEmbeddedNesting;
  const bitsets = <u64>max<i32>(maxDepth, 0) * (((<u64>maxEdgeCount + 63) >> 6) << 3);
  inputNeed = length + PADDING;
  outputNeed = length + 1 + PADDING;
  arenaNeed = (nesting + 1) * (longest + PADDING) + PADDING + bitsets;
  levelNeed = longest + PADDING;
  scratchNeed = nesting * levelNeed + PADDING;
}

/**
 * Makes every batch buffer large enough for a batch (or single event) of `length` bytes and
 * returns the input address, where the host writes it; or 0, with reserveProblem saying why.
 */
export function reserveInput(length: u32): usize {
  reserveProblem = 0;
  sizeFor(<u64>length);
  if (!fitsOneBlock(inputNeed) || !fitsOneBlock(outputNeed) || !fitsOneBlock(arenaNeed) || !fitsOneBlock(scratchNeed)
    || inputNeed + outputNeed + arenaNeed + scratchNeed > MEMORY_BYTES) {
    reserveProblem = RESERVE_IMPOSSIBLE;
    return 0;
  }
  if (status == 0) {
    if (!canAllocate(<u64>STATUS_CAPACITY * STATUS_BYTES)) return noRoom();
    status = heap.alloc(<usize>STATUS_CAPACITY * STATUS_BYTES);
  }
  if (!reserveKeys()) return noRoom();
  if (inputCapacity >= inputNeed && outputCapacity >= outputNeed && arenaCapacity >= arenaNeed && scratchCapacity >= scratchNeed) {
    return input;
  }
  freeSet();
  input = allocate(inputNeed);
  if (input != 0) output = allocate(outputNeed);
  if (output != 0) arena = allocate(arenaNeed);
  if (arena != 0) scratch = allocate(scratchNeed);
  if (scratch == 0) {
    freeSet();
    return noRoom();
  }
  inputCapacity = inputNeed;
  outputCapacity = outputNeed;
  arenaCapacity = arenaNeed;
  scratchCapacity = scratchNeed;
  scratchLevelBytes = <usize>levelNeed;
  return input;
}

function noRoom(): usize {
  reserveProblem = RESERVE_NO_ROOM;
  return 0;
}

/** A block of `size` bytes, or 0 where memory cannot provide it (never a trap). */
function allocate(size: u64): usize {
  return canAllocate(size) ? heap.alloc(<usize>size) : 0;
}

function freeSet(): void {
  if (input != 0) heap.free(input);
  if (output != 0) heap.free(output);
  if (arena != 0) heap.free(arena);
  if (scratch != 0) heap.free(scratch);
  input = output = arena = scratch = 0;
  inputCapacity = outputCapacity = arenaCapacity = scratchCapacity = 0;
}

// Output.
export let outPos: usize = 0;

export function resetOutput(): void {
  outPos = output;
}

/**
 * Whether `bytes` more bytes (plus the padding vector copies may write past them) fit in the
 * output. An event never writes more than its own length and a line end, so checking that
 * before each event makes overflow impossible rather than merely unexpected.
 */
export function outputHasRoom(bytes: usize): bool {
  return <u64>(outPos - output) + <u64>bytes + PADDING <= outputCapacity;
}

export function setOutPos(p: usize): void {
  outPos = p;
}

// @ts-ignore: decorator
@inline
export function emitByte(c: u8): void {
  store<u8>(outPos, c);
  outPos++;
}

/**
 * Appends [p, p + n). Tokens are short, so they move a vector (or a word) at a time; this may
 * read up to 15 bytes past the source and write past the new end, both inside the padding.
 */
// @ts-ignore: decorator
@inline
export function emitBytes(p: usize, n: usize): void {
  if (n > 256) {
    memory.copy(outPos, p, n);
  } else if (ASC_FEATURE_SIMD) {
    for (let i: usize = 0; i < n; i += 16) v128.store(outPos + i, v128.load(p + i));
  } else {
    for (let i: usize = 0; i < n; i += 8) store<u64>(outPos + i, load<u64>(p + i));
  }
  outPos += n;
}

/**
 * Debug builds: whether [outPos, outPos + PADDING) lies inside the output or inside the scratch
 * region of the embedded level being written. Writes are checked when a container or an event
 * ends, which bounds every write before it (each writes at most PADDING past outPos).
 */
export function outputInBounds(level: u32): bool {
  if (level == 0) return <u64>(outPos - output) + PADDING <= outputCapacity;
  const start = scratchLevel(level);
  return outPos >= start && outPos - start + PADDING <= scratchLevelBytes;
}

// Arena: decoded keys, decoded embedded documents and key bitsets of the current event, a stack.
export let arenaTop: usize = 0;

export function resetArena(): void {
  arenaTop = arena;
}

export function setArenaTop(p: usize): void {
  // PADDING past the top stays writable: decoding writes up to 16 bytes past its end.
  assert(p >= arena && <u64>(p - arena) + PADDING <= arenaCapacity);
  arenaTop = p;
}

// Scratch: one region per level of embedded documents, where an embedded document's filtered
// form is written before it is escaped into the output as a JSON string.
let scratchLevelBytes: usize = 0;

/** Start of the scratch region of embedded level `level` (1 for the outermost). */
export function scratchLevel(level: u32): usize {
  assert(level >= 1 && level <= maxEmbeddedNesting);
  return scratch + scratchLevelBytes * <usize>(level - 1);
}

/** The status record of the `index`th event of a batch call. */
// @ts-ignore: decorator
@inline
export function statusRecord(index: u32): usize {
  assert(index < STATUS_CAPACITY);
  return status + <usize>index * STATUS_BYTES;
}
