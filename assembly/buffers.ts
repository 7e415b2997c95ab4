// The engine's memory: a few buffers that grow to the largest size asked of them and are
// then reused, call after call. Growing may move a buffer (and grow wasm memory), which is
// why the host re-reads every address after each call and keeps no view across one.
import { PADDING } from "./scan";

/** A block with room for at least `needed` bytes: `block` itself if it is large enough. */
function ensure(block: usize, capacity: usize, needed: usize): usize {
  if (block != 0 && capacity >= needed) return block;
  if (block != 0) heap.free(block);
  return heap.alloc(needed);
}

// Input: the host writes events here. PADDING bytes after the data keep SIMD loads in bounds.
export let input: usize = 0;
let inputCapacity: usize = 0;

export function reserveInput(length: usize): usize {
  const needed = length + PADDING;
  if (inputCapacity < needed) {
    const capacity = max<usize>(needed, inputCapacity + (inputCapacity >> 1));
    input = ensure(input, inputCapacity, capacity);
    inputCapacity = capacity;
  }
  return input;
}

// Output: never longer than the input plus one line end per line (see README, "Memory").
export let output: usize = 0;
let outputCapacity: usize = 0;
export let outPos: usize = 0;

export function reserveOutput(inputLength: usize): void {
  const needed = inputLength * 2 + PADDING;
  if (outputCapacity < needed) {
    output = ensure(output, outputCapacity, needed);
    outputCapacity = needed;
  }
  outPos = output;
}

/**
 * Whether `bytes` more bytes (plus the padding vector copies may write past them) fit in the
 * output. An event never writes more than its own length and a line end, so checking that
 * before each event makes overflow impossible rather than merely unexpected.
 */
export function outputHasRoom(bytes: usize): bool {
  return outPos + bytes + PADDING <= output + outputCapacity;
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

// Arena: decoded keys and decoded embedded documents of the current event, stack-allocated.
export let arenaTop: usize = 0;
let arena: usize = 0;
let arenaCapacity: usize = 0;

/**
 * Makes room for an event of `eventLength` bytes whose policy nests embedded documents `nesting`
 * deep, with objects nested `depth` deep whose key bitsets take up to `bitsetBytes` each.
 */
export function resetArena(eventLength: usize, nesting: u32, depth: u32, bitsetBytes: u32): void {
  // Live at once: one decoded copy per open embedded document, plus decoded keys (each at most
  // as long as its source), each with a sentinel and padding, plus one bitset per open object.
  const needed = (eventLength + PADDING) * (2 * <usize>nesting + 1) + PADDING
    + <usize>depth * <usize>bitsetBytes;
  if (arenaCapacity < needed) {
    arena = ensure(arena, arenaCapacity, needed);
    arenaCapacity = needed;
  }
  arenaTop = arena;
}

export function setArenaTop(p: usize): void {
  arenaTop = p;
}

// Scratch: one region per level of embedded documents, where an embedded document's filtered
// form is written before it is escaped into the output as a JSON string.
let scratch: usize = 0;
let scratchCapacity: usize = 0;
let scratchLevelBytes: usize = 0;

export function resetScratch(eventLength: usize, nesting: u32): void {
  scratchLevelBytes = eventLength + PADDING;
  const needed = scratchLevelBytes * <usize>nesting + PADDING;
  if (scratchCapacity < needed) {
    scratch = ensure(scratch, scratchCapacity, needed);
    scratchCapacity = needed;
  }
}

/** Start of the scratch region of embedded level `level` (1 for the outermost). */
export function scratchLevel(level: u32): usize {
  return scratch + scratchLevelBytes * <usize>(level - 1);
}

// Status: one record per event for the host (see batch.ts).
export const STATUS_BYTES: usize = 24;
export let status: usize = 0;
let statusCapacity: usize = 0;

export function reserveStatus(inputLength: usize): void {
  // An event takes at least two bytes ("{}") and a line end.
  const needed = ((inputLength >> 1) + 2) * STATUS_BYTES;
  if (statusCapacity < needed) {
    status = ensure(status, statusCapacity, needed);
    statusCapacity = needed;
  }
}
